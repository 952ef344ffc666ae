/* sampler.h — read many drives at once, so that 60 drives do not take 60 times one */
#ifndef WEARGATE_SAMPLER_H
#define WEARGATE_SAMPLER_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "smart.h"

/* How one drive is read; tests pass their own. */
typedef void (*sampler_read_fn)(const struct drive_cfg *drive, void *userdata, struct smart_reading *ret);

struct sampler_opts {
	bool wake;
	const char *sysfs_root;
	unsigned max_parallel; /* 0 = default */
	sampler_read_fn read;  /* NULL = the real reader (blob file or device) */
	void *userdata;
};

/* Read drives[0..n) concurrently into ret_readings[0..n) (same order); -ENOMEM only. */
int sampler_read_all(const struct drive_cfg *const *drives, size_t n, const struct sampler_opts *opts,
		     struct smart_reading *ret_readings);

#endif
