// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz harness for the RADIUS reply parser (lib/aaa/radius_attr.c).
 * rad_check_reply() and rad_decode_reply() turn a reply into a struct
 * rad_avs (fuzz_radius_reply.c covers them), and rad_parse_reply() reads
 * the Access-Accept/Reject from there. That last step is what runs here,
 * on any list, typed or not as a reply would be: the input is a list of
 * attributes, each
 *   flags (bit 0: Microsoft VSA, bit 1: another vendor; bits 2-3: kind),
 *   type, length, value
 * and the parsed struct rad_accept must hold its invariants: at most
 * RAD_MAX_ROUTES routes with no host bits, NUL-terminated text whose
 * escaped form (lib/common/stresc.c, as lnsd logs it) is printable ASCII,
 * a Class no longer than RAD_VAL_MAX. The input as a whole also goes through
 * rad_parse_route() (the Framed-Route text parser).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "radius_attr.h"

static void check_route(const struct rad_route *r)
{
	if (r->plen > 32 || (r->plen < 32 && (r->dst & (r->plen ? ~(~0u << (32 - r->plen))
							   : ~0u))))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rad_accept acc;
	struct rad_route rt;
	struct rad_avs l;
	size_t i = 0;

	rad_avs_init(&l);
	while (i + 3 <= size) {
		uint8_t flags = data[i], type = data[i + 1];
		size_t len = data[i + 2];
		uint32_t vendor = flags & 1 ? RAD_VENDOR_MICROSOFT : flags & 2 ? 9 : 0;
		enum rad_kind kind = (enum rad_kind)(flags >> 2 & 3);

		i += 3;
		if (len > size - i)
			len = size - i;
		if (kind == RAD_K_INT || kind == RAD_K_IPV4) {
			uint32_t v = 0;

			memcpy(&v, data + i, len < 4 ? len : 4);
			if (kind == RAD_K_INT)
				rad_add_int(&l, vendor, type, v);
			else
				rad_add_ipv4(&l, vendor, type, v);
		} else {
			rad_add_bytes(&l, vendor, type, kind, data + i, len);
		}
		i += len;
	}
	if (l.oom)
		abort();
	rad_parse_reply(&l, &acc);
	if (acc.n_routes > RAD_MAX_ROUTES || acc.cls_len > RAD_VAL_MAX ||
	    (acc.has_auth_resp && acc.bad_success))
		abort();
	for (unsigned k = 0; k < acc.n_routes; k++)
		check_route(&acc.routes[k]);
	fuzz_check_text(acc.framed_pool, sizeof(acc.framed_pool));
	fuzz_check_text(acc.ms_error, sizeof(acc.ms_error));
	fuzz_check_text(acc.reply_message, sizeof(acc.reply_message));
	rad_avs_free(&l);

	if (rad_parse_route(data, size, &rt) == 0)
		check_route(&rt);
	return 0;
}
