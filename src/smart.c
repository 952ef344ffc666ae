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

/* Open through one access mode; 1 with SMART available, 0 when not, < 0 when the device cannot be opened. */
static int open_mode(const char *path, enum smart_access mode, SkDisk **ret)
{
	char name[PATH_MAX + 16];
	SkBool available = 0;
	SkDisk *d = NULL;

	if (mode == SMART_ACCESS_AUTO)
		snprintf(name, sizeof(name), "%s", path);
	else
		snprintf(name, sizeof(name), "%s:%s", access_names[mode], path);
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

static void read_open_disk(SkDisk *d, const char *path, const struct smart_device_opts *opts, struct smart_reading *r)
{
	const void *blob;
	size_t len;
	SkBool good, awake = 1;
	uint64_t bytes;

	if (!opts->wake && sk_disk_check_sleep_mode(d, &awake) == 0 && !awake) {
		reading_set(r, READING_STANDBY, "standby: not woken (use --wake)");
		if (sk_disk_get_blob(d, &blob, &len) == 0) {
			struct smart_reading id;

			/* The identify page is already in hand; keep who it was. */
			smart_read_blob(blob, len, &id);
			r->identity = id.identity;
			r->identity_valid = id.identity_valid;
		}
		return;
	}
	/* Failure here only leaves the status record out of the blob: self-assessment unknown. */
	(void)sk_disk_smart_status(d, &good);
	if (sk_disk_smart_read_data(d) < 0) {
		reading_set(r, READING_ERROR, "cannot read SMART data from '%s': %s", path, strerror(errno ? errno : EIO));
		return;
	}
	if (sk_disk_get_blob(d, &blob, &len) < 0) {
		reading_set(r, READING_ERROR, "cannot get the reading of '%s': %s", path, strerror(errno ? errno : EIO));
		return;
	}
	smart_read_blob(blob, len, r);
	if (r->identity.sectors == 0 && sk_disk_get_size(d, &bytes) == 0)
		r->identity.sectors = bytes / 512;
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
	for (size_t i = 0; i < n; i++) {
		SkDisk *d = NULL;
		int k = open_mode(path, modes[i], &d);

		if (k < 0) {
			reading_set(r, READING_ERROR, "cannot open '%s': %s", path, strerror(-k));
			return;
		}
		if (k == 0)
			continue;
		read_open_disk(d, path, opts, r);
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
