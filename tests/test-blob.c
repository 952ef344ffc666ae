/* test-blob.c — the saved-reading format and its ATA pages: parsed strictly, written exactly, read with suspicion */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "attrs.h"
#include "blob-builder.h"
#include "blob.h"
#include "smart.h"
#include "tmpdir.h"

/* Record offsets in a full blob: IDFY 8+512, SMST 8+4, SMDT 8+512, SMTH 8+512. */
#define OFF_SMST 520
#define OFF_SMDT 532
#define OFF_SMTH 1052
#define FULL_LEN 1572

static unsigned word(const uint8_t id[ATA_PAGE], unsigned w)
{
	return id[2 * w] | id[2 * w + 1] << 8;
}

/* Append one record as given, however wrong. */
static size_t put_rec(uint8_t *p, const char tag[4], uint32_t len, uint8_t fill)
{
	memcpy(p, tag, 4);
	p[4] = (uint8_t)(len >> 24);
	p[5] = (uint8_t)(len >> 16);
	p[6] = (uint8_t)(len >> 8);
	p[7] = (uint8_t)len;
	memset(p + 8, fill, len);
	return 8 + (size_t)len;
}

static void expect_parse_error(const uint8_t *buf, size_t len, const char *want)
{
	struct wg_err err = { "" };
	struct blob b, before;

	memset(&b, 0x5a, sizeof(b));
	memcpy(&before, &b, sizeof(b));
	assert_int_equal(blob_parse(buf, len, &b, &err), -EINVAL);
	if (!strstr(err.msg, want))
		fail_msg("error '%s' does not contain '%s'", err.msg, want);
	assert_memory_equal(&b, &before, sizeof(b)); /* untouched on failure */
}

static void assert_same_blob(const struct blob *a, const struct blob *b)
{
	assert_int_equal(a->has_status, b->has_status);
	assert_int_equal(a->has_data, b->has_data);
	assert_int_equal(a->has_thresholds, b->has_thresholds);
	assert_memory_equal(a->identify, b->identify, ATA_PAGE);
	if (a->has_status)
		assert_int_equal(a->status, b->status);
	if (a->has_data)
		assert_memory_equal(a->data, b->data, ATA_PAGE);
	if (a->has_thresholds)
		assert_memory_equal(a->thresholds, b->thresholds, ATA_PAGE);
}

static void test_serialize_roundtrip(void **state)
{
	static const struct {
		bool status, data, thresholds;
		size_t len;
	} variants[] = {
		{ true, true, true, FULL_LEN },
		{ false, true, true, FULL_LEN - 12 }, /* libatasmart's WDC_WD2500JB example has no SMST */
		{ true, true, false, FULL_LEN - 520 },
		{ false, false, false, 520 },
	};
	struct wg_err err = { "" };
	struct blob b, got;
	uint8_t *buf;
	size_t len;

	(void)state;
	for (size_t i = 0; i < WG_ELEMENTSOF(variants); i++) {
		bb_healthy_hdd(&b, "S1");
		b.status = 0;
		b.has_status = variants[i].status;
		b.has_data = variants[i].data;
		b.has_thresholds = variants[i].thresholds;
		buf = bb_serialize(&b, &len);
		assert_int_equal(len, variants[i].len);
		assert_memory_equal(buf, "IDFY\0\0\x02\0", 8);
		assert_int_equal(blob_parse(buf, len, &got, &err), 0);
		assert_same_blob(&got, &b);
		free(buf);
	}
	/* libatasmart's order, which its own parser does not need but its users may */
	bb_healthy_hdd(&b, "S1");
	buf = bb_serialize(&b, &len);
	assert_memory_equal(buf + OFF_SMST, "SMST\0\0\0\x04\0\0\0\x01", 12);
	assert_memory_equal(buf + OFF_SMDT, "SMDT\0\0\x02\0", 8);
	assert_memory_equal(buf + OFF_SMTH, "SMTH\0\0\x02\0", 8);
	free(buf);
}

static void test_parse_empty(void **state)
{
	(void)state;
	expect_parse_error((const uint8_t *)"", 0, "empty blob");
}

