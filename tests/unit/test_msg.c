// SPDX-License-Identifier: GPL-2.0-or-later
/* Tests for the L2TPv2 codec (lib/l2tp/l2tp_msg.c): RFC 2661 §3-4 and peer quirks. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nettle/md5.h>

#include "l2tp_msg.h"

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

/* Control header T|L|S, version 2; length fixed up by raw_done(). */
static void raw_ctrl(struct raw *r, uint16_t tid, uint16_t sid)
{
	r->n = 0;
	raw_u16(r, 0xc802);
	raw_u16(r, 0);
	raw_u16(r, tid);
	raw_u16(r, sid);
	raw_u16(r, 0);
	raw_u16(r, 0);
}

/* flags: M (0x8000), H (0x4000) or reserved bits; length computed. */
static void raw_avp(struct raw *r, uint16_t flags, uint16_t vendor, uint16_t type,
		    const void *v, size_t len)
{
	raw_u16(r, (uint16_t)(flags | (6 + len)));
	raw_u16(r, vendor);
	raw_u16(r, type);
	if (len)
		raw_put(r, v, len);
}

static void raw_avp16(struct raw *r, uint16_t type, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	raw_avp(r, 0x8000, 0, type, x, 2);
}

static void raw_done(struct raw *r)
{
	r->b[2] = (uint8_t)(r->n >> 8);
	r->b[3] = (uint8_t)r->n;
}

static enum l2tp_decode_err dec(const struct raw *r, struct l2tp_msg *m)
{
	return l2tp_msg_decode(r->b, r->n, NULL, 0, m);
}

/* A HELLO (no mandatory AVPs besides its type) carrying one extra AVP. */
static void raw_hello_with(struct raw *r, uint16_t flags, uint16_t vendor, uint16_t type,
			   const void *v, size_t len)
{
	raw_ctrl(r, 7, 0);
	raw_avp16(r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_HELLO);
	raw_avp(r, flags, vendor, type, v, len);
	raw_done(r);
}

/* ---- header ---- */

struct hdr_case {
	const char *name;
	uint8_t pkt[32];
	size_t len;
	enum l2tp_decode_err want;
	bool ctrl;
	size_t payload_off;
	uint16_t tid, sid;
};

static const struct hdr_case hdr_cases[] = {
	{ "data minimal", { 0x00, 0x02, 0x00, 0x05, 0x00, 0x06, 0xff, 0x03 }, 8,
	  L2TP_DEC_OK, false, 6, 5, 6 },
	{ "data L", { 0x40, 0x02, 0x00, 0x08, 0x00, 0x05, 0x00, 0x06 }, 8,
	  L2TP_DEC_OK, false, 8, 5, 6 },
	{ "data L shorter than datagram", { 0x40, 0x02, 0x00, 0x08, 0x00, 0x05, 0x00, 0x06,
					    0xaa, 0xbb }, 10, L2TP_DEC_OK, false, 8, 5, 6 },
	{ "data L longer than datagram", { 0x40, 0x02, 0x00, 0x09, 0x00, 0x05, 0x00, 0x06 }, 8,
	  L2TP_DEC_LENGTH_MISMATCH, false, 0, 0, 0 },
	{ "data L shorter than header", { 0x40, 0x02, 0x00, 0x04, 0x00, 0x05, 0x00, 0x06 }, 8,
	  L2TP_DEC_LENGTH_MISMATCH, false, 0, 0, 0 },
	{ "data S", { 0x08, 0x02, 0x00, 0x05, 0x00, 0x06, 0x00, 0x01, 0x00, 0x02 }, 10,
	  L2TP_DEC_OK, false, 10, 5, 6 },
	{ "data O with pad", { 0x02, 0x02, 0x00, 0x05, 0x00, 0x06, 0x00, 0x03, 0, 0, 0, 0xff },
	  12, L2TP_DEC_OK, false, 11, 5, 6 },
	{ "data O pad beyond", { 0x02, 0x02, 0x00, 0x05, 0x00, 0x06, 0x00, 0x09, 0, 0 }, 10,
	  L2TP_DEC_SHORT, false, 0, 0, 0 },
	{ "data all bits", { 0x4b, 0x02, 0x00, 0x10, 0x00, 0x05, 0x00, 0x06, 0, 1, 0, 2,
			     0x00, 0x02, 0, 0 }, 16, L2TP_DEC_OK, false, 16, 5, 6 },
	{ "ctrl", { 0xc8, 0x02, 0x00, 0x0c, 0x00, 0x05, 0x00, 0x06, 0, 1, 0, 2 }, 12,
	  L2TP_DEC_OK, true, 12, 5, 6 },
	{ "ctrl no L", { 0x88, 0x02, 0x00, 0x05, 0x00, 0x06, 0, 1, 0, 2 }, 10,
	  L2TP_DEC_CTRL_FLAGS, true, 0, 0, 0 },
	{ "ctrl no S", { 0xc0, 0x02, 0x00, 0x08, 0x00, 0x05, 0x00, 0x06 }, 8,
	  L2TP_DEC_CTRL_FLAGS, true, 0, 0, 0 },
	{ "ctrl O", { 0xca, 0x02, 0x00, 0x0e, 0x00, 0x05, 0x00, 0x06, 0, 1, 0, 2, 0, 0 }, 14,
	  L2TP_DEC_CTRL_FLAGS, true, 0, 0, 0 },
	{ "ctrl P", { 0xc9, 0x02, 0x00, 0x0c, 0x00, 0x05, 0x00, 0x06, 0, 1, 0, 2 }, 12,
	  L2TP_DEC_CTRL_FLAGS, true, 0, 0, 0 },
	{ "version 3", { 0xc8, 0x03, 0x00, 0x0c, 0x00, 0x05, 0x00, 0x06, 0, 1, 0, 2 }, 12,
	  L2TP_DEC_BAD_VERSION, true, 0, 0, 0 },
	{ "version 1 (L2F)", { 0xc8, 0x01 }, 2, L2TP_DEC_BAD_VERSION, true, 0, 0, 0 },
	{ "one byte", { 0xc8 }, 1, L2TP_DEC_SHORT, false, 0, 0, 0 },
	{ "ctrl truncated", { 0xc8, 0x02, 0x00, 0x0c, 0x00, 0x05, 0x00 }, 7,
	  L2TP_DEC_SHORT, true, 0, 0, 0 },
};

START_TEST(test_hdr)
{
	const struct hdr_case *c = &hdr_cases[_i];
	struct l2tp_hdr h;

	ck_assert_msg(l2tp_hdr_decode(c->pkt, c->len, &h) == c->want, "%s", c->name);
	if (c->want != L2TP_DEC_OK)
		return;
	ck_assert_msg(h.is_ctrl == c->ctrl, "%s", c->name);
	ck_assert_uint_eq(h.payload_off, c->payload_off);
	ck_assert_uint_eq(h.tunnel_id, c->tid);
	ck_assert_uint_eq(h.session_id, c->sid);
	ck_assert_uint_eq(h.version, 2);
}
END_TEST

START_TEST(test_hdr_fields)
{
	const uint8_t p[] = { 0xc8, 0x02, 0x00, 0x0c, 0x12, 0x34, 0x56, 0x78,
			      0xab, 0xcd, 0xef, 0x01 };
	struct l2tp_hdr h;

	ck_assert_int_eq(l2tp_hdr_decode(p, sizeof(p), &h), L2TP_DEC_OK);
	ck_assert(h.is_ctrl && h.has_len && h.has_seq && !h.has_off && !h.prio);
	ck_assert_uint_eq(h.length, 12);
	ck_assert_uint_eq(h.tunnel_id, 0x1234);
	ck_assert_uint_eq(h.session_id, 0x5678);
	ck_assert_uint_eq(h.ns, 0xabcd);
	ck_assert_uint_eq(h.nr, 0xef01);
	ck_assert_uint_eq(h.flags, 0xc802);
}
END_TEST

/* ---- round trip of every message type the encoder builds ---- */

