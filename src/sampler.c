/* sampler.c — read many drives at once, each in a process of its own, with a deadline, and record them as one pass */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sampler.h"

#define SAMPLER_DEFAULT_PARALLEL 64
#define NSEC_PER_SEC 1000000000LL
/* how long a killed reader gets to be gone before it counts as stuck in the kernel */
#define KILL_WAIT_NS 100000000L
#define KILL_WAIT_POLLS 20

/*
 * Why processes and not threads: a thread stuck in an ioctl that the kernel is retrying on a
 * dying disk is in uninterruptible sleep. Our process could not end while it is there, and
 * whoever waits for weargate (a backup hook, systemd's ExecCondition=) would wait for the
 * kernel. A process of its own can be left behind.
 */

/* What a reader leaves for us, in memory shared with it. */
struct slot {
	struct smart_reading reading;
	char command[64]; /* what it is sending now, for a timeout's reason */
	volatile sig_atomic_t done;
};

/* A reader at work. */
struct reader {
	pid_t pid;
	int fd; /* our end of a pipe only it holds the other end of: EOF when it is gone */
	size_t index;
	int64_t start, deadline;
};

/* Readers killed on their deadline that have not ended yet: stuck in the kernel, most likely. */
struct stuck {
	pid_t pid;
	char *path;
	int64_t since; /* CLOCK_MONOTONIC ns */
	char command[64];
};

static struct stuck *stuck;
static size_t n_stuck;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static void stuck_reap(void)
{
	size_t kept = 0;

	for (size_t i = 0; i < n_stuck; i++) {
		if (waitpid(stuck[i].pid, NULL, WNOHANG) == 0) {
			stuck[kept++] = stuck[i];
			continue;
		}
		free(stuck[i].path);
	}
	n_stuck = kept;
}

static const struct stuck *stuck_find(const char *path)
{
	for (size_t i = 0; i < n_stuck; i++)
		if (strcmp(stuck[i].path, path) == 0)
			return &stuck[i];
	return NULL;
}

static void stuck_add(pid_t pid, const char *path, int64_t since, const char *command)
{
	struct stuck *v = realloc(stuck, (n_stuck + 1) * sizeof(*v));
	char *p = strdup(path);

	if (!v || !p) {
		/* forgotten: its zombie goes when we exit, and its drive is read again next time */
		free(p);
		if (v)
			stuck = v;
		return;
	}
	stuck = v;
	stuck[n_stuck] = (struct stuck){ .pid = pid, .path = p, .since = since };
	snprintf(stuck[n_stuck].command, sizeof(stuck[n_stuck].command), "%s", command);
	n_stuck++;
}

static void note_command(const char *what, void *userdata)
{
	struct slot *s = userdata;

	snprintf(s->command, sizeof(s->command), "%s", what);
}

static void read_one(const struct drive_cfg *drive, const struct sampler_opts *opts, struct slot *slot)
{
	struct smart_device_opts dev = {
		.access = drive->access,
		.wake = opts->wake,
		.sysfs_root = opts->sysfs_root,
		.command = note_command,
		.userdata = slot,
	};

	if (opts->read)
		opts->read(drive, opts->userdata, note_command, slot, &slot->reading);
	else if (drive->source == DRIVE_BLOB)
		smart_read_blob_file(drive->path, &slot->reading);
	else
		smart_read_device(drive->path, &dev, &slot->reading);
}

/* Every descriptor but stdio and keep: a reader left behind must hold nothing of ours (the runner's flock). */
static void close_all_but(int keep)
{
	DIR *d;
	struct dirent *de;

	if ((keep == 3 || close_range(3, (unsigned)keep - 1, 0) == 0) && close_range((unsigned)keep + 1, ~0U, 0) == 0)
		return;
	d = opendir("/proc/self/fd");
	if (!d)
		return;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);

		if (fd > 2 && fd != keep && fd != dirfd(d))
			close(fd);
	}
	closedir(d);
}

