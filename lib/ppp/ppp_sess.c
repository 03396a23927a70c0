// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One PPP session (RFC 1661 §3): the phase machine that strings LCP,
 * authentication and the NCPs (IPCP, optionally IPV6CP) together. After every entry point, settle()
 * drains what the automatons latched (this-layer up/down/finished) and
 * moves the phases along, so each layer stays ignorant of the others.
 */
#include <errno.h>
#include <string.h>

#include "ppp_proto.h"
#include "ppp_sess.h"

void ppp_cfg_default(struct ppp_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	ppp_fsm_cfg_default(&cfg->fsm);
	lcp_cfg_default(&cfg->lcp);
	ppp_auth_cfg_default(&cfg->auth);
}

const char *ppp_phase_str(enum ppp_phase p)
{
	switch (p) {
	case PPP_PHASE_DEAD: return "dead";
	case PPP_PHASE_ESTABLISH: return "establish";
	case PPP_PHASE_AUTHENTICATE: return "authenticate";
	case PPP_PHASE_NETWORK: return "network";
	case PPP_PHASE_TERMINATE: return "terminate";
	}
	return "?";
}

void ppp_sess_init(struct ppp_sess *s, const struct ppp_cfg *cfg)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	lcp_init(&s->lcp, &cfg->lcp, &cfg->fsm);
	ppp_auth_init(&s->auth, &cfg->auth);
	ipcp_init(&s->ipcp, &cfg->ipcp, &cfg->fsm, 0);
	/* no random bytes spent here: enter_network() starts IPV6CP afresh */
	ipv6cp_init(&s->ipv6cp, &cfg->fsm, NULL, NULL);
	s->phase = PPP_PHASE_DEAD;
}

static void release_addr(struct ppp_sess *s)
{
	if (s->ip_from_pool && s->cfg->pool)
		ip_pool_release(s->cfg->pool, s->attrs.peer_ip);
	s->ip_from_pool = false;
}

void ppp_sess_fini(struct ppp_sess *s)
{
	release_addr(s);
}

static void set_reason(struct ppp_sess *s, enum ppp_down_reason why)
{
	if (s->reason == PPP_DOWN_NONE)
		s->reason = (uint8_t)why;
}

/* The end: one DOWN action, the address back to the pool, nothing more afterwards. */
static void finish(struct ppp_sess *s, struct ppp_actions *out)
{
	struct ppp_action *act;

	if (s->phase == PPP_PHASE_DEAD)
		return;
	/* LCP's own verdict (echo, loopback, auth refused), else it did not converge */
	set_reason(s, s->lcp.fail != PPP_DOWN_NONE ? (enum ppp_down_reason)s->lcp.fail
						 : PPP_DOWN_NEGOTIATION);
	release_addr(s);
	s->phase = PPP_PHASE_DEAD;
	s->auth.deadline = UINT64_MAX;
	s->lcp.fsm.deadline = UINT64_MAX;
	s->lcp.echo_deadline = UINT64_MAX;
	s->ipcp.fsm.deadline = UINT64_MAX;
	s->ipv6cp.fsm.deadline = UINT64_MAX;
	act = ppp_act_push(out, PPP_ACT_DOWN);
	if (act)
		act->reason = (enum ppp_down_reason)s->reason;
}

static void close_link(struct ppp_sess *s, enum ppp_down_reason why, uint64_t now_ms,
		       struct ppp_actions *out)
{
	set_reason(s, why);
	if (s->phase != PPP_PHASE_DEAD)
		s->phase = PPP_PHASE_TERMINATE;
	lcp_close(&s->lcp, why, now_ms, out);
}

