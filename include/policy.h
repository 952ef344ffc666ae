/* policy.h — drive states from their history, and the gate's verdict for a job (pure: no I/O, no clock, no logging) */
#ifndef WEARGATE_POLICY_H
#define WEARGATE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attrs.h"
#include "health.h"
#include "smart.h"

enum job_class {
	JOB_BACKUP,      /* preserves data: the job wanted most on a dying drive */
	JOB_MAINTENANCE, /* optional heavy I/O: queue purges, fsck, reindex, scrub */
	_JOB_CLASS_MAX,
};

enum verdict {
	VERDICT_GO,
	VERDICT_DEFER,
	VERDICT_REFUSE,
	_VERDICT_MAX,
};

/* Every number of the health model and the gate; config's `policy { }` and top level set them. */
struct policy {
	int64_t window;          /* a media counter that grew within it: degrading (7d) */
	int64_t failing_window;  /* ... that grew by failing_growth within this: failing (24h) */
	int64_t failing_growth;  /* 50 */
	int64_t cooldown_ok;     /* time between heavy jobs on a drive of that state: 0 */
	int64_t cooldown_worn;   /* 2h */
	int64_t cooldown_degrading; /* 24h */
	int64_t max_temperature; /* defer above it, in degrees C; 0 = no limit (55) */
	int64_t sample_max_age;  /* an older sample is not used as is (6h) */
	int64_t ssd_wear_low;    /* an SSD wear indicator at or below it: worn (10) */
};

void policy_defaults(struct policy *ret);

/* The counters that measure the media: 5, 196, 197, 198, 187, 10. */
struct media_counter {
	uint8_t id;
	const char *label; /* "pending sectors" */
	size_t offset;     /* in struct smart_derived */
	bool degrading_when_present; /* above zero at all is degrading, not only growth */
};

extern const struct media_counter health_media[];
extern const size_t health_n_media;
int64_t health_media_value(const struct smart_derived *d, const struct media_counter *m);

/* One usable sample as the health model sees it. */
struct health_point {
	int64_t t;
	struct smart_derived d;
	int smart_ok; /* self-assessment: 1 passed, 0 failed, -1 unknown */
	/* a prefailure attribute at or below its threshold: its id (0: none), value and threshold */
	uint8_t failing_id, failing_value, failing_threshold;
	bool self_test_running;
};

void health_point_from_reading(const struct smart_reading *r, int64_t t, struct health_point *ret);

/* What the history holds of one drive, gathered by the caller. */
struct health_input {
	bool sampled;          /* any sample at all, usable or not */
	int64_t latest_t;      /* the newest sample's time */
	enum reading_status latest_status;
	const char *latest_reason; /* why the newest sample is not usable; NULL or "" when it is */
	/*
	 * The usable samples, oldest first: those of the last `window` before now, and the newest
	 * one before that (the baseline growth is measured from) when there is one.
	 */
	const struct health_point *points;
	size_t n;
};

struct health_assessment {
	enum health_state state;
	char reason[512]; /* "pending sectors 0 → 8 since 2026-11-20 14:10 UTC; …" */
	/* when the first sign of this state was seen; -1 */
	int64_t since;
	bool since_open; /* since is the oldest sample looked at: the sign may be older still */
	const struct health_point *latest; /* the newest usable sample used; NULL when none was */
	bool hot;               /* above max_temperature now */
	bool self_test_running; /* a SMART self-test is running now */
};

/*
 * DESIGN.md's health model, worst state wins:
 * unknown  never sampled, or no usable sample within sample_max_age;
 * failing  self-assessment failed, a prefailure attribute at or below its threshold, or a
 *          media counter grown by failing_growth within failing_window;
 * degrading pending or offline-uncorrectable sectors now, or a media counter grown within window;
 * worn     media counters above zero but stable, or an SSD wear indicator at or below ssd_wear_low;
 * ok       none of these.
 * Media counters are 5, 196, 197, 198, 187 and 10; 199 (the cable) and 188 (noise) never count.
 */
void health_assess(const struct policy *p, const struct health_input *in, int64_t now, struct health_assessment *ret);

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
	char reason[2048];     /* one line: "refuse: sda degrading (pending sectors 8); …" without the verdict */
};

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
 * and defer while a drive is above its temperature limit or runs a self-test. job_cooldown
 * (>= 0) replaces the worn and degrading cooldowns.
 */
void gate_decide(const struct policy *p, enum job_class cls, enum verdict on_unknown, int64_t job_cooldown,
		 const struct gate_drive *drives, size_t n, int64_t now, struct gate_decision *ret);

const char *job_class_to_string(enum job_class c);
int job_class_from_string(const char *s, enum job_class *ret);
const char *verdict_to_string(enum verdict v);
int verdict_from_string(const char *s, enum verdict *ret);

#endif
