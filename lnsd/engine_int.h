/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine's private header, shared only by engine.c and the files it was
 * split into. Nothing outside the engine includes it: the rest of lnsd sees
 * engine.h.
 */
#ifndef LNSD_ENGINE_INT_H
#define LNSD_ENGINE_INT_H

#include "engine.h"
#include "eng_lcce.h"

#include "ip_pool.h"
#include "ipv6.h"
#include "ppp_sess.h"
#include "radius_attr.h"

/* Big enough for any control message; larger datagrams are counted as oversized. */
#define ENG_RX_BUF 8192
/* Datagrams read per readiness event before yielding to other watchers. */
#define ENG_RX_BATCH 64
/* Buckets of the Access-Requests in flight (aaa.c): the RADIUS queue holds 20,000. */
#define ENG_AUTH_BUCKETS 4096

struct eng_listener {
	ev_io io;
	struct engine *eng;
	int fd;
	uint32_t rxq_drops;           /* the kernel's SO_RXQ_OVFL count last seen */
	struct lns_addr addr;
};

/* Per tunnel: kept small (docs/design.md §8). */
struct eng_tunnel {
	ev_io io;
	struct engine *eng;
	struct l2tp_tun *tun;         /* NULL once TUNNEL_FREE was executed */
	struct lnsd_conf *conf;       /* generation its peer_cfg points into */
	struct lns_addr local, peer;
	int fd;                       /* -1: replies go out through the listener */
	uint32_t rxq_drops;           /* the kernel's SO_RXQ_OVFL count last seen */
	bool dp_tunnel;               /* the data plane has a tunnel on fd (kernel: managed) */
	uint32_t ipsec_mark;          /* inbound mark of its CHILD_SA (§5.5); 0: none */
	struct dp_stats kst;          /* cached kernel counters */
	struct eng_tunnel *next_dead;
	/* engine.peer_index: the tunnels of one peer address */
	struct eng_tunnel *peer_next, **peer_pprev;
};

struct eng_session;
struct eng_sess_info;
struct pw_ppp;

/*
 * What a pseudowire type does for the engine: the engine owns the generic
 * session (struct eng_session) and calls these; the type owns its part
 * (es->u). PPP (pw_ppp.c) is the only type so far; L2TPv3 Ethernet comes
 * beside it.
 */
struct eng_pw_ops {
	enum dp_pw_type type;
	/* The L2TP session is established (ICCN processed): bring the data plane up. */
	void (*start)(struct engine *e, struct eng_session *es);
	/*
	 * lnsd ends the call (operator, DM, Session- or Idle-Timeout): the
	 * graceful way (PPP: Terminate-Request first); the CDN follows (queued).
	 */
	void (*close)(struct engine *e, struct eng_session *es);
	/* The verdict on an Access-Request the type asked for (aaa_auth()); attrs may be NULL. */
	void (*auth_result)(struct engine *e, struct eng_session *es, bool ok, const char *msg,
			    const struct ppp_auth_attrs *attrs);
	/* The type's fields of what lnsctl shows. */
	void (*info)(const struct eng_session *es, struct eng_sess_info *out);
	/* The L2TP session is gone: data plane down (after aaa_down), the type's part freed. */
	void (*free)(struct engine *e, struct eng_session *es);
};

/*
 * Per session with a data plane (docs/design.md §8: well under 2 KiB, the
 * pseudowire's part included): what every pseudowire type has.
 */
