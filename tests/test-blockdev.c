/* test-blockdev.c — the disks under paths and device nodes, from a fake sysfs tree; which drives a job touches */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "blockdev.h"
#include "resolve.h"
#include "tmpdir.h"

/* Where the kernel puts these disks; partitions and stacked devices hang off them. */
#define SDA "devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda"
#define SDB "devices/pci0000:00/0000:00:1f.2/ata2/host1/target1:0:0/1:0:0:0/block/sdb"
#define SDC "devices/pci0000:00/0000:00:1f.2/ata3/host2/target2:0:0/2:0:0:0/block/sdc"
#define SDD "devices/pci0000:00/0000:00:1f.2/ata4/host3/target3:0:0/3:0:0:0/block/sdd"
#define NVME "devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0/nvme0n1"
#define VIRT "devices/virtual/block/"
#define BTRFS_FS "fs/btrfs/5d1f3c9e-7a0b-4f2e-9c61-0e8d2b7a4c11"

/* The tree: ROOT/sys is the sysfs root, ROOT/dev holds plain files standing in for device nodes. */
static char root[64];
static char sysfs[96];
static char mountinfo[96];

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/wg-test-blockdev-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(sysfs, sizeof(sysfs), "%s/sys", root);
	snprintf(mountinfo, sizeof(mountinfo), "%s/mountinfo", root);
	return mkdir(sysfs, 0755);
}

static int teardown(void **state)
{
	(void)state;
	return tmpdir_remove(root);
}

/* ROOT/rel in buf */
static const char *at(char *buf, size_t len, const char *rel)
{
	assert_true(snprintf(buf, len, "%s/%s", root, rel) < (int)len);
	return buf;
}

/* mkdir -p on the directory that will hold path */
static void make_parents(const char *path)
{
	char buf[PATH_MAX];

	assert_true(snprintf(buf, sizeof(buf), "%s", path) < (int)sizeof(buf));
	for (char *p = buf + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			fail_msg("cannot create '%s': %s", buf, strerror(errno));
		*p = '/';
	}
}

static void make_file(const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	at(path, sizeof(path), rel);
	make_parents(path);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void make_dir(const char *rel)
{
	char path[PATH_MAX];

	at(path, sizeof(path), rel);
	assert_true(strlen(path) + 2 < sizeof(path));
	strcat(path, "/");
	make_parents(path);
}

static void make_link(const char *rel, const char *target)
{
	char path[PATH_MAX];

	at(path, sizeof(path), rel);
	make_parents(path);
	if (symlink(target, path) < 0)
		fail_msg("cannot link '%s' to '%s': %s", path, target, strerror(errno));
}

/* "../" as many times as it takes to climb from the directory that holds ROOT/sys/rel up to ROOT/sys */
static void climb_to_sysfs(char *buf, size_t len, const char *rel)
{
	buf[0] = '\0';
	for (const char *p = rel; (p = strchr(p, '/')); p++) {
		assert_true(strlen(buf) + 4 < len);
		strcat(buf, "../");
	}
}

/* A link at ROOT/sys/rel to ROOT/sys/devpath, relative as the kernel makes it. */
static void sysfs_link(const char *rel, const char *devpath)
{
	char path[PATH_MAX], target[PATH_MAX];

	assert_true(snprintf(path, sizeof(path), "sys/%s", rel) < (int)sizeof(path));
	climb_to_sysfs(target, sizeof(target), rel);
	assert_true(strlen(target) + strlen(devpath) < sizeof(target));
	strcat(target, devpath);
	make_link(path, target);
}

/*
 * A block device at ROOT/sys/devpath with its dev/block and class/block links, and a plain
 * file ROOT/dev/NAME for its node.
 */
static void fake_blockdev(const char *devpath, unsigned maj, unsigned min, bool partition)
{
	const char *name = strrchr(devpath, '/') + 1;
	char rel[PATH_MAX], text[32];

	snprintf(rel, sizeof(rel), "sys/%s/dev", devpath);
	snprintf(text, sizeof(text), "%u:%u\n", maj, min);
	make_file(rel, text);
	if (partition) {
		snprintf(rel, sizeof(rel), "sys/%s/partition", devpath);
		make_file(rel, "1\n");
	}
	snprintf(rel, sizeof(rel), "dev/block/%u:%u", maj, min);
	sysfs_link(rel, devpath);
	snprintf(rel, sizeof(rel), "class/block/%s", name);
	sysfs_link(rel, devpath);
	snprintf(rel, sizeof(rel), "dev/%s", name);
	make_file(rel, "");
}

/* holder is stacked on member: holder/slaves/NAME, as dm and md show it */
static void fake_slave(const char *holder, const char *member)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "%s/slaves/%s", holder, strrchr(member, '/') + 1);
	sysfs_link(rel, member);
}

