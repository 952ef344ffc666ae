/* test-throttle.c — a job's I/O limit through systemd-run or a cgroup of its own, against fake trees */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "throttle.h"
#include "tmpdir.h"

/*
 * ROOT/cgroup is a fake cgroup2 hierarchy, ROOT/sys a sysfs with sda (8:0), sdb (8:16) and
 * cciss!c0d0 (104:0), ROOT/self what /proc/self/cgroup says, ROOT/systemd the directory
 * systemd makes when it is PID 1, ROOT/bin/systemd-run a program.
 */
static char root[64];
static char self_cgroup[96], sysfs[96], systemd_dir[96], systemd_run[96];

/* snprintf into an array, which must hold it all */
#define FMT(buf, ...) assert_true(snprintf((buf), sizeof(buf), __VA_ARGS__) < (int)sizeof(buf))

/* Not static: mkdir() and rmdir() below read it from other compilation units' calls. */
char fake_cgroup_root[96];

static bool in_fake_hierarchy(const char *path)
{
	size_t n = strlen(fake_cgroup_root);

	return n > 0 && strncmp(path, fake_cgroup_root, n) == 0 && path[n] == '/';
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		fail_msg("cannot create '%s': %s", path, strerror(errno));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* The whole of a file; "" when it does not exist. */
static void read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

static bool listed(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = strstr(list, word); p; p = strstr(p + 1, word))
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

/*
 * The controllers a cgroup passes on to its children, from its cgroup.subtree_control: where
 * the kernel keeps the result, the fake holds what was written ("+io", "-io"), or the plain
 * names the tests start it off with ("io memory"). Space-separated, newline-ended.
 */
static void passed_on(const char *dir, char *buf, size_t len)
{
	char path[PATH_MAX], text[256], *p = text, *word, names[16][32];
	size_t n = 0;

	FMT(path, "%s/cgroup.subtree_control", dir);
	read_text(path, text, sizeof(text));
	while ((word = strsep(&p, " \n"))) {
		bool off = word[0] == '-';
		size_t i;

		if (word[0] == '+' || word[0] == '-')
			word++;
		if (!*word || strlen(word) >= sizeof(names[0]))
			continue;
		for (i = 0; i < n && strcmp(names[i], word) != 0; i++)
			;
		if (off && i < n) {
			n--;
			memmove(names[i], names[i + 1], (n - i) * sizeof(names[0]));
		} else if (!off && i == n && n < WG_ELEMENTSOF(names)) {
			strcpy(names[n++], word);
		}
	}
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? " " : "", names[i]);
	snprintf(buf + strlen(buf), len - strlen(buf), "\n");
}

/*
 * A cgroup2 filesystem fills a new directory with its interface files and takes them away with
 * it on rmdir; one under /tmp does neither. Under the fake hierarchy these two do what cgroupfs
 * does (for the files throttle.c looks at): a new cgroup can use what its parent passes on, io.max
 * only when that includes io, and one with children is busy. Every other path goes to the real
 * calls. throttle.c's calls land here: a program's own definitions come before libc's.
 */
int mkdir(const char *path, mode_t mode)
{
	char parent[PATH_MAX], file[PATH_MAX], controllers[256];
	const char *slash = strrchr(path, '/');

	if (mkdirat(AT_FDCWD, path, mode) < 0)
		return -1;
	if (!in_fake_hierarchy(path))
		return 0;
	FMT(parent, "%.*s", (int)(slash - path), path);
	passed_on(parent, controllers, sizeof(controllers));
	FMT(file, "%s/cgroup.controllers", path);
	write_text(file, controllers);
	FMT(file, "%s/cgroup.subtree_control", path);
	write_text(file, "");
	FMT(file, "%s/cgroup.procs", path);
	write_text(file, "");
	FMT(file, "%s/cgroup.type", path);
	write_text(file, "domain\n");
	/* every cgroup but the root has it */
	FMT(file, "%s/cgroup.events", path);
	write_text(file, "populated 0\nfrozen 0\n");
	if (listed(controllers, "io")) {
		FMT(file, "%s/io.max", path);
		write_text(file, "");
	}
	return 0;
}