struct eng_session {
	struct engine *eng;
	struct l2tp_sess *sess;
	const struct eng_pw_ops *pw;
	union {                       /* keyed by pw->type */
		struct pw_ppp *ppp;   /* DP_PW_PPP */
	} u;
	int ifindex;                  /* its interface (pppN), 0 before there is one */
	char ifname[16];
	uint32_t nas_port;            /* NAS-Port (PPP: N of pppN) */
	uint32_t ip;                  /* the client's IPv4 address while the link is up */
	uint32_t held_ip;             /* the address it holds in e->ip_index, 0: none */
	struct eng_session *ip_next;  /* e->ip_index chain */
	bool dead;                    /* the call is over; the CDN is queued */
	bool was_up;                  /* the link came up once: setup latency counted */
	bool link_up;                 /* the interface has its MTU and is up */
	bool dp_session;              /* the data plane holds the session (kst is valid) */
	char username[64];            /* as the client sent it (cut to fit), username_len bytes */
	uint8_t username_len;
	char acct_sid[RAD_SESSION_ID_LEN + 1];   /* Acct-Session-Id (radius_attr.h) */
	uint32_t serial;              /* its low half */
	struct eng_aaa *aaa;          /* RADIUS state (aaa.c); NULL without [radius] */
	struct rate_limit rate;       /* its rate limits (rate.c), bits/s, 0: unlimited */
	uint8_t rate_src;             /* enum rate_src: where they came from */
	bool rate_decided;            /* by RADIUS or a CoA; else [ppp]'s when it comes up */
	bool rate_applied;            /* the kernel has a limit of ours on pppN */
	struct dp_stats kst;          /* cached kernel counters */
	struct eng_sess6 *v6;         /* IPv6 prefixes, RAs, DHCPv6 (ipv6.c); NULL: none */
};

/* A CDN decided while actions were being executed: sent once they are done. */
struct eng_cdn {
	uint32_t tid, sid;
	uint16_t result, error;
	const char *msg;              /* static text */
};

/*
 * The live tunnels whose peer has address a (any port), one per call:
 * prev NULL gives the first. For what concerns one host (its IPsec SA):
 * O(its tunnels), not O(all tunnels).
 */
struct eng_tunnel *eng_peer_next(const struct engine *e, const struct lns_addr *a,
				 const struct eng_tunnel *prev);
/* Shutting down: no kernel object queued, and every tunnel gone or closing
 * with its StopCCN acknowledged. */
bool eng_shutdown_done(struct engine *e);

/*
 * Kernel objects of ended calls and tunnels, closed a slice per loop
 * iteration (docs/design.md §4.4): a session's PPPoX socket, channel and
 * unit (p is left closed, dp_ppp_init), a tunnel's socket (queued after its
 * sessions'). Without memory, closed at once.
 */
void eng_reap_ppp(struct engine *e, struct dp_ppp *p);
void eng_reap_fd(struct engine *e, int fd);
/* Closes every queued object now (engine_free). */
void eng_reap_flush(struct engine *e);
/* At most this many objects, or this much time, per loop iteration. */
#define ENG_REAP_SLICE_MAX 256
#define ENG_REAP_SLICE_US 20000
/*
 * The interfaces of up to this many queued calls are deleted as one batch
 * (dp_ppp_unlink: one wait for RCU grace periods, 0.07-0.3 s under TCG
 * whatever the size), in a slice of its own; their fds are then closed
 * within the slices' limits.
 */
#define ENG_REAP_BATCH 128
/* On: ended calls' kernel objects are closed in slices (docs/design.md §4.4). */
#define ENG_REAP_SLICES_DEFAULT true

