/* attrs.c — weargate's own reading of SMART attributes: formats, names, meanings and derived values */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

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

/* The names smartctl's -v option takes, and the bytes each reads when no byte order is given. */
static const struct {
	const char *name;
	const char *byteorder;
} formats[_ATTR_FMT_MAX] = {
	[ATTR_FMT_RAW48] = { "raw48", "543210" },
	[ATTR_FMT_RAW8] = { "raw8", "543210" },
	[ATTR_FMT_RAW16] = { "raw16", "543210" },
	[ATTR_FMT_HEX48] = { "hex48", "543210" },
	/* the 7-byte formats take the entry's 12th byte above the six raw bytes */
	[ATTR_FMT_RAW56] = { "raw56", "r543210" },
	[ATTR_FMT_HEX56] = { "hex56", "r543210" },
	/* the 8-byte ones take the worst and normalized values below them */
	[ATTR_FMT_RAW64] = { "raw64", "543210wv" },
	[ATTR_FMT_HEX64] = { "hex64", "543210wv" },
	[ATTR_FMT_RAW16_RAW16] = { "raw16(raw16)", "543210" },
	[ATTR_FMT_RAW16_AVG16] = { "raw16(avg16)", "543210" },
	[ATTR_FMT_RAW24_RAW8] = { "raw24(raw8)", "543210" },
	[ATTR_FMT_RAW24_RAW24] = { "raw24/raw24", "543210" },
	[ATTR_FMT_RAW24_RAW32] = { "raw24/raw32", "r543210" },
	[ATTR_FMT_SEC2HOUR] = { "sec2hour", "543210" },
	[ATTR_FMT_MIN2HOUR] = { "min2hour", "543210" },
	[ATTR_FMT_HALFMIN2HOUR] = { "halfmin2hour", "543210" },
	[ATTR_FMT_MSEC24HOUR32] = { "msec24hour32", "r543210" },
	[ATTR_FMT_TEMPMINMAX] = { "tempminmax", "543210" },
	[ATTR_FMT_TEMP10X] = { "temp10x", "543210" },
};

const char *attr_format_to_string(enum attr_format f)
{
	return f < _ATTR_FMT_MAX ? formats[f].name : "?";
}

/*
 * smartctl's defaults, what its drive database's DEFAULT entry holds: the name and format of
 * each id no entry redefines. ",HDD" or ",SSD" there: the name is only for that kind of drive.
 */
