/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * L2TPv3 control connections and pseudowires (RFC 3931 §3.3, §5, §6, §7;
 * RFC 4719 for Ethernet), both roles: an LCCE answers SCCRQs from
 * configured peers and dials the peers it is told to initiate to, with
 * backoff, resolving simultaneous opens with the Tie Breaker (§5.4.3).
 * Pseudowires are placed (ICRQ -> ICRP -> ICCN) and accepted both ways.
 *
 * Pure, like l2tp_lns: datagrams and time come in, effects go out as a list
 * of actions the daemon performs in order. Reliable delivery is l2tp_rel's;
 * the v3 codec is l2tp_msg/l2tp_v3. docs/design.md §10.5.
 */
#ifndef LNS_L2TP_LCCE_H
#define LNS_L2TP_LCCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2tp_msg.h"
#include "l2tp_proto.h"
#include "l2tp_rel.h"
#include "lns_addr.h"

/* ---- configuration ------------------------------------------------------ */

enum l2tp_lcce_auth {
	L2TP_LCCE_AUTH_NONE,
	L2TP_LCCE_AUTH_DIGEST,     /* Message Digest + Nonce on every message (§4.3) */
	L2TP_LCCE_AUTH_CHALLENGE,  /* v2-style Challenge / Challenge Response (freeRtr) */
};

/* Who places a pseudowire's call (ICRQ). */
enum l2tp_lcce_role {
	L2TP_LCCE_RESPONDER,  /* only accepts the peer's ICRQ */
	L2TP_LCCE_INITIATOR,  /* places the call once the connection is up */
	/* Places the call when this LCCE originated the control connection,
	 * else waits for the peer's: one side places it, no session race. */
	L2TP_LCCE_BOTH,
};

struct l2tp_lcce_pw_cfg {
	const char *name;                /* for logs and the daemon's lookups */
	const uint8_t *remote_end_id;    /* Remote End ID AVP (§5.4.4), its bytes */
	size_t remote_end_id_len;        /* 1..L2TP_BLOB_MAX */
	uint16_t pw_type;                /* L2TP_PW_ETH or L2TP_PW_ETH_VLAN */
	uint8_t cookie_len;              /* the cookie we assign: 0, 4 or 8 */
	uint16_t l2spec;                 /* enum l2tp_l2_sublayer we require */
	bool sequencing;                 /* we require sequenced data */
	enum l2tp_lcce_role role;
	void *user;                      /* the daemon's per-pseudowire config */
};

struct l2tp_lcce_peer_cfg {
	const char *name;
	struct lns_addr addr;            /* the peer: matched on SCCRQ, dialled when initiating */
	struct lns_addr local;           /* our address towards it */
	enum l2tp_encap encap;
	bool initiate;                   /* dial it (with backoff) and keep a connection up */
	enum l2tp_lcce_auth auth;
	enum l2tp_digest_type digest;    /* with L2TP_LCCE_AUTH_DIGEST */
	const uint8_t *secret;           /* required for DIGEST and CHALLENGE */
	size_t secret_len;
	const struct l2tp_lcce_pw_cfg *pws;
	size_t n_pws;
};

struct l2tp_lcce_cfg {
	char hostname[64];
	uint32_t router_id;              /* Router ID AVP (§5.4.3), non-zero */
	struct l2tp_rel_cfg rel;
	uint32_t hello_interval_ms;      /* 0 = never */
	uint32_t setup_timeout_ms;       /* SCCCN after SCCRP, ICCN after ICRP, ICRP after ICRQ */
	uint32_t stopccn_hold_ms;        /* §5.7-style hold after StopCCN */
	uint32_t redial_min_ms, redial_max_ms;  /* initiator backoff: doubles from min to max */
	const struct l2tp_lcce_peer_cfg *peers;
	size_t n_peers;
	void (*rand_bytes)(void *ctx, void *buf, size_t len);
	void *rand_ctx;
};
void l2tp_lcce_cfg_default(struct l2tp_lcce_cfg *cfg);

/* ---- objects ------------------------------------------------------------ */

enum l2tp_cc_state {
	L2TP_CC_WAIT_CTL_REPLY,  /* initiator: SCCRQ sent (§7.2 wait-ctl-reply) */
	L2TP_CC_WAIT_CTL_CONN,   /* responder: SCCRP sent (§7.2 wait-ctl-conn) */
	L2TP_CC_ESTABLISHED,
	L2TP_CC_CLOSING,         /* StopCCN sent or received: holding */
	L2TP_CC_DEAD,
};
enum l2tp_pw_state {
	L2TP_PW_WAIT_REPLY,      /* ICRQ sent (§7.4 wait-reply) */
	L2TP_PW_WAIT_CONNECT,    /* ICRP sent (§7.4 wait-connect) */
	L2TP_PW_ESTABLISHED,
	L2TP_PW_DEAD,
};
const char *l2tp_cc_state_str(enum l2tp_cc_state s);
const char *l2tp_pw_state_str(enum l2tp_pw_state s);

