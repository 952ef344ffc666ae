/* fake-ata.c — an LD_PRELOAD library that makes a plain file answer ATA commands as a drive would, for the tests */
/*
 * Why an LD_PRELOAD library and not a transport injected into smart.c: the point of these
 * tests is libatasmart's real code path — which commands sk_disk_open(), init_smart() and
 * sk_disk_get_blob() send, in what order, through which ioctl — next to weargate's own. Only
 * a device that answers at the ioctl level sees those. A loop device would need root; instead
 * the library stands a regular file in for the node: open() of it is noted, fstat()/stat()
 * call it a block device with the given major:minor, ioctl() answers SG_IO (ATA PASS-THROUGH
 * 12 and 16), HDIO_DRIVE_CMD, HDIO_DRIVE_TASK and BLKGETSIZE64 as libata would, and libudev's
 * lookup of the device number (libatasmart's disk_find_type()) gets the udev properties the
 * spec gives. Everything else passes to the real functions.
 *
 * WG_FAKE_ATA names a spec file, read again at every open, so that a test changes a drive
 * between two commands by rewriting it. Lines "key value", '#' comments; "device PATH" starts
 * a drive:
 *   device PATH         the node weargate is given: a regular file (a symlink to one is
 *                       fine); remove it and the drive is gone
 *   blob FILE           its answers: IDFY for IDENTIFY, SMDT, SMTH, SMST (DESIGN.md's format)
 *   rdev MAJ:MIN        its device number (default 8:0)
 *   power P             active, idle, standby or sleep (default active). In standby, CHECK
 *                       POWER MODE says so and any other command spins the drive up; asleep,
 *                       CHECK POWER MODE is refused (ERR, ABRT) and any other command stands
 *                       for the reset that wakes it, as libata does
 *   smart on|off        SMART enabled (default: as the blob's IDENTIFY says); SMART ENABLE
 *                       OPERATIONS turns it on, for this process
 *   latency_ms N        every command that reaches the drive takes N ms
 *   fail CMD eio|abort  CMD ends with EIO from the ioctl, or is refused by the drive (ERR,
 *                       ABRT); CMD is IDENTIFY, CHECK_POWER_MODE, READ_DATA, READ_THRESHOLDS,
 *                       RETURN_STATUS, ENABLE, OFFLINE or ANY; repeat the line for more
 *   hang CMD SECONDS    CMD answers only after SECONDS
 *   log FILE            append a line per command received: "TRANSPORT NAME", and
 *                       "TRANSPORT refused NAME" for one sent through a transport the drive
 *                       does not answer (which therefore never reached it)
 *   transports T...     which of linux-ide, sat16, sat12 reach the drive (default all)
 *   udev_access A       the ID_ATA_SMART_ACCESS property (libatasmart's own choice), e.g. sat16
 *   udev_bus B          the parent subsystem libatasmart looks for when there is no such
 *                       property: scsi (default: libatasmart picks sat16), ide (linux-ide), none
 *   selftest FILE       the drive runs SMART self-tests, their state kept in FILE (every process
 *                       that opens the drive shares it, as they share a real drive): the data
 *                       page then offers short, long and conveyance tests and the abort (offline
 *                       capability byte 367), SMART EXECUTE OFFLINE IMMEDIATE with subcommand 1,
 *                       2 or 3 starts one ("self-test short" etc. is logged after the command) and
 *                       127 aborts a running one (status 0x10, aborted by the host). FILE holds
 *                       one line "SUBCOMMAND STATUS READS_LEFT RESULT" (numbers, 0x… allowed): a
 *                       running test shows status 0xF0 | READS_LEFT (at most 9, the tenths left)
 *                       in the next READS_LEFT answers to SMART READ DATA, then RESULT. A test
 *                       may write FILE itself. The page's checksum is made right again.
 *   selftest_reads N    how many SMART READ DATA answers a started test is seen running (default 1)
 *   selftest_result R   the status byte it ends with: passed (0x00), interrupted (0x20), fatal,
 *                       unknown, electrical, servo, read, handling (0x30 … 0x80), or a number
 *   selftest_tests T... which of short, long, conveyance the page offers (default all three)
 */
#undef _FILE_OFFSET_BITS /* the real names are defined here, not redirected to their *64 twins */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <linux/fs.h>
#include <linux/hdreg.h>
#include <scsi/sg.h>

#define MAX_FAULTS 16
#define MAX_FDS 4096
#define SPEC_ENV "WG_FAKE_ATA"

enum power { POWER_ACTIVE, POWER_IDLE, POWER_STANDBY, POWER_SLEEP };
enum transport { T_LINUX_IDE = 1, T_SAT16 = 2, T_SAT12 = 4 };
enum fault_how { FAULT_EIO, FAULT_ABORT, FAULT_HANG };

struct fault {
	char cmd[24];
	enum fault_how how;
	int seconds;
};

struct drive {
	char path[PATH_MAX]; /* resolved */
	char log[PATH_MAX];
	unsigned maj, min;
	enum power power;
	int smart; /* -1: as the IDENTIFY page says */
	int latency_ms;
	unsigned transports;
	char udev_access[16];
	char udev_bus[8];
	struct fault faults[MAX_FAULTS];
	size_t n_faults;
	uint8_t identify[512], data[512], thresholds[512];
	bool has_data, has_thresholds;
	int status; /* SMST: 1 good, 0 failing, -1 none */
	char selftest[PATH_MAX]; /* the self-test state file; "" when the drive runs none */
	int selftest_reads, selftest_result;
	unsigned selftest_tests; /* 1 short (and long: the page offers both or neither), 2 long, 4 conveyance */
};

