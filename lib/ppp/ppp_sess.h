/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One PPP session, LNS side: LCP, then authentication, then IPCP and, when
 * enabled, IPV6CP (RFC 1661 §3 phases). Frames and time come in; frames to send (on the /dev/ppp
 * channel or unit fd), credential checks, up and down come out as
 * struct ppp_actions. Pure: no I/O, clock or RNG (cfg->lcp.rand_bytes).
 *
 * Per session this is a few hundred bytes (sizeof(struct ppp_sess)); the
 * configuration and the address pool are shared by every session.
 */
#ifndef LNS_PPP_SESS_H
#define LNS_PPP_SESS_H

#include <stdbool.h>
#include <stdint.h>

#include "ip_pool.h"
#include "ppp_act.h"
#include "ppp_auth.h"
#include "ppp_fsm.h"
#include "ppp_ipcp.h"
#include "ppp_ipv6cp.h"
#include "ppp_lcp.h"

struct ppp_cfg {
	struct ppp_fsm_cfg fsm;       /* restart timer and counters, LCP and IPCP alike */
	struct lcp_cfg lcp;           /* MRU, auth methods, echo, rand_bytes */
	struct ppp_auth_cfg auth;     /* CHAP name, timeouts */
	struct ipcp_cfg ipcp;         /* local address, default DNS */
	struct ipv6cp_cfg ipv6cp;     /* off by default: IPV6CP is Protocol-Rejected */
	struct ip_pool *pool;         /* NULL: addresses only from ppp_sess_auth_result */
};
/* RFC 1661 §4.6 timers, lcp_cfg_default, ppp_auth_cfg_default; no address, no pool, no IPV6CP. */
void ppp_cfg_default(struct ppp_cfg *cfg);

/* RFC 1661 §3.2 phases. */
enum ppp_phase {
	PPP_PHASE_DEAD,
	PPP_PHASE_ESTABLISH,
	PPP_PHASE_AUTHENTICATE,
	PPP_PHASE_NETWORK,
	PPP_PHASE_TERMINATE,
};
const char *ppp_phase_str(enum ppp_phase p);

/* What a verifier (users file, RADIUS) may assign with a positive verdict. */
struct ppp_auth_attrs {
	uint32_t peer_ip;             /* host order; 0: from the pool */
	uint32_t dns1, dns2;          /* 0: the configured ones */
	/*
	 * MS-CHAPv2: the Authenticator Response (ppp_users_verify, or RADIUS
	 * MS-CHAP2-Success after its "S="). A positive MS-CHAPv2 verdict
	 * without it is sent as a failure (RFC 2759 §5: the peer checks it).
	 */
	bool has_auth_resp;
	uint8_t auth_resp[MSCHAPV2_AUTH_RESP_LEN];
};

/* Frames not processed, by reason. */
struct ppp_sess_stats {
	uint32_t drop_short;          /* shorter than the protocol field */
	uint32_t drop_invalid;        /* malformed, stale or illegal for the state */
	uint32_t drop_phase;          /* not allowed in this phase (§3.4, §3.5) */
	uint32_t proto_rejects;       /* unknown protocols answered with Protocol-Reject */
	uint32_t wrong_fd;            /* arrived on the other fd than docs/design.md §4.3 says */
};

struct ppp_sess {
	const struct ppp_cfg *cfg;
	struct lcp lcp;
	struct ppp_auth auth;
	struct ipcp ipcp;
	struct ipv6cp ipv6cp;         /* used when cfg->ipv6cp.enabled */
	struct ppp_auth_attrs attrs;  /* from the verdict; peer_ip is the address in use */
	struct ppp_sess_stats stats;
	uint8_t phase;                /* enum ppp_phase */
	uint8_t reason;               /* enum ppp_down_reason, once known */
	bool ip_from_pool;            /* attrs.peer_ip must go back to cfg->pool */
	uint8_t ncp_rejected;         /* (1 << enum ppp_ncp): the peer Protocol-Rejected it */
};

void ppp_sess_init(struct ppp_sess *s, const struct ppp_cfg *cfg);
/* The L2TP session is established: start LCP (Up and Open; our Configure-Request goes out). */
void ppp_sess_start(struct ppp_sess *s, uint64_t now_ms, struct ppp_actions *out);
/*
 * A frame read from the channel fd (on_unit_fd false) or the unit fd: the
 * 2-byte protocol, then the packet (docs/design.md §4.3).
 */
void ppp_sess_input(struct ppp_sess *s, const uint8_t *frame, size_t len, bool on_unit_fd,
		    uint64_t now_ms, struct ppp_actions *out);
void ppp_sess_tick(struct ppp_sess *s, uint64_t now_ms, struct ppp_actions *out);
/* Earliest timer; UINT64_MAX when none (e.g. after DOWN). */
uint64_t ppp_sess_next_deadline(const struct ppp_sess *s);
/*
 * The verdict on an AUTH_REQUEST: attrs (may be NULL) assign the address and
 * DNS. -EINVAL when no verdict is awaited (e.g. the session ended meanwhile).
 * A refused MS-CHAPv2 peer gets up to cfg->auth.mschap_retries more tries
 * with a new challenge (RFC 2759 §6; another AUTH_REQUEST follows) before
 * the link goes down; msg is the M= text (or a whole "E=..." from RADIUS).
 */
int ppp_sess_auth_result(struct ppp_sess *s, bool ok, const char *msg,
			 const struct ppp_auth_attrs *attrs, uint64_t now_ms,
			 struct ppp_actions *out);
/* Terminate the link (LCP Terminate-Request); DOWN follows when LCP finishes. */
void ppp_sess_close(struct ppp_sess *s, enum ppp_down_reason why, uint64_t now_ms,
		    struct ppp_actions *out);
/* The L2TP session is gone: DOWN now, nothing is sent. */
void ppp_sess_lower_down(struct ppp_sess *s, uint64_t now_ms, struct ppp_actions *out);
/* Give back the pool address if DOWN has not (before freeing a session early). */
void ppp_sess_fini(struct ppp_sess *s);

#endif
