/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Is the kernel L2TP/PPP data plane usable here? Checks the genetlink
 * family "l2tp" (l2tp_netlink), /dev/ppp (ppp_generic) and CAP_NET_ADMIN,
 * and says in words what is missing.
 */
#ifndef KG_PROBE_H
#define KG_PROBE_H

#include <stdbool.h>
#include <stddef.h>

struct kg_probe {
	bool genl_l2tp;       /* genetlink family "l2tp" resolves */
	bool dev_ppp;         /* /dev/ppp opens read-write */
	bool cap_net_admin;   /* effective CAP_NET_ADMIN */
	char missing[256];    /* "" when everything is there, else "; "-joined reasons */
};

/* Fills p; returns true when the kernel data plane is usable. */
bool kg_probe(struct kg_probe *p);

#endif
