/* cmd-status.c — `weargate status`: the latest sample of every configured drive */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "attrs.h"
#include "cmd.h"
#include "snapshot.h"

static const char status_help[] =
	"Show every configured drive: its latest recorded sample (or, when that one is not\n"
	"usable, the latest usable one of the 7 days before it), and its state (ok, worn,\n"
	"degrading, failing, unknown) judged from its history over the policy's window, with\n"
	"the reasons, its model family and any warning smartmontools' drive database has for\n"
	"it; then, for every configured job, what 'weargate gate' would say now.\n"
	"A drive in standby shows how long it has been skipped: \"(standby for 3h)\".\n"
	"Nothing is read from the drives and nothing is written: run 'weargate sample' for\n"
	"a new reading.\n";

static const struct cmd_option status_options[] = {
	{ .name = "json", .id = 'j',
	  .help = "print JSON: {\"drives\":[…],\"jobs\":[…]} with null where a value is\n"
		  "unknown" },
	{ 0 },
};

static const char status_exit_status[] =
	"Exit status: 0, 64 for a wrong option, 69 when there is no history yet or it cannot\n"
	"be read, 70 on an internal error, 78 for a configuration error.\n";

struct drive_status {
	const struct snapshot_drive *x; /* the drive as the history has it now */
	struct smart_derived d;     /* of its usable sample */
	int64_t skipped_since;      /* the first of the standby readings the latest one ends; -1 */
	bool skipped_longer;        /* ... which go back further than SKIP_LOOKBACK */
};

/* How far back status looks for when a drive began to be skipped. */
#define SKIP_LOOKBACK (90 * 86400)

struct skip_walk {
	int64_t since;
	bool from_start; /* the run of standby readings began with the first sample looked at */
	bool first;
};

static int skip_step(const struct store_sample *sample, void *userdata)
{
	struct skip_walk *w = userdata;

	if (sample->reading.status != READING_STANDBY) {
		w->since = -1;
		w->from_start = false;
	} else if (w->since < 0) {
		w->since = sample->t;
		w->from_start = w->first;
	}
	w->first = false;
	return 0;
}

/* Since when the drive has been skipped (in standby, not woken): the run of standby readings up to the latest. */
static int skipped_load(struct cmd_ctx *ctx, struct drive_status *st, struct wg_err *err)
{
	const struct store_sample *last = st->x->health.latest;
	struct skip_walk w = { .since = -1, .first = true };
	int64_t from = st->x->have_usable ? st->x->usable.t : last->t - SKIP_LOOKBACK;
	int r;

	if (last->reading.status != READING_STANDBY)
		return 0;
	if (from < last->t - SKIP_LOOKBACK)
		from = last->t - SKIP_LOOKBACK;
	r = store_foreach_sample(ctx->store, last->drive_id, from, last->t, skip_step, &w, err);
	if (r < 0)
		return r;
	st->skipped_since = w.since >= 0 ? w.since : last->t;
	st->skipped_longer = w.from_start && !st->x->have_usable;
	return 0;
}

/* What status adds to the snapshot of a drive: its values derived, and how long it has been skipped. */
static int drive_status_load(struct cmd_ctx *ctx, const struct snapshot_drive *x, struct drive_status *st,
			     struct wg_err *err)
{
	static const struct smart_reading none;

	memset(st, 0, sizeof(*st));
	st->x = x;
	st->skipped_since = -1;
	attrs_derive(x->have_usable ? &x->usable.reading : &none, &st->d); /* else all unknown */
	return x->health.latest ? skipped_load(ctx, st, err) : 0;
}

static void json_int(FILE *f, const char *key, int64_t v, bool last)
{
	if (v == ATTR_UNKNOWN)
		fprintf(f, "\"%s\":null%s", key, last ? "" : ",");
	else
		fprintf(f, "\"%s\":%lld%s", key, (long long)v, last ? "" : ",");
}

static void json_str(FILE *f, const char *key, const char *v)
{
	fprintf(f, "\"%s\":", key);
	wg_json_string(f, v);
	fputc(',', f);
}

