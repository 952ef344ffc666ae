/* store.h — the SMART history in one SQLite file (the only user of sqlite3) */
#ifndef WEARGATE_STORE_H
#define WEARGATE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "drivedb.h"
#include "smart.h"
#include "util.h"

#define STORE_DEFAULT_PATH "/var/lib/weargate/history.db"
#define STORE_NAME_MAX 64
/* the drives of a job run read back with it */
#define STORE_RUN_DRIVES_MAX 32

struct store;

/*
 * Open (creating the file and its directory when missing) and migrate the schema forward.
 * A schema newer than this build knows is refused with -EPROTO; a file that is not a
 * database with -EBADMSG. err says which, naming the path.
 */
int store_open(const char *path, struct store **ret, struct wg_err *err);
/*
 * Open for reading only: never creates the file or its directory (-ENOENT, "no history at …"),
 * never migrates (a schema older or newer than this build's is -EPROTO).
 */
int store_open_readonly(const char *path, struct store **ret, struct wg_err *err);
void store_free(struct store *s); /* NULL is fine; aborts an open pass */

/*
 * Durable (the default): a committed pass survives a power loss. Not durable is for the bulk
 * loads of tests and benchmarks: nothing waits for the disk, not even the copies of the log
 * into the file, and a power loss meanwhile may damage the history.
 */
int store_set_durable(struct store *s, bool durable, struct wg_err *err);

/*
 * Whether this process copies the log into the file when its commits take the log past 128
 * pages (the default). A hook's gate, on the critical path of a backup, leaves that to the
 * writers that are not (sample, run, prune), unless the log reaches twice that, when no writer
 * has run for a long while. Nobody does it on closing.
 */
void store_set_checkpoints(struct store *s, bool checkpoints);

/* The schema version this build writes (PRAGMA user_version). */
int store_schema_version(void);

/*
 * A sampling pass is one transaction: begin, add one reading per drive, commit. Until commit
 * nothing of it is visible, and a crash or abort leaves no trace of it.
 */
int store_pass_begin(struct store *s, int64_t now, struct wg_err *err);
/*
 * Record the reading of the configured drive `name`. A reading with an identity is recorded
 * against the drive with that model and serial (a drive keeps its history when it moves to
 * another name; a new drive under an old name starts a new one). A reading without an
 * identity (standby before identify, open failure) is recorded against the drive last seen
 * under `name`, or a placeholder for `name` when there is none. r gets its drive's attribute
 * definitions (r->defs), as every reading read back from the history does.
 */
int store_pass_add(struct store *s, const char *name, struct smart_reading *r, struct wg_err *err);
/* The same, and the id of the drive it went to. A reading of status READING_DUPLICATE is not identified. */
int store_pass_record(struct store *s, const char *name, struct smart_reading *r, int64_t *ret_drive_id,
		      struct wg_err *err);
int store_pass_commit(struct store *s, struct wg_err *err);
void store_pass_abort(struct store *s);
/* The open pass's id; -1 when none is open. */
int64_t store_pass_id(const struct store *s);
/* The drive a reading under name would be recorded against; -ENOENT when it would be a new one. */
int store_drive_of(struct store *s, const char *name, const struct smart_reading *r, int64_t *ret_id,
		   struct wg_err *err);

struct store_sample {
	int64_t drive_id;
	int64_t pass_id;
	int64_t t; /* UTC epoch seconds of the pass */
	char name[STORE_NAME_MAX];
	struct smart_reading reading; /* reconstructed exactly as it was added */
	/* in store_foreach_sample(): the reading is the previous sample's, to the byte (only t and pass differ) */
	bool unchanged;
};

/* The latest sample taken under `name` of the drive that is there now; -ENOENT when none. */
int store_latest_by_name(struct store *s, const char *name, struct store_sample *ret, struct wg_err *err);
/*
 * The same up to a time: the newest sample under name stamped at or before until (what a clock
 * set ahead stamped later is passed over); -ENOENT when none.
 */
int store_latest_upto(struct store *s, const char *name, int64_t until, struct store_sample *ret, struct wg_err *err);
/* What a gate needs of the newest sample under a name, read without decoding it. */
struct store_brief {
	int64_t drive_id, pass_id, t;
	enum reading_status status;
	int64_t temperature_c; /* ATTR_UNKNOWN (-1) when not known */
	int self_test;         /* the self-test execution status byte; -1 unknown */
	int64_t drive_t;       /* the newest sample of drive_id (under any name) up to until; -1 not known */
};

