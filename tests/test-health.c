/* test-health.c — the health model over a history: the states, their starts, and that they hold at any now and any sampling */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "health.h"
#include "policy.h"
#include "reading-builder.h"

#define MIN 60
#define DAY 86400
#define HOUR 3600
#define NOW INT64_C(1795600000)

/* A history of a drive under construction: one reading edited as time goes on, taken into a track. */
struct history {
	struct policy p;
	struct smart_reading r;
	struct health_track tr;
	struct health_log log; /* everything the track recorded */
	struct health_point last;
	bool have_last;
};

static struct history *history_new(void)
{
	struct history *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	policy_defaults(&h->p);
	rb_healthy_hdd(&h->r, "S1");
	health_track_init(&h->tr);
	return h;
}

static void history_free(struct history *h)
{
	health_track_release(&h->tr);
	health_log_release(&h->log);
	free(h);
}

static void set_raw(struct history *h, uint8_t id, uint64_t raw)
{
	const struct smart_attr *a = smart_reading_attr(&h->r, id);

	rb_attr(&h->r, id, a ? a->flags : 0x0032, a ? a->current : 100, a ? a->worst : 100,
		a && a->threshold_valid ? a->threshold : 0, raw);
}

/* One sample at t of the reading as it stands now. */
static void sample_at(struct history *h, int64_t t)
{
	health_point_from_reading(&h->r, t, &h->last);
	h->have_last = true;
	assert_int_equal(health_track_add(&h->p, &h->tr, t, &h->last, &h->log), 0);
}

/* A sample at t that could not be used (standby, unreadable). */
static void unusable_at(struct history *h, int64_t t)
{
	assert_int_equal(health_track_add(&h->p, &h->tr, t, NULL, &h->log), 0);
}

/* Samples every step from t0 to t1, both included. */
static void samples(struct history *h, int64_t t0, int64_t t1, int64_t step)
{
	for (int64_t t = t0; t <= t1; t += step)
		sample_at(h, t);
}

static enum health_state assess_at(struct history *h, int64_t now, struct health_assessment *a)
{
	struct health_now in = {
		.sampled = h->tr.last_t >= 0,
		.latest_t = h->tr.last_t,
		.latest_status = h->tr.last_t == h->tr.last_usable_t ? READING_OK : READING_STANDBY,
		.latest_reason = h->tr.last_t == h->tr.last_usable_t ? "" : "standby: not woken (use --wake)",
		.latest_usable = h->have_last && now - h->last.t <= h->p.sample_max_age ? &h->last : NULL,
	};

	health_assess(&h->p, &h->tr, &in, now, a);
	return a->state;
}

static enum health_state assess(struct history *h, struct health_assessment *a)
{
	return assess_at(h, NOW, a);
}

#define assert_reason(a, text)                                                                                   \
	do {                                                                                                     \
		if (!strstr((a)->reason, (text)))                                                                \
			fail_msg("reason '%s' does not contain '%s'", (a)->reason, (text));                     \
	} while (0)

static void test_scenario_stable_reallocated_is_worn(void **state)
{
	struct history *h = history_new();
	struct health_assessment a;

	(void)state;
	set_raw(h, 5, 5);
	samples(h, NOW - 30 * DAY, NOW, 6 * HOUR);
	assert_int_equal(assess(h, &a), HEALTH_WORN);
	assert_reason(&a, "reallocated sectors 5 at the first sample, 2026-10-26 09:46 UTC");
	assert_int_equal(a.since, NOW - 30 * DAY);
	history_free(h);
	/* at its first sample it says what it is, never "for 0s" */
	h = history_new();
	set_raw(h, 5, 387);
	sample_at(h, NOW);
	assert_int_equal(assess(h, &a), HEALTH_WORN);
	assert_reason(&a, "reallocated sectors 387 at the first sample");
	assert_null(strstr(a.reason, "0s"));
	history_free(h);
	/* grown long ago: stable since then */
	h = history_new();
	set_raw(h, 5, 5);
	samples(h, NOW - 30 * DAY, NOW - 20 * DAY, 6 * HOUR);
	set_raw(h, 5, 7);
	samples(h, NOW - 20 * DAY + 6 * HOUR, NOW, 6 * HOUR);
	assert_int_equal(assess(h, &a), HEALTH_WORN);
	assert_reason(&a, "reallocated sectors stable at 7 since 2026-11-05 15:46 UTC");
	history_free(h);
}