/* Expect exactly want: the disks separated by spaces, in order. */
static void assert_disks(char **disks, const char *want)
{
	char got[256] = "";

	for (size_t i = 0; disks && disks[i]; i++) {
		assert_true(strlen(got) + strlen(disks[i]) + 2 < sizeof(got));
		if (i > 0)
			strcat(got, " ");
		strcat(got, disks[i]);
	}
	assert_string_equal(got, want);
}

static void expect_devnum(unsigned maj, unsigned min, const char *want)
{
	struct wg_err err = { "" };
	char **disks = NULL;
	int r;

	r = blockdev_disks_of_devnum(sysfs, maj, min, &disks, &err);
	if (r < 0)
		fail_msg("%u:%u: %s (%s)", maj, min, strerror(-r), err.msg);
	assert_disks(disks, want);
	strv_free(disks);
}

static void expect_path(const struct blockdev_env *env, const char *path, const char *want)
{
	struct wg_err err = { "" };
	char **disks = NULL;
	int r;

	r = blockdev_disks_of_path(env, path, &disks, &err);
	if (r < 0)
		fail_msg("'%s': %s (%s)", path, strerror(-r), err.msg);
	assert_disks(disks, want);
	strv_free(disks);
}

/* Expect r to be want_r, with a message that contains want_msg. */
static void expect_error(int r, int want_r, const struct wg_err *err, const char *want_msg)
{
	if (r != want_r)
		fail_msg("returned %d (%s), expected %d; message '%s'", r, strerror(-r), want_r, err->msg);
	if (!strstr(err->msg, want_msg))
		fail_msg("error '%s' does not contain '%s'", err->msg, want_msg);
}

static void test_disk(void **state)
{
	(void)state;
	fake_blockdev(SDA, 8, 0, false);
	expect_devnum(8, 0, "sda");
	/* a device-mapper device on nothing (dm-zero, an empty table): the device itself */
	fake_blockdev(VIRT "dm-3", 253, 3, false);
	make_dir("sys/" VIRT "dm-3/slaves");
	expect_devnum(253, 3, "dm-3");
}

static void test_partition(void **state)
{
	(void)state;
	fake_blockdev(SDA, 8, 0, false);
	fake_blockdev(SDA "/sda1", 8, 1, true);
	fake_blockdev(SDA "/sda2", 8, 2, true);
	expect_devnum(8, 1, "sda");
	expect_devnum(8, 2, "sda");
	/* no `partition` file: inside a disk under block/ is enough */
	fake_blockdev(SDB, 8, 16, false);
	fake_blockdev(SDB "/sdb1", 8, 17, false);
	expect_devnum(8, 17, "sdb");
}

static void test_nvme(void **state)
{
	(void)state;
	/* no block/ above an NVMe namespace: only the `partition` file tells */
	fake_blockdev(NVME, 259, 0, false);
	fake_blockdev(NVME "/nvme0n1p2", 259, 2, true);
	expect_devnum(259, 0, "nvme0n1");
	expect_devnum(259, 2, "nvme0n1");
}

