/* fuzz-history.c — `weargate history`'s arguments, NUL-separated in the input, checked as the command checks them */
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "fuzz.h"

#define ARGS_MAX 64

static struct cmd_ctx ctx = { .entry = &cmd_history_entry };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char conf[] = "database = \"history.db\"\n"
				   "drive sda { blob = \"sda.blob\" }\n"
				   "drive \"nvme0n1\" { blob = \"nvme.blob\" }\n"
				   "drive wd-2.5 { device = \"/dev/disk/by-id/ata-WDC\" }\n";
	static char dir[64], path[96];
	const char *tmp = getenv("TMPDIR");
	int fd;

	(void)argc;
	(void)argv;
	setenv("TZ", "UTC", 1);
	setenv("WEARGATE_NOW", "1795000000", 1);
	snprintf(dir, sizeof(dir), "%s/wg-fuzz-history.XXXXXX", tmp && strlen(tmp) < 32 ? tmp : "/tmp");
	FUZZ_CHECK(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/weargate.conf", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FUZZ_CHECK(fd >= 0 && write(fd, conf, sizeof(conf) - 1) == (ssize_t)sizeof(conf) - 1);
	close(fd);
	/* the configuration is read once: what is fuzzed is the arguments */
	ctx.config_path = path;
	FUZZ_CHECK(cmd_load_config(&ctx) == 0);
	unlink(path);
	rmdir(dir);
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[ARGS_MAX + 2];
	struct history_args a;
	int argc = 0, r;

	FUZZ_CHECK(buf);
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = (char *)"history";
	/* "a\0b\0" is two arguments, "a\0\0" an empty one after a */
	for (size_t i = 0; i < size && argc <= ARGS_MAX; i += strlen(buf + i) + 1)
		argv[argc++] = buf + i;
	argv[argc] = NULL;

	optind = 0;
	r = cmd_history_args(&ctx, argc, argv, &a);
	FUZZ_CHECK(r == 0 || r == WG_EXIT_USAGE);
	if (r == 0 && !a.help) {
		FUZZ_CHECK(a.n_attrs >= 1 && a.n_attrs <= HISTORY_ATTRS_MAX);
		for (size_t i = 0; i < a.n_attrs; i++) {
			FUZZ_CHECK(a.attrs[i] != 0);
			for (size_t k = 0; k < i; k++)
				FUZZ_CHECK(a.attrs[k] != a.attrs[i]);
		}
		FUZZ_CHECK(a.buckets >= -1 && a.buckets <= 100000);
		FUZZ_CHECK(a.since <= a.until);
		FUZZ_CHECK(a.format <= HISTORY_JSON && a.view <= HISTORY_JOBS);
		FUZZ_CHECK(a.view != HISTORY_JOBS || a.n_drives == 0);
		FUZZ_CHECK(a.view != HISTORY_TREND || a.buckets == -1);
		for (size_t i = 0; i < a.n_drives; i++)
			FUZZ_CHECK(config_drive(ctx.config, a.drives[i]) != NULL);
	}
	free(buf);
	return 0;
}
