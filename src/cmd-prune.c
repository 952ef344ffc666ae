/* cmd-prune.c — `weargate prune`: thin old samples, keeping every change that matters */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static const char prune_help[] =
	"Thin the samples older than a cut to one per span (a day by default), keeping every\n"
	"sample where a reading's status or a media counter changed (the first non-zero\n"
	"included) and every sample a job run points at. Job runs, decisions and state\n"
	"changes are never thinned. The cut falls between whole chunks of a drive's history\n"
	"(a chunk covers at most four days), so a little more than asked may stay. It works\n"
	"a batch at a time, never holding the history's write lock for long: sample and gate\n"
	"go on meanwhile. The space freed is given back to the file system. Without\n"
	"options, the config's retention { keep_full thin_to } says what to do; 'weargate run'\n"
	"does it at its end when the config has one.\n";

static const struct cmd_option prune_options[] = {
	{ .name = "older-than", .arg = "DUR", .id = 'o', .help = "thin what is older than DUR (90d, 26w)" },
	{ .name = "thin-to", .arg = "DUR", .id = 't',
	  .help = "keep one sample per DUR (default 1d, or the config's thin_to)" },
	{ .name = "json", .id = 'j',
	  .help = "print JSON instead: {\"older_than\",\"thin_to\",\"samples\",\"removed\"}" },
	{ 0 },
};

static const char prune_exit_status[] =
	"Exit status: 0, 64 for a wrong option or value (or nothing to go by), 69 when the\n"
	"history cannot be written, 70 internal error, 78 configuration error.\n";

struct prune_opts {
	int64_t keep, thin;
	bool json;
};

static int prune_option(struct cmd_ctx *ctx, void *state, int id, const char *arg)
{
	struct prune_opts *o = state;

	switch (id) {
	case 'o':
		if (wg_parse_duration(arg, &o->keep) < 0 || o->keep <= 0)
			return cmd_usage_error(ctx->entry, "--older-than '%s' is not a duration (90d, 26w)", arg);
		break;
	case 't':
		if (wg_parse_duration(arg, &o->thin) < 0 || o->thin <= 0)
			return cmd_usage_error(ctx->entry, "--thin-to '%s' is not a duration (1d, 6h)", arg);
		break;
	case 'j':
		o->json = true;
		break;
	}
	return 0;
}

static int cmd_prune(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct prune_opts o = { 0 };
	struct store_prune_stats st = { 0 };
	struct wg_err err = { "" };
	int64_t keep, thin;
	char cut[32], span[32];
	int r;

	if (cmd_parse_options(ctx, argc, argv, prune_option, &o, &r))
		return r;
	keep = o.keep;
	thin = o.thin;
	r = cmd_load_config(ctx);
	if (r)
		return r;
	if (!keep)
		keep = ctx->config->retention_keep;
	if (!thin)
		thin = ctx->config->retention_thin;
	if (!keep)
		return cmd_usage_error(ctx->entry, "how old? give --older-than, or retention { keep_full } in '%s'",
				       ctx->config->path);
	r = cmd_ready(ctx);
	if (r)
		return r;
	r = store_prune(ctx->store, ctx->now - keep, thin, health_sample_key, &st, &err);
	if (r < 0) {
		cmd_error("nothing thinned: %s", err.msg);
		return WG_EXIT_UNAVAILABLE;
	}
	wg_format_utc(ctx->now - keep, cut, sizeof(cut));
	wg_format_age(thin, span, sizeof(span));
	if (o.json) {
		struct wg_json j;

		wg_json_open(&j, stdout, '{');
		wg_json_utc(&j, "older_than", ctx->now - keep);
		wg_json_int(&j, "thin_to", thin, true);
		wg_json_int(&j, "samples", (int64_t)st.samples, true);
		wg_json_int(&j, "removed", (int64_t)st.removed, true);
		wg_json_close(&j, '}');
		putchar('\n');
	} else if (!ctx->quiet) {
		printf("thinned %zu of the %zu samples older than %s to one per %s and every change\n", st.removed,
		       st.samples, cut, span);
	}
	return 0;
}

const struct cmd_entry cmd_prune_entry = {
	.name = "prune",
	.usage = "[--older-than DUR] [--thin-to DUR] [--json]",
	.summary = "thin old samples, keeping every change and the samples of every job run",
	.help = prune_help,
	.options = prune_options,
	.exit_status = prune_exit_status,
	.operands = CMD_OPERANDS_NONE,
	.flags = CMD_NEEDS_STORE,
	.exec = cmd_prune,
};
