/* resolve.c — which configured drives a job touches: those it names, and the disks under its paths */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "resolve.h"

/* What is known of each configured drive while a job is resolved. */
struct drive_match {
	bool touched;
	char *disk; /* the kernel name of a device drive's disk; NULL for a blob, or a device not found */
	int disk_error; /* why a device drive has no disk: a negative errno, 0 when it has one */
};

static void append(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Extend a message being built; a long one is cut short, never overflows. */
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/*
 * The disk of each device drive. A drive whose device is not there (unplugged, a stale by-id
 * name) holds no path; it is remembered for the message when the job touches nothing.
 */
static int find_drive_disks(const struct config *c, const struct blockdev_env *env, struct drive_match *m,
			    struct wg_err *err)
{
	const char *sysfs_root = env && env->sysfs_root ? env->sysfs_root : BLOCKDEV_SYSFS_ROOT;

	for (size_t i = 0; i < c->n_drives; i++) {
		const struct drive_cfg *d = &c->drives[i];
		struct wg_err sub = { "" };
		int r;

		if (d->source != DRIVE_DEVICE)
			continue;
		r = blockdev_disk_of_node(sysfs_root, d->path, &m[i].disk, &sub);
		if (r == -ENOENT || r == -ENODEV || r == -ENOTBLK)
			m[i].disk_error = r;
		else if (r < 0)
			return wg_err_set(err, r, "%s: drive '%s': %s", c->path, d->name, sub.msg);
	}
	return 0;
}

/*
 * Why a job touches no configured drive. Every disk under its paths is then unmonitored, so
 * naming each path's disks says it all, with the drives whose device was not found (the
 * likely reason when a drive of that name is configured).
 */
static int explain_untouched(const struct config *c, const struct job_cfg *j, char ***path_disks,
			     size_t n_unmonitored, const struct drive_match *m, struct wg_err *err)
{
	char paths[sizeof(err->msg)] = "", why[sizeof(err->msg)] = "";

	if (!j->paths || !j->paths[0])
		return wg_err_set(err, -ENOENT,
				  "%s:%d: job '%s' touches no configured drive: it has neither 'paths' nor 'drives'",
				  c->path, j->line, j->name);
	for (size_t p = 0; j->paths[p]; p++) {
		size_t n = strv_length(path_disks[p]);

		append(paths, sizeof(paths), "%s%s", p > 0 ? ", " : "", j->paths[p]);
		append(why, sizeof(why), "%s'%s' is on ", p > 0 ? ", " : "", j->paths[p]);
		for (size_t k = 0; k < n; k++)
			append(why, sizeof(why), "%s%s", k == 0 ? "" : k + 1 < n ? ", " : " and ", path_disks[p][k]);
	}
	append(why, sizeof(why), n_unmonitored == 1 ? ", which is not configured" : ", none of which is configured");
	for (size_t i = 0; i < c->n_drives; i++)
		if (m[i].disk_error < 0)
			append(why, sizeof(why), "; drive '%s' ('%s') could not be matched: %s", c->drives[i].name,
			       c->drives[i].path, strerror(-m[i].disk_error));
	return wg_err_set(err, -ENOENT, "%s:%d: job '%s' (paths %s) touches no configured drive: %s", c->path,
			  j->line, j->name, paths, why);
}

static int by_position(const void *a, const void *b)
{
	const struct drive_cfg *x = *(const struct drive_cfg *const *)a, *y = *(const struct drive_cfg *const *)b;

	return x < y ? -1 : x > y;
}

/*
 * A job that only names its drives: found by name, without a look at every configured drive,
 * so that deciding on every job of a large file is not quadratic. The same list, in the same
 * (the file's) order, as below.
 */
static int named_drives(const struct config *c, const struct job_cfg *j, const struct drive_cfg ***ret_drives,
			size_t *ret_n, struct wg_err *err)
{
	size_t n = strv_length(j->drives), k = 0;
	const struct drive_cfg **list = calloc(n + 1, sizeof(*list));

	if (!list)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		list[i] = config_drive(c, j->drives[i]);
		if (!list[i]) {
			free(list);
			return wg_err_set(err, -EINVAL, "%s:%d: job '%s': no drive '%s' is configured", c->path, j->line,
					  j->name, j->drives[i]);
		}
	}
	qsort(list, n, sizeof(*list), by_position);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || list[i] != list[k - 1])
			list[k++] = list[i];
	list[k] = NULL;
	*ret_drives = list;
	*ret_n = k;
	return 0;
}

