/* health.c — drive states from facts (pure: no I/O, no clock, no logging) */
#include <stdio.h>

#include "util.h"

#include "attrs.h"
#include "health.h"

/* A normalized SSD wear value at or below this is "low" (the value counts down from 100). */
#define SSD_WEAR_LOW 10

const char *health_state_to_string(enum health_state s)
{
	static const char *const names[_HEALTH_STATE_MAX] = {
		[HEALTH_UNKNOWN] = "unknown", [HEALTH_OK] = "ok",     [HEALTH_WORN] = "worn",
		[HEALTH_DEGRADING] = "degrading", [HEALTH_FAILING] = "failing",
	};

	return s < _HEALTH_STATE_MAX ? names[s] : "?";
}

const struct smart_attr *health_failing_attr(const struct smart_reading *r)
{
	for (unsigned i = 0; i < r->n_attrs; i++) {
		const struct smart_attr *a = &r->attrs[i];

		if ((a->flags & 1) && a->threshold_valid && a->threshold > 0 && a->threshold < 0xfe &&
		    a->current <= a->threshold)
			return a;
	}
	return NULL;
}

struct counter {
	const char *label;
	int64_t value;
};

/* "pending sectors 8, offline uncorrectable 1": the counters above zero; unknown ones are not numbers to show. */
static void list_nonzero(const struct counter *c, size_t n, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++) {
		int k;

		if (c[i].value <= 0)
			continue;
		k = snprintf(buf + used, len - used, "%s%s %lld", used ? ", " : "", c[i].label, (long long)c[i].value);
		if (k < 0)
			break;
		used += (size_t)k;
	}
}

enum health_state health_from_reading(const struct smart_reading *r, char *reason, size_t len)
{
	const struct smart_attr *a;
	struct smart_derived d;
	char name[32];

	if (r->status != READING_OK) {
		snprintf(reason, len, "no usable reading (%s%s%s)", reading_status_to_string(r->status),
			 r->reason[0] ? ": " : "", r->reason);
		return HEALTH_UNKNOWN;
	}
	if (r->smart_ok == 0) {
		snprintf(reason, len, "SMART self-assessment failed");
		return HEALTH_FAILING;
	}
	a = health_failing_attr(r);
	if (a) {
		snprintf(reason, len, "prefailure attribute %u %s at %u, threshold %u", a->id,
			 attr_name(a->id, name, sizeof(name)), a->current, a->threshold);
		return HEALTH_FAILING;
	}
	attrs_derive(r, &d);
	if (d.pending > 0 || d.offline_uncorrectable > 0) {
		const struct counter c[] = {
			{ "pending sectors", d.pending },
			{ "offline uncorrectable", d.offline_uncorrectable },
		};

		list_nonzero(c, WG_ELEMENTSOF(c), reason, len);
		return HEALTH_DEGRADING;
	}
	if (d.reallocated > 0 || d.reallocation_events > 0 || d.reported_uncorrectable > 0 || d.spin_retry > 0) {
		const struct counter c[] = {
			{ "reallocated sectors", d.reallocated },
			{ "reallocation events", d.reallocation_events },
			{ "reported uncorrectable", d.reported_uncorrectable },
			{ "spin retries", d.spin_retry },
		};

		list_nonzero(c, WG_ELEMENTSOF(c), reason, len);
		return HEALTH_WORN;
	}
	if (d.ssd_wear_value != ATTR_UNKNOWN && d.ssd_wear_value <= SSD_WEAR_LOW) {
		snprintf(reason, len, "SSD wear indicator low: %lld", (long long)d.ssd_wear_value);
		return HEALTH_WORN;
	}
	snprintf(reason, len, "no reallocated, pending or uncorrectable sectors");
	return HEALTH_OK;
}
