// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz harness for the Router Solicitation validator and the RA builder
 * (lib/ipv6/nd.c). Input: byte 0 the IP hop limit, byte 1 bit 0: check the
 * checksum with the addresses in bytes 2-33 (source, destination), then the
 * ICMPv6 message. The verdict must be a defined one; an RS that passes with
 * the checksum checked must verify under nd_icmp6_csum(). Then the rest of
 * the input, as text, is tried as a DNSSL domain in an RA: the RA is either
 * refused with -EINVAL or fits in ND_RA_MAX with every option's
 * length consistent.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "nd.h"

static void check_ra(const uint8_t *b, int n)
{
	size_t off;

	if (n < 16 || n > ND_RA_MAX || b[0] != ND_ROUTER_ADVERT)
		abort();
	for (off = 16; off < (size_t)n; off += (size_t)b[off + 1] * 8)
		if ((size_t)n - off < 8 || b[off + 1] == 0 || (size_t)b[off + 1] * 8 > (size_t)n - off)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *src = NULL, *dst = NULL, *msg;
	enum nd_rs_check c;
	uint8_t ra_buf[ND_RA_MAX], src0[16] = { 0xfe, 0x80 }, dst0[16] = { 0xff, 2 };
	char domain[300];
	struct nd_ra ra = { .has_prefix = true, .n_dns = 1, .n_domains = 2, .mtu = 1500 };
	size_t len, dl;
	int n;

	if (size < 34)
		return 0;
	if (data[1] & 1) {
		src = data + 2;
		dst = data + 18;
	}
	msg = data + 34;
	len = size - 34;
	c = nd_rs_parse(msg, len, data[0], src, dst);
	if ((unsigned)c >= ND_RS_CHECK_COUNT || !nd_rs_check_str(c))
		abort();
	if (c == ND_RS_OK && (data[0] != ND_HOP_LIMIT || len < 8 || msg[0] != ND_ROUTER_SOLICIT ||
			      (src && nd_icmp6_csum(src, dst, msg, len) !=
					      ((uint16_t)msg[2] << 8 | msg[3]))))
		abort();

	dl = len < sizeof(domain) - 1 ? len : sizeof(domain) - 1;
	memcpy(domain, msg, dl);
	domain[dl] = '\0';
	ra.domains[0] = domain;
	ra.domains[1] = "example.net";
	ra.prefix.len = 64;
	n = nd_ra_build(&ra, src0, dst0, ra_buf, sizeof(ra_buf));
	if (n < 0 ? n != -EINVAL : (check_ra(ra_buf, n), false))
		abort();
	return 0;
}
