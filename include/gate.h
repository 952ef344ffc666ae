/* gate.h — what the history says about drives and jobs: facts gathered from the store for the policy */
#ifndef WEARGATE_GATE_H
#define WEARGATE_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blockdev.h"
#include "config.h"
#include "policy.h"
#include "store.h"

/* One configured drive's history over the policy's window, and the state it gives. */
struct drive_health {
	const struct drive_cfg *drive;
	bool sampled;
	struct store_sample *latest; /* the newest sample under the drive's name; NULL when never sampled */
	int64_t drive_id;            /* -1 when never sampled */
	struct health_point *points; /* the usable samples health_assess() looks at, oldest first */
	size_t n;
	struct health_assessment health;
};

/* Load a drive's history up to now and assess it. */
int drive_health_load(struct store *s, const struct policy *p, const struct drive_cfg *d, int64_t now,
		      struct drive_health *ret, struct wg_err *err);
void drive_health_release(struct drive_health *h);

/*
 * The values to show for a drive: its newest sample when usable, else the newest usable one of
 * the 7 days before it (the drive was in standby, or unreadable). *ret_found false when none.
 */
int drive_usable_sample(struct store *s, const struct store_sample *latest, struct store_sample *ret,
			bool *ret_found, struct wg_err *err);

struct gate_opts {
	const struct blockdev_env *env; /* the kernel's view: sysfs and mountinfo */
	/* read drives whose newest sample is older than sample_max_age (not waking standby drives) */
	bool may_sample;
	/* record that pass: needs a writable store */
	bool record;
};

struct gate_result {
	const struct job_cfg *job;
	struct gate_decision decision;
	size_t n;
	struct drive_health *drives;   /* the drives the job touches, in config order */
	struct gate_drive *facts;      /* what gate_decide() saw of each */
	char **unmonitored;            /* disks under the job's paths that no drive section covers */
	char states[512];              /* "sda=degrading sdb=ok" */
	bool sampled;                  /* the gate read drives itself */
	char warning[256];             /* something worth saying that did not stop the verdict ("") */
};

/*
 * Decide for job j now: resolve its drives, sample them when their samples are stale (and
 * opts allow), assess each, look up the cooldowns and backups in the job runs, and apply the
 * decision table. Errors: -EINVAL when the job's drives cannot be resolved (it touches no
 * configured drive, a path is missing or on no disk: a configuration error), -ENOMEM, or a
 * negative errno from the store; err says which.
 */
int gate_check(const struct config *c, struct store *s, const struct job_cfg *j, int64_t now,
	       const struct gate_opts *opts, struct gate_result *ret, struct wg_err *err);
/* Record the decision (time, job, verdict, reason, the drives' states). */
int gate_record(struct store *s, const struct gate_result *res, int64_t now, struct wg_err *err);
void gate_result_release(struct gate_result *r);

#endif
