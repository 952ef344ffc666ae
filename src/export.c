/* export.c — the drives, their states and the gate as Prometheus metrics, for node_exporter's textfile collector */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "attrs.h"
#include "export.h"
#include "snapshot.h"

struct export_drive {
	/*
	 * the drive as the history has it now: when its newest reading is not usable (standby),
	 * the values come from the last usable one this recent, as in status
	 */
	const struct snapshot_drive *x;
	char disk[PATH_MAX]; /* the disk label */
};

/* Sectors a job wrote on one drive, over all its recorded runs. */
struct export_written {
	char name[STORE_NAME_MAX]; /* the drive's name in the run's record */
	int64_t sectors;
};

struct export_job {
	const struct job_cfg *cfg;
	bool verdict_known;
	enum verdict verdict;
	int64_t last_ended; /* when the newest run that ended ended; -1 when none */
	bool last_success;
	int64_t last_success_ended; /* -1 when none */
	size_t n_written;
	struct export_written *written;
};

struct export_ctx {
	const struct config *config;
	struct store *store;
	int64_t now;
	struct snapshot snap; /* the drives (the self-tests that ended), and what the gate would say for each job */
	struct export_drive *drives;
	struct export_job *jobs;
};

/* The disk label: smartmon's "/dev/sda" for a device drive (a /dev/disk/by-id/ link resolved), the name of a blob drive. */
static void disk_label(const struct blockdev_env *env, const struct drive_cfg *d, char *buf, size_t len)
{
	char *name = NULL;

	if (d->source == DRIVE_BLOB)
		snprintf(buf, len, "%s", d->name);
	else if (blockdev_disk_of_node(env->sysfs_root, d->path, &name, NULL) == 0)
		snprintf(buf, len, "/dev/%s", name);
	else
		snprintf(buf, len, "%s", d->path);
	free(name);
}

static int written_add(struct export_job *j, const char *name, int64_t sectors)
{
	struct export_written *w;

	for (size_t i = 0; i < j->n_written; i++)
		if (strcmp(j->written[i].name, name) == 0) {
			j->written[i].sectors += sectors;
			return 0;
		}
	w = realloc(j->written, (j->n_written + 1) * sizeof(*w));
	if (!w)
		return -ENOMEM;
	j->written = w;
	w = &j->written[j->n_written++];
	snprintf(w->name, sizeof(w->name), "%s", name);
	w->sectors = sectors;
	return 0;
}