/* The drives behind open descriptors. */
static struct drive *open_drives[MAX_FDS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * What the commands changed (spun up, SMART switched on), by drive, for this process: the
 * drive stays as they left it when it is opened again, as a real one would.
 */
struct changed {
	char path[PATH_MAX];
	enum power power;
	int smart;
};
static struct changed changes[64];
static size_t n_changes;

static struct changed *changed_of(const char *path, bool add)
{
	for (size_t i = 0; i < n_changes; i++)
		if (strcmp(changes[i].path, path) == 0)
			return &changes[i];
	if (!add || n_changes == 64)
		return NULL;
	snprintf(changes[n_changes].path, sizeof(changes[n_changes].path), "%s", path);
	changes[n_changes].power = -1;
	changes[n_changes].smart = -1;
	return &changes[n_changes++];
}

/* --- the real functions -------------------------------------------------------------------- */

#define REAL(name, type)                                                                                       \
	static type real_##name(void)                                                                          \
	{                                                                                                      \
		static type fn;                                                                                \
		if (!fn)                                                                                       \
			fn = (type)dlsym(RTLD_NEXT, #name);                                                    \
		return fn;                                                                                     \
	}

typedef int (*open_fn)(const char *, int, ...);
typedef int (*openat_fn)(int, const char *, int, ...);
typedef int (*close_fn)(int);
typedef int (*ioctl_fn)(int, unsigned long, ...);
typedef int (*stat_fn)(const char *, struct stat *);
typedef int (*stat64_fn)(const char *, struct stat64 *);
typedef int (*fstat_fn)(int, struct stat *);
typedef int (*fstat64_fn)(int, struct stat64 *);
typedef int (*xstat_fn)(int, const char *, struct stat *);
typedef int (*xstat64_fn)(int, const char *, struct stat64 *);
typedef int (*fxstat_fn)(int, int, struct stat *);
typedef int (*fxstat64_fn)(int, int, struct stat64 *);
typedef int (*fstatat_fn)(int, const char *, struct stat *, int);
typedef int (*fstatat64_fn)(int, const char *, struct stat64 *, int);
REAL(open, open_fn)
REAL(open64, open_fn)
REAL(openat, openat_fn)
REAL(openat64, openat_fn)
REAL(close, close_fn)
REAL(ioctl, ioctl_fn)
REAL(stat, stat_fn)
REAL(stat64, stat64_fn)
REAL(lstat, stat_fn)
REAL(lstat64, stat64_fn)
REAL(fstat, fstat_fn)
REAL(fstat64, fstat64_fn)
REAL(__xstat, xstat_fn)
REAL(__xstat64, xstat64_fn)
REAL(__lxstat, xstat_fn)
REAL(__lxstat64, xstat64_fn)
REAL(__fxstat, fxstat_fn)
REAL(__fxstat64, fxstat64_fn)
REAL(fstatat, fstatat_fn)
REAL(fstatat64, fstatat64_fn)

/* --- the spec ------------------------------------------------------------------------------ */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A malformed spec or blob is the test's mistake: say so where the test's log shows it, and refuse the device. */
static void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void complain(const char *fmt, ...)
{
	va_list ap;

	fputs("fake-ata: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static bool load_blob(struct drive *d, const char *file)
{
	uint8_t buf[8192];
	size_t len = 0, at = 0;
	bool have_id = false;
	FILE *f = fopen(file, "re");

	if (!f) {
		complain("cannot open blob '%s': %s", file, strerror(errno));
		return false;
	}
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	while (at + 8 <= len) {
		uint32_t n = be32(buf + at + 4);
		const uint8_t *p = buf + at + 8;

		if (n > len - at - 8)
			break;
		if (memcmp(buf + at, "IDFY", 4) == 0 && n == 512)
			memcpy(d->identify, p, 512), have_id = true;
		else if (memcmp(buf + at, "SMDT", 4) == 0 && n == 512)
			memcpy(d->data, p, 512), d->has_data = true;
		else if (memcmp(buf + at, "SMTH", 4) == 0 && n == 512)
			memcpy(d->thresholds, p, 512), d->has_thresholds = true;
		else if (memcmp(buf + at, "SMST", 4) == 0 && n == 4)
			d->status = (int)be32(p);
		at += 8 + n;
	}
	if (!have_id)
		complain("blob '%s' has no IDFY record", file);
	return have_id;
}

static bool parse_fault(struct drive *d, const char *v, enum fault_how hang)
{
	struct fault *f;
	char how[16] = "";

	if (d->n_faults == MAX_FAULTS)
		return false;
	f = &d->faults[d->n_faults];
	if (hang == FAULT_HANG) {
		if (sscanf(v, "%23s %d", f->cmd, &f->seconds) != 2)
			return false;
		f->how = FAULT_HANG;
	} else {
		if (sscanf(v, "%23s %15s", f->cmd, how) != 2)
			return false;
		if (strcmp(how, "eio") == 0)
			f->how = FAULT_EIO;
		else if (strcmp(how, "abort") == 0)
			f->how = FAULT_ABORT;
		else
			return false;
	}
	d->n_faults++;
	return true;
}

static bool set_key(struct drive *d, const char *key, const char *v)
{
	if (strcmp(key, "blob") == 0)
		return load_blob(d, v);
	if (strcmp(key, "rdev") == 0)
		return sscanf(v, "%u:%u", &d->maj, &d->min) == 2;
	if (strcmp(key, "power") == 0) {
		static const char *const names[] = { "active", "idle", "standby", "sleep" };

		for (int i = 0; i < 4; i++)
			if (strcmp(v, names[i]) == 0) {
				d->power = (enum power)i;
				return true;
			}
		return false;
	}
	if (strcmp(key, "smart") == 0) {
		d->smart = strcmp(v, "on") == 0 ? 1 : strcmp(v, "off") == 0 ? 0 : -2;
		return d->smart != -2;
	}
	if (strcmp(key, "latency_ms") == 0)
		return sscanf(v, "%d", &d->latency_ms) == 1;
	if (strcmp(key, "fail") == 0)
		return parse_fault(d, v, FAULT_EIO);
	if (strcmp(key, "hang") == 0)
		return parse_fault(d, v, FAULT_HANG);
	if (strcmp(key, "log") == 0)
		return snprintf(d->log, sizeof(d->log), "%s", v) < (int)sizeof(d->log);
	if (strcmp(key, "transports") == 0) {
		char copy[128], *save = NULL;

		snprintf(copy, sizeof(copy), "%s", v);
		d->transports = 0;
		for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
			if (strcmp(t, "linux-ide") == 0)
				d->transports |= T_LINUX_IDE;
			else if (strcmp(t, "sat16") == 0)
				d->transports |= T_SAT16;
			else if (strcmp(t, "sat12") == 0)
				d->transports |= T_SAT12;
			else
				return false;
		}
		return true;
	}
	if (strcmp(key, "selftest") == 0)
		return snprintf(d->selftest, sizeof(d->selftest), "%s", v) < (int)sizeof(d->selftest);
	if (strcmp(key, "selftest_reads") == 0)
		return sscanf(v, "%d", &d->selftest_reads) == 1 && d->selftest_reads >= 0;
	if (strcmp(key, "selftest_result") == 0) {
		static const char *const names[] = { "passed", "aborted", "interrupted", "fatal", "unknown",
						     "electrical", "servo", "read", "handling" };
		char *end;

		for (int i = 0; i < 9; i++)
			if (strcmp(v, names[i]) == 0) {
				d->selftest_result = i << 4;
				return true;
			}
		d->selftest_result = (int)strtol(v, &end, 0);
		return *v && !*end && d->selftest_result >= 0 && d->selftest_result <= 255;
	}
	if (strcmp(key, "selftest_tests") == 0) {
		char copy[128], *save = NULL;

		snprintf(copy, sizeof(copy), "%s", v);
		d->selftest_tests = 0;
		for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
			if (strcmp(t, "short") == 0 || strcmp(t, "long") == 0)
				d->selftest_tests |= 3;
			else if (strcmp(t, "conveyance") == 0)
				d->selftest_tests |= 4;
			else
				return false;
		}
		return true;
	}
	if (strcmp(key, "udev_access") == 0)
		return snprintf(d->udev_access, sizeof(d->udev_access), "%s", v) < (int)sizeof(d->udev_access);
	if (strcmp(key, "udev_bus") == 0)
		return snprintf(d->udev_bus, sizeof(d->udev_bus), "%s", v) < (int)sizeof(d->udev_bus);
	return false;
}

/*
 * The spec as last read: per drive, its node as given and resolved, its device number, and
 * its lines, which make the drive again at each lookup (so that a blob rewritten between two
 * commands is read anew). Read again when the file changes: parsing it and resolving every
 * node at each open and stat made 60 drives a benchmark of this library.
 */
struct spec_drive {
	char path[PATH_MAX]; /* resolved when the node existed as the spec was read, else as given */
	unsigned maj, min;
	char *lines;         /* "key value\n"… */
	int first_line;
};

static struct {
	struct stat st;
	char file[PATH_MAX];
	struct spec_drive *v;
	size_t n;
} spec_cache;

static void spec_cache_clear(void)
{
	for (size_t i = 0; i < spec_cache.n; i++)
		free(spec_cache.v[i].lines);
	free(spec_cache.v);
	spec_cache.v = NULL;
	spec_cache.n = 0;
}

static bool spec_load(const char *spec)
{
	char line[PATH_MAX + 64];
	struct stat st;
	int lineno = 0;
	FILE *f;

	if (real_stat()(spec, &st) < 0)
		return false;
	if (spec_cache.v && strcmp(spec_cache.file, spec) == 0 && st.st_ino == spec_cache.st.st_ino &&
	    st.st_size == spec_cache.st.st_size && st.st_mtim.tv_sec == spec_cache.st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == spec_cache.st.st_mtim.tv_nsec)
		return true;
	spec_cache_clear();
	f = fopen(spec, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		struct spec_drive *d;
		char *key = line, *v;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		key += strspn(key, " \t");
		if (!*key || *key == '#')
			continue;
		v = key + strcspn(key, " \t");
		if (*v)
			*v++ = '\0';
		v += strspn(v, " \t");
		if (strcmp(key, "device") == 0) {
			struct spec_drive *more = realloc(spec_cache.v, (spec_cache.n + 1) * sizeof(*more));

			if (!more)
				break;
			spec_cache.v = more;
			d = &spec_cache.v[spec_cache.n++];
			memset(d, 0, sizeof(*d));
			d->maj = 8;
			d->first_line = lineno + 1;
			if (!realpath(v, d->path))
				snprintf(d->path, sizeof(d->path), "%s", v);
			continue;
		}
		if (!spec_cache.n)
			continue;
		d = &spec_cache.v[spec_cache.n - 1];
		if (strcmp(key, "rdev") == 0 && sscanf(v, "%u:%u", &d->maj, &d->min) != 2)
			complain("%s:%d: 'rdev %s' is not MAJ:MIN", spec, lineno, v);
		{
			size_t had = d->lines ? strlen(d->lines) : 0, add = strlen(key) + 1 + strlen(v) + 1;
			char *more = realloc(d->lines, had + add + 1);

			if (!more)
				break;
			snprintf(more + had, add + 1, "%s %s\n", key, v);
			d->lines = more;
		}
	}
	fclose(f);
	spec_cache.st = st;
	snprintf(spec_cache.file, sizeof(spec_cache.file), "%s", spec);
	return true;
}

/* Make a drive of its spec lines; false when one is not understood (said on stderr). */
static bool spec_build(const char *spec, const struct spec_drive *sd, struct drive *d)
{
	char *copy = sd->lines ? strdup(sd->lines) : NULL, *save = NULL;
	int lineno = sd->first_line;
	bool ok = true;

	memset(d, 0, sizeof(*d));
	snprintf(d->path, sizeof(d->path), "%s", sd->path);
	d->maj = sd->maj;
	d->min = sd->min;
	d->smart = -1;
	d->status = -1;
	d->transports = T_LINUX_IDE | T_SAT16 | T_SAT12;
	d->selftest_reads = 1;
	d->selftest_tests = 7;
	snprintf(d->udev_bus, sizeof(d->udev_bus), "scsi");
	for (char *l = copy ? strtok_r(copy, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save), lineno++) {
		char *v = strchr(l, ' ');

		*v++ = '\0';
		if (strcmp(l, "rdev") != 0 && !set_key(d, l, v)) {
			complain("%s: '%s %s' is not understood (the drive's line %d)", spec, l, v, lineno);
			ok = false;
		}
	}
	free(copy);
	return ok;
}

/*
 * The drive the spec gives for this path (resolved: a by-id symlink finds its node), or for
 * this device number when path is NULL; false when none. The node must exist: a removed file
 * is a drive that went away.
 */
static bool spec_find(const char *path, unsigned maj, unsigned min, struct drive *ret)
{
	static pthread_mutex_t spec_lock = PTHREAD_MUTEX_INITIALIZER;
	const char *spec = getenv(SPEC_ENV);
	char want[PATH_MAX];
	bool found = false;

	if (!spec || !*spec || (path && (path[0] != '/' || !realpath(path, want))))
		return false;
	pthread_mutex_lock(&spec_lock);
	for (size_t i = 0; spec_load(spec) && i < spec_cache.n; i++) {
		const struct spec_drive *sd = &spec_cache.v[i];

		if (path ? strcmp(sd->path, want) != 0 : sd->maj != maj || sd->min != min)
			continue;
		found = spec_build(spec, sd, ret);
		break;
	}
	pthread_mutex_unlock(&spec_lock);
	return found;
}

/* --- the drive ----------------------------------------------------------------------------- */

struct regs {
	uint8_t feature, count, lba_low, lba_mid, lba_high, device, command;
};

struct answer {
	int error; /* an errno for the ioctl to fail with; 0 */
	bool refused; /* ERR, ABRT */
	uint8_t count, lba_low, lba_mid, lba_high;
	bool data; /* 512 bytes in page */
	uint8_t page[512];
};

static const char *command_name(const struct regs *r, const char **key)
{
	static char other[24];

	*key = "OTHER";
	switch (r->command) {
	case 0xec:
		return *key = "IDENTIFY", "IDENTIFY DEVICE";
	case 0xe5:
	case 0x98:
		return *key = "CHECK_POWER_MODE", "CHECK POWER MODE";
	case 0xb0:
		switch (r->feature) {
		case 0xd0:
			return *key = "READ_DATA", "SMART READ DATA";
		case 0xd1:
			return *key = "READ_THRESHOLDS", "SMART READ THRESHOLDS";
		case 0xda:
			return *key = "RETURN_STATUS", "SMART RETURN STATUS";
		case 0xd8:
			return *key = "ENABLE", "SMART ENABLE OPERATIONS";
		case 0xd4:
			return *key = "OFFLINE", "SMART EXECUTE OFFLINE IMMEDIATE";
		}
		snprintf(other, sizeof(other), "SMART 0x%02x", r->feature);
		return other;
	}
	snprintf(other, sizeof(other), "ATA 0x%02x", r->command);
	return other;
}

static void log_line(const struct drive *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void log_line(const struct drive *d, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int fd, n;

	if (!d->log[0])
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	fd = real_open()(d->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, buf, (size_t)n) < 0) {
		/* the test reads the log; a line lost makes it fail there */
	}
	real_close()(fd);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static const char *transport_name(unsigned t)
{
	return t == T_LINUX_IDE ? "linux-ide" : t == T_SAT16 ? "sat16" : "sat12";
}

static bool smart_enabled(const struct drive *d)
{
	return d->smart >= 0 ? d->smart : d->identify[170] & 1;
}

/* IDENTIFY with the SMART enabled bit as it is now, and its checksum right when the page is signed. */
static void identify_page(const struct drive *d, uint8_t page[512])
{
	unsigned sum = 0;

	memcpy(page, d->identify, 512);
	page[170] = (uint8_t)((page[170] & ~1u) | (smart_enabled(d) ? 1 : 0));
	if (page[510] == 0xa5) {
		for (int i = 0; i < 511; i++)
			sum += page[i];
		page[511] = (uint8_t)(-sum & 0xff);
	}
}

/* --- self-tests ---------------------------------------------------------------------------- */

struct selftest_state {
	int sub, status, left, result;
};

/* The drive's self-test as its state file has it; with no file, the blob page's status byte and no test. */
static void selftest_load(const struct drive *d, struct selftest_state *ret)
{
	char buf[128] = "";
	int fd = real_open()(d->selftest, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		real_close()(fd);
	*ret = (struct selftest_state){ .sub = 0, .status = d->data[363], .left = 0, .result = 0 };
	if (n > 0) {
		buf[n] = '\0';
		if (sscanf(buf, "%i %i %i %i", &ret->sub, &ret->status, &ret->left, &ret->result) != 4)
			complain("self-test state '%s' is not 'SUBCOMMAND STATUS READS_LEFT RESULT'", d->selftest);
	}
}

static void selftest_save(const struct drive *d, const struct selftest_state *st)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "%d 0x%02x %d 0x%02x\n", st->sub, st->status, st->left, st->result);
	int fd = real_open()(d->selftest, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, buf, (size_t)n) != n)
		complain("cannot write the self-test state '%s': %s", d->selftest, strerror(errno));
	if (fd >= 0)
		real_close()(fd);
}

/* The data page as the drive answers it now: its self-test capabilities and status, the checksum right. */
static void selftest_page(const struct drive *d, uint8_t page[512])
{
	struct selftest_state st;
	unsigned sum = 0;

	selftest_load(d, &st);
	/* bit 0 EXECUTE OFFLINE IMMEDIATE (and so the abort), bit 4 short and long, bit 5 conveyance */
	page[367] = (uint8_t)((page[367] & ~0x31u) | 0x01 | (d->selftest_tests & 3 ? 0x10 : 0) |
			      (d->selftest_tests & 4 ? 0x20 : 0));
	if (st.left > 0) {
		page[363] = (uint8_t)(0xf0 | (st.left > 9 ? 9 : st.left));
		if (--st.left == 0)
			st.status = st.result;
		selftest_save(d, &st);
	} else {
		page[363] = (uint8_t)st.status;
	}
	for (int i = 0; i < 511; i++)
		sum += page[i];
	page[511] = (uint8_t)(-sum & 0xff);
}

/* SMART EXECUTE OFFLINE IMMEDIATE: false when the drive refuses the subcommand. */
static bool selftest_execute(const struct drive *d, uint8_t sub)
{
	static const char *const names[] = { [1] = "short", [2] = "long", [3] = "conveyance" };
	struct selftest_state st;
	uint8_t kind = sub & 0x7f;

	if (sub == 0) /* an off-line data collection: nothing a test sees */
		return true;
	selftest_load(d, &st);
	if (sub == 0x7f) {
		log_line(d, "self-test abort%s", st.left > 0 ? "" : " (none running)");
		if (st.left > 0) {
			st.left = 0;
			st.status = 0x10;
			selftest_save(d, &st);
		}
		return true;
	}
	if (kind < 1 || kind > 3 || !(d->selftest_tests & (kind == 3 ? 4 : 3))) {
		log_line(d, "self-test 0x%02x refused", sub);
		return false;
	}
	log_line(d, "self-test %s%s", names[kind], sub & 0x80 ? " captive" : "");
	st = (struct selftest_state){ .sub = sub, .status = d->selftest_reads ? 0xf9 : d->selftest_result,
				      .left = d->selftest_reads, .result = d->selftest_result };
	selftest_save(d, &st);
	return true;
}

/* What the drive does with one command that reached it. */
static void execute(struct drive *d, unsigned transport, const struct regs *r, struct answer *a)
{
	const char *key, *name = command_name(r, &key);

	memset(a, 0, sizeof(*a));
	log_line(d, "%s %s", transport_name(transport), name);
	for (size_t i = 0; i < d->n_faults; i++) {
		const struct fault *f = &d->faults[i];

		if (strcmp(f->cmd, key) != 0 && strcmp(f->cmd, "ANY") != 0)
			continue;
		if (f->how == FAULT_HANG) {
			sleep_ms(f->seconds * 1000L);
		} else if (f->how == FAULT_EIO) {
			a->error = EIO;
			return;
		} else {
			a->refused = true;
			return;
		}
	}
	if (d->latency_ms > 0)
		sleep_ms(d->latency_ms);
	if (r->command == 0xe5 || r->command == 0x98) {
		if (d->power == POWER_SLEEP)
			a->refused = true;
		else
			a->count = d->power == POWER_STANDBY ? 0x00 : d->power == POWER_IDLE ? 0x80 : 0xff;
		return;
	}
	if (d->power == POWER_STANDBY || d->power == POWER_SLEEP) {
		struct changed *c = changed_of(d->path, true);

		log_line(d, "woken from %s by %s", d->power == POWER_SLEEP ? "sleep" : "standby", name);
		d->power = POWER_ACTIVE;
		if (c)
			c->power = POWER_ACTIVE;
	}
	if (r->command == 0xec) {
		identify_page(d, a->page);
		a->data = true;
		return;
	}
	if (r->command != 0xb0 || r->lba_mid != 0x4f || r->lba_high != 0xc2) {
		a->refused = true;
		return;
	}
	if (r->feature == 0xd8) {
		struct changed *c = changed_of(d->path, true);

		d->smart = 1;
		if (c)
			c->smart = 1;
		return;
	}
	if (!smart_enabled(d)) {
		a->refused = true;
		return;
	}
	switch (r->feature) {
	case 0xd0:
	case 0xd1:
		if (!(r->feature == 0xd0 ? d->has_data : d->has_thresholds)) {
			a->refused = true;
			return;
		}
		memcpy(a->page, r->feature == 0xd0 ? d->data : d->thresholds, 512);
		if (r->feature == 0xd0 && d->selftest[0])
			selftest_page(d, a->page);
		a->data = true;
		return;
	case 0xda:
		/* a drive whose blob has no status record answers what neither libatasmart nor we can read */
		a->lba_mid = d->status == 1 ? 0x4f : d->status == 0 ? 0xf4 : 0x12;
		a->lba_high = d->status == 1 ? 0xc2 : d->status == 0 ? 0x2c : 0x34;
		return;
	case 0xd4:
		if (d->selftest[0] && !selftest_execute(d, r->lba_low))
			a->refused = true;
		return;
	default:
		a->refused = true;
	}
}

/* --- the transports ------------------------------------------------------------------------ */

static int fail_with(int e)
{
	errno = e;
	return -1;
}

static int hdio_cmd(struct drive *d, uint8_t *args)
{
	struct regs r = { .command = args[0] };
	struct answer a;

	if (!(d->transports & T_LINUX_IDE)) {
		log_line(d, "linux-ide refused %s", command_name(&(struct regs){ .command = args[0], .feature = args[2] },
								  &(const char *){ NULL }));
		return fail_with(ENOTTY);
	}
	/* libata: count from args[1], features from args[2]; a SMART command takes args[1] as the LBA low */
	r.feature = args[2];
	if (args[0] == 0xb0) {
		r.lba_low = args[1];
		r.count = args[3];
		r.lba_mid = 0x4f;
		r.lba_high = 0xc2;
	} else {
		r.count = args[1];
	}
	execute(d, T_LINUX_IDE, &r, &a);
	if (a.error)
		return fail_with(a.error);
	args[0] = a.refused ? 0x51 : 0x50;
	args[1] = a.refused ? 0x04 : 0x00;
	args[2] = a.count;
	if (a.refused)
		return fail_with(EIO);
	if (args[3] && a.data)
		memcpy(args + 4, a.page, 512);
	return 0;
}

static int hdio_task(struct drive *d, uint8_t *args)
{
	struct regs r = {
		.command = args[0], .feature = args[1], .count = args[2], .lba_low = args[3], .lba_mid = args[4],
		.lba_high = args[5], .device = args[6],
	};
	struct answer a;

	if (!(d->transports & T_LINUX_IDE)) {
		log_line(d, "linux-ide refused %s", command_name(&r, &(const char *){ NULL }));
		return fail_with(ENOTTY);
	}
	execute(d, T_LINUX_IDE, &r, &a);
	if (a.error)
		return fail_with(a.error);
	args[0] = a.refused ? 0x51 : 0x50;
	args[1] = a.refused ? 0x04 : 0x00;
	args[2] = a.count;
	args[3] = a.lba_low;
	args[4] = a.lba_mid;
	args[5] = a.lba_high;
	return a.refused ? fail_with(EIO) : 0;
}

static void sense_fixed(struct sg_io_hdr *io, uint8_t key, uint8_t asc)
{
	uint8_t s[18] = { 0x70, 0, key, 0, 0, 0, 0, 10, 0, 0, 0, 0, asc, 0 };
	size_t n = io->mx_sb_len < sizeof(s) ? io->mx_sb_len : sizeof(s);

	memcpy(io->sbp, s, n);
	io->sb_len_wr = (unsigned char)n;
	io->status = 0x02; /* CHECK CONDITION */
	io->masked_status = 0x01;
	io->driver_status = 0x08; /* DRIVER_SENSE */
}

/* Descriptor sense with the ATA Status Return descriptor, as libata answers CK_COND and errors. */
static void sense_ata(struct sg_io_hdr *io, const struct answer *a)
{
	uint8_t s[22] = { 0x72, a->refused ? 0x0b : 0x01, 0x00, a->refused ? 0x00 : 0x1d, 0, 0, 0, 14, 0x09, 0x0c };
	size_t n = io->mx_sb_len < sizeof(s) ? io->mx_sb_len : sizeof(s);
	uint8_t *d = s + 8;

	d[3] = a->refused ? 0x04 : 0x00;
	d[5] = a->count;
	d[7] = a->lba_low;
	d[9] = a->lba_mid;
	d[11] = a->lba_high;
	d[12] = 0x40;
	d[13] = a->refused ? 0x51 : 0x50;
	memcpy(io->sbp, s, n);
	io->sb_len_wr = (unsigned char)n;
	io->status = 0x02;
	io->masked_status = 0x01;
	io->driver_status = 0x08;
}

static int sg_io(struct drive *d, struct sg_io_hdr *io)
{
	const uint8_t *cdb = io->cmdp;
	unsigned transport;
	struct regs r;
	struct answer a;
	bool ck_cond, data_in;

	io->status = io->masked_status = 0;
	io->host_status = io->driver_status = 0;
	io->sb_len_wr = 0;
	io->resid = 0;
	if (io->cmd_len == 16 && cdb[0] == 0x85) {
		transport = T_SAT16;
		r = (struct regs){ .feature = cdb[4], .count = cdb[6], .lba_low = cdb[8], .lba_mid = cdb[10],
				   .lba_high = cdb[12], .device = cdb[13], .command = cdb[14] };
	} else if (io->cmd_len == 12 && cdb[0] == 0xa1) {
		transport = T_SAT12;
		r = (struct regs){ .feature = cdb[3], .count = cdb[4], .lba_low = cdb[5], .lba_mid = cdb[6],
				   .lba_high = cdb[7], .device = cdb[8], .command = cdb[9] };
	} else {
		sense_fixed(io, 0x05, 0x20); /* ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE */
		return 0;
	}
	if (!(d->transports & transport)) {
		log_line(d, "%s refused %s", transport_name(transport), command_name(&r, &(const char *){ NULL }));
		sense_fixed(io, 0x05, 0x20);
		return 0;
	}
	ck_cond = cdb[2] & 0x20;
	data_in = ((cdb[1] >> 1) & 0x0f) == 4;
	execute(d, transport, &r, &a);
	if (a.error)
		return fail_with(a.error);
	if (data_in && a.data && io->dxferp && io->dxfer_len)
		memcpy(io->dxferp, a.page, io->dxfer_len < 512 ? io->dxfer_len : 512);
	if (ck_cond || a.refused)
		sense_ata(io, &a);
	return 0;
}

static uint64_t sectors_of(const struct drive *d)
{
	const uint8_t *p = d->identify;
	uint64_t n = (uint64_t)p[200] | (uint64_t)p[201] << 8 | (uint64_t)p[202] << 16 | (uint64_t)p[203] << 24 |
		     (uint64_t)p[204] << 32 | (uint64_t)p[205] << 40;

	if (!n)
		n = (uint64_t)p[120] | (uint64_t)p[121] << 8 | (uint64_t)p[122] << 16 | (uint64_t)p[123] << 24;
	return n ? n : 2097152;
}

/* --- the interposed functions -------------------------------------------------------------- */

static struct drive *fd_drive(int fd)
{
	struct drive *d;

	if (fd < 0 || fd >= MAX_FDS)
		return NULL;
	pthread_mutex_lock(&lock);
	d = open_drives[fd];
	pthread_mutex_unlock(&lock);
	return d;
}

/* Note what fd now is: a fake drive's or (NULL) anything else, so that a reused number is never taken for a drive. */
static int fd_note(int fd, const char *path)
{
	struct drive found, *d = NULL;
	int saved = errno;

	if (fd < 0 || fd >= MAX_FDS)
		return fd;
	pthread_mutex_lock(&lock);
	if (path && spec_find(path, 0, 0, &found)) {
		const struct changed *c = changed_of(found.path, false);

		if (c && (int)c->power >= 0)
			found.power = c->power;
		if (c && c->smart >= 0)
			found.smart = c->smart;
		d = malloc(sizeof(*d));
		if (d)
			*d = found;
	}
	free(open_drives[fd]);
	open_drives[fd] = d;
	pthread_mutex_unlock(&lock);
	errno = saved;
	return fd;
}

static mode_t open_mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = open_mode_arg(flags, ap);
	va_end(ap);
	return fd_note(real_open()(path, flags, mode), path);
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = open_mode_arg(flags, ap);
	va_end(ap);
	return fd_note(real_open64()(path, flags, mode), path);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = open_mode_arg(flags, ap);
	va_end(ap);
	return fd_note(real_openat()(dirfd, path, flags, mode), dirfd == AT_FDCWD ? path : NULL);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = open_mode_arg(flags, ap);
	va_end(ap);
	return fd_note(real_openat64()(dirfd, path, flags, mode), dirfd == AT_FDCWD ? path : NULL);
}

