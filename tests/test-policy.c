/* test-policy.c — every cell of the gate's decision table, from drives in given states */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy.h"

#define DAY 86400
#define HOUR 3600
#define NOW INT64_C(1795600000)

/* One drive in a given state, for the decision table. */
static struct health_assessment health_in(enum health_state s, int64_t since)
{
	struct health_assessment a = { .state = s, .since = since, .temperature_c = ATTR_UNKNOWN };

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
	gate_decide(&p, cls, false, on_unknown, job_cooldown, &d, 1, NOW, &g);
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
		{ "degrading maintenance, backed up, cooled down", HEALTH_DEGRADING, JOB_MAINTENANCE, VERDICT_GO, -1, NOW - 3 * DAY, NOW - DAY, NOW - 2 * DAY, VERDICT_GO, true, false, "; backed up at " },
		{ "failing backup: last chance", HEALTH_FAILING, JOB_BACKUP, VERDICT_GO, -1, NOW - HOUR, -1, NOW - DAY, VERDICT_GO, false, true, "LAST-CHANCE BACKUP" },
		{ "failing backup after its last chance", HEALTH_FAILING, JOB_BACKUP, VERDICT_GO, -1, NOW - DAY, -1, NOW - HOUR, VERDICT_REFUSE, false, false, "replace the drive" },
		{ "failing maintenance", HEALTH_FAILING, JOB_MAINTENANCE, VERDICT_GO, -1, NOW - DAY, -1, NOW - HOUR, VERDICT_REFUSE, false, false, "no maintenance on a failing drive" },
		{ "unknown, go", HEALTH_UNKNOWN, JOB_BACKUP, VERDICT_GO, -1, -1, -1, -1, VERDICT_GO, false, false, "on_unknown = go" },
		{ "unknown, defer", HEALTH_UNKNOWN, JOB_MAINTENANCE, VERDICT_DEFER, -1, -1, -1, -1, VERDICT_DEFER, false, false, "on_unknown = defer" },
		{ "unknown, refuse", HEALTH_UNKNOWN, JOB_MAINTENANCE, VERDICT_REFUSE, -1, -1, -1, -1, VERDICT_REFUSE, false, false, "on_unknown = refuse" },
	};
	struct health_assessment twice = health_in(HEALTH_UNKNOWN, -1);
	struct gate_decision refused;

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
		gate_decision_release(&g);
	}
	/* a disk two drive sections read: not even a backup, whatever on_unknown says */
	twice.duplicate = true;
	refused = decide(JOB_BACKUP, VERDICT_GO, -1, &twice, -1, -1);
	assert_int_equal(refused.verdict, VERDICT_REFUSE);
	assert_non_null(strstr(refused.reason, "configure the disk once"));
	gate_decision_release(&refused);
}

static void test_defer_hot_and_self_test(void **state)
{
	struct health_assessment h = health_in(HEALTH_DEGRADING, NOW - DAY);
	struct gate_decision g;

	(void)state;
	h.temperature_c = 58;
	h.hot = true;
	g = decide(JOB_BACKUP, VERDICT_GO, -1, &h, -1, -1); /* even a rescue waits for the drive to cool */
	assert_int_equal(g.verdict, VERDICT_DEFER);
	assert_non_null(strstr(g.reason, "sda at 58 C, above the limit of 55 C"));
	gate_decision_release(&g);
	g = decide(JOB_MAINTENANCE, VERDICT_GO, -1, &h, -1, -1); /* a refusal stays a refusal */
	assert_int_equal(g.verdict, VERDICT_REFUSE);
	gate_decision_release(&g);
	h.hot = false;
	h.self_test_running = true;
	g = decide(JOB_BACKUP, VERDICT_GO, -1, &h, -1, -1);
	assert_int_equal(g.verdict, VERDICT_DEFER);
	assert_non_null(strstr(g.reason, "self-test"));
	gate_decision_release(&g);
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
	gate_decide(&p, JOB_MAINTENANCE, false, VERDICT_DEFER, -1, d, 3, NOW, &g);
	assert_int_equal(g.verdict, VERDICT_REFUSE);
	assert_int_equal(g.worst, HEALTH_DEGRADING);
	/* the reason names the drives that decided, not the others */
	assert_non_null(strstr(g.reason, "sdc degrading"));
	assert_null(strstr(g.reason, "sdb"));
	gate_decision_release(&g);
	gate_decide(&p, JOB_MAINTENANCE, false, VERDICT_DEFER, -1, d, 2, NOW, &g);
	assert_int_equal(g.verdict, VERDICT_DEFER);
	assert_int_equal(g.retry_at, NOW + HOUR);
	assert_false(g.throttle);
	gate_decision_release(&g);
	gate_decide(&p, JOB_MAINTENANCE, false, VERDICT_DEFER, -1, d, 0, NOW, &g);
	assert_non_null(strstr(g.reason, "touches no drive"));
	gate_decision_release(&g);
}

