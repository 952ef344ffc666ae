/* proc.c — run one job's command: fork, confine, exec, watch, and make sure its whole process group is gone */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

/* ioprio_set(2) has neither a glibc wrapper nor constants in a header we can count on */
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_CLASS_SHIFT 13

#define NSEC_PER_SEC INT64_C(1000000000)
#define NSEC_PER_MSEC INT64_C(1000000)

/* After the job's own process ended: how long the rest of its group may still write to us. */
#define DRAIN_NS (200 * NSEC_PER_MSEC)
/* How often to look whether the group is gone: no descriptor tells us when a grandchild dies. */
#define GROUP_POLL_NS (50 * NSEC_PER_MSEC)
/*
 * After SIGKILL: how long to wait for the group to vanish. Only a process stuck in the kernel
 * outlives it; waiting for one forever would hang the runner, and with it every later job.
 */
#define KILL_WAIT_S 10

/* Reads (16 KiB each) of a busy job's output before its deadline and tick get a look again. */
#define READS_PER_WAKE 4

/*
 * The stop request. An atomic (lock-free, so allowed in a signal handler by C11) rather than a
 * volatile sig_atomic_t, because another thread may set it too. The flag says whether; the
 * self-pipe wakes the poll() in proc_wait(), which a flag alone cannot do when the request comes
 * from another thread, or from a handler that runs in another thread than ours.
 */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "atomic_int must be lock-free to be used in a signal handler");
static atomic_int stop_requested;
static atomic_int wake_w = -1;
static int wake_r = -1;
static pthread_mutex_t wake_lock = PTHREAD_MUTEX_INITIALIZER;

struct proc {
	pid_t pid;
	int out_fd;
	int pidfd; /* -1 when the kernel has no pidfd_open(): then we look every GROUP_POLL_NS */
	int64_t start_ns;
};

/*
 * What the child did not manage before exec, sent through the status channel; or STEP_READY:
 * everything is set up, and it waits for its parent's word to exec.
 */
enum step {
	STEP_READY,
	STEP_SESSION,
	STEP_STDIO,
	STEP_FDS,
	STEP_NICE,
	STEP_IONICE,
	STEP_CGROUP,
	STEP_USER,
	STEP_USER_HELD, /* the switch "succeeded" but the ids are not what we asked, or root comes back */
	STEP_CWD,
	STEP_EXEC,
};

struct child_status {
	int step;
	int error;
};

/*
 * Everything the child needs, prepared before fork: after fork in a process that may have
 * threads, the child may only make system calls (no malloc, no NSS lookup, no stdio).
 */
struct launch {
	char *const *argv; /* what is exec'd: the spec's, or /bin/sh -c … */
	char *const *envp;
	const char *path; /* the job's own PATH, for a bare command name */
	const char *cwd;
	int nice;
	int ioprio;
	char *cgroup_procs;
	bool drop;
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	int ngroups;
	int devnull;
	int out_w;
	int status_w;
	char **shell_argv;
};

/*
 * Timeouts, grace and ticks run on CLOCK_MONOTONIC: real elapsed time that no clock change
 * moves. The WEARGATE_NOW clock of util.h is for dates, and stands still in tests.
 */
static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static int64_t add_seconds(int64_t t, int64_t seconds)
{
	if (seconds >= (INT64_MAX - t) / NSEC_PER_SEC)
		return INT64_MAX;
	return t + seconds * NSEC_PER_SEC;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

/* Our pipe ends must not be 0-2, or setting up the child's stdio would overwrite them. */
static int fd_above_stdio(int fd)
{
	int moved, saved;

	if (fd > 2)
		return fd;
	moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	saved = errno;
	close(fd);
	errno = saved;
	return moved;
}

/* A pipe, or with both true a socket pair (a channel both ways), on descriptors above 0, 1 and 2. */
static int pipe_above_stdio_as(int p[2], bool both_ways)
{
	if ((both_ways ? socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) : pipe2(p, O_CLOEXEC)) < 0)
		return -errno;
	p[0] = fd_above_stdio(p[0]);
	p[1] = fd_above_stdio(p[1]);
	if (p[0] < 0 || p[1] < 0) {
		int r = -errno;

		close_fd(&p[0]);
		close_fd(&p[1]);
		return r;
	}
	return 0;
}

static int pipe_above_stdio(int p[2])
{
	return pipe_above_stdio_as(p, false);
}

static int wake_init(void)
{
	int r = 0;

	pthread_mutex_lock(&wake_lock);
	if (wake_r < 0) {
		int p[2];

		/* never closed: a handler that read the number could otherwise write into its successor */
		if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
			r = -errno;
		} else {
			wake_r = p[0];
			atomic_store(&wake_w, p[1]);
		}
	}
	pthread_mutex_unlock(&wake_lock);
	return r;
}

