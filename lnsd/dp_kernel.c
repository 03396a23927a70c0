// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel data plane (dp.h): managed L2TP tunnels and sessions over
 * genetlink, PPPoL2TP sockets with their /dev/ppp channel and unit, and
 * rtnetlink for pppN; L2TPv3 tunnels over UDP and IP with l2tp_eth sessions
 * and their interfaces; all through kmod-glue/. This is the only file of lnsd
 * that includes kmod-glue headers (docs/design.md §2.1).
 */
#include "dp.h"
#include "lns_ifname.h"

#include <errno.h>
#include <netinet/in.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kg_closer.h"
#include "kg_l2tp.h"
#include "kg_nft.h"
#include "kg_ppp.h"
#include "kg_probe.h"
#include "kg_rtnl.h"
#include "kg_tc.h"
#include "rate_limit.h"
#include "kg_xfrm.h"
#include "log.h"

#ifndef IFF_LOWER_UP                /* linux/if.h's; glibc's net/if.h stops before it */
#define IFF_LOWER_UP 0x10000
#endif

struct dp_kernel {
	struct dp dp;                 /* first: (struct dp *) is a struct dp_kernel * */
	struct kg_l2tp kg;
	struct kg_rtnl rt;
	struct kg_rtnl_events ev;     /* link events, once link_events_open() asked */
	bool nft;                     /* our nftables table is installed: removed in k_free */
	uint64_t *units;              /* PPP units we hold (bit N: pppN's unit), to guess the next */
	size_t n_units;               /* words */
	bool no_newlink;              /* the kernel refused a named unit: rename from now on */
	bool no_group_del;            /* the kernel refused a group delete: one by one from now on */
	struct kg_closer *closer;     /* ppp_close_bg's threads, from its first call */
	bool no_closer;               /* they could not start: ppp_close_bg says no */
};

static struct dp_kernel *dk(struct dp *d)
{
	return (struct dp_kernel *)d;
}

/* The extended-ack text of the handle that answered last. */
static int genl_rc(struct dp *d, int rc)
{
	snprintf(d->ext_ack, sizeof(d->ext_ack), "%s", rc < 0 ? dk(d)->kg.ext_ack : "");
	return rc;
}

static int rtnl_rc(struct dp *d, int rc)
{
	snprintf(d->ext_ack, sizeof(d->ext_ack), "%s", rc < 0 ? dk(d)->rt.ext_ack : "");
	return rc;
}

static void stats_from_kg(struct dp_stats *out, const struct kg_l2tp_stats *st)
{
	*out = (struct dp_stats){
		.tx_packets = st->tx_packets, .tx_bytes = st->tx_bytes, .tx_errors = st->tx_errors,
		.rx_packets = st->rx_packets, .rx_bytes = st->rx_bytes, .rx_errors = st->rx_errors,
		.rx_seq_discards = st->rx_seq_discards, .rx_oos_packets = st->rx_oos_packets,
		.rx_cookie_discards = st->rx_cookie_discards, .rx_invalid = st->rx_invalid,
	};
}

static void k_free(struct dp *d)
{
	char err[256];

	kg_closer_free(dk(d)->closer);   /* its closes finish first */
	if (dk(d)->nft)
		kg_nft_rules(0, err, sizeof(err));
	kg_l2tp_close(&dk(d)->kg);
	kg_rtnl_close(&dk(d)->rt);
	kg_rtnl_events_close(&dk(d)->ev);
	free(dk(d)->units);
	free(dk(d));
}

static int k_tunnel_create(struct dp *d, const struct dp_tunnel_cfg *c)
{
	struct kg_l2tp_tunnel_cfg kc = {
		.tid = c->tid, .peer_tid = c->peer_tid, .version = c->version,
		.encap = c->encap == DP_ENCAP_IP ? KG_L2TP_ENCAP_IP : KG_L2TP_ENCAP_UDP, .fd = c->fd,
	};

	if ((c->version != 2 && c->version != 3) || (c->version == 2 && c->encap != DP_ENCAP_UDP))
		return -EOPNOTSUPP;
	return genl_rc(d, kg_l2tp_tunnel_create_cfg(&dk(d)->kg, &kc));
}