int rmdir(const char *path)
{
	static const char *const files[] = { "cgroup.controllers", "cgroup.subtree_control", "cgroup.procs",
					     "cgroup.type", "cgroup.events", "io.max" };
	char file[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (!in_fake_hierarchy(path))
		return unlinkat(AT_FDCWD, path, AT_REMOVEDIR);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode)) {
			closedir(d);
			errno = EBUSY;
			return -1;
		}
	closedir(d);
	for (size_t i = 0; i < WG_ELEMENTSOF(files); i++) {
		FMT(file, "%s/%s", path, files[i]);
		unlink(file);
	}
	return unlinkat(AT_FDCWD, path, AT_REMOVEDIR);
}

static int setup(void **state)
{
	char path[PATH_MAX];
	static const struct {
		const char *name, *dev;
	} disks[] = { { "sda", "8:0\n" }, { "sdb", "8:16\n" }, { "cciss!c0d0", "104:0\n" } };

	(void)state;
	FMT(root, "/tmp/wg-test-throttle-XXXXXX");
	/* others may look: the unprivileged child of test_permission_denied */
	if (!mkdtemp(root) || chmod(root, 0755) < 0)
		return -1;
	FMT(self_cgroup, "%s/self", root);
	FMT(sysfs, "%s/sys", root);
	FMT(systemd_dir, "%s/systemd", root);
	FMT(systemd_run, "%s/bin/systemd-run", root);
	FMT(path, "%s/cgroup", root);
	/* the root cgroup: made before the fake hierarchy starts, it has no cgroup.events */
	if (mkdir(path, 0755) < 0)
		return -1;
	FMT(fake_cgroup_root, "%s", path);
	FMT(path, "%s/cgroup.controllers", fake_cgroup_root);
	write_text(path, "cpu io memory pids\n");
	FMT(path, "%s/cgroup.subtree_control", fake_cgroup_root);
	write_text(path, "");
	FMT(path, "%s/cgroup.procs", fake_cgroup_root);
	write_text(path, "1\n");
	write_text(self_cgroup, "0::/\n");
	FMT(path, "%s/block", sysfs);
	if (mkdir(sysfs, 0755) < 0 || mkdir(path, 0755) < 0)
		return -1;
	for (size_t i = 0; i < WG_ELEMENTSOF(disks); i++) {
		FMT(path, "%s/block/%s", sysfs, disks[i].name);
		if (mkdir(path, 0755) < 0)
			return -1;
		FMT(path, "%s/block/%s/dev", sysfs, disks[i].name);
		write_text(path, disks[i].dev);
	}
	FMT(path, "%s/bin", root);
	if (mkdir(path, 0755) < 0)
		return -1;
	write_text(systemd_run, "#!/bin/sh\nexit 1\n");
	return chmod(systemd_run, 0755);
}

static int teardown(void **state)
{
	(void)state;
	fake_cgroup_root[0] = '\0';
	return tmpdir_remove(root);
}

/* The fake hierarchy's ROOT/cgroup/rel in buf ("" for the root cgroup). */
static const char *cg(char *buf, size_t len, const char *rel)
{
	assert_true(snprintf(buf, len, "%s%s%s", fake_cgroup_root, *rel ? "/" : "", rel) < (int)len);
	return buf;
}

static void make_cgroup(const char *rel)
{
	char path[PATH_MAX];

	if (mkdir(cg(path, sizeof(path), rel), 0755) < 0)
		fail_msg("cannot create '%s': %s", path, strerror(errno));
}

static void set_cgroup_file(const char *rel, const char *file, const char *text)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];

	FMT(path, "%s/%s", cg(dir, sizeof(dir), rel), file);
	write_text(path, text);
}

static void expect_file(const char *path, const char *want)
{
	char got[1024];

	read_text(path, got, sizeof(got));
	if (strcmp(got, want) != 0)
		fail_msg("'%s' holds '%s', expected '%s'", path, got, want);
}

static void expect_cgroup_file(const char *rel, const char *file, const char *want)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];

	FMT(path, "%s/%s", cg(dir, sizeof(dir), rel), file);
	expect_file(path, want);
}

/* Nothing of ours left in the cgroup at rel. */
static void expect_no_leftover(const char *rel)
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;

	d = opendir(cg(dir, sizeof(dir), rel));
	assert_non_null(d);
	while ((de = readdir(d)))
		if (strncmp(de->d_name, "weargate", 8) == 0)
			fail_msg("'%s/%s' was left behind", dir, de->d_name);
	closedir(d);
}

static struct throttle_env fake_env(void)
{
	return (struct throttle_env){
		.cgroup_root = fake_cgroup_root,
		.systemd_dir = systemd_dir,
		.self_cgroup = self_cgroup,
		.systemd_run = systemd_run,
	};
}

