// SPDX-License-Identifier: GPL-2.0-or-later
/* kg_nft_script(): lnsd's nftables table holds exactly the rules asked for. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "kg_nft.h"

static const char reset[] = "table inet lnsd {}\ndelete table inet lnsd\n";

START_TEST(none_deletes_the_table)
{
	char buf[1024];
	int n = kg_nft_script(0, buf, sizeof(buf));

	ck_assert_int_eq(n, (int)strlen(reset));
	ck_assert_str_eq(buf, reset);
}
END_TEST

START_TEST(each_rule_alone_and_both)
{
	char buf[1024];

	ck_assert_int_gt(kg_nft_script(KG_NFT_MSS_CLAMP, buf, sizeof(buf)), 0);
	ck_assert_int_eq(strncmp(buf, reset, strlen(reset)), 0);
	ck_assert_ptr_nonnull(strstr(buf, "chain mss-clamp {\n"
					  "\t\ttype filter hook forward priority mangle; policy accept;\n"
					  "\t\tmeta oifkind \"ppp\" tcp flags syn tcp option maxseg size set rt mtu\n"));
	ck_assert_ptr_null(strstr(buf, "unmark"));

	ck_assert_int_gt(kg_nft_script(KG_NFT_UNMARK, buf, sizeof(buf)), 0);
	ck_assert_ptr_null(strstr(buf, "mss-clamp"));
	ck_assert_ptr_nonnull(strstr(buf, "table inet lnsd {\n\tchain unmark {\n"
					  "\t\ttype filter hook prerouting priority raw - 10; policy accept;\n"
					  "\t\tmeta iifkind \"ppp\" meta mark != 0 counter meta mark set 0\n"
					  "\t}\n}\n"));

	ck_assert_int_gt(kg_nft_script(KG_NFT_MSS_CLAMP | KG_NFT_UNMARK, buf, sizeof(buf)), 0);
	/* one table, both chains in it */
	ck_assert_ptr_nonnull(strstr(buf, "table inet lnsd {\n\tchain mss-clamp {\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\t}\n\tchain unmark {\n"));
	ck_assert_ptr_null(strstr(strstr(buf, "table inet lnsd {\n") + 1, "table inet lnsd {\n"));
}
END_TEST

START_TEST(short_buffer)
{
	char buf[40];

	ck_assert_int_eq(kg_nft_script(KG_NFT_MSS_CLAMP | KG_NFT_UNMARK, buf, sizeof(buf)), -ENOSPC);
	ck_assert_int_eq(kg_nft_script(0, buf, 10), -ENOSPC);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("nft");
	TCase *tc = tcase_create("script");
	SRunner *sr;
	int nf;

	tcase_add_test(tc, none_deletes_the_table);
	tcase_add_test(tc, each_rule_alone_and_both);
	tcase_add_test(tc, short_buffer);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? 1 : 0;
}