void proc_request_stop(void)
{
	int saved = errno;
	int fd;

	atomic_store(&stop_requested, 1);
	fd = atomic_load(&wake_w);
	if (fd >= 0 && write(fd, "", 1) < 0) {
		/* full: a wake-up is already pending, which is all we need */
	}
	errno = saved;
}

static void wake_drain(void)
{
	char buf[64];

	while (read(wake_r, buf, sizeof(buf)) > 0)
		;
}

/* --- the child, between fork and exec: system calls only --- */

static _Noreturn void child_fail(int status_w, enum step step, int error)
{
	struct child_status st = { .step = step, .error = error };

	/* 8 bytes into an empty pipe: atomic, cannot block */
	if (write(status_w, &st, sizeof(st)) < 0) {
		/* the parent then sees a child that died before exec without a word */
	}
	_exit(127);
}

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* close_range() is missing (kernel before 5.9, or a seccomp filter): read /proc/self/fd by hand. */
static int close_listed_fds(int keep)
{
	_Alignas(struct linux_dirent64) char buf[4096];
	int dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0)
		return -1;
	for (;;) {
		long n = syscall(SYS_getdents64, dfd, buf, sizeof(buf));

		if (n < 0) {
			close(dfd);
			return -1;
		}
		if (n == 0)
			break;
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
			long fd = 0;
			const char *c;

			off += d->d_reclen;
			for (c = d->d_name; *c >= '0' && *c <= '9' && fd <= INT_MAX; c++)
				fd = fd * 10 + (*c - '0');
			if (*c || c == d->d_name || fd > INT_MAX) /* "." and ".." */
				continue;
			if (fd > 2 && fd != keep && fd != dfd)
				close((int)fd);
		}
	}
	close(dfd);
	return 0;
}

static int close_other_fds(int keep)
{
	struct rlimit rl;
	bool ok = true;
	int max;

	if (keep > 3 && close_range(3, (unsigned)keep - 1, 0) < 0)
		ok = false;
	if (ok && close_range((unsigned)keep + 1, ~0U, 0) == 0)
		return 0;
	if (close_listed_fds(keep) == 0)
		return 0;
	/* no /proc either: every number that can be a descriptor (the hard limit bounds them all) */
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -1;
	max = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > INT_MAX ? INT_MAX : (int)rl.rlim_max;
	for (int fd = 3; fd < max; fd++)
		if (fd != keep)
			close(fd);
	return 0;
}

/* execvpe() would search the PATH of our environment, not the job's: search the job's by hand. */
static void exec_job(const struct launch *l)
{
	const char *file = l->argv[0];
	size_t flen = strlen(file);
	bool denied = false;
	char buf[PATH_MAX];

	if (strchr(file, '/')) {
		execve(file, l->argv, l->envp);
		return;
	}
	for (const char *p = l->path; p && *p;) {
		const char *end = strchr(p, ':');
		size_t dlen = end ? (size_t)(end - p) : strlen(p);

		/* an empty or relative element means a directory that depends on where we are: never, as root */
		if (dlen > 0 && p[0] == '/' && dlen + 1 + flen < sizeof(buf)) {
			memcpy(buf, p, dlen);
			buf[dlen] = '/';
			memcpy(buf + dlen + 1, file, flen + 1);
			execve(buf, l->argv, l->envp);
			switch (errno) {
			case EACCES:
				denied = true;
				break;
			case ENOENT:
			case ENOTDIR:
			case ESTALE:
			case ENODEV:
			case ETIMEDOUT:
				break;
			default:
				return; /* found, but it will not run: say why */
			}
		}
		if (!end)
			break;
		p = end + 1;
	}
	errno = denied ? EACCES : ENOENT;
}

