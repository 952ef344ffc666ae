/* test-powerloss.c — the history after a power loss at any point: what a commit returned for is there whole */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "assert-reading.h"
#include "reading-builder.h"
#include "store.h"
#include "tmpdir.h"

/*
 * A VFS over SQLite's own "unix" one records every write, truncation, sync and deletion of the
 * database, its log and its journal, in order, between marks the workload sets when a store call
 * returns. A power loss after operation c is then rebuilt file by file: what the file held at its
 * last sync before c, plus none, all, or a random part of the writes since (one of them torn,
 * 512-byte sectors of it lost). The shared-memory index is lost with the power, as on a machine.
 */

#define SECTOR 512
#define PASSES 90
#define N_DRIVES 3
#define REOPEN_EVERY 25

enum op_kind { OP_WRITE, OP_TRUNCATE, OP_SYNC, OP_DELETE, OP_BEGIN, OP_COMMITTED, OP_RUN_ENDED, OP_DECIDED };

struct op {
	enum op_kind kind;
	int file;      /* index in files[], or -1 for a mark */
	int64_t off;   /* write: where; truncate: the size */
	int amt;
	uint8_t *data;
	int64_t value; /* a mark's pass time or run id */
};

static struct op *ops;
static size_t n_ops, cap_ops;
static char files[8][512]; /* the paths recorded */
static int n_files;
static sqlite3_vfs *unix_vfs;

static void op_push(struct op o)
{
	if (n_ops == cap_ops) {
		cap_ops = cap_ops ? 2 * cap_ops : 4096;
		ops = realloc(ops, cap_ops * sizeof(*ops));
		assert_non_null(ops);
	}
	ops[n_ops++] = o;
}

static void mark(enum op_kind kind, int64_t value)
{
	op_push((struct op){ .kind = kind, .file = -1, .value = value });
}

static int file_index(const char *path)
{
	for (int i = 0; i < n_files; i++)
		if (strcmp(files[i], path) == 0)
			return i;
	assert_true(n_files < (int)WG_ELEMENTSOF(files));
	snprintf(files[n_files], sizeof(files[0]), "%s", path);
	return n_files++;
}

struct rec_file {
	sqlite3_file base;
	int index; /* -1: not recorded (a temporary file) */
	sqlite3_file *real;
};

#define REAL(f) (((struct rec_file *)(f))->real)
#define INDEX(f) (((struct rec_file *)(f))->index)

static int rec_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int rec_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), buf, amt, off);
}

static int rec_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
	int rc = REAL(f)->pMethods->xWrite(REAL(f), buf, amt, off);

	if (rc == SQLITE_OK && INDEX(f) >= 0) {
		uint8_t *copy = malloc((size_t)amt);

		assert_non_null(copy);
		memcpy(copy, buf, (size_t)amt);
		op_push((struct op){ .kind = OP_WRITE, .file = INDEX(f), .off = off, .amt = amt, .data = copy });
	}
	return rc;
}

static int rec_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	int rc = REAL(f)->pMethods->xTruncate(REAL(f), size);

	if (rc == SQLITE_OK && INDEX(f) >= 0)
		op_push((struct op){ .kind = OP_TRUNCATE, .file = INDEX(f), .off = size });
	return rc;
}

static int rec_sync(sqlite3_file *f, int flags)
{
	int rc = REAL(f)->pMethods->xSync(REAL(f), flags);

	if (rc == SQLITE_OK && INDEX(f) >= 0)
		op_push((struct op){ .kind = OP_SYNC, .file = INDEX(f) });
	return rc;
}

static int rec_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int rec_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}

static int rec_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}

static int rec_check_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int rec_file_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int rec_sector_size(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int rec_device_characteristics(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int rec_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, pp);
}

static int rec_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void rec_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int rec_shm_unmap(sqlite3_file *f, int delete_flag)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), delete_flag);
}

/* No memory-mapped reads: every page SQLite sees comes through rec_read. */
static int rec_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **pp)
{
	(void)f, (void)off, (void)amt;
	*pp = NULL;
	return SQLITE_OK;
}

static int rec_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	(void)f, (void)off, (void)p;
	return SQLITE_OK;
}

static const sqlite3_io_methods rec_methods = {
	.iVersion = 3,
	.xClose = rec_close,
	.xRead = rec_read,
	.xWrite = rec_write,
	.xTruncate = rec_truncate,
	.xSync = rec_sync,
	.xFileSize = rec_file_size,
	.xLock = rec_lock,
	.xUnlock = rec_unlock,
	.xCheckReservedLock = rec_check_reserved,
	.xFileControl = rec_file_control,
	.xSectorSize = rec_sector_size,
	.xDeviceCharacteristics = rec_device_characteristics,
	.xShmMap = rec_shm_map,
	.xShmLock = rec_shm_lock,
	.xShmBarrier = rec_shm_barrier,
	.xShmUnmap = rec_shm_unmap,
	.xFetch = rec_fetch,
	.xUnfetch = rec_unfetch,
};

