// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz harness for the DHCPv6 server (lib/ipv6/dhcp6.c). The input is a
 * script of client messages to one session's server state: byte 0 bit 0
 * says whether the session has a prefix to delegate; then records of a
 * 2-byte big-endian length and that many bytes, each fed to
 * dhcp6_srv_input() a second later than the one before, with a tick of the
 * binding between them. A dropped message must come with a reason and no
 * event; an answer must fit DHCP6_REPLY_MAX, be an Advertise or a Reply
 * with the message's transaction ID, our Server Identifier first, options
 * that tile it exactly; and events must follow the binding (bound after
 * BOUND/RENEWED, unbound after RELEASED).
 */
#include <stdlib.h>
#include <string.h>

#include "dhcp6.h"
#include "fuzz.h"

static void check_answer(const struct dhcp6_srv_conf *c, const uint8_t *in, const uint8_t *out,
			 int n)
{
	size_t off;

	if (n < 4 + 4 + (int)c->duid_len || n > DHCP6_REPLY_MAX)
		abort();
	if ((out[0] != DHCP6_ADVERTISE && out[0] != DHCP6_REPLY) || memcmp(out + 1, in + 1, 3))
		abort();
	if (out[4] != 0 || out[5] != DHCP6_OPT_SERVERID || out[7] != c->duid_len ||
	    memcmp(out + 8, c->duid, c->duid_len))
		abort();
	for (off = 4; off < (size_t)n; off += 4 + ((size_t)out[off + 2] << 8 | out[off + 3]))
		if ((size_t)n - off < 4 ||
		    ((size_t)out[off + 2] << 8 | out[off + 3]) > (size_t)n - off - 4)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = { 2, 0, 0x5e, 0, 0x53, 1 };
	struct dhcp6_srv_conf c = { .n_dns = 1, .n_domains = 1, .t1_s = 1800, .t2_s = 2880,
				    .preferred_s = 3600, .valid_s = 7200 };
	struct dhcp6_binding b = { .prefix = { .addr = { 0x20, 1, 0xd, 0xb8, 0x42 }, .len = 56 } };
	uint8_t out[DHCP6_REPLY_MAX];
	uint64_t now = 0;
	size_t off = 1;

	if (size < 1)
		return 0;
	c.duid_len = dhcp6_duid_llt(mac, 1700000000, c.duid);
	c.domains[0] = "example.net";
	b.has_prefix = data[0] & 1;
	while (off + 2 <= size) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];
		enum dhcp6_check why;
		enum dhcp6_event ev;
		int n;

		off += 2;
		if (len > size - off)
			len = size - off;
		n = dhcp6_srv_input(&c, &b, data + off, len, now, out, sizeof(out), &why, &ev);
		if ((unsigned)why >= DHCP6_CHECK_COUNT || !dhcp6_check_str(why))
			abort();
		if (n == 0 && (why == DHCP6_OK || ev != DHCP6_EV_NONE))
			abort();
		if (n < 0)
			abort();           /* DHCP6_REPLY_MAX is always enough */
		if (n > 0)
			check_answer(&c, data + off, out, n);
		if ((ev == DHCP6_EV_BOUND || ev == DHCP6_EV_RENEWED) && (!b.bound || !b.has_prefix))
			abort();
		if (ev == DHCP6_EV_RELEASED && b.bound)
			abort();
		off += len;
		now += 1000;
		if (dhcp6_binding_tick(&b, now) == DHCP6_EV_RELEASED && b.bound)
			abort();
	}
	return 0;
}
