// SPDX-License-Identifier: GPL-2.0-or-later
/* The users file (pppd chap-secrets format): parsing, lookups, errors, verification. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ppp_auth.h"
#include "ppp_mschap.h"
#include "ppp_users.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static const char sample[] =
	"# Secrets for authentication using CHAP\n"
	"# client\tserver\tsecret\t\t\tIP addresses\n"
	"alice\t*\tw0nderland\n"
	"bob  lnsd  \"pass word\"  10.0.0.50   # fixed address\n"
	"bob  *     other\n"
	"\"carol smith\" * 'it''s' *\n"
	"dave * back\\\\slash\\\" -\n"
	"*    lnsd  guest      10.0.0.0/24 !10.0.0.1\n"
	"   \t \r\n"
	"erin * e 192.0.2.9 192.0.2.10\r\n";

static struct ppp_users *users;
static char err[128];

static void setup(void)
{
	ck_assert_int_eq(ppp_users_parse(sample, strlen(sample), &users, err, sizeof(err)), 0);
}

static void teardown(void)
{
	ppp_users_free(users);
}

START_TEST(parse_sample)
{
	const struct ppp_user *u;

	ck_assert_uint_eq(ppp_users_count(users), 7);
	u = ppp_users_lookup(users, "alice", NULL);
	ck_assert_ptr_nonnull(u);
	ck_assert_str_eq(u->secret, "w0nderland");
	ck_assert_uint_eq(u->ip, 0);
	ck_assert_uint_eq(u->line, 3);
	u = ppp_users_lookup(users, "carol smith", "lnsd");
	ck_assert_ptr_nonnull(u);
	ck_assert_str_eq(u->secret, "its");
	u = ppp_users_lookup(users, "dave", "x");
	ck_assert_str_eq(u->secret, "back\\slash\"");
	ck_assert(u->no_addr);
	u = ppp_users_lookup(users, "erin", "lnsd");
	ck_assert_uint_eq(u->ip, IP(192, 0, 2, 9));
	ck_assert_uint_eq(u->line, 10);
}
END_TEST

/* An exact server beats '*', an exact client beats '*'. */
START_TEST(precedence)
{
	const struct ppp_user *u;

	u = ppp_users_lookup(users, "bob", "lnsd");
	ck_assert_str_eq(u->secret, "pass word");
	ck_assert_uint_eq(u->ip, IP(10, 0, 0, 50));
	u = ppp_users_lookup(users, "bob", "elsewhere");
	ck_assert_str_eq(u->secret, "other");
	u = ppp_users_lookup(users, "zoe", "lnsd");
	ck_assert_ptr_nonnull(u);
	ck_assert_str_eq(u->secret, "guest");
	ck_assert_uint_eq(u->ip, 0);
	ck_assert_ptr_null(ppp_users_lookup(users, "zoe", "elsewhere"));
	ck_assert_ptr_null(ppp_users_lookup(users, "Alice", "elsewhere"));
}
END_TEST

static void expect_error(const char *text, const char *msg)
{
	struct ppp_users *u = NULL;
	char e[128];

	ck_assert_int_eq(ppp_users_parse(text, strlen(text), &u, e, sizeof(e)), -EINVAL);
	ck_assert_ptr_null(u);
	ck_assert_str_eq(e, msg);
}

START_TEST(errors_name_the_line)
{
	expect_error("a * b\nonly two\n", "line 2: expected client, server and secret");
	expect_error("# c\n\na * \"open\n", "line 3: unterminated quote");
	expect_error("a * b 10.0.0.256\n", "line 1: bad address '10.0.0.256'");
	expect_error("a * b 10.0.0.0/33\n", "line 1: bad prefix length '10.0.0.0/33'");
	expect_error("a * b\\", "line 1: backslash at end of line");
}
END_TEST

START_TEST(empty_and_comments)
{
	struct ppp_users *u = NULL;
	static const char text[] = "# nothing\n\n   # more\n";

	ck_assert_int_eq(ppp_users_parse(text, strlen(text), &u, err, sizeof(err)), 0);
	ck_assert_uint_eq(ppp_users_count(u), 0);
	ck_assert_ptr_null(ppp_users_lookup(u, "a", NULL));
	ppp_users_free(u);
	ck_assert_int_eq(ppp_users_parse("", 0, &u, err, sizeof(err)), 0);
	ppp_users_free(u);
	ppp_users_free(NULL);
}
END_TEST

/* Many users: every one found (hash table sized from the line count). */
START_TEST(many)
{
	size_t n = 20000, i, len = 0;
	char *text = malloc(n * 32);
	struct ppp_users *u = NULL;
	int missing = 0;

	for (i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "user%zu * pw%zu\n", i, i);
	ck_assert_int_eq(ppp_users_parse(text, len, &u, err, sizeof(err)), 0);
	ck_assert_uint_eq(ppp_users_count(u), n);
	for (i = 0; i < n; i++) {
		char name[32], pw[32];
		const struct ppp_user *e;

		sprintf(name, "user%zu", i);
		sprintf(pw, "pw%zu", i);
		e = ppp_users_lookup(u, name, "lnsd");
		missing += !e || strcmp(e->secret, pw) != 0;
	}
	ck_assert_int_eq(missing, 0);
	ppp_users_free(u);
	free(text);
}
END_TEST

