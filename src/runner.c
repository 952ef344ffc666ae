/* runner.c — run a heavy job the way a careful admin would, and record what it did to every drive */
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <linux/ioprio.h>

#include "iostat.h"
#include "kmsg.h"
#include "lock.h"
#include "proc.h"
#include "resolve.h"
#include "runner.h"
#include "sampler.h"
#include "track.h"

#define JOB_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* the notify command gets this long before it is stopped: an alert must not hold up the night */
#define NOTIFY_TIMEOUT 60
/*
 * How often the kernel's log is looked at while a job runs: a maintenance job is stopped
 * within about this of the first error line on its drives.
 */
#define KERNEL_LOOK_MS 250
/* The error lines kept per drive and run: the first ones say what happened, a flood adds nothing. */
#define KERNEL_LINES_KEPT 20

static volatile sig_atomic_t stop_requested;

void runner_request_stop(void)
{
	stop_requested = 1;
	proc_request_stop();
}

bool runner_stop_requested(void)
{
	return stop_requested;
}

const char *outcome_to_string(enum outcome o)
{
	static const char *const names[_OUTCOME_MAX] = {
		[OUTCOME_SUCCESS] = "success",	   [OUTCOME_FAILED] = "failed",
		[OUTCOME_TIMEOUT] = "timeout",	   [OUTCOME_STOPPED] = "stopped",
		[OUTCOME_INTERRUPTED] = "interrupted", [OUTCOME_NOT_STARTED] = "not started",
	};

	return o < _OUTCOME_MAX ? names[o] : "?";
}

/* One drive of the running job. */
struct run_drive {
	const struct drive_health *health; /* as the gate saw it */
	int64_t pass_before;               /* the pass of its sample before the job; -1 none */
	char *disk;                        /* its kernel name, for the I/O counters; NULL when none */
	bool io_known;
	uint64_t read0, written0;
	bool base_known;
	struct smart_derived base; /* the media counters at the start, or at the last change told */
	enum health_state state0;
	struct kmsg_disk kdisk;  /* the names its disk goes by in the kernel's log; kdisk.disk NULL when none */
	unsigned kernel_lines;   /* the kernel's error lines on it during the job */
	char kernel_first[256];  /* the first of them */
	bool kernel_stopped;     /* the job was stopped for it */
};

struct watch_ctx {
	struct runner *r;
	const struct job_cfg *j;
	struct run_drive *d;
	size_t n;
	int64_t run_id;
	struct kmsg *kmsg; /* the kernel's log from the job's start; NULL when it is not watched */
	bool stopped;      /* by the watchdog */
	bool stop_now;     /* a look at the kernel's log found reason to */
	bool ended;        /* the job is over: a look only takes note */
	char stop_reason[384];
};

/*
 * The disk whose I/O counters stand for a drive: the device's whole disk; for a blob drive
 * (tests and demos) the drive's own name, when sysfs has such a disk.
 */
char *runner_disk_of(const struct blockdev_env *env, const struct drive_cfg *d)
{
	char path[4096], *name = NULL;
	struct stat st;

	if (d->source == DRIVE_DEVICE)
		return blockdev_disk_of_node(env->sysfs_root, d->path, &name, NULL) < 0 ? NULL : name;
	if (snprintf(path, sizeof(path), "%s/block/%s/stat", env->sysfs_root, d->name) >= (int)sizeof(path) ||
	    stat(path, &st) < 0)
		return NULL;
	return strdup(d->name);
}

/* The watchdog's sampling pass over the job's drives; its id, or -1 when it could not be recorded. */
static int64_t sample_pass(struct runner *r, const struct drive_cfg **drives, size_t n, struct smart_reading *readings)
{
	struct drives_read how = { .sysfs_root = r->env->sysfs_root, .record = true };
	struct track_result *res = calloc(n ? n : 1, sizeof(*res));
	struct wg_err err = { "" };
	bool recorded = false;
	int64_t now, id = -1;

	wg_now(&now);
	if (n == 0 || !res || sampler_pass(r->store, &r->config->policy, drives, n, now, &how, readings, res, &recorded,
					   &err) < 0)
		goto out;
	if (!recorded) {
		fprintf(r->log, "weargate: the drives' sample was not recorded: %s\n", err.msg);
		goto out;
	}
	id = res[0].pass_id;
	runner_announce(r);
out:
	for (size_t i = 0; res && i < n; i++)
		health_track_release(&res[i].track);
	free(res);
	return id;
}

/*
 * The watchdog's look: sample the job's drives into readings[0..n) (recorded as a pass); true
 * stops a maintenance job or a self-test whose drive got worse.
 */
static bool watch_look(struct watch_ctx *w, struct smart_reading *readings)
{
	const struct drive_cfg **drives = calloc(w->n ? w->n : 1, sizeof(*drives));
	bool stop = false;

	if (!drives)
		return false;
	for (size_t i = 0; i < w->n; i++)
		drives[i] = w->d[i].health->drive;
	sample_pass(w->r, drives, w->n, readings);
	for (size_t i = 0; i < w->n && !stop; i++) {
		struct run_drive *d = &w->d[i];
		struct smart_derived now;
		struct watch_verdict look;

		if (readings[i].status != READING_OK)
			continue;
		attrs_derive(&readings[i], &now);
		if (!d->base_known) {
			d->base = now;
			d->base_known = true;
			continue;
		}
		watch_judge(w->j->class, d->health->drive->name, &d->base, &now, readings[i].smart_ok, &look);
		if (!look.worse) {
			if (w->r->verbose)
				fprintf(w->r->log, "%s: watchdog: %s unchanged\n", w->j->name, d->health->drive->name);
			continue;
		}
		if (look.stop) {
			/* recorded as outcome "stopped" with this reason: "stopped: sda pending sectors 0 → 8 …" */
			snprintf(w->stop_reason, sizeof(w->stop_reason), "%s", look.what);
			fprintf(w->r->log, "%s: stopping it: %s\n", w->j->name, look.what);
			wg_log(LOG_WARNING, "job %s: stopping it: %s", w->j->name, look.what);
			w->stopped = stop = true;
		} else {
			fprintf(w->r->log, "%s: %s: a backup goes on\n", w->j->name, look.what);
			wg_log(LOG_WARNING, "job %s: %s: a backup goes on", w->j->name, look.what);
			d->base = now;
		}
	}
	free(drives);
	return stop;
}

/* The watchdog of a running command: a look at its drives every watch interval. */
static bool watch_tick(void *userdata)
{
	struct watch_ctx *w = userdata;
	struct smart_reading *readings = calloc(w->n ? w->n : 1, sizeof(*readings));
	bool stop;

	if (runner_stop_requested() || !readings) {
		free(readings);
		return runner_stop_requested();
	}
	stop = watch_look(w, readings);
	free(readings);
	return stop;
}

