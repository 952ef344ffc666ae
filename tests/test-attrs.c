/* test-attrs.c — names, kinds and derived values, unknown never becoming 0 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "attrs.h"
#include "reading-builder.h"

static void test_names(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(attr_name(5, buf, sizeof(buf)), "reallocated_sector_ct");
	assert_string_equal(attr_name(197, buf, sizeof(buf)), "current_pending_sector");
	assert_string_equal(attr_name(123, buf, sizeof(buf)), "attribute_123");
	assert_int_equal(attr_id_from_name("offline_uncorrectable"), 198);
	assert_int_equal(attr_id_from_name("no_such_thing"), -ENOENT);
	assert_int_equal(attr_kind(5), ATTR_MEDIA);
	assert_int_equal(attr_kind(199), ATTR_INTERFACE);
	assert_int_equal(attr_kind(188), ATTR_NOISY);
	assert_int_equal(attr_kind(233), ATTR_SSD_WEAR);
	assert_int_equal(attr_kind(194), ATTR_CONTEXT);
	assert_int_equal(attr_kind(250), ATTR_OTHER);
}

static void test_raw48(void **state)
{
	const uint8_t raw[6] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06 };

	(void)state;
	assert_int_equal(attr_raw48(raw), 0x060504030201ULL);
}

static void test_derive_healthy(void **state)
{
	struct smart_reading r;
	struct smart_derived d;

	(void)state;
	rb_healthy_hdd(&r, "S1");
	attrs_derive(&r, &d);
	assert_int_equal(d.reallocated, 0);
	assert_int_equal(d.pending, 0);
	assert_int_equal(d.offline_uncorrectable, 0);
	assert_int_equal(d.reallocation_events, 0);
	assert_int_equal(d.spin_retry, 0);
	assert_int_equal(d.reported_uncorrectable, ATTR_UNKNOWN); /* 187 absent: unknown, not 0 */
	assert_int_equal(d.command_timeout, ATTR_UNKNOWN);
	assert_int_equal(d.temperature_c, 40);
	assert_int_equal(d.power_on_hours, 11000);
	assert_int_equal(d.power_cycles, 56);
	assert_int_equal(d.ssd_wear_value, ATTR_UNKNOWN);
}

static void test_vendor_high_bytes(void **state)
{
	struct smart_reading r;
	struct smart_derived d;

	(void)state;
	rb_healthy_hdd(&r, "S1");
	/* Fujitsu packs other data above the low 32 bits of 5 (raw 0x00000000d007 reads 0x07d0_0000_0000). */
	rb_attr(&r, 5, 0x0033, 100, 100, 24, 0x07d000000000ULL);
	/* Temperature with min/max in the high bytes. */
	rb_attr(&r, 194, 0x0022, 100, 100, 0, 0x0036000f001cULL);
	attrs_derive(&r, &d);
	assert_int_equal(d.reallocated, 0);
	assert_int_equal(d.temperature_c, 28);
}

static void test_implausible_counts(void **state)
{
	struct smart_reading r;
	struct smart_derived d;

	(void)state;
	rb_healthy_hdd(&r, "S1");
	r.identity.sectors = 234441648;
	rb_attr(&r, 196, 0x0032, 100, 100, 0, 0x1b650000); /* 459603968 > sectors */
	rb_attr(&r, 197, 0x0032, 100, 100, 0, 0xffffffff);  /* all ones */
	rb_attr(&r, 5, 0x0033, 100, 100, 24, 12);
	attrs_derive(&r, &d);
	assert_int_equal(d.reallocation_events, ATTR_UNKNOWN);
	assert_int_equal(d.pending, ATTR_UNKNOWN);
	assert_int_equal(d.reallocated, 12);
	/* Capacity unknown: only all-ones is implausible. */
	r.identity.sectors = 0;
	attrs_derive(&r, &d);
	assert_int_equal(d.reallocation_events, 0x1b650000);
	/* reallocation events without a reallocated sector contradict 5 (ST9100821AS: 2097 with 5 at 0) */
	rb_attr(&r, 5, 0x0033, 100, 100, 24, 0);
	rb_attr(&r, 196, 0x0032, 100, 100, 0, 0x5a9700000831ULL);
	attrs_derive(&r, &d);
	assert_int_equal(d.reallocated, 0);
	assert_int_equal(d.reallocation_events, ATTR_UNKNOWN);
	rb_attr(&r, 196, 0x0032, 100, 100, 0, 0);
	attrs_derive(&r, &d);
	assert_int_equal(d.reallocation_events, 0);
	assert_int_equal(d.pending, ATTR_UNKNOWN);
}