static int rec_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
	struct rec_file *rf = (struct rec_file *)f;
	int rc;

	(void)vfs;
	rf->real = (sqlite3_file *)(rf + 1);
	rf->index = name && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL))
			    ? file_index(name)
			    : -1;
	rc = unix_vfs->xOpen(unix_vfs, name, rf->real, flags, out_flags);
	/* on failure SQLite calls no method of ours, but of the real file's only when it set them */
	rf->base.pMethods = rf->real->pMethods ? &rec_methods : NULL;
	return rc;
}

static int rec_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	int rc = unix_vfs->xDelete(unix_vfs, name, sync_dir);

	(void)vfs;
	/* a deletion counts as done at once: SQLite syncs the directory where the order matters */
	if (rc == SQLITE_OK)
		op_push((struct op){ .kind = OP_DELETE, .file = file_index(name) });
	return rc;
}

static int rec_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return unix_vfs->xAccess(unix_vfs, name, flags, out);
}

static int rec_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return unix_vfs->xFullPathname(unix_vfs, name, n, out);
}

static int rec_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return unix_vfs->xRandomness(unix_vfs, n, out);
}

static int rec_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return unix_vfs->xSleep(unix_vfs, us);
}

static int rec_current_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return unix_vfs->xCurrentTime(unix_vfs, out);
}

static int rec_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return unix_vfs->xGetLastError(unix_vfs, n, out);
}

static int rec_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return unix_vfs->xCurrentTimeInt64(unix_vfs, out);
}

static sqlite3_vfs rec_vfs = {
	.iVersion = 2,
	.zName = "powerloss-recorder",
	.xOpen = rec_open,
	.xDelete = rec_delete,
	.xAccess = rec_access,
	.xFullPathname = rec_full_pathname,
	.xRandomness = rec_randomness,
	.xSleep = rec_sleep,
	.xCurrentTime = rec_current_time,
	.xGetLastError = rec_last_error,
	.xCurrentTimeInt64 = rec_current_time_int64,
};

/* --- the workload --- */

static char dir[64], db_path[128], check_dir[64];
static struct smart_reading readings[PASSES][N_DRIVES];
static const char *const names[N_DRIVES] = { "sda", "sdb", "sdc" };
static const char *const serials[N_DRIVES] = { "A", "B", "C" };
static int64_t pass_time(int p)
{
	return 1000000 + (int64_t)p * 600;
}

static struct store *open_store(const char *path)
{
	struct wg_err err = { "" };
	struct store *s = NULL;

	if (store_open(path, &s, &err) < 0)
		fail_msg("store_open '%s': %s", path, err.msg);
	return s;
}

/*
 * Passes of three drives whose counters climb now and then (and which read as before in about
 * half of them), a decision now and then (committed
 * without a sync of its own), job runs begun and ended, and the store closed and opened again
 * every so often (the log checkpointed into the file and started over).
 */
static void workload(void)
{
	struct wg_err err = { "" };
	struct store *s = open_store(db_path);
	int64_t run = -1, ids[N_DRIVES];

	for (int p = 0; p < PASSES; p++) {
		for (int i = 0; i < N_DRIVES; i++) {
			struct smart_reading *r = &readings[p][i];

			rb_healthy_hdd(r, serials[i]);
			/* each drive reads as before in about half the passes: listed by the pass, not written */
			rb_attr(r, 194, 0x0022, 110, 95, 0, (uint64_t)(30 + ((p / 4) * 7 + i) % 11));
			rb_attr(r, 197, 0x0032, 200, 200, 0, (uint64_t)(i == 1 ? p / 10 : 0));
			rb_attr(r, 9, 0x0032, 85, 85, 0, (uint64_t)(11000 + (p + i) / 3));
		}
		mark(OP_BEGIN, pass_time(p));
		assert_int_equal(store_pass_begin(s, pass_time(p), &err), 0);
		for (int i = 0; i < N_DRIVES; i++)
			assert_int_equal(store_pass_add(s, names[i], &readings[p][i], &err), 0);
		if (store_pass_commit(s, &err) < 0)
			fail_msg("commit: %s", err.msg);
		mark(OP_COMMITTED, pass_time(p));
		if (p == 0)
			for (int i = 0; i < N_DRIVES; i++)
				ids[i] = i + 1; /* the drives were created in this order */
		if (p % 7 == 3) {
			assert_int_equal(store_decision_add(s, pass_time(p), "backup", "go", "sda ok", "sda=ok", &err), 0);
			mark(OP_DECIDED, p);
		}
		if (p % 10 == 4)
			assert_int_equal(store_job_run_begin(s, "backup", "backup", pass_time(p), ids, N_DRIVES, "go", &run,
							     &err),
					 0);
		if (p % 10 == 6) {
			assert_int_equal(store_job_run_end(s, run, pass_time(p), "success", 0, NULL, "done", &err), 0);
			mark(OP_RUN_ENDED, run);
		}
		if (p % REOPEN_EVERY == REOPEN_EVERY - 1) {
			store_free(s);
			s = open_store(db_path);
		}
	}
	store_free(s);
}

