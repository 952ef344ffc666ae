/* health.c — the health model: a drive's state from the signs of its history (pure: no I/O, no clock, no logging) */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "util.h"

static const char *const state_names[_HEALTH_STATE_MAX] = {
	[HEALTH_UNKNOWN] = "unknown", [HEALTH_OK] = "ok",	      [HEALTH_WORN] = "worn",
	[HEALTH_DEGRADING] = "degrading", [HEALTH_FAILING] = "failing",
};

const char *health_state_to_string(enum health_state s)
{
	return s < _HEALTH_STATE_MAX ? state_names[s] : "?";
}

int health_state_from_string(const char *s, enum health_state *ret)
{
	for (int i = 0; i < _HEALTH_STATE_MAX; i++)
		if (strcmp(state_names[i], s) == 0) {
			*ret = (enum health_state)i;
			return 0;
		}
	return -EINVAL;
}

enum health_state health_state_worse(enum health_state a, enum health_state b)
{
	static const int rank[_HEALTH_STATE_MAX] = {
		[HEALTH_OK] = 0, [HEALTH_UNKNOWN] = 1, [HEALTH_WORN] = 2, [HEALTH_DEGRADING] = 3, [HEALTH_FAILING] = 4,
	};
	int ra = a < _HEALTH_STATE_MAX ? rank[a] : 0, rb = b < _HEALTH_STATE_MAX ? rank[b] : 0;

	return rb > ra ? b : a;
}

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
		.kernel_quiet = 7 * 86400,
	};
}

/*
 * The model's rules have a version of their own: a change to how the signs make a state
 * (not to the numbers) bumps it, and the states are recorded anew.
 */
#define HEALTH_MODEL_VERSION 2 /* 2: a failed self-test */

void policy_fingerprint(const struct policy *p, char *buf, size_t len)
{
	/* a gate asks once per drive, of one policy: the text of the last one asked is kept */
	static _Thread_local struct {
		int64_t v[5];
		char text[256];
		bool set;
	} last;
	const int64_t v[5] = { p->window, p->failing_window, p->failing_growth, p->ssd_wear_low, p->kernel_quiet };

	if (!last.set || memcmp(last.v, v, sizeof(v)) != 0) {
		/* sample_max_age words a reason ("between") but never moves a state or its start */
		snprintf(last.text, sizeof(last.text),
			 "model=%d window=%lld failing_window=%lld failing_growth=%lld ssd_wear_low=%lld kernel_quiet=%lld",
			 HEALTH_MODEL_VERSION, (long long)v[0], (long long)v[1], (long long)v[2], (long long)v[3],
			 (long long)v[4]);
		memcpy(last.v, v, sizeof(v));
		last.set = true;
	}
	wg_strlcpy(buf, last.text, len);
}

/*
 * A temperature's normalized value is the temperature on some drives (IBM's Micron SSDs flag
 * 190 prefailure with a threshold above room temperature): the temperature limit judges heat,
 * never a threshold. Nor is a value the drive database says holds raw bytes a normalized one.
 */
static bool judged_by_threshold(const struct smart_reading *r, const struct smart_attr *a)
{
	const struct attr_def *d = attrs_def(r, a->id);

	return !(d->flags & ATTR_DEF_NO_NORMVAL) && d->format != ATTR_FMT_TEMPMINMAX && d->format != ATTR_FMT_TEMP10X &&
	       attrs_meaning(r, a->id) != ATTR_MEANS_TEMPERATURE;
}

const struct smart_attr *health_failing_attr(const struct smart_reading *r)
{
	for (unsigned i = 0; i < r->n_attrs; i++) {
		const struct smart_attr *a = &r->attrs[i];

		if ((a->flags & 1) && a->threshold_valid && a->threshold > 0 && a->threshold < 0xfe &&
		    a->current <= a->threshold && judged_by_threshold(r, a))
			return a;
	}
	return NULL;
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

_Static_assert(WG_ELEMENTSOF(health_media) == HEALTH_SIGN_ASSESSMENT, "the media counters are the first signs");

int64_t health_media_value(const struct smart_derived *d, const struct media_counter *m)
{
	int64_t v;

	memcpy(&v, (const char *)d + m->offset, sizeof(v));
	return v;
}

/* ATA: the high nibble of the self-test execution status is 15 while a test runs. */
#define SELF_TEST_RUNNING 0xf

static bool self_test_running(int status_byte)
{
	return status_byte >= 0 && (status_byte >> 4) == SELF_TEST_RUNNING;
}

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
	ret->self_test_running = self_test_running(r->self_test);
	ret->self_test = smart_test_status_of(r->self_test);
}