struct engine {
	struct ev_loop *loop;
	struct l2tp_lns *lns;
	struct lnsd_conf *conf;
	char *conf_path;
	struct lns_actions acts;
	ev_timer timer;
	uint64_t armed;               /* deadline the timer is set for; UINT64_MAX: idle */
	ev_prepare reaper;
	ev_check woke;                /* with reaper: the loop's busy time (eng_loop_stats) */
	uint64_t woke_us;             /* when the current iteration's callbacks began; 0: none */
	struct eng_loop_stats loop_st;
	struct eng_tunnel *dead;      /* freed at the top of the next loop iteration */
	struct eng_listener **listeners;
	size_t n_listeners;
	bool shutting_down;
	ev_timer grace;
	uint64_t drain_pos;           /* eng_shutdown_done()'s walk resumes here (l2tp_walk_pos) */
	uint64_t drain_checked;       /* tunnels it looked at (tests) */
	bool reap_slices;             /* eng_reap_*() queue; false: close at once */
	struct eng_reap *reap;        /* eng_reap_*(): queued from reap_head to reap_n */
	size_t reap_head, reap_n, reap_cap;
	ev_idle reap_idle;            /* active while the queue is not empty: a slice per iteration */
	ev_io reap_bg;                /* dp_bg_fd(): active while the dp closes in the background */
	uint64_t reap_t0_us;          /* when the queue last went from empty to not empty */
	uint64_t reap_batch;          /* objects closed since then */
	uint64_t reaped;              /* objects closed by slices (tests) */
	const struct lns_addr *rx_peer;   /* source of the datagram being processed */
	uint32_t rx_mark;             /* its SO_RCVMARK: the CHILD_SA that carried it (§5.5) */
	uint64_t drops[ENG_DROP_COUNT];
	/* the data plane: dp_null_new(false) until engine_set_dataplane() */
	struct dp *dp;
	struct ppp_cfg ppp_cfg;       /* shared by every PPP session */
	char ppp_name[64];            /* CHAP name (ppp_cfg.auth.name) */
	struct ip_pool *pool;
	struct ppp_users *users;
	struct ppp_actions pacts;
	/* sessions by the IPv4 address they hold (held_ip), chained; ip_nb a power of two */
	struct eng_session **ip_index;
	uint32_t ip_nb, ip_n;
	/* tunnels by peer address (any port), chained; peer_nb a power of two;
	 * peer_unindexed: tunnels without an eng_tunnel (out of memory) */
	struct eng_tunnel **peer_index;
	uint32_t peer_nb, peer_n, peer_seed, peer_unindexed;
	struct eng_cdn *cdns;         /* queued CDNs */
	size_t n_cdns, cap_cdns;
	uint64_t tstats_ms, sstats_ms;    /* when the kernel counters were dumped */
	struct eng_counters ctr;
	struct radius *radius;        /* [radius] client; NULL: users file */
	uint32_t start_time;          /* Unix seconds: high half of Acct-Session-Id */
	uint32_t next_serial;
	struct eng_aaa *auth_wait[ENG_AUTH_BUCKETS];   /* Access-Requests in flight (aaa.c) */
	uint64_t next_auth_id;        /* the last one's number */
	struct ipsec_mgr *ipsec;      /* [ipsec] mode = required, else NULL */
	struct eng_ipv6 *v6;          /* IPv6 for subscribers (ipv6.c); NULL: [ppp] ipv6 = no */
	struct eng_lcce *lcce;        /* L2TPv3 pseudowires ([pseudowire]), else NULL */
	uint8_t rx[ENG_RX_BUF];
};

struct radius_reply;

/* ---- engine.c ---- */

/* "Invalid argument (the kernel's extended-ack text)" into buf. */
const char *eng_kerr(const char *ext_ack, int rc, char *buf, size_t len);
/* A CDN for s, sent once the actions being executed are done. */
void eng_queue_cdn(struct engine *e, const struct l2tp_sess *s, uint16_t result, uint16_t error,
		   const char *msg);
/* Session setup latency (ICRQ to now) into the histogram. */
void eng_count_setup(struct engine *e, const struct l2tp_sess *s, uint64_t now);
/* getrandom(), for the lib's and PPP's rand_bytes hooks. */
void eng_rand_bytes(void *ctx, void *buf, size_t len);

/* Perform the lib's actions, then the CDNs they queued; rearm the timer. */
void engine_execute(struct engine *e);
/* es now holds ip (0: nothing): the address index follows. */
void eng_ip_hold(struct engine *e, struct eng_session *es, uint32_t ip);
/* Does a live session other than except hold ip? O(1) on average. */
bool eng_ip_in_use(const struct engine *e, const struct eng_session *except, uint32_t ip);

/* ---- udp.c: listeners, tunnel sockets, datagrams ---- */

/* The listener set for conf; all or nothing (err says why). */
int eng_listeners_apply(struct engine *e, const struct lnsd_conf *conf, char *err,
			size_t errlen);
void eng_listener_close(struct engine *e, struct eng_listener *l);   /* NULL-safe */
/*
 * Let our sockets bind local's port for a moment (share: SO_REUSEPORT on the
 * listeners there) or not: listeners are exclusive (udp.c).
 */
void eng_listeners_share(struct engine *e, const struct lns_addr *local, bool share);
/* A datagram from the listener covering local (its port), to peer: 0 or -errno. */
int eng_send_from_listener(struct engine *e, const struct lns_addr *local,
			   const struct lns_addr *peer, const void *buf, size_t len);
