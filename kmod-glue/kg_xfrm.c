// SPDX-License-Identifier: GPL-2.0-or-later
/* Per-socket ESP transport policies: setsockopt IP_XFRM_POLICY / IPV6_XFRM_POLICY. */
#include "kg_xfrm.h"

#include <netinet/in.h>
#include <linux/xfrm.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

/* What setsockopt takes (net/xfrm/xfrm_user.c, xfrm_compile_policy): the policy, then its templates. */
struct kg_xfrm_sockpolicy {
	struct xfrm_userpolicy_info pol;
	struct xfrm_user_tmpl tmpl;
};

static void fill_policy(struct kg_xfrm_sockpolicy *sp, int family, __u8 dir, uint32_t reqid)
{
	memset(sp, 0, sizeof(*sp));
	/* A zero selector of the socket's family matches all of its traffic. */
	sp->pol.sel.family = (__u16)family;
	sp->pol.lft.soft_byte_limit = XFRM_INF;
	sp->pol.lft.hard_byte_limit = XFRM_INF;
	sp->pol.lft.soft_packet_limit = XFRM_INF;
	sp->pol.lft.hard_packet_limit = XFRM_INF;
	sp->pol.dir = dir;
	sp->pol.action = XFRM_POLICY_ALLOW;
	sp->pol.share = XFRM_SHARE_ANY;

	/*
	 * Transport mode takes both addresses from the packet, so the template
	 * names none; spi 0 means "any", the reqid ties it to the key manager's
	 * SAs (see kg_xfrm.h). optional 0 is what makes it fail closed.
	 */
	sp->tmpl.id.proto = IPPROTO_ESP;
	sp->tmpl.reqid = reqid;
	sp->tmpl.family = (__u16)family;
	sp->tmpl.mode = XFRM_MODE_TRANSPORT;
	sp->tmpl.share = XFRM_SHARE_ANY;
	sp->tmpl.optional = 0;
	sp->tmpl.aalgos = ~0U;
	sp->tmpl.ealgos = ~0U;
	sp->tmpl.calgos = ~0U;
}

int kg_xfrm_socket_require_esp(int fd, int family, uint32_t reqid)
{
	return kg_xfrm_socket_require_esp_split(fd, family, reqid, reqid);
}

int kg_xfrm_socket_require_esp_split(int fd, int family, uint32_t reqid_in, uint32_t reqid_out)
{
	static const __u8 dirs[] = { XFRM_POLICY_IN, XFRM_POLICY_OUT };
	const uint32_t reqids[] = { reqid_in, reqid_out };
	struct kg_xfrm_sockpolicy sp;
	int level, opt, v6only = 0;
	socklen_t len = sizeof(v6only);
	size_t i;

	switch (family) {
	case AF_INET:
		level = IPPROTO_IP;
		opt = IP_XFRM_POLICY;
		break;
	case AF_INET6:
		level = IPPROTO_IPV6;
		opt = IPV6_XFRM_POLICY;
		if (getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len) < 0)
			return -errno;
		if (!v6only)
			return -EAFNOSUPPORT;
		break;
	default:
		return -EAFNOSUPPORT;
	}
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		fill_policy(&sp, family, dirs[i], reqids[i]);
		if (setsockopt(fd, level, opt, &sp, sizeof(sp)) < 0)
			return -errno;
	}
	return 0;
}

int kg_xfrm_stat(const char *name, uint64_t *out)
{
	FILE *f = fopen("/proc/net/xfrm_stat", "re");
	char key[64];
	uint64_t v;
	int rc = -ENOENT;

	if (!f)
		return -errno;
	while (fscanf(f, "%63s %" SCNu64, key, &v) == 2) {
		if (strcmp(key, name) == 0) {
			*out = v;
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}

bool kg_l2tp_v2_tid_demux(void)
{
	static int known = -1;
	struct utsname u;
	unsigned maj = 0, min = 0;

	if (known >= 0)
		return known;

	/*
	 * 628bc3e5a1be ("l2tp: Support several sockets with same IP/port
	 * quadruple", v6.10) and the receive path rewritten on it in v6.11
	 * find a v2 tunnel by the ID in the header, not by the socket; not in
	 * any stable series, Debian's 6.1 included (docs/design.md §5.5).
	 */
	if (uname(&u) < 0 || sscanf(u.release, "%u.%u", &maj, &min) != 2)
		known = 0;
	else
		known = maj > 6 || (maj == 6 && min >= 10);
	return known;
}

bool kg_xfrm_available(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	bool ok;

	if (fd < 0)
		return false;
	ok = kg_xfrm_socket_require_esp(fd, AF_INET, 0) == 0;
	close(fd);
	return ok;
}
