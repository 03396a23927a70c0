/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The LNS control plane: every tunnel and session, their state machines
 * (RFC 2661 §7.2.1 control connection, §7.4.2 LNS incoming call), the
 * tunnel table (demultiplexed by Tunnel ID), limits and timers.
 *
 * Pure: datagrams and time come in, effects go out as a list of actions that
 * the daemon (lnsd/) executes in order. No sockets, clocks, logging or RNG
 * here: random bytes come from cfg->rand_bytes.
 */
#ifndef LNS_L2TP_LNS_H
#define LNS_L2TP_LNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2tp_msg.h"
#include "l2tp_proto.h"
#include "l2tp_rel.h"
#include "lns_addr.h"

/* Settings chosen per peer (matched by host name and/or source address). */
struct l2tp_peer_cfg {
	const char *name;            /* config section, for logs; "default" */
	const uint8_t *secret;       /* NULL/0: no tunnel authentication */
	size_t secret_len;
	bool hide_avps;
};
typedef const struct l2tp_peer_cfg *(*l2tp_peer_lookup_fn)(void *ctx, const struct lns_addr *peer,
							   const char *hostname);

struct l2tp_lns_cfg {
	char hostname[64];           /* Host Name AVP we send */
	char vendor[64];             /* Vendor Name AVP we send */
	struct l2tp_rel_cfg rel;     /* receive-window, retransmit-timeout/-cap/-retries */
	uint32_t hello_interval_ms;  /* HELLO after this long with nothing received; 0 = never */
	uint32_t setup_timeout_ms;   /* wait for SCCCN after SCCRP, ICCN after ICRP */
	uint32_t stopccn_hold_ms;    /* keep a closed tunnel this long to ack retransmitted StopCCNs */
	uint32_t max_tunnels;        /* 0 = unlimited */
	uint32_t max_half_open;      /* tunnels awaiting SCCCN; 0 = unlimited */
	/* Half-open tunnels from one source address (any port); 0 = unlimited.
	 * Keeps one flooding source from filling max_half_open for everyone. */
	uint32_t max_half_open_per_peer;
	uint32_t max_sessions;       /* in total; 0 = unlimited */
	uint32_t max_sessions_per_tunnel; /* 0 = unlimited */
	l2tp_peer_lookup_fn peer_lookup;  /* NULL: every peer gets default_peer */
	void *peer_ctx;
	const struct l2tp_peer_cfg *default_peer;
	void (*rand_bytes)(void *ctx, void *buf, size_t len);
	void *rand_ctx;
};
void l2tp_lns_cfg_default(struct l2tp_lns_cfg *cfg);

enum l2tp_tun_state {
	L2TP_TUN_WAIT_CTL_CONN,  /* SCCRP sent, waiting for SCCCN (§7.2.1 wait-ctl-conn) */
	L2TP_TUN_ESTABLISHED,
	L2TP_TUN_CLOSING,        /* StopCCN sent or received: acking/holding (§5.7) */
	L2TP_TUN_DEAD,           /* gone; TUNNEL_FREE was emitted */
};
enum l2tp_sess_state {
	L2TP_SESS_WAIT_CONNECT,  /* ICRP sent, waiting for ICCN (§7.4.2 wait-connect) */
	L2TP_SESS_ESTABLISHED,
	L2TP_SESS_DEAD,
};
const char *l2tp_tun_state_str(enum l2tp_tun_state s);
const char *l2tp_sess_state_str(enum l2tp_sess_state s);

/* Proxy LCP and authentication AVPs (26-33), kept only when the LAC sent them. */
struct l2tp_proxy_info {
	struct l2tp_blob initial_rcvd_lcp_confreq, last_sent_lcp_confreq, last_rcvd_lcp_confreq;
	uint16_t authen_type, authen_id;
	char authen_name[L2TP_NAME_MAX];
	struct l2tp_blob authen_challenge, authen_response;
};

struct l2tp_tun;

