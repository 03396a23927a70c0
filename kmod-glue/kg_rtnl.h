/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rtnetlink through libmnl: what a PPP interface needs when IPCP or IPV6CP
 * opens, and what an l2tp_eth interface needs (MTU, bridge port or address,
 * up, its operational state and link events).
 */
#ifndef KG_RTNL_H
#define KG_RTNL_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

struct mnl_socket;

struct kg_rtnl {
	struct mnl_socket *nl;
	uint32_t seq;
	char ext_ack[256];
};

int kg_rtnl_open(struct kg_rtnl *r);
void kg_rtnl_close(struct kg_rtnl *r);

int kg_rtnl_ifindex(struct kg_rtnl *r, const char *ifname);   /* >0 or -errno */

/*
 * A PPP unit named at creation (Linux 4.7+): RTM_NEWLINK kind "ppp" with
 * IFLA_PPP_DEV_FD, the /dev/ppp fd that will own the unit (PPPIOCGUNIT
 * tells its number then), and IFLA_IFNAME. The builder is pure: the
 * message's length in buf (len bytes, MNL_SOCKET_BUFFER_SIZE is plenty),
 * or -ENAMETOOLONG / -ENOSPC.
 */
int kg_rtnl_ppp_newlink_msg(char *buf, size_t len, int ppp_fd, const char *name);
int kg_rtnl_ppp_newlink(struct kg_rtnl *r, int ppp_fd, const char *name);

/*
 * Links deleted as a group (docs/design.md §4.4): RTM_SETLINK IFLA_GROUP on
 * each by name, then one RTM_DELLINK of the group, which the kernel
 * unregisters as one batch (one set of RCU grace periods for all of them,
 * where a pppN closed on its own waits for its own). The builder is pure:
 * ifname NULL builds the RTM_DELLINK of the group, otherwise the RTM_SETLINK
 * of that link; the message's length in buf, or -ENAMETOOLONG / -ENOSPC.
 */
int kg_rtnl_group_msg(char *buf, size_t len, const char *ifname, uint32_t group);
int kg_rtnl_set_group(struct kg_rtnl *r, const char *ifname, uint32_t group);
int kg_rtnl_group_del(struct kg_rtnl *r, uint32_t group);

/* One request on the handle, acked: 0 or -errno with ext_ack (kg_tc.c builds its own). */
struct nlmsghdr;
int kg_rtnl_do(struct kg_rtnl *r, struct nlmsghdr *nlh);

/*
 * A link's counters (IFLA_STATS64). On pppN they count only what goes
 * through the unit: IP and NCP frames, not LCP or authentication, which
 * travel on the channel (so LCP echoes do not look like traffic).
 */
struct kg_link_stats {
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
};
int kg_rtnl_link_stats(struct kg_rtnl *r, int ifindex, struct kg_link_stats *out);
int kg_rtnl_rename(struct kg_rtnl *r, int ifindex, const char *newname);
int kg_rtnl_set_mtu(struct kg_rtnl *r, int ifindex, uint32_t mtu);
int kg_rtnl_set_up(struct kg_rtnl *r, int ifindex);
/*
 * local/plen on ifindex. With peer, a point-to-point address (peer is
 * IFA_ADDRESS; pppN uses plen 32); without, an address on a broadcast link
 * (the kernel adds the prefix route; an l2tpeth interface).
 */
int kg_rtnl_add_addr4(struct kg_rtnl *r, int ifindex, struct in_addr local, uint8_t plen,
		      const struct in_addr *peer);
/*
 * IPv6 point-to-point address: local/128 with peer (IFA_ADDRESS), link scope
 * when local is fe80::/10, no duplicate address detection.
 */
int kg_rtnl_add_ptp6(struct kg_rtnl *r, int ifindex, const struct in6_addr *local,
		     const struct in6_addr *peer);
/* Host route to addr via ifindex (needed when the peer /32 is not implied). */
int kg_rtnl_add_route4(struct kg_rtnl *r, int ifindex, struct in_addr dst, uint8_t plen);
/*
 * IPv6 route dst/plen via ifindex (a delegated prefix, Framed-IPv6-Route):
 * add (replacing one to the same destination) or delete. One builder for both.
 */
int kg_rtnl_route6(struct kg_rtnl *r, int ifindex, const struct in6_addr *dst, uint8_t plen,
		   bool add);
/* IFLA_MASTER: enslave ifindex to master (a bridge); master 0 releases it. */
int kg_rtnl_set_master(struct kg_rtnl *r, int ifindex, int master);

/* One link as RTM_GETLINK reports it. */
struct kg_link_info {
	char ifname[16];
	uint32_t mtu;
	uint32_t flags;          /* IFF_* (IFF_UP: administratively up, IFF_LOWER_UP: carrier) */
	uint8_t operstate;       /* IF_OPER_* (RFC 2863); l2tp_eth has no carrier: UNKNOWN when up */
	int master;              /* IFLA_MASTER, 0 when none */
};
int kg_rtnl_link_get(struct kg_rtnl *r, int ifindex, struct kg_link_info *out);

/*
 * Link events (RTMGRP_LINK): a socket of its own, non-blocking; poll fd,
 * then kg_rtnl_events_read() drains the queue. deleted: RTM_DELLINK.
 * -ENOBUFS: events were lost, read the links again.
 */
struct kg_rtnl_events {
	struct mnl_socket *nl;
	int fd;                  /* -1 when closed */
};
typedef void (*kg_rtnl_link_cb)(void *ctx, int ifindex, const struct kg_link_info *li,
				int deleted);
int kg_rtnl_events_open(struct kg_rtnl_events *ev);
int kg_rtnl_events_read(struct kg_rtnl_events *ev, kg_rtnl_link_cb cb, void *ctx); /* count or -errno */
void kg_rtnl_events_close(struct kg_rtnl_events *ev);   /* safe on a zeroed or closed one */

#endif