/* Where the kernel's log cannot be read, say so once: every job of a run would say the same. */
static bool kernel_unwatched_said;

static void kernel_say_unwatched(struct runner *r, const char *why)
{
	if (kernel_unwatched_said)
		return;
	kernel_unwatched_said = true;
	fprintf(r->log, "weargate: %s: kernel I/O errors on the jobs' drives are not watched\n", why);
	wg_log(LOG_WARNING, "%s: kernel I/O errors on the jobs' drives are not watched", why);
}

/*
 * From the job's start, the kernel's log: its I/O and ATA error lines name a disk, a
 * partition, a device stacked on them or an ATA port, and a job's drive goes by all of them.
 */
static void kernel_watch_begin(struct watch_ctx *w)
{
	const char *path = w->r->env->kmsg ? w->r->env->kmsg : KMSG_PATH;
	struct wg_err err = { "" };
	bool any = false;

	for (size_t i = 0; i < w->n; i++)
		if (w->d[i].disk && kmsg_disk_load(w->r->env->sysfs_root, w->d[i].disk, &w->d[i].kdisk) == 0)
			any = true;
	if (any && kmsg_open(path, &w->kmsg, &err) < 0)
		kernel_say_unwatched(w->r, err.msg);
}

/* An error line on one of the job's drives: kept in the history; a maintenance job is stopped at once. */
static void kernel_error(struct watch_ctx *w, struct run_drive *d, const char *msg)
{
	const char *name = d->health->drive->name;
	struct wg_err err = { "" };
	int64_t now;

	if (d->kernel_lines++ < KERNEL_LINES_KEPT && d->health->drive_id >= 0) {
		wg_now(&now);
		if (track_record_kernel_error(w->r->store, &w->r->config->policy, d->health->drive_id, now, w->run_id, msg,
					      false, &err) < 0)
			fprintf(w->r->log, "weargate: %s: the kernel's error line was not recorded: %s\n", name, err.msg);
	}
	if (d->kernel_lines > 1)
		return;
	snprintf(d->kernel_first, sizeof(d->kernel_first), "%s", msg);
	if (watch_stops(w->j->class) && !w->stopped && !w->ended) {
		/* recorded as outcome "stopped": "kernel: sda: I/O error, dev sda, sector 2048 …" */
		snprintf(w->stop_reason, sizeof(w->stop_reason), "kernel: %s: %s", name, msg);
		fprintf(w->r->log, "%s: stopping it: %s\n", w->j->name, w->stop_reason);
		wg_log(LOG_WARNING, "job %s: stopping it: %s", w->j->name, w->stop_reason);
		w->stopped = w->stop_now = d->kernel_stopped = true;
	} else if (!watch_stops(w->j->class) && !w->ended) {
		/* the backup of a drive the kernel fails to read is the one job wanted most: it goes on */
		fprintf(w->r->log, "%s: kernel: %s: %s: a backup goes on\n", w->j->name, name, msg);
		wg_log(LOG_WARNING, "job %s: kernel: %s: %s: a backup goes on", w->j->name, name, msg);
	} else {
		fprintf(w->r->log, "%s: kernel: %s: %s\n", w->j->name, name, msg);
		wg_log(LOG_WARNING, "job %s: kernel: %s: %s", w->j->name, name, msg);
	}
}

static void kernel_line(const char *msg, void *userdata)
{
	struct watch_ctx *w = userdata;
	struct kmsg_culprit c;

	if (!kmsg_error_culprit(msg, &c))
		return;
	for (size_t i = 0; i < w->n; i++)
		if (w->d[i].kdisk.disk && kmsg_disk_matches(&w->d[i].kdisk, &c))
			kernel_error(w, &w->d[i], msg);
}

/* The watchdog's quick look: what the kernel logged since the last one. */
static bool kernel_look(void *userdata)
{
	struct watch_ctx *w = userdata;
	int k = kmsg_read(w->kmsg, kernel_line, w);

	if (k < 0) {
		char why[128];

		snprintf(why, sizeof(why), "cannot read the kernel's log any more: %s", strerror(-k));
		kernel_say_unwatched(w->r, why);
	}
	return w->stop_now;
}

/* Errors a job was not stopped for (a backup's, or after it was stopped): said with the run. */
static void kernel_note_in_reason(const struct watch_ctx *w, struct job_outcome *ret)
{
	for (size_t i = 0; i < w->n; i++) {
		const struct run_drive *d = &w->d[i];
		size_t len = strlen(ret->reason);

		/* the line the job was stopped for is its reason already */
		if (!d->kernel_lines || (ret->outcome == OUTCOME_STOPPED && d->kernel_stopped))
			continue;
		snprintf(ret->reason + len, sizeof(ret->reason) - len, "%skernel: %u I/O error line%s on %s, the first: %s",
			 len ? "; " : "", d->kernel_lines, d->kernel_lines == 1 ? "" : "s", d->health->drive->name,
			 d->kernel_first);
	}
}

/* A line of the job's output, as it came; its NUL bytes shown as "\0", never an end of the line. */
static void forward_line(const char *line, size_t len, void *userdata)
{
	struct watch_ctx *w = userdata;

	fprintf(w->r->log, "%s| ", w->j->name);
	for (size_t i = 0; line && i < len; i++) {
		const char *nul = memchr(line + i, '\0', len - i);
		size_t k = nul ? (size_t)(nul - (line + i)) : len - i;

		fwrite(line + i, 1, k, w->r->log);
		i += k;
		if (nul)
			fputs("\\0", w->r->log);
	}
	fputc('\n', w->r->log);
}

static int env_push(char ***env, const char *key, const char *value)
{
	char *kv;
	int r;

	if (asprintf(&kv, "%s=%s", key, value) < 0)
		return -ENOMEM;
	r = strv_push(env, kv);
	free(kv);
	return r;
}

/*
 * A clean environment: nothing of the runner's leaks into a job that runs as root. What cron
 * gives a job of its user comes from the passwd entry of the job's user, or of the user weargate
 * runs as: borg and restic keep their caches and keys under HOME.
 */
static char **job_env(const struct job_cfg *j, const char *drives, int64_t run_id, bool throttled)
{
	struct passwd *pw = j->user ? getpwnam(j->user) : getpwuid(geteuid());
	const char *name = pw ? pw->pw_name : j->user;
	char run[32], **env = NULL;

	snprintf(run, sizeof(run), "%lld", (long long)run_id);
	if (env_push(&env, "PATH", JOB_PATH) < 0 || env_push(&env, "HOME", pw && pw->pw_dir[0] ? pw->pw_dir : "/") < 0 ||
	    env_push(&env, "SHELL", pw && pw->pw_shell && pw->pw_shell[0] ? pw->pw_shell : "/bin/sh") < 0 ||
	    env_push(&env, "LANG", "C.UTF-8") < 0 || env_push(&env, "WEARGATE_JOB", j->name) < 0 ||
	    env_push(&env, "WEARGATE_CLASS", job_class_to_string(j->class)) < 0 ||
	    env_push(&env, "WEARGATE_DRIVES", drives) < 0 || env_push(&env, "WEARGATE_RUN", run) < 0 ||
	    env_push(&env, "WEARGATE_THROTTLED", throttled ? "1" : "0") < 0 ||
	    (name && (env_push(&env, "USER", name) < 0 || env_push(&env, "LOGNAME", name) < 0))) {
		strv_free(env);
		return NULL;
	}
	return env;
}

