/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The client (peer) side of a PPP link, as a LAC's PPP user is to the LNS:
 * LCP with MRU and Magic-Number that accepts the authentication protocol the
 * LNS asks for (PAP or CHAP-MD5), the PAP or CHAP-MD5 client, and IPCP that
 * requests 0.0.0.0 and takes the address the LNS Naks. It answers LCP
 * Echo-Requests and Terminate-Requests. The same automaton (ppp_fsm) as the
 * LNS side, with client option rules; for load generators and tests.
 *
 * Pure like the rest of lib/ppp: frames and time in, PPP_ACT_SEND (protocol +
 * packet), PPP_ACT_UP (IPCP opened: up.local_ip is our address, up.peer_ip
 * the LNS's) and PPP_ACT_DOWN (reason) out. About 100 bytes per link; the
 * configuration is shared.
 */
#ifndef LNS_PPP_PEER_H
#define LNS_PPP_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ppp_act.h"
#include "ppp_fsm.h"

struct ppp_peer;

struct ppp_peer_cfg {
	struct ppp_fsm_cfg fsm;       /* restart timer and counters (PAP retransmits too) */
	uint16_t mru;                 /* requested; 0 = option not sent */
	const char *user;             /* PAP Peer-ID / CHAP Name */
	const char *password;         /* PAP password / CHAP secret */
	/*
	 * Optional: the user name of this link (e.g. one per call) into buf,
	 * returning its length (<= cap); NULL: user.
	 */
	size_t (*user_name)(void *ctx, const struct ppp_peer *p, char *buf, size_t cap);
	void *ctx;
	void (*rand_bytes)(void *ctx, void *buf, size_t len);   /* Magic-Numbers; may be NULL */
};
/* RFC 1661 §4.6 timers, MRU 1400, no credentials. */
void ppp_peer_cfg_default(struct ppp_peer_cfg *cfg);

enum ppp_peer_phase {
	PPP_PEER_DEAD,
	PPP_PEER_ESTABLISH,           /* LCP negotiating */
	PPP_PEER_AUTHENTICATE,        /* LCP opened, PAP/CHAP running */
	PPP_PEER_NETWORK,             /* authenticated, IPCP negotiating */
	PPP_PEER_UP,                  /* IPCP opened */
	PPP_PEER_DOWN,                /* over: see reason */
};

struct ppp_peer {
	struct ppp_fsm lcp, ipcp;
	const struct ppp_peer_cfg *cfg;
	uint64_t auth_deadline;       /* PAP retransmission or the auth timeout; UINT64_MAX none */
	uint32_t tag;                 /* the owner's (e.g. its call number for user_name) */
	uint32_t our_magic;
	uint32_t addr;                /* host order: requested / obtained IPv4 address */
	uint32_t lns_addr;            /* the LNS's IP-Address, 0 if it sent none */
	uint16_t our_mru;
	uint8_t auth;                 /* enum ppp_auth_method the LNS asked for, acked */
	uint8_t auth_pending;         /* method in the Configure-Request being judged */
	uint8_t auth_sent;            /* PAP requests / CHAP responses sent */
	uint8_t auth_id;
	uint8_t rejected;             /* bit 0 MRU, bit 1 Magic-Number rejected by the LNS */
	uint8_t phase;                /* enum ppp_peer_phase */
	uint8_t reason;               /* enum ppp_down_reason once DOWN */
};

void ppp_peer_init(struct ppp_peer *p, const struct ppp_peer_cfg *cfg, uint32_t tag);
/* The L2TP call is up: LCP Up and Open (our Configure-Request goes out). */
void ppp_peer_start(struct ppp_peer *p, uint64_t now_ms, struct ppp_actions *out);
/*
 * A frame from the LNS: an optional FF 03 address/control, the 2-byte
 * protocol, the packet. Returns 0, or -EBADMSG when it was dropped (short,
 * malformed, stale or illegal in this state).
 */
int ppp_peer_input(struct ppp_peer *p, const uint8_t *frame, size_t len, uint64_t now_ms,
		   struct ppp_actions *out);
void ppp_peer_tick(struct ppp_peer *p, uint64_t now_ms, struct ppp_actions *out);
/* Earliest timer; UINT64_MAX when none. */
uint64_t ppp_peer_next_deadline(const struct ppp_peer *p);
const char *ppp_peer_phase_str(enum ppp_peer_phase ph);

#endif
