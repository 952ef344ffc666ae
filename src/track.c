/* track.c — each drive's health track in the history: read as of a time, kept by every recorded pass, recorded anew when the rules change */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "track.h"

/*
 * meta 'episodes': the policy fingerprint the episodes were recorded under, or "rebuild" while
 * the sign log is yet to be recorded from the samples (a migration made the tables).
 */
#define META_KEY "episodes"
#define META_REBUILD "rebuild"
/* the windowed signs' codes are all below this: the media counters (attribute ids) and the kernel's (260) */
#define CODE_WINDOWED_END 261
/* all of history: an INT64_MIN would overflow the range arithmetic of the queries */
#define TIME_MIN (-(INT64_C(1) << 62))
#define TIME_MAX (INT64_C(1) << 62)

/* What the history's episodes were recorded under: "" when it does not say. */
static int recorded_under(struct store *s, char *buf, size_t len, struct wg_err *err)
{
	int r = store_meta_get(s, META_KEY, buf, len, err);

	if (r == -ENOENT)
		buf[0] = '\0', r = 0;
	return r;
}

static struct health_change change_of(const struct store_sign *sg, unsigned sign)
{
	return (struct health_change){ .sign = sign, .t = sg->t, .t_prev = sg->t_prev, .from = sg->from, .to = sg->to };
}

static struct store_sign sign_of(const struct health_change *c)
{
	return (struct store_sign){
		.code = health_sign_code(c->sign), .t = c->t, .t_prev = c->t_prev, .from = c->from, .to = c->to,
	};
}

/* Replaying the sign log: changes gathered by time, fed a sample's worth at a time. */
struct replay {
	const struct policy *p;
	struct health_track tr;
	struct health_change *batch;
	size_t n, cap;
	struct health_log *log;
	int r;
};

static int replay_flush(struct replay *x)
{
	int r = 0;

	if (x->n)
		r = health_track_replay(x->p, &x->tr, x->batch, x->n, x->log);
	x->n = 0;
	return r;
}

static int on_replay_sign(const struct store_sign *sg, void *userdata)
{
	struct replay *x = userdata;
	int sign = health_sign_from_code(sg->code);
	int r;

	if (sign < 0)
		return 0; /* a sign of a newer weargate: not one this model judges by */
	/* a sample's changes go together; the kernel's word came between samples, on its own */
	if (x->n && (x->batch[0].t != sg->t || sign == HEALTH_SIGN_KERNEL || x->batch[0].sign == HEALTH_SIGN_KERNEL) &&
	    (r = replay_flush(x)) < 0)
		return r;
	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 16;
		struct health_change *b = realloc(x->batch, cap * sizeof(*b));

		if (!b)
			return -ENOMEM;
		x->batch = b;
		x->cap = cap;
	}
	x->batch[x->n++] = change_of(sg, (unsigned)sign);
	return 0;
}

/*
 * The episodes of a drive under policy p, from its sign log up to until and the windows' moves
 * up to its newest sample at latest, into log and the track's episode (ret).
 */
static int replay_drive(struct store *s, const struct policy *p, int64_t drive, int64_t until, int64_t latest,
			struct health_log *log, struct health_track *ret, struct wg_err *err)
{
	struct replay x = { .p = p, .log = log };
	int r;

	health_track_init(&x.tr);
	r = store_foreach_sign(s, drive, TIME_MIN, until, INT32_MAX, on_replay_sign, &x, err);
	if (r >= 0)
		r = replay_flush(&x);
	if (r >= 0)
		r = health_track_advance(p, &x.tr, latest, log);
	if (r == -ENOMEM)
		wg_err_set(err, r, "out of memory");
	if (r >= 0 && ret) {
		ret->episode = x.tr.episode;
		ret->episode_at = x.tr.episode_at;
	}
	health_track_release(&x.tr);
	free(x.batch);
	return r;
}

static int take_first_line(const struct store_kernel_error *e, void *userdata)
{
	wg_strlcpy(userdata, e->line, sizeof(((struct health_track *)0)->kernel_line));
	return -ECANCELED; /* the first is all */
}

/*
 * The first kernel line of the newest stretch of errors (each within kernel_quiet of the one
 * before), and when: what the reason of a drive the kernel fails on quotes.
 */