static void test_scenario_one_pending_sector_degrades(void **state)
{
	struct history *h = history_new();
	struct health_assessment a;

	(void)state;
	set_raw(h, 5, 5);
	samples(h, NOW - 30 * DAY, NOW - 2 * DAY, 6 * HOUR);
	set_raw(h, 197, 1);
	samples(h, NOW - 2 * DAY + 6 * HOUR, NOW, 6 * HOUR);
	assert_int_equal(assess(h, &a), HEALTH_DEGRADING);
	/* six hours apart: the sectors went pending somewhere between the two samples */
	assert_reason(&a, "pending sectors 0 → 1 between 2026-11-23 09:46 UTC and 2026-11-23 15:46 UTC");
	assert_int_equal(a.since, NOW - 2 * DAY + 6 * HOUR);
	/* the episode was recorded when it began, with the sign that opened it */
	assert_int_equal(h->log.n_episodes, 2);
	assert_int_equal(h->log.episodes[0].state, HEALTH_WORN);
	assert_int_equal(h->log.episodes[1].state, HEALTH_DEGRADING);
	assert_int_equal(h->log.episodes[1].start, NOW - 2 * DAY + 6 * HOUR);
	assert_non_null(strstr(h->log.episodes[1].sign, "pending sectors 0 → 1"));
	history_free(h);
}

static void test_scenario_fast_reallocation_fails(void **state)
{
	struct history *h = history_new();
	struct health_assessment a;

	(void)state;
	set_raw(h, 5, 5);
	samples(h, NOW - 10 * DAY, NOW - DAY, HOUR);
	set_raw(h, 5, 65); /* +60 in a day */
	samples(h, NOW - DAY + HOUR, NOW, HOUR);
	assert_int_equal(assess(h, &a), HEALTH_FAILING);
	assert_reason(&a, "reallocated sectors 5 → 65 within 24h");
	history_free(h);
}

/* A growth across a gap lies somewhere in the gap: the reason says between what. */
static void test_growth_across_a_gap(void **state)
{
	struct history *h = history_new();
	struct health_assessment a;

	(void)state;
	h->p.sample_max_age = 40 * DAY; /* a laptop off for a month is still judged */
	samples(h, NOW - 60 * DAY, NOW - 32 * DAY, DAY);
	set_raw(h, 197, 8);
	sample_at(h, NOW - 2 * DAY);
	assert_int_equal(assess(h, &a), HEALTH_DEGRADING);
	assert_reason(&a, "pending sectors 0 → 8 between 2026-10-24 09:46 UTC and 2026-11-23 09:46 UTC");
	assert_int_equal(a.since, NOW - 2 * DAY);
	/* unchanged across a gap longer than the window: stable, as before it */
	history_free(h);
	h = history_new();
	h->p.sample_max_age = 40 * DAY;
	set_raw(h, 5, 3);
	samples(h, NOW - 60 * DAY, NOW - 40 * DAY, DAY);
	sample_at(h, NOW);
	assert_int_equal(assess(h, &a), HEALTH_WORN);
	assert_int_equal(a.since, NOW - 60 * DAY);
	history_free(h);
}

static void test_scenario_stale_sample_is_unknown(void **state)
{
	struct history *h = history_new();
	struct health_assessment a;

	(void)state;
	samples(h, NOW - 3 * DAY, NOW - 7 * HOUR, HOUR);
	assert_int_equal(assess(h, &a), HEALTH_UNKNOWN);
	assert_reason(&a, "the latest usable sample is 7h old (limit 6h)");
	/* the signs' state goes on underneath: known again as soon as a sample is */
	assert_int_equal(a.episode.state, HEALTH_OK);
	assert_int_equal(a.episode.start, NOW - 3 * DAY);
	/* at the limit it is still used */
	sample_at(h, NOW - 6 * HOUR);
	assert_int_equal(assess(h, &a), HEALTH_OK);
	history_free(h);
}

