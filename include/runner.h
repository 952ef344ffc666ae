/* runner.h — run a heavy job the way a careful admin would, and record what it did to every drive */
#ifndef WEARGATE_RUNNER_H
#define WEARGATE_RUNNER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "gate.h"
#include "store.h"
#include "throttle.h"

struct runner {
	const struct config *config;
	struct store *store;
	const struct blockdev_env *env; /* sysfs (drives' disks and their I/O counters) and mountinfo */
	struct throttle_env throttle_env;
	FILE *log;                      /* what the runner says and the jobs' output go here (stderr) */
	bool quiet;                     /* only problems and the jobs' own output: no "started", no "success" */
	bool verbose;                   /* also each look of the watchdog at the job's drives */
	struct runner_lock *lock;       /* runner_begin()'s, where the running job is noted */
};

enum outcome {
	OUTCOME_SUCCESS,
	OUTCOME_FAILED,      /* a non-zero exit, a signal, or the command could not be started */
	OUTCOME_TIMEOUT,     /* its timeout ended it */
	OUTCOME_STOPPED,     /* the watchdog stopped it: a drive got worse */
	OUTCOME_INTERRUPTED, /* the runner was told to stop */
	OUTCOME_NOT_STARTED, /* its run could not be recorded, so it never ran (never in the history) */
	_OUTCOME_MAX,
};

const char *outcome_to_string(enum outcome o);

struct job_outcome {
	enum outcome outcome;
	int exit_status; /* the command's exit code, 128 + signal when a signal ended it, 127 when it never ran */
	int64_t run_id;
	char reason[512];
};

/*
 * Run job j now, its gate having said go (res): argv is the job's command, or the one given to
 * `weargate exec`. In its own process group, with a clean environment (WEARGATE_JOB,
 * WEARGATE_CLASS, WEARGATE_DRIVES, WEARGATE_RUN), its user, nice and ionice, its throttle as
 * io.max, its timeout; its drives re-sampled every watch_interval, a maintenance job stopped
 * when one gets worse; and recorded: start, end, outcome, output, and per drive the sectors
 * read and written during it and the samples before and after. Errors are the store's;
 * everything about the job itself is in ret.
 */
int runner_run_job(struct runner *r, const struct job_cfg *j, char *const *argv, struct gate_result *res,
		   struct job_outcome *ret, struct wg_err *err);

/* The gate's verdict as one line: "JOB: VERDICT[ (last chance)][ (throttled)]: REASON". */
void runner_print_verdict(FILE *f, const struct gate_result *res);

/*
 * Gate job j for a run at now, as `run` and `exec` do: decide (opts), record the decision
 * (saying so on the log when it cannot be), and say the verdict there (with quiet, only when
 * it is not go). A defer for a cooldown that ends before deadline (0: none) is waited for
 * and the gate asked again, unless the runner is told to stop. Errors are gate_check()'s.
 */
int runner_gate(struct runner *r, const struct job_cfg *j, int64_t now, const struct gate_opts *opts,
		int64_t deadline, struct gate_result *ret, struct wg_err *err);

/*
 * What the verdict leads to: on go, the job runs (runner_run_job(), argv as there); on refuse,
 * the notify command hears of it; on defer, nothing. Errors are runner_run_job()'s; ret says
 * not started unless the job ran.
 */
int runner_follow(struct runner *r, const struct job_cfg *j, char *const *argv, struct gate_result *res,
		  struct job_outcome *ret, struct wg_err *err);

struct runner_lock;

/*
 * One runner at a time, `run` or `exec`: take the lock beside the history (-EBUSY, err naming
 * the holder, when another has it), then record as interrupted the runs a dead runner left open.
 */
int runner_begin(struct runner *r, struct runner_lock **ret_lock, struct wg_err *err);
/* The same, waiting up to wait_ms for a holder that lets go soon (a hook recording a start). */
int runner_begin_wait(struct runner *r, int64_t wait_ms, struct runner_lock **ret_lock, struct wg_err *err);

/* The disk whose I/O counters stand for a drive (malloc'd): its device's whole disk, or for a blob drive a disk of its name in sysfs; NULL when none. */
char *runner_disk_of(const struct blockdev_env *env, const struct drive_cfg *d);

/* Ask a running runner_run_job() to stop its job (async-signal-safe): the run is recorded as interrupted. */
void runner_request_stop(void);
bool runner_stop_requested(void);

/*
 * Tell of every state a drive entered that was not told yet (whoever recorded it: a gate does
 * not tell): syslog, the notify command, and a line on the log (none when log is NULL; with
 * quiet, only for a drive degrading or failing). r needs config, store and log.
 */
void runner_announce(struct runner *r);
/* Run the notify command (config `notify`), if any, with WEARGATE_EVENT ("state", "refusal"), WEARGATE_JOB, WEARGATE_DRIVE, WEARGATE_STATE, WEARGATE_MESSAGE. */
void runner_notify(struct runner *r, const char *event, const char *job, const char *drive, const char *state,
		   const char *message);
/* The drive whose state decided a refusal: the first of the worst. */
const char *runner_worst_drive(const struct gate_result *res);

#endif
