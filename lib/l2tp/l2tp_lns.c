// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The LNS control plane: tunnel tables, the deadline heap, input
 * demultiplexing, SCCRQ admission and the public API of l2tp_lns.h. The two
 * state machines live in l2tp_tun.c (RFC 2661 §7.2.1) and l2tp_sess.c
 * (§7.4.2).
 *
 * Scale (docs/design.md §8): tunnels are found by our Tunnel ID and by (peer
 * address, peer's Assigned Tunnel ID) in growing chained hashes; sessions by
 * our Session ID in a growing hash per tunnel; timers are one min-heap entry
 * per tunnel keyed by its earliest deadline. Nothing walks all tunnels or
 * sessions per packet or per tick.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "l2tp_lns_int.h"
#include "lns_grow.h"

#define LNS_MIN_BUCKETS 256u
#define LNS_SESS_MIN_BUCKETS 8u
#define LNS_ID_TRIES 16        /* random draws before scanning for a free ID */
#define LNS_ID_SCAN 65535u     /* successors of the last draw tried then: a v2 ID space */
#define HEAP_NONE UINT32_MAX

void l2tp_lns_cfg_default(struct l2tp_lns_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->hostname, "lnsd");
	strcpy(cfg->vendor, "lnsd");
	l2tp_rel_cfg_default(&cfg->rel);
	cfg->hello_interval_ms = 60000;
	cfg->setup_timeout_ms = 30000;
	cfg->stopccn_hold_ms = 31000;
	cfg->max_tunnels = 0;
	cfg->max_half_open = 1024;
	cfg->max_half_open_per_peer = 64;
	cfg->max_sessions = 0;
	cfg->max_sessions_per_tunnel = 0;
}

/* ---- small helpers ----------------------------------------------------- */

static uint32_t mix32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

static uint32_t peer_hash(const struct l2tp_lns *lns, const struct lns_addr *a, uint32_t peer_tid)
{
	uint32_t h = 2166136261u ^ lns->hash_seed;   /* keyed FNV-1a, then mixed */
	size_t alen = a->family == 4 ? 4 : 16;

	h = (h ^ a->family) * 16777619u;
	h = (h ^ (a->port & 0xff)) * 16777619u;
	h = (h ^ (a->port >> 8)) * 16777619u;
	for (size_t i = 0; i < alen; i++)
		h = (h ^ a->addr[i]) * 16777619u;
	for (int i = 0; i < 32; i += 8)       /* all four bytes of the ID */
		h = (h ^ ((peer_tid >> i) & 0xff)) * 16777619u;
	return mix32(h);
}

uint16_t *lns_src_slot(struct l2tp_lns *lns, const struct lns_addr *a)
{
	uint32_t h = 2166136261u ^ lns->hash_seed;
	size_t alen = a->family == 4 ? 4 : 16;

	for (size_t i = 0; i < alen; i++)
		h = (h ^ a->addr[i]) * 16777619u;
	return &lns->src_half_open[mix32(h) % LNS_SRC_BUCKETS];
}

void lns_rand(struct l2tp_lns *lns, void *buf, size_t len)
{
	if (lns->cfg.rand_bytes) {
		lns->cfg.rand_bytes(lns->cfg.rand_ctx, buf, len);
		return;
	}
	/* No RNG configured (tests that do not care): a fixed LCG keeps us pure. */
	static uint32_t x = 0x12345678u;
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
}

const uint8_t *lns_secret(const struct l2tp_tun *tun, size_t *len)
{
	if (!tun->peer_cfg || !tun->peer_cfg->secret || !tun->peer_cfg->secret_len) {
		*len = 0;
		return NULL;
	}
	*len = tun->peer_cfg->secret_len;
	return tun->peer_cfg->secret;
}

void lns_drop(struct l2tp_lns *lns, enum l2tp_lns_drop d, struct l2tp_tun *tun,
	      struct l2tp_sess *s, const char *reason, struct lns_actions *out)
{
	lns->stats.drops[d]++;
	if (reason)
		lns_act_notice(out, tun, s, reason);
}

void lns_count_tx(struct l2tp_lns *lns, uint16_t type, uint16_t result)
{
	if (type < L2TP_MSG_TYPE_COUNT)
		lns->stats.tx_msgs[type]++;
	if (type == L2TP_MSG_STOPCCN && result < 8)
		lns->stats.stopccn_sent_by_result[result]++;
	if (type == L2TP_MSG_CDN && result < 12)
		lns->stats.cdn_sent_by_result[result]++;
}

/* ---- tunnel hashes ------------------------------------------------------ */

/* mix32 takes the whole 32-bit ID: IDs that differ only above bit 15 spread too. */
static uint32_t id_bucket(const struct l2tp_lns *lns, uint32_t tid)
{
	return mix32(tid) & (lns->nb_id - 1);
}

static struct l2tp_tun *find_id(const struct l2tp_lns *lns, uint32_t tid)
{
	for (struct l2tp_tun *t = lns->by_id[id_bucket(lns, tid)]; t; t = t->hnext_id)
		if (t->tid == tid)
			return t;
	return NULL;
}

/* The key is not hashed: peers sharing an address:port are few (one NAT). */
static struct l2tp_tun *find_peer(const struct l2tp_lns *lns, const struct lns_addr *peer,
				  uint32_t peer_tid, uint32_t peer_key)
{
	uint32_t b = peer_hash(lns, peer, peer_tid) & (lns->nb_peer - 1);

	for (struct l2tp_tun *t = lns->by_peer[b]; t; t = t->hnext_peer)
		if (t->peer_tid == peer_tid && t->peer_key == peer_key &&
		    lns_addr_eq(&t->peer, peer))
			return t;
	return NULL;
}