/* --- rebuilding the files after a power loss --- */

struct image {
	uint8_t *data;
	size_t len;
	bool exists;
};

static void image_apply(struct image *im, const struct op *o, const uint8_t *sector_mask)
{
	switch (o->kind) {
	case OP_WRITE: {
		size_t end = (size_t)o->off + (size_t)o->amt;

		if (end > im->len) {
			im->data = realloc(im->data, end);
			assert_non_null(im->data);
			memset(im->data + im->len, 0, end - im->len);
			im->len = end;
		}
		for (int k = 0; k < o->amt; k += SECTOR) {
			int n = o->amt - k < SECTOR ? o->amt - k : SECTOR;

			if (!sector_mask || sector_mask[k / SECTOR])
				memcpy(im->data + o->off + k, o->data + k, (size_t)n);
		}
		im->exists = true;
		break;
	}
	case OP_TRUNCATE:
		if ((size_t)o->off < im->len)
			im->len = (size_t)o->off;
		im->exists = true;
		break;
	case OP_DELETE:
		im->len = 0;
		im->exists = false;
		break;
	default:
		break;
	}
}

enum loss { LOSE_UNSYNCED, KEEP_UNSYNCED, SOME_UNSYNCED };

/* Write the files as they would be found after a power loss right after op `cut` (exclusive). */
static void rebuild(size_t cut, enum loss how, unsigned seed)
{
	char path[640];

	srand(seed);
	for (int f = 0; f < n_files; f++) {
		struct image im = { 0 };
		size_t last_sync = 0;
		bool synced = false;
		const char *base = strrchr(files[f], '/');
		int fd;

		for (size_t i = 0; i < cut; i++)
			if (ops[i].file == f && ops[i].kind == OP_SYNC)
				last_sync = i, synced = true;
		for (size_t i = 0; synced && i < last_sync; i++)
			if (ops[i].file == f)
				image_apply(&im, &ops[i], NULL);
		for (size_t i = synced ? last_sync + 1 : 0; i < cut; i++) {
			uint8_t mask[64];
			bool torn;

			if (ops[i].file != f)
				continue;
			/* a deletion is on disk at once: SQLite syncs the directory where that matters */
			if (how == LOSE_UNSYNCED && ops[i].kind != OP_DELETE)
				continue;
			if (how == SOME_UNSYNCED && ops[i].kind != OP_DELETE && rand() % 2)
				continue;
			torn = how == SOME_UNSYNCED && ops[i].kind == OP_WRITE && ops[i].amt > SECTOR && rand() % 4 == 0;
			for (size_t k = 0; k < sizeof(mask); k++)
				mask[k] = (uint8_t)(rand() % 2);
			image_apply(&im, &ops[i], torn && ops[i].amt <= (int)(sizeof(mask) * SECTOR) ? mask : NULL);
		}
		if (!im.exists) {
			free(im.data);
			continue;
		}
		snprintf(path, sizeof(path), "%s%s", check_dir, base);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, im.data ? (const void *)im.data : "", im.len), (ssize_t)im.len);
		close(fd);
		free(im.data);
	}
}

