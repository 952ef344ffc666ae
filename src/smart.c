/* smart.c — taking a SMART reading from a device or a saved blob (the only user of libatasmart) */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stddef.h> /* atasmart.h uses size_t without including it */
#include <atasmart.h>

#include "ata.h"
#include "blob.h"
#include "smart.h"

#define BLOB_FILE_MAX (64 * 1024)

static const char *const access_names[_SMART_ACCESS_MAX] = {
	[SMART_ACCESS_AUTO] = "auto",
	[SMART_ACCESS_SAT16] = "sat16",
	[SMART_ACCESS_SAT12] = "sat12",
	[SMART_ACCESS_LINUX_IDE] = "linux-ide",
	[SMART_ACCESS_SUNPLUS] = "sunplus",
	[SMART_ACCESS_JMICRON] = "jmicron",
};

int smart_access_from_string(const char *s, enum smart_access *ret)
{
	for (int i = 0; i < _SMART_ACCESS_MAX; i++)
		if (strcmp(s, access_names[i]) == 0) {
			*ret = (enum smart_access)i;
			return 0;
		}
	return -EINVAL;
}

const char *smart_access_to_string(enum smart_access a)
{
	return a < _SMART_ACCESS_MAX ? access_names[a] : "?";
}

const char *reading_status_to_string(enum reading_status s)
{
	static const char *const names[_READING_STATUS_MAX] = {
		[READING_OK] = "ok",
		[READING_STANDBY] = "standby",
		[READING_UNUSABLE] = "unusable",
		[READING_UNSUPPORTED] = "unsupported",
		[READING_ERROR] = "error",
		[READING_DUPLICATE] = "duplicate",
		[READING_TIMEOUT] = "timeout",
	};

	return s < _READING_STATUS_MAX ? names[s] : "?";
}

const struct smart_attr *smart_reading_attr(const struct smart_reading *r, uint8_t id)
{
	for (unsigned i = 0; i < r->n_attrs; i++)
		if (r->attrs[i].id == id)
			return &r->attrs[i];
	return NULL;
}

static void reading_init(struct smart_reading *r)
{
	memset(r, 0, sizeof(*r));
	r->smart_ok = -1;
	r->self_test = -1;
}

