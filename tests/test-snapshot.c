/* test-snapshot.c — the drives and jobs now, as status, report and export are given them, over a real store */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reading-builder.h"
#include "snapshot.h"
#include "tmpdir.h"
#include "track.h"

#define HOUR 3600
#define NOW INT64_C(1795600000)

struct fixture {
	char dir[64], db[128];
	struct store *s;
	struct drive_cfg drives[2];
	char *job_drives[2], *lost_drives[2];
	struct job_cfg jobs[2];
	struct config c;
	struct blockdev_env env;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct wg_err err = { "" };

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/wg-test-snapshot-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->db, sizeof(f->db), "%s/history.db", f->dir);
	if (store_open(f->db, &f->s, &err) < 0 || store_set_durable(f->s, false, &err) < 0)
		return -1;
	f->drives[0] = (struct drive_cfg){ .name = "sda", .source = DRIVE_BLOB, .path = "/nonexistent" };
	f->drives[1] = (struct drive_cfg){ .name = "sdb", .source = DRIVE_BLOB, .path = "/nonexistent" };
	f->job_drives[0] = "sda";
	f->lost_drives[0] = "sdz";
	f->jobs[0] = (struct job_cfg){ .name = "backup", .class = JOB_BACKUP, .drives = f->job_drives, .cooldown = -1,
				       .on_unknown = VERDICT_GO };
	/* a job whose drive is not configured: its drives cannot be resolved */
	f->jobs[1] = (struct job_cfg){ .name = "lost", .class = JOB_MAINTENANCE, .drives = f->lost_drives,
				       .cooldown = -1, .on_unknown = VERDICT_DEFER };
	f->c = (struct config){ .path = "test.conf", .n_drives = 2, .drives = f->drives, .n_jobs = 2, .jobs = f->jobs };
	policy_defaults(&f->c.policy);
	f->env = (struct blockdev_env){ "/nonexistent", "/nonexistent" };
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

/* A pass of sda alone at t, recorded as every command records one. */
static void sample_at(struct fixture *f, int64_t t, const struct smart_reading *reading)
{
	static const char *const names[] = { "sda" };
	struct smart_reading r = *reading;
	struct wg_err err = { "" };

	if (track_record_pass(f->s, &f->c.policy, t, names, &r, 1, true, NULL, &err) < 0)
		fail_msg("pass: %s", err.msg);
}

static void load(struct fixture *f, unsigned flags, struct snapshot *ret)
{
	struct wg_err err = { "" };

	if (snapshot_load(&f->c, f->s, &f->env, NOW, flags, ret, &err) < 0)
		fail_msg("snapshot_load: %s", err.msg);
	assert_int_equal(ret->n_drives, 2);
	assert_int_equal(ret->n_jobs, 2);
	assert_null(ret->failed);
}

/* A drive never sampled is there, with nothing known; every job has its row, the lost one its reason. */
static void test_empty(void **state)
{
	struct fixture *f = *state;
	struct snapshot snap;

	load(f, 0, &snap);
	for (int i = 0; i < 2; i++) {
		assert_ptr_equal(snap.drives[i].cfg, &f->drives[i]);
		assert_null(snap.drives[i].health.latest);
		assert_false(snap.drives[i].have_usable);
		assert_null(snap.drives[i].match);
		assert_false(snap.drives[i].have_test);
		assert_null(snapshot_identity(&snap.drives[i]));
	}
	assert_ptr_equal(snap.jobs[0].job, &f->jobs[0]);
	assert_int_equal(snap.jobs[0].decision.verdict, VERDICT_GO);
	assert_ptr_equal(snap.jobs[1].job, &f->jobs[1]);
	assert_int_equal(snap.jobs[1].decision.verdict, _VERDICT_MAX);
	assert_non_null(strstr(snap.jobs[1].decision.reason, "sdz"));
	snapshot_release(&snap);
	snapshot_release(&snap); /* released twice: nothing left to free */
}

/* The values come from the newest usable sample; who the drive is, from the newest that says. */
static void test_usable_behind_standby(void **state)
{
	struct fixture *f = *state;
	struct smart_reading ok, standby = { .status = READING_STANDBY, .smart_ok = -1, .self_test = -1 };
	struct snapshot snap;

	rb_healthy_hdd(&ok, "S1");
	sample_at(f, NOW - 2 * HOUR, &ok);
	load(f, 0, &snap);
	assert_non_null(snap.drives[0].health.latest);
	assert_true(snap.drives[0].have_usable);
	assert_int_equal(snap.drives[0].usable.t, NOW - 2 * HOUR);
	assert_ptr_equal(snapshot_identity(&snap.drives[0]), &snap.drives[0].health.latest->reading);
	assert_null(snap.drives[1].health.latest);
	snapshot_release(&snap);

	sample_at(f, NOW - HOUR, &standby);
	load(f, 0, &snap);
	assert_int_equal(snap.drives[0].health.latest->t, NOW - HOUR);
	assert_int_equal(snap.drives[0].health.latest->reading.status, READING_STANDBY);
	assert_true(snap.drives[0].have_usable);
	assert_int_equal(snap.drives[0].usable.t, NOW - 2 * HOUR);
	/* the standby reading says nothing of who the drive is: the usable one does */
	assert_ptr_equal(snapshot_identity(&snap.drives[0]), &snap.drives[0].usable.reading);
	assert_string_equal(snapshot_identity(&snap.drives[0])->identity.serial, "S1");
	snapshot_release(&snap);
}

/* A self-test still running is the newest for status and report; export (SNAPSHOT_TEST_ENDED) waits for its end. */
static void test_self_test_ended(void **state)
{
	struct fixture *f = *state;
	struct smart_reading ok;
	struct store_self_test t = { .started = NOW - HOUR, .ended = -1, .status = -1 };
	struct store_sample latest;
	struct wg_err err = { "" };
	struct snapshot snap;

	rb_healthy_hdd(&ok, "S1");
	sample_at(f, NOW - 2 * HOUR, &ok);
	assert_int_equal(store_latest_upto(f->s, "sda", NOW, &latest, &err), 0);
	assert_int_equal(store_job_run_begin(f->s, "short-test", "selftest", NOW - HOUR, &latest.drive_id, 1, "go",
					     &t.run_id, &err),
			 0);
	t.drive_id = latest.drive_id;
	snprintf(t.test, sizeof(t.test), "short");
	assert_int_equal(store_self_test_set(f->s, &t, &err), 0);

	load(f, 0, &snap);
	assert_true(snap.drives[0].have_test);
	assert_int_equal(snap.drives[0].test.ended, -1);
	snapshot_release(&snap);
	load(f, SNAPSHOT_TEST_ENDED, &snap);
	assert_false(snap.drives[0].have_test);
	snapshot_release(&snap);

	t.ended = NOW - HOUR / 2;
	snprintf(t.result, sizeof(t.result), "passed");
	assert_int_equal(store_self_test_set(f->s, &t, &err), 0);
	load(f, SNAPSHOT_TEST_ENDED, &snap);
	assert_true(snap.drives[0].have_test);
	assert_string_equal(snap.drives[0].test.result, "passed");
	snapshot_release(&snap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_usable_behind_standby, setup, teardown),
		cmocka_unit_test_setup_teardown(test_self_test_ended, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
