// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The LNS incoming call state machine (RFC 2661 §7.4.2): ICRQ -> ICRP ->
 * WAIT_CONNECT -> ICCN -> ESTABLISHED; CDN in both directions.
 *
 * The RFC's idle state is the absence of a session: ICRQ admission and
 * messages for Session IDs we do not have are handled in lns_sess_deliver().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "l2tp_lns_int.h"

void lns_sess_destroy(struct l2tp_sess *s)
{
	if (!s)
		return;
	free(s->proxy);
	free(s);
}

void lns_sess_set_state(struct l2tp_lns *lns, struct l2tp_sess *s, enum l2tp_sess_state st,
			struct lns_actions *out)
{
	enum l2tp_sess_state old = s->state;
	struct lns_action *act;

	if (old == st)
		return;
	s->state = st;
	lns->stats.sessions_by_state[old]--;
	lns->stats.sessions_by_state[st]++;
	if (old == L2TP_SESS_ESTABLISHED)
		s->tun->n_established_sessions--;
	if (st == L2TP_SESS_ESTABLISHED) {
		s->tun->n_established_sessions++;
		lns->stats.sessions_established++;
	}
	if (old == L2TP_SESS_WAIT_CONNECT && st == L2TP_SESS_DEAD)
		lns->stats.sessions_failed++;
	act = lns_act_push(out, LNS_ACT_SESSION_STATE, s->tun, s);
	if (act) {
		act->old_state = (int)old;
		act->new_state = (int)st;
		act->result = s->result;
		act->error = s->error;
	}
}

static void half_open_del(struct l2tp_tun *tun, struct l2tp_sess *s)
{
	if (s->state != L2TP_SESS_WAIT_CONNECT)
		return;
	if (s->oprev)
		s->oprev->onext = s->onext;
	else
		tun->ohead = s->onext;
	if (s->onext)
		s->onext->oprev = s->oprev;
	else
		tun->otail = s->oprev;
	s->oprev = s->onext = NULL;
}

/* SESSION_STATE -> DEAD and SESSION_FREE; memory goes at the next call. */
static void sess_kill(struct l2tp_lns *lns, struct l2tp_sess *s, struct lns_actions *out)
{
	struct l2tp_tun *tun = s->tun;

	half_open_del(tun, s);
	lns_sess_hash_del(tun, s);
	lns_sess_set_state(lns, s, L2TP_SESS_DEAD, out);
	lns_act_push(out, LNS_ACT_SESSION_FREE, tun, s);
	lns->n_sessions--;
	s->hnext = lns->dead_sess;
	lns->dead_sess = s;
}

/* Assigned Session ID into lns->mb: hidden when the peer's settings ask for
 * it and a secret exists (ICRP, CDN; §4.3). */
static void put_sid(struct l2tp_lns *lns, struct l2tp_tun *tun, uint32_t sid)
{
	size_t slen;
	const uint8_t *secret = lns_secret(tun, &slen);

	if (secret && tun->peer_cfg->hide_avps) {
		uint8_t rv[16];

		lns_rand(lns, rv, sizeof(rv));
		l2tp_mb_random_vector(&lns->mb, rv, secret, slen);
		l2tp_mb_id_hidden(&lns->mb, true, L2TP_AVP_ASSIGNED_SESSION_ID, sid);
		return;
	}
	l2tp_mb_id(&lns->mb, true, L2TP_AVP_ASSIGNED_SESSION_ID, sid);
}

/* CDN (§6.14: Result Code, Assigned Session ID) to the peer's session. */
static void send_cdn(struct l2tp_lns *lns, struct l2tp_tun *tun, uint32_t peer_sid, uint32_t sid,
		     const struct lns_reason *why, struct lns_actions *out)
{
	l2tp_mb_begin(&lns->mb, tun->peer_tid, peer_sid, L2TP_MSG_CDN);
	l2tp_mb_result(&lns->mb, why->result, why->error, why->text);
	put_sid(lns, tun, sid);
	if (lns_tun_queue(lns, tun, out) == 0)
		lns_count_tx(lns, L2TP_MSG_CDN, why->result);
}

