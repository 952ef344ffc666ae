/* iostat.c — what a disk has read and written, from the kernel's counters, and its device number */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iostat.h"

/* One line of at most 17 numbers of 20 digits; anything far longer is not the kernel's. */
#define IOSTAT_FILE_MAX 4096

/*
 * Every format the kernel has had (Documentation/admin-guide/iostats.rst) has at least the
 * 11 fields of 2.6; 4.18 added 4 for discards, 5.5 two for flushes. Fewer is not a disk's stat.
 */
#define STAT_MIN_FIELDS 11
#define STAT_SECTORS_READ 3
#define STAT_SECTORS_WRITTEN 7

/* A name from sysfs never holds a slash; refusing one keeps the path inside SYSFS/block. */
static int disk_path(const char *sysfs_root, const char *disk, const char *file, char *buf, size_t len,
		     struct wg_err *err)
{
	if (!*disk || strchr(disk, '/') || strcmp(disk, ".") == 0 || strcmp(disk, "..") == 0)
		return wg_err_set(err, -EINVAL, "'%s' is not a disk name", disk);
	if (snprintf(buf, len, "%s/block/%s/%s", sysfs_root, disk, file) >= (int)len)
		return wg_err_set(err, -ENAMETOOLONG, "the path of '%s' in '%s' is too long", disk, sysfs_root);
	return 0;
}

/* A decimal number of digits only: strtoull alone would take a sign, blanks or "0x". */
static int parse_u64(const char *s, size_t len, uint64_t *ret)
{
	unsigned long long v = 0;

	if (len == 0 || len > 20)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		d = (unsigned)(s[i] - '0');
		if (v > (ULLONG_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*ret = (uint64_t)v;
	return 0;
}

int iostat_read(const char *sysfs_root, const char *disk, uint64_t *ret_read, uint64_t *ret_written,
		struct wg_err *err)
{
	uint64_t sectors_read = 0, sectors_written = 0;
	char path[PATH_MAX], *text = NULL;
	size_t n = 0;
	int r;

	r = disk_path(sysfs_root, disk, "stat", path, sizeof(path), err);
	if (r < 0)
		return r;
	r = wg_read_text(path, IOSTAT_FILE_MAX, &text, err);
	if (r < 0)
		return r;
	for (const char *p = text + strspn(text, " \t\n"); *p; p += strspn(p, " \t\n")) {
		size_t len = strcspn(p, " \t\n");
		uint64_t v;

		n++;
		if (parse_u64(p, len, &v) < 0) {
			r = wg_err_set(err, -EINVAL, "'%s' is not a disk's stat: field %zu is '%.*s'", path, n,
				       len > 32 ? 32 : (int)len, p);
			goto out;
		}
		if (n == STAT_SECTORS_READ)
			sectors_read = v;
		else if (n == STAT_SECTORS_WRITTEN)
			sectors_written = v;
		p += len;
	}
	if (n < STAT_MIN_FIELDS) {
		r = wg_err_set(err, -EINVAL, "'%s' has %zu fields, a disk's stat has at least %d", path, n,
			       STAT_MIN_FIELDS);
		goto out;
	}
	*ret_read = sectors_read;
	*ret_written = sectors_written;
	r = 0;
out:
	free(text);
	return r;
}

int iostat_devnum(const char *sysfs_root, const char *disk, unsigned *ret_maj, unsigned *ret_min, struct wg_err *err)
{
	char path[PATH_MAX], *text = NULL, *colon;
	uint64_t maj, min;
	size_t len;
	int r;

	r = disk_path(sysfs_root, disk, "dev", path, sizeof(path), err);
	if (r < 0)
		return r;
	r = wg_read_text(path, IOSTAT_FILE_MAX, &text, err);
	if (r < 0)
		return r;
	len = strlen(text);
	if (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	colon = strchr(text, ':');
	if (!colon || parse_u64(text, (size_t)(colon - text), &maj) < 0 ||
	    parse_u64(colon + 1, strlen(colon + 1), &min) < 0 || maj > UINT_MAX || min > UINT_MAX) {
		r = wg_err_set(err, -EINVAL, "'%s' is not a device number (MAJ:MIN): '%.*s'", path,
			       len > 32 ? 32 : (int)len, text);
		goto out;
	}
	*ret_maj = (unsigned)maj;
	*ret_min = (unsigned)min;
	r = 0;
out:
	free(text);
	return r;
}
