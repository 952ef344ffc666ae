/* cmd-import.c — `weargate import`: the history smartd and smartctl already kept, into the history */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "import.h"
#include "track.h"

static const char import_help[] =
	"Add to the history what another tool kept of a drive's SMART attributes:\n"
	"  smartd FILE...    smartd's attribute logs (smartd -A, by default\n"
	"                    /var/lib/smartmontools/attrlog.MODEL-SERIAL.ata.csv): one sample a\n"
	"                    line; the drive is the one of that model and serial in the history\n"
	"                    (compared as smartd writes them in the file name), else a new one\n"
	"  smartctl FILE...  reports of 'smartctl --json -a' (or -x) of ATA drives: one sample\n"
	"                    a file, at its local_time; the drive by its model and serial\n"
	"Each file is one transaction: a line or a report that cannot be read is an error\n"
	"naming the file and line, and nothing of that file is added. A sample is added only\n"
	"where the drive has none: before the first one weargate read itself, and not where\n"
	"samples were imported before, so importing a file twice adds nothing. Imported samples\n"
	"read through 'import:smartd' or 'import:smartctl', and are decoded with the drive's\n"
	"formats as weargate's own. The states are then recorded anew from every sample: a\n"
	"count that grew last week in smartd's log makes the drive degrading today. Take a\n"
	"first 'weargate sample' before importing smartd's logs: their file names keep only the\n"
	"letters and digits of a drive's model and serial, which the drive read matches.\n";

static const struct cmd_option import_options[] = {
	{ .name = "json", .id = 'j',
	  .help = "print JSON instead: {\"files\":[…]}, each file with \"read\", \"error\",\n"
		  "\"samples\", \"added\", \"drive\", \"model\" and \"serial\"" },
	{ .name = "quiet", .short_name = 'q', .id = 'q', .help = "print nothing but errors" },
	{ 0 },
};

static const char import_exit_status[] =
	"Exit status: 0 when every file was read, 65 when a file could not be read or has a\n"
	"bad line (the other files are imported), 64 for a wrong option or kind, 69 when the\n"
	"history cannot be written, 70 internal error, 78 configuration error.\n";

#define EXIT_DATAERR 65 /* EX_DATAERR */
#define IMPORT_FILE_MAX (512 << 20)

enum kind { KIND_SMARTD, KIND_SMARTCTL };

