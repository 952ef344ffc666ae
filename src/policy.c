/* policy.c — drive states from their history, and the gate's verdict for a job (pure: no I/O, no clock, no logging) */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

/* ATA: the high nibble of the self-test execution status is 15 while a test runs. */
#define SELF_TEST_RUNNING 0xf

void health_point_from_reading(const struct smart_reading *r, int64_t t, struct health_point *ret)
{
	const struct smart_attr *a = health_failing_attr(r);

	memset(ret, 0, sizeof(*ret));
	ret->t = t;
	attrs_derive(r, &ret->d);
	ret->smart_ok = r->smart_ok;
	if (a) {
		ret->failing_id = a->id;
		ret->failing_value = a->current;
		ret->failing_threshold = a->threshold;
	}
	ret->self_test_running = r->self_test >= 0 && (r->self_test >> 4) == SELF_TEST_RUNNING;
}

const struct media_counter health_media[] = {
	{ 5, "reallocated sectors", offsetof(struct smart_derived, reallocated), false },
	{ 196, "reallocation events", offsetof(struct smart_derived, reallocation_events), false },
	{ 197, "pending sectors", offsetof(struct smart_derived, pending), true },
	{ 198, "offline uncorrectable", offsetof(struct smart_derived, offline_uncorrectable), true },
	{ 187, "reported uncorrectable", offsetof(struct smart_derived, reported_uncorrectable), false },
	{ 10, "spin retries", offsetof(struct smart_derived, spin_retry), false },
};
const size_t health_n_media = WG_ELEMENTSOF(health_media);

int64_t health_media_value(const struct smart_derived *d, const struct media_counter *m)
{
	int64_t v;

	memcpy(&v, (const char *)d + m->offset, sizeof(v));
	return v;
}

static int64_t media_value(const struct health_point *pt, const struct media_counter *m)
{
	return health_media_value(&pt->d, m);
}

/* Reasons of one state, joined by "; ". */
struct reasons {
	char *buf;
	size_t len, used;
	int64_t since;
	bool since_open; /* since is the oldest sample looked at: the sign may be older */
};