int resolve_job_drives(const struct config *c, const struct job_cfg *j, const struct blockdev_env *env,
		       const struct drive_cfg ***ret_drives, size_t *ret_n, char ***ret_unmonitored,
		       struct wg_err *err)
{
	size_t n_paths = strv_length(j->paths), n = 0;
	const struct drive_cfg **list = NULL;
	struct drive_match *m = NULL;
	char ***path_disks = NULL;
	char **unmonitored = NULL;
	int r;

	if (n_paths == 0 && strv_length(j->drives) > 0) {
		if (ret_unmonitored)
			*ret_unmonitored = NULL;
		return named_drives(c, j, ret_drives, ret_n, err);
	}
	m = calloc(c->n_drives + 1, sizeof(*m));
	path_disks = calloc(n_paths + 1, sizeof(*path_disks));
	if (!m || !path_disks) {
		r = -ENOMEM;
		goto out;
	}
	/* Names first: a typo is a configuration error, found without touching a disk. */
	for (char **name = j->drives; name && *name; name++) {
		const struct drive_cfg *d = config_drive(c, *name);

		if (!d) {
			r = wg_err_set(err, -EINVAL, "%s:%d: job '%s': no drive '%s' is configured", c->path, j->line,
				       j->name, *name);
			goto out;
		}
		m[d - c->drives].touched = true;
	}
	if (n_paths > 0) {
		r = find_drive_disks(c, env, m, err);
		if (r < 0)
			goto out;
	}
	for (size_t p = 0; p < n_paths; p++) {
		struct wg_err sub = { "" };

		r = blockdev_disks_of_path(env, j->paths[p], &path_disks[p], &sub);
		if (r < 0) {
			wg_err_set(err, r, "%s:%d: job '%s': %s", c->path, j->line, j->name, sub.msg);
			goto out;
		}
		for (char **disk = path_disks[p]; *disk; disk++) {
			bool covered = false;

			for (size_t i = 0; i < c->n_drives; i++)
				if (m[i].disk && strcmp(m[i].disk, *disk) == 0)
					m[i].touched = covered = true;
			if (!covered && !strv_contains(unmonitored, *disk)) {
				r = strv_push(&unmonitored, *disk);
				if (r < 0)
					goto out;
			}
		}
	}
	for (size_t i = 0; i < c->n_drives; i++)
		n += m[i].touched;
	if (n == 0) {
		r = explain_untouched(c, j, path_disks, strv_length(unmonitored), m, err);
		goto out;
	}
	list = calloc(n + 1, sizeof(*list));
	if (!list) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0, k = 0; i < c->n_drives; i++)
		if (m[i].touched)
			list[k++] = &c->drives[i];
	*ret_drives = list;
	list = NULL;
	*ret_n = n;
	if (ret_unmonitored) {
		*ret_unmonitored = unmonitored;
		unmonitored = NULL;
	}
	r = 0;
out:
	free(list);
	strv_free(unmonitored);
	for (size_t p = 0; path_disks && p < n_paths; p++)
		strv_free(path_disks[p]);
	free(path_disks);
	for (size_t i = 0; m && i < c->n_drives; i++)
		free(m[i].disk);
	free(m);
	return r;
}

/* One device, or one file, under two paths: a device by its number, anything else by its inode. */
static bool same_thing(const struct stat *a, const struct stat *b)
{
	if ((S_ISBLK(a->st_mode) || S_ISCHR(a->st_mode)) && (S_ISBLK(b->st_mode) || S_ISCHR(b->st_mode)))
		return (a->st_mode & S_IFMT) == (b->st_mode & S_IFMT) && a->st_rdev == b->st_rdev;
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

int resolve_drives_once(const struct config *c, struct wg_err *err)
{
	struct stat *st = calloc(c->n_drives ? c->n_drives : 1, sizeof(*st));
	bool *found = calloc(c->n_drives ? c->n_drives : 1, sizeof(*found));
	int r = 0;

	if (!st || !found) {
		r = wg_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	/* a device that is not there now cannot be told from another: it is not compared */
	for (size_t i = 0; i < c->n_drives; i++)
		found[i] = stat(c->drives[i].path, &st[i]) == 0;
	for (size_t i = 0; i < c->n_drives && r == 0; i++)
		for (size_t j = 0; j < i && r == 0; j++)
			if (found[i] && found[j] && same_thing(&st[i], &st[j]))
				r = wg_err_set(err, -EEXIST,
					       "%s:%d: drive '%s' (%s) is the %s of drive '%s' (%s, line %d): one disk "
					       "configured twice would be judged twice, each history half of it",
					       c->path, c->drives[i].line, c->drives[i].name, c->drives[i].path,
					       c->drives[i].source == DRIVE_DEVICE ? "device" : "blob", c->drives[j].name,
					       c->drives[j].path, c->drives[j].line);
out:
	free(found);
	free(st);
	return r;
}
