/* cmd-history.c — `weargate history`: the samples of the drives over a range, their trends, their events, the job runs */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attrs.h"
#include "cmd.h"
#include "history.h"

#define DEFAULT_SINCE (30 * 86400)
/* the table's rows at most, unless --buckets says otherwise; also a sparkline's width */
#define DEFAULT_BUCKETS 60
#define BUCKETS_MAX 100000

static const char history_help[] =
	"Show the samples of the drives (every configured drive, or those named) that were taken\n"
	"in the range, oldest first: for each attribute the value weargate reads from it (the\n"
	"counts of the media counters, the temperature in degrees C of 194 and 190, the raw\n"
	"value of the others); \"-\" in the table and CSV and null in JSON where it is unknown.\n"
	"Times are local in the table, UTC (ISO 8601) in CSV and JSON. The table shows at most\n"
	"60 rows per drive: a longer range is cut into 60 spans of time, each row a span's last\n"
	"value and, when they differ, its lowest and highest; under each drive a sparkline per\n"
	"attribute shows the climb (Unicode blocks in a UTF-8 locale, ASCII otherwise).\n";

static const struct cmd_option history_options[] = {
	{ .name = "attr", .arg = "ID|NAME", .id = 'a',
	  .help = "the attributes to show, by id (197) or name\n"
		  "(current_pending_sector); repeat it or separate with commas.\n"
		  "Default: 5,197,198,194" },
	{ .name = "trend", .id = 'T', .group = "view",
	  .help = "per drive and attribute: first and last value, change per day,\n"
		  "when a counter first was above zero, the largest jump" },
	{ .name = "events", .id = 'E', .group = "view", .help = "the drives' state changes and the gate's decisions" },
	{ .name = "jobs", .id = 'J', .group = "view",
	  .help = "the job runs: per drive the sectors read and written during each\n"
		  "run and the media counters before and after it; no DRIVE, --attr\n"
		  "or --buckets with it" },
	{ .name = "buckets", .arg = "N", .id = 'b',
	  .help = "at most N rows per drive, each a span's lowest, highest and last\n"
		  "value; 0 shows every sample. Default: 60 for the table, every\n"
		  "sample for CSV and JSON" },
	{ .name = "since", .arg = "WHEN", .id = 's',
	  .help = "from WHEN: a duration back from now (30d, the default) or a\n"
		  "date, \"2026-11-20\" or \"2026-11-20T14:10\" local, or UTC with Z" },
	{ .name = "until", .arg = "WHEN", .id = 'u', .help = "up to WHEN (default: now)" },
	{ .name = "format", .arg = "FORMAT", .values = "table csv json", .id = 'f', .group = "format",
	  .help = "table (default), csv or json" },
	{ .name = "json", .id = 'j', .group = "format", .help = "the same as --format json" },
	{ 0 },
};

static const char history_exit_status[] =
	"Exit status: 0, 64 for a wrong option or value, 69 when there is no history yet or it\n"
	"cannot be read, 70 on an internal error, 78 for a configuration error.\n";

struct history_ctx {
	struct store *store;
	enum history_format format;
	size_t n;
	size_t self_tests; /* of the run being printed as JSON */
	bool utf8;
	size_t n_attrs;
	uint8_t attrs[HISTORY_ATTRS_MAX];
	int buckets; /* -1: the format's default */
	int64_t since, until;
};

