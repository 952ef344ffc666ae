/* drivedb.c — smartmontools' drive database: read the file, match a drive, make its attribute definitions */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "drivedb.h"

struct entry {
	char *family, *model, *firmware, *warning, *presets;
	int line;
	bool has_firmware;
	regex_t model_re, firmware_re;
	bool anchored_model, anchored_firmware; /* compiled as ^(…)$: no check of where the match ends */
};

struct drivedb {
	char *path;
	char version[64];
	char stamp[96];
	char *defaults; /* the DEFAULT entry's presets; NULL without one */
	struct entry *entries;
	size_t n, cap;
};

/* FNV-1a: a change anywhere in the file is a new database, whatever its VERSION line says. */
static uint64_t hash_of(const char *p, size_t len)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)p[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

/* "VERSION: 7.3 $Id: drivedb.h 5319 2022-02-19 17:48:34Z chrfranke $" -> "7.3/5319 2022-02-19" */
static void version_of(const char *family, size_t len, char *buf, size_t size)
{
	char text[256], branch[32] = "", rev[32] = "", date[32] = "";

	snprintf(text, sizeof(text), "%.*s", (int)(len < sizeof(text) ? len : sizeof(text) - 1), family);
	if (sscanf(text, "VERSION: %31s $Id: drivedb.h %31s %31s", branch, rev, date) == 3)
		snprintf(buf, size, "%s/%s %s", branch, rev, date);
	else
		snprintf(buf, size, "%.63s", text + (strncmp(text, "VERSION:", 8) == 0 ? 8 + strspn(text + 8, " ") : 0));
}

/* The stamp of a database's text without parsing it: the VERSION entry's text and the hash. */
static void stamp_of(const char *text, size_t len, char *ret_version, size_t vlen, char *ret_stamp, size_t slen)
{
	static const char tag[] = "\"VERSION:";
	const char *v = memmem(text, len, tag, sizeof(tag) - 1), *end;

	ret_version[0] = '\0';
	if (v) {
		v++;
		end = memchr(v, '"', (size_t)(text + len - v));
		if (end)
			version_of(v, (size_t)(end - v), ret_version, vlen);
	}
	snprintf(ret_stamp, slen, "%s%s#%016" PRIx64, ret_version, ret_version[0] ? " " : "", hash_of(text, len));
}

/* The lexer: C string literals, braces and commas, between blanks and comments. */
struct lexer {
	const char *p, *end, *path;
	int line;
	struct wg_err *err;
	char *buf; /* the string token, its literals joined */
	size_t len, cap;
};

enum tok { TOK_EOF, TOK_LBRACE, TOK_RBRACE, TOK_COMMA, TOK_STRING };

static int lex_error(struct lexer *x, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int lex_error(struct lexer *x, int line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return wg_err_set(x->err, -EINVAL, "%s:%d: %s", x->path, line, msg);
}

static int skip_blank(struct lexer *x)
{
	while (x->p < x->end) {
		if (*x->p == '\n') {
			x->line++;
			x->p++;
		} else if (*x->p == ' ' || *x->p == '\t' || *x->p == '\r' || *x->p == '\f' || *x->p == '\v') {
			x->p++;
		} else if (*x->p == '/' && x->p + 1 < x->end && x->p[1] == '/') {
			while (x->p < x->end && *x->p != '\n')
				x->p++;
		} else if (*x->p == '/' && x->p + 1 < x->end && x->p[1] == '*') {
			int opened = x->line;

			for (x->p += 2;; x->p++) {
				if (x->p + 1 >= x->end)
					return lex_error(x, opened, "comment not closed ('*/' missing)");
				if (*x->p == '\n')
					x->line++;
				else if (x->p[0] == '*' && x->p[1] == '/')
					break;
			}
			x->p += 2;
		} else {
			break;
		}
	}
	return 0;
}

static int buf_put(struct lexer *x, char c)
{
	if (x->len + 1 >= x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 256;
		char *b = realloc(x->buf, cap);

		if (!b)
			return wg_err_set(x->err, -ENOMEM, "out of memory");
		x->buf = b;
		x->cap = cap;
	}
	x->buf[x->len++] = c;
	x->buf[x->len] = '\0';
	return 0;
}

/* One literal, its opening quote at x->p. */
static int lex_literal(struct lexer *x)
{
	int line = x->line;

	for (x->p++;; x->p++) {
		char c;
		int r;

		if (x->p >= x->end || *x->p == '\n')
			return lex_error(x, line, "string not closed ('\"' missing)");
		c = *x->p;
		if (c == '"')
			break;
		if (c == '\0')
			return lex_error(x, x->line, "a NUL byte in a string");
		if (c == '\\') {
			if (++x->p >= x->end)
				return lex_error(x, line, "string not closed ('\"' missing)");
			switch (*x->p) {
			case 'n':
				c = '\n';
				break;
			case '\\':
			case '"':
				c = *x->p;
				break;
			case '\n': /* a line continued */
				x->line++;
				continue;
			default:
				return lex_error(x, x->line, "unknown escape '\\%c' in a string",
						 *x->p >= 0x20 && *x->p < 0x7f ? *x->p : '?');
			}
		}
		r = buf_put(x, c);
		if (r < 0)
			return r;
	}
	x->p++;
	return 0;
}

/* The next token; a string is every literal up to the next other token, joined as C joins them. */
static int lex_next(struct lexer *x, enum tok *ret, int *ret_line)
{
	int r = skip_blank(x);

	if (r < 0)
		return r;
	*ret_line = x->line;
	if (x->p >= x->end) {
		*ret = TOK_EOF;
		return 0;
	}
	switch (*x->p) {
	case '{':
		*ret = TOK_LBRACE;
		x->p++;
		return 0;
	case '}':
		*ret = TOK_RBRACE;
		x->p++;
		return 0;
	case ',':
		*ret = TOK_COMMA;
		x->p++;
		return 0;
	case '"':
		x->len = 0;
		r = buf_put(x, '\0'); /* an empty string is still a string */
		x->len = 0;
		while (r >= 0 && x->p < x->end && *x->p == '"') {
			r = lex_literal(x);
			if (r >= 0)
				r = skip_blank(x);
		}
		*ret = TOK_STRING;
		return r;
	default:
		if (*x->p >= 0x21 && *x->p < 0x7f)
			return lex_error(x, x->line, "unexpected '%c' (entries are {\"…\", \"…\", \"…\", \"…\", \"…\"},)",
					 *x->p);
		return lex_error(x, x->line, "unexpected byte 0x%02x", (unsigned char)*x->p);
	}
}

/*
 * What regcomp(3) would make of a pattern, roughly: intervals and repetitions multiply the
 * atom or group they follow, and glibc's memory grows with the product ("(a{255}){255}"
 * takes gigabytes). Refused before regcomp: a pattern past these limits, and adjacent
 * repetitions ("a+*"), which POSIX leaves undefined. NULL when the pattern is fine.
 */
#define PATTERN_COPIES_MAX 20000
#define PATTERN_DEPTH_MAX 32

static const char *pattern_problem(const char *p)
{
	unsigned long cur[PATTERN_DEPTH_MAX + 1] = { 0 }, last = 0;
	int depth = 0;
	bool repeated = false; /* the previous token was a repetition */

	for (; *p; p++) {
		unsigned long factor = 0;

		if (*p == '*' || *p == '+' || *p == '?') {
			factor = 2;
		} else if (*p == '{') {
			unsigned long m = 0, n = 0;
			bool comma = false;

			for (p++; *p && *p != '}'; p++) {
				if (*p == ',')
					comma = true;
				else if (*p >= '0' && *p <= '9' && (comma ? n : m) <= 255)
					*(comma ? &n : &m) = *(comma ? &n : &m) * 10 + (unsigned long)(*p - '0');
				else
					return "not an interval {m,n}";
			}
			if (!*p)
				return "an interval '{' not closed";
			if (m > 255 || n > 255)
				return "an interval past 255";
			factor = (comma && n > m ? n : m) + 1;
		}
		if (factor) {
			if (repeated)
				return "a repetition of a repetition (undefined in POSIX)";
			repeated = true;
			cur[depth] += last * (factor - 1);
			last *= factor;
		} else {
			repeated = false;
			if (*p == '(') {
				if (++depth > PATTERN_DEPTH_MAX)
					return "groups nested too deep";
				cur[depth] = 0;
				last = 0;
				continue;
			}
			if (*p == ')' && depth > 0) {
				last = cur[depth--];
				cur[depth] += last;
			} else if (*p == '|') {
				last = 0;
			} else {
				if (*p == '\\' && p[1])
					p++;
				else if (*p == '[') /* a bracket expression is one atom: "[]a]", "[^]a]" */
					for (p += p[1] == '^' ? 2 : 1, p += *p == ']'; *p && *p != ']'; p++)
						;
				if (!*p)
					return "a bracket expression '[' not closed";
				last = 1;
				cur[depth] += 1;
			}
		}
		if (cur[depth] > PATTERN_COPIES_MAX || last > PATTERN_COPIES_MAX)
			return "too large once its repetitions are counted";
	}
	return NULL;
}

/* smartctl matches the whole string: anchor the expression, unless a back-reference would then count wrong. */
static int compile(const char *pattern, regex_t *re, bool *ret_anchored)
{
	bool backref = false;
	char *wrapped;
	int rc, depth = 0;

	for (const char *p = pattern; *p; p++)
		if (p[0] == '\\' && p[1]) {
			backref |= p[1] >= '1' && p[1] <= '9';
			p++;
		}
	*ret_anchored = !backref;
	if (backref)
		return regcomp(re, pattern, REG_EXTENDED);
	/* "a)|(b" would compile anchored, not alone: refuse it as smartctl would */
	for (const char *p = pattern; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '(')
			depth++;
		else if (*p == ')' && --depth < 0)
			return REG_EPAREN;
	}
	if (asprintf(&wrapped, "^(%s)$", pattern) < 0)
		return REG_ESPACE;
	rc = regcomp(re, wrapped, REG_EXTENDED | REG_NOSUB);
	free(wrapped);
	return rc;
}

static bool full_match(const regex_t *re, bool anchored, const char *s)
{
	regmatch_t m[1];

	if (anchored)
		return regexec(re, s, 0, NULL, 0) == 0;
	return regexec(re, s, 1, m, 0) == 0 && m[0].rm_so == 0 && (size_t)m[0].rm_eo == strlen(s);
}

static void entry_release(struct entry *e)
{
	free(e->family);
	free(e->model);
	free(e->firmware);
	free(e->warning);
	free(e->presets);
	regfree(&e->model_re);
	if (e->has_firmware)
		regfree(&e->firmware_re);
}

void drivedb_free(struct drivedb *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->n; i++)
		entry_release(&db->entries[i]);
	free(db->entries);
	free(db->defaults);
	free(db->path);
	free(db);
}