/*
 * In any order of the drives, the reason is the reasons of the drives that gave the verdict,
 * each as it reads alone, in the drives' order, joined by "; ": a worse drive later drops the
 * milder ones before it, and a milder one after it adds nothing.
 */
static void test_reason_joins_deciding_drives(void **state)
{
	struct health_assessment ok = health_in(HEALTH_OK, -1), worn = health_in(HEALTH_WORN, -1),
				 deg = health_in(HEALTH_DEGRADING, NOW - DAY);
	const struct gate_drive all[5] = {
		{ .name = "sda", .health = &ok, .last_heavy_end = -1, .last_backup_ok = -1 },
		{ .name = "sdb", .health = &worn, .last_heavy_end = NOW - HOUR, .last_backup_ok = -1 },
		{ .name = "sdc", .health = &deg, .last_heavy_end = -1, .last_backup_ok = -1 },
		{ .name = "sdd", .health = &worn, .last_heavy_end = NOW - 2 * HOUR, .last_backup_ok = -1 },
		{ .name = "sde", .health = &deg, .last_heavy_end = -1, .last_backup_ok = -1 },
	};
	/* every order of the five, as Heap's algorithm makes them */
	size_t idx[5] = { 0, 1, 2, 3, 4 }, c[5] = { 0 }, k = 1, orders = 0;
	struct policy p;

	(void)state;
	policy_defaults(&p);
	for (;;) {
		for (size_t n = 0; n <= 5; n++) {
			struct gate_drive d[5];
			struct gate_decision g, one;
			enum verdict worst = VERDICT_GO;
			char want[4096] = "";

			for (size_t i = 0; i < n; i++)
				d[i] = all[idx[i]];
			for (size_t i = 0; i < n; i++) {
				gate_decide(&p, JOB_MAINTENANCE, false, VERDICT_DEFER, -1, &d[i], 1, NOW, &one);
				worst = one.verdict > worst ? one.verdict : worst;
				gate_decision_release(&one);
			}
			for (size_t i = 0; i < n; i++) {
				gate_decide(&p, JOB_MAINTENANCE, false, VERDICT_DEFER, -1, &d[i], 1, NOW, &one);
				if (one.verdict == worst)
					snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%s", want[0] ? "; " : "",
						 one.reason);
				gate_decision_release(&one);
			}
			gate_decide(&p, JOB_MAINTENANCE, false, VERDICT_DEFER, -1, d, n, NOW, &g);
			assert_int_equal(g.verdict, worst);
			if (n > 0)
				assert_string_equal(g.reason, want);
			gate_decision_release(&g);
		}
		orders++;
		while (k < 5 && c[k] >= k)
			c[k++] = 0;
		if (k == 5)
			break;
		size_t j = k % 2 ? c[k] : 0, t = idx[j];

		idx[j] = idx[k];
		idx[k] = t;
		c[k]++;
		k = 1;
	}
	assert_int_equal(orders, 120);
}