static int64_t sql_int(sqlite3 *db, const char *sql, int64_t arg)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, arg);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Open what a power loss after op `cut` left, the way weargate would, and check it. */
static void check_after(size_t cut, enum loss how)
{
	char path[640];
	struct store_sample *x = malloc(sizeof(*x));
	struct wg_err err = { "" };
	struct store *s;
	sqlite3 *db;
	int64_t decided = 0, decided_before_durable = 0;
	int n_passes;

	assert_non_null(x);
	for (int f = 0; f < n_files; f++) {
		snprintf(path, sizeof(path), "%s%s", check_dir, strrchr(files[f], '/'));
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/history.db-shm", check_dir);
	unlink(path); /* the index in shared memory does not outlive the power */
	rebuild(cut, how, (unsigned)cut * 3 + (unsigned)how);
	snprintf(path, sizeof(path), "%s/history.db", check_dir);

	s = open_store(path);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sql_int(db, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'", 0) != 1)
		fail_msg("cut %zu (%d): integrity_check is not ok", cut, how);

	/* every pass there is one that was begun, and whole: each drive's reading, to the byte */
	n_passes = (int)sql_int(db, "SELECT count(*) FROM pass", 0);
	for (int p = 0; p < PASSES; p++) {
		int64_t id = sql_int(db, "SELECT id FROM pass WHERE t = ?", pass_time(p));
		bool begun = false, committed = false;

		for (size_t i = 0; i < cut; i++) {
			begun |= ops[i].kind == OP_BEGIN && ops[i].value == pass_time(p);
			committed |= ops[i].kind == OP_COMMITTED && ops[i].value == pass_time(p);
		}
		if (committed && id < 0)
			fail_msg("cut %zu (%d): pass %d was committed and is lost", cut, how, p);
		if (id < 0)
			continue;
		if (!begun)
			fail_msg("cut %zu (%d): pass %d is there before it was begun", cut, how, p);
		n_passes--;
		for (int i = 0; i < N_DRIVES; i++) {
			/* the drives were created in the first pass, in this order */
			if (store_sample_get(s, i + 1, id, x, &err) < 0)
				fail_msg("cut %zu (%d): pass %d, drive %s: %s", cut, how, p, names[i], err.msg);
			assert_string_equal(x->reading.identity.serial, serials[i]);
			assert_reading_equal(&x->reading, &readings[p][i]);
		}
	}
	assert_int_equal(n_passes, 0);

	/* a job run whose end returned is ended; a decision is kept once a durable commit followed it */
	for (size_t i = 0; i < cut; i++) {
		if (ops[i].kind == OP_RUN_ENDED &&
		    sql_int(db, "SELECT count(*) FROM job_run WHERE id = ? AND outcome = 'success'", ops[i].value) != 1)
			fail_msg("cut %zu (%d): job run %lld ended and is not recorded so", cut, how, (long long)ops[i].value);
		decided += ops[i].kind == OP_DECIDED;
		if (ops[i].kind == OP_COMMITTED)
			decided_before_durable = decided;
	}
	if (sql_int(db, "SELECT count(*) FROM decision", 0) < decided_before_durable)
		fail_msg("cut %zu (%d): a decision made before the last durable commit is lost", cut, how);
	sqlite3_close(db);
	store_free(s);
	free(x);
}

static void test_power_loss_anywhere(void **state)
{
	size_t step, cuts = 0;
	const char *e = getenv("WEARGATE_POWERLOSS_STEP");

	(void)state;
	unix_vfs = sqlite3_vfs_find("unix");
	assert_non_null(unix_vfs);
	rec_vfs.szOsFile = (int)sizeof(struct rec_file) + unix_vfs->szOsFile;
	rec_vfs.mxPathname = unix_vfs->mxPathname;
	assert_int_equal(sqlite3_vfs_register(&rec_vfs, 1), SQLITE_OK);
	workload();
	/* from here on the store and the checks go through the real VFS again */
	assert_int_equal(sqlite3_vfs_register(unix_vfs, 1), SQLITE_OK);
	assert_int_equal(sqlite3_vfs_unregister(&rec_vfs), SQLITE_OK);

	step = e && atoi(e) > 0 ? (size_t)atoi(e) : 1;
	for (size_t cut = 0; cut <= n_ops; cut += step) {
		check_after(cut, LOSE_UNSYNCED);
		check_after(cut, SOME_UNSYNCED);
		check_after(cut, KEEP_UNSYNCED);
		cuts++;
	}
	print_message("%zu operations recorded, %zu cut points, 3 ways each\n", n_ops, cuts);
	for (int f = 0; f < n_files; f++) {
		size_t writes = 0, syncs = 0;

		for (size_t i = 0; i < n_ops; i++) {
			writes += ops[i].file == f && ops[i].kind == OP_WRITE;
			syncs += ops[i].file == f && ops[i].kind == OP_SYNC;
		}
		print_message("  %s: %zu writes, %zu syncs\n", strrchr(files[f], '/') + 1, writes, syncs);
	}
	for (size_t i = 0; i < n_ops; i++)
		free(ops[i].data);
	free(ops);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/wg-test-powerloss-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(db_path, sizeof(db_path), "%s/history.db", dir);
	/* the checks sync what they open: on tmpfs, where that costs nothing, when there is one */
	snprintf(check_dir, sizeof(check_dir), "%s/wg-test-powerloss-XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	return mkdtemp(check_dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return tmpdir_remove(dir) == 0 && tmpdir_remove(check_dir) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_power_loss_anywhere, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
