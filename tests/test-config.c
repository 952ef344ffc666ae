/* test-config.c — the configuration file: what is accepted, and errors that name file and line */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/ioprio.h>

#include "config.h"
#include "tmpdir.h"

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
	(void)state;
	return tmpdir_remove(dir);
}

static void write_conf_n(const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	/* config_load() refuses a group-writable file, and a umask of 002 would make one */
	assert_int_equal(chmod(path, 0644), 0);
}

static void write_conf(const char *text)
{
	write_conf_n(text, strlen(text));
}

/* Load text, which must be valid. */
static struct config *load(const char *text)
{
	struct wg_err err = { "" };
	struct config *c = NULL;

	write_conf(text);
	if (config_load(path, &c, &err) < 0)
		fail_msg("config_load failed: %s", err.msg);
	return c;
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
	assert_int_equal(c->n_jobs, 0);
	assert_null(config_job(c, "backup"));
	/* DESIGN.md's numbers */
	assert_int_equal(c->policy.window, 7 * 86400);
	assert_int_equal(c->policy.failing_window, 86400);
	assert_int_equal(c->policy.failing_growth, 50);
	assert_int_equal(c->policy.cooldown_ok, 0);
	assert_int_equal(c->policy.cooldown_worn, 2 * 3600);
	assert_int_equal(c->policy.cooldown_degrading, 24 * 3600);
	assert_int_equal(c->policy.max_temperature, 55);
	assert_int_equal(c->policy.sample_max_age, 6 * 3600);
	assert_int_equal(c->policy.ssd_wear_low, 10);
	/* the runner's */
	assert_int_equal(c->watch_interval, 600);
	assert_int_equal(c->stop_grace, 30);
	assert_int_equal(c->run_until, -1);
	assert_null(c->notify);
	config_free(c);
	config_free(NULL);

	/* a section that sets one key leaves the others at their defaults */
	c = load("policy {\n  cooldown { worn = 3h }\n}\n");
	assert_int_equal(c->policy.cooldown_worn, 3 * 3600);
	assert_int_equal(c->policy.cooldown_ok, 0);
	assert_int_equal(c->policy.cooldown_degrading, 24 * 3600);
	assert_int_equal(c->policy.window, 7 * 86400);
	assert_int_equal(c->policy.max_temperature, 55);
	config_free(c);
}

static void test_policy(void **state)
{
	struct config *c;

	(void)state;
	c = load("sample_max_age = 90m\n"
		 "policy {\n"
		 "  window = 14d\n"
		 "  failing_window = 12h\n"
		 "  failing_growth = 20\n"
		 "  cooldown { ok = 10m  worn = 4h  degrading = 2d }\n"
		 "  max_temperature = 0\n"
		 "  ssd_wear_low = 5\n"
		 "}\n");
	assert_int_equal(c->policy.sample_max_age, 90 * 60);
	assert_int_equal(c->policy.window, 14 * 86400);
	assert_int_equal(c->policy.failing_window, 12 * 3600);
	assert_int_equal(c->policy.failing_growth, 20);
	assert_int_equal(c->policy.cooldown_ok, 600);
	assert_int_equal(c->policy.cooldown_worn, 4 * 3600);
	assert_int_equal(c->policy.cooldown_degrading, 2 * 86400);
	assert_int_equal(c->policy.max_temperature, 0);
	assert_int_equal(c->policy.ssd_wear_low, 5);
	config_free(c);

	/* the upper ends of the ranges */
	c = load("policy { failing_growth = 1000000  max_temperature = 127  ssd_wear_low = 100 }\n");
	assert_int_equal(c->policy.failing_growth, 1000000);
	assert_int_equal(c->policy.max_temperature, 127);
	assert_int_equal(c->policy.ssd_wear_low, 100);
	config_free(c);
}

static void test_policy_errors(void **state)
{
	(void)state;
	expect_error("policy {\n  window = 0\n}\n", "%s:2: policy: window '0' must be longer than 0");
	expect_error("policy {\n  failing_window = 7x\n}\n", "%s:2: policy: failing_window '7x' is not a duration");
	expect_error("sample_max_age = 0\n", "%s:1: sample_max_age '0' must be longer than 0");
	expect_error("\nsample_max_age = -6h\n", "%s:2: sample_max_age '-6h' is not a duration");
	expect_error("policy {\n\n  failing_growth = 0\n}\n",
		     "%s:3: policy: failing_growth '0' is not a whole number from 1 to 1000000");
	expect_error("policy { failing_growth = 1000001 }\n", "%s:1: policy: failing_growth '1000001' is not a whole number");
	/* libconfuse alone would read these as 16 and -1 */
	expect_error("policy { failing_growth = 0x10 }\n", "%s:1: policy: failing_growth '0x10' is not a whole number");
	expect_error("policy { max_temperature = -1 }\n", "%s:1: policy: max_temperature '-1' is not a whole number from 0 to 127");
	expect_error("policy { max_temperature = 128 }\n", "%s:1: policy: max_temperature '128' is not a whole number");
	expect_error("policy { max_temperature = 55C }\n", "%s:1: policy: max_temperature '55C' is not a whole number");
	expect_error("policy { ssd_wear_low = 101 }\n", "%s:1: policy: ssd_wear_low '101' is not a whole number from 0 to 100");
	expect_error("policy {\n  cooldown {\n    worn = 2h\n    failing = 1d\n  }\n}\n", "%s:4: no such option 'failing'");
	expect_error("policy {\n  cooldown {\n    worn = -2h\n  }\n}\n", "%s:3: cooldown: worn '-2h' is not a duration");
	expect_error("policy {\n  cooldown = 2h\n}\n", "%s:2: missing opening brace for section 'cooldown'");
	expect_error("policy {\n  sample_max_age = 2h\n}\n", "%s:2: no such option 'sample_max_age'");
	expect_error("policy {\n  max_temp = 50\n}\n", "%s:2: no such option 'max_temp'");
}

