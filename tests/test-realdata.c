/* test-realdata.c — real drives' smartctl reports, rebuilt as blobs: weargate reads them as smartctl did */
/*
 * Usage: test-realdata MANIFEST [DRIVEDB]
 *
 * MANIFEST is what tests/smartctl2blob.py --tree writes: per report, its blob and what smartctl
 * printed of it. DRIVEDB (default: smartmontools' own) is the drive database weargate reads.
 * Checked for every report:
 *   - the decoded value of 5, 9, 187, 194, 196, 197 and 198 equals the first number smartctl
 *     printed, wherever the printed form rebuilds the bytes exactly (ambiguous forms are counted
 *     apart), the two drive databases being the same where that counts (see below);
 *   - the state weargate gives the reading is the state the report's own data supports
 *     (expected_state()), and every FAILED drive is failing;
 *   - the reading is usable, whatever the firmware repeats or packs.
 * A report was printed by some smartctl with its own drive database, and weargate reads the
 * installed one: where they name an attribute differently (an entry added, changed or split
 * between the two versions) neither the value nor the state can be held against weargate, and
 * such differences are counted and listed, not failed. The figures (agreement, states per
 * family) go to standard output.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attrs.h"
#include "drivedb.h"
#include "health.h"
#include "smart.h"

#define MAX_REPORTS 2048

struct rattr {
	int id;
	char name[64];
	unsigned flags;
	int value, worst, thresh;
	char when_failed[16];
	long long first;
	bool has_first;
	char rebuild[12];
	char raw[96];
};

struct report {
	char blob[512], path[512], model[48], firmware[16], family[128];
	int passed, endurance_used, rotation;
	char kind[8];
	struct rattr attrs[30];
	unsigned n;
};

static int split(char *line, char **f, int max)
{
	int n = 0;

	for (char *p = line; n < max;) {
		f[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	return n;
}

static int load_manifest(const char *path, struct report *reps, size_t *ret_n)
{
	FILE *f = fopen(path, "re");
	char line[4096];
	size_t n = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *fl[12];
		int k;

		line[strcspn(line, "\n")] = '\0';
		k = split(line, fl, 12);
		if (k == 10 && strcmp(fl[0], "R") == 0 && n < MAX_REPORTS) {
			struct report *r = &reps[n++];

			memset(r, 0, sizeof(*r));
			snprintf(r->blob, sizeof(r->blob), "%s", fl[1]);
			snprintf(r->path, sizeof(r->path), "%s", fl[2]);
			snprintf(r->model, sizeof(r->model), "%s", fl[3]);
			snprintf(r->firmware, sizeof(r->firmware), "%s", fl[4]);
			snprintf(r->family, sizeof(r->family), "%s", fl[5]);
			r->passed = atoi(fl[6]);
			r->endurance_used = atoi(fl[7]);
			r->rotation = atoi(fl[8]);
			snprintf(r->kind, sizeof(r->kind), "%s", fl[9]);
		} else if (k == 11 && strcmp(fl[0], "A") == 0 && n > 0 && reps[n - 1].n < 30) {
			struct rattr *a = &reps[n - 1].attrs[reps[n - 1].n++];

			a->id = atoi(fl[1]);
			snprintf(a->name, sizeof(a->name), "%s", fl[2]);
			a->flags = (unsigned)atoi(fl[3]);
			a->value = atoi(fl[4]);
			a->worst = atoi(fl[5]);
			a->thresh = atoi(fl[6]);
			snprintf(a->when_failed, sizeof(a->when_failed), "%s", fl[7]);
			a->has_first = fl[8][0] != '\0';
			a->first = a->has_first ? strtoll(fl[8], NULL, 10) : 0;
			snprintf(a->rebuild, sizeof(a->rebuild), "%s", fl[9]);
			snprintf(a->raw, sizeof(a->raw), "%s", fl[10]);
		} else {
			fclose(f);
			return -EBADMSG;
		}
	}
	fclose(f);
	*ret_n = n;
	return 0;
}

static const struct rattr *rattr(const struct report *r, int id)
{
	for (unsigned i = 0; i < r->n; i++)
		if (r->attrs[i].id == id)
			return &r->attrs[i];
	return NULL;
}

/* smartctl's count, when its name (the report's drive database) says it is that count: else -1. */
static long long named_count(const struct report *r, int id, const char *const *names)
{
	const struct rattr *a = rattr(r, id);

	if (!a || !a->has_first)
		return -1;
	for (size_t i = 0; names[i]; i++)
		if (strcmp(a->name, names[i]) == 0)
			return a->first;
	return -1;
}

