/* cmd-sample.c — `weargate sample`: read the drives and record one pass */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "attrs.h"
#include "cmd.h"
#include "sampler.h"

static const char sample_help[] =
	"Read every configured drive (or the NAMEs given) concurrently, record the readings as\n"
	"one pass in the history, and print one line per drive. A drive in standby or asleep\n"
	"is not woken: its line says \"skipped: standby\" or \"skipped: sleep\". A drive that\n"
	"does not answer within its read_timeout is recorded as a timeout; the others are\n"
	"recorded as they answered.\n"
	"\n"
	"Options:\n"
	"  --wake       read drives in standby or asleep too (spins them up)\n"
	"  -q, --quiet  print only the drives that could not be read\n"
	"  -h, --help   show this help\n"
	"\n"
	"Exit status: 0 when every drive was read or is in standby, 69 when a drive could not\n"
	"be read (its failure is recorded) or the database is unavailable, 64 for an unknown\n"
	"drive name or option, 70 on an internal error, 78 for a configuration error.\n";

static void put_count(FILE *f, const char *label, int64_t v)
{
	if (v == ATTR_UNKNOWN)
		fprintf(f, ", %s ?", label);
	else
		fprintf(f, ", %s %lld", label, (long long)v);
}

static void print_summary(FILE *f, const char *name, const struct smart_reading *r, bool verbose)
{
	struct smart_derived d;

	if (r->status != READING_OK) {
		fprintf(f, "%s: %s: %s\n", name, r->status == READING_STANDBY ? "skipped" : reading_status_to_string(r->status),
			r->reason);
		return;
	}
	attrs_derive(r, &d);
	fprintf(f, "%s: ok: %s (serial %s)", name, r->identity.model, r->identity.serial[0] ? r->identity.serial : "?");
	put_count(f, "reallocated", d.reallocated);
	put_count(f, "pending", d.pending);
	put_count(f, "offline uncorrectable", d.offline_uncorrectable);
	if (d.temperature_c != ATTR_UNKNOWN)
		fprintf(f, ", %lld C", (long long)d.temperature_c);
	fprintf(f, ", self-assessment %s", r->smart_ok == 1 ? "passed" : r->smart_ok == 0 ? "FAILED" : "unknown");
	if (verbose)
		fprintf(f, " (%u attributes, read through %s)", r->n_attrs, r->access);
	fputc('\n', f);
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

static int cmd_sample(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{ "wake", no_argument, NULL, 'w' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct sampler_opts sopts = { .sysfs_root = ctx->sysfs_root };
	const struct drive_cfg **drives = NULL;
	struct smart_reading *readings = NULL;
	struct wg_err err = { "" };
	bool quiet = false, unreadable = false;
	size_t n = 0;
	int c, r;

	while ((c = getopt_long(argc, argv, ":qh", options, NULL)) != -1) {
		switch (c) {
		case 'w':
			sopts.wake = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			cmd_print_help(ctx->entry, stdout);
			return 0;
		default:
			return cmd_option_error(ctx->entry, c, argv);
		}
	}
	/* names are checked against the config before the history is opened, let alone created */
	quiet |= ctx->quiet;
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
	readings = calloc(n, sizeof(*readings));
	if (!readings || sampler_read_all(drives, n, &sopts, readings) < 0) {
		cmd_error("out of memory");
		r = WG_EXIT_SOFTWARE;
		goto out;
	}

	if (store_pass_begin(ctx->store, ctx->now, &err) < 0)
		goto store_failed;
	for (size_t i = 0; i < n; i++)
		if (store_pass_add(ctx->store, drives[i]->name, &readings[i], &err) < 0) {
			store_pass_abort(ctx->store);
			goto store_failed;
		}
	if (store_pass_commit(ctx->store, &err) < 0)
		goto store_failed;

	for (size_t i = 0; i < n; i++) {
		bool bad = readings[i].status != READING_OK && readings[i].status != READING_STANDBY;

		unreadable |= bad;
		if (bad)
			print_summary(stderr, drives[i]->name, &readings[i], ctx->verbose);
		else if (!quiet)
			print_summary(stdout, drives[i]->name, &readings[i], ctx->verbose);
	}
	r = unreadable ? WG_EXIT_UNAVAILABLE : 0;
	goto out;

store_failed:
	cmd_error("nothing recorded: %s", err.msg);
	r = WG_EXIT_UNAVAILABLE;
out:
	free(readings);
	free(drives);
	return r;
}

const struct cmd_entry cmd_sample_entry = {
	.name = "sample",
	.usage = "[--wake] [-q] [NAME…]",
	.summary = "read the drives and record one pass in the history",
	.help = sample_help,
	.flags = CMD_NEEDS_STORE,
	.exec = cmd_sample,
};
