// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IPv6 prefix pool on top of the IPv4 pool's allocator: an ip_pool over
 * indices rather than addresses (ip6_pool.h). The bits between a base's
 * length and the pool's length are the index within the base.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ip6_pool.h"
#include "ip_pool.h"

struct ip6_pool {
	struct ip_pool *idx;
	struct ip6_prefix bases[IP6_POOL_BASES];
	unsigned nbases;
	uint8_t plen;
};

struct ip6_pool *ip6_pool_new(uint8_t plen)
{
	struct ip6_pool *p;

	if (plen == 0 || plen > 128)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->idx = ip_pool_new();
	if (!p->idx) {
		free(p);
		return NULL;
	}
	p->plen = plen;
	return p;
}

void ip6_pool_free(struct ip6_pool *p)
{
	if (!p)
		return;
	ip_pool_free(p->idx);
	free(p);
}

static bool overlaps(const struct ip6_prefix *a, const struct ip6_prefix *b)
{
	return ip6_prefix_contains(a, b) || ip6_prefix_contains(b, a);
}

int ip6_pool_add(struct ip6_pool *p, const struct ip6_prefix *base)
{
	unsigned bits, i;
	int rc;

	if (ip_pool_used(p->idx))
		return -EBUSY;
	if (base->len > p->plen)
		return -EINVAL;
	bits = p->plen - base->len;
	if (bits > IP6_POOL_MAX_BITS || p->nbases >= IP6_POOL_BASES)
		return -E2BIG;
	for (i = 0; i < p->nbases; i++)
		if (overlaps(&p->bases[i], base))
			return -EINVAL;
	rc = ip_pool_add_range(p->idx, p->nbases << IP6_POOL_MAX_BITS,
			       (p->nbases << IP6_POOL_MAX_BITS) + ((1u << bits) - 1));
	if (rc)
		return rc;
	p->bases[p->nbases] = *base;
	ip6_prefix_mask(&p->bases[p->nbases]);
	p->nbases++;
	return 0;
}

int ip6_pool_parse(struct ip6_pool *p, const char *spec, size_t *bad_off)
{
	const char *s = spec;
	int rc = 0;

	for (;;) {
		char tok[IP6_PREFIX_STRLEN];
		struct ip6_prefix pfx;
		size_t n;

		s += strspn(s, " \t,");
		if (!*s)
			break;
		n = strcspn(s, " \t,");
		rc = -EINVAL;
		if (n >= sizeof(tok))
			break;
		memcpy(tok, s, n);
		tok[n] = '\0';
		rc = ip6_prefix_parse(tok, &pfx);
		if (!rc)
			rc = ip6_pool_add(p, &pfx);
		if (rc)
			break;
		s += n;
	}
	if (rc && bad_off)
		*bad_off = (size_t)(s - spec);
	return rc;
}

/* Address bit b (0 = most significant). */
static unsigned get_bit(const uint8_t *a, unsigned b)
{
	return a[b / 8] >> (7 - b % 8) & 1;
}

static void put_bit(uint8_t *a, unsigned b, unsigned v)
{
	if (v)
		a[b / 8] |= (uint8_t)(0x80u >> (b % 8));
	else
		a[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
}

static void prefix_of(const struct ip6_pool *p, uint32_t idx, struct ip6_prefix *out)
{
	const struct ip6_prefix *base = &p->bases[idx >> IP6_POOL_MAX_BITS];
	uint32_t i = idx & ((1u << IP6_POOL_MAX_BITS) - 1);
	unsigned b;

	*out = *base;
	out->len = p->plen;
	for (b = 0; b < (unsigned)(p->plen - base->len); b++)
		put_bit(out->addr, p->plen - 1 - b, i >> b & 1);
}

/* The index of pfx, or -ENOENT when it is not one of the pool's prefixes. */
static int64_t index_of(const struct ip6_pool *p, const struct ip6_prefix *pfx)
{
	struct ip6_prefix m = *pfx;
	unsigned k, b;

	ip6_prefix_mask(&m);
	if (pfx->len != p->plen || !ip6_prefix_eq(&m, pfx))
		return -ENOENT;
	for (k = 0; k < p->nbases; k++) {
		uint32_t i = 0;

		if (!ip6_prefix_contains(&p->bases[k], pfx))
			continue;
		for (b = 0; b < (unsigned)(p->plen - p->bases[k].len); b++)
			i |= (uint32_t)get_bit(pfx->addr, p->plen - 1 - b) << b;
		return (int64_t)k << IP6_POOL_MAX_BITS | i;
	}
	return -ENOENT;
}

int ip6_pool_alloc(struct ip6_pool *p, struct ip6_prefix *out)
{
	uint32_t idx;
	int rc = ip_pool_alloc(p->idx, &idx);

	if (rc)
		return rc;
	prefix_of(p, idx, out);
	return 0;
}

int ip6_pool_alloc_prefix(struct ip6_pool *p, const struct ip6_prefix *want)
{
	int64_t idx = index_of(p, want);

	return idx < 0 ? (int)idx : ip_pool_alloc_addr(p->idx, (uint32_t)idx);
}

int ip6_pool_release(struct ip6_pool *p, const struct ip6_prefix *pfx)
{
	int64_t idx = index_of(p, pfx);

	return idx < 0 ? (int)idx : ip_pool_release(p->idx, (uint32_t)idx);
}

uint8_t ip6_pool_plen(const struct ip6_pool *p)
{
	return p->plen;
}

uint32_t ip6_pool_size(const struct ip6_pool *p)
{
	return ip_pool_size(p->idx);
}

uint32_t ip6_pool_used(const struct ip6_pool *p)
{
	return ip_pool_used(p->idx);
}
