// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * MS-CHAPv2 cryptography: the intermediate and final values of RFC 2759
 * §9.2 ("User" / "clientPass"), the domain stripping of ChallengeHash,
 * the UTF-8 -> UTF-16LE password conversion and a weak third DES key.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/md4.h>

#include "ppp_mschap.h"

/* RFC 2759 §9.2 */
static const uint8_t auth_chal[16] = { 0x5B, 0x5D, 0x7C, 0x7D, 0x7B, 0x3F, 0x2F, 0x3E,
				       0x3C, 0x2C, 0x60, 0x21, 0x32, 0x26, 0x26, 0x28 };
static const uint8_t peer_chal[16] = { 0x21, 0x40, 0x23, 0x24, 0x25, 0x5E, 0x26, 0x2A,
				       0x28, 0x29, 0x5F, 0x2B, 0x3A, 0x33, 0x7C, 0x7E };
static const uint8_t chal_hash[8] = { 0xD0, 0x2E, 0x43, 0x86, 0xBC, 0xE9, 0x12, 0x26 };
static const uint8_t pw_hash[16] = { 0x44, 0xEB, 0xBA, 0x8D, 0x53, 0x12, 0xB8, 0xD6,
				     0x11, 0x47, 0x44, 0x11, 0xF5, 0x69, 0x89, 0xAE };
static const uint8_t nt_resp[24] = { 0x82, 0x30, 0x9E, 0xCD, 0x8D, 0x70, 0x8B, 0x5E,
				     0xA0, 0x8F, 0xAA, 0x39, 0x81, 0xCD, 0x83, 0x54,
				     0x42, 0x33, 0x11, 0x4A, 0x3D, 0x85, 0xD6, 0xDF };
static const char auth_str[] = "S=407A5589115FD0D6209F510FE9C04566932CDA56";

START_TEST(rfc2759_intermediates)
{
	uint8_t h[16], c[8], r[24];

	ck_assert_int_eq(ppp_mschap_nt_hash("clientPass", 10, h), 0);
	ck_assert_mem_eq(h, pw_hash, 16);
	ppp_mschap_challenge_hash(peer_chal, auth_chal, "User", 4, c);
	ck_assert_mem_eq(c, chal_hash, 8);
	ppp_mschap_challenge_response(chal_hash, pw_hash, r);
	ck_assert_mem_eq(r, nt_resp, 24);
}
END_TEST

/* Table: user names that must give the §9.2 values (domain prefixes are stripped). */
static const struct {
	const char *user;
	bool match;
} users[] = {
	{ "User", true },
	{ "CORP\\User", true },
	{ "a\\b\\User", true },      /* everything up to the last backslash goes */
	{ "user", false },           /* case matters */
	{ "User ", false },
};

START_TEST(rfc2759_nt_response_and_auth_response)
{
	uint8_t r[24], ar[20];
	char s[MSCHAPV2_AUTH_STR_LEN + 1];
	const char *u = users[_i].user;

	ck_assert_int_eq(ppp_mschap_nt_response(auth_chal, peer_chal, u, strlen(u), "clientPass",
						10, r), 0);
	ck_assert_int_eq(memcmp(r, nt_resp, 24) == 0, users[_i].match);
	ck_assert_int_eq(ppp_mschap_auth_response("clientPass", 10, nt_resp, peer_chal, auth_chal,
						  u, strlen(u), ar), 0);
	ppp_mschap_auth_string(ar, s);
	ck_assert_int_eq(strcmp(s, auth_str) == 0, users[_i].match);
	ck_assert_int_eq(ppp_mschap_verify(u, strlen(u), "clientPass", 10, auth_chal, peer_chal,
					   nt_resp, ar), users[_i].match);
}
END_TEST

