/* health.h — the drive states, and the one fact of a reading that alone says "failing" */
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

#endif
