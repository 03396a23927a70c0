/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The data plane as the engine sees it: whatever carries the L2TP data
 * packets of its tunnels and sessions. One small table of operations and
 * two backends:
 *
 *   dp_kernel.c  the Linux kernel (l2tp_core, l2tp_ppp, ppp_generic,
 *                rtnetlink) through kmod-glue/; the only file of lnsd that
 *                calls kg_* (docs/design.md §2.1);
 *   dp_null.c    nothing ("dataplane = none": control plane only), or, for
 *                tests, PPP channel and unit fds that are socketpairs, so a
 *                test can speak PPP to the engine without root.
 *
 * Errors are 0 or -errno; after a failure, ext_ack holds the kernel's
 * extended-ack text ("" if none). Ids are u32 so that L2TPv3 fits.
 */
#ifndef LNSD_DP_H
#define LNSD_DP_H

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

/* A tunnel's or session's counters (docs/design.md §4.5). */
struct dp_stats {
	uint64_t tx_packets, tx_bytes, tx_errors;
	uint64_t rx_packets, rx_bytes, rx_errors;
	uint64_t rx_seq_discards, rx_oos_packets, rx_cookie_discards, rx_invalid;
};

/*
 * A link's counters. On pppN they count only what goes through the unit: IP
 * and NCP frames, not LCP or authentication (so LCP echoes are not traffic).
 */
struct dp_link_stats {
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
};

enum dp_encap { DP_ENCAP_UDP, DP_ENCAP_IP };   /* L2TP over UDP, over IP (protocol 115) */

struct dp_tunnel_cfg {
	uint32_t tid, peer_tid;
	uint8_t version;              /* 2 (RFC 2661) or 3 (RFC 3931) */
	enum dp_encap encap;
	int fd;                       /* the tunnel's own socket, connected to the peer */
};

/*
 * Pseudowire types (RFC 3931 §10.6 / RFC 4719, the values of the kernel's
 * L2TP_PWTYPE_*). The kernel has no Ethernet VLAN pseudowire (type 4 gives
 * -EPROTONOSUPPORT): frames of both Ethernet types are whole 802.3 frames,
 * 802.1Q tag included, so dp_kernel makes a DP_PW_ETH_VLAN session an
 * l2tp_eth one (docs/design.md §4.8).
 */
enum dp_pw_type { DP_PW_ETH_VLAN = 4, DP_PW_ETH = 5, DP_PW_PPP = 7 };

/* L2-Specific Sublayer (RFC 3931 §3.2.1, §4.6): the kernel knows none and the default one. */
enum dp_l2spec { DP_L2SPEC_NONE = 0, DP_L2SPEC_DEFAULT = 1 };

struct dp_session_cfg {
	uint32_t tid, peer_tid, sid, peer_sid;
	enum dp_pw_type pw;
	bool lns_mode;
	/*
	 * Sequence numbers on data packets. L2TPv3 carries them in the default
	 * L2-Specific Sublayer: with DP_L2SPEC_NONE they are refused (-EINVAL).
	 */
	bool send_seq, recv_seq;
	uint32_t recv_timeout_ms;
	/*
	 * L2TPv3 (DP_PW_ETH, DP_PW_ETH_VLAN; docs/design.md §4.8). Cookies are
	 * 0, 4 or 8 bytes. rx_cookie is the one we assigned (our Assigned
	 * Cookie AVP): every data packet received must carry it, or the kernel
	 * drops it and counts rx_cookie_discards. tx_cookie is the peer's
	 * Assigned Cookie, put on every data packet sent.
	 */
	uint8_t rx_cookie_len, tx_cookie_len;
	uint8_t rx_cookie[8], tx_cookie[8];
	enum dp_l2spec l2spec;
	const char *ifname;           /* NULL: the kernel's l2tpeth%d */
};