static const struct {
	uint8_t id;
	uint8_t format;
	uint8_t only;
	const char *name;
} builtin[] = {
	{ 1, ATTR_FMT_RAW48, 0, "Raw_Read_Error_Rate" },
	{ 2, ATTR_FMT_RAW48, 0, "Throughput_Performance" },
	{ 3, ATTR_FMT_RAW16_AVG16, 0, "Spin_Up_Time" },
	{ 4, ATTR_FMT_RAW48, 0, "Start_Stop_Count" },
	{ 5, ATTR_FMT_RAW16_RAW16, 0, "Reallocated_Sector_Ct" },
	{ 6, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "Read_Channel_Margin" },
	{ 7, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "Seek_Error_Rate" },
	{ 8, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "Seek_Time_Performance" },
	{ 9, ATTR_FMT_RAW24_RAW8, 0, "Power_On_Hours" },
	{ 10, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "Spin_Retry_Count" },
	{ 11, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "Calibration_Retry_Count" },
	{ 12, ATTR_FMT_RAW48, 0, "Power_Cycle_Count" },
	{ 13, ATTR_FMT_RAW48, 0, "Read_Soft_Error_Rate" },
	{ 175, ATTR_FMT_RAW48, ATTR_DEF_SSD_ONLY, "Program_Fail_Count_Chip" },
	{ 176, ATTR_FMT_RAW48, ATTR_DEF_SSD_ONLY, "Erase_Fail_Count_Chip" },
	{ 177, ATTR_FMT_RAW48, ATTR_DEF_SSD_ONLY, "Wear_Leveling_Count" },
	{ 178, ATTR_FMT_RAW48, ATTR_DEF_SSD_ONLY, "Used_Rsvd_Blk_Cnt_Chip" },
	{ 179, ATTR_FMT_RAW48, ATTR_DEF_SSD_ONLY, "Used_Rsvd_Blk_Cnt_Tot" },
	{ 180, ATTR_FMT_RAW48, ATTR_DEF_SSD_ONLY, "Unused_Rsvd_Blk_Cnt_Tot" },
	{ 181, ATTR_FMT_RAW48, 0, "Program_Fail_Cnt_Total" },
	{ 182, ATTR_FMT_RAW48, ATTR_DEF_SSD_ONLY, "Erase_Fail_Count_Total" },
	{ 183, ATTR_FMT_RAW48, 0, "Runtime_Bad_Block" },
	{ 184, ATTR_FMT_RAW48, 0, "End-to-End_Error" },
	{ 187, ATTR_FMT_RAW48, 0, "Reported_Uncorrect" },
	{ 188, ATTR_FMT_RAW48, 0, "Command_Timeout" },
	{ 189, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "High_Fly_Writes" },
	{ 190, ATTR_FMT_TEMPMINMAX, 0, "Airflow_Temperature_Cel" },
	{ 191, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "G-Sense_Error_Rate" },
	{ 192, ATTR_FMT_RAW48, 0, "Power-Off_Retract_Count" },
	{ 193, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "Load_Cycle_Count" },
	{ 194, ATTR_FMT_TEMPMINMAX, 0, "Temperature_Celsius" },
	{ 195, ATTR_FMT_RAW48, 0, "Hardware_ECC_Recovered" },
	{ 196, ATTR_FMT_RAW16_RAW16, 0, "Reallocated_Event_Count" },
	{ 197, ATTR_FMT_RAW48, 0, "Current_Pending_Sector" },
	{ 198, ATTR_FMT_RAW48, 0, "Offline_Uncorrectable" },
	{ 199, ATTR_FMT_RAW48, 0, "UDMA_CRC_Error_Count" },
	{ 200, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "Multi_Zone_Error_Rate" },
	{ 201, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "Soft_Read_Error_Rate" },
	{ 202, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "Data_Address_Mark_Errs" },
	{ 203, ATTR_FMT_RAW48, 0, "Run_Out_Cancel" },
	{ 204, ATTR_FMT_RAW48, 0, "Soft_ECC_Correction" },
	{ 205, ATTR_FMT_RAW48, 0, "Thermal_Asperity_Rate" },
	{ 206, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "Flying_Height" },
	{ 207, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "Spin_High_Current" },
	{ 208, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "Spin_Buzz" },
	{ 209, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "Offline_Seek_Performnce" },
	{ 220, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "Disk_Shift" },
	{ 221, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "G-Sense_Error_Rate" },
	{ 222, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "Loaded_Hours" },
	{ 223, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "Load_Retry_Count" },
	{ 224, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "Load_Friction" },
	{ 225, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "Load_Cycle_Count" },
	{ 226, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "Load-in_Time" },
	{ 227, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "Torq-amp_Count" },
	{ 228, ATTR_FMT_RAW48, 0, "Power-off_Retract_Count" },
	{ 230, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "Head_Amplitude" },
	{ 231, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "Temperature_Celsius" },
	{ 232, ATTR_FMT_RAW48, 0, "Available_Reservd_Space" },
	{ 233, ATTR_FMT_RAW48, ATTR_DEF_SSD_ONLY, "Media_Wearout_Indicator" },
	{ 240, ATTR_FMT_RAW24_RAW8, ATTR_DEF_HDD_ONLY, "Head_Flying_Hours" },
	{ 241, ATTR_FMT_RAW48, 0, "Total_LBAs_Written" },
	{ 242, ATTR_FMT_RAW48, 0, "Total_LBAs_Read" },
	{ 250, ATTR_FMT_RAW48, 0, "Read_Error_Retry_Rate" },
	{ 254, ATTR_FMT_RAW48, ATTR_DEF_HDD_ONLY, "Free_Fall_Sensor" },
};

/*
 * smartctl still takes its first -v spellings, which say a meaning rather than a format; each
 * stands for a format and a name ("9,minutes": minutes, shown as hours).
 */
static const struct {
	const char *opt;
	uint8_t id;
	uint8_t format;
	uint8_t flags;
	const char *name; /* NULL: keeps the name it has */
} old_opts[] = {
	{ "9,halfminutes", 9, ATTR_FMT_HALFMIN2HOUR, 0, "Power_On_Half_Minutes" },
	{ "9,minutes", 9, ATTR_FMT_MIN2HOUR, 0, "Power_On_Minutes" },
	{ "9,seconds", 9, ATTR_FMT_SEC2HOUR, 0, "Power_On_Seconds" },
	{ "9,temp", 9, ATTR_FMT_TEMPMINMAX, 0, "Temperature_Celsius" },
	{ "192,emergencyretractcyclect", 192, ATTR_FMT_RAW48, 0, "Emerg_Retract_Cycle_Ct" },
	{ "193,loadunload", 193, ATTR_FMT_RAW24_RAW24, 0, NULL },
	{ "194,10xCelsius", 194, ATTR_FMT_TEMP10X, 0, "Temperature_Celsius_x10" },
	{ "194,unknown", 194, ATTR_FMT_RAW48, 0, "Unknown_Attribute" },
	{ "197,increasing", 197, ATTR_FMT_RAW48, ATTR_DEF_INCREASING, "Total_Pending_Sectors" },
	{ "198,offlinescanuncsectorct", 198, ATTR_FMT_RAW48, 0, "Offline_Scan_UNC_SectCt" },
	{ "198,increasing", 198, ATTR_FMT_RAW48, ATTR_DEF_INCREASING, "Total_Offl_Uncorrectabl" },
	{ "200,writeerrorcount", 200, ATTR_FMT_RAW48, 0, "Write_Error_Count" },
	{ "201,detectedtacount", 201, ATTR_FMT_RAW48, 0, "Detected_TA_Count" },
	{ "220,temp", 220, ATTR_FMT_TEMPMINMAX, 0, "Temperature_Celsius" },
};

