/* test-attrs.c — names, formats, meanings and derived values, unknown never becoming 0 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "attrs.h"
#include "drivedb.h"
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
	rb_attr(&r, 197, 0x0032, 100, 100, 0, 0x1b650000); /* 459603968 > sectors */
	rb_attr(&r, 198, 0x0032, 100, 100, 0, 0xffffffff);  /* all ones */
	rb_attr(&r, 5, 0x0033, 100, 100, 24, 12);
	attrs_derive(&r, &d);
	assert_int_equal(d.pending, ATTR_UNKNOWN);
	assert_int_equal(d.offline_uncorrectable, ATTR_UNKNOWN);
	assert_int_equal(d.reallocated, 12);
	/* Capacity unknown: only all-ones is implausible. */
	r.identity.sectors = 0;
	attrs_derive(&r, &d);
	assert_int_equal(d.pending, 0x1b650000);
	assert_int_equal(d.offline_uncorrectable, ATTR_UNKNOWN);
	/* reallocation events without a reallocated sector contradict 5 (ST9100821AS: 2097 with 5 at 0) */
	rb_attr(&r, 5, 0x0033, 100, 100, 24, 0);
	rb_attr(&r, 196, 0x0032, 100, 100, 0, 0x5a9700000831ULL);
	attrs_derive(&r, &d);
	assert_int_equal(d.reallocated, 0);
	assert_int_equal(d.reallocation_events, ATTR_UNKNOWN);
	rb_attr(&r, 196, 0x0032, 100, 100, 0, 0);
	attrs_derive(&r, &d);
	assert_int_equal(d.reallocation_events, 0);
}

/* One format's reading of bytes 5..0 (and the 12th byte): its first number, and all it prints. */
static void expect_format(const char *presets, uint8_t id, uint64_t raw, uint8_t reserved, int64_t first,
			  const char *printed)
{
	struct smart_reading r;
	struct smart_attr *a;
	char buf[64];
	int64_t v;

	rb_init(&r, "M", "S");
	r.defs = drivedb_defs("", presets);
	a = rb_attr(&r, id, 0x0032, 100, 99, 0, raw);
	a->reserved = reserved;
	assert_int_equal(attr_decode(a, attrs_def(&r, id), &v), 0);
	attr_format_value(a, attrs_def(&r, id), buf, sizeof(buf));
	if (v != first || strcmp(buf, printed) != 0)
		fail_msg("%s, raw 0x%012llx: %lld \"%s\", expected %lld \"%s\"", presets, (unsigned long long)raw,
			 (long long)v, buf, (long long)first, printed);
}

static void test_formats(void **state)
{
	(void)state;
	/* smartctl's default for 5: the count in the low word (Hitachi: "11112 (39 0)", not 80292712) */
	expect_format("", 5, 0x002700002b68ULL, 0, 11112, "11112 (39 0)");
	expect_format("", 5, 0, 0, 0, "0");
	expect_format("-v 5,raw48", 5, 0x002700002b68ULL, 0, 0x002700002b68LL, "167503735656");
	expect_format("", 9, 0x0022690084DDULL, 0, 34013, "34013 (0 34 105)");
	expect_format("", 3, 0x00000a3c0123ULL, 0, 0x123, "291 (Average 2620)");
	expect_format("-v 1,raw8", 1, 0x010203040506ULL, 0, 1, "1 2 3 4 5 6");
	expect_format("-v 188,raw16", 188, 0x000100020003ULL, 0, 1, "1 2 3");
	expect_format("-v 1,hex48", 1, 0xabcULL, 0, 0xabc, "0x000000000abc");
	expect_format("-v 1,raw56", 1, 1, 2, (INT64_C(2) << 48) + 1, "562949953421313");
	expect_format("-v 1,hex56", 1, 1, 2, (INT64_C(2) << 48) + 1, "0x02000000000001");
	/* 64 bits: the worst (99) and normalized (100) values are the low bytes */
	expect_format("-v 1,raw64", 1, 1, 0, (INT64_C(1) << 16) | 99 << 8 | 100, "90980");
	expect_format("-v 193,raw24/raw24", 193, 0x000005000010ULL, 0, 5, "5/16");
	expect_format("-v 1,raw24/raw32", 1, 0x000700000009ULL, 1, 0x10007, "65543/9");
	expect_format("-v 9,seconds", 9, 7261, 0, 2, "2h+01m+01s");
	expect_format("-v 9,minutes", 9, 121017, 0, 2016, "2016h+57m");
	expect_format("-v 9,halfminutes", 9, 7201, 0, 60, "60h+00m");
	/* Seagate: hours in bytes 0-3, milliseconds in 4, 5 and the 12th byte */
	expect_format("-v 9,msec24hour32", 9, 0x04b2000041fdULL, 0x11, 16893, "16893h+18m+35.314s");
	expect_format("-v 194,10xCelsius", 194, 315, 0, 31, "31.5");
	/* the byte order picks bytes: "raw48:54" reads 5 and 4 alone */
	expect_format("-v 5,raw48:54", 5, 0x123400000000ULL, 0, 0x1234, "4660");
	expect_format("-v 5,raw48:54321", 5, 0x1234000000ffULL, 0, 0x1234000000LL, "78181826560");
}

