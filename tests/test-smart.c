/* test-smart.c — readings from blobs and devices: what is read, what is learnt, and what is refused */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "attrs.h"
#include "blob-builder.h"
#include "drivedb.h"
#include "smart.h"
#include "tmpdir.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/wg-test-smart-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return tmpdir_remove(dir);
}

static void path_in_dir(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void expect_reason(const struct smart_reading *r, enum reading_status status, const char *want)
{
	assert_int_equal(r->status, status);
	if (!strstr(r->reason, want))
		fail_msg("reason '%s' does not contain '%s'", r->reason, want);
}

static void test_read_identity(void **state)
{
	struct smart_reading r;
	struct blob b;

	(void)state;
	bb_healthy_hdd(&b, "WD-WCAPW1234567");
	identify_set_string(b.identify, IDENTIFY_FIRMWARE, "12.01C01");
	bb_read(&b, &r);
	assert_int_equal(r.status, READING_OK);
	assert_string_equal(r.reason, "");
	assert_true(r.identity_valid);
	assert_string_equal(r.identity.model, "WDC WD5000AAKS-00TMA0");
	assert_string_equal(r.identity.serial, "WD-WCAPW1234567");
	assert_string_equal(r.identity.firmware, "12.01C01");
	assert_int_equal(r.identity.sectors, 976773168);
	assert_string_equal(r.access, "blob");
	assert_int_equal(r.smart_ok, 1);
}

static void test_read_attrs(void **state)
{
	static const uint8_t raw5[6] = { 0x3f, 0, 0, 0, 0x12, 0x34 };
	const struct smart_attr *a;
	struct smart_reading r;
	struct blob b;

	(void)state;
	bb_init(&b, "M", "S", 1000);
	bb_attr(&b, 194, 0x0022, 110, 81, -1, 0x2a0f001e);
	bb_attr(&b, 5, 0x0033, 192, 190, 140, 0x34120000003fULL);
	bb_attr(&b, 9, 0x0032, 80, 80, 0, 14992);
	b.data[SMART_PAGE_SELF_TEST_OFFSET] = 0x25;
	ata_page_fix_checksum(b.data);
	bb_read(&b, &r);
	assert_int_equal(r.status, READING_OK);
	assert_int_equal(r.self_test, 0x25);
	/* page order, not sorted: what the drive wrote is what is kept */
	assert_int_equal(r.n_attrs, 3);
	assert_int_equal(r.attrs[0].id, 194);
	assert_int_equal(r.attrs[1].id, 5);
	assert_int_equal(r.attrs[2].id, 9);
	a = smart_reading_attr(&r, 5);
	assert_ptr_equal(a, &r.attrs[1]);
	assert_int_equal(a->flags, 0x0033);
	assert_int_equal(a->current, 192);
	assert_int_equal(a->worst, 190);
	assert_memory_equal(a->raw, raw5, 6);
	assert_true(a->threshold_valid);
	assert_int_equal(a->threshold, 140);
	assert_false(smart_reading_attr(&r, 194)->threshold_valid);
	assert_true(smart_reading_attr(&r, 9)->threshold_valid);
	assert_null(smart_reading_attr(&r, 197));
}

static void test_no_thresholds_page(void **state)
{
	struct smart_reading r;
	struct blob b;

	(void)state;
	bb_healthy_hdd(&b, "S1");
	b.has_thresholds = false;
	bb_read(&b, &r);
	assert_int_equal(r.status, READING_OK);
	assert_int_equal(r.n_attrs, 11);
	for (unsigned i = 0; i < r.n_attrs; i++)
		assert_false(r.attrs[i].threshold_valid);
}

static void test_no_status_record(void **state)
{
	struct smart_reading r;
	struct blob b;

	(void)state;
	bb_healthy_hdd(&b, "S1");
	b.has_status = false;
	bb_read(&b, &r);
	assert_int_equal(r.status, READING_OK);
	assert_int_equal(r.smart_ok, -1);
}

static void test_no_smart(void **state)
{
	struct smart_reading r;
	struct blob b;

	(void)state;
	bb_init(&b, "QEMU HARDDISK", "S1", 1000);
	b.has_data = b.has_thresholds = false;
	bb_read(&b, &r);
	expect_reason(&r, READING_UNSUPPORTED, "no SMART data in the reading");
	assert_true(r.identity_valid);
	assert_string_equal(r.identity.model, "QEMU HARDDISK");
	/* a data page without a single attribute is no reading either */
	bb_init(&b, "M", "S1", 1000);
	bb_read(&b, &r);
	expect_reason(&r, READING_UNUSABLE, "SMART data page lists no attributes");
}

static void test_identify_problems(void **state)
{
	struct smart_reading r;
	struct blob b;

	(void)state;
	bb_healthy_hdd(&b, "S1");
	identify_set_string(b.identify, IDENTIFY_MODEL, "");
	bb_read(&b, &r);
	expect_reason(&r, READING_UNUSABLE, "identify page has no model name");
	assert_false(r.identity_valid);
	/* without the signature (older and emulated drives) a wrong sum proves nothing */
	bb_healthy_hdd(&b, "S1");
	b.identify[ATA_PAGE - 2] = 0;
	b.identify[200] ^= 1;
	bb_read(&b, &r);
	assert_int_equal(r.status, READING_OK);
}

/* The page decoded by weargate itself: the 12th byte of each entry, the rotation rate, a repeated id. */
static void test_page_decoding(void **state)
{
	struct smart_reading r;
	struct blob b;
	int slot;

	(void)state;
	bb_healthy_hdd(&b, "S1");
	bb_read(&b, &r);
	assert_int_equal(r.identity.rotation, 0);
	identify_set_rotation(b.identify, 1);
	slot = smart_page_find(b.data, 9);
	b.data[2 + 12 * slot + 11] = 0x11; /* Seagate's milliseconds spill into it */
	ata_page_fix_checksum(b.data);
	bb_read(&b, &r);
	assert_int_equal(r.status, READING_OK);
	assert_int_equal(r.identity.rotation, 1);
	assert_int_equal(smart_reading_attr(&r, 9)->reserved, 0x11);
	assert_int_equal(smart_reading_attr(&r, 5)->reserved, 0);
	/* Kingston A400 lists 246 twice, in both pages: usable, both kept, the first read */
	bb_init(&b, "KINGSTON SA400S37240G", "S1", 468862128);
	bb_attr(&b, 1, 0x0032, 100, 100, 0, 0);
	for (int i = 0; i < 2; i++) {
		struct ata_attr_entry e = { .id = 246, .current = 100, .worst = 100 };

		attr_set_raw48(e.raw, 393936 + (uint64_t)i);
		smart_page_set(b.data, 1 + (unsigned)i, &e);
		threshold_page_set(b.thresholds, 1 + (unsigned)i, 246, (uint8_t)i);
	}
	bb_read(&b, &r);
	assert_int_equal(r.status, READING_OK);
	assert_int_equal(r.n_attrs, 3);
	assert_int_equal(r.attrs[1].id, 246);
	assert_int_equal(r.attrs[2].id, 246);
	assert_ptr_equal(smart_reading_attr(&r, 246), &r.attrs[1]);
	/* each entry has the threshold of its own slot */
	assert_int_equal(r.attrs[1].threshold, 0);
	assert_int_equal(r.attrs[2].threshold, 1);
	assert_int_equal(attrs_repeated_id(&r), 246);
}

static void test_read_blob_file(void **state)
{
	struct smart_reading r;
	char path[128], want[256];
	struct blob b;
	FILE *f;

	(void)state;
	path_in_dir(path, sizeof(path), "sda.blob");
	bb_healthy_hdd(&b, "S1");
	assert_int_equal(blob_save(path, &b), 0);
	smart_read_blob_file(path, &r);
	assert_int_equal(r.status, READING_OK);
	assert_string_equal(r.identity.serial, "S1");

	write_text(path, "");
	smart_read_blob_file(path, &r);
	expect_reason(&r, READING_UNUSABLE, "empty blob");

	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i <= 64 * 1024; i++)
		fputc('x', f);
	fclose(f);
	smart_read_blob_file(path, &r);
	expect_reason(&r, READING_UNUSABLE, "is larger than 65536 bytes: not a SMART blob");

	path_in_dir(path, sizeof(path), "missing.blob");
	smart_read_blob_file(path, &r);
	snprintf(want, sizeof(want), "cannot read '%s': No such file or directory", path);
	expect_reason(&r, READING_ERROR, want);
	assert_string_equal(r.access, "blob");
	assert_false(r.identity_valid);

	smart_read_blob_file(dir, &r);
	expect_reason(&r, READING_ERROR, "Is a directory");

	/* a FIFO is refused at once: the alarm ends the test if it waits for a writer instead */
	path_in_dir(path, sizeof(path), "fifo.blob");
	assert_int_equal(mkfifo(path, 0644), 0);
	alarm(10);
	smart_read_blob_file(path, &r);
	alarm(0);
	snprintf(want, sizeof(want), "cannot read '%s': a FIFO, not a saved reading", path);
	expect_reason(&r, READING_ERROR, want);

	/* a read that fails with EIO (address 0 of our own memory is not mapped): an error, not unusable */
	smart_read_blob_file("/proc/self/mem", &r);
	expect_reason(&r, READING_ERROR, "cannot read '/proc/self/mem': Input/output error");
	assert_false(r.identity_valid);
}

