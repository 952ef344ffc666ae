/* throttle.c — a job's I/O bandwidth limit on its disks: cgroup v2 io.max, through systemd or directly */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iostat.h"
#include "throttle.h"

/* systemd takes unit names of at most 255 characters, ".scope" included. */
#define UNIT_NAME_MAX (255 - (sizeof(".scope") - 1))

/* Where PATH is unset, what execvp() searches. */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The interface files read here are a line of controller names; far more is not a cgroup's. */
#define CGROUP_FILE_MAX 4096

struct devnum {
	unsigned maj, min;
};

/*
 * "weargate-JOB-PID", valid both as a systemd unit name and as a cgroup directory name: what
 * systemd refuses (anything but ASCII letters, digits and ":_.-"; '@' would make it a
 * template's instance, '\' is its escape) is written "\xNN" as systemd-escape writes it. A long
 * name is cut between whole characters and keeps the pid, which makes it unique.
 */
static void unit_name(const char *job, char buf[UNIT_NAME_MAX + 1])
{
	char pid[16];
	size_t used = strlen("weargate-"), room;

	snprintf(pid, sizeof(pid), "-%d", (int)getpid());
	room = UNIT_NAME_MAX - strlen(pid);
	memcpy(buf, "weargate-", used);
	for (const unsigned char *p = (const unsigned char *)job; *p; p++) {
		char c[5];
		int n;

		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr(":_.-", *p))
			n = snprintf(c, sizeof(c), "%c", *p);
		else
			n = snprintf(c, sizeof(c), "\\x%02x", *p);
		if (used + (size_t)n > room)
			break;
		memcpy(buf + used, c, (size_t)n);
		used += (size_t)n;
	}
	memcpy(buf + used, pid, strlen(pid) + 1);
}

/* As sd_booted() tells: the directory exists only when systemd is PID 1. */
static bool systemd_running(const char *dir)
{
	struct stat st;

	return dir && lstat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/*
 * The program as execvp() would find it, but made absolute, since the job runs with a PATH of
 * its own; relative directories in PATH are skipped, as nothing run as root should use them.
 */
static int find_program(const char *name, char **ret_path)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (strchr(name, '/')) {
		if (!executable(name))
			return -ENOENT;
		*ret_path = strdup(name);
		return *ret_path ? 0 : -ENOMEM;
	}
	if (!path || !*path)
		path = DEFAULT_PATH;
	for (const char *p = path;; p++) {
		size_t n = strcspn(p, ":");

		if (p[0] == '/' && snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, name) < (int)sizeof(buf) &&
		    executable(buf)) {
			*ret_path = strdup(buf);
			return *ret_path ? 0 : -ENOMEM;
		}
		p += n;
		if (!*p)
			return -ENOENT;
	}
}

/* "IOReadBandwidthMax=/dev/sda 20971520": systemd takes a device node there. */
static int push_bandwidth(char ***v, const char *key, const char *disk, uint64_t bps)
{
	char *s, *p;
	int r;

	if (asprintf(&s, "%s=/dev/%s %" PRIu64, key, disk, bps) < 0)
		return -ENOMEM;
	/* sysfs writes the '/' of a node in a subdirectory as '!': "cciss!c0d0" is /dev/cciss/c0d0 */
	for (p = s + strlen(key) + strlen("=/dev/"); *p != ' '; p++)
		if (*p == '!')
			*p = '/';
	r = strv_push(v, "-p");
	if (r >= 0)
		r = strv_push(v, s);
	free(s);
	return r;
}

