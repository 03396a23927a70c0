// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The LNS control connection state machine (RFC 2661 §7.2.1), HELLO
 * keepalives (§6.5) and the StopCCN holding period (§5.7).
 *
 * States: WAIT_CTL_CONN (SCCRP sent) -> ESTABLISHED (SCCCN accepted) ->
 * CLOSING (StopCCN sent or received) -> DEAD (TUNNEL_FREE). The RFC's idle
 * state is the absence of a tunnel: SCCRQ admission lives in l2tp_lns.c.
 */
#include <string.h>

#include "l2tp_lns_int.h"

void lns_tun_set_state(struct l2tp_lns *lns, struct l2tp_tun *tun, enum l2tp_tun_state st,
		       struct lns_actions *out)
{
	enum l2tp_tun_state old = tun->state;
	struct lns_action *act;

	if (old == st)
		return;
	tun->state = st;
	lns->stats.tunnels_by_state[old]--;
	lns->stats.tunnels_by_state[st]++;
	if (old == L2TP_TUN_WAIT_CTL_CONN) {
		lns->n_half_open--;
		(*lns_src_slot(lns, &tun->peer))--;
		if (st != L2TP_TUN_ESTABLISHED)
			lns->stats.tunnels_failed++;
	}
	if (st == L2TP_TUN_ESTABLISHED)
		lns->stats.tunnels_established++;
	if (st == L2TP_TUN_DEAD)
		lns->n_tunnels--;
	act = lns_act_push(out, LNS_ACT_TUNNEL_STATE, tun, NULL);
	if (act) {
		act->old_state = (int)old;
		act->new_state = (int)st;
		act->result = tun->result;
		act->error = tun->error;
	}
}

/* Put our Assigned Tunnel ID into lns->mb, hidden when allowed (§4.3). */
static void put_tid(struct l2tp_lns *lns, struct l2tp_tun *tun, bool hide)
{
	size_t slen;
	const uint8_t *secret = lns_secret(tun, &slen);

	if (hide && secret) {
		uint8_t rv[16];

		lns_rand(lns, rv, sizeof(rv));
		l2tp_mb_random_vector(&lns->mb, rv, secret, slen);
		l2tp_mb_id_hidden(&lns->mb, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, tun->tid);
		return;
	}
	l2tp_mb_id(&lns->mb, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, tun->tid);
}