/*
 * The overhead an l2tp_eth interface adds on the wire, in bytes, and the MTU
 * it gets from the underlay's (docs/design.md §4.8: each term). tx_cookie_len:
 * the cookie on what we send. Also what l2tp_eth itself picks at create.
 */
static inline uint32_t dp_eth_overhead(bool ipv6, bool udp, uint8_t tx_cookie_len,
				       enum dp_l2spec l2spec)
{
	return (ipv6 ? 40u : 20u)               /* IPv4 or IPv6 header */
	       + (udp ? 8u + 4u : 0u)           /* UDP header; v3 flags/version + reserved word */
	       + 4u                             /* Session ID */
	       + tx_cookie_len                  /* Cookie: 0, 4 or 8 */
	       + (l2spec == DP_L2SPEC_DEFAULT ? 4u : 0u)   /* default L2-Specific Sublayer */
	       + 14u;                           /* the Ethernet header inside */
}

/*
 * The one check of a v3 session's settings before any backend acts on them
 * (dp_kernel.c, dp_null.c): cookies of 0, 4 or 8 bytes (RFC 3931 §5.4.4;
 * the kernel itself takes any length up to 8), a known L2-Specific
 * Sublayer, sequencing only with the default one (it carries the numbers),
 * an interface name that fits IFNAMSIZ. 0 or -EINVAL.
 */
static inline int dp_session_cfg_check(const struct dp_session_cfg *c)
{
	bool seq = c->send_seq || c->recv_seq;

	if ((c->rx_cookie_len != 0 && c->rx_cookie_len != 4 && c->rx_cookie_len != 8) ||
	    (c->tx_cookie_len != 0 && c->tx_cookie_len != 4 && c->tx_cookie_len != 8) ||
	    (c->l2spec != DP_L2SPEC_NONE && c->l2spec != DP_L2SPEC_DEFAULT) ||
	    (seq && c->l2spec != DP_L2SPEC_DEFAULT) || (c->ifname && strnlen(c->ifname, 16) >= 16))
		return -EINVAL;
	return 0;
}

static inline uint32_t dp_eth_mtu(uint32_t underlay_mtu, bool ipv6, bool udp,
				  uint8_t tx_cookie_len, enum dp_l2spec l2spec)
{
	uint32_t o = dp_eth_overhead(ipv6, udp, tx_cookie_len, l2spec);

	return underlay_mtu > o + 68u ? underlay_mtu - o : 68u;   /* 68: IPv4's minimum */
}

/*
 * An L2TPv3 Ethernet session with its interface (dp_eth_open): the kernel
 * session (l2tp_eth) and its l2tpeth netdev, MTU, bridge port or address,
 * up. Everything else is dp_session_cfg.
 */
struct dp_eth_cfg {
	struct dp_session_cfg s;      /* pw DP_PW_ETH or DP_PW_ETH_VLAN */
	enum dp_encap encap;          /* the tunnel's */
	int tunnel_fd;                /* its socket: the path MTU to the peer (IP_MTU / IPV6_MTU) */
	uint32_t mtu;                 /* 0: the path MTU minus dp_eth_overhead() */
	const char *bridge;           /* NULL or the bridge to enslave the interface to */
	struct in_addr addr4;         /* with plen4 > 0: an address on the interface instead */
	uint8_t plen4;
};

struct dp_eth {
	uint32_t tid, sid;            /* the kernel session; sid 0 when closed */
	int ifindex;                  /* 0 when closed */
	char ifname[16];              /* the kernel's name for it (SESSION_GET) */
	uint32_t mtu;                 /* what was set */
	uint32_t kernel_mtu;          /* what l2tp_eth had chosen itself before */
};

/* RFC 2863 operational states (IF_OPER_*) as rtnetlink reports them. */
enum dp_oper {
	DP_OPER_UNKNOWN = 0, DP_OPER_NOTPRESENT = 1, DP_OPER_DOWN = 2,
	DP_OPER_LOWERLAYERDOWN = 3, DP_OPER_TESTING = 4, DP_OPER_DORMANT = 5, DP_OPER_UP = 6,
};