static void systemd_is_pid1(void)
{
	assert_int_equal(mkdir(systemd_dir, 0755), 0);
}

#define STRV(...) ((char *[]){ __VA_ARGS__, NULL })

static void expect_argv(char **got, char *const *want)
{
	size_t i;

	for (i = 0; got && got[i] && want[i]; i++)
		assert_string_equal(got[i], want[i]);
	if (!got || got[i] || want[i])
		fail_msg("argv ends at %zu, with '%s' against '%s'", i, got && got[i] ? got[i] : "(end)",
			 want[i] ? want[i] : "(end)");
}

static void expect_none(const struct throttle_env *env, char *const *disks, uint64_t bps, const char *want_why)
{
	struct throttle t;

	throttle_prepare(env, sysfs, "purge", bps, disks, &t);
	if (t.method != THROTTLE_NONE)
		fail_msg("method %d, expected none (%s)", (int)t.method, want_why);
	assert_string_equal(t.why, want_why);
	assert_null(t.argv_prefix);
	assert_null(t.cgroup);
	assert_null(t.leaf);
	throttle_release(&t);
}

static void test_systemd_run(void **state)
{
	const struct throttle_env env = fake_env();
	struct throttle t;
	char unit[64];

	(void)state;
	systemd_is_pid1();
	throttle_prepare(&env, sysfs, "queue-purge", 20971520, STRV("sda", "sdb", "cciss!c0d0"), &t);
	if (t.method != THROTTLE_SYSTEMD_RUN)
		fail_msg("method %d: %s", (int)t.method, t.why);
	FMT(unit, "--unit=weargate-queue-purge-%d", (int)getpid());
	expect_argv(t.argv_prefix, STRV(systemd_run, "--scope", "--quiet", "--collect", unit,
					"-p", "IOReadBandwidthMax=/dev/sda 20971520",
					"-p", "IOWriteBandwidthMax=/dev/sda 20971520",
					"-p", "IOReadBandwidthMax=/dev/sdb 20971520",
					"-p", "IOWriteBandwidthMax=/dev/sdb 20971520",
					/* sysfs's '!' is the node's '/' */
					"-p", "IOReadBandwidthMax=/dev/cciss/c0d0 20971520",
					"-p", "IOWriteBandwidthMax=/dev/cciss/c0d0 20971520", "--"));
	assert_null(t.cgroup);
	assert_null(t.leaf);
	/* systemd owns the tree where it runs: a hierarchy that would do is left alone */
	expect_no_leftover("");
	expect_cgroup_file("", "cgroup.subtree_control", "");
	throttle_release(&t);
	assert_int_equal(t.method, THROTTLE_NONE);
	assert_null(t.argv_prefix);
	throttle_release(&t);
	throttle_release(NULL);
}

/* PATH and the working directory as they were before the test that changes them, failed or not */
static char *saved_path;
static char saved_cwd[PATH_MAX];

static int setup_path(void **state)
{
	const char *p = getenv("PATH");

	if (!getcwd(saved_cwd, sizeof(saved_cwd)) || (p && !(saved_path = strdup(p))))
		return -1;
	return setup(state);
}

static int teardown_path(void **state)
{
	int r = chdir(saved_cwd);

	if (saved_path)
		setenv("PATH", saved_path, 1);
	else
		unsetenv("PATH");
	free(saved_path);
	saved_path = NULL;
	return teardown(state) < 0 || r < 0 ? -1 : 0;
}

static void test_systemd_run_in_path(void **state)
{
	struct throttle_env env = fake_env();
	char dirs[4 * 96], path[PATH_MAX];
	struct throttle t;

	(void)state;
	systemd_is_pid1();
	/* not executable; relative to the directory we are in, which root must never search */
	FMT(path, "%s/noexec", root);
	assert_int_equal(mkdir(path, 0755), 0);
	FMT(path, "%s/noexec/systemd-run", root);
	write_text(path, "");
	FMT(path, "%s/rel", root);
	assert_int_equal(mkdir(path, 0755), 0);
	FMT(path, "%s/rel/systemd-run", root);
	write_text(path, "");
	assert_int_equal(chmod(path, 0755), 0);
	assert_int_equal(chdir(root), 0);

	env.systemd_run = "systemd-run";
	FMT(dirs, "%s/missing::rel:%s/noexec:%s/bin", root, root, root);
	setenv("PATH", dirs, 1);
	throttle_prepare(&env, sysfs, "backup", 1000000, STRV("sda"), &t);
	assert_int_equal(t.method, THROTTLE_SYSTEMD_RUN);
	assert_string_equal(t.argv_prefix[0], systemd_run);
	throttle_release(&t);

	/* not found: a cgroup of our own all the same (the root's here) */
	FMT(dirs, "%s/missing:rel", root);
	setenv("PATH", dirs, 1);
	throttle_prepare(&env, sysfs, "backup", 1000000, STRV("sda"), &t);
	if (t.method != THROTTLE_CGROUP)
		fail_msg("method %d: %s", (int)t.method, t.why);
	throttle_release(&t);
	expect_no_leftover("");
}

