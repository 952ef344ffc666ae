/* frame.h — compact, exact encoding of readings for the history store (pure: no I/O) */
#ifndef WEARGATE_FRAME_H
#define WEARGATE_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smart.h"

/*
 * A frame is the canonical byte form of one reading: every field, so that a stored sample
 * reconstructs exactly. The fields that change from one sample to the next (the attribute
 * table) come last, so that a change between two frames is a few bytes at the end.
 */
#define FRAME_MAX 1024

/* Always succeeds: a reading's frame fits FRAME_MAX. Returns the length. */
size_t frame_from_reading(const struct smart_reading *r, uint8_t buf[FRAME_MAX]);
/* -EBADMSG when buf is not a frame this build wrote; ret is untouched then. */
int frame_to_reading(const uint8_t *buf, size_t len, struct smart_reading *ret);
/*
 * Bring r, the reading of a frame's previous version, up to this version of it, whose bytes
 * changed from offset changed_from on (the length did not change): when the change lies within
 * the attribute table, only the table is read again; else the whole frame, as frame_to_reading().
 */
int frame_update_reading(const uint8_t *buf, size_t len, size_t changed_from, struct smart_reading *r);

/*
 * A chunk holds consecutive samples of one drive: a format byte, then one record per sample.
 * The first record carries its frame in full, every later one only what changed since the
 * previous frame, its pass as a step from the previous pass and its time as the change of
 * the step between samples (0 on a steady timer). An unchanged sample costs three bytes.
 */
#define CHUNK_FORMAT 1

struct chunk_cursor {
	const uint8_t *data;
	size_t len, off;
	/* the sample the cursor is on */
	int64_t pass, t;
	int64_t step; /* t minus the previous sample's t (0 before the second sample) */
	unsigned n;   /* samples read so far */
	bool changed; /* the frame differs from the previous sample's (always, for the first) */
	size_t changed_from; /* where the frame starts to differ: 0 for the first or a new length */
	uint8_t frame[FRAME_MAX];
	size_t frame_len;
};

/* A cursor before the first record of data (len 0 for a chunk not written yet). -EBADMSG on an unknown format. */
int chunk_cursor_init(struct chunk_cursor *c, const uint8_t *data, size_t len, int64_t first_pass, int64_t t0);
/* Step to the next sample: 1 on one, 0 at the end, -EBADMSG when the data is damaged. */
int chunk_cursor_next(struct chunk_cursor *c);

/*
 * A signed number as the records write theirs (zigzag, then LEB128: small ones of either sign
 * take a byte), for other lists of the store. At most 10 bytes; -EBADMSG when p ends first.
 */
#define SVARINT_MAX 10
size_t frame_put_svarint(uint8_t *p, int64_t v);
int frame_get_svarint(const uint8_t *p, size_t len, size_t *off, int64_t *ret);
/*
 * Encode the record that follows the cursor's sample (the cursor must be at the end of its
 * chunk; for a new chunk, a cursor on empty data) into out. The format byte is included when
 * the chunk is empty. Returns the length, or -ERANGE when pass goes backwards (the store then
 * starts a new chunk).
 */
#define CHUNK_RECORD_MAX (1 + 3 * 10 + 10 + FRAME_MAX * 2)
int chunk_record_encode(const struct chunk_cursor *c, int64_t pass, int64_t t, const uint8_t *frame, size_t frame_len,
			uint8_t out[CHUNK_RECORD_MAX]);

#endif