static void print_json_drive(FILE *f, const struct drive_status *st, int64_t now)
{
	const struct smart_reading *id = st->x->health.latest ? &st->x->health.latest->reading : NULL;
	const struct smart_reading *u = st->x->have_usable ? &st->x->usable.reading : NULL;
	char when[32], shown[64], source[DRIVEDB_SOURCE_MAX + 64];
	int64_t v;

	fputc('{', f);
	json_str(f, "name", st->x->cfg->name);
	json_str(f, "model", id && id->identity_valid ? id->identity.model : NULL);
	json_str(f, "serial", id && id->identity_valid && id->identity.serial[0] ? id->identity.serial : NULL);
	json_str(f, "firmware", id && id->identity_valid && id->identity.firmware[0] ? id->identity.firmware : NULL);
	json_str(f, "family", st->x->match && st->x->match->family[0] ? st->x->match->family : NULL);
	json_str(f, "drivedb_warning", st->x->match && st->x->match->warning[0] ? st->x->match->warning : NULL);
	json_str(f, "drivedb", st->x->match ? drivedb_match_source(st->x->match, source, sizeof(source)) : NULL);
	json_str(f, "state", health_state_to_string(st->x->health.health.state));
	json_str(f, "state_reason", st->x->health.health.reason);
	if (st->x->health.health.since >= 0) {
		wg_format_utc(st->x->health.health.since, when, sizeof(when));
		json_str(f, "state_since", when);
	} else {
		fputs("\"state_since\":null,", f);
	}
	json_str(f, "reading", id ? reading_status_to_string(id->status) : NULL);
	json_str(f, "reading_reason", id && id->reason[0] ? id->reason : NULL);
	json_int(f, "reallocated_sectors", st->d.reallocated, false);
	json_int(f, "pending_sectors", st->d.pending, false);
	json_int(f, "offline_uncorrectable", st->d.offline_uncorrectable, false);
	json_int(f, "temperature_c", st->d.temperature_c, false);
	json_int(f, "power_on_hours", st->d.power_on_hours, false);
	fprintf(f, "\"smart_ok\":%s,", !u || u->smart_ok < 0 ? "null" : u->smart_ok ? "true" : "false");
	if (id) {
		wg_format_utc(st->x->health.latest->t, when, sizeof(when));
		json_str(f, "sampled_at", when);
		json_int(f, "age_seconds", now - st->x->health.latest->t, false);
	} else {
		fputs("\"sampled_at\":null,\"age_seconds\":null,", f);
	}
	if (u && st->x->usable.t != st->x->health.latest->t) {
		wg_format_utc(st->x->usable.t, when, sizeof(when));
		json_str(f, "values_sampled_at", when);
	}
	if (st->x->have_test) {
		fputs("\"last_self_test\":{", f);
		json_str(f, "test", st->x->test.test);
		json_str(f, "result", st->x->test.result[0] ? st->x->test.result : NULL);
		json_str(f, "detail", st->x->test.detail[0] ? st->x->test.detail : NULL);
		wg_format_utc(st->x->test.started, when, sizeof(when));
		json_str(f, "started", when);
		if (st->x->test.ended >= 0)
			wg_format_utc(st->x->test.ended, when, sizeof(when));
		json_str(f, "ended", st->x->test.ended >= 0 ? when : NULL);
		json_int(f, "status", st->x->test.status, false);
		json_int(f, "run", st->x->test.run_id, true);
		fputs("},", f);
	} else {
		fputs("\"last_self_test\":null,", f);
	}
	if (st->skipped_since >= 0) {
		wg_format_utc(st->skipped_since, when, sizeof(when));
		json_str(f, "skipped_since", when);
		json_int(f, "skipped_seconds", now - st->skipped_since, false);
	} else {
		fputs("\"skipped_since\":null,\"skipped_seconds\":null,", f);
	}
	fputs("\"attributes\":[", f);
	for (unsigned i = 0; u && i < u->n_attrs; i++) {
		const struct smart_attr *a = &u->attrs[i];

		fprintf(f, "%s{\"id\":%u,", i ? "," : "", a->id);
		json_str(f, "name", attrs_name(u, a->id));
		fprintf(f, "\"value\":%u,\"worst\":%u,", a->current, a->worst);
		if (a->threshold_valid)
			fprintf(f, "\"threshold\":%u,", a->threshold);
		else
			fputs("\"threshold\":null,", f);
		fprintf(f, "\"prefailure\":%s,\"raw\":%llu,", (a->flags & 1) ? "true" : "false",
			(unsigned long long)attr_raw48(a->raw));
		/* the raw bytes, and what smartctl makes of them in this drive's format */
		if (attr_decode(a, attrs_def(u, a->id), &v) == 0)
			fprintf(f, "\"decoded\":%lld,", (long long)v);
		else
			fputs("\"decoded\":null,", f);
		attr_format_value(a, attrs_def(u, a->id), shown, sizeof(shown));
		json_str(f, "raw_string", shown);
		fprintf(f, "\"format\":\"%s\"}", attr_format_to_string(attrs_def(u, a->id)->format));
	}
	fputs("]}", f);
}

