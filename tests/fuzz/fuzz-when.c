/* fuzz-when.c — durations ("7d") and points in time ("30d", "2026-11-20T14:10Z"), as --since, --until and the config give them */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util.h"

#define NOW INT64_C(1795000000) /* 2026-11-18, as the CLI tests' clock */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* local dates are the machine's; a fixed zone makes a finding reproducible */
	setenv("TZ", "UTC", 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), buf[64];
	int64_t d, t, back;
	int r;

	r = wg_parse_duration(s, &d);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ERANGE);
	if (r == 0) {
		FUZZ_CHECK(d >= 0);
		wg_format_age(d, buf, sizeof(buf));
		FUZZ_CHECK(buf[0] >= '0' && buf[0] <= '9');
	}
	r = wg_parse_when(s, NOW, &t);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ERANGE);
	if (r == 0) {
		int y, m, dd, y2, m2, d2;

		wg_format_utc(t, buf, sizeof(buf));
		/* a date is taken as written (the zone is UTC here), never moved to another day */
		if (wg_parse_duration(s, &d) < 0 && sscanf(s, "%d-%d-%d", &y, &m, &dd) == 3 &&
		    sscanf(buf, "%d-%d-%d", &y2, &m2, &d2) == 3)
			FUZZ_CHECK(y == y2 && m == m2 && dd == d2);
		/* what the JSON and CSV print reads back as the same second */
		if (t >= 0 && t < INT64_C(253402300800)) {
			FUZZ_CHECK(wg_parse_when(buf, NOW, &back) == 0);
			FUZZ_CHECK(back == t);
		}
	}
	free(s);
	return 0;
}
