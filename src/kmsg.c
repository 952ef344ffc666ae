/* kmsg.c — the kernel's log, read for I/O and ATA errors on the disks a job touches */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmsg.h"

/* A /dev/kmsg record is at most about 1 KiB of text and its dictionary; a read needs room for a whole one. */
#define KMSG_BUF 8192
/* Reads per kmsg_read(): a flood of messages is taken in turns, the job's watch goes on between them. */
#define KMSG_READS_MAX 1024
/* How many devices a disk's names may count (partitions and what is stacked on them). */
#define KMSG_NAMES_MAX 256

struct kmsg {
	int fd;
	bool dead;
	size_t len;
	char buf[KMSG_BUF + 1];
};

/* A kernel device name, up to a separator: "sda", "nvme0n1p2", "dm-0", "cciss!c0d0". */
static bool take_name(const char *p, char *buf, size_t len)
{
	size_t n = 0;

	while (isalnum((unsigned char)p[n]) || p[n] == '-' || p[n] == '_' || p[n] == '!' || p[n] == '.')
		n++;
	if (n == 0 || n >= len || (p[n] != ',' && p[n] != ' ' && p[n] != ':' && p[n] != '\0'))
		return false;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return true;
}

bool kmsg_error_culprit(const char *msg, struct kmsg_culprit *ret)
{
	static const char *const dev_marks[] = {
		"Buffer I/O error on dev ",
		"Buffer I/O error on device ",
		/* "I/O error, dev sda, sector …", "critical medium error, dev sda, sector …" */
		"error, dev ",
	};
	const char *p;

	memset(ret, 0, sizeof(*ret));
	ret->ata_port = -1;
	for (size_t i = 0; i < WG_ELEMENTSOF(dev_marks); i++) {
		p = strstr(msg, dev_marks[i]);
		if (p)
			return take_name(p + strlen(dev_marks[i]), ret->dev, sizeof(ret->dev));
	}
	/* "ata3.00: failed command: READ FPDMA QUEUED", "ata3: failed command: …" (a link) */
	if (strncmp(msg, "ata", 3) == 0 && isdigit((unsigned char)msg[3])) {
		char *end;
		long port = strtol(msg + 3, &end, 10);

		if (*end == '.') {
			p = end + 1;
			while (isdigit((unsigned char)*p))
				p++;
			end = (char *)p;
		}
		if (port >= 0 && port < INT_MAX && strncmp(end, ": failed command:", 17) == 0) {
			ret->ata_port = (int)port;
			return true;
		}
	}
	return false;
}

static int names_push(char ***names, const char *name)
{
	if (strv_contains(*names, name))
		return 0;
	if (strv_length(*names) >= KMSG_NAMES_MAX)
		return -E2BIG;
	return strv_push(names, name) < 0 ? -ENOMEM : 1;
}

/* Every entry of dir/holders onto names. */
static int holders_push(const char *dir, char ***names)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (snprintf(path, sizeof(path), "%s/holders", dir) >= (int)sizeof(path))
		return 0;
	d = opendir(path);
	if (!d)
		return 0;
	while (r >= 0 && (de = readdir(d)))
		if (de->d_name[0] != '.')
			r = names_push(names, de->d_name);
	closedir(d);
	return r < 0 ? r : 0;
}

/* name's partitions (subdirectories with a "partition" file) and the holders of it and of them. */
static int expand(const char *sysfs_root, const char *name, char ***names)
{
	char dir[PATH_MAX], sub[PATH_MAX + 300];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int r;

	if (snprintf(dir, sizeof(dir), "%s/block/%s", sysfs_root, name) >= (int)sizeof(dir))
		return 0;
	r = holders_push(dir, names);
	d = opendir(dir);
	if (!d)
		return r;
	while (r >= 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s/partition", dir, de->d_name);
		if (stat(sub, &st) < 0)
			continue;
		r = names_push(names, de->d_name);
		if (r >= 0) {
			snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
			r = holders_push(sub, names);
		}
	}
	closedir(d);
	return r;
}