/* contrib's wg-blob writes what the tests and the demo read: check it with the reader itself. */
static void test_wg_blob_output(void **state)
{
	const char *wg_blob = getenv("WG_BLOB");
	char desc[128], out[128], cmd[512];
	const struct smart_attr *a;
	struct smart_reading r;

	(void)state;
	if (!wg_blob)
		skip();
	path_in_dir(desc, sizeof(desc), "made.desc");
	path_in_dir(out, sizeof(out), "made.blob");
	write_text(desc, "model \"WDC WD5000AAKS-00TMA0\"\nserial WD-1\nfirmware 12.01C01\nsectors 976773168\n"
			 "status bad\nself-test 0x21\n"
			 "attr 194 flags=0x0022 value=110 worst=95 raw=40\n"
			 "attr 5 flags=0x0033 value=192 worst=190 threshold=140 raw=63\n");
	snprintf(cmd, sizeof(cmd), "'%s' create '%s' '%s'", wg_blob, out, desc);
	assert_int_equal(system(cmd), 0);
	smart_read_blob_file(out, &r);
	assert_int_equal(r.status, READING_OK);
	assert_string_equal(r.identity.model, "WDC WD5000AAKS-00TMA0");
	assert_string_equal(r.identity.serial, "WD-1");
	assert_string_equal(r.identity.firmware, "12.01C01");
	assert_int_equal(r.identity.sectors, 976773168);
	assert_int_equal(r.smart_ok, 0);
	assert_int_equal(r.self_test, 0x21);
	assert_int_equal(r.n_attrs, 2);
	assert_int_equal(r.attrs[0].id, 194);
	assert_false(r.attrs[0].threshold_valid);
	a = smart_reading_attr(&r, 5);
	assert_non_null(a);
	assert_int_equal(a->flags, 0x0033);
	assert_int_equal(a->current, 192);
	assert_int_equal(a->worst, 190);
	assert_true(a->threshold_valid);
	assert_int_equal(a->threshold, 140);
	assert_int_equal(attr_raw48(a->raw), 63);
	/* an edit keeps the pages in step: the new attribute's threshold lands in its slot */
	snprintf(cmd, sizeof(cmd), "'%s' set '%s' 197 flags=0x0012 value=100 threshold=0 add=5", wg_blob, out);
	assert_int_equal(system(cmd), 0);
	smart_read_blob_file(out, &r);
	assert_int_equal(r.status, READING_OK);
	assert_int_equal(r.attrs[2].id, 197);
	assert_true(r.attrs[2].threshold_valid);
	assert_int_equal(attr_raw48(r.attrs[2].raw), 5);
}

