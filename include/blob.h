/* blob.h — libatasmart's saved-reading format and the raw ATA pages inside it, read and written */
#ifndef WEARGATE_BLOB_H
#define WEARGATE_BLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define ATA_PAGE 512

/*
 * A blob is a sequence of records: 4-byte ASCII tag, 4-byte big-endian length, payload.
 * IDFY (512, mandatory), SMST (4, big-endian 1 = good), SMDT (512), SMTH (512).
 */
struct blob {
	bool has_status, has_data, has_thresholds; /* identify is mandatory */
	uint8_t identify[ATA_PAGE];
	uint32_t status; /* 1 good, 0 failed */
	uint8_t data[ATA_PAGE];
	uint8_t thresholds[ATA_PAGE];
};

/*
 * Strict parse: empty input, truncated records, wrong lengths, duplicates, an SMST other than 0
 * or 1 and a missing IDFY are -EINVAL, err naming the record and its offset. Records with other
 * tags are skipped as libatasmart does, and not kept. ret is untouched on failure.
 */
int blob_parse(const void *buf, size_t len, struct blob *ret, struct wg_err *err);
/* Serialize in libatasmart's order; *ret_buf is malloc'd. */
int blob_serialize(const struct blob *b, uint8_t **ret_buf, size_t *ret_len);
int blob_load(const char *path, struct blob *ret, struct wg_err *err);
int blob_save(const char *path, const struct blob *b); /* atomic replace */

/* ATA pages end in a checksum byte: all 512 bytes sum to 0 mod 256. */
bool ata_page_checksum_ok(const uint8_t page[ATA_PAGE]);
void ata_page_fix_checksum(uint8_t page[ATA_PAGE]);
/*
 * IDENTIFY carries its checksum only when word 255 holds the 0xA5 signature (older and emulated
 * drives leave the word 0): a page without the signature passes. fix signs the page, then sums.
 */
bool identify_checksum_ok(const uint8_t id[ATA_PAGE]);
void identify_fix_checksum(uint8_t id[ATA_PAGE]);

/*
 * IDENTIFY DEVICE: strings (byte-swapped, space-padded on the page) and capacity. get turns
 * unprintable bytes into spaces and trims spaces at both ends; set pads with spaces, truncates,
 * and like set_sectors leaves a signed, valid checksum. set_sectors writes words 60-61 (capped at
 * 0x0FFFFFFF) and, when the count needs it or word 83 already claims 48-bit support, words 100-103.
 */
void identify_get_string(const uint8_t id[ATA_PAGE], unsigned word, unsigned nwords, char *buf, size_t len);
void identify_set_string(uint8_t id[ATA_PAGE], unsigned word, unsigned nwords, const char *s);
uint64_t identify_sectors(const uint8_t id[ATA_PAGE]); /* 0 when not given */
void identify_set_sectors(uint8_t id[ATA_PAGE], uint64_t sectors);
/*
 * Claim (or deny) SMART support and enablement, words 82 and 85 bit 0: libatasmart asks these
 * bits, blob or not, and to skdump a page that denies them is "ATA SMART not supported" whatever
 * SMART pages follow. Leaves the page signed.
 */
void identify_set_smart(uint8_t id[ATA_PAGE], bool on);
/* Word 217, the nominal media rotation rate: 1 for a solid-state drive, else rpm; 0 not reported. */
uint16_t identify_rotation(const uint8_t id[ATA_PAGE]);
void identify_set_rotation(uint8_t id[ATA_PAGE], uint16_t rotation);
#define IDENTIFY_SERIAL 10, 10
#define IDENTIFY_FIRMWARE 23, 4
#define IDENTIFY_MODEL 27, 20

/* SMART READ DATA page: 30 entries of 12 bytes from offset 2. */
struct ata_attr_entry {
	uint8_t id;
	uint16_t flags;
	uint8_t current, worst;
	uint8_t raw[6];
	uint8_t reserved; /* the 12th byte: vendor-specific, read by some formats (raw56, msec24hour32) */
};
#define SMART_PAGE_ENTRIES 30
/* Entry slot of id on the page, or -ENOENT. */
int smart_page_find(const uint8_t data[ATA_PAGE], uint8_t id);
void smart_page_get(const uint8_t data[ATA_PAGE], unsigned slot, struct ata_attr_entry *ret);
/* Write the entry into this slot as given, keeping the page's 12th (vendor) byte; fixes the checksum. */
void smart_page_set(uint8_t data[ATA_PAGE], unsigned slot, const struct ata_attr_entry *e);
/* Replace id's entry, or take the first free slot; -ENOSPC when the page is full. Fixes the checksum. */
int smart_page_put(uint8_t data[ATA_PAGE], const struct ata_attr_entry *e);
/* SMART READ THRESHOLDS page: 30 entries of 12 bytes (id, threshold) from offset 2. */
int threshold_page_get(const uint8_t th[ATA_PAGE], uint8_t id, uint8_t *ret);
int threshold_page_put(uint8_t th[ATA_PAGE], uint8_t id, uint8_t threshold);
/* Write (id, threshold) into this slot, keeping its reserved bytes; fixes the checksum. */
void threshold_page_set(uint8_t th[ATA_PAGE], unsigned slot, uint8_t id, uint8_t threshold);
/*
 * Put attribute e on the data page and its threshold into the same slot of the threshold page,
 * as drives lay them out (a reader takes ids that disagree between the pages for a damaged
 * table). threshold < 0 keeps the slot's threshold entry when it names e->id and clears it
 * otherwise. Marks the data page present, and the threshold page when a threshold is given;
 * -EINVAL for id 0 or a threshold above 255, -ENOSPC when the data page is full.
 */
int blob_put_attr(struct blob *b, const struct ata_attr_entry *e, int threshold);
#define SMART_PAGE_OFFLINE_STATUS_OFFSET 362
#define SMART_PAGE_SELF_TEST_OFFSET 363

#endif