/* A column of the table; NULL cells print "-". */
enum { COL_NAME, COL_STATE, COL_MODEL, COL_SERIAL, COL_FW, COL_REALLOC, COL_PENDING, COL_OFFUNC, COL_TEMP, COL_POH,
       COL_SMART, COL_AGE, _COL_MAX };

static const char *const col_titles[_COL_MAX] = {
	"NAME", "STATE", "MODEL", "SERIAL", "FIRMWARE", "REALLOC", "PENDING", "OFFL-UNC", "TEMP", "POH", "SMART", "AGE",
};

static void fmt_count(char *buf, size_t len, int64_t v)
{
	if (v == ATTR_UNKNOWN)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%lld", (long long)v);
}

static void table_row(const struct drive_status *st, int64_t now, char cells[_COL_MAX][48])
{
	const struct smart_reading *id = st->x->health.latest ? &st->x->health.latest->reading : NULL;
	const struct smart_reading *u = st->x->have_usable ? &st->x->usable.reading : NULL;

	snprintf(cells[COL_NAME], 48, "%s", st->x->cfg->name);
	snprintf(cells[COL_STATE], 48, "%s", health_state_to_string(st->x->health.health.state));
	snprintf(cells[COL_MODEL], 48, "%s", id && id->identity_valid ? id->identity.model : "-");
	snprintf(cells[COL_SERIAL], 48, "%s", id && id->identity_valid && id->identity.serial[0] ? id->identity.serial : "-");
	snprintf(cells[COL_FW], 48, "%s", id && id->identity_valid && id->identity.firmware[0] ? id->identity.firmware : "-");
	fmt_count(cells[COL_REALLOC], 48, st->d.reallocated);
	fmt_count(cells[COL_PENDING], 48, st->d.pending);
	fmt_count(cells[COL_OFFUNC], 48, st->d.offline_uncorrectable);
	if (st->d.temperature_c == ATTR_UNKNOWN)
		snprintf(cells[COL_TEMP], 48, "-");
	else
		snprintf(cells[COL_TEMP], 48, "%lldC", (long long)st->d.temperature_c);
	fmt_count(cells[COL_POH], 48, st->d.power_on_hours);
	snprintf(cells[COL_SMART], 48, "%s", !u || u->smart_ok < 0 ? "-" : u->smart_ok ? "passed" : "FAILED");
	if (id)
		wg_format_age(now - st->x->health.latest->t, cells[COL_AGE], 48);
	else
		snprintf(cells[COL_AGE], 48, "never");
	if (st->skipped_since >= 0) { /* how long the drive has not been read for its sleep */
		char skipped[32];

		wg_format_age(now - st->skipped_since, skipped, sizeof(skipped));
		snprintf(cells[COL_AGE] + strlen(cells[COL_AGE]), 48 - strlen(cells[COL_AGE]), " (standby for %s%s)",
			 st->skipped_longer ? "more than " : "", skipped);
	} else if (id && id->status != READING_OK) { /* say why the newest reading is not the one shown */
		snprintf(cells[COL_AGE] + strlen(cells[COL_AGE]), 48 - strlen(cells[COL_AGE]), " (%s)",
			 reading_status_to_string(id->status));
	}
}

