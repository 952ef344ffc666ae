/* bench-decode.c — decoding one reading: the SMART pages read by weargate, against libatasmart's attribute parser */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <stddef.h> /* atasmart.h uses size_t without including it */
#include <atasmart.h>

#include "attrs.h"
#include "blob.h"
#include "drivedb.h"
#include "health.h"

#define TARGET_MS 0.2
#define ROUNDS 20000
#define ATASMART_ROUNDS 50

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void put(struct blob *b, uint8_t id, uint16_t flags, uint8_t value, int threshold, uint64_t raw)
{
	struct ata_attr_entry e = { .id = id, .flags = flags, .current = value, .worst = value };

	attr_set_raw48(e.raw, raw);
	blob_put_attr(b, &e, threshold);
}

/* A hard disk with the 20-odd attributes drives report, thresholds and status: a full blob. */
static void make_blob(struct blob *b)
{
	static const uint8_t ids[] = { 1, 3, 4, 5, 7, 9, 10, 12, 184, 187, 188, 189, 190, 191, 192, 193, 194, 195,
				       196, 197, 198, 199, 240, 241, 242 };

	memset(b, 0, sizeof(*b));
	identify_set_string(b->identify, IDENTIFY_MODEL, "ST10000NM0016-1TT101");
	identify_set_string(b->identify, IDENTIFY_SERIAL, "ZA2BENCH");
	identify_set_string(b->identify, IDENTIFY_FIRMWARE, "SNE0");
	identify_set_sectors(b->identify, 19532873728ULL);
	identify_set_rotation(b->identify, 7200);
	identify_set_smart(b->identify, true);
	b->has_status = true;
	b->status = 1;
	for (size_t i = 0; i < sizeof(ids); i++)
		put(b, ids[i], 0x0032, 100, ids[i] == 5 ? 10 : 0,
		    ids[i] == 194 ? 193274839077ULL : ids[i] == 5 ? (1225ULL << 16 | 11112) : 1000ULL + ids[i]);
}

static void ignore(SkDisk *d, const SkSmartAttributeParsedData *a, void *userdata)
{
	(void)d;
	(void)a;
	(void)userdata;
}

int main(void)
{
	struct drivedb_match *m = calloc(1, sizeof(*m));
	struct wg_err err = { "" };
	struct drivedb *db = NULL;
	struct smart_reading r;
	struct smart_derived d;
	volatile int64_t sink = 0;
	uint8_t *buf = NULL;
	double t, ms, atasmart_ms = -1;
	size_t len;
	struct blob b;

	make_blob(&b);
	if (!m || blob_serialize(&b, &buf, &len) < 0)
		return 1;
	/* the definitions as a drive's match makes them: from the installed database when there is one */
	if (drivedb_load(DRIVEDB_PACKAGE_PATH, &db, &err) == 0)
		drivedb_match(db, "ST10000NM0016-1TT101", "SNE0", m);
	t = now_ms();
	for (int i = 0; i < ROUNDS; i++) {
		smart_read_blob(buf, len, &r);
		r.defs = drivedb_defs(m->defaults, m->presets);
		attrs_derive(&r, &d);
		sink += d.reallocated + d.temperature_c + (health_failing_attr(&r) != NULL);
		for (unsigned k = 0; k < r.n_attrs; k++) {
			int64_t v;

			if (attr_decode(&r.attrs[k], attrs_def(&r, r.attrs[k].id), &v) == 0)
				sink += v;
		}
	}
	ms = (now_ms() - t) / ROUNDS;
	if (r.status != READING_OK || d.reallocated != 11112 || d.temperature_c != 37) {
		fprintf(stderr, "decode-speed: the reading decodes wrong (%s, reallocated %lld, %lld C)\n", r.reason,
			(long long)d.reallocated, (long long)d.temperature_c);
		return 1;
	}
	/* what each reading cost before: libatasmart's parser, which compiles its quirk expressions per attribute */
	{
		SkDisk *sk = NULL;

		if (sk_disk_open(NULL, &sk) == 0 && sk_disk_set_blob(sk, buf, len) == 0) {
			t = now_ms();
			for (int i = 0; i < ATASMART_ROUNDS; i++)
				sk_disk_smart_parse_attributes(sk, ignore, NULL);
			atasmart_ms = (now_ms() - t) / ATASMART_ROUNDS;
		}
		sk_disk_free(sk);
	}
	printf("decode-speed: one reading of %u attributes (%s: %s), decoded and judged: %.4f ms (target <= %.1f ms)\n",
	       r.n_attrs, db ? "drive database" : "smartctl's defaults", m->family[0] ? m->family : "no entry", ms,
	       TARGET_MS);
	if (atasmart_ms >= 0)
		printf("decode-speed: libatasmart's sk_disk_smart_parse_attributes on the same blob: %.3f ms\n", atasmart_ms);
	drivedb_free(db);
	free(buf);
	free(m);
	return ms <= TARGET_MS ? 0 : 1;
}