static const uint8_t rt_tie[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t rt_chal[16] = "0123456789abcdef";

static void build_msg(struct l2tp_mbuf *b, uint16_t type)
{
	l2tp_mb_begin(b, 0x1111, l2tp_msg_is_session_scope(type) ? 0x2222 : 0, type);
	switch ((enum l2tp_msg_type)type) {
	case L2TP_MSG_SCCRQ:
	case L2TP_MSG_SCCRP:
		l2tp_mb_protocol_version(b);
		l2tp_mb_str(b, true, L2TP_AVP_HOST_NAME, "lns.example");
		l2tp_mb_u32(b, true, L2TP_AVP_FRAMING_CAPS, L2TP_FRAMING_SYNC | L2TP_FRAMING_ASYNC);
		l2tp_mb_u32(b, false, L2TP_AVP_BEARER_CAPS, L2TP_BEARER_ANALOG);
		l2tp_mb_u16(b, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, 0xbeef);
		l2tp_mb_u16(b, false, L2TP_AVP_RECV_WINDOW_SIZE, 16);
		l2tp_mb_u16(b, false, L2TP_AVP_FIRMWARE_REV, 0x0100);
		l2tp_mb_str(b, false, L2TP_AVP_VENDOR_NAME, "lnsd");
		l2tp_mb_bytes(b, false, L2TP_AVP_TIE_BREAKER, rt_tie, sizeof(rt_tie));
		l2tp_mb_bytes(b, true, L2TP_AVP_CHALLENGE, rt_chal, sizeof(rt_chal));
		if (type == L2TP_MSG_SCCRP)
			l2tp_mb_bytes(b, true, L2TP_AVP_CHALLENGE_RESPONSE, rt_chal, 16);
		break;
	case L2TP_MSG_SCCCN:
		l2tp_mb_bytes(b, true, L2TP_AVP_CHALLENGE_RESPONSE, rt_chal, 16);
		break;
	case L2TP_MSG_STOPCCN:
		l2tp_mb_u16(b, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, 0xbeef);
		l2tp_mb_result(b, L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_BAD_VALUE, "bad");
		break;
	case L2TP_MSG_OCRQ:
		l2tp_mb_u16(b, true, L2TP_AVP_ASSIGNED_SESSION_ID, 0xcafe);
		l2tp_mb_u32(b, true, L2TP_AVP_CALL_SERIAL, 77);
		l2tp_mb_u32(b, true, L2TP_AVP_MIN_BPS, 9600);
		l2tp_mb_u32(b, true, L2TP_AVP_MAX_BPS, 1000000);
		l2tp_mb_u32(b, true, L2TP_AVP_BEARER_TYPE, L2TP_BEARER_DIGITAL);
		l2tp_mb_u32(b, true, L2TP_AVP_FRAMING_TYPE, L2TP_FRAMING_SYNC);
		l2tp_mb_str(b, true, L2TP_AVP_CALLED_NUMBER, "5551234");
		break;
	case L2TP_MSG_OCRP:
		l2tp_mb_u16(b, true, L2TP_AVP_ASSIGNED_SESSION_ID, 0xcafe);
		l2tp_mb_u32(b, false, L2TP_AVP_PHYS_CHANNEL_ID, 3);
		break;
	case L2TP_MSG_OCCN:
	case L2TP_MSG_ICCN:
		l2tp_mb_u32(b, true, L2TP_AVP_TX_CONNECT_SPEED, 100000000);
		l2tp_mb_u32(b, true, L2TP_AVP_FRAMING_TYPE, L2TP_FRAMING_SYNC);
		l2tp_mb_u32(b, false, L2TP_AVP_RX_CONNECT_SPEED, 50000000);
		break;
	case L2TP_MSG_ICRQ:
		l2tp_mb_u16(b, true, L2TP_AVP_ASSIGNED_SESSION_ID, 0xcafe);
		l2tp_mb_u32(b, true, L2TP_AVP_CALL_SERIAL, 77);
		l2tp_mb_str(b, false, L2TP_AVP_CALLING_NUMBER, "10.0.0.2");
		break;
	case L2TP_MSG_ICRP:
		l2tp_mb_u16(b, true, L2TP_AVP_ASSIGNED_SESSION_ID, 0xcafe);
		break;
	case L2TP_MSG_CDN:
		l2tp_mb_result(b, L2TP_CDN_ADMIN, 0, NULL);
		l2tp_mb_u16(b, true, L2TP_AVP_ASSIGNED_SESSION_ID, 0xcafe);
		break;
	case L2TP_MSG_WEN: {
		const uint8_t ce[26] = { 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3,
					 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 6 };

		l2tp_mb_bytes(b, true, L2TP_AVP_CALL_ERRORS, ce, sizeof(ce));
		break;
	}
	case L2TP_MSG_SLI: {
		const uint8_t accm[10] = { 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0 };

		l2tp_mb_bytes(b, true, L2TP_AVP_ACCM, accm, sizeof(accm));
		break;
	}
	case L2TP_MSG_ZLB:
	case L2TP_MSG_HELLO:
	case L2TP_MSG_RESERVED5:
	case L2TP_MSG_RESERVED13:
	case L2TP_MSG_TYPE_COUNT:
	case L2TP_MSG_ACK:                /* v3 only: test_msg_v3.c */
	case L2TP_MSG_V3_TYPE_COUNT:
		break;
	}
}

static const uint16_t rt_types[] = {
	L2TP_MSG_ZLB, L2TP_MSG_SCCRQ, L2TP_MSG_SCCRP, L2TP_MSG_SCCCN, L2TP_MSG_STOPCCN,
	L2TP_MSG_HELLO, L2TP_MSG_OCRQ, L2TP_MSG_OCRP, L2TP_MSG_OCCN, L2TP_MSG_ICRQ,
	L2TP_MSG_ICRP, L2TP_MSG_ICCN, L2TP_MSG_CDN, L2TP_MSG_WEN, L2TP_MSG_SLI,
};

START_TEST(test_round_trip)
{
	uint16_t type = rt_types[_i];
	struct l2tp_mbuf b;
	struct l2tp_msg m;

	build_msg(&b, type);
	ck_assert(!b.overflow);
	ck_assert_uint_eq(b.data[2] << 8 | b.data[3], b.len);
	ck_assert_int_eq(l2tp_msg_decode(b.data, b.len, NULL, 0, &m), L2TP_DEC_OK);
	ck_assert_uint_eq(m.type, type);
	ck_assert_uint_eq(m.hdr.tunnel_id, 0x1111);
	ck_assert_uint_eq(m.hdr.length, b.len);
	switch ((enum l2tp_msg_type)type) {
	case L2TP_MSG_ZLB:
		ck_assert_uint_eq(b.len, 12);
		ck_assert_uint_eq(m.present, 0);
		break;
	case L2TP_MSG_SCCRQ:
	case L2TP_MSG_SCCRP:
		ck_assert_uint_eq(m.protocol_version, 1);
		ck_assert_uint_eq(m.protocol_revision, 0);
		ck_assert_str_eq(m.host_name, "lns.example");
		ck_assert_str_eq(m.vendor_name, "lnsd");
		ck_assert_uint_eq(m.framing_caps, 3);
		ck_assert_uint_eq(m.bearer_caps, 2);
		ck_assert_uint_eq(m.assigned_tunnel_id, 0xbeef);
		ck_assert_uint_eq(m.rx_window, 16);
		ck_assert_uint_eq(m.firmware_rev, 0x0100);
		ck_assert_mem_eq(m.tie_breaker, rt_tie, 8);
		ck_assert_uint_eq(m.challenge.len, 16);
		ck_assert_mem_eq(m.challenge.data, rt_chal, 16);
		ck_assert(l2tp_msg_has(&m, L2TP_AVP_TIE_BREAKER));
		ck_assert(l2tp_msg_has(&m, L2TP_AVP_CHALLENGE_RESPONSE) == (type == L2TP_MSG_SCCRP));
		break;
	case L2TP_MSG_SCCCN:
		ck_assert_mem_eq(m.challenge_response, rt_chal, 16);
		break;
	case L2TP_MSG_STOPCCN:
		ck_assert_uint_eq(m.result_code, L2TP_STOPCCN_GENERAL_ERROR);
		ck_assert(m.has_error_code);
		ck_assert_uint_eq(m.error_code, L2TP_ERR_BAD_VALUE);
		ck_assert_str_eq(m.error_msg, "bad");
		break;
	case L2TP_MSG_OCRQ:
		ck_assert_uint_eq(m.call_serial, 77);
		ck_assert_uint_eq(m.min_bps, 9600);
		ck_assert_uint_eq(m.max_bps, 1000000);
		ck_assert_uint_eq(m.bearer_type, 1);
		ck_assert_uint_eq(m.framing_type, 1);
		ck_assert_str_eq(m.called_number, "5551234");
		break;
	case L2TP_MSG_OCRP:
		ck_assert_uint_eq(m.phys_channel_id, 3);
		break;
	case L2TP_MSG_OCCN:
	case L2TP_MSG_ICCN:
		ck_assert_uint_eq(m.tx_connect_speed, 100000000);
		ck_assert_uint_eq(m.rx_connect_speed, 50000000);
		ck_assert_uint_eq(m.framing_type, 1);
		break;
	case L2TP_MSG_ICRQ:
		ck_assert_uint_eq(m.assigned_session_id, 0xcafe);
		ck_assert_uint_eq(m.call_serial, 77);
		ck_assert_str_eq(m.calling_number, "10.0.0.2");
		break;
	case L2TP_MSG_ICRP:
		ck_assert_uint_eq(m.assigned_session_id, 0xcafe);
		break;
	case L2TP_MSG_CDN:
		ck_assert_uint_eq(m.result_code, L2TP_CDN_ADMIN);
		ck_assert_uint_eq(m.error_code, 0);
		ck_assert_str_eq(m.error_msg, "");
		ck_assert_uint_eq(m.assigned_session_id, 0xcafe);
		ck_assert_uint_eq(m.hdr.session_id, 0x2222);
		break;
	case L2TP_MSG_WEN:
		ck_assert_uint_eq(m.call_errors.crc, 1);
		ck_assert_uint_eq(m.call_errors.alignment, 6);
		break;
	case L2TP_MSG_SLI:
		ck_assert_uint_eq(m.accm_send, 0xffffffff);
		ck_assert_uint_eq(m.accm_recv, 0);
		break;
	case L2TP_MSG_HELLO:
	case L2TP_MSG_RESERVED5:
	case L2TP_MSG_RESERVED13:
	case L2TP_MSG_TYPE_COUNT:
	case L2TP_MSG_ACK:                /* v3 only: test_msg_v3.c */
	case L2TP_MSG_V3_TYPE_COUNT:
		break;
	}
}
END_TEST

START_TEST(test_encoder_bytes)
{
	/* ICRP, tid 0x0102 sid 0x0304, Assigned Session ID 0x0506: RFC 2661 §3.1, §4.1. */
	const uint8_t want[] = {
		0xc8, 0x02, 0x00, 0x1c, 0x01, 0x02, 0x03, 0x04, 0, 0, 0, 0,
		0x80, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b,
		0x80, 0x08, 0x00, 0x00, 0x00, 0x0e, 0x05, 0x06,
	};
	struct l2tp_mbuf b;

	l2tp_mb_begin(&b, 0x0102, 0x0304, L2TP_MSG_ICRP);
	l2tp_mb_u16(&b, true, L2TP_AVP_ASSIGNED_SESSION_ID, 0x0506);
	ck_assert_uint_eq(b.len, sizeof(want));
	ck_assert_mem_eq(b.data, want, sizeof(want));
}
END_TEST

START_TEST(test_encoder_overflow)
{
	static char big[1100];
	struct l2tp_mbuf b;
	int i;

	memset(big, 'x', sizeof(big) - 1);
	l2tp_mb_begin(&b, 1, 0, L2TP_MSG_HELLO);
	l2tp_mb_str(&b, false, L2TP_AVP_VENDOR_NAME, big);   /* > 1023: one AVP can't hold it */
	ck_assert(b.overflow);

	l2tp_mb_begin(&b, 1, 0, L2TP_MSG_HELLO);
	ck_assert(!b.overflow);
	big[1000] = '\0';
	for (i = 0; i < 5 && !b.overflow; i++)
		l2tp_mb_str(&b, false, L2TP_AVP_VENDOR_NAME, big);
	ck_assert(b.overflow);
	ck_assert_uint_le(b.len, L2TP_MAX_MSG);
	l2tp_mb_u16(&b, true, L2TP_AVP_ASSIGNED_SESSION_ID, 1);  /* stays unusable */
	ck_assert(b.overflow);

	/* Hiding without a Random Vector would leak the value: refused. */
	l2tp_mb_begin(&b, 1, 0, L2TP_MSG_HELLO);
	l2tp_mb_str_hidden(&b, true, L2TP_AVP_HOST_NAME, "x");
	ck_assert(b.overflow);
}
END_TEST

/*
 * IDs are 32 bits above the wire (l2tp_proto.h); the v2 header and the
 * Assigned Tunnel/Session ID AVPs hold 16. The encoder takes an ID up to
 * 0xffff and refuses a wider one (overflow: the message is unusable) rather
 * than send its low 16 bits.
 */
enum wide_where { W_HDR_TID, W_HDR_SID, W_AVP_TID, W_AVP_SID, W_HID_TID, W_HID_SID };
static const struct {
	enum wide_where where;
	uint32_t id;
} wide_cases[] = {
	{ W_HDR_TID, 0xffff }, { W_HDR_TID, 0x10000 }, { W_HDR_TID, 0x1abcd },
	{ W_HDR_TID, 0xffffffff }, { W_HDR_SID, 0xffff }, { W_HDR_SID, 0x10000 },
	{ W_HDR_SID, 0x7fff0001 }, { W_AVP_TID, 0xffff }, { W_AVP_TID, 0x10000 },
	{ W_AVP_TID, 0x1abcd }, { W_AVP_SID, 0xffff }, { W_AVP_SID, 0xffffffff },
	{ W_HID_TID, 0xffff }, { W_HID_TID, 0x1abcd }, { W_HID_SID, 0xffff },
	{ W_HID_SID, 0x10000 },
};

START_TEST(test_encoder_wide_ids)
{
	const uint8_t rv[16] = "0123456789abcdef";
	const uint8_t secret[] = "wide";
	enum wide_where w = wide_cases[_i].where;
	uint32_t id = wide_cases[_i].id;
	bool fits = id <= L2TP_V2_ID_MAX;
	struct l2tp_mbuf b;
	struct l2tp_msg m;

	l2tp_mb_begin(&b, w == W_HDR_TID ? id : 1, w == W_HDR_SID ? id : 2, L2TP_MSG_ICRP);
	ck_assert(b.overflow == (fits ? false : w == W_HDR_TID || w == W_HDR_SID));
	l2tp_mb_random_vector(&b, rv, secret, sizeof(secret) - 1);
	if (w == W_AVP_TID || w == W_AVP_SID)
		l2tp_mb_id(&b, true, w == W_AVP_TID ? L2TP_AVP_ASSIGNED_TUNNEL_ID
						    : L2TP_AVP_ASSIGNED_SESSION_ID, id);
	else if (w == W_HID_TID || w == W_HID_SID)
		l2tp_mb_id_hidden(&b, true, w == W_HID_TID ? L2TP_AVP_ASSIGNED_TUNNEL_ID
							   : L2TP_AVP_ASSIGNED_SESSION_ID, id);
	if (w != W_AVP_SID && w != W_HID_SID)
		l2tp_mb_id(&b, true, L2TP_AVP_ASSIGNED_SESSION_ID, 3);   /* mandatory in ICRP */
	ck_assert_msg(b.overflow == !fits, "case %d: id 0x%x overflow %d", _i, id, b.overflow);
	if (!fits)
		return;
	ck_assert_int_eq(l2tp_msg_decode(b.data, b.len, secret, sizeof(secret) - 1, &m),
			 L2TP_DEC_OK);
	switch (w) {
	case W_HDR_TID: ck_assert_uint_eq(m.hdr.tunnel_id, id); break;
	case W_HDR_SID: ck_assert_uint_eq(m.hdr.session_id, id); break;
	case W_AVP_TID:
	case W_HID_TID: ck_assert_uint_eq(m.assigned_tunnel_id, id); break;
	case W_AVP_SID:
	case W_HID_SID: ck_assert_uint_eq(m.assigned_session_id, id); break;
	}
}
END_TEST

/* ---- every AVP decoded with its value (RFC 2661 §4.4) ---- */

struct avp_case {
	const char *name;
	uint16_t type;
	uint8_t v[40];
	size_t len;
};

static const struct avp_case avp_cases[] = {
	{ "protocol version", L2TP_AVP_PROTOCOL_VERSION, { 1, 0 }, 2 },
	{ "framing caps", L2TP_AVP_FRAMING_CAPS, { 0, 0, 0, 3 }, 4 },
	{ "bearer caps", L2TP_AVP_BEARER_CAPS, { 0, 0, 0, 2 }, 4 },
	{ "tie breaker", L2TP_AVP_TIE_BREAKER, { 9, 8, 7, 6, 5, 4, 3, 2 }, 8 },
	{ "firmware", L2TP_AVP_FIRMWARE_REV, { 0x06, 0x90 }, 2 },
	{ "host name", L2TP_AVP_HOST_NAME, "lac1", 4 },
	{ "vendor name", L2TP_AVP_VENDOR_NAME, "Cisco Systems, Inc.", 19 },
	{ "vendor name empty", L2TP_AVP_VENDOR_NAME, "", 0 },
	{ "tunnel id", L2TP_AVP_ASSIGNED_TUNNEL_ID, { 0xab, 0xcd }, 2 },
	{ "rx window", L2TP_AVP_RECV_WINDOW_SIZE, { 0, 8 }, 2 },
	{ "challenge", L2TP_AVP_CHALLENGE, { 1 }, 1 },
	{ "q931", L2TP_AVP_Q931_CAUSE, { 0, 16, 0x5a, 'o', 'k' }, 5 },
	{ "challenge response", L2TP_AVP_CHALLENGE_RESPONSE, "ABCDEFGHIJKLMNOP", 16 },
	{ "challenge response + cisco extra", L2TP_AVP_CHALLENGE_RESPONSE,
	  "ABCDEFGHIJKLMNOPxyz", 19 },
	{ "session id", L2TP_AVP_ASSIGNED_SESSION_ID, { 0x12, 0x34 }, 2 },
	{ "call serial", L2TP_AVP_CALL_SERIAL, { 1, 2, 3, 4 }, 4 },
	{ "min bps", L2TP_AVP_MIN_BPS, { 0, 0, 0x25, 0x80 }, 4 },
	{ "max bps", L2TP_AVP_MAX_BPS, { 0, 0x98, 0x96, 0x80 }, 4 },
	{ "bearer type", L2TP_AVP_BEARER_TYPE, { 0, 0, 0, 1 }, 4 },
	{ "framing type", L2TP_AVP_FRAMING_TYPE, { 0, 0, 0, 2 }, 4 },
	{ "called", L2TP_AVP_CALLED_NUMBER, "0123", 4 },
	{ "calling", L2TP_AVP_CALLING_NUMBER, "192.0.2.7", 9 },
	{ "sub-address", L2TP_AVP_SUB_ADDRESS, "42", 2 },
	{ "tx speed", L2TP_AVP_TX_CONNECT_SPEED, { 0x05, 0xf5, 0xe1, 0x00 }, 4 },
	{ "phys channel", L2TP_AVP_PHYS_CHANNEL_ID, { 0, 0, 1, 0 }, 4 },
	{ "initial rcvd lcp", L2TP_AVP_INITIAL_RCVD_LCP_CONFREQ,
	  { 1, 4, 5, 0xdc, 5, 6, 0x11, 0x22, 0x33, 0x44 }, 10 },
	{ "last sent lcp", L2TP_AVP_LAST_SENT_LCP_CONFREQ, { 3, 5, 0xc2, 0x23, 5 }, 5 },
	{ "last rcvd lcp", L2TP_AVP_LAST_RCVD_LCP_CONFREQ, { 1, 4, 5, 0xd4 }, 4 },
	{ "proxy authen type", L2TP_AVP_PROXY_AUTHEN_TYPE, { 0, 2 }, 2 },
	{ "proxy authen name", L2TP_AVP_PROXY_AUTHEN_NAME, "alice@isp", 9 },
	{ "proxy authen challenge", L2TP_AVP_PROXY_AUTHEN_CHALLENGE, "0123456789abcdef", 16 },
	{ "proxy authen id", L2TP_AVP_PROXY_AUTHEN_ID, { 0, 0x2a }, 2 },
	{ "proxy authen response", L2TP_AVP_PROXY_AUTHEN_RESPONSE, "fedcba9876543210", 16 },
	{ "proxy authen response empty", L2TP_AVP_PROXY_AUTHEN_RESPONSE, "", 0 },
	{ "call errors", L2TP_AVP_CALL_ERRORS, { 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3,
						 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 1, 0 }, 26 },
	{ "accm", L2TP_AVP_ACCM, { 0, 0, 0, 0x0a, 0, 0, 0xff, 0xff, 0xff, 0xff }, 10 },
	{ "random vector", L2TP_AVP_RANDOM_VECTOR, { 0xde, 0xad, 0xbe, 0xef }, 4 },
	{ "private group", L2TP_AVP_PRIVATE_GROUP_ID, "grp-7", 5 },
	{ "rx speed", L2TP_AVP_RX_CONNECT_SPEED, { 0, 0, 0x3e, 0x80 }, 4 },
	{ "sequencing required", L2TP_AVP_SEQUENCING_REQUIRED, { 0 }, 0 },
};

static uint32_t be(const uint8_t *v, size_t n)
{
	uint32_t x = 0;
	size_t i;

	for (i = 0; i < n; i++)
		x = x << 8 | v[i];
	return x;
}

static void blob_eq(const struct l2tp_blob *b, const struct avp_case *c)
{
	ck_assert_uint_eq(b->len, c->len);
	ck_assert_mem_eq(b->data, c->v, c->len);
}

static void str_eq(const char *s, const struct avp_case *c)
{
	ck_assert_uint_eq(strlen(s), c->len);
	ck_assert_mem_eq(s, c->v, c->len);
}

/* Each field checked against the raw bytes, as RFC 2661 §4.4 lays them out. */
static void check_avp_field(const struct l2tp_msg *m, const struct avp_case *c)
{
	const uint8_t *v = c->v;

	switch ((enum l2tp_avp_type)c->type) {
	case L2TP_AVP_PROTOCOL_VERSION:
		ck_assert_uint_eq(m->protocol_version, 1);
		ck_assert_uint_eq(m->protocol_revision, 0);
		break;
	case L2TP_AVP_FRAMING_CAPS: ck_assert_uint_eq(m->framing_caps, 3); break;
	case L2TP_AVP_BEARER_CAPS: ck_assert_uint_eq(m->bearer_caps, 2); break;
	case L2TP_AVP_TIE_BREAKER: ck_assert_mem_eq(m->tie_breaker, v, 8); break;
	case L2TP_AVP_FIRMWARE_REV: ck_assert_uint_eq(m->firmware_rev, 0x0690); break;
	case L2TP_AVP_HOST_NAME: str_eq(m->host_name, c); break;
	case L2TP_AVP_VENDOR_NAME: str_eq(m->vendor_name, c); break;
	case L2TP_AVP_ASSIGNED_TUNNEL_ID: ck_assert_uint_eq(m->assigned_tunnel_id, 0xabcd); break;
	case L2TP_AVP_RECV_WINDOW_SIZE: ck_assert_uint_eq(m->rx_window, 8); break;
	case L2TP_AVP_CHALLENGE:
		ck_assert_uint_eq(m->challenge.len, c->len);
		ck_assert_mem_eq(m->challenge.data, c->v, c->len);
		break;
	case L2TP_AVP_Q931_CAUSE:
		ck_assert_uint_eq(m->q931_cause, 16);
		ck_assert_uint_eq(m->q931_msg, 0x5a);
		ck_assert_str_eq(m->q931_advisory, "ok");
		break;
	case L2TP_AVP_CHALLENGE_RESPONSE:
		ck_assert_mem_eq(m->challenge_response, "ABCDEFGHIJKLMNOP", 16);
		break;
	case L2TP_AVP_ASSIGNED_SESSION_ID: ck_assert_uint_eq(m->assigned_session_id, 0x1234); break;
	case L2TP_AVP_CALL_SERIAL: ck_assert_uint_eq(m->call_serial, 0x01020304); break;
	case L2TP_AVP_MIN_BPS: ck_assert_uint_eq(m->min_bps, 9600); break;
	case L2TP_AVP_MAX_BPS: ck_assert_uint_eq(m->max_bps, 10000000); break;
	case L2TP_AVP_BEARER_TYPE: ck_assert_uint_eq(m->bearer_type, 1); break;
	case L2TP_AVP_FRAMING_TYPE: ck_assert_uint_eq(m->framing_type, 2); break;
	case L2TP_AVP_CALLED_NUMBER: str_eq(m->called_number, c); break;
	case L2TP_AVP_CALLING_NUMBER: str_eq(m->calling_number, c); break;
	case L2TP_AVP_SUB_ADDRESS: str_eq(m->sub_address, c); break;
	case L2TP_AVP_TX_CONNECT_SPEED: ck_assert_uint_eq(m->tx_connect_speed, 100000000); break;
	case L2TP_AVP_PHYS_CHANNEL_ID: ck_assert_uint_eq(m->phys_channel_id, 256); break;
	case L2TP_AVP_INITIAL_RCVD_LCP_CONFREQ: blob_eq(&m->initial_rcvd_lcp_confreq, c); break;
	case L2TP_AVP_LAST_SENT_LCP_CONFREQ: blob_eq(&m->last_sent_lcp_confreq, c); break;
	case L2TP_AVP_LAST_RCVD_LCP_CONFREQ: blob_eq(&m->last_rcvd_lcp_confreq, c); break;
	case L2TP_AVP_PROXY_AUTHEN_TYPE:
		ck_assert_uint_eq(m->proxy_authen_type, L2TP_PROXY_AUTH_CHAP);
		break;
	case L2TP_AVP_PROXY_AUTHEN_NAME: str_eq(m->proxy_authen_name, c); break;
	case L2TP_AVP_PROXY_AUTHEN_CHALLENGE: blob_eq(&m->proxy_authen_challenge, c); break;
	case L2TP_AVP_PROXY_AUTHEN_ID: ck_assert_uint_eq(m->proxy_authen_id, 42); break;
	case L2TP_AVP_PROXY_AUTHEN_RESPONSE: blob_eq(&m->proxy_authen_response, c); break;
	case L2TP_AVP_CALL_ERRORS:
		ck_assert_uint_eq(m->call_errors.crc, 1);
		ck_assert_uint_eq(m->call_errors.framing, 2);
		ck_assert_uint_eq(m->call_errors.hw_overruns, 3);
		ck_assert_uint_eq(m->call_errors.buf_overruns, 4);
		ck_assert_uint_eq(m->call_errors.timeout, 5);
		ck_assert_uint_eq(m->call_errors.alignment, 256);
		break;
	case L2TP_AVP_ACCM:
		ck_assert_uint_eq(m->accm_send, 0x000a0000);
		ck_assert_uint_eq(m->accm_recv, 0xffffffff);
		break;
	case L2TP_AVP_RANDOM_VECTOR: blob_eq(&m->random_vector, c); break;
	case L2TP_AVP_PRIVATE_GROUP_ID: blob_eq(&m->private_group_id, c); break;
	case L2TP_AVP_RX_CONNECT_SPEED: ck_assert_uint_eq(m->rx_connect_speed, be(v, 4)); break;
	case L2TP_AVP_SEQUENCING_REQUIRED:
	case L2TP_AVP_MESSAGE_TYPE:
	case L2TP_AVP_RESULT_CODE:
	case L2TP_AVP_RESERVED20:
	case L2TP_AVP_TYPE_COUNT:
		break;
	/* v3 AVPs are unknown to the v2 decoder: test_msg_v3.c */
	case L2TP_AVP_V2_TYPE_COUNT: case L2TP_AVP_EXTENDED_VENDOR_ID: case L2TP_AVP_MESSAGE_DIGEST:
	case L2TP_AVP_ROUTER_ID: case L2TP_AVP_ASSIGNED_CCID: case L2TP_AVP_PW_CAPS:
	case L2TP_AVP_LOCAL_SESSION_ID: case L2TP_AVP_REMOTE_SESSION_ID:
	case L2TP_AVP_ASSIGNED_COOKIE: case L2TP_AVP_REMOTE_END_ID: case L2TP_AVP_RESERVED67:
	case L2TP_AVP_PW_TYPE: case L2TP_AVP_L2_SUBLAYER: case L2TP_AVP_DATA_SEQUENCING:
	case L2TP_AVP_CIRCUIT_STATUS: case L2TP_AVP_PREFERRED_LANGUAGE: case L2TP_AVP_AUTH_NONCE:
	case L2TP_AVP_TX_CONNECT_SPEED_V3: case L2TP_AVP_RX_CONNECT_SPEED_V3:
		ck_abort_msg("v3 AVP %u in a v2 case", c->type);
		break;
	}
}

START_TEST(test_avp_decode)
{
	const struct avp_case *c = &avp_cases[_i];
	struct raw r;
	struct l2tp_msg m;

	raw_hello_with(&r, 0x8000, 0, c->type, c->v, c->len);
	ck_assert_msg(dec(&r, &m) == L2TP_DEC_OK, "%s", c->name);
	ck_assert_uint_eq(m.type, L2TP_MSG_HELLO);
	ck_assert_msg(l2tp_msg_has(&m, c->type), "%s", c->name);
	ck_assert_uint_eq(m.present, (UINT64_C(1) << c->type) | 1);
	ck_assert_uint_eq(m.hidden, 0);
	check_avp_field(&m, c);
}
END_TEST

/* Lengths the format forbids (value lengths; RFC 2661 §4.4). */
struct badlen_case {
	uint16_t type;
	size_t len;
};

static const struct badlen_case badlen_cases[] = {
	{ L2TP_AVP_MESSAGE_TYPE, 3 },     /* a second Message Type AVP, wrong size */
	{ L2TP_AVP_RESULT_CODE, 0 }, { L2TP_AVP_RESULT_CODE, 1 }, { L2TP_AVP_RESULT_CODE, 3 },
	{ L2TP_AVP_PROTOCOL_VERSION, 1 }, { L2TP_AVP_PROTOCOL_VERSION, 3 },
	{ L2TP_AVP_FRAMING_CAPS, 2 }, { L2TP_AVP_BEARER_CAPS, 5 },
	{ L2TP_AVP_TIE_BREAKER, 7 }, { L2TP_AVP_TIE_BREAKER, 9 },
	{ L2TP_AVP_FIRMWARE_REV, 4 }, { L2TP_AVP_HOST_NAME, 0 },
	{ L2TP_AVP_ASSIGNED_TUNNEL_ID, 1 }, { L2TP_AVP_ASSIGNED_TUNNEL_ID, 4 },
	{ L2TP_AVP_RECV_WINDOW_SIZE, 0 }, { L2TP_AVP_CHALLENGE, 0 },
	{ L2TP_AVP_Q931_CAUSE, 2 }, { L2TP_AVP_CHALLENGE_RESPONSE, 15 },
	{ L2TP_AVP_ASSIGNED_SESSION_ID, 3 }, { L2TP_AVP_CALL_SERIAL, 2 },
	{ L2TP_AVP_MIN_BPS, 8 }, { L2TP_AVP_MAX_BPS, 3 }, { L2TP_AVP_BEARER_TYPE, 0 },
	{ L2TP_AVP_FRAMING_TYPE, 2 }, { L2TP_AVP_TX_CONNECT_SPEED, 5 },
	{ L2TP_AVP_PHYS_CHANNEL_ID, 1 }, { L2TP_AVP_PROXY_AUTHEN_TYPE, 1 },
	{ L2TP_AVP_PROXY_AUTHEN_CHALLENGE, 0 }, { L2TP_AVP_PROXY_AUTHEN_ID, 4 },
	{ L2TP_AVP_INITIAL_RCVD_LCP_CONFREQ, L2TP_BLOB_MAX + 1 },
	{ L2TP_AVP_CALL_ERRORS, 24 }, { L2TP_AVP_CALL_ERRORS, 27 },
	{ L2TP_AVP_ACCM, 8 }, { L2TP_AVP_ACCM, 11 },
	{ L2TP_AVP_RANDOM_VECTOR, 0 }, { L2TP_AVP_RX_CONNECT_SPEED, 2 },
	{ L2TP_AVP_SEQUENCING_REQUIRED, 1 },
};

START_TEST(test_avp_bad_len)
{
	static const uint8_t zeros[L2TP_BLOB_MAX + 8];
	const struct badlen_case *c = &badlen_cases[_i];
	struct raw r;
	struct l2tp_msg m;

	raw_hello_with(&r, 0x8000, 0, c->type, zeros, c->len);
	ck_assert_msg(dec(&r, &m) == L2TP_DEC_BAD_AVP_LEN, "type %u len %zu",
		      (unsigned)c->type, c->len);
}
END_TEST

START_TEST(test_string_truncated)
{
	char name[600];
	struct raw r;
	struct l2tp_msg m;

	memset(name, 'h', sizeof(name));
	raw_hello_with(&r, 0x8000, 0, L2TP_AVP_HOST_NAME, name, sizeof(name));
	ck_assert_int_eq(dec(&r, &m), L2TP_DEC_OK);
	ck_assert_uint_eq(strlen(m.host_name), L2TP_NAME_MAX - 1);
}
END_TEST

/* ---- Result Code forms and quirks (RFC 2661 §4.4.2, docs/design.md §6.3) ---- */

struct result_case {
	const char *name;
	uint8_t v[16];
	size_t len;
	uint16_t result, error;
	bool has_error;
	const char *msg;
};

static const struct result_case result_cases[] = {
	{ "plain", { 0, 2, 0, 6 }, 4, 2, 6, true, "" },
	{ "with message", { 0, 2, 0, 3, 'b', 'a', 'd' }, 7, 2, 3, true, "bad" },
	{ "mikrotik: no error code", { 0, 1 }, 2, 1, 0, false, "" },
	{ "apple: swapped error code", { 0, 2, 0x08, 0x00 }, 4, 2, 8, true, "" },
	{ "apple: swapped, with message", { 0, 2, 0x06, 0x00, 'x' }, 5, 2, 6, true, "x" },
	{ "unknown large error code kept", { 0, 2, 0x12, 0x34 }, 4, 2, 0x1234, true, "" },
	{ "error code 0", { 0, 3, 0, 0 }, 4, 3, 0, true, "" },
	/* StopCCN result 5 carries a version, not an error: 0x0100 is 1.0, never swapped. */
	{ "bad version: 1.0 kept", { 0, 5, 0x01, 0x00 }, 4, 5, 0x0100, true, "" },
};

START_TEST(test_result_code)
{
	const struct result_case *c = &result_cases[_i];
	struct raw r;
	struct l2tp_msg m;

	raw_ctrl(&r, 7, 0);
	raw_avp16(&r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_STOPCCN);
	raw_avp16(&r, L2TP_AVP_ASSIGNED_TUNNEL_ID, 99);
	raw_avp(&r, 0x8000, 0, L2TP_AVP_RESULT_CODE, c->v, c->len);
	raw_done(&r);
	ck_assert_msg(dec(&r, &m) == L2TP_DEC_OK, "%s", c->name);
	ck_assert_uint_eq(m.result_code, c->result);
	ck_assert_uint_eq(m.error_code, c->error);
	ck_assert(m.has_error_code == c->has_error);
	ck_assert_str_eq(m.error_msg, c->msg);
}
END_TEST

/* ---- vendor and unknown AVPs (RFC 2661 §4.1) ---- */

START_TEST(test_vendor_avp)
{
	const uint8_t v[4] = { 1, 2, 3, 4 };
	struct raw r;
	struct l2tp_msg m;

	/* Without M: skipped and counted; the rest of the message still decodes. */
	raw_ctrl(&r, 7, 0);
	raw_avp16(&r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_ICRQ);
	raw_avp(&r, 0, 9, 1, v, sizeof(v));               /* Cisco vendor AVP */
	raw_avp(&r, 0, 0, 77, v, sizeof(v));              /* unknown IETF type */
	raw_avp(&r, 0, 0, L2TP_AVP_RESERVED20, v, 2);
	raw_avp16(&r, L2TP_AVP_ASSIGNED_SESSION_ID, 0x4242);
	raw_avp(&r, 0x8000, 0, L2TP_AVP_CALL_SERIAL, v, 4);
	raw_done(&r);
	ck_assert_int_eq(dec(&r, &m), L2TP_DEC_OK);
	ck_assert_uint_eq(m.skipped_avps, 3);
	ck_assert_uint_eq(m.assigned_session_id, 0x4242);

	/* With M: refused, but header, type and assigned IDs are still there. */
	raw_ctrl(&r, 7, 0);
	raw_avp16(&r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_SCCRQ);
	raw_avp(&r, 0x8000, 311, 5, v, sizeof(v));
	raw_avp16(&r, L2TP_AVP_ASSIGNED_TUNNEL_ID, 0x5151);
	raw_avp(&r, 0x8000, 0, 99, v, sizeof(v));         /* second one: first is reported */
	raw_done(&r);
	ck_assert_int_eq(dec(&r, &m), L2TP_DEC_UNKNOWN_MANDATORY);
	ck_assert_uint_eq(m.unknown_vendor, 311);
	ck_assert_uint_eq(m.unknown_type, 5);
	ck_assert_uint_eq(m.type, L2TP_MSG_SCCRQ);
	ck_assert_uint_eq(m.assigned_tunnel_id, 0x5151);
	ck_assert_uint_eq(m.hdr.tunnel_id, 7);
	ck_assert(!l2tp_msg_is_session_scope(m.type));
}
END_TEST

START_TEST(test_unknown_msg_type)
{
	struct raw r;
	struct l2tp_msg m;
	const uint8_t t[2] = { 0, 200 };

	raw_ctrl(&r, 7, 0);
	raw_avp(&r, 0x8000, 0, L2TP_AVP_MESSAGE_TYPE, t, 2);
	raw_avp16(&r, L2TP_AVP_ASSIGNED_TUNNEL_ID, 0x77);
	raw_done(&r);
	ck_assert_int_eq(dec(&r, &m), L2TP_DEC_UNKNOWN_MSG_TYPE);
	ck_assert(m.type_mandatory);
	ck_assert_uint_eq(m.type, 200);
	ck_assert_uint_eq(m.assigned_tunnel_id, 0x77);

	/* §3.2: without M the caller may ignore it; the flag tells it so. */
	raw_ctrl(&r, 7, 0);
	raw_avp(&r, 0, 0, L2TP_AVP_MESSAGE_TYPE, t, 2);
	raw_done(&r);
	ck_assert_int_eq(dec(&r, &m), L2TP_DEC_UNKNOWN_MSG_TYPE);
	ck_assert(!m.type_mandatory);
}
END_TEST

/* ---- every decode error provoked (enum l2tp_decode_err) ---- */

static void craft(struct raw *r, enum l2tp_decode_err e)
{
	const uint8_t v[16] = { 0 };

	raw_ctrl(r, 7, 0);
	switch (e) {
	case L2TP_DEC_OK:
		raw_avp16(r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_HELLO);
		break;
	case L2TP_DEC_SHORT:
		r->n = 9;
		return;
	case L2TP_DEC_BAD_VERSION:
		r->b[1] = 3;
		break;
	case L2TP_DEC_CTRL_FLAGS:
		r->b[0] = 0x80;               /* T without L and S */
		break;
	case L2TP_DEC_LENGTH_MISMATCH:
		raw_done(r);
		r->b[3] = 40;
		return;
	case L2TP_DEC_AVP_SHORT:
		raw_avp16(r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_HELLO);
		raw_u16(r, 0x8000 | 20);      /* claims 20 bytes, 6 present */
		raw_u16(r, 0);
		raw_u16(r, L2TP_AVP_HOST_NAME);
		break;
	case L2TP_DEC_AVP_RESERVED:
		raw_avp16(r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_HELLO);
		raw_avp(r, 0x8000 | 0x0400, 0, L2TP_AVP_FIRMWARE_REV, v, 2);
		break;
	case L2TP_DEC_NO_MSG_TYPE:
		raw_avp16(r, L2TP_AVP_ASSIGNED_TUNNEL_ID, 1);
		break;
	case L2TP_DEC_BAD_AVP_LEN:
		raw_avp16(r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_HELLO);
		raw_avp(r, 0x8000, 0, L2TP_AVP_TIE_BREAKER, v, 4);
		break;
	case L2TP_DEC_HIDDEN_NO_RV:
		raw_avp16(r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_HELLO);
		raw_avp(r, 0xc000, 0, L2TP_AVP_HOST_NAME, v, 8);
		break;
	case L2TP_DEC_HIDDEN_NO_SECRET:
		raw_avp16(r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_HELLO);
		raw_avp(r, 0x8000, 0, L2TP_AVP_RANDOM_VECTOR, v, 16);
		raw_avp(r, 0xc000, 0, L2TP_AVP_HOST_NAME, v, 8);
		break;
	case L2TP_DEC_HIDDEN_BAD:
		raw_avp16(r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_HELLO);
		raw_avp(r, 0x8000, 0, L2TP_AVP_RANDOM_VECTOR, v, 16);
		raw_avp(r, 0xc000, 0, L2TP_AVP_HOST_NAME, v, 1);  /* no room for the length */
		break;
	case L2TP_DEC_UNKNOWN_MANDATORY:
		raw_avp16(r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_HELLO);
		raw_avp(r, 0x8000, 0, 300, v, 2);
		break;
	case L2TP_DEC_MISSING_AVP:
		raw_avp16(r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_ICRQ);
		raw_avp16(r, L2TP_AVP_ASSIGNED_SESSION_ID, 1);
		break;
	case L2TP_DEC_UNKNOWN_MSG_TYPE:
		raw_avp16(r, L2TP_AVP_MESSAGE_TYPE, L2TP_MSG_RESERVED13);
		break;
	case L2TP_DEC_BAD_ID:           /* v3 only: test_msg_v3.c provokes them */
	case L2TP_DEC_BAD_COOKIE:
	case L2TP_DEC_NO_DIGEST:
	case L2TP_DEC_BAD_DIGEST:
	case L2TP_DEC_ERR_COUNT:
		break;
	}
	raw_done(r);
}

START_TEST(test_decode_errors)
{
	enum l2tp_decode_err e = (enum l2tp_decode_err)_i;
	const uint8_t secret[] = "s";
	struct raw r;
	struct l2tp_msg m;

	if (e >= L2TP_DEC_BAD_ID)     /* v3 only */
		return;
	craft(&r, e);
	ck_assert_msg(l2tp_msg_decode(r.b, r.n,
				      e == L2TP_DEC_HIDDEN_NO_SECRET ? NULL : secret,
				      e == L2TP_DEC_HIDDEN_NO_SECRET ? 0 : 1, &m) == e,
		      "want %s", l2tp_decode_err_str(e));
	ck_assert_str_ne(l2tp_decode_err_str(e), "unknown decode error");
}
END_TEST

/* §6: each message type's mandatory AVPs; dropping any one is refused. */
START_TEST(test_missing_avp)
{
	uint16_t type = rt_types[_i];
	struct l2tp_mbuf b;
	struct l2tp_msg m;
	size_t off, next, alen;
	uint16_t atype;
	int refused = 0;

	build_msg(&b, type);
	/* Walk the encoded AVPs after Message Type; cut each mandatory one out. */
	for (off = 20; off < b.len; off = next) {
		struct l2tp_mbuf cut = b;

		alen = (b.data[off] << 8 | b.data[off + 1]) & 0x3ff;
		atype = (uint16_t)(b.data[off + 4] << 8 | b.data[off + 5]);
		next = off + alen;
		memmove(cut.data + off, cut.data + next, b.len - next);
		cut.len -= alen;
		cut.data[2] = (uint8_t)(cut.len >> 8);
		cut.data[3] = (uint8_t)cut.len;
		if (l2tp_msg_decode(cut.data, cut.len, NULL, 0, &m) == L2TP_DEC_MISSING_AVP) {
			ck_assert_uint_eq(m.missing_avp, atype);
			refused++;
		}
	}
	switch ((enum l2tp_msg_type)type) {
	case L2TP_MSG_SCCRQ: case L2TP_MSG_SCCRP: case L2TP_MSG_OCRQ:
		ck_assert_int_eq(refused, type == L2TP_MSG_OCRQ ? 7 : 4);
		break;
	case L2TP_MSG_STOPCCN: case L2TP_MSG_OCCN: case L2TP_MSG_ICRQ:
	case L2TP_MSG_ICCN: case L2TP_MSG_CDN:
		ck_assert_int_eq(refused, 2);
		break;
	case L2TP_MSG_OCRP: case L2TP_MSG_ICRP: case L2TP_MSG_WEN: case L2TP_MSG_SLI:
		ck_assert_int_eq(refused, 1);
		break;
	case L2TP_MSG_ZLB: case L2TP_MSG_SCCCN: case L2TP_MSG_HELLO:
	case L2TP_MSG_RESERVED5: case L2TP_MSG_RESERVED13: case L2TP_MSG_TYPE_COUNT:
	case L2TP_MSG_ACK: case L2TP_MSG_V3_TYPE_COUNT:
		ck_assert_int_eq(refused, 0);
		break;
	}
}
END_TEST

START_TEST(test_zlb_and_trailing)
{
	struct l2tp_mbuf b;
	struct l2tp_msg m;
	uint8_t pkt[20];

	l2tp_mb_begin(&b, 5, 0, L2TP_MSG_ZLB);
	ck_assert_uint_eq(b.len, L2TP_CTRL_HDR_LEN);
	ck_assert_uint_eq(b.data[0], 0xc8);
	ck_assert_uint_eq(b.data[1], 0x02);
	/* Datagram padding after the Length is ignored (see l2tp_hdr_decode). */
	memset(pkt, 0xee, sizeof(pkt));
	memcpy(pkt, b.data, b.len);
	ck_assert_int_eq(l2tp_msg_decode(pkt, sizeof(pkt), NULL, 0, &m), L2TP_DEC_OK);
	ck_assert_uint_eq(m.type, L2TP_MSG_ZLB);
	/* A data packet is not a control message. */
	pkt[0] = 0x40;
	ck_assert_int_eq(l2tp_msg_decode(pkt, sizeof(pkt), NULL, 0, &m), L2TP_DEC_CTRL_FLAGS);
}
END_TEST

START_TEST(test_names)
{
	unsigned i;

	for (i = 0; i < L2TP_DEC_ERR_COUNT; i++)
		ck_assert_ptr_nonnull(l2tp_decode_err_str((enum l2tp_decode_err)i));
	ck_assert_str_eq(l2tp_msg_type_str(L2TP_MSG_SCCRQ), "SCCRQ");
	ck_assert_str_eq(l2tp_msg_type_str(L2TP_MSG_CDN), "CDN");
	ck_assert_str_eq(l2tp_msg_type_str(L2TP_MSG_ZLB), "ZLB");
	ck_assert_str_eq(l2tp_msg_type_str(5), "unknown");
	ck_assert_str_eq(l2tp_msg_type_str(999), "unknown");
	for (i = 0; i < L2TP_AVP_V2_TYPE_COUNT; i++)
		if (i != L2TP_AVP_RESERVED20)
			ck_assert_str_ne(l2tp_avp_type_str((uint16_t)i), "unknown");
	ck_assert_str_eq(l2tp_avp_type_str(L2TP_AVP_RESERVED20), "unknown");
	ck_assert_str_eq(l2tp_result_str(L2TP_MSG_STOPCCN, 3), "control channel already exists");
	ck_assert_str_eq(l2tp_result_str(L2TP_MSG_CDN, 3), "administrative");
	ck_assert_str_eq(l2tp_result_str(L2TP_MSG_CDN, 11), "no appropriate framing");
	ck_assert_str_eq(l2tp_result_str(L2TP_MSG_STOPCCN, 11), "unknown");
	ck_assert_str_eq(l2tp_error_str(L2TP_ERR_UNKNOWN_MANDATORY_AVP), "unknown mandatory AVP");
	ck_assert_str_eq(l2tp_error_str(9), "unknown");
	for (i = 0; i < 300; i++)
		ck_assert(l2tp_msg_is_session_scope((uint16_t)i) ==
			  (i == 7 || i == 8 || i == 9 || i == 10 || i == 11 || i == 12 ||
			   i == 14 || i == 15 || i == 16));
}
END_TEST

/* ---- hidden AVPs and Challenge Response, vectors from gen_vectors.py ---- */

struct hidden_vec {
	const char *name;
	uint16_t type;
	uint8_t secret[80];
	size_t secret_len;
	uint8_t value[64];
	size_t value_len;
	uint8_t msg[160];
	size_t msg_len;
	bool encodable;      /* network-order type, no padding, 16-byte RV */
};

struct chal_vec {
	uint8_t chap_id;
	uint8_t secret[64];
	size_t secret_len;
	uint8_t challenge[64];
	size_t challenge_len;
	uint8_t response[16];
};

#include "data/msg/hidden_vectors.inc"

#define HV_RV_OFF 26         /* header 12 + Message Type AVP 8 + RV AVP header 6 */

static void check_hidden_value(const struct l2tp_msg *m, const struct hidden_vec *v)
{
	struct avp_case c = { .name = v->name, .type = v->type, .len = v->value_len };

	memcpy(c.v, v->value, v->value_len < sizeof(c.v) ? v->value_len : sizeof(c.v));
	switch (v->type) {
	case L2TP_AVP_HOST_NAME: str_eq(m->host_name, &c); break;
	case L2TP_AVP_CALLED_NUMBER: str_eq(m->called_number, &c); break;
	case L2TP_AVP_PROXY_AUTHEN_NAME:
		ck_assert_uint_eq(strlen(m->proxy_authen_name), v->value_len);
		ck_assert_mem_eq(m->proxy_authen_name, v->value, v->value_len);
		break;
	case L2TP_AVP_PROXY_AUTHEN_RESPONSE: blob_eq(&m->proxy_authen_response, &c); break;
	case L2TP_AVP_ASSIGNED_TUNNEL_ID:
		ck_assert_uint_eq(m->assigned_tunnel_id, be(v->value, 2));
		break;
	case L2TP_AVP_ASSIGNED_SESSION_ID:
		ck_assert_uint_eq(m->assigned_session_id, be(v->value, 2));
		break;
	case L2TP_AVP_CALL_SERIAL: ck_assert_uint_eq(m->call_serial, be(v->value, 4)); break;
	default: ck_abort_msg("no field check for %s", v->name);
	}
}

START_TEST(test_hidden_decode)
{
	const struct hidden_vec *v = &hidden_vecs[_i];
	struct l2tp_msg m;

	ck_assert_msg(l2tp_msg_decode(v->msg, v->msg_len, v->secret, v->secret_len, &m) ==
		      L2TP_DEC_OK, "%s", v->name);
	ck_assert_uint_eq(m.type, L2TP_MSG_HELLO);
	ck_assert_uint_eq(m.hidden, UINT64_C(1) << v->type);
	ck_assert(l2tp_msg_has(&m, v->type));
	check_hidden_value(&m, v);

	/* Same message without a secret, and with the wrong one. */
	ck_assert_int_eq(l2tp_msg_decode(v->msg, v->msg_len, NULL, 0, &m),
			 L2TP_DEC_HIDDEN_NO_SECRET);
	ck_assert_int_eq(l2tp_msg_decode(v->msg, v->msg_len, (const uint8_t *)"wrong", 5, &m),
			 L2TP_DEC_HIDDEN_BAD);
}
END_TEST

START_TEST(test_hidden_encode)
{
	const struct hidden_vec *v = &hidden_vecs[_i];
	struct l2tp_mbuf b;

	if (!v->encodable)
		return;
	l2tp_mb_begin(&b, 0x0102, 0, L2TP_MSG_HELLO);
	l2tp_mb_random_vector(&b, v->msg + HV_RV_OFF, v->secret, v->secret_len);
	l2tp_mb_bytes_hidden(&b, true, v->type, v->value, v->value_len);
	ck_assert(!b.overflow);
	ck_assert_uint_eq(b.len, v->msg_len);
	ck_assert_msg(memcmp(b.data, v->msg, v->msg_len) == 0, "%s", v->name);
}
END_TEST

/* The xl2tpd vectors only unhide with the byte-swapped type (docs/design.md §6.1). */
START_TEST(test_unhide_swapped)
{
	const struct hidden_vec *v = &hidden_vecs[_i];
	const uint8_t *avp = v->msg + HV_RV_OFF + 16;
	size_t hlen = (size_t)((avp[0] << 8 | avp[1]) & 0x3ff) - 6;
	uint8_t out[L2TP_AVP_MAX_LEN];
	size_t out_len = 0;
	bool xl2tpd = strncmp(v->name, "xl2tpd", 6) == 0;

	if (v->secret_len != sizeof("tunnel-secret") - 1)
		return;          /* the short-RV vector has its RV elsewhere */
	ck_assert_int_eq(l2tp_avp_unhide(v->type, xl2tpd, v->secret, v->secret_len,
					 v->msg + HV_RV_OFF, 16, avp + 6, hlen, out, &out_len), 0);
	ck_assert_uint_eq(out_len, v->value_len);
	ck_assert_mem_eq(out, v->value, v->value_len);
	ck_assert_int_ne(l2tp_avp_unhide(v->type, !xl2tpd, v->secret, v->secret_len,
					 v->msg + HV_RV_OFF, 16, avp + 6, hlen, out, &out_len), 0);
}
END_TEST

START_TEST(test_hidden_round_trip)
{
	const uint8_t rv[16] = "0123456789abcdef";
	const uint8_t secret[] = "round-trip";
	struct l2tp_mbuf b;
	struct l2tp_msg m;

	l2tp_mb_begin(&b, 9, 0, L2TP_MSG_SCCRQ);
	l2tp_mb_random_vector(&b, rv, secret, sizeof(secret) - 1);
	l2tp_mb_protocol_version(&b);
	l2tp_mb_str_hidden(&b, true, L2TP_AVP_HOST_NAME, "a-host-name-longer-than-one-block");
	l2tp_mb_u32(&b, true, L2TP_AVP_FRAMING_CAPS, 3);
	l2tp_mb_u16_hidden(&b, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, 0x4321);
	l2tp_mb_u32_hidden(&b, false, L2TP_AVP_BEARER_CAPS, 0x2);
	ck_assert(!b.overflow);
	ck_assert_int_eq(l2tp_msg_decode(b.data, b.len, secret, sizeof(secret) - 1, &m),
			 L2TP_DEC_OK);
	ck_assert_str_eq(m.host_name, "a-host-name-longer-than-one-block");
	ck_assert_uint_eq(m.assigned_tunnel_id, 0x4321);
	ck_assert_uint_eq(m.bearer_caps, 2);
	ck_assert_uint_eq(m.hidden, (1u << L2TP_AVP_HOST_NAME) | (1u << L2TP_AVP_BEARER_CAPS) |
				    (1u << L2TP_AVP_ASSIGNED_TUNNEL_ID));
}
END_TEST

/* A hidden AVP only unhides with the Random Vector that precedes it (§4.3). */
START_TEST(test_hidden_rv_order)
{
	const struct hidden_vec *v = &hidden_vecs[0];
	struct l2tp_msg m;
	uint8_t pkt[200];
	size_t rv_avp = 22, hid_off = HV_RV_OFF + 16;
	size_t hid_len = v->msg_len - hid_off;

	/* Put the hidden AVP before the Random Vector. */
	memcpy(pkt, v->msg, 20);
	memcpy(pkt + 20, v->msg + hid_off, hid_len);
	memcpy(pkt + 20 + hid_len, v->msg + 20, rv_avp);
	ck_assert_int_eq(l2tp_msg_decode(pkt, v->msg_len, v->secret, v->secret_len, &m),
			 L2TP_DEC_HIDDEN_NO_RV);
}
END_TEST

START_TEST(test_challenge_response)
{
	const struct chal_vec *v = &chal_vecs[_i];
	uint8_t out[16];

	l2tp_challenge_response(v->chap_id, v->secret, v->secret_len, v->challenge,
				v->challenge_len, out);
	ck_assert_mem_eq(out, v->response, 16);
}
END_TEST

/*
 * RFC 2661 §4.4.3: a Challenge is "one or more octets", nothing more: every
 * length an AVP can carry (1017 octets) decodes whole, plain or hidden, and
 * the response is the MD5 over all of it (checked against one MD5 over the
 * concatenation, a different path from the library's piecewise hashing).
 */
START_TEST(test_challenge_any_length)
{
	static const size_t lens[] = { 1, 16, 257, 1000, L2TP_CHALLENGE_MAX };
	const uint8_t rv[16] = "0123456789abcdef", secret[] = "chal-secret";
	static uint8_t chal[L2TP_CHALLENGE_MAX], cat[1 + 11 + L2TP_CHALLENGE_MAX];
	static struct l2tp_msg m;
	struct l2tp_mbuf b;
	struct md5_ctx md5;
	uint8_t want[16], got[16];
	size_t n = lens[_i], i;

	for (i = 0; i < n; i++)
		chal[i] = (uint8_t)(i * 7 + 3);
	l2tp_mb_begin(&b, 0, 0, L2TP_MSG_SCCRQ);
	l2tp_mb_protocol_version(&b);
	l2tp_mb_str(&b, true, L2TP_AVP_HOST_NAME, "lac");
	l2tp_mb_u32(&b, true, L2TP_AVP_FRAMING_CAPS, 3);
	l2tp_mb_u16(&b, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, 77);
	l2tp_mb_bytes(&b, true, L2TP_AVP_CHALLENGE, chal, n);
	ck_assert(!b.overflow);
	ck_assert_int_eq(l2tp_msg_decode(b.data, b.len, NULL, 0, &m), L2TP_DEC_OK);
	ck_assert_uint_eq(m.challenge.len, n);
	ck_assert_mem_eq(m.challenge.data, chal, n);

	cat[0] = L2TP_CHAPID_SCCRP;
	memcpy(cat + 1, secret, 11);
	memcpy(cat + 12, chal, n);
	md5_init(&md5);
	md5_update(&md5, 12 + n, cat);
	md5_digest(&md5, 16, want);
	l2tp_challenge_response(L2TP_CHAPID_SCCRP, secret, 11, m.challenge.data, m.challenge.len,
				got);
	ck_assert_mem_eq(got, want, 16);

	/* hidden: two octets of length go in front, so 1015 is the most it can carry */
	if (n + 2 > L2TP_CHALLENGE_MAX)
		return;
	l2tp_mb_begin(&b, 0, 0, L2TP_MSG_SCCRQ);
	l2tp_mb_random_vector(&b, rv, secret, 11);
	l2tp_mb_protocol_version(&b);
	l2tp_mb_str(&b, true, L2TP_AVP_HOST_NAME, "lac");
	l2tp_mb_u32(&b, true, L2TP_AVP_FRAMING_CAPS, 3);
	l2tp_mb_u16(&b, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, 77);
	l2tp_mb_bytes_hidden(&b, true, L2TP_AVP_CHALLENGE, chal, n);
	ck_assert(!b.overflow);
	ck_assert_int_eq(l2tp_msg_decode(b.data, b.len, secret, 11, &m), L2TP_DEC_OK);
	ck_assert_uint_eq(m.challenge.len, n);
	ck_assert_mem_eq(m.challenge.data, chal, n);
}
END_TEST

/* ---- second opinion: Wireshark's L2TP dissector on our encoding ---- */

static void pcap_put(FILE *f, const void *p, size_t n)
{
	ck_assert_uint_eq(fwrite(p, 1, n, f), n);
}

/* One IPv4/UDP 1701 datagram per message, LINKTYPE_RAW (101). */
static void pcap_add(FILE *f, const uint8_t *msg, size_t len, uint32_t n)
{
	uint32_t rec[4] = { 1700000000u + n, 0, (uint32_t)(28 + len), (uint32_t)(28 + len) };
	uint8_t ip[28] = { 0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 17, 0, 0,
			   192, 0, 2, 1, 192, 0, 2, 2,
			   0x06, 0xa5, 0x06, 0xa5, 0, 0, 0, 0 };
	uint32_t sum = 0;
	size_t i;

	ip[2] = (uint8_t)((28 + len) >> 8);
	ip[3] = (uint8_t)(28 + len);
	ip[24] = (uint8_t)((8 + len) >> 8);
	ip[25] = (uint8_t)(8 + len);
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = (uint8_t)(~sum >> 8);
	ip[11] = (uint8_t)~sum;
	pcap_put(f, rec, sizeof(rec));
	pcap_put(f, ip, sizeof(ip));
	pcap_put(f, msg, len);
}

START_TEST(test_tshark)
{
	const uint32_t ghdr[6] = { 0xa1b2c3d4u, 0x00040002u, 0, 0, 65535, 101 };
	const uint8_t rv[16] = "0123456789abcdef";
	char path[] = "/tmp/lnsd-test-msg-XXXXXX", cmd[256], line[512];
	struct l2tp_mbuf b;
	unsigned i, n = 0, l2tp = 0, bad = 0;
	FILE *f, *p;
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
	for (i = 0; i < sizeof(rt_types) / sizeof(rt_types[0]); i++) {
		build_msg(&b, rt_types[i]);
		pcap_add(f, b.data, b.len, n++);
	}
	l2tp_mb_begin(&b, 9, 0, L2TP_MSG_SCCRQ);
	l2tp_mb_random_vector(&b, rv, (const uint8_t *)"s", 1);
	l2tp_mb_protocol_version(&b);
	l2tp_mb_str_hidden(&b, true, L2TP_AVP_HOST_NAME, "hidden-host");
	l2tp_mb_u32(&b, true, L2TP_AVP_FRAMING_CAPS, 3);
	l2tp_mb_u16_hidden(&b, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, 0x4321);
	pcap_add(f, b.data, b.len, n++);
	ck_assert_int_eq(fclose(f), 0);

	snprintf(cmd, sizeof(cmd), "tshark -n -r %s -V -d udp.port==1701,l2tp 2>/dev/null", path);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (fgets(line, sizeof(line), p)) {
		if (strncmp(line, "Layer 2 Tunneling Protocol", 26) == 0)
			l2tp++;
		if (strstr(line, "Malformed") || strstr(line, "Expert Info (Error") ||
		    strstr(line, "Expert Info (Warning")) {
			printf("tshark: %s", line);
			bad++;
		}
	}
	ck_assert_int_eq(pclose(p), 0);
	unlink(path);
	ck_assert_uint_eq(l2tp, n);
	ck_assert_uint_eq(bad, 0);
}
END_TEST

static Suite *msg_suite(void)
{
	Suite *s = suite_create("l2tp_msg");
	TCase *tc = tcase_create("codec");

	tcase_add_loop_test(tc, test_hdr, 0, sizeof(hdr_cases) / sizeof(hdr_cases[0]));
	tcase_add_test(tc, test_hdr_fields);
	tcase_add_loop_test(tc, test_round_trip, 0, sizeof(rt_types) / sizeof(rt_types[0]));
	tcase_add_test(tc, test_encoder_bytes);
	tcase_add_test(tc, test_encoder_overflow);
	tcase_add_loop_test(tc, test_encoder_wide_ids, 0,
			    sizeof(wide_cases) / sizeof(wide_cases[0]));
	tcase_add_loop_test(tc, test_avp_decode, 0, sizeof(avp_cases) / sizeof(avp_cases[0]));
	tcase_add_loop_test(tc, test_avp_bad_len, 0,
			    sizeof(badlen_cases) / sizeof(badlen_cases[0]));
	tcase_add_test(tc, test_string_truncated);
	tcase_add_loop_test(tc, test_result_code, 0,
			    sizeof(result_cases) / sizeof(result_cases[0]));
	tcase_add_test(tc, test_vendor_avp);
	tcase_add_test(tc, test_unknown_msg_type);
	tcase_add_loop_test(tc, test_decode_errors, 0, L2TP_DEC_ERR_COUNT);
	tcase_add_loop_test(tc, test_missing_avp, 0, sizeof(rt_types) / sizeof(rt_types[0]));
	tcase_add_test(tc, test_zlb_and_trailing);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("hidden");
	tcase_add_loop_test(tc, test_hidden_decode, 0, sizeof(hidden_vecs) / sizeof(hidden_vecs[0]));
	tcase_add_loop_test(tc, test_hidden_encode, 0, sizeof(hidden_vecs) / sizeof(hidden_vecs[0]));
	tcase_add_loop_test(tc, test_unhide_swapped, 0,
			    sizeof(hidden_vecs) / sizeof(hidden_vecs[0]));
	tcase_add_test(tc, test_hidden_round_trip);
	tcase_add_test(tc, test_hidden_rv_order);
	tcase_add_loop_test(tc, test_challenge_response, 0,
			    sizeof(chal_vecs) / sizeof(chal_vecs[0]));
	tcase_add_loop_test(tc, test_challenge_any_length, 0, 5);
	suite_add_tcase(s, tc);

	tc = tcase_create("tshark");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_tshark);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(msg_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