size_t drivedb_n_entries(const struct drivedb *db)
{
	return db->n;
}

const char *drivedb_version(const struct drivedb *db)
{
	return db->version;
}

enum { F_FAMILY, F_MODEL, F_FIRMWARE, F_WARNING, F_PRESETS, _F_MAX };

/* Check one entry as smartctl would, and keep it when it describes drives. */
static int add_entry(struct drivedb *db, struct lexer *x, char *f[_F_MAX], const int line[_F_MAX], int at,
		     struct attr_defs *scratch)
{
	bool is_default = strcmp(f[F_FAMILY], "DEFAULT") == 0;
	struct entry e = { .line = at };
	const char *problem;
	char msg[256];
	int rc, r;

	if (!f[F_MODEL][0])
		return lex_error(x, line[F_MODEL], "the entry has no regular expression for the model");
	if ((problem = pattern_problem(f[F_MODEL])))
		return lex_error(x, line[F_MODEL], "model expression \"%.60s\": %s", f[F_MODEL], problem);
	if ((problem = pattern_problem(f[F_FIRMWARE])))
		return lex_error(x, line[F_FIRMWARE], "firmware expression \"%.60s\": %s", f[F_FIRMWARE], problem);
	rc = compile(f[F_MODEL], &e.model_re, &e.anchored_model);
	if (rc != 0) {
		regerror(rc, &e.model_re, msg, sizeof(msg));
		return lex_error(x, line[F_MODEL], "model expression \"%.60s\": %s", f[F_MODEL], msg);
	}
	if (f[F_FIRMWARE][0]) {
		rc = compile(f[F_FIRMWARE], &e.firmware_re, &e.anchored_firmware);
		if (rc != 0) {
			regerror(rc, &e.firmware_re, msg, sizeof(msg));
			regfree(&e.model_re);
			return lex_error(x, line[F_FIRMWARE], "firmware expression \"%.60s\": %s", f[F_FIRMWARE], msg);
		}
		e.has_firmware = true;
	}
	/* what the presets say is checked here, and made into definitions when a drive matches */
	memset(scratch, 0, sizeof(*scratch));
	r = attr_defs_apply(scratch, f[F_PRESETS], is_default ? 1 : 2, x->err);
	if (r < 0) {
		char why[sizeof(x->err->msg)];

		snprintf(why, sizeof(why), "%s", x->err->msg);
		entry_release(&e);
		return lex_error(x, line[F_PRESETS], "presets: %s", why);
	}
	if (strncmp(f[F_FAMILY], "VERSION:", 8) == 0 || is_default || strncmp(f[F_FAMILY], "USB:", 4) == 0 ||
	    f[F_FAMILY][0] == '$') {
		/* these describe the database, its defaults, USB bridges, or nothing: no drive matches them */
		if (strncmp(f[F_FAMILY], "VERSION:", 8) == 0)
			version_of(f[F_FAMILY], strlen(f[F_FAMILY]), db->version, sizeof(db->version));
		if (is_default && !db->defaults) {
			db->defaults = f[F_PRESETS];
			f[F_PRESETS] = NULL;
		}
		entry_release(&e);
		return 0;
	}
	if (db->n == db->cap) {
		size_t cap = db->cap ? 2 * db->cap : 512;
		struct entry *n = realloc(db->entries, cap * sizeof(*n));

		if (!n) {
			entry_release(&e);
			return wg_err_set(x->err, -ENOMEM, "out of memory");
		}
		db->entries = n;
		db->cap = cap;
	}
	e.family = f[F_FAMILY];
	e.model = f[F_MODEL];
	e.firmware = f[F_FIRMWARE];
	e.warning = f[F_WARNING];
	e.presets = f[F_PRESETS];
	for (int i = 0; i < _F_MAX; i++)
		f[i] = NULL;
	db->entries[db->n++] = e;
	return 0;
}

