// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reliable delivery of L2TP control messages (RFC 2661 §5.8, Appendix A).
 *
 * Send side: every queued message gets its Ns at once and waits in the
 * pending list until the window min(peer RWS, CWND) lets it fly. In-flight
 * messages stay, in Ns order, until the peer's Nr acknowledges them. One
 * timer covers the oldest in-flight message.
 *
 * Receive side: Nr is the next Ns we expect. Messages ahead of it but inside
 * our advertised window (offsets 1 .. our_rws - 1) are kept in r->ooo at
 * slot (ns - nr). The slots shift down by one each time Nr advances, so
 * after a delivery slot 0 holds the message that is now in order, which is
 * what pop_ready drains; input never stores into slot 0.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "l2tp_proto.h"
#include "l2tp_rel.h"

struct l2tp_rel_pkt {
	struct l2tp_rel_pkt *next;
	size_t len;
	uint64_t rx_ms;           /* out of order: when it arrived */
	uint16_t ns;
	uint8_t data[];
};

/*
 * Upper bounds of the ack delay buckets, 1 ms to 5 s. The delayed ack is
 * 100 ms plus the loop's timer slack (lnsd arms 1 ms late): (100, 150].
 */
const uint32_t l2tp_ack_hist_le_ms[L2TP_ACK_HIST_N] = {
	1, 10, 50, 100, 150, 300, 500, 1000, 2000, 5000,
};

void l2tp_ack_hist_add(struct l2tp_ack_hist *h, uint64_t delay_ms)
{
	size_t i = 0;

	while (i < L2TP_ACK_HIST_N && delay_ms > l2tp_ack_hist_le_ms[i])
		i++;
	h->bucket[i]++;
	h->count++;
	h->sum_ms += delay_ms;
	if (delay_ms > h->max_ms)
		h->max_ms = delay_ms;
}

/* Byte offsets of the sequence fields in a control header (RFC 2661 §3.1). */
enum {
	REL_OFF_FLAGS = 0,
	REL_OFF_LEN = 2,
	REL_OFF_TID = 4,
	REL_OFF_SID = 6,
	REL_OFF_NS = 8,
	REL_OFF_NR = 10,
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void l2tp_rel_cfg_default(struct l2tp_rel_cfg *cfg)
{
	cfg->our_rws = 8;
	cfg->peer_rws = L2TP_DEFAULT_RWS;
	cfg->rto_initial_ms = 1000;
	cfg->rto_cap_ms = 8000;
	cfg->max_retries = 5;
	cfg->ack_delay_ms = 100;
}

static struct l2tp_rel_pkt *pkt_new(const uint8_t *data, size_t len, uint16_t ns)
{
	struct l2tp_rel_pkt *p = malloc(sizeof(*p) + len);

