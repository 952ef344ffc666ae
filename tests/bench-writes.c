/* bench-writes.c — what `sample` and `gate` write to the history and how often they sync, from their system calls */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-fill.h"

#define BW_DRIVES 24
#define FILL_DAYS 30
#define FILL_STEP 1800 /* the sample timer's 30 minutes */
#define ROUNDS 12
#define LONG_RUN 300 /* passes in a row, checkpoints included */
#define TARGET_CHANGED 16384.0
#define TARGET_UNCHANGED 4096.0
#define TARGET_GATE 4096.0

static char dir[256], conf[300], db[300], trace[300];
static const char *weargate, *wg_blob;
static int64_t now = 1798761600;

struct io {
	long long bytes; /* written to the history and its log (and journal) */
	int syncs;       /* fsync and fdatasync of anything: the files, their directory */
	int dir_syncs;
};

static int spawn_wait(char *const argv[], bool quiet)
{
	char now_env[64];
	char *const envp[] = { now_env, NULL };
	int status;
	pid_t pid;

	snprintf(now_env, sizeof(now_env), "WEARGATE_NOW=%lld", (long long)now);
	if (quiet) {
		pid = bench_spawn(argv, envp);
	} else {
		pid = fork();
		if (pid == 0) {
			execve(argv[0], argv, envp);
			_exit(127);
		}
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* The history's own files, as strace -y names them: "<…/history.db-wal>". */
static bool history_file(const char *p, size_t n)
{
	size_t len = strlen(db);

	return n >= len && memcmp(p, db, len) == 0 &&
	       (n == len || (n == len + 4 && memcmp(p + len, "-wal", 4) == 0) ||
		(n == len + 8 && memcmp(p + len, "-journal", 8) == 0));
}

static int count_trace(struct io *ret)
{
	FILE *f = fopen(trace, "r");
	char line[4096];

	memset(ret, 0, sizeof(*ret));
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *call = strstr(line, "write"), *lt = strchr(line, '<'), *gt, *eq;
		bool sync = strstr(line, "fsync(") || strstr(line, "fdatasync(");

		if (!lt || !(gt = strchr(lt, '>')))
			continue;
		if (sync) {
			struct stat st;

			*gt = '\0';
			ret->syncs++;
			if (stat(lt + 1, &st) == 0 && S_ISDIR(st.st_mode))
				ret->dir_syncs++;
			continue;
		}
		eq = strrchr(gt, '=');
		if (call && call < lt && eq && history_file(lt + 1, (size_t)(gt - lt - 1)))
			ret->bytes += atoll(eq + 1) > 0 ? atoll(eq + 1) : 0;
	}
	fclose(f);
	return 0;
}

/* One weargate command under strace: what it wrote and synced; -1 when it failed. */
static int traced(const char *cmd, const char *arg, struct io *ret)
{
	char *const argv[] = { "/usr/bin/strace", "-f", "-y", "-qq", "-o", trace, "-e",
			       "trace=write,pwrite64,pwritev,pwritev2,fsync,fdatasync", (char *)weargate, "-q", "-c",
			       conf, (char *)cmd, (char *)arg, NULL };
	int r = spawn_wait(argv, true);

	/* the gate answers by its exit status */
	if (r < 0 || (r != 0 && (strcmp(cmd, "gate") != 0 || (r != 1 && r != 75))))
		return -1;
	return count_trace(ret);
}

static int blob_cmd(const char *a, const char *b, const char *c, const char *d)
{
	char *const argv[] = { (char *)wg_blob, (char *)a, (char *)b, (char *)c, (char *)d, NULL };

	return spawn_wait(argv, true) == 0 ? 0 : -1;
}

/* Each drive a blob of demo-sda.desc under a serial of its own. */
static int make_drives(const char *source_root)
{
	char desc_path[512], blob[512], line[512];
	FILE *cf = fopen(conf, "w");

	if (!cf)
		return -1;
	fprintf(cf, "database = \"%s\"\n", db);
	for (int i = 0; i < BW_DRIVES; i++) {
		FILE *in, *out;

		snprintf(desc_path, sizeof(desc_path), "%s/data/demo-sda.desc", source_root);
		in = fopen(desc_path, "r");
		snprintf(desc_path, sizeof(desc_path), "%s/d%d.desc", dir, i);
		out = fopen(desc_path, "w");
		if (!in || !out)
			return -1;
		while (fgets(line, sizeof(line), in))
			if (strncmp(line, "serial ", 7) == 0)
				fprintf(out, "serial BENCH%04d\n", i);
			else
				fputs(line, out);
		fclose(in);
		fclose(out);
		snprintf(blob, sizeof(blob), "%s/d%d.blob", dir, i);
		if (blob_cmd("create", blob, desc_path, NULL) < 0)
			return -1;
		fprintf(cf, "drive \"d%d\" { blob = \"%s\" }\n", i, blob);
	}
	fprintf(cf, "job \"backup-home\" {\n\tclass = backup\n\tdrives = {\"d0\", \"d1\"}\n}\n");
	return fclose(cf) == 0 && chmod(conf, 0600) == 0 ? 0 : -1;
}

/* A month of half-hourly passes of those drives, recorded as sample records them, before now. */
static int fill(void)
{
	static struct drive drives[BW_DRIVES];
	const char *names[BW_DRIVES];
	struct smart_reading readings[BW_DRIVES];
	struct wg_err err = { "" };
	struct store *s = NULL;
	struct policy p;
	int r;

	policy_defaults(&p);
	r = store_open(db, &s, &err);
	if (r >= 0)
		r = store_set_durable(s, false, &err);
	for (int i = 0; r >= 0 && i < BW_DRIVES; i++) {
		char blob[512];

		snprintf(blob, sizeof(blob), "%s/d%d.blob", dir, i);
		smart_read_blob_file(blob, &drives[i].r);
		snprintf(drives[i].name, sizeof(drives[i].name), "d%d", i);
		names[i] = drives[i].name;
		drives[i].temp = attr(&drives[i].r, 194);
		drives[i].airflow = attr(&drives[i].r, 190);
		drives[i].poh = attr(&drives[i].r, 9);
		drives[i].base_temp = 37;
		drives[i].pass_in_hour = (unsigned)i % 2;
	}
	for (int64_t t = now - FILL_DAYS * 86400; r >= 0 && t < now - FILL_STEP; t += FILL_STEP) {
		for (int i = 0; i < BW_DRIVES; i++) {
			drive_step(&drives[i]);
			drive_step(&drives[i]); /* STEP is ten minutes; a pass here is half an hour */
			drive_step(&drives[i]);
			readings[i] = drives[i].r;
		}
		r = track_record_pass(s, &p, t, names, readings, BW_DRIVES, true, NULL, &err);
	}
	if (r < 0)
		fprintf(stderr, "bench-writes: %s\n", err.msg);
	store_free(s);
	return r;
}

struct series {
	long long bytes_sum, bytes_max;
	int syncs_min, syncs_max, syncs_sum, dir_syncs, n;
	long long quiet_bytes_sum; /* of the runs that synced once: no checkpoint */
	int quiet_n;
};

static void series_add(struct series *x, const struct io *io)
{
	if (x->n == 0 || io->syncs < x->syncs_min)
		x->syncs_min = io->syncs;
	if (io->syncs > x->syncs_max)
		x->syncs_max = io->syncs;
	if (io->bytes > x->bytes_max)
		x->bytes_max = io->bytes;
	x->bytes_sum += io->bytes;
	x->syncs_sum += io->syncs;
	x->dir_syncs += io->dir_syncs;
	x->n++;
	if (getenv("WEARGATE_BENCH_RUNS"))
		printf("write-budget:   run %d: %lld bytes, %d syncs\n", x->n, io->bytes, io->syncs);
	if (io->syncs == 1) {
		x->quiet_bytes_sum += io->bytes;
		x->quiet_n++;
	}
}

static double mean(const struct series *x)
{
	return x->n ? (double)x->bytes_sum / x->n : 0;
}

/* The mean of the runs that synced once: no checkpoint, nor the restart of the log after one. */
static double quiet_mean(const struct series *x)
{
	return x->quiet_n ? (double)x->quiet_bytes_sum / x->quiet_n : 0;
}

static void report(const char *what, const struct series *x, double target)
{
	printf("write-budget: %s: %d runs: bytes written mean %.0f, max %lld (target <= %.0f); syncs %d to %d, "
	       "mean %.2f; directory syncs %d\n",
	       what, x->n, mean(x), x->bytes_max, target, x->syncs_min, x->syncs_max, (double)x->syncs_sum / x->n,
	       x->dir_syncs);
	/* where a checkpoint falls among a few runs moves their mean: the runs without one, apart */
	if (x->quiet_n < x->n && x->syncs_min == 1)
		printf("write-budget:   of them, %d that checkpointed; the %d that did not: bytes mean %.0f\n",
		       x->n - x->quiet_n, x->quiet_n, quiet_mean(x));
}

/* Every drive's power-on hours tick: one attribute changed on every drive. */
static int tick_all(void)
{
	char blob[512];

	for (int i = 0; i < BW_DRIVES; i++) {
		snprintf(blob, sizeof(blob), "%s/d%d.blob", dir, i);
		if (blob_cmd("set", blob, "9", "add=1") < 0)
			return -1;
	}
	return 0;
}

int main(void)
{
	const char *tmp = getenv("TMPDIR"), *source_root = getenv("SOURCE_ROOT");
	struct series unchanged = { 0 }, changed = { 0 }, gate = { 0 }, longrun = { 0 }, long_unchanged = { 0 },
		      long_changed = { 0 };
	struct io io;
	bool ok;

	weargate = getenv("WEARGATE");
	wg_blob = getenv("WG_BLOB");
	if (!weargate || !wg_blob || !source_root) {
		fprintf(stderr, "bench-writes: WEARGATE, WG_BLOB and SOURCE_ROOT must be set\n");
		return 1;
	}
	if (access("/usr/bin/strace", X_OK) != 0) {
		printf("bench-writes: strace is not installed (apt-get install strace): skipped\n");
		return 77;
	}
	snprintf(dir, sizeof(dir), "%s/wg-bench-writes-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(conf, sizeof(conf), "%s/weargate.conf", dir);
	snprintf(db, sizeof(db), "%s/history.db", dir);
	snprintf(trace, sizeof(trace), "%s/strace.out", dir);
	if (make_drives(source_root) < 0 || fill() < 0) {
		fprintf(stderr, "bench-writes: cannot set up %s\n", dir);
		return 1;
	}
	/* the first real passes match the drives in the drive database and catch up with the blobs */
	for (int i = 0; i < 3; i++) {
		char *const argv[] = { (char *)weargate, "-q", "-c", conf, "sample", NULL };

		if (spawn_wait(argv, true) != 0) {
			fprintf(stderr, "bench-writes: sample failed (WEARGATE_NOW=%lld %s -c %s sample)\n",
				(long long)now, weargate, conf);
			return 1;
		}
		now += FILL_STEP;
	}
	for (int i = 0; i < ROUNDS; i++) {
		if (traced("sample", NULL, &io) < 0)
			goto failed;
		series_add(&unchanged, &io);
		now += FILL_STEP;
		if (tick_all() < 0 || traced("sample", NULL, &io) < 0)
			goto failed;
		series_add(&changed, &io);
		now += 437; /* a gate between passes */
		if (traced("gate", "backup-home", &io) < 0)
			goto failed;
		series_add(&gate, &io);
		now += FILL_STEP - 437;
	}
	/* passes in a row, as the timer makes them: the checkpoints that come due are counted too */
	for (int i = 0; i < LONG_RUN; i++) {
		if ((i % 2 && tick_all() < 0) || traced("sample", NULL, &io) < 0)
			goto failed;
		series_add(&longrun, &io);
		series_add(i % 2 ? &long_changed : &long_unchanged, &io);
		now += FILL_STEP;
	}
	printf("write-budget: %d drives, a history of %d days of half-hourly passes; bytes are what the system calls "
	       "wrote to the history and its log, syncs every fsync and fdatasync\n",
	       BW_DRIVES, FILL_DAYS);
	report("sample, nothing changed", &unchanged, TARGET_UNCHANGED);
	report("sample, attribute 9 changed on every drive", &changed, TARGET_CHANGED);
	report("gate decision", &gate, TARGET_GATE);
	report("sample, long run (every other pass changed, checkpoints included)", &longrun, TARGET_CHANGED);
	report("  of the long run, the passes where nothing changed", &long_unchanged, TARGET_UNCHANGED);
	report("  of the long run, the passes where attribute 9 changed", &long_changed, TARGET_CHANGED);
	/*
	 * A pass that copies the log into the file syncs it and writes the pages the log held, and
	 * the next one syncs the log's restart: one pass in some dozens, wherever the log's bytes
	 * take it. Which series of a dozen runs it falls in is chance; over the long run's 150 of
	 * each kind the passes without it are judged, and those with it are shown beside them.
	 */
	ok = quiet_mean(&long_unchanged) <= TARGET_UNCHANGED && quiet_mean(&long_changed) <= TARGET_CHANGED &&
	     quiet_mean(&unchanged) <= TARGET_UNCHANGED && quiet_mean(&changed) <= TARGET_CHANGED &&
	     mean(&gate) <= TARGET_GATE && gate.syncs_max == 0 && unchanged.syncs_min == 1 && changed.syncs_min == 1;
	if (!getenv("WEARGATE_BENCH_KEEP")) {
		char rm[400];

		snprintf(rm, sizeof(rm), "rm -rf '%s'", dir);
		if (system(rm) != 0)
			fprintf(stderr, "bench-writes: %s left behind\n", dir);
	}
	return ok ? 0 : 1;
failed:
	fprintf(stderr, "bench-writes: a command failed at WEARGATE_NOW=%lld (kept in %s, see %s)\n", (long long)now,
		dir, trace);
	return 1;
}
