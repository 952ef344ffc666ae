/* fuzz.h — what libFuzzer calls in a fuzz target, and what its targets share */
#ifndef WEARGATE_FUZZ_H
#define WEARGATE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* An invariant that does not hold is a finding: abort, so that libFuzzer keeps the input; said past stdio, which fuzz_quiet() silences. */
#define FUZZ_CHECK(cond)                                                                                   \
	do {                                                                                               \
		if (!(cond)) {                                                                             \
			dprintf(STDERR_FILENO, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                                           \
		}                                                                                          \
	} while (0)

/* The input as a C string, malloc'd: cut at its first NUL, as argv and config values would be. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	for (size_t i = 0; i < size; i++)
		s[i] = (char)data[i];
	s[size] = '\0';
	return s;
}

/*
 * The commands' messages and output would bury libFuzzer's: stdio's stdout and stderr go nowhere
 * unless WG_FUZZ_VERBOSE is set. The sanitizers and libFuzzer write past stdio, and still show.
 */
static inline void fuzz_quiet(void)
{
	FILE *null;

	if (getenv("WG_FUZZ_VERBOSE"))
		return;
	null = fopen("/dev/null", "we");
	if (null) {
		stdout = null;
		stderr = null;
	}
}

#endif
