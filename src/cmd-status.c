/* cmd-status.c — `weargate status`: the latest sample of every configured drive */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "attrs.h"
#include "cmd.h"
#include "health.h"

/* When the latest reading is not usable (standby), the counters come from the last usable one this recent. */
#define STATUS_LOOKBACK (7 * 86400)

static const char status_help[] =
	"Show the latest recorded sample of every configured drive and a provisional state\n"
	"(ok, worn, degrading, failing, unknown) judged from one sample: the latest, or when\n"
	"that one is not usable (standby, unreadable), the latest usable one of the 7 days\n"
	"before it. Nothing is read from the drives and nothing is written: run\n"
	"'weargate sample' for a new reading.\n"
	"\n"
	"Options:\n"
	"  --json       print JSON: {\"drives\":[…]} with null where a value is unknown\n"
	"  -h, --help   show this help\n"
	"\n"
	"Exit status: 0, 64 for a wrong option, 69 when there is no history yet or it cannot\n"
	"be read, 70 on an internal error, 78 for a configuration error.\n";

struct drive_status {
	const char *name;
	bool sampled;             /* any sample at all under this name */
	struct store_sample last; /* the latest sample */
	bool have_usable;
	struct store_sample usable; /* the latest usable sample (== last when last is usable) */
	struct smart_derived d;
	enum health_state state;
	char reason[256];
};

static int keep_usable(const struct store_sample *s, void *userdata)
{
	struct drive_status *st = userdata;

	if (s->reading.status == READING_OK) {
		st->usable = *s;
		st->have_usable = true;
	}
	return 0;
}