static void test_tempminmax(void **state)
{
	(void)state;
	expect_format("", 194, 37, 0, 37, "37");
	expect_format("", 194, 0x002d0012ULL << 16 | 37, 0, 37, "37 (Min/Max 18/45)");                  /* 00 00 HH LL xx TT */
	expect_format("", 194, 0x2d1225ULL, 0, 37, "37 (Min/Max 18/45)");                                /* 00 00 00 HH LL TT */
	expect_format("", 194, 0x002d00120025ULL, 0, 37, "37 (Min/Max 18/45)");                          /* xx HH xx LL xx TT */
	expect_format("", 194, 0x00032d120025ULL, 0, 37, "37 (Min/Max 18/45 #3)");                       /* CC CC HH LL xx TT */
	expect_format("", 194, 0xfff6ULL, 0, -10, "-10");                                               /* below zero */
	expect_format("", 194, 0x123456789abcULL, 0, 0xbc, "188 (18 52 86 120 154)");                  /* no layout fits */
	/* the packed value a 48-bit reading exports (193274839077): 37 */
	expect_format("", 194, 193274839077ULL, 0, 37, "37 (Min/Max 20/45)");
}

static void test_presets(void **state)
{
	struct attr_defs d;
	struct wg_err err = { "" };

	(void)state;
	attr_defs_init_builtin(&d);
	assert_string_equal(d.def[197].name, "Current_Pending_Sector");
	assert_int_equal(d.def[5].format, ATTR_FMT_RAW16_RAW16);
	assert_int_equal(attr_defs_apply(&d, "-v 197,raw48,Bogus_Current_Pend_Sect -F samsung  -v 9,minutes", 2, &err), 0);
	assert_string_equal(d.def[197].name, "Bogus_Current_Pend_Sect");
	assert_int_equal(d.def[197].meaning, ATTR_MEANS_OTHER);
	assert_string_equal(d.def[9].name, "Power_On_Minutes");
	assert_int_equal(d.def[9].format, ATTR_FMT_MIN2HOUR);
	/* a format without a name keeps the name */
	assert_int_equal(attr_defs_apply(&d, "-v 198,raw16", 2, &err), 0);
	assert_string_equal(d.def[198].name, "Offline_Uncorrectable");
	assert_int_equal(d.def[198].format, ATTR_FMT_RAW16);
	/* "+" (last) marks a count that never resets; the byte order's v and w take the normalized bytes */
	assert_int_equal(attr_defs_apply(&d, "-v 200,raw48:54v+,Foo", 2, &err), 0);
	assert_true(d.def[200].flags & ATTR_DEF_INCREASING);
	assert_true(d.def[200].flags & ATTR_DEF_NO_NORMVAL);
	assert_string_equal(d.def[200].byteorder, "54v");
	/* N: every id the entry does not set itself */
	assert_int_equal(attr_defs_apply(&d, "-v N,hex48", 2, &err), 0);
	assert_int_equal(d.def[1].format, ATTR_FMT_HEX48); /* set at the defaults' rank, below: taken */
	assert_int_equal(d.def[9].format, ATTR_FMT_MIN2HOUR); /* set at the entry's own: kept */
	attr_defs_init_builtin(&d);
	assert_int_equal(attr_defs_apply(&d, "-v N,hex48", 1, &err), 0);
	assert_int_equal(d.def[100].format, ATTR_FMT_HEX48);
	assert_int_equal(d.def[1].format, ATTR_FMT_RAW48);
	/* what smartctl refuses */
	static const char *const bad[] = {
		"-v 0,raw48", "-v 256,raw48", "-v 5", "-v 5,raw47", "-v 5,raw48,", "-v 5,raw48:6",
		"-v 5,raw48:123456789", "-v 5,raw48,Name,HDD", "-x 5", "-v", "v 5,raw48",
		"-v 5,raw48,A_name_of_more_than_32_characters_",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		if (attr_defs_apply(&d, bad[i], 2, &err) != -EINVAL || !err.msg[0])
			fail_msg("'%s' was taken", bad[i]);
	}
	/* ",HDD" and ",SSD" only in the DEFAULT entry */
	assert_int_equal(attr_defs_apply(&d, "-v 10,raw48,Spin_Retry_Count,HDD", 1, &err), 0);
	assert_true(d.def[10].flags & ATTR_DEF_HDD_ONLY);
}