static void outcome_of(const struct proc_result *pr, const struct watch_ctx *w, const struct job_cfg *j,
		       struct job_outcome *ret)
{
	ret->exit_status = pr->exit_status;
	switch (pr->end) {
	case PROC_EXITED:
		ret->outcome = pr->exit_status == 0 ? OUTCOME_SUCCESS : OUTCOME_FAILED;
		if (pr->exit_status)
			snprintf(ret->reason, sizeof(ret->reason), "exit status %d", pr->exit_status);
		break;
	case PROC_SIGNALED:
		ret->outcome = OUTCOME_FAILED;
		snprintf(ret->reason, sizeof(ret->reason), "killed by signal %d (%s)", pr->signal, strsignal(pr->signal));
		break;
	case PROC_TIMEOUT:
		ret->outcome = OUTCOME_TIMEOUT;
		snprintf(ret->reason, sizeof(ret->reason), "stopped after its timeout of %llds", (long long)j->timeout);
		break;
	case PROC_STOPPED:
	default:
		if (w->stopped) {
			ret->outcome = OUTCOME_STOPPED;
			snprintf(ret->reason, sizeof(ret->reason), "%s", w->stop_reason);
		} else {
			ret->outcome = OUTCOME_INTERRUPTED;
			snprintf(ret->reason, sizeof(ret->reason), "weargate was told to stop");
		}
		break;
	}
}

/* --- a self-test job: the drives run it, weargate starts it, watches it, and aborts it when it must --- */

/* One drive's self-test as it goes. */
struct test_drive {
	bool started, done;
	bool standby; /* the last look found the drive in standby: it was not woken to ask */
	int status;   /* the self-test execution status byte last read; -1 none */
	struct store_self_test rec;
};

/* What a reader process sends: the test (or the abort), through each drive's access mode. */
struct test_send {
	enum smart_test test;
	const struct drive_cfg **drives;
	const enum smart_access *access;
	size_t n;
};

/* In a reader process of its own, with the drive's read_timeout: a drive that hangs holds up nothing. */
static void send_test(const struct drive_cfg *drive, void *userdata, void (*command)(const char *what, void *u),
		      void *command_userdata, struct smart_reading *ret)
{
	const struct test_send *ts = userdata;
	enum smart_access access = drive->access;
	char reason[sizeof(ret->reason)] = "";
	int k;

	for (size_t i = 0; i < ts->n; i++)
		if (ts->drives[i] == drive)
			access = ts->access[i];
	command(ts->test == SMART_TEST_ABORT ? "SMART EXECUTE OFFLINE IMMEDIATE (abort)"
					     : "SMART EXECUTE OFFLINE IMMEDIATE",
		command_userdata);
	memset(ret, 0, sizeof(*ret));
	ret->smart_ok = -1;
	ret->self_test = -1;
	k = smart_self_test(drive->path, access, ts->test, reason, sizeof(reason));
	ret->status = k == 0 ? READING_OK : k == -EOPNOTSUPP ? READING_UNSUPPORTED : READING_ERROR;
	wg_strlcpy(ret->reason, reason, sizeof(ret->reason));
}

/* Send the test (or the abort) to the drives whose want[i] is set; ret[i] says how each went. */
static void test_send_all(struct runner *r, enum smart_test test, const struct drive_cfg **drives,
			  const enum smart_access *access, const bool *want, size_t n, struct smart_reading *ret)
{
	const struct drive_cfg **some = calloc(n ? n : 1, sizeof(*some));
	struct smart_reading *got = calloc(n ? n : 1, sizeof(*got));
	struct test_send ts = { .test = test, .drives = drives, .access = access, .n = n };
	struct sampler_opts so = { .sysfs_root = r->env->sysfs_root, .read = send_test, .userdata = &ts };
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		ret[i] = (struct smart_reading){ .status = READING_ERROR, .smart_ok = -1, .self_test = -1 };
		snprintf(ret[i].reason, sizeof(ret[i].reason), "out of memory");
		if (want[i] && some)
			some[m++] = drives[i];
	}
	if (some && got && m && sampler_read_all(some, m, &so, got) == 0)
		for (size_t i = 0, k = 0; i < n; i++)
			if (want[i])
				ret[i] = got[k++];
	free(got);
	free(some);
}

/* The access mode a drive's test goes through: the one its newest reading worked through, else its section's. */
static enum smart_access test_access(const struct drive_health *h)
{
	enum smart_access a = h->drive->access;

	if (a == SMART_ACCESS_AUTO && h->latest && !h->latest_brief && h->latest->reading.status == READING_OK &&
	    smart_access_from_string(h->latest->reading.access, &a) < 0)
		a = SMART_ACCESS_AUTO;
	return a;
}