static const char *tok_name(enum tok t)
{
	static const char *const names[] = {
		[TOK_EOF] = "the end of the file", [TOK_LBRACE] = "'{'", [TOK_RBRACE] = "'}'",
		[TOK_COMMA] = "','", [TOK_STRING] = "a string",
	};

	return names[t];
}

int drivedb_parse(const char *text, size_t len, const char *path, struct drivedb **ret, struct wg_err *err)
{
	struct lexer x = { .p = text, .end = text + len, .path = path, .line = 1, .err = err };
	struct attr_defs *scratch = malloc(sizeof(*scratch));
	struct drivedb *db = calloc(1, sizeof(*db));
	char *f[_F_MAX] = { NULL };
	int line[_F_MAX] = { 0 };
	int r = 0;

	if (!db || !scratch || !(db->path = strdup(path))) {
		r = wg_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	stamp_of(text, len, db->version, sizeof(db->version), db->stamp, sizeof(db->stamp));
	db->version[0] = '\0'; /* the VERSION entry, parsed, says it */
	for (;;) {
		enum tok t;
		int at, l;

		r = lex_next(&x, &t, &at);
		if (r < 0 || t == TOK_EOF)
			break;
		if (t != TOK_LBRACE) {
			r = lex_error(&x, at, "%s where an entry '{' was expected", tok_name(t));
			break;
		}
		for (int i = 0; i < _F_MAX && r >= 0; i++) {
			r = lex_next(&x, &t, &line[i]);
			if (r >= 0 && t != TOK_STRING)
				r = lex_error(&x, line[i], "%s where string %d of 5 of the entry of line %d was expected",
					      tok_name(t), i + 1, at);
			if (r >= 0 && !(f[i] = strdup(x.buf)))
				r = wg_err_set(err, -ENOMEM, "out of memory");
			if (r >= 0)
				r = lex_next(&x, &t, &l);
			if (r >= 0 && t != (i + 1 < _F_MAX ? TOK_COMMA : TOK_RBRACE))
				r = lex_error(&x, l, "%s where %s was expected in the entry of line %d", tok_name(t),
					      i + 1 < _F_MAX ? "','" : "'}' (an entry has 5 strings)", at);
		}
		if (r >= 0)
			r = add_entry(db, &x, f, line, at, scratch);
		for (int i = 0; i < _F_MAX; i++) {
			free(f[i]);
			f[i] = NULL;
		}
		if (r < 0)
			break;
		/* entries are separated by commas; one after the last is fine */
		r = lex_next(&x, &t, &l);
		if (r < 0 || t == TOK_EOF)
			break;
		if (t != TOK_COMMA) {
			r = lex_error(&x, l, "%s where ',' or the end was expected after the entry of line %d", tok_name(t),
				      at);
			break;
		}
	}
out:
	free(x.buf);
	free(scratch);
	if (r < 0) {
		drivedb_free(db);
		return r;
	}
	*ret = db;
	return 0;
}

int drivedb_load(const char *path, struct drivedb **ret, struct wg_err *err)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int r = wg_read_file(path, DRIVEDB_FILE_MAX, &buf, &len);

	if (r == -EFBIG)
		return wg_err_set(err, r, "'%s' is larger than %d bytes: not a drive database", path, DRIVEDB_FILE_MAX);
	if (r < 0)
		return wg_err_set(err, r, "cannot read '%s': %s", path, strerror(-r));
	r = drivedb_parse((const char *)buf, len, path, ret, err);
	free(buf);
	return r;
}