/* Many drives refusing: the reason has every one, whole, not cut at some length. */
static void test_long_reason_whole(void **state)
{
	struct health_assessment deg = health_in(HEALTH_DEGRADING, NOW - DAY);
	struct gate_drive d[60];
	char names[60][8], want[32];
	struct gate_decision g;
	struct policy p;

	(void)state;
	policy_defaults(&p);
	for (size_t i = 0; i < 60; i++) {
		snprintf(names[i], sizeof(names[i]), "sd%zu", i);
		d[i] = (struct gate_drive){ .name = names[i], .health = &deg, .last_heavy_end = -1, .last_backup_ok = -1 };
	}
	gate_decide(&p, JOB_MAINTENANCE, false, VERDICT_DEFER, -1, d, 60, NOW, &g);
	assert_int_equal(g.verdict, VERDICT_REFUSE);
	assert_true(strlen(g.reason) > 4096);
	for (size_t i = 0; i < 60; i++) {
		snprintf(want, sizeof(want), "backup of %.7s", names[i]);
		assert_non_null(strstr(g.reason, want));
	}
	assert_null(strstr(g.reason, "…"));
	gate_decision_release(&g);
}

/*
 * A self-test is gated as maintenance, never throttled; a short one (light) also goes on a
 * degrading drive with no backup and past any cooldown. Every state, both weights.
 */
