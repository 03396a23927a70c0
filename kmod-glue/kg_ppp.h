/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A kernel PPP session on an L2TP session (docs/design.md §4.3): the PPPoL2TP
 * socket, the /dev/ppp channel and unit (pppN), connected together.
 * Frames read from and written to chan_fd / unit_fd start with the 2-byte
 * PPP protocol (no FF03): LCP/PAP/CHAP on the channel, IPCP/IPV6CP/CCP on
 * the unit. Closing everything (kg_ppp_close) detaches the channel and
 * deletes the kernel session on 6.1 as well as 6.12.
 */
#ifndef KG_PPP_H
#define KG_PPP_H

#include <stdint.h>
#include <sys/socket.h>

struct kg_ppp {
	int pppox_fd;            /* AF_PPPOX / PX_PROTO_OL2TP, connected */
	int chan_fd;             /* /dev/ppp attached to the channel */
	int unit_fd;             /* /dev/ppp owning unit N */
	int unit;                /* N of pppN */
	char ifname[16];         /* current name (after kg_rtnl_rename, the new one) */
	int named;               /* kg_ppp_open_named(): the unit was created with its name */
};

/*
 * tunnel_fd: the tunnel's UDP socket; peer: its connected peer address
 * (picks the IPv4 or IPv6 sockaddr_pppol2tp variant). fds are O_NONBLOCK
 * and O_CLOEXEC. On failure everything opened is closed again. The IDs are
 * u32 like genetlink's; the (v2) sockaddr has 16-bit fields: -ERANGE for an
 * ID above 0xffff, never a truncated one.
 */
int kg_ppp_open(struct kg_ppp *p, int tunnel_fd, const struct sockaddr *peer,
		socklen_t peer_len, uint32_t tid, uint32_t peer_tid, uint32_t sid,
		uint32_t peer_sid);
/*
 * The same with the unit created by rtnetlink as name (kg_rtnl_ppp_newlink:
 * no rename afterwards); when the kernel refuses (older than 4.7, the name
 * taken, -EBUSY from its lock order), PPPIOCNEWUNIT and pppN as
 * kg_ppp_open(), named 0. name NULL or rt NULL: kg_ppp_open().
 */
struct kg_rtnl;
int kg_ppp_open_named(struct kg_ppp *p, struct kg_rtnl *rt, const char *name, int tunnel_fd,
		      const struct sockaddr *peer, socklen_t peer_len, uint32_t tid,
		      uint32_t peer_tid, uint32_t sid, uint32_t peer_sid);
void kg_ppp_close(struct kg_ppp *p);      /* safe on a zeroed (fds -1) or closed one */
void kg_ppp_init(struct kg_ppp *p);       /* fds = -1 */

#endif
