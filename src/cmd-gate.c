/* cmd-gate.c — `weargate gate JOB`: may this heavy job run now? The answer is the exit status */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "cmd.h"
#include "gate.h"
#include "hook.h"
#include "lock.h"
#include "runner.h"

/* On defer with --max-wait, look again at least this often: a drive can cool or finish a self-test any time. */
#define RECHECK_INTERVAL 60

/*
 * --record takes the runner's lock for as long as it decides and records: another hook's brief
 * hold is waited for, a runner's job (hours) is not. A backup tool's hook must not hang.
 */
#define RECORD_LOCK_WAIT_MS 3000

/* systemd's ExecCondition=: 1-254 skips the unit, 255 fails it. */
#define CONDITION_SKIP 75
#define CONDITION_ERROR 255

static const char gate_help[] =
	"Decide whether JOB may run now, from the recorded history of the drives it touches\n"
	"and the policy, and answer by the exit status. Drives whose newest sample is older\n"
	"than sample_max_age are read first (a drive in standby is not woken; one that does\n"
	"not answer within its read_timeout is judged from the history, and the gate says\n"
	"so). One line on standard error says why; standard output stays empty unless --json.\n"
	"The decision is recorded in the history when this user may write it; one who may\n"
	"not (an unprivileged hook) gets the answer from the recorded history all the same.\n"
	"Asked from inside the run of JOB that 'weargate exec' or 'run' started (the job's\n"
	"own hooks), it says go: the runner gated it and records it.\n";

static const struct cmd_option gate_options[] = {
	{ .name = "condition", .id = 'C',
	  .help = "exit as systemd's ExecCondition= wants: 0 go, 75 defer or refuse\n"
		  "(the unit is skipped), 255 on any error (the unit fails)" },
	{ .name = "json", .id = 'j', .help = "print the decision as JSON on standard output" },
	{ .name = "max-wait", .arg = "DUR", .id = 'w',
	  .help = "on defer, look again until the job may go or DUR has passed\n"
		  "(90s, 10m, 6h, 7d)" },
	{ .name = "record", .id = 'r',
	  .help = "on go, record the start of a run of JOB, for the backup tool's\n"
		  "hook to end with 'weargate done JOB' (defer while a runner's job\n"
		  "runs: one heavy job at a time)" },
	{ .name = "quiet", .short_name = 'q', .id = 'q', .help = "say nothing on go (cron mails any output)" },
	{ 0 },
};

static const char gate_exit_status[] =
	"Exit status: 0 go, 75 defer (not now: cooldown, heat, self-test), 1 refuse (the\n"
	"health policy says no), 64 usage error or unknown job, 69 the history cannot be\n"
	"read, 70 internal error, 78 configuration error (also a job that touches no\n"
	"configured drive).\n";

static int exit_status(enum verdict v)
{
	return v == VERDICT_GO ? WG_EXIT_GO : v == VERDICT_DEFER ? WG_EXIT_DEFER : WG_EXIT_REFUSE;
}

static void json_when(FILE *f, const char *key, int64_t t)
{
	char buf[32];

	fprintf(f, ",\"%s\":", key);
	if (t < 0) {
		fputs("null", f);
		return;
	}
	wg_format_utc(t, buf, sizeof(buf));
	wg_json_string(f, buf);
}

static void print_json(FILE *f, const struct gate_result *res)
{
	const struct gate_decision *d = &res->decision;

	fputs("{\"job\":", f);
	wg_json_string(f, res->job->name);
	fputs(",\"class\":", f);
	wg_json_string(f, job_class_to_string(res->job->class));
	fputs(",\"verdict\":", f);
	wg_json_string(f, verdict_to_string(d->verdict));
	fprintf(f, ",\"exit_status\":%d,\"throttle\":%s,\"last_chance\":%s", exit_status(d->verdict),
		d->throttle ? "true" : "false", d->last_chance ? "true" : "false");
	json_when(f, "retry_at", d->retry_at > 0 ? d->retry_at : -1);
	fputs(",\"reason\":", f);
	wg_json_string(f, d->reason);
	fprintf(f, ",\"sampled\":%s,\"drives\":[", res->sampled ? "true" : "false");
	for (size_t i = 0; i < res->n; i++) {
		const struct drive_health *h = &res->drives[i];

		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		wg_json_string(f, h->drive->name);
		fputs(",\"state\":", f);
		wg_json_string(f, health_state_to_string(h->health.state));
		fputs(",\"reason\":", f);
		wg_json_string(f, h->health.reason);
		json_when(f, "since", h->health.since);
		json_when(f, "sampled_at", h->latest ? h->latest->t : -1);
		json_when(f, "last_heavy_job_end", res->facts[i].last_heavy_end);
		json_when(f, "last_backup_ok", res->facts[i].last_backup_ok);
		fputc('}', f);
	}
	fputs("],\"unmonitored\":[", f);
	for (size_t i = 0; res->unmonitored && res->unmonitored[i]; i++) {
		if (i)
			fputc(',', f);
		wg_json_string(f, res->unmonitored[i]);
	}
	fputs("]}\n", f);
}

