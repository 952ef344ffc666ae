/* health.h — the health model: a drive's state from the signs of its history (pure: no I/O, no clock, no logging) */
#ifndef WEARGATE_HEALTH_H
#define WEARGATE_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attrs.h"
#include "smart.h"

enum health_state {
	HEALTH_UNKNOWN,
	HEALTH_OK,
	HEALTH_WORN,
	HEALTH_DEGRADING,
	HEALTH_FAILING,
	_HEALTH_STATE_MAX,
};

const char *health_state_to_string(enum health_state s);
int health_state_from_string(const char *s, enum health_state *ret);
/* The worse of two states, a when they are as bad: not knowing is worse than ok, better than any sign of wear. */
enum health_state health_state_worse(enum health_state a, enum health_state b);

/* Every number of the health model and the gate; config's `policy { }` and top level set them. */
struct policy {
	int64_t window;          /* a media counter that grew within it: degrading (7d) */
	int64_t failing_window;  /* ... that grew by failing_growth within this: failing (24h) */
	int64_t failing_growth;  /* 50 */
	int64_t cooldown_ok;     /* time between heavy jobs on a drive of that state: 0 */
	int64_t cooldown_worn;   /* 2h */
	int64_t cooldown_degrading; /* 24h */
	int64_t max_temperature; /* defer above it, in degrees C; 0 = no limit (55) */
	int64_t sample_max_age;  /* an older sample is not used as is (6h) */
	int64_t ssd_wear_low;    /* an SSD wear indicator at or below it: worn (10) */
	int64_t kernel_quiet;    /* a drive the kernel logged I/O errors on is degrading until this passes (7d) */
};

void policy_defaults(struct policy *ret);

/*
 * The numbers the recorded states depend on, as one line: states recorded under another line
 * are recorded anew from the signs.
 */
void policy_fingerprint(const struct policy *p, char *buf, size_t len);

/*
 * The first prefailure attribute at or below its threshold, or NULL. Thresholds 0 ("always
 * passing") and 254/255 (invalid) never make an attribute fail, nor does a temperature (its
 * name or format says so) or a value the drive database says is not a normalized one.
 */
const struct smart_attr *health_failing_attr(const struct smart_reading *r);

/* The counters that measure the media: 5, 196, 197, 198, 187, 10. */
struct media_counter {
	uint8_t id;
	const char *label; /* "pending sectors" */
	size_t offset;     /* in struct smart_derived */
	bool degrading_when_present; /* above zero at all is degrading, not only growth */
};

extern const struct media_counter health_media[];
extern const size_t health_n_media;
int64_t health_media_value(const struct smart_derived *d, const struct media_counter *m);

/* One usable sample as the health model sees it. */
struct health_point {
	int64_t t;
	struct smart_derived d;
	int smart_ok; /* self-assessment: 1 passed, 0 failed, -1 unknown */
	/* a prefailure attribute at or below its threshold: its id (0: none), value and threshold */
	uint8_t failing_id, failing_value, failing_threshold;
	bool self_test_running;
	int self_test; /* the self-test execution status (smart_test_status_of()); -1 unknown */
};

void health_point_from_reading(const struct smart_reading *r, int64_t t, struct health_point *ret);
/*
 * The same from what the store keeps of a usable sample without decoding it: its temperature
 * and self-test execution status byte (-1 unknown); the attributes are unknown.
 */
void health_point_from_brief(int64_t t, int64_t temperature_c, int self_test, struct health_point *ret);

/*
 * The signs: what the model judges a drive by, each a number in every usable sample. Only
 * their changes are kept (the sign log), so that a state and when it began are known without
 * reading the samples again. The first six are health_media's counters, in its order.
 */
enum health_sign {
	HEALTH_SIGN_ASSESSMENT = 6, /* 1 passed, 0 FAILED */
	HEALTH_SIGN_PREFAIL,        /* 0, or the failing attribute: id | value << 8 | threshold << 16 */
	HEALTH_SIGN_WEAR,           /* the SSD life left, in percent (the lowest wear indicator) */
	HEALTH_SIGN_USABLE,         /* 1 the sample was usable, 0 not (standby, unreadable) */
	HEALTH_SIGN_KERNEL,         /* the kernel's I/O error lines on the drive, counted: not in a sample */
	HEALTH_SIGN_SELF_TEST,      /* 0, or the failure the last self-test ended in (its status, 3 to 8) */
	_HEALTH_SIGN_MAX,
};

/* A sign's number in the store, stable across versions (the attribute id for a counter); -1 for none. */
int health_sign_code(unsigned sign);
int health_sign_from_code(int code);

/* A sign's value in a usable sample; -1 when unknown there (the sample is stepped over for it). */
int64_t health_sign_value(const struct health_point *pt, unsigned sign);

/* What a prune keeps a sample for when it changes: the reading's status and every sign (store_prune()). */
void health_sample_key(const struct smart_reading *r, int64_t key[16]);

/* One change of a sign between two samples. */
struct health_change {
	unsigned sign;
	int64_t t;      /* the sample that first showed `to` */
	int64_t t_prev; /* the usable sample before it; -1 when there is none */
	int64_t from;   /* -1: never known before */
	int64_t to;
};

/* A stretch of time in one state, from its start until the next episode. */
struct health_episode {
	enum health_state state; /* HEALTH_UNKNOWN: none yet (no usable sample) */
	int64_t start;
	char sign[256]; /* what opened it: "pending sectors 0 → 8 since 2026-11-25 10:46 UTC" */
};

