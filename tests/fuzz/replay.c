/* replay.c — a main for the fuzz targets without libFuzzer: each file named, or in a directory named, is one input */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "util.h"

#define REPLAY_MAX (16 << 20)

/* where the inputs are named: the real stdout, which a target may take stdout and stderr away from */
static FILE *out;

/* Targets without an initializer get this one; libFuzzer's own runtime has the same rule. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static int replay_file(const char *path)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int r;

	r = wg_read_file(path, REPLAY_MAX, &buf, &len);
	if (r < 0) {
		fprintf(out, "replay: cannot read '%s': %s\n", path, strerror(-r));
		return r;
	}
	/* named before it runs: a crash leaves the input's name as the last line */
	fprintf(out, "%s\n", path);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int replay_dir(const char *dir, unsigned *n)
{
	struct dirent **entries;
	int k, r = 0;

	k = scandir(dir, &entries, NULL, alphasort);
	if (k < 0) {
		fprintf(out, "replay: cannot list '%s': %s\n", dir, strerror(errno));
		return -errno;
	}
	for (int i = 0; i < k; i++) {
		char path[4096];

		if (entries[i]->d_name[0] != '.' && r == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, entries[i]->d_name);
			r = replay_file(path);
			(*n)++;
		}
		free(entries[i]);
	}
	free(entries);
	return r;
}

int main(int argc, char **argv)
{
	unsigned n = 0;
	int fd = dup(STDOUT_FILENO);

	out = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!out)
		return 1;
	setvbuf(out, NULL, _IONBF, 0);
	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat st;
		int r;

		if (stat(argv[i], &st) < 0) {
			fprintf(out, "replay: '%s': %s\n", argv[i], strerror(errno));
			return 1;
		}
		r = S_ISDIR(st.st_mode) ? replay_dir(argv[i], &n) : (n++, replay_file(argv[i]));
		if (r < 0)
			return 1;
	}
	if (n == 0) {
		fprintf(out, "replay: no inputs: name files or directories of them\n");
		return 1;
	}
	fprintf(out, "replayed %u inputs\n", n);
	return 0;
}
