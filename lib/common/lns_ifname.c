// SPDX-License-Identifier: GPL-2.0-or-later
/* An interface name from a template and a unit number (lns_ifname.h). */
#include "lns_ifname.h"

#include <stdio.h>
#include <string.h>

#define LNS_IFNAMSIZ 16   /* IFNAMSIZ, without net/if.h in lib/ */

bool lns_ifname_unit(const char *fmt, int unit, char *buf, size_t len)
{
	const char *pct = fmt ? strchr(fmt, '%') : NULL;
	int n;

	if (!pct || pct[1] != 'd')
		return false;
	n = snprintf(buf, len, "%.*s%d%s", (int)(pct - fmt), fmt, unit, pct + 2);
	return n > 0 && (size_t)n < len && n < LNS_IFNAMSIZ;
}
