/* policy.c — drive states from their history, and the gate's verdict for a job (pure: no I/O, no clock, no logging) */
#include <errno.h>
#include <string.h>

#include "policy.h"
#include "util.h"

void policy_defaults(struct policy *ret)
{
	*ret = (struct policy){
		.window = 7 * 86400,
		.failing_window = 86400,
		.failing_growth = 50,
		.cooldown_ok = 0,
		.cooldown_worn = 2 * 3600,
		.cooldown_degrading = 24 * 3600,
		.max_temperature = 55,
		.sample_max_age = 6 * 3600,
		.ssd_wear_low = 10,
	};
}

static const char *const class_names[_JOB_CLASS_MAX] = {
	[JOB_BACKUP] = "backup",
	[JOB_MAINTENANCE] = "maintenance",
};

static const char *const verdict_names[_VERDICT_MAX] = {
	[VERDICT_GO] = "go",
	[VERDICT_DEFER] = "defer",
	[VERDICT_REFUSE] = "refuse",
};

static int lookup(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -EINVAL;
}

const char *job_class_to_string(enum job_class c)
{
	return c < _JOB_CLASS_MAX ? class_names[c] : "?";
}

int job_class_from_string(const char *s, enum job_class *ret)
{
	int i = lookup(class_names, _JOB_CLASS_MAX, s);

	if (i < 0)
		return i;
	*ret = (enum job_class)i;
	return 0;
}

const char *verdict_to_string(enum verdict v)
{
	return v < _VERDICT_MAX ? verdict_names[v] : "?";
}

int verdict_from_string(const char *s, enum verdict *ret)
{
	int i = lookup(verdict_names, _VERDICT_MAX, s);

	if (i < 0)
		return i;
	*ret = (enum verdict)i;
	return 0;
}