static void print_line(const struct gate_result *res)
{
	runner_print_verdict(stderr, res);
	if (res->warning[0])
		cmd_error("%s", res->warning);
}

/* -v: the facts behind the verdict, a line per drive. */
static void print_facts(const struct gate_result *res, int64_t now)
{
	for (size_t i = 0; i < res->n; i++) {
		const struct drive_health *h = &res->drives[i];
		const struct gate_drive *f = &res->facts[i];
		char since[32] = "", sampled[48] = "never sampled", heavy[32] = "none", backup[32] = "none";

		if (h->health.since >= 0)
			wg_format_utc(h->health.since, since, sizeof(since));
		if (h->latest) {
			char age[32];

			wg_format_age(now - h->latest->t, age, sizeof(age));
			snprintf(sampled, sizeof(sampled), "sampled %s ago", age);
		}
		if (f->last_heavy_end >= 0)
			wg_format_utc(f->last_heavy_end, heavy, sizeof(heavy));
		if (f->last_backup_ok >= 0)
			wg_format_utc(f->last_backup_ok, backup, sizeof(backup));
		fprintf(stderr, "  %s: %s%s%s: %s; %s; last heavy job ended %s; last good backup started %s\n",
			h->drive->name, health_state_to_string(h->health.state), since[0] ? " since " : "", since,
			h->health.reason, sampled, heavy, backup);
	}
}

