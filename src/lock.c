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

struct runner_lock {
	int fd;
};

/*
 * The pid the holder wrote, or 0: the file is empty between its flock() and its write, and
 * whatever else took the lock (cron's `flock -n`) writes nothing. Only a whole line counts, so
 * that a write caught halfway is not read as a shorter pid.
 */
static pid_t read_holder(int fd)
{
	char buf[32];
	ssize_t n;
	long v = 0;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n < 2 || buf[n - 1] != '\n')
		return 0;
	for (ssize_t i = 0; i < n - 1; i++) {
		if (buf[i] < '0' || buf[i] > '9' || v > 99999999)
			return 0;
		v = v * 10 + (buf[i] - '0');
	}
	return (pid_t)v;
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
	 * one left readable by an older weargate is closed now (a failure only leaves it as it was).
	 */
	if ((st.st_mode & 077) && st.st_uid == geteuid() && fchmod(fd, 0600) < 0) {
		/* nothing to do: the lock works the same */
	}
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
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	e = 0;
	if (ftruncate(fd, 0) < 0 || (written = pwrite(fd, pid, (size_t)n, 0)) < 0)
		e = errno;
	else if (written != n)
		e = EIO;
	if (e) {
		close(fd);
		return wg_err_set(err, -e, "cannot write our pid into lock file '%s': %s", path, strerror(e));
	}
	l = malloc(sizeof(*l));
	if (!l) {
		close(fd);
		return -ENOMEM;
	}
	l->fd = fd;
	*ret = l;
	return 0;
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