void lns_tun_sccrp(struct l2tp_lns *lns, struct l2tp_tun *tun, const struct l2tp_msg *m,
		   uint64_t now, struct lns_actions *out)
{
	struct l2tp_mbuf *b = &lns->mb;
	size_t slen;
	const uint8_t *secret = lns_secret(tun, &slen);

	lns_strcpy(tun->peer_hostname, sizeof(tun->peer_hostname), m->host_name);
	lns_strcpy(tun->peer_vendor, sizeof(tun->peer_vendor), m->vendor_name);
	tun->peer_framing_caps = m->framing_caps;
	tun->peer_bearer_caps = m->bearer_caps;
	tun->peer_firmware_rev = m->firmware_rev;
	tun->peer_protocol_version = m->protocol_version;
	tun->peer_protocol_revision = m->protocol_revision;
	tun->peer_hides = m->hidden != 0;
	/* §5.8: absent Receive Window Size means 4. */
	l2tp_rel_set_peer_rws(&tun->rel,
			      l2tp_msg_has(m, L2TP_AVP_RECV_WINDOW_SIZE) ? m->rx_window : 0);
	/* Tie Breaker (§4.4.3) only matters to a side that also originates
	 * SCCRQs; we never do, so it is accepted and ignored. */

	l2tp_mb_begin(b, tun->peer_tid, 0, L2TP_MSG_SCCRP);
	l2tp_mb_protocol_version(b);
	l2tp_mb_u32(b, true, L2TP_AVP_FRAMING_CAPS, L2TP_FRAMING_SYNC | L2TP_FRAMING_ASYNC);
	/* We never place outgoing calls: no bearer capabilities (§4.4.3). */
	l2tp_mb_u32(b, true, L2TP_AVP_BEARER_CAPS, 0);
	l2tp_mb_u16(b, false, L2TP_AVP_FIRMWARE_REV, LNS_FIRMWARE_REV);
	l2tp_mb_str(b, true, L2TP_AVP_HOST_NAME, lns->cfg.hostname);
	l2tp_mb_str(b, false, L2TP_AVP_VENDOR_NAME, lns->cfg.vendor);
	/* Hidden only when the SCCRQ itself hid AVPs: Cisco cannot take hidden
	 * AVPs in an SCCRP it did not ask for (docs/design.md §6.3). */
	put_tid(lns, tun, tun->peer_hides && tun->peer_cfg && tun->peer_cfg->hide_avps);
	l2tp_mb_u16(b, true, L2TP_AVP_RECV_WINDOW_SIZE, lns->cfg.rel.our_rws);
	if (secret) {
		/* §5.1.1: authenticate the peer with our own challenge. */
		lns_rand(lns, tun->our_challenge, sizeof(tun->our_challenge));
		tun->challenged = true;
		l2tp_mb_bytes(b, true, L2TP_AVP_CHALLENGE, tun->our_challenge,
			      sizeof(tun->our_challenge));
	}
	if (secret && l2tp_msg_has(m, L2TP_AVP_CHALLENGE)) {
		uint8_t resp[16];

		l2tp_challenge_response(L2TP_CHAPID_SCCRP, secret, slen, m->challenge.data,
					m->challenge.len, resp);
		l2tp_mb_bytes(b, true, L2TP_AVP_CHALLENGE_RESPONSE, resp, sizeof(resp));
	}
	if (lns_tun_queue(lns, tun, out) == 0)
		lns_count_tx(lns, L2TP_MSG_SCCRP, 0);
	(void)now;
}

static void send_hello(struct l2tp_lns *lns, struct l2tp_tun *tun, struct lns_actions *out)
{
	l2tp_mb_begin(&lns->mb, tun->peer_tid, 0, L2TP_MSG_HELLO);
	if (lns_tun_queue(lns, tun, out) == 0)
		lns_count_tx(lns, L2TP_MSG_HELLO, 0);
}

/* Enter CLOSING: sessions go first (§5.7: a StopCCN clears every session). */
static void tun_closing(struct l2tp_lns *lns, struct l2tp_tun *tun, uint16_t result,
			uint16_t error, bool sent, uint64_t now, struct lns_actions *out)
{
	tun->result = result;
	tun->error = error;
	tun->stop_sent = sent;
	lns_tun_unlink_peer(lns, tun);
	lns_sess_close_all(lns, tun, now, out);
	tun->hold_deadline = now + lns->cfg.stopccn_hold_ms;
	lns_tun_set_state(lns, tun, L2TP_TUN_CLOSING, out);
}

/* Send StopCCN (§6.4: Assigned Tunnel ID and Result Code) and close. */
static void tun_stop(struct l2tp_lns *lns, struct l2tp_tun *tun, uint16_t result,
		     uint16_t error, const char *text, uint64_t now, struct lns_actions *out)
{
	struct l2tp_mbuf *b = &lns->mb;

	l2tp_mb_begin(b, tun->peer_tid, 0, L2TP_MSG_STOPCCN);
	l2tp_mb_id(b, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, tun->tid);
	l2tp_mb_result(b, result, error, text);
	if (lns_tun_queue(lns, tun, out) == 0)
		lns_count_tx(lns, L2TP_MSG_STOPCCN, result);
	if (text)
		lns_act_notice(out, tun, NULL, text);
	tun_closing(lns, tun, result, error, true, now, out);
}