int close(int fd)
{
	fd_note(fd, NULL);
	return real_close()(fd);
}

#define AS_BLOCK_DEVICE(st, d)                                                                                 \
	do {                                                                                                   \
		(st)->st_mode = S_IFBLK | 0660;                                                                \
		(st)->st_rdev = makedev((d)->maj, (d)->min);                                                   \
		(st)->st_size = 0;                                                                             \
	} while (0)

/* The drive a path names, for stat(); its descriptor's drive, for fstat(). */
static bool path_drive(const char *path, struct drive *ret)
{
	int saved = errno;
	bool found = spec_find(path, 0, 0, ret);

	errno = saved;
	return found;
}

int stat(const char *path, struct stat *st)
{
	struct drive d;
	int r = real_stat()(path, st);

	if (r == 0 && path_drive(path, &d))
		AS_BLOCK_DEVICE(st, &d);
	return r;
}

int stat64(const char *path, struct stat64 *st)
{
	struct drive d;
	int r = real_stat64()(path, st);

	if (r == 0 && path_drive(path, &d))
		AS_BLOCK_DEVICE(st, &d);
	return r;
}

/* lstat of the node itself; a symlink to it stays a symlink */
int lstat(const char *path, struct stat *st)
{
	struct drive d;
	int r = real_lstat()(path, st);

	if (r == 0 && S_ISREG(st->st_mode) && path_drive(path, &d))
		AS_BLOCK_DEVICE(st, &d);
	return r;
}

