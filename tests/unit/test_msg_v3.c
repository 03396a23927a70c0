// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests for the L2TPv3 side of the codec (lib/l2tp/l2tp_msg.c, RFC 3931):
 * header over UDP and IP, every message round-tripped over both, Message
 * Digest against vectors from Python's hmac (data/gen_l2tpv3_vectors.py),
 * hand-written byte sequences, every decode error and its answer, and
 * Wireshark's dissector as a second opinion.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "l2tp_msg.h"
#include "l2tpv3_testutil.h"

#include "data/l2tpv3_vectors.h"

/* ---- a raw packet writer independent of the encoder under test ---- */

struct raw {
	uint8_t b[L2TP_MAX_MSG + 64];
	size_t n;
};

static void raw_put(struct raw *r, const void *p, size_t n)
{
	memcpy(r->b + r->n, p, n);
	r->n += n;
}

static void raw_u16(struct raw *r, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	raw_put(r, x, 2);
}

static void raw_u32(struct raw *r, uint32_t v)
{
	raw_u16(r, (uint16_t)(v >> 16));
	raw_u16(r, (uint16_t)v);
}

/* v3 control header T|L|S, version 3 (RFC 3931 §3.2.1); length fixed by raw_done(). */
static void raw_ctrl(struct raw *r, uint32_t ccid)
{
	r->n = 0;
	raw_u16(r, 0xc803);
	raw_u16(r, 0);
	raw_u32(r, ccid);
	raw_u32(r, 0);
}

static void raw_avp(struct raw *r, uint16_t flags, uint16_t type, const void *v, size_t len)
{
	raw_u16(r, (uint16_t)(flags | (6 + len)));
	raw_u16(r, 0);
	raw_u16(r, type);
	if (len)
		raw_put(r, v, len);
}

static void raw_avp16(struct raw *r, uint16_t type, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	raw_avp(r, 0x8000, type, x, 2);
}

static void raw_avp32(struct raw *r, uint16_t type, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	raw_avp(r, 0x8000, type, x, 4);
}

static void raw_done(struct raw *r)
{
	r->b[2] = (uint8_t)(r->n >> 8);
	r->b[3] = (uint8_t)r->n;
}

/* The same bytes as an IP (protocol 115) datagram: zero Session ID in front. */
static size_t to_ip(const uint8_t *msg, size_t len, uint8_t *out)
{
	memset(out, 0, 4);
	memcpy(out + 4, msg, len);
	return len + 4;
}

/* ---- header ---- */

START_TEST(test_hdr_udp_ctrl)
{
	/* Hand-written: HELLO, CCID 0xdeadbeef, Ns 3, Nr 9 (RFC 3931 §3.2.1). */
	const uint8_t pkt[] = { 0xc8, 0x03, 0x00, 0x14, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x03,
				0x00, 0x09, 0x80, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06 };
	struct l2tp_msg m;

	ck_assert_int_eq(l2tp_v3_msg_decode(pkt, sizeof(pkt), L2TP_ENCAP_UDP, NULL, &m),
			 L2TP_DEC_OK);
	ck_assert_uint_eq(m.type, L2TP_MSG_HELLO);
	ck_assert_uint_eq(m.hdr.tunnel_id, 0xdeadbeef);
	ck_assert_uint_eq(m.hdr.ns, 3);
	ck_assert_uint_eq(m.hdr.nr, 9);
	ck_assert_uint_eq(m.hdr.version, 3);
	ck_assert_uint_eq(m.hdr.ctrl_off, 0);
	ck_assert_uint_eq(m.hdr.payload_off, 12);
	/* A v3 message is not v2, nor the other way round. */
	ck_assert_int_eq(l2tp_msg_decode(pkt, sizeof(pkt), NULL, 0, &m), L2TP_DEC_BAD_VERSION);
}
END_TEST

START_TEST(test_hdr_ip_ctrl)
{
	const uint8_t pkt[] = { 0, 0, 0, 0, 0xc8, 0x03, 0x00, 0x0c, 0x00, 0x00, 0x01, 0x00,
				0x00, 0x05, 0x00, 0x07, 0xff, 0xff };   /* ZLB + 2 bytes padding */
	struct l2tp_msg m;
	uint32_t sid = 99;

	ck_assert_int_eq(l2tp_v3_msg_decode(pkt, sizeof(pkt), L2TP_ENCAP_IP, NULL, &m),
			 L2TP_DEC_OK);
	ck_assert_uint_eq(m.type, L2TP_MSG_ZLB);
	ck_assert_uint_eq(m.hdr.tunnel_id, 0x100);
	ck_assert_uint_eq(m.hdr.ctrl_off, 4);
	ck_assert_uint_eq(m.hdr.payload_off, 16);
	ck_assert_uint_eq(m.hdr.length, 12);
	ck_assert(!l2tp_v3_is_data(pkt, sizeof(pkt), L2TP_ENCAP_IP, &sid));
	ck_assert_uint_eq(sid, 0);
	/* Over UDP the same bytes are a data message header with session 0: refused. */
	ck_assert_int_eq(l2tp_v3_msg_decode(pkt, sizeof(pkt), L2TP_ENCAP_UDP, NULL, &m),
			 L2TP_DEC_BAD_VERSION);
}
END_TEST

struct data_case {
	const char *name;
	enum l2tp_encap encap;
	uint8_t pkt[12];
	size_t len;
	bool is_data;
	uint32_t sid;
	enum l2tp_decode_err e;
	size_t payload_off;
};

static const struct data_case data_cases[] = {
	{ "ip data", L2TP_ENCAP_IP, { 0x12, 0x34, 0x56, 0x78, 0xaa }, 5, true, 0x12345678,
	  L2TP_DEC_OK, 4 },
	{ "ip data, bare session id", L2TP_ENCAP_IP, { 0, 0, 0, 1 }, 4, true, 1, L2TP_DEC_OK, 4 },
	{ "ip short", L2TP_ENCAP_IP, { 0, 0, 0 }, 3, false, 0, L2TP_DEC_SHORT, 0 },
	{ "ip zero session, short control", L2TP_ENCAP_IP, { 0, 0, 0, 0, 0xc8 }, 5, false, 0,
	  L2TP_DEC_SHORT, 0 },
	{ "ip zero session, T clear", L2TP_ENCAP_IP, { 0, 0, 0, 0, 0x00, 0x03, 0, 0 }, 8, false, 0,
	  L2TP_DEC_CTRL_FLAGS, 0 },
	{ "udp data", L2TP_ENCAP_UDP, { 0x00, 0x03, 0, 0, 0, 0, 0x10, 0x01, 0xee }, 9, true, 0x1001,
	  L2TP_DEC_OK, 8 },
	{ "udp data session 0", L2TP_ENCAP_UDP, { 0x00, 0x03, 0, 0, 0, 0, 0, 0 }, 8, false, 0,
	  L2TP_DEC_BAD_ID, 0 },
	{ "udp data short", L2TP_ENCAP_UDP, { 0x00, 0x03, 0, 0, 0, 0, 0 }, 7, false, 0,
	  L2TP_DEC_SHORT, 0 },
	{ "udp v2 data", L2TP_ENCAP_UDP, { 0x00, 0x02, 0, 1, 0, 1 }, 6, false, 0,
	  L2TP_DEC_BAD_VERSION, 0 },
	{ "udp control without S", L2TP_ENCAP_UDP, { 0xc0, 0x03, 0, 12, 0, 0, 0, 1, 0, 0, 0, 0 },
	  12, false, 0, L2TP_DEC_CTRL_FLAGS, 0 },
	{ "udp control, x bits ignored", L2TP_ENCAP_UDP,
	  { 0xcb, 0x03, 0, 12, 0, 0, 0, 1, 0, 0, 0, 0 }, 12, false, 0, L2TP_DEC_OK, 12 },
	{ "udp control, length beyond", L2TP_ENCAP_UDP,
	  { 0xc8, 0x03, 0, 13, 0, 0, 0, 1, 0, 0, 0, 0 }, 12, false, 0, L2TP_DEC_LENGTH_MISMATCH, 0 },
	{ "udp control, length inside header", L2TP_ENCAP_UDP,
	  { 0xc8, 0x03, 0, 11, 0, 0, 0, 1, 0, 0, 0, 0 }, 12, false, 0, L2TP_DEC_LENGTH_MISMATCH, 0 },
};