/* Double both tables when they average more than one tunnel per bucket. */
static int grow_tables(struct l2tp_lns *lns)
{
	uint32_t nb = lns->nb_id * 2;
	struct l2tp_tun **nid = calloc(nb, sizeof(*nid));
	struct l2tp_tun **npeer = calloc(nb, sizeof(*npeer));

	if (!nid || !npeer) {
		free(nid);
		free(npeer);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < lns->nb_id; i++) {
		struct l2tp_tun *t = lns->by_id[i], *next;

		for (; t; t = next) {
			uint32_t b = mix32(t->tid) & (nb - 1);

			next = t->hnext_id;
			t->hnext_id = nid[b];
			nid[b] = t;
		}
	}
	for (uint32_t i = 0; i < lns->nb_peer; i++) {
		struct l2tp_tun *t = lns->by_peer[i], *next;

		for (; t; t = next) {
			uint32_t b = peer_hash(lns, &t->peer, t->peer_tid) & (nb - 1);

			next = t->hnext_peer;
			t->hnext_peer = npeer[b];
			npeer[b] = t;
		}
	}
	free(lns->by_id);
	free(lns->by_peer);
	lns->by_id = nid;
	lns->by_peer = npeer;
	lns->nb_id = lns->nb_peer = nb;
	return 0;
}

static void unlink_id(struct l2tp_lns *lns, struct l2tp_tun *tun)
{
	struct l2tp_tun **pp = &lns->by_id[id_bucket(lns, tun->tid)];

	for (; *pp; pp = &(*pp)->hnext_id)
		if (*pp == tun) {
			*pp = tun->hnext_id;
			tun->hnext_id = NULL;
			return;
		}
}

/* A closing tunnel no longer absorbs SCCRQs: a new one from the same peer
 * and peer Tunnel ID is a new control connection. */
void lns_tun_unlink_peer(struct l2tp_lns *lns, struct l2tp_tun *tun)
{
	struct l2tp_tun **pp;

	if (!tun->in_peer_hash)
		return;
	pp = &lns->by_peer[peer_hash(lns, &tun->peer, tun->peer_tid) & (lns->nb_peer - 1)];
	for (; *pp; pp = &(*pp)->hnext_peer)
		if (*pp == tun) {
			*pp = tun->hnext_peer;
			tun->hnext_peer = NULL;
			break;
		}
	tun->in_peer_hash = false;
}

/*
 * A random ID in 0..id_max. A v2 width draws 2 bytes, as it always did; a
 * wider one 4, reduced to the width (exact for 0xffff and 0xffffffff).
 */
static uint32_t draw_id(struct l2tp_lns *lns, uint32_t id_max)
{
	uint16_t v16;
	uint32_t v32;

	if (id_max <= L2TP_V2_ID_MAX) {
		lns_rand(lns, &v16, sizeof(v16));
		v32 = v16;
	} else {
		lns_rand(lns, &v32, sizeof(v32));
	}
	return (uint32_t)(v32 % ((uint64_t)id_max + 1));
}

/*
 * Random, non-zero, at most id_max (the width of the tunnel's protocol) and
 * not taken; 0 when none was found: LNS_ID_TRIES draws, then the
 * LNS_ID_SCAN successors of the last one, wrapping at id_max.
 */
static uint32_t new_id(struct l2tp_lns *lns, uint32_t id_max,
		       bool (*taken)(const void *where, uint32_t id), const void *where)
{
	uint32_t id = 0;

	for (int i = 0; i < LNS_ID_TRIES; i++) {
		id = draw_id(lns, id_max);
		if (id && !taken(where, id))
			return id;
	}
	for (uint32_t n = 0; n < LNS_ID_SCAN; n++) {
		id = id >= id_max ? 0 : id + 1;
		if (id && !taken(where, id))
			return id;
	}
	return 0;
}

static bool tid_taken(const void *lns, uint32_t id)
{
	return find_id(lns, id) != NULL;
}

/* ---- deadline heap ------------------------------------------------------ */

static void heap_set(struct l2tp_lns *lns, uint32_t i, struct l2tp_tun *t)
{
	lns->heap[i] = t;
	t->heap_idx = i;
}

static void heap_up(struct l2tp_lns *lns, uint32_t i)
{
	struct l2tp_tun *t = lns->heap[i];

	while (i > 0) {
		uint32_t p = (i - 1) / 2;

		if (lns->heap[p]->deadline <= t->deadline)
			break;
		heap_set(lns, i, lns->heap[p]);
		i = p;
	}
	heap_set(lns, i, t);
}

static void heap_down(struct l2tp_lns *lns, uint32_t i)
{
	struct l2tp_tun *t = lns->heap[i];

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= lns->heap_n)
			break;
		if (c + 1 < lns->heap_n && lns->heap[c + 1]->deadline < lns->heap[c]->deadline)
			c++;
		if (t->deadline <= lns->heap[c]->deadline)
			break;
		heap_set(lns, i, lns->heap[c]);
		i = c;
	}
	heap_set(lns, i, t);
}

static int heap_insert(struct l2tp_lns *lns, struct l2tp_tun *t)
{
	size_t cap = lns->heap_cap;

	if (lns_grow((void **)&lns->heap, &cap, (size_t)lns->heap_n + 1, sizeof(*lns->heap), 64))
		return -ENOMEM;
	lns->heap_cap = (uint32_t)cap;   /* far below 2^32: one entry per tunnel */
	heap_set(lns, lns->heap_n++, t);
	heap_up(lns, t->heap_idx);
	return 0;
}

