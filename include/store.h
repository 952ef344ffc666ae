/* store.h — the SMART history in one SQLite file (the only user of sqlite3) */
#ifndef WEARGATE_STORE_H
#define WEARGATE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "smart.h"
#include "util.h"

#define STORE_DEFAULT_PATH "/var/lib/weargate/history.db"
#define STORE_NAME_MAX 64

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
 * Durable (the default): a committed pass survives a power loss. Not durable is for bulk
 * loads (benchmarks, imports): a crash then may lose the latest passes, never corrupt older ones.
 */
int store_set_durable(struct store *s, bool durable, struct wg_err *err);

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
 * under `name`, or a placeholder for `name` when there is none.
 */
int store_pass_add(struct store *s, const char *name, const struct smart_reading *r, struct wg_err *err);
int store_pass_commit(struct store *s, struct wg_err *err);
void store_pass_abort(struct store *s);

struct store_sample {
	int64_t drive_id;
	int64_t pass_id;
	int64_t t; /* UTC epoch seconds of the pass */
	char name[STORE_NAME_MAX];
	struct smart_reading reading; /* reconstructed exactly as it was added */
};

/* The latest sample taken under `name` of the drive that is there now; -ENOENT when none. */
int store_latest_by_name(struct store *s, const char *name, struct store_sample *ret, struct wg_err *err);
/* One sample, reconstructed; -ENOENT when that drive was not sampled in that pass. */
int store_sample_get(struct store *s, int64_t drive_id, int64_t pass_id, struct store_sample *ret,
		     struct wg_err *err);

/* Call cb for every sample of a drive with since <= t <= until, oldest first; cb returning < 0 stops. */
typedef int (*store_sample_cb)(const struct store_sample *sample, void *userdata);
int store_foreach_sample(struct store *s, int64_t drive_id, int64_t since, int64_t until, store_sample_cb cb,
			 void *userdata, struct wg_err *err);

/* The newest committed pass; -ENOENT when there is none. */
int store_last_pass(struct store *s, int64_t *ret_id, int64_t *ret_t, struct wg_err *err);

#endif