static void reading_set(struct smart_reading *r, enum reading_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void reading_set(struct smart_reading *r, enum reading_status status, const char *fmt, ...)
{
	va_list ap;

	r->status = status;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	/* An unusable reading keeps its identity (worth recording) but no attributes. */
	r->n_attrs = 0;
	r->smart_ok = -1;
	r->self_test = -1;
}

/*
 * The threshold of the entry in this slot: the same slot of the threshold page, where drives
 * put it; else the first entry there with its id, as smartctl looks for it.
 */
static bool threshold_of(const struct blob *b, unsigned slot, uint8_t id, uint8_t *ret)
{
	const uint8_t *th = b->thresholds + 2 + slot * 12;

	if (th[0] == id) {
		*ret = th[1];
		return true;
	}
	return threshold_page_get(b->thresholds, id, ret) == 0;
}

/*
 * The attribute table, decoded from the data page itself (30 entries of 12 bytes from offset
 * 2), so that nothing libatasmart chooses to hide or rename is lost, and without its per-model
 * regular expressions compiled for every attribute. Returns false (and says why) when the
 * table cannot be a real one.
 */
static bool read_attributes(const struct blob *b, struct smart_reading *r)
{
	for (unsigned slot = 0; slot < SMART_MAX_ATTRS; slot++) {
		struct ata_attr_entry e;
		struct smart_attr *a;
		uint8_t th_id;

		smart_page_get(b->data, slot, &e);
		/*
		 * The threshold page lists the same ids in the same slots: a data page whose ids
		 * disagree with it was overwritten, whatever its checksum says.
		 */
		th_id = b->has_thresholds ? b->thresholds[2 + slot * 12] : 0;
		if (b->has_thresholds && th_id != 0 && e.id != 0 && th_id != e.id) {
			reading_set(r, READING_UNUSABLE,
				    "attribute table corrupt: slot %u holds id %u, thresholds say %u", slot, e.id, th_id);
			return false;
		}
		if (e.id == 0)
			continue;
		/*
		 * Some firmware lists an id twice (Kingston A400's 246, SATADOMs' 1): kept as listed;
		 * whoever looks an id up reads the first, as smartctl does.
		 */
		a = &r->attrs[r->n_attrs++];
		a->id = e.id;
		a->flags = e.flags;
		a->current = e.current;
		a->worst = e.worst;
		memcpy(a->raw, e.raw, sizeof(a->raw));
		a->reserved = e.reserved;
		if (b->has_thresholds && threshold_of(b, slot, e.id, &a->threshold))
			a->threshold_valid = true;
	}
	return true;
}

static void reading_from_parsed_blob(const struct blob *b, struct smart_reading *r)
{
	struct smart_identity *id = &r->identity;

	identify_get_string(b->identify, IDENTIFY_MODEL, id->model, sizeof(id->model));
	identify_get_string(b->identify, IDENTIFY_SERIAL, id->serial, sizeof(id->serial));
	identify_get_string(b->identify, IDENTIFY_FIRMWARE, id->firmware, sizeof(id->firmware));
	id->sectors = identify_sectors(b->identify);
	id->rotation = identify_rotation(b->identify);
	if (!identify_checksum_ok(b->identify)) {
		reading_set(r, READING_UNUSABLE, "identify page checksum mismatch");
		return;
	}
	if (!id->model[0]) {
		reading_set(r, READING_UNUSABLE, "identify page has no model name");
		return;
	}
	r->identity_valid = true;

	if (!b->has_data) {
		reading_set(r, READING_UNSUPPORTED, "no SMART data in the reading");
		return;
	}
	/* libatasmart never checks this: a page of garbage would parse as a healthy drive. */
	if (!ata_page_checksum_ok(b->data)) {
		reading_set(r, READING_UNUSABLE, "SMART data page checksum mismatch");
		return;
	}
	if (b->has_thresholds && !ata_page_checksum_ok(b->thresholds)) {
		reading_set(r, READING_UNUSABLE, "SMART threshold page checksum mismatch");
		return;
	}
	if (b->has_status && b->status > 1) {
		reading_set(r, READING_UNUSABLE, "self-assessment record holds %u, not 0 or 1", b->status);
		return;
	}
	if (!read_attributes(b, r))
		return;
	if (r->n_attrs == 0) {
		reading_set(r, READING_UNUSABLE, "SMART data page lists no attributes");
		return;
	}
	r->smart_ok = b->has_status ? (int)b->status : -1;
	r->self_test = b->data[SMART_PAGE_SELF_TEST_OFFSET];
	r->status = READING_OK;
	r->reason[0] = '\0';
}

void smart_read_blob(const void *buf, size_t len, struct smart_reading *r)
{
	struct wg_err err = { "" };
	struct blob *b;

	reading_init(r);
	wg_strlcpy(r->access, "blob", sizeof(r->access));
	b = malloc(sizeof(*b));
	if (!b) {
		reading_set(r, READING_ERROR, "out of memory");
		return;
	}
	if (blob_parse(buf, len, b, &err) < 0)
		reading_set(r, READING_UNUSABLE, "%s", err.msg);
	else
		reading_from_parsed_blob(b, r);
	free(b);
}

void smart_read_blob_file(const char *path, struct smart_reading *r)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int k;

	k = wg_read_file(path, BLOB_FILE_MAX, &buf, &len);
	if (k < 0) {
		reading_init(r);
		wg_strlcpy(r->access, "blob", sizeof(r->access));
		if (k == -EFBIG)
			reading_set(r, READING_UNUSABLE, "'%s' is larger than %d bytes: not a SMART blob", path,
				    BLOB_FILE_MAX);
		else if (k == -ESPIPE)
			reading_set(r, READING_ERROR, "cannot read '%s': a FIFO, not a saved reading", path);
		else
			reading_set(r, READING_ERROR, "cannot read '%s': %s", path, strerror(-k));
		return;
	}
	smart_read_blob(buf, len, r);
	free(buf);
}

/*
 * Runtime PM says a disk is suspended without sending it a command, so asking cannot wake
 * it. Any trouble reading the file means "don't know", and CHECK POWER MODE decides.
 */