START_TEST(check_pap_and_chap)
{
	static const uint8_t chal[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	struct ppp_auth_req req = { 0 };
	const struct ppp_user *m = NULL;
	uint8_t resp[16];

	req.method = PPP_AUTH_PAP;
	req.user = "bob";
	req.user_len = 3;
	req.password = (const uint8_t *)"pass word";
	req.password_len = 9;
	ck_assert(ppp_users_check(users, "lnsd", &req, &m));
	ck_assert_uint_eq(m->ip, IP(10, 0, 0, 50));
	req.password_len = 4;
	ck_assert(!ppp_users_check(users, "lnsd", &req, NULL));
	/* a NUL inside the name matches nobody */
	req.user = "bob\0x";
	req.user_len = 5;
	req.password_len = 9;
	ck_assert(!ppp_users_check(users, "lnsd", &req, NULL));

	memset(&req, 0, sizeof(req));
	req.method = PPP_AUTH_CHAP_MD5;
	req.id = 9;
	req.user = "alice";
	req.user_len = 5;
	req.challenge = chal;
	req.challenge_len = sizeof(chal);
	ppp_chap_md5(9, "w0nderland", 10, chal, sizeof(chal), resp);
	req.response = resp;
	req.response_len = sizeof(resp);
	ck_assert(ppp_users_check(users, "lnsd", &req, NULL));
	req.id = 10;
	ck_assert(!ppp_users_check(users, "lnsd", &req, NULL));
	/* '-' means this user may not connect at all */
	req.id = 9;
	req.user = "dave";
	req.user_len = 4;
	ppp_chap_md5(9, "back\\slash\"", 11, chal, sizeof(chal), resp);
	ck_assert(!ppp_users_check(users, "lnsd", &req, NULL));
	/* unknown user */
	req.user = "nobody";
	req.user_len = 6;
	ck_assert(!ppp_users_check(users, "other", &req, NULL));
}
END_TEST

/* MS-CHAPv2 against the file: the secret gives the NT-Response and the Authenticator Response. */
static const struct {
	const char *user, *client_pw;
	bool ok;
} ms[] = {
	{ "alice", "w0nderland", true },
	{ "alice", "w0nderlanD", false },
	{ "bob", "pass word", true },          /* the lnsd line before the '*' one */
	{ "bob", "other", false },
	{ "dave", "back\\slash\"", false },     /* '-': may not connect */
	{ "guest-1", "guest", true },           /* client '*' */
	{ "nobody", "x", false },
};

START_TEST(check_mschapv2)
{
	static const uint8_t auth[16] = { 0x5B, 0x5D, 0x7C, 0x7D, 0x7B, 0x3F, 0x2F, 0x3E,
					  0x3C, 0x2C, 0x60, 0x21, 0x32, 0x26, 0x26, 0x28 };
	static const uint8_t peer[16] = { 0x21, 0x40, 0x23, 0x24, 0x25, 0x5E, 0x26, 0x2A,
					  0x28, 0x29, 0x5F, 0x2B, 0x3A, 0x33, 0x7C, 0x7E };
	struct ppp_auth_req req = { 0 };
	uint8_t nt[24], got[20], want[20];
	const char *u = ms[_i].user, *pw = ms[_i].client_pw;

	ck_assert_int_eq(ppp_mschap_nt_response(auth, peer, u, strlen(u), pw, strlen(pw), nt), 0);
	req.method = PPP_AUTH_MSCHAPV2;
	req.user = u;
	req.user_len = strlen(u);
	req.challenge = auth;
	req.challenge_len = sizeof(auth);
	req.peer_challenge = peer;
	req.nt_response = nt;
	memset(got, 0, sizeof(got));
	ck_assert_int_eq(ppp_users_verify(users, "lnsd", &req, NULL, got), ms[_i].ok);
	ck_assert_int_eq(ppp_users_check(users, "lnsd", &req, NULL), ms[_i].ok);
	if (ms[_i].ok) {
		ck_assert_int_eq(ppp_mschap_auth_response(pw, strlen(pw), nt, peer, auth, u,
							  strlen(u), want), 0);
		ck_assert_mem_eq(got, want, sizeof(want));
	}
	/* without the split-out NT-Response (a short Response value) nothing matches */
	req.nt_response = NULL;
	ck_assert(!ppp_users_verify(users, "lnsd", &req, NULL, got));
	req.nt_response = nt;
	req.challenge_len = 8;
	ck_assert(!ppp_users_verify(users, "lnsd", &req, NULL, got));
}
END_TEST

START_TEST(mode)
{
	ck_assert(ppp_users_mode_ok(0600));
	ck_assert(ppp_users_mode_ok(0640));
	ck_assert(ppp_users_mode_ok(S_IFREG | 0400));
	ck_assert(!ppp_users_mode_ok(0644));
	ck_assert(!ppp_users_mode_ok(0602));
	ck_assert(!ppp_users_mode_ok(0666));
}
END_TEST

static Suite *users_suite(void)
{
	Suite *s = suite_create("ppp_users");
	TCase *tc = tcase_create("users");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, parse_sample);
	tcase_add_test(tc, precedence);
	tcase_add_test(tc, errors_name_the_line);
	tcase_add_test(tc, empty_and_comments);
	tcase_add_test(tc, many);
	tcase_add_test(tc, check_pap_and_chap);
	tcase_add_loop_test(tc, check_mschapv2, 0, sizeof(ms) / sizeof(ms[0]));
	tcase_add_test(tc, mode);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(users_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