/*
 * A link's state. l2tp_eth has no carrier of its own: once up its oper
 * state is UNKNOWN, never UP (docs/design.md §4.8). dp_link_usable() is the
 * rule for "circuit up": administratively up and oper UP or UNKNOWN.
 */
struct dp_link_state {
	bool admin_up;                /* IFF_UP */
	bool lower_up;                /* IFF_LOWER_UP */
	enum dp_oper oper;
	uint32_t mtu;
	int master;                   /* ifindex of its bridge, 0 when none */
};

static inline bool dp_link_usable(const struct dp_link_state *st)
{
	return st->admin_up && (st->oper == DP_OPER_UP || st->oper == DP_OPER_UNKNOWN);
}

/* A link changed (RTM_NEWLINK) or went (deleted true; st then as last reported). */
typedef void (*dp_link_event_cb)(void *ctx, int ifindex, const char *ifname,
				 const struct dp_link_state *st, bool deleted);

/*
 * The PPP side of one session (docs/design.md §4.3): frames start with the 2-byte
 * protocol; LCP and authentication on the channel, IPCP, IPV6CP and CCP on
 * the unit, which owns pppN.
 */
struct dp_ppp {
	int chan_fd, unit_fd;         /* O_NONBLOCK; -1 when closed */
	int sess_fd;                  /* the backend's (PPPoL2TP socket); -1 when none */
	int unit;                     /* N of pppN, -1 */
	char ifname[16];              /* current name (after dp_link_rename, the new one) */
};

struct dp_ppp_cfg {
	int tunnel_fd;                /* the tunnel's socket (struct dp_tunnel_cfg.fd) */
	const struct sockaddr *peer;  /* its peer (picks the IPv4 or IPv6 variant) */
	socklen_t peer_len;
	uint32_t tid, peer_tid, sid, peer_sid;
	/* [ppp] ifname ("l2tp%d": %d the unit), NULL or "": pppN. The kernel
	 * backend names the unit at creation when it can (no dp_link_rename) */
	const char *ifname_fmt;
};

typedef void (*dp_tunnel_stats_cb)(void *ctx, uint32_t tid, const struct dp_stats *st);
typedef void (*dp_session_stats_cb)(void *ctx, uint32_t tid, uint32_t sid,
				    const struct dp_stats *st);

struct dp;