static void test_selftest_table(void **state)
{
	static const struct {
		enum health_state s;
		bool light;
		int64_t last_heavy_end, last_backup_ok;
		enum verdict want;
		const char *reason;
	} cases[] = {
		{ HEALTH_OK, true, NOW - 60, -1, VERDICT_GO, "sda ok" },
		{ HEALTH_OK, false, NOW - 60, -1, VERDICT_GO, "sda ok" },
		{ HEALTH_WORN, true, NOW - 60, -1, VERDICT_GO, "sda worn" },
		{ HEALTH_WORN, false, NOW - 60, -1, VERDICT_DEFER, "cooldown of 2h" },
		{ HEALTH_DEGRADING, true, NOW - 60, -1, VERDICT_GO, "a short self-test is light" },
		{ HEALTH_DEGRADING, false, -1, -1, VERDICT_REFUSE, "a self-test waits for a backup of sda" },
		{ HEALTH_DEGRADING, false, NOW - 60, NOW - 3600, VERDICT_DEFER, "cooldown of 24h" },
		{ HEALTH_DEGRADING, false, NOW - 2 * 86400, NOW - 3 * 86400, VERDICT_GO, "backed up at" },
		{ HEALTH_FAILING, true, -1, -1, VERDICT_REFUSE, "no self-test on a failing drive" },
		{ HEALTH_FAILING, false, -1, NOW - 60, VERDICT_REFUSE, "no self-test on a failing drive" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct health_assessment h = health_in(cases[i].s, NOW - 7 * 86400 + 600);
		struct gate_drive d = { .name = "sda", .health = &h, .last_heavy_end = cases[i].last_heavy_end,
					.last_backup_ok = cases[i].last_backup_ok };
		struct gate_decision g;
		struct policy p;

		if (cases[i].s == HEALTH_DEGRADING)
			h.since = NOW - 4 * 86400;
		policy_defaults(&p);
		gate_decide(&p, JOB_SELFTEST, cases[i].light, VERDICT_DEFER, -1, &d, 1, NOW, &g);
		if (g.verdict != cases[i].want || !strstr(g.reason, cases[i].reason) || g.throttle) {
			print_error("case %zu (%s, %s): %s%s: %s\n", i, health_state_to_string(cases[i].s),
				    cases[i].light ? "short" : "long", verdict_to_string(g.verdict),
				    g.throttle ? " throttled" : "", g.reason);
			fail();
		}
		/* the same drive running a self-test of anyone's holds back even a short one */
		if (cases[i].want == VERDICT_GO) {
			gate_decision_release(&g);
			h.self_test_running = true;
			gate_decide(&p, JOB_SELFTEST, cases[i].light, VERDICT_DEFER, -1, &d, 1, NOW, &g);
			assert_int_equal(g.verdict, VERDICT_DEFER);
		}
		gate_decision_release(&g);
	}
}

/* A small deterministic generator, for the jitter of a nightly timer. */
static uint32_t lcg(uint32_t *x)
{
	*x = *x * 1664525u + 1013904223u;
	return *x >> 8;
}

/*
 * `every`: a nightly runner, its start jittered by up to ±jitter (RandomizedDelaySec, a slow
 * job before it), runs a job of period `every` days once every `every` nights, never a night
 * early or late, from any start and at any time of day; and between two runs the job is
 * due exactly from job_due_at() on, never before.
 */
static void test_every_nightly(void **state)
{
	static const int periods[] = { 1, 2, 7, 14, 30 };
	static const int64_t jitters[] = { 0, 600, 2700, 3 * 3600 - 1 };
	static const int64_t starts[] = { 0, 3 * 3600, 86399, 40000 };
	uint32_t seed = 7;
	(void)state;

	for (size_t p = 0; p < sizeof(periods) / sizeof(periods[0]); p++)
		for (size_t jt = 0; jt < sizeof(jitters) / sizeof(jitters[0]); jt++)
			for (size_t st = 0; st < sizeof(starts) / sizeof(starts[0]); st++) {
				int64_t every = periods[p] * 86400LL, last = -1, last_night = -1;
				int runs = 0;

				/* the slack only holds a jitter below it: 1d's is 3h */
				if (2 * jitters[jt] >= (every / 8 < JOB_EVERY_SLACK_MAX ? every / 8 : JOB_EVERY_SLACK_MAX))
					continue;
				for (int night = 0; night < 200; night++) {
					int64_t j = (int64_t)(lcg(&seed) % (uint32_t)(2 * jitters[jt] + 1)) - jitters[jt];
					int64_t now = NOW + starts[st] + night * 86400LL + j;

					if (now < job_due_at(every, last))
						continue;
					if (last_night >= 0 && night - last_night != periods[p]) {
						print_error("every %dd, jitter %llds, start %llds: ran on night %d after %d\n",
							    periods[p], (long long)jitters[jt], (long long)starts[st], night,
							    (int)last_night);
						fail();
					}
					last = now;
					last_night = night;
					runs++;
				}
				assert_int_equal(runs, (199 / periods[p]) + 1);
			}
	/* between runs: not due before the due time, due at and after it, for any period and offset */
	for (int64_t every = 60; every < 400 * 86400LL; every = every * 3 + 7)
		for (int64_t off = -2 * every; off <= 2 * every; off += every / 5 + 1) {
			int64_t due = job_due_at(every, NOW);
			bool due_now = NOW + off >= due;

			assert_true(due <= NOW + every);
			assert_true(due >= NOW + every - JOB_EVERY_SLACK_MAX);
			assert_true(due > NOW);
			assert_int_equal(due_now, off >= every - (every / 8 < JOB_EVERY_SLACK_MAX ? every / 8 : JOB_EVERY_SLACK_MAX));
		}
	/* never run: due at once; no period: always due */
	assert_true(job_due_at(86400, -1) <= INT64_MIN);
	assert_true(job_due_at(0, NOW) <= INT64_MIN);
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

/* What the history records and the report shows is what the gate's line said. */
static void test_decision_verdict(void **state)
{
	struct gate_decision d = { .verdict = VERDICT_GO };

	(void)state;
	assert_string_equal(gate_decision_verdict(&d), "go");
	d.throttle = true;
	assert_string_equal(gate_decision_verdict(&d), "go (throttled)");
	d.last_chance = true;
	assert_string_equal(gate_decision_verdict(&d), "go (last chance) (throttled)");
	d.throttle = false;
	assert_string_equal(gate_decision_verdict(&d), "go (last chance)");
	d.verdict = VERDICT_REFUSE;
	assert_string_equal(gate_decision_verdict(&d), "refuse");
	d.verdict = VERDICT_DEFER;
	assert_string_equal(gate_decision_verdict(&d), "defer");
}

/* run's order: maintenance and self-tests on a degrading or failing drive after the others, each group in config order. */
static void test_job_order_table(void **state)
{
#define B JOB_BACKUP
#define M JOB_MAINTENANCE
#define S JOB_SELFTEST
	static const struct {
		const char *what;
		size_t n;
		struct job_rank jobs[5];
		size_t want[5];
	} cases[] = {
		{ "no job", 0, { { B, HEALTH_OK } }, { 0 } },
		{ "all ok: config order", 3, { { M, HEALTH_OK }, { B, HEALTH_OK }, { S, HEALTH_OK } }, { 0, 1, 2 } },
		{ "worn and unknown hold nothing back", 3,
		  { { M, HEALTH_WORN }, { S, HEALTH_UNKNOWN }, { B, HEALTH_WORN } }, { 0, 1, 2 } },
		{ "maintenance on a degrading drive after the backup", 2,
		  { { M, HEALTH_DEGRADING }, { B, HEALTH_DEGRADING } }, { 1, 0 } },
		{ "a self-test on a failing drive after the others", 3,
		  { { S, HEALTH_FAILING }, { M, HEALTH_OK }, { B, HEALTH_FAILING } }, { 1, 2, 0 } },
		{ "a backup is never held back", 2, { { B, HEALTH_FAILING }, { B, HEALTH_DEGRADING } }, { 0, 1 } },
		{ "stable within both groups", 5,
		  { { M, HEALTH_DEGRADING }, { B, HEALTH_OK }, { S, HEALTH_FAILING }, { M, HEALTH_OK }, { B, HEALTH_FAILING } },
		  { 1, 3, 4, 0, 2 } },
	};
#undef B
#undef M
#undef S

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		size_t order[5] = { 99, 99, 99, 99, 99 };

		job_order(cases[c].jobs, cases[c].n, order);
		for (size_t i = 0; i < cases[c].n; i++) {
			if (order[i] != cases[c].want[i])
				fail_msg("%s: position %zu is job %zu, not %zu", cases[c].what, i, order[i], cases[c].want[i]);
		}
		for (size_t i = cases[c].n; i < 5; i++)
			assert_int_equal(order[i], 99);
	}
}

/* The worst state of a job's drives, as run's order and the gate's worst take it. */
static void test_job_held_behind(void **state)
{
	static const struct {
		enum job_class cls;
		enum health_state worst;
		bool want;
	} cases[] = {
		{ JOB_BACKUP, HEALTH_FAILING, false },	    { JOB_BACKUP, HEALTH_DEGRADING, false },
		{ JOB_MAINTENANCE, HEALTH_OK, false },	    { JOB_MAINTENANCE, HEALTH_UNKNOWN, false },
		{ JOB_MAINTENANCE, HEALTH_WORN, false },    { JOB_MAINTENANCE, HEALTH_DEGRADING, true },
		{ JOB_MAINTENANCE, HEALTH_FAILING, true },  { JOB_SELFTEST, HEALTH_WORN, false },
		{ JOB_SELFTEST, HEALTH_DEGRADING, true },   { JOB_SELFTEST, HEALTH_FAILING, true },
	};

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct job_rank j = { cases[c].cls, cases[c].worst };

		if (job_held_behind(&j) != cases[c].want)
			fail_msg("%s on a %s drive: held behind %d", job_class_to_string(j.cls),
				 health_state_to_string(j.worst), !cases[c].want);
	}
}

