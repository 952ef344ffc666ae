/* gate.c — what the history says about drives and jobs: facts gathered from the store for the policy */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "resolve.h"
#include "sampler.h"
#include "track.h"

/* The newest usable sample, for heat and a running self-test: only one young enough is looked for. */
struct usable_point {
	struct health_point *point;
	bool found;
};

static int keep_point(const struct store_sample *sample, void *userdata)
{
	struct usable_point *u = userdata;

	if (sample->reading.status == READING_OK) {
		health_point_from_reading(&sample->reading, sample->t, u->point);
		u->found = true;
	}
	return 0;
}

/* Step one for a drive: its newest sample up to now, and the newest usable one within sample_max_age. */
static int load_latest(struct store *s, const struct policy *p, const struct drive_cfg *d, int64_t now,
		       struct drive_health *ret, struct wg_err *err);

/*
 * The same for a gate, which needs of a usable newest sample only its time, pass, heat and
 * self-test: those the chunk's row keeps, and the sample is not decoded. latest then holds no
 * more of the reading than its status (latest_brief).
 */
static int load_latest_brief(struct store *s, const struct policy *p, const struct drive_cfg *d, int64_t now,
			     struct drive_health *ret, struct wg_err *err)
{
	struct store_brief b;
	int r = store_latest_brief(s, d->name, now, &b, err);

	if (r < 0 && r != -ENOENT)
		return r;
	if (r == -ENOENT || b.status != READING_OK)
		return load_latest(s, p, d, now, ret, err);
	memset(ret, 0, sizeof(*ret));
	ret->drive = d;
	health_track_init(&ret->track);
	ret->latest = calloc(1, sizeof(*ret->latest));
	if (!ret->latest)
		return wg_err_set(err, -ENOMEM, "out of memory");
	ret->latest->drive_id = b.drive_id;
	ret->latest->pass_id = b.pass_id;
	ret->latest->t = b.t;
	ret->latest->reading.status = READING_OK;
	wg_strlcpy(ret->latest->name, d->name, sizeof(ret->latest->name));
	ret->latest_brief = true;
	ret->sampled = true;
	ret->drive_id = b.drive_id;
	ret->drive_t = b.drive_t;
	health_point_from_brief(b.t, b.temperature_c, b.self_test, &ret->point);
	ret->have_point = now - b.t <= p->sample_max_age;
	return 0;
}

static int load_latest(struct store *s, const struct policy *p, const struct drive_cfg *d, int64_t now,
		       struct drive_health *ret, struct wg_err *err)
{
	struct usable_point u;
	int r;

	memset(ret, 0, sizeof(*ret));
	ret->drive = d;
	ret->drive_id = -1;
	ret->drive_t = -1;
	health_track_init(&ret->track);
	ret->latest = malloc(sizeof(*ret->latest));
	if (!ret->latest)
		return wg_err_set(err, -ENOMEM, "out of memory");
	r = store_latest_upto(s, d->name, now, ret->latest, err);
	if (r == -ENOENT) {
		free(ret->latest);
		ret->latest = NULL;
		return 0;
	}
	if (r < 0) {
		free(ret->latest);
		ret->latest = NULL;
		return r;
	}
	ret->sampled = true;
	ret->drive_id = ret->latest->drive_id;
	if (ret->latest->reading.status == READING_OK) {
		health_point_from_reading(&ret->latest->reading, ret->latest->t, &ret->point);
		ret->have_point = now - ret->latest->t <= p->sample_max_age;
		return 0;
	}
	/* standby or unreadable now: the last good values count while they are young enough */
	u = (struct usable_point){ .point = &ret->point };
	r = store_foreach_sample(s, ret->drive_id, now - p->sample_max_age, ret->latest->t, keep_point, &u, err);
	ret->have_point = u.found;
	return r;
}

void drive_health_assess(const struct policy *p, struct drive_health *h, int64_t now)
{
	const struct store_sample *l = h->latest;
	struct health_now in = {
		.sampled = h->sampled,
		.latest_t = l ? l->t : 0,
		.latest_status = l ? l->reading.status : READING_ERROR,
		.latest_reason = l ? l->reading.reason : NULL,
		.duplicate = l && l->reading.status == READING_DUPLICATE,
		.latest_usable = h->have_point ? &h->point : NULL,
	};

	health_assess(p, &h->track, &in, now, &h->health);
}

int drive_health_load(struct store *s, const struct policy *p, const struct drive_cfg *d, int64_t now,
		      struct drive_health *ret, struct wg_err *err)
{
	int r = load_latest(s, p, d, now, ret, err);

	if (r >= 0 && ret->drive_id >= 0)
		r = track_load(s, p, ret->drive_id, now, &ret->track, err);
	if (r < 0) {
		drive_health_release(ret);
		return r;
	}
	drive_health_assess(p, ret, now);
	return 0;
}