static int kernel_line_load(struct store *s, const struct policy *p, int64_t drive, int64_t now,
			    struct health_track *tr, struct wg_err *err)
{
	int64_t start = -1;
	int r;

	for (size_t i = tr->n_recent; i-- > 0;) {
		const struct health_change *c = &tr->recent[i];

		if (c->sign != HEALTH_SIGN_KERNEL)
			continue;
		if (start >= 0 && c->t < start - p->kernel_quiet)
			break;
		start = c->t;
	}
	if (start < 0)
		return 0;
	tr->kernel_since = start;
	r = store_foreach_drive_kernel_error(s, drive, start, now, take_first_line, tr->kernel_line, err);
	return r == -ECANCELED ? 0 : r;
}

static int on_current(const struct store_sign *sg, void *userdata)
{
	int sign = health_sign_from_code(sg->code);
	struct health_change c;

	if (sign >= 0) {
		c = change_of(sg, (unsigned)sign);
		health_track_set_current(userdata, &c);
	}
	return 0;
}

static int on_recent(const struct store_sign *sg, void *userdata)
{
	int sign = health_sign_from_code(sg->code);
	struct health_change c;

	if (sign < 0)
		return 0;
	c = change_of(sg, (unsigned)sign);
	return health_track_push_recent(userdata, &c);
}

static int track_load_from(struct store *s, const struct policy *p, int64_t drive, int64_t now, int64_t before_pass,
			   int64_t last_t, struct health_track *ret, struct wg_err *err);

int track_load(struct store *s, const struct policy *p, int64_t drive, int64_t now, struct health_track *ret,
	       struct wg_err *err)
{
	return track_load_from(s, p, drive, now, INT64_MAX, -1, ret, err);
}

int track_load_latest(struct store *s, const struct policy *p, int64_t drive, int64_t now, int64_t last_t,
		      struct health_track *ret, struct wg_err *err)
{
	return track_load_from(s, p, drive, now, INT64_MAX, last_t, ret, err);
}

int track_load_before(struct store *s, const struct policy *p, int64_t drive, int64_t now, int64_t before_pass,
		      struct health_track *ret, struct wg_err *err)
{
	return track_load_from(s, p, drive, now, before_pass, -1, ret, err);
}

/* last_t: when the drive's newest sample up to now (before before_pass) was taken; -1 to look it up */
static int track_load_from(struct store *s, const struct policy *p, int64_t drive, int64_t now, int64_t before_pass,
			   int64_t last_t, struct health_track *ret, struct wg_err *err)
{
	char fp[256], recorded[256] = "";
	struct store_episode *e = NULL;
	const struct health_current *usable;
	int codes[_HEALTH_SIGN_MAX];
	int r = 0;

	health_track_init(ret);
	ret->last_t = last_t;
	if (last_t < 0)
		r = store_drive_latest_t(s, drive, now, before_pass, &ret->last_t, err);
	if (r == -ENOENT)
		return 0;
	for (unsigned sign = 0; sign < _HEALTH_SIGN_MAX; sign++)
		codes[sign] = health_sign_code(sign);
	r = store_signs_current(s, drive, now, codes, _HEALTH_SIGN_MAX, on_current, ret, err);
	if (r < 0)
		goto fail;
	/* every sample went through the sign log: it says whether the newest one was usable, and when the last usable one was */
	usable = &ret->cur[HEALTH_SIGN_USABLE];
	ret->last_usable_t = usable->value == 1 ? ret->last_t : usable->value == 0 ? usable->t_prev : -1;
	if (ret->last_usable_t >= 0) {
		int64_t after = ret->last_usable_t - health_track_lookback(p), newest = -1;

		/* a drive whose counters last moved before the windows reach (most) has no recent change to read */
		for (size_t m = 0; m < health_n_media; m++)
			if (ret->cur[m].since > newest)
				newest = ret->cur[m].since;
		if (ret->cur[HEALTH_SIGN_KERNEL].since > newest)
			newest = ret->cur[HEALTH_SIGN_KERNEL].since;
		if (newest > after)
			r = store_foreach_sign(s, drive, after, now, CODE_WINDOWED_END, on_recent, ret, err);
		/* the kernel's first line of its newest stretch of errors, which a reason quotes */
		if (r >= 0 && ret->cur[HEALTH_SIGN_KERNEL].since > after)
			r = kernel_line_load(s, p, drive, now, ret, err);
	}
	if (r == -ENOMEM)
		wg_err_set(err, r, "out of memory");
	if (r < 0)
		goto fail;
	policy_fingerprint(p, fp, sizeof(fp));
	r = recorded_under(s, recorded, sizeof(recorded), err);
	if (r < 0)
		goto fail;
	if (strcmp(recorded, META_REBUILD) == 0) {
		r = wg_err_set(err, -EPROTO,
			       "the history's states are yet to be recorded from its samples: 'weargate sample' does it");
		goto fail;
	}
	/* recorded under another policy (the caller may not write the history): replay them under this one */
	if (recorded[0] && strcmp(recorded, fp) != 0) {
		r = replay_drive(s, p, drive, now, ret->last_t, NULL, ret, err);
		if (r < 0)
			goto fail;
		return 0;
	}
	e = malloc(sizeof(*e));
	if (!e) {
		r = wg_err_set(err, -ENOMEM, "out of memory");
		goto fail;
	}
	r = store_episode_current(s, drive, now, e, err);
	if (r == 0 && health_state_from_string(e->state, &ret->episode.state) == 0) {
		ret->episode.start = e->start;
		wg_strlcpy(ret->episode.sign, e->sign, sizeof(ret->episode.sign));
	} else if (r == -ENOENT || r == 0) {
		r = 0; /* none yet, or of a state this weargate does not know */
	}
	free(e);
	if (r < 0)
		goto fail;
	/*
	 * The recorder moved the episodes on at every sample: they are known up to the newest one,
	 * or up to the start of the one recorded last (after the clock went back, that is later).
	 */
	ret->episode_at = ret->last_t > ret->episode.start ? ret->last_t : ret->episode.start;
	return 0;
fail:
	health_track_release(ret);
	return r;
}