static void test_scenario_standby_between(void **state)
{
	struct history *h = history_new();
	struct health_assessment a;

	(void)state;
	set_raw(h, 197, 2);
	samples(h, NOW - 2 * DAY, NOW - 5 * HOUR, HOUR);
	unusable_at(h, NOW - 4 * HOUR);
	unusable_at(h, NOW);
	/* the last usable sample is young enough: judged by it, its start kept */
	assert_int_equal(assess(h, &a), HEALTH_DEGRADING);
	assert_int_equal(a.since, NOW - 2 * DAY);
	assert_reason(&a, "pending sectors 2 at the first sample");
	/* and when it wakes, the gap says where a growth lies */
	set_raw(h, 197, 4);
	sample_at(h, NOW + 2 * HOUR);
	assess_at(h, NOW + 2 * HOUR, &a);
	assert_reason(&a, "pending sectors 2 → 4 between 2026-11-25 04:46 UTC and 2026-11-25 11:46 UTC");
	assert_int_equal(a.since, NOW - 2 * DAY);
	history_free(h);
}

static void test_scenario_crc_climb_changes_nothing(void **state)
{
	struct history *h = history_new();
	struct health_assessment a;

	(void)state;
	for (int i = 0; i < 100; i++) {
		set_raw(h, 199, (uint64_t)i * 500); /* the cable */
		set_raw(h, 188, (uint64_t)i * 3);   /* timeouts: noise */
		sample_at(h, NOW - (100 - i) * HOUR);
	}
	assert_int_equal(assess(h, &a), HEALTH_OK);
	assert_int_equal(h->log.n_episodes, 1);
	history_free(h);
}

static void test_unknown_reasons(void **state)
{
	struct health_track tr;
	struct health_now in = { 0 };
	struct health_assessment a;
	struct policy p;

	(void)state;
	policy_defaults(&p);
	health_track_init(&tr);
	health_assess(&p, &tr, &in, NOW, &a);
	assert_int_equal(a.state, HEALTH_UNKNOWN);
	assert_string_equal(a.reason, "never sampled");
	in.sampled = true;
	in.latest_t = NOW - 600;
	in.latest_status = READING_STANDBY;
	in.latest_reason = "standby: not woken (use --wake)";
	health_assess(&p, &tr, &in, NOW, &a);
	assert_int_equal(a.state, HEALTH_UNKNOWN);
	assert_string_equal(a.reason, "latest sample 10m ago: standby: not woken (use --wake); no usable sample");
	assert_int_equal(a.since, -1);
}

/* A disk another drive section read too: unknown at once, whatever its history says. */
static void test_duplicate_is_unknown(void **state)
{
	struct history *h = history_new();
	struct health_now in = { .sampled = true, .latest_t = NOW, .latest_status = READING_DUPLICATE, .duplicate = true,
				 .latest_reason = "reports the same model and serial as drive 'sdb'" };
	struct health_assessment a;

	(void)state;
	samples(h, NOW - DAY, NOW - HOUR, HOUR);
	health_assess(&h->p, &h->tr, &in, NOW, &a);
	assert_int_equal(a.state, HEALTH_UNKNOWN);
	assert_reason(&a, "same model and serial as drive 'sdb'");
	history_free(h);
}

/* Each state rule at, just below and just above its threshold. */
static void test_thresholds(void **state)
{
	static const struct {
		const char *what;
		uint8_t id;
		uint64_t before, after;
		int64_t when; /* of the change, before NOW */
		enum health_state want;
	} cases[] = {
		{ "fast growth one short of the limit", 5, 10, 59, 12 * HOUR, HEALTH_DEGRADING },
		{ "fast growth at the limit", 5, 10, 60, 12 * HOUR, HEALTH_FAILING },
		{ "fast growth above the limit", 5, 10, 61, 12 * HOUR, HEALTH_FAILING },
		{ "growth within the window", 5, 3, 4, 7 * DAY - HOUR, HEALTH_DEGRADING },
		{ "growth just before the window", 5, 3, 4, 7 * DAY + HOUR, HEALTH_WORN },
		{ "reported uncorrectable grew", 187, 0, 1, DAY, HEALTH_DEGRADING },
		{ "spin retries grew", 10, 0, 1, DAY, HEALTH_DEGRADING },
		{ "pending 0 stays ok", 197, 0, 0, DAY, HEALTH_OK },
		{ "pending 1", 197, 0, 1, 30 * DAY, HEALTH_DEGRADING },
		{ "offline uncorrectable 1, long ago", 198, 0, 1, 30 * DAY, HEALTH_DEGRADING },
		{ "pending that went away", 197, 4, 0, DAY, HEALTH_OK },
		{ "temperature climbs", 194, 30, 60, DAY, HEALTH_OK },
	};
	struct health_assessment a;

	(void)state;
	for (size_t i = 0; i < WG_ELEMENTSOF(cases); i++) {
		struct history *h = history_new();

		set_raw(h, cases[i].id, cases[i].before);
		samples(h, NOW - 40 * DAY, NOW - cases[i].when - 1, HOUR);
		set_raw(h, cases[i].id, cases[i].after);
		samples(h, NOW - cases[i].when, NOW, HOUR);
		if (assess(h, &a) != cases[i].want)
			fail_msg("%s: %s (%s), expected %s", cases[i].what, health_state_to_string(a.state), a.reason,
				 health_state_to_string(cases[i].want));
		history_free(h);
	}
}