void health_point_from_brief(int64_t t, int64_t temperature_c, int self_test, struct health_point *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->t = t;
	/* not from an empty reading: that would build the attribute table only to find nothing in it */
	attrs_derive_unknown(&ret->d);
	ret->d.temperature_c = temperature_c;
	ret->self_test_running = self_test_running(self_test);
	ret->self_test = smart_test_status_of(self_test);
}

/* The store's numbers for the signs that are not attributes: past every attribute id. */
#define CODE_ASSESSMENT 256
#define CODE_PREFAIL 257
#define CODE_WEAR 258
#define CODE_USABLE 259
#define CODE_KERNEL 260
#define CODE_SELF_TEST 261

int health_sign_code(unsigned sign)
{
	if (sign < health_n_media)
		return health_media[sign].id;
	switch (sign) {
	case HEALTH_SIGN_ASSESSMENT:
		return CODE_ASSESSMENT;
	case HEALTH_SIGN_PREFAIL:
		return CODE_PREFAIL;
	case HEALTH_SIGN_WEAR:
		return CODE_WEAR;
	case HEALTH_SIGN_USABLE:
		return CODE_USABLE;
	case HEALTH_SIGN_KERNEL:
		return CODE_KERNEL;
	case HEALTH_SIGN_SELF_TEST:
		return CODE_SELF_TEST;
	default:
		return -1;
	}
}

int health_sign_from_code(int code)
{
	for (unsigned s = 0; s < _HEALTH_SIGN_MAX; s++)
		if (health_sign_code(s) == code)
			return (int)s;
	return -1;
}

int64_t health_sign_value(const struct health_point *pt, unsigned sign)
{
	if (sign < health_n_media)
		return health_media_value(&pt->d, &health_media[sign]);
	switch (sign) {
	case HEALTH_SIGN_ASSESSMENT:
		return pt->smart_ok == 0 || pt->smart_ok == 1 ? pt->smart_ok : -1;
	case HEALTH_SIGN_PREFAIL:
		return pt->failing_id ? pt->failing_id | pt->failing_value << 8 | (int64_t)pt->failing_threshold << 16 : 0;
	case HEALTH_SIGN_WEAR:
		return pt->d.ssd_wear_value;
	case HEALTH_SIGN_USABLE:
		return 1;
	case HEALTH_SIGN_SELF_TEST:
		/* the status byte keeps the last test's end until the next one: a failure is read where it is */
		return pt->self_test < 0 ? -1 : smart_test_status_failed(pt->self_test) ? pt->self_test : 0;
	default:
		return -1;
	}
}

void health_sample_key(const struct smart_reading *r, int64_t key[16])
{
	struct health_point pt;

	memset(key, 0, 16 * sizeof(*key));
	key[0] = r->status;
	if (r->status != READING_OK)
		return;
	health_point_from_reading(r, 0, &pt);
	for (unsigned s = 0; s < _HEALTH_SIGN_MAX && s + 1 < 16; s++)
		key[s + 1] = health_sign_value(&pt, s);
}

void health_track_init(struct health_track *tr)
{
	memset(tr, 0, sizeof(*tr));
	tr->last_t = tr->last_usable_t = tr->episode_at = tr->kernel_since = -1;
	for (unsigned s = 0; s < _HEALTH_SIGN_MAX; s++)
		tr->cur[s] = (struct health_current){ .value = -1, .since = -1, .from = -1, .t_prev = -1 };
	tr->episode.state = HEALTH_UNKNOWN;
	tr->episode.start = -1;
}

void health_track_release(struct health_track *tr)
{
	if (!tr)
		return;
	free(tr->recent);
	tr->recent = NULL;
	tr->n_recent = tr->cap_recent = 0;
}

