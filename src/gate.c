/* gate.c — what the history says about drives and jobs: facts gathered from the store for the policy */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "resolve.h"
#include "sampler.h"

struct points {
	struct health_point *v;
	size_t n, cap;
	bool last_kept; /* the previous sample of the walk is v[n - 1] */
};

static int push_point(struct points *pts, const struct health_point *pt)
{
	if (pts->n == pts->cap) {
		size_t cap = pts->cap ? 2 * pts->cap : 256;
		struct health_point *v = realloc(pts->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		pts->v = v;
		pts->cap = cap;
	}
	pts->v[pts->n++] = *pt;
	return 0;
}

static int collect_usable(const struct store_sample *sample, void *userdata)
{
	struct points *pts = userdata;
	bool previous_kept = pts->last_kept;
	struct health_point pt;

	pts->last_kept = false;
	if (sample->reading.status != READING_OK)
		return 0;
	/* the same reading as the sample before: only its time is new */
	if (sample->unchanged && previous_kept)
		pt = pts->v[pts->n - 1], pt.t = sample->t;
	else
		health_point_from_reading(&sample->reading, sample->t, &pt);
	if (push_point(pts, &pt) < 0)
		return -ENOMEM;
	pts->last_kept = true;
	return 0;
}

/* How far back to look for when a sign began: at most this, eight times further each time. */
#define LOOKBACK_MAX (3 * 366 * 86400)
#define LOOKBACK_GROWTH 8

/* The usable samples since `since`, and the reading taken now that could not be recorded, if any. */
static int load_points(struct store *s, const struct drive_health *h, int64_t since, int64_t now,
		       const struct smart_reading *fresh, struct points *pts, struct wg_err *err)
{
	int r = 0;

	pts->n = 0;
	pts->last_kept = false;
	/* no upper bound: samples stamped ahead of a clock set back still count */
	if (h->drive_id >= 0)
		r = store_foreach_sample(s, h->drive_id, since, INT64_MAX, collect_usable, pts, err);
	if (r >= 0 && fresh) {
		struct store_sample sample = { .t = now, .drive_id = h->drive_id, .reading = *fresh };

		r = collect_usable(&sample, pts);
	}
	if (r == -ENOMEM)
		wg_err_set(err, r, "out of memory");
	return r;
}

/* fresh: a reading taken now that could not be recorded (a read-only store), counted as the newest sample. */
static int health_load(struct store *s, const struct policy *p, const struct drive_cfg *d, int64_t now,
		       const struct smart_reading *fresh, struct drive_health *ret, struct wg_err *err)
{
	struct health_input in = { 0 };
	struct points pts = { 0 };
	/* the window, and a margin before it for the sample growth is measured from */
	int64_t lookback = p->window + p->sample_max_age;
	int r;

	memset(ret, 0, sizeof(*ret));
	ret->drive = d;
	ret->drive_id = -1;
	ret->latest = malloc(sizeof(*ret->latest));
	if (!ret->latest)
		return wg_err_set(err, -ENOMEM, "out of memory");
	r = store_latest_by_name(s, d->name, ret->latest, err);
	if (r == -ENOENT) {
		free(ret->latest);
		ret->latest = NULL;
	} else if (r < 0) {
		goto fail;
	} else {
		ret->drive_id = ret->latest->drive_id;
	}
	if (fresh) {
		if (!ret->latest && !(ret->latest = malloc(sizeof(*ret->latest)))) {
			r = wg_err_set(err, -ENOMEM, "out of memory");
			goto fail;
		}
		*ret->latest = (struct store_sample){ .t = now, .drive_id = ret->drive_id, .reading = *fresh };
	}
	ret->sampled = ret->latest != NULL;
	for (;;) {
		r = load_points(s, ret, now - lookback, now, fresh, &pts, err);
		if (r < 0)
			goto fail;
		in = (struct health_input){
			.sampled = ret->sampled,
			.latest_t = ret->latest ? ret->latest->t : 0,
			.latest_status = ret->latest ? ret->latest->reading.status : READING_ERROR,
			.latest_reason = ret->latest ? ret->latest->reading.reason : NULL,
			.points = pts.v,
			.n = pts.n,
		};
		health_assess(p, &in, now, &ret->health);
		/*
		 * "Since the degradation began" decides whether a backup counts: when the sign was in
		 * every sample looked at, look further back, unless the history itself begins there.
		 */
		if (ret->health.state < HEALTH_DEGRADING || !ret->health.since_open || lookback >= LOOKBACK_MAX ||
		    pts.v[0].t > now - lookback)
			break;
		lookback = lookback > LOOKBACK_MAX / LOOKBACK_GROWTH ? LOOKBACK_MAX : lookback * LOOKBACK_GROWTH;
	}
	ret->points = pts.v;
	ret->n = pts.n;
	return 0;
fail:
	free(pts.v);
	free(ret->latest);
	ret->latest = NULL;
	return r;
}

int drive_health_load(struct store *s, const struct policy *p, const struct drive_cfg *d, int64_t now,
		      struct drive_health *ret, struct wg_err *err)
{
	return health_load(s, p, d, now, NULL, ret, err);
}

/* A standby or unreadable drive shows its last good values, as long as they are this recent. */
#define USABLE_LOOKBACK (7 * 86400)

struct usable_walk {
	struct store_sample *sample;
	bool found;
};

static int keep_usable(const struct store_sample *s, void *userdata)
{
	struct usable_walk *w = userdata;

	if (s->reading.status == READING_OK) {
		*w->sample = *s;
		w->found = true;
	}
	return 0;
}

int drive_usable_sample(struct store *s, const struct store_sample *latest, struct store_sample *ret,
			bool *ret_found, struct wg_err *err)
{
	struct usable_walk w = { .sample = ret };
	int r = 0;

	if (latest->reading.status == READING_OK) {
		*ret = *latest;
		w.found = true;
	} else {
		r = store_foreach_sample(s, latest->drive_id, latest->t - USABLE_LOOKBACK, latest->t, keep_usable, &w,
					 err);
	}
	*ret_found = w.found;
	return r;
}

void drive_health_release(struct drive_health *h)
{
	if (!h)
		return;
	free(h->points);
	free(h->latest);
	h->points = NULL;
	h->latest = NULL;
}

/* Whether a drive's newest sample is missing or older than sample_max_age. */
static bool stale(const struct policy *p, const struct drive_health *h, int64_t now)
{
	return !h->latest || now - h->latest->t > p->sample_max_age;
}

static void warning_add(struct gate_result *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warning_add(struct gate_result *res, const char *fmt, ...)
{
	size_t used = strlen(res->warning);
	va_list ap;

	if (used && used + 2 < sizeof(res->warning)) {
		memcpy(res->warning + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(res->warning + used, sizeof(res->warning) - used, fmt, ap);
	va_end(ap);
}

/*
 * Read the drives whose samples are stale, record the pass when allowed, and assess them
 * again: from the history when the pass was recorded, else with the readings themselves.
 */
static int sample_stale(const struct config *c, struct store *s, const struct drive_cfg **drives, size_t n,
			int64_t now, const struct gate_opts *opts, struct gate_result *res, struct wg_err *err)
{
	const struct drive_cfg **todo = calloc(n ? n : 1, sizeof(*todo));
	struct smart_reading *readings = calloc(n ? n : 1, sizeof(*readings));
	struct sampler_opts so = { .sysfs_root = opts->env->sysfs_root };
	size_t *slot = calloc(n ? n : 1, sizeof(*slot));
	struct wg_err serr = { "" };
	bool recorded = false;
	size_t m = 0;
	int r = 0;

	if (!todo || !readings || !slot) {
		r = wg_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (stale(&c->policy, &res->drives[i], now))
			slot[m] = i, todo[m++] = drives[i];
	if (m == 0)
		goto out;
	res->sampled = true;
	r = sampler_read_all(todo, m, &so, readings);
	if (r < 0) {
		r = wg_err_set(err, r, "out of memory");
		goto out;
	}
	if (opts->record) {
		r = store_pass_begin(s, now, &serr);
		for (size_t i = 0; r >= 0 && i < m; i++)
			r = store_pass_add(s, todo[i]->name, &readings[i], &serr);
		if (r >= 0)
			r = store_pass_commit(s, &serr);
		recorded = r >= 0;
		if (!recorded) {
			store_pass_abort(s);
			warning_add(res, "the new sample was not recorded: %s", serr.msg);
		}
	}
	/* a drive that did not answer in time is judged by what the history holds of it: say so */
	for (size_t i = 0; i < m; i++)
		if (readings[i].status == READING_TIMEOUT)
			warning_add(res, "%s: %s: judged from its history", todo[i]->name, readings[i].reason);
	for (size_t i = 0; i < m; i++) {
		struct drive_health *h = &res->drives[slot[i]];

		drive_health_release(h);
		r = health_load(s, &c->policy, todo[i], now, recorded ? NULL : &readings[i], h, err);
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	free(slot);
	free(readings);
	free(todo);
	return r;
}

static void states_line(struct gate_result *res)
{
	size_t used = 0;

	res->states[0] = '\0';
	for (size_t i = 0; i < res->n && used < sizeof(res->states); i++) {
		int k = snprintf(res->states + used, sizeof(res->states) - used, "%s%s=%s", i ? " " : "",
				 res->drives[i].drive->name, health_state_to_string(res->drives[i].health.state));

		if (k < 0)
			break;
		used += (size_t)k;
	}
}

int gate_check(const struct config *c, struct store *s, const struct job_cfg *j, int64_t now,
	       const struct gate_opts *opts, struct gate_result *ret, struct wg_err *err)
{
	const struct drive_cfg **drives = NULL;
	size_t n = 0;
	int r;

	memset(ret, 0, sizeof(*ret));
	ret->job = j;
	r = resolve_job_drives(c, j, opts->env, &drives, &n, &ret->unmonitored, err);
	if (r < 0) /* whatever the cause, the job's paths or drives are what to fix */
		return r == -ENOMEM ? r : -EINVAL;
	ret->drives = calloc(n ? n : 1, sizeof(*ret->drives));
	ret->facts = calloc(n ? n : 1, sizeof(*ret->facts));
	if (!ret->drives || !ret->facts) {
		r = wg_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (; ret->n < n; ret->n++) {
		r = health_load(s, &c->policy, drives[ret->n], now, NULL, &ret->drives[ret->n], err);
		if (r < 0)
			goto out;
	}
	if (opts->may_sample) {
		r = sample_stale(c, s, drives, n, now, opts, ret, err);
		if (r < 0)
			goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct drive_health *h = &ret->drives[i];
		struct gate_drive *f = &ret->facts[i];

		*f = (struct gate_drive){
			.name = drives[i]->name,
			.health = &h->health,
			.last_heavy_end = -1,
			.last_backup_ok = -1,
		};
		if (h->drive_id >= 0) {
			r = store_last_heavy_end(s, h->drive_id, &f->last_heavy_end, err);
			if (r >= 0)
				r = store_last_backup_ok(s, h->drive_id, &f->last_backup_ok, err);
			if (r < 0)
				goto out;
		}
	}
	gate_decide(&c->policy, j->class, j->on_unknown, j->cooldown, ret->facts, ret->n, now, &ret->decision);
	states_line(ret);
	r = 0;
out:
	free(drives);
	if (r < 0)
		gate_result_release(ret);
	return r;
}

int gate_record(struct store *s, const struct gate_result *res, int64_t now, struct wg_err *err)
{
	return store_decision_add(s, now, res->job->name, verdict_to_string(res->decision.verdict),
				  res->decision.reason, res->states, err);
}

void gate_result_release(struct gate_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		drive_health_release(&r->drives[i]);
	free(r->drives);
	free(r->facts);
	strv_free(r->unmonitored);
	r->drives = NULL;
	r->facts = NULL;
	r->unmonitored = NULL;
	r->n = 0;
}
