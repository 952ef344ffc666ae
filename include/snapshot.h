/* snapshot.h — the drives and the jobs as the history has them now: what status, report and export show */
#ifndef WEARGATE_SNAPSHOT_H
#define WEARGATE_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blockdev.h"
#include "config.h"
#include "gate.h"
#include "store.h"

/* One configured drive now. */
struct snapshot_drive {
	const struct drive_cfg *cfg;
	struct drive_health health; /* its state; health.latest its newest sample up to now, NULL when never sampled */
	bool have_usable;
	/* the values to show: the newest sample when usable, else the newest usable one of the 7 days before it */
	struct store_sample usable;
	struct drivedb_match *match; /* the drive database entry recorded for it; NULL when none is */
	bool have_test;
	struct store_self_test test; /* the newest self-test weargate ran on it */
};

/* What to take where the commands differ. */
enum {
	/* the newest self-test that ended, not one still running */
	SNAPSHOT_TEST_ENDED = 1 << 0,
	/* the drive database entry of the identity shown (snapshot_identity()), not of the values shown */
	SNAPSHOT_MATCH_IDENTITY = 1 << 1,
};

struct snapshot {
	size_t n_drives, n_jobs;
	struct snapshot_drive *drives; /* every configured drive, in config order */
	/*
	 * What 'weargate gate' would say for every configured job now, in config order; a job whose
	 * drives cannot be resolved has the verdict _VERDICT_MAX, and the reason says why.
	 */
	struct gate_result *jobs;
	/* after a failure: the drive whose history could not be read; NULL when it was not a drive's */
	const struct drive_cfg *failed;
};

/*
 * Every drive and job of c at now, from the history alone: no drive is read, nothing is
 * written. Errors: -ENOMEM, or the store's; err says which, ret->failed whose, and the rest
 * of ret is released.
 */
int snapshot_load(const struct config *c, struct store *s, const struct blockdev_env *env, int64_t now,
		  unsigned flags, struct snapshot *ret, struct wg_err *err);
void snapshot_release(struct snapshot *snap);

/* The reading that says who the drive is: the newest, else (standby before identify) the newest usable; NULL when neither. */
const struct smart_reading *snapshot_identity(const struct snapshot_drive *d);

#endif