START_TEST(test_hdr_data)
{
	const struct data_case *c = &data_cases[_i];
	struct l2tp_hdr h;
	uint32_t sid = 7;

	ck_assert_msg(l2tp_v3_hdr_decode(c->pkt, c->len, c->encap, &h) == c->e, "%s: %s", c->name,
		      l2tp_decode_err_str(l2tp_v3_hdr_decode(c->pkt, c->len, c->encap, &h)));
	ck_assert_msg(l2tp_v3_is_data(c->pkt, c->len, c->encap, &sid) == c->is_data, "%s", c->name);
	ck_assert_uint_eq(sid, c->sid);
	if (c->e == L2TP_DEC_OK) {
		ck_assert_uint_eq(h.payload_off, c->payload_off);
		ck_assert_uint_eq(h.is_ctrl, !c->is_data);
	}
}
END_TEST

/* ---- every message, encoded and decoded over UDP and IP ---- */

static const uint8_t cookie8[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

static void build_v3(struct l2tp_mbuf *b, uint16_t type)
{
	const uint8_t nonce[16] = "0123456789abcdef";
	const uint8_t caps[4] = { 0, L2TP_PW_ETH, 0, L2TP_PW_ETH_VLAN };

	l2tp_mb_begin_v3(b, 0xc0ffee01, type);
	switch (type) {
	case L2TP_MSG_SCCRQ:
	case L2TP_MSG_SCCRP:
		l2tp_mb_str(b, true, L2TP_AVP_HOST_NAME, "lns.example");
		l2tp_mb_u32(b, true, L2TP_AVP_ROUTER_ID, 0xc0000201);
		l2tp_mb_id(b, true, L2TP_AVP_ASSIGNED_CCID, 0xfedcba98);
		l2tp_mb_bytes(b, true, L2TP_AVP_PW_CAPS, caps, sizeof(caps));
		l2tp_mb_u16(b, false, L2TP_AVP_RECV_WINDOW_SIZE, 16);
		l2tp_mb_str(b, false, L2TP_AVP_VENDOR_NAME, "lnsd");
		l2tp_mb_u16(b, false, L2TP_AVP_FIRMWARE_REV, 0x0103);
		l2tp_mb_bytes(b, false, L2TP_AVP_AUTH_NONCE, nonce, sizeof(nonce));
		l2tp_mb_bytes(b, true, L2TP_AVP_CHALLENGE, nonce, 8);
		if (type == L2TP_MSG_SCCRP)
			l2tp_mb_bytes(b, true, L2TP_AVP_CHALLENGE_RESPONSE, nonce, 16);
		break;
	case L2TP_MSG_SCCCN:
		l2tp_mb_bytes(b, true, L2TP_AVP_CHALLENGE_RESPONSE, nonce, 16);
		break;
	case L2TP_MSG_STOPCCN:
		l2tp_mb_id(b, true, L2TP_AVP_ASSIGNED_CCID, 0xfedcba98);
		l2tp_mb_result(b, L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_UNKNOWN_MANDATORY_AVP,
			       "unknown AVP");
		break;
	case L2TP_MSG_ICRQ:
	case L2TP_MSG_OCRQ:
		l2tp_mb_id(b, true, L2TP_AVP_LOCAL_SESSION_ID, 0x80000001);
		l2tp_mb_id(b, true, L2TP_AVP_REMOTE_SESSION_ID, 0);
		l2tp_mb_u32(b, true, L2TP_AVP_CALL_SERIAL, 42);
		l2tp_mb_u16(b, true, L2TP_AVP_PW_TYPE, L2TP_PW_ETH);
		l2tp_mb_bytes(b, true, L2TP_AVP_ASSIGNED_COOKIE, cookie8, 8);
		l2tp_mb_u16(b, true, L2TP_AVP_L2_SUBLAYER, L2TP_L2SUB_DEFAULT);
		l2tp_mb_u16(b, true, L2TP_AVP_DATA_SEQUENCING, L2TP_DATASEQ_ALL);
		l2tp_mb_u16(b, true, L2TP_AVP_CIRCUIT_STATUS, L2TP_CIRCUIT_ACTIVE | L2TP_CIRCUIT_NEW);
		l2tp_mb_bytes(b, true, L2TP_AVP_REMOTE_END_ID, "eth-ac-7", 8);
		break;
	case L2TP_MSG_ICRP:
	case L2TP_MSG_OCRP:
		l2tp_mb_id(b, true, L2TP_AVP_LOCAL_SESSION_ID, 0x00000002);
		l2tp_mb_id(b, true, L2TP_AVP_REMOTE_SESSION_ID, 0x80000001);
		l2tp_mb_bytes(b, true, L2TP_AVP_ASSIGNED_COOKIE, cookie8, 4);
		l2tp_mb_u16(b, true, L2TP_AVP_L2_SUBLAYER, L2TP_L2SUB_NONE);
		l2tp_mb_u16(b, true, L2TP_AVP_CIRCUIT_STATUS, L2TP_CIRCUIT_ACTIVE);
		break;
	case L2TP_MSG_ICCN:
	case L2TP_MSG_OCCN:
		l2tp_mb_id(b, true, L2TP_AVP_LOCAL_SESSION_ID, 0x80000001);
		l2tp_mb_id(b, true, L2TP_AVP_REMOTE_SESSION_ID, 0x00000002);
		l2tp_mb_u64(b, true, L2TP_AVP_TX_CONNECT_SPEED_V3, UINT64_C(100000000000));
		l2tp_mb_u64(b, false, L2TP_AVP_RX_CONNECT_SPEED_V3, UINT64_C(0x0123456789abcdef));
		l2tp_mb_u16(b, true, L2TP_AVP_DATA_SEQUENCING, L2TP_DATASEQ_NONE);
		break;
	case L2TP_MSG_CDN:
		l2tp_mb_result(b, L2TP_CDN_PW_TYPE_UNSUPPORTED, 0, NULL);
		l2tp_mb_id(b, true, L2TP_AVP_LOCAL_SESSION_ID, 0x00000002);
		l2tp_mb_id(b, true, L2TP_AVP_REMOTE_SESSION_ID, 0x80000001);
		break;
	case L2TP_MSG_WEN: {
		uint8_t ce[26] = { 0 };

		ce[5] = 1;
		l2tp_mb_id(b, true, L2TP_AVP_LOCAL_SESSION_ID, 0x00000002);
		l2tp_mb_id(b, true, L2TP_AVP_REMOTE_SESSION_ID, 0x80000001);
		l2tp_mb_bytes(b, true, L2TP_AVP_CALL_ERRORS, ce, sizeof(ce));
		break;
	}
	case L2TP_MSG_SLI:
		l2tp_mb_id(b, true, L2TP_AVP_LOCAL_SESSION_ID, 0x00000002);
		l2tp_mb_id(b, true, L2TP_AVP_REMOTE_SESSION_ID, 0x80000001);
		l2tp_mb_u16(b, true, L2TP_AVP_CIRCUIT_STATUS, 0);
		break;
	default:   /* ZLB, HELLO, ACK: the header and Message Type only */
		break;
	}
}

static const uint16_t v3_types[] = {
	L2TP_MSG_ZLB, L2TP_MSG_SCCRQ, L2TP_MSG_SCCRP, L2TP_MSG_SCCCN, L2TP_MSG_STOPCCN,
	L2TP_MSG_HELLO, L2TP_MSG_OCRQ, L2TP_MSG_OCRP, L2TP_MSG_OCCN, L2TP_MSG_ICRQ,
	L2TP_MSG_ICRP, L2TP_MSG_ICCN, L2TP_MSG_CDN, L2TP_MSG_WEN, L2TP_MSG_SLI, L2TP_MSG_ACK,
};

static void check_fields(const struct l2tp_msg *m, uint16_t type)
{
	ck_assert_uint_eq(m->type, type);
	ck_assert_uint_eq(m->hdr.tunnel_id, 0xc0ffee01);
	switch (type) {
	case L2TP_MSG_SCCRQ:
	case L2TP_MSG_SCCRP:
		ck_assert_str_eq(m->host_name, "lns.example");
		ck_assert_uint_eq(m->router_id, 0xc0000201);
		ck_assert_uint_eq(m->assigned_ccid, 0xfedcba98);
		ck_assert_uint_eq(m->assigned_tunnel_id, 0xfedcba98);
		ck_assert_uint_eq(m->n_pw_caps, 2);
		ck_assert_uint_eq(m->pw_caps[0], L2TP_PW_ETH);
		ck_assert_uint_eq(m->pw_caps[1], L2TP_PW_ETH_VLAN);
		ck_assert_uint_eq(m->rx_window, 16);
		ck_assert_uint_eq(m->auth_nonce.len, 16);
		ck_assert_uint_eq(m->challenge.len, 8);
		break;
	case L2TP_MSG_STOPCCN:
		ck_assert_uint_eq(m->result_code, L2TP_STOPCCN_GENERAL_ERROR);
		ck_assert_uint_eq(m->error_code, L2TP_ERR_UNKNOWN_MANDATORY_AVP);
		ck_assert_str_eq(m->error_msg, "unknown AVP");
		break;
	case L2TP_MSG_ICRQ:
	case L2TP_MSG_OCRQ:
		ck_assert_uint_eq(m->local_session_id, 0x80000001);
		ck_assert_uint_eq(m->assigned_session_id, 0x80000001);
		ck_assert_uint_eq(m->remote_session_id, 0);
		ck_assert_uint_eq(m->call_serial, 42);
		ck_assert_uint_eq(m->pw_type, L2TP_PW_ETH);
		ck_assert_uint_eq(m->cookie_len, 8);
		ck_assert_mem_eq(m->cookie, cookie8, 8);
		ck_assert_uint_eq(m->l2_sublayer, L2TP_L2SUB_DEFAULT);
		ck_assert_uint_eq(m->data_sequencing, L2TP_DATASEQ_ALL);
		ck_assert_uint_eq(m->circuit_status, 3);
		ck_assert_uint_eq(m->remote_end_id.len, 8);
		ck_assert_mem_eq(m->remote_end_id.data, "eth-ac-7", 8);
		break;
	case L2TP_MSG_ICRP:
	case L2TP_MSG_OCRP:
		ck_assert_uint_eq(m->local_session_id, 2);
		ck_assert_uint_eq(m->remote_session_id, 0x80000001);
		ck_assert_uint_eq(m->cookie_len, 4);
		break;
	case L2TP_MSG_ICCN:
	case L2TP_MSG_OCCN:
		ck_assert_uint_eq(m->tx_speed, UINT64_C(100000000000));
		ck_assert_uint_eq(m->rx_speed, UINT64_C(0x0123456789abcdef));
		break;
	case L2TP_MSG_CDN:
		ck_assert_uint_eq(m->result_code, L2TP_CDN_PW_TYPE_UNSUPPORTED);
		ck_assert_uint_eq(m->local_session_id, 2);
		break;
	case L2TP_MSG_WEN:
		ck_assert_uint_eq(m->call_errors.crc, 1);
		break;
	default:
		break;
	}
}

START_TEST(test_round_trip)
{
	uint16_t type = v3_types[_i];
	struct l2tp_mbuf b, b2;
	struct l2tp_msg m, m2;
	uint8_t ip[L2TP_MAX_MSG + 4];
	size_t n;

	build_v3(&b, type);
	ck_assert(!b.overflow);
	ck_assert_int_eq(l2tp_v3_msg_decode(b.data, b.len, L2TP_ENCAP_UDP, NULL, &m), L2TP_DEC_OK);
	check_fields(&m, type);
	ck_assert_uint_eq(m.skipped_avps, 0);
	/* decode -> encode -> decode: the same message */
	ck_assert(v3_reencodable(&m));
	v3_reencode(&m, &b2);
	ck_assert(!b2.overflow);
	ck_assert_int_eq(l2tp_v3_msg_decode(b2.data, b2.len, L2TP_ENCAP_UDP, NULL, &m2),
			 L2TP_DEC_OK);
	ck_assert(v3_msg_equal(&m, &m2));
	/* over IP */
	n = l2tp_v3_frame(&b, L2TP_ENCAP_IP, ip, sizeof(ip));
	ck_assert_uint_eq(n, b.len + 4);
	ck_assert_int_eq(l2tp_v3_msg_decode(ip, n, L2TP_ENCAP_IP, NULL, &m2), L2TP_DEC_OK);
	ck_assert_uint_eq(m2.hdr.ctrl_off, 4);
	check_fields(&m2, type);
	ck_assert(v3_msg_equal(&m, &m2));
	ck_assert_uint_eq(l2tp_v3_frame(&b, L2TP_ENCAP_IP, ip, b.len + 3), 0);
	ck_assert_uint_eq(l2tp_v3_frame(&b, L2TP_ENCAP_UDP, ip, sizeof(ip)), b.len);
}
END_TEST

/* Every mandatory AVP of RFC 3931 §6, removed in turn, is missed. */
START_TEST(test_missing_avp)
{
	uint16_t type = v3_types[_i];
	struct l2tp_mbuf b, cut;
	struct l2tp_msg m;
	size_t off, alen;
	unsigned refused = 0;

	build_v3(&b, type);
	if (type == L2TP_MSG_ZLB)
		return;
	for (off = L2TP_CTRL_HDR_LEN + 8; off < b.len; off += alen) {
		uint16_t atype = (uint16_t)(b.data[off + 4] << 8 | b.data[off + 5]);

		alen = (size_t)((b.data[off] & 3) << 8 | b.data[off + 1]);
		cut = b;
		memmove(cut.data + off, cut.data + off + alen, b.len - off - alen);
		cut.len -= alen;
		cut.data[2] = (uint8_t)(cut.len >> 8);
		cut.data[3] = (uint8_t)cut.len;
		if (l2tp_v3_msg_decode(cut.data, cut.len, L2TP_ENCAP_UDP, NULL, &m) ==
		    L2TP_DEC_MISSING_AVP) {
			ck_assert_uint_eq(m.missing_avp, atype);
			refused++;
		}
	}
	switch (type) {
	case L2TP_MSG_SCCRQ: case L2TP_MSG_SCCRP: case L2TP_MSG_ICRQ: case L2TP_MSG_OCRQ:
		ck_assert_uint_eq(refused, 4);
		break;
	case L2TP_MSG_CDN: case L2TP_MSG_WEN:
		ck_assert_uint_eq(refused, 3);
		break;
	case L2TP_MSG_ICRP: case L2TP_MSG_OCRP: case L2TP_MSG_ICCN: case L2TP_MSG_OCCN:
	case L2TP_MSG_SLI:
		ck_assert_uint_eq(refused, 2);
		break;
	case L2TP_MSG_STOPCCN:
		ck_assert_uint_eq(refused, 1);
		break;
	default:
		ck_assert_uint_eq(refused, 0);
		break;
	}
}
END_TEST

/* ---- Message Digest: Python's hmac against the codec ---- */

static void kat_nonce(char who, const uint8_t **p, size_t *n)
{
	*p = who == 'A' ? v3kat_nonce_a : who == 'B' ? v3kat_nonce_b : NULL;
	*n = who == 'A' ? sizeof(v3kat_nonce_a) : who == 'B' ? sizeof(v3kat_nonce_b) : 0;
}

static void kat_auth(const struct v3kat *v, struct l2tp_v3_auth *a, bool receiving)
{
	memset(a, 0, sizeof(*a));
	a->secret = v3kat_secret;
	a->secret_len = sizeof(v3kat_secret);
	a->required = true;
	/* The SCCRQ's receiver knows no nonce yet; the other vectors name both. */
	if (receiving) {
		kat_nonce(v->snd ? v->snd : 'A', &a->peer_nonce, &a->peer_nonce_len);
		kat_nonce(v->rcv ? v->rcv : 'B', &a->our_nonce, &a->our_nonce_len);
	} else {
		kat_nonce(v->snd ? v->snd : 'A', &a->our_nonce, &a->our_nonce_len);
		kat_nonce(v->rcv ? v->rcv : 'B', &a->peer_nonce, &a->peer_nonce_len);
	}
}

START_TEST(test_digest_kat)
{
	const struct v3kat *v = &v3kat[_i];
	size_t dlen = v->digest_type == L2TP_DIGEST_HMAC_MD5 ? 16 : 20;
	const uint8_t *snd, *rcv;
	size_t snd_len, rcv_len, n;
	uint8_t d[L2TP_DIGEST_MAX], pkt[200], ip[204];
	struct l2tp_v3_auth a;
	struct l2tp_msg m;

	kat_nonce(v->snd, &snd, &snd_len);
	kat_nonce(v->rcv, &rcv, &rcv_len);
	n = l2tp_v3_digest((enum l2tp_digest_type)v->digest_type, v3kat_secret,
			   sizeof(v3kat_secret), snd, snd_len, rcv, rcv_len, v->msg, v->len,
			   v->digest_off, d);
	ck_assert_uint_eq(n, dlen);
	ck_assert_msg(memcmp(d, v->msg + v->digest_off, dlen) == 0, "%s: digest differs", v->name);

	kat_auth(v, &a, true);
	ck_assert_int_eq(l2tp_v3_msg_decode(v->msg, v->len, L2TP_ENCAP_UDP, &a, &m), L2TP_DEC_OK);
	ck_assert_uint_eq(m.type, v->type);
	ck_assert_uint_eq(m.digest_type, v->digest_type);
	ck_assert_uint_eq(m.digest_len, dlen);
	n = to_ip(v->msg, v->len, ip);
	ck_assert_int_eq(l2tp_v3_msg_decode(ip, n, L2TP_ENCAP_IP, &a, &m), L2TP_DEC_OK);
	/* the SCCRP brings its sender's nonce: no peer nonce needed beforehand */
	if (v->type == L2TP_MSG_SCCRP) {
		a.peer_nonce = NULL;
		a.peer_nonce_len = 0;
		ck_assert_int_eq(l2tp_v3_msg_decode(v->msg, v->len, L2TP_ENCAP_UDP, &a, &m),
				 L2TP_DEC_OK);
		kat_auth(v, &a, true);
	}
	/* any byte changed, in the header, the digest or an AVP: refused */
	for (size_t i = 0; i < v->len; i++) {
		if (i < 4 || (i >= 12 && i < 20))   /* length and Message Type: other errors */
			continue;
		memcpy(pkt, v->msg, v->len);
		pkt[i] ^= 0x01;
		ck_assert_msg(l2tp_v3_msg_decode(pkt, v->len, L2TP_ENCAP_UDP, &a, &m) !=
			      L2TP_DEC_OK, "%s: byte %zu flipped went through", v->name, i);
	}
	memcpy(pkt, v->msg, v->len);
	pkt[v->digest_off + 3] ^= 0x80;
	ck_assert_int_eq(l2tp_v3_msg_decode(pkt, v->len, L2TP_ENCAP_UDP, &a, &m),
			 L2TP_DEC_BAD_DIGEST);
	pkt[v->digest_off + 3] ^= 0x80;
	pkt[9] ^= 1;                                            /* Ns */
	ck_assert_int_eq(l2tp_v3_msg_decode(pkt, v->len, L2TP_ENCAP_UDP, &a, &m),
			 L2TP_DEC_BAD_DIGEST);
	/* wrong secret */
	a.secret_len--;
	ck_assert_int_eq(l2tp_v3_msg_decode(v->msg, v->len, L2TP_ENCAP_UDP, &a, &m),
			 L2TP_DEC_BAD_DIGEST);
	/* without a secret the digest is only checked for form */
	ck_assert_int_eq(l2tp_v3_msg_decode(v->msg, v->len, L2TP_ENCAP_UDP, NULL, &m), L2TP_DEC_OK);
}
END_TEST

/* The encoder signs the vectors' messages to the same bytes. */
START_TEST(test_digest_encode)
{
	const struct v3kat *v = &v3kat[_i];
	const uint8_t caps2[4] = { 0, 5, 0, 4 }, caps1[2] = { 0, 5 };
	const uint8_t cookie[8] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 };
	struct l2tp_v3_auth a;
	struct l2tp_mbuf b;

	kat_auth(v, &a, false);
	switch (v->type) {
	case L2TP_MSG_SCCRQ:
		l2tp_mb_begin_v3(&b, 0, L2TP_MSG_SCCRQ);
		l2tp_mb_digest(&b, L2TP_DIGEST_HMAC_MD5);
		l2tp_mb_str(&b, true, L2TP_AVP_HOST_NAME, "lac.example");
		l2tp_mb_u32(&b, true, L2TP_AVP_ROUTER_ID, 0x0a000001);
		l2tp_mb_id(&b, true, L2TP_AVP_ASSIGNED_CCID, 0x12345678);
		l2tp_mb_bytes(&b, true, L2TP_AVP_PW_CAPS, caps2, 4);
		l2tp_mb_u16(&b, true, L2TP_AVP_RECV_WINDOW_SIZE, 8);
		l2tp_mb_bytes(&b, true, L2TP_AVP_AUTH_NONCE, v3kat_nonce_a, sizeof(v3kat_nonce_a));
		break;
	case L2TP_MSG_SCCRP:
		l2tp_mb_begin_v3(&b, 0x12345678, L2TP_MSG_SCCRP);
		l2tp_mb_digest(&b, L2TP_DIGEST_HMAC_SHA1);
		l2tp_mb_str(&b, true, L2TP_AVP_HOST_NAME, "lns.example");
		l2tp_mb_u32(&b, true, L2TP_AVP_ROUTER_ID, 0x0a000002);
		l2tp_mb_id(&b, true, L2TP_AVP_ASSIGNED_CCID, 0x9abcdef0);
		l2tp_mb_bytes(&b, true, L2TP_AVP_PW_CAPS, caps1, 2);
		l2tp_mb_bytes(&b, true, L2TP_AVP_AUTH_NONCE, v3kat_nonce_b, sizeof(v3kat_nonce_b));
		b.data[11] = 1;                                 /* Nr */
		break;
	case L2TP_MSG_ICRQ:
		l2tp_mb_begin_v3(&b, 0x9abcdef0, L2TP_MSG_ICRQ);
		l2tp_mb_digest(&b, L2TP_DIGEST_HMAC_MD5);
		l2tp_mb_id(&b, false, L2TP_AVP_LOCAL_SESSION_ID, 0x01020304);
		l2tp_mb_id(&b, false, L2TP_AVP_REMOTE_SESSION_ID, 0);
		l2tp_mb_u32(&b, true, L2TP_AVP_CALL_SERIAL, 7);
		l2tp_mb_u16(&b, false, L2TP_AVP_PW_TYPE, L2TP_PW_ETH);
		l2tp_mb_bytes(&b, true, L2TP_AVP_ASSIGNED_COOKIE, cookie, 8);
		l2tp_mb_u16(&b, false, L2TP_AVP_L2_SUBLAYER, L2TP_L2SUB_NONE);
		b.data[9] = 2;                                  /* Ns */
		b.data[11] = 1;
		break;
	default:
		l2tp_mb_begin_v3(&b, 0x12345678, L2TP_MSG_HELLO);
		l2tp_mb_digest(&b, L2TP_DIGEST_HMAC_SHA1);
		b.data[9] = 1;
		b.data[11] = 3;
		break;
	}
	ck_assert(!b.overflow);
	ck_assert_uint_eq(b.digest_off, v->digest_off);
	l2tp_mb_sign(&b, &a);
	ck_assert_uint_eq(b.len, v->len);
	ck_assert_msg(memcmp(b.data, v->msg, v->len) == 0, "%s: encoded bytes differ", v->name);
	/* Ns/Nr change on retransmission: signing again follows them */
	b.data[9] ^= 4;
	l2tp_mb_sign(&b, &a);
	kat_auth(v, &a, true);
	{
		struct l2tp_msg m;

		ck_assert_int_eq(l2tp_v3_msg_decode(b.data, b.len, L2TP_ENCAP_UDP, &a, &m),
				 L2TP_DEC_OK);
	}
}
END_TEST

