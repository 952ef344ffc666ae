/* cmd-done.c — `weargate done JOB [--status N]`: a backup tool's hook reports the end of the run `gate --record` began */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "hook.h"

static const char done_help[] =
	"Record the end of the run of JOB that 'weargate gate --record JOB' began: status 0\n"
	"(the default) is success, any other failed. For each drive, what was read and\n"
	"written on its disk since the start, and a sample after (a drive in standby is not\n"
	"woken). For a backup tool's after-backup hook (--status 0) and its error hook\n"
	"(--status 1). Without a run to end it says so and exits 0: an error hook must not\n"
	"fail twice. Inside the run of JOB that 'weargate exec' or 'run' started, there is\n"
	"nothing to do: that runner records the end.\n";

static const struct cmd_option done_options[] = {
	{ .name = "status", .arg = "N", .id = 's', .help = "how the job ended: 0 success, 1-255 failed (default 0)" },
	{ .name = "quiet", .short_name = 'q', .id = 'q', .help = "say nothing when all goes well" },
	{ 0 },
};

static const char done_exit_status[] =
	"Exit status: 0 (also when there was no run to end), 64 usage error or unknown job,\n"
	"69 the history cannot be written by this user, 70 internal error, 78 configuration\n"
	"error.\n";

struct done_opts {
	long status;
	bool quiet;
};

static int done_option(struct cmd_ctx *ctx, void *state, int id, const char *arg)
{
	struct done_opts *o = state;
	char *e;

	if (id == 'q') {
		o->quiet = true;
		return 0;
	}
	errno = 0;
	o->status = strtol(arg, &e, 10);
	if (!arg[0] || *e || errno || o->status < 0 || o->status > 255)
		return cmd_usage_error(ctx->entry, "--status '%s' is not an exit status (0-255)", arg);
	return 0;
}

static int cmd_done(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct done_opts o = { 0 };
	struct runner r = { .log = stderr };
	struct hook_end end;
	struct wg_err err = { "" };
	const struct job_cfg *job;
	bool quiet;
	int64_t outer = -1;
	int k;

	if (cmd_parse_options(ctx, argc, argv, done_option, &o, &k))
		return k;
	quiet = o.quiet || ctx->quiet;
	k = cmd_ready(ctx);
	if (k)
		return k;
	job = config_job(ctx->config, argv[optind]);
	if (!job) {
		cmd_error("no job '%s' in '%s' (see 'weargate check-config')", argv[optind], ctx->config->path);
		return WG_EXIT_USAGE;
	}
	k = hook_nested(ctx->store, job->name, &outer, &err);
	if (k < 0) {
		cmd_error("%s", err.msg);
		return WG_EXIT_UNAVAILABLE;
	}
	if (k > 0) {
		if (!quiet)
			fprintf(stderr, "%s: inside its run %lld, whose runner records its end: nothing to do\n", job->name,
				(long long)outer);
		return 0;
	}
	if (!ctx->store_writable) {
		if (ctx->store_unwritable.msg[0])
			cmd_error("%s: the end of a job run must be recorded", ctx->store_unwritable.msg);
		else
			cmd_error("'%s' is read-only for this user: the end of a job run must be recorded",
				  ctx->config->database);
		return WG_EXIT_UNAVAILABLE;
	}
	r = (struct runner){ .config = ctx->config, .store = ctx->store, .env = &ctx->env, .log = stderr,
			     .quiet = quiet };
	k = hook_done(&r, job, (int)o.status, ctx->now, &end, &err);
	if (k == -ENOENT) {
		/* an error hook runs after a refusal too: nothing was started, nothing fails */
		cmd_error("%s", err.msg);
		return 0;
	}
	if (k < 0) {
		if (end.run_id > 0)
			cmd_error("the end of run %lld of '%s' was not recorded: %s", (long long)end.run_id, job->name,
				  err.msg);
		else
			cmd_error("the end of the run of '%s' was not recorded: %s", job->name, err.msg);
		return k == -ENOMEM ? WG_EXIT_SOFTWARE : WG_EXIT_UNAVAILABLE;
	}
	if (!quiet || !end.success)
		fprintf(stderr, "%s: %s%s%s%s\n", job->name, end.success ? "success" : "failed", end.reason[0] ? ": " : "",
			end.reason, end.late ? " (an end that came after its timeout)" : "");
	return 0;
}

const struct cmd_entry cmd_done_entry = {
	.name = "done",
	.usage = "[--status N] [-q] JOB",
	.summary = "record the end of the run that 'gate --record' began (a backup tool's hook)",
	.help = done_help,
	.options = done_options,
	.exit_status = done_exit_status,
	.operands = CMD_OPERANDS_JOB,
	.flags = CMD_WANTS_STORE,
	.exec = cmd_done,
};
