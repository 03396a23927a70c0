// SPDX-License-Identifier: GPL-2.0-or-later
/* RADIUS for PPP sessions: building requests, checking and reading replies. */
#include "radius_attr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/hmac.h>
#include <nettle/md5.h>
#include <nettle/memops.h>

#include "lns_grow.h"
#include "ppp_proto.h"

#define AV_HDR 7   /* vendor (4), type, kind, length */

void rad_avs_init(struct rad_avs *l)
{
	memset(l, 0, sizeof(*l));
}

void rad_avs_free(struct rad_avs *l)
{
	free(l->buf);
	rad_avs_init(l);
}

static uint8_t *av_push(struct rad_avs *l, uint32_t vendor, uint8_t type, enum rad_kind kind,
			size_t len)
{
	uint8_t *p;

	if (l->oom)
		return NULL;
	if (lns_grow((void **)&l->buf, &l->cap, l->len + AV_HDR + len, 1, 512)) {
		l->oom = true;
		return NULL;
	}
	p = l->buf + l->len;
	p[0] = (uint8_t)(vendor >> 24);
	p[1] = (uint8_t)(vendor >> 16);
	p[2] = (uint8_t)(vendor >> 8);
	p[3] = (uint8_t)vendor;
	p[4] = type;
	p[5] = (uint8_t)kind;
	p[6] = (uint8_t)len;
	l->len += AV_HDR + len;
	return p + AV_HDR;
}

static void add_u32(struct rad_avs *l, uint32_t vendor, uint8_t type, enum rad_kind kind,
		    uint32_t v)
{
	uint32_t be = htonl(v);
	uint8_t *p = av_push(l, vendor, type, kind, 4);

	if (p)
		memcpy(p, &be, 4);
}

void rad_add_int(struct rad_avs *l, uint32_t vendor, uint8_t type, uint32_t v)
{
	add_u32(l, vendor, type, RAD_K_INT, v);
}

void rad_add_ipv4(struct rad_avs *l, uint32_t vendor, uint8_t type, uint32_t ip)
{
	add_u32(l, vendor, type, RAD_K_IPV4, ip);
}

void rad_add_bytes(struct rad_avs *l, uint32_t vendor, uint8_t type, enum rad_kind kind,
		   const void *v, size_t len)
{
	uint8_t *p;

	if (len > RAD_VAL_MAX)
		len = RAD_VAL_MAX;
	p = av_push(l, vendor, type, kind, len);
	if (p && len)
		memcpy(p, v, len);
}

void rad_add_str(struct rad_avs *l, uint32_t vendor, uint8_t type, const char *s)
{
	rad_add_bytes(l, vendor, type, RAD_K_STR, s, strlen(s));
}

bool rad_avs_next(const struct rad_avs *l, size_t *pos, struct rad_av *out)
{
	const uint8_t *p;
	uint32_t be;

	if (*pos + AV_HDR > l->len)
		return false;
	p = l->buf + *pos;
	if (*pos + AV_HDR + p[6] > l->len)
		return false;
	out->vendor = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	out->type = p[4];
	out->kind = p[5];
	out->len = p[6];
	out->val = p + AV_HDR;
	out->num = 0;
	if ((out->kind == RAD_K_INT || out->kind == RAD_K_IPV4) && out->len == 4) {
		memcpy(&be, out->val, 4);
		out->num = ntohl(be);
	}
	*pos += AV_HDR + p[6];
	return true;
}

bool rad_avs_find(const struct rad_avs *l, uint32_t vendor, uint8_t type, struct rad_av *out)
{
	size_t pos = 0;

	while (rad_avs_next(l, &pos, out))
		if (out->vendor == vendor && out->type == type)
			return true;
	return false;
}

void rad_session_id(uint32_t start_time, uint32_t serial, char out[RAD_SESSION_ID_LEN + 1])
{
	snprintf(out, RAD_SESSION_ID_LEN + 1, "%08X%08X", start_time, serial);
}