static bool runtime_suspended(const char *path, const char *sysfs_root)
{
	char real[PATH_MAX], attr[PATH_MAX * 2], state[32] = "";
	const char *name;
	FILE *f;

	if (realpath(path, real))
		path = real;
	name = strrchr(path, '/');
	name = name ? name + 1 : path;
	if (snprintf(attr, sizeof(attr), "%s/block/%s/device/power/runtime_status", sysfs_root ? sysfs_root : "/sys",
		     name) >= (int)sizeof(attr))
		return false;
	f = fopen(attr, "re");
	if (!f)
		return false;
	if (!fgets(state, sizeof(state), f))
		state[0] = '\0';
	fclose(f);
	return strncmp(state, "suspended", 9) == 0;
}


/* One device reading as it goes: what weargate's own commands learnt before libatasmart's. */
struct device_read {
	const char *path;
	const struct smart_device_opts *opts;
	struct smart_reading *r;
	bool own;                     /* a transport of weargate's own reached the drive */
	enum ata_transport transport; /* the one that did */
};

static void say_command(const struct device_read *dr, const char *what)
{
	if (dr->opts->command)
		dr->opts->command(what, dr->opts->userdata);
}

/* The transports of weargate's own commands for an access mode, in the order tried. */
static size_t own_transports(enum smart_access a, enum ata_transport ret[3])
{
	switch (a) {
	case SMART_ACCESS_AUTO:
		/* the order of the access fallback below, libatasmart's own choice aside */
		ret[0] = ATA_LINUX_IDE;
		ret[1] = ATA_SAT16;
		ret[2] = ATA_SAT12;
		return 3;
	case SMART_ACCESS_SAT16:
		ret[0] = ATA_SAT16;
		return 1;
	case SMART_ACCESS_SAT12:
		ret[0] = ATA_SAT12;
		return 1;
	case SMART_ACCESS_LINUX_IDE:
		ret[0] = ATA_LINUX_IDE;
		return 1;
	default:
		return 0;
	}
}

static int open_device(const char *path)
{
	return open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
}

/* Who the drive is, from an identify page alone: a drive that is not read any further is still recorded as itself. */
static void identity_from_page(const uint8_t page[ATA_PAGE], struct smart_reading *r)
{
	struct blob *b = calloc(1, sizeof(*b));
	struct smart_reading *id = malloc(sizeof(*id));
	uint8_t *buf = NULL;
	size_t len;

	if (b && id) {
		memcpy(b->identify, page, ATA_PAGE);
		if (blob_serialize(b, &buf, &len) == 0) {
			smart_read_blob(buf, len, id);
			r->identity = id->identity;
			r->identity_valid = id->identity_valid;
		}
	}
	free(buf);
	free(id);
	free(b);
}

/*
 * Before libatasmart: sk_disk_open() sends IDENTIFY DEVICE at once (which spins a drive in
 * standby up), and its first SMART call sends SMART ENABLE OPERATIONS to a drive with SMART
 * off (init_smart()), a change of the drive's settings that is not ours to make. So weargate
 * asks the power mode itself, then identifies the drive itself and looks at the SMART enabled
 * bit; libatasmart is only let in when the drive is awake and has SMART on. True when the
 * reading may go on; false when r says why it ends here.
 */
