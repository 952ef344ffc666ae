/* test-history.c — a drive's series from its samples, its buckets, trends and sparklines, the events' order */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "attrs.h"
#include "history.h"
#include "reading-builder.h"

#define DAY 86400
#define U ATTR_UNKNOWN
#define SAMPLES_MAX 8

/* A series of one attribute (id) from times and values: the shape the data functions read. */
static void series_of(struct history_series *s, uint8_t id, const int64_t *t, const int64_t *v, size_t n)
{
	history_series_init(s, "sda", &id, 1);
	s->t = calloc(n ? n : 1, sizeof(*s->t));
	s->v = calloc(n ? n : 1, sizeof(*s->v));
	assert_non_null(s->t);
	assert_non_null(s->v);
	memcpy(s->t, t, n * sizeof(*t));
	memcpy(s->v, v, n * sizeof(*v));
	s->n = s->cap = n;
}

/* The values a series keeps of each sample: what weargate reads, an unchanged sample repeating the one before. */
static void test_series_add(void **state)
{
	enum { OK, FAILED, UNCHANGED, NO_194 };
	static const struct {
		const char *what;
		size_t n;
		struct {
			int how;
			uint64_t raw197, raw194;
		} in[SAMPLES_MAX];
		int64_t want197[SAMPLES_MAX], want194[SAMPLES_MAX];
	} cases[] = {
		{ "plain", 2, { { OK, 0, 40 }, { OK, 3, 41 } }, { 0, 3 }, { 40, 41 } },
		{ "unchanged repeats", 3, { { OK, 2, 38 }, { UNCHANGED, 0, 0 }, { UNCHANGED, 0, 0 } }, { 2, 2, 2 },
		  { 38, 38, 38 } },
		{ "a failed reading knows nothing", 3, { { OK, 1, 35 }, { FAILED, 1, 35 }, { UNCHANGED, 0, 0 } },
		  { 1, U, U }, { 35, U, U } },
		{ "an implausible count is unknown", 2, { { OK, 0xffffffff, 40 }, { OK, 4, 40 } }, { U, 4 }, { 40, 40 } },
		{ "a missing attribute is unknown", 2, { { NO_194, 7, 0 }, { OK, 7, 44 } }, { 7, 7 }, { U, 44 } },
	};
	static struct store_sample sample;
	static const uint8_t ids[] = { 197, 194 };

	(void)state;
	for (size_t c = 0; c < WG_ELEMENTSOF(cases); c++) {
		struct history_series s;

		history_series_init(&s, "sda", ids, WG_ELEMENTSOF(ids));
		for (size_t k = 0; k < cases[c].n; k++) {
			int how = cases[c].in[k].how;

			sample.t = (int64_t)(1000 + k);
			sample.unchanged = how == UNCHANGED;
			if (how == NO_194) {
				rb_init(&sample.reading, "WDC WD5000AAKS-00TMA0", "WD-1");
				rb_attr(&sample.reading, 197, 0x0032, 200, 200, 0, cases[c].in[k].raw197);
			} else if (how != UNCHANGED) {
				rb_healthy_hdd(&sample.reading, "WD-1");
				rb_attr(&sample.reading, 197, 0x0032, 200, 200, 0, cases[c].in[k].raw197);
				rb_attr(&sample.reading, 194, 0x0022, 110, 95, 0, cases[c].in[k].raw194);
				if (how == FAILED)
					sample.reading.status = READING_ERROR;
			}
			assert_int_equal(history_series_add(&s, &sample), 0);
		}
		assert_int_equal(s.n, cases[c].n);
		for (size_t k = 0; k < cases[c].n; k++) {
			if (s.t[k] != (int64_t)(1000 + k) || history_value(&s, k, 0) != cases[c].want197[k] ||
			    history_value(&s, k, 1) != cases[c].want194[k])
				fail_msg("%s: sample %zu is %lld %lld, want %lld %lld", cases[c].what, k,
					 (long long)history_value(&s, k, 0), (long long)history_value(&s, k, 1),
					 (long long)cases[c].want197[k], (long long)cases[c].want194[k]);
		}
		history_series_release(&s);
		history_series_release(&s); /* twice is fine */
	}
}

