// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IPv6 prefix pool (lib/ipv6/ip6_pool.c) at 100k sessions: CPU time per
 * allocation and release of /64s from a /44 (2^20 of them), and of /56s from
 * a /32 (2^24, the most one pool takes). Prints BENCH lines; asserts nothing.
 * Usage: pool6_drv [N]   (default 100000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ip6_pool.h"

static double cpu_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int run(const char *base, unsigned plen, size_t n)
{
	struct ip6_pool *p = ip6_pool_new((uint8_t)plen);
	struct ip6_prefix *got = calloc(n, sizeof(*got));
	double t0, t1, t2, t3;
	size_t i, bad;

	if (!p || !got || ip6_pool_parse(p, base, &bad) || ip6_pool_size(p) < n) {
		fprintf(stderr, "pool6_drv: cannot set up %s -> /%u for %zu\n", base, plen, n);
		return 1;
	}
	t0 = cpu_s();
	for (i = 0; i < n; i++)
		if (ip6_pool_alloc(p, &got[i]))
			return 1;
	t1 = cpu_s();
	for (i = 0; i < n; i++)
		if (ip6_pool_release(p, &got[i]))
			return 1;
	t2 = cpu_s();
	for (i = 0; i < n; i++)
		if (ip6_pool_alloc(p, &got[i]))
			return 1;
	t3 = cpu_s();
	printf("BENCH pool6 %s -> /%u, %zu prefixes: alloc %.0f ns, release %.0f ns, "
	       "alloc again %.0f ns (CPU per operation)\n", base, plen, n, (t1 - t0) * 1e9 / (double)n,
	       (t2 - t1) * 1e9 / (double)n, (t3 - t2) * 1e9 / (double)n);
	free(got);
	ip6_pool_free(p);
	return 0;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;

	return run("2001:db8:100::/44", 64, n) || run("2001:db8::/32", 56, n);
}
