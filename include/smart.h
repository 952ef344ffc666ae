/* smart.h — one drive's SMART reading, and how to take it (the only user of libatasmart) */
#ifndef WEARGATE_SMART_H
#define WEARGATE_SMART_H

#include <stdbool.h>
#include <stdint.h>

#include "util.h"

#define SMART_MAX_ATTRS 30 /* the SMART data page has room for 30 entries */

enum reading_status {
	READING_OK = 0,          /* usable: identity, self-assessment, attributes */
	READING_STANDBY = 1,     /* skipped: the drive sleeps and was not woken */
	READING_UNUSABLE = 2,    /* the drive answered, but the data cannot be trusted */
	READING_UNSUPPORTED = 3, /* no SMART on this device (or not through any access mode) */
	READING_ERROR = 4,       /* could not read at all: open failed, I/O error */
	/* read, but another configured drive read the same disk (same model and serial) in the pass: kept apart */
	READING_DUPLICATE = 5,
	READING_TIMEOUT = 6,     /* no answer within the drive's read_timeout: the reason names the command */
	_READING_STATUS_MAX,
};

struct smart_attr {
	uint8_t id;
	uint16_t flags; /* the attribute's status flags word; bit 0 = prefailure */
	uint8_t current;
	uint8_t worst;
	uint8_t threshold;    /* meaningful only when threshold_valid */
	bool threshold_valid; /* a threshold page was read and has an entry for this id */
	uint8_t raw[6];       /* as on the page: raw[0] is the least significant byte */
	uint8_t reserved;     /* the entry's 12th byte: some formats read it ("r" in raw56's r543210) */
};

struct smart_identity {
	char model[41];
	char serial[21];
	char firmware[9];
	uint64_t sectors; /* user-addressable 512-byte sectors; 0 = unknown */
	/* IDENTIFY word 217: 1 a solid-state drive, 0x0401-0xfffe its rpm, 0 not said */
	uint16_t rotation;
};

struct attr_defs;

struct smart_reading {
	enum reading_status status;
	char reason[160];   /* why status is not READING_OK; empty when it is */
	bool identity_valid; /* identify was read (also for some unusable readings) */
	struct smart_identity identity;
	int smart_ok;  /* self-assessment: 1 passed, 0 failed, -1 unknown (no status record) */
	int self_test; /* self-test execution status byte of the data page; -1 unknown */
	unsigned n_attrs;
	struct smart_attr attrs[SMART_MAX_ATTRS]; /* in page order; an id may repeat (the first counts) */
	char access[16]; /* the access mode that worked ("sat16", "linux-ide", "blob", …) */
	/*
	 * How this drive's attributes read: its drive database entry (drivedb.h), attached when the
	 * reading is recorded or read back from the history; NULL for smartctl's defaults. Never
	 * freed: definitions live as long as the process, so a reading can be copied freely.
	 */
	const struct attr_defs *defs;
};

enum smart_access {
	SMART_ACCESS_AUTO,
	SMART_ACCESS_SAT16,
	SMART_ACCESS_SAT12,
	SMART_ACCESS_LINUX_IDE,
	SMART_ACCESS_SUNPLUS,
	SMART_ACCESS_JMICRON,
	_SMART_ACCESS_MAX,
};

/* "auto", "sat16", … -> enum; -EINVAL for an unknown name. */
int smart_access_from_string(const char *s, enum smart_access *ret);
const char *smart_access_to_string(enum smart_access a);
const char *reading_status_to_string(enum reading_status s);

struct smart_device_opts {
	enum smart_access access;
	bool wake;              /* read even when the drive is in standby */
	const char *sysfs_root; /* "/sys" normally; tests point it at a fake tree */
	/*
	 * Told what is about to be sent ("IDENTIFY DEVICE"), so that a reading that never returns
	 * can be said to hang there; NULL when nobody asks.
	 */
	void (*command)(const char *what, void *userdata);
	void *userdata;
};

/*
 * Take a reading from a saved blob (libatasmart's skdump --save format) or a block device.
 * These never fail as functions: what went wrong is the reading's status and reason, so that
 * a sampling pass records it. ret is always fully initialised.
 */
void smart_read_blob_file(const char *path, struct smart_reading *ret);
void smart_read_blob(const void *buf, size_t len, struct smart_reading *ret);
/*
 * A device is asked its power mode first, by weargate itself (CHECK POWER MODE through the
 * access mode's transports: auto tries linux-ide, sat16 and sat12): a drive in standby or
 * asleep gets no other command unless opts->wake. Then weargate's own IDENTIFY DEVICE says
 * whether SMART is enabled: a drive with SMART off is not read (libatasmart would switch it
 * on). Only then does libatasmart read it. Through sunplus and jmicron bridges, which weargate
 * does not speak, libatasmart alone reads the drive, as before.
 */
void smart_read_device(const char *path, const struct smart_device_opts *opts, struct smart_reading *ret);

/* The SMART self-tests (SMART EXECUTE OFFLINE IMMEDIATE's subcommands, as libatasmart numbers them). */
enum smart_test {
	SMART_TEST_SHORT = 1,
	SMART_TEST_LONG = 2, /* "extended" */
	SMART_TEST_CONVEYANCE = 3,
	SMART_TEST_ABORT = 127,
};

/* "short", "long", "conveyance", "abort"; -EINVAL for another word (abort is not a test to ask for). */
const char *smart_test_to_string(enum smart_test t);
int smart_test_from_string(const char *s, enum smart_test *ret);

/* The high nibble of the data page's self-test execution status byte (ATA8-ACS, SMART READ DATA byte 363). */
enum smart_test_status {
	SMART_TEST_STATUS_PASSED = 0,      /* the last test completed without error, or none ever ran */
	SMART_TEST_STATUS_ABORTED = 1,     /* aborted by the host */
	SMART_TEST_STATUS_INTERRUPTED = 2, /* interrupted by a hardware or software reset */
	SMART_TEST_STATUS_FATAL = 3,       /* a fatal or unknown error: the test could not complete */
	SMART_TEST_STATUS_UNKNOWN = 4,     /* completed, an unknown test element failed */
	SMART_TEST_STATUS_ELECTRICAL = 5,
	SMART_TEST_STATUS_SERVO = 6,
	SMART_TEST_STATUS_READ = 7,
	SMART_TEST_STATUS_HANDLING = 8, /* handling damage suspected */
	SMART_TEST_STATUS_RUNNING = 15,
};

/* The status byte's nibble; -1 for an unknown byte (-1). */
int smart_test_status_of(int status_byte);
/* A test that ended in a failure of the drive: 3 to 8. */
bool smart_test_status_failed(int status);
/* "passed", "aborted by the host", "read failure", …; "status N" for a reserved value. */
const char *smart_test_status_to_string(int status);

/*
 * Send SMART EXECUTE OFFLINE IMMEDIATE with test's subcommand (a start, or the abort) to a
 * device, through libatasmart, in access mode `access` (auto: the reading's fallback order,
 * the first mode that reads the SMART data page sends it). Like a reading, weargate asks
 * first whether SMART is on, and never turns it on. Wakes a drive in standby: starting a test
 * is meant to. 0, or a negative errno with why in reason: -EOPNOTSUPP when the drive does not
 * offer that test (the data page's offline capabilities say so), -EIO when it refused it.
 */
int smart_self_test(const char *path, enum smart_access access, enum smart_test test, char *reason, size_t len);

/* The attribute with this id, or NULL; the first of an id listed twice (as smartctl reads it). */
const struct smart_attr *smart_reading_attr(const struct smart_reading *r, uint8_t id);

#endif
