/* import.h — the SMART history other tools kept, read as weargate's readings (pure: text in, readings out) */
#ifndef WEARGATE_IMPORT_H
#define WEARGATE_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "smart.h"

#define IMPORT_WHY_MAX 160

/* How an imported reading says where it came from (its access mode): never a drive's own. */
#define IMPORT_ACCESS_SMARTD "import:smartd"
#define IMPORT_ACCESS_SMARTCTL "import:smartctl"

/*
 * The drive of a smartd attribute log, from its file name, as smartd makes it:
 * PREFIX + MODEL-SERIAL.ata.csv (attrlog.MODEL-SERIAL.ata.csv by default), every character of the
 * model and serial that is not a letter or a digit written as '_'. -EINVAL when the name is not
 * one smartd writes.
 */
int import_smartd_name(const char *path, char ret_model[41], char ret_serial[21]);
/* A model or serial as smartd writes it in a file name: what is not a letter or a digit becomes '_'. */
void import_smartd_normalize(const char *in, char *out, size_t len);

/*
 * One line of a smartd attribute log ("2024-03-01 10:00:00;\t5;100;0;\t9;98;1234;…", UTC):
 * its time and each ATA attribute's id, normalized value and raw value, into ret (status OK,
 * no identity, the self-assessment and the thresholds unknown, worst the value, access
 * IMPORT_ACCESS_SMARTD). The raw value is laid back as smartd read it: the 48-bit raw value,
 * and the entry's reserved byte above it. 1 for a line, 0 for an empty one, -EBADMSG with why
 * set (the column and what is wrong there).
 */
int import_smartd_line(const char *line, size_t len, int64_t *ret_t, struct smart_reading *ret, char *why,
		       size_t why_len);

/*
 * A `smartctl --json` report of an ATA drive: its time (local_time.time_t) and reading (identity,
 * self-assessment, self-test status, every attribute of ata_smart_attributes with its flags,
 * threshold and raw value; access IMPORT_ACCESS_SMARTCTL). -EBADMSG with why set (what is
 * missing or wrong, and where), -ENOMEM.
 */
int import_smartctl_json(const char *text, size_t len, int64_t *ret_t, struct smart_reading *ret, char *why,
			 size_t why_len);

#endif