/*
 * The counts the health model reads, each at the id drives keep it under and only under a
 * name that says it is that count: names from smartmontools' drive database. A vendor that
 * puts something else at the id gets another name there ("Not_In_Use", "Host_Reads_GiB",
 * "Bogus_Current_Pend_Sect", "Current_Pending_ECC_Cnt" on drives whose 197 flips 0 to 1 and
 * back in normal use), and then the id counts nothing. Each count's field of struct
 * smart_derived is here too: the one mapping from an attribute id to its derived value.
 */
static const struct {
	uint8_t id;
	uint8_t meaning;
	bool media;        /* a count of sectors or events: none past what a drive could hold */
	size_t field;      /* offsetof(struct smart_derived, ...) */
	const char *names; /* space-separated */
} counts[] = {
	{ 5, ATTR_MEANS_REALLOCATED, true, offsetof(struct smart_derived, reallocated),
	  "Reallocated_Sector_Ct Retired_Block_Count Reallocated_Block_Count Reallocate_NAND_Blk_Cnt "
	  "Runtime_Bad_Block New_Bad_Blk_Cnt Later_Bad_Block" },
	{ 196, ATTR_MEANS_REALLOCATION_EVENTS, true, offsetof(struct smart_derived, reallocation_events),
	  "Reallocated_Event_Count" },
	{ 197, ATTR_MEANS_PENDING, true, offsetof(struct smart_derived, pending),
	  "Current_Pending_Sector Pending_Sector_Count" },
	{ 198, ATTR_MEANS_OFFLINE_UNCORRECTABLE, true, offsetof(struct smart_derived, offline_uncorrectable),
	  "Offline_Uncorrectable Offline_Scan_UNC_SectCt Uncor_Read_Error_Ct Uncorrectable_Sector_Ct" },
	{ 187, ATTR_MEANS_REPORTED_UNCORRECTABLE, true, offsetof(struct smart_derived, reported_uncorrectable),
	  "Reported_Uncorrect Uncorrectable_Error_Cnt Uncorrectable_ECC_Ct Reported_UE_Counts Total_Unc_NAND_Reads" },
	{ 10, ATTR_MEANS_SPIN_RETRY, true, offsetof(struct smart_derived, spin_retry), "Spin_Retry_Count" },
	{ 188, ATTR_MEANS_COMMAND_TIMEOUT, false, offsetof(struct smart_derived, command_timeout),
	  "Command_Timeout Command_Timeouts" },
	{ 199, ATTR_MEANS_CRC_ERRORS, false, offsetof(struct smart_derived, crc_errors),
	  "UDMA_CRC_Error_Count CRC_Error_Count SATA_CRC_Error_Count SATA_CRC_Error" },
	{ 9, ATTR_MEANS_POWER_ON, false, offsetof(struct smart_derived, power_on_hours),
	  "Power_On_Hours Power_On_Minutes Power_On_Seconds Power_On_Half_Minutes Power_On_Hours_and_Msec" },
	{ 12, ATTR_MEANS_POWER_CYCLES, false, offsetof(struct smart_derived, power_cycles),
	  "Power_Cycle_Count Device_Power_Cycle_Cnt" },
};

static int64_t *derived_field(struct smart_derived *d, size_t field)
{
	return (int64_t *)(void *)((char *)d + field);
}

static int64_t derived_value(const struct smart_derived *d, size_t field)
{
	int64_t v;

	memcpy(&v, (const char *)d + field, sizeof(v));
	return v;
}

static bool word_in(const char *list, const char *word)
{
	size_t n = strlen(word);

	if (n == 0)
		return false;
	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

static bool contains_ci(const char *s, const char *part)
{
	size_t n = strlen(part);

	for (; *s; s++)
		if (strncasecmp(s, part, n) == 0)
			return true;
	return false;
}

/* "Temp" as a word of an underscore-separated name: Drive_Temp_Warning, not Retry_Attempts. */
static bool temp_word(const char *name)
{
	for (const char *p = name; (p = strstr(p, "Temp")); p += 4)
		if ((p == name || p[-1] == '_') && (p[4] == '_' || p[4] == '\0'))
			return true;
	return false;
}

static enum attr_meaning meaning_of(uint8_t id, const char *name)
{
	for (size_t i = 0; i < WG_ELEMENTSOF(counts); i++)
		if (counts[i].id == id)
			return word_in(counts[i].names, name) ? (enum attr_meaning)counts[i].meaning : ATTR_MEANS_OTHER;
	if (strstr(name, "Temperature") || temp_word(name))
		return ATTR_MEANS_TEMPERATURE;
	/* "SSD_Life_Left", "Percent_Lifetime_Remain", "Media_Wearout_Indicator"; not "..._Used" */
	if ((contains_ci(name, "life") && (contains_ci(name, "left") || contains_ci(name, "remain"))) ||
	    contains_ci(name, "wearout"))
		return ATTR_MEANS_LIFE_LEFT;
	return ATTR_MEANS_OTHER;
}

static void def_set(struct attr_def *d, uint8_t id, const char *name, uint8_t format, uint8_t flags,
		    const char *byteorder, int priority)
{
	if (name)
		snprintf(d->name, sizeof(d->name), "%s", name);
	d->format = format;
	d->flags = flags;
	snprintf(d->byteorder, sizeof(d->byteorder), "%s", byteorder);
	d->priority = (uint8_t)priority;
	d->meaning = (uint8_t)meaning_of(id, d->name);
}

void attr_defs_init_builtin(struct attr_defs *ret)
{
	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; i < WG_ELEMENTSOF(builtin); i++)
		def_set(&ret->def[builtin[i].id], builtin[i].id, builtin[i].name, builtin[i].format, builtin[i].only, "",
			1);
	for (unsigned id = 0; id < 256; id++)
		if (!ret->def[id].priority)
			ret->def[id].meaning = (uint8_t)meaning_of((uint8_t)id, "");
}