/* A failing drive stays failing, whatever its signs do after: a fast growth that stopped, a self-assessment that passes again. */
static void test_failing_stays(void **state)
{
	struct history *h = history_new();
	struct health_assessment a;

	(void)state;
	set_raw(h, 5, 10);
	samples(h, NOW - 20 * DAY, NOW - 10 * DAY, HOUR);
	set_raw(h, 5, 70);
	samples(h, NOW - 10 * DAY + HOUR, NOW, HOUR);
	assert_int_equal(assess(h, &a), HEALTH_FAILING);
	assert_int_equal(a.since, NOW - 10 * DAY + HOUR);
	assert_reason(&a, "failing since 2026-11-15 10:46 UTC (reallocated sectors 10 → 70 within 24h)");
	assert_reason(&a, "a failing drive stays failing until it is replaced");
	history_free(h);
	h = history_new();
	samples(h, NOW - 5 * DAY, NOW - 3 * DAY, HOUR);
	h->r.smart_ok = 0;
	sample_at(h, NOW - 3 * DAY + HOUR);
	h->r.smart_ok = 1;
	samples(h, NOW - 3 * DAY + 2 * HOUR, NOW, HOUR);
	assert_int_equal(assess(h, &a), HEALTH_FAILING);
	assert_int_equal(a.since, NOW - 3 * DAY + HOUR);
	history_free(h);
}

static void test_point_rules(void **state)
{
	struct history *h;
	struct health_assessment a;

	(void)state;
	/* self-assessment failed */
	h = history_new();
	h->r.smart_ok = 0;
	sample_at(h, NOW);
	assert_int_equal(assess(h, &a), HEALTH_FAILING);
	assert_reason(&a, "SMART self-assessment FAILED since 2026-11-25 09:46 UTC");
	history_free(h);
	/* a prefailure attribute one above, at and below its threshold */
	for (int delta = 1; delta >= -1; delta--) {
		h = history_new();
		rb_attr(&h->r, 3, 0x0003, (uint8_t)(21 + delta), 100, 21, 0);
		sample_at(h, NOW);
		assert_int_equal(assess(h, &a), delta > 0 ? HEALTH_OK : HEALTH_FAILING);
		if (delta <= 0)
			assert_reason(&a, "prefailure attribute 3 spin_up_time at");
		history_free(h);
	}
	/* an old-age attribute at its threshold is not a prefailure */
	h = history_new();
	rb_attr(&h->r, 194, 0x0022, 40, 40, 45, 40);
	sample_at(h, NOW);
	assert_int_equal(assess(h, &a), HEALTH_OK);
	history_free(h);
	/* SSD wear one above, at and below the limit */
	for (int delta = 1; delta >= -1; delta--) {
		h = history_new();
		rb_init(&h->r, "INTEL SSDSA2CW120G3", "S");
		rb_attr(&h->r, 233, 0x0032, (uint8_t)(10 + delta), 10, 0, 0);
		sample_at(h, NOW);
		assert_int_equal(assess(h, &a), delta > 0 ? HEALTH_OK : HEALTH_WORN);
		history_free(h);
	}
	/* hot and a self-test are facts next to the state */
	h = history_new();
	set_raw(h, 194, 56);
	h->r.self_test = 0xf3;
	sample_at(h, NOW);
	assert_int_equal(assess(h, &a), HEALTH_OK);
	assert_true(a.hot);
	assert_int_equal(a.temperature_c, 56);
	assert_true(a.self_test_running);
	set_raw(h, 194, 55);
	h->r.self_test = 0;
	sample_at(h, NOW);
	assess(h, &a);
	assert_false(a.hot);
	assert_false(a.self_test_running);
	history_free(h);
}