/* Spans of equal time, each its lowest, highest and last known value, so that a spike survives. */
static void test_bucketize(void **state)
{
	struct bucket_want {
		int64_t t0, t1;
		size_t n;
		int64_t min, max, last;
	};
	static const struct {
		const char *what;
		size_t n, max;
		int64_t t[SAMPLES_MAX], v[SAMPLES_MAX];
		size_t n_want;
		struct bucket_want want[SAMPLES_MAX];
	} cases[] = {
		{ "none", 0, 60, { 0 }, { 0 }, 0, { { 0 } } },
		{ "max 0: every sample its own", 3, 0, { 10, 20, 30 }, { 1, 2, 3 }, 3,
		  { { 10, 10, 1, 1, 1, 1 }, { 20, 20, 1, 2, 2, 2 }, { 30, 30, 1, 3, 3, 3 } } },
		{ "no more samples than max", 2, 5, { 10, 20 }, { 4, 4 }, 2, { { 10, 10, 1, 4, 4, 4 }, { 20, 20, 1, 4, 4, 4 } } },
		{ "six in two spans", 6, 2, { 0, 1, 2, 3, 4, 5 }, { 1, 9, 2, 3, 3, 3 }, 2,
		  { { 0, 2, 3, 1, 9, 2 }, { 3, 5, 3, 3, 3, 3 } } },
		{ "unknown kept apart", 4, 2, { 0, 1, 2, 3 }, { U, U, 5, U }, 2, { { 0, 1, 2, U, U, U }, { 2, 3, 2, 5, 5, 5 } } },
		{ "spans of time, not of samples", 5, 2, { 0, 1, 2, 3, 100 }, { 1, 2, 3, 4, 50 }, 2,
		  { { 0, 3, 4, 1, 4, 4 }, { 100, 100, 1, 50, 50, 50 } } },
	};

	(void)state;
	for (size_t c = 0; c < WG_ELEMENTSOF(cases); c++) {
		struct history_series s;
		struct history_bucket *b = NULL;
		size_t n = 0;

		series_of(&s, 5, cases[c].t, cases[c].v, cases[c].n);
		assert_int_equal(history_bucketize(&s, cases[c].max, &b, &n), 0);
		if (n != cases[c].n_want)
			fail_msg("%s: %zu buckets, want %zu", cases[c].what, n, cases[c].n_want);
		for (size_t k = 0; k < n; k++) {
			const struct bucket_want *w = &cases[c].want[k];

			if (b[k].t0 != w->t0 || b[k].t1 != w->t1 || b[k].n != w->n || b[k].min[0] != w->min ||
			    b[k].max[0] != w->max || b[k].last[0] != w->last)
				fail_msg("%s: bucket %zu is %lld-%lld n %zu %lld/%lld/%lld", cases[c].what, k,
					 (long long)b[k].t0, (long long)b[k].t1, b[k].n, (long long)b[k].min[0],
					 (long long)b[k].max[0], (long long)b[k].last[0]);
		}
		free(b);
		history_series_release(&s);
	}
}

/* First and last, change per day, the first non-zero of a counter, the largest jump between known values. */
static void test_trend(void **state)
{
	static const struct {
		const char *what;
		uint8_t id;
		size_t n;
		int64_t t[SAMPLES_MAX], v[SAMPLES_MAX];
		bool known;
		size_t first, last;
		bool have_per_day;
		double per_day;
		int64_t nonzero;
		bool have_jump;
		size_t jump_from, jump_to;
	} cases[] = {
		{ "a counter climbs", 5, 5, { 0, DAY, 2 * DAY, 3 * DAY, 4 * DAY }, { 0, 0, 2, 2, 5 }, true, 0, 4, true,
		  1.25, 2, true, 3, 4 },
		{ "a temperature is no counter", 194, 2, { 0, DAY / 2 }, { 30, 40 }, true, 0, 1, true, 20.0, -1, true, 0,
		  1 },
		{ "nothing known", 5, 3, { 0, 1, 2 }, { U, U, U }, false, 0, 0, false, 0, -1, false, 0, 0 },
		{ "one sample: no rate, no jump", 197, 1, { 100 }, { 8 }, true, 0, 0, false, 0, 0, false, 0, 0 },
		{ "unknown passed over", 198, 4, { 0, DAY, 2 * DAY, 3 * DAY }, { U, 1, U, 4 }, true, 1, 3, true, 1.5, 1,
		  true, 1, 3 },
		{ "a fall is a jump too", 199, 3, { 0, DAY, 2 * DAY }, { 10, 2, 3 }, true, 0, 2, true, -3.5, 0, true, 0,
		  1 },
		{ "the same time: no rate", 5, 2, { 50, 50 }, { 1, 2 }, true, 0, 1, false, 0, 0, true, 0, 1 },
	};

	(void)state;
	for (size_t c = 0; c < WG_ELEMENTSOF(cases); c++) {
		struct history_series s;
		struct history_trend t;

		series_of(&s, cases[c].id, cases[c].t, cases[c].v, cases[c].n);
		history_trend_of(&s, 0, &t);
		if (t.known != cases[c].known || t.have_per_day != cases[c].have_per_day ||
		    t.nonzero != cases[c].nonzero || t.have_jump != cases[c].have_jump)
			fail_msg("%s: known %d per day %d nonzero %lld jump %d", cases[c].what, t.known, t.have_per_day,
				 (long long)t.nonzero, t.have_jump);
		if (t.known && (t.first != cases[c].first || t.last != cases[c].last))
			fail_msg("%s: first %zu last %zu", cases[c].what, t.first, t.last);
		if (t.have_per_day && (t.per_day < cases[c].per_day - 1e-9 || t.per_day > cases[c].per_day + 1e-9))
			fail_msg("%s: %g per day", cases[c].what, t.per_day);
		if (t.have_jump && (t.jump_from != cases[c].jump_from || t.jump_to != cases[c].jump_to))
			fail_msg("%s: jump %zu to %zu", cases[c].what, t.jump_from, t.jump_to);
		history_series_release(&s);
	}
}