static void test_parse_truncated(void **state)
{
	struct wg_err err = { "" };
	struct blob b, got;
	uint8_t *buf;
	size_t len;

	(void)state;
	bb_healthy_hdd(&b, "S1");
	buf = bb_serialize(&b, &len);
	/* A cut between records leaves a shorter valid blob; any other cut is an error. */
	for (size_t cut = 1; cut < len; cut++) {
		int r = blob_parse(buf, cut, &got, &err);

		if (cut == OFF_SMST || cut == OFF_SMDT || cut == OFF_SMTH) {
			assert_int_equal(r, 0);
			assert_int_equal(got.has_status, cut > OFF_SMST);
			assert_int_equal(got.has_data, cut > OFF_SMDT);
			assert_false(got.has_thresholds);
			continue;
		}
		assert_int_equal(r, -EINVAL);
		assert_non_null(strstr(err.msg, "truncated record"));
	}
	expect_parse_error(buf, 4, "truncated record header at offset 0: 8 bytes needed, 4 present");
	expect_parse_error(buf, OFF_SMDT + 3, "truncated record header at offset 532: 8 bytes needed, 3 present");
	expect_parse_error(buf, OFF_SMTH + 8 + 100,
			   "truncated record 'SMTH' at offset 1052: 512 bytes announced, 100 present");
	free(buf);
}

static void test_parse_missing_identify(void **state)
{
	uint8_t buf[64];
	size_t len = 0;

	(void)state;
	len += put_rec(buf + len, "SMST", 4, 0);
	expect_parse_error(buf, len, "no 'IDFY' record");
}

static void test_parse_wrong_length(void **state)
{
	uint8_t buf[2048];
	size_t len;

	(void)state;
	len = put_rec(buf, "IDFY", 511, 0x20);
	expect_parse_error(buf, len, "record 'IDFY' at offset 0 has length 511, expected 512");
	len = put_rec(buf, "IDFY", 512, 0x20);
	len += put_rec(buf + len, "SMST", 8, 0);
	expect_parse_error(buf, len, "record 'SMST' at offset 520 has length 8, expected 4");
	len = put_rec(buf, "IDFY", 512, 0x20);
	len += put_rec(buf + len, "SMTH", 513, 0);
	expect_parse_error(buf, len, "record 'SMTH' at offset 520 has length 513, expected 512");
}

static void test_parse_duplicate(void **state)
{
	uint8_t buf[2048];
	size_t len = 0;

	(void)state;
	len += put_rec(buf + len, "IDFY", 512, 0x20);
	len += put_rec(buf + len, "SMDT", 512, 0);
	len += put_rec(buf + len, "SMDT", 512, 0);
	expect_parse_error(buf, len, "duplicate record 'SMDT' at offset 1040 (first at offset 520)");
}

static void test_parse_unknown_tag(void **state)
{
	struct wg_err err = { "" };
	uint8_t buf[2048];
	struct blob b;
	size_t len = 0;

	(void)state;
	len += put_rec(buf + len, "IDFY", 512, 0x20);
	len += put_rec(buf + len, "XTRA", 5, 0xff);
	len += put_rec(buf + len, "\x01" "A'\\", 0, 0);
	len += put_rec(buf + len, "SMST", 4, 0);
	buf[len - 1] = 1;
	assert_int_equal(blob_parse(buf, len, &b, &err), 0);
	assert_true(b.has_status);
	assert_int_equal(b.status, 1);
	assert_false(b.has_data);
	/* a tag of any bytes still makes a one-line message */
	len = put_rec(buf, "IDFY", 512, 0x20);
	len += put_rec(buf + len, "\x01" "A'\\", 16, 0);
	expect_parse_error(buf, len - 1, "truncated record '\\x01A\\x27\\x5c' at offset 520");
}

static void test_parse_status_value(void **state)
{
	struct wg_err err = { "" };
	uint8_t buf[1024];
	struct blob b;
	size_t len;

	(void)state;
	len = put_rec(buf, "IDFY", 512, 0x20);
	len += put_rec(buf + len, "SMST", 4, 0);
	assert_int_equal(blob_parse(buf, len, &b, &err), 0);
	assert_true(b.has_status);
	assert_int_equal(b.status, 0);
	buf[len - 1] = 2;
	expect_parse_error(buf, len, "record 'SMST' at offset 520 holds 2, expected 0 or 1");
	/* byte-swapped "1" is a writer's mistake, not a verdict */
	buf[len - 1] = 0;
	buf[len - 4] = 1;
	expect_parse_error(buf, len, "holds 16777216");
}

