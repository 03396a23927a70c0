/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-session rate limits, without I/O: the values lnsd.conf, RADIUS
 * replies and CoA-Requests carry, and which of them wins. Rates are bits
 * per second, 0 = unlimited. "Down" is towards the client (lnsd's egress
 * on pppN, shaped), "up" is from the client (ingress on pppN, policed).
 *
 * Precedence, first usable source wins (each direction taken together):
 *   1. Mikrotik-Rate-Limit (vendor 14988, attribute 8)
 *   2. Filter-Id naming a [rate-profile NAME] of lnsd.conf
 *   3. Filter-Id in accel-ppp's numeric form "down/up" (kbit/s)
 *   4. [ppp] rate-limit-down / rate-limit-up
 * A value that does not parse is counted in bad and skipped: the next
 * source applies (in the end the [ppp] defaults).
 */
#ifndef LNS_RATE_LIMIT_H
#define LNS_RATE_LIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RAD_VENDOR_MIKROTIK 14988
#define RAD_MIKROTIK_RATE_LIMIT 8
#define RATE_MAX_BPS 100000000000ull    /* 100 Gbit/s: beyond is a typo, not a plan */
#define RATE_FILTER_ID_MAX 64

struct rate_limit {
	uint64_t down_bps, up_bps;         /* 0: unlimited */
};

/* Where a session's limits came from. */
enum rate_src {
	RATE_SRC_NONE,                     /* no limit configured anywhere */
	RATE_SRC_CONFIG,                   /* [ppp] rate-limit-down/-up */
	RATE_SRC_ACCEL,                    /* Filter-Id "down/up" */
	RATE_SRC_PROFILE,                  /* Filter-Id = [rate-profile NAME] */
	RATE_SRC_MIKROTIK,                 /* Mikrotik-Rate-Limit */
};
const char *rate_src_str(enum rate_src s);

/* What a RADIUS packet (Access-Accept or CoA-Request) says about rates. */
struct rate_radius {
	bool has_mikrotik;
	struct rate_limit mikrotik;
	char filter_id[RATE_FILTER_ID_MAX + 1];   /* NUL-terminated, "" none */
	size_t filter_id_len;
	unsigned bad;                      /* values that did not parse (or too long) */
};

/*
 * "512000", "512k", "10M", "1G" (k = 1000; upper or lower case), bits/s.
 * 0 is allowed (unlimited). -EINVAL for anything else or above RATE_MAX_BPS.
 */
int rate_parse_bps(const char *s, size_t len, uint64_t *out);
/*
 * Mikrotik-Rate-Limit: "rx-rate[/tx-rate] [burst and priority fields]",
 * from the router's point of view: rx is the client's upload, tx its
 * download; without tx-rate, rx-rate is both. The fields after the first
 * space (bursts, priority, minimum rates) are not used. -EINVAL.
 */
int rate_parse_mikrotik(const uint8_t *v, size_t len, struct rate_limit *out);
/*
 * accel-ppp's Filter-Id form: "down/up" in kbit/s ('/', '\' or ':' between),
 * or one number for both. -EINVAL when it is not that (e.g. a profile name).
 */
int rate_parse_accel(const uint8_t *v, size_t len, struct rate_limit *out);

/* bps as rate_parse_bps reads it back, shortest: "10M", "512k", "1500", "0". */
char *rate_format(uint64_t bps, char *buf, size_t len);
#define RATE_STRLEN 24

/* Record one RADIUS attribute (a Mikrotik-Rate-Limit value or a Filter-Id). */
void rate_radius_mikrotik(struct rate_radius *r, const uint8_t *v, size_t len);
void rate_radius_filter_id(struct rate_radius *r, const uint8_t *v, size_t len);
/* Does it carry anything about rates at all (valid or not)? */
bool rate_radius_any(const struct rate_radius *r);

/* Looks a profile up by name: true with its limits. */
typedef bool (*rate_profile_fn)(void *ctx, const char *name, struct rate_limit *out);

/*
 * The limits for a session (precedence above): r may be NULL (no RADIUS),
 * dflt the [ppp] defaults, profile may be NULL (no profiles). A Filter-Id
 * that is neither a profile nor numeric adds one to *bad (if bad).
 */
enum rate_src rate_resolve(const struct rate_radius *r, const struct rate_limit *dflt,
			   rate_profile_fn profile, void *ctx, struct rate_limit *out,
			   unsigned *bad);

/*
 * Token-bucket sizes for a rate (bits/s > 0), bytes: the shaper's burst
 * (50 ms of traffic, at least 4000 B: a late timer does not starve the
 * link) and queue (burst plus 200 ms: a TCP window's worth, so tail drops
 * do not cost it retransmission timeouts), and the
 * policer's burst (500 ms, at least 16000 B: a sender that pauses, or TCP
 * after a loss, gets the rate on average instead of losing what it saved).
 */
uint32_t rate_shape_burst(uint64_t bps);
uint32_t rate_shape_limit(uint64_t bps);
uint32_t rate_police_burst(uint64_t bps);

#endif
