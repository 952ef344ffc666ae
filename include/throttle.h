/* throttle.h — a job's I/O bandwidth limit on its disks: cgroup v2 io.max, through systemd or directly */
#ifndef WEARGATE_THROTTLE_H
#define WEARGATE_THROTTLE_H

#include <stdint.h>

#include "util.h"

/* Where the system is looked at; tests point it at a fake tree. */
struct throttle_env {
	const char *cgroup_root;  /* "/sys/fs/cgroup" */
	const char *systemd_dir;  /* "/run/systemd/system": present when systemd is PID 1 */
	const char *self_cgroup;  /* "/proc/self/cgroup" */
	const char *systemd_run;  /* "systemd-run" (looked up in PATH), or a path */
};

enum throttle_method {
	THROTTLE_NONE,        /* no limit could be applied: why says why */
	THROTTLE_SYSTEMD_RUN, /* the job runs under `systemd-run --scope -p IO{Read,Write}BandwidthMax=…` */
	THROTTLE_CGROUP,      /* the job joins a cgroup of its own with io.max written */
};

struct throttle {
	enum throttle_method method;
	char **argv_prefix; /* THROTTLE_SYSTEMD_RUN: prepend to the job's argv */
	char *cgroup;       /* THROTTLE_CGROUP: the directory the job joins (proc_spec.cgroup) */
	char *leaf;         /* THROTTLE_CGROUP: the leaf we moved into so that our cgroup passes io on; or NULL */
	char why[256];      /* THROTTLE_NONE: one line on why not */
};

/*
 * Limit reads and writes of job `job` to bps bytes per second on each of the disks
 * (kernel names, "sda"), whose MAJ:MIN come from sysfs_root. Prefers systemd when it runs
 * (a scope it manages), else a cgroup of our own under our cgroup, else says why not:
 * never an error for the job, which then runs unthrottled with that said loudly.
 * A cgroup v2 cgroup other than the root may not both hold processes and pass a controller
 * on to its children, so when ours does not pass io on yet we move into a leaf of our own
 * beside the job's (t->leaf) until throttle_release(): one throttle at a time per process.
 */
void throttle_prepare(const struct throttle_env *env, const char *sysfs_root, const char *job, uint64_t bps,
		      char *const *disks, struct throttle *ret);
/*
 * Remove the cgroup (once the job is gone; one a process of the job still holds stays), give
 * io back and return to our cgroup when we had to leave it, and free. Fine on a zeroed t.
 */
void throttle_release(struct throttle *t);

#endif