/* The newest sample under name stamped at or before until, in brief; -ENOENT when none. */
int store_latest_brief(struct store *s, const char *name, int64_t until, struct store_brief *ret, struct wg_err *err);
/*
 * When the newest sample of a drive stamped at or before until, of a pass before before_pass
 * (INT64_MAX: any), was taken; -ENOENT when none.
 */
int store_drive_latest_t(struct store *s, int64_t drive_id, int64_t until, int64_t before_pass, int64_t *ret_t,
			 struct wg_err *err);
/* One sample, reconstructed; -ENOENT when that drive was not sampled in that pass. */
int store_sample_get(struct store *s, int64_t drive_id, int64_t pass_id, struct store_sample *ret,
		     struct wg_err *err);

/* Call cb for every sample of a drive with since <= t <= until, oldest first; cb returning < 0 stops. */
typedef int (*store_sample_cb)(const struct store_sample *sample, void *userdata);
int store_foreach_sample(struct store *s, int64_t drive_id, int64_t since, int64_t until, store_sample_cb cb,
			 void *userdata, struct wg_err *err);

/*
 * Job runs: begin records the job, its class ("backup", "maintenance"), its start and the
 * drives it touches; end records how it ended: outcome "success", "failed", "timeout",
 * "stopped" (by the watchdog) or "interrupted", the exit status, and why. A run that was
 * begun and never ended counts as a heavy job until its start.
 */
int store_job_run_begin(struct store *s, const char *job, const char *class, int64_t started,
			const int64_t *drive_ids, size_t n, const char *verdict, int64_t *ret_id, struct wg_err *err);
/* output: the last of what the job wrote (bounded by the caller), or NULL. */
int store_job_run_end(struct store *s, int64_t id, int64_t ended, const char *outcome, int exit_status,
		      const char *reason, const char *output, struct wg_err *err);
/* The same with output_len bytes of output, NUL bytes among them. */
int store_job_run_end_output(struct store *s, int64_t id, int64_t ended, const char *outcome, int exit_status,
			     const char *reason, const char *output, size_t output_len, struct wg_err *err);
/*
 * What a job did to one of its drives: sectors read and written, the passes before and after
 * (-1 = unknown); the media counters of those passes' samples are recorded with them.
 */
int store_job_run_drive_set(struct store *s, int64_t run, int64_t drive_id, int64_t sectors_read,
			    int64_t sectors_written, int64_t pass_before, int64_t pass_after, struct wg_err *err);
/*
 * Runs a runner began and never ended (it died) are ended now as "interrupted"; *ret_n says how
 * many. Runs a hook recorded are not the runner's: see store_job_runs_expire().
 */
int store_job_runs_interrupted(struct store *s, int64_t now, int *ret_n, struct wg_err *err);
/*
 * Runs a backup tool's hooks record (`gate --record JOB` at the start, `done JOB` at the end):
 * no runner waits for them, so each drive's I/O counters at the start are kept for the end,
 * and a run whose end never comes is given up on at its expiry (the job's timeout).
 */
struct store_hook_drive {
	int64_t drive_id;
	int64_t read0, written0; /* the disk's sectors read and written at the start; -1 unknown */
	int64_t pass_before;     /* the pass of its sample before the job; -1 none */
};

struct store_hook_start {
	const char *job, *class, *verdict;
	int64_t started;
	int64_t expires; /* when an end not reported by then is given up on; -1 never */
	const struct store_hook_drive *drives;
	size_t n;
};

/*
 * Record the start of a hook run. The job's earlier hook runs still open are closed first as
 * "unreported": a job started again has ended before.
 */
int store_hook_run_begin(struct store *s, const struct store_hook_start *h, int64_t *ret_id, struct wg_err *err);

struct store_hook_run {
	int64_t id, started;
	bool open; /* false: it was closed as unreported, and its end comes late */
	size_t n;
	struct store_hook_drive drives[STORE_RUN_DRIVES_MAX];
};

/*
 * The run an end of job reports on: the job's newest run, when a hook recorded it and it is open
 * or was closed as unreported; -ENOENT when there is none.
 */
int store_hook_run_find(struct store *s, const char *job, struct store_hook_run *ret, struct wg_err *err);
/* Close as "unreported" the hook runs open past their expiry; *ret_n (may be NULL) says how many. Writes only when there are some. */
int store_job_runs_expire(struct store *s, int64_t now, int *ret_n, struct wg_err *err);
struct store_run_state {
	char job[STORE_NAME_MAX];
	bool open, hook;
	int64_t session; /* the session a runner's job runs in; -1 not known */
};

