// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * L2TPv3 pseudowires (sessions) on an established control connection:
 * incoming calls both ways (RFC 3931 §3.4.1, §6.6-§6.8: ICRQ -> ICRP ->
 * ICCN), circuit status (§5.4.5 and the SLI message; RFC 4719 §2.3), CDN.
 *
 * States: WAIT_REPLY (our ICRQ sent) or WAIT_CONNECT (our ICRP sent) ->
 * ESTABLISHED (the kernel session is created) -> DEAD (PW_FREE).
 * docs/design.md §10.5.
 */
#include <stdlib.h>
#include <string.h>

#include "l2tp_lcce_int.h"

struct l2tp_pw *l2tp_cc_pw(const struct l2tp_cc *cc, uint32_t sid)
{
	struct l2tp_pw *pw;

	for (pw = cc->pws; pw; pw = pw->next)
		if (pw->sid == sid)
			return pw;
	return NULL;
}

const char *l2tp_pw_state_str(enum l2tp_pw_state s)
{
	switch (s) {
	case L2TP_PW_WAIT_REPLY:
		return "wait-reply";
	case L2TP_PW_WAIT_CONNECT:
		return "wait-connect";
	case L2TP_PW_ESTABLISHED:
		return "established";
	case L2TP_PW_DEAD:
		return "dead";
	}
	return "?";
}

static void pw_set_state(struct l2tp_lcce *l, struct l2tp_pw *pw, enum l2tp_pw_state st,
			 struct lcce_actions *out)
{
	enum l2tp_pw_state old = pw->state;
	struct lcce_action *act;

	if (old == st)
		return;
	pw->state = st;
	if (st == L2TP_PW_ESTABLISHED)
		l->stats.pws_established++;
	else if (old != L2TP_PW_ESTABLISHED)
		l->stats.pws_failed++;
	act = lcce_act_push(out, LCCE_ACT_PW_STATE, pw->cc, pw);
	if (act) {
		act->old_state = (int)old;
		act->new_state = (int)st;
	}
}

/* A Session ID unique in the whole LCCE: over IP the kernel finds data by
 * Session ID alone, in the netns (docs/design.md §4.8). */
static uint32_t new_sid(struct l2tp_lcce *l)
{
	for (int tries = 0; tries < 64; tries++) {
		const struct l2tp_cc *cc;
		uint32_t id;
		bool used = false;

		lcce_rand(l, &id, sizeof(id));
		if (!id)
			continue;
		for (cc = l2tp_lcce_next_cc(l, NULL); cc && !used; cc = l2tp_lcce_next_cc(l, cc))
			used = l2tp_cc_pw(cc, id) != NULL;
		if (!used)
			return id;
	}
	return 0;
}

static struct l2tp_pw *pw_new(struct l2tp_lcce *l, struct l2tp_cc *cc,
			      const struct l2tp_lcce_pw_cfg *pwc, bool outgoing, uint64_t now)
{
	struct l2tp_pw *pw = calloc(1, sizeof(*pw));

	if (!pw)
		return NULL;
	pw->sid = new_sid(l);
	if (!pw->sid) {
		free(pw);
		return NULL;
	}
	pw->cc = cc;
	pw->cfg = pwc;
	pw->outgoing = outgoing;
	pw->local_up = true;
	pw->remote_up = true;
	pw->l2spec = pwc->l2spec;
	pw->recv_seq = pwc->sequencing;
	pw->rx_cookie_len = pwc->cookie_len <= L2TP_V3_COOKIE_MAX ? pwc->cookie_len : 0;
	lcce_rand(l, pw->rx_cookie, pw->rx_cookie_len);
	lcce_rand(l, pw->tie_breaker, sizeof(pw->tie_breaker));
	pw->deadline = now + l->cfg.setup_timeout_ms;
	pw->next = cc->pws;
	cc->pws = pw;
	return pw;
}

