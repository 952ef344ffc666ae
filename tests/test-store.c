/* test-store.c — the history store: exact reconstruction, identity, migration, crashes, concurrent readers */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "assert-reading.h"
#include "attrs.h"
#include "health.h"
#include "reading-builder.h"
#include "store.h"
#include "tmpdir.h"

/* a now later than anything the tests stamp */
#define NOW_MAX INT64_C(4000000000)

static int store_last_heavy_end(struct store *s, int64_t drive, int64_t until, int64_t *ret, struct wg_err *err)
{
	int64_t backup;

	return store_last_jobs(s, drive, until, ret, &backup, err);
}

static int store_last_backup_ok(struct store *s, int64_t drive, int64_t until, int64_t *ret, struct wg_err *err)
{
	int64_t heavy;

	return store_last_jobs(s, drive, until, &heavy, ret, err);
}

static int take_sign(const struct store_sign *sg, void *userdata)
{
	*(struct store_sign *)userdata = *sg;
	return 0;
}

/* One sign's current change, through the lookup of many: -ENOENT when it has none. */
static int store_sign_current(struct store *s, int64_t drive, int code, int64_t until, struct store_sign *ret,
			      struct wg_err *err)
{
	int r;

	ret->code = -1;
	r = store_signs_current(s, drive, until, &code, 1, take_sign, ret, err);
	return r < 0 ? r : ret->code == code ? 0 : -ENOENT;
}

static char dir[64];
static char db_path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/wg-test-store-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	/* a directory that does not exist yet: the store creates it */
	snprintf(db_path, sizeof(db_path), "%s/lib/weargate/history.db", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return tmpdir_remove(dir);
}

static void remove_db(void)
{
	char p[160];

	unlink(db_path);
	snprintf(p, sizeof(p), "%s-wal", db_path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", db_path);
	unlink(p);
}

static struct store *open_store(void)
{
	struct wg_err err = { "" };
	struct store *s = NULL;

	if (store_open(db_path, &s, &err) < 0)
		fail_msg("store_open: %s", err.msg);
	return s;
}

/* One pass of (name, reading) pairs. */
static void pass(struct store *s, int64_t t, size_t n, const char *const *names, const struct smart_reading *readings)
{
	struct wg_err err = { "" };

	if (store_pass_begin(s, t, &err) < 0)
		fail_msg("begin: %s", err.msg);
	for (size_t i = 0; i < n; i++) {
		struct smart_reading r = readings[i]; /* the store attaches its definitions */

		if (store_pass_add(s, names[i], &r, &err) < 0)
			fail_msg("add: %s", err.msg);
	}
	if (store_pass_commit(s, &err) < 0)
		fail_msg("commit: %s", err.msg);
}

/* Back from schema 14: the tails do not say whose they are. */
#define UNDO_14                                                                                                       \
	"ALTER TABLE chunk_tail DROP COLUMN name; ALTER TABLE chunk_tail DROP COLUMN drive_id; "

/* What the chunks hold, their rows and their tails (the newest records of the open ones) together. */
#define CHUNK_BYTES                                                                                                   \
	"SELECT (SELECT coalesce(sum(length(data)), 0) FROM chunk) + (SELECT coalesce(sum(length(data)), 0) FROM chunk_tail)"

/* What a query of the history answers, one integer; with a text and a number bound to ?1 and ?2 where it has them. */
static int64_t sql_int_bind(const char *sql, const char *text, int64_t number)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_bind_parameter_count(st) >= 1)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, number);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static int64_t sql_int(const char *sql)
{
	return sql_int_bind(sql, NULL, 0);
}

static void sql_exec(const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
}

struct collected {
	size_t n;
	struct store_sample s[64];
};

static int collect(const struct store_sample *sample, void *userdata)
{
	struct collected *c = userdata;

	if (c->n >= WG_ELEMENTSOF(c->s))
		return -E2BIG;
	c->s[c->n++] = *sample;
	return 0;
}

static int count_sample(const struct store_sample *sample, void *userdata)
{
	(void)sample;
	++*(int64_t *)userdata;
	return 0;
}

/* Every sample the history holds, as its readers find them: written, or listed by a pass and not written yet. */
static int64_t stored_samples(void)
{
	struct wg_err err = { "" };
	struct store *s = open_store();
	int64_t *ids = NULL, n = 0;
	size_t n_ids = 0;

	assert_int_equal(store_drive_ids(s, &ids, &n_ids, &err), 0);
	for (size_t i = 0; i < n_ids; i++)
		assert_int_equal(store_foreach_sample(s, ids[i], INT64_MIN, INT64_MAX, count_sample, &n, &err), 0);
	free(ids);
	store_free(s);
	return n;
}

