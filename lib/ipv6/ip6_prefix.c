// SPDX-License-Identifier: GPL-2.0-or-later
/* IPv6 prefixes: text form, masking, containment. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ip6_prefix.h"

void ip6_prefix_mask(struct ip6_prefix *p)
{
	unsigned i;

	for (i = 0; i < 16; i++) {
		unsigned keep = p->len > i * 8 ? p->len - i * 8 : 0;

		if (keep < 8)
			p->addr[i] &= (uint8_t)(0xff00u >> keep);
	}
}

int ip6_prefix_parse(const char *s, struct ip6_prefix *out)
{
	char a[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	struct ip6_prefix p;
	char *end;
	unsigned long len;

	if (!slash || (size_t)(slash - s) >= sizeof(a) || !slash[1])
		return -EINVAL;
	memcpy(a, s, (size_t)(slash - s));
	a[slash - s] = '\0';
	if (inet_pton(AF_INET6, a, p.addr) != 1 || slash[1] < '0' || slash[1] > '9')
		return -EINVAL;
	len = strtoul(slash + 1, &end, 10);
	if (*end || len > 128)
		return -EINVAL;
	p.len = (uint8_t)len;
	memcpy(out, &p, sizeof(p));
	ip6_prefix_mask(&p);
	if (memcmp(p.addr, out->addr, 16) != 0)
		return -EINVAL;
	return 0;
}

char *ip6_prefix_str(const struct ip6_prefix *p, char *buf, size_t cap)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(AF_INET6, p->addr, a, sizeof(a)))
		a[0] = '\0';
	snprintf(buf, cap, "%s/%u", a, p->len);
	return buf;
}

bool ip6_prefix_contains(const struct ip6_prefix *outer, const struct ip6_prefix *inner)
{
	struct ip6_prefix t;

	if (inner->len < outer->len)
		return false;
	t.len = outer->len;
	memcpy(t.addr, inner->addr, 16);
	ip6_prefix_mask(&t);
	return memcmp(t.addr, outer->addr, 16) == 0;
}

bool ip6_prefix_eq(const struct ip6_prefix *a, const struct ip6_prefix *b)
{
	return a->len == b->len && memcmp(a->addr, b->addr, 16) == 0;
}