/* The episodes replayed from the sign log alone are the ones recorded from the samples. */
static void test_replay_gives_the_same_episodes(void **state)
{
	struct history *h = history_new();
	struct health_track tr;
	struct health_log log = { 0 };
	size_t i = 0;

	(void)state;
	samples(h, NOW - 40 * DAY, NOW - 30 * DAY, HOUR);
	set_raw(h, 5, 4);
	samples(h, NOW - 30 * DAY + 600, NOW - 20 * DAY, 2 * HOUR);
	set_raw(h, 197, 3);
	samples(h, NOW - 20 * DAY + 60, NOW - 19 * DAY, HOUR);
	set_raw(h, 197, 0);
	set_raw(h, 5, 7);
	samples(h, NOW - 19 * DAY + 60, NOW - DAY, 3 * HOUR);
	set_raw(h, 5, 90);
	samples(h, NOW - DAY + 60, NOW, HOUR);
	health_track_init(&tr);
	while (i < h->log.n_changes) {
		size_t k = i;

		while (k < h->log.n_changes && h->log.changes[k].t == h->log.changes[i].t)
			k++;
		assert_int_equal(health_track_replay(&h->p, &tr, &h->log.changes[i], k - i, &log), 0);
		i = k;
	}
	assert_int_equal(health_track_advance(&h->p, &tr, h->tr.last_t, &log), 0);
	assert_int_equal(log.n_episodes, h->log.n_episodes);
	for (size_t e = 0; e < log.n_episodes; e++) {
		assert_int_equal(log.episodes[e].state, h->log.episodes[e].state);
		assert_int_equal(log.episodes[e].start, h->log.episodes[e].start);
		assert_string_equal(log.episodes[e].sign, h->log.episodes[e].sign);
	}
	/* ok, degrading, worn when the window passed, degrading, worn again, and failing */
	assert_int_equal(log.n_episodes, 6);
	assert_int_equal(log.episodes[4].state, HEALTH_WORN);
	assert_int_equal(log.episodes[4].start, NOW - 19 * DAY + 60 + 7 * DAY);
	health_track_release(&tr);
	health_log_release(&log);
	history_free(h);
}

/* Only what a new sign brings is logged: a day of unchanged samples adds no change. */
static void test_only_changes_are_logged(void **state)
{
	struct history *h = history_new();
	size_t n;

	(void)state;
	samples(h, NOW - DAY, NOW - HOUR, 600);
	n = h->log.n_changes;
	samples(h, NOW, NOW + DAY, 600);
	assert_int_equal(h->log.n_changes, n);
	set_raw(h, 197, 1);
	sample_at(h, NOW + DAY + 600);
	assert_int_equal(h->log.n_changes, n + 1);
	assert_int_equal(h->log.changes[n].t_prev, NOW + DAY);
	assert_int_equal(h->log.changes[n].from, 0);
	assert_int_equal(h->log.changes[n].to, 1);
	history_free(h);
}

/*
 * The property: whatever the sampling (every 10 minutes, hourly, daily, weekly, or irregular
 * with month-long gaps) and whenever the gate is asked after the newest sample (+0, +1 s,
 * +61 s, +30 min, +7 d), the start of the state is where the sign appeared, and the gate says
 * the same. A degrading drive backed up once keeps its credit for 60 days; a failing drive
 * gets its last-chance backup exactly once.
 */
#define OFFSETS 5
static const int64_t offsets[OFFSETS] = { 0, 1, 61, 30 * MIN, 7 * DAY };

/* The sampling times of a run: a fixed step, or irregular (step 0) from a seeded generator. */
struct sampling {
	const char *name;
	int64_t step;
	uint32_t seed;
};

static const struct sampling samplings[] = {
	{ "10 min", 10 * MIN, 0 }, { "1 h", HOUR, 0 }, { "1 d", DAY, 0 }, { "7 d", 7 * DAY, 0 },
	{ "irregular", 0, 7 },	   { "irregular'", 0, 1234 },
};

