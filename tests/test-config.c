/* test-config.c — the configuration file: what is accepted, and errors that name file and line */
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

#include "config.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/wg-test-config-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/weargate.conf", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_conf_n(const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

static void write_conf(const char *text)
{
	write_conf_n(text, strlen(text));
}

/* Load text; expect failure whose message contains want (with %s standing for the file). */
static void expect_error(const char *text, const char *want)
{
	struct wg_err err = { "" };
	struct config *c = NULL;
	const char *hole = strstr(want, "%s");
	char expected[512];

	write_conf(text);
	assert_true(config_load(path, &c, &err) < 0);
	assert_null(c);
	if (hole)
		snprintf(expected, sizeof(expected), "%.*s%s%s", (int)(hole - want), want, path, hole + 2);
	else
		snprintf(expected, sizeof(expected), "%s", want);
	if (!strstr(err.msg, expected))
		fail_msg("error '%s' does not contain '%s'", err.msg, expected);
}

static void test_valid(void **state)
{
	struct wg_err err = { "" };
	struct config *c = NULL;
	char want[192];

	(void)state;
	write_conf("# the demo\n"
		   "database = \"history.db\"\n"
		   "drive \"sda\" { device = \"/dev/disk/by-id/ata-X\" access = \"linux-ide\" }\n"
		   "drive \"demo-1\" {\n  blob = \"blobs/demo.blob\"\n}\n");
	assert_int_equal(config_load(path, &c, &err), 0);
	snprintf(want, sizeof(want), "%s/history.db", dir);
	assert_string_equal(c->database, want);
	assert_int_equal(c->n_drives, 2);
	assert_string_equal(c->drives[0].name, "sda");
	assert_int_equal(c->drives[0].source, DRIVE_DEVICE);
	assert_string_equal(c->drives[0].path, "/dev/disk/by-id/ata-X");
	assert_int_equal(c->drives[0].access, SMART_ACCESS_LINUX_IDE);
	assert_int_equal(c->drives[1].source, DRIVE_BLOB);
	snprintf(want, sizeof(want), "%s/blobs/demo.blob", dir);
	assert_string_equal(c->drives[1].path, want);
	assert_ptr_equal(config_drive(c, "demo-1"), &c->drives[1]);
	assert_null(config_drive(c, "sdb"));
	config_free(c);
}

static void test_defaults(void **state)
{
	struct wg_err err = { "" };
	struct config *c = NULL;

	(void)state;
	write_conf("");
	assert_int_equal(config_load(path, &c, &err), 0);
	assert_string_equal(c->database, "/var/lib/weargate/history.db");
	assert_int_equal(c->n_drives, 0);
	config_free(c);
	config_free(NULL);
}

static void test_errors(void **state)
{
	struct wg_err err = { "" };

	(void)state;
	expect_error("database = \"x\"\nbogus = 1\n", "%s:2: no such option 'bogus'");
	expect_error("drive \"sda\" {\n  device = \"/dev/sda\"\n  colour = \"red\"\n}\n", "%s:3: no such option 'colour'");
	expect_error("\n\ndrive \"sda\" {\n}\n", "%s:3: drive 'sda' needs exactly one of 'device' or 'blob'");
	expect_error("drive \"sda\" { device = \"/dev/sda\" blob = \"x\" }\n",
		     "%s:1: drive 'sda' needs exactly one of 'device' or 'blob'");
	expect_error("drive \"sda\" { device = \"sda\" }\n", "%s:1: drive 'sda': device 'sda' is not an absolute path");
	expect_error("drive \"sda\" { device = \"/dev/sda\" access = \"scsi\" }\n",
		     "%s:1: drive 'sda': access 'scsi' is not one of");
	expect_error("drive \"sda\" { blob = \"x\" access = \"sat16\" }\n", "drive 'sda': 'access' applies to a device");
	expect_error("drive \"sda\" { blob = \"a\" }\ndrive \"sda\" { blob = \"b\" }\n", "%s:2: found duplicate title 'sda'");
	expect_error("drive \"s d\" { blob = \"a\" }\n", "%s:1: drive name 's d' is not valid");
	expect_error("drive \"sda\" { blob = \"\" }\n", "%s:1: drive 'sda': empty path");
	expect_error("database = \"\"\n", "%s: 'database' is empty");
	expect_error("database = \n", "%s:2: premature end of file");
	expect_error("database = \"a\"\x01\x02\n", "%s:1:");
	write_conf_n("a\0b", 3);
	assert_true(config_load(path, &(struct config *){ NULL }, &err) == -EINVAL);
	assert_non_null(strstr(err.msg, "is not a text file"));
}

static void test_not_a_file(void **state)
{
	struct wg_err err = { "" };
	struct config *c = NULL;
	char missing[160];

	(void)state;
	assert_int_equal(config_load(dir, &c, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "is not a regular file"));
	snprintf(missing, sizeof(missing), "%s/missing.conf", dir);
	assert_int_equal(config_load(missing, &c, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "cannot open"));
	assert_non_null(strstr(err.msg, "missing.conf"));
}

static void test_too_large(void **state)
{
	struct wg_err err = { "" };
	struct config *c = NULL;
	FILE *f = fopen(path, "w");

	(void)state;
	assert_non_null(f);
	for (int i = 0; i < 200000; i++)
		fputs("# padding\n", f);
	fclose(f);
	assert_int_equal(config_load(path, &c, &err), -EFBIG);
	assert_non_null(strstr(err.msg, "is larger than"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_valid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_large, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