/* A standby or unreadable drive shows its last good values, as long as they are this recent. */
#define USABLE_LOOKBACK (7 * 86400)

struct usable_walk {
	struct store_sample *sample;
	bool found;
};

static int keep_usable(const struct store_sample *s, void *userdata)
{
	struct usable_walk *w = userdata;

	if (s->reading.status == READING_OK) {
		*w->sample = *s;
		w->found = true;
	}
	return 0;
}

int drive_usable_sample(struct store *s, const struct store_sample *latest, struct store_sample *ret,
			bool *ret_found, struct wg_err *err)
{
	struct usable_walk w = { .sample = ret };
	int r = 0;

	if (latest->reading.status == READING_OK) {
		*ret = *latest;
		w.found = true;
	} else {
		r = store_foreach_sample(s, latest->drive_id, latest->t - USABLE_LOOKBACK, latest->t, keep_usable, &w,
					 err);
	}
	*ret_found = w.found;
	return r;
}

int drive_sample_match(struct store *s, const struct store_sample *x, struct drivedb_match **ret, struct wg_err *err)
{
	struct drivedb_match *m;
	int r;

	*ret = NULL;
	if (!x->reading.identity_valid)
		return 0;
	m = malloc(sizeof(*m));
	if (!m)
		return wg_err_set(err, -ENOMEM, "out of memory");
	r = store_drive_match(s, x->drive_id, x->reading.identity.firmware, m, err);
	if (r < 0) {
		free(m);
		return r == -ENOENT ? 0 : r;
	}
	*ret = m;
	return 0;
}

void drive_health_release(struct drive_health *h)
{
	if (!h)
		return;
	free(h->latest);
	h->latest = NULL;
	health_track_release(&h->track);
}

/* A drive's newest sample is the reading taken now: recorded as pass pass_id, or not recorded (-1). */
static int take_reading(const struct policy *p, struct drive_health *h, int64_t now, int64_t drive_id, int64_t pass_id,
			const struct smart_reading *reading, struct wg_err *err)
{
	if (!h->latest && !(h->latest = malloc(sizeof(*h->latest))))
		return wg_err_set(err, -ENOMEM, "out of memory");
	*h->latest = (struct store_sample){ .drive_id = drive_id, .pass_id = pass_id, .t = now, .reading = *reading };
	wg_strlcpy(h->latest->name, h->drive->name, sizeof(h->latest->name));
	h->latest_brief = false;
	h->sampled = true;
	h->drive_id = drive_id;
	h->have_point = reading->status == READING_OK;
	if (h->have_point)
		health_point_from_reading(reading, now, &h->point);
	drive_health_assess(p, h, now);
	return 0;
}

/* Readings that could not be recorded (a read-only history): each drive's track as of now, and the reading taken into it. */
static int take_unrecorded(struct store *s, const struct policy *p, struct drive_health *h, int64_t now,
			   struct smart_reading *reading, struct wg_err *err)
{
	struct health_point pt;
	int64_t drive = -1;
	int r;

	health_track_release(&h->track);
	health_track_init(&h->track);
	r = store_drive_of(s, h->drive->name, reading, &drive, err);
	if (r == -ENOENT)
		r = 0, drive = -1;
	else if (r >= 0)
		r = track_load(s, p, drive, now, &h->track, err);
	if (r < 0)
		return r;
	/* not recorded, so decoded as the drive's recorded match says (smartctl's defaults for a new drive) */
	store_reading_defs(s, drive, reading);
	if (reading->status == READING_OK)
		health_point_from_reading(reading, now, &pt);
	r = health_track_add(p, &h->track, now, reading->status == READING_OK ? &pt : NULL, NULL);
	if (r < 0)
		return wg_err_set(err, r, "out of memory");
	return take_reading(p, h, now, drive, -1, reading, err);
}

int drives_sample(const struct config *c, struct store *s, struct drive_health *const *hs, size_t n, int64_t now,
		  const struct drives_read *how, bool *ret_recorded, char *warning, size_t warning_len,
		  struct wg_err *err)
{
	const struct drive_cfg **drives = calloc(n ? n : 1, sizeof(*drives));
	struct smart_reading *readings = calloc(n ? n : 1, sizeof(*readings));
	struct track_result *res = calloc(n ? n : 1, sizeof(*res));
	struct wg_err serr = { "" };
	bool recorded = false;
	int r = 0;