static void pw_unlink(struct l2tp_lcce *l, struct l2tp_pw *pw)
{
	struct l2tp_pw **pp;

	for (pp = &pw->cc->pws; *pp; pp = &(*pp)->next) {
		if (*pp == pw) {
			*pp = pw->next;
			break;
		}
	}
	pw->next = l->dead_pws;
	l->dead_pws = pw;
}

void lcce_pw_dead(struct l2tp_lcce *l, struct l2tp_pw *pw, struct lcce_actions *out)
{
	if (pw->kernel) {
		lcce_act_push(out, LCCE_ACT_PW_KERNEL_DELETE, pw->cc, pw);
		pw->kernel = false;
	}
	pw_set_state(l, pw, L2TP_PW_DEAD, out);
	lcce_act_push(out, LCCE_ACT_PW_FREE, pw->cc, pw);
	pw_unlink(l, pw);
}

/* CDN: Result Code, Local Session ID (ours, 0 if none), Remote Session ID. */
static void send_cdn(struct l2tp_lcce *l, struct l2tp_cc *cc, uint32_t sid, uint32_t peer_sid,
		     uint16_t result, uint16_t error, uint64_t now, struct lcce_actions *out)
{
	lcce_begin(l, cc, L2TP_MSG_CDN);
	l2tp_mb_result(&l->mb, result, error, NULL);
	l2tp_mb_id(&l->mb, true, L2TP_AVP_LOCAL_SESSION_ID, sid);
	l2tp_mb_id(&l->mb, true, L2TP_AVP_REMOTE_SESSION_ID, peer_sid);
	lcce_queue(l, cc, now, out);
}

void lcce_pw_refuse(struct l2tp_lcce *l, struct l2tp_cc *cc, uint32_t peer_sid, uint16_t result,
		    uint16_t error, uint64_t now, struct lcce_actions *out)
{
	send_cdn(l, cc, 0, peer_sid, result, error, now, out);
}

void lcce_pw_close(struct l2tp_lcce *l, struct l2tp_pw *pw, uint16_t result, uint16_t error,
		   uint64_t now, struct lcce_actions *out)
{
	struct l2tp_cc *cc = pw->cc;

	pw->result = result;
	pw->error = error;
	send_cdn(l, cc, pw->sid, pw->peer_sid, result, error, now, out);
	lcce_pw_dead(l, pw, out);
}

/* The session AVPs of ICRQ and ICRP (§6.6, §6.7; RFC 4719 §2.1). */
static void put_call_avps(struct l2tp_lcce *l, const struct l2tp_pw *pw)
{
	struct l2tp_mbuf *b = &l->mb;

	if (pw->rx_cookie_len)
		l2tp_mb_bytes(b, true, L2TP_AVP_ASSIGNED_COOKIE, pw->rx_cookie, pw->rx_cookie_len);
	l2tp_mb_u16(b, true, L2TP_AVP_L2_SUBLAYER, pw->l2spec);
	l2tp_mb_u16(b, true, L2TP_AVP_DATA_SEQUENCING,
		    pw->recv_seq ? L2TP_DATASEQ_ALL : L2TP_DATASEQ_NONE);
	/* RFC 4719 §2.3.1: Circuit Status in ICRQ and ICRP, N set (new). */
	l2tp_mb_u16(b, true, L2TP_AVP_CIRCUIT_STATUS,
		    L2TP_CIRCUIT_NEW | (pw->local_up ? L2TP_CIRCUIT_ACTIVE : 0));
}

static void send_sli(struct l2tp_lcce *l, struct l2tp_pw *pw, uint64_t now,
		     struct lcce_actions *out)
{
	pw->told_up = pw->local_up;
	lcce_begin(l, pw->cc, L2TP_MSG_SLI);
	l2tp_mb_id(&l->mb, true, L2TP_AVP_LOCAL_SESSION_ID, pw->sid);
	l2tp_mb_id(&l->mb, true, L2TP_AVP_REMOTE_SESSION_ID, pw->peer_sid);
	l2tp_mb_u16(&l->mb, true, L2TP_AVP_CIRCUIT_STATUS,
		    pw->local_up ? L2TP_CIRCUIT_ACTIVE : 0);
	lcce_queue(l, pw->cc, now, out);
}