/* One line of text that may hold several (a drive database warning): newlines become spaces. */
static void put_line(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == '\n' ? ' ' : *s, f);
	fputc('\n', f);
}

/* What smartmontools' drive database says of the drive: its family, a warning, and where that came from. */
static void print_drivedb_lines(FILE *f, const struct drive_status *st)
{
	const struct smart_reading *u = st->x->have_usable ? &st->x->usable.reading : NULL;
	const struct drivedb_match *m = st->x->match;
	uint8_t twice = u ? attrs_repeated_id(u) : 0;
	char source[DRIVEDB_SOURCE_MAX + 64];

	if (m) {
		fprintf(f, "%s: %s (drive database: %s)\n", st->x->cfg->name, m->family[0] ? m->family : "not in the drive database",
			drivedb_match_source(m, source, sizeof(source)));
		if (m->warning[0]) {
			fprintf(f, "%s: drive database warning: ", st->x->cfg->name);
			put_line(f, m->warning);
		}
	} else if (u) {
		/* sampled only by the gate (which never reads the database), or before weargate read one */
		fprintf(f, "%s: not matched in the drive database yet: smartctl's default attribute formats until "
			   "'weargate sample'\n", st->x->cfg->name);
	}
	if (twice)
		fprintf(f, "%s: note: the drive lists attribute %u twice; the first is read, as smartctl does\n", st->x->cfg->name,
			twice);
}

/* Lines under a table: "NAME: what", wrapped by the terminal, not by us. */
static void print_table(FILE *f, const struct drive_status *sts, size_t n, int64_t now)
{
	char(*cells)[_COL_MAX][48] = calloc(n ? n : 1, sizeof(*cells));
	size_t width[_COL_MAX];

	if (!cells)
		return;
	for (int c = 0; c < _COL_MAX; c++)
		width[c] = strlen(col_titles[c]);
	for (size_t i = 0; i < n; i++) {
		table_row(&sts[i], now, cells[i]);
		for (int c = 0; c < _COL_MAX; c++)
			if (strlen(cells[i][c]) > width[c])
				width[c] = strlen(cells[i][c]);
	}
	for (int c = 0; c < _COL_MAX; c++)
		fprintf(f, "%-*s%s", c == _COL_MAX - 1 ? 0 : (int)width[c], col_titles[c], c == _COL_MAX - 1 ? "\n" : "  ");
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < _COL_MAX; c++)
			fprintf(f, "%-*s%s", c == _COL_MAX - 1 ? 0 : (int)width[c], cells[i][c],
				c == _COL_MAX - 1 ? "\n" : "  ");
	for (size_t i = 0; i < n; i++)
		if (sts[i].x->health.health.state != HEALTH_OK)
			fprintf(f, "%s: %s: %s\n", sts[i].x->cfg->name, health_state_to_string(sts[i].x->health.health.state),
				sts[i].x->health.health.reason);
	for (size_t i = 0; i < n; i++)
		print_drivedb_lines(f, &sts[i]);
	for (size_t i = 0; i < n; i++)
		if (sts[i].x->have_test) {
			char line[512];

			self_test_describe(&sts[i].x->test, line, sizeof(line));
			fprintf(f, "%s: last self-test: %s\n", sts[i].x->cfg->name, line);
		}
	free(cells);
}

static const char *verdict_word(const struct gate_result *res)
{
	return res->decision.verdict == _VERDICT_MAX ? "error" : verdict_to_string(res->decision.verdict);
}

static void print_jobs(FILE *f, const struct gate_result *res, size_t n)
{
	if (n == 0)
		return;
	fputs("\nJOB: WHAT 'weargate gate' WOULD SAY NOW\n", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s (%s): %s%s%s: %s\n", res[i].job->name, job_class_to_string(res[i].job->class),
			verdict_word(&res[i]), res[i].decision.last_chance ? " (last chance)" : "",
			res[i].decision.throttle ? " (throttled)" : "", res[i].decision.reason);
}