struct l2tp_sess {
	struct l2tp_tun *tun;
	uint32_t sid, peer_sid;          /* IDs are uint32_t (l2tp_proto.h) */
	enum l2tp_sess_state state;
	uint32_t call_serial;
	uint32_t bearer_type, framing_type;
	uint32_t tx_connect_speed, rx_connect_speed;
	bool seq_required;
	char calling_number[64], called_number[64];
	struct l2tp_proxy_info *proxy;   /* NULL unless proxy AVPs arrived in ICCN */
	uint64_t created_ms, established_ms;
	uint16_t result, error;          /* why it closed, once DEAD */
	void *user;                      /* the daemon's per-session data */
	/* private */
	struct l2tp_sess *hnext;         /* hash chain in the tunnel */
	struct l2tp_sess *oprev, *onext; /* half-open list (WAIT_CONNECT), oldest first */
	uint64_t deadline;               /* setup timeout while WAIT_CONNECT */
};

struct l2tp_tun {
	uint32_t tid, peer_tid;          /* IDs are uint32_t (l2tp_proto.h) */
	/* The widest Tunnel and Session ID its protocol carries, the bound of
	 * the IDs we draw for it: L2TP_V2_ID_MAX (RFC 3931 would allow L2TP_ID_MAX). */
	uint32_t id_max;
	enum l2tp_tun_state state;
	struct lns_addr peer, local;
	/* Opaque to the lib: what told apart peers sharing an address:port when
	 * the SCCRQ came (lnsd: its IPsec mark, docs/design.md §5.5); 0 none. */
	uint32_t peer_key;
	const struct l2tp_peer_cfg *peer_cfg;  /* valid while the config generation lives */
	char peer_hostname[64], peer_vendor[64];
	uint32_t peer_framing_caps, peer_bearer_caps;
	uint16_t peer_firmware_rev;
	uint8_t peer_protocol_version, peer_protocol_revision;
	bool peer_hides;                  /* the peer sent hidden AVPs: we may hide in replies */
	uint8_t our_challenge[16];        /* challenge sent in SCCRP when a secret is set */
	bool challenged;
	struct l2tp_rel rel;
	uint64_t created_ms, established_ms, last_rx_ms;
	uint64_t hold_deadline, setup_deadline, hello_deadline;
	uint16_t result, error;           /* why it is closing */
	uint32_t n_sessions;
	uint32_t n_established_sessions;
	uint64_t rx_msgs, tx_msgs;        /* control packets, ZLBs and retransmissions included */
	void *user;                       /* the daemon's per-tunnel data */
	/* private */
	struct l2tp_sess **sbuckets;      /* session hash by sid, power-of-two size */
	uint32_t nbuckets;
	struct l2tp_sess *ohead, *otail;  /* half-open sessions, oldest first */
	struct l2tp_tun *hnext_id, *hnext_peer;
	uint32_t heap_idx;                /* position in the lns deadline heap */
	uint64_t deadline;                /* min of this tunnel's timers, heap key */
	bool stop_sent;                   /* CLOSING because we sent the StopCCN */
	bool in_peer_hash;                /* still found by (peer, peer_tid) */
	/* rel counters already added to the stats */
	uint64_t rel_retransmits, rel_zlbs, rel_stall_rtx;
	struct l2tp_tun *dnext;           /* reap list once DEAD */
};

/* ---- actions --------------------------------------------------------- */

/*
 * Lifetime: the tun/sess pointers in an action list stay valid until the
 * next call into l2tp_lns_input/tick/close_tunnel/close_session/shutdown/
 * free, which first frees what went DEAD during the previous call. Perform
 * the whole list before calling again.
 *
 * TUNNEL_NEW (new_state WAIT_CTL_CONN) and SESSION_NEW (new_state
 * WAIT_CONNECT) are the first states; every later transition, DEAD
 * included, is a TUNNEL_STATE / SESSION_STATE, followed for DEAD by the
 * *_FREE action.
 */

