/* util.c — small helpers every module shares */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "util.h"

int wg_err_set(struct wg_err *err, int r, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return r;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return r;
}

int wg_parse_duration(const char *s, int64_t *ret_seconds)
{
	static const struct {
		char suffix;
		int64_t seconds;
	} units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 7 * 86400 }, { 'y', 365 * 86400 },
	};
	int64_t mult = 1;
	char *end;
	long long v;

	if (!s || *s < '0' || *s > '9') /* no sign, no blanks, no empty string */
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end) {
		size_t i;

		if (end[1])
			return -EINVAL;
		for (i = 0; i < WG_ELEMENTSOF(units); i++)
			if (units[i].suffix == *end)
				break;
		if (i == WG_ELEMENTSOF(units))
			return -EINVAL;
		mult = units[i].seconds;
	}
	if (v > INT64_MAX / mult)
		return -ERANGE;
	*ret_seconds = (int64_t)v * mult;
	return 0;
}

void wg_format_age(int64_t seconds, char *buf, size_t len)
{
	if (seconds < 0)
		snprintf(buf, len, "-%llds", (long long)-seconds);
	else if (seconds < 120)
		snprintf(buf, len, "%llds", (long long)seconds);
	else if (seconds < 2 * 3600)
		snprintf(buf, len, "%lldm", (long long)(seconds / 60));
	else if (seconds < 2 * 86400)
		snprintf(buf, len, "%lldh", (long long)(seconds / 3600));
	else
		snprintf(buf, len, "%lldd", (long long)(seconds / 86400));
}

void wg_format_utc(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "@%lld", (long long)t);
}

void wg_format_when(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(buf, len, "@%lld", (long long)t);
}

void wg_text_init(struct wg_text *t, char *buf, size_t len)
{
	*t = (struct wg_text){ .buf = buf, .len = len };
	if (len)
		buf[0] = '\0';
}

/* "…" in UTF-8, and room for it: a text that was cut ends with it. */
#define ELLIPSIS "\xe2\x80\xa6"
#define ELLIPSIS_LEN 3

/* Cut the text so that "…" and its NUL fit, on a character boundary, and mark it. */
static void text_cut(struct wg_text *t)
{
	size_t end;

	if (t->len < ELLIPSIS_LEN + 1) {
		t->cut = true;
		return;
	}
	end = t->used < t->len - ELLIPSIS_LEN - 1 ? t->used : t->len - ELLIPSIS_LEN - 1;
	while (end > 0 && ((unsigned char)t->buf[end] & 0xc0) == 0x80) /* not inside a UTF-8 sequence */
		end--;
	memcpy(t->buf + end, ELLIPSIS, ELLIPSIS_LEN + 1);
	t->used = end + ELLIPSIS_LEN;
	t->cut = true;
}

void wg_text_add(struct wg_text *t, const char *sep, const char *fmt, ...)
{
	va_list ap;
	int k;

	t->parts++;
	if (t->cut || t->len == 0)
		return;
	if (t->used > 0 && sep && sep[0]) {
		k = snprintf(t->buf + t->used, t->len - t->used, "%s", sep);
		if (k < 0 || (size_t)k >= t->len - t->used) {
			t->used = t->len - 1;
			text_cut(t);
			return;
		}
		t->used += (size_t)k;
	}
	va_start(ap, fmt);
	k = vsnprintf(t->buf + t->used, t->len - t->used, fmt, ap);
	va_end(ap);
	if (k < 0)
		k = 0;
	if ((size_t)k >= t->len - t->used) {
		t->used = t->len - 1;
		text_cut(t);
		return;
	}
	t->used += (size_t)k;
}

/* Under WEARGATE_NOW the clock stands still but for what wg_sleep() lets pass. */
static int64_t fake_elapsed;

/* Epoch seconds, a non-negative decimal number and nothing else. */
static int parse_epoch(const char *s, int64_t *ret)
{
	char *end;
	long long v;

	/* strtoll() would also take blanks and a sign in front */
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < 0)
		return -EINVAL;
	*ret = v;
	return 0;
}

