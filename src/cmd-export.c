/* cmd-export.c — `weargate export`: the drives, their states and the gate as Prometheus metrics for node_exporter */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "export.h"

static const char export_help[] =
	"Print the drives' latest SMART values, their states, the gate's verdict for every job\n"
	"and what the jobs' recorded runs did, in Prometheus' text format for node_exporter's\n"
	"textfile collector: smartmon.sh's families (smartmon_ATTRIBUTE_value, _worst,\n"
	"_threshold and _raw_value for the attributes it lists, smartmon_device_info,\n"
	"smartmon_device_smart_available, _enabled, _healthy, smartmon_device_active), with its\n"
	"labels and HELP, so that a dashboard made for smartmon.sh reads them; smartmon.py's\n"
	"smartmon_attr_value, _worst, _threshold and _raw_value for every attribute; every\n"
	"smartmon series with source=\"weargate\" beside node_exporter's own smartmon output;\n"
	"and weargate_drive_state,\n"
	"weargate_drive_state_since_timestamp_seconds, weargate_drive_sample_timestamp_seconds,\n"
	"weargate_gate_verdict, weargate_job_info,\n"
	"weargate_job_last_run_timestamp_seconds, weargate_job_last_run_success,\n"
	"weargate_job_last_success_timestamp_seconds and weargate_job_sectors_written_total.\n"
	"The disk label is the device (\"/dev/sda\") of a device drive, the name of a blob drive.\n"
	"A value that is not known is left out, never 0. Nothing is read from the drives and\n"
	"nothing is written to the history.\n";

static const struct cmd_option export_options[] = {
	{ .name = "output", .arg = "FILE", .id = 'o',
	  .help = "write FILE atomically (a temporary file in its directory, then a\n"
		  "rename) instead of standard output: node_exporter never reads half\n"
		  "of it" },
	{ 0 },
};

static const char export_exit_status[] =
	"Exit status: 0, 64 for a wrong option or an --output in a directory that does not\n"
	"exist, 69 when there is no history yet or it cannot be read, 70 when the output cannot\n"
	"be written or on an internal error, 78 for a configuration error.\n";

static int export_option(struct cmd_ctx *ctx, void *state, int id, const char *arg)
{
	const char **output = state;

	(void)ctx, (void)id;
	*output = arg;
	return 0;
}

static int cmd_export(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct wg_err err = { "" };
	const char *output = NULL;
	char *buf = NULL;
	size_t len = 0;
	int r;

	if (cmd_parse_options(ctx, argc, argv, export_option, &output, &r))
		return r;
	if (output) {
		r = cmd_check_output_dir(ctx->entry, output);
		if (r)
			return r;
	}
	r = cmd_ready(ctx);
	if (r)
		return r;
	r = export_build(ctx->config, ctx->store, &ctx->env, ctx->now, &buf, &len, &err);
	if (r < 0) {
		cmd_error("%s", err.msg);
		return r == -ENOMEM ? WG_EXIT_SOFTWARE : WG_EXIT_UNAVAILABLE;
	}
	if (!output) {
		fwrite(buf, 1, len, stdout);
		free(buf);
		return 0;
	}
	r = wg_write_file_atomic(output, buf, len, 0644);
	free(buf);
	if (r < 0) {
		cmd_error("cannot write '%s': %s", output, strerror(-r));
		return WG_EXIT_SOFTWARE;
	}
	return 0;
}

const struct cmd_entry cmd_export_entry = {
	.name = "export",
	.usage = "[--output FILE]",
	.summary = "write the drives, their states and the gate's verdicts as Prometheus metrics",
	.help = export_help,
	.options = export_options,
	.exit_status = export_exit_status,
	.operands = CMD_OPERANDS_NONE,
	.flags = CMD_READS_STORE,
	.exec = cmd_export,
};
