/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The authenticator side of PAP (RFC 1334 §2), CHAP-MD5 (RFC 1994) and
 * MS-CHAPv2 (RFC 2759): the LNS asks, the client proves. Verification is asynchronous: a received
 * PAP request or CHAP response becomes a PPP_ACT_AUTH_REQUEST action and the
 * owner answers later with ppp_auth_result() (local users at once, RADIUS
 * when its reply comes). Random challenge bytes are passed in.
 */
#ifndef LNS_PPP_AUTH_H
#define LNS_PPP_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ppp_act.h"
#include "ppp_mschap.h"
#include "ppp_proto.h"

#define PPP_CHAP_CHALLENGE_LEN 16

struct ppp_auth_cfg {
	const char *name;             /* CHAP Name field: our host name (may be "") */
	uint32_t timeout_ms;          /* the whole exchange, verification included (30 s) */
	uint32_t restart_ms;          /* CHAP Challenge retransmission (3 s) */
	uint8_t max_challenges;       /* Challenges sent before giving up (10) */
	uint8_t mschap_retries;       /* MS-CHAPv2 Failures that allow a retry (R=1) first (2) */
};
void ppp_auth_cfg_default(struct ppp_auth_cfg *cfg);

enum ppp_auth_state {
	PPP_AUTH_IDLE,
	PPP_AUTH_WAITING,             /* for the PAP request / CHAP response */
	PPP_AUTH_PENDING,             /* AUTH_REQUEST emitted, ppp_auth_result() awaited */
	PPP_AUTH_SUCCESS,
	PPP_AUTH_FAILURE,             /* see fail: PPP_DOWN_AUTH_FAILED or _TIMEOUT */
};

struct ppp_auth {
	const struct ppp_auth_cfg *cfg;
	uint64_t deadline;            /* next retransmission or the timeout; UINT64_MAX none */
	uint64_t give_up;             /* end of the whole exchange */
	uint8_t method;               /* enum ppp_auth_method */
	uint8_t state;                /* enum ppp_auth_state */
	uint8_t id;                   /* CHAP: current Challenge id; PAP: last request id */
	uint8_t sent;                 /* Challenges sent */
	uint8_t fail;                 /* enum ppp_down_reason once FAILURE */
	uint8_t retries;              /* MS-CHAPv2 retries granted so far */
	bool retrying;                /* MS-CHAPv2: a Failure with R=1 went out, Response id+1 awaited */
	uint8_t challenge[PPP_CHAP_CHALLENGE_LEN];
	uint8_t auth_resp[MSCHAPV2_AUTH_RESP_LEN];   /* MS-CHAPv2 success, for a repeated Success */
};

void ppp_auth_init(struct ppp_auth *a, const struct ppp_auth_cfg *cfg);
/*
 * Begin authenticating with method (PAP waits; (MS-)CHAP sends a Challenge with
 * the given random bytes, PPP_CHAP_CHALLENGE_LEN of them, and id).
 */
void ppp_auth_start(struct ppp_auth *a, enum ppp_auth_method method, const uint8_t *challenge,
		    uint8_t id, uint64_t now_ms, struct ppp_actions *out);
/* A PAP or CHAP packet (after the protocol field). 0, or -EBADMSG if dropped. */
int ppp_auth_input(struct ppp_auth *a, uint16_t proto, const uint8_t *pkt, size_t len,
		   uint64_t now_ms, struct ppp_actions *out);
/* The verdict on the last AUTH_REQUEST; msg goes to the peer ("" for none). -EINVAL if none asked. */
int ppp_auth_result(struct ppp_auth *a, bool ok, const char *msg, struct ppp_actions *out);
/*
 * The same with what MS-CHAPv2 needs (RFC 2759 §5, §6). ok: auth_resp is the
 * Authenticator Response for "S=... M=msg"; without it the peer could not
 * trust us, so the verdict becomes a failure. !ok: "E=691 R=r C=... V=3
 * M=msg"; with new_challenge (PPP_CHAP_CHALLENGE_LEN fresh random bytes) and
 * retries left, R=1 and the peer may answer C= with a Response of the next
 * identifier; otherwise R=0 and FAILURE. A msg that starts with "E=" (a
 * RADIUS MS-CHAP-Error) is sent as it is, without retry. For other methods
 * auth_resp and new_challenge are ignored.
 */
int ppp_auth_result_ms(struct ppp_auth *a, bool ok, const char *msg, const uint8_t *auth_resp,
		       const uint8_t *new_challenge, uint64_t now_ms, struct ppp_actions *out);
void ppp_auth_tick(struct ppp_auth *a, uint64_t now_ms, struct ppp_actions *out);

/* RFC 1994 §4.1: MD5(id || secret || challenge). */
void ppp_chap_md5(uint8_t id, const void *secret, size_t secret_len, const uint8_t *challenge,
		  size_t challenge_len, uint8_t out[CHAP_MD5_LEN]);
bool ppp_chap_md5_verify(uint8_t id, const void *secret, size_t secret_len,
			 const uint8_t *challenge, size_t challenge_len, const uint8_t *response,
			 size_t response_len);
/* PAP password comparison that does not leak where the first difference is. */
bool ppp_pap_verify(const void *secret, size_t secret_len, const uint8_t *password,
		    size_t password_len);

#endif
