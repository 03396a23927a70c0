// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LCP, RFC 1661 §5-§6: the option rules of the LNS side, plugged into the
 * automaton through struct ppp_fsm_ops, and the Echo keepalive.
 */
#include <errno.h>
#include <string.h>

#include "ppp_lcp.h"
#include "ppp_proto.h"

#define LCP_OPT_BUF 64

void lcp_cfg_default(struct lcp_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mru = 1400;
	cfg->min_mru = LCP_MIN_MRU;
	cfg->auth[0] = PPP_AUTH_CHAP_MD5;
	cfg->auth[1] = PPP_AUTH_PAP;
	cfg->n_auth = 2;
	cfg->echo_interval_ms = 30000;
	cfg->echo_failures = 4;
	cfg->max_loops = 5;
}

static struct lcp *to_lcp(struct ppp_fsm *f)
{
	return (struct lcp *)((char *)f - offsetof(struct lcp, fsm));
}

/* A fresh non-zero Magic-Number (§6.4: zero is not allowed). */
static uint32_t new_magic(const struct lcp *l)
{
	uint32_t m = 0;

	while (m == 0 && l->cfg->rand_bytes)
		l->cfg->rand_bytes(l->cfg->rand_ctx, &m, sizeof(m));
	return m ? m : 0x4c4e5344;
}

/*
 * §6.2 Authentication-Protocol data of each method. Methods are added here
 * (and to enum ppp_auth_method) without touching the negotiation.
 */
static size_t auth_opt(enum ppp_auth_method m, uint8_t *p)
{
	switch (m) {
	case PPP_AUTH_PAP:
		p[0] = LCP_OPT_AUTH;
		p[1] = 4;
		ppp_put16(p + 2, PPP_PROTO_PAP);
		return 4;
	case PPP_AUTH_CHAP_MD5:
		p[0] = LCP_OPT_AUTH;
		p[1] = 5;
		ppp_put16(p + 2, PPP_PROTO_CHAP);
		p[4] = CHAP_ALG_MD5;
		return 5;
	case PPP_AUTH_MSCHAPV2:
		/* RFC 2759 §2: CHAP with algorithm 0x81 */
		p[0] = LCP_OPT_AUTH;
		p[1] = 5;
		ppp_put16(p + 2, PPP_PROTO_CHAP);
		p[4] = CHAP_ALG_MSCHAPV2;
		return 5;
	case PPP_AUTH_NONE:
	case PPP_AUTH_METHOD_COUNT:
		break;
	}
	return 0;
}

/* The method an Authentication-Protocol option's data names, NONE if unknown to us. */
static enum ppp_auth_method auth_from_opt(const uint8_t *o, size_t len)
{
	if (len >= 4 && ppp_get16(o + 2) == PPP_PROTO_PAP)
		return PPP_AUTH_PAP;
	if (len >= 5 && ppp_get16(o + 2) == PPP_PROTO_CHAP && o[4] == CHAP_ALG_MD5)
		return PPP_AUTH_CHAP_MD5;
	if (len >= 5 && ppp_get16(o + 2) == PPP_PROTO_CHAP && o[4] == CHAP_ALG_MSCHAPV2)
		return PPP_AUTH_MSCHAPV2;
	return PPP_AUTH_NONE;
}

enum ppp_auth_method lcp_auth_method(const struct lcp *l)
{
	if (l->cfg->n_auth == 0 || l->auth_idx >= l->cfg->n_auth)
		return PPP_AUTH_NONE;
	return l->cfg->auth[l->auth_idx];
}

static size_t lcp_build_cr(struct ppp_fsm *f, uint8_t *buf, size_t cap)
{
	struct lcp *l = to_lcp(f);
	uint8_t *p = buf;

	if (l->mru && !(l->rejected & LCP_REJ_MRU)) {
		*p++ = LCP_OPT_MRU;
		*p++ = 4;
		p = ppp_put16(p, l->our_mru);
	}
	/* Only the method we currently want: a client that knows just one takes it. */
	if (lcp_auth_method(l) != PPP_AUTH_NONE)
		p += auth_opt(lcp_auth_method(l), p);
	if (!(l->rejected & LCP_REJ_MAGIC)) {
		*p++ = LCP_OPT_MAGIC;
		*p++ = 6;
		p = ppp_put32(p, l->our_magic);
	}
	return (size_t)(p - buf);
}

/* Append one option to a reply list. */
static void add_opt(uint8_t *list, size_t *n, const uint8_t *opt, size_t len)
{
	memcpy(list + *n, opt, len);
	*n += len;
}