/* Every form a duration may take, read through a job's timeout. */
static void test_durations(void **state)
{
	static const struct {
		const char *text;
		int64_t seconds;
	} ok[] = {
		{ "90s", 90 },       { "10m", 600 },          { "6h", 6 * 3600 },       { "7d", 7 * 86400 },
		{ "2w", 14 * 86400 }, { "3600", 3600 },        { "0", 0 },               { "\"7d\"", 7 * 86400 },
		{ "'6h'", 6 * 3600 }, { "3650d", 3650LL * 86400 },
	};
	static const struct {
		const char *text, *value, *why;
	} bad[] = {
		{ "7x", "7x", "is not a duration such as 90s, 10m, 6h or 7d" },
		{ "-1d", "-1d", "is not a duration" },
		{ "\"\"", "", "is not a duration" },
		{ "1.5h", "1.5h", "is not a duration" },
		{ "7dd", "7dd", "is not a duration" },
		{ "d", "d", "is not a duration" },
		{ "7D", "7D", "is not a duration" },
		{ "\" 7d\"", " 7d", "is not a duration" },
		{ "3651d", "3651d", "is too long: at most 3650d" },
		{ "522w", "522w", "is too long" },
		{ "106751991167301d", "106751991167301d", "is too long" },
		{ "99999999999999999999", "99999999999999999999", "is too long" },
	};
	char text[256], want[256];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct config *c;

		snprintf(text, sizeof(text), "job \"j\" {\n  class = backup\n  paths = {\"/\"}\n  timeout = %s\n}\n",
			 ok[i].text);
		c = load(text);
		if (c->jobs[0].timeout != ok[i].seconds)
			fail_msg("timeout = %s read as %lld, not %lld", ok[i].text, (long long)c->jobs[0].timeout,
				 (long long)ok[i].seconds);
		config_free(c);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "job \"j\" {\n  class = backup\n  paths = {\"/\"}\n  timeout = %s\n}\n",
			 bad[i].text);
		snprintf(want, sizeof(want), "%%s:4: job 'j': timeout '%s' %s", bad[i].value, bad[i].why);
		expect_error(text, want);
	}
}

static void test_throttle(void **state)
{
	static const struct {
		const char *text;
		uint64_t bytes;
	} ok[] = {
		{ "\"20M\"", 20ULL << 20 }, { "20M", 20ULL << 20 }, { "1K", 1024 },
		{ "3G", 3ULL << 30 },       { "512", 512 },
	};
	static const struct {
		const char *text, *value, *why;
	} bad[] = {
		{ "0", "0", "is no rate: leave 'throttle' out for no limit" },
		{ "0M", "0M", "is no rate" },
		{ "20X", "20X", "is not a rate in bytes per second such as 512K, 20M or 1G" },
		{ "20m", "20m", "is not a rate" },
		{ "20MB", "20MB", "is not a rate" },
		{ "-1M", "-1M", "is not a rate" },
		{ "M", "M", "is not a rate" },
		{ "\"\"", "", "is not a rate" },
		{ "9999999999G", "9999999999G", "is too large" },
		{ "99999999999999999999", "99999999999999999999", "is too large" },
	};
	char text[256], want[256];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct config *c;

		snprintf(text, sizeof(text), "job \"j\" {\n  class = maintenance\n  paths = {\"/\"}\n  throttle = %s\n}\n",
			 ok[i].text);
		c = load(text);
		if (c->jobs[0].throttle != ok[i].bytes)
			fail_msg("throttle = %s read as %llu, not %llu", ok[i].text,
				 (unsigned long long)c->jobs[0].throttle, (unsigned long long)ok[i].bytes);
		config_free(c);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "job \"j\" {\n  class = maintenance\n  paths = {\"/\"}\n  throttle = %s\n}\n",
			 bad[i].text);
		snprintf(want, sizeof(want), "%%s:4: job 'j': throttle '%s' %s", bad[i].value, bad[i].why);
		expect_error(text, want);
	}
}

