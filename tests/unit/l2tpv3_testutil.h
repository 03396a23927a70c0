/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Re-encoding a decoded L2TPv3 control message, for the decode -> encode ->
 * decode invariant of tests/unit/test_msg_v3.c and tests/fuzz/fuzz_l2tpv3.c.
 * Covers the AVPs a v3 peer sends (RFC 3931 §5.4 and the v2 ones v3 keeps);
 * v3_reencodable() says whether a message holds only those.
 */
#ifndef LNS_L2TPV3_TESTUTIL_H
#define LNS_L2TPV3_TESTUTIL_H

#include <stdbool.h>
#include <string.h>

#include "l2tp_msg.h"

#define V3B(t) (UINT64_C(1) << (t))
#define V3H(t) (UINT64_C(1) << ((t) - 64))
static const uint64_t v3_reenc_lo =
	V3B(L2TP_AVP_MESSAGE_TYPE) | V3B(L2TP_AVP_RESULT_CODE) | V3B(L2TP_AVP_TIE_BREAKER) |
	V3B(L2TP_AVP_FIRMWARE_REV) | V3B(L2TP_AVP_HOST_NAME) | V3B(L2TP_AVP_VENDOR_NAME) |
	V3B(L2TP_AVP_RECV_WINDOW_SIZE) | V3B(L2TP_AVP_CHALLENGE) |
	V3B(L2TP_AVP_CHALLENGE_RESPONSE) | V3B(L2TP_AVP_CALL_SERIAL) | V3B(L2TP_AVP_CALL_ERRORS) |
	V3B(L2TP_AVP_MESSAGE_DIGEST) | V3B(L2TP_AVP_ROUTER_ID) | V3B(L2TP_AVP_ASSIGNED_CCID) |
	V3B(L2TP_AVP_PW_CAPS) | V3B(L2TP_AVP_LOCAL_SESSION_ID);
static const uint64_t v3_reenc_hi =
	V3H(L2TP_AVP_REMOTE_SESSION_ID) | V3H(L2TP_AVP_ASSIGNED_COOKIE) |
	V3H(L2TP_AVP_REMOTE_END_ID) | V3H(L2TP_AVP_PW_TYPE) | V3H(L2TP_AVP_L2_SUBLAYER) |
	V3H(L2TP_AVP_DATA_SEQUENCING) | V3H(L2TP_AVP_CIRCUIT_STATUS) |
	V3H(L2TP_AVP_PREFERRED_LANGUAGE) | V3H(L2TP_AVP_AUTH_NONCE) |
	V3H(L2TP_AVP_TX_CONNECT_SPEED_V3) | V3H(L2TP_AVP_RX_CONNECT_SPEED_V3);
#undef V3B
#undef V3H

static inline bool v3_reencodable(const struct l2tp_msg *m)
{
	/* A Host Name of NUL bytes would come back empty, which its format forbids. */
	if (l2tp_msg_has(m, L2TP_AVP_HOST_NAME) && !m->host_name[0])
		return false;
	return !(m->present & ~v3_reenc_lo) && !(m->present_hi & ~v3_reenc_hi) &&
	       m->hidden == 0 && m->n_pw_caps <= L2TP_PW_CAPS_MAX;
}