static void test_end(struct test_drive *t, const char *result, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void test_end(struct test_drive *t, const char *result, const char *fmt, ...)
{
	va_list ap;

	t->done = true;
	wg_strlcpy(t->rec.result, result, sizeof(t->rec.result));
	va_start(ap, fmt);
	vsnprintf(t->rec.detail, sizeof(t->rec.detail), fmt, ap);
	va_end(ap);
}

/* What a look at a drive running the test says: still running, or how it ended. */
static void test_look(struct test_drive *t, const struct smart_reading *rd)
{
	int status;

	if (rd->status == READING_STANDBY) {
		t->standby = true;
		return;
	}
	/* an unreadable look says nothing of the test: the next one may */
	if (rd->status != READING_OK || rd->self_test < 0)
		return;
	t->standby = false;
	t->status = t->rec.status = rd->self_test;
	status = smart_test_status_of(rd->self_test);
	if (status == SMART_TEST_STATUS_RUNNING)
		return;
	if (status == SMART_TEST_STATUS_PASSED)
		test_end(t, "passed", "completed without error");
	else if (status == SMART_TEST_STATUS_ABORTED)
		test_end(t, "aborted", "aborted by the host, not by weargate");
	else if (status == SMART_TEST_STATUS_INTERRUPTED)
		test_end(t, "interrupted", "interrupted by a reset");
	else if (smart_test_status_failed(status))
		test_end(t, "failed", "%s", smart_test_status_to_string(status));
	else
		test_end(t, "unknown", "self-test execution status 0x%02x", (unsigned)rd->self_test);
}

static void test_record(struct runner *r, const struct job_cfg *j, const struct drive_health *h,
			const struct test_drive *t)
{
	struct wg_err err = { "" };

	if (h->drive_id >= 0 && store_self_test_set(r->store, &t->rec, &err) < 0)
		fprintf(r->log, "weargate: %s: %s: the self-test was not recorded: %s\n", j->name, h->drive->name, err.msg);
}

/*
 * Start the job's test on each of its drives, then look at them (a sampling pass, as the
 * watchdog takes: CHECK POWER MODE first, so a drive in standby is not woken, then only
 * commands that reading SMART data during a test takes) at once and every watch interval
 * until every test has ended. Its timeout, a drive getting worse, the kernel's I/O errors on a
 * drive or a request to stop abort the tests still running. Each drive's test is recorded.
 */
static void self_test_run(struct watch_ctx *w, struct job_outcome *ret)
{
	struct runner *r = w->r;
	const struct job_cfg *j = w->j;
	const char *test = smart_test_to_string(j->test);
	size_t n = w->n;
	struct test_drive *td = calloc(n ? n : 1, sizeof(*td));
	const struct drive_cfg **drives = calloc(n ? n : 1, sizeof(*drives));
	enum smart_access *access = calloc(n ? n : 1, sizeof(*access));
	struct smart_reading *readings = calloc(n ? n : 1, sizeof(*readings));
	bool *want = calloc(n ? n : 1, sizeof(*want));
	int64_t interval = j->watch_interval ? j->watch_interval : r->config->watch_interval;
	int64_t start, now, next_look;
	enum outcome cause = OUTCOME_SUCCESS; /* what aborted the tests still running; success: nothing */
	size_t running = 0;
	struct wg_text why;

	ret->outcome = OUTCOME_FAILED;
	ret->exit_status = 1;
	wg_text_init(&why, ret->reason, sizeof(ret->reason));
	if (!td || !drives || !access || !readings || !want) {
		wg_text_add(&why, "; ", "out of memory");
		goto out;
	}
	wg_now(&start);
	for (size_t i = 0; i < n; i++) {
		const struct drive_health *h = w->d[i].health;

		drives[i] = h->drive;
		access[i] = test_access(h);
		want[i] = h->drive->source == DRIVE_DEVICE;
		td[i].status = -1;
		td[i].rec = (struct store_self_test){ .run_id = w->run_id, .drive_id = h->drive_id, .started = start,
						      .ended = -1, .status = -1 };
		wg_strlcpy(td[i].rec.test, test, sizeof(td[i].rec.test));
	}
	test_send_all(r, j->test, drives, access, want, n, readings);
	for (size_t i = 0; i < n; i++) {
		if (!want[i])
			test_end(&td[i], "not started", "'%s' is a saved reading, not a device", drives[i]->path);
		else if (readings[i].status != READING_OK)
			test_end(&td[i], "not started", "%s", readings[i].reason);
		else
			td[i].started = true;
		running += td[i].started;
		if (td[i].started && !r->quiet)
			fprintf(r->log, "%s: %s: %s self-test started\n", j->name, drives[i]->name, test);
		if (!td[i].started)
			fprintf(r->log, "%s: %s: %s self-test not started: %s\n", j->name, drives[i]->name, test,
				td[i].rec.detail);
		test_record(r, j, w->d[i].health, &td[i]);
	}
	wg_log(LOG_INFO, "job %s (run %lld): %s self-test started on %zu of %zu drive(s)", j->name,
	       (long long)w->run_id, test, running, n);
	/* the first look at once: it tells the gates of other jobs that the drive is busy */
	for (next_look = start; running > 0;) {
		wg_now(&now);
		if (w->kmsg)
			kernel_look(w);
		if (runner_stop_requested()) {
			cause = OUTCOME_INTERRUPTED;
			break;
		}
		if (w->stop_now) {
			cause = OUTCOME_STOPPED;
			break;
		}
		if (j->timeout > 0 && now >= start + j->timeout) {
			cause = OUTCOME_TIMEOUT;
			break;
		}
		if (now >= next_look) {
			bool worse = watch_look(w, readings);

			for (size_t i = 0; i < n; i++)
				if (td[i].started && !td[i].done) {
					test_look(&td[i], &readings[i]);
					running -= td[i].done;
					if (r->verbose && !td[i].done)
						fprintf(r->log, "%s: %s: self-test %s\n", j->name, drives[i]->name,
							td[i].standby ? "not asked: the drive is in standby"
								      : "running");
				}
			next_look = now + interval;
			if (worse && running > 0) {
				cause = OUTCOME_STOPPED;
				break;
			}
			continue;
		}
		/* in steps of a second: a signal, or the kernel's word, ends the wait as promptly as a job's */
		wg_sleep(1);
	}
	if (cause != OUTCOME_SUCCESS) {
		char limit[32];

		wg_format_age(j->timeout, limit, sizeof(limit));
		/* a drive seen in standby runs no test, and an abort would wake it */
		for (size_t i = 0; i < n; i++)
			want[i] = td[i].started && !td[i].done && !td[i].standby;
		test_send_all(r, SMART_TEST_ABORT, drives, access, want, n, readings);
		for (size_t i = 0; i < n; i++) {
			if (!td[i].started || td[i].done)
				continue;
			if (td[i].standby)
				test_end(&td[i], "unknown", "the drive was in standby at the last look: not woken to ask");
			else if (readings[i].status != READING_OK)
				test_end(&td[i], "unknown", "the abort failed: %s", readings[i].reason);
			else if (cause == OUTCOME_TIMEOUT)
				test_end(&td[i], "aborted", "aborted by weargate after the job's timeout of %s", limit);
			else if (cause == OUTCOME_STOPPED)
				test_end(&td[i], "aborted", "aborted by weargate: %s", w->stop_reason);
			else
				test_end(&td[i], "aborted", "aborted by weargate, which was told to stop");
			fprintf(r->log, "%s: %s: %s self-test %s: %s\n", j->name, drives[i]->name, test, td[i].rec.result,
				td[i].rec.detail);
		}
	}
	wg_now(&now);
	ret->outcome = OUTCOME_SUCCESS;
	ret->exit_status = 0;
	for (size_t i = 0; i < n; i++) {
		td[i].rec.ended = now;
		test_record(r, j, w->d[i].health, &td[i]);
		if (strcmp(td[i].rec.result, "passed") != 0) {
			ret->outcome = OUTCOME_FAILED;
			ret->exit_status = 1;
		}
		wg_text_add(&why, "; ", "%s: %s self-test %s%s%s", drives[i]->name, test, td[i].rec.result,
			    strcmp(td[i].rec.result, "passed") != 0 ? ": " : "",
			    strcmp(td[i].rec.result, "passed") != 0 ? td[i].rec.detail : "");
	}
	if (cause == OUTCOME_TIMEOUT || cause == OUTCOME_INTERRUPTED || cause == OUTCOME_STOPPED) {
		char head[512];

		if (cause == OUTCOME_STOPPED)
			snprintf(head, sizeof(head), "%s", w->stop_reason);
		else if (cause == OUTCOME_TIMEOUT)
			snprintf(head, sizeof(head), "stopped after its timeout of %llds", (long long)j->timeout);
		else
			snprintf(head, sizeof(head), "weargate was told to stop");
		ret->outcome = cause;
		w->stopped = cause == OUTCOME_STOPPED;
		wg_text_init(&why, ret->reason, sizeof(ret->reason));
		wg_text_add(&why, "; ", "%s", head);
		for (size_t i = 0; i < n; i++)
			wg_text_add(&why, "; ", "%s: %s self-test %s", drives[i]->name, test, td[i].rec.result);
	}
out:
	free(want);
	free(readings);
	free(access);
	free(drives);
	free(td);
}

static void run_drives_release(struct run_drive *d, size_t n)
{
	for (size_t i = 0; d && i < n; i++) {
		free(d[i].disk);
		kmsg_disk_release(&d[i].kdisk);
	}
	free(d);
}

/* What the job did to each drive, in the history and in one line for the log. */
static int record_drives(struct runner *r, const struct job_cfg *j, struct run_drive *d, size_t n, int64_t run_id,
			 bool after_recorded, struct wg_err *err)
{
	for (size_t i = 0; i < n; i++) {
		const struct drive_health *h = d[i].health;
		uint64_t rd, wr;
		int64_t read = -1, written = -1;
		char rbuf[32], wbuf[32];

		if (h->drive_id < 0)
			continue;
		if (d[i].io_known && iostat_read(r->env->sysfs_root, d[i].disk, &rd, &wr, NULL) >= 0 && rd >= d[i].read0 &&
		    wr >= d[i].written0) {
			read = (int64_t)(rd - d[i].read0);
			written = (int64_t)(wr - d[i].written0);
			wg_format_bytes((uint64_t)read * 512, rbuf, sizeof(rbuf));
			wg_format_bytes((uint64_t)written * 512, wbuf, sizeof(wbuf));
			if (!r->quiet)
				fprintf(r->log, "%s: %s: read %s, wrote %s\n", j->name, h->drive->name, rbuf, wbuf);
		}
		if (store_job_run_drive_set(r->store, run_id, h->drive_id, read, written, d[i].pass_before,
					    after_recorded && h->latest ? h->latest->pass_id : -1, err) < 0)
			return -1;
	}
	return 0;
}

/* One run of a job, through its steps: what each leaves for the next. */
struct job_run {
	struct runner *r;
	const struct job_cfg *j;
	struct gate_result *res;
	struct watch_ctx w;       /* its drives, watched */
	struct drive_health **hs; /* res's drives, sampled again after it */
	int64_t *ids;             /* the drives' ids in the history */
	size_t n_ids;
	char **disks;             /* their disks, for the throttle */
	char names[512];          /* their names, for WEARGATE_DRIVES */
	struct throttle t;
	bool shell;               /* the command is a line for the shell */
	char **env, **argv;       /* the process's */
	struct proc_spec spec;
	struct proc_result *pr;
};

/* The job's drives: where the watchdog measures from, and their disks and I/O counters before it. */
static int run_prepare(struct job_run *jr, struct wg_err *err)
{
	struct runner *r = jr->r;
	const struct gate_result *res = jr->res;
	size_t used = 0;
	int k;

	jr->w.d = calloc(res->n ? res->n : 1, sizeof(*jr->w.d));
	jr->hs = calloc(res->n ? res->n : 1, sizeof(*jr->hs));
	jr->ids = calloc(res->n ? res->n : 1, sizeof(*jr->ids));
	jr->pr = calloc(1, sizeof(*jr->pr));
	if (!jr->w.d || !jr->hs || !jr->ids || !jr->pr)
		return wg_err_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < res->n; i++)
		jr->hs[i] = &res->drives[i];
	for (size_t i = 0; i < res->n; i++) {
		struct run_drive *d = &jr->w.d[i];
		const struct drive_health *h = &res->drives[i];

		d->health = h;
		d->state0 = h->health.state;
		d->pass_before = h->latest ? h->latest->pass_id : -1;
		if (h->drive_id >= 0)
			jr->ids[jr->n_ids++] = h->drive_id;
		/* the media counters as the drive's signs last had them: the watchdog measures from there */
		if (h->track.last_usable_t >= 0) {
			struct smart_reading none = { .status = READING_ERROR };

			attrs_derive(&none, &d->base);
			for (size_t m = 0; m < health_n_media; m++)
				memcpy((char *)&d->base + health_media[m].offset, &h->track.cur[m].value,
				       sizeof(h->track.cur[m].value));
			d->base_known = true;
		}
		d->disk = runner_disk_of(r->env, h->drive);
		if (d->disk && (k = strv_push(&jr->disks, d->disk)) < 0)
			return wg_err_set(err, k, "out of memory");
		d->io_known = d->disk && iostat_read(r->env->sysfs_root, d->disk, &d->read0, &d->written0, NULL) >= 0;
		used += (size_t)snprintf(jr->names + used, used < sizeof(jr->names) ? sizeof(jr->names) - used : 0,
					 "%s%s", i ? " " : "", h->drive->name);
	}
	return 0;
}

