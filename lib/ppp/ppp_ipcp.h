/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPCP (RFC 1332) with the DNS options of RFC 1877, LNS side: we give the
 * peer its address (Nak with it), offer DNS servers (Nak with them, Reject
 * when none is configured), refuse VJ compression and NBNS, and request our
 * own local address.
 */
#ifndef LNS_PPP_IPCP_H
#define LNS_PPP_IPCP_H

#include <stdint.h>

#include "ppp_act.h"
#include "ppp_fsm.h"

struct ipcp_cfg {
	uint32_t local_ip;             /* host order; 0: do not send IP-Address */
	uint32_t dns1, dns2;           /* defaults for every session; 0: none */
};

/* Options the peer's acknowledged request carried with our values. */
enum ipcp_got {
	IPCP_GOT_ADDR = 1 << 0,
	IPCP_GOT_DNS1 = 1 << 1,
	IPCP_GOT_DNS2 = 1 << 2,
};

struct ipcp {
	struct ppp_fsm fsm;
	const struct ipcp_cfg *cfg;
	uint32_t peer_ip;              /* the address we give the peer */
	uint32_t dns1, dns2;           /* what we offer this peer (cfg, or RADIUS later) */
	uint8_t got;                   /* enum ipcp_got */
	bool addr_rejected;            /* the peer rejected our IP-Address: stop sending it */
};

void ipcp_init(struct ipcp *c, const struct ipcp_cfg *cfg, const struct ppp_fsm_cfg *fcfg,
	       uint32_t peer_ip);
/* An IPCP packet (after the protocol field); returns as ppp_fsm_input(). */
int ipcp_input(struct ipcp *c, const uint8_t *pkt, size_t len, uint64_t now_ms,
	       struct ppp_actions *out);

#endif
