/* bench-prune.c — `weargate prune` of five years of 24 drives and 3,650 job runs: how long, how long it holds the write lock, and the file after */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bench-fill.h"

#define T_END INT64_C(1798761600)
#define YEARS_DAYS 1826
#define JOB_RUNS 3650
#define KEEP_FULL_DAYS 90
#define TARGET_SECONDS 30.0
#define TARGET_LOCK_SECONDS 1.0
#define TARGET_RATIO 1.2

static double since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Two a day on one to three drives, each pointing at the samples before and after it (as the runner records them). */
static int add_job_runs(struct store *s, int64_t passes, struct wg_err *err)
{
	int64_t ids[DRIVES];

	if (bench_drive_ids(s, ids, err) < 0)
		return -1;
	for (int k = 0; k < JOB_RUNS; k++) {
		int64_t pass = 1 + (int64_t)k * (passes - 12) / JOB_RUNS, run;
		int64_t start = T_END - (passes - pass) * STEP;
		bool backup = k % 3 == 0;
		size_t n = 1 + (size_t)(k % 3);
		const int64_t *d = &ids[(size_t)k % (DRIVES - 2)];

		if (store_job_run_begin(s, backup ? "backup" : "purge", backup ? "backup" : "maintenance", start, d, n,
					"go", &run, err) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			if (store_job_run_drive_set(s, run, d[i], 1000, 10, pass, pass + 6, err) < 0)
				return -1;
		if (store_job_run_end(s, run, start + 3600, "success", 0, NULL, NULL, err) < 0)
			return -1;
	}
	return 0;
}

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

int main(void)
{
	const char *weargate = getenv("WEARGATE"), *tmp = getenv("TMPDIR");
	char dir[256], db[300], conf[300], fresh[300], now_env[64], sql[400];
	struct wg_err err = { "" };
	struct store *s = NULL;
	struct timespec t0;
	double total, longest = 0, fill_s;
	long long before, after, compact;
	int status, probes = 0;
	sqlite3 *probe = NULL;
	pid_t pid;
	bool ok;

	if (!weargate) {
		fprintf(stderr, "bench-prune: WEARGATE must name the built weargate\n");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/wg-bench-prune-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(db, sizeof(db), "%s/history.db", dir);
	snprintf(conf, sizeof(conf), "%s/weargate.conf", dir);
	snprintf(fresh, sizeof(fresh), "%s/fresh.db", dir);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (store_open(db, &s, &err) < 0 || bench_fill_days(s, T_END, YEARS_DAYS, &err) < 0 ||
	    add_job_runs(s, (int64_t)YEARS_DAYS * 86400 / STEP, &err) < 0) {
		fprintf(stderr, "bench-prune: %s\n", err.msg);
		return 1;
	}
	store_free(s);
	fill_s = since(&t0);
	if (bench_write_config(conf) < 0) {
		fprintf(stderr, "bench-prune: cannot write %s\n", conf);
		return 1;
	}
	/* what a history that was never pruned holds in its file, its log copied in */
	if (sqlite3_open(db, &probe) != SQLITE_OK ||
	    sqlite3_exec(probe, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench-prune: %s\n", sqlite3_errmsg(probe));
		return 1;
	}
	before = file_size(db);
	sqlite3_busy_timeout(probe, 120000);

	snprintf(now_env, sizeof(now_env), "WEARGATE_NOW=%lld", (long long)T_END + 600);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	{
		char older[32];
		char *const argv[] = { (char *)weargate, "-q", "-c", conf, "prune", "--older-than", older, NULL };
		char *const envp[] = { now_env, NULL };

		snprintf(older, sizeof(older), "%dd", KEEP_FULL_DAYS);
		pid = bench_spawn(argv, envp);
	}
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	/* a writer of our own asks for the write lock every 5 ms meanwhile: the longest it waits is the longest prune held it */
	for (;;) {
		struct timespec w;
		double waited;
		int rc;

		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		clock_gettime(CLOCK_MONOTONIC, &w);
		rc = sqlite3_exec(probe, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		waited = since(&w);
		if (rc == SQLITE_OK)
			sqlite3_exec(probe, "ROLLBACK", NULL, NULL, NULL);
		probes++;
		if (waited > longest)
			longest = waited;
		usleep(5000);
	}
	total = since(&t0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench-prune: prune failed (try: %s %s -c %s prune --older-than %dd)\n", now_env, weargate,
			conf, KEEP_FULL_DAYS);
		return 1;
	}
	sqlite3_exec(probe, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	after = file_size(db);
	/* the same kept data in a store made fresh: every page full, nothing free */
	snprintf(sql, sizeof(sql), "VACUUM INTO '%s'", fresh);
	if (sqlite3_exec(probe, sql, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench-prune: %s\n", sqlite3_errmsg(probe));
		return 1;
	}
	compact = file_size(fresh);
	sqlite3_close(probe);
	printf("prune-speed: %d drives x %d days of %d-second samples and %d job runs (made in %.0f s), pruned to "
	       "one a day past %d days\n",
	       DRIVES, YEARS_DAYS, STEP, JOB_RUNS, fill_s, KEEP_FULL_DAYS);
	printf("prune-speed: %.1f s in all (target <= %.0f s); the write lock held at most %.3f s at a time, as a "
	       "writer asking every 5 ms waited for it (%d asks; target <= %.1f s)\n",
	       total, TARGET_SECONDS, longest, probes, TARGET_LOCK_SECONDS);
	printf("prune-speed: file %lld bytes before, %lld after; the same data in a fresh store %lld = %.2fx "
	       "(target <= %.1fx)\n",
	       before, after, compact, (double)after / (double)compact, TARGET_RATIO);
	ok = total <= TARGET_SECONDS && longest <= TARGET_LOCK_SECONDS && (double)after <= TARGET_RATIO * (double)compact;
	if (getenv("WEARGATE_BENCH_KEEP")) {
		printf("prune-speed: kept in %s\n", dir);
	} else {
		bench_remove_store(db);
		unlink(fresh);
		unlink(conf);
		rmdir(dir);
	}
	return ok ? 0 : 1;
}
