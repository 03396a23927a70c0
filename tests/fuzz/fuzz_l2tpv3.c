// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz harness for the L2TPv3 codec (RFC 3931): the first input byte picks
 * the encapsulation (bit 0: IP, else UDP), the rest is the datagram. Header,
 * data classification, message decode without and with authentication, the
 * answer to every error, and decode -> encode -> decode equality. Then the
 * datagram reaches the LCCE (l2tp_lcce.c, l2tp_pw.c) on an established
 * connection with a pseudowire up: its Control Connection ID and Ns are
 * rewritten to that connection's (an ID of 0 stays: the SCCRQ path), and
 * the actions must be well formed, kernel objects created and deleted in
 * pairs, nothing leaked.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "l2tp_lcce.h"
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

static uint8_t lcce_counter;

/* The LCCE's random bytes: each call fills its buffer with the call's number. */
static void lcce_rand(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	memset(buf, ++lcce_counter, len);
}

static int lcce_kcc, lcce_kpw;

static void lcce_check(struct lcce_actions *out)
{
	for (size_t i = 0; i < out->n; i++) {
		const struct lcce_action *a = &out->v[i];

		switch (a->type) {
		case LCCE_ACT_SEND:
			if (a->len < 12 || a->len > L2TP_MAX_MSG + 4 || a->off + a->len > out->blen)
				abort();
			break;
		case LCCE_ACT_CC_KERNEL_CREATE:
			if (!a->ccid || !a->peer_ccid)
				abort();
			lcce_kcc++;
			break;
		case LCCE_ACT_CC_KERNEL_DELETE:
			if (--lcce_kcc < 0)
				abort();
			break;
		case LCCE_ACT_PW_KERNEL_CREATE:
			if (!a->sid || !a->peer_sid || a->pw->state != L2TP_PW_ESTABLISHED ||
			    (a->pw->tx_cookie_len & 3) || a->pw->tx_cookie_len > 8 ||
			    (a->pw->rx_cookie_len & 3) || a->pw->rx_cookie_len > 8)
				abort();
			lcce_kpw++;
			break;
		case LCCE_ACT_PW_KERNEL_DELETE:
			if (--lcce_kpw < 0)
				abort();
			break;
		case LCCE_ACT_NOTICE:
			if (!a->reason)
				abort();
			break;
		case LCCE_ACT_CC_STATE:
		case LCCE_ACT_CC_FREE:
		case LCCE_ACT_PW_STATE:
		case LCCE_ACT_PW_CIRCUIT:
		case LCCE_ACT_PW_FREE:
			break;
		}
	}
	lcce_actions_reset(out);
}

/* A canned message from the peer (M bits clear, as freeRtr). */
static void lcce_put(struct l2tp_lcce *l, const struct l2tp_lcce_peer_cfg *pc,
		     struct l2tp_mbuf *b, uint16_t ns, uint64_t now, struct lcce_actions *out)
{
	static uint8_t buf[L2TP_MAX_MSG + 4];
	size_t len;

	b->data[8] = (uint8_t)(ns >> 8);
	b->data[9] = (uint8_t)ns;
	len = l2tp_v3_frame(b, pc->encap, buf, sizeof(buf));
	l2tp_lcce_input(l, &pc->addr, &pc->local, pc->encap, buf, len, now, out);
	lcce_check(out);
}

