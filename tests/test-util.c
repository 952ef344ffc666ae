/* test-util.c — durations, formatting, JSON strings, atomic files */
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

#include "util.h"

static void test_duration(void **state)
{
	int64_t v;

	(void)state;
	assert_int_equal(wg_parse_duration("90s", &v), 0);
	assert_int_equal(v, 90);
	assert_int_equal(wg_parse_duration("10m", &v), 0);
	assert_int_equal(v, 600);
	assert_int_equal(wg_parse_duration("6h", &v), 0);
	assert_int_equal(v, 21600);
	assert_int_equal(wg_parse_duration("7d", &v), 0);
	assert_int_equal(v, 604800);
	assert_int_equal(wg_parse_duration("2w", &v), 0);
	assert_int_equal(v, 1209600);
	assert_int_equal(wg_parse_duration("5y", &v), 0); /* a year is 365 days */
	assert_int_equal(v, 5 * 365 * 86400);
	assert_int_equal(wg_parse_duration("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(wg_parse_duration("45", &v), 0);
	assert_int_equal(v, 45);
	assert_int_equal(wg_parse_duration("", &v), -EINVAL);
	assert_int_equal(wg_parse_duration("-5s", &v), -EINVAL);
	assert_int_equal(wg_parse_duration(" 5s", &v), -EINVAL);
	assert_int_equal(wg_parse_duration("5x", &v), -EINVAL);
	assert_int_equal(wg_parse_duration("5hh", &v), -EINVAL);
	assert_int_equal(wg_parse_duration("h", &v), -EINVAL);
	assert_int_equal(wg_parse_duration("99999999999999999999", &v), -ERANGE);
	assert_int_equal(wg_parse_duration("9999999999999999w", &v), -ERANGE);
}

static void test_format(void **state)
{
	char buf[64];

	(void)state;
	wg_format_utc(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	wg_format_utc(1795632293, buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-25T18:44:53Z");
	wg_format_age(42, buf, sizeof(buf));
	assert_string_equal(buf, "42s");
	wg_format_age(600, buf, sizeof(buf));
	assert_string_equal(buf, "10m");
	wg_format_age(5 * 3600, buf, sizeof(buf));
	assert_string_equal(buf, "5h");
	wg_format_age(3 * 86400, buf, sizeof(buf));
	assert_string_equal(buf, "3d");
	wg_format_bytes(512, buf, sizeof(buf));
	assert_string_equal(buf, "512 B");
	wg_format_bytes(20000 * 512, buf, sizeof(buf));
	assert_string_equal(buf, "9.8 MiB");
	wg_format_bytes(UINT64_C(30) << 30, buf, sizeof(buf));
	assert_string_equal(buf, "30.0 GiB");
	wg_format_change(0, 8, buf, sizeof(buf));
	assert_string_equal(buf, "0 → 8");
	wg_format_change(8, 8, buf, sizeof(buf));
	assert_string_equal(buf, "8");
	wg_format_change(-1, 8, buf, sizeof(buf));
	assert_string_equal(buf, "? → 8");
	wg_format_change(-1, -1, buf, sizeof(buf));
	assert_string_equal(buf, "? → ?");
}

static void test_json_string(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	(void)state;
	wg_json_string(f, "a\"b\\c\nd\x01" "é");
	fputc(' ', f);
	wg_json_string(f, NULL);
	fclose(f);
	assert_string_equal(out, "\"a\\\"b\\\\c\\nd\\u0001é\" null");
	free(out);
}

/* The writer puts the commas between members, at every depth, and null where a value is not known. */
static void test_json_writer(void **state)
{
	char *out = NULL, *v[] = { "x", "y\"", NULL };
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct wg_json o, a, e;

	(void)state;
	wg_json_open(&o, f, '{');
	wg_json_str(&o, "s", "a");
	wg_json_str(&o, "n", NULL);
	wg_json_int(&o, "i", -5, true);
	wg_json_int(&o, "u", 7, false);
	wg_json_bool(&o, "t", 1);
	wg_json_bool(&o, "f", 0);
	wg_json_bool(&o, "b", -1);
	wg_json_utc(&o, "at", 86400);
	wg_json_utc(&o, "never", -1);
	wg_json_strv(&o, "v", v);
	wg_json_strv(&o, "none", NULL);
	wg_json_key(&o, "list");
	wg_json_open(&a, f, '[');
	wg_json_key(&a, NULL);
	wg_json_open(&e, f, '{');
	wg_json_close(&e, '}');
	wg_json_int(&a, NULL, 1, true);
	wg_json_close(&a, ']');
	wg_json_close(&o, '}');
	fclose(f);
	assert_string_equal(out, "{\"s\":\"a\",\"n\":null,\"i\":-5,\"u\":null,\"t\":true,\"f\":false,\"b\":null,"
				 "\"at\":\"1970-01-02T00:00:00Z\",\"never\":null,\"v\":[\"x\",\"y\\\"\"],\"none\":null,"
				 "\"list\":[{},1]}");
	free(out);
}

static void test_strlcpy(void **state)
{
	char buf[4];

	(void)state;
	assert_int_equal(wg_strlcpy(buf, "abc", sizeof(buf)), 0);
	assert_string_equal(buf, "abc");
	assert_int_equal(wg_strlcpy(buf, "abcd", sizeof(buf)), -ENAMETOOLONG);
	assert_string_equal(buf, "abc");
}

static void test_now(void **state)
{
	int64_t t;

	(void)state;
	setenv("WEARGATE_NOW", "1234", 1);
	assert_int_equal(wg_now(&t), 0);
	assert_int_equal(t, 1234);
	setenv("WEARGATE_NOW", "12x", 1);
	assert_int_equal(wg_now(&t), -EINVAL);
	/* the fake clock moves only by sleeping, and sleeping does not wait */
	setenv("WEARGATE_NOW", "1000", 1);
	wg_sleep(3600);
	assert_int_equal(wg_now(&t), 0);
	assert_int_equal(t, 4600);
	unsetenv("WEARGATE_NOW");
	assert_int_equal(wg_now(&t), 0);
	assert_true(t > 1700000000);
}

/* WEARGATE_NOW=@FILE: read at each look, so that a job can move the clock through its run. */
static void test_now_file(void **state)
{
	char dir[] = "/tmp/wg-test-util-XXXXXX", path[128], env[160];
	int64_t t, t0;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/clock", dir);
	snprintf(env, sizeof(env), "@%s", path);
	setenv("WEARGATE_NOW", env, 1);
	/* no file yet, and never read: no clock */
	assert_int_equal(wg_now(&t), -EINVAL);
	assert_non_null(f = fopen(path, "w"));
	fputs("1795654800\n", f);
	fclose(f);
	/* what wg_sleep() let pass in this process (test_now's hour) counts on top */
	assert_int_equal(wg_now(&t0), 0);
	assert_non_null(f = fopen(path, "w"));
	fputs("1795657200", f);
	fclose(f);
	assert_int_equal(wg_now(&t), 0);
	assert_int_equal(t - t0, 2400);
	wg_sleep(60);
	assert_int_equal(wg_now(&t), 0);
	assert_int_equal(t - t0, 2460);
	/* gone a moment: the clock stays where it was */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(wg_now(&t), 0);
	assert_int_equal(t - t0, 2460);
	assert_non_null(f = fopen(path, "w"));
	fputs("soon", f);
	fclose(f);
	assert_int_equal(wg_now(&t), -EINVAL);
	unlink(path);
	rmdir(dir);
	unsetenv("WEARGATE_NOW");
}

static void test_files(void **state)
{
	char dir[] = "/tmp/wg-test-util-XXXXXX", path[128];
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	assert_int_equal(wg_write_file_atomic(path, "hello", 5, 0644), 0);
	assert_int_equal(wg_write_file_atomic(path, "hello!", 6, 0644), 0);
	assert_int_equal(wg_read_file(path, 100, &buf, &len), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(buf, "hello!", 6);
	free(buf);
	assert_int_equal(wg_read_file(path, 5, &buf, &len), -EFBIG);
	assert_int_equal(wg_read_file(dir, 5, &buf, &len), -EISDIR);
	/* a FIFO without a writer is refused, not waited on (the alarm fails the test if it hangs) */
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	alarm(10);
	assert_int_equal(wg_read_file(path, 5, &buf, &len), -ESPIPE);
	alarm(0);
	unlink(path);
	snprintf(path, sizeof(path), "%s/missing", dir);
	assert_int_equal(wg_read_file(path, 5, &buf, &len), -ENOENT);
	snprintf(path, sizeof(path), "%s/f", dir);
	unlink(path);
	assert_int_equal(rmdir(dir), 0); /* no temp file left behind */
}

static void test_when(void **state)
{
	int64_t t;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(wg_parse_when("30d", 1795600000, &t), 0);
	assert_int_equal(t, 1795600000 - 30 * 86400);
	assert_int_equal(wg_parse_when("2026-11-25T18:44:53Z", 0, &t), 0);
	assert_int_equal(t, 1795632293);
	assert_int_equal(wg_parse_when("2026-11-25", 0, &t), 0);
	assert_int_equal(t, 1795564800);
	assert_int_equal(wg_parse_when("2026-11-25 18:44", 0, &t), 0);
	assert_int_equal(t, 1795632240);
	assert_int_equal(wg_parse_when("2026-11-25X", 0, &t), -EINVAL);
	assert_int_equal(wg_parse_when("yesterday", 0, &t), -EINVAL);
	assert_int_equal(wg_parse_when("2026-13-01", 0, &t), -EINVAL);
	/* days a month does not have: not quietly the next month's */
	assert_int_equal(wg_parse_when("2026-02-30", 0, &t), -EINVAL);
	assert_int_equal(wg_parse_when("2026-04-31T12:00Z", 0, &t), -EINVAL);
	assert_int_equal(wg_parse_when("2025-02-29", 0, &t), -EINVAL);
	assert_int_equal(wg_parse_when("2028-02-29", 0, &t), 0);
	assert_int_equal(wg_parse_when("2026-12-31T23:59:59Z", 0, &t), 0);
	assert_int_equal(t, 1798761599);
}

static void test_strv(void **state)
{
	char **v = NULL;

	(void)state;
	assert_int_equal(strv_length(v), 0);
	assert_false(strv_contains(v, "a"));
	assert_int_equal(strv_push(&v, "a"), 0);
	assert_int_equal(strv_push(&v, "bc"), 0);
	assert_int_equal(strv_length(v), 2);
	assert_string_equal(v[1], "bc");
	assert_null(v[2]);
	assert_true(strv_contains(v, "bc"));
	assert_false(strv_contains(v, "b"));
	strv_free(v);
	strv_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),    cmocka_unit_test(test_format), cmocka_unit_test(test_json_string), cmocka_unit_test(test_json_writer),
		cmocka_unit_test(test_strlcpy),     cmocka_unit_test(test_now),    cmocka_unit_test(test_files),
		cmocka_unit_test(test_strv),        cmocka_unit_test(test_when),   cmocka_unit_test(test_now_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
