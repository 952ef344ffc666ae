/* test-policy.c — the health model over a history, and every cell of the gate's decision table */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy.h"
#include "reading-builder.h"

#define DAY 86400
#define HOUR 3600
#define NOW INT64_C(1795600000)

/* A history of a drive under construction: one reading edited as time goes on. */
struct history {
	struct smart_reading r;
	struct health_point points[2048];
	size_t n;
	struct health_input in;
};

static struct history *history_new(void)
{
	struct history *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	rb_healthy_hdd(&h->r, "S1");
	return h;
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
	assert_true(h->n < WG_ELEMENTSOF(h->points));
	health_point_from_reading(&h->r, t, &h->points[h->n++]);
}

/* Samples every step from t0 to t1, both included. */
static void samples(struct history *h, int64_t t0, int64_t t1, int64_t step)
{
	for (int64_t t = t0; t <= t1; t += step)
		sample_at(h, t);
}

static const struct health_input *input(struct history *h)
{
	h->in = (struct health_input){
		.sampled = true,
		.latest_t = h->n ? h->points[h->n - 1].t : 0,
		.latest_status = READING_OK,
		.points = h->points,
		.n = h->n,
	};
	return &h->in;
}

static enum health_state assess(struct history *h, struct health_assessment *a)
{
	struct policy p;

	policy_defaults(&p);
	health_assess(&p, input(h), NOW, a);
	return a->state;
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
	assert_reason(&a, "reallocated sectors stable at 5 for at least 30d");
	/* the history as the store hands it: the window and the newest sample before it */
	h->points[0] = h->points[h->n - 1 - 7 * 4 - 1];
	memmove(&h->points[1], &h->points[h->n - 1 - 7 * 4], (7 * 4 + 1) * sizeof(h->points[0]));
	h->n = 7 * 4 + 2;
	assert_int_equal(assess(h, &a), HEALTH_WORN);
	free(h);
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
	assert_reason(&a, "pending sectors 0 → 1 since 2026-11-23 15:46 UTC");
	assert_int_equal(a.since, NOW - 2 * DAY + 6 * HOUR);
	free(h);
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
	free(h);
}

static void test_scenario_stale_sample_is_unknown(void **state)
{
	struct history *h = history_new();
	struct health_assessment a;

	(void)state;
	samples(h, NOW - 3 * DAY, NOW - 7 * HOUR, HOUR);
	assert_int_equal(assess(h, &a), HEALTH_UNKNOWN);
	assert_reason(&a, "the latest usable sample is 7h old (limit 6h)");
	assert_null(a.latest);
	/* at the limit it is still used */
	sample_at(h, NOW - 6 * HOUR);
	assert_int_equal(assess(h, &a), HEALTH_OK);
	free(h);
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
	free(h);
}

static void test_unknown_reasons(void **state)
{
	struct health_input in = { 0 };
	struct health_assessment a;
	struct policy p;

	(void)state;
	policy_defaults(&p);
	health_assess(&p, &in, NOW, &a);
	assert_int_equal(a.state, HEALTH_UNKNOWN);
	assert_string_equal(a.reason, "never sampled");
	in.sampled = true;
	in.latest_t = NOW - 600;
	in.latest_status = READING_STANDBY;
	in.latest_reason = "standby: not woken (use --wake)";
	health_assess(&p, &in, NOW, &a);
	assert_int_equal(a.state, HEALTH_UNKNOWN);
	assert_string_equal(a.reason, "latest sample 10m ago: standby: not woken (use --wake); no usable sample");
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
		{ "fast growth, but over more than a day", 5, 10, 200, 25 * HOUR, HEALTH_DEGRADING },
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
		free(h);
	}
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
	assert_reason(&a, "SMART self-assessment FAILED");
	free(h);
	/* a prefailure attribute one above, at and below its threshold */
	for (int delta = 1; delta >= -1; delta--) {
		h = history_new();
		rb_attr(&h->r, 3, 0x0003, (uint8_t)(21 + delta), 100, 21, 0);
		sample_at(h, NOW);
		assert_int_equal(assess(h, &a), delta > 0 ? HEALTH_OK : HEALTH_FAILING);
		free(h);
	}
	/* an old-age attribute at its threshold is not a prefailure */
	h = history_new();
	rb_attr(&h->r, 194, 0x0022, 40, 40, 45, 40);
	sample_at(h, NOW);
	assert_int_equal(assess(h, &a), HEALTH_OK);
	free(h);
	/* SSD wear one above, at and below the limit */
	for (int delta = 1; delta >= -1; delta--) {
		h = history_new();
		rb_init(&h->r, "INTEL SSDSA2CW120G3", "S");
		rb_attr(&h->r, 233, 0x0032, (uint8_t)(10 + delta), 10, 0, 0);
		sample_at(h, NOW);
		assert_int_equal(assess(h, &a), delta > 0 ? HEALTH_OK : HEALTH_WORN);
		free(h);
	}
	/* hot and a self-test are facts next to the state */
	h = history_new();
	set_raw(h, 194, 56);
	h->r.self_test = 0xf3;
	sample_at(h, NOW);
	assert_int_equal(assess(h, &a), HEALTH_OK);
	assert_true(a.hot);
	assert_true(a.self_test_running);
	set_raw(h, 194, 55);
	h->r.self_test = 0;
	sample_at(h, NOW);
	assess(h, &a);
	assert_false(a.hot);
	assert_false(a.self_test_running);
	free(h);
}