static void heap_remove(struct l2tp_lns *lns, struct l2tp_tun *t)
{
	uint32_t i = t->heap_idx;
	struct l2tp_tun *last;

	if (i == HEAP_NONE)
		return;
	t->heap_idx = HEAP_NONE;
	last = lns->heap[--lns->heap_n];
	if (last == t)
		return;
	heap_set(lns, i, last);
	heap_up(lns, i);
	heap_down(lns, last->heap_idx);
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

void lns_tun_rearm(struct l2tp_lns *lns, struct l2tp_tun *tun)
{
	uint64_t d = l2tp_rel_next_deadline(&tun->rel);

	switch (tun->state) {
	case L2TP_TUN_WAIT_CTL_CONN:
		d = min64(d, tun->setup_deadline);
		break;
	case L2TP_TUN_ESTABLISHED:
		if (lns->cfg.hello_interval_ms)
			d = min64(d, tun->hello_deadline);
		if (tun->ohead)
			d = min64(d, tun->ohead->deadline);
		break;
	case L2TP_TUN_CLOSING:
		d = min64(d, tun->hold_deadline);
		break;
	case L2TP_TUN_DEAD:
		return;
	}
	tun->deadline = d;
	if (tun->heap_idx == HEAP_NONE)
		return;
	heap_up(lns, tun->heap_idx);
	heap_down(lns, tun->heap_idx);
}

/* ---- sessions inside a tunnel -------------------------------------------- */

static uint32_t sess_bucket(uint32_t sid, uint32_t nb)
{
	return mix32(sid) & (nb - 1);
}

struct l2tp_sess *lns_sess_find(const struct l2tp_tun *tun, uint32_t sid)
{
	if (!tun->nbuckets)
		return NULL;
	for (struct l2tp_sess *s = tun->sbuckets[sess_bucket(sid, tun->nbuckets)]; s; s = s->hnext)
		if (s->sid == sid)
			return s;
	return NULL;
}

int lns_sess_hash_add(struct l2tp_tun *tun, struct l2tp_sess *s)
{
	uint32_t b;

	if (!tun->nbuckets || tun->n_sessions + 1 > 2 * tun->nbuckets) {
		uint32_t nb = tun->nbuckets ? tun->nbuckets * 2 : LNS_SESS_MIN_BUCKETS;
		struct l2tp_sess **nbk = calloc(nb, sizeof(*nbk));

		if (!nbk) {
			if (!tun->nbuckets)
				return -ENOMEM;
		} else {
			for (uint32_t i = 0; i < tun->nbuckets; i++) {
				struct l2tp_sess *x = tun->sbuckets[i], *next;

				for (; x; x = next) {
					uint32_t nbi = sess_bucket(x->sid, nb);

					next = x->hnext;
					x->hnext = nbk[nbi];
					nbk[nbi] = x;
				}
			}
			free(tun->sbuckets);
			tun->sbuckets = nbk;
			tun->nbuckets = nb;
		}
	}
	b = sess_bucket(s->sid, tun->nbuckets);
	s->hnext = tun->sbuckets[b];
	tun->sbuckets[b] = s;
	tun->n_sessions++;
	return 0;
}

void lns_sess_hash_del(struct l2tp_tun *tun, struct l2tp_sess *s)
{
	struct l2tp_sess **pp = &tun->sbuckets[sess_bucket(s->sid, tun->nbuckets)];

	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == s) {
			*pp = s->hnext;
			s->hnext = NULL;
			tun->n_sessions--;
			return;
		}
}

static bool sid_taken(const void *tun, uint32_t id)
{
	return lns_sess_find(tun, id) != NULL;
}

uint32_t lns_sess_new_id(struct l2tp_lns *lns, const struct l2tp_tun *tun)
{
	return new_id(lns, tun->id_max, sid_taken, tun);
}

/* ---- tunnel lifetime ---------------------------------------------------- */

static void tun_destroy(struct l2tp_tun *tun)
{
	l2tp_rel_free(&tun->rel);
	free(tun->sbuckets);
	free(tun);
}

/* Sessions are gone (SESSION_FREE emitted); the tunnel goes DEAD now and is
 * freed at the top of the next call. */
void lns_tun_kill(struct l2tp_lns *lns, struct l2tp_tun *tun)
{
	lns_tun_unlink_peer(lns, tun);
	unlink_id(lns, tun);
	heap_remove(lns, tun);
	tun->dnext = lns->dead_tuns;
	lns->dead_tuns = tun;
}

static void reap(struct l2tp_lns *lns)
{
	while (lns->dead_sess) {
		struct l2tp_sess *s = lns->dead_sess;

		lns->dead_sess = s->hnext;
		lns_sess_destroy(s);
		lns->stats.sessions_by_state[L2TP_SESS_DEAD]--;
	}
	while (lns->dead_tuns) {
		struct l2tp_tun *t = lns->dead_tuns;

		lns->dead_tuns = t->dnext;
		tun_destroy(t);
		lns->stats.tunnels_by_state[L2TP_TUN_DEAD]--;
	}
}

struct emit_ctx {
	struct l2tp_lns *lns;
	struct l2tp_tun *tun;
	struct lns_actions *out;
};

static void emit_send(void *ctx, const uint8_t *pkt, size_t len)
{
	struct emit_ctx *e = ctx;

	e->tun->tx_msgs++;
	lns_act_send(e->out, e->tun, &e->tun->peer, &e->tun->local, pkt, len);
}