enum lns_act_type {
	/* Transmit bytes to peer. tid != 0: on that tunnel's socket (after
	 * TUNNEL_NEW). tid == 0: from local to peer on the listener (replies to
	 * an SCCRQ that was refused before a tunnel existed). */
	LNS_ACT_SEND,
	/* A tunnel exists (an SCCRQ was accepted). The daemon opens its
	 * connected UDP socket local->peer now; SENDs for it follow. */
	LNS_ACT_TUNNEL_NEW,
	LNS_ACT_TUNNEL_STATE,   /* old_state -> new_state; result/error set when closing */
	/* The tunnel is gone: after this action, the l2tp_tun pointer is
	 * invalid. Its sessions got SESSION_FREE first. */
	LNS_ACT_TUNNEL_FREE,
	LNS_ACT_SESSION_NEW,
	LNS_ACT_SESSION_STATE,  /* ESTABLISHED once the ICCN is processed */
	LNS_ACT_SESSION_FREE,   /* the l2tp_sess pointer is invalid afterwards */
	/* Something dropped or refused, for a (rate-limited) log line; the
	 * counter was already incremented. reason is a static string. For a
	 * refused SCCRQ: tun NULL, peer/local set, result/error of the StopCCN. */
	LNS_ACT_NOTICE,
};

struct lns_action {
	enum lns_act_type type;
	uint32_t tid, sid;
	struct l2tp_tun *tun;        /* NULL for SEND with tid 0 and for some NOTICEs */
	struct l2tp_sess *sess;
	struct lns_addr peer, local;
	int old_state, new_state;
	uint16_t result, error;
	const char *reason;
	size_t off, len;             /* SEND payload at actions->buf + off */
};

struct lns_actions {
	struct lns_action *v;
	size_t n, cap;
	uint8_t *buf;
	size_t blen, bcap;
	bool oom;                    /* an action could not be recorded */
};
void lns_actions_init(struct lns_actions *a);
void lns_actions_reset(struct lns_actions *a);  /* keeps the memory */
void lns_actions_free(struct lns_actions *a);

/* ---- counters -------------------------------------------------------- */

enum l2tp_lns_drop {
	L2TP_DROP_DECODE,          /* see decode_err[] for the reason */
	L2TP_DROP_DATA_IN_USERSPACE, /* non-control packet read by lnsd (kernel race / no kernel) */
	L2TP_DROP_UNKNOWN_TUNNEL,  /* Tunnel ID we do not have */
	L2TP_DROP_WRONG_PEER,      /* right Tunnel ID, wrong source address */
	L2TP_DROP_DUPLICATE,
	L2TP_DROP_OUT_OF_WINDOW,
	L2TP_DROP_UNEXPECTED,      /* message not valid in the current state (answered per RFC) */
	L2TP_DROP_UNKNOWN_SESSION, /* Session ID we do not have */
	L2TP_DROP_LIMIT,           /* refused by a limit (answered with StopCCN/CDN) */
	L2TP_DROP_AUTH,            /* tunnel authentication failed */
	L2TP_DROP_COUNT,
};
const char *l2tp_lns_drop_str(enum l2tp_lns_drop d);

struct l2tp_lns_stats {
	uint64_t drops[L2TP_DROP_COUNT];
	uint64_t decode_err[L2TP_DEC_ERR_COUNT];
	uint64_t rx_msgs[L2TP_MSG_TYPE_COUNT];   /* by type, ZLB at 0 */
	uint64_t tx_msgs[L2TP_MSG_TYPE_COUNT];   /* first transmissions */
	uint64_t retransmits;
	uint64_t retransmits_late;                 /* of which after a local stall (l2tp_rel.h) */
	struct l2tp_ack_hist ack_delay;            /* receipt to ack, every tunnel's messages */
	uint64_t tunnels_created, tunnels_established, tunnels_failed;
	uint64_t sessions_created, sessions_established, sessions_failed;
	uint64_t stopccn_sent_by_result[8], cdn_sent_by_result[12];
	uint32_t tunnels_by_state[L2TP_TUN_DEAD + 1];
	uint32_t sessions_by_state[L2TP_SESS_DEAD + 1];
	uint64_t sessions_refused_busy;            /* ICRQs refused by l2tp_lns_set_busy() */
};

/* ---- the server ------------------------------------------------------ */

struct l2tp_lns;

struct l2tp_lns *l2tp_lns_new(const struct l2tp_lns_cfg *cfg);
void l2tp_lns_free(struct l2tp_lns *lns);  /* NULL-safe; frees every tunnel silently */
/* New settings (reload): limits, timers and peer lookup apply from now on;
 * established tunnels keep their peer_cfg until the caller re-resolves it. */