/*
 * WEARGATE_NOW=@FILE: the clock is the number in FILE, read at each look, so that a test's job
 * can move it through its own run. A file that cannot be read a moment (one renamed over it)
 * leaves the clock where it was.
 */
static int fake_base_file(const char *path, int64_t *ret)
{
	static int64_t last = -1;
	char buf[32];
	ssize_t n = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	if (n > 0) {
		buf[n] = '\0';
		if (parse_epoch(buf, &last) < 0)
			return -EINVAL;
	}
	if (last < 0)
		return -EINVAL;
	*ret = last;
	return 1;
}

static int fake_base(int64_t *ret)
{
	const char *e = getenv("WEARGATE_NOW");

	if (!e || !*e)
		return 0;
	if (*e == '@')
		return fake_base_file(e + 1, ret);
	if (parse_epoch(e, ret) < 0)
		return -EINVAL;
	return 1;
}

int wg_now(int64_t *ret_now)
{
	int64_t base;
	int r = fake_base(&base);

	if (r < 0)
		return r;
	*ret_now = r > 0 ? base + fake_elapsed : (int64_t)time(NULL);
	return 0;
}

void wg_sleep(int64_t seconds)
{
	struct timespec ts = { .tv_sec = (time_t)seconds };
	int64_t base;

	if (seconds <= 0)
		return;
	if (fake_base(&base) > 0) {
		fake_elapsed += seconds;
		return;
	}
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void wg_json_string(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	wg_json_bytes(f, s, strlen(s));
}

void wg_json_open(struct wg_json *j, FILE *f, char bracket)
{
	j->f = f;
	j->any = false;
	fputc(bracket, f);
}

void wg_json_close(struct wg_json *j, char bracket)
{
	fputc(bracket, j->f);
}

void wg_json_key(struct wg_json *j, const char *key)
{
	if (j->any)
		fputc(',', j->f);
	j->any = true;
	if (key) {
		wg_json_string(j->f, key);
		fputc(':', j->f);
	}
}

void wg_json_str(struct wg_json *j, const char *key, const char *v)
{
	wg_json_key(j, key);
	wg_json_string(j->f, v);
}

void wg_json_int(struct wg_json *j, const char *key, int64_t v, bool known)
{
	wg_json_key(j, key);
	if (known)
		fprintf(j->f, "%lld", (long long)v);
	else
		fputs("null", j->f);
}

void wg_json_bool(struct wg_json *j, const char *key, int v)
{
	wg_json_key(j, key);
	fputs(v < 0 ? "null" : v ? "true" : "false", j->f);
}

void wg_json_utc(struct wg_json *j, const char *key, int64_t t)
{
	char buf[32];

	if (t < 0) {
		wg_json_str(j, key, NULL);
		return;
	}
	wg_format_utc(t, buf, sizeof(buf));
	wg_json_str(j, key, buf);
}

void wg_json_strv(struct wg_json *j, const char *key, char *const *v)
{
	struct wg_json a;

	wg_json_key(j, key);
	if (!v) {
		fputs("null", j->f);
		return;
	}
	wg_json_open(&a, j->f, '[');
	for (size_t i = 0; v[i]; i++)
		wg_json_str(&a, NULL, v[i]);
	wg_json_close(&a, ']');
}

void wg_json_bytes(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; p < (const unsigned char *)s + len; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

int wg_strlcpy(char *dst, const char *src, size_t len)
{
	size_t n = strlen(src);

	if (len == 0)
		return -ENAMETOOLONG;
	if (n >= len) {
		memcpy(dst, src, len - 1);
		dst[len - 1] = '\0';
		return -ENAMETOOLONG;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

int wg_read_file(const char *path, size_t max, uint8_t **ret_buf, size_t *ret_len)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	struct stat st;
	int fd, r;

	/* O_NONBLOCK: a FIFO (or a terminal) put where a file belongs must not hang us, waiting for a writer */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		r = -EISDIR;
		goto out;
	}
	if (S_ISFIFO(st.st_mode)) {
		r = -ESPIPE;
		goto out;
	}
	buf = malloc(max + 1);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, max + 1 - len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			r = -EFBIG;
			goto out;
		}
	}
	*ret_buf = buf;
	*ret_len = len;
	buf = NULL;
	r = 0;
out:
	free(buf);
	close(fd);
	return r;
}

