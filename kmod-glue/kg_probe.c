// SPDX-License-Identifier: GPL-2.0-or-later
/* Probe for the kernel data plane: genetlink l2tp, /dev/ppp, CAP_NET_ADMIN. */
#include "kg_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* linux/capability.h: CAP_NET_ADMIN is bit 12 of the effective set. */
#define KG_CAP_NET_ADMIN 12

static void add_missing(struct kg_probe *p, const char *what)
{
	size_t n = strlen(p->missing);

	snprintf(p->missing + n, sizeof(p->missing) - n, "%s%s", n ? "; " : "", what);
}

static bool probe_genl(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	bool ok = false;

	if (!sk)
		return false;
	if (genl_connect(sk) == 0)
		ok = genl_ctrl_resolve(sk, "l2tp") >= 0;
	nl_socket_free(sk);
	return ok;
}

static bool probe_cap(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	uint64_t eff = 0;
	bool found = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %" SCNx64, &eff) == 1) {
			found = true;
			break;
		}
	fclose(f);
	return found && (eff >> KG_CAP_NET_ADMIN & 1);
}

bool kg_probe(struct kg_probe *p)
{
	char buf[128];
	int fd;

	memset(p, 0, sizeof(*p));
	p->genl_l2tp = probe_genl();
	if (!p->genl_l2tp)
		add_missing(p, "genetlink family l2tp not found (load l2tp_netlink/l2tp_ppp)");
	fd = open("/dev/ppp", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		p->dev_ppp = true;
		close(fd);
	} else {
		snprintf(buf, sizeof(buf), "cannot open /dev/ppp: %s (load ppp_generic)",
			 strerror(errno));
		add_missing(p, buf);
	}
	p->cap_net_admin = probe_cap();
	if (!p->cap_net_admin)
		add_missing(p, "no CAP_NET_ADMIN (run lnsd as root or grant the capability)");
	return p->genl_l2tp && p->dev_ppp && p->cap_net_admin;
}
