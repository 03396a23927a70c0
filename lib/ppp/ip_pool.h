/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv4 address pool: one or more ranges A-B (up to 2^24 addresses in all, a
 * /8), a bitmap with a per-64 summary and a rotating cursor, so allocation
 * is O(1) amortised and a freed address is not handed out again at once.
 * Addresses are uint32_t in host byte order.
 */
#ifndef LNS_IP_POOL_H
#define LNS_IP_POOL_H

#include <stdbool.h>
#include <stdint.h>

#define IP_POOL_MAX (1u << 24)

struct ip_pool;

struct ip_pool *ip_pool_new(void);
void ip_pool_free(struct ip_pool *p);          /* NULL-safe */
/*
 * Add first..last (inclusive). Only before the first allocation (-EBUSY).
 * -EINVAL: first > last or overlap with a range already added;
 * -E2BIG: more than IP_POOL_MAX addresses in all; -ENOMEM.
 */
int ip_pool_add_range(struct ip_pool *p, uint32_t first, uint32_t last);
/* "A-B, C, D-E": add each range. -EINVAL (with *bad_off at the faulty token) or as above. */
int ip_pool_parse(struct ip_pool *p, const char *spec, size_t *bad_off);

/* Any free address; -ENOSPC when the pool is exhausted. */
int ip_pool_alloc(struct ip_pool *p, uint32_t *addr);
/* That address (RADIUS Framed-IP-Address): -ENOENT outside the pool, -EADDRINUSE taken. */
int ip_pool_alloc_addr(struct ip_pool *p, uint32_t addr);
/* -ENOENT outside the pool, -EALREADY if it was free. */
int ip_pool_release(struct ip_pool *p, uint32_t addr);

bool ip_pool_contains(const struct ip_pool *p, uint32_t addr);
uint32_t ip_pool_size(const struct ip_pool *p);
uint32_t ip_pool_used(const struct ip_pool *p);

#endif
