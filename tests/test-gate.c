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
#include "track.h"

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
	char reason[8192]; /* the last check's reason, which its decision points at */
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

/* A pass at t, recorded as every command records one: the sample, its signs and episodes. */
static void sample_at(struct fixture *f, int64_t t)
{
	static const char *const names[] = { "sda" };
	struct smart_reading r = f->r;
	struct wg_err err = { "" };

	if (track_record_pass(f->s, &f->c.policy, t, names, &r, 1, true, NULL, &err) < 0)
		fail_msg("pass: %s", err.msg);
}

static void samples(struct fixture *f, int64_t t0, int64_t t1, int64_t step)
{
	for (int64_t t = t0; t <= t1; t += step)
		sample_at(f, t);
}

static void job_run(struct fixture *f, const char *job, const char *class, int64_t start, int64_t end,
		    const char *outcome)
{
	struct store_sample *x = malloc(sizeof(*x));
	struct wg_err err = { "" };
	int64_t id;

	assert_non_null(x);
	assert_int_equal(store_latest_upto(f->s, "sda", start, x, &err), 0);
	assert_int_equal(store_job_run_begin(f->s, job, class, start, &x->drive_id, 1, "go", &id, &err), 0);
	assert_int_equal(store_job_run_end(f->s, id, end, outcome, 0, NULL, NULL, &err), 0);
	free(x);
}

static struct gate_decision check_since(struct fixture *f, const struct job_cfg *j, int64_t now, char *states,
					size_t len, int64_t *ret_since)
{
	struct blockdev_env env = { "/nonexistent", "/nonexistent" };
	struct gate_opts opts = { .env = &env };
	struct gate_result res;
	struct gate_decision d;
	struct wg_err err = { "" };

	if (gate_check(&f->c, f->s, j, now, &opts, &res, &err) < 0)
		fail_msg("gate_check: %s", err.msg);
	d = res.decision;
	snprintf(f->reason, sizeof(f->reason), "%s", res.decision.reason);
	d.reason = f->reason;
	if (states)
		snprintf(states, len, "%s", res.states);
	if (ret_since)
		*ret_since = res.drives[0].health.since;
	gate_result_release(&res);
	return d;
}

