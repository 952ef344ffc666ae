/* cmd-run.c — `weargate run [JOB…]`: the nightly runner, one at a time, backups first on a weak drive */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "cmd.h"
#include "export.h"
#include "lock.h"
#include "resolve.h"
#include "runner.h"
#include "sampler.h"

static const char run_help[] =
	"Run the configured jobs that have a command and the self-tests (or the JOBs\n"
	"named), one runner at a time: sample every drive, then run the jobs in the order\n"
	"of the configuration, but maintenance jobs and self-tests on a degrading or\n"
	"failing drive after all the others. A job with 'every' whose last success is\n"
	"younger than that is skipped, and said so. Each\n"
	"job is gated just before it starts; a deferred job is waited for when run_until\n"
	"allows, else left for the next run. Each job runs as 'weargate exec' runs one,\n"
	"and a job that fails does not stop the others. SIGTERM or SIGINT stops the\n"
	"running job cleanly, records it as interrupted, and ends the run. A summary of\n"
	"what each job did ends the output.\n";

static const char run_exit_status[] =
	"Exit status: 0 when every job that was due ran and succeeded, 75 when one was\n"
	"deferred (or another runner holds the lock), 1 when one was refused or failed;\n"
	"64 usage error, 69 the history cannot be written, 70 internal error, 78\n"
	"configuration error.\n";

struct job_entry {
	const struct job_cfg *job;
	const struct drive_cfg **drives; /* the drives it touches, resolved once; NULL when they cannot be */
	size_t n_drives;
	enum verdict verdict;
	bool ran;
	bool not_due;           /* its period (`every`) since its last success is not over */
	struct job_outcome outcome;
	char *reason; /* why it did not run, whole; malloc'd */
};

/* The next time of day `minutes` after midnight, local time, after now. */
static int64_t next_time_of_day(int64_t now, int minutes)
{
	time_t t = (time_t)now;
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return now;
	tm.tm_hour = minutes / 60;
	tm.tm_min = minutes % 60;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	return t <= now ? t + 86400 : t;
}

/* What run's order goes by: the job's class, and the worst state of its drives now. */
static struct job_rank job_rank_of(const struct cmd_ctx *ctx, const struct job_entry *e,
				   const struct drive_health *all)
{
	struct job_rank rank = { .cls = e->job->class, .worst = HEALTH_OK };

	for (size_t k = 0; k < e->n_drives; k++)
		rank.worst = health_state_worse(rank.worst, all[e->drives[k] - ctx->config->drives].health.state);
	return rank;
}

/*
 * Sample every drive once, as one recorded pass, and tell of the states that changed; their
 * health, for the order of the jobs.
 */
static int survey(struct cmd_ctx *ctx, struct runner *r, struct drive_health **ret, struct wg_err *err)
{
	struct drives_read how = { .sysfs_root = ctx->sysfs_root, .record = true };
	int k = drives_sample_new(ctx->config, ctx->store, NULL, ctx->config->n_drives, ctx->now, &how, ret, err);

	if (k >= 0)
		runner_announce(r);
	return k;
}

/* What `run` runs: a job with a command, or a self-test (the drive's to run). */
static bool job_runs(const struct job_cfg *j)
{
	return j->command || j->class == JOB_SELFTEST;
}

static int select_jobs(struct cmd_ctx *ctx, int argc, char **argv, struct job_entry **ret, size_t *ret_n)
{
	const struct config *c = ctx->config;
	struct job_entry *v = calloc(c->n_jobs + 1, sizeof(*v));
	size_t n = 0;

	if (!v) {
		cmd_error("out of memory");
		return WG_EXIT_SOFTWARE;
	}
	for (int i = 0; i < argc; i++) {
		const struct job_cfg *j = config_job(c, argv[i]);

		if (!j || !job_runs(j)) {
			cmd_error(!j ? "no job '%s' in '%s'" : "job '%s' has no command to run: it only asks the gate (see '%s')",
				  argv[i], c->path);
			free(v);
			return WG_EXIT_USAGE;
		}
		v[n++].job = j;
	}
	for (size_t i = 0; argc == 0 && i < c->n_jobs; i++)
		if (job_runs(&c->jobs[i]))
			v[n++].job = &c->jobs[i];
	/* once: a job's drives do not move during a run (one that cannot be found is its gate's to say) */
	for (size_t i = 0; i < n; i++)
		if (resolve_job_drives(c, v[i].job, &ctx->env, &v[i].drives, &v[i].n_drives, NULL, NULL) < 0)
			v[i].drives = NULL;
	*ret = v;
	*ret_n = n;
	return 0;
}

