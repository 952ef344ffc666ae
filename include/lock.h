/* lock.h — one runner at a time: an flock the kernel drops when its holder dies, however it dies */
#ifndef WEARGATE_LOCK_H
#define WEARGATE_LOCK_H

#include <sys/types.h>

#include "util.h"

struct runner_lock;

/*
 * Take the lock file at path (created 0644 when missing) without waiting, and write our pid
 * into it. -EBUSY when another process holds it: *ret_holder is its pid as it wrote it (0 when
 * unknown) and err names it.
 */
int runner_lock_take(const char *path, struct runner_lock **ret, pid_t *ret_holder, struct wg_err *err);
void runner_lock_release(struct runner_lock *l); /* NULL is fine */

#endif
