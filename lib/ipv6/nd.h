/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Router Advertisement and Router Solicitation on a PPP link (RFC 4861 §4.1,
 * §4.2, §6.1.1, §6.2.6; RFC 4862; RFC 8106 RDNSS/DNSSL), without I/O.
 *
 * Checksum: the ICMPv6 checksum covers a pseudo-header (RFC 8200 §8.1), so it
 * needs the addresses the packet is sent from and to. lnsd sends and receives
 * on an IPPROTO_ICMPV6 raw socket, where Linux computes the checksum of what
 * is sent and drops what arrives with a bad one (RFC 3542 §3.1): nd_ra_build()
 * leaves the field 0 unless given both addresses, and nd_rs_parse() checks it
 * only when given them. Tests and the fuzz harness pass them.
 */
#ifndef LNS_ND_H
#define LNS_ND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ip6_prefix.h"

enum nd_icmp_type {
	ND_ROUTER_SOLICIT = 133,
	ND_ROUTER_ADVERT = 134,
};

enum nd_opt {                          /* RFC 4861 §4.6, RFC 8106 §5 */
	ND_OPT_SOURCE_LLADDR = 1,
	ND_OPT_PREFIX_INFO = 3,
	ND_OPT_MTU = 5,
	ND_OPT_RDNSS = 25,
	ND_OPT_DNSSL = 31,
};

#define ND_RA_MANAGED 0x80             /* M: addresses by DHCPv6 */
#define ND_RA_OTHER 0x40               /* O: other configuration by DHCPv6 */
#define ND_PI_ONLINK 0x80              /* L */
#define ND_PI_AUTO 0x40                /* A: SLAAC */
#define ND_HOP_LIMIT 255               /* RFC 4861 §6.1: both messages */
#define ND_INFINITE 0xffffffffu
#define ND_MAX_DNS 3
#define ND_MAX_DOMAINS 4
#define ND_DOMAIN_MAX 253
/*
 * Room for any RA nd_ra_build() makes (3 servers, 4 domains of ND_DOMAIN_MAX:
 * 1,144 bytes): the IPv6 minimum MTU less the IPv6 header (RFC 8200 §5).
 */
#define ND_RA_MAX 1232

struct nd_ra {
	uint8_t cur_hop_limit;             /* 0: unspecified */
	uint8_t flags;                     /* ND_RA_MANAGED | ND_RA_OTHER */
	uint16_t router_lifetime_s;        /* 0: not a default router */
	uint32_t reachable_ms, retrans_ms; /* 0: unspecified */
	bool has_prefix;
	struct ip6_prefix prefix;          /* Prefix Information, L and A set */
	uint32_t valid_s, preferred_s;
	uint32_t mtu;                      /* 0: no MTU option */
	uint8_t dns[ND_MAX_DNS][16];       /* RDNSS */
	unsigned n_dns;
	const char *domains[ND_MAX_DOMAINS]; /* DNSSL, "example.net" */
	unsigned n_domains;
	uint32_t dns_lifetime_s;           /* RDNSS and DNSSL lifetime */
};

/* ICMPv6 checksum of msg (its checksum field taken as 0) from src to dst. */
uint16_t nd_icmp6_csum(const uint8_t src[16], const uint8_t dst[16], const uint8_t *msg,
		       size_t len);

/*
 * A domain ("example.net", a final dot allowed) in DNS wire form (RFC 1035
 * §3.1, uncompressed, as RFC 8106 §5.2 and RFC 3646 §4 want) at p: its
 * length, -EINVAL for an empty or 64+ byte label or a name over
 * ND_DOMAIN_MAX, -EMSGSIZE past cap.
 */
int nd_put_dns_name(uint8_t *p, size_t cap, const char *name);

/*
 * The RA as ICMPv6 (type onward) into buf. With src and dst both set the
 * checksum is filled in, else left 0 for the kernel. Returns the length;
 * -EMSGSIZE past cap, -EINVAL for a domain that is not a DNS name (a label
 * empty or over 63, the name over ND_DOMAIN_MAX) or too many servers/domains.
 */
int nd_ra_build(const struct nd_ra *ra, const uint8_t *src, const uint8_t *dst, uint8_t *buf,
		size_t cap);

/* Why a Router Solicitation was dropped (RFC 4861 §6.1.1). */
enum nd_rs_check {
	ND_RS_OK,
	ND_RS_SHORT,                   /* under 8 bytes */
	ND_RS_NOT_RS,                  /* another ICMPv6 type */
	ND_RS_BAD_CODE,                /* code not 0 */
	ND_RS_BAD_HOP_LIMIT,           /* IP hop limit not 255 */
	ND_RS_BAD_CSUM,
	ND_RS_BAD_OPTION,              /* an option of length 0 or past the end */
	ND_RS_UNSPEC_SLLA,             /* source :: with a source link-layer option */
	ND_RS_CHECK_COUNT,
};
/* "ok", "short", ... for counters and logs. */
const char *nd_rs_check_str(enum nd_rs_check c);

/*
 * Validate an RS (ICMPv6 from type onward) that came with IP hop limit
 * hop_limit from src to dst; the checksum is checked when src and dst are
 * both given (see above). src NULL: the unspecified-source rule is not
 * applied.
 */
enum nd_rs_check nd_rs_parse(const uint8_t *msg, size_t len, int hop_limit,
			     const uint8_t *src, const uint8_t *dst);

#endif