/* Verification with wrong material fails; a right one returns the §9.2 string. */
START_TEST(verify_table)
{
	static const struct {
		const char *pw;
		int flip;                 /* byte of the NT-Response to change, -1 none */
		bool ok;
	} t[] = {
		{ "clientPass", -1, true },
		{ "clientpass", -1, false },
		{ "clientPass", 0, false },
		{ "clientPass", 23, false },
		{ "", -1, false },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint8_t r[24], ar[20];
		char s[MSCHAPV2_AUTH_STR_LEN + 1];

		memcpy(r, nt_resp, 24);
		if (t[i].flip >= 0)
			r[t[i].flip] ^= 1;
		memset(ar, 0, sizeof(ar));
		ck_assert_msg(ppp_mschap_verify("User", 4, t[i].pw, strlen(t[i].pw), auth_chal,
						peer_chal, r, ar) == t[i].ok, "case %zu", i);
		if (t[i].ok) {
			ppp_mschap_auth_string(ar, s);
			ck_assert_str_eq(s, auth_str);
		}
	}
}
END_TEST

/* NtPasswordHash of UTF-8 passwords equals the hash of their UTF-16LE form. */
START_TEST(password_encoding)
{
	static const struct {
		const char *utf8;
		const char *u16;          /* hex of the expected UTF-16LE bytes */
	} t[] = {
		{ "abc", "610062006300" },
		{ "R\xc3\xa9sum\xc3\xa9", "5200e90073007500" "6d00e900" },
		{ "\xe2\x82\xac", "ac20" },                      /* U+20AC */
		{ "\xf0\x9f\x98\x80", "3dd800de" },              /* U+1F600: surrogates */
		{ "\xff" "a", "ff006100" },                      /* not UTF-8: Latin-1 */
		{ "\xc3", "c300" },                              /* truncated sequence */
		{ "\xe0\x80\x80", "e00080008000" },              /* overlong: bytes */
	};
	size_t i, k;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint8_t u16[64], a[16], b[16];
		struct md4_ctx ctx;
		size_t n = strlen(t[i].u16) / 2;

		for (k = 0; k < n; k++) {
			char x[3] = { t[i].u16[2 * k], t[i].u16[2 * k + 1], 0 };

			u16[k] = (uint8_t)strtoul(x, NULL, 16);
		}
		ck_assert_int_eq(ppp_mschap_nt_hash(t[i].utf8, strlen(t[i].utf8), a), 0);
		md4_init(&ctx);
		md4_update(&ctx, n, u16);
		md4_digest(&ctx, 16, b);
		ck_assert_msg(memcmp(a, b, 16) == 0, "case %zu", i);
	}
}
END_TEST

START_TEST(password_too_long)
{
	char pw[300];
	uint8_t h[16];

	memset(pw, 'x', sizeof(pw));
	ck_assert_int_eq(ppp_mschap_nt_hash(pw, MSCHAPV2_PW_MAX, h), 0);
	ck_assert_int_eq(ppp_mschap_nt_hash(pw, MSCHAPV2_PW_MAX + 1, h), -EINVAL);
	ck_assert(!ppp_mschap_verify("User", 4, pw, sizeof(pw), auth_chal, peer_chal, nt_resp,
				     NULL));
}
END_TEST

/* A password hash ending in two zero bytes makes the third DES key weak: still computed. */
START_TEST(weak_third_key)
{
	static const uint8_t zero[16] = { 0 };
	uint8_t r[24];

	ppp_mschap_challenge_response(chal_hash, zero, r);
	/* DES with the weak key 0101010101010101 is an involution: all three parts agree */
	ck_assert_mem_eq(r, r + 8, 8);
	ck_assert_mem_eq(r, r + 16, 8);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ppp_mschap");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, rfc2759_intermediates);
	tcase_add_loop_test(tc, rfc2759_nt_response_and_auth_response, 0,
			    sizeof(users) / sizeof(users[0]));
	tcase_add_test(tc, verify_table);
	tcase_add_test(tc, password_encoding);
	tcase_add_test(tc, password_too_long);
	tcase_add_test(tc, weak_third_key);
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