void health_log_release(struct health_log *log)
{
	if (!log)
		return;
	free(log->changes);
	free(log->episodes);
	memset(log, 0, sizeof(*log));
}

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t c;
	void *x;

	if (n < *cap)
		return 0;
	c = *cap ? 2 * *cap : 16;
	x = realloc(*v, c * size);
	if (!x)
		return -ENOMEM;
	*v = x;
	*cap = c;
	return 0;
}

static int64_t lookback(const struct policy *p)
{
	int64_t l = p->window > p->failing_window ? p->window : p->failing_window;

	return l > p->kernel_quiet ? l : p->kernel_quiet;
}

/* The signs whose changes within a window matter: the media counters, and the kernel's errors. */
static bool windowed(unsigned sign)
{
	return sign < health_n_media || sign == HEALTH_SIGN_KERNEL;
}

void health_track_set_current(struct health_track *tr, const struct health_change *c)
{
	if (c->sign < _HEALTH_SIGN_MAX)
		tr->cur[c->sign] = (struct health_current){ .value = c->to, .since = c->t, .from = c->from, .t_prev = c->t_prev };
}

int health_track_push_recent(struct health_track *tr, const struct health_change *c)
{
	if (!windowed(c->sign))
		return 0;
	if (grow((void **)&tr->recent, &tr->cap_recent, tr->n_recent, sizeof(*tr->recent)) < 0)
		return -ENOMEM;
	tr->recent[tr->n_recent++] = *c;
	return 0;
}

int64_t health_track_lookback(const struct policy *p)
{
	return lookback(p);
}

/* Forget the changes no window can reach any more: the value they left is in the next one's `from`. */
static void prune_recent(const struct policy *p, struct health_track *tr)
{
	size_t k = 0;

	if (tr->last_usable_t < 0)
		return;
	while (k < tr->n_recent && tr->recent[k].t <= tr->last_usable_t - lookback(p))
		k++;
	if (k) {
		memmove(tr->recent, tr->recent + k, (tr->n_recent - k) * sizeof(*tr->recent));
		tr->n_recent -= k;
	}
}

/*
 * Counter m's value as of time y (a sample at y counts): growth within a window is measured
 * from it. Before the counter was first known, its first known value: a history shorter than
 * the window counts from its start.
 */
static int64_t value_at(const struct health_track *tr, unsigned m, int64_t y)
{
	int64_t v = tr->cur[m].value;

	for (size_t i = tr->n_recent; i-- > 0;) {
		const struct health_change *c = &tr->recent[i];

		if (c->sign != m)
			continue;
		if (c->t <= y)
			return c->to;
		if (c->from < 0)
			return c->to;
		v = c->from;
	}
	return v;
}

/* The first change of counter m after y that moved a known value, or NULL. */
static const struct health_change *first_change_after(const struct health_track *tr, unsigned m, int64_t y)
{
	for (size_t i = 0; i < tr->n_recent; i++)
		if (tr->recent[i].sign == m && tr->recent[i].t > y && tr->recent[i].from >= 0)
			return &tr->recent[i];
	return NULL;
}

struct growth {
	bool grew;
	int64_t from, to;
	const struct health_change *first; /* the first change of the growth */
};

/* How counter m moved from y to the newest usable sample. */
static struct growth growth_since(const struct health_track *tr, unsigned m, int64_t y)
{
	struct growth g = { .from = value_at(tr, m, y), .to = tr->cur[m].value };

	if (g.from < 0 || g.to < 0 || g.to <= g.from)
		return g;
	g.grew = true;
	g.first = first_change_after(tr, m, y);
	return g;
}

/*
 * The reasons of one state go to a wg_text; one of no room (len 0) only counts them, so that
 * folding a long history finds the state without writing a word of it.
 */

/* "pending sectors 8 since …", or "pending sectors 8 at the first sample, …" when it never was otherwise. */
static void add_held(struct wg_text *r, const struct health_current *c, const char *label, const char *verb)
{
	char when[32] = "";

	if (r->len)
		wg_format_when(c->since, when, sizeof(when));
	if (c->from < 0)
		wg_text_add(r, "; ", "%s %lld at the first sample, %s", label, (long long)c->value, when);
	else
		wg_text_add(r, "; ", "%s %s%lld since %s", label, verb, (long long)c->value, when);
}

