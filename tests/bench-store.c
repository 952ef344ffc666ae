/* bench-store.c — how many bytes a year of 10-minute samples of 24 drives takes on disk */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bench-fill.h"

#define TARGET_PER_DRIVE_DAY 1024.0

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	struct wg_err err = { "" };
	struct store *s = NULL;
	char dir[256], path[300];
	struct timespec t0, t1;
	struct stat st;
	double per_day, secs;
	int nreal;

	snprintf(dir, sizeof(dir), "%s/wg-bench-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/history.db", dir);
	if (store_open(path, &s, &err) < 0) {
		fprintf(stderr, "bench-store: %s\n", err.msg);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	nreal = bench_fill(s, 1798761600, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	store_free(s);
	if (nreal < 0) {
		fprintf(stderr, "bench-store: %s\n", err.msg);
		return 1;
	}
	/* what the log still holds counts too: copied into the file, and the log cut to nothing */
	{
		sqlite3 *db = NULL;

		if (sqlite3_open(path, &db) != SQLITE_OK ||
		    sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK) {
			fprintf(stderr, "bench-store: %s\n", sqlite3_errmsg(db));
			return 1;
		}
		sqlite3_close(db);
	}
	if (stat(path, &st) < 0) {
		perror("stat");
		return 1;
	}
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	per_day = (double)st.st_size / (DRIVES * DAYS);
	printf("store-size: %u drives (from %d real readings) x %d days of %d-second samples\n", DRIVES, nreal, DAYS,
	       STEP);
	printf("store-size: file %lld bytes, %.0f bytes per drive-day (target < %.0f), filled in %.1f s\n",
	       (long long)st.st_size, per_day, TARGET_PER_DRIVE_DAY, secs);
	if (getenv("WEARGATE_BENCH_KEEP")) {
		printf("store-size: kept in %s\n", dir);
	} else {
		bench_remove_store(path);
		rmdir(dir);
	}
	return per_day < TARGET_PER_DRIVE_DAY ? 0 : 1;
}