/* One drive in a given state, for the decision table. */
static struct health_assessment health_in(enum health_state s, int64_t since)
{
	static struct health_point pt;
	struct health_assessment a = { .state = s, .since = since, .latest = &pt };

	snprintf(a.reason, sizeof(a.reason), "%s for the test", health_state_to_string(s));
	return a;
}

static struct gate_decision decide(enum job_class cls, enum verdict on_unknown, int64_t job_cooldown,
				   const struct health_assessment *h, int64_t last_heavy_end, int64_t last_backup_ok)
{
	struct gate_drive d = { .name = "sda", .health = h, .last_heavy_end = last_heavy_end,
				.last_backup_ok = last_backup_ok };
	struct gate_decision g;
	struct policy p;

	policy_defaults(&p);
	gate_decide(&p, cls, on_unknown, job_cooldown, &d, 1, NOW, &g);
	return g;
}

/* Every cell of DESIGN.md's decision table, and the cooldowns around it. */
static void test_decision_table(void **state)
{
	static const struct {
		const char *what;
		enum health_state s;
		enum job_class cls;
		enum verdict on_unknown;
		int64_t job_cooldown, since, last_heavy_end, last_backup_ok;
		enum verdict want;
		bool throttle, last_chance;
		const char *reason;
	} cases[] = {
		{ "ok backup", HEALTH_OK, JOB_BACKUP, VERDICT_GO, -1, -1, NOW - 60, -1, VERDICT_GO, false, false, "sda ok" },
		{ "ok maintenance", HEALTH_OK, JOB_MAINTENANCE, VERDICT_DEFER, -1, -1, NOW - 60, -1, VERDICT_GO, false, false, "sda ok" },
		{ "worn backup, cooled down", HEALTH_WORN, JOB_BACKUP, VERDICT_GO, -1, -1, NOW - 2 * HOUR, -1, VERDICT_GO, true, false, "throttled" },
		{ "worn backup, in cooldown", HEALTH_WORN, JOB_BACKUP, VERDICT_GO, -1, -1, NOW - 2 * HOUR + 1, -1, VERDICT_DEFER, false, false, "cooldown of 2h" },
		{ "worn maintenance, cooled down", HEALTH_WORN, JOB_MAINTENANCE, VERDICT_GO, -1, -1, NOW - 3 * HOUR, -1, VERDICT_GO, true, false, "throttled" },
		{ "worn maintenance, in cooldown", HEALTH_WORN, JOB_MAINTENANCE, VERDICT_GO, -1, -1, NOW - HOUR, -1, VERDICT_DEFER, false, false, "60m left" },
		{ "worn, never a heavy job", HEALTH_WORN, JOB_MAINTENANCE, VERDICT_GO, -1, -1, -1, -1, VERDICT_GO, true, false, "throttled" },
		{ "worn, the job's own cooldown", HEALTH_WORN, JOB_MAINTENANCE, VERDICT_GO, 30 * 60, -1, NOW - HOUR, -1, VERDICT_GO, true, false, "throttled" },
		{ "degrading backup: rescue", HEALTH_DEGRADING, JOB_BACKUP, VERDICT_GO, -1, NOW - DAY, NOW - 60, -1, VERDICT_GO, true, false, "rescue: sda degrading" },
		{ "degrading maintenance, no backup", HEALTH_DEGRADING, JOB_MAINTENANCE, VERDICT_GO, -1, NOW - DAY, -1, -1, VERDICT_REFUSE, false, false, "maintenance waits for a backup of sda" },
		{ "degrading maintenance, backup before", HEALTH_DEGRADING, JOB_MAINTENANCE, VERDICT_GO, -1, NOW - DAY, -1, NOW - DAY - 1, VERDICT_REFUSE, false, false, "waits for a backup" },
		{ "degrading maintenance, backed up, in cooldown", HEALTH_DEGRADING, JOB_MAINTENANCE, VERDICT_GO, -1, NOW - 2 * DAY, NOW - HOUR, NOW - 3 * HOUR, VERDICT_DEFER, false, false, "cooldown of 24h" },
		{ "degrading maintenance, backed up, cooled down", HEALTH_DEGRADING, JOB_MAINTENANCE, VERDICT_GO, -1, NOW - 3 * DAY, NOW - DAY, NOW - 2 * DAY, VERDICT_GO, true, false, "backed up since: throttled" },
		{ "failing backup: last chance", HEALTH_FAILING, JOB_BACKUP, VERDICT_GO, -1, NOW - HOUR, -1, NOW - DAY, VERDICT_GO, false, true, "LAST-CHANCE BACKUP" },
		{ "failing backup after its last chance", HEALTH_FAILING, JOB_BACKUP, VERDICT_GO, -1, NOW - DAY, -1, NOW - HOUR, VERDICT_REFUSE, false, false, "replace the drive" },
		{ "failing maintenance", HEALTH_FAILING, JOB_MAINTENANCE, VERDICT_GO, -1, NOW - DAY, -1, NOW - HOUR, VERDICT_REFUSE, false, false, "no maintenance on a failing drive" },
		{ "unknown, go", HEALTH_UNKNOWN, JOB_BACKUP, VERDICT_GO, -1, -1, -1, -1, VERDICT_GO, false, false, "on_unknown = go" },
		{ "unknown, defer", HEALTH_UNKNOWN, JOB_MAINTENANCE, VERDICT_DEFER, -1, -1, -1, -1, VERDICT_DEFER, false, false, "on_unknown = defer" },
		{ "unknown, refuse", HEALTH_UNKNOWN, JOB_MAINTENANCE, VERDICT_REFUSE, -1, -1, -1, -1, VERDICT_REFUSE, false, false, "on_unknown = refuse" },
	};

	(void)state;
	for (size_t i = 0; i < WG_ELEMENTSOF(cases); i++) {
		struct health_assessment h = health_in(cases[i].s, cases[i].since);
		struct gate_decision g = decide(cases[i].cls, cases[i].on_unknown, cases[i].job_cooldown, &h,
						cases[i].last_heavy_end, cases[i].last_backup_ok);

		if (g.verdict != cases[i].want || g.throttle != cases[i].throttle ||
		    g.last_chance != cases[i].last_chance || !strstr(g.reason, cases[i].reason))
			fail_msg("%s: %s%s%s (%s), expected %s%s%s with '%s'", cases[i].what, verdict_to_string(g.verdict),
				 g.throttle ? " throttled" : "", g.last_chance ? " last-chance" : "", g.reason,
				 verdict_to_string(cases[i].want), cases[i].throttle ? " throttled" : "",
				 cases[i].last_chance ? " last-chance" : "", cases[i].reason);
	}
}