struct dp_ops {
	void (*free)(struct dp *d);
	int (*tunnel_create)(struct dp *d, const struct dp_tunnel_cfg *c);
	int (*tunnel_delete)(struct dp *d, uint32_t tid);
	/* On 6.12 a just-deleted session id may give -EEXIST: callers retry. */
	int (*session_create)(struct dp *d, const struct dp_session_cfg *c);
	int (*session_delete)(struct dp *d, uint32_t tid, uint32_t sid);
	int (*session_stats)(struct dp *d, uint32_t tid, uint32_t sid, struct dp_stats *st);
	/* One request for all objects (docs/design.md §8: never one per session per scrape). */
	int (*tunnel_dump)(struct dp *d, dp_tunnel_stats_cb cb, void *ctx);
	int (*session_dump)(struct dp *d, dp_session_stats_cb cb, void *ctx);
	/* Channel and unit of a PPP session; on failure everything opened is closed again. */
	int (*ppp_open)(struct dp *d, struct dp_ppp *p, const struct dp_ppp_cfg *c);
	/* Closing deletes the kernel session too (on 6.1 as well as 6.12). */
	void (*ppp_close)(struct dp *d, struct dp_ppp *p);
	/*
	 * The interfaces (pppN) of n sessions about to be closed, deleted as one
	 * batch (docs/design.md §4.4); the fds stay open for ppp_close, which
	 * then no longer has an interface to unregister. Best effort: what is
	 * not deleted here goes with its unit fd.
	 */
	void (*ppp_unlink)(struct dp *d, const struct dp_ppp *p, size_t n);
	/*
	 * Closing in the background (docs/design.md §4.4), all optional (NULL:
	 * ppp_close it is). ppp_close_bg queues p's fds to threads of the
	 * backend's and resets p; false: not queued, p untouched.
	 * bg_pending: closes queued or running (it also clears bg_fd's
	 * readiness); bg_fd: readable when one finished, -1 if none;
	 * bg_drain: waits until none is pending.
	 */
	bool (*ppp_close_bg)(struct dp *d, struct dp_ppp *p);
	size_t (*bg_pending)(struct dp *d);
	int (*bg_fd)(struct dp *d);
	void (*bg_drain)(struct dp *d);
	/* The session's interface (pppN): what PPP's NCPs agreed on. */
	int (*link_index)(struct dp *d, const char *ifname);   /* >0 or -errno */
	int (*link_stats)(struct dp *d, int ifindex, struct dp_link_stats *st);
	int (*link_rename)(struct dp *d, int ifindex, const char *name);
	int (*link_set_mtu)(struct dp *d, int ifindex, uint32_t mtu);
	int (*link_set_up)(struct dp *d, int ifindex);
	/* local, peer /32; IPv6: local/128 with peer, no duplicate address detection */
	int (*addr_add_ptp4)(struct dp *d, int ifindex, struct in_addr local, struct in_addr peer);
	int (*addr_add_ptp6)(struct dp *d, int ifindex, const struct in6_addr *local,
			     const struct in6_addr *peer);
	int (*route_add4)(struct dp *d, int ifindex, struct in_addr dst, uint8_t plen);
	/* dst/plen via ifindex: added (replacing) or deleted (-ESRCH: not there) */
	int (*route6)(struct dp *d, int ifindex, const struct in6_addr *dst, uint8_t plen,
		      bool add);
	/*
	 * L2TPv3 Ethernet sessions (docs/design.md §4.8): the kernel session, then
	 * its interface named, sized, enslaved or addressed, and up; on failure
	 * the session is deleted again. -EEXIST: the session id is taken (as
	 * for session_create: retry with another); -ENOTUNIQ: an interface of
	 * the configured name exists (another id will not help);
	 * -EINVAL: dp_session_cfg_check() refused the settings.
	 */
	int (*eth_open)(struct dp *d, struct dp_eth *e, const struct dp_eth_cfg *c);
	/* Deletes the kernel session, which takes its interface with it. */
	void (*eth_close)(struct dp *d, struct dp_eth *e);
	int (*link_state)(struct dp *d, int ifindex, struct dp_link_state *st);
	int (*link_set_master)(struct dp *d, int ifindex, int master);   /* 0: none */
	int (*addr_add4)(struct dp *d, int ifindex, struct in_addr addr, uint8_t plen);
	/*
	 * Link events: an fd to poll (non-blocking), then link_events_read()
	 * drains it: count or -errno (-ENOBUFS: some were lost, ask link_state).
	 */
	int (*link_events_open)(struct dp *d);
	int (*link_events_read)(struct dp *d, dp_link_event_cb cb, void *ctx);
	/*
	 * The path MTU to a connected tunnel socket's peer: the route's, IPsec
	 * aside, and the socket's own IP_MTU / IPV6_MTU, which the kernel gives
	 * less ESP's overhead once an SA carries the socket (docs/design.md §4.3).
	 */
	int (*path_mtu)(struct dp *d, int fd, uint32_t *route_mtu, uint32_t *sock_mtu);
	/*
	 * lnsd's nftables rules on every PPP interface (kg_nft.h), a set of
	 * DP_NFT_*: installs exactly those (again), 0 removes the table; the
	 * backend removes it when freed. -errno, text in ext_ack.
	 */
	int (*nft_rules)(struct dp *d, unsigned rules);
#define DP_NFT_MSS_CLAMP 0x1u         /* [ppp] mss-clamp (docs/design.md §4.3) */
#define DP_NFT_UNMARK    0x2u         /* decrypted packets' mark cleared on pppN (§5.5) */
	/*
	 * Per-session rate limits on a session's interface, bits/s, 0 =
	 * unlimited (ours removed): down shapes what it sends to the client,
	 * up polices what it receives. Replaces what was set before.
	 */
	int (*rate_set)(struct dp *d, int ifindex, uint64_t down_bps, uint64_t up_bps);
};