static uint8_t lcp_recv_cr(struct ppp_fsm *f, const uint8_t *data, size_t len, uint8_t *reply,
			   size_t cap, size_t *reply_len, bool nak_exhausted)
{
	struct lcp *l = to_lcp(f);
	uint8_t nak[LCP_OPT_BUF], rej[PPP_MAX_FRAME], v;
	size_t nn = 0, nr = 0, off = 0;
	uint16_t mru = PPP_DEFAULT_MRU;
	uint32_t magic = 0;

	while (off < len) {
		const uint8_t *o = data + off;
		size_t olen = len - off >= 2 ? o[1] : 0;
		uint8_t fix[6];
		bool bad_len;

		if (olen < 2 || olen > len - off) {
			/* a malformed option: reject what is left (§6) */
			add_opt(rej, &nr, o, len - off);
			break;
		}
		off += olen;
		switch ((enum lcp_opt)o[0]) {
		case LCP_OPT_MRU:
			bad_len = olen != 4;
			if (bad_len)
				break;
			mru = ppp_get16(o + 2);
			if (mru < l->cfg->min_mru) {
				/* §6.1: Nak with a value we could accept */
				fix[0] = LCP_OPT_MRU;
				fix[1] = 4;
				ppp_put16(fix + 2, l->cfg->min_mru);
				if (nak_exhausted)
					add_opt(rej, &nr, o, olen);
				else if (nn + 4 <= sizeof(nak))
					add_opt(nak, &nn, fix, 4);
			}
			continue;
		case LCP_OPT_MAGIC:
			bad_len = olen != 6;
			if (bad_len)
				break;
			magic = ppp_get32(o + 2);
			if (magic != 0 && !(magic == l->our_magic && !(l->rejected & LCP_REJ_MAGIC))) {
				l->loops = 0;
				continue;
			}
			/* §6.4: zero, or our own number: maybe looped back. Nak a new one. */
			if (magic != 0 && ++l->loops >= l->cfg->max_loops) {
				l->fail = PPP_DOWN_LOOPBACK;
				l->close_pending = true;
			}
			if (magic != 0)
				l->our_magic = new_magic(l);
			fix[0] = LCP_OPT_MAGIC;
			fix[1] = 6;
			ppp_put32(fix + 2, new_magic(l));
			if (nak_exhausted)
				add_opt(rej, &nr, o, olen);
			else if (nn + 6 <= sizeof(nak))
				add_opt(nak, &nn, fix, 6);
			continue;
		case LCP_OPT_AUTH:
			/* The peer would authenticate us: an LNS does not authenticate itself. */
		case LCP_OPT_ACCM:
		case LCP_OPT_PFC:
		case LCP_OPT_ACFC:
			/* Asynchronous HDLC framing and header compression: not on L2TP. */
		case LCP_OPT_QUALITY:
		default:
			add_opt(rej, &nr, o, olen);
			continue;
		}
		/* a known option with a wrong length: reject it as given */
		add_opt(rej, &nr, o, olen);
	}
	v = ppp_conf_reply(rej, nr, nak, nn, data, len, reply, reply_len);
	if (v == PPP_CONF_ACK) {
		l->peer_mru = mru;
		l->peer_magic = magic;
	}
	return v;
}

static bool lcp_recv_ack(struct ppp_fsm *f, const uint8_t *data, size_t len)
{
	uint8_t buf[LCP_OPT_BUF];
	size_t n = lcp_build_cr(f, buf, sizeof(buf));

	/* §5.2: the Ack must list our options exactly, in order. */
	return n == len && memcmp(buf, data, n) == 0;
}

/* §6.2: the peer Naks our Authentication-Protocol: try the next enabled method. */
static bool next_auth(struct lcp *l, enum ppp_auth_method suggested)
{
	uint8_t i;

	for (i = (uint8_t)(l->auth_idx + 1); i < l->cfg->n_auth; i++) {
		if (l->cfg->auth[i] == suggested) {
			l->auth_idx = i;
			return true;
		}
	}
	l->auth_idx++;
	return l->auth_idx < l->cfg->n_auth;
}

static enum ppp_fsm_verdict lcp_recv_nak(struct ppp_fsm *f, const uint8_t *data, size_t len)
{
	struct lcp *l = to_lcp(f);
	size_t off = 0;
	uint16_t top = l->mru > PPP_DEFAULT_MRU ? l->mru : PPP_DEFAULT_MRU;

