/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reliable delivery of L2TP control messages (RFC 2661 §5.8 and Appendix A).
 * Pure: time is passed in, transmissions come out through an emit callback
 * from l2tp_rel_output(). One instance per control connection.
 *
 * Sequence numbers are 16-bit and compared wrap-safely: a is "before" b when
 * (int16_t)(a - b) < 0 (RFC 2661 §5.8, "modulo 2^16").
 */
#ifndef LNS_L2TP_REL_H
#define LNS_L2TP_REL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct l2tp_rel_cfg {
	uint16_t our_rws;        /* our receive window: out-of-order messages queued up to this */
	uint16_t peer_rws;       /* peer's Receive Window Size AVP, L2TP_DEFAULT_RWS when absent */
	uint32_t rto_initial_ms; /* first retransmission timeout */
	uint32_t rto_cap_ms;     /* exponential backoff stops doubling here */
	uint32_t max_retries;    /* retransmissions of one message before giving up */
	uint32_t ack_delay_ms;   /* delayed-ack timer before a ZLB is sent */
};

/*
 * Time from a message's receipt (its l2tp_rel_input() or, queued out of
 * order, its first arrival) to the first transmission that carried an Nr
 * acknowledging it (a ZLB or a piggy-backed message), in ms. Buckets are
 * not cumulative: bucket[i] counts delays <= l2tp_ack_hist_le_ms[i] and
 * above the bound before; bucket[L2TP_ACK_HIST_N] counts the rest.
 */
#define L2TP_ACK_HIST_N 10
extern const uint32_t l2tp_ack_hist_le_ms[L2TP_ACK_HIST_N];

struct l2tp_ack_hist {
	uint64_t bucket[L2TP_ACK_HIST_N + 1];
	uint64_t count;
	uint64_t sum_ms;
	uint64_t max_ms;
};

void l2tp_ack_hist_add(struct l2tp_ack_hist *h, uint64_t delay_ms);

/* Defaults: rws 8/4, rto 1000 ms doubling to 8000 ms, 5 retries, ZLB after 100 ms
 * (the delay applies only when no rule of l2tp_rel_input() acks at once). */
void l2tp_rel_cfg_default(struct l2tp_rel_cfg *cfg);

static inline bool l2tp_seq_before(uint16_t a, uint16_t b)
{
	return (int16_t)(uint16_t)(a - b) < 0;
}

struct l2tp_rel_pkt;   /* private: queued or in-flight message copy */

struct l2tp_rel_stats {
	uint64_t sent;            /* first transmissions */
	uint64_t retransmits;
	uint64_t zlb_sent;
	uint64_t zlb_rcvd;
	uint64_t zlb_bad_id;      /* ZLB not sent: peer_tunnel_id does not fit the v2 header */
	uint64_t duplicates;      /* received Ns already delivered: acked, dropped */
	uint64_t reordered;       /* queued out of order, later delivered */
	uint64_t out_of_window;   /* received Ns beyond our window: dropped */
	uint64_t bad_nr;          /* received Nr acks a message never sent: Nr ignored */
	uint64_t nomem;           /* out-of-order message not kept (no memory, or too big
				     for pop_ready's buffer): dropped, the peer retransmits */
	uint64_t ack_now;         /* delivered messages acked at once (window half full,
				     or quick acks after a duplicate), not delayed */
	uint64_t stall_rtx;       /* retransmission timers that ran late (a local stall):
				     retransmitted without shrinking CWND */
};

struct l2tp_rel {
	struct l2tp_rel_cfg cfg;
	/* IDs are uint32_t (l2tp_proto.h); the v2 header of a ZLB has 16 bits. */
	uint32_t peer_tunnel_id;  /* Tunnel ID written into ZLBs */
	/* Session ID written into ZLBs: the peer's ID of the call the acked
	 * message was about (0 for tunnel messages). The RFC does not require
	 * it, but xl2tpd completes a CDN it sent only on an ack naming the call. */
	uint32_t zlb_session_id;
	/* ns and nr start at 0; they may be set right after init (tests). */
	uint16_t ns;              /* Ns for the next new message */
	uint16_t nr;              /* next Ns expected from the peer (our Nr) */
	uint16_t una;             /* oldest Ns we sent that is not acknowledged */
	/* Appendix A congestion control; cwnd and ssthresh in messages. */
	uint16_t cwnd, ssthresh;
	uint16_t ca_acks;         /* acks counted towards the next cwnd increase */
	/* Messages not sent yet (window closed), then in flight (sent, unacked). */
	struct l2tp_rel_pkt *pend_head, *pend_tail;
	struct l2tp_rel_pkt *fly_head, *fly_tail;
	uint16_t n_fly;
	uint32_t rto_ms;          /* current timeout, doubled per retransmission up to the cap */
	uint32_t retries;         /* retransmissions of the oldest in-flight message */
	uint64_t rtx_deadline;    /* UINT64_MAX when nothing is in flight */
	/* Out-of-order messages by (ns - nr) slot, our_rws slots (none if 1). */
	struct l2tp_rel_pkt **ooo;
	bool ack_pending;
	uint64_t ack_deadline;
	uint16_t unacked;         /* messages delivered since our last transmitted Nr */
	uint16_t quick;           /* deliveries still to ack at once after a duplicate */
	/* Receipt times of the unacked deliveries, oldest first (rx_n of
	 * rx_cap); one beyond rx_cap counts from the newest kept. Every ack
	 * covers all of them (Nr is cumulative), so the array empties at once. */
	uint64_t *rx_ms;
	uint16_t rx_n, rx_cap;
	struct l2tp_ack_hist *ack_hist;  /* where ack delays are counted; NULL: nowhere */
	bool failed;              /* retry limit reached */
	struct l2tp_rel_stats stats;
};

