/* test-import.c — smartd's attribute log lines and file names, smartctl's JSON reports, read as readings */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "import.h"

static const struct smart_attr *attr(const struct smart_reading *r, uint8_t id)
{
	for (unsigned i = 0; i < r->n_attrs; i++)
		if (r->attrs[i].id == id)
			return &r->attrs[i];
	return NULL;
}

static uint64_t raw48(const struct smart_attr *a)
{
	uint64_t v = 0;

	for (int i = 5; i >= 0; i--)
		v = v << 8 | a->raw[i];
	return v;
}

static void test_smartd_name(void **state)
{
	char model[41], serial[21];

	(void)state;
	assert_int_equal(import_smartd_name("/var/lib/smartmontools/attrlog.WDC_WD5000AAKS_00TMA0-WD_WCAPW1234567.ata.csv",
					    model, serial),
			 0);
	assert_string_equal(model, "WDC_WD5000AAKS_00TMA0");
	assert_string_equal(serial, "WD_WCAPW1234567");
	/* another prefix (smartd -A /var/log/smart/) */
	assert_int_equal(import_smartd_name("/var/log/smart/ST3200820AS-5QE0ABCD.ata.csv", model, serial), 0);
	assert_string_equal(model, "ST3200820AS");
	assert_string_equal(serial, "5QE0ABCD");
	/* not what smartd names its logs */
	assert_int_equal(import_smartd_name("attrlog.ST3200820AS-5QE0ABCD.scsi.csv", model, serial), -EINVAL);
	assert_int_equal(import_smartd_name("attrlog.ST3200820AS.ata.csv", model, serial), -EINVAL);
	assert_int_equal(import_smartd_name("attrlog.-5QE0.ata.csv", model, serial), -EINVAL);
	assert_int_equal(import_smartd_name("attrlog.MODEL-.ata.csv", model, serial), -EINVAL);
	assert_int_equal(import_smartd_name("attrlog.MODEL-SER IAL.ata.csv", model, serial), -EINVAL);
	assert_int_equal(import_smartd_name(".ata.csv", model, serial), -EINVAL);
	import_smartd_normalize("WDC WD5000AAKS-00TMA0", model, sizeof(model));
	assert_string_equal(model, "WDC_WD5000AAKS_00TMA0");
}

static void test_smartd_line(void **state)
{
	static const char line[] = "2024-03-01 10:00:00;\t1;200;0;\t5;199;8;\t9;83;12688;\t190;63;656474149;"
				   "\t197;200;72057594037927935;\n";
	struct smart_reading r;
	char why[IMPORT_WHY_MAX];
	int64_t t;

	(void)state;
	assert_int_equal(import_smartd_line(line, strlen(line), &t, &r, why, sizeof(why)), 1);
	assert_int_equal(t, 1709287200);
	assert_int_equal(r.status, READING_OK);
	assert_int_equal(r.smart_ok, -1);
	assert_string_equal(r.access, IMPORT_ACCESS_SMARTD);
	assert_int_equal(r.n_attrs, 5);
	assert_int_equal(attr(&r, 5)->current, 199);
	assert_int_equal(raw48(attr(&r, 5)), 8);
	assert_int_equal(raw48(attr(&r, 9)), 12688);
	/* a raw value packing more than a count: laid back byte for byte */
	assert_int_equal(raw48(attr(&r, 190)), 656474149);
	/* 56 bits: the entry's reserved byte above the raw 48 */
	assert_int_equal(raw48(attr(&r, 197)), (UINT64_C(1) << 48) - 1);
	assert_int_equal(attr(&r, 197)->reserved, 0xff);
	/* a line without attributes is a sample with none; an empty one is no line */
	assert_int_equal(import_smartd_line("2024-03-01 10:00:00;\n", 21, &t, &r, why, sizeof(why)), 1);
	assert_int_equal(r.n_attrs, 0);
	assert_int_equal(import_smartd_line("\n", 1, &t, &r, why, sizeof(why)), 0);
}

static void test_smartd_bad_lines(void **state)
{
	static const struct {
		const char *line, *why;
	} bad[] = {
		{ "2024-02-30 10:00:00;\t5;200;0;", "column 1" },
		{ "2024-03-01T10:00:00;\t5;200;0;", "column 1" },
		{ "2024-03-01 10:00:00\t5;200;0;", "column 1" },
		{ "2024-03-01 10:00:00; 5;200;0;", "column 21: an attribute must follow a tab" },
		{ "2024-03-01 10:00:00;\t0;200;0;", "column 22" },
		{ "2024-03-01 10:00:00;\t256;200;0;", "column 22" },
		{ "2024-03-01 10:00:00;\t5;256;0;", "column 22" },
		{ "2024-03-01 10:00:00;\t5;200;72057594037927936;", "at most 56 bits" },
		{ "2024-03-01 10:00:00;\t5;200;0", "column 22" },
		{ "2024-03-01 10:00:00;\t5;200;-1;", "column 22" },
		{ "2024-03-01 10:00:00;\tread-corr-by-ecc-fast;0;", "is not an ATA attribute" },
		{ "2024-03-01 10:00:00;\t5;200;0;x", "column 30: an attribute must follow a tab" },
	};
	struct smart_reading r;
	char why[IMPORT_WHY_MAX];
	int64_t t;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(import_smartd_line(bad[i].line, strlen(bad[i].line), &t, &r, why, sizeof(why)), -EBADMSG);
		if (!strstr(why, bad[i].why))
			fail_msg("'%s': '%s' does not say '%s'", bad[i].line, why, bad[i].why);
	}
}