static void test_opaque_encoding(void **state)
{
	struct smart_reading r;
	struct smart_derived d;

	(void)state;
	rb_healthy_hdd(&r, "S1");
	rb_attr(&r, 5, 0x0033, 100, 100, 10, 2379776);
	rb_attr(&r, 194, 0x0022, 100, 100, 0, 40);
	attrs_derive(&r, &d);
	assert_int_equal(d.reallocated, 2379776);
	/* the model's quirk: nobody knows how it encodes 5 and 194 */
	r.identity.n_opaque = 2;
	r.identity.opaque[0] = 5;
	r.identity.opaque[1] = 194;
	attrs_derive(&r, &d);
	assert_int_equal(d.reallocated, ATTR_UNKNOWN);
	assert_int_equal(d.temperature_c, ATTR_UNKNOWN);
	assert_int_equal(d.pending, 0);
}

static void test_power_on_units(void **state)
{
	struct smart_reading r;
	struct smart_derived d;

	(void)state;
	rb_healthy_hdd(&r, "S1");
	rb_attr(&r, 9, 0x0032, 248, 248, 0, 0x01d8b9); /* Maxtor: 121017 minutes */
	r.identity.poh_units_per_hour = 60;
	attrs_derive(&r, &d);
	assert_int_equal(d.power_on_hours, 2016);
	r.identity.poh_units_per_hour = 0; /* encoding not known */
	attrs_derive(&r, &d);
	assert_int_equal(d.power_on_hours, ATTR_UNKNOWN);
	r.identity.poh_units_per_hour = 1;
	rb_attr(&r, 9, 0x0032, 85, 85, 0, 0x05c715); /* 378645 "hours": 43 years, not a fact */
	attrs_derive(&r, &d);
	assert_int_equal(d.power_on_hours, ATTR_UNKNOWN);
}

static void test_temperature(void **state)
{
	struct smart_reading r;
	struct smart_derived d;

	(void)state;
	rb_init(&r, "M", "S");
	attrs_derive(&r, &d);
	assert_int_equal(d.temperature_c, ATTR_UNKNOWN);
	rb_attr(&r, 190, 0x0022, 60, 50, 45, 0x2a0f001e); /* airflow 30 C */
	attrs_derive(&r, &d);
	assert_int_equal(d.temperature_c, 30);
	rb_attr(&r, 194, 0x0022, 60, 50, 0, 315); /* 31.5 C in tenths */
	r.identity.temp_divisor = 10;
	attrs_derive(&r, &d);
	assert_int_equal(d.temperature_c, 31);
	r.identity.temp_divisor = 1;
	rb_attr(&r, 194, 0x0022, 60, 50, 0, 0); /* 0 C is not a temperature a drive reports: fall back to 190 */
	attrs_derive(&r, &d);
	assert_int_equal(d.temperature_c, 30);
}

static void test_ssd_wear(void **state)
{
	struct smart_reading r;
	struct smart_derived d;

	(void)state;
	rb_init(&r, "INTEL SSDSA2CW120G3", "S");
	rb_attr(&r, 233, 0x0032, 97, 97, 0, 0);
	rb_attr(&r, 177, 0x0013, 90, 90, 5, 0);
	attrs_derive(&r, &d);
	assert_int_equal(d.ssd_wear_value, 90);
	assert_int_equal(d.ssd_wear_threshold, 5);
	/* On a spinning drive 202 is something else. */
	rb_init(&r, "Maxtor 96147H8", "S");
	rb_attr(&r, 3, 0x0027, 196, 191, 63, 0);
	rb_attr(&r, 202, 0x000a, 3, 3, 0, 0);
	attrs_derive(&r, &d);
	assert_int_equal(d.ssd_wear_value, ATTR_UNKNOWN);
}

static void test_unusable_is_unknown(void **state)
{
	struct smart_reading r;
	struct smart_derived d;

	(void)state;
	rb_healthy_hdd(&r, "S1");
	r.status = READING_STANDBY;
	attrs_derive(&r, &d);
	assert_int_equal(d.reallocated, ATTR_UNKNOWN);
	assert_int_equal(d.pending, ATTR_UNKNOWN);
	assert_int_equal(d.temperature_c, ATTR_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),          cmocka_unit_test(test_raw48),
		cmocka_unit_test(test_derive_healthy), cmocka_unit_test(test_vendor_high_bytes),
		cmocka_unit_test(test_implausible_counts), cmocka_unit_test(test_power_on_units),
		cmocka_unit_test(test_temperature),    cmocka_unit_test(test_ssd_wear),
		cmocka_unit_test(test_unusable_is_unknown), cmocka_unit_test(test_opaque_encoding),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