static struct attr_defs builtin_defs;

static void builtin_once(void)
{
	attr_defs_init_builtin(&builtin_defs);
}

const struct attr_defs *attr_defs_builtin(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, builtin_once);
	return &builtin_defs;
}

static bool is_byteorder(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 8 && strspn(s, "012345rvwz") == n;
}

/* One -v argument: "ID,FORMAT[+][:BYTEORDER][,NAME[,HDD|SSD]]", "N,FORMAT[:BYTEORDER][,NAME]" or an old spelling. */
static int apply_attr_opt(struct attr_defs *d, const char *arg, int priority, struct wg_err *err)
{
	char buf[128], *field[5] = { NULL }, *fmt, *colon, *end;
	unsigned nf = 0, flags = 0, only = 0;
	const char *byteorder = "";
	long id = 0;
	int format = -1;

	for (size_t i = 0; i < WG_ELEMENTSOF(old_opts); i++)
		if (strcmp(arg, old_opts[i].opt) == 0) {
			struct attr_def *x = &d->def[old_opts[i].id];

			if (x->priority <= priority)
				def_set(x, old_opts[i].id, old_opts[i].name, old_opts[i].format, old_opts[i].flags, "",
					priority);
			return 0;
		}
	if (wg_strlcpy(buf, arg, sizeof(buf)) < 0)
		return wg_err_set(err, -EINVAL, "'-v %.40s…' is too long", arg);
	for (char *p = buf; nf < WG_ELEMENTSOF(field); nf++) {
		field[nf] = p;
		p = strchr(p, ',');
		if (!p) {
			nf++;
			break;
		}
		*p++ = '\0';
	}
	if (nf < 2 || nf > 4 || !field[1][0])
		return wg_err_set(err, -EINVAL, "'-v %s' is not ID,FORMAT[,NAME]", arg);
	if (strcmp(field[0], "N") != 0) {
		errno = 0;
		id = strtol(field[0], &end, 10);
		if (field[0][0] < '0' || field[0][0] > '9' || *end || errno || id < 1 || id > 255)
			return wg_err_set(err, -EINVAL, "'-v %s': '%s' is not an attribute id (1-255) or N", arg, field[0]);
	} else if (nf > 3) {
		return wg_err_set(err, -EINVAL, "'-v %s': N takes no drive kind", arg);
	}
	fmt = field[1];
	if (fmt[strlen(fmt) - 1] == '+') {
		fmt[strlen(fmt) - 1] = '\0';
		flags |= ATTR_DEF_INCREASING;
	}
	colon = strchr(fmt, ':');
	if (colon) {
		*colon = '\0';
		byteorder = colon + 1;
		if (!is_byteorder(byteorder))
			return wg_err_set(err, -EINVAL, "'-v %s': byte order '%s' is not 1-8 of 012345rvwz", arg, byteorder);
		if (strchr(byteorder, 'v'))
			flags |= ATTR_DEF_NO_NORMVAL | ATTR_DEF_NO_WORSTVAL;
		if (strchr(byteorder, 'w'))
			flags |= ATTR_DEF_NO_WORSTVAL;
	}
	for (int f = 0; f < _ATTR_FMT_MAX; f++)
		if (strcmp(fmt, formats[f].name) == 0)
			format = f;
	if (format < 0)
		return wg_err_set(err, -EINVAL, "'-v %s': unknown format '%s'", arg, fmt);
	/* without a byte order, the 64-bit formats read the normalized and worst values as raw bytes */
	if (!byteorder[0] && (format == ATTR_FMT_RAW64 || format == ATTR_FMT_HEX64))
		flags |= ATTR_DEF_NO_NORMVAL | ATTR_DEF_NO_WORSTVAL;
	if (nf >= 3 && (!field[2][0] || strlen(field[2]) > ATTR_NAME_MAX || strpbrk(field[2], " \t")))
		return wg_err_set(err, -EINVAL, "'-v %s': '%s' is not a name of 1-%d characters", arg, field[2],
				  ATTR_NAME_MAX);
	if (nf == 4) {
		/* only the DEFAULT entry says which kind of drive a default name is for */
		if (priority != 1 || (strcmp(field[3], "HDD") != 0 && strcmp(field[3], "SSD") != 0))
			return wg_err_set(err, -EINVAL, "'-v %s': '%s' is not HDD or SSD in a DEFAULT entry", arg, field[3]);
		only = field[3][0] == 'H' ? ATTR_DEF_HDD_ONLY : ATTR_DEF_SSD_ONLY;
	}
	for (unsigned i = id ? (unsigned)id : 0; i < (id ? (unsigned)id + 1 : 256u); i++) {
		struct attr_def *x = &d->def[i];

		/* N sets what nothing of its rank set; an id overrides what ranks no higher */
		if (id ? x->priority > priority : x->priority >= priority)
			continue;
		/* a new format without a name keeps the name, and what kind of drive that name is for */
		def_set(x, (uint8_t)i, nf >= 3 ? field[2] : NULL, (uint8_t)format,
			(uint8_t)(flags | (nf >= 3 ? only : x->flags & (ATTR_DEF_HDD_ONLY | ATTR_DEF_SSD_ONLY))), byteorder,
			priority);
	}
	return 0;
}