/* printf's %-*s pads by bytes; a cell holding "→" needs padding by characters. */
static void print_cell(const char *s, int width)
{
	int chars = 0;

	for (const char *p = s; *p; p++)
		if (((unsigned char)*p & 0xc0) != 0x80)
			chars++;
	printf("%s%*s ", s, chars < width ? width - chars : 0, "");
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

static void json_drive(const struct store_job_run_drive *d)
{
	fputs("{\"name\":", stdout);
	wg_json_string(stdout, d->name[0] ? d->name : NULL);
	printf(",\"sectors_read\":");
	d->sectors_read >= 0 ? printf("%lld", (long long)d->sectors_read) : printf("null");
	printf(",\"sectors_written\":");
	d->sectors_written >= 0 ? printf("%lld", (long long)d->sectors_written) : printf("null");
	for (int k = 0; k < 2; k++) {
		const struct store_counts *c = k ? &d->after : &d->before;
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

/* A self-test of a run, as JSON: {"drive":…,"test":…,"result":…,"detail":…,"status":…}. */
static int json_self_test(const struct store_self_test *t, void *userdata)
{
	struct history_ctx *h = userdata;
	char name[STORE_NAME_MAX] = "";

	if (store_drive_name(h->store, t->drive_id, name, sizeof(name), NULL) < 0)
		name[0] = '\0';
	printf("%s{\"drive\":", h->self_tests++ ? "," : "");
	wg_json_string(stdout, name[0] ? name : NULL);
	fputs(",\"test\":", stdout);
	wg_json_string(stdout, t->test);
	fputs(",\"result\":", stdout);
	wg_json_string(stdout, t->result[0] ? t->result : NULL);
	fputs(",\"detail\":", stdout);
	wg_json_string(stdout, t->detail[0] ? t->detail : NULL);
	t->status >= 0 ? printf(",\"status\":%d}", t->status) : printf(",\"status\":null}");
	return 0;
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
	fputs(",\"recorded_by\":", stdout);
	wg_json_string(stdout, run->origin);
	fputs(",\"output\":", stdout);
	if (run->output_len)
		wg_json_bytes(stdout, run->output, run->output_len);
	else
		fputs("null", stdout);
	fputs(",\"drives\":[", stdout);
	for (size_t i = 0; i < run->n_drives; i++) {
		if (i)
			putchar(',');
		json_drive(&run->drives[i]);
	}
	/* a self-test's end on each drive; [] for a job of another class */
	fputs("],\"self_tests\":[", stdout);
	h->self_tests = 0;
	if (strcmp(run->class, "selftest") == 0)
		store_foreach_self_test(h->store, run->id, json_self_test, h, NULL);
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

	if (h->format == HISTORY_CSV)
		wg_format_utc(run->started, started, sizeof(started));
	else
		local_time(run->started, started, sizeof(started));
	if (run->ended >= 0)
		wg_format_age(run->ended - run->started, duration, sizeof(duration));
	if (run->exit_status >= 0 && run->outcome[0])
		snprintf(exit_status, sizeof(exit_status), "%d", run->exit_status);
	for (size_t i = 0; i < n; i++) {
		const struct store_job_run_drive *d = run->n_drives ? &run->drives[i] : NULL;
		char rd[24] = "-", wr[24] = "-", realloc_[48] = "-", pending[48] = "-";

		if (d) {
			bytes_cell(rd, sizeof(rd), d->sectors_read);
			bytes_cell(wr, sizeof(wr), d->sectors_written);
			wg_format_change(d->before.reallocated, d->after.reallocated, realloc_, sizeof(realloc_));
			wg_format_change(d->before.pending, d->after.pending, pending, sizeof(pending));
		}
		if (h->format == HISTORY_CSV) {
			const char *fields[] = { run->job, started, duration, run->outcome, exit_status,
						 d && d->name[0] ? d->name : "", rd, wr, realloc_, pending, run->reason };

			for (size_t k = 0; k < WG_ELEMENTSOF(fields); k++)
				csv_field(fields[k], k + 1 == WG_ELEMENTSOF(fields));
		} else {
			printf("%-14s %-16s %-8s %-11s %-4s %-6s %-10s %-10s ", run->job, started, duration,
			       run->outcome[0] ? run->outcome : "running", exit_status, d && d->name[0] ? d->name : "-", rd,
			       wr);
			print_cell(realloc_, 9);
			print_cell(pending, 9);
			printf("%s\n", i == 0 ? run->reason : "");
		}
	}
}

static int on_run(const struct store_job_run *run, void *userdata)
{
	struct history_ctx *h = userdata;

	if (h->format == HISTORY_JSON)
		json_run(h, run);
	else
		row_run(h, run);
	h->n++;
	return 0;
}

static void int_cell(char *buf, size_t len, int64_t v)
{
	if (v == ATTR_UNKNOWN)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%lld", (long long)v);
}

static void json_int(int64_t v)
{
	if (v == ATTR_UNKNOWN)
		fputs("null", stdout);
	else
		printf("%lld", (long long)v);
}

static void json_time(int64_t t)
{
	char when[32];

	wg_format_utc(t, when, sizeof(when));
	wg_json_string(stdout, when);
}

/* One line of blocks, lowest to highest over the line's own range; a blank where nothing is known. */
static void sparkline(const struct history_ctx *h, const struct history_bucket *b, size_t n, size_t attr)
{
	static const char *const blocks[HISTORY_SPARK_LEVELS] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	static const char ascii[HISTORY_SPARK_LEVELS + 1] = "_.:-=+*#";
	int64_t lo, hi;

	history_spark_range(b, n, attr, &lo, &hi);
	for (size_t k = 0; k < n; k++) {
		int64_t v = b[k].max[attr];
		int level;

		if (v == ATTR_UNKNOWN) {
			putchar(' ');
			continue;
		}
		level = history_spark_level(v, lo, hi);
		if (h->utf8)
			fputs(blocks[level], stdout);
		else
			putchar(ascii[level]);
	}
}

static int table_series(struct history_ctx *h, const struct history_series *s)
{
	size_t max = h->buckets < 0 ? DEFAULT_BUCKETS : (size_t)h->buckets;
	const char *arrow = h->utf8 ? "→" : "->";
	struct history_bucket *b = NULL, *spark = NULL;
	size_t n = 0, n_spark = 0;
	char bufs[HISTORY_ATTRS_MAX][32], from[32], to[32];
	const char *names[HISTORY_ATTRS_MAX];
	int w[HISTORY_ATTRS_MAX], wname = 0, r;

	if (s->n == 0) {
		printf("%s: no samples in the range\n\n", s->name);
		return 0;
	}
	r = history_bucketize(s, max, &b, &n);
	if (r >= 0)
		r = history_bucketize(s, DEFAULT_BUCKETS, &spark, &n_spark);
	if (r < 0)
		goto out;
	local_time(s->t[0], from, sizeof(from));
	local_time(s->t[s->n - 1], to, sizeof(to));
	if (n < s->n)
		printf("%s: %zu samples from %s to %s, in %zu rows: last value (lowest-highest)\n", s->name, s->n, from,
		       to, n);
	else
		printf("%s: %zu samples from %s to %s\n", s->name, s->n, from, to);
	printf("%-16s", "TIME");
	for (size_t i = 0; i < h->n_attrs; i++) {
		int len;

		names[i] = attr_name(h->attrs[i], bufs[i], sizeof(bufs[i]));
		len = (int)strlen(names[i]);

		w[i] = len < 8 ? 8 : len;
		wname = len > wname ? len : wname;
		printf("  %-*s", i + 1 < h->n_attrs ? w[i] : 0, names[i]);
	}
	putchar('\n');
	for (size_t k = 0; k < n; k++) {
		local_time(b[k].t0, from, sizeof(from));
		printf("%-16s", from);
		for (size_t i = 0; i < h->n_attrs; i++) {
			char cell[80];

			int_cell(cell, sizeof(cell), b[k].last[i]);
			if (b[k].min[i] != b[k].max[i])
				snprintf(cell, sizeof(cell), "%lld (%lld-%lld)", (long long)b[k].last[i],
					 (long long)b[k].min[i], (long long)b[k].max[i]);
			printf("  %-*s", i + 1 < h->n_attrs ? w[i] : 0, cell);
		}
		putchar('\n');
	}
	for (size_t i = 0; i < h->n_attrs; i++) {
		size_t first = 0, last = 0;

		printf("  %-*s  ", wname, names[i]);
		sparkline(h, spark, n_spark, i);
		if (!history_first_last(s, i, &first, &last))
			printf("  -\n");
		else if (s->v[first * h->n_attrs + i] == s->v[last * h->n_attrs + i])
			printf("  %lld\n", (long long)s->v[last * h->n_attrs + i]);
		else
			printf("  %lld %s %lld\n", (long long)s->v[first * h->n_attrs + i], arrow,
			       (long long)s->v[last * h->n_attrs + i]);
	}
	putchar('\n');
out:
	free(b);
	free(spark);
	return r;
}

static void csv_int(int64_t v, bool last)
{
	char cell[24];

	int_cell(cell, sizeof(cell), v);
	csv_field(cell, last);
}

static void csv_header_samples(const struct history_ctx *h)
{
	char buf[32];

	fputs(h->buckets > 0 ? "drive,time,until,samples" : "drive,time", stdout);
	for (size_t i = 0; i < h->n_attrs; i++) {
		const char *name = attr_name(h->attrs[i], buf, sizeof(buf));

		if (h->buckets > 0)
			printf(",%s_min,%s_max,%s_last", name, name, name);
		else
			printf(",%s", name);
	}
	putchar('\n');
}

static int csv_series(struct history_ctx *h, const struct history_series *s)
{
	struct history_bucket *b = NULL;
	char when[32];
	size_t n = 0;
	int r = 0;

	if (h->buckets > 0) {
		r = history_bucketize(s, (size_t)h->buckets, &b, &n);
		if (r < 0)
			return r;
	}
	for (size_t k = 0; k < (b ? n : s->n); k++) {
		csv_field(s->name, false);
		wg_format_utc(b ? b[k].t0 : s->t[k], when, sizeof(when));
		csv_field(when, h->n_attrs == 0 && !b);
		if (b) {
			wg_format_utc(b[k].t1, when, sizeof(when));
			csv_field(when, false);
			printf("%zu", b[k].n);
			putchar(h->n_attrs ? ',' : '\n');
		}
		for (size_t i = 0; i < h->n_attrs; i++) {
			bool last = i + 1 == h->n_attrs;

			if (b) {
				csv_int(b[k].min[i], false);
				csv_int(b[k].max[i], false);
				csv_int(b[k].last[i], last);
			} else {
				csv_int(s->v[k * h->n_attrs + i], last);
			}
		}
	}
	free(b);
	return 0;
}

static void json_values(const struct history_ctx *h, const int64_t *v)
{
	char name[32];

	putchar('{');
	for (size_t i = 0; i < h->n_attrs; i++) {
		printf("%s\"%s\":", i ? "," : "", attr_name(h->attrs[i], name, sizeof(name)));
		json_int(v[i]);
	}
	putchar('}');
}

static int json_series(struct history_ctx *h, const struct history_series *s)
{
	struct history_bucket *b = NULL;
	size_t n = 0;
	int r;

	printf("%s{\"name\":", h->n++ ? "," : "");
	wg_json_string(stdout, s->name);
	if (h->buckets > 0) {
		r = history_bucketize(s, (size_t)h->buckets, &b, &n);
		if (r < 0)
			return r;
		fputs(",\"buckets\":[", stdout);
		for (size_t k = 0; k < n; k++) {
			printf("%s{\"time\":", k ? "," : "");
			json_time(b[k].t0);
			fputs(",\"until\":", stdout);
			json_time(b[k].t1);
			printf(",\"samples\":%zu,\"min\":", b[k].n);
			json_values(h, b[k].min);
			fputs(",\"max\":", stdout);
			json_values(h, b[k].max);
			fputs(",\"last\":", stdout);
			json_values(h, b[k].last);
			putchar('}');
		}
		free(b);
	} else {
		fputs(",\"samples\":[", stdout);
		for (size_t k = 0; k < s->n; k++) {
			printf("%s{\"time\":", k ? "," : "");
			json_time(s->t[k]);
			fputs(",\"values\":", stdout);
			json_values(h, &s->v[k * h->n_attrs]);
			putchar('}');
		}
	}
	fputs("]}", stdout);
	return 0;
}

static void trend_series(struct history_ctx *h, const struct history_series *s)
{
	const char *arrow = h->utf8 ? "→" : "->";

	for (size_t i = 0; i < h->n_attrs; i++) {
		const int64_t *v = s->v;
		size_t na = h->n_attrs;
		char buf[32], first[48] = "-", last[48] = "-", per_day[32] = "-", nonzero[32] = "-", jump[160] = "-";
		char ft[32] = "", lt[32] = "", nt[32] = "", jt0[32] = "", jt1[32] = "";
		const char *name = attr_name(h->attrs[i], buf, sizeof(buf));
		struct history_trend t;

		history_trend_of(s, i, &t);
		if (h->format == HISTORY_JSON) {
			printf("%s{\"drive\":", h->n++ ? "," : "");
			wg_json_string(stdout, s->name);
			printf(",\"id\":%u,\"attribute\":\"%s\",\"samples\":%zu,\"first\":", h->attrs[i], name, s->n);
			if (t.known) {
				fputs("{\"time\":", stdout);
				json_time(s->t[t.first]);
				printf(",\"value\":%lld},\"last\":{\"time\":", (long long)v[t.first * na + i]);
				json_time(s->t[t.last]);
				printf(",\"value\":%lld}", (long long)v[t.last * na + i]);
			} else {
				fputs("null,\"last\":null", stdout);
			}
			fputs(",\"per_day\":", stdout);
			t.have_per_day ? printf("%.6g", t.per_day) : printf("null");
			fputs(",\"first_nonzero\":", stdout);
			t.nonzero >= 0 ? json_time(s->t[t.nonzero]) : (void)fputs("null", stdout);
			fputs(",\"largest_jump\":", stdout);
			if (t.have_jump) {
				printf("{\"change\":%lld,\"from\":{\"time\":",
				       (long long)(v[t.jump_to * na + i] - v[t.jump_from * na + i]));
				json_time(s->t[t.jump_from]);
				printf(",\"value\":%lld},\"to\":{\"time\":", (long long)v[t.jump_from * na + i]);
				json_time(s->t[t.jump_to]);
				printf(",\"value\":%lld}}", (long long)v[t.jump_to * na + i]);
			} else {
				fputs("null", stdout);
			}
			putchar('}');
			continue;
		}
		if (t.known) {
			snprintf(first, sizeof(first), "%lld", (long long)v[t.first * na + i]);
			snprintf(last, sizeof(last), "%lld", (long long)v[t.last * na + i]);
		}
		if (t.have_per_day)
			snprintf(per_day, sizeof(per_day), "%+.2f", t.per_day);
		if (h->format == HISTORY_CSV) {
			if (t.have_per_day)
				snprintf(per_day, sizeof(per_day), "%.6g", t.per_day);
			if (t.known) {
				wg_format_utc(s->t[t.first], ft, sizeof(ft));
				wg_format_utc(s->t[t.last], lt, sizeof(lt));
			}
			if (t.nonzero >= 0)
				wg_format_utc(s->t[t.nonzero], nt, sizeof(nt));
			if (t.have_jump) {
				wg_format_utc(s->t[t.jump_from], jt0, sizeof(jt0));
				wg_format_utc(s->t[t.jump_to], jt1, sizeof(jt1));
				snprintf(jump, sizeof(jump), "%lld",
					 (long long)(v[t.jump_to * na + i] - v[t.jump_from * na + i]));
			}
			csv_field(s->name, false);
			csv_field(name, false);
			printf("%u,", h->attrs[i]);
			csv_field(t.known ? ft : "-", false);
			csv_field(first, false);
			csv_field(t.known ? lt : "-", false);
			csv_field(last, false);
			csv_field(per_day, false);
			csv_field(t.nonzero >= 0 ? nt : "-", false);
			csv_field(jump, false);
			csv_field(t.have_jump ? jt0 : "-", false);
			csv_int(t.have_jump ? v[t.jump_from * na + i] : ATTR_UNKNOWN, false);
			csv_field(t.have_jump ? jt1 : "-", false);
			csv_int(t.have_jump ? v[t.jump_to * na + i] : ATTR_UNKNOWN, true);
			continue;
		}
		if (t.nonzero >= 0)
			local_time(s->t[t.nonzero], nonzero, sizeof(nonzero));
		if (t.have_jump) {
			local_time(s->t[t.jump_from], jt0, sizeof(jt0));
			local_time(s->t[t.jump_to], jt1, sizeof(jt1));
			snprintf(jump, sizeof(jump), "%+lld: %lld %s %lld, %s %s %s",
				 (long long)(v[t.jump_to * na + i] - v[t.jump_from * na + i]),
				 (long long)v[t.jump_from * na + i], arrow, (long long)v[t.jump_to * na + i], jt0, arrow,
				 jt1);
		}
		printf("%-8s %-24s %-8s %-8s %-9s %-16s %s\n", s->name, name, first, last, per_day, nonzero, jump);
	}
}

static void print_events(const struct history_ctx *h, const struct history_events *events)
{
	static const char *const kinds[] = {
		[HISTORY_EVENT_STATE] = "state",
		[HISTORY_EVENT_DECISION] = "decision",
		[HISTORY_EVENT_CLOCK] = "clock",
	};

	if (h->format == HISTORY_TABLE)
		printf("%-16s %-8s %-14s %-10s %s\n", "TIME", "EVENT", "DRIVE/JOB", "STATE", "REASON");
	else if (h->format == HISTORY_CSV)
		printf("time,event,drive,job,state,verdict,reason,states\n");
	else
		fputs("{\"events\":[", stdout);
	for (size_t k = 0; k < events->n; k++) {
		const struct history_event *e = &events->v[k], *d = e;
		bool state = e->kind == HISTORY_EVENT_STATE, decision = e->kind == HISTORY_EVENT_DECISION;
		char when[32];

		if (h->format == HISTORY_JSON) {
			printf("%s{\"time\":", k ? "," : "");
			json_time(e->t);
			printf(",\"event\":\"%s\",", kinds[e->kind]);
			if (state) {
				fputs("\"drive\":", stdout);
				wg_json_string(stdout, e->drive);
				fputs(",\"state\":", stdout);
				wg_json_string(stdout, d->verdict);
				fputc(',', stdout);
			} else if (decision) {
				fputs("\"job\":", stdout);
				wg_json_string(stdout, d->job);
				fputs(",\"verdict\":", stdout);
				wg_json_string(stdout, d->verdict);
				fputc(',', stdout);
			}
			fputs("\"reason\":", stdout);
			wg_json_string(stdout, d->reason[0] ? d->reason : NULL);
			if (decision) {
				fputs(",\"states\":", stdout);
				wg_json_string(stdout, d->states[0] ? d->states : NULL);
			}
			putchar('}');
		} else if (h->format == HISTORY_CSV) {
			wg_format_utc(e->t, when, sizeof(when));
			csv_field(when, false);
			csv_field(kinds[e->kind], false);
			csv_field(state ? e->drive : "", false);
			csv_field(decision ? d->job : "", false);
			csv_field(state ? d->verdict : "", false);
			csv_field(decision ? d->verdict : "", false);
			csv_field(d->reason, false);
			csv_field(decision ? d->states : "", true);
		} else {
			local_time(e->t, when, sizeof(when));
			printf("%-16s %-8s %-14s %-10s %s%s%s%s\n", when, kinds[e->kind], decision ? d->job : e->drive,
			       d->verdict, d->reason, !decision || !d->states[0] ? "" : " (", decision ? d->states : "",
			       !decision || !d->states[0] ? "" : ")");
		}
	}
	if (h->format == HISTORY_JSON)
		fputs("]}\n", stdout);
}

/* --attr's list: ids or names, separated by commas; repeats are shown once. */
static int parse_attrs(struct history_args *a, const char *arg, const char **ret_bad)
{
	char buf[512], *save = NULL;

	if (wg_strlcpy(buf, arg, sizeof(buf)) < 0) {
		*ret_bad = arg;
		return -EINVAL;
	}
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		char *end;
		long id;
		bool dup = false;

		errno = 0;
		id = strtol(w, &end, 10);
		if (w[0] < '0' || w[0] > '9' || *end || errno || id < 1 || id > 255)
			id = attr_id_from_name(w);
		if (id < 0) {
			*ret_bad = arg + (w - buf);
			return -EINVAL;
		}
		for (size_t i = 0; i < a->n_attrs; i++)
			dup = dup || a->attrs[i] == id;
		if (dup)
			continue;
		if (a->n_attrs == HISTORY_ATTRS_MAX)
			return -E2BIG;
		a->attrs[a->n_attrs++] = (uint8_t)id;
	}
	if (a->n_attrs == 0) {
		*ret_bad = arg;
		return -EINVAL;
	}
	return 0;
}

/* The drives' state changes, the decisions that speak of those named (all when none is), the clock's steps back. */
static int history_events(struct history_ctx *h, const char *const *drives, size_t n, const char *const *filter,
			  struct wg_err *err)
{
	struct history_events events;
	int r;

	r = history_events_load(h->store, drives, n, filter, h->since, h->until, &events, err);
	if (r < 0)
		return r;
	print_events(h, &events);
	history_events_release(&events);
	return 0;
}

/* Each drive's samples, or their trends: read one drive at a time and printed before the next is read. */
static int history_samples(struct history_ctx *h, enum history_view view, const char *const *drives, size_t n,
			   struct wg_err *err)
{
	int r = 0;

	if (view == HISTORY_SAMPLES) {
		if (h->format == HISTORY_CSV)
			csv_header_samples(h);
		else if (h->format == HISTORY_JSON)
			fputs("{\"drives\":[", stdout);
	} else if (h->format == HISTORY_TABLE) {
		printf("%-8s %-24s %-8s %-8s %-9s %-16s %s\n", "DRIVE", "ATTRIBUTE", "FIRST", "LAST", "PER DAY",
		       "NON-ZERO SINCE", "LARGEST JUMP");
	} else if (h->format == HISTORY_CSV) {
		printf("drive,attribute,id,first_time,first,last_time,last,per_day,first_nonzero,jump,"
		       "jump_from_time,jump_from,jump_to_time,jump_to\n");
	} else {
		fputs("{\"trends\":[", stdout);
	}
	for (size_t i = 0; r >= 0 && i < n; i++) {
		struct history_series s;

		history_series_init(&s, drives[i], h->attrs, h->n_attrs);
		r = history_series_load(h->store, &s, h->since, h->until, err);
		if (r >= 0 && view == HISTORY_TREND)
			trend_series(h, &s);
		else if (r >= 0 && h->format == HISTORY_TABLE)
			r = table_series(h, &s);
		else if (r >= 0 && h->format == HISTORY_CSV)
			r = csv_series(h, &s);
		else if (r >= 0)
			r = json_series(h, &s);
		if (r == -ENOMEM)
			wg_err_set(err, r, "out of memory");
		history_series_release(&s);
	}
	if (h->format == HISTORY_JSON)
		fputs("]}\n", stdout);
	return r;
}

static int history_drives(struct cmd_ctx *ctx, struct history_ctx *h, const struct history_args *a, struct wg_err *err)
{
	size_t n = a->n_drives ? a->n_drives : ctx->config->n_drives;
	const char **drives = calloc(n ? n : 1, sizeof(*drives));
	int r;

	if (!drives)
		return wg_err_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		drives[i] = a->n_drives ? a->drives[i] : ctx->config->drives[i].name;
	if (a->view == HISTORY_EVENTS)
		r = history_events(h, drives, n, a->n_drives ? (const char *const *)a->drives : NULL, err);
	else
		r = history_samples(h, a->view, drives, n, err);
	free(drives);
	return r;
}

/* What the options say, before it is checked against the configuration and the clock. */
struct history_opts {
	struct history_args a;
	const char *since, *until; /* as given; NULL when not */
	int views;                 /* how many of --jobs, --trend and --events */
};

static int option_attr(const struct cmd_entry *e, const char *arg, struct history_args *a)
{
	const char *bad = NULL;
	int r;

	r = parse_attrs(a, arg, &bad);
	if (r == -E2BIG)
		return cmd_usage_error(e, "--attr: at most %d attributes", HISTORY_ATTRS_MAX);
	if (r < 0)
		return cmd_usage_error(e, "--attr '%s' is not an attribute id (1-255) or name (current_pending_sector)",
				       bad);
	return 0;
}

static int option_buckets(const struct cmd_entry *e, const char *arg, struct history_args *a)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end || errno || n > BUCKETS_MAX)
		return cmd_usage_error(e, "--buckets '%s' is not a number of rows 0-%d", arg, BUCKETS_MAX);
	a->buckets = (int)n;
	return 0;
}

