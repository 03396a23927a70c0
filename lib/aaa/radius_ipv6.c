// SPDX-License-Identifier: GPL-2.0-or-later
/* RADIUS IPv6 attributes (radius_ipv6.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "radius_ipv6.h"

int rad_prefix6_decode(const uint8_t *v, size_t len, struct ip6_prefix *out)
{
	if (len < 2 || len > 18 || v[1] > 128 || len - 2 < (v[1] + 7u) / 8)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->len = v[1];
	memcpy(out->addr, v + 2, len - 2);
	ip6_prefix_mask(out);
	return 0;
}

size_t rad_prefix6_encode(const struct ip6_prefix *p, uint8_t out[18])
{
	struct ip6_prefix m = *p;

	ip6_prefix_mask(&m);
	out[0] = 0;
	out[1] = m.len;
	memcpy(out + 2, m.addr, 16);
	return 18;
}

int rad_parse_route6(const uint8_t *v, size_t len, struct rad_route6 *out)
{
	char buf[128], *f[3], *save = NULL, *slash, *end;
	unsigned n = 0;
	unsigned long plen = 128, metric = 0;

	if (len == 0 || len >= sizeof(buf) || memchr(v, '\0', len))
		return -EINVAL;
	memcpy(buf, v, len);
	buf[len] = '\0';
	for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (n == 3)
			return -EINVAL;
		f[n++] = t;
	}
	if (n == 0)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	slash = strchr(f[0], '/');
	if (slash) {
		*slash++ = '\0';
		if (!isdigit((unsigned char)*slash))
			return -EINVAL;
		plen = strtoul(slash, &end, 10);
		if (*end || plen > 128)
			return -EINVAL;
	}
	if (inet_pton(AF_INET6, f[0], out->dst.addr) != 1)
		return -EINVAL;
	out->dst.len = (uint8_t)plen;
	/* Host bits set would make the kernel refuse the route: clear them. */
	ip6_prefix_mask(&out->dst);
	if (n > 1 && inet_pton(AF_INET6, f[1], out->gw) != 1)
		return -EINVAL;
	if (n > 2) {
		if (!isdigit((unsigned char)*f[2]))
			return -EINVAL;
		metric = strtoul(f[2], &end, 10);
		if (*end || metric > UINT32_MAX)
			return -EINVAL;
	}
	out->metric = (uint32_t)metric;
	return 0;
}

void rad_parse_ipv6(const struct rad_avs *in, struct rad_ipv6 *out)
{
	struct rad_av av;
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	while (rad_avs_next(in, &pos, &av)) {
		bool ok = true;

		if (av.vendor)
			continue;
		switch (av.type) {
		case RAD_FRAMED_INTERFACE_ID:          /* RFC 3162 §2.2: 8 bytes */
			ok = av.len == 8;
			if (ok && !out->has_ifid) {
				memcpy(out->ifid, av.val, 8);
				out->has_ifid = true;
			}
			break;
		case RAD_FRAMED_IPV6_PREFIX:
			if (!out->has_prefix)
				out->has_prefix = ok =
					rad_prefix6_decode(av.val, av.len, &out->prefix) == 0;
			break;
		case RAD_DELEGATED_IPV6_PREFIX:
			if (!out->has_delegated)
				out->has_delegated = ok =
					rad_prefix6_decode(av.val, av.len, &out->delegated) == 0;
			break;
		case RAD_FRAMED_IPV6_ROUTE:
			ok = out->n_routes < RAD_MAX_ROUTES6 &&
			     rad_parse_route6(av.val, av.len, &out->routes[out->n_routes]) == 0;
			if (ok)
				out->n_routes++;
			break;
		case RAD_DNS_SERVER_IPV6_ADDRESS:      /* RFC 6911 §3.1: 16 bytes */
			ok = av.len == 16;
			if (ok && out->n_dns < RAD_MAX_DNS6)
				memcpy(out->dns[out->n_dns++], av.val, 16);
			break;
		default:
			break;
		}
		if (!ok)
			out->bad++;
	}
}

void rad_build_acct_ipv6(const struct rad_ipv6 *v, struct rad_avs *out)
{
	uint8_t buf[18];

	if (v->has_ifid)
		rad_add_bytes(out, 0, RAD_FRAMED_INTERFACE_ID, RAD_K_STR, v->ifid, 8);
	if (v->has_prefix)
		rad_add_bytes(out, 0, RAD_FRAMED_IPV6_PREFIX, RAD_K_STR, buf,
			      rad_prefix6_encode(&v->prefix, buf));
	if (v->has_delegated)
		rad_add_bytes(out, 0, RAD_DELEGATED_IPV6_PREFIX, RAD_K_STR, buf,
			      rad_prefix6_encode(&v->delegated, buf));
}
