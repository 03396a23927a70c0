// SPDX-License-Identifier: GPL-2.0-or-later
/* kmod-glue's pure rtnetlink builders: a PPP unit named at creation. */
#include <check.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>

#include "kg_rtnl.h"

struct seen {
	const char *ifname, *kind;
	int fd;
	long group;                   /* IFLA_GROUP, -1 when absent */
};

static int data_attr(const struct nlattr *a, void *v)
{
	struct seen *s = v;

	if (mnl_attr_get_type(a) == IFLA_PPP_DEV_FD) {
		ck_assert_int_eq(mnl_attr_validate(a, MNL_TYPE_U32), 0);
		s->fd = (int)mnl_attr_get_u32(a);
	}
	return MNL_CB_OK;
}

static int info_attr(const struct nlattr *a, void *v)
{
	struct seen *s = v;

	if (mnl_attr_get_type(a) == IFLA_INFO_KIND)
		s->kind = mnl_attr_get_str(a);
	else if (mnl_attr_get_type(a) == IFLA_INFO_DATA)
		mnl_attr_parse_nested(a, data_attr, s);
	return MNL_CB_OK;
}

static int link_attr(const struct nlattr *a, void *v)
{
	struct seen *s = v;

	if (mnl_attr_get_type(a) == IFLA_IFNAME)
		s->ifname = mnl_attr_get_str(a);
	else if (mnl_attr_get_type(a) == IFLA_GROUP)
		s->group = (long)mnl_attr_get_u32(a);
	else if (mnl_attr_get_type(a) == IFLA_LINKINFO)
		mnl_attr_parse_nested(a, info_attr, s);
	return MNL_CB_OK;
}

START_TEST(ppp_newlink_named)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct seen s = { .fd = -1, .group = -1 };
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	const struct ifinfomsg *ifi;
	int len = kg_rtnl_ppp_newlink_msg(buf, sizeof(buf), 7, "l2tp12");

	ck_assert_int_gt(len, 0);
	ck_assert_int_eq((int)nlh->nlmsg_len, len);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_NEWLINK);
	ck_assert_uint_eq(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL | NLM_F_REQUEST | NLM_F_ACK),
			  NLM_F_CREATE | NLM_F_EXCL | NLM_F_REQUEST | NLM_F_ACK);
	ifi = mnl_nlmsg_get_payload(nlh);
	ck_assert_int_eq(ifi->ifi_index, 0);
	ck_assert_int_eq(mnl_attr_parse(nlh, sizeof(*ifi), link_attr, &s), MNL_CB_OK);
	ck_assert_ptr_nonnull(s.ifname);
	ck_assert_str_eq(s.ifname, "l2tp12");
	ck_assert_ptr_nonnull(s.kind);
	ck_assert_str_eq(s.kind, "ppp");
	ck_assert_int_eq(s.fd, 7);
}
END_TEST

START_TEST(ppp_newlink_bad_names)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	ck_assert_int_eq(kg_rtnl_ppp_newlink_msg(buf, sizeof(buf), 3, ""), -ENAMETOOLONG);
	ck_assert_int_eq(kg_rtnl_ppp_newlink_msg(buf, sizeof(buf), 3, "0123456789abcdef"),
			 -ENAMETOOLONG);
	ck_assert_int_gt(kg_rtnl_ppp_newlink_msg(buf, sizeof(buf), 3, "0123456789abcde"), 0);
	ck_assert_int_eq(kg_rtnl_ppp_newlink_msg(buf, 100, 3, "ppp0"), -ENOSPC);
}
END_TEST

/* A pppN into a group by name, then the group deleted: RTM_SETLINK, RTM_DELLINK. */
START_TEST(group_msgs)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	const struct ifinfomsg *ifi = NULL;
	struct seen s = { .fd = -1, .group = -1 };
	int len = kg_rtnl_group_msg(buf, sizeof(buf), "l2tp7", 0x4c4e5344u);

	ck_assert_int_gt(len, 0);
	ck_assert_int_eq((int)nlh->nlmsg_len, len);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_SETLINK);
	ck_assert_uint_eq(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_REQUEST | NLM_F_ACK),
			  NLM_F_REQUEST | NLM_F_ACK);
	ifi = mnl_nlmsg_get_payload(nlh);
	ck_assert_int_eq(ifi->ifi_index, 0);
	ck_assert_int_eq(mnl_attr_parse(nlh, sizeof(*ifi), link_attr, &s), MNL_CB_OK);
	ck_assert_ptr_nonnull(s.ifname);
	ck_assert_str_eq(s.ifname, "l2tp7");
	ck_assert_int_eq(s.group, 0x4c4e5344L);

	s = (struct seen){ .fd = -1, .group = -1 };
	len = kg_rtnl_group_msg(buf, sizeof(buf), NULL, 99);
	ck_assert_int_gt(len, 0);
	ck_assert_uint_eq(nlh->nlmsg_type, RTM_DELLINK);
	ifi = mnl_nlmsg_get_payload(nlh);
	ck_assert_int_eq(ifi->ifi_index, 0);   /* no link: the kernel deletes the group */
	ck_assert_int_eq(mnl_attr_parse(nlh, sizeof(*ifi), link_attr, &s), MNL_CB_OK);
	ck_assert_ptr_null(s.ifname);
	ck_assert_int_eq(s.group, 99);

	ck_assert_int_eq(kg_rtnl_group_msg(buf, sizeof(buf), "", 1), -ENAMETOOLONG);
	ck_assert_int_eq(kg_rtnl_group_msg(buf, sizeof(buf), "0123456789abcdef", 1), -ENAMETOOLONG);
	ck_assert_int_eq(kg_rtnl_group_msg(buf, 64, "ppp0", 1), -ENOSPC);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kg_rtnl");
	TCase *tc = tcase_create("builders");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, ppp_newlink_named);
	tcase_add_test(tc, ppp_newlink_bad_names);
	tcase_add_test(tc, group_msgs);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
