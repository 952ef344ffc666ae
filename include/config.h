/* config.h — the configuration file (the only user of libconfuse) */
#ifndef WEARGATE_CONFIG_H
#define WEARGATE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "smart.h"
#include "util.h"

#include "version.h"

/* The configuration without -c: meson's sysconfdir, /etc/weargate.conf for a prefix of /usr. */
#define CONFIG_DEFAULT_PATH WEARGATE_CONFIG_PATH

enum drive_source {
	DRIVE_DEVICE,
	DRIVE_BLOB,
};

struct drive_cfg {
	char *name;
	int line; /* of the line that opens the drive's section, for messages */
	enum drive_source source;
	char *path; /* the device, or the blob file (made absolute against the config's directory) */
	enum smart_access access;
	int64_t read_timeout; /* seconds a reading may take before it is recorded as a timeout; 0 = the default */
};

/* A drive that has not answered in this long is not going to (config `read_timeout`). */
#define DRIVE_READ_TIMEOUT_DEFAULT 30

struct job_cfg {
	char *name;
	int line; /* of the line that opens the job's section, for messages */
	enum job_class class;
	char **command; /* argv, NULL-terminated; NULL when the job has none (a gate-only job) */
	char **paths;   /* absolute, NULL-terminated; NULL when none */
	char **drives;  /* names of configured drives, NULL-terminated; NULL when none */
	int64_t timeout;   /* seconds; 0 = none */
	int64_t cooldown;  /* seconds between heavy jobs on a worn or degrading drive; -1 = the state's */
	uint64_t throttle; /* bytes per second of I/O on the job's drives; 0 = none */
	char *user;        /* run as this user; NULL = as weargate runs */
	enum verdict on_unknown; /* when a drive's state is unknown: go, defer or refuse */
	bool shell;        /* command[0] is a shell command line, run by /bin/sh -c */
	int nice;          /* added to the job's niceness (default 10) */
	int ionice_class;  /* IOPRIO_CLASS_BE 2 (default, level 7), IDLE 3; 0 = unchanged */
	int ionice_level;
	int64_t watch_interval; /* seconds between samples of its drives while it runs; 0 = the config's */
	enum smart_test test;   /* class selftest: the test its drives run */
	int64_t every;          /* seconds: `run` skips it while its last success is younger; 0 = every run */
};

struct config {
	char *path;
	char *database; /* absolute */
	struct policy policy;
	size_t n_drives;
	struct drive_cfg *drives;
	/* the drives by name, for config_drive(); NULL (a config made by hand) is searched in order */
	const struct drive_cfg **drives_by_name;
	size_t n_jobs;
	struct job_cfg *jobs;
	int64_t read_timeout; /* seconds: every drive's, unless its section says otherwise (default 30s) */
	/* the runner */
	int64_t watch_interval; /* seconds between samples of a running job's drives (default 10m) */
	int64_t stop_grace;     /* seconds from SIGTERM to SIGKILL when a job is stopped (default 30s) */
	int run_until;          /* minutes after local midnight the runner may wait for a cooldown until; -1 = none */
	char **notify;          /* argv run on every drive state change and refusal; NULL = none */
	char *export_path;      /* the Prometheus file 'run' writes at its end; NULL = none */
	char *drivedb;          /* smartmontools' drive database to read; NULL = where smartmontools keeps it */
	/* retention { }: samples older than retention_keep are thinned to one per retention_thin; 0 = never */
	int64_t retention_keep;
	int64_t retention_thin;
};

/* Errors name the file and line: "FILE:LINE: …" in err; -ENOENT, -EACCES, -EINVAL. */
/* -EPERM: refused, the file being writable by group or others, or owned by neither root nor getuid(); -EFBIG: over 1 MiB. */
int config_load(const char *path, struct config **ret, struct wg_err *err);
void config_free(struct config *c); /* NULL is fine */
const struct drive_cfg *config_drive(const struct config *c, const char *name);
const struct job_cfg *config_job(const struct config *c, const char *name);

#endif
