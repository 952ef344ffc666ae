/* bench-fill.h — a year (or more) of 10-minute samples of 24 drives, from real readings where there are some */
#ifndef WEARGATE_TESTS_BENCH_FILL_H
#define WEARGATE_TESTS_BENCH_FILL_H

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reading-builder.h"
#include "store.h"
#include "track.h"

#define DRIVES 24
#define DAYS 365
#define STEP 600

struct drive {
	char name[16];
	struct smart_reading r;
	struct smart_attr *temp, *airflow, *poh;
	int base_temp;
	unsigned pass_in_hour;
};

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static inline uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

/* The real drives in the smart-blobs directory that read cleanly; 0 when it is absent. */
static inline size_t load_blobs(const char *dir, struct smart_reading *out, size_t max)
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

static inline struct smart_attr *attr(struct smart_reading *r, uint8_t id)
{
	for (unsigned i = 0; i < r->n_attrs; i++)
		if (r->attrs[i].id == id)
			return &r->attrs[i];
	return NULL;
}

static inline void drive_init(struct drive *d, unsigned i, const struct smart_reading *src)
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
	/*
	 * Six drives are sick for the whole history, whatever readings there are: three degrading
	 * (pending sectors), three failing (the self-assessment): the gate must not pay for how long.
	 */
	if (i % 4 == 3)
		rb_attr(&d->r, 197, 0x0032, 200, 200, 0, 8 + i);
	if (i % 8 == 7)
		d->r.smart_ok = 0;
}

/* A drive's day: the temperature wanders a degree at a time, power-on hours tick every hour. */
static inline void drive_step(struct drive *d)
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
			uint32_t v = (uint32_t)d->poh->raw[0] | (uint32_t)d->poh->raw[1] << 8 |
				     (uint32_t)d->poh->raw[2] << 16 | (uint32_t)d->poh->raw[3] << 24;

			v++;
			for (int b = 0; b < 4; b++)
				d->poh->raw[b] = (uint8_t)(v >> (8 * b));
		}
	}
}

/*
 * Fill s with `days` of passes every STEP seconds ending at t_end, of DRIVES drives named sda…
 * made from the real readings in WEARGATE_SMART_BLOBS (a made-up healthy disk where there are
 * none). Returns how many real readings were used, or -1 with err set.
 */
static inline int bench_fill_days(struct store *s, int64_t t_end, int days, struct wg_err *err)
{
	static struct smart_reading real[64];
	static struct drive drives[DRIVES];
	size_t nreal = load_blobs(getenv("WEARGATE_SMART_BLOBS"), real, WG_ELEMENTSOF(real));
	int64_t passes = (int64_t)days * 86400 / STEP;

	if (nreal == 0) {
		rb_healthy_hdd(&real[0], "BENCH");
		nreal = 1;
	}
	for (unsigned i = 0; i < DRIVES; i++)
		drive_init(&drives[i], i, &real[i % nreal]);
	if (store_set_durable(s, false, err) < 0)
		return -1;
	for (int64_t p = 0, t = t_end - (passes - 1) * STEP; p < passes; p++, t += STEP) {
		/* the timer's jitter, but the last pass exactly at t_end */
		int64_t jitter = p + 1 < passes ? (int64_t)(rnd() % 3) : 0;

		if (store_pass_begin(s, t + jitter, err) < 0)
			return -1;
		for (unsigned i = 0; i < DRIVES; i++) {
			drive_step(&drives[i]);
			if (store_pass_add(s, drives[i].name, &drives[i].r, err) < 0)
				return -1;
		}
		if (store_pass_commit(s, err) < 0)
			return -1;
	}
	/* the sign log and the episodes, as a migration records them for a history of samples */
	{
		struct policy p;

		policy_defaults(&p);
		if (track_rebuild(s, &p, err) < 0)
			return -1;
	}
	if (store_set_durable(s, true, err) < 0)
		return -1;
	return (int)nreal;
}

/* The same for DAYS: what bench-store and bench-gate measure. */
static inline int bench_fill(struct store *s, int64_t t_end, struct wg_err *err)
{
	return bench_fill_days(s, t_end, DAYS, err);
}

/* The config both benchmarks run weargate with: one blob per drive, a 2-drive backup and a job on every drive. */
static inline int bench_write_config(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fprintf(f, "database = \"history.db\"\n");
	for (unsigned i = 0; i < DRIVES; i++)
		fprintf(f, "drive \"sd%c\" { blob = \"sd%c.blob\" }\n", 'a' + i, 'a' + i);
	fprintf(f, "job \"backup-home\" {\n\tclass = backup\n\tdrives = {\"sda\", \"sdb\"}\n}\n");
	fprintf(f, "job \"scrub-all\" {\n\tclass = maintenance\n\tdrives = {");
	for (unsigned i = 0; i < DRIVES; i++)
		fprintf(f, "%s\"sd%c\"", i ? ", " : "", 'a' + i);
	fprintf(f, "}\n}\n");
	return fclose(f) == 0 && chmod(path, 0644) == 0 ? 0 : -1;
}

/* The ids of the drives bench_fill() sampled, sda first. */
static inline int bench_drive_ids(struct store *s, int64_t ids[DRIVES], struct wg_err *err)
{
	struct store_sample *x = malloc(sizeof(*x));
	int r = 0;

	if (!x)
		return -1;
	for (unsigned i = 0; r >= 0 && i < DRIVES; i++) {
		char name[8];

		snprintf(name, sizeof(name), "sd%c", 'a' + i);
		r = store_latest_by_name(s, name, x, err);
		ids[i] = x->drive_id;
	}
	free(x);
	return r < 0 ? -1 : 0;
}

/* Start argv with env, its output discarded; the child's pid, or -1. */
static inline pid_t bench_spawn(char *const argv[], char *const envp[])
{
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	return pid;
}

/* The history and the log and index kept beside it. */
static inline void bench_remove_store(const char *db)
{
	char p[512];

	unlink(db);
	snprintf(p, sizeof(p), "%s-wal", db);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", db);
	unlink(p);
}

#endif
