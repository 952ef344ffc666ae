/* import.c — the SMART history other tools kept, read as weargate's readings (pure: text in, readings out) */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "import.h"

static int why_set(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int why_set(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -EBADMSG;
}

static bool alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

void import_smartd_normalize(const char *in, char *out, size_t len)
{
	size_t i = 0;

	if (!len)
		return;
	for (; in[i] && i + 1 < len; i++)
		out[i] = alnum(in[i]) ? in[i] : '_';
	out[i] = '\0';
}

int import_smartd_name(const char *path, char ret_model[41], char ret_serial[21])
{
	static const char suffix[] = ".ata.csv";
	const char *base = strrchr(path, '/'), *end, *dash, *start;
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n <= strlen(suffix) || strcmp(base + n - strlen(suffix), suffix) != 0)
		return -EINVAL;
	end = base + n - strlen(suffix);
	/* MODEL-SERIAL: neither holds a '-' (smartd wrote it '_'); the prefix may ("attrlog.") */
	for (dash = end; dash > base && dash[-1] != '-'; dash--)
		;
	if (dash == base)
		return -EINVAL;
	dash--;
	for (start = dash; start > base && alnum(start[-1]) | (start[-1] == '_'); start--)
		;
	if (start == dash || dash + 1 == end || (size_t)(dash - start) > 40 || (size_t)(end - dash - 1) > 20)
		return -EINVAL;
	for (const char *c = dash + 1; c < end; c++)
		if (!alnum(*c) && *c != '_')
			return -EINVAL;
	memcpy(ret_model, start, (size_t)(dash - start));
	ret_model[dash - start] = '\0';
	memcpy(ret_serial, dash + 1, (size_t)(end - dash - 1));
	ret_serial[end - dash - 1] = '\0';
	return 0;
}