/* Header (Ns/Nr too) and every AVP present, in a fixed order, with the M bit set. */
static inline void v3_reencode(const struct l2tp_msg *m, struct l2tp_mbuf *b)
{
	uint8_t x[32];

	l2tp_mb_begin_v3(b, m->hdr.tunnel_id, m->type);
	b->data[8] = (uint8_t)(m->hdr.ns >> 8);
	b->data[9] = (uint8_t)m->hdr.ns;
	b->data[10] = (uint8_t)(m->hdr.nr >> 8);
	b->data[11] = (uint8_t)m->hdr.nr;
	if (m->type == L2TP_MSG_ZLB)
		return;
	if (l2tp_msg_has(m, L2TP_AVP_MESSAGE_DIGEST)) {
		x[0] = m->digest_type;
		memcpy(x + 1, m->digest, m->digest_len);
		l2tp_mb_bytes(b, true, L2TP_AVP_MESSAGE_DIGEST, x, 1u + m->digest_len);
	}
	if (l2tp_msg_has(m, L2TP_AVP_RESULT_CODE)) {
		if (m->has_error_code) {
			l2tp_mb_result(b, m->result_code, m->error_code,
				       m->error_msg[0] ? m->error_msg : NULL);
		} else {
			x[0] = (uint8_t)(m->result_code >> 8);
			x[1] = (uint8_t)m->result_code;
			l2tp_mb_bytes(b, true, L2TP_AVP_RESULT_CODE, x, 2);
		}
	}
	if (l2tp_msg_has(m, L2TP_AVP_TIE_BREAKER))
		l2tp_mb_bytes(b, true, L2TP_AVP_TIE_BREAKER, m->tie_breaker, 8);
	if (l2tp_msg_has(m, L2TP_AVP_FIRMWARE_REV))
		l2tp_mb_u16(b, true, L2TP_AVP_FIRMWARE_REV, m->firmware_rev);
	if (l2tp_msg_has(m, L2TP_AVP_HOST_NAME))
		l2tp_mb_str(b, true, L2TP_AVP_HOST_NAME, m->host_name);
	if (l2tp_msg_has(m, L2TP_AVP_VENDOR_NAME))
		l2tp_mb_str(b, true, L2TP_AVP_VENDOR_NAME, m->vendor_name);
	if (l2tp_msg_has(m, L2TP_AVP_RECV_WINDOW_SIZE))
		l2tp_mb_u16(b, true, L2TP_AVP_RECV_WINDOW_SIZE, m->rx_window);
	if (l2tp_msg_has(m, L2TP_AVP_CHALLENGE))
		l2tp_mb_bytes(b, true, L2TP_AVP_CHALLENGE, m->challenge.data, m->challenge.len);
	if (l2tp_msg_has(m, L2TP_AVP_CHALLENGE_RESPONSE))
		l2tp_mb_bytes(b, true, L2TP_AVP_CHALLENGE_RESPONSE, m->challenge_response, 16);
	if (l2tp_msg_has(m, L2TP_AVP_CALL_SERIAL))
		l2tp_mb_u32(b, true, L2TP_AVP_CALL_SERIAL, m->call_serial);
	if (l2tp_msg_has(m, L2TP_AVP_CALL_ERRORS)) {
		const uint32_t v[6] = { m->call_errors.crc, m->call_errors.framing,
					m->call_errors.hw_overruns, m->call_errors.buf_overruns,
					m->call_errors.timeout, m->call_errors.alignment };

		memset(x, 0, 2);
		for (int i = 0; i < 6; i++) {
			x[2 + 4 * i] = (uint8_t)(v[i] >> 24);
			x[3 + 4 * i] = (uint8_t)(v[i] >> 16);
			x[4 + 4 * i] = (uint8_t)(v[i] >> 8);
			x[5 + 4 * i] = (uint8_t)v[i];
		}
		l2tp_mb_bytes(b, true, L2TP_AVP_CALL_ERRORS, x, 26);
	}
	if (l2tp_msg_has(m, L2TP_AVP_ROUTER_ID))
		l2tp_mb_u32(b, true, L2TP_AVP_ROUTER_ID, m->router_id);
	if (l2tp_msg_has(m, L2TP_AVP_ASSIGNED_CCID))
		l2tp_mb_id(b, true, L2TP_AVP_ASSIGNED_CCID, m->assigned_ccid);
	if (l2tp_msg_has(m, L2TP_AVP_PW_CAPS)) {
		uint8_t caps[2 * L2TP_PW_CAPS_MAX];

		for (unsigned i = 0; i < m->n_pw_caps; i++) {
			caps[2 * i] = (uint8_t)(m->pw_caps[i] >> 8);
			caps[2 * i + 1] = (uint8_t)m->pw_caps[i];
		}
		l2tp_mb_bytes(b, true, L2TP_AVP_PW_CAPS, caps, 2u * m->n_pw_caps);
	}
	if (l2tp_msg_has(m, L2TP_AVP_LOCAL_SESSION_ID))
		l2tp_mb_id(b, true, L2TP_AVP_LOCAL_SESSION_ID, m->local_session_id);
	if (l2tp_msg_has(m, L2TP_AVP_REMOTE_SESSION_ID))
		l2tp_mb_id(b, true, L2TP_AVP_REMOTE_SESSION_ID, m->remote_session_id);
	if (l2tp_msg_has(m, L2TP_AVP_ASSIGNED_COOKIE))
		l2tp_mb_bytes(b, true, L2TP_AVP_ASSIGNED_COOKIE, m->cookie, m->cookie_len);
	if (l2tp_msg_has(m, L2TP_AVP_REMOTE_END_ID))
		l2tp_mb_bytes(b, true, L2TP_AVP_REMOTE_END_ID, m->remote_end_id.data,
			      m->remote_end_id.len);
	if (l2tp_msg_has(m, L2TP_AVP_PW_TYPE))
		l2tp_mb_u16(b, true, L2TP_AVP_PW_TYPE, m->pw_type);
	if (l2tp_msg_has(m, L2TP_AVP_L2_SUBLAYER))
		l2tp_mb_u16(b, true, L2TP_AVP_L2_SUBLAYER, m->l2_sublayer);
	if (l2tp_msg_has(m, L2TP_AVP_DATA_SEQUENCING))
		l2tp_mb_u16(b, true, L2TP_AVP_DATA_SEQUENCING, m->data_sequencing);
	if (l2tp_msg_has(m, L2TP_AVP_CIRCUIT_STATUS))
		l2tp_mb_u16(b, true, L2TP_AVP_CIRCUIT_STATUS, m->circuit_status);
	if (l2tp_msg_has(m, L2TP_AVP_PREFERRED_LANGUAGE))
		l2tp_mb_str(b, true, L2TP_AVP_PREFERRED_LANGUAGE, m->preferred_language);
	if (l2tp_msg_has(m, L2TP_AVP_AUTH_NONCE))
		l2tp_mb_bytes(b, true, L2TP_AVP_AUTH_NONCE, m->auth_nonce.data, m->auth_nonce.len);
	if (l2tp_msg_has(m, L2TP_AVP_TX_CONNECT_SPEED_V3))
		l2tp_mb_u64(b, true, L2TP_AVP_TX_CONNECT_SPEED_V3, m->tx_speed);
	if (l2tp_msg_has(m, L2TP_AVP_RX_CONNECT_SPEED_V3))
		l2tp_mb_u64(b, true, L2TP_AVP_RX_CONNECT_SPEED_V3, m->rx_speed);
}

