/* cmd.c — what every command shares: setup declared by flags, and how errors are said */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "runner.h"
#include "track.h"

static char ***error_lines;

void cmd_error_capture(char ***lines)
{
	error_lines = lines;
}

void cmd_error(const char *fmt, ...)
{
	va_list ap;

	fputs("weargate: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (error_lines) {
		char *msg = NULL;

		va_start(ap, fmt);
		if (vasprintf(&msg, fmt, ap) < 0)
			msg = NULL;
		va_end(ap);
		/* out of memory, it is not kept: it was said on stderr all the same */
		if (msg)
			(void)strv_push(error_lines, msg);
		free(msg);
	}
}

const struct cmd_option cmd_help_option = {
	.name = "help", .short_name = 'h', .help = "show this help", .id = 'h', .ends_line = true
};

/* "-q, --quiet", "--status N"; its length. */
static int option_label(char *buf, size_t size, const struct cmd_option *o)
{
	const char *sep = o->arg ? " " : "", *arg = o->arg ? o->arg : "";

	if (o->short_name)
		return snprintf(buf, size, "-%c, --%s%s%s", o->short_name, o->name, sep, arg);
	return snprintf(buf, size, "--%s%s%s", o->name, sep, arg);
}

static void print_option(FILE *f, const struct cmd_option *o, int width)
{
	char label[64];
	const char *line = o->help;

	option_label(label, sizeof(label), o);
	for (bool first = true; *line; first = false) {
		const char *nl = strchr(line, '\n');
		int len = nl ? (int)(nl - line) : (int)strlen(line);

		fprintf(f, "  %-*s  %.*s\n", width, first ? label : "", len, line);
		line += len + (nl != NULL);
	}
}

/* The texts start two blanks after the longest option: one rule for every command and the global options. */
void cmd_print_options(FILE *f, const struct cmd_option *table, const struct cmd_option *extra)
{
	char label[64];
	int width = extra ? option_label(label, sizeof(label), extra) : 0;

	for (const struct cmd_option *o = table; o && o->name; o++) {
		int w = option_label(label, sizeof(label), o);

		if (w > width)
			width = w;
	}
	fputs("Options:\n", f);
	for (const struct cmd_option *o = table; o && o->name; o++)
		print_option(f, o, width);
	if (extra)
		print_option(f, extra, width);
}

void cmd_print_help(const struct cmd_entry *e, FILE *f)
{
	fprintf(f, "usage: weargate [-c FILE] %s%s%s\n\n%s\n", e->name, e->usage[0] ? " " : "", e->usage, e->summary);
	if (e->help)
		fprintf(f, "\n%s", e->help);
	fputc('\n', f);
	cmd_print_options(f, e->options, &cmd_help_option);
	if (e->exit_status)
		fprintf(f, "\n%s", e->exit_status);
}

/* One option into getopt_long()'s arguments; the new length of shortopts. */
static size_t getopt_one(const struct cmd_option *o, int index, char *shortopts, size_t k, struct option *ret)
{
	*ret = (struct option){ o->name, o->arg ? required_argument : no_argument, NULL,
				o->short_name ? o->short_name : CMD_OPTION_LONG + index };
	if (o->short_name) {
		shortopts[k++] = o->short_name;
		if (o->arg)
			shortopts[k++] = ':';
	}
	return k;
}

int cmd_getopt_args(const struct cmd_option *table, const struct cmd_option *extra, const char *lead,
		    char shortopts[2 * CMD_OPTIONS_MAX + 4], struct option longopts[CMD_OPTIONS_MAX + 1])
{
	size_t n, k = (size_t)snprintf(shortopts, 3, "%s", lead);

	for (n = 0; table && table[n].name; n++) {
		if (n >= CMD_OPTIONS_MAX)
			return -E2BIG;
		k = getopt_one(&table[n], (int)n, shortopts, k, &longopts[n]);
	}
	if (extra) {
		if (n >= CMD_OPTIONS_MAX)
			return -E2BIG;
		k = getopt_one(extra, (int)n, shortopts, k, &longopts[n]);
		n++;
	}
	shortopts[k] = '\0';
	longopts[n] = (struct option){ 0 };
	return 0;
}

/* What getopt_long() gave back, C, as the option of TABLE or EXTRA it is. */
static const struct cmd_option *option_of(const struct cmd_option *table, const struct cmd_option *extra, int c)
{
	size_t n = 0;

	while (table && table[n].name)
		n++;
	if (c >= CMD_OPTION_LONG)
		return (size_t)(c - CMD_OPTION_LONG) < n ? &table[c - CMD_OPTION_LONG] : extra;
	for (size_t i = 0; i < n; i++)
		if (table[i].short_name == c)
			return &table[i];
	return extra;
}