/* No session here: our Assigned Session ID in the CDN is 0 (none assigned). */
void lns_sess_refuse(struct l2tp_lns *lns, struct l2tp_tun *tun, uint32_t peer_sid,
		     const struct lns_reason *why, struct lns_actions *out)
{
	send_cdn(lns, tun, peer_sid, 0, why, out);
	lns_act_notice(out, tun, NULL, why->text);
}

/* Send CDN and free the session at once; the CDN stays in the tunnel's rel. */
static void sess_disconnect(struct l2tp_lns *lns, struct l2tp_sess *s,
			    const struct lns_reason *why, struct lns_actions *out)
{
	s->result = why->result;
	s->error = why->error;
	send_cdn(lns, s->tun, s->peer_sid, s->sid, why, out);
	if (why->text)
		lns_act_notice(out, s->tun, s, why->text);
	sess_kill(lns, s, out);
}

static void blob_copy(struct l2tp_blob *dst, const struct l2tp_blob *src)
{
	dst->len = src->len;
	memcpy(dst->data, src->data, src->len);
}

/* ICCN: keep what the LAC learned about the call (§6.12), proxy AVPs too. */
static void take_iccn(struct l2tp_sess *s, const struct l2tp_msg *m)
{
	const uint64_t proxy_bits = ((uint64_t)1 << L2TP_AVP_INITIAL_RCVD_LCP_CONFREQ) |
				    ((uint64_t)1 << L2TP_AVP_LAST_SENT_LCP_CONFREQ) |
				    ((uint64_t)1 << L2TP_AVP_LAST_RCVD_LCP_CONFREQ) |
				    ((uint64_t)1 << L2TP_AVP_PROXY_AUTHEN_TYPE) |
				    ((uint64_t)1 << L2TP_AVP_PROXY_AUTHEN_NAME) |
				    ((uint64_t)1 << L2TP_AVP_PROXY_AUTHEN_CHALLENGE) |
				    ((uint64_t)1 << L2TP_AVP_PROXY_AUTHEN_ID) |
				    ((uint64_t)1 << L2TP_AVP_PROXY_AUTHEN_RESPONSE);

	s->tx_connect_speed = m->tx_connect_speed;
	s->rx_connect_speed = l2tp_msg_has(m, L2TP_AVP_RX_CONNECT_SPEED) ? m->rx_connect_speed
									 : m->tx_connect_speed;
	if (l2tp_msg_has(m, L2TP_AVP_FRAMING_TYPE))
		s->framing_type = m->framing_type;
	if (l2tp_msg_has(m, L2TP_AVP_BEARER_TYPE))
		s->bearer_type = m->bearer_type;
	s->seq_required = l2tp_msg_has(m, L2TP_AVP_SEQUENCING_REQUIRED);
	if (!(m->present & proxy_bits))
		return;
	if (!s->proxy)
		s->proxy = calloc(1, sizeof(*s->proxy));
	if (!s->proxy)
		return;   /* the call works without proxy data: PPP renegotiates */
	blob_copy(&s->proxy->initial_rcvd_lcp_confreq, &m->initial_rcvd_lcp_confreq);
	blob_copy(&s->proxy->last_sent_lcp_confreq, &m->last_sent_lcp_confreq);
	blob_copy(&s->proxy->last_rcvd_lcp_confreq, &m->last_rcvd_lcp_confreq);
	s->proxy->authen_type = m->proxy_authen_type;
	s->proxy->authen_id = m->proxy_authen_id;
	lns_strcpy(s->proxy->authen_name, sizeof(s->proxy->authen_name), m->proxy_authen_name);
	blob_copy(&s->proxy->authen_challenge, &m->proxy_authen_challenge);
	blob_copy(&s->proxy->authen_response, &m->proxy_authen_response);
}

static const struct lns_reason r_fsm = { L2TP_CDN_GENERAL_ERROR, L2TP_ERR_VENDOR_SPECIFIC,
					 "unexpected message for the call state" };
static const struct lns_reason r_unknown_m = { L2TP_CDN_GENERAL_ERROR,
					       L2TP_ERR_UNKNOWN_MANDATORY_AVP,
					       "unknown mandatory AVP" };
static const struct lns_reason r_timeout = { L2TP_CDN_TIMEOUT, L2TP_ERR_NONE,
					     "timeout waiting for ICCN" };