static void test_lvm_on_md_raid1(void **state)
{
	(void)state;
	fake_blockdev(SDA, 8, 0, false);
	fake_blockdev(SDA "/sda1", 8, 1, true);
	fake_blockdev(SDB, 8, 16, false);
	fake_blockdev(SDB "/sdb1", 8, 17, true);
	fake_blockdev(VIRT "md0", 9, 0, false);
	fake_slave(VIRT "md0", SDB "/sdb1");
	fake_slave(VIRT "md0", SDA "/sda1");
	fake_blockdev(VIRT "dm-0", 253, 0, false);
	fake_slave(VIRT "dm-0", VIRT "md0");
	expect_devnum(253, 0, "sda sdb");
	expect_devnum(9, 0, "sda sdb");
	/* a partition of the array, and an LV on it */
	fake_blockdev(VIRT "md0/md0p1", 259, 1, true);
	fake_blockdev(VIRT "dm-1", 253, 1, false);
	fake_slave(VIRT "dm-1", VIRT "md0/md0p1");
	expect_devnum(259, 1, "sda sdb");
	expect_devnum(253, 1, "sda sdb");
}

static void test_dm_crypt_over_lvm(void **state)
{
	(void)state;
	fake_blockdev(SDC, 8, 32, false);
	fake_blockdev(SDD, 8, 48, false);
	/* an LV spanning two whole-disk PVs, and LUKS on it */
	fake_blockdev(VIRT "dm-0", 253, 0, false);
	fake_slave(VIRT "dm-0", SDD);
	fake_slave(VIRT "dm-0", SDC);
	fake_blockdev(VIRT "dm-1", 253, 1, false);
	fake_slave(VIRT "dm-1", VIRT "dm-0");
	expect_devnum(253, 1, "sdc sdd");
	/* two ways down to the same disks: each disk once */
	fake_blockdev(VIRT "dm-2", 253, 2, false);
	fake_slave(VIRT "dm-2", VIRT "dm-0");
	fake_slave(VIRT "dm-2", VIRT "dm-1");
	expect_devnum(253, 2, "sdc sdd");
	/* sorted by disk, not by the order the members are walked in (dm-0 before sdb) */
	fake_blockdev(SDB, 8, 16, false);
	fake_blockdev(VIRT "dm-4", 253, 4, false);
	fake_slave(VIRT "dm-4", SDB);
	fake_slave(VIRT "dm-4", VIRT "dm-0");
	expect_devnum(253, 4, "sdb sdc sdd");
}

static void test_loop(void **state)
{
	struct wg_err err = { "" };
	char **disks = NULL, rel[64];
	int r;

	(void)state;
	fake_blockdev(VIRT "dm-5", 253, 5, false);
	fake_blockdev(VIRT "dm-6", 253, 6, false);
	fake_slave(VIRT "dm-5", VIRT "dm-6");
	fake_slave(VIRT "dm-6", VIRT "dm-5");
	r = blockdev_disks_of_devnum(sysfs, 253, 5, &disks, &err);
	expect_error(r, -ELOOP, &err, "'dm-5' is stacked on itself");
	assert_null(disks);
	fake_blockdev(VIRT "dm-7", 253, 7, false);
	fake_slave(VIRT "dm-7", VIRT "dm-7");
	r = blockdev_disks_of_devnum(sysfs, 253, 7, &disks, &err);
	expect_error(r, -ELOOP, &err, "'dm-7' is stacked on itself");
	/* no loop, but deeper than anything real: dm-20 on dm-21 … on dm-40 */
	for (unsigned i = 20; i <= 40; i++) {
		snprintf(rel, sizeof(rel), VIRT "dm-%u", i);
		fake_blockdev(rel, 253, i, false);
	}
	for (unsigned i = 20; i < 40; i++) {
		char member[64];

		snprintf(rel, sizeof(rel), VIRT "dm-%u", i);
		snprintf(member, sizeof(member), VIRT "dm-%u", i + 1);
		fake_slave(rel, member);
	}
	r = blockdev_disks_of_devnum(sysfs, 253, 20, &disks, &err);
	expect_error(r, -ELOOP, &err, "'dm-20' is stacked more than 16 devices deep");
	expect_devnum(253, 30, "dm-40");
}