static void test_save_load(void **state)
{
	char dir[] = "/tmp/wg-test-blob-XXXXXX", path[64];
	struct wg_err err = { "" };
	struct blob b, got;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sda.blob", dir);
	bb_healthy_hdd(&b, "S1");
	assert_int_equal(blob_save(path, &b), 0);
	assert_int_equal(blob_load(path, &got, &err), 0);
	assert_same_blob(&got, &b);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(blob_load(path, &got, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "invalid blob '"));
	assert_non_null(strstr(err.msg, "sda.blob': empty blob"));
	snprintf(path, sizeof(path), "%s/missing.blob", dir);
	assert_int_equal(blob_load(path, &got, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "missing.blob': No such file or directory"));
	assert_int_equal(tmpdir_remove(dir), 0);
}

static void test_page_checksum(void **state)
{
	uint8_t page[ATA_PAGE] = { 0 };

	(void)state;
	assert_true(ata_page_checksum_ok(page));
	page[10] = 5;
	assert_false(ata_page_checksum_ok(page));
	ata_page_fix_checksum(page);
	assert_true(ata_page_checksum_ok(page));
	assert_int_equal(page[ATA_PAGE - 1], 251);
	/* identify: without the 0xA5 signature the drive makes no claim, so any sum passes */
	memset(page, 0, sizeof(page));
	page[10] = 5;
	assert_true(identify_checksum_ok(page));
	page[ATA_PAGE - 2] = 0xA5;
	assert_false(identify_checksum_ok(page));
	identify_fix_checksum(page);
	assert_true(identify_checksum_ok(page));
	assert_true(ata_page_checksum_ok(page));
	assert_int_equal(page[ATA_PAGE - 2], 0xA5);
}