/* What of a sign holds now. */
struct health_current {
	int64_t value; /* -1: never known */
	int64_t since; /* the change that set it */
	int64_t from, t_prev;
};

/*
 * All the model needs of a drive's history to judge it from its newest sample on: each
 * sign's value and the change that set it, the changes of the media counters within the
 * longer of the two windows (for growth), and the open episode. A caller loads it from the
 * sign log and the episodes (or builds it from the samples), oldest first.
 */
struct health_track {
	int64_t last_t;        /* the newest sample taken in, usable or not; -1 none */
	int64_t last_usable_t; /* the newest usable one; -1 none */
	struct health_current cur[_HEALTH_SIGN_MAX];
	struct health_change *recent; /* media counter changes, oldest first */
	size_t n_recent, cap_recent;
	struct health_episode episode;
	int64_t episode_at; /* the time the episode is known up to (the windows' moves before it are in it); -1 */
	/* the first of the kernel's error lines since it was last quiet for kernel_quiet, and when; "" and -1 */
	char kernel_line[160];
	int64_t kernel_since;
};

void health_track_init(struct health_track *tr);
void health_track_release(struct health_track *tr);

/*
 * A track from the store, as of a time: last_t, last_usable_t, the episode and episode_at set
 * by the caller, each sign's newest change set as current, and every change of a media counter
 * after last_usable_t - health_track_lookback() pushed, oldest first.
 */
void health_track_set_current(struct health_track *tr, const struct health_change *c);
int health_track_push_recent(struct health_track *tr, const struct health_change *c);
int64_t health_track_lookback(const struct policy *p);

/* What a step of the track records: the sign changes and the episodes it opened. */
struct health_log {
	struct health_change *changes;
	size_t n_changes, cap_changes;
	struct health_episode *episodes;
	size_t n_episodes, cap_episodes;
};

void health_log_release(struct health_log *log);

/*
 * Take a sample at t into the track (pt NULL for one that was not usable): the signs that
 * changed, and the episodes that opened on the way (a windowed sign expiring before t) and
 * at t, go to log (may be NULL). -ENOMEM only, the track then as it was.
 */
int health_track_add(const struct policy *p, struct health_track *tr, int64_t t, const struct health_point *pt,
		     struct health_log *log);

/*
 * Take the changes the sign log holds for one sample (all at one t, in the order recorded)
 * into the track, as health_track_add() took the sample: for recording the episodes anew from
 * the sign log when the policy changed.
 */
int health_track_replay(const struct policy *p, struct health_track *tr, const struct health_change *c, size_t n,
			struct health_log *log);

/*
 * Take count kernel I/O error lines on the drive at t (between samples: a job's watchdog saw
 * them), first_line the first of them, into the track: the KERNEL sign grows.
 */
int health_track_note_kernel(const struct policy *p, struct health_track *tr, int64_t t, int64_t count,
			     const char *first_line, struct health_log *log);

/* Move the track's episode on to t without a sample: the windows' moves up to t open episodes (into log). */
int health_track_advance(const struct policy *p, struct health_track *tr, int64_t t, struct health_log *log);

/* What the caller knows of the drive now, besides its track. */
struct health_now {
	bool sampled;                 /* any sample at all, usable or not */
	int64_t latest_t;             /* the newest sample's time */
	enum reading_status latest_status;
	const char *latest_reason;    /* why the newest sample is not usable; NULL or "" when it is */
	bool duplicate;               /* the newest reading was of a disk another drive section names too */
	const struct health_point *latest_usable; /* the newest usable sample, when young enough: heat, self-test */
};

struct health_assessment {
	enum health_state state;
	char reason[512];   /* "pending sectors 0 → 8 since 2026-11-20 14:10 UTC; …" */
	int64_t since;      /* when this state began (the episode's start); -1 for unknown */
	/* the state the signs give, and since when, also while the drive is unknown for want of a fresh sample */
	struct health_episode episode;
	bool duplicate;         /* unknown because another drive section read the same disk */
	bool hot;               /* above max_temperature now */
	int64_t temperature_c;  /* ATTR_UNKNOWN */
	bool self_test_running; /* a SMART self-test is running now */
};

/*
 * DESIGN.md's health model, worst state wins:
 * unknown  never sampled, or no usable sample within sample_max_age;
 * failing  self-assessment failed, a prefailure attribute at or below its threshold, a
 *          self-test that ended in a failure (read, servo, electrical, …), or a
 *          media counter grown by failing_growth within failing_window; once failing, a drive
 *          stays failing (its history is its own: a new drive starts afresh);
 * degrading pending or offline-uncorrectable sectors now, a media counter grown within window, or
 *          kernel I/O errors on the drive within kernel_quiet;
 * worn     media counters above zero but stable, or an SSD wear indicator at or below ssd_wear_low;
 * ok       none of these.
 * Media counters are 5, 196, 197, 198, 187 and 10; 199 (the cable) and 188 (noise) never count.
 * A growth is dated by the first sample that showed it: across a gap it is said to lie between
 * the two samples. The state's start is its episode's, which only the history moves.
 */
void health_assess(const struct policy *p, const struct health_track *tr, const struct health_now *in, int64_t now,
		   struct health_assessment *ret);

#endif