static void print_json_jobs(FILE *f, const struct gate_result *res, size_t n)
{
	fputs("\"jobs\":[", f);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",{" : "{", f);
		json_str(f, "name", res[i].job->name);
		json_str(f, "class", job_class_to_string(res[i].job->class));
		json_str(f, "verdict", verdict_word(&res[i]));
		fprintf(f, "\"throttle\":%s,", res[i].decision.throttle ? "true" : "false");
		fputs("\"reason\":", f);
		wg_json_string(f, res[i].decision.reason);
		fputc('}', f);
	}
	fputc(']', f);
}

static int status_option(struct cmd_ctx *ctx, void *state, int id, const char *arg)
{
	bool *json = state;

	(void)ctx, (void)id, (void)arg;
	*json = true;
	return 0;
}

static int cmd_status(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct snapshot snap = { 0 };
	struct drive_status *sts = NULL;
	struct wg_err err = { "" };
	char **ahead = NULL;
	bool json = false;
	size_t n;
	int r;

	if (cmd_parse_options(ctx, argc, argv, status_option, &json, &r))
		return r;
	r = cmd_ready(ctx);
	if (r)
		return r;
	n = ctx->config->n_drives;
	r = snapshot_load(ctx->config, ctx->store, &ctx->env, ctx->now, 0, &snap, &err);
	if (r < 0) {
		if (snap.failed)
			cmd_error("cannot read the history of '%s': %s", snap.failed->name, err.msg);
		else
			cmd_error("cannot read the history: %s", err.msg);
		r = r == -ENOMEM ? WG_EXIT_SOFTWARE : WG_EXIT_UNAVAILABLE;
		goto out;
	}
	sts = calloc(n ? n : 1, sizeof(*sts));
	if (!sts) {
		cmd_error("out of memory");
		r = WG_EXIT_SOFTWARE;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		r = drive_status_load(ctx, &snap.drives[i], &sts[i], &err);
		if (r < 0) {
			cmd_error("cannot read the history of '%s': %s", ctx->config->drives[i].name, err.msg);
			r = r == -ENOMEM ? WG_EXIT_SOFTWARE : WG_EXIT_UNAVAILABLE;
			goto out;
		}
	}
	r = cmd_ahead_warnings(ctx, &ahead, &err);
	if (r < 0) {
		cmd_error("cannot read the history: %s", err.msg);
		r = r == -ENOMEM ? WG_EXIT_SOFTWARE : WG_EXIT_UNAVAILABLE;
		goto out;
	}
	for (size_t i = 0; ahead && ahead[i]; i++)
		cmd_error("%s", ahead[i]);
	if (json) {
		fputs("{\"drives\":[", stdout);
		for (size_t i = 0; i < n; i++) {
			if (i)
				fputc(',', stdout);
			print_json_drive(stdout, &sts[i], ctx->now);
		}
		fputs("],", stdout);
		print_json_jobs(stdout, snap.jobs, snap.n_jobs);
		fputs(",\"warnings\":[", stdout);
		for (size_t i = 0; ahead && ahead[i]; i++) {
			if (i)
				fputc(',', stdout);
			wg_json_string(stdout, ahead[i]);
		}
		fputs("]}\n", stdout);
	} else {
		print_table(stdout, sts, n, ctx->now);
		print_jobs(stdout, snap.jobs, snap.n_jobs);
	}
	r = 0;
out:
	free(sts);
	snapshot_release(&snap);
	strv_free(ahead);
	return r;
}

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.usage = "[--json]",
	.summary = "show every drive's latest sample and state, and what the gate would say for each job",
	.help = status_help,
	.options = status_options,
	.exit_status = status_exit_status,
	.operands = CMD_OPERANDS_NONE,
	.flags = CMD_READS_STORE,
	.exec = cmd_status,
};