static void test_open_creates_and_migrates(void **state)
{
	struct store *s;
	struct stat st;

	(void)state;
	s = open_store();
	assert_int_equal(stat(db_path, &st), 0);
	assert_int_equal(sql_int("PRAGMA user_version"), store_schema_version());
	assert_int_equal(sql_int("SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
	store_free(s);
	/* opening again changes nothing */
	s = open_store();
	store_free(s);
	assert_int_equal(sql_int("PRAGMA user_version"), store_schema_version());
	store_free(NULL);
}

/* The largest the log grew to over passes of three drives, in bytes, the log cut back to nothing after each copy. */
static off_t log_peak(int64_t t0, int passes)
{
	static const char *const names[] = { "sda", "sdb", "sdc" };
	struct smart_reading r[3];
	struct wg_err err = { "" };
	struct store *s = open_store();
	char wal[160];
	off_t peak = 0;
	int cut = 0;

	assert_int_equal(store_set_durable(s, false, &err), 0);
	rb_healthy_hdd(&r[0], "A");
	rb_healthy_hdd(&r[1], "B");
	rb_healthy_hdd(&r[2], "C");
	snprintf(wal, sizeof(wal), "%s-wal", db_path);
	for (int i = 0; i < passes; i++) {
		struct stat st;

		pass(s, t0 + 600 * i, 3, names, r);
		assert_int_equal(stat(wal, &st), 0);
		if (st.st_size > peak)
			peak = st.st_size;
		cut += st.st_size == 0;
	}
	store_free(s);
	assert_true(cut > 0);
	return peak;
}

/*
 * A new history is made of pages of 2 KiB; one made with pages of 4 KiB keeps them. Either way
 * the log is copied into the file once it holds 128 KiB of pages: 64 pages of 2 KiB, 32 of 4
 * (counted in pages, one of them would have let the log grow to twice or half of that).
 */
static void test_log_copied_in_by_its_bytes(void **state)
{
	const off_t limit = 128 * 1024;
	off_t peak;

	(void)state;
	peak = log_peak(1700000000, 400);
	assert_int_equal(sql_int("PRAGMA page_size"), 2048);
	assert_in_range(peak, limit * 7 / 8, limit * 9 / 8);
	/* the same history, its pages made 4 KiB (as every history was before) */
	sql_exec("PRAGMA journal_mode = DELETE; PRAGMA page_size = 4096; VACUUM; PRAGMA journal_mode = WAL");
	assert_int_equal(sql_int("PRAGMA page_size"), 4096);
	peak = log_peak(1700000000 + 600 * 400, 400);
	assert_int_equal(sql_int("PRAGMA page_size"), 4096);
	assert_in_range(peak, limit * 7 / 8, limit * 9 / 8);
}

static void test_reconstruct_history(void **state)
{
	static const char *const names[] = { "sda", "sdb", "sdc" };
	struct smart_reading r[3], hist[20][3];
	struct wg_err err = { "" };
	struct collected *got = calloc(1, sizeof(*got));
	struct store_sample *sample = malloc(sizeof(*sample));
	struct store *s = open_store();
	int64_t id, t;

	(void)state;
	assert_non_null(got);
	assert_non_null(sample);
	assert_int_equal(store_last_pass(s, &id, &t, &err), -ENOENT);
	assert_int_equal(store_latest_by_name(s, "sda", sample, &err), -ENOENT);
	rb_healthy_hdd(&r[0], "A");
	rb_healthy_hdd(&r[1], "B");
	memset(&r[2], 0, sizeof(r[2]));
	r[2].status = READING_ERROR;
	r[2].smart_ok = -1;
	r[2].self_test = -1;
	snprintf(r[2].reason, sizeof(r[2].reason), "cannot open '/dev/sdc': No such device");
	for (int i = 0; i < 20; i++) {
		rb_attr(&r[0], 194, 0x0022, 110, 95, 0, (uint64_t)(35 + i % 4));
		if (i >= 10) /* pending sectors appear */
			rb_attr(&r[1], 197, 0x0032, 200, 200, 0, (uint64_t)(i - 9));
		if (i == 15)
			r[0].status = READING_STANDBY, snprintf(r[0].reason, sizeof(r[0].reason), "standby");
		if (i == 16)
			r[0].status = READING_OK, r[0].reason[0] = '\0';
		memcpy(hist[i], r, sizeof(r));
		pass(s, 1000 + 600 * i, 3, names, r);
	}
	assert_int_equal(store_last_pass(s, &id, &t, &err), 0);
	assert_int_equal(id, 20);
	assert_int_equal(t, 1000 + 600 * 19);

	for (int d = 0; d < 3; d++) {
		assert_int_equal(store_latest_by_name(s, names[d], sample, &err), 0);
		assert_string_equal(sample->name, names[d]);
		assert_int_equal(sample->t, 1000 + 600 * 19);
		assert_int_equal(sample->pass_id, 20);
		assert_reading_equal(&sample->reading, &hist[19][d]);
		memset(got, 0, sizeof(*got));
		assert_int_equal(store_foreach_sample(s, sample->drive_id, 0, INT64_MAX, collect, got, &err), 0);
		assert_int_equal(got->n, 20);
		for (int i = 0; i < 20; i++) {
			assert_int_equal(got->s[i].t, 1000 + 600 * i);
			assert_reading_equal(&got->s[i].reading, &hist[i][d]);
		}
		/* a time range, bounds included */
		memset(got, 0, sizeof(*got));
		assert_int_equal(store_foreach_sample(s, sample->drive_id, 1000 + 600 * 5, 1000 + 600 * 7, collect, got,
						      &err),
				 0);
		assert_int_equal(got->n, 3);
		assert_int_equal(got->s[0].pass_id, 6);
		/* one sample by its pass */
		assert_int_equal(store_sample_get(s, sample->drive_id, 12, sample, &err), 0);
		assert_int_equal(sample->t, 1000 + 600 * 11);
		assert_reading_equal(&sample->reading, &hist[11][d]);
	}
	assert_int_equal(store_sample_get(s, 1, 999, sample, &err), -ENOENT);
	/* the callback stops the walk */
	assert_int_equal(store_foreach_sample(s, 1, 0, INT64_MAX, collect, &(struct collected){ .n = 64 }, &err), -E2BIG);
	store_free(s);
	free(sample);
	free(got);
}

static void test_unchanged_is_not_stored_again(void **state)
{
	static const char *const names[] = { "sda" };
	struct smart_reading r;
	struct store *s = open_store();
	int64_t first, after, pending;

	(void)state;
	rb_healthy_hdd(&r, "A");
	pass(s, 400, 1, names, &r);
	/* sets the step of the timer, and is written: an hour more on the drive's clock */
	rb_attr(&r, 9, 0x0032, 85, 85, 0, 11001);
	pass(s, 1000, 1, names, &r);
	first = sql_int(CHUNK_BYTES);
	for (int i = 1; i <= 100; i++)
		pass(s, 1000 + 600 * i, 1, names, &r);
	after = sql_int(CHUNK_BYTES);
	/*
	 * a steady, unchanged drive costs three bytes a sample, once written: the newest wait in
	 * their passes' lists (a few dozen at most), and are all read back
	 */
	pending = sql_int("SELECT count(*) FROM pass WHERE seen IS NOT NULL AND id > (SELECT last_pass FROM chunk_tail)");
	assert_true(pending > 0 && pending < 100);
	assert_int_equal(after - first + 3 * pending, 300);
	assert_int_equal(sql_int("SELECT count(*) FROM chunk"), 1);
	assert_int_equal(stored_samples(), 102);
	store_free(s);
}

/* The raw value of attribute 9 in a reading: what the repeats test changes now and then. */
static int64_t raw9(const struct smart_reading *r)
{
	for (unsigned i = 0; i < r->n_attrs; i++)
		if (r->attrs[i].id == 9) {
			int64_t v = 0;

			for (int k = 5; k >= 0; k--)
				v = v << 8 | r->attrs[i].raw[k];
			return v;
		}
	return -1;
}

#define REPEAT_DRIVES 3
#define REPEAT_PASSES 400
#define RECORDED_MAX (REPEAT_PASSES + 64)

/* What was recorded of one drive, pass by pass: the oracle of the repeats test. */
struct recorded {
	size_t n;
	int64_t pass[RECORDED_MAX], t[RECORDED_MAX], value[RECORDED_MAX];
	const char *name[RECORDED_MAX];
};

static void record(struct recorded *want, int64_t pass, int64_t t, int64_t value, const char *name)
{
	assert_true(want->n < RECORDED_MAX);
	want->pass[want->n] = pass;
	want->t[want->n] = t;
	want->value[want->n] = value;
	want->name[want->n++] = name;
}

struct walked {
	const struct recorded *want;
	size_t n;
	bool bad;
};

static int walk_check(const struct store_sample *sample, void *userdata)
{
	struct walked *w = userdata;
	size_t i = w->n++;

	if (i >= w->want->n || sample->pass_id != w->want->pass[i] || sample->t != w->want->t[i] ||
	    raw9(&sample->reading) != w->want->value[i] || strcmp(sample->name, w->want->name[i]) != 0) {
		print_error("sample %zu: pass %lld t %lld value %lld under %s, recorded pass %lld t %lld value %lld\n", i,
			    (long long)sample->pass_id, (long long)sample->t, (long long)raw9(&sample->reading),
			    sample->name, i < w->want->n ? (long long)w->want->pass[i] : -1,
			    i < w->want->n ? (long long)w->want->t[i] : -1,
			    i < w->want->n ? (long long)w->want->value[i] : -1);
		w->bad = true;
	}
	return 0;
}

static void key_raw9(const struct smart_reading *r, int64_t key[STORE_KEY_MAX])
{
	memset(key, 0, STORE_KEY_MAX * sizeof(*key));
	key[0] = raw9(r);
}

/*
 * Every reader of samples finds what was recorded, written or still in a pass's list. And only
 * a drive's newest chunk is open, which the gate's brief relies on.
 */
static void check_recorded(struct store *s, const int64_t *drive, const struct recorded *rec, unsigned seed)
{
	struct store_sample *x = malloc(sizeof(*x));
	struct wg_err err = { "" };

	assert_non_null(x);
	assert_int_equal(sql_int("SELECT count(*) FROM chunk_tail x JOIN chunk c ON c.id = x.chunk_id WHERE EXISTS "
				 "(SELECT 1 FROM chunk d WHERE d.drive_id = c.drive_id AND d.first_pass > c.first_pass)"),
			 0);
	srand(seed);
	for (int d = 0; d < REPEAT_DRIVES; d++) {
		const struct recorded *want = &rec[d];
		struct walked w = { .want = want };

		assert_int_equal(store_foreach_sample(s, drive[d], INT64_MIN, INT64_MAX, walk_check, &w, &err), 0);
		assert_false(w.bad);
		assert_int_equal(w.n, want->n);
		for (size_t i = 0; i < want->n; i++) {
			assert_int_equal(store_sample_get(s, drive[d], want->pass[i], x, &err), 0);
			assert_int_equal(x->t, want->t[i]);
			assert_int_equal(raw9(&x->reading), want->value[i]);
		}
		/* the newest as of any time and pass: by the drive, and by the name it was last read under */
		for (int k = 0; k < 40; k++) {
			size_t i = (size_t)rand() % want->n, j = i;
			int64_t until = want->t[i] + (k % 2 ? 0 : 1 + rand() % 599), before = want->pass[i] + 1 + k % 3, t = -1;
			struct store_brief b;

			while (j + 1 < want->n && want->t[j + 1] <= until && want->pass[j + 1] < before)
				j++;
			assert_int_equal(store_drive_latest_t(s, drive[d], until, before, &t, &err), 0);
			assert_int_equal(t, want->t[j]);
			/* the brief: of the name's newest sample, which is the drive's when its name has not changed since */
			j = i;
			while (j + 1 < want->n && want->t[j + 1] <= until)
				j++;
			if (strcmp(want->name[j], want->name[want->n - 1]) != 0)
				continue;
			assert_int_equal(store_latest_brief(s, want->name[j], until, &b, &err), 0);
			assert_int_equal(b.pass_id, want->pass[j]);
			assert_int_equal(b.t, want->t[j]);
			assert_true(b.drive_t == -1 || b.drive_t == want->t[j]);
		}
	}
	free(x);
}

/*
 * Samples that read as the one before are listed by their pass and written with the drive's
 * next change (DEFER_PASSES): with drives that change now and then, skip passes, wait longer
 * than a chunk's span, and move to another name, every reader finds each sample where it was
 * recorded, inside a transaction and out of one, after a prune, and after more passes.
 */
static void test_repeats_listed_by_their_pass(void **state)
{
	static const char *const serials[REPEAT_DRIVES] = { "A", "B", "C" };
	static const char *names[REPEAT_DRIVES] = { "sda", "sdb", "sdc" };
	struct recorded *rec = calloc(REPEAT_DRIVES, sizeof(*rec));
	struct smart_reading r[REPEAT_DRIVES];
	struct store_prune_stats stats;
	struct wg_err err = { "" };
	int64_t drive[REPEAT_DRIVES], t = 100000, value[REPEAT_DRIVES] = { 11000, 11000, 11000 };
	struct store *s = open_store();
	int began;

	(void)state;
	assert_non_null(rec);
	for (int d = 0; d < REPEAT_DRIVES; d++)
		rb_healthy_hdd(&r[d], serials[d]);
	srand(7);
	for (int p = 0; p < REPEAT_PASSES; p++) {
		int64_t id;

		if (p == 300)
			names[0] = "sdz"; /* drive A is read under another name from now on */
		/* 10 minutes, and now and then a gap: a day, or five (longer than a chunk may span) */
		t += p % 97 == 96 ? 5 * 86400 : p % 41 == 40 ? 86400 : 600;
		assert_int_equal(store_pass_begin(s, t, &err), 0);
		id = store_pass_id(s);
		for (int d = 0; d < REPEAT_DRIVES; d++) {
			struct smart_reading copy;
			struct recorded *want = &rec[d];

			/* drive C sleeps through passes 150 to 219, longer than repeats wait */
			if ((d == 2 && p >= 150 && p < 220) || rand() % 10 == 0)
				continue;
			if (rand() % 5 == 0)
				rb_attr(&r[d], 9, 0x0032, 85, 85, 0, (uint64_t)++value[d]);
			copy = r[d];
			assert_int_equal(store_pass_record(s, names[d], &copy, &drive[d], &err), 0);
			record(want, id, t, value[d], names[d]);
		}
		assert_int_equal(store_pass_commit(s, &err), 0);
		if (p % 50 == 49)
			check_recorded(s, drive, rec, (unsigned)p);
	}
	/*
	 * some repeats are waiting in the lists, as the test means them to; the lists of the passes
	 * before the last DEFER_PASSES (48) are not needed, and not kept, drive C's nap included
	 */
	assert_true(sql_int("SELECT count(*) FROM pass WHERE seen IS NOT NULL") > 0);
	assert_int_equal(sql_int("SELECT count(*) FROM pass WHERE seen IS NOT NULL AND id <= (SELECT max(id) FROM pass) - 48"),
			 0);
	began = store_read_begin(s, &err);
	assert_int_equal(began, 1);
	check_recorded(s, drive, rec, 1);
	store_read_end(s, began);
	store_free(s);
	s = open_store();
	check_recorded(s, drive, rec, 2);

	/* a prune that keeps one sample a day of the old ones, the open chunks among them */
	assert_int_equal(store_prune(s, t + 1, 86400, key_raw9, &stats, &err), 0);
	assert_true(stats.removed > 0);
	for (int d = 0; d < REPEAT_DRIVES; d++) {
		struct recorded *want = &rec[d];
		struct walked w = { .want = want };
		struct recorded *kept = calloc(1, sizeof(*kept));

		/* what is left is what was recorded, fewer */
		assert_non_null(kept);
		for (size_t i = 0; i < want->n; i++) {
			struct store_sample *x = malloc(sizeof(*x));

			if (store_sample_get(s, drive[d], want->pass[i], x, &err) == 0) {
				assert_int_equal(x->t, want->t[i]);
				assert_int_equal(raw9(&x->reading), want->value[i]);
				record(kept, want->pass[i], want->t[i], want->value[i], want->name[i]);
			}
			free(x);
		}
		assert_true(kept->n > 0 && kept->n < want->n);
		w.want = kept;
		assert_int_equal(store_foreach_sample(s, drive[d], INT64_MIN, INT64_MAX, walk_check, &w, &err), 0);
		assert_false(w.bad);
		assert_int_equal(w.n, kept->n);
		*want = *kept;
		free(kept);
	}
	/* and the passes after it, repeats and all, go on from what it left */
	for (int p = 0; p < 60; p++) {
		int64_t id;

		t += 600;
		assert_int_equal(store_pass_begin(s, t, &err), 0);
		id = store_pass_id(s);
		for (int d = 0; d < REPEAT_DRIVES; d++) {
			struct smart_reading copy = r[d];
			struct recorded *want = &rec[d];

			if (p == 30) {
				rb_attr(&r[d], 9, 0x0032, 85, 85, 0, (uint64_t)++value[d]);
				copy = r[d];
			}
			assert_int_equal(store_pass_record(s, names[d], &copy, &drive[d], &err), 0);
			record(want, id, t, value[d], names[d]);
		}
		assert_int_equal(store_pass_commit(s, &err), 0);
	}
	check_recorded(s, drive, rec, 3);
	store_free(s);
	free(rec);
}

/* Two briefs of a name are the same: the same answer, and the same sample. */
static void assert_same_brief(int ra, const struct store_brief *a, int rb, const struct store_brief *b, const char *name,
			      int64_t until)
{
	if (ra != rb || (ra == 0 && (a->drive_id != b->drive_id || a->pass_id != b->pass_id || a->t != b->t ||
				     a->status != b->status || a->temperature_c != b->temperature_c ||
				     a->self_test != b->self_test || a->drive_t != b->drive_t)))
		fail_msg("%s until %lld: %d drive %lld pass %lld t %lld status %d temperature %lld self-test %d drive_t %lld, "
			 "and by the chunks %d drive %lld pass %lld t %lld status %d temperature %lld self-test %d drive_t %lld",
			 name, (long long)until, ra, (long long)a->drive_id, (long long)a->pass_id, (long long)a->t,
			 (int)a->status, (long long)a->temperature_c, a->self_test, (long long)a->drive_t, rb,
			 (long long)b->drive_id, (long long)b->pass_id, (long long)b->t, (int)b->status,
			 (long long)b->temperature_c, b->self_test, (long long)b->drive_t);
}

#define TB_NAMES 4
#define TB_DRIVES 5
#define TB_PASSES 600

/*
 * A gate reads every drive's newest sample from the open chunks' tails, in one read of the
 * history; a brief outside a read asks the chunks. Over a walk where names move to other drives
 * and back, drives sleep and come back, the clock jumps ahead and back, chunks fill up and a prune
 * thins the old ones, the two say the same of every name at every time asked, and the tails
 * answer most of the gate-like questions (the newest, as of the last pass).
 */
static void test_brief_from_the_tails(void **state)
{
	static const char *const names[TB_NAMES] = { "sda", "sdb", "sdc", "sdd" };
	static const char *const serials[TB_DRIVES] = { "A", "B", "C", "D", "E" };
	struct smart_reading r[TB_DRIVES], anon;
	struct store_prune_stats stats;
	struct wg_err err = { "" };
	struct store *s = open_store();
	int64_t t = 1000000, times[TB_PASSES];
	int on[TB_NAMES] = { 0, 1, 2, 3 }, asked = 0, from_tails = 0;

	(void)state;
	assert_int_equal(store_set_durable(s, false, &err), 0); /* a walk of many passes, none of them a crash */
	for (int d = 0; d < TB_DRIVES; d++)
		rb_healthy_hdd(&r[d], serials[d]);
	memset(&anon, 0, sizeof(anon));
	anon.status = READING_STANDBY;
	anon.smart_ok = -1;
	anon.self_test = -1;
	srand(11);
	for (int p = 0; p < TB_PASSES; p++) {
		int k = rand() % 100, began;

		/* ten minutes; now and then a day, five (more than a chunk spans), an hour or two days back */
		t += k < 3 ? 86400 : k < 4 ? 5 * 86400 : k < 6 ? -3600 : k < 7 ? -2 * 86400 : 600;
		times[p] = t;
		/* a name is now and then read on another drive: the spare one, or back on its own */
		if (rand() % 30 == 0) {
			int i = rand() % TB_NAMES, d = rand() % TB_DRIVES, j;

			for (j = 0; j < TB_NAMES && on[j] != d; j++)
				;
			if (j == TB_NAMES)
				on[i] = d;
			else
				on[j] = on[i], on[i] = d;
		}
		assert_int_equal(store_pass_begin(s, t, &err), 0);
		for (int i = 0; i < TB_NAMES; i++) {
			struct smart_reading x;

			if (rand() % 8 == 0 || (i == 3 && p % 200 >= 150))
				continue; /* not read, and sdd sleeps for a while now and then */
			k = rand() % 100;
			if (k < 10)
				rb_attr(&r[on[i]], 9, 0x0032, 85, 85, 0, (uint64_t)(11000 + p));
			else if (k < 15)
				rb_attr(&r[on[i]], 194, 0x0022, 110, 95, 0, (uint64_t)(35 + rand() % 10));
			x = k >= 95 ? anon : r[on[i]];
			assert_int_equal(store_pass_add(s, names[i], &x, &err), 0);
		}
		assert_int_equal(store_pass_commit(s, &err), 0);
		if (p % 150 == 149) {
			assert_int_equal(store_prune(s, t - 3 * 86400, 86400, key_raw9, &stats, &err), 0);
			assert_int_equal(store_pass_begin(s, t + 1, &err), 0);
			assert_int_equal(store_pass_commit(s, &err), 0);
		}
		/* a tail with a name is the newest chunk under it, and says whose it is */
		assert_int_equal(sql_int("SELECT count(*) FROM chunk_tail x LEFT JOIN chunk c ON c.id = x.chunk_id "
					 "WHERE x.name IS NOT NULL AND (c.id IS NULL OR x.name IS NOT c.name OR "
					 "x.drive_id IS NOT c.drive_id OR "
					 "x.chunk_id IS NOT (SELECT max(m.id) FROM chunk m WHERE m.name = x.name))"),
				 0);
		began = store_read_begin(s, &err);
		assert_int_equal(began, 1);
		for (int i = 0; i < TB_NAMES; i++) {
			int64_t untils[] = { t, t + 1, t + 86400, t - 1, t - 600, times[rand() % (p + 1)],
					     times[rand() % (p + 1)] - 1 };

			for (size_t u = 0; u < sizeof(untils) / sizeof(untils[0]); u++) {
				struct store_brief a, b;
				int ra, rb;

				memset(&a, 0, sizeof(a));
				memset(&b, 0, sizeof(b));
				ra = store_latest_brief(s, names[i], untils[u], &a, &err);
				/* and the same asked outside the read, of the same history, from the chunks */
				store_read_end(s, began);
				rb = store_latest_brief(s, names[i], untils[u], &b, &err);
				began = store_read_begin(s, &err);
				assert_int_equal(began, 1);
				assert_same_brief(ra, &a, rb, &b, names[i], untils[u]);
				if (u < 3) {
					asked++;
					from_tails += sql_int_bind("SELECT count(*) FROM chunk_tail WHERE name = ?1 AND t1 <= ?2",
								   names[i], untils[u]) == 1;
				}
			}
		}
		store_read_end(s, began);
	}
	/* most of the newest were the tails' to answer */
	assert_true(from_tails > asked * 3 / 4);
	store_free(s);
}

/*
 * A history of schema 13 gets tails that say whose they are: the name only where the chunk is
 * the newest under it. Here drive A's chunk under sda is still open when sda was read on drive
 * C, which has since moved to sdc: sda's newest chunk is C's, closed, and A's tail goes nameless.
 */
static void test_migrate_names_the_tails(void **state)
{
	static const char *const first[] = { "sda", "sdb" }, *const moved[] = { "sdb", "sdc" };
	struct smart_reading ab[2], cb[2], bc[2];
	struct store_brief before[3], in_read, after;
	struct wg_err err = { "" };
	struct store *s = open_store();
	char sql[128];
	int64_t a, c;
	int began;

	(void)state;
	rb_healthy_hdd(&ab[0], "A");
	rb_healthy_hdd(&ab[1], "B");
	rb_healthy_hdd(&cb[0], "C");
	cb[1] = ab[1];
	bc[0] = ab[1];
	bc[1] = cb[0];
	for (int i = 0; i < 3; i++)
		pass(s, 1000 + 600 * i, 2, first, ab);
	for (int i = 3; i < 5; i++)
		pass(s, 1000 + 600 * i, 2, first, cb);
	pass(s, 1000 + 600 * 5, 2, moved, bc);
	for (int k = 0; k < 3; k++)
		assert_int_equal(store_latest_brief(s, k == 2 ? "sdc" : first[k], 1000 + 600 * 5, &before[k], &err), 0);
	store_free(s);
	a = sql_int("SELECT id FROM drive WHERE serial = 'A'");
	c = sql_int("SELECT id FROM drive WHERE serial = 'C'");
	assert_int_equal(sql_int_bind("SELECT count(*) FROM chunk_tail x JOIN chunk k ON k.id = x.chunk_id "
				      "WHERE k.name = ?1 AND k.drive_id = ?2 AND x.name IS NULL", "sda", a),
			 1);
	sql_exec(UNDO_14 "PRAGMA user_version = 13");

	s = open_store();
	assert_int_equal(sql_int("PRAGMA user_version"), store_schema_version());
	/* A's open chunk lost its name; sdb's and sdc's open chunks are their names' newest */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM chunk_tail WHERE name IS NULL AND drive_id = %lld", (long long)a);
	assert_int_equal(sql_int(sql), 1);
	assert_int_equal(sql_int("SELECT count(*) FROM chunk_tail WHERE name IS NOT NULL"), 2);
	assert_int_equal(sql_int_bind("SELECT count(*) FROM chunk_tail WHERE name = ?1 AND drive_id = ?2", "sdc", c), 1);
	assert_int_equal(sql_int("SELECT count(*) FROM chunk_tail x JOIN chunk k ON k.id = x.chunk_id "
				 "WHERE x.name IS NOT NULL AND (x.name <> k.name OR x.drive_id <> k.drive_id)"),
			 0);
	/* and every brief is what it was, asked in a read (from the tails) and out of one */
	for (int k = 0; k < 3; k++) {
		const char *name = k == 2 ? "sdc" : first[k];

		began = store_read_begin(s, &err);
		assert_int_equal(began, 1);
		assert_int_equal(store_latest_brief(s, name, 1000 + 600 * 5, &in_read, &err), 0);
		store_read_end(s, began);
		assert_int_equal(store_latest_brief(s, name, 1000 + 600 * 5, &after, &err), 0);
		assert_same_brief(0, &in_read, 0, &before[k], name, 1000 + 600 * 5);
		assert_same_brief(0, &after, 0, &before[k], name, 1000 + 600 * 5);
	}
	/* sda's newest sample is C's, of the fifth pass */
	assert_int_equal(before[0].drive_id, c);
	assert_int_equal(before[0].t, 1000 + 600 * 4);
	store_free(s);

	/* two tails that claim one name (a hand's edit) are not believed: the chunks tell */
	sql_exec("UPDATE chunk_tail SET name = 'sdb' WHERE name = 'sdc'");
	s = open_store();
	began = store_read_begin(s, &err);
	assert_int_equal(began, 1);
	assert_int_equal(store_latest_brief(s, "sdb", 1000 + 600 * 5, &in_read, &err), 0);
	store_read_end(s, began);
	assert_same_brief(0, &in_read, 0, &before[1], "sdb", 1000 + 600 * 5);
	store_free(s);
}

/*
 * A sample is listed as a repeat only when it would be judged as the one before: when the
 * brief its tail keeps says otherwise (definitions read another way since), it is written.
 */
static void test_repeat_judged_as_before(void **state)
{
	static const char *const names[] = { "sda" };
	struct smart_reading r;
	struct store *s = open_store();

	(void)state;
	rb_healthy_hdd(&r, "A");
	/* the first opens a chunk, with an empty tail; the two that read as it are listed */
	for (int i = 0; i < 3; i++)
		pass(s, 1000 + 600 * i, 1, names, &r);
	assert_int_equal(sql_int("SELECT count(*) FROM pass WHERE seen IS NOT NULL"), 2);
	store_free(s);
	sql_exec("UPDATE chunk_tail SET last_temperature = 99");
	s = open_store();
	pass(s, 1000 + 600 * 3, 1, names, &r);
	store_free(s);
	/* written, with the repeat before it, whose list is then not needed */
	assert_int_equal(sql_int("SELECT count(*) FROM pass WHERE seen IS NOT NULL"), 0);
	assert_int_equal(sql_int("SELECT count(*) FROM chunk_tail WHERE last_temperature = 40 AND last_pass = 4"), 1);
	assert_int_equal(stored_samples(), 4);
}

/* A pass's list that is damaged loses what it held, and nothing else: every reader and the next passes go on. */
static void test_damaged_list(void **state)
{
	static const char *const names[] = { "sda" };
	struct smart_reading r;
	struct wg_err err = { "" };
	struct store *s = open_store();
	int64_t t;

	(void)state;
	rb_healthy_hdd(&r, "A");
	for (int i = 0; i < 6; i++)
		pass(s, 1000 + 600 * i, 1, names, &r);
	assert_int_equal(sql_int("SELECT count(*) FROM pass WHERE seen IS NOT NULL"), 5);
	store_free(s);
	sql_exec("UPDATE pass SET seen = x'ff' WHERE id = 4");
	s = open_store();
	assert_int_equal(store_drive_latest_t(s, 1, INT64_MAX, INT64_MAX, &t, &err), 0);
	assert_int_equal(t, 1000 + 600 * 5);
	store_free(s);
	assert_int_equal(stored_samples(), 5);
	s = open_store();
	rb_attr(&r, 9, 0x0032, 85, 85, 0, 11001);
	pass(s, 1000 + 600 * 6, 1, names, &r);
	pass(s, 1000 + 600 * 7, 1, names, &r);
	store_free(s);
	assert_int_equal(stored_samples(), 7);
}

static void test_identity(void **state)
{
	static const char *const sda[] = { "sda" }, *const sdb[] = { "sdb" };
	struct store_sample *x = malloc(sizeof(*x)), *y = malloc(sizeof(*y));
	struct smart_reading a, b, anon;
	struct wg_err err = { "" };
	struct store *s = open_store();

	(void)state;
	rb_healthy_hdd(&a, "SERIAL-A");
	rb_healthy_hdd(&b, "SERIAL-B");
	memset(&anon, 0, sizeof(anon));
	anon.status = READING_STANDBY;
	anon.smart_ok = -1;
	anon.self_test = -1;

	/* never seen under this name, no identity: a placeholder of its own */
	pass(s, 900, 1, sdb, &anon);
	assert_int_equal(store_latest_by_name(s, "sdb", x, &err), 0);
	assert_int_equal(sql_int("SELECT count(*) FROM drive WHERE placeholder = 'sdb'"), 1);

	pass(s, 1000, 1, sda, &a);
	assert_int_equal(store_latest_by_name(s, "sda", x, &err), 0);
	/* the same drive moved to sdb keeps its history */
	pass(s, 1600, 1, sdb, &a);
	assert_int_equal(store_latest_by_name(s, "sdb", y, &err), 0);
	assert_int_equal(x->drive_id, y->drive_id);
	/* a standby reading without identity under sdb belongs to the drive last seen there */
	pass(s, 2200, 1, sdb, &anon);
	assert_int_equal(store_latest_by_name(s, "sdb", y, &err), 0);
	assert_int_equal(y->drive_id, x->drive_id);
	assert_int_equal(y->reading.status, READING_STANDBY);
	/* a new drive in slot sda starts a history of its own */
	pass(s, 2800, 1, sda, &b);
	assert_int_equal(store_latest_by_name(s, "sda", y, &err), 0);
	assert_int_not_equal(y->drive_id, x->drive_id);
	assert_string_equal(y->reading.identity.serial, "SERIAL-B");
	/* and the old drive put back into sda is the old drive again */
	pass(s, 3400, 1, sda, &a);
	assert_int_equal(store_latest_by_name(s, "sda", y, &err), 0);
	assert_int_equal(y->drive_id, x->drive_id);
	assert_int_equal(y->t, 3400);
	assert_int_equal(sql_int("SELECT count(*) FROM drive"), 3);
	store_free(s);
	free(x);
	free(y);
}

static void test_clock_going_backwards(void **state)
{
	static const char *const names[] = { "sda" };
	struct store_sample *x = malloc(sizeof(*x));
	struct collected *got = calloc(1, sizeof(*got));
	struct wg_err err = { "" };
	struct smart_reading r;
	struct store *s = open_store();

	(void)state;
	rb_healthy_hdd(&r, "A");
	pass(s, 5000, 1, names, &r);
	pass(s, 5600, 1, names, &r);
	pass(s, 4000, 1, names, &r); /* the clock was set back */
	pass(s, 4600, 1, names, &r);
	/* the newest sample is the newest pass, whatever its time says */
	assert_int_equal(store_latest_by_name(s, "sda", x, &err), 0);
	assert_int_equal(x->pass_id, 4);
	assert_int_equal(x->t, 4600);
	assert_int_equal(store_foreach_sample(s, x->drive_id, 0, INT64_MAX, collect, got, &err), 0);
	assert_int_equal(got->n, 4);
	memset(got, 0, sizeof(*got));
	assert_int_equal(store_foreach_sample(s, x->drive_id, 4500, 5100, collect, got, &err), 0);
	assert_int_equal(got->n, 2);
	/* up to a time: what was stamped later (by the clock set ahead) is passed over */
	assert_int_equal(store_latest_upto(s, "sda", 5000, x, &err), 0);
	assert_int_equal(x->pass_id, 4);
	assert_int_equal(store_latest_upto(s, "sda", 4300, x, &err), 0);
	assert_int_equal(x->pass_id, 3);
	assert_int_equal(store_latest_upto(s, "sda", 3999, x, &err), -ENOENT);
	{
		int64_t t = 0;

		assert_int_equal(store_drive_latest_t(s, x->drive_id, 4300, INT64_MAX, &t, &err), 0);
		assert_int_equal(t, 4000);
		assert_int_equal(store_drive_latest_t(s, x->drive_id, 10000, INT64_MAX, &t, &err), 0);
		assert_int_equal(t, 4600);
	}
	/* and the step back is recorded as such, once */
	assert_int_equal(sql_int("SELECT count(*) FROM clock_step"), 1);
	assert_int_equal(sql_int("SELECT back_from FROM clock_step WHERE t = 4000"), 5600);
	store_free(s);
	free(got);
	free(x);
}

struct signs_seen {
	size_t n;
	struct store_sign sign[8];
};

static int collect_sign(const struct store_sign *sg, void *userdata)
{
	struct signs_seen *c = userdata;

	if (c->n >= WG_ELEMENTSOF(c->sign))
		return -E2BIG;
	c->sign[c->n++] = *sg;
	return 0;
}

static int count_episode(const struct store_episode *e, void *userdata)
{
	(void)e;
	++*(int *)userdata;
	return 0;
}

/* The sign log and the episodes: kept as given, read as of a time and in the order recorded. */
static void test_signs_and_episodes(void **state)
{
	static const char *const names[] = { "sda" };
	struct store_sample *x = malloc(sizeof(*x));
	struct signs_seen *seen = calloc(1, sizeof(*seen));
	struct store_episode e = { .start = 1000, .state = "ok", .sign = "fine" };
	struct wg_err err = { "" };
	struct smart_reading r;
	struct store_sign sg;
	struct store *s = open_store();
	char buf[64];
	int n = 0;

	(void)state;
	rb_healthy_hdd(&r, "A");
	pass(s, 1000, 1, names, &r);
	assert_int_equal(store_latest_by_name(s, "sda", x, &err), 0);
	assert_int_equal(store_transaction_begin(s, &err), 0);
	assert_int_equal(store_sign_add(s, x->drive_id, &(struct store_sign){ 197, 1000, -1, -1, 0 }, &err), 0);
	assert_int_equal(store_sign_add(s, x->drive_id, &(struct store_sign){ 197, 2000, 1000, 0, 8 }, &err), 0);
	/* recorded later, stamped earlier: the clock went back */
	assert_int_equal(store_sign_add(s, x->drive_id, &(struct store_sign){ 197, 1500, 1400, 8, 3 }, &err), 0);
	assert_int_equal(store_sign_add(s, x->drive_id, &(struct store_sign){ 256, 1000, -1, -1, 1 }, &err), 0);
	assert_int_equal(store_episode_add(s, x->drive_id, &e, &err), 0);
	e = (struct store_episode){ .start = 2000, .state = "degrading", .sign = "pending sectors 0 → 8", .notified = true };
	assert_int_equal(store_episode_add(s, x->drive_id, &e, &err), 0);
	assert_int_equal(store_transaction_end(s, 0, &err), 0);

	/* the newest as recorded among those in time */
	assert_int_equal(store_sign_current(s, x->drive_id, 197, 5000, &sg, &err), 0);
	assert_int_equal(sg.to, 3);
	assert_int_equal(sg.t_prev, 1400);
	assert_int_equal(store_sign_current(s, x->drive_id, 197, 1499, &sg, &err), 0);
	assert_int_equal(sg.to, 0);
	assert_int_equal(sg.from, -1);
	assert_int_equal(sg.t_prev, -1);
	assert_int_equal(store_sign_current(s, x->drive_id, 5, 5000, &sg, &err), -ENOENT);
	assert_int_equal(store_foreach_sign(s, x->drive_id, 1000, 5000, 256, collect_sign, seen, &err), 0);
	assert_int_equal(seen->n, 2);
	assert_int_equal(seen->sign[0].t, 2000);
	assert_int_equal(seen->sign[1].t, 1500);

	assert_int_equal(store_episode_current(s, x->drive_id, 5000, &e, &err), 0);
	assert_string_equal(e.state, "degrading");
	assert_true(e.notified);
	assert_int_equal(store_episode_current(s, x->drive_id, 1999, &e, &err), 0);
	assert_string_equal(e.state, "ok");
	assert_false(e.notified);
	assert_int_equal(store_foreach_episode(s, x->drive_id, 0, 5000, count_episode, &n, &err), 0);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(store_foreach_episode_untold(s, count_episode, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_episode_set_notified(s, e.id, &err), 0);
	n = 0;
	assert_int_equal(store_foreach_episode_untold(s, count_episode, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_drive_name(s, x->drive_id, buf, sizeof(buf), &err), 0);
	assert_string_equal(buf, "sda");

	assert_int_equal(store_meta_get(s, "episodes", buf, sizeof(buf), &err), -ENOENT);
	assert_int_equal(store_meta_set(s, "episodes", "model=1", &err), 0);
	assert_int_equal(store_meta_get(s, "episodes", buf, sizeof(buf), &err), 0);
	assert_string_equal(buf, "model=1");
	/* a rollback takes back all of it */
	assert_int_equal(store_transaction_begin(s, &err), 0);
	assert_int_equal(store_signs_clear(s, false, &err), 0);
	assert_int_equal(store_transaction_end(s, -EIO, &err), -EIO);
	assert_int_equal(sql_int("SELECT count(*) FROM sign_change"), 4);
	assert_int_equal(store_signs_clear(s, true, &err), 0);
	assert_int_equal(sql_int("SELECT count(*) FROM episode"), 0);
	assert_int_equal(sql_int("SELECT count(*) FROM sign_change"), 4);
	store_free(s);
	free(seen);
	free(x);
}

/* A chunk covers a few days at most, so that a time range finds its chunks by where they start. */
static void test_sparse_samples(void **state)
{
	static const char *const names[] = { "sda" };
	struct store_sample *x = malloc(sizeof(*x));
	struct collected *got = calloc(1, sizeof(*got));
	struct wg_err err = { "" };
	struct smart_reading r;
	struct store *s = open_store();

	(void)state;
	rb_healthy_hdd(&r, "A");
	for (int day = 0; day < 30; day++)
		pass(s, 1000000 + day * 86400, 1, names, &r);
	assert_true(sql_int("SELECT count(*) FROM chunk") >= 30 / 5);
	assert_int_equal(sql_int("SELECT max(t1 - t0) <= 4 * 86400 FROM chunk"), 1);
	assert_int_equal(store_latest_by_name(s, "sda", x, &err), 0);
	assert_int_equal(store_foreach_sample(s, x->drive_id, 1000000 + 10 * 86400, 1000000 + 12 * 86400, collect, got,
					      &err),
			 0);
	assert_int_equal(got->n, 3);
	assert_int_equal(got->s[0].t, 1000000 + 10 * 86400);
	memset(got, 0, sizeof(*got));
	assert_int_equal(store_foreach_sample(s, x->drive_id, 1000000 + 29 * 86400, INT64_MAX, collect, got, &err), 0);
	assert_int_equal(got->n, 1);
	store_free(s);
	free(got);
	free(x);
}

struct by_pass {
	size_t n;
	int64_t pass[2048], t[2048];
	int64_t pending[2048];
};

static int collect_pass(const struct store_sample *sample, void *userdata)
{
	struct by_pass *b = userdata;
	struct smart_derived d;

	if (b->n >= WG_ELEMENTSOF(b->pass))
		return -E2BIG;
	attrs_derive(&sample->reading, &d);
	b->pass[b->n] = sample->pass_id;
	b->t[b->n] = sample->t;
	b->pending[b->n++] = d.pending;
	return 0;
}

/* Retention: old samples thinned to one a day, but never a change of a media counter or a job run's sample. */
static void test_prune(void **state)
{
	static const char *const names[] = { "sda" };
	struct store_sample *x = malloc(sizeof(*x));
	struct by_pass *all = calloc(1, sizeof(*all)), *after = calloc(1, sizeof(*after));
	struct store_prune_stats st = { 0 };
	struct wg_err err = { "" };
	struct smart_reading r;
	struct store *s = open_store();
	const int64_t t0 = 1000000, step = 3600, day = 86400;
	int64_t run, bytes_before, referenced = 30, latest_pass;

	(void)state;
	rb_healthy_hdd(&r, "A");
	for (int i = 0; i < 240; i++) { /* ten days, hourly */
		if (i == 75)
			rb_attr(&r, 197, 0x0032, 200, 200, 0, 2); /* a change in the middle of day 3 */
		if (i == 150)
			rb_attr(&r, 197, 0x0032, 200, 200, 0, 3);
		rb_attr(&r, 194, 0x0022, 110, 95, 0, (uint64_t)(35 + i % 5)); /* temperature: no reason to keep */
		pass(s, t0 + i * step, 1, names, &r);
	}
	assert_int_equal(store_latest_by_name(s, "sda", x, &err), 0);
	latest_pass = x->pass_id;
	assert_int_equal(store_foreach_sample(s, x->drive_id, 0, INT64_MAX, collect_pass, all, &err), 0);
	assert_int_equal(all->n, 240);
	/* a sample is found by its pass in any of the drive's chunks, not only its first */
	assert_true(sql_int("SELECT count(*) FROM chunk") >= 3);
	assert_int_equal(store_sample_get(s, x->drive_id, all->pass[239], x, &err), 0);
	assert_int_equal(x->t, all->t[239]);
	assert_int_equal(store_sample_get(s, x->drive_id, all->pass[120], x, &err), 0);
	assert_int_equal(x->t, all->t[120]);
	/* a job run points at the sample of pass 30 */
	assert_int_equal(store_job_run_begin(s, "purge", "maintenance", t0 + 29 * step, &x->drive_id, 1, "go", &run, &err), 0);
	assert_int_equal(store_job_run_drive_set(s, run, x->drive_id, 10, 10, referenced, 31, &err), 0);
	bytes_before = sql_int(CHUNK_BYTES);

	/* the cut is by whole chunks: those that end before it (a chunk covers at most four days) */
	assert_int_equal(store_prune(s, t0 + 9 * day, day, health_sample_key, &st, &err), 0);
	assert_true(st.samples > 150);
	assert_true(st.removed > 100);
	assert_true(sql_int(CHUNK_BYTES) < bytes_before);
	assert_int_equal(sql_int("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);

	assert_int_equal(store_foreach_sample(s, x->drive_id, 0, INT64_MAX, collect_pass, after, &err), 0);
	assert_int_equal(after->n, 240 - st.removed);
	{
		bool have_first_2 = false, have_first_3 = false, have_ref = false;
		size_t recent = 0;

		for (size_t i = 0; i < after->n; i++) {
			/* every kept sample is exactly what it was */
			size_t k = (size_t)(after->pass[i] - all->pass[0]);

			assert_int_equal(after->t[i], all->t[k]);
			assert_int_equal(after->pending[i], all->pending[k]);
			have_first_2 |= after->pass[i] == all->pass[75];
			have_first_3 |= after->pass[i] == all->pass[150];
			have_ref |= after->pass[i] == referenced;
			recent += after->t[i] >= t0 + 9 * day;
			if (i)
				assert_true(after->pass[i] > after->pass[i - 1]);
		}
		assert_true(have_first_2);
		assert_true(have_first_3);
		assert_true(have_ref);
		/* what is younger than the cut is all there */
		assert_int_equal(recent, 240 - 9 * 24);
	}
	assert_int_equal(store_sample_get(s, x->drive_id, referenced, x, &err), 0);
	assert_int_equal(store_latest_by_name(s, "sda", x, &err), 0);
	assert_int_equal(x->pass_id, latest_pass);
	/* and sampling goes on after a prune */
	pass(s, t0 + 240 * step, 1, names, &r);
	assert_int_equal(store_latest_by_name(s, "sda", x, &err), 0);
	assert_int_equal(x->t, t0 + 240 * step);
	/* a second prune of the same range thins nothing more */
	assert_int_equal(store_prune(s, t0 + 9 * day, day, health_sample_key, &st, &err), 0);
	assert_int_equal(st.removed, 0);
	assert_int_equal(store_prune(s, t0, 0, health_sample_key, &st, &err), -EINVAL);
	store_free(s);
	free(after);
	free(all);
	free(x);
}

/*
 * Schema 12 widens two indexes so that a gate reads a drive's newest chunk from them: a history
 * of schema 11 gets them, and its briefs answer as before, a drive renamed included.
 */
static void test_migrate_to_covering_chunk_indexes(void **state)
{
	static const char *const names[] = { "sda", "sdb" };
	static const char *const renamed[] = { "sdz", "sdb" };
	struct store_brief before[3], after[3];
	struct smart_reading r[2];
	struct wg_err err = { "" };
	struct store *s = open_store();
	int64_t t;

	(void)state;
	rb_healthy_hdd(&r[0], "A");
	rb_healthy_hdd(&r[1], "B");
	/* every sample a change of its own: a history of 11 has no passes' lists of repeats */
	for (int i = 0; i < 6; i++) {
		for (int k = 0; k < 2; k++)
			rb_attr(&r[k], 9, 0x0032, 100, 100, 0, (uint64_t)(5000 + i));
		pass(s, 1000 + 600 * i, 2, i == 5 ? renamed : names, r);
	}
	assert_int_equal(sql_int("SELECT count(*) FROM pass WHERE seen IS NOT NULL"), 0);
	for (int k = 0; k < 3; k++)
		assert_int_equal(store_latest_brief(s, k == 2 ? "sdz" : names[k], 1000 + 600 * 5 + 1, &before[k], &err), 0);
	store_free(s);
	sql_exec("DROP INDEX chunk_drive; CREATE INDEX chunk_drive ON chunk(drive_id, first_pass);"
		 "DROP INDEX chunk_name; CREATE INDEX chunk_name ON chunk(name); ALTER TABLE pass DROP COLUMN seen; " UNDO_14
		 "PRAGMA user_version = 11");
	s = open_store();
	assert_int_equal(sql_int("PRAGMA user_version"), store_schema_version());
	assert_int_equal(sql_int("SELECT count(*) FROM sqlite_schema WHERE (name = 'chunk_drive' AND sql LIKE "
				 "'%(drive_id, first_pass, t0)') OR (name = 'chunk_name' AND sql LIKE '%(name, id, t0, drive_id)')"),
			 2);
	for (int k = 0; k < 3; k++) {
		assert_int_equal(store_latest_brief(s, k == 2 ? "sdz" : names[k], 1000 + 600 * 5 + 1, &after[k], &err), 0);
		assert_int_equal(after[k].drive_id, before[k].drive_id);
		assert_int_equal(after[k].pass_id, before[k].pass_id);
		assert_int_equal(after[k].t, before[k].t);
		assert_int_equal(after[k].drive_t, before[k].drive_t);
	}
	/*
	 * sda's drive was last read as sdz: its newest sample is newer than its newest under sda.
	 * The brief by sdz knows it; the brief by sda does not, and leaves it to store_drive_latest_t().
	 */
	assert_int_equal(after[0].drive_id, after[2].drive_id);
	assert_int_equal(after[0].t, 1000 + 600 * 4);
	assert_int_equal(after[2].drive_t, 1000 + 600 * 5);
	assert_int_equal(after[0].drive_t, -1);
	assert_int_equal(store_drive_latest_t(s, after[0].drive_id, 1000 + 600 * 5 + 1, INT64_MAX, &t, &err), 0);
	assert_int_equal(t, 1000 + 600 * 5);
	store_free(s);
}

static void test_schema_versions(void **state)
{
	struct wg_err err = { "" };
	struct store *s = NULL;
	char sql[64];
	int fd;

	(void)state;
	/* an empty database of version 0 (as `sqlite3 FILE` leaves it) is brought forward */
	s = open_store();
	store_free(s);
	remove_db();
	sql_exec("CREATE TABLE unrelated(x); DROP TABLE unrelated");
	assert_int_equal(sql_int("PRAGMA user_version"), 0);
	s = open_store();
	store_free(s);
	assert_int_equal(sql_int("PRAGMA user_version"), store_schema_version());

	/* a newer schema is refused, and left as it is */
	s = NULL;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", store_schema_version() + 1);
	sql_exec(sql);
	assert_int_equal(store_open(db_path, &s, &err), -EPROTO);
	assert_null(s);
	assert_non_null(strstr(err.msg, "newer than"));
	assert_non_null(strstr(err.msg, db_path));
	assert_int_equal(sql_int("PRAGMA user_version"), store_schema_version() + 1);
	/* not a byte of it: one in a rollback journal mode stays so (the writer's WAL switch comes after the check) */
	sql_exec("PRAGMA journal_mode = DELETE");
	{
		uint8_t *before, *after;
		size_t n_before, n_after;

		assert_int_equal(wg_read_file(db_path, 1 << 20, &before, &n_before), 0);
		assert_int_equal(store_open(db_path, &s, &err), -EPROTO);
		assert_int_equal(wg_read_file(db_path, 1 << 20, &after, &n_after), 0);
		assert_int_equal(n_after, n_before);
		assert_memory_equal(after, before, n_before);
		free(before);
		free(after);
	}

	/* a file that is not a database */
	remove_db();
	fd = open(db_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(write(fd, "this is not a database\n", 23), 23);
	close(fd);
	assert_int_equal(store_open(db_path, &s, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "not a weargate database"));
}

/* A database written by the first release (schema 1) is brought forward, its history intact. */
static void test_migrate_from_v1(void **state)
{
	const char *root = getenv("SOURCE_ROOT");
	struct store_sample *x = malloc(sizeof(*x));
	struct collected *got = calloc(1, sizeof(*got));
	struct wg_err err = { "" };
	struct smart_derived d;
	struct store *s = NULL;
	char fixture[512];
	uint8_t *sql;
	size_t len;
	int64_t id;

	(void)state;
	assert_non_null(root);
	snprintf(fixture, sizeof(fixture), "%s/tests/data/history-v1.sql", root);
	assert_int_equal(wg_read_file(fixture, 1 << 20, &sql, &len), 0);
	sql[len] = '\0';
	s = open_store(); /* creates the directory; then the file is replaced by the old one */
	store_free(s);
	remove_db();
	sql_exec((const char *)sql);
	free(sql);
	assert_int_equal(sql_int("PRAGMA user_version"), 1);

	s = open_store();
	assert_int_equal(sql_int("PRAGMA user_version"), store_schema_version());
	assert_true(store_schema_version() >= 2);
	assert_int_equal(store_latest_by_name(s, "sdb", x, &err), 0);
	assert_string_equal(x->reading.identity.model, "ST9160821AS");
	assert_int_equal(x->t, 1795001200);
	attrs_derive(&x->reading, &d);
	assert_int_equal(d.pending, 3);
	assert_int_equal(store_foreach_sample(s, x->drive_id, 0, INT64_MAX, collect, got, &err), 0);
	assert_int_equal(got->n, 3);
	/* and what version 2 added works on it */
	assert_int_equal(store_job_run_begin(s, "backup", "backup", 1795001300, &x->drive_id, 1, "go", &id, &err), 0);
	assert_int_equal(sql_int("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
	store_free(s);
	free(got);
	free(x);
}

struct runs_seen {
	size_t n;
	struct store_job_run run[4];
};

static int collect_run(const struct store_job_run *run, void *userdata)
{
	struct runs_seen *c = userdata;

	if (c->n >= WG_ELEMENTSOF(c->run))
		return -E2BIG;
	c->run[c->n++] = *run;
	return 0;
}

static void assert_counts(const struct store_counts *c, int64_t reallocated, int64_t pending, int64_t offline)
{
	assert_int_equal(c->reallocated, reallocated);
	assert_int_equal(c->pending, pending);
	assert_int_equal(c->offline_uncorrectable, offline);
}

/* A run's counters before and after are recorded with it, and filled in for runs older than schema 4. */
/* What a history of packed counts reads as: the walk the health model takes, with its values. */
struct packed_walk {
	struct health_point points[64];
	size_t n;
};

static int collect_points(const struct store_sample *sample, void *userdata)
{
	struct packed_walk *w = userdata;

	if (w->n < 64)
		health_point_from_reading(&sample->reading, sample->t, &w->points[w->n++]);
	return 0;
}

/*
 * A Hitachi whose 5 reads "11112 (0 1225)": the count is the low word, and the word above it
 * moves with other data. A day of samples with that word stepping up leaves the count at
 * 11112 and the drive worn; read as 32 bits, it would be 65536 sectors more at each step, and
 * "failing" within the day.
 */
static void test_packed_count_history(void **state)
{
	static const char *const names[] = { "sda" };
	struct packed_walk *w = calloc(1, sizeof(*w));
	struct health_now in = { .sampled = true, .latest_status = READING_OK };
	struct store_sample *latest = malloc(sizeof(*latest));
	struct health_track tr;
	struct health_assessment h;
	struct wg_err err = { "" };
	struct store *s = open_store();
	struct smart_reading r;
	struct policy p;

	(void)state;
	assert_non_null(w);
	assert_non_null(latest);
	rb_healthy_hdd(&r, "B5");
	snprintf(r.identity.model, sizeof(r.identity.model), "HGST HTS725050A7E630");
	for (int step = 0; step < 48; step++) {
		rb_attr(&r, 5, 0x0033, 56, 56, 5, (uint64_t)(1225 + step) << 16 | 11112);
		pass(s, 1800000000 + step * 1800, 1, names, &r);
	}
	assert_int_equal(store_latest_by_name(s, "sda", latest, &err), 0);
	assert_int_equal(store_foreach_sample(s, latest->drive_id, 0, INT64_MAX, collect_points, w, &err), 0);
	assert_int_equal(w->n, 48);
	for (size_t i = 0; i < w->n; i++)
		assert_int_equal(w->points[i].d.reallocated, 11112);
	policy_defaults(&p);
	health_track_init(&tr);
	for (size_t i = 0; i < w->n; i++)
		assert_int_equal(health_track_add(&p, &tr, w->points[i].t, &w->points[i], NULL), 0);
	in.latest_t = w->points[w->n - 1].t;
	in.latest_usable = &w->points[w->n - 1];
	health_assess(&p, &tr, &in, in.latest_t, &h);
	assert_int_equal(h.state, HEALTH_WORN);
	health_track_release(&tr);
	free(latest);
	free(w);
	store_free(s);
}

static void write_drivedb(const char *path, const char *family_presets)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "/* a drive database for the test */\n"
		   "{ \"VERSION: 9.9 $Id: drivedb.h 42 2030-01-01 00:00:00Z t $\", \"-\", \"-\", \"Version information\", \"\" },\n"
		   "{ \"DEFAULT\", \"-\", \"-\", \"Default settings\",\n"
		   "  \"-v 5,raw16(raw16),Reallocated_Sector_Ct -v 197,raw48,Current_Pending_Sector\" },\n"
		   "{ \"Test family\", \"TEST MODEL [0-9]+\", \"\", \"Update the firmware.\",\n  \"%s\" },\n",
		family_presets);
	assert_int_equal(fclose(f), 0);
}

/*
 * The drive database entry is matched once per drive and firmware, recorded with the pass and
 * the database's stamp, matched again only when the database changes; readings read back are
 * decoded with it, and a store without a database (the gate) goes by what was recorded.
 */
static void test_drivedb_match(void **state)
{
	static const char *const names[] = { "sda" };
	struct drivedb_match *m = malloc(sizeof(*m));
	struct store_sample *x = malloc(sizeof(*x));
	struct drivedb_source *src = NULL;
	struct wg_err err = { "" };
	struct smart_reading r;
	struct smart_derived d;
	char path[160];
	struct store *s;

	(void)state;
	assert_non_null(m);
	assert_non_null(x);
	snprintf(path, sizeof(path), "%s/drivedb.h", dir);
	write_drivedb(path, "-v 197,raw48,Bogus_Current_Pend_Sect");
	assert_int_equal(drivedb_source_new(path, &src), 0);
	s = open_store();
	store_set_drivedb(s, src);
	rb_healthy_hdd(&r, "S1");
	snprintf(r.identity.model, sizeof(r.identity.model), "TEST MODEL 7");
	rb_attr(&r, 197, 0x0032, 100, 100, 0, 1);
	/* the reading handed in gets its definitions too */
	assert_int_equal(store_pass_begin(s, 1000, &err), 0);
	assert_int_equal(store_pass_add(s, "sda", &r, &err), 0);
	assert_int_equal(store_pass_commit(s, &err), 0);
	assert_string_equal(attrs_name(&r, 197), "Bogus_Current_Pend_Sect");
	assert_int_equal(store_latest_by_name(s, "sda", x, &err), 0);
	assert_int_equal(store_drive_match(s, x->drive_id, "FW1", m, &err), 0);
	assert_string_equal(m->family, "Test family");
	assert_string_equal(m->warning, "Update the firmware.");
	assert_non_null(strstr(m->source, "(9.9/42 2030-01-01)"));
	assert_int_equal(store_drive_match(s, x->drive_id, "FW2", m, &err), -ENOENT);
	attrs_derive(&x->reading, &d);
	assert_int_equal(d.pending, ATTR_UNKNOWN);
	/* the same database: nothing matched or written again */
	pass(s, 2000, 1, names, &r);
	assert_int_equal(sql_int("SELECT t FROM drive_match"), 1000);
	store_free(s);
	drivedb_source_free(src);

	/* the gate: no database read, the recorded match used */
	s = open_store();
	assert_int_equal(store_latest_by_name(s, "sda", x, &err), 0);
	assert_string_equal(attrs_name(&x->reading, 197), "Bogus_Current_Pend_Sect");
	pass(s, 3000, 1, names, &r);
	assert_int_equal(sql_int("SELECT t FROM drive_match"), 1000);
	store_free(s);

	/* a new version of the database: matched again, and the whole history reads with it */
	write_drivedb(path, "-v 197,raw48,Current_Pending_Sector");
	assert_int_equal(drivedb_source_new(path, &src), 0);
	s = open_store();
	store_set_drivedb(s, src);
	pass(s, 4000, 1, names, &r);
	assert_int_equal(sql_int("SELECT t FROM drive_match"), 4000);
	assert_int_equal(store_sample_get(s, x->drive_id, x->pass_id, x, &err), 0);
	attrs_derive(&x->reading, &d);
	assert_int_equal(d.pending, 1);
	store_free(s);
	drivedb_source_free(src);

	/* no database where it was: smartctl's defaults, recorded as such */
	unlink(path);
	assert_int_equal(drivedb_source_new(path, &src), 0);
	s = open_store();
	store_set_drivedb(s, src);
	pass(s, 5000, 1, names, &r);
	assert_int_equal(store_drive_match(s, x->drive_id, "FW1", m, &err), 0);
	assert_string_equal(m->stamp, "");
	assert_string_equal(m->family, "");
	assert_non_null(strstr(m->source, "not found"));
	assert_non_null(drivedb_source_warning(src)); /* a configured file that is gone is said */
	store_free(s);
	drivedb_source_free(src);
	free(x);
	free(m);
}

static void test_run_counters(void **state)
{
	static const char *const names[] = { "sda" };
	struct runs_seen *seen = calloc(1, sizeof(*seen));
	struct store_sample *x = malloc(sizeof(*x));
	struct wg_err err = { "" };
	struct smart_reading r;
	struct store *s = open_store();
	int64_t before, after, purge, scrub;

	(void)state;
	assert_non_null(seen);
	assert_non_null(x);
	rb_healthy_hdd(&r, "A");
	rb_attr(&r, 5, 0x0033, 100, 100, 36, 4);
	pass(s, 1000, 1, names, &r);
	assert_int_equal(store_latest_by_name(s, "sda", x, &err), 0);
	before = x->pass_id;
	assert_int_equal(store_job_run_begin(s, "purge", "maintenance", 1100, &x->drive_id, 1, "go", &purge, &err), 0);
	rb_attr(&r, 197, 0x0032, 200, 200, 0, 8);
	rb_attr(&r, 198, 0x0030, 200, 200, 0, 0xffffffff); /* implausible: unknown, not a number */
	pass(s, 2000, 1, names, &r);
	assert_int_equal(store_latest_by_name(s, "sda", x, &err), 0);
	after = x->pass_id;
	assert_int_equal(store_job_run_drive_set(s, purge, x->drive_id, 1, 2, before, after, &err), 0);
	/* a run with no sample after it (its runner could not read the drive) */
	assert_int_equal(store_job_run_begin(s, "scrub", "maintenance", 2100, &x->drive_id, 1, "go", &scrub, &err), 0);
	assert_int_equal(store_job_run_drive_set(s, scrub, x->drive_id, -1, -1, after, -1, &err), 0);

	assert_int_equal(store_foreach_job_run(s, 0, INT64_MAX, collect_run, seen, &err), 0);
	assert_int_equal(seen->n, 2);
	assert_counts(&seen->run[0].drives[0].before, 4, 0, 0);
	assert_counts(&seen->run[0].drives[0].after, 4, 8, -1);
	assert_counts(&seen->run[1].drives[0].before, 4, 8, -1);
	assert_counts(&seen->run[1].drives[0].after, -1, -1, -1);
	store_free(s);

	/* the same history as schema 3 left it: no counters; opening it fills them from the samples */
	assert_int_equal(sql_int("SELECT count(*) FROM pass WHERE seen IS NOT NULL"), 0);
	sql_exec("ALTER TABLE job_run_drive DROP COLUMN reallocated_before;"
		 "ALTER TABLE job_run_drive DROP COLUMN pending_before;"
		 "ALTER TABLE job_run_drive DROP COLUMN offline_uncorrectable_before;"
		 "ALTER TABLE job_run_drive DROP COLUMN reallocated_after;"
		 "ALTER TABLE job_run_drive DROP COLUMN pending_after;"
		 "ALTER TABLE job_run_drive DROP COLUMN offline_uncorrectable_after;"
		 "DROP TABLE sign_change; DROP TABLE episode; DROP TABLE meta; DROP TABLE clock_step; DROP TABLE drive_head;"
		 "DROP INDEX job_run_drive_ended; DROP INDEX job_run_drive_open; DROP INDEX job_run_drive_backup;"
		 "ALTER TABLE job_run_drive DROP COLUMN started; ALTER TABLE job_run_drive DROP COLUMN ended;"
		 "ALTER TABLE job_run_drive DROP COLUMN backup_ok;"
		 "ALTER TABLE chunk DROP COLUMN last_status; ALTER TABLE chunk DROP COLUMN last_temperature;"
		 "ALTER TABLE chunk DROP COLUMN last_self_test;"
		 "DROP TABLE kernel_error;"
		 "DROP TABLE drive_match;"
		 "DROP INDEX job_run_open; DROP INDEX job_run_by_job; ALTER TABLE job_run DROP COLUMN origin;"
		 "ALTER TABLE job_run DROP COLUMN expires; ALTER TABLE job_run DROP COLUMN session;"
		 "ALTER TABLE job_run_drive DROP COLUMN io_read0; ALTER TABLE job_run_drive DROP COLUMN io_written0;"
		 "DROP TABLE self_test;"
		 /* 8's tails, folded into their chunks as the weargate of schema 3 kept every sample */
		 "UPDATE chunk SET data = CAST(data || (SELECT x.data FROM chunk_tail x WHERE x.chunk_id = chunk.id) AS BLOB), "
		 "  n = n + (SELECT x.n FROM chunk_tail x WHERE x.chunk_id = chunk.id), "
		 "  last_pass = (SELECT x.last_pass FROM chunk_tail x WHERE x.chunk_id = chunk.id), "
		 "  t1 = (SELECT x.t1 FROM chunk_tail x WHERE x.chunk_id = chunk.id) "
		 "  WHERE id IN (SELECT chunk_id FROM chunk_tail);"
		 "DROP TABLE chunk_tail;"
		 "ALTER TABLE pass DROP COLUMN seen; PRAGMA user_version = 3");
	s = open_store();
	assert_int_equal(sql_int("PRAGMA user_version"), store_schema_version());
	seen->n = 0;
	assert_int_equal(store_foreach_job_run(s, 0, INT64_MAX, collect_run, seen, &err), 0);
	assert_int_equal(seen->n, 2);
	assert_counts(&seen->run[0].drives[0].before, 4, 0, 0);
	assert_counts(&seen->run[0].drives[0].after, 4, 8, -1);
	assert_counts(&seen->run[1].drives[0].before, 4, 8, -1);
	assert_counts(&seen->run[1].drives[0].after, -1, -1, -1);
	/* and the runs' times are found for the drive as before (two open runs: the newest start) */
	{
		int64_t v = -1;

		assert_int_equal(store_last_heavy_end(s, x->drive_id, NOW_MAX, &v, &err), 0);
		assert_int_equal(v, 2100);
	}
	store_free(s);
	free(x);
	free(seen);
}

static void test_job_runs_and_decisions(void **state)
{
	static const char *const names[] = { "sda", "sdb" };
	struct smart_reading r[2];
	struct wg_err err = { "" };
	struct store_sample *x = malloc(sizeof(*x));
	struct store *s = open_store();
	int64_t sda, sdb, both[2], id, v;

	(void)state;
	rb_healthy_hdd(&r[0], "A");
	rb_healthy_hdd(&r[1], "B");
	pass(s, 1000, 2, names, r);
	assert_int_equal(store_latest_by_name(s, "sda", x, &err), 0);
	sda = both[0] = x->drive_id;
	assert_int_equal(store_latest_by_name(s, "sdb", x, &err), 0);
	sdb = both[1] = x->drive_id;

	assert_int_equal(store_last_heavy_end(s, sda, NOW_MAX, &v, &err), 0);
	assert_int_equal(v, -1);
	assert_int_equal(store_last_backup_ok(s, sda, NOW_MAX, &v, &err), 0);
	assert_int_equal(v, -1);

	/* a backup of both that succeeds */
	assert_int_equal(store_job_run_begin(s, "backup", "backup", 2000, both, 2, "go", &id, &err), 0);
	/* while it runs, its start counts */
	assert_int_equal(store_last_heavy_end(s, sdb, NOW_MAX, &v, &err), 0);
	assert_int_equal(v, 2000);
	assert_int_equal(store_last_backup_ok(s, sdb, NOW_MAX, &v, &err), 0);
	assert_int_equal(v, -1);
	assert_int_equal(store_job_run_end(s, id, 5000, "success", 0, NULL, NULL, &err), 0);
	assert_int_equal(store_last_heavy_end(s, sdb, NOW_MAX, &v, &err), 0);
	assert_int_equal(v, 5000);
	assert_int_equal(store_last_backup_ok(s, sda, NOW_MAX, &v, &err), 0);
	assert_int_equal(v, 2000);

	/* a purge of sda that fails, and a backup of sda that fails: heavy, but no backup */
	assert_int_equal(store_job_run_begin(s, "purge", "maintenance", 6000, &sda, 1, "go", &id, &err), 0);
	assert_int_equal(store_job_run_end(s, id, 7000, "failed", 1, "exit status 1", NULL, &err), 0);
	assert_int_equal(store_job_run_begin(s, "backup", "backup", 8000, &sda, 1, "go", &id, &err), 0);
	assert_int_equal(store_job_run_end(s, id, 9000, "failed", 2, NULL, NULL, &err), 0);
	assert_int_equal(store_last_heavy_end(s, sda, NOW_MAX, &v, &err), 0);
	assert_int_equal(v, 9000);
	assert_int_equal(store_last_heavy_end(s, sdb, NOW_MAX, &v, &err), 0);
	assert_int_equal(v, 5000);
	assert_int_equal(store_last_backup_ok(s, sda, NOW_MAX, &v, &err), 0);
	assert_int_equal(v, 2000);
	assert_int_equal(store_job_run_end(s, 999, 1, "success", 0, NULL, NULL, &err), -ENOENT);

	/* what a run did to its drive, unknowns left NULL */
	assert_int_equal(store_job_run_drive_set(s, id, sda, 2048, -1, 1, 2, &err), 0);
	assert_int_equal(sql_int("SELECT sectors_read FROM job_run_drive WHERE run_id = (SELECT max(id) FROM job_run)"), 2048);
	assert_int_equal(sql_int("SELECT sectors_written IS NULL FROM job_run_drive WHERE run_id = (SELECT max(id) FROM job_run)"), 1);
	assert_int_equal(store_job_run_drive_set(s, id, sdb, 1, 1, 1, 1, &err), -ENOENT);
	/* a run whose runner died is ended as interrupted, and only that one */
	{
		int n = -1;

		assert_int_equal(store_job_run_begin(s, "purge", "maintenance", 9100, &sdb, 1, "go", &id, &err), 0);
		assert_int_equal(store_job_runs_interrupted(s, 9200, &n, &err), 0);
		assert_int_equal(n, 1);
		assert_int_equal(sql_int("SELECT count(*) FROM job_run WHERE outcome = 'interrupted' AND ended = 9200"), 1);
		assert_int_equal(store_job_runs_interrupted(s, 9300, &n, &err), 0);
		assert_int_equal(n, 0);
	}
	/* a clock set ahead: a run stamped later than now is not counted, one that ended later counts from its start */
	assert_int_equal(store_job_run_begin(s, "purge", "maintenance", 50000, &sdb, 1, "go", &id, &err), 0);
	assert_int_equal(store_job_run_end(s, id, 51000, "success", 0, NULL, NULL, &err), 0);
	assert_int_equal(store_last_heavy_end(s, sdb, 10000, &v, &err), 0);
	assert_int_equal(v, 9200);
	assert_int_equal(store_job_run_begin(s, "backup", "backup", 9800, &sdb, 1, "go", &id, &err), 0);
	assert_int_equal(store_job_run_end(s, id, 60000, "success", 0, NULL, NULL, &err), 0);
	assert_int_equal(store_last_heavy_end(s, sdb, 10000, &v, &err), 0);
	assert_int_equal(v, 9800);
	assert_int_equal(store_last_backup_ok(s, sdb, 9700, &v, &err), 0);
	assert_int_equal(v, 2000);
	assert_int_equal(store_last_backup_ok(s, sdb, 10000, &v, &err), 0);
	assert_int_equal(v, 9800);
	/* one disk under two names is one drive of a run */
	{
		int64_t twice[2] = { sda, sda };

		assert_int_equal(store_job_run_begin(s, "backup", "backup", 9900, twice, 2, "go", &id, &err), 0);
		assert_int_equal(sql_int("SELECT count(*) FROM job_run_drive WHERE run_id = (SELECT max(id) FROM job_run)"),
				 1);
		assert_int_equal(store_job_run_end(s, id, 9950, "failed", 1, NULL, NULL, &err), 0);
	}
	assert_int_equal(store_decision_add(s, 9500, "purge", "refuse", "sda degrading", "sda=degrading", &err), 0);
	assert_int_equal(sql_int("SELECT count(*) FROM decision WHERE job = 'purge' AND states = 'sda=degrading'"), 1);
	/* nothing of this while a pass is open: a pass is one transaction of its own */
	assert_int_equal(store_pass_begin(s, 9600, &err), 0);
	assert_int_equal(store_decision_add(s, 9600, "purge", "go", "", "", &err), -EBUSY);
	store_pass_abort(s);
	store_free(s);
	free(x);
}

/* A run as the property test below keeps it, beside the store. */
struct model_run {
	int64_t id, started, ended; /* ended -1: open */
	int64_t drives[3];
	size_t n;
	bool backup_ok, hook, backup;
	int job;
	int64_t expires; /* a hook's: -1 never */
};

/* The facts as ST_LAST_JOBS defines them, from the model's runs. */
static void model_last_jobs(const struct model_run *runs, size_t n, int64_t drive, int64_t until, int64_t *heavy,
			    int64_t *backup)
{
	*heavy = *backup = -1;
	for (size_t i = 0; i < n; i++) {
		const struct model_run *m = &runs[i];
		bool on = false;
		int64_t end;

		for (size_t k = 0; k < m->n; k++)
			on |= m->drives[k] == drive;
		if (!on || m->started > until)
			continue;
		/* a run that ended later than until ended, as far as until knows, when it started */
		end = m->ended >= 0 && m->ended <= until ? m->ended : m->started;
		if (end > *heavy)
			*heavy = end;
		if (m->backup_ok && m->started > *backup)
			*backup = m->started;
	}
}

static uint64_t lcg(uint64_t *x)
{
	*x = *x * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return *x >> 33;
}

/*
 * A drive's job facts, kept in its head for the gate, answer as the runs do: at any until,
 * over runs begun and ended by the runner and by hooks, runs interrupted, and a clock that
 * jumps ahead and back; and so does a history brought forward to them by the migration.
 */
static void test_job_facts_follow_the_runs(void **state)
{
	static const char *const names[] = { "sda", "sdb", "sdc" };
	struct smart_reading r[3];
	struct model_run *runs = calloc(400, sizeof(*runs));
	struct store_sample *x = malloc(sizeof(*x));
	struct wg_err err = { "" };
	struct store *s = open_store();
	int64_t ids[3], clock = 100000;
	uint64_t seed = 42;
	size_t n = 0;

	(void)state;
	rb_healthy_hdd(&r[0], "A");
	rb_healthy_hdd(&r[1], "B");
	rb_healthy_hdd(&r[2], "C");
	pass(s, 1000, 3, names, r);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(store_latest_by_name(s, names[i], x, &err), 0);
		ids[i] = x->drive_id;
	}
	for (int op = 0; op < 300; op++) {
		uint64_t dice = lcg(&seed) % 100;
		struct model_run *m = &runs[n];

		/* mostly forward; now and then a clock set years ahead, or put back */
		clock += (int64_t)(lcg(&seed) % 5000);
		if (dice < 3)
			clock += 315360000;
		else if (dice < 6)
			clock -= (int64_t)(lcg(&seed) % 400000);
		dice = lcg(&seed) % 100;
		if (dice < 40 && n < 400) {
			*m = (struct model_run){ .started = clock, .ended = -1, .backup = lcg(&seed) % 2,
						 .hook = lcg(&seed) % 3 == 0, .job = (int)(lcg(&seed) % 2) };
			for (size_t k = 0; k < 3; k++)
				if (lcg(&seed) % 2 || (k == 2 && m->n == 0))
					m->drives[m->n++] = ids[k];
			if (m->hook) {
				struct store_hook_drive hd[3];
				struct store_hook_start h = { .job = m->job ? "j1" : "j0",
							      .class = m->backup ? "backup" : "maintenance",
							      .verdict = "go", .started = clock, .drives = hd, .n = m->n };

				m->expires = lcg(&seed) % 2 ? clock + (int64_t)(lcg(&seed) % 20000) : -1;
				h.expires = m->expires;

				for (size_t k = 0; k < m->n; k++)
					hd[k] = (struct store_hook_drive){ m->drives[k], -1, -1, -1 };
				/* the job's hook runs still open end here, unreported */
				for (size_t i = 0; i < n; i++)
					if (runs[i].hook && runs[i].job == m->job && runs[i].ended < 0)
						runs[i].ended = clock;
				assert_int_equal(store_hook_run_begin(s, &h, &m->id, &err), 0);
			} else {
				assert_int_equal(store_job_run_begin(s, m->job ? "j1" : "j0", m->backup ? "backup" : "maintenance",
								     clock, m->drives, m->n, "go", &m->id, &err),
						 0);
			}
			n++;
		} else if (dice < 85) {
			size_t open = 0, pick;

			for (size_t i = 0; i < n; i++)
				open += runs[i].ended < 0;
			if (open == 0)
				continue;
			pick = lcg(&seed) % open;
			for (size_t i = 0; i < n; i++) {
				bool ok = lcg(&seed) % 4 != 0;

				if (runs[i].ended >= 0 || pick-- != 0)
					continue;
				assert_int_equal(store_job_run_end(s, runs[i].id, clock, ok ? "success" : "failed", !ok, NULL,
								   NULL, &err),
						 0);
				runs[i].ended = clock;
				runs[i].backup_ok = runs[i].backup && ok;
				break;
			}
		} else if (dice < 93) {
			int k = -1;

			assert_int_equal(store_job_runs_interrupted(s, clock, &k, &err), 0);
			for (size_t i = 0; i < n; i++)
				if (!runs[i].hook && runs[i].ended < 0)
					runs[i].ended = clock;
		} else {
			/* hook runs whose end was not reported within their timeout */
			assert_int_equal(store_job_runs_expire(s, clock, NULL, &err), 0);
			for (size_t i = 0; i < n; i++)
				if (runs[i].hook && runs[i].ended < 0 && runs[i].expires >= 0 && runs[i].expires <= clock)
					runs[i].ended = clock;
		}
		/* at now, and at every stamp and either side of it */
		for (size_t d = 0; d < 3; d++) {
			for (size_t i = 0; i <= n; i++) {
				int64_t at[] = { clock, NOW_MAX, 0 };
				size_t n_at = i < n ? 6 : 3;
				int64_t more[6];

				if (i < n) {
					int64_t e = runs[i].ended >= 0 ? runs[i].ended : runs[i].started;

					more[0] = runs[i].started - 1, more[1] = runs[i].started, more[2] = runs[i].started + 1;
					more[3] = e - 1, more[4] = e, more[5] = e + 1;
				}
				for (size_t a = 0; a < n_at; a++) {
					int64_t until = i < n ? more[a] : at[a], heavy, backup, want_heavy, want_backup;

					model_last_jobs(runs, n, ids[d], until, &want_heavy, &want_backup);
					assert_int_equal(store_last_jobs(s, ids[d], until, &heavy, &backup, &err), 0);
					if (heavy != want_heavy || backup != want_backup)
						fail_msg("op %d, drive %zu, until %lld: heavy %lld backup %lld, want %lld %lld", op,
							 d, (long long)until, (long long)heavy, (long long)backup,
							 (long long)want_heavy, (long long)want_backup);
				}
			}
		}
	}
	store_free(s);
	/* a history of the schema before: the migration finds the same facts */
	assert_int_equal(sql_int("SELECT count(*) FROM pass WHERE seen IS NOT NULL"), 0);
	sql_exec("ALTER TABLE drive_head DROP COLUMN jobs_stamp; ALTER TABLE drive_head DROP COLUMN heavy_end; "
		 "ALTER TABLE drive_head DROP COLUMN backup_ok; DELETE FROM drive_head WHERE drive_id = 1;"
		 "ALTER TABLE pass DROP COLUMN seen; " UNDO_14 "PRAGMA user_version = 10");
	s = open_store();
	assert_int_equal(sql_int("SELECT count(*) FROM drive_head WHERE jobs_stamp IS NULL"), 0);
	for (size_t d = 0; d < 3; d++) {
		int64_t until[] = { 0, clock, NOW_MAX, runs[n / 2].started }, heavy, backup, want_heavy, want_backup;

		for (size_t a = 0; a < WG_ELEMENTSOF(until); a++) {
			model_last_jobs(runs, n, ids[d], until[a], &want_heavy, &want_backup);
			assert_int_equal(store_last_jobs(s, ids[d], until[a], &heavy, &backup, &err), 0);
			assert_int_equal(heavy, want_heavy);
			assert_int_equal(backup, want_backup);
		}
	}
	/* the facts answer without asking the runs for a now after every stamp: a wrong fact shows */
	sql_exec("UPDATE drive_head SET heavy_end = 7 WHERE drive_id = 1");
	{
		int64_t heavy, backup;

		assert_int_equal(store_last_jobs(s, 1, NOW_MAX, &heavy, &backup, &err), 0);
		assert_int_equal(heavy, 7);
	}
	store_free(s);
	free(x);
	free(runs);
}

static void test_damaged_chunk_loses_nothing_else(void **state)
{
	static const char *const names[] = { "sda" };
	struct store_sample *x = malloc(sizeof(*x));
	struct wg_err err = { "" };
	struct smart_reading r;
	struct store *s = open_store();

	(void)state;
	rb_healthy_hdd(&r, "A");
	pass(s, 1000, 1, names, &r);
	pass(s, 1600, 1, names, &r);
	sql_exec("UPDATE chunk SET data = x'01ffffffffffffffffffffff'");
	assert_int_equal(store_latest_by_name(s, "sda", x, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "damaged"));
	/* recording goes on in a new chunk */
	pass(s, 2200, 1, names, &r);
	assert_int_equal(store_latest_by_name(s, "sda", x, &err), 0);
	assert_int_equal(x->t, 2200);
	assert_int_equal(sql_int("SELECT count(*) FROM chunk"), 2);
	store_free(s);
	free(x);
}

/* A pass aborted half-way, or a process dying in it, leaves no trace. */
static void test_pass_is_atomic(void **state)
{
	static const char *const names[] = { "sda", "sdb" };
	struct smart_reading r[2];
	struct wg_err err = { "" };
	struct store *s = open_store();
	int64_t id, t;
	pid_t pid;
	int status;

	(void)state;
	rb_healthy_hdd(&r[0], "A");
	rb_healthy_hdd(&r[1], "B");
	pass(s, 1000, 2, names, r);

	assert_int_equal(store_pass_begin(s, 1600, &err), 0);
	assert_int_equal(store_pass_add(s, "sda", &r[0], &err), 0);
	store_pass_abort(s);
	assert_int_equal(store_last_pass(s, &id, &t, &err), 0);
	assert_int_equal(id, 1);
	assert_int_equal(sql_int("SELECT n FROM chunk WHERE name = 'sda'"), 1);
	store_free(s);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store *c = NULL;

		if (store_open(db_path, &c, NULL) < 0 || store_pass_begin(c, 2200, NULL) < 0 ||
		    store_pass_add(c, "sda", &r[0], NULL) < 0)
			_exit(1);
		raise(SIGKILL); /* dies in the middle of the pass */
		_exit(2);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	s = open_store();
	assert_int_equal(store_last_pass(s, &id, &t, &err), 0);
	assert_int_equal(id, 1);
	assert_int_equal(stored_samples(), 2);
	assert_int_equal(sql_int("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
	store_free(s);
}

/* A writer killed at random points: every committed pass is whole, the file stays sound. */
static void test_killed_writer(void **state)
{
	static const char *const names[] = { "sda", "sdb", "sdc" };
	struct smart_reading r[3];

	(void)state;
	rb_healthy_hdd(&r[0], "A");
	rb_healthy_hdd(&r[1], "B");
	rb_healthy_hdd(&r[2], "C");
	srand(42);
	for (int round = 0; round < 6; round++) {
		struct timespec ts = { 0, (long)(rand() % 80) * 1000000L };
		int64_t passes, samples;
		int ready[2];
		pid_t pid;
		char byte;

		assert_int_equal(pipe(ready), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct store *c = NULL;

			close(ready[0]);
			if (store_open(db_path, &c, NULL) < 0)
				_exit(1);
			for (int64_t t = 1000 + round * 1000000;; t += 600) {
				rb_attr(&r[0], 194, 0x0022, 110, 95, 0, (uint64_t)(30 + t % 7));
				if (store_pass_begin(c, t, NULL) < 0)
					_exit(1);
				for (int i = 0; i < 3; i++)
					if (store_pass_add(c, names[i], &r[i], NULL) < 0)
						_exit(1);
				if (store_pass_commit(c, NULL) < 0)
					_exit(1);
				if (ready[1] >= 0) { /* one pass in: now it may die anywhere */
					close(ready[1]);
					ready[1] = -1;
				}
			}
		}
		close(ready[1]);
		assert_int_equal(read(ready[0], &byte, 1), 0);
		close(ready[0]);
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		passes = sql_int("SELECT count(*) FROM pass");
		samples = stored_samples();
		assert_true(passes > 0);
		assert_int_equal(samples, 3 * passes);
		assert_int_equal(sql_int("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
	}
	/* and the history reads back whole */
	{
		struct store_sample *x = malloc(sizeof(*x));
		struct collected *got = calloc(1, sizeof(*got));
		struct wg_err err = { "" };
		struct store *s = open_store();

		assert_int_equal(store_latest_by_name(s, "sdc", x, &err), 0);
		assert_int_equal(x->pass_id, sql_int("SELECT max(id) FROM pass"));
		free(got);
		free(x);
		store_free(s);
	}
}

/* A reader is not held up by an open pass, and sees it only once committed. */
static void test_reader_during_writer(void **state)
{
	static const char *const names[] = { "sda" };
	struct store_sample *x = malloc(sizeof(*x));
	struct wg_err err = { "" };
	struct smart_reading r;
	struct store *w = open_store(), *rd;
	struct timespec t0, t1;

	(void)state;
	rb_healthy_hdd(&r, "A");
	pass(w, 1000, 1, names, &r);
	rd = open_store();
	assert_int_equal(store_pass_begin(w, 1600, &err), 0);
	rb_attr(&r, 197, 0x0032, 200, 200, 0, 8);
	assert_int_equal(store_pass_add(w, "sda", &r, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(store_latest_by_name(rd, "sda", x, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(x->t, 1000);
	/* well under the busy timeout: the reader did not wait for the writer */
	assert_true(t1.tv_sec - t0.tv_sec < 2);
	assert_int_equal(store_pass_commit(w, &err), 0);
	assert_int_equal(store_latest_by_name(rd, "sda", x, &err), 0);
	assert_int_equal(x->t, 1600);
	store_free(rd);
	store_free(w);
	free(x);
}

/* A read of several statements sees one state of the history: a pass committed during it shows only after it. */
static void test_read_sees_one_state(void **state)
{
	static const char *const names[] = { "sda" };
	struct store_sample *x = malloc(sizeof(*x));
	struct wg_err err = { "" };
	struct smart_reading r;
	struct store *w = open_store(), *rd;
	int began;

	(void)state;
	rb_healthy_hdd(&r, "A");
	pass(w, 1000, 1, names, &r);
	rd = open_store();
	began = store_read_begin(rd, &err);
	assert_int_equal(began, 1);
	/* inside it, another begin is the same read */
	assert_int_equal(store_read_begin(rd, &err), 0);
	assert_int_equal(store_latest_by_name(rd, "sda", x, &err), 0);
	assert_int_equal(x->t, 1000);
	pass(w, 1600, 1, names, &r);
	assert_int_equal(store_latest_by_name(rd, "sda", x, &err), 0);
	assert_int_equal(x->t, 1000);
	store_read_end(rd, 0);
	assert_int_equal(store_latest_by_name(rd, "sda", x, &err), 0);
	assert_int_equal(x->t, 1000);
	store_read_end(rd, began);
	assert_int_equal(store_latest_by_name(rd, "sda", x, &err), 0);
	assert_int_equal(x->t, 1600);
	/* the reader writes again once it ended */
	assert_int_equal(store_decision_add(rd, 1700, "job", "go", "", "", &err), 0);
	store_free(rd);
	store_free(w);
	free(x);
}

/*
 * A reader that may not write the log's index (nobody; or, run by a user, the index made
 * read-only) finds no read mark it may use: a checkpoint has taken them all past its view of
 * the log, which a reader that may write the index would fix by claiming one. It waits for a
 * writer to move on, as for a lock, instead of failing.
 */
static void test_readonly_reader_waits_for_a_read_mark(void **state)
{
	static const char *const names[] = { "sda" };
	struct timespec pause = { 0, 300 * 1000000L };
	struct smart_reading r;
	struct store *w = open_store();
	char shm[160];
	sqlite3 *h;
	pid_t pid, helper;
	int status, go[2];

	(void)state;
	rb_healthy_hdd(&r, "A");
	pass(w, 1000, 1, names, &r);
	rb_attr(&r, 197, 0x0032, 200, 200, 0, 8);
	pass(w, 1600, 1, names, &r);
	store_free(w); /* the passes stay in the log, not yet checkpointed */
	assert_int_equal(chmod(dir, 0755), 0);
	snprintf(shm, sizeof(shm), "%s-shm", db_path);

	/* the reader, forked before anything here opens the history: SQLite's state is not for sharing */
	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct store_sample *x = malloc(sizeof(*x));
		struct wg_err err = { "" };
		struct store *s = NULL;
		char byte;

		close(go[1]);
		if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(3);
		if (read(go[0], &byte, 1) != 1)
			_exit(4);
		if (!x || store_open_readonly(db_path, &s, &err) < 0 || store_latest_by_name(s, "sda", x, &err) < 0) {
			fprintf(stderr, "reader: %s\n", err.msg);
			_exit(1);
		}
		_exit(x->t == 1600 ? 0 : 2);
	}
	close(go[0]);

	/* a writer has the history open... */
	assert_int_equal(sqlite3_open(db_path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "SELECT count(*) FROM pass", NULL, NULL, NULL), SQLITE_OK);
	/*
	 * ...and every read mark is past the end of the log. Written by another process: closing a
	 * descriptor of the file here would drop this process's locks on it, the writer's among them.
	 */
	helper = fork();
	assert_true(helper >= 0);
	if (helper == 0) {
		uint32_t mx, marks[4];
		int fd = open(shm, O_RDWR);

		if (fd < 0 || pread(fd, &mx, sizeof(mx), 16) != sizeof(mx)) /* the index header's mxFrame */
			_exit(1);
		for (int i = 0; i < 4; i++)
			marks[i] = mx + 1;
		_exit(pwrite(fd, marks, sizeof(marks), 104) == sizeof(marks) ? 0 : 1); /* aReadMark[1..4] */
	}
	assert_int_equal(waitpid(helper, &status, 0), helper);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (geteuid() != 0)
		assert_int_equal(chmod(shm, 0444), 0);
	assert_int_equal(write(go[1], "x", 1), 1);
	close(go[1]);

	/* the writer's next read claims a mark the reader may then share */
	nanosleep(&pause, NULL);
	assert_int_equal(sqlite3_exec(h, "SELECT count(*) FROM pass", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	sqlite3_close(h);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_misuse(void **state)
{
	struct smart_reading r;
	struct wg_err err = { "" };
	struct store *s = open_store();
	char long_name[STORE_NAME_MAX + 1];

	(void)state;
	rb_healthy_hdd(&r, "A");
	assert_int_equal(store_pass_add(s, "sda", &r, &err), -EINVAL);
	assert_int_equal(store_pass_commit(s, &err), -EINVAL);
	assert_int_equal(store_pass_begin(s, 1000, &err), 0);
	assert_int_equal(store_pass_begin(s, 1000, &err), -EBUSY);
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(store_pass_add(s, long_name, &r, &err), -EINVAL);
	assert_int_equal(store_pass_add(s, "", &r, &err), -EINVAL);
	store_free(s); /* with the pass still open: rolled back */
	assert_int_equal(sql_int("SELECT count(*) FROM pass"), 0);
}

/* The kernel's error lines about a drive: kept with the run they were seen in, the newest found at once. */
struct kernel_seen {
	size_t n;
	struct store_kernel_error e[4];
};

static int collect_kernel(const struct store_kernel_error *e, void *userdata)
{
	struct kernel_seen *seen = userdata;

	if (seen->n < 4)
		seen->e[seen->n] = *e;
	seen->n++;
	return 0;
}

static void test_kernel_errors(void **state)
{
	static const char *const names[] = { "sda", "sdb" };
	struct store_sample *x = malloc(sizeof(*x));
	struct store_kernel_error *e = malloc(sizeof(*e));
	struct kernel_seen *seen = calloc(1, sizeof(*seen));
	struct smart_reading r[2];
	struct wg_err err = { "" };
	struct store *s = open_store();
	char long_line[STORE_KERNEL_LINE_MAX + 100];
	int64_t sda, sdb, run;

	(void)state;
	assert_non_null(x);
	assert_non_null(e);
	assert_non_null(seen);
	rb_healthy_hdd(&r[0], "A");
	rb_healthy_hdd(&r[1], "B");
	pass(s, 1000, 2, names, r);
	assert_int_equal(store_latest_by_name(s, "sda", x, &err), 0);
	sda = x->drive_id;
	assert_int_equal(store_latest_by_name(s, "sdb", x, &err), 0);
	sdb = x->drive_id;
	assert_int_equal(store_kernel_error_latest(s, sda, e, &err), -ENOENT);
	assert_int_equal(store_job_run_begin(s, "purge", "maintenance", 1100, &sda, 1, "go", &run, &err), 0);
	assert_int_equal(store_kernel_error_add(s, sda, 1101, run, "I/O error, dev sda, sector 2048 op 0x0:(READ)", &err), 0);
	assert_int_equal(store_kernel_error_add(s, sda, 1101, run, "Buffer I/O error on dev sda1, logical block 0", &err), 0);
	/* outside any run; and a line longer than any the kernel writes is cut, not refused */
	memset(long_line, 'x', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	assert_int_equal(store_kernel_error_add(s, sdb, 900, -1, long_line, &err), 0);
	store_free(s);

	/* what was committed is there for the next reader */
	s = open_store();
	assert_int_equal(store_kernel_error_latest(s, sda, e, &err), 0);
	assert_int_equal(e->drive_id, sda);
	assert_int_equal(e->t, 1101);
	assert_int_equal(e->run_id, run);
	assert_string_equal(e->line, "Buffer I/O error on dev sda1, logical block 0");
	assert_int_equal(store_kernel_error_latest(s, sdb, e, &err), 0);
	assert_int_equal(e->run_id, -1);
	assert_int_equal(strlen(e->line), STORE_KERNEL_LINE_MAX - 1);
	assert_int_equal(store_foreach_kernel_error(s, run, collect_kernel, seen, &err), 0);
	assert_int_equal(seen->n, 2);
	assert_string_equal(seen->e[0].line, "I/O error, dev sda, sector 2048 op 0x0:(READ)");
	assert_int_equal(seen->e[1].drive_id, sda);
	seen->n = 0;
	assert_int_equal(store_foreach_kernel_error(s, run + 1, collect_kernel, seen, &err), 0);
	assert_int_equal(seen->n, 0);
	/* a drive that is not there is refused by the schema, and nothing is left of the attempt */
	assert_int_equal(store_kernel_error_add(s, 999, 1200, -1, "I/O error, dev sdz, sector 0", &err), -EEXIST);
	store_free(s);
	assert_int_equal(sql_int("SELECT count(*) FROM kernel_error"), 3);
	free(seen);
	free(e);
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_creates_and_migrates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_copied_in_by_its_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reconstruct_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_to_covering_chunk_indexes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unchanged_is_not_stored_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeats_listed_by_their_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_brief_from_the_tails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_names_the_tails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeat_judged_as_before, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clock_going_backwards, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signs_and_episodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sparse_samples, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schema_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_from_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_packed_count_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drivedb_match, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_runs_and_decisions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_facts_follow_the_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_chunk_loses_nothing_else, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pass_is_atomic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_killed_writer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reader_during_writer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_sees_one_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_reader_waits_for_a_read_mark, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
