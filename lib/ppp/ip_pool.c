// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IPv4 pool allocator. Ranges are kept sorted; address i of the pool (over
 * all ranges, in order) is bit i of used[]. full[] has one bit per used[]
 * word, set when all 64 addresses are taken, so a nearly full /8 is scanned
 * 4,096 summary words at worst rather than 262,144 bitmap words.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ip_pool.h"

struct ip_range {
	uint32_t first, last;
	uint32_t base;              /* pool index of first */
};

struct ip_pool {
	struct ip_range *ranges;
	size_t nranges;
	uint32_t size, used_count;
	uint64_t *used;             /* nwords; bits past size are set (never free) */
	uint64_t *full;             /* one bit per used[] word */
	size_t nwords;
	uint32_t cursor;            /* next index to try */
};

struct ip_pool *ip_pool_new(void)
{
	return calloc(1, sizeof(struct ip_pool));
}

void ip_pool_free(struct ip_pool *p)
{
	if (!p)
		return;
	free(p->ranges);
	free(p->used);
	free(p->full);
	free(p);
}

static void set_bit(uint64_t *v, size_t i)
{
	v[i / 64] |= UINT64_C(1) << (i % 64);
}

static void clear_bit(uint64_t *v, size_t i)
{
	v[i / 64] &= ~(UINT64_C(1) << (i % 64));
}

static bool test_bit(const uint64_t *v, size_t i)
{
	return v[i / 64] >> (i % 64) & 1;
}

/* Size the bitmaps for p->size, all free; padding bits marked used. */
static int rebuild_bitmaps(struct ip_pool *p)
{
	size_t nwords = ((size_t)p->size + 63) / 64;
	uint64_t *used = calloc(nwords ? nwords : 1, sizeof(*used));
	uint64_t *full = calloc(nwords / 64 + 1, sizeof(*full));
	size_t i;

	if (!used || !full) {
		free(used);
		free(full);
		return -ENOMEM;
	}
	for (i = p->size; i < nwords * 64; i++)
		set_bit(used, i);
	if (nwords && used[nwords - 1] == UINT64_MAX)
		set_bit(full, nwords - 1);
	free(p->used);
	free(p->full);
	p->used = used;
	p->full = full;
	p->nwords = nwords;
	return 0;
}

int ip_pool_add_range(struct ip_pool *p, uint32_t first, uint32_t last)
{
	struct ip_range *nr;
	uint64_t n = (uint64_t)last - first + 1;
	size_t i, pos;
	uint32_t base = 0;

	if (p->used_count)
		return -EBUSY;
	if (first > last)
		return -EINVAL;
	if (p->size + n > IP_POOL_MAX)
		return -E2BIG;
	for (pos = 0; pos < p->nranges && p->ranges[pos].first < first; pos++)
		;
	if ((pos > 0 && p->ranges[pos - 1].last >= first) ||
	    (pos < p->nranges && p->ranges[pos].first <= last))
		return -EINVAL;
	nr = realloc(p->ranges, (p->nranges + 1) * sizeof(*nr));
	if (!nr)
		return -ENOMEM;
	p->ranges = nr;
	memmove(&nr[pos + 1], &nr[pos], (p->nranges - pos) * sizeof(*nr));
	nr[pos].first = first;
	nr[pos].last = last;
	p->nranges++;
	p->size += (uint32_t)n;
	for (i = 0; i < p->nranges; i++) {
		nr[i].base = base;
		base += nr[i].last - nr[i].first + 1;
	}
	return rebuild_bitmaps(p);
}

