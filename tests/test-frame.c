/* test-frame.c — readings encode exactly, chunks hold only changes, damage is detected, never a crash */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assert-reading.h"
#include "frame.h"
#include "reading-builder.h"

static void test_frame_round_trip(void **state)
{
	struct smart_reading r, back;
	uint8_t buf[FRAME_MAX];
	size_t len;

	(void)state;
	rb_healthy_hdd(&r, "WD-WCAPW1234567");
	r.identity.sectors = UINT64_C(0xffffffffffff);
	r.self_test = 255;
	r.smart_ok = 0;
	rb_attr(&r, 5, 0x0033, 100, 100, -1, UINT64_C(0xffffffffffff));
	r.identity.rotation = 0xfffe;
	r.attrs[0].reserved = 0xa5;
	len = frame_from_reading(&r, buf);
	assert_true(len < FRAME_MAX);
	assert_int_equal(frame_to_reading(buf, len, &back), 0);
	assert_reading_equal(&r, &back);

	/* an unusable reading: identity kept, reason kept, no attributes, unknowns stay unknown */
	memset(&r, 0, sizeof(r));
	r.status = READING_UNUSABLE;
	r.smart_ok = -1;
	r.self_test = -1;
	memset(r.reason, 'x', sizeof(r.reason) - 1);
	snprintf(r.access, sizeof(r.access), "linux-ide");
	len = frame_from_reading(&r, buf);
	assert_int_equal(frame_to_reading(buf, len, &back), 0);
	assert_reading_equal(&r, &back);

	/* thirty attributes with the longest strings still fit */
	rb_init(&r, "MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM", "SSSSSSSSSSSSSSSSSSSS");
	memset(r.reason, 'y', sizeof(r.reason) - 1);
	for (unsigned id = 1; id <= SMART_MAX_ATTRS; id++)
		rb_attr(&r, (uint8_t)id, 0xffff, 255, 255, 255, UINT64_C(0xffffffffffff));
	len = frame_from_reading(&r, buf);
	assert_true(len <= FRAME_MAX);
	assert_int_equal(frame_to_reading(buf, len, &back), 0);
	assert_reading_equal(&r, &back);
}

static void test_frame_rejects_damage(void **state)
{
	struct smart_reading r, back;
	uint8_t buf[FRAME_MAX];
	size_t len;

	(void)state;
	rb_healthy_hdd(&r, "S1");
	len = frame_from_reading(&r, buf);
	/* every truncation is detected */
	for (size_t n = 0; n < len; n++)
		assert_int_equal(frame_to_reading(buf, n, &back), -EBADMSG);
	buf[0] = 99; /* unknown version */
	assert_int_equal(frame_to_reading(buf, len, &back), -EBADMSG);
	buf[0] = 1;
	buf[1] = _READING_STATUS_MAX;
	assert_int_equal(frame_to_reading(buf, len, &back), -EBADMSG);
}

/* A chunk builder: append samples the way the store does. */
struct chunk_buf {
	uint8_t data[1 << 16];
	size_t len;
	int64_t first_pass, t0;
};

static int chunk_add(struct chunk_buf *cb, int64_t pass, int64_t t, const struct smart_reading *r)
{
	uint8_t frame[FRAME_MAX], rec[CHUNK_RECORD_MAX];
	struct chunk_cursor c;
	size_t flen = frame_from_reading(r, frame);
	int n;

	if (cb->len == 0) {
		cb->first_pass = pass;
		cb->t0 = t;
	}
	assert_int_equal(chunk_cursor_init(&c, cb->data, cb->len, cb->first_pass, cb->t0), 0);
	while (chunk_cursor_next(&c) > 0)
		;
	n = chunk_record_encode(&c, pass, t, frame, flen, rec);
	if (n < 0)
		return n;
	assert_true(cb->len + (size_t)n <= sizeof(cb->data));
	memcpy(cb->data + cb->len, rec, (size_t)n);
	cb->len += (size_t)n;
	return n;
}

static void test_chunk_costs(void **state)
{
	struct chunk_buf *cb = calloc(1, sizeof(*cb));
	struct smart_reading r;
	int first, same, temp, jitter;

	(void)state;
	assert_non_null(cb);
	rb_healthy_hdd(&r, "S1");
	first = chunk_add(cb, 10, 1000, &r);
	assert_true(first > 100);
	/* an unchanged sample on a steady timer: pass step, step change, no runs */
	same = chunk_add(cb, 11, 1600, &r);
	assert_true(same <= 4);
	same = chunk_add(cb, 12, 2200, &r);
	assert_int_equal(same, 3);
	jitter = chunk_add(cb, 13, 2801, &r);
	assert_int_equal(jitter, 3);
	/* one byte of the temperature: one short run */
	rb_attr(&r, 194, 0x0022, 110, 95, 0, 41);
	temp = chunk_add(cb, 14, 3401, &r);
	assert_true(temp <= 7);
	/* a pass that is not after the last is refused (the store starts a new chunk) */
	assert_int_equal(chunk_add(cb, 14, 4000, &r), -ERANGE);
	assert_int_equal(chunk_add(cb, 13, 4000, &r), -ERANGE);
	free(cb);
}

