/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The largest PPP MTU/MRU that fits a path once a PPP frame has been wrapped
 * in PPP (FF03 + protocol), an L2TPv2 data header as the kernel builds it,
 * UDP and IP, and, for L2TP/IPsec, transport-mode ESP with the CHILD_SA's
 * algorithms (IV, padding to the cipher's block, pad length + next header,
 * ICV) and NAT-T's UDP 4500 header (docs/design.md §4.3, §4.7). Pure
 * arithmetic on charon's algorithm names (as VICI reports them).
 */
#ifndef LNS_L2TP_MTU_H
#define LNS_L2TP_MTU_H

#include <stdbool.h>
#include <stdint.h>

/* The PPP MTU is never set below this (LCP's smallest MRU, lcp_cfg.min_mru). */
#define L2TP_MTU_MIN 128u

/* What ESP adds for one algorithm pair. */
struct esp_alg {
	uint8_t iv;                   /* bytes of IV after SPI + sequence number */
	uint8_t block;                /* the ciphertext is a multiple of this (>= 4) */
	uint8_t icv;                  /* integrity check value at the end */
};

/*
 * charon's CHILD_SA cipher text ("AES_CBC-128/HMAC_SHA2_256_128",
 * "AES_GCM_16-256", "3DES_CBC/HMAC_SHA1_96": encr-alg[-keysize][/integ-alg])
 * -> its ESP sizes. 0, or -EINVAL for an algorithm not in the table: *out
 * then holds the largest sizes of any (IV 16, block 16, ICV 32), so the
 * MTU errs on the small side.
 */
int esp_alg_parse(const char *cipher, struct esp_alg *out);

struct l2tp_mtu_in {
	uint32_t path_mtu;            /* to the peer: the connected tunnel socket's IP_MTU */
	bool ipv6;                    /* outer header 40 instead of 20 */
	bool seq;                     /* the kernel sends Ns/Nr on data (SEND_SEQ) */
	bool esp;                     /* ESP transport mode with alg */
	bool natt;                    /* ESP in UDP 4500 (RFC 3948) */
	struct esp_alg alg;
};

/*
 * The largest PPP MTU (IP packet size on pppN) whose packet, encapsulated,
 * is at most path_mtu bytes; never below L2TP_MTU_MIN.
 */
uint32_t l2tp_ppp_mtu(const struct l2tp_mtu_in *in);

#endif
