/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A transport address without the socket API (lib does no I/O): the L2TP
 * peer and local endpoints, the IKE peer, the endpoints RADIUS reports.
 */
#ifndef LNS_ADDR_H
#define LNS_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lns_addr {
	uint8_t family;        /* 4 or 6 */
	uint16_t port;         /* host order */
	uint8_t addr[16];      /* v4 in the first 4 bytes, rest zero */
};
bool lns_addr_eq(const struct lns_addr *a, const struct lns_addr *b);
/* "192.0.2.1:1701" / "[2001:db8::1]:1701" into buf; returns buf. */
char *lns_addr_str(const struct lns_addr *a, char *buf, size_t len);
#define LNS_ADDR_STRLEN 48

#endif
