/* test-iostat.c — sectors read and written and device numbers from sysfs, fake and real */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "blockdev.h"
#include "iostat.h"
#include "tmpdir.h"

/* ROOT/sys is the sysfs root */
static char root[64];
static char sysfs[96];

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/wg-test-iostat-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(sysfs, sizeof(sysfs), "%s/sys", root);
	return mkdir(sysfs, 0755);
}

static int teardown(void **state)
{
	(void)state;
	return tmpdir_remove(root);
}

/* SYSFS/block/DISK/FILE holding len bytes of text */
static void fake_file(const char *disk, const char *file, const char *text, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/block", sysfs);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		fail_msg("cannot create '%s': %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s/block/%s", sysfs, disk);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		fail_msg("cannot create '%s': %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s/block/%s/%s", sysfs, disk, file);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void fake_stat(const char *disk, const char *text)
{
	fake_file(disk, "stat", text, strlen(text));
}

static void expect_sectors(const char *disk, uint64_t want_read, uint64_t want_written)
{
	struct wg_err err = { "" };
	uint64_t rd = 1, wr = 1;
	int r;

	r = iostat_read(sysfs, disk, &rd, &wr, &err);
	if (r < 0)
		fail_msg("%s: %s (%s)", disk, strerror(-r), err.msg);
	assert_int_equal(rd, want_read);
	assert_int_equal(wr, want_written);
}

/* tmpl with its "@" replaced by path */
static void fill(char *buf, size_t len, const char *tmpl, const char *path)
{
	const char *at = strchr(tmpl, '@');

	assert_non_null(at);
	assert_true(snprintf(buf, len, "%.*s%s%s", (int)(at - tmpl), tmpl, path, at + 1) < (int)len);
}

/* Expect want_r and exactly the message want (its @ the path of DISK's stat), outputs untouched. */
static void expect_stat_error(const char *disk, int want_r, const char *want_tmpl)
{
	struct wg_err err = { "" };
	char want[PATH_MAX + 128], path[PATH_MAX];
	uint64_t rd = 77, wr = 88;
	int r;

	snprintf(path, sizeof(path), "%s/block/%s/stat", sysfs, disk);
	fill(want, sizeof(want), want_tmpl, path);
	r = iostat_read(sysfs, disk, &rd, &wr, &err);
	if (r != want_r)
		fail_msg("returned %d, expected %d; message '%s'", r, want_r, err.msg);
	assert_string_equal(err.msg, want);
	assert_int_equal(rd, 77);
	assert_int_equal(wr, 88);
}

static void test_formats(void **state)
{
	(void)state;
	/* 5.5 and later: 17 fields, as the kernel pads them */
	fake_stat("sda", "  184213    51977 12946838    61723   288613   224391 29462066   440226"
			 "        0   372312   517146        0        0        0        0    31021    15196\n");
	expect_sectors("sda", 12946838, 29462066);
	/* 4.18 to 5.4: 15 (discards) */
	fake_stat("sdb", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n");
	expect_sectors("sdb", 3, 7);
	/* before 4.18: 11 */
	fake_stat("sdc", "   10   20   30   40   50   60   70   80   90  100  110\n");
	expect_sectors("sdc", 30, 70);
	/* a busy disk on a 64-bit kernel counts past 32 bits */
	fake_stat("nvme0n1", "1 0 18446744073709551615 0 2 0 4294967296 0 0 0 0\n");
	expect_sectors("nvme0n1", UINT64_MAX, 4294967296ULL);
	/* tabs, no newline */
	fake_stat("sdd", "0\t0\t5\t0\t0\t0\t6\t0\t0\t0\t0");
	expect_sectors("sdd", 5, 6);
}

static void test_stat_errors(void **state)
{
	(void)state;
	expect_stat_error("sdz", -ENOENT, "cannot read '@': No such file or directory");
	fake_stat("sda", "");
	expect_stat_error("sda", -EINVAL, "'@' has 0 fields, a disk's stat has at least 11");
	fake_stat("sda", "1 2 3 4 5 6 7\n");
	expect_stat_error("sda", -EINVAL, "'@' has 7 fields, a disk's stat has at least 11");
	fake_stat("sda", "1 2 3 4 5 6 7 8 9 10\n");
	expect_stat_error("sda", -EINVAL, "'@' has 10 fields, a disk's stat has at least 11");
	fake_stat("sda", "1 2 x3 4 5 6 7 8 9 10 11\n");
	expect_stat_error("sda", -EINVAL, "'@' is not a disk's stat: field 3 is 'x3'");
	fake_stat("sda", "1 2 3 4 5 6 -7 8 9 10 11\n");
	expect_stat_error("sda", -EINVAL, "'@' is not a disk's stat: field 7 is '-7'");
	fake_stat("sda", "1 2 3 4 5 6 0x7 8 9 10 11\n");
	expect_stat_error("sda", -EINVAL, "'@' is not a disk's stat: field 7 is '0x7'");
	/* one past 2^64 - 1 */
	fake_stat("sda", "1 2 18446744073709551616 4 5 6 7 8 9 10 11\n");
	expect_stat_error("sda", -EINVAL, "'@' is not a disk's stat: field 3 is '18446744073709551616'");
	/* a garbage field is shown cut short */
	fake_stat("sda", "1 2 3 4 5 6 7 8 9 10 11 abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\n");
	expect_stat_error("sda", -EINVAL, "'@' is not a disk's stat: field 12 is 'abcdefghijklmnopqrstuvwxyzABCDEF'");
	fake_file("sda", "stat", "1 2 3\0 4 5 6 7 8 9 10 11\n", 25);
	expect_stat_error("sda", -EINVAL, "'@' is not text: it holds a NUL byte");
}

static void expect_devnum(const char *disk, unsigned want_maj, unsigned want_min)
{
	struct wg_err err = { "" };
	unsigned maj = 1, min = 1;
	int r;

	r = iostat_devnum(sysfs, disk, &maj, &min, &err);
	if (r < 0)
		fail_msg("%s: %s (%s)", disk, strerror(-r), err.msg);
	assert_int_equal(maj, want_maj);
	assert_int_equal(min, want_min);
}

static void expect_devnum_error(const char *disk, const char *text, int want_r, const char *want_tmpl)
{
	struct wg_err err = { "" };
	char want[PATH_MAX + 128], path[PATH_MAX];
	unsigned maj = 77, min = 88;
	int r;

	if (text)
		fake_file(disk, "dev", text, strlen(text));
	snprintf(path, sizeof(path), "%s/block/%s/dev", sysfs, disk);
	fill(want, sizeof(want), want_tmpl, path);
	r = iostat_devnum(sysfs, disk, &maj, &min, &err);
	if (r != want_r)
		fail_msg("returned %d, expected %d; message '%s'", r, want_r, err.msg);
	assert_string_equal(err.msg, want);
	assert_int_equal(maj, 77);
	assert_int_equal(min, 88);
}

static void test_devnum(void **state)
{
	(void)state;
	fake_file("sda", "dev", "8:0\n", 4);
	expect_devnum("sda", 8, 0);
	fake_file("nvme0n1", "dev", "259:0\n", 6);
	expect_devnum("nvme0n1", 259, 0);
	/* the largest numbers dev_t holds: 12 bits of major, 20 of minor */
	fake_file("sdzz", "dev", "4095:1048575", 12);
	expect_devnum("sdzz", 4095, 1048575);

	expect_devnum_error("sdy", NULL, -ENOENT, "cannot read '@': No such file or directory");
	expect_devnum_error("sdb", "", -EINVAL, "'@' is not a device number (MAJ:MIN): ''");
	expect_devnum_error("sdb", "8\n", -EINVAL, "'@' is not a device number (MAJ:MIN): '8'");
	expect_devnum_error("sdb", "8:\n", -EINVAL, "'@' is not a device number (MAJ:MIN): '8:'");
	expect_devnum_error("sdb", ":16\n", -EINVAL, "'@' is not a device number (MAJ:MIN): ':16'");
	expect_devnum_error("sdb", "8:16:1\n", -EINVAL, "'@' is not a device number (MAJ:MIN): '8:16:1'");
	expect_devnum_error("sdb", "8: 16\n", -EINVAL, "'@' is not a device number (MAJ:MIN): '8: 16'");
	expect_devnum_error("sdb", "8:16\n\n", -EINVAL, "'@' is not a device number (MAJ:MIN): '8:16\n'");
	expect_devnum_error("sdb", "8:4294967296\n", -EINVAL,
			    "'@' is not a device number (MAJ:MIN): '8:4294967296'");
}

static void test_names(void **state)
{
	static const char *const bad[] = { "", ".", "..", "../sda", "sda/../sdb", "/sda" };
	struct wg_err err = { "" };
	char want[64];
	uint64_t rd, wr;
	unsigned maj, min;

	(void)state;
	/* sysfs/block/../block/sda/stat would be read were the name taken as it is */
	fake_stat("sda", "1 2 3 4 5 6 7 8 9 10 11\n");
	for (size_t i = 0; i < WG_ELEMENTSOF(bad); i++) {
		snprintf(want, sizeof(want), "'%s' is not a disk name", bad[i]);
		assert_int_equal(iostat_read(sysfs, bad[i], &rd, &wr, &err), -EINVAL);
		assert_string_equal(err.msg, want);
		assert_int_equal(iostat_devnum(sysfs, bad[i], &maj, &min, &err), -EINVAL);
		assert_string_equal(err.msg, want);
	}
	/* err may be NULL, as the runner passes it for a best-effort reading */
	assert_int_equal(iostat_read(sysfs, "sdz", &rd, &wr, NULL), -ENOENT);
}

/* Every disk this kernel lists parses, and its dev is the number /sys/dev/block links to it by. */
static void test_real_sysfs(void **state)
{
	char **disks = NULL, link[PATH_MAX], *a, *b, dir[PATH_MAX];
	struct wg_err err = { "" };
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	(void)state;
	d = opendir("/sys/block");
	if (!d) {
		print_message("no /sys/block here; skipped\n");
		skip();
	}
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			assert_int_equal(strv_push(&disks, de->d_name), 0);
	closedir(d);
	for (char **p = disks; p && *p; p++, n++) {
		uint64_t rd, wr;
		unsigned maj, min;

		if (iostat_read("/sys", *p, &rd, &wr, &err) < 0 || iostat_devnum("/sys", *p, &maj, &min, &err) < 0)
			fail_msg("%s: %s", *p, err.msg);
		snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", maj, min);
		snprintf(dir, sizeof(dir), "/sys/block/%s", *p);
		a = realpath(link, NULL);
		b = realpath(dir, NULL);
		assert_non_null(a);
		assert_non_null(b);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}
	strv_free(disks);
	if (n == 0) {
		print_message("no disk in /sys/block here; skipped\n");
		skip();
	}
}

/*
 * Fields 3 and 7 are the ones that count sectors on a live kernel: a MiB written and synced,
 * then read past the page cache, moves each by at least 2048 on the disk under a temp file.
 */
static void test_real_counters(void **state)
{
	const size_t size = 1 << 20;
	uint64_t rd0, wr0, rd1, wr1;
	struct wg_err err = { "" };
	char path[PATH_MAX], **disks = NULL;
	unsigned char *buf;
	struct stat st;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/data", root);
	if (stat(root, &st) < 0 || major(st.st_dev) == 0 ||
	    blockdev_disks_of_path(NULL, root, &disks, &err) < 0 || strv_length(disks) != 1) {
		print_message("'%s' is not on one disk here (%s); skipped\n", root, err.msg);
		strv_free(disks);
		skip();
	}
	assert_int_equal(posix_memalign((void **)&buf, 4096, size), 0);
	/* random bytes: a compressing filesystem would write next to nothing of zeros */
	for (size_t i = 0; i < size; i++)
		buf[i] = (unsigned char)(random() >> 7);
	assert_int_equal(iostat_read("/sys", disks[0], &rd0, &wr0, &err), 0);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, size), (ssize_t)size);
	assert_int_equal(fsync(fd), 0);
	close(fd);
	fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0) {
		print_message("no O_DIRECT on '%s' (%s): reads not tried\n", path, strerror(errno));
	} else {
		assert_int_equal(read(fd, buf, size), (ssize_t)size);
		close(fd);
	}
	assert_int_equal(iostat_read("/sys", disks[0], &rd1, &wr1, &err), 0);
	if (wr1 - wr0 < 2048)
		fail_msg("%s: %llu sectors written for a MiB synced", disks[0], (unsigned long long)(wr1 - wr0));
	if (fd >= 0 && rd1 - rd0 < 2048)
		fail_msg("%s: %llu sectors read for a MiB read direct", disks[0], (unsigned long long)(rd1 - rd0));
	free(buf);
	strv_free(disks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_formats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stat_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_devnum, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_sysfs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_counters, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
