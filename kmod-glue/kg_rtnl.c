// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rtnetlink through libmnl: link name, MTU and up; point-to-point IPv4
 * address; host route. Every request is acked; a failure returns the
 * kernel's errno with its extended-ack text in r->ext_ack.
 */
#include "kg_rtnl.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int kg_rtnl_open(struct kg_rtnl *r)
{
	int one = 1;
	int rc;

	memset(r, 0, sizeof(*r));
	r->nl = mnl_socket_open(NETLINK_ROUTE);
	if (!r->nl)
		return -errno;
	if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		goto fail;
	}
	/* Best effort: without it errors just come without text. */
	(void)mnl_socket_setsockopt(r->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)mnl_socket_setsockopt(r->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	return 0;
fail:
	mnl_socket_close(r->nl);
	r->nl = NULL;
	return rc;
}

void kg_rtnl_close(struct kg_rtnl *r)
{
	if (r->nl)
		mnl_socket_close(r->nl);
	r->nl = NULL;
}

struct kg_ack_attrs {
	const struct nlattr *msg;
};

static int kg_ack_attr(const struct nlattr *a, void *data)
{
	struct kg_ack_attrs *t = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		t->msg = a;
	return MNL_CB_OK;
}

/* NLMSGERR_ATTR_MSG: after struct nlmsgerr and, unless capped, the echoed request. */
static void kg_rtnl_ext_ack(struct kg_rtnl *r, const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
	struct kg_ack_attrs t = { 0 };
	size_t off = sizeof(*e);

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - MNL_NLMSG_HDRLEN;
	if (mnl_nlmsg_get_payload_len(h) <= off)
		return;
	mnl_attr_parse_payload((const char *)e + off, mnl_nlmsg_get_payload_len(h) - off,
			       kg_ack_attr, &t);
	if (t.msg)
		snprintf(r->ext_ack, sizeof(r->ext_ack), "%s", mnl_attr_get_str(t.msg));
}

/* Sends nlh and waits for its ack: 0 or -errno; cb (if any) sees the replies before it. */
static int kg_rtnl_request_cb(struct kg_rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t portid = mnl_socket_get_portid(r->nl);
	const struct nlmsghdr *h;
	ssize_t n;
	int len;

	r->ext_ack[0] = '\0';
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++r->seq;
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(r->nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		len = (int)n;
		for (h = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(h, len);
		     h = mnl_nlmsg_next(h, &len)) {
			const struct nlmsgerr *e;

			if (h->nlmsg_seq != r->seq || h->nlmsg_pid != portid)
				continue;       /* stale reply from an earlier, failed wait */
			if (h->nlmsg_type != NLMSG_ERROR) {
				if (cb)
					cb(h, data);
				continue;
			}
			if (mnl_nlmsg_get_payload_len(h) < sizeof(*e))
				return -EBADMSG;
			e = mnl_nlmsg_get_payload(h);
			if (e->error)
				kg_rtnl_ext_ack(r, h);
			return e->error <= 0 ? e->error : -EPROTO;
		}
	}
}

static int kg_rtnl_request(struct kg_rtnl *r, struct nlmsghdr *nlh)
{
	return kg_rtnl_request_cb(r, nlh, NULL, NULL);
}

int kg_rtnl_do(struct kg_rtnl *r, struct nlmsghdr *nlh)
{
	return kg_rtnl_request(r, nlh);
}

int kg_rtnl_ifindex(struct kg_rtnl *r, const char *ifname)
{
	unsigned int idx = if_nametoindex(ifname);

	return idx ? (int)idx : -errno;
}

static struct nlmsghdr *kg_link_msg(char *buf, int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

static int kg_stats_attr(const struct nlattr *a, void *data)
{
	struct rtnl_link_stats64 *st = data;

	if (mnl_attr_get_type(a) == IFLA_STATS64 && mnl_attr_get_payload_len(a) >= sizeof(*st))
		memcpy(st, mnl_attr_get_payload(a), sizeof(*st));
	return MNL_CB_OK;
}

static int kg_stats_cb(const struct nlmsghdr *h, void *data)
{
	if (h->nlmsg_type == RTM_NEWLINK)
		mnl_attr_parse(h, sizeof(struct ifinfomsg), kg_stats_attr, data);
	return MNL_CB_OK;
}

int kg_rtnl_link_stats(struct kg_rtnl *r, int ifindex, struct kg_link_stats *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = kg_link_msg(buf, ifindex);
	struct rtnl_link_stats64 st = { 0 };
	int rc;

	nlh->nlmsg_type = RTM_GETLINK;
	rc = kg_rtnl_request_cb(r, nlh, kg_stats_cb, &st);
	out->rx_packets = st.rx_packets;
	out->tx_packets = st.tx_packets;
	out->rx_bytes = st.rx_bytes;
	out->tx_bytes = st.tx_bytes;
	return rc;
}

/* The kernel refuses to rename a running interface (-EBUSY): rename before up. */
int kg_rtnl_rename(struct kg_rtnl *r, int ifindex, const char *newname)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = kg_link_msg(buf, ifindex);

	if (strlen(newname) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, newname);
	return kg_rtnl_request(r, nlh);
}

