/* test-health.c — the provisional state from one reading */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "health.h"
#include "reading-builder.h"

static enum health_state state_of(const struct smart_reading *r, char *reason)
{
	return health_from_reading(r, reason, 256);
}

static void test_ok(void **state)
{
	struct smart_reading r;
	char reason[256];

	(void)state;
	rb_healthy_hdd(&r, "S");
	assert_int_equal(state_of(&r, reason), HEALTH_OK);
	/* CRC errors are the cable, command timeouts are noise: neither is wear. */
	rb_attr(&r, 199, 0x0032, 200, 200, 0, 22047);
	rb_attr(&r, 188, 0x0032, 100, 100, 0, 5);
	assert_int_equal(state_of(&r, reason), HEALTH_OK);
	/* A missing status record is unknown, not failed. */
	r.smart_ok = -1;
	assert_int_equal(state_of(&r, reason), HEALTH_OK);
}

static void test_worn(void **state)
{
	struct smart_reading r;
	char reason[256];

	(void)state;
	rb_healthy_hdd(&r, "S");
	rb_attr(&r, 5, 0x0033, 199, 199, 140, 5);
	assert_int_equal(state_of(&r, reason), HEALTH_WORN);
	assert_string_equal(reason, "reallocated sectors 5");
	/* an unknown counter is no number to show */
	rb_attr(&r, 196, 0x0032, 100, 100, 0, 0xffffffff);
	rb_attr(&r, 187, 0x0032, 100, 100, 0, 2);
	assert_int_equal(state_of(&r, reason), HEALTH_WORN);
	assert_string_equal(reason, "reallocated sectors 5, reported uncorrectable 2");
	rb_init(&r, "SSD", "S");
	rb_attr(&r, 233, 0x0032, 8, 8, 0, 0);
	assert_int_equal(state_of(&r, reason), HEALTH_WORN);
	assert_non_null(strstr(reason, "SSD wear"));
}

static void test_degrading(void **state)
{
	struct smart_reading r;
	char reason[256];

	(void)state;
	rb_healthy_hdd(&r, "S");
	rb_attr(&r, 197, 0x0032, 200, 200, 0, 8);
	assert_int_equal(state_of(&r, reason), HEALTH_DEGRADING);
	assert_string_equal(reason, "pending sectors 8");
	rb_attr(&r, 197, 0x0032, 200, 200, 0, 0);
	rb_attr(&r, 198, 0x0030, 200, 200, 0, 1);
	assert_int_equal(state_of(&r, reason), HEALTH_DEGRADING);
	assert_string_equal(reason, "offline uncorrectable 1");
}

static void test_failing(void **state)
{
	struct smart_reading r;
	char reason[256];

	(void)state;
	rb_healthy_hdd(&r, "S");
	r.smart_ok = 0;
	assert_int_equal(state_of(&r, reason), HEALTH_FAILING);
	assert_non_null(strstr(reason, "self-assessment"));
	rb_healthy_hdd(&r, "S");
	rb_attr(&r, 5, 0x0033, 140, 140, 140, 1900); /* prefailure at its threshold */
	assert_int_equal(state_of(&r, reason), HEALTH_FAILING);
	assert_non_null(strstr(reason, "reallocated_sector_ct at 140, threshold 140"));
	/* An old-age attribute at its threshold does not mean imminent failure; threshold 0 never fails. */
	rb_healthy_hdd(&r, "S");
	rb_attr(&r, 194, 0x0022, 40, 40, 45, 60);
	rb_attr(&r, 1, 0x000f, 0, 0, 0, 0);
	assert_int_equal(state_of(&r, reason), HEALTH_OK);
}

static void test_unknown(void **state)
{
	struct smart_reading r;
	char reason[256];

	(void)state;
	rb_healthy_hdd(&r, "S");
	r.status = READING_UNUSABLE;
	snprintf(r.reason, sizeof(r.reason), "SMART data page checksum mismatch");
	assert_int_equal(state_of(&r, reason), HEALTH_UNKNOWN);
	assert_non_null(strstr(reason, "checksum"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok),      cmocka_unit_test(test_worn),    cmocka_unit_test(test_degrading),
		cmocka_unit_test(test_failing), cmocka_unit_test(test_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
