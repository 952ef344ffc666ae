/* attrs.c — weargate's own reading of SMART attributes: names, kinds and derived values */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "attrs.h"

/* Indexed by id: the hot path (every attribute of every sample in a window) looks up in O(1). */
static const struct attr_info {
	enum attr_kind kind;
	const char *name; /* smartmon.sh / smartctl spelling, lowercased; NULL: not in the table */
} attr_table[256] = {
	[1] = { ATTR_OTHER, "raw_read_error_rate" },
	[2] = { ATTR_OTHER, "throughput_performance" },
	[3] = { ATTR_OTHER, "spin_up_time" },
	[4] = { ATTR_OTHER, "start_stop_count" },
	[5] = { ATTR_MEDIA, "reallocated_sector_ct" },
	[7] = { ATTR_OTHER, "seek_error_rate" },
	[8] = { ATTR_OTHER, "seek_time_performance" },
	[9] = { ATTR_CONTEXT, "power_on_hours" },
	[10] = { ATTR_MEDIA, "spin_retry_count" },
	[11] = { ATTR_OTHER, "calibration_retry_count" },
	[12] = { ATTR_CONTEXT, "power_cycle_count" },
	[13] = { ATTR_OTHER, "read_soft_error_rate" },
	[170] = { ATTR_OTHER, "available_reservd_space" },
	[171] = { ATTR_OTHER, "program_fail_count" },
	[172] = { ATTR_OTHER, "erase_fail_count" },
	[173] = { ATTR_OTHER, "wear_leveling_count" },
	[174] = { ATTR_OTHER, "unexpect_power_loss_ct" },
	[175] = { ATTR_OTHER, "program_fail_count_chip" },
	[177] = { ATTR_SSD_WEAR, "wear_leveling_count" },
	[179] = { ATTR_OTHER, "used_rsvd_blk_cnt_tot" },
	[180] = { ATTR_OTHER, "unused_rsvd_blk_cnt_tot" },
	[181] = { ATTR_OTHER, "program_fail_cnt_total" },
	[182] = { ATTR_OTHER, "erase_fail_count_total" },
	[183] = { ATTR_OTHER, "runtime_bad_block" },
	[184] = { ATTR_OTHER, "end_to_end_error" },
	[187] = { ATTR_MEDIA, "reported_uncorrect" },
	[188] = { ATTR_NOISY, "command_timeout" },
	[189] = { ATTR_OTHER, "high_fly_writes" },
	[190] = { ATTR_CONTEXT, "airflow_temperature_cel" },
	[191] = { ATTR_OTHER, "g_sense_error_rate" },
	[192] = { ATTR_OTHER, "power_off_retract_count" },
	[193] = { ATTR_OTHER, "load_cycle_count" },
	[194] = { ATTR_CONTEXT, "temperature_celsius" },
	[195] = { ATTR_OTHER, "hardware_ecc_recovered" },
	[196] = { ATTR_MEDIA, "reallocated_event_count" },
	[197] = { ATTR_MEDIA, "current_pending_sector" },
	[198] = { ATTR_MEDIA, "offline_uncorrectable" },
	[199] = { ATTR_INTERFACE, "udma_crc_error_count" },
	[200] = { ATTR_OTHER, "multi_zone_error_rate" },
	[201] = { ATTR_OTHER, "soft_read_error_rate" },
	[202] = { ATTR_SSD_WEAR, "percent_lifetime_remain" },
	[220] = { ATTR_OTHER, "disk_shift" },
	[222] = { ATTR_OTHER, "loaded_hours" },
	[223] = { ATTR_OTHER, "load_retry_count" },
	[224] = { ATTR_OTHER, "load_friction" },
	[226] = { ATTR_OTHER, "load_in_time" },
	[231] = { ATTR_SSD_WEAR, "ssd_life_left" },
	[232] = { ATTR_OTHER, "available_reservd_space" },
	[233] = { ATTR_SSD_WEAR, "media_wearout_indicator" },
	[240] = { ATTR_OTHER, "head_flying_hours" },
	[241] = { ATTR_OTHER, "total_lbas_written" },
	[242] = { ATTR_OTHER, "total_lbas_read" },
	[250] = { ATTR_OTHER, "read_error_retry_rate" },
	[254] = { ATTR_OTHER, "free_fall_sensor" },
};

static const struct attr_info *attr_info(uint8_t id)
{
	return attr_table[id].name ? &attr_table[id] : NULL;
}

const char *attr_name(uint8_t id, char *buf, size_t len)
{
	const struct attr_info *a = attr_info(id);

	if (a)
		return a->name;
	snprintf(buf, len, "attribute_%u", id);
	return buf;
}

enum attr_kind attr_kind(uint8_t id)
{
	const struct attr_info *a = attr_info(id);

	return a ? a->kind : ATTR_OTHER;
}

int attr_id_from_name(const char *name)
{
	for (size_t i = 0; i < WG_ELEMENTSOF(attr_table); i++)
		if (attr_table[i].name && strcmp(attr_table[i].name, name) == 0)
			return (int)i;
	return -ENOENT;
}

uint64_t attr_raw48(const uint8_t raw[6])
{
	uint64_t v = 0;

	for (int i = 5; i >= 0; i--)
		v = (v << 8) | raw[i];
	return v;
}

