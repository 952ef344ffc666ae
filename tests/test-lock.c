/* test-lock.c — one runner at a time: busy while held, free again however its holder ends */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lock.h"
#include "proc.h"
#include "tmpdir.h"

static char root[64];
static char path[96];
static pid_t left_job;

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/wg-test-lock-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(path, sizeof(path), "%s/history.db.lock", root);
	umask(022);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (left_job > 0) /* whatever a failed test left */
		kill(-left_job, SIGKILL);
	left_job = 0;
	return tmpdir_remove(root);
}

static void expect_content(const char *file, const char *want)
{
	char buf[64] = "";
	FILE *f = fopen(file, "r");

	assert_non_null(f);
	assert_true(fread(buf, 1, sizeof(buf) - 1, f) < sizeof(buf) - 1);
	fclose(f);
	assert_string_equal(buf, want);
}

static void expect_pid_in_file(pid_t pid)
{
	char want[32];

	snprintf(want, sizeof(want), "%d\n", (int)pid);
	expect_content(path, want);
}

static struct runner_lock *take(void)
{
	struct runner_lock *l = NULL;
	struct wg_err err = { "" };
	pid_t holder = 77;
	int r;

	r = runner_lock_take(path, &l, &holder, &err);
	if (r < 0)
		fail_msg("cannot take '%s': %s (%s)", path, strerror(-r), err.msg);
	assert_non_null(l);
	assert_int_equal(holder, 77);
	return l;
}

/* Expect -EBUSY naming the holder want_holder (0: unknown); the lock out-parameter untouched. */
static void expect_busy(pid_t want_holder)
{
	struct runner_lock *sentinel = (struct runner_lock *)&sentinel, *l = sentinel;
	struct wg_err err = { "" };
	char want[256];
	pid_t holder = 77;
	int r;

	r = runner_lock_take(path, &l, &holder, &err);
	if (r != -EBUSY)
		fail_msg("returned %d (%s), expected -EBUSY; message '%s'", r, strerror(-r), err.msg);
	assert_ptr_equal(l, sentinel);
	assert_int_equal(holder, want_holder);
	if (want_holder)
		snprintf(want, sizeof(want), "another weargate run (pid %d) holds '%s'", (int)want_holder, path);
	else
		snprintf(want, sizeof(want), "another process holds '%s' (it wrote no pid in it)", path);
	assert_string_equal(err.msg, want);
	/* the holder's file is left as it was */
	if (want_holder)
		expect_pid_in_file(want_holder);
}

static void test_take_release_retake(void **state)
{
	struct runner_lock *l;
	struct stat st;

	(void)state;
	l = take();
	expect_pid_in_file(getpid());
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600); /* see test_mode */
	/* flock() is per open file: the same process opening it again is refused too */
	expect_busy(getpid());
	runner_lock_release(l);
	runner_lock_release(NULL);

	/* a longer pid from a previous holder does not leave digits behind */
	{
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs("99999999999\n", f);
		assert_int_equal(fclose(f), 0);
	}
	l = take();
	expect_pid_in_file(getpid());
	runner_lock_release(l);
	/* the file stays for the next runner; no holder means free */
	l = take();
	runner_lock_release(l);
}