static int64_t next_time(const struct sampling *s, int64_t t, uint32_t *rng)
{
	if (s->step)
		return t + s->step;
	*rng = *rng * 1103515245u + 12345u;
	/* mostly minutes to a day apart; one time in ten, a gap of a month (the laptop was off) */
	if ((*rng >> 16) % 10 == 0)
		return t + 30 * DAY + (int64_t)((*rng >> 8) % HOUR);
	return t + 10 * MIN + (int64_t)((*rng >> 8) % DAY);
}

/* Every time the gate is asked: each sample, then each offset after it (before the next sample). */
struct gatekeeper {
	enum job_class cls;
	int64_t last_backup_ok, last_heavy_end;
	int last_chances; /* backups that went as last chances */
	int refusals_for_backup; /* maintenance refused for want of a backup, after one */
};

static void ask(struct history *h, struct gatekeeper *g, int64_t now, int64_t want_since, const char *what)
{
	struct health_assessment a;
	struct gate_drive d;
	struct gate_decision dec;

	assess_at(h, now, &a);
	if (a.since != want_since)
		fail_msg("%s: at +%llds after the sample the state (%s: %s) began at %lld, not at %lld", what,
			 (long long)(now - h->tr.last_t), health_state_to_string(a.state), a.reason, (long long)a.since,
			 (long long)want_since);
	d = (struct gate_drive){ .name = "sda", .health = &a, .last_heavy_end = g->last_heavy_end,
				 .last_backup_ok = g->last_backup_ok };
	gate_decide(&h->p, g->cls, false, VERDICT_GO, -1, &d, 1, now, &dec);
	if (g->cls == JOB_BACKUP && dec.verdict == VERDICT_GO) {
		/* the backup runs at once, for an hour, and succeeds */
		g->last_chances += dec.last_chance;
		g->last_backup_ok = now;
		g->last_heavy_end = now + HOUR;
	}
	if (g->cls == JOB_MAINTENANCE && dec.verdict == VERDICT_REFUSE && strstr(dec.reason, "waits for a backup"))
		g->refusals_for_backup++;
	gate_decision_release(&dec);
}

static void property(const struct sampling *sm, bool failing)
{
	struct history *h = history_new();
	struct gatekeeper g = { .cls = failing ? JOB_BACKUP : JOB_MAINTENANCE, .last_backup_ok = -1,
				.last_heavy_end = -1 };
	uint32_t rng = sm->seed;
	int64_t t = NOW - 120 * DAY, appeared = -1, end;
	char what[96];

	/* the weekly sampling must still count as fresh a week after its sample */
	h->p.sample_max_age = 40 * DAY;
	for (; t < NOW - 60 * DAY; t = next_time(sm, t, &rng))
		sample_at(h, t);
	if (failing)
		h->r.smart_ok = 0;
	else
		set_raw(h, 197, 8);
	appeared = t;
	end = appeared + 60 * DAY;
	if (!failing) /* the backup of the degradation, an hour after it was seen */
		g.last_backup_ok = appeared + HOUR, g.last_heavy_end = appeared + 2 * HOUR;
	while (t <= end) {
		int64_t next = next_time(sm, t, &rng);

		sample_at(h, t);
		for (int o = 0; o < OFFSETS; o++) {
			if (t + offsets[o] >= next)
				break;
			snprintf(what, sizeof(what), "%s, sampled every %s", failing ? "failing" : "degrading", sm->name);
			ask(h, &g, t + offsets[o], appeared, what);
		}
		t = next;
	}
	if (failing && g.last_chances != 1)
		fail_msg("failing, sampled every %s: %d last-chance backups in 60 days, not 1", sm->name, g.last_chances);
	if (!failing && g.refusals_for_backup)
		fail_msg("degrading, sampled every %s: maintenance refused %d times for want of a backup, after one",
			 sm->name, g.refusals_for_backup);
	history_free(h);
}

static void test_property_degrading_credit_holds(void **state)
{
	(void)state;
	for (size_t i = 0; i < WG_ELEMENTSOF(samplings); i++)
		property(&samplings[i], false);
}

static void test_property_last_chance_once(void **state)
{
	(void)state;
	for (size_t i = 0; i < WG_ELEMENTSOF(samplings); i++)
		property(&samplings[i], true);
}

