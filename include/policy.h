/* policy.h — drive states from their history, and the gate's verdict for a job (pure: no I/O, no clock, no logging) */
#ifndef WEARGATE_POLICY_H
#define WEARGATE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attrs.h"
#include "health.h"

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

const char *job_class_to_string(enum job_class c);
int job_class_from_string(const char *s, enum job_class *ret);
const char *verdict_to_string(enum verdict v);
int verdict_from_string(const char *s, enum verdict *ret);

#endif