/* §3.5 Network-Layer Protocol phase: an address for the peer, then IPCP. */
static void enter_network(struct ppp_sess *s, uint64_t now_ms, struct ppp_actions *out)
{
	struct ip_pool *pool = s->cfg->pool;
	uint32_t ip = s->attrs.peer_ip;

	/* An address held from an earlier round (LCP renegotiated) is kept. */
	if (!s->ip_from_pool && ip == 0) {
		if (!pool || ip_pool_alloc(pool, &ip) < 0) {
			close_link(s, PPP_DOWN_POOL_EXHAUSTED, now_ms, out);
			return;
		}
		s->ip_from_pool = true;
	} else if (!s->ip_from_pool && pool && ip_pool_contains(pool, ip)) {
		/* an assigned address inside the pool must not be handed out twice */
		if (ip_pool_alloc_addr(pool, ip) < 0) {
			close_link(s, PPP_DOWN_POOL_EXHAUSTED, now_ms, out);
			return;
		}
		s->ip_from_pool = true;
	}
	s->attrs.peer_ip = ip;
	s->phase = PPP_PHASE_NETWORK;
	ipcp_init(&s->ipcp, &s->cfg->ipcp, &s->cfg->fsm, ip);
	if (s->attrs.dns1)
		s->ipcp.dns1 = s->attrs.dns1;
	if (s->attrs.dns2)
		s->ipcp.dns2 = s->attrs.dns2;
	ppp_fsm_event(&s->ipcp.fsm, PPP_EV_UP, now_ms, out);
	ppp_fsm_event(&s->ipcp.fsm, PPP_EV_OPEN, now_ms, out);
	if (s->cfg->ipv6cp.enabled && !(s->ncp_rejected & (1 << PPP_NCP_IPV6CP))) {
		/* RFC 5072 §3: alongside IPCP, on the same unit fd */
		ipv6cp_init(&s->ipv6cp, &s->cfg->fsm, s->cfg->lcp.rand_bytes, s->cfg->lcp.rand_ctx);
		ppp_fsm_event(&s->ipv6cp.fsm, PPP_EV_UP, now_ms, out);
		ppp_fsm_event(&s->ipv6cp.fsm, PPP_EV_OPEN, now_ms, out);
	}
}

/* §3.4 Authentication phase, with the method LCP agreed on. */
static void enter_auth(struct ppp_sess *s, uint64_t now_ms, struct ppp_actions *out)
{
	enum ppp_auth_method m = lcp_auth_method(&s->lcp);
	uint8_t rnd[PPP_CHAP_CHALLENGE_LEN + 1];
	const struct lcp_cfg *lc = &s->cfg->lcp;

	if (m == PPP_AUTH_NONE) {
		enter_network(s, now_ms, out);
		return;
	}
	s->phase = PPP_PHASE_AUTHENTICATE;
	memset(rnd, 0, sizeof(rnd));
	if ((m == PPP_AUTH_CHAP_MD5 || m == PPP_AUTH_MSCHAPV2) && lc->rand_bytes)
		lc->rand_bytes(lc->rand_ctx, rnd, sizeof(rnd));
	ppp_auth_start(&s->auth, m, rnd, rnd[PPP_CHAP_CHALLENGE_LEN], now_ms, out);
}

/* UP for the NCP that opened, with what every open NCP has agreed. */
static void emit_up(struct ppp_sess *s, enum ppp_ncp ncp, struct ppp_actions *out)
{
	struct ppp_action *act = ppp_act_push(out, PPP_ACT_UP);
	uint16_t cap = s->lcp.mru ? s->lcp.mru : PPP_DEFAULT_MRU;

	if (!act)
		return;
	act->up.ncp = (uint8_t)ncp;
	if (s->ipcp.fsm.state == PPP_FSM_OPENED) {
		act->up.local_ip = s->cfg->ipcp.local_ip;
		act->up.peer_ip = s->attrs.peer_ip;
		act->up.dns1 = (s->ipcp.got & IPCP_GOT_DNS1) ? s->ipcp.dns1 : 0;
		act->up.dns2 = (s->ipcp.got & IPCP_GOT_DNS2) ? s->ipcp.dns2 : 0;
	}
	if (s->cfg->ipv6cp.enabled && s->ipv6cp.fsm.state == PPP_FSM_OPENED) {
		act->up.ipv6 = true;
		memcpy(act->up.local_ifid, s->ipv6cp.our_id, IPV6CP_IFID_LEN);
		memcpy(act->up.peer_ifid, s->ipv6cp.peer_id, IPV6CP_IFID_LEN);
	}
	act->up.mtu = s->lcp.peer_mru < cap ? s->lcp.peer_mru : cap;
	act->up.mru = (s->lcp.rejected & LCP_REJ_MRU) ? PPP_DEFAULT_MRU : s->lcp.our_mru;
}