static bool temperature_name(const char *n)
{
	return strstr(n, "Temperature") || strstr(n, "Temp_") || strstr(n, "_Temp");
}

/* The device statistics' figure; 255 is what SandForce firmware reports on new drives too: not a figure. */
static int endurance_used(const struct report *r)
{
	return r->endurance_used >= 0 && r->endurance_used < 255 ? r->endurance_used : -1;
}

/*
 * The state the report's own data supports, read from what smartctl printed (its names, its
 * decoded values, its FAIL column) with DESIGN.md's rules for a single reading: failing when
 * the self-assessment failed or a prefailure attribute (not a temperature) fails now;
 * degrading with pending or offline uncorrectable sectors; worn with reallocated sectors,
 * reallocation events, reported uncorrectable errors or spin retries, or an endurance log that
 * says 90 % of the rated life is used; else ok. Counts above the drive's size are no counts.
 */
static enum health_state expected_state(const struct report *r, uint64_t sectors)
{
	static const char *const realloc_names[] = { "Reallocated_Sector_Ct", "Retired_Block_Count",
						     "Reallocated_Block_Count", "Reallocate_NAND_Blk_Cnt", NULL };
	static const char *const events[] = { "Reallocated_Event_Count", NULL };
	static const char *const pending[] = { "Current_Pending_Sector", "Pending_Sector_Count", NULL };
	static const char *const offline[] = { "Offline_Uncorrectable", "Offline_Scan_UNC_SectCt", NULL };
	static const char *const reported[] = { "Reported_Uncorrect", "Uncorrectable_Error_Cnt", NULL };
	static const char *const spin[] = { "Spin_Retry_Count", NULL };
	long long v;

	if (r->passed == 0)
		return HEALTH_FAILING;
	for (unsigned i = 0; i < r->n; i++) {
		const struct rattr *a = &r->attrs[i];

		if ((a->flags & 1) && a->thresh > 0 && a->thresh < 254 && a->value >= 0 && a->value <= a->thresh &&
		    !temperature_name(a->name))
			return HEALTH_FAILING;
	}
	v = named_count(r, 197, pending);
	if (v > 0 && (!sectors || (unsigned long long)v <= sectors))
		return HEALTH_DEGRADING;
	v = named_count(r, 198, offline);
	if (v > 0 && (!sectors || (unsigned long long)v <= sectors))
		return HEALTH_DEGRADING;
	{
		long long re = named_count(r, 5, realloc_names), ev = named_count(r, 196, events);
		long long counts[] = { re, re == 0 ? -1 : ev, named_count(r, 187, reported), named_count(r, 10, spin) };

		for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
			if (counts[i] > 0 && counts[i] < (long long)UINT32_MAX &&
			    (!sectors || (unsigned long long)counts[i] <= sectors))
				return HEALTH_WORN;
	}
	if (endurance_used(r) >= 90)
		return HEALTH_WORN;
	return HEALTH_OK;
}

/*
 * weargate's state of a single reading, as the gate would judge a drive sampled once; with
 * wear false, SSD wear indicators are left out (for reports that give no endurance figure to
 * hold them against).
 */
static enum health_state weargate_state(const struct smart_reading *rd, bool wear, struct health_assessment *ret)
{
	struct health_now in = { .sampled = true, .latest_t = 1000000, .latest_status = rd->status };
	struct health_track tr;
	struct health_point pt;
	struct policy p;

	policy_defaults(&p);
	if (!wear)
		p.ssd_wear_low = -1;
	health_track_init(&tr);
	if (rd->status == READING_OK) {
		health_point_from_reading(rd, in.latest_t, &pt);
		in.latest_usable = &pt;
	} else {
		in.latest_reason = rd->reason;
	}
	if (health_track_add(&p, &tr, in.latest_t, in.latest_usable, NULL) < 0) {
		fprintf(stderr, "test-realdata: out of memory\n");
		exit(1);
	}
	health_assess(&p, &tr, &in, in.latest_t, ret);
	health_track_release(&tr);
	return ret->state;
}

/*
 * The families ../shared/realdata/README.md names, which a reader of raw values gets wrong
 * unless it knows them: their reports must get the state their data supports, whatever the
 * drive databases' versions. By model, as the README names them.
 */
