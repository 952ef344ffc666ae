/* blockdev.c — which whole disks lie under a path or a device node, as the kernel's sysfs shows it */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "blockdev.h"

/* LVM on md on partitions is three levels; nothing real stacks anywhere near this deep. */
#define MAX_DEPTH 16

static const struct blockdev_env system_env = {
	.sysfs_root = BLOCKDEV_SYSFS_ROOT,
	.mountinfo = BLOCKDEV_MOUNTINFO,
};

static const char *last_component(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void strv_sort(char **v)
{
	if (v)
		qsort(v, strv_length(v), sizeof(*v), compare_strings);
}

/* The names in a directory, sorted so that what follows from them does not depend on readdir. */
static int list_dir(const char *path, char ***ret_names)
{
	char **names = NULL;
	struct dirent *de;
	DIR *d;
	int r = 0;

	d = opendir(path);
	if (!d)
		return -errno;
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			r = -errno;
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		r = strv_push(&names, de->d_name);
		if (r < 0)
			break;
	}
	closedir(d);
	if (r < 0) {
		strv_free(names);
		return r;
	}
	strv_sort(names);
	*ret_names = names;
	return 0;
}

static int devnum_dir(const char *sysfs_root, unsigned maj, unsigned min, char **ret_dir, struct wg_err *err)
{
	char link[PATH_MAX];
	char *dir;
	int e;

	if (snprintf(link, sizeof(link), "%s/dev/block/%u:%u", sysfs_root, maj, min) >= (int)sizeof(link))
		return wg_err_set(err, -ENAMETOOLONG, "'%s' is too long", sysfs_root);
	dir = realpath(link, NULL);
	if (!dir) {
		e = errno;
		if (e == ENOENT)
			return wg_err_set(err, -ENODEV, "%u:%u is not a block device ('%s' does not exist)", maj, min,
					  link);
		return wg_err_set(err, -e, "cannot resolve '%s': %s", link, strerror(e));
	}
	*ret_dir = dir;
	return 0;
}

/*
 * A partition's directory sits inside its disk's. Partitions say so with a `partition` file;
 * one inside a disk that sits in a block/ directory is a partition even without it (NVMe
 * disks have no block/ above them, so for those the file is what tells).
 */
static int whole_disk_dir(const char *dir, char **ret_disk)
{
	char parent[PATH_MAX], probe[PATH_MAX];
	const char *slash = strrchr(dir, '/');
	bool partition = false;
	struct stat st;
	char *up, *disk;

	if (slash && slash != dir) {
		if (snprintf(parent, sizeof(parent), "%.*s", (int)(slash - dir), dir) >= (int)sizeof(parent) ||
		    snprintf(probe, sizeof(probe), "%s/partition", dir) >= (int)sizeof(probe))
			return -ENAMETOOLONG;
		partition = stat(probe, &st) == 0;
		up = strrchr(parent, '/');
		if (!partition && up && up != parent) {
			*up = '\0';
			partition = strcmp(last_component(parent), "block") == 0;
			*up = '/';
		}
	}
	disk = strdup(partition ? parent : dir);
	if (!disk)
		return -ENOMEM;
	*ret_disk = disk;
	return 0;
}

struct walk {
	char **disks;
	const char *stack[MAX_DEPTH]; /* the disks being expanded, outermost first, to catch a loop */
	size_t depth;
	struct wg_err *err;
};

