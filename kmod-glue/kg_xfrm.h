/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fail-closed IPsec for one socket (DESIGN.md §4): a per-socket xfrm policy
 * in each direction that requires an ESP transport-mode SA. Inbound, the
 * kernel drops every datagram for the socket that did not arrive inside ESP
 * (counted in /proc/net/xfrm_stat, XfrmInTmplMismatch), also once the
 * socket carries a kernel L2TP tunnel. Outbound, a datagram is never sent in
 * the clear: without a matching SA the kernel asks the key manager for one
 * and drops the datagram meanwhile.
 *
 * The outbound template has reqid 0, and the kernel matches an outbound
 * template's reqid exactly: only SAs with reqid 0 serve it (inbound, reqid 0
 * accepts any SA). Errors are 0 or -errno; nothing is logged.
 */
#ifndef KG_XFRM_H
#define KG_XFRM_H

#include <stdbool.h>

/*
 * Installs the inbound and the outbound policy on fd, a UDP socket of
 * family AF_INET or AF_INET6, before it receives anything. An AF_INET6
 * socket must be IPV6_V6ONLY (else -EAFNOSUPPORT): the kernel applies a
 * socket policy only to traffic of the policy's family, so IPv4 reaching a
 * dual-stack socket would bypass it. After a failure the socket may hold
 * the inbound policy only: close it.
 */
int kg_xfrm_socket_require_esp(int fd, int family);

/* Can this kernel and process install such policies (xfrm_user, CAP_NET_ADMIN)? */
bool kg_xfrm_available(void);

#endif