/* A run's job, whether it is open and whether a hook recorded it, and its session; -ENOENT when there is no such run. */
int store_job_run_state(struct store *s, int64_t id, struct store_run_state *ret, struct wg_err *err);
/* Note the session (and process group) a runner's job runs in: a gate from inside it is part of the run. */
int store_job_run_session_set(struct store *s, int64_t id, int64_t session, struct wg_err *err);

/*
 * When the newest heavy job on a drive ended (or started, if it never ended), and when the
 * newest successful backup touching it started; -1 when none. Up to until: a run stamped later
 * is not counted, and one that ended later counts as ending when it started.
 */
int store_last_jobs(struct store *s, int64_t drive_id, int64_t until, int64_t *ret_heavy_end, int64_t *ret_backup_ok,
		    struct wg_err *err);

#define STORE_KERNEL_LINE_MAX 512

/*
 * A line of the kernel's log about a drive: an I/O or ATA error on its disk, a partition of
 * it or a device stacked on it ("I/O error, dev sda, sector 2048 …"), seen at t while job run
 * `run` ran (-1: outside any run). The line is kept as the kernel wrote it, cut at
 * STORE_KERNEL_LINE_MAX - 1 bytes.
 */
struct store_kernel_error {
	int64_t drive_id;
	int64_t t;
	int64_t run_id; /* -1 when none */
	char line[STORE_KERNEL_LINE_MAX];
};
int store_kernel_error_add(struct store *s, int64_t drive_id, int64_t t, int64_t run, const char *line,
			   struct wg_err *err);
/* A drive's newest kernel error line; -ENOENT when it has none. */
int store_kernel_error_latest(struct store *s, int64_t drive_id, struct store_kernel_error *ret, struct wg_err *err);
/* Call cb for every kernel error line recorded during job run `run`, oldest first; cb returning < 0 stops. */
typedef int (*store_kernel_error_cb)(const struct store_kernel_error *e, void *userdata);
int store_foreach_kernel_error(struct store *s, int64_t run, store_kernel_error_cb cb, void *userdata,
			       struct wg_err *err);
/* The same for every line about a drive stamped within [since, until], in the order recorded. */
int store_foreach_drive_kernel_error(struct store *s, int64_t drive_id, int64_t since, int64_t until,
				     store_kernel_error_cb cb, void *userdata, struct wg_err *err);

/* A gate decision: the job, the verdict, the reason and each drive's state ("sda=degrading sdb=ok"). */
int store_decision_add(struct store *s, int64_t t, const char *job, const char *verdict, const char *reason,
		       const char *states, struct wg_err *err);

/* A drive's media counters in one sample; -1 unknown (or no sample). */
struct store_counts {
	int64_t reallocated, pending, offline_uncorrectable;
};

struct store_job_run_drive {
	int64_t drive_id;
	char name[STORE_NAME_MAX]; /* the name it was last sampled under; "" when never */
	int64_t sectors_read, sectors_written; /* during the run; -1 unknown */
	int64_t pass_before, pass_after;       /* the samples before and after; -1 none */
	struct store_counts before, after;     /* as those samples say */
};

struct store_job_run {
	int64_t id;
	char job[STORE_NAME_MAX];
	char class[16];
	int64_t started, ended; /* ended -1: running, or its runner died */
	char outcome[16];       /* "" while running */
	int exit_status;        /* -1 unknown */
	char verdict[48];
	char reason[512];
	char output[4097];      /* output_len bytes, the job's NUL bytes among them, then a NUL */
	size_t output_len;
	char origin[8];         /* who recorded it: "runner" (run, exec) or "hook" (gate --record, done) */
	size_t n_drives;
	struct store_job_run_drive drives[STORE_RUN_DRIVES_MAX];
};

/* Call cb for every job run that started within [since, until], oldest first; cb returning < 0 stops. */
typedef int (*store_job_run_cb)(const struct store_job_run *run, void *userdata);
int store_foreach_job_run(struct store *s, int64_t since, int64_t until, store_job_run_cb cb, void *userdata,
			  struct wg_err *err);

/* A gate decision as store_decision_add() recorded it. */
struct store_decision {
	int64_t id;
	int64_t t;
	char job[STORE_NAME_MAX];
	char verdict[32]; /* as the gate's line says it: "go (throttled)" */
	/* whole, as recorded; valid during the callback only: one that keeps them copies them */
	const char *reason;
	const char *states;
};

/* Call cb for every decision with since <= t <= until, oldest first; cb returning < 0 stops. */
typedef int (*store_decision_cb)(const struct store_decision *d, void *userdata);
int store_foreach_decision(struct store *s, int64_t since, int64_t until, store_decision_cb cb, void *userdata,
			   struct wg_err *err);

struct store_prune_stats {
	size_t samples; /* samples looked at, older than the cut */
	size_t removed; /* of those, thinned away */
};