/*
 * The incoming call automaton (LNS side). Messages arrive in order through
 * the tunnel's rel: a retransmitted ICRQ/ICCN is acked there and never
 * reaches this switch.
 */
void lns_sess_event(struct l2tp_lns *lns, struct l2tp_sess *s, enum lns_sess_event ev,
		    const struct l2tp_msg *m, const struct lns_reason *why, uint64_t now,
		    struct lns_actions *out)
{
	switch (s->state) {
	case L2TP_SESS_WAIT_CONNECT:
		switch (ev) {
		case LNS_SEV_ICRQ:
		case LNS_SEV_ICRP:
			/* §7.4.2 wait-connect: Recv ICRQ, ICRP -> Send CDN, Clean up. */
			lns->stats.drops[L2TP_DROP_UNEXPECTED]++;
			sess_disconnect(lns, s, &r_fsm, out);
			break;
		case LNS_SEV_ICCN:
			/* §7.4.2: Recv ICCN, acceptable -> Prepare for data, established. */
			take_iccn(s, m);
			half_open_del(s->tun, s);
			s->established_ms = now;
			lns_sess_set_state(lns, s, L2TP_SESS_ESTABLISHED, out);
			break;
		case LNS_SEV_CDN:
			/* §7.4.2: Recv CDN -> Clean up (the rel acks it). */
			s->result = m->result_code;
			s->error = m->error_code;
			sess_kill(lns, s, out);
			break;
		case LNS_SEV_OTHER:
			/* WEN/SLI and outgoing-call messages do not change the state. */
			break;
		case LNS_SEV_UNKNOWN_M:
			/* §4.1: unknown M-bit AVP in session scope ends the session. */
			sess_disconnect(lns, s, &r_unknown_m, out);
			break;
		case LNS_SEV_TIMEOUT:
			/* No ICCN within setup_timeout: result 10 ("not established
			 * within time allotted", §4.4.2). */
			sess_disconnect(lns, s, &r_timeout, out);
			break;
		case LNS_SEV_ADMIN_CLOSE:
			/* §7.4.2: Local Close request -> Send CDN, Clean up. */
			sess_disconnect(lns, s, why, out);
			break;
		case LNS_SEV_TUNNEL_CLOSE:
			/* §5.7: the StopCCN clears every session; no CDN. */
			sess_kill(lns, s, out);
			break;
		}
		break;
	case L2TP_SESS_ESTABLISHED:
		switch (ev) {
		case LNS_SEV_ICRQ:
		case LNS_SEV_ICRP:
		case LNS_SEV_ICCN:
			/* §7.4.2 established: Recv ICRQ, ICRP, ICCN -> Send CDN, Clean up. */
			lns->stats.drops[L2TP_DROP_UNEXPECTED]++;
			sess_disconnect(lns, s, &r_fsm, out);
			break;
		case LNS_SEV_CDN:
			s->result = m->result_code;
			s->error = m->error_code;
			sess_kill(lns, s, out);
			break;
		case LNS_SEV_OTHER:
			break;
		case LNS_SEV_UNKNOWN_M:
			sess_disconnect(lns, s, &r_unknown_m, out);
			break;
		case LNS_SEV_TIMEOUT:
			break;   /* not armed once established */
		case LNS_SEV_ADMIN_CLOSE:
			sess_disconnect(lns, s, why, out);
			break;
		case LNS_SEV_TUNNEL_CLOSE:
			sess_kill(lns, s, out);
			break;
		}
		break;
	case L2TP_SESS_DEAD:
		break;
	}
}

/* §7.4.2 idle: Recv ICRQ -> acceptable: Send ICRP; not acceptable: Send CDN. */
static void icrq(struct l2tp_lns *lns, struct l2tp_tun *tun, const struct l2tp_msg *m,
		 enum l2tp_decode_err err, uint64_t now, struct lns_actions *out)
{
	static const struct lns_reason r_limit = { L2TP_CDN_GENERAL_ERROR, L2TP_ERR_NO_RESOURCES,
						   "session limit reached" };
	static const struct lns_reason r_nomem = { L2TP_CDN_GENERAL_ERROR, L2TP_ERR_NO_RESOURCES,
						   "no memory or no free Session ID" };
	static const struct lns_reason r_busy = { L2TP_CDN_NO_FACILITIES_TEMP, L2TP_ERR_NO_RESOURCES,
						  "busy: too many calls starting" };
	uint32_t peer_sid = m->assigned_session_id;
	struct l2tp_sess *s;
	struct lns_action *act;

