/* test-kmsg.c — which kernel lines accuse which disk, by the names sysfs gives it, read from the job's start */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "kmsg.h"
#include "tmpdir.h"

static void expect_dev(const char *line, const char *dev)
{
	struct kmsg_culprit c;

	if (!kmsg_error_culprit(line, &c))
		fail_msg("'%s' names no device", line);
	assert_string_equal(c.dev, dev);
	assert_int_equal(c.ata_port, -1);
}

static void expect_port(const char *line, int port)
{
	struct kmsg_culprit c;

	if (!kmsg_error_culprit(line, &c))
		fail_msg("'%s' names no port", line);
	assert_string_equal(c.dev, "");
	assert_int_equal(c.ata_port, port);
}

static void test_culprits(void **state)
{
	static const char *const quiet[] = {
		"ata3.00: configured for UDMA/133",
		"ata3: SATA link up 6.0 Gbps (SStatus 133 SControl 300)",
		"ata3.00: exception Emask 0x0 SAct 0x1 SErr 0x0 action 0x0",
		"sd 2:0:0:0: [sda] 976773168 512-byte logical blocks: (500 GB/466 GiB)",
		"EXT4-fs (sda1): mounted filesystem with ordered data mode",
		"EXT4-fs error (device sda1): ext4_find_entry:1455: inode #2: comm ls: reading directory lblock 0",
		"I/O error, dev , sector 0",
		"Buffer I/O error on dev , logical block 0",
		"ata: failed command: READ DMA",
		"atapi3.00: failed command: PACKET",
		"usb 1-1: new high-speed USB device number 2 using ehci-pci",
		"",
	};
	struct kmsg_culprit c;

	(void)state;
	expect_dev("I/O error, dev sda, sector 2048 op 0x0:(READ) flags 0x80700 phys_seg 1 prio class 2", "sda");
	expect_dev("blk_update_request: I/O error, dev sdb, sector 12345 op 0x0:(READ) flags 0x0 phys_seg 1 prio class 0",
		   "sdb");
	expect_dev("print_req_error: I/O error, dev sdc, sector 8", "sdc");
	expect_dev("critical medium error, dev sdd, sector 100 op 0x0:(READ) flags 0x0", "sdd");
	expect_dev("Buffer I/O error on dev sda1, logical block 0, async page read", "sda1");
	expect_dev("Buffer I/O error on device dm-0, logical block 12", "dm-0");
	expect_dev("I/O error, dev nvme0n1p2, sector 1 op 0x1:(WRITE)", "nvme0n1p2");
	expect_port("ata3.00: failed command: READ FPDMA QUEUED", 3);
	expect_port("ata12: failed command: READ DMA EXT", 12);
	for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++)
		if (kmsg_error_culprit(quiet[i], &c))
			fail_msg("'%s' was taken for an error on '%s' (port %d)", quiet[i], c.dev, c.ata_port);
	/* a name too long for any device is no name */
	assert_false(kmsg_error_culprit("I/O error, dev aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, sector 0", &c));
}

static void touch(const char *dir, const char *path)
{
	char full[512];
	FILE *f;

	snprintf(full, sizeof(full), "%s/%s", dir, path);
	f = fopen(full, "w");
	assert_non_null(f);
	fclose(f);
}

static void mkdirs(const char *dir, const char *path)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", dir, path);
	assert_int_equal(system(cmd), 0);
}

