/* health.c — the drive states, and the one fact of a reading that alone says "failing" */
#include <stdio.h>

#include "util.h"

#include "attrs.h"
#include "health.h"

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