/*
 * A degrading drive whose growth leaves the window becomes worn at a time the history sets
 * (the growth plus the window), not at whatever time it is asked.
 */
static void test_expiry_is_a_fact_of_the_history(void **state)
{
	struct history *h = history_new();
	struct health_assessment a;
	int64_t grew = NOW - 10 * DAY;

	(void)state;
	h->p.sample_max_age = 40 * DAY;
	set_raw(h, 5, 2);
	samples(h, NOW - 20 * DAY, grew - DAY, DAY);
	set_raw(h, 5, 3);
	sample_at(h, grew);
	/* asked at any time after the growth left the window, the state is worn since then */
	for (int64_t now = grew + 7 * DAY; now < grew + 20 * DAY; now += 37 * HOUR + 13) {
		assert_int_equal(assess_at(h, now, &a), HEALTH_WORN);
		assert_int_equal(a.since, grew + 7 * DAY);
	}
	assess_at(h, grew + 7 * DAY - 1, &a);
	assert_int_equal(a.state, HEALTH_DEGRADING);
	assert_int_equal(a.since, grew);
	/* and a sample taken later records that episode with that start */
	sample_at(h, grew + 9 * DAY);
	assert_int_equal(h->log.episodes[h->log.n_episodes - 1].state, HEALTH_WORN);
	assert_int_equal(h->log.episodes[h->log.n_episodes - 1].start, grew + 7 * DAY);
	history_free(h);
}

/* The kernel's I/O errors on a drive: degrading from the first, quoting it, until kernel_quiet passes without one. */
static void test_kernel_errors(void **state)
{
	struct history *h = history_new();
	struct health_assessment a;
	struct health_track tr;
	struct health_log log = { 0 };
	size_t i = 0;

	(void)state;
	samples(h, NOW - 20 * DAY, NOW - 10 * DAY, HOUR);
	assert_int_equal(health_track_note_kernel(&h->p, &h->tr, NOW - 10 * DAY + 60, 1,
						  "I/O error, dev sda, sector 2048 op 0x0:(READ)", &h->log),
			 0);
	assert_int_equal(assess_at(h, NOW - 10 * DAY + 61, &a), HEALTH_DEGRADING);
	assert_int_equal(a.since, NOW - 10 * DAY + 60);
	assert_reason(&a, "the kernel logged I/O errors on it since 2026-11-15 09:47 UTC: \"I/O error, dev sda, sector 2048");
	/* a second line within the quiet period keeps the first as the reason, and the start */
	assert_int_equal(health_track_note_kernel(&h->p, &h->tr, NOW - 8 * DAY, 1, "Buffer I/O error on dev sda1", &h->log), 0);
	samples(h, NOW - 8 * DAY + HOUR, NOW - 2 * DAY, HOUR);
	assess_at(h, NOW - 2 * DAY, &a);
	assert_int_equal(a.state, HEALTH_DEGRADING);
	assert_int_equal(a.since, NOW - 10 * DAY + 60);
	assert_reason(&a, "sector 2048");
	/* a week after the last line, quiet again: ok from then, whenever the next sample comes */
	samples(h, NOW - DAY, NOW, HOUR);
	assert_int_equal(assess(h, &a), HEALTH_OK);
	assert_int_equal(a.since, NOW - 8 * DAY + 7 * DAY);
	/* replayed from the sign log: the same episodes */
	health_track_init(&tr);
	while (i < h->log.n_changes) {
		size_t k = i + 1;

		while (k < h->log.n_changes && h->log.changes[k].t == h->log.changes[i].t &&
		       h->log.changes[k].sign != HEALTH_SIGN_KERNEL && h->log.changes[i].sign != HEALTH_SIGN_KERNEL)
			k++;
		assert_int_equal(health_track_replay(&h->p, &tr, &h->log.changes[i], k - i, &log), 0);
		i = k;
	}
	assert_int_equal(health_track_advance(&h->p, &tr, h->tr.last_t, &log), 0);
	assert_int_equal(log.n_episodes, h->log.n_episodes);
	for (size_t e = 0; e < log.n_episodes; e++) {
		assert_int_equal(log.episodes[e].state, h->log.episodes[e].state);
		assert_int_equal(log.episodes[e].start, h->log.episodes[e].start);
	}
	health_track_release(&tr);
	health_log_release(&log);
	history_free(h);
}

