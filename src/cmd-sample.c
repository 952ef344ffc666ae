/* cmd-sample.c — `weargate sample`: read the drives and record one pass */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "attrs.h"
#include "cmd.h"
#include "gate.h"
#include "runner.h"

static const char sample_help[] =
	"Read every configured drive (or the NAMEs given) concurrently, record the readings as\n"
	"one pass in the history, and print one line per drive: what was read (\"read:\"), then\n"
	"the drive's state with its reason. A drive in standby or asleep is not woken: its line\n"
	"says \"skipped: standby\" or \"skipped: sleep\". A drive that does not answer within\n"
	"its read_timeout is recorded as a timeout; the others are recorded as they answered. A\n"
	"state that changed is told (syslog, the notify command).\n";

static const struct cmd_option sample_options[] = {
	{ .name = "json", .id = 'j',
	  .help = "print JSON instead: {\"pass\":…,\"drives\":[…]}, each drive with what\n"
		  "was read and its state, null where a value is unknown" },
	{ .name = "wake", .id = 'w', .help = "read drives in standby or asleep too (spins them up)" },
	{ .name = "quiet", .short_name = 'q', .id = 'q', .help = "print only the drives that could not be read" },
	{ 0 },
};

static const char sample_exit_status[] =
	"Exit status: 0 when every drive was read or is in standby, 69 when a drive could not\n"
	"be read (its failure is recorded) or the database is unavailable, 64 for an unknown\n"
	"drive name or option, 70 on an internal error, 78 for a configuration error (also\n"
	"two drive sections that read the same disk: neither is recorded as that disk).\n";

static void put_count(FILE *f, const char *label, int64_t v)
{
	if (v == ATTR_UNKNOWN)
		fprintf(f, ", %s ?", label);
	else
		fprintf(f, ", %s %lld", label, (long long)v);
}

/* "sda: read: MODEL (serial S), reallocated 0, …; degrading: pending sectors 8 since …" */
static void print_summary(FILE *f, const struct drive_health *h, bool verbose)
{
	const struct smart_reading *r = &h->latest->reading;
	struct smart_derived d;

	if (r->status != READING_OK) {
		fprintf(f, "%s: %s: %s", h->drive->name,
			r->status == READING_STANDBY ? "skipped" : reading_status_to_string(r->status), r->reason);
	} else {
		attrs_derive(r, &d);
		fprintf(f, "%s: read: %s (serial %s)", h->drive->name, r->identity.model,
			r->identity.serial[0] ? r->identity.serial : "?");
		put_count(f, "reallocated", d.reallocated);
		put_count(f, "pending", d.pending);
		put_count(f, "offline uncorrectable", d.offline_uncorrectable);
		if (d.temperature_c != ATTR_UNKNOWN)
			fprintf(f, ", %lld C", (long long)d.temperature_c);
		fprintf(f, ", self-assessment %s", r->smart_ok == 1 ? "passed" : r->smart_ok == 0 ? "FAILED" : "unknown");
		if (verbose)
			fprintf(f, " (%u attributes, read through %s)", r->n_attrs, r->access);
	}
	fprintf(f, "; %s: %s\n", health_state_to_string(h->health.state), h->health.reason);
}

/* One drive of `sample --json`: the names of status --json's drives, for what one pass read. */
static void print_json_drive(struct wg_json *all, const struct drive_health *h)
{
	const struct smart_reading *r = &h->latest->reading;
	bool ok = r->status == READING_OK, id = r->identity_valid;
	struct smart_derived d;
	struct wg_json j;

	attrs_derive(r, &d); /* all unknown for a reading that did not work */
	wg_json_key(all, NULL);
	wg_json_open(&j, all->f, '{');
	wg_json_str(&j, "name", h->drive->name);
	wg_json_utc(&j, "sampled_at", h->latest->t);
	wg_json_str(&j, "reading", reading_status_to_string(r->status));
	wg_json_str(&j, "reading_reason", r->reason[0] ? r->reason : NULL);
	wg_json_str(&j, "model", id ? r->identity.model : NULL);
	wg_json_str(&j, "serial", id && r->identity.serial[0] ? r->identity.serial : NULL);
	wg_json_str(&j, "firmware", id && r->identity.firmware[0] ? r->identity.firmware : NULL);
	wg_json_int(&j, "reallocated_sectors", d.reallocated, ok && d.reallocated != ATTR_UNKNOWN);
	wg_json_int(&j, "pending_sectors", d.pending, ok && d.pending != ATTR_UNKNOWN);
	wg_json_int(&j, "offline_uncorrectable", d.offline_uncorrectable, ok && d.offline_uncorrectable != ATTR_UNKNOWN);
	wg_json_int(&j, "temperature_c", d.temperature_c, ok && d.temperature_c != ATTR_UNKNOWN);
	wg_json_int(&j, "power_on_hours", d.power_on_hours, ok && d.power_on_hours != ATTR_UNKNOWN);
	wg_json_bool(&j, "smart_ok", ok ? r->smart_ok : -1);
	wg_json_str(&j, "state", health_state_to_string(h->health.state));
	wg_json_str(&j, "state_reason", h->health.reason);
	wg_json_utc(&j, "state_since", h->health.since);
	wg_json_close(&j, '}');
}