int kg_rtnl_ppp_newlink_msg(char *buf, size_t len, int ppp_fd, const char *name)
{
	struct nlmsghdr *nlh;
	struct nlattr *li, *data;
	struct ifinfomsg *ifi;
	size_t nl = strlen(name);

	if (nl == 0 || nl >= IFNAMSIZ)
		return -ENAMETOOLONG;
	if (len < 256)
		return -ENOSPC;
	memset(buf, 0, 256);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "ppp");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, IFLA_PPP_DEV_FD, (uint32_t)ppp_fd);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	return (int)nlh->nlmsg_len;
}

int kg_rtnl_ppp_newlink(struct kg_rtnl *r, int ppp_fd, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int rc = kg_rtnl_ppp_newlink_msg(buf, sizeof(buf), ppp_fd, name);

	if (rc < 0)
		return rc;
	return kg_rtnl_request(r, (struct nlmsghdr *)buf);
}

int kg_rtnl_group_msg(char *buf, size_t len, const char *ifname, uint32_t group)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	if (ifname && (ifname[0] == '\0' || strlen(ifname) >= IFNAMSIZ))
		return -ENAMETOOLONG;
	if (len < 128)
		return -ENOSPC;
	memset(buf, 0, 128);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = ifname ? RTM_SETLINK : RTM_DELLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	if (ifname)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	mnl_attr_put_u32(nlh, IFLA_GROUP, group);
	return (int)nlh->nlmsg_len;
}

static int kg_rtnl_group_req(struct kg_rtnl *r, const char *ifname, uint32_t group)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int rc = kg_rtnl_group_msg(buf, sizeof(buf), ifname, group);

	if (rc < 0)
		return rc;
	return kg_rtnl_request(r, (struct nlmsghdr *)buf);
}

int kg_rtnl_set_group(struct kg_rtnl *r, const char *ifname, uint32_t group)
{
	return kg_rtnl_group_req(r, ifname, group);
}

int kg_rtnl_group_del(struct kg_rtnl *r, uint32_t group)
{
	return kg_rtnl_group_req(r, NULL, group);
}

int kg_rtnl_set_mtu(struct kg_rtnl *r, int ifindex, uint32_t mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = kg_link_msg(buf, ifindex);

	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return kg_rtnl_request(r, nlh);
}

int kg_rtnl_set_up(struct kg_rtnl *r, int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = kg_link_msg(buf, ifindex);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return kg_rtnl_request(r, nlh);
}

int kg_rtnl_add_ptp6(struct kg_rtnl *r, int ifindex, const struct in6_addr *local,
		     const struct in6_addr *peer)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	ifa->ifa_prefixlen = 128;
	ifa->ifa_scope = IN6_IS_ADDR_LINKLOCAL(local) ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
	/* The peer cannot hold our address: the identifiers were negotiated to differ. */
	ifa->ifa_flags = IFA_F_NODAD;
	ifa->ifa_index = (uint32_t)ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(*local), local);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(*peer), peer);
	return kg_rtnl_request(r, nlh);
}

/*
 * Replaces an existing route to the same prefix (e.g. the kernel's peer
 * route from the address), so a repeated call is harmless.
 */
int kg_rtnl_add_route4(struct kg_rtnl *r, int ifindex, struct in_addr dst, uint8_t plen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	if (plen > 32)
		return -EINVAL;
	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, sizeof(dst), &dst);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	return kg_rtnl_request(r, nlh);
}

int kg_rtnl_route6(struct kg_rtnl *r, int ifindex, const struct in6_addr *dst, uint8_t plen,
		   bool add)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	if (plen > 128)
		return -EINVAL;
	nlh->nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	nlh->nlmsg_flags = add ? NLM_F_CREATE | NLM_F_REPLACE : 0;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, sizeof(*dst), dst);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	return kg_rtnl_request(r, nlh);
}

