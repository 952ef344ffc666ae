/* blob-builder.h — SMART blobs built in memory for tests, laid out as a drive writes them */
#ifndef WEARGATE_TESTS_BLOB_BUILDER_H
#define WEARGATE_TESTS_BLOB_BUILDER_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "attrs.h"
#include "blob.h"
#include "smart.h"

/* A drive with SMART that passes its self-assessment; both SMART pages, no attributes yet. */
static inline void bb_init(struct blob *b, const char *model, const char *serial, uint64_t sectors)
{
	memset(b, 0, sizeof(*b));
	identify_set_string(b->identify, IDENTIFY_MODEL, model);
	identify_set_string(b->identify, IDENTIFY_SERIAL, serial);
	identify_set_string(b->identify, IDENTIFY_FIRMWARE, "FW1");
	identify_set_sectors(b->identify, sectors);
	identify_set_smart(b->identify, true);
	b->has_status = true;
	b->status = 1;
	b->has_data = true;
	b->has_thresholds = true;
}

/* Add or replace an attribute; threshold < 0 leaves it without a threshold entry. */
static inline void bb_attr(struct blob *b, uint8_t id, uint16_t flags, uint8_t current, uint8_t worst,
			   int threshold, uint64_t raw)
{
	struct ata_attr_entry e = { .id = id, .flags = flags, .current = current, .worst = worst };

	attr_set_raw48(e.raw, raw);
	assert_int_equal(blob_put_attr(b, &e, threshold), 0);
}

/* The healthy hard disk of reading-builder.h's rb_healthy_hdd, as a blob. */
static inline void bb_healthy_hdd(struct blob *b, const char *serial)
{
	bb_init(b, "WDC WD5000AAKS-00TMA0", serial, 976773168);
	bb_attr(b, 1, 0x000f, 200, 200, 51, 0);
	bb_attr(b, 3, 0x0003, 174, 172, 21, 4266);
	bb_attr(b, 5, 0x0033, 200, 200, 140, 0);
	bb_attr(b, 9, 0x0032, 85, 85, 0, 11000);
	bb_attr(b, 10, 0x0013, 100, 100, 51, 0);
	bb_attr(b, 12, 0x0032, 100, 100, 0, 56);
	bb_attr(b, 194, 0x0022, 110, 95, 0, 40);
	bb_attr(b, 196, 0x0032, 200, 200, 0, 0);
	bb_attr(b, 197, 0x0032, 200, 200, 0, 0);
	bb_attr(b, 198, 0x0030, 200, 200, 0, 0);
	bb_attr(b, 199, 0x0032, 200, 200, 0, 0);
}

/* The blob's bytes, malloc'd. */
static inline uint8_t *bb_serialize(const struct blob *b, size_t *ret_len)
{
	uint8_t *buf = NULL;

	assert_int_equal(blob_serialize(b, &buf, ret_len), 0);
	return buf;
}

static inline void bb_read(const struct blob *b, struct smart_reading *ret)
{
	size_t len;
	uint8_t *buf = bb_serialize(b, &len);

	smart_read_blob(buf, len, ret);
	free(buf);
}

#endif