static int k_tunnel_delete(struct dp *d, uint32_t tid)
{
	return genl_rc(d, kg_l2tp_tunnel_delete(&dk(d)->kg, tid));
}

/*
 * At log-level debug, the wall time of each per-call kernel operation
 * (session, PPPoX channel and pppN, rename, MTU, address, up): where a
 * call's setup time goes when pppN creation dominates.
 */
static uint64_t k_t0(void)
{
	struct timespec ts;

	if (log_get_level() < LOG_LVL_DEBUG)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int k_took(uint64_t t0, const char *what, long id, int rc)
{
	if (t0)
		log_debug("dp_kernel: %s %ld: %llu us, rc %d", what, id,
			  (unsigned long long)(k_t0() - t0), rc);
	return rc;
}

static int k_session_create(struct dp *d, const struct dp_session_cfg *c)
{
	struct kg_l2tp_session_cfg kc = {
		.tid = c->tid, .peer_tid = c->peer_tid, .sid = c->sid, .peer_sid = c->peer_sid,
		.lns_mode = c->lns_mode, .send_seq = c->send_seq, .recv_seq = c->recv_seq,
		.recv_timeout_ms = c->recv_timeout_ms,
	};

	d->ext_ack[0] = '\0';
	switch (c->pw) {
	case DP_PW_PPP:
		kc.pw_type = DP_PW_PPP;
		break;
	case DP_PW_ETH:
	case DP_PW_ETH_VLAN:       /* the kernel has l2tp_eth only: the same frames (dp.h) */
		if (dp_session_cfg_check(c))
			return -EINVAL;
		kc.pw_type = DP_PW_ETH;
		kc.v3 = true;
		kc.tx_cookie_len = c->tx_cookie_len;
		kc.rx_cookie_len = c->rx_cookie_len;
		memcpy(kc.tx_cookie, c->tx_cookie, sizeof(kc.tx_cookie));
		memcpy(kc.rx_cookie, c->rx_cookie, sizeof(kc.rx_cookie));
		kc.l2spec_type = (uint8_t)c->l2spec;
		kc.ifname = c->ifname;
		break;
	default:
		return -EOPNOTSUPP;
	}
	uint64_t t0 = k_t0();

	return k_took(t0, "session create", (long)c->sid,
		      genl_rc(d, kg_l2tp_session_create(&dk(d)->kg, &kc)));
}

static int k_session_delete(struct dp *d, uint32_t tid, uint32_t sid)
{
	return genl_rc(d, kg_l2tp_session_delete(&dk(d)->kg, tid, sid));
}

static int k_session_stats(struct dp *d, uint32_t tid, uint32_t sid, struct dp_stats *st)
{
	struct kg_l2tp_stats ks;
	int rc = kg_l2tp_session_stats(&dk(d)->kg, tid, sid, &ks);

	if (rc == 0)
		stats_from_kg(st, &ks);
	return genl_rc(d, rc);
}

struct dump_ctx {
	dp_tunnel_stats_cb tcb;
	dp_session_stats_cb scb;
	void *ctx;
};

static void tunnel_dump_cb(void *ctx, uint32_t tid, uint32_t peer_tid,
			   const struct kg_l2tp_stats *st)
{
	struct dump_ctx *x = ctx;
	struct dp_stats ds;

	stats_from_kg(&ds, st);
	x->tcb(x->ctx, tid, &ds);
}

static void session_dump_cb(void *ctx, uint32_t tid, uint32_t sid, uint32_t peer_sid,
			    const struct kg_l2tp_stats *st)
{
	struct dump_ctx *x = ctx;
	struct dp_stats ds;

	stats_from_kg(&ds, st);
	x->scb(x->ctx, tid, sid, &ds);
}

static int k_tunnel_dump(struct dp *d, dp_tunnel_stats_cb cb, void *ctx)
{
	struct dump_ctx x = { .tcb = cb, .ctx = ctx };

	return genl_rc(d, kg_l2tp_tunnel_dump(&dk(d)->kg, tunnel_dump_cb, &x));
}

static int k_session_dump(struct dp *d, dp_session_stats_cb cb, void *ctx)
{
	struct dump_ctx x = { .scb = cb, .ctx = ctx };

	return genl_rc(d, kg_l2tp_session_dump(&dk(d)->kg, session_dump_cb, &x));
}

/*
 * The kernel gives a new unit the lowest free number (in the namespace):
 * with lnsd the only user of PPP there, the lowest one we do not hold.
 */
static int unit_guess(const struct dp_kernel *k)
{
	for (size_t w = 0; w < k->n_units; w++)
		if (~k->units[w])
			return (int)(w * 64 + (size_t)__builtin_ctzll(~k->units[w]));
	return (int)(k->n_units * 64);
}

static void unit_mark(struct dp_kernel *k, int unit, bool held)
{
	size_t w = (size_t)unit / 64;

	if (unit < 0 || unit >= 1 << 24)
		return;
	if (w >= k->n_units) {
		size_t n = w + 16;
		uint64_t *v;

		if (!held || !(v = realloc(k->units, n * sizeof(*v))))
			return;
		memset(v + k->n_units, 0, (n - k->n_units) * sizeof(*v));
		k->units = v;
		k->n_units = n;
	}
	if (held)
		k->units[w] |= 1ull << (unit % 64);
	else
		k->units[w] &= ~(1ull << (unit % 64));
}

static int k_ppp_open(struct dp *d, struct dp_ppp *p, const struct dp_ppp_cfg *c)
{
	struct dp_kernel *k = dk(d);
	struct kg_ppp kp;
	char name[IFNAMSIZ], want[IFNAMSIZ];
	int guess = unit_guess(k);
	bool named = !k->no_newlink && lns_ifname_unit(c->ifname_fmt, guess, name, sizeof(name));
	uint64_t t0 = k_t0();
	int rc = k_took(t0, named ? "pppox channel and named unit" : "pppox channel and unit",
			(long)c->sid,
			kg_ppp_open_named(&kp, named ? &k->rt : NULL, named ? name : NULL,
					  c->tunnel_fd, c->peer, c->peer_len, c->tid, c->peer_tid,
					  c->sid, c->peer_sid));

	d->ext_ack[0] = '\0';
	if (rc < 0) {
		dp_ppp_init(p);
		return rc;
	}
	if (named && !kp.named) {
		/* the same refusal every time (an old kernel): stop asking */
		log_info("dp_kernel: no PPP unit named at creation (%s): renaming instead",
			 k->rt.ext_ack[0] ? k->rt.ext_ack : "refused");
		k->no_newlink = true;
	}
	/* Another unit than guessed (someone else's pppN): its own name, renamed. */
	if (kp.named && kp.unit != guess && lns_ifname_unit(c->ifname_fmt, kp.unit, want, sizeof(want))) {
		int idx = kg_rtnl_ifindex(&k->rt, kp.ifname);

		rc = idx < 0 ? idx : kg_rtnl_rename(&k->rt, idx, want);
		if (rc < 0) {
			rtnl_rc(d, rc);
			kg_ppp_close(&kp);
			dp_ppp_init(p);
			return rc;
		}
		snprintf(kp.ifname, sizeof(kp.ifname), "%s", want);
	}
	unit_mark(k, kp.unit, true);
	p->sess_fd = kp.pppox_fd;
	p->chan_fd = kp.chan_fd;
	p->unit_fd = kp.unit_fd;
	p->unit = kp.unit;
	snprintf(p->ifname, sizeof(p->ifname), "%s", kp.ifname);
	return 0;
}

/*
 * The group our pppNs go to just before a batched delete ("LNSD"; docs/
 * design.md §4.4). Nothing of ours stays in it: a batch leaves it empty.
 */
#define K_REAP_GROUP 0x4c4e5344u

static void k_ppp_close(struct dp *d, struct dp_ppp *p)
{
	struct kg_ppp kp = {
		.pppox_fd = p->sess_fd, .chan_fd = p->chan_fd, .unit_fd = p->unit_fd,
		.unit = p->unit,
	};
	uint64_t t0 = k_t0();

	if (p->unit_fd >= 0)
		unit_mark(dk(d), p->unit, false);
	kg_ppp_close(&kp);
	k_took(t0, "ppp close", p->unit, 0);
	dp_ppp_init(p);
}

/*
 * A PPPoX socket's close waits for an RCU grace period (synchronize_net()
 * as its channel leaves the unit: ~20 ms under TCG), so many calls' fds
 * are closed by K_CLOSERS threads at once, whose waits overlap
 * (docs/design.md §4.4).
 */
#ifndef K_CLOSERS   /* -DK_CLOSERS=N for benchmarks */
#define K_CLOSERS 16
#endif
#define K_CLOSER_QUEUE 4096

static bool k_ppp_close_bg(struct dp *d, struct dp_ppp *p)
{
	struct dp_kernel *k = dk(d);
	int fds[KG_CLOSER_FDS] = { p->unit_fd, p->chan_fd, p->sess_fd };   /* kg_ppp_close's order */

	if (!k->closer && !k->no_closer) {   /* started with the first close */
		k->closer = kg_closer_new(K_CLOSERS, K_CLOSER_QUEUE);
		if (!k->closer) {
			log_warn("dp_kernel: no threads to close kernel objects with (%s): "
				 "lnsd closes them itself, one after the other", strerror(errno));
			k->no_closer = true;
		}
	}
	if (!k->closer || !kg_closer_put(k->closer, fds, KG_CLOSER_FDS))
		return false;
	if (p->unit_fd >= 0)
		unit_mark(k, p->unit, false);
	dp_ppp_init(p);
	return true;
}

static size_t k_bg_pending(struct dp *d)
{
	kg_closer_ack(dk(d)->closer);
	return kg_closer_pending(dk(d)->closer);
}

static int k_bg_fd(struct dp *d)
{
	return kg_closer_fd(dk(d)->closer);
}

static void k_bg_drain(struct dp *d)
{
	kg_closer_drain(dk(d)->closer);
}

/*
 * n sessions' pppNs go into K_REAP_GROUP and are deleted by one
 * RTM_DELLINK of the group, which the kernel unregisters as one batch (one
 * wait for RCU grace periods instead of one each: 200 pppNs in 0.3 s
 * instead of 4.6 s on 6.12 under TCG). When the kernel refuses, closing
 * the unit fd deletes each pppN as before.
 */
static void k_ppp_unlink(struct dp *d, const struct dp_ppp *p, size_t n)
{
	struct kg_rtnl *rt = &dk(d)->rt;
	uint64_t t0 = k_t0();
	size_t grouped = 0;
	int rc;

	for (size_t i = 0; !dk(d)->no_group_del && i < n; i++)
		if (p[i].unit_fd >= 0 && p[i].ifname[0] &&
		    kg_rtnl_set_group(rt, p[i].ifname, K_REAP_GROUP) == 0)
			grouped++;
	if (!grouped)
		return;
	rc = kg_rtnl_group_del(rt, K_REAP_GROUP);
	if (rc < 0) {
		log_warn("dp_kernel: deleting %zu ppp interfaces as a group: %s%s%s; "
			 "closing them one by one from now on", grouped, strerror(-rc),
			 rt->ext_ack[0] ? ": " : "", rt->ext_ack);
		dk(d)->no_group_del = true;
	}
	k_took(t0, "group delete", (long)grouped, rc);
}

static int k_link_index(struct dp *d, const char *ifname)
{
	uint64_t t0 = k_t0();

	return k_took(t0, "ifindex", 0, rtnl_rc(d, kg_rtnl_ifindex(&dk(d)->rt, ifname)));
}

static int k_link_stats(struct dp *d, int ifindex, struct dp_link_stats *st)
{
	struct kg_link_stats ls;
	int rc = kg_rtnl_link_stats(&dk(d)->rt, ifindex, &ls);

	if (rc == 0)
		*st = (struct dp_link_stats){ .rx_packets = ls.rx_packets,
					      .tx_packets = ls.tx_packets,
					      .rx_bytes = ls.rx_bytes, .tx_bytes = ls.tx_bytes };
	return rtnl_rc(d, rc);
}

static int k_link_rename(struct dp *d, int ifindex, const char *name)
{
	uint64_t t0 = k_t0();

	return k_took(t0, "rename", ifindex, rtnl_rc(d, kg_rtnl_rename(&dk(d)->rt, ifindex, name)));
}

static int k_link_set_mtu(struct dp *d, int ifindex, uint32_t mtu)
{
	uint64_t t0 = k_t0();

	return k_took(t0, "set mtu", ifindex, rtnl_rc(d, kg_rtnl_set_mtu(&dk(d)->rt, ifindex, mtu)));
}

static int k_link_set_up(struct dp *d, int ifindex)
{
	uint64_t t0 = k_t0();

	return k_took(t0, "set up", ifindex, rtnl_rc(d, kg_rtnl_set_up(&dk(d)->rt, ifindex)));
}

static int k_addr_add_ptp4(struct dp *d, int ifindex, struct in_addr local, struct in_addr peer)
{
	uint64_t t0 = k_t0();

	return k_took(t0, "add address", ifindex,
		      rtnl_rc(d, kg_rtnl_add_addr4(&dk(d)->rt, ifindex, local, 32, &peer)));
}

static int k_addr_add_ptp6(struct dp *d, int ifindex, const struct in6_addr *local,
			   const struct in6_addr *peer)
{
	return rtnl_rc(d, kg_rtnl_add_ptp6(&dk(d)->rt, ifindex, local, peer));
}

static int k_route_add4(struct dp *d, int ifindex, struct in_addr dst, uint8_t plen)
{
	uint64_t t0 = k_t0();

	return k_took(t0, "add route", ifindex,
		      rtnl_rc(d, kg_rtnl_add_route4(&dk(d)->rt, ifindex, dst, plen)));
}

static int k_route6(struct dp *d, int ifindex, const struct in6_addr *dst, uint8_t plen, bool add)
{
	return rtnl_rc(d, kg_rtnl_route6(&dk(d)->rt, ifindex, dst, plen, add));
}

/* The path MTU to the tunnel's peer: the connected socket's route (what l2tp_eth uses too). */
static int path_mtu(int fd, uint32_t *mtu)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int v = 0;
	socklen_t vl = sizeof(v);

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
		return -errno;
	if (ss.ss_family == AF_INET6) {
		if (getsockopt(fd, IPPROTO_IPV6, IPV6_MTU, &v, &vl) < 0)
			return -errno;
	} else if (getsockopt(fd, IPPROTO_IP, IP_MTU, &v, &vl) < 0) {
		return -errno;
	}
	if (v <= 0)
		return -EINVAL;
	*mtu = (uint32_t)v;
	return 0;
}