int attr_defs_apply(struct attr_defs *d, const char *presets, int priority, struct wg_err *err)
{
	const char *p = presets;

	for (;;) {
		char opt, arg[128];
		size_t n;

		p += strspn(p, " \t");
		if (!*p)
			return 0;
		if (p[0] != '-' || !p[1] || p[2] != ' ')
			return wg_err_set(err, -EINVAL, "'%.40s' is not an option (-v ARG, -F ARG)", p);
		opt = p[1];
		p += 2;
		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (n == 0)
			return wg_err_set(err, -EINVAL, "'-%c' has no value", opt);
		if (n >= sizeof(arg))
			return wg_err_set(err, -EINVAL, "'-%c %.40s…' is too long", opt, p);
		memcpy(arg, p, n);
		arg[n] = '\0';
		p += n;
		if (opt == 'v') {
			int r = apply_attr_opt(d, arg, priority, err);

			if (r < 0)
				return r;
		} else if (opt != 'F' && opt != 'd') {
			/* -F: smartctl's firmware bug workarounds, -d: a USB bridge's type; neither changes a value */
			return wg_err_set(err, -EINVAL, "unknown option '-%c %s' (only -v, -F and -d)", opt, arg);
		}
	}
}

const struct attr_def *attrs_def(const struct smart_reading *r, uint8_t id)
{
	return &(r->defs ? r->defs : attr_defs_builtin())->def[id];
}

/* A default name meant for the other kind of drive ("Spin_Retry_Count" on an SSD) names nothing. */
static bool for_other_kind(const struct smart_reading *r, const struct attr_def *d)
{
	uint16_t rot = r->identity.rotation;

	return ((d->flags & ATTR_DEF_HDD_ONLY) && rot == 1) || ((d->flags & ATTR_DEF_SSD_ONLY) && rot > 1);
}

const char *attrs_name(const struct smart_reading *r, uint8_t id)
{
	const struct attr_def *d = attrs_def(r, id);

	if (!d->name[0])
		return "Unknown_Attribute";
	if (for_other_kind(r, d))
		return r->identity.rotation == 1 ? "Unknown_SSD_Attribute" : "Unknown_HDD_Attribute";
	return d->name;
}

enum attr_meaning attrs_meaning(const struct smart_reading *r, uint8_t id)
{
	const struct attr_def *d = attrs_def(r, id);

	return for_other_kind(r, d) ? ATTR_MEANS_OTHER : (enum attr_meaning)d->meaning;
}

/* The bytes a definition reads, most significant first: up to 64 bits. */
static uint64_t value_of(const struct smart_attr *a, const struct attr_def *def)
{
	const char *order = def->byteorder[0] ? def->byteorder : formats[def->format < _ATTR_FMT_MAX ? def->format : 0].byteorder;
	uint64_t v = 0;

	for (const char *c = order; *c; c++) {
		uint8_t b = 0;

		if (*c >= '0' && *c <= '5')
			b = a->raw[*c - '0'];
		else if (*c == 'r')
			b = a->reserved;
		else if (*c == 'v')
			b = a->current;
		else if (*c == 'w')
			b = a->worst;
		v = v << 8 | b;
	}
	return v;
}

/* A temperature field: what a word holding one can look like (0 when it cannot be one). */
enum { TW_BYTE = 1, TW_WORD = 2 };

static int temp_word_kind(unsigned w)
{
	if (w <= 0x7f)
		return TW_BYTE | TW_WORD; /* 0 to 127: a byte or a word */
	if (w <= 0xff)
		return TW_BYTE; /* a negative byte */
	if (w >= 0xff80)
		return TW_WORD; /* a negative word */
	return 0;
}

/* Two bytes that can be the lowest and highest temperature around t; set lo and hi. */
static bool temp_range(int t, uint8_t x, uint8_t y, int *lo, int *hi)
{
	int a = (int8_t)x, b = (int8_t)y;

	if (a > b) {
		int c = a;

		a = b;
		b = c;
	}
	if (a < -60 || a > t || t > b || b > 120 || (a == -1 && b <= 0))
		return false;
	*lo = a;
	*hi = b;
	return true;
}

/*
 * Where a drive keeps its lowest and highest temperature beside the current one (byte 0),
 * bytes as [5][4][3][2][1][0]: xx HH xx LL xx TT (Hitachi), xx LL xx HH xx TT (Kingston),
 * 00 00 HH LL xx TT (Seagate, Samsung, Toshiba), 00 00 00 HH LL TT (WD), CC CC HH LL xx TT (WD
 * with a count of overheats). 1 with min and max, 2 with a count too, 0 current only, -1 none fits.
 */