/* The --unit= that job gets. */
static void unit_of(const char *job, char *buf, size_t len)
{
	const struct throttle_env env = fake_env();
	struct throttle t;

	throttle_prepare(&env, sysfs, job, 1000000, STRV("sda"), &t);
	assert_int_equal(t.method, THROTTLE_SYSTEMD_RUN);
	assert_true(strncmp(t.argv_prefix[4], "--unit=", 7) == 0);
	snprintf(buf, len, "%s", t.argv_prefix[4] + 7);
	throttle_release(&t);
}

static void test_unit_names(void **state)
{
	char got[512], want[512], pid[16], job[512];
	size_t len;

	(void)state;
	systemd_is_pid1();
	FMT(pid, "-%d", (int)getpid());
	/* systemd refuses '/', ' ' and '@' (a template's instance) in a name; '\' is its escape */
	unit_of("nightly backup/home@x\\y:z_1.2-3", got, sizeof(got));
	FMT(want, "weargate-nightly\\x20backup\\x2fhome\\x40x\\x5cy:z_1.2-3%s", pid);
	assert_string_equal(got, want);
	unit_of("caf\xc3\xa9", got, sizeof(got));
	FMT(want, "weargate-caf\\xc3\\xa9%s", pid);
	assert_string_equal(got, want);

	/* 255 characters at most with ".scope"; the pid stays */
	memset(job, 'a', 300);
	job[300] = '\0';
	unit_of(job, got, sizeof(got));
	assert_int_equal(strlen(got) + strlen(".scope"), 255);
	assert_true(strncmp(got, "weargate-aaaa", 13) == 0);
	assert_string_equal(got + strlen(got) - strlen(pid), pid);
	/* cut between whole escapes */
	for (size_t i = 0; i < 100; i++)
		memcpy(job + 2 * i, "\xc3\xa9", 2);
	job[200] = '\0';
	unit_of(job, got, sizeof(got));
	len = strlen(got);
	assert_true(len + strlen(".scope") <= 255 && len + strlen(".scope") > 255 - 4);
	assert_string_equal(got + len - strlen(pid), pid);
	assert_int_equal((len - strlen("weargate-") - strlen(pid)) % 4, 0);
	assert_true(strncmp(got + len - strlen(pid) - 4, "\\x", 2) == 0);
}

static void test_cgroup_at_root(void **state)
{
	const struct throttle_env env = fake_env();
	char want[PATH_MAX], job[PATH_MAX];
	struct throttle t;

	(void)state;
	/* no systemd: the root cgroup, which may pass io on while it holds processes */
	throttle_prepare(&env, sysfs, "purge", 1048576, STRV("sda", "sdb"), &t);
	if (t.method != THROTTLE_CGROUP)
		fail_msg("method %d: %s", (int)t.method, t.why);
	FMT(job, "weargate-purge-%d", (int)getpid());
	assert_string_equal(t.cgroup, cg(want, sizeof(want), job));
	assert_null(t.leaf);
	assert_null(t.argv_prefix);
	expect_cgroup_file("", "cgroup.subtree_control", "+io\n");
	expect_cgroup_file(job, "io.max", "8:0 rbps=1048576 wbps=1048576\n8:16 rbps=1048576 wbps=1048576\n");
	throttle_release(&t);
	assert_null(t.cgroup);
	expect_no_leftover("");
	/* io stays on at the root: taking it back would drop every other cgroup's io.max */
	expect_cgroup_file("", "cgroup.subtree_control", "+io\n");

	/* already passed on: nothing written but the job's limits */
	set_cgroup_file("", "cgroup.subtree_control", "io memory\n");
	throttle_prepare(&env, sysfs, "purge", UINT64_MAX, STRV("sdb"), &t);
	assert_int_equal(t.method, THROTTLE_CGROUP);
	expect_cgroup_file("", "cgroup.subtree_control", "io memory\n");
	expect_cgroup_file(job, "io.max", "8:16 rbps=18446744073709551615 wbps=18446744073709551615\n");
	throttle_release(&t);
	expect_no_leftover("");
}

