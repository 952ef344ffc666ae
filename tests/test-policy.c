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
	gate_decide(&p, JOB_MAINTENANCE, VERDICT_DEFER, -1, d, 3, NOW, &g);
	assert_int_equal(g.verdict, VERDICT_REFUSE);
	assert_int_equal(g.worst, HEALTH_DEGRADING);
	/* the reason names the drives that decided, not the others */
	assert_non_null(strstr(g.reason, "sdc degrading"));
	assert_null(strstr(g.reason, "sdb"));
	gate_decision_release(&g);
	gate_decide(&p, JOB_MAINTENANCE, VERDICT_DEFER, -1, d, 2, NOW, &g);
	assert_int_equal(g.verdict, VERDICT_DEFER);
	assert_int_equal(g.retry_at, NOW + HOUR);
	assert_false(g.throttle);
	gate_decision_release(&g);
	gate_decide(&p, JOB_MAINTENANCE, VERDICT_DEFER, -1, d, 0, NOW, &g);
	assert_non_null(strstr(g.reason, "touches no drive"));
	gate_decision_release(&g);
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
	gate_decide(&p, JOB_MAINTENANCE, VERDICT_DEFER, -1, d, 60, NOW, &g);
	assert_int_equal(g.verdict, VERDICT_REFUSE);
	assert_true(strlen(g.reason) > 4096);
	for (size_t i = 0; i < 60; i++) {
		snprintf(want, sizeof(want), "backup of %.7s", names[i]);
		assert_non_null(strstr(g.reason, want));
	}
	assert_null(strstr(g.reason, "…"));
	gate_decision_release(&g);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decision_table),
		cmocka_unit_test(test_long_reason_whole),
		cmocka_unit_test(test_defer_hot_and_self_test),
		cmocka_unit_test(test_worst_drive_decides),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_decision_verdict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
