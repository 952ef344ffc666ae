/* cmd-report.c — `weargate report`: one self-contained HTML page of the drives, their history and the jobs */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "attrs.h"
#include "cmd.h"
#include "snapshot.h"
#include "version.h"

#define DEFAULT_SINCE (30 * 86400)
/* Points per series at most: a long range keeps the min and max of each time bucket, so spikes survive. */
#define SERIES_POINTS_MAX 600
/* The newest decisions shown; a gate hook every few minutes records thousands a month. */
#define DECISIONS_MAX 200

static const char report_help[] =
	"Write one self-contained HTML page (inline CSS and SVG, no script, nothing fetched)\n"
	"of the range: per drive its identity, state and reasons, charts of its media counters\n"
	"and temperature over time with each job run on it drawn as a band colored by its\n"
	"outcome and labelled with its job and outcome, then the job runs, what 'weargate\n"
	"gate' would say now for each job, and the gate decisions recorded. Nothing is read\n"
	"from the drives and nothing is written to the history.\n";

static const struct cmd_option report_options[] = {
	{ .name = "output", .arg = "FILE", .id = 'o',
	  .help = "write FILE atomically (a temporary file in its directory, then a\n"
		  "rename) instead of standard output" },
	{ .name = "since", .arg = "WHEN", .id = 's',
	  .help = "from WHEN: a duration back from now (30d, the default) or a date,\n"
		  "\"2026-11-20\" or \"2026-11-20T14:10\" local, or UTC with Z" },
	{ 0 },
};

static const char report_exit_status[] =
	"Exit status: 0, 64 for a wrong option or value or an --output in a directory that\n"
	"does not exist, 69 when there is no history yet or it cannot be read, 70 when the\n"
	"output cannot be written or on an internal error, 78 for a configuration error.\n";

enum { SER_REALLOC, SER_PENDING, SER_OFFUNC, SER_TEMP, _SER_MAX };

/* One sample's values; ATTR_UNKNOWN where not known (an unusable reading: a gap, never 0). */
struct report_point {
	int64_t t;
	int64_t v[_SER_MAX];
};

struct report_drive {
	const struct snapshot_drive *x; /* the drive as the history has it now */
	struct smart_derived d; /* of the usable sample */
	struct report_point *points;
	size_t n, cap;
	int64_t last[_SER_MAX]; /* of the previous sample, for the unchanged ones */
};

/* A job run drawn on a chart: its band on the time axis, and its label in a lane above the plot. */
struct chart_band {
	const struct store_job_run *run;
	double x0, x1;     /* the band */
	double lx0, lx1;   /* the label's extent */
	bool anchor_end;   /* the label ends at the band's end (it would run off the chart otherwise) */
	int lane;
};

struct report_ctx {
	struct cmd_ctx *cmd;
	int64_t since, t0, t1; /* the range asked for; the time axis */
	struct report_drive *drives;
	struct store_job_run *runs;
	size_t n_runs;
	struct store_decision *decisions; /* a ring of the newest DECISIONS_MAX */
	size_t n_decisions;               /* all in the range */
	struct snapshot snap;             /* the drives, and what the gate would say for each job now */
	struct chart_band *bands; /* room for a band per run, for each chart in turn */
};

static const struct report_series {
	const char *name;
	const char *cls;
} series_names[_SER_MAX] = {
	[SER_REALLOC] = { "reallocated (5)", "s-realloc" },
	[SER_PENDING] = { "pending (197)", "s-pending" },
	[SER_OFFUNC] = { "offline uncorrectable (198)", "s-offunc" },
	[SER_TEMP] = { "temperature °C (194/190)", "s-temp" },
};

