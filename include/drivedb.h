/* drivedb.h — smartmontools' drive database: which entry a drive matches, and how its attributes read */
#ifndef WEARGATE_DRIVEDB_H
#define WEARGATE_DRIVEDB_H

#include <stdbool.h>
#include <stddef.h>

#include "attrs.h"
#include "util.h"

/* Where smartmontools keeps it: update-smart-drivedb's newer copy first, then the package's. */
#define DRIVEDB_UPDATED_PATH "/var/lib/smartmontools/drivedb/drivedb.h"
#define DRIVEDB_PACKAGE_PATH "/usr/share/smartmontools/drivedb.h"
#define DRIVEDB_FILE_MAX (8 * 1024 * 1024)

/* A parsed drivedb.h: C string literals, five to an entry {family, model, firmware, warning, presets}. */
struct drivedb;

/*
 * Parse a database's text; path names it in messages. Anything smartctl would refuse is
 * -EINVAL with err "PATH:LINE: why": a token outside the grammar, an unterminated string or
 * comment, an unknown escape, an entry without five strings, an empty model or a regular
 * expression regcomp(3) refuses, a preset smartctl would not take.
 */
int drivedb_parse(const char *text, size_t len, const char *path, struct drivedb **ret, struct wg_err *err);
/* Read and parse a file: -ENOENT when there is none, -EFBIG over DRIVEDB_FILE_MAX, else as drivedb_parse(). */
int drivedb_load(const char *path, struct drivedb **ret, struct wg_err *err);
void drivedb_free(struct drivedb *db); /* NULL is fine */
/* The entries that describe drives (not VERSION, DEFAULT, USB bridges or disabled "$" ones). */
size_t drivedb_n_entries(const struct drivedb *db);
/* "7.3/5319 2022-02-19" from its VERSION entry; "" without one. */
const char *drivedb_version(const struct drivedb *db);

#define DRIVEDB_FAMILY_MAX 128
#define DRIVEDB_WARNING_MAX 1024
#define DRIVEDB_PRESETS_MAX 4096
#define DRIVEDB_SOURCE_MAX 640

/* The entry a drive matched, as the history keeps it: everything needed to read its attributes. */
struct drivedb_match {
	/* the database it was matched in: version and a hash of the file; "" for smartctl's built-in defaults */
	char stamp[96];
	/* for people: "PATH (VERSION)", or why no database was read ("none: … not found") */
	char source[DRIVEDB_SOURCE_MAX];
	char family[DRIVEDB_FAMILY_MAX];   /* "" when no entry matched */
	char warning[DRIVEDB_WARNING_MAX]; /* the entry's warning (firmware bugs), "" when none */
	char defaults[DRIVEDB_PRESETS_MAX]; /* the DEFAULT entry's presets; "" for the built-in defaults */
	char presets[DRIVEDB_PRESETS_MAX];  /* the matched entry's presets */
};

/* Where a match's formats came from, for people: "PATH (VERSION)", or why smartctl's defaults were used. */
const char *drivedb_match_source(const struct drivedb_match *m, char *buf, size_t len);

/*
 * The first entry whose model and firmware regular expressions match the whole of each (an
 * empty firmware expression matches any), as smartctl looks a drive up. 1 when one matched,
 * 0 when none did (ret then holds the database's defaults only); -ENOMEM.
 */
int drivedb_match(struct drivedb *db, const char *model, const char *firmware, struct drivedb_match *ret);

/*
 * The attribute definitions a match makes: smartctl's defaults (a DEFAULT entry's, else the
 * built-in ones) under the entry's own presets. Made once per distinct match and kept for the
 * life of the process, so a reading may point at them whatever copies it; never NULL (a
 * preset that no longer parses is skipped).
 */
const struct attr_defs *drivedb_defs(const char *defaults, const char *presets);

/*
 * The database a command reads, looked at only when first needed: the file configured
 * (`drivedb = PATH`), else update-smart-drivedb's copy, else the package's. A missing or
 * malformed file leaves smartctl's built-in defaults, and says why.
 */
struct drivedb_source;
/* path NULL: smartmontools' places. -ENOMEM. */
int drivedb_source_new(const char *path, struct drivedb_source **ret);
void drivedb_source_free(struct drivedb_source *src); /* NULL is fine */
/* The stamp of the database as it is now (struct drivedb_match's): reads the file, once. */
const char *drivedb_source_stamp(struct drivedb_source *src);
/* Match a drive; parses the file once. -ENOMEM only: a bad file matches the defaults. */
int drivedb_source_match(struct drivedb_source *src, const char *model, const char *firmware,
			 struct drivedb_match *ret);
/*
 * Once the file was read: why it could not be used, for the command to warn about ("PATH:LINE:
 * why", "cannot read 'PATH': …"); NULL when it was fine, never read, or simply not installed
 * where smartmontools would put it.
 */
const char *drivedb_source_warning(const struct drivedb_source *src);

#endif