static void lcce_feed(const uint8_t *data, size_t size, enum l2tp_encap encap)
{
	static struct l2tp_mbuf b;
	static uint8_t pkt[L2TP_MAX_MSG + 8];
	static const uint8_t caps[2] = { 0, L2TP_PW_ETH };
	const struct l2tp_lcce_pw_cfg pws[2] = {
		{ .name = "a", .remote_end_id = (const uint8_t *)"100", .remote_end_id_len = 3,
		  .pw_type = L2TP_PW_ETH, .cookie_len = 4, .role = L2TP_LCCE_RESPONDER },
		{ .name = "b", .remote_end_id = (const uint8_t *)"200", .remote_end_id_len = 3,
		  .pw_type = L2TP_PW_ETH_VLAN, .l2spec = L2TP_L2SUB_DEFAULT, .sequencing = true,
		  .role = L2TP_LCCE_RESPONDER },
	};
	struct l2tp_lcce_peer_cfg pc = { .name = "fuzz", .encap = encap, .pws = pws, .n_pws = 2 };
	struct l2tp_lcce_cfg cfg;
	struct lcce_actions out;
	struct l2tp_lcce *l;
	struct l2tp_cc *cc;
	uint64_t now = 1000;
	size_t pre = encap == L2TP_ENCAP_IP ? 4 : 0;

	pc.addr = (struct lns_addr){ .family = 4, .addr = { 192, 0, 2, 2 } };
	pc.local = (struct lns_addr){ .family = 4, .addr = { 192, 0, 2, 1 } };
	l2tp_lcce_cfg_default(&cfg);
	cfg.peers = &pc;
	cfg.n_peers = 1;
	cfg.rand_bytes = lcce_rand;
	lcce_counter = 0;
	lcce_kcc = lcce_kpw = 0;
	l = l2tp_lcce_new(&cfg, now);
	if (!l)
		return;
	lcce_actions_init(&out);
	l2tp_mb_begin_v3(&b, 0, L2TP_MSG_SCCRQ);
	l2tp_mb_str(&b, false, L2TP_AVP_HOST_NAME, "fuzz");
	l2tp_mb_u32(&b, false, L2TP_AVP_ROUTER_ID, 7);
	l2tp_mb_id(&b, false, L2TP_AVP_ASSIGNED_CCID, 0x1234);
	l2tp_mb_bytes(&b, false, L2TP_AVP_PW_CAPS, caps, sizeof(caps));
	lcce_put(l, &pc, &b, 0, now, &out);
	cc = l2tp_lcce_next_cc(l, NULL);
	if (!cc)
		abort();
	l2tp_mb_begin_v3(&b, cc->ccid, L2TP_MSG_SCCCN);
	lcce_put(l, &pc, &b, 1, now, &out);
	l2tp_mb_begin_v3(&b, cc->ccid, L2TP_MSG_ICRQ);
	l2tp_mb_id(&b, false, L2TP_AVP_LOCAL_SESSION_ID, 0x5678);
	l2tp_mb_id(&b, false, L2TP_AVP_REMOTE_SESSION_ID, 0);
	l2tp_mb_u32(&b, false, L2TP_AVP_CALL_SERIAL, 1);
	l2tp_mb_u16(&b, false, L2TP_AVP_PW_TYPE, L2TP_PW_ETH);
	l2tp_mb_bytes(&b, false, L2TP_AVP_REMOTE_END_ID, "100", 3);
	lcce_put(l, &pc, &b, 2, now, &out);
	if (!cc->pws)
		abort();
	l2tp_mb_begin_v3(&b, cc->ccid, L2TP_MSG_ICCN);
	l2tp_mb_id(&b, false, L2TP_AVP_LOCAL_SESSION_ID, 0x5678);
	l2tp_mb_id(&b, false, L2TP_AVP_REMOTE_SESSION_ID, cc->pws->sid);
	lcce_put(l, &pc, &b, 3, now, &out);
	if (cc->state != L2TP_CC_ESTABLISHED || cc->pws->state != L2TP_PW_ESTABLISHED ||
	    lcce_kcc != 1 || lcce_kpw != 1)
		abort();
	/* The fuzz datagram, on that connection, in sequence. */
	if (size > sizeof(pkt))
		size = sizeof(pkt);
	memcpy(pkt, data, size);
	if (size >= pre + 12 && (pkt[pre + 4] | pkt[pre + 5] | pkt[pre + 6] | pkt[pre + 7])) {
		pkt[pre + 4] = (uint8_t)(cc->ccid >> 24);
		pkt[pre + 5] = (uint8_t)(cc->ccid >> 16);
		pkt[pre + 6] = (uint8_t)(cc->ccid >> 8);
		pkt[pre + 7] = (uint8_t)cc->ccid;
		pkt[pre + 8] = 0;
		pkt[pre + 9] = 4;
	}
	now += 500;
	l2tp_lcce_input(l, &pc.addr, &pc.local, encap, pkt, size, now, &out);
	lcce_check(&out);
	/* Every timer to its end: the kernel objects all go. */
	l2tp_lcce_shutdown(l, now, &out);
	lcce_check(&out);
	for (int i = 0; i < 64 && l2tp_lcce_next_deadline(l) != UINT64_MAX; i++) {
		uint64_t d = l2tp_lcce_next_deadline(l);

		now = d > now ? d : now + 1;
		l2tp_lcce_tick(l, now, &out);
		lcce_check(&out);
	}
	if (l2tp_lcce_next_deadline(l) != UINT64_MAX || lcce_kcc || lcce_kpw)
		abort();
	l2tp_lcce_free(l);
	lcce_actions_free(&out);
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
	lcce_feed(data, size, encap);
	return 0;
}
