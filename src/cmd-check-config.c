/* cmd-check-config.c — `weargate check-config`: parse and validate the configuration, and show what was understood */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/ioprio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "drivedb.h"
#include "resolve.h"

static const char check_config_help[] =
	"Read the configuration file, check it as every other command would, and print it back\n"
	"as weargate understands it: every setting, defaults included, in the file's own syntax\n"
	"(durations as 7d, 2h, 90s; relative paths made absolute), with what is not set as\n"
	"comments. The output is itself a valid configuration. The file is refused when it is\n"
	"writable by group or others, or owned by anyone but root or the user running weargate,\n"
	"and two drive sections that name one device or file are an error. Neither the drives\n"
	"nor the history are touched; a history that holds records stamped later than now (a\n"
	"clock that was ahead) is warned about.\n";

static const struct cmd_option check_config_options[] = {
	{ .name = "config", .short_name = 'c', .arg = "FILE", .id = 'c',
	  .help = "the file to check, as weargate's own -c" },
	{ .name = "json", .id = 'j',
	  .help = "print JSON instead: {\"file\",\"valid\",\"messages\":[…],\n"
		  "\"drives\":[…],\"jobs\":[…]}, each job with the drives it\n"
		  "touches; also when the file is not valid (exit 78)" },
	{ 0 },
};

static const char check_config_exit_status[] =
	"Exit status: 0 when the file is valid, 64 for a wrong option, 78 when the file is\n"
	"missing, refused or invalid (the message names the file and line).\n";

