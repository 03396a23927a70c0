/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * struct lns_addr to and from the socket API's addresses, for every UDP
 * socket of the daemon (the engine's, RADIUS's, DAE's). Pure conversions:
 * they live in lib/common so that no daemon file has to include another's
 * header for them.
 */
#ifndef LNS_SOCKADDR_H
#define LNS_SOCKADDR_H

#include <sys/socket.h>

#include "lns_addr.h"

/* struct sockaddr_in/in6 <-> struct lns_addr; sa_to_addr: -1 for other families. */
socklen_t addr_to_sa(const struct lns_addr *a, struct sockaddr_storage *ss);
int sa_to_addr(const struct sockaddr_storage *ss, struct lns_addr *a);

#endif