static bool ask_first(struct device_read *dr)
{
	struct smart_reading *r = dr->r;
	enum ata_transport ts[3];
	size_t n = own_transports(dr->opts->access, ts);
	uint8_t page[ATA_PAGE];
	enum ata_power power;
	int fd, k;

	if (n == 0)
		return true;
	fd = open_device(dr->path);
	if (fd < 0) {
		reading_set(r, READING_ERROR, "cannot open '%s': %s", dr->path, strerror(errno));
		return false;
	}
	say_command(dr, "CHECK POWER MODE");
	k = ata_check_power_mode(fd, ts, n, &power, &dr->transport);
	if (k == -EOPNOTSUPP) {
		/* none of ours reaches it: libatasmart's check decides, after its IDENTIFY */
		close(fd);
		return true;
	}
	if (k < 0) {
		close(fd);
		reading_set(r, READING_ERROR, "CHECK POWER MODE failed on '%s': %s", dr->path, strerror(-k));
		return false;
	}
	dr->own = true;
	if (power != ATA_POWER_ACTIVE && !dr->opts->wake) {
		close(fd);
		if (power == ATA_POWER_SLEEP)
			reading_set(r, READING_STANDBY,
				    "sleep: the drive refused CHECK POWER MODE, as a sleeping one does; not woken (use --wake)");
		else
			reading_set(r, READING_STANDBY, "standby: not woken (use --wake)");
		return false;
	}
	say_command(dr, "IDENTIFY DEVICE");
	k = ata_identify(fd, dr->transport, page);
	close(fd);
	if (k == -EOPNOTSUPP) /* the transport answers non-data commands only: libatasmart may know better */
		return true;
	if (k < 0) {
		reading_set(r, READING_ERROR, "IDENTIFY DEVICE failed on '%s': %s", dr->path, strerror(-k));
		return false;
	}
	if (ata_identify_smart_supported(page) && !ata_identify_smart_enabled(page)) {
		identity_from_page(page, r);
		reading_set(r, READING_UNSUPPORTED,
			    "SMART is disabled on the drive (smartctl -s on %s turns it on; weargate never does)", dr->path);
		return false;
	}
	return true;
}

/* Open through one access mode; 1 with SMART available, 0 when not, < 0 when the device cannot be opened. */
static int open_mode(const struct device_read *dr, enum smart_access mode, SkDisk **ret)
{
	char name[PATH_MAX + 16];
	SkBool available = 0;
	SkDisk *d = NULL;

	if (mode == SMART_ACCESS_AUTO)
		snprintf(name, sizeof(name), "%s", dr->path);
	else
		snprintf(name, sizeof(name), "%s:%s", access_names[mode], dr->path);
	say_command(dr, "IDENTIFY DEVICE");
	errno = 0;
	if (sk_disk_open(name, &d) < 0) {
		int e = errno ? errno : EIO;

		/* These are about the device node, not the protocol: another mode will not help. */
		if (e == ENOENT || e == EACCES || e == EPERM || e == ENXIO || e == ENODEV)
			return -e;
		return 0;
	}
	if (sk_disk_smart_is_available(d, &available) < 0 || !available) {
		sk_disk_free(d);
		return 0;
	}
	*ret = d;
	return 1;
}

/* The transport of weargate's own for the mode libatasmart read through; false when there is none. */
static bool mode_transport(const struct device_read *dr, enum smart_access mode, enum ata_transport *ret)
{
	enum ata_transport t[3];

	if (mode == SMART_ACCESS_AUTO) {
		*ret = dr->transport;
		return dr->own;
	}
	if (own_transports(mode, t) != 1)
		return false;
	*ret = t[0];
	return true;
}

/*
 * libatasmart left the self-assessment out of the reading: its RETURN STATUS failed, or came
 * back with registers it does not read (some bridges). It says EIO for both; asked once more,
 * through weargate's own transport, an I/O error makes the reading an error, as on any other
 * command, and an odd answer leaves the self-assessment unknown.
 */
static void status_again(const struct device_read *dr, enum smart_access mode)
{
	enum ata_transport t;
	int fd, good = -1, k;

	if (!mode_transport(dr, mode, &t) || (fd = open_device(dr->path)) < 0)
		return;
	say_command(dr, "SMART RETURN STATUS");
	k = ata_smart_return_status(fd, t, &good);
	close(fd);
	if (k == -EOPNOTSUPP)
		return;
	if (k < 0) {
		reading_set(dr->r, READING_ERROR, "SMART RETURN STATUS failed on '%s': %s", dr->path, strerror(-k));
		return;
	}
	dr->r->smart_ok = good;
}