/* The end, without a StopCCN exchange (rel gave up, or the hold expired). */
static void tun_dead(struct l2tp_lns *lns, struct l2tp_tun *tun, uint64_t now,
		     struct lns_actions *out)
{
	lns_sess_close_all(lns, tun, now, out);
	lns_tun_set_state(lns, tun, L2TP_TUN_DEAD, out);
	lns_act_push(out, LNS_ACT_TUNNEL_FREE, tun, NULL);
	lns_tun_kill(lns, tun);
}

void lns_tun_abort(struct l2tp_lns *lns, struct l2tp_tun *tun, uint64_t now,
		   struct lns_actions *out)
{
	if (tun->state != L2TP_TUN_DEAD)
		tun_dead(lns, tun, now, out);
}

static bool sccn_auth_ok(const struct l2tp_lns *lns, const struct l2tp_tun *tun,
			 const struct l2tp_msg *m)
{
	uint8_t want[16];
	size_t slen;
	const uint8_t *secret = lns_secret(tun, &slen);

	(void)lns;
	if (!tun->challenged)
		return true;
	if (!secret || !l2tp_msg_has(m, L2TP_AVP_CHALLENGE_RESPONSE))
		return false;
	/* §4.4.3: MD5 over the SCCCN message type (3), the secret, our challenge. */
	l2tp_challenge_response(L2TP_CHAPID_SCCCN, secret, slen, tun->our_challenge,
				sizeof(tun->our_challenge), want);
	return memcmp(want, m->challenge_response, sizeof(want)) == 0;
}

static void unexpected(struct l2tp_lns *lns, struct l2tp_tun *tun, const char *why,
		       uint64_t now, struct lns_actions *out)
{
	lns->stats.drops[L2TP_DROP_UNEXPECTED]++;
	tun_stop(lns, tun, L2TP_STOPCCN_FSM_ERROR, L2TP_ERR_NONE, why, now, out);
}

/*
 * The control connection automaton. Received messages come here in order
 * (after l2tp_rel), so duplicates never reach it: they are acked by the rel.
 */