static void test_missing(void **state)
{
	struct wg_err err = { "" };
	char **disks = NULL;
	int r;

	(void)state;
	fake_blockdev(SDA, 8, 0, false);
	r = blockdev_disks_of_devnum(sysfs, 0, 42, &disks, &err);
	expect_error(r, -ENODEV, &err, "0:42 is not a block device");
	r = blockdev_disks_of_devnum(sysfs, 8, 1, &disks, &err);
	expect_error(r, -ENODEV, &err, "8:1 is not a block device");
	assert_null(disks);
	/* a member that vanished between readdir and realpath, or a broken link */
	fake_blockdev(VIRT "dm-0", 253, 0, false);
	fake_slave(VIRT "dm-0", SDB "/sdb1");
	r = blockdev_disks_of_devnum(sysfs, 253, 0, &disks, &err);
	expect_error(r, -ENOENT, &err, "dm-0/slaves/sdb1': No such file or directory");
}

/* A path on a real block device: its device number comes from stat(), the rest from the tree. */
static void test_path_real_device(void **state)
{
	const char *candidates[] = { root, ".", "/" };
	const struct blockdev_env env = { .sysfs_root = sysfs, .mountinfo = mountinfo };
	struct wg_err err = { "" };
	char **disks = NULL, want[256], missing[128];
	const char *path = NULL;
	struct stat st;
	int r;

	(void)state;
	for (size_t i = 0; i < WG_ELEMENTSOF(candidates) && !path; i++)
		if (stat(candidates[i], &st) == 0 && major(st.st_dev) != 0)
			path = candidates[i];
	if (!path) {
		print_message("no path here is on a block device (all are on overlay, tmpfs…); skipped\n");
		skip();
	}
	r = blockdev_disks_of_path(&env, path, &disks, &err);
	snprintf(want, sizeof(want), "'%s' is not on a block device (its device %u:%u is not in '%s/dev/block')", path,
		 major(st.st_dev), minor(st.st_dev), sysfs);
	expect_error(r, -ENODEV, &err, want);
	/* the disk takes a number no real device has, so it cannot collide with the path's */
	fake_blockdev(SDB, 4095, 0, false);
	fake_blockdev(SDB "/sdb3", major(st.st_dev), minor(st.st_dev), true);
	expect_path(&env, path, "sdb");

	snprintf(missing, sizeof(missing), "%s/no-such-dir", root);
	r = blockdev_disks_of_path(&env, missing, &disks, &err);
	snprintf(want, sizeof(want), "cannot resolve '%s': No such file or directory", missing);
	expect_error(r, -ENOENT, &err, want);
	assert_null(disks);
}

static bool on_anonymous_device(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && major(st.st_dev) == 0;
}

static void need_anonymous_mounts(void)
{
	if (!on_anonymous_device("/proc") || !on_anonymous_device("/sys") || !on_anonymous_device("/proc/sys")) {
		print_message("/proc or /sys is not on an anonymous device here; skipped\n");
		skip();
	}
}

/*
 * /proc and /sys are on anonymous devices (major 0), as btrfs subvolumes are: with a mount
 * table of its own the test says what they are mounted from. Over them: sdc1 (by a label with
 * a space) ext4, nvme0n1p2 and sdd1 as one btrfs, sdb1 a btrfs of its own, tmpfs.
 */
