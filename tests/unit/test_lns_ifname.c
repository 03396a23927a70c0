// SPDX-License-Identifier: GPL-2.0-or-later
/* lib/common/lns_ifname.c: a template's %d replaced, and the names refused. */
#include <check.h>
#include <string.h>

#include "lns_ifname.h"

START_TEST(formats)
{
	char b[16];

	ck_assert(lns_ifname_unit("l2tp%d", 7, b, sizeof(b)));
	ck_assert_str_eq(b, "l2tp7");
	ck_assert(lns_ifname_unit("%d-ppp", 12, b, sizeof(b)));
	ck_assert_str_eq(b, "12-ppp");
	ck_assert(lns_ifname_unit("abcdefghijk%d", 9999, b, sizeof(b)));   /* 15 characters */
	ck_assert_str_eq(b, "abcdefghijk9999");
}
END_TEST

START_TEST(refused)
{
	char b[16], big[64];

	ck_assert(!lns_ifname_unit(NULL, 1, b, sizeof(b)));
	ck_assert(!lns_ifname_unit("", 1, b, sizeof(b)));
	ck_assert(!lns_ifname_unit("ppp", 1, b, sizeof(b)));          /* no %d */
	ck_assert(!lns_ifname_unit("ppp%s", 1, b, sizeof(b)));
	ck_assert(!lns_ifname_unit("abcdefghijk%d", 10000, big, sizeof(big)));   /* 16 characters */
	ck_assert(!lns_ifname_unit("l2tp%d", 123, b, 6));             /* does not fit in len */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lns_ifname");
	TCase *tc = tcase_create("lns_ifname");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, formats);
	tcase_add_test(tc, refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