static const char report_css[] =
	"body{font:14px/1.4 sans-serif;margin:1.5em;color:#222;background:#fff}"
	"h1{font-size:1.5em}h2{margin-top:1.6em;border-bottom:1px solid #ccc}"
	"table{border-collapse:collapse;margin:.5em 0}"
	/* a long word wraps rather than widen the page: a path, a drive's states */
	"th,td{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top;overflow-wrap:break-word}"
	"table.identity td{overflow-wrap:anywhere}"
	"th{background:#f4f4f4}td.n{text-align:right}"
	".meta{color:#555}.reason{margin:.3em 0}"
	".state{padding:1px 6px;border-radius:3px;color:#fff;font-size:.9em}"
	".st-ok{background:#2ca02c}.st-worn{background:#bcbd22}.st-degrading{background:#ff7f0e}"
	".st-failing{background:#d62728}.st-unknown{background:#7f7f7f}"
	/* the charts scale to the page's width, their text with them */
	"svg.chart{display:block;width:100%;height:auto;box-sizing:border-box;background:#fff;"
	"border:1px solid #ddd;margin:.3em 0}"
	"svg text{font:13px sans-serif;fill:#444}"
	"svg .band-label{font-weight:bold;fill:currentColor}svg .leader{stroke:currentColor;stroke-width:1}"
	"svg .axis{stroke:#444;stroke-width:1}svg .grid{stroke:#e4e4e4;stroke-width:1}"
	"polyline{fill:none;stroke-width:1.8;stroke-linejoin:round;stroke-linecap:round}"
	".s-realloc{stroke:#8c564b;color:#8c564b}.s-pending{stroke:#d62728;color:#d62728}"
	".s-offunc{stroke:#1f77b4;color:#1f77b4}.s-temp{stroke:#e377c2;color:#e377c2}"
	".band{fill-opacity:.22}.key{margin-right:1.2em;white-space:nowrap}"
	".key::before{content:'';display:inline-block;width:14px;height:3px;margin-right:4px;"
	"vertical-align:middle;background:currentColor}"
	".b-success{fill:#2ca02c;color:#2ca02c}.b-failed{fill:#d62728;color:#d62728}"
	".b-timeout{fill:#ff7f0e;color:#ff7f0e}.b-stopped{fill:#9467bd;color:#9467bd}"
	".b-interrupted{fill:#7f7f7f;color:#7f7f7f}.b-running{fill:#1f77b4;color:#1f77b4}"
	".b-unreported{fill:#bcbd22;color:#8c8d00}"
	".key.b-success::before,.key.b-failed::before,.key.b-timeout::before,.key.b-stopped::before,"
	".key.b-interrupted::before,.key.b-unreported::before,.key.b-running::before{height:10px;opacity:.35}"
	".v-go{color:#2ca02c}.v-defer{color:#b8860b}.v-refuse,.v-error{color:#d62728}";

/* Text for HTML and SVG, in an element or an attribute: nothing in it can open a tag or end a quote. */
static void html(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
				fputs("&#xfffd;", f);
			else
				fputc(*p, f);
		}
	}
}

/* The ways a local time is written; strftime's formats stay literals that the compiler checks. */
enum time_fmt {
	TIME_MINUTE, /* 2026-11-25 02:30 */
	TIME_SECOND, /* 2026-11-25 02:30:00 */
	TIME_DAY,    /* 2026-11-25 */
	TIME_TICK,   /* 11-25 02:30 */
	TIME_CLOCK,  /* 02:30 */
	TIME_CLOCK_SECOND, /* 02:30:05 */
	TIME_ZONE,   /* CET */
};

static void local_time(int64_t t, enum time_fmt fmt, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	size_t n = 0;

	if (localtime_r(&tt, &tm)) {
		switch (fmt) {
		case TIME_MINUTE:
			n = strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
			break;
		case TIME_SECOND:
			n = strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
			break;
		case TIME_DAY:
			n = strftime(buf, len, "%Y-%m-%d", &tm);
			break;
		case TIME_TICK:
			n = strftime(buf, len, "%m-%d %H:%M", &tm);
			break;
		case TIME_CLOCK:
			n = strftime(buf, len, "%H:%M", &tm);
			break;
		case TIME_CLOCK_SECOND:
			n = strftime(buf, len, "%H:%M:%S", &tm);
			break;
		case TIME_ZONE:
			n = strftime(buf, len, "%Z", &tm);
			break;
		}
	}
	if (n == 0)
		snprintf(buf, len, "@%lld", (long long)t);
}

/* <td>TEXT</td>, escaped; NULL or "" is "-". */
static void cell(FILE *f, const char *s)
{
	fputs("<td>", f);
	html(f, s && *s ? s : "-");
	fputs("</td>", f);
}

/* A verdict as the gate said it ("go (throttled)"), colored by its first word. */
static void cell_verdict(FILE *f, const char *verdict)
{
	size_t n = strcspn(verdict, " ");

	fputs("<td class=\"v-", f);
	if (n == 0 || strspn(verdict, "abcdefghijklmnopqrstuvwxyz") != n)
		fputs("other", f);
	else
		fwrite(verdict, 1, n, f);
	fputs("\">", f);
	html(f, *verdict ? verdict : "-");
	fputs("</td>", f);
}

static void cell_count(FILE *f, int64_t v, const char *unit)
{
	if (v == ATTR_UNKNOWN)
		fputs("<td class=\"n\">-</td>", f);
	else
		fprintf(f, "<td class=\"n\">%lld%s</td>", (long long)v, unit);
}

static int on_sample(const struct store_sample *sample, void *userdata)
{
	struct report_drive *d = userdata;
	struct report_point *p;

	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 256;

		p = realloc(d->points, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		d->points = p;
		d->cap = cap;
	}
	p = &d->points[d->n++];
	p->t = sample->t;
	if (!sample->unchanged) {
		struct smart_derived x;

		attrs_derive(&sample->reading, &x);
		d->last[SER_REALLOC] = x.reallocated;
		d->last[SER_PENDING] = x.pending;
		d->last[SER_OFFUNC] = x.offline_uncorrectable;
		d->last[SER_TEMP] = x.temperature_c;
	}
	memcpy(p->v, d->last, sizeof(p->v));
	return 0;
}