static void place_call(struct l2tp_lcce *l, struct l2tp_cc *cc,
		       const struct l2tp_lcce_pw_cfg *pwc, uint64_t now, struct lcce_actions *out)
{
	struct l2tp_pw *pw = pw_new(l, cc, pwc, true, now);
	struct lcce_action *act;
	struct l2tp_mbuf *b = &l->mb;

	if (!pw) {
		lcce_notice(out, cc, NULL, "call not placed: no memory or no free Session ID");
		return;
	}
	pw->state = L2TP_PW_WAIT_REPLY;
	pw->user = pwc->user;
	act = lcce_act_push(out, LCCE_ACT_PW_STATE, cc, pw);
	if (act) {
		act->old_state = -1;
		act->new_state = L2TP_PW_WAIT_REPLY;
	}
	lcce_begin(l, cc, L2TP_MSG_ICRQ);
	l2tp_mb_id(b, true, L2TP_AVP_LOCAL_SESSION_ID, pw->sid);
	l2tp_mb_id(b, true, L2TP_AVP_REMOTE_SESSION_ID, 0);
	l2tp_mb_u32(b, true, L2TP_AVP_CALL_SERIAL, ++l->call_serial);
	l2tp_mb_u16(b, true, L2TP_AVP_PW_TYPE, pwc->pw_type);
	l2tp_mb_bytes(b, true, L2TP_AVP_REMOTE_END_ID, pwc->remote_end_id, pwc->remote_end_id_len);
	/* §5.4.4 Session Tie Breaker, for two ICRQs crossing for one circuit. */
	l2tp_mb_bytes(b, true, L2TP_AVP_TIE_BREAKER, pw->tie_breaker, 8);
	put_call_avps(l, pw);
	pw->told_up = pw->local_up;
	lcce_queue(l, cc, now, out);
}

static bool places(const struct l2tp_cc *cc, const struct l2tp_lcce_pw_cfg *pwc)
{
	return pwc->role == L2TP_LCCE_INITIATOR || (pwc->role == L2TP_LCCE_BOTH && cc->originated);
}

static struct l2tp_pw *pw_of_cfg(const struct l2tp_cc *cc, const struct l2tp_lcce_pw_cfg *pwc)
{
	struct l2tp_pw *pw;

	for (pw = cc->pws; pw; pw = pw->next)
		if (pw->cfg == pwc)
			return pw;
	return NULL;
}

void lcce_pw_place_calls(struct l2tp_lcce *l, struct l2tp_cc *cc, uint64_t now,
			 struct lcce_actions *out)
{
	const struct l2tp_lcce_peer_cfg *pc = cc->peer_cfg;

	for (size_t i = 0; i < pc->n_pws && cc->state == L2TP_CC_ESTABLISHED; i++)
		if (places(cc, &pc->pws[i]) && !pw_of_cfg(cc, &pc->pws[i]))
			place_call(l, cc, &pc->pws[i], now, out);
}

/*
 * What both sides' session AVPs give the kernel session, or the CDN when
 * they cannot agree: the peer's L2-Specific Sublayer (absent: none) must
 * be ours, since the kernel has one for both directions; sequencing needs
 * the default sublayer (§5.4.4, CDN 15).
 */