int lstat64(const char *path, struct stat64 *st)
{
	struct drive d;
	int r = real_lstat64()(path, st);

	if (r == 0 && S_ISREG(st->st_mode) && path_drive(path, &d))
		AS_BLOCK_DEVICE(st, &d);
	return r;
}

int fstat(int fd, struct stat *st)
{
	struct drive *d = fd_drive(fd);
	int r = real_fstat()(fd, st);

	if (r == 0 && d)
		AS_BLOCK_DEVICE(st, d);
	return r;
}

int fstat64(int fd, struct stat64 *st)
{
	struct drive *d = fd_drive(fd);
	int r = real_fstat64()(fd, st);

	if (r == 0 && d)
		AS_BLOCK_DEVICE(st, d);
	return r;
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	struct drive d;
	int r = real_fstatat()(dirfd, path, st, flags);

	if (r == 0 && dirfd == AT_FDCWD && S_ISREG(st->st_mode) && path_drive(path, &d))
		AS_BLOCK_DEVICE(st, &d);
	return r;
}

int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	struct drive d;
	int r = real_fstatat64()(dirfd, path, st, flags);

	if (r == 0 && dirfd == AT_FDCWD && S_ISREG(st->st_mode) && path_drive(path, &d))
		AS_BLOCK_DEVICE(st, &d);
	return r;
}

