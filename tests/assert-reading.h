/* assert-reading.h — cmocka check that two readings are the same reading (include after cmocka.h) */
#ifndef WEARGATE_TESTS_ASSERT_READING_H
#define WEARGATE_TESTS_ASSERT_READING_H

#include "smart.h"

/* Field by field: bytes after a string's NUL are not part of a reading. */
static inline void assert_reading_equal(const struct smart_reading *a, const struct smart_reading *b)
{
	assert_int_equal(a->status, b->status);
	assert_string_equal(a->reason, b->reason);
	assert_int_equal(a->identity_valid, b->identity_valid);
	assert_string_equal(a->identity.model, b->identity.model);
	assert_string_equal(a->identity.serial, b->identity.serial);
	assert_string_equal(a->identity.firmware, b->identity.firmware);
	assert_int_equal(a->identity.sectors, b->identity.sectors);
	assert_int_equal(a->identity.rotation, b->identity.rotation);
	assert_int_equal(a->smart_ok, b->smart_ok);
	assert_int_equal(a->self_test, b->self_test);
	assert_string_equal(a->access, b->access);
	assert_int_equal(a->n_attrs, b->n_attrs);
	for (unsigned i = 0; i < a->n_attrs; i++) {
		const struct smart_attr *x = &a->attrs[i], *y = &b->attrs[i];

		assert_int_equal(x->id, y->id);
		assert_int_equal(x->flags, y->flags);
		assert_int_equal(x->current, y->current);
		assert_int_equal(x->worst, y->worst);
		assert_int_equal(x->threshold, y->threshold);
		assert_int_equal(x->threshold_valid, y->threshold_valid);
		assert_memory_equal(x->raw, y->raw, sizeof(x->raw));
		assert_int_equal(x->reserved, y->reserved);
	}
}

#endif
