/* iostat.h — what a disk has read and written, from the kernel's counters, and limits on it */
#ifndef WEARGATE_IOSTAT_H
#define WEARGATE_IOSTAT_H

#include <stdbool.h>
#include <stdint.h>

#include "util.h"

/* Sectors (512 bytes) read and written by disk NAME since boot: SYSFS/block/NAME/stat fields 3 and 7. */
int iostat_read(const char *sysfs_root, const char *disk, uint64_t *ret_read, uint64_t *ret_written,
		struct wg_err *err);

/* MAJ:MIN of disk NAME: SYSFS/block/NAME/dev. */
int iostat_devnum(const char *sysfs_root, const char *disk, unsigned *ret_maj, unsigned *ret_min, struct wg_err *err);

#endif
