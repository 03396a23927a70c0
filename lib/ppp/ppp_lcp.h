/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * LCP (RFC 1661 §5-§6) on the LNS side of a synchronous L2TP link: MRU,
 * Magic-Number with loopback detection, the Authentication-Protocol we
 * require of the peer, Protocol-Reject, Terminate and an Echo keepalive.
 * ACCM, PFC, ACFC (meaningless on L2TP) and unknown options are rejected.
 */
#ifndef LNS_PPP_LCP_H
#define LNS_PPP_LCP_H

#include <stdbool.h>
#include <stdint.h>

#include "ppp_act.h"
#include "ppp_fsm.h"

#define LCP_MIN_MRU 128

struct lcp_cfg {
	uint16_t mru;                  /* we request this; 0 = do not send the option */
	uint16_t min_mru;              /* a peer MRU below this is Nak'd up to it */
	/* Methods the peer may use, in preference order; the first is requested first. */
	enum ppp_auth_method auth[PPP_AUTH_METHOD_COUNT];
	uint8_t n_auth;                /* 0: no authentication */
	uint32_t echo_interval_ms;     /* Echo-Request every this long in Opened; 0 = off */
	uint8_t echo_failures;         /* close after this many unanswered */
	uint8_t max_loops;             /* magic collisions before declaring a loopback */
	/* Random bytes for Magic-Numbers (and, in ppp_sess, CHAP challenges). */
	void (*rand_bytes)(void *ctx, void *buf, size_t len);
	void *rand_ctx;
};
/* mru 1400, min 128, auth CHAP-MD5 then PAP, echo 30 s x 4, 5 loops; rand_bytes unset. */
void lcp_cfg_default(struct lcp_cfg *cfg);

/* Options the peer rejected: we stop sending them (§5.4). */
enum lcp_rejected {
	LCP_REJ_MRU = 1 << 0,
	LCP_REJ_MAGIC = 1 << 1,
};

struct lcp {
	struct ppp_fsm fsm;
	const struct lcp_cfg *cfg;
	uint64_t echo_deadline;        /* UINT64_MAX when not echoing */
	uint32_t our_magic, peer_magic;
	uint16_t mru;                  /* this link's MRU: cfg->mru, or lcp_set_mru()'s; 0 none */
	uint16_t our_mru;              /* what we request (the peer may Nak it) */
	uint16_t peer_mru;             /* the peer's, PPP_DEFAULT_MRU unless it sent one */
	uint16_t rejected_proto;       /* last protocol the peer Protocol-Rejected, 0 none */
	uint8_t auth_idx;              /* index into cfg->auth of the method we request */
	uint8_t rejected;              /* enum lcp_rejected bits */
	uint8_t echo_pending;          /* Echo-Requests sent since the last reply */
	uint8_t echo_id;
	uint8_t loops;                 /* consecutive Magic-Number collisions */
	uint8_t fail;                  /* enum ppp_down_reason: why LCP closed itself */
	bool close_pending;            /* fail was set inside the automaton: Close next */
};

void lcp_init(struct lcp *l, const struct lcp_cfg *cfg, const struct ppp_fsm_cfg *fcfg);
/* This link's MRU instead of cfg->mru (computed per tunnel), before LCP starts. */
void lcp_set_mru(struct lcp *l, uint16_t mru);
/* An LCP packet (after the protocol field). Returns as ppp_fsm_input(). */
int lcp_input(struct lcp *l, const uint8_t *pkt, size_t len, uint64_t now_ms,
	      struct ppp_actions *out);
/* Restart timer and echo keepalive. */
void lcp_tick(struct lcp *l, uint64_t now_ms, struct ppp_actions *out);
uint64_t lcp_next_deadline(const struct lcp *l);
/* Close with a reason (recorded in l->fail unless one is set already). */
void lcp_close(struct lcp *l, enum ppp_down_reason why, uint64_t now_ms, struct ppp_actions *out);
/*
 * RFC 1661 §5.7: reject a frame of an unknown protocol (info is the frame after
 * its protocol field). Only sent in Opened; returns -EAGAIN otherwise.
 */
int lcp_send_proto_rej(struct lcp *l, uint16_t proto, const uint8_t *info, size_t len,
		       struct ppp_actions *out);
/* The method the peer agreed to (valid once Opened); PPP_AUTH_NONE without auth. */
enum ppp_auth_method lcp_auth_method(const struct lcp *l);

#endif
