/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Traffic control on a session's interface through rtnetlink (libmnl), on
 * the kg_rtnl handle: egress shaping with a root tbf qdisc, ingress
 * policing with the ingress qdisc and one matchall filter whose police
 * action drops what exceeds the rate. Modules: sch_tbf, sch_ingress,
 * cls_matchall, act_police (the kernel asks modprobe for them on demand;
 * tools/systemd/modules-load.lnsd.conf loads them at boot).
 */
#ifndef KG_TC_H
#define KG_TC_H

#include <stdint.h>

#include "kg_rtnl.h"

/*
 * Shape what ifindex sends to bps bits/s (burst and queue limit in bytes),
 * replacing any root qdisc; bps 0 removes ours (none there: 0).
 */
int kg_tc_egress(struct kg_rtnl *r, int ifindex, uint64_t bps, uint32_t burst, uint32_t limit);
/*
 * Police what ifindex receives to bps bits/s with a burst of burst bytes;
 * replaces our filter; bps 0 removes the ingress qdisc (none: 0).
 */
int kg_tc_ingress(struct kg_rtnl *r, int ifindex, uint64_t bps, uint32_t burst);

#endif
