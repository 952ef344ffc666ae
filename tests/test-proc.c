/* test-proc.c — running a job: exit status, stopping its whole group, a clean start, confinement, output */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cmocka.h>

#include "proc.h"
#include "tmpdir.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })

static char *const base_env[] = { "PATH=/usr/bin:/bin", NULL };

/* What a job said, line by line, and what the test does on a line. */
struct output {
	char **lines;
	size_t n;
	pid_t pid;           /* the job */
	bool stop_on_first;  /* proc_request_stop() on the first line */
	const char *kill_on; /* SIGKILL to the job when this line comes */
};

static void on_line(const char *line, size_t len, void *userdata)
{
	struct output *o = userdata;

	(void)len;
	if (strv_push(&o->lines, line) < 0)
		abort();
	o->n++;
	if (o->stop_on_first && o->n == 1)
		proc_request_stop();
	if (o->kill_on && strcmp(line, o->kill_on) == 0)
		kill(o->pid, SIGKILL);
}

static void output_free(struct output *o)
{
	strv_free(o->lines);
	memset(o, 0, sizeof(*o));
}

/* The lines joined by spaces: one string to compare, readable when it differs. */
static void output_join(const struct output *o, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < o->n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? " " : "", o->lines[i]);
}

/* Start and wait without cmocka, for the forked helpers below: 0, or -errno with msg set. */
static int run_quiet(const struct proc_spec *spec, int64_t timeout, int64_t grace, struct proc_watch *watch,
		     struct output *o, struct proc_result *res, struct wg_err *err)
{
	struct proc_watch none = { 0 };
	struct proc *p;
	int r;

	if (!watch)
		watch = &none;
	r = proc_start(spec, &p, err);
	if (r < 0)
		return r;
	o->pid = proc_pid(p);
	watch->line = on_line;
	watch->userdata = o;
	return proc_wait(p, timeout, grace, watch, res, err);
}

static void run_watched(const struct proc_spec *spec, int64_t timeout, int64_t grace, struct proc_watch *watch,
			struct output *o, struct proc_result *res)
{
	struct wg_err err = { "" };

	if (run_quiet(spec, timeout, grace, watch, o, res, &err) < 0)
		fail_msg("%s", err.msg);
}

static void run(const struct proc_spec *spec, int64_t timeout, int64_t grace, struct output *o, struct proc_result *res)
{
	run_watched(spec, timeout, grace, NULL, o, res);
}