/*
 * libatasmart's blob examples (../shared/smart-blobs/README.txt) read as smartctl reads them
 * without a drive database, with its default formats: NA where there is no such attribute or
 * its value cannot be a count (the 0085000B Fujitsus' 197 and 198, 48-bit noise), or power-on
 * hours past thirty years (their 9, and the SpinPoint's and the Toshiba's, which count other
 * units: the drive database says so, test_real_blobs_drivedb). skdump's figures differ where
 * libatasmart's own quirk table guesses (Maxtor's minutes, MCCOE64GEMPP's 5).
 */
#define NA ATTR_UNKNOWN

static const struct real_blob {
	const char *file;
	int smart_ok;
	int64_t reallocated, pending, offline_uncorrectable, temperature_c, power_on_hours, power_cycles;
} real_blobs[] = {
	{ "FUJITSU_MHY2120BH--0084000D", 1, 0, 0, 0, 28, 2208, 635 },
	{ "FUJITSU_MHY2120BH--0085000B", 1, 0, NA, NA, 34, 129691, 493 },
	{ "FUJITSU_MHY2250BH--0085000B", 1, 0, NA, NA, 39, NA, 512 },
	{ "FUJITSU_MHZ2160BH_G1--0084000A", 1, 0, 0, 0, 39, 929, 281 },
	{ "INTEL_SSDSA2CW120G3--4PC10302", 1, 0, NA, NA, NA, 45, 14 },
	{ "INTEL_SSDSA2MH080G1GC--045C8820", 1, 0, NA, NA, NA, 2309, 395 },
	{ "MCCOE64GEMPP--2.9.09", 1, 20480, 0, 0, NA, 1, 36 },
	{ "Maxtor_96147H8--BAC51KJ0", 1, 69, 2, 0, NA, 121017, 1807 },
	{ "Maxtor_96147H8--BAC51KJ0--2", 0, 69, 2, 0, NA, 135764, 1810 },
	{ "QEMU_E2E_SATA--2.5plus", 1, 0, NA, NA, 31, 1, 0 },
	{ "SAMSUNG_HD501LJ--CR100-12", 1, 1, 1, 0, 47, 7326, 88 },
	{ "SAMSUNG_MMCQE28G8MUP--0VA_VAM08L1Q", 1, NA, NA, 0, NA, 2417, 521 },
	{ "SAMSUNG_MP0804H--UE100-14", 1, 0, 0, 0, 48, NA, 987 },
	{ "ST320410A--3.39", 1, 5, 0, 0, 40, 30387, 1755 },
	{ "ST9100821AS--3.CME", 1, 0, 0, 0, 34, 4377, 550 },
	{ "ST9160821AS--3.CLH", 1, 0, 1, 1, 38, 556, 465 },
	{ "TOSHIBA_MK1651GSY--38IGT0G5T", 1, 1, NA, NA, 41, NA, 503 },
	{ "WDC_WD2500JB--00REA0-20.00K20", -1, 0, 1, 0, 17, 2379, 204 },
	{ "WDC_WD2500JS-75NCB3--10.02E04", 1, 0, 0, 0, 38, 6626, 598 },
	{ "WDC_WD5000AAKS--00TMA0-12.01C01", 1, 63, 529, 0, 40, 14992, 56 },
};