static int systemd_argv(const char *run, const char *name, uint64_t bps, char *const *disks, char ***ret_argv)
{
	char **v = NULL, unit[UNIT_NAME_MAX + 16];
	int r;

	snprintf(unit, sizeof(unit), "--unit=%s", name);
	r = strv_push(&v, run);
	if (r >= 0)
		r = strv_push(&v, "--scope");
	if (r >= 0)
		r = strv_push(&v, "--quiet");
	/* a scope whose job failed goes away all the same, and its name with it */
	if (r >= 0)
		r = strv_push(&v, "--collect");
	if (r >= 0)
		r = strv_push(&v, unit);
	for (size_t i = 0; r >= 0 && disks[i]; i++) {
		r = push_bandwidth(&v, "IOReadBandwidthMax", disks[i], bps);
		if (r >= 0)
			r = push_bandwidth(&v, "IOWriteBandwidthMax", disks[i], bps);
	}
	if (r >= 0)
		r = strv_push(&v, "--");
	if (r < 0) {
		strv_free(v);
		return r;
	}
	*ret_argv = v;
	return 0;
}

static int read_cgroup_file(const char *dir, const char *file, char **ret_text, struct wg_err *err)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return wg_err_set(err, -ENAMETOOLONG, "'%s' is too long", dir);
	return wg_read_text(path, CGROUP_FILE_MAX, ret_text, err);
}

/* Whether word is one of the blank-separated words of text, as cgroup.controllers lists them. */
static bool has_word(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = text + strspn(text, " \t\n"); *p; p += strspn(p, " \t\n")) {
		size_t len = strcspn(p, " \t\n");

		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p += len;
	}
	return false;
}

/* One write(), one command: the kernel takes each write to an interface file as a whole. */
static int write_text(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd, r = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n < 0)
		r = -errno;
	else if ((size_t)n != len)
		r = -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

/* Move this process (all its threads) into cgroup dir. */
static int move_into(const char *dir)
{
	char path[PATH_MAX], pid[16];

	if (snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	return write_text(path, pid);
}

static int subtree_control(const char *dir, const char *command)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	return write_text(path, command);
}

/*
 * Back from our leaf to its parent: io first given back (the parent could not hold us with it
 * on), then the leaf removed. Nothing here can be put right when it fails: at worst we stay in
 * the leaf, from where a later throttle still works, one level down.
 */
static void leave_leaf(const char *leaf, bool give_back_io)
{
	char parent[PATH_MAX];
	const char *slash = strrchr(leaf, '/');

	if (!slash || snprintf(parent, sizeof(parent), "%.*s", (int)(slash - leaf), leaf) >= (int)sizeof(parent))
		return;
	if (give_back_io)
		subtree_control(parent, "-io\n");
	if (move_into(parent) == 0)
		rmdir(leaf);
}

/*
 * Let our cgroup pass io on to its children. cgroup v2 lets no cgroup but the root both hold
 * processes and do so ("no internal processes"): from any other, we first move into a leaf of
 * our own beside the job's, and the kernel still refuses while other processes share ours. The
 * root is told apart by what it lacks: every cgroup but the root has cgroup.events.
 */
static int enable_io(const char *own, char **ret_leaf, struct wg_err *err)
{
	char path[PATH_MAX], *leaf = NULL;
	struct stat st;
	int r;

	if (snprintf(path, sizeof(path), "%s/cgroup.events", own) >= (int)sizeof(path))
		return wg_err_set(err, -ENAMETOOLONG, "'%s' is too long", own);
	if (stat(path, &st) == 0) {
		if (asprintf(&leaf, "%s/weargate-%d", own, (int)getpid()) < 0)
			return wg_err_set(err, -ENOMEM, "out of memory");
		if (mkdir(leaf, 0755) < 0) {
			r = -errno;
			wg_err_set(err, r, "cannot enable the io controller in '%s': cannot create '%s': %s", own, leaf,
				   strerror(-r));
			free(leaf);
			return r;
		}
		r = move_into(leaf);
		if (r < 0) {
			rmdir(leaf);
			wg_err_set(err, r, "cannot enable the io controller in '%s': cannot move into '%s': %s", own,
				   leaf, strerror(-r));
			free(leaf);
			return r;
		}
	}
	r = subtree_control(own, "+io\n");
	if (r < 0) {
		if (leaf)
			leave_leaf(leaf, false);
		free(leaf);
		/* the one cause an admin cannot guess from the errno alone */
		return wg_err_set(err, r, "cannot enable the io controller in '%s': %s%s", own, strerror(-r),
				  r == -EBUSY ? " (other processes share it)" : "");
	}
	*ret_leaf = leaf;
	return 0;
}

