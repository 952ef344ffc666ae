/* bench-gate.c — the whole `weargate gate` process on one and five years of history, against `weargate --version` */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench-fill.h"

#define T_END INT64_C(1798761600)
#define JOB_RUNS 500
#define ROUNDS 200 /* WEARGATE_BENCH_KEEP set: the history is left for a closer look */
#define TARGET_RATIO 2.0
#define RESAMPLES 1000

/* Run argv with env, output discarded; its wall time in seconds, or -1 when it did not exit with an expected code. */
static double timed_run(char *const argv[], char *const envp[])
{
	struct timespec t0, t1;
	int status;
	pid_t pid;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = bench_spawn(argv, envp);
	if (pid < 0)
		return -1;
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* go, defer or refuse are all answers; anything else is an error */
	if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 1 && WEXITSTATUS(status) != 75))
		return -1;
	return (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* 500 heavy jobs a year, each on one to three drives, backups and maintenance, mostly successful. */
static int add_job_runs(struct store *s, int days, struct wg_err *err)
{
	int runs = JOB_RUNS * days / DAYS;
	int64_t ids[DRIVES];

	if (bench_drive_ids(s, ids, err) < 0)
		return -1;
	for (int k = 0; k < runs; k++) {
		int64_t start = T_END - (int64_t)days * 86400 + (int64_t)k * ((int64_t)days * 86400 / runs), run;
		bool backup = k % 3 == 0;
		size_t n = 1 + (size_t)(k % 3);

		if (store_job_run_begin(s, backup ? "backup" : "purge", backup ? "backup" : "maintenance", start,
					&ids[(size_t)k % (DRIVES - 2)], n, "go", &run, err) < 0 ||
		    store_job_run_end(s, run, start + 3600, k % 17 ? "success" : "failed", k % 17 ? 0 : 1, NULL, NULL, err) < 0)
			return -1;
	}
	return 0;
}

/* A history of `days` with its job runs and a config, in a directory of its own. */
static int make_history(const char *dir, int days, struct wg_err *err)
{
	char db[300], conf[300];
	struct store *s = NULL;
	int r;

	snprintf(db, sizeof(db), "%s/history.db", dir);
	snprintf(conf, sizeof(conf), "%s/weargate.conf", dir);
	r = store_open(db, &s, err) < 0 || bench_fill_days(s, T_END, days, err) < 0 || add_job_runs(s, days, err) < 0
		    ? -1
		    : 0;
	store_free(s);
	if (r == 0 && bench_write_config(conf) < 0)
		r = wg_err_set(err, -1, "cannot write %s", conf);
	return r;
}

struct ratios {
	double version, two, all;
	double two_lo, two_hi, all_lo, all_hi; /* the ratios' 95 % intervals (ratio_interval) */
};

/*
 * How far the ratio of the medians of g and v moves with the machine's noise: its 2.5th and
 * 97.5th percentiles over RESAMPLES resamples of the rounds, each round's runs kept together as
 * they ran (a bootstrap). The target is judged on the ratio itself; this says how sure it is.
 */
static void ratio_interval(const double *v, const double *g, double *lo, double *hi)
{
	static double rv[ROUNDS], rg[ROUNDS], ratio[RESAMPLES];

	for (int k = 0; k < RESAMPLES; k++) {
		for (int i = 0; i < ROUNDS; i++) {
			size_t j = rnd() % ROUNDS; /* bench-fill.h's stream: fixed, repeatable */

			rv[i] = v[j];
			rg[i] = g[j];
		}
		ratio[k] = median(rg, ROUNDS) / median(rv, ROUNDS);
	}
	qsort(ratio, RESAMPLES, sizeof(*ratio), cmp_double);
	*lo = ratio[RESAMPLES * 25 / 1000];
	*hi = ratio[RESAMPLES * 975 / 1000 - 1];
}

/* The medians of ROUNDS runs of --version and of the gate for 2 and for 24 drives, at now. */
static int measure(const char *weargate, const char *dir, int64_t now, struct ratios *ret)
{
	static double version_t[ROUNDS], gate_t[ROUNDS], all_t[ROUNDS];
	char conf[300], now_env[64];

	snprintf(conf, sizeof(conf), "%s/weargate.conf", dir);
	snprintf(now_env, sizeof(now_env), "WEARGATE_NOW=%lld", (long long)now);
	{
		char *const env[] = { now_env, NULL };
		char *const version[] = { (char *)weargate, "--version", NULL };
		char *const gate[] = { (char *)weargate, "-c", conf, "gate", "backup-home", NULL };
		char *const all[] = { (char *)weargate, "-c", conf, "gate", "scrub-all", NULL };

		for (int i = 0; i < ROUNDS; i++) {
			version_t[i] = timed_run(version, env);
			gate_t[i] = timed_run(gate, env);
			all_t[i] = timed_run(all, env);
			if (version_t[i] < 0 || gate_t[i] < 0 || all_t[i] < 0) {
				fprintf(stderr, "bench-gate: a run failed (try: WEARGATE_NOW=%lld %s -c %s gate scrub-all)\n",
					(long long)now, weargate, conf);
				return -1;
			}
		}
	}
	/* the intervals first, from the rounds as they ran: median() sorts in place, parting each round's runs */
	ratio_interval(version_t, gate_t, &ret->two_lo, &ret->two_hi);
	ratio_interval(version_t, all_t, &ret->all_lo, &ret->all_hi);
	ret->version = median(version_t, ROUNDS);
	ret->two = median(gate_t, ROUNDS);
	ret->all = median(all_t, ROUNDS);
	return 0;
}

int main(void)
{
	static const int years[] = { 1, 5 };
	const char *weargate = getenv("WEARGATE"), *tmp = getenv("TMPDIR");
	struct wg_err err = { "" };
	bool ok = true;

	if (!weargate) {
		fprintf(stderr, "bench-gate: WEARGATE must name the built weargate\n");
		return 1;
	}
	for (size_t y = 0; y < WG_ELEMENTSOF(years); y++) {
		int days = years[y] == 1 ? DAYS : 1826;
		struct ratios m;
		char dir[256];

		snprintf(dir, sizeof(dir), "%s/wg-bench-gate-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir)) {
			perror("mkdtemp");
			return 1;
		}
		if (make_history(dir, days, &err) < 0) {
			fprintf(stderr, "bench-gate: %s\n", err.msg);
			return 1;
		}
		/*
		 * The history was just written, megabytes that the kernel would write back to the
		 * disk during the first runs timed, on the same two cores: written back first.
		 */
		sync();
		/*
		 * Seven minutes and 17 seconds after the last pass, which is at T_END: the sample is
		 * fresh (the gate reads no drive), and now is no sample's time, nor a window's edge.
		 */
		if (measure(weargate, dir, T_END + 437, &m) < 0)
			return 1;
		printf("gate-speed: %d years: %d drives (6 degrading or failing throughout) x %d days of %d-second "
		       "samples, %d job runs; median of %d runs at a now between samples: --version %.2f ms, "
		       "gate (2 drives) %.2f ms = %.2fx (95%% interval %.2f-%.2fx), gate (24 drives) %.2f ms = %.2fx "
		       "(%.2f-%.2fx); target <= %.1fx\n",
		       years[y], DRIVES, days, STEP, JOB_RUNS * days / DAYS, ROUNDS, m.version * 1e3, m.two * 1e3,
		       m.two / m.version, m.two_lo, m.two_hi, m.all * 1e3, m.all / m.version, m.all_lo, m.all_hi,
		       TARGET_RATIO);
		ok &= m.two / m.version <= TARGET_RATIO && m.all / m.version <= TARGET_RATIO;
		if (getenv("WEARGATE_BENCH_KEEP")) {
			printf("gate-speed: kept in %s\n", dir);
		} else {
			char path[300];

			snprintf(path, sizeof(path), "%s/history.db", dir);
			bench_remove_store(path);
			snprintf(path, sizeof(path), "%s/weargate.conf", dir);
			unlink(path);
			rmdir(dir);
		}
	}
	return ok ? 0 : 1;
}