static int drive_load(struct report_ctx *x, const struct snapshot_drive *sd, struct report_drive *d, struct wg_err *err)
{
	static const struct smart_reading none = { .status = READING_ERROR };
	struct cmd_ctx *ctx = x->cmd;
	int r;

	d->x = sd;
	attrs_derive(sd->have_usable ? &sd->usable.reading : &none, &d->d); /* else all unknown */
	if (!sd->health.latest)
		return 0;
	r = store_foreach_sample(ctx->store, sd->health.drive_id, x->since, ctx->now, on_sample, d, err);
	if (r == -ENOMEM)
		return wg_err_set(err, r, "out of memory");
	return r < 0 ? r : 0;
}

static int on_run(const struct store_job_run *run, void *userdata)
{
	struct report_ctx *x = userdata;
	struct store_job_run *runs = realloc(x->runs, (x->n_runs + 1) * sizeof(*runs));

	if (!runs)
		return -ENOMEM;
	x->runs = runs;
	runs[x->n_runs++] = *run;
	return 0;
}

static int on_decision(const struct store_decision *d, void *userdata)
{
	struct report_ctx *x = userdata;
	struct store_decision *slot = &x->decisions[x->n_decisions % DECISIONS_MAX];
	char *reason = strdup(d->reason), *states = strdup(d->states);

	if (!reason || !states) {
		free(reason);
		free(states);
		return -ENOMEM;
	}
	/* the ring owns its copies of the texts, which the store lends for the call only */
	free((char *)slot->reason);
	free((char *)slot->states);
	*slot = *d;
	slot->reason = reason;
	slot->states = states;
	x->n_decisions++;
	return 0;
}

static int report_load(struct report_ctx *x, struct wg_err *err)
{
	struct cmd_ctx *ctx = x->cmd;
	int r;

	r = snapshot_load(ctx->config, ctx->store, &ctx->env, ctx->now, 0, &x->snap, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ctx->config->n_drives; i++) {
		r = drive_load(x, &x->snap.drives[i], &x->drives[i], err);
		if (r < 0)
			return r;
	}
	r = store_foreach_job_run(ctx->store, x->since, ctx->now, on_run, x, err);
	if (r >= 0)
		r = store_foreach_decision(ctx->store, x->since, ctx->now, on_decision, x, err);
	if (r == -ENOMEM)
		return wg_err_set(err, r, "out of memory");
	if (r < 0)
		return r;
	x->bands = calloc(x->n_runs ? x->n_runs : 1, sizeof(*x->bands));
	if (!x->bands)
		return wg_err_set(err, -ENOMEM, "out of memory");
	/* the time axis: from the oldest thing to show (not an empty month before the first sample) to now */
	x->t1 = ctx->now;
	x->t0 = x->t1;
	for (size_t i = 0; i < ctx->config->n_drives; i++)
		if (x->drives[i].n && x->drives[i].points[0].t < x->t0)
			x->t0 = x->drives[i].points[0].t;
	if (x->n_runs && x->runs[0].started < x->t0)
		x->t0 = x->runs[0].started;
	if (x->t0 >= x->t1)
		x->t0 = x->t1 - 3600;
	return 0;
}

/*
 * The chart's frame, in SVG user units: the page scales it to its width. Above the plot, the
 * bands' labels in as many lanes as they need (LANES_MAX at most, then they may overlap).
 */
enum {
	CHART_W = 1000,
	PLOT_H = 186,
	PAD_L = 56,
	PAD_R = 16,
	PAD_T = 10,
	PAD_B = 40,
	LANE_H = 17,
	LANES_MAX = 8,
	/* a label's width per character, generous for the 13-unit bold sans-serif font */
	LABEL_CHAR_W = 8,
};

struct chart {
	FILE *f;
	int64_t t0, t1, y0, y1;
	struct chart_band *bands;
	size_t n_bands;
	int lanes;
	int top, height; /* the plot's top; the whole chart's height */
};

static double chart_x(const struct chart *c, int64_t t)
{
	return PAD_L + (double)(t - c->t0) * (CHART_W - PAD_L - PAD_R) / (double)(c->t1 - c->t0);
}

static double chart_y(const struct chart *c, int64_t v)
{
	return c->top + PLOT_H - (double)(v - c->y0) * PLOT_H / (double)(c->y1 - c->y0);
}

/* 1, 2 or 5 times a power of ten, at least range/4: a few ticks. */
static int64_t nice_step(int64_t range)
{
	int64_t raw = (range + 3) / 4, mag = 1;

	if (raw < 1)
		raw = 1;
	while (mag <= INT64_MAX / 10 && mag * 10 <= raw)
		mag *= 10;
	return raw <= mag ? mag : raw <= 2 * mag ? 2 * mag : raw <= 5 * mag ? 5 * mag : 10 * mag;
}

