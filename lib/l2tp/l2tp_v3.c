// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * L2TPv3 (RFC 3931) beside the shared codec of l2tp_msg.c: control message
 * authentication (§4.3, §5.4.1: HMAC-MD5 and HMAC-SHA-1 on nettle), the IDs
 * that must not be 0, what to answer a message that failed to decode, data
 * classification and IP framing. The v3 header and AVP decoding are in
 * l2tp_msg.c, with v2's.
 */
#include <string.h>

#include <nettle/hmac.h>
#include <nettle/md5.h>
#include <nettle/sha1.h>

#include "l2tp_msg.h"
#include "l2tp_msg_int.h"

bool l2tp_v3_is_data(const uint8_t *pkt, size_t len, enum l2tp_encap encap,
		     uint32_t *session_id)
{
	struct l2tp_hdr h;

	*session_id = 0;
	if (l2tp_v3_hdr_decode(pkt, len, encap, &h) != L2TP_DEC_OK || h.is_ctrl ||
	    h.session_id == 0)
		return false;
	*session_id = h.session_id;
	return true;
}

/* HMAC of the configured type over (key, parts); out gets 16 or 20 bytes. */
struct hmac_part {
	const uint8_t *p;
	size_t n;
};

static size_t hmac_parts(enum l2tp_digest_type type, const uint8_t *key, size_t key_len,
			 const struct hmac_part *parts, size_t n_parts, uint8_t *out)
{
	struct hmac_md5_ctx md5;
	struct hmac_sha1_ctx sha1;
	size_t i;

	switch (type) {
	case L2TP_DIGEST_HMAC_MD5:
		hmac_md5_set_key(&md5, key_len, key);
		for (i = 0; i < n_parts; i++)
			hmac_md5_update(&md5, parts[i].n, parts[i].p);
		hmac_md5_digest(&md5, MD5_DIGEST_SIZE, out);
		return MD5_DIGEST_SIZE;
	case L2TP_DIGEST_HMAC_SHA1:
		hmac_sha1_set_key(&sha1, key_len, key);
		for (i = 0; i < n_parts; i++)
			hmac_sha1_update(&sha1, parts[i].n, parts[i].p);
		hmac_sha1_digest(&sha1, SHA1_DIGEST_SIZE, out);
		return SHA1_DIGEST_SIZE;
	}
	return 0;
}

size_t l2tp_v3_digest(enum l2tp_digest_type type, const uint8_t *secret, size_t secret_len,
		      const uint8_t *snd_nonce, size_t snd_nonce_len,
		      const uint8_t *rcv_nonce, size_t rcv_nonce_len,
		      const uint8_t *msg, size_t msg_len, size_t digest_off,
		      uint8_t out[L2TP_DIGEST_MAX])
{
	static const uint8_t two = 2, zero[L2TP_DIGEST_MAX];
	uint8_t key[L2TP_DIGEST_MAX];
	struct hmac_part parts[5];
	size_t klen, dlen, n = 0;
	struct hmac_part k = { &two, 1 };

	dlen = type == L2TP_DIGEST_HMAC_MD5 ? MD5_DIGEST_SIZE :
	       type == L2TP_DIGEST_HMAC_SHA1 ? SHA1_DIGEST_SIZE : 0;
	if (!dlen || digest_off > msg_len || msg_len - digest_off < dlen)
		return 0;
	/*
	 * §4.3: Shared-Key from the secret and the octet 2, with HMAC-MD5 for
	 * both digest types, as Wireshark computes it (docs/design.md §10.3).
	 */
	klen = hmac_parts(L2TP_DIGEST_HMAC_MD5, secret, secret_len, &k, 1, key);
	if (snd_nonce && snd_nonce_len && rcv_nonce && rcv_nonce_len) {
		parts[n++] = (struct hmac_part){ snd_nonce, snd_nonce_len };
		parts[n++] = (struct hmac_part){ rcv_nonce, rcv_nonce_len };
	}
	parts[n++] = (struct hmac_part){ msg, digest_off };
	parts[n++] = (struct hmac_part){ zero, dlen };
	parts[n++] = (struct hmac_part){ msg + digest_off + dlen, msg_len - digest_off - dlen };
	hmac_parts(type, key, klen, parts, n, out);
	return dlen;
}

/* Both sides' nonces apply to every message but the SCCRQ (§4.3). */
static void nonces_for(uint16_t msg_type, const uint8_t **a, size_t *alen, const uint8_t **b,
		       size_t *blen)
{
	if (msg_type == L2TP_MSG_SCCRQ) {
		*a = *b = NULL;
		*alen = *blen = 0;
	}
}

