// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PAP (RFC 1334 §2) and CHAP with MD5 (RFC 1994), authenticator side.
 * The verdict comes from outside (ppp_auth_result), so the same code serves
 * the users file and, later, RADIUS.
 */
#include <errno.h>
#include <string.h>

#include <nettle/md5.h>
#include <nettle/memops.h>

#include "ppp_auth.h"
#include "ppp_proto.h"

void ppp_auth_cfg_default(struct ppp_auth_cfg *cfg)
{
	cfg->name = "";
	cfg->timeout_ms = 30000;
	cfg->restart_ms = 3000;
	cfg->max_challenges = 10;
}

void ppp_auth_init(struct ppp_auth *a, const struct ppp_auth_cfg *cfg)
{
	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	a->state = PPP_AUTH_IDLE;
	a->deadline = UINT64_MAX;
	a->give_up = UINT64_MAX;
}

static void send_challenge(struct ppp_auth *a, uint64_t now_ms, struct ppp_actions *out)
{
	uint8_t buf[1 + PPP_CHAP_CHALLENGE_LEN + 64];
	size_t nlen = strnlen(a->cfg->name, 64);

	/* RFC 1994 §4.1: Value-Size, Value, Name. */
	buf[0] = PPP_CHAP_CHALLENGE_LEN;
	memcpy(buf + 1, a->challenge, PPP_CHAP_CHALLENGE_LEN);
	memcpy(buf + 1 + PPP_CHAP_CHALLENGE_LEN, a->cfg->name, nlen);
	ppp_act_send(out, PPP_PROTO_CHAP, CHAP_CHALLENGE, a->id, buf,
		     1 + PPP_CHAP_CHALLENGE_LEN + nlen);
	a->sent++;
	a->deadline = now_ms + a->cfg->restart_ms;
	if (a->deadline > a->give_up)
		a->deadline = a->give_up;
}

void ppp_auth_start(struct ppp_auth *a, enum ppp_auth_method method, const uint8_t *challenge,
		    uint8_t id, uint64_t now_ms, struct ppp_actions *out)
{
	a->method = (uint8_t)method;
	a->state = PPP_AUTH_WAITING;
	a->id = id;
	a->sent = 0;
	a->fail = PPP_DOWN_NONE;
	a->give_up = now_ms + a->cfg->timeout_ms;
	a->deadline = a->give_up;
	switch (method) {
	case PPP_AUTH_CHAP_MD5:
		memcpy(a->challenge, challenge, PPP_CHAP_CHALLENGE_LEN);
		send_challenge(a, now_ms, out);
		break;
	case PPP_AUTH_PAP:
		break;          /* RFC 1334 §2.1: the peer speaks first */
	case PPP_AUTH_NONE:
	case PPP_AUTH_METHOD_COUNT:
		a->state = PPP_AUTH_SUCCESS;
		a->deadline = UINT64_MAX;
		break;
	}
}

static void fail(struct ppp_auth *a, enum ppp_down_reason why)
{
	a->state = PPP_AUTH_FAILURE;
	a->fail = (uint8_t)why;
	a->deadline = UINT64_MAX;
}

/* Record the AUTH_REQUEST action; its strings live in the action buffer. */
static void request(struct ppp_auth *a, const uint8_t *user, size_t ulen, const uint8_t *secret,
		    size_t slen, struct ppp_actions *out)
{
	size_t uoff = ppp_act_put(out, user, ulen);
	size_t soff = ppp_act_put(out, secret, slen);
	size_t coff = a->method == PPP_AUTH_PAP ? 0
		: ppp_act_put(out, a->challenge, PPP_CHAP_CHALLENGE_LEN);
	struct ppp_action *act;

	if (uoff == SIZE_MAX || soff == SIZE_MAX || coff == SIZE_MAX)
		return;
	act = ppp_act_push(out, PPP_ACT_AUTH_REQUEST);
	if (!act)
		return;
	act->method = (enum ppp_auth_method)a->method;
	act->id = a->id;
	act->off = uoff;
	act->len = ulen;
	act->a_off = soff;
	act->a_len = slen;
	act->b_off = coff;
	act->b_len = a->method == PPP_AUTH_PAP ? 0 : PPP_CHAP_CHALLENGE_LEN;
	a->state = PPP_AUTH_PENDING;
	a->deadline = a->give_up;
}

/* RFC 1334 §2.2.1 Authenticate-Request: Peer-ID-Length, Peer-Id, Passwd-Length, Password. */
static int pap_input(struct ppp_auth *a, uint8_t code, uint8_t id, const uint8_t *d, size_t len,
		     struct ppp_actions *out)
{
	size_t ulen, plen;

	if (code != PAP_AUTH_REQ || len < 1)
		return -EBADMSG;
	ulen = d[0];
	if (len < 2 + ulen)
		return -EBADMSG;
	plen = d[1 + ulen];
	if (len < 2 + ulen + plen)
		return -EBADMSG;
	switch ((enum ppp_auth_state)a->state) {
	case PPP_AUTH_WAITING:
		a->id = id;
		request(a, d + 1, ulen, d + 2 + ulen, plen, out);
		return 0;
	case PPP_AUTH_PENDING:
		a->id = id;     /* a retransmission: answer its id when the verdict comes */
		return 0;
	case PPP_AUTH_SUCCESS:
		/* §2.2.1: our Ack was lost; the peer asks again. */
		ppp_act_send(out, PPP_PROTO_PAP, PAP_AUTH_ACK, id, "", 1);
		return 0;
	case PPP_AUTH_IDLE:
	case PPP_AUTH_FAILURE:
		break;
	}
	return -EBADMSG;
}

