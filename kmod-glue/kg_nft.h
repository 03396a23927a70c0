/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lnsd's own nftables table, "inet lnsd", holding a set of rules for every
 * PPP interface at once (matched by "meta iifkind/oifkind ppp"): nothing is
 * done per session, whatever their number. Through libnftables, one
 * transaction per call, the whole table replaced. Nothing is logged.
 *
 * KG_NFT_MSS_CLAMP (docs/design.md §4.3): a forward chain rewrites the MSS
 * option of TCP SYNs (and SYN-ACKs) leaving on any PPP interface to the
 * route's MTU less the IP and TCP headers ("tcp option maxseg size set rt
 * mtu"; the kernel only ever lowers it).
 * KG_NFT_UNMARK (docs/design.md §5.5): a prerouting chain before raw sets
 * the mark of every packet arriving on a PPP interface with a mark back to
 * 0: the inbound mark charon has the kernel put on what it decrypts stays on
 * the subscriber packets carried inside, which the host's fwmark rules and
 * nftables would otherwise see.
 */
#ifndef KG_NFT_H
#define KG_NFT_H

#include <stddef.h>

#define KG_NFT_TABLE "lnsd"           /* family inet */

#define KG_NFT_MSS_CLAMP 0x1u
#define KG_NFT_UNMARK    0x2u

/*
 * The nft script that makes the table hold exactly the rules in the set
 * (none: the table deleted), into buf (NUL-terminated). Its length, or
 * -ENOSPC when len is too small. Pure: for the unit tests.
 */
int kg_nft_script(unsigned rules, char *buf, size_t len);

/*
 * (Re)create the table with the rules in the set, replacing one left by an
 * earlier run; 0: delete the table if it is there. 0, or -errno (-ENOMEM,
 * or -EIO with nftables' own message in err).
 */
int kg_nft_rules(unsigned rules, char *err, size_t errlen);

#endif
