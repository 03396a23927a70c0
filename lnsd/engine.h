/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine: owns the libev loop's L2TP side. It feeds every datagram from
 * the UDP listeners and the per-tunnel sockets to lib/l2tp/l2tp_lns.c, runs its
 * timers from one ev_timer, and executes the actions it emits (send, open
 * and close tunnel sockets, log state changes), with the sessions' data
 * plane behind dp.h. Its files (engine.c, udp.c, pw_ppp.c, aaa.c) share
 * engine_int.h; everything else uses this header.
 */
#ifndef LNSD_ENGINE_H
#define LNSD_ENGINE_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "conf.h"
#include "dhcp6.h"
#include "dp.h"
#include "ip6_prefix.h"
#include "l2tp_lns.h"
#include "nd.h"
#include "ppp_act.h"
#include "lns_sockaddr.h"

/* Socket-level drops the daemon counts itself (the lib counts protocol drops). */
enum eng_drop {
	ENG_DROP_RECV_ERROR,     /* recvmsg failed with something other than EAGAIN */
	ENG_DROP_OVERSIZED,      /* datagram larger than the receive buffer (MSG_TRUNC) */
	ENG_DROP_NO_PKTINFO,     /* listener datagram without IP_PKTINFO/IPV6_PKTINFO */
	ENG_DROP_BAD_FAMILY,     /* source address neither IPv4 nor IPv6 */
	ENG_DROP_SEND_ERROR,     /* sendmsg failed: the message is left to retransmission */
	ENG_DROP_NO_LISTENER,    /* reply for a local address no listener covers */
	ENG_DROP_ICMP_ERROR,     /* an ICMP error (port unreachable...) read on a tunnel socket */
	ENG_DROP_RXQ_OVERFLOW,   /* dropped by the kernel before lnsd read them: the socket's
				    receive buffer was full (SO_RXQ_OVFL) */
	ENG_DROP_IPSEC_SA,       /* IPsec: its mark names no CHILD_SA of the peer, or the
				    tunnel of another one (docs/design.md §5.5) */
	ENG_DROP_COUNT,
};
const char *eng_drop_str(enum eng_drop d);

enum eng_dataplane { ENG_DP_NONE, ENG_DP_KERNEL };

struct engine;

/*
 * Opens the listeners of conf (takes a reference); err gets the reason on
 * failure. conf_path is what reload re-reads (NULL: the embedded default).
 */
struct engine *engine_new(struct ev_loop *loop, struct lnsd_conf *conf, const char *conf_path,
			  char *err, size_t errlen);
void engine_free(struct engine *e);   /* NULL-safe; closes every socket silently */

/* Re-read the configuration; on error the old one stays and err says why. */
int engine_reload(struct engine *e, char *err, size_t errlen);
/* StopCCN to every peer, then ev_break once all are acknowledged or after grace_ms. */
void engine_shutdown(struct engine *e, uint32_t grace_ms);

int engine_terminate_tunnel(struct engine *e, uint32_t tid);
/* The peer is unreachable: one StopCCN (result 1, why as its message), then gone at once. */
int engine_abort_tunnel(struct engine *e, uint32_t tid, const char *why);
int engine_terminate_session(struct engine *e, uint32_t tid, uint32_t sid);
/*
 * CoA (RFC 5176 §3.2): a new Session-Timeout (the session ends *session_s
 * seconds from now) and/or Idle-Timeout (*idle_s seconds without a packet
 * on pppN, counted from now); 0 removes the limit, NULL leaves it. -ENOENT
 * when the session has no RADIUS state (not authenticated through
 * [radius]); with apply false, only says whether it could.
 */
int engine_session_set_timeouts(struct engine *e, uint32_t tid, uint32_t sid,
				const uint32_t *session_s, const uint32_t *idle_s, bool apply);

/*
 * CoA: rate limits from a CoA-Request's attributes (rate_limit.h's
 * precedence; what it leaves out falls back to the [ppp] defaults), applied
 * to pppN at once when it is up. -ENOENT no such session, -EINVAL a value
 * that does not parse, else the kernel's -errno (the old limits stay).
 * With apply false, only says whether it could.
 */
int engine_session_set_rate(struct engine *e, uint32_t tid, uint32_t sid,
			    const struct rate_radius *r, bool apply);

struct l2tp_lns *engine_lns(const struct engine *e);
/* The L2TPv3 pseudowires (eng_lcce.h), NULL without [pseudowire] sections. */
struct eng_lcce *engine_lcce(const struct engine *e);
struct radius *engine_radius(const struct engine *e);   /* NULL without [radius] */
/* The IPsec manager ([ipsec] mode = required), else NULL. */
struct ipsec_mgr *engine_ipsec(const struct engine *e);
/* The CHILD_SA a tunnel is bound to (docs/design.md §5.5), or NULL. */
const struct ipsec_child *engine_tunnel_sa(const struct engine *e, const struct l2tp_tun *t);
const struct lnsd_conf *engine_conf(const struct engine *e);
const uint64_t *engine_drops(const struct engine *e);   /* ENG_DROP_COUNT counters */
enum eng_dataplane engine_dataplane(const struct engine *e);
/*
 * The data plane the sessions run on (dp.h), taken over in every case; the
 * engine starts with dp_null_new(false). One that carries sessions needs the
 * address pool and the users file: -EINVAL with err when [ppp] pool or
 * users-file is wrong; -EBUSY when the engine has such a data plane already.
 * On failure the data plane stays the one before.
 */