/* What of a sample a prune must keep: the caller's numbers, compared from one sample to the next. */
#define STORE_KEY_MAX 16
typedef void (*store_sample_key_fn)(const struct smart_reading *r, int64_t key[STORE_KEY_MAX]);

/*
 * Thin the samples of the chunks that end before `before` to one per `thin_to` span, keeping
 * every sample whose key differs from the one before it (the health model's signs and the
 * reading's status: health_sample_key()) and every sample a job run points at. A batch at a
 * time (one drive's chunks holding some 200,000 samples), each a transaction of its own that
 * holds the write lock well under a second; then the freed pages are given back to the file
 * system. Job runs, decisions, signs and episodes are never touched.
 */
int store_prune(struct store *s, int64_t before, int64_t thin_to, store_sample_key_fn key, struct store_prune_stats *ret,
		struct wg_err *err);

/*
 * The drive database (borrowed, NULL for none). With one, a reading recorded whose drive has
 * no match for its firmware yet, or one made in another database than this one is now, is
 * matched and the match recorded with the pass. Without one (the gate), readings go by the
 * matches recorded, else by smartctl's defaults: the file is never read.
 */
void store_set_drivedb(struct store *s, struct drivedb_source *src);
/*
 * A reading that is not recorded (the history is read-only) gets the definitions recorded for
 * its drive (drive_id -1: none, a new drive) and firmware, else smartctl's defaults: r->defs.
 */
void store_reading_defs(struct store *s, int64_t drive_id, struct smart_reading *r);
/* The drive database entry recorded for a drive's firmware; -ENOENT when none is. */
int store_drive_match(struct store *s, int64_t drive_id, const char *firmware, struct drivedb_match *ret,
		      struct wg_err *err);

/* The newest committed pass; -ENOENT when there is none. */
int store_last_pass(struct store *s, int64_t *ret_id, int64_t *ret_t, struct wg_err *err);

/*
 * The sign log: each change of what the health model judges a drive by (health.h says what
 * the codes and values mean; the store only keeps them). Written in the transaction of the
 * pass that saw the change (or of store_transaction_begin()).
 */
struct store_sign {
	int code;
	int64_t t, t_prev; /* t_prev -1: none */
	int64_t from, to;  /* from -1: not known before */
};

int store_sign_add(struct store *s, int64_t drive_id, const struct store_sign *sg, struct wg_err *err);
typedef int (*store_sign_cb)(const struct store_sign *sg, void *userdata);
/*
 * The newest change (as recorded) stamped at or before until of each sign in codes, those
 * that have one, to cb; cb may use the store, but not ask for current signs again.
 */
int store_signs_current(struct store *s, int64_t drive_id, int64_t until, const int *codes, size_t n,
			store_sign_cb cb, void *userdata, struct wg_err *err);
/*
 * Every change of a drive with after < t <= until and a code below below_code, in the order
 * recorded. cb may use the store, but not walk the signs again.
 */
int store_foreach_sign(struct store *s, int64_t drive_id, int64_t after, int64_t until, int below_code,
		       store_sign_cb cb, void *userdata, struct wg_err *err);

/* An episode: a state a drive entered, when, and what opened it. */
struct store_episode {
	int64_t id, drive_id, start;
	char state[16];
	char sign[256];
	bool notified; /* the notify command heard of it, or there was none */
};

int store_episode_add(struct store *s, int64_t drive_id, const struct store_episode *e, struct wg_err *err);
/* The newest episode (as recorded) that started at or before until; -ENOENT when none. */
int store_episode_current(struct store *s, int64_t drive_id, int64_t until, struct store_episode *ret,
			  struct wg_err *err);
/* Every episode of a drive that started within [since, until], in the order recorded. */
typedef int (*store_episode_cb)(const struct store_episode *e, void *userdata);
int store_foreach_episode(struct store *s, int64_t drive_id, int64_t since, int64_t until, store_episode_cb cb,
			  void *userdata, struct wg_err *err);
int store_episode_set_notified(struct store *s, int64_t id, struct wg_err *err);
/* Every episode not yet told (notified false), of every drive, in the order recorded. */
int store_foreach_episode_untold(struct store *s, store_episode_cb cb, void *userdata, struct wg_err *err);
/* The name a drive was last sampled under; -ENOENT when never. */
int store_drive_name(struct store *s, int64_t drive_id, char *buf, size_t len, struct wg_err *err);
/* Forget the episodes (and with episodes_only false the sign log too), to record them anew. */
int store_signs_clear(struct store *s, bool episodes_only, struct wg_err *err);