/*
 * Is there a network protocol left to serve once one has failed? (RFC 1661
 * §3.5) Req-Sent and the states after it are negotiating or open.
 */
static bool other_ncp_alive(const struct ppp_sess *s, enum ppp_ncp failed)
{
	if (failed == PPP_NCP_IPCP)
		return s->cfg->ipv6cp.enabled && !(s->ncp_rejected & (1 << PPP_NCP_IPV6CP)) &&
		       s->ipv6cp.fsm.state >= PPP_FSM_REQ_SENT;
	return !(s->ncp_rejected & (1 << PPP_NCP_IPCP)) && s->ipcp.fsm.state >= PPP_FSM_REQ_SENT;
}

/* Act on everything the layers latched, until nothing changes. */
static void settle(struct ppp_sess *s, uint64_t now_ms, struct ppp_actions *out)
{
	uint8_t lcp_ev, ipcp_ev, ipv6cp_ev;

	if (s->phase == PPP_PHASE_DEAD)
		return;
	do {
		lcp_ev = s->lcp.fsm.layer;
		ipcp_ev = s->ipcp.fsm.layer;
		ipv6cp_ev = s->ipv6cp.fsm.layer;
		s->lcp.fsm.layer = 0;
		s->ipcp.fsm.layer = 0;
		s->ipv6cp.fsm.layer = 0;

		if (lcp_ev & PPP_FSM_LAYER_DOWN) {
			/* §3.7: leaving Opened takes the network layer down with it */
			ppp_fsm_event(&s->ipcp.fsm, PPP_EV_DOWN, now_ms, out);
			ppp_fsm_event(&s->ipv6cp.fsm, PPP_EV_DOWN, now_ms, out);
			s->ipcp.fsm.layer = 0;
			s->ipv6cp.fsm.layer = 0;
			ipcp_ev = 0;
			ipv6cp_ev = 0;
			ppp_auth_init(&s->auth, &s->cfg->auth);
			if (s->lcp.fsm.state == PPP_FSM_CLOSING || s->lcp.fsm.state == PPP_FSM_STOPPING)
				s->phase = PPP_PHASE_TERMINATE;
			else
				s->phase = PPP_PHASE_ESTABLISH;   /* the peer renegotiates */
		}
		if (lcp_ev & PPP_FSM_LAYER_FINISHED) {
			finish(s, out);
			return;
		}
		if (lcp_ev & PPP_FSM_LAYER_UP)
			enter_auth(s, now_ms, out);
		if (s->lcp.rejected_proto == PPP_PROTO_IPCP) {
			/* §5.7: without IPCP (and IPV6CP) there is nothing to serve */
			s->lcp.rejected_proto = 0;
			s->ncp_rejected |= 1 << PPP_NCP_IPCP;
			ppp_fsm_event(&s->ipcp.fsm, PPP_EV_DOWN, now_ms, out);
			s->ipcp.fsm.layer = 0;
			ipcp_ev = 0;
			if (!other_ncp_alive(s, PPP_NCP_IPCP))
				close_link(s, PPP_DOWN_PROTO_REJECTED, now_ms, out);
		}
		if (s->lcp.rejected_proto == PPP_PROTO_IPV6CP && s->cfg->ipv6cp.enabled) {
			/* an IPv4-only peer: IPV6CP stops, IPCP carries on */
			s->lcp.rejected_proto = 0;
			s->ncp_rejected |= 1 << PPP_NCP_IPV6CP;
			ppp_fsm_event(&s->ipv6cp.fsm, PPP_EV_DOWN, now_ms, out);
			s->ipv6cp.fsm.layer = 0;
			ipv6cp_ev = 0;
			if (s->phase == PPP_PHASE_NETWORK && !other_ncp_alive(s, PPP_NCP_IPV6CP))
				close_link(s, PPP_DOWN_PROTO_REJECTED, now_ms, out);
		}
		if (s->phase == PPP_PHASE_AUTHENTICATE) {
			if (s->auth.state == PPP_AUTH_SUCCESS)
				enter_network(s, now_ms, out);
			else if (s->auth.state == PPP_AUTH_FAILURE)
				close_link(s, (enum ppp_down_reason)s->auth.fail, now_ms, out);
		}
		if (ipcp_ev & PPP_FSM_LAYER_UP)
			emit_up(s, PPP_NCP_IPCP, out);
		if (ipv6cp_ev & PPP_FSM_LAYER_UP)
			emit_up(s, PPP_NCP_IPV6CP, out);
		/* an NCP that did not converge ends the link unless the other one serves */
		if ((ipcp_ev & PPP_FSM_LAYER_FINISHED) && s->phase == PPP_PHASE_NETWORK &&
		    s->ipv6cp.fsm.state != PPP_FSM_OPENED)
			close_link(s, PPP_DOWN_NEGOTIATION, now_ms, out);
		if ((ipv6cp_ev & PPP_FSM_LAYER_FINISHED) && s->phase == PPP_PHASE_NETWORK &&
		    (s->ncp_rejected & (1 << PPP_NCP_IPCP)))
			close_link(s, PPP_DOWN_NEGOTIATION, now_ms, out);
	} while (s->lcp.fsm.layer || s->ipcp.fsm.layer || s->ipv6cp.fsm.layer);
}