int engine_set_dataplane(struct engine *e, struct dp *dp, char *err, size_t errlen);

/* What lnsctl shows of a session's PPP side; zeros and "" when control plane only. */
struct eng_sess_info {
	const char *ifname;
	const char *username;         /* the client's bytes, username_len of them (NUL after) */
	size_t username_len;
	const char *acct_session_id;  /* RADIUS Acct-Session-Id (radius_attr.h) */
	uint32_t ip;                  /* host order, 0: none */
	bool ipv6;                    /* IPV6CP is up: the client is fe80::<peer_ifid> */
	uint8_t peer_ifid[8];
	struct dp_stats st;           /* kernel counters (cached, at most ~1 s old) */
	int ppp_unit;                 /* N of pppN (NAS-Port), -1 without PPP */
	bool ppp;                     /* lnsd runs PPP for it (kernel data plane) */
	bool link_up;                 /* IPCP or IPV6CP is up */
	bool closing;                 /* PPP is terminating or over; the CDN follows */
	const char *ppp_phase;        /* ppp_phase_str(), "" without PPP */
	uint32_t mtu;                 /* pppN's MTU once up, the MRU requested before; 0: none */
	struct rate_limit rate;       /* bits/s, 0: unlimited (rate.c) */
	bool has_prefix6, has_pd;     /* ipv6.c: the RA's prefix, the delegated prefix */
	struct ip6_prefix prefix6, pd;
};
/*
 * Session setup latency: ICRQ to PPP up (IPCP opened) with the kernel data
 * plane, ICRQ to ICCN processed without it. Upper bounds in milliseconds;
 * one more bucket (+Inf) counts the rest.
 */
#define ENG_SETUP_BUCKETS 12
extern const uint32_t eng_setup_bucket_ms[ENG_SETUP_BUCKETS];

/* What the engine counts beyond the lib's struct l2tp_lns_stats. */
struct eng_counters {
	uint64_t auth[PPP_AUTH_METHOD_COUNT][2];      /* [method][1: success, 0: failure] */
	uint64_t setup_le[ENG_SETUP_BUCKETS + 1];     /* per bucket, not cumulative */
	uint64_t setup_count, setup_sum_ms;
	uint64_t radius_bad_framed_ip;  /* Access-Accepts refused for their Framed-IP-Address */
	uint64_t rate_bad_attr;         /* rate attributes of Access-Accepts that were ignored */
	uint64_t rate_kernel_failed;    /* rate limits the kernel refused */
	/* IPv6 for subscribers (ipv6.c) */
	uint64_t v6_ra_sent, v6_rs_received, v6_dhcp_replies;
	uint64_t v6_rs_dropped[ND_RS_CHECK_COUNT];      /* [ND_RS_OK]: no session on that link */
	uint64_t v6_dhcp_dropped[DHCP6_CHECK_COUNT];    /* [DHCP6_OK]: no session on that link */
	uint64_t v6_pool_exhausted;     /* a /64 or a delegated prefix the pool had not */
	uint64_t v6_radius_refused;     /* RADIUS prefixes taken by another session */
	uint64_t v6_send_failed;        /* RAs and DHCPv6 replies the kernel refused */
	uint64_t v6_route_failed;       /* IPv6 routes the kernel refused */
	/* Calls between ICRQ and PPP up (IPCP open; without a data plane: ICCN)
	 * now, and the most at once; [l2tp] max-starting bounds it. */
	uint64_t starting, starting_max;
};
const struct eng_counters *engine_counters(const struct engine *e);
/* The IPv6 pools (ipv6.c): [0] the /64s, [1] the delegated prefixes; 0 without. */
void engine_ipv6_pools(const struct engine *e, uint32_t used[2], uint32_t size[2]);

/*
 * The loop's busy time per iteration: from the end of its wait for events
 * (ev_check) to the start of the next (ev_prepare), i.e. how long any event
 * may have waited behind the callbacks of one iteration. show-stats "loop",
 * /metrics lnsd_loop_*.
 */
#define ENG_LOOP_SLOW_MS 100
struct eng_loop_stats {
	uint64_t iterations;
	uint64_t busy_max_us;       /* the longest iteration since the start */
	uint64_t busy_total_us;
	uint64_t slow;              /* iterations of ENG_LOOP_SLOW_MS or more */
};
const struct eng_loop_stats *engine_loop_stats(const struct engine *e);

/* Refresh the cached kernel counters (one dump each) if older than a second. */
void engine_refresh_kstats(struct engine *e, bool tunnels, bool sessions);
void engine_session_info(const struct engine *e, const struct l2tp_sess *s,
			 struct eng_sess_info *out);
/* false (and zeros) when the data plane has no tunnel for it. */
bool engine_tunnel_kstats(const struct engine *e, const struct l2tp_tun *t,
			  struct dp_stats *out);
/* false (and zeros) when the data plane has no session for it. */
bool engine_session_kstats(const struct engine *e, const struct l2tp_sess *s,
			   struct dp_stats *out);
uint64_t engine_now_ms(void);   /* CLOCK_MONOTONIC, the lib's time base */
uint64_t engine_now_us(void);   /* the same clock in µs (the loop meter, budgets) */

/* Log prefixes: "tunnel 12/34 192.0.2.1:1701", "... session 5/6". */
char *eng_tun_prefix(const struct l2tp_tun *t, char *buf, size_t len);
char *eng_sess_prefix(const struct l2tp_sess *s, char *buf, size_t len);
#define ENG_PREFIX_LEN 96

#endif