static int write_log(struct store *s, int64_t drive, const struct health_log *log, bool notified, struct wg_err *err)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < log->n_changes; i++) {
		struct store_sign sg = sign_of(&log->changes[i]);

		r = store_sign_add(s, drive, &sg, err);
	}
	for (size_t i = 0; r >= 0 && i < log->n_episodes; i++) {
		struct store_episode e = { .start = log->episodes[i].start, .notified = notified };

		wg_strlcpy(e.state, health_state_to_string(log->episodes[i].state), sizeof(e.state));
		wg_strlcpy(e.sign, log->episodes[i].sign, sizeof(e.sign));
		r = store_episode_add(s, drive, &e, err);
	}
	return r;
}

static void log_clear(struct health_log *log)
{
	log->n_changes = log->n_episodes = 0;
}

static bool same_disk(const struct smart_reading *a, const struct smart_reading *b)
{
	return a->identity_valid && b->identity_valid && strcmp(a->identity.model, b->identity.model) == 0 &&
	       strcmp(a->identity.serial, b->identity.serial) == 0;
}

size_t track_mark_duplicates(const char *const *names, struct smart_reading *readings, size_t n)
{
	size_t *twin = malloc((n ? n : 1) * sizeof(*twin)), marked = 0;

	if (!twin)
		return 0;
	/* first find each one's twin, then mark: a mark must not hide a pair from the search */
	for (size_t i = 0; i < n; i++) {
		twin[i] = n;
		for (size_t j = 0; j < n && twin[i] == n; j++)
			if (j != i && same_disk(&readings[i], &readings[j]))
				twin[i] = j;
	}
	for (size_t i = 0; i < n; i++) {
		if (twin[i] == n)
			continue;
		readings[i].status = READING_DUPLICATE;
		snprintf(readings[i].reason, sizeof(readings[i].reason),
			 "reports the same model and serial as drive '%s': one disk configured twice, or bridges that "
			 "hide their disks' identities",
			 names[twin[i]]);
		marked++;
	}
	free(twin);
	return marked;
}

int track_record_pass(struct store *s, const struct policy *p, int64_t now, const char *const *names,
		      struct smart_reading *readings, size_t n, bool notified, struct track_result *ret,
		      struct wg_err *err)
{
	struct health_log log = { 0 };
	size_t done = 0;
	int r;