static int temp_layout(uint64_t v, int *t, int *lo, int *hi, unsigned *count)
{
	uint8_t b[6];
	unsigned w0, w1, w2;
	int k0;

	for (int i = 0; i < 6; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	w0 = b[0] | b[1] << 8;
	w1 = b[2] | b[3] << 8;
	w2 = b[4] | b[5] << 8;
	*t = (int8_t)b[0];
	k0 = temp_word_kind(w0);
	if (w2 == 0) {
		if (w1 == 0 && k0)
			return 0;
		if (k0 && temp_range(*t, b[2], b[3], lo, hi))
			return 1;
		if (b[3] == 0 && temp_range(*t, b[1], b[2], lo, hi))
			return 1;
		return -1;
	}
	if (!k0)
		return -1;
	if ((k0 & temp_word_kind(w1) & temp_word_kind(w2)) && temp_range(*t, b[2], b[4], lo, hi))
		return 1;
	if (w2 < 0x7fff && temp_range(*t, b[2], b[3], lo, hi) && *hi >= 40) {
		*count = w2;
		return 2;
	}
	return -1;
}

int attr_decode(const struct smart_attr *a, const struct attr_def *def, int64_t *ret)
{
	uint64_t v = value_of(a, def), n;
	int t, lo, hi;
	unsigned count;

	switch (def->format) {
	case ATTR_FMT_RAW8:
		n = v >> 40 & 0xff; /* printed from byte 5 down */
		break;
	case ATTR_FMT_RAW16:
		n = v >> 32 & 0xffff; /* printed from word 2 down */
		break;
	case ATTR_FMT_RAW16_RAW16:
	case ATTR_FMT_RAW16_AVG16:
		n = v & 0xffff;
		break;
	case ATTR_FMT_RAW24_RAW8:
		n = v & 0xffffff;
		break;
	case ATTR_FMT_RAW24_RAW24:
		n = (uint32_t)(v >> 24);
		break;
	case ATTR_FMT_RAW24_RAW32:
		n = (uint32_t)(v >> 32);
		break;
	case ATTR_FMT_SEC2HOUR:
		n = v / 3600;
		break;
	case ATTR_FMT_MIN2HOUR:
		n = (v & 0xffffffff) / 60;
		break;
	case ATTR_FMT_HALFMIN2HOUR:
		n = v / 120;
		break;
	case ATTR_FMT_MSEC24HOUR32:
		n = v & 0xffffffff;
		break;
	case ATTR_FMT_TEMPMINMAX:
		/* a recognised layout holds a signed current temperature; otherwise the byte is shown as it is */
		if (temp_layout(v, &t, &lo, &hi, &count) >= 0) {
			*ret = t;
			return 0;
		}
		n = v & 0xff;
		break;
	case ATTR_FMT_TEMP10X:
		n = (v & 0xffff) / 10;
		break;
	default:
		n = v;
		break;
	}
	if (n > INT64_MAX)
		return -ERANGE;
	*ret = (int64_t)n;
	return 0;
}

void attr_format_value(const struct smart_attr *a, const struct attr_def *def, char *buf, size_t len)
{
	uint64_t v = value_of(a, def);
	unsigned w0 = v & 0xffff, w1 = v >> 16 & 0xffff, w2 = v >> 32 & 0xffff;
	int t, lo, hi, layout;
	unsigned count = 0;

	switch (def->format) {
	case ATTR_FMT_RAW8:
		snprintf(buf, len, "%u %u %u %u %u %u", (unsigned)(v >> 40 & 0xff), (unsigned)(v >> 32 & 0xff),
			 (unsigned)(v >> 24 & 0xff), (unsigned)(v >> 16 & 0xff), (unsigned)(v >> 8 & 0xff),
			 (unsigned)(v & 0xff));
		break;
	case ATTR_FMT_RAW16:
		snprintf(buf, len, "%u %u %u", w2, w1, w0);
		break;
	case ATTR_FMT_HEX48:
		snprintf(buf, len, "0x%012" PRIx64, v);
		break;
	case ATTR_FMT_HEX56:
		snprintf(buf, len, "0x%014" PRIx64, v);
		break;
	case ATTR_FMT_HEX64:
		snprintf(buf, len, "0x%016" PRIx64, v);
		break;
	case ATTR_FMT_RAW16_RAW16:
		if (w1 || w2)
			snprintf(buf, len, "%u (%u %u)", w0, w2, w1);
		else
			snprintf(buf, len, "%u", w0);
		break;
	case ATTR_FMT_RAW16_AVG16:
		if (w1)
			snprintf(buf, len, "%u (Average %u)", w0, w1);
		else
			snprintf(buf, len, "%u", w0);
		break;
	case ATTR_FMT_RAW24_RAW8:
		if (v >> 24 & 0xffffff)
			snprintf(buf, len, "%u (%u %u %u)", (unsigned)(v & 0xffffff), (unsigned)(v >> 40 & 0xff),
				 (unsigned)(v >> 32 & 0xff), (unsigned)(v >> 24 & 0xff));
		else
			snprintf(buf, len, "%u", (unsigned)(v & 0xffffff));
		break;
	case ATTR_FMT_RAW24_RAW24:
		snprintf(buf, len, "%u/%u", (unsigned)(uint32_t)(v >> 24), (unsigned)(v & 0xffffff));
		break;
	case ATTR_FMT_RAW24_RAW32:
		snprintf(buf, len, "%u/%u", (unsigned)(uint32_t)(v >> 32), (unsigned)(v & 0xffffffff));
		break;
	case ATTR_FMT_SEC2HOUR:
		snprintf(buf, len, "%" PRIu64 "h+%02um+%02us", v / 3600, (unsigned)(v % 3600 / 60), (unsigned)(v % 60));
		break;
	case ATTR_FMT_MIN2HOUR:
		if (w2)
			snprintf(buf, len, "%" PRIu64 "h+%02um (%u)", (v & 0xffffffff) / 60, (unsigned)((v & 0xffffffff) % 60),
				 w2);
		else
			snprintf(buf, len, "%" PRIu64 "h+%02um", (v & 0xffffffff) / 60, (unsigned)((v & 0xffffffff) % 60));
		break;
	case ATTR_FMT_HALFMIN2HOUR:
		snprintf(buf, len, "%" PRIu64 "h+%02um", v / 120, (unsigned)(v % 120 / 2));
		break;
	case ATTR_FMT_MSEC24HOUR32: {
		unsigned ms = (unsigned)(v >> 32), s = ms / 1000;

		snprintf(buf, len, "%uh+%02um+%02u.%03us", (unsigned)(v & 0xffffffff), s / 60, s % 60, ms % 1000);
		break;
	}
	case ATTR_FMT_TEMPMINMAX:
		layout = temp_layout(v, &t, &lo, &hi, &count);
		if (layout == 0)
			snprintf(buf, len, "%d", t);
		else if (layout == 1)
			snprintf(buf, len, "%d (Min/Max %d/%d)", t, lo, hi);
		else if (layout == 2)
			snprintf(buf, len, "%d (Min/Max %d/%d #%u)", t, lo, hi, count);
		else
			snprintf(buf, len, "%u (%u %u %u %u %u)", (unsigned)(v & 0xff), (unsigned)(v >> 40 & 0xff),
				 (unsigned)(v >> 32 & 0xff), (unsigned)(v >> 24 & 0xff), (unsigned)(v >> 16 & 0xff),
				 (unsigned)(v >> 8 & 0xff));
		break;
	case ATTR_FMT_TEMP10X:
		snprintf(buf, len, "%u.%u", w0 / 10, w0 % 10);
		break;
	default:
		snprintf(buf, len, "%" PRIu64, v);
		break;
	}
}

uint8_t attrs_repeated_id(const struct smart_reading *r)
{
	uint8_t seen[256] = { 0 };

	for (unsigned i = 0; i < r->n_attrs && i < SMART_MAX_ATTRS; i++)
		if (seen[r->attrs[i].id]++)
			return r->attrs[i].id;
	return 0;
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
	for (unsigned i = r->n_attrs; i > 0; i--) /* the first of a repeated id wins, as smartctl reads it */
		ret->slot[r->attrs[i - 1].id] = (uint8_t)i;
}

static const struct smart_attr *attr_at(const struct indexed *x, uint8_t id)
{
	return x->slot[id] ? &x->r->attrs[x->slot[id] - 1] : NULL;
}

/* The decoded value of the attribute at id when its name there says it means m; else ATTR_UNKNOWN. */
static int64_t value_meaning(const struct indexed *x, uint8_t id, enum attr_meaning m)
{
	const struct smart_attr *a = attr_at(x, id);
	int64_t v;

	if (!a || attrs_meaning(x->r, id) != m || attr_decode(a, attrs_def(x->r, id), &v) < 0 || v < 0)
		return ATTR_UNKNOWN;
	return v;
}

/* A count of sectors or events, unless no drive could have that many. */
static int64_t media_count(const struct indexed *x, uint8_t id, enum attr_meaning m)
{
	int64_t v = value_meaning(x, id, m);

	if (v == ATTR_UNKNOWN || v >= UINT32_MAX)
		return ATTR_UNKNOWN;
	if (x->r->identity.sectors > 0 && (uint64_t)v > x->r->identity.sectors)
		return ATTR_UNKNOWN;
	return v;
}

/* As smartctl finds a drive's temperature: the first of these that a temperature format reads as one. */
static int64_t temperature(const struct indexed *x)
{
	static const uint8_t ids[] = { 194, 190, 9, 220 };

	for (size_t i = 0; i < WG_ELEMENTSOF(ids); i++) {
		const struct smart_attr *a = attr_at(x, ids[i]);
		const struct attr_def *d = attrs_def(x->r, ids[i]);
		uint64_t v;
		int64_t t;

		if (!a || (d->format != ATTR_FMT_TEMPMINMAX && d->format != ATTR_FMT_TEMP10X))
			continue;
		v = value_of(a, d);
		/* the current temperature alone: min and max, when kept, are above it */
		t = d->format == ATTR_FMT_TEMP10X ? (int64_t)(((v & 0xffff) + 5) / 10) : (int64_t)(v & 0xff);
		if (t > 0 && t < 128)
			return t;
	}
	return ATTR_UNKNOWN;
}

/* Thirty years: a larger power-on count is a vendor encoding we do not know, not a fact. */
#define POH_PLAUSIBLE_MAX (30 * 365 * 24)

static int64_t plausible_power_on(int64_t h)
{
	return h <= POH_PLAUSIBLE_MAX ? h : ATTR_UNKNOWN;
}

/*
 * An attribute whose name says how much of the drive's rated life is left holds a percentage,
 * but not always in the same place. Most drives count it down in the normalized value toward
 * a threshold they set; some set no threshold (0, "always passing"), keep the percentage in
 * the raw value and count something else in the normalized one (2 to 8 on drives with 92 to
 * 98 % left). So: the normalized value where the drive sets a threshold on it; where it sets
 * none, the raw value when that reads as a percentage (1 to 100), else the normalized value
 * when it is a valid one (1 to 100: 0 is no normalized value).
 */
static int64_t life_left(const struct smart_attr *a, const struct attr_def *d, int64_t *ret_threshold)
{
	bool normalized = !(d->flags & ATTR_DEF_NO_NORMVAL);
	int64_t raw;

	*ret_threshold = a->threshold_valid ? a->threshold : 0;
	if (normalized && a->threshold_valid && a->threshold > 0) {
		if (a->current <= 100)
			return a->current;
		/* 100 less the share used, kept in a byte: past 100 % used it runs below zero and wraps */
		return a->current < 0xfe ? 0 : ATTR_UNKNOWN;
	}
	if (attr_decode(a, d, &raw) == 0 && raw >= 1 && raw <= 100)
		return raw;
	return normalized && a->current >= 1 && a->current <= 100 ? a->current : ATTR_UNKNOWN;
}

static void ssd_wear(const struct indexed *x, struct smart_derived *d)
{
	const struct smart_reading *r = x->r;

	d->ssd_wear_value = ATTR_UNKNOWN;
	d->ssd_wear_threshold = ATTR_UNKNOWN;
	for (unsigned i = 0; i < r->n_attrs; i++) {
		const struct smart_attr *a = &r->attrs[i];
		int64_t v, th;

		if (attr_at(x, a->id) != a || attrs_meaning(r, a->id) != ATTR_MEANS_LIFE_LEFT)
			continue;
		v = life_left(a, attrs_def(r, a->id), &th);
		if (v != ATTR_UNKNOWN && (d->ssd_wear_value == ATTR_UNKNOWN || v < d->ssd_wear_value)) {
			d->ssd_wear_value = v;
			d->ssd_wear_threshold = th;
		}
	}
}

void attrs_derive_unknown(struct smart_derived *ret)
{
	_Static_assert(sizeof(struct smart_derived) == 13 * sizeof(int64_t), "each field of smart_derived is set here");
	*ret = (struct smart_derived){
		ATTR_UNKNOWN, ATTR_UNKNOWN, ATTR_UNKNOWN, ATTR_UNKNOWN, ATTR_UNKNOWN, ATTR_UNKNOWN, ATTR_UNKNOWN,
		ATTR_UNKNOWN, ATTR_UNKNOWN, ATTR_UNKNOWN, ATTR_UNKNOWN, ATTR_UNKNOWN, ATTR_UNKNOWN,
	};
}

void attrs_derive(const struct smart_reading *r, struct smart_derived *ret)
{
	struct smart_derived d;
	struct indexed x;

	if (r->status != READING_OK) {
		attrs_derive_unknown(ret);
		return;
	}
	index_reading(r, &x);
	for (size_t i = 0; i < WG_ELEMENTSOF(counts); i++)
		*derived_field(&d, counts[i].field) = counts[i].media ? media_count(&x, counts[i].id, counts[i].meaning)
								       : value_meaning(&x, counts[i].id, counts[i].meaning);
	/*
	 * Every reallocation event leaves a reallocated sector behind. Drives that count events
	 * without one (Seagate and Fujitsu laptop drives report thousands with 5 at 0) pack
	 * something else into 196: a count that contradicts 5 is not one.
	 */
	if (d.reallocated == 0 && d.reallocation_events > 0)
		d.reallocation_events = ATTR_UNKNOWN;
	d.temperature_c = temperature(&x);
	d.power_on_hours = plausible_power_on(d.power_on_hours);
	ssd_wear(&x, &d);
	*ret = d;
}

int64_t attrs_value(const struct smart_reading *r, const struct smart_derived *d, uint8_t id)
{
	const struct smart_attr *a;
	enum attr_meaning m;
	int64_t v;

	if (r->status != READING_OK || !(a = smart_reading_attr(r, id)))
		return ATTR_UNKNOWN;
	m = attrs_meaning(r, id);
	for (size_t i = 0; m != ATTR_MEANS_OTHER && i < WG_ELEMENTSOF(counts); i++)
		if (counts[i].meaning == m)
			return derived_value(d, counts[i].field);
	return attr_decode(a, attrs_def(r, id), &v) == 0 ? v : ATTR_UNKNOWN;
}