static void reason_add(struct reasons *r, int64_t since, bool open, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void reason_add(struct reasons *r, int64_t since, bool open, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (r->used + 2 < r->len && r->used > 0) {
		memcpy(r->buf + r->used, "; ", 2);
		r->used += 2;
		r->buf[r->used] = '\0';
	}
	if (r->used < r->len) {
		va_start(ap, fmt);
		k = vsnprintf(r->buf + r->used, r->len - r->used, fmt, ap);
		va_end(ap);
		if (k > 0)
			r->used = r->used + (size_t)k < r->len ? r->used + (size_t)k : r->len - 1;
	}
	if (since >= 0 && (r->since < 0 || since < r->since || (since == r->since && open))) {
		r->since = since;
		r->since_open = open;
	}
}

static void reasons_init(struct reasons *r, char *buf, size_t len)
{
	*r = (struct reasons){ .buf = buf, .len = len, .since = -1 };
	buf[0] = '\0';
}

/* "2026-11-20 14:10 UTC" */
static void format_when(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(buf, len, "@%lld", (long long)t);
}

/* The sample that growth within the last w is measured from: the newest at or before now - w, else the oldest. */
static size_t baseline(const struct health_input *in, int64_t now, int64_t w)
{
	size_t b = 0;

	for (size_t i = 1; i < in->n - 1; i++)
		if (in->points[i].t <= now - w)
			b = i;
	return b;
}

struct growth {
	bool grew;
	int64_t from, to;
	int64_t first_t; /* the first sample above `from` */
};

/* How counter m moved from the baseline b to the newest sample; unknown values are stepped over. */
static struct growth growth_of(const struct health_input *in, size_t b, const struct media_counter *m)
{
	const struct health_point *last = &in->points[in->n - 1];
	struct growth g = { .from = -1, .to = media_value(last, m), .first_t = -1 };

	for (size_t i = b; i < in->n && g.from < 0; i++)
		g.from = media_value(&in->points[i], m);
	if (g.from < 0 || g.to < 0 || g.to <= g.from)
		return g;
	g.grew = true;
	for (size_t i = b; i < in->n; i++)
		if (media_value(&in->points[i], m) > g.from) {
			g.first_t = in->points[i].t;
			break;
		}
	return g;
}

/* The oldest sample of the run, ending at the newest, in which holds() is true; *ret_whole when that is the oldest looked at. */
static int64_t run_since(const struct health_input *in, bool (*holds)(const struct health_point *pt, const void *arg),
			 const void *arg, bool *ret_whole)
{
	size_t i = in->n - 1;

	while (i > 0 && holds(&in->points[i - 1], arg))
		i--;
	*ret_whole = i == 0;
	return in->points[i].t;
}

struct held {
	const struct media_counter *m;
	int64_t value;
};

/* a counter keeps its value; an unknown reading of it does not break the run */
static bool holds_value(const struct health_point *pt, const void *arg)
{
	const struct held *h = arg;
	int64_t v = media_value(pt, h->m);

	return v == h->value || v < 0;
}

/* How long counter m has held its newest value. */
static int64_t held_since(const struct health_input *in, const struct media_counter *m, bool *ret_whole)
{
	struct held h = { .m = m, .value = media_value(&in->points[in->n - 1], m) };

	return run_since(in, holds_value, &h, ret_whole);
}

static bool holds_failed_assessment(const struct health_point *pt, const void *arg)
{
	(void)arg;
	return pt->smart_ok != 1; /* a sample without the record (-1) does not end the run */
}

static bool holds_failing_attr(const struct health_point *pt, const void *arg)
{
	return pt->failing_id == *(const uint8_t *)arg;
}

static void assess_unknown(const struct policy *p, const struct health_input *in, int64_t now, struct reasons *r)
{
	char age[32], limit[32];

	wg_format_age(p->sample_max_age, limit, sizeof(limit));
	if (!in->sampled) {
		reason_add(r, -1, false, "never sampled");
		return;
	}
	if (in->latest_status != READING_OK) {
		/* the reason names the status itself ("standby: not woken …", "cannot open …") */
		wg_format_age(now - in->latest_t, age, sizeof(age));
		reason_add(r, -1, false, "latest sample %s ago: %s", age,
			   in->latest_reason && in->latest_reason[0] ? in->latest_reason
								 : reading_status_to_string(in->latest_status));
	}
	if (in->n == 0) {
		reason_add(r, -1, false, "no usable sample");
		return;
	}
	wg_format_age(now - in->points[in->n - 1].t, age, sizeof(age));
	reason_add(r, -1, false, "the latest usable sample is %s old (limit %s)", age, limit);
}

static bool assess_failing(const struct policy *p, const struct health_input *in, int64_t now, struct reasons *r)
{
	const struct health_point *last = &in->points[in->n - 1];
	size_t b = baseline(in, now, p->failing_window);
	char name[32], window[32];

	bool whole;
	int64_t since;

	/* since the run of failing samples began: a new sample must not look like a new failure */
	if (last->smart_ok == 0) {
		since = run_since(in, holds_failed_assessment, NULL, &whole);
		reason_add(r, since, whole, "SMART self-assessment FAILED");
	}
	if (last->failing_id) {
		since = run_since(in, holds_failing_attr, &last->failing_id, &whole);
		reason_add(r, since, whole, "prefailure attribute %u %s at %u, threshold %u", last->failing_id,
			   attr_name(last->failing_id, name, sizeof(name)), last->failing_value, last->failing_threshold);
	}
	wg_format_age(p->failing_window, window, sizeof(window));
	for (size_t i = 0; i < health_n_media; i++) {
		struct growth g = growth_of(in, b, &health_media[i]);

		if (g.grew && g.to - g.from >= p->failing_growth)
			reason_add(r, g.first_t, false, "%s %lld → %lld within %s", health_media[i].label, (long long)g.from,
				   (long long)g.to, window);
	}
	return r->used > 0;
}

static bool assess_degrading(const struct policy *p, const struct health_input *in, int64_t now, struct reasons *r)
{
	const struct health_point *last = &in->points[in->n - 1];
	size_t b = baseline(in, now, p->window);
	char when[32];

	for (size_t i = 0; i < health_n_media; i++) {
		const struct media_counter *m = &health_media[i];
		struct growth g = growth_of(in, b, m);
		int64_t v = media_value(last, m);

		if (g.grew) {
			format_when(g.first_t, when, sizeof(when));
			reason_add(r, g.first_t, false, "%s %lld → %lld since %s", m->label, (long long)g.from, (long long)g.to,
				   when);
		} else if (m->degrading_when_present && v > 0) {
			bool whole;
			int64_t since = held_since(in, m, &whole);

			format_when(since, when, sizeof(when));
			reason_add(r, since, whole, "%s %lld since %s%s", m->label, (long long)v, whole ? "at least " : "", when);
		}
	}
	return r->used > 0;
}

static bool assess_worn(const struct policy *p, const struct health_input *in, struct reasons *r)
{
	const struct health_point *last = &in->points[in->n - 1];

	for (size_t i = 0; i < health_n_media; i++) {
		int64_t v = media_value(last, &health_media[i]);
		char held[32];
		bool whole;
		int64_t since;

		if (v <= 0)
			continue;
		since = held_since(in, &health_media[i], &whole);
		wg_format_age(last->t - since, held, sizeof(held));
		reason_add(r, since, whole, "%s stable at %lld for %s%s", health_media[i].label, (long long)v, whole ? "at least " : "",
			   held);
	}
	if (last->d.ssd_wear_value != ATTR_UNKNOWN && last->d.ssd_wear_value <= p->ssd_wear_low)
		reason_add(r, last->t, false, "SSD wear indicator %lld, at or below %lld", (long long)last->d.ssd_wear_value,
			   (long long)p->ssd_wear_low);
	return r->used > 0;
}

void health_assess(const struct policy *p, const struct health_input *in, int64_t now, struct health_assessment *ret)
{
	struct reasons r;

	memset(ret, 0, sizeof(*ret));
	reasons_init(&r, ret->reason, sizeof(ret->reason));
	ret->since = -1;
	if (!in->sampled || in->n == 0 || now - in->points[in->n - 1].t > p->sample_max_age) {
		assess_unknown(p, in, now, &r);
		ret->state = HEALTH_UNKNOWN;
		return;
	}
	ret->latest = &in->points[in->n - 1];
	ret->hot = p->max_temperature > 0 && ret->latest->d.temperature_c > p->max_temperature;
	ret->self_test_running = ret->latest->self_test_running;
	if (assess_failing(p, in, now, &r))
		ret->state = HEALTH_FAILING;
	else if (assess_degrading(p, in, now, &r))
		ret->state = HEALTH_DEGRADING;
	else if (assess_worn(p, in, &r))
		ret->state = HEALTH_WORN;
	else {
		reason_add(&r, -1, false, "no reallocated, pending or uncorrectable sectors");
		ret->state = HEALTH_OK;
	}
	ret->since = r.since;
	ret->since_open = r.since_open;
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

static void drive_decide(const struct policy *p, enum job_class cls, enum verdict on_unknown, int64_t job_cooldown,
			 const struct gate_drive *d, int64_t now, struct drive_verdict *v)
{
	const struct health_assessment *h = d->health;
	const char *state = health_state_to_string(h->state);
	char when[32];

	memset(v, 0, sizeof(*v));
	v->verdict = VERDICT_GO;
	switch (h->state) {
	case HEALTH_UNKNOWN:
		v->verdict = on_unknown;
		snprintf(v->reason, sizeof(v->reason), "%s unknown (%s); on_unknown = %s", d->name, h->reason,
			 verdict_to_string(on_unknown));
		return;
	case HEALTH_FAILING:
		if (cls == JOB_MAINTENANCE) {
			v->verdict = VERDICT_REFUSE;
			snprintf(v->reason, sizeof(v->reason), "%s failing (%s); no maintenance on a failing drive",
				 d->name, h->reason);
			return;
		}
		if (d->last_backup_ok >= 0 && d->last_backup_ok >= h->since) {
			format_when(d->last_backup_ok, when, sizeof(when));
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
		v->throttle = true;
		if (cls == JOB_BACKUP) {
			snprintf(v->reason, sizeof(v->reason), "rescue: %s degrading (%s), backup first, throttled",
				 d->name, h->reason);
			break;
		}
		if (d->last_backup_ok < 0 || d->last_backup_ok < h->since) {
			v->verdict = VERDICT_REFUSE;
			snprintf(v->reason, sizeof(v->reason), "%s degrading (%s); maintenance waits for a backup of %s",
				 d->name, h->reason, d->name);
			return;
		}
		snprintf(v->reason, sizeof(v->reason), "%s degrading (%s), backed up since: throttled", d->name,
			 h->reason);
		cooldown_check(d, job_cooldown >= 0 ? job_cooldown : p->cooldown_degrading, now, v);
		break;
	case HEALTH_WORN:
		v->throttle = true;
		snprintf(v->reason, sizeof(v->reason), "%s worn (%s): throttled", d->name, h->reason);
		cooldown_check(d, job_cooldown >= 0 ? job_cooldown : p->cooldown_worn, now, v);
		break;
	case HEALTH_OK:
	default:
		snprintf(v->reason, sizeof(v->reason), "%s %s", d->name, state);
		cooldown_check(d, p->cooldown_ok, now, v);
		break;
	}
	if (v->verdict != VERDICT_GO)
		return;
	/* heat and a running self-test hold back even a rescue: both pass */
	if (h->hot) {
		v->verdict = VERDICT_DEFER;
		snprintf(v->reason, sizeof(v->reason), "%s at %lld C, above the limit of %lld C", d->name,
			 (long long)h->latest->d.temperature_c, (long long)p->max_temperature);
	} else if (h->self_test_running) {
		v->verdict = VERDICT_DEFER;
		snprintf(v->reason, sizeof(v->reason), "%s is running a SMART self-test", d->name);
	}
}

/* For the worst state of a job's drives: not knowing is worse than ok, better than any sign of wear. */
static int severity(enum health_state s)
{
	static const int rank[_HEALTH_STATE_MAX] = {
		[HEALTH_OK] = 0, [HEALTH_UNKNOWN] = 1, [HEALTH_WORN] = 2, [HEALTH_DEGRADING] = 3, [HEALTH_FAILING] = 4,
	};

	return s < _HEALTH_STATE_MAX ? rank[s] : 0;
}

void gate_decide(const struct policy *p, enum job_class cls, enum verdict on_unknown, int64_t job_cooldown,
		 const struct gate_drive *drives, size_t n, int64_t now, struct gate_decision *ret)
{
	struct drive_verdict v;
	struct reasons r;

	memset(ret, 0, sizeof(*ret));
	ret->verdict = VERDICT_GO;
	ret->worst = HEALTH_OK;
	/* first the verdict (the worst drive's), then the reasons of the drives that gave it */
	for (size_t i = 0; i < n; i++) {
		drive_decide(p, cls, on_unknown, job_cooldown, &drives[i], now, &v);
		if (v.verdict > ret->verdict)
			ret->verdict = v.verdict;
		if (severity(drives[i].health->state) > severity(ret->worst))
			ret->worst = drives[i].health->state;
		ret->throttle |= v.throttle;
		ret->last_chance |= v.last_chance;
		if (v.verdict == VERDICT_DEFER && v.retry_at > ret->retry_at)
			ret->retry_at = v.retry_at;
	}
	reasons_init(&r, ret->reason, sizeof(ret->reason));
	for (size_t i = 0; i < n; i++) {
		drive_decide(p, cls, on_unknown, job_cooldown, &drives[i], now, &v);
		if (v.verdict == ret->verdict)
			reason_add(&r, -1, false, "%s", v.reason);
	}
	if (n == 0)
		reason_add(&r, -1, false, "the job touches no drive");
	if (ret->verdict != VERDICT_GO)
		ret->throttle = ret->last_chance = false;
}