/* One line, one write() per disk: the kernel reads a single device from each write to io.max. */
static int write_limits(const char *dir, char *const *disks, const struct devnum *nums, uint64_t bps,
			struct wg_err *err)
{
	char path[PATH_MAX], line[96];
	int fd, n, r = 0;

	if (snprintf(path, sizeof(path), "%s/io.max", dir) >= (int)sizeof(path))
		return wg_err_set(err, -ENAMETOOLONG, "'%s' is too long", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		return wg_err_set(err, r, "cannot write '%s': %s", path, strerror(-r));
	}
	for (size_t i = 0; disks[i]; i++) {
		ssize_t w;

		n = snprintf(line, sizeof(line), "%u:%u rbps=%" PRIu64 " wbps=%" PRIu64 "\n", nums[i].maj, nums[i].min,
			     bps, bps);
		w = write(fd, line, (size_t)n);
		if (w != n) {
			r = w < 0 ? -errno : -EIO;
			wg_err_set(err, r, "cannot limit '%s' (%u:%u) in '%s': %s", disks[i], nums[i].maj, nums[i].min,
				   path, strerror(-r));
			break;
		}
	}
	close(fd);
	return r;
}

/* Our cgroup in the v2 hierarchy: the path on the "0::" line of /proc/self/cgroup. */
static int own_cgroup(const char *self_cgroup, char **ret_path, struct wg_err *err)
{
	char *text, *line, *p, *path = NULL;
	int r;

	r = wg_read_text(self_cgroup, CGROUP_FILE_MAX, &text, err);
	if (r < 0)
		return r;
	for (p = text; (line = strsep(&p, "\n"));)
		if (strncmp(line, "0::/", 4) == 0) {
			path = strdup(line + 3);
			if (!path)
				r = wg_err_set(err, -ENOMEM, "out of memory");
			break;
		}
	free(text);
	if (r < 0)
		return r;
	if (!path)
		return wg_err_set(err, -ENOENT, "no cgroup v2 entry (a '0::' line) in '%s'", self_cgroup);
	*ret_path = path;
	return 0;
}

