// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Per-session rate limits in the kernel (kg_tc.h). A token bucket filter
 * (tbf) as the root qdisc shapes the download: it queues rather than
 * drops, so TCP sees delay and settles at the rate; one class per session
 * is all lnsd needs, so htb's class tree would add nothing. The upload can
 * only be policed (a device has no ingress queue): the ingress qdisc holds
 * a matchall filter with a police action. tbf is changed in place; the
 * filter is deleted and added again (matchall cannot be changed), leaving
 * the upload unpoliced for the moment between two requests.
 */
#include "kg_tc.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>          /* also struct tc_police, TCA_POLICE_* */
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#define KG_TC_BUF 4096
#define KG_TC_PRIO 1                  /* our filter: priority and handle */
#define KG_TC_CELL_LOG 3              /* rate table cells of 8 bytes: 256 cover 2 KiB */

/* psched ticks are 64 ns (PSCHED_SHIFT 6) on every kernel lnsd runs on */
static uint32_t bytes_to_ticks(uint64_t bytes, uint64_t bytes_per_s)
{
	uint64_t ns = bytes * 1000000000ull / bytes_per_s;

	ns >>= 6;
	return ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
}

static void ratespec(struct tc_ratespec *rs, uint64_t bytes_per_s)
{
	memset(rs, 0, sizeof(*rs));
	rs->rate = bytes_per_s >= UINT32_MAX ? UINT32_MAX : (uint32_t)bytes_per_s;
	/* the kernel's linklayer guess reads the rate table; say it instead */
	rs->linklayer = TC_LINKLAYER_ETHERNET;
	rs->cell_log = KG_TC_CELL_LOG;
}

static struct nlmsghdr *tc_msg(char *buf, uint16_t type, uint16_t flags, int ifindex,
			       uint32_t parent, uint32_t handle, uint32_t info)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct tcmsg *t;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	t = mnl_nlmsg_put_extra_header(nlh, sizeof(*t));
	t->tcm_family = AF_UNSPEC;
	t->tcm_ifindex = ifindex;
	t->tcm_parent = parent;
	t->tcm_handle = handle;
	t->tcm_info = info;
	return nlh;
}

/* Deleting what is not there is done already. */
static int del_rc(int rc)
{
	return rc == -ENOENT || rc == -EINVAL ? 0 : rc;
}

int kg_tc_egress(struct kg_rtnl *r, int ifindex, uint64_t bps, uint32_t burst, uint32_t limit)
{
	char buf[KG_TC_BUF];
	struct nlmsghdr *nlh;
	struct nlattr *opt;
	struct tc_tbf_qopt q;
	uint64_t Bps = bps / 8;

	if (bps == 0) {
		nlh = tc_msg(buf, RTM_DELQDISC, 0, ifindex, TC_H_ROOT, 0, 0);
		return del_rc(kg_rtnl_do(r, nlh));
	}
	if (Bps == 0 || burst == 0)
		return -EINVAL;
	memset(&q, 0, sizeof(q));
	ratespec(&q.rate, Bps);
	q.limit = limit;
	q.buffer = bytes_to_ticks(burst, Bps);
	nlh = tc_msg(buf, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, ifindex, TC_H_ROOT,
		     TC_H_MAKE(1u << 16, 0), 0);
	mnl_attr_put_strz(nlh, TCA_KIND, "tbf");
	opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put(nlh, TCA_TBF_PARMS, sizeof(q), &q);
	mnl_attr_put_u32(nlh, TCA_TBF_BURST, burst);
	if (Bps >= UINT32_MAX)
		mnl_attr_put_u64(nlh, TCA_TBF_RATE64, Bps);
	mnl_attr_nest_end(nlh, opt);
	return kg_rtnl_do(r, nlh);
}

/* act_police insists on a rate table (TC_RTAB_SIZE): transmit time per cell */
static void put_rtab(struct nlmsghdr *nlh, uint64_t Bps)
{
	uint32_t rtab[TC_RTAB_SIZE / sizeof(uint32_t)];

	for (unsigned i = 0; i < TC_RTAB_SIZE / sizeof(uint32_t); i++)
		rtab[i] = bytes_to_ticks((uint64_t)(i + 1) << KG_TC_CELL_LOG, Bps);
	mnl_attr_put(nlh, TCA_POLICE_RATE, sizeof(rtab), rtab);
}

int kg_tc_ingress(struct kg_rtnl *r, int ifindex, uint64_t bps, uint32_t burst)
{
	char buf[KG_TC_BUF];
	struct nlmsghdr *nlh;
	struct nlattr *opt, *acts, *act, *aopt;
	struct tc_police p;
	uint64_t Bps = bps / 8;
	int rc;

	if (bps == 0) {
		nlh = tc_msg(buf, RTM_DELQDISC, 0, ifindex, TC_H_INGRESS, TC_H_MAKE(TC_H_INGRESS, 0),
			     0);
		return del_rc(kg_rtnl_do(r, nlh));
	}
	if (Bps == 0 || burst == 0)
		return -EINVAL;
	nlh = tc_msg(buf, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, ifindex, TC_H_INGRESS,
		     TC_H_MAKE(TC_H_INGRESS, 0), 0);
	mnl_attr_put_strz(nlh, TCA_KIND, "ingress");
	rc = kg_rtnl_do(r, nlh);
	if (rc < 0 && rc != -EEXIST)
		return rc;
	if (rc == -EEXIST) {
		/* matchall cannot change a filter (mall_change: -EEXIST): ours goes first */
		nlh = tc_msg(buf, RTM_DELTFILTER, 0, ifindex, TC_H_MAKE(TC_H_INGRESS, 0), 0,
			     TC_H_MAKE((uint32_t)KG_TC_PRIO << 16, htons(ETH_P_ALL)));
		rc = del_rc(kg_rtnl_do(r, nlh));
		if (rc < 0)
			return rc;
	}

	memset(&p, 0, sizeof(p));
	p.action = TC_ACT_SHOT;       /* exceeding: dropped; conforming: TC_ACT_OK */
	ratespec(&p.rate, Bps);
	p.burst = bytes_to_ticks(burst, Bps);
	p.mtu = 65535;                /* no frame is over the limit by size alone */
	nlh = tc_msg(buf, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, ifindex,
		     TC_H_MAKE(TC_H_INGRESS, 0), KG_TC_PRIO,
		     TC_H_MAKE((uint32_t)KG_TC_PRIO << 16, htons(ETH_P_ALL)));
	mnl_attr_put_strz(nlh, TCA_KIND, "matchall");
	opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	acts = mnl_attr_nest_start(nlh, TCA_MATCHALL_ACT);
	act = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_strz(nlh, TCA_ACT_KIND, "police");
	aopt = mnl_attr_nest_start(nlh, TCA_ACT_OPTIONS);
	mnl_attr_put(nlh, TCA_POLICE_TBF, sizeof(p), &p);
	put_rtab(nlh, Bps);
	if (Bps >= UINT32_MAX)
		mnl_attr_put_u64(nlh, TCA_POLICE_RATE64, Bps);
	mnl_attr_nest_end(nlh, aopt);
	mnl_attr_nest_end(nlh, act);
	mnl_attr_nest_end(nlh, acts);
	mnl_attr_nest_end(nlh, opt);
	return kg_rtnl_do(r, nlh);
}