/* Deterministic pseudo-random numbers, so that a failure reproduces. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)rng_state;
}

static void mutate(struct smart_reading *r)
{
	switch (rnd() % 8) {
	case 0: /* the temperature moves */
		r->attrs[r->n_attrs - 1].raw[0] = (uint8_t)(30 + rnd() % 20);
		break;
	case 1: /* a counter climbs */
		r->attrs[rnd() % r->n_attrs].raw[rnd() % 6]++;
		break;
	case 2: /* an attribute appears or goes */
		if (r->n_attrs < SMART_MAX_ATTRS && rnd() % 2)
			rb_attr(r, (uint8_t)(200 + rnd() % 50), 0x0032, 100, 100, 0, rnd());
		else if (r->n_attrs > 1)
			r->n_attrs--;
		break;
	case 3: /* the reading fails, with a reason of another length */
		r->status = (enum reading_status)(rnd() % _READING_STATUS_MAX);
		snprintf(r->reason, sizeof(r->reason), "reason %.*s", (int)(rnd() % 100), "abcdefghijklmnopqrstuvwxyz"
											"abcdefghijklmnopqrstuvwxyz"
											"abcdefghijklmnopqrstuvwxyz"
											"abcdefghijklmnopqrstuvwxyz");
		break;
	case 4:
		snprintf(r->identity.firmware, sizeof(r->identity.firmware), "F%u", rnd() % 1000);
		break;
	case 5:
		r->smart_ok = (int)(rnd() % 3) - 1;
		r->self_test = (int)(rnd() % 257) - 1;
		break;
	default: /* nothing changes */
		break;
	}
}

static void test_chunk_reconstructs_every_sample(void **state)
{
	enum { N = 600 };
	struct chunk_buf *cb = calloc(1, sizeof(*cb));
	struct smart_reading *hist = calloc(N, sizeof(*hist)), *upd = calloc(1, sizeof(*upd));
	int64_t passes[N], times[N], pass = 100, t = 1700000000;
	struct chunk_cursor c;
	unsigned n = 0;

	(void)state;
	assert_non_null(cb);
	assert_non_null(hist);
	assert_non_null(upd);
	rb_healthy_hdd(&hist[0], "S1");
	for (unsigned i = 0; i < N; i++) {
		if (i)
			hist[i] = hist[i - 1];
		mutate(&hist[i]);
		pass += 1 + rnd() % 3;
		/* time mostly steady, sometimes jittering, stalling or jumping */
		t += rnd() % 10 ? 600 + (int64_t)(rnd() % 5) - 2 : (int64_t)(rnd() % 100000) - 50000;
		passes[i] = pass;
		times[i] = t;
		assert_true(chunk_add(cb, pass, t, &hist[i]) > 0);
	}
	assert_int_equal(chunk_cursor_init(&c, cb->data, cb->len, cb->first_pass, cb->t0), 0);
	while (chunk_cursor_next(&c) > 0) {
		struct smart_reading back;

		assert_true(n < N);
		assert_int_equal(c.pass, passes[n]);
		assert_int_equal(c.t, times[n]);
		assert_int_equal(frame_to_reading(c.frame, c.frame_len, &back), 0);
		assert_reading_equal(&hist[n], &back);
		/* and brought up to date from the one before, decoding only what changed */
		assert_int_equal(n ? frame_update_reading(c.frame, c.frame_len, c.changed_from, upd)
				   : frame_to_reading(c.frame, c.frame_len, upd),
				 0);
		assert_reading_equal(&hist[n], upd);
		n++;
	}
	assert_int_equal(n, N);
	free(upd);
	free(hist);
	free(cb);
}

/* Damaged chunk data ends in -EBADMSG or in readings that decode: never a crash or a read out of bounds. */
static void test_chunk_damage(void **state)
{
	struct chunk_buf *cb = calloc(1, sizeof(*cb));
	struct smart_reading r;
	uint8_t *copy;

	(void)state;
	assert_non_null(cb);
	rb_healthy_hdd(&r, "S1");
	for (int i = 0; i < 50; i++) {
		mutate(&r);
		chunk_add(cb, 1 + i, 1000 + 600 * i, &r);
	}
	copy = malloc(cb->len);
	assert_non_null(copy);
	for (int trial = 0; trial < 3000; trial++) {
		struct chunk_cursor c;
		size_t len = trial % 3 == 0 ? rnd() % cb->len : cb->len;
		int k;

		if (len == 0) /* nothing to damage (and no byte to pick one of) */
			continue;
		memcpy(copy, cb->data, cb->len);
		/* a chunk cut to nothing has nothing to flip */
		for (int flips = 1 + (int)(rnd() % 4); len && flips > 0; flips--)
			copy[rnd() % len ? rnd() % len : 0] ^= (uint8_t)(1 + rnd() % 255);
		if (chunk_cursor_init(&c, copy, len, 1, 1000) < 0)
			continue;
		while ((k = chunk_cursor_next(&c)) > 0) {
			struct smart_reading back;

			assert_true(c.frame_len <= FRAME_MAX);
			(void)frame_to_reading(c.frame, c.frame_len, &back);
		}
		assert_true(k == 0 || k == -EBADMSG);
	}
	/* an unknown chunk format is refused outright */
	memcpy(copy, cb->data, cb->len);
	copy[0] = CHUNK_FORMAT + 1;
	{
		struct chunk_cursor c;

		assert_int_equal(chunk_cursor_init(&c, copy, cb->len, 1, 1000), -EBADMSG);
	}
	free(copy);
	free(cb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_round_trip),
		cmocka_unit_test(test_frame_rejects_damage),
		cmocka_unit_test(test_chunk_costs),
		cmocka_unit_test(test_chunk_reconstructs_every_sample),
		cmocka_unit_test(test_chunk_damage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