static int option_format(const struct cmd_entry *e, const char *arg, struct history_args *a)
{
	if (strcmp(arg, "table") == 0)
		a->format = HISTORY_TABLE;
	else if (strcmp(arg, "csv") == 0)
		a->format = HISTORY_CSV;
	else if (strcmp(arg, "json") == 0)
		a->format = HISTORY_JSON;
	else
		return cmd_usage_error(e, "--format '%s' is not one of table, csv, json", arg);
	return 0;
}

/* One option as it stands; the views and the range are checked once all are read. */
static int history_option(struct cmd_ctx *ctx, void *state, int id, const char *arg)
{
	struct history_opts *o = state;

	switch (id) {
	case 'J':
		o->a.view = HISTORY_JOBS;
		o->views++;
		break;
	case 'T':
		o->a.view = HISTORY_TREND;
		o->views++;
		break;
	case 'E':
		o->a.view = HISTORY_EVENTS;
		o->views++;
		break;
	case 'a':
		return option_attr(ctx->entry, arg, &o->a);
	case 'b':
		return option_buckets(ctx->entry, arg, &o->a);
	case 's':
		o->since = arg;
		break;
	case 'u':
		o->until = arg;
		break;
	case 'f':
		return option_format(ctx->entry, arg, &o->a);
	case 'j': /* as status, gate, sample and check-config say it */
		o->a.format = HISTORY_JSON;
		break;
	}
	return 0;
}