/*
 * A growth is dated by the first sample that showed it; after a gap of more than an hour,
 * "between" the sample before and that one, for it may lie anywhere in the gap. within: the
 * window it was measured over, said when the growth is known to lie inside it.
 */
#define GAP_WORTH_SAYING 3600

static void add_growth(struct wg_text *r, const char *label, const struct growth *g,
		       const char *within)
{
	const struct health_change *c = g->first;
	char a[32] = "", b[32] = "";

	if (c && c->t_prev >= 0 && c->t - c->t_prev > GAP_WORTH_SAYING) {
		if (r->len) {
			wg_format_when(c->t_prev, a, sizeof(a));
			wg_format_when(c->t, b, sizeof(b));
		}
		wg_text_add(r, "; ", "%s %lld → %lld between %s and %s", label, (long long)g->from, (long long)g->to, a, b);
	} else if (within) {
		wg_text_add(r, "; ", "%s %lld → %lld within %s", label, (long long)g->from, (long long)g->to, within);
	} else {
		if (r->len && c)
			wg_format_when(c->t, b, sizeof(b));
		wg_text_add(r, "; ", "%s %lld → %lld since %s", label, (long long)g->from, (long long)g->to, b);
	}
}

static bool judge_failing(const struct policy *p, const struct health_track *tr, int64_t x, struct wg_text *r)
{
	const struct health_current *a = &tr->cur[HEALTH_SIGN_ASSESSMENT], *f = &tr->cur[HEALTH_SIGN_PREFAIL];
	char when[32] = "", window[32] = "", name[32];

	if (a->value == 0) {
		if (r->len)
			wg_format_when(a->since, when, sizeof(when));
		wg_text_add(r, "; ", "SMART self-assessment FAILED since %s", when);
	}
	if (tr->cur[HEALTH_SIGN_SELF_TEST].value > 0) {
		const struct health_current *t = &tr->cur[HEALTH_SIGN_SELF_TEST];

		if (r->len)
			wg_format_when(t->since, when, sizeof(when));
		wg_text_add(r, "; ", "SMART self-test failed (%s) since %s", smart_test_status_to_string((int)t->value),
			    when);
	}
	if (f->value > 0) {
		uint8_t id = (uint8_t)(f->value & 0xff);

		if (r->len)
			wg_format_when(f->since, when, sizeof(when));
		wg_text_add(r, "; ", "prefailure attribute %u %s at %u, threshold %u, since %s", id,
			    r->len ? attr_name(id, name, sizeof(name)) : "", (unsigned)(f->value >> 8 & 0xff),
			    (unsigned)(f->value >> 16 & 0xff), when);
	}
	if (r->len)
		wg_format_age(p->failing_window, window, sizeof(window));
	for (unsigned m = 0; m < health_n_media; m++) {
		struct growth g = growth_since(tr, m, x - p->failing_window);

		if (g.grew && g.to - g.from >= p->failing_growth)
			add_growth(r, health_media[m].label, &g, window);
	}
	/* once failing, always: what opened the episode is why, whatever the signs say now */
	if (r->parts == 0 && tr->episode.state == HEALTH_FAILING) {
		if (r->len)
			wg_format_when(tr->episode.start, when, sizeof(when));
		wg_text_add(r, "; ", "failing since %s (%s); a failing drive stays failing until it is replaced", when,
			    tr->episode.sign);
	}
	return r->parts > 0;
}

static bool judge_degrading(const struct policy *p, const struct health_track *tr, int64_t x, struct wg_text *r)
{
	struct growth k = growth_since(tr, HEALTH_SIGN_KERNEL, x - p->kernel_quiet);

	for (unsigned m = 0; m < health_n_media; m++) {
		struct growth g = growth_since(tr, m, x - p->window);

		if (g.grew)
			add_growth(r, health_media[m].label, &g, NULL);
		else if (health_media[m].degrading_when_present && tr->cur[m].value > 0)
			add_held(r, &tr->cur[m], health_media[m].label, "");
	}
	/* the fastest sign of a failing disk: the kernel could not read or write it */
	if (k.grew) {
		int64_t since = tr->kernel_since >= 0 ? tr->kernel_since : k.first ? k.first->t : -1;
		char when[32] = "";

		if (r->len && since >= 0)
			wg_format_when(since, when, sizeof(when));
		wg_text_add(r, "; ", "the kernel logged I/O errors on it since %s%s%s%s", when,
			    tr->kernel_line[0] ? ": \"" : "", tr->kernel_line, tr->kernel_line[0] ? "\"" : "");
	}
	return r->parts > 0;
}

