/* kmsg.h — the kernel's log, read for I/O and ATA errors on the disks a job touches */
#ifndef WEARGATE_KMSG_H
#define WEARGATE_KMSG_H

#include <stdbool.h>

#include "util.h"

#define KMSG_PATH "/dev/kmsg"

/* What an error line of the kernel names: a block device ("sda", "sda1", "dm-0"), or an ATA port. */
struct kmsg_culprit {
	char dev[32]; /* "" when the line names a port */
	int ata_port; /* N of "ataN", -1 when the line names a device */
};

/*
 * The device an I/O or ATA error line of the kernel names; false for any other line. The
 * lines, as Linux writes them: "I/O error, dev sda, sector 2048 op 0x0:(READ) …" (also
 * after "blk_update_request: " or "print_req_error: ", and "critical medium error, dev …"),
 * "Buffer I/O error on dev sda1, logical block 0, …" ("on device" before 4.x), and
 * "ata3.00: failed command: READ FPDMA QUEUED". msg is the message alone, without the
 * record's "prio,seq,time,flags;" prefix. Pure, for the tests.
 */
bool kmsg_error_culprit(const char *msg, struct kmsg_culprit *ret);

/* The names a disk goes by in the kernel's error lines. */
struct kmsg_disk {
	char *disk;   /* "sda" */
	char **names; /* itself, its partitions, and the devices stacked on them (holders, all the way up) */
	int ata_port; /* N when the disk hangs off ataN, else -1 */
};

/*
 * Learn them from sysfs (SYSFS/block/DISK: its partitions, holders/ of each, recursively;
 * the ataN in the path of its device). A disk sysfs does not have still goes by its name.
 */
int kmsg_disk_load(const char *sysfs_root, const char *disk, struct kmsg_disk *ret);
void kmsg_disk_release(struct kmsg_disk *d);
bool kmsg_disk_matches(const struct kmsg_disk *d, const struct kmsg_culprit *c);

/* The log, read from the moment it was opened on. */
struct kmsg;

/*
 * Open path (/dev/kmsg; tests give a file they append to) at its end: only what the kernel
 * logs from now on is read. -errno with err saying why (/dev/kmsg needs root, or
 * CAP_SYSLOG where dmesg_restrict is set, and is missing from some containers).
 */
int kmsg_open(const char *path, struct kmsg **ret, struct wg_err *err);
/*
 * Pass every message logged since the last call to cb, its prefix and continuation lines
 * taken off; never blocks. 0, or -errno when reading failed (the reader is done then:
 * later calls do nothing). Records the kernel overwrote before we read them are skipped.
 */
int kmsg_read(struct kmsg *k, void (*cb)(const char *msg, void *userdata), void *userdata);
void kmsg_free(struct kmsg *k); /* NULL is fine */

#endif
