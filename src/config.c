/* config.c — the configuration file (the only user of libconfuse) */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <confuse.h>
#include <linux/ioprio.h>

#include "config.h"
#include "store.h"

#define CONFIG_MAX_SIZE (1024 * 1024)
#define CONFIG_MAX_SECTIONS 1000 /* drives, and jobs */
/*
 * 10 years: longer than any window, timeout or cooldown means; far from overflowing now + it;
 * and within the long that libconfuse keeps integers in, on every ABI.
 */
#define CONFIG_DURATION_MAX ((int64_t)3650 * 86400)
#define CONFIG_GROWTH_MAX 1000000
/* The runner's defaults (DESIGN.md, "The runner"): re-sample every 10 minutes, 30 s from SIGTERM to SIGKILL. */
#define CONFIG_WATCH_INTERVAL_DEFAULT 600
#define CONFIG_STOP_GRACE_DEFAULT 30
/* A job is background work: it yields the CPU, and the disk to any other best-effort I/O. */
#define CONFIG_NICE_DEFAULT 10
#define CONFIG_IONICE_DEFAULT "best-effort:7"

static int on_duration(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int on_period(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int on_growth(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int on_temperature(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int on_wear(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int on_rate(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int on_class(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int on_test(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int on_verdict(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int on_path(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int on_user(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int on_bool(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int on_nice(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int on_ionice(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);
static int on_time_of_day(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result);

static cfg_opt_t drive_opts[] = {
	CFG_STR("device", NULL, CFGF_NONE),
	CFG_STR("blob", NULL, CFGF_NONE),
	CFG_STR("access", "auto", CFGF_NONE),
	CFG_INT_CB("read_timeout", 0, CFGF_NODEFAULT, on_period),
	CFG_END(),
};

/* The policy's numbers have no libconfuse default: an unset key keeps policy_defaults()'s value. */
static cfg_opt_t cooldown_opts[] = {
	CFG_INT_CB("ok", 0, CFGF_NODEFAULT, on_duration),
	CFG_INT_CB("worn", 0, CFGF_NODEFAULT, on_duration),
	CFG_INT_CB("degrading", 0, CFGF_NODEFAULT, on_duration),
	CFG_END(),
};

static cfg_opt_t policy_opts[] = {
	CFG_INT_CB("window", 0, CFGF_NODEFAULT, on_period),
	CFG_INT_CB("failing_window", 0, CFGF_NODEFAULT, on_period),
	CFG_INT_CB("failing_growth", 0, CFGF_NODEFAULT, on_growth),
	CFG_SEC("cooldown", cooldown_opts, CFGF_NONE),
	CFG_INT_CB("max_temperature", 0, CFGF_NODEFAULT, on_temperature),
	CFG_INT_CB("ssd_wear_low", 0, CFGF_NODEFAULT, on_wear),
	CFG_INT_CB("kernel_quiet", 0, CFGF_NODEFAULT, on_period),
	CFG_END(),
};

static cfg_opt_t job_opts[] = {
	CFG_STR_CB("class", NULL, CFGF_NODEFAULT, on_class),
	CFG_STR_LIST("command", NULL, CFGF_NODEFAULT),
	CFG_STR_LIST_CB("paths", NULL, CFGF_NODEFAULT, on_path),
	CFG_STR_LIST("drives", NULL, CFGF_NODEFAULT),
	CFG_INT_CB("timeout", 0, CFGF_NODEFAULT, on_duration),
	CFG_INT_CB("cooldown", 0, CFGF_NODEFAULT, on_duration),
	CFG_INT_CB("throttle", 0, CFGF_NODEFAULT, on_rate),
	CFG_STR_CB("user", NULL, CFGF_NODEFAULT, on_user),
	CFG_STR_CB("on_unknown", NULL, CFGF_NODEFAULT, on_verdict),
	CFG_BOOL_CB("shell", cfg_false, CFGF_NODEFAULT, on_bool),
	CFG_INT_CB("nice", 0, CFGF_NODEFAULT, on_nice),
	CFG_STR_CB("ionice", NULL, CFGF_NODEFAULT, on_ionice),
	CFG_INT_CB("watch_interval", 0, CFGF_NODEFAULT, on_period),
	CFG_STR_CB("test", NULL, CFGF_NODEFAULT, on_test),
	CFG_INT_CB("every", 0, CFGF_NODEFAULT, on_period),
	CFG_END(),
};

static cfg_opt_t retention_opts[] = {
	CFG_INT_CB("keep_full", 0, CFGF_NODEFAULT, on_period),
	CFG_INT_CB("thin_to", 0, CFGF_NODEFAULT, on_period),
	CFG_END(),
};

/*
 * libconfuse takes the end of the file for the end of every section still open, and lets a
 * comment that is never closed swallow the rest: a file cut short (an editor's crash, a full
 * disk) would read as valid, a job's user or throttle lost with its tail. parse_text() appends
 * this key; it must be found, and at the top level.
 */
#define CONFIG_END_KEY "__weargate_end_of_file__"

static cfg_opt_t root_opts[] = {
	CFG_BOOL(CONFIG_END_KEY, cfg_false, CFGF_NODEFAULT),
	CFG_STR("database", STORE_DEFAULT_PATH, CFGF_NONE),
	CFG_INT_CB("sample_max_age", 0, CFGF_NODEFAULT, on_period),
	CFG_INT_CB("read_timeout", 0, CFGF_NODEFAULT, on_period),
	CFG_INT_CB("watch_interval", 0, CFGF_NODEFAULT, on_period),
	CFG_INT_CB("stop_grace", 0, CFGF_NODEFAULT, on_duration),
	CFG_INT_CB("run_until", 0, CFGF_NODEFAULT, on_time_of_day),
	CFG_STR_LIST("notify", NULL, CFGF_NODEFAULT),
	CFG_STR_CB("export", NULL, CFGF_NODEFAULT, on_path),
	CFG_STR_CB("drivedb", NULL, CFGF_NODEFAULT, on_path),
	CFG_SEC("policy", policy_opts, CFGF_NONE),
	CFG_SEC("retention", retention_opts, CFGF_NONE),
	CFG_SEC("drive", drive_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_SEC("job", job_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_END(),
};

/*
 * libconfuse reports through a callback; keep its first message, prefixed with file and line.
 * The file is ours, not cfg->filename: the sections cfg_init() creates (policy, cooldown) have none.
 * command_*: where the first word of the open job section's command was set (on_command, on_job).
 */
struct parse_ctx {
	const char *path;
	struct wg_err *err;
	bool have_err;
	int last_line; /* of the file, without the end key: its last line with text */
	int eof_line;  /* the line its end is on (after a final newline, the next) */
	cfg_t *command_sec;
	int command_line;
	char *command_argv0;
};

static __thread struct parse_ctx *current_parse;

/*
 * What the file holds, fit for a terminal and the log: a byte that is not printable ASCII (a
 * control character, a byte order mark, binary garbage) as \xHH.
 */
static void printable(const char *s, char *buf, size_t len)
{
	size_t k = 0;

	for (; *s && k + 5 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f)
			k += (size_t)snprintf(buf + k, len - k, "\\x%02x", c);
		else
			buf[k++] = (char)c;
	}
	buf[k] = '\0';
}

static void on_confuse_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	char raw[384], msg[384];

	if (!current_parse || current_parse->have_err)
		return;
	vsnprintf(raw, sizeof(raw), fmt, ap);
	printable(raw, msg, sizeof(msg));
	if (strstr(msg, CONFIG_END_KEY) && cfg) {
		/* the end key was read inside a section: the innermost one left open */
		if (cfg_title(cfg))
			wg_err_set(current_parse->err, -EINVAL, "%s:%d: premature end of file: %s '%s' is not closed with '}'",
				   current_parse->path, current_parse->last_line, cfg_name(cfg), cfg_title(cfg));
		else
			wg_err_set(current_parse->err, -EINVAL,
				   "%s:%d: premature end of file: section '%s' is not closed with '}'", current_parse->path,
				   current_parse->last_line, cfg_name(cfg));
		current_parse->have_err = true;
		return;
	}
	/* anything else the end key ran into: a value or a list that the file's end left open */
	if (cfg && cfg->line > current_parse->last_line) {
		wg_err_set(current_parse->err, -EINVAL, "%s:%d: premature end of file", current_parse->path,
			   current_parse->eof_line);
		current_parse->have_err = true;
		return;
	}
	if (cfg && cfg->line > 0)
		wg_err_set(current_parse->err, -EINVAL, "%s:%d: %s", current_parse->path, cfg->line, msg);
	else
		wg_err_set(current_parse->err, -EINVAL, "%s: %s", current_parse->path, msg);
	current_parse->have_err = true;
}

/*
 * What a message about a key starts with: the section the key is in ("job 'backup': "), so
 * that "timeout '7x'" is not mistaken for another section's key on a crowded line.
 */
static void key_context(cfg_t *cfg, char *buf, size_t len)
{
	const char *name = cfg_name(cfg), *title = cfg_title(cfg);

	if (title)
		snprintf(buf, len, "%s '%s': ", name, title);
	else if (!name || strcmp(name, "root") == 0)
		buf[0] = '\0';
	else
		snprintf(buf, len, "%s: ", name);
}

/* Report a bad value through libconfuse, so that the message gets the file and the line being read. */
static int value_error(cfg_t *cfg, cfg_opt_t *opt, const char *value, const char *why)
{
	char where[STORE_NAME_MAX + 16];

	key_context(cfg, where, sizeof(where));
	cfg_error(cfg, "%s%s '%s' %s", where, cfg_opt_name(opt), value, why);
	return -1;
}

static int parse_duration(cfg_t *cfg, cfg_opt_t *opt, const char *value, int64_t min, long *ret)
{
	int64_t v;
	int r;

	r = wg_parse_duration(value, &v);
	if (r == -ERANGE || (r == 0 && v > CONFIG_DURATION_MAX))
		return value_error(cfg, opt, value, "is too long: at most 3650d");
	if (r < 0)
		return value_error(cfg, opt, value, "is not a duration such as 90s, 10m, 6h or 7d");
	if (v < min)
		return value_error(cfg, opt, value, "must be longer than 0");
	*ret = (long)v;
	return 0;
}

static int on_duration(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	return parse_duration(cfg, opt, value, 0, result);
}

/* A window or an age limit of 0 would make every drive unknown or every change invisible. */
static int on_period(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	return parse_duration(cfg, opt, value, 1, result);
}

/* libconfuse's own integers take signs, hex and octal ("010" is 8); ours are plain decimal. */
static int parse_number(cfg_t *cfg, cfg_opt_t *opt, const char *value, long min, long max, long *ret)
{
	char why[64];
	char *end;
	long v;

	snprintf(why, sizeof(why), "is not a whole number from %ld to %ld", min, max);
	if (!value || *value < '0' || *value > '9')
		return value_error(cfg, opt, value ? value : "", why);
	errno = 0;
	v = strtol(value, &end, 10);
	if (errno || *end || v < min || v > max)
		return value_error(cfg, opt, value, why);
	*ret = v;
	return 0;
}

static int on_growth(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	return parse_number(cfg, opt, value, 1, CONFIG_GROWTH_MAX, result);
}

/* Drives report 1 to 127 degrees C (attrs.c); 0 turns the limit off. */
static int on_temperature(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	return parse_number(cfg, opt, value, 0, 127, result);
}

/* The SSD wear indicators count down from 100. */
static int on_wear(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	return parse_number(cfg, opt, value, 0, 100, result);
}

/* Bytes per second: a number with an optional K, M or G (powers of 1024, as cgroup tools count). */
static int on_rate(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	static const char why[] = "is not a rate in bytes per second such as 512K, 20M or 1G";
	long long v, mult = 1;
	char *end;

	if (!value || *value < '0' || *value > '9')
		return value_error(cfg, opt, value ? value : "", why);
	errno = 0;
	v = strtoll(value, &end, 10);
	if (*end) {
		if (end[1])
			return value_error(cfg, opt, value, why);
		switch (*end) {
		case 'K':
			mult = 1LL << 10;
			break;
		case 'M':
			mult = 1LL << 20;
			break;
		case 'G':
			mult = 1LL << 30;
			break;
		default:
			return value_error(cfg, opt, value, why);
		}
	}
	if (errno == ERANGE || v > LONG_MAX / mult)
		return value_error(cfg, opt, value, "is too large");
	if (v == 0)
		return value_error(cfg, opt, value, "is no rate: leave 'throttle' out for no limit");
	*(long *)result = (long)(v * mult);
	return 0;
}

static int on_class(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	enum job_class c;

	if (job_class_from_string(value, &c) < 0)
		return value_error(cfg, opt, value, "is not one of backup, maintenance, selftest");
	*(const char **)result = value;
	return 0;
}

static int on_test(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	enum smart_test t;

	if (smart_test_from_string(value, &t) < 0)
		return value_error(cfg, opt, value, "is not one of short, long, conveyance");
	*(const char **)result = value;
	return 0;
}

static int on_verdict(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	enum verdict v;

	if (verdict_from_string(value, &v) < 0)
		return value_error(cfg, opt, value, "is not one of go, defer, refuse");
	*(const char **)result = value;
	return 0;
}

/* A job's paths name what it touches on this machine; relative to what the runner's cwd is, they would name nothing. */
static int on_path(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	if (value[0] != '/')
		return value_error(cfg, opt, value, "is not an absolute path");
	*(const char **)result = value;
	return 0;
}

/* Only the syntax here: whether the user exists is a matter for the moment the job runs. */
static int on_user(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	if (!value[0] || value[strcspn(value, ":/ \t\n")] != '\0')
		return value_error(cfg, opt, value, "is not a user name");
	*(const char **)result = value;
	return 0;
}

/* true or false, as check-config writes them; libconfuse alone would also take yes, no, on, off, in any case. */
static int on_bool(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	if (value && strcmp(value, "true") == 0)
		*(int *)result = cfg_true;
	else if (value && strcmp(value, "false") == 0)
		*(int *)result = cfg_false;
	else
		return value_error(cfg, opt, value ? value : "", "is not true or false");
	return 0;
}

/* Only ever nicer: a negative nice would put a heavy job ahead of the machine's real work. */
static int on_nice(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	return parse_number(cfg, opt, value, 0, 19, result);
}

/* "none" (leave the I/O priority alone), "idle", or "best-effort:N" with N from 0 to 7. */
static int parse_ionice(const char *s, int *ret_class, int *ret_level)
{
	static const char be[] = "best-effort:";
	const char *n = strncmp(s, be, strlen(be)) == 0 ? s + strlen(be) : NULL;

	if (strcmp(s, "none") == 0) {
		*ret_class = IOPRIO_CLASS_NONE;
		*ret_level = 0;
	} else if (strcmp(s, "idle") == 0) {
		*ret_class = IOPRIO_CLASS_IDLE;
		*ret_level = 0;
	} else if (n && n[0] >= '0' && n[0] <= '7' && n[1] == '\0') {
		*ret_class = IOPRIO_CLASS_BE;
		*ret_level = n[0] - '0';
	} else {
		return -EINVAL;
	}
	return 0;
}

static int on_ionice(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	int class, level;

	if (parse_ionice(value, &class, &level) < 0)
		return value_error(cfg, opt, value, "is not one of none, idle, best-effort:0 to best-effort:7");
	*(const char **)result = value;
	return 0;
}

/* "HH:MM" (or "H:MM"), local time, as minutes after midnight. */
static int on_time_of_day(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	static const char why[] = "is not a time of day from 00:00 to 23:59, such as 06:00";
	const char *p = value ? value : "";
	int hours = 0, digits = 0;

	for (; digits < 2 && *p >= '0' && *p <= '9'; digits++)
		hours = hours * 10 + *p++ - '0';
	if (digits == 0 || *p++ != ':' || p[0] < '0' || p[0] > '5' || p[1] < '0' || p[1] > '9' || p[2] || hours > 23)
		return value_error(cfg, opt, value ? value : "", why);
	*(long *)result = hours * 60 + (p[0] - '0') * 10 + (p[1] - '0');
	return 0;
}

/*
 * The job runs command[0] as given, without a search path: a relative one would run whatever
 * the runner's PATH or cwd offers. But with `shell = true` it is a command line, and `shell`
 * may come after `command`: so only note here the line the first word was set on (libconfuse
 * calls this after each value of the list, and again at its closing brace), and judge the word
 * when the section ends (on_job).
 */
static int on_command(cfg_t *cfg, cfg_opt_t *opt)
{
	struct parse_ctx *ctx = current_parse;
	const char *argv0 = cfg_opt_getnstr(opt, 0);

	if (!ctx || !argv0)
		return 0;
	if (ctx->command_sec == cfg && ctx->command_argv0 && strcmp(ctx->command_argv0, argv0) == 0)
		return 0;
	free(ctx->command_argv0);
	ctx->command_argv0 = strdup(argv0);
	ctx->command_sec = cfg;
	ctx->command_line = cfg->line;
	if (!ctx->command_argv0) {
		cfg_error(cfg, "out of memory");
		return -1;
	}
	return 0;
}

/* A job section has been read (libconfuse passes the file's root and the "job" option): judge its command. */
/*
 * libconfuse looks for a section's title among all those before it, so a file of many
 * sections takes quadratic time: 42000 in a file of 1 MiB took 16 s. Far more drives and jobs
 * than a machine has, and a bound on that time: at most 1000 of each (some milliseconds).
 */
static int too_many_sections(cfg_t *cfg, cfg_opt_t *opt)
{
	if (cfg_opt_size(opt) <= CONFIG_MAX_SECTIONS)
		return 0;
	cfg_error(cfg, "more than %d '%s' sections", CONFIG_MAX_SECTIONS, cfg_opt_name(opt));
	return -1;
}

static int on_drive(cfg_t *cfg, cfg_opt_t *opt)
{
	return too_many_sections(cfg, opt);
}

static int on_job(cfg_t *cfg, cfg_opt_t *opt)
{
	cfg_t *sec = cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1);
	bool shell;
	const char *argv0;

	if (too_many_sections(cfg, opt) < 0)
		return -1;
	if (!sec || cfg_size(sec, "command") == 0)
		return 0;
	argv0 = cfg_getnstr(sec, "command", 0);
	shell = cfg_size(sec, "shell") > 0 && cfg_getbool(sec, "shell");
	if ((shell && argv0[strspn(argv0, " \t\n")] != '\0') || (!shell && argv0[0] == '/'))
		return 0;
	/* the message names the line of the word, not the section's closing brace that libconfuse is at */
	if (current_parse && current_parse->command_sec == sec)
		sec->line = current_parse->command_line;
	if (shell)
		return value_error(sec, cfg_getopt(sec, "command"), argv0,
				   "is an empty command line: with 'shell', the first word is what /bin/sh runs");
	return value_error(sec, cfg_getopt(sec, "command"), argv0,
			   "is not an absolute path: a job runs without a search path");
}

/* As a job's command: run without a search path, so the program is named by an absolute path. */
static int on_notify(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *argv0 = cfg_opt_getnstr(opt, 0);

	if (argv0 && argv0[0] != '/')
		return value_error(cfg, opt, argv0, "is not an absolute path: it runs without a search path");
	return 0;
}

/*
 * libconfuse gives a section the line of its closing brace; an admin looks for the line that
 * names it, so find that in the text. The title may be quoted or, as libconfuse allows, not.
 */
struct text_cursor {
	const char *p; /* the start of a line */
	int line;
};

static int section_line_from(struct text_cursor *from, const char *kind, const char *title)
{
	size_t klen = strlen(kind), tlen = strlen(title);
	int line = from->line;

	for (const char *p = from->p; *p; p++) {
		const char *q = p;

		while (*q == ' ' || *q == '\t')
			q++;
		if (strncmp(q, kind, klen) == 0 && (q[klen] == ' ' || q[klen] == '\t' || q[klen] == '"' ||
						    q[klen] == '\'')) {
			q += klen;
			while (*q == ' ' || *q == '\t')
				q++;
			if (((*q == '"' || *q == '\'') && strncmp(q + 1, title, tlen) == 0 && q[1 + tlen] == *q) ||
			    (strncmp(q, title, tlen) == 0 && strchr(" \t\n{", q[tlen]) && q[tlen] != '\0')) {
				*from = (struct text_cursor){ p, line };
				return line;
			}
		}
		p = strchr(p, '\n');
		if (!p)
			break;
		line++;
	}
	return 0;
}

/*
 * Sections of a kind come in the order of the file: each search starts where the last one of
 * its kind was found, so that a file of many sections is read in linear time, not quadratic.
 */
static int section_line(const char *text, struct text_cursor *from, const char *kind, const char *title, int fallback)
{
	struct text_cursor start = { text, 1 };
	int line;

	if (!from->p)
		*from = start;
	line = section_line_from(from, kind, title);
	if (!line && from->p != text)
		line = section_line_from(&start, kind, title);
	return line ? line : fallback;
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= STORE_NAME_MAX)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '-' || *p == '.'))
			return false;
	return true;
}

/*
 * Relative paths in the file are relative to the file's directory, not to the caller's cwd; and
 * made absolute, because a runner or a job may change directory after the file was read.
 */
static char *resolve_path(const char *config_path, const char *p)
{
	const char *slash;
	char *cwd = NULL, *r;
	int n;

	if (p[0] == '/')
		return strdup(p);
	if (config_path[0] != '/') {
		cwd = getcwd(NULL, 0);
		if (!cwd)
			return NULL;
	}
	slash = strrchr(config_path, '/');
	n = asprintf(&r, "%s%s%.*s%s%s", cwd ? cwd : "", cwd && strcmp(cwd, "/") != 0 ? "/" : "",
		     slash ? (int)(slash - config_path) : 0,
		     config_path, slash ? "/" : "", p);
	free(cwd);
	return n < 0 ? NULL : r;
}

static void job_cfg_release(struct job_cfg *j)
{
	free(j->name);
	strv_free(j->command);
	strv_free(j->paths);
	strv_free(j->drives);
	free(j->user);
}

void config_free(struct config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_drives; i++) {
		free(c->drives[i].name);
		free(c->drives[i].path);
	}
	free(c->drives);
	free(c->drives_by_name);
	for (size_t i = 0; i < c->n_jobs; i++)
		job_cfg_release(&c->jobs[i]);
	free(c->jobs);
	free(c->database);
	free(c->path);
	strv_free(c->notify);
	free(c->export_path);
	free(c->drivedb);
	free(c);
}

static int load_drive(struct config *c, cfg_t *sec, const char *text, struct text_cursor *from, struct wg_err *err)
{
	struct drive_cfg *d = &c->drives[c->n_drives];
	const char *title = cfg_title(sec), *device, *blob, *access;
	int line = section_line(text, from, "drive", title, sec->line);

	if (!valid_name(title)) {
		char shown[4 * STORE_NAME_MAX + 8];

		printable(title, shown, sizeof(shown));
		return wg_err_set(err, -EINVAL,
				  "%s:%d: drive name '%s' is not valid: use 1 to %d letters, digits, '_', '-' or '.'",
				  c->path, line, shown, STORE_NAME_MAX - 1);
	}
	device = cfg_getstr(sec, "device");
	blob = cfg_getstr(sec, "blob");
	access = cfg_getstr(sec, "access");
	if (!device == !blob)
		return wg_err_set(err, -EINVAL, "%s:%d: drive '%s' needs exactly one of 'device' or 'blob'", c->path,
				  line, title);
	if (device && device[0] != '/')
		return wg_err_set(err, -EINVAL, "%s:%d: drive '%s': device '%s' is not an absolute path", c->path,
				  line, title, device);
	if (smart_access_from_string(access, &d->access) < 0)
		return wg_err_set(err, -EINVAL,
				  "%s:%d: drive '%s': access '%s' is not one of auto, sat16, sat12, linux-ide, sunplus, jmicron",
				  c->path, line, title, access);
	if (blob && d->access != SMART_ACCESS_AUTO)
		return wg_err_set(err, -EINVAL, "%s:%d: drive '%s': 'access' applies to a device, not a blob",
				  c->path, line, title);
	if ((blob && !*blob) || (device && !*device))
		return wg_err_set(err, -EINVAL, "%s:%d: drive '%s': empty path", c->path, line, title);
	d->source = device ? DRIVE_DEVICE : DRIVE_BLOB;
	d->line = line;
	d->read_timeout = cfg_size(sec, "read_timeout") ? cfg_getint(sec, "read_timeout") : c->read_timeout;
	d->name = strdup(title);
	d->path = device ? strdup(device) : resolve_path(c->path, blob);
	c->n_drives++;
	if (!d->name || !d->path)
		return -ENOMEM;
	return 0;
}

/* A list option as a NULL-terminated vector; NULL when it has no value. Allocated once: a list may be long. */
static int copy_list(cfg_t *sec, const char *key, char ***ret)
{
	unsigned n = cfg_size(sec, key);
	char **v;

	if (n == 0) {
		*ret = NULL;
		return 0;
	}
	v = calloc((size_t)n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		v[i] = strdup(cfg_getnstr(sec, key, i));
		if (!v[i]) {
			strv_free(v);
			return -ENOMEM;
		}
	}
	*ret = v;
	return 0;
}

static bool option_given(cfg_t *sec, const char *key)
{
	cfg_opt_t *opt = cfg_getopt(sec, key);

	return opt && (opt->flags & CFGF_MODIFIED);
}

/*
 * A self-test job names its test and runs no program: the keys that shape a program's run
 * (its command, user, niceness, I/O class and rate) mean nothing to a test the drive runs by
 * itself, and a key that would be silently ignored is an error. `test` belongs to it alone.
 */
static int check_selftest(const struct config *c, cfg_t *sec, const char *class, int line, const char *title,
			  struct wg_err *err)
{
	static const char *const program_keys[] = { "command", "shell", "user", "nice", "ionice", "throttle" };
	bool selftest = strcmp(class, "selftest") == 0;

	if (!selftest) {
		if (cfg_size(sec, "test"))
			return wg_err_set(err, -EINVAL, "%s:%d: job '%s': 'test = %s' is only for a job of class selftest",
					  c->path, line, title, cfg_getstr(sec, "test"));
		return 0;
	}
	if (!cfg_size(sec, "test"))
		return wg_err_set(err, -EINVAL,
				  "%s:%d: job '%s' of class selftest needs a 'test': short, long or conveyance", c->path,
				  line, title);
	for (size_t i = 0; i < WG_ELEMENTSOF(program_keys); i++)
		if (option_given(sec, program_keys[i]))
			return wg_err_set(err, -EINVAL,
					  "%s:%d: job '%s': '%s' is not for a job of class selftest: the drive runs its "
					  "test by itself, weargate starts and watches it",
					  c->path, line, title, program_keys[i]);
	for (unsigned i = 0; i < cfg_size(sec, "drives"); i++) {
		const struct drive_cfg *d = config_drive(c, cfg_getnstr(sec, "drives", i));

		if (d && d->source != DRIVE_DEVICE)
			return wg_err_set(err, -EINVAL,
					  "%s:%d: job '%s': drive '%s' is a saved reading ('blob'), not a device: it runs "
					  "no self-test",
					  c->path, line, title, d->name);
	}
	return 0;
}

/* Values were checked as they were read (the callbacks above); what is left needs the whole section or file. */
static int load_job(struct config *c, cfg_t *sec, const char *text, struct text_cursor *from, struct wg_err *err)
{
	struct job_cfg *j = &c->jobs[c->n_jobs];
	const char *title = cfg_title(sec), *class = cfg_getstr(sec, "class");
	const char *on_unknown = cfg_getstr(sec, "on_unknown"), *user = cfg_getstr(sec, "user");
	const char *ionice = cfg_getstr(sec, "ionice");
	bool shell = cfg_size(sec, "shell") > 0 && cfg_getbool(sec, "shell");
	int line = section_line(text, from, "job", title, sec->line);
	int r;

	if (!valid_name(title)) {
		char shown[4 * STORE_NAME_MAX + 8];

		printable(title, shown, sizeof(shown));
		return wg_err_set(err, -EINVAL,
				  "%s:%d: job name '%s' is not valid: use 1 to %d letters, digits, '_', '-' or '.'",
				  c->path, line, shown, STORE_NAME_MAX - 1);
	}
	if (!class)
		return wg_err_set(err, -EINVAL, "%s:%d: job '%s' needs a 'class': backup, maintenance or selftest",
				  c->path, line, title);
	r = check_selftest(c, sec, class, line, title, err);
	if (r < 0)
		return r;
	/* libconfuse accepts `command = {}` and calls no check for it; a gate-only job leaves the key out. */
	if (option_given(sec, "command") && cfg_size(sec, "command") == 0)
		return wg_err_set(err, -EINVAL,
				  "%s:%d: job '%s': 'command' is empty: leave it out for a job that only asks the gate",
				  c->path, line, title);
	if (shell && cfg_size(sec, "command") == 0)
		return wg_err_set(err, -EINVAL, "%s:%d: job '%s': 'shell' needs a 'command': the line for /bin/sh to run",
				  c->path, line, title);
	if (cfg_size(sec, "paths") == 0 && cfg_size(sec, "drives") == 0)
		return wg_err_set(err, -EINVAL, "%s:%d: job '%s' touches no drive: give it 'paths' or 'drives'",
				  c->path, line, title);
	/* Drives may be configured after the job in the file: checked here, once all are known. */
	for (unsigned i = 0; i < cfg_size(sec, "drives"); i++) {
		const char *name = cfg_getnstr(sec, "drives", i);

		if (!config_drive(c, name))
			return wg_err_set(err, -EINVAL, "%s:%d: job '%s': drive '%s' is not configured", c->path, line,
					  title, name);
	}

	j->line = line;
	job_class_from_string(class, &j->class);
	if (on_unknown)
		verdict_from_string(on_unknown, &j->on_unknown);
	else
		j->on_unknown = j->class == JOB_BACKUP ? VERDICT_GO : VERDICT_DEFER;
	j->timeout = cfg_size(sec, "timeout") ? cfg_getint(sec, "timeout") : 0;
	j->cooldown = cfg_size(sec, "cooldown") ? cfg_getint(sec, "cooldown") : -1;
	j->throttle = cfg_size(sec, "throttle") ? (uint64_t)cfg_getint(sec, "throttle") : 0;
	j->shell = shell;
	j->nice = cfg_size(sec, "nice") ? (int)cfg_getint(sec, "nice") : CONFIG_NICE_DEFAULT;
	parse_ionice(ionice ? ionice : CONFIG_IONICE_DEFAULT, &j->ionice_class, &j->ionice_level);
	j->watch_interval = cfg_size(sec, "watch_interval") ? cfg_getint(sec, "watch_interval") : 0;
	j->every = cfg_size(sec, "every") ? cfg_getint(sec, "every") : 0;
	if (cfg_getstr(sec, "test"))
		smart_test_from_string(cfg_getstr(sec, "test"), &j->test);
	c->n_jobs++; /* from here on config_free() releases what is filled in */
	j->name = strdup(title);
	if (!j->name || (user && !(j->user = strdup(user))))
		return -ENOMEM;
	r = copy_list(sec, "command", &j->command);
	if (r < 0)
		return r;
	r = copy_list(sec, "paths", &j->paths);
	if (r < 0)
		return r;
	return copy_list(sec, "drives", &j->drives);
}

static void load_int(cfg_t *sec, const char *key, int64_t *ret)
{
	if (cfg_size(sec, key) > 0)
		*ret = cfg_getint(sec, key);
}

/* Retention is what the admin asks for, by naming keep_full: without it nothing is ever thinned. */
static void load_retention(cfg_t *root, struct config *c)
{
	cfg_t *sec = cfg_getsec(root, "retention");

	c->retention_keep = 0;
	c->retention_thin = 86400;
	if (!sec)
		return;
	load_int(sec, "keep_full", &c->retention_keep);
	load_int(sec, "thin_to", &c->retention_thin);
}

static void load_policy(cfg_t *root, struct policy *p)
{
	cfg_t *sec = cfg_getsec(root, "policy"), *cooldown;

	policy_defaults(p);
	load_int(root, "sample_max_age", &p->sample_max_age);
	if (!sec)
		return;
	load_int(sec, "window", &p->window);
	load_int(sec, "failing_window", &p->failing_window);
	load_int(sec, "failing_growth", &p->failing_growth);
	load_int(sec, "max_temperature", &p->max_temperature);
	load_int(sec, "ssd_wear_low", &p->ssd_wear_low);
	load_int(sec, "kernel_quiet", &p->kernel_quiet);
	cooldown = cfg_getsec(sec, "cooldown");
	if (!cooldown)
		return;
	load_int(cooldown, "ok", &p->cooldown_ok);
	load_int(cooldown, "worn", &p->cooldown_worn);
	load_int(cooldown, "degrading", &p->cooldown_degrading);
}

/* How `weargate run` and `exec` watch and stop jobs, and whom they tell. */
static int load_runner(cfg_t *root, struct config *c)
{
	c->watch_interval = CONFIG_WATCH_INTERVAL_DEFAULT;
	c->stop_grace = CONFIG_STOP_GRACE_DEFAULT;
	load_int(root, "watch_interval", &c->watch_interval);
	load_int(root, "stop_grace", &c->stop_grace);
	c->run_until = cfg_size(root, "run_until") ? (int)cfg_getint(root, "run_until") : -1;
	if (cfg_size(root, "export") && !(c->export_path = strdup(cfg_getstr(root, "export"))))
		return -ENOMEM;
	if (cfg_size(root, "drivedb") && !(c->drivedb = strdup(cfg_getstr(root, "drivedb"))))
		return -ENOMEM;
	/* `notify = {}` is the same as no notify */
	return copy_list(root, "notify", &c->notify);
}

/*
 * Read the file through one descriptor and judge that descriptor: checking a path and then
 * opening it again would let the file be swapped in between. The file names commands that run
 * as root, so, like doas, refuse one that anyone but its owner could have written, or whose
 * owner is neither root nor the user running weargate.
 */
static int read_config(const char *path, char **ret_text, size_t *ret_len, struct wg_err *err)
{
	char *text = NULL;
	size_t len = 0;
	struct stat st;
	int fd, r;

	/* O_NONBLOCK: a FIFO must not hang the open; it is refused below like any non-file. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return wg_err_set(err, -errno, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		r = wg_err_set(err, -errno, "cannot open '%s': %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = wg_err_set(err, -EINVAL, "'%s' is not a regular file", path);
		goto out;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		r = wg_err_set(err, -EPERM, "'%s' is writable by group or others: refusing a file that runs commands",
			       path);
		goto out;
	}
	if (st.st_uid != 0 && st.st_uid != getuid()) {
		r = wg_err_set(err, -EPERM, "'%s' is owned by uid %lu, not by root or you", path,
			       (unsigned long)st.st_uid);
		goto out;
	}
	text = malloc(CONFIG_MAX_SIZE + 1);
	if (!text) {
		r = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, text + len, CONFIG_MAX_SIZE + 1 - len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = wg_err_set(err, -errno, "cannot read '%s': %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > CONFIG_MAX_SIZE) {
			r = wg_err_set(err, -EFBIG, "'%s' is larger than %d bytes", path, CONFIG_MAX_SIZE);
			goto out;
		}
	}
	text[len] = '\0';
	if (memchr(text, '\0', len)) {
		r = wg_err_set(err, -EINVAL, "'%s' is not a text file (it contains NUL bytes)", path);
		goto out;
	}
	*ret_text = text;
	*ret_len = len;
	text = NULL;
	r = 0;
out:
	free(text);
	close(fd);
	return r;
}

/* Parse the text that was read and checked, not the file again; messages still name the file. */
static int parse_text(cfg_t *cfg, const char *path, char *text, size_t len, struct wg_err *err)
{
	static const char end[] = "\n" CONFIG_END_KEY " = true\n";
	struct parse_ctx pctx = { .path = path, .err = err, .last_line = 1 };
	char *buf;
	FILE *f;
	int r;

	if (len == 0) /* all defaults; and older C libraries' fmemopen() refuses 0 bytes */
		return 0;
	for (size_t i = 0; i + 1 < len; i++)
		pctx.last_line += text[i] == '\n';
	pctx.eof_line = pctx.last_line + (text[len - 1] == '\n');
	buf = malloc(len + sizeof(end));
	if (!buf)
		return wg_err_set(err, -ENOMEM, "out of memory");
	memcpy(buf, text, len);
	memcpy(buf + len, end, sizeof(end));
	f = fmemopen(buf, len + sizeof(end) - 1, "r");
	if (!f) {
		free(buf);
		return wg_err_set(err, -errno, "cannot read '%s': %s", path, strerror(errno));
	}
	cfg_set_error_function(cfg, on_confuse_error);
	current_parse = &pctx;
	r = cfg_parse_fp(cfg, f);
	current_parse = NULL;
	free(pctx.command_argv0);
	fclose(f);
	free(buf);
	if (r != CFG_SUCCESS) {
		if (!pctx.have_err)
			wg_err_set(err, -EINVAL, "%s: cannot parse", path);
		return -EINVAL;
	}
	if (cfg_size(cfg, CONFIG_END_KEY) == 0)
		return wg_err_set(err, -EINVAL, "%s:%d: premature end of file: a '/*' comment is not closed with '*/'",
				  path, pctx.last_line);
	return 0;
}

static int drive_by_name(const void *a, const void *b)
{
	return strcmp((*(const struct drive_cfg *const *)a)->name, (*(const struct drive_cfg *const *)b)->name);
}

/* Every job names its drives, and every decision looks them up: by bsearch, not one by one. */
static int index_drives(struct config *c)
{
	c->drives_by_name = calloc(c->n_drives + 1, sizeof(*c->drives_by_name));
	if (!c->drives_by_name)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_drives; i++)
		c->drives_by_name[i] = &c->drives[i];
	qsort(c->drives_by_name, c->n_drives, sizeof(*c->drives_by_name), drive_by_name);
	return 0;
}

int config_load(const char *path, struct config **ret, struct wg_err *err)
{
	struct text_cursor drive_at = { 0 }, job_at = { 0 };
	struct config *c = NULL;
	char *text = NULL;
	size_t text_len = 0;
	cfg_t *cfg = NULL;
	const char *db;
	int r;

	r = read_config(path, &text, &text_len, err);
	if (r < 0)
		return r;

	c = calloc(1, sizeof(*c));
	if (!c || !(c->path = strdup(path))) {
		r = -ENOMEM;
		goto out;
	}
	cfg = cfg_init(root_opts, CFGF_NONE);
	if (!cfg) {
		r = -ENOMEM;
		goto out;
	}
	cfg_set_validate_func(cfg, "job|command", on_command);
	cfg_set_validate_func(cfg, "job", on_job);
	cfg_set_validate_func(cfg, "drive", on_drive);
	cfg_set_validate_func(cfg, "notify", on_notify);
	r = parse_text(cfg, path, text, text_len, err);
	if (r < 0)
		goto out;

	db = cfg_getstr(cfg, "database");
	if (!db || !*db) {
		r = wg_err_set(err, -EINVAL, "%s: 'database' is empty", path);
		goto out;
	}
	c->database = resolve_path(path, db);
	c->drives = calloc(cfg_size(cfg, "drive") + 1, sizeof(*c->drives));
	c->jobs = calloc(cfg_size(cfg, "job") + 1, sizeof(*c->jobs));
	if (!c->database || !c->drives || !c->jobs) {
		r = -ENOMEM;
		goto out;
	}
	load_policy(cfg, &c->policy);
	load_retention(cfg, c);
	r = load_runner(cfg, c);
	if (r < 0)
		goto out;
	c->read_timeout = DRIVE_READ_TIMEOUT_DEFAULT; /* before the drives: theirs defaults to it */
	load_int(cfg, "read_timeout", &c->read_timeout);
	for (unsigned i = 0; i < cfg_size(cfg, "drive"); i++) {
		r = load_drive(c, cfg_getnsec(cfg, "drive", i), text, &drive_at, err);
		if (r < 0)
			goto out;
	}
	r = index_drives(c);
	if (r < 0)
		goto out;
	for (unsigned i = 0; i < cfg_size(cfg, "job"); i++) {
		r = load_job(c, cfg_getnsec(cfg, "job", i), text, &job_at, err);
		if (r < 0)
			goto out;
	}
	*ret = c;
	c = NULL;
	r = 0;
out:
	if (cfg)
		cfg_free(cfg);
	config_free(c);
	free(text);
	return r;
}

const struct drive_cfg *config_drive(const struct config *c, const char *name)
{
	if (c->drives_by_name) {
		struct drive_cfg key = { .name = (char *)name };
		const struct drive_cfg *k = &key, *const *found;

		found = bsearch(&k, c->drives_by_name, c->n_drives, sizeof(*c->drives_by_name), drive_by_name);
		return found ? *found : NULL;
	}
	for (size_t i = 0; i < c->n_drives; i++)
		if (strcmp(c->drives[i].name, name) == 0)
			return &c->drives[i];
	return NULL;
}

const struct job_cfg *config_job(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->n_jobs; i++)
		if (strcmp(c->jobs[i].name, name) == 0)
			return &c->jobs[i];
	return NULL;
}
