/* lock.c — one runner at a time: an flock the kernel drops when its holder dies, however it dies */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock.h"

/*
 * The file holds the holder's pid on its first line and, while it runs a job, "job PGID START"
 * on the second: the job's process group and when its leader started (in clock ticks since
 * boot, as /proc says), so that the next runner can stop a job its dead holder left running.
 */
#define LOCK_TEXT_MAX 96
/* within the file's first block, with the pid and job lines */
#define LOCK_ENDS_MAX 3584

struct runner_lock {
	int fd;
	off_t pid_len; /* of the first line */
	pid_t left_pgid;
	unsigned long long left_start;
	pid_t job_pgid;
	unsigned long long job_start;
	/*
	 * "end RUN ENDED EXIT OUTCOME REASON" lines: ends of runs the history could not take (a
	 * full disk), kept here for whoever takes the lock next. The file's first block is
	 * allocated already: rewriting it needs no free space.
	 */
	char ends[LOCK_ENDS_MAX];
	char left_ends[LOCK_ENDS_MAX]; /* those the previous holder left */
};


/*
 * The pid the holder wrote, or 0: the file is empty between its flock() and its write, and
 * whatever else took the lock (cron's `flock -n`) writes nothing. Only a whole line counts, so
 * that a write caught halfway is not read as a shorter pid.
 */
static pid_t read_holder(int fd)
{
	char buf[LOCK_TEXT_MAX];
	ssize_t n;
	long v = 0;
	char *nl;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n < 2)
		return 0;
	buf[n] = '\0';
	nl = strchr(buf, '\n');
	if (!nl || nl == buf)
		return 0;
	for (const char *c = buf; c < nl; c++) {
		if (*c < '0' || *c > '9' || v > 99999999)
			return 0;
		v = v * 10 + (*c - '0');
	}
	return (pid_t)v;
}

/* The job a holder noted on the second line, when it is whole: its group, 0 when none. */
static pid_t read_job(int fd, unsigned long long *ret_start)
{
	char buf[LOCK_TEXT_MAX], end;
	const char *nl;
	unsigned long long start;
	ssize_t n;
	int pgid;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n < 2)
		return 0;
	buf[n] = '\0';
	nl = strchr(buf, '\n');
	if (!nl || sscanf(nl + 1, "job %d %llu%c", &pgid, &start, &end) != 3 || end != '\n' || pgid <= 1)
		return 0;
	*ret_start = start;
	return (pid_t)pgid;
}

/* The "end …" lines of the file, whole ones only. */
static void read_ends(int fd, char *buf, size_t len)
{
	char text[LOCK_TEXT_MAX + LOCK_ENDS_MAX + 64];
	ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
	size_t used = 0;
	char *line, *nl;

	buf[0] = '\0';
	if (n <= 0)
		return;
	text[n] = '\0';
	for (line = text; (nl = strchr(line, '\n')); line = nl + 1) {
		size_t k = (size_t)(nl - line) + 1;

		if (strncmp(line, "end ", 4) == 0 && used + k < len) {
			memcpy(buf + used, line, k);
			used += k;
			buf[used] = '\0';
		}
	}
}

/* Write what the file holds: our pid, the job running, the ends not recorded. */
static void lock_write(struct runner_lock *l)
{
	char text[LOCK_TEXT_MAX + LOCK_ENDS_MAX + 64];
	int n = snprintf(text, sizeof(text), "%d\n", (int)getpid());

	if (l->job_pgid > 0)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "job %d %llu\n", (int)l->job_pgid, l->job_start);
	n += snprintf(text + n, sizeof(text) - (size_t)n, "%s", l->ends);
	/* in place, then cut: the blocks it had are enough, whatever the disk has left */
	if (pwrite(l->fd, text, (size_t)n, 0) == n && ftruncate(l->fd, n) < 0) {
		/* nothing to do: a longer file only has stale bytes after our lines */
	}
}