#define SERVICE "system.slice/cron.service"

/* We run in cron.service, as cron's children do: a cgroup that may not hold processes and pass io on. */
static void run_in_service(void)
{
	char text[128];

	set_cgroup_file("", "cgroup.subtree_control", "io memory\n");
	make_cgroup("system.slice");
	set_cgroup_file("system.slice", "cgroup.subtree_control", "io memory\n");
	make_cgroup(SERVICE);
	FMT(text, "%d\n", (int)getpid());
	set_cgroup_file(SERVICE, "cgroup.procs", text);
	write_text(self_cgroup, "12:blkio:/" SERVICE "\n1:name=systemd:/" SERVICE "\n0::/" SERVICE "\n");
	expect_cgroup_file(SERVICE, "cgroup.controllers", "io memory\n");
}

static void test_cgroup_leaf(void **state)
{
	const struct throttle_env env = fake_env();
	char pid[32], leaf[64], job[96], want[PATH_MAX];
	struct throttle t;

	(void)state;
	run_in_service();
	FMT(pid, "%d\n", (int)getpid());
	FMT(leaf, SERVICE "/weargate-%d", (int)getpid());
	FMT(job, SERVICE "/weargate-queue-purge-%d", (int)getpid());

	throttle_prepare(&env, sysfs, "queue-purge", 20971520, STRV("sda"), &t);
	if (t.method != THROTTLE_CGROUP)
		fail_msg("method %d: %s", (int)t.method, t.why);
	assert_string_equal(t.cgroup, cg(want, sizeof(want), job));
	assert_string_equal(t.leaf, cg(want, sizeof(want), leaf));
	/* out of the way first, then io passed on, then the job's cgroup, which therefore has io.max */
	expect_cgroup_file(leaf, "cgroup.procs", pid);
	expect_cgroup_file(SERVICE, "cgroup.subtree_control", "+io\n");
	expect_cgroup_file(job, "io.max", "8:0 rbps=20971520 wbps=20971520\n");
	throttle_release(&t);
	/* all as it was: io given back, so that we could go back */
	expect_no_leftover(SERVICE);
	expect_cgroup_file(SERVICE, "cgroup.subtree_control", "-io\n");
	expect_cgroup_file(SERVICE, "cgroup.procs", pid);
	assert_null(t.leaf);
}

static void test_cgroup_undone_on_failure(void **state)
{
	const struct throttle_env env = fake_env();
	char pid[32], job[96], want[PATH_MAX + 64], path[PATH_MAX];

	(void)state;
	run_in_service();
	FMT(pid, "%d\n", (int)getpid());
	/* a cgroup a killed runner of the same pid left */
	FMT(job, SERVICE "/weargate-purge-%d", (int)getpid());
	make_cgroup(job);
	FMT(want, "cannot create cgroup '%s': File exists", cg(path, sizeof(path), job));
	expect_none(&env, STRV("sda"), 1000, want);
	expect_cgroup_file(SERVICE, "cgroup.subtree_control", "-io\n");
	expect_cgroup_file(SERVICE, "cgroup.procs", pid);
	assert_int_equal(rmdir(path), 0);
	expect_no_leftover(SERVICE);
}