/*
 * The same, read with the installed drive database where its entry for the model changes a
 * value: Maxtor, Toshiba and Samsung count power-on time in minutes or half-minutes, and the
 * SpinPoint T166's 197 is a total that never goes down ("197,increasing"), not a pending count.
 */
static const struct real_blob real_blobs_drivedb[] = {
	{ "Maxtor_96147H8--BAC51KJ0", 1, 69, 2, 0, NA, 2016, 1807 },
	{ "SAMSUNG_MP0804H--UE100-14", 1, 0, 0, 0, 48, 4645, 987 },
	{ "TOSHIBA_MK1651GSY--38IGT0G5T", 1, 1, NA, NA, 41, 6310, 503 },
	{ "SAMSUNG_HD501LJ--CR100-12", 1, 1, NA, 0, 47, 7326, 88 },
};

static void expect_count(const char *file, const char *what, int64_t got, int64_t want)
{
	if (got != want)
		fail_msg("%s: %s is %lld, expected %lld", file, what, (long long)got, (long long)want);
}

static void check_real_blob(const char *blobs, const struct real_blob *e, struct drivedb *db)
{
	struct smart_reading r;
	struct smart_derived d;
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", blobs, e->file);
	smart_read_blob_file(path, &r);
	if (db) {
		struct drivedb_match *m = malloc(sizeof(*m));

		assert_non_null(m);
		assert_int_equal(drivedb_match(db, r.identity.model, r.identity.firmware, m), 1);
		r.defs = drivedb_defs(m->defaults, m->presets);
		free(m);
	}
	if (r.status != READING_OK)
		fail_msg("%s: %s: %s", e->file, reading_status_to_string(r.status), r.reason);
	if (r.smart_ok != e->smart_ok)
		fail_msg("%s: smart_ok is %d, expected %d", e->file, r.smart_ok, e->smart_ok);
	attrs_derive(&r, &d);
	expect_count(e->file, "reallocated", d.reallocated, e->reallocated);
	expect_count(e->file, "pending", d.pending, e->pending);
	expect_count(e->file, "offline uncorrectable", d.offline_uncorrectable, e->offline_uncorrectable);
	expect_count(e->file, "temperature", d.temperature_c, e->temperature_c);
	expect_count(e->file, "power-on hours", d.power_on_hours, e->power_on_hours);
	expect_count(e->file, "power cycles", d.power_cycles, e->power_cycles);
}