void l2tp_lns_set_cfg(struct l2tp_lns *lns, const struct l2tp_lns_cfg *cfg);
/*
 * The caller's admission control: while busy, every new call (ICRQ) is
 * refused with CDN result 4 (no facilities, temporary), error 4 (no
 * resources), so that the LAC may try again later; calls already admitted
 * and tunnels are unaffected. Counted in stats.sessions_refused_busy.
 */
void l2tp_lns_set_busy(struct l2tp_lns *lns, bool busy);

/*
 * A datagram from peer that arrived at local (listener or tunnel socket).
 * Control messages are demultiplexed by Tunnel ID, never by socket
 * (docs/design.md §4.2). Data packets are counted and dropped.
 */
void l2tp_lns_input(struct l2tp_lns *lns, const struct lns_addr *peer,
		    const struct lns_addr *local, const uint8_t *pkt, size_t len,
		    uint64_t now_ms, struct lns_actions *out);
/*
 * The same with peer_key, which tells apart peers that share an address:port
 * (clients behind one NAT, each with its own IPsec SA): an SCCRQ is a
 * retransmission only of the tunnel with the same peer, Assigned Tunnel ID
 * and key; a new tunnel keeps the key in peer_key. l2tp_lns_input() is key 0.
 */
void l2tp_lns_input_keyed(struct l2tp_lns *lns, const struct lns_addr *peer,
			  const struct lns_addr *local, uint32_t peer_key, const uint8_t *pkt,
			  size_t len, uint64_t now_ms, struct lns_actions *out);

/* Run every timer due at now_ms (retransmit, ZLB, HELLO, setup timeouts, hold). */
void l2tp_lns_tick(struct l2tp_lns *lns, uint64_t now_ms, struct lns_actions *out);
/* Earliest deadline over all tunnels (O(1), heap); UINT64_MAX for none. */
uint64_t l2tp_lns_next_deadline(const struct l2tp_lns *lns);

/*
 * Answers chosen where RFC 2661 leaves room (see also l2tp_tun.c/l2tp_sess.c):
 *   SCCRQ refused (no tunnel kept; StopCCN sent once, statelessly, Assigned
 *   Tunnel ID 0, header Tunnel ID = the peer's, Ns 0, Nr = SCCRQ Ns + 1):
 *     protocol version != 1.0            result 5, error 0x0100 (our highest)
 *     unknown M-bit AVP                  result 2, error 8
 *     mandatory AVP missing              result 2, error 6 (+ message)
 *     peer challenges, we have no secret result 4
 *     max_tunnels / max_half_open / max_half_open_per_peer / no ID
 *                                        result 2, error 4
 *     no Assigned Tunnel ID              dropped (nobody to answer)
 *   tunnel: bad/missing SCCCN Challenge Response -> StopCCN 4; SCCRQ/SCCRP/
 *     SCCCN out of state -> StopCCN 7; unknown M type/AVP -> StopCCN 2/8;
 *     no SCCCN within setup_timeout -> StopCCN 1; retries exhausted -> freed
 *     without StopCCN, tun->result 2.
 *   session: ICRQ before SCCCN -> CDN 2/1; session limits -> CDN 2/4 (our
 *     Assigned Session ID 0); busy (l2tp_lns_set_busy) -> CDN 4/4, likewise; ICRQ/ICRP/ICCN out of state -> CDN 2/6; unknown
 *     M AVP -> CDN 2/8; no ICCN within setup_timeout -> CDN 10; ICRP for an
 *     unknown session -> CDN 2/5; ICCN/CDN/other for an unknown session ->
 *     counted drop (RFC idle "Clean up"); a CDN with Session ID 0 is matched
 *     to a half-open call by the peer's Session ID; an ICRQ reusing a peer
 *     Session ID still in use is a new call.
 *   Hiding: Assigned Session ID in ICRP/CDN when hide_avps and a secret;
 *     Assigned Tunnel ID in SCCRP only when the SCCRQ itself had hidden AVPs.
 *
 * Administrative teardown: StopCCN / CDN with the given codes (msg may be NULL). -ENOENT if unknown.
 * Closing a tunnel that is already CLOSING does nothing and returns 0.
 */