/* A sparkline's range is of the buckets' highest values; each point's level is where it stands in it. */
static void test_spark(void **state)
{
	static const struct {
		int64_t v, lo, hi;
		int level;
	} levels[] = {
		{ 5, 5, 5, 0 }, { 0, 0, 7, 0 }, { 7, 0, 7, 7 }, { 3, 0, 7, 3 }, { 50, 0, 100, 3 }, { 100, 0, 100, 7 },
		{ 99, 0, 100, 6 }, { 1000, 999, 1001, 3 },
	};
	struct history_bucket b[3] = { 0 };
	int64_t lo, hi;

	(void)state;
	for (size_t c = 0; c < WG_ELEMENTSOF(levels); c++)
		if (history_spark_level(levels[c].v, levels[c].lo, levels[c].hi) != levels[c].level)
			fail_msg("%lld in %lld-%lld: level %d, want %d", (long long)levels[c].v, (long long)levels[c].lo,
				 (long long)levels[c].hi, history_spark_level(levels[c].v, levels[c].lo, levels[c].hi),
				 levels[c].level);
	b[0].max[0] = U;
	b[1].max[0] = 12;
	b[2].max[0] = 4;
	assert_true(history_spark_range(b, 3, 0, &lo, &hi));
	assert_int_equal(lo, 4);
	assert_int_equal(hi, 12);
	assert_false(history_spark_range(b, 1, 0, &lo, &hi));
	assert_false(history_spark_range(b, 0, 0, &lo, &hi));
}

/* Whether a decision's states speak of a drive: a whole name before '=', never a part of another. */
static void test_states_mention(void **state)
{
	static const struct {
		const char *states, *name;
		bool want;
	} cases[] = {
		{ "sda=degrading sdb=ok", "sda", true },
		{ "sdb=ok sda=failing", "sda", true },
		{ "xsda=ok", "sda", false },
		{ "sda2=ok", "sda", false },
		{ "sda2=ok sda=ok", "sda", true },
		{ "", "sda", false },
		{ "sda", "sda", false },
		{ "nvme0n1=unknown", "nvme0n1", true },
	};

	(void)state;
	for (size_t c = 0; c < WG_ELEMENTSOF(cases); c++)
		if (history_states_mention(cases[c].states, cases[c].name) != cases[c].want)
			fail_msg("'%s' mentions '%s': want %d", cases[c].states, cases[c].name, cases[c].want);
}

/* Events are told oldest first, those of the same second in the order found; each keeps copies of its texts. */
static void test_events_order(void **state)
{
	static const struct {
		int64_t t;
		enum history_event_kind kind;
		const char *reason, *states;
	} in[] = {
		{ 50, HISTORY_EVENT_STATE, "pending sectors 0 -> 8", NULL },
		{ 10, HISTORY_EVENT_DECISION, "all drives healthy", "sda=ok" },
		{ 50, HISTORY_EVENT_DECISION, NULL, "sda=degrading" },
		{ 30, HISTORY_EVENT_CLOCK, "the clock went back", NULL },
	};
	static const size_t want[] = { 1, 3, 0, 2 };
	struct history_events events = { 0 };

	(void)state;
	for (size_t i = 0; i < WG_ELEMENTSOF(in); i++) {
		struct history_event e = { .kind = in[i].kind, .t = in[i].t, .drive = "sda" };
		char reason[64] = "";

		if (in[i].reason)
			snprintf(reason, sizeof(reason), "%s", in[i].reason);
		assert_int_equal(history_events_add(&events, &e, in[i].reason ? reason : NULL, in[i].states), 0);
		memset(reason, 'x', sizeof(reason) - 1); /* the event has its own copy */
	}
	history_events_sort(&events);
	assert_int_equal(events.n, WG_ELEMENTSOF(in));
	for (size_t k = 0; k < events.n; k++) {
		const struct history_event *e = &events.v[k];

		assert_int_equal(e->seq, want[k]);
		assert_int_equal(e->t, in[want[k]].t);
		assert_int_equal(e->kind, in[want[k]].kind);
		assert_string_equal(e->reason, in[want[k]].reason ? in[want[k]].reason : "");
		assert_string_equal(e->states, in[want[k]].states ? in[want[k]].states : "");
	}
	history_events_release(&events);
	assert_null(events.v);
	assert_int_equal(events.n, 0);
	history_events_sort(&events); /* none: nothing to do */
	history_events_release(&events);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_series_add),
		cmocka_unit_test(test_bucketize),
		cmocka_unit_test(test_trend),
		cmocka_unit_test(test_spark),
		cmocka_unit_test(test_states_mention),
		cmocka_unit_test(test_events_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