static void print_summary(const struct job_entry *v, size_t n)
{
	printf("\nJOB: WHAT HAPPENED\n");
	for (size_t i = 0; i < n; i++) {
		if (v[i].ran)
			printf("%s: %s%s%s\n", v[i].job->name, outcome_to_string(v[i].outcome.outcome),
			       v[i].outcome.reason[0] ? ": " : "", v[i].outcome.reason);
		else
			printf("%s: %s: %s\n", v[i].job->name,
			       v[i].not_due		    ? "not due"
			       : v[i].verdict == _VERDICT_MAX ? "not run"
							      : verdict_to_string(v[i].verdict),
			       v[i].reason ? v[i].reason : "(out of memory for the reason)");
	}
}

/*
 * A job with a period whose last success is younger than that is not due: say so, and when it
 * is. False when it is due (or when the history cannot say: better a job too many than none).
 */
static bool not_due(struct cmd_ctx *ctx, struct job_entry *e)
{
	struct wg_err err = { "" };
	int64_t now, last = -1, due;
	char last_s[32], due_s[32], every_s[32];
	int k;

	if (e->job->every <= 0)
		return false;
	wg_now(&now);
	k = store_job_last_success(ctx->store, e->job->name, now, &last, &err);
	if (k == -ENOENT)
		return false;
	if (k < 0) {
		cmd_error("%s: its last success is not known (%s): it runs", e->job->name, err.msg);
		return false;
	}
	due = job_due_at(e->job->every, last);
	if (now >= due)
		return false;
	wg_format_utc(last, last_s, sizeof(last_s));
	wg_format_utc(due, due_s, sizeof(due_s));
	wg_format_age(e->job->every, every_s, sizeof(every_s));
	if (asprintf(&e->reason, "every %s: its last success started %s, due from %s", every_s, last_s, due_s) < 0)
		e->reason = NULL;
	e->not_due = true;
	if (!ctx->quiet)
		fprintf(stderr, "%s: not due: %s\n", e->job->name, e->reason ? e->reason : "");
	wg_log(LOG_INFO, "job %s: not due: %s", e->job->name, e->reason ? e->reason : "");
	return true;
}

/* Gate job e and, on defer for a cooldown that ends before run_until, wait for it and ask again. */
static int gate_job(struct cmd_ctx *ctx, struct runner *r, struct job_entry *e, struct gate_result *res,
		    struct wg_err *err)
{
	const struct config *c = ctx->config;
	int64_t deadline = c->run_until >= 0 ? next_time_of_day(ctx->now, c->run_until) : 0;
	struct gate_opts opts = { .env = &ctx->env, .may_sample = true, .record = true,
				  .resolved = e->drives, .n_resolved = e->n_drives };
	int64_t now;

	wg_now(&now);
	return runner_gate(r, e->job, now, &opts, deadline, res, err);
}

/* The runner, with the lock beside the history taken: 0, or the exit code (its message said). */
static int begin_run(struct cmd_ctx *ctx, struct runner *r, struct runner_lock **ret_lock)
{
	struct wg_err err = { "" };
	int k;

	*r = (struct runner){ .config = ctx->config, .store = ctx->store, .env = &ctx->env,
			      .throttle_env = ctx->throttle_env, .log = stderr, .quiet = ctx->quiet,
			      .verbose = ctx->verbose };
	k = runner_begin(r, ret_lock, &err);
	if (k < 0) {
		cmd_error("%s", err.msg);
		return k == -EBUSY ? WG_EXIT_DEFER : WG_EXIT_UNAVAILABLE;
	}
	return 0;
}

/* run's order (job_order()): the backups first on a weak drive. 0, or the exit code. */
static int order_jobs(struct cmd_ctx *ctx, struct job_entry **jobs, size_t n, const struct drive_health *all)
{
	struct job_entry *v = *jobs, *sorted = calloc(n + 1, sizeof(*sorted));
	struct job_rank *ranks = calloc(n + 1, sizeof(*ranks));
	size_t *order = calloc(n + 1, sizeof(*order));

	if (!sorted || !ranks || !order) {
		free(order);
		free(ranks);
		free(sorted);
		return WG_EXIT_SOFTWARE;
	}
	for (size_t i = 0; i < n; i++)
		ranks[i] = job_rank_of(ctx, &v[i], all);
	job_order(ranks, n, order);
	for (size_t i = 0; i < n; i++)
		sorted[i] = v[order[i]];
	free(order);
	free(ranks);
	free(v);
	*jobs = sorted;
	return 0;
}

