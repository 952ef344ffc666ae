/* cmd-history.c — `weargate history --jobs`: what each heavy job did to each drive */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attrs.h"
#include "cmd.h"

#define DEFAULT_SINCE (30 * 86400)

static const char history_help[] =
	"Show the job runs that started in the range, oldest first: job, start (local time in\n"
	"the table, UTC in CSV and JSON), duration, outcome and exit status, and per drive the\n"
	"sectors read and written during the run and the media counters before and after it.\n"
	"This table answers \"did the cleanup kill the disk?\".\n"
	"\n"
	"Options:\n"
	"  --jobs              the job runs (the one view this version has)\n"
	"  --since WHEN        from WHEN: a duration back from now (30d, the default) or a\n"
	"                      date, \"2026-11-20\" or \"2026-11-20T14:10\" local, or UTC with Z\n"
	"  --until WHEN        up to WHEN (default: now)\n"
	"  --format FORMAT     table (default), csv or json\n"
	"  -h, --help          show this help\n"
	"\n"
	"Exit status: 0, 64 for a wrong option or value, 69 when there is no history yet or it\n"
	"cannot be read, 70 on an internal error, 78 for a configuration error.\n";

enum format {
	FORMAT_TABLE,
	FORMAT_CSV,
	FORMAT_JSON,
};

/* The counters of a drive in one sample; all unknown when the sample is not there. */
static void counters_at(struct store *s, int64_t drive, int64_t pass, struct smart_derived *ret)
{
	struct store_sample *x = malloc(sizeof(*x));
	struct smart_reading none = { .status = READING_ERROR };

	if (x && pass > 0 && store_sample_get(s, drive, pass, x, NULL) == 0)
		attrs_derive(&x->reading, ret);
	else
		attrs_derive(&none, ret);
	free(x);
}

static void count_cell(char *buf, size_t len, int64_t before, int64_t after)
{
	char b[24] = "?", a[24] = "?";

	if (before >= 0)
		snprintf(b, sizeof(b), "%lld", (long long)before);
	if (after >= 0)
		snprintf(a, sizeof(a), "%lld", (long long)after);
	if (before >= 0 && before == after)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s → %s", b, a);
}

static void bytes_cell(char *buf, size_t len, int64_t sectors)
{
	if (sectors < 0)
		snprintf(buf, len, "?");
	else
		wg_format_bytes((uint64_t)sectors * 512, buf, len);
}

static void local_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm) || strftime(buf, len, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(buf, len, "@%lld", (long long)t);
}

struct history_ctx {
	struct store *store;
	enum format format;
	size_t n;
};

static void json_drive(struct store *s, const struct store_job_run_drive *d)
{
	struct smart_derived before, after;

	counters_at(s, d->drive_id, d->pass_before, &before);
	counters_at(s, d->drive_id, d->pass_after, &after);
	fputs("{\"name\":", stdout);
	wg_json_string(stdout, d->name[0] ? d->name : NULL);
	printf(",\"sectors_read\":");
	d->sectors_read >= 0 ? printf("%lld", (long long)d->sectors_read) : printf("null");
	printf(",\"sectors_written\":");
	d->sectors_written >= 0 ? printf("%lld", (long long)d->sectors_written) : printf("null");
	for (int k = 0; k < 2; k++) {
		const struct smart_derived *c = k ? &after : &before;
		const int64_t v[3] = { c->reallocated, c->pending, c->offline_uncorrectable };
		static const char *const keys[3] = { "reallocated_sectors", "pending_sectors", "offline_uncorrectable" };

		printf(",\"%s\":{", k ? "after" : "before");
		for (int i = 0; i < 3; i++) {
			printf("%s\"%s\":", i ? "," : "", keys[i]);
			v[i] >= 0 ? printf("%lld", (long long)v[i]) : printf("null");
		}
		putchar('}');
	}
	putchar('}');
}

static void json_run(struct history_ctx *h, const struct store_job_run *run)
{
	char when[32];

	printf("%s{\"id\":%lld,\"job\":", h->n ? "," : "", (long long)run->id);
	wg_json_string(stdout, run->job);
	fputs(",\"class\":", stdout);
	wg_json_string(stdout, run->class);
	wg_format_utc(run->started, when, sizeof(when));
	fputs(",\"started\":", stdout);
	wg_json_string(stdout, when);
	fputs(",\"ended\":", stdout);
	if (run->ended >= 0) {
		wg_format_utc(run->ended, when, sizeof(when));
		wg_json_string(stdout, when);
		printf(",\"duration_seconds\":%lld", (long long)(run->ended - run->started));
	} else {
		fputs("null,\"duration_seconds\":null", stdout);
	}
	fputs(",\"outcome\":", stdout);
	wg_json_string(stdout, run->outcome[0] ? run->outcome : NULL);
	printf(",\"exit_status\":");
	run->exit_status >= 0 && run->outcome[0] ? printf("%d", run->exit_status) : printf("null");
	fputs(",\"verdict\":", stdout);
	wg_json_string(stdout, run->verdict[0] ? run->verdict : NULL);
	fputs(",\"reason\":", stdout);
	wg_json_string(stdout, run->reason[0] ? run->reason : NULL);
	fputs(",\"drives\":[", stdout);
	for (size_t i = 0; i < run->n_drives; i++) {
		if (i)
			putchar(',');
		json_drive(h->store, &run->drives[i]);
	}
	fputs("]}", stdout);
}

