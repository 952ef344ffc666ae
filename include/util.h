/* util.h — small helpers every module shares: errors with context, exit codes, time, JSON */
#ifndef WEARGATE_UTIL_H
#define WEARGATE_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* Exit codes shared by every command (DESIGN.md, "Exit codes"); sysexits.h values. */
enum {
	WG_EXIT_GO = 0,
	WG_EXIT_REFUSE = 1,
	WG_EXIT_USAGE = 64,       /* EX_USAGE */
	WG_EXIT_UNAVAILABLE = 69, /* EX_UNAVAILABLE: health source (drive, database) unavailable */
	WG_EXIT_SOFTWARE = 70,    /* EX_SOFTWARE: internal error */
	WG_EXIT_DEFER = 75,       /* EX_TEMPFAIL */
	WG_EXIT_CONFIG = 78,      /* EX_CONFIG */
};

/*
 * A human-readable reason filled by core functions that fail, next to the negative errno they
 * return, so that the command at the top prints one message with the detail the library had
 * (file and line, SQLite's words). Core code never prints.
 */
struct wg_err {
	char msg[512];
};

/* Set err->msg (err may be NULL) and return r, so that `return wg_err_set(err, -EINVAL, …)` reads. */
int wg_err_set(struct wg_err *err, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Parse "90s", "10m", "6h", "7d", "2w" or a bare number of seconds; -EINVAL/-ERANGE. */
int wg_parse_duration(const char *s, int64_t *ret_seconds);

/*
 * A point in time for --since and --until: a duration back from now ("30d"), or a date with
 * an optional time, local ("2026-11-20", "2026-11-20T14:10") or UTC ("2026-11-20T14:10:00Z").
 */
int wg_parse_when(const char *s, int64_t now, int64_t *ret);

/* Format seconds as a short age: "42s", "17m", "5h", "3d". */
void wg_format_age(int64_t seconds, char *buf, size_t len);

/* "1.2 GiB", "512 B": powers of 1024, as the kernel and cgroups count. */
void wg_format_bytes(uint64_t bytes, char *buf, size_t len);

/* A count before and after: "0 → 8", or "8" when it did not change; "?" for one not known (< 0). */
void wg_format_change(int64_t before, int64_t after, char *buf, size_t len);

/* "2026-11-25T18:44:53Z" */
void wg_format_utc(int64_t t, char *buf, size_t len);
/* "2026-11-25 18:44 UTC": a time in a reason, to the minute */
void wg_format_when(int64_t t, char *buf, size_t len);

/*
 * Text built in a fixed buffer, parts joined by a separator. What does not fit is cut at a
 * character boundary and marked with "…", never cut silently.
 */
struct wg_text {
	char *buf;
	size_t len, used;
	size_t parts; /* added, also when len is 0: a text of no room counts what would have been said */
	bool cut;
};

void wg_text_init(struct wg_text *t, char *buf, size_t len);
/* Append a part, preceded by sep when the text is not empty. */
void wg_text_add(struct wg_text *t, const char *sep, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * The clock: time(), or WEARGATE_NOW (epoch seconds, or @FILE holding them, read at each call)
 * when set, so that tests control time. That fake clock stands still but for wg_sleep(), which
 * advances it instead of sleeping, and for what is written into FILE.
 */
int wg_now(int64_t *ret_now);
void wg_sleep(int64_t seconds);

/* Write s as a JSON string literal, quotes included; NULL writes null. */
void wg_json_string(FILE *f, const char *s);
/* The same for len bytes, a NUL byte among them written as \u0000. */
void wg_json_bytes(FILE *f, const char *s, size_t len);

/*
 * One JSON object or array, written member by member: the commas are its business. Members
 * of an object take a key; the items of an array pass NULL. A value not known is null.
 */
struct wg_json {
	FILE *f;
	bool any; /* a member was written: the next one needs a comma */
};
void wg_json_open(struct wg_json *j, FILE *f, char bracket); /* '{' or '[' */
void wg_json_close(struct wg_json *j, char bracket);         /* '}' or ']' */
/* The key (and comma) of a member whose value the caller writes itself: a nested object, an array. */
void wg_json_key(struct wg_json *j, const char *key);
void wg_json_str(struct wg_json *j, const char *key, const char *v); /* NULL: null */
void wg_json_int(struct wg_json *j, const char *key, int64_t v, bool known);
void wg_json_bool(struct wg_json *j, const char *key, int v); /* < 0: null */
void wg_json_utc(struct wg_json *j, const char *key, int64_t t); /* ISO 8601 UTC; < 0: null */
void wg_json_strv(struct wg_json *j, const char *key, char *const *v); /* an array of strings; NULL: null */

/* Copy src into dst (size len), never overflowing; returns -ENAMETOOLONG on truncation. */
int wg_strlcpy(char *dst, const char *src, size_t len);

/*
 * Read a whole file of at most max bytes into a malloc'd buffer (with a byte to spare).
 * -EISDIR for a directory, -ESPIPE for a FIFO (refused at once, never waited on), -EFBIG when larger.
 */
int wg_read_file(const char *path, size_t max, uint8_t **ret_buf, size_t *ret_len);
/*
 * A small text file (the kernel's: sysfs, cgroupfs, /proc) of at most max bytes as a malloc'd
 * NUL-terminated string; a NUL inside is garbage, not the end of the text (-EINVAL). err says
 * which file and why.
 */
int wg_read_text(const char *path, size_t max, char **ret_text, struct wg_err *err);

/* Create or replace path atomically (temp file in the same directory, fsync, rename). */
int wg_write_file_atomic(const char *path, const void *buf, size_t len, unsigned mode);

/*
 * What an admin looks for later, to syslog (journald picks it up): decisions, job runs, state
 * changes. priority is syslog's (LOG_INFO…); WEARGATE_LOG_FILE, in tests, takes the lines instead.
 */
void wg_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* NULL-terminated string vectors; NULL is an empty one. */
size_t strv_length(char *const *v);
void strv_free(char **v);
/* Append a copy of s; -ENOMEM leaves *v as it was. */
int strv_push(char ***v, const char *s);
bool strv_contains(char *const *v, const char *s);

#define WG_ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))
#define WG_STRINGIFY_(x) #x
#define WG_STRINGIFY(x) WG_STRINGIFY_(x)

#endif