START_TEST(test_digest_misc)
{
	struct l2tp_v3_auth a = { .secret = (const uint8_t *)"k", .secret_len = 1, .required = true };
	struct l2tp_mbuf b;
	struct l2tp_msg m;
	uint8_t d[L2TP_DIGEST_MAX];

	/* required and absent */
	l2tp_mb_begin_v3(&b, 5, L2TP_MSG_HELLO);
	ck_assert_int_eq(l2tp_v3_msg_decode(b.data, b.len, L2TP_ENCAP_UDP, &a, &m),
			 L2TP_DEC_NO_DIGEST);
	/* a ZLB carries no AVP, so no digest */
	l2tp_mb_begin_v3(&b, 5, L2TP_MSG_ZLB);
	ck_assert_int_eq(l2tp_v3_msg_decode(b.data, b.len, L2TP_ENCAP_UDP, &a, &m), L2TP_DEC_OK);
	a.required = false;
	l2tp_mb_begin_v3(&b, 5, L2TP_MSG_HELLO);
	ck_assert_int_eq(l2tp_v3_msg_decode(b.data, b.len, L2TP_ENCAP_UDP, &a, &m), L2TP_DEC_OK);
	/* the digest must follow Message Type */
	l2tp_mb_begin_v3(&b, 5, L2TP_MSG_HELLO);
	l2tp_mb_u16(&b, false, L2TP_AVP_RECV_WINDOW_SIZE, 4);
	l2tp_mb_digest(&b, L2TP_DIGEST_HMAC_MD5);
	ck_assert(b.overflow);
	/* not in a v2 message, not of an unknown type */
	l2tp_mb_begin(&b, 5, 0, L2TP_MSG_HELLO);
	l2tp_mb_digest(&b, L2TP_DIGEST_HMAC_MD5);
	ck_assert(b.overflow);
	l2tp_mb_begin_v3(&b, 5, L2TP_MSG_HELLO);
	l2tp_mb_digest(&b, (enum l2tp_digest_type)2);
	ck_assert(b.overflow);
	/* digest function bounds */
	ck_assert_uint_eq(l2tp_v3_digest((enum l2tp_digest_type)7, NULL, 0, NULL, 0, NULL, 0,
					 b.data, 20, 0, d), 0);
	ck_assert_uint_eq(l2tp_v3_digest(L2TP_DIGEST_HMAC_SHA1, NULL, 0, NULL, 0, NULL, 0,
					 b.data, 20, 1, d), 0);
	ck_assert_uint_eq(l2tp_v3_digest(L2TP_DIGEST_HMAC_MD5, NULL, 0, NULL, 0, NULL, 0,
					 b.data, 20, 4, d), 16);
	/* signing without a reserved digest leaves the message alone */
	l2tp_mb_begin_v3(&b, 5, L2TP_MSG_HELLO);
	{
		struct l2tp_mbuf c = b;

		l2tp_mb_sign(&b, &a);
		ck_assert_mem_eq(b.data, c.data, b.len);
	}
}
END_TEST

