/* cmd-exec.c — `weargate exec JOB -- CMD`: gate, then run CMD under the job's limits and watchdog */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lock.h"
#include "runner.h"

static const char exec_help[] =
	"Ask the gate about JOB, as 'weargate gate JOB' does; on go, run CMD with JOB's\n"
	"limits (user, nice, ionice, throttle, timeout), in its own process group, its\n"
	"drives watched (a maintenance job is stopped when one gets worse), and record the\n"
	"run: start, end, outcome, and what it read and wrote on each drive. For cron lines\n"
	"and for tools without a soft-skip hook of their own (rsnapshot). Like 'weargate\n"
	"run', it holds the runner's lock while it runs. CMD runs with a clean environment,\n"
	"what cron gives a job: PATH, LANG, and HOME, SHELL, USER and LOGNAME from the passwd\n"
	"entry of the job's user (or of the user weargate runs as); and WEARGATE_JOB,\n"
	"WEARGATE_CLASS, WEARGATE_DRIVES, WEARGATE_RUN, WEARGATE_THROTTLED.\n";

static const struct cmd_option exec_options[] = {
	{ .name = "quiet", .short_name = 'q', .id = 'q', .help = "say nothing on go and success but what CMD says" },
	{ 0 },
};

static const char exec_exit_status[] =
	"Exit status: CMD's own exit status when it ran (128 + N when signal N ended it,\n"
	"127 when it could not be started); 75 when the gate deferred it or a runner holds\n"
	"the lock, 1 when the gate refused it; 64 usage error, 69 the history cannot be read\n"
	"or written by this user, 70 internal error, 78 configuration error.\n";

static int exec_option(struct cmd_ctx *ctx, void *state, int id, const char *arg)
{
	bool *quiet = state;

	(void)ctx, (void)id, (void)arg;
	*quiet = true;
	return 0;
}

static int cmd_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct gate_opts opts = { .env = &ctx->env, .may_sample = true };
	struct runner r = { .log = stderr };
	struct gate_result res = { 0 };
	struct job_outcome outcome;
	struct wg_err err = { "" };
	const struct job_cfg *job;
	struct runner_lock *lock = NULL;
	enum verdict verdict;
	bool quiet = false;
	char **cmdv;
	int k;

	/* CMD's own options are CMD's, after the job's name or "--" (CMD_OPERANDS_JOB_COMMAND) */
	if (cmd_parse_options(ctx, argc, argv, exec_option, &quiet, &k))
		return k;
	cmdv = argv + optind + 1;
	if (*cmdv && strcmp(*cmdv, "--") == 0)
		cmdv++;
	if (!*cmdv)
		return cmd_usage_error(ctx->entry, "which command? (weargate exec JOB -- CMD [ARG…])");
	k = cmd_ready(ctx);
	if (k)
		return k;
	job = config_job(ctx->config, argv[optind]);
	if (!job) {
		cmd_error("no job '%s' in '%s' (see 'weargate check-config')", argv[optind], ctx->config->path);
		return WG_EXIT_USAGE;
	}
	if (job->class == JOB_SELFTEST) {
		cmd_error("job '%s' is a self-test, which runs no command: 'weargate run %s' runs it", job->name,
			  job->name);
		return WG_EXIT_USAGE;
	}
	if (!ctx->store_writable) {
		if (ctx->store_unwritable.msg[0])
			cmd_error("%s: a job run must be recorded", ctx->store_unwritable.msg);
		else
			cmd_error("'%s' is read-only for this user: a job run must be recorded", ctx->config->database);
		return WG_EXIT_UNAVAILABLE;
	}
	r.config = ctx->config;
	r.store = ctx->store;
	r.env = &ctx->env;
	r.throttle_env = ctx->throttle_env;
	r.quiet = quiet || ctx->quiet;
	r.verbose = ctx->verbose;
	/* a job run and a runner's never overlap: the gate's cooldowns count on it */
	k = runner_begin(&r, &lock, &err);
	if (k < 0) {
		cmd_error("%s", err.msg);
		return k == -EBUSY ? WG_EXIT_DEFER : WG_EXIT_UNAVAILABLE;
	}
	cmd_stop_signals();
	opts.record = true;
	k = runner_gate(&r, job, ctx->now, &opts, 0, &res, &err);
	if (k < 0) {
		cmd_error("%s", err.msg);
		runner_lock_release(lock);
		return k == -EINVAL ? WG_EXIT_CONFIG : k == -ENOMEM ? WG_EXIT_SOFTWARE : WG_EXIT_UNAVAILABLE;
	}
	runner_announce(&r);
	k = runner_follow(&r, job, cmdv, &res, &outcome, &err);
	verdict = res.decision.verdict;
	gate_result_release(&res);
	runner_lock_release(lock);
	if (verdict != VERDICT_GO)
		return verdict == VERDICT_DEFER ? WG_EXIT_DEFER : WG_EXIT_REFUSE;
	if (k < 0) {
		cmd_error("%s", err.msg);
		/* the command ran; its status is the answer even when the record failed */
		return outcome.run_id >= 0 ? outcome.exit_status : WG_EXIT_UNAVAILABLE;
	}
	return outcome.exit_status;
}

const struct cmd_entry cmd_exec_entry = {
	.name = "exec",
	.usage = "[-q] JOB [--] CMD [ARG…]",
	.summary = "gate a job, then run a command under its limits and watchdog, and record it",
	.help = exec_help,
	.options = exec_options,
	.exit_status = exec_exit_status,
	.operands = CMD_OPERANDS_JOB_COMMAND,
	.flags = CMD_WANTS_STORE,
	.exec = cmd_exec,
};