/*
 * One job of the night: not when weargate was told to stop or it is not due; else gated (and
 * waited for within run_until), then run, or the notify command told of its refusal. True when
 * it went wrong: its gate failed, it was refused, or it ran and did not succeed.
 */
static bool run_one(struct cmd_ctx *ctx, struct runner *r, struct job_entry *e)
{
	struct gate_result res = { 0 };
	struct wg_err err = { "" };
	bool bad;
	int k;

	e->verdict = _VERDICT_MAX;
	if (runner_stop_requested()) {
		e->reason = strdup("weargate was told to stop before it");
		return false;
	}
	if (not_due(ctx, e))
		return false;
	k = gate_job(ctx, r, e, &res, &err);
	if (k < 0) {
		e->reason = strdup(err.msg);
		cmd_error("%s", err.msg);
		return true;
	}
	e->verdict = res.decision.verdict;
	e->reason = strdup(res.decision.reason);
	k = runner_follow(r, e->job, e->job->command, &res, &e->outcome, &err);
	e->ran = e->verdict == VERDICT_GO;
	if (k < 0)
		cmd_error("%s", err.msg);
	bad = k < 0 || (e->ran && e->outcome.outcome != OUTCOME_SUCCESS) || e->verdict == VERDICT_REFUSE;
	gate_result_release(&res);
	return bad;
}

/* The night's last, lightest chores: retention, when the config asks for it, and the metrics for the fleet's view. */
static void night_chores(struct cmd_ctx *ctx)
{
	struct wg_err err = { "" };

	if (ctx->config->retention_keep > 0 && !runner_stop_requested()) {
		struct store_prune_stats st = { 0 };

		if (store_prune(ctx->store, ctx->now - ctx->config->retention_keep, ctx->config->retention_thin,
				health_sample_key, &st, &err) < 0)
			cmd_error("retention: nothing thinned: %s", err.msg);
		else if (st.removed)
			wg_log(LOG_INFO, "retention: thinned %zu of %zu old samples", st.removed, st.samples);
	}
	/* states, verdicts, what the jobs did */
	if (ctx->config->export_path &&
	    export_write(ctx->config, ctx->store, &ctx->env, ctx->now, ctx->config->export_path, &err) < 0)
		cmd_error("export: %s", err.msg);
}

static int cmd_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct runner r = { .log = stderr };
	struct runner_lock *lock = NULL;
	struct drive_health *all = NULL;
	struct job_entry *jobs = NULL;
	struct wg_err err = { "" };
	bool deferred = false, bad = false;
	size_t n = 0;
	int k;

	/* no option but --help */
	if (cmd_parse_options(ctx, argc, argv, NULL, NULL, &k))
		return k;
	k = cmd_load_config(ctx);
	if (k)
		return k;
	k = select_jobs(ctx, argc - optind, argv + optind, &jobs, &n);
	if (k)
		return k;
	k = cmd_ready(ctx);
	if (k)
		goto out;
	k = begin_run(ctx, &r, &lock);
	if (k)
		goto out;
	cmd_stop_signals();
	k = survey(ctx, &r, &all, &err);
	if (k < 0) {
		cmd_error("%s", err.msg);
		k = WG_EXIT_UNAVAILABLE;
		goto out;
	}
	k = order_jobs(ctx, &jobs, n, all);
	if (k)
		goto out;
	for (size_t i = 0; i < n; i++) {
		bad |= run_one(ctx, &r, &jobs[i]);
		deferred |= jobs[i].verdict == VERDICT_DEFER;
	}
	print_summary(jobs, n);
	night_chores(ctx);
	k = bad || runner_stop_requested() ? WG_EXIT_REFUSE : deferred ? WG_EXIT_DEFER : 0;
out:
	drives_health_free(all, ctx->config->n_drives);
	runner_lock_release(lock);
	for (size_t i = 0; jobs && i < n; i++) {
		free(jobs[i].drives);
		free(jobs[i].reason);
	}
	free(jobs);
	return k;
}

const struct cmd_entry cmd_run_entry = {
	.name = "run",
	.usage = "[JOB…]",
	.summary = "run the configured jobs, gated, ordered, watched and recorded (the nightly runner)",
	.help = run_help,
	.exit_status = run_exit_status,
	.operands = CMD_OPERANDS_JOBS,
	.flags = CMD_NEEDS_STORE,
	.exec = cmd_run,
};
