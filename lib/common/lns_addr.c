// SPDX-License-Identifier: GPL-2.0-or-later
/* Transport addresses: comparison and the text form used in logs and lnsctl. */
#include <stdio.h>
#include <string.h>

#include "lns_addr.h"

bool lns_addr_eq(const struct lns_addr *a, const struct lns_addr *b)
{
	size_t alen;

	if (a->family != b->family || a->port != b->port)
		return false;
	alen = a->family == 4 ? 4 : 16;
	return memcmp(a->addr, b->addr, alen) == 0;
}

char *lns_addr_str(const struct lns_addr *a, char *buf, size_t len)
{
	char host[40];
	size_t o = 0;

	if (!len)
		return buf;
	if (a->family == 4) {
		snprintf(buf, len, "%u.%u.%u.%u:%u", a->addr[0], a->addr[1], a->addr[2],
			 a->addr[3], a->port);
		return buf;
	}
	if (a->family != 6) {
		snprintf(buf, len, "?:%u", a->port);
		return buf;
	}
	/* RFC 5952: lower case, longest run (>= 2) of zero groups as "::". */
	uint16_t g[8];
	int best = -1, bestlen = 0;

	for (int i = 0; i < 8; i++)
		g[i] = (uint16_t)(a->addr[2 * i] << 8 | a->addr[2 * i + 1]);
	for (int i = 0; i < 8;) {
		int j = i;

		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > bestlen && j - i >= 2) {
			best = i;
			bestlen = j - i;
		}
		i = j > i ? j : i + 1;
	}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			o += (size_t)snprintf(host + o, sizeof(host) - o, "::");
			i += bestlen - 1;
			continue;
		}
		o += (size_t)snprintf(host + o, sizeof(host) - o, "%s%x",
				      (i && i != best + bestlen) ? ":" : "", g[i]);
	}
	snprintf(buf, len, "[%s]:%u", host, a->port);
	return buf;
}
