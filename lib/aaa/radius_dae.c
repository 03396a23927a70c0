// SPDX-License-Identifier: GPL-2.0-or-later
/* RADIUS Dynamic Authorization (RFC 5176), NAS side: parse, verify, reply. */
#include <errno.h>
#include <string.h>

#include <nettle/hmac.h>
#include <nettle/md5.h>
#include <nettle/memops.h>

#include "radius_dae.h"

#define AUTH_OFF 4                   /* Request/Response Authenticator in the header */
#define MSG_AUTH_LEN 18              /* RFC 3579 §3.2: type, length, 16-byte HMAC-MD5 */

const char *dae_verdict_str(enum dae_verdict v)
{
	switch (v) {
	case DAE_OK:
		return "ok";
	case DAE_NAK:
		return "nak";
	case DAE_DROP_SHORT:
		return "short";
	case DAE_DROP_LENGTH:
		return "bad-length";
	case DAE_DROP_CODE:
		return "bad-code";
	case DAE_DROP_MALFORMED:
		return "malformed";
	case DAE_DROP_AUTHENTICATOR:
		return "bad-authenticator";
	case DAE_DROP_MSG_AUTH:
		return "bad-message-authenticator";
	case DAE_DROP_STALE:
		return "stale";
	case DAE_DROP_NO_TIMESTAMP:
		return "no-event-timestamp";
	case DAE_VERDICT_COUNT:
		break;
	}
	return "?";
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* n big-endian octets of v */
static void put_be(uint8_t *p, uint32_t v, unsigned n)
{
	while (n--) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

/* MD5(pkt with auth in the authenticator field, then secret): RFC 2866 §3 style. */
static void md5_sign(const uint8_t *pkt, size_t len, const uint8_t auth[RADIUS_AUTH_LEN],
		     const void *secret, size_t secret_len, uint8_t out[RADIUS_AUTH_LEN])
{
	struct md5_ctx ctx;

	md5_init(&ctx);
	md5_update(&ctx, AUTH_OFF, pkt);
	md5_update(&ctx, RADIUS_AUTH_LEN, auth);
	md5_update(&ctx, len - RADIUS_HDR_LEN, pkt + RADIUS_HDR_LEN);
	md5_update(&ctx, secret_len, secret);
	md5_digest(&ctx, RADIUS_AUTH_LEN, out);
}

/*
 * HMAC-MD5 keyed with the secret over the packet with auth in the
 * authenticator field and the Message-Authenticator value (at ma_off) zeroed.
 */
static void hmac_sign(const uint8_t *pkt, size_t len, const uint8_t auth[RADIUS_AUTH_LEN],
		      size_t ma_off, const void *secret, size_t secret_len,
		      uint8_t out[RADIUS_AUTH_LEN])
{
	static const uint8_t zero[RADIUS_AUTH_LEN];
	struct hmac_md5_ctx ctx;

	hmac_md5_set_key(&ctx, secret_len, secret);
	hmac_md5_update(&ctx, AUTH_OFF, pkt);
	hmac_md5_update(&ctx, RADIUS_AUTH_LEN, auth);
	hmac_md5_update(&ctx, ma_off + 2 - RADIUS_HDR_LEN, pkt + RADIUS_HDR_LEN);
	hmac_md5_update(&ctx, RADIUS_AUTH_LEN, zero);
	hmac_md5_update(&ctx, len - (ma_off + MSG_AUTH_LEN), pkt + ma_off + MSG_AUTH_LEN);
	hmac_md5_digest(&ctx, RADIUS_AUTH_LEN, out);
}

static void nak(struct dae_request *r, enum dae_error_cause cause, uint8_t attr)
{
	if (r->error_cause != DAE_ERR_NONE)
		return;               /* the first problem found is the one reported */
	r->error_cause = cause;
	r->bad_attr = attr;
}

static void take_str(struct dae_request *r, struct dae_str *s, uint8_t type, const uint8_t *v,
		     size_t n)
{
	if (n == 0) {
		nak(r, DAE_ERR_INVALID_ATTRIBUTE_VALUE, type);
		return;
	}
	if (s->len) {
		nak(r, DAE_ERR_INVALID_REQUEST, type);   /* which of two names would we use? */
		return;
	}
	memcpy(s->s, v, n);
	s->s[n] = '\0';
	s->len = (uint8_t)n;
}

static void take_u32(struct dae_request *r, bool *has, uint32_t *dst, uint8_t type,
		     const uint8_t *v, size_t n)
{
	if (n != 4) {
		nak(r, DAE_ERR_INVALID_ATTRIBUTE_VALUE, type);
		return;
	}
	if (*has) {
		nak(r, DAE_ERR_INVALID_REQUEST, type);
		return;
	}
	*has = true;
	*dst = get32(v);
}

/*
 * RFC 2865 §5.26: the one vendor attribute we act on is Mikrotik-Rate-Limit,
 * in a CoA; any other is 401 like every attribute we do not act on.
 */
static void take_vsa(struct dae_request *r, bool coa, const uint8_t *v, size_t n)
{
	if (n < 6 || v[5] < 2 || v[5] != n - 4) {
		nak(r, DAE_ERR_INVALID_ATTRIBUTE_VALUE, RAD_VENDOR_SPECIFIC);
		return;
	}
	if (!coa || get32(v) != RAD_VENDOR_MIKROTIK || v[4] != RAD_MIKROTIK_RATE_LIMIT) {
		nak(r, DAE_ERR_UNSUPPORTED_ATTRIBUTE, RAD_VENDOR_SPECIFIC);
		return;
	}
	if (r->rate.has_mikrotik) {
		nak(r, DAE_ERR_INVALID_REQUEST, RAD_VENDOR_SPECIFIC);
		return;
	}
	rate_radius_mikrotik(&r->rate, v + 6, n - 6);
	if (r->rate.bad)
		nak(r, DAE_ERR_INVALID_ATTRIBUTE_VALUE, RAD_VENDOR_SPECIFIC);
}

/* One attribute of an authentic request (RFC 5176 §3 table of allowed attributes). */
static void take_attr(struct dae_request *r, const struct dae_nas *nas, uint8_t type,
		      const uint8_t *v, size_t n)
{
	bool coa = r->code == RADIUS_COA_REQUEST, dummy = false;
	uint32_t u;

	/* A plain number, not enum rad_attr: most of that table takes the 401 default. */
	switch (type) {
	case RAD_USER_NAME:
		take_str(r, &r->user_name, type, v, n);
		break;
	case RAD_ACCT_SESSION_ID:
		take_str(r, &r->acct_session_id, type, v, n);
		break;
	case RAD_CALLING_STATION_ID:
		take_str(r, &r->calling_station_id, type, v, n);
		break;
	case RAD_FRAMED_IP_ADDRESS:
		take_u32(r, &r->has_framed_ip, &r->framed_ip, type, v, n);
		break;
	case RAD_NAS_PORT:
		take_u32(r, &r->has_nas_port, &r->nas_port, type, v, n);
		break;
	case RAD_SESSION_TIMEOUT:
	case RAD_IDLE_TIMEOUT:
		/* §3.2: changes belong in a CoA; a Disconnect carries identification only */
		if (!coa)
			nak(r, DAE_ERR_UNSUPPORTED_ATTRIBUTE, type);
		else if (type == RAD_SESSION_TIMEOUT)
			take_u32(r, &r->has_session_timeout, &r->session_timeout, type, v, n);
		else
			take_u32(r, &r->has_idle_timeout, &r->idle_timeout, type, v, n);
		break;
	case RAD_FILTER_ID:
		/* a rate profile or accel-ppp's "down/up" (rate_limit.h): a change, CoA only */
		if (!coa)
			nak(r, DAE_ERR_UNSUPPORTED_ATTRIBUTE, type);
		else if (r->rate.filter_id_len)
			nak(r, DAE_ERR_INVALID_REQUEST, type);
		else
			rate_radius_filter_id(&r->rate, v, n);
		if (r->rate.bad)
			nak(r, DAE_ERR_INVALID_ATTRIBUTE_VALUE, type);
		break;
	case RAD_VENDOR_SPECIFIC:
		take_vsa(r, coa, v, n);
		break;
	case RAD_EVENT_TIMESTAMP:
		take_u32(r, &r->has_event_timestamp, &r->event_timestamp, type, v, n);
		break;
	case RAD_NAS_IDENTIFIER:
		/* §3: NAS identification that is not ours gets 403 */
		if (n == 0)
			nak(r, DAE_ERR_INVALID_ATTRIBUTE_VALUE, type);
		else if (nas && nas->identifier &&
			 (strlen(nas->identifier) != n || memcmp(nas->identifier, v, n) != 0))
			nak(r, DAE_ERR_NAS_MISMATCH, type);
		break;
	case RAD_NAS_IP_ADDRESS:
		if (n != 4)
			nak(r, DAE_ERR_INVALID_ATTRIBUTE_VALUE, type);
		else if (nas && nas->ipv4 && get32(v) != nas->ipv4)
			nak(r, DAE_ERR_NAS_MISMATCH, type);
		break;
	case RAD_NAS_IPV6_ADDRESS:
		if (n != 16)
			nak(r, DAE_ERR_INVALID_ATTRIBUTE_VALUE, type);
		else if (nas && nas->has_ipv6 && memcmp(v, nas->ipv6, 16) != 0)
			nak(r, DAE_ERR_NAS_MISMATCH, type);
		break;
	case RAD_SERVICE_TYPE:
		/* §3.2: Authorize Only (17) asks us to re-authorize: not supported */
		take_u32(r, &dummy, &u, type, v, n);
		if (dummy && u == 17)
			nak(r, DAE_ERR_UNSUPPORTED_SERVICE, type);
		break;
	case RAD_STATE:
		/* §3.3: only meaningful with Authorize Only */
		nak(r, coa ? DAE_ERR_UNSUPPORTED_SERVICE : DAE_ERR_UNSUPPORTED_ATTRIBUTE, type);
		break;
	case RAD_PROXY_STATE:
		/* RFC 2865 §5.33: copied unmodified and in order into the reply */
		if (r->proxy_len + 2 + n > sizeof(r->proxy)) {
			nak(r, DAE_ERR_RESOURCES_UNAVAILABLE, type);
			break;
		}
		r->proxy[r->proxy_len] = type;
		r->proxy[r->proxy_len + 1] = (uint8_t)(n + 2);
		memcpy(r->proxy + r->proxy_len + 2, v, n);
		r->proxy_len += n + 2;
		break;
	case RAD_MESSAGE_AUTHENTICATOR:
		break;                /* checked before the walk */
	case RAD_REPLY_MESSAGE:
	case RAD_ERROR_CAUSE:
	default:
		/* §3.5 401: anything we do not act on must not be silently ignored */
		nak(r, DAE_ERR_UNSUPPORTED_ATTRIBUTE, type);
		break;
	}
}

bool dae_request_has_session_id(const struct dae_request *r)
{
	return r->user_name.len || r->acct_session_id.len || r->calling_station_id.len ||
	       r->has_framed_ip || r->has_nas_port;
}

enum dae_verdict dae_parse(const uint8_t *pkt, size_t len, const void *secret,
			   size_t secret_len, const struct dae_nas *nas, uint64_t now_s,
			   uint32_t window_s, bool require_timestamp, struct dae_request *out)
{
	static const uint8_t zero[RADIUS_AUTH_LEN];
	uint8_t want[RADIUS_AUTH_LEN];
	size_t plen, off, ma_off = 0;

	memset(out, 0, sizeof(*out));
	if (len < RADIUS_HDR_LEN)
		return DAE_DROP_SHORT;
	/* RFC 2865 §3: octets past Length are padding; fewer than Length is an error */
	plen = (size_t)pkt[2] << 8 | pkt[3];
	if (plen < RADIUS_HDR_LEN || plen > RADIUS_MAX_LEN)
		return DAE_DROP_LENGTH;
	if (len < plen)
		return DAE_DROP_SHORT;
	len = plen;
	if (pkt[0] != RADIUS_DISCONNECT_REQUEST && pkt[0] != RADIUS_COA_REQUEST)
		return DAE_DROP_CODE;

	for (off = RADIUS_HDR_LEN; off < len; off += pkt[off + 1]) {
		if (len - off < 2 || pkt[off + 1] < 2 || pkt[off + 1] > len - off)
			return DAE_DROP_MALFORMED;
		if (pkt[off] == RAD_MESSAGE_AUTHENTICATOR) {
			if (pkt[off + 1] != MSG_AUTH_LEN || ma_off)
				return DAE_DROP_MSG_AUTH;
			ma_off = off;
		}
	}

	/* §2.3: the Request Authenticator is computed as for Accounting-Request */
	md5_sign(pkt, len, zero, secret, secret_len, want);
	if (!memeql_sec(want, pkt + AUTH_OFF, RADIUS_AUTH_LEN))
		return DAE_DROP_AUTHENTICATOR;
	/* §3.4: the HMAC is taken with the authenticator field zeroed as well */
	if (ma_off) {
		hmac_sign(pkt, len, zero, ma_off, secret, secret_len, want);
		if (!memeql_sec(want, pkt + ma_off + 2, RADIUS_AUTH_LEN))
			return DAE_DROP_MSG_AUTH;
	}

	out->code = pkt[0];
	out->id = pkt[1];
	memcpy(out->authenticator, pkt + AUTH_OFF, RADIUS_AUTH_LEN);
	out->msg_auth = ma_off != 0;
	for (off = RADIUS_HDR_LEN; off < len; off += pkt[off + 1])
		take_attr(out, nas, pkt[off], pkt + off + 2, pkt[off + 1] - 2u);

	/* §6.3 replay protection: a request far from our clock is silently discarded */
	if (window_s && out->has_event_timestamp &&
	    (out->event_timestamp > now_s ? out->event_timestamp - now_s
					  : now_s - out->event_timestamp) > window_s)
		return DAE_DROP_STALE;
	/* §6.3: "SHOULD be configurable to discard" requests without Event-Timestamp */
	if (require_timestamp && !out->has_event_timestamp)
		return DAE_DROP_NO_TIMESTAMP;
	if (out->error_cause == DAE_ERR_NONE && !dae_request_has_session_id(out))
		nak(out, DAE_ERR_MISSING_ATTRIBUTE, 0);
	return out->error_cause == DAE_ERR_NONE ? DAE_OK : DAE_NAK;
}

int dae_build_reply(const struct dae_request *req, enum dae_error_cause cause,
		    const void *secret, size_t secret_len, uint8_t *buf, size_t cap)
{
	size_t len = RADIUS_HDR_LEN, ma_off = 0;
	uint8_t code;

	if (cap < RADIUS_HDR_LEN + (cause ? 6u : 0u) + req->proxy_len +
			  (req->msg_auth ? MSG_AUTH_LEN : 0u))
		return -ENOSPC;
	if (req->code == RADIUS_COA_REQUEST)
		code = cause ? RADIUS_COA_NAK : RADIUS_COA_ACK;
	else
		code = cause ? RADIUS_DISCONNECT_NAK : RADIUS_DISCONNECT_ACK;

	buf[0] = code;
	buf[1] = req->id;
	if (cause) {
		buf[len] = RAD_ERROR_CAUSE;
		buf[len + 1] = 6;
		put_be(buf + len + 2, (uint32_t)cause, 4);
		len += 6;
	}
	memcpy(buf + len, req->proxy, req->proxy_len);
	len += req->proxy_len;
	if (req->msg_auth) {
		ma_off = len;
		buf[len] = RAD_MESSAGE_AUTHENTICATOR;
		buf[len + 1] = MSG_AUTH_LEN;
		len += MSG_AUTH_LEN;
	}
	put_be(buf + 2, (uint32_t)len, 2);
	/* RFC 3579 §3.2: a response's HMAC uses the Request Authenticator */
	if (ma_off)
		hmac_sign(buf, len, req->authenticator, ma_off, secret, secret_len,
			  buf + ma_off + 2);
	md5_sign(buf, len, req->authenticator, secret, secret_len, buf + AUTH_OFF);
	return (int)len;
}

void dae_cache_init(struct dae_cache *c, uint32_t ttl_ms)
{
	c->ttl_ms = ttl_ms;
	c->head = 0;
	c->n = 0;
}

/* Drop the entries older than ttl_ms; the ring is in arrival order. */
static void cache_expire(struct dae_cache *c, uint64_t now_ms)
{
	while (c->n && now_ms - c->e[c->head].t_ms > c->ttl_ms) {
		c->head = (c->head + 1) % DAE_CACHE_SLOTS;
		c->n--;
	}
}

bool dae_cache_find(struct dae_cache *c, const void *client, size_t client_len,
		    const struct dae_request *r, uint64_t now_ms, enum dae_error_cause *cause)
{
	size_t i;

	cache_expire(c, now_ms);
	/* newest first: a retransmission follows its original closely */
	for (i = c->n; i-- > 0;) {
		const struct dae_cache_entry *e = &c->e[(c->head + i) % DAE_CACHE_SLOTS];

		if (memcmp(e->authenticator, r->authenticator, RADIUS_AUTH_LEN) != 0 ||
		    e->id != r->id || e->client_len != client_len ||
		    memcmp(e->client, client, client_len) != 0)
			continue;
		*cause = (enum dae_error_cause)e->cause;
		return true;
	}
	return false;
}

bool dae_cache_room(struct dae_cache *c, uint64_t now_ms)
{
	cache_expire(c, now_ms);
	return c->n < DAE_CACHE_SLOTS;
}

int dae_cache_put(struct dae_cache *c, const void *client, size_t client_len,
		  const struct dae_request *r, enum dae_error_cause cause, uint64_t now_ms)
{
	struct dae_cache_entry *e;

	if (client_len > DAE_CACHE_CLIENT_MAX)
		return -EINVAL;
	if (!dae_cache_room(c, now_ms))
		return -ENOSPC;
	e = &c->e[(c->head + c->n) % DAE_CACHE_SLOTS];
	c->n++;
	e->t_ms = now_ms;
	memcpy(e->client, client, client_len);
	e->client_len = (uint8_t)client_len;
	e->id = r->id;
	e->cause = (uint16_t)cause;
	memcpy(e->authenticator, r->authenticator, RADIUS_AUTH_LEN);
	return 0;
}

size_t dae_cache_count(const struct dae_cache *c)
{
	return c->n;
}
