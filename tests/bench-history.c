/* bench-history.c — `weargate history` over five years of 24 drives: process time of --trend and --jobs */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench-fill.h"

#define T_END INT64_C(1798761600)
#define YEARS 5
#define HISTORY_DAYS 1826 /* five years with a leap day */
#define SINCE "5y"             /* 5 × 365 days: all but the first day */
#define JOBS_PER_NIGHT 2
#define ROUNDS 20
#define TARGET_MS 50.0 /* user + system CPU time of the process, each command */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Run argv with env, output discarded; the child's user + system CPU time in seconds, or -1 when it failed. */
static double cpu_run(char *const argv[], char *const envp[])
{
	struct rusage ru;
	int status;
	pid_t pid;

	pid = bench_spawn(argv, envp);
	if (pid < 0)
		return -1;
	if (wait4(pid, &status, 0, &ru) != pid)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct pass_find {
	int64_t last; /* the newest pass at or before the window's end */
};

static int on_sample(const struct store_sample *sample, void *userdata)
{
	struct pass_find *f = userdata;

	f->last = sample->pass_id;
	return 0;
}

/* The pass of a drive's last sample at or before t (within the hour before it); -1 when none. */
static int64_t pass_at(struct store *s, int64_t drive_id, int64_t t, struct wg_err *err)
{
	struct pass_find f = { -1 };

	if (store_foreach_sample(s, drive_id, t - 3600, t, on_sample, &f, err) < 0)
		return -2;
	return f.last;
}

/*
 * Two heavy jobs a night for HISTORY_DAYS nights: a backup at 01:00 of one or two drives and a
 * maintenance job (scrub, purge) at 03:00 of one to three, taking their turn over the drives,
 * each with the sectors it read and wrote and the passes around it. Mostly successful.
 */
static int add_job_runs(struct store *s, int *ret_n, struct wg_err *err)
{
	int64_t ids[DRIVES];
	int n_runs = 0;

	if (bench_drive_ids(s, ids, err) < 0)
		return -1;
	if (store_set_durable(s, false, err) < 0)
		return -1;
	for (int night = 0; night < HISTORY_DAYS - 1; night++) {
		int64_t midnight = T_END - (int64_t)(HISTORY_DAYS - 1 - night) * 86400;

		for (int j = 0; j < JOBS_PER_NIGHT; j++) {
			int k = night * JOBS_PER_NIGHT + j;
			bool backup = j == 0;
			size_t n = backup ? 1 + (size_t)(k % 2) : 1 + (size_t)(k % 3);
			const int64_t *drv = &ids[(size_t)(k * 5) % (DRIVES - 2)];
			int64_t start = midnight + (backup ? 3600 : 3 * 3600) + (int64_t)(rnd() % 300);
			int64_t end = start + 1200 + (int64_t)(rnd() % 5400), run;
			bool ok = k % 23 != 0;

			if (store_job_run_begin(s, backup ? "backup-home" : "scrub-all", backup ? "backup" : "maintenance",
						start, drv, n, "go", &run, err) < 0)
				return -1;
			for (size_t d = 0; d < n; d++) {
				int64_t before = pass_at(s, drv[d], start, err), after = pass_at(s, drv[d], end + 600, err);
				int64_t rd = (int64_t)(rnd() % (400u << 20)), wr = backup ? 0 : (int64_t)(rnd() % (8u << 20));

				if (before < -1 || after < -1 ||
				    store_job_run_drive_set(s, run, drv[d], rd, wr, before, after, err) < 0)
					return -1;
			}
			if (store_job_run_end(s, run, end, ok ? "success" : "failed", ok ? 0 : 1, ok ? NULL : "exit status 1",
					      ok ? NULL : "rsync: connection unexpectedly closed", err) < 0)
				return -1;
			n_runs++;
		}
	}
	if (store_set_durable(s, true, err) < 0)
		return -1;
	*ret_n = n_runs;
	return 0;
}

int main(void)
{
	static double trend_t[ROUNDS], jobs_t[ROUNDS];
	const char *weargate = getenv("WEARGATE"), *tmp = getenv("TMPDIR");
	struct wg_err err = { "" };
	struct store *s = NULL;
	char dir[256], db[300], conf[300], now_env[64];
	struct timespec t0, t1;
	double tr, jb, fill_secs;
	int n_runs = 0, nreal;

	if (!weargate) {
		fprintf(stderr, "bench-history: WEARGATE must name the built weargate\n");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/wg-bench-history-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(db, sizeof(db), "%s/history.db", dir);
	snprintf(conf, sizeof(conf), "%s/weargate.conf", dir);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (store_open(db, &s, &err) < 0 || (nreal = bench_fill_days(s, T_END, HISTORY_DAYS, &err)) < 0 ||
	    add_job_runs(s, &n_runs, &err) < 0) {
		fprintf(stderr, "bench-history: %s\n", err.msg);
		return 1;
	}
	store_free(s);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fill_secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (bench_write_config(conf) < 0) {
		perror("bench-history: config");
		return 1;
	}
	/* now is the last pass: --since 5y reaches back over (nearly) the whole history */
	snprintf(now_env, sizeof(now_env), "WEARGATE_NOW=%lld", (long long)T_END);
	{
		char *const env[] = { now_env, NULL };
		char *const trend[] = { (char *)weargate, "-c", conf, "history", "sda", "--attr", "5,197",
					"--since", SINCE, "--trend", NULL };
		char *const jobs[] = { (char *)weargate, "-c", conf, "history", "--jobs", "--since", SINCE, NULL };

		for (int i = 0; i < ROUNDS; i++) {
			trend_t[i] = cpu_run(trend, env);
			jobs_t[i] = cpu_run(jobs, env);
			if (trend_t[i] < 0 || jobs_t[i] < 0) {
				fprintf(stderr, "bench-history: a run failed (try: WEARGATE_NOW=%lld %s -c %s history %s)\n",
					(long long)T_END, weargate, conf,
					trend_t[i] < 0 ? "sda --attr 5,197 --since " SINCE " --trend" : "--jobs --since " SINCE);
				return 1;
			}
		}
	}
	tr = median(trend_t, ROUNDS);
	jb = median(jobs_t, ROUNDS);
	printf("history-speed: %d drives (from %d real readings) x %d days (%d years) of %d-second samples, "
	       "%d job runs, filled in %.0f s\n",
	       DRIVES, nreal, HISTORY_DAYS, YEARS, STEP, n_runs, fill_secs);
	printf("history-speed: median user+system CPU of %d runs: "
	       "history sda --attr 5,197 --since %s --trend %.1f ms, history --jobs --since %s %.1f ms "
	       "(target <= %.0f ms each)\n",
	       ROUNDS, SINCE, tr * 1e3, SINCE, jb * 1e3, TARGET_MS);
	if (getenv("WEARGATE_BENCH_KEEP")) {
		printf("history-speed: kept in %s (WEARGATE_NOW=%lld)\n", dir, (long long)T_END);
	} else {
		bench_remove_store(db);
		unlink(conf);
		rmdir(dir);
	}
	return tr * 1e3 <= TARGET_MS && jb * 1e3 <= TARGET_MS ? 0 : 1;
}
