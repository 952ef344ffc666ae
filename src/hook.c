/* hook.c — job runs a backup tool's hooks record (gate --record, done), and a gate asked from inside a runner's job */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "hook.h"
#include "iostat.h"
#include "resolve.h"

int hook_nested(struct store *s, const char *job, int64_t *ret_run, struct wg_err *err)
{
	const char *env_job = getenv("WEARGATE_JOB"), *env_run = getenv("WEARGATE_RUN");
	struct store_run_state st;
	char *end;
	long long id;
	int r;

	if (!env_job || !env_run || strcmp(env_job, job) != 0 || !*env_run)
		return 0;
	errno = 0;
	id = strtoll(env_run, &end, 10);
	if (errno || *end || id <= 0)
		return 0;
	/* the runner noted the job's session before the job could run (proc_spec's started) */
	r = store_job_run_state(s, id, &st, err);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	/*
	 * The environment is the caller's to set; the session is not: only the job's own processes
	 * are in the session its runner started it in (a process may leave a session, never join
	 * one). So no one outside the run is taken for part of it, and no run counts for another job.
	 */
	if (strcmp(st.job, job) != 0 || !st.open || st.hook || st.session <= 0 || (int64_t)getsid(0) != st.session)
		return 0;
	*ret_run = id;
	return 1;
}

int hook_start(struct runner *r, const struct job_cfg *j, const struct gate_result *res, int64_t now, int64_t *ret_id,
	       struct wg_err *err)
{
	struct store_hook_drive *d = calloc(res->n ? res->n : 1, sizeof(*d));
	struct store_hook_start h = {
		.job = j->name,
		.class = job_class_to_string(j->class),
		.started = now,
		.expires = j->timeout > 0 ? now + j->timeout : -1,
		.drives = d,
	};
	int k;

	if (!d)
		return wg_err_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < res->n; i++) {
		const struct drive_health *dh = &res->drives[i];
		struct store_hook_drive *x = &d[h.n];
		char *disk;
		uint64_t rd, wr;

		/* a drive never sampled has no history to attach the run to, as with the runner */
		if (dh->drive_id < 0)
			continue;
		*x = (struct store_hook_drive){ .drive_id = dh->drive_id, .read0 = -1, .written0 = -1,
						.pass_before = dh->latest ? dh->latest->pass_id : -1 };
		disk = runner_disk_of(r->env, dh->drive);
		if (disk && iostat_read(r->env->sysfs_root, disk, &rd, &wr, NULL) >= 0 && rd <= INT64_MAX &&
		    wr <= INT64_MAX) {
			x->read0 = (int64_t)rd;
			x->written0 = (int64_t)wr;
		}
		free(disk);
		h.n++;
	}
	h.verdict = gate_decision_verdict(&res->decision);
	k = store_hook_run_begin(r->store, &h, ret_id, err);
	free(d);
	if (k < 0)
		return k;
	wg_log(res->decision.last_chance ? LOG_WARNING : LOG_INFO, "job %s (run %lld): started, recorded by its hook%s",
	       j->name, (long long)*ret_id, res->decision.last_chance ? ", LAST-CHANCE BACKUP" : "");
	return 0;
}