struct l2tp_cc;

struct l2tp_pw {
	struct l2tp_cc *cc;
	const struct l2tp_lcce_pw_cfg *cfg;
	uint32_t sid, peer_sid;
	enum l2tp_pw_state state;
	bool outgoing;                   /* we sent the ICRQ */
	uint8_t rx_cookie_len, rx_cookie[L2TP_V3_COOKIE_MAX];  /* ours: required on receipt */
	uint8_t tx_cookie_len, tx_cookie[L2TP_V3_COOKIE_MAX];  /* the peer's: we send it */
	uint16_t l2spec;
	bool send_seq, recv_seq;
	bool local_up, remote_up;        /* circuit status, ours and the peer's (§5.4.5) */
	bool told_up;                    /* our status as the peer last heard it */
	bool kernel;                     /* PW_KERNEL_CREATE was emitted */
	uint16_t result, error;          /* why it ended */
	uint64_t deadline;               /* setup timeout */
	uint8_t tie_breaker[8];          /* in our ICRQ */
	void *user;
	struct l2tp_pw *next;
};

struct l2tp_cc {
	uint32_t ccid, peer_ccid;
	enum l2tp_cc_state state;
	bool originated;                 /* we sent the SCCRQ */
	const struct l2tp_lcce_peer_cfg *peer_cfg;
	struct lns_addr peer, local;
	char peer_hostname[64];
	uint32_t peer_router_id;
	uint8_t tie_breaker[8];          /* in our SCCRQ */
	uint8_t our_nonce[16];
	uint8_t peer_nonce[L2TP_BLOB_MAX];
	uint16_t peer_nonce_len;
	uint8_t our_challenge[16];
	bool kernel;                     /* CC_KERNEL_CREATE was emitted */
	bool stop_sent;
	struct l2tp_rel rel;
	uint64_t setup_deadline, hello_deadline, hold_deadline;
	uint16_t result, error;
	struct l2tp_pw *pws;
	void *user;
	struct l2tp_cc *next;
};

/* ---- actions ------------------------------------------------------------ */

/*
 * Pointers in an action list stay valid until the next call into the
 * module (it frees what went DEAD during the previous call first).
 */
enum lcce_act_type {
	/* Transmit buf[off..off+len] from local to peer with encap (the zero
	 * Session ID of IP encapsulation included). cc NULL: a stateless
	 * answer to a refused SCCRQ. */
	LCCE_ACT_SEND,
	LCCE_ACT_CC_STATE,          /* old_state -> new_state (cc); result/error when closing */
	/* Established: the kernel tunnel (version 3, encap, ccid, peer_ccid). */
	LCCE_ACT_CC_KERNEL_CREATE,
	LCCE_ACT_CC_KERNEL_DELETE,
	LCCE_ACT_CC_FREE,           /* the cc pointer is invalid afterwards */
	LCCE_ACT_PW_STATE,          /* old_state -> new_state (pw) */
	/* Established: the kernel session: pw's ids, cookies, l2spec, seq, pw type. */
	LCCE_ACT_PW_KERNEL_CREATE,
	LCCE_ACT_PW_KERNEL_DELETE,
	LCCE_ACT_PW_CIRCUIT,        /* the peer's circuit status changed: up */
	LCCE_ACT_PW_FREE,
	/* Dropped or refused input, for a rate-limited log line; reason static. */
	LCCE_ACT_NOTICE,
};

struct lcce_action {
	enum lcce_act_type type;
	struct l2tp_cc *cc;
	struct l2tp_pw *pw;
	const struct l2tp_lcce_peer_cfg *peer_cfg;
	struct lns_addr peer, local;
	enum l2tp_encap encap;
	uint32_t ccid, peer_ccid, sid, peer_sid;
	int old_state, new_state;
	uint16_t result, error;
	bool up;
	const char *reason;
	size_t off, len;
};

struct lcce_actions {
	struct lcce_action *v;
	size_t n, cap;
	uint8_t *buf;
	size_t blen, bcap;
	bool oom;
};
void lcce_actions_init(struct lcce_actions *a);
void lcce_actions_reset(struct lcce_actions *a);
void lcce_actions_free(struct lcce_actions *a);