static int select_drives(struct cmd_ctx *ctx, int argc, char **argv, const struct drive_cfg ***ret, size_t *ret_n)
{
	const struct config *c = ctx->config;
	const struct drive_cfg **drives;
	size_t n = 0;

	drives = calloc(c->n_drives + 1, sizeof(*drives));
	if (!drives) {
		cmd_error("out of memory");
		return WG_EXIT_SOFTWARE;
	}
	if (argc == 0) {
		for (size_t i = 0; i < c->n_drives; i++)
			drives[n++] = &c->drives[i];
	}
	for (int i = 0; i < argc; i++) {
		const struct drive_cfg *d = config_drive(c, argv[i]);
		bool dup = false;

		if (!d) {
			free(drives);
			cmd_error("unknown drive '%s': '%s' names no such drive", argv[i], c->path);
			return WG_EXIT_USAGE;
		}
		for (size_t j = 0; j < n; j++)
			dup |= drives[j] == d;
		if (!dup)
			drives[n++] = d;
	}
	*ret = drives;
	*ret_n = n;
	return 0;
}

struct sample_opts {
	bool json, wake, quiet;
};

static int sample_option(struct cmd_ctx *ctx, void *state, int id, const char *arg)
{
	struct sample_opts *o = state;

	(void)ctx, (void)arg;
	if (id == 'j')
		o->json = true;
	else if (id == 'w')
		o->wake = true;
	else
		o->quiet = true;
	return 0;
}

static int cmd_sample(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct sample_opts o = { 0 };
	struct drives_read how = { .sysfs_root = ctx->sysfs_root, .record = true };
	const struct drive_cfg **drives = NULL;
	struct drive_health *all = NULL;
	struct wg_err err = { "" };
	bool quiet, json, unreadable = false, twice = false;
	struct wg_json out, list;
	size_t n = 0;
	int r;

	if (cmd_parse_options(ctx, argc, argv, sample_option, &o, &r))
		return r;
	how.wake = o.wake;
	json = o.json;
	/* names are checked against the config before the history is opened, let alone created */
	quiet = o.quiet || ctx->quiet;
	r = cmd_load_config(ctx);
	if (r)
		return r;
	if (ctx->config->n_drives == 0) {
		cmd_error("'%s' configures no drive", ctx->config->path);
		return WG_EXIT_CONFIG;
	}
	r = select_drives(ctx, argc - optind, argv + optind, &drives, &n);
	if (r)
		return r;
	r = cmd_ready(ctx);
	if (r)
		goto out;
	r = drives_sample_new(ctx->config, ctx->store, drives, n, ctx->now, &how, &all, &err);
	if (r < 0) {
		cmd_error("%s", err.msg);
		r = r == -ENOMEM ? WG_EXIT_SOFTWARE : WG_EXIT_UNAVAILABLE;
		goto out;
	}
	if (json) {
		wg_json_open(&out, stdout, '{');
		wg_json_int(&out, "pass", n ? all[0].latest->pass_id : -1, n && all[0].latest->pass_id >= 0);
		wg_json_key(&out, "drives");
		wg_json_open(&list, stdout, '[');
	}
	for (size_t i = 0; i < n; i++) {
		enum reading_status st = all[i].latest->reading.status;
		bool bad = st != READING_OK && st != READING_STANDBY;

		unreadable |= bad && st != READING_DUPLICATE;
		twice |= st == READING_DUPLICATE;
		if (json)
			print_json_drive(&list, &all[i]);
		if (bad)
			print_summary(stderr, &all[i], ctx->verbose);
		else if (!quiet && !json)
			print_summary(stdout, &all[i], ctx->verbose);
	}
	if (json) {
		wg_json_close(&list, ']');
		wg_json_close(&out, '}');
		putchar('\n');
	}
	/* the lines above say each drive's state: the news goes to syslog and the notify command */
	runner_announce(&(struct runner){ .config = ctx->config, .store = ctx->store });
	r = twice ? WG_EXIT_CONFIG : unreadable ? WG_EXIT_UNAVAILABLE : 0;
out:
	drives_health_free(all, n);
	free(drives);
	return r;
}

const struct cmd_entry cmd_sample_entry = {
	.name = "sample",
	.usage = "[--json] [--wake] [-q] [NAME…]",
	.summary = "read the drives and record one pass in the history",
	.help = sample_help,
	.options = sample_options,
	.exit_status = sample_exit_status,
	.operands = CMD_OPERANDS_DRIVES,
	.flags = CMD_NEEDS_STORE,
	.exec = cmd_sample,
};
