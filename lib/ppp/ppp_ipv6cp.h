/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPV6CP (RFC 5072), LNS side: only the Interface-Identifier is negotiated
 * (ours random and non-zero; a peer's zero or colliding identifier is
 * Nak'd with a fresh random one); IPv6-Compression-Protocol and anything
 * else is rejected. Both identifiers give the link-local addresses
 * fe80::<id> on pppN. Random bytes come from the owner's callback.
 */
#ifndef LNS_PPP_IPV6CP_H
#define LNS_PPP_IPV6CP_H

#include <stdbool.h>
#include <stdint.h>

#include "ppp_act.h"
#include "ppp_fsm.h"
#include "ppp_proto.h"

struct ipv6cp_cfg {
	bool enabled;                  /* run IPV6CP; false: Protocol-Reject it (default) */
};

struct ipv6cp {
	struct ppp_fsm fsm;
	void (*rand_bytes)(void *ctx, void *buf, size_t len);
	void *rand_ctx;
	uint8_t our_id[IPV6CP_IFID_LEN];
	uint8_t peer_id[IPV6CP_IFID_LEN];  /* from the peer's acknowledged request; 0 none */
	uint8_t fresh;                 /* fallback counter when no random bytes come */
	bool id_rejected;              /* the peer rejected our Interface-Identifier */
};

void ipv6cp_init(struct ipv6cp *c, const struct ppp_fsm_cfg *fcfg,
		 void (*rand_bytes)(void *ctx, void *buf, size_t len), void *rand_ctx);
/* An IPV6CP packet (after the protocol field); returns as ppp_fsm_input(). */
int ipv6cp_input(struct ipv6cp *c, const uint8_t *pkt, size_t len, uint64_t now_ms,
		 struct ppp_actions *out);

#endif
