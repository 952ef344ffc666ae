/* track.h — each drive's health track in the history: read as of a time, kept by every recorded pass, recorded anew when the rules change */
#ifndef WEARGATE_TRACK_H
#define WEARGATE_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "health.h"
#include "store.h"

/*
 * Make the history's sign log and episodes fit to be read: after a migration, or when the
 * policy's numbers changed, they are recorded anew from the samples (one transaction). A store
 * that may not be written (writable false) is left as it is: -EPROTO when the sign log is yet
 * to be recorded, else track_load() works around an old policy by itself.
 */
int track_store_ready(struct store *s, const struct policy *p, bool writable, struct wg_err *err);

/* Record the sign log and the episodes anew from every sample of every drive, in one transaction. */
int track_rebuild(struct store *s, const struct policy *p, struct wg_err *err);

/*
 * The track of drive_id as of now: the sign log and episodes up to now (anything stamped later,
 * by a clock set ahead, is passed over), and when its newest sample was taken. Episodes
 * recorded under another policy (read-only) are replayed from the sign log here.
 */
int track_load(struct store *s, const struct policy *p, int64_t drive_id, int64_t now, struct health_track *ret,
	       struct wg_err *err);
/*
 * The same, for a caller that read when the drive's newest sample up to now was taken, in the
 * same read of the history (a gate: store_brief's drive_t); -1 when it did not.
 */
int track_load_latest(struct store *s, const struct policy *p, int64_t drive_id, int64_t now, int64_t last_t,
		      struct health_track *ret, struct wg_err *err);
/* The same, as it stood before pass before_pass was recorded: for recording the passes anew. */
int track_load_before(struct store *s, const struct policy *p, int64_t drive_id, int64_t now, int64_t before_pass,
		      struct health_track *ret, struct wg_err *err);

/*
 * Mark the readings of a pass that report the same model and serial as another one of it as
 * READING_DUPLICATE, naming the other drive: one disk configured twice, or bridges that hide
 * their disks' identities. Their histories cannot be told apart, so neither is recorded as that
 * disk. Returns how many were marked.
 */
size_t track_mark_duplicates(const char *const *names, struct smart_reading *readings, size_t n);

/* What a recorded pass left of one drive. */
struct track_result {
	int64_t drive_id;
	int64_t pass_id;
	struct health_track track; /* as of the pass: health_track_release() it */
};

/*
 * Record one sampling pass at now: readings[i] of the drive configured as names[i] (duplicates
 * marked first), each with the sign changes and episodes it makes, in one transaction. notified
 * false leaves the new episodes for the notify command (there is one, and the caller will not
 * tell it). ret (n entries, may be NULL) gets each drive's track after the pass.
 */
int track_record_pass(struct store *s, const struct policy *p, int64_t now, const char *const *names,
		      struct smart_reading *readings, size_t n, bool notified, struct track_result *ret,
		      struct wg_err *err);

/*
 * Record a kernel I/O error line about drive_id seen at t (during job run `run`, -1 none), and
 * what it does to the drive's signs and episodes (at least degrading for kernel_quiet), in one
 * transaction.
 */
int track_record_kernel_error(struct store *s, const struct policy *p, int64_t drive_id, int64_t t, int64_t run,
			      const char *line, bool notified, struct wg_err *err);

#endif
