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
struct runner_lock {
	int fd;
	off_t pid_len; /* of the first line */
	pid_t left_pgid;
	unsigned long long left_start;
};

#define LOCK_TEXT_MAX 96

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
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	e = 0;
	if (ftruncate(fd, 0) < 0 || (written = pwrite(fd, pid, (size_t)n, 0)) < 0)
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
	char line[64];
	int n;

	/* nothing to do on failure: the next runner then only cannot stop a job we leave behind */
	if (!l || ftruncate(l->fd, l->pid_len) < 0 || pgid <= 0)
		return;
	n = snprintf(line, sizeof(line), "job %d %llu\n", (int)pgid, start);
	if (pwrite(l->fd, line, (size_t)n, l->pid_len) != n) {
		/* as above */
	}
}

void runner_lock_release(struct runner_lock *l)
{
	if (!l)
		return;
	/*
	 * Closing our only descriptor drops the flock. The file stays: were it unlinked, a runner
	 * that had opened it just before could lock the old file while the next locks a new one.
	 * Emptied first, so that whoever takes it next with `flock -n` is not named by our pid.
	 */
	if (ftruncate(l->fd, 0) < 0) {
		/* nothing to do: a stale pid only makes a message less precise */
	}
	close(l->fd);
	free(l);
}
