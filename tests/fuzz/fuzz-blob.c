/* fuzz-blob.c — a saved SMART reading as weargate reads it: the blob's records, the pages' checksums, the attributes */
#include <string.h>

#include "attrs.h"
#include "blob.h"
#include "fuzz.h"
#include "smart.h"

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static void check_reading(const struct smart_reading *r)
{
	struct smart_derived d;
	char name[32], shown[64];

	FUZZ_CHECK(r->status < _READING_STATUS_MAX);
	FUZZ_CHECK(r->n_attrs <= SMART_MAX_ATTRS);
	FUZZ_CHECK(terminated(r->reason, sizeof(r->reason)));
	FUZZ_CHECK(terminated(r->identity.model, sizeof(r->identity.model)));
	FUZZ_CHECK(terminated(r->identity.serial, sizeof(r->identity.serial)));
	FUZZ_CHECK(terminated(r->identity.firmware, sizeof(r->identity.firmware)));
	/* a usable reading says nothing about why; any other says why not */
	FUZZ_CHECK((r->status == READING_OK) == (r->reason[0] == '\0'));
	if (r->status != READING_OK)
		return;
	FUZZ_CHECK(r->identity_valid && r->identity.model[0]);
	FUZZ_CHECK(r->n_attrs > 0);
	FUZZ_CHECK(r->smart_ok >= -1 && r->smart_ok <= 1);
	for (unsigned i = 0; i < r->n_attrs; i++) {
		FUZZ_CHECK(r->attrs[i].id != 0);
		/* the lookup finds the first entry of an id, as smartctl reads an id listed twice */
		FUZZ_CHECK(smart_reading_attr(r, r->attrs[i].id) <= &r->attrs[i]);
		FUZZ_CHECK(smart_reading_attr(r, r->attrs[i].id)->id == r->attrs[i].id);
		FUZZ_CHECK(attr_name(r->attrs[i].id, name, sizeof(name)) != NULL);
		FUZZ_CHECK(attr_kind(r->attrs[i].id) <= ATTR_CONTEXT);
		FUZZ_CHECK(attrs_meaning(r, r->attrs[i].id) < _ATTR_MEANS_MAX);
		attr_format_value(&r->attrs[i], attrs_def(r, r->attrs[i].id), shown, sizeof(shown));
		FUZZ_CHECK(strlen(shown) < sizeof(shown) - 1);
	}
	attrs_derive(r, &d);
	/* sector counts use the low 32 bits at most; unknown is -1, never another negative */
	FUZZ_CHECK(d.reallocated >= -1 && d.reallocated <= UINT32_MAX);
	FUZZ_CHECK(d.reallocation_events >= -1 && d.reallocation_events <= UINT32_MAX);
	FUZZ_CHECK(d.pending >= -1 && d.pending <= UINT32_MAX);
	FUZZ_CHECK(d.offline_uncorrectable >= -1 && d.offline_uncorrectable <= UINT32_MAX);
	FUZZ_CHECK(d.reported_uncorrectable >= -1 && d.reported_uncorrectable <= UINT32_MAX);
	FUZZ_CHECK(d.spin_retry >= -1 && d.spin_retry <= UINT32_MAX);
	FUZZ_CHECK(d.command_timeout >= -1);
	FUZZ_CHECK(d.crc_errors >= -1);
	FUZZ_CHECK(d.temperature_c >= -1);
	FUZZ_CHECK(d.power_on_hours >= -1);
	FUZZ_CHECK(d.power_cycles >= -1);
	FUZZ_CHECK(d.ssd_wear_value >= -1 && d.ssd_wear_value <= 100);
	FUZZ_CHECK(d.ssd_wear_threshold >= -1 && d.ssd_wear_threshold <= 255);
	if (r->identity.sectors > 0 && d.pending >= 0)
		FUZZ_CHECK((uint64_t)d.pending <= r->identity.sectors);
}

static bool blob_equal(const struct blob *a, const struct blob *b)
{
	return a->has_status == b->has_status && a->has_data == b->has_data &&
	       a->has_thresholds == b->has_thresholds && memcmp(a->identify, b->identify, ATA_PAGE) == 0 &&
	       (!a->has_status || a->status == b->status) && (!a->has_data || memcmp(a->data, b->data, ATA_PAGE) == 0) &&
	       (!a->has_thresholds || memcmp(a->thresholds, b->thresholds, ATA_PAGE) == 0);
}

/* What blob_parse() accepts, blob_serialize() writes back in a form that parses to the same pages. */
static void check_round_trip(const uint8_t *data, size_t size)
{
	struct blob *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct wg_err err = { "" };
	uint8_t *buf = NULL;
	size_t len = 0;

	FUZZ_CHECK(a && b);
	if (blob_parse(data, size, a, &err) < 0) {
		FUZZ_CHECK(err.msg[0] != '\0');
		goto out;
	}
	FUZZ_CHECK(blob_serialize(a, &buf, &len) == 0);
	FUZZ_CHECK(len <= size); /* records it skipped are dropped, nothing else */
	FUZZ_CHECK(blob_parse(buf, len, b, NULL) == 0);
	FUZZ_CHECK(blob_equal(a, b));
	if (a->has_data)
		for (unsigned slot = 0; slot < SMART_PAGE_ENTRIES; slot++) {
			struct ata_attr_entry e;

			smart_page_get(a->data, slot, &e);
			if (e.id)
				FUZZ_CHECK(smart_page_find(a->data, e.id) >= 0);
		}
	(void)identify_sectors(a->identify);
out:
	free(buf);
	free(a);
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smart_reading r;

	smart_read_blob(data, size, &r);
	check_reading(&r);
	check_round_trip(data, size);
	return 0;
}