static _Noreturn void child_run(const struct launch *l)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t none;
	int fd;

	/* signals stay blocked (our parent blocked them all around fork) until just before exec */
	for (int sig = 1; sig < _NSIG; sig++)
		sigaction(sig, &sa, NULL); /* fails for SIGKILL, SIGSTOP and libc's own: nothing to reset there */

	/*
	 * A session, not just a process group: the job then has no controlling terminal, so a
	 * job that opens /dev/tty gets an error instead of stopping on SIGTTIN until its timeout.
	 */
	if (setsid() < 0)
		child_fail(l->status_w, STEP_SESSION, errno);
	if (dup2(l->devnull, 0) < 0 || dup2(l->out_w, 1) < 0 || dup2(l->out_w, 2) < 0)
		child_fail(l->status_w, STEP_STDIO, errno);
	if (close_other_fds(l->status_w) < 0)
		child_fail(l->status_w, STEP_FDS, errno);

	/* niceness and I/O class first: lowering them is allowed to anyone, raising them only to root */
	if (l->nice) {
		int cur;

		errno = 0;
		cur = getpriority(PRIO_PROCESS, 0);
		if (cur == -1 && errno)
			child_fail(l->status_w, STEP_NICE, errno);
		if (setpriority(PRIO_PROCESS, 0, cur + l->nice) < 0)
			child_fail(l->status_w, STEP_NICE, errno);
	}
	if (l->ioprio && syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, l->ioprio) < 0)
		child_fail(l->status_w, STEP_IONICE, errno);

	/* joining a cgroup needs write access to it, which the user we become may not have */
	if (l->cgroup_procs) {
		fd = open(l->cgroup_procs, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) != 1)
			child_fail(l->status_w, STEP_CGROUP, errno);
		close(fd);
	}

	if (l->drop) {
		if (setgroups((size_t)l->ngroups, l->groups) < 0 || setgid(l->gid) < 0 || setuid(l->uid) < 0)
			child_fail(l->status_w, STEP_USER, errno);
		/* what went wrong once (setuid failing with RLIMIT_NPROC, unnoticed) must not run a job as root */
		if (getuid() != l->uid || geteuid() != l->uid || getgid() != l->gid || getegid() != l->gid)
			child_fail(l->status_w, STEP_USER_HELD, EPERM);
		if (l->uid != 0 && setuid(0) == 0)
			child_fail(l->status_w, STEP_USER_HELD, EPERM);
	}

	/* after the switch, so that the directory is one the user may enter */
	if (chdir(l->cwd) < 0)
		child_fail(l->status_w, STEP_CWD, errno);

	/*
	 * Ready: the parent notes the job where it must be known before the job does anything (its
	 * session, which a hook inside it asks for), then says go. No word (the parent died): no job.
	 */
	{
		struct child_status ready = { .step = STEP_READY };
		char go;
		ssize_t n;

		if (write(l->status_w, &ready, sizeof(ready)) != sizeof(ready))
			_exit(127);
		do
			n = read(l->status_w, &go, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1)
			_exit(127);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	exec_job(l);
	child_fail(l->status_w, STEP_EXEC, errno);
}

/* --- the parent --- */

static int resolve_user(const char *name, struct launch *l, struct wg_err *err)
{
	struct passwd pw, *found = NULL;
	long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
	size_t size = hint > 0 ? (size_t)hint : 1024;
	char *buf = NULL;
	int r, n = 16;

	for (;;) {
		char *grown = realloc(buf, size);

		if (!grown) {
			free(buf);
			return wg_err_set(err, -ENOMEM, "cannot become user '%s': %s", name, strerror(ENOMEM));
		}
		buf = grown;
		r = getpwnam_r(name, &pw, buf, size, &found);
		if (r != ERANGE || size >= 1 << 20)
			break;
		size *= 2;
	}
	if (r == ENOENT || r == ESRCH || (r == 0 && !found)) {
		free(buf);
		return wg_err_set(err, -ESRCH, "cannot become user '%s': no such user", name);
	}
	if (r != 0) {
		free(buf);
		return wg_err_set(err, -r, "cannot become user '%s': %s", name, strerror(r));
	}
	l->uid = pw.pw_uid;
	l->gid = pw.pw_gid;
	for (;;) {
		gid_t *grown = realloc(l->groups, (size_t)n * sizeof(*grown));
		int want = n;

		if (!grown) {
			free(buf);
			return wg_err_set(err, -ENOMEM, "cannot become user '%s': %s", name, strerror(ENOMEM));
		}
		l->groups = grown;
		if (getgrouplist(name, l->gid, l->groups, &want) >= 0) {
			l->ngroups = want;
			break;
		}
		if (want <= n || want > 65536) {
			free(buf);
			return wg_err_set(err, -EINVAL, "cannot become user '%s': cannot list its groups", name);
		}
		n = want;
	}
	free(buf);
	l->drop = true;
	return 0;
}

static const char *env_get(char *const *env, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
			return env[i] + len + 1;
	return NULL;
}

