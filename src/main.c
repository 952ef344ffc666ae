/* main.c — global options and the command table */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "kmsg.h"
#include "version.h"

static const struct cmd_entry *const cmd_table[] = {
	&cmd_check_config_entry,
	&cmd_completion_entry,
	&cmd_done_entry,
	&cmd_exec_entry,
	&cmd_export_entry,
	&cmd_gate_entry,
	&cmd_history_entry,
	&cmd_import_entry,
	&cmd_prune_entry,
	&cmd_report_entry,
	&cmd_run_entry,
	&cmd_sample_entry,
	&cmd_status_entry,
};

static const struct cmd_entry *cmd_find(const char *name)
{
	for (size_t i = 0; i < WG_ELEMENTSOF(cmd_table); i++)
		if (strcmp(cmd_table[i]->name, name) == 0)
			return cmd_table[i];
	return NULL;
}

static const struct cmd_option global_options[] = {
	{ .name = "config", .short_name = 'c', .arg = "FILE", .id = 'c',
	  .help = "configuration file (default " CONFIG_DEFAULT_PATH ")" },
	{ .name = "quiet", .short_name = 'q', .id = 'q', .group = "verbosity",
	  .help = "say only what went wrong (each command's own -q)" },
	{ .name = "verbose", .short_name = 'v', .id = 'v', .group = "verbosity",
	  .help = "also say each drive's facts behind a verdict, and what the\n"
		  "watchdog sees while a job runs" },
	{ .name = "help", .short_name = 'h', .id = 'h', .help = "show this help", .ends_line = true },
	{ .name = "version", .short_name = 'V', .id = 'V', .help = "show the version", .ends_line = true },
	{ 0 },
};

/* Answered here, not by a command of the table: declared for the list of commands and the completions. */
static const struct cmd_entry help_entry = {
	.name = "help",
	.usage = "[COMMAND]",
	.summary = "show the help of a command",
	.operands = CMD_OPERANDS_COMMAND,
};

static const struct cmd_program program = {
	.commands = cmd_table,
	.n_commands = WG_ELEMENTSOF(cmd_table),
	.help = &help_entry,
	.options = global_options,
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: weargate [-c FILE] [-q | -v] COMMAND [ARGS…]\n"
		"\n"
		"Disk-health-aware maintenance scheduler: records SMART history and gates heavy jobs\n"
		"by drive wear.\n"
		"\n");
	cmd_print_options(f, global_options, NULL);
	fprintf(f, "\nCommands:\n");
	for (size_t i = 0; i < WG_ELEMENTSOF(cmd_table); i++)
		fprintf(f, "  %-12s %s\n", cmd_table[i]->name, cmd_table[i]->summary);
	fprintf(f, "  %-12s %s\n", help_entry.name, help_entry.summary);
	fprintf(f,
		"\n"
		"Exit codes: 0 success (gate: go), 1 refused, 64 usage error, 65 bad input (import),\n"
		"69 a drive or the database unavailable, 70 internal error, 75 deferred, 78\n"
		"configuration error.\n"
		"See weargate(8) and weargate.conf(5).\n");
}

static int cmd_help(int argc, char **argv)
{
	const struct cmd_entry *e;

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0) {
		printf("usage: weargate help [COMMAND]\n\nShow the help of COMMAND, or the list of commands.\n");
		return 0;
	}
	e = cmd_find(argv[1]);
	if (!e) {
		cmd_error("unknown command '%s' (see 'weargate --help')", argv[1]);
		return WG_EXIT_USAGE;
	}
	cmd_print_help(e, stdout);
	return 0;
}

/* Where tests point weargate at a fake system: the variable when set and not empty, else the real place. */
static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v && *v ? v : fallback;
}

int main(int argc, char **argv)
{
	struct cmd_ctx ctx = { .config_path = CONFIG_DEFAULT_PATH, .program = &program };
	char shortopts[2 * CMD_OPTIONS_MAX + 4];
	struct option options[CMD_OPTIONS_MAX + 1];
	const struct cmd_entry *e;
	int c, r;

	/* '+': options after the command name are the command's. Every global option has its letter. */
	if (cmd_getopt_args(global_options, NULL, "+:", shortopts, options) < 0)
		return WG_EXIT_SOFTWARE;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, options, NULL)) != -1) {
		switch (c) {
		case 'c':
			ctx.config_path = optarg;
			break;
		case 'q':
			ctx.quiet = true;
			break;
		case 'v':
			ctx.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("weargate %s\n", WEARGATE_VERSION);
			return 0;
		case ':':
			cmd_error("option '%s' needs a value (see 'weargate --help')", argv[optind - 1]);
			return WG_EXIT_USAGE;
		default:
			cmd_error("unknown option '%s' (see 'weargate --help')", argv[optind - 1]);
			return WG_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return WG_EXIT_USAGE;
	}
	if (ctx.quiet && ctx.verbose) {
		cmd_error("-q and -v ask for opposite things: give one (see 'weargate --help')");
		return WG_EXIT_USAGE;
	}
	argc -= optind;
	argv += optind;
	if (strcmp(argv[0], "help") == 0)
		return cmd_help(argc, argv);
	e = cmd_find(argv[0]);
	if (!e) {
		cmd_error("unknown command '%s' (see 'weargate --help')", argv[0]);
		return WG_EXIT_USAGE;
	}
	ctx.sysfs_root = env_or("WEARGATE_SYSFS_ROOT", BLOCKDEV_SYSFS_ROOT);
	ctx.env.sysfs_root = ctx.sysfs_root;
	ctx.env.mountinfo = env_or("WEARGATE_MOUNTINFO", BLOCKDEV_MOUNTINFO);
	ctx.env.kmsg = env_or("WEARGATE_KMSG", KMSG_PATH);
	ctx.throttle_env = (struct throttle_env){
		.cgroup_root = env_or("WEARGATE_CGROUP_ROOT", "/sys/fs/cgroup"),
		.systemd_dir = env_or("WEARGATE_SYSTEMD_DIR", "/run/systemd/system"),
		.self_cgroup = "/proc/self/cgroup",
		.systemd_run = "systemd-run",
	};
	ctx.entry = e;
	/*
	 * Under a file size limit (ulimit -f) a write past it raises SIGXFSZ, which would kill us
	 * without a word; ignored, the write fails with EFBIG and the command says so. A job gets
	 * every signal back at its default (proc.c).
	 */
	signal(SIGXFSZ, SIG_IGN);
	/*
	 * `weargate exec JOB -- CMD 2>&1 | head`: once the reader is gone, what we would say is
	 * dropped (the write fails with EPIPE) and the job goes on, watched and recorded, instead of
	 * weargate dying of SIGPIPE with it.
	 */
	signal(SIGPIPE, SIG_IGN);
	optind = 0; /* a full getopt reset for the command's own options */
	r = e->exec(&ctx, argc, argv);
	cmd_ctx_release(&ctx);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cmd_error("cannot write the output");
		return r ? r : WG_EXIT_SOFTWARE;
	}
	return r;
}
