/* fuzz-drivedb.c — smartmontools' drive database as weargate reads it: any file parses or is refused with its line */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivedb.h"
#include "fuzz.h"

/* A few drives to look up in whatever parsed: names as drives give them, and the matched entry applied. */
static const char *const models[][2] = {
	{ "KINGSTON SA400S37240G", "SBFKB1D2" },
	{ "HGST HTS725050A7E630", "GH2OA440" },
	{ "CT1000MX500SSD1", "M3CR023" },
	{ "", "" },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_err err = { "" };
	struct drivedb *db = NULL;
	struct drivedb_match m;
	int r, line;

	r = drivedb_parse((const char *)data, size, "fuzz.h", &db, &err);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
	if (r < 0) {
		/* a refusal names the file and a line within it */
		FUZZ_CHECK(sscanf(err.msg, "fuzz.h:%d: ", &line) == 1);
		FUZZ_CHECK(line >= 1 && (size_t)line <= size + 1);
		FUZZ_CHECK(db == NULL);
		return 0;
	}
	FUZZ_CHECK(strlen(drivedb_version(db)) < 64);
	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		const struct attr_defs *defs;

		r = drivedb_match(db, models[i][0], models[i][1], &m);
		FUZZ_CHECK(r == 0 || r == 1);
		/* no entry matched: nothing of one in the match */
		FUZZ_CHECK(r == 1 || (!m.family[0] && !m.presets[0] && !m.warning[0]));
		/* what parsed makes definitions, and every name fits smartctl's limit */
		defs = drivedb_defs(m.defaults, m.presets);
		FUZZ_CHECK(defs != NULL);
		for (unsigned id = 0; id < 256; id++) {
			FUZZ_CHECK(strlen(defs->def[id].name) <= ATTR_NAME_MAX);
			FUZZ_CHECK(defs->def[id].format < _ATTR_FMT_MAX);
			FUZZ_CHECK(defs->def[id].meaning < _ATTR_MEANS_MAX);
		}
	}
	drivedb_free(db);
	return 0;
}
