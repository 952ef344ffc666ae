/* hook.h — job runs a backup tool's hooks record (gate --record, done), and a gate asked from inside a runner's job */
#ifndef WEARGATE_HOOK_H
#define WEARGATE_HOOK_H

#include <stdbool.h>
#include <stdint.h>

#include "gate.h"
#include "runner.h"

/*
 * Whether this process runs inside the live run of job that `exec` or `run` started: the
 * environment names the job and the run (WEARGATE_JOB, WEARGATE_RUN), the history has that run
 * of that job open, and this process is in the session its runner noted for it. 1 with
 * *ret_run, 0 when not (any of it missing), < 0 on an error of the store.
 */
int hook_nested(struct store *s, const char *job, int64_t *ret_run, struct wg_err *err);

/*
 * Record the start of a run of j that its gate (res) let go: the drives the gate judged, their
 * newest samples and their disks' I/O counters now. The run expires at now + the job's
 * timeout (never without one).
 */
int hook_start(struct runner *r, const struct job_cfg *j, const struct gate_result *res, int64_t now, int64_t *ret_id,
	       struct wg_err *err);

struct hook_end {
	int64_t run_id;
	bool late;    /* the run had been closed as unreported: this is its end, come late */
	bool success;
	char reason[64];
};

/*
 * Record the end of j's newest hook run: status 0 success, else failed; what was read and
 * written on each drive since the start, and a sample after (no drive woken). -ENOENT when j
 * has no run to end.
 */
int hook_done(struct runner *r, const struct job_cfg *j, int status, int64_t now, struct hook_end *ret,
	      struct wg_err *err);

#endif
