/* frame.c — compact, exact encoding of readings for the history store (pure: no I/O) */
#include <errno.h>
#include <string.h>

#include "frame.h"

/*
 * 2 keeps each entry's 12th byte (some formats read it) and the drive's rotation rate, and no
 * longer libatasmart's quirks (units of 9, tenths of a degree, opaque ids), which the drive
 * database now says; 1 is still read.
 */
#define FRAME_VERSION 2
#define ATTR_BYTES_V1 13
#define ATTR_BYTES 14

static size_t attr_bytes(uint8_t version)
{
	return version == 1 ? ATTR_BYTES_V1 : ATTR_BYTES;
}

/* LEB128: most steps, lengths and changes fit one byte. */
static size_t put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static int get_varint(const uint8_t *p, size_t len, size_t *off, uint64_t *ret)
{
	uint64_t v = 0;

	for (unsigned shift = 0; shift < 64; shift += 7) {
		uint8_t b;

		if (*off >= len)
			return -EBADMSG;
		b = p[(*off)++];
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*ret = v;
			return 0;
		}
	}
	return -EBADMSG;
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

size_t frame_put_svarint(uint8_t *p, int64_t v)
{
	return put_varint(p, zigzag(v));
}

int frame_get_svarint(const uint8_t *p, size_t len, size_t *off, int64_t *ret)
{
	uint64_t v;
	int r = get_varint(p, len, off, &v);

	if (r >= 0)
		*ret = unzigzag(v);
	return r;
}

static size_t put_str(uint8_t *p, const char *s, size_t max)
{
	size_t n = strnlen(s, max - 1);

	p[0] = (uint8_t)n;
	memcpy(p + 1, s, n);
	return n + 1;
}

/* The reader side of a frame: every get fails once the input has run out. */
struct rd {
	const uint8_t *p;
	size_t len, off;
	int r;
};

static uint8_t rd_u8(struct rd *d)
{
	if (d->off >= d->len) {
		d->r = -EBADMSG;
		return 0;
	}
	return d->p[d->off++];
}

static uint64_t rd_varint(struct rd *d)
{
	uint64_t v = 0;

	if (get_varint(d->p, d->len, &d->off, &v) < 0)
		d->r = -EBADMSG;
	return v;
}

static void rd_str(struct rd *d, char *buf, size_t size)
{
	size_t n = rd_u8(d);

	if (d->r < 0 || n >= size || d->len - d->off < n || memchr(d->p + d->off, '\0', n)) {
		d->r = -EBADMSG;
		return;
	}
	memcpy(buf, d->p + d->off, n);
	buf[n] = '\0';
	d->off += n;
}

size_t frame_from_reading(const struct smart_reading *r, uint8_t buf[FRAME_MAX])
{
	const struct smart_identity *id = &r->identity;
	size_t n = 0;

	buf[n++] = FRAME_VERSION;
	buf[n++] = (uint8_t)r->status;
	buf[n++] = r->identity_valid;
	n += put_str(buf + n, id->model, sizeof(id->model));
	n += put_str(buf + n, id->serial, sizeof(id->serial));
	n += put_str(buf + n, id->firmware, sizeof(id->firmware));
	n += put_varint(buf + n, id->sectors);
	n += put_varint(buf + n, id->rotation);
	n += put_str(buf + n, r->access, sizeof(r->access));
	n += put_str(buf + n, r->reason, sizeof(r->reason));
	/* -1 (unknown) and the valid values, shifted to fit unsigned */
	buf[n++] = (uint8_t)(r->smart_ok + 1);
	n += put_varint(buf + n, (uint64_t)(r->self_test + 1));
	buf[n++] = (uint8_t)r->n_attrs;
	for (unsigned i = 0; i < r->n_attrs && i < SMART_MAX_ATTRS; i++) {
		const struct smart_attr *a = &r->attrs[i];

		/* what never changes first, so that a change is one short run */
		buf[n++] = a->id;
		buf[n++] = (uint8_t)a->flags;
		buf[n++] = (uint8_t)(a->flags >> 8);
		buf[n++] = a->threshold_valid;
		buf[n++] = a->threshold;
		buf[n++] = a->current;
		buf[n++] = a->worst;
		memcpy(buf + n, a->raw, sizeof(a->raw));
		n += sizeof(a->raw);
		buf[n++] = a->reserved;
	}
	return n;
}

