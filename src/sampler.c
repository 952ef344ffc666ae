/* sampler.c — read many drives at once: a slow or hung drive must not hold up the others' turn */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "sampler.h"

#define SAMPLER_DEFAULT_PARALLEL 64

struct sampler_job {
	const struct drive_cfg *const *drives;
	size_t n;
	const struct sampler_opts *opts;
	struct smart_reading *readings;
	atomic_size_t next;
};

static void read_one(const struct drive_cfg *drive, const struct sampler_opts *opts, struct smart_reading *ret)
{
	struct smart_device_opts dev = {
		.access = drive->access,
		.wake = opts->wake,
		.sysfs_root = opts->sysfs_root,
	};

	if (opts->read)
		opts->read(drive, opts->userdata, ret);
	else if (drive->source == DRIVE_BLOB)
		smart_read_blob_file(drive->path, ret);
	else
		smart_read_device(drive->path, &dev, ret);
}

/* A saved reading is a small file: reading 60 of them takes less than starting one thread. */
static bool inline_read(const struct drive_cfg *drive, const struct sampler_opts *opts)
{
	return !opts->read && drive->source == DRIVE_BLOB;
}

static void *worker(void *arg)
{
	struct sampler_job *job = arg;

	for (;;) {
		size_t i = atomic_fetch_add(&job->next, 1);

		if (i >= job->n)
			return NULL;
		if (!inline_read(job->drives[i], job->opts))
			read_one(job->drives[i], job->opts, &job->readings[i]);
	}
}

int sampler_read_all(const struct drive_cfg *const *drives, size_t n, const struct sampler_opts *opts,
		     struct smart_reading *ret_readings)
{
	struct sampler_job job = { .drives = drives, .n = n, .opts = opts, .readings = ret_readings };
	size_t nthreads = opts->max_parallel ? opts->max_parallel : SAMPLER_DEFAULT_PARALLEL, devices = 0;
	pthread_t *threads;
	size_t started = 0;

	atomic_init(&job.next, 0);
	for (size_t i = 0; i < n; i++) {
		if (inline_read(drives[i], opts))
			read_one(drives[i], opts, &ret_readings[i]);
		else
			devices++;
	}
	if (nthreads > devices)
		nthreads = devices;
	if (nthreads <= 1) {
		worker(&job);
		return 0;
	}
	threads = calloc(nthreads, sizeof(*threads));
	if (!threads)
		return -ENOMEM;
	for (; started < nthreads; started++)
		if (pthread_create(&threads[started], NULL, worker, &job) != 0)
			break;
	/* With fewer threads than asked (or none), the readings still all get taken. */
	if (started == 0)
		worker(&job);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	return 0;
}
