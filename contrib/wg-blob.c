/* wg-blob.c — write and edit SMART blobs from text, so that a drive can "degrade" on a machine without disks */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "attrs.h"
#include "blob.h"

#define EXIT_BAD_INPUT 1
#define RAW48_MAX ((INT64_C(1) << 48) - 1)
#define LOW32_MAX INT64_C(0xFFFFFFFF)
#define DESC_LINE_MAX 4096
#define WORDS_MAX 16

static const char help_text[] =
	"usage: wg-blob create OUT DESC\n"
	"       wg-blob set FILE ID FIELD=N...\n"
	"       wg-blob status FILE good|bad|none\n"
	"       wg-blob dump FILE\n"
	"\n"
	"Write and edit libatasmart SMART blobs (the `skdump --save` format, which weargate reads\n"
	"for a drive configured with `blob = FILE`), keeping every checksum valid. A file is\n"
	"always replaced atomically, so a reader never sees half of it.\n"
	"\n"
	"  create OUT DESC  write OUT from the description DESC ('-' reads stdin)\n"
	"  set FILE ID ...  change attribute ID (1-255) of FILE, adding it when missing\n"
	"  status FILE ...  set the self-assessment; none removes the status record\n"
	"  dump FILE        print FILE as a description that create reads back\n"
	"\n"
	"A description has one directive per line. '#' at the start of a word begins a comment,\n"
	"\"...\" quotes a value with blanks (\\\" and \\\\ inside):\n"
	"  model \"WDC WD5000AAKS-00TMA0\"  up to 40 characters; required\n"
	"  serial WD-WCAPW1234567         up to 20 characters\n"
	"  firmware 12.01C01              up to 8 characters\n"
	"  sectors 976773168              capacity in 512-byte sectors\n"
	"  status good                    good, bad, or none (no status record); default good\n"
	"  self-test 0x00                 the data page's self-test execution status byte\n"
	"  attr 5 flags=0x0033 value=200 worst=200 threshold=140 raw=0\n"
	"A blob with attributes or a self-test byte gets both SMART pages (data and thresholds).\n"
	"\n"
	"Attribute fields, for attr lines and for set:\n"
	"  flags=N      status flags, bit 0 = prefailure; needed to add an attribute\n"
	"  value=N      normalized value 0-255 (a new attribute: 100); worst follows it down\n"
	"               unless worst= is given\n"
	"  worst=N      worst value 0-255 (a new attribute: its value)\n"
	"  threshold=N  threshold 0-255, kept in the attribute's slot of the thresholds page;\n"
	"               a new attribute without one has no threshold entry\n"
	"  raw=N        raw value, 48 bits\n"
	"  add=N        add N (negative to lower it) to the low 32 bits of raw, as a counter\n"
	"               climbs; not together with raw=\n"
	"Numbers are decimal or 0x-hex.\n"
	"\n"
	"Exit status: 0 done, 1 bad input (description, value or blob) or a file that cannot be\n"
	"read or written, 64 usage error.\n";

static int parse_int(const char *s, int64_t min, int64_t max, int64_t *ret)
{
	const char *digits = "0123456789";
	unsigned long long v;
	bool neg = false;
	int base = 10;
	int64_t x;

	if (min < 0 && (*s == '-' || *s == '+'))
		neg = *s++ == '-';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		base = 16;
		digits = "0123456789abcdefABCDEF";
	}
	/* strtoull would take blanks, a sign, or a second "0x": only digits of the base are a number */
	if (!*s || s[strspn(s, digits)])
		return -EINVAL;
	errno = 0;
	v = strtoull(s, NULL, base);
	if (errno == ERANGE || v > INT64_MAX)
		return -ERANGE;
	x = neg ? -(int64_t)v : (int64_t)v;
	if (x < min || x > max)
		return -ERANGE;
	*ret = x;
	return 0;
}

/* s is the value of key (written "key=value" or "key value", as sep says) in the input. */
static int parse_number(const char *key, char sep, const char *s, int64_t min, int64_t max, int64_t *ret,
			struct wg_err *err)
{
	int r = parse_int(s, min, max, ret);