static void test_reasons(void **state)
{
	struct throttle_env env = fake_env();
	char want[2 * PATH_MAX + 128], path[PATH_MAX], v1[PATH_MAX];

	(void)state;
	expect_none(&env, STRV("sda"), 0, "a limit of 0 bytes per second would stop the job's I/O");
	expect_none(&env, NULL, 1000, "job 'purge' has no disk to limit");
	FMT(want, "cannot limit 'sdz': cannot read '%s/block/sdz/dev': No such file or directory",
		 sysfs);
	expect_none(&env, STRV("sda", "sdz"), 1000, want);

	FMT(path, "%s/nothing", root);
	env.cgroup_root = path;
	FMT(want, "no cgroup v2 at '%s': No such file or directory", path);
	expect_none(&env, STRV("sda"), 1000, want);
	/* a hybrid hierarchy, as on a host with cgroup v1 controllers and v2 at unified/ */
	FMT(v1, "%s/v1", root);
	assert_int_equal(mkdir(v1, 0755), 0);
	FMT(path, "%s/v1/unified", root);
	assert_int_equal(mkdir(path, 0755), 0);
	FMT(path, "%s/v1/unified/cgroup.controllers", root);
	write_text(path, "\n");
	env.cgroup_root = v1;
	FMT(want, "no cgroup v2 at '%s' (cgroup v1 or hybrid: it has no cgroup.controllers)", v1);
	expect_none(&env, STRV("sda"), 1000, want);
	/* systemd runs, but without systemd-run */
	systemd_is_pid1();
	FMT(path, "%s/bin/nope", root);
	env.systemd_run = path;
	snprintf(want, sizeof(want),
		 "'%s' not found, and no cgroup v2 at '%s' (cgroup v1 or hybrid: it has no cgroup.controllers)", path,
		 v1);
	expect_none(&env, STRV("sda"), 1000, want);
	assert_int_equal(rmdir(systemd_dir), 0);
	env = fake_env();

	FMT(path, "%s/none", root);
	env.self_cgroup = path;
	FMT(want, "cannot read '%s': No such file or directory", path);
	expect_none(&env, STRV("sda"), 1000, want);
	env = fake_env();
	write_text(self_cgroup, "12:blkio:/\n1:name=systemd:/\n");
	FMT(want, "no cgroup v2 entry (a '0::' line) in '%s'", self_cgroup);
	expect_none(&env, STRV("sda"), 1000, want);

	/* io not passed on to ours */
	set_cgroup_file("", "cgroup.subtree_control", "memory pids\n");
	make_cgroup("user.slice");
	write_text(self_cgroup, "0::/user.slice\n");
	FMT(want, "the io controller is not available in '%s' (its cgroup.controllers: 'memory pids')",
		 cg(path, sizeof(path), "user.slice"));
	expect_none(&env, STRV("sda"), 1000, want);
	expect_no_leftover("");
	expect_no_leftover("user.slice");
}

/*
 * Where the kernel's permissions say no, as for a user in a cgroup not delegated to it: the
 * cgroup is ours to create in, its subtree_control is not. As root, a child that has become
 * nobody tries; otherwise the file's mode is enough.
 */
static void test_permission_denied(void **state)
{
	const struct throttle_env env = fake_env();
	char dir[PATH_MAX], path[PATH_MAX + 32], want[PATH_MAX + 128], why[512] = "";
	struct throttle t;
	int p[2], status;
	ssize_t n;
	pid_t child;

	(void)state;
	run_in_service();
	cg(dir, sizeof(dir), SERVICE);
	FMT(path, "%s/cgroup.subtree_control", dir);
	if (geteuid() == 0) {
		char procs[PATH_MAX + 32];

		FMT(procs, "%s/cgroup.procs", dir);
		assert_int_equal(chown(dir, 65534, 65534), 0);
		assert_int_equal(chown(procs, 65534, 65534), 0);
	} else {
		assert_int_equal(chmod(path, 0444), 0);
	}
	assert_int_equal(pipe(p), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(p[0]);
		if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(2);
		throttle_prepare(&env, sysfs, "purge", 1000, STRV("sda"), &t);
		if (t.method != THROTTLE_NONE)
			snprintf(t.why, sizeof(t.why), "method %d", (int)t.method);
		n = write(p[1], t.why, strlen(t.why));
		throttle_release(&t);
		_exit(n > 0 ? 0 : 1);
	}
	close(p[1]);
	n = read(p[0], why, sizeof(why) - 1);
	close(p[0]);
	assert_int_equal(waitpid(child, &status, 0), child);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2) {
		print_message("cannot become nobody here; skipped\n");
		skip();
	}
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0 && n > 0);
	FMT(want, "cannot enable the io controller in '%s': Permission denied", dir);
	assert_string_equal(why, want);
	/* it went back and took its leaf away */
	expect_no_leftover(SERVICE);
	expect_cgroup_file(SERVICE, "cgroup.subtree_control", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_systemd_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_systemd_run_in_path, setup_path, teardown_path),
		cmocka_unit_test_setup_teardown(test_unit_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_at_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_leaf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_undone_on_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reasons, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permission_denied, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