	track_mark_duplicates(names, readings, n);
	r = store_pass_begin(s, now, err);
	for (; r >= 0 && done < n; done++) {
		struct track_result *out = ret ? &ret[done] : NULL;
		struct health_track tr;
		struct health_point pt;
		int64_t drive = -1;
		bool usable = readings[done].status == READING_OK;

		/* the drive's track as it stood before this pass: a new drive has none */
		r = store_drive_of(s, names[done], &readings[done], &drive, err);
		if (r == -ENOENT)
			health_track_init(&tr), r = 0;
		else if (r >= 0)
			r = track_load(s, p, drive, now, &tr, err);
		if (r < 0)
			break;
		/* recorded first: the store attaches the drive's attribute definitions, which the signs are read with */
		r = store_pass_record(s, names[done], &readings[done], &drive, err);
		if (r < 0) {
			health_track_release(&tr);
			break;
		}
		if (usable)
			health_point_from_reading(&readings[done], now, &pt);
		log_clear(&log);
		r = health_track_add(p, &tr, now, usable ? &pt : NULL, &log);
		if (r < 0)
			r = wg_err_set(err, r, "out of memory");
		if (r >= 0)
			r = write_log(s, drive, &log, notified, err);
		if (r >= 0 && out) {
			out->drive_id = drive;
			out->pass_id = store_pass_id(s);
			out->track = tr;
		} else {
			health_track_release(&tr);
		}
	}
	health_log_release(&log);
	if (r >= 0)
		r = store_pass_commit(s, err);
	else
		store_pass_abort(s);
	if (r < 0 && ret) {
		for (size_t i = 0; i < done; i++)
			health_track_release(&ret[i].track);
		memset(ret, 0, n * sizeof(*ret));
	}
	return r;
}

int track_record_kernel_error(struct store *s, const struct policy *p, int64_t drive, int64_t t, int64_t run,
			      const char *line, bool notified, struct wg_err *err)
{
	struct health_log log = { 0 };
	struct health_track tr;
	int r = store_transaction_begin(s, err);

	if (r < 0)
		return r;
	health_track_init(&tr);
	r = store_kernel_error_add(s, drive, t, run, line, err);
	if (r >= 0)
		r = track_load(s, p, drive, t, &tr, err);
	if (r >= 0 && health_track_note_kernel(p, &tr, t, 1, line, &log) < 0)
		r = wg_err_set(err, -ENOMEM, "out of memory");
	if (r >= 0)
		r = write_log(s, drive, &log, notified, err);
	health_track_release(&tr);
	health_log_release(&log);
	return store_transaction_end(s, r, err);
}

/* The walk of one drive's samples, recording its sign log and episodes. */
struct rebuild {
	struct store *s;
	const struct policy *p;
	int64_t drive;
	struct health_track tr;
	struct health_point pt;
	bool pt_valid; /* pt is the previous sample's, and it was usable */
	struct health_log log;
	/* the kernel's error lines about the drive, taken in between its samples as they were then */
	struct store_kernel_error *kernel;
	size_t n_kernel, cap_kernel, kernel_done;
	struct wg_err *err;
};

