/* bench-store.c — how many bytes a year of 10-minute samples of 24 drives takes on disk */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "reading-builder.h"
#include "store.h"

#define DRIVES 24
#define DAYS 365
#define STEP 600
#define TARGET_PER_DRIVE_DAY 2048.0

struct drive {
	char name[16];
	struct smart_reading r;
	struct smart_attr *temp, *airflow, *poh;
	int base_temp;
	unsigned pass_in_hour;
};

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

/* The real drives in the smart-blobs directory that read cleanly; 0 when it is absent. */
static size_t load_blobs(const char *dir, struct smart_reading *out, size_t max)
{
	struct dirent **names;
	size_t n = 0;
	int k;

	if (!dir)
		return 0;
	k = scandir(dir, &names, NULL, alphasort);
	if (k < 0)
		return 0;
	for (int i = 0; i < k; i++) {
		char path[4096];

		if (n < max && names[i]->d_name[0] != '.' && !strstr(names[i]->d_name, "README")) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			smart_read_blob_file(path, &out[n]);
			if (out[n].status == READING_OK)
				n++;
		}
		free(names[i]);
	}
	free(names);
	return n;
}

static struct smart_attr *attr(struct smart_reading *r, uint8_t id)
{
	for (unsigned i = 0; i < r->n_attrs; i++)
		if (r->attrs[i].id == id)
			return &r->attrs[i];
	return NULL;
}

static void drive_init(struct drive *d, unsigned i, const struct smart_reading *src)
{
	snprintf(d->name, sizeof(d->name), "sd%c", 'a' + i);
	d->r = *src;
	/* every slot its own drive: the same model with another serial */
	snprintf(d->r.identity.serial, sizeof(d->r.identity.serial), "BENCH%04u", i);
	d->temp = attr(&d->r, 194);
	d->airflow = attr(&d->r, 190);
	d->poh = attr(&d->r, 9);
	d->base_temp = d->temp && d->temp->raw[0] > 15 && d->temp->raw[0] < 60 ? d->temp->raw[0] : 35;
	d->pass_in_hour = i % 6;
}

/* A drive's day: the temperature wanders a degree at a time, power-on hours tick every hour. */
static void drive_step(struct drive *d)
{
	if (rnd() % 4 == 0) {
		int old = d->temp ? d->temp->raw[0] : d->base_temp;
		int t = old + (rnd() % 2 ? 1 : -1);

		if (t < d->base_temp - 4 || t > d->base_temp + 8)
			t = old;
		/* the normalized values fall as the drive warms */
		if (d->temp) {
			d->temp->raw[0] = (uint8_t)t;
			d->temp->current = (uint8_t)(d->temp->current - (t - old));
		}
		if (d->airflow) {
			d->airflow->raw[0] = (uint8_t)t;
			d->airflow->current = (uint8_t)(d->airflow->current - (t - old));
		}
	}
	if (++d->pass_in_hour == 6) {
		d->pass_in_hour = 0;
		if (d->poh) {
			uint32_t units = d->r.identity.poh_units_per_hour ? d->r.identity.poh_units_per_hour : 1;
			uint32_t v = (uint32_t)d->poh->raw[0] | (uint32_t)d->poh->raw[1] << 8 |
				     (uint32_t)d->poh->raw[2] << 16 | (uint32_t)d->poh->raw[3] << 24;

			v += units;
			for (int b = 0; b < 4; b++)
				d->poh->raw[b] = (uint8_t)(v >> (8 * b));
		}
	}
}

int main(void)
{
	static struct smart_reading real[64];
	static struct drive drives[DRIVES];
	const char *tmp = getenv("TMPDIR");
	struct wg_err err = { "" };
	struct store *s = NULL;
	char dir[256], path[300];
	struct timespec t0, t1;
	size_t nreal;
	struct stat st;
	double per_day, secs;

	nreal = load_blobs(getenv("WEARGATE_SMART_BLOBS"), real, WG_ELEMENTSOF(real));
	if (nreal == 0) {
		/* no real readings here: a healthy hard disk stands in for all of them */
		rb_healthy_hdd(&real[0], "BENCH");
		nreal = 1;
	}
	for (unsigned i = 0; i < DRIVES; i++)
		drive_init(&drives[i], i, &real[i % nreal]);

	snprintf(dir, sizeof(dir), "%s/wg-bench-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/history.db", dir);
	if (store_open(path, &s, &err) < 0 || store_set_durable(s, false, &err) < 0) {
		fprintf(stderr, "bench-store: %s\n", err.msg);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int64_t p = 0, t = 1767225600; p < (int64_t)DAYS * 86400 / STEP; p++, t += STEP) {
		if (store_pass_begin(s, t + (int64_t)(rnd() % 3), &err) < 0)
			goto fail;
		for (unsigned i = 0; i < DRIVES; i++) {
			drive_step(&drives[i]);
			if (store_pass_add(s, drives[i].name, &drives[i].r, &err) < 0)
				goto fail;
		}
		if (store_pass_commit(s, &err) < 0)
			goto fail;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	store_free(s); /* the last connection checkpoints the log into the file */
	if (stat(path, &st) < 0) {
		perror("stat");
		return 1;
	}
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	per_day = (double)st.st_size / (DRIVES * DAYS);
	printf("store-size: %u drives (from %zu real readings) x %d days of %d-second samples\n", DRIVES, nreal, DAYS,
	       STEP);
	printf("store-size: file %lld bytes, %.0f bytes per drive-day (target < %.0f), filled in %.1f s\n",
	       (long long)st.st_size, per_day, TARGET_PER_DRIVE_DAY, secs);
	unlink(path);
	rmdir(dir);
	return per_day < TARGET_PER_DRIVE_DAY ? 0 : 1;
fail:
	fprintf(stderr, "bench-store: %s\n", err.msg);
	store_free(s);
	return 1;
}