/* A child takes the lock and waits; returns its pid once it holds it. */
static pid_t child_holding(void)
{
	int p[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct runner_lock *l;

		close(p[0]);
		alarm(60); /* should the test fail before it kills us */
		if (runner_lock_take(path, &l, NULL, NULL) < 0)
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	return pid;
}

static void test_holder_killed(void **state)
{
	struct runner_lock *l;
	pid_t child;
	int status;

	(void)state;
	child = child_holding();
	expect_busy(child);
	/* no chance to clean up: the kernel drops the lock with the last descriptor of its file */
	assert_int_equal(kill(child, SIGKILL), 0);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	l = take();
	expect_pid_in_file(getpid());
	runner_lock_release(l);
}

static void test_holder_without_pid(void **state)
{
	int fd;

	(void)state;
	/* as cron's `flock -n LOCK cmd` holds it: locked, nothing written */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	expect_busy(0);
	/* a pid caught half written is no pid */
	assert_int_equal(pwrite(fd, "123", 3, 0), 3);
	expect_busy(0);
	assert_int_equal(pwrite(fd, "garbage\n", 8, 0), 8);
	expect_busy(0);
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(pwrite(fd, "4321\n", 5, 0), 5);
	{
		struct runner_lock *l = NULL;
		pid_t holder = 0;

		assert_int_equal(runner_lock_take(path, &l, &holder, NULL), -EBUSY);
		assert_int_equal(holder, 4321);
		/* ret_holder may be NULL */
		assert_int_equal(runner_lock_take(path, &l, NULL, NULL), -EBUSY);
		assert_null(l);
	}
	close(fd);
}

/* Expect "cannot open lock file 'P': REASON". */
static void expect_open_error(const char *p, int want_r, const char *want_reason)
{
	struct runner_lock *sentinel = (struct runner_lock *)&sentinel, *l = sentinel;
	struct wg_err err = { "" };
	char want[256];
	pid_t holder = 77;
	int r;

	snprintf(want, sizeof(want), "cannot open lock file '%s': %s", p, want_reason);
	r = runner_lock_take(p, &l, &holder, &err);
	if (r != want_r)
		fail_msg("returned %d (%s), expected %d; message '%s'", r, strerror(-r), want_r, err.msg);
	assert_string_equal(err.msg, want);
	assert_ptr_equal(l, sentinel);
	assert_int_equal(holder, 77);
}

static void test_bad_paths(void **state)
{
	char p[128], target[128], link[128];

	(void)state;
	snprintf(p, sizeof(p), "%s/no-such-dir/history.db.lock", root);
	expect_open_error(p, -ENOENT, "No such file or directory");
	expect_open_error(root, -EISDIR, "Is a directory");

	/* root would truncate whatever a planted symlink points at */
	snprintf(target, sizeof(target), "%s/precious", root);
	snprintf(link, sizeof(link), "%s/link.lock", root);
	{
		FILE *f = fopen(target, "w");

		assert_non_null(f);
		fputs("keep me\n", f);
		assert_int_equal(fclose(f), 0);
	}
	assert_int_equal(symlink(target, link), 0);
	expect_open_error(link, -ELOOP, "it is a symbolic link");
	expect_content(target, "keep me\n");

	snprintf(p, sizeof(p), "%s/fifo", root);
	assert_int_equal(mkfifo(p, 0644), 0);
	expect_open_error(p, -EINVAL, "it is not a regular file");
}

static mode_t mode_of(const char *file)
{
	struct stat st;

	assert_int_equal(stat(file, &st), 0);
	return st.st_mode & 07777;
}

/*
 * Whoever may open the file may flock it: the lock is the owner's alone, whatever the umask,
 * and one left readable by others is closed when taken.
 */
static void test_mode(void **state)
{
	struct runner_lock *l;
	mode_t old = umask(0);
	int fd;

	(void)state;
	l = take();
	assert_int_equal(mode_of(path), 0600);
	runner_lock_release(l);
	assert_int_equal(chmod(path, 0644), 0);
	l = take();
	assert_int_equal(mode_of(path), 0600);
	/* and while we hold it, nobody who opens it without writing can take it */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), -1);
	close(fd);
	runner_lock_release(l);
	umask(old);
}

/*
 * The descriptor must not outlive exec in the jobs the runner starts: a job holding it would
 * hold the lock past the runner, keeping every later run out.
 */
