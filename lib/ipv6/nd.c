// SPDX-License-Identifier: GPL-2.0-or-later
/* Router Advertisement builder and Router Solicitation validator (nd.h). */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "nd.h"

static const uint8_t unspecified[16];

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static uint32_t sum16(uint32_t s, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* RFC 8200 §8.1: source, destination, upper-layer length, next header 58. */
uint16_t nd_icmp6_csum(const uint8_t src[16], const uint8_t dst[16], const uint8_t *msg,
		       size_t len)
{
	uint8_t ph[8] = { 0 };
	uint32_t s = 0;

	put32(ph, (uint32_t)len);
	ph[7] = IPPROTO_ICMPV6;
	s = sum16(s, src, 16);
	s = sum16(s, dst, 16);
	s = sum16(s, ph, sizeof(ph));
	s = sum16(s, msg, 2);                  /* type, code; the checksum field as 0 */
	if (len > 4)
		s = sum16(s, msg + 4, len - 4);
	return (uint16_t)~s;
}

int nd_put_dns_name(uint8_t *p, size_t cap, const char *name)
{
	size_t n = strlen(name), off = 0;
	const char *s = name;

	if (n == 0 || n > ND_DOMAIN_MAX)
		return -EINVAL;
	if (name[n - 1] == '.')
		n--;
	while (s < name + n) {
		const char *dot = memchr(s, '.', (size_t)(name + n - s));
		size_t l = dot ? (size_t)(dot - s) : (size_t)(name + n - s);

		if (l == 0 || l > 63)
			return -EINVAL;
		if (off + 1 + l > cap)
			return -EMSGSIZE;
		p[off] = (uint8_t)l;
		memcpy(p + off + 1, s, l);
		off += 1 + l;
		s += l + (dot ? 1 : 0);
		if (dot && s == name + n)
			return -EINVAL;        /* "a..": empty label */
	}
	if (off + 1 > cap)
		return -EMSGSIZE;
	p[off++] = 0;
	return (int)off;
}

int nd_ra_build(const struct nd_ra *ra, const uint8_t *src, const uint8_t *dst, uint8_t *buf,
		size_t cap)
{
	size_t off = 16, i;

	if (ra->n_dns > ND_MAX_DNS || ra->n_domains > ND_MAX_DOMAINS)
		return -EINVAL;
	if (cap < off)
		return -EMSGSIZE;
	memset(buf, 0, off);
	/* RFC 4861 §4.2 */
	buf[0] = ND_ROUTER_ADVERT;
	buf[4] = ra->cur_hop_limit;
	buf[5] = ra->flags & (ND_RA_MANAGED | ND_RA_OTHER);
	put16(buf + 6, ra->router_lifetime_s);
	put32(buf + 8, ra->reachable_ms);
	put32(buf + 12, ra->retrans_ms);
	if (ra->has_prefix) {          /* §4.6.2 */
		if (off + 32 > cap)
			return -EMSGSIZE;
		memset(buf + off, 0, 32);
		buf[off] = ND_OPT_PREFIX_INFO;
		buf[off + 1] = 4;
		buf[off + 2] = ra->prefix.len;
		buf[off + 3] = ND_PI_ONLINK | ND_PI_AUTO;
		put32(buf + off + 4, ra->valid_s);
		put32(buf + off + 8, ra->preferred_s);
		memcpy(buf + off + 16, ra->prefix.addr, 16);
		off += 32;
	}
	if (ra->mtu) {                 /* §4.6.4 */
		if (off + 8 > cap)
			return -EMSGSIZE;
		memset(buf + off, 0, 8);
		buf[off] = ND_OPT_MTU;
		buf[off + 1] = 1;
		put32(buf + off + 4, ra->mtu);
		off += 8;
	}
	if (ra->n_dns) {               /* RFC 8106 §5.1: length 1 + 2 per address */
		size_t olen = 8 + 16 * ra->n_dns;

		if (off + olen > cap)
			return -EMSGSIZE;
		memset(buf + off, 0, 8);
		buf[off] = ND_OPT_RDNSS;
		buf[off + 1] = (uint8_t)(olen / 8);
		put32(buf + off + 4, ra->dns_lifetime_s);
		for (i = 0; i < ra->n_dns; i++)
			memcpy(buf + off + 8 + 16 * i, ra->dns[i], 16);
		off += olen;
	}
	if (ra->n_domains) {           /* RFC 8106 §5.2: names, zero-padded to 8 */
		size_t start = off, olen;

		if (off + 8 > cap)
			return -EMSGSIZE;
		memset(buf + off, 0, 8);
		buf[off] = ND_OPT_DNSSL;
		put32(buf + off + 4, ra->dns_lifetime_s);
		off += 8;
		for (i = 0; i < ra->n_domains; i++) {
			int n = nd_put_dns_name(buf + off, cap - off, ra->domains[i]);

			if (n < 0)
				return n;
			off += (size_t)n;
		}
		olen = (off - start + 7) / 8 * 8;
		if (start + olen > cap || olen / 8 > 255)
			return -EMSGSIZE;
		memset(buf + off, 0, start + olen - off);
		off = start + olen;
		buf[start + 1] = (uint8_t)(olen / 8);
	}
	if (src && dst)
		put16(buf + 2, nd_icmp6_csum(src, dst, buf, off));
	return (int)off;
}

const char *nd_rs_check_str(enum nd_rs_check c)
{
	static const char *const names[ND_RS_CHECK_COUNT] = {
		[ND_RS_OK] = "ok",
		[ND_RS_SHORT] = "short",
		[ND_RS_NOT_RS] = "not-rs",
		[ND_RS_BAD_CODE] = "bad-code",
		[ND_RS_BAD_HOP_LIMIT] = "bad-hop-limit",
		[ND_RS_BAD_CSUM] = "bad-checksum",
		[ND_RS_BAD_OPTION] = "bad-option",
		[ND_RS_UNSPEC_SLLA] = "unspecified-source-with-lladdr",
	};

	return (unsigned)c < ND_RS_CHECK_COUNT ? names[c] : "?";
}

/* RFC 4861 §6.1.1, in the order the checks are listed there. */
enum nd_rs_check nd_rs_parse(const uint8_t *msg, size_t len, int hop_limit,
			     const uint8_t *src, const uint8_t *dst)
{
	size_t off;
	bool slla = false;

	if (len < 8)
		return ND_RS_SHORT;
	if (msg[0] != ND_ROUTER_SOLICIT)
		return ND_RS_NOT_RS;
	if (hop_limit != ND_HOP_LIMIT)
		return ND_RS_BAD_HOP_LIMIT;
	if (src && dst && nd_icmp6_csum(src, dst, msg, len) != ((uint16_t)msg[2] << 8 | msg[3]))
		return ND_RS_BAD_CSUM;
	if (msg[1] != 0)
		return ND_RS_BAD_CODE;
	for (off = 8; off < len; off += (size_t)msg[off + 1] * 8) {
		if (len - off < 2 || msg[off + 1] == 0 || (size_t)msg[off + 1] * 8 > len - off)
			return ND_RS_BAD_OPTION;
		if (msg[off] == ND_OPT_SOURCE_LLADDR)
			slla = true;
	}
	if (slla && src && memcmp(src, unspecified, 16) == 0)
		return ND_RS_UNSPEC_SLLA;
	return ND_RS_OK;
}