/* One view at a time, each with the options it takes. */
static int check_view(const struct cmd_entry *e, const struct history_opts *o, bool drives_named)
{
	const struct history_args *a = &o->a;

	if (o->views > 1)
		return cmd_usage_error(e, "--jobs, --trend and --events are views of their own: choose one");
	if (a->view == HISTORY_JOBS && (drives_named || a->n_attrs || a->buckets >= 0))
		return cmd_usage_error(e, "--jobs shows every run: no DRIVE, --attr or --buckets with it");
	if (a->view == HISTORY_EVENTS && (a->n_attrs || a->buckets >= 0))
		return cmd_usage_error(e, "--events takes no --attr or --buckets");
	if (a->view == HISTORY_TREND && a->buckets >= 0)
		return cmd_usage_error(e, "--trend looks at every sample: no --buckets with it");
	return 0;
}

/* The drives are the configuration's: a name it does not know is a usage error, before the history is read. */
static int check_drives(const struct cmd_ctx *ctx, char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool found = false;

		for (size_t k = 0; k < ctx->config->n_drives && !found; k++)
			found = strcmp(ctx->config->drives[k].name, names[i]) == 0;
		if (!found)
			return cmd_usage_error(ctx->entry, "no drive '%s' in '%s'", names[i], ctx->config_path);
	}
	return 0;
}