int ip_pool_parse(struct ip_pool *p, const char *spec, size_t *bad_off)
{
	const char *s = spec;
	int rc = 0;

	while (*s) {
		char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
		struct in_addr ia, ib;
		size_t tok, alen;
		const char *dash;

		s += strspn(s, " \t,");
		if (!*s)
			break;
		tok = strcspn(s, ",");
		while (tok && (s[tok - 1] == ' ' || s[tok - 1] == '\t'))
			tok--;
		dash = memchr(s, '-', tok);
		alen = dash ? (size_t)(dash - s) : tok;
		while (alen && (s[alen - 1] == ' ' || s[alen - 1] == '\t'))
			alen--;
		rc = -EINVAL;
		if (alen == 0 || alen >= sizeof(a))
			break;
		memcpy(a, s, alen);
		a[alen] = '\0';
		strcpy(b, a);
		if (dash) {
			const char *e = dash + 1 + strspn(dash + 1, " \t");
			size_t blen = (size_t)(s + tok - e);

			if (blen == 0 || blen >= sizeof(b))
				break;
			memcpy(b, e, blen);
			b[blen] = '\0';
		}
		if (inet_pton(AF_INET, a, &ia) != 1 || inet_pton(AF_INET, b, &ib) != 1)
			break;
		rc = ip_pool_add_range(p, ntohl(ia.s_addr), ntohl(ib.s_addr));
		if (rc)
			break;
		s += tok;
	}
	if (rc && bad_off)
		*bad_off = (size_t)(s - spec);
	return rc;
}

/* Pool index of addr, or -1 when outside every range (binary search). */
static int64_t index_of(const struct ip_pool *p, uint32_t addr)
{
	size_t lo = 0, hi = p->nranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ip_range *r = &p->ranges[mid];

		if (addr < r->first)
			hi = mid;
		else if (addr > r->last)
			lo = mid + 1;
		else
			return (int64_t)r->base + (addr - r->first);
	}
	return -1;
}

static uint32_t addr_of(const struct ip_pool *p, uint32_t idx)
{
	size_t lo = 0, hi = p->nranges;

	/* the last range whose base is <= idx */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->ranges[mid].base <= idx)
			lo = mid;
		else
			hi = mid;
	}
	return p->ranges[lo].first + (idx - p->ranges[lo].base);
}

static void take(struct ip_pool *p, uint32_t idx)
{
	set_bit(p->used, idx);
	if (p->used[idx / 64] == UINT64_MAX)
		set_bit(p->full, idx / 64);
	p->used_count++;
}

int ip_pool_alloc(struct ip_pool *p, uint32_t *addr)
{
	size_t w, n;
	uint64_t mask;

	if (p->used_count >= p->size)
		return -ENOSPC;
	w = p->cursor / 64;
	/* in the cursor's word, only bits at or after the cursor on the first pass */
	mask = ~UINT64_C(0) << (p->cursor % 64);
	for (n = 0; n <= p->nwords; n++) {
		uint64_t freebits;

		if (w % 64 == 0 && p->full[w / 64] == UINT64_MAX && w + 64 <= p->nwords && n) {
			/* 64 full words: skip them at once */
			n += 63;
			w += 64;
		} else if (!test_bit(p->full, w) && (freebits = ~p->used[w] & mask) != 0) {
			uint32_t idx = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(freebits));

			take(p, idx);
			p->cursor = idx + 1 < p->size ? idx + 1 : 0;
			*addr = addr_of(p, idx);
			return 0;
		} else {
			w++;
		}
		mask = ~UINT64_C(0);
		if (w >= p->nwords)
			w = 0;
	}
	return -ENOSPC;     /* unreachable while used_count is right */
}

int ip_pool_alloc_addr(struct ip_pool *p, uint32_t addr)
{
	int64_t idx = index_of(p, addr);

	if (idx < 0)
		return -ENOENT;
	if (test_bit(p->used, (size_t)idx))
		return -EADDRINUSE;
	take(p, (uint32_t)idx);
	return 0;
}

int ip_pool_release(struct ip_pool *p, uint32_t addr)
{
	int64_t idx = index_of(p, addr);

	if (idx < 0)
		return -ENOENT;
	if (!test_bit(p->used, (size_t)idx))
		return -EALREADY;
	clear_bit(p->used, (size_t)idx);
	clear_bit(p->full, (size_t)idx / 64);
	p->used_count--;
	return 0;
}

bool ip_pool_contains(const struct ip_pool *p, uint32_t addr)
{
	return index_of(p, addr) >= 0;
}

uint32_t ip_pool_size(const struct ip_pool *p)
{
	return p->size;
}

uint32_t ip_pool_used(const struct ip_pool *p)
{
	return p->used_count;
}