/* Add the whole disks under the block device whose sysfs directory is dev_dir. */
static int walk_device(struct walk *w, const char *dev_dir)
{
	char slaves[PATH_MAX], link[PATH_MAX];
	char *disk = NULL, **members = NULL;
	const char *name;
	int r, e;

	r = whole_disk_dir(dev_dir, &disk);
	if (r < 0)
		return r;
	name = last_component(disk);
	for (size_t i = 0; i < w->depth; i++)
		if (strcmp(w->stack[i], disk) == 0) {
			r = wg_err_set(w->err, -ELOOP, "'%s' is stacked on itself: its slaves lead back to it", name);
			goto out;
		}
	if (w->depth == MAX_DEPTH) {
		r = wg_err_set(w->err, -ELOOP, "'%s' is stacked more than %d devices deep",
			       last_component(w->stack[0]), MAX_DEPTH);
		goto out;
	}
	if (snprintf(slaves, sizeof(slaves), "%s/slaves", disk) >= (int)sizeof(slaves)) {
		r = -ENAMETOOLONG;
		goto out;
	}
	r = list_dir(slaves, &members);
	if (r == -ENOENT || r == -ENOTDIR)
		r = 0;
	else if (r < 0) {
		r = wg_err_set(w->err, r, "cannot read '%s': %s", slaves, strerror(-r));
		goto out;
	}
	if (!members) {
		if (!strv_contains(w->disks, name))
			r = strv_push(&w->disks, name);
		goto out;
	}
	w->stack[w->depth++] = disk;
	for (char **m = members; *m; m++) {
		char *member;

		if (snprintf(link, sizeof(link), "%s/%s", slaves, *m) >= (int)sizeof(link)) {
			r = -ENAMETOOLONG;
			break;
		}
		member = realpath(link, NULL);
		if (!member) {
			e = errno;
			r = wg_err_set(w->err, -e, "cannot resolve '%s': %s", link, strerror(e));
			break;
		}
		r = walk_device(w, member);
		free(member);
		if (r < 0)
			break;
	}
	w->depth--;
out:
	strv_free(members);
	free(disk);
	return r;
}

/* Hand over the disks walked, sorted; on failure free them. */
static int walk_finish(struct walk *w, int r, char ***ret_disks)
{
	if (r < 0) {
		strv_free(w->disks);
		return r;
	}
	strv_sort(w->disks);
	*ret_disks = w->disks;
	return 0;
}

int blockdev_disks_of_devnum(const char *sysfs_root, unsigned maj, unsigned min, char ***ret_disks,
			     struct wg_err *err)
{
	struct walk w = { .err = err };
	char *dir;
	int r;

	r = devnum_dir(sysfs_root, maj, min, &dir, err);
	if (r < 0)
		return r;
	r = walk_device(&w, dir);
	free(dir);
	return walk_finish(&w, r, ret_disks);
}

/* The sysfs directory of the block device at dev_path: see blockdev_disk_of_node(). */
static int node_dir(const char *sysfs_root, const char *dev_path, char **ret_dir, struct wg_err *err)
{
	char link[PATH_MAX];
	struct stat st;
	char *real, *dir;
	bool empty;
	int e, n;

	if (stat(dev_path, &st) < 0) {
		e = errno;
		return wg_err_set(err, -e, "cannot resolve '%s': %s", dev_path, strerror(e));
	}
	if (S_ISBLK(st.st_mode))
		return devnum_dir(sysfs_root, major(st.st_rdev), minor(st.st_rdev), ret_dir, err);
	/* Tests cannot always mknod: a plain file named like a device the kernel lists stands in for it. */
	real = realpath(dev_path, NULL);
	if (!real) {
		e = errno;
		return wg_err_set(err, -e, "cannot resolve '%s': %s", dev_path, strerror(e));
	}
	n = snprintf(link, sizeof(link), "%s/class/block/%s", sysfs_root, last_component(real));
	empty = !*last_component(real);
	free(real);
	if (n >= (int)sizeof(link))
		return wg_err_set(err, -ENAMETOOLONG, "'%s' is too long", dev_path);
	dir = empty ? NULL : realpath(link, NULL);
	if (!dir)
		return wg_err_set(err, -ENOTBLK, "'%s' is not a block device", dev_path);
	*ret_dir = dir;
	return 0;
}

int blockdev_disk_of_node(const char *sysfs_root, const char *dev_path, char **ret_name, struct wg_err *err)
{
	char *dir = NULL, *disk = NULL, *name;
	int r;

	r = node_dir(sysfs_root, dev_path, &dir, err);
	if (r < 0)
		return r;
	r = whole_disk_dir(dir, &disk);
	free(dir);
	if (r < 0)
		return r;
	name = strdup(last_component(disk));
	free(disk);
	if (!name)
		return -ENOMEM;
	*ret_name = name;
	return 0;
}