static void test_defer_hot_and_self_test(void **state)
{
	struct health_assessment h = health_in(HEALTH_DEGRADING, NOW - DAY);
	struct health_point pt = { .d = { .temperature_c = 58 } };
	struct gate_decision g;

	(void)state;
	h.latest = &pt;
	h.hot = true;
	g = decide(JOB_BACKUP, VERDICT_GO, -1, &h, -1, -1); /* even a rescue waits for the drive to cool */
	assert_int_equal(g.verdict, VERDICT_DEFER);
	assert_non_null(strstr(g.reason, "sda at 58 C, above the limit of 55 C"));
	g = decide(JOB_MAINTENANCE, VERDICT_GO, -1, &h, -1, -1); /* a refusal stays a refusal */
	assert_int_equal(g.verdict, VERDICT_REFUSE);
	h.hot = false;
	h.self_test_running = true;
	g = decide(JOB_BACKUP, VERDICT_GO, -1, &h, -1, -1);
	assert_int_equal(g.verdict, VERDICT_DEFER);
	assert_non_null(strstr(g.reason, "self-test"));
}

static void test_worst_drive_decides(void **state)
{
	struct health_assessment ok = health_in(HEALTH_OK, -1), worn = health_in(HEALTH_WORN, -1),
				 deg = health_in(HEALTH_DEGRADING, NOW - DAY);
	struct gate_drive d[3] = {
		{ .name = "sda", .health = &ok, .last_heavy_end = -1, .last_backup_ok = -1 },
		{ .name = "sdb", .health = &worn, .last_heavy_end = NOW - HOUR, .last_backup_ok = -1 },
		{ .name = "sdc", .health = &deg, .last_heavy_end = -1, .last_backup_ok = -1 },
	};
	struct gate_decision g;
	struct policy p;

	(void)state;
	policy_defaults(&p);
	gate_decide(&p, JOB_MAINTENANCE, VERDICT_DEFER, -1, d, 3, NOW, &g);
	assert_int_equal(g.verdict, VERDICT_REFUSE);
	assert_int_equal(g.worst, HEALTH_DEGRADING);
	/* the reason names the drives that decided, not the others */
	assert_non_null(strstr(g.reason, "sdc degrading"));
	assert_null(strstr(g.reason, "sdb"));
	gate_decide(&p, JOB_MAINTENANCE, VERDICT_DEFER, -1, d, 2, NOW, &g);
	assert_int_equal(g.verdict, VERDICT_DEFER);
	assert_int_equal(g.retry_at, NOW + HOUR);
	assert_false(g.throttle);
	gate_decide(&p, JOB_MAINTENANCE, VERDICT_DEFER, -1, d, 0, NOW, &g);
	assert_non_null(strstr(g.reason, "touches no drive"));
}