enum dp_kind { DP_KIND_NONE, DP_KIND_KERNEL };

struct dp {
	const struct dp_ops *ops;
	enum dp_kind kind;
	bool sessions;                /* carries sessions: the engine runs pseudowires on it */
	char ext_ack[256];            /* the last failure's extended-ack text, "" if none */
};

/* ---- backends ---- */

/* Is the kernel data plane usable here? false with the reasons, "; "-joined, in missing. */
bool dp_kernel_probe(char *missing, size_t len);
/* The genetlink and rtnetlink handles; NULL with err on failure. */
struct dp *dp_kernel_new(char *err, size_t errlen);
/*
 * Control plane only (ppp false), or sessions whose PPP channel and unit are
 * AF_UNIX SOCK_SEQPACKET socketpairs (ppp true, for tests): every other
 * operation succeeds and does nothing; there are no counters. NULL only
 * without memory.
 */
struct dp *dp_null_new(bool ppp);
/*
 * The far ends of the channel and unit of session tid/sid of a dp_null_new(true):
 * what the client side reads and writes. The caller owns them from here on.
 * -ENOENT when there is no such session or its ends were taken already.
 */
int dp_null_take_ppp(struct dp *d, uint32_t tid, uint32_t sid, int *chan_fd, int *unit_fd);
/*
 * For tests: the interface of an Ethernet session of a dp_null_new(true)
 * goes down (or up again): link_state says so and an event is queued on
 * its link_events fd. -ENOENT when there is no such interface.
 */
int dp_null_link_set(struct dp *d, int ifindex, bool up);
/*
 * For tests: the nftables rule set of a dp_null_new() (-1 never set, else
 * the DP_NFT_* last set) and how many calls set it; the path MTU its path_mtu answers
 * (1500 unless set).
 */
int dp_null_nft_rules(struct dp *d, unsigned *calls);
void dp_null_set_path_mtu(struct dp *d, uint32_t mtu);
/* For tests: the IPv6 routes a dp_null_new() holds (route6 adds and deletes). */
unsigned dp_null_routes6(struct dp *d);
/* For tests: ppp_unlink calls and the sessions they named. */
unsigned dp_null_ppp_unlinks(struct dp *d, unsigned *sessions);
/*
 * For tests: a dp_null_new() closes sessions in the background from now on
 * (ppp_close_bg), holding each close until dp_null_bg_finish(), which does
 * them all, signals bg_fd and returns how many. dp_null_bg: 0 or -errno.
 */
int dp_null_bg(struct dp *d);
size_t dp_null_bg_finish(struct dp *d);
/*
 * For tests: the last rate_set on ifindex of a dp_null_new() (-ENOENT if
 * none), and the error the next rate_set calls return (0: succeed).
 */
int dp_null_rate_get(struct dp *d, int ifindex, uint64_t *down_bps, uint64_t *up_bps);
void dp_null_rate_fail(struct dp *d, int err);

/* ---- the operations ---- */

static inline void dp_free(struct dp *d)   /* NULL-safe */
{
	if (d)
		d->ops->free(d);
}

static inline int dp_tunnel_create(struct dp *d, const struct dp_tunnel_cfg *c)
{
	return d->ops->tunnel_create(d, c);
}