static const char *const named_families[] = {
	"SA400S37", "SATADOM-SL 3SE", "SATADOM-MV 3SE", "SE50S", "SH103S", "SHFS37", "SKC300S", "SMS200S", "SV300S",
	"SVP200S", "ADATA SP900", "ADATA SX900", "SK hynix SC311", "M500", "M510DC", "MX500", "MTFDDAK128MAR",
	"HDS721010CLA63", "HTS725050A7E630", "ST10000NM0016", "ST8000NM0055", "ADATA SP580", "C400-MTFDDAC",
};

static bool named_family(const char *model)
{
	for (size_t i = 0; i < sizeof(named_families) / sizeof(named_families[0]); i++)
		if (strstr(model, named_families[i]))
			return true;
	return false;
}

/* Per family, what weargate said of its reports, for the closing figures. */
struct tally {
	char family[128];
	unsigned n, state[_HEALTH_STATE_MAX], agree;
};

static struct tally *tally_of(struct tally *t, size_t *n, const char *family)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(t[i].family, family) == 0)
			return &t[i];
	snprintf(t[*n].family, sizeof(t[*n].family), "%s", family);
	return &t[(*n)++];
}

/* The ids whose counts make a state (DESIGN.md's media counters). */
static bool counted_id(int id)
{
	return id == 5 || id == 10 || id == 187 || id == 196 || id == 197 || id == 198;
}

/* A --json report whose numbers and strings disagree: an edited fixture, not a reading. */
static bool inconsistent(const struct report *r)
{
	for (unsigned i = 0; i < r->n; i++)
		if (strcmp(r->attrs[i].rebuild, "inconsistent") == 0)
			return true;
	return false;
}

/* Every attribute the health model reads was rebuilt exactly: else the reading is not the drive's. */
static bool judgeable(const struct report *r, const struct smart_reading *rd)
{
	for (unsigned i = 0; i < r->n; i++) {
		int id = r->attrs[i].id;

		if (strcmp(r->attrs[i].rebuild, "exact") == 0)
			continue;
		if (counted_id(id) || attrs_meaning(rd, (uint8_t)id) == ATTR_MEANS_LIFE_LEFT)
			return false;
	}
	return true;
}

/* The drive database name of an attribute as the report printed it, against weargate's: do they agree? */
static bool same_name(const struct smart_reading *rd, const struct rattr *a)
{
	return strcmp(attrs_name(rd, (uint8_t)a->id), a->name) == 0;
}