/* The run's start, in the history: a run that cannot be recorded does not start. */
static int run_record_start(struct job_run *jr, struct job_outcome *ret, struct wg_err *err)
{
	const struct job_cfg *j = jr->j;
	char verdict[48];
	int64_t start;
	int k;

	snprintf(verdict, sizeof(verdict), "%s", gate_decision_verdict(&jr->res->decision));
	wg_now(&start);
	k = store_job_run_begin(jr->r->store, j->name, job_class_to_string(j->class), start, jr->ids, jr->n_ids, verdict,
				&ret->run_id, err);
	if (k < 0) {
		struct wg_text why;

		wg_text_init(&why, ret->reason, sizeof(ret->reason));
		wg_text_add(&why, "", "its run could not be recorded: %s", err->msg);
		fprintf(jr->r->log, "%s: not started: %s\n", j->name, ret->reason);
		wg_log(LOG_WARNING, "job %s: not started: %s", j->name, ret->reason);
		return k;
	}
	jr->w.run_id = ret->run_id;
	return 0;
}

/* A self-test runs in the drive: no process, no throttle, its drives watched as a job's are. */
static void run_self_test(struct job_run *jr, struct job_outcome *ret)
{
	kernel_watch_begin(&jr->w);
	if (!jr->r->quiet)
		fprintf(jr->r->log, "%s: started\n", jr->j->name);
	self_test_run(&jr->w, ret);
	jr->w.ended = true;
	if (jr->w.kmsg)
		kernel_look(&jr->w);
}