static void attr_from_bytes(const uint8_t *p, uint8_t version, struct smart_attr *a)
{
	a->id = p[0];
	a->flags = (uint16_t)(p[1] | p[2] << 8);
	a->threshold_valid = p[3] != 0;
	a->threshold = p[4];
	a->current = p[5];
	a->worst = p[6];
	memcpy(a->raw, p + 7, sizeof(a->raw));
	a->reserved = version == 1 ? 0 : p[13];
}

int frame_to_reading(const uint8_t *buf, size_t len, struct smart_reading *ret)
{
	struct rd d = { .p = buf, .len = len };
	struct smart_reading r;
	uint64_t v;
	unsigned status, smart_ok;
	uint8_t version;

	memset(&r, 0, sizeof(r));
	version = rd_u8(&d);
	if (version != 1 && version != FRAME_VERSION)
		return -EBADMSG;
	status = rd_u8(&d);
	r.identity_valid = rd_u8(&d) != 0;
	rd_str(&d, r.identity.model, sizeof(r.identity.model));
	rd_str(&d, r.identity.serial, sizeof(r.identity.serial));
	rd_str(&d, r.identity.firmware, sizeof(r.identity.firmware));
	r.identity.sectors = rd_varint(&d);
	if (version == 1) {
		/* libatasmart's quirks, which the drive database replaces: power-on units, temperature divisor, opaque ids */
		unsigned n_opaque;

		if (rd_varint(&d) > UINT16_MAX)
			d.r = -EBADMSG;
		rd_u8(&d);
		n_opaque = rd_u8(&d);
		if (n_opaque > 8)
			return -EBADMSG;
		for (unsigned i = 0; i < n_opaque; i++)
			rd_u8(&d);
	} else {
		v = rd_varint(&d);
		r.identity.rotation = (uint16_t)v;
		if (v > UINT16_MAX)
			d.r = -EBADMSG;
	}
	rd_str(&d, r.access, sizeof(r.access));
	rd_str(&d, r.reason, sizeof(r.reason));
	smart_ok = rd_u8(&d);
	r.smart_ok = (int)smart_ok - 1;
	v = rd_varint(&d);
	r.self_test = (int)v - 1;
	r.n_attrs = rd_u8(&d);
	if (d.r < 0 || status >= _READING_STATUS_MAX || smart_ok > 2 || v > 256 || r.n_attrs > SMART_MAX_ATTRS)
		return -EBADMSG;
	r.status = (enum reading_status)status;
	if (d.len - d.off != (size_t)r.n_attrs * attr_bytes(version))
		return -EBADMSG;
	for (unsigned i = 0; i < r.n_attrs; i++)
		attr_from_bytes(buf + d.off + i * attr_bytes(version), version, &r.attrs[i]);
	*ret = r;
	return 0;
}

int frame_update_reading(const uint8_t *buf, size_t len, size_t changed_from, struct smart_reading *r)
{
	size_t size = len > 0 ? attr_bytes(buf[0]) : ATTR_BYTES, table = (size_t)r->n_attrs * size;

	/* a change of the version byte is a change at 0: a whole frame, read as such */
	if (table > len || changed_from < len - table)
		return frame_to_reading(buf, len, r);
	/* the attributes before the change are as they were */
	for (size_t i = (changed_from - (len - table)) / size; i < r->n_attrs; i++)
		attr_from_bytes(buf + len - table + i * size, buf[0], &r->attrs[i]);
	return 0;
}

int chunk_cursor_init(struct chunk_cursor *c, const uint8_t *data, size_t len, int64_t first_pass, int64_t t0)
{
	memset(c, 0, sizeof(*c));
	c->data = data;
	c->len = len;
	c->pass = first_pass;
	c->t = t0;
	if (len == 0)
		return 0;
	if (data[0] != CHUNK_FORMAT)
		return -EBADMSG;
	c->off = 1;
	return 0;
}