/* A whole file, in a buffer of its size (wg_read_file() takes one of the largest allowed); -EFBIG past max. */
static int read_whole(const char *path, size_t max, char **ret, size_t *ret_len)
{
	size_t len = 0, cap;
	struct stat st;
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), r = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (!S_ISREG(st.st_mode))
		r = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL; /* a FIFO must not hang us, waiting for a writer */
	if (r < 0) {
		close(fd);
		return r;
	}
	cap = (size_t)st.st_size < max ? (size_t)st.st_size + 1 : max + 1;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *b;

			if (cap > max) {
				r = -EFBIG;
				break;
			}
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			b = realloc(buf, cap);
			if (!b) {
				r = -ENOMEM;
				break;
			}
			buf = b;
		} else if (!buf && !(buf = malloc(cap))) {
			r = -ENOMEM;
			break;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (r == 0 && len > max)
		r = -EFBIG;
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

struct file_result {
	size_t added, lines;
	int64_t drive;
	char name[STORE_NAME_MAX];
	char model[41], serial[21];
};

/* The drive of an imported reading, once per file: a name for a new one from its serial. */
static int file_drive(struct store *s, enum kind kind, const char *model, const char *serial, int64_t t,
		      struct file_result *fr, char *firmware, size_t fw_len, struct wg_err *err)
{
	char name[STORE_NAME_MAX];

	/* the model and serial the history has for the drive: its own, not smartd's file name's */
	snprintf(name, sizeof(name), "import-%.40s", serial);
	return store_import_drive(s, model, serial, kind == KIND_SMARTD, name, t, &fr->drive, fr->name,
				  sizeof(fr->name), fr->model, fr->serial, firmware, fw_len, err);
}

static int import_smartd(struct store *s, const char *path, const char *text, size_t len, struct file_result *fr,
			 struct wg_err *err)
{
	struct smart_reading *r = malloc(sizeof(*r));
	char model[41], serial[21], firmware[9] = "", why[IMPORT_WHY_MAX];
	size_t line = 0;
	int k = 0;

	if (!r)
		return wg_err_set(err, -ENOMEM, "out of memory");
	if (import_smartd_name(path, model, serial) < 0) {
		free(r);
		return wg_err_set(err, -EBADMSG,
				  "'%s': not the name of a smartd attribute log (PREFIX.MODEL-SERIAL.ata.csv): it says "
				  "which drive it is",
				  path);
	}
	fr->drive = -1;
	for (const char *p = text, *end = text + len; k >= 0 && p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		int64_t t;

		line++;
		if (memchr(p, '\0', n)) {
			k = wg_err_set(err, -EBADMSG, "'%s', line %zu: a NUL byte: not a text file", path, line);
			break;
		}
		k = import_smartd_line(p, n, &t, r, why, sizeof(why));
		p += n;
		if (k < 0) {
			k = wg_err_set(err, k, "'%s', line %zu: %s", path, line, why);
			break;
		}
		if (k == 0)
			continue;
		fr->lines++;
		if (fr->drive < 0 && (k = file_drive(s, KIND_SMARTD, model, serial, t, fr, firmware, sizeof(firmware),
						      err)) < 0)
			break;
		/* the drive as weargate knows it: its identity, and its firmware's formats */
		r->identity_valid = true;
		wg_strlcpy(r->identity.model, fr->model, sizeof(r->identity.model));
		wg_strlcpy(r->identity.serial, fr->serial, sizeof(r->identity.serial));
		wg_strlcpy(r->identity.firmware, firmware, sizeof(r->identity.firmware));
		k = store_import_sample(s, fr->drive, fr->name, t, r, err);
		if (k > 0)
			fr->added++;
	}
	free(r);
	return k < 0 ? k : 0;
}

static int import_smartctl(struct store *s, const char *path, const char *text, size_t len, struct file_result *fr,
			   struct wg_err *err)
{
	struct smart_reading *r = malloc(sizeof(*r));
	char why[IMPORT_WHY_MAX], firmware[9];
	int64_t t;
	int k;

	if (!r)
		return wg_err_set(err, -ENOMEM, "out of memory");
	if (memchr(text, '\0', len)) {
		free(r);
		return wg_err_set(err, -EBADMSG, "'%s': a NUL byte: not a smartctl --json report", path);
	}
	k = import_smartctl_json(text, len, &t, r, why, sizeof(why));
	if (k == -ENOMEM)
		k = wg_err_set(err, k, "out of memory");
	else if (k < 0)
		k = wg_err_set(err, k, "'%s': %s", path, why);
	if (k >= 0)
		k = file_drive(s, KIND_SMARTCTL, r->identity.model, r->identity.serial, t, fr, firmware, sizeof(firmware),
			       err);
	if (k >= 0) {
		fr->lines = 1;
		k = store_import_sample(s, fr->drive, fr->name, t, r, err);
		fr->added = k > 0;
	}
	free(r);
	return k < 0 ? k : 0;
}

struct import_opts {
	bool json, quiet;
};

static int import_option(struct cmd_ctx *ctx, void *state, int id, const char *arg)
{
	struct import_opts *o = state;

	(void)ctx, (void)arg;
	if (id == 'j')
		o->json = true;
	else
		o->quiet = true;
	return 0;
}

static int cmd_import(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct import_opts o = { 0 };
	struct wg_err err = { "" };
	bool quiet, json, any = false;
	struct wg_json out, files;
	enum kind kind;
	int r, rc = 0;

	if (cmd_parse_options(ctx, argc, argv, import_option, &o, &r))
		return r;
	json = o.json;
	if (optind >= argc)
		return cmd_usage_error(ctx->entry, "what to import? smartd FILE... or smartctl FILE...");
	if (strcmp(argv[optind], "smartd") == 0)
		kind = KIND_SMARTD;
	else if (strcmp(argv[optind], "smartctl") == 0)
		kind = KIND_SMARTCTL;
	else
		return cmd_usage_error(ctx->entry, "'%s' is not a kind of file weargate imports (smartd, smartctl)",
				       argv[optind]);
	if (++optind >= argc)
		return cmd_usage_error(ctx->entry, "which files?");
	quiet = o.quiet || ctx->quiet;
	r = cmd_ready(ctx);
	if (r)
		return r;
	if (json) {
		wg_json_open(&out, stdout, '{');
		wg_json_key(&out, "files");
		wg_json_open(&files, stdout, '[');
	}
	for (int i = optind; i < argc && rc != WG_EXIT_UNAVAILABLE; i++) {
		struct file_result fr = { .drive = -1 };
		char *text = NULL, why[sizeof(err.msg) + 64] = "";
		size_t len = 0;

		r = read_whole(argv[i], IMPORT_FILE_MAX, &text, &len);
		if (r < 0) {
			snprintf(why, sizeof(why), "cannot read '%s': %s", argv[i],
				 r == -EFBIG ? "larger than 512 MiB" : r == -EINVAL ? "not a regular file" : strerror(-r));
			rc = EXIT_DATAERR;
		} else {
			r = store_import_begin(ctx->store, &err);
			if (r >= 0)
				r = kind == KIND_SMARTD ? import_smartd(ctx->store, argv[i], text, len, &fr, &err)
							: import_smartctl(ctx->store, argv[i], text, len, &fr, &err);
			r = store_import_end(ctx->store, r, &err);
			free(text);
			if (r == -EBADMSG || r == -ERANGE || r == -EEXIST) {
				snprintf(why, sizeof(why), "%s; nothing of it was imported", err.msg);
				rc = EXIT_DATAERR;
			} else if (r < 0) {
				/* the history, not the file: the files after it would fail the same */
				snprintf(why, sizeof(why), "'%s': nothing imported: %s", argv[i], err.msg);
				rc = WG_EXIT_UNAVAILABLE;
			}
		}
		if (why[0])
			cmd_error("%s", why);
		else
			any |= fr.added > 0;
		if (json) {
			struct wg_json f;

			wg_json_key(&files, NULL);
			wg_json_open(&f, stdout, '{');
			wg_json_str(&f, "file", argv[i]);
			wg_json_bool(&f, "read", !why[0]);
			wg_json_str(&f, "error", why[0] ? why : NULL);
			wg_json_int(&f, "samples", (int64_t)fr.lines, !why[0]);
			wg_json_int(&f, "added", (int64_t)fr.added, !why[0]);
			wg_json_str(&f, "drive", !why[0] && fr.name[0] ? fr.name : NULL);
			wg_json_str(&f, "model", !why[0] && fr.model[0] ? fr.model : NULL);
			wg_json_str(&f, "serial", !why[0] && fr.serial[0] ? fr.serial : NULL);
			wg_json_close(&f, '}');
		} else if (!quiet && !why[0]) {
			printf("%s: %zu of %zu samples imported, to drive '%s' (%s, serial %s)\n", argv[i], fr.added,
			       fr.lines, fr.name[0] ? fr.name : "-", fr.model[0] ? fr.model : "?",
			       fr.serial[0] ? fr.serial : "?");
		}
	}
	if (json) {
		wg_json_close(&files, ']');
		wg_json_close(&out, '}');
		putchar('\n');
	}
	if (rc == WG_EXIT_UNAVAILABLE)
		return rc;
	/* the signs and states, recorded anew from every sample, the imported ones with them */
	if (any && track_store_ready(ctx->store, &ctx->config->policy, true, &err) < 0) {
		cmd_error("imported, but the states are yet to be recorded anew ('weargate sample' does it): %s", err.msg);
		return WG_EXIT_UNAVAILABLE;
	}
	return rc;
}

const struct cmd_entry cmd_import_entry = {
	.name = "import",
	.usage = "[--json] [-q] smartd|smartctl FILE...",
	.summary = "add the history smartd's attribute logs or smartctl's JSON reports already kept",
	.help = import_help,
	.options = import_options,
	.exit_status = import_exit_status,
	.operands = CMD_OPERANDS_WORD_FILES,
	.words = "smartd smartctl",
	.flags = CMD_NEEDS_STORE,
	.exec = cmd_import,
};