static void test_jobs(void **state)
{
	const struct job_cfg *j;
	struct config *c;

	(void)state;
	c = load("# two jobs and a gate-only one\n"
		 "job \"backup\" {\n"
		 "  class = backup\n"
		 "  command = {\"/usr/bin/borgmatic\", \"--verbosity\", \"1\"}\n"
		 "  paths = {\"/var/qmail\", \"/home\"}\n"
		 "  timeout = 8h\n"
		 "}\n"
		 "job \"queue-purge\" {\n"
		 "  class = \"maintenance\"\n"
		 "  command = {\"/usr/local/sbin/purge-queue\"}\n"
		 "  paths = {\"/var/qmail/queue\"}\n"
		 "  drives = {\"sda\", \"sdb\"}\n"
		 "  timeout = 0\n"
		 "  cooldown = 12h\n"
		 "  throttle = \"20M\"\n"
		 "  user = \"qmailq\"\n"
		 "  on_unknown = refuse\n"
		 "}\n"
		 "\n"
		 "job gate-only { class = maintenance  drives = {\"sdb\"}  cooldown = 0  on_unknown = go }\n"
		 "job \"b2\" { class = backup  drives = {\"sda\"}  on_unknown = defer }\n"
		 "drive \"sda\" { device = \"/dev/sda\" }\n" /* drives may come after the jobs naming them */
		 "drive \"sdb\" { device = \"/dev/sdb\" }\n");
	assert_int_equal(c->n_jobs, 4);

	j = config_job(c, "backup");
	assert_ptr_equal(j, &c->jobs[0]);
	assert_string_equal(j->name, "backup");
	assert_int_equal(j->line, 2);
	assert_int_equal(j->class, JOB_BACKUP);
	assert_int_equal(strv_length(j->command), 3);
	assert_string_equal(j->command[0], "/usr/bin/borgmatic");
	assert_string_equal(j->command[1], "--verbosity");
	assert_string_equal(j->command[2], "1");
	assert_null(j->command[3]);
	assert_int_equal(strv_length(j->paths), 2);
	assert_string_equal(j->paths[0], "/var/qmail");
	assert_string_equal(j->paths[1], "/home");
	assert_null(j->drives);
	assert_int_equal(j->timeout, 8 * 3600);
	assert_int_equal(j->cooldown, -1); /* unset: the state's */
	assert_int_equal(j->throttle, 0);
	assert_null(j->user);
	assert_int_equal(j->on_unknown, VERDICT_GO); /* a backup's default */
	assert_false(j->shell);
	assert_int_equal(j->nice, 10);
	assert_int_equal(j->ionice_class, IOPRIO_CLASS_BE);
	assert_int_equal(j->ionice_level, 7);
	assert_int_equal(j->watch_interval, 0); /* the file's */

	j = config_job(c, "queue-purge");
	assert_ptr_equal(j, &c->jobs[1]);
	assert_int_equal(j->line, 8);
	assert_int_equal(j->class, JOB_MAINTENANCE);
	assert_int_equal(strv_length(j->command), 1);
	assert_string_equal(j->command[0], "/usr/local/sbin/purge-queue");
	assert_int_equal(strv_length(j->paths), 1);
	assert_int_equal(strv_length(j->drives), 2);
	assert_string_equal(j->drives[0], "sda");
	assert_string_equal(j->drives[1], "sdb");
	assert_int_equal(j->timeout, 0);
	assert_int_equal(j->cooldown, 12 * 3600);
	assert_int_equal(j->throttle, 20 * 1024 * 1024);
	assert_string_equal(j->user, "qmailq");
	assert_int_equal(j->on_unknown, VERDICT_REFUSE);

	j = config_job(c, "gate-only");
	assert_non_null(j);
	assert_int_equal(j->line, 20); /* an unquoted title is found too */
	assert_null(j->command);
	assert_null(j->paths);
	assert_int_equal(j->cooldown, 0);
	assert_int_equal(j->on_unknown, VERDICT_GO);
	assert_int_equal(config_job(c, "b2")->on_unknown, VERDICT_DEFER);

	assert_null(config_job(c, "sda")); /* jobs and drives are separate namespaces */
	assert_null(config_job(c, "nightly"));
	config_free(c);

	/* a maintenance job defers on an unknown drive unless told otherwise */
	c = load("drive \"sda\" { device = \"/dev/sda\" }\njob \"scrub\" { class = maintenance  drives = {\"sda\"} }\n");
	assert_int_equal(c->jobs[0].on_unknown, VERDICT_DEFER);
	assert_int_equal(c->jobs[0].timeout, 0);
	config_free(c);

	/* a job and a drive may share a name */
	c = load("drive \"sda\" { device = \"/dev/sda\" }\njob \"sda\" { class = backup  drives = {\"sda\"} }\n");
	assert_string_equal(config_job(c, "sda")->name, "sda");
	assert_string_equal(config_drive(c, "sda")->name, "sda");
	config_free(c);
}

/* A self-test job: its test, its period, and the program keys it must not have. */
static void test_selftest_job(void **state)
{
	static const char drive[] = "drive \"sda\" { device = \"/dev/sda\" }\ndrive \"b\" { blob = \"/x.blob\" }\n";
	char text[1024];
	struct config *c;
	(void)state;

	snprintf(text, sizeof(text), "%sjob \"t\" {\n  class = selftest\n  test = long\n  drives = {\"sda\"}\n  every = 7d\n}\n", drive);
	c = load(text);
	assert_int_equal(config_job(c, "t")->class, JOB_SELFTEST);
	assert_int_equal(config_job(c, "t")->test, SMART_TEST_LONG);
	assert_int_equal(config_job(c, "t")->every, 7 * 86400);
	assert_int_equal(config_job(c, "t")->on_unknown, VERDICT_DEFER);
	config_free(c);
	snprintf(text, sizeof(text), "%sjob \"t\" {\n  class = selftest\n  drives = {\"sda\"}\n}\n", drive);
	expect_error(text, "%s:3: job 't' of class selftest needs a 'test': short, long or conveyance");
	snprintf(text, sizeof(text), "%sjob \"t\" {\n  class = selftest\n  test = quick\n  drives = {\"sda\"}\n}\n", drive);
	expect_error(text, "%s:5: job 't': test 'quick' is not one of short, long, conveyance");
	snprintf(text, sizeof(text), "%sjob \"t\" {\n  class = maintenance\n  test = short\n  drives = {\"sda\"}\n}\n", drive);
	expect_error(text, "%s:3: job 't': 'test = short' is only for a job of class selftest");
	snprintf(text, sizeof(text), "%sjob \"t\" {\n  class = selftest\n  test = short\n  command = {\"/bin/true\"}\n  drives = {\"sda\"}\n}\n", drive);
	expect_error(text, "%s:3: job 't': 'command' is not for a job of class selftest");
	snprintf(text, sizeof(text), "%sjob \"t\" {\n  class = selftest\n  test = short\n  throttle = \"10M\"\n  drives = {\"sda\"}\n}\n", drive);
	expect_error(text, "%s:3: job 't': 'throttle' is not for a job of class selftest");
	snprintf(text, sizeof(text), "%sjob \"t\" {\n  class = selftest\n  test = short\n  drives = {\"b\"}\n}\n", drive);
	expect_error(text, "%s:3: job 't': drive 'b' is a saved reading ('blob'), not a device: it runs no self-test");
	snprintf(text, sizeof(text), "%sjob \"t\" {\n  class = selftest\n  test = short\n}\n", drive);
	expect_error(text, "%s:3: job 't' touches no drive: give it 'paths' or 'drives'");
	snprintf(text, sizeof(text), "%sjob \"t\" {\n  class = backup\n  drives = {\"sda\"}\n  every = 0\n}\n", drive);
	expect_error(text, "%s:6: job 't': every '0' must be longer than 0");
	snprintf(text, sizeof(text), "%sjob \"t\" {\n  class = backup\n  drives = {\"sda\"}\n  every = weekly\n}\n", drive);
	expect_error(text, "%s:6: job 't': every 'weekly' is not a duration");
}