/* The time between x-axis ticks: the smallest round one that gives at most 7 steps over the span. */
static int64_t time_step(int64_t span)
{
	static const int64_t steps[] = {
		1,         2,         5,         10,         15,         30,         60,         120,
		300,       600,       900,       1800,       3600,       2 * 3600,   3 * 3600,   6 * 3600,
		12 * 3600, 86400,     2 * 86400, 7 * 86400,  14 * 86400, 28 * 86400, 91 * 86400, 182 * 86400,
		364 * 86400,
	};

	for (size_t i = 0; i < WG_ELEMENTSOF(steps); i++)
		if (span / steps[i] <= 7)
			return steps[i];
	return steps[WG_ELEMENTSOF(steps) - 1] * (span / (7 * steps[WG_ELEMENTSOF(steps) - 1]) + 1);
}

static void chart_axes(const struct chart *c)
{
	int64_t span = c->t1 - c->t0, step = time_step(span), ystep, first, off;
	time_t tt = (time_t)c->t0, tt1 = (time_t)c->t1;
	char label[32], zone[16];
	struct tm tm, tm1;
	enum time_fmt fmt;
	int bottom = c->top + PLOT_H;

	/* ticks on round local times: midnights for days, full hours for hours */
	off = localtime_r(&tt, &tm) ? (int64_t)tm.tm_gmtoff : 0;
	if (step >= 86400)
		fmt = TIME_DAY;
	else if (localtime_r(&tt1, &tm1) && tm.tm_yday == tm1.tm_yday && tm.tm_year == tm1.tm_year)
		fmt = step < 60 ? TIME_CLOCK_SECOND : TIME_CLOCK;
	else
		fmt = TIME_TICK;
	first = ((c->t0 + off + step - 1) / step) * step - off;
	if (step > 86400) /* weeks and more: from the first midnight, not from a round number of seconds */
		first = ((c->t0 + off + 86400 - 1) / 86400) * 86400 - off;
	for (int64_t t = first; t <= c->t1; t += step) {
		double x = chart_x(c, t);

		local_time(t, fmt, label, sizeof(label));
		fprintf(c->f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", x, c->top, x, bottom);
		fprintf(c->f, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x,
			bottom + 15, label);
	}
	local_time(c->t1, TIME_ZONE, zone, sizeof(zone));
	fprintf(c->f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">local time (", CHART_W - PAD_R, c->height - 4);
	html(c->f, zone);
	fputs(")</text>\n", c->f);
	ystep = nice_step(c->y1 - c->y0);
	for (int64_t v = c->y0; v <= c->y1; v += ystep) {
		double y = chart_y(c, v);

		fprintf(c->f, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>", PAD_L, y,
			CHART_W - PAD_R, y);
		fprintf(c->f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%lld</text>\n", PAD_L - 6, y + 4,
			(long long)v);
	}
	fprintf(c->f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", PAD_L, c->top, PAD_L, bottom);
	fprintf(c->f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", PAD_L, bottom,
		CHART_W - PAD_R, bottom);
}

static const char *run_outcome(const struct store_job_run *run)
{
	return run->outcome[0] ? run->outcome : "running";
}

static bool run_touches(const struct store_job_run *run, int64_t drive_id)
{
	for (size_t i = 0; i < run->n_drives; i++)
		if (run->drives[i].drive_id == drive_id)
			return true;
	return false;
}

/* Characters, not bytes: what a label's width goes by. */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/*
 * Each job run on the drive, a band across the plot, and its label ("queue-purge: stopped") in
 * the first lane above the plot where it does not run into another: you see at a glance which
 * night the counters rose under. Fills c->bands (x->bands) and c->lanes.
 */
static void chart_bands_layout(struct chart *c, const struct report_ctx *x, const struct report_drive *d)
{
	double lane_end[LANES_MAX];

	c->bands = x->bands;
	for (size_t i = 0; i < x->n_runs; i++) {
		const struct store_job_run *run = &x->runs[i];
		int64_t end = run->ended >= 0 ? run->ended : c->t1;
		struct chart_band *b = &c->bands[c->n_bands];
		double w;
		int lane = -1;

		if (!run_touches(run, d->x->health.drive_id))
			continue;
		c->n_bands++;
		b->run = run;
		b->x0 = chart_x(c, run->started < c->t0 ? c->t0 : run->started);
		b->x1 = chart_x(c, end > c->t1 ? c->t1 : end);
		if (b->x1 - b->x0 < 4)
			b->x1 = b->x0 + 4;
		w = (double)LABEL_CHAR_W * (double)(utf8_chars(run->job) + 2 + utf8_chars(run_outcome(run)));
		/* at the right edge, the label ends where the band does, if it fits that way */
		b->anchor_end = b->x0 + w > CHART_W - PAD_R && b->x1 - w >= 0;
		b->lx0 = b->anchor_end ? b->x1 - w : b->x0;
		b->lx1 = b->anchor_end ? b->x1 : b->x0 + w;
		/* the first lane free at the label's start; when none is, the one that frees first */
		for (int k = 0; k < c->lanes && lane < 0; k++)
			if (lane_end[k] + 6 <= b->lx0)
				lane = k;
		if (lane < 0 && c->lanes < LANES_MAX)
			lane = c->lanes++;
		if (lane < 0) {
			lane = 0;
			for (int k = 1; k < c->lanes; k++)
				if (lane_end[k] < lane_end[lane])
					lane = k;
		}
		b->lane = lane;
		lane_end[lane] = b->lx1;
	}
	c->top = PAD_T + c->lanes * LANE_H;
	c->height = c->top + PLOT_H + PAD_B;
}

/* The bands, under the series. */
static void chart_bands(const struct chart *c)
{
	for (size_t i = 0; i < c->n_bands; i++) {
		const struct chart_band *b = &c->bands[i];

		fprintf(c->f, "<rect class=\"band b-%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"/>\n",
			run_outcome(b->run), b->x0, c->top, b->x1 - b->x0, PLOT_H);
	}
}

/* The labels, each above its band with a line down to it, and the whole run as a tooltip. */
static void chart_labels(const struct chart *c)
{
	char when[32];

	for (size_t i = 0; i < c->n_bands; i++) {
		const struct chart_band *b = &c->bands[i];
		/* lane 0 just above the plot, the others above it */
		double y = c->top - 5 - b->lane * LANE_H, lx = b->anchor_end ? b->x1 : b->x0;

		local_time(b->run->started, TIME_MINUTE, when, sizeof(when));
		fprintf(c->f, "<g class=\"run b-%s\"><title>", run_outcome(b->run));
		html(c->f, b->run->job);
		fputs(" ", c->f);
		html(c->f, when);
		fputs(": ", c->f);
		html(c->f, run_outcome(b->run));
		fprintf(c->f, "</title><line class=\"leader\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%d\"/>", lx, y + 3, lx,
			c->top);
		fprintf(c->f, "<text class=\"band-label\" x=\"%.1f\" y=\"%.1f\"%s>", lx + (b->anchor_end ? -2 : 2), y,
			b->anchor_end ? " text-anchor=\"end\"" : "");
		html(c->f, b->run->job);
		fputs(": ", c->f);
		html(c->f, run_outcome(b->run));
		fputs("</text></g>\n", c->f);
	}
}

/* Polylines of one series; an unknown value ends one (a gap), and a long range keeps each bucket's min and max. */
struct polyline {
	const struct chart *c;
	const char *cls;
	bool open;
	bool any; /* the bucket has a value */
	int64_t bucket, tmin, vmin, tmax, vmax;
};

static void polyline_point(struct polyline *p, int64_t t, int64_t v)
{
	if (!p->open)
		fprintf(p->c->f, "<polyline class=\"%s\" points=\"", p->cls);
	fprintf(p->c->f, "%s%.1f,%.1f", p->open ? " " : "", chart_x(p->c, t), chart_y(p->c, v));
	p->open = true;
}

static void polyline_flush(struct polyline *p)
{
	if (!p->any)
		return;
	if (p->tmin <= p->tmax) {
		polyline_point(p, p->tmin, p->vmin);
		if (p->tmax != p->tmin || p->vmax != p->vmin)
			polyline_point(p, p->tmax, p->vmax);
	} else {
		polyline_point(p, p->tmax, p->vmax);
		polyline_point(p, p->tmin, p->vmin);
	}
	p->any = false;
}

static void polyline_end(struct polyline *p)
{
	polyline_flush(p);
	if (p->open)
		fputs("\"/>\n", p->c->f);
	p->open = false;
}

static void chart_series(const struct chart *c, const struct report_drive *d, int s)
{
	struct polyline p = { .c = c, .cls = series_names[s].cls };
	int64_t span = c->t1 - c->t0;

	for (size_t i = 0; i < d->n; i++) {
		const struct report_point *pt = &d->points[i];
		int64_t v = pt->v[s];
		int64_t bucket = d->n <= SERIES_POINTS_MAX ? (int64_t)i : (pt->t - c->t0) * (SERIES_POINTS_MAX / 2) / span;

		if (v == ATTR_UNKNOWN) {
			polyline_end(&p);
			continue;
		}
		if (p.any && bucket != p.bucket)
			polyline_flush(&p);
		if (!p.any) {
			p.any = true;
			p.bucket = bucket;
			p.tmin = p.tmax = pt->t;
			p.vmin = p.vmax = v;
		} else if (v < p.vmin) {
			p.tmin = pt->t;
			p.vmin = v;
		} else if (v > p.vmax) {
			p.tmax = pt->t;
			p.vmax = v;
		}
	}
	polyline_end(&p);
}

static void chart(FILE *f, const struct report_ctx *x, const struct report_drive *d, const char *title, int s0, int s1,
		  bool from_zero)
{
	struct chart c = { .f = f, .t0 = x->t0, .t1 = x->t1 };
	bool known = false;
	int64_t lo = 0, hi = 0, step;

	for (size_t i = 0; i < d->n; i++)
		for (int s = s0; s <= s1; s++) {
			int64_t v = d->points[i].v[s];

			if (v == ATTR_UNKNOWN)
				continue;
			if (!known || v < lo)
				lo = v;
			if (!known || v > hi)
				hi = v;
			known = true;
		}
	if (from_zero)
		lo = 0;
	else if (known)
		lo = lo > 2 ? lo - 2 : 0;
	if (hi <= lo)
		hi = lo + 1;
	step = nice_step(hi - lo);
	c.y0 = lo / step * step;
	c.y1 = (hi + step - 1) / step * step;
	fputs("<h4>", f);
	html(f, title);
	fputs("</h4>\n<p>", f);
	for (int s = s0; s <= s1; s++) {
		fprintf(f, "<span class=\"key %s\">", series_names[s].cls);
		html(f, series_names[s].name);
		fputs("</span>", f);
	}
	fputs("</p>\n", f);
	chart_bands_layout(&c, x, d);
	/* the width and height are the viewBox's proportions; the style sheet scales it to the page */
	fprintf(f,
		"<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
		"height=\"%d\" preserveAspectRatio=\"xMinYMin meet\" role=\"img\"><title>",
		CHART_W, c.height, CHART_W, c.height);
	html(f, d->x->cfg->name);
	fputs(": ", f);
	html(f, title);
	fputs("</title>\n", f);
	chart_axes(&c);
	chart_bands(&c);
	for (int s = s0; s <= s1; s++)
		chart_series(&c, d, s);
	chart_labels(&c);
	if (!known)
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">no known value in this range</text>\n",
			CHART_W / 2, c.top + PLOT_H / 2);
	fputs("</svg>\n", f);
}

static void identity_row(FILE *f, const char *key, const char *value)
{
	fputs("<tr><th>", f);
	html(f, key);
	fputs("</th>", f);
	cell(f, value);
	fputs("</tr>\n", f);
}

static void print_drive(FILE *f, const struct report_ctx *x, const struct report_drive *d)
{
	const struct snapshot_drive *sd = d->x;
	const struct drive_health *h = &sd->health;
	const struct smart_reading *id = snapshot_identity(sd);
	const char *state = health_state_to_string(h->health.state);
	char buf[64], source[DRIVEDB_SOURCE_MAX + 64];

	fputs("<section class=\"drive\">\n<h3>", f);
	html(f, sd->cfg->name);
	fprintf(f, " <span class=\"state st-%s\">%s</span></h3>\n", state, state);
	if (h->health.reason[0]) {
		fputs("<p class=\"reason\">", f);
		html(f, h->health.reason);
		if (h->health.since >= 0) {
			local_time(h->health.since, TIME_MINUTE, buf, sizeof(buf));
			fprintf(f, " (%s since %s)", state, buf);
		}
		fputs("</p>\n", f);
	}
	fputs("<table class=\"identity\">\n", f);
	identity_row(f, sd->cfg->source == DRIVE_BLOB ? "blob" : "device", sd->cfg->path);
	identity_row(f, "model", id ? id->identity.model : NULL);
	identity_row(f, "serial", id ? id->identity.serial : NULL);
	identity_row(f, "firmware", id ? id->identity.firmware : NULL);
	/* what smartmontools' drive database says of it, and any warning it has for the model */
	identity_row(f, "family", !sd->match ? NULL : sd->match->family[0] ? sd->match->family : "not in the drive database");
	if (sd->match && sd->match->warning[0])
		identity_row(f, "drive database warning", sd->match->warning);
	if (sd->match)
		identity_row(f, "drive database", drivedb_match_source(sd->match, source, sizeof(source)));
	buf[0] = '\0';
	if (id && id->identity.sectors)
		wg_format_bytes(id->identity.sectors * 512, buf, sizeof(buf));
	identity_row(f, "capacity", buf);
	buf[0] = '\0';
	if (h->latest) {
		local_time(h->latest->t, TIME_MINUTE, buf, sizeof(buf));
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), " (%s)",
			 reading_status_to_string(h->latest->reading.status));
	}
	identity_row(f, "latest sample", h->latest ? buf : "never");
	if (sd->have_test) {
		/* the newest self-test a selftest job ran on it */
		char line[512];

		self_test_describe(&sd->test, line, sizeof(line));
		identity_row(f, "last self-test", line);
	}
	fputs("</table>\n<table class=\"values\"><tr><th>reallocated</th><th>pending</th><th>offline "
	      "uncorrectable</th><th>temperature</th><th>power-on hours</th><th>SMART</th></tr>\n<tr>",
	      f);
	cell_count(f, d->d.reallocated, "");
	cell_count(f, d->d.pending, "");
	cell_count(f, d->d.offline_uncorrectable, "");
	cell_count(f, d->d.temperature_c, " °C");
	cell_count(f, d->d.power_on_hours, "");
	cell(f, !sd->have_usable || sd->usable.reading.smart_ok < 0 ? NULL
		: sd->usable.reading.smart_ok                     ? "passed"
								  : "FAILED");
	fputs("</tr></table>\n", f);
	if (d->n == 0) {
		fputs("<p>No sample in this range.</p>\n</section>\n", f);
		return;
	}
	chart(f, x, d, "Media counters", SER_REALLOC, SER_OFFUNC, true);
	chart(f, x, d, "Temperature", SER_TEMP, SER_TEMP, false);
	fputs("<p>", f);
	for (size_t i = 0; i < 7; i++) {
		static const char *const outcomes[] = { "success", "failed", "timeout", "stopped", "interrupted",
							"unreported", "running" };

		fprintf(f, "<span class=\"key b-%s\">%s</span>", outcomes[i], outcomes[i]);
	}
	fputs("</p>\n</section>\n", f);
}