static bool negotiate(struct l2tp_pw *pw, const struct l2tp_msg *m, uint16_t *result,
		      uint16_t *error)
{
	uint16_t l2spec = l2tp_msg_has(m, L2TP_AVP_L2_SUBLAYER) ? m->l2_sublayer :
			  L2TP_L2SUB_NONE;

	pw->send_seq = l2tp_msg_has(m, L2TP_AVP_DATA_SEQUENCING) &&
		       m->data_sequencing != L2TP_DATASEQ_NONE;
	if (l2spec != pw->l2spec) {
		*result = L2TP_CDN_GENERAL_ERROR;
		*error = L2TP_ERR_BAD_VALUE;
		return false;
	}
	if ((pw->send_seq || pw->recv_seq) && pw->l2spec == L2TP_L2SUB_NONE) {
		*result = L2TP_CDN_SEQ_WITHOUT_SUBLAYER;
		*error = L2TP_ERR_NONE;
		return false;
	}
	pw->tx_cookie_len = l2tp_msg_has(m, L2TP_AVP_ASSIGNED_COOKIE) ? m->cookie_len : 0;
	memcpy(pw->tx_cookie, m->cookie, pw->tx_cookie_len);
	if (l2tp_msg_has(m, L2TP_AVP_CIRCUIT_STATUS))
		pw->remote_up = (m->circuit_status & L2TP_CIRCUIT_ACTIVE) != 0;
	return true;
}

static void pw_up(struct l2tp_lcce *l, struct l2tp_pw *pw, uint64_t now,
		  struct lcce_actions *out)
{
	struct lcce_action *act;

	pw_set_state(l, pw, L2TP_PW_ESTABLISHED, out);
	lcce_act_push(out, LCCE_ACT_PW_KERNEL_CREATE, pw->cc, pw);
	pw->kernel = true;
	act = lcce_act_push(out, LCCE_ACT_PW_CIRCUIT, pw->cc, pw);
	if (act)
		act->up = pw->remote_up;
	/* Our circuit changed while the call was being set up. */
	if (pw->told_up != pw->local_up)
		send_sli(l, pw, now, out);
}

static const struct l2tp_lcce_pw_cfg *pw_cfg_by_end_id(const struct l2tp_lcce_peer_cfg *pc,
						       const struct l2tp_blob *id)
{
	for (size_t i = 0; i < pc->n_pws; i++)
		if (pc->pws[i].remote_end_id_len == id->len &&
		    memcmp(pc->pws[i].remote_end_id, id->data, id->len) == 0)
			return &pc->pws[i];
	return NULL;
}

/* A refused call: CDN naming the peer's session only (we have none). */
static void refuse(struct l2tp_lcce *l, struct l2tp_cc *cc, const struct l2tp_msg *m,
		   enum l2tp_lcce_drop d, uint16_t result, uint16_t error, const char *why,
		   uint64_t now, struct lcce_actions *out)
{
	l->stats.drops[d]++;
	lcce_notice(out, cc, NULL, why);
	lcce_pw_refuse(l, cc, m->local_session_id, result, error, now, out);
}

/*
 * An ICRQ: §3.4.1 / RFC 2661 §7.4.2 idle: acceptable -> ICRP, wait-connect;
 * not acceptable -> CDN. A Remote End ID not configured for this peer is
 * CDN 6 (invalid destination), a pseudowire type other than the
 * configured one CDN 14 (§5.4.4).
 */