static void test_job_errors(void **state)
{
	(void)state;
	expect_error("job \"j\" {\n  class = backup\n  colour = \"red\"\n}\n", "%s:3: no such option 'colour'");
	expect_error("\njob \"j\" {\n  paths = {\"/\"}\n}\n", "%s:2: job 'j' needs a 'class': backup, maintenance or selftest");
	expect_error("job \"j\" {\n  paths = {\"/\"}\n  class = nightly\n}\n",
		     "%s:3: job 'j': class 'nightly' is not one of backup, maintenance");
	expect_error("job \"j\" {\n  class = backup\n  paths = {\"/\"}\n  on_unknown = maybe\n}\n",
		     "%s:4: job 'j': on_unknown 'maybe' is not one of go, defer, refuse");
	expect_error("\n\njob \"j\" {\n  class = backup\n  command = {\"/bin/true\"}\n}\n",
		     "%s:3: job 'j' touches no drive: give it 'paths' or 'drives'");
	expect_error("job \"j\" { class = backup  paths = {}  drives = {} }\n", "%s:1: job 'j' touches no drive");
	expect_error("drive \"sda\" { device = \"/dev/sda\" }\njob \"j\" {\n  class = backup\n  drives = {\"sda\", \"sdz\"}\n}\n",
		     "%s:2: job 'j': drive 'sdz' is not configured");
	expect_error("job \"j\" {\n  class = backup\n  paths = {\"/home\",\n    \"var/qmail\"}\n}\n",
		     "%s:4: job 'j': paths 'var/qmail' is not an absolute path");
	expect_error("job \"j\" { class = backup  paths = {\"\"} }\n", "%s:1: job 'j': paths '' is not an absolute path");
	expect_error("job \"j\" {\n  class = backup\n  paths = {\"/\"}\n  command = {\"borgmatic\", \"create\"}\n}\n",
		     "%s:4: job 'j': command 'borgmatic' is not an absolute path");
	expect_error("job \"j\" { class = backup  paths = {\"/\"}  command = \"./run\" }\n",
		     "%s:1: job 'j': command './run' is not an absolute path");
	expect_error("job \"j\" {\n  class = backup\n  paths = {\"/\"}\n  command = {}\n}\n",
		     "%s:1: job 'j': 'command' is empty");
	expect_error("job \"j\" { class = backup  paths = {\"/\"} }\n\njob \"j\" { class = backup  paths = {\"/\"} }\n",
		     "%s:3: found duplicate title 'j'");
	expect_error("job \"a b\" { class = backup  paths = {\"/\"} }\n", "%s:1: job name 'a b' is not valid");
	expect_error("job \"\" { class = backup  paths = {\"/\"} }\n", "%s:1: job name '' is not valid");
	expect_error("job \"j\" {\n  class = backup\n  paths = {\"/\"}\n  user = \"back:up\"\n}\n",
		     "%s:4: job 'j': user 'back:up' is not a user name");
	expect_error("job \"j\" { class = backup  paths = {\"/\"}  user = \"\" }\n", "%s:1: job 'j': user '' is not a user name");
	expect_error("job \"j\" {\n  class = backup\n  paths = {\"/\"}\n  cooldown { worn = 1h }\n}\n",
		     "%s:4: missing equal sign after option 'cooldown'");
	expect_error("job \"j\" {\n  class = backup\n  paths = {\"/\"}\n  cooldown = soon\n}\n",
		     "%s:4: job 'j': cooldown 'soon' is not a duration");
	expect_error("job \"j\" { class = backup  paths = {\"/\"}  window = 1d }\n", "%s:1: no such option 'window'");
}