void ppp_sess_start(struct ppp_sess *s, uint64_t now_ms, struct ppp_actions *out)
{
	if (s->phase != PPP_PHASE_DEAD || s->reason != PPP_DOWN_NONE)
		return;
	s->phase = PPP_PHASE_ESTABLISH;
	ppp_fsm_event(&s->lcp.fsm, PPP_EV_UP, now_ms, out);
	ppp_fsm_event(&s->lcp.fsm, PPP_EV_OPEN, now_ms, out);
	settle(s, now_ms, out);
}

static bool is_data(uint16_t proto)
{
	/* network-layer datagrams (0x0xxx-0x3xxx, RFC 1661 §2) belong to the kernel */
	return proto < 0x4000;
}

/* §5.7: a protocol we do not run (CCP; IPV6CP unless enabled), in the network phase. */
static void proto_reject(struct ppp_sess *s, uint16_t proto, const uint8_t *pkt, size_t plen,
			 struct ppp_actions *out)
{
	if (s->phase != PPP_PHASE_NETWORK || is_data(proto)) {
		s->stats.drop_phase++;
		return;
	}
	if (lcp_send_proto_rej(&s->lcp, proto, pkt, plen, out) == 0)
		s->stats.proto_rejects++;
}

void ppp_sess_input(struct ppp_sess *s, const uint8_t *frame, size_t len, bool on_unit_fd,
		    uint64_t now_ms, struct ppp_actions *out)
{
	const uint8_t *pkt = frame + PPP_PROTO_LEN;
	uint16_t proto;
	size_t plen;
	int rc = 0;

	if (len < PPP_PROTO_LEN) {
		s->stats.drop_short++;
		return;
	}
	plen = len - PPP_PROTO_LEN;
	if (s->phase == PPP_PHASE_DEAD) {
		s->stats.drop_phase++;
		return;
	}
	proto = (uint16_t)(frame[0] << 8 | frame[1]);
	if (on_unit_fd != (proto < 0xc000))
		s->stats.wrong_fd++;
	switch ((enum ppp_protocol)proto) {
	case PPP_PROTO_LCP:
		if (plen >= 1 && pkt[0] == PPP_TERM_REQ && s->lcp.fsm.state == PPP_FSM_OPENED)
			set_reason(s, PPP_DOWN_PEER_TERMINATE);
		rc = lcp_input(&s->lcp, pkt, plen, now_ms, out);
		break;
	case PPP_PROTO_PAP:
	case PPP_PROTO_CHAP:
		/* after success, a repeated request/response is answered again */
		if (s->phase != PPP_PHASE_AUTHENTICATE && s->phase != PPP_PHASE_NETWORK) {
			s->stats.drop_phase++;
			return;
		}
		rc = ppp_auth_input(&s->auth, proto, pkt, plen, now_ms, out);
		break;
	case PPP_PROTO_IPCP:
		/* §3.4: NCP packets before the network phase are silently discarded */
		if (s->phase != PPP_PHASE_NETWORK) {
			s->stats.drop_phase++;
			return;
		}
		rc = ipcp_input(&s->ipcp, pkt, plen, now_ms, out);
		break;
	case PPP_PROTO_IPV6CP:
		if (!s->cfg->ipv6cp.enabled || (s->ncp_rejected & (1 << PPP_NCP_IPV6CP))) {
			proto_reject(s, proto, pkt, plen, out);
			return;
		}
		if (s->phase != PPP_PHASE_NETWORK) {
			s->stats.drop_phase++;
			return;
		}
		rc = ipv6cp_input(&s->ipv6cp, pkt, plen, now_ms, out);
		break;
	case PPP_PROTO_IP:
	case PPP_PROTO_IPV6:
	case PPP_PROTO_CCP:
	case PPP_PROTO_LQR:
	default:
		proto_reject(s, proto, pkt, plen, out);
		return;
	}
	if (rc < 0)
		s->stats.drop_invalid++;
	settle(s, now_ms, out);
}