/* A verdict that is not the decision table's: a run it is part of, a runner holding the lock. */
static void plain_result(struct gate_result *res, const struct job_cfg *job, enum verdict v, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void plain_result(struct gate_result *res, const struct job_cfg *job, enum verdict v, const char *fmt, ...)
{
	va_list ap;
	char *reason = NULL;

	memset(res, 0, sizeof(*res));
	res->job = job;
	res->decision.verdict = v;
	va_start(ap, fmt);
	if (vasprintf(&reason, fmt, ap) < 0)
		reason = NULL;
	va_end(ap);
	gate_decision_set_reason(&res->decision, reason ? reason : "");
	free(reason);
}

struct gate_args {
	bool json, quiet, record;
	int64_t max_wait;
};

static int gate_option(struct cmd_ctx *ctx, void *state, int id, const char *arg)
{
	struct gate_args *o = state;

	switch (id) {
	case 'C': /* seen before the options are parsed */
		break;
	case 'q':
		o->quiet = true;
		break;
	case 'j':
		o->json = true;
		break;
	case 'r':
		o->record = true;
		break;
	case 'w':
		if (wg_parse_duration(arg, &o->max_wait) < 0)
			return cmd_usage_error(ctx->entry, "--max-wait '%s' is not a duration (90s, 10m, 6h, 7d)", arg);
		break;
	}
	return 0;
}

static int cmd_gate(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct gate_args o = { 0 };
	struct gate_result res = { 0 };
	struct wg_err err = { "" };
	const struct job_cfg *job;
	struct runner rn = { .log = stderr };
	struct runner_lock *lock = NULL;
	bool condition = false;
	int64_t deadline, outer = -1, run_id = -1;
	int r;

	/* every error is 255 under --condition, also one in an option given before it */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		condition |= strcmp(argv[i], "--condition") == 0;
	if (cmd_parse_options(ctx, argc, argv, gate_option, &o, &r))
		return r && condition ? CONDITION_ERROR : r;
	o.quiet |= ctx->quiet;
	r = cmd_ready(ctx);
	if (r)
		return condition ? CONDITION_ERROR : r;
	if (ctx->store_unwritable.msg[0])
		cmd_error("%s: reading the history only", ctx->store_unwritable.msg);
	/* on a backup's critical path: the log is copied into the file by the writers that are not */
	store_set_checkpoints(ctx->store, false);
	job = config_job(ctx->config, argv[optind]);
	if (!job) {
		cmd_error("no job '%s' in '%s' (see 'weargate check-config')", argv[optind], ctx->config->path);
		return condition ? CONDITION_ERROR : WG_EXIT_USAGE;
	}
	/* a hook of the job's own, inside the run that exec or run started: that runner gated it and records it */
	r = hook_nested(ctx->store, job->name, &outer, &err);
	if (r < 0) {
		cmd_error("%s", err.msg);
		return condition ? CONDITION_ERROR : WG_EXIT_UNAVAILABLE;
	}
	if (o.record && outer < 0 && !ctx->store_writable) {
		if (ctx->store_unwritable.msg[0])
			cmd_error("%s: a job run must be recorded", ctx->store_unwritable.msg);
		else
			cmd_error("'%s' is read-only for this user: a job run must be recorded", ctx->config->database);
		return condition ? CONDITION_ERROR : WG_EXIT_UNAVAILABLE;
	}
	rn = (struct runner){ .config = ctx->config, .store = ctx->store, .env = &ctx->env, .log = stderr,
			      .quiet = o.quiet };
	deadline = ctx->now + o.max_wait;
	for (;;) {
		struct gate_opts opts = {
			.env = &ctx->env,
			.may_sample = true,
			.record = ctx->store_writable,
		};
		int64_t pause;

		if (outer >= 0) {
			plain_result(&res, job, VERDICT_GO, "inside its run %lld, which its runner gated and records",
				     (long long)outer);
			break;
		}
		/* one heavy job at a time: the start is decided and recorded holding the runner's lock */
		r = o.record ? runner_begin_wait(&rn, RECORD_LOCK_WAIT_MS, &lock, &err) : 0;
		if (r == -EBUSY) {
			plain_result(&res, job, VERDICT_DEFER, "%s: one heavy job at a time", err.msg);
		} else if (r < 0) {
			cmd_error("%s", err.msg);
			return condition ? CONDITION_ERROR : WG_EXIT_UNAVAILABLE;
		} else {
			r = gate_check(ctx->config, ctx->store, job, ctx->now, &opts, &res, &err);
			if (r < 0) {
				runner_lock_release(lock);
				cmd_error("%s", err.msg);
				r = r == -EINVAL ? WG_EXIT_CONFIG : r == -ENOMEM ? WG_EXIT_SOFTWARE : WG_EXIT_UNAVAILABLE;
				return condition ? CONDITION_ERROR : r;
			}
		}
		if (res.decision.verdict != VERDICT_DEFER || ctx->now >= deadline)
			break;
		runner_lock_release(lock);
		lock = NULL;
		pause = res.decision.retry_at > ctx->now ? res.decision.retry_at - ctx->now : RECHECK_INTERVAL;
		if (pause > RECHECK_INTERVAL)
			pause = RECHECK_INTERVAL;
		if (pause > deadline - ctx->now)
			pause = deadline - ctx->now;
		gate_result_release(&res);
		wg_sleep(pause);
		wg_now(&ctx->now);
	}
	if (ctx->store_writable && gate_record(ctx->store, &res, ctx->now, &err) < 0)
		cmd_error("the decision was not recorded: %s", err.msg);
	/* a go that cannot be recorded is no go: the backup would run and never be counted */
	if (o.record && outer < 0 && res.decision.verdict == VERDICT_GO &&
	    hook_start(&rn, job, &res, ctx->now, &run_id, &err) < 0) {
		runner_lock_release(lock);
		gate_result_release(&res);
		cmd_error("%s: the run could not be recorded: it must not start unrecorded", err.msg);
		return condition ? CONDITION_ERROR : WG_EXIT_UNAVAILABLE;
	}
	runner_lock_release(lock);
	wg_log(res.decision.verdict == VERDICT_GO ? LOG_INFO : LOG_NOTICE, "gate %s: %s%s: %s", job->name,
	       verdict_to_string(res.decision.verdict), res.decision.throttle ? " (throttled)" : "", res.decision.reason);
	if (!o.quiet || res.decision.verdict != VERDICT_GO)
		print_line(&res);
	if (ctx->verbose)
		print_facts(&res, ctx->now);
	if (ctx->verbose && run_id >= 0)
		fprintf(stderr, "  recorded as run %lld: end it with 'weargate done %s'\n", (long long)run_id, job->name);
	if (o.json)
		print_json(stdout, &res);
	r = exit_status(res.decision.verdict);
	gate_result_release(&res);
	if (condition)
		return r == WG_EXIT_GO ? 0 : CONDITION_SKIP;
	return r;
}

const struct cmd_entry cmd_gate_entry = {
	.name = "gate",
	.usage = "[--condition] [--json] [--max-wait DUR] [--record] [-q] JOB",
	.summary = "decide whether a heavy job may run now (exit 0 go, 75 defer, 1 refuse)",
	.help = gate_help,
	.options = gate_options,
	.exit_status = gate_exit_status,
	.operands = CMD_OPERANDS_JOB,
	.flags = CMD_WANTS_STORE,
	.exec = cmd_gate,
};