static int drive_status_load(struct store *store, const char *name, struct drive_status *st, struct wg_err *err)
{
	int r;

	memset(st, 0, sizeof(*st));
	st->name = name;
	st->state = HEALTH_UNKNOWN;
	snprintf(st->reason, sizeof(st->reason), "never sampled");
	attrs_derive(&st->last.reading, &st->d); /* all unknown */
	r = store_latest_by_name(store, name, &st->last, err);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	st->sampled = true;
	if (st->last.reading.status == READING_OK) {
		st->usable = st->last;
		st->have_usable = true;
	} else {
		r = store_foreach_sample(store, st->last.drive_id, st->last.t - STATUS_LOOKBACK, st->last.t, keep_usable,
					 st, err);
		if (r < 0)
			return r;
	}
	if (!st->have_usable) {
		st->state = health_from_reading(&st->last.reading, st->reason, sizeof(st->reason));
		return 0;
	}
	attrs_derive(&st->usable.reading, &st->d);
	st->state = health_from_reading(&st->usable.reading, st->reason, sizeof(st->reason));
	return 0;
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
	const struct smart_reading *id = st->sampled ? &st->last.reading : NULL;
	const struct smart_reading *u = st->have_usable ? &st->usable.reading : NULL;
	char when[32], name[32];

	fputc('{', f);
	json_str(f, "name", st->name);
	json_str(f, "model", id && id->identity_valid ? id->identity.model : NULL);
	json_str(f, "serial", id && id->identity_valid && id->identity.serial[0] ? id->identity.serial : NULL);
	json_str(f, "firmware", id && id->identity_valid ? id->identity.firmware : NULL);
	json_str(f, "state", health_state_to_string(st->state));
	json_str(f, "state_reason", st->reason);
	json_str(f, "reading", id ? reading_status_to_string(id->status) : NULL);
	json_str(f, "reading_reason", id && id->reason[0] ? id->reason : NULL);
	json_int(f, "reallocated_sectors", st->d.reallocated, false);
	json_int(f, "pending_sectors", st->d.pending, false);
	json_int(f, "offline_uncorrectable", st->d.offline_uncorrectable, false);
	json_int(f, "temperature_c", st->d.temperature_c, false);
	json_int(f, "power_on_hours", st->d.power_on_hours, false);
	fprintf(f, "\"smart_ok\":%s,", !u || u->smart_ok < 0 ? "null" : u->smart_ok ? "true" : "false");
	if (id) {
		wg_format_utc(st->last.t, when, sizeof(when));
		json_str(f, "sampled_at", when);
		json_int(f, "age_seconds", now - st->last.t, false);
	} else {
		fputs("\"sampled_at\":null,\"age_seconds\":null,", f);
	}
	if (u && st->usable.t != st->last.t) {
		wg_format_utc(st->usable.t, when, sizeof(when));
		json_str(f, "values_sampled_at", when);
	}
	fputs("\"attributes\":[", f);
	for (unsigned i = 0; u && i < u->n_attrs; i++) {
		const struct smart_attr *a = &u->attrs[i];

		fprintf(f, "%s{\"id\":%u,", i ? "," : "", a->id);
		json_str(f, "name", attr_name(a->id, name, sizeof(name)));
		fprintf(f, "\"value\":%u,\"worst\":%u,", a->current, a->worst);
		if (a->threshold_valid)
			fprintf(f, "\"threshold\":%u,", a->threshold);
		else
			fputs("\"threshold\":null,", f);
		fprintf(f, "\"prefailure\":%s,\"raw\":%llu}", (a->flags & 1) ? "true" : "false",
			(unsigned long long)attr_raw48(a->raw));
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
	const struct smart_reading *id = st->sampled ? &st->last.reading : NULL;
	const struct smart_reading *u = st->have_usable ? &st->usable.reading : NULL;

	snprintf(cells[COL_NAME], 48, "%s", st->name);
	snprintf(cells[COL_STATE], 48, "%s", health_state_to_string(st->state));
	snprintf(cells[COL_MODEL], 48, "%s", id && id->identity_valid ? id->identity.model : "-");
	snprintf(cells[COL_SERIAL], 48, "%s", id && id->identity_valid && id->identity.serial[0] ? id->identity.serial : "-");
	snprintf(cells[COL_FW], 48, "%s", id && id->identity_valid ? id->identity.firmware : "-");
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
		wg_format_age(now - st->last.t, cells[COL_AGE], 48);
	else
		snprintf(cells[COL_AGE], 48, "never");
	if (id && id->status != READING_OK) /* say why the newest reading is not the one shown */
		snprintf(cells[COL_AGE] + strlen(cells[COL_AGE]), 48 - strlen(cells[COL_AGE]), " (%s)",
			 reading_status_to_string(id->status));
}

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
		if (sts[i].state != HEALTH_OK)
			fprintf(f, "%s: %s: %s\n", sts[i].name, health_state_to_string(sts[i].state), sts[i].reason);
	free(cells);
}

static int cmd_status(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct drive_status *sts = NULL;
	struct wg_err err = { "" };
	bool json = false;
	size_t n;
	int c, r;

	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
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
	r = cmd_ready(ctx);
	if (r)
		return r;
	n = ctx->config->n_drives;
	sts = calloc(n ? n : 1, sizeof(*sts));
	if (!sts) {
		cmd_error("out of memory");
		return WG_EXIT_SOFTWARE;
	}
	for (size_t i = 0; i < n; i++) {
		r = drive_status_load(ctx->store, ctx->config->drives[i].name, &sts[i], &err);
		if (r < 0) {
			cmd_error("cannot read the history of '%s': %s", ctx->config->drives[i].name, err.msg);
			free(sts);
			return WG_EXIT_UNAVAILABLE;
		}
	}
	if (json) {
		fputs("{\"drives\":[", stdout);
		for (size_t i = 0; i < n; i++) {
			if (i)
				fputc(',', stdout);
			print_json_drive(stdout, &sts[i], ctx->now);
		}
		fputs("]}\n", stdout);
	} else {
		print_table(stdout, sts, n, ctx->now);
	}
	free(sts);
	return 0;
}

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.usage = "[--json]",
	.summary = "show the latest sample and provisional state of every drive",
	.help = status_help,
	.flags = CMD_READS_STORE,
	.exec = cmd_status,
};