/* The pre-2.33 glibc entry points, which libatasmart (built against an older glibc) still calls. */
int __xstat(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int __fxstat(int ver, int fd, struct stat *st);
int __fxstat64(int ver, int fd, struct stat64 *st);

int __xstat(int ver, const char *path, struct stat *st)
{
	struct drive d;
	int r = real___xstat()(ver, path, st);

	if (r == 0 && path_drive(path, &d))
		AS_BLOCK_DEVICE(st, &d);
	return r;
}

int __xstat64(int ver, const char *path, struct stat64 *st)
{
	struct drive d;
	int r = real___xstat64()(ver, path, st);

	if (r == 0 && path_drive(path, &d))
		AS_BLOCK_DEVICE(st, &d);
	return r;
}

int __lxstat(int ver, const char *path, struct stat *st)
{
	struct drive d;
	int r = real___lxstat()(ver, path, st);

	if (r == 0 && S_ISREG(st->st_mode) && path_drive(path, &d))
		AS_BLOCK_DEVICE(st, &d);
	return r;
}

int __lxstat64(int ver, const char *path, struct stat64 *st)
{
	struct drive d;
	int r = real___lxstat64()(ver, path, st);

	if (r == 0 && S_ISREG(st->st_mode) && path_drive(path, &d))
		AS_BLOCK_DEVICE(st, &d);
	return r;
}

int __fxstat(int ver, int fd, struct stat *st)
{
	struct drive *d = fd_drive(fd);
	int r = real___fxstat()(ver, fd, st);

	if (r == 0 && d)
		AS_BLOCK_DEVICE(st, d);
	return r;
}

int __fxstat64(int ver, int fd, struct stat64 *st)
{
	struct drive *d = fd_drive(fd);
	int r = real___fxstat64()(ver, fd, st);

	if (r == 0 && d)
		AS_BLOCK_DEVICE(st, d);
	return r;
}

int ioctl(int fd, unsigned long request, ...)
{
	struct drive *d = fd_drive(fd);
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!d)
		return real_ioctl()(fd, request, arg);
	/* the drive's state (power, SMART on) is the descriptor's; one reader per process uses it */
	switch (request) {
	case BLKGETSIZE64:
		*(uint64_t *)arg = sectors_of(d) * 512;
		return 0;
	case HDIO_DRIVE_CMD:
		return hdio_cmd(d, arg);
	case HDIO_DRIVE_TASK:
		return hdio_task(d, arg);
	case SG_IO:
		return sg_io(d, arg);
	default:
		return fail_with(ENOTTY);
	}
}

