// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * L2TP header and control-message codec: L2TPv2 (RFC 2661 §3, §4) and
 * L2TPv3 (RFC 3931 §3-§6). One AVP walker; what differs between the versions
 * (header, known AVPs and messages, mandatory AVPs, ID width) is a
 * struct codec_ver. The v3 authentication and answers are in l2tp_v3.c.
 *
 * Decoding reads through a bounded cursor and copies every value it keeps into
 * struct l2tp_msg. Encoding appends AVPs to a fixed buffer and sets an overflow
 * flag instead of writing past it.
 */
#include <errno.h>
#include <string.h>

#include <nettle/md5.h>

#include "l2tp_msg.h"
#include "l2tp_msg_int.h"

/* ---- bounded reader --------------------------------------------------- */

struct cursor {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool err;               /* sticky: a read went past len */
};

static void cur_init(struct cursor *c, const uint8_t *p, size_t len)
{
	c->p = p;
	c->len = len;
	c->off = 0;
	c->err = false;
}

static size_t cur_left(const struct cursor *c)
{
	return c->err ? 0 : c->len - c->off;
}

static const uint8_t *cur_take(struct cursor *c, size_t n)
{
	const uint8_t *p;

	if (c->err || c->len - c->off < n) {
		c->err = true;
		return NULL;
	}
	p = c->p + c->off;
	c->off += n;
	return p;
}

static uint8_t cur_u8(struct cursor *c)
{
	const uint8_t *p = cur_take(c, 1);

	return p ? p[0] : 0;
}