static void read_open_disk(const struct device_read *dr, SkDisk *d, enum smart_access mode)
{
	struct smart_reading *r = dr->r;
	const void *blob;
	size_t len;
	SkBool awake = 1;
	uint64_t bytes;

	/*
	 * No command of ours reached the drive (a bridge weargate does not speak): libatasmart's
	 * own check, after its IDENTIFY. The identity stays unknown: the blob that holds it would
	 * ask the drive its status first.
	 */
	if (!dr->own && !dr->opts->wake && sk_disk_check_sleep_mode(d, &awake) == 0 && !awake) {
		reading_set(r, READING_STANDBY, "standby: not woken (use --wake)");
		return;
	}
	/* libatasmart reads the thresholds before the first SMART command it is asked for */
	say_command(dr, "SMART READ THRESHOLDS or SMART READ DATA");
	errno = 0;
	if (sk_disk_smart_read_data(d) < 0) {
		reading_set(r, READING_ERROR, "SMART READ DATA failed on '%s': %s", dr->path, strerror(errno ? errno : EIO));
		return;
	}
	say_command(dr, "SMART RETURN STATUS");
	errno = 0;
	if (sk_disk_get_blob(d, &blob, &len) < 0) {
		reading_set(r, READING_ERROR, "cannot get the reading of '%s': %s", dr->path, strerror(errno ? errno : EIO));
		return;
	}
	smart_read_blob(blob, len, r);
	if (r->identity.sectors == 0 && sk_disk_get_size(d, &bytes) == 0)
		r->identity.sectors = bytes / 512;
	if (r->status == READING_OK && r->smart_ok < 0)
		status_again(dr, mode);
}

void smart_read_device(const char *path, const struct smart_device_opts *opts, struct smart_reading *r)
{
	/* Tried in this order under "auto": some AHCI controllers (QEMU's among them) only answer linux-ide. */
	static const enum smart_access fallback[] = {
		SMART_ACCESS_AUTO, SMART_ACCESS_LINUX_IDE, SMART_ACCESS_SAT16, SMART_ACCESS_SAT12,
	};
	enum smart_access one[1] = { opts->access };
	const enum smart_access *modes = opts->access == SMART_ACCESS_AUTO ? fallback : one;
	size_t n = opts->access == SMART_ACCESS_AUTO ? WG_ELEMENTSOF(fallback) : 1;
	struct device_read dr = { .path = path, .opts = opts, .r = r };
	struct stat st;

	reading_init(r);
	if (!opts->wake && runtime_suspended(path, opts->sysfs_root)) {
		reading_set(r, READING_STANDBY, "standby: runtime suspended, not woken (use --wake)");
		return;
	}
	/* libatasmart says "No such device" of a file or a character device: say what is wrong */
	if (stat(path, &st) == 0 && !S_ISBLK(st.st_mode)) {
		reading_set(r, READING_ERROR, "cannot read '%s': not a block device", path);
		return;
	}
	if (!ask_first(&dr))
		return;
	for (size_t i = 0; i < n; i++) {
		SkDisk *d = NULL;
		int k = open_mode(&dr, modes[i], &d);

		if (k < 0) {
			reading_set(r, READING_ERROR, "cannot open '%s': %s", path, strerror(-k));
			return;
		}
		if (k == 0)
			continue;
		read_open_disk(&dr, d, modes[i]);
		sk_disk_free(d);
		wg_strlcpy(r->access, access_names[modes[i]], sizeof(r->access));
		return;
	}
	if (opts->access == SMART_ACCESS_AUTO)
		reading_set(r, READING_UNSUPPORTED, "no SMART on '%s' (tried auto, linux-ide, sat16, sat12)", path);
	else
		reading_set(r, READING_UNSUPPORTED, "no SMART on '%s' through access '%s'", path,
			    access_names[opts->access]);
}

const char *smart_test_to_string(enum smart_test t)
{
	switch (t) {
	case SMART_TEST_SHORT:
		return "short";
	case SMART_TEST_LONG:
		return "long";
	case SMART_TEST_CONVEYANCE:
		return "conveyance";
	case SMART_TEST_ABORT:
		return "abort";
	}
	return "?";
}

int smart_test_from_string(const char *s, enum smart_test *ret)
{
	static const enum smart_test tests[] = { SMART_TEST_SHORT, SMART_TEST_LONG, SMART_TEST_CONVEYANCE };

	for (size_t i = 0; i < WG_ELEMENTSOF(tests); i++)
		if (strcmp(s, smart_test_to_string(tests[i])) == 0) {
			*ret = tests[i];
			return 0;
		}
	return -EINVAL;
}