/* ---- counters ----------------------------------------------------------- */

/*
 * Connections one peer config may hold at once (in setup, established or
 * closing). A peer needs one, two while a restart or a simultaneous open
 * settles; the cap keeps SCCRQs from many source ports of a configured
 * address (or forged with it) from growing the table without bound.
 */
#define L2TP_LCCE_CC_PER_PEER_MAX 8

enum l2tp_lcce_drop {
	LCCE_DROP_DECODE,          /* decode_err[] says why */
	LCCE_DROP_DATA,            /* a data message read in user space */
	LCCE_DROP_UNKNOWN_CC,      /* Control Connection ID we do not have */
	LCCE_DROP_WRONG_PEER,      /* right ID, other source address: another connection's */
	LCCE_DROP_UNKNOWN_PEER,    /* SCCRQ from an address with no peer config */
	LCCE_DROP_AUTH,            /* digest or challenge response wrong or missing */
	LCCE_DROP_UNEXPECTED,      /* not valid in the state (answered per RFC) */
	LCCE_DROP_UNKNOWN_PW,      /* Session ID we do not have */
	LCCE_DROP_REMOTE_END,      /* ICRQ for a Remote End ID not configured (CDN 6) */
	LCCE_DROP_TIE_LOST,        /* an SCCRQ or ICRQ that lost the tie (StopCCN 3 / CDN 13) */
	LCCE_DROP_LIMIT,           /* SCCRQ beyond L2TP_LCCE_CC_PER_PEER_MAX connections of a peer */
	LCCE_DROP_COUNT,
};
const char *l2tp_lcce_drop_str(enum l2tp_lcce_drop d);

struct l2tp_lcce_stats {
	uint64_t drops[LCCE_DROP_COUNT];
	uint64_t decode_err[L2TP_DEC_ERR_COUNT];
	uint64_t rx_msgs[L2TP_MSG_V3_TYPE_COUNT], tx_msgs[L2TP_MSG_V3_TYPE_COUNT];
	uint64_t dials, ccs_established, ccs_failed, pws_established, pws_failed;
	uint64_t ties_won, ties_lost, ties_equal;
};

/* ---- the LCCE ----------------------------------------------------------- */

struct l2tp_lcce;

struct l2tp_lcce *l2tp_lcce_new(const struct l2tp_lcce_cfg *cfg, uint64_t now_ms);
void l2tp_lcce_free(struct l2tp_lcce *l);   /* NULL-safe, silent */

/*
 * A datagram from peer at local, read from a v3 socket of the given
 * encapsulation. Control messages are found by Control Connection ID (0:
 * an SCCRQ); the source must be the connection's peer.
 */
void l2tp_lcce_input(struct l2tp_lcce *l, const struct lns_addr *peer,
		     const struct lns_addr *local, enum l2tp_encap encap, const uint8_t *pkt,
		     size_t len, uint64_t now_ms, struct lcce_actions *out);
/* Timers due at now_ms: retransmissions, acks, HELLO, setup, hold, redial. */
void l2tp_lcce_tick(struct l2tp_lcce *l, uint64_t now_ms, struct lcce_actions *out);
uint64_t l2tp_lcce_next_deadline(const struct l2tp_lcce *l);

/* Our circuit changed (the l2tpeth interface went down/up): SLI (§5.4.5). */
int l2tp_lcce_circuit(struct l2tp_lcce *l, uint32_t ccid, uint32_t sid, bool up,
		      uint64_t now_ms, struct lcce_actions *out);
/* Administrative StopCCN / CDN. -ENOENT when unknown. */
int l2tp_lcce_close_cc(struct l2tp_lcce *l, uint32_t ccid, uint16_t result, uint16_t error,
		       uint64_t now_ms, struct lcce_actions *out);
int l2tp_lcce_close_pw(struct l2tp_lcce *l, uint32_t ccid, uint32_t sid, uint16_t result,
		       uint16_t error, uint64_t now_ms, struct lcce_actions *out);
/* StopCCN 6 everywhere, and no more dialling. */
void l2tp_lcce_shutdown(struct l2tp_lcce *l, uint64_t now_ms, struct lcce_actions *out);

struct l2tp_cc *l2tp_lcce_cc(const struct l2tp_lcce *l, uint32_t ccid);
struct l2tp_cc *l2tp_lcce_next_cc(const struct l2tp_lcce *l, const struct l2tp_cc *cc);
struct l2tp_pw *l2tp_cc_pw(const struct l2tp_cc *cc, uint32_t sid);
const struct l2tp_lcce_stats *l2tp_lcce_stats(const struct l2tp_lcce *l);

#endif