/* An address without the port, as Calling-Station-Id or a tunnel endpoint (RFC 2868 §3.3). */
static void addr_text(const struct lns_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

void rad_build_common(const struct rad_sess_info *si, struct rad_avs *out)
{
	char buf[64];

	rad_add_bytes(out, 0, RAD_USER_NAME, RAD_K_STR, si->user, si->user_len);
	if (si->nas_identifier && *si->nas_identifier)
		rad_add_str(out, 0, RAD_NAS_IDENTIFIER, si->nas_identifier);
	rad_add_int(out, 0, RAD_NAS_PORT, si->nas_port);
	rad_add_int(out, 0, RAD_NAS_PORT_TYPE, RAD_NAS_PORT_VIRTUAL);
	rad_add_int(out, 0, RAD_SERVICE_TYPE, RAD_SERVICE_FRAMED);
	rad_add_int(out, 0, RAD_FRAMED_PROTOCOL, RAD_FRAMED_PROTO_PPP);
	/* The LAC's numbers when it sent them, else the addresses the call came between. */
	if (si->calling_number && *si->calling_number) {
		rad_add_str(out, 0, RAD_CALLING_STATION_ID, si->calling_number);
	} else {
		addr_text(&si->peer, buf, sizeof(buf));
		rad_add_str(out, 0, RAD_CALLING_STATION_ID, buf);
	}
	if (si->called_number && *si->called_number) {
		rad_add_str(out, 0, RAD_CALLED_STATION_ID, si->called_number);
	} else {
		addr_text(&si->local, buf, sizeof(buf));
		rad_add_str(out, 0, RAD_CALLED_STATION_ID, buf);
	}
	/*
	 * RFC 2868 §3.1-3.4 with tag 0 (one tunnel): an integer's tag is its
	 * top byte, so plain L2TP (3) is tag 0; the endpoints as text.
	 */
	rad_add_int(out, 0, RAD_TUNNEL_TYPE, RAD_TUNNEL_L2TP);
	rad_add_int(out, 0, RAD_TUNNEL_MEDIUM_TYPE,
		    si->peer.family == 6 ? RAD_MEDIUM_IPV6 : RAD_MEDIUM_IPV4);
	addr_text(&si->peer, buf, sizeof(buf));
	rad_add_str(out, 0, RAD_TUNNEL_CLIENT_ENDPOINT, buf);
	addr_text(&si->local, buf, sizeof(buf));
	rad_add_str(out, 0, RAD_TUNNEL_SERVER_ENDPOINT, buf);
	/* RFC 2867 §4.1: for L2TP, the Call Serial Number identifies the call. */
	snprintf(buf, sizeof(buf), "%u", si->call_serial);
	rad_add_str(out, 0, RAD_ACCT_TUNNEL_CONNECTION, buf);
	rad_add_str(out, 0, RAD_ACCT_SESSION_ID, si->session_id);
}

int rad_build_auth(const struct rad_sess_info *si, const struct ppp_auth_req *req,
		   struct rad_avs *out)
{
	uint8_t buf[2 + MSCHAPV2_RESPONSE_LEN];

	rad_build_common(si, out);
	switch (req->method) {
	case PPP_AUTH_PAP:
		/*
		 * rad_encode_request() hides it (RFC 2865 §5.2), and refuses one
		 * longer than that section allows: refused here, before a
		 * request is queued that no server can be sent.
		 */
		if (req->password_len > RAD_PASSWORD_MAX)
			return -EINVAL;
		rad_add_bytes(out, 0, RAD_USER_PASSWORD, RAD_K_STR, req->password,
			      req->password_len);
		return 0;
	case PPP_AUTH_CHAP_MD5:
		/* RFC 2865 §5.3: CHAP Ident, then the 16-byte response. */
		if (req->response_len != CHAP_MD5_LEN)
			return -EINVAL;
		buf[0] = req->id;
		memcpy(buf + 1, req->response, CHAP_MD5_LEN);
		rad_add_bytes(out, 0, RAD_CHAP_PASSWORD, RAD_K_STR, buf, 1 + CHAP_MD5_LEN);
		rad_add_bytes(out, 0, RAD_CHAP_CHALLENGE, RAD_K_STR, req->challenge,
			      req->challenge_len);
		return 0;
	case PPP_AUTH_MSCHAPV2:
		/*
		 * RFC 2548 §2.3.2: Ident, Flags, Peer-Challenge, 8 reserved,
		 * NT-Response: the first 48 bytes of the PPP Response value.
		 */
		if (req->response_len != MSCHAPV2_RESPONSE_LEN ||
		    req->challenge_len != MSCHAPV2_CHALLENGE_LEN)
			return -EINVAL;
		rad_add_bytes(out, RAD_VENDOR_MICROSOFT, RAD_MS_CHAP_CHALLENGE, RAD_K_STR,
			      req->challenge, MSCHAPV2_CHALLENGE_LEN);
		buf[0] = req->id;
		buf[1] = req->flags;
		memcpy(buf + 2, req->response, MSCHAPV2_RESP_FLAGS);
		rad_add_bytes(out, RAD_VENDOR_MICROSOFT, RAD_MS_CHAP2_RESPONSE, RAD_K_STR, buf,
			      2 + MSCHAPV2_RESP_FLAGS);
		return 0;
	case PPP_AUTH_NONE:
	case PPP_AUTH_METHOD_COUNT:
		break;
	}
	return -EINVAL;
}

void rad_octets_split(uint64_t octets, uint32_t *low, uint32_t *gigawords)
{
	*low = (uint32_t)octets;
	*gigawords = (uint32_t)(octets >> 32);
}

static void add_octets(struct rad_avs *out, uint8_t attr, uint8_t gw_attr, uint64_t octets)
{
	uint32_t low, gw;

	rad_octets_split(octets, &low, &gw);
	rad_add_int(out, 0, attr, low);
	rad_add_int(out, 0, gw_attr, gw);
}

void rad_build_acct(const struct rad_sess_info *si, const struct rad_acct_info *ai,
		    struct rad_avs *out)
{
	rad_build_common(si, out);
	rad_add_int(out, 0, RAD_ACCT_STATUS_TYPE, ai->status);
	rad_add_int(out, 0, RAD_ACCT_AUTHENTIC, RAD_AUTHENTIC_RADIUS);
	if (si->framed_ip)
		rad_add_ipv4(out, 0, RAD_FRAMED_IP_ADDRESS, si->framed_ip);
	if (si->cls_len)
		rad_add_bytes(out, 0, RAD_CLASS, RAD_K_STR, si->cls, si->cls_len);
	if (ai->status == RAD_ACCT_START)
		return;
	add_octets(out, RAD_ACCT_INPUT_OCTETS, RAD_ACCT_INPUT_GIGAWORDS, ai->in_octets);
	add_octets(out, RAD_ACCT_OUTPUT_OCTETS, RAD_ACCT_OUTPUT_GIGAWORDS, ai->out_octets);
	/* Packet counters have no gigawords: they saturate. */
	rad_add_int(out, 0, RAD_ACCT_INPUT_PACKETS,
		    ai->in_packets > UINT32_MAX ? UINT32_MAX : (uint32_t)ai->in_packets);
	rad_add_int(out, 0, RAD_ACCT_OUTPUT_PACKETS,
		    ai->out_packets > UINT32_MAX ? UINT32_MAX : (uint32_t)ai->out_packets);
	rad_add_int(out, 0, RAD_ACCT_SESSION_TIME, ai->session_time_s);
	if (ai->status == RAD_ACCT_STOP)
		rad_add_int(out, 0, RAD_ACCT_TERMINATE_CAUSE, ai->term_cause);
}

/*
 * RFC 2866 §5.10: the client hung up (User-Request), the link or the LAC
 * went away (Lost-Carrier), the operator ended it (Admin-Reset), PPP could
 * not agree with the client (User-Error); the rest is ours (NAS-Error).
 */
enum rad_term_cause rad_term_cause_for(enum ppp_down_reason r)
{
	switch (r) {
	case PPP_DOWN_PEER_TERMINATE:
		return RAD_TERM_USER_REQUEST;
	case PPP_DOWN_ECHO_FAILURE:
	case PPP_DOWN_LOWER:
		return RAD_TERM_LOST_CARRIER;
	case PPP_DOWN_ADMIN:
		return RAD_TERM_ADMIN_RESET;
	case PPP_DOWN_NEGOTIATION:
	case PPP_DOWN_LOOPBACK:
	case PPP_DOWN_PROTO_REJECTED:
	case PPP_DOWN_AUTH_FAILED:
	case PPP_DOWN_AUTH_TIMEOUT:
	case PPP_DOWN_AUTH_REFUSED:
		return RAD_TERM_USER_ERROR;
	case PPP_DOWN_POOL_EXHAUSTED:
	case PPP_DOWN_NONE:
	case PPP_DOWN_REASON_COUNT:
		break;
	}
	return RAD_TERM_NAS_ERROR;
}

int rad_parse_route(const uint8_t *v, size_t len, struct rad_route *out)
{
	char buf[64], *sp, *slash;
	struct in_addr a;
	unsigned long plen = 32;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, v, len);
	buf[len] = '\0';
	sp = strchr(buf, ' ');
	if (sp)
		*sp = '\0';
	slash = strchr(buf, '/');
	if (slash) {
		char *end;

		*slash++ = '\0';
		if (!isdigit((unsigned char)*slash))
			return -EINVAL;
		plen = strtoul(slash, &end, 10);
		if (*end || plen > 32)
			return -EINVAL;
	}
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -EINVAL;
	out->dst = ntohl(a.s_addr);
	out->plen = (uint8_t)plen;
	/* Host bits set would make the kernel refuse the route: clear them. */
	if (plen < 32)
		out->dst &= plen ? ~0u << (32 - plen) : 0;
	return 0;
}