static void match_init(struct drivedb_match *m, const char *stamp, const char *source, const char *defaults)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->stamp, sizeof(m->stamp), "%s", stamp);
	snprintf(m->source, sizeof(m->source), "%s", source);
	snprintf(m->defaults, sizeof(m->defaults), "%s", defaults ? defaults : "");
}

const char *drivedb_match_source(const struct drivedb_match *m, char *buf, size_t len)
{
	/* a file was read and parsed: its path and version */
	if (m->stamp[0] && strncmp(m->source, "malformed: ", 11) != 0)
		return m->source;
	snprintf(buf, len, "%s; smartctl's default attribute formats", m->source[0] ? m->source : "none");
	return buf;
}

int drivedb_match(struct drivedb *db, const char *model, const char *firmware, struct drivedb_match *ret)
{
	char source[DRIVEDB_SOURCE_MAX];

	if (db->version[0])
		snprintf(source, sizeof(source), "%s (%s)", db->path, db->version);
	else
		snprintf(source, sizeof(source), "%s", db->path);
	match_init(ret, db->stamp, source, db->defaults);
	for (size_t i = 0; i < db->n; i++) {
		const struct entry *e = &db->entries[i];

		if (!full_match(&e->model_re, e->anchored_model, model))
			continue;
		if (e->has_firmware && !full_match(&e->firmware_re, e->anchored_firmware, firmware))
			continue;
		snprintf(ret->family, sizeof(ret->family), "%s", e->family);
		snprintf(ret->warning, sizeof(ret->warning), "%s", e->warning);
		snprintf(ret->presets, sizeof(ret->presets), "%s", e->presets);
		return 1;
	}
	return 0;
}