	if (!drives || !readings || !res) {
		r = wg_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		drives[i] = hs[i]->drive;
	r = sampler_pass(s, &c->policy, drives, n, now, how, readings, res, &recorded, &serr);
	if (r < 0) {
		r = wg_err_set(err, r, "%s", serr.msg);
		goto out;
	}
	if (how->record && !recorded && warning)
		snprintf(warning, warning_len, "the new sample was not recorded: %s", serr.msg);
	for (size_t i = 0; i < n && r >= 0; i++) {
		if (recorded) {
			health_track_release(&hs[i]->track);
			hs[i]->track = res[i].track;
			res[i].track = (struct health_track){ 0 };
			r = take_reading(&c->policy, hs[i], now, res[i].drive_id, res[i].pass_id, &readings[i], err);
		} else {
			r = take_unrecorded(s, &c->policy, hs[i], now, &readings[i], err);
		}
	}
out:
	for (size_t i = 0; res && i < n; i++)
		health_track_release(&res[i].track);
	if (ret_recorded)
		*ret_recorded = recorded;
	free(res);
	free(readings);
	free(drives);
	return r;
}

int drives_sample_new(const struct config *c, struct store *s, const struct drive_cfg *const *drives, size_t n,
		      int64_t now, const struct drives_read *how, struct drive_health **ret, struct wg_err *err)
{
	struct drive_health *all = calloc(n ? n : 1, sizeof(*all));
	struct drive_health **hs = calloc(n ? n : 1, sizeof(*hs));
	char warning[256] = "";
	bool recorded = false;
	int r;

	*ret = NULL;
	if (!all || !hs) {
		free(hs);
		free(all);
		return wg_err_set(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		all[i].drive = drives ? drives[i] : &c->drives[i];
		all[i].drive_id = -1;
		health_track_init(&all[i].track);
		hs[i] = &all[i];
	}
	r = drives_sample(c, s, hs, n, now, how, &recorded, warning, sizeof(warning), err);
	if (r >= 0 && !recorded)
		r = wg_err_set(err, -EIO, "%s", warning);
	free(hs);
	if (r < 0) {
		drives_health_free(all, n);
		return r;
	}
	*ret = all;
	return 0;
}

void drives_health_free(struct drive_health *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		drive_health_release(&v[i]);
	free(v);
}

/* "sda=degrading sdb=ok", whole however many drives: it is recorded as it is. */
static int states_line(struct gate_result *res, struct wg_err *err)
{
	size_t len = 1, used = 0;

	for (size_t i = 0; i < res->n; i++)
		len += strlen(res->drives[i].drive->name) + strlen(health_state_to_string(res->drives[i].health.state)) + 2;
	res->states = malloc(len);
	if (!res->states)
		return wg_err_set(err, -ENOMEM, "out of memory");
	res->states[0] = '\0';
	for (size_t i = 0; i < res->n; i++)
		used += (size_t)snprintf(res->states + used, len - used, "%s%s=%s", i ? " " : "", res->drives[i].drive->name,
					 health_state_to_string(res->drives[i].health.state));
	return 0;
}

/* Whether a drive's newest sample is missing or older than sample_max_age. */
static bool stale(const struct policy *p, const struct drive_health *h, int64_t now)
{
	return !h->latest || now - h->latest->t > p->sample_max_age;
}

/*
 * Judge drive i of a gate from the history: its track (unless it was just read, which judged
 * it), its state, and its job facts. drive_t: the newest sample's time the brief read in this
 * same read of the history may be used.
 */
static int judge_drive(const struct config *c, struct store *s, struct gate_result *res, size_t i, bool just_read,
		       bool drive_t, int64_t now, struct wg_err *err)
{
	struct drive_health *h = &res->drives[i];
	struct gate_drive *f = &res->facts[i];
	int r = 0;

	if (!just_read) {
		health_track_release(&h->track);
		if (h->drive_id >= 0)
			r = track_load_latest(s, &c->policy, h->drive_id, now, drive_t ? h->drive_t : -1, &h->track, err);
		if (r < 0)
			return r;
		drive_health_assess(&c->policy, h, now);
	}
	*f = (struct gate_drive){
		.name = h->drive->name,
		.health = &h->health,
		.last_heavy_end = -1,
		.last_backup_ok = -1,
	};
	if (h->drive_id >= 0)
		r = store_last_jobs(s, h->drive_id, now, &f->last_heavy_end, &f->last_backup_ok, err);
	return r;
}

int gate_check(const struct config *c, struct store *s, const struct job_cfg *j, int64_t now,
	       const struct gate_opts *opts, struct gate_result *ret, struct wg_err *err)
{
	const struct drive_cfg **drives = NULL;
	struct drive_health **todo = NULL;
	bool *read = NULL;
	size_t n = 0, m = 0;
	int r, snapshot = 0;

	memset(ret, 0, sizeof(*ret));
	ret->job = j;
	if (opts->resolved) {
		n = opts->n_resolved;
		drives = calloc(n ? n : 1, sizeof(*drives));
		if (drives)
			memcpy(drives, opts->resolved, n * sizeof(*drives));
		r = drives ? 0 : wg_err_set(err, -ENOMEM, "out of memory");
	} else {
		r = resolve_job_drives(c, j, opts->env, &drives, &n, &ret->unmonitored, err);
		if (r < 0) /* whatever the cause, the job's paths or drives are what to fix */
			return r == -ENOMEM ? r : -EINVAL;
	}
	if (r < 0)
		return r;
	ret->drives = calloc(n ? n : 1, sizeof(*ret->drives));
	ret->facts = calloc(n ? n : 1, sizeof(*ret->facts));
	todo = calloc(n ? n : 1, sizeof(*todo));
	read = calloc(n ? n : 1, sizeof(*read));
	if (!ret->drives || !ret->facts || !todo || !read) {
		r = wg_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	/*
	 * The newest samples, and which of them are too old to judge by. As long as none is, each
	 * drive is judged in the same read, right after its newest sample.
	 */
	r = snapshot = store_read_begin(s, err);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		r = load_latest_brief(s, &c->policy, drives[i], now, &ret->drives[i], err);
		ret->n = i + 1;
		if (r >= 0 && opts->may_sample && stale(&c->policy, &ret->drives[i], now)) {
			read[i] = true;
			todo[m++] = &ret->drives[i];
		} else if (r >= 0 && m == 0) {
			r = judge_drive(c, s, ret, i, false, true, now, err);
		}
	}
	/* reading a drive records it: not inside the read */
	store_read_end(s, snapshot);
	snapshot = 0;
	if (r < 0)
		goto out;
	if (m > 0) {
		struct drives_read how = { .sysfs_root = opts->env->sysfs_root, .record = opts->record,
					   .notified = opts->notified };

		ret->sampled = true;
		r = drives_sample(c, s, todo, m, now, &how, NULL, ret->warning, sizeof(ret->warning), err);
		if (r < 0)
			goto out;
		/* a drive that did not answer in time is judged by what the history holds of it: say so */
		{
			struct wg_text w;

			wg_text_init(&w, ret->warning, sizeof(ret->warning));
			w.used = strlen(ret->warning);
			for (size_t i = 0; i < m; i++)
				if (todo[i]->latest->reading.status == READING_TIMEOUT)
					wg_text_add(&w, "; ", "%s: %s: judged from its history", todo[i]->drive->name,
						    todo[i]->latest->reading.reason);
		}
	}
	/* each drive judged again after the pass (those just read already were), all from one state of the history */
	if (m > 0) {
		snapshot = store_read_begin(s, err);
		if (snapshot < 0) {
			r = snapshot;
			goto out;
		}
		for (size_t i = 0; i < n && r >= 0; i++)
			r = judge_drive(c, s, ret, i, read[i], false, now, err);
		store_read_end(s, snapshot);
		snapshot = 0;
		if (r < 0)
			goto out;
	}
	/* a short self-test reads a sample of the surface: light */
	gate_decide(&c->policy, j->class, j->class == JOB_SELFTEST && j->test == SMART_TEST_SHORT, j->on_unknown,
		    j->cooldown, ret->facts, ret->n, now, &ret->decision);
	r = states_line(ret, err);
out:
	store_read_end(s, snapshot);
	free(read);
	free(todo);
	free(drives);
	if (r < 0)
		gate_result_release(ret);
	return r;
}

int gate_record(struct store *s, const struct gate_result *res, int64_t now, struct wg_err *err)
{
	return store_decision_add(s, now, res->job->name, gate_decision_verdict(&res->decision),
				  res->decision.reason ? res->decision.reason : "", res->states ? res->states : "", err);
}

void gate_result_release(struct gate_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; r->drives && i < r->n; i++)
		drive_health_release(&r->drives[i]);
	free(r->drives);
	free(r->facts);
	free(r->states);
	gate_decision_release(&r->decision);
	strv_free(r->unmonitored);
	r->drives = NULL;
	r->facts = NULL;
	r->states = NULL;
	r->unmonitored = NULL;
	r->n = 0;
}

void self_test_describe(const struct store_self_test *t, char *buf, size_t len)
{
	char when[32];

	wg_format_when(t->ended >= 0 ? t->ended : t->started, when, sizeof(when));
	if (!t->result[0])
		snprintf(buf, len, "%s %s since %s", t->test, t->ended >= 0 ? "unfinished" : "running", when);
	else if (strcmp(t->result, "passed") == 0 || !t->detail[0])
		snprintf(buf, len, "%s %s %s", t->test, t->result, when);
	else
		snprintf(buf, len, "%s %s (%s) %s", t->test, t->result, t->detail, when);
}
