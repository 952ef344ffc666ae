/* reading-builder.h — build smart_reading values in tests without a drive or a blob */
#ifndef WEARGATE_TESTS_READING_BUILDER_H
#define WEARGATE_TESTS_READING_BUILDER_H

#include <stdio.h>
#include <string.h>

#include "smart.h"

static inline void rb_init(struct smart_reading *r, const char *model, const char *serial)
{
	memset(r, 0, sizeof(*r));
	r->status = READING_OK;
	r->identity_valid = true;
	snprintf(r->identity.model, sizeof(r->identity.model), "%s", model);
	snprintf(r->identity.serial, sizeof(r->identity.serial), "%s", serial);
	snprintf(r->identity.firmware, sizeof(r->identity.firmware), "FW1");
	r->identity.sectors = 976773168;
	r->smart_ok = 1;
	r->self_test = 0;
	snprintf(r->access, sizeof(r->access), "blob");
}

/* Add (or replace) an attribute; flags bit 0 = prefailure. */
static inline struct smart_attr *rb_attr(struct smart_reading *r, uint8_t id, uint16_t flags, uint8_t current,
					 uint8_t worst, int threshold, uint64_t raw)
{
	struct smart_attr *a = NULL;

	for (unsigned i = 0; i < r->n_attrs; i++)
		if (r->attrs[i].id == id)
			a = &r->attrs[i];
	if (!a)
		a = &r->attrs[r->n_attrs++];
	a->id = id;
	a->flags = flags;
	a->current = current;
	a->worst = worst;
	a->threshold_valid = threshold >= 0;
	a->threshold = threshold >= 0 ? (uint8_t)threshold : 0;
	for (int i = 0; i < 6; i++)
		a->raw[i] = (uint8_t)(raw >> (8 * i));
	return a;
}

/* A healthy hard disk with the attributes weargate looks at. */
static inline void rb_healthy_hdd(struct smart_reading *r, const char *serial)
{
	rb_init(r, "WDC WD5000AAKS-00TMA0", serial);
	rb_attr(r, 1, 0x000f, 200, 200, 51, 0);
	rb_attr(r, 3, 0x0003, 174, 172, 21, 4266);
	rb_attr(r, 5, 0x0033, 200, 200, 140, 0);
	rb_attr(r, 9, 0x0032, 85, 85, 0, 11000);
	rb_attr(r, 10, 0x0013, 100, 100, 51, 0);
	rb_attr(r, 12, 0x0032, 100, 100, 0, 56);
	rb_attr(r, 194, 0x0022, 110, 95, 0, 40);
	rb_attr(r, 196, 0x0032, 200, 200, 0, 0);
	rb_attr(r, 197, 0x0032, 200, 200, 0, 0);
	rb_attr(r, 198, 0x0030, 200, 200, 0, 0);
	rb_attr(r, 199, 0x0032, 200, 200, 0, 0);
}

#endif