int lns_tun_queue(struct l2tp_lns *lns, struct l2tp_tun *tun, struct lns_actions *out)
{
	int err;

	if (lns->mb.overflow) {
		lns_act_notice(out, tun, NULL,
			       "control message not built: too long, or an ID beyond 16 bits");
		return -EMSGSIZE;
	}
	err = l2tp_rel_queue(&tun->rel, lns->mb.data, lns->mb.len);
	if (err) {
		out->oom = out->oom || err == -ENOMEM;
		lns_act_notice(out, tun, NULL, "control message could not be queued");
	}
	return err;
}

/*
 * After every event on a tunnel: put due messages on the wire, turn a failed
 * or fully acknowledged channel into its FSM event, then re-key the heap.
 */
static void tun_finish(struct l2tp_lns *lns, struct l2tp_tun *tun, uint64_t now,
		       struct lns_actions *out)
{
	struct emit_ctx ec = { lns, tun, out };
	int err;

	if (tun->state == L2TP_TUN_DEAD)
		return;
	err = l2tp_rel_output(&tun->rel, now, emit_send, &ec);
	lns->stats.retransmits += tun->rel.stats.retransmits - tun->rel_retransmits;
	tun->rel_retransmits = tun->rel.stats.retransmits;
	lns->stats.retransmits_late += tun->rel.stats.stall_rtx - tun->rel_stall_rtx;
	tun->rel_stall_rtx = tun->rel.stats.stall_rtx;
	lns->stats.tx_msgs[L2TP_MSG_ZLB] += tun->rel.stats.zlb_sent - tun->rel_zlbs;
	tun->rel_zlbs = tun->rel.stats.zlb_sent;
	if (err == -ETIMEDOUT)
		lns_tun_event(lns, tun, LNS_TEV_REL_FAILED, NULL, NULL, now, out);
	else if (tun->state == L2TP_TUN_CLOSING && tun->stop_sent &&
		 l2tp_rel_all_acked(&tun->rel))
		lns_tun_event(lns, tun, LNS_TEV_REL_ACKED, NULL, NULL, now, out);
	if (tun->state != L2TP_TUN_DEAD)
		lns_tun_rearm(lns, tun);
}

/* Our part of the decode outcome: everything else is a counted drop. */
static bool decode_usable(enum l2tp_decode_err e)
{
	return e == L2TP_DEC_OK || e == L2TP_DEC_UNKNOWN_MANDATORY || e == L2TP_DEC_MISSING_AVP ||
	       e == L2TP_DEC_UNKNOWN_MSG_TYPE;
}

static void count_rx(struct l2tp_lns *lns, struct l2tp_tun *tun, uint16_t type)
{
	if (type < L2TP_MSG_TYPE_COUNT)
		lns->stats.rx_msgs[type]++;
	if (tun)
		tun->rx_msgs++;
}

static void drop_decode(struct l2tp_lns *lns, enum l2tp_decode_err e, struct l2tp_tun *tun,
			struct lns_actions *out)
{
	if (e < L2TP_DEC_ERR_COUNT)
		lns->stats.decode_err[e]++;
	lns_drop(lns, L2TP_DROP_DECODE, tun, NULL, l2tp_decode_err_str(e), out);
}

/* A control message for an existing tunnel, already matched to its peer. */
static void tun_input(struct l2tp_lns *lns, struct l2tp_tun *tun, const uint8_t *pkt,
		      size_t len, uint64_t now, struct lns_actions *out)
{
	struct l2tp_msg *m = &lns->msg;
	size_t slen;
	const uint8_t *secret = lns_secret(tun, &slen);
	enum l2tp_decode_err e = l2tp_msg_decode(pkt, len, secret, slen, m);
	enum l2tp_rel_verdict v;

	if (!decode_usable(e)) {
		drop_decode(lns, e, tun, out);
		return;
	}
	count_rx(lns, tun, m->type);
	/* Anything heard from the peer, a ZLB included, proves it alive. */
	tun->last_rx_ms = now;
	tun->hello_deadline = now + lns->cfg.hello_interval_ms;
	v = l2tp_rel_input(&tun->rel, pkt, len, m->hdr.ns, m->hdr.nr, m->type == L2TP_MSG_ZLB,
			   now);
	switch (v) {
	case L2TP_REL_DELIVER:
		lns_tun_deliver(lns, tun, m, e, now, out);
		while (tun->state != L2TP_TUN_DEAD) {
			size_t n = l2tp_rel_pop_ready(&tun->rel, lns->rbuf, sizeof(lns->rbuf), now);

			if (!n)
				break;
			e = l2tp_msg_decode(lns->rbuf, n, secret, slen, m);
			if (!decode_usable(e)) {
				drop_decode(lns, e, tun, out);
				continue;
			}
			lns_tun_deliver(lns, tun, m, e, now, out);
		}
		break;
	case L2TP_REL_ZLB:
	case L2TP_REL_QUEUED:
		break;
	case L2TP_REL_DUPLICATE:
		/* §5.8: acknowledged again by the rel, otherwise ignored. */
		lns->stats.drops[L2TP_DROP_DUPLICATE]++;
		break;
	case L2TP_REL_OUT_OF_WINDOW:
		lns_drop(lns, L2TP_DROP_OUT_OF_WINDOW, tun, NULL, "Ns outside our receive window",
			 out);
		break;
	}
	tun_finish(lns, tun, now, out);
}

/* ---- SCCRQ admission ---------------------------------------------------- */

/*
 * Refuse an SCCRQ without creating state (RFC 2661 §7.2.1 idle: "Recv SCCRQ,
 * not acceptable: Send StopCCN, Clean up"). Sent once, unreliably, from the
 * listener: a retransmitted SCCRQ gets the same answer. Header: the peer's
 * Tunnel ID, Ns 0, Nr acknowledging the SCCRQ. Our Assigned Tunnel ID AVP
 * (mandatory in StopCCN, §6.4) is 0 because no tunnel was assigned.
 */