/* The limit is for a worn or degrading drive (the gate's "throttled"); an ok drive runs free. */
static void run_throttle(struct job_run *jr)
{
	struct runner *r = jr->r;
	const struct job_cfg *j = jr->j;

	if (!jr->res->decision.throttle || !j->throttle)
		return;
	throttle_prepare(&r->throttle_env, r->env->sysfs_root, j->name, j->throttle, jr->disks, &jr->t);
	if (jr->t.method == THROTTLE_NONE)
		fprintf(r->log, "%s: NOT THROTTLED: no I/O limit could be applied (%s): idle I/O class instead\n", j->name,
			jr->t.why);
}

/* The command line (behind systemd-run's when the throttle goes through it) and its clean environment. */
static int run_argv(struct job_run *jr, char *const *argv, struct wg_err *err)
{
	const struct job_cfg *j = jr->j;
	const struct throttle *t = &jr->t;
	char **env = job_env(j, jr->names, jr->w.run_id, jr->res->decision.throttle);

	for (size_t i = 0; t->method == THROTTLE_SYSTEMD_RUN && t->argv_prefix && t->argv_prefix[i]; i++) {
		/* systemd-run needs root to make its scope: it becomes the job's user itself, after "--" is too late */
		if (j->user && strcmp(t->argv_prefix[i], "--") == 0) {
			char *uid = NULL;

			if (asprintf(&uid, "--uid=%s", j->user) < 0)
				uid = NULL;
			if (!uid || strv_push(&jr->argv, uid) < 0)
				env = (strv_free(env), NULL);
			free(uid);
		}
		if (strv_push(&jr->argv, t->argv_prefix[i]) < 0)
			env = (strv_free(env), NULL);
	}
	/* behind systemd-run the shell must be spelt out: proc's shell mode would run systemd-run through it */
	if (jr->shell && t->method == THROTTLE_SYSTEMD_RUN) {
		if (strv_push(&jr->argv, "/bin/sh") < 0 || strv_push(&jr->argv, "-c") < 0)
			env = (strv_free(env), NULL);
		jr->shell = false;
	}
	for (size_t i = 0; argv && argv[i]; i++)
		if (strv_push(&jr->argv, argv[i]) < 0)
			env = (strv_free(env), NULL);
	jr->env = env;
	if (!env || !jr->argv)
		return wg_err_set(err, -ENOMEM, "out of memory");
	return 0;
}

/* How the process runs: the job's user, nice and ionice (the idle class when throttled but not limited), its cgroup. */
static void run_spec(struct job_run *jr)
{
	const struct job_cfg *j = jr->j;
	const struct throttle *t = &jr->t;
	struct proc_spec *spec = &jr->spec;

	spec->shell = jr->shell;
	spec->argv = jr->argv;
	spec->env = jr->env;
	spec->user = t->method == THROTTLE_SYSTEMD_RUN ? NULL : j->user;
	spec->nice = j->nice;
	spec->ionice_class = j->ionice_class;
	spec->ionice_level = j->ionice_level;
	/* "throttled" with no rate to throttle to, or none that could be applied: the idle class */
	if (jr->res->decision.throttle && t->method == THROTTLE_NONE) {
		spec->ionice_class = IOPRIO_CLASS_IDLE;
		spec->ionice_level = 0;
	}
	spec->cgroup = t->method == THROTTLE_CGROUP ? t->cgroup : NULL;
}

struct job_start {
	struct job_run *jr;
	int64_t run_id;
};

/* The job's process is set up and waits to exec: noted where the next runner and the job's own hooks look. */
static void job_started(pid_t pid, void *userdata)
{
	const struct job_start *js = userdata;
	struct runner *r = js->jr->r;
	struct wg_err err = { "" };
	unsigned long long started_at;

	/* should we die now, the next runner stops the job */
	if (proc_start_time(pid, &started_at) == 0)
		runner_lock_note_job(r->lock, pid, started_at);
	/* a gate that the job's own hooks ask from its session is part of this run (hook.c) */
	if (store_job_run_session_set(r->store, js->run_id, pid, &err) < 0)
		fprintf(r->log, "weargate: %s: a gate inside it will not know the run: %s\n", js->jr->j->name, err.msg);
}

/*
 * Start the process, forward its output, and watch its drives and the kernel's log until it
 * ends (its timeout, the watchdog or a request to stop may end it): how it ended into ret.
 */
static void run_and_watch(struct job_run *jr, struct job_outcome *ret)
{
	struct runner *r = jr->r;
	const struct job_cfg *j = jr->j;
	const struct gate_decision *dec = &jr->res->decision;
	struct proc_result *pr = jr->pr;
	struct wg_err perr = { "" };
	struct proc *p = NULL;
	struct proc_watch watch = {
		.interval = j->watch_interval ? j->watch_interval : r->config->watch_interval,
		.tick = watch_tick,
		.look = kernel_look,
		.line = forward_line,
		.userdata = &jr->w,
	};
	struct job_start js = { .jr = jr, .run_id = ret->run_id };
	int k;

	kernel_watch_begin(&jr->w);
	jr->spec.started = job_started;
	jr->spec.userdata = &js;
	if (proc_start(&jr->spec, &p, &perr) < 0) {
		ret->outcome = OUTCOME_FAILED;
		ret->exit_status = 127;
		snprintf(ret->reason, sizeof(ret->reason), "%s", perr.msg);
		fprintf(r->log, "%s: %s\n", j->name, perr.msg);
		pr->tail[0] = '\0';
		return;
	}
	watch.look_ms = jr->w.kmsg ? KERNEL_LOOK_MS : 0;
	wg_log(dec->last_chance ? LOG_WARNING : LOG_INFO, "job %s (run %lld): started%s", j->name, (long long)ret->run_id,
	       dec->last_chance ? ", LAST-CHANCE BACKUP" : "");
	if (!r->quiet || dec->last_chance)
		fprintf(r->log, "%s: started (pid %d)%s%s%s\n", j->name, (int)proc_pid(p),
			jr->t.method == THROTTLE_SYSTEMD_RUN ? ", throttled through systemd-run"
			: jr->t.method == THROTTLE_CGROUP    ? ", throttled in a cgroup of its own"
							     : "",
			dec->throttle && jr->t.method == THROTTLE_NONE ? ", throttled to idle I/O" : "",
			dec->last_chance ? ", LAST-CHANCE BACKUP" : "");
	k = proc_wait(p, j->timeout, r->config->stop_grace, &watch, pr, &perr);
	runner_lock_note_job(r->lock, 0, 0);
	/* what the kernel logged as the job ended is still the job's */
	jr->w.ended = true;
	if (jr->w.kmsg)
		kernel_look(&jr->w);
	if (k < 0) {
		ret->outcome = OUTCOME_FAILED;
		ret->exit_status = 127;
		snprintf(ret->reason, sizeof(ret->reason), "%s", perr.msg);
		return;
	}
	outcome_of(pr, &jr->w, j, ret);
	if (pr->left_behind) {
		size_t len = strlen(ret->reason);

		snprintf(ret->reason + len, sizeof(ret->reason) - len,
			 "%sa process of the job outlived SIGKILL (stuck in the kernel, on the disk?)", len ? "; " : "");
		fprintf(r->log, "%s: %s\n", j->name, ret->reason + len + (len ? 2 : 0));
	}
}