/* N of the "ataN" directory the disk's device sits under, or -1. */
static int ata_port_of(const char *sysfs_root, const char *disk)
{
	char path[PATH_MAX], real[PATH_MAX];
	const char *p;

	if (snprintf(path, sizeof(path), "%s/block/%s/device", sysfs_root, disk) >= (int)sizeof(path) ||
	    !realpath(path, real))
		return -1;
	for (p = strstr(real, "/ata"); p; p = strstr(p + 1, "/ata")) {
		char *end;
		long n;

		if (!isdigit((unsigned char)p[4]))
			continue;
		n = strtol(p + 4, &end, 10);
		if (*end == '/' && n >= 0 && n < INT_MAX)
			return (int)n;
	}
	return -1;
}

int kmsg_disk_load(const char *sysfs_root, const char *disk, struct kmsg_disk *ret)
{
	char **names = NULL;
	int r;

	memset(ret, 0, sizeof(*ret));
	ret->ata_port = -1;
	r = names_push(&names, disk);
	/* a breadth-first walk up the stack: each name added is expanded in its turn */
	for (size_t i = 0; r >= 0 && names && names[i]; i++)
		r = expand(sysfs_root, names[i], &names);
	if (r == -ENOMEM || !(ret->disk = strdup(disk))) {
		strv_free(names);
		return -ENOMEM;
	}
	/* past KMSG_NAMES_MAX the rest go unwatched; what is there is still looked for */
	ret->names = names;
	ret->ata_port = ata_port_of(sysfs_root, disk);
	return 0;
}

void kmsg_disk_release(struct kmsg_disk *d)
{
	if (!d)
		return;
	free(d->disk);
	strv_free(d->names);
	d->disk = NULL;
	d->names = NULL;
}

bool kmsg_disk_matches(const struct kmsg_disk *d, const struct kmsg_culprit *c)
{
	if (c->ata_port >= 0)
		return c->ata_port == d->ata_port;
	return c->dev[0] && strv_contains(d->names, c->dev);
}

int kmsg_open(const char *path, struct kmsg **ret, struct wg_err *err)
{
	struct kmsg *k = calloc(1, sizeof(*k));

	if (!k)
		return wg_err_set(err, -ENOMEM, "out of memory");
	k->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (k->fd < 0) {
		int r = -errno;

		free(k);
		return wg_err_set(err, r, "cannot open '%s': %s", path, strerror(-r));
	}
	/* from now on: /dev/kmsg's end is after its newest record, a file's after its last byte */
	if (lseek(k->fd, 0, SEEK_END) < 0 && errno != ESPIPE) {
		int r = -errno;

		close(k->fd);
		free(k);
		return wg_err_set(err, r, "cannot read '%s': %s", path, strerror(-r));
	}
	*ret = k;
	return 0;
}

/* One line of the log: "prio,seq,usec,flags;text" (a file may hold the text alone); continuation lines start with a blank. */
static void line_deliver(char *line, void (*cb)(const char *msg, void *userdata), void *userdata)
{
	const char *msg = line;
	size_t digits = strspn(line, "0123456789,-");
	char *semi = strchr(line, ';');

	if (line[0] == ' ' || line[0] == '\0')
		return;
	if (semi && digits > 0 && (size_t)(semi - line) >= digits && memchr(line, ',', digits))
		msg = semi + 1;
	cb(msg, userdata);
}

int kmsg_read(struct kmsg *k, void (*cb)(const char *msg, void *userdata), void *userdata)
{
	if (k->dead)
		return 0;
	for (int i = 0; i < KMSG_READS_MAX; i++) {
		ssize_t n = read(k->fd, k->buf + k->len, KMSG_BUF - k->len);
		char *start, *nl;

		if (n < 0) {
			if (errno == EINTR || errno == EPIPE) /* EPIPE: records overwritten before we read them */
				continue;
			if (errno == EAGAIN)
				return 0;
			k->dead = true;
			return -errno;
		}
		if (n == 0)
			return 0;
		k->len += (size_t)n;
		k->buf[k->len] = '\0';
		start = k->buf;
		while ((nl = memchr(start, '\n', k->len - (size_t)(start - k->buf)))) {
			*nl = '\0';
			line_deliver(start, cb, userdata);
			start = nl + 1;
		}
		k->len -= (size_t)(start - k->buf);
		memmove(k->buf, start, k->len);
		/* a line longer than the buffer is taken as it is rather than never */
		if (k->len == KMSG_BUF) {
			k->buf[k->len] = '\0';
			line_deliver(k->buf, cb, userdata);
			k->len = 0;
		}
	}
	return 0;
}

void kmsg_free(struct kmsg *k)
{
	if (!k)
		return;
	close(k->fd);
	free(k);
}