static void test_disk_names(void **state)
{
	char dir[] = "/tmp/wg-test-kmsg-XXXXXX", link[512], sys[128];
	struct kmsg_disk d;
	struct kmsg_culprit c;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sys, sizeof(sys), "%s/sys", dir);
	/* sda: two partitions, md0 on the disk, dm-0 on the second partition, dm-1 on dm-0, which leads back to sda */
	mkdirs(sys, "block/sda/sda1");
	mkdirs(sys, "block/sda/sda2/holders/dm-0");
	mkdirs(sys, "block/sda/holders/md0");
	mkdirs(sys, "block/sda/queue");
	mkdirs(sys, "block/dm-0/holders/dm-1");
	mkdirs(sys, "block/dm-1/holders/sda");
	mkdirs(sys, "block/sdb");
	touch(sys, "block/sda/sda1/partition");
	touch(sys, "block/sda/sda2/partition");
	mkdirs(sys, "devices/pci0000:00/0000:00:1f.2/ata3/host2/target2:0:0/2:0:0:0");
	snprintf(link, sizeof(link), "%s/block/sda/device", sys);
	assert_int_equal(symlink("../../devices/pci0000:00/0000:00:1f.2/ata3/host2/target2:0:0/2:0:0:0", link), 0);

	assert_int_equal(kmsg_disk_load(sys, "sda", &d), 0);
	assert_string_equal(d.disk, "sda");
	assert_int_equal(d.ata_port, 3);
	assert_int_equal(strv_length(d.names), 6);
	for (const char *const *n = (const char *const[]){ "sda", "sda1", "sda2", "md0", "dm-0", "dm-1", NULL }; *n; n++)
		if (!strv_contains(d.names, *n))
			fail_msg("sda's names lack %s", *n);
	assert_false(strv_contains(d.names, "queue"));
	assert_true(kmsg_error_culprit("Buffer I/O error on dev dm-1, logical block 7", &c));
	assert_true(kmsg_disk_matches(&d, &c));
	assert_true(kmsg_error_culprit("ata3.00: failed command: READ FPDMA QUEUED", &c));
	assert_true(kmsg_disk_matches(&d, &c));
	assert_true(kmsg_error_culprit("ata4.00: failed command: READ FPDMA QUEUED", &c));
	assert_false(kmsg_disk_matches(&d, &c));
	assert_true(kmsg_error_culprit("I/O error, dev sdb, sector 1", &c));
	assert_false(kmsg_disk_matches(&d, &c));
	assert_true(kmsg_error_culprit("I/O error, dev sda10, sector 1", &c));
	assert_false(kmsg_disk_matches(&d, &c));
	kmsg_disk_release(&d);
	kmsg_disk_release(&d);

	/* a disk without a device link, and one sysfs does not have, still go by their names */
	assert_int_equal(kmsg_disk_load(sys, "sdb", &d), 0);
	assert_int_equal(d.ata_port, -1);
	assert_int_equal(strv_length(d.names), 1);
	kmsg_disk_release(&d);
	assert_int_equal(kmsg_disk_load(sys, "sdq", &d), 0);
	assert_true(kmsg_error_culprit("I/O error, dev sdq, sector 1", &c));
	assert_true(kmsg_disk_matches(&d, &c));
	assert_true(kmsg_error_culprit("ata3.00: failed command: READ DMA", &c));
	assert_false(kmsg_disk_matches(&d, &c));
	kmsg_disk_release(&d);
	assert_int_equal(tmpdir_remove(dir), 0);
}

struct got {
	size_t n;
	char msg[8][160];
};

static void collect(const char *msg, void *userdata)
{
	struct got *g = userdata;

	if (g->n < 8)
		snprintf(g->msg[g->n], sizeof(g->msg[g->n]), "%s", msg);
	g->n++;
}

static void append(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_reader(void **state)
{
	char dir[] = "/tmp/wg-test-kmsg-XXXXXX", path[128];
	struct wg_err err = { "" };
	struct got g = { 0 };
	struct kmsg *k;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/kmsg", dir);
	/* what was logged before the job started is not the job's */
	append(path, "3,100,1000,-;I/O error, dev sda, sector 1\n");
	assert_int_equal(kmsg_open(path, &k, &err), 0);
	assert_int_equal(kmsg_read(k, collect, &g), 0);
	assert_int_equal(g.n, 0);
	/* /dev/kmsg's records, with their dictionary lines; a plain line; a line in two writes */
	append(path, "3,101,2000,-;I/O error, dev sda, sector 2048 op 0x0:(READ)\n SUBSYSTEM=block\n DEVICE=b8:0\n");
	append(path, "ata3.00: failed command: READ FPDMA QUEUED\n");
	append(path, "4,102,3000,c;Buffer I/O error on dev sda1, ");
	assert_int_equal(kmsg_read(k, collect, &g), 0);
	assert_int_equal(g.n, 2);
	append(path, "logical block 0\n6,103,4000,-;text; with a semicolon\n");
	assert_int_equal(kmsg_read(k, collect, &g), 0);
	assert_int_equal(g.n, 4);
	assert_string_equal(g.msg[0], "I/O error, dev sda, sector 2048 op 0x0:(READ)");
	assert_string_equal(g.msg[1], "ata3.00: failed command: READ FPDMA QUEUED");
	assert_string_equal(g.msg[2], "Buffer I/O error on dev sda1, logical block 0");
	assert_string_equal(g.msg[3], "text; with a semicolon");
	assert_int_equal(kmsg_read(k, collect, &g), 0);
	assert_int_equal(g.n, 4);
	kmsg_free(k);
	kmsg_free(NULL);

	snprintf(path, sizeof(path), "%s/none", dir);
	assert_int_equal(kmsg_open(path, &k, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "none': No such file or directory"));
	assert_int_equal(tmpdir_remove(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_culprits),
		cmocka_unit_test(test_disk_names),
		cmocka_unit_test(test_reader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
