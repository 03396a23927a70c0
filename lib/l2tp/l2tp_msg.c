// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * L2TPv2 header and control-message codec (RFC 2661 §3, §4).
 *
 * Decoding reads through a bounded cursor and copies every value it keeps into
 * struct l2tp_msg. Encoding appends AVPs to a fixed buffer and sets an overflow
 * flag instead of writing past it.
 */
#include <errno.h>
#include <string.h>

#include <nettle/md5.h>

#include "l2tp_msg.h"

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

/* Allowed value lengths (AVP length minus the 6-byte header) per vendor-0 type. */
struct avp_rule {
	uint16_t min, max;
};

#define ANY L2TP_AVP_MAX_LEN
static const struct avp_rule avp_rules[L2TP_AVP_TYPE_COUNT] = {
	[L2TP_AVP_MESSAGE_TYPE] = { 2, 2 },
	[L2TP_AVP_RESULT_CODE] = { 2, ANY },          /* 3 rejected separately */
	[L2TP_AVP_PROTOCOL_VERSION] = { 2, 2 },
	[L2TP_AVP_FRAMING_CAPS] = { 4, 4 },
	[L2TP_AVP_BEARER_CAPS] = { 4, 4 },
	[L2TP_AVP_TIE_BREAKER] = { 8, 8 },
	[L2TP_AVP_FIRMWARE_REV] = { 2, 2 },
	[L2TP_AVP_HOST_NAME] = { 1, ANY },
	[L2TP_AVP_VENDOR_NAME] = { 0, ANY },
	[L2TP_AVP_ASSIGNED_TUNNEL_ID] = { 2, 2 },
	[L2TP_AVP_RECV_WINDOW_SIZE] = { 2, 2 },
	[L2TP_AVP_CHALLENGE] = { 1, L2TP_CHALLENGE_MAX },
	[L2TP_AVP_Q931_CAUSE] = { 3, ANY },
	/* docs/design.md §6.3: Cisco may append bytes; the first 16 are the MD5. */
	[L2TP_AVP_CHALLENGE_RESPONSE] = { 16, ANY },
	[L2TP_AVP_ASSIGNED_SESSION_ID] = { 2, 2 },
	[L2TP_AVP_CALL_SERIAL] = { 4, 4 },
	[L2TP_AVP_MIN_BPS] = { 4, 4 },
	[L2TP_AVP_MAX_BPS] = { 4, 4 },
	[L2TP_AVP_BEARER_TYPE] = { 4, 4 },
	[L2TP_AVP_FRAMING_TYPE] = { 4, 4 },
	[L2TP_AVP_CALLED_NUMBER] = { 0, ANY },
	[L2TP_AVP_CALLING_NUMBER] = { 0, ANY },
	[L2TP_AVP_SUB_ADDRESS] = { 0, ANY },
	[L2TP_AVP_TX_CONNECT_SPEED] = { 4, 4 },
	[L2TP_AVP_PHYS_CHANNEL_ID] = { 4, 4 },
	[L2TP_AVP_INITIAL_RCVD_LCP_CONFREQ] = { 0, L2TP_BLOB_MAX },
	[L2TP_AVP_LAST_SENT_LCP_CONFREQ] = { 0, L2TP_BLOB_MAX },
	[L2TP_AVP_LAST_RCVD_LCP_CONFREQ] = { 0, L2TP_BLOB_MAX },
	[L2TP_AVP_PROXY_AUTHEN_TYPE] = { 2, 2 },
	[L2TP_AVP_PROXY_AUTHEN_NAME] = { 0, ANY },
	[L2TP_AVP_PROXY_AUTHEN_CHALLENGE] = { 1, L2TP_BLOB_MAX },
	[L2TP_AVP_PROXY_AUTHEN_ID] = { 2, 2 },
	[L2TP_AVP_PROXY_AUTHEN_RESPONSE] = { 0, L2TP_BLOB_MAX },
	[L2TP_AVP_CALL_ERRORS] = { 26, 26 },          /* 2 reserved + 6 x u32 */
	[L2TP_AVP_ACCM] = { 10, 10 },                 /* 2 reserved + 2 x u32 */
	[L2TP_AVP_RANDOM_VECTOR] = { 1, L2TP_BLOB_MAX },
	[L2TP_AVP_PRIVATE_GROUP_ID] = { 0, L2TP_BLOB_MAX },
	[L2TP_AVP_RX_CONNECT_SPEED] = { 4, 4 },
	[L2TP_AVP_SEQUENCING_REQUIRED] = { 0, 0 },
};
#undef ANY