/* Small settings of the history itself ("signs": what the sign log and episodes were recorded under); -ENOENT. */
int store_meta_get(struct store *s, const char *key, char *buf, size_t len, struct wg_err *err);
int store_meta_set(struct store *s, const char *key, const char *value, struct wg_err *err);

/* Every drive the history knows, by id. */
int store_drive_ids(struct store *s, int64_t **ret_ids, size_t *ret_n, struct wg_err *err);

/* What is stamped later than now: a clock that was set ahead. Counts, and the newest of each. */
struct store_ahead {
	int64_t samples, newest_sample;     /* passes */
	int64_t runs, newest_run;           /* job runs that started or ended later */
	int64_t decisions, newest_decision;
};

int store_ahead_of(struct store *s, int64_t now, struct store_ahead *ret, struct wg_err *err);

/* Every pass stamped before the pass recorded before it, within [since, until]: when, and from when the clock went back. */
typedef int (*store_clock_step_cb)(int64_t t, int64_t back_from, void *userdata);
int store_foreach_clock_step(struct store *s, int64_t since, int64_t until, store_clock_step_cb cb, void *userdata,
			     struct wg_err *err);

/*
 * A SMART self-test weargate ran on a drive during job run run_id: which (short, long,
 * conveyance), when it started and ended (-1: not yet, or its runner died), how it ended
 * ("passed", "failed", "aborted", "interrupted", "unknown", "not started"; "" while it runs),
 * the self-test execution status byte last read (-1 unknown), and why in words.
 */
struct store_self_test {
	int64_t run_id, drive_id;
	char test[16];
	int64_t started, ended;
	char result[16];
	int status;
	char detail[256];
};

/* Record a self-test as it stands: the first call adds it, later ones update its end. */
int store_self_test_set(struct store *s, const struct store_self_test *t, struct wg_err *err);
/*
 * A drive's newest self-test that started at or before until (ended_only: that has a result,
 * other than "not started"); -ENOENT when none.
 */
int store_self_test_latest(struct store *s, int64_t drive_id, int64_t until, bool ended_only,
			   struct store_self_test *ret, struct wg_err *err);
typedef int (*store_self_test_cb)(const struct store_self_test *t, void *userdata);
/* Every self-test of a job run, by drive. */
int store_foreach_self_test(struct store *s, int64_t run_id, store_self_test_cb cb, void *userdata,
			    struct wg_err *err);
/* When the newest successful run of a job that started at or before until started; -ENOENT when none. */
int store_job_last_success(struct store *s, const char *job, int64_t until, int64_t *ret_started, struct wg_err *err);

/*
 * Import what another tool kept of drives' histories (smartd's attribute logs, smartctl's
 * reports): one transaction, begun, filled and ended (r < 0 rolls it back). A sample is added
 * only where its drive has none: before the first sample weargate read itself, and outside the
 * span of every chunk it already has; so importing the same again adds nothing. Imported
 * samples sort before weargate's own, by time. An import that added any marks the sign log and
 * episodes to be recorded anew (meta 'episodes'): track_store_ready() does it.
 */
int store_import_begin(struct store *s, struct wg_err *err);
/*
 * The drive of an imported history: the one with that model and serial (compared as smartd
 * writes them in its file names when as_smartd), else a new one first seen at first_seen. Its
 * name (as last sampled, else `name`), model and serial as recorded, and its firmware as
 * weargate last read it ("" none).
 */
int store_import_drive(struct store *s, const char *model, const char *serial, bool as_smartd, const char *name,
		       int64_t first_seen, int64_t *ret_drive, char *ret_name, size_t name_len, char ret_model[41],
		       char ret_serial[21], char *ret_firmware, size_t fw_len, struct wg_err *err);
/* One sample of drive at t, under name: 1 added, 0 not (the drive has one there). */
int store_import_sample(struct store *s, int64_t drive, const char *name, int64_t t, struct smart_reading *r,
			struct wg_err *err);
int store_import_end(struct store *s, int r, struct wg_err *err);

/*
 * A read of the caller's own: the statements until store_read_end() see one state of the
 * history, and take the log's read lock once instead of once each. Returns 1 when it began one,
 * 0 when a transaction was already open (its end is then that transaction's), or an error.
 * Nothing may be written until it ends.
 */
int store_read_begin(struct store *s, struct wg_err *err);
/* Ends what store_read_begin() returned 1 for; began is that return value. */
void store_read_end(struct store *s, int began);

/* A write of the caller's own: everything until the end in one transaction; end(r < 0) rolls it back. */
int store_transaction_begin(struct store *s, struct wg_err *err);
int store_transaction_end(struct store *s, int r, struct wg_err *err);

#endif