int kg_rtnl_add_addr4(struct kg_rtnl *r, int ifindex, struct in_addr local, uint8_t plen,
		      const struct in_addr *peer)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	if (plen > 32)
		return -EINVAL;
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(local), &local);
	/* IFA_ADDRESS is the far end on a point-to-point link, else the address itself. */
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(local), peer ? peer : &local);
	return kg_rtnl_request(r, nlh);
}

int kg_rtnl_set_master(struct kg_rtnl *r, int ifindex, int master)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = kg_link_msg(buf, ifindex);

	if (master < 0)
		return -EINVAL;
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	return kg_rtnl_request(r, nlh);
}

static int kg_info_attr(const struct nlattr *a, void *data)
{
	struct kg_link_info *li = data;

	switch (mnl_attr_get_type(a)) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			snprintf(li->ifname, sizeof(li->ifname), "%s", mnl_attr_get_str(a));
		break;
	case IFLA_MTU:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			li->mtu = mnl_attr_get_u32(a);
		break;
	case IFLA_OPERSTATE:
		if (mnl_attr_validate(a, MNL_TYPE_U8) == 0)
			li->operstate = mnl_attr_get_u8(a);
		break;
	case IFLA_MASTER:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			li->master = (int)mnl_attr_get_u32(a);
		break;
	}
	return MNL_CB_OK;
}

/* An RTM_NEWLINK/RTM_DELLINK into li; the ifindex, or -1 when it is not one. */
static int kg_parse_link(const struct nlmsghdr *h, struct kg_link_info *li)
{
	const struct ifinfomsg *ifi;

	if ((h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK) ||
	    mnl_nlmsg_get_payload_len(h) < sizeof(*ifi))
		return -1;
	ifi = mnl_nlmsg_get_payload(h);
	/* A bridge also announces its ports (AF_BRIDGE), with RTM_DELLINK when a port
	 * merely leaves it: only the link's own messages (AF_UNSPEC) count. */
	if (ifi->ifi_family != AF_UNSPEC)
		return -1;
	memset(li, 0, sizeof(*li));
	li->flags = ifi->ifi_flags;
	mnl_attr_parse(h, sizeof(*ifi), kg_info_attr, li);
	return ifi->ifi_index;
}

struct kg_info_ctx {
	struct kg_link_info *li;
	bool got;
};

static int kg_info_cb(const struct nlmsghdr *h, void *data)
{
	struct kg_info_ctx *c = data;

	if (kg_parse_link(h, c->li) > 0)
		c->got = true;
	return MNL_CB_OK;
}

int kg_rtnl_link_get(struct kg_rtnl *r, int ifindex, struct kg_link_info *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = kg_link_msg(buf, ifindex);
	struct kg_info_ctx c = { .li = out };
	int rc;

	memset(out, 0, sizeof(*out));
	nlh->nlmsg_type = RTM_GETLINK;
	rc = kg_rtnl_request_cb(r, nlh, kg_info_cb, &c);
	if (rc == 0 && !c.got)
		rc = -ENODEV;
	return rc;
}

int kg_rtnl_events_open(struct kg_rtnl_events *ev)
{
	int rc;

	ev->fd = -1;
	ev->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!ev->nl)
		return -errno;
	if (mnl_socket_bind(ev->nl, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		mnl_socket_close(ev->nl);
		ev->nl = NULL;
		return rc;
	}
	ev->fd = mnl_socket_get_fd(ev->nl);
	return 0;
}

void kg_rtnl_events_close(struct kg_rtnl_events *ev)
{
	if (ev->nl)
		mnl_socket_close(ev->nl);
	ev->nl = NULL;
	ev->fd = -1;
}

int kg_rtnl_events_read(struct kg_rtnl_events *ev, kg_rtnl_link_cb cb, void *ctx)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int n = 0;

	for (;;) {
		ssize_t got = mnl_socket_recvfrom(ev->nl, buf, sizeof(buf));
		const struct nlmsghdr *h;
		int len;

		if (got < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? n : -errno;
		len = (int)got;
		for (h = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(h, len);
		     h = mnl_nlmsg_next(h, &len)) {
			struct kg_link_info li;
			int idx = kg_parse_link(h, &li);

			if (idx <= 0)
				continue;
			n++;
			if (cb)
				cb(ctx, idx, &li, h->nlmsg_type == RTM_DELLINK);
		}
	}
}