/*
 * After the job: its outcome (interrupted when the runner was told to stop), the kernel's lines
 * in its reason, its drives sampled again, and what it did to each and how it ended recorded;
 * said on the log and to syslog, and any state it made worse told. Errors are the store's.
 */
static int run_record_end(struct job_run *jr, struct job_outcome *ret, struct wg_err *err)
{
	struct runner *r = jr->r;
	const struct job_cfg *j = jr->j;
	struct proc_result *pr = jr->pr;
	bool after_recorded = false;
	int64_t end;
	int k;

	if (runner_stop_requested() && ret->outcome != OUTCOME_SUCCESS && j->class != JOB_SELFTEST) {
		ret->outcome = OUTCOME_INTERRUPTED;
		snprintf(ret->reason, sizeof(ret->reason), "weargate was told to stop");
	}
	kernel_note_in_reason(&jr->w, ret);
	kmsg_free(jr->w.kmsg);
	jr->w.kmsg = NULL;
	/* the counters after the job, for "before → after", and the drives' states after it */
	wg_now(&end);
	{
		struct drives_read how = { .sysfs_root = r->env->sysfs_root, .record = true };
		char warning[256] = "";

		k = drives_sample(r->config, r->store, jr->hs, jr->res->n, end, &how, &after_recorded, warning,
				  sizeof(warning), err);
		if (warning[0])
			fprintf(r->log, "weargate: %s\n", warning);
	}
	if (k >= 0)
		k = record_drives(r, j, jr->w.d, jr->res->n, ret->run_id, after_recorded, err);
	if (k >= 0)
		k = store_job_run_end_output(r->store, ret->run_id, end, outcome_to_string(ret->outcome),
					     ret->exit_status, ret->reason[0] ? ret->reason : NULL,
					     pr->tail_len ? pr->tail : NULL, pr->tail_len, err);
	/* an end the history cannot take now (a full disk) is kept for the next runner to record */
	if (k < 0) {
		struct lock_end le = { .run_id = ret->run_id, .ended = end, .exit_status = ret->exit_status };

		wg_strlcpy(le.outcome, outcome_to_string(ret->outcome), sizeof(le.outcome));
		wg_strlcpy(le.reason, ret->reason, sizeof(le.reason));
		if (runner_lock_note_end(r->lock, &le) == 0)
			fprintf(r->log, "weargate: %s: the end of run %lld is kept in the lock file for the next runner to record\n",
				j->name, (long long)ret->run_id);
	}
	if (!r->quiet || ret->outcome != OUTCOME_SUCCESS)
		fprintf(r->log, "%s: %s%s%s\n", j->name, outcome_to_string(ret->outcome), ret->reason[0] ? ": " : "",
			ret->reason);
	wg_log(ret->outcome == OUTCOME_SUCCESS ? LOG_INFO : LOG_WARNING, "job %s (run %lld): %s%s%s", j->name,
	       (long long)ret->run_id, outcome_to_string(ret->outcome), ret->reason[0] ? ": " : "", ret->reason);
	/* the notify hook hears now of a state the job made worse */
	runner_announce(r);
	return k;
}

static void job_run_release(struct job_run *jr)
{
	free(jr->hs);
	kmsg_free(jr->w.kmsg);
	throttle_release(&jr->t);
	strv_free(jr->argv);
	strv_free(jr->env);
	strv_free(jr->disks);
	run_drives_release(jr->w.d, jr->res->n);
	free(jr->pr);
	free(jr->ids);
}

int runner_run_job(struct runner *r, const struct job_cfg *j, char *const *argv, struct gate_result *res,
		   struct job_outcome *ret, struct wg_err *err)
{
	struct job_run jr = {
		.r = r,
		.j = j,
		.res = res,
		.w = { .r = r, .j = j, .n = res->n },
		.t = { .method = THROTTLE_NONE },
		.shell = j->shell && argv == j->command,
	};
	int k;

	/* until it has started, it has not: nothing here is a success by default */
	memset(ret, 0, sizeof(*ret));
	ret->run_id = -1;
	ret->outcome = OUTCOME_NOT_STARTED;
	ret->exit_status = 127;
	k = run_prepare(&jr, err);
	if (k >= 0)
		k = run_record_start(&jr, ret, err);
	if (k < 0)
		goto out;
	if (j->class == JOB_SELFTEST) {
		run_self_test(&jr, ret);
	} else {
		run_throttle(&jr);
		k = run_argv(&jr, argv, err);
		if (k < 0)
			goto out;
		run_spec(&jr);
		run_and_watch(&jr, ret);
	}
	k = run_record_end(&jr, ret, err);
out:
	job_run_release(&jr);
	return k < 0 ? k : 0;
}

void runner_notify(struct runner *r, const char *event, const char *job, const char *drive, const char *state,
		   const char *message)
{
	struct proc_spec spec = { .argv = r->config->notify };
	struct proc_result *pr;
	struct wg_err err = { "" };
	char **env = NULL;
	struct proc *p;

	if (!r->config->notify)
		return;
	if (env_push(&env, "PATH", JOB_PATH) < 0 || env_push(&env, "WEARGATE_EVENT", event) < 0 ||
	    env_push(&env, "WEARGATE_JOB", job ? job : "") < 0 ||
	    env_push(&env, "WEARGATE_DRIVE", drive ? drive : "") < 0 ||
	    env_push(&env, "WEARGATE_STATE", state ? state : "") < 0 ||
	    env_push(&env, "WEARGATE_MESSAGE", message ? message : "") < 0) {
		strv_free(env);
		return;
	}
	spec.env = env;
	pr = calloc(1, sizeof(*pr));
	if (pr && proc_start(&spec, &p, &err) >= 0)
		proc_wait(p, NOTIFY_TIMEOUT, 5, NULL, pr, &err);
	/* what went wrong with the hook is said even where the news itself is not (sample) */
	if (err.msg[0])
		fprintf(r->log ? r->log : stderr, "weargate: notify: %s\n", err.msg);
	else if (pr && (pr->end != PROC_EXITED || pr->exit_status))
		fprintf(r->log ? r->log : stderr, "weargate: notify: '%s' ended with status %d\n", r->config->notify[0],
			pr->exit_status);
	free(pr);
	strv_free(env);
}

