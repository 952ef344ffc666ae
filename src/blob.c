/* blob.c — libatasmart's saved-reading format and the ATA pages inside it, read and written */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"

/* Far above the 1572 bytes of a full blob, far below anything worth reading into memory. */
#define BLOB_MAX_SIZE (64 * 1024)

#define REC_HEADER 8
#define ATTR_ENTRY 12
#define ATTR_TABLE 2

enum rec {
	REC_IDFY,
	REC_SMST,
	REC_SMDT,
	REC_SMTH,
	_REC_MAX,
};

static const struct {
	char tag[4];
	uint32_t len;
} recs[_REC_MAX] = {
	[REC_IDFY] = { { 'I', 'D', 'F', 'Y' }, ATA_PAGE },
	[REC_SMST] = { { 'S', 'M', 'S', 'T' }, 4 },
	[REC_SMDT] = { { 'S', 'M', 'D', 'T' }, ATA_PAGE },
	[REC_SMTH] = { { 'S', 'M', 'T', 'H' }, ATA_PAGE },
};

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A tag from a damaged file can hold any byte; the message must stay one readable line. */
static const char *tag_str(const uint8_t *tag, char buf[17])
{
	char *p = buf;

	for (unsigned i = 0; i < 4; i++) {
		if (tag[i] >= 0x20 && tag[i] < 0x7f && tag[i] != '\\' && tag[i] != '\'')
			*p++ = (char)tag[i];
		else
			p += sprintf(p, "\\x%02x", tag[i]);
	}
	*p = '\0';
	return buf;
}

int blob_parse(const void *buf, size_t len, struct blob *ret, struct wg_err *err)
{
	size_t first[_REC_MAX];
	bool seen[_REC_MAX] = { false };
	const uint8_t *p = buf;
	struct blob b;
	size_t off = 0;
	char tag[17];

	if (len == 0)
		return wg_err_set(err, -EINVAL, "empty blob");
	memset(&b, 0, sizeof(b));
	while (off < len) {
		const uint8_t *payload;
		uint32_t rlen;
		unsigned r;

		if (len - off < REC_HEADER)
			return wg_err_set(err, -EINVAL,
					  "truncated record header at offset %zu: %d bytes needed, %zu present",
					  off, REC_HEADER, len - off);
		rlen = get_be32(p + off + 4);
		payload = p + off + REC_HEADER;
		if (len - off - REC_HEADER < rlen)
			return wg_err_set(err, -EINVAL,
					  "truncated record '%s' at offset %zu: %" PRIu32 " bytes announced, %zu present",
					  tag_str(p + off, tag), off, rlen, len - off - REC_HEADER);
		for (r = 0; r < _REC_MAX; r++)
			if (memcmp(p + off, recs[r].tag, 4) == 0)
				break;
		if (r == _REC_MAX)
			goto next; /* libatasmart skips what it does not know, so must we */
		if (seen[r])
			return wg_err_set(err, -EINVAL, "duplicate record '%s' at offset %zu (first at offset %zu)",
					  tag_str(p + off, tag), off, first[r]);
		if (rlen != recs[r].len)
			return wg_err_set(err, -EINVAL, "record '%s' at offset %zu has length %" PRIu32 ", expected %" PRIu32,
					  tag_str(p + off, tag), off, rlen, recs[r].len);
		seen[r] = true;
		first[r] = off;
		switch (r) {
		case REC_IDFY:
			memcpy(b.identify, payload, ATA_PAGE);
			break;
		case REC_SMST:
			/*
			 * libatasmart writes htonl(!!good); anything else means a writer that got the
			 * byte order or the meaning wrong, and a verdict read from it is a guess.
			 */
			b.status = get_be32(payload);
			if (b.status > 1)
				return wg_err_set(err, -EINVAL,
						  "record 'SMST' at offset %zu holds %" PRIu32 ", expected 0 or 1",
						  off, b.status);
			b.has_status = true;
			break;
		case REC_SMDT:
			memcpy(b.data, payload, ATA_PAGE);
			b.has_data = true;
			break;
		case REC_SMTH:
			memcpy(b.thresholds, payload, ATA_PAGE);
			b.has_thresholds = true;
			break;
		}
next:
		off += REC_HEADER + (size_t)rlen;
	}
	if (!seen[REC_IDFY])
		return wg_err_set(err, -EINVAL, "no 'IDFY' record (the identify page is mandatory)");
	*ret = b;
	return 0;
}

