/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TCP MSS clamping for the PPP interfaces (docs/design.md §4.3): one table of
 * lnsd's own, "inet lnsd", whose forward chain rewrites the MSS option of
 * TCP SYNs (and SYN-ACKs) leaving on any PPP interface to the route's MTU
 * less the IP and TCP headers (nftables "tcp option maxseg size set rt mtu";
 * the kernel only ever lowers it). One rule for every session: nothing is
 * done per session, whatever their number. Through libnftables, one
 * transaction per call. Nothing is logged.
 */
#ifndef KG_NFT_H
#define KG_NFT_H

#include <stdbool.h>
#include <stddef.h>

#define KG_NFT_TABLE "lnsd"           /* family inet */

/*
 * on: (re)create the table with its one rule, replacing one left by an
 * earlier run. off: delete the table if it is there. 0, or -errno (-ENOMEM,
 * or -EIO with nftables' own message in err).
 */
int kg_nft_mss_clamp(bool on, char *err, size_t errlen);

#endif
