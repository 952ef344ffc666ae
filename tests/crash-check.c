/* crash-check.c — what the crash tests ask of a history left behind: sound, and each pass readable whole */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "store.h"

/*
 * crash-check DB prints "integrity ok" (or SQLite's complaints, one a line), then for every
 * pass "pass ID T N", N the drives with a sample in it, each read back through the store
 * (none when the schema is not there yet: the first writer was killed before it committed).
 * Exit 0 when all of it could be read, 1 when not (the reason on stderr), 2 on misuse.
 */
int main(int argc, char **argv)
{
	struct store_sample *x = malloc(sizeof(*x));
	struct wg_err err = { "" };
	struct store *s = NULL;
	sqlite3_stmt *st = NULL, *dr = NULL;
	int64_t drives[256];
	size_t n_drives = 0;
	sqlite3 *db = NULL;
	int bad = 0, rc;

	if (argc != 2 || !x) {
		fprintf(stderr, "usage: crash-check DB\n");
		return 2;
	}
	/*
	 * Read-only: the check must not be the one to checkpoint the log. But a first open killed
	 * while it turned the new file to WAL mode leaves a rollback journal, which only a writer
	 * may roll back (any next weargate does): then open it as one.
	 */
	for (int flags = SQLITE_OPEN_READONLY;; flags = SQLITE_OPEN_READWRITE) {
		if (sqlite3_open_v2(argv[1], &db, flags, NULL) != SQLITE_OK || sqlite3_extended_result_codes(db, 1) ||
		    sqlite3_busy_timeout(db, 10000) != SQLITE_OK) {
			fprintf(stderr, "crash-check: '%s': %s\n", argv[1], sqlite3_errmsg(db));
			return 1;
		}
		rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL);
		if (rc == SQLITE_OK)
			break;
		if (rc != SQLITE_READONLY_ROLLBACK || flags != SQLITE_OPEN_READONLY) {
			fprintf(stderr, "crash-check: '%s': %s\n", argv[1], sqlite3_errmsg(db));
			return 1;
		}
		sqlite3_close(db);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		printf("integrity %s\n", (const char *)sqlite3_column_text(st, 0));
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "crash-check: integrity_check: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	sqlite3_finalize(st);
	/* killed before its first commit: a database with no schema yet, which holds nothing */
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		fprintf(stderr, "crash-check: user_version: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	if (sqlite3_column_int(st, 0) == 0) {
		sqlite3_finalize(st);
		sqlite3_close(db);
		free(x);
		return 0;
	}
	sqlite3_finalize(st);
	if (store_open_readonly(argv[1], &s, &err) < 0) {
		fprintf(stderr, "crash-check: %s\n", err.msg);
		return 1;
	}
	if (sqlite3_prepare_v2(db, "SELECT id FROM drive ORDER BY id", -1, &dr, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT id, t FROM pass ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "crash-check: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	while (sqlite3_step(dr) == SQLITE_ROW && n_drives < sizeof(drives) / sizeof(drives[0]))
		drives[n_drives++] = sqlite3_column_int64(dr, 0);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0), t = sqlite3_column_int64(st, 1);
		int n = 0;

		for (size_t i = 0; i < n_drives; i++) {
			int r = store_sample_get(s, drives[i], id, x, &err);

			if (r == 0 && x->pass_id == id && x->t == t)
				n++;
			else if (r != -ENOENT) {
				fprintf(stderr, "crash-check: pass %lld, drive %lld: %s\n", (long long)id,
					(long long)drives[i], r < 0 ? err.msg : "another sample came back");
				bad = 1;
			}
		}
		printf("pass %lld %lld %d\n", (long long)id, (long long)t, n);
	}
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "crash-check: %s\n", sqlite3_errmsg(db));
		bad = 1;
	}
	sqlite3_finalize(st);
	sqlite3_finalize(dr);
	sqlite3_close(db);
	store_free(s);
	free(x);
	return bad;
}