static void test_runner(void **state)
{
	static const struct {
		const char *text;
		int minutes;
	} times[] = {
		{ "\"06:00\"", 360 }, { "06:00", 360 }, { "'6:30'", 390 }, { "\"00:00\"", 0 },
		{ "\"0:05\"", 5 },    { "\"23:59\"", 1439 }, { "\"12:00\"", 720 },
	};
	char text[128];
	struct config *c;

	(void)state;
	c = load("watch_interval = 5m\n"
		 "stop_grace = 2m\n"
		 "run_until = \"06:00\"\n"
		 "notify = {\"/usr/local/bin/weargate-mail\", \"root\", \"\"}\n");
	assert_int_equal(c->watch_interval, 300);
	assert_int_equal(c->stop_grace, 120);
	assert_int_equal(c->run_until, 6 * 60);
	assert_int_equal(strv_length(c->notify), 3);
	assert_string_equal(c->notify[0], "/usr/local/bin/weargate-mail");
	assert_string_equal(c->notify[1], "root");
	assert_string_equal(c->notify[2], "");
	config_free(c);

	/* the low ends: a grace of 0 kills at once; one value needs no braces; an empty list is none */
	c = load("watch_interval = 1\nstop_grace = 0\nnotify = \"/bin/logger\"\n");
	assert_int_equal(c->watch_interval, 1);
	assert_int_equal(c->stop_grace, 0);
	assert_int_equal(strv_length(c->notify), 1);
	assert_string_equal(c->notify[0], "/bin/logger");
	config_free(c);
	c = load("notify = {}\n");
	assert_null(c->notify);
	assert_null(c->drivedb); /* smartmontools' own places */
	config_free(c);
	c = load("drivedb = \"/etc/weargate/drivedb.h\"\n");
	assert_string_equal(c->drivedb, "/etc/weargate/drivedb.h");
	config_free(c);

	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		snprintf(text, sizeof(text), "run_until = %s\n", times[i].text);
		c = load(text);
		if (c->run_until != times[i].minutes)
			fail_msg("run_until = %s read as %d, not %d", times[i].text, c->run_until, times[i].minutes);
		config_free(c);
	}
}

static void test_runner_errors(void **state)
{
	static const struct {
		const char *text, *value;
	} bad_times[] = {
		{ "24:00", "24:00" },   { "\"23:60\"", "23:60" }, { "6", "6" },
		{ "\"06\"", "06" },     { "\"06:0\"", "06:0" },   { "\"06:000\"", "06:000" },
		{ "\"006:00\"", "006:00" }, { "\"-1:00\"", "-1:00" }, { "\"06-00\"", "06-00" },
		{ "6h", "6h" },         { "\" 06:00\"", " 06:00" }, { "\"06:00 \"", "06:00 " },
		{ "\"\"", "" },         { "\":00\"", ":00" },     { "\"06:5x\"", "06:5x" },
	};
	char text[128], want[192];

	(void)state;
	expect_error("watch_interval = 0\n", "%s:1: watch_interval '0' must be longer than 0");
	expect_error("\nwatch_interval = 10min\n", "%s:2: watch_interval '10min' is not a duration such as 90s");
	expect_error("watch_interval = 3651d\n", "%s:1: watch_interval '3651d' is too long: at most 3650d");
	expect_error("stop_grace = -1\n", "%s:1: stop_grace '-1' is not a duration");
	expect_error("\n\nstop_grace = soon\n", "%s:3: stop_grace 'soon' is not a duration");
	expect_error("notify = {\"weargate-mail\", \"root\"}\n",
		     "%s:1: notify 'weargate-mail' is not an absolute path: it runs without a search path");
	expect_error("notify = {\n  \"./mail\"\n}\n", "%s:2: notify './mail' is not an absolute path");
	expect_error("notify = {\"\"}\n", "%s:1: notify '' is not an absolute path");
	expect_error("\ndrivedb = \"drivedb.h\"\n", "%s:2: drivedb 'drivedb.h' is not an absolute path");
	for (size_t i = 0; i < sizeof(bad_times) / sizeof(bad_times[0]); i++) {
		snprintf(text, sizeof(text), "\nrun_until = %s\n", bad_times[i].text);
		snprintf(want, sizeof(want), "%%s:2: run_until '%s' is not a time of day from 00:00 to 23:59, such as 06:00",
			 bad_times[i].value);
		expect_error(text, want);
	}
	/* after a section, a key is the file's again */
	expect_error("job \"j\" { class = backup  paths = {\"/\"} }\nrun_until = 6\n", "%s:2: run_until '6' is not a time of day");
	expect_error("policy {\n  stop_grace = 1m\n}\n", "%s:2: no such option 'stop_grace'");
}