	if (!l2tp_msg_has(m, L2TP_AVP_ASSIGNED_SESSION_ID) || !peer_sid) {
		/* Nobody to address a CDN to. */
		lns->stats.decode_err[L2TP_DEC_MISSING_AVP]++;
		lns_drop(lns, L2TP_DROP_DECODE, tun, NULL, "ICRQ without Assigned Session ID", out);
		return;
	}
	if (err == L2TP_DEC_UNKNOWN_MANDATORY) {
		lns->stats.decode_err[err]++;
		lns->stats.drops[L2TP_DROP_DECODE]++;
		lns_sess_refuse(lns, tun, peer_sid, &r_unknown_m, out);
		return;
	}
	/* Another missing AVP (Call Serial Number) is tolerated: LACs differ. */
	if ((lns->cfg.max_sessions_per_tunnel && tun->n_sessions >= lns->cfg.max_sessions_per_tunnel) ||
	    (lns->cfg.max_sessions && lns->n_sessions >= lns->cfg.max_sessions)) {
		lns->stats.drops[L2TP_DROP_LIMIT]++;
		lns_sess_refuse(lns, tun, peer_sid, &r_limit, out);
		return;
	}
	if (lns->busy) {
		lns->stats.drops[L2TP_DROP_LIMIT]++;
		lns->stats.sessions_refused_busy++;
		lns_sess_refuse(lns, tun, peer_sid, &r_busy, out);
		return;
	}
	s = calloc(1, sizeof(*s));
	if (s)
		s->sid = lns_sess_new_id(lns, tun);
	if (!s || !s->sid || lns_sess_hash_add(tun, s)) {
		free(s);
		lns->stats.drops[L2TP_DROP_LIMIT]++;
		lns_sess_refuse(lns, tun, peer_sid, &r_nomem, out);
		return;
	}
	/* A peer session ID already in use here is a new call all the same: the
	 * LAC may reuse IDs, and the Session ID we assign keeps them apart. */
	s->tun = tun;
	s->peer_sid = peer_sid;
	s->state = L2TP_SESS_WAIT_CONNECT;
	s->call_serial = m->call_serial;
	s->bearer_type = m->bearer_type;
	s->framing_type = 0;
	lns_strcpy(s->calling_number, sizeof(s->calling_number), m->calling_number);
	lns_strcpy(s->called_number, sizeof(s->called_number), m->called_number);
	s->created_ms = now;
	s->deadline = now + lns->cfg.setup_timeout_ms;
	s->oprev = tun->otail;
	if (tun->otail)
		tun->otail->onext = s;
	else
		tun->ohead = s;
	tun->otail = s;
	lns->n_sessions++;
	lns->stats.sessions_created++;
	lns->stats.sessions_by_state[L2TP_SESS_WAIT_CONNECT]++;
	act = lns_act_push(out, LNS_ACT_SESSION_NEW, tun, s);
	if (act)
		act->new_state = L2TP_SESS_WAIT_CONNECT;

	/* §6.11 ICRP: Assigned Session ID. */
	l2tp_mb_begin(&lns->mb, tun->peer_tid, peer_sid, L2TP_MSG_ICRP);
	put_sid(lns, tun, s->sid);
	if (lns_tun_queue(lns, tun, out) == 0)
		lns_count_tx(lns, L2TP_MSG_ICRP, 0);
}

/* A CDN before our ICRP arrived carries Session ID 0: find the call by the
 * peer's ID among the half-open ones (the only ones it could mean). */
static struct l2tp_sess *find_half_open(const struct l2tp_tun *tun, uint32_t peer_sid)
{
	for (struct l2tp_sess *s = tun->ohead; s; s = s->onext)
		if (s->peer_sid == peer_sid)
			return s;
	return NULL;
}