static inline int dp_tunnel_delete(struct dp *d, uint32_t tid)
{
	return d->ops->tunnel_delete(d, tid);
}

static inline int dp_session_create(struct dp *d, const struct dp_session_cfg *c)
{
	return d->ops->session_create(d, c);
}

static inline int dp_session_delete(struct dp *d, uint32_t tid, uint32_t sid)
{
	return d->ops->session_delete(d, tid, sid);
}

static inline int dp_session_stats(struct dp *d, uint32_t tid, uint32_t sid, struct dp_stats *st)
{
	return d->ops->session_stats(d, tid, sid, st);
}

static inline int dp_tunnel_dump(struct dp *d, dp_tunnel_stats_cb cb, void *ctx)
{
	return d->ops->tunnel_dump(d, cb, ctx);
}

static inline int dp_session_dump(struct dp *d, dp_session_stats_cb cb, void *ctx)
{
	return d->ops->session_dump(d, cb, ctx);
}

static inline void dp_ppp_init(struct dp_ppp *p)   /* every fd -1 */
{
	*p = (struct dp_ppp){ .chan_fd = -1, .unit_fd = -1, .sess_fd = -1, .unit = -1 };
}

static inline int dp_ppp_open(struct dp *d, struct dp_ppp *p, const struct dp_ppp_cfg *c)
{
	return d->ops->ppp_open(d, p, c);
}

static inline void dp_ppp_close(struct dp *d, struct dp_ppp *p)   /* safe when closed */
{
	d->ops->ppp_close(d, p);
}

static inline void dp_ppp_unlink(struct dp *d, const struct dp_ppp *p, size_t n)
{
	d->ops->ppp_unlink(d, p, n);
}

static inline bool dp_ppp_close_bg(struct dp *d, struct dp_ppp *p)
{
	return d->ops->ppp_close_bg && d->ops->ppp_close_bg(d, p);
}

static inline size_t dp_bg_pending(struct dp *d)
{
	return d->ops->bg_pending ? d->ops->bg_pending(d) : 0;
}

static inline int dp_bg_fd(struct dp *d)
{
	return d->ops->bg_fd ? d->ops->bg_fd(d) : -1;
}

static inline void dp_bg_drain(struct dp *d)
{
	if (d->ops->bg_drain)
		d->ops->bg_drain(d);
}

static inline int dp_link_index(struct dp *d, const char *ifname)
{
	return d->ops->link_index(d, ifname);
}

static inline int dp_link_stats(struct dp *d, int ifindex, struct dp_link_stats *st)
{
	return d->ops->link_stats(d, ifindex, st);
}

static inline int dp_link_rename(struct dp *d, int ifindex, const char *name)
{
	return d->ops->link_rename(d, ifindex, name);
}

static inline int dp_link_set_mtu(struct dp *d, int ifindex, uint32_t mtu)
{
	return d->ops->link_set_mtu(d, ifindex, mtu);
}

static inline int dp_path_mtu(struct dp *d, int fd, uint32_t *route_mtu, uint32_t *sock_mtu)
{
	return d->ops->path_mtu(d, fd, route_mtu, sock_mtu);
}

static inline int dp_nft_rules(struct dp *d, unsigned rules)
{
	return d->ops->nft_rules(d, rules);
}

static inline int dp_link_set_up(struct dp *d, int ifindex)
{
	return d->ops->link_set_up(d, ifindex);
}

static inline int dp_addr_add_ptp4(struct dp *d, int ifindex, struct in_addr local,
				   struct in_addr peer)
{
	return d->ops->addr_add_ptp4(d, ifindex, local, peer);
}

static inline int dp_addr_add_ptp6(struct dp *d, int ifindex, const struct in6_addr *local,
				   const struct in6_addr *peer)
{
	return d->ops->addr_add_ptp6(d, ifindex, local, peer);
}

static inline int dp_route_add4(struct dp *d, int ifindex, struct in_addr dst, uint8_t plen)
{
	return d->ops->route_add4(d, ifindex, dst, plen);
}