/* ---- hand-written inputs: peer quirks and v3 rules ---- */

/* freeRtr (docs/design.md §6.2): M clear on v3 AVPs, a v2 Challenge, no digest. */
START_TEST(test_freertr_sccrq)
{
	const uint8_t chal[16] = { 0x5a, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	struct raw r;
	struct l2tp_msg m;
	uint8_t ip[200];
	size_t n;

	raw_ctrl(&r, 0);
	raw_avp16(&r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_SCCRQ);
	raw_avp(&r, 0x8000, L2TP_AVP_HOST_NAME, "rtr", 3);
	raw_avp(&r, 0, L2TP_AVP_ROUTER_ID, "\x0a\x00\x00\x09", 4);
	raw_avp(&r, 0, L2TP_AVP_ASSIGNED_CCID, "\x00\x00\x12\x34", 4);
	raw_avp(&r, 0, L2TP_AVP_PW_CAPS, "\x00\x05\x00\x04\x00\x07", 6);
	raw_avp(&r, 0x8000, L2TP_AVP_CHALLENGE, chal, sizeof(chal));
	raw_avp(&r, 0, 200, "x", 1);                 /* unknown, M clear: skipped */
	raw_done(&r);
	n = to_ip(r.b, r.n, ip);
	ck_assert_int_eq(l2tp_v3_msg_decode(ip, n, L2TP_ENCAP_IP, NULL, &m), L2TP_DEC_OK);
	ck_assert_uint_eq(m.assigned_ccid, 0x1234);
	ck_assert_uint_eq(m.router_id, 0x0a000009);
	ck_assert_uint_eq(m.n_pw_caps, 3);
	ck_assert_uint_eq(m.pw_caps[2], L2TP_PW_PPP);
	ck_assert_uint_eq(m.challenge.len, 16);
	ck_assert_mem_eq(m.challenge.data, chal, 16);
	ck_assert_uint_eq(m.skipped_avps, 1);
	ck_assert(!l2tp_msg_has(&m, L2TP_AVP_MESSAGE_DIGEST));
}
END_TEST

START_TEST(test_pw_caps_many)
{
	uint8_t caps[2 * 40];
	struct raw r;
	struct l2tp_msg m;

	for (unsigned i = 0; i < 40; i++) {
		caps[2 * i] = 0;
		caps[2 * i + 1] = (uint8_t)i;
	}
	raw_ctrl(&r, 0);
	raw_avp16(&r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_SCCRQ);
	raw_avp(&r, 0x8000, L2TP_AVP_HOST_NAME, "h", 1);
	raw_avp32(&r, L2TP_AVP_ROUTER_ID, 1);
	raw_avp32(&r, L2TP_AVP_ASSIGNED_CCID, 1);
	raw_avp(&r, 0x8000, L2TP_AVP_PW_CAPS, caps, sizeof(caps));
	raw_done(&r);
	ck_assert_int_eq(l2tp_v3_msg_decode(r.b, r.n, L2TP_ENCAP_UDP, NULL, &m), L2TP_DEC_OK);
	ck_assert_uint_eq(m.n_pw_caps, 40);
	ck_assert_uint_eq(m.pw_caps[L2TP_PW_CAPS_MAX - 1], L2TP_PW_CAPS_MAX - 1);
}
END_TEST

/* Cookie lengths (RFC 3931 §5.4.4): 0, 4, 8 only. */
START_TEST(test_cookie_len)
{
	const uint8_t c[9] = { 9, 8, 7, 6, 5, 4, 3, 2, 1 };
	size_t len = (size_t)_i;
	struct raw r;
	struct l2tp_msg m;
	enum l2tp_decode_err e;

	raw_ctrl(&r, 77);
	raw_avp16(&r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_ICRP);
	raw_avp32(&r, L2TP_AVP_LOCAL_SESSION_ID, 5);
	raw_avp32(&r, L2TP_AVP_REMOTE_SESSION_ID, 6);
	raw_avp(&r, 0x8000, L2TP_AVP_ASSIGNED_COOKIE, c, len);
	raw_done(&r);
	e = l2tp_v3_msg_decode(r.b, r.n, L2TP_ENCAP_UDP, NULL, &m);
	if (len == 0 || len == 4 || len == 8) {
		ck_assert_int_eq(e, L2TP_DEC_OK);
		ck_assert_uint_eq(m.cookie_len, len);
		ck_assert_mem_eq(m.cookie, c, len);
	} else {
		ck_assert_int_eq(e, L2TP_DEC_BAD_COOKIE);
	}
}
END_TEST

/* IDs of 0 where RFC 3931 forbids them. */
struct id_case {
	uint16_t msg;
	uint32_t ccid, lsid, rsid;
	enum l2tp_decode_err e;
	uint16_t bad_avp;
};

static const struct id_case id_cases[] = {
	{ L2TP_MSG_SCCRQ, 0, 0, 0, L2TP_DEC_BAD_ID, L2TP_AVP_ASSIGNED_CCID },
	{ L2TP_MSG_SCCRQ, 1, 0, 0, L2TP_DEC_OK, 0 },
	{ L2TP_MSG_SCCRP, 0, 0, 0, L2TP_DEC_BAD_ID, L2TP_AVP_ASSIGNED_CCID },
	{ L2TP_MSG_ICRQ, 0, 0, 0, L2TP_DEC_BAD_ID, L2TP_AVP_LOCAL_SESSION_ID },
	{ L2TP_MSG_ICRQ, 0, 9, 0, L2TP_DEC_OK, 0 },
	{ L2TP_MSG_ICRP, 0, 9, 0, L2TP_DEC_BAD_ID, L2TP_AVP_REMOTE_SESSION_ID },
	{ L2TP_MSG_ICRP, 0, 0, 9, L2TP_DEC_BAD_ID, L2TP_AVP_LOCAL_SESSION_ID },
	{ L2TP_MSG_ICCN, 0, 9, 0, L2TP_DEC_BAD_ID, L2TP_AVP_REMOTE_SESSION_ID },
	{ L2TP_MSG_ICCN, 0, 9, 8, L2TP_DEC_OK, 0 },
	{ L2TP_MSG_CDN, 0, 0, 8, L2TP_DEC_OK, 0 },    /* a CDN may answer before any ID */
	{ L2TP_MSG_STOPCCN, 0, 0, 0, L2TP_DEC_BAD_ID, L2TP_AVP_ASSIGNED_CCID },
};

START_TEST(test_zero_ids)
{
	const struct id_case *c = &id_cases[_i];
	struct raw r;
	struct l2tp_msg m;
	struct l2tp_v3_answer a;

	raw_ctrl(&r, 3);
	raw_avp16(&r, L2TP_AVP_MESSAGE_TYPE, c->msg);
	switch (c->msg) {
	case L2TP_MSG_SCCRQ:
	case L2TP_MSG_SCCRP:
		raw_avp(&r, 0x8000, L2TP_AVP_HOST_NAME, "h", 1);
		raw_avp32(&r, L2TP_AVP_ROUTER_ID, 1);
		raw_avp32(&r, L2TP_AVP_ASSIGNED_CCID, c->ccid);
		raw_avp(&r, 0x8000, L2TP_AVP_PW_CAPS, "\x00\x05", 2);
		break;
	case L2TP_MSG_STOPCCN:
		raw_avp(&r, 0x8000, L2TP_AVP_RESULT_CODE, "\x00\x01\x00\x00", 4);
		raw_avp32(&r, L2TP_AVP_ASSIGNED_CCID, c->ccid);
		break;
	default:
		if (c->msg == L2TP_MSG_CDN)
			raw_avp(&r, 0x8000, L2TP_AVP_RESULT_CODE, "\x00\x03", 2);
		raw_avp32(&r, L2TP_AVP_LOCAL_SESSION_ID, c->lsid);
		raw_avp32(&r, L2TP_AVP_REMOTE_SESSION_ID, c->rsid);
		if (c->msg == L2TP_MSG_ICRQ) {
			raw_avp32(&r, L2TP_AVP_CALL_SERIAL, 1);
			raw_avp16(&r, L2TP_AVP_PW_TYPE, L2TP_PW_ETH);
		}
		break;
	}
	raw_done(&r);
	ck_assert_int_eq(l2tp_v3_msg_decode(r.b, r.n, L2TP_ENCAP_UDP, NULL, &m), c->e);
	if (c->e != L2TP_DEC_BAD_ID)
		return;
	ck_assert_uint_eq(m.bad_id_avp, c->bad_avp);
	l2tp_v3_answer_for(c->e, &m, false, &a);
	ck_assert(a.send);
	ck_assert_uint_eq(a.msg_type, l2tp_msg_is_session_scope(c->msg) ? L2TP_MSG_CDN :
				      L2TP_MSG_STOPCCN);
	ck_assert_uint_eq(a.result, 2);
	ck_assert_uint_eq(a.error, c->bad_avp == L2TP_AVP_ASSIGNED_CCID ? L2TP_ERR_BAD_VALUE :
				   L2TP_ERR_INVALID_SESSION_ID);
}
END_TEST

/* v3 AVP value lengths the formats forbid. */
static const struct {
	uint16_t type;
	size_t len;
} v3_badlen[] = {
	{ L2TP_AVP_ROUTER_ID, 2 }, { L2TP_AVP_ASSIGNED_CCID, 2 }, { L2TP_AVP_ASSIGNED_CCID, 8 },
	{ L2TP_AVP_PW_CAPS, 0 }, { L2TP_AVP_PW_CAPS, 3 }, { L2TP_AVP_LOCAL_SESSION_ID, 2 },
	{ L2TP_AVP_REMOTE_SESSION_ID, 5 }, { L2TP_AVP_REMOTE_END_ID, 0 },
	{ L2TP_AVP_PW_TYPE, 4 }, { L2TP_AVP_L2_SUBLAYER, 1 }, { L2TP_AVP_DATA_SEQUENCING, 0 },
	{ L2TP_AVP_CIRCUIT_STATUS, 4 }, { L2TP_AVP_AUTH_NONCE, 0 },
	{ L2TP_AVP_TX_CONNECT_SPEED_V3, 4 }, { L2TP_AVP_RX_CONNECT_SPEED_V3, 9 },
	{ L2TP_AVP_MESSAGE_DIGEST, 16 }, { L2TP_AVP_MESSAGE_DIGEST, 22 },
};

START_TEST(test_bad_avp_len)
{
	uint8_t v[32] = { 0 };
	struct raw r;
	struct l2tp_msg m;

	raw_ctrl(&r, 3);
	raw_avp16(&r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_HELLO);
	raw_avp(&r, 0x8000, v3_badlen[_i].type, v, v3_badlen[_i].len);
	raw_done(&r);
	ck_assert_msg(l2tp_v3_msg_decode(r.b, r.n, L2TP_ENCAP_UDP, NULL, &m) ==
		      L2TP_DEC_BAD_AVP_LEN, "type %u len %zu", v3_badlen[_i].type,
		      v3_badlen[_i].len);
}
END_TEST

/* ---- every decode error, and its answer ---- */

static void craft(struct raw *r, enum l2tp_decode_err e, struct l2tp_v3_auth *auth)
{
	const uint8_t v[24] = { 0 };

	raw_ctrl(r, 7);
	switch (e) {
	case L2TP_DEC_OK:
	case L2TP_DEC_ERR_COUNT:
		raw_avp16(r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_HELLO);
		break;
	case L2TP_DEC_SHORT:
		r->n = 9;
		return;
	case L2TP_DEC_BAD_VERSION:
		r->b[1] = 2;
		break;
	case L2TP_DEC_CTRL_FLAGS:
		r->b[0] = 0x88;               /* T and S without L */
		break;
	case L2TP_DEC_LENGTH_MISMATCH:
		raw_done(r);
		r->b[3] = 40;
		return;
	case L2TP_DEC_AVP_SHORT:
		raw_avp16(r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_HELLO);
		raw_u16(r, 0x8000 | 20);
		raw_u16(r, 0);
		raw_u16(r, L2TP_AVP_HOST_NAME);
		break;
	case L2TP_DEC_AVP_RESERVED:
		raw_avp16(r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_HELLO);
		raw_avp(r, 0x8000 | 0x0400, L2TP_AVP_ROUTER_ID, v, 4);
		break;
	case L2TP_DEC_NO_MSG_TYPE:
		raw_avp32(r, L2TP_AVP_ASSIGNED_CCID, 1);
		break;
	case L2TP_DEC_BAD_AVP_LEN:
		raw_avp16(r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_ICCN);
		raw_avp(r, 0x8000, L2TP_AVP_LOCAL_SESSION_ID, v, 2);
		break;
	case L2TP_DEC_HIDDEN_NO_RV:
		raw_avp16(r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_HELLO);
		raw_avp(r, 0xc000, L2TP_AVP_REMOTE_END_ID, v, 8);
		break;
	case L2TP_DEC_HIDDEN_NO_SECRET:
		raw_avp16(r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_HELLO);
		raw_avp(r, 0x8000, L2TP_AVP_RANDOM_VECTOR, v, 16);
		raw_avp(r, 0xc000, L2TP_AVP_REMOTE_END_ID, v, 8);
		auth->secret = NULL;
		break;
	case L2TP_DEC_HIDDEN_BAD:
		raw_avp16(r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_HELLO);
		raw_avp(r, 0xc000, L2TP_AVP_MESSAGE_DIGEST, v, 17);   /* never hidden */
		break;
	case L2TP_DEC_UNKNOWN_MANDATORY:
		raw_avp16(r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_HELLO);
		raw_avp(r, 0x8000, L2TP_AVP_RESERVED67, v, 2);
		break;
	case L2TP_DEC_MISSING_AVP:
		raw_avp16(r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_ICCN);
		raw_avp32(r, L2TP_AVP_LOCAL_SESSION_ID, 1);
		break;
	case L2TP_DEC_UNKNOWN_MSG_TYPE:
		raw_avp16(r, L2TP_AVP_MESSAGE_TYPE, 19);
		break;
	case L2TP_DEC_BAD_ID:
		raw_avp16(r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_ICCN);
		raw_avp32(r, L2TP_AVP_LOCAL_SESSION_ID, 1);
		raw_avp32(r, L2TP_AVP_REMOTE_SESSION_ID, 0);
		break;
	case L2TP_DEC_BAD_COOKIE:
		raw_avp16(r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_ICRP);
		raw_avp32(r, L2TP_AVP_LOCAL_SESSION_ID, 1);
		raw_avp32(r, L2TP_AVP_REMOTE_SESSION_ID, 2);
		raw_avp(r, 0x8000, L2TP_AVP_ASSIGNED_COOKIE, v, 6);
		break;
	case L2TP_DEC_NO_DIGEST:
		raw_avp16(r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_SCCCN);
		auth->required = true;
		break;
	case L2TP_DEC_BAD_DIGEST:
		raw_avp16(r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_SCCCN);
		raw_avp(r, 0x8000, L2TP_AVP_MESSAGE_DIGEST, v, 17);
		break;
	}
	raw_done(r);
}

START_TEST(test_decode_errors)
{
	enum l2tp_decode_err e = (enum l2tp_decode_err)_i;
	struct l2tp_v3_auth auth = { .secret = (const uint8_t *)"s", .secret_len = 1 };
	struct l2tp_v3_answer a;
	struct raw r;
	struct l2tp_msg m;

	craft(&r, e, &auth);
	ck_assert_msg(l2tp_v3_msg_decode(r.b, r.n, L2TP_ENCAP_UDP, &auth, &m) ==
		      (e == L2TP_DEC_ERR_COUNT ? L2TP_DEC_OK : e), "want %s, got %s",
		      l2tp_decode_err_str(e),
		      l2tp_decode_err_str(l2tp_v3_msg_decode(r.b, r.n, L2TP_ENCAP_UDP, &auth, &m)));
	ck_assert_str_ne(l2tp_decode_err_str(e), e == L2TP_DEC_ERR_COUNT ? "" :
						 "unknown decode error");
	l2tp_v3_answer_for(e, &m, false, &a);
	switch (e) {
	case L2TP_DEC_OK: case L2TP_DEC_SHORT: case L2TP_DEC_BAD_VERSION: case L2TP_DEC_CTRL_FLAGS:
	case L2TP_DEC_LENGTH_MISMATCH: case L2TP_DEC_ERR_COUNT:
	case L2TP_DEC_NO_DIGEST: case L2TP_DEC_BAD_DIGEST:       /* not an SCCRQ: dropped */
		ck_assert(!a.send);
		break;
	case L2TP_DEC_UNKNOWN_MSG_TYPE:                           /* M set */
		ck_assert(a.send);
		ck_assert_uint_eq(a.msg_type, L2TP_MSG_STOPCCN);
		ck_assert_uint_eq(a.error, L2TP_ERR_UNKNOWN_MANDATORY_AVP);
		break;
	case L2TP_DEC_AVP_SHORT: case L2TP_DEC_AVP_RESERVED: case L2TP_DEC_NO_MSG_TYPE:
	case L2TP_DEC_HIDDEN_NO_RV: case L2TP_DEC_HIDDEN_NO_SECRET: case L2TP_DEC_HIDDEN_BAD:
	case L2TP_DEC_UNKNOWN_MANDATORY:
		ck_assert(a.send);
		ck_assert_uint_eq(a.msg_type, L2TP_MSG_STOPCCN);   /* HELLO: the connection */
		ck_assert_uint_eq(a.result, L2TP_STOPCCN_GENERAL_ERROR);
		ck_assert_uint_ne(a.error, 0);
		break;
	case L2TP_DEC_BAD_AVP_LEN: case L2TP_DEC_MISSING_AVP: case L2TP_DEC_BAD_ID:
	case L2TP_DEC_BAD_COOKIE:
		ck_assert(a.send);
		ck_assert_uint_eq(a.msg_type, L2TP_MSG_CDN);       /* ICCN, ICRP: the session */
		ck_assert_uint_eq(a.result, L2TP_CDN_GENERAL_ERROR);
		ck_assert_uint_eq(a.error, e == L2TP_DEC_BAD_ID ? L2TP_ERR_INVALID_SESSION_ID :
					   e == L2TP_DEC_MISSING_AVP ? L2TP_ERR_BAD_VALUE :
					   L2TP_ERR_BAD_LENGTH);
		break;
	}
}
END_TEST

START_TEST(test_answers_misc)
{
	struct l2tp_msg m;
	struct l2tp_v3_answer a;

	memset(&m, 0, sizeof(m));
	m.type = L2TP_MSG_SCCRQ;
	l2tp_v3_answer_for(L2TP_DEC_BAD_DIGEST, &m, true, &a);
	ck_assert(a.send);
	ck_assert_uint_eq(a.msg_type, L2TP_MSG_STOPCCN);
	ck_assert_uint_eq(a.result, L2TP_STOPCCN_NOT_AUTHORIZED);
	l2tp_v3_answer_for(L2TP_DEC_NO_DIGEST, &m, true, &a);
	ck_assert_uint_eq(a.result, L2TP_STOPCCN_NOT_AUTHORIZED);
	m.type = 19;
	m.type_mandatory = false;
	l2tp_v3_answer_for(L2TP_DEC_UNKNOWN_MSG_TYPE, &m, false, &a);
	ck_assert(!a.send);
	ck_assert_str_eq(l2tp_msg_type_str(L2TP_MSG_ACK), "ACK");
	ck_assert_str_eq(l2tp_avp_type_str(L2TP_AVP_AUTH_NONCE),
			 "Control Message Authentication Nonce");
	ck_assert_str_eq(l2tp_avp_type_str(L2TP_AVP_RESERVED67), "unknown");
	ck_assert_str_eq(l2tp_result_str(L2TP_MSG_CDN, L2TP_CDN_PW_TYPE_UNSUPPORTED),
			 "unsupported pseudowire type");
	for (unsigned t = L2TP_AVP_EXTENDED_VENDOR_ID; t < L2TP_AVP_TYPE_COUNT; t++)
		if (t != L2TP_AVP_RESERVED67)
			ck_assert_str_ne(l2tp_avp_type_str((uint16_t)t), "unknown");
}
END_TEST

/* With authentication on, only a verified message (or an SCCRQ) is answered. */
START_TEST(test_answers_authenticated)
{
	struct l2tp_v3_auth auth = { .secret = (const uint8_t *)"k", .secret_len = 1,
				     .our_nonce = (const uint8_t *)"ours", .our_nonce_len = 4,
				     .peer_nonce = (const uint8_t *)"theirs", .peer_nonce_len = 6 };
	struct l2tp_v3_auth peer = auth;
	struct l2tp_v3_answer a;
	struct l2tp_mbuf b;
	struct l2tp_msg m;

	peer.our_nonce = auth.peer_nonce;          /* the peer signs with its nonce first */
	peer.our_nonce_len = auth.peer_nonce_len;
	peer.peer_nonce = auth.our_nonce;
	peer.peer_nonce_len = auth.our_nonce_len;
	/* an unknown message type with M, signed: answered with StopCCN */
	l2tp_mb_begin_v3(&b, 9, 19);
	l2tp_mb_digest(&b, L2TP_DIGEST_HMAC_SHA1);
	l2tp_mb_sign(&b, &peer);
	ck_assert_int_eq(l2tp_v3_msg_decode(b.data, b.len, L2TP_ENCAP_UDP, &auth, &m),
			 L2TP_DEC_UNKNOWN_MSG_TYPE);
	ck_assert(m.digest_ok);
	l2tp_v3_answer_for(L2TP_DEC_UNKNOWN_MSG_TYPE, &m, true, &a);
	ck_assert(a.send);
	ck_assert_uint_eq(a.msg_type, L2TP_MSG_STOPCCN);
	/* the same, signed with the wrong nonce order: refused, not answered */
	l2tp_mb_sign(&b, &auth);
	ck_assert_int_eq(l2tp_v3_msg_decode(b.data, b.len, L2TP_ENCAP_UDP, &auth, &m),
			 L2TP_DEC_BAD_DIGEST);
	ck_assert(!m.digest_ok);
	l2tp_v3_answer_for(L2TP_DEC_BAD_DIGEST, &m, true, &a);
	ck_assert(!a.send);
	/* a malformed ICCN never verified: a CDN without authentication, nothing with it */
	l2tp_mb_begin_v3(&b, 9, L2TP_MSG_ICCN);
	l2tp_mb_u16(&b, true, L2TP_AVP_LOCAL_SESSION_ID, 1);
	ck_assert_int_eq(l2tp_v3_msg_decode(b.data, b.len, L2TP_ENCAP_UDP, NULL, &m),
			 L2TP_DEC_BAD_AVP_LEN);
	l2tp_v3_answer_for(L2TP_DEC_BAD_AVP_LEN, &m, false, &a);
	ck_assert(a.send);
	ck_assert_uint_eq(a.msg_type, L2TP_MSG_CDN);
	l2tp_v3_answer_for(L2TP_DEC_BAD_AVP_LEN, &m, true, &a);
	ck_assert(!a.send);
}
END_TEST

/* A v2 decoder does not take v3 AVPs: unknown, and mandatory when M is set. */
START_TEST(test_v2_ignores_v3_avps)
{
	struct l2tp_mbuf b;
	struct l2tp_msg m;

	l2tp_mb_begin(&b, 1, 0, L2TP_MSG_HELLO);
	l2tp_mb_u32(&b, false, L2TP_AVP_ROUTER_ID, 1);
	ck_assert_int_eq(l2tp_msg_decode(b.data, b.len, NULL, 0, &m), L2TP_DEC_OK);
	ck_assert_uint_eq(m.skipped_avps, 1);
	l2tp_mb_u32(&b, true, L2TP_AVP_ASSIGNED_CCID, 1);
	ck_assert_int_eq(l2tp_msg_decode(b.data, b.len, NULL, 0, &m), L2TP_DEC_UNKNOWN_MANDATORY);
	ck_assert_uint_eq(m.unknown_type, L2TP_AVP_ASSIGNED_CCID);
	/* ACK is a v3 message type */
	l2tp_mb_begin(&b, 1, 0, L2TP_MSG_ACK);
	ck_assert_int_eq(l2tp_msg_decode(b.data, b.len, NULL, 0, &m), L2TP_DEC_UNKNOWN_MSG_TYPE);
	/* l2tp_mb_id: 16 bits in v2, 32 in v3 */
	l2tp_mb_begin(&b, 1, 0, L2TP_MSG_HELLO);
	l2tp_mb_id(&b, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, 0x10000);
	ck_assert(b.overflow);
	l2tp_mb_begin_v3(&b, 1, L2TP_MSG_HELLO);
	l2tp_mb_id(&b, true, L2TP_AVP_ASSIGNED_CCID, 0x10000);
	ck_assert(!b.overflow);
	ck_assert_uint_eq(b.len, 12 + 8 + 10);
}
END_TEST

/* ---- second opinion: Wireshark's dissector on every v3 message, UDP and IP ---- */

static void pcap_put(FILE *f, const void *p, size_t n)
{
	ck_assert_uint_eq(fwrite(p, 1, n, f), n);
}

/* One IPv4 datagram, LINKTYPE_RAW (101): UDP 1701 -> 1701, or protocol 115. */
static void pcap_add(FILE *f, const uint8_t *msg, size_t len, uint32_t n, bool udp)
{
	size_t hl = udp ? 28 : 20;
	uint32_t rec[4] = { 1700000000u + n, 0, (uint32_t)(hl + len), (uint32_t)(hl + len) };
	uint8_t ip[28] = { 0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 17, 0, 0,
			   192, 0, 2, 1, 192, 0, 2, 2,
			   0x06, 0xa5, 0x06, 0xa5, 0, 0, 0, 0 };
	uint32_t sum = 0;
	size_t i;

	if (!udp)
		ip[9] = L2TP_IPPROTO;
	if (n % 2) {                    /* the answers come back from the other side */
		ip[15] = 2;
		ip[19] = 1;
	}
	ip[2] = (uint8_t)((hl + len) >> 8);
	ip[3] = (uint8_t)(hl + len);
	ip[24] = (uint8_t)((8 + len) >> 8);
	ip[25] = (uint8_t)(8 + len);
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = (uint8_t)(~sum >> 8);
	ip[11] = (uint8_t)~sum;
	pcap_put(f, rec, sizeof(rec));
	pcap_put(f, ip, hl);
	pcap_put(f, msg, len);
}

static const char *const tshark_names[] = {
	[L2TP_MSG_ZLB] = "ZLB", [L2TP_MSG_SCCRQ] = "SCCRQ", [L2TP_MSG_SCCRP] = "SCCRP",
	[L2TP_MSG_SCCCN] = "SCCCN", [L2TP_MSG_STOPCCN] = "StopCCN", [L2TP_MSG_HELLO] = "Hello",
	[L2TP_MSG_OCRQ] = "OCRQ", [L2TP_MSG_OCRP] = "OCRP", [L2TP_MSG_OCCN] = "OCCN",
	[L2TP_MSG_ICRQ] = "ICRQ", [L2TP_MSG_ICRP] = "ICRP", [L2TP_MSG_ICCN] = "ICCN",
	[L2TP_MSG_CDN] = "CDN", [L2TP_MSG_WEN] = "WEN", [L2TP_MSG_SLI] = "SLI",
	[L2TP_MSG_ACK] = "ACK",
};

/*
 * Run tshark on path; count packets it calls L2TPv3, lines with
 * Malformed / expert errors or warnings, and check the Info column of each
 * packet names the message type we sent (want[i]).
 */
static void tshark_check(const char *path, const char *prefs, const uint16_t *want, unsigned n)
{
	char cmd[512], line[1024];
	unsigned l2tp = 0, bad = 0, i = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "tshark -n -r %s %s -V -d udp.port==1701,l2tp 2>/dev/null", path,
		 prefs);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (fgets(line, sizeof(line), p)) {
		if (strncmp(line, "Layer 2 Tunneling Protocol version 3", 36) == 0)
			l2tp++;
		if (strstr(line, "Malformed") || strstr(line, "Expert Info (Error") ||
		    strstr(line, "Expert Info (Warning") || strstr(line, "ncorrect")) {
			printf("tshark: %s", line);
			bad++;
		}
	}
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_uint_eq(l2tp, n);
	ck_assert_uint_eq(bad, 0);

	/* The one-line summary: "Control Message - <TYPE> (ccid=...)" per packet. */
	snprintf(cmd, sizeof(cmd), "tshark -n -r %s %s -d udp.port==1701,l2tp -T fields "
		 "-e _ws.col.Info 2>/dev/null", path, prefs);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (fgets(line, sizeof(line), p)) {
		char name[32];

		ck_assert_uint_lt(i, n);
		snprintf(name, sizeof(name), "- %s ", tshark_names[want[i]]);
		ck_assert_msg(strstr(line, name), "packet %u: want %s, tshark says %s", i,
			      tshark_names[want[i]], line);
		i++;
	}
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_uint_eq(i, n);
}

