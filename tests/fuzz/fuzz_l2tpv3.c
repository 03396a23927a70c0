// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz harness for the L2TPv3 codec (RFC 3931): the first input byte picks
 * the encapsulation (bit 0: IP, else UDP), the rest is the datagram. Header,
 * data classification, message decode without and with authentication, the
 * answer to every error, and decode -> encode -> decode equality.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "l2tp_msg.h"
#include "../unit/l2tpv3_testutil.h"

static void check_msg(const struct l2tp_msg *m, enum l2tp_decode_err e, size_t size)
{
	struct l2tp_v3_answer a;

	if ((unsigned)e >= L2TP_DEC_ERR_COUNT || !l2tp_decode_err_str(e))
		abort();
	l2tp_v3_answer_for(e, m, true, &a);
	/* authentication on: only what verified, or an SCCRQ, is answered */
	if (a.send && !m->digest_ok && m->type != L2TP_MSG_SCCRQ)
		abort();
	l2tp_v3_answer_for(e, m, false, &a);
	if (a.send && a.msg_type != L2TP_MSG_STOPCCN && a.msg_type != L2TP_MSG_CDN)
		abort();
	if (a.send && (a.result == 0 || !l2tp_result_str(a.msg_type, a.result)))
		abort();
	if (e != L2TP_DEC_OK)
		return;
	if (m->hdr.payload_off > size || m->hdr.ctrl_off + m->hdr.length > size ||
	    m->hdr.version != L2TP_VERSION3 || !m->hdr.is_ctrl)
		abort();
	fuzz_check_text(m->host_name, sizeof(m->host_name));
	fuzz_check_text(m->vendor_name, sizeof(m->vendor_name));
	fuzz_check_text(m->error_msg, sizeof(m->error_msg));
	fuzz_check_text(m->preferred_language, sizeof(m->preferred_language));
	if (m->cookie_len != 0 && m->cookie_len != 4 && m->cookie_len != 8)
		abort();
	if (l2tp_msg_has(m, L2TP_AVP_MESSAGE_DIGEST) &&
	    !((m->digest_type == L2TP_DIGEST_HMAC_MD5 && m->digest_len == 16) ||
	      (m->digest_type == L2TP_DIGEST_HMAC_SHA1 && m->digest_len == 20)))
		abort();
	if (m->remote_end_id.len > L2TP_BLOB_MAX || m->auth_nonce.len > L2TP_BLOB_MAX ||
	    m->challenge.len > L2TP_CHALLENGE_MAX)
		abort();
	if (m->present_hi & ~((UINT64_C(1) << (L2TP_AVP_TYPE_COUNT - 64)) - 1))
		abort();
	if (m->type != L2TP_MSG_ZLB && !(m->present & 1))
		abort();
	/* IDs RFC 3931 forbids to be 0 are not */
	if (l2tp_msg_has(m, L2TP_AVP_ASSIGNED_CCID) && m->assigned_ccid == 0)
		abort();
	if ((m->type == L2TP_MSG_ICRQ || m->type == L2TP_MSG_ICRP || m->type == L2TP_MSG_ICCN) &&
	    m->local_session_id == 0)
		abort();
	if (!l2tp_msg_type_str(m->type))
		abort();
}

/* decode -> encode -> decode: the same message. */
static void check_reencode(const struct l2tp_msg *m)
{
	static struct l2tp_mbuf b;
	static struct l2tp_msg m2;

	if (!v3_reencodable(m))
		return;
	v3_reencode(m, &b);
	if (b.overflow)
		return;           /* a message near 4096 bytes whose AVPs grew (M set, order) */
	if (l2tp_v3_msg_decode(b.data, b.len, L2TP_ENCAP_UDP, NULL, &m2) != L2TP_DEC_OK)
		abort();
	if (!v3_msg_equal(m, &m2))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t secret[] = FUZZ_MSG_SECRET, nonce[] = FUZZ_V3_NONCE,
			     peer_nonce[] = FUZZ_V3_PEER_NONCE;
	static struct l2tp_msg m;     /* large: keep it off the stack */
	struct l2tp_v3_auth auth = {
		.secret = secret, .secret_len = sizeof(secret) - 1,
		.our_nonce = nonce, .our_nonce_len = sizeof(nonce) - 1,
	};
	enum l2tp_encap encap;
	enum l2tp_decode_err e;
	struct l2tp_hdr h;
	uint32_t sid;
	bool data_msg;

	if (size < 1)
		return 0;
	encap = (data[0] & 1) ? L2TP_ENCAP_IP : L2TP_ENCAP_UDP;
	data++;
	size--;

	e = l2tp_v3_hdr_decode(data, size, encap, &h);
	data_msg = l2tp_v3_is_data(data, size, encap, &sid);
	if (data_msg != (e == L2TP_DEC_OK && !h.is_ctrl))
		abort();
	if (data_msg && (sid == 0 || sid != h.session_id || h.payload_off > size))
		abort();

	e = l2tp_v3_msg_decode(data, size, encap, NULL, &m);
	check_msg(&m, e, size);
	if (e == L2TP_DEC_OK)
		check_reencode(&m);
	e = l2tp_v3_msg_decode(data, size, encap, &auth, &m);     /* peer nonce from the message */
	check_msg(&m, e, size);
	auth.peer_nonce = peer_nonce;
	auth.peer_nonce_len = sizeof(peer_nonce) - 1;
	auth.required = true;
	e = l2tp_v3_msg_decode(data, size, encap, &auth, &m);
	check_msg(&m, e, size);
	if (e == L2TP_DEC_OK && m.type != L2TP_MSG_ZLB && !l2tp_msg_has(&m, L2TP_AVP_MESSAGE_DIGEST))
		abort();
	return 0;
}