void lns_tun_event(struct l2tp_lns *lns, struct l2tp_tun *tun, enum lns_tun_event ev,
		   const struct l2tp_msg *m, const struct lns_reason *why, uint64_t now,
		   struct lns_actions *out)
{
	switch (tun->state) {
	case L2TP_TUN_WAIT_CTL_CONN:
		switch (ev) {
		case LNS_TEV_SCCRQ:
		case LNS_TEV_SCCRP:
			/* §7.2.1 wait-ctl-conn: Recv SCCRQ or SCCRP -> Send StopCCN,
			 * Clean up (result 7, FSM error). */
			unexpected(lns, tun, "unexpected SCCRQ/SCCRP in wait-ctl-conn", now, out);
			break;
		case LNS_TEV_SCCCN:
			/* §7.2.1: Recv SCCCN, acceptable -> established (the rel's ZLB
			 * acks it); not acceptable -> Send StopCCN (§5.1.1: result 4). */
			if (!sccn_auth_ok(lns, tun, m)) {
				lns->stats.drops[L2TP_DROP_AUTH]++;
				tun_stop(lns, tun, L2TP_STOPCCN_NOT_AUTHORIZED, L2TP_ERR_NONE,
					 "tunnel authentication failed (SCCCN Challenge Response)",
					 now, out);
				break;
			}
			tun->established_ms = now;
			tun->hello_deadline = now + lns->cfg.hello_interval_ms;
			lns_tun_set_state(lns, tun, L2TP_TUN_ESTABLISHED, out);
			break;
		case LNS_TEV_STOPCCN:
			/* §7.2.1 / §5.7: Recv StopCCN -> Clean up, after holding. */
			tun_closing(lns, tun, m->result_code, m->error_code, false, now, out);
			break;
		case LNS_TEV_HELLO:
		case LNS_TEV_OTHER:
			/* §6.5 HELLO needs only its ack; unknown types without M are
			 * ignored (§3.2). */
			break;
		case LNS_TEV_UNKNOWN_M:
			/* §4.1 / §3.2: unknown mandatory AVP or message type in tunnel
			 * scope clears the tunnel: result 2, error 8. */
			tun_stop(lns, tun, L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_UNKNOWN_MANDATORY_AVP,
				 "unknown mandatory AVP or message type", now, out);
			break;
		case LNS_TEV_ADMIN_CLOSE:
			/* §7.2.1: Local Close request -> Send StopCCN. */
			tun_stop(lns, tun, why->result, why->error, why->text, now, out);
			break;
		case LNS_TEV_SETUP_TIMEOUT:
			/* Not in the RFC tables: the peer acked our SCCRP but never sent
			 * SCCCN. Clear it (result 1) so half-open slots come back. */
			tun_stop(lns, tun, L2TP_STOPCCN_CLEAR, L2TP_ERR_NONE,
				 "timeout waiting for SCCCN", now, out);
			break;
		case LNS_TEV_HELLO_TIMEOUT:
		case LNS_TEV_HOLD_TIMEOUT:
		case LNS_TEV_REL_ACKED:
			/* Not armed in this state. */
			break;
		case LNS_TEV_REL_FAILED:
			/* §5.8: retransmissions exhausted: the peer is gone. No StopCCN
			 * exchange is possible; record result 2. */
			tun->result = L2TP_STOPCCN_GENERAL_ERROR;
			tun->error = L2TP_ERR_NONE;
			lns_act_notice(out, tun, NULL, "peer stopped acknowledging (retries exhausted)");
			tun_dead(lns, tun, now, out);
			break;
		}
		break;
	case L2TP_TUN_ESTABLISHED:
		switch (ev) {
		case LNS_TEV_SCCRQ:
		case LNS_TEV_SCCRP:
		case LNS_TEV_SCCCN:
			/* §7.2.1 established: Recv SCCRQ, SCCRP, SCCCN -> Send StopCCN,
			 * Clean up (result 7, FSM error). */
			unexpected(lns, tun, "unexpected SCCRQ/SCCRP/SCCCN in established", now, out);
			break;
		case LNS_TEV_STOPCCN:
			/* §7.2.1: Recv StopCCN -> Clean up (after the §5.7 hold). */
			tun_closing(lns, tun, m->result_code, m->error_code, false, now, out);
			break;
		case LNS_TEV_HELLO:
		case LNS_TEV_OTHER:
			break;
		case LNS_TEV_UNKNOWN_M:
			tun_stop(lns, tun, L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_UNKNOWN_MANDATORY_AVP,
				 "unknown mandatory AVP or message type", now, out);
			break;
		case LNS_TEV_ADMIN_CLOSE:
			tun_stop(lns, tun, why->result, why->error, why->text, now, out);
			break;
		case LNS_TEV_HELLO_TIMEOUT:
			/* §6.5: after an idle period send HELLO; its loss surfaces as a
			 * rel failure. Messages already in flight do the same job. */
			tun->hello_deadline = now + lns->cfg.hello_interval_ms;
			if (l2tp_rel_all_acked(&tun->rel))
				send_hello(lns, tun, out);
			break;
		case LNS_TEV_SETUP_TIMEOUT:
		case LNS_TEV_HOLD_TIMEOUT:
		case LNS_TEV_REL_ACKED:
			break;
		case LNS_TEV_REL_FAILED:
			tun->result = L2TP_STOPCCN_GENERAL_ERROR;
			tun->error = L2TP_ERR_NONE;
			lns_act_notice(out, tun, NULL, "peer stopped acknowledging (retries exhausted)");
			tun_dead(lns, tun, now, out);
			break;
		}
		break;
	case L2TP_TUN_CLOSING:
		switch (ev) {
		case LNS_TEV_SCCRQ:
		case LNS_TEV_SCCRP:
		case LNS_TEV_SCCCN:
		case LNS_TEV_STOPCCN:
		case LNS_TEV_HELLO:
		case LNS_TEV_OTHER:
		case LNS_TEV_UNKNOWN_M:
			/* §5.7: only acknowledge (the rel does) while holding. */
			break;
		case LNS_TEV_ADMIN_CLOSE:
		case LNS_TEV_SETUP_TIMEOUT:
		case LNS_TEV_HELLO_TIMEOUT:
			break;
		case LNS_TEV_HOLD_TIMEOUT:
		case LNS_TEV_REL_FAILED:
			tun_dead(lns, tun, now, out);
			break;
		case LNS_TEV_REL_ACKED:
			/* Our StopCCN was acknowledged: nothing left to hold for. */
			if (tun->stop_sent)
				tun_dead(lns, tun, now, out);
			break;
		}
		break;
	case L2TP_TUN_DEAD:
		break;
	}
}

