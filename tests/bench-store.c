/* bench-store.c — how many bytes a year of 10-minute samples of 24 drives takes on disk */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench-fill.h"

#define TARGET_PER_DRIVE_DAY 2048.0

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
	store_free(s); /* the last connection checkpoints the log into the file */
	if (nreal < 0) {
		fprintf(stderr, "bench-store: %s\n", err.msg);
		return 1;
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
	bench_remove_store(path);
	rmdir(dir);
	return per_day < TARGET_PER_DRIVE_DAY ? 0 : 1;
}