static void test_sign_codes(void **state)
{
	(void)state;
	assert_int_equal(health_sign_code(0), 5);
	assert_int_equal(health_sign_code(2), 197);
	for (unsigned s = 0; s < _HEALTH_SIGN_MAX; s++)
		assert_int_equal(health_sign_from_code(health_sign_code(s)), (int)s);
	assert_int_equal(health_sign_from_code(9999), -1);
}

/* The worst of two states: not knowing is worse than ok, better than any sign of wear. */
static void test_state_worse(void **state)
{
	static const struct {
		enum health_state a, b, want;
	} cases[] = {
		{ HEALTH_OK, HEALTH_OK, HEALTH_OK },		    { HEALTH_OK, HEALTH_UNKNOWN, HEALTH_UNKNOWN },
		{ HEALTH_UNKNOWN, HEALTH_OK, HEALTH_UNKNOWN },	    { HEALTH_UNKNOWN, HEALTH_WORN, HEALTH_WORN },
		{ HEALTH_WORN, HEALTH_UNKNOWN, HEALTH_WORN },	    { HEALTH_WORN, HEALTH_DEGRADING, HEALTH_DEGRADING },
		{ HEALTH_FAILING, HEALTH_DEGRADING, HEALTH_FAILING }, { HEALTH_UNKNOWN, HEALTH_FAILING, HEALTH_FAILING },
		{ HEALTH_DEGRADING, HEALTH_DEGRADING, HEALTH_DEGRADING },
	};

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
		if (health_state_worse(cases[c].a, cases[c].b) != cases[c].want)
			fail_msg("worse of %s and %s: %s", health_state_to_string(cases[c].a),
				 health_state_to_string(cases[c].b),
				 health_state_to_string(health_state_worse(cases[c].a, cases[c].b)));
}

/* A usable sample the store keeps in brief is the same point, for heat and a self-test, as the reading it was. */
static void test_point_from_brief(void **state)
{
	static const struct {
		int self_test;
		bool running;
	} cases[] = { { -1, false }, { 0x00, false }, { 0xf1, true }, { 0xf9, true }, { 0x79, false }, { 0x25, false } };

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct smart_reading r;
		struct health_point full, brief;

		rb_init(&r, "WDC WD40EFRX-68N32N0", "S");
		rb_attr(&r, 194, 0x0022, 110, 110, 0, 42);
		r.self_test = cases[c].self_test;
		health_point_from_reading(&r, NOW, &full);
		health_point_from_brief(NOW, 42, cases[c].self_test, &brief);
		assert_int_equal(brief.t, NOW);
		assert_int_equal(brief.d.temperature_c, full.d.temperature_c);
		assert_int_equal(brief.self_test_running, cases[c].running);
		assert_int_equal(brief.self_test_running, full.self_test_running);
		assert_int_equal(brief.self_test, full.self_test);
		assert_int_equal(brief.d.pending, ATTR_UNKNOWN);
		assert_int_equal(brief.d.reallocated, ATTR_UNKNOWN);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenario_stable_reallocated_is_worn),
		cmocka_unit_test(test_scenario_one_pending_sector_degrades),
		cmocka_unit_test(test_scenario_fast_reallocation_fails),
		cmocka_unit_test(test_growth_across_a_gap),
		cmocka_unit_test(test_scenario_stale_sample_is_unknown),
		cmocka_unit_test(test_scenario_standby_between),
		cmocka_unit_test(test_scenario_crc_climb_changes_nothing),
		cmocka_unit_test(test_unknown_reasons),
		cmocka_unit_test(test_duplicate_is_unknown),
		cmocka_unit_test(test_thresholds),
		cmocka_unit_test(test_failing_stays),
		cmocka_unit_test(test_point_rules),
		cmocka_unit_test(test_replay_gives_the_same_episodes),
		cmocka_unit_test(test_only_changes_are_logged),
		cmocka_unit_test(test_property_degrading_credit_holds),
		cmocka_unit_test(test_property_last_chance_once),
		cmocka_unit_test(test_expiry_is_a_fact_of_the_history),
		cmocka_unit_test(test_kernel_errors),
		cmocka_unit_test(test_sign_codes),
		cmocka_unit_test(test_state_worse),
		cmocka_unit_test(test_point_from_brief),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