void ppp_sess_tick(struct ppp_sess *s, uint64_t now_ms, struct ppp_actions *out)
{
	if (s->phase == PPP_PHASE_DEAD)
		return;
	lcp_tick(&s->lcp, now_ms, out);
	ppp_auth_tick(&s->auth, now_ms, out);
	ppp_fsm_tick(&s->ipcp.fsm, now_ms, out);
	ppp_fsm_tick(&s->ipv6cp.fsm, now_ms, out);
	settle(s, now_ms, out);
}

uint64_t ppp_sess_next_deadline(const struct ppp_sess *s)
{
	uint64_t d = lcp_next_deadline(&s->lcp);

	if (s->phase == PPP_PHASE_DEAD)
		return UINT64_MAX;
	if (s->auth.deadline < d)
		d = s->auth.deadline;
	if (s->ipcp.fsm.deadline < d)
		d = s->ipcp.fsm.deadline;
	if (s->ipv6cp.fsm.deadline < d)
		d = s->ipv6cp.fsm.deadline;
	return d;
}

int ppp_sess_auth_result(struct ppp_sess *s, bool ok, const char *msg,
			 const struct ppp_auth_attrs *attrs, uint64_t now_ms,
			 struct ppp_actions *out)
{
	const struct lcp_cfg *lc = &s->cfg->lcp;
	uint8_t chal[PPP_CHAP_CHALLENGE_LEN];
	const uint8_t *retry = NULL;
	int rc;

	if (s->phase != PPP_PHASE_AUTHENTICATE)
		return -EINVAL;
	if (!ok && s->auth.method == PPP_AUTH_MSCHAPV2 && lc->rand_bytes) {
		/* RFC 2759 §6: a retry answers a fresh challenge */
		lc->rand_bytes(lc->rand_ctx, chal, sizeof(chal));
		retry = chal;
	}
	rc = ppp_auth_result_ms(&s->auth, ok, msg,
				attrs && attrs->has_auth_resp ? attrs->auth_resp : NULL, retry,
				now_ms, out);
	if (rc < 0)
		return rc;
	if (s->auth.state == PPP_AUTH_SUCCESS && attrs) {
		/* an address given earlier (a previous LCP round) stays */
		if (!s->ip_from_pool)
			s->attrs.peer_ip = attrs->peer_ip;
		s->attrs.dns1 = attrs->dns1;
		s->attrs.dns2 = attrs->dns2;
	}
	settle(s, now_ms, out);
	return 0;
}

void ppp_sess_close(struct ppp_sess *s, enum ppp_down_reason why, uint64_t now_ms,
		    struct ppp_actions *out)
{
	if (s->phase == PPP_PHASE_DEAD)
		return;
	close_link(s, why, now_ms, out);
	settle(s, now_ms, out);
	/* Close in a state without a Terminate exchange finishes silently (§4.1). */
	if (s->lcp.fsm.state != PPP_FSM_CLOSING && s->lcp.fsm.state != PPP_FSM_STOPPING)
		finish(s, out);
}

void ppp_sess_lower_down(struct ppp_sess *s, uint64_t now_ms, struct ppp_actions *out)
{
	if (s->phase == PPP_PHASE_DEAD)
		return;
	set_reason(s, PPP_DOWN_LOWER);
	ppp_fsm_event(&s->lcp.fsm, PPP_EV_DOWN, now_ms, out);
	finish(s, out);
}