START_TEST(test_tshark)
{
	const uint32_t ghdr[6] = { 0xa1b2c3d4u, 0x00040002u, 0, 0, 65535, 101 };
	char path[] = "/tmp/lnsd-test-msg-v3-XXXXXX", prefs[160];
	uint16_t want[2 * 16 + 8];
	uint8_t ip[L2TP_MAX_MSG + 4];
	struct l2tp_mbuf b;
	unsigned i, n = 0;
	FILE *f;
	int fd;

	if (system("command -v tshark >/dev/null 2>&1") != 0) {
		printf("test_tshark: skipped, tshark not installed (apt install tshark)\n");
		return;
	}
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "wb");
	ck_assert_ptr_nonnull(f);
	pcap_put(f, ghdr, sizeof(ghdr));
	for (i = 0; i < sizeof(v3_types) / sizeof(v3_types[0]); i++) {
		build_v3(&b, v3_types[i]);
		want[n] = v3_types[i];
		pcap_add(f, b.data, b.len, n++, true);
		want[n] = v3_types[i];
		pcap_add(f, ip, l2tp_v3_frame(&b, L2TP_ENCAP_IP, ip, sizeof(ip)), n++, false);
	}
	ck_assert_int_eq(fclose(f), 0);
	tshark_check(path, "", want, n);
	unlink(path);

	/*
	 * The signed vectors, in conversation order (the SCCRQ and the SCCRP
	 * carry the nonces): Wireshark checks each Message Digest with the
	 * secret and says "incorrect" when it disagrees.
	 */
	strcpy(path, "/tmp/lnsd-test-msg-v3-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "wb");
	ck_assert_ptr_nonnull(f);
	pcap_put(f, ghdr, sizeof(ghdr));
	n = 0;
	for (i = 0; i < sizeof(v3kat) / sizeof(v3kat[0]); i++) {
		want[n] = v3kat[i].type;
		/* A's messages go A -> B (even n), B's come back (odd n). */
		if ((v3kat[i].snd == 'B') != (n % 2 == 1)) {
			build_v3(&b, L2TP_MSG_ZLB);     /* a filler in the right direction */
			memcpy(b.data + 4, v3kat[1].msg + 4, 4);
			want[n] = L2TP_MSG_ZLB;
			pcap_add(f, b.data, b.len, n++, true);
			want[n] = v3kat[i].type;
		}
		pcap_add(f, v3kat[i].msg, v3kat[i].len, n++, true);
	}
	ck_assert_int_eq(fclose(f), 0);
	snprintf(prefs, sizeof(prefs), "-o l2tp.shared_secret:%.*s", (int)sizeof(v3kat_secret),
		 (const char *)v3kat_secret);
	tshark_check(path, prefs, want, n);
	unlink(path);
}
END_TEST