static void refuse_sccrq(struct l2tp_lns *lns, const struct lns_addr *peer,
			 const struct lns_addr *local, const struct l2tp_msg *m, uint16_t result,
			 uint16_t error, const char *why, enum l2tp_lns_drop d,
			 struct lns_actions *out)
{
	struct l2tp_mbuf *b = &lns->mb;
	struct lns_action *act;
	uint16_t nr = (uint16_t)(m->hdr.ns + 1);

	l2tp_mb_begin(b, m->assigned_tunnel_id, 0, L2TP_MSG_STOPCCN);
	l2tp_mb_id(b, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, 0);
	l2tp_mb_result(b, result, error, why);
	lns->stats.drops[d]++;
	act = lns_act_push(out, LNS_ACT_NOTICE, NULL, NULL);
	if (act) {
		act->peer = *peer;
		act->local = *local;
		act->reason = why;
		act->result = result;
		act->error = error;
	}
	if (b->overflow)
		return;
	b->data[8] = 0;
	b->data[9] = 0;
	b->data[10] = (uint8_t)(nr >> 8);
	b->data[11] = (uint8_t)nr;
	lns_act_send(out, NULL, peer, local, b->data, b->len);
	lns_count_tx(lns, L2TP_MSG_STOPCCN, result);
}

static const struct l2tp_peer_cfg *peer_for(struct l2tp_lns *lns, const struct lns_addr *peer,
					    const char *hostname)
{
	const struct l2tp_peer_cfg *pc = NULL;

	if (lns->cfg.peer_lookup)
		pc = lns->cfg.peer_lookup(lns->cfg.peer_ctx, peer, hostname);
	if (!pc)
		pc = lns->cfg.default_peer;
	return pc ? pc : &lns->nopeer;
}

struct l2tp_tun *lns_tun_create(struct l2tp_lns *lns, const struct lns_addr *peer,
				const struct lns_addr *local, const struct l2tp_msg *m,
				const struct l2tp_peer_cfg *pc, uint32_t id_max, uint64_t now)
{
	struct l2tp_tun *tun;
	uint32_t b;

	/* A failed resize only makes the chains longer. */
	if (lns->n_tunnels + 1 > lns->nb_id)
		(void)grow_tables(lns);
	tun = calloc(1, sizeof(*tun));
	if (!tun)
		return NULL;
	tun->heap_idx = HEAP_NONE;
	tun->id_max = id_max;
	tun->tid = new_id(lns, id_max, tid_taken, lns);
	if (!tun->tid || l2tp_rel_init(&tun->rel, &lns->cfg.rel)) {
		free(tun);
		return NULL;
	}
	tun->deadline = UINT64_MAX;
	if (heap_insert(lns, tun)) {
		l2tp_rel_free(&tun->rel);
		free(tun);
		return NULL;
	}
	tun->peer_tid = m->assigned_tunnel_id;
	tun->rel.peer_tunnel_id = tun->peer_tid;
	tun->rel.ack_hist = &lns->stats.ack_delay;
	/* A peer that starts at another Ns is taken at its word (§5.8). */
	tun->rel.nr = m->hdr.ns;
	tun->peer = *peer;
	tun->local = *local;
	tun->peer_cfg = pc;
	tun->state = L2TP_TUN_WAIT_CTL_CONN;
	tun->created_ms = now;
	tun->last_rx_ms = now;
	tun->setup_deadline = now + lns->cfg.setup_timeout_ms;
	tun->hello_deadline = UINT64_MAX;
	tun->hold_deadline = UINT64_MAX;

	b = id_bucket(lns, tun->tid);
	tun->hnext_id = lns->by_id[b];
	lns->by_id[b] = tun;
	b = peer_hash(lns, peer, tun->peer_tid) & (lns->nb_peer - 1);
	tun->hnext_peer = lns->by_peer[b];
	lns->by_peer[b] = tun;
	tun->in_peer_hash = true;

	lns->n_tunnels++;
	lns->n_half_open++;
	(*lns_src_slot(lns, peer))++;
	lns->stats.tunnels_created++;
	lns->stats.tunnels_by_state[L2TP_TUN_WAIT_CTL_CONN]++;
	return tun;
}