/* Types 20 and >= 40 are not defined by RFC 2661: handled as unknown AVPs. */
static bool avp_known(uint16_t vendor, uint16_t type)
{
	return vendor == 0 && type < L2TP_AVP_TYPE_COUNT && type != L2TP_AVP_RESERVED20;
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
	case L2TP_AVP_TYPE_COUNT:
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

/* ---- mandatory AVPs per message type (RFC 2661 §6) -------------------- */

#define B(t) (UINT64_C(1) << (t))
static const uint64_t mandatory_avps[L2TP_MSG_TYPE_COUNT] = {
	[L2TP_MSG_SCCRQ] = B(L2TP_AVP_PROTOCOL_VERSION) | B(L2TP_AVP_HOST_NAME) |
			   B(L2TP_AVP_FRAMING_CAPS) | B(L2TP_AVP_ASSIGNED_TUNNEL_ID),
	[L2TP_MSG_SCCRP] = B(L2TP_AVP_PROTOCOL_VERSION) | B(L2TP_AVP_HOST_NAME) |
			   B(L2TP_AVP_FRAMING_CAPS) | B(L2TP_AVP_ASSIGNED_TUNNEL_ID),
	[L2TP_MSG_STOPCCN] = B(L2TP_AVP_ASSIGNED_TUNNEL_ID) | B(L2TP_AVP_RESULT_CODE),
	[L2TP_MSG_OCRQ] = B(L2TP_AVP_ASSIGNED_SESSION_ID) | B(L2TP_AVP_CALL_SERIAL) |
			  B(L2TP_AVP_MIN_BPS) | B(L2TP_AVP_MAX_BPS) | B(L2TP_AVP_BEARER_TYPE) |
			  B(L2TP_AVP_FRAMING_TYPE) | B(L2TP_AVP_CALLED_NUMBER),
	[L2TP_MSG_OCRP] = B(L2TP_AVP_ASSIGNED_SESSION_ID),
	[L2TP_MSG_OCCN] = B(L2TP_AVP_TX_CONNECT_SPEED) | B(L2TP_AVP_FRAMING_TYPE),
	[L2TP_MSG_ICRQ] = B(L2TP_AVP_ASSIGNED_SESSION_ID) | B(L2TP_AVP_CALL_SERIAL),
	[L2TP_MSG_ICRP] = B(L2TP_AVP_ASSIGNED_SESSION_ID),
	[L2TP_MSG_ICCN] = B(L2TP_AVP_TX_CONNECT_SPEED) | B(L2TP_AVP_FRAMING_TYPE),
	[L2TP_MSG_CDN] = B(L2TP_AVP_RESULT_CODE) | B(L2TP_AVP_ASSIGNED_SESSION_ID),
	[L2TP_MSG_WEN] = B(L2TP_AVP_CALL_ERRORS),
	[L2TP_MSG_SLI] = B(L2TP_AVP_ACCM),
};
#undef B

static bool msg_type_known(uint16_t t)
{
	return t > L2TP_MSG_ZLB && t < L2TP_MSG_TYPE_COUNT &&
	       t != L2TP_MSG_RESERVED5 && t != L2TP_MSG_RESERVED13;
}

/* ---- message decoder (RFC 2661 §4.1) ----------------------------------- */

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

/*
 * Decode the AVP list after the Message Type AVP. Hard errors stop at once;
 * an unknown mandatory AVP (or one with reserved bits, which §4.1 says to treat
 * as unrecognised) is remembered in *deferred and decoding goes on, so that the
 * caller learns the assigned IDs it needs for StopCCN/CDN.
 */
static enum l2tp_decode_err avps_decode(struct cursor *c, const uint8_t *secret,
					size_t secret_len, struct l2tp_msg *m,
					enum l2tp_decode_err *deferred)
{
	uint8_t buf[L2TP_AVP_MAX_LEN];
	struct avp_hdr a;
	struct cursor vc;
	enum l2tp_decode_err e;
	const uint8_t *v;
	size_t vlen;

	while (cur_left(c) > 0) {
		e = avp_hdr_read(c, &a);
		if (e != L2TP_DEC_OK)
			return e;
		v = cur_take(c, a.vlen);
		if (a.reserved || !avp_known(a.vendor, a.type)) {
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
			/* §4.3: Message Type and Random Vector are never hidden. */
			if (a.type == L2TP_AVP_RANDOM_VECTOR || a.type == L2TP_AVP_MESSAGE_TYPE)
				return L2TP_DEC_HIDDEN_BAD;
			e = avp_unhide_value(&a, v, secret, secret_len, &m->random_vector,
					     buf, &vlen);
			if (e != L2TP_DEC_OK)
				return e;
			v = buf;
			m->hidden |= UINT64_C(1) << a.type;
		}
		if (!avp_len_ok(a.type, vlen))
			return L2TP_DEC_BAD_AVP_LEN;
		cur_init(&vc, v, vlen);
		avp_store(m, a.type, &vc);
		m->present |= UINT64_C(1) << a.type;
	}
	return L2TP_DEC_OK;
}

enum l2tp_decode_err l2tp_msg_decode(const uint8_t *pkt, size_t len,
				     const uint8_t *secret, size_t secret_len,
				     struct l2tp_msg *m)
{
	enum l2tp_decode_err e, deferred = L2TP_DEC_OK;
	struct cursor c;
	struct avp_hdr a;
	uint64_t missing;
	size_t msg_len;

	memset(m, 0, sizeof(*m));
	e = l2tp_hdr_decode(pkt, len, &m->hdr);
	if (e != L2TP_DEC_OK)
		return e;
	if (!m->hdr.is_ctrl)
		return L2TP_DEC_CTRL_FLAGS;
	msg_len = m->hdr.length;     /* trailing datagram bytes ignored */
	cur_init(&c, pkt, msg_len);
	cur_take(&c, m->hdr.payload_off);
	if (cur_left(&c) == 0) {
		m->type = L2TP_MSG_ZLB;      /* §5.8: ZLB acknowledgement */
		return L2TP_DEC_OK;
	}

	/* §4.4.1: the Message Type AVP comes first, is 8 bytes and never hidden. */
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

	e = avps_decode(&c, secret, secret_len, m, &deferred);
	if (e != L2TP_DEC_OK)
		return e;
	/* §3.2: the caller clears the tunnel if type_mandatory, else ignores it. */
	if (!msg_type_known(m->type))
		return L2TP_DEC_UNKNOWN_MSG_TYPE;
	if (deferred != L2TP_DEC_OK)
		return deferred;
	missing = mandatory_avps[m->type] & ~m->present;
	if (missing) {
		m->missing_avp = (uint16_t)__builtin_ctzll(missing);
		return L2TP_DEC_MISSING_AVP;
	}
	return L2TP_DEC_OK;
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

static const char *const msg_names[L2TP_MSG_TYPE_COUNT] = {
	[L2TP_MSG_ZLB] = "ZLB", [L2TP_MSG_SCCRQ] = "SCCRQ", [L2TP_MSG_SCCRP] = "SCCRP",
	[L2TP_MSG_SCCCN] = "SCCCN", [L2TP_MSG_STOPCCN] = "StopCCN",
	[L2TP_MSG_HELLO] = "HELLO", [L2TP_MSG_OCRQ] = "OCRQ", [L2TP_MSG_OCRP] = "OCRP",
	[L2TP_MSG_OCCN] = "OCCN", [L2TP_MSG_ICRQ] = "ICRQ", [L2TP_MSG_ICRP] = "ICRP",
	[L2TP_MSG_ICCN] = "ICCN", [L2TP_MSG_CDN] = "CDN", [L2TP_MSG_WEN] = "WEN",
	[L2TP_MSG_SLI] = "SLI",
};

const char *l2tp_msg_type_str(uint16_t type)
{
	if (type < L2TP_MSG_TYPE_COUNT && msg_names[type])
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