static void fake_machine(void)
{
	char text[2048];
	FILE *f;

	fake_blockdev(SDA, 8, 0, false);
	fake_blockdev(SDA "/sda1", 8, 1, true);
	fake_blockdev(SDB, 8, 16, false);
	fake_blockdev(SDB "/sdb1", 8, 17, true);
	fake_blockdev(SDC, 8, 32, false);
	fake_blockdev(SDC "/sdc1", 8, 33, true);
	fake_blockdev(SDD, 8, 48, false);
	fake_blockdev(SDD "/sdd1", 8, 49, true);
	fake_blockdev(NVME, 259, 0, false);
	fake_blockdev(NVME "/nvme0n1p2", 259, 2, true);
	make_dir("sys/fs/btrfs/features");
	sysfs_link(BTRFS_FS "/devices/nvme0n1p2", NVME "/nvme0n1p2");
	sysfs_link(BTRFS_FS "/devices/sdd1", SDD "/sdd1");
	make_link("dev/disk/by label/data", "../../sdc1");
	make_link("dev/disk/by-id/ata-SYSTEM", "../../sda");
	make_link("dev/disk/by-id/ata-DATA", "../../sdc");
	make_link("dev/disk/by-id/nvme-FAST", "../../nvme0n1");

	snprintf(text, sizeof(text),
		 "21 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
		 "22 21 0:21 / /proc rw,nosuid shared:12 - tmpfs tmpfs rw\n"
		 "23 22 0:21 / /proc rw,nosuid shared:13 master:1 - ext4 %s/dev/disk/by\\040label/data rw\n"
		 "24 23 0:40 / /proc/sys rw - tmpfs tmpfs rw\n"
		 "25 21 0:22 / /sys rw - btrfs %s/dev/nvme0n1p2 rw,subvol=/@\n"
		 "26 25 0:41 / /sys/ker rw - tmpfs tmpfs rw\n"
		 "27 25 0:42 / /sys/fs rw - btrfs %s/dev/sdb1 rw\n"
		 "this line is not a mount\n",
		 root, root, root);
	f = fopen(mountinfo, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void test_path_anonymous(void **state)
{
	const struct blockdev_env env = { .sysfs_root = sysfs, .mountinfo = mountinfo };
	const struct blockdev_env system = { .sysfs_root = sysfs, .mountinfo = "/proc/self/mountinfo" };
	const struct blockdev_env none = { .sysfs_root = sysfs, .mountinfo = "/no/such/mountinfo" };
	struct wg_err err = { "" };
	char **disks = NULL, other[128];
	FILE *f;
	int r;

	(void)state;
	need_anonymous_mounts();
	fake_machine();
	/* the later of two mounts on /proc hides the earlier; its source is unescaped */
	expect_path(&env, "/proc", "sdc");
	/* a symlink: the mount that holds its target (/proc/PID) */
	expect_path(&env, "/proc/self", "sdc");
	/* btrfs: every device of the filesystem */
	expect_path(&env, "/sys", "nvme0n1 sdd");
	/* /sys/ker is not a parent of /sys/kernel */
	expect_path(&env, "/sys/kernel", "nvme0n1 sdd");
	/* a btrfs sysfs does not list: its one device */
	expect_path(&env, "/sys/fs", "sdb");

	r = blockdev_disks_of_path(&env, "/proc/sys", &disks, &err);
	expect_error(r, -ENODEV, &err, "'/proc/sys' is not on a block device (it is on tmpfs 'tmpfs')");
	assert_null(disks);
	r = blockdev_disks_of_path(&system, "/proc", &disks, &err);
	expect_error(r, -ENODEV, &err, "'/proc' is not on a block device (it is on proc '");
	r = blockdev_disks_of_path(&none, "/proc", &disks, &err);
	expect_error(r, -ENOENT, &err, "cannot resolve '/proc': cannot read '/no/such/mountinfo'");

	snprintf(other, sizeof(other), "%s/mountinfo.2", root);
	f = fopen(other, "w");
	assert_non_null(f);
	fprintf(f, "30 1 8:1 / /home rw - ext4 %s/dev/sda1 rw\n"
		   "31 1 0:50 / /srv rw - btrfs %s/dev/sdz9 rw\n"
		   "32 1 0:51 / /sys rw - fuseblk %s/dev/disk/by-id/ata-SYSTEM rw\n",
		root, root, root);
	assert_int_equal(fclose(f), 0);
	{
		const struct blockdev_env env2 = { .sysfs_root = sysfs, .mountinfo = other };
		char want[256];

		r = blockdev_disks_of_path(&env2, "/proc", &disks, &err);
		snprintf(want, sizeof(want), "'/proc' is not on a block device (no mount in '%s' holds it)", other);
		expect_error(r, -ENODEV, &err, want);
		/* fuseblk (ntfs-3g) on a whole disk */
		expect_path(&env2, "/sys", "sda");
	}
}

static void test_node(void **state)
{
	struct wg_err err = { "" };
	char path[PATH_MAX], want[PATH_MAX + 64], *name = NULL;
	int r;

	(void)state;
	fake_blockdev(SDA, 8, 0, false);
	fake_blockdev(SDA "/sda1", 8, 1, true);
	fake_blockdev(NVME, 259, 0, false);
	fake_blockdev(NVME "/nvme0n1p2", 259, 2, true);
	fake_blockdev(VIRT "md0", 9, 0, false);
	fake_slave(VIRT "md0", SDA "/sda1");
	make_link("dev/disk/by-id/ata-X", "../../sda");
	make_link("dev/disk/by-id/ata-X-part1", "../../sda1");
	make_link("dev/disk/by-id/nvme-Y-part2", "../../nvme0n1p2");
	make_file("dev/nosuch", "");

	assert_int_equal(blockdev_disk_of_node(sysfs, at(path, sizeof(path), "dev/disk/by-id/ata-X"), &name, &err), 0);
	assert_string_equal(name, "sda");
	free(name);
	assert_int_equal(blockdev_disk_of_node(sysfs, at(path, sizeof(path), "dev/disk/by-id/ata-X-part1"), &name, &err), 0);
	assert_string_equal(name, "sda");
	free(name);
	assert_int_equal(blockdev_disk_of_node(sysfs, at(path, sizeof(path), "dev/disk/by-id/nvme-Y-part2"), &name, &err), 0);
	assert_string_equal(name, "nvme0n1");
	free(name);
	/* an array is a disk of its own as far as its node goes */
	assert_int_equal(blockdev_disk_of_node(sysfs, at(path, sizeof(path), "dev/md0"), &name, &err), 0);
	assert_string_equal(name, "md0");
	free(name);
	name = NULL;

	r = blockdev_disk_of_node(sysfs, at(path, sizeof(path), "dev/nosuch"), &name, &err);
	snprintf(want, sizeof(want), "'%s' is not a block device", path);
	expect_error(r, -ENOTBLK, &err, want);
	r = blockdev_disk_of_node(sysfs, at(path, sizeof(path), "dev"), &name, &err);
	expect_error(r, -ENOTBLK, &err, "is not a block device");
	r = blockdev_disk_of_node(sysfs, "/", &name, &err);
	expect_error(r, -ENOTBLK, &err, "'/' is not a block device");
	r = blockdev_disk_of_node(sysfs, at(path, sizeof(path), "dev/disk/by-id/ata-GONE"), &name, &err);
	snprintf(want, sizeof(want), "cannot resolve '%s': No such file or directory", path);
	expect_error(r, -ENOENT, &err, want);
	assert_null(name);

	/* a real node: found by its device number alone, its name means nothing to sysfs */
	if (mknod(at(path, sizeof(path), "dev/node-8-1"), S_IFBLK | 0600, makedev(8, 1)) < 0) {
		print_message("cannot mknod here (%s): real device nodes not tried\n", strerror(errno));
		return;
	}
	assert_int_equal(blockdev_disk_of_node(sysfs, path, &name, &err), 0);
	assert_string_equal(name, "sda");
	free(name);
	name = NULL;
	assert_int_equal(mknod(at(path, sizeof(path), "dev/node-8-99"), S_IFBLK | 0600, makedev(8, 99)), 0);
	r = blockdev_disk_of_node(sysfs, path, &name, &err);
	expect_error(r, -ENODEV, &err, "8:99 is not a block device");
	assert_null(name);
}

/* The configuration resolve_job_drives() sees; `archive` is a blob whose file is named like sdc. */
static struct drive_cfg drives[5];
static char drive_paths[5][PATH_MAX];
static struct config conf;

static void fake_config(size_t n_drives)
{
	static const struct {
		const char *name, *rel;
		enum drive_source source;
	} table[] = {
		{ "system", "dev/disk/by-id/ata-SYSTEM", DRIVE_DEVICE },
		{ "archive", "dev/sdc", DRIVE_BLOB },
		{ "gone", "dev/disk/by-id/ata-GONE", DRIVE_DEVICE },
		{ "data", "dev/disk/by-id/ata-DATA", DRIVE_DEVICE },
		{ "fast", "dev/disk/by-id/nvme-FAST", DRIVE_DEVICE },
	};

	for (size_t i = 0; i < WG_ELEMENTSOF(table); i++) {
		at(drive_paths[i], sizeof(drive_paths[i]), table[i].rel);
		drives[i] = (struct drive_cfg){
			.name = (char *)table[i].name,
			.source = table[i].source,
			.path = drive_paths[i],
		};
	}
	conf = (struct config){ .path = (char *)"/etc/weargate.conf", .n_drives = n_drives, .drives = drives };
}

/* Resolve job 'backup' with these paths and drives; expect the drives want and the unmonitored disks, by name. */
static void expect_job(char **paths, char **names, const char *want, const char *want_unmonitored)
{
	const struct blockdev_env env = { .sysfs_root = sysfs, .mountinfo = mountinfo };
	struct job_cfg j = { .name = (char *)"backup", .line = 12, .paths = paths, .drives = names };
	const struct drive_cfg **list = NULL;
	char **unmonitored = NULL, **got = NULL;
	struct wg_err err = { "" };
	size_t n = 0;
	int r;

	r = resolve_job_drives(&conf, &j, &env, &list, &n, &unmonitored, &err);
	if (r < 0)
		fail_msg("%s (%s)", strerror(-r), err.msg);
	assert_int_equal(n, strv_length((char **)list));
	for (size_t i = 0; i < n; i++) {
		assert_true(list[i] >= conf.drives && list[i] < conf.drives + conf.n_drives);
		assert_int_equal(strv_push(&got, list[i]->name), 0);
	}
	assert_disks(got, want);
	assert_disks(unmonitored, want_unmonitored);
	strv_free(got);
	strv_free(unmonitored);
	free(list);
}

static void expect_job_error(const char *job, char **paths, char **names, int want_r, const char *want_msg)
{
	const struct blockdev_env env = { .sysfs_root = sysfs, .mountinfo = mountinfo };
	struct job_cfg j = { .name = (char *)job, .line = 12, .paths = paths, .drives = names };
	/* out-parameters are left alone on failure */
	static const struct drive_cfg *list_sentinel[1];
	static char *unmonitored_sentinel[1];
	const struct drive_cfg **list = list_sentinel;
	char **unmonitored = unmonitored_sentinel;
	struct wg_err err = { "" };
	size_t n = 77;
	int r;

	r = resolve_job_drives(&conf, &j, &env, &list, &n, &unmonitored, &err);
	expect_error(r, want_r, &err, want_msg);
	assert_ptr_equal(list, list_sentinel);
	assert_ptr_equal(unmonitored, unmonitored_sentinel);
	assert_int_equal(n, 77);
}

#define STRV(...) ((char *[]){ __VA_ARGS__, NULL })

static int setup_machine(void **state)
{
	if (setup(state) < 0)
		return -1;
	fake_machine();
	fake_config(5);
	return 0;
}

static void test_resolve_by_name(void **state)
{
	(void)state;
	need_anonymous_mounts();
	/* config order, whatever the job's; a blob drive and a drive whose device is gone are fine by name */
	expect_job(NULL, STRV("data", "archive"), "archive data", "");
	expect_job(NULL, STRV("gone"), "gone", "");
}

static void test_resolve_by_path(void **state)
{
	(void)state;
	need_anonymous_mounts();
	/* the blob named like sdc's node does not count: only `data`, whose device is sdc */
	expect_job(STRV("/proc"), NULL, "data", "");
	expect_job(STRV("/sys"), NULL, "fast", "sdd");
	expect_job(STRV("/sys/fs", "/proc"), NULL, "data", "sdb");
}

static void test_resolve_both(void **state)
{
	(void)state;
	need_anonymous_mounts();
	/* each drive once, in config order; unmonitored disks once, in the order the paths reach them */
	expect_job(STRV("/sys", "/proc", "/sys/fs", "/proc/self", "/sys/kernel"), STRV("fast", "system", "fast"),
		   "system data fast", "sdd sdb");
}

static void test_resolve_unknown_drive(void **state)
{
	(void)state;
	need_anonymous_mounts();
	expect_job_error("backup", STRV("/proc"), STRV("fast", "sdz"), -EINVAL,
			 "/etc/weargate.conf:12: job 'backup': no drive 'sdz' is configured");
}

static void test_resolve_nothing(void **state)
{
	char want[512];

	(void)state;
	need_anonymous_mounts();
	expect_job_error("purge", NULL, NULL, -ENOENT,
			 "/etc/weargate.conf:12: job 'purge' touches no configured drive: it has neither 'paths' nor 'drives'");
	/* only system and archive configured */
	fake_config(2);
	expect_job_error("purge", STRV("/proc"), NULL, -ENOENT,
			 "/etc/weargate.conf:12: job 'purge' (paths /proc) touches no configured drive: "
			 "'/proc' is on sdc, which is not configured");
	expect_job_error("purge", STRV("/proc", "/sys"), NULL, -ENOENT,
			 "/etc/weargate.conf:12: job 'purge' (paths /proc, /sys) touches no configured drive: "
			 "'/proc' is on sdc, '/sys' is on nvme0n1 and sdd, none of which is configured");
	/* a drive whose device is not there is the likely reason: say so */
	fake_config(3);
	snprintf(want, sizeof(want),
		 "/etc/weargate.conf:12: job 'purge' (paths /proc) touches no configured drive: "
		 "'/proc' is on sdc, which is not configured; "
		 "drive 'gone' ('%s/dev/disk/by-id/ata-GONE') could not be matched: No such file or directory",
		 root);
	expect_job_error("purge", STRV("/proc"), NULL, -ENOENT, want);
}

static void test_resolve_bad_path(void **state)
{
	(void)state;
	need_anonymous_mounts();
	expect_job_error("backup", STRV("/proc", "/proc/sys"), STRV("fast"), -ENODEV,
			 "/etc/weargate.conf:12: job 'backup': '/proc/sys' is not on a block device (it is on tmpfs 'tmpfs')");
	expect_job_error("backup", STRV("/no/such/path"), NULL, -ENOENT,
			 "/etc/weargate.conf:12: job 'backup': cannot resolve '/no/such/path': No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_disk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partition, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nvme, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lvm_on_md_raid1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dm_crypt_over_lvm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_real_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_anonymous, setup, teardown),
		cmocka_unit_test_setup_teardown(test_node, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_by_name, setup_machine, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_by_path, setup_machine, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_both, setup_machine, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_unknown_drive, setup_machine, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_nothing, setup_machine, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_bad_path, setup_machine, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
