/* attrs.h — weargate's own interpretation of SMART attributes: formats, names, meanings, derived values */
#ifndef WEARGATE_ATTRS_H
#define WEARGATE_ATTRS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smart.h"
#include "util.h"

enum attr_kind {
	ATTR_OTHER,
	ATTR_MEDIA,     /* media wear counters: 5, 196, 197, 198, 187, 10 */
	ATTR_NOISY,     /* shown, not gated by default: 188 */
	ATTR_INTERFACE, /* cable/link, never wear: 199 */
	ATTR_SSD_WEAR,  /* an SSD's remaining life: 177, 202, 231, 233 by default */
	ATTR_CONTEXT,   /* temperature, power-on, power cycles */
};

/*
 * The names of the history's columns and of `history --attr`: smartmon-style snake_case of
 * smartctl's default name ("reallocated_sector_ct"), "attribute_N" when there is none. A
 * drive's own names (its drive database entry's) are attrs_name()'s.
 */
const char *attr_name(uint8_t id, char *buf, size_t len);
enum attr_kind attr_kind(uint8_t id);
/* id for a name of the table, or -ENOENT. */
int attr_id_from_name(const char *name);

/* The 48-bit little-endian raw value; set stores the low 48 bits of v. */
uint64_t attr_raw48(const uint8_t raw[6]);
void attr_set_raw48(uint8_t raw[6], uint64_t v);

/*
 * How a raw value is printed and read: smartctl's formats (`-v ID,FORMAT` in its drive
 * database), each with the bytes it reads by default.
 */
enum attr_format {
	ATTR_FMT_RAW48, /* the default: bytes 5..0 as one number */
	ATTR_FMT_RAW8,
	ATTR_FMT_RAW16,
	ATTR_FMT_HEX48,
	ATTR_FMT_RAW56,
	ATTR_FMT_HEX56,
	ATTR_FMT_RAW64,
	ATTR_FMT_HEX64,
	ATTR_FMT_RAW16_RAW16, /* the low word; the words above in parentheses */
	ATTR_FMT_RAW16_AVG16,
	ATTR_FMT_RAW24_RAW8,
	ATTR_FMT_RAW24_RAW24,
	ATTR_FMT_RAW24_RAW32,
	ATTR_FMT_SEC2HOUR,
	ATTR_FMT_MIN2HOUR,
	ATTR_FMT_HALFMIN2HOUR,
	ATTR_FMT_MSEC24HOUR32,
	ATTR_FMT_TEMPMINMAX,
	ATTR_FMT_TEMP10X,
	_ATTR_FMT_MAX,
};

const char *attr_format_to_string(enum attr_format f);

/* What an attribute measures, as its name says: only these feed the health model. */
enum attr_meaning {
	ATTR_MEANS_OTHER,
	ATTR_MEANS_REALLOCATED,
	ATTR_MEANS_REALLOCATION_EVENTS,
	ATTR_MEANS_PENDING,
	ATTR_MEANS_OFFLINE_UNCORRECTABLE,
	ATTR_MEANS_REPORTED_UNCORRECTABLE,
	ATTR_MEANS_SPIN_RETRY,
	ATTR_MEANS_COMMAND_TIMEOUT,
	ATTR_MEANS_CRC_ERRORS,
	ATTR_MEANS_POWER_ON,
	ATTR_MEANS_POWER_CYCLES,
	ATTR_MEANS_TEMPERATURE,
	ATTR_MEANS_LIFE_LEFT, /* the share of the drive's rated life still left, in percent */
	_ATTR_MEANS_MAX,
};

enum {
	ATTR_DEF_INCREASING = 1 << 0,  /* a count the drive never resets ("197,increasing") */
	ATTR_DEF_NO_NORMVAL = 1 << 1,  /* the normalized value bytes belong to the raw value */
	ATTR_DEF_NO_WORSTVAL = 1 << 2, /* so does the worst value byte */
	ATTR_DEF_HDD_ONLY = 1 << 3,    /* a default name that only spinning drives use */
	ATTR_DEF_SSD_ONLY = 1 << 4,    /* ... only solid-state drives */
};

#define ATTR_NAME_MAX 32

