// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * L2TPv3 control connections (RFC 3931 §3.3, §6, §7.2 adapted to v3), both
 * roles, with the dialler of the initiator and the Tie Breaker rule of
 * §5.4.3; the action list; demultiplexing by Control Connection ID.
 *
 * States: initiator WAIT_CTL_REPLY (SCCRQ sent) -> ESTABLISHED (SCCCN sent);
 * responder WAIT_CTL_CONN (SCCRP sent) -> ESTABLISHED (SCCCN accepted);
 * then CLOSING (StopCCN sent or received, held) -> DEAD (CC_FREE).
 * docs/design.md §10.5.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "l2tp_grow.h"
#include "l2tp_lcce_int.h"

void l2tp_lcce_cfg_default(struct l2tp_lcce_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->hostname, "lnsd");
	cfg->router_id = 1;
	l2tp_rel_cfg_default(&cfg->rel);
	cfg->hello_interval_ms = 60000;
	cfg->setup_timeout_ms = 30000;
	cfg->stopccn_hold_ms = 31000;
	cfg->redial_min_ms = 1000;
	cfg->redial_max_ms = 60000;
}

/* ---- actions ------------------------------------------------------------ */

void lcce_actions_init(struct lcce_actions *a)
{
	memset(a, 0, sizeof(*a));
}

void lcce_actions_reset(struct lcce_actions *a)
{
	a->n = 0;
	a->blen = 0;
	a->oom = false;
}

void lcce_actions_free(struct lcce_actions *a)
{
	if (!a)
		return;
	free(a->v);
	free(a->buf);
	lcce_actions_init(a);
}

struct lcce_action *lcce_act_push(struct lcce_actions *a, enum lcce_act_type type,
				  struct l2tp_cc *cc, struct l2tp_pw *pw)
{
	struct lcce_action *act;

	if (l2tp_grow(&a->v, &a->cap, a->n + 1, sizeof(*a->v), 16) != 0) {
		a->oom = true;
		return NULL;
	}
	act = &a->v[a->n++];
	memset(act, 0, sizeof(*act));
	act->type = type;
	act->cc = cc;
	act->pw = pw;
	if (cc) {
		act->peer_cfg = cc->peer_cfg;
		act->peer = cc->peer;
		act->local = cc->local;
		act->encap = cc->peer_cfg->encap;
		act->ccid = cc->ccid;
		act->peer_ccid = cc->peer_ccid;
		act->result = cc->result;
		act->error = cc->error;
	}
	if (pw) {
		act->sid = pw->sid;
		act->peer_sid = pw->peer_sid;
		act->result = pw->result;
		act->error = pw->error;
	}
	return act;
}

static void act_send(struct lcce_actions *a, struct l2tp_cc *cc, const struct lns_addr *peer,
		     const struct lns_addr *local, enum l2tp_encap encap, const uint8_t *pkt,
		     size_t len)
{
	struct lcce_action *act;

	if (l2tp_grow(&a->buf, &a->bcap, a->blen + len, 1, 4096) != 0) {
		a->oom = true;
		return;
	}
	act = lcce_act_push(a, LCCE_ACT_SEND, cc, NULL);
	if (!act)
		return;
	act->peer = *peer;
	act->local = *local;
	act->encap = encap;
	act->off = a->blen;
	act->len = len;
	memcpy(a->buf + a->blen, pkt, len);
	a->blen += len;
}

void lcce_notice(struct lcce_actions *a, struct l2tp_cc *cc, struct l2tp_pw *pw,
		 const char *reason)
{
	struct lcce_action *act = lcce_act_push(a, LCCE_ACT_NOTICE, cc, pw);

	if (act)
		act->reason = reason;
}

/* ---- helpers ------------------------------------------------------------ */

void lcce_rand(struct l2tp_lcce *l, void *buf, size_t len)
{
	if (l->cfg.rand_bytes) {
		l->cfg.rand_bytes(l->cfg.rand_ctx, buf, len);
		return;
	}
	/* No RNG given (tests only): a fixed-seed generator, never for production. */
	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] = (uint8_t)rand();
}

static bool digest_on(const struct l2tp_cc *cc)
{
	return cc->peer_cfg->auth == L2TP_LCCE_AUTH_DIGEST && cc->peer_cfg->secret;
}

static void cc_auth(const struct l2tp_cc *cc, struct l2tp_v3_auth *a)
{
	memset(a, 0, sizeof(*a));
	a->secret = cc->peer_cfg->secret;
	a->secret_len = cc->peer_cfg->secret_len;
	a->our_nonce = cc->our_nonce;
	a->our_nonce_len = sizeof(cc->our_nonce);
	if (cc->peer_nonce_len) {
		a->peer_nonce = cc->peer_nonce;
		a->peer_nonce_len = cc->peer_nonce_len;
	}
	a->required = true;
}