static void test_not_inherited(void **state)
{
	struct runner_lock *l;
	int p[2], status;
	pid_t child;
	char c;

	(void)state;
	l = take();
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		execl("/bin/sleep", "sleep", "60", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	/* end of file once the child has exec'd: its copy of the pipe was close-on-exec too */
	assert_int_equal(read(p[0], &c, 1), 0);
	close(p[0]);
	runner_lock_release(l);
	l = take();
	runner_lock_release(l);
	assert_int_equal(kill(child, SIGKILL), 0);
	assert_int_equal(waitpid(child, &status, 0), child);
	/* the child did run sleep (killed), and did not fail to exec (127) */
	assert_true(WIFSIGNALED(status));
}

/* Whether a process runs (a zombie does not). */
static bool running(pid_t pid)
{
	char p[64], buf[512];
	const char *c;
	FILE *f;
	size_t n;

	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	f = fopen(p, "r");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	c = strrchr(buf, ')');
	return c && c[1] == ' ' && c[2] != 'Z' && c[2] != 'X';
}

/*
 * A holder killed outright while its job runs: the job's group, noted in the lock, goes to
 * the next holder, who stops it; the holder's pid is still read with the job noted after it.
 */
static void test_job_left_by_killed_holder(void **state)
{
	unsigned long long start = 0, got = 1;
	struct runner_lock *l;
	pid_t holder, job = 0, grandchild = 0, busy = 0;
	int p[2], status;

	(void)state;
	assert_int_equal(pipe(p), 0);
	holder = fork();
	assert_true(holder >= 0);
	if (holder == 0) {
		struct runner_lock *h;
		pid_t pids[2];
		int q[2];

		close(p[0]);
		alarm(60);
		if (runner_lock_take(path, &h, NULL, NULL) < 0 || pipe(q) < 0)
			_exit(1);
		pids[0] = fork();
		if (pids[0] == 0) {
			/* the job: a group of its own, and a child of its own; exec drops our lock's descriptor */
			char cmd[64];

			setsid();
			snprintf(cmd, sizeof(cmd), "sleep 60 & echo $! >&%d; wait", q[1]);
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
			_exit(127);
		}
		{
			char buf[32] = "";

			if (read(q[0], buf, sizeof(buf) - 1) <= 0 || (pids[1] = (pid_t)atoi(buf)) <= 0 ||
			    proc_start_time(pids[0], &start) < 0)
				_exit(1);
		}
		runner_lock_note_job(h, pids[0], start);
		if (write(p[1], pids, sizeof(pids)) != sizeof(pids) || write(p[1], &start, sizeof(start)) != sizeof(start))
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	{
		pid_t pids[2];

		assert_int_equal(read(p[0], pids, sizeof(pids)), sizeof(pids));
		assert_int_equal(read(p[0], &start, sizeof(start)), sizeof(start));
		job = left_job = pids[0];
		grandchild = pids[1];
	}
	close(p[0]);
	assert_int_equal(runner_lock_take(path, &l, &busy, NULL), -EBUSY);
	assert_int_equal(busy, holder);
	assert_int_equal(kill(holder, SIGKILL), 0);
	assert_int_equal(waitpid(holder, &status, 0), holder);
	assert_true(running(job) && running(grandchild));

	l = take();
	assert_int_equal(runner_lock_left_job(l, &got), job);
	assert_true(got == start);
	/* a start time that is not the leader's: the pid names another process, which is left alone */
	assert_int_equal(proc_stop_left_group(job, start + 1, 1), 0);
	assert_true(running(job) && running(grandchild));
	assert_int_equal(proc_stop_left_group(job, start, 1), 1);
	assert_false(running(job));
	assert_false(running(grandchild));
	assert_int_equal(proc_stop_left_group(job, start, 1), 0);
	/* once noted as done, the next holder is told of none */
	runner_lock_note_job(l, 0, 0);
	expect_pid_in_file(getpid());
	runner_lock_release(l);
	l = take();
	assert_int_equal(runner_lock_left_job(l, &got), 0);
	runner_lock_release(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_take_release_retake, setup, teardown),
		cmocka_unit_test_setup_teardown(test_holder_killed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_holder_without_pid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_inherited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_left_by_killed_holder, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