/* --- libudev, as libatasmart's disk_find_type() asks it ----------------------------------- */

struct udev;
struct udev_device;
typedef struct udev_device *(*from_devnum_fn)(struct udev *, char, dev_t);
typedef const char *(*property_fn)(struct udev_device *, const char *);
typedef struct udev_device *(*parent_fn)(struct udev_device *, const char *, const char *);
typedef const char *(*sysattr_fn)(struct udev_device *, const char *);
typedef struct udev_device *(*unref_fn)(struct udev_device *);
REAL(udev_device_new_from_devnum, from_devnum_fn)
REAL(udev_device_get_property_value, property_fn)
REAL(udev_device_get_parent_with_subsystem_devtype, parent_fn)
REAL(udev_device_get_sysattr_value, sysattr_fn)
REAL(udev_device_unref, unref_fn)

struct udev_device *udev_device_new_from_devnum(struct udev *udev, char type, dev_t devnum);
const char *udev_device_get_property_value(struct udev_device *dev, const char *key);
struct udev_device *udev_device_get_parent_with_subsystem_devtype(struct udev_device *dev, const char *subsystem,
								  const char *devtype);
const char *udev_device_get_sysattr_value(struct udev_device *dev, const char *sysattr);
struct udev_device *udev_device_unref(struct udev_device *dev);