static int launch_prepare(const struct proc_spec *spec, struct launch *l, struct wg_err *err)
{
	static char *const empty[] = { NULL };
	const char *what;
	int r;

	if (!spec->argv || !spec->argv[0] || !spec->argv[0][0])
		return wg_err_set(err, -EINVAL, "job has no command");
	what = spec->argv[0];
	if (spec->nice < -40 || spec->nice > 40)
		return wg_err_set(err, -EINVAL, "invalid niceness %d for job command '%s'", spec->nice, what);
	if ((spec->ionice_class != 0 && spec->ionice_class != 2 && spec->ionice_class != 3) ||
	    spec->ionice_level < 0 || spec->ionice_level > 7)
		return wg_err_set(err, -EINVAL, "invalid I/O priority class %d level %d for job command '%s'",
				  spec->ionice_class, spec->ionice_level, what);
	if (spec->cwd && spec->cwd[0] != '/')
		return wg_err_set(err, -EINVAL, "job directory '%s' is not an absolute path", spec->cwd);
	if (spec->cgroup && spec->cgroup[0] != '/')
		return wg_err_set(err, -EINVAL, "cgroup '%s' is not an absolute path", spec->cgroup);

	l->envp = spec->env ? spec->env : empty;
	l->path = env_get(spec->env, "PATH");
	l->cwd = spec->cwd ? spec->cwd : "/";
	l->nice = spec->nice;
	if (spec->ionice_class)
		l->ioprio = spec->ionice_class << IOPRIO_CLASS_SHIFT | spec->ionice_level;
	if (spec->shell) {
		size_t n = strv_length(spec->argv);

		l->shell_argv = calloc(n + 3, sizeof(*l->shell_argv));
		if (!l->shell_argv)
			return wg_err_set(err, -ENOMEM, "cannot start job command '%s': %s", what, strerror(ENOMEM));
		l->shell_argv[0] = (char *)"/bin/sh";
		l->shell_argv[1] = (char *)"-c";
		memcpy(l->shell_argv + 2, spec->argv, n * sizeof(*l->shell_argv));
		l->argv = l->shell_argv;
	} else {
		l->argv = spec->argv;
	}
	if (spec->cgroup) {
		size_t len = strlen(spec->cgroup) + sizeof("/cgroup.procs");

		l->cgroup_procs = malloc(len);
		if (!l->cgroup_procs)
			return wg_err_set(err, -ENOMEM, "cannot join cgroup '%s': %s", spec->cgroup, strerror(ENOMEM));
		snprintf(l->cgroup_procs, len, "%s/cgroup.procs", spec->cgroup);
	}
	if (spec->user) {
		r = resolve_user(spec->user, l, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static void launch_release(struct launch *l)
{
	free(l->shell_argv);
	free(l->cgroup_procs);
	free(l->groups);
	close_fd(&l->devnull);
	close_fd(&l->out_w);
	close_fd(&l->status_w);
}

static int child_error(const struct proc_spec *spec, const struct launch *l, const struct child_status *st,
		       struct wg_err *err)
{
	int e = st->error > 0 ? st->error : EIO;

	switch (st->step) {
	case STEP_SESSION:
		return wg_err_set(err, -e, "cannot start job command '%s' in a session of its own: %s", spec->argv[0],
				  strerror(e));
	case STEP_STDIO:
		return wg_err_set(err, -e, "cannot set up the output of job command '%s': %s", spec->argv[0],
				  strerror(e));
	case STEP_FDS:
		return wg_err_set(err, -e, "cannot close inherited descriptors for job command '%s': %s",
				  spec->argv[0], strerror(e));
	case STEP_NICE:
		return wg_err_set(err, -e, "cannot set niceness %+d for job command '%s': %s", spec->nice,
				  spec->argv[0], strerror(e));
	case STEP_IONICE:
		return wg_err_set(err, -e, "cannot set I/O priority class %d level %d for job command '%s': %s",
				  spec->ionice_class, spec->ionice_level, spec->argv[0], strerror(e));
	case STEP_CGROUP:
		return wg_err_set(err, -e, "cannot join cgroup '%s': %s", spec->cgroup, strerror(e));
	case STEP_USER:
		return wg_err_set(err, -e, "cannot become user '%s': %s", spec->user, strerror(e));
	case STEP_USER_HELD:
		return wg_err_set(err, -e, "cannot become user '%s': the switch did not hold", spec->user);
	case STEP_CWD:
		return wg_err_set(err, -e, "cannot enter directory '%s' for job command '%s': %s", l->cwd,
				  spec->argv[0], strerror(e));
	default:
		return wg_err_set(err, -e, "cannot run job command '%s': %s", l->argv[0], strerror(e));
	}
}

static void reap(pid_t pid, int *ret_status)
{
	int status = 0;

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (ret_status)
		*ret_status = status;
}

/* Whether a job can start here at all: its exit status ours to wait for, the stop wake-up ready. */
static int start_check(const struct proc_spec *spec, struct wg_err *err)
{
	struct sigaction chld;
	int r;

	if (sigaction(SIGCHLD, NULL, &chld) == 0 && (chld.sa_handler == SIG_IGN || (chld.sa_flags & SA_NOCLDWAIT)))
		return wg_err_set(err, -EINVAL, "cannot run job command '%s' while SIGCHLD is ignored: its exit status would be lost",
				  spec->argv[0]);
	r = wake_init();
	if (r < 0)
		return wg_err_set(err, r, "cannot start job command '%s': %s", spec->argv[0], strerror(-r));
	return 0;
}

/* The child's stdin (/dev/null), the pipe of its output and the one it says what failed before exec through. */
static int launch_pipes(const struct proc_spec *spec, struct launch *l, int out[2], int status[2],
			struct wg_err *err)
{
	int r;

	l->devnull = fd_above_stdio(open("/dev/null", O_RDONLY | O_CLOEXEC | O_NOCTTY));
	if (l->devnull < 0)
		return wg_err_set(err, -errno, "cannot open '/dev/null' for job command '%s': %s", spec->argv[0],
				  strerror(errno));
	if ((r = pipe_above_stdio(out)) < 0 || (r = pipe_above_stdio_as(status, true)) < 0)
		return wg_err_set(err, r, "cannot start job command '%s': %s", spec->argv[0], strerror(-r));
	l->out_w = out[1];
	out[1] = -1;
	l->status_w = status[1];
	status[1] = -1;
	return 0;
}

/* Fork; the child runs the job and never returns. The child's ends of the pipes are closed here. */
static int launch_fork(struct launch *l, pid_t *ret_pid)
{
	sigset_t all, old;
	pid_t pid;
	int r;

	/* no handler of ours may run in the child before it has reset them all */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0)
		child_run(l);
	r = pid < 0 ? -errno : 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close_fd(&l->out_w);
	close_fd(&l->status_w);
	*ret_pid = pid;
	return r;
}

static ssize_t read_status(int status_r, struct child_status *st)
{
	ssize_t n;

	do
		n = read(status_r, st, sizeof(*st));
	while (n < 0 && errno == EINTR);
	return n;
}

/*
 * Until the child has exec'd or said which step before failed; then it is killed and reaped.
 * Between its last step and exec, the spec's started() runs.
 */
static int await_exec(const struct proc_spec *spec, const struct launch *l, int status_r, pid_t pid,
		      struct wg_err *err)
{
	struct child_status st;
	ssize_t n;
	int r;

	n = read_status(status_r, &st);
	if (n == sizeof(st) && st.step == STEP_READY) {
		if (spec->started)
			spec->started(pid, spec->userdata);
		/* the child waits for this byte */
		if (send(status_r, "", 1, MSG_NOSIGNAL) != 1) {
			/* the child is gone already: the next read says how */
		}
		n = read_status(status_r, &st);
	}
	/* EOF: the child exec'd (the channel is close-on-exec), or died before, which proc_wait() reports */
	if (n == 0)
		return 0;
	if (n < 0)
		r = wg_err_set(err, -errno, "cannot start job command '%s': %s", spec->argv[0], strerror(errno));
	else if (n != sizeof(st))
		r = wg_err_set(err, -EIO, "cannot start job command '%s': %s", spec->argv[0], strerror(EIO));
	else
		r = child_error(spec, l, &st, err);
	kill(pid, SIGKILL); /* if the read itself failed, the child may still be on its way to exec */
	reap(pid, NULL);
	return r;
}

/* The job that runs: its output read without blocking, its end seen through a pidfd where the kernel has one. */
static int proc_adopt(const struct proc_spec *spec, struct proc *p, pid_t pid, int *out_r, struct wg_err *err)
{
	int r;

	p->pid = pid;
	p->out_fd = *out_r;
	*out_r = -1;
	if (fcntl(p->out_fd, F_SETFL, O_NONBLOCK) < 0) {
		/* a blocking read would stall the watchdog; stop here while the job is only just starting */
		r = wg_err_set(err, -errno, "cannot start job command '%s': %s", spec->argv[0], strerror(errno));
		kill(-pid, SIGKILL);
		reap(pid, NULL);
		close_fd(&p->out_fd);
		return r;
	}
	/* the child is ours and not reaped, so its pid cannot have been reused yet */
	p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (p->pidfd < 0)
		p->pidfd = -1;
	return 0;
}

int proc_start(const struct proc_spec *spec, struct proc **ret, struct wg_err *err)
{
	struct launch l = { .devnull = -1, .out_w = -1, .status_w = -1 };
	struct proc *p = NULL;
	int out[2] = { -1, -1 }, status[2] = { -1, -1 };
	pid_t pid;
	int r;

	r = launch_prepare(spec, &l, err);
	if (r >= 0)
		r = start_check(spec, err);
	if (r < 0)
		goto out;
	p = calloc(1, sizeof(*p));
	if (!p) {
		r = wg_err_set(err, -ENOMEM, "cannot start job command '%s': %s", spec->argv[0], strerror(ENOMEM));
		goto out;
	}
	r = launch_pipes(spec, &l, out, status, err);
	if (r < 0)
		goto out;
	r = launch_fork(&l, &pid);
	p->start_ns = now_ns();
	if (r < 0) {
		wg_err_set(err, r, "cannot start job command '%s': %s", spec->argv[0], strerror(-r));
		goto out;
	}
	r = await_exec(spec, &l, status[0], pid, err);
	if (r >= 0)
		r = proc_adopt(spec, p, pid, &out[0], err);
	if (r < 0)
		goto out;
	*ret = p;
	p = NULL;
	r = 0;
out:
	close_fd(&out[0]);
	close_fd(&out[1]);
	close_fd(&status[0]);
	close_fd(&status[1]);
	launch_release(&l);
	free(p);
	return r;
}

pid_t proc_pid(const struct proc *p)
{
	return p->pid;
}

/* --- waiting --- */

struct waiter {
	struct proc *p;
	const struct proc_watch *watch;
	struct proc_result *res;
	char line[PROC_LINE_MAX + 1];
	size_t line_len;
	bool exited;   /* the job's own process ended; kept as a zombie so that its pid, the group's id, stays ours */
	bool reaped;
	int exit_code;  /* CLD_EXITED, CLD_KILLED, CLD_DUMPED */
	int exit_value; /* the exit code or the signal */
	int64_t exit_ns;
	bool stopping; /* we decided to stop the job: res->end is the reason */
	bool termed;   /* SIGTERM went to the group */
	bool killed;   /* SIGKILL went to the group */
	int64_t kill_at;
	int64_t give_up_at;
	/* what the watch waits for: CLOCK_MONOTONIC ns, INT64_MAX for never */
	int64_t deadline, next_tick, next_look;
	int64_t grace; /* seconds from SIGTERM to SIGKILL */
};

static void line_deliver(struct waiter *w)
{
	size_t len = w->line_len;

	w->line[len] = '\0';
	w->line_len = 0;
	w->watch->line(w->line, len, w->watch->userdata);
}

static void tail_add(struct proc_result *res, const char *buf, size_t n)
{
	if (n >= PROC_TAIL_MAX) {
		memcpy(res->tail, buf + n - PROC_TAIL_MAX, PROC_TAIL_MAX);
		res->tail_len = PROC_TAIL_MAX;
		return;
	}
	if (res->tail_len + n > PROC_TAIL_MAX) {
		size_t drop = res->tail_len + n - PROC_TAIL_MAX;

		memmove(res->tail, res->tail + drop, res->tail_len - drop);
		res->tail_len -= drop;
	}
	memcpy(res->tail + res->tail_len, buf, n);
	res->tail_len += n;
}

static void output_feed(struct waiter *w, const char *buf, size_t n)
{
	tail_add(w->res, buf, n);
	if (!w->watch || !w->watch->line)
		return;
	while (n > 0) {
		const char *nl;
		size_t take;

		/*
		 * A full buffer goes out only once the next byte is known: a line of exactly
		 * PROC_LINE_MAX bytes whose newline comes in the next read is still one line.
		 */
		if (w->line_len == PROC_LINE_MAX) {
			if (*buf == '\n') {
				buf++;
				n--;
			}
			line_deliver(w);
			continue;
		}
		nl = memchr(buf, '\n', n);
		take = nl ? (size_t)(nl - buf) : n;
		if (take > PROC_LINE_MAX - w->line_len)
			take = PROC_LINE_MAX - w->line_len;
		memcpy(w->line + w->line_len, buf, take);
		w->line_len += take;
		buf += take;
		n -= take;
		if (nl && buf == nl) {
			buf++;
			n--;
			line_deliver(w);
		}
	}
}

static void output_close(struct waiter *w)
{
	close_fd(&w->p->out_fd);
	if (w->line_len > 0 && w->watch && w->watch->line)
		line_deliver(w);
}

/* Read what is there, at most max_reads times; EOF or an error closes the pipe. */
static void output_read(struct waiter *w, int max_reads)
{
	char buf[16384];

	for (int i = 0; i < max_reads && w->p->out_fd >= 0; i++) {
		ssize_t n = read(w->p->out_fd, buf, sizeof(buf));

		if (n > 0) {
			output_feed(w, buf, (size_t)n);
		} else if (n == 0) {
			output_close(w);
		} else if (errno == EINTR) {
			i--;
		} else {
			if (errno != EAGAIN)
				output_close(w);
			return;
		}
	}
}

/* Learn whether the job's own process ended, without reaping it. */
static int leader_check(struct waiter *w)
{
	siginfo_t si;

	if (w->exited)
		return 0;
	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)w->p->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0)
			break;
		if (errno != EINTR)
			return -errno;
	}
	if (si.si_pid == 0)
		return 0;
	w->exited = true;
	w->exit_code = si.si_code;
	w->exit_value = si.si_status;
	w->exit_ns = now_ns();
	close_fd(&w->p->pidfd); /* stays readable from now on: poll() would spin */
	return 0;
}