/* The decoded content two messages share; strings up to their NUL. */
static inline bool v3_msg_equal(const struct l2tp_msg *a, const struct l2tp_msg *b)
{
#define EQ(f) (a->f == b->f)
#define MEQ(f, n) (memcmp(a->f, b->f, (n)) == 0)
#define SEQ(f) (strcmp(a->f, b->f) == 0)
	return EQ(type) && EQ(present) && EQ(present_hi) && EQ(hdr.tunnel_id) && EQ(hdr.ns) &&
	       EQ(hdr.nr) && EQ(result_code) && EQ(error_code) && EQ(has_error_code) &&
	       SEQ(error_msg) && MEQ(tie_breaker, 8) && EQ(firmware_rev) && SEQ(host_name) &&
	       SEQ(vendor_name) && EQ(rx_window) && EQ(challenge.len) &&
	       MEQ(challenge.data, a->challenge.len) && MEQ(challenge_response, 16) &&
	       EQ(call_serial) && (memcmp(&a->call_errors, &b->call_errors, sizeof(a->call_errors)) == 0) &&
	       EQ(digest_type) && EQ(digest_len) && MEQ(digest, a->digest_len) &&
	       EQ(router_id) && EQ(assigned_ccid) && EQ(n_pw_caps) &&
	       MEQ(pw_caps, sizeof(uint16_t) * (a->n_pw_caps < L2TP_PW_CAPS_MAX ?
						 a->n_pw_caps : L2TP_PW_CAPS_MAX)) &&
	       EQ(local_session_id) && EQ(remote_session_id) && EQ(cookie_len) &&
	       MEQ(cookie, a->cookie_len) && EQ(remote_end_id.len) &&
	       MEQ(remote_end_id.data, a->remote_end_id.len) && EQ(pw_type) &&
	       EQ(l2_sublayer) && EQ(data_sequencing) && EQ(circuit_status) &&
	       SEQ(preferred_language) && EQ(auth_nonce.len) &&
	       MEQ(auth_nonce.data, a->auth_nonce.len) && EQ(tx_speed) && EQ(rx_speed) &&
	       EQ(assigned_tunnel_id) && EQ(assigned_session_id);
#undef EQ
#undef MEQ
#undef SEQ
}

#endif