/* A tunnel-scope message in order, or a session one to hand on. */
void lns_tun_deliver(struct l2tp_lns *lns, struct l2tp_tun *tun, const struct l2tp_msg *m,
		     enum l2tp_decode_err err, uint64_t now, struct lns_actions *out)
{
	enum lns_tun_event ev;

	tun->rel.zlb_session_id = 0;   /* lns_sess_deliver() names the call */
	if (err == L2TP_DEC_UNKNOWN_MSG_TYPE) {
		lns->stats.decode_err[err]++;
		if (!m->type_mandatory)
			return;   /* §3.2: may be ignored */
		lns_tun_event(lns, tun, LNS_TEV_UNKNOWN_M, m, NULL, now, out);
		return;
	}
	if (l2tp_msg_is_session_scope(m->type)) {
		lns_sess_deliver(lns, tun, m, err, now, out);
		return;
	}
	switch (m->type) {
	case L2TP_MSG_SCCRQ:
		ev = LNS_TEV_SCCRQ;
		break;
	case L2TP_MSG_SCCRP:
		ev = LNS_TEV_SCCRP;
		break;
	case L2TP_MSG_SCCCN:
		ev = LNS_TEV_SCCCN;
		break;
	case L2TP_MSG_STOPCCN:
		ev = LNS_TEV_STOPCCN;
		break;
	case L2TP_MSG_HELLO:
		ev = LNS_TEV_HELLO;
		break;
	default:
		ev = LNS_TEV_OTHER;
		break;
	}
	/* A peer that is leaving is let go even if its StopCCN is odd. A
	 * missing AVP elsewhere in tunnel scope (SCCRQ/SCCRP) is an FSM error
	 * anyway; SCCCN and HELLO have no mandatory AVPs beyond the type. */
	if (err == L2TP_DEC_UNKNOWN_MANDATORY && ev != LNS_TEV_STOPCCN) {
		lns->stats.decode_err[err]++;
		ev = LNS_TEV_UNKNOWN_M;
	}
	lns_tun_event(lns, tun, ev, m, NULL, now, out);
}

void lns_tun_timers(struct l2tp_lns *lns, struct l2tp_tun *tun, uint64_t now,
		    struct lns_actions *out)
{
	switch (tun->state) {
	case L2TP_TUN_WAIT_CTL_CONN:
		if (now >= tun->setup_deadline)
			lns_tun_event(lns, tun, LNS_TEV_SETUP_TIMEOUT, NULL, NULL, now, out);
		break;
	case L2TP_TUN_ESTABLISHED:
		if (lns->cfg.hello_interval_ms && now >= tun->hello_deadline)
			lns_tun_event(lns, tun, LNS_TEV_HELLO_TIMEOUT, NULL, NULL, now, out);
		lns_sess_timers(lns, tun, now, out);
		break;
	case L2TP_TUN_CLOSING:
		if (now >= tun->hold_deadline)
			lns_tun_event(lns, tun, LNS_TEV_HOLD_TIMEOUT, NULL, NULL, now, out);
		break;
	case L2TP_TUN_DEAD:
		break;
	}
}