void attr_set_raw48(uint8_t raw[6], uint64_t v)
{
	for (int i = 0; i < 6; i++)
		raw[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t raw_low32(const uint8_t raw[6])
{
	return (uint32_t)raw[0] | (uint32_t)raw[1] << 8 | (uint32_t)raw[2] << 16 | (uint32_t)raw[3] << 24;
}

/* A reading with its attributes found by id once, rather than searched for each value. */
struct indexed {
	const struct smart_reading *r;
	uint8_t slot[256]; /* 1 + the index in r->attrs; 0: absent */
};

static void index_reading(const struct smart_reading *r, struct indexed *ret)
{
	ret->r = r;
	memset(ret->slot, 0, sizeof(ret->slot));
	for (unsigned i = r->n_attrs; i > 0; i--) /* the first of a duplicated id wins, as in smart_reading_attr */
		ret->slot[r->attrs[i - 1].id] = (uint8_t)i;
}

/* The attribute, unless it is missing or this model's raw encoding of it is not known. */
static const struct smart_attr *known_attr(const struct indexed *x, uint8_t id)
{
	if (!x->slot[id] || smart_identity_opaque(&x->r->identity, id))
		return NULL;
	return &x->r->attrs[x->slot[id] - 1];
}

/* A counter of sectors or events: the low 32 bits, unless no drive could have that many. */
static int64_t media_count(const struct indexed *x, uint8_t id)
{
	const struct smart_attr *a = known_attr(x, id);
	uint32_t v;

	if (!a)
		return ATTR_UNKNOWN;
	v = raw_low32(a->raw);
	if (v == UINT32_MAX)
		return ATTR_UNKNOWN;
	if (x->r->identity.sectors > 0 && v > x->r->identity.sectors)
		return ATTR_UNKNOWN;
	return v;
}

static int64_t temperature(const struct indexed *x)
{
	const struct smart_reading *r = x->r;
	static const uint8_t ids[] = { 194, 190 };

	for (size_t i = 0; i < WG_ELEMENTSOF(ids); i++) {
		const struct smart_attr *a = known_attr(x, ids[i]);
		int64_t t;

		if (!a)
			continue;
		/* Drives keep min/max in the upper bytes; the current value is the low byte (or word, in tenths of a degree). */
		if (r->identity.temp_divisor > 1)
			t = (a->raw[0] | a->raw[1] << 8) / r->identity.temp_divisor;
		else
			t = a->raw[0];
		if (t > 0 && t < 128)
			return t;
	}
	return ATTR_UNKNOWN;
}

/* Thirty years: a larger power-on count is a vendor encoding we do not know, not a fact. */
#define POH_PLAUSIBLE_MAX (30 * 365 * 24)

static int64_t power_on_hours(const struct indexed *x)
{
	const struct smart_reading *r = x->r;
	const struct smart_attr *a = known_attr(x, 9);
	int64_t h;

	if (!a || r->identity.poh_units_per_hour == 0)
		return ATTR_UNKNOWN;
	h = raw_low32(a->raw) / r->identity.poh_units_per_hour;
	return h <= POH_PLAUSIBLE_MAX ? h : ATTR_UNKNOWN;
}

static int64_t plain_count(const struct indexed *x, uint8_t id)
{
	const struct smart_attr *a = known_attr(x, id);

	return a ? (int64_t)raw_low32(a->raw) : ATTR_UNKNOWN;
}

static void ssd_wear(const struct indexed *x, struct smart_derived *d)
{
	const struct smart_reading *r = x->r;
	/*
	 * 202 and 231 mean other things on spinning drives (Maxtor's "TA increase count", some
	 * drives' temperature): count them as wear only on a drive without a spin-up time.
	 */
	bool spins = x->slot[3] != 0;

	d->ssd_wear_value = ATTR_UNKNOWN;
	d->ssd_wear_threshold = ATTR_UNKNOWN;
	for (unsigned i = 0; i < r->n_attrs; i++) {
		const struct smart_attr *a = &r->attrs[i];

		if (attr_kind(a->id) != ATTR_SSD_WEAR)
			continue;
		if (spins && (a->id == 202 || a->id == 231))
			continue;
		if (d->ssd_wear_value == ATTR_UNKNOWN || a->current < d->ssd_wear_value) {
			d->ssd_wear_value = a->current;
			d->ssd_wear_threshold = a->threshold_valid ? a->threshold : ATTR_UNKNOWN;
		}
	}
}

void attrs_derive(const struct smart_reading *r, struct smart_derived *ret)
{
	struct smart_derived d;
	struct indexed x;

	if (r->status != READING_OK) {
		d = (struct smart_derived){
			ATTR_UNKNOWN, ATTR_UNKNOWN, ATTR_UNKNOWN, ATTR_UNKNOWN, ATTR_UNKNOWN,
			ATTR_UNKNOWN, ATTR_UNKNOWN, ATTR_UNKNOWN, ATTR_UNKNOWN, ATTR_UNKNOWN,
			ATTR_UNKNOWN, ATTR_UNKNOWN, ATTR_UNKNOWN,
		};
		*ret = d;
		return;
	}
	index_reading(r, &x);
	d.reallocated = media_count(&x, 5);
	d.reallocation_events = media_count(&x, 196);
	/*
	 * Every reallocation event leaves a reallocated sector behind. Drives that count events
	 * without one (Seagate and Fujitsu laptop drives report thousands with 5 at 0) pack
	 * something else into 196: a count that contradicts 5 is not one.
	 */
	if (d.reallocated == 0 && d.reallocation_events > 0)
		d.reallocation_events = ATTR_UNKNOWN;
	d.pending = media_count(&x, 197);
	d.offline_uncorrectable = media_count(&x, 198);
	d.reported_uncorrectable = media_count(&x, 187);
	d.spin_retry = media_count(&x, 10);
	d.command_timeout = plain_count(&x, 188);
	d.crc_errors = plain_count(&x, 199);
	d.temperature_c = temperature(&x);
	d.power_on_hours = power_on_hours(&x);
	d.power_cycles = plain_count(&x, 12);
	ssd_wear(&x, &d);
	*ret = d;
}