/* --since and --until against the clock: the last 30 days unless they say otherwise. */
static int read_range(const struct cmd_ctx *ctx, const struct history_opts *o, struct history_args *a)
{
	int r;

	a->since = ctx->now - DEFAULT_SINCE;
	a->until = ctx->now;
	if (o->since && (r = cmd_parse_when(ctx->entry, "--since", o->since, ctx->now, &a->since)))
		return r;
	if (o->until && (r = cmd_parse_when(ctx->entry, "--until", o->until, ctx->now, &a->until)))
		return r;
	if (a->since > a->until)
		return cmd_usage_error(ctx->entry, "--since is after --until: the range is empty");
	return 0;
}

int cmd_history_args(struct cmd_ctx *ctx, int argc, char **argv, struct history_args *ret)
{
	static const uint8_t default_attrs[] = { 5, 197, 198, 194 };
	struct history_opts o = { .a = { .view = HISTORY_SAMPLES, .format = HISTORY_TABLE, .buckets = -1 } };
	int r;

	*ret = o.a;
	if (cmd_parse_options(ctx, argc, argv, history_option, &o, &r)) {
		ret->help = r == 0;
		return r;
	}
	r = check_view(ctx->entry, &o, optind < argc);
	if (r)
		return r;
	if (o.a.n_attrs == 0) {
		memcpy(o.a.attrs, default_attrs, sizeof(default_attrs));
		o.a.n_attrs = WG_ELEMENTSOF(default_attrs);
	}
	r = cmd_load_config(ctx);
	if (!r)
		r = check_drives(ctx, &argv[optind], (size_t)(argc - optind));
	if (!r)
		r = read_range(ctx, &o, &o.a);
	if (r)
		return r;
	o.a.drives = &argv[optind];
	o.a.n_drives = (size_t)(argc - optind);
	*ret = o.a;
	return 0;
}

