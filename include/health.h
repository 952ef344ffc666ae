/* health.h — drive states from facts (pure: no I/O, no clock, no logging) */
#ifndef WEARGATE_HEALTH_H
#define WEARGATE_HEALTH_H

#include <stddef.h>

#include "smart.h"

enum health_state {
	HEALTH_UNKNOWN,
	HEALTH_OK,
	HEALTH_WORN,
	HEALTH_DEGRADING,
	HEALTH_FAILING,
	_HEALTH_STATE_MAX,
};

const char *health_state_to_string(enum health_state s);

/*
 * The first prefailure attribute at or below its threshold, or NULL. Thresholds 0 ("always
 * passing") and 254/255 (invalid) never make an attribute fail.
 */
const struct smart_attr *health_failing_attr(const struct smart_reading *r);

/*
 * The provisional state of a drive from its latest reading alone (the history-based model
 * refines it). reason gets one line on what decided it.
 */
enum health_state health_from_reading(const struct smart_reading *r, char *reason, size_t len);

#endif
