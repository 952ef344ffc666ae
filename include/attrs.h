/* attrs.h — weargate's own interpretation of SMART attributes: names, kinds, derived values */
#ifndef WEARGATE_ATTRS_H
#define WEARGATE_ATTRS_H

#include <stdint.h>

#include "smart.h"

enum attr_kind {
	ATTR_OTHER,
	ATTR_MEDIA,     /* media wear counters: 5, 196, 197, 198, 187, 10 */
	ATTR_NOISY,     /* shown, not gated by default: 188 */
	ATTR_INTERFACE, /* cable/link, never wear: 199 */
	ATTR_SSD_WEAR,  /* normalized value falls toward the threshold: 177, 202, 231, 233 */
	ATTR_CONTEXT,   /* temperature, power-on, power cycles */
};

/* smartmon-style snake_case name ("reallocated_sector_ct"); "attribute_N" when not in the table. */
const char *attr_name(uint8_t id, char *buf, size_t len);
enum attr_kind attr_kind(uint8_t id);
/* id for a name of the table, or -ENOENT. */
int attr_id_from_name(const char *name);

/* The 48-bit little-endian raw value; set stores the low 48 bits of v. */
uint64_t attr_raw48(const uint8_t raw[6]);
void attr_set_raw48(uint8_t raw[6], uint64_t v);

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
	int64_t temperature_c;          /* 194, else 190 */
	int64_t power_on_hours;         /* 9 */
	int64_t power_cycles;           /* 12 */
	int64_t ssd_wear_value;         /* lowest normalized value of 177/202/231/233 */
	int64_t ssd_wear_threshold;     /* that attribute's threshold */
};

/*
 * Interpret a usable reading. Sector counts use the low 32 bits of the raw value (drives pack
 * other data above them), and a count that cannot be true (all ones, or more than the drive's
 * sectors) is unknown, never a number.
 */
void attrs_derive(const struct smart_reading *r, struct smart_derived *ret);

#endif
