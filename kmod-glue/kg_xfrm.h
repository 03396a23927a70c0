/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fail-closed IPsec for one socket (docs/design.md §4.7): a per-socket xfrm policy
 * in each direction that requires an ESP transport-mode SA. Inbound, the
 * kernel drops every datagram for the socket that did not arrive inside ESP
 * (counted in /proc/net/xfrm_stat, XfrmInTmplMismatch), also once the
 * socket carries a kernel L2TP tunnel. Outbound, a datagram is never sent in
 * the clear: without a matching SA the kernel asks the key manager for one
 * and drops the datagram meanwhile.
 *
 * Both templates carry the caller's reqid. The kernel matches an outbound
 * template's reqid exactly (0 is served only by SAs with reqid 0), so the
 * key manager must give its SAs that reqid: lnsd loads its CHILD_SA config
 * into charon with a static reqid ([ipsec] reqid) and passes the same value
 * here. Inbound, a nonzero reqid also admits only those SAs (0 would accept
 * any ESP transport SA). Errors are 0 or -errno; nothing is logged.
 */
#ifndef KG_XFRM_H
#define KG_XFRM_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Installs the inbound and the outbound policy on fd, a UDP socket of
 * family AF_INET or AF_INET6, before it receives anything. An AF_INET6
 * socket must be IPV6_V6ONLY (else -EAFNOSUPPORT): the kernel applies a
 * socket policy only to traffic of the policy's family, so IPv4 reaching a
 * dual-stack socket would bypass it. After a failure the socket may hold
 * the inbound policy only: close it.
 */
int kg_xfrm_socket_require_esp(int fd, int family, uint32_t reqid);
/*
 * The same with one reqid for the inbound template and another for the
 * outbound one: inbound 0 admits any ESP transport SA (never cleartext),
 * outbound names the one CHILD_SA the socket sends through (§5.5).
 */
int kg_xfrm_socket_require_esp_split(int fd, int family, uint32_t reqid_in, uint32_t reqid_out);
/*
 * Does the running kernel deliver L2TPv2 data by the tunnel ID in the
 * header when several tunnel sockets share one address/port 4-tuple
 * (Linux 6.10 and later)? Before, the socket the UDP lookup picks decides.
 */
bool kg_l2tp_v2_tid_demux(void);

/*
 * One counter of /proc/net/xfrm_stat (this network namespace), e.g.
 * "XfrmInTmplMismatch": the datagrams the socket policies dropped. -ENOENT
 * without the file (no CONFIG_XFRM_STATISTICS) or the name.
 */
int kg_xfrm_stat(const char *name, uint64_t *out);

/* Can this kernel and process install such policies (xfrm_user, CAP_NET_ADMIN)? */
bool kg_xfrm_available(void);

#endif