/* A job's command as a shell line, and how it is run: nice, ionice, its own watch interval. */
static void test_job_runner(void **state)
{
	static const struct {
		const char *text;
		int class, level;
	} ionice[] = {
		{ "none", IOPRIO_CLASS_NONE, 0 },         { "\"idle\"", IOPRIO_CLASS_IDLE, 0 },
		{ "\"best-effort:0\"", IOPRIO_CLASS_BE, 0 }, { "best-effort:4", IOPRIO_CLASS_BE, 4 },
		{ "'best-effort:7'", IOPRIO_CLASS_BE, 7 },
	};
	const struct job_cfg *j;
	char text[256];
	struct config *c;

	(void)state;
	c = load("drive \"sda\" { device = \"/dev/sda\" }\n"
		 "watch_interval = 15m\n"
		 "job \"purge\" {\n"
		 "  class = maintenance\n"
		 "  drives = {\"sda\"}\n"
		 "  command = {\"find /var/qmail/queue -type f -mtime +7 -delete; echo \\\"$0 $1\\\"\", \"purge\", \"old\"}\n"
		 "  shell = true\n" /* after the command: the command is judged when the section ends */
		 "  nice = 19\n"
		 "  ionice = \"idle\"\n"
		 "  watch_interval = 2m\n"
		 "}\n"
		 "job \"scrub\" {\n"
		 "  class = maintenance\n"
		 "  shell = true\n"
		 "  command = \"btrfs scrub start -B /\"\n"
		 "  drives = {\"sda\"}\n"
		 "  nice = 0\n"
		 "  ionice = none\n"
		 "}\n"
		 "job \"backup\" {\n"
		 "  class = backup\n"
		 "  command = {\"/usr/bin/borgmatic\"}\n"
		 "  drives = {\"sda\"}\n"
		 "  shell = false\n"
		 "}\n");
	assert_int_equal(c->watch_interval, 15 * 60);
	j = config_job(c, "purge");
	assert_true(j->shell);
	assert_int_equal(strv_length(j->command), 3);
	assert_string_equal(j->command[0], "find /var/qmail/queue -type f -mtime +7 -delete; echo \"$0 $1\"");
	assert_string_equal(j->command[1], "purge");
	assert_int_equal(j->nice, 19);
	assert_int_equal(j->ionice_class, IOPRIO_CLASS_IDLE);
	assert_int_equal(j->watch_interval, 120);
	j = config_job(c, "scrub");
	assert_true(j->shell);
	assert_int_equal(strv_length(j->command), 1);
	assert_int_equal(j->nice, 0);
	assert_int_equal(j->ionice_class, IOPRIO_CLASS_NONE);
	assert_int_equal(j->watch_interval, 0);
	j = config_job(c, "backup");
	assert_false(j->shell);
	assert_int_equal(j->nice, 10);
	assert_int_equal(j->ionice_class, IOPRIO_CLASS_BE);
	assert_int_equal(j->ionice_level, 7);
	config_free(c);

	for (size_t i = 0; i < sizeof(ionice) / sizeof(ionice[0]); i++) {
		snprintf(text, sizeof(text), "job \"j\" {\n  class = backup\n  paths = {\"/\"}\n  ionice = %s\n}\n",
			 ionice[i].text);
		c = load(text);
		if (c->jobs[0].ionice_class != ionice[i].class || c->jobs[0].ionice_level != ionice[i].level)
			fail_msg("ionice = %s read as class %d level %d", ionice[i].text, c->jobs[0].ionice_class,
				 c->jobs[0].ionice_level);
		config_free(c);
	}

	/* a relative command set and then replaced, or a relative one that `shell` makes a command line */
	c = load("job \"j\" {\n  class = backup\n  paths = {\"/\"}\n  command = {\"tar\"}\n  command = {\"/bin/tar\"}\n}\n");
	assert_string_equal(c->jobs[0].command[0], "/bin/tar");
	config_free(c);
	c = load("job \"j\" { class = backup  paths = {\"/\"}  shell = false  shell = true  command = \"tar\" }\n");
	assert_true(c->jobs[0].shell);
	config_free(c);
}

static void test_job_runner_errors(void **state)
{
	static const struct {
		const char *key, *text, *value, *why;
	} bad[] = {
		{ "shell", "yes", "yes", "is not true or false" },
		{ "shell", "\"TRUE\"", "TRUE", "is not true or false" },
		{ "shell", "1", "1", "is not true or false" },
		{ "nice", "20", "20", "is not a whole number from 0 to 19" },
		{ "nice", "-5", "-5", "is not a whole number from 0 to 19" },
		{ "nice", "ten", "ten", "is not a whole number" },
		{ "ionice", "best-effort:8", "best-effort:8", "is not one of none, idle, best-effort:0 to best-effort:7" },
		{ "ionice", "best-effort", "best-effort", "is not one of none, idle" },
		{ "ionice", "\"best-effort:\"", "best-effort:", "is not one of none, idle" },
		{ "ionice", "\"best-effort:44\"", "best-effort:44", "is not one of none, idle" },
		{ "ionice", "realtime:0", "realtime:0", "is not one of none, idle" },
		{ "ionice", "\"Idle\"", "Idle", "is not one of none, idle" },
		{ "ionice", "\"\"", "", "is not one of none, idle" },
		{ "watch_interval", "0", "0", "must be longer than 0" },
		{ "watch_interval", "5x", "5x", "is not a duration" },
	};
	char text[256], want[256];
	struct config *c;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "job \"j\" {\n  class = backup\n  paths = {\"/\"}\n  %s = %s\n}\n", bad[i].key,
			 bad[i].text);
		snprintf(want, sizeof(want), "%%s:4: job 'j': %s '%s' %s", bad[i].key, bad[i].value, bad[i].why);
		expect_error(text, want);
	}
	/* a leading zero is still decimal (libconfuse alone would read octal 8) */
	c = load("job \"j\" { class = backup  paths = {\"/\"}  nice = 010 }\n");
	assert_int_equal(c->jobs[0].nice, 10);
	config_free(c);

	/* without shell, the command's first word must be absolute wherever shell = false is written */
	expect_error("job \"j\" {\n  class = backup\n  paths = {\"/\"}\n  command = {\"tar cf - /\",\n    \"x\"}\n"
		     "  shell = false\n  timeout = 1h\n}\n",
		     "%s:4: job 'j': command 'tar cf - /' is not an absolute path: a job runs without a search path");
	/* the line is the one the first word was set on, not that of the list's closing brace */
	expect_error("job \"j\" {\n  class = backup\n  paths = {\"/\"}\n  command = {\"/bin/tar\"}\n  command = {\n    \"tar\"\n  }\n}\n",
		     "%s:6: job 'j': command 'tar' is not an absolute path");
	expect_error("job \"j\" {\n  class = backup\n  paths = {\"/\"}\n  command = {\"tar\"}\n  command += {\"cf\"}\n}\n",
		     "%s:4: job 'j': command 'tar' is not an absolute path");
	expect_error("job \"a\" { class = backup  paths = {\"/\"}  shell = true  command = \"tar\" }\n"
		     "job \"b\" {\n  class = backup\n  paths = {\"/\"}\n  command = \"tar\"\n}\n",
		     "%s:5: job 'b': command 'tar' is not an absolute path");
	expect_error("job \"j\" {\n  class = backup\n  paths = {\"/\"}\n  shell = true\n  command = {\" \t\"}\n}\n",
		     "%s:5: job 'j': command ' \\x09' is an empty command line: with 'shell', the first word is what /bin/sh runs");
	expect_error("\njob \"j\" {\n  class = backup\n  paths = {\"/\"}\n  shell = true\n}\n",
		     "%s:2: job 'j': 'shell' needs a 'command': the line for /bin/sh to run");
	expect_error("job \"j\" {\n  class = backup\n  paths = {\"/\"}\n  shell = true\n  command = {}\n}\n",
		     "%s:1: job 'j': 'command' is empty");
	expect_error("job \"j\" {\n  class = backup\n  paths = {\"/\"}\n  stop_grace = 1m\n}\n", "%s:4: no such option 'stop_grace'");
	expect_error("job \"j\" {\n  class = backup\n  paths = {\"/\"}\n  notify = \"/bin/true\"\n}\n", "%s:4: no such option 'notify'");
}

