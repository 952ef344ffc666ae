/* cmd-prune.c — `weargate prune`: thin old samples, keeping every change that matters */
#include <getopt.h>
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
	"does it at its end when the config has one.\n"
	"\n"
	"Options:\n"
	"  --older-than DUR   thin what is older than DUR (90d, 26w)\n"
	"  --thin-to DUR      keep one sample per DUR (default 1d, or the config's thin_to)\n"
	"  --json             print JSON instead: {\"older_than\",\"thin_to\",\"samples\",\"removed\"}\n"
	"  -h, --help         show this help\n"
	"\n"
	"Exit status: 0, 64 for a wrong option or value (or nothing to go by), 69 when the\n"
	"history cannot be written, 70 internal error, 78 configuration error.\n";

static int cmd_prune(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{ "older-than", required_argument, NULL, 'o' },
		{ "thin-to", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct store_prune_stats st = { 0 };
	struct wg_err err = { "" };
	int64_t keep = 0, thin = 0;
	bool json = false;
	char cut[32], span[32];
	int c, r;

	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (wg_parse_duration(optarg, &keep) < 0 || keep <= 0)
				return cmd_usage_error(ctx->entry, "--older-than '%s' is not a duration (90d, 26w)", optarg);
			break;
		case 't':
			if (wg_parse_duration(optarg, &thin) < 0 || thin <= 0)
				return cmd_usage_error(ctx->entry, "--thin-to '%s' is not a duration (1d, 6h)", optarg);
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			cmd_print_help(ctx->entry, stdout);
			return 0;
		default:
			return cmd_option_error(ctx->entry, c, argv);
		}
	}
	if (optind < argc)
		return cmd_usage_error(ctx->entry, "unexpected argument '%s'", argv[optind]);
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
	if (json) {
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
	.flags = CMD_NEEDS_STORE,
	.exec = cmd_prune,
};