static void sccrq_input(struct l2tp_lns *lns, const struct lns_addr *peer,
			const struct lns_addr *local, uint32_t peer_key, const uint8_t *pkt,
			size_t len, uint64_t now, struct lns_actions *out)
{
	struct l2tp_msg *m = &lns->msg;
	const struct l2tp_peer_cfg *pc;
	struct l2tp_tun *tun;
	enum l2tp_decode_err e;
	struct lns_action *act;

	/* First pass without a secret, only to choose the peer by Host Name. */
	e = l2tp_msg_decode(pkt, len, NULL, 0, m);
	if (!decode_usable(e) && e != L2TP_DEC_HIDDEN_NO_SECRET) {
		drop_decode(lns, e, NULL, out);
		return;
	}
	if (m->type != L2TP_MSG_SCCRQ) {
		/* §3.1: only an SCCRQ may carry Tunnel ID 0. */
		count_rx(lns, NULL, m->type);
		lns_drop(lns, L2TP_DROP_UNKNOWN_TUNNEL, NULL, NULL,
			 "Tunnel ID 0 on a message other than SCCRQ", out);
		return;
	}
	pc = peer_for(lns, peer, m->host_name);
	if (pc->secret && pc->secret_len)
		e = l2tp_msg_decode(pkt, len, pc->secret, pc->secret_len, m);
	if (!decode_usable(e)) {
		drop_decode(lns, e, NULL, out);
		return;
	}
	if (!l2tp_msg_has(m, L2TP_AVP_ASSIGNED_TUNNEL_ID) || !m->assigned_tunnel_id) {
		/* Nobody to answer: a StopCCN would need the peer's Tunnel ID. */
		lns->stats.decode_err[L2TP_DEC_MISSING_AVP]++;
		lns_drop(lns, L2TP_DROP_DECODE, NULL, NULL, "SCCRQ without Assigned Tunnel ID",
			 out);
		return;
	}
	/* A retransmitted SCCRQ belongs to the tunnel it created (docs/design.md §6.3):
	 * its rel sees Ns 0 again and acks it as a duplicate. Peers behind one
	 * NAT share the address and may pick the same ID: the key tells them
	 * apart (§5.5). */
	tun = find_peer(lns, peer, m->assigned_tunnel_id, peer_key);
	if (tun) {
		tun_input(lns, tun, pkt, len, now, out);
		return;
	}
	count_rx(lns, NULL, m->type);
	if (e == L2TP_DEC_UNKNOWN_MANDATORY) {
		/* §4.1: unknown M-bit AVP in a tunnel message clears the tunnel. */
		refuse_sccrq(lns, peer, local, m, L2TP_STOPCCN_GENERAL_ERROR,
			     L2TP_ERR_UNKNOWN_MANDATORY_AVP, "unknown mandatory AVP in SCCRQ",
			     L2TP_DROP_DECODE, out);
		lns->stats.decode_err[e]++;
		return;
	}
	if (e == L2TP_DEC_MISSING_AVP) {
		refuse_sccrq(lns, peer, local, m, L2TP_STOPCCN_GENERAL_ERROR,
			     L2TP_ERR_VENDOR_SPECIFIC, "mandatory AVP missing in SCCRQ",
			     L2TP_DROP_DECODE, out);
		lns->stats.decode_err[e]++;
		return;
	}
	if (m->protocol_version != LNS_PROTO_VERSION || m->protocol_revision != LNS_PROTO_REVISION) {
		/* §4.4.2 result 5: the error code carries our highest version. */
		refuse_sccrq(lns, peer, local, m, L2TP_STOPCCN_BAD_VERSION, LNS_HIGHEST_VERSION,
			     "protocol version not supported", L2TP_DROP_UNEXPECTED, out);
		return;
	}
	if (l2tp_msg_has(m, L2TP_AVP_CHALLENGE) && !(pc->secret && pc->secret_len)) {
		/* We cannot answer a challenge without a shared secret (§5.1.1). */
		refuse_sccrq(lns, peer, local, m, L2TP_STOPCCN_NOT_AUTHORIZED, L2TP_ERR_NONE,
			     "peer challenged us but no secret is configured", L2TP_DROP_AUTH, out);
		return;
	}
	if (lns->cfg.max_tunnels && lns->n_tunnels >= lns->cfg.max_tunnels) {
		refuse_sccrq(lns, peer, local, m, L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_NO_RESOURCES,
			     "tunnel limit reached", L2TP_DROP_LIMIT, out);
		return;
	}
	if (lns->cfg.max_half_open && lns->n_half_open >= lns->cfg.max_half_open) {
		refuse_sccrq(lns, peer, local, m, L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_NO_RESOURCES,
			     "half-open tunnel limit reached", L2TP_DROP_LIMIT, out);
		return;
	}
	if (lns->cfg.max_half_open_per_peer &&
	    *lns_src_slot(lns, peer) >= lns->cfg.max_half_open_per_peer) {
		refuse_sccrq(lns, peer, local, m, L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_NO_RESOURCES,
			     "half-open tunnel limit for this peer address reached", L2TP_DROP_LIMIT,
			     out);
		return;
	}
	tun = lns_tun_create(lns, peer, local, m, pc, L2TP_V2_ID_MAX, now);
	if (!tun) {
		refuse_sccrq(lns, peer, local, m, L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_NO_RESOURCES,
			     "no memory or no free Tunnel ID", L2TP_DROP_LIMIT, out);
		return;
	}
	tun->peer_key = peer_key;
	tun->rx_msgs++;
	act = lns_act_push(out, LNS_ACT_TUNNEL_NEW, tun, NULL);
	if (act)
		act->new_state = L2TP_TUN_WAIT_CTL_CONN;
	/* The SCCRQ is Ns 0 of this connection: deliver it through the rel so
	 * that Nr advances and the SCCRP carries the ack. */
	(void)l2tp_rel_input(&tun->rel, pkt, len, m->hdr.ns, m->hdr.nr, false, now);
	lns_tun_sccrp(lns, tun, m, now, out);
	tun_finish(lns, tun, now, out);
}

/* ---- public API --------------------------------------------------------- */

struct l2tp_lns *l2tp_lns_new(const struct l2tp_lns_cfg *cfg)
{
	struct l2tp_lns *lns = calloc(1, sizeof(*lns));

	if (!lns)
		return NULL;
	lns->cfg = *cfg;
	lns->nopeer.name = "default";
	lns_rand(lns, &lns->hash_seed, sizeof(lns->hash_seed));
	lns->nb_id = lns->nb_peer = LNS_MIN_BUCKETS;
	lns->by_id = calloc(lns->nb_id, sizeof(*lns->by_id));
	lns->by_peer = calloc(lns->nb_peer, sizeof(*lns->by_peer));
	if (!lns->by_id || !lns->by_peer) {
		l2tp_lns_free(lns);
		return NULL;
	}
	return lns;
}