/* Runs come oldest first: the newest that ended wins. Runs of jobs no longer configured are left out. */
static int on_run(const struct store_job_run *run, void *userdata)
{
	struct export_ctx *x = userdata;
	const struct job_cfg *cfg = config_job(x->config, run->job);
	struct export_job *j;

	if (!cfg)
		return 0;
	j = &x->jobs[cfg - x->config->jobs];
	if (run->ended >= 0 && run->outcome[0]) {
		j->last_ended = run->ended;
		j->last_success = strcmp(run->outcome, "success") == 0;
		if (j->last_success)
			j->last_success_ended = run->ended;
	}
	for (size_t i = 0; i < run->n_drives; i++) {
		const struct store_job_run_drive *d = &run->drives[i];

		/* an unknown count adds nothing; a drive whose every count is unknown gets no series */
		if (d->name[0] && d->sectors_written >= 0 && written_add(j, d->name, d->sectors_written) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int jobs_load(struct export_ctx *x, struct wg_err *err)
{
	int r;

	for (size_t i = 0; i < x->config->n_jobs; i++) {
		x->jobs[i].cfg = &x->config->jobs[i];
		x->jobs[i].last_ended = -1;
		x->jobs[i].last_success_ended = -1;
		/* a job whose drives cannot be resolved has no verdict: its series are left out */
		x->jobs[i].verdict_known = x->snap.jobs[i].decision.verdict != _VERDICT_MAX;
		x->jobs[i].verdict = x->snap.jobs[i].decision.verdict;
	}
	r = store_foreach_job_run(x->store, INT64_MIN, x->now, on_run, x, err);
	if (r == -ENOMEM)
		return wg_err_set(err, r, "out of memory");
	return r;
}

/* A label value as the text format wants it: backslash, double quote and newline escaped. */
static void label_value(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* NAME{KEY="VALUE",…} V, kv being key, value pairs ending with a NULL key. */
static void series(FILE *f, const char *name, const char *const *kv, int64_t v)
{
	fputs(name, f);
	for (size_t i = 0; kv[i]; i += 2) {
		fprintf(f, "%s%s=", i ? "," : "{", kv[i]);
		label_value(f, kv[i + 1]);
	}
	fprintf(f, "%s %lld\n", kv[0] ? "}" : "", (long long)v);
}

/*
 * The families smartmon.sh and smartmon.py write are shared with them on one node_exporter:
 * the HELP must be theirs to the byte ("SMART metric NAME", NAME without the prefix), or
 * node_exporter drops one side's series on every scrape. Our series carry source="weargate"
 * (and type="ata"), so that they never repeat the labels of a series of theirs for the same disk.
 */
#define SMARTMON_TYPE "ata"
#define SMARTMON_SOURCE "weargate"

static void smartmon_family(FILE *f, const char *name)
{
	fprintf(f, "# HELP %s SMART metric %s\n# TYPE %s gauge\n", name, name + strlen("smartmon_"), name);
}

enum attr_field { FIELD_VALUE, FIELD_WORST, FIELD_THRESHOLD, FIELD_RAW, _FIELD_MAX };

static const char *const field_suffix[_FIELD_MAX] = { "value", "worst", "threshold", "raw_value" };

/*
 * smartmon.sh's list of attributes it writes a family of its own for, as
 * smartmon_NAME_value, _worst, _threshold and _raw_value (prometheus-node-exporter-collectors,
 * Debian 12): what a dashboard made for it reads.
 */
static const char *const smartmon_sh_attrs[] = {
	"airflow_temperature_cel", "command_timeout", "current_pending_sector", "end_to_end_error",
	"erase_fail_count", "g_sense_error_rate", "hardware_ecc_recovered", "host_reads_32mib", "host_reads_mib",
	"host_writes_32mib", "host_writes_mib", "load_cycle_count", "media_wearout_indicator", "nand_writes_1gib",
	"offline_uncorrectable", "power_cycle_count", "power_on_hours", "program_fail_cnt_total",
	"program_fail_count", "raw_read_error_rate", "reallocated_event_count", "reallocated_sector_ct",
	"reported_uncorrect", "runtime_bad_block", "sata_downshift_count", "seek_error_rate", "spin_retry_count",
	"spin_up_time", "start_stop_count", "temperature_case", "temperature_celsius", "temperature_internal",
	"total_lbas_read", "total_lbas_written", "udma_crc_error_count", "unsafe_shutdown_count",
	"unused_rsvd_blk_cnt_tot", "wear_leveling_count", "workld_host_reads_perc", "workld_media_wear_indic",
	"workload_minutes",
};

/* smartmon's label: the drive's smartctl name, lowercased; "attribute_N" for one smartctl does not name. */
static const char *export_name(const struct smart_reading *r, uint8_t id, char *buf, size_t len)
{
	const char *n = attrs_name(r, id);
	size_t i;

	if (strncmp(n, "Unknown_", 8) == 0) {
		snprintf(buf, len, "attribute_%u", id);
		return buf;
	}
	for (i = 0; n[i] && i + 1 < len; i++)
		buf[i] = (char)tolower((unsigned char)n[i]);
	buf[i] = '\0';
	return buf;
}

/*
 * One field of an attribute; false when it is not known: no threshold page, a raw value past
 * 63 bits. The raw value is the number smartctl prints first, in the drive's format (its
 * degrees for a temperature kept with its minimum and maximum), as smartmon reads it.
 */
static bool attr_field(const struct smart_reading *u, const struct smart_attr *at, enum attr_field k, int64_t *ret)
{
	switch (k) {
	case FIELD_VALUE:
		*ret = at->current;
		return true;
	case FIELD_WORST:
		*ret = at->worst;
		return true;
	case FIELD_THRESHOLD:
		*ret = at->threshold;
		return at->threshold_valid;
	case FIELD_RAW:
	default:
		return attr_decode(at, attrs_def(u, at->id), ret) == 0;
	}
}

static void print_attrs(FILE *f, const struct export_drive *drives, size_t n)
{
	char name[ATTR_NAME_MAX + 1], id[8], fam[96];

	/* smartmon.py's names, for every attribute */
	for (int k = 0; k < _FIELD_MAX; k++) {
		snprintf(fam, sizeof(fam), "smartmon_attr_%s", field_suffix[k]);
		smartmon_family(f, fam);
		for (size_t i = 0; i < n; i++) {
			const struct smart_reading *u = &drives[i].x->usable.reading;

			for (unsigned a = 0; drives[i].x->have_usable && a < u->n_attrs; a++) {
				const struct smart_attr *at = &u->attrs[a];
				int64_t v;

				/* one series per id: the second entry of an id a drive lists twice would repeat its labels */
				if (smart_reading_attr(u, at->id) != at || !attr_field(u, at, (enum attr_field)k, &v))
					continue;
				snprintf(id, sizeof(id), "%u", at->id);
				series(f, fam,
				       (const char *const[]){ "disk", drives[i].disk, "type", SMARTMON_TYPE, "name",
							      export_name(u, at->id, name, sizeof(name)), "smart_id", id,
							      "source", SMARTMON_SOURCE, NULL },
				       v);
			}
		}
	}
	/* smartmon.sh's: a family per attribute of its list, each family's series together */
	for (size_t s = 0; s < WG_ELEMENTSOF(smartmon_sh_attrs); s++) {
		for (int k = 0; k < _FIELD_MAX; k++) {
			bool any = false;

			snprintf(fam, sizeof(fam), "smartmon_%s_%s", smartmon_sh_attrs[s], field_suffix[k]);
			for (size_t i = 0; i < n; i++) {
				const struct smart_reading *u = &drives[i].x->usable.reading;

				for (unsigned a = 0; drives[i].x->have_usable && a < u->n_attrs; a++) {
					const struct smart_attr *at = &u->attrs[a];
					int64_t v;

					if (smart_reading_attr(u, at->id) != at ||
					    strcmp(export_name(u, at->id, name, sizeof(name)), smartmon_sh_attrs[s]) != 0 ||
					    !attr_field(u, at, (enum attr_field)k, &v))
						continue;
					if (!any)
						smartmon_family(f, fam);
					any = true;
					snprintf(id, sizeof(id), "%u", at->id);
					series(f, fam,
					       (const char *const[]){ "disk", drives[i].disk, "type", SMARTMON_TYPE,
								      "smart_id", id, "source", SMARTMON_SOURCE, NULL },
					       v);
				}
			}
		}
	}
}

/* A smartmon_device_ series of one drive, labelled as smartmon.sh labels them. */
static void device_series(FILE *f, const char *name, const struct export_drive *d, int64_t v)
{
	series(f, name, (const char *const[]){ "disk", d->disk, "type", SMARTMON_TYPE, "source", SMARTMON_SOURCE, NULL },
	       v);
}

static void print_devices(FILE *f, const struct export_drive *drives, size_t n)
{
	/*
	 * smartmon.sh's labels: the SCSI ones empty, as it leaves them for an ATA disk, and the
	 * model family smartctl names from the drive database (empty where no entry matched)
	 */
	smartmon_family(f, "smartmon_device_info");
	for (size_t i = 0; i < n; i++) {
		const struct smart_reading *r = snapshot_identity(drives[i].x);

		if (!r)
			continue;
		series(f, "smartmon_device_info",
		       (const char *const[]){ "disk", drives[i].disk, "type", SMARTMON_TYPE, "vendor", "", "product", "",
					      "revision", "", "lun_id", "", "model_family",
					      drives[i].x->match ? drives[i].x->match->family : "", "device_model",
					      r->identity.model, "serial_number", r->identity.serial, "firmware_version",
					      r->identity.firmware, "source", SMARTMON_SOURCE, NULL },
		       1);
	}
	/* SMART is there when a reading said so; libatasmart turns it on where it was off */
	for (int k = 0; k < 2; k++) {
		const char *name = k == 0 ? "smartmon_device_smart_available" : "smartmon_device_smart_enabled";

		smartmon_family(f, name);
		for (size_t i = 0; i < n; i++) {
			const struct store_sample *last = drives[i].x->health.latest;

			if (last && (last->reading.status == READING_OK || last->reading.status == READING_UNSUPPORTED))
				device_series(f, name, &drives[i], last->reading.status == READING_OK);
		}
	}
	smartmon_family(f, "smartmon_device_smart_healthy");
	for (size_t i = 0; i < n; i++)
		if (drives[i].x->have_usable && drives[i].x->usable.reading.smart_ok >= 0)
			device_series(f, "smartmon_device_smart_healthy", &drives[i], drives[i].x->usable.reading.smart_ok);
	smartmon_family(f, "smartmon_device_active");
	for (size_t i = 0; i < n; i++) {
		const struct store_sample *last = drives[i].x->health.latest;

		if (last && (last->reading.status == READING_OK || last->reading.status == READING_STANDBY))
			device_series(f, "smartmon_device_active", &drives[i], last->reading.status == READING_OK);
	}
}

static void print_states(FILE *f, const struct export_drive *drives, size_t n)
{
	family(f, "weargate_drive_state", "gauge", "Drive state judged from its history: 1 for the current state, 0 for the others");
	for (size_t i = 0; i < n; i++) {
		const struct smart_reading *id = snapshot_identity(drives[i].x);
		const char *serial = id ? id->identity.serial : "";

		for (int s = 0; s < _HEALTH_STATE_MAX; s++)
			series(f, "weargate_drive_state",
			       (const char *const[]){ "disk", drives[i].disk, "serial", serial, "state",
						      health_state_to_string((enum health_state)s), NULL },
			       drives[i].x->health.health.state == (enum health_state)s);
	}
	family(f, "weargate_drive_state_since_timestamp_seconds", "gauge",
	       "When the drive entered its current state (the episode's start, as status and history --events say)");
	for (size_t i = 0; i < n; i++)
		if (drives[i].x->health.health.since >= 0)
			series(f, "weargate_drive_state_since_timestamp_seconds",
			       (const char *const[]){ "disk", drives[i].disk, NULL }, drives[i].x->health.health.since);
	family(f, "weargate_drive_sample_timestamp_seconds", "gauge", "When the sample the smartmon_attr values come from was taken");
	for (size_t i = 0; i < n; i++)
		if (drives[i].x->have_usable)
			series(f, "weargate_drive_sample_timestamp_seconds",
			       (const char *const[]){ "disk", drives[i].disk, NULL }, drives[i].x->usable.t);
}

/*
 * The newest self-test weargate ran on each drive that has ended: when, which, how (a label,
 * as a state is one), and whether it passed.
 */
static void print_self_tests(FILE *f, const struct export_drive *drives, size_t n)
{
	family(f, "weargate_drive_last_self_test_timestamp_seconds", "gauge",
	       "When the newest SMART self-test weargate ran on the drive ended, labelled with the test and its result");
	for (size_t i = 0; i < n; i++)
		if (drives[i].x->have_test)
			series(f, "weargate_drive_last_self_test_timestamp_seconds",
			       (const char *const[]){ "disk", drives[i].disk, "test", drives[i].x->test.test, "result",
						      drives[i].x->test.result, NULL },
			       drives[i].x->test.ended >= 0 ? drives[i].x->test.ended : drives[i].x->test.started);
	family(f, "weargate_drive_last_self_test_passed", "gauge",
	       "1 when the newest SMART self-test weargate ran on the drive passed, 0 when it did not");
	for (size_t i = 0; i < n; i++)
		if (drives[i].x->have_test)
			series(f, "weargate_drive_last_self_test_passed",
			       (const char *const[]){ "disk", drives[i].disk, "test", drives[i].x->test.test, NULL },
			       strcmp(drives[i].x->test.result, "passed") == 0);
}

/* The label of a drive named in a run's record: its configured drive's disk label, else that name. */
static const char *run_disk(const struct export_ctx *x, const char *name)
{
	for (size_t i = 0; i < x->config->n_drives; i++)
		if (strcmp(x->drives[i].x->cfg->name, name) == 0)
			return x->drives[i].disk;
	return name;
}

static void print_jobs(FILE *f, const struct export_ctx *x)
{
	const struct export_job *jobs = x->jobs;
	size_t n = x->config->n_jobs;

	family(f, "weargate_gate_verdict", "gauge", "What weargate gate would say now: 1 for the current verdict, 0 for the others");
	for (size_t i = 0; i < n; i++)
		for (int v = 0; jobs[i].verdict_known && v < _VERDICT_MAX; v++)
			series(f, "weargate_gate_verdict",
			       (const char *const[]){ "job", jobs[i].cfg->name, "verdict", verdict_to_string((enum verdict)v),
						      NULL },
			       jobs[i].verdict == (enum verdict)v);
	family(f, "weargate_job_info", "gauge", "A configured job and its class");
	for (size_t i = 0; i < n; i++)
		series(f, "weargate_job_info",
		       (const char *const[]){ "job", jobs[i].cfg->name, "class", job_class_to_string(jobs[i].cfg->class), NULL },
		       1);
	family(f, "weargate_job_last_run_timestamp_seconds", "gauge", "When the job's newest recorded run that ended ended");
	for (size_t i = 0; i < n; i++)
		if (jobs[i].last_ended >= 0)
			series(f, "weargate_job_last_run_timestamp_seconds",
			       (const char *const[]){ "job", jobs[i].cfg->name, NULL }, jobs[i].last_ended);
	family(f, "weargate_job_last_run_success", "gauge", "1 when the job's newest recorded run that ended succeeded, else 0");
	for (size_t i = 0; i < n; i++)
		if (jobs[i].last_ended >= 0)
			series(f, "weargate_job_last_run_success", (const char *const[]){ "job", jobs[i].cfg->name, NULL },
			       jobs[i].last_success);
	family(f, "weargate_job_last_success_timestamp_seconds", "gauge", "When the job's newest successful run ended");
	for (size_t i = 0; i < n; i++)
		if (jobs[i].last_success_ended >= 0)
			series(f, "weargate_job_last_success_timestamp_seconds",
			       (const char *const[]){ "job", jobs[i].cfg->name, NULL }, jobs[i].last_success_ended);
	family(f, "weargate_job_sectors_written_total", "counter",
	       "512-byte sectors the job wrote on the disk, over all its recorded runs");
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < jobs[i].n_written; k++)
			series(f, "weargate_job_sectors_written_total",
			       (const char *const[]){ "job", jobs[i].cfg->name, "disk", run_disk(x, jobs[i].written[k].name),
						      NULL },
			       jobs[i].written[k].sectors);
}

int export_build(const struct config *c, struct store *s, const struct blockdev_env *env, int64_t now, char **ret_buf,
		 size_t *ret_len, struct wg_err *err)
{
	struct export_ctx x = { .config = c, .store = s, .now = now };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	r = snapshot_load(c, s, env, now, SNAPSHOT_TEST_ENDED | SNAPSHOT_MATCH_IDENTITY, &x.snap, err);
	if (r < 0 && x.snap.failed) {
		struct wg_err why = *err;

		return wg_err_set(err, r, "cannot read the history of '%s': %s", x.snap.failed->name, why.msg);
	}
	if (r < 0)
		return r;
	x.drives = calloc(c->n_drives ? c->n_drives : 1, sizeof(*x.drives));
	x.jobs = calloc(c->n_jobs ? c->n_jobs : 1, sizeof(*x.jobs));
	if (!x.drives || !x.jobs)
		r = wg_err_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; r >= 0 && i < c->n_drives; i++) {
		x.drives[i].x = &x.snap.drives[i];
		disk_label(env, &c->drives[i], x.drives[i].disk, sizeof(x.drives[i].disk));
	}
	if (r >= 0)
		r = jobs_load(&x, err);
	if (r >= 0) {
		f = open_memstream(&buf, &len);
		if (!f) {
			r = wg_err_set(err, -ENOMEM, "out of memory");
		} else {
			print_attrs(f, x.drives, c->n_drives);
			print_devices(f, x.drives, c->n_drives);
			print_states(f, x.drives, c->n_drives);
			print_self_tests(f, x.drives, c->n_drives);
			print_jobs(f, &x);
			if (fclose(f) != 0)
				r = wg_err_set(err, -ENOMEM, "out of memory");
		}
	}
	for (size_t i = 0; x.jobs && i < c->n_jobs; i++)
		free(x.jobs[i].written);
	free(x.drives);
	free(x.jobs);
	snapshot_release(&x.snap);
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

int export_write(const struct config *c, struct store *s, const struct blockdev_env *env, int64_t now,
		 const char *path, struct wg_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	int r = export_build(c, s, env, now, &buf, &len, err);

	if (r < 0)
		return r;
	r = wg_write_file_atomic(path, buf, len, 0644);
	free(buf);
	if (r < 0)
		return wg_err_set(err, r, "cannot write '%s': %s", path, strerror(-r));
	return 0;
}
