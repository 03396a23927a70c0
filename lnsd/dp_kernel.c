// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel data plane (dp.h): managed L2TP tunnels and sessions over
 * genetlink, PPPoL2TP sockets with their /dev/ppp channel and unit, and
 * rtnetlink for pppN, all through kmod-glue/. This is the only file of lnsd
 * that includes kmod-glue headers (docs/design.md §2.1).
 */
#include "dp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kg_l2tp.h"
#include "kg_ppp.h"
#include "kg_probe.h"
#include "kg_rtnl.h"
#include "kg_xfrm.h"

struct dp_kernel {
	struct dp dp;                 /* first: (struct dp *) is a struct dp_kernel * */
	struct kg_l2tp kg;
	struct kg_rtnl rt;
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
	kg_l2tp_close(&dk(d)->kg);
	kg_rtnl_close(&dk(d)->rt);
	free(dk(d));
}

/* kmod-glue makes managed L2TPv2 tunnels over UDP; v3 and L2TP/IP come with it. */
static int k_tunnel_create(struct dp *d, const struct dp_tunnel_cfg *c)
{
	if (c->version != 2 || c->encap != DP_ENCAP_UDP)
		return -EOPNOTSUPP;
	return genl_rc(d, kg_l2tp_tunnel_create(&dk(d)->kg, c->tid, c->peer_tid, c->fd));
}

static int k_tunnel_delete(struct dp *d, uint32_t tid)
{
	return genl_rc(d, kg_l2tp_tunnel_delete(&dk(d)->kg, tid));
}

static int k_session_create(struct dp *d, const struct dp_session_cfg *c)
{
	struct kg_l2tp_session_cfg kc = {
		.tid = c->tid, .peer_tid = c->peer_tid, .sid = c->sid, .peer_sid = c->peer_sid,
		.lns_mode = c->lns_mode, .send_seq = c->send_seq, .recv_seq = c->recv_seq,
		.recv_timeout_ms = c->recv_timeout_ms,
	};

	if (c->pw != DP_PW_PPP)
		return -EOPNOTSUPP;
	return genl_rc(d, kg_l2tp_session_create(&dk(d)->kg, &kc));
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

static int k_ppp_open(struct dp *d, struct dp_ppp *p, const struct dp_ppp_cfg *c)
{
	struct kg_ppp kp;
	int rc = kg_ppp_open(&kp, c->tunnel_fd, c->peer, c->peer_len, c->tid, c->peer_tid, c->sid,
			     c->peer_sid);

	d->ext_ack[0] = '\0';
	if (rc < 0) {
		dp_ppp_init(p);
		return rc;
	}
	p->sess_fd = kp.pppox_fd;
	p->chan_fd = kp.chan_fd;
	p->unit_fd = kp.unit_fd;
	p->unit = kp.unit;
	snprintf(p->ifname, sizeof(p->ifname), "%s", kp.ifname);
	return 0;
}

static void k_ppp_close(struct dp *d, struct dp_ppp *p)
{
	struct kg_ppp kp = {
		.pppox_fd = p->sess_fd, .chan_fd = p->chan_fd, .unit_fd = p->unit_fd,
		.unit = p->unit,
	};

	kg_ppp_close(&kp);
	dp_ppp_init(p);
}

static int k_link_index(struct dp *d, const char *ifname)
{
	return rtnl_rc(d, kg_rtnl_ifindex(&dk(d)->rt, ifname));
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
	return rtnl_rc(d, kg_rtnl_rename(&dk(d)->rt, ifindex, name));
}

static int k_link_set_mtu(struct dp *d, int ifindex, uint32_t mtu)
{
	return rtnl_rc(d, kg_rtnl_set_mtu(&dk(d)->rt, ifindex, mtu));
}

static int k_link_set_up(struct dp *d, int ifindex)
{
	return rtnl_rc(d, kg_rtnl_set_up(&dk(d)->rt, ifindex));
}

static int k_addr_add_ptp4(struct dp *d, int ifindex, struct in_addr local, struct in_addr peer)
{
	return rtnl_rc(d, kg_rtnl_add_ptp4(&dk(d)->rt, ifindex, local, peer));
}

static int k_addr_add_ptp6(struct dp *d, int ifindex, const struct in6_addr *local,
			   const struct in6_addr *peer)
{
	return rtnl_rc(d, kg_rtnl_add_ptp6(&dk(d)->rt, ifindex, local, peer));
}

static int k_route_add4(struct dp *d, int ifindex, struct in_addr dst, uint8_t plen)
{
	return rtnl_rc(d, kg_rtnl_add_route4(&dk(d)->rt, ifindex, dst, plen));
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
	.link_index = k_link_index,
	.link_stats = k_link_stats,
	.link_rename = k_link_rename,
	.link_set_mtu = k_link_set_mtu,
	.link_set_up = k_link_set_up,
	.addr_add_ptp4 = k_addr_add_ptp4,
	.addr_add_ptp6 = k_addr_add_ptp6,
	.route_add4 = k_route_add4,
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

int dp_xfrm_stat(const char *name, uint64_t *out)
{
	return kg_xfrm_stat(name, out);
}