/* The drives of j as the configuration names them now, read (never woken) and recorded as one pass. */
static int sample_after(struct runner *r, const struct job_cfg *j, int64_t now, struct drive_health **ret,
			size_t *ret_n, bool *ret_recorded, struct wg_err *err)
{
	const struct drive_cfg **drives = NULL;
	struct drive_health *hs = NULL, **hp = NULL;
	struct drives_read how = { .sysfs_root = r->env->sysfs_root, .record = true };
	char warning[256] = "";
	size_t n = 0;
	int k;

	*ret = NULL;
	*ret_n = 0;
	*ret_recorded = false;
	/* drives that cannot be found now only leave the end without its sample after */
	if (resolve_job_drives(r->config, j, r->env, &drives, &n, NULL, NULL) < 0 || n == 0) {
		free(drives);
		return 0;
	}
	hs = calloc(n, sizeof(*hs));
	hp = calloc(n, sizeof(*hp));
	if (!hs || !hp) {
		k = wg_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		hs[i].drive = drives[i];
		hs[i].drive_id = -1;
		health_track_init(&hs[i].track);
		hp[i] = &hs[i];
	}
	k = drives_sample(r->config, r->store, hp, n, now, &how, ret_recorded, warning, sizeof(warning), err);
	if (warning[0])
		fprintf(r->log, "weargate: %s\n", warning);
out:
	if (k < 0 && hs) {
		for (size_t i = 0; i < n; i++)
			drive_health_release(&hs[i]);
		free(hs);
		hs = NULL;
	}
	free(hp);
	free(drives);
	*ret = hs;
	*ret_n = hs ? n : 0;
	return k;
}

int hook_done(struct runner *r, const struct job_cfg *j, int status, int64_t now, struct hook_end *ret,
	      struct wg_err *err)
{
	struct store_hook_run *run = calloc(1, sizeof(*run));
	struct drive_health *hs = NULL;
	size_t n = 0;
	bool recorded = false;
	int k;

	memset(ret, 0, sizeof(*ret));
	if (!run)
		return wg_err_set(err, -ENOMEM, "out of memory");
	k = store_hook_run_find(r->store, j->name, run, err);
	if (k == -ENOENT)
		wg_err_set(err, k, "no run of job '%s' to end: none was recorded by 'weargate gate --record %s'",
			   j->name, j->name);
	if (k >= 0)
		k = sample_after(r, j, now, &hs, &n, &recorded, err);
	for (size_t i = 0; k >= 0 && i < run->n; i++) {
		const struct store_hook_drive *d = &run->drives[i];
		const struct drive_health *h = NULL;
		int64_t read = -1, written = -1, after = -1;

		for (size_t m = 0; m < n && !h; m++)
			if (hs[m].drive_id == d->drive_id)
				h = &hs[m];
		if (h && recorded && h->latest)
			after = h->latest->pass_id;
		if (h && d->read0 >= 0) {
			char *disk = runner_disk_of(r->env, h->drive);
			uint64_t rd, wr;

			/* counters that went back (a reboot in between) say nothing about the job */
			if (disk && iostat_read(r->env->sysfs_root, disk, &rd, &wr, NULL) >= 0 && rd >= (uint64_t)d->read0 &&
			    wr >= (uint64_t)d->written0) {
				char rbuf[32], wbuf[32];

				read = (int64_t)(rd - (uint64_t)d->read0);
				written = (int64_t)(wr - (uint64_t)d->written0);
				wg_format_bytes((uint64_t)read * 512, rbuf, sizeof(rbuf));
				wg_format_bytes((uint64_t)written * 512, wbuf, sizeof(wbuf));
				if (!r->quiet)
					fprintf(r->log, "%s: %s: read %s, wrote %s\n", j->name, h->drive->name, rbuf, wbuf);
			}
			free(disk);
		}
		k = store_job_run_drive_set(r->store, run->id, d->drive_id, read, written, d->pass_before, after, err);
	}
	if (k >= 0 || run->id > 0)
		ret->run_id = run->id;
	ret->late = !run->open;
	ret->success = status == 0;
	if (status)
		snprintf(ret->reason, sizeof(ret->reason), "exit status %d", status);
	if (k >= 0)
		k = store_job_run_end(r->store, run->id, now, ret->success ? "success" : "failed", status,
				      ret->reason[0] ? ret->reason : NULL, NULL, err);
	if (k >= 0)
		wg_log(ret->success ? LOG_INFO : LOG_WARNING, "job %s (run %lld): %s%s%s, reported by its hook", j->name,
		       (long long)run->id, ret->success ? "success" : "failed", ret->reason[0] ? ": " : "",
		       ret->reason);
	for (size_t i = 0; i < n; i++)
		drive_health_release(&hs[i]);
	free(hs);
	free(run);
	return k;
}