	if (r == -ERANGE)
		return wg_err_set(err, r, "'%s%c%s' is out of range %" PRId64 "%s%" PRId64, key, sep, s, min,
				  min < 0 ? " to " : "-", max);
	if (r < 0)
		return wg_err_set(err, r, "'%s%c%s' is not a number", key, sep, s);
	return 0;
}

static int parse_id(const char *s, uint8_t *ret, struct wg_err *err)
{
	int64_t v;

	if (parse_int(s, 1, UINT8_MAX, &v) < 0)
		return wg_err_set(err, -EINVAL, "'%s' is not an attribute id (1-255)", s);
	*ret = (uint8_t)v;
	return 0;
}

static int parse_status(const char *s, struct blob *b, struct wg_err *err)
{
	if (strcmp(s, "good") == 0 || strcmp(s, "bad") == 0) {
		b->has_status = true;
		b->status = s[0] == 'g';
	} else if (strcmp(s, "none") == 0) {
		b->has_status = false;
		b->status = 0;
	} else {
		return wg_err_set(err, -EINVAL, "'%s' is not a status (good, bad, none)", s);
	}
	return 0;
}

enum field {
	FIELD_FLAGS,
	FIELD_VALUE,
	FIELD_WORST,
	FIELD_THRESHOLD,
	FIELD_RAW,
	FIELD_ADD,
	_FIELD_MAX,
};

static const struct {
	const char *name;
	int64_t min, max;
} fields[_FIELD_MAX] = {
	[FIELD_FLAGS] = { "flags", 0, UINT16_MAX },
	[FIELD_VALUE] = { "value", 0, UINT8_MAX },
	[FIELD_WORST] = { "worst", 0, UINT8_MAX },
	[FIELD_THRESHOLD] = { "threshold", 0, UINT8_MAX },
	[FIELD_RAW] = { "raw", 0, RAW48_MAX },
	[FIELD_ADD] = { "add", -LOW32_MAX, LOW32_MAX },
};

/* What one attr line, or one set command, asks of an attribute. */
struct attr_edit {
	bool given[_FIELD_MAX];
	int64_t v[_FIELD_MAX];
};

static int parse_field(char *word, struct attr_edit *ed, struct wg_err *err)
{
	char *eq = strchr(word, '=');
	unsigned f;

	for (f = 0; f < _FIELD_MAX && eq; f++)
		if (strlen(fields[f].name) == (size_t)(eq - word) && strncmp(word, fields[f].name, eq - word) == 0)
			break;
	if (!eq || f == _FIELD_MAX)
		return wg_err_set(err, -EINVAL,
				  "'%s' is not one of flags=, value=, worst=, threshold=, raw=, add=", word);
	if (ed->given[f])
		return wg_err_set(err, -EINVAL, "'%s=' is given twice", fields[f].name);
	ed->given[f] = true;
	return parse_number(fields[f].name, '=', eq + 1, fields[f].min, fields[f].max, &ed->v[f], err);
}

static int parse_edit(char **words, size_t n, struct attr_edit *ret, struct wg_err *err)
{
	struct attr_edit ed = { { false } };
	int r;

	for (size_t i = 0; i < n; i++) {
		r = parse_field(words[i], &ed, err);
		if (r < 0)
			return r;
	}
	/* which comes first would be a guess */
	if (ed.given[FIELD_RAW] && ed.given[FIELD_ADD])
		return wg_err_set(err, -EINVAL, "'raw=' and 'add=' do not go together");
	*ret = ed;
	return 0;
}