static bool judge_worn(const struct policy *p, const struct health_track *tr, struct wg_text *r)
{
	const struct health_current *w = &tr->cur[HEALTH_SIGN_WEAR];
	char when[32] = "";

	for (unsigned m = 0; m < health_n_media; m++)
		if (tr->cur[m].value > 0)
			add_held(r, &tr->cur[m], health_media[m].label, "stable at ");
	if (w->value >= 0 && w->value <= p->ssd_wear_low) {
		if (r->len)
			wg_format_when(w->since, when, sizeof(when));
		wg_text_add(r, "; ", "SSD wear indicator %lld, at or below %lld, since %s", (long long)w->value,
			    (long long)p->ssd_wear_low, when);
	}
	return r->parts > 0;
}

/*
 * The state the signs give at time x (at or after the newest sample taken in), and its
 * reasons in buf; buf NULL for the state alone.
 */
static enum health_state judge(const struct policy *p, const struct health_track *tr, int64_t x, char *buf,
			       size_t len)
{
	struct wg_text r;

	wg_text_init(&r, buf, buf ? len : 0);
	if (tr->last_usable_t < 0)
		return HEALTH_UNKNOWN;
	if (judge_failing(p, tr, x, &r))
		return HEALTH_FAILING;
	if (judge_degrading(p, tr, x, &r))
		return HEALTH_DEGRADING;
	if (judge_worn(p, tr, &r))
		return HEALTH_WORN;
	wg_text_add(&r, "; ", "no reallocated, pending or uncorrectable sectors");
	return HEALTH_OK;
}

static int log_episode(struct health_log *log, const struct health_episode *e)
{
	if (!log)
		return 0;
	if (grow((void **)&log->episodes, &log->cap_episodes, log->n_episodes, sizeof(*log->episodes)) < 0)
		return -ENOMEM;
	log->episodes[log->n_episodes++] = *e;
	return 0;
}

static int log_change(struct health_log *log, const struct health_change *c)
{
	if (!log)
		return 0;
	if (grow((void **)&log->changes, &log->cap_changes, log->n_changes, sizeof(*log->changes)) < 0)
		return -ENOMEM;
	log->changes[log->n_changes++] = *c;
	return 0;
}

/* Judge at x and open an episode when the state is not the open one's. */
static int settle(const struct policy *p, const struct health_track *tr, struct health_episode *ep, int64_t x,
		  struct health_log *log)
{
	struct health_track view = *tr;
	enum health_state s;

	view.episode = *ep; /* stickiness follows the episode being advanced */
	s = judge(p, &view, x, NULL, 0);
	if (s == ep->state || s == HEALTH_UNKNOWN)
		return 0;
	/* only a new episode is worth its words */
	judge(p, &view, x, ep->sign, sizeof(ep->sign));
	ep->state = s;
	ep->start = x;
	return log_episode(log, ep);
}