/* An ID 0 where RFC 3931 §5.4.3/§5.4.4 forbid it: recorded in m->bad_id_avp. */
enum l2tp_decode_err l2tp_v3_check_ids(struct l2tp_msg *m)
{
	static const struct {
		uint16_t msg, avp;
	} nonzero[] = {
		{ L2TP_MSG_SCCRQ, L2TP_AVP_ASSIGNED_CCID },
		{ L2TP_MSG_SCCRP, L2TP_AVP_ASSIGNED_CCID },
		{ L2TP_MSG_ICRQ, L2TP_AVP_LOCAL_SESSION_ID },
		{ L2TP_MSG_OCRQ, L2TP_AVP_LOCAL_SESSION_ID },
		{ L2TP_MSG_ICRP, L2TP_AVP_LOCAL_SESSION_ID },
		{ L2TP_MSG_ICRP, L2TP_AVP_REMOTE_SESSION_ID },
		{ L2TP_MSG_OCRP, L2TP_AVP_LOCAL_SESSION_ID },
		{ L2TP_MSG_OCRP, L2TP_AVP_REMOTE_SESSION_ID },
		{ L2TP_MSG_ICCN, L2TP_AVP_LOCAL_SESSION_ID },
		{ L2TP_MSG_ICCN, L2TP_AVP_REMOTE_SESSION_ID },
		{ L2TP_MSG_OCCN, L2TP_AVP_LOCAL_SESSION_ID },
		{ L2TP_MSG_OCCN, L2TP_AVP_REMOTE_SESSION_ID },
	};
	size_t i;

	/* An Assigned Control Connection ID is never 0, in whatever message. */
	if (l2tp_msg_has(m, L2TP_AVP_ASSIGNED_CCID) && m->assigned_ccid == 0) {
		m->bad_id_avp = L2TP_AVP_ASSIGNED_CCID;
		return L2TP_DEC_BAD_ID;
	}
	for (i = 0; i < sizeof(nonzero) / sizeof(nonzero[0]); i++) {
		uint32_t id;

		if (nonzero[i].msg != m->type)
			continue;
		id = nonzero[i].avp == L2TP_AVP_ASSIGNED_CCID ? m->assigned_ccid :
		     nonzero[i].avp == L2TP_AVP_LOCAL_SESSION_ID ? m->local_session_id :
		     m->remote_session_id;
		if (id == 0) {
			m->bad_id_avp = nonzero[i].avp;
			return L2TP_DEC_BAD_ID;
		}
	}
	return L2TP_DEC_OK;
}

enum l2tp_decode_err l2tp_v3_check_digest(const uint8_t *pkt, size_t digest_off,
					  const struct l2tp_v3_auth *auth, struct l2tp_msg *m)
{
	uint8_t want[L2TP_DIGEST_MAX];
	const uint8_t *snd, *rcv;
	size_t snd_len, rcv_len, n;
	const uint8_t *msg = pkt + m->hdr.ctrl_off;
	uint8_t diff = 0;

	if (!l2tp_msg_has(m, L2TP_AVP_MESSAGE_DIGEST))
		return auth && auth->secret && auth->required && m->type != L2TP_MSG_ZLB ?
		       L2TP_DEC_NO_DIGEST : L2TP_DEC_OK;
	if ((m->digest_type == L2TP_DIGEST_HMAC_MD5 && m->digest_len != MD5_DIGEST_SIZE) ||
	    (m->digest_type == L2TP_DIGEST_HMAC_SHA1 && m->digest_len != SHA1_DIGEST_SIZE) ||
	    m->digest_type > L2TP_DIGEST_HMAC_SHA1)
		return L2TP_DEC_BAD_DIGEST;
	if (!auth || !auth->secret)
		return L2TP_DEC_OK;
	snd = auth->peer_nonce;
	snd_len = auth->peer_nonce_len;
	if (!snd && l2tp_msg_has(m, L2TP_AVP_AUTH_NONCE)) {
		snd = m->auth_nonce.data;
		snd_len = m->auth_nonce.len;
	}
	rcv = auth->our_nonce;
	rcv_len = auth->our_nonce_len;
	nonces_for(m->type, &snd, &snd_len, &rcv, &rcv_len);
	n = l2tp_v3_digest((enum l2tp_digest_type)m->digest_type, auth->secret, auth->secret_len,
			   snd, snd_len, rcv, rcv_len, msg, m->hdr.length,
			   digest_off - m->hdr.ctrl_off, want);
	if (n != m->digest_len)
		return L2TP_DEC_BAD_DIGEST;
	for (size_t i = 0; i < n; i++)       /* constant time */
		diff |= (uint8_t)(want[i] ^ m->digest[i]);
	if (diff)
		return L2TP_DEC_BAD_DIGEST;
	m->digest_ok = true;
	return L2TP_DEC_OK;
}

void l2tp_v3_answer_for(enum l2tp_decode_err e, const struct l2tp_msg *m, bool auth_on,
			struct l2tp_v3_answer *a)
{
	bool session = l2tp_msg_is_session_scope(m->type);