/* Definitions made so far, one per distinct pair of presets: few per process, kept until it ends. */
struct made_defs {
	struct made_defs *next;
	char *defaults, *presets;
	struct attr_defs defs;
};

static pthread_mutex_t made_lock = PTHREAD_MUTEX_INITIALIZER;
static struct made_defs *made;

const struct attr_defs *drivedb_defs(const char *defaults, const char *presets)
{
	struct made_defs *m;

	if (!defaults[0] && !presets[0])
		return attr_defs_builtin();
	pthread_mutex_lock(&made_lock);
	for (m = made; m; m = m->next)
		if (strcmp(m->defaults, defaults) == 0 && strcmp(m->presets, presets) == 0)
			break;
	if (!m && (m = calloc(1, sizeof(*m)))) {
		m->defaults = strdup(defaults);
		m->presets = strdup(presets);
		if (!m->defaults || !m->presets) {
			free(m->defaults);
			free(m->presets);
			free(m);
			m = NULL;
		} else {
			/* the text was checked when the database was read: a preset that no longer parses stops there */
			if (defaults[0])
				memset(&m->defs, 0, sizeof(m->defs));
			else
				attr_defs_init_builtin(&m->defs);
			attr_defs_apply(&m->defs, defaults, 1, NULL);
			attr_defs_apply(&m->defs, presets, 2, NULL);
			m->next = made;
			made = m;
		}
	}
	pthread_mutex_unlock(&made_lock);
	return m ? &m->defs : attr_defs_builtin();
}

