/* snapshot.c — the drives and the jobs as the history has them now: what status, report and export show */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"

const struct smart_reading *snapshot_identity(const struct snapshot_drive *d)
{
	if (d->health.latest && d->health.latest->reading.identity_valid)
		return &d->health.latest->reading;
	return d->have_usable ? &d->usable.reading : NULL;
}

static int drive_load(struct store *s, const struct policy *p, const struct drive_cfg *cfg, int64_t now,
		      unsigned flags, struct snapshot_drive *d, struct wg_err *err)
{
	const struct store_sample *latest, *matched;
	int r;

	d->cfg = cfg;
	r = drive_health_load(s, p, cfg, now, &d->health, err);
	if (r < 0 || !d->health.latest)
		return r;
	latest = d->health.latest;
	r = drive_usable_sample(s, latest, &d->usable, &d->have_usable, err);
	if (r < 0)
		return r;
	if (flags & SNAPSHOT_MATCH_IDENTITY)
		matched = latest->reading.identity_valid || !d->have_usable ? latest : &d->usable;
	else
		matched = d->have_usable ? &d->usable : latest;
	r = drive_sample_match(s, matched, &d->match, err);
	if (r < 0)
		return r;
	r = store_self_test_latest(s, d->health.drive_id, now, (flags & SNAPSHOT_TEST_ENDED) != 0, &d->test, err);
	if (r < 0 && r != -ENOENT)
		return r;
	d->have_test = r == 0;
	return 0;
}

/* What the gate would say for each job now: from the history alone, reading and writing nothing. */
static int jobs_load(const struct config *c, struct store *s, const struct blockdev_env *env, int64_t now,
		     struct gate_result *res, struct wg_err *err)
{
	struct gate_opts opts = { .env = env };

	for (size_t i = 0; i < c->n_jobs; i++) {
		int r = gate_check(c, s, &c->jobs[i], now, &opts, &res[i], err);

		/* a job whose drives cannot be resolved says so, and the others still have their verdicts */
		if (r == -EINVAL) {
			res[i].job = &c->jobs[i];
			res[i].decision.verdict = _VERDICT_MAX;
			gate_decision_set_reason(&res[i].decision, err->msg);
			continue;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

int snapshot_load(const struct config *c, struct store *s, const struct blockdev_env *env, int64_t now,
		  unsigned flags, struct snapshot *ret, struct wg_err *err)
{
	int r = 0;

	memset(ret, 0, sizeof(*ret));
	ret->n_drives = c->n_drives;
	ret->n_jobs = c->n_jobs;
	ret->drives = calloc(c->n_drives ? c->n_drives : 1, sizeof(*ret->drives));
	ret->jobs = calloc(c->n_jobs ? c->n_jobs : 1, sizeof(*ret->jobs));
	if (!ret->drives || !ret->jobs)
		r = wg_err_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; r >= 0 && i < c->n_drives; i++) {
		r = drive_load(s, &c->policy, &c->drives[i], now, flags, &ret->drives[i], err);
		if (r < 0)
			ret->failed = &c->drives[i];
	}
	if (r >= 0)
		r = jobs_load(c, s, env, now, ret->jobs, err);
	if (r < 0) {
		const struct drive_cfg *failed = ret->failed;

		snapshot_release(ret);
		ret->failed = failed;
	}
	return r;
}

void snapshot_release(struct snapshot *snap)
{
	if (!snap)
		return;
	for (size_t i = 0; snap->drives && i < snap->n_drives; i++) {
		drive_health_release(&snap->drives[i].health);
		free(snap->drives[i].match);
	}
	for (size_t i = 0; snap->jobs && i < snap->n_jobs; i++)
		gate_result_release(&snap->jobs[i]);
	free(snap->drives);
	free(snap->jobs);
	memset(snap, 0, sizeof(*snap));
}