void lns_sess_deliver(struct l2tp_lns *lns, struct l2tp_tun *tun, const struct l2tp_msg *m,
		      enum l2tp_decode_err err, uint64_t now, struct lns_actions *out)
{
	static const struct lns_reason r_noconn = { L2TP_CDN_GENERAL_ERROR,
						    L2TP_ERR_NO_CONTROL_CONNECTION,
						    "ICRQ before the control connection is up" };
	static const struct lns_reason r_badsid = { L2TP_CDN_GENERAL_ERROR,
						    L2TP_ERR_INVALID_SESSION_ID,
						    "ICRP for a session we do not have" };
	enum lns_sess_event ev;
	struct l2tp_sess *s = NULL;

	switch (tun->state) {
	case L2TP_TUN_WAIT_CTL_CONN:
		/* §4.4.2 error 1: no control connection exists yet. */
		if (m->type == L2TP_MSG_ICRQ && m->assigned_session_id) {
			lns->stats.drops[L2TP_DROP_UNEXPECTED]++;
			lns_sess_refuse(lns, tun, m->assigned_session_id, &r_noconn, out);
		} else {
			lns_drop(lns, L2TP_DROP_UNEXPECTED, tun, NULL,
				 "session message before SCCCN", out);
		}
		return;
	case L2TP_TUN_CLOSING:
	case L2TP_TUN_DEAD:
		/* §5.7: acked by the rel, nothing else. */
		return;
	case L2TP_TUN_ESTABLISHED:
		break;
	}
	/* The ack (ZLB) of this message names the call by the peer's ID; a CDN
	 * carries it even when we have already forgotten the session. */
	if (m->type == L2TP_MSG_CDN || m->type == L2TP_MSG_ICRQ)
		tun->rel.zlb_session_id = m->assigned_session_id;
	if (m->type == L2TP_MSG_ICRQ && m->hdr.session_id == 0) {
		icrq(lns, tun, m, err, now, out);
		return;
	}
	if (m->hdr.session_id)
		s = lns_sess_find(tun, m->hdr.session_id);
	else if (m->type == L2TP_MSG_CDN && m->assigned_session_id)
		s = find_half_open(tun, m->assigned_session_id);
	if (!s) {
		/* §7.4.2 idle: Recv ICRP -> Send CDN; Recv ICCN or CDN -> Clean
		 * up, i.e. nothing to answer: count and drop (no CDN ping-pong). */
		if (m->type == L2TP_MSG_ICRP && m->assigned_session_id) {
			lns->stats.drops[L2TP_DROP_UNKNOWN_SESSION]++;
			lns_sess_refuse(lns, tun, m->assigned_session_id, &r_badsid, out);
			return;
		}
		lns_drop(lns, L2TP_DROP_UNKNOWN_SESSION, tun, NULL,
			 "session message for an unknown Session ID", out);
		return;
	}
	if (m->type != L2TP_MSG_CDN)
		tun->rel.zlb_session_id = s->peer_sid;
	switch (m->type) {
	case L2TP_MSG_ICRQ:
		ev = LNS_SEV_ICRQ;
		break;
	case L2TP_MSG_ICRP:
		ev = LNS_SEV_ICRP;
		break;
	case L2TP_MSG_ICCN:
		ev = LNS_SEV_ICCN;
		break;
	case L2TP_MSG_CDN:
		ev = LNS_SEV_CDN;
		break;
	default:
		ev = LNS_SEV_OTHER;
		break;
	}
	/* A CDN is honoured even with an unknown M-bit AVP: the call ends anyway. */
	if (err == L2TP_DEC_UNKNOWN_MANDATORY && ev != LNS_SEV_CDN) {
		lns->stats.decode_err[err]++;
		ev = LNS_SEV_UNKNOWN_M;
	}
	lns_sess_event(lns, s, ev, m, NULL, now, out);
}

void lns_sess_timers(struct l2tp_lns *lns, struct l2tp_tun *tun, uint64_t now,
		     struct lns_actions *out)
{
	while (tun->ohead && tun->ohead->deadline <= now)
		lns_sess_event(lns, tun->ohead, LNS_SEV_TIMEOUT, NULL, NULL, now, out);
}

void lns_sess_close_all(struct l2tp_lns *lns, struct l2tp_tun *tun, uint64_t now,
			struct lns_actions *out)
{
	for (uint32_t b = 0; b < tun->nbuckets; b++)
		while (tun->sbuckets[b])
			lns_sess_event(lns, tun->sbuckets[b], LNS_SEV_TUNNEL_CLOSE, NULL, NULL, now,
				       out);
}