static void icrq(struct l2tp_lcce *l, struct l2tp_cc *cc, const struct l2tp_msg *m,
		 uint64_t now, struct lcce_actions *out)
{
	const struct l2tp_lcce_pw_cfg *pwc;
	struct l2tp_pw tmp = { 0 }, *pw, *old;
	struct l2tp_cc *oc;
	struct lcce_action *act;
	uint16_t result, error;

	pwc = l2tp_msg_has(m, L2TP_AVP_REMOTE_END_ID) ?
	      pw_cfg_by_end_id(cc->peer_cfg, &m->remote_end_id) : NULL;
	if (!pwc) {
		refuse(l, cc, m, LCCE_DROP_REMOTE_END, L2TP_CDN_INVALID_DEST, L2TP_ERR_NONE,
		       "ICRQ for a Remote End ID not configured", now, out);
		return;
	}
	if (m->pw_type != pwc->pw_type) {
		refuse(l, cc, m, LCCE_DROP_UNEXPECTED, L2TP_CDN_PW_TYPE_UNSUPPORTED, L2TP_ERR_NONE,
		       "ICRQ with another pseudowire type", now, out);
		return;
	}
	/* Agree on the data plane before anything else is touched. */
	tmp.l2spec = pwc->l2spec;
	tmp.recv_seq = pwc->sequencing;
	tmp.remote_up = true;
	if (!negotiate(&tmp, m, &result, &error)) {
		refuse(l, cc, m, LCCE_DROP_UNEXPECTED, result, error,
		       "ICRQ: L2-Specific Sublayer or sequencing not agreed", now, out);
		return;
	}
	old = pw_of_cfg(cc, pwc);
	if (old && old->state == L2TP_PW_WAIT_REPLY) {
		/* Our ICRQ for this circuit crossed theirs: the lower Session Tie
		 * Breaker wins (as §5.4.3 for connections); theirs absent: ours. */
		if (!l2tp_msg_has(m, L2TP_AVP_TIE_BREAKER) ||
		    memcmp(old->tie_breaker, m->tie_breaker, 8) <= 0) {
			refuse(l, cc, m, LCCE_DROP_TIE_LOST, L2TP_CDN_TIE_BREAKER_LOST,
			       L2TP_ERR_NONE, "crossing ICRQ: our tie breaker won", now, out);
			return;
		}
		lcce_pw_close(l, old, L2TP_CDN_TIE_BREAKER_LOST, L2TP_ERR_NONE, now, out);
	} else if (old) {
		/* The peer places a new call for a circuit it had: the old one
		 * is stale on its side. */
		lcce_notice(out, cc, old, "new call for a circuit already up: old one closed");
		lcce_pw_close(l, old, L2TP_CDN_ADMIN, L2TP_ERR_NONE, now, out);
	}
	/* The same circuit on another connection to this peer (the peer
	 * restarted and dialled again): that one is stale too. */
	for (oc = l2tp_lcce_next_cc(l, NULL); oc; oc = l2tp_lcce_next_cc(l, oc)) {
		if (oc == cc || oc->peer_cfg != cc->peer_cfg)
			continue;
		old = pw_of_cfg(oc, pwc);
		if (old) {
			lcce_notice(out, oc, old, "circuit called again on another connection");
			lcce_pw_close(l, old, L2TP_CDN_ADMIN, L2TP_ERR_NONE, now, out);
		}
	}
	pw = pw_new(l, cc, pwc, false, now);
	if (!pw) {
		refuse(l, cc, m, LCCE_DROP_UNEXPECTED, L2TP_CDN_NO_FACILITIES_TEMP,
		       L2TP_ERR_NO_RESOURCES, "ICRQ refused: no memory or no free Session ID",
		       now, out);
		return;
	}
	pw->user = pwc->user;
	pw->peer_sid = m->local_session_id;
	pw->state = L2TP_PW_WAIT_CONNECT;
	act = lcce_act_push(out, LCCE_ACT_PW_STATE, cc, pw);
	if (act) {
		act->old_state = -1;
		act->new_state = L2TP_PW_WAIT_CONNECT;
	}
	pw->send_seq = tmp.send_seq;
	pw->remote_up = tmp.remote_up;
	pw->tx_cookie_len = tmp.tx_cookie_len;
	memcpy(pw->tx_cookie, tmp.tx_cookie, sizeof(pw->tx_cookie));
	lcce_begin(l, cc, L2TP_MSG_ICRP);
	l2tp_mb_id(&l->mb, true, L2TP_AVP_LOCAL_SESSION_ID, pw->sid);
	l2tp_mb_id(&l->mb, true, L2TP_AVP_REMOTE_SESSION_ID, pw->peer_sid);
	l2tp_mb_u16(&l->mb, true, L2TP_AVP_PW_TYPE, pwc->pw_type);
	put_call_avps(l, pw);
	pw->told_up = pw->local_up;
	lcce_queue(l, cc, now, out);
}

