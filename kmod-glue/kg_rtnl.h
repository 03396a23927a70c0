/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtnetlink through libmnl: what a PPP interface needs when IPCP or IPV6CP opens. */
#ifndef KG_RTNL_H
#define KG_RTNL_H

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
/* Point-to-point address: local, peer (IFA_ADDRESS) /32. */
int kg_rtnl_add_ptp4(struct kg_rtnl *r, int ifindex, struct in_addr local, struct in_addr peer);
/*
 * IPv6 point-to-point address: local/128 with peer (IFA_ADDRESS), link scope
 * when local is fe80::/10, no duplicate address detection.
 */
int kg_rtnl_add_ptp6(struct kg_rtnl *r, int ifindex, const struct in6_addr *local,
		     const struct in6_addr *peer);
/* Host route to addr via ifindex (needed when the peer /32 is not implied). */
int kg_rtnl_add_route4(struct kg_rtnl *r, int ifindex, struct in_addr dst, uint8_t plen);

#endif