static uint8_t *put_record(uint8_t *p, enum rec r, const void *payload)
{
	memcpy(p, recs[r].tag, 4);
	put_be32(p + 4, recs[r].len);
	memcpy(p + REC_HEADER, payload, recs[r].len);
	return p + REC_HEADER + recs[r].len;
}

int blob_serialize(const struct blob *b, uint8_t **ret_buf, size_t *ret_len)
{
	uint8_t status[4], *buf, *p;
	size_t len = REC_HEADER + ATA_PAGE;

	if (b->has_status)
		len += REC_HEADER + 4;
	if (b->has_data)
		len += REC_HEADER + ATA_PAGE;
	if (b->has_thresholds)
		len += REC_HEADER + ATA_PAGE;
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	p = put_record(buf, REC_IDFY, b->identify);
	if (b->has_status) {
		put_be32(status, b->status);
		p = put_record(p, REC_SMST, status);
	}
	if (b->has_data)
		p = put_record(p, REC_SMDT, b->data);
	if (b->has_thresholds)
		p = put_record(p, REC_SMTH, b->thresholds);
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

int blob_load(const char *path, struct blob *ret, struct wg_err *err)
{
	struct wg_err perr;
	uint8_t *buf = NULL;
	size_t len;
	int r;

	r = wg_read_file(path, BLOB_MAX_SIZE, &buf, &len);
	if (r == -EFBIG)
		return wg_err_set(err, r, "cannot read '%s': larger than %d bytes, not a blob", path,
				  BLOB_MAX_SIZE);
	if (r == -ESPIPE)
		return wg_err_set(err, r, "cannot read '%s': a FIFO, not a blob", path);
	if (r < 0)
		return wg_err_set(err, r, "cannot read '%s': %s", path, strerror(-r));
	r = blob_parse(buf, len, ret, &perr);
	if (r < 0)
		wg_err_set(err, r, "invalid blob '%s': %s", path, perr.msg);
	free(buf);
	return r;
}

int blob_save(const char *path, const struct blob *b)
{
	uint8_t *buf;
	size_t len;
	int r;

	r = blob_serialize(b, &buf, &len);
	if (r < 0)
		return r;
	r = wg_write_file_atomic(path, buf, len, 0644);
	free(buf);
	return r;
}

static uint8_t page_sum(const uint8_t page[ATA_PAGE])
{
	unsigned sum = 0;

	for (unsigned i = 0; i < ATA_PAGE; i++)
		sum += page[i];
	return (uint8_t)sum;
}

bool ata_page_checksum_ok(const uint8_t page[ATA_PAGE])
{
	return page_sum(page) == 0;
}

void ata_page_fix_checksum(uint8_t page[ATA_PAGE])
{
	page[ATA_PAGE - 1] = (uint8_t)(page[ATA_PAGE - 1] - page_sum(page));
}

#define IDENTIFY_SIGNATURE 0xA5

bool identify_checksum_ok(const uint8_t id[ATA_PAGE])
{
	return id[ATA_PAGE - 2] != IDENTIFY_SIGNATURE || ata_page_checksum_ok(id);
}

void identify_fix_checksum(uint8_t id[ATA_PAGE])
{
	id[ATA_PAGE - 2] = IDENTIFY_SIGNATURE;
	ata_page_fix_checksum(id);
}

/* IDENTIFY words are little-endian 16-bit values. */
static uint16_t id_word(const uint8_t id[ATA_PAGE], unsigned w)
{
	return (uint16_t)(id[2 * w] | id[2 * w + 1] << 8);
}

static void id_set_word(uint8_t id[ATA_PAGE], unsigned w, uint16_t v)
{
	id[2 * w] = (uint8_t)v;
	id[2 * w + 1] = (uint8_t)(v >> 8);
}

void identify_get_string(const uint8_t id[ATA_PAGE], unsigned word, unsigned nwords, char *buf, size_t len)
{
	size_t n = 0, start = 0, end;

	if (len == 0)
		return;
	if (word + nwords > ATA_PAGE / 2)
		nwords = word < ATA_PAGE / 2 ? ATA_PAGE / 2 - word : 0;
	for (unsigned i = 0; i < 2 * nwords && n + 1 < len; i++) {
		/* the first character of each word is its high byte */
		uint8_t c = id[2 * word + (i ^ 1)];

		buf[n++] = c >= 0x20 && c < 0x7f ? (char)c : ' ';
	}
	end = n;
	while (end > 0 && buf[end - 1] == ' ')
		end--;
	while (start < end && buf[start] == ' ')
		start++;
	memmove(buf, buf + start, end - start);
	buf[end - start] = '\0';
}

void identify_set_string(uint8_t id[ATA_PAGE], unsigned word, unsigned nwords, const char *s)
{
	size_t n = strlen(s);

	if (word + nwords > ATA_PAGE / 2)
		nwords = word < ATA_PAGE / 2 ? ATA_PAGE / 2 - word : 0;
	for (unsigned i = 0; i < 2 * nwords; i++)
		id[2 * word + (i ^ 1)] = i < n ? (uint8_t)s[i] : ' ';
	identify_fix_checksum(id);
}

#define W_CAPABILITIES 49
#define W_LBA28 60
#define W_CMDSET1 82
#define W_CMDSET2 83
#define W_CMDSET1_ENABLED 85
#define W_CMDSET2_ENABLED 86
#define W_LBA48 100
#define CAP_LBA 0x0200
#define CMDSET2_LBA48 0x0400
#define CMDSET1_SMART 0x0001
#define LBA28_MAX 0x0FFFFFFFu

/* Words 82-84 count only when bit 14 is set and bit 15 clear; 0x0000 and 0xFFFF mean "not given". */
static bool lba48_claimed(const uint8_t id[ATA_PAGE])
{
	uint16_t w = id_word(id, W_CMDSET2);

	return (w & 0xC000) == 0x4000 && (w & CMDSET2_LBA48);
}

uint64_t identify_sectors(const uint8_t id[ATA_PAGE])
{
	if (lba48_claimed(id)) {
		uint64_t v = 0;

		for (unsigned i = 0; i < 4; i++)
			v |= (uint64_t)id_word(id, W_LBA48 + i) << (16 * i);
		if (v)
			return v;
	}
	return (uint64_t)id_word(id, W_LBA28) | (uint64_t)id_word(id, W_LBA28 + 1) << 16;
}

void identify_set_sectors(uint8_t id[ATA_PAGE], uint64_t sectors)
{
	uint32_t lba28 = sectors > LBA28_MAX ? LBA28_MAX : (uint32_t)sectors;

	id_set_word(id, W_LBA28, (uint16_t)lba28);
	id_set_word(id, W_LBA28 + 1, (uint16_t)(lba28 >> 16));
	if (sectors > LBA28_MAX || lba48_claimed(id)) {
		uint16_t w = id_word(id, W_CMDSET2);

		id_set_word(id, W_CMDSET2, (uint16_t)((w & ~0x8000) | 0x4000 | CMDSET2_LBA48));
		id_set_word(id, W_CMDSET2_ENABLED, id_word(id, W_CMDSET2_ENABLED) | CMDSET2_LBA48);
		for (unsigned i = 0; i < 4; i++)
			id_set_word(id, W_LBA48 + i, (uint16_t)(sectors >> (16 * i)));
	} else {
		for (unsigned i = 0; i < 4; i++)
			id_set_word(id, W_LBA48 + i, 0);
	}
	if (sectors)
		id_set_word(id, W_CAPABILITIES, id_word(id, W_CAPABILITIES) | CAP_LBA);
	identify_fix_checksum(id);
}

#define W_ROTATION 217

uint16_t identify_rotation(const uint8_t id[ATA_PAGE])
{
	uint16_t w = id_word(id, W_ROTATION);

	/* 2-0x400 and 0xffff are reserved: not a rate */
	return w == 1 || (w >= 0x401 && w <= 0xfffe) ? w : 0;
}

void identify_set_rotation(uint8_t id[ATA_PAGE], uint16_t rotation)
{
	id_set_word(id, W_ROTATION, rotation);
	identify_fix_checksum(id);
}

void identify_set_smart(uint8_t id[ATA_PAGE], bool on)
{
	static const unsigned words[] = { W_CMDSET1, W_CMDSET1_ENABLED };

	for (size_t i = 0; i < WG_ELEMENTSOF(words); i++) {
		uint16_t w = id_word(id, words[i]) & (uint16_t)~CMDSET1_SMART;

		id_set_word(id, words[i], on ? w | CMDSET1_SMART : w);
	}
	/* word 82 counts only when word 83 says words 82-84 are valid */
	if (on)
		id_set_word(id, W_CMDSET2, (uint16_t)((id_word(id, W_CMDSET2) & ~0x8000) | 0x4000));
	identify_fix_checksum(id);
}

static uint8_t *entry(uint8_t page[ATA_PAGE], unsigned slot)
{
	return page + ATTR_TABLE + ATTR_ENTRY * slot;
}

static const uint8_t *centry(const uint8_t page[ATA_PAGE], unsigned slot)
{
	return page + ATTR_TABLE + ATTR_ENTRY * slot;
}

int smart_page_find(const uint8_t data[ATA_PAGE], uint8_t id)
{
	if (id == 0) /* id 0 marks a free slot, it names no attribute */
		return -ENOENT;
	for (unsigned slot = 0; slot < SMART_PAGE_ENTRIES; slot++)
		if (centry(data, slot)[0] == id)
			return (int)slot;
	return -ENOENT;
}

/* Both tables mark a free slot with id 0. */
static int find_free(const uint8_t page[ATA_PAGE])
{
	for (unsigned slot = 0; slot < SMART_PAGE_ENTRIES; slot++)
		if (centry(page, slot)[0] == 0)
			return (int)slot;
	return -ENOSPC;
}

void smart_page_get(const uint8_t data[ATA_PAGE], unsigned slot, struct ata_attr_entry *ret)
{
	const uint8_t *p;

	memset(ret, 0, sizeof(*ret));
	if (slot >= SMART_PAGE_ENTRIES)
		return;
	p = centry(data, slot);
	ret->id = p[0];
	ret->flags = (uint16_t)(p[1] | p[2] << 8);
	ret->current = p[3];
	ret->worst = p[4];
	memcpy(ret->raw, p + 5, 6);
	ret->reserved = p[11];
}

void smart_page_set(uint8_t data[ATA_PAGE], unsigned slot, const struct ata_attr_entry *e)
{
	uint8_t *p;

	if (slot >= SMART_PAGE_ENTRIES)
		return;
	p = entry(data, slot);
	p[0] = e->id;
	p[1] = (uint8_t)e->flags;
	p[2] = (uint8_t)(e->flags >> 8);
	p[3] = e->current;
	p[4] = e->worst;
	memcpy(p + 5, e->raw, 6);
	ata_page_fix_checksum(data);
}

int smart_page_put(uint8_t data[ATA_PAGE], const struct ata_attr_entry *e)
{
	int slot;

	if (e->id == 0)
		return -EINVAL;
	slot = smart_page_find(data, e->id);
	if (slot < 0) {
		slot = find_free(data);
		if (slot < 0)
			return slot;
		/* a free slot may hold leftovers; a new entry starts clean */
		memset(entry(data, (unsigned)slot), 0, ATTR_ENTRY);
	}
	smart_page_set(data, (unsigned)slot, e);
	return 0;
}

int threshold_page_get(const uint8_t th[ATA_PAGE], uint8_t id, uint8_t *ret)
{
	int slot = smart_page_find(th, id); /* same table layout, id first */

	if (slot < 0)
		return slot;
	*ret = centry(th, (unsigned)slot)[1];
	return 0;
}

void threshold_page_set(uint8_t th[ATA_PAGE], unsigned slot, uint8_t id, uint8_t threshold)
{
	uint8_t *p;

	if (slot >= SMART_PAGE_ENTRIES)
		return;
	p = entry(th, slot);
	p[0] = id;
	p[1] = threshold;
	ata_page_fix_checksum(th);
}

int threshold_page_put(uint8_t th[ATA_PAGE], uint8_t id, uint8_t threshold)
{
	int slot;

	if (id == 0)
		return -EINVAL;
	slot = smart_page_find(th, id);
	if (slot < 0) {
		slot = find_free(th);
		if (slot < 0)
			return slot;
		memset(entry(th, (unsigned)slot), 0, ATTR_ENTRY);
	}
	threshold_page_set(th, (unsigned)slot, id, threshold);
	return 0;
}

int blob_put_attr(struct blob *b, const struct ata_attr_entry *e, int threshold)
{
	int slot, r;

	if (threshold > UINT8_MAX)
		return -EINVAL;
	r = smart_page_put(b->data, e);
	if (r < 0)
		return r;
	slot = smart_page_find(b->data, e->id);
	b->has_data = true;
	if (threshold >= 0) {
		threshold_page_set(b->thresholds, (unsigned)slot, e->id, (uint8_t)threshold);
		b->has_thresholds = true;
	} else if (b->has_thresholds && centry(b->thresholds, (unsigned)slot)[0] != e->id) {
		/* a leftover of another id would make the two pages disagree */
		threshold_page_set(b->thresholds, (unsigned)slot, 0, 0);
	}
	return 0;
}
