/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv6 prefix pool: prefixes of one length (a /64 per session for router
 * advertisements, a /56 for DHCPv6 prefix delegation) carved from up to
 * IP6_POOL_BASES configured prefixes, e.g. 2001:db8:100::/48 -> 65,536 /64s.
 * Sub-prefix i of base k is index k << 24 | i of an ip_pool (ip_pool.h): the
 * same bitmap, summary and rotating cursor, so allocation is O(1) amortised
 * at 100k sessions and a freed prefix is not handed out again at once.
 */
#ifndef LNS_IP6_POOL_H
#define LNS_IP6_POOL_H

#include <stdint.h>

#include "ip6_prefix.h"

#define IP6_POOL_BASES 256
#define IP6_POOL_MAX_BITS 24           /* at most 2^24 prefixes per base and in all */

struct ip6_pool;

/* A pool handing out prefixes of length plen (1..128); NULL on -ENOMEM or a bad length. */
struct ip6_pool *ip6_pool_new(uint8_t plen);
void ip6_pool_free(struct ip6_pool *p);        /* NULL-safe */
/*
 * Add a base prefix, only before the first allocation (-EBUSY). -EINVAL:
 * longer than the pool's length or overlapping a base already added;
 * -E2BIG: more than 2^24 prefixes in all or IP6_POOL_BASES bases; -ENOMEM.
 */
int ip6_pool_add(struct ip6_pool *p, const struct ip6_prefix *base);
/* "P1, P2": add each. On error *bad_off is the faulty token's offset. */
int ip6_pool_parse(struct ip6_pool *p, const char *spec, size_t *bad_off);

/* Any free prefix; -ENOSPC when exhausted. */
int ip6_pool_alloc(struct ip6_pool *p, struct ip6_prefix *out);
/* That prefix (from RADIUS): -ENOENT not one of the pool's, -EADDRINUSE taken. */
int ip6_pool_alloc_prefix(struct ip6_pool *p, const struct ip6_prefix *want);
/* -ENOENT not one of the pool's, -EALREADY if it was free. */
int ip6_pool_release(struct ip6_pool *p, const struct ip6_prefix *pfx);

uint8_t ip6_pool_plen(const struct ip6_pool *p);
uint32_t ip6_pool_size(const struct ip6_pool *p);
uint32_t ip6_pool_used(const struct ip6_pool *p);

#endif
