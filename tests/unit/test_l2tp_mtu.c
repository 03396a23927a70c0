// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/ipsec/l2tp_mtu.c: charon's algorithm names -> ESP sizes, and the PPP
 * MTU over L2TP with and without ESP and NAT-T, each case worked out by hand
 * in its comment. Notation: path MTU P, outer IP header H (20 or 40), inner
 * = UDP 8 + L2TP 6 (+4 Ns/Nr) + PPP 4 (FF03 + protocol); ESP: 8 (SPI + seq)
 * + IV, ciphertext = inner + M + pad + 2 in whole blocks B, then ICV; NAT-T
 * adds UDP 8. So M = floor((P - H - natt - 8 - IV - ICV) / B) * B - 2 - inner.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "l2tp_mtu.h"

static const struct {
	const char *cipher;
	int rc;
	struct esp_alg a;
} algs[] = {
	{ "AES_CBC-128/HMAC_SHA1_96", 0, { 16, 16, 12 } },
	{ "AES_CBC-256/HMAC_SHA2_256_128", 0, { 16, 16, 16 } },
	{ "AES_CBC-256/HMAC_SHA2_256_96", 0, { 16, 16, 12 } },   /* Android's truncated SHA256 */
	{ "AES_CBC-256/HMAC_SHA2_512_256", 0, { 16, 16, 32 } },
	{ "AES_GCM_16-256", 0, { 8, 4, 16 } },
	{ "AES_GCM_8-128", 0, { 8, 4, 8 } },
	{ "3DES_CBC/HMAC_SHA1_96", 0, { 8, 8, 12 } },            /* no key size: 3DES has one */
	{ "AES_CTR-128/AES_XCBC_96", 0, { 8, 4, 12 } },
	{ "CHACHA20_POLY1305-256", 0, { 8, 4, 16 } },
	/* unknown or malformed: the worst case of the tables, -EINVAL */
	{ "", -EINVAL, { 16, 16, 32 } },
	{ "SERPENT_CBC-256/HMAC_SHA1_96", -EINVAL, { 16, 16, 32 } },
	{ "AES_CBC-128/HMAC_SHA1_95", -EINVAL, { 16, 16, 32 } },
	{ "AES_CBC-128/HMAC_SHA1_", -EINVAL, { 16, 16, 32 } },
	{ "AES_CBC-128/FOO_96", -EINVAL, { 16, 16, 32 } },
	{ "AES_CBC-128/HMAC_SHA1_9600", -EINVAL, { 16, 16, 32 } },
	{ "AES_GCM_16-128/HMAC_SHA1_96", -EINVAL, { 16, 16, 32 } }, /* AEAD + integ */
	{ "AES_CBCX-128/HMAC_SHA1_96", -EINVAL, { 16, 16, 32 } },
};

START_TEST(alg_table)
{
	struct esp_alg a;

	ck_assert_int_eq(esp_alg_parse(algs[_i].cipher, &a), algs[_i].rc);
	ck_assert_uint_eq(a.iv, algs[_i].a.iv);
	ck_assert_uint_eq(a.block, algs[_i].a.block);
	ck_assert_uint_eq(a.icv, algs[_i].a.icv);
}
END_TEST