int runner_lock_take(const char *path, struct runner_lock **ret, pid_t *ret_holder, struct wg_err *err)
{
	struct runner_lock *l;
	struct stat st;
	char pid[32];
	ssize_t written;
	pid_t holder;
	int fd, n, e;

	/*
	 * Root truncates and writes this file: a symlink planted in its place (a lock under /tmp)
	 * must not point that at another file, nor may anything but a regular file stand there.
	 */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600);
	if (fd < 0) {
		e = errno;
		if (e == ELOOP)
			return wg_err_set(err, -e, "cannot open lock file '%s': it is a symbolic link", path);
		return wg_err_set(err, -e, "cannot open lock file '%s': %s", path, strerror(e));
	}
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		return wg_err_set(err, -e, "cannot open lock file '%s': %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return wg_err_set(err, -EINVAL, "cannot open lock file '%s': it is not a regular file", path);
	}
	/*
	 * flock(2) needs no more than a descriptor open for reading: anyone who may read the file
	 * could hold it and keep every runner out, night after night. Only its owner may open it;
	 * one left readable by an older weargate is closed now (a failure only leaves it as it was:
	 * the lock works the same).
	 */
	if ((st.st_mode & 077) && st.st_uid == geteuid())
		(void)fchmod(fd, 0600);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		e = errno;
		if (e == EWOULDBLOCK) {
			holder = read_holder(fd);
			close(fd);
			if (ret_holder)
				*ret_holder = holder;
			if (holder > 0)
				return wg_err_set(err, -EBUSY, "another weargate run (pid %d) holds '%s'", (int)holder,
						  path);
			return wg_err_set(err, -EBUSY, "another process holds '%s' (it wrote no pid in it)", path);
		}
		close(fd);
		return wg_err_set(err, -e, "cannot lock '%s': %s", path, strerror(e));
	}
	l = calloc(1, sizeof(*l));
	if (!l) {
		close(fd);
		return -ENOMEM;
	}
	/* a holder that died with a job running noted it: its group, for runner_lock_left_job() */
	l->left_pgid = read_job(fd, &l->left_start);
	read_ends(fd, l->left_ends, sizeof(l->left_ends));
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	e = 0;
	/* in place, then cut: the block it has is kept, and it is enough on a full disk */
	if ((written = pwrite(fd, pid, (size_t)n, 0)) < 0 || ftruncate(fd, n) < 0)
		e = errno;
	else if (written != n)
		e = EIO;
	if (e) {
		close(fd);
		free(l);
		return wg_err_set(err, -e, "cannot write our pid into lock file '%s': %s", path, strerror(e));
	}
	l->fd = fd;
	l->pid_len = n;
	*ret = l;
	return 0;
}

pid_t runner_lock_left_job(const struct runner_lock *l, unsigned long long *ret_start)
{
	if (l->left_pgid > 0)
		*ret_start = l->left_start;
	return l->left_pgid;
}

void runner_lock_note_job(struct runner_lock *l, pid_t pgid, unsigned long long start)
{
	/* nothing to do on failure: the next runner then only cannot stop a job we leave behind */
	if (!l)
		return;
	l->job_pgid = pgid > 0 ? pgid : 0;
	l->job_start = start;
	lock_write(l);
}

int runner_lock_note_end(struct runner_lock *l, const struct lock_end *e)
{
	char line[LOCK_ENDS_MAX], *p;
	size_t used;
	int n;

	if (!l)
		return -EINVAL;
	/* the reason in hex: one line, whatever it holds */
	n = snprintf(line, sizeof(line), "end %lld %lld %d %s ", (long long)e->run_id, (long long)e->ended,
		     e->exit_status, e->outcome);
	p = line + n;
	for (const unsigned char *c = (const unsigned char *)e->reason; *c && p + 3 < line + sizeof(line) - 1; c++)
		p += sprintf(p, "%02x", *c);
	*p++ = '\n';
	*p = '\0';
	used = strlen(l->ends);
	if (used + (size_t)(p - line) >= sizeof(l->ends))
		return -ENOSPC;
	memcpy(l->ends + used, line, (size_t)(p - line) + 1);
	lock_write(l);
	return 0;
}

int runner_lock_left_end(struct runner_lock *l, size_t i, struct lock_end *ret)
{
	const char *line = l->left_ends;
	long long run, ended;
	int exit_status, off = 0;
	size_t k;

	for (k = 0; k < i && line && *line; k++) {
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	if (!line || !*line)
		return -ENOENT;
	if (sscanf(line, "end %lld %lld %d %15s %n", &run, &ended, &exit_status, ret->outcome, &off) != 4 || off <= 0)
		return -EINVAL;
	ret->run_id = run;
	ret->ended = ended;
	ret->exit_status = exit_status;
	k = 0;
	for (const char *h = line + off; h[0] && h[1] && h[0] != '\n' && k + 1 < sizeof(ret->reason); h += 2) {
		unsigned v;

		if (sscanf(h, "%2x", &v) != 1)
			break;
		ret->reason[k++] = (char)v;
	}
	ret->reason[k] = '\0';
	return 0;
}

void runner_lock_forget_left_ends(struct runner_lock *l)
{
	if (l)
		l->left_ends[0] = '\0';
}

void runner_lock_release(struct runner_lock *l)
{
	if (!l)
		return;
	/*
	 * Closing our only descriptor drops the flock. The file stays: were it unlinked, a runner
	 * that had opened it just before could lock the old file while the next locks a new one.
	 * Emptied first, so that whoever takes it next with `flock -n` is not named by our pid,
	 * but for the ends we could not record: those are for the next holder to record.
	 */
	if (l->ends[0] || l->left_ends[0]) {
		char text[2 * LOCK_ENDS_MAX];
		int n = snprintf(text, sizeof(text), "0\n%s%s", l->left_ends, l->ends);

		if (n > (int)sizeof(text) - 1)
			n = (int)sizeof(text) - 1;
		if (pwrite(l->fd, text, (size_t)n, 0) == n && ftruncate(l->fd, n) < 0) {
			/* nothing to do */
		}
	} else if (ftruncate(l->fd, 0) < 0) {
		/* nothing to do: a stale pid only makes a message less precise */
	}
	close(l->fd);
	free(l);
}