static int announce(const struct store_episode *e, void *userdata)
{
	struct runner *r = userdata;
	struct wg_err err = { "" };
	enum health_state state = HEALTH_UNKNOWN;
	char name[STORE_NAME_MAX] = "?", msg[640];

	if (store_drive_name(r->store, e->drive_id, name, sizeof(name), NULL) < 0)
		snprintf(name, sizeof(name), "drive %lld", (long long)e->drive_id);
	health_state_from_string(e->state, &state);
	snprintf(msg, sizeof(msg), "%s is %s: %s", name, e->state, e->sign);
	if (r->log && (!r->quiet || state >= HEALTH_DEGRADING))
		fprintf(r->log, "weargate: %s\n", msg);
	wg_log(state >= HEALTH_DEGRADING ? LOG_WARNING : LOG_NOTICE, "drive %s", msg);
	runner_notify(r, "state", NULL, name, e->state, msg);
	if (store_episode_set_notified(r->store, e->id, &err) < 0)
		fprintf(r->log ? r->log : stderr, "weargate: %s: the state was told, but that was not recorded: %s\n",
			name, err.msg);
	return 0;
}

void runner_announce(struct runner *r)
{
	struct wg_err err = { "" };

	if (store_foreach_episode_untold(r->store, announce, r, &err) < 0)
		fprintf(r->log ? r->log : stderr, "weargate: the drives' new states were not told: %s\n", err.msg);
}

const char *runner_worst_drive(const struct gate_result *res)
{
	for (size_t i = 0; i < res->n; i++)
		if (res->drives[i].health.state == res->decision.worst)
			return res->drives[i].drive->name;
	return res->n ? res->drives[0].drive->name : "";
}

void runner_print_verdict(FILE *f, const struct gate_result *res)
{
	const struct gate_decision *d = &res->decision;

	fprintf(f, "%s: %s%s%s: %s\n", res->job->name, verdict_to_string(d->verdict), d->last_chance ? " (last chance)" : "",
		d->throttle ? " (throttled)" : "", d->reason);
}

/* Sleep in short steps, so that SIGTERM ends a wait as promptly as it ends a job. */
static void wait_until(int64_t until)
{
	int64_t now;

	for (wg_now(&now); now < until && !runner_stop_requested(); wg_now(&now))
		wg_sleep(until - now < 1 ? until - now : 1);
}

int runner_gate(struct runner *r, const struct job_cfg *j, int64_t now, const struct gate_opts *opts,
		int64_t deadline, struct gate_result *ret, struct wg_err *err)
{
	for (;;) {
		char when[32];
		int k = gate_check(r->config, r->store, j, now, opts, ret, err);

		if (k < 0)
			return k;
		if (gate_record(r->store, ret, now, err) < 0)
			fprintf(r->log, "weargate: the decision was not recorded: %s\n", err->msg);
		if (!r->quiet || ret->decision.verdict != VERDICT_GO)
			runner_print_verdict(r->log, ret);
		if (ret->decision.verdict != VERDICT_DEFER || ret->decision.retry_at <= now ||
		    ret->decision.retry_at > deadline || runner_stop_requested()) {
			/* a job that does not run is news for syslog, whichever runner held it back */
			if (ret->decision.verdict != VERDICT_GO)
				wg_log(LOG_NOTICE, "job %s: %s: %s", j->name, verdict_to_string(ret->decision.verdict),
				       ret->decision.reason);
			return 0;
		}
		wg_format_utc(ret->decision.retry_at, when, sizeof(when));
		fprintf(r->log, "%s: waiting until %s, within run_until\n", j->name, when);
		wait_until(ret->decision.retry_at);
		gate_result_release(ret);
		wg_now(&now);
	}
}

int runner_follow(struct runner *r, const struct job_cfg *j, char *const *argv, struct gate_result *res,
		  struct job_outcome *ret, struct wg_err *err)
{
	if (res->decision.verdict == VERDICT_REFUSE)
		runner_notify(r, "refusal", j->name, runner_worst_drive(res), health_state_to_string(res->decision.worst),
			      res->decision.reason);
	if (res->decision.verdict == VERDICT_GO)
		return runner_run_job(r, j, argv, res, ret, err);
	*ret = (struct job_outcome){ .outcome = OUTCOME_NOT_STARTED, .exit_status = 127, .run_id = -1 };
	return 0;
}

int runner_begin(struct runner *r, struct runner_lock **ret_lock, struct wg_err *err)
{
	return runner_begin_wait(r, 0, ret_lock, err);
}

int runner_begin_wait(struct runner *r, int64_t wait_ms, struct runner_lock **ret_lock, struct wg_err *err)
{
	unsigned long long start = 0;
	char *path = NULL;
	pid_t holder, left;
	int interrupted = 0, k;
	int64_t now, waited = 0;

	/* beside the history, so that two configurations sharing one history share one runner */
	if (asprintf(&path, "%s.lock", r->config->database) < 0)
		return wg_err_set(err, -ENOMEM, "out of memory");
	/* a hook's brief hold (gate --record) passes in milliseconds; a runner's job does not */
	while ((k = runner_lock_take(path, ret_lock, &holder, err)) == -EBUSY && waited < wait_ms) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		waited += 50;
	}
	free(path);
	if (k < 0)
		return k;
	r->lock = *ret_lock;
	/* a runner killed outright (SIGKILL, the OOM killer) left its job running, unwatched: stop it */
	left = runner_lock_left_job(*ret_lock, &start);
	if (left > 0 && proc_stop_left_group(left, start, r->config->stop_grace) > 0) {
		fprintf(r->log, "weargate: stopped the job (process group %d) that a runner which died left running\n",
			(int)left);
		wg_log(LOG_WARNING, "stopped the job (process group %d) that a runner which died left running", (int)left);
	}
	/* the ends a runner before could not record (a full disk), before its runs count as interrupted */
	for (size_t i = 0;; i++) {
		struct lock_end le;
		struct store_run_state st;
		struct wg_err e2 = { "" };

		k = runner_lock_left_end(*ret_lock, i, &le);
		if (k == -ENOENT) {
			runner_lock_forget_left_ends(*ret_lock);
			break;
		}
		if (k < 0 || store_job_run_state(r->store, le.run_id, &st, &e2) < 0 || !st.open)
			continue;
		if (store_job_run_end(r->store, le.run_id, le.ended, le.outcome, le.exit_status,
				      le.reason[0] ? le.reason : NULL, NULL, &e2) < 0) {
			fprintf(r->log, "weargate: the end of run %lld is still not recorded: %s\n", (long long)le.run_id,
				e2.msg);
			break;
		}
		fprintf(r->log, "weargate: recorded the end of run %lld of '%s' (%s), which its runner could not\n",
			(long long)le.run_id, st.job, le.outcome);
	}
	/* holding the lock, no run of ours is alive: what is still open was left by a runner that died */
	wg_now(&now);
	if (store_job_runs_interrupted(r->store, now, &interrupted, NULL) >= 0 && interrupted)
		fprintf(r->log, "weargate: %d job run(s) that a runner left unfinished are recorded as interrupted\n",
			interrupted);
	return 0;
}
