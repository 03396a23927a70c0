// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The null data plane (dp.h). Without ppp it carries nothing: lnsd runs the
 * control plane only ("dataplane = none", or "auto" on a kernel without
 * L2TP). With ppp (for tests) it accepts tunnels and sessions and gives
 * each PPP session a channel and a unit that are AF_UNIX SOCK_SEQPACKET
 * socketpairs: a frame is one message, as on /dev/ppp, and closing the far
 * end reads as a hang-up. The far ends wait in a list for the test to take
 * them (dp_null_take_ppp); interfaces exist in name only.
 */
#include "dp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

/* The far ends of one session's channel and unit, until the test takes them. */
struct null_pair {
	uint32_t tid, sid;
	int chan_fd, unit_fd;         /* -1 once taken */
	int near_chan_fd;             /* identifies the session in ppp_close */
	struct null_pair *next;
};

struct dp_null {
	struct dp dp;                 /* first: (struct dp *) is a struct dp_null * */
	struct null_pair *pairs;
	int next_unit;
};

static struct dp_null *dn(struct dp *d)
{
	return (struct dp_null *)d;
}

static void pair_close(struct null_pair *p)
{
	if (p->chan_fd >= 0)
		close(p->chan_fd);
	if (p->unit_fd >= 0)
		close(p->unit_fd);
	free(p);
}

static void n_free(struct dp *d)
{
	while (dn(d)->pairs) {
		struct null_pair *p = dn(d)->pairs;

		dn(d)->pairs = p->next;
		pair_close(p);
	}
	free(dn(d));
}

/* Tunnels, sessions and interfaces: accepted when sessions are carried, else refused. */
static int n_ok(struct dp *d)
{
	return d->sessions ? 0 : -EOPNOTSUPP;
}

static int n_tunnel_create(struct dp *d, const struct dp_tunnel_cfg *c)
{
	return n_ok(d);
}

static int n_id(struct dp *d, uint32_t tid)
{
	return n_ok(d);
}

static int n_session_create(struct dp *d, const struct dp_session_cfg *c)
{
	return n_ok(d);
}

static int n_ids(struct dp *d, uint32_t tid, uint32_t sid)
{
	return n_ok(d);
}

/* No counters: nothing passes through here. */
static int n_session_stats(struct dp *d, uint32_t tid, uint32_t sid, struct dp_stats *st)
{
	return -EOPNOTSUPP;
}

static int n_tunnel_dump(struct dp *d, dp_tunnel_stats_cb cb, void *ctx)
{
	return 0;
}

static int n_session_dump(struct dp *d, dp_session_stats_cb cb, void *ctx)
{
	return 0;
}

static int n_ppp_open(struct dp *d, struct dp_ppp *p, const struct dp_ppp_cfg *c)
{
	struct null_pair *np;
	int chan[2] = { -1, -1 }, unit[2] = { -1, -1 }, rc;

	dp_ppp_init(p);
	if (!d->sessions)
		return -EOPNOTSUPP;
	np = calloc(1, sizeof(*np));
	if (!np)
		return -ENOMEM;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, chan) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, unit) < 0) {
		rc = -errno;
		for (int i = 0; i < 2; i++) {
			if (chan[i] >= 0)
				close(chan[i]);
			if (unit[i] >= 0)
				close(unit[i]);
		}
		free(np);
		return rc;
	}
	*np = (struct null_pair){ .tid = c->tid, .sid = c->sid, .chan_fd = chan[1],
				  .unit_fd = unit[1], .near_chan_fd = chan[0],
				  .next = dn(d)->pairs };
	dn(d)->pairs = np;
	p->chan_fd = chan[0];
	p->unit_fd = unit[0];
	p->unit = dn(d)->next_unit++;
	snprintf(p->ifname, sizeof(p->ifname), "ppp%d", p->unit);
	return 0;
}

/* The near ends close; far ends nobody took go with them. */
static void n_ppp_close(struct dp *d, struct dp_ppp *p)
{
	for (struct null_pair **pp = &dn(d)->pairs; *pp; pp = &(*pp)->next) {
		struct null_pair *np = *pp;

		if (p->chan_fd < 0 || np->near_chan_fd != p->chan_fd)
			continue;
		*pp = np->next;
		pair_close(np);
		break;
	}
	if (p->chan_fd >= 0)
		close(p->chan_fd);
	if (p->unit_fd >= 0)
		close(p->unit_fd);
	dp_ppp_init(p);
}

/* pppN exists in name only: its index is 1000 + N. */
static int n_link_index(struct dp *d, const char *ifname)
{
	int unit;

	if (!d->sessions)
		return -EOPNOTSUPP;
	if (sscanf(ifname, "ppp%d", &unit) != 1 || unit < 0)
		return -ENODEV;
	return 1000 + unit;
}

static int n_link_stats(struct dp *d, int ifindex, struct dp_link_stats *st)
{
	return -EOPNOTSUPP;
}

static int n_link_rename(struct dp *d, int ifindex, const char *name)
{
	return n_ok(d);
}

static int n_link_u32(struct dp *d, int ifindex, uint32_t v)
{
	return n_ok(d);
}

static int n_link_set_up(struct dp *d, int ifindex)
{
	return n_ok(d);
}

static int n_addr_add_ptp4(struct dp *d, int ifindex, struct in_addr local, struct in_addr peer)
{
	return n_ok(d);
}

static int n_addr_add_ptp6(struct dp *d, int ifindex, const struct in6_addr *local,
			   const struct in6_addr *peer)
{
	return n_ok(d);
}

static int n_route_add4(struct dp *d, int ifindex, struct in_addr dst, uint8_t plen)
{
	return n_ok(d);
}

static const struct dp_ops dp_null_ops = {
	.free = n_free,
	.tunnel_create = n_tunnel_create,
	.tunnel_delete = n_id,
	.session_create = n_session_create,
	.session_delete = n_ids,
	.session_stats = n_session_stats,
	.tunnel_dump = n_tunnel_dump,
	.session_dump = n_session_dump,
	.ppp_open = n_ppp_open,
	.ppp_close = n_ppp_close,
	.link_index = n_link_index,
	.link_stats = n_link_stats,
	.link_rename = n_link_rename,
	.link_set_mtu = n_link_u32,
	.link_set_up = n_link_set_up,
	.addr_add_ptp4 = n_addr_add_ptp4,
	.addr_add_ptp6 = n_addr_add_ptp6,
	.route_add4 = n_route_add4,
};

struct dp *dp_null_new(bool ppp)
{
	struct dp_null *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->dp.ops = &dp_null_ops;
	n->dp.kind = DP_KIND_NONE;
	n->dp.sessions = ppp;
	return &n->dp;
}

int dp_null_take_ppp(struct dp *d, uint32_t tid, uint32_t sid, int *chan_fd, int *unit_fd)
{
	if (d->ops != &dp_null_ops)
		return -EINVAL;
	for (struct null_pair *np = dn(d)->pairs; np; np = np->next) {
		if (np->tid != tid || np->sid != sid || np->chan_fd < 0)
			continue;
		*chan_fd = np->chan_fd;
		*unit_fd = np->unit_fd;
		np->chan_fd = np->unit_fd = -1;
		return 0;
	}
	return -ENOENT;
}