/* A string as libconfuse reads it back between double quotes: "\$" keeps "${" from being expanded. */
static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
		case '\\':
		case '$':
			fputc('\\', f);
			fputc(*p, f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\x%02x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void put_list(FILE *f, const char *indent, const char *key, char *const *v)
{
	fprintf(f, "%s%s = {", indent, key);
	for (size_t i = 0; v && v[i]; i++) {
		if (i)
			fputs(", ", f);
		put_string(f, v[i]);
	}
	fputs("}\n", f);
}

/*
 * In the largest unit that holds the value exactly, so that it reads back the same: 90 is
 * "90s", 7200 "2h". A day is written as 24h, as DESIGN.md and the man page write the defaults.
 */
static void format_duration(int64_t seconds, char *buf, size_t len)
{
	static const struct {
		char unit;
		int64_t seconds;
	} units[] = { { 'd', 86400 }, { 'h', 3600 }, { 'm', 60 } };

	if (seconds == 0) {
		snprintf(buf, len, "0");
		return;
	}
	for (size_t i = 0; i < WG_ELEMENTSOF(units); i++)
		if (seconds % units[i].seconds == 0 && !(units[i].unit == 'd' && seconds == 86400)) {
			snprintf(buf, len, "%lld%c", (long long)(seconds / units[i].seconds), units[i].unit);
			return;
		}
	snprintf(buf, len, "%llds", (long long)seconds);
}

static void put_duration(FILE *f, const char *indent, const char *key, int64_t seconds, const char *when_zero)
{
	char buf[32];

	format_duration(seconds, buf, sizeof(buf));
	fprintf(f, "%s%s = %s", indent, key, buf);
	if (seconds == 0 && when_zero)
		fprintf(f, "  # %s", when_zero);
	fputc('\n', f);
}

static void format_rate(uint64_t bytes, char *buf, size_t len)
{
	static const struct {
		char unit;
		unsigned shift;
	} units[] = { { 'G', 30 }, { 'M', 20 }, { 'K', 10 } };

	for (size_t i = 0; i < WG_ELEMENTSOF(units); i++)
		if (bytes % (1ULL << units[i].shift) == 0) {
			snprintf(buf, len, "%llu%c", (unsigned long long)(bytes >> units[i].shift), units[i].unit);
			return;
		}
	snprintf(buf, len, "%llu", (unsigned long long)bytes);
}

static void print_policy(FILE *f, const struct policy *p)
{
	put_duration(f, "", "sample_max_age", p->sample_max_age, NULL);
	fputs("\npolicy {\n", f);
	put_duration(f, "\t", "window", p->window, NULL);
	put_duration(f, "\t", "failing_window", p->failing_window, NULL);
	fprintf(f, "\tfailing_growth = %lld\n", (long long)p->failing_growth);
	fputs("\tcooldown {\n", f);
	put_duration(f, "\t\t", "ok", p->cooldown_ok, NULL);
	put_duration(f, "\t\t", "worn", p->cooldown_worn, NULL);
	put_duration(f, "\t\t", "degrading", p->cooldown_degrading, NULL);
	fputs("\t}\n", f);
	fprintf(f, "\tmax_temperature = %lld%s\n", (long long)p->max_temperature,
		p->max_temperature == 0 ? "  # no limit" : "");
	fprintf(f, "\tssd_wear_low = %lld\n", (long long)p->ssd_wear_low);
	put_duration(f, "\t", "kernel_quiet", p->kernel_quiet, NULL);
	fputs("}\n", f);
}

static void print_runner(FILE *f, const struct config *c)
{
	fputc('\n', f);
	put_duration(f, "", "watch_interval", c->watch_interval, NULL);
	put_duration(f, "", "stop_grace", c->stop_grace, "SIGKILL at once");
	if (c->run_until >= 0)
		fprintf(f, "run_until = \"%02d:%02d\"\n", c->run_until / 60, c->run_until % 60);
	else
		fputs("# run_until: none, a job deferred by a cooldown stays deferred\n", f);
	if (c->notify)
		put_list(f, "", "notify", c->notify);
	else
		fputs("# notify: none\n", f);
	if (c->export_path) {
		fputs("export = ", f);
		put_string(f, c->export_path);
		fputc('\n', f);
	} else {
		fputs("# export: none\n", f);
	}
	if (c->retention_keep > 0) {
		fputs("retention {\n", f);
		put_duration(f, "\t", "keep_full", c->retention_keep, NULL);
		put_duration(f, "\t", "thin_to", c->retention_thin, NULL);
		fputs("}\n", f);
	} else {
		fputs("# retention: none, every sample is kept\n", f);
	}
}

static void print_drive(FILE *f, const struct drive_cfg *d)
{
	fputs("\ndrive ", f);
	put_string(f, d->name);
	fprintf(f, " {\n\t%s = ", d->source == DRIVE_DEVICE ? "device" : "blob");
	put_string(f, d->path);
	fputc('\n', f);
	if (d->source == DRIVE_DEVICE) {
		fputs("\taccess = ", f);
		put_string(f, smart_access_to_string(d->access));
		fputc('\n', f);
	}
	put_duration(f, "\t", "read_timeout", d->read_timeout > 0 ? d->read_timeout : DRIVE_READ_TIMEOUT_DEFAULT, NULL);
	fputs("}\n", f);
}

/* The drives the job touches, as the gate will find them: those it names and those holding its paths. */
static int resolve(const struct cmd_ctx *ctx, const struct job_cfg *j, const struct drive_cfg ***ret_drives,
		   char ***ret_unmonitored, struct wg_err *err)
{
	size_t n;

	return resolve_job_drives(ctx->config, j, &ctx->env, ret_drives, &n, ret_unmonitored, err);
}

static void print_job_drives(FILE *f, const struct cmd_ctx *ctx, const struct job_cfg *j)
{
	const struct drive_cfg **drives = NULL;
	char **unmonitored = NULL;

	if (resolve(ctx, j, &drives, &unmonitored, NULL) < 0)
		return; /* cannot happen: every job was resolved before anything was printed */
	fputs("\t# touches:", f);
	for (size_t i = 0; drives[i]; i++)
		fprintf(f, "%s %s", i ? "," : "", drives[i]->name);
	fputc('\n', f);
	for (size_t i = 0; unmonitored && unmonitored[i]; i++)
		fprintf(f, "\t# and %s, which no drive section names: its health is not checked\n", unmonitored[i]);
	free(drives);
	strv_free(unmonitored);
}

static void print_job(FILE *f, const struct cmd_ctx *ctx, const struct job_cfg *j)
{
	char buf[32];

	fputs("\njob ", f);
	put_string(f, j->name);
	fprintf(f, " {\n\tclass = %s\n", job_class_to_string(j->class));
	if (j->class == JOB_SELFTEST)
		fprintf(f, "\ttest = %s\n\t# command: none, the drive runs its test by itself\n",
			smart_test_to_string(j->test));
	else if (j->command)
		put_list(f, "\t", "command", j->command);
	else
		fputs("\t# command: none, the job only asks the gate\n", f);
	if (j->class != JOB_SELFTEST)
		fprintf(f, "\tshell = %s\n", j->shell ? "true" : "false");
	if (j->paths)
		put_list(f, "\t", "paths", j->paths);
	else
		fputs("\t# paths: none\n", f);
	if (j->drives)
		put_list(f, "\t", "drives", j->drives);
	else
		fputs("\t# drives: none named\n", f);
	print_job_drives(f, ctx, j);
	put_duration(f, "\t", "timeout", j->timeout, "no limit");
	if (j->cooldown >= 0)
		put_duration(f, "\t", "cooldown", j->cooldown, NULL);
	else
		fputs("\t# cooldown: the policy's, for the state of the drive\n", f);
	if (j->every > 0)
		put_duration(f, "\t", "every", j->every, NULL);
	else
		fputs("\t# every: none, the job is due at every run\n", f);
	if (j->class == JOB_SELFTEST)
		goto watch; /* no program: no throttle, user, nice or ionice */
	if (j->throttle > 0) {
		format_rate(j->throttle, buf, sizeof(buf));
		fprintf(f, "\tthrottle = %s\n", buf);
	} else {
		fputs("\t# throttle: none\n", f);
	}
	if (j->user) {
		fputs("\tuser = ", f);
		put_string(f, j->user);
		fputc('\n', f);
	} else {
		fputs("\t# user: none, the job runs as weargate does\n", f);
	}
	fprintf(f, "\tnice = %d\n", j->nice);
	switch (j->ionice_class) {
	case IOPRIO_CLASS_BE:
		fprintf(f, "\tionice = \"best-effort:%d\"\n", j->ionice_level);
		break;
	case IOPRIO_CLASS_IDLE:
		fputs("\tionice = \"idle\"\n", f);
		break;
	default:
		fputs("\tionice = \"none\"\n", f);
	}
watch:
	if (j->watch_interval > 0) {
		put_duration(f, "\t", "watch_interval", j->watch_interval, NULL);
	} else {
		format_duration(ctx->config->watch_interval, buf, sizeof(buf));
		fprintf(f, "\t# watch_interval: the global one, %s\n", buf);
	}
	fprintf(f, "\ton_unknown = %s\n}\n", verdict_to_string(j->on_unknown));
}

/*
 * A history stamped later than now (a clock that was ahead) is worth a warning here too, the
 * place an admin looks first; a history that is not there, or not readable, is no error.
 */
static void ahead_warnings(struct cmd_ctx *ctx)
{
	struct wg_err err = { "" };
	char **lines = NULL;

	if (store_open_readonly(ctx->config->database, &ctx->store, &err) < 0)
		return;
	if (cmd_ahead_warnings(ctx, &lines, &err) == 0)
		for (size_t i = 0; lines && lines[i]; i++)
			cmd_error("%s", lines[i]);
	strv_free(lines);
}

/* Whether the user (uid, groups) may do what bits (S_IXUSR, …, as for the owner) allows to a file of st. */
static bool user_may(const struct stat *st, uid_t uid, const gid_t *groups, int n_groups, mode_t owner_bit)
{
	mode_t any = owner_bit | owner_bit >> 3 | owner_bit >> 6;

	/* root may do anything but run a file that nobody may run */
	if (uid == 0)
		return owner_bit != S_IXUSR || (st->st_mode & any);
	if (st->st_uid == uid)
		return st->st_mode & owner_bit;
	for (int i = 0; i < n_groups; i++)
		if (st->st_gid == groups[i])
			return st->st_mode & (owner_bit >> 3);
	return st->st_mode & (owner_bit >> 6);
}

/*
 * The program a job runs must be there and runnable by the job's user (or the user weargate
 * runs as), or the night's run fails at its start: better said now. Every directory on the way
 * must let that user through, too.
 */
static int check_program(const struct config *c, const char *what, int line, const char *path, const char *user,
			 struct wg_err *err)
{
	struct passwd *pw = user ? getpwnam(user) : getpwuid(geteuid());
	gid_t groups[256];
	int n = (int)WG_ELEMENTSOF(groups);
	char dir[PATH_MAX];
	struct stat st;

	if (!pw)
		return wg_err_set(err, -EINVAL, "%s:%d: %s: user '%s' does not exist", c->path, line, what,
				  user ? user : "?");
	if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
		n = 0;
	if (wg_strlcpy(dir, path, sizeof(dir)) < 0)
		return wg_err_set(err, -EINVAL, "%s:%d: %s: '%s' is too long", c->path, line, what, path);
	for (char *slash = strchr(dir + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (stat(dir, &st) == 0 && !user_may(&st, pw->pw_uid, groups, n, S_IXUSR)) {
			*slash = '/';
			return wg_err_set(err, -EACCES, "%s:%d: %s: '%s' cannot be run by user '%s': it may not enter '%.*s'",
					  c->path, line, what, path, pw->pw_name, (int)(slash - dir), dir);
		}
		*slash = '/';
	}
	if (stat(path, &st) < 0)
		return wg_err_set(err, -errno, "%s:%d: %s: '%s' %s", c->path, line, what, path,
				  errno == ENOENT ? "does not exist" : strerror(errno));
	if (!S_ISREG(st.st_mode))
		return wg_err_set(err, -EINVAL, "%s:%d: %s: '%s' is not a file that can be run", c->path, line, what, path);
	if (!user_may(&st, pw->pw_uid, groups, n, S_IXUSR))
		return wg_err_set(err, -EACCES, "%s:%d: %s: '%s' cannot be run by user '%s': it is not executable for it",
				  c->path, line, what, path, pw->pw_name);
	return 0;
}

/* The line of the file that sets a top-level key, for a message; 1 when it cannot be told. */
static int key_line(const char *path, const char *key)
{
	FILE *f = fopen(path, "re");
	char buf[4096];
	int line = 0, found = 1;

	while (f && fgets(buf, sizeof(buf), f)) {
		const char *p = buf + strspn(buf, " \t");

		line++;
		if (strncmp(p, key, strlen(key)) == 0 && strchr(" \t=", p[strlen(key)])) {
			found = line;
			break;
		}
	}
	if (f)
		fclose(f);
	return found;
}

static int check_programs(const struct config *c, struct wg_err *err)
{
	char what[STORE_NAME_MAX + 32];
	int r;

	for (size_t i = 0; i < c->n_jobs; i++) {
		const struct job_cfg *j = &c->jobs[i];

		if (!j->command)
			continue;
		snprintf(what, sizeof(what), "job '%s'", j->name);
		/* with shell, the command is a line for /bin/sh: what it runs is the shell's to find */
		r = check_program(c, what, j->line, j->shell ? "/bin/sh" : j->command[0], j->user, err);
		if (r < 0)
			return r;
	}
	if (c->notify)
		return check_program(c, "notify", key_line(c->path, "notify"), c->notify[0], NULL, err);
	return 0;
}

/* A job's drives as the gate will find them, for --json: names, and what no drive section names. */
static void json_job_drives(struct wg_json *j, const struct cmd_ctx *ctx, const struct job_cfg *job)
{
	const struct drive_cfg **drives = NULL;
	char **unmonitored = NULL;
	struct wg_json a;

	wg_json_key(j, "touches");
	wg_json_open(&a, j->f, '[');
	if (resolve(ctx, job, &drives, &unmonitored, NULL) == 0)
		for (size_t i = 0; drives[i]; i++)
			wg_json_str(&a, NULL, drives[i]->name);
	wg_json_close(&a, ']');
	wg_json_strv(j, "unmonitored", unmonitored ? unmonitored : (char *[]){ NULL });
	free(drives);
	strv_free(unmonitored);
}

/*
 * check-config --json: {"file", "valid", "messages": what was said on stderr, "drives",
 * "jobs"}; the drives and jobs as understood (null when the file is not valid), each job with
 * the drives it touches.
 */
static void print_json(const struct cmd_ctx *ctx, bool valid, char *const *messages)
{
	const struct config *c = valid ? ctx->config : NULL;
	struct wg_json o, a;

	wg_json_open(&o, stdout, '{');
	wg_json_str(&o, "file", ctx->config ? ctx->config->path : ctx->config_path);
	wg_json_bool(&o, "valid", valid);
	wg_json_strv(&o, "messages", messages ? messages : (char *[]){ NULL });
	wg_json_str(&o, "database", c ? c->database : NULL);
	wg_json_key(&o, "drives");
	if (!c) {
		fputs("null", stdout);
	} else {
		wg_json_open(&a, stdout, '[');
		for (size_t i = 0; i < c->n_drives; i++) {
			const struct drive_cfg *d = &c->drives[i];
			struct wg_json x;

			wg_json_key(&a, NULL);
			wg_json_open(&x, stdout, '{');
			wg_json_str(&x, "name", d->name);
			wg_json_int(&x, "line", d->line, true);
			wg_json_str(&x, "device", d->source == DRIVE_DEVICE ? d->path : NULL);
			wg_json_str(&x, "blob", d->source == DRIVE_BLOB ? d->path : NULL);
			wg_json_str(&x, "access", d->source == DRIVE_DEVICE ? smart_access_to_string(d->access) : NULL);
			wg_json_int(&x, "read_timeout", d->read_timeout > 0 ? d->read_timeout : DRIVE_READ_TIMEOUT_DEFAULT,
				    true);
			wg_json_close(&x, '}');
		}
		wg_json_close(&a, ']');
	}
	wg_json_key(&o, "jobs");
	if (!c) {
		fputs("null", stdout);
	} else {
		wg_json_open(&a, stdout, '[');
		for (size_t i = 0; i < c->n_jobs; i++) {
			const struct job_cfg *jb = &c->jobs[i];
			struct wg_json x;

			wg_json_key(&a, NULL);
			wg_json_open(&x, stdout, '{');
			wg_json_str(&x, "name", jb->name);
			wg_json_int(&x, "line", jb->line, true);
			wg_json_str(&x, "class", job_class_to_string(jb->class));
			wg_json_str(&x, "test", jb->class == JOB_SELFTEST ? smart_test_to_string(jb->test) : NULL);
			wg_json_strv(&x, "command", jb->command);
			wg_json_bool(&x, "shell", jb->shell);
			wg_json_strv(&x, "paths", jb->paths);
			wg_json_strv(&x, "drives", jb->drives);
			json_job_drives(&x, ctx, jb);
			wg_json_int(&x, "timeout", jb->timeout, jb->timeout > 0);
			wg_json_int(&x, "cooldown", jb->cooldown, jb->cooldown >= 0);
			wg_json_int(&x, "every", jb->every, jb->every > 0);
			wg_json_str(&x, "on_unknown", verdict_to_string(jb->on_unknown));
			wg_json_close(&x, '}');
		}
		wg_json_close(&a, ']');
	}
	wg_json_close(&o, '}');
	putchar('\n');
}

/* Every check, in the order an admin fixes them; what is wrong is said on stderr. 0 when the file is valid. */
static int check(struct cmd_ctx *ctx)
{
	const struct config *c;
	int r;

	r = cmd_ready(ctx);
	if (r)
		return r;
	c = ctx->config;
	{
		struct wg_err err = { "" };

		r = resolve_drives_once(c, &err);
		if (r < 0) {
			cmd_error("%s", err.msg);
			return r == -ENOMEM ? WG_EXIT_SOFTWARE : WG_EXIT_CONFIG;
		}
	}
	ahead_warnings(ctx);
	{
		struct wg_err err = { "" };

		r = check_programs(c, &err);
		if (r < 0) {
			cmd_error("%s", err.msg);
			return WG_EXIT_CONFIG;
		}
	}
	/* a job whose drives cannot be found is as wrong as a misspelt key: say so before anything else */
	for (size_t i = 0; i < c->n_jobs; i++) {
		const struct drive_cfg **drives = NULL;
		char **unmonitored = NULL;
		struct wg_err err = { "" };

		r = resolve(ctx, &c->jobs[i], &drives, &unmonitored, &err);
		if (r < 0) {
			cmd_error("%s", err.msg);
			return r == -ENOMEM ? WG_EXIT_SOFTWARE : WG_EXIT_CONFIG;
		}
		for (size_t k = 0; unmonitored && unmonitored[k]; k++)
			cmd_error("%s:%d: job '%s' touches %s, which no drive section names: its health is not checked",
				  c->path, c->jobs[i].line, c->jobs[i].name, unmonitored[k]);
		free(drives);
		strv_free(unmonitored);
	}
	return 0;
}

static int check_config_option(struct cmd_ctx *ctx, void *state, int id, const char *arg)
{
	bool *json = state;

	if (id == 'c')
		ctx->config_path = arg;
	else
		*json = true;
	return 0;
}

static int cmd_check_config(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct config *c;
	char **messages = NULL;
	bool json = false;
	int r;

	if (cmd_parse_options(ctx, argc, argv, check_config_option, &json, &r))
		return r;
	if (json) {
		cmd_error_capture(&messages);
		r = check(ctx);
		cmd_error_capture(NULL);
		/* an error of weargate's own (out of memory) is no verdict on the file */
		if (r == 0 || r == WG_EXIT_CONFIG)
			print_json(ctx, r == 0, messages);
		strv_free(messages);
		return r;
	}
	r = check(ctx);
	if (r)
		return r;
	c = ctx->config;
	fputs("# ", stdout);
	put_string(stdout, c->path);
	fputs(" is valid: every setting as weargate reads it, defaults included\n", stdout);
	fputs("database = ", stdout);
	put_string(stdout, c->database);
	fputc('\n', stdout);
	if (c->drivedb) {
		fputs("drivedb = ", stdout);
		put_string(stdout, c->drivedb);
		fputc('\n', stdout);
	} else {
		fputs("# drivedb: smartmontools' (" DRIVEDB_UPDATED_PATH ", else " DRIVEDB_PACKAGE_PATH ")\n", stdout);
	}
	print_policy(stdout, &c->policy);
	print_runner(stdout, c);
	for (size_t i = 0; i < c->n_drives; i++)
		print_drive(stdout, &c->drives[i]);
	for (size_t i = 0; i < c->n_jobs; i++)
		print_job(stdout, ctx, &c->jobs[i]);
	return 0;
}

const struct cmd_entry cmd_check_config_entry = {
	.name = "check-config",
	.usage = "[-c FILE] [--json]",
	.summary = "check the configuration file and print it as understood",
	.help = check_config_help,
	.options = check_config_options,
	.exit_status = check_config_exit_status,
	.operands = CMD_OPERANDS_NONE,
	.flags = CMD_NEEDS_CONFIG,
	.exec = cmd_check_config,
};