void l2tp_lns_free(struct l2tp_lns *lns)
{
	if (!lns)
		return;
	reap(lns);
	if (lns->by_id) {
		for (uint32_t i = 0; i < lns->nb_id; i++) {
			while (lns->by_id[i]) {
				struct l2tp_tun *t = lns->by_id[i];

				lns->by_id[i] = t->hnext_id;
				for (uint32_t j = 0; j < t->nbuckets; j++) {
					while (t->sbuckets[j]) {
						struct l2tp_sess *s = t->sbuckets[j];

						t->sbuckets[j] = s->hnext;
						lns_sess_destroy(s);
					}
				}
				tun_destroy(t);
			}
		}
	}
	free(lns->by_id);
	free(lns->by_peer);
	free(lns->heap);
	free(lns);
}

void l2tp_lns_set_cfg(struct l2tp_lns *lns, const struct l2tp_lns_cfg *cfg)
{
	lns->cfg = *cfg;
}

void l2tp_lns_set_busy(struct l2tp_lns *lns, bool busy)
{
	lns->busy = busy;
}

void l2tp_lns_input(struct l2tp_lns *lns, const struct lns_addr *peer,
		    const struct lns_addr *local, const uint8_t *pkt, size_t len,
		    uint64_t now_ms, struct lns_actions *out)
{
	l2tp_lns_input_keyed(lns, peer, local, 0, pkt, len, now_ms, out);
}

void l2tp_lns_input_keyed(struct l2tp_lns *lns, const struct lns_addr *peer,
			  const struct lns_addr *local, uint32_t peer_key, const uint8_t *pkt,
			  size_t len, uint64_t now_ms, struct lns_actions *out)
{
	struct l2tp_hdr h;
	enum l2tp_decode_err e;
	struct l2tp_tun *tun;

	reap(lns);
	e = l2tp_hdr_decode(pkt, len, &h);
	if (e != L2TP_DEC_OK) {
		drop_decode(lns, e, NULL, out);
		return;
	}
	if (!h.is_ctrl) {
		/* docs/design.md §4.2: data for a session the kernel does not know yet. Never
		 * logged per packet. */
		lns->stats.drops[L2TP_DROP_DATA_IN_USERSPACE]++;
		return;
	}
	if (h.tunnel_id == 0) {
		sccrq_input(lns, peer, local, peer_key, pkt, len, now_ms, out);
		return;
	}
	tun = find_id(lns, h.tunnel_id);
	if (!tun) {
		lns_drop(lns, L2TP_DROP_UNKNOWN_TUNNEL, NULL, NULL, "control message for an unknown tunnel",
			 out);
		return;
	}
	if (!lns_addr_eq(&tun->peer, peer)) {
		/* The tunnel's peer is fixed at SCCRQ time; NAT rebinding is for IPsec. */
		lns_drop(lns, L2TP_DROP_WRONG_PEER, tun, NULL,
			 "control message from an address that is not the tunnel's peer", out);
		return;
	}
	tun_input(lns, tun, pkt, len, now_ms, out);
}

void l2tp_lns_tick(struct l2tp_lns *lns, uint64_t now_ms, struct lns_actions *out)
{
	reap(lns);
	while (lns->heap_n && lns->heap[0]->deadline <= now_ms) {
		struct l2tp_tun *tun = lns->heap[0];

		lns_tun_timers(lns, tun, now_ms, out);
		if (tun->state == L2TP_TUN_DEAD)
			continue;
		tun_finish(lns, tun, now_ms, out);
		if (tun->state != L2TP_TUN_DEAD && tun->deadline <= now_ms) {
			/* Nothing left to do now: never spin on a stale deadline. */
			tun->deadline = now_ms + 1;
			heap_down(lns, tun->heap_idx);
		}
	}
}

uint64_t l2tp_lns_next_deadline(const struct l2tp_lns *lns)
{
	return lns->heap_n ? lns->heap[0]->deadline : UINT64_MAX;
}

int l2tp_lns_close_tunnel(struct l2tp_lns *lns, uint32_t tid, uint16_t result, uint16_t error,
			  const char *msg, uint64_t now_ms, struct lns_actions *out)
{
	struct l2tp_tun *tun;
	struct lns_reason why = { result, error, msg };

	reap(lns);
	tun = find_id(lns, tid);
	if (!tun)
		return -ENOENT;
	lns_tun_event(lns, tun, LNS_TEV_ADMIN_CLOSE, NULL, &why, now_ms, out);
	tun_finish(lns, tun, now_ms, out);
	return 0;
}

int l2tp_lns_abort_tunnel(struct l2tp_lns *lns, uint32_t tid, uint16_t result, uint16_t error,
			  const char *msg, uint64_t now_ms, struct lns_actions *out)
{
	int rc = l2tp_lns_close_tunnel(lns, tid, result, error, msg, now_ms, out);
	struct l2tp_tun *tun;

	if (rc < 0)
		return rc;
	tun = find_id(lns, tid);
	if (tun)
		lns_tun_abort(lns, tun, now_ms, out);
	return 0;
}

int l2tp_lns_close_session(struct l2tp_lns *lns, uint32_t tid, uint32_t sid, uint16_t result,
			   uint16_t error, const char *msg, uint64_t now_ms, struct lns_actions *out)
{
	struct l2tp_tun *tun;
	struct l2tp_sess *s;
	struct lns_reason why = { result, error, msg };

	reap(lns);
	tun = find_id(lns, tid);
	s = tun ? lns_sess_find(tun, sid) : NULL;
	if (!s)
		return -ENOENT;
	lns_sess_event(lns, s, LNS_SEV_ADMIN_CLOSE, NULL, &why, now_ms, out);
	tun_finish(lns, tun, now_ms, out);
	return 0;
}