static Suite *v3_suite(void)
{
	Suite *s = suite_create("l2tp_msg_v3");
	TCase *tc = tcase_create("codec");

	tcase_add_test(tc, test_hdr_udp_ctrl);
	tcase_add_test(tc, test_hdr_ip_ctrl);
	tcase_add_loop_test(tc, test_hdr_data, 0, sizeof(data_cases) / sizeof(data_cases[0]));
	tcase_add_loop_test(tc, test_round_trip, 0, sizeof(v3_types) / sizeof(v3_types[0]));
	tcase_add_loop_test(tc, test_missing_avp, 0, sizeof(v3_types) / sizeof(v3_types[0]));
	tcase_add_test(tc, test_freertr_sccrq);
	tcase_add_test(tc, test_pw_caps_many);
	tcase_add_loop_test(tc, test_cookie_len, 0, 10);
	tcase_add_loop_test(tc, test_zero_ids, 0, sizeof(id_cases) / sizeof(id_cases[0]));
	tcase_add_loop_test(tc, test_bad_avp_len, 0, sizeof(v3_badlen) / sizeof(v3_badlen[0]));
	tcase_add_loop_test(tc, test_decode_errors, 0, L2TP_DEC_ERR_COUNT + 1);
	tcase_add_test(tc, test_answers_misc);
	tcase_add_test(tc, test_answers_authenticated);
	tcase_add_test(tc, test_v2_ignores_v3_avps);
	suite_add_tcase(s, tc);

	tc = tcase_create("digest");
	tcase_add_loop_test(tc, test_digest_kat, 0, sizeof(v3kat) / sizeof(v3kat[0]));
	tcase_add_loop_test(tc, test_digest_encode, 0, sizeof(v3kat) / sizeof(v3kat[0]));
	tcase_add_test(tc, test_digest_misc);
	suite_add_tcase(s, tc);

	tc = tcase_create("tshark");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_tshark);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(v3_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