int wg_read_text(const char *path, size_t max, char **ret_text, struct wg_err *err)
{
	uint8_t *buf;
	size_t len;
	int r;

	r = wg_read_file(path, max, &buf, &len);
	if (r < 0)
		return wg_err_set(err, r, "cannot read '%s': %s", path, strerror(-r));
	buf[len] = '\0'; /* wg_read_file leaves a byte to spare */
	if (strlen((char *)buf) != len) {
		free(buf);
		return wg_err_set(err, -EINVAL, "'%s' is not text: it holds a NUL byte", path);
	}
	*ret_text = (char *)buf;
	return 0;
}

int wg_write_file_atomic(const char *path, const void *buf, size_t len, unsigned mode)
{
	char tmp[PATH_MAX];
	const uint8_t *p = buf;
	int fd, r;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fchmod(fd, (mode_t)mode) < 0 || fsync(fd) < 0) {
		r = -errno;
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		r = -errno;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		r = -errno;
		goto fail;
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return r;
}

size_t strv_length(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

int strv_push(char ***v, const char *s)
{
	size_t n = strv_length(*v);
	char *copy = strdup(s);
	char **grown;

	if (!copy)
		return -ENOMEM;
	grown = realloc(*v, (n + 2) * sizeof(*grown));
	if (!grown) {
		free(copy);
		return -ENOMEM;
	}
	grown[n] = copy;
	grown[n + 1] = NULL;
	*v = grown;
	return 0;
}

bool strv_contains(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

int wg_parse_when(const char *s, int64_t now, int64_t *ret)
{
	struct tm tm = { 0 }, given;
	int64_t d;
	const char *end;
	bool utc;
	time_t t;

	if (wg_parse_duration(s, &d) == 0) {
		*ret = now - d;
		return 0;
	}
	/* a date, and maybe a time: local time, or UTC with a Z */
	end = strptime(s, "%Y-%m-%d", &tm);
	if (!end)
		return -EINVAL;
	if (*end == 'T' || *end == ' ') {
		const char *e2 = strptime(end + 1, "%H:%M:%S", &tm);

		end = e2 ? e2 : strptime(end + 1, "%H:%M", &tm);
		if (!end)
			return -EINVAL;
	}
	utc = *end == 'Z';
	if (*end && !(utc && end[1] == '\0'))
		return -EINVAL;
	tm.tm_isdst = -1;
	given = tm;
	t = utc ? timegm(&tm) : mktime(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	/* strptime() takes a 30th of February, and timegm() makes it the 2nd of March: not a date */
	if (tm.tm_year != given.tm_year || tm.tm_mon != given.tm_mon || tm.tm_mday != given.tm_mday)
		return -EINVAL;
	*ret = (int64_t)t;
	return 0;
}

void wg_format_bytes(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 1024 && u + 1 < WG_ELEMENTSOF(units)) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

void wg_format_change(int64_t before, int64_t after, char *buf, size_t len)
{
	char b[24] = "?", a[24] = "?";

	if (before >= 0)
		snprintf(b, sizeof(b), "%lld", (long long)before);
	if (after >= 0)
		snprintf(a, sizeof(a), "%lld", (long long)after);
	if (before >= 0 && before == after)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s → %s", b, a);
}

void wg_log(int priority, const char *fmt, ...)
{
	static bool opened;
	const char *file = getenv("WEARGATE_LOG_FILE");
	va_list ap;

	va_start(ap, fmt);
	if (file && *file) {
		/* tests read what would have gone to syslog */
		FILE *f = fopen(file, "ae");

		if (f) {
			fprintf(f, "<%d> ", priority);
			vfprintf(f, fmt, ap);
			fputc('\n', f);
			fclose(f);
		}
	} else {
		if (!opened) {
			openlog("weargate", LOG_PID, LOG_DAEMON);
			opened = true;
		}
		vsyslog(priority, fmt, ap);
	}
	va_end(ap);
}
