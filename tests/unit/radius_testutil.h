/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by the RADIUS unit tests: sign a packet the way RFC 5176
 * §2.3 / §3.4 and RFC 3579 §3.2 describe, hashing the whole buffer in one go
 * (a different path from lib/aaa/radius_dae.c's piecewise one).
 */
#ifndef LNS_RADIUS_TESTUTIL_H
#define LNS_RADIUS_TESTUTIL_H

#include <stdint.h>
#include <string.h>

#include <nettle/hmac.h>
#include <nettle/md5.h>

#include "radius_dae.h"

/*
 * Offset of the first attribute of type t in a packet, 0 if none (the walk
 * stops at the first malformed attribute; a Message-Authenticator counts
 * only with its right length).
 */
static inline size_t tu_find_attr(const uint8_t *p, size_t len, uint8_t t)
{
	size_t off;

	for (off = RADIUS_HDR_LEN; off + 2 <= len && p[off + 1] >= 2 && p[off + 1] <= len - off;
	     off += p[off + 1])
		if (p[off] == t && (t != RAD_MESSAGE_AUTHENTICATOR || p[off + 1] == 18))
			return off;
	return 0;
}

/*
 * Sign a request (auth = NULL) or a reply (auth = the Request Authenticator)
 * of len bytes, setting its Length field: Message-Authenticator first if
 * there is one, then the authenticator field.
 */
static inline void tu_sign(uint8_t *p, size_t len, const uint8_t *auth, const char *secret)
{
	size_t ma = tu_find_attr(p, len, RAD_MESSAGE_AUTHENTICATOR);
	struct hmac_md5_ctx h;
	struct md5_ctx m;

	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	if (auth)
		memcpy(p + 4, auth, RADIUS_AUTH_LEN);
	else
		memset(p + 4, 0, RADIUS_AUTH_LEN);
	if (ma) {
		memset(p + ma + 2, 0, RADIUS_AUTH_LEN);
		hmac_md5_set_key(&h, strlen(secret), (const uint8_t *)secret);
		hmac_md5_update(&h, len, p);
		hmac_md5_digest(&h, RADIUS_AUTH_LEN, p + ma + 2);
	}
	md5_init(&m);
	md5_update(&m, len, p);
	md5_update(&m, strlen(secret), (const uint8_t *)secret);
	md5_digest(&m, RADIUS_AUTH_LEN, p + 4);
}

#endif
