/* export.h — the drives, their states and the gate as Prometheus metrics, for node_exporter's textfile collector */
#ifndef WEARGATE_EXPORT_H
#define WEARGATE_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "blockdev.h"
#include "config.h"
#include "store.h"

/*
 * The whole text of the metrics at now, from the history alone (no drive is read, nothing is
 * written), built in memory: *ret_buf (malloc'd) and its length. Errors: -ENOMEM, or the
 * store's, err saying which.
 */
int export_build(const struct config *c, struct store *s, const struct blockdev_env *env, int64_t now, char **ret_buf,
		 size_t *ret_len, struct wg_err *err);

/* The same, written to path atomically (a temporary file beside it, then a rename): a reader never sees half. */
int export_write(const struct config *c, struct store *s, const struct blockdev_env *env, int64_t now,
		 const char *path, struct wg_err *err);

#endif
