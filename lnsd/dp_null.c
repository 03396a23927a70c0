// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The null data plane (dp.h). Without ppp it carries nothing: lnsd runs the
 * control plane only ("dataplane = none", or "auto" on a kernel without
 * L2TP). With ppp (for tests) it accepts tunnels and sessions and gives
 * each PPP session a channel and a unit that are AF_UNIX SOCK_SEQPACKET
 * socketpairs: a frame is one message, as on /dev/ppp, and closing the far
 * end reads as a hang-up. The far ends wait in a list for the test to take
 * them (dp_null_take_ppp); interfaces exist in name only. An Ethernet
 * session's interface is a name and a state (l2tpethN, index 2000 + N,
 * "up" once opened); dp_null_link_set() turns it down or up and queues an
 * event on a pipe that link_events_open() returns.
 */
#include "dp.h"
#include "lns_grow.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

/* The far ends of one session's channel and unit, until the test takes them. */
struct null_pair {
	uint32_t tid, sid;
	int chan_fd, unit_fd;         /* -1 once taken */
	int near_chan_fd;             /* identifies the session in ppp_close */
	struct null_pair *next;
};

/* The interface of one Ethernet session. */
struct null_eth {
	uint32_t tid, sid;
	int ifindex;
	char ifname[16];
	struct dp_link_state st;
	struct null_eth *next;
};

/* A queued link event (what dp_null_link_set did). */
struct null_ev {
	int ifindex;
	struct null_ev *next;
};

/* The last rate_set per interface (dp_null_rate_get). */
struct null_rate {
	int ifindex;
	uint64_t down, up;
	struct null_rate *next;
};

struct dp_null {
	struct dp dp;                 /* first: (struct dp *) is a struct dp_null * */
	struct null_rate *rates;
	int rate_err;                 /* dp_null_rate_fail */
	struct null_pair *pairs;
	int next_unit;
	struct null_eth *eths;
	int next_eth;
	int ev_pipe[2];               /* -1 until link_events_open() */
	struct null_ev *evs, **evs_tail;
	uint32_t path_mtu;            /* what path_mtu answers */
	int nft_rules;                /* -1 never set, else DP_NFT_* */
	unsigned nft_calls;
	unsigned routes6;             /* route6 adds less deletes */
	unsigned unlinks, unlinked;   /* dp_null_ppp_unlinks */
	int bg_efd;                   /* dp_null_bg(): -1 while off */
	struct dp_ppp *bg;            /* closes held until dp_null_bg_finish() */
	size_t n_bg, cap_bg;
};

static struct dp_null *dn(struct dp *d)
{
	return (struct dp_null *)d;
}

unsigned dp_null_ppp_unlinks(struct dp *d, unsigned *sessions)
{
	*sessions = dn(d)->unlinked;
	return dn(d)->unlinks;
}

static void pair_close(struct null_pair *p)
{
	if (p->chan_fd >= 0)
		close(p->chan_fd);
	if (p->unit_fd >= 0)
		close(p->unit_fd);
	free(p);
}

static void n_ppp_close(struct dp *d, struct dp_ppp *p);

/* Background closes (dp_null_bg): held until dp_null_bg_finish(). */
static bool n_ppp_close_bg(struct dp *d, struct dp_ppp *p)
{
	struct dp_null *n = dn(d);

	if (n->bg_efd < 0 || lns_grow((void **)&n->bg, &n->cap_bg, n->n_bg + 1, sizeof(*n->bg), 8))
		return false;
	n->bg[n->n_bg++] = *p;
	dp_ppp_init(p);
	return true;
}

static size_t n_bg_pending(struct dp *d)
{
	uint64_t v;

	if (dn(d)->bg_efd >= 0)
		(void)!read(dn(d)->bg_efd, &v, sizeof(v));
	return dn(d)->n_bg;
}

static int n_bg_fd(struct dp *d)
{
	return dn(d)->bg_efd;
}

int dp_null_bg(struct dp *d)
{
	struct dp_null *n = dn(d);

	if (n->bg_efd < 0)
		n->bg_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return n->bg_efd < 0 ? -errno : 0;
}

size_t dp_null_bg_finish(struct dp *d)
{
	struct dp_null *n = dn(d);
	size_t k = n->n_bg;
	uint64_t one = 1;

	for (size_t i = 0; i < k; i++)
		n_ppp_close(d, &n->bg[i]);
	n->n_bg = 0;
	if (k && n->bg_efd >= 0)
		(void)!write(n->bg_efd, &one, sizeof(one));
	return k;
}

/* What a real backend's pool does before it goes: every close done. */
static void n_bg_drain(struct dp *d)
{
	dp_null_bg_finish(d);
}