static int cgroup_prepare(const struct throttle_env *env, const char *name, uint64_t bps, char *const *disks,
			  const struct devnum *nums, struct throttle *t, struct wg_err *err)
{
	char path[PATH_MAX], *self = NULL, *text = NULL, *own = NULL, *leaf = NULL, *job = NULL;
	struct stat st;
	int r;

	if (stat(env->cgroup_root, &st) < 0) {
		r = -errno;
		return wg_err_set(err, r, "no cgroup v2 at '%s': %s", env->cgroup_root, strerror(-r));
	}
	if (snprintf(path, sizeof(path), "%s/cgroup.controllers", env->cgroup_root) >= (int)sizeof(path))
		return wg_err_set(err, -ENAMETOOLONG, "'%s' is too long", env->cgroup_root);
	if (stat(path, &st) < 0)
		return wg_err_set(err, -ENOENT,
				  "no cgroup v2 at '%s' (cgroup v1 or hybrid: it has no cgroup.controllers)",
				  env->cgroup_root);
	r = own_cgroup(env->self_cgroup, &self, err);
	if (r < 0)
		return r;
	if (asprintf(&own, "%s%s", env->cgroup_root, strcmp(self, "/") == 0 ? "" : self) < 0) {
		own = NULL;
		r = wg_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	r = read_cgroup_file(own, "cgroup.controllers", &text, err);
	if (r < 0)
		goto out;
	if (!has_word(text, "io")) {
		text[strcspn(text, "\n")] = '\0';
		r = wg_err_set(err, -EOPNOTSUPP,
			       "the io controller is not available in '%s' (its cgroup.controllers: '%s')", own, text);
		goto out;
	}
	free(text);
	text = NULL;
	r = read_cgroup_file(own, "cgroup.subtree_control", &text, err);
	if (r < 0)
		goto out;
	if (!has_word(text, "io")) {
		r = enable_io(own, &leaf, err);
		if (r < 0)
			goto out;
	}
	if (asprintf(&job, "%s/%s", own, name) < 0) {
		job = NULL;
		r = wg_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	if (mkdir(job, 0755) < 0) {
		r = -errno;
		wg_err_set(err, r, "cannot create cgroup '%s': %s", job, strerror(-r));
		goto out;
	}
	r = write_limits(job, disks, nums, bps, err);
	if (r < 0) {
		rmdir(job);
		goto out;
	}
	t->cgroup = job;
	t->leaf = leaf;
	job = leaf = NULL;
out:
	/* io stays on at the root, where it stops no process from being there */
	if (leaf)
		leave_leaf(leaf, true);
	free(leaf);
	free(job);
	free(text);
	free(own);
	free(self);
	return r;
}

void throttle_prepare(const struct throttle_env *env, const char *sysfs_root, const char *job, uint64_t bps,
		      char *const *disks, struct throttle *ret)
{
	struct wg_err err = { "" };
	struct devnum *nums = NULL;
	char name[UNIT_NAME_MAX + 1], missing[PATH_MAX + 64] = "", *run = NULL;
	size_t n = strv_length(disks);
	int r;

	*ret = (struct throttle){ .method = THROTTLE_NONE };
	if (bps == 0) {
		snprintf(ret->why, sizeof(ret->why), "a limit of 0 bytes per second would stop the job's I/O");
		return;
	}
	if (n == 0) {
		snprintf(ret->why, sizeof(ret->why), "job '%s' has no disk to limit", job);
		return;
	}
	nums = calloc(n, sizeof(*nums));
	if (!nums) {
		snprintf(ret->why, sizeof(ret->why), "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		r = iostat_devnum(sysfs_root, disks[i], &nums[i].maj, &nums[i].min, &err);
		if (r < 0) {
			snprintf(ret->why, sizeof(ret->why), "cannot limit '%s': %s", disks[i], err.msg);
			goto out;
		}
	}
	unit_name(job, name);
	if (systemd_running(env->systemd_dir)) {
		r = find_program(env->systemd_run, &run);
		if (r == 0) {
			r = systemd_argv(run, name, bps, disks, &ret->argv_prefix);
			if (r == 0)
				ret->method = THROTTLE_SYSTEMD_RUN;
			else
				snprintf(ret->why, sizeof(ret->why), "out of memory");
			goto out;
		}
		/* systemd owns the tree, yet a cgroup of our own still limits the job */
		snprintf(missing, sizeof(missing), "'%s' not found%s, and ", env->systemd_run,
			 strchr(env->systemd_run, '/') ? "" : " in PATH");
	}
	r = cgroup_prepare(env, name, bps, disks, nums, ret, &err);
	if (r == 0)
		ret->method = THROTTLE_CGROUP;
	else
		snprintf(ret->why, sizeof(ret->why), "%s%s", missing, err.msg);
out:
	free(run);
	free(nums);
}

void throttle_release(struct throttle *t)
{
	if (!t)
		return;
	/* a process the job left behind keeps its cgroup, which then stays: the kernel says EBUSY */
	if (t->cgroup)
		rmdir(t->cgroup);
	if (t->leaf)
		leave_leaf(t->leaf, true);
	free(t->cgroup);
	free(t->leaf);
	strv_free(t->argv_prefix);
	*t = (struct throttle){ .method = THROTTLE_NONE };
}