	if (!ppp_opts_valid(data, len))
		return PPP_FSM_BAD;
	for (; off < len; off += data[off + 1]) {
		const uint8_t *o = data + off;
		uint16_t v;

		switch ((enum lcp_opt)o[0]) {
		case LCP_OPT_MRU:
			v = o[1] == 4 ? ppp_get16(o + 2) : 0;
			if (v >= l->cfg->min_mru && v <= top)
				l->our_mru = v;
			break;
		case LCP_OPT_AUTH:
			if (lcp_auth_method(l) == PPP_AUTH_NONE)
				break;      /* we did not ask: ignore the hint */
			if (!next_auth(l, auth_from_opt(o, o[1]))) {
				l->fail = PPP_DOWN_AUTH_REFUSED;
				return PPP_FSM_GIVE_UP;
			}
			break;
		case LCP_OPT_MAGIC:
			/* §6.4: choose another number (the peer's suggestion is not ours) */
			l->our_magic = new_magic(l);
			break;
		case LCP_OPT_ACCM:
		case LCP_OPT_QUALITY:
		case LCP_OPT_PFC:
		case LCP_OPT_ACFC:
		default:
			break;      /* §5.3: options we did not send may be hinted; we decline */
		}
	}
	return PPP_FSM_OK;
}

static enum ppp_fsm_verdict lcp_recv_rej(struct ppp_fsm *f, const uint8_t *data, size_t len)
{
	struct lcp *l = to_lcp(f);
	size_t off = 0;

	if (!ppp_opts_valid(data, len))
		return PPP_FSM_BAD;
	for (; off < len; off += data[off + 1]) {
		switch ((enum lcp_opt)data[off]) {
		case LCP_OPT_MRU:
			l->rejected |= LCP_REJ_MRU;
			l->our_mru = PPP_DEFAULT_MRU;
			break;
		case LCP_OPT_MAGIC:
			l->rejected |= LCP_REJ_MAGIC;
			break;
		case LCP_OPT_AUTH:
			/* We require authentication: a peer that refuses it is not served. */
			if (lcp_auth_method(l) == PPP_AUTH_NONE)
				return PPP_FSM_BAD;
			l->fail = PPP_DOWN_AUTH_REFUSED;
			return PPP_FSM_GIVE_UP;
		case LCP_OPT_ACCM:
		case LCP_OPT_QUALITY:
		case LCP_OPT_PFC:
		case LCP_OPT_ACFC:
		default:
			/* §5.4: a Reject must only list options we sent */
			return PPP_FSM_BAD;
		}
	}
	return PPP_FSM_OK;
}

static enum ppp_fsm_event lcp_classify(struct ppp_fsm *f, const struct ppp_fsm_rx *rx)
{
	struct lcp *l = to_lcp(f);

	switch (rx->code) {
	case PPP_PROTO_REJ:
		/* §5.7: LCP itself rejected is fatal; another protocol is the owner's business. */
		if (rx->len < 2)
			return PPP_EV_RUC;
		if (ppp_get16(rx->data) == PPP_PROTO_LCP)
			return PPP_EV_RXJ_MINUS;
		l->rejected_proto = ppp_get16(rx->data);
		return PPP_EV_RXJ_PLUS;
	case PPP_ECHO_REQ:
	case PPP_ECHO_REPLY:
	case PPP_DISCARD_REQ:
		return PPP_EV_RXR;       /* §5.8, §5.9 */
	default:
		return PPP_EV_RUC;
	}
}

/* §5.8 in Opened: answer Echo-Requests, count Echo-Replies, spot our own magic. */
static void lcp_ser(struct ppp_fsm *f, const struct ppp_fsm_rx *rx, uint64_t now_ms,
		    struct ppp_actions *out)
{
	struct lcp *l = to_lcp(f);
	uint8_t buf[PPP_DEFAULT_MRU];
	size_t n;

	if (rx->code == PPP_DISCARD_REQ || rx->len < 4)
		return;
	if (l->our_magic != 0 && !(l->rejected & LCP_REJ_MAGIC) &&
	    ppp_get32(rx->data) == l->our_magic) {
		l->fail = PPP_DOWN_LOOPBACK;
		l->close_pending = true;
		return;
	}
	if (rx->code == PPP_ECHO_REPLY) {
		l->echo_pending = 0;
		return;
	}
	n = rx->len < sizeof(buf) ? rx->len : sizeof(buf);
	if (n > (size_t)l->peer_mru - PPP_HDR_LEN)
		n = (size_t)l->peer_mru - PPP_HDR_LEN;
	memcpy(buf, rx->data, n);
	ppp_put32(buf, (l->rejected & LCP_REJ_MAGIC) ? 0 : l->our_magic);
	ppp_act_send(out, PPP_PROTO_LCP, PPP_ECHO_REPLY, rx->id, buf, n);
}