/*
 * A record: pass step, change of the time step (zigzag), h = number of runs << 1 | length
 * changed, [new frame length], then per run: bytes skipped, bytes replaced, the new bytes.
 */
int chunk_cursor_next(struct chunk_cursor *c)
{
	uint64_t pass_step, dstep, h, v;
	size_t frame_len = c->frame_len, pos = 0;

	if (c->off >= c->len)
		return 0;
	if (get_varint(c->data, c->len, &c->off, &pass_step) < 0 ||
	    get_varint(c->data, c->len, &c->off, &dstep) < 0 || get_varint(c->data, c->len, &c->off, &h) < 0)
		return -EBADMSG;
	if (h & 1) {
		if (get_varint(c->data, c->len, &c->off, &v) < 0 || v > FRAME_MAX)
			return -EBADMSG;
		frame_len = (size_t)v;
		if (frame_len > c->frame_len)
			memset(c->frame + c->frame_len, 0, frame_len - c->frame_len);
	}
	c->changed_from = (h & 1) || c->n == 0 ? 0 : frame_len;
	for (uint64_t runs = h >> 1; runs > 0; runs--) {
		uint64_t skip, n;

		if (get_varint(c->data, c->len, &c->off, &skip) < 0 || get_varint(c->data, c->len, &c->off, &n) < 0)
			return -EBADMSG;
		if (skip > frame_len - pos || n > frame_len - pos - skip || n > c->len - c->off)
			return -EBADMSG;
		pos += skip;
		if (pos < c->changed_from)
			c->changed_from = pos;
		memcpy(c->frame + pos, c->data + c->off, n);
		pos += n;
		c->off += n;
	}
	if (c->n > 0) {
		c->step += unzigzag(dstep);
		c->pass += (int64_t)pass_step;
		c->t += c->step;
	} else if (pass_step != 0 || dstep != 0) {
		return -EBADMSG; /* the first sample is the chunk's own first pass and time */
	}
	c->changed = c->n == 0 || h != 0;
	c->frame_len = frame_len;
	c->n++;
	return 1;
}

/* Runs closer than this are written as one: a run costs two bytes of its own. */
#define RUN_GAP 3

int chunk_record_encode(const struct chunk_cursor *c, int64_t pass, int64_t t, const uint8_t *frame, size_t frame_len,
			uint8_t out[CHUNK_RECORD_MAX])
{
	uint8_t runs[FRAME_MAX * 2 + 16];
	size_t n = 0, nr = 0, nruns = 0, i = 0, pos = 0;
	int64_t step = 0;

	if (frame_len > FRAME_MAX)
		return -EINVAL;
	if (c->n == 0 && (pass != c->pass || t != c->t))
		return -EINVAL; /* a chunk's first sample is its own first pass and time */
	if (c->n > 0) {
		if (pass <= c->pass)
			return -ERANGE;
		step = t - c->t;
	}
	while (i < frame_len) {
		size_t last = i;

		if (i < c->frame_len && frame[i] == c->frame[i]) {
			i++;
			continue;
		}
		/* extend the run while the next difference is near enough */
		for (size_t j = i + 1; j < frame_len && j - last <= RUN_GAP; j++)
			if (j >= c->frame_len || frame[j] != c->frame[j])
				last = j;
		nr += put_varint(runs + nr, i - pos);
		nr += put_varint(runs + nr, last + 1 - i);
		memcpy(runs + nr, frame + i, last + 1 - i);
		nr += last + 1 - i;
		nruns++;
		pos = i = last + 1;
	}
	if (c->len == 0)
		out[n++] = CHUNK_FORMAT;
	n += put_varint(out + n, c->n > 0 ? (uint64_t)(pass - c->pass) : 0);
	n += put_varint(out + n, c->n > 0 ? zigzag(step - c->step) : 0);
	n += put_varint(out + n, (uint64_t)nruns << 1 | (frame_len != c->frame_len));
	if (frame_len != c->frame_len)
		n += put_varint(out + n, frame_len);
	memcpy(out + n, runs, nr);
	return (int)(n + nr);
}