static const char *real_blobs_dir(void)
{
	const char *blobs = getenv("WEARGATE_SMART_BLOBS");
	struct stat st;

	if (!blobs || stat(blobs, &st) < 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return blobs;
}

static void test_real_blobs(void **state)
{
	const char *blobs = real_blobs_dir();

	(void)state;
	if (!blobs)
		skip();
	for (size_t i = 0; i < WG_ELEMENTSOF(real_blobs); i++)
		check_real_blob(blobs, &real_blobs[i], NULL);
}

static void test_real_blobs_drivedb(void **state)
{
	const char *blobs = real_blobs_dir();
	struct wg_err err = { "" };
	struct drivedb *db = NULL;

	(void)state;
	if (!blobs || drivedb_load(DRIVEDB_PACKAGE_PATH, &db, &err) < 0) {
		print_message("skipped: needs ../shared/smart-blobs and smartmontools' %s (%s)\n", DRIVEDB_PACKAGE_PATH,
			      err.msg[0] ? err.msg : "no blobs");
		skip();
	}
	for (size_t i = 0; i < WG_ELEMENTSOF(real_blobs_drivedb); i++)
		check_real_blob(blobs, &real_blobs_drivedb[i], db);
	drivedb_free(db);
}

/* Whatever else lands in the directory must read as well. */
static void test_real_blobs_all_usable(void **state)
{
	const char *blobs = real_blobs_dir();
	struct smart_reading r;
	struct dirent *de;
	char path[512];
	unsigned n = 0;
	DIR *d;

	(void)state;
	if (!blobs)
		skip();
	d = opendir(blobs);
	assert_non_null(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || strstr(de->d_name, "README"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", blobs, de->d_name);
		smart_read_blob_file(path, &r);
		if (r.status != READING_OK)
			fail_msg("%s: %s: %s", de->d_name, reading_status_to_string(r.status), r.reason);
		n++;
	}
	closedir(d);
	assert_true(n >= WG_ELEMENTSOF(real_blobs));
}

static const struct smart_device_opts *device_opts(bool wake, const char *sysfs_root)
{
	static struct smart_device_opts opts;

	opts = (struct smart_device_opts){ .access = SMART_ACCESS_AUTO, .wake = wake, .sysfs_root = sysfs_root };
	return &opts;
}

static void test_device_missing(void **state)
{
	struct smart_reading r;
	char want[160];

	(void)state;
	smart_read_device("/nonexistent-weargate/sdz", device_opts(false, dir), &r);
	snprintf(want, sizeof(want), "cannot open '%s': No such file or directory", "/nonexistent-weargate/sdz");
	expect_reason(&r, READING_ERROR, want);
	assert_false(r.identity_valid);
	assert_int_equal(r.n_attrs, 0);
	assert_int_equal(r.smart_ok, -1);
}

static void test_device_not_a_disk(void **state)
{
	const char *paths[3] = { "/dev/null", dir, NULL };
	struct smart_reading r;
	char file[128], want[256];

	(void)state;
	path_in_dir(file, sizeof(file), "not-a-disk");
	write_text(file, "hello\n");
	paths[2] = file;
	for (size_t i = 0; i < WG_ELEMENTSOF(paths); i++) {
		smart_read_device(paths[i], device_opts(true, dir), &r);
		snprintf(want, sizeof(want), "cannot read '%s': not a block device", paths[i]);
		expect_reason(&r, READING_ERROR, want);
	}
}

/* A fake sysfs where the disk NAME's runtime PM status is state. */
static void fake_runtime_status(const char *root, const char *name, const char *state)
{
	char path[256];

	snprintf(path, sizeof(path), "mkdir -p '%s/block/%s/device/power'", root, name);
	assert_int_equal(system(path), 0);
	snprintf(path, sizeof(path), "%s/block/%s/device/power/runtime_status", root, name);
	write_text(path, state);
}

static void test_standby_runtime_pm(void **state)
{
	char root[128], disk[128], link[128];
	struct smart_reading r;

	(void)state;
	path_in_dir(root, sizeof(root), "sys");
	fake_runtime_status(root, "sdz", "suspended\n");
	/* never opened: the path does not even exist */
	smart_read_device("/nonexistent-weargate/sdz", device_opts(false, root), &r);
	expect_reason(&r, READING_STANDBY, "runtime suspended");
	assert_false(r.identity_valid);
	smart_read_device("/nonexistent-weargate/sdz", device_opts(true, root), &r);
	expect_reason(&r, READING_ERROR, "cannot open");

	/* a /dev/disk/by-id link names the disk it points to */
	path_in_dir(disk, sizeof(disk), "sdz");
	write_text(disk, "");
	path_in_dir(link, sizeof(link), "ata-WDC_WD5000AAKS-00TMA0_WD-WCAPW1234567");
	assert_int_equal(symlink(disk, link), 0);
	smart_read_device(link, device_opts(false, root), &r);
	expect_reason(&r, READING_STANDBY, "runtime suspended");

	fake_runtime_status(root, "sdz", "active\n");
	smart_read_device("/nonexistent-weargate/sdz", device_opts(false, root), &r);
	expect_reason(&r, READING_ERROR, "cannot open");
}

static void test_names(void **state)
{
	enum smart_access a = SMART_ACCESS_AUTO;

	(void)state;
	for (int i = 0; i < _SMART_ACCESS_MAX; i++) {
		assert_int_equal(smart_access_from_string(smart_access_to_string((enum smart_access)i), &a), 0);
		assert_int_equal(a, i);
	}
	assert_int_equal(smart_access_from_string("linux-ide", &a), 0);
	assert_int_equal(a, SMART_ACCESS_LINUX_IDE);
	assert_int_equal(smart_access_from_string("scsi", &a), -EINVAL);
	assert_string_equal(reading_status_to_string(READING_STANDBY), "standby");
	assert_string_equal(reading_status_to_string(_READING_STATUS_MAX), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_identity),
		cmocka_unit_test(test_read_attrs),
		cmocka_unit_test(test_no_thresholds_page),
		cmocka_unit_test(test_no_status_record),
		cmocka_unit_test(test_no_smart),
		cmocka_unit_test(test_identify_problems),
		cmocka_unit_test(test_page_decoding),
		cmocka_unit_test(test_read_blob_file),
		cmocka_unit_test(test_wg_blob_output),
		cmocka_unit_test(test_real_blobs),
		cmocka_unit_test(test_real_blobs_drivedb),
		cmocka_unit_test(test_real_blobs_all_usable),
		cmocka_unit_test(test_device_missing),
		cmocka_unit_test(test_device_not_a_disk),
		cmocka_unit_test(test_standby_runtime_pm),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
