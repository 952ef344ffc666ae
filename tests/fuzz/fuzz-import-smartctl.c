/* fuzz-import-smartctl.c — `smartctl --json` reports, as `weargate import smartctl` reads them */
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
	struct smart_reading r, back;
	uint8_t frame[FRAME_MAX];
	char why[IMPORT_WHY_MAX] = "";
	int64_t t = -1;
	int k = import_smartctl_json((const char *)data, size, &t, &r, why, sizeof(why));

	FUZZ_CHECK(k == 0 || k == -EBADMSG || k == -ENOMEM);
	FUZZ_CHECK(k != -EBADMSG || why[0]);
	if (k == 0) {
		FUZZ_CHECK(t > 0 && r.identity_valid && r.identity.model[0] && r.identity.serial[0]);
		FUZZ_CHECK(r.n_attrs <= SMART_MAX_ATTRS && r.smart_ok >= -1 && r.smart_ok <= 1);
		FUZZ_CHECK(frame_to_reading(frame, frame_from_reading(&r, frame), &back) == 0);
		FUZZ_CHECK(strcmp(back.identity.serial, r.identity.serial) == 0 && back.n_attrs == r.n_attrs);
	}
	return 0;
}