static int cmp_time(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Between samples only the windows move: a growth leaves a window at its time plus the
 * window. Judge at each such moment after `from` and before `until`, in order.
 */
static int advance(const struct policy *p, const struct health_track *tr, struct health_episode *ep, int64_t from,
		   int64_t until, struct health_log *log)
{
	int64_t *times;
	size_t n = 0;
	int r = 0;

	if (tr->n_recent == 0 || until <= from)
		return 0;
	times = malloc(2 * tr->n_recent * sizeof(*times));
	if (!times)
		return -ENOMEM;
	for (size_t i = 0; i < tr->n_recent; i++) {
		const struct health_change *c = &tr->recent[i];
		const int64_t e[2] = { c->t + (c->sign == HEALTH_SIGN_KERNEL ? p->kernel_quiet : p->window),
				       c->t + (c->sign == HEALTH_SIGN_KERNEL ? p->kernel_quiet : p->failing_window) };

		for (int k = 0; k < 2; k++)
			if (e[k] > from && e[k] < until && (k == 0 || e[1] != e[0]))
				times[n++] = e[k];
	}
	qsort(times, n, sizeof(*times), cmp_time);
	for (size_t i = 0; i < n && r >= 0; i++)
		if (i == 0 || times[i] != times[i - 1])
			r = settle(p, tr, ep, times[i], log);
	free(times);
	return r;
}

/* Apply the changes of the sample at t to the track: the current values, and the media counters' recent changes. */
static int apply(struct health_track *tr, const struct health_change *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (health_track_push_recent(tr, &c[i]) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		health_track_set_current(tr, &c[i]);
	return 0;
}

int health_track_add(const struct policy *p, struct health_track *tr, int64_t t, const struct health_point *pt,
		     struct health_log *log)
{
	struct health_change c[_HEALTH_SIGN_MAX];
	struct health_episode ep = tr->episode;
	size_t n = 0, log_changes = log ? log->n_changes : 0, log_episodes = log ? log->n_episodes : 0;
	size_t n_recent = tr->n_recent;
	int r = 0;

	/* the windows moved since the last sample (none when the clock went back: the caller reloads) */
	if (tr->episode_at >= 0 && t > tr->episode_at)
		r = advance(p, tr, &ep, tr->episode_at, t, log);
	for (unsigned s = 0; r >= 0 && s < _HEALTH_SIGN_MAX; s++) {
		int64_t v = s == HEALTH_SIGN_USABLE ? pt != NULL : pt ? health_sign_value(pt, s) : -1;

		/* an unknown value is stepped over: the sign keeps what it last was */
		if (v < 0 || v == tr->cur[s].value)
			continue;
		c[n] = (struct health_change){
			.sign = s,
			.t = t,
			.t_prev = s == HEALTH_SIGN_USABLE ? (pt ? tr->last_t : tr->last_usable_t) : tr->last_usable_t,
			.from = tr->cur[s].value,
			.to = v,
		};
		r = log_change(log, &c[n++]);
	}
	if (r >= 0)
		r = apply(tr, c, n);
	if (r < 0) {
		/* as it was: what this sample added to the log and the recent changes is taken back */
		if (log) {
			log->n_changes = log_changes;
			log->n_episodes = log_episodes;
		}
		tr->n_recent = n_recent;
		return r;
	}
	tr->last_t = t;
	if (pt)
		tr->last_usable_t = t;
	r = settle(p, tr, &ep, t, log);
	tr->episode = ep;
	tr->episode_at = t;
	prune_recent(p, tr);
	return r;
}

int health_track_replay(const struct policy *p, struct health_track *tr, const struct health_change *c, size_t n,
			struct health_log *log)
{
	struct health_episode ep = tr->episode;
	int64_t t;
	int r = 0;

	if (n == 0)
		return 0;
	t = c[0].t;
	if (tr->episode_at >= 0 && t > tr->episode_at)
		r = advance(p, tr, &ep, tr->episode_at, t, log);
	if (r >= 0)
		r = apply(tr, c, n);
	if (r < 0)
		return r;
	tr->last_t = t;
	if (tr->cur[HEALTH_SIGN_USABLE].value == 1)
		tr->last_usable_t = t;
	r = settle(p, tr, &ep, t, log);
	tr->episode = ep;
	tr->episode_at = t;
	prune_recent(p, tr);
	return r;
}

int health_track_note_kernel(const struct policy *p, struct health_track *tr, int64_t t, int64_t count,
			     const char *first_line, struct health_log *log)
{
	struct health_episode ep = tr->episode;
	size_t log_changes = log ? log->n_changes : 0, log_episodes = log ? log->n_episodes : 0, n_recent = tr->n_recent;
	int64_t from = tr->cur[HEALTH_SIGN_KERNEL].value < 0 ? 0 : tr->cur[HEALTH_SIGN_KERNEL].value;
	struct health_change c = {
		.sign = HEALTH_SIGN_KERNEL, .t = t, .t_prev = tr->last_t, .from = from, .to = from + count,
	};
	bool quiet = !growth_since(tr, HEALTH_SIGN_KERNEL, t - p->kernel_quiet).grew;
	int r = 0;

	if (count <= 0)
		return 0;
	if (tr->episode_at >= 0 && t > tr->episode_at)
		r = advance(p, tr, &ep, tr->episode_at, t, log);
	if (r >= 0)
		r = log_change(log, &c);
	if (r >= 0)
		r = apply(tr, &c, 1);
	if (r < 0) {
		if (log) {
			log->n_changes = log_changes;
			log->n_episodes = log_episodes;
		}
		tr->n_recent = n_recent;
		return r;
	}
	/* a new stretch of errors: its first line, and when, are what the reason quotes */
	if (quiet || tr->kernel_since < 0) {
		wg_strlcpy(tr->kernel_line, first_line ? first_line : "", sizeof(tr->kernel_line));
		tr->kernel_since = t;
	}
	if (tr->last_usable_t >= 0)
		r = settle(p, tr, &ep, t, log);
	tr->episode = ep;
	if (t > tr->episode_at)
		tr->episode_at = t;
	return r;
}

int health_track_advance(const struct policy *p, struct health_track *tr, int64_t t, struct health_log *log)
{
	struct health_episode ep = tr->episode;
	int r;

	if (tr->episode_at < 0 || t <= tr->episode_at)
		return 0;
	r = advance(p, tr, &ep, tr->episode_at, t + 1, log);
	if (r < 0)
		return r;
	tr->episode = ep;
	tr->episode_at = t;
	return 0;
}

static void assess_unknown(const struct policy *p, const struct health_track *tr, const struct health_now *in,
			   int64_t now, struct wg_text *r)
{
	char age[32], limit[32];

	wg_format_age(p->sample_max_age, limit, sizeof(limit));
	if (!in->sampled) {
		wg_text_add(r, "; ", "never sampled");
		return;
	}
	if (in->latest_status != READING_OK) {
		/* the reason names the status itself ("standby: not woken …", "cannot open …") */
		wg_format_age(now - in->latest_t, age, sizeof(age));
		wg_text_add(r, "; ", "latest sample %s ago: %s", age,
			    in->latest_reason && in->latest_reason[0] ? in->latest_reason
								      : reading_status_to_string(in->latest_status));
	}
	if (in->duplicate)
		return;
	if (tr->last_usable_t < 0) {
		wg_text_add(r, "; ", "no usable sample");
		return;
	}
	wg_format_age(now - tr->last_usable_t, age, sizeof(age));
	wg_text_add(r, "; ", "the latest usable sample is %s old (limit %s)", age, limit);
}

void health_assess(const struct policy *p, const struct health_track *tr, const struct health_now *in, int64_t now,
		   struct health_assessment *ret)
{
	struct wg_text r;

	memset(ret, 0, sizeof(*ret));
	ret->since = -1;
	ret->temperature_c = ATTR_UNKNOWN;
	ret->episode = tr->episode;
	/* the state at now: the windows moved on since the newest sample (failure to do so is only a lost refinement) */
	if (tr->episode_at >= 0 && now > tr->episode_at)
		advance(p, tr, &ret->episode, tr->episode_at, now + 1, NULL);
	wg_text_init(&r, ret->reason, sizeof(ret->reason));
	if (!in->sampled || in->duplicate || tr->last_usable_t < 0 || now - tr->last_usable_t > p->sample_max_age) {
		assess_unknown(p, tr, in, now, &r);
		ret->state = HEALTH_UNKNOWN;
		ret->duplicate = in->sampled && in->duplicate;
		return;
	}
	{
		struct health_track view = *tr;

		view.episode = ret->episode;
		ret->state = judge(p, &view, now, ret->reason, sizeof(ret->reason));
	}
	ret->since = ret->episode.state == ret->state ? ret->episode.start : now;
	if (in->latest_usable) {
		ret->temperature_c = in->latest_usable->d.temperature_c;
		ret->hot = p->max_temperature > 0 && ret->temperature_c != ATTR_UNKNOWN &&
			   ret->temperature_c > p->max_temperature;
		ret->self_test_running = in->latest_usable->self_test_running;
	}
}