int main(int argc, char **argv)
{
	static const int compared[] = { 5, 9, 187, 194, 196, 197, 198 };
	struct report *reps = calloc(MAX_REPORTS, sizeof(*reps));
	struct tally *tallies = calloc(MAX_REPORTS, sizeof(*tallies));
	const char *dbpath = argc > 2 ? argv[2] : DRIVEDB_PACKAGE_PATH;
	unsigned values = 0, agree = 0, ambiguous = 0, renamed = 0, failures = 0;
	unsigned states = 0, states_agree = 0, states_renamed = 0, failed_drives = 0, failed_failing = 0;
	unsigned healthy = 0, healthy_ok = 0, usable = 0, states_other = 0, skipped_inconsistent = 0, skipped_unrebuilt = 0;
	struct wg_err err = { "" };
	struct drivedb *db = NULL;
	size_t n = 0, n_tallies = 0;
	int r;

	if (argc < 2 || !reps || !tallies) {
		fprintf(stderr, "usage: test-realdata MANIFEST [DRIVEDB]\n");
		return 2;
	}
	r = load_manifest(argv[1], reps, &n);
	if (r < 0) {
		fprintf(stderr, "cannot read '%s': %s\n", argv[1], strerror(-r));
		return 1;
	}
	if (drivedb_load(dbpath, &db, &err) < 0) {
		printf("skipped: %s (the reports are read with smartmontools' drive database)\n", err.msg);
		return 77;
	}
	printf("%zu reports, drive database %s (%s)\n", n, dbpath, drivedb_version(db));
	for (size_t i = 0; i < n; i++) {
		const struct report *rep = &reps[i];
		struct drivedb_match m;
		struct smart_reading rd;
		struct health_assessment h;
		enum health_state want, got;
		bool names_differ = false;
		struct tally *t;

		smart_read_blob_file(rep->blob, &rd);
		if (rd.status != READING_OK) {
			printf("FAIL %s: %s: %s\n", rep->path, reading_status_to_string(rd.status), rd.reason);
			failures++;
			continue;
		}
		usable++;
		drivedb_match(db, rd.identity.model, rd.identity.firmware, &m);
		rd.defs = drivedb_defs(m.defaults, m.presets);
		for (size_t k = 0; k < sizeof(compared) / sizeof(compared[0]); k++) {
			const struct rattr *a = rattr(rep, compared[k]);
			const struct smart_attr *sa = smart_reading_attr(&rd, (uint8_t)compared[k]);
			int64_t v;

			if (!a || !sa || !a->has_first || strcmp(a->rebuild, "inconsistent") == 0)
				continue;
			if (strcmp(a->rebuild, "exact") != 0) {
				ambiguous++;
				continue;
			}
			values++;
			if (attr_decode(sa, attrs_def(&rd, sa->id), &v) == 0 && v == a->first) {
				agree++;
				continue;
			}
			if (!same_name(&rd, a)) {
				renamed++;
				printf("renamed %s: %d is \"%s\" to its smartctl, \"%s\" here: %lld, smartctl %s\n", rep->path,
				       a->id, a->name, attrs_name(&rd, sa->id), (long long)v, a->raw);
				continue;
			}
			printf("FAIL %s: attribute %d (%s, %s): weargate %lld, smartctl printed %s\n", rep->path, a->id,
			       attrs_name(&rd, sa->id), attr_format_to_string(attrs_def(&rd, sa->id)->format), (long long)v,
			       a->raw);
			failures++;
		}
		if (inconsistent(rep)) {
			skipped_inconsistent++;
			continue;
		}
		if (!judgeable(rep, &rd)) {
			skipped_unrebuilt++;
			continue;
		}
		/* wear is held against the device statistics' endurance figure, where the report has one */
		want = expected_state(rep, rd.identity.sectors);
		got = weargate_state(&rd, endurance_used(rep) >= 0, &h);
		states++;
		for (unsigned k = 0; k < rep->n; k++)
			names_differ |= counted_id(rep->attrs[k].id) && !same_name(&rd, &rep->attrs[k]);
		if (rep->passed == 0) {
			failed_drives++;
			if (got == HEALTH_FAILING)
				failed_failing++;
			else {
				printf("FAIL %s: self-assessment FAILED, weargate says %s\n", rep->path, health_state_to_string(got));
				failures++;
			}
		}
		if (want == HEALTH_OK) {
			healthy++;
			healthy_ok += got == HEALTH_OK;
		}
		if (got == want) {
			states_agree++;
		} else if (names_differ) {
			states_renamed++;
			printf("renamed %s: %s here (%s), %s by its report's names\n", rep->path, health_state_to_string(got),
			       h.reason, health_state_to_string(want));
		} else if (want == HEALTH_OK || named_family(rep->model)) {
			printf("FAIL %s: %s (%s), the report's data says %s\n", rep->path, health_state_to_string(got), h.reason,
			       health_state_to_string(want));
			failures++;
		} else {
			states_other++;
			printf("differs %s: %s (%s), the report's data says %s\n", rep->path, health_state_to_string(got),
			       h.reason, health_state_to_string(want));
		}
		t = tally_of(tallies, &n_tallies, m.family[0] ? m.family : "(not in the drive database)");
		t->n++;
		t->state[got]++;
		t->agree += got == want;
	}
	printf("\nvalues of 5, 9, 187, 194, 196, 197, 198: %u of %u rebuilt exactly agree with smartctl; %u renamed "
	       "between the drive databases; %u printed in a form that does not rebuild\n",
	       agree, values, renamed, ambiguous);
	printf("states: %u of %u as the report's data supports; %u differ where the drive databases name attributes "
	       "differently, %u elsewhere (outside the README's families, not ok by the data); not judged: %u whose "
	       "counts do not rebuild, %u inconsistent\n",
	       states_agree, states, states_renamed, states_other, skipped_unrebuilt, skipped_inconsistent);
	printf("FAILED self-assessments: %u of %u failing; healthy reports: %u of %u ok; usable readings: %u of %zu\n",
	       failed_failing, failed_drives, healthy_ok, healthy, usable, n);
	printf("\nper family (weargate's drive database): reports, unknown/ok/worn/degrading/failing, agreeing\n");
	for (size_t i = 0; i < n_tallies; i++) {
		const struct tally *t = &tallies[i];

		printf("  %-60.60s %4u  %u/%u/%u/%u/%u  %u\n", t->family, t->n, t->state[HEALTH_UNKNOWN], t->state[HEALTH_OK],
		       t->state[HEALTH_WORN], t->state[HEALTH_DEGRADING], t->state[HEALTH_FAILING], t->agree);
	}
	drivedb_free(db);
	free(reps);
	free(tallies);
	if (failures) {
		printf("\n%u failures\n", failures);
		return 1;
	}
	return 0;
}