static uint16_t cur_u16(struct cursor *c)
{
	const uint8_t *p = cur_take(c, 2);

	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

static uint32_t cur_u32(struct cursor *c)
{
	const uint8_t *p = cur_take(c, 4);

	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		   (uint32_t)p[2] << 8 | p[3] : 0;
}

static uint16_t bswap16(uint16_t v)
{
	return (uint16_t)(v << 8 | v >> 8);
}

/* ---- header (RFC 2661 §3.1) -------------------------------------------- */

/*
 * Length field vs datagram: a Length larger than the datagram is an error; a
 * smaller one (but covering the header) is accepted and the trailing bytes are
 * ignored, since Length is the message length and the rest is UDP padding.
 */
enum l2tp_decode_err l2tp_hdr_decode(const uint8_t *pkt, size_t len, struct l2tp_hdr *h)
{
	struct cursor c;

	memset(h, 0, sizeof(*h));
	cur_init(&c, pkt, len);
	h->flags = cur_u16(&c);
	if (c.err)
		return L2TP_DEC_SHORT;
	h->is_ctrl = h->flags & L2TP_HDR_T;
	h->has_len = h->flags & L2TP_HDR_L;
	h->has_seq = h->flags & L2TP_HDR_S;
	h->has_off = h->flags & L2TP_HDR_O;
	h->prio = h->flags & L2TP_HDR_P;
	h->version = h->flags & L2TP_HDR_VER_MASK;
	if (h->version != L2TP_VERSION)
		return L2TP_DEC_BAD_VERSION;
	/* §3.1: control messages set L and S, and clear O and P. */
	if (h->is_ctrl && (!h->has_len || !h->has_seq || h->has_off || h->prio))
		return L2TP_DEC_CTRL_FLAGS;
	if (h->has_len)
		h->length = cur_u16(&c);
	h->tunnel_id = cur_u16(&c);
	h->session_id = cur_u16(&c);
	if (h->has_seq) {
		h->ns = cur_u16(&c);
		h->nr = cur_u16(&c);
	}
	if (h->has_off) {
		h->offset = cur_u16(&c);
		cur_take(&c, h->offset);    /* offset padding, skipped */
	}
	if (c.err)
		return L2TP_DEC_SHORT;
	h->payload_off = c.off;
	if (h->has_len && (h->length > len || h->length < h->payload_off))
		return L2TP_DEC_LENGTH_MISMATCH;
	return L2TP_DEC_OK;
}

/* ---- hidden AVPs (RFC 2661 §4.3) and tunnel authentication (§4.2) ------ */

/*
 * Shared MD5 chain: block 1 key = MD5(type || secret || RV), block i key =
 * MD5(secret || ciphertext block i-1). hiding selects which side is the
 * ciphertext (the output when hiding, the input when unhiding).
 */
static void md5_chain(uint16_t type_net, const uint8_t *secret, size_t secret_len,
		      const uint8_t *rv, size_t rv_len, const uint8_t *in, size_t in_len,
		      uint8_t *out, bool hiding)
{
	uint8_t key[MD5_DIGEST_SIZE];
	uint8_t t[2] = { (uint8_t)(type_net >> 8), (uint8_t)type_net };
	const uint8_t *prev = NULL;
	struct md5_ctx ctx;
	size_t off, i, n;

	for (off = 0; off < in_len; off += MD5_DIGEST_SIZE) {
		md5_init(&ctx);
		if (!prev)
			md5_update(&ctx, sizeof(t), t);
		md5_update(&ctx, secret_len, secret);
		if (prev)
			md5_update(&ctx, MD5_DIGEST_SIZE, prev);
		else
			md5_update(&ctx, rv_len, rv);
		md5_digest(&ctx, sizeof(key), key);
		n = in_len - off < MD5_DIGEST_SIZE ? in_len - off : MD5_DIGEST_SIZE;
		for (i = 0; i < n; i++)
			out[off + i] = in[off + i] ^ key[i];
		prev = hiding ? out + off : in + off;
	}
}

int l2tp_avp_unhide(uint16_t type, bool swap_type, const uint8_t *secret, size_t secret_len,
		    const uint8_t *rv, size_t rv_len, const uint8_t *in, size_t in_len,
		    uint8_t *out, size_t *out_len)
{
	size_t orig;

	if (in_len < 2)
		return -EBADMSG;
	md5_chain(swap_type ? bswap16(type) : type, secret, secret_len, rv, rv_len,
		  in, in_len, out, false);
	orig = (size_t)out[0] << 8 | out[1];
	if (orig > in_len - 2)
		return -EBADMSG;
	memmove(out, out + 2, orig);
	*out_len = orig;
	return 0;
}

void l2tp_avp_hide(uint16_t type, const uint8_t *secret, size_t secret_len,
		   const uint8_t *rv, size_t rv_len, const uint8_t *in, size_t in_len,
		   uint8_t *out)
{
	uint8_t plain[L2TP_AVP_MAX_LEN];

	if (in_len > sizeof(plain) - 2)    /* no AVP can carry more */
		in_len = sizeof(plain) - 2;
	plain[0] = (uint8_t)(in_len >> 8);
	plain[1] = (uint8_t)in_len;
	if (in_len)
		memcpy(plain + 2, in, in_len);
	md5_chain(type, secret, secret_len, rv, rv_len, plain, in_len + 2, out, true);
}

void l2tp_challenge_response(uint8_t chap_id, const uint8_t *secret, size_t secret_len,
			     const uint8_t *challenge, size_t challenge_len, uint8_t out[16])
{
	struct md5_ctx ctx;

	md5_init(&ctx);
	md5_update(&ctx, 1, &chap_id);
	md5_update(&ctx, secret_len, secret);
	md5_update(&ctx, challenge_len, challenge);
	md5_digest(&ctx, MD5_DIGEST_SIZE, out);
}

/* ---- AVP value formats (RFC 2661 §4.4) --------------------------------- */

/*
 * Allowed value lengths (AVP length minus the 6-byte header) per vendor-0
 * type, and the versions that know the type. Every RFC 2661 AVP is also
 * known to v3 (RFC 3931 §5.4 keeps most; a v2 one that a v3 peer sends
 * anyway is harmless); types 58..75 are v3 only.
 */
enum { V2 = 1, V3 = 2 };
struct avp_rule {
	uint16_t min, max;
	uint8_t vers;
};

#define ANY L2TP_AVP_MAX_LEN
static const struct avp_rule avp_rules[L2TP_AVP_TYPE_COUNT] = {
	[L2TP_AVP_MESSAGE_TYPE] = { 2, 2, V2 | V3 },
	[L2TP_AVP_RESULT_CODE] = { 2, ANY, V2 | V3 },          /* 3 rejected separately */
	[L2TP_AVP_PROTOCOL_VERSION] = { 2, 2, V2 | V3 },
	[L2TP_AVP_FRAMING_CAPS] = { 4, 4, V2 | V3 },
	[L2TP_AVP_BEARER_CAPS] = { 4, 4, V2 | V3 },
	[L2TP_AVP_TIE_BREAKER] = { 8, 8, V2 | V3 },
	[L2TP_AVP_FIRMWARE_REV] = { 2, 2, V2 | V3 },
	[L2TP_AVP_HOST_NAME] = { 1, ANY, V2 | V3 },
	[L2TP_AVP_VENDOR_NAME] = { 0, ANY, V2 | V3 },
	[L2TP_AVP_ASSIGNED_TUNNEL_ID] = { 2, 2, V2 | V3 },
	[L2TP_AVP_RECV_WINDOW_SIZE] = { 2, 2, V2 | V3 },
	[L2TP_AVP_CHALLENGE] = { 1, L2TP_CHALLENGE_MAX, V2 | V3 },
	[L2TP_AVP_Q931_CAUSE] = { 3, ANY, V2 | V3 },
	/* docs/design.md §6.3: Cisco may append bytes; the first 16 are the MD5. */
	[L2TP_AVP_CHALLENGE_RESPONSE] = { 16, ANY, V2 | V3 },
	[L2TP_AVP_ASSIGNED_SESSION_ID] = { 2, 2, V2 | V3 },
	[L2TP_AVP_CALL_SERIAL] = { 4, 4, V2 | V3 },
	[L2TP_AVP_MIN_BPS] = { 4, 4, V2 | V3 },
	[L2TP_AVP_MAX_BPS] = { 4, 4, V2 | V3 },
	[L2TP_AVP_BEARER_TYPE] = { 4, 4, V2 | V3 },
	[L2TP_AVP_FRAMING_TYPE] = { 4, 4, V2 | V3 },
	[L2TP_AVP_CALLED_NUMBER] = { 0, ANY, V2 | V3 },
	[L2TP_AVP_CALLING_NUMBER] = { 0, ANY, V2 | V3 },
	[L2TP_AVP_SUB_ADDRESS] = { 0, ANY, V2 | V3 },
	[L2TP_AVP_TX_CONNECT_SPEED] = { 4, 4, V2 | V3 },
	[L2TP_AVP_PHYS_CHANNEL_ID] = { 4, 4, V2 | V3 },
	[L2TP_AVP_INITIAL_RCVD_LCP_CONFREQ] = { 0, L2TP_BLOB_MAX, V2 | V3 },
	[L2TP_AVP_LAST_SENT_LCP_CONFREQ] = { 0, L2TP_BLOB_MAX, V2 | V3 },
	[L2TP_AVP_LAST_RCVD_LCP_CONFREQ] = { 0, L2TP_BLOB_MAX, V2 | V3 },
	[L2TP_AVP_PROXY_AUTHEN_TYPE] = { 2, 2, V2 | V3 },
	[L2TP_AVP_PROXY_AUTHEN_NAME] = { 0, ANY, V2 | V3 },
	[L2TP_AVP_PROXY_AUTHEN_CHALLENGE] = { 1, L2TP_BLOB_MAX, V2 | V3 },
	[L2TP_AVP_PROXY_AUTHEN_ID] = { 2, 2, V2 | V3 },
	[L2TP_AVP_PROXY_AUTHEN_RESPONSE] = { 0, L2TP_BLOB_MAX, V2 | V3 },
	[L2TP_AVP_CALL_ERRORS] = { 26, 26, V2 | V3 },          /* 2 reserved + 6 x u32 */
	[L2TP_AVP_ACCM] = { 10, 10, V2 | V3 },                 /* 2 reserved + 2 x u32 */
	[L2TP_AVP_RANDOM_VECTOR] = { 1, L2TP_BLOB_MAX, V2 | V3 },
	[L2TP_AVP_PRIVATE_GROUP_ID] = { 0, L2TP_BLOB_MAX, V2 | V3 },
	[L2TP_AVP_RX_CONNECT_SPEED] = { 4, 4, V2 | V3 },
	[L2TP_AVP_SEQUENCING_REQUIRED] = { 0, 0, V2 | V3 },
	/* RFC 3931 §5.4 */
	[L2TP_AVP_EXTENDED_VENDOR_ID] = { 0, ANY, V3 },     /* skipped */
	[L2TP_AVP_MESSAGE_DIGEST] = { 17, 21, V3 },         /* type + 16 or 20 */
	[L2TP_AVP_ROUTER_ID] = { 4, 4, V3 },
	[L2TP_AVP_ASSIGNED_CCID] = { 4, 4, V3 },
	[L2TP_AVP_PW_CAPS] = { 2, ANY, V3 },                /* even: checked apart */
	[L2TP_AVP_LOCAL_SESSION_ID] = { 4, 4, V3 },
	[L2TP_AVP_REMOTE_SESSION_ID] = { 4, 4, V3 },
	[L2TP_AVP_ASSIGNED_COOKIE] = { 0, ANY, V3 },        /* 0, 4, 8: L2TP_DEC_BAD_COOKIE */
	[L2TP_AVP_REMOTE_END_ID] = { 1, L2TP_BLOB_MAX, V3 },
	[L2TP_AVP_PW_TYPE] = { 2, 2, V3 },
	[L2TP_AVP_L2_SUBLAYER] = { 2, 2, V3 },
	[L2TP_AVP_DATA_SEQUENCING] = { 2, 2, V3 },
	[L2TP_AVP_CIRCUIT_STATUS] = { 2, 2, V3 },
	[L2TP_AVP_PREFERRED_LANGUAGE] = { 0, ANY, V3 },
	[L2TP_AVP_AUTH_NONCE] = { 1, L2TP_BLOB_MAX, V3 },
	[L2TP_AVP_TX_CONNECT_SPEED_V3] = { 8, 8, V3 },
	[L2TP_AVP_RX_CONNECT_SPEED_V3] = { 8, 8, V3 },
};
#undef ANY

/* Types without a rule for this version (20, 40..57, 67, ...) are unknown AVPs. */
static bool avp_known(uint8_t ver_bit, uint16_t vendor, uint16_t type)
{
	return vendor == 0 && type < L2TP_AVP_TYPE_COUNT && (avp_rules[type].vers & ver_bit);
}

static bool avp_len_ok(uint16_t type, size_t len)
{
	/* Blobs are bounded by what struct l2tp_msg can hold without truncation. */
	if (type == L2TP_AVP_RESULT_CODE && len == 3)
		return false;
	return len >= avp_rules[type].min && len <= avp_rules[type].max;
}

static void get_str(struct cursor *c, char *dst, size_t dst_size)
{
	size_t n = cur_left(c);
	const uint8_t *p = cur_take(c, n);

	if (n > dst_size - 1)
		n = dst_size - 1;    /* truncate to fit, documented in the header */
	if (n)
		memcpy(dst, p, n);
	dst[n] = '\0';
}

static void get_blob(struct cursor *c, struct l2tp_blob *b)
{
	size_t n = cur_left(c);      /* <= L2TP_BLOB_MAX by avp_rules */

	b->len = (uint16_t)n;
	if (n)
		memcpy(b->data, cur_take(c, n), n);
}

static void get_challenge(struct cursor *c, struct l2tp_challenge *ch)
{
	size_t n = cur_left(c);      /* <= L2TP_CHALLENGE_MAX: an AVP holds no more */

	ch->len = (uint16_t)n;
	memcpy(ch->data, cur_take(c, n), n);
}

static bool known_error_code(uint16_t e)
{
	return e <= L2TP_ERR_UNKNOWN_MANDATORY_AVP;
}

/*
 * Result Code (§4.4.2): result (2), optional error code (2), optional message.
 * Quirks accepted: MikroTik sends only the result (value length 2); Apple sends
 * the error code in little-endian order, so an error code >= 256 whose byte
 * swap is a defined code (0..8) is taken swapped. Not for StopCCN result 5
 * (unsupported version), whose error code is a version: 0x0100 means 1.0.
 */
static void get_result(struct cursor *c, struct l2tp_msg *m)
{
	m->result_code = cur_u16(c);
	if (cur_left(c) >= 2) {
		m->error_code = cur_u16(c);
		m->has_error_code = true;
		bool is_version = m->type == L2TP_MSG_STOPCCN &&
				  m->result_code == L2TP_STOPCCN_BAD_VERSION;
		if (!is_version && m->error_code >= 256 &&
		    known_error_code(bswap16(m->error_code)))
			m->error_code = bswap16(m->error_code);
	}
	get_str(c, m->error_msg, sizeof(m->error_msg));
}

/* Store one vendor-0 AVP value of a known type; its length was checked. */
static void avp_store(struct l2tp_msg *m, uint16_t type, struct cursor *c)
{
	switch ((enum l2tp_avp_type)type) {
	case L2TP_AVP_MESSAGE_TYPE:       /* only valid first; ignored elsewhere */
	case L2TP_AVP_RESERVED20:
	case L2TP_AVP_SEQUENCING_REQUIRED:
	case L2TP_AVP_V2_TYPE_COUNT:
	case L2TP_AVP_EXTENDED_VENDOR_ID:
	case L2TP_AVP_RESERVED67:
	case L2TP_AVP_TYPE_COUNT:
		break;
	case L2TP_AVP_MESSAGE_DIGEST:
		m->digest_type = cur_u8(c);
		m->digest_len = (uint8_t)cur_left(c);     /* 16 or 20 by avp_rules */
		memcpy(m->digest, cur_take(c, m->digest_len), m->digest_len);
		break;
	case L2TP_AVP_ROUTER_ID:
		m->router_id = cur_u32(c);
		break;
	case L2TP_AVP_ASSIGNED_CCID:
		m->assigned_ccid = cur_u32(c);
		break;
	case L2TP_AVP_PW_CAPS:
		m->n_pw_caps = 0;
		while (cur_left(c) >= 2) {
			uint16_t pw = cur_u16(c);

			if (m->n_pw_caps < L2TP_PW_CAPS_MAX)
				m->pw_caps[m->n_pw_caps] = pw;
			m->n_pw_caps++;
		}
		break;
	case L2TP_AVP_LOCAL_SESSION_ID:
		m->local_session_id = cur_u32(c);
		break;
	case L2TP_AVP_REMOTE_SESSION_ID:
		m->remote_session_id = cur_u32(c);
		break;
	case L2TP_AVP_ASSIGNED_COOKIE:
		m->cookie_len = (uint8_t)cur_left(c);     /* 0, 4 or 8: checked before */
		if (m->cookie_len)
			memcpy(m->cookie, cur_take(c, m->cookie_len), m->cookie_len);
		break;
	case L2TP_AVP_REMOTE_END_ID:
		get_blob(c, &m->remote_end_id);
		break;
	case L2TP_AVP_PW_TYPE:
		m->pw_type = cur_u16(c);
		break;
	case L2TP_AVP_L2_SUBLAYER:
		m->l2_sublayer = cur_u16(c);
		break;
	case L2TP_AVP_DATA_SEQUENCING:
		m->data_sequencing = cur_u16(c);
		break;
	case L2TP_AVP_CIRCUIT_STATUS:
		m->circuit_status = cur_u16(c);
		break;
	case L2TP_AVP_PREFERRED_LANGUAGE:
		get_str(c, m->preferred_language, sizeof(m->preferred_language));
		break;
	case L2TP_AVP_AUTH_NONCE:
		get_blob(c, &m->auth_nonce);
		break;
	case L2TP_AVP_TX_CONNECT_SPEED_V3:
		m->tx_speed = (uint64_t)cur_u32(c) << 32;
		m->tx_speed |= cur_u32(c);
		break;
	case L2TP_AVP_RX_CONNECT_SPEED_V3:
		m->rx_speed = (uint64_t)cur_u32(c) << 32;
		m->rx_speed |= cur_u32(c);
		break;
	case L2TP_AVP_RESULT_CODE:
		get_result(c, m);
		break;
	case L2TP_AVP_PROTOCOL_VERSION:
		m->protocol_version = cur_u8(c);
		m->protocol_revision = cur_u8(c);
		break;
	case L2TP_AVP_FRAMING_CAPS:
		m->framing_caps = cur_u32(c);
		break;
	case L2TP_AVP_BEARER_CAPS:
		m->bearer_caps = cur_u32(c);
		break;
	case L2TP_AVP_TIE_BREAKER:
		memcpy(m->tie_breaker, cur_take(c, 8), 8);
		break;
	case L2TP_AVP_FIRMWARE_REV:
		m->firmware_rev = cur_u16(c);
		break;
	case L2TP_AVP_HOST_NAME:
		get_str(c, m->host_name, sizeof(m->host_name));
		break;
	case L2TP_AVP_VENDOR_NAME:
		get_str(c, m->vendor_name, sizeof(m->vendor_name));
		break;
	case L2TP_AVP_ASSIGNED_TUNNEL_ID:
		m->assigned_tunnel_id = cur_u16(c);
		break;
	case L2TP_AVP_RECV_WINDOW_SIZE:
		m->rx_window = cur_u16(c);
		break;
	case L2TP_AVP_CHALLENGE:
		get_challenge(c, &m->challenge);
		break;
	case L2TP_AVP_Q931_CAUSE:
		m->q931_cause = cur_u16(c);
		m->q931_msg = cur_u8(c);
		get_str(c, m->q931_advisory, sizeof(m->q931_advisory));
		break;
	case L2TP_AVP_CHALLENGE_RESPONSE:
		memcpy(m->challenge_response, cur_take(c, 16), 16);
		break;
	case L2TP_AVP_ASSIGNED_SESSION_ID:
		m->assigned_session_id = cur_u16(c);
		break;
	case L2TP_AVP_CALL_SERIAL:
		m->call_serial = cur_u32(c);
		break;
	case L2TP_AVP_MIN_BPS:
		m->min_bps = cur_u32(c);
		break;
	case L2TP_AVP_MAX_BPS:
		m->max_bps = cur_u32(c);
		break;
	case L2TP_AVP_BEARER_TYPE:
		m->bearer_type = cur_u32(c);
		break;
	case L2TP_AVP_FRAMING_TYPE:
		m->framing_type = cur_u32(c);
		break;
	case L2TP_AVP_CALLED_NUMBER:
		get_str(c, m->called_number, sizeof(m->called_number));
		break;
	case L2TP_AVP_CALLING_NUMBER:
		get_str(c, m->calling_number, sizeof(m->calling_number));
		break;
	case L2TP_AVP_SUB_ADDRESS:
		get_str(c, m->sub_address, sizeof(m->sub_address));
		break;
	case L2TP_AVP_TX_CONNECT_SPEED:
		m->tx_connect_speed = cur_u32(c);
		break;
	case L2TP_AVP_PHYS_CHANNEL_ID:
		m->phys_channel_id = cur_u32(c);
		break;
	case L2TP_AVP_INITIAL_RCVD_LCP_CONFREQ:
		get_blob(c, &m->initial_rcvd_lcp_confreq);
		break;
	case L2TP_AVP_LAST_SENT_LCP_CONFREQ:
		get_blob(c, &m->last_sent_lcp_confreq);
		break;
	case L2TP_AVP_LAST_RCVD_LCP_CONFREQ:
		get_blob(c, &m->last_rcvd_lcp_confreq);
		break;
	case L2TP_AVP_PROXY_AUTHEN_TYPE:
		m->proxy_authen_type = cur_u16(c);
		break;
	case L2TP_AVP_PROXY_AUTHEN_NAME:
		get_str(c, m->proxy_authen_name, sizeof(m->proxy_authen_name));
		break;
	case L2TP_AVP_PROXY_AUTHEN_CHALLENGE:
		get_blob(c, &m->proxy_authen_challenge);
		break;
	case L2TP_AVP_PROXY_AUTHEN_ID:
		m->proxy_authen_id = cur_u16(c);
		break;
	case L2TP_AVP_PROXY_AUTHEN_RESPONSE:
		get_blob(c, &m->proxy_authen_response);
		break;
	case L2TP_AVP_CALL_ERRORS:
		cur_u16(c);         /* reserved */
		m->call_errors.crc = cur_u32(c);
		m->call_errors.framing = cur_u32(c);
		m->call_errors.hw_overruns = cur_u32(c);
		m->call_errors.buf_overruns = cur_u32(c);
		m->call_errors.timeout = cur_u32(c);
		m->call_errors.alignment = cur_u32(c);
		break;
	case L2TP_AVP_ACCM:
		cur_u16(c);         /* reserved */
		m->accm_send = cur_u32(c);
		m->accm_recv = cur_u32(c);
		break;
	case L2TP_AVP_RANDOM_VECTOR:
		get_blob(c, &m->random_vector);
		break;
	case L2TP_AVP_PRIVATE_GROUP_ID:
		get_blob(c, &m->private_group_id);
		break;
	case L2TP_AVP_RX_CONNECT_SPEED:
		m->rx_connect_speed = cur_u32(c);
		break;
	}
}

/* ---- mandatory AVPs per message type (RFC 2661 §6, RFC 3931 §6) --------- */

/* A set of vendor-0 AVP types 0..127 (v3 types reach 75). */
struct avp_set {
	uint64_t lo, hi;
};

#define B(t) (UINT64_C(1) << (t))
#define H(t) (UINT64_C(1) << ((t) - 64))
static const struct avp_set v2_mandatory[L2TP_MSG_TYPE_COUNT] = {
	[L2TP_MSG_SCCRQ] = { B(L2TP_AVP_PROTOCOL_VERSION) | B(L2TP_AVP_HOST_NAME) |
			     B(L2TP_AVP_FRAMING_CAPS) | B(L2TP_AVP_ASSIGNED_TUNNEL_ID), 0 },
	[L2TP_MSG_SCCRP] = { B(L2TP_AVP_PROTOCOL_VERSION) | B(L2TP_AVP_HOST_NAME) |
			     B(L2TP_AVP_FRAMING_CAPS) | B(L2TP_AVP_ASSIGNED_TUNNEL_ID), 0 },
	[L2TP_MSG_STOPCCN] = { B(L2TP_AVP_ASSIGNED_TUNNEL_ID) | B(L2TP_AVP_RESULT_CODE), 0 },
	[L2TP_MSG_OCRQ] = { B(L2TP_AVP_ASSIGNED_SESSION_ID) | B(L2TP_AVP_CALL_SERIAL) |
			    B(L2TP_AVP_MIN_BPS) | B(L2TP_AVP_MAX_BPS) | B(L2TP_AVP_BEARER_TYPE) |
			    B(L2TP_AVP_FRAMING_TYPE) | B(L2TP_AVP_CALLED_NUMBER), 0 },
	[L2TP_MSG_OCRP] = { B(L2TP_AVP_ASSIGNED_SESSION_ID), 0 },
	[L2TP_MSG_OCCN] = { B(L2TP_AVP_TX_CONNECT_SPEED) | B(L2TP_AVP_FRAMING_TYPE), 0 },
	[L2TP_MSG_ICRQ] = { B(L2TP_AVP_ASSIGNED_SESSION_ID) | B(L2TP_AVP_CALL_SERIAL), 0 },
	[L2TP_MSG_ICRP] = { B(L2TP_AVP_ASSIGNED_SESSION_ID), 0 },
	[L2TP_MSG_ICCN] = { B(L2TP_AVP_TX_CONNECT_SPEED) | B(L2TP_AVP_FRAMING_TYPE), 0 },
	[L2TP_MSG_CDN] = { B(L2TP_AVP_RESULT_CODE) | B(L2TP_AVP_ASSIGNED_SESSION_ID), 0 },
	[L2TP_MSG_WEN] = { B(L2TP_AVP_CALL_ERRORS), 0 },
	[L2TP_MSG_SLI] = { B(L2TP_AVP_ACCM), 0 },
};

/*
 * RFC 3931 §6: a v3 session message names its session by the Local and
 * Remote Session ID AVPs (the header has no Session ID); the Remote Session
 * ID is 0 in an ICRQ/OCRQ, whose sender does not know ours yet.
 */
#define SIDS (B(L2TP_AVP_LOCAL_SESSION_ID)), (H(L2TP_AVP_REMOTE_SESSION_ID))
static const struct avp_set v3_mandatory[L2TP_MSG_V3_TYPE_COUNT] = {
	[L2TP_MSG_SCCRQ] = { B(L2TP_AVP_HOST_NAME) | B(L2TP_AVP_ROUTER_ID) |
			     B(L2TP_AVP_ASSIGNED_CCID) | B(L2TP_AVP_PW_CAPS), 0 },
	[L2TP_MSG_SCCRP] = { B(L2TP_AVP_HOST_NAME) | B(L2TP_AVP_ROUTER_ID) |
			     B(L2TP_AVP_ASSIGNED_CCID) | B(L2TP_AVP_PW_CAPS), 0 },
	[L2TP_MSG_STOPCCN] = { B(L2TP_AVP_RESULT_CODE), 0 },
	[L2TP_MSG_ICRQ] = { B(L2TP_AVP_LOCAL_SESSION_ID) | B(L2TP_AVP_CALL_SERIAL),
			    H(L2TP_AVP_REMOTE_SESSION_ID) | H(L2TP_AVP_PW_TYPE) },
	[L2TP_MSG_OCRQ] = { B(L2TP_AVP_LOCAL_SESSION_ID) | B(L2TP_AVP_CALL_SERIAL),
			    H(L2TP_AVP_REMOTE_SESSION_ID) | H(L2TP_AVP_PW_TYPE) },
	[L2TP_MSG_ICRP] = { SIDS },
	[L2TP_MSG_OCRP] = { SIDS },
	[L2TP_MSG_ICCN] = { SIDS },
	[L2TP_MSG_OCCN] = { SIDS },
	[L2TP_MSG_CDN] = { B(L2TP_AVP_RESULT_CODE) | B(L2TP_AVP_LOCAL_SESSION_ID),
			   H(L2TP_AVP_REMOTE_SESSION_ID) },
	[L2TP_MSG_WEN] = { B(L2TP_AVP_LOCAL_SESSION_ID) | B(L2TP_AVP_CALL_ERRORS),
			   H(L2TP_AVP_REMOTE_SESSION_ID) },
	[L2TP_MSG_SLI] = { SIDS },
};
#undef SIDS
#undef H
#undef B

/* What differs between the versions for the decoder. */
struct codec_ver {
	uint8_t version, bit;               /* 2 or 3; V2 or V3 */
	uint16_t type_count;                /* bound of known message types */
	const struct avp_set *mandatory;
};

static const struct codec_ver ver2 = { L2TP_VERSION, V2, L2TP_MSG_TYPE_COUNT, v2_mandatory };
static const struct codec_ver ver3 = { L2TP_VERSION3, V3, L2TP_MSG_V3_TYPE_COUNT, v3_mandatory };

static bool msg_type_known(const struct codec_ver *v, uint16_t t)
{
	if (t == L2TP_MSG_ACK)
		return v->version == L2TP_VERSION3;
	return t > L2TP_MSG_ZLB && t < L2TP_MSG_TYPE_COUNT &&
	       t != L2TP_MSG_RESERVED5 && t != L2TP_MSG_RESERVED13;
}

static void set_present(struct l2tp_msg *m, uint16_t t)
{
	if (t >= 64)
		m->present_hi |= UINT64_C(1) << (t - 64);
	else
		m->present |= UINT64_C(1) << t;
}

/* ---- message decoder (RFC 2661 §4.1, RFC 3931 §5.1) --------------------- */

struct avp_hdr {
	bool mand, hidden, reserved;
	uint16_t vendor, type;
	size_t vlen;                 /* value length, before unhiding */
};

static enum l2tp_decode_err avp_hdr_read(struct cursor *c, struct avp_hdr *a)
{
	uint16_t w;
	size_t total;

	if (cur_left(c) < L2TP_AVP_HDR_LEN)
		return L2TP_DEC_AVP_SHORT;
	w = cur_u16(c);
	total = w & L2TP_AVP_LEN_MASK;
	if (total < L2TP_AVP_HDR_LEN || total - 2 > cur_left(c))
		return L2TP_DEC_AVP_SHORT;
	a->mand = w & L2TP_AVP_M;
	a->hidden = w & L2TP_AVP_H;
	a->reserved = w & L2TP_AVP_RSVD;
	a->vendor = cur_u16(c);
	a->type = cur_u16(c);
	a->vlen = total - L2TP_AVP_HDR_LEN;
	return L2TP_DEC_OK;
}

/*
 * Unhide a hidden AVP value into buf (§4.3), network-order type first, then
 * the byte-swapped type (xl2tpd, docs/design.md §6.1) when the length does not fit
 * or the value has a length its AVP format forbids.
 */
static enum l2tp_decode_err avp_unhide_value(const struct avp_hdr *a, const uint8_t *v,
					     const uint8_t *secret, size_t secret_len,
					     const struct l2tp_blob *rv, uint8_t *buf,
					     size_t *out_len)
{
	bool net_fits = false;

	if (rv->len == 0)
		return L2TP_DEC_HIDDEN_NO_RV;
	if (!secret || secret_len == 0)
		return L2TP_DEC_HIDDEN_NO_SECRET;
	if (l2tp_avp_unhide(a->type, false, secret, secret_len, rv->data, rv->len,
			    v, a->vlen, buf, out_len) == 0) {
		if (avp_len_ok(a->type, *out_len))
			return L2TP_DEC_OK;
		net_fits = true;
	}
	if (l2tp_avp_unhide(a->type, true, secret, secret_len, rv->data, rv->len,
			    v, a->vlen, buf, out_len) == 0 &&
	    (!net_fits || avp_len_ok(a->type, *out_len)))
		return L2TP_DEC_OK;
	/* Neither is better: keep the RFC reading, its length is refused later. */
	if (net_fits) {
		l2tp_avp_unhide(a->type, false, secret, secret_len, rv->data, rv->len,
				v, a->vlen, buf, out_len);
		return L2TP_DEC_OK;
	}
	return L2TP_DEC_HIDDEN_BAD;
}

/* Decoding state beside the message: the version and, for v3, the digest. */
struct dec_ctx {
	const struct codec_ver *v;
	const uint8_t *secret;
	size_t secret_len;
	size_t digest_off;           /* offset of the digest value in the packet, 0 for none */
	unsigned n_avps;             /* AVPs read after Message Type */
};

/* v3 value checks beyond the length table (RFC 3931 §5.4). */
static enum l2tp_decode_err avp_v3_check(const struct dec_ctx *x, const struct l2tp_msg *m,
					 uint16_t type, size_t vlen)
{
	switch (type) {
	case L2TP_AVP_ASSIGNED_COOKIE:
		if (vlen != 0 && vlen != 4 && vlen != 8)
			return L2TP_DEC_BAD_COOKIE;
		break;
	case L2TP_AVP_PW_CAPS:
		if (vlen % 2)
			return L2TP_DEC_BAD_AVP_LEN;
		break;
	case L2TP_AVP_MESSAGE_DIGEST:
		/* §5.4.1: immediately after Message Type, once. */
		if (x->n_avps != 1 || l2tp_msg_has(m, L2TP_AVP_MESSAGE_DIGEST))
			return L2TP_DEC_BAD_DIGEST;
		break;
	default:
		break;
	}
	return L2TP_DEC_OK;
}

/*
 * Decode the AVP list after the Message Type AVP. Hard errors stop at once;
 * an unknown mandatory AVP (or one with reserved bits, which §4.1 says to treat
 * as unrecognised) is remembered in *deferred and decoding goes on, so that the
 * caller learns the assigned IDs it needs for StopCCN/CDN.
 */
static enum l2tp_decode_err avps_decode(struct cursor *c, struct dec_ctx *x, struct l2tp_msg *m,
					enum l2tp_decode_err *deferred)
{
	uint8_t buf[L2TP_AVP_MAX_LEN];
	struct avp_hdr a;
	struct cursor vc;
	enum l2tp_decode_err e;
	const uint8_t *v;
	size_t vlen, voff;

	while (cur_left(c) > 0) {
		e = avp_hdr_read(c, &a);
		if (e != L2TP_DEC_OK)
			return e;
		x->n_avps++;
		voff = c->off;
		v = cur_take(c, a.vlen);
		if (a.reserved || !avp_known(x->v->bit, a.vendor, a.type)) {
			if (!a.mand) {
				m->skipped_avps++;
				continue;
			}
			if (*deferred == L2TP_DEC_OK) {
				*deferred = a.reserved ? L2TP_DEC_AVP_RESERVED
						       : L2TP_DEC_UNKNOWN_MANDATORY;
				m->unknown_vendor = a.vendor;
				m->unknown_type = a.type;
			}
			continue;
		}
		vlen = a.vlen;
		if (a.hidden) {
			/* §4.3: Message Type and Random Vector are never hidden; nor is the
			 * Message Digest (RFC 3931 §5.4.1), which is computed over the wire. */
			if (a.type == L2TP_AVP_RANDOM_VECTOR || a.type == L2TP_AVP_MESSAGE_TYPE ||
			    a.type == L2TP_AVP_MESSAGE_DIGEST)
				return L2TP_DEC_HIDDEN_BAD;
			e = avp_unhide_value(&a, v, x->secret, x->secret_len, &m->random_vector,
					     buf, &vlen);
			if (e != L2TP_DEC_OK)
				return e;
			v = buf;
			if (a.type < 64)
				m->hidden |= UINT64_C(1) << a.type;
		}
		if (!avp_len_ok(a.type, vlen))
			return L2TP_DEC_BAD_AVP_LEN;
		if (x->v->version == L2TP_VERSION3) {
			e = avp_v3_check(x, m, a.type, vlen);
			if (e != L2TP_DEC_OK)
				return e;
			if (a.type == L2TP_AVP_MESSAGE_DIGEST)
				x->digest_off = voff + 1;     /* after the Digest Type octet */
		}
		cur_init(&vc, v, vlen);
		avp_store(m, a.type, &vc);
		set_present(m, a.type);
	}
	return L2TP_DEC_OK;
}

/*
 * The part both versions share once the header is read: ZLB, the Message
 * Type AVP first (§4.4.1: 8 bytes, never hidden), the AVP walk, known
 * message type, deferred unknown AVPs, mandatory AVPs.
 */
static enum l2tp_decode_err msg_body_decode(const uint8_t *pkt, struct dec_ctx *x,
					    struct l2tp_msg *m)
{
	enum l2tp_decode_err e, deferred = L2TP_DEC_OK;
	const struct avp_set *need;
	struct cursor c;
	struct avp_hdr a;
	uint64_t lo, hi;

	cur_init(&c, pkt, m->hdr.ctrl_off + m->hdr.length);  /* trailing bytes ignored */
	cur_take(&c, m->hdr.payload_off);
	if (cur_left(&c) == 0) {
		m->type = L2TP_MSG_ZLB;      /* §5.8: ZLB acknowledgement */
		return L2TP_DEC_OK;
	}
	e = avp_hdr_read(&c, &a);
	if (e != L2TP_DEC_OK)
		return e;
	if (a.vendor != 0 || a.type != L2TP_AVP_MESSAGE_TYPE || a.hidden)
		return L2TP_DEC_NO_MSG_TYPE;
	if (a.reserved)
		return L2TP_DEC_AVP_RESERVED;
	if (!avp_len_ok(L2TP_AVP_MESSAGE_TYPE, a.vlen))
		return L2TP_DEC_BAD_AVP_LEN;
	m->type = cur_u16(&c);
	m->type_mandatory = a.mand;
	m->present |= UINT64_C(1) << L2TP_AVP_MESSAGE_TYPE;

	e = avps_decode(&c, x, m, &deferred);
	if (e != L2TP_DEC_OK)
		return e;
	/* §3.2: the caller clears the tunnel if type_mandatory, else ignores it. */
	if (!msg_type_known(x->v, m->type))
		return L2TP_DEC_UNKNOWN_MSG_TYPE;
	if (deferred != L2TP_DEC_OK)
		return deferred;
	need = m->type < x->v->type_count ? &x->v->mandatory[m->type] : NULL;
	lo = need ? need->lo & ~m->present : 0;
	hi = need ? need->hi & ~m->present_hi : 0;
	if (lo) {
		m->missing_avp = (uint16_t)__builtin_ctzll(lo);
		return L2TP_DEC_MISSING_AVP;
	}
	if (hi) {
		m->missing_avp = (uint16_t)(64 + __builtin_ctzll(hi));
		return L2TP_DEC_MISSING_AVP;
	}
	return L2TP_DEC_OK;
}

enum l2tp_decode_err l2tp_msg_decode(const uint8_t *pkt, size_t len,
				     const uint8_t *secret, size_t secret_len,
				     struct l2tp_msg *m)
{
	struct dec_ctx x = { .v = &ver2, .secret = secret, .secret_len = secret_len };
	enum l2tp_decode_err e;

	memset(m, 0, sizeof(*m));
	e = l2tp_hdr_decode(pkt, len, &m->hdr);
	if (e != L2TP_DEC_OK)
		return e;
	if (!m->hdr.is_ctrl)
		return L2TP_DEC_CTRL_FLAGS;
	return msg_body_decode(pkt, &x, m);
}

/* ---- L2TPv3 (RFC 3931) --------------------------------------------------- */

enum l2tp_decode_err l2tp_v3_hdr_decode(const uint8_t *pkt, size_t len, enum l2tp_encap encap,
					struct l2tp_hdr *h)
{
	struct cursor c;

	memset(h, 0, sizeof(*h));
	cur_init(&c, pkt, len);
	if (encap == L2TP_ENCAP_IP) {
		/* §4.1.1.2: Session ID 0 marks a control message. */
		h->session_id = cur_u32(&c);
		if (c.err)
			return L2TP_DEC_SHORT;
		if (h->session_id != 0) {
			h->version = L2TP_VERSION3;
			h->payload_off = c.off;
			return L2TP_DEC_OK;
		}
		h->ctrl_off = c.off;
	}
	h->flags = cur_u16(&c);
	if (c.err)
		return L2TP_DEC_SHORT;
	h->is_ctrl = h->flags & L2TP_HDR_T;
	h->has_len = h->flags & L2TP_HDR_L;
	h->has_seq = h->flags & L2TP_HDR_S;
	h->version = h->flags & L2TP_HDR_VER_MASK;
	if (h->version != L2TP_VERSION3)
		return L2TP_DEC_BAD_VERSION;
	if (!h->is_ctrl) {
		if (encap == L2TP_ENCAP_IP)         /* a zero Session ID is control only */
			return L2TP_DEC_CTRL_FLAGS;
		/* §4.1.2.1: flags, 16 reserved bits, Session ID. */
		cur_u16(&c);
		h->session_id = cur_u32(&c);
		if (c.err)
			return L2TP_DEC_SHORT;
		if (h->session_id == 0)
			return L2TP_DEC_BAD_ID;
		h->payload_off = c.off;
		return L2TP_DEC_OK;
	}
	/* §3.2.1: T, L and S are 1 in a control message; the x bits are ignored. */
	if (!h->has_len || !h->has_seq)
		return L2TP_DEC_CTRL_FLAGS;
	h->length = cur_u16(&c);
	h->tunnel_id = cur_u32(&c);
	h->ns = cur_u16(&c);
	h->nr = cur_u16(&c);
	if (c.err)
		return L2TP_DEC_SHORT;
	h->payload_off = c.off;
	if (h->length > len - h->ctrl_off || h->length < h->payload_off - h->ctrl_off)
		return L2TP_DEC_LENGTH_MISMATCH;
	return L2TP_DEC_OK;
}

enum l2tp_decode_err l2tp_v3_msg_decode(const uint8_t *pkt, size_t len, enum l2tp_encap encap,
					const struct l2tp_v3_auth *auth, struct l2tp_msg *m)
{
	struct dec_ctx x = { .v = &ver3 };
	enum l2tp_decode_err e, e2;

	memset(m, 0, sizeof(*m));
	if (auth) {
		x.secret = auth->secret;
		x.secret_len = auth->secret_len;
	}
	e = l2tp_v3_hdr_decode(pkt, len, encap, &m->hdr);
	if (e != L2TP_DEC_OK)
		return e;
	if (!m->hdr.is_ctrl)
		return L2TP_DEC_CTRL_FLAGS;
	e = msg_body_decode(pkt, &x, m);
	/* What code shared with v2 reads: the peer's control connection and session IDs. */
	m->assigned_tunnel_id = m->assigned_ccid;
	m->assigned_session_id = m->local_session_id;
	/* A message that fails authentication says nothing else worth trusting. */
	if (e == L2TP_DEC_OK || e == L2TP_DEC_UNKNOWN_MANDATORY || e == L2TP_DEC_MISSING_AVP ||
	    e == L2TP_DEC_AVP_RESERVED || e == L2TP_DEC_UNKNOWN_MSG_TYPE) {
		e2 = l2tp_v3_check_digest(pkt, x.digest_off, auth, m);
		if (e2 != L2TP_DEC_OK)
			return e2;
	}
	if (e != L2TP_DEC_OK)
		return e;
	return l2tp_v3_check_ids(m);
}

/* ---- names ------------------------------------------------------------- */

const char *l2tp_decode_err_str(enum l2tp_decode_err e)
{
	switch (e) {
	case L2TP_DEC_OK: return "ok";
	case L2TP_DEC_SHORT: return "short packet";
	case L2TP_DEC_BAD_VERSION: return "bad version";
	case L2TP_DEC_CTRL_FLAGS: return "bad control header flags";
	case L2TP_DEC_LENGTH_MISMATCH: return "length mismatch";
	case L2TP_DEC_AVP_SHORT: return "truncated AVP";
	case L2TP_DEC_AVP_RESERVED: return "AVP reserved bits set";
	case L2TP_DEC_NO_MSG_TYPE: return "no message type AVP";
	case L2TP_DEC_BAD_AVP_LEN: return "bad AVP length";
	case L2TP_DEC_HIDDEN_NO_RV: return "hidden AVP without random vector";
	case L2TP_DEC_HIDDEN_NO_SECRET: return "hidden AVP without secret";
	case L2TP_DEC_HIDDEN_BAD: return "bad hidden AVP";
	case L2TP_DEC_UNKNOWN_MANDATORY: return "unknown mandatory AVP";
	case L2TP_DEC_MISSING_AVP: return "missing mandatory AVP";
	case L2TP_DEC_UNKNOWN_MSG_TYPE: return "unknown message type";
	case L2TP_DEC_BAD_ID: return "zero ID";
	case L2TP_DEC_BAD_COOKIE: return "bad cookie length";
	case L2TP_DEC_NO_DIGEST: return "no message digest";
	case L2TP_DEC_BAD_DIGEST: return "bad message digest";
	case L2TP_DEC_ERR_COUNT: break;
	}
	return "unknown decode error";
}

bool l2tp_msg_is_session_scope(uint16_t type)
{
	switch (type) {
	case L2TP_MSG_OCRQ:
	case L2TP_MSG_OCRP:
	case L2TP_MSG_OCCN:
	case L2TP_MSG_ICRQ:
	case L2TP_MSG_ICRP:
	case L2TP_MSG_ICCN:
	case L2TP_MSG_CDN:
	case L2TP_MSG_WEN:
	case L2TP_MSG_SLI:
		return true;
	default:
		return false;
	}
}

static const char *const msg_names[L2TP_MSG_V3_TYPE_COUNT] = {
	[L2TP_MSG_ZLB] = "ZLB", [L2TP_MSG_SCCRQ] = "SCCRQ", [L2TP_MSG_SCCRP] = "SCCRP",
	[L2TP_MSG_SCCCN] = "SCCCN", [L2TP_MSG_STOPCCN] = "StopCCN",
	[L2TP_MSG_HELLO] = "HELLO", [L2TP_MSG_OCRQ] = "OCRQ", [L2TP_MSG_OCRP] = "OCRP",
	[L2TP_MSG_OCCN] = "OCCN", [L2TP_MSG_ICRQ] = "ICRQ", [L2TP_MSG_ICRP] = "ICRP",
	[L2TP_MSG_ICCN] = "ICCN", [L2TP_MSG_CDN] = "CDN", [L2TP_MSG_WEN] = "WEN",
	[L2TP_MSG_SLI] = "SLI", [L2TP_MSG_ACK] = "ACK",
};

const char *l2tp_msg_type_str(uint16_t type)
{
	if (type < L2TP_MSG_V3_TYPE_COUNT && msg_names[type])
		return msg_names[type];
	return "unknown";
}

static const char *const avp_names[L2TP_AVP_TYPE_COUNT] = {
	[L2TP_AVP_MESSAGE_TYPE] = "Message Type",
	[L2TP_AVP_RESULT_CODE] = "Result Code",
	[L2TP_AVP_PROTOCOL_VERSION] = "Protocol Version",
	[L2TP_AVP_FRAMING_CAPS] = "Framing Capabilities",
	[L2TP_AVP_BEARER_CAPS] = "Bearer Capabilities",
	[L2TP_AVP_TIE_BREAKER] = "Tie Breaker",
	[L2TP_AVP_FIRMWARE_REV] = "Firmware Revision",
	[L2TP_AVP_HOST_NAME] = "Host Name",
	[L2TP_AVP_VENDOR_NAME] = "Vendor Name",
	[L2TP_AVP_ASSIGNED_TUNNEL_ID] = "Assigned Tunnel ID",
	[L2TP_AVP_RECV_WINDOW_SIZE] = "Receive Window Size",
	[L2TP_AVP_CHALLENGE] = "Challenge",
	[L2TP_AVP_Q931_CAUSE] = "Q.931 Cause Code",
	[L2TP_AVP_CHALLENGE_RESPONSE] = "Challenge Response",
	[L2TP_AVP_ASSIGNED_SESSION_ID] = "Assigned Session ID",
	[L2TP_AVP_CALL_SERIAL] = "Call Serial Number",
	[L2TP_AVP_MIN_BPS] = "Minimum BPS",
	[L2TP_AVP_MAX_BPS] = "Maximum BPS",
	[L2TP_AVP_BEARER_TYPE] = "Bearer Type",
	[L2TP_AVP_FRAMING_TYPE] = "Framing Type",
	[L2TP_AVP_CALLED_NUMBER] = "Called Number",
	[L2TP_AVP_CALLING_NUMBER] = "Calling Number",
	[L2TP_AVP_SUB_ADDRESS] = "Sub-Address",
	[L2TP_AVP_TX_CONNECT_SPEED] = "(Tx) Connect Speed",
	[L2TP_AVP_PHYS_CHANNEL_ID] = "Physical Channel ID",
	[L2TP_AVP_INITIAL_RCVD_LCP_CONFREQ] = "Initial Received LCP CONFREQ",
	[L2TP_AVP_LAST_SENT_LCP_CONFREQ] = "Last Sent LCP CONFREQ",
	[L2TP_AVP_LAST_RCVD_LCP_CONFREQ] = "Last Received LCP CONFREQ",
	[L2TP_AVP_PROXY_AUTHEN_TYPE] = "Proxy Authen Type",
	[L2TP_AVP_PROXY_AUTHEN_NAME] = "Proxy Authen Name",
	[L2TP_AVP_PROXY_AUTHEN_CHALLENGE] = "Proxy Authen Challenge",
	[L2TP_AVP_PROXY_AUTHEN_ID] = "Proxy Authen ID",
	[L2TP_AVP_PROXY_AUTHEN_RESPONSE] = "Proxy Authen Response",
	[L2TP_AVP_CALL_ERRORS] = "Call Errors",
	[L2TP_AVP_ACCM] = "ACCM",
	[L2TP_AVP_RANDOM_VECTOR] = "Random Vector",
	[L2TP_AVP_PRIVATE_GROUP_ID] = "Private Group ID",
	[L2TP_AVP_RX_CONNECT_SPEED] = "Rx Connect Speed",
	[L2TP_AVP_SEQUENCING_REQUIRED] = "Sequencing Required",
	[L2TP_AVP_EXTENDED_VENDOR_ID] = "Extended Vendor ID",
	[L2TP_AVP_MESSAGE_DIGEST] = "Message Digest",
	[L2TP_AVP_ROUTER_ID] = "Router ID",
	[L2TP_AVP_ASSIGNED_CCID] = "Assigned Control Connection ID",
	[L2TP_AVP_PW_CAPS] = "Pseudowire Capabilities List",
	[L2TP_AVP_LOCAL_SESSION_ID] = "Local Session ID",
	[L2TP_AVP_REMOTE_SESSION_ID] = "Remote Session ID",
	[L2TP_AVP_ASSIGNED_COOKIE] = "Assigned Cookie",
	[L2TP_AVP_REMOTE_END_ID] = "Remote End ID",
	[L2TP_AVP_PW_TYPE] = "Pseudowire Type",
	[L2TP_AVP_L2_SUBLAYER] = "L2-Specific Sublayer",
	[L2TP_AVP_DATA_SEQUENCING] = "Data Sequencing",
	[L2TP_AVP_CIRCUIT_STATUS] = "Circuit Status",
	[L2TP_AVP_PREFERRED_LANGUAGE] = "Preferred Language",
	[L2TP_AVP_AUTH_NONCE] = "Control Message Authentication Nonce",
	[L2TP_AVP_TX_CONNECT_SPEED_V3] = "Tx Connect Speed",
	[L2TP_AVP_RX_CONNECT_SPEED_V3] = "Rx Connect Speed",
};

const char *l2tp_avp_type_str(uint16_t type)
{
	if (type < L2TP_AVP_TYPE_COUNT && avp_names[type])
		return avp_names[type];
	return "unknown";
}

/* Result code texts, RFC 2661 §4.4.2. */
static const char *const stopccn_results[] = {
	[L2TP_STOPCCN_RESERVED] = "reserved",
	[L2TP_STOPCCN_CLEAR] = "general request to clear control connection",
	[L2TP_STOPCCN_GENERAL_ERROR] = "general error",
	[L2TP_STOPCCN_ALREADY_EXISTS] = "control channel already exists",
	[L2TP_STOPCCN_NOT_AUTHORIZED] = "requester is not authorized",
	[L2TP_STOPCCN_BAD_VERSION] = "protocol version not supported",
	[L2TP_STOPCCN_SHUTTING_DOWN] = "requester is being shut down",
	[L2TP_STOPCCN_FSM_ERROR] = "finite state machine error",
};

static const char *const cdn_results[] = {
	[L2TP_CDN_RESERVED] = "reserved",
	[L2TP_CDN_LOST_CARRIER] = "lost carrier",
	[L2TP_CDN_GENERAL_ERROR] = "general error",
	[L2TP_CDN_ADMIN] = "administrative",
	[L2TP_CDN_NO_FACILITIES_TEMP] = "no facilities (temporary)",
	[L2TP_CDN_NO_FACILITIES_PERM] = "no facilities (permanent)",
	[L2TP_CDN_INVALID_DEST] = "invalid destination",
	[L2TP_CDN_NO_CARRIER] = "no carrier",
	[L2TP_CDN_BUSY] = "busy",
	[L2TP_CDN_NO_DIAL_TONE] = "no dial tone",
	[L2TP_CDN_TIMEOUT] = "timeout",
	[L2TP_CDN_NO_FRAMING] = "no appropriate framing",
	[L2TP_CDN_RESERVED12] = "reserved",
	[L2TP_CDN_TIE_BREAKER_LOST] = "lost tie breaker",
	[L2TP_CDN_PW_TYPE_UNSUPPORTED] = "unsupported pseudowire type",
	[L2TP_CDN_SEQ_WITHOUT_SUBLAYER] = "sequencing required without L2-Specific Sublayer",
	[L2TP_CDN_FSM_ERROR] = "finite state machine error or timeout",
};

const char *l2tp_result_str(uint16_t msg_type, uint16_t result)
{
	if (msg_type == L2TP_MSG_STOPCCN) {
		if (result < sizeof(stopccn_results) / sizeof(stopccn_results[0]))
			return stopccn_results[result];
	} else if (result < sizeof(cdn_results) / sizeof(cdn_results[0])) {
		return cdn_results[result];
	}
	return "unknown";
}

static const char *const error_names[] = {
	[L2TP_ERR_NONE] = "no general error",
	[L2TP_ERR_NO_CONTROL_CONNECTION] = "no control connection exists",
	[L2TP_ERR_BAD_LENGTH] = "length is wrong",
	[L2TP_ERR_BAD_VALUE] = "field out of range or reserved field non-zero",
	[L2TP_ERR_NO_RESOURCES] = "insufficient resources",
	[L2TP_ERR_INVALID_SESSION_ID] = "invalid session ID",
	[L2TP_ERR_VENDOR_SPECIFIC] = "vendor specific error",
	[L2TP_ERR_TRY_ANOTHER] = "try another",
	[L2TP_ERR_UNKNOWN_MANDATORY_AVP] = "unknown mandatory AVP",
};

const char *l2tp_error_str(uint16_t error)
{
	if (error < sizeof(error_names) / sizeof(error_names[0]))
		return error_names[error];
	return "unknown";
}

/* ---- encoder (RFC 2661 §3.1, §4.1) ------------------------------------- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* Reserve an AVP with a value of vlen bytes; NULL (and overflow) if it cannot fit. */
static uint8_t *mb_avp(struct l2tp_mbuf *b, bool mand, bool hidden, uint16_t type, size_t vlen)
{
	size_t total = L2TP_AVP_HDR_LEN + vlen;
	uint8_t *p;

	if (b->overflow || total > L2TP_AVP_MAX_LEN || total > sizeof(b->data) - b->len) {
		b->overflow = true;
		return NULL;
	}
	p = b->data + b->len;
	put16(p, (uint16_t)((mand ? L2TP_AVP_M : 0) | (hidden ? L2TP_AVP_H : 0) | total));
	put16(p + 2, 0);             /* vendor 0: IETF */
	put16(p + 4, type);
	b->len += total;
	put16(b->data + 2, (uint16_t)b->len);
	return p + L2TP_AVP_HDR_LEN;
}

void l2tp_mb_begin(struct l2tp_mbuf *b, uint32_t tunnel_id, uint32_t session_id, uint16_t type)
{
	b->len = L2TP_CTRL_HDR_LEN;
	/* 16-bit IDs in the v2 header: a wider one makes the message unusable. */
	b->overflow = tunnel_id > L2TP_V2_ID_MAX || session_id > L2TP_V2_ID_MAX;
	b->secret = NULL;
	b->secret_len = 0;
	b->have_rv = false;
	b->version = L2TP_VERSION;
	b->digest_off = 0;
	b->digest_type = 0;
	memset(b->rv, 0, sizeof(b->rv));
	memset(b->data, 0, L2TP_CTRL_HDR_LEN);
	put16(b->data, L2TP_HDR_T | L2TP_HDR_L | L2TP_HDR_S | L2TP_VERSION);
	put16(b->data + 2, L2TP_CTRL_HDR_LEN);
	put16(b->data + 4, (uint16_t)(b->overflow ? 0 : tunnel_id));
	put16(b->data + 6, (uint16_t)(b->overflow ? 0 : session_id));
	/* Ns/Nr (bytes 8..11) stay 0: l2tp_rel writes them per transmission. */
	if (type != L2TP_MSG_ZLB)
		l2tp_mb_u16(b, true, L2TP_AVP_MESSAGE_TYPE, type);
}

void l2tp_mb_bytes(struct l2tp_mbuf *b, bool mand, uint16_t type, const void *v, size_t len)
{
	uint8_t *p = mb_avp(b, mand, false, type, len);

	if (p && len)
		memcpy(p, v, len);
}

void l2tp_mb_u8(struct l2tp_mbuf *b, bool mand, uint16_t type, uint8_t v)
{
	l2tp_mb_bytes(b, mand, type, &v, 1);
}

void l2tp_mb_u16(struct l2tp_mbuf *b, bool mand, uint16_t type, uint16_t v)
{
	uint8_t x[2];

	put16(x, v);
	l2tp_mb_bytes(b, mand, type, x, sizeof(x));
}

void l2tp_mb_u32(struct l2tp_mbuf *b, bool mand, uint16_t type, uint32_t v)
{
	uint8_t x[4];

	put32(x, v);
	l2tp_mb_bytes(b, mand, type, x, sizeof(x));
}

void l2tp_mb_str(struct l2tp_mbuf *b, bool mand, uint16_t type, const char *s)
{
	l2tp_mb_bytes(b, mand, type, s, strlen(s));
}

void l2tp_mb_id(struct l2tp_mbuf *b, bool mand, uint16_t type, uint32_t id)
{
	if (b->version == L2TP_VERSION3) {
		l2tp_mb_u32(b, mand, type, id);
		return;
	}
	if (id > L2TP_V2_ID_MAX) {
		b->overflow = true;
		return;
	}
	l2tp_mb_u16(b, mand, type, (uint16_t)id);
}

/* §4.4.2: always with the error code, which every peer we know accepts. */
void l2tp_mb_result(struct l2tp_mbuf *b, uint16_t result, uint16_t error, const char *msg)
{
	size_t mlen = msg ? strlen(msg) : 0;
	uint8_t *p = mb_avp(b, true, false, L2TP_AVP_RESULT_CODE, 4 + mlen);

	if (!p)
		return;
	put16(p, result);
	put16(p + 2, error);
	if (mlen)
		memcpy(p + 4, msg, mlen);
}

void l2tp_mb_protocol_version(struct l2tp_mbuf *b)
{
	const uint8_t v[2] = { 1, 0 };   /* §4.4.3: version 1, revision 0 */

	l2tp_mb_bytes(b, true, L2TP_AVP_PROTOCOL_VERSION, v, sizeof(v));
}

void l2tp_mb_random_vector(struct l2tp_mbuf *b, const uint8_t rv[16],
			   const uint8_t *secret, size_t secret_len)
{
	l2tp_mb_bytes(b, true, L2TP_AVP_RANDOM_VECTOR, rv, 16);
	memcpy(b->rv, rv, 16);
	b->have_rv = true;
	b->secret = secret;
	b->secret_len = secret_len;
}

void l2tp_mb_bytes_hidden(struct l2tp_mbuf *b, bool mand, uint16_t type,
			  const void *v, size_t len)
{
	uint8_t *p;

	if (!b->have_rv || !b->secret) {
		b->overflow = true;  /* would send the value in the clear */
		return;
	}
	p = mb_avp(b, mand, true, type, len + 2);
	if (p)
		l2tp_avp_hide(type, b->secret, b->secret_len, b->rv, sizeof(b->rv),
			      v, len, p);
}

void l2tp_mb_u16_hidden(struct l2tp_mbuf *b, bool mand, uint16_t type, uint16_t v)
{
	uint8_t x[2];

	put16(x, v);
	l2tp_mb_bytes_hidden(b, mand, type, x, sizeof(x));
}

void l2tp_mb_id_hidden(struct l2tp_mbuf *b, bool mand, uint16_t type, uint32_t id)
{
	if (b->version == L2TP_VERSION3) {
		l2tp_mb_u32_hidden(b, mand, type, id);
		return;
	}
	if (id > L2TP_V2_ID_MAX) {
		b->overflow = true;
		return;
	}
	l2tp_mb_u16_hidden(b, mand, type, (uint16_t)id);
}

void l2tp_mb_u32_hidden(struct l2tp_mbuf *b, bool mand, uint16_t type, uint32_t v)
{
	uint8_t x[4];

	put32(x, v);
	l2tp_mb_bytes_hidden(b, mand, type, x, sizeof(x));
}

void l2tp_mb_str_hidden(struct l2tp_mbuf *b, bool mand, uint16_t type, const char *s)
{
	l2tp_mb_bytes_hidden(b, mand, type, s, strlen(s));
}

/* ---- L2TPv3 encoder (RFC 3931 §3.2.1, §4.1, §4.3) ------------------------- */

void l2tp_mb_begin_v3(struct l2tp_mbuf *b, uint32_t ccid, uint16_t type)
{
	l2tp_mb_begin(b, 0, 0, L2TP_MSG_ZLB);
	b->version = L2TP_VERSION3;
	put16(b->data, L2TP_HDR_T | L2TP_HDR_L | L2TP_HDR_S | L2TP_VERSION3);
	put32(b->data + 4, ccid);
	if (type != L2TP_MSG_ZLB)
		l2tp_mb_u16(b, true, L2TP_AVP_MESSAGE_TYPE, type);
}

void l2tp_mb_u64(struct l2tp_mbuf *b, bool mand, uint16_t type, uint64_t v)
{
	uint8_t x[8];

	put32(x, (uint32_t)(v >> 32));
	put32(x + 4, (uint32_t)v);
	l2tp_mb_bytes(b, mand, type, x, sizeof(x));
}
