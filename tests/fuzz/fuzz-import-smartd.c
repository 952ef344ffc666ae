/* fuzz-import-smartd.c — smartd's attribute logs, a line at a time as `weargate import smartd` reads them */
#include <errno.h>
#include <string.h>

#include "frame.h"
#include "fuzz.h"
#include "import.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct smart_reading r, back;
	uint8_t frame[FRAME_MAX];
	char why[IMPORT_WHY_MAX], model[41], serial[21];

	/* the first line doubles as a file name */
	{
		char *s = fuzz_string(data, size < 200 ? size : 200);

		s[strcspn(s, "\n")] = '\0';
		if (import_smartd_name(s, model, serial) == 0)
			FUZZ_CHECK(model[0] && serial[0] && strlen(model) <= 40 && strlen(serial) <= 20);
		free(s);
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		int64_t t = -1;
		int k;

		why[0] = '\0';
		k = import_smartd_line(p, n, &t, &r, why, sizeof(why));
		FUZZ_CHECK(k == 0 || k == 1 || k == -EBADMSG);
		FUZZ_CHECK(k != -EBADMSG || why[0]);
		if (k == 1) {
			FUZZ_CHECK(t >= 0 && r.status == READING_OK && r.n_attrs <= SMART_MAX_ATTRS);
			for (unsigned i = 0; i < r.n_attrs; i++)
				FUZZ_CHECK(r.attrs[i].id != 0);
			/* what is recorded reads back the same */
			FUZZ_CHECK(frame_to_reading(frame, frame_from_reading(&r, frame), &back) == 0);
			FUZZ_CHECK(back.n_attrs == r.n_attrs);
		}
		p += n;
	}
	return 0;
}