/*
 * DESIGN.md's story: pending sectors appear under a nightly queue purge and a full backup.
 * weargate refuses the purge and lets the backup go first; once the backup succeeded, the
 * purge waits out the degrading cooldown, then runs throttled.
 */
static void test_story(void **state)
{
	struct history *h = history_new();
	struct health_assessment a;
	struct gate_drive d = { .name = "sda", .health = &a, .last_heavy_end = -1, .last_backup_ok = -1 };
	struct gate_decision purge, backup;
	struct policy p;
	int64_t t = NOW - 10 * DAY, appeared;

	(void)state;
	policy_defaults(&p);
	samples(h, t, NOW - 2 * DAY, HOUR);
	appeared = NOW - 2 * DAY + HOUR;
	set_raw(h, 197, 8);
	sample_at(h, appeared);
	t = appeared + 600;

	health_assess(&p, input(h), t, &a);
	assert_int_equal(a.state, HEALTH_DEGRADING);
	assert_int_equal(a.since, appeared);
	gate_decide(&p, JOB_MAINTENANCE, VERDICT_DEFER, -1, &d, 1, t, &purge);
	gate_decide(&p, JOB_BACKUP, VERDICT_GO, -1, &d, 1, t, &backup);
	assert_int_equal(purge.verdict, VERDICT_REFUSE);
	assert_non_null(strstr(purge.reason, "sda degrading (pending sectors 0 → 8 since"));
	assert_non_null(strstr(purge.reason, "maintenance waits for a backup of sda"));
	assert_int_equal(backup.verdict, VERDICT_GO);
	assert_true(backup.throttle);

	/* the backup runs for two hours and succeeds */
	d.last_backup_ok = t;
	d.last_heavy_end = t + 2 * HOUR;
	t += 2 * HOUR + 60;
	sample_at(h, t);
	health_assess(&p, input(h), t, &a);
	gate_decide(&p, JOB_MAINTENANCE, VERDICT_DEFER, -1, &d, 1, t, &purge);
	assert_int_equal(purge.verdict, VERDICT_DEFER);
	assert_int_equal(purge.retry_at, d.last_heavy_end + DAY);

	/* a day after the backup ended the purge may run, throttled */
	t = d.last_heavy_end + DAY;
	sample_at(h, t);
	health_assess(&p, input(h), t, &a);
	gate_decide(&p, JOB_MAINTENANCE, VERDICT_DEFER, -1, &d, 1, t, &purge);
	assert_int_equal(purge.verdict, VERDICT_GO);
	assert_true(purge.throttle);
	free(h);
}

