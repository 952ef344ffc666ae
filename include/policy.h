/* policy.h — what is done from the drives' states: the gate's verdict, run's order, the watchdog's rule (pure: no I/O, no clock, no logging) */
#ifndef WEARGATE_POLICY_H
#define WEARGATE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "health.h"

enum job_class {
	JOB_BACKUP,      /* preserves data: the job wanted most on a dying drive */
	JOB_MAINTENANCE, /* optional heavy I/O: queue purges, fsck, reindex, scrub */
	JOB_SELFTEST,    /* a SMART self-test the drive runs: gated as maintenance, but a short one is light */
	_JOB_CLASS_MAX,
};

enum verdict {
	VERDICT_GO,
	VERDICT_DEFER,
	VERDICT_REFUSE,
	_VERDICT_MAX,
};

/* One drive a job touches, as the gate sees it. */
struct gate_drive {
	const char *name;
	const struct health_assessment *health;
	int64_t last_heavy_end;  /* when the newest heavy job on it ended (or started, when it never ended); -1 none */
	int64_t last_backup_ok;  /* when the newest successful backup of it started; -1 none */
};

struct gate_decision {
	enum verdict verdict;
	bool throttle;         /* go, but throttled */
	bool last_chance;      /* go as a last-chance backup of a failing drive: say it loudly */
	int64_t retry_at;      /* on defer for a cooldown: when it ends; 0 when not known */
	enum health_state worst;
	/*
	 * One line, whole however long: "sda degrading (pending sectors 8); …" without the
	 * verdict. Allocated by gate_decide(): gate_decision_release() it.
	 */
	char *reason;
};

void gate_decision_release(struct gate_decision *d); /* NULL is fine */
/* Replace the reason (a verdict that is not the table's: an error, a run it is part of); -ENOMEM leaves a placeholder. */
int gate_decision_set_reason(struct gate_decision *d, const char *reason);

/*
 * DESIGN.md's decision table, per drive, the worst verdict deciding:
 *             backup                                maintenance
 * ok          go                                    go
 * worn        go throttled after the worn cooldown  go throttled after the worn cooldown
 * degrading   go first ("rescue"), throttled        refuse until a backup succeeded since the
 *                                                   degradation began, then go throttled after
 *                                                   the degrading cooldown
 * failing     go once, loudly; then refuse          refuse
 * unknown     on_unknown                            on_unknown
 *             (refuse when another drive section read the same disk)
 * and defer while a drive is above its temperature limit or runs a self-test. job_cooldown
 * (>= 0) replaces the worn and degrading cooldowns. A self-test (class selftest) is gated as
 * maintenance but never throttled (the host does none of its I/O); a light one (light: a
 * short test) needs no cooldown and goes on a degrading drive without waiting for a backup.
 */
void gate_decide(const struct policy *p, enum job_class cls, bool light, enum verdict on_unknown,
		 int64_t job_cooldown, const struct gate_drive *drives, size_t n, int64_t now, struct gate_decision *ret);

/*
 * A job's period (`every`): when it is due again after its last successful run started at
 * last_success (-1: never, due now). One eighth of the period, at most 6 hours, is slack: a
 * nightly timer that fires a little earlier than a week ago (RandomizedDelaySec, a longer job
 * before it) must not put a weekly job off for a whole week more.
 */
#define JOB_EVERY_SLACK_MAX (6 * 3600)
int64_t job_due_at(int64_t every, int64_t last_success);

/*
 * run's order, backups first on a weak drive: a job held behind (maintenance or a self-test on a
 * drive degrading or failing now: the backups go first) runs after all the others, and each
 * group keeps the order of the configuration. worst is the worst state of the job's drives
 * (health_state_worse()); ret_order[0..n) gets the jobs' indices in the order they run.
 */
struct job_rank {
	enum job_class cls;
	enum health_state worst;
};

bool job_held_behind(const struct job_rank *j);
void job_order(const struct job_rank *jobs, size_t n, size_t *ret_order);

/*
 * The watchdog's rule for a drive during a job, looked at from base (its media counters at the
 * start, or at the last change it told of) to a reading now: the drive got worse when a media
 * counter grew (the first that did is said) or its self-assessment failed. A maintenance job or
 * a self-test is stopped for it; a backup of a drive getting worse is the job most wanted: it
 * goes on, and the watchdog measures from now on. The same goes for the kernel's I/O errors on
 * the drive (watch_stops()).
 */
struct watch_verdict {
	bool worse;
	bool stop;
	char what[384]; /* "sda pending sectors 0 → 8 during the run"; "" when not worse */
};

bool watch_stops(enum job_class cls);
void watch_judge(enum job_class cls, const char *drive, const struct smart_derived *base,
		 const struct smart_derived *now, int smart_ok, struct watch_verdict *ret);

const char *job_class_to_string(enum job_class c);
int job_class_from_string(const char *s, enum job_class *ret);
const char *verdict_to_string(enum verdict v);
/*
 * The verdict as the gate's line says it, and as the history records it with a decision or a
 * run: "go", "go (throttled)", "go (last chance)", "go (last chance) (throttled)", "defer"...
 */
const char *gate_decision_verdict(const struct gate_decision *d);
int verdict_from_string(const char *s, enum verdict *ret);

#endif