static void csv_field(const char *s, bool last)
{
	bool quote = strpbrk(s, ",\"\n") != NULL;

	if (quote)
		putchar('"');
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			putchar('"');
		putchar(*p);
	}
	if (quote)
		putchar('"');
	putchar(last ? '\n' : ',');
}

/* One row per run and drive: the table and CSV say the same, each its way. */
static void row_run(struct history_ctx *h, const struct store_job_run *run)
{
	char started[32], duration[32] = "running", exit_status[16] = "-";
	size_t n = run->n_drives ? run->n_drives : 1;

	if (h->format == FORMAT_CSV)
		wg_format_utc(run->started, started, sizeof(started));
	else
		local_time(run->started, started, sizeof(started));
	if (run->ended >= 0)
		wg_format_age(run->ended - run->started, duration, sizeof(duration));
	if (run->exit_status >= 0 && run->outcome[0])
		snprintf(exit_status, sizeof(exit_status), "%d", run->exit_status);
	for (size_t i = 0; i < n; i++) {
		const struct store_job_run_drive *d = run->n_drives ? &run->drives[i] : NULL;
		struct smart_derived before, after;
		char rd[24] = "-", wr[24] = "-", realloc_[48] = "-", pending[48] = "-";

		if (d) {
			counters_at(h->store, d->drive_id, d->pass_before, &before);
			counters_at(h->store, d->drive_id, d->pass_after, &after);
			bytes_cell(rd, sizeof(rd), d->sectors_read);
			bytes_cell(wr, sizeof(wr), d->sectors_written);
			count_cell(realloc_, sizeof(realloc_), before.reallocated, after.reallocated);
			count_cell(pending, sizeof(pending), before.pending, after.pending);
		}
		if (h->format == FORMAT_CSV) {
			const char *fields[] = { run->job, started, duration, run->outcome, exit_status,
						 d && d->name[0] ? d->name : "", rd, wr, realloc_, pending, run->reason };

			for (size_t k = 0; k < WG_ELEMENTSOF(fields); k++)
				csv_field(fields[k], k + 1 == WG_ELEMENTSOF(fields));
		} else {
			printf("%-14s %-16s %-8s %-11s %-4s %-6s %-10s %-10s %-9s %-9s %s\n", run->job, started, duration,
			       run->outcome[0] ? run->outcome : "running", exit_status, d && d->name[0] ? d->name : "-", rd,
			       wr, realloc_, pending, i == 0 ? run->reason : "");
		}
	}
}

static int on_run(const struct store_job_run *run, void *userdata)
{
	struct history_ctx *h = userdata;

	if (h->format == FORMAT_JSON)
		json_run(h, run);
	else
		row_run(h, run);
	h->n++;
	return 0;
}

static int cmd_history(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{ "jobs", no_argument, NULL, 'J' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct history_ctx h = { .format = FORMAT_TABLE };
	const char *since_arg = NULL, *until_arg = NULL;
	struct wg_err err = { "" };
	int64_t since, until;
	bool jobs = false;
	int c, r;

	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'J':
			jobs = true;
			break;
		case 's':
			since_arg = optarg;
			break;
		case 'u':
			until_arg = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "table") == 0)
				h.format = FORMAT_TABLE;
			else if (strcmp(optarg, "csv") == 0)
				h.format = FORMAT_CSV;
			else if (strcmp(optarg, "json") == 0)
				h.format = FORMAT_JSON;
			else
				return cmd_usage_error(ctx->entry, "--format '%s' is not one of table, csv, json", optarg);
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
	if (!jobs)
		return cmd_usage_error(ctx->entry, "which view? this version shows --jobs");
	r = cmd_ready(ctx);
	if (r)
		return r;
	since = ctx->now - DEFAULT_SINCE;
	until = ctx->now;
	if (since_arg && wg_parse_when(since_arg, ctx->now, &since) < 0)
		return cmd_usage_error(ctx->entry, "--since '%s' is not a duration (30d) or a date (2026-11-20)",
				       since_arg);
	if (until_arg && wg_parse_when(until_arg, ctx->now, &until) < 0)
		return cmd_usage_error(ctx->entry, "--until '%s' is not a duration (30d) or a date (2026-11-20)",
				       until_arg);
	h.store = ctx->store;
	if (h.format == FORMAT_TABLE)
		printf("%-14s %-16s %-8s %-11s %-4s %-6s %-10s %-10s %-9s %-9s %s\n", "JOB", "STARTED", "TOOK",
		       "OUTCOME", "EXIT", "DRIVE", "READ", "WRITTEN", "REALLOC", "PENDING", "REASON");
	else if (h.format == FORMAT_CSV)
		printf("job,started,took,outcome,exit_status,drive,read,written,reallocated,pending,reason\n");
	else
		fputs("{\"runs\":[", stdout);
	r = store_foreach_job_run(ctx->store, since, until, on_run, &h, &err);
	if (h.format == FORMAT_JSON)
		fputs("]}\n", stdout);
	if (r < 0) {
		cmd_error("cannot read the history: %s", err.msg);
		return r == -ENOMEM ? WG_EXIT_SOFTWARE : WG_EXIT_UNAVAILABLE;
	}
	return 0;
}

const struct cmd_entry cmd_history_entry = {
	.name = "history",
	.usage = "--jobs [--since WHEN] [--until WHEN] [--format table|csv|json]",
	.summary = "show what each heavy job did to each drive",
	.help = history_help,
	.flags = CMD_READS_STORE,
	.exec = cmd_history,
};