/*
 * The pseudowire automaton (RFC 2661 §7.4.1/§7.4.2 tables as RFC 3931 §3.4.1
 * keeps them, both roles). ICRQ is handled by icrq(): it creates the state.
 */
enum pw_event {
	PW_EV_ICRP,
	PW_EV_ICCN,
	PW_EV_SLI,
	PW_EV_CDN,
	PW_EV_OTHER,
	PW_EV_TIMEOUT,
};

/* CDN received: the call is over, nothing to answer (the rel acks it). */
static void peer_ended(struct l2tp_lcce *l, struct l2tp_pw *pw, const struct l2tp_msg *m,
		       struct lcce_actions *out)
{
	pw->result = m->result_code;
	pw->error = m->error_code;
	lcce_pw_dead(l, pw, out);
}

/* A message the state does not take: CDN 16 (§5.4.4, FSM error). */
static void fsm_error(struct l2tp_lcce *l, struct l2tp_pw *pw, uint64_t now,
		      struct lcce_actions *out)
{
	l->stats.drops[LCCE_DROP_UNEXPECTED]++;
	lcce_pw_close(l, pw, L2TP_CDN_FSM_ERROR, L2TP_ERR_NONE, now, out);
}

static void pw_event(struct l2tp_lcce *l, struct l2tp_pw *pw, enum pw_event ev,
		     const struct l2tp_msg *m, uint64_t now, struct lcce_actions *out)
{
	uint16_t result, error;
	struct lcce_action *act;
	bool was;

	switch (pw->state) {
	case L2TP_PW_WAIT_REPLY:
		switch (ev) {
		case PW_EV_ICRP:
			/* §7.4.1 wait-reply: ICRP acceptable -> ICCN, established. */
			pw->peer_sid = m->local_session_id;
			if (!negotiate(pw, m, &result, &error)) {
				lcce_notice(out, pw->cc, pw,
					    "ICRP: L2-Specific Sublayer or sequencing not agreed");
				lcce_pw_close(l, pw, result, error, now, out);
				break;
			}
			lcce_begin(l, pw->cc, L2TP_MSG_ICCN);
			l2tp_mb_id(&l->mb, true, L2TP_AVP_LOCAL_SESSION_ID, pw->sid);
			l2tp_mb_id(&l->mb, true, L2TP_AVP_REMOTE_SESSION_ID, pw->peer_sid);
			lcce_queue(l, pw->cc, now, out);
			pw_up(l, pw, now, out);
			break;
		case PW_EV_ICCN:
		case PW_EV_SLI:
			fsm_error(l, pw, now, out);
			break;
		case PW_EV_CDN:
			peer_ended(l, pw, m, out);
			break;
		case PW_EV_OTHER:
			break;
		case PW_EV_TIMEOUT:
			lcce_pw_close(l, pw, L2TP_CDN_TIMEOUT, L2TP_ERR_NONE, now, out);
			break;
		}
		break;
	case L2TP_PW_WAIT_CONNECT:
		switch (ev) {
		case PW_EV_ICCN:
			/* §7.4.2 wait-connect: ICCN acceptable -> established. */
			pw_up(l, pw, now, out);
			break;
		case PW_EV_SLI:
			/* RFC 4719 §2.3.2 allows SLI once ICRQ/ICRP were exchanged. */
			if (l2tp_msg_has(m, L2TP_AVP_CIRCUIT_STATUS))
				pw->remote_up = (m->circuit_status & L2TP_CIRCUIT_ACTIVE) != 0;
			break;
		case PW_EV_ICRP:
			fsm_error(l, pw, now, out);
			break;
		case PW_EV_CDN:
			peer_ended(l, pw, m, out);
			break;
		case PW_EV_OTHER:
			break;
		case PW_EV_TIMEOUT:
			lcce_pw_close(l, pw, L2TP_CDN_TIMEOUT, L2TP_ERR_NONE, now, out);
			break;
		}
		break;
	case L2TP_PW_ESTABLISHED:
		switch (ev) {
		case PW_EV_SLI:
			/* §5.4.5: the peer's circuit went up or down. */
			was = pw->remote_up;
			if (l2tp_msg_has(m, L2TP_AVP_CIRCUIT_STATUS))
				pw->remote_up = (m->circuit_status & L2TP_CIRCUIT_ACTIVE) != 0;
			if (was != pw->remote_up) {
				act = lcce_act_push(out, LCCE_ACT_PW_CIRCUIT, pw->cc, pw);
				if (act)
					act->up = pw->remote_up;
			}
			break;
		case PW_EV_ICRP:
		case PW_EV_ICCN:
			/* A retransmission is absorbed by the rel; a second one
			 * of another Ns is the peer's FSM error. */
			fsm_error(l, pw, now, out);
			break;
		case PW_EV_CDN:
			peer_ended(l, pw, m, out);
			break;
		case PW_EV_OTHER:
		case PW_EV_TIMEOUT:
			break;
		}
		break;
	case L2TP_PW_DEAD:
		break;
	}
}