static void test_identify_strings(void **state)
{
	uint8_t id[ATA_PAGE] = { 0 };
	char buf[41];

	(void)state;
	identify_set_string(id, IDENTIFY_MODEL, "WDC WD5000AAKS-00TMA0");
	/* each word holds two characters, the first in its high byte */
	assert_memory_equal(id + 54, "DW C", 4);
	assert_memory_equal(id + 54 + 38, "  ", 2);
	assert_true(identify_checksum_ok(id));
	assert_int_equal(id[ATA_PAGE - 2], 0xA5);
	identify_get_string(id, IDENTIFY_MODEL, buf, sizeof(buf));
	assert_string_equal(buf, "WDC WD5000AAKS-00TMA0");
	identify_get_string(id, IDENTIFY_MODEL, buf, 4);
	assert_string_equal(buf, "WDC");

	identify_set_string(id, IDENTIFY_SERIAL, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
	identify_get_string(id, IDENTIFY_SERIAL, buf, sizeof(buf));
	assert_string_equal(buf, "ABCDEFGHIJKLMNOPQRST");
	/* the firmware field starts right after: untouched */
	identify_set_string(id, IDENTIFY_FIRMWARE, "  1.0  ");
	identify_get_string(id, IDENTIFY_SERIAL, buf, sizeof(buf));
	assert_string_equal(buf, "ABCDEFGHIJKLMNOPQRST");
	identify_get_string(id, IDENTIFY_FIRMWARE, buf, sizeof(buf));
	assert_string_equal(buf, "1.0");
	identify_set_string(id, IDENTIFY_SERIAL, "A?C");
	id[2 * 10] = 0x07; /* the '?' */
	identify_get_string(id, IDENTIFY_SERIAL, buf, sizeof(buf));
	assert_string_equal(buf, "A C");
	identify_set_string(id, IDENTIFY_SERIAL, "");
	identify_get_string(id, IDENTIFY_SERIAL, buf, sizeof(buf));
	assert_string_equal(buf, "");
	/* a field running past the page is cut at its end, where the signature word is (the sanitizers watch the bounds) */
	identify_set_string(id, 250, 10, "ABCDEFGHIJKLMNOPQRST");
	assert_true(identify_checksum_ok(id));
	identify_get_string(id, 250, 10, buf, sizeof(buf));
	assert_int_equal(strncmp(buf, "ABCDEFGHIJ", 10), 0);
	assert_true(strlen(buf) <= 12);
}

static void test_identify_sectors(void **state)
{
	uint8_t id[ATA_PAGE] = { 0 };

	(void)state;
	assert_int_equal(identify_sectors(id), 0);
	identify_set_sectors(id, 39100223);
	assert_int_equal(word(id, 60) | word(id, 61) << 16, 39100223);
	assert_int_equal(word(id, 100) | word(id, 101) | word(id, 102) | word(id, 103), 0);
	assert_false(word(id, 83) & 0x0400);
	assert_true(word(id, 49) & 0x0200);
	assert_int_equal(identify_sectors(id), 39100223);
	assert_true(identify_checksum_ok(id));

	identify_set_sectors(id, 976773168);
	assert_int_equal(word(id, 60) | word(id, 61) << 16, 0x0FFFFFFF);
	assert_int_equal(word(id, 83) & 0xC400, 0x4400);
	assert_true(word(id, 86) & 0x0400);
	assert_int_equal(identify_sectors(id), 976773168);
	/* once the page claims 48-bit addressing, words 100-103 are the capacity even when small */
	identify_set_sectors(id, 1000);
	assert_int_equal(word(id, 100), 1000);
	assert_int_equal(identify_sectors(id), 1000);
	assert_true(identify_checksum_ok(id));
	/* an invalid word 83 (bit 15 set) claims nothing; a valid claim without a count falls back */
	memset(id, 0, sizeof(id));
	id[2 * 60] = 7;
	id[2 * 100] = 0x55;
	id[2 * 83 + 1] = 0x84;
	assert_int_equal(identify_sectors(id), 7);
	id[2 * 83 + 1] = 0x44;
	assert_int_equal(identify_sectors(id), 0x55);
	id[2 * 100] = 0;
	assert_int_equal(identify_sectors(id), 7);
}

static void test_identify_smart(void **state)
{
	uint8_t id[ATA_PAGE] = { 0 };

	(void)state;
	identify_set_sectors(id, 976773168);
	identify_set_smart(id, true);
	assert_true(word(id, 82) & 1);
	assert_true(word(id, 85) & 1);
	assert_int_equal(word(id, 83) & 0xC000, 0x4000);
	assert_int_equal(identify_sectors(id), 976773168); /* the 48-bit claim in word 83 stays */
	assert_true(identify_checksum_ok(id));
	identify_set_smart(id, false);
	assert_false(word(id, 82) & 1);
	assert_false(word(id, 85) & 1);
	assert_true(identify_checksum_ok(id));
}

static void assert_entry(const uint8_t data[ATA_PAGE], unsigned slot, const struct ata_attr_entry *want)
{
	struct ata_attr_entry got;

	smart_page_get(data, slot, &got);
	assert_int_equal(got.id, want->id);
	assert_int_equal(got.flags, want->flags);
	assert_int_equal(got.current, want->current);
	assert_int_equal(got.worst, want->worst);
	assert_memory_equal(got.raw, want->raw, 6);
}

static void test_smart_page(void **state)
{
	struct ata_attr_entry e = { .id = 5, .flags = 0x0133, .current = 200, .worst = 199, .raw = { 1, 2, 3, 4, 5, 6 } };
	uint8_t data[ATA_PAGE] = { 0 }, before[ATA_PAGE];
	int id;

	(void)state;
	assert_int_equal(smart_page_find(data, 5), -ENOENT);
	assert_int_equal(smart_page_find(data, 0), -ENOENT); /* free slots hold id 0: it names nothing */
	assert_int_equal(smart_page_put(data, &e), 0);
	assert_int_equal(smart_page_find(data, 5), 0);
	assert_memory_equal(data + 2, "\x05\x33\x01\xc8\xc7\x01\x02\x03\x04\x05\x06\x00", 12);
	assert_entry(data, 0, &e);
	assert_true(ata_page_checksum_ok(data));

	/* replacing keeps the slot and the entry's vendor byte */
	data[2 + 11] = 0x77;
	e.current = 150;
	assert_int_equal(smart_page_put(data, &e), 0);
	assert_int_equal(smart_page_find(data, 5), 0);
	assert_int_equal(data[2 + 11], 0x77);
	assert_entry(data, 0, &e);
	assert_true(ata_page_checksum_ok(data));

	/* a free slot's leftovers do not leak into a new entry */
	memset(data + 2 + 12 + 1, 0xee, 11);
	e.id = 197;
	assert_int_equal(smart_page_put(data, &e), 0);
	assert_int_equal(smart_page_find(data, 197), 1);
	assert_int_equal(data[2 + 12 + 11], 0);

	e.id = 0;
	assert_int_equal(smart_page_put(data, &e), -EINVAL);
	for (id = 10; id < 10 + SMART_PAGE_ENTRIES - 2; id++) {
		e.id = (uint8_t)id;
		assert_int_equal(smart_page_put(data, &e), 0);
	}
	memcpy(before, data, ATA_PAGE);
	e.id = 250;
	assert_int_equal(smart_page_put(data, &e), -ENOSPC);
	assert_memory_equal(data, before, ATA_PAGE);
	assert_true(ata_page_checksum_ok(data));
	/* slots past the table are nobody's */
	smart_page_set(data, SMART_PAGE_ENTRIES, &e);
	assert_memory_equal(data, before, ATA_PAGE);
	smart_page_get(data, SMART_PAGE_ENTRIES, &e);
	assert_int_equal(e.id, 0);
}

static void test_threshold_page(void **state)
{
	uint8_t th[ATA_PAGE] = { 0 }, t = 0;

	(void)state;
	assert_int_equal(threshold_page_get(th, 5, &t), -ENOENT);
	assert_int_equal(threshold_page_put(th, 5, 140), 0);
	assert_int_equal(threshold_page_get(th, 5, &t), 0);
	assert_int_equal(t, 140);
	assert_memory_equal(th + 2, "\x05\x8c", 2);
	assert_int_equal(threshold_page_put(th, 5, 130), 0);
	assert_int_equal(smart_page_find(th, 5), 0);
	assert_int_equal(threshold_page_get(th, 5, &t), 0);
	assert_int_equal(t, 130);
	/* set writes the slot it is told, keeping the entry's reserved bytes */
	th[2 + 36 + 5] = 0x42;
	threshold_page_set(th, 3, 197, 0);
	assert_int_equal(smart_page_find(th, 197), 3);
	assert_int_equal(th[2 + 36 + 5], 0x42);
	assert_true(ata_page_checksum_ok(th));
	assert_int_equal(threshold_page_put(th, 0, 1), -EINVAL);
	for (unsigned id = 10; id < 10 + SMART_PAGE_ENTRIES - 2; id++)
		assert_int_equal(threshold_page_put(th, (uint8_t)id, 1), 0);
	assert_int_equal(threshold_page_put(th, 250, 1), -ENOSPC);
	assert_true(ata_page_checksum_ok(th));
}

static void test_put_attr(void **state)
{
	struct ata_attr_entry e = { .id = 197, .flags = 0x0032, .current = 100, .worst = 100 };
	struct smart_reading r;
	struct blob b, before;
	uint8_t t = 0;

	(void)state;
	bb_init(&b, "M", "S", 1000);
	assert_int_equal(blob_put_attr(&b, &e, -1), 0);
	assert_int_equal(threshold_page_get(b.thresholds, 197, &t), -ENOENT);

	/* A leftover in the thresholds page: the threshold goes to the data slot, not the first free one. */
	threshold_page_set(b.thresholds, 1, 9, 50);
	threshold_page_set(b.thresholds, 2, 77, 50);
	e.id = 5;
	assert_int_equal(blob_put_attr(&b, &e, 140), 0);
	assert_int_equal(smart_page_find(b.data, 5), 1);
	assert_int_equal(smart_page_find(b.thresholds, 5), 1);
	assert_int_equal(threshold_page_get(b.thresholds, 5, &t), 0);
	assert_int_equal(t, 140);
	/* without a threshold, a leftover of another id is cleared and one of this id kept */
	e.id = 12;
	assert_int_equal(blob_put_attr(&b, &e, -1), 0);
	assert_int_equal(smart_page_find(b.thresholds, 77), -ENOENT);
	e.id = 5;
	e.current = 90;
	assert_int_equal(blob_put_attr(&b, &e, -1), 0);
	assert_int_equal(threshold_page_get(b.thresholds, 5, &t), 0);
	assert_int_equal(t, 140);
	assert_true(ata_page_checksum_ok(b.data));
	assert_true(ata_page_checksum_ok(b.thresholds));
	bb_read(&b, &r);
	assert_int_equal(r.status, READING_OK);
	assert_true(smart_reading_attr(&r, 5)->threshold_valid);
	assert_false(smart_reading_attr(&r, 197)->threshold_valid);

	memcpy(&before, &b, sizeof(b));
	assert_int_equal(blob_put_attr(&b, &e, 256), -EINVAL);
	e.id = 0;
	assert_int_equal(blob_put_attr(&b, &e, 1), -EINVAL);
	assert_memory_equal(&b, &before, sizeof(b));

	/* only a threshold brings a thresholds page into being */
	memset(&b, 0, sizeof(b));
	e.id = 9;
	assert_int_equal(blob_put_attr(&b, &e, -1), 0);
	assert_true(b.has_data);
	assert_false(b.has_thresholds);
	assert_int_equal(blob_put_attr(&b, &e, 0), 0);
	assert_true(b.has_thresholds);
	for (unsigned id = 100; id < 100 + SMART_PAGE_ENTRIES - 1; id++) {
		e.id = (uint8_t)id;
		assert_int_equal(blob_put_attr(&b, &e, 0), 0);
	}
	e.id = 250;
	assert_int_equal(blob_put_attr(&b, &e, 0), -ENOSPC);
}

static void test_read_good(void **state)
{
	struct smart_reading r;
	struct smart_derived d;
	struct blob b;

	(void)state;
	bb_healthy_hdd(&b, "S1");
	bb_read(&b, &r);
	assert_int_equal(r.status, READING_OK);
	assert_string_equal(r.reason, "");
	assert_int_equal(r.smart_ok, 1);
	attrs_derive(&r, &d);
	assert_int_equal(d.reallocated, 0);
	assert_int_equal(d.pending, 0);
	assert_int_equal(d.offline_uncorrectable, 0);
	assert_int_equal(d.temperature_c, 40);
}

static void test_read_reallocated(void **state)
{
	struct smart_reading r;
	struct smart_derived d;
	struct blob b;

	(void)state;
	bb_healthy_hdd(&b, "S1");
	bb_attr(&b, 5, 0x0033, 192, 192, 140, 63);
	bb_attr(&b, 196, 0x0032, 137, 137, 0, 63);
	bb_read(&b, &r);
	assert_int_equal(r.status, READING_OK);
	attrs_derive(&r, &d);
	assert_int_equal(d.reallocated, 63);
	assert_int_equal(d.reallocation_events, 63);
	assert_int_equal(d.pending, 0);
	assert_int_equal(smart_reading_attr(&r, 5)->current, 192);
}

static void test_read_pending(void **state)
{
	struct smart_reading r;
	struct smart_derived d;
	struct blob b;

	(void)state;
	bb_healthy_hdd(&b, "S1");
	bb_attr(&b, 197, 0x0032, 194, 193, 0, 529);
	bb_attr(&b, 198, 0x0030, 200, 193, 0, 3);
	bb_read(&b, &r);
	assert_int_equal(r.status, READING_OK);
	attrs_derive(&r, &d);
	assert_int_equal(d.reallocated, 0);
	assert_int_equal(d.pending, 529);
	assert_int_equal(d.offline_uncorrectable, 3);
}

static void test_read_failed_self_assessment(void **state)
{
	struct smart_reading r;
	struct blob b;

	(void)state;
	bb_healthy_hdd(&b, "S1");
	b.status = 0;
	bb_read(&b, &r);
	/* the verdict is a fact of a usable reading, not a reason to distrust it */
	assert_int_equal(r.status, READING_OK);
	assert_int_equal(r.smart_ok, 0);
	assert_int_equal(r.n_attrs, 11);
}

static void expect_unusable(const struct blob *b, const char *want, bool identity_valid)
{
	struct smart_reading r;

	bb_read(b, &r);
	assert_int_equal(r.status, READING_UNUSABLE);
	if (!strstr(r.reason, want))
		fail_msg("reason '%s' does not contain '%s'", r.reason, want);
	assert_int_equal(r.identity_valid, identity_valid);
	assert_int_equal(r.n_attrs, 0);
	assert_int_equal(r.smart_ok, -1);
}

static void test_read_corrupt_checksum(void **state)
{
	struct smart_reading r;
	struct blob b;

	(void)state;
	bb_healthy_hdd(&b, "S1");
	b.data[100] ^= 0x10;
	expect_unusable(&b, "SMART data page checksum mismatch", true);
	bb_read(&b, &r);
	assert_string_equal(r.identity.serial, "S1"); /* who it was is still worth recording */

	bb_healthy_hdd(&b, "S1");
	b.thresholds[100] ^= 0x10;
	expect_unusable(&b, "SMART threshold page checksum mismatch", true);

	bb_healthy_hdd(&b, "S1");
	b.identify[200] ^= 0x10;
	expect_unusable(&b, "identify page checksum mismatch", false);
}

/* Overwrite the attribute table with bytes of a fixed seed, then make the checksum right again. */
static void garble_table(uint8_t data[ATA_PAGE], uint32_t seed)
{
	for (unsigned i = 2; i < 2 + 12 * SMART_PAGE_ENTRIES; i++) {
		seed = seed * 1103515245u + 12345u;
		data[i] = (uint8_t)(seed >> 16);
	}
	ata_page_fix_checksum(data);
}

static void test_read_garbage_table(void **state)
{
	struct smart_reading r;
	struct blob b;

	(void)state;
	/* libatasmart would read any of these as a healthy drive: the checksum is right */
	for (uint32_t seed = 1; seed <= 20; seed++) {
		bb_healthy_hdd(&b, "S1");
		garble_table(b.data, seed);
		expect_unusable(&b, "attribute table corrupt", true);
	}
	/* Distinct ids, nothing odd on the data page alone: only the thresholds page can tell. */
	bb_healthy_hdd(&b, "S1");
	for (unsigned slot = 0; slot < SMART_PAGE_ENTRIES; slot++)
		b.data[2 + 12 * slot] = (uint8_t)(100 + slot);
	ata_page_fix_checksum(b.data);
	expect_unusable(&b, "attribute table corrupt: slot 0 holds id 100, thresholds say 1", true);
	/* a table listing an id twice is firmware's doing (Kingston A400, SATADOMs), not damage: read as smartctl reads it */
	bb_healthy_hdd(&b, "S1");
	b.has_thresholds = false;
	b.data[2 + 12] = b.data[2];
	ata_page_fix_checksum(b.data);
	bb_read(&b, &r);
	assert_int_equal(r.status, READING_OK);
	assert_int_equal(r.attrs[0].id, r.attrs[1].id);
	assert_ptr_equal(smart_reading_attr(&r, r.attrs[0].id), &r.attrs[0]);
}

static void test_read_malformed(void **state)
{
	struct smart_reading r;
	uint8_t buf[2048] = { 0 };
	size_t len;

	(void)state;
	smart_read_blob(buf, 0, &r);
	assert_int_equal(r.status, READING_UNUSABLE);
	assert_string_equal(r.reason, "empty blob");
	assert_string_equal(r.access, "blob");
	len = put_rec(buf, "IDFY", 512, 0x20);
	smart_read_blob(buf, len - 1, &r);
	assert_int_equal(r.status, READING_UNUSABLE);
	assert_non_null(strstr(r.reason, "truncated record 'IDFY'"));
	assert_false(r.identity_valid);
	len += put_rec(buf + len, "SMST", 5, 0);
	smart_read_blob(buf, len, &r);
	assert_int_equal(r.status, READING_UNUSABLE);
	assert_non_null(strstr(r.reason, "has length 5, expected 4"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serialize_roundtrip),
		cmocka_unit_test(test_parse_empty),
		cmocka_unit_test(test_parse_truncated),
		cmocka_unit_test(test_parse_missing_identify),
		cmocka_unit_test(test_parse_wrong_length),
		cmocka_unit_test(test_parse_duplicate),
		cmocka_unit_test(test_parse_unknown_tag),
		cmocka_unit_test(test_parse_status_value),
		cmocka_unit_test(test_save_load),
		cmocka_unit_test(test_page_checksum),
		cmocka_unit_test(test_identify_strings),
		cmocka_unit_test(test_identify_sectors),
		cmocka_unit_test(test_identify_smart),
		cmocka_unit_test(test_smart_page),
		cmocka_unit_test(test_threshold_page),
		cmocka_unit_test(test_put_attr),
		cmocka_unit_test(test_read_good),
		cmocka_unit_test(test_read_reallocated),
		cmocka_unit_test(test_read_pending),
		cmocka_unit_test(test_read_failed_self_assessment),
		cmocka_unit_test(test_read_corrupt_checksum),
		cmocka_unit_test(test_read_garbage_table),
		cmocka_unit_test(test_read_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