static void leader_reap(struct waiter *w)
{
	if (w->exited && !w->reaped) {
		reap(w->p->pid, NULL);
		w->reaped = true;
	}
}

/*
 * Whether a live process of the group is in /proc: 1, 0, or -1 when /proc cannot be read.
 * kill(-pgid, 0) alone cannot tell: it counts zombies, and an orphan's zombie lingers for as
 * long as init does not reap it (some container inits never do).
 */
static int group_scan(pid_t pgid)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int found = 0;

	if (!d)
		return -1;
	while (!found) {
		char path[64], buf[512], *end;
		const char *c;
		char state;
		long pid;
		int fd, ppid, pgrp;
		ssize_t n;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno) {
				closedir(d);
				return -1;
			}
			break;
		}
		pid = strtol(de->d_name, &end, 10);
		if (de->d_name[0] < '0' || de->d_name[0] > '9' || *end)
			continue;
		snprintf(path, sizeof(path), "%ld/stat", pid);
		fd = openat(dirfd(d), path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue; /* gone meanwhile */
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		c = strrchr(buf, ')'); /* the command name may hold anything, ')' and blanks too */
		if (c && sscanf(c + 1, " %c %d %d", &state, &ppid, &pgrp) == 3 && pgrp == pgid && state != 'Z' &&
		    state != 'X')
			found = 1;
	}
	closedir(d);
	return found;
}