void lcce_begin(struct l2tp_lcce *l, struct l2tp_cc *cc, uint16_t type)
{
	l2tp_mb_begin_v3(&l->mb, cc->peer_ccid, type);
	if (digest_on(cc))
		l2tp_mb_digest(&l->mb, cc->peer_cfg->digest);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The datagram for a message from the T bit: over IP the zero Session ID first. */
static void send_frame(struct l2tp_lcce *l, struct l2tp_cc *cc, const struct lns_addr *peer,
		       const struct lns_addr *local, enum l2tp_encap encap, const uint8_t *msg,
		       size_t len, struct lcce_actions *out)
{
	size_t pre = encap == L2TP_ENCAP_IP ? L2TP_V3_IP_CTRL_PREFIX : 0;

	if (len > L2TP_MAX_MSG)
		return;
	memset(l->obuf, 0, pre);
	if (l->obuf + pre != msg)
		memmove(l->obuf + pre, msg, len);
	act_send(out, cc, peer, local, encap, l->obuf, pre + len);
}

struct emit_ctx {
	struct l2tp_lcce *l;
	struct l2tp_cc *cc;
	struct lcce_actions *out;
};

/*
 * What l2tp_rel puts on the wire. Its ZLB (a bare v2 header, 12 bytes: the
 * rel's peer_tunnel_id is 0 for v3) only says "ack now with these Ns/Nr".
 * With Message Digests on, v3 acknowledges with an ACK message (Explicit
 * Acknowledgement, type 20), which carries a digest like any other (§4.3);
 * without, with a v3 ZLB (the header alone), which every peer knows: freeRtr
 * counts an ACK message into its Nr like a message of its own, so the
 * message of ours after it looks like a duplicate to it and is never taken
 * (design.md §10.4). Every message is signed again since the digest covers
 * Ns and Nr.
 */
static void emit(void *vctx, const uint8_t *pkt, size_t len)
{
	struct emit_ctx *e = vctx;
	struct l2tp_lcce *l = e->l;
	struct l2tp_cc *cc = e->cc;
	struct l2tp_v3_auth auth;
	size_t pre = cc->peer_cfg->encap == L2TP_ENCAP_IP ? L2TP_V3_IP_CTRL_PREFIX : 0;
	uint8_t *msg = l->obuf + pre;

	cc_auth(cc, &auth);
	if (len == L2TP_CTRL_HDR_LEN) {
		struct l2tp_mbuf *b = &l->ackmb;
		uint16_t type = digest_on(cc) ? L2TP_MSG_ACK : L2TP_MSG_ZLB;

		l2tp_mb_begin_v3(b, cc->peer_ccid, type);
		if (digest_on(cc))
			l2tp_mb_digest(b, cc->peer_cfg->digest);
		memcpy(b->data + 8, pkt + 8, 4);
		if (digest_on(cc))
			l2tp_mb_sign(b, &auth);
		memcpy(msg, b->data, b->len);
		len = b->len;
		l->stats.tx_msgs[type]++;
	} else {
		memcpy(msg, pkt, len);
		if (digest_on(cc) && len > LCCE_DIGEST_OFF)
			l2tp_v3_sign(msg, len, LCCE_DIGEST_OFF, cc->peer_cfg->digest, &auth,
				     get16(msg + 18));
	}
	send_frame(l, cc, &cc->peer, &cc->local, cc->peer_cfg->encap, msg, len, e->out);
}

static void cc_dead(struct l2tp_lcce *l, struct l2tp_cc *cc, uint64_t now,
		    struct lcce_actions *out);

/* Put what is due on cc's wire; the end of cc when the peer stopped acking. */
static void cc_flush(struct l2tp_lcce *l, struct l2tp_cc *cc, uint64_t now,
		     struct lcce_actions *out)
{
	struct emit_ctx e = { l, cc, out };

	if (cc->state == L2TP_CC_DEAD)
		return;
	if (l2tp_rel_output(&cc->rel, now, emit, &e) == -ETIMEDOUT) {
		/* §5.8 (RFC 3931 §4.2): retransmissions exhausted, the peer is gone. */
		if (cc->state != L2TP_CC_CLOSING) {
			cc->result = L2TP_STOPCCN_GENERAL_ERROR;
			cc->error = L2TP_ERR_NONE;
			lcce_notice(out, cc, NULL, "peer stopped acknowledging (retries exhausted)");
		}
		cc_dead(l, cc, now, out);
	}
}

void lcce_queue(struct l2tp_lcce *l, struct l2tp_cc *cc, uint64_t now, struct lcce_actions *out)
{
	uint16_t type;

	if (l->mb.overflow) {
		lcce_notice(out, cc, NULL, "control message not built");
		return;
	}
	type = get16(l->mb.data + 18);
	if (l2tp_rel_queue(&cc->rel, l->mb.data, l->mb.len) != 0) {
		lcce_notice(out, cc, NULL, "control message not queued (no memory)");
		return;
	}
	if (type < L2TP_MSG_V3_TYPE_COUNT)
		l->stats.tx_msgs[type]++;
	cc_flush(l, cc, now, out);
}

/* ---- connections -------------------------------------------------------- */

static void cc_set_state(struct l2tp_lcce *l, struct l2tp_cc *cc, enum l2tp_cc_state st,
			 struct lcce_actions *out)
{
	struct lcce_action *act;
	enum l2tp_cc_state old = cc->state;

	if (old == st)
		return;
	cc->state = st;
	if (st == L2TP_CC_ESTABLISHED)
		l->stats.ccs_established++;
	else if (old == L2TP_CC_WAIT_CTL_REPLY || old == L2TP_CC_WAIT_CTL_CONN)
		l->stats.ccs_failed++;
	act = lcce_act_push(out, LCCE_ACT_CC_STATE, cc, NULL);
	if (act) {
		act->old_state = (int)old;
		act->new_state = (int)st;
	}
}

struct l2tp_cc *l2tp_lcce_cc(const struct l2tp_lcce *l, uint32_t ccid)
{
	struct l2tp_cc *cc;

	for (cc = l->ccs; cc; cc = cc->next)
		if (cc->ccid == ccid)
			return cc;
	return NULL;
}

struct l2tp_cc *l2tp_lcce_next_cc(const struct l2tp_lcce *l, const struct l2tp_cc *cc)
{
	return cc ? cc->next : l->ccs;
}

static struct lcce_dialer *dialer_of(struct l2tp_lcce *l, const struct l2tp_lcce_peer_cfg *pc)
{
	for (size_t i = 0; i < l->n_dialers; i++)
		if (l->dialers[i].pc == pc)
			return &l->dialers[i];
	return NULL;
}

/* A live connection to pc other than skip (not CLOSING or DEAD). */
static bool peer_has_cc(const struct l2tp_lcce *l, const struct l2tp_lcce_peer_cfg *pc,
			const struct l2tp_cc *skip)
{
	const struct l2tp_cc *cc;

	for (cc = l->ccs; cc; cc = cc->next)
		if (cc != skip && cc->peer_cfg == pc &&
		    (cc->state == L2TP_CC_WAIT_CTL_REPLY || cc->state == L2TP_CC_WAIT_CTL_CONN ||
		     cc->state == L2TP_CC_ESTABLISHED))
			return true;
	return false;
}

/* Unlink from the live list, onto the dead list; freed by reap(). */
static void cc_unlink(struct l2tp_lcce *l, struct l2tp_cc *cc)
{
	struct l2tp_cc **pp;

	for (pp = &l->ccs; *pp; pp = &(*pp)->next) {
		if (*pp == cc) {
			*pp = cc->next;
			break;
		}
	}
	cc->next = l->dead_ccs;
	l->dead_ccs = cc;
}

/*
 * The end: pseudowires first, then the kernel tunnel, then the state and
 * CC_FREE. The initiator's dialler is armed again when no other connection
 * to that peer lives (backoff doubles unless this one was established:
 * cc_up() set it back to the minimum).
 */
static void cc_dead(struct l2tp_lcce *l, struct l2tp_cc *cc, uint64_t now,
		    struct lcce_actions *out)
{
	struct lcce_dialer *d;
	bool was_up = cc->state == L2TP_CC_ESTABLISHED ||
		      (cc->state == L2TP_CC_CLOSING && cc->kernel);

	if (cc->state == L2TP_CC_DEAD)
		return;
	while (cc->pws)
		lcce_pw_dead(l, cc->pws, out);
	if (cc->kernel) {
		lcce_act_push(out, LCCE_ACT_CC_KERNEL_DELETE, cc, NULL);
		cc->kernel = false;
	}
	cc_set_state(l, cc, L2TP_CC_DEAD, out);
	lcce_act_push(out, LCCE_ACT_CC_FREE, cc, NULL);
	cc_unlink(l, cc);
	d = dialer_of(l, cc->peer_cfg);
	if (d && !l->shutting_down && !peer_has_cc(l, cc->peer_cfg, NULL)) {
		uint32_t jitter = 0;

		lcce_rand(l, &jitter, sizeof(jitter));
		/* Up to a quarter more, so that two LCCEs restarted together do
		 * not keep colliding in lockstep. */
		d->next_ms = now + d->backoff_ms + (d->backoff_ms / 4 ? jitter % (d->backoff_ms / 4) : 0);
		if (!was_up)
			d->backoff_ms = d->backoff_ms * 2 > l->cfg.redial_max_ms ?
					l->cfg.redial_max_ms : d->backoff_ms * 2;
	}
}

/* StopCCN received or sent: pseudowires go, the rel keeps acking (§5.7). */
static void cc_closing(struct l2tp_lcce *l, struct l2tp_cc *cc, uint16_t result, uint16_t error,
		       bool sent, uint64_t now, struct lcce_actions *out)
{
	cc->result = result;
	cc->error = error;
	cc->stop_sent = sent;
	while (cc->pws)
		lcce_pw_dead(l, cc->pws, out);
	if (cc->kernel) {
		lcce_act_push(out, LCCE_ACT_CC_KERNEL_DELETE, cc, NULL);
		cc->kernel = false;
	}
	cc->hold_deadline = now + l->cfg.stopccn_hold_ms;
	cc_set_state(l, cc, L2TP_CC_CLOSING, out);
}

/* §6.4 StopCCN: Result Code, and our Assigned Control Connection ID. */
static void cc_stop(struct l2tp_lcce *l, struct l2tp_cc *cc, uint16_t result, uint16_t error,
		    const char *text, uint64_t now, struct lcce_actions *out)
{
	if (cc->state == L2TP_CC_CLOSING || cc->state == L2TP_CC_DEAD)
		return;
	lcce_begin(l, cc, L2TP_MSG_STOPCCN);
	l2tp_mb_id(&l->mb, true, L2TP_AVP_ASSIGNED_CCID, cc->ccid);
	l2tp_mb_result(&l->mb, result, error, text);
	if (text)
		lcce_notice(out, cc, NULL, text);
	cc_closing(l, cc, result, error, true, now, out);
	lcce_queue(l, cc, now, out);
}

static uint32_t new_ccid(struct l2tp_lcce *l)
{
	for (int tries = 0; tries < 64; tries++) {
		uint32_t id;

		lcce_rand(l, &id, sizeof(id));
		if (id && !l2tp_lcce_cc(l, id))
			return id;
	}
	return 0;
}

static struct l2tp_cc *cc_new(struct l2tp_lcce *l, const struct l2tp_lcce_peer_cfg *pc,
			      const struct lns_addr *peer, const struct lns_addr *local,
			      bool originated, uint64_t now)
{
	struct l2tp_cc *cc = calloc(1, sizeof(*cc));

	if (!cc)
		return NULL;
	cc->ccid = new_ccid(l);
	if (!cc->ccid || l2tp_rel_init(&cc->rel, &l->cfg.rel) != 0) {
		free(cc);
		return NULL;
	}
	/* The rel's ZLB is only our cue to send an ACK (emit()): its v2
	 * header field is never used, so the 16-bit bound never bites. */
	cc->rel.peer_tunnel_id = 0;
	cc->originated = originated;
	cc->peer_cfg = pc;
	cc->peer = *peer;
	cc->local = *local;
	cc->setup_deadline = now + l->cfg.setup_timeout_ms;
	cc->hello_deadline = UINT64_MAX;
	cc->hold_deadline = UINT64_MAX;
	lcce_rand(l, cc->our_nonce, sizeof(cc->our_nonce));
	lcce_rand(l, cc->tie_breaker, sizeof(cc->tie_breaker));
	cc->next = l->ccs;
	l->ccs = cc;
	return cc;
}

/* The AVPs SCCRQ and SCCRP share (§6.1, §6.2). */
static void put_start_avps(struct l2tp_lcce *l, struct l2tp_cc *cc)
{
	struct l2tp_mbuf *b = &l->mb;
	uint8_t caps[4] = { 0, L2TP_PW_ETH, 0, L2TP_PW_ETH_VLAN };

	l2tp_mb_str(b, true, L2TP_AVP_HOST_NAME, l->cfg.hostname);
	l2tp_mb_u32(b, true, L2TP_AVP_ROUTER_ID, l->cfg.router_id);
	l2tp_mb_id(b, true, L2TP_AVP_ASSIGNED_CCID, cc->ccid);
	l2tp_mb_bytes(b, true, L2TP_AVP_PW_CAPS, caps, sizeof(caps));
	l2tp_mb_u16(b, false, L2TP_AVP_RECV_WINDOW_SIZE, l->cfg.rel.our_rws);
	if (digest_on(cc))
		l2tp_mb_bytes(b, true, L2TP_AVP_AUTH_NONCE, cc->our_nonce, sizeof(cc->our_nonce));
	if (cc->peer_cfg->auth == L2TP_LCCE_AUTH_CHALLENGE && cc->peer_cfg->secret) {
		lcce_rand(l, cc->our_challenge, sizeof(cc->our_challenge));
		l2tp_mb_bytes(b, true, L2TP_AVP_CHALLENGE, cc->our_challenge,
			      sizeof(cc->our_challenge));
	}
}

/* Initiator: a new connection and its SCCRQ (§3.3, §6.1), Tie Breaker included. */
static struct l2tp_cc *dial(struct l2tp_lcce *l, const struct l2tp_lcce_peer_cfg *pc,
			    uint64_t now, struct lcce_actions *out)
{
	struct l2tp_cc *cc = cc_new(l, pc, &pc->addr, &pc->local, true, now);
	struct lcce_action *act;

	if (!cc) {
		lcce_notice(out, NULL, NULL, "cannot dial: no memory or no free ID");
		return NULL;
	}
	l->stats.dials++;
	cc->state = L2TP_CC_WAIT_CTL_REPLY;
	act = lcce_act_push(out, LCCE_ACT_CC_STATE, cc, NULL);
	if (act) {
		act->old_state = -1;
		act->new_state = L2TP_CC_WAIT_CTL_REPLY;
	}
	lcce_begin(l, cc, L2TP_MSG_SCCRQ);
	put_start_avps(l, cc);
	l2tp_mb_bytes(&l->mb, true, L2TP_AVP_TIE_BREAKER, cc->tie_breaker, 8);
	lcce_queue(l, cc, now, out);
	return cc;
}

static void cc_up(struct l2tp_lcce *l, struct l2tp_cc *cc, uint64_t now,
		  struct lcce_actions *out)
{
	struct lcce_dialer *d = dialer_of(l, cc->peer_cfg);

	if (d)
		d->backoff_ms = l->cfg.redial_min_ms;
	cc->hello_deadline = l->cfg.hello_interval_ms ? now + l->cfg.hello_interval_ms : UINT64_MAX;
	cc_set_state(l, cc, L2TP_CC_ESTABLISHED, out);
	lcce_act_push(out, LCCE_ACT_CC_KERNEL_CREATE, cc, NULL);
	cc->kernel = true;
	lcce_pw_place_calls(l, cc, now, out);
}

/* Take the peer's SCCRQ/SCCRP parameters. */
static void take_peer(struct l2tp_cc *cc, const struct l2tp_msg *m)
{
	size_t n = strnlen(m->host_name, sizeof(cc->peer_hostname) - 1);

	memcpy(cc->peer_hostname, m->host_name, n);
	cc->peer_hostname[n] = '\0';
	cc->peer_ccid = m->assigned_ccid;
	cc->peer_router_id = m->router_id;
	if (l2tp_msg_has(m, L2TP_AVP_AUTH_NONCE)) {
		cc->peer_nonce_len = m->auth_nonce.len;
		memcpy(cc->peer_nonce, m->auth_nonce.data, m->auth_nonce.len);
	}
	/* §5.8 (RFC 3931 §4.2): absent Receive Window Size means 4. */
	l2tp_rel_set_peer_rws(&cc->rel,
			      l2tp_msg_has(m, L2TP_AVP_RECV_WINDOW_SIZE) ? m->rx_window : 0);
}

/* The peer's Challenge Response to our challenge (chap_id = its message type). */
static bool response_ok(const struct l2tp_cc *cc, const struct l2tp_msg *m, uint8_t chap_id)
{
	uint8_t want[16];
	const struct l2tp_lcce_peer_cfg *pc = cc->peer_cfg;

	if (pc->auth != L2TP_LCCE_AUTH_CHALLENGE)
		return true;
	if (!pc->secret || !l2tp_msg_has(m, L2TP_AVP_CHALLENGE_RESPONSE))
		return false;
	l2tp_challenge_response(chap_id, pc->secret, pc->secret_len, cc->our_challenge,
				sizeof(cc->our_challenge), want);
	return memcmp(want, m->challenge_response, sizeof(want)) == 0;
}

/* Answer the peer's Challenge in the message being built (RFC 2661 §4.2). */
static void put_response(struct l2tp_lcce *l, struct l2tp_cc *cc, const struct l2tp_msg *m,
			 uint8_t chap_id)
{
	const struct l2tp_lcce_peer_cfg *pc = cc->peer_cfg;
	uint8_t resp[16];

	if (!pc->secret || !l2tp_msg_has(m, L2TP_AVP_CHALLENGE))
		return;
	l2tp_challenge_response(chap_id, pc->secret, pc->secret_len, m->challenge.data,
				m->challenge.len, resp);
	l2tp_mb_bytes(&l->mb, true, L2TP_AVP_CHALLENGE_RESPONSE, resp, sizeof(resp));
}

enum cc_event {
	CC_EV_SCCRQ,
	CC_EV_SCCRP,
	CC_EV_SCCCN,
	CC_EV_STOPCCN,
	CC_EV_HELLO,
	CC_EV_OTHER,            /* ACK, unknown types without M, OC*, WEN */
	CC_EV_SETUP_TIMEOUT,
	CC_EV_HELLO_TIMEOUT,
	CC_EV_HOLD_TIMEOUT,
	CC_EV_ACKED,            /* everything we sent was acknowledged */
};

static void fsm_error(struct l2tp_lcce *l, struct l2tp_cc *cc, const char *why, uint64_t now,
		      struct lcce_actions *out)
{
	l->stats.drops[LCCE_DROP_UNEXPECTED]++;
	cc_stop(l, cc, L2TP_STOPCCN_FSM_ERROR, L2TP_ERR_NONE, why, now, out);
}

static void send_hello(struct l2tp_lcce *l, struct l2tp_cc *cc, uint64_t now,
		       struct lcce_actions *out)
{
	lcce_begin(l, cc, L2TP_MSG_HELLO);
	lcce_queue(l, cc, now, out);
}

/*
 * The control connection automaton. Messages arrive in order (after
 * l2tp_rel): duplicates never reach it. Sections are RFC 3931's (§3.3,
 * §6) and RFC 2661 §7.2.1's tables, which RFC 3931 keeps.
 */
static void cc_event(struct l2tp_lcce *l, struct l2tp_cc *cc, enum cc_event ev,
		     const struct l2tp_msg *m, uint64_t now, struct lcce_actions *out)
{
	switch (cc->state) {
	case L2TP_CC_WAIT_CTL_REPLY:
		switch (ev) {
		case CC_EV_SCCRP:
			/* §3.3: SCCRP acceptable -> send SCCCN, established;
			 * not acceptable (challenge response) -> StopCCN 4. */
			take_peer(cc, m);
			if (!response_ok(cc, m, L2TP_CHAPID_SCCRP)) {
				l->stats.drops[LCCE_DROP_AUTH]++;
				cc_stop(l, cc, L2TP_STOPCCN_NOT_AUTHORIZED, L2TP_ERR_NONE,
					"peer failed authentication (SCCRP Challenge Response)",
					now, out);
				break;
			}
			lcce_begin(l, cc, L2TP_MSG_SCCCN);
			put_response(l, cc, m, L2TP_CHAPID_SCCCN);
			lcce_queue(l, cc, now, out);
			cc_up(l, cc, now, out);
			break;
		case CC_EV_SCCRQ:
		case CC_EV_SCCCN:
			/* RFC 2661 §7.2.1 wait-ctl-reply: anything else -> StopCCN 7. */
			fsm_error(l, cc, "unexpected SCCRQ/SCCCN in wait-ctl-reply", now, out);
			break;
		case CC_EV_STOPCCN:
			/* The peer refused our SCCRQ (a lost tie: result 3). */
			cc_closing(l, cc, m->result_code, m->error_code, false, now, out);
			break;
		case CC_EV_HELLO:
		case CC_EV_OTHER:
		case CC_EV_ACKED:
		case CC_EV_HELLO_TIMEOUT:
		case CC_EV_HOLD_TIMEOUT:
			break;
		case CC_EV_SETUP_TIMEOUT:
			/* The peer acked our SCCRQ but never replied. */
			cc_stop(l, cc, L2TP_STOPCCN_CLEAR, L2TP_ERR_NONE, "timeout waiting for SCCRP",
				now, out);
			break;
		}
		break;
	case L2TP_CC_WAIT_CTL_CONN:
		switch (ev) {
		case CC_EV_SCCCN:
			/* §3.3: SCCCN acceptable -> established; else StopCCN 4. */
			if (!response_ok(cc, m, L2TP_CHAPID_SCCCN)) {
				l->stats.drops[LCCE_DROP_AUTH]++;
				cc_stop(l, cc, L2TP_STOPCCN_NOT_AUTHORIZED, L2TP_ERR_NONE,
					"peer failed authentication (SCCCN Challenge Response)",
					now, out);
				break;
			}
			cc_up(l, cc, now, out);
			break;
		case CC_EV_SCCRQ:
		case CC_EV_SCCRP:
			fsm_error(l, cc, "unexpected SCCRQ/SCCRP in wait-ctl-conn", now, out);
			break;
		case CC_EV_STOPCCN:
			cc_closing(l, cc, m->result_code, m->error_code, false, now, out);
			break;
		case CC_EV_HELLO:
		case CC_EV_OTHER:
		case CC_EV_ACKED:
		case CC_EV_HELLO_TIMEOUT:
		case CC_EV_HOLD_TIMEOUT:
			break;
		case CC_EV_SETUP_TIMEOUT:
			cc_stop(l, cc, L2TP_STOPCCN_CLEAR, L2TP_ERR_NONE, "timeout waiting for SCCCN",
				now, out);
			break;
		}
		break;
	case L2TP_CC_ESTABLISHED:
		switch (ev) {
		case CC_EV_SCCRQ:
		case CC_EV_SCCRP:
		case CC_EV_SCCCN:
			fsm_error(l, cc, "unexpected SCCRQ/SCCRP/SCCCN in established", now, out);
			break;
		case CC_EV_STOPCCN:
			cc_closing(l, cc, m->result_code, m->error_code, false, now, out);
			break;
		case CC_EV_HELLO:
		case CC_EV_OTHER:
		case CC_EV_ACKED:
		case CC_EV_SETUP_TIMEOUT:
		case CC_EV_HOLD_TIMEOUT:
			break;
		case CC_EV_HELLO_TIMEOUT:
			/* §6.5: HELLO after an idle period; its loss is a rel failure. */
			cc->hello_deadline = now + l->cfg.hello_interval_ms;
			if (l2tp_rel_all_acked(&cc->rel))
				send_hello(l, cc, now, out);
			break;
		}
		break;
	case L2TP_CC_CLOSING:
		switch (ev) {
		case CC_EV_SCCRQ:
		case CC_EV_SCCRP:
		case CC_EV_SCCCN:
		case CC_EV_STOPCCN:
		case CC_EV_HELLO:
		case CC_EV_OTHER:
		case CC_EV_SETUP_TIMEOUT:
		case CC_EV_HELLO_TIMEOUT:
			/* RFC 2661 §5.7: only acknowledge (the rel does) while holding. */
			break;
		case CC_EV_HOLD_TIMEOUT:
			cc_dead(l, cc, now, out);
			break;
		case CC_EV_ACKED:
			/* Our StopCCN was acknowledged: nothing left to hold for. */
			if (cc->stop_sent)
				cc_dead(l, cc, now, out);
			break;
		}
		break;
	case L2TP_CC_DEAD:
		break;
	}
}

/* ---- input -------------------------------------------------------------- */

static const struct l2tp_lcce_peer_cfg *peer_by_addr(const struct l2tp_lcce *l,
						     const struct lns_addr *a,
						     enum l2tp_encap encap)
{
	for (size_t i = 0; i < l->cfg.n_peers; i++) {
		const struct l2tp_lcce_peer_cfg *pc = &l->cfg.peers[i];

		if (pc->encap != encap || pc->addr.family != a->family ||
		    memcmp(pc->addr.addr, a->addr, sizeof(a->addr)) != 0)
			continue;
		/* Over UDP the peer's source port may differ from the one we dial. */
		return pc;
	}
	return NULL;
}

/*
 * StopCCN with no connection behind it (a refused SCCRQ): header ID the
 * peer's Assigned Control Connection ID, Ns 0, Nr the SCCRQ's Ns + 1, and a
 * digest without nonces when the peer authenticates by digest.
 */
static void stateless_stop(struct l2tp_lcce *l, const struct l2tp_lcce_peer_cfg *pc,
			   const struct lns_addr *peer, const struct lns_addr *local,
			   enum l2tp_encap encap, const struct l2tp_msg *m, uint16_t result,
			   uint16_t error, struct lcce_actions *out)
{
	struct l2tp_mbuf *b = &l->mb;
	uint16_t nr = (uint16_t)(m->hdr.ns + 1);
	bool dig = pc && pc->auth == L2TP_LCCE_AUTH_DIGEST && pc->secret;

	if (!m->assigned_ccid)
		return;    /* nobody to answer */
	l2tp_mb_begin_v3(b, m->assigned_ccid, L2TP_MSG_STOPCCN);
	if (dig)
		l2tp_mb_digest(b, pc->digest);
	l2tp_mb_result(b, result, error, NULL);
	if (b->overflow)
		return;
	b->data[10] = (uint8_t)(nr >> 8);
	b->data[11] = (uint8_t)nr;
	if (dig) {
		struct l2tp_v3_auth a = { .secret = pc->secret, .secret_len = pc->secret_len };

		l2tp_mb_sign(b, &a);
	}
	l->stats.tx_msgs[L2TP_MSG_STOPCCN]++;
	send_frame(l, NULL, peer, local, encap, b->data, b->len, out);
}

static void drop(struct l2tp_lcce *l, enum l2tp_lcce_drop d, struct l2tp_cc *cc,
		 const char *reason, struct lcce_actions *out)
{
	l->stats.drops[d]++;
	lcce_notice(out, cc, NULL, reason);
}

/* Messages of cc that l2tp_rel has put in order. */
static void deliver(struct l2tp_lcce *l, struct l2tp_cc *cc, struct l2tp_msg *m,
		    enum l2tp_decode_err err, uint64_t now, struct lcce_actions *out)
{
	enum cc_event ev;

	cc->rel.zlb_session_id = 0;
	if (m->type < L2TP_MSG_V3_TYPE_COUNT)
		l->stats.rx_msgs[m->type]++;
	if (err != L2TP_DEC_OK) {
		struct l2tp_v3_answer a;

		l->stats.decode_err[err]++;
		l->stats.drops[LCCE_DROP_DECODE]++;
		l2tp_v3_answer_for(err, m, digest_on(cc), &a);
		if (!a.send)
			return;
		if (a.msg_type == L2TP_MSG_STOPCCN) {
			cc_stop(l, cc, a.result, a.error, "malformed control message", now, out);
			return;
		}
		/* CDN for the call it names; none: a counted drop. */
		{
			struct l2tp_pw *pw = l2tp_cc_pw(cc, m->remote_session_id);

			if (pw) {
				lcce_pw_close(l, pw, a.result, a.error, now, out);
				return;
			}
			/* A malformed ICRQ (a cookie of 3 bytes): the call is refused. */
			if (m->local_session_id && cc->state == L2TP_CC_ESTABLISHED) {
				lcce_notice(out, cc, NULL, "malformed session message: CDN");
				lcce_pw_refuse(l, cc, m->local_session_id, a.result, a.error, now,
					       out);
				return;
			}
			drop(l, LCCE_DROP_UNKNOWN_PW, cc, "malformed session message", out);
		}
		return;
	}
	if (l2tp_msg_is_session_scope(m->type)) {
		if (cc->state != L2TP_CC_ESTABLISHED && cc->state != L2TP_CC_CLOSING &&
		    m->type == L2TP_MSG_ICRQ) {
			/* A call before the connection is up (RFC 2661 §7.4.1). */
			l->stats.drops[LCCE_DROP_UNEXPECTED]++;
		}
		if (cc->state == L2TP_CC_ESTABLISHED)
			lcce_pw_deliver(l, cc, m, now, out);
		return;
	}
	switch (m->type) {
	case L2TP_MSG_SCCRQ:
		ev = CC_EV_SCCRQ;
		break;
	case L2TP_MSG_SCCRP:
		ev = CC_EV_SCCRP;
		break;
	case L2TP_MSG_SCCCN:
		ev = CC_EV_SCCCN;
		break;
	case L2TP_MSG_STOPCCN:
		ev = CC_EV_STOPCCN;
		break;
	case L2TP_MSG_HELLO:
		ev = CC_EV_HELLO;
		break;
	default:
		ev = CC_EV_OTHER;
		break;
	}
	cc_event(l, cc, ev, m, now, out);
}

static bool must_drop(enum l2tp_decode_err err, const struct l2tp_msg *m, bool auth_on)
{
	struct l2tp_v3_answer a;

	if (err == L2TP_DEC_OK)
		return false;
	if (err == L2TP_DEC_UNKNOWN_MSG_TYPE)
		return auth_on && !m->digest_ok;
	l2tp_v3_answer_for(err, m, auth_on, &a);
	return !a.send;
}

static void cc_input(struct l2tp_lcce *l, struct l2tp_cc *cc, const uint8_t *pkt, size_t len,
		     enum l2tp_encap encap, uint64_t now, struct lcce_actions *out)
{
	struct l2tp_msg *m = &l->msg;
	struct l2tp_v3_auth auth;
	enum l2tp_decode_err err;
	enum l2tp_rel_verdict v;
	size_t off;

	cc_auth(cc, &auth);
	err = l2tp_v3_msg_decode(pkt, len, encap, digest_on(cc) ? &auth : NULL, m);
	if (must_drop(err, m, digest_on(cc))) {
		l->stats.decode_err[err]++;
		if (err == L2TP_DEC_NO_DIGEST || err == L2TP_DEC_BAD_DIGEST ||
		    (digest_on(cc) && !m->digest_ok)) {
			drop(l, LCCE_DROP_AUTH, cc, "message failed authentication", out);
			return;
		}
		drop(l, LCCE_DROP_DECODE, cc, "undecodable control message", out);
		return;
	}
	off = m->hdr.ctrl_off;
	v = l2tp_rel_input(&cc->rel, pkt + off, len - off, m->hdr.ns, m->hdr.nr,
			   m->type == L2TP_MSG_ZLB || m->type == L2TP_MSG_ACK, now);
	if (cc->state == L2TP_CC_ESTABLISHED && l->cfg.hello_interval_ms)
		cc->hello_deadline = now + l->cfg.hello_interval_ms;
	switch (v) {
	case L2TP_REL_DELIVER:
		deliver(l, cc, m, err, now, out);
		/* Messages held out of order (from the T bit: decoded as over UDP). */
		for (;;) {
			size_t n;

			if (cc->state == L2TP_CC_DEAD)
				break;
			n = l2tp_rel_pop_ready(&cc->rel, l->rbuf, sizeof(l->rbuf), now);
			if (!n)
				break;
			cc_auth(cc, &auth);
			err = l2tp_v3_msg_decode(l->rbuf, n, L2TP_ENCAP_UDP,
						 digest_on(cc) ? &auth : NULL, m);
			deliver(l, cc, m, err, now, out);
		}
		break;
	case L2TP_REL_ZLB:
		if (m->type < L2TP_MSG_V3_TYPE_COUNT)
			l->stats.rx_msgs[m->type]++;
		break;
	case L2TP_REL_DUPLICATE:
	case L2TP_REL_QUEUED:
		break;
	case L2TP_REL_OUT_OF_WINDOW:
		drop(l, LCCE_DROP_DECODE, cc, "control message beyond our window", out);
		break;
	}
	if (cc->state == L2TP_CC_DEAD)
		return;
	if (l2tp_rel_all_acked(&cc->rel))
		cc_event(l, cc, CC_EV_ACKED, NULL, now, out);
	cc_flush(l, cc, now, out);
}

/*
 * An SCCRQ (header ID 0). Tie Breaker, RFC 3931 §5.4.3: "The lower value
 * 'wins', and the 'loser' MUST discard its control connection. A StopCCN
 * SHOULD be sent by the winner as an explicit rejection for the losing
 * SCCRQ. In the case in which a tie breaker is present on both sides and
 * the value is equal, both sides MUST discard their control connections and
 * restart control connection negotiation with a new, random tie breaker
 * value. If a tie breaker is received and an outstanding SCCRQ has no tie
 * breaker value, the initiator that included the Control Connection Tie
 * Breaker AVP 'wins'. If neither side issues a tie breaker, then two
 * separate control connections are opened." Values compare as unsigned
 * 64-bit big-endian numbers; lnsd always sends one.
 */
/* The connections of one peer config that are not yet gone. */
static unsigned peer_ccs(const struct l2tp_lcce *l, const struct l2tp_lcce_peer_cfg *pc)
{
	unsigned n = 0;

	for (const struct l2tp_cc *cc = l->ccs; cc; cc = cc->next)
		n += cc->peer_cfg == pc && cc->state != L2TP_CC_DEAD;
	return n;
}

static void sccrq_input(struct l2tp_lcce *l, const struct lns_addr *peer,
			const struct lns_addr *local, enum l2tp_encap encap, const uint8_t *pkt,
			size_t len, uint64_t now, struct lcce_actions *out)
{
	struct l2tp_msg *m = &l->msg;
	const struct l2tp_lcce_peer_cfg *pc = peer_by_addr(l, peer, encap);
	struct l2tp_v3_auth auth = { 0 };
	enum l2tp_decode_err err;
	struct l2tp_v3_answer a;
	struct l2tp_cc *cc, *mine = NULL;
	bool dig = pc && pc->auth == L2TP_LCCE_AUTH_DIGEST && pc->secret;

	if (dig) {
		auth.secret = pc->secret;
		auth.secret_len = pc->secret_len;
		auth.required = true;
	}
	err = l2tp_v3_msg_decode(pkt, len, encap, dig ? &auth : NULL, m);
	if (err == L2TP_DEC_OK && m->type != L2TP_MSG_SCCRQ) {
		/* Only an SCCRQ has no connection ID yet (a ZLB/ACK to one we
		 * refused, or a stray message). */
		drop(l, LCCE_DROP_UNKNOWN_CC, NULL, "control message for connection ID 0", out);
		return;
	}
	if (err != L2TP_DEC_OK) {
		l->stats.decode_err[err]++;
		l2tp_v3_answer_for(err, m, false, &a);
		if (err == L2TP_DEC_NO_DIGEST || err == L2TP_DEC_BAD_DIGEST)
			l->stats.drops[LCCE_DROP_AUTH]++;
		else
			l->stats.drops[LCCE_DROP_DECODE]++;
		lcce_notice(out, NULL, NULL, "SCCRQ refused: malformed or not authenticated");
		if (a.send && m->type == L2TP_MSG_SCCRQ)
			stateless_stop(l, pc, peer, local, encap, m, a.result, a.error, out);
		return;
	}
	l->stats.rx_msgs[L2TP_MSG_SCCRQ]++;
	if (!pc) {
		drop(l, LCCE_DROP_UNKNOWN_PEER, NULL, "SCCRQ from an address with no peer config",
		     out);
		stateless_stop(l, NULL, peer, local, encap, m, L2TP_STOPCCN_NOT_AUTHORIZED, 0, out);
		return;
	}
	/* A retransmission of an SCCRQ we accepted: the rel acks it. */
	for (cc = l->ccs; cc; cc = cc->next) {
		if (!cc->originated && cc->peer_cfg == pc && cc->peer_ccid == m->assigned_ccid &&
		    lns_addr_eq(&cc->peer, peer)) {
			cc_input(l, cc, pkt, len, encap, now, out);
			return;
		}
	}
	for (cc = l->ccs; cc; cc = cc->next)
		if (cc->peer_cfg == pc && cc->originated && cc->state == L2TP_CC_WAIT_CTL_REPLY)
			mine = cc;
	if (mine && l2tp_msg_has(m, L2TP_AVP_TIE_BREAKER)) {
		int c = memcmp(mine->tie_breaker, m->tie_breaker, 8);

		if (c <= 0) {
			/* Lower: we win. Equal: both discard and start again with
			 * new values (the dialler's jitter separates the next
			 * attempts). Either way their SCCRQ is refused. */
			if (c < 0)
				l->stats.ties_won++;
			else
				l->stats.ties_equal++;
			drop(l, LCCE_DROP_TIE_LOST, mine,
			     c < 0 ? "simultaneous open: our tie breaker won" :
				     "simultaneous open: equal tie breakers", out);
			stateless_stop(l, pc, peer, local, encap, m, L2TP_STOPCCN_ALREADY_EXISTS, 0,
				       out);
			if (c == 0) {
				mine->result = L2TP_STOPCCN_ALREADY_EXISTS;
				cc_dead(l, mine, now, out);
			}
			return;
		}
		/* We lost: ours goes without a word (the winner refuses it). */
		l->stats.ties_lost++;
		lcce_notice(out, mine, NULL, "simultaneous open: the peer's tie breaker won");
		mine->result = L2TP_STOPCCN_ALREADY_EXISTS;
		cc_dead(l, mine, now, out);
	} else if (mine) {
		/* Our SCCRQ carries a tie breaker and theirs none: ours wins. */
		l->stats.ties_won++;
		drop(l, LCCE_DROP_TIE_LOST, mine, "simultaneous open: peer sent no tie breaker",
		     out);
		stateless_stop(l, pc, peer, local, encap, m, L2TP_STOPCCN_ALREADY_EXISTS, 0, out);
		return;
	}
	if (l2tp_msg_has(m, L2TP_AVP_TIE_BREAKER)) {
		/*
		 * The peer wants a single connection but asks for a new one
		 * while ours is up: either it restarted, or this SCCRQ lost a
		 * tie and arrived late. Refuse it (result 3) and probe ours
		 * with a HELLO: a restarted peer cannot ack it, so ours ends
		 * after the retransmissions and the peer's next SCCRQ is
		 * taken; a live one acks it and nothing changes.
		 */
		for (cc = l->ccs; cc; cc = cc->next) {
			if (cc->peer_cfg != pc || cc->state != L2TP_CC_ESTABLISHED)
				continue;
			drop(l, LCCE_DROP_TIE_LOST, cc, "SCCRQ while a connection is up: probing it",
			     out);
			stateless_stop(l, pc, peer, local, encap, m, L2TP_STOPCCN_ALREADY_EXISTS, 0,
				       out);
			if (l2tp_rel_all_acked(&cc->rel))
				send_hello(l, cc, now, out);
			return;
		}
	}
	if (peer_ccs(l, pc) >= L2TP_LCCE_CC_PER_PEER_MAX) {
		/* No answer: a forged flood would have us reflect StopCCNs. */
		drop(l, LCCE_DROP_LIMIT, NULL, "SCCRQ refused: too many connections with this peer",
		     out);
		return;
	}
	/* Accept: §3.3 SCCRQ acceptable -> send SCCRP, wait-ctl-conn. */
	cc = cc_new(l, pc, peer, local, false, now);
	if (!cc) {
		lcce_notice(out, NULL, NULL, "SCCRQ refused: no memory or no free ID");
		stateless_stop(l, pc, peer, local, encap, m, L2TP_STOPCCN_GENERAL_ERROR,
			       L2TP_ERR_NO_RESOURCES, out);
		return;
	}
	cc->state = L2TP_CC_WAIT_CTL_CONN;
	{
		struct lcce_action *act = lcce_act_push(out, LCCE_ACT_CC_STATE, cc, NULL);

		if (act) {
			act->old_state = -1;
			act->new_state = L2TP_CC_WAIT_CTL_CONN;
		}
	}
	take_peer(cc, m);
	(void)l2tp_rel_input(&cc->rel, pkt + m->hdr.ctrl_off, len - m->hdr.ctrl_off, m->hdr.ns,
			     m->hdr.nr, false, now);
	if (pc->auth == L2TP_LCCE_AUTH_CHALLENGE && l2tp_msg_has(m, L2TP_AVP_CHALLENGE) &&
	    !pc->secret) {
		cc_stop(l, cc, L2TP_STOPCCN_NOT_AUTHORIZED, 0, "peer challenges, no secret", now,
			out);
		return;
	}
	lcce_begin(l, cc, L2TP_MSG_SCCRP);
	put_start_avps(l, cc);
	if (pc->auth == L2TP_LCCE_AUTH_CHALLENGE)
		put_response(l, cc, m, L2TP_CHAPID_SCCRP);
	lcce_queue(l, cc, now, out);
}

/* ---- the LCCE ----------------------------------------------------------- */

static void reap(struct l2tp_lcce *l)
{
	while (l->dead_pws) {
		struct l2tp_pw *pw = l->dead_pws;

		l->dead_pws = pw->next;
		free(pw);
	}
	while (l->dead_ccs) {
		struct l2tp_cc *cc = l->dead_ccs;

		l->dead_ccs = cc->next;
		l2tp_rel_free(&cc->rel);
		free(cc);
	}
}

struct l2tp_lcce *l2tp_lcce_new(const struct l2tp_lcce_cfg *cfg, uint64_t now_ms)
{
	struct l2tp_lcce *l = calloc(1, sizeof(*l));
	size_t n = 0;

	if (!l)
		return NULL;
	l->cfg = *cfg;
	for (size_t i = 0; i < cfg->n_peers; i++)
		n += cfg->peers[i].initiate;
	if (n) {
		l->dialers = calloc(n, sizeof(*l->dialers));
		if (!l->dialers) {
			free(l);
			return NULL;
		}
	}
	for (size_t i = 0; i < cfg->n_peers; i++) {
		if (!cfg->peers[i].initiate)
			continue;
		l->dialers[l->n_dialers].pc = &cfg->peers[i];
		l->dialers[l->n_dialers].next_ms = now_ms;
		l->dialers[l->n_dialers].backoff_ms = cfg->redial_min_ms;
		l->n_dialers++;
	}
	return l;
}

void l2tp_lcce_free(struct l2tp_lcce *l)
{
	if (!l)
		return;
	reap(l);
	while (l->ccs) {
		struct l2tp_cc *cc = l->ccs;

		l->ccs = cc->next;
		while (cc->pws) {
			struct l2tp_pw *pw = cc->pws;

			cc->pws = pw->next;
			free(pw);
		}
		l2tp_rel_free(&cc->rel);
		free(cc);
	}
	free(l->dialers);
	free(l);
}

void l2tp_lcce_input(struct l2tp_lcce *l, const struct lns_addr *peer,
		     const struct lns_addr *local, enum l2tp_encap encap, const uint8_t *pkt,
		     size_t len, uint64_t now_ms, struct lcce_actions *out)
{
	struct l2tp_hdr h;
	enum l2tp_decode_err err;
	struct l2tp_cc *cc;

	reap(l);
	err = l2tp_v3_hdr_decode(pkt, len, encap, &h);
	if (err != L2TP_DEC_OK) {
		l->stats.decode_err[err]++;
		drop(l, LCCE_DROP_DECODE, NULL, "undecodable v3 header", out);
		return;
	}
	if (!h.is_ctrl) {
		drop(l, LCCE_DROP_DATA, NULL, "data message read in user space", out);
		return;
	}
	if (h.tunnel_id == 0) {
		sccrq_input(l, peer, local, encap, pkt, len, now_ms, out);
		return;
	}
	cc = l2tp_lcce_cc(l, h.tunnel_id);
	if (!cc) {
		drop(l, LCCE_DROP_UNKNOWN_CC, NULL, "unknown control connection ID", out);
		return;
	}
	/* IDs of another connection: another address may not speak for it. */
	if (cc->peer_cfg->encap != encap || cc->peer.family != peer->family ||
	    memcmp(cc->peer.addr, peer->addr, sizeof(peer->addr)) != 0 ||
	    (encap == L2TP_ENCAP_UDP && cc->state != L2TP_CC_WAIT_CTL_REPLY &&
	     cc->peer.port != peer->port)) {
		drop(l, LCCE_DROP_WRONG_PEER, cc, "control connection ID from another address", out);
		return;
	}
	/* Over UDP the responder may answer from another port (RFC 3931
	 * §4.1.2.1 leaves it free): the initiator follows its SCCRP. */
	if (cc->state == L2TP_CC_WAIT_CTL_REPLY)
		cc->peer.port = peer->port;
	cc_input(l, cc, pkt, len, encap, now_ms, out);
}

void l2tp_lcce_tick(struct l2tp_lcce *l, uint64_t now, struct lcce_actions *out)
{
	struct l2tp_cc *cc, *next;

	reap(l);
	for (cc = l->ccs; cc; cc = next) {
		next = cc->next;
		switch (cc->state) {
		case L2TP_CC_WAIT_CTL_REPLY:
		case L2TP_CC_WAIT_CTL_CONN:
			if (now >= cc->setup_deadline)
				cc_event(l, cc, CC_EV_SETUP_TIMEOUT, NULL, now, out);
			break;
		case L2TP_CC_ESTABLISHED:
			if (now >= cc->hello_deadline)
				cc_event(l, cc, CC_EV_HELLO_TIMEOUT, NULL, now, out);
			if (cc->state == L2TP_CC_ESTABLISHED)
				lcce_pw_timers(l, cc, now, out);
			break;
		case L2TP_CC_CLOSING:
			if (now >= cc->hold_deadline)
				cc_event(l, cc, CC_EV_HOLD_TIMEOUT, NULL, now, out);
			break;
		case L2TP_CC_DEAD:
			break;
		}
		if (cc->state != L2TP_CC_DEAD)
			cc_flush(l, cc, now, out);
	}
	for (size_t i = 0; i < l->n_dialers; i++) {
		struct lcce_dialer *d = &l->dialers[i];

		if (l->shutting_down || now < d->next_ms)
			continue;
		d->next_ms = UINT64_MAX;
		if (!peer_has_cc(l, d->pc, NULL))
			dial(l, d->pc, now, out);
	}
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t l2tp_lcce_next_deadline(const struct l2tp_lcce *l)
{
	uint64_t t = UINT64_MAX;
	const struct l2tp_cc *cc;
	const struct l2tp_pw *pw;

	for (cc = l->ccs; cc; cc = cc->next) {
		t = min64(t, l2tp_rel_next_deadline(&cc->rel));
		switch (cc->state) {
		case L2TP_CC_WAIT_CTL_REPLY:
		case L2TP_CC_WAIT_CTL_CONN:
			t = min64(t, cc->setup_deadline);
			break;
		case L2TP_CC_ESTABLISHED:
			t = min64(t, cc->hello_deadline);
			for (pw = cc->pws; pw; pw = pw->next)
				if (pw->state == L2TP_PW_WAIT_REPLY ||
				    pw->state == L2TP_PW_WAIT_CONNECT)
					t = min64(t, pw->deadline);
			break;
		case L2TP_CC_CLOSING:
			t = min64(t, cc->hold_deadline);
			break;
		case L2TP_CC_DEAD:
			break;
		}
	}
	if (!l->shutting_down)
		for (size_t i = 0; i < l->n_dialers; i++)
			t = min64(t, l->dialers[i].next_ms);
	return t;
}

int l2tp_lcce_circuit(struct l2tp_lcce *l, uint32_t ccid, uint32_t sid, bool up,
		      uint64_t now_ms, struct lcce_actions *out)
{
	struct l2tp_cc *cc;
	struct l2tp_pw *pw;

	reap(l);
	cc = l2tp_lcce_cc(l, ccid);
	pw = cc ? l2tp_cc_pw(cc, sid) : NULL;
	if (!pw)
		return -ENOENT;
	lcce_pw_circuit(l, pw, up, now_ms, out);
	cc_flush(l, cc, now_ms, out);
	return 0;
}

int l2tp_lcce_close_cc(struct l2tp_lcce *l, uint32_t ccid, uint16_t result, uint16_t error,
		       uint64_t now_ms, struct lcce_actions *out)
{
	struct l2tp_cc *cc;

	reap(l);
	cc = l2tp_lcce_cc(l, ccid);
	if (!cc)
		return -ENOENT;
	cc_stop(l, cc, result, error, NULL, now_ms, out);
	return 0;
}

int l2tp_lcce_close_pw(struct l2tp_lcce *l, uint32_t ccid, uint32_t sid, uint16_t result,
		       uint16_t error, uint64_t now_ms, struct lcce_actions *out)
{
	struct l2tp_cc *cc;
	struct l2tp_pw *pw;

	reap(l);
	cc = l2tp_lcce_cc(l, ccid);
	pw = cc ? l2tp_cc_pw(cc, sid) : NULL;
	if (!pw)
		return -ENOENT;
	lcce_pw_close(l, pw, result, error, now_ms, out);
	return 0;
}

void l2tp_lcce_shutdown(struct l2tp_lcce *l, uint64_t now_ms, struct lcce_actions *out)
{
	struct l2tp_cc *cc, *next;

	reap(l);
	l->shutting_down = true;
	for (cc = l->ccs; cc; cc = next) {
		next = cc->next;
		cc_stop(l, cc, L2TP_STOPCCN_SHUTTING_DOWN, L2TP_ERR_NONE, NULL, now_ms, out);
	}
}

const struct l2tp_lcce_stats *l2tp_lcce_stats(const struct l2tp_lcce *l)
{
	return &l->stats;
}

const char *l2tp_cc_state_str(enum l2tp_cc_state s)
{
	switch (s) {
	case L2TP_CC_WAIT_CTL_REPLY:
		return "wait-ctl-reply";
	case L2TP_CC_WAIT_CTL_CONN:
		return "wait-ctl-conn";
	case L2TP_CC_ESTABLISHED:
		return "established";
	case L2TP_CC_CLOSING:
		return "closing";
	case L2TP_CC_DEAD:
		return "dead";
	}
	return "?";
}

const char *l2tp_lcce_drop_str(enum l2tp_lcce_drop d)
{
	static const char *const names[LCCE_DROP_COUNT] = {
		[LCCE_DROP_DECODE] = "decode",
		[LCCE_DROP_DATA] = "data-in-userspace",
		[LCCE_DROP_UNKNOWN_CC] = "unknown-connection",
		[LCCE_DROP_WRONG_PEER] = "wrong-peer",
		[LCCE_DROP_UNKNOWN_PEER] = "unknown-peer",
		[LCCE_DROP_AUTH] = "auth",
		[LCCE_DROP_UNEXPECTED] = "unexpected",
		[LCCE_DROP_UNKNOWN_PW] = "unknown-pseudowire",
		[LCCE_DROP_REMOTE_END] = "unknown-remote-end-id",
		[LCCE_DROP_TIE_LOST] = "tie-breaker",
		[LCCE_DROP_LIMIT] = "limit",
	};

	return (unsigned)d < LCCE_DROP_COUNT ? names[d] : "?";
}