/* A failing drive gets one last-chance backup: the failure's start does not move with each new sample. */
static void test_last_chance_once(void **state)
{
	struct history *h = history_new();
	struct health_assessment a;
	struct gate_drive d = { .name = "sda", .health = &a, .last_heavy_end = -1, .last_backup_ok = -1 };
	struct gate_decision g;
	struct policy p;
	int64_t failed = NOW - 2 * DAY;

	(void)state;
	policy_defaults(&p);
	samples(h, NOW - 5 * DAY, failed - HOUR, HOUR);
	h->r.smart_ok = 0;
	samples(h, failed, NOW - DAY, HOUR);
	health_assess(&p, input(h), NOW - DAY, &a);
	assert_int_equal(a.state, HEALTH_FAILING);
	assert_int_equal(a.since, failed);
	assert_false(a.since_open);
	gate_decide(&p, JOB_BACKUP, VERDICT_GO, -1, &d, 1, NOW - DAY, &g);
	assert_int_equal(g.verdict, VERDICT_GO);
	assert_true(g.last_chance);
	/* the backup ran; a day of samples later the drive still fails, since the same moment */
	d.last_backup_ok = NOW - DAY + 60;
	samples(h, NOW - DAY + HOUR, NOW, HOUR);
	health_assess(&p, input(h), NOW, &a);
	assert_int_equal(a.since, failed);
	gate_decide(&p, JOB_BACKUP, VERDICT_GO, -1, &d, 1, NOW, &g);
	assert_int_equal(g.verdict, VERDICT_REFUSE);
	assert_non_null(strstr(g.reason, "replace the drive"));
	free(h);
}

/* A sign present in every sample looked at may be older: the caller is told, to look further back. */
static void test_since_open(void **state)
{
	struct history *h = history_new();
	struct health_assessment a;

	(void)state;
	set_raw(h, 197, 2);
	samples(h, NOW - 7 * DAY - 6 * HOUR, NOW, HOUR);
	assert_int_equal(assess(h, &a), HEALTH_DEGRADING);
	assert_true(a.since_open);
	assert_int_equal(a.since, NOW - 7 * DAY - 6 * HOUR);
	free(h);
	h = history_new();
	samples(h, NOW - 7 * DAY - 6 * HOUR, NOW - DAY, HOUR);
	set_raw(h, 197, 2);
	samples(h, NOW - DAY + HOUR, NOW, HOUR);
	assess(h, &a);
	assert_false(a.since_open);
	assert_int_equal(a.since, NOW - DAY + HOUR);
	free(h);
}

static void test_names(void **state)
{
	enum job_class c;
	enum verdict v;

	(void)state;
	assert_int_equal(job_class_from_string("maintenance", &c), 0);
	assert_int_equal(c, JOB_MAINTENANCE);
	assert_string_equal(job_class_to_string(JOB_BACKUP), "backup");
	assert_true(job_class_from_string("purge", &c) < 0);
	assert_int_equal(verdict_from_string("refuse", &v), 0);
	assert_int_equal(v, VERDICT_REFUSE);
	assert_true(verdict_from_string("maybe", &v) < 0);
	assert_string_equal(verdict_to_string(VERDICT_DEFER), "defer");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenario_stable_reallocated_is_worn),
		cmocka_unit_test(test_scenario_one_pending_sector_degrades),
		cmocka_unit_test(test_scenario_fast_reallocation_fails),
		cmocka_unit_test(test_scenario_stale_sample_is_unknown),
		cmocka_unit_test(test_scenario_crc_climb_changes_nothing),
		cmocka_unit_test(test_unknown_reasons),
		cmocka_unit_test(test_thresholds),
		cmocka_unit_test(test_point_rules),
		cmocka_unit_test(test_decision_table),
		cmocka_unit_test(test_defer_hot_and_self_test),
		cmocka_unit_test(test_worst_drive_decides),
		cmocka_unit_test(test_story),
		cmocka_unit_test(test_last_chance_once),
		cmocka_unit_test(test_since_open),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