/*
 * The route's MTU to fd's peer, IPsec aside, and fd's own IP_MTU. Once ESP
 * carries the connected socket (an xfrm bundle on its route) the kernel
 * answers the latter less ESP's overhead (esp4_get_mtu(): docs/design.md
 * §4.3), so the route's comes from a probe socket connected to the same
 * address from an ephemeral port, which lnsd's transport policies (local
 * udp/1701) do not select. connect() sends nothing.
 */
static int k_path_mtu(struct dp *d, int fd, uint32_t *route_mtu, uint32_t *sock_mtu)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int p, rc, one = 1;

	rc = path_mtu(fd, sock_mtu);
	if (rc < 0)
		return rc;
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) < 0)
		return -errno;
	p = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (p < 0)
		return -errno;
	if (ss.ss_family == AF_INET6 &&
	    setsockopt(p, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		rc = -errno;
	else if (connect(p, (struct sockaddr *)&ss, sl) < 0)
		rc = -errno;
	else
		rc = path_mtu(p, route_mtu);
	close(p);
	return rc;
}

_Static_assert(DP_NFT_MSS_CLAMP == KG_NFT_MSS_CLAMP && DP_NFT_UNMARK == KG_NFT_UNMARK,
	       "dp.h's nftables rule bits are kg_nft.h's");

static int k_nft_rules(struct dp *d, unsigned rules)
{
	int rc = kg_nft_rules(rules, d->ext_ack, sizeof(d->ext_ack));

	if (rc == 0)
		dk(d)->nft = rules != 0;
	return rc;
}

static bool fd_is_ipv6(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	return getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 && ss.ss_family == AF_INET6;
}

static int k_eth_open(struct dp *d, struct dp_eth *e, const struct dp_eth_cfg *c)
{
	struct dp_kernel *k = dk(d);
	struct kg_l2tp_session_info in;
	struct kg_link_info li;
	uint32_t mtu = c->mtu;
	int rc, br;

	dp_eth_init(e);
	if (c->s.pw != DP_PW_ETH && c->s.pw != DP_PW_ETH_VLAN)
		return -EINVAL;
	/*
	 * 6.12 takes a second v3 session with the id of one in the same UDP
	 * tunnel, and a delete then finds either: refuse it here, as 6.1 does
	 * (measured, docs/design.md §4.8).
	 */
	if (kg_l2tp_session_get(&k->kg, c->s.tid, c->s.sid, &in) == 0) {
		snprintf(d->ext_ack, sizeof(d->ext_ack), "session %u/%u exists", c->s.tid,
			 c->s.sid);
		return -EEXIST;
	}
	rc = k_session_create(d, &c->s);
	/*
	 * register_netdev's -EEXIST for a taken name comes back from
	 * SESSION_CREATE like a taken session id's: tell them apart (dp.h).
	 */
	if (rc == -EEXIST && c->s.ifname && kg_rtnl_ifindex(&k->rt, c->s.ifname) > 0)
		return -ENOTUNIQ;
	if (rc < 0)
		return rc;
	e->tid = c->s.tid;
	e->sid = c->s.sid;
	/* The ACK carries no name: l2tp_eth records the one it gave on the session. */
	rc = genl_rc(d, kg_l2tp_session_get(&k->kg, e->tid, e->sid, &in));
	if (rc < 0)
		goto fail;
	if (!in.ifname[0]) {
		rc = -ENODEV;
		goto fail;
	}
	snprintf(e->ifname, sizeof(e->ifname), "%s", in.ifname);
	rc = kg_rtnl_ifindex(&k->rt, e->ifname);
	if (rc < 0)
		goto fail_rt;
	e->ifindex = rc;
	/* A kernel that left IFNAME aside: name it ourselves (before up). */
	if (c->s.ifname && strcmp(c->s.ifname, e->ifname) != 0) {
		rc = kg_rtnl_rename(&k->rt, e->ifindex, c->s.ifname);
		if (rc == -EEXIST)
			rc = -ENOTUNIQ;
		if (rc < 0)
			goto fail_rt;
		snprintf(e->ifname, sizeof(e->ifname), "%s", c->s.ifname);
	}
	rc = kg_rtnl_link_get(&k->rt, e->ifindex, &li);
	if (rc < 0)
		goto fail_rt;
	e->kernel_mtu = li.mtu;
	if (!mtu) {
		uint32_t pmtu = 1500;

		if (c->tunnel_fd < 0 || path_mtu(c->tunnel_fd, &pmtu) < 0)
			pmtu = 1500;      /* no route known: Ethernet's */
		mtu = dp_eth_mtu(pmtu, c->tunnel_fd >= 0 && fd_is_ipv6(c->tunnel_fd),
				 c->encap == DP_ENCAP_UDP, c->s.tx_cookie_len, c->s.l2spec);
	}
	rc = kg_rtnl_set_mtu(&k->rt, e->ifindex, mtu);
	if (rc < 0)
		goto fail_rt;
	e->mtu = mtu;
	if (c->bridge) {
		br = kg_rtnl_ifindex(&k->rt, c->bridge);
		rc = br < 0 ? br : kg_rtnl_set_master(&k->rt, e->ifindex, br);
		if (rc < 0)
			goto fail_rt;
	}
	if (c->plen4) {
		rc = kg_rtnl_add_addr4(&k->rt, e->ifindex, c->addr4, c->plen4, NULL);
		if (rc < 0)
			goto fail_rt;
	}
	rc = kg_rtnl_set_up(&k->rt, e->ifindex);
	if (rc < 0)
		goto fail_rt;
	d->ext_ack[0] = '\0';
	return 0;
fail_rt:
	rtnl_rc(d, rc);
fail:
	(void)kg_l2tp_session_delete(&k->kg, c->s.tid, c->s.sid);
	dp_eth_init(e);
	return rc;
}

static void k_eth_close(struct dp *d, struct dp_eth *e)
{
	if (e->sid)
		(void)kg_l2tp_session_delete(&dk(d)->kg, e->tid, e->sid);
	dp_eth_init(e);
}

static void link_state_from_kg(struct dp_link_state *st, const struct kg_link_info *li)
{
	*st = (struct dp_link_state){
		.admin_up = (li->flags & IFF_UP) != 0, .lower_up = (li->flags & IFF_LOWER_UP) != 0,
		.oper = (enum dp_oper)li->operstate, .mtu = li->mtu, .master = li->master,
	};
}

static int k_link_state(struct dp *d, int ifindex, struct dp_link_state *st)
{
	struct kg_link_info li;
	int rc = kg_rtnl_link_get(&dk(d)->rt, ifindex, &li);

	if (rc == 0)
		link_state_from_kg(st, &li);
	return rtnl_rc(d, rc);
}

static int k_link_set_master(struct dp *d, int ifindex, int master)
{
	return rtnl_rc(d, kg_rtnl_set_master(&dk(d)->rt, ifindex, master));
}

static int k_addr_add4(struct dp *d, int ifindex, struct in_addr addr, uint8_t plen)
{
	return rtnl_rc(d, kg_rtnl_add_addr4(&dk(d)->rt, ifindex, addr, plen, NULL));
}

static int k_link_events_open(struct dp *d)
{
	struct dp_kernel *k = dk(d);
	int rc;

	if (k->ev.nl)
		return k->ev.fd;
	rc = kg_rtnl_events_open(&k->ev);
	return rc < 0 ? rc : k->ev.fd;
}

struct link_ev_ctx {
	dp_link_event_cb cb;
	void *ctx;
};

static void link_ev_cb(void *ctx, int ifindex, const struct kg_link_info *li, int deleted)
{
	struct link_ev_ctx *x = ctx;
	struct dp_link_state st;

	link_state_from_kg(&st, li);
	x->cb(x->ctx, ifindex, li->ifname, &st, deleted != 0);
}

static int k_link_events_read(struct dp *d, dp_link_event_cb cb, void *ctx)
{
	struct link_ev_ctx x = { .cb = cb, .ctx = ctx };

	if (!dk(d)->ev.nl)
		return -EBADF;
	return kg_rtnl_events_read(&dk(d)->ev, cb ? link_ev_cb : NULL, &x);
}

/* Bucket sizes: rate_limit.h's rule, one place for the whole daemon. */
static int k_rate_set(struct dp *d, int ifindex, uint64_t down_bps, uint64_t up_bps)
{
	struct kg_rtnl *r = &dk(d)->rt;
	int rc;

	rc = kg_tc_egress(r, ifindex, down_bps, down_bps ? rate_shape_burst(down_bps) : 0,
			  down_bps ? rate_shape_limit(down_bps) : 0);
	if (rc == 0)
		rc = kg_tc_ingress(r, ifindex, up_bps, up_bps ? rate_police_burst(up_bps) : 0);
	return rtnl_rc(d, rc);
}

static const struct dp_ops dp_kernel_ops = {
	.free = k_free,
	.tunnel_create = k_tunnel_create,
	.tunnel_delete = k_tunnel_delete,
	.session_create = k_session_create,
	.session_delete = k_session_delete,
	.session_stats = k_session_stats,
	.tunnel_dump = k_tunnel_dump,
	.session_dump = k_session_dump,
	.ppp_open = k_ppp_open,
	.ppp_close = k_ppp_close,
	.ppp_unlink = k_ppp_unlink,
	.ppp_close_bg = k_ppp_close_bg,
	.bg_pending = k_bg_pending,
	.bg_fd = k_bg_fd,
	.bg_drain = k_bg_drain,
	.link_index = k_link_index,
	.link_stats = k_link_stats,
	.link_rename = k_link_rename,
	.link_set_mtu = k_link_set_mtu,
	.link_set_up = k_link_set_up,
	.addr_add_ptp4 = k_addr_add_ptp4,
	.addr_add_ptp6 = k_addr_add_ptp6,
	.route_add4 = k_route_add4,
	.route6 = k_route6,
	.eth_open = k_eth_open,
	.eth_close = k_eth_close,
	.link_state = k_link_state,
	.link_set_master = k_link_set_master,
	.addr_add4 = k_addr_add4,
	.link_events_open = k_link_events_open,
	.link_events_read = k_link_events_read,
	.path_mtu = k_path_mtu,
	.nft_rules = k_nft_rules,
	.rate_set = k_rate_set,
};

bool dp_kernel_probe(char *missing, size_t len)
{
	struct kg_probe kp;
	bool ok = kg_probe(&kp);

	snprintf(missing, len, "%s", kp.missing);
	return ok;
}

struct dp *dp_kernel_new(char *err, size_t errlen)
{
	struct dp_kernel *k = calloc(1, sizeof(*k));
	int rc;

	if (!k) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	k->dp.ops = &dp_kernel_ops;
	k->dp.kind = DP_KIND_KERNEL;
	k->dp.sessions = true;
	k->ev.fd = -1;
	rc = kg_l2tp_open(&k->kg);
	if (rc < 0) {
		snprintf(err, errlen, "L2TP genetlink: %s%s%s", strerror(-rc),
			 k->kg.ext_ack[0] ? ": " : "", k->kg.ext_ack);
		free(k);
		return NULL;
	}
	rc = kg_rtnl_open(&k->rt);
	if (rc < 0) {
		snprintf(err, errlen, "rtnetlink: %s", strerror(-rc));
		kg_l2tp_close(&k->kg);
		free(k);
		return NULL;
	}
	return &k->dp;
}

int dp_xfrm_require_esp(int fd, int family, uint32_t reqid)
{
	return kg_xfrm_socket_require_esp(fd, family, reqid);
}

int dp_xfrm_require_esp_split(int fd, int family, uint32_t reqid_in, uint32_t reqid_out)
{
	return kg_xfrm_socket_require_esp_split(fd, family, reqid_in, reqid_out);
}

bool dp_l2tp_v2_tid_demux(void)
{
	return kg_l2tp_v2_tid_demux();
}

int dp_xfrm_stat(const char *name, uint64_t *out)
{
	return kg_xfrm_stat(name, out);
}

int dp_l2tp_ip_socket(const struct sockaddr *local, const struct sockaddr *peer, uint32_t tid,
		      uint32_t peer_tid)
{
	return kg_l2tp_ip_socket(local, peer, tid, peer_tid);
}