static void test_permissions(void **state)
{
	struct wg_err err = { "" };
	struct config *c = NULL;
	char want[256];

	(void)state;
	write_conf("database = \"h.db\"\n");
	snprintf(want, sizeof(want), "'%s' is writable by group or others: refusing a file that runs commands", path);
	assert_int_equal(chmod(path, 0664), 0);
	assert_int_equal(config_load(path, &c, &err), -EPERM);
	assert_null(c);
	assert_string_equal(err.msg, want);
	assert_int_equal(chmod(path, 0646), 0);
	assert_int_equal(config_load(path, &c, &err), -EPERM);
	assert_string_equal(err.msg, want);
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(config_load(path, &c, &err), -EPERM);

	for (unsigned i = 0; i < 3; i++) {
		static const mode_t fine[] = { 0644, 0600, 0444 };

		assert_int_equal(chmod(path, fine[i]), 0);
		assert_int_equal(config_load(path, &c, &err), 0);
		config_free(c);
		c = NULL;
	}
}

/* Run config_load() on path as uid in a child; its exit status: 0 loaded, 1 refused (-EPERM), 2 anything else. */
static int load_as(uid_t uid)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct wg_err err = { "" };
		struct config *c = NULL;
		int r;

		if (setgid(uid) < 0 || setuid(uid) < 0)
			_exit(3);
		r = config_load(path, &c, &err);
		config_free(c);
		if (r == -EPERM && strstr(err.msg, "is owned by uid"))
			_exit(1);
		_exit(r == 0 ? 0 : 2);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_owner(void **state)
{
	struct wg_err err = { "" };
	struct config *c = NULL;
	char want[256];

	(void)state;
	if (geteuid() != 0)
		skip(); /* only root can give a file away */
	write_conf("database = \"h.db\"\n");
	assert_int_equal(chown(path, 12345, 12345), 0);
	snprintf(want, sizeof(want), "'%s' is owned by uid 12345, not by root or you", path);
	assert_int_equal(config_load(path, &c, &err), -EPERM);
	assert_null(c);
	assert_string_equal(err.msg, want);

	/* the user running weargate may own it, and root may; nobody else */
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(load_as(12345), 0);
	assert_int_equal(load_as(23456), 1);
	assert_int_equal(chown(path, 0, 0), 0);
	assert_int_equal(load_as(12345), 0);
	assert_int_equal(config_load(path, &c, &err), 0);
	config_free(c);
}

static void test_errors(void **state)
{
	struct wg_err err = { "" };
	struct config *c = NULL;

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
	/* a file cut short: libconfuse alone would close what is open, and the job would run as root */
	expect_error("drive \"sda\" { blob = \"x\" }\njob \"purge\" {\n  class = maintenance\n  drives = {\"sda\"}\n",
		     "%s:4: premature end of file: job 'purge' is not closed with '}'");
	expect_error("policy {\n  cooldown {\n    worn = 1h", "%s:3: premature end of file: section 'cooldown' is not closed");
	expect_error("drive \"sda\" { blob = \"x\" }\n/* off for now\njob \"purge\" { class = maintenance }\n",
		     "%s:3: premature end of file: a '/*' comment is not closed with '*/'");
	write_conf("drive \"sda\" { blob = \"x\" } /* closed */ // and a last line without its newline");
	assert_int_equal(config_load(path, &c, &err), 0);
	config_free(c);
	c = NULL;
	expect_error("database = \"a\"\x01\x02\n", "%s:1:");
	/* what the file holds is shown fit for a terminal: a byte order mark, an escape sequence */
	expect_error("\xef\xbb\xbf" "database = \"h.db\"\n", "%s:1: no such option '\\xef\\xbb\\xbf" "database'");
	expect_error("drive \"\x1b[2J\" { blob = \"x\" }\n", "%s:1: drive name '\\x1b[2J' is not valid");
	expect_error("job \"j\" { class = \"back\\x01up\" }\n", "%s:1: job 'j': class 'back\\x01up' is not one of");
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
	/* a FIFO is refused at once, not waited on */
	assert_int_equal(mkfifo(path, 0644), 0);
	assert_int_equal(config_load(path, &c, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "is not a regular file"));
	snprintf(missing, sizeof(missing), "%s/missing.conf", dir);
	assert_int_equal(config_load(missing, &c, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "cannot open"));
	assert_non_null(strstr(err.msg, "missing.conf"));
}