static int cmd_history(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct history_ctx h = { 0 };
	struct history_args a;
	struct wg_err err = { "" };
	int r;

	r = cmd_history_args(ctx, argc, argv, &a);
	if (r || a.help)
		return r;
	h.format = a.format;
	h.n_attrs = a.n_attrs;
	memcpy(h.attrs, a.attrs, sizeof(h.attrs));
	h.buckets = a.buckets;
	h.since = a.since;
	h.until = a.until;
	r = cmd_ready(ctx);
	if (r)
		return r;
	/* "UTF-8 locale": the character set the environment's LC_CTYPE names, as nl_langinfo tells it */
	h.utf8 = setlocale(LC_CTYPE, "") && strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	h.store = ctx->store;
	if (a.view != HISTORY_JOBS) {
		r = history_drives(ctx, &h, &a, &err);
		goto out;
	}
	if (h.format == HISTORY_TABLE)
		printf("%-14s %-16s %-8s %-11s %-4s %-6s %-10s %-10s %-9s %-9s %s\n", "JOB", "STARTED", "TOOK",
		       "OUTCOME", "EXIT", "DRIVE", "READ", "WRITTEN", "REALLOC", "PENDING", "REASON");
	else if (h.format == HISTORY_CSV)
		printf("job,started,took,outcome,exit_status,drive,read,written,reallocated,pending,reason\n");
	else
		fputs("{\"runs\":[", stdout);
	r = store_foreach_job_run(ctx->store, h.since, h.until, on_run, &h, &err);
	if (h.format == HISTORY_JSON)
		fputs("]}\n", stdout);
out:
	if (r < 0) {
		cmd_error("cannot read the history: %s", err.msg);
		return r == -ENOMEM ? WG_EXIT_SOFTWARE : WG_EXIT_UNAVAILABLE;
	}
	return 0;
}

const struct cmd_entry cmd_history_entry = {
	.name = "history",
	.usage = "[DRIVE…] [--attr ID|NAME] [--trend | --events | --jobs] [--buckets N] [--since WHEN] "
		 "[--until WHEN] [--format table|csv|json | --json]",
	.summary = "show the drives' samples, trends and events, and what each heavy job did",
	.help = history_help,
	.options = history_options,
	.exit_status = history_exit_status,
	.operands = CMD_OPERANDS_DRIVES,
	.flags = CMD_READS_STORE,
	.exec = cmd_history,
};