static struct gate_decision check(struct fixture *f, const struct job_cfg *j, int64_t now, char *states, size_t len)
{
	return check_since(f, j, now, states, len, NULL);
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
	if (!strstr(d.reason, "pending sectors 0 → 3 since 2026-10-26") && !strstr(d.reason, "pending sectors 3 since 2026-10-26"))
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

/*
 * The property over the real store and gate: sampled hourly, daily, weekly or irregularly with
 * month-long gaps, asked at +0, +1 s, +61 s, +30 min and +7 d after each sample, the drive's
 * state began when its sign appeared; a degrading drive backed up once keeps its credit for 60
 * days, and a failing one gets exactly one last-chance backup.
 */
static int64_t next_time(int64_t step, int64_t t, uint32_t *rng)
{
	if (step)
		return t + step;
	*rng = *rng * 1103515245u + 12345u;
	if ((*rng >> 16) % 10 == 0)
		return t + 30 * DAY + (int64_t)((*rng >> 8) % HOUR);
	return t + 600 + (int64_t)((*rng >> 8) % DAY);
}

static void property(struct fixture *f, int64_t step, uint32_t seed, bool failing)
{
	static const int64_t offsets[] = { 0, 1, 61, 1800, 7 * DAY };
	const struct job_cfg *j = failing ? &f->backup : &f->purge;
	int64_t t = NOW - 90 * DAY, appeared, end;
	int last_chances = 0;
	uint32_t rng = seed;

	f->c.policy.sample_max_age = 40 * DAY;
	for (; t < NOW - 60 * DAY; t = next_time(step, t, &rng))
		sample_at(f, t);
	if (failing)
		f->r.smart_ok = 0;
	else
		rb_attr(&f->r, 197, 0x0032, 200, 200, 0, 8);
	appeared = end = t;
	end += 60 * DAY;
	for (; t <= end; t = next_time(step, t, &rng)) {
		int64_t next = next_time(step, t, &(uint32_t){ rng });

		sample_at(f, t);
		if (!failing && t == appeared)
			job_run(f, "backup", "backup", t, t + HOUR, "success");
		for (size_t o = 0; o < WG_ELEMENTSOF(offsets) && t + offsets[o] < next; o++) {
			int64_t now = t + offsets[o], since;
			struct gate_decision d = check_since(f, j, now, NULL, 0, &since);

			if (since != appeared)
				fail_msg("sampled every %llds (seed %u), asked %llds after a sample: the state began at %lld, "
					 "not %lld (%s)",
					 (long long)step, seed, (long long)offsets[o], (long long)since, (long long)appeared,
					 d.reason);
			if (!failing && strstr(d.reason, "waits for a backup"))
				fail_msg("sampled every %llds (seed %u), asked %llds after a sample, %lld days on: %s",
					 (long long)step, seed, (long long)offsets[o], (long long)((now - appeared) / DAY),
					 d.reason);
			if (failing && d.verdict == VERDICT_GO) {
				last_chances += d.last_chance;
				job_run(f, "backup", "backup", now, now + 1, "success");
			}
		}
	}
	if (failing && last_chances != 1)
		fail_msg("sampled every %llds (seed %u): %d last-chance backups in 60 days", (long long)step, seed, last_chances);
}

static const struct {
	int64_t step;
	uint32_t seed;
} samplings[] = { { HOUR, 0 }, { DAY, 0 }, { 7 * DAY, 0 }, { 0, 7 }, { 0, 99 } };

static void test_property_degrading(void **state)
{
	for (size_t i = 0; i < WG_ELEMENTSOF(samplings); i++) {
		teardown(state);
		setup(state);
		property(*state, samplings[i].step, samplings[i].seed, false);
	}
}

static void test_property_failing(void **state)
{
	for (size_t i = 0; i < WG_ELEMENTSOF(samplings); i++) {
		teardown(state);
		setup(state);
		property(*state, samplings[i].step, samplings[i].seed, true);
	}
}

/* A run stamped ten years ahead (the clock was wrong for a night), then the clock right: the worn drive is gated as ever. */
static void test_run_stamped_ahead(void **state)
{
	struct fixture *f = *state;
	struct gate_decision d;

	rb_attr(&f->r, 5, 0x0033, 199, 199, 140, 4);
	samples(f, NOW - 3 * DAY, NOW - 2 * HOUR, HOUR);
	sample_at(f, NOW + 3650 * DAY);
	job_run(f, "backup", "backup", NOW + 3650 * DAY, NOW + 3650 * DAY + HOUR, "success");
	sample_at(f, NOW - HOUR); /* the clock set right */
	d = check(f, &f->purge, NOW, NULL, 0);
	assert_int_equal(d.verdict, VERDICT_GO);
	assert_true(d.throttle);
	d = check(f, &f->backup, NOW, NULL, 0);
	assert_int_equal(d.verdict, VERDICT_GO);
}

/*
 * The gate judges a drive in the read of its newest sample, from what that read found; it
 * judges as drive_health_load() and store_last_jobs() do, which look everything up: at nows
 * between samples, after job runs, and with a sample stamped a day ahead by a clock since set
 * right, in the chunk the gate reads.
 */
static void test_gate_judges_as_the_history_does(void **state)
{
	static const int64_t offsets[] = { 0, 1, 61, 30 * 60, 6 * HOUR, 7 * DAY };
	struct fixture *f = *state;
	struct blockdev_env env = { "/nonexistent", "/nonexistent" };
	struct gate_opts opts = { .env = &env };

	samples(f, NOW - 10 * DAY, NOW - 8 * DAY, HOUR);
	rb_attr(&f->r, 197, 0x0032, 200, 200, 0, 8);
	samples(f, NOW - 8 * DAY + HOUR, NOW - 2 * HOUR, HOUR);
	job_run(f, "backup", "backup", NOW - 5 * DAY, NOW - 5 * DAY + HOUR, "success");
	job_run(f, "purge", "maintenance", NOW - 4 * DAY, NOW - 4 * DAY + 2 * HOUR, "failed");
	/* a clock set a day ahead for one sample, then right again: nothing sampled since */
	sample_at(f, NOW + DAY);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < sizeof(offsets) / sizeof(offsets[0]); k++) {
			int64_t now = NOW - 3 * HOUR + offsets[k], heavy, backup;
			struct drive_health want;
			struct gate_result res;
			struct wg_err err = { "" };

			assert_int_equal(drive_health_load(f->s, &f->c.policy, &f->drive, now, &want, &err), 0);
			assert_int_equal(store_last_jobs(f->s, want.drive_id, now, &heavy, &backup, &err), 0);
			if (gate_check(&f->c, f->s, &f->purge, now, &opts, &res, &err) < 0)
				fail_msg("gate_check: %s", err.msg);
			assert_int_equal(res.drives[0].track.last_t, want.track.last_t);
			assert_int_equal(res.drives[0].health.state, want.health.state);
			assert_int_equal(res.drives[0].health.since, want.health.since);
			assert_string_equal(res.drives[0].health.reason, want.health.reason);
			assert_int_equal(res.facts[0].last_heavy_end, heavy);
			assert_int_equal(res.facts[0].last_backup_ok, backup);
			gate_result_release(&res);
			drive_health_release(&want);
		}
		/* and once the clock is right and sampling again */
		sample_at(f, NOW - HOUR);
	}
}

static int count_episode(const struct store_episode *e, void *userdata)
{
	(void)e;
	++*(int *)userdata;
	return 0;
}

/*
 * What a gate read of a drive is not what the pass it then records starts from: another
 * process may have recorded one in between (two hooks gating one disk), and a change it
 * recorded is not recorded twice.
 */
static void test_pass_after_a_read_starts_from_the_newest(void **state)
{
	static const char *const names[] = { "sda" };
	struct fixture *f = *state;
	struct store *other = NULL;
	struct store_brief b;
	struct smart_reading r;
	struct wg_err err = { "" };
	int read, episodes = 0;

	samples(f, NOW - 5 * HOUR, NOW - HOUR, HOUR);
	read = store_read_begin(f->s, &err);
	assert_true(read >= 0);
	assert_int_equal(store_latest_brief(f->s, "sda", NOW, &b, &err), 0);
	store_read_end(f->s, read);
	/* another process records pending sectors first */
	rb_attr(&f->r, 197, 0x0032, 200, 200, 0, 2);
	r = f->r;
	assert_int_equal(store_open(f->db, &other, &err), 0);
	assert_int_equal(track_record_pass(other, &f->c.policy, NOW - 60, names, &r, 1, true, NULL, &err), 0);
	store_free(other);
	sample_at(f, NOW);
	assert_int_equal(store_foreach_episode(f->s, b.drive_id, 0, NOW, count_episode, &episodes, &err), 0);
	/* ok, then degrading once */
	assert_int_equal(episodes, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_property_degrading, setup, teardown),
		cmocka_unit_test_setup_teardown(test_property_failing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_stamped_ahead, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gate_judges_as_the_history_does, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pass_after_a_read_starts_from_the_newest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup_since_long_degradation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cooldown_from_job_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_never_sampled, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