static const struct {
	const char *cipher;           /* NULL: no ESP */
	uint32_t path;
	bool ipv6, seq, natt;
	uint32_t mtu;
} mtus[] = {
	/* plain: 1500 - 20 - 8 - 6 - 4 = 1462 */
	{ NULL, 1500, false, false, false, 1462 },
	/* with Ns/Nr: 1462 - 4 = 1458 */
	{ NULL, 1500, false, true, false, 1458 },
	/* IPv6: 1500 - 40 - 8 - 6 - 4 = 1442 */
	{ NULL, 1500, true, false, false, 1442 },
	/* AES-CBC + SHA1-96: 1500-20-8-16-12 = 1444 -> 90*16 = 1440; 1440-2-18 = 1420 */
	{ "AES_CBC-128/HMAC_SHA1_96", 1500, false, false, false, 1420 },
	/* + NAT-T: 1444-8 = 1436 -> 89*16 = 1424; 1424-20 = 1404: 16 less, the padding rounds */
	{ "AES_CBC-128/HMAC_SHA1_96", 1500, false, false, true, 1404 },
	/* P 1508: 1452 -> 1440 -> 1420; NAT-T 1444 -> 1440 -> 1420: the same, padding again */
	{ "AES_CBC-128/HMAC_SHA1_96", 1508, false, false, false, 1420 },
	{ "AES_CBC-128/HMAC_SHA1_96", 1508, false, false, true, 1420 },
	/* AES-GCM-16: 1500-20-8-8-16 = 1448 -> 362*4; 1448-20 = 1428 */
	{ "AES_GCM_16-256", 1500, false, false, false, 1428 },
	/* + NAT-T: 1440 -> 1440-20 = 1420: exactly 8 less */
	{ "AES_GCM_16-256", 1500, false, false, true, 1420 },
	/* + Ns/Nr: 1420 - 4 = 1416 (4-byte blocks: no rounding) */
	{ "AES_GCM_16-256", 1500, false, true, true, 1416 },
	/* IPv6 + GCM + NAT-T: 1500-40-8-8-8-16 = 1420 -> 1420-20 = 1400 */
	{ "AES_GCM_16-256", 1500, true, false, true, 1400 },
	/* 3DES + SHA1-96 + NAT-T: 1500-20-8-8-8-12 = 1444 -> 180*8 = 1440; 1420 */
	{ "3DES_CBC/HMAC_SHA1_96", 1500, false, false, true, 1420 },
	/* AES-256 + SHA256-128 + NAT-T: 1500-20-8-8-16-16 = 1432 -> 89*16 = 1424; 1404 */
	{ "AES_CBC-256/HMAC_SHA2_256_128", 1500, false, false, true, 1404 },
	/* unknown: worst case IV 16, B 16, ICV 32: 1500-20-8-8-16-32 = 1416 -> 1408; 1388 */
	{ "FOO", 1500, false, false, true, 1388 },
	/* tiny paths: never below 128 */
	{ NULL, 100, false, false, false, 128 },
	{ "AES_GCM_16-256", 60, false, false, true, 128 },
	{ NULL, 0, false, false, false, 128 },
	/* jumbo: 9000 - 38 = 8962 */
	{ NULL, 9000, false, false, false, 8962 },
};

START_TEST(mtu_table)
{
	struct l2tp_mtu_in in = { .path_mtu = mtus[_i].path, .ipv6 = mtus[_i].ipv6,
				  .seq = mtus[_i].seq, .natt = mtus[_i].natt };

	if (mtus[_i].cipher) {
		in.esp = true;
		esp_alg_parse(mtus[_i].cipher, &in.alg);
	}
	ck_assert_msg(l2tp_ppp_mtu(&in) == mtus[_i].mtu, "case %d: %u, expected %u", _i,
		      l2tp_ppp_mtu(&in), mtus[_i].mtu);
}
END_TEST

/*
 * The bound is tight: at the answer M the encapsulated packet fits, at
 * M + block it would not (the padding makes every M in one block the same
 * size), for every path from 300 to 1600 (above the 128 floor) and each algorithm.
 */
START_TEST(tight)
{
	struct l2tp_mtu_in in = { .esp = true };

	esp_alg_parse(algs[_i].cipher, &in.alg);
	for (uint32_t p = 300; p <= 1600; p++)
		for (int natt = 0; natt < 2; natt++) {
			uint32_t m, inner, size;

			in.path_mtu = p;
			in.natt = natt;
			m = l2tp_ppp_mtu(&in);
			inner = 8 + 6 + 4 + m + 2;
			inner = (inner + in.alg.block - 1) / in.alg.block * in.alg.block;
			size = 20 + (natt ? 8 : 0) + 8 + in.alg.iv + inner + in.alg.icv;
			ck_assert_uint_le(size, p);
			ck_assert_uint_gt(size + in.alg.block, p);
		}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("l2tp_mtu");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, alg_table, 0, (int)(sizeof(algs) / sizeof(algs[0])));
	tcase_add_loop_test(tc, mtu_table, 0, (int)(sizeof(mtus) / sizeof(mtus[0])));
	tcase_add_loop_test(tc, tight, 0, 9);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