int l2tp_rel_init(struct l2tp_rel *r, const struct l2tp_rel_cfg *cfg);  /* 0 or -ENOMEM */
void l2tp_rel_free(struct l2tp_rel *r);                                 /* frees queues */
void l2tp_rel_set_peer_rws(struct l2tp_rel *r, uint16_t rws);           /* 0 => default 4 */

/*
 * Queue an encoded control message (l2tp_mb_*; not a ZLB) for reliable
 * delivery. Its Ns is assigned now; Ns/Nr are written into the copy on each
 * transmission. 0 or -ENOMEM / -EMSGSIZE.
 */
int l2tp_rel_queue(struct l2tp_rel *r, const uint8_t *msg, size_t len);

enum l2tp_rel_verdict {
	L2TP_REL_DELIVER,       /* in order: process it now, then drain l2tp_rel_pop_ready() */
	L2TP_REL_ZLB,           /* ack only, nothing to process */
	L2TP_REL_DUPLICATE,     /* already delivered: dropped, an ack is scheduled at once */
	L2TP_REL_QUEUED,        /* ahead of Nr, inside our window: kept for later */
	L2TP_REL_OUT_OF_WINDOW, /* ahead of Nr beyond our window: dropped */
};

/*
 * Feed the Ns/Nr of a received control message (its header already decoded).
 * Nr acknowledges our messages (opening the window, growing cwnd, resetting
 * the backoff). A ZLB is never acknowledged. A message is acked (docs/design.md
 * §8.1):
 *   at once: a duplicate (§5.8), which also starts our_rws quick acks (the
 *     peer's retransmission collapsed its CWND to 1, Appendix A); a delivery
 *     while quick acks remain; a delivery that makes the unacked deliveries
 *     reach half our receive window, (our_rws + 1) / 2;
 *   at once by l2tp_rel_output(): whenever a message of ours is queued, on it
 *     when the window lets it go, else by a ZLB once two deliveries are
 *     unacked (the window waits for the peer, whose next message carries
 *     the ack we need);
 *   otherwise after ack_delay_ms, by a ZLB unless a message carries it first.
 * A queued copy of pkt is kept for L2TP_REL_QUEUED.
 */
enum l2tp_rel_verdict l2tp_rel_input(struct l2tp_rel *r, const uint8_t *pkt, size_t len,
				     uint16_t ns, uint16_t nr, bool zlb, uint64_t now_ms);

/*
 * After L2TP_REL_DELIVER: returns the next queued message that is now in
 * order (copied into buf, its length returned; 0 when none). Each one
 * returned advances Nr like a fresh in-order delivery. Pass cap >=
 * L2TP_MAX_MSG; a message larger than cap is dropped (stats.nomem) and Nr
 * stays, so the peer's retransmission arrives as L2TP_REL_DELIVER.
 */
size_t l2tp_rel_pop_ready(struct l2tp_rel *r, uint8_t *buf, size_t cap, uint64_t now_ms);

typedef void (*l2tp_rel_emit_fn)(void *ctx, const uint8_t *pkt, size_t len);

/*
 * Put on the wire whatever is due at now_ms: new messages the window
 * min(peer_rws, cwnd) allows, a retransmission whose timer expired (the
 * oldest in-flight message; Appendix A: ssthresh = max(cwnd/2, 1), cwnd = 1,
 * unless the timer ran a quarter of its timeout late: then our own process
 * stalled, that is no sign of congestion, and cwnd stays; stats.stall_rtx),
 * and a ZLB when an ack is due (or two deliveries are unacked while our
 * messages wait behind a closed window) and no message carried it. Returns 0, or
 * -ETIMEDOUT once a message was retransmitted max_retries times without an
 * ack (the caller tears the connection down; nothing more is emitted).
 */
int l2tp_rel_output(struct l2tp_rel *r, uint64_t now_ms, l2tp_rel_emit_fn emit, void *ctx);

/*
 * Earliest time l2tp_rel_output() has something to do; UINT64_MAX for never
 * (also once failed). 0 when queued messages can go out now (the window
 * opened after l2tp_rel_queue() or an ack in l2tp_rel_input()), or two
 * deliveries are unacked while messages wait: call output.
 */
uint64_t l2tp_rel_next_deadline(const struct l2tp_rel *r);

/* True when every queued message was sent and acknowledged. */
bool l2tp_rel_all_acked(const struct l2tp_rel *r);

#endif
