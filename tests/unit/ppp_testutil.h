/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the PPP unit tests: looking at the frames an action list holds. */
#ifndef LNS_PPP_TESTUTIL_H
#define LNS_PPP_TESTUTIL_H

#include <stdint.h>
#include <string.h>

#include "ppp_act.h"
#include "ppp_proto.h"

/* The i-th SEND action of proto (any proto if 0), or NULL. */
static inline const struct ppp_action *tu_send(const struct ppp_actions *a, uint16_t proto,
					       size_t i)
{
	size_t k;

	for (k = 0; k < a->n; k++) {
		if (a->v[k].type != PPP_ACT_SEND || (proto && a->v[k].proto != proto))
			continue;
		if (i-- == 0)
			return &a->v[k];
	}
	return NULL;
}

static inline size_t tu_count(const struct ppp_actions *a, enum ppp_act_type type)
{
	size_t k, n = 0;

	for (k = 0; k < a->n; k++)
		n += a->v[k].type == type;
	return n;
}

/* Frame bytes of a SEND: [0..1] protocol, [2] code, [3] id, [4..5] length, [6..] data. */
static inline const uint8_t *tu_frame(const struct ppp_actions *a, const struct ppp_action *act)
{
	return a->buf + act->off;
}

static inline uint8_t tu_code(const struct ppp_actions *a, const struct ppp_action *act)
{
	return tu_frame(a, act)[2];
}

static inline uint8_t tu_id(const struct ppp_actions *a, const struct ppp_action *act)
{
	return tu_frame(a, act)[3];
}

static inline const uint8_t *tu_data(const struct ppp_actions *a, const struct ppp_action *act)
{
	return tu_frame(a, act) + 6;
}

static inline size_t tu_dlen(const struct ppp_action *act)
{
	return act->len - 6;
}

/* Build code/id/length + data (no protocol) into buf; returns the length. */
static inline size_t tu_pkt(uint8_t *buf, uint8_t code, uint8_t id, const void *data, size_t len)
{
	buf[0] = code;
	buf[1] = id;
	buf[2] = (uint8_t)((len + 4) >> 8);
	buf[3] = (uint8_t)(len + 4);
	if (len)
		memcpy(buf + 4, data, len);
	return len + 4;
}

/* Deterministic "random" bytes: a counter. */
static inline void tu_rand(void *ctx, void *buf, size_t len)
{
	uint8_t *p = buf, *c = ctx;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = ++*c;
}

#endif