void l2tp_lns_shutdown(struct l2tp_lns *lns, uint64_t now_ms, struct lns_actions *out)
{
	struct lns_reason why = { L2TP_STOPCCN_SHUTTING_DOWN, L2TP_ERR_NONE, "shutting down" };

	reap(lns);
	for (uint32_t i = 0; i < lns->nb_id; i++) {
		struct l2tp_tun *t = lns->by_id[i], *next;

		for (; t; t = next) {
			next = t->hnext_id;
			lns_tun_event(lns, t, LNS_TEV_ADMIN_CLOSE, NULL, &why, now_ms, out);
			tun_finish(lns, t, now_ms, out);
		}
	}
}

struct l2tp_tun *l2tp_lns_tunnel(const struct l2tp_lns *lns, uint32_t tid)
{
	return find_id(lns, tid);
}

struct l2tp_sess *l2tp_lns_session(const struct l2tp_lns *lns, uint32_t tid, uint32_t sid)
{
	struct l2tp_tun *tun = find_id(lns, tid);

	return tun ? lns_sess_find(tun, sid) : NULL;
}

struct l2tp_tun *l2tp_lns_next_tunnel(const struct l2tp_lns *lns, const struct l2tp_tun *tun)
{
	uint32_t b = 0;

	if (tun) {
		if (tun->hnext_id)
			return tun->hnext_id;
		b = id_bucket(lns, tun->tid) + 1;
	}
	for (; b < lns->nb_id; b++)
		if (lns->by_id[b])
			return lns->by_id[b];
	return NULL;
}

struct l2tp_sess *l2tp_tun_next_session(const struct l2tp_tun *tun, const struct l2tp_sess *s)
{
	uint32_t b = 0;

	if (s) {
		if (s->hnext)
			return s->hnext;
		b = sess_bucket(s->sid, tun->nbuckets) + 1;
	}
	for (; b < tun->nbuckets; b++)
		if (tun->sbuckets[b])
			return tun->sbuckets[b];
	return NULL;
}

struct l2tp_sess *l2tp_lns_next_session(const struct l2tp_lns *lns, const struct l2tp_sess *s)
{
	struct l2tp_tun *t = s ? s->tun : NULL;
	struct l2tp_sess *n = s ? l2tp_tun_next_session(t, s) : NULL;

	while (!n && (t = l2tp_lns_next_tunnel(lns, t)))
		n = l2tp_tun_next_session(t, NULL);
	return n;
}

static uint32_t rev32(uint32_t x)
{
	x = (x >> 16) | (x << 16);
	x = ((x >> 8) & 0x00ff00ffu) | ((x & 0x00ff00ffu) << 8);
	x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
	x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
	return ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
}

/*
 * The position is the bucket hash (mix32, a bijection) bit-reversed: a
 * table of 2^m buckets holds in bucket b exactly the positions whose top m
 * bits are b reversed, so the positions from pos on are in the buckets
 * visited in reversed-index order from pos's own, and a table that doubled
 * between two calls changes nothing in that order.
 */
uint64_t l2tp_walk_pos(uint32_t id)
{
	return rev32(mix32(id));
}

/* The first bucket, in reversed-index order, that can hold pos; its rank in that order. */
static uint32_t walk_rank(uint64_t pos, uint32_t nb)
{
	unsigned m = (unsigned)__builtin_ctz(nb);

	return m ? (uint32_t)(pos >> (32 - m)) : 0;
}

static uint32_t walk_bucket(uint32_t rank, uint32_t nb)
{
	unsigned m = (unsigned)__builtin_ctz(nb);

	return m ? rev32(rank) >> (32 - m) : 0;
}

struct l2tp_tun *l2tp_lns_tunnel_from(const struct l2tp_lns *lns, uint64_t pos)
{
	if (pos >= L2TP_WALK_END || !lns->nb_id)
		return NULL;
	for (uint32_t r = walk_rank(pos, lns->nb_id); r < lns->nb_id; r++) {
		struct l2tp_tun *best = NULL;
		uint64_t bp = 0;

		for (struct l2tp_tun *t = lns->by_id[walk_bucket(r, lns->nb_id)]; t; t = t->hnext_id) {
			uint64_t p = l2tp_walk_pos(t->tid);

			if (p >= pos && (!best || p < bp)) {
				best = t;
				bp = p;
			}
		}
		if (best)
			return best;
	}
	return NULL;
}

struct l2tp_sess *l2tp_tun_session_from(const struct l2tp_tun *tun, uint64_t pos)
{
	if (pos >= L2TP_WALK_END || !tun->nbuckets)
		return NULL;
	for (uint32_t r = walk_rank(pos, tun->nbuckets); r < tun->nbuckets; r++) {
		struct l2tp_sess *best = NULL;
		uint64_t bp = 0;

		for (struct l2tp_sess *s = tun->sbuckets[walk_bucket(r, tun->nbuckets)]; s;
		     s = s->hnext) {
			uint64_t p = l2tp_walk_pos(s->sid);

			if (p >= pos && (!best || p < bp)) {
				best = s;
				bp = p;
			}
		}
		if (best)
			return best;
	}
	return NULL;
}

uint32_t l2tp_lns_n_tunnels(const struct l2tp_lns *lns)
{
	return lns->n_tunnels;
}

uint32_t l2tp_lns_n_sessions(const struct l2tp_lns *lns)
{
	return lns->n_sessions;
}

const struct l2tp_lns_stats *l2tp_lns_stats(const struct l2tp_lns *lns)
{
	return &lns->stats;
}