/* RFC 1994 §4.1 Response: Value-Size, Value, Name (the rest). */
static int chap_input(struct ppp_auth *a, uint8_t code, uint8_t id, const uint8_t *d,
		      size_t len, struct ppp_actions *out)
{
	size_t vlen;

	if (code != CHAP_RESPONSE || id != a->id || len < 1)
		return -EBADMSG;
	vlen = d[0];
	if (len < 1 + vlen)
		return -EBADMSG;
	switch ((enum ppp_auth_state)a->state) {
	case PPP_AUTH_WAITING:
		request(a, d + 1 + vlen, len - 1 - vlen, d + 1, vlen, out);
		return 0;
	case PPP_AUTH_PENDING:
		return 0;       /* a retransmission while we verify */
	case PPP_AUTH_SUCCESS:
		/* §4.2: Success was lost, the peer repeats its Response. */
		ppp_act_send(out, PPP_PROTO_CHAP, CHAP_SUCCESS, id, NULL, 0);
		return 0;
	case PPP_AUTH_FAILURE:
		ppp_act_send(out, PPP_PROTO_CHAP, CHAP_FAILURE, id, NULL, 0);
		return 0;
	case PPP_AUTH_IDLE:
		break;
	}
	return -EBADMSG;
}

int ppp_auth_input(struct ppp_auth *a, uint16_t proto, const uint8_t *pkt, size_t len,
		   uint64_t now_ms, struct ppp_actions *out)
{
	size_t plen;

	if (len < PPP_HDR_LEN)
		return -EBADMSG;
	plen = (size_t)pkt[2] << 8 | pkt[3];
	if (plen < PPP_HDR_LEN || plen > len)
		return -EBADMSG;
	if (proto == PPP_PROTO_PAP && a->method == PPP_AUTH_PAP)
		return pap_input(a, pkt[0], pkt[1], pkt + PPP_HDR_LEN, plen - PPP_HDR_LEN, out);
	if (proto == PPP_PROTO_CHAP && a->method == PPP_AUTH_CHAP_MD5)
		return chap_input(a, pkt[0], pkt[1], pkt + PPP_HDR_LEN, plen - PPP_HDR_LEN, out);
	return -EBADMSG;
}

int ppp_auth_result(struct ppp_auth *a, bool ok, const char *msg, struct ppp_actions *out)
{
	uint8_t buf[256];
	size_t mlen = msg ? strnlen(msg, 254) : 0;

	if (a->state != PPP_AUTH_PENDING)
		return -EINVAL;
	if (a->method == PPP_AUTH_PAP) {
		/* RFC 1334 §2.2.2: Msg-Length, Message. */
		buf[0] = (uint8_t)mlen;
		memcpy(buf + 1, msg ? msg : "", mlen);
		ppp_act_send(out, PPP_PROTO_PAP, ok ? PAP_AUTH_ACK : PAP_AUTH_NAK, a->id, buf,
			     mlen + 1);
	} else {
		/* RFC 1994 §4.2: the Message is the rest of the packet. */
		ppp_act_send(out, PPP_PROTO_CHAP, ok ? CHAP_SUCCESS : CHAP_FAILURE, a->id, msg,
			     mlen);
	}
	if (ok) {
		a->state = PPP_AUTH_SUCCESS;
		a->deadline = UINT64_MAX;
	} else {
		fail(a, PPP_DOWN_AUTH_FAILED);
	}
	return 0;
}

void ppp_auth_tick(struct ppp_auth *a, uint64_t now_ms, struct ppp_actions *out)
{
	if (now_ms < a->deadline)
		return;
	if (now_ms >= a->give_up) {
		fail(a, PPP_DOWN_AUTH_TIMEOUT);
		return;
	}
	/* Only a CHAP Challenge is retransmitted (RFC 1994 §4.1, with a new Identifier). */
	if (a->state != PPP_AUTH_WAITING || a->method != PPP_AUTH_CHAP_MD5 ||
	    a->sent >= a->cfg->max_challenges) {
		fail(a, PPP_DOWN_AUTH_TIMEOUT);
		return;
	}
	a->id++;
	send_challenge(a, now_ms, out);
}

void ppp_chap_md5(uint8_t id, const void *secret, size_t secret_len, const uint8_t *challenge,
		  size_t challenge_len, uint8_t out[CHAP_MD5_LEN])
{
	struct md5_ctx ctx;

	md5_init(&ctx);
	md5_update(&ctx, 1, &id);
	md5_update(&ctx, secret_len, secret);
	md5_update(&ctx, challenge_len, challenge);
	md5_digest(&ctx, CHAP_MD5_LEN, out);
}

bool ppp_chap_md5_verify(uint8_t id, const void *secret, size_t secret_len,
			 const uint8_t *challenge, size_t challenge_len, const uint8_t *response,
			 size_t response_len)
{
	uint8_t want[CHAP_MD5_LEN];

	if (response_len != CHAP_MD5_LEN)
		return false;
	ppp_chap_md5(id, secret, secret_len, challenge, challenge_len, want);
	return memeql_sec(want, response, CHAP_MD5_LEN);
}

bool ppp_pap_verify(const void *secret, size_t secret_len, const uint8_t *password,
		    size_t password_len)
{
	return secret_len == password_len && memeql_sec(secret, password, secret_len);
}
