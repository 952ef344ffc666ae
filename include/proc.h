/* proc.h — run one job's command the careful way: own process group, clean environment, limits, watchdog */
#ifndef WEARGATE_PROC_H
#define WEARGATE_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

#define PROC_TAIL_MAX 4096 /* the last bytes of the job's output kept for the history */
#define PROC_LINE_MAX 4096 /* a longer output line reaches watch->line in pieces of this many bytes */

struct proc_spec {
	/*
	 * argv[0] a path, or a bare name searched in the PATH of env only (absolute directories of
	 * it: never the current directory); NULL-terminated
	 */
	char *const *argv;
	bool shell;         /* run `/bin/sh -c argv[0] argv[1…]`: argv[1] becomes $0, argv[2] $1 */
	char *const *env;   /* the whole environment of the job, NULL-terminated; NULL = empty */
	const char *user;   /* drop to this user (its groups, gid, uid) or refuse to run; NULL = stay */
	int nice;           /* added to the niceness (-40…40); 0 = unchanged */
	int ionice_class;   /* IOPRIO_CLASS_BE 2, IDLE 3; 0 = unchanged; realtime (1) is refused */
	int ionice_level;   /* 0-7 for BE */
	const char *cgroup; /* a cgroup v2 directory the job joins before exec (its io.max applies); NULL = none */
	const char *cwd;    /* absolute; NULL = "/" */
	/*
	 * Called in the parent once the child is set up, before it execs: what must be known of the
	 * job before it does anything (its pid, which is its session and process group) is noted
	 * here. The job waits for it to return. NULL = nothing to note.
	 */
	void (*started)(pid_t pid, void *userdata);
	void *userdata;
};

struct proc;

/*
 * Start the job: fork, new session and process group, the spec applied in the child, no
 * descriptor inherited but stdin (/dev/null) and stdout/stderr (one pipe to us), signals and
 * signal mask reset, exec. A failure before exec (unknown user, command not found, setuid
 * refused, cgroup or directory not there) is reported here as a negative errno with err naming
 * what failed, and no job ran. The caller must not ignore SIGCHLD (-EINVAL): the exit status
 * would be lost. Every started job must be handed to proc_wait().
 */
int proc_start(const struct proc_spec *spec, struct proc **ret, struct wg_err *err);

pid_t proc_pid(const struct proc *p);

enum proc_end {
	PROC_EXITED,   /* exit_status is its exit code */
	PROC_SIGNALED, /* signal killed it (not by us) */
	PROC_TIMEOUT,  /* we stopped it: its time was up */
	PROC_STOPPED,  /* we stopped it: a tick returned true, or proc_request_stop() */
};

struct proc_result {
	enum proc_end end;
	int exit_status; /* the exit code, or 128 + the signal that ended it (as shells report); -1 if unknown */
	int signal;      /* the signal that ended it; 0 when it exited */
	/*
	 * Something of its process group was still there a while after SIGKILL (stuck in the
	 * kernel, say on I/O to a failing disk) and was left behind; if that is the job's own
	 * process, its end is unknown: exit_status -1, signal 0.
	 */
	bool left_behind;
	char tail[PROC_TAIL_MAX + 1]; /* the last output, tail_len bytes (the job's NUL bytes kept), then a NUL */
	size_t tail_len;
};

/*
 * Called while the job runs: every `interval` seconds (tick; none when interval <= 0 or tick
 * is NULL), every `look_ms` milliseconds for a quick look at something cheap to read, such
 * as the kernel's log (look; none when look_ms <= 0 or look is NULL), and for each line of
 * its output (line, without the newline; may be NULL). A tick or a look returning true
 * stops the job. watch itself may be NULL.
 */
struct proc_watch {
	int64_t interval;
	bool (*tick)(void *userdata);
	int64_t look_ms;
	bool (*look)(void *userdata);
	/* len bytes, NUL bytes of the job's own among them; line[len] is a NUL of ours */
	void (*line)(const char *line, size_t len, void *userdata);
	void *userdata;
};

/*
 * Wait for the job to end, forwarding its output, calling the watch, and stopping it when
 * timeout seconds (0 = none) have passed since proc_start(): SIGTERM to its whole process
 * group, SIGKILL after grace seconds. Times are CLOCK_MONOTONIC, never the WEARGATE_NOW
 * clock. When the job's own process ends, what is left of its group gets a moment to finish
 * writing, then the same SIGTERM and SIGKILL; on return nothing of the group runs (but see
 * left_behind), and output from a process that left the group is no longer read.
 * Frees p. ret is filled in every case but an error of waitpid() itself.
 */
int proc_wait(struct proc *p, int64_t timeout, int64_t grace, const struct proc_watch *watch,
	      struct proc_result *ret, struct wg_err *err);

/*
 * From a signal handler or another thread: ask the running proc_wait() to stop its job
 * (async-signal-safe). A request made while no proc_wait() runs stops the next job at once;
 * a proc_wait() consumes any request made before it returns.
 */
void proc_request_stop(void);

/* When process pid started, in clock ticks since boot (/proc/PID/stat); -ENOENT when it is gone. */
int proc_start_time(pid_t pid, unsigned long long *ret);

/*
 * Stop what is left of the process group of a job whose runner died: the group whose leader
 * started at `start` (proc_start_time()). SIGTERM to the group, SIGKILL after grace seconds.
 * 1 when it was there and is stopped, 0 when nothing of it runs (or the pid now names another
 * process: while any process of a group lives, its leader's pid is not given to another).
 */
int proc_stop_left_group(pid_t pgid, unsigned long long start, int64_t grace);

#endif