/* A decimal number of at most max, at *p within end: 0, or -1 with nothing read. */
static int dec(const char **p, const char *end, uint64_t max, uint64_t *ret)
{
	const char *q = *p;
	uint64_t v = 0;

	if (q >= end || *q < '0' || *q > '9')
		return -1;
	for (; q < end && *q >= '0' && *q <= '9'; q++) {
		if (v > (max - (uint64_t)(*q - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*q - '0');
	}
	*p = q;
	*ret = v;
	return 0;
}

static int expect(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return -1;
	(*p)++;
	return 0;
}

/* "YYYY-MM-DD HH:MM:SS" in UTC, a real date and time */
static int parse_utc(const char **p, const char *end, int64_t *ret)
{
	uint64_t v[6];
	static const char sep[] = "-- ::";
	struct tm tm = { 0 };
	time_t t;

	for (int i = 0; i < 6; i++)
		if ((i && expect(p, end, sep[i - 1]) < 0) || dec(p, end, i ? 99 : 9999, &v[i]) < 0)
			return -1;
	if (v[0] < 1970 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60)
		return -1;
	tm.tm_year = (int)v[0] - 1900;
	tm.tm_mon = (int)v[1] - 1;
	tm.tm_mday = (int)v[2];
	tm.tm_hour = (int)v[3];
	tm.tm_min = (int)v[4];
	tm.tm_sec = (int)v[5];
	t = timegm(&tm);
	/* timegm moves 31 April to 1 May: a day the month does not have is refused */
	if (t == (time_t)-1 || tm.tm_mday != (int)v[2] || tm.tm_mon != (int)v[1] - 1)
		return -1;
	*ret = (int64_t)t;
	return 0;
}

static void reading_imported(struct smart_reading *r, const char *access)
{
	memset(r, 0, sizeof(*r));
	r->status = READING_OK;
	r->smart_ok = -1;
	r->self_test = -1;
	snprintf(r->access, sizeof(r->access), "%s", access);
}

static void raw_put(struct smart_attr *a, uint64_t raw)
{
	for (int i = 0; i < 6; i++)
		a->raw[i] = (uint8_t)(raw >> (8 * i));
	a->reserved = (uint8_t)(raw >> 48);
}

int import_smartd_line(const char *line, size_t len, int64_t *ret_t, struct smart_reading *ret, char *why,
		       size_t why_len)
{
	const char *p = line, *end = line + len;
	struct smart_reading r;
	int64_t t;

	while (end > p && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	if (p == end)
		return 0;
	if (parse_utc(&p, end, &t) < 0 || expect(&p, end, ';') < 0)
		return why_set(why, why_len, "column 1: not a time as smartd writes it (YYYY-MM-DD HH:MM:SS;)");
	reading_imported(&r, IMPORT_ACCESS_SMARTD);
	while (p < end) {
		const char *at = p;
		uint64_t id, val, raw;
		struct smart_attr *a;

		if (expect(&p, end, '\t') < 0)
			return why_set(why, why_len, "column %zu: an attribute must follow a tab", (size_t)(at - line) + 1);
		if (p < end && !(*p >= '0' && *p <= '9')) {
			size_t n = 0;

			/* the line is not NUL-terminated: its name ends at a separator or at the line's end */
			while (p + n < end && n < 40 && p[n] != ';' && p[n] != '\t' && p[n] != '\n')
				n++;
			return why_set(why, why_len, "column %zu: '%.*s' is not an ATA attribute (a SCSI drive's log?)",
				       (size_t)(p - line) + 1, (int)n, p);
		}
		if (dec(&p, end, 255, &id) < 0 || id == 0 || expect(&p, end, ';') < 0 || dec(&p, end, 255, &val) < 0 ||
		    expect(&p, end, ';') < 0 || dec(&p, end, (UINT64_C(1) << 56) - 1, &raw) < 0 || expect(&p, end, ';') < 0)
			return why_set(why, why_len,
				       "column %zu: not an attribute as smartd writes it (ID;VALUE;RAW; with an id of 1 "
				       "to 255, a value up to 255 and a raw value of at most 56 bits)",
				       (size_t)(at - line) + 2);
		if (r.n_attrs == SMART_MAX_ATTRS)
			return why_set(why, why_len, "column %zu: more than %d attributes", (size_t)(at - line) + 2,
				       SMART_MAX_ATTRS);
		a = &r.attrs[r.n_attrs++];
		a->id = (uint8_t)id;
		a->current = a->worst = (uint8_t)val;
		raw_put(a, raw);
	}
	*ret_t = t;
	*ret = r;
	return 1;
}

/* --- a JSON reader, enough for smartctl's reports: a tree of the document's values --- */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jnode {
	enum jtype type;
	int first, next; /* children of an array or object; the next sibling */
	const char *key, *str; /* an object member's name, a string: as in the text, escapes and all */
	size_t key_len, str_len;
	int64_t i;
	bool is_int, b;
};

struct jparser {
	const char *p, *start, *end;
	struct jnode *nodes;
	int n, cap, depth;
	const char *err;
};

#define JSON_DEPTH_MAX 64
#define JSON_NODES_MAX (1 << 20)

static void skip_ws(struct jparser *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int jfail(struct jparser *j, const char *what)
{
	if (!j->err)
		j->err = what;
	return -1;
}

static int jnew(struct jparser *j, enum jtype type)
{
	if (j->n == j->cap) {
		int cap = j->cap ? 2 * j->cap : 256;
		struct jnode *v;

		if (cap > JSON_NODES_MAX)
			return jfail(j, "too many values");
		v = realloc(j->nodes, (size_t)cap * sizeof(*v));
		if (!v)
			return jfail(j, "out of memory");
		j->nodes = v;
		j->cap = cap;
	}
	memset(&j->nodes[j->n], 0, sizeof(j->nodes[0]));
	j->nodes[j->n].type = type;
	j->nodes[j->n].first = j->nodes[j->n].next = -1;
	return j->n++;
}

/* A string at j->p (after its quote): its text up to the closing quote, escapes checked. */
static int jstring(struct jparser *j, const char **ret, size_t *ret_len)
{
	const char *s = j->p;

	while (j->p < j->end && *j->p != '"') {
		if ((unsigned char)*j->p < 0x20)
			return jfail(j, "a control character in a string");
		if (*j->p == '\\') {
			j->p++;
			if (j->p >= j->end || !strchr("\"\\/bfnrtu", *j->p))
				return jfail(j, "a bad escape in a string");
			if (*j->p == 'u') {
				for (int k = 1; k <= 4; k++)
					if (j->p + k >= j->end || !strchr("0123456789abcdefABCDEF", j->p[k]) || !j->p[k])
						return jfail(j, "a bad \\u escape in a string");
				j->p += 4;
			}
		}
		j->p++;
	}
	if (j->p >= j->end)
		return jfail(j, "a string that does not end");
	*ret = s;
	*ret_len = (size_t)(j->p - s);
	j->p++;
	return 0;
}

static int jvalue(struct jparser *j);

static int jcontainer(struct jparser *j, bool object)
{
	int self = jnew(j, object ? J_OBJ : J_ARR), last = -1;

	if (self < 0)
		return -1;
	if (++j->depth > JSON_DEPTH_MAX)
		return jfail(j, "nested too deep");
	skip_ws(j);
	if (j->p < j->end && *j->p == (object ? '}' : ']')) {
		j->p++;
		j->depth--;
		return self;
	}
	for (;;) {
		const char *key = NULL;
		size_t key_len = 0;
		int child;

		skip_ws(j);
		if (object) {
			if (j->p >= j->end || *j->p != '"')
				return jfail(j, "an object member without a name");
			j->p++;
			if (jstring(j, &key, &key_len) < 0)
				return -1;
			skip_ws(j);
			if (j->p >= j->end || *j->p != ':')
				return jfail(j, "a member name without ':'");
			j->p++;
		}
		child = jvalue(j);
		if (child < 0)
			return -1;
		j->nodes[child].key = key;
		j->nodes[child].key_len = key_len;
		if (last < 0)
			j->nodes[self].first = child;
		else
			j->nodes[last].next = child;
		last = child;
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == (object ? '}' : ']')) {
			j->p++;
			j->depth--;
			return self;
		}
		return jfail(j, object ? "an object that does not end" : "an array that does not end");
	}
}

static int jnumber(struct jparser *j)
{
	const char *s = j->p;
	bool neg = false, integral = true, overflow = false;
	uint64_t v = 0;
	int self;

	if (j->p < j->end && *j->p == '-')
		neg = true, j->p++;
	if (j->p >= j->end || *j->p < '0' || *j->p > '9')
		return jfail(j, "not a value");
	for (; j->p < j->end && *j->p >= '0' && *j->p <= '9'; j->p++) {
		if (v > (UINT64_C(9223372036854775807) - (uint64_t)(*j->p - '0')) / 10)
			overflow = true;
		else
			v = v * 10 + (uint64_t)(*j->p - '0');
	}
	if (j->p < j->end && *j->p == '.') {
		integral = false;
		for (j->p++; j->p < j->end && *j->p >= '0' && *j->p <= '9'; j->p++)
			;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		integral = false;
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return jfail(j, "a bad number");
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	self = jnew(j, J_NUM);
	if (self < 0)
		return -1;
	j->nodes[self].is_int = integral && !overflow;
	j->nodes[self].i = neg ? -(int64_t)v : (int64_t)v;
	j->nodes[self].str = s;
	j->nodes[self].str_len = (size_t)(j->p - s);
	return self;
}

static int jvalue(struct jparser *j)
{
	static const struct {
		const char *word;
		enum jtype type;
		bool b;
	} words[] = { { "null", J_NULL, false }, { "true", J_BOOL, true }, { "false", J_BOOL, false } };
	int self;

	skip_ws(j);
	if (j->p >= j->end)
		return jfail(j, "a value is missing");
	switch (*j->p) {
	case '{':
	case '[':
		return jcontainer(j, *j->p++ == '{');
	case '"':
		j->p++;
		self = jnew(j, J_STR);
		if (self < 0 || jstring(j, &j->nodes[self].str, &j->nodes[self].str_len) < 0)
			return -1;
		return self;
	default:
		for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
			size_t n = strlen(words[k].word);

			if ((size_t)(j->end - j->p) >= n && memcmp(j->p, words[k].word, n) == 0) {
				j->p += n;
				self = jnew(j, words[k].type);
				if (self >= 0)
					j->nodes[self].b = words[k].b;
				return self;
			}
		}
		return jnumber(j);
	}
}

/* The member of object o named key; -1 when none (or o is no object). */
static int jget(const struct jparser *j, int o, const char *key)
{
	size_t n = strlen(key);

	if (o < 0 || j->nodes[o].type != J_OBJ)
		return -1;
	for (int c = j->nodes[o].first; c >= 0; c = j->nodes[c].next)
		if (j->nodes[c].key_len == n && memcmp(j->nodes[c].key, key, n) == 0)
			return c;
	return -1;
}

/* A path of members, "a.b.c"; -1 when any is missing. */
static int jpath(const struct jparser *j, int o, const char *path)
{
	char part[64];

	while (o >= 0 && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(part))
			return -1;
		memcpy(part, path, n);
		part[n] = '\0';
		o = jget(j, o, part);
		path += n + (path[n] == '.');
	}
	return o;
}

/* An integer member within [min, max]: 1 with *ret, 0 when missing or null, -1 when not such a number. */
static int jint(const struct jparser *j, int o, const char *path, int64_t min, int64_t max, int64_t *ret)
{
	int k = jpath(j, o, path);

	if (k < 0 || j->nodes[k].type == J_NULL)
		return 0;
	if (j->nodes[k].type != J_NUM || !j->nodes[k].is_int || j->nodes[k].i < min || j->nodes[k].i > max)
		return -1;
	*ret = j->nodes[k].i;
	return 1;
}

/* A string member copied out, its escapes undone (what is not ASCII as '?'): 1, 0 missing, -1 not a string or too long. */
static int jstr(const struct jparser *j, int o, const char *path, char *buf, size_t len)
{
	int k = jpath(j, o, path);
	size_t n = 0;

	if (k < 0 || j->nodes[k].type == J_NULL)
		return 0;
	if (j->nodes[k].type != J_STR)
		return -1;
	for (size_t i = 0; i < j->nodes[k].str_len; i++) {
		char c = j->nodes[k].str[i];

		if (c == '\\') {
			c = j->nodes[k].str[++i];
			c = c == 'n' || c == 't' || c == 'r' || c == 'b' || c == 'f' ? ' ' : c;
			if (c == 'u') {
				c = '?';
				i += 4;
			}
		} else if ((unsigned char)c >= 0x80) {
			c = '?';
		}
		if (n + 1 >= len)
			return -1;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return 1;
}

int import_smartctl_json(const char *text, size_t len, int64_t *ret_t, struct smart_reading *ret, char *why,
			 size_t why_len)
{
	struct jparser j = { .p = text, .start = text, .end = text + len };
	struct smart_reading *r = malloc(sizeof(*r));
	char proto[16] = "";
	int64_t v, t = 0;
	int root, table, k, rc = -EBADMSG;

	if (!r)
		return -ENOMEM;
	root = jvalue(&j);
	if (root >= 0) {
		skip_ws(&j);
		if (j.p != j.end)
			root = jfail(&j, "more after the document");
	}
	if (root < 0) {
		rc = j.err && strcmp(j.err, "out of memory") == 0
			     ? -ENOMEM
			     : why_set(why, why_len, "offset %zu: %s", (size_t)(j.p - text), j.err ? j.err : "not JSON");
		goto out;
	}
	if (j.nodes[root].type != J_OBJ) {
		why_set(why, why_len, "not a smartctl report: the document is not an object");
		goto out;
	}
	if (jstr(&j, root, "device.protocol", proto, sizeof(proto)) > 0 && strcmp(proto, "ATA") != 0) {
		why_set(why, why_len, "device.protocol is '%s': only ATA drives' reports are read", proto);
		goto out;
	}
	if (jint(&j, root, "local_time.time_t", 1, (INT64_C(1) << 40) - 1, &t) <= 0) {
		why_set(why, why_len, "local_time.time_t is missing or not a time");
		goto out;
	}
	reading_imported(r, IMPORT_ACCESS_SMARTCTL);
	if (jstr(&j, root, "model_name", r->identity.model, sizeof(r->identity.model)) <= 0 ||
	    jstr(&j, root, "serial_number", r->identity.serial, sizeof(r->identity.serial)) <= 0 ||
	    !r->identity.model[0] || !r->identity.serial[0]) {
		why_set(why, why_len, "model_name and serial_number are needed (strings of at most 40 and 20 characters)");
		goto out;
	}
	if (jstr(&j, root, "firmware_version", r->identity.firmware, sizeof(r->identity.firmware)) < 0) {
		why_set(why, why_len, "firmware_version is not a string of at most 8 characters");
		goto out;
	}
	r->identity_valid = true;
	if (jint(&j, root, "user_capacity.bytes", 0, INT64_MAX, &v) > 0)
		r->identity.sectors = (uint64_t)v / 512;
	/* smartctl says 0 for a solid-state drive, IDENTIFY word 217 says 1 */
	if (jint(&j, root, "rotation_rate", 0, 0xfffe, &v) > 0)
		r->identity.rotation = v == 0 ? 1 : (uint16_t)v;
	k = jpath(&j, root, "smart_status.passed");
	if (k >= 0 && j.nodes[k].type == J_BOOL)
		r->smart_ok = j.nodes[k].b;
	if (jint(&j, root, "ata_smart_data.self_test.status.value", 0, 255, &v) > 0)
		r->self_test = (int)v;
	table = jpath(&j, root, "ata_smart_attributes.table");
	if (table < 0 || j.nodes[table].type != J_ARR) {
		why_set(why, why_len, "ata_smart_attributes.table is missing: no attributes to read");
		goto out;
	}
	for (int e = j.nodes[table].first, i = 0; e >= 0; e = j.nodes[e].next, i++) {
		struct smart_attr *a;
		int64_t id, val, worst, thresh = -1, flags = 0, raw;

		if (r->n_attrs == SMART_MAX_ATTRS) {
			why_set(why, why_len, "ata_smart_attributes.table has more than %d entries", SMART_MAX_ATTRS);
			goto out;
		}
		if (jint(&j, e, "id", 1, 255, &id) <= 0 || jint(&j, e, "value", 0, 255, &val) <= 0 ||
		    jint(&j, e, "worst", 0, 255, &worst) <= 0 || jint(&j, e, "raw.value", 0, (INT64_C(1) << 56) - 1, &raw) <= 0 ||
		    jint(&j, e, "thresh", 0, 255, &thresh) < 0 || jint(&j, e, "flags.value", 0, 0xffff, &flags) < 0) {
			why_set(why, why_len,
				"ata_smart_attributes.table[%d]: id (1-255), value, worst (0-255) and raw.value (at most "
				"56 bits) are needed; thresh and flags.value are numbers when there",
				i);
			goto out;
		}
		a = &r->attrs[r->n_attrs++];
		a->id = (uint8_t)id;
		a->current = (uint8_t)val;
		a->worst = (uint8_t)worst;
		a->flags = (uint16_t)flags;
		a->threshold_valid = thresh >= 0;
		a->threshold = thresh >= 0 ? (uint8_t)thresh : 0;
		raw_put(a, (uint64_t)raw);
	}
	*ret_t = t;
	*ret = *r;
	rc = 0;
out:
	free(j.nodes);
	free(r);
	return rc;
}