static const char report[] =
	"{\"device\": {\"name\": \"/dev/sda\", \"protocol\": \"ATA\"},\n"
	" \"model_name\": \"WDC WD5000AAKS-00TMA0\", \"serial_number\": \"WD-WCAPW1234567\",\n"
	" \"firmware_version\": \"12.01C01\", \"user_capacity\": {\"blocks\": 976773168, \"bytes\": 500107862016},\n"
	" \"rotation_rate\": 0, \"smart_status\": {\"passed\": false},\n"
	" \"ata_smart_data\": {\"self_test\": {\"status\": {\"value\": 249}}},\n"
	" \"ata_smart_attributes\": {\"table\": [\n"
	"  {\"id\": 5, \"name\": \"Reallocated_Sector_Ct\", \"value\": 199, \"worst\": 190, \"thresh\": 140,\n"
	"   \"flags\": {\"value\": 51, \"prefailure\": true}, \"raw\": {\"value\": 16, \"string\": \"16\"}},\n"
	"  {\"id\": 194, \"value\": 113, \"worst\": 97, \"flags\": {\"value\": 34}, \"raw\": {\"value\": 37}}]},\n"
	" \"local_time\": {\"time_t\": 1709287200, \"asctime\": \"Fri Mar  1 10:00:00 2024 UTC\"}}\n";

static void test_smartctl_json(void **state)
{
	struct smart_reading r;
	char why[IMPORT_WHY_MAX] = "";
	int64_t t;

	(void)state;
	assert_int_equal(import_smartctl_json(report, strlen(report), &t, &r, why, sizeof(why)), 0);
	assert_int_equal(t, 1709287200);
	assert_true(r.identity_valid);
	assert_string_equal(r.identity.model, "WDC WD5000AAKS-00TMA0");
	assert_string_equal(r.identity.serial, "WD-WCAPW1234567");
	assert_string_equal(r.identity.firmware, "12.01C01");
	assert_int_equal(r.identity.sectors, 976773168);
	assert_int_equal(r.identity.rotation, 1); /* smartctl's 0: a solid-state drive */
	assert_int_equal(r.smart_ok, 0);
	assert_int_equal(r.self_test, 249);
	assert_string_equal(r.access, IMPORT_ACCESS_SMARTCTL);
	assert_int_equal(r.n_attrs, 2);
	assert_int_equal(r.attrs[0].id, 5);
	assert_int_equal(r.attrs[0].current, 199);
	assert_int_equal(r.attrs[0].worst, 190);
	assert_true(r.attrs[0].threshold_valid);
	assert_int_equal(r.attrs[0].threshold, 140);
	assert_int_equal(r.attrs[0].flags, 51);
	assert_int_equal(raw48(&r.attrs[0]), 16);
	assert_false(r.attrs[1].threshold_valid);
}

static void test_smartctl_json_bad(void **state)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "", "a value is missing" },
		{ "[1, 2]", "not an object" },
		{ "{\"a\": 1", "object that does not end" },
		{ "{\"a\": \"x}", "string that does not end" },
		{ "{\"a\": 1} x", "more after the document" },
		{ "{\"a\": tru}", "not a value" },
		{ "{\"device\": {\"protocol\": \"NVMe\"}}", "only ATA" },
		{ "{\"model_name\": \"M\", \"serial_number\": \"S\"}", "local_time" },
		{ "{\"local_time\": {\"time_t\": 5}, \"serial_number\": \"S\"}", "model_name" },
		{ "{\"local_time\": {\"time_t\": 5}, \"model_name\": \"M\", \"serial_number\": \"S\"}", "ata_smart_attributes" },
		{ "{\"local_time\": {\"time_t\": 5}, \"model_name\": \"M\", \"serial_number\": \"S\", "
		  "\"ata_smart_attributes\": {\"table\": [{\"id\": 5, \"value\": 1, \"worst\": 1, \"raw\": {\"value\": -1}}]}}",
		  "table[0]" },
		{ "{\"local_time\": {\"time_t\": 5}, \"model_name\": \"M\", \"serial_number\": \"012345678901234567890\"}",
		  "model_name" },
	};
	struct smart_reading r;
	char why[IMPORT_WHY_MAX];
	int64_t t;
	char deep[200];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(import_smartctl_json(bad[i].text, strlen(bad[i].text), &t, &r, why, sizeof(why)), -EBADMSG);
		if (!strstr(why, bad[i].why))
			fail_msg("'%s': '%s' does not say '%s'", bad[i].text, why, bad[i].why);
	}
	/* nested deeper than any report: refused, not a stack overflow */
	memset(deep, '[', sizeof(deep));
	assert_int_equal(import_smartctl_json(deep, sizeof(deep), &t, &r, why, sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "nested too deep"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smartd_name),
		cmocka_unit_test(test_smartd_line),
		cmocka_unit_test(test_smartd_bad_lines),
		cmocka_unit_test(test_smartctl_json),
		cmocka_unit_test(test_smartctl_json_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