int l2tp_lns_close_tunnel(struct l2tp_lns *lns, uint32_t tid, uint16_t result, uint16_t error,
			  const char *msg, uint64_t now_ms, struct lns_actions *out);
/*
 * The peer can no longer be reached (its IPsec SA is gone): one StopCCN with
 * the given codes is put on the wire, then the tunnel and its sessions end at
 * once (TUNNEL_FREE), without waiting for an acknowledgment that cannot come.
 * -ENOENT if unknown.
 */
int l2tp_lns_abort_tunnel(struct l2tp_lns *lns, uint32_t tid, uint16_t result, uint16_t error,
			  const char *msg, uint64_t now_ms, struct lns_actions *out);
int l2tp_lns_close_session(struct l2tp_lns *lns, uint32_t tid, uint32_t sid, uint16_t result,
			   uint16_t error, const char *msg, uint64_t now_ms, struct lns_actions *out);
/* StopCCN (result 6, shutting down) to every tunnel. */
void l2tp_lns_shutdown(struct l2tp_lns *lns, uint64_t now_ms, struct lns_actions *out);

struct l2tp_tun *l2tp_lns_tunnel(const struct l2tp_lns *lns, uint32_t tid);
struct l2tp_sess *l2tp_lns_session(const struct l2tp_lns *lns, uint32_t tid, uint32_t sid);
/* Iterate: tun = NULL gives the first; order is unspecified but stable between changes. */
struct l2tp_tun *l2tp_lns_next_tunnel(const struct l2tp_lns *lns, const struct l2tp_tun *tun);
struct l2tp_sess *l2tp_tun_next_session(const struct l2tp_tun *tun, const struct l2tp_sess *s);
/* Every session of every tunnel, tunnel by tunnel: s = NULL gives the first. */
struct l2tp_sess *l2tp_lns_next_session(const struct l2tp_lns *lns, const struct l2tp_sess *s);

/*
 * The walks over those, with a caller-declared cursor. The body may act on
 * the current object but must not make the lib free it (no call into
 * l2tp_lns_input, _tick, _close_tunnel and the like: they reap, see
 * "Lifetime" above).
 */
#define L2TP_LNS_FOREACH_TUNNEL(lns, t) \
	for ((t) = l2tp_lns_next_tunnel((lns), NULL); (t); (t) = l2tp_lns_next_tunnel((lns), (t)))
#define L2TP_TUN_FOREACH_SESSION(tun, s) \
	for ((s) = l2tp_tun_next_session((tun), NULL); (s); (s) = l2tp_tun_next_session((tun), (s)))
#define L2TP_LNS_FOREACH_SESSION(lns, s) \
	for ((s) = l2tp_lns_next_session((lns), NULL); (s); (s) = l2tp_lns_next_session((lns), (s)))

/*
 * Resumable walks, for a listing spread over many calls while tunnels and
 * sessions come and go (the control socket's show-*): objects in the order
 * of their position, a fixed function of the ID (l2tp_walk_pos), whatever
 * the sizes of the tables. The first tunnel (session of tun) at or after
 * pos, NULL when none; resume with l2tp_walk_pos(id) + 1. Every object that
 * exists for the whole walk is returned exactly once; one created or freed
 * during it, at most once. The caller keeps IDs between calls, no pointers.
 */
uint64_t l2tp_walk_pos(uint32_t id);
#define L2TP_WALK_END ((uint64_t)1 << 32)
struct l2tp_tun *l2tp_lns_tunnel_from(const struct l2tp_lns *lns, uint64_t pos);
struct l2tp_sess *l2tp_tun_session_from(const struct l2tp_tun *tun, uint64_t pos);

uint32_t l2tp_lns_n_tunnels(const struct l2tp_lns *lns);
uint32_t l2tp_lns_n_sessions(const struct l2tp_lns *lns);
const struct l2tp_lns_stats *l2tp_lns_stats(const struct l2tp_lns *lns);

#endif