/* mountinfo writes space, tab, newline and backslash as \ooo; undo that in place. */
static void unescape_octal(char *s)
{
	char *out = s;

	for (const char *p = s; *p;) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' &&
		    p[3] <= '7') {
			*out++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 4;
		} else
			*out++ = *p++;
	}
	*out = '\0';
}

/* How much of path mount point mnt holds: its length when it is path or a parent of it, else 0. */
static size_t mount_covers(const char *mnt, const char *path)
{
	size_t n = strlen(mnt);

	if (strcmp(mnt, "/") == 0)
		return 1;
	if (strncmp(mnt, path, n) == 0 && (path[n] == '\0' || path[n] == '/'))
		return n;
	return 0;
}

/*
 * The filesystem type and source of the mount that holds path (absolute, no symlinks): the
 * longest mount point above it, and of equal ones the last, which hides those before it.
 * -ENODEV when no mount holds it.
 */
static int find_mount(const char *mountinfo, const char *path, char **ret_fstype, char **ret_source,
		      struct wg_err *err)
{
	char *line = NULL, *fstype = NULL, *source = NULL;
	size_t size = 0, best = 0;
	FILE *f;
	int r = 0, e;

	f = fopen(mountinfo, "re");
	if (!f) {
		e = errno;
		return wg_err_set(err, -e, "cannot read '%s': %s", mountinfo, strerror(e));
	}
	while (getline(&line, &size, f) >= 0) {
		/* ID PARENT MAJ:MIN ROOT MOUNT-POINT OPTIONS [OPTIONAL…] - FSTYPE SOURCE SUPER-OPTIONS */
		char *p = line, *field[5], *sep, *type, *src;
		size_t n;
		int i;

		line[strcspn(line, "\n")] = '\0';
		for (i = 0; i < 5 && (field[i] = strsep(&p, " ")); i++)
			;
		if (i < 5 || !strsep(&p, " "))
			continue;
		while ((sep = strsep(&p, " ")) && strcmp(sep, "-") != 0)
			;
		type = sep ? strsep(&p, " ") : NULL;
		src = type ? strsep(&p, " ") : NULL;
		if (!src)
			continue;
		unescape_octal(field[4]);
		n = mount_covers(field[4], path);
		if (n == 0 || n < best)
			continue;
		best = n;
		free(fstype);
		free(source);
		fstype = strdup(type);
		source = strdup(src);
		if (!fstype || !source) {
			r = -ENOMEM;
			break;
		}
	}
	if (r == 0 && ferror(f))
		r = wg_err_set(err, -EIO, "cannot read '%s'", mountinfo);
	fclose(f);
	free(line);
	if (r == 0 && best == 0)
		r = -ENODEV;
	if (r < 0) {
		free(fstype);
		free(source);
		return r;
	}
	unescape_octal(fstype);
	unescape_octal(source);
	*ret_fstype = fstype;
	*ret_source = source;
	return 0;
}

/*
 * A btrfs filesystem may span devices, and the mount table names only the one it was mounted
 * from; /sys/fs/btrfs/UUID/devices/ lists them all. Walk them all when dev_dir is one of them
 * (*found), else leave w alone.
 */
