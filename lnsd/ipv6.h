/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv6 for subscribers (docs/design.md §9.6): a /64 per session for router
 * advertisements on pppN and a delegated prefix for DHCPv6, from the [ppp]
 * pools or RADIUS; the RA and DHCPv6 sockets; the delegated prefix's and
 * Framed-IPv6-Routes' routes via pppN (dp_route_add6/del6). Part of the
 * engine (engine_int.h); lib/ipv6 does the protocol work.
 */
#ifndef LNSD_IPV6_H
#define LNSD_IPV6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ip6_prefix.h"
#include "radius_attr.h"
#include "radius_ipv6.h"

struct engine;
struct eng_session;

/* The pools of e->conf, and with the kernel data plane (kernel) the RA and DHCPv6 sockets. */
int eng_ipv6_init(struct engine *e, bool kernel, char *err, size_t errlen);
void eng_ipv6_free(struct engine *e);   /* NULL-safe e->v6 */
/* The Access-Accept's IPv6 attributes (kept until the session's IPv6 comes up). */
void eng_ipv6_accept(struct engine *e, struct eng_session *es, const struct rad_ipv6 *r,
		     const char *pfx);
/*
 * Set the session's prefixes aside (pool or RADIUS) if IPv6 runs and it has
 * none yet: IPCP calls it before Accounting Start, so Start carries them.
 */
void eng_ipv6_reserve(struct engine *e, struct eng_session *es);
/* IPV6CP opened, fe80::local_ifid on pppN: RAs, DHCPv6, Framed-IPv6-Routes. */
void eng_ipv6_up(struct engine *e, struct eng_session *es, const uint8_t local_ifid[8],
		 const uint8_t peer_ifid[8]);
/* The session ends: routes away, prefixes back to the pools, state freed. */
void eng_ipv6_down(struct engine *e, struct eng_session *es);
/* Framed-IPv6-Prefix and Delegated-IPv6-Prefix for an Accounting-Request. */
void eng_ipv6_acct(const struct eng_session *es, struct rad_avs *avs);
/* What lnsctl shows: the /64 and the delegated prefix (false: none). */
bool eng_ipv6_prefixes(const struct eng_session *es, struct ip6_prefix *prefix, bool *has_pd,
		       struct ip6_prefix *pd);

#endif
