/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PPP protocol numbers, packet codes and option types. Named here once; never bare literals. */
#ifndef LNS_PPP_PROTO_H
#define LNS_PPP_PROTO_H

#include <stdint.h>

/* PPP frames as the kernel hands them over: 2-byte protocol, no FF03 (docs/design.md §4.3). */
#define PPP_PROTO_LEN 2
#define PPP_HDR_LEN 4             /* code, identifier, length (RFC 1661 §5) */
#define PPP_OPT_HDR_LEN 2         /* type, length (RFC 1661 §6) */
#define PPP_DEFAULT_MRU 1500      /* RFC 1661 §6.1 */
#define PPP_MAX_FRAME 1600        /* largest control frame we build */

/* Protocol field values (RFC 1661 §2, IANA PPP DLL protocol numbers). */
enum ppp_protocol {
	PPP_PROTO_IP = 0x0021,
	PPP_PROTO_IPV6 = 0x0057,
	PPP_PROTO_IPCP = 0x8021,
	PPP_PROTO_IPV6CP = 0x8057,
	PPP_PROTO_CCP = 0x80fd,
	PPP_PROTO_LCP = 0xc021,
	PPP_PROTO_PAP = 0xc023,
	PPP_PROTO_LQR = 0xc025,
	PPP_PROTO_CHAP = 0xc223,
};

/* Packet codes shared by LCP and the NCPs (RFC 1661 §5), LCP extras in 8..11. */
enum ppp_code {
	PPP_CONF_REQ = 1,
	PPP_CONF_ACK = 2,
	PPP_CONF_NAK = 3,
	PPP_CONF_REJ = 4,
	PPP_TERM_REQ = 5,
	PPP_TERM_ACK = 6,
	PPP_CODE_REJ = 7,
	PPP_PROTO_REJ = 8,        /* LCP only, §5.7 */
	PPP_ECHO_REQ = 9,         /* LCP only, §5.8 */
	PPP_ECHO_REPLY = 10,
	PPP_DISCARD_REQ = 11,     /* LCP only, §5.9 */
};

/* LCP configuration options (RFC 1661 §6, RFC 1662 §7.1 for ACCM). */
enum lcp_opt {
	LCP_OPT_MRU = 1,
	LCP_OPT_ACCM = 2,
	LCP_OPT_AUTH = 3,
	LCP_OPT_QUALITY = 4,
	LCP_OPT_MAGIC = 5,
	LCP_OPT_PFC = 7,
	LCP_OPT_ACFC = 8,
};

/* IPCP configuration options (RFC 1332 §3, RFC 1877 §1). */
enum ipcp_opt {
	IPCP_OPT_ADDRS = 1,       /* deprecated IP-Addresses */
	IPCP_OPT_COMP = 2,        /* IP-Compression-Protocol (VJ) */
	IPCP_OPT_ADDR = 3,
	IPCP_OPT_DNS1 = 129,
	IPCP_OPT_NBNS1 = 130,
	IPCP_OPT_DNS2 = 131,
	IPCP_OPT_NBNS2 = 132,
};

/* IPV6CP configuration options (RFC 5072 §4). */
enum ipv6cp_opt {
	IPV6CP_OPT_IFID = 1,      /* Interface-Identifier */
	IPV6CP_OPT_COMP = 2,      /* IPv6-Compression-Protocol */
};
#define IPV6CP_IFID_LEN 8

/* PAP codes (RFC 1334 §2.2). */
enum pap_code {
	PAP_AUTH_REQ = 1,
	PAP_AUTH_ACK = 2,
	PAP_AUTH_NAK = 3,
};

/* CHAP codes (RFC 1994 §4) and the MD5 algorithm number (§3). */
enum chap_code {
	CHAP_CHALLENGE = 1,
	CHAP_RESPONSE = 2,
	CHAP_SUCCESS = 3,
	CHAP_FAILURE = 4,
};
enum chap_alg {
	CHAP_ALG_MD5 = 5,
	CHAP_ALG_MSCHAPV2 = 0x81, /* RFC 2759 §2 */
};
#define CHAP_MD5_LEN 16
/* RFC 2759 §6: the Failure error we send for a refused password. */
#define MSCHAPV2_ERR_AUTH_FAILURE 691

/* Network byte order fields of PPP packets. */
static inline uint16_t ppp_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t ppp_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint8_t *ppp_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static inline uint8_t *ppp_put32(uint8_t *p, uint32_t v)
{
	p = ppp_put16(p, (uint16_t)(v >> 16));
	return ppp_put16(p, (uint16_t)v);
}

#endif
