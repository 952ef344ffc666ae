/* resolve.h — which configured drives a job touches */
#ifndef WEARGATE_RESOLVE_H
#define WEARGATE_RESOLVE_H

#include <stddef.h>

#include "blockdev.h"
#include "config.h"
#include "util.h"

/*
 * The configured drives job j touches, each once and in config order, as a NULL-terminated
 * array of pointers into c->drives (free the array, not the drives): those it names in
 * `drives`, and the device drives whose disk lies under one of its `paths` (a blob drive only
 * through `drives`). The disks under its paths that no configured drive covers go to
 * *ret_unmonitored (ret_unmonitored may be NULL), in the order the paths reach them, for a
 * warning; NULL when there are none. env NULL reads the running system.
 *
 * -EINVAL when `drives` names a drive that is not configured; -ENOENT when the job touches no
 * configured drive; a path that does not resolve fails as blockdev_disks_of_path() does.
 * err names the file and the job's line.
 */
int resolve_job_drives(const struct config *c, const struct job_cfg *j, const struct blockdev_env *env,
		       const struct drive_cfg ***ret_drives, size_t *ret_n, char ***ret_unmonitored,
		       struct wg_err *err);

/*
 * Whether every drive section names a disk of its own: two whose paths are one device (by its
 * number: /dev/sda and its /dev/disk/by-id/ link) or one file are -EEXIST, err naming both with
 * the file and lines. A path that is not there now is not compared.
 */
int resolve_drives_once(const struct config *c, struct wg_err *err);

#endif