/* Copy a text attribute as the server sent it into a C string (log lines escape it: LOG_STR). */
static void text_copy(char *dst, size_t dlen, const uint8_t *v, size_t len)
{
	size_t n = len < dlen - 1 ? len : dlen - 1;

	memcpy(dst, v, n);
	dst[n] = '\0';
}

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (uint8_t)tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* MS-CHAP2-Success (RFC 2548 §2.3.3): Ident, then "S=" and 40 hex digits. */
static bool parse_success(const struct rad_av *av, uint8_t resp[MSCHAPV2_AUTH_RESP_LEN])
{
	const uint8_t *s = av->val + 1;

	if (av->len < 1 + MSCHAPV2_AUTH_STR_LEN || s[0] != 'S' || s[1] != '=')
		return false;
	for (size_t i = 0; i < MSCHAPV2_AUTH_RESP_LEN; i++) {
		int hi = hexval(s[2 + 2 * i]), lo = hexval(s[3 + 2 * i]);

		if (hi < 0 || lo < 0)
			return false;
		resp[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

void rad_parse_reply(const struct rad_avs *in, struct rad_accept *out)
{
	struct rad_av av;
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	while (rad_avs_next(in, &pos, &av)) {
		if (av.vendor == RAD_VENDOR_MICROSOFT) {
			switch (av.type) {
			case RAD_MS_CHAP2_SUCCESS:
				out->has_auth_resp = parse_success(&av, out->auth_resp);
				out->bad_success = !out->has_auth_resp;
				break;
			case RAD_MS_CHAP_ERROR:   /* Ident, then the text */
				if (av.len > 1)
					text_copy(out->ms_error, sizeof(out->ms_error), av.val + 1,
						  av.len - 1u);
				break;
			case RAD_MS_PRIMARY_DNS_SERVER:
				out->dns1 = av.num;
				break;
			case RAD_MS_SECONDARY_DNS_SERVER:
				out->dns2 = av.num;
				break;
			default:
				break;
			}
			continue;
		}
		if (av.vendor == RAD_VENDOR_MIKROTIK && av.type == RAD_MIKROTIK_RATE_LIMIT)
			rate_radius_mikrotik(&out->rate, av.val, av.len);
		if (av.vendor)
			continue;
		switch (av.type) {
		case RAD_FILTER_ID:
			rate_radius_filter_id(&out->rate, av.val, av.len);
			break;
		case RAD_FRAMED_IP_ADDRESS:
			out->framed_ip = av.num;
			break;
		case RAD_FRAMED_POOL:
			text_copy(out->framed_pool, sizeof(out->framed_pool), av.val, av.len);
			break;
		case RAD_FRAMED_ROUTE:
			if (out->n_routes < RAD_MAX_ROUTES &&
			    rad_parse_route(av.val, av.len, &out->routes[out->n_routes]) == 0)
				out->n_routes++;
			else
				out->bad_routes++;
			break;
		case RAD_SESSION_TIMEOUT:
			out->session_timeout_s = av.num;
			break;
		case RAD_IDLE_TIMEOUT:
			out->idle_timeout_s = av.num;
			break;
		case RAD_ACCT_INTERIM_INTERVAL:
			out->interim_interval_s = av.num;
			break;
		case RAD_CLASS:
			if (!out->cls_len) {
				memcpy(out->cls, av.val, av.len);
				out->cls_len = av.len;
			}
			break;
		case RAD_REPLY_MESSAGE:
			if (!out->reply_message[0])
				text_copy(out->reply_message, sizeof(out->reply_message), av.val,
					  av.len);
			break;
		default:
			break;
		}
	}
}

/* ---- packets ------------------------------------------------------------ */

#define MSG_AUTH_LEN (2 + RAD_AUTH_LEN)        /* RFC 3579 §3.2: type, length, HMAC-MD5 */
#define VSA_HDR 6                              /* Vendor-Id, vendor type, vendor length */
#define VSA_VAL_MAX (255 - 2 - VSA_HDR)

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* RFC 2865 §5.2: c(i) = p(i) XOR MD5(S + c(i-1)), c(0) the Request Authenticator. */
static void hide_password(uint8_t *v, size_t len, const uint8_t auth[RAD_AUTH_LEN],
			  const void *secret, size_t secret_len)
{
	const uint8_t *prev = auth;
	uint8_t b[RAD_AUTH_LEN];

	for (size_t i = 0; i < len; i += RAD_AUTH_LEN) {
		struct md5_ctx m;

		md5_init(&m);
		md5_update(&m, secret_len, secret);
		md5_update(&m, RAD_AUTH_LEN, prev);
		md5_digest(&m, RAD_AUTH_LEN, b);
		for (size_t k = 0; k < RAD_AUTH_LEN; k++)
			v[i + k] ^= b[k];
		prev = v + i;
	}
}

int rad_encode_request(enum rad_code code, uint8_t id, const uint8_t auth[RAD_AUTH_LEN],
		       const struct rad_avs *avs, const void *secret, size_t secret_len,
		       uint8_t *buf, size_t cap)
{
	static const uint8_t zero[RAD_AUTH_LEN];
	bool access = code == RAD_CODE_ACCESS_REQUEST;
	size_t len = RAD_HDR_LEN, pos = 0;
	struct rad_av av;

	if (!access && code != RAD_CODE_ACCOUNTING_REQUEST)
		return -EINVAL;
	if (cap > RAD_PKT_MAX)
		cap = RAD_PKT_MAX;
	if (cap < RAD_HDR_LEN + MSG_AUTH_LEN)
		return -EMSGSIZE;
	buf[0] = (uint8_t)code;
	buf[1] = id;
	memcpy(buf + 4, access ? auth : zero, RAD_AUTH_LEN);
	if (access) {   /* zero while the HMAC is taken */
		buf[len] = RAD_MESSAGE_AUTHENTICATOR;
		buf[len + 1] = MSG_AUTH_LEN;
		memset(buf + len + 2, 0, RAD_AUTH_LEN);
		len += MSG_AUTH_LEN;
	}
	while (rad_avs_next(avs, &pos, &av)) {
		bool password = !av.vendor && av.type == RAD_USER_PASSWORD;
		size_t hdr = av.vendor ? 2 + VSA_HDR : 2, vlen = av.len;
		uint8_t *p;

		if (password) {   /* padded to a multiple of 16, at least 16 */
			if (!access || vlen > RAD_PASSWORD_MAX)
				return -EINVAL;
			vlen = vlen ? (vlen + RAD_AUTH_LEN - 1) / RAD_AUTH_LEN * RAD_AUTH_LEN
				    : RAD_AUTH_LEN;
		}
		if (av.vendor && vlen > VSA_VAL_MAX)
			return -EINVAL;
		if (cap - len < hdr + vlen)
			return -EMSGSIZE;
		p = buf + len;
		if (av.vendor) {
			p[0] = RAD_VENDOR_SPECIFIC;
			put32(p + 2, av.vendor);
			p[6] = av.type;
			p[7] = (uint8_t)(2 + vlen);
		} else {
			p[0] = av.type;
		}
		p[1] = (uint8_t)(hdr + vlen);
		memset(p + hdr, 0, vlen);
		if (av.len)
			memcpy(p + hdr, av.val, av.len);
		if (password)
			hide_password(p + hdr, vlen, auth, secret, secret_len);
		len += hdr + vlen;
	}
	buf[2] = (uint8_t)(len >> 8);
	buf[3] = (uint8_t)len;
	if (access) {
		/* RFC 3579 §3.2: HMAC-MD5 over the whole request, keyed with the secret. */
		struct hmac_md5_ctx h;

		hmac_md5_set_key(&h, secret_len, secret);
		hmac_md5_update(&h, len, buf);
		hmac_md5_digest(&h, RAD_AUTH_LEN, buf + RAD_HDR_LEN + 2);
	} else {
		/* RFC 2866 §3: MD5(Code+Identifier+Length+16 zero octets+attributes+secret). */
		struct md5_ctx m;

		md5_init(&m);
		md5_update(&m, len, buf);
		md5_update(&m, secret_len, secret);
		md5_digest(&m, RAD_AUTH_LEN, buf + 4);
	}
	return (int)len;
}

const char *rad_reply_check_str(enum rad_reply_check c)
{
	switch (c) {
	case RAD_REPLY_OK:
		return "ok";
	case RAD_REPLY_MALFORMED:
		return "malformed";
	case RAD_REPLY_BAD_CODE:
		return "bad-code";
	case RAD_REPLY_BAD_ID:
		return "bad-identifier";
	case RAD_REPLY_BAD_AUTHENTICATOR:
		return "bad-authenticator";
	case RAD_REPLY_BAD_MSG_AUTH:
		return "bad-message-authenticator";
	case RAD_REPLY_NO_MSG_AUTH:
		return "no-message-authenticator";
	case RAD_REPLY_CHECK_COUNT:
		break;
	}
	return "?";
}

/* RFC 2865 §4, RFC 2866 §4: what may answer a request of that code. */
static bool answers(uint8_t req_code, uint8_t code)
{
	if (req_code == RAD_CODE_ACCESS_REQUEST)
		return code == RAD_CODE_ACCESS_ACCEPT || code == RAD_CODE_ACCESS_REJECT ||
		       code == RAD_CODE_ACCESS_CHALLENGE;
	return req_code == RAD_CODE_ACCOUNTING_REQUEST && code == RAD_CODE_ACCOUNTING_RESPONSE;
}

enum rad_reply_check rad_check_reply(const uint8_t *req, const uint8_t *rep, size_t len,
				     const void *secret, size_t secret_len,
				     bool require_msg_auth)
{
	static const uint8_t zero[RAD_AUTH_LEN];
	uint8_t want[RAD_AUTH_LEN];
	size_t plen, off, ma_off = 0;
	bool ma_bad = false;
	struct md5_ctx m;

	if (len < RAD_HDR_LEN)
		return RAD_REPLY_MALFORMED;
	/* RFC 2865 §3: octets past Length are padding; fewer than Length is an error. */
	plen = (size_t)rep[2] << 8 | rep[3];
	if (plen < RAD_HDR_LEN || plen > RAD_PKT_MAX || plen > len)
		return RAD_REPLY_MALFORMED;
	len = plen;
	for (off = RAD_HDR_LEN; off < len; off += rep[off + 1]) {
		if (len - off < 2 || rep[off + 1] < 2 || rep[off + 1] > len - off)
			return RAD_REPLY_MALFORMED;
		if (rep[off] == RAD_MESSAGE_AUTHENTICATOR) {
			ma_bad |= rep[off + 1] != MSG_AUTH_LEN || ma_off;
			ma_off = off;
		}
	}
	if (rep[1] != req[1])
		return RAD_REPLY_BAD_ID;
	if (!answers(req[0], rep[0]))
		return RAD_REPLY_BAD_CODE;
	/* RFC 2865 §3: MD5(Code+ID+Length+Request Authenticator+Attributes+Secret). */
	md5_init(&m);
	md5_update(&m, 4, rep);
	md5_update(&m, RAD_AUTH_LEN, req + 4);
	md5_update(&m, len - RAD_HDR_LEN, rep + RAD_HDR_LEN);
	md5_update(&m, secret_len, secret);
	md5_digest(&m, RAD_AUTH_LEN, want);
	if (!memeql_sec(want, rep + 4, RAD_AUTH_LEN))
		return RAD_REPLY_BAD_AUTHENTICATOR;
	if (ma_bad)
		return RAD_REPLY_BAD_MSG_AUTH;
	if (ma_off) {
		/* RFC 3579 §3.2: over the reply with the Request Authenticator, HMAC zeroed. */
		struct hmac_md5_ctx h;

		hmac_md5_set_key(&h, secret_len, secret);
		hmac_md5_update(&h, 4, rep);
		hmac_md5_update(&h, RAD_AUTH_LEN, req + 4);
		hmac_md5_update(&h, ma_off + 2 - RAD_HDR_LEN, rep + RAD_HDR_LEN);
		hmac_md5_update(&h, RAD_AUTH_LEN, zero);
		hmac_md5_update(&h, len - ma_off - MSG_AUTH_LEN, rep + ma_off + MSG_AUTH_LEN);
		hmac_md5_digest(&h, RAD_AUTH_LEN, want);
		if (!memeql_sec(want, rep + ma_off + 2, RAD_AUTH_LEN))
			return RAD_REPLY_BAD_MSG_AUTH;
	} else if (require_msg_auth && req[0] == RAD_CODE_ACCESS_REQUEST) {
		return RAD_REPLY_NO_MSG_AUTH;
	}
	return RAD_REPLY_OK;
}

/* RFC 2865 §5, 2866 §5, 2869 §5, 3162 §2.1, 2548 §2.4: the type of a value. */
static enum rad_kind kind_of(uint32_t vendor, uint8_t type)
{
	if (vendor == RAD_VENDOR_MICROSOFT)
		return type == RAD_MS_PRIMARY_DNS_SERVER || type == RAD_MS_SECONDARY_DNS_SERVER
			       ? RAD_K_IPV4 : RAD_K_STR;
	if (vendor)
		return RAD_K_STR;      /* Mikrotik-Rate-Limit: text */
	switch (type) {
	case RAD_NAS_IP_ADDRESS:
	case RAD_FRAMED_IP_ADDRESS:
		return RAD_K_IPV4;
	case RAD_NAS_IPV6_ADDRESS:
		return RAD_K_IPV6;
	case RAD_NAS_PORT:
	case RAD_SERVICE_TYPE:
	case RAD_FRAMED_PROTOCOL:
	case RAD_SESSION_TIMEOUT:
	case RAD_IDLE_TIMEOUT:
	case RAD_ACCT_STATUS_TYPE:
	case RAD_ACCT_DELAY_TIME:
	case RAD_ACCT_INPUT_OCTETS:
	case RAD_ACCT_OUTPUT_OCTETS:
	case RAD_ACCT_AUTHENTIC:
	case RAD_ACCT_SESSION_TIME:
	case RAD_ACCT_INPUT_PACKETS:
	case RAD_ACCT_OUTPUT_PACKETS:
	case RAD_ACCT_TERMINATE_CAUSE:
	case RAD_ACCT_INPUT_GIGAWORDS:
	case RAD_ACCT_OUTPUT_GIGAWORDS:
	case RAD_EVENT_TIMESTAMP:
	case RAD_NAS_PORT_TYPE:
	case RAD_TUNNEL_TYPE:
	case RAD_TUNNEL_MEDIUM_TYPE:
	case RAD_ACCT_INTERIM_INTERVAL:
		return RAD_K_INT;
	default:
		return RAD_K_STR;
	}
}

static void decode_one(struct rad_avs *out, uint32_t vendor, uint8_t type, const uint8_t *v,
		       size_t n)
{
	enum rad_kind kind = kind_of(vendor, type);

	switch (kind) {
	case RAD_K_INT:
	case RAD_K_IPV4:
		if (n != 4)
			return;
		if (kind == RAD_K_INT)
			rad_add_int(out, vendor, type, get32(v));
		else
			rad_add_ipv4(out, vendor, type, get32(v));
		return;
	case RAD_K_IPV6:
		if (n != 16)
			return;
		break;
	case RAD_K_STR:
		break;
	}
	rad_add_bytes(out, vendor, type, kind, v, n);
}

void rad_decode_reply(const uint8_t *rep, size_t len, struct rad_avs *out)
{
	size_t plen, off;

	if (len < RAD_HDR_LEN)
		return;
	plen = (size_t)rep[2] << 8 | rep[3];
	if (plen < len)
		len = plen;
	for (off = RAD_HDR_LEN; off + 2 <= len && rep[off + 1] >= 2 && rep[off + 1] <= len - off;
	     off += rep[off + 1]) {
		const uint8_t *v = rep + off + 2;
		size_t n = rep[off + 1] - 2u, sub;

		if (rep[off] != RAD_VENDOR_SPECIFIC) {
			decode_one(out, 0, rep[off], v, n);
			continue;
		}
		/* RFC 2865 §5.26; RFC 2548 §2: type, length, value, possibly several. */
		if (n < 4 || (get32(v) != RAD_VENDOR_MICROSOFT && get32(v) != RAD_VENDOR_MIKROTIK))
			continue;
		for (sub = 4; sub + 2 <= n && v[sub + 1] >= 2 && v[sub + 1] <= n - sub;
		     sub += v[sub + 1])
			decode_one(out, get32(v), v[sub], v + sub + 2, v[sub + 1] - 2u);
	}
}