static void print_runs(FILE *f, const struct report_ctx *x)
{
	fputs("<h2>Job runs</h2>\n", f);
	if (x->n_runs == 0) {
		fputs("<p>No job run in this range.</p>\n", f);
		return;
	}
	fputs("<table class=\"runs\"><tr><th>job</th><th>class</th><th>started</th><th>took</th><th>outcome</th>"
	      "<th>exit</th><th>drives: read, written, reallocated, pending</th><th>reason</th></tr>\n",
	      f);
	for (size_t i = 0; i < x->n_runs; i++) {
		const struct store_job_run *run = &x->runs[i];
		char buf[64];

		fprintf(f, "<tr class=\"run b-%s\">", run_outcome(run));
		cell(f, run->job);
		cell(f, run->class);
		local_time(run->started, TIME_MINUTE, buf, sizeof(buf));
		cell(f, buf);
		snprintf(buf, sizeof(buf), "running");
		if (run->ended >= 0)
			wg_format_age(run->ended - run->started, buf, sizeof(buf));
		cell(f, buf);
		cell(f, run_outcome(run));
		buf[0] = '\0';
		if (run->exit_status >= 0 && run->outcome[0])
			snprintf(buf, sizeof(buf), "%d", run->exit_status);
		cell(f, buf);
		fputs("<td>", f);
		for (size_t k = 0; k < run->n_drives; k++) {
			const struct store_job_run_drive *rd = &run->drives[k];
			char rb[24] = "?", wb[24] = "?", re[48], pe[48];

			if (rd->sectors_read >= 0)
				wg_format_bytes((uint64_t)rd->sectors_read * 512, rb, sizeof(rb));
			if (rd->sectors_written >= 0)
				wg_format_bytes((uint64_t)rd->sectors_written * 512, wb, sizeof(wb));
			wg_format_change(rd->before.reallocated, rd->after.reallocated, re, sizeof(re));
			wg_format_change(rd->before.pending, rd->after.pending, pe, sizeof(pe));
			if (k)
				fputs("<br>", f);
			html(f, rd->name[0] ? rd->name : "?");
			fputs(": ", f);
			html(f, rb);
			fputs(", ", f);
			html(f, wb);
			fputs(", ", f);
			html(f, re);
			fputs(", ", f);
			html(f, pe);
		}
		fputs("</td>", f);
		cell(f, run->reason);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void print_gate(FILE *f, const struct report_ctx *x)
{
	const struct config *config = x->cmd->config;

	fputs("<h2>What the gate would say now</h2>\n", f);
	if (config->n_jobs == 0) {
		fputs("<p>No job is configured.</p>\n", f);
		return;
	}
	fputs("<table class=\"gate\"><tr><th>job</th><th>class</th><th>verdict</th><th>reason</th></tr>\n", f);
	for (size_t i = 0; i < config->n_jobs; i++) {
		const struct gate_result *g = &x->snap.jobs[i];

		fputs("<tr>", f);
		cell(f, g->job->name);
		cell(f, job_class_to_string(g->job->class));
		cell_verdict(f, g->decision.verdict == _VERDICT_MAX ? "error" : gate_decision_verdict(&g->decision));
		cell(f, g->decision.reason);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void print_decisions(FILE *f, const struct report_ctx *x)
{
	size_t shown = x->n_decisions < DECISIONS_MAX ? x->n_decisions : DECISIONS_MAX;

	fputs("<h2>Gate decisions</h2>\n", f);
	if (x->n_decisions == 0) {
		fputs("<p>No gate decision recorded in this range.</p>\n", f);
		return;
	}
	if (shown < x->n_decisions)
		fprintf(f, "<p>The newest %zu of %zu.</p>\n", shown, x->n_decisions);
	fputs("<table class=\"decisions\"><tr><th>time</th><th>job</th><th>verdict</th><th>reason</th>"
	      "<th>drives</th></tr>\n",
	      f);
	/* newest first */
	for (size_t k = 0; k < shown; k++) {
		const struct store_decision *d = &x->decisions[(x->n_decisions - 1 - k) % DECISIONS_MAX];
		char when[32];

		local_time(d->t, TIME_SECOND, when, sizeof(when));
		fputs("<tr class=\"decision\">", f);
		cell(f, when);
		cell(f, d->job);
		cell_verdict(f, d->verdict);
		cell(f, d->reason);
		cell(f, d->states);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void print_report(FILE *f, const struct report_ctx *x)
{
	const struct config *config = x->cmd->config;
	/* the range the charts span, to the second when it is short */
	enum time_fmt fmt = x->t1 - x->t0 < 3600 ? TIME_SECOND : TIME_MINUTE;
	char from[32], to[32], since[32], zone[16];

	local_time(x->t0, fmt, from, sizeof(from));
	local_time(x->t1, fmt, to, sizeof(to));
	local_time(x->since, TIME_MINUTE, since, sizeof(since));
	local_time(x->cmd->now, TIME_ZONE, zone, sizeof(zone));
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		   "<meta name=\"viewport\" content=\"width=device-width\">\n"
		   "<title>weargate report %s</title>\n<style>%s</style>\n</head>\n<body>\n<h1>weargate report</h1>\n",
		to, report_css);
	fprintf(f, "<p class=\"meta\">From %s to %s, local time (", from, to);
	html(f, zone);
	fputs(")", f);
	if (x->since < x->t0)
		fprintf(f, ", the part of the range asked for (from %s) that the history has", since);
	fputs("; written by weargate " WEARGATE_VERSION " from its history, without reading the drives.</p>\n", f);
	fputs("<h2>Drives</h2>\n", f);
	if (config->n_drives == 0)
		fputs("<p>No drive is configured.</p>\n", f);
	for (size_t i = 0; i < config->n_drives; i++)
		print_drive(f, x, &x->drives[i]);
	print_runs(f, x);
	print_gate(f, x);
	print_decisions(f, x);
	fputs("</body>\n</html>\n", f);
}

struct report_opts {
	const char *output, *since;
};

static int report_option(struct cmd_ctx *ctx, void *state, int id, const char *arg)
{
	struct report_opts *o = state;

	(void)ctx;
	if (id == 'o')
		o->output = arg;
	else
		o->since = arg;
	return 0;
}

static int cmd_report(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct report_ctx x = { .cmd = ctx };
	struct report_opts o = { 0 };
	const char *output, *since_arg;
	struct wg_err err = { "" };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = NULL;
	int r;

	if (cmd_parse_options(ctx, argc, argv, report_option, &o, &r))
		return r;
	output = o.output;
	since_arg = o.since;
	if (output) {
		r = cmd_check_output_dir(ctx->entry, output);
		if (r)
			return r;
	}
	r = cmd_ready(ctx);
	if (r)
		return r;
	x.since = ctx->now - DEFAULT_SINCE;
	if (since_arg && (r = cmd_parse_when(ctx->entry, "--since", since_arg, ctx->now, &x.since)))
		return r;
	x.drives = calloc(ctx->config->n_drives ? ctx->config->n_drives : 1, sizeof(*x.drives));
	x.decisions = calloc(DECISIONS_MAX, sizeof(*x.decisions));
	if (!x.drives || !x.decisions) {
		cmd_error("out of memory");
		r = WG_EXIT_SOFTWARE;
		goto out;
	}
	r = report_load(&x, &err);
	if (r < 0) {
		cmd_error("cannot read the history: %s", err.msg);
		r = r == -ENOMEM ? WG_EXIT_SOFTWARE : WG_EXIT_UNAVAILABLE;
		goto out;
	}
	/* the whole page first: the file is written in one piece or not at all */
	f = open_memstream(&buf, &len);
	if (!f) {
		cmd_error("out of memory");
		r = WG_EXIT_SOFTWARE;
		goto out;
	}
	print_report(f, &x);
	if (fclose(f) != 0) {
		cmd_error("out of memory");
		r = WG_EXIT_SOFTWARE;
		goto out;
	}
	if (!output) {
		fwrite(buf, 1, len, stdout);
		r = 0;
		goto out;
	}
	r = wg_write_file_atomic(output, buf, len, 0644);
	if (r < 0) {
		cmd_error("cannot write '%s': %s", output, strerror(-r));
		r = WG_EXIT_SOFTWARE;
		goto out;
	}
	r = 0;
out:
	for (size_t i = 0; x.drives && i < ctx->config->n_drives; i++)
		free(x.drives[i].points);
	free(x.drives);
	snapshot_release(&x.snap);
	for (size_t i = 0; x.decisions && i < DECISIONS_MAX; i++) {
		free((char *)x.decisions[i].reason);
		free((char *)x.decisions[i].states);
	}
	free(x.decisions);
	free(x.runs);
	free(x.bands);
	free(buf);
	return r;
}

const struct cmd_entry cmd_report_entry = {
	.name = "report",
	.usage = "[--output FILE] [--since WHEN]",
	.summary = "write one HTML page of the drives' history, the job runs and the gate's decisions",
	.help = report_help,
	.options = report_options,
	.exit_status = report_exit_status,
	.operands = CMD_OPERANDS_NONE,
	.flags = CMD_READS_STORE,
	.exec = cmd_report,
};
