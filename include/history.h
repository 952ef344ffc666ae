/* history.h — the history as `weargate history` shows it: a drive's series, its buckets and trends, the events */
#ifndef WEARGATE_HISTORY_H
#define WEARGATE_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "util.h"

/* `weargate history`'s arguments (cmd_history_args() in cmd.h), checked before any history is read. */
enum history_view {
	HISTORY_SAMPLES,
	HISTORY_TREND,
	HISTORY_EVENTS,
	HISTORY_JOBS,
};
enum history_format {
	HISTORY_TABLE,
	HISTORY_CSV,
	HISTORY_JSON,
};
#define HISTORY_ATTRS_MAX 16
struct history_args {
	enum history_view view;
	enum history_format format;
	size_t n_attrs;
	uint8_t attrs[HISTORY_ATTRS_MAX]; /* the --attr ids, each once, in the order given; else the default four */
	int buckets;                      /* -1: the format's default */
	int64_t since, until;
	char **drives;   /* the drives named, pointing into argv; n_drives 0 for every configured drive */
	size_t n_drives;
	bool help;       /* --help was asked for and printed: nothing more to do */
};

/* One drive's samples in a range: times, and per sample one value per chosen attribute. */
struct history_series {
	const char *name; /* as configured; borrowed */
	int64_t drive_id; /* -1 when never sampled */
	size_t n_attrs;
	uint8_t attrs[HISTORY_ATTRS_MAX];
	size_t n, cap;
	int64_t *t;
	int64_t *v; /* n rows of n_attrs; ATTR_UNKNOWN where unknown */
	int64_t last[HISTORY_ATTRS_MAX]; /* the row added last: an unchanged sample's values */
};

/* An empty series of the drive called name, of attributes attrs (n_attrs of them, at most HISTORY_ATTRS_MAX). */
void history_series_init(struct history_series *s, const char *name, const uint8_t *attrs, size_t n_attrs);
void history_series_release(struct history_series *s);
/* Append a sample: its time and attrs_value() of each attribute; an unchanged one repeats the row before. -ENOMEM. */
int history_series_add(struct history_series *s, const struct store_sample *sample);
/*
 * The samples stamped in [since, until] of the drive that is called s->name now (its history
 * follows it wherever it was before); none, and drive_id -1, when it was never sampled.
 */
int history_series_load(struct store *store, struct history_series *s, int64_t since, int64_t until,
			struct wg_err *err);

/* Sample k's value of the attribute at index attr. */
static inline int64_t history_value(const struct history_series *s, size_t k, size_t attr)
{
	return s->v[k * s->n_attrs + attr];
}

/* The first and the last sample that know attribute attr; false when none does. */
bool history_first_last(const struct history_series *s, size_t attr, size_t *ret_first, size_t *ret_last);

/* Samples seen together: a span of time's lowest, highest and last known value of each attribute. */
struct history_bucket {
	int64_t t0, t1; /* its first and last sample */
	size_t n;
	int64_t min[HISTORY_ATTRS_MAX], max[HISTORY_ATTRS_MAX], last[HISTORY_ATTRS_MAX];
};

/*
 * Cut a series into at most max spans of equal time (every sample its own when max is 0 or
 * there are no more samples than that): each keeps its extremes, so a spike survives.
 * *ret is malloc'd (the caller frees it); -ENOMEM.
 */
int history_bucketize(const struct history_series *s, size_t max, struct history_bucket **ret, size_t *ret_n);

/* For a sparkline of attr: the lowest and highest of the buckets' highest values; false when none is known. */
bool history_spark_range(const struct history_bucket *b, size_t n, size_t attr, int64_t *ret_lo, int64_t *ret_hi);
#define HISTORY_SPARK_LEVELS 8
/* Where v stands between lo and hi, 0 to HISTORY_SPARK_LEVELS - 1 (0 when they are the same). */
int history_spark_level(int64_t v, int64_t lo, int64_t hi);

/* What an attribute did over the range. */
struct history_trend {
	bool known;
	size_t first, last; /* samples: the first and last known value */
	bool have_per_day;
	double per_day;
	int64_t nonzero; /* the first sample above zero (counters only); -1 none */
	bool have_jump;
	size_t jump_from, jump_to; /* the two known values in a row farthest apart */
};

void history_trend_of(const struct history_series *s, size_t attr, struct history_trend *ret);

enum history_event_kind {
	HISTORY_EVENT_STATE,
	HISTORY_EVENT_DECISION,
	HISTORY_EVENT_CLOCK, /* the clock went back: the reason says from when */
};

struct history_event {
	enum history_event_kind kind;
	size_t seq; /* the order found, for a stable sort */
	int64_t t;
	const char *drive; /* borrowed: the name given to history_events_load(), or "-" */
	/* for a decision its job, verdict and states; for a state change its state; the reason for all */
	char job[STORE_NAME_MAX];
	char verdict[32]; /* "go (last chance)", as the gate said it */
	char *reason, *states; /* whole, malloc'd */
};

struct history_events {
	struct history_event *v;
	size_t n, cap;
};

/* Add e, which takes copies of reason and states (NULL: none); -ENOMEM leaves events as they were. */
int history_events_add(struct history_events *events, struct history_event *e, const char *reason, const char *states);
/* Oldest first; of the same time, in the order added. */
void history_events_sort(struct history_events *events);
void history_events_release(struct history_events *events);
/* Whether a decision's states ("sda=degrading sdb=ok") speak of drive name. */
bool history_states_mention(const char *states, const char *name);
/*
 * The events in [since, until], oldest first: the state changes of the drives (n_drives names),
 * the decisions (those whose states mention a drive of filter, NULL-terminated; all when filter
 * is NULL) and the steps back of the clock. *ret is released with history_events_release();
 * untouched on failure.
 */
int history_events_load(struct store *store, const char *const *drives, size_t n_drives, const char *const *filter,
			int64_t since, int64_t until, struct history_events *ret, struct wg_err *err);

#endif
