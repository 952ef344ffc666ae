/* test-gate.c — the gate over a real store: history, job runs and the policy together */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gate.h"
#include "reading-builder.h"
#include "tmpdir.h"

#define DAY 86400
#define HOUR 3600
#define NOW INT64_C(1795600000)

struct fixture {
	char dir[64], db[128];
	struct store *s;
	struct drive_cfg drive;
	char *job_drives[2];
	struct job_cfg backup, purge;
	struct config c;
	struct smart_reading r;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct wg_err err = { "" };

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/wg-test-gate-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->db, sizeof(f->db), "%s/history.db", f->dir);
	if (store_open(f->db, &f->s, &err) < 0 || store_set_durable(f->s, false, &err) < 0)
		return -1;
	f->drive = (struct drive_cfg){ .name = "sda", .source = DRIVE_BLOB, .path = "/nonexistent" };
	f->job_drives[0] = "sda";
	f->backup = (struct job_cfg){ .name = "backup", .class = JOB_BACKUP, .drives = f->job_drives,
				      .cooldown = -1, .on_unknown = VERDICT_GO };
	f->purge = (struct job_cfg){ .name = "purge", .class = JOB_MAINTENANCE, .drives = f->job_drives,
				     .cooldown = -1, .on_unknown = VERDICT_DEFER };
	f->c = (struct config){ .path = "test.conf", .n_drives = 1, .drives = &f->drive, .n_jobs = 2,
				.jobs = &f->backup };
	policy_defaults(&f->c.policy);
	rb_healthy_hdd(&f->r, "S1");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int r;

	store_free(f->s);
	r = tmpdir_remove(f->dir);
	free(f);
	return r;
}

static void samples(struct fixture *f, int64_t t0, int64_t t1, int64_t step)
{
	struct wg_err err = { "" };

	for (int64_t t = t0; t <= t1; t += step)
		if (store_pass_begin(f->s, t, &err) < 0 || store_pass_add(f->s, "sda", &f->r, &err) < 0 ||
		    store_pass_commit(f->s, &err) < 0)
			fail_msg("pass: %s", err.msg);
}

static void job_run(struct fixture *f, const char *job, const char *class, int64_t start, int64_t end,
		    const char *outcome)
{
	struct store_sample *x = malloc(sizeof(*x));
	struct wg_err err = { "" };
	int64_t id;

	assert_non_null(x);
	assert_int_equal(store_latest_by_name(f->s, "sda", x, &err), 0);
	assert_int_equal(store_job_run_begin(f->s, job, class, start, &x->drive_id, 1, "go", &id, &err), 0);
	assert_int_equal(store_job_run_end(f->s, id, end, outcome, 0, NULL, NULL, &err), 0);
	free(x);
}

static struct gate_decision check(struct fixture *f, const struct job_cfg *j, int64_t now, char *states,
				  size_t len)
{
	struct blockdev_env env = { "/nonexistent", "/nonexistent" };
	struct gate_opts opts = { .env = &env };
	struct gate_result res;
	struct gate_decision d;
	struct wg_err err = { "" };

	if (gate_check(&f->c, f->s, j, now, &opts, &res, &err) < 0)
		fail_msg("gate_check: %s", err.msg);
	d = res.decision;
	if (states)
		snprintf(states, len, "%s", res.states);
	gate_result_release(&res);
	return d;
}

/*
 * Pending sectors for a month, a backup three weeks ago: the backup came after the
 * degradation began, although that is far older than the window the gate looks at first.
 */
static void test_backup_since_long_degradation(void **state)
{
	struct fixture *f = *state;
	struct gate_decision d;
	char states[512];

	samples(f, NOW - 40 * DAY, NOW - 30 * DAY, HOUR);
	rb_attr(&f->r, 197, 0x0032, 200, 200, 0, 3);
	samples(f, NOW - 30 * DAY + HOUR, NOW, HOUR);
	d = check(f, &f->purge, NOW, states, sizeof(states));
	assert_string_equal(states, "sda=degrading");
	assert_int_equal(d.verdict, VERDICT_REFUSE);
	if (!strstr(d.reason, "pending sectors 3 since 2026-10-26"))
		fail_msg("reason: %s", d.reason);
	job_run(f, "backup", "backup", NOW - 21 * DAY, NOW - 21 * DAY + 2 * HOUR, "success");
	d = check(f, &f->purge, NOW, NULL, 0);
	assert_int_equal(d.verdict, VERDICT_GO);
	assert_true(d.throttle);
	/* a backup from before the pending sectors does not count */
	teardown(state);
	setup(state);
	f = *state;
	samples(f, NOW - 40 * DAY, NOW - 30 * DAY, HOUR);
	rb_attr(&f->r, 197, 0x0032, 200, 200, 0, 3);
	samples(f, NOW - 30 * DAY + HOUR, NOW, HOUR);
	job_run(f, "backup", "backup", NOW - 35 * DAY, NOW - 35 * DAY + 2 * HOUR, "success");
	d = check(f, &f->purge, NOW, NULL, 0);
	assert_int_equal(d.verdict, VERDICT_REFUSE);
}

/* Cooldowns come from the job runs in the store, and a failed backup is no backup. */
static void test_cooldown_from_job_runs(void **state)
{
	struct fixture *f = *state;
	struct gate_decision d;

	rb_attr(&f->r, 5, 0x0033, 199, 199, 140, 4);
	samples(f, NOW - 10 * DAY, NOW, HOUR);
	d = check(f, &f->purge, NOW, NULL, 0);
	assert_int_equal(d.verdict, VERDICT_GO);
	assert_true(d.throttle);
	job_run(f, "backup", "backup", NOW - 3 * HOUR, NOW - HOUR, "failed");
	d = check(f, &f->purge, NOW, NULL, 0);
	assert_int_equal(d.verdict, VERDICT_DEFER);
	assert_int_equal(d.retry_at, NOW + HOUR);
	d = check(f, &f->purge, NOW + HOUR, NULL, 0);
	assert_int_equal(d.verdict, VERDICT_GO);
}

/* Never sampled, and not to be sampled: unknown, and each job's on_unknown answers. */
static void test_never_sampled(void **state)
{
	struct fixture *f = *state;
	char states[512];

	assert_int_equal(check(f, &f->purge, NOW, states, sizeof(states)).verdict, VERDICT_DEFER);
	assert_string_equal(states, "sda=unknown");
	assert_int_equal(check(f, &f->backup, NOW, NULL, 0).verdict, VERDICT_GO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_backup_since_long_degradation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cooldown_from_job_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_sampled, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
