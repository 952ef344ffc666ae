/* config.c — the configuration file (the only user of libconfuse) */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <confuse.h>

#include "config.h"
#include "store.h"

#define CONFIG_MAX_SIZE (1024 * 1024)

static cfg_opt_t drive_opts[] = {
	CFG_STR("device", NULL, CFGF_NONE),
	CFG_STR("blob", NULL, CFGF_NONE),
	CFG_STR("access", "auto", CFGF_NONE),
	CFG_END(),
};

static cfg_opt_t root_opts[] = {
	CFG_STR("database", STORE_DEFAULT_PATH, CFGF_NONE),
	CFG_SEC("drive", drive_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_END(),
};

/* libconfuse reports through a callback; keep its first message, prefixed with file and line. */
struct parse_ctx {
	struct wg_err *err;
	bool have_err;
};

static __thread struct parse_ctx *current_parse;

static void on_confuse_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	char msg[384];

	if (!current_parse || current_parse->have_err)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (cfg && cfg->filename)
		wg_err_set(current_parse->err, -EINVAL, "%s:%d: %s", cfg->filename, cfg->line, msg);
	else
		wg_err_set(current_parse->err, -EINVAL, "%s", msg);
	current_parse->have_err = true;
}

/*
 * libconfuse gives a section the line of its closing brace; an admin looks for the line that
 * names it, so find that in the text.
 */
static int section_line(const char *text, const char *kind, const char *title, int fallback)
{
	size_t klen = strlen(kind), tlen = strlen(title);
	int line = 1;

	for (const char *p = text; *p; p++) {
		const char *q = p;

		while (*q == ' ' || *q == '\t')
			q++;
		if (strncmp(q, kind, klen) == 0) {
			q += klen;
			while (*q == ' ' || *q == '\t')
				q++;
			if ((*q == '"' || *q == '\'') && strncmp(q + 1, title, tlen) == 0 && q[1 + tlen] == *q)
				return line;
		}
		p = strchr(p, '\n');
		if (!p)
			break;
		line++;
	}
	return fallback;
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

/* Relative paths in the file are relative to the file's directory, not to the caller's cwd. */
static char *resolve_path(const char *config_path, const char *p)
{
	const char *slash;
	char *r;

	if (p[0] == '/')
		return strdup(p);
	slash = strrchr(config_path, '/');
	if (!slash)
		return strdup(p);
	if (asprintf(&r, "%.*s/%s", (int)(slash - config_path), config_path, p) < 0)
		return NULL;
	return r;
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
	free(c->database);
	free(c->path);
	free(c);
}

static int load_drive(struct config *c, cfg_t *sec, const char *text, struct wg_err *err)
{
	struct drive_cfg *d = &c->drives[c->n_drives];
	const char *title = cfg_title(sec), *device, *blob, *access;
	int line = section_line(text, "drive", title, sec->line);

	if (!valid_name(title))
		return wg_err_set(err, -EINVAL,
				  "%s:%d: drive name '%s' is not valid: use 1 to %d letters, digits, '_', '-' or '.'",
				  c->path, line, title, STORE_NAME_MAX - 1);
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
	d->name = strdup(title);
	d->path = device ? strdup(device) : resolve_path(c->path, blob);
	c->n_drives++;
	if (!d->name || !d->path)
		return -ENOMEM;
	return 0;
}

int config_load(const char *path, struct config **ret, struct wg_err *err)
{
	struct parse_ctx pctx = { .err = err };
	struct config *c = NULL;
	uint8_t *text = NULL;
	size_t text_len;
	cfg_t *cfg = NULL;
	struct stat st;
	const char *db;
	int r;

	/* libconfuse's scanner exits the process on a directory; look before it does. */
	if (stat(path, &st) < 0)
		return wg_err_set(err, -errno, "cannot open '%s': %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return wg_err_set(err, -EINVAL, "'%s' is not a regular file", path);
	r = wg_read_file(path, CONFIG_MAX_SIZE, &text, &text_len);
	if (r == -EFBIG)
		return wg_err_set(err, r, "'%s' is larger than %d bytes", path, CONFIG_MAX_SIZE);
	if (r < 0)
		return wg_err_set(err, r, "cannot read '%s': %s", path, strerror(-r));
	text[text_len] = '\0';
	if (memchr(text, '\0', text_len)) {
		r = wg_err_set(err, -EINVAL, "'%s' is not a text file (it contains NUL bytes)", path);
		goto out;
	}

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
	cfg_set_error_function(cfg, on_confuse_error);
	current_parse = &pctx;
	r = cfg_parse(cfg, path);
	current_parse = NULL;
	if (r == CFG_FILE_ERROR) {
		r = wg_err_set(err, -errno ? -errno : -EIO, "cannot open '%s': %s", path, strerror(errno));
		goto out;
	}
	if (r != CFG_SUCCESS) {
		if (!pctx.have_err)
			wg_err_set(err, -EINVAL, "%s: cannot parse", path);
		r = -EINVAL;
		goto out;
	}

	db = cfg_getstr(cfg, "database");
	if (!db || !*db) {
		r = wg_err_set(err, -EINVAL, "%s: 'database' is empty", path);
		goto out;
	}
	c->database = resolve_path(path, db);
	c->drives = calloc(cfg_size(cfg, "drive") + 1, sizeof(*c->drives));
	if (!c->database || !c->drives) {
		r = -ENOMEM;
		goto out;
	}
	for (unsigned i = 0; i < cfg_size(cfg, "drive"); i++) {
		r = load_drive(c, cfg_getnsec(cfg, "drive", i), (const char *)text, err);
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
	for (size_t i = 0; i < c->n_drives; i++)
		if (strcmp(c->drives[i].name, name) == 0)
			return &c->drives[i];
	return NULL;
}
