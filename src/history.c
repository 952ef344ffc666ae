/* history.c — the history as `weargate history` shows it: a drive's series, its buckets and trends, the events */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attrs.h"
#include "history.h"

void history_series_init(struct history_series *s, const char *name, const uint8_t *attrs, size_t n_attrs)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->drive_id = -1;
	s->n_attrs = n_attrs < HISTORY_ATTRS_MAX ? n_attrs : HISTORY_ATTRS_MAX;
	memcpy(s->attrs, attrs, s->n_attrs * sizeof(*attrs));
	for (size_t i = 0; i < HISTORY_ATTRS_MAX; i++)
		s->last[i] = ATTR_UNKNOWN;
}

void history_series_release(struct history_series *s)
{
	free(s->t);
	free(s->v);
	s->t = NULL;
	s->v = NULL;
	s->n = s->cap = 0;
}

int history_series_add(struct history_series *s, const struct store_sample *sample)
{
	/* an unchanged reading has the values of the one before it */
	if (!sample->unchanged) {
		struct smart_derived d;

		attrs_derive(&sample->reading, &d);
		for (size_t i = 0; i < s->n_attrs; i++)
			s->last[i] = attrs_value(&sample->reading, &d, s->attrs[i]);
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 256;
		int64_t *t, *v;

		t = realloc(s->t, cap * sizeof(*t));
		if (!t)
			return -ENOMEM;
		s->t = t;
		v = realloc(s->v, cap * s->n_attrs * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->t[s->n] = sample->t;
	memcpy(&s->v[s->n * s->n_attrs], s->last, s->n_attrs * sizeof(*s->last));
	s->n++;
	return 0;
}

static int on_sample(const struct store_sample *sample, void *userdata)
{
	return history_series_add(userdata, sample);
}

int history_series_load(struct store *store, struct history_series *s, int64_t since, int64_t until,
			struct wg_err *err)
{
	struct store_sample *latest = malloc(sizeof(*latest));
	int r;

	if (!latest)
		return wg_err_set(err, -ENOMEM, "out of memory");
	/* the drive that is there now: its history follows it wherever it was before */
	r = store_latest_by_name(store, s->name, latest, err);
	if (r == 0)
		s->drive_id = latest->drive_id;
	free(latest);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	r = store_foreach_sample(store, s->drive_id, since, until, on_sample, s, err);
	if (r == -ENOMEM)
		wg_err_set(err, r, "out of memory");
	return r < 0 ? r : 0;
}

bool history_first_last(const struct history_series *s, size_t attr, size_t *ret_first, size_t *ret_last)
{
	bool found = false;

	for (size_t k = 0; k < s->n; k++) {
		if (history_value(s, k, attr) == ATTR_UNKNOWN)
			continue;
		if (!found)
			*ret_first = k;
		*ret_last = k;
		found = true;
	}
	return found;
}

int history_bucketize(const struct history_series *s, size_t max, struct history_bucket **ret, size_t *ret_n)
{
	struct history_bucket *b = calloc(s->n ? s->n : 1, sizeof(*b));
	size_t n = 0;
	int64_t prev = -1;

	if (!b)
		return -ENOMEM;
	for (size_t k = 0; k < s->n; k++) {
		int64_t idx = (int64_t)k;
		struct history_bucket *x;

		if (max > 0 && s->n > max)
			idx = (s->t[k] - s->t[0]) * (int64_t)max / (s->t[s->n - 1] - s->t[0] + 1);
		if (n == 0 || idx != prev) {
			x = &b[n++];
			x->t0 = s->t[k];
			for (size_t i = 0; i < s->n_attrs; i++)
				x->min[i] = x->max[i] = x->last[i] = ATTR_UNKNOWN;
		}
		x = &b[n - 1];
		prev = idx;
		x->t1 = s->t[k];
		x->n++;
		for (size_t i = 0; i < s->n_attrs; i++) {
			int64_t v = history_value(s, k, i);

			if (v == ATTR_UNKNOWN)
				continue;
			if (x->min[i] == ATTR_UNKNOWN || v < x->min[i])
				x->min[i] = v;
			if (x->max[i] == ATTR_UNKNOWN || v > x->max[i])
				x->max[i] = v;
			x->last[i] = v;
		}
	}
	*ret = b;
	*ret_n = n;
	return 0;
}

bool history_spark_range(const struct history_bucket *b, size_t n, size_t attr, int64_t *ret_lo, int64_t *ret_hi)
{
	int64_t lo = ATTR_UNKNOWN, hi = ATTR_UNKNOWN;

	for (size_t k = 0; k < n; k++) {
		int64_t v = b[k].max[attr];

		if (v == ATTR_UNKNOWN)
			continue;
		if (lo == ATTR_UNKNOWN || v < lo)
			lo = v;
		if (hi == ATTR_UNKNOWN || v > hi)
			hi = v;
	}
	*ret_lo = lo;
	*ret_hi = hi;
	return lo != ATTR_UNKNOWN;
}

int history_spark_level(int64_t v, int64_t lo, int64_t hi)
{
	return hi > lo ? (int)((v - lo) * (HISTORY_SPARK_LEVELS - 1) / (hi - lo)) : 0;
}

static bool attr_is_counter(uint8_t id)
{
	enum attr_kind k = attr_kind(id);

	return k == ATTR_MEDIA || k == ATTR_NOISY || k == ATTR_INTERFACE;
}

void history_trend_of(const struct history_series *s, size_t attr, struct history_trend *ret)
{
	struct history_trend t = { .nonzero = -1 };
	int64_t best = 0;
	size_t prev = 0;
	bool have_prev = false;

	t.known = history_first_last(s, attr, &t.first, &t.last);
	for (size_t k = 0; t.known && k < s->n; k++) {
		int64_t v = history_value(s, k, attr);

		if (v == ATTR_UNKNOWN)
			continue;
		if (t.nonzero < 0 && v > 0 && attr_is_counter(s->attrs[attr]))
			t.nonzero = (int64_t)k;
		if (have_prev) {
			int64_t d = v - history_value(s, prev, attr);

			if (d < 0)
				d = -d;
			if (d > best) {
				best = d;
				t.have_jump = true;
				t.jump_from = prev;
				t.jump_to = k;
			}
		}
		prev = k;
		have_prev = true;
	}
	if (t.known && s->t[t.last] > s->t[t.first]) {
		t.have_per_day = true;
		t.per_day = (double)(history_value(s, t.last, attr) - history_value(s, t.first, attr)) * 86400.0 /
			    (double)(s->t[t.last] - s->t[t.first]);
	}
	*ret = t;
}

int history_events_add(struct history_events *events, struct history_event *e, const char *reason, const char *states)
{
	e->reason = strdup(reason ? reason : "");
	e->states = strdup(states ? states : "");
	if (!e->reason || !e->states) {
		free(e->reason);
		free(e->states);
		return -ENOMEM;
	}
	if (events->n == events->cap) {
		size_t cap = events->cap ? 2 * events->cap : 32;
		struct history_event *x = realloc(events->v, cap * sizeof(*x));

		if (!x) {
			free(e->reason);
			free(e->states);
			return -ENOMEM;
		}
		events->v = x;
		events->cap = cap;
	}
	e->seq = events->n;
	events->v[events->n++] = *e;
	return 0;
}

static int event_cmp(const void *a, const void *b)
{
	const struct history_event *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void history_events_sort(struct history_events *events)
{
	if (events->n) /* none: no array to sort at all */
		qsort(events->v, events->n, sizeof(*events->v), event_cmp);
}

void history_events_release(struct history_events *events)
{
	for (size_t k = 0; k < events->n; k++) {
		free(events->v[k].reason);
		free(events->v[k].states);
	}
	free(events->v);
	*events = (struct history_events){ 0 };
}

bool history_states_mention(const char *states, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = states; (p = strstr(p, name)); p++)
		if ((p == states || p[-1] == ' ') && p[len] == '=')
			return true;
	return false;
}

struct events_load {
	struct history_events events;
	const char *drive;                /* whose episodes are being read */
	const char *const *filter;
};

/* An episode: the state the drive entered, when, and what opened it. */
static int on_episode(const struct store_episode *ep, void *userdata)
{
	struct events_load *l = userdata;
	struct history_event e = { .kind = HISTORY_EVENT_STATE, .t = ep->start, .drive = l->drive };

	wg_strlcpy(e.verdict, ep->state, sizeof(e.verdict));
	return history_events_add(&l->events, &e, ep->sign, NULL);
}

static int on_clock_step(int64_t t, int64_t back_from, void *userdata)
{
	struct events_load *l = userdata;
	struct history_event e = { .kind = HISTORY_EVENT_CLOCK, .t = t, .drive = "-" };
	char from[32], reason[160];

	wg_format_utc(back_from, from, sizeof(from));
	wg_strlcpy(e.verdict, "back", sizeof(e.verdict));
	snprintf(reason, sizeof(reason),
		 "the clock went back: this pass was stamped before the one recorded before it, at %s", from);
	return history_events_add(&l->events, &e, reason, NULL);
}

static int on_decision(const struct store_decision *d, void *userdata)
{
	struct events_load *l = userdata;
	struct history_event e = { .kind = HISTORY_EVENT_DECISION, .t = d->t };
	bool keep = !l->filter;

	for (const char *const *f = l->filter; f && *f && !keep; f++)
		keep = history_states_mention(d->states, *f);
	wg_strlcpy(e.job, d->job, sizeof(e.job));
	wg_strlcpy(e.verdict, d->verdict, sizeof(e.verdict));
	return keep ? history_events_add(&l->events, &e, d->reason, d->states) : 0;
}

/* The state changes of one drive, the one called name now; none when it was never sampled. */
static int load_episodes(struct store *store, struct events_load *l, const char *name, int64_t since, int64_t until,
			 struct wg_err *err)
{
	struct store_sample *latest = malloc(sizeof(*latest));
	int r;

	r = latest ? store_latest_by_name(store, name, latest, err) : -ENOMEM;
	if (r == 0) {
		l->drive = name;
		r = store_foreach_episode(store, latest->drive_id, since, until, on_episode, l, err);
	}
	free(latest);
	if (r == -ENOENT)
		r = 0;
	if (r == -ENOMEM)
		wg_err_set(err, r, "out of memory");
	return r;
}

int history_events_load(struct store *store, const char *const *drives, size_t n_drives, const char *const *filter,
			int64_t since, int64_t until, struct history_events *ret, struct wg_err *err)
{
	struct events_load l = { .filter = filter };
	int r = 0;

	for (size_t i = 0; r >= 0 && i < n_drives; i++)
		r = load_episodes(store, &l, drives[i], since, until, err);
	if (r >= 0)
		r = store_foreach_decision(store, since, until, on_decision, &l, err);
	if (r >= 0)
		r = store_foreach_clock_step(store, since, until, on_clock_step, &l, err);
	if (r == -ENOMEM)
		wg_err_set(err, r, "out of memory");
	if (r < 0) {
		history_events_release(&l.events);
		return r;
	}
	history_events_sort(&l.events);
	*ret = l.events;
	return 0;
}