static struct smart_derived derived(int64_t reallocated, int64_t pending, int64_t spin_retry, int64_t crc)
{
	struct smart_derived d;

	memset(&d, 0xff, sizeof(d)); /* every value ATTR_UNKNOWN */
	d.reallocated = reallocated;
	d.reallocation_events = 0;
	d.pending = pending;
	d.offline_uncorrectable = 0;
	d.reported_uncorrectable = 0;
	d.spin_retry = spin_retry;
	d.crc_errors = crc;
	return d;
}

/* The watchdog's rule: what got worse since its base, and whether the job stops for it. */
static void test_watch_table(void **state)
{
	static const struct {
		const char *what;
		enum job_class cls;
		struct smart_derived base, now;
		int smart_ok;
		bool worse, stop;
		const char *says;
	} cases[] = {
		{ "unchanged", JOB_MAINTENANCE, { 0 }, { 0 }, 1, false, false, "" },
		{ "pending grew: maintenance stops", JOB_MAINTENANCE, { 0 }, { .pending = 8 }, 1, true, true,
		  "sda pending sectors 0 → 8 during the run" },
		{ "pending grew: a self-test stops", JOB_SELFTEST, { 0 }, { .pending = 8 }, 1, true, true,
		  "sda pending sectors 0 → 8 during the run" },
		{ "pending grew: a backup goes on", JOB_BACKUP, { 0 }, { .pending = 8 }, 1, true, false,
		  "sda pending sectors 0 → 8 during the run" },
		{ "a counter that fell is no worse", JOB_MAINTENANCE, { .pending = 8 }, { .pending = 0 }, 1, false, false, "" },
		{ "the first counter that grew is said", JOB_MAINTENANCE, { 0 },
		  { .reallocated = 2, .pending = 8, .spin_retry = 1 }, 0, true, true,
		  "sda reallocated sectors 0 → 2 during the run" },
		{ "spin retries count", JOB_MAINTENANCE, { 0 }, { .spin_retry = 3 }, 1, true, true,
		  "sda spin retries 0 → 3 during the run" },
		{ "the cable's errors never count", JOB_MAINTENANCE, { 0 }, { .crc_errors = 100 }, 1, false, false, "" },
		{ "self-assessment FAILED", JOB_MAINTENANCE, { 0 }, { 0 }, 0, true, true,
		  "sda SMART self-assessment FAILED during the run" },
		{ "self-assessment unknown is no news", JOB_MAINTENANCE, { 0 }, { 0 }, -1, false, false, "" },
		{ "self-assessment FAILED: a backup goes on", JOB_BACKUP, { 0 }, { 0 }, 0, true, false,
		  "sda SMART self-assessment FAILED during the run" },
	};

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct smart_derived base = cases[c].base, now = cases[c].now;
		struct watch_verdict look;

		watch_judge(cases[c].cls, "sda", &base, &now, cases[c].smart_ok, &look);
		if (look.worse != cases[c].worse || look.stop != cases[c].stop || strcmp(look.what, cases[c].says) != 0)
			fail_msg("%s: worse %d stop %d \"%s\"", cases[c].what, look.worse, look.stop, look.what);
	}
	/* a counter unknown at the start never grew */
	{
		struct smart_derived base = derived(ATTR_UNKNOWN, ATTR_UNKNOWN, 0, 0), now = derived(5, 8, 0, 0);
		struct watch_verdict look;

		watch_judge(JOB_MAINTENANCE, "sda", &base, &now, 1, &look);
		assert_false(look.worse);
		assert_false(look.stop);
		assert_string_equal(look.what, "");
	}
	assert_true(watch_stops(JOB_MAINTENANCE));
	assert_true(watch_stops(JOB_SELFTEST));
	assert_false(watch_stops(JOB_BACKUP));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decision_table),
		cmocka_unit_test(test_long_reason_whole),
		cmocka_unit_test(test_defer_hot_and_self_test),
		cmocka_unit_test(test_worst_drive_decides),
		cmocka_unit_test(test_reason_joins_deciding_drives),
		cmocka_unit_test(test_selftest_table),
		cmocka_unit_test(test_every_nightly),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_decision_verdict),
		cmocka_unit_test(test_job_order_table),
		cmocka_unit_test(test_job_held_behind),
		cmocka_unit_test(test_watch_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