static int edit_raw(struct ata_attr_entry *e, const struct attr_edit *ed, struct wg_err *err)
{
	uint64_t raw = attr_raw48(e->raw);
	int64_t low;

	if (ed->given[FIELD_RAW])
		raw = (uint64_t)ed->v[FIELD_RAW];
	if (ed->given[FIELD_ADD]) {
		/* the high 16 bits are vendor data (min/max, packed counters), not part of the count */
		low = (int64_t)(raw & (uint64_t)LOW32_MAX) + ed->v[FIELD_ADD];
		if (low < 0 || low > LOW32_MAX)
			return wg_err_set(err, -ERANGE, "'add=%" PRId64 "' takes the low 32 bits of raw (%" PRIu64
					  ") out of range 0-%" PRId64, ed->v[FIELD_ADD], raw & (uint64_t)LOW32_MAX, LOW32_MAX);
		raw = (raw & ~(uint64_t)LOW32_MAX) | (uint64_t)low;
	}
	attr_set_raw48(e->raw, raw);
	return 0;
}

/* Apply ed to attribute id: the one on the data page, or a new one when ed has its flags. */
static int apply_edit(struct blob *b, uint8_t id, const struct attr_edit *ed, struct wg_err *err)
{
	struct ata_attr_entry e = { .id = id, .current = 100, .worst = 100 };
	int slot = smart_page_find(b->data, id), r;

	if (slot >= 0)
		smart_page_get(b->data, (unsigned)slot, &e);
	else if (!ed->given[FIELD_FLAGS])
		return wg_err_set(err, -ENOENT, "attribute %u is new: flags= is needed to add it", id);
	if (ed->given[FIELD_FLAGS])
		e.flags = (uint16_t)ed->v[FIELD_FLAGS];
	if (ed->given[FIELD_VALUE]) {
		e.current = (uint8_t)ed->v[FIELD_VALUE];
		/* a drive's worst is the lowest value it has seen */
		if (slot < 0 || e.current < e.worst)
			e.worst = e.current;
	}
	if (ed->given[FIELD_WORST])
		e.worst = (uint8_t)ed->v[FIELD_WORST];
	r = edit_raw(&e, ed, err);
	if (r < 0)
		return r;
	r = blob_put_attr(b, &e, ed->given[FIELD_THRESHOLD] ? (int)ed->v[FIELD_THRESHOLD] : -1);
	if (r == -ENOSPC)
		return wg_err_set(err, r, "no room for attribute %u: the data page holds %d attributes", id,
				  SMART_PAGE_ENTRIES);
	return r;
}

enum directive_id {
	DIR_MODEL,
	DIR_SERIAL,
	DIR_FIRMWARE,
	DIR_SECTORS,
	DIR_STATUS,
	DIR_SELF_TEST,
	DIR_ATTR, /* the only one given more than once */
	_DIR_MAX,
};

/* A drive with SMART data has both pages and says so in its identify page, or libatasmart reads nothing. */
static void settle_smart(struct blob *b)
{
	if (!b->has_data)
		return;
	b->has_thresholds = true;
	identify_set_smart(b->identify, true);
}

/* A description being read: the blob so far, and where each thing was first said. */
struct desc {
	struct blob b;
	unsigned line; /* the one being read */
	unsigned directive_line[_DIR_MAX];
	unsigned attr_line[256];
};

struct directive {
	const char *name;
	unsigned word, nwords; /* of an identify string */
	int (*parse)(struct desc *d, const struct directive *dir, char **args, size_t n, struct wg_err *err);
};

static int one_value(const struct directive *dir, size_t n, struct wg_err *err)
{
	if (n != 1)
		return wg_err_set(err, -EINVAL, "'%s' takes one value%s", dir->name,
				  dir->nwords ? " (quote it when it has blanks)" : "");
	return 0;
}