static inline int dp_route_add6(struct dp *d, int ifindex, const struct in6_addr *dst,
				uint8_t plen)
{
	return d->ops->route6(d, ifindex, dst, plen, true);
}

static inline int dp_route_del6(struct dp *d, int ifindex, const struct in6_addr *dst,
				uint8_t plen)
{
	return d->ops->route6(d, ifindex, dst, plen, false);
}

static inline void dp_eth_init(struct dp_eth *e)   /* closed */
{
	*e = (struct dp_eth){ 0 };
}

static inline int dp_eth_open(struct dp *d, struct dp_eth *e, const struct dp_eth_cfg *c)
{
	return d->ops->eth_open(d, e, c);
}

static inline void dp_eth_close(struct dp *d, struct dp_eth *e)   /* safe when closed */
{
	d->ops->eth_close(d, e);
}

static inline int dp_link_state(struct dp *d, int ifindex, struct dp_link_state *st)
{
	return d->ops->link_state(d, ifindex, st);
}

static inline int dp_link_set_master(struct dp *d, int ifindex, int master)
{
	return d->ops->link_set_master(d, ifindex, master);
}

static inline int dp_addr_add4(struct dp *d, int ifindex, struct in_addr addr, uint8_t plen)
{
	return d->ops->addr_add4(d, ifindex, addr, plen);
}

static inline int dp_link_events_open(struct dp *d)   /* fd or -errno */
{
	return d->ops->link_events_open(d);
}

static inline int dp_link_events_read(struct dp *d, dp_link_event_cb cb, void *ctx)
{
	return d->ops->link_events_read(d, cb, ctx);
}

static inline int dp_rate_set(struct dp *d, int ifindex, uint64_t down_bps, uint64_t up_bps)
{
	return d->ops->rate_set(d, ifindex, down_bps, up_bps);
}

/*
 * ---- sockets, whichever backend carries the sessions ----
 *
 * The socket of an L2TPv3 tunnel over IP (protocol 115; docs/design.md
 * §4.8): bound to local with our Control Connection ID tid (the kernel
 * hands it the control messages carrying it), connected to peer with
 * peer_tid; IPv4 or IPv6 (sockaddr_in/in6, ports ignored). Control
 * messages are read and written on it as they are: the 4-byte zero
 * Session ID that precedes each on the wire is added by the kernel on send
 * and stripped on receive (l2tp_ip_sendmsg, l2tp_ip_recv). fd or -errno.
 * With dataplane = none too: it is the control channel. peer NULL: bound
 * only, the L2TP/IP listener (tid 0: where SCCRQs arrive; eng_lcce.c).
 */
int dp_l2tp_ip_socket(const struct sockaddr *local, const struct sockaddr *peer, uint32_t tid,
		      uint32_t peer_tid);

/*
 * ---- the host's IPsec, whichever backend carries the sessions ----
 *
 * Listeners and tunnel sockets are protected, and the drops counted, with
 * dataplane = none as well: these are socket-level, not part of the table
 * (dp_kernel.c implements them through kmod-glue/kg_xfrm).
 */

/* Per-socket ESP transport policies in and out (kg_xfrm.h); fd not yet bound. */
int dp_xfrm_require_esp(int fd, int family, uint32_t reqid);
/* Inbound and outbound templates with their own reqids (kg_xfrm.h). */
int dp_xfrm_require_esp_split(int fd, int family, uint32_t reqid_in, uint32_t reqid_out);
/* Several L2TPv2 tunnels may share one 4-tuple (the kernel demuxes by ID: 6.10+). */
bool dp_l2tp_v2_tid_demux(void);
/* One counter of /proc/net/xfrm_stat, e.g. "XfrmInTmplMismatch"; -ENOENT without it. */
int dp_xfrm_stat(const char *name, uint64_t *out);

#endif
