/* test-track.c — the sign log and the episodes in a real store: recorded by every pass, read as of a time, recorded anew the same */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "reading-builder.h"
#include "tmpdir.h"
#include "track.h"

#define DAY 86400
#define HOUR 3600
#define NOW INT64_C(1795600000)

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/wg-test-track-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return tmpdir_remove(dir);
}

static struct store *open_at(const char *name)
{
	struct wg_err err = { "" };
	struct store *s = NULL;
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (store_open(path, &s, &err) < 0 || store_set_durable(s, false, &err) < 0)
		fail_msg("store_open: %s", err.msg);
	return s;
}

static void record(struct store *s, const struct policy *p, int64_t t, size_t n, const char *const *names,
		   const struct smart_reading *readings)
{
	struct smart_reading r[4];
	struct wg_err err = { "" };

	assert_true(n <= 4);
	memcpy(r, readings, n * sizeof(*r));
	if (track_record_pass(s, p, t, names, r, n, true, NULL, &err) < 0)
		fail_msg("record: %s", err.msg);
}

/* What the sign log and the episodes hold, drive by identity, in the order recorded: for comparing two histories. */
static char *dump(const char *name)
{
	static const char *const sql =
		"SELECT d.model || '/' || d.serial || coalesce(d.placeholder, '') || ' sign ' || c.sign || ' ' || c.t || ' ' || "
		"coalesce(c.t_prev, -1) || ' ' || coalesce(c.from_value, -1) || ' ' || c.to_value FROM sign_change c JOIN drive d "
		"ON d.id = c.drive_id ORDER BY d.model, d.serial, c.rowid; "
		"SELECT d.model || '/' || d.serial || coalesce(d.placeholder, '') || ' episode ' || e.start || ' ' || e.state || ' ' "
		"|| e.sign FROM episode e JOIN drive d ON d.id = e.drive_id ORDER BY d.model, d.serial, e.rowid";
	const char *tail = sql;
	char path[160], *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	sqlite3 *db;

	assert_non_null(f);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	while (*tail) {
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_prepare_v2(db, tail, -1, &st, &tail), SQLITE_OK);
		if (!st)
			break;
		while (sqlite3_step(st) == SQLITE_ROW)
			fprintf(f, "%s\n", (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		while (*tail == ' ' || *tail == ';')
			tail++;
	}
	sqlite3_close(db);
	fclose(f);
	return out;
}

static void set_raw(struct smart_reading *r, uint8_t id, uint64_t raw)
{
	const struct smart_attr *a = smart_reading_attr(r, id);

	rb_attr(r, id, a ? a->flags : 0x0032, a ? a->current : 100, a ? a->worst : 100,
		a && a->threshold_valid ? a->threshold : 0, raw);
}

/*
 * A history with everything in it: two drives, growth, a sign going away, standby, an
 * unreadable drive, a growth leaving the window between samples, the clock set back.
 */
static void rich_history(struct store *s, const struct policy *p)
{
	static const char *const names[] = { "sda", "sdb" };
	struct smart_reading r[2];
	int64_t t = NOW - 30 * DAY;

	rb_healthy_hdd(&r[0], "A");
	rb_healthy_hdd(&r[1], "B");
	for (int i = 0; i < 40; i++, t += 6 * HOUR)
		record(s, p, t, 2, names, r);
	set_raw(&r[0], 197, 4);
	set_raw(&r[1], 5, 3);
	for (int i = 0; i < 10; i++, t += 6 * HOUR)
		record(s, p, t, 2, names, r);
	r[1].status = READING_STANDBY;
	r[1].identity_valid = false;
	snprintf(r[1].reason, sizeof(r[1].reason), "standby: not woken (use --wake)");
	for (int i = 0; i < 5; i++, t += 6 * HOUR)
		record(s, p, t, 2, names, r);
	rb_healthy_hdd(&r[1], "B");
	set_raw(&r[1], 5, 9);
	set_raw(&r[0], 197, 0);
	set_raw(&r[0], 5, 4);
	record(s, p, t, 2, names, r);
	/* a week without samples: sdb's growth leaves the window before the next one */
	t += 9 * DAY;
	for (int i = 0; i < 4; i++, t += 6 * HOUR)
		record(s, p, t, 2, names, r);
	/* the clock set back by two days, and a growth seen then */
	t -= 2 * DAY;
	set_raw(&r[0], 5, 6);
	for (int i = 0; i < 4; i++, t += 6 * HOUR)
		record(s, p, t, 2, names, r);
	r[0].smart_ok = 0;
	record(s, p, t, 2, names, r);
}

/* What a recorded pass leaves in memory is what loading it back gives. */
static void test_record_and_load(void **state)
{
	static const char *const names[] = { "sda" };
	struct store *s = open_at("a.db");
	struct track_result res;
	struct wg_err err = { "" };
	struct health_track tr;
	struct smart_reading r;
	struct policy p;

	(void)state;
	policy_defaults(&p);
	rb_healthy_hdd(&r, "A");
	for (int i = 0; i < 20; i++)
		record(s, &p, NOW - 20 * HOUR + i * HOUR, 1, names, &r);
	set_raw(&r, 197, 2);
	assert_int_equal(track_record_pass(s, &p, NOW, names, &r, 1, true, &res, &err), 0);
	assert_int_equal(track_load(s, &p, res.drive_id, NOW + 60, &tr, &err), 0);
	assert_int_equal(tr.last_t, NOW);
	assert_int_equal(tr.last_usable_t, NOW);
	assert_int_equal(tr.episode.state, HEALTH_DEGRADING);
	assert_int_equal(tr.episode.start, NOW);
	assert_int_equal(tr.episode.state, res.track.episode.state);
	assert_string_equal(tr.episode.sign, res.track.episode.sign);
	for (unsigned k = 0; k < _HEALTH_SIGN_MAX; k++) {
		assert_int_equal(tr.cur[k].value, res.track.cur[k].value);
		assert_int_equal(tr.cur[k].since, res.track.cur[k].since);
		assert_int_equal(tr.cur[k].t_prev, res.track.cur[k].t_prev);
	}
	assert_int_equal(tr.n_recent, res.track.n_recent);
	/* as of a time before the change, it is not there */
	health_track_release(&tr);
	assert_int_equal(track_load(s, &p, res.drive_id, NOW - 1, &tr, &err), 0);
	assert_int_equal(tr.episode.state, HEALTH_OK);
	assert_int_equal(tr.cur[2].value, 0);
	assert_int_equal(tr.last_t, NOW - HOUR);
	health_track_release(&tr);
	health_track_release(&res.track);
	store_free(s);
}

/* Recording anew from the samples gives what the passes recorded as they went. */
static void test_rebuild_equals_live(void **state)
{
	struct store *s = open_at("live.db");
	struct wg_err err = { "" };
	struct policy p;
	char *live, *rebuilt;

	(void)state;
	policy_defaults(&p);
	rich_history(s, &p);
	live = dump("live.db");
	assert_int_equal(track_rebuild(s, &p, &err), 0);
	rebuilt = dump("live.db");
	if (strcmp(live, rebuilt) != 0) {
		FILE *a = fopen("/tmp/wg-live.txt", "w"), *b = fopen("/tmp/wg-rebuilt.txt", "w");
		fputs(live, a);
		fputs(rebuilt, b);
		fclose(a);
		fclose(b);
		fail_msg("recorded as it went and anew differ");
	}
	/* the history had something of every kind */
	assert_non_null(strstr(live, "episode"));
	assert_non_null(strstr(live, " degrading "));
	assert_non_null(strstr(live, " failing "));
	assert_non_null(strstr(live, " worn "));
	free(live);
	free(rebuilt);
	store_free(s);
}

struct copy {
	struct store *to;
	const struct policy *p;
	char name[STORE_NAME_MAX];
};

static int copy_sample(const struct store_sample *sample, void *userdata)
{
	struct copy *c = userdata;

	record(c->to, c->p, sample->t, 1, (const char *const[]){ sample->name }, &sample->reading);
	return 0;
}

/* The episodes alone (state and start), without their words: those name the samples around a change, which a prune thins. */
static char *episodes_of(const char *name)
{
	char path[160], *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	sqlite3_stmt *st;
	sqlite3 *db;

	assert_non_null(f);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT drive_id, start, state FROM episode ORDER BY drive_id, rowid", -1,
					    &st, NULL),
			 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		fprintf(f, "%lld %lld %s\n", (long long)sqlite3_column_int64(st, 0), (long long)sqlite3_column_int64(st, 1),
			(const char *)sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	sqlite3_close(db);
	fclose(f);
	return out;
}

/* Retention thins samples, never one an episode needs: recorded anew from what is left, the episodes are the same. */
static void test_prune_keeps_the_episodes(void **state)
{
	struct store *s = open_at("prune.db");
	struct store_prune_stats st = { 0 };
	struct wg_err err = { "" };
	struct policy p;
	char *before, *after;

	(void)state;
	policy_defaults(&p);
	rich_history(s, &p);
	before = episodes_of("prune.db");
	assert_int_equal(store_prune(s, NOW, 2 * DAY, health_sample_key, &st, &err), 0);
	assert_true(st.removed > 0);
	assert_int_equal(track_rebuild(s, &p, &err), 0);
	after = episodes_of("prune.db");
	if (strcmp(before, after) != 0)
		fail_msg("before the prune:\n%s\nrecorded anew after it:\n%s", before, after);
	free(before);
	free(after);
	store_free(s);
}

/* An old history, migrated, gets the episodes this weargate would have recorded for its samples. */
static void test_migration_records_the_episodes(void **state)
{
	const char *root = getenv("SOURCE_ROOT");
	struct store *s, *fresh;
	struct wg_err err = { "" };
	struct copy c;
	struct policy p;
	char path[160], fixture[512], *sql, *migrated, *recorded, *why = NULL;
	sqlite3 *db;
	uint8_t *text;
	size_t len;

	(void)state;
	assert_non_null(root);
	policy_defaults(&p);
	snprintf(fixture, sizeof(fixture), "%s/tests/data/history-v1.sql", root);
	assert_int_equal(wg_read_file(fixture, 1 << 20, &text, &len), 0);
	text[len] = '\0';
	sql = (char *)text;
	snprintf(path, sizeof(path), "%s/old.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &why) != SQLITE_OK)
		fail_msg("fixture: %s", why);
	sqlite3_close(db);
	free(text);

	s = open_at("old.db");
	/* migrated: the signs are yet to be recorded, and a reader is told so */
	{
		struct store *ro = NULL;
		int64_t id = 1;
		struct health_track tr;

		assert_int_equal(store_open_readonly(path, &ro, &err), 0);
		assert_int_equal(track_store_ready(ro, &p, false, &err), -EPROTO);
		assert_int_equal(track_load(ro, &p, id, NOW, &tr, &err), -EPROTO);
		store_free(ro);
	}
	assert_int_equal(track_store_ready(s, &p, true, &err), 0);
	migrated = dump("old.db");
	/* the same samples, recorded by today's weargate as they come */
	fresh = open_at("fresh.db");
	c = (struct copy){ .to = fresh, .p = &p };
	for (int64_t id = 1; id <= 2; id++)
		assert_int_equal(store_foreach_sample(s, id, 0, INT64_C(1) << 40, copy_sample, &c, &err), 0);
	recorded = dump("fresh.db");
	if (strcmp(migrated, recorded) != 0)
		fail_msg("migrated:\n%s\nrecorded:\n%s", migrated, recorded);
	if (!strstr(migrated, "ST9160821AS/5MAC2QTA episode 1795000600 degrading pending sectors 0 → 3 since 2026-11-18"))
		fail_msg("migrated:\n%s", migrated);
	free(migrated);
	free(recorded);
	store_free(fresh);
	store_free(s);
}

/* New numbers in the policy: the episodes are judged anew from the signs, by a writer or, in memory, by a reader. */
static void test_policy_change(void **state)
{
	static const char *const names[] = { "sda" };
	struct store *s = open_at("p.db");
	struct wg_err err = { "" };
	struct smart_reading r;
	struct health_track tr;
	struct policy p, wide;
	int64_t id, grew = NOW - 10 * DAY;
	struct store_sample x;

	(void)state;
	policy_defaults(&p);
	assert_int_equal(track_store_ready(s, &p, true, &err), 0);
	rb_healthy_hdd(&r, "A");
	set_raw(&r, 5, 1);
	for (int64_t t = NOW - 20 * DAY; t < grew; t += DAY)
		record(s, &p, t, 1, names, &r);
	set_raw(&r, 5, 2);
	for (int64_t t = grew; t <= NOW; t += DAY)
		record(s, &p, t, 1, names, &r);
	assert_int_equal(store_latest_by_name(s, "sda", &x, &err), 0);
	id = x.drive_id;
	assert_int_equal(track_load(s, &p, id, NOW, &tr, &err), 0);
	assert_int_equal(tr.episode.state, HEALTH_WORN); /* the growth left the 7-day window */
	health_track_release(&tr);
	/* a window of 14 days: still degrading, since the growth, for a reader who may not write */
	wide = p;
	wide.window = 14 * DAY;
	assert_int_equal(track_store_ready(s, &wide, false, &err), 0);
	assert_int_equal(track_load(s, &wide, id, NOW, &tr, &err), 0);
	assert_int_equal(tr.episode.state, HEALTH_DEGRADING);
	assert_int_equal(tr.episode.start, grew);
	health_track_release(&tr);
	/* and a writer records them so */
	assert_int_equal(track_store_ready(s, &wide, true, &err), 0);
	assert_int_equal(track_load(s, &wide, id, NOW, &tr, &err), 0);
	assert_int_equal(tr.episode.state, HEALTH_DEGRADING);
	assert_int_equal(tr.episode.start, grew);
	health_track_release(&tr);
	store_free(s);
}

/* Two drive sections that read one disk: both kept apart, neither recorded as that disk. */
static void test_duplicates(void **state)
{
	static const char *const names[] = { "sda", "byid", "sdc" };
	struct store *s = open_at("d.db");
	struct wg_err err = { "" };
	struct smart_reading r[3];
	struct track_result res[3];
	struct store_sample x;
	struct policy p;
	int64_t before;

	(void)state;
	policy_defaults(&p);
	rb_healthy_hdd(&r[0], "A");
	record(s, &p, NOW - HOUR, 1, names, r);
	assert_int_equal(store_latest_by_name(s, "sda", &x, &err), 0);
	before = x.drive_id;
	rb_healthy_hdd(&r[1], "A");
	rb_healthy_hdd(&r[2], "C");
	assert_int_equal(track_record_pass(s, &p, NOW, names, r, 3, true, res, &err), 0);
	assert_int_equal(r[0].status, READING_DUPLICATE);
	assert_int_equal(r[1].status, READING_DUPLICATE);
	assert_int_equal(r[2].status, READING_OK);
	assert_non_null(strstr(r[0].reason, "same model and serial as drive 'byid'"));
	assert_non_null(strstr(r[1].reason, "same model and serial as drive 'sda'"));
	/* each under a history of its own name, not the disk's */
	assert_true(res[0].drive_id != before);
	assert_true(res[1].drive_id != before);
	assert_true(res[0].drive_id != res[1].drive_id);
	assert_int_equal(store_latest_by_name(s, "sda", &x, &err), 0);
	assert_int_equal(x.reading.status, READING_DUPLICATE);
	for (int i = 0; i < 3; i++)
		health_track_release(&res[i].track);
	/* the disk's own history is as it was */
	assert_int_equal(store_drive_latest_t(s, before, NOW + HOUR, INT64_MAX, &x.t, &err), 0);
	assert_int_equal(x.t, NOW - HOUR);
	/* with the section removed, the disk is recorded as itself again */
	rb_healthy_hdd(&r[0], "A");
	record(s, &p, NOW + HOUR, 1, names, r);
	assert_int_equal(store_latest_by_name(s, "sda", &x, &err), 0);
	assert_int_equal(x.drive_id, before);
	store_free(s);
}

/* A pass stamped ten years ahead and the clock then set right: what was stamped later does not count. */
static void test_clock_ahead(void **state)
{
	static const char *const names[] = { "sda" };
	struct store *s = open_at("c.db");
	struct wg_err err = { "" };
	struct smart_reading r;
	struct health_track tr;
	struct store_sample x;
	struct store_ahead ahead;
	struct policy p;

	(void)state;
	policy_defaults(&p);
	rb_healthy_hdd(&r, "A");
	set_raw(&r, 5, 3);
	for (int i = 0; i < 10; i++)
		record(s, &p, NOW - 10 * HOUR + i * HOUR, 1, names, &r);
	set_raw(&r, 197, 1);
	record(s, &p, NOW + 3650 * DAY, 1, names, &r);
	set_raw(&r, 197, 0);
	record(s, &p, NOW + HOUR, 1, names, &r);
	assert_int_equal(store_latest_by_name(s, "sda", &x, &err), 0);
	assert_int_equal(track_load(s, &p, x.drive_id, NOW + 2 * HOUR, &tr, &err), 0);
	assert_int_equal(tr.last_t, NOW + HOUR);
	assert_int_equal(tr.episode.state, HEALTH_WORN);
	assert_int_equal(tr.cur[2].value, 0);
	health_track_release(&tr);
	assert_int_equal(store_ahead_of(s, NOW + 2 * HOUR, &ahead, &err), 0);
	assert_int_equal(ahead.samples, 1);
	assert_int_equal(ahead.newest_sample, NOW + 3650 * DAY);
	store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_record_and_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rebuild_equals_live, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration_records_the_episodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune_keeps_the_episodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clock_ahead, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