/* Run a job that is expected to print one line, and return it. */
static const char *run_line(const struct proc_spec *spec)
{
	static char buf[PROC_LINE_MAX + 1];
	struct output o = { 0 };
	struct proc_result res;

	run(spec, 5, 1, &o, &res);
	assert_int_equal(res.end, PROC_EXITED);
	assert_int_equal(res.exit_status, 0);
	assert_int_equal(o.n, 1);
	snprintf(buf, sizeof(buf), "%s", o.lines[0]);
	output_free(&o);
	return buf;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Alive and not a zombie: here an orphan's zombie may linger, as init does not always reap. */
static bool pid_alive(pid_t pid)
{
	char path[64], buf[512];
	const char *c;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	c = strrchr(buf, ')');
	return c && c[1] == ' ' && c[2] != 'Z' && c[2] != 'X';
}

static pid_t line_pid(const struct output *o, size_t i)
{
	long v;

	assert_true(o->n > i);
	v = strtol(o->lines[i], NULL, 10);
	assert_true(v > 1);
	return (pid_t)v;
}

/* No child of ours is left, reaped or not: a failed start cleaned up after itself. */
static void assert_no_children(void)
{
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

/* --- running in a process where some system calls fail, as on an older kernel --- */

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#endif

static int deny_syscalls(const long *nrs, size_t n)
{
#ifdef NATIVE_ARCH
	struct sock_filter f[32];
	struct sock_fprog prog;
	size_t i = 0;

	if (n > 8)
		return -1;
	f[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0);
	f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[i++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	for (size_t k = 0; k < n; k++) {
		f[i++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nrs[k], 0, 1);
		f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	}
	f[i++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog.len = (unsigned short)i;
	prog.filter = f;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
#else
	(void)nrs;
	(void)n;
	return -1;
#endif
}

#define SANDBOX_NO_SECCOMP 77

/*
 * Run fn in a child process in which the system calls deny lists fail with ENOSYS, and return
 * what it wrote to out; skip the test where seccomp is not to be had.
 */
static void sandboxed(const long *deny, size_t ndeny, void (*fn)(char *out, size_t len), char *out, size_t len)
{
	size_t used = 0;
	int p[2], status;
	pid_t pid;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char buf[1024] = "";

		close(p[0]);
		if (ndeny > 0 && deny_syscalls(deny, ndeny) < 0)
			_exit(SANDBOX_NO_SECCOMP);
		fn(buf, sizeof(buf));
		if (write(p[1], buf, strlen(buf)) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	for (;;) {
		ssize_t n = read(p[0], out + used, len - 1 - used);

		if (n <= 0)
			break;
		used += (size_t)n;
	}
	out[used] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == SANDBOX_NO_SECCOMP)
		skip();
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* --- exit status and stopping --- */

static void test_exit_status(void **state)
{
	static const char *const scripts[] = { "exit 0", "exit 3", "exit 255" };
	static const int want[] = { 0, 3, 255 };

	(void)state;
	for (size_t i = 0; i < WG_ELEMENTSOF(scripts); i++) {
		struct proc_spec spec = { .argv = ARGV((char *)scripts[i]), .shell = true };
		struct output o = { 0 };
		struct proc_result res;

		run(&spec, 0, 1, &o, &res);
		assert_int_equal(res.end, PROC_EXITED);
		assert_int_equal(res.exit_status, want[i]);
		assert_int_equal(res.signal, 0);
		assert_false(res.left_behind);
		output_free(&o);
	}
}

static void test_killed_from_outside(void **state)
{
	struct proc_spec spec = { .argv = ARGV("echo ready; exec sleep 10"), .shell = true };
	struct output o = { .kill_on = "ready" };
	struct proc_result res;
	struct timespec t0;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	run(&spec, 5, 1, &o, &res);
	assert_true(seconds_since(&t0) < 1.5);
	assert_int_equal(res.end, PROC_SIGNALED);
	assert_int_equal(res.signal, SIGKILL);
	assert_int_equal(res.exit_status, 128 + SIGKILL);
	output_free(&o);
}

static void test_timeout_kills_group(void **state)
{
	struct proc_spec spec = { .argv = ARGV("sleep 100 & echo $!; sleep 100"), .shell = true };
	struct output o = { 0 };
	struct proc_result res;
	struct timespec t0;
	double took;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	run(&spec, 1, 2, &o, &res);
	took = seconds_since(&t0);
	assert_int_equal(res.end, PROC_TIMEOUT);
	assert_int_equal(res.signal, SIGTERM);
	assert_int_equal(res.exit_status, 128 + SIGTERM);
	assert_false(res.left_behind);
	assert_true(took >= 1.0 && took < 1.9); /* SIGTERM did it: no wait for the grace */
	assert_false(pid_alive(line_pid(&o, 0)));
	output_free(&o);
}

static void test_sigterm_ignored_gets_sigkill(void **state)
{
	/* the grandchild ignores SIGTERM (kept across its exec), and says so once it does */
	struct proc_spec spec = {
		.argv = ARGV("sh -c 'trap \"\" TERM; echo $$; exec sleep 100' & wait"),
		.shell = true,
	};
	struct output o = { .stop_on_first = true };
	struct proc_result res;
	struct timespec t0;
	double took;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	run(&spec, 0, 1, &o, &res);
	took = seconds_since(&t0);
	assert_int_equal(res.end, PROC_STOPPED);
	assert_int_equal(res.signal, SIGTERM); /* the shell went at once */
	assert_false(res.left_behind);
	assert_true(took >= 1.0 && took < 2.0); /* the grandchild lasted the grace, not longer */
	assert_false(pid_alive(line_pid(&o, 0)));
	output_free(&o);
}

static void test_stopped_process_is_continued(void **state)
{
	/* a stopped job would hold SIGTERM pending until SIGKILL came; SIGCONT lets it act on it */
	struct proc_spec spec = { .argv = ARGV("kill -STOP $$; sleep 100"), .shell = true };
	struct output o = { 0 };
	struct proc_result res;
	struct timespec t0;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	run(&spec, 1, 2, &o, &res);
	assert_true(seconds_since(&t0) < 1.9);
	assert_int_equal(res.end, PROC_TIMEOUT);
	assert_int_equal(res.signal, SIGTERM);
	output_free(&o);
}

static bool tick_stop(void *userdata)
{
	int *ticks = userdata;

	(*ticks)++;
	return true;
}

static bool tick_go_on(void *userdata)
{
	int *ticks = userdata;

	(*ticks)++;
	return false;
}

static void test_tick_stops(void **state)
{
	struct proc_spec spec = { .argv = ARGV("/bin/sleep", "10") };
	int ticks = 0;
	struct proc_watch watch = { .interval = 1, .tick = tick_stop, .userdata = &ticks };
	struct proc_result res;
	struct wg_err err = { "" };
	struct timespec t0;
	struct proc *p;
	double took;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(proc_start(&spec, &p, &err), 0);
	assert_int_equal(proc_wait(p, 0, 1, &watch, &res, &err), 0);
	took = seconds_since(&t0);
	assert_int_equal(ticks, 1);
	assert_true(took >= 1.0 && took < 1.8);
	assert_int_equal(res.end, PROC_STOPPED);
	assert_int_equal(res.signal, SIGTERM);
	assert_int_equal(res.exit_status, 128 + SIGTERM);
}

static void test_tick_going_on(void **state)
{
	struct proc_spec spec = { .argv = ARGV("/bin/sleep", "1.5") };
	int ticks = 0;
	struct proc_watch watch = { .interval = 1, .tick = tick_go_on, .userdata = &ticks };
	struct proc_result res;
	struct wg_err err = { "" };
	struct proc *p;

	(void)state;
	assert_int_equal(proc_start(&spec, &p, &err), 0);
	assert_int_equal(proc_wait(p, 0, 1, &watch, &res, &err), 0);
	assert_int_equal(ticks, 1);
	assert_int_equal(res.end, PROC_EXITED);
	assert_int_equal(res.exit_status, 0);
}

/* Looks: a quick one every look_ms beside the ticks; the fifth says stop. */
static bool look_fifth(void *userdata)
{
	int *looks = userdata;

	return ++*looks == 5;
}

static void test_look_stops(void **state)
{
	struct proc_spec spec = { .argv = ARGV("/bin/sleep", "10") };
	int looks = 0;
	struct proc_watch watch = { .interval = 60, .tick = tick_stop, .look_ms = 100, .look = look_fifth, .userdata = &looks };
	struct proc_result res;
	struct wg_err err = { "" };
	struct timespec t0;
	struct proc *p;
	double took;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(proc_start(&spec, &p, &err), 0);
	assert_int_equal(proc_wait(p, 0, 1, &watch, &res, &err), 0);
	took = seconds_since(&t0);
	assert_int_equal(looks, 5);
	/* five looks 100 ms apart, not the minute of the tick */
	assert_true(took >= 0.5 && took < 5.0);
	assert_int_equal(res.end, PROC_STOPPED);
	assert_int_equal(res.signal, SIGTERM);
}

static void test_look_going_on(void **state)
{
	struct proc_spec spec = { .argv = ARGV("/bin/sleep", "0.3") };
	int looks = -1000; /* never reaches the fifth */
	struct proc_watch watch = { .look_ms = 50, .look = look_fifth, .userdata = &looks };
	struct proc_result res;
	struct wg_err err = { "" };
	struct proc *p;

	(void)state;
	assert_int_equal(proc_start(&spec, &p, &err), 0);
	assert_int_equal(proc_wait(p, 0, 1, &watch, &res, &err), 0);
	assert_true(looks > -1000);
	assert_int_equal(res.end, PROC_EXITED);
	assert_int_equal(res.exit_status, 0);
}

static void on_alarm(int sig)
{
	(void)sig;
	proc_request_stop();
}

static void test_stop_from_signal_handler(void **state)
{
	struct proc_spec spec = { .argv = ARGV("/bin/sleep", "10") };
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval in_200ms = { .it_value = { .tv_usec = 200000 } };
	struct output o = { 0 };
	struct proc_result res;
	struct timespec t0;

	(void)state;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(setitimer(ITIMER_REAL, &in_200ms, NULL), 0);
	run(&spec, 5, 1, &o, &res);
	assert_true(seconds_since(&t0) < 0.8);
	assert_int_equal(sigaction(SIGALRM, &old, NULL), 0);
	assert_int_equal(res.end, PROC_STOPPED);
	assert_int_equal(res.exit_status, 128 + SIGTERM);
	output_free(&o);
}

static void *stop_later(void *arg)
{
	struct timespec ts = { .tv_nsec = 200 * 1000 * 1000 };

	(void)arg;
	nanosleep(&ts, NULL);
	proc_request_stop();
	return NULL;
}

static void test_stop_from_thread(void **state)
{
	/* no signal interrupts our poll() here: only the wake-up pipe can end it early */
	struct proc_spec spec = { .argv = ARGV("/bin/sleep", "10") };
	struct output o = { 0 };
	struct proc_result res;
	struct timespec t0;
	pthread_t t;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(pthread_create(&t, NULL, stop_later, NULL), 0);
	run(&spec, 5, 1, &o, &res);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(seconds_since(&t0) < 0.8);
	assert_int_equal(res.end, PROC_STOPPED);
	output_free(&o);
}

/* The job's process has ended (a zombie now), without reaping it: that is proc_wait()'s. */
static bool job_ended(pid_t pid)
{
	siginfo_t si = { 0 };

	assert_int_equal(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT), 0);
	return si.si_pid == pid;
}

static void test_stop_before_wait_is_kept_then_consumed(void **state)
{
	struct proc_spec sleeper = { .argv = ARGV("/bin/sleep", "10") };
	struct proc_spec quick = { .argv = ARGV("exit 7"), .shell = true };
	struct proc_spec sleeper_short = { .argv = ARGV("/bin/sleep", "0.3") };
	struct proc_watch watch = { 0 };
	struct output o = { 0 };
	struct proc_result res;
	struct wg_err err = { "" };
	struct timespec t0;
	struct proc *p;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(proc_start(&sleeper, &p, &err), 0);
	proc_request_stop(); /* as if SIGTERM came between start and wait */
	assert_int_equal(proc_wait(p, 5, 1, &watch, &res, &err), 0);
	assert_true(seconds_since(&t0) < 0.8);
	assert_int_equal(res.end, PROC_STOPPED);
	/* the next job is not stopped by the same request */
	run(&quick, 5, 1, &o, &res);
	assert_int_equal(res.end, PROC_EXITED);
	assert_int_equal(res.exit_status, 7);
	output_free(&o);

	/* a request that came when the job had ended already: that wait takes it, not the next */
	assert_int_equal(proc_start(&quick, &p, &err), 0);
	while (!job_ended(proc_pid(p)))
		usleep(10000);
	proc_request_stop();
	assert_int_equal(proc_wait(p, 5, 1, &watch, &res, &err), 0);
	assert_int_equal(res.end, PROC_EXITED);
	assert_int_equal(proc_start(&sleeper_short, &p, &err), 0);
	assert_int_equal(proc_wait(p, 5, 1, &watch, &res, &err), 0);
	assert_int_equal(res.end, PROC_EXITED);
}

/* A job that leaves a child behind ends when it does: the child is stopped with its group, not waited for. */
static void check_grandchild(const char *script, int exit_status)
{
	struct proc_spec spec = { .argv = ARGV((char *)script), .shell = true };
	struct output o = { 0 };
	struct proc_result res;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	run(&spec, 0, 2, &o, &res);
	assert_true(seconds_since(&t0) < 1.0);
	assert_int_equal(res.end, PROC_EXITED);
	assert_int_equal(res.exit_status, exit_status);
	assert_false(pid_alive(line_pid(&o, 0)));
	output_free(&o);
}

static void test_grandchild_holding_output(void **state)
{
	(void)state;
	check_grandchild("sleep 100 & echo $!; exit 4", 4);
}

static void test_grandchild_without_output(void **state)
{
	(void)state;
	check_grandchild("sleep 100 >/dev/null 2>&1 & echo $!", 0);
}

static void test_escaped_process_does_not_hold_us(void **state)
{
	/* it left the group (setsid) with our pipe: not ours to kill, and no reason to wait */
	struct proc_spec spec = { .argv = ARGV("setsid sleep 100 & echo $!"), .shell = true, .env = base_env };
	struct output o = { 0 };
	struct proc_result res;
	struct timespec t0;
	pid_t escaped;

	(void)state;
	if (access("/usr/bin/setsid", X_OK) < 0)
		skip();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	run(&spec, 0, 1, &o, &res);
	assert_true(seconds_since(&t0) < 1.0);
	assert_int_equal(res.end, PROC_EXITED);
	escaped = line_pid(&o, 0);
	assert_true(pid_alive(escaped));
	kill(escaped, SIGKILL);
	output_free(&o);
}

/* --- a clean start --- */

/* Which descriptors the job's shell has, what 0 is, and whether 1 and 2 are one pipe. */
static void fds_probe(char *out, size_t len)
{
	static const char script[] = "i=0; while [ $i -le 300 ]; do [ -e /proc/$$/fd/$i ] && echo $i; i=$((i+1)); done; "
				     "readlink /proc/$$/fd/0; "
				     "[ \"$(readlink /proc/$$/fd/1)\" = \"$(readlink /proc/$$/fd/2)\" ] && echo same-pipe";
	struct proc_spec spec = { .argv = ARGV((char *)script), .shell = true, .env = base_env };
	struct output o = { 0 };
	struct proc_result res;
	struct wg_err err = { "" };

	if (run_quiet(&spec, 5, 1, NULL, &o, &res, &err) < 0)
		snprintf(out, len, "error: %s", err.msg);
	else if (res.end != PROC_EXITED || res.exit_status != 0)
		snprintf(out, len, "error: exit %d", res.exit_status);
	else
		output_join(&o, out, len);
	output_free(&o);
}

/* Descriptors a careless runner might pass on: no O_CLOEXEC, one of them far up. */
static void open_leaky_fds(int fds[4])
{
	int p[2];

	fds[0] = open("/dev/null", O_RDONLY);
	assert_true(fds[0] >= 0);
	assert_int_equal(pipe(p), 0);
	fds[1] = p[0];
	fds[2] = p[1];
	fds[3] = dup2(fds[0], 250);
	assert_int_equal(fds[3], 250);
}

static void close_fds(const int fds[4])
{
	for (int i = 0; i < 4; i++)
		close(fds[i]);
}

static void test_no_inherited_fds(void **state)
{
	char got[1024];
	int fds[4];

	(void)state;
	open_leaky_fds(fds);
	fds_probe(got, sizeof(got));
	close_fds(fds);
	assert_string_equal(got, "0 1 2 /dev/null same-pipe");
}

static void test_no_inherited_fds_without_close_range(void **state)
{
	static const long no_close_range[] = { SYS_close_range };
	static const long no_close_range_nor_proc[] = { SYS_close_range, SYS_getdents64 };
	char got[1024];
	int fds[4];

	(void)state;
	open_leaky_fds(fds);
	/* the /proc/self/fd listing */
	sandboxed(no_close_range, WG_ELEMENTSOF(no_close_range), fds_probe, got, sizeof(got));
	assert_string_equal(got, "0 1 2 /dev/null same-pipe");
	/* every number up to RLIMIT_NOFILE */
	sandboxed(no_close_range_nor_proc, WG_ELEMENTSOF(no_close_range_nor_proc), fds_probe, got, sizeof(got));
	close_fds(fds);
	assert_string_equal(got, "0 1 2 /dev/null same-pipe");
}

/* Exit status, and whether the grandchild that kept our pipe is gone. */
static void straggler_probe(char *out, size_t len)
{
	struct proc_spec spec = { .argv = ARGV("sleep 100 & echo $!; exit 4"), .shell = true };
	struct output o = { 0 };
	struct proc_result res;
	struct wg_err err = { "" };

	if (run_quiet(&spec, 5, 1, NULL, &o, &res, &err) < 0)
		snprintf(out, len, "error: %s", err.msg);
	else if (o.n != 1)
		snprintf(out, len, "error: %zu lines", o.n);
	else
		snprintf(out, len, "%d %s", res.exit_status,
			 pid_alive((pid_t)atoi(o.lines[0])) ? "alive" : "gone");
	output_free(&o);
}

static void test_without_pidfd(void **state)
{
	static const long no_pidfd[] = { SYS_pidfd_open };
	char got[1024];

	(void)state;
	sandboxed(no_pidfd, WG_ELEMENTSOF(no_pidfd), straggler_probe, got, sizeof(got));
	assert_string_equal(got, "4 gone");
}

/* A runner started with 0, 1 and 2 closed (a careless daemon): the job's stdio still is right. */
static void stdio_closed_probe(char *out, size_t len)
{
	struct proc_spec spec = { .argv = ARGV("echo hi; readlink /proc/$$/fd/0"), .shell = true, .env = base_env };
	struct output o = { 0 };
	struct proc_result res;
	struct wg_err err = { "" };

	close(0);
	close(1);
	close(2);
	if (run_quiet(&spec, 5, 1, NULL, &o, &res, &err) < 0)
		snprintf(out, len, "error: %s", err.msg);
	else
		output_join(&o, out, len);
	output_free(&o);
}

static void test_runner_without_stdio(void **state)
{
	char got[1024];

	(void)state;
	sandboxed(NULL, 0, stdio_closed_probe, got, sizeof(got));
	assert_string_equal(got, "hi /dev/null");
}

static void test_clean_environment(void **state)
{
	struct proc_spec spec = { .argv = ARGV("/usr/bin/env"), .env = ARGV("A=1", "B=two words") };
	struct output o = { 0 };
	struct proc_result res;

	(void)state;
	assert_int_equal(setenv("WG_TEST_PROC_LEAK", "1", 1), 0);
	run(&spec, 5, 1, &o, &res);
	assert_int_equal(res.exit_status, 0);
	assert_int_equal(o.n, 2);
	assert_string_equal(o.lines[0], "A=1");
	assert_string_equal(o.lines[1], "B=two words");
	output_free(&o);

	spec.env = NULL;
	run(&spec, 5, 1, &o, &res);
	assert_int_equal(res.exit_status, 0);
	assert_int_equal(o.n, 0);
	assert_int_equal(res.tail_len, 0);
	output_free(&o);
	unsetenv("WG_TEST_PROC_LEAK");
}

static void test_signals_reset(void **state)
{
	struct proc_spec spec = { .argv = ARGV("/bin/grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status") };
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	sigset_t usr2, oldmask;
	struct output o = { 0 };
	struct proc_result res;

	(void)state;
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	assert_int_equal(sigaction(SIGUSR1, &ign, &old), 0);
	assert_int_equal(sigprocmask(SIG_BLOCK, &usr2, &oldmask), 0);
	run(&spec, 5, 1, &o, &res);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	sigaction(SIGUSR1, &old, NULL);
	assert_int_equal(o.n, 2);
	assert_string_equal(o.lines[0], "SigBlk:\t0000000000000000");
	assert_string_equal(o.lines[1], "SigIgn:\t0000000000000000");
	output_free(&o);
}

static void test_refuses_ignored_sigchld(void **state)
{
	struct proc_spec spec = { .argv = ARGV("/bin/true") };
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	struct wg_err err = { "" };
	struct proc *p = NULL;
	int r;

	(void)state;
	assert_int_equal(sigaction(SIGCHLD, &ign, &old), 0);
	r = proc_start(&spec, &p, &err);
	sigaction(SIGCHLD, &old, NULL);
	assert_int_equal(r, -EINVAL);
	assert_null(p);
	assert_non_null(strstr(err.msg, "SIGCHLD is ignored"));
}

/* --- output --- */

static void test_lines_in_order_and_tail(void **state)
{
	struct proc_spec spec = { .argv = ARGV("/usr/bin/seq", "1", "20000") };
	struct output o = { 0 };
	struct proc_result res;
	char *all = malloc(200000);
	size_t len = 0;

	(void)state;
	assert_non_null(all);
	for (int i = 1; i <= 20000; i++)
		len += (size_t)sprintf(all + len, "%d\n", i);
	assert_true(len > 100 * 1024);
	run(&spec, 5, 1, &o, &res);
	assert_int_equal(res.exit_status, 0);
	assert_int_equal(o.n, 20000);
	for (size_t i = 0; i < o.n; i++)
		assert_int_equal(strtol(o.lines[i], NULL, 10), (long)i + 1);
	assert_int_equal(res.tail_len, PROC_TAIL_MAX);
	assert_memory_equal(res.tail, all + len - PROC_TAIL_MAX, PROC_TAIL_MAX);
	assert_int_equal(res.tail[PROC_TAIL_MAX], '\0');
	free(all);
	output_free(&o);
}

static void test_long_lines_in_pieces(void **state)
{
	struct proc_spec spec = { .argv = ARGV("head -c 102400 /dev/zero | tr '\\0' x"), .shell = true, .env = base_env };
	struct output o = { 0 };
	struct proc_result res;
	size_t total = 0;

	(void)state;
	run(&spec, 5, 1, &o, &res);
	assert_int_equal(res.exit_status, 0);
	assert_int_equal(o.n, 102400 / PROC_LINE_MAX);
	for (size_t i = 0; i < o.n; i++) {
		size_t n = strlen(o.lines[i]);

		assert_int_equal(n, PROC_LINE_MAX);
		assert_int_equal(strspn(o.lines[i], "x"), n);
		total += n;
	}
	assert_int_equal(total, 102400);
	assert_int_equal(res.tail_len, PROC_TAIL_MAX);
	assert_int_equal(strspn(res.tail, "x"), PROC_TAIL_MAX);
	output_free(&o);

	/* a line of exactly PROC_LINE_MAX bytes is one line, whenever its newline comes */
	spec.argv = ARGV("head -c 4096 /dev/zero | tr '\\0' y; sleep 0.1; echo; echo end; printf 'no newline'");
	run(&spec, 5, 1, &o, &res);
	assert_int_equal(o.n, 3);
	assert_int_equal(strlen(o.lines[0]), PROC_LINE_MAX);
	assert_string_equal(o.lines[1], "end");
	assert_string_equal(o.lines[2], "no newline");
	output_free(&o);
}

/* --- failures before exec --- */

static void test_command_not_found(void **state)
{
	struct proc_spec spec = { .argv = ARGV("/usr/bin/nosuch") };
	struct wg_err err = { "" };
	struct proc *p = NULL;

	(void)state;
	assert_int_equal(proc_start(&spec, &p, &err), -ENOENT);
	assert_null(p);
	assert_string_equal(err.msg, "cannot run job command '/usr/bin/nosuch': No such file or directory");
	assert_no_children();
}

static char tmp[64];

static int tmp_setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/wg-test-proc-XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int tmp_teardown(void **state)
{
	(void)state;
	return tmpdir_remove(tmp);
}

/* started() runs before the job execs: what it notes (slowly: 200 ms here) is there when the job looks. */
struct noted {
	pid_t pid;
	char path[128];
};

static void note_started(pid_t pid, void *userdata)
{
	struct noted *n = userdata;
	FILE *f;

	nanosleep(&(struct timespec){ .tv_nsec = 200000000L }, NULL);
	n->pid = pid;
	f = fopen(n->path, "w");
	if (f)
		fclose(f);
}

static void test_started_before_the_job_runs(void **state)
{
	struct noted n = { 0 };
	char script[200];
	struct proc_spec spec = { .shell = true, .started = note_started, .userdata = &n };
	struct output o = { 0 };
	struct proc_result res;

	(void)state;
	snprintf(n.path, sizeof(n.path), "%s/noted", tmp);
	snprintf(script, sizeof(script), "test -e '%s' && echo \"$$\"", n.path);
	spec.argv = ARGV(script);
	run(&spec, 0, 1, &o, &res);
	assert_int_equal(res.end, PROC_EXITED);
	assert_int_equal(res.exit_status, 0);
	/* the pid it was given is the job's own (its session and group) */
	assert_true(n.pid > 0);
	assert_int_equal(o.n, 1);
	assert_int_equal(atoi(o.lines[0]), n.pid);
	output_free(&o);
}

static void write_script(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_path_of_the_job(void **state)
{
	char d1[128], d2[128], path_env[300], msg[128];
	struct proc_spec spec = { .argv = ARGV("true"), .env = base_env };
	struct wg_err err = { "" };
	struct proc *p = NULL;

	(void)state;
	/* found through the job's PATH */
	assert_string_equal(run_line(&(struct proc_spec){ .argv = ARGV("echo", "found"), .env = base_env }), "found");

	/* not through ours, which has /bin */
	assert_non_null(getenv("PATH"));
	spec.env = NULL;
	assert_int_equal(proc_start(&spec, &p, &err), -ENOENT);
	assert_string_equal(err.msg, "cannot run job command 'true': No such file or directory");

	/* a file that is not executable is passed over, like execvp() does */
	snprintf(d1, sizeof(d1), "%s/d1", tmp);
	snprintf(d2, sizeof(d2), "%s/d2", tmp);
	assert_int_equal(mkdir(d1, 0755), 0);
	assert_int_equal(mkdir(d2, 0755), 0);
	write_script(strcat(strcpy(path_env, d1), "/wgcmd"), "#!/bin/sh\necho from d1\n", 0644);
	write_script(strcat(strcpy(path_env, d2), "/wgcmd"), "#!/bin/sh\necho from d2\n", 0755);
	snprintf(path_env, sizeof(path_env), "PATH=%s:%s", d1, d2);
	spec.argv = ARGV("wgcmd");
	spec.env = ARGV(path_env);
	assert_string_equal(run_line(&spec), "from d2");

	/* and when it is the only one, that is the error */
	snprintf(path_env, sizeof(path_env), "PATH=%s", d1);
	assert_int_equal(proc_start(&spec, &p, &err), -EACCES);
	assert_string_equal(err.msg, "cannot run job command 'wgcmd': Permission denied");

	/* an empty or relative PATH element is not the job's directory */
	spec.env = ARGV("PATH=:.:d2");
	spec.cwd = d2;
	assert_int_equal(proc_start(&spec, &p, &err), -ENOENT);
	spec.cwd = tmp;
	assert_int_equal(proc_start(&spec, &p, &err), -ENOENT);
	snprintf(msg, sizeof(msg), "cannot run job command 'wgcmd': %s", strerror(ENOENT));
	assert_string_equal(err.msg, msg);
	assert_null(p);
	assert_no_children();
}

static void test_unknown_user(void **state)
{
	struct proc_spec spec = { .argv = ARGV("/bin/true"), .user = "nosuchuser-wg" };
	struct wg_err err = { "" };
	struct proc *p = NULL;

	(void)state;
	assert_int_equal(proc_start(&spec, &p, &err), -ESRCH);
	assert_null(p);
	assert_string_equal(err.msg, "cannot become user 'nosuchuser-wg': no such user");
	assert_no_children();
}

/* As root with supplementary groups (root here may have none): who does the job run as? */
static void user_probe(char *out, size_t len)
{
	static const gid_t groups[] = { 0, 4, 100 };
	struct proc_spec spec = { .argv = ARGV("id -u; id -g; id -G"), .shell = true, .env = base_env, .user = "nobody" };
	struct output o = { 0 };
	struct proc_result res;
	struct wg_err err = { "" };

	if (setgroups(WG_ELEMENTSOF(groups), groups) < 0)
		snprintf(out, len, "error: setgroups: %s", strerror(errno));
	else if (run_quiet(&spec, 5, 1, NULL, &o, &res, &err) < 0)
		snprintf(out, len, "error: %s", err.msg);
	else
		output_join(&o, out, len);
	output_free(&o);
}

static void test_user_drop(void **state)
{
	struct proc_spec spec = { .argv = ARGV("/bin/true"), .user = "nobody" };
	struct passwd *pw = getpwnam("nobody");
	struct wg_err err = { "" };
	char got[1024], want[64], closed[128], msg[256];
	struct proc *p = NULL;

	(void)state;
	if (!pw)
		skip();
	if (geteuid() != 0) {
		/* not root: refused, and nothing runs as someone else than asked */
		assert_int_equal(proc_start(&spec, &p, &err), -EPERM);
		assert_string_equal(err.msg, "cannot become user 'nobody': Operation not permitted");
		return;
	}
	sandboxed(NULL, 0, user_probe, got, sizeof(got));
	/* uid, gid, and the groups: root's 0, 4 and 100 gone, nobody has no others */
	snprintf(want, sizeof(want), "%u %u %u", (unsigned)pw->pw_uid, (unsigned)pw->pw_gid, (unsigned)pw->pw_gid);
	assert_string_equal(got, want);

	/* the directory is entered as the user: one only root may enter is refused */
	snprintf(closed, sizeof(closed), "%s/closed", tmp);
	assert_int_equal(mkdir(closed, 0700), 0);
	spec.cwd = closed;
	assert_int_equal(proc_start(&spec, &p, &err), -EACCES);
	snprintf(msg, sizeof(msg), "cannot enter directory '%s' for job command '/bin/true': Permission denied", closed);
	assert_string_equal(err.msg, msg);
	assert_no_children();
}

/* --- limits --- */

static void test_nice(void **state)
{
	struct proc_spec spec = { .argv = ARGV("/usr/bin/nice"), .nice = 5 };
	char want[16];
	int base;

	(void)state;
	errno = 0;
	base = getpriority(PRIO_PROCESS, 0);
	assert_int_equal(errno, 0);
	snprintf(want, sizeof(want), "%d", base + 5 > 19 ? 19 : base + 5);
	assert_string_equal(run_line(&spec), want);
	if (geteuid() == 0) {
		spec.nice = -3;
		snprintf(want, sizeof(want), "%d", base - 3 < -20 ? -20 : base - 3);
		assert_string_equal(run_line(&spec), want);
	}
}

static void test_ionice(void **state)
{
	struct proc_spec spec = { .argv = ARGV("/usr/bin/ionice"), .ionice_class = 3 };

	(void)state;
	if (access("/usr/bin/ionice", X_OK) < 0)
		skip();
	assert_string_equal(run_line(&spec), "idle");
	spec.ionice_class = 2;
	spec.ionice_level = 7;
	assert_string_equal(run_line(&spec), "best-effort: prio 7");
}

/* Where cgroup v2 is mounted (pure or hybrid hierarchy) and our cgroup in it ("" for the root). */
static bool own_cgroup2(char *mount, size_t mlen, char *rel, size_t rlen)
{
	static const char *const mounts[] = { "/sys/fs/cgroup/unified", "/sys/fs/cgroup" };
	char line[512];
	bool found = false;
	struct statfs sf;
	FILE *f;

	mount[0] = '\0';
	for (size_t i = 0; i < WG_ELEMENTSOF(mounts) && !mount[0]; i++)
		if (statfs(mounts[i], &sf) == 0 && sf.f_type == 0x63677270 /* CGROUP2_SUPER_MAGIC */)
			snprintf(mount, mlen, "%s", mounts[i]);
	f = fopen("/proc/self/cgroup", "re");
	if (!mount[0] || !f) {
		if (f)
			fclose(f);
		return false;
	}
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			found = wg_strlcpy(rel, strcmp(line + 3, "/") == 0 ? "" : line + 3, rlen) == 0;
			break;
		}
	}
	fclose(f);
	return found;
}

static void test_cgroup(void **state)
{
	struct proc_spec spec = { .argv = ARGV("/bin/true"), .cgroup = "/nonexistent-wg-cgroup" };
	struct output o = { 0 };
	struct proc_result res;
	struct wg_err err = { "" };
	char mount[64], rel[256], dir[400], want[300];
	struct proc *p = NULL;
	bool found = false;

	(void)state;
	assert_int_equal(proc_start(&spec, &p, &err), -ENOENT);
	assert_string_equal(err.msg, "cannot join cgroup '/nonexistent-wg-cgroup': No such file or directory");
	assert_no_children();

	if (geteuid() != 0 || !own_cgroup2(mount, sizeof(mount), rel, sizeof(rel)))
		skip();
	snprintf(want, sizeof(want), "0::%s/wg-test-proc-%d", rel, (int)getpid());
	snprintf(dir, sizeof(dir), "%s%s", mount, want + 3);
	if (mkdir(dir, 0755) < 0)
		skip();
	spec.argv = ARGV("/bin/cat", "/proc/self/cgroup");
	spec.cgroup = dir;
	run(&spec, 5, 1, &o, &res);
	for (size_t i = 0; i < o.n; i++)
		if (strcmp(o.lines[i], want) == 0)
			found = true;
	output_free(&o);
	/* the job is reaped, so the cgroup is empty; the kernel may take a moment to agree */
	for (int i = 0; i < 50 && rmdir(dir) < 0 && errno == EBUSY; i++)
		usleep(20000);
	assert_int_equal(res.exit_status, 0);
	assert_true(found);
}

/* --- the rest of the spec --- */

static void test_shell_mode(void **state)
{
	struct proc_spec spec = { .argv = ARGV("echo \"$0:$1\"", "zero", "one"), .shell = true };

	(void)state;
	assert_string_equal(run_line(&spec), "zero:one");
}

static void test_cwd(void **state)
{
	struct proc_spec spec = { .argv = ARGV("/bin/pwd") };
	char here[PATH_MAX];

	(void)state;
	assert_non_null(getcwd(here, sizeof(here)));
	assert_int_equal(chdir(tmp), 0);
	assert_string_equal(run_line(&spec), "/");
	spec.cwd = tmp;
	assert_int_equal(chdir("/"), 0);
	assert_string_equal(run_line(&spec), tmp);
	assert_int_equal(chdir(here), 0);
}

static void test_invalid_spec(void **state)
{
	struct proc_spec specs[] = {
		{ .argv = NULL },
		{ .argv = ARGV("") },
		{ .argv = ARGV("/bin/true"), .ionice_class = 1 },
		{ .argv = ARGV("/bin/true"), .ionice_class = 2, .ionice_level = 8 },
		{ .argv = ARGV("/bin/true"), .nice = 100 },
		{ .argv = ARGV("/bin/true"), .cwd = "tmp" },
		{ .argv = ARGV("/bin/true"), .cgroup = "wg" },
	};

	(void)state;
	for (size_t i = 0; i < WG_ELEMENTSOF(specs); i++) {
		struct wg_err err = { "" };
		struct proc *p = NULL;

		assert_int_equal(proc_start(&specs[i], &p, &err), -EINVAL);
		assert_null(p);
		assert_true(err.msg[0] != '\0');
	}
	assert_no_children();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_killed_from_outside),
		cmocka_unit_test(test_timeout_kills_group),
		cmocka_unit_test(test_sigterm_ignored_gets_sigkill),
		cmocka_unit_test(test_stopped_process_is_continued),
		cmocka_unit_test(test_tick_stops),
		cmocka_unit_test(test_tick_going_on),
		cmocka_unit_test(test_look_stops),
		cmocka_unit_test(test_look_going_on),
		cmocka_unit_test(test_stop_from_signal_handler),
		cmocka_unit_test(test_stop_from_thread),
		cmocka_unit_test(test_stop_before_wait_is_kept_then_consumed),
		cmocka_unit_test(test_grandchild_holding_output),
		cmocka_unit_test(test_grandchild_without_output),
		cmocka_unit_test(test_escaped_process_does_not_hold_us),
		cmocka_unit_test(test_no_inherited_fds),
		cmocka_unit_test(test_no_inherited_fds_without_close_range),
		cmocka_unit_test(test_without_pidfd),
		cmocka_unit_test(test_runner_without_stdio),
		cmocka_unit_test(test_clean_environment),
		cmocka_unit_test(test_signals_reset),
		cmocka_unit_test(test_refuses_ignored_sigchld),
		cmocka_unit_test(test_lines_in_order_and_tail),
		cmocka_unit_test(test_long_lines_in_pieces),
		cmocka_unit_test(test_command_not_found),
		cmocka_unit_test_setup_teardown(test_path_of_the_job, tmp_setup, tmp_teardown),
		cmocka_unit_test(test_unknown_user),
		cmocka_unit_test_setup_teardown(test_user_drop, tmp_setup, tmp_teardown),
		cmocka_unit_test(test_nice),
		cmocka_unit_test(test_ionice),
		cmocka_unit_test(test_cgroup),
		cmocka_unit_test(test_shell_mode),
		cmocka_unit_test_setup_teardown(test_cwd, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_started_before_the_job_runs, tmp_setup, tmp_teardown),
		cmocka_unit_test(test_invalid_spec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