static bool group_alive(struct waiter *w)
{
	pid_t pgid = w->p->pid;
	int r;

	if (!w->exited)
		return true;
	if (kill(-pgid, 0) < 0 && errno == ESRCH)
		return false;
	r = group_scan(pgid);
	if (r >= 0)
		return r > 0;
	/* no /proc: our own zombie would count for ever, so give up its pid and trust kill() */
	leader_reap(w);
	return !(kill(-pgid, 0) < 0 && errno == ESRCH);
}

static void group_term(struct waiter *w, int64_t now, int64_t grace)
{
	kill(-w->p->pid, SIGTERM);
	kill(-w->p->pid, SIGCONT); /* a stopped process would hold SIGTERM pending until the SIGKILL */
	w->termed = true;
	w->kill_at = add_seconds(now, grace);
}

static void stop(struct waiter *w, enum proc_end why, int64_t now, int64_t grace)
{
	w->stopping = true;
	w->res->end = why;
	group_term(w, now, grace);
}

static void result_fill(struct waiter *w)
{
	struct proc_result *res = w->res;

	res->tail[res->tail_len] = '\0';
	if (!w->exited) {
		res->exit_status = -1;
		res->signal = 0;
		return;
	}
	if (w->exit_code == CLD_EXITED) {
		res->exit_status = w->exit_value;
		res->signal = 0;
	} else {
		res->signal = w->exit_value;
		res->exit_status = 128 + w->exit_value;
	}
	if (!w->stopping)
		res->end = res->signal ? PROC_SIGNALED : PROC_EXITED;
}