static void test_meaning_by_name(void **state)
{
	struct smart_reading r;
	struct smart_derived d;

	(void)state;
	rb_healthy_hdd(&r, "S1");
	rb_attr(&r, 197, 0x0032, 100, 100, 0, 1);
	attrs_derive(&r, &d);
	assert_int_equal(d.pending, 1);
	/* Crucial MX500: 197 flips 0 -> 1 -> 0 in normal use, and its database entry says so by name */
	r.defs = drivedb_defs("", "-v 197,raw48,Current_Pending_ECC_Cnt");
	attrs_derive(&r, &d);
	assert_int_equal(d.pending, ATTR_UNKNOWN);
	assert_string_equal(attrs_name(&r, 197), "Current_Pending_ECC_Cnt");
	r.defs = drivedb_defs("", "-v 197,raw48,Bogus_Current_Pend_Sect");
	attrs_derive(&r, &d);
	assert_int_equal(d.pending, ATTR_UNKNOWN);
	/* a default name meant for the other kind of drive names nothing */
	r.defs = NULL;
	r.identity.rotation = 1;
	rb_attr(&r, 10, 0x0013, 100, 100, 51, 3);
	attrs_derive(&r, &d);
	assert_int_equal(d.spin_retry, ATTR_UNKNOWN);
	assert_string_equal(attrs_name(&r, 10), "Unknown_SSD_Attribute");
	r.identity.rotation = 7200;
	attrs_derive(&r, &d);
	assert_int_equal(d.spin_retry, 3);
	assert_string_equal(attrs_name(&r, 10), "Spin_Retry_Count");
	assert_string_equal(attrs_name(&r, 100), "Unknown_Attribute");
}

static void test_power_on_units(void **state)
{
	struct smart_reading r;
	struct smart_derived d;

	(void)state;
	rb_healthy_hdd(&r, "S1");
	rb_attr(&r, 9, 0x0032, 248, 248, 0, 0x01d8b9); /* Maxtor: 121017 minutes */
	r.defs = drivedb_defs("", "-v 9,minutes");
	attrs_derive(&r, &d);
	assert_int_equal(d.power_on_hours, 2016);
	r.defs = drivedb_defs("", "-v 9,hex64,Proprietary_9"); /* not a power-on count at all */
	attrs_derive(&r, &d);
	assert_int_equal(d.power_on_hours, ATTR_UNKNOWN);
	r.defs = drivedb_defs("", "-v 9,raw48");
	rb_attr(&r, 9, 0x0032, 85, 85, 0, 0x05c715); /* 378645 "hours": 43 years, not a fact */
	attrs_derive(&r, &d);
	assert_int_equal(d.power_on_hours, ATTR_UNKNOWN);
	/* the default: hours in the low 24 bits, the bytes above something else */
	r.defs = NULL;
	rb_attr(&r, 9, 0x0032, 85, 85, 0, 0x6922000084ddULL);
	attrs_derive(&r, &d);
	assert_int_equal(d.power_on_hours, 34013);
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
	rb_attr(&r, 194, 0x0022, 60, 50, 0, 315); /* 31.5 C in tenths, rounded as smartctl does */
	r.defs = drivedb_defs("", "-v 194,10xCelsius");
	attrs_derive(&r, &d);
	assert_int_equal(d.temperature_c, 32);
	/* a 194 the database calls no temperature: 190 is read instead */
	r.defs = drivedb_defs("", "-v 194,unknown");
	attrs_derive(&r, &d);
	assert_int_equal(d.temperature_c, 30);
	r.defs = NULL;
	rb_attr(&r, 194, 0x0022, 60, 50, 0, 0); /* 0 C is not a temperature a drive reports: fall back to 190 */
	attrs_derive(&r, &d);
	assert_int_equal(d.temperature_c, 30);
}