bool cmd_parse_options(struct cmd_ctx *ctx, int argc, char **argv, cmd_option_fn *fn, void *state, int *ret_exit)
{
	const struct cmd_entry *e = ctx->entry;
	char shortopts[2 * CMD_OPTIONS_MAX + 4];
	struct option longopts[CMD_OPTIONS_MAX + 1];
	int c, r;

	/* exec: after the job's name come CMD's options, which are CMD's */
	if (cmd_getopt_args(e->options, &cmd_help_option, e->operands == CMD_OPERANDS_JOB_COMMAND ? "+:" : ":",
			    shortopts, longopts) < 0) {
		cmd_error("'%s' has more options than CMD_OPTIONS_MAX", e->name);
		*ret_exit = WG_EXIT_SOFTWARE;
		return true;
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const struct cmd_option *o = c == '?' || c == ':' ? NULL : option_of(e->options, &cmd_help_option, c);

		if (!o) {
			*ret_exit = cmd_option_error(e, c, argv);
			return true;
		}
		if (o == &cmd_help_option) {
			cmd_print_help(e, stdout);
			*ret_exit = 0;
			return true;
		}
		r = fn(ctx, state, o->id, o->arg ? optarg : NULL);
		if (r) {
			*ret_exit = r;
			return true;
		}
	}
	r = 0;
	if (e->operands == CMD_OPERANDS_NONE && optind < argc)
		r = cmd_usage_error(e, "unexpected argument '%s'", argv[optind]);
	else if (e->operands == CMD_OPERANDS_JOB && optind + 1 < argc)
		r = cmd_usage_error(e, "unexpected argument '%s'", argv[optind + 1]);
	else if ((e->operands == CMD_OPERANDS_JOB || e->operands == CMD_OPERANDS_JOB_COMMAND) && optind >= argc)
		r = cmd_usage_error(e, "which job? (see 'weargate check-config')");
	*ret_exit = r;
	return r != 0;
}

int cmd_usage_error(const struct cmd_entry *e, const char *fmt, ...)
{
	va_list ap;

	fputs("weargate: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: weargate [-c FILE] %s%s%s\n", e->name, e->usage[0] ? " " : "", e->usage);
	return WG_EXIT_USAGE;
}

/* An --output whose directory is missing is the caller's mistake: say so before anything else is read. */
int cmd_check_output_dir(const struct cmd_entry *e, const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (!path[0])
		return cmd_usage_error(e, "--output needs a file name");
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if (snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path) >= (int)sizeof(dir))
		return cmd_usage_error(e, "--output '%s' is too long", path);
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return cmd_usage_error(e, "--output '%s': there is no directory '%s'", path, dir);
	return 0;
}

int cmd_parse_when(const struct cmd_entry *e, const char *option, const char *arg, int64_t now, int64_t *ret)
{
	if (wg_parse_when(arg, now, ret) < 0)
		return cmd_usage_error(e, "%s '%s' is not a duration (30d) or a date (2026-11-20)", option, arg);
	return 0;
}

int cmd_option_error(const struct cmd_entry *e, int c, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";

	if (c == ':')
		return cmd_usage_error(e, "option '%s' needs a value", arg);
	if (optopt > 0 && optopt < 0x80 && strncmp(arg, "--", 2) != 0)
		return cmd_usage_error(e, "unknown option '-%c'", optopt);
	return cmd_usage_error(e, "unknown option '%s'", arg);
}

int cmd_load_config(struct cmd_ctx *ctx)
{
	struct wg_err err = { "" };
	int r;

	if (wg_now(&ctx->now) < 0) {
		cmd_error("WEARGATE_NOW='%s' is not a number of seconds since the epoch, or @FILE holding one",
			  getenv("WEARGATE_NOW"));
		return WG_EXIT_USAGE;
	}
	if (ctx->config)
		return 0;
	r = config_load(ctx->config_path, &ctx->config, &err);
	if (r < 0) {
		cmd_error("%s", err.msg[0] ? err.msg : strerror(-r));
		return WG_EXIT_CONFIG;
	}
	return 0;
}