/* 1000 drives and 1000 jobs, each job naming two: read; one section more of either kind: refused. */
static void test_many_sections(void **state)
{
	struct wg_err err = { "" };
	struct config *c = NULL;
	FILE *f;

	(void)state;
	for (int extra = 0; extra < 3; extra++) {
		f = fopen(path, "w");
		assert_non_null(f);
		for (int i = 0; i < 1000 + (extra == 1); i++)
			fprintf(f, "drive \"d%d\" { blob = \"b%d\" }\n", i, i);
		for (int i = 0; i < 1000 + (extra == 2); i++)
			fprintf(f, "job \"j%d\" {\n\tclass = backup\n\tdrives = {\"d%d\", \"d%d\"}\n}\n", i, i % 1000,
				(i * 7) % 1000);
		fclose(f);
		assert_int_equal(chmod(path, 0644), 0);
		if (extra == 0) {
			assert_int_equal(config_load(path, &c, &err), 0);
			assert_int_equal(c->n_drives, 1000);
			assert_int_equal(c->n_jobs, 1000);
			assert_ptr_equal(config_drive(c, "d999"), &c->drives[999]);
			assert_ptr_equal(config_drive(c, "d0"), &c->drives[0]);
			assert_null(config_drive(c, "d1000"));
			assert_int_equal(c->jobs[999].line, 1000 + 999 * 4 + 1);
			config_free(c);
			c = NULL;
			continue;
		}
		assert_int_equal(config_load(path, &c, &err), -EINVAL);
		assert_null(c);
		if (!strstr(err.msg, extra == 1 ? ":1001: more than 1000 'drive' sections" : "more than 1000 'job' sections"))
			fail_msg("unexpected message '%s'", err.msg);
	}
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
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(config_load(path, &c, &err), -EFBIG);
	assert_non_null(strstr(err.msg, "is larger than"));
}

/* A file of many sections, of which the last n_drives and n_jobs are drives and jobs, after `padding` comment lines. */
static void write_sections(unsigned padding, unsigned n_drives, unsigned n_jobs)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs("database = \"x.db\"\n", f);
	for (unsigned i = 0; i < padding; i++)
		fputs("#\n", f);
	for (unsigned i = 0; i < n_drives; i++)
		fprintf(f, "drive d%u { blob = \"b\" }\n", i);
	for (unsigned i = 0; i < n_jobs; i++)
		fprintf(f, "job j%u { class = backup drives = {d%u} }\n", i, i % (n_drives ? n_drives : 1));
	fclose(f);
	assert_int_equal(chmod(path, 0644), 0);
}

/* A message names the line that opens the section, however it is written, not that of its closing brace. */
static void test_section_lines(void **state)
{
	struct config *c = NULL;

	(void)state;
	expect_error("database = \"x.db\"\n"
		     "drive 'sda' { blob = \"a\" }\n"
		     "  job jx {\n    class = backup\n    drives = {sda}\n  }\n"
		     "# job j\n"
		     "job\tj\n{\n  paths = {\"/\"}\n}\n",
		     "%s:8: job 'j' needs a 'class'");
	expect_error("\n\tdrive \"bad name\" {\n  blob = \"a\"\n}\n", "%s:2: drive name 'bad name' is not valid");
	/* a section whose opening line cannot be told gets libconfuse's line, its closing brace's */
	expect_error("drive\n\"x y\" {\n  blob = \"a\"\n}\n", "%s:4: drive name 'x y' is not valid");

	/*
	 * two thousand sections behind 30000 lines: every one found at its line (the text used to be
	 * read once per section: 18 s behind 300000 lines)
	 */
	write_sections(30000, 1000, 1000);
	assert_int_equal(config_load(path, &c, NULL), 0);
	assert_int_equal(c->jobs[999].line, 30000 + 2 + 1000 + 999);
	config_free(c);
}

/* A long list is copied whole (it was copied by an append that counted the list again: 200000 values took 23 s). */
static void test_long_list(void **state)
{
	struct config *c = NULL;
	FILE *f = fopen(path, "w");

	(void)state;
	assert_non_null(f);
	fputs("database = \"x.db\"\nnotify = {\"/bin/true\"", f);
	for (int i = 0; i < 20000; i++)
		fputs(",\"x\"", f);
	fputs("}\n", f);
	fclose(f);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(config_load(path, &c, NULL), 0);
	assert_int_equal(strv_length(c->notify), 20001);
	assert_string_equal(c->notify[0], "/bin/true");
	assert_string_equal(c->notify[20000], "x");
	config_free(c);
}

/* How long a drive's reading may take: the file's default, a drive's own. */
static void test_read_timeout(void **state)
{
	struct config *c;

	(void)state;
	c = load("drive \"a\" { device = \"/dev/sda\" }\n"
		 "drive \"b\" { blob = \"b.blob\" }\n");
	assert_int_equal(c->read_timeout, 30);
	assert_int_equal(config_drive(c, "a")->read_timeout, 30);
	assert_int_equal(config_drive(c, "b")->read_timeout, 30);
	config_free(c);
	/* the top-level key is every drive's default, wherever it stands in the file */
	c = load("drive \"a\" { device = \"/dev/sda\" }\n"
		 "drive \"b\" {\n  device = \"/dev/sdb\"\n  read_timeout = 2m\n}\n"
		 "read_timeout = 5s\n");
	assert_int_equal(c->read_timeout, 5);
	assert_int_equal(config_drive(c, "a")->read_timeout, 5);
	assert_int_equal(config_drive(c, "b")->read_timeout, 120);
	config_free(c);
	expect_error("read_timeout = 0\n", "%s:1: read_timeout '0' must be longer than 0");
	expect_error("\nread_timeout = soon\n", "%s:2: read_timeout 'soon' is not a duration such as 90s");
	expect_error("drive \"a\" {\n  device = \"/dev/sda\"\n  read_timeout = -5s\n}\n",
		     "%s:3: drive 'a': read_timeout '-5s' is not a duration");
	expect_error("job \"j\" {\n  class = backup\n  drives = {\"a\"}\n  read_timeout = 5s\n}\n",
		     "%s:4: no such option 'read_timeout'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_valid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_durations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_throttle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jobs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_selftest_job, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runner_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_runner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_runner_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permissions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_sections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_section_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_timeout, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
