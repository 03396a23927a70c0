// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz harness for the RFC 5176 codec. The input is parsed twice: as it
 * is, and re-signed (Message-Authenticator and Request Authenticator made
 * right for FUZZ_DAE_SECRET) so that the fuzzer reaches the attribute walk
 * instead of stopping at the MD5 check. Whatever parses must give a reply
 * that fits and verifies, and go through the duplicate cache.
 */
#include <stdlib.h>
#include <string.h>

#include <nettle/hmac.h>
#include <nettle/md5.h>

#include "fuzz.h"
#include "radius_dae.h"

#define SECRET "fuzz-secret"
#define SLEN (sizeof(SECRET) - 1)

static struct dae_cache cache;

/* Authenticators as RFC 5176 §2.3 / §3.4 define them, over the whole buffer. */
static void resign(uint8_t *p, size_t len, const uint8_t *req_auth)
{
	struct hmac_md5_ctx h;
	struct md5_ctx m;
	size_t off, ma = 0;

	for (off = RADIUS_HDR_LEN; off + 2 <= len && p[off + 1] >= 2 && p[off + 1] <= len - off;
	     off += p[off + 1])
		if (p[off] == RADIUS_ATTR_MESSAGE_AUTHENTICATOR && p[off + 1] == 18 && !ma)
			ma = off;
	if (req_auth)
		memcpy(p + 4, req_auth, RADIUS_AUTH_LEN);
	else
		memset(p + 4, 0, RADIUS_AUTH_LEN);
	if (ma) {
		memset(p + ma + 2, 0, RADIUS_AUTH_LEN);
		hmac_md5_set_key(&h, SLEN, (const uint8_t *)SECRET);
		hmac_md5_update(&h, len, p);
		hmac_md5_digest(&h, RADIUS_AUTH_LEN, p + ma + 2);
	}
	md5_init(&m);
	md5_update(&m, len, p);
	md5_update(&m, SLEN, (const uint8_t *)SECRET);
	md5_digest(&m, RADIUS_AUTH_LEN, p + 4);
}

static void check_str(const struct dae_str *s)
{
	if (s->s[s->len] != '\0' || strnlen(s->s, sizeof(s->s)) > s->len)
		abort();
}

static void run(const uint8_t *p, size_t len, uint64_t now)
{
	static const struct dae_nas nas = { .identifier = "lns", .ipv4 = 0x7f000001 };
	uint8_t rep[DAE_REPLY_MAX], copy[DAE_REPLY_MAX];
	struct dae_request r;
	enum dae_verdict v;
	size_t clen;
	int n;

	v = dae_parse(p, len, SECRET, SLEN, &nas, now, 300, &r);
	if (v >= DAE_VERDICT_COUNT)
		abort();
	if (v != DAE_OK && v != DAE_NAK)
		return;
	if ((v == DAE_OK) != (r.error_cause == DAE_ERR_NONE) || r.proxy_len > DAE_PROXY_STATE_MAX)
		abort();
	if (v == DAE_OK && !dae_request_has_session_id(&r))
		abort();
	check_str(&r.user_name);
	check_str(&r.acct_session_id);
	check_str(&r.calling_station_id);
	n = dae_build_reply(&r, r.error_cause, SECRET, SLEN, rep, sizeof(rep));
	if (n < RADIUS_HDR_LEN || (size_t)n > sizeof(rep) || rep[1] != p[1])
		abort();
	memcpy(copy, rep, (size_t)n);
	resign(copy, (size_t)n, r.authenticator);
	if (memcmp(copy, rep, (size_t)n) != 0)
		abort();
	if (!dae_cache_find(&cache, "k", 1, p, len, now * 1000, &clen))
		dae_cache_put(&cache, "k", 1, p, rep, (size_t)n, now * 1000);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p;
	uint64_t now = 1700000000;

	if (!cache.ttl_ms)
		dae_cache_init(&cache, 5000);
	run(data, size, now);
	if (size < RADIUS_HDR_LEN || size > RADIUS_MAX_LEN)
		return 0;
	p = malloc(size);
	if (!p)
		return 0;
	memcpy(p, data, size);
	/* re-sign what the Length field covers, as a sender would */
	{
		size_t plen = (size_t)p[2] << 8 | p[3];

		if (plen >= RADIUS_HDR_LEN && plen <= size)
			resign(p, plen, NULL);
	}
	run(p, size, now + (data[1] & 0x80 ? 400 : 0));
	free(p);
	return 0;
}