static void reader_main(const struct drive_cfg *drive, const struct sampler_opts *opts, struct slot *slot, int keep)
{
	/* the runner's handlers would stop its job; a reader just ends */
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	close_all_but(keep);
	read_one(drive, opts, slot);
	slot->done = 1;
	/* no exit handlers, no stdio flushing: what the parent has buffered is the parent's */
	_exit(0);
}

static int64_t deadline_of(const struct drive_cfg *drive, int64_t start)
{
	int64_t t = drive->read_timeout > 0 ? drive->read_timeout : DRIVE_READ_TIMEOUT_DEFAULT;

	return start + t * NSEC_PER_SEC;
}

static int reader_start(const struct drive_cfg *drive, const struct sampler_opts *opts, struct slot *slot,
			size_t index, struct reader *ret)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int r = -errno;

		close(p[0]);
		close(p[1]);
		return r;
	}
	if (pid == 0) {
		close(p[0]);
		reader_main(drive, opts, slot, p[1]);
	}
	close(p[1]);
	*ret = (struct reader){ .pid = pid, .fd = p[0], .index = index, .start = now_ns() };
	ret->deadline = deadline_of(drive, ret->start);
	return 0;
}

static void reading_fail(struct smart_reading *r, enum reading_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void reading_fail(struct smart_reading *r, enum reading_status status, const char *fmt, ...)
{
	va_list ap;

	memset(r, 0, sizeof(*r));
	r->status = status;
	r->smart_ok = -1;
	r->self_test = -1;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

/* The reader closed its end: it has ended, or is about to. */
static void reader_done(struct reader *rd, const struct drive_cfg *drive, struct slot *slot,
			struct smart_reading *ret)
{
	int status = 0;

	close(rd->fd);
	while (waitpid(rd->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && slot->done)
		*ret = slot->reading;
	else if (WIFSIGNALED(status))
		reading_fail(ret, READING_ERROR, "the reader of '%s' was killed by signal %d (%s)", drive->path,
			     WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		reading_fail(ret, READING_ERROR, "the reader of '%s' ended with status %d", drive->path,
			     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void reader_timeout(struct reader *rd, const struct drive_cfg *drive, struct slot *slot,
			   struct smart_reading *ret)
{
	char limit[32];
	const char *command = slot->command[0] ? slot->command : "the first command";

	kill(rd->pid, SIGKILL);
	close(rd->fd);
	wg_format_age(drive->read_timeout > 0 ? drive->read_timeout : DRIVE_READ_TIMEOUT_DEFAULT, limit, sizeof(limit));
	reading_fail(ret, READING_TIMEOUT, "no answer to %s within %s", command, limit);
	/* a reader asleep in user space is gone in a moment; one in the kernel stays until the I/O ends */
	for (int i = 0; i < KILL_WAIT_POLLS; i++) {
		struct timespec pause = { 0, KILL_WAIT_NS / KILL_WAIT_POLLS };

		if (waitpid(rd->pid, NULL, WNOHANG) != 0)
			return;
		nanosleep(&pause, NULL);
	}
	stuck_add(rd->pid, drive->path, rd->start, command);
}

int sampler_read_all(const struct drive_cfg *const *drives, size_t n, const struct sampler_opts *opts,
		     struct smart_reading *ret_readings)
{
	size_t max = opts->max_parallel ? opts->max_parallel : SAMPLER_DEFAULT_PARALLEL;
	struct reader *busy = NULL;
	struct pollfd *fds = NULL;
	struct slot *slots;
	size_t next = 0, n_busy = 0;
	int r = 0;

	if (n == 0)
		return 0;
	if (max > n)
		max = n;
	slots = mmap(NULL, n * sizeof(*slots), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (slots == MAP_FAILED)
		return -errno;
	busy = calloc(max, sizeof(*busy));
	fds = calloc(max, sizeof(*fds));
	if (!busy || !fds) {
		r = -ENOMEM;
		goto out;
	}
	stuck_reap();
	while (next < n || n_busy > 0) {
		int64_t now = now_ns(), wake = INT64_MAX;
		int ms;

		while (next < n && n_busy < max) {
			const struct drive_cfg *d = drives[next];
			const struct stuck *s = d->source == DRIVE_DEVICE ? stuck_find(d->path) : NULL;

			/* a saved reading is a small file: reading it costs less than starting a reader for it */
			if (!opts->read && d->source == DRIVE_BLOB) {
				read_one(d, opts, &slots[next]);
				ret_readings[next] = slots[next].reading;
				next++;
				continue;
			}
			if (s) {
				char ago[32];

				wg_format_age((now - s->since) / NSEC_PER_SEC, ago, sizeof(ago));
				reading_fail(&ret_readings[next], READING_TIMEOUT,
					     "the reader of %s ago is still stuck on %s: not read again until it returns", ago,
					     s->command);
				next++;
				continue;
			}
			r = reader_start(d, opts, &slots[next], next, &busy[n_busy]);
			if (r < 0) {
				reading_fail(&ret_readings[next], READING_ERROR, "cannot start a reader for '%s': %s", d->path,
					     strerror(-r));
				r = 0;
			} else {
				n_busy++;
			}
			next++;
		}
		for (size_t i = 0; i < n_busy;) {
			struct reader *rd = &busy[i];

			if (now < rd->deadline) {
				wake = rd->deadline < wake ? rd->deadline : wake;
				i++;
				continue;
			}
			reader_timeout(rd, drives[rd->index], &slots[rd->index], &ret_readings[rd->index]);
			busy[i] = busy[--n_busy];
		}
		if (n_busy == 0)
			continue;
		for (size_t i = 0; i < n_busy; i++)
			fds[i] = (struct pollfd){ .fd = busy[i].fd, .events = POLLIN };
		ms = (int)((wake - now + 999999) / 1000000);
		if (poll(fds, n_busy, ms) < 0 && errno != EINTR) {
			r = -errno;
			goto out;
		}
		for (size_t i = n_busy; i-- > 0;) {
			char c;

			if (!fds[i].revents || read(busy[i].fd, &c, 1) > 0)
				continue;
			reader_done(&busy[i], drives[busy[i].index], &slots[busy[i].index], &ret_readings[busy[i].index]);
			busy[i] = busy[--n_busy];
		}
	}
out:
	/* only on an error of poll() itself: no reader may outlive the readings it was for */
	for (size_t i = 0; i < n_busy; i++) {
		kill(busy[i].pid, SIGKILL);
		close(busy[i].fd);
		waitpid(busy[i].pid, NULL, WNOHANG);
	}
	free(fds);
	free(busy);
	munmap(slots, n * sizeof(*slots));
	return r;
}

int sampler_pass(struct store *s, const struct policy *p, const struct drive_cfg *const *drives, size_t n, int64_t now,
		 const struct drives_read *how, struct smart_reading *ret_readings, struct track_result *ret,
		 bool *ret_recorded, struct wg_err *err)
{
	struct sampler_opts so = { .sysfs_root = how->sysfs_root, .wake = how->wake };
	const char **names = calloc(n ? n : 1, sizeof(*names));
	int r;

	*ret_recorded = false;
	if (!names)
		return wg_err_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		names[i] = drives[i]->name;
	r = sampler_read_all(drives, n, &so, ret_readings);
	if (r < 0) {
		wg_err_set(err, r, "out of memory");
	} else if (how->record) {
		*ret_recorded = track_record_pass(s, p, now, names, ret_readings, n, how->notified, ret, err) >= 0;
	} else {
		track_mark_duplicates(names, ret_readings, n);
	}
	free(names);
	return r < 0 ? r : 0;
}