void lcce_pw_deliver(struct l2tp_lcce *l, struct l2tp_cc *cc, const struct l2tp_msg *m,
		     uint64_t now, struct lcce_actions *out)
{
	struct l2tp_pw *pw;
	enum pw_event ev;

	if (m->type == L2TP_MSG_ICRQ) {
		icrq(l, cc, m, now, out);
		return;
	}
	/* The message names our session; a CDN may name only the peer's. */
	pw = m->remote_session_id ? l2tp_cc_pw(cc, m->remote_session_id) : NULL;
	if (!pw && m->type == L2TP_MSG_CDN)
		for (pw = cc->pws; pw; pw = pw->next)
			if (pw->peer_sid && pw->peer_sid == m->local_session_id)
				break;
	if (!pw) {
		/* Not ours on this connection (another's, or gone): a counted
		 * drop, the rel has acked it; nothing else is touched. */
		l->stats.drops[LCCE_DROP_UNKNOWN_PW]++;
		lcce_notice(out, cc, NULL, "session message for an unknown Session ID");
		return;
	}
	if (pw->peer_sid && m->local_session_id != pw->peer_sid) {
		l->stats.drops[LCCE_DROP_UNKNOWN_PW]++;
		lcce_notice(out, cc, pw, "session message with another peer Session ID");
		return;
	}
	cc->rel.zlb_session_id = 0;
	switch (m->type) {
	case L2TP_MSG_ICRP:
		ev = PW_EV_ICRP;
		break;
	case L2TP_MSG_ICCN:
		ev = PW_EV_ICCN;
		break;
	case L2TP_MSG_SLI:
		ev = PW_EV_SLI;
		break;
	case L2TP_MSG_CDN:
		ev = PW_EV_CDN;
		break;
	default:
		ev = PW_EV_OTHER;
		break;
	}
	pw_event(l, pw, ev, m, now, out);
}

void lcce_pw_timers(struct l2tp_lcce *l, struct l2tp_cc *cc, uint64_t now,
		    struct lcce_actions *out)
{
	struct l2tp_pw *pw, *next;

	for (pw = cc->pws; pw; pw = next) {
		next = pw->next;
		if ((pw->state == L2TP_PW_WAIT_REPLY || pw->state == L2TP_PW_WAIT_CONNECT) &&
		    now >= pw->deadline)
			pw_event(l, pw, PW_EV_TIMEOUT, NULL, now, out);
	}
}

/* Our circuit changed: SLI with Circuit Status once the call is up. */
void lcce_pw_circuit(struct l2tp_lcce *l, struct l2tp_pw *pw, bool up, uint64_t now,
		     struct lcce_actions *out)
{
	pw->local_up = up;
	/* In wait-reply the peer's Session ID is not known yet: pw_up() sends it. */
	if (pw->told_up != up &&
	    (pw->state == L2TP_PW_ESTABLISHED || pw->state == L2TP_PW_WAIT_CONNECT))
		send_sli(l, pw, now, out);
}
