/*
 * fuzz-config.c — a configuration file, read and checked as every command does (config_load),
 * then printed back by check-config, whose output must itself load and print the same
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "fuzz.h"

static char dir[64], path[96], sysfs[96], mountinfo[96];

static void write_file(const char *p, const void *data, size_t size)
{
	const uint8_t *q = data;
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	FUZZ_CHECK(fd >= 0);
	while (size > 0) {
		ssize_t n = write(fd, q, size);

		FUZZ_CHECK(n > 0);
		q += n;
		size -= (size_t)n;
	}
	close(fd);
}

static void cleanup(void)
{
	unlink(path);
	unlink(mountinfo);
	rmdir(sysfs);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "%s/wg-fuzz-config.XXXXXX", tmp && strlen(tmp) < 32 ? tmp : "/tmp");
	FUZZ_CHECK(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/weargate.conf", dir);
	/* an empty machine: jobs' paths resolve against no disks, the same on every host */
	snprintf(sysfs, sizeof(sysfs), "%s/sys", dir);
	snprintf(mountinfo, sizeof(mountinfo), "%s/mountinfo", dir);
	FUZZ_CHECK(mkdir(sysfs, 0700) == 0);
	write_file(mountinfo, "", 0);
	atexit(cleanup);
	setenv("WEARGATE_NOW", "1795000000", 1);
	fuzz_quiet();
	return 0;
}

/* check-config on the file at path; its output in *ret_out (malloc'd), its exit code returned. */
static int check_config(char **ret_out, size_t *ret_len)
{
	struct cmd_ctx ctx = {
		.entry = &cmd_check_config_entry,
		.config_path = path,
		.sysfs_root = sysfs,
		.env = { .sysfs_root = sysfs, .mountinfo = mountinfo },
	};
	char *argv[] = { (char *)"check-config", NULL };
	FILE *out = open_memstream(ret_out, ret_len), *saved = stdout;
	int r;

	FUZZ_CHECK(out);
	stdout = out;
	optind = 0;
	r = cmd_check_config_entry.exec(&ctx, 1, argv);
	stdout = saved;
	fclose(out);
	cmd_ctx_release(&ctx);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_err err = { "" };
	struct config *c = NULL;
	char *out1 = NULL, *out2 = NULL;
	size_t len1 = 0, len2 = 0;
	int r;

	write_file(path, data, size);
	r = config_load(path, &c, &err);
	if (r < 0) {
		FUZZ_CHECK(r == -EINVAL || r == -EFBIG || r == -ENOMEM);
		FUZZ_CHECK(r == -ENOMEM || err.msg[0] != '\0');
		return 0;
	}
	FUZZ_CHECK(c->database && c->database[0] == '/');
	for (size_t i = 0; i < c->n_drives; i++) {
		FUZZ_CHECK(c->drives[i].path && c->drives[i].path[0] == '/');
		FUZZ_CHECK(config_drive(c, c->drives[i].name) != NULL);
	}
	for (size_t i = 0; i < c->n_jobs; i++) {
		const struct job_cfg *j = &c->jobs[i];

		FUZZ_CHECK(config_job(c, j->name) != NULL);
		FUZZ_CHECK(j->paths || j->drives);
		for (size_t k = 0; j->drives && j->drives[k]; k++)
			FUZZ_CHECK(config_drive(c, j->drives[k]) != NULL);
		FUZZ_CHECK(j->timeout >= 0 && j->nice >= 0 && j->nice <= 19);
	}
	config_free(c);

	/* "The output is itself a valid configuration": and it says the same thing again */
	if (check_config(&out1, &len1) == 0) {
		write_file(path, out1, len1);
		r = check_config(&out2, &len2);
		if (r != 0 || len1 != len2 || memcmp(out1, out2, len1) != 0) {
			dprintf(STDERR_FILENO, "first:\n%s\nsecond (exit %d):\n%s\n", out1, r, out2 ? out2 : "");
			FUZZ_CHECK(!"check-config's output reads back the same");
		}
	}
	free(out1);
	free(out2);
	return 0;
}