static void n_free(struct dp *d)
{
	struct dp_null *n = dn(d);

	dp_null_bg_finish(d);
	free(n->bg);
	if (n->bg_efd >= 0)
		close(n->bg_efd);

	while (n->pairs) {
		struct null_pair *p = n->pairs;

		n->pairs = p->next;
		pair_close(p);
	}
	while (n->eths) {
		struct null_eth *e = n->eths;

		n->eths = e->next;
		free(e);
	}
	while (n->evs) {
		struct null_ev *v = n->evs;

		n->evs = v->next;
		free(v);
	}
	while (n->rates) {
		struct null_rate *r = n->rates;

		n->rates = r->next;
		free(r);
	}
	for (int i = 0; i < 2; i++)
		if (n->ev_pipe[i] >= 0)
			close(n->ev_pipe[i]);
	free(n);
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

/* Nothing to delete: the null units are pipes. Counted for the tests. */
static void n_ppp_unlink(struct dp *d, const struct dp_ppp *p, size_t n)
{
	(void)p;
	dn(d)->unlinks++;
	dn(d)->unlinked += (unsigned)n;
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

static int n_route6(struct dp *d, int ifindex, const struct in6_addr *dst, uint8_t plen,
		    bool add)
{
	struct dp_null *n = dn(d);

	(void)ifindex;
	(void)dst;
	if (plen > 128 || !d->sessions)
		return plen > 128 ? -EINVAL : -EOPNOTSUPP;
	if (add)
		n->routes6++;
	else if (n->routes6)
		n->routes6--;
	else
		return -ESRCH;
	return 0;
}

unsigned dp_null_routes6(struct dp *d)
{
	return dn(d)->routes6;
}

static struct null_eth *eth_find(struct dp *d, int ifindex)
{
	for (struct null_eth *e = dn(d)->eths; e; e = e->next)
		if (e->ifindex == ifindex)
			return e;
	return NULL;
}

/* The checks dp_kernel makes before the kernel sees the session, so tests see the same refusals. */
static int n_eth_open(struct dp *d, struct dp_eth *e, const struct dp_eth_cfg *c)
{
	const struct dp_session_cfg *s = &c->s;
	struct null_eth *ne;

	dp_eth_init(e);
	if (!d->sessions)
		return -EOPNOTSUPP;
	if ((s->pw != DP_PW_ETH && s->pw != DP_PW_ETH_VLAN) || dp_session_cfg_check(s))
		return -EINVAL;
	/* As the kernel answers (dp.h): a taken id -EEXIST, a taken name -ENOTUNIQ. */
	for (const struct null_eth *o = dn(d)->eths; o; o = o->next) {
		if (s->ifname && strcmp(o->ifname, s->ifname) == 0)
			return -ENOTUNIQ;
		if (o->tid == s->tid && o->sid == s->sid)
			return -EEXIST;
	}
	ne = calloc(1, sizeof(*ne));
	if (!ne)
		return -ENOMEM;
	ne->tid = s->tid;
	ne->sid = s->sid;
	ne->ifindex = 2000 + dn(d)->next_eth;
	if (s->ifname)
		snprintf(ne->ifname, sizeof(ne->ifname), "%s", s->ifname);
	else
		snprintf(ne->ifname, sizeof(ne->ifname), "l2tpeth%d", dn(d)->next_eth);
	dn(d)->next_eth++;
	ne->st = (struct dp_link_state){
		.admin_up = true, .oper = DP_OPER_UNKNOWN,
		.mtu = c->mtu ? c->mtu : dp_eth_mtu(1500, false, c->encap == DP_ENCAP_UDP,
						     s->tx_cookie_len, s->l2spec),
	};
	ne->next = dn(d)->eths;
	dn(d)->eths = ne;
	*e = (struct dp_eth){ .tid = s->tid, .sid = s->sid, .ifindex = ne->ifindex,
			      .mtu = ne->st.mtu, .kernel_mtu = ne->st.mtu };
	snprintf(e->ifname, sizeof(e->ifname), "%s", ne->ifname);
	return 0;
}

static void n_eth_close(struct dp *d, struct dp_eth *e)
{
	for (struct null_eth **pp = &dn(d)->eths; *pp; pp = &(*pp)->next) {
		if ((*pp)->ifindex != e->ifindex)
			continue;
		struct null_eth *ne = *pp;

		*pp = ne->next;
		free(ne);
		break;
	}
	dp_eth_init(e);
}

static int n_link_state(struct dp *d, int ifindex, struct dp_link_state *st)
{
	struct null_eth *e;

	if (!d->sessions)
		return -EOPNOTSUPP;
	e = eth_find(d, ifindex);
	if (!e)
		return -ENODEV;
	*st = e->st;
	return 0;
}

static int n_link_set_master(struct dp *d, int ifindex, int master)
{
	return n_ok(d);
}

static int n_addr_add4(struct dp *d, int ifindex, struct in_addr addr, uint8_t plen)
{
	return n_ok(d);
}

static int n_link_events_open(struct dp *d)
{
	struct dp_null *n = dn(d);

	if (!d->sessions)
		return -EOPNOTSUPP;
	if (n->ev_pipe[0] < 0 && pipe2(n->ev_pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
		n->ev_pipe[0] = n->ev_pipe[1] = -1;
		return -errno;
	}
	return n->ev_pipe[0];
}

static int n_link_events_read(struct dp *d, dp_link_event_cb cb, void *ctx)
{
	struct dp_null *n = dn(d);
	char buf[64];
	int count = 0;

	if (n->ev_pipe[0] < 0)
		return -EBADF;
	while (read(n->ev_pipe[0], buf, sizeof(buf)) > 0)
		;
	while (n->evs) {
		struct null_ev *v = n->evs;
		struct null_eth *e = eth_find(d, v->ifindex);

		n->evs = v->next;
		if (!n->evs)
			n->evs_tail = &n->evs;
		if (e && cb)
			cb(ctx, e->ifindex, e->ifname, &e->st, false);
		count += e != NULL;
		free(v);
	}
	return count;
}

int dp_null_link_set(struct dp *d, int ifindex, bool up)
{
	struct dp_null *n = dn(d);
	struct null_eth *e;
	struct null_ev *v;

	if (d->ops->free != n_free)
		return -EINVAL;
	e = eth_find(d, ifindex);
	if (!e)
		return -ENOENT;
	e->st.admin_up = up;
	e->st.oper = up ? DP_OPER_UNKNOWN : DP_OPER_DOWN;
	if (n->ev_pipe[1] < 0)
		return 0;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->ifindex = ifindex;
	*n->evs_tail = v;
	n->evs_tail = &v->next;
	(void)!write(n->ev_pipe[1], "e", 1);
	return 0;
}

static int n_path_mtu(struct dp *d, int fd, uint32_t *route_mtu, uint32_t *sock_mtu)
{
	*route_mtu = *sock_mtu = dn(d)->path_mtu;
	return 0;
}

static int n_nft_rules(struct dp *d, unsigned rules)
{
	dn(d)->nft_rules = (int)rules;
	dn(d)->nft_calls++;
	return 0;
}

static int n_rate_set(struct dp *d, int ifindex, uint64_t down_bps, uint64_t up_bps)
{
	struct dp_null *n = dn(d);
	struct null_rate *r;

	if (n->rate_err)
		return n->rate_err;
	for (r = n->rates; r && r->ifindex != ifindex; r = r->next)
		;
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return -ENOMEM;
		r->ifindex = ifindex;
		r->next = n->rates;
		n->rates = r;
	}
	r->down = down_bps;
	r->up = up_bps;
	return 0;
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
	.ppp_unlink = n_ppp_unlink,
	.ppp_close_bg = n_ppp_close_bg,
	.bg_pending = n_bg_pending,
	.bg_fd = n_bg_fd,
	.bg_drain = n_bg_drain,
	.link_index = n_link_index,
	.link_stats = n_link_stats,
	.link_rename = n_link_rename,
	.link_set_mtu = n_link_u32,
	.link_set_up = n_link_set_up,
	.addr_add_ptp4 = n_addr_add_ptp4,
	.addr_add_ptp6 = n_addr_add_ptp6,
	.route_add4 = n_route_add4,
	.route6 = n_route6,
	.eth_open = n_eth_open,
	.eth_close = n_eth_close,
	.link_state = n_link_state,
	.link_set_master = n_link_set_master,
	.addr_add4 = n_addr_add4,
	.link_events_open = n_link_events_open,
	.link_events_read = n_link_events_read,
	.path_mtu = n_path_mtu,
	.nft_rules = n_nft_rules,
	.rate_set = n_rate_set,
};

struct dp *dp_null_new(bool ppp)
{
	struct dp_null *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->dp.ops = &dp_null_ops;
	n->dp.kind = DP_KIND_NONE;
	n->dp.sessions = ppp;
	n->ev_pipe[0] = n->ev_pipe[1] = -1;
	n->evs_tail = &n->evs;
	n->path_mtu = 1500;
	n->nft_rules = -1;
	n->bg_efd = -1;
	return &n->dp;
}

int dp_null_nft_rules(struct dp *d, unsigned *calls)
{
	if (d->ops != &dp_null_ops)
		return -1;
	if (calls)
		*calls = dn(d)->nft_calls;
	return dn(d)->nft_rules;
}

void dp_null_set_path_mtu(struct dp *d, uint32_t mtu)
{
	if (d->ops == &dp_null_ops)
		dn(d)->path_mtu = mtu;
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

int dp_null_rate_get(struct dp *d, int ifindex, uint64_t *down_bps, uint64_t *up_bps)
{
	if (d->ops != &dp_null_ops)
		return -EINVAL;
	for (struct null_rate *r = dn(d)->rates; r; r = r->next) {
		if (r->ifindex != ifindex)
			continue;
		*down_bps = r->down;
		*up_bps = r->up;
		return 0;
	}
	return -ENOENT;
}

void dp_null_rate_fail(struct dp *d, int err)
{
	if (d->ops == &dp_null_ops)
		dn(d)->rate_err = err;
}