static int dir_string(struct desc *d, const struct directive *dir, char **args, size_t n, struct wg_err *err)
{
	int r = one_value(dir, n, err);

	if (r < 0)
		return r;
	if (strlen(args[0]) > 2 * dir->nwords)
		return wg_err_set(err, -EINVAL, "'%s' is longer than %u characters", args[0], 2 * dir->nwords);
	for (const char *p = args[0]; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return wg_err_set(err, -EINVAL, "'%s' has a character that is not printable ASCII", dir->name);
	identify_set_string(d->b.identify, dir->word, dir->nwords, args[0]);
	return 0;
}

static int dir_sectors(struct desc *d, const struct directive *dir, char **args, size_t n, struct wg_err *err)
{
	int64_t v;
	int r = one_value(dir, n, err);

	if (r < 0)
		return r;
	r = parse_number(dir->name, ' ', args[0], 0, RAW48_MAX, &v, err);
	if (r < 0)
		return r;
	identify_set_sectors(d->b.identify, (uint64_t)v);
	return 0;
}

static int dir_status(struct desc *d, const struct directive *dir, char **args, size_t n, struct wg_err *err)
{
	int r = one_value(dir, n, err);

	return r < 0 ? r : parse_status(args[0], &d->b, err);
}

static int dir_self_test(struct desc *d, const struct directive *dir, char **args, size_t n, struct wg_err *err)
{
	int64_t v;
	int r = one_value(dir, n, err);

	if (r < 0)
		return r;
	r = parse_number(dir->name, ' ', args[0], 0, UINT8_MAX, &v, err);
	if (r < 0)
		return r;
	d->b.data[SMART_PAGE_SELF_TEST_OFFSET] = (uint8_t)v;
	ata_page_fix_checksum(d->b.data);
	d->b.has_data = true;
	return 0;
}

static int dir_attr(struct desc *d, const struct directive *dir, char **args, size_t n, struct wg_err *err)
{
	struct attr_edit ed;
	uint8_t id = 0;
	int r;

	(void)dir;
	if (n < 1)
		return wg_err_set(err, -EINVAL, "'attr' needs an id and fields");
	r = parse_id(args[0], &id, err);
	if (r < 0)
		return r;
	if (d->attr_line[id])
		return wg_err_set(err, -EINVAL, "attribute %u is already given on line %u", id, d->attr_line[id]);
	r = parse_edit(args + 1, n - 1, &ed, err);
	if (r < 0)
		return r;
	d->attr_line[id] = d->line;
	return apply_edit(&d->b, id, &ed, err);
}

static const struct directive directives[_DIR_MAX] = {
	[DIR_MODEL] = { "model", IDENTIFY_MODEL, dir_string },
	[DIR_SERIAL] = { "serial", IDENTIFY_SERIAL, dir_string },
	[DIR_FIRMWARE] = { "firmware", IDENTIFY_FIRMWARE, dir_string },
	[DIR_SECTORS] = { "sectors", 0, 0, dir_sectors },
	[DIR_STATUS] = { "status", 0, 0, dir_status },
	[DIR_SELF_TEST] = { "self-test", 0, 0, dir_self_test },
	[DIR_ATTR] = { "attr", 0, 0, dir_attr },
};

/*
 * Split a line into words in place: blanks separate, "..." quotes a word (with \" and \\), and a
 * word starting with '#' begins a comment.
 */
static int split_words(char *p, char **words, size_t *ret_n, struct wg_err *err)
{
	static const char blanks[] = " \t\r\n";
	size_t n = 0;

	for (;;) {
		char *w;

		p += strspn(p, blanks);
		if (!*p || *p == '#')
			break;
		if (n == WORDS_MAX)
			return wg_err_set(err, -EINVAL, "more than %d words", WORDS_MAX);
		w = words[n++] = p;
		if (*p != '"') {
			p += strcspn(p, blanks);
			if (*p)
				*p++ = '\0';
			continue;
		}
		for (p++; *p != '"'; p++) {
			if (!*p)
				return wg_err_set(err, -EINVAL, "a quote is not closed");
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			*w++ = *p;
		}
		*w = '\0';
		p++;
		if (*p && !strchr(blanks, *p))
			return wg_err_set(err, -EINVAL, "a closing quote must end its word");
	}
	*ret_n = n;
	return 0;
}

static int parse_line(struct desc *d, char *line, struct wg_err *err)
{
	char *words[WORDS_MAX];
	unsigned i;
	size_t n = 0;
	int r;

	r = split_words(line, words, &n, err);
	if (r < 0 || n == 0)
		return r;
	for (i = 0; i < _DIR_MAX; i++)
		if (strcmp(words[0], directives[i].name) == 0)
			break;
	if (i == _DIR_MAX)
		return wg_err_set(err, -EINVAL,
				  "'%s' is not a directive (model, serial, firmware, sectors, status, self-test, attr)",
				  words[0]);
	if (i != DIR_ATTR && d->directive_line[i])
		return wg_err_set(err, -EINVAL, "'%s' is already given on line %u", words[0], d->directive_line[i]);
	d->directive_line[i] = d->line;
	return directives[i].parse(d, &directives[i], words + 1, n - 1, err);
}

static int parse_desc(FILE *f, const char *name, struct desc *d, struct wg_err *err)
{
	struct wg_err lerr = { "" };
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int r = 0;

	while (r == 0 && (len = getline(&line, &cap, f)) >= 0) {
		d->line++;
		if (len > DESC_LINE_MAX)
			r = wg_err_set(&lerr, -EINVAL, "line is longer than %d bytes", DESC_LINE_MAX);
		else if (strlen(line) != (size_t)len)
			r = wg_err_set(&lerr, -EINVAL, "line has a NUL byte: not a text file");
		else
			r = parse_line(d, line, &lerr);
		if (r < 0)
			r = wg_err_set(err, r, "%s:%u: %s", name, d->line, lerr.msg);
	}
	free(line);
	if (r == 0 && ferror(f))
		r = wg_err_set(err, -EIO, "cannot read '%s': %s", name, strerror(errno));
	if (r == 0 && !d->directive_line[DIR_MODEL])
		r = wg_err_set(err, -EINVAL, "%s: no 'model' line (a drive without a model name reads as unusable)",
			       name);
	return r;
}

/* A description's blob: status good unless it says otherwise, both SMART pages when it has one. */
static int read_desc(const char *path, struct blob *ret, struct wg_err *err)
{
	bool from_stdin = strcmp(path, "-") == 0;
	struct desc *d;
	FILE *f;
	int r;

	d = calloc(1, sizeof(*d));
	if (!d)
		return wg_err_set(err, -ENOMEM, "out of memory");
	f = from_stdin ? stdin : fopen(path, "re");
	if (!f) {
		r = wg_err_set(err, -errno, "cannot open '%s': %s", path, strerror(errno));
		goto out;
	}
	d->b.has_status = true;
	d->b.status = 1;
	for (unsigned i = 0; i < _DIR_MAX; i++)
		if (directives[i].nwords)
			identify_set_string(d->b.identify, directives[i].word, directives[i].nwords, "");
	r = parse_desc(f, from_stdin ? "stdin" : path, d, err);
	if (r == 0) {
		settle_smart(&d->b);
		*ret = d->b;
	}
	if (!from_stdin)
		fclose(f);
out:
	free(d);
	return r;
}

static void put_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void dump_attr(FILE *f, const struct blob *b, const struct ata_attr_entry *e)
{
	uint64_t raw = attr_raw48(e->raw);
	uint8_t th;

	fprintf(f, "attr %u flags=0x%04x value=%u worst=%u", e->id, e->flags, e->current, e->worst);
	/* found wherever it is, as a reader finds it */
	if (b->has_thresholds && threshold_page_get(b->thresholds, e->id, &th) == 0)
		fprintf(f, " threshold=%u", th);
	/* counters read best in decimal, vendor-packed values in hex */
	if (raw > (uint64_t)LOW32_MAX)
		fprintf(f, " raw=0x%012" PRIx64 "\n", raw);
	else
		fprintf(f, " raw=%" PRIu64 "\n", raw);
}

static void dump(FILE *f, const struct blob *b)
{
	char s[2 * 20 + 1];

	for (unsigned i = 0; i < _DIR_MAX; i++) {
		if (!directives[i].nwords)
			continue;
		identify_get_string(b->identify, directives[i].word, directives[i].nwords, s, sizeof(s));
		fprintf(f, "%s ", directives[i].name);
		put_quoted(f, s);
		fputc('\n', f);
	}
	fprintf(f, "sectors %" PRIu64 "\n", identify_sectors(b->identify));
	fprintf(f, "status %s\n", !b->has_status ? "none" : b->status ? "good" : "bad");
	if (!b->has_data)
		return;
	fprintf(f, "self-test 0x%02x\n", b->data[SMART_PAGE_SELF_TEST_OFFSET]);
	for (unsigned slot = 0; slot < SMART_PAGE_ENTRIES; slot++) {
		struct ata_attr_entry e;

		smart_page_get(b->data, slot, &e);
		if (e.id)
			dump_attr(f, b, &e);
	}
}

static int save(const char *path, const struct blob *b, struct wg_err *err)
{
	int r = blob_save(path, b);

	if (r < 0)
		return wg_err_set(err, r, "cannot write '%s': %s", path, strerror(-r));
	return 0;
}

static int cmd_create(char **args, int n, struct wg_err *err)
{
	struct blob b;
	int r;

	(void)n;
	r = read_desc(args[1], &b, err);
	return r < 0 ? r : save(args[0], &b, err);
}

static int cmd_set(char **args, int n, struct wg_err *err)
{
	struct wg_err eerr = { "" };
	struct attr_edit ed;
	bool had_data;
	struct blob b;
	uint8_t id = 0;
	int r;

	r = parse_id(args[1], &id, err);
	if (r < 0)
		return r;
	r = parse_edit(args + 2, (size_t)n - 2, &ed, err);
	if (r < 0)
		return r;
	r = blob_load(args[0], &b, err);
	if (r < 0)
		return r;
	had_data = b.has_data;
	r = apply_edit(&b, id, &ed, &eerr);
	if (r < 0)
		return wg_err_set(err, r, "%s: %s", args[0], eerr.msg);
	/* a real drive's identify page stays as it was */
	if (!had_data)
		settle_smart(&b);
	return save(args[0], &b, err);
}

static int cmd_status(char **args, int n, struct wg_err *err)
{
	struct blob b;
	int r;

	(void)n;
	r = blob_load(args[0], &b, err);
	if (r < 0)
		return r;
	r = parse_status(args[1], &b, err);
	return r < 0 ? r : save(args[0], &b, err);
}

static int cmd_dump(char **args, int n, struct wg_err *err)
{
	struct blob b;
	int r;

	(void)n;
	r = blob_load(args[0], &b, err);
	if (r < 0)
		return r;
	dump(stdout, &b);
	if (fflush(stdout) != 0)
		return wg_err_set(err, -errno, "cannot write to stdout: %s", strerror(errno));
	return 0;
}

static const struct command {
	const char *name;
	const char *usage;
	int min_args, max_args;
	int (*run)(char **args, int n, struct wg_err *err);
} commands[] = {
	{ "create", "OUT DESC", 2, 2, cmd_create },
	{ "set", "FILE ID FIELD=N...", 3, 2 + _FIELD_MAX, cmd_set },
	{ "status", "FILE good|bad|none", 2, 2, cmd_status },
	{ "dump", "FILE", 1, 1, cmd_dump },
};

int main(int argc, char **argv)
{
	struct wg_err err = { "" };
	const struct command *c = NULL;
	int n;

	if (argc < 2) {
		fputs(help_text, stderr);
		return WG_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		fputs(help_text, stdout);
		return 0;
	}
	for (size_t i = 0; i < WG_ELEMENTSOF(commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			c = &commands[i];
	if (!c) {
		fprintf(stderr, "wg-blob: unknown command '%s' (see 'wg-blob --help')\n", argv[1]);
		return WG_EXIT_USAGE;
	}
	n = argc - 2;
	if (n < c->min_args || n > c->max_args) {
		fprintf(stderr, "wg-blob: wrong number of arguments for '%s'\nusage: wg-blob %s %s\n", c->name, c->name,
			c->usage);
		return WG_EXIT_USAGE;
	}
	if (c->run(argv + 2, n, &err) < 0) {
		fprintf(stderr, "wg-blob: %s\n", err.msg);
		return EXIT_BAD_INPUT;
	}
	return 0;
}
