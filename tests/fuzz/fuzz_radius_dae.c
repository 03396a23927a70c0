// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz harness for the RFC 5176 codec. The input is parsed twice: as it
 * is, and re-signed (Message-Authenticator and Request Authenticator made
 * right for SECRET, as gen_corpus_radius_dae.py uses) so that the fuzzer reaches the attribute walk
 * instead of stopping at the MD5 check. Whatever parses must give a reply
 * that fits and verifies, and go through the replay cache.
 */
#include <stdlib.h>
#include <string.h>

#include "../unit/radius_testutil.h"
#include "fuzz.h"
#include "radius_dae.h"

#define SECRET "fuzz-secret"
#define SLEN (sizeof(SECRET) - 1)

static struct dae_cache cache;

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
	enum dae_error_cause cached;
	int n;

	v = dae_parse(p, len, SECRET, SLEN, &nas, now, 300, len && (p[len - 1] & 1), &r);
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
	tu_sign(copy, (size_t)n, r.authenticator, SECRET);
	if (memcmp(copy, rep, (size_t)n) != 0)
		abort();
	if (dae_cache_find(&cache, "k", 1, &r, now * 1000, &cached)) {
		if (cached != r.error_cause)   /* the same request parses the same */
			abort();
	} else if (dae_cache_room(&cache, now * 1000)) {
		dae_cache_put(&cache, "k", 1, &r, r.error_cause, now * 1000);
	}
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
			tu_sign(p, plen, NULL, SECRET);
	}
	run(p, size, now + (data[1] & 0x80 ? 400 : 0));
	free(p);
	return 0;
}
