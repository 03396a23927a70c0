// SPDX-License-Identifier: GPL-2.0-or-later
/* PPP MTU over L2TPv2 and ESP (l2tp_mtu.h). */
#include "l2tp_mtu.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * ESP encryption algorithms by charon's name (strongSwan's
 * encryption_algorithm_names). block is the kernel's: esp_output() pads to
 * the cipher's block size rounded up to 4 (RFC 4303 §2.4 alignment), so a
 * stream mode or AEAD pads to 4. AEADs carry their ICV in the name
 * (AES_GCM_16: 16 bytes); RFC 4106 / 4309 / 7634 IVs are 8 bytes.
 */
static const struct {
	const char *name;
	struct esp_alg a;
} encr_tab[] = {
	{ "AES_CBC", { 16, 16, 0 } },          /* RFC 3602 */
	{ "CAMELLIA_CBC", { 16, 16, 0 } },     /* RFC 4312 */
	{ "3DES_CBC", { 8, 8, 0 } },           /* RFC 2451 */
	{ "DES_CBC", { 8, 8, 0 } },
	{ "BLOWFISH_CBC", { 8, 8, 0 } },
	{ "CAST_CBC", { 8, 8, 0 } },
	{ "AES_CTR", { 8, 4, 0 } },            /* RFC 3686 */
	{ "CAMELLIA_CTR", { 8, 4, 0 } },
	{ "AES_GCM_8", { 8, 4, 8 } },          /* RFC 4106 */
	{ "AES_GCM_12", { 8, 4, 12 } },
	{ "AES_GCM_16", { 8, 4, 16 } },
	{ "AES_CCM_8", { 8, 4, 8 } },          /* RFC 4309 */
	{ "AES_CCM_12", { 8, 4, 12 } },
	{ "AES_CCM_16", { 8, 4, 16 } },
	{ "CHACHA20_POLY1305", { 8, 4, 16 } }, /* RFC 7634 */
	{ "NULL_AES_GMAC", { 8, 4, 16 } },     /* RFC 4543 */
	{ "NULL", { 0, 4, 0 } },
};

/* The largest of every algorithm above and every ICV below. */
static const struct esp_alg worst = { 16, 16, 32 };

/*
 * An integrity algorithm's ICV: charon's names end in the truncated length
 * in bits (HMAC_SHA1_96, HMAC_SHA2_256_128, AES_XCBC_96, AES_CMAC_96).
 */
static int integ_icv(const char *s, size_t n, uint8_t *icv)
{
	size_t i = n;
	unsigned long bits;

	if (n == 0 || n >= 32)
		return -EINVAL;
	if (!(strncmp(s, "HMAC_", 5) == 0 || strncmp(s, "AES_XCBC_", 9) == 0 ||
	      strncmp(s, "AES_CMAC_", 9) == 0))
		return -EINVAL;
	while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
		i--;
	if (i == n || i == 0 || s[i - 1] != '_' || n - i > 3)
		return -EINVAL;
	bits = strtoul(s + i, NULL, 10);
	if (bits == 0 || bits % 8 || bits / 8 > worst.icv)
		return -EINVAL;
	*icv = (uint8_t)(bits / 8);
	return 0;
}

int esp_alg_parse(const char *cipher, struct esp_alg *out)
{
	size_t elen = strcspn(cipher, "-/");
	const char *slash = strchr(cipher, '/');
	size_t i;

	*out = worst;
	for (i = 0; i < sizeof(encr_tab) / sizeof(encr_tab[0]); i++)
		if (strlen(encr_tab[i].name) == elen && strncmp(cipher, encr_tab[i].name, elen) == 0)
			break;
	if (i == sizeof(encr_tab) / sizeof(encr_tab[0]))
		return -EINVAL;
	if (slash) {
		uint8_t icv;

		/* an AEAD has no integrity algorithm; charon never names one with it */
		if (encr_tab[i].a.icv || integ_icv(slash + 1, strlen(slash + 1), &icv) < 0)
			return -EINVAL;
		*out = encr_tab[i].a;
		out->icv = icv;
		return 0;
	}
	*out = encr_tab[i].a;
	return 0;
}

/*
 * RFC 2661 §3.1 data header as l2tp_core's l2tp_build_l2tpv2_header() writes
 * it: flags/version, Tunnel ID, Session ID; Ns/Nr only with sequencing; never
 * Length or Offset. PPP: pppol2tp adds FF03, ppp_generic the 2-byte protocol
 * (no protocol field compression).
 */
#define L2TP_DATA_HDR 6u
#define L2TP_DATA_SEQ 4u
#define PPP_FRAME_HDR 4u
#define UDP_HDR 8u
#define ESP_HDR 8u                    /* SPI + sequence number (RFC 4303 §2) */
#define ESP_TRAILER 2u                /* pad length + next header */

uint32_t l2tp_ppp_mtu(const struct l2tp_mtu_in *in)
{
	uint32_t fixed = (in->ipv6 ? 40u : 20u), inner, room, m;

	inner = UDP_HDR + L2TP_DATA_HDR + (in->seq ? L2TP_DATA_SEQ : 0) + PPP_FRAME_HDR;
	if (!in->esp) {
		fixed += inner;
		m = in->path_mtu > fixed ? in->path_mtu - fixed : 0;
		return m > L2TP_MTU_MIN ? m : L2TP_MTU_MIN;
	}
	/*
	 * Transport mode (RFC 4303 §3.1.1): IP, [UDP 4500], ESP header, IV,
	 * then ciphertext = the UDP datagram + padding + 2 in whole blocks,
	 * then the ICV. The ciphertext may use the room left down to a whole
	 * block: everything but the padding is the PPP MTU.
	 */
	fixed += (in->natt ? UDP_HDR : 0) + ESP_HDR + in->alg.iv + in->alg.icv;
	if (in->path_mtu <= fixed || in->alg.block == 0)
		return L2TP_MTU_MIN;
	room = (in->path_mtu - fixed) / in->alg.block * in->alg.block;
	m = room > inner + ESP_TRAILER ? room - inner - ESP_TRAILER : 0;
	return m > L2TP_MTU_MIN ? m : L2TP_MTU_MIN;
}
