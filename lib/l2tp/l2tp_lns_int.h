/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the LNS control plane (l2tp_lns.c, l2tp_tun.c, l2tp_sess.c,
 * lns_actions.c): the server struct, the tables and the helpers the two
 * state machines share. Not for lnsd/.
 */
#ifndef LNS_L2TP_LNS_INT_H
#define LNS_L2TP_LNS_INT_H

#include "l2tp_lns.h"

/* Firmware Revision AVP we send (RFC 2661 §4.4.3): our protocol code revision. */
#define LNS_FIRMWARE_REV 0x0100
/* Highest protocol version we speak, as the StopCCN result 5 error code (§4.4.2). */
#define LNS_HIGHEST_VERSION 0x0100
#define LNS_PROTO_VERSION 1
#define LNS_PROTO_REVISION 0

#define LNS_SRC_BUCKETS 4096

struct l2tp_lns {
	struct l2tp_lns_cfg cfg;
	struct l2tp_peer_cfg nopeer;      /* used when cfg has no default_peer */

	/* Tunnels by our Tunnel ID and by (peer address, peer's Tunnel ID). */
	struct l2tp_tun **by_id, **by_peer;
	uint32_t nb_id, nb_peer;          /* bucket counts, powers of two */
	uint32_t n_tunnels;               /* not DEAD */
	uint32_t n_half_open;             /* WAIT_CTL_CONN */
	/* Half-open tunnels per source address, counted in buckets of a keyed
	 * hash: O(1), fixed memory, and colliding addresses only make the
	 * per-peer cap stricter, never looser. */
	uint16_t src_half_open[LNS_SRC_BUCKETS];
	uint32_t hash_seed;               /* random: peers cannot aim at a bucket */
	uint32_t n_sessions;              /* not DEAD */
	bool busy;                        /* l2tp_lns_set_busy(): new calls refused */

	/* Min-heap of live tunnels keyed by tun->deadline. */
	struct l2tp_tun **heap;
	uint32_t heap_n, heap_cap;

	/* Objects that went DEAD during the last call: freed at the top of the
	 * next one, so that pointers in the caller's action list stay valid
	 * while it performs them (docs/design.md §3 "marked dead and reaped"). */
	struct l2tp_tun *dead_tuns;
	struct l2tp_sess *dead_sess;

	struct l2tp_lns_stats stats;

	/* Scratch, kept here so that no 4-8 KiB buffers live on the stack. */
	struct l2tp_msg msg;
	struct l2tp_mbuf mb;
	uint8_t rbuf[L2TP_MAX_MSG];
};

/* Result and error code (and optional text) of a close we initiate. */
struct lns_reason {
	uint16_t result, error;
	const char *text;
};

/* ---- lns_actions.c ---------------------------------------------------- */

struct lns_action *lns_act_push(struct lns_actions *a, enum lns_act_type type,
				struct l2tp_tun *tun, struct l2tp_sess *s);
void lns_act_send(struct lns_actions *a, struct l2tp_tun *tun, const struct lns_addr *peer,
		  const struct lns_addr *local, const uint8_t *pkt, size_t len);
void lns_act_notice(struct lns_actions *a, struct l2tp_tun *tun, struct l2tp_sess *s,
		    const char *reason);
/* Copy a NUL-terminated string, truncating to fit (peer strings are long). */
void lns_strcpy(char *dst, size_t len, const char *src);

/* ---- l2tp_lns.c ------------------------------------------------------- */

void lns_drop(struct l2tp_lns *lns, enum l2tp_lns_drop d, struct l2tp_tun *tun,
	      struct l2tp_sess *s, const char *reason, struct lns_actions *out);
void lns_rand(struct l2tp_lns *lns, void *buf, size_t len);
uint16_t *lns_src_slot(struct l2tp_lns *lns, const struct lns_addr *a);
const uint8_t *lns_secret(const struct l2tp_tun *tun, size_t *len);
void lns_tun_unlink_peer(struct l2tp_lns *lns, struct l2tp_tun *tun);
void lns_tun_kill(struct l2tp_lns *lns, struct l2tp_tun *tun);
/* The end without waiting for the peer (l2tp_lns_abort_tunnel); no-op when DEAD. */
void lns_tun_abort(struct l2tp_lns *lns, struct l2tp_tun *tun, uint64_t now,
		   struct lns_actions *out);
void lns_count_tx(struct l2tp_lns *lns, uint16_t type, uint16_t result);
/*
 * A new tunnel for the accepted SCCRQ m, in WAIT_CTL_CONN, in the tables and
 * the heap; its Tunnel ID and its sessions' IDs are drawn from 1..id_max,
 * the width of its protocol (v2: L2TP_V2_ID_MAX). NULL: no memory or no ID.
 */
struct l2tp_tun *lns_tun_create(struct l2tp_lns *lns, const struct lns_addr *peer,
				const struct lns_addr *local, const struct l2tp_msg *m,
				const struct l2tp_peer_cfg *pc, uint32_t id_max, uint64_t now);
