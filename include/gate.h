/* gate.h — what the history says about drives and jobs: facts gathered from the store for the policy */
#ifndef WEARGATE_GATE_H
#define WEARGATE_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blockdev.h"
#include "config.h"
#include "policy.h"
#include "sampler.h"
#include "store.h"

/* One configured drive as its history stands at a time, and the state it gives. */
struct drive_health {
	const struct drive_cfg *drive;
	bool sampled;
	struct store_sample *latest; /* the newest sample under the drive's name up to now; NULL when never sampled */
	/* latest holds of a usable reading only its status (gate_check() reads no more): see track for its signs */
	bool latest_brief;
	int64_t drive_id;            /* -1 when never sampled */
	int64_t drive_t;             /* when the drive's newest sample was taken, under any name, as latest was read; -1 not known */
	/* the newest usable sample as the model sees it, when it is within sample_max_age: heat, self-test */
	bool have_point;
	struct health_point point;
	struct health_track track;
	struct health_assessment health;
};

/* Load a drive's history up to now and assess it. */
int drive_health_load(struct store *s, const struct policy *p, const struct drive_cfg *d, int64_t now,
		      struct drive_health *ret, struct wg_err *err);
void drive_health_release(struct drive_health *h);
/* Judge it again at now, from what was loaded (no read of the store). */
void drive_health_assess(const struct policy *p, struct drive_health *h, int64_t now);

/*
 * The values to show for a drive: its newest sample when usable, else the newest usable one of
 * the 7 days before it (the drive was in standby, or unreadable). *ret_found false when none.
 */
int drive_usable_sample(struct store *s, const struct store_sample *latest, struct store_sample *ret,
			bool *ret_found, struct wg_err *err);

/* The drive database entry recorded for a sample's drive and firmware, to free(); *ret NULL when none is. */
int drive_sample_match(struct store *s, const struct store_sample *x, struct drivedb_match **ret, struct wg_err *err);

/*
 * A drive's self-test as one line: "long passed 2026-11-25 10:00 UTC", "short failed (read
 * failure) …", "long running since …".
 */
void self_test_describe(const struct store_self_test *t, char *buf, size_t len);

/*
 * Take a sampling pass over drives hs[0..n) now (sampler_pass(): not waking drives in standby
 * unless how says so, recorded when asked) and bring each one's health up to date, assessed
 * once: from the recorded pass, or, when it cannot be recorded, from the readings themselves
 * (*ret_recorded false, warning says why).
 */
int drives_sample(const struct config *c, struct store *s, struct drive_health *const *hs, size_t n, int64_t now,
		  const struct drives_read *how, bool *ret_recorded, char *warning, size_t warning_len,
		  struct wg_err *err);
/*
 * The same over drives[0..n) (NULL: every configured drive, in config order) from nothing, a
 * pass that must be recorded: their health in *ret (n entries, to drives_health_free()); -EIO
 * when the pass could not be recorded, err saying why.
 */
int drives_sample_new(const struct config *c, struct store *s, const struct drive_cfg *const *drives, size_t n,
		      int64_t now, const struct drives_read *how, struct drive_health **ret, struct wg_err *err);
void drives_health_free(struct drive_health *v, size_t n); /* NULL is fine */

struct gate_opts {
	const struct blockdev_env *env; /* the kernel's view: sysfs and mountinfo */
	/* read drives whose newest sample is older than sample_max_age (not waking standby drives) */
	bool may_sample;
	/* record that pass: needs a writable store */
	bool record;
	/* that pass's episodes need no telling (no notify command, or the caller tells them) */
	bool notified;
	/* the job's drives already resolved (resolve_job_drives()), for a caller that asks more than once */
	const struct drive_cfg *const *resolved;
	size_t n_resolved;
};

struct gate_result {
	const struct job_cfg *job;
	struct gate_decision decision;
	size_t n;
	struct drive_health *drives;   /* the drives the job touches, in config order */
	struct gate_drive *facts;      /* what gate_decide() saw of each */
	char **unmonitored;            /* disks under the job's paths that no drive section covers */
	char *states;                  /* "sda=degrading sdb=ok", every drive; malloc'd */
	bool sampled;                  /* the gate read drives itself */
	char warning[256];             /* something worth saying that did not stop the verdict ("") */
};

/*
 * Decide for job j now, walking forward once: resolve its drives, take their newest samples,
 * read (and record) the stale ones when opts allow, assess each drive once, look up the
 * cooldowns and backups in the job runs, and apply the decision table. Errors: -EINVAL when
 * the job's drives cannot be resolved (it touches no configured drive, a path is missing or on
 * no disk: a configuration error), -ENOMEM, or a negative errno from the store; err says which.
 */
int gate_check(const struct config *c, struct store *s, const struct job_cfg *j, int64_t now,
	       const struct gate_opts *opts, struct gate_result *ret, struct wg_err *err);
/* Record the decision (time, job, verdict, reason, the drives' states). */
int gate_record(struct store *s, const struct gate_result *res, int64_t now, struct wg_err *err);
void gate_result_release(struct gate_result *r);

#endif
