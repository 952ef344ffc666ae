/* blockdev.h — which whole disks lie under a path or a device node, as the kernel's sysfs shows it */
#ifndef WEARGATE_BLOCKDEV_H
#define WEARGATE_BLOCKDEV_H

#include "util.h"

#define BLOCKDEV_SYSFS_ROOT "/sys"
#define BLOCKDEV_MOUNTINFO "/proc/self/mountinfo"

/* Where the kernel's view is read from; tests point it at a fake tree. */
struct blockdev_env {
	const char *sysfs_root; /* BLOCKDEV_SYSFS_ROOT */
	const char *mountinfo;  /* BLOCKDEV_MOUNTINFO; read only for paths on anonymous devices */
	const char *kmsg;       /* the kernel's log, watched while a job runs (kmsg.h); NULL = /dev/kmsg */
};

/*
 * The kernel names ("sda", "nvme0n1") of the whole disks under block device maj:min, sorted,
 * each once, as a strv: a partition stands for its disk, and a device stacked on others (dm,
 * LVM, md, dm-crypt, bcache: a non-empty slaves/) for the disks under its members, down to
 * the bottom. -ENODEV when sysfs has no maj:min; -ELOOP when members lead back to a device
 * being expanded or stack deeper than anything real.
 */
int blockdev_disks_of_devnum(const char *sysfs_root, unsigned maj, unsigned min, char ***ret_disks,
			     struct wg_err *err);

/*
 * The whole disks under the filesystem that holds path, as blockdev_disks_of_devnum() gives
 * them. A filesystem on an anonymous device (major 0: every btrfs subvolume, fuseblk) is
 * found in the mount table: the mount that holds path names the device it was mounted from,
 * and a btrfs filesystem is taken with every device sysfs lists for it. -ENOENT when path
 * does not exist; -ENODEV when it is not on a block device (tmpfs, overlay, nfs, zfs).
 * env NULL reads the running system.
 */
int blockdev_disks_of_path(const struct blockdev_env *env, const char *path, char ***ret_disks,
			   struct wg_err *err);

/*
 * The kernel name of the whole disk behind a device node (often a /dev/disk/by-id/ symlink);
 * a partition's node gives its disk, a dm or md node the device itself. A path that is not a
 * block device node is taken by the name it resolves to when SYSFS/class/block has that name,
 * so that tests can stand a plain file in for a node they cannot mknod. -ENOENT when dev_path
 * does not exist, -ENOTBLK when it is not a block device, -ENODEV when sysfs does not list it.
 */
int blockdev_disk_of_node(const char *sysfs_root, const char *dev_path, char **ret_name, struct wg_err *err);

#endif