static int walk_btrfs(struct walk *w, const char *sysfs_root, const char *dev_dir, bool *found)
{
	char fs_dir[PATH_MAX], devices[PATH_MAX], probe[PATH_MAX];
	char **filesystems = NULL, **members = NULL;
	const char *name = last_component(dev_dir);
	struct stat st;
	int r, e;

	*found = false;
	if (snprintf(fs_dir, sizeof(fs_dir), "%s/fs/btrfs", sysfs_root) >= (int)sizeof(fs_dir))
		return -ENAMETOOLONG;
	r = list_dir(fs_dir, &filesystems);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return wg_err_set(w->err, r, "cannot read '%s': %s", fs_dir, strerror(-r));
	for (char **fs = filesystems; fs && *fs; fs++) {
		if (snprintf(devices, sizeof(devices), "%s/%s/devices", fs_dir, *fs) >= (int)sizeof(devices) ||
		    snprintf(probe, sizeof(probe), "%s/%s", devices, name) >= (int)sizeof(probe)) {
			r = -ENAMETOOLONG;
			goto out;
		}
		if (lstat(probe, &st) == 0) {
			*found = true;
			break;
		}
	}
	if (!*found)
		goto out;
	r = list_dir(devices, &members);
	if (r < 0) {
		r = wg_err_set(w->err, r, "cannot read '%s': %s", devices, strerror(-r));
		goto out;
	}
	for (char **m = members; m && *m; m++) {
		char *member;

		if (snprintf(probe, sizeof(probe), "%s/%s", devices, *m) >= (int)sizeof(probe)) {
			r = -ENAMETOOLONG;
			break;
		}
		member = realpath(probe, NULL);
		if (!member) {
			e = errno;
			r = wg_err_set(w->err, -e, "cannot resolve '%s': %s", probe, strerror(e));
			break;
		}
		r = walk_device(w, member);
		free(member);
		if (r < 0)
			break;
	}
out:
	strv_free(members);
	strv_free(filesystems);
	return r;
}

/*
 * btrfs gives every subvolume an anonymous device (major 0), as do fuseblk (ntfs-3g) and
 * filesystems with no device at all (tmpfs, overlay, nfs, zfs): sysfs knows none of them, the
 * mount table knows what each was mounted from.
 */
static int disks_of_anonymous(const struct blockdev_env *env, const char *path, char ***ret_disks,
			      struct wg_err *err)
{
	struct walk w = { .err = err };
	char *real = NULL, *fstype = NULL, *source = NULL, *dir = NULL;
	struct wg_err sub = { "" };
	bool found = false;
	int r, e;

	real = realpath(path, NULL);
	if (!real) {
		e = errno;
		return wg_err_set(err, -e, "cannot resolve '%s': %s", path, strerror(e));
	}
	r = find_mount(env->mountinfo, real, &fstype, &source, &sub);
	if (r == -ENODEV)
		r = wg_err_set(err, r, "'%s' is not on a block device (no mount in '%s' holds it)", path,
			       env->mountinfo);
	else if (r < 0)
		r = wg_err_set(err, r, "cannot resolve '%s': %s", path, sub.msg);
	if (r < 0)
		goto out;
	if (source[0] != '/') {
		r = wg_err_set(err, -ENODEV, "'%s' is not on a block device (it is on %s '%s')", path, fstype, source);
		goto out;
	}
	r = node_dir(env->sysfs_root, source, &dir, &sub);
	if (r == -ENOTBLK || r == -ENODEV)
		r = wg_err_set(err, -ENODEV, "'%s' is not on a block device (it is on %s '%s')", path, fstype,
			       source);
	else if (r < 0)
		r = wg_err_set(err, r, "'%s' is on %s '%s': %s", path, fstype, source, sub.msg);
	if (r < 0)
		goto out;
	if (strcmp(fstype, "btrfs") == 0)
		r = walk_btrfs(&w, env->sysfs_root, dir, &found);
	if (r == 0 && !found)
		r = walk_device(&w, dir);
out:
	free(dir);
	free(source);
	free(fstype);
	free(real);
	return walk_finish(&w, r, ret_disks);
}

int blockdev_disks_of_path(const struct blockdev_env *env, const char *path, char ***ret_disks,
			   struct wg_err *err)
{
	struct stat st;
	unsigned maj, min;
	int r, e;

	if (!env)
		env = &system_env;
	if (stat(path, &st) < 0) {
		e = errno;
		return wg_err_set(err, -e, "cannot resolve '%s': %s", path, strerror(e));
	}
	maj = major(st.st_dev);
	min = minor(st.st_dev);
	if (maj == 0)
		return disks_of_anonymous(env, path, ret_disks, err);
	r = blockdev_disks_of_devnum(env->sysfs_root, maj, min, ret_disks, err);
	if (r == -ENODEV)
		return wg_err_set(err, r, "'%s' is not on a block device (its device %u:%u is not in '%s/dev/block')",
				  path, maj, min, env->sysfs_root);
	return r;
}