struct drivedb_source {
	char *configured; /* `drivedb = PATH`, or NULL */
	const char *path; /* the file looked at */
	bool read;        /* the file was looked at */
	uint8_t *text;    /* its bytes, when it could be read */
	size_t len;
	char version[64], stamp[96];
	char source[DRIVEDB_SOURCE_MAX]; /* why there is no database, when there is none */
	bool parsed;
	struct drivedb *db;
	char warning[DRIVEDB_SOURCE_MAX];
};

int drivedb_source_new(const char *path, struct drivedb_source **ret)
{
	struct drivedb_source *s = calloc(1, sizeof(*s));

	if (!s || (path && !(s->configured = strdup(path)))) {
		free(s);
		return -ENOMEM;
	}
	*ret = s;
	return 0;
}

void drivedb_source_free(struct drivedb_source *src)
{
	if (!src)
		return;
	drivedb_free(src->db);
	free(src->text);
	free(src->configured);
	free(src);
}

static void source_read(struct drivedb_source *s)
{
	struct stat st;
	int r;

	if (s->read)
		return;
	s->read = true;
	if (s->configured)
		s->path = s->configured;
	else
		s->path = stat(DRIVEDB_UPDATED_PATH, &st) == 0 ? DRIVEDB_UPDATED_PATH : DRIVEDB_PACKAGE_PATH;
	r = wg_read_file(s->path, DRIVEDB_FILE_MAX, &s->text, &s->len);
	if (r == 0) {
		stamp_of((const char *)s->text, s->len, s->version, sizeof(s->version), s->stamp, sizeof(s->stamp));
		return;
	}
	s->text = NULL;
	if (r == -ENOENT) {
		snprintf(s->source, sizeof(s->source), "none: '%s' not found", s->path);
		/* smartmontools not installed is a choice; a configured file that is not there is a mistake */
		if (s->configured)
			snprintf(s->warning, sizeof(s->warning), "drive database '%s' not found", s->path);
		return;
	}
	if (r == -EFBIG)
		snprintf(s->warning, sizeof(s->warning), "'%s' is larger than %d bytes: not a drive database", s->path,
			 DRIVEDB_FILE_MAX);
	else
		snprintf(s->warning, sizeof(s->warning), "cannot read '%s': %s", s->path, strerror(-r));
	snprintf(s->source, sizeof(s->source), "none: %.600s", s->warning);
}

const char *drivedb_source_stamp(struct drivedb_source *src)
{
	source_read(src);
	return src->stamp;
}

int drivedb_source_match(struct drivedb_source *src, const char *model, const char *firmware,
			 struct drivedb_match *ret)
{
	struct wg_err err = { "" };
	int r;

	source_read(src);
	if (src->text && !src->parsed) {
		src->parsed = true;
		r = drivedb_parse((const char *)src->text, src->len, src->path, &src->db, &err);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			snprintf(src->warning, sizeof(src->warning), "%s", err.msg);
			snprintf(src->source, sizeof(src->source), "malformed: %s", err.msg);
		}
	}
	if (!src->db) {
		/* no database to go by: smartctl's own defaults, and the stamp of the file as it stands */
		match_init(ret, src->stamp, src->source, NULL);
		return 0;
	}
	r = drivedb_match(src->db, model, firmware, ret);
	return r < 0 ? r : 0;
}

const char *drivedb_source_warning(const struct drivedb_source *src)
{
	return src->warning[0] ? src->warning : NULL;
}