int smart_test_status_of(int status_byte)
{
	return status_byte < 0 ? -1 : (status_byte >> 4) & 0xf;
}

bool smart_test_status_failed(int status)
{
	return status >= SMART_TEST_STATUS_FATAL && status <= SMART_TEST_STATUS_HANDLING;
}

const char *smart_test_status_to_string(int status)
{
	static const char *const names[16] = {
		[SMART_TEST_STATUS_PASSED] = "passed",
		[SMART_TEST_STATUS_ABORTED] = "aborted by the host",
		[SMART_TEST_STATUS_INTERRUPTED] = "interrupted by a reset",
		[SMART_TEST_STATUS_FATAL] = "fatal error",
		[SMART_TEST_STATUS_UNKNOWN] = "failed element unknown",
		[SMART_TEST_STATUS_ELECTRICAL] = "electrical failure",
		[SMART_TEST_STATUS_SERVO] = "servo/seek failure",
		[SMART_TEST_STATUS_READ] = "read failure",
		[SMART_TEST_STATUS_HANDLING] = "handling damage",
		[SMART_TEST_STATUS_RUNNING] = "running",
	};
	static const char *const reserved[16] = { "", "", "", "", "", "", "", "", "", "status 9", "status 10",
						  "status 11", "status 12", "status 13", "status 14", "" };

	if (status < 0 || status > 15)
		return "unknown";
	return names[status] ? names[status] : reserved[status];
}

static void say(char *reason, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *reason, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!reason || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, len, fmt, ap);
	va_end(ap);
}

int smart_self_test(const char *path, enum smart_access access, enum smart_test test, char *reason, size_t len)
{
	static const enum smart_access fallback[] = {
		SMART_ACCESS_AUTO, SMART_ACCESS_LINUX_IDE, SMART_ACCESS_SAT16, SMART_ACCESS_SAT12,
	};
	const enum smart_access *modes = access == SMART_ACCESS_AUTO ? fallback : &access;
	size_t n = access == SMART_ACCESS_AUTO ? WG_ELEMENTSOF(fallback) : 1;
	struct smart_device_opts opts = { .access = access, .wake = true };
	struct smart_reading *r = calloc(1, sizeof(*r));
	struct device_read dr = { .path = path, .opts = &opts, .r = r };
	const char *what = smart_test_to_string(test);
	int k = -EOPNOTSUPP;

	if (!r) {
		say(reason, len, "out of memory");
		return -ENOMEM;
	}
	reading_init(r);
	say(reason, len, "no SMART on '%s'", path);
	/* weargate's own IDENTIFY first: SMART switched off stays off */
	if (!ask_first(&dr)) {
		say(reason, len, "%s", r->reason);
		k = r->status == READING_UNSUPPORTED ? -EOPNOTSUPP : -EIO;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		SkDisk *d = NULL;
		int e;

		k = open_mode(&dr, modes[i], &d);
		if (k < 0) {
			say(reason, len, "cannot open '%s': %s", path, strerror(-k));
			goto out;
		}
		if (k == 0) {
			k = -EOPNOTSUPP;
			continue;
		}
		/* the page says which tests the drive offers; a mode that cannot read it is not the drive's */
		errno = 0;
		if (sk_disk_smart_read_data(d) < 0) {
			e = errno ? errno : EIO;
			say(reason, len, "SMART READ DATA failed on '%s': %s", path, strerror(e));
			sk_disk_free(d);
			k = -e;
			continue;
		}
		errno = 0;
		if (sk_disk_smart_self_test(d, (SkSmartSelfTest)test) < 0) {
			e = errno ? errno : EIO;
			if (e == ENOTSUP || e == EOPNOTSUPP) {
				k = -EOPNOTSUPP;
				say(reason, len, "the drive offers no %s self-test (its SMART data page says so)", what);
			} else {
				k = -e;
				say(reason, len, "SMART EXECUTE OFFLINE IMMEDIATE (%s) failed on '%s': %s", what, path,
				    strerror(e));
			}
		} else {
			k = 0;
			say(reason, len, "%s", "");
		}
		sk_disk_free(d);
		goto out;
	}
out:
	free(r);
	return k;
}