/* Queue the message in lns->mb on the tunnel's reliable channel. */
int lns_tun_queue(struct l2tp_lns *lns, struct l2tp_tun *tun, struct lns_actions *out);

/* Session table inside a tunnel. */
int lns_sess_hash_add(struct l2tp_tun *tun, struct l2tp_sess *s);
void lns_sess_hash_del(struct l2tp_tun *tun, struct l2tp_sess *s);
struct l2tp_sess *lns_sess_find(const struct l2tp_tun *tun, uint32_t sid);
/* A free Session ID for tun, 1..tun->id_max; 0 when none was found. */
uint32_t lns_sess_new_id(struct l2tp_lns *lns, const struct l2tp_tun *tun);

/* ---- l2tp_tun.c: the control connection FSM (§7.2.1) -------------------- */

enum lns_tun_event {
	LNS_TEV_SCCRQ,
	LNS_TEV_SCCRP,
	LNS_TEV_SCCCN,
	LNS_TEV_STOPCCN,
	LNS_TEV_HELLO,
	LNS_TEV_OTHER,          /* OCRQ/OCRP/OCCN/WEN/SLI, unknown types without M */
	LNS_TEV_UNKNOWN_M,      /* unknown message type or AVP with M set (tunnel scope) */
	LNS_TEV_ADMIN_CLOSE,
	LNS_TEV_SETUP_TIMEOUT,
	LNS_TEV_HELLO_TIMEOUT,
	LNS_TEV_HOLD_TIMEOUT,
	LNS_TEV_REL_FAILED,     /* retransmissions exhausted (§5.8) */
	LNS_TEV_REL_ACKED,      /* everything we sent was acknowledged */
};

void lns_tun_set_state(struct l2tp_lns *lns, struct l2tp_tun *tun, enum l2tp_tun_state st,
		       struct lns_actions *out);
void lns_tun_event(struct l2tp_lns *lns, struct l2tp_tun *tun, enum lns_tun_event ev,
		   const struct l2tp_msg *m, const struct lns_reason *why, uint64_t now,
		   struct lns_actions *out);
/* Accept an SCCRQ: take the peer's parameters, build and queue the SCCRP. */
void lns_tun_sccrp(struct l2tp_lns *lns, struct l2tp_tun *tun, const struct l2tp_msg *m,
		   uint64_t now, struct lns_actions *out);
void lns_tun_timers(struct l2tp_lns *lns, struct l2tp_tun *tun, uint64_t now,
		    struct lns_actions *out);
/* Recompute tun->deadline and fix its heap position. */
void lns_tun_rearm(struct l2tp_lns *lns, struct l2tp_tun *tun);
/* Process one in-order message on the tunnel; m was decoded with err. */
void lns_tun_deliver(struct l2tp_lns *lns, struct l2tp_tun *tun, const struct l2tp_msg *m,
		     enum l2tp_decode_err err, uint64_t now, struct lns_actions *out);

/* ---- l2tp_sess.c: the LNS incoming call FSM (§7.4.2) -------------------- */

enum lns_sess_event {
	LNS_SEV_ICRQ,
	LNS_SEV_ICRP,
	LNS_SEV_ICCN,
	LNS_SEV_CDN,
	LNS_SEV_OTHER,          /* OCRQ/OCRP/OCCN/WEN/SLI for this session */
	LNS_SEV_UNKNOWN_M,      /* unknown mandatory AVP in a session message */
	LNS_SEV_TIMEOUT,
	LNS_SEV_ADMIN_CLOSE,
	LNS_SEV_TUNNEL_CLOSE,
};

void lns_sess_set_state(struct l2tp_lns *lns, struct l2tp_sess *s, enum l2tp_sess_state st,
			struct lns_actions *out);
void lns_sess_event(struct l2tp_lns *lns, struct l2tp_sess *s, enum lns_sess_event ev,
		    const struct l2tp_msg *m, const struct lns_reason *why, uint64_t now,
		    struct lns_actions *out);
/* A session-scope message arrived on an established tunnel. */
void lns_sess_deliver(struct l2tp_lns *lns, struct l2tp_tun *tun, const struct l2tp_msg *m,
		      enum l2tp_decode_err err, uint64_t now, struct lns_actions *out);
/* CDN for a session that has no state here (refused ICRQ, stray ICRP). */
void lns_sess_refuse(struct l2tp_lns *lns, struct l2tp_tun *tun, uint32_t peer_sid,
		     const struct lns_reason *why, struct lns_actions *out);
void lns_sess_timers(struct l2tp_lns *lns, struct l2tp_tun *tun, uint64_t now,
		     struct lns_actions *out);
/* Free every session of a closing tunnel (SESSION_FREE each). */
void lns_sess_close_all(struct l2tp_lns *lns, struct l2tp_tun *tun, uint64_t now,
			struct lns_actions *out);
void lns_sess_destroy(struct l2tp_sess *s);

#endif