static int keep_kernel_error(const struct store_kernel_error *e, void *userdata)
{
	struct rebuild *b = userdata;

	if (b->n_kernel == b->cap_kernel) {
		size_t cap = b->cap_kernel ? 2 * b->cap_kernel : 16;
		struct store_kernel_error *v = realloc(b->kernel, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		b->kernel = v;
		b->cap_kernel = cap;
	}
	b->kernel[b->n_kernel++] = *e;
	return 0;
}

/* The kernel's lines stamped at or before t that are yet to be taken in. */
static int rebuild_kernel(struct rebuild *b, int64_t t)
{
	int r = 0;

	for (; r >= 0 && b->kernel_done < b->n_kernel && b->kernel[b->kernel_done].t <= t; b->kernel_done++)
		r = health_track_note_kernel(b->p, &b->tr, b->kernel[b->kernel_done].t, 1, b->kernel[b->kernel_done].line,
					     &b->log);
	return r < 0 ? wg_err_set(b->err, r, "out of memory") : 0;
}

static int rebuild_flush(struct rebuild *b)
{
	int r = write_log(b->s, b->drive, &b->log, true, b->err);

	log_clear(&b->log);
	return r;
}

static int on_rebuild_sample(const struct store_sample *sample, void *userdata)
{
	struct rebuild *b = userdata;
	bool usable = sample->reading.status == READING_OK;
	int r;

	/*
	 * The clock went back: as a pass recorded then did, take the track as it stood at that
	 * time, without what was stamped later (already written: flush first).
	 */
	if (b->tr.last_t >= 0 && sample->t < b->tr.last_t) {
		r = rebuild_flush(b);
		health_track_release(&b->tr);
		if (r >= 0)
			r = track_load_before(b->s, b->p, b->drive, sample->t, sample->pass_id, &b->tr, b->err);
		if (r < 0)
			return r;
		b->pt_valid = false;
	}
	r = rebuild_kernel(b, sample->t);
	if (r < 0)
		return r;
	/* the same reading as the sample before: only its time is new */
	if (usable && !(sample->unchanged && b->pt_valid))
		health_point_from_reading(&sample->reading, sample->t, &b->pt);
	b->pt.t = sample->t;
	b->pt_valid = usable;
	r = health_track_add(b->p, &b->tr, sample->t, usable ? &b->pt : NULL, &b->log);
	if (r < 0)
		return wg_err_set(b->err, r, "out of memory");
	if (b->log.n_changes + b->log.n_episodes >= 1024)
		r = rebuild_flush(b);
	return r;
}

/* force false: another writer may have done it meanwhile, which is looked at once the write lock is held */
static int rebuild(struct store *s, const struct policy *p, bool force, struct wg_err *err)
{
	char fp[256], recorded[256];
	int64_t *ids = NULL;
	size_t n = 0;
	int r;

	r = store_transaction_begin(s, err);
	if (r < 0)
		return r;
	policy_fingerprint(p, fp, sizeof(fp));
	if (!force && (r = recorded_under(s, recorded, sizeof(recorded), err)) >= 0 && strcmp(recorded, fp) == 0)
		return store_transaction_end(s, 0, err);
	if (r >= 0)
		r = store_signs_clear(s, false, err);
	if (r >= 0)
		r = store_drive_ids(s, &ids, &n, err);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		struct rebuild b = { .s = s, .p = p, .drive = ids[i], .err = err };

		health_track_init(&b.tr);
		r = store_foreach_drive_kernel_error(s, ids[i], TIME_MIN, TIME_MAX, keep_kernel_error, &b, err);
		if (r == -ENOMEM)
			wg_err_set(err, r, "out of memory");
		if (r >= 0)
			r = store_foreach_sample(s, ids[i], TIME_MIN, TIME_MAX, on_rebuild_sample, &b, err);
		if (r >= 0)
			r = rebuild_kernel(&b, TIME_MAX);
		if (r >= 0)
			r = rebuild_flush(&b);
		health_track_release(&b.tr);
		health_log_release(&b.log);
		free(b.kernel);
	}
	free(ids);
	if (r >= 0)
		r = store_meta_set(s, META_KEY, fp, err);
	return store_transaction_end(s, r, err);
}

int track_rebuild(struct store *s, const struct policy *p, struct wg_err *err)
{
	return rebuild(s, p, true, err);
}

int track_store_ready(struct store *s, const struct policy *p, bool writable, struct wg_err *err)
{
	char fp[256], recorded[256] = "";
	int r = recorded_under(s, recorded, sizeof(recorded), err);

	if (r < 0)
		return r;
	policy_fingerprint(p, fp, sizeof(fp));
	if (strcmp(recorded, fp) == 0)
		return 0;
	if (!writable)
		return strcmp(recorded, META_REBUILD) == 0
			       ? wg_err_set(err, -EPROTO,
					    "the history's states are yet to be recorded from its samples: 'weargate "
					    "sample' does it")
			       : 0;
	/* a new history records under this policy from its first pass */
	if (!recorded[0])
		return store_meta_set(s, META_KEY, fp, err);
	/*
	 * After a migration, or under new numbers, the states are recorded anew from the samples
	 * and the kernel's lines (about a second for five years of 24 drives): exactly as the
	 * passes would have recorded them.
	 */
	return rebuild(s, p, false, err);
}