int cmd_ready(struct cmd_ctx *ctx)
{
	struct wg_err err = { "" };
	unsigned flags = ctx->entry->flags;
	int r;

	if (flags & (CMD_NEEDS_CONFIG | CMD_NEEDS_STORE | CMD_READS_STORE | CMD_WANTS_STORE)) {
		r = cmd_load_config(ctx);
		if (r)
			return r;
	}
	if ((flags & (CMD_NEEDS_STORE | CMD_READS_STORE | CMD_WANTS_STORE)) && !ctx->store) {
		r = -EROFS;
		if (flags & (CMD_NEEDS_STORE | CMD_WANTS_STORE))
			r = store_open(ctx->config->database, &ctx->store, &err);
		ctx->store_writable = r >= 0;
		if (flags & CMD_READS_STORE)
			r = store_open_readonly(ctx->config->database, &ctx->store, &err);
		else if ((flags & CMD_WANTS_STORE) && r < 0 && r != -EBADMSG && r != -EPROTO && r != -ENOMEM) {
			/*
			 * What this user may not write it may still read. A history that cannot be
			 * written for another reason (a full disk, a file size limit, an I/O error) is
			 * read too, and the reason kept for the command to say: the gate still answers
			 * from what it holds.
			 */
			bool expected = r == -EACCES || r == -EROFS || r == -EPERM;
			struct wg_err werr = err;

			r = store_open_readonly(ctx->config->database, &ctx->store, &err);
			if (!expected && r >= 0)
				ctx->store_unwritable = werr;
			else if (!expected)
				err = werr;
		}
		/* the states are read, not found again: after a migration or a policy change they are recorded anew */
		if (r >= 0)
			r = track_store_ready(ctx->store, &ctx->config->policy, ctx->store_writable, &err);
		if (r < 0) {
			cmd_error("%s", err.msg[0] ? err.msg : strerror(-r));
			return WG_EXIT_UNAVAILABLE;
		}
		/*
		 * The commands that sample on schedule match drives in the database; the gate and
		 * exec go by the matches recorded, and never read the file.
		 */
		if ((flags & CMD_NEEDS_STORE) && !ctx->drivedb) {
			if (drivedb_source_new(ctx->config->drivedb, &ctx->drivedb) < 0) {
				cmd_error("out of memory");
				return WG_EXIT_SOFTWARE;
			}
			store_set_drivedb(ctx->store, ctx->drivedb);
		}
		/* a run whose hook never reported its end is given up on by the next command that writes */
		if (ctx->store_writable && store_job_runs_expire(ctx->store, ctx->now, NULL, &err) < 0)
			cmd_error("the runs whose end was not reported were not closed: %s", err.msg);
	}
	return 0;
}

/* "3 sample passes stamped later than now (…), the newest at 2036-11-25T09:46:40Z: …" */
static int ahead_line(char ***lines, int64_t n, const char *one, const char *many, int64_t newest, int64_t now)
{
	char when[32], at[32], *line = NULL;
	int r;

	if (n <= 0)
		return 0;
	wg_format_utc(newest, when, sizeof(when));
	wg_format_utc(now, at, sizeof(at));
	if (asprintf(&line,
		     "the history holds %lld %s stamped later than now (%s), the newest at %s: the clock was ahead "
		     "when %s recorded; %s for no cooldown, age or state",
		     (long long)n, n == 1 ? one : many, at, when, n == 1 ? "it was" : "they were",
		     n == 1 ? "it counts" : "they count") < 0)
		return -ENOMEM;
	r = strv_push(lines, line);
	free(line);
	return r;
}

int cmd_ahead_warnings(struct cmd_ctx *ctx, char ***ret_lines, struct wg_err *err)
{
	struct store_ahead a;
	char **lines = NULL;
	int r = store_ahead_of(ctx->store, ctx->now, &a, err);

	if (r >= 0)
		r = ahead_line(&lines, a.samples, "sample pass", "sample passes", a.newest_sample, ctx->now);
	if (r >= 0)
		r = ahead_line(&lines, a.runs, "job run", "job runs", a.newest_run, ctx->now);
	if (r >= 0)
		r = ahead_line(&lines, a.decisions, "gate decision", "gate decisions", a.newest_decision, ctx->now);
	if (r == -ENOMEM)
		wg_err_set(err, r, "out of memory");
	if (r < 0) {
		strv_free(lines);
		return r;
	}
	*ret_lines = lines;
	return 0;
}

void cmd_ctx_release(struct cmd_ctx *ctx)
{
	const char *w = ctx->drivedb ? drivedb_source_warning(ctx->drivedb) : NULL;

	if (w)
		cmd_error("warning: %s: drives are read with smartctl's default attribute formats", w);
	store_free(ctx->store);
	ctx->store = NULL;
	drivedb_source_free(ctx->drivedb);
	ctx->drivedb = NULL;
	config_free(ctx->config);
	ctx->config = NULL;
}

static void on_stop_signal(int sig)
{
	(void)sig;
	runner_request_stop();
}

/* SIGTERM and SIGINT stop the job cleanly and get it recorded as interrupted; SIGHUP is ignored (cron, ssh). */
void cmd_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGHUP, SIG_IGN);
}