/* A fake drive's udev device: the drive the spec gives, behind a pointer only we hand out. */
struct fake_udev {
	struct drive d;
};

static struct fake_udev *fake_udevs[64];

static bool is_fake_udev(struct udev_device *dev)
{
	bool found = false;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < 64 && !found; i++)
		found = dev && fake_udevs[i] == (struct fake_udev *)dev;
	pthread_mutex_unlock(&lock);
	return found;
}

struct udev_device *udev_device_new_from_devnum(struct udev *udev, char type, dev_t devnum)
{
	struct fake_udev *f;
	struct drive d;

	if (type != 'b' || !spec_find(NULL, major(devnum), minor(devnum), &d))
		return real_udev_device_new_from_devnum()(udev, type, devnum);
	f = malloc(sizeof(*f));
	if (!f)
		return NULL;
	f->d = d;
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < 64; i++)
		if (!fake_udevs[i]) {
			fake_udevs[i] = f;
			break;
		}
	pthread_mutex_unlock(&lock);
	return (struct udev_device *)f;
}

const char *udev_device_get_property_value(struct udev_device *dev, const char *key)
{
	struct fake_udev *f = (struct fake_udev *)dev;

	if (!is_fake_udev(dev))
		return real_udev_device_get_property_value()(dev, key);
	if (strcmp(key, "ID_ATA_SMART_ACCESS") == 0 && f->d.udev_access[0])
		return f->d.udev_access;
	return NULL;
}

struct udev_device *udev_device_get_parent_with_subsystem_devtype(struct udev_device *dev, const char *subsystem,
								  const char *devtype)
{
	struct fake_udev *f = (struct fake_udev *)dev;

	if (!is_fake_udev(dev))
		return real_udev_device_get_parent_with_subsystem_devtype()(dev, subsystem, devtype);
	return strcmp(subsystem, f->d.udev_bus) == 0 ? dev : NULL;
}

const char *udev_device_get_sysattr_value(struct udev_device *dev, const char *sysattr)
{
	if (!is_fake_udev(dev))
		return real_udev_device_get_sysattr_value()(dev, sysattr);
	return NULL;
}

struct udev_device *udev_device_unref(struct udev_device *dev)
{
	if (!is_fake_udev(dev))
		return real_udev_device_unref()(dev);
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < 64; i++)
		if (fake_udevs[i] == (struct fake_udev *)dev)
			fake_udevs[i] = NULL;
	pthread_mutex_unlock(&lock);
	free(dev);
	return NULL;
}