/* While the job runs: stop it when asked to, when out of time, or when a tick or a look of the watch says so. */
static int64_t watch_step(struct waiter *w, int64_t now)
{
	const struct proc_watch *watch = w->watch;

	if (w->exited || w->stopping)
		return now;
	if (atomic_exchange(&stop_requested, 0)) {
		stop(w, PROC_STOPPED, now, w->grace);
	} else if (now >= w->deadline) {
		stop(w, PROC_TIMEOUT, now, w->grace);
	} else if (now >= w->next_tick) {
		if (watch->tick(watch->userdata))
			stop(w, PROC_STOPPED, now, w->grace);
		now = now_ns();
		w->next_tick = add_seconds(w->next_tick, watch->interval);
		if (w->next_tick <= now) /* a slow tick: no burst of catching up */
			w->next_tick = add_seconds(now, watch->interval);
	}
	if (!w->stopping && now >= w->next_look) {
		if (watch->look(watch->userdata))
			stop(w, PROC_STOPPED, now, w->grace);
		now = now_ns();
		w->next_look = now + watch->look_ms * NSEC_PER_MSEC;
	}
	return now;
}

/* Once the job ended or is being stopped: its group goes too, SIGTERM then SIGKILL. true when the wait is over. */
static bool group_step(struct waiter *w, int64_t now)
{
	if (w->exited && !w->termed && (w->p->out_fd < 0 || now >= w->exit_ns + DRAIN_NS)) {
		/* it ended by itself; what it left running (in its group) goes the same way */
		if (!group_alive(w))
			return true;
		group_term(w, now, w->grace);
	}
	if (w->termed) {
		if (!group_alive(w))
			return true;
		if (!w->killed && now >= w->kill_at) {
			kill(-w->p->pid, SIGKILL);
			w->killed = true;
			w->give_up_at = add_seconds(now, KILL_WAIT_S);
		} else if (w->killed && now >= w->give_up_at) {
			w->res->left_behind = true;
			return true;
		}
	}
	return false;
}

