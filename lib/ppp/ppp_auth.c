// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PAP (RFC 1334 §2), CHAP with MD5 (RFC 1994) and MS-CHAPv2 (RFC 2759),
 * authenticator side.
 * The verdict comes from outside (ppp_auth_result), so the same code serves
 * the users file and, later, RADIUS.
 */
#include <errno.h>
#include <stdio.h>
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
	cfg->mschap_retries = 2;
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
	a->retries = 0;
	a->retrying = false;
	a->give_up = now_ms + a->cfg->timeout_ms;
	a->deadline = a->give_up;
	switch (method) {
	case PPP_AUTH_CHAP_MD5:
	case PPP_AUTH_MSCHAPV2:
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

static void hex(char *dst, const uint8_t *src, size_t n)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		dst[2 * i] = digits[src[i] >> 4];
		dst[2 * i + 1] = digits[src[i] & 15];
	}
	dst[2 * n] = '\0';
}

/* RFC 2759 §5 Success message: "S=<auth_string> M=<message>". */
static void mschap_success(struct ppp_auth *a, uint8_t id, const char *msg,
			   struct ppp_actions *out)
{
	char buf[MSCHAPV2_AUTH_STR_LEN + 3 + 200];
	size_t n;

	ppp_mschap_auth_string(a->auth_resp, buf);
	n = MSCHAPV2_AUTH_STR_LEN;
	if (msg && *msg)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, " M=%.199s", msg);
	ppp_act_send(out, PPP_PROTO_CHAP, CHAP_SUCCESS, id, buf, n);
}

/*
 * RFC 2759 §6 Failure message "E=691 R=r C=<challenge> V=3 M=<message>":
 * C= is the challenge of the next attempt (ours, unchanged when no retry);
 * V=3 says we can do version 3 password change, which we never offer.
 */
static void mschap_failure(struct ppp_auth *a, uint8_t id, bool retry, const char *msg,
			   struct ppp_actions *out)
{
	char buf[256], c[2 * PPP_CHAP_CHALLENGE_LEN + 1];
	int n;

	if (msg && strncmp(msg, "E=", 2) == 0) {
		n = snprintf(buf, sizeof(buf), "%.250s", msg);
	} else {
		hex(c, a->challenge, PPP_CHAP_CHALLENGE_LEN);
		n = snprintf(buf, sizeof(buf), "E=%d R=%d C=%s V=3 M=%.180s",
			     MSCHAPV2_ERR_AUTH_FAILURE, retry ? 1 : 0, c,
			     msg && *msg ? msg : "Authentication failed");
	}
	ppp_act_send(out, PPP_PROTO_CHAP, CHAP_FAILURE, id, buf,
		     n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* RFC 1994 §4.1 Response: Value-Size, Value, Name (the rest). */
static int chap_input(struct ppp_auth *a, uint8_t code, uint8_t id, const uint8_t *d,
		      size_t len, struct ppp_actions *out)
{
	bool ms = a->method == PPP_AUTH_MSCHAPV2;
	size_t vlen;

	if (code != CHAP_RESPONSE || len < 1)
		return -EBADMSG;
	vlen = d[0];
	if (len < 1 + vlen || (ms && vlen != MSCHAPV2_RESPONSE_LEN))
		return -EBADMSG;
	if (id != a->id) {
		/* our retry Failure was lost: the peer repeats the refused Response (RFC 2759 §6) */
		if (ms && a->retrying && a->state == PPP_AUTH_WAITING && id == (uint8_t)(a->id - 1)) {
			mschap_failure(a, id, true, NULL, out);
			return 0;
		}
		return -EBADMSG;
	}
	switch ((enum ppp_auth_state)a->state) {
	case PPP_AUTH_WAITING:
		request(a, d + 1 + vlen, len - 1 - vlen, d + 1, vlen, out);
		return 0;
	case PPP_AUTH_PENDING:
		return 0;       /* a retransmission while we verify */
	case PPP_AUTH_SUCCESS:
		/* §4.2: Success was lost, the peer repeats its Response. */
		if (ms)
			mschap_success(a, id, NULL, out);
		else
			ppp_act_send(out, PPP_PROTO_CHAP, CHAP_SUCCESS, id, NULL, 0);
		return 0;
	case PPP_AUTH_FAILURE:
		if (ms)
			mschap_failure(a, id, false, NULL, out);
		else
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
	if (proto == PPP_PROTO_CHAP &&
	    (a->method == PPP_AUTH_CHAP_MD5 || a->method == PPP_AUTH_MSCHAPV2))
		return chap_input(a, pkt[0], pkt[1], pkt + PPP_HDR_LEN, plen - PPP_HDR_LEN, out);
	return -EBADMSG;
}

/* RFC 2759 §5, §6: Success with the Authenticator Response, or Failure (maybe a retry). */
static void mschap_result(struct ppp_auth *a, bool ok, const char *msg, const uint8_t *auth_resp,
			  const uint8_t *new_challenge, uint64_t now_ms, struct ppp_actions *out)
{
	uint8_t id = a->id;

	if (ok && auth_resp) {
		memcpy(a->auth_resp, auth_resp, MSCHAPV2_AUTH_RESP_LEN);
		mschap_success(a, id, msg, out);
		a->state = PPP_AUTH_SUCCESS;
		a->deadline = UINT64_MAX;
		return;
	}
	if (ok)
		msg = NULL;     /* accepted without proof for the peer: it would refuse us */
	if (new_challenge && a->retries < a->cfg->mschap_retries &&
	    !(msg && strncmp(msg, "E=", 2) == 0)) {
		/* §6: R=1, the next Response (identifier + 1) answers the new challenge */
		a->retries++;
		a->retrying = true;
		memcpy(a->challenge, new_challenge, PPP_CHAP_CHALLENGE_LEN);
		mschap_failure(a, id, true, msg, out);
		a->id++;
		a->state = PPP_AUTH_WAITING;
		a->give_up = now_ms + a->cfg->timeout_ms;
		a->deadline = a->give_up;
		return;
	}
	mschap_failure(a, id, false, msg, out);
	fail(a, PPP_DOWN_AUTH_FAILED);
}

int ppp_auth_result_ms(struct ppp_auth *a, bool ok, const char *msg, const uint8_t *auth_resp,
		       const uint8_t *new_challenge, uint64_t now_ms, struct ppp_actions *out)
{
	if (a->state != PPP_AUTH_PENDING)
		return -EINVAL;
	if (a->method == PPP_AUTH_MSCHAPV2) {
		mschap_result(a, ok, msg, auth_resp, new_challenge, now_ms, out);
		return 0;
	}
	return ppp_auth_result(a, ok, msg, out);
}

int ppp_auth_result(struct ppp_auth *a, bool ok, const char *msg, struct ppp_actions *out)
{
	uint8_t buf[256];
	size_t mlen = msg ? strnlen(msg, 254) : 0;

	if (a->state != PPP_AUTH_PENDING)
		return -EINVAL;
	if (a->method == PPP_AUTH_MSCHAPV2) {
		mschap_result(a, ok, msg, NULL, NULL, 0, out);
		return 0;
	}
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
	/*
	 * Only a CHAP Challenge is retransmitted (RFC 1994 §4.1, with a new
	 * Identifier); after an MS-CHAPv2 retry Failure the peer speaks next.
	 */
	if (a->state != PPP_AUTH_WAITING || a->method == PPP_AUTH_PAP || a->retrying ||
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