/* An LNS_ACT_SEND: on the tunnel's socket, else from the listener. */
void eng_send(struct engine *e, const struct lns_action *a);
/*
 * A tunnel's connected socket (docs/design.md §4.2), or -errno; under IPsec
 * it sends through the SA of reqid_out only (eng_ipsec_bind()).
 */
int eng_tunnel_socket(const struct lnsd_conf *conf, const struct lns_addr *local,
		      const struct lns_addr *peer, uint32_t reqid_out);

/* ---- eng_ipsec.c: one tunnel per CHILD_SA, clients behind one NAT (§5.5) ---- */

/*
 * [ipsec] mode = required: ESP policies (inbound eng_ipsec_reqid_in(),
 * outbound reqid_out) and SO_RCVMARK.
 */
int eng_ipsec_socket(const struct lnsd_conf *conf, int fd, uint8_t family, uint32_t reqid_out);
/* The inbound template's reqid of a socket that sends through reqid_out: 0 any SA. */
uint32_t eng_ipsec_reqid_in(bool tid_demux, uint32_t reqid_out);
/*
 * May a reload go from old to nc? Only [ipsec] mode is fixed (sockets keep the
 * policies they were opened with); reqid is ignored since §5.5. 0, or -1 with
 * the reason in err.
 */
int eng_ipsec_reload_check(const struct lnsd_conf *old, const struct lnsd_conf *nc, char *err,
			   size_t errlen);
/* The SO_MARK control message of a datagram read with SO_RCVMARK; 0 without. */
uint32_t eng_ipsec_cmsg_mark(struct msghdr *mh);
/* A new tunnel: bind it to the CHILD_SA of e->rx_mark; that SA's reqid (0: none). */
uint32_t eng_ipsec_bind(struct engine *e, struct eng_tunnel *et, const char *pfx);
/* May this datagram (mark in e->rx_mark) go to the protocol? Counts and logs a refusal. */
bool eng_ipsec_admit(struct engine *e, const struct lns_addr *peer, const struct lns_addr *local,
		     const uint8_t *buf, size_t len);
/* ev_io callback for a tunnel socket (et->io). */
void eng_tunnel_readable(struct ev_loop *loop, ev_io *w, int revents);
/* Our UDP sockets are read before timers run (docs/design.md §8.1). */
void eng_socket_priority(ev_io *w);

/* ---- aaa.c: RADIUS for a session ---- */

const char *aaa_method_str(enum ppp_auth_method m);   /* "PAP", "CHAP", "MS-CHAPv2" */
/* Access-Request for what PPP received; the verdict comes back through aaa_reply. */
void aaa_auth(struct engine *e, struct eng_session *es, const struct ppp_auth_req *req);
/* radius_new()'s reply callback (ctx: the engine). */
void aaa_reply(void *ctx, uint64_t cookie, const struct radius_reply *rep);
/* The link is up the first time: Framed-Routes, Accounting Start, timers. */
void aaa_up(struct engine *e, struct eng_session *es);
/* The session ends: Accounting Stop with cause (before its counters go). */
void aaa_down(struct engine *e, struct eng_session *es, uint32_t cause);
/* engine_session_set_timeouts() for a live session. */
int aaa_set_timeouts(struct engine *e, struct eng_session *es, const uint32_t *session_s,
		     const uint32_t *idle_s, bool apply);
void aaa_free(struct eng_session *es);   /* after aaa_down(); NULL-safe es->aaa */

/* rate.c: the Access-Accept's rate attributes (before the link is up). */
void eng_rate_accept(struct engine *e, struct eng_session *es, const struct rate_radius *r,
		     const char *pfx);
/* pppN is up (IPCP or IPV6CP): the limits onto it, the [ppp] defaults if nothing decided. */
void eng_rate_up(struct engine *e, struct eng_session *es);

/* ---- pw_ppp.c: the PPP pseudowire ---- */

extern const struct eng_pw_ops eng_pw_ppp;
/* [ppp] for the sessions to come (e->ppp_cfg); the pool stays the one made at start. */
void pw_ppp_cfg(struct engine *e, const struct lnsd_conf *conf);
/* The users file (chap-secrets format), refused when others may read it. */
int pw_ppp_users_load(const struct lnsd_conf *conf, struct ppp_users **out, char *err,
		      size_t errlen);

#endif