/* How long poll() may sleep: until the next thing that is due, in ms; -1 for as long as it takes. */
static int wait_ms(const struct waiter *w, int64_t now)
{
	int64_t wake = INT64_MAX;

	if (!w->exited && !w->stopping)
		wake = min64(min64(w->deadline, w->next_tick), w->next_look);
	if (!w->exited && w->p->pidfd < 0)
		wake = min64(wake, now + GROUP_POLL_NS);
	if (w->exited && !w->termed)
		wake = min64(wake, w->exit_ns + DRAIN_NS);
	if (w->termed) {
		wake = min64(wake, w->killed ? w->give_up_at : w->kill_at);
		if (w->exited)
			wake = min64(wake, now + GROUP_POLL_NS);
	}
	if (wake == INT64_MAX)
		return -1;
	if (wake <= now)
		return 0;
	return (int)min64((wake - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC, INT_MAX);
}

/* Sleep until something is due, the job writes or ends, or a stop is asked for; read what it wrote. */
static void wait_poll(struct waiter *w, int ms)
{
	struct pollfd fds[3] = {
		{ .fd = wake_r, .events = POLLIN },
		{ .fd = w->p->out_fd, .events = POLLIN },
		{ .fd = w->p->pidfd, .events = POLLIN },
	};

	if (poll(fds, WG_ELEMENTSOF(fds), ms) < 0) {
		if (errno != EINTR) {
			/* cannot happen short of ENOMEM; the timeouts still hold if we just look again */
			struct timespec ts = { .tv_nsec = GROUP_POLL_NS };

			nanosleep(&ts, NULL);
		}
		return;
	}
	if (fds[0].revents)
		wake_drain();
	if (fds[1].revents)
		output_read(w, READS_PER_WAKE);
}

int proc_wait(struct proc *p, int64_t timeout, int64_t grace, const struct proc_watch *watch,
	      struct proc_result *ret, struct wg_err *err)
{
	bool ticking = watch && watch->tick && watch->interval > 0;
	bool looking = watch && watch->look && watch->look_ms > 0;
	struct waiter w = {
		.p = p,
		.watch = watch,
		.res = ret,
		.deadline = timeout > 0 ? add_seconds(p->start_ns, timeout) : INT64_MAX,
		.next_tick = ticking ? add_seconds(now_ns(), watch->interval) : INT64_MAX,
		.next_look = looking ? now_ns() + watch->look_ms * NSEC_PER_MSEC : INT64_MAX,
		.grace = grace < 0 ? 0 : grace,
	};
	int r;

	memset(ret, 0, sizeof(*ret));
	for (;;) {
		int64_t now;

		r = leader_check(&w);
		if (r < 0) {
			wg_err_set(err, r, "cannot wait for job %d: %s", (int)p->pid, strerror(-r));
			/* we lost track of it; what is left of its group must not outlive us */
			if (group_scan(p->pid) > 0)
				kill(-p->pid, SIGKILL);
			break;
		}
		now = watch_step(&w, now_ns());
		if (group_step(&w, now))
			break;
		wait_poll(&w, wait_ms(&w, now));
	}

	/*
	 * What is still in the pipe, then no more: whoever holds it now has left the group
	 * (setsid, a daemon) and could keep it open, and us waiting, for ever.
	 */
	output_read(&w, 16);
	output_close(&w);
	if (r == 0)
		leader_reap(&w);
	result_fill(&w);
	atomic_store(&stop_requested, 0);
	close_fd(&p->pidfd);
	free(p);
	return r;
}

int proc_start_time(pid_t pid, unsigned long long *ret)
{
	char path[64], buf[1024];
	const char *c;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ENOENT;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ENOENT;
	buf[n] = '\0';
	/* after the command name, which may hold anything: field 22, the 20th after it */
	c = strrchr(buf, ')');
	for (int field = 2; c && field < 22; field++)
		c = strchr(c + 1, ' ');
	if (!c || sscanf(c + 1, "%llu", ret) != 1)
		return -EIO;
	return 0;
}

int proc_stop_left_group(pid_t pgid, unsigned long long start, int64_t grace)
{
	struct timespec step = { 0, 100 * 1000000L };
	unsigned long long now_start;

	if (pgid <= 1)
		return 0;
	/* the leader is alive and another process: the group it named ended long ago */
	if (proc_start_time(pgid, &now_start) == 0 && now_start != start)
		return 0;
	if (group_scan(pgid) == 0 || (kill(-pgid, 0) < 0 && errno == ESRCH))
		return 0;
	kill(-pgid, SIGTERM);
	kill(-pgid, SIGCONT);
	for (int64_t i = 0; i < grace * 10 && group_scan(pgid) > 0; i++)
		nanosleep(&step, NULL);
	if (group_scan(pgid) != 0)
		kill(-pgid, SIGKILL);
	return 1;
}