/* One attribute as a drive's database entry defines it. */
struct attr_def {
	char name[ATTR_NAME_MAX + 1]; /* "" when nothing names it: "Unknown_Attribute" */
	char byteorder[9];            /* "543210"-style byte order; "" for the format's own */
	uint8_t format;               /* enum attr_format */
	uint8_t flags;                /* ATTR_DEF_* */
	uint8_t priority;             /* 0 unset, 1 smartctl's defaults, 2 the drive's entry */
	uint8_t meaning;              /* enum attr_meaning, from the id and the name */
};

/* Every id's definition for one kind of drive: what `-v` presets of a drive database make. */
struct attr_defs {
	struct attr_def def[256];
};

/* smartctl's defaults when no drive database says otherwise (its DEFAULT entry). */
const struct attr_defs *attr_defs_builtin(void);
void attr_defs_init_builtin(struct attr_defs *ret);
/*
 * Apply a drive database's presets ("-v 9,minutes -v 5,raw48,Retired_Block_Count -F
 * samsung"): priority 1 for a DEFAULT entry (which may say ",HDD" or ",SSD"), 2 for a
 * drive's. -EINVAL, err saying which option and why, for anything smartctl would refuse;
 * what came before it stays applied.
 */
int attr_defs_apply(struct attr_defs *d, const char *presets, int priority, struct wg_err *err);

/* The definition of id for this reading's drive (its database entry, else smartctl's defaults). */
const struct attr_def *attrs_def(const struct smart_reading *r, uint8_t id);
/* The name smartctl shows for id on this drive ("Reallocated_Sector_Ct", "Unknown_SSD_Attribute"). */
const char *attrs_name(const struct smart_reading *r, uint8_t id);
/* What id measures on this drive; ATTR_MEANS_OTHER for a name meant for the other kind of drive. */
enum attr_meaning attrs_meaning(const struct smart_reading *r, uint8_t id);

/*
 * The value smartctl prints first for this raw value under def (the count of 11112 (39 0),
 * the 37 of 37 (Min/Max 18/45), the hours of 16671h+22m+05.274s): the one number weargate
 * shows, judges, records and exports. -ERANGE when it does not fit an int64.
 */
int attr_decode(const struct smart_attr *a, const struct attr_def *def, int64_t *ret);
/* The whole of what smartctl prints for it ("11112 (39 0)", "37 (Min/Max 18/45)"). */
void attr_format_value(const struct smart_attr *a, const struct attr_def *def, char *buf, size_t len);
/* The first attribute id that a reading lists more than once, or 0 (the first entry is read, as smartctl does). */
uint8_t attrs_repeated_id(const struct smart_reading *r);

#define ATTR_UNKNOWN INT64_C(-1)

/* Values worth a column of their own; ATTR_UNKNOWN where the attribute is missing or implausible. */
struct smart_derived {
	int64_t reallocated;            /* 5 */
	int64_t reallocation_events;    /* 196 */
	int64_t pending;                /* 197 */
	int64_t offline_uncorrectable;  /* 198 */
	int64_t reported_uncorrectable; /* 187 */
	int64_t spin_retry;             /* 10 */
	int64_t command_timeout;        /* 188 */
	int64_t crc_errors;             /* 199 */
	int64_t temperature_c;          /* 194, 190, 9 or 220: the first that reads as a temperature */
	int64_t power_on_hours;         /* 9 */
	int64_t power_cycles;           /* 12 */
	int64_t ssd_wear_value;         /* the lowest share of rated life left, in percent */
	int64_t ssd_wear_threshold;     /* that attribute's threshold */
};

/*
 * Interpret a usable reading with its drive's definitions: each value decoded as smartctl
 * does, and counted only when the attribute's name says it is that count (a drive whose
 * database names 197 "Bogus_Current_Pend_Sect" has no pending count). A count that cannot be
 * true (all ones, or more than the drive's sectors) is unknown, never a number.
 */
void attrs_derive(const struct smart_reading *r, struct smart_derived *ret);
/* Every derived value unknown, as attrs_derive() gives for a reading that is not OK. */
void attrs_derive_unknown(struct smart_derived *ret);
/*
 * The value of attribute id the way weargate reads it (d is attrs_derive()'s of r): the count
 * the health model reads where the drive's name for the attribute says it is that count
 * (unknown when implausible), else the value decoded in the drive's format, as smartctl
 * prints it first. ATTR_UNKNOWN when the reading has no such attribute.
 */
int64_t attrs_value(const struct smart_reading *r, const struct smart_derived *d, uint8_t id);

#endif