static void test_ssd_wear(void **state)
{
	struct smart_reading r;
	struct smart_derived d;

	(void)state;
	/* Intel: the normalized value of 233 counts the life left down from 100 */
	rb_init(&r, "INTEL SSDSA2CW120G3", "S");
	r.identity.rotation = 1;
	rb_attr(&r, 233, 0x0032, 97, 97, 0, 0);
	rb_attr(&r, 177, 0x0013, 2, 2, 5, 0); /* Wear_Leveling_Count says no life left or remaining */
	attrs_derive(&r, &d);
	assert_int_equal(d.ssd_wear_value, 97);
	assert_int_equal(d.ssd_wear_threshold, 0);
	/* SandForce: 177 is Wear_Range_Delta; 231's normalized value counts down to its threshold of 10 */
	rb_init(&r, "ADATA SP900", "S");
	r.identity.rotation = 1;
	r.defs = drivedb_defs("", "-v 177,raw48,Wear_Range_Delta -v 231,raw48,SSD_Life_Left");
	rb_attr(&r, 177, 0x0000, 0, 0, 0, 98);
	rb_attr(&r, 231, 0x0013, 96, 96, 10, 90194313217ULL);
	attrs_derive(&r, &d);
	assert_int_equal(d.ssd_wear_value, 96);
	assert_int_equal(d.ssd_wear_threshold, 10);
	/* Kingston A400: no threshold on 231, the percentage left in its raw value (normalized 5) */
	rb_init(&r, "KINGSTON SA400S37240G", "S");
	r.identity.rotation = 1;
	r.defs = drivedb_defs("", "-v 231,raw48,SSD_Life_Left");
	rb_attr(&r, 231, 0x0000, 5, 5, 0, 95);
	attrs_derive(&r, &d);
	assert_int_equal(d.ssd_wear_value, 95);
	/* ... and where that raw value is no percentage, the normalized one */
	rb_attr(&r, 231, 0x0000, 100, 100, 0, 0);
	attrs_derive(&r, &d);
	assert_int_equal(d.ssd_wear_value, 100);
	/* "Used" is not "left": not a wear indicator */
	r.defs = drivedb_defs("", "-v 202,raw48,Perc_Rated_Life_Used");
	rb_init(&r, "C400-MTFDDAC512MAM", "S");
	rb_attr(&r, 202, 0x0030, 1, 1, 1, 99);
	attrs_derive(&r, &d);
	assert_int_equal(d.ssd_wear_value, ATTR_UNKNOWN);
	/* On a spinning drive 202 is something else. */
	rb_init(&r, "Maxtor 96147H8", "S");
	rb_attr(&r, 3, 0x0027, 196, 191, 63, 0);
	rb_attr(&r, 202, 0x000a, 3, 3, 0, 0);
	attrs_derive(&r, &d);
	assert_int_equal(d.ssd_wear_value, ATTR_UNKNOWN);
}

static void test_repeated_id(void **state)
{
	struct smart_reading r;
	struct smart_derived d;

	(void)state;
	rb_healthy_hdd(&r, "S1");
	assert_int_equal(attrs_repeated_id(&r), 0);
	/* an id listed twice: the first entry is the attribute, as smartctl reads it */
	r.attrs[r.n_attrs] = r.attrs[2];
	attr_set_raw48(r.attrs[r.n_attrs].raw, 77);
	r.n_attrs++;
	assert_int_equal(attrs_repeated_id(&r), 5);
	assert_ptr_equal(smart_reading_attr(&r, 5), &r.attrs[2]);
	attrs_derive(&r, &d);
	assert_int_equal(d.reallocated, 0);
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
		cmocka_unit_test(test_unusable_is_unknown), cmocka_unit_test(test_formats),
		cmocka_unit_test(test_tempminmax),     cmocka_unit_test(test_presets),
		cmocka_unit_test(test_meaning_by_name), cmocka_unit_test(test_repeated_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