	memset(a, 0, sizeof(*a));
	a->send = true;
	/* §4.3: unauthenticated input does not close an authenticated connection. */
	if (auth_on && !m->digest_ok && e != L2TP_DEC_OK && m->type != L2TP_MSG_SCCRQ)
		e = L2TP_DEC_BAD_DIGEST;
	a->result = L2TP_STOPCCN_GENERAL_ERROR;     /* == L2TP_CDN_GENERAL_ERROR */
	switch (e) {
	case L2TP_DEC_OK:
	case L2TP_DEC_SHORT:
	case L2TP_DEC_BAD_VERSION:
	case L2TP_DEC_CTRL_FLAGS:
	case L2TP_DEC_LENGTH_MISMATCH:
	case L2TP_DEC_ERR_COUNT:
		/* Nothing to answer, or a header not to be trusted: a counted drop. */
		a->send = false;
		return;
	case L2TP_DEC_NO_DIGEST:
	case L2TP_DEC_BAD_DIGEST:
		/* §4.3: a message that fails authentication is dropped; an SCCRQ
		 * is refused (no state exists that it could disturb). */
		if (m->type != L2TP_MSG_SCCRQ) {
			a->send = false;
			return;
		}
		a->msg_type = L2TP_MSG_STOPCCN;
		a->result = L2TP_STOPCCN_NOT_AUTHORIZED;
		return;
	case L2TP_DEC_UNKNOWN_MSG_TYPE:
		/* §3.1 (RFC 2661 §3.2): M set clears the control connection, else ignored. */
		if (!m->type_mandatory) {
			a->send = false;
			return;
		}
		a->msg_type = L2TP_MSG_STOPCCN;
		a->error = L2TP_ERR_UNKNOWN_MANDATORY_AVP;
		return;
	case L2TP_DEC_AVP_SHORT:
	case L2TP_DEC_BAD_AVP_LEN:
	case L2TP_DEC_BAD_COOKIE:
	case L2TP_DEC_HIDDEN_BAD:
		a->error = L2TP_ERR_BAD_LENGTH;
		break;
	case L2TP_DEC_AVP_RESERVED:
	case L2TP_DEC_UNKNOWN_MANDATORY:
		a->error = L2TP_ERR_UNKNOWN_MANDATORY_AVP;
		break;
	case L2TP_DEC_NO_MSG_TYPE:
	case L2TP_DEC_HIDDEN_NO_RV:
	case L2TP_DEC_HIDDEN_NO_SECRET:
	case L2TP_DEC_MISSING_AVP:
		a->error = L2TP_ERR_BAD_VALUE;
		break;
	case L2TP_DEC_BAD_ID:
		a->error = m->bad_id_avp == L2TP_AVP_ASSIGNED_CCID ? L2TP_ERR_BAD_VALUE :
			   L2TP_ERR_INVALID_SESSION_ID;
		break;
	}
	a->msg_type = session ? L2TP_MSG_CDN : L2TP_MSG_STOPCCN;
}

/* §5.4.1: right after Message Type; M set, never hidden. */
void l2tp_mb_digest(struct l2tp_mbuf *b, enum l2tp_digest_type type)
{
	uint8_t v[1 + L2TP_DIGEST_MAX] = { (uint8_t)type };
	size_t dlen = type == L2TP_DIGEST_HMAC_MD5 ? MD5_DIGEST_SIZE : SHA1_DIGEST_SIZE;

	if (b->version != L2TP_VERSION3 || b->len != L2TP_CTRL_HDR_LEN + 8 ||
	    type > L2TP_DIGEST_HMAC_SHA1) {
		b->overflow = true;
		return;
	}
	l2tp_mb_bytes(b, true, L2TP_AVP_MESSAGE_DIGEST, v, 1 + dlen);
	if (b->overflow)
		return;
	b->digest_off = b->len - dlen;
	b->digest_type = (uint8_t)type;
}

void l2tp_v3_sign(uint8_t *msg, size_t len, size_t digest_off, enum l2tp_digest_type type,
		  const struct l2tp_v3_auth *auth, uint16_t msg_type)
{
	uint8_t d[L2TP_DIGEST_MAX];
	const uint8_t *snd = auth->our_nonce, *rcv = auth->peer_nonce;
	size_t snd_len = auth->our_nonce_len, rcv_len = auth->peer_nonce_len, n;

	nonces_for(msg_type, &snd, &snd_len, &rcv, &rcv_len);
	n = l2tp_v3_digest(type, auth->secret, auth->secret_len, snd, snd_len, rcv, rcv_len,
			   msg, len, digest_off, d);
	if (n)
		memcpy(msg + digest_off, d, n);
}

void l2tp_mb_sign(struct l2tp_mbuf *b, const struct l2tp_v3_auth *auth)
{
	uint16_t type;

	if (!b->digest_off || b->overflow || !auth || !auth->secret)
		return;
	type = (uint16_t)(b->data[L2TP_CTRL_HDR_LEN + 6] << 8 | b->data[L2TP_CTRL_HDR_LEN + 7]);
	l2tp_v3_sign(b->data, b->len, b->digest_off, (enum l2tp_digest_type)b->digest_type, auth,
		     type);
}

size_t l2tp_v3_frame(const struct l2tp_mbuf *b, enum l2tp_encap encap, uint8_t *out, size_t cap)
{
	size_t pre = encap == L2TP_ENCAP_IP ? L2TP_V3_IP_CTRL_PREFIX : 0;

	if (b->overflow || cap < pre + b->len)
		return 0;
	memset(out, 0, pre);
	memcpy(out + pre, b->data, b->len);
	return pre + b->len;
}
