/* lock.h — one runner at a time: an flock the kernel drops when its holder dies, however it dies */
#ifndef WEARGATE_LOCK_H
#define WEARGATE_LOCK_H

#include <stdint.h>
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
/*
 * Note in the lock file the process group of the job now running and when its leader started
 * (proc_start_time()); pgid 0: no job runs now. Should we die with the job running, whoever
 * takes the lock next learns it from runner_lock_left_job(). NULL is fine.
 */
void runner_lock_note_job(struct runner_lock *l, pid_t pgid, unsigned long long start);
/* The end of a job run that the history could not take, kept in the lock file for the next holder. */
struct lock_end {
	int64_t run_id, ended;
	int exit_status;
	char outcome[16];
	char reason[512];
};

/* Keep e in the lock file (-ENOSPC when too many are kept already). */
int runner_lock_note_end(struct runner_lock *l, const struct lock_end *e);
/* The i-th end the previous holder kept; -ENOENT past the last. */
int runner_lock_left_end(struct runner_lock *l, size_t i, struct lock_end *ret);
/* Those are recorded now: do not keep them on. */
void runner_lock_forget_left_ends(struct runner_lock *l);

/* The job group the previous holder noted and never cleared (it died), and its start; 0 when none. */
pid_t runner_lock_left_job(const struct runner_lock *l, unsigned long long *ret_start);

#endif