	if (p == NULL)
		return NULL;
	p->next = NULL;
	p->len = len;
	p->rx_ms = 0;
	p->ns = ns;
	memcpy(p->data, data, len);
	return p;
}

static void list_free(struct l2tp_rel_pkt *p)
{
	while (p != NULL) {
		struct l2tp_rel_pkt *next = p->next;

		free(p);
		p = next;
	}
}

/* Out-of-order slots: one per offset 0 .. our_rws - 1; none for a window of 1. */
static size_t ooo_slots(const struct l2tp_rel *r)
{
	return r->cfg.our_rws > 1 ? r->cfg.our_rws : 0;
}

/* Ns the next message to go out will carry; a ZLB carries it too (§5.8). */
static uint16_t next_send_ns(const struct l2tp_rel *r)
{
	return r->pend_head != NULL ? r->pend_head->ns : r->ns;
}

static void update_una(struct l2tp_rel *r)
{
	r->una = r->fly_head != NULL ? r->fly_head->ns : next_send_ns(r);
}

static uint16_t send_window(const struct l2tp_rel *r)
{
	return r->cwnd < r->cfg.peer_rws ? r->cwnd : r->cfg.peer_rws;
}

int l2tp_rel_init(struct l2tp_rel *r, const struct l2tp_rel_cfg *cfg)
{
	size_t slots;

	memset(r, 0, sizeof(*r));
	r->cfg = *cfg;
	/* An RWS of 0 cannot be advertised (§4.4.3 RWS AVP); 1 means in order only. */
	if (r->cfg.our_rws == 0)
		r->cfg.our_rws = 1;
	if (r->cfg.peer_rws == 0)
		r->cfg.peer_rws = L2TP_DEFAULT_RWS;
	if (r->cfg.rto_initial_ms == 0)
		r->cfg.rto_initial_ms = 1;
	if (r->cfg.rto_cap_ms < r->cfg.rto_initial_ms)
		r->cfg.rto_cap_ms = r->cfg.rto_initial_ms;
	/* Appendix A: CWND starts at 1, SSTHRESH at the peer's window. */
	r->cwnd = 1;
	r->ssthresh = r->cfg.peer_rws;
	r->rto_ms = r->cfg.rto_initial_ms;
	r->rtx_deadline = UINT64_MAX;
	r->ack_deadline = UINT64_MAX;
	slots = ooo_slots(r);
	if (slots > 0) {
		r->ooo = calloc(slots, sizeof(*r->ooo));
		if (r->ooo == NULL)
			return -ENOMEM;
	}
	/* A peer within our window leaves at most our_rws deliveries unacked
	 * (fewer: half the window acks at once); twice that covers the rest. */
	r->rx_cap = (uint16_t)(2 * (uint32_t)r->cfg.our_rws > 0xffff ? 0xffff : 2 * r->cfg.our_rws);
	r->rx_ms = calloc(r->rx_cap, sizeof(*r->rx_ms));
	if (r->rx_ms == NULL) {
		free(r->ooo);
		r->ooo = NULL;
		return -ENOMEM;
	}
	return 0;
}

void l2tp_rel_free(struct l2tp_rel *r)
{
	list_free(r->pend_head);
	list_free(r->fly_head);
	r->pend_head = r->pend_tail = NULL;
	r->fly_head = r->fly_tail = NULL;
	r->n_fly = 0;
	if (r->ooo != NULL) {
		for (size_t i = 0; i < ooo_slots(r); i++)
			free(r->ooo[i]);
		free(r->ooo);
		r->ooo = NULL;
	}
	free(r->rx_ms);
	r->rx_ms = NULL;
	r->rx_n = 0;
}

void l2tp_rel_set_peer_rws(struct l2tp_rel *r, uint16_t rws)
{
	uint16_t old = r->cfg.peer_rws;

	/* §5.8: a peer that sends no Receive Window Size AVP has a window of 4. */
	if (rws == 0)
		rws = L2TP_DEFAULT_RWS;
	r->cfg.peer_rws = rws;
	/* Appendix A: SSTHRESH starts at the peer's window; keep a lowered one. */
	if (r->ssthresh == old || r->ssthresh > rws)
		r->ssthresh = rws;
	if (r->cwnd > rws)
		r->cwnd = rws;
}

int l2tp_rel_queue(struct l2tp_rel *r, const uint8_t *msg, size_t len)
{
	struct l2tp_rel_pkt *p;

	/* A ZLB is a bare header and is never queued: it is built by output. */
	if (len <= L2TP_CTRL_HDR_LEN || len > L2TP_MAX_MSG)
		return -EMSGSIZE;
	p = pkt_new(msg, len, r->ns);
	if (p == NULL)
		return -ENOMEM;
	r->ns++;
	if (r->pend_tail != NULL)
		r->pend_tail->next = p;
	else
		r->pend_head = p;
	r->pend_tail = p;
	update_una(r);
	return 0;
}

/* Keep the earliest ack deadline: a later event must not postpone an ack. */
static void ack_schedule(struct l2tp_rel *r, uint64_t when)
{
	if (!r->ack_pending || when < r->ack_deadline)
		r->ack_deadline = when;
	r->ack_pending = true;
}

/*
 * One more message delivered in order (Nr advanced), received at rx_ms.
 * Acked at once when quick acks remain or the unacked deliveries reach half
 * our window; otherwise after the delay (docs/design.md §8.1).
 */
static void delivered(struct l2tp_rel *r, uint64_t rx_ms, uint64_t now_ms)
{
	uint16_t half = (uint16_t)((r->cfg.our_rws + 1) / 2);

	if (r->unacked < UINT16_MAX)
		r->unacked++;
	if (r->rx_n < r->rx_cap)
		r->rx_ms[r->rx_n++] = rx_ms;
	if (r->quick > 0 || r->unacked >= half) {
		if (r->quick > 0)
			r->quick--;
		r->stats.ack_now++;
		ack_schedule(r, now_ms);
	} else {
		ack_schedule(r, now_ms + r->cfg.ack_delay_ms);
	}
}

/*
 * §5.8: a duplicate means the peer retransmitted, so our ack is late or lost:
 * ack at once. By Appendix A the peer's CWND is 1 now and grows one per ack;
 * delayed acks would hold each of its next rounds for ack_delay_ms, so the
 * next our_rws deliveries are acked at once too (quick acks).
 */
static enum l2tp_rel_verdict duplicate(struct l2tp_rel *r, uint64_t now_ms)
{
	r->stats.duplicates++;
	r->quick = r->cfg.our_rws;
	ack_schedule(r, now_ms);
	return L2TP_REL_DUPLICATE;
}

/* An Nr went out: every delivery so far is acknowledged, at now_ms. */
static void acked_all(struct l2tp_rel *r, uint64_t now_ms)
{
	uint64_t last = 0;

	if (r->unacked == 0)
		return;
	for (uint16_t i = 0; i < r->unacked; i++) {
		/* Beyond rx_cap (a peer ignoring our window): from the newest kept. */
		if (i < r->rx_n)
			last = r->rx_ms[i];
		if (r->ack_hist != NULL)
			l2tp_ack_hist_add(r->ack_hist, now_ms > last ? now_ms - last : 0);
	}
	r->unacked = 0;
	r->rx_n = 0;
}

/* Appendix A: one acknowledged message grows CWND, capped at the peer's RWS. */
static void cwnd_on_ack(struct l2tp_rel *r)
{
	if (r->cwnd < r->ssthresh) {
		r->cwnd++;          /* slow start */
	} else if (++r->ca_acks >= r->cwnd) {
		r->cwnd++;          /* congestion avoidance: +1 per CWND acks */
		r->ca_acks = 0;
	}
	if (r->cwnd > r->cfg.peer_rws)
		r->cwnd = r->cfg.peer_rws;
}

/* §5.8: Nr acknowledges every message with a lower Ns. */
static void process_nr(struct l2tp_rel *r, uint16_t nr, uint64_t now_ms)
{
	uint16_t base = r->fly_head != NULL ? r->fly_head->ns : next_send_ns(r);
	uint16_t acked = (uint16_t)(nr - base);

	if (l2tp_seq_before(nr, base))
		return;                 /* stale: an older ack, reordered or repeated */
	if (acked > r->n_fly) {
		r->stats.bad_nr++;      /* acks a message never sent: ignore it */
		return;
	}
	if (acked == 0)
		return;
	for (uint16_t i = 0; i < acked; i++) {
		struct l2tp_rel_pkt *p = r->fly_head;

		r->fly_head = p->next;
		free(p);
		r->n_fly--;
		cwnd_on_ack(r);
	}
	if (r->fly_head == NULL)
		r->fly_tail = NULL;
	/* Progress: restart the backoff for the new oldest message (§5.8). */
	r->retries = 0;
	r->rto_ms = r->cfg.rto_initial_ms;
	r->rtx_deadline = r->n_fly > 0 ? now_ms + r->rto_ms : UINT64_MAX;
	update_una(r);
}

/* Shift the out-of-order slots down after Nr advanced by one. */
static void ooo_shift(struct l2tp_rel *r)
{
	size_t slots = ooo_slots(r);

	if (slots == 0)
		return;
	memmove(&r->ooo[0], &r->ooo[1], (slots - 1) * sizeof(*r->ooo));
	r->ooo[slots - 1] = NULL;
}

enum l2tp_rel_verdict l2tp_rel_input(struct l2tp_rel *r, const uint8_t *pkt, size_t len,
				     uint16_t ns, uint16_t nr, bool zlb, uint64_t now_ms)
{
	uint16_t ahead = (uint16_t)(ns - r->nr);
	struct l2tp_rel_pkt **slot;

	process_nr(r, nr, now_ms);
	/*
	 * §5.8: a ZLB's Ns is the sender's next Ns, not a message of its own;
	 * it is only an ack and is itself never acknowledged.
	 */
	if (zlb) {
		r->stats.zlb_rcvd++;
		return L2TP_REL_ZLB;
	}
	if (ahead == 0 && r->ooo != NULL && r->ooo[0] != NULL)
		return duplicate(r, now_ms);   /* already queued, waiting in pop_ready */
	if (ahead == 0) {
		r->nr++;
		ooo_shift(r);
		delivered(r, now_ms, now_ms);
		return L2TP_REL_DELIVER;
	}
	if (l2tp_seq_before(ns, r->nr))
		return duplicate(r, now_ms);   /* §5.8: our ack may have been lost */
	if (ahead >= r->cfg.our_rws) {
		r->stats.out_of_window++;
		return L2TP_REL_OUT_OF_WINDOW;
	}
	/* Inside our window: keep it for when the gap is filled (§5.8). */
	slot = &r->ooo[ahead];
	if (*slot != NULL)
		return duplicate(r, now_ms);
	*slot = pkt_new(pkt, len, ns);
	if (*slot == NULL) {
		/* Not kept: the peer retransmits it. */
		r->stats.nomem++;
		return L2TP_REL_QUEUED;
	}
	(*slot)->rx_ms = now_ms;
	ack_schedule(r, now_ms + r->cfg.ack_delay_ms);
	return L2TP_REL_QUEUED;
}

size_t l2tp_rel_pop_ready(struct l2tp_rel *r, uint8_t *buf, size_t cap, uint64_t now_ms)
{
	struct l2tp_rel_pkt *p;
	size_t len;

	if (ooo_slots(r) == 0 || r->ooo[0] == NULL)
		return 0;
	p = r->ooo[0];
	r->ooo[0] = NULL;
	if (p->len > cap) {
		/* Nr stays: the peer retransmits it and it arrives in order. */
		free(p);
		r->stats.nomem++;
		return 0;
	}
	memcpy(buf, p->data, p->len);
	len = p->len;
	r->nr++;
	ooo_shift(r);
	r->stats.reordered++;
	delivered(r, p->rx_ms, now_ms);
	free(p);
	return len;
}

/* §5.8: every transmission carries the current Ns and Nr, so an ack piggybacks. */
static void transmit(struct l2tp_rel *r, struct l2tp_rel_pkt *p, uint64_t now_ms,
		     l2tp_rel_emit_fn emit, void *ctx)
{
	put16(p->data + REL_OFF_NS, p->ns);
	put16(p->data + REL_OFF_NR, r->nr);
	emit(ctx, p->data, p->len);
	r->ack_pending = false;
	r->ack_deadline = UINT64_MAX;
	acked_all(r, now_ms);
}

static void emit_zlb(struct l2tp_rel *r, uint64_t now_ms, l2tp_rel_emit_fn emit, void *ctx)
{
	uint8_t zlb[L2TP_CTRL_HDR_LEN];

	r->ack_pending = false;
	r->ack_deadline = UINT64_MAX;
	/* 16-bit IDs in the v2 header: never a truncated one. Without a Tunnel ID
	 * there is no ZLB (the next message acks); the Session ID is optional. */
	if (r->peer_tunnel_id > L2TP_V2_ID_MAX) {
		r->stats.zlb_bad_id++;
		return;
	}
	/* §5.8: ZLB = header only, Ns is the next Ns to send (not consumed). */
	put16(zlb + REL_OFF_FLAGS, L2TP_HDR_T | L2TP_HDR_L | L2TP_HDR_S | L2TP_VERSION);
	put16(zlb + REL_OFF_LEN, L2TP_CTRL_HDR_LEN);
	put16(zlb + REL_OFF_TID, (uint16_t)r->peer_tunnel_id);
	put16(zlb + REL_OFF_SID,
	      (uint16_t)(r->zlb_session_id > L2TP_V2_ID_MAX ? 0 : r->zlb_session_id));
	put16(zlb + REL_OFF_NS, next_send_ns(r));
	put16(zlb + REL_OFF_NR, r->nr);
	emit(ctx, zlb, sizeof(zlb));
	r->stats.zlb_sent++;
	acked_all(r, now_ms);
}

static bool closed_window_ack(const struct l2tp_rel *r)
{
	return r->pend_head != NULL && r->unacked >= 2;
}

int l2tp_rel_output(struct l2tp_rel *r, uint64_t now_ms, l2tp_rel_emit_fn emit, void *ctx)
{
	if (r->failed)
		return -ETIMEDOUT;

	/* Retransmission timer of the oldest in-flight message (§5.8). */
	if (r->fly_head != NULL && now_ms >= r->rtx_deadline) {
		uint64_t late = now_ms - r->rtx_deadline;

		if (r->retries >= r->cfg.max_retries) {
			r->failed = true;
			return -ETIMEDOUT;
		}
		if (late > 0 && late >= r->rto_ms / 4) {
			/*
			 * The timer ran a quarter of its timeout late: our own
			 * process stalled (docs/design.md §8.1). The peer's acks
			 * may be waiting in our socket; nothing says the network
			 * is congested. Retransmit, but keep the window.
			 */
			r->stats.stall_rtx++;
		} else {
			/* Appendix A: on a timeout halve SSTHRESH and restart from CWND 1. */
			r->ssthresh = r->cwnd / 2 > 1 ? r->cwnd / 2 : 1;
			r->cwnd = 1;
			r->ca_acks = 0;
		}
		transmit(r, r->fly_head, now_ms, emit, ctx);
		r->stats.retransmits++;
		r->retries++;
		/* §5.8: exponential backoff, bounded by the configured cap. */
		r->rto_ms = r->rto_ms > r->cfg.rto_cap_ms / 2 ? r->cfg.rto_cap_ms : r->rto_ms * 2;
		r->rtx_deadline = now_ms + r->rto_ms;
	}

	/* New messages as far as min(peer RWS, CWND) allows (§5.8, Appendix A). */
	while (r->pend_head != NULL && r->n_fly < send_window(r)) {
		struct l2tp_rel_pkt *p = r->pend_head;

		r->pend_head = p->next;
		if (r->pend_head == NULL)
			r->pend_tail = NULL;
		p->next = NULL;
		if (r->fly_tail != NULL)
			r->fly_tail->next = p;
		else
			r->fly_head = p;
		r->fly_tail = p;
		if (r->n_fly++ == 0) {
			r->rto_ms = r->cfg.rto_initial_ms;
			r->retries = 0;
			r->rtx_deadline = now_ms + r->rto_ms;
		}
		transmit(r, p, now_ms, emit, ctx);
		r->stats.sent++;
	}
	update_una(r);

	/*
	 * Delayed ack with nothing to carry it: a ZLB (§5.8). Also at once when
	 * our messages wait behind a closed window and two deliveries are
	 * unacked: they cannot carry the ack soon, and the peer's next message,
	 * which our ack lets it send, brings the ack that opens our window.
	 * Every second delivery, not every one (docs/design.md §8.1: measured).
	 */
	if (r->ack_pending && (now_ms >= r->ack_deadline || closed_window_ack(r)))
		emit_zlb(r, now_ms, emit, ctx);
	return 0;
}

uint64_t l2tp_rel_next_deadline(const struct l2tp_rel *r)
{
	uint64_t d = UINT64_MAX;

	if (r->failed)
		return UINT64_MAX;
	/* Window open with messages waiting: 0 means "call output now". */
	if (r->pend_head != NULL &&
	    (r->n_fly < send_window(r) || (r->ack_pending && closed_window_ack(r))))
		return 0;
	if (r->fly_head != NULL)
		d = r->rtx_deadline;
	if (r->ack_pending && r->ack_deadline < d)
		d = r->ack_deadline;
	return d;
}

bool l2tp_rel_all_acked(const struct l2tp_rel *r)
{
	return r->pend_head == NULL && r->fly_head == NULL;
}
