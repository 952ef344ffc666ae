/* sampler.h — read many drives at once, each with a deadline, so that one hung drive holds up nothing, and record them as one pass */
#ifndef WEARGATE_SAMPLER_H
#define WEARGATE_SAMPLER_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "smart.h"
#include "track.h"

/*
 * How one drive is read; tests pass their own. It runs in a reader process of its own (see
 * sampler_read_all()): what it changes in memory stays there, but for ret. command() (never
 * NULL) tells what the reader is about to send, for the timeout's reason.
 */
typedef void (*sampler_read_fn)(const struct drive_cfg *drive, void *userdata,
				void (*command)(const char *what, void *userdata), void *command_userdata,
				struct smart_reading *ret);

struct sampler_opts {
	bool wake;
	const char *sysfs_root;
	unsigned max_parallel; /* 0 = default */
	sampler_read_fn read;  /* NULL = the real reader (blob file or device) */
	void *userdata;
};

/*
 * Read drives[0..n) concurrently into ret_readings[0..n) (same order); -ENOMEM (or the errno
 * of a failed pipe or mmap) only.
 *
 * Each drive is read in a process of its own, forked for it, with the drive's read_timeout:
 * a reader that has not finished by then is killed, and its drive's reading is a timeout
 * naming the command it was sending. A reader stuck in the kernel (on I/O to a dying disk)
 * cannot die until the kernel gives the I/O up; it is left behind, holding the device open
 * and nothing else, and neither this call nor weargate's exit waits for it. Until it is gone,
 * its drive is not read again: a later call records a timeout for it at once.
 */
int sampler_read_all(const struct drive_cfg *const *drives, size_t n, const struct sampler_opts *opts,
		     struct smart_reading *ret_readings);

/* How a sampling pass reads drives and records them. */
struct drives_read {
	const char *sysfs_root;
	bool wake;     /* read drives in standby too */
	bool record;   /* record the pass: needs a writable store */
	bool notified; /* the episodes it opens need no telling (there is no notify command) */
};

/*
 * The sampling pass, the one every command and the watchdog take: read drives[0..n) at now
 * (sampler_read_all(), into ret_readings[0..n)) and, when how->record, record the readings as
 * one pass with the sign changes and episodes they make (track_record_pass(); ret, n entries,
 * may be NULL, gets each drive's pass and track after it); else only mark the duplicates.
 * *ret_recorded says whether the pass was recorded, err why not. A negative errno only when
 * the drives could not be read (-ENOMEM).
 */
int sampler_pass(struct store *s, const struct policy *p, const struct drive_cfg *const *drives, size_t n, int64_t now,
		 const struct drives_read *how, struct smart_reading *ret_readings, struct track_result *ret,
		 bool *ret_recorded, struct wg_err *err);

#endif
