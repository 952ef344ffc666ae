/* policy.c — what is done from the drives' states: the gate's verdict, run's order, the watchdog's rule (pure: no I/O, no clock, no logging) */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy.h"
#include "util.h"

static const char *const class_names[_JOB_CLASS_MAX] = {
	[JOB_BACKUP] = "backup",
	[JOB_MAINTENANCE] = "maintenance",
	[JOB_SELFTEST] = "selftest",
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

int64_t job_due_at(int64_t every, int64_t last_success)
{
	int64_t slack = every / 8 < JOB_EVERY_SLACK_MAX ? every / 8 : JOB_EVERY_SLACK_MAX;

	if (every <= 0 || last_success < 0)
		return INT64_MIN;
	return last_success + every - slack;
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

const char *gate_decision_verdict(const struct gate_decision *d)
{
	if (d->verdict != VERDICT_GO)
		return verdict_to_string(d->verdict);
	if (d->last_chance)
		return d->throttle ? "go (last chance) (throttled)" : "go (last chance)";
	return d->throttle ? "go (throttled)" : "go";
}

int verdict_from_string(const char *s, enum verdict *ret)
{
	int i = lookup(verdict_names, _VERDICT_MAX, s);

	if (i < 0)
		return i;
	*ret = (enum verdict)i;
	return 0;
}

/* What one drive says about the job. */
struct drive_verdict {
	enum verdict verdict;
	bool throttle, last_chance;
	int64_t retry_at;
	char reason[768];
};

static void cooldown_check(const struct gate_drive *d, int64_t cooldown, int64_t now, struct drive_verdict *v)
{
	char left[32], spent[32];

	if (cooldown <= 0 || d->last_heavy_end < 0 || now >= d->last_heavy_end + cooldown)
		return;
	wg_format_age(d->last_heavy_end + cooldown - now, left, sizeof(left));
	wg_format_age(cooldown, spent, sizeof(spent));
	v->verdict = VERDICT_DEFER;
	v->retry_at = d->last_heavy_end + cooldown;
	snprintf(v->reason, sizeof(v->reason), "%s %s: cooldown of %s after the last heavy job, %s left", d->name,
		 health_state_to_string(d->health->state), spent, left);
}

static void drive_decide(const struct policy *p, enum job_class cls, bool light, enum verdict on_unknown,
			 int64_t job_cooldown, const struct gate_drive *d, int64_t now, struct drive_verdict *v)
{
	const struct health_assessment *h = d->health;
	const char *state = health_state_to_string(h->state);
	char when[32];

	memset(v, 0, sizeof(*v));
	v->verdict = VERDICT_GO;
	switch (h->state) {
	case HEALTH_UNKNOWN:
		/* a disk read under two names has two half histories: nothing heavy runs on it until it has one */
		if (h->duplicate) {
			v->verdict = VERDICT_REFUSE;
			snprintf(v->reason, sizeof(v->reason), "%s unknown (%s); configure the disk once", d->name,
				 h->reason);
			return;
		}
		v->verdict = on_unknown;
		snprintf(v->reason, sizeof(v->reason), "%s unknown (%s); on_unknown = %s", d->name, h->reason,
			 verdict_to_string(on_unknown));
		return;
	case HEALTH_FAILING:
		if (cls != JOB_BACKUP) {
			v->verdict = VERDICT_REFUSE;
			snprintf(v->reason, sizeof(v->reason), "%s failing (%s); no %s on a failing drive", d->name,
				 h->reason, cls == JOB_SELFTEST ? "self-test" : "maintenance");
			return;
		}
		if (d->last_backup_ok >= 0 && d->last_backup_ok >= h->since) {
			wg_format_when(d->last_backup_ok, when, sizeof(when));
			v->verdict = VERDICT_REFUSE;
			snprintf(v->reason, sizeof(v->reason),
				 "%s failing (%s); its last-chance backup ran at %s: replace the drive", d->name, h->reason,
				 when);
			return;
		}
		v->last_chance = true;
		snprintf(v->reason, sizeof(v->reason), "LAST-CHANCE BACKUP: %s failing (%s)", d->name, h->reason);
		break;
	case HEALTH_DEGRADING:
		/* a drive's own test has no I/O of the host's to limit */
		v->throttle = cls != JOB_SELFTEST;
		if (cls == JOB_BACKUP) {
			snprintf(v->reason, sizeof(v->reason), "rescue: %s degrading (%s), backup first, throttled",
				 d->name, h->reason);
			break;
		}
		/* a short self-test reads a sample of the surface for minutes: the drive's word is worth it now */
		if (light) {
			snprintf(v->reason, sizeof(v->reason), "%s degrading (%s); a short self-test is light: it goes",
				 d->name, h->reason);
			break;
		}
		if (d->last_backup_ok < 0 || d->last_backup_ok < h->since) {
			v->verdict = VERDICT_REFUSE;
			snprintf(v->reason, sizeof(v->reason), "%s degrading (%s); %s waits for a backup of %s", d->name,
				 h->reason, cls == JOB_SELFTEST ? "a self-test" : "maintenance", d->name);
			return;
		}
		wg_format_when(d->last_backup_ok, when, sizeof(when));
		snprintf(v->reason, sizeof(v->reason), "%s degrading (%s); backed up at %s%s", d->name, h->reason, when,
			 v->throttle ? ", throttled" : "");
		cooldown_check(d, job_cooldown >= 0 ? job_cooldown : p->cooldown_degrading, now, v);
		break;
	case HEALTH_WORN:
		v->throttle = cls != JOB_SELFTEST;
		snprintf(v->reason, sizeof(v->reason), "%s worn (%s)%s", d->name, h->reason, v->throttle ? ": throttled" : "");
		if (!light)
			cooldown_check(d, job_cooldown >= 0 ? job_cooldown : p->cooldown_worn, now, v);
		break;
	case HEALTH_OK:
	default:
		snprintf(v->reason, sizeof(v->reason), "%s %s", d->name, state);
		if (!light)
			cooldown_check(d, p->cooldown_ok, now, v);
		break;
	}
	if (v->verdict != VERDICT_GO)
		return;
	/* heat and a running self-test hold back even a rescue: both pass */
	if (h->hot) {
		v->verdict = VERDICT_DEFER;
		snprintf(v->reason, sizeof(v->reason), "%s at %lld C, above the limit of %lld C", d->name,
			 (long long)h->temperature_c, (long long)p->max_temperature);
	} else if (h->self_test_running) {
		v->verdict = VERDICT_DEFER;
		snprintf(v->reason, sizeof(v->reason), "%s is running a SMART self-test", d->name);
	}
}

/* When even the reason's memory cannot be had: the verdict stands, with a reason that says so. */
static char no_memory[] = "(out of memory for the reason)";

void gate_decision_release(struct gate_decision *d)
{
	if (d && d->reason != no_memory)
		free(d->reason);
	if (d)
		d->reason = NULL;
}

int gate_decision_set_reason(struct gate_decision *d, const char *reason)
{
	char *copy = strdup(reason);

	gate_decision_release(d);
	d->reason = copy ? copy : no_memory;
	return copy ? 0 : -ENOMEM;
}

/* Append "; " and reason to the growing *buf of *used bytes (of *size): false when memory ran out. */
static bool reason_append(char **buf, size_t *size, size_t *used, const char *reason)
{
	size_t need = *used + (*used ? 2 : 0) + strlen(reason) + 1;

	if (need > *size) {
		size_t size2 = *size ? *size : 256;
		char *b;

		while (size2 < need)
			size2 *= 2;
		b = realloc(*buf, size2);
		if (!b)
			return false;
		*buf = b;
		*size = size2;
	}
	*used += (size_t)snprintf(*buf + *used, *size - *used, "%s%s", *used ? "; " : "", reason);
	return true;
}

void gate_decide(const struct policy *p, enum job_class cls, bool light, enum verdict on_unknown,
		 int64_t job_cooldown, const struct gate_drive *drives, size_t n, int64_t now, struct gate_decision *ret)
{
	struct drive_verdict v;
	size_t size = 0, used = 0;
	char *reason = NULL;
	bool oom = false;

	memset(ret, 0, sizeof(*ret));
	ret->verdict = VERDICT_GO;
	ret->worst = HEALTH_OK;
	/*
	 * Each drive decided once: the verdict is the worst drive's, and the reason, however many
	 * drives gave the verdict, is theirs (it is recorded and shown by --json as it is). A worse
	 * verdict than those so far drops their reasons.
	 */
	for (size_t i = 0; i < n; i++) {
		drive_decide(p, cls, light, on_unknown, job_cooldown, &drives[i], now, &v);
		if (v.verdict > ret->verdict) {
			ret->verdict = v.verdict;
			used = 0;
		}
		ret->worst = health_state_worse(ret->worst, drives[i].health->state);
		ret->throttle |= v.throttle;
		ret->last_chance |= v.last_chance;
		if (v.verdict == VERDICT_DEFER && v.retry_at > ret->retry_at)
			ret->retry_at = v.retry_at;
		if (v.verdict == ret->verdict && !oom)
			oom = !reason_append(&reason, &size, &used, v.reason);
	}
	if (n == 0 && !oom)
		oom = !reason_append(&reason, &size, &used, "the job touches no drive");
	if (oom)
		free(reason);
	ret->reason = oom ? no_memory : reason;
	if (ret->verdict != VERDICT_GO)
		ret->throttle = ret->last_chance = false;
}

bool job_held_behind(const struct job_rank *j)
{
	return j->cls != JOB_BACKUP && (j->worst == HEALTH_DEGRADING || j->worst == HEALTH_FAILING);
}

void job_order(const struct job_rank *jobs, size_t n, size_t *ret_order)
{
	size_t m = 0;

	for (int behind = 0; behind < 2; behind++)
		for (size_t i = 0; i < n; i++)
			if (job_held_behind(&jobs[i]) == (behind == 1))
				ret_order[m++] = i;
}

bool watch_stops(enum job_class cls)
{
	return cls != JOB_BACKUP;
}

void watch_judge(enum job_class cls, const char *drive, const struct smart_derived *base,
		 const struct smart_derived *now, int smart_ok, struct watch_verdict *ret)
{
	memset(ret, 0, sizeof(*ret));
	for (size_t k = 0; k < health_n_media && !ret->what[0]; k++) {
		int64_t from = health_media_value(base, &health_media[k]);
		int64_t to = health_media_value(now, &health_media[k]);

		if (from >= 0 && to > from)
			snprintf(ret->what, sizeof(ret->what), "%s %s %lld → %lld during the run", drive,
				 health_media[k].label, (long long)from, (long long)to);
	}
	if (!ret->what[0] && smart_ok == 0)
		snprintf(ret->what, sizeof(ret->what), "%s SMART self-assessment FAILED during the run", drive);
	ret->worse = ret->what[0] != '\0';
	ret->stop = ret->worse && watch_stops(cls);
}
