// SPDX-License-Identifier: GPL-2.0-or-later
/* Per-session rate limits: parsing and precedence (rate_limit.h). */
#include "rate_limit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *rate_src_str(enum rate_src s)
{
	switch (s) {
	case RATE_SRC_NONE:
		return "none";
	case RATE_SRC_CONFIG:
		return "config";
	case RATE_SRC_ACCEL:
		return "filter-id";
	case RATE_SRC_PROFILE:
		return "profile";
	case RATE_SRC_MIKROTIK:
		return "mikrotik";
	}
	return "?";
}

/* Digits then an optional k/M/G; *used is how many bytes it took. */
static int parse_num(const char *s, size_t len, uint64_t mult_none, uint64_t *out, size_t *used)
{
	uint64_t v = 0, mult = mult_none;
	size_t i = 0;

	while (i < len && s[i] >= '0' && s[i] <= '9') {
		if (v > RATE_MAX_BPS)
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
		i++;
	}
	if (i == 0)
		return -EINVAL;
	if (i < len) {
		switch (s[i]) {
		case 'k':
		case 'K':
			mult = 1000;
			i++;
			break;
		case 'm':
		case 'M':
			mult = 1000000;
			i++;
			break;
		case 'g':
		case 'G':
			mult = 1000000000;
			i++;
			break;
		default:
			break;
		}
	}
	if (v > RATE_MAX_BPS / mult)
		return -EINVAL;
	*out = v * mult;
	*used = i;
	return 0;
}

int rate_parse_bps(const char *s, size_t len, uint64_t *out)
{
	size_t used;
	uint64_t v;

	if (parse_num(s, len, 1, &v, &used) < 0 || used != len)
		return -EINVAL;
	*out = v;
	return 0;
}

int rate_parse_mikrotik(const uint8_t *v, size_t len, struct rate_limit *out)
{
	const char *s = (const char *)v;
	size_t used, end = 0;
	uint64_t rx, tx;

	while (end < len && s[end] != ' ')   /* the rates; bursts and priority follow */
		end++;
	if (parse_num(s, end, 1, &rx, &used) < 0)
		return -EINVAL;
	tx = rx;
	if (used < end) {
		size_t u2;

		if (s[used] != '/' || parse_num(s + used + 1, end - used - 1, 1, &tx, &u2) < 0 ||
		    used + 1 + u2 != end)
			return -EINVAL;
	}
	out->up_bps = rx;      /* the router receives what the client uploads */
	out->down_bps = tx;
	return 0;
}

int rate_parse_accel(const uint8_t *v, size_t len, struct rate_limit *out)
{
	const char *s = (const char *)v;
	size_t used, u2;
	uint64_t down, up;

	/* plain numbers: a suffix would make a profile name like "10M" ambiguous */
	if (parse_num(s, len, 1000, &down, &used) < 0 || (used && s[used - 1] > '9'))
		return -EINVAL;
	up = down;
	if (used < len) {
		if ((s[used] != '/' && s[used] != '\\' && s[used] != ':') ||
		    parse_num(s + used + 1, len - used - 1, 1000, &up, &u2) < 0 ||
		    used + 1 + u2 != len || s[len - 1] > '9')
			return -EINVAL;
	}
	out->down_bps = down;
	out->up_bps = up;
	return 0;
}

char *rate_format(uint64_t bps, char *buf, size_t len)
{
	if (bps && bps % 1000000000 == 0)
		snprintf(buf, len, "%lluG", (unsigned long long)(bps / 1000000000));
	else if (bps && bps % 1000000 == 0)
		snprintf(buf, len, "%lluM", (unsigned long long)(bps / 1000000));
	else if (bps && bps % 1000 == 0)
		snprintf(buf, len, "%lluk", (unsigned long long)(bps / 1000));
	else
		snprintf(buf, len, "%llu", (unsigned long long)bps);
	return buf;
}

void rate_radius_mikrotik(struct rate_radius *r, const uint8_t *v, size_t len)
{
	if (rate_parse_mikrotik(v, len, &r->mikrotik) == 0)
		r->has_mikrotik = true;
	else
		r->bad++;
}

void rate_radius_filter_id(struct rate_radius *r, const uint8_t *v, size_t len)
{
	if (len == 0 || len > RATE_FILTER_ID_MAX || memchr(v, '\0', len)) {
		r->bad++;
		return;
	}
	if (r->filter_id_len)
		return;                         /* the first one counts */
	memcpy(r->filter_id, v, len);
	r->filter_id[len] = '\0';
	r->filter_id_len = len;
}

bool rate_radius_any(const struct rate_radius *r)
{
	return r->has_mikrotik || r->filter_id_len || r->bad;
}

enum rate_src rate_resolve(const struct rate_radius *r, const struct rate_limit *dflt,
			   rate_profile_fn profile, void *ctx, struct rate_limit *out,
			   unsigned *bad)
{
	if (r && r->has_mikrotik) {
		*out = r->mikrotik;
		return RATE_SRC_MIKROTIK;
	}
	if (r && r->filter_id_len) {
		if (profile && profile(ctx, r->filter_id, out))
			return RATE_SRC_PROFILE;
		if (rate_parse_accel((const uint8_t *)r->filter_id, r->filter_id_len, out) == 0)
			return RATE_SRC_ACCEL;
		if (bad)
			(*bad)++;
	}
	*out = *dflt;
	return out->down_bps || out->up_bps ? RATE_SRC_CONFIG : RATE_SRC_NONE;
}

static uint32_t clamp32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

uint32_t rate_shape_burst(uint64_t bps)
{
	uint64_t b = bps / 8 / 20;       /* 50 ms */

	return clamp32(b < 4000 ? 4000 : b);
}

uint32_t rate_shape_limit(uint64_t bps)
{
	return clamp32((uint64_t)rate_shape_burst(bps) + bps / 8 / 5);    /* + 200 ms */
}

uint32_t rate_police_burst(uint64_t bps)
{
	uint64_t b = bps / 8 / 2;        /* 500 ms */

	return clamp32(b < 16000 ? 16000 : b);
}