static void lcp_tlu(struct ppp_fsm *f, uint64_t now_ms, struct ppp_actions *out)
{
	struct lcp *l = to_lcp(f);

	l->echo_pending = 0;
	l->echo_deadline = l->cfg->echo_interval_ms ? now_ms + l->cfg->echo_interval_ms
						     : UINT64_MAX;
}

static void lcp_tld(struct ppp_fsm *f)
{
	to_lcp(f)->echo_deadline = UINT64_MAX;
}

static const struct ppp_fsm_ops lcp_ops = {
	.proto = PPP_PROTO_LCP,
	.build_cr = lcp_build_cr,
	.recv_cr = lcp_recv_cr,
	.recv_ack = lcp_recv_ack,
	.recv_nak = lcp_recv_nak,
	.recv_rej = lcp_recv_rej,
	.classify = lcp_classify,
	.ser = lcp_ser,
	.tlu = lcp_tlu,
	.tld = lcp_tld,
};

void lcp_init(struct lcp *l, const struct lcp_cfg *cfg, const struct ppp_fsm_cfg *fcfg)
{
	memset(l, 0, sizeof(*l));
	ppp_fsm_init(&l->fsm, &lcp_ops, fcfg);
	l->cfg = cfg;
	l->echo_deadline = UINT64_MAX;
	l->mru = cfg->mru;
	l->our_mru = cfg->mru ? cfg->mru : PPP_DEFAULT_MRU;
	l->peer_mru = PPP_DEFAULT_MRU;
	l->our_magic = new_magic(l);
}

void lcp_set_mru(struct lcp *l, uint16_t mru)
{
	l->mru = mru;
	l->our_mru = mru ? mru : PPP_DEFAULT_MRU;
}

void lcp_close(struct lcp *l, enum ppp_down_reason why, uint64_t now_ms, struct ppp_actions *out)
{
	if (l->fail == PPP_DOWN_NONE)
		l->fail = (uint8_t)why;
	l->close_pending = false;
	ppp_fsm_event(&l->fsm, PPP_EV_CLOSE, now_ms, out);
}

int lcp_input(struct lcp *l, const uint8_t *pkt, size_t len, uint64_t now_ms,
	      struct ppp_actions *out)
{
	int rc = ppp_fsm_input(&l->fsm, pkt, len, now_ms, out);

	/* Decided inside the automaton (loopback): close once it has finished. */
	if (l->close_pending)
		lcp_close(l, (enum ppp_down_reason)l->fail, now_ms, out);
	return rc;
}

void lcp_tick(struct lcp *l, uint64_t now_ms, struct ppp_actions *out)
{
	uint8_t magic[4];

	ppp_fsm_tick(&l->fsm, now_ms, out);
	if (l->fsm.state != PPP_FSM_OPENED || now_ms < l->echo_deadline)
		return;
	if (l->echo_pending >= l->cfg->echo_failures) {
		lcp_close(l, PPP_DOWN_ECHO_FAILURE, now_ms, out);
		return;
	}
	ppp_put32(magic, (l->rejected & LCP_REJ_MAGIC) ? 0 : l->our_magic);
	ppp_act_send(out, PPP_PROTO_LCP, PPP_ECHO_REQ, ++l->echo_id, magic, sizeof(magic));
	l->echo_pending++;
	l->echo_deadline = now_ms + l->cfg->echo_interval_ms;
}

uint64_t lcp_next_deadline(const struct lcp *l)
{
	return l->fsm.deadline < l->echo_deadline ? l->fsm.deadline : l->echo_deadline;
}

int lcp_send_proto_rej(struct lcp *l, uint16_t proto, const uint8_t *info, size_t len,
		       struct ppp_actions *out)
{
	uint8_t buf[PPP_DEFAULT_MRU];
	size_t max = (size_t)l->peer_mru - PPP_HDR_LEN - 2;

	if (l->fsm.state != PPP_FSM_OPENED)
		return -EAGAIN;
	/* §5.7: the rejected protocol, then as much of its packet as fits the peer's MRU. */
	if (max > sizeof(buf) - 2)
		max = sizeof(buf) - 2;
	if (len > max)
		len = max;
	ppp_put16(buf, proto);
	if (len)
		memcpy(buf + 2, info, len);
	ppp_act_send(out, PPP_PROTO_LCP, PPP_PROTO_REJ, ++l->fsm.id, buf, len + 2);
	return 0;
}
