// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The client side of a PPP link (see ppp_peer.h): client option rules for
 * LCP and IPCP plugged into ppp_fsm, and the PAP / CHAP-MD5 client.
 */
#include <errno.h>
#include <string.h>

#include "ppp_auth.h"
#include "ppp_peer.h"
#include "ppp_proto.h"

#define PEER_OPT_BUF 64
#define PEER_MIN_MRU 128             /* RFC 1661 §6.1 leaves it open; lnsd's floor too */
#define PEER_NAME_MAX 255            /* PAP Peer-ID-Length is one byte */
#define PEER_REJ_MRU (1u << 0)
#define PEER_REJ_MAGIC (1u << 1)
#define IPCP_ADDR_OPT_LEN 6

void ppp_peer_cfg_default(struct ppp_peer_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	ppp_fsm_cfg_default(&cfg->fsm);
	cfg->mru = 1400;
	cfg->user = "";
	cfg->password = "";
}

const char *ppp_peer_phase_str(enum ppp_peer_phase ph)
{
	switch (ph) {
	case PPP_PEER_DEAD: return "dead";
	case PPP_PEER_ESTABLISH: return "establish";
	case PPP_PEER_AUTHENTICATE: return "authenticate";
	case PPP_PEER_NETWORK: return "network";
	case PPP_PEER_UP: return "up";
	case PPP_PEER_DOWN: return "down";
	}
	return "?";
}

static struct ppp_peer *lcp_peer(struct ppp_fsm *f)
{
	return (struct ppp_peer *)((char *)f - offsetof(struct ppp_peer, lcp));
}

static struct ppp_peer *ipcp_peer(struct ppp_fsm *f)
{
	return (struct ppp_peer *)((char *)f - offsetof(struct ppp_peer, ipcp));
}

static uint32_t new_magic(const struct ppp_peer *p)
{
	uint32_t m = 0;

	for (int i = 0; i < 4 && m == 0 && p->cfg->rand_bytes; i++)
		p->cfg->rand_bytes(p->cfg->ctx, &m, sizeof(m));
	return m ? m : 0x50454552 ^ p->tag;
}

static size_t user_name(const struct ppp_peer *p, char *buf, size_t cap)
{
	size_t n;

	if (p->cfg->user_name)
		n = p->cfg->user_name(p->cfg->ctx, p, buf, cap);
	else {
		n = strlen(p->cfg->user);
		if (n > cap)
			n = cap;
		memcpy(buf, p->cfg->user, n);
	}
	return n > cap ? cap : n;
}

static void emit_down(struct ppp_peer *p, enum ppp_down_reason why, struct ppp_actions *out)
{
	struct ppp_action *a;

	if (p->phase == PPP_PEER_DOWN)
		return;
	if (p->reason == PPP_DOWN_NONE)
		p->reason = (uint8_t)why;
	p->phase = PPP_PEER_DOWN;
	p->auth_deadline = UINT64_MAX;
	a = ppp_act_push(out, PPP_ACT_DOWN);
	if (a)
		a->reason = (enum ppp_down_reason)p->reason;
}

/* We end the link: Terminate-Request (LCP Close), DOWN now. */
static void peer_fail(struct ppp_peer *p, enum ppp_down_reason why, uint64_t now_ms,
		      struct ppp_actions *out)
{
	emit_down(p, why, out);
	ppp_fsm_event(&p->ipcp, PPP_EV_DOWN, now_ms, out);
	ppp_fsm_event(&p->lcp, PPP_EV_CLOSE, now_ms, out);
	p->lcp.layer = p->ipcp.layer = 0;
}

/* ------------------------------------------------------------------ LCP */

static size_t auth_opt(enum ppp_auth_method m, uint8_t *o)
{
	o[0] = LCP_OPT_AUTH;
	if (m == PPP_AUTH_PAP) {
		o[1] = 4;
		ppp_put16(o + 2, PPP_PROTO_PAP);
		return 4;
	}
	o[1] = 5;
	ppp_put16(o + 2, PPP_PROTO_CHAP);
	o[4] = CHAP_ALG_MD5;
	return 5;
}

static size_t lcp_build_cr(struct ppp_fsm *f, uint8_t *buf, size_t cap)
{
	struct ppp_peer *p = lcp_peer(f);
	uint8_t *o = buf;

	(void)cap;   /* 10 bytes at most */
	if (p->cfg->mru && !(p->rejected & PEER_REJ_MRU)) {
		*o++ = LCP_OPT_MRU;
		*o++ = 4;
		o = ppp_put16(o, p->our_mru);
	}
	if (!(p->rejected & PEER_REJ_MAGIC)) {
		*o++ = LCP_OPT_MAGIC;
		*o++ = 6;
		o = ppp_put32(o, p->our_magic);
	}
	return (size_t)(o - buf);
}

static void add_opt(uint8_t *list, size_t *n, size_t cap, const uint8_t *opt, size_t len)
{
	if (*n + len > cap)
		return;
	memcpy(list + *n, opt, len);
	*n += len;
}

/* The LNS's Configure-Request: take its MRU, Magic-Number and PAP or CHAP-MD5; reject the rest. */
static uint8_t lcp_recv_cr(struct ppp_fsm *f, const uint8_t *data, size_t len, uint8_t *reply,
			   size_t cap, size_t *reply_len, bool nak_exhausted)
{
	struct ppp_peer *p = lcp_peer(f);
	uint8_t nak[PEER_OPT_BUF], rej[PPP_MAX_FRAME], fix[6];
	size_t nn = 0, nr = 0, off = 0;

	(void)cap;
	p->auth_pending = PPP_AUTH_NONE;
	while (off < len) {
		const uint8_t *o = data + off;
		size_t olen = len - off >= 2 ? o[1] : 0;

		if (olen < 2 || olen > len - off) {
			add_opt(rej, &nr, sizeof(rej), o, len - off);   /* malformed: §6 */
			break;
		}
		off += olen;
		switch (o[0]) {
		case LCP_OPT_MRU:
			if (olen != 4)
				break;
			if (ppp_get16(o + 2) < PEER_MIN_MRU) {
				fix[0] = LCP_OPT_MRU;
				fix[1] = 4;
				ppp_put16(fix + 2, PEER_MIN_MRU);
				if (nak_exhausted)
					add_opt(rej, &nr, sizeof(rej), o, olen);
				else
					add_opt(nak, &nn, sizeof(nak), fix, 4);
			}
			continue;
		case LCP_OPT_AUTH:
			if (olen == 4 && ppp_get16(o + 2) == PPP_PROTO_PAP) {
				p->auth_pending = PPP_AUTH_PAP;
				continue;
			}
			if (olen == 5 && ppp_get16(o + 2) == PPP_PROTO_CHAP && o[4] == CHAP_ALG_MD5) {
				p->auth_pending = PPP_AUTH_CHAP_MD5;
				continue;
			}
			/* §6.2: Nak with the protocol we would rather do */
			if (nak_exhausted)
				add_opt(rej, &nr, sizeof(rej), o, olen);
			else
				add_opt(nak, &nn, sizeof(nak), fix, auth_opt(PPP_AUTH_CHAP_MD5, fix));
			continue;
		case LCP_OPT_MAGIC:
			if (olen != 6)
				break;
			if (ppp_get32(o + 2) != 0 && ppp_get32(o + 2) != p->our_magic)
				continue;
			/* §6.4: zero or our own number (looped back?): suggest another */
			if (ppp_get32(o + 2) != 0)
				p->our_magic = new_magic(p);
			fix[0] = LCP_OPT_MAGIC;
			fix[1] = 6;
			ppp_put32(fix + 2, new_magic(p) ^ 0x5a5a5a5a);
			if (nak_exhausted)
				add_opt(rej, &nr, sizeof(rej), o, olen);
			else
				add_opt(nak, &nn, sizeof(nak), fix, 6);
			continue;
		default:
			add_opt(rej, &nr, sizeof(rej), o, olen);
			continue;
		}
		add_opt(rej, &nr, sizeof(rej), o, olen);   /* a known option with a wrong length */
	}
	uint8_t v = ppp_conf_reply(rej, nr, nak, nn, data, len, reply, reply_len);
	if (v == PPP_CONF_ACK)
		p->auth = p->auth_pending;
	return v;
}

static bool lcp_recv_ack(struct ppp_fsm *f, const uint8_t *data, size_t len)
{
	uint8_t buf[PEER_OPT_BUF];
	size_t n = lcp_build_cr(f, buf, sizeof(buf));

	return n == len && memcmp(buf, data, n) == 0;
}

static enum ppp_fsm_verdict lcp_recv_nak(struct ppp_fsm *f, const uint8_t *data, size_t len)
{
	struct ppp_peer *p = lcp_peer(f);

	if (!ppp_opts_valid(data, len))
		return PPP_FSM_BAD;
	for (size_t off = 0; off < len; off += data[off + 1]) {
		const uint8_t *o = data + off;

		if (o[0] == LCP_OPT_MRU && o[1] == 4 && ppp_get16(o + 2) >= PEER_MIN_MRU &&
		    ppp_get16(o + 2) <= PPP_DEFAULT_MRU)
			p->our_mru = ppp_get16(o + 2);
		else if (o[0] == LCP_OPT_MAGIC)
			p->our_magic = new_magic(p);
	}
	return PPP_FSM_OK;
}

static enum ppp_fsm_verdict lcp_recv_rej(struct ppp_fsm *f, const uint8_t *data, size_t len)
{
	struct ppp_peer *p = lcp_peer(f);

	if (!ppp_opts_valid(data, len))
		return PPP_FSM_BAD;
	for (size_t off = 0; off < len; off += data[off + 1]) {
		if (data[off] == LCP_OPT_MRU)
			p->rejected |= PEER_REJ_MRU;
		else if (data[off] == LCP_OPT_MAGIC)
			p->rejected |= PEER_REJ_MAGIC;
		else
			return PPP_FSM_BAD;    /* §5.4: only options we sent */
	}
	return PPP_FSM_OK;
}

static enum ppp_fsm_event lcp_classify(struct ppp_fsm *f, const struct ppp_fsm_rx *rx)
{
	(void)f;
	switch (rx->code) {
	case PPP_PROTO_REJ:
		if (rx->len < 2)
			return PPP_EV_RUC;
		return ppp_get16(rx->data) == PPP_PROTO_LCP ? PPP_EV_RXJ_MINUS : PPP_EV_RXJ_PLUS;
	case PPP_ECHO_REQ:
	case PPP_ECHO_REPLY:
	case PPP_DISCARD_REQ:
		return PPP_EV_RXR;
	default:
		return PPP_EV_RUC;
	}
}

/* §5.8: answer Echo-Requests (the LNS's keepalive) with our Magic-Number. */
static void lcp_ser(struct ppp_fsm *f, const struct ppp_fsm_rx *rx, uint64_t now_ms,
		    struct ppp_actions *out)
{
	struct ppp_peer *p = lcp_peer(f);
	uint8_t buf[PPP_DEFAULT_MRU];
	size_t n;

	(void)now_ms;
	if (rx->code != PPP_ECHO_REQ || rx->len < 4)
		return;
	n = rx->len < sizeof(buf) - PPP_HDR_LEN ? rx->len : sizeof(buf) - PPP_HDR_LEN;
	memcpy(buf, rx->data, n);
	ppp_put32(buf, (p->rejected & PEER_REJ_MAGIC) ? 0 : p->our_magic);
	ppp_act_send(out, PPP_PROTO_LCP, PPP_ECHO_REPLY, rx->id, buf, n);
}

static void send_pap(struct ppp_peer *p, uint64_t now_ms, struct ppp_actions *out)
{
	uint8_t buf[2 + 2 * PEER_NAME_MAX];
	size_t ul = user_name(p, (char *)buf + 1, PEER_NAME_MAX);
	size_t pl = strlen(p->cfg->password);

	if (pl > PEER_NAME_MAX)
		pl = PEER_NAME_MAX;
	buf[0] = (uint8_t)ul;
	buf[1 + ul] = (uint8_t)pl;
	memcpy(buf + 2 + ul, p->cfg->password, pl);
	ppp_act_send(out, PPP_PROTO_PAP, PAP_AUTH_REQ, ++p->auth_id, buf, 2 + ul + pl);
	p->auth_sent++;
	p->auth_deadline = now_ms + p->cfg->fsm.restart_ms;
}

static void network_start(struct ppp_peer *p, uint64_t now_ms, struct ppp_actions *out)
{
	p->phase = PPP_PEER_NETWORK;
	p->auth_deadline = UINT64_MAX;
	ppp_fsm_event(&p->ipcp, PPP_EV_UP, now_ms, out);
	ppp_fsm_event(&p->ipcp, PPP_EV_OPEN, now_ms, out);
}

static void lcp_tlu(struct ppp_fsm *f, uint64_t now_ms, struct ppp_actions *out)
{
	struct ppp_peer *p = lcp_peer(f);

	if (p->phase == PPP_PEER_DOWN)
		return;
	p->auth_sent = 0;
	switch ((enum ppp_auth_method)p->auth) {
	case PPP_AUTH_PAP:
		p->phase = PPP_PEER_AUTHENTICATE;
		send_pap(p, now_ms, out);
		break;
	case PPP_AUTH_CHAP_MD5:
		/* the LNS sends the Challenges; give up when none verifies in time */
		p->phase = PPP_PEER_AUTHENTICATE;
		p->auth_deadline = now_ms + (uint64_t)p->cfg->fsm.restart_ms *
			p->cfg->fsm.max_configure;
		break;
	case PPP_AUTH_NONE:
	case PPP_AUTH_MSCHAPV2:
	case PPP_AUTH_METHOD_COUNT:
		network_start(p, now_ms, out);
		break;
	}
}

static void lcp_tld(struct ppp_fsm *f)
{
	struct ppp_peer *p = lcp_peer(f);

	p->auth_deadline = UINT64_MAX;
	if (p->phase != PPP_PEER_DOWN)
		p->phase = PPP_PEER_ESTABLISH;
}

static const struct ppp_fsm_ops peer_lcp_ops = {
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

/* ------------------------------------------------------------------ IPCP */

static size_t ipcp_build_cr(struct ppp_fsm *f, uint8_t *buf, size_t cap)
{
	struct ppp_peer *p = ipcp_peer(f);

	(void)cap;
	buf[0] = IPCP_OPT_ADDR;
	buf[1] = IPCP_ADDR_OPT_LEN;
	ppp_put32(buf + 2, p->addr);
	return IPCP_ADDR_OPT_LEN;
}

/* The LNS's request: its own IP-Address is fine, anything else is refused. */
static uint8_t ipcp_recv_cr(struct ppp_fsm *f, const uint8_t *data, size_t len, uint8_t *reply,
			    size_t cap, size_t *reply_len, bool nak_exhausted)
{
	struct ppp_peer *p = ipcp_peer(f);
	uint8_t rej[PPP_MAX_FRAME];
	size_t nr = 0, off = 0;
	uint32_t lns = 0;

	(void)cap;
	(void)nak_exhausted;
	while (off < len) {
		const uint8_t *o = data + off;
		size_t olen = len - off >= 2 ? o[1] : 0;

		if (olen < 2 || olen > len - off) {
			add_opt(rej, &nr, sizeof(rej), o, len - off);
			break;
		}
		off += olen;
		if (o[0] == IPCP_OPT_ADDR && olen == IPCP_ADDR_OPT_LEN)
			lns = ppp_get32(o + 2);
		else
			add_opt(rej, &nr, sizeof(rej), o, olen);
	}
	uint8_t v = ppp_conf_reply(rej, nr, NULL, 0, data, len, reply, reply_len);
	if (v == PPP_CONF_ACK)
		p->lns_addr = lns;
	return v;
}

static bool ipcp_recv_ack(struct ppp_fsm *f, const uint8_t *data, size_t len)
{
	uint8_t buf[IPCP_ADDR_OPT_LEN];
	size_t n = ipcp_build_cr(f, buf, sizeof(buf));

	return n == len && memcmp(buf, data, n) == 0;
}

/* RFC 1332 §3.3: the Nak carries the address to use. */
static enum ppp_fsm_verdict ipcp_recv_nak(struct ppp_fsm *f, const uint8_t *data, size_t len)
{
	struct ppp_peer *p = ipcp_peer(f);

	if (!ppp_opts_valid(data, len))
		return PPP_FSM_BAD;
	for (size_t off = 0; off < len; off += data[off + 1]) {
		const uint8_t *o = data + off;

		if (o[0] == IPCP_OPT_ADDR && o[1] == IPCP_ADDR_OPT_LEN && ppp_get32(o + 2) != 0)
			p->addr = ppp_get32(o + 2);
	}
	return PPP_FSM_OK;
}

static enum ppp_fsm_verdict ipcp_recv_rej(struct ppp_fsm *f, const uint8_t *data, size_t len)
{
	struct ppp_peer *p = ipcp_peer(f);

	if (!ppp_opts_valid(data, len))
		return PPP_FSM_BAD;
	for (size_t off = 0; off < len; off += data[off + 1]) {
		if (data[off] != IPCP_OPT_ADDR)
			return PPP_FSM_BAD;
	}
	/* without an address there is nothing to measure */
	p->reason = PPP_DOWN_NEGOTIATION;
	return PPP_FSM_GIVE_UP;
}

static void ipcp_tlu(struct ppp_fsm *f, uint64_t now_ms, struct ppp_actions *out)
{
	struct ppp_peer *p = ipcp_peer(f);
	struct ppp_action *a;

	(void)now_ms;
	if (p->phase == PPP_PEER_DOWN)
		return;
	p->phase = PPP_PEER_UP;
	a = ppp_act_push(out, PPP_ACT_UP);
	if (!a)
		return;
	a->up.ncp = PPP_NCP_IPCP;
	a->up.local_ip = p->addr;
	a->up.peer_ip = p->lns_addr;
	a->up.mru = p->our_mru;
}

static void ipcp_tld(struct ppp_fsm *f)
{
	struct ppp_peer *p = ipcp_peer(f);

	if (p->phase == PPP_PEER_UP)
		p->phase = PPP_PEER_NETWORK;
}

static const struct ppp_fsm_ops peer_ipcp_ops = {
	.proto = PPP_PROTO_IPCP,
	.build_cr = ipcp_build_cr,
	.recv_cr = ipcp_recv_cr,
	.recv_ack = ipcp_recv_ack,
	.recv_nak = ipcp_recv_nak,
	.recv_rej = ipcp_recv_rej,
	.tlu = ipcp_tlu,
	.tld = ipcp_tld,
};

/* ------------------------------------------------------------------ link */

void ppp_peer_init(struct ppp_peer *p, const struct ppp_peer_cfg *cfg, uint32_t tag)
{
	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	p->tag = tag;
	ppp_fsm_init(&p->lcp, &peer_lcp_ops, &cfg->fsm);
	ppp_fsm_init(&p->ipcp, &peer_ipcp_ops, &cfg->fsm);
	p->auth_deadline = UINT64_MAX;
	p->our_mru = cfg->mru ? cfg->mru : PPP_DEFAULT_MRU;
	p->our_magic = new_magic(p);
}

/* After the automata ran: the link's end, if it came (the LNS terminated, negotiation gave up). */
static void settle(struct ppp_peer *p, uint64_t now_ms, struct ppp_actions *out)
{
	uint8_t l = p->lcp.layer, n = p->ipcp.layer;

	p->lcp.layer = p->ipcp.layer = 0;
	if (p->phase == PPP_PEER_DOWN)
		return;
	if (l & PPP_FSM_LAYER_FINISHED) {
		emit_down(p, PPP_DOWN_NEGOTIATION, out);
		return;
	}
	if ((l & PPP_FSM_LAYER_DOWN) &&
	    (p->lcp.state == PPP_FSM_STOPPING || p->lcp.state == PPP_FSM_CLOSING)) {
		ppp_fsm_event(&p->ipcp, PPP_EV_DOWN, now_ms, out);
		p->ipcp.layer = 0;
		emit_down(p, PPP_DOWN_PEER_TERMINATE, out);
		return;
	}
	if (l & PPP_FSM_LAYER_DOWN) {
		/* LCP renegotiates (§3.7): the network layer starts over */
		ppp_fsm_event(&p->ipcp, PPP_EV_DOWN, now_ms, out);
		p->ipcp.layer = 0;
		return;
	}
	if (n & PPP_FSM_LAYER_FINISHED)
		peer_fail(p, PPP_DOWN_NEGOTIATION, now_ms, out);
}

void ppp_peer_start(struct ppp_peer *p, uint64_t now_ms, struct ppp_actions *out)
{
	p->phase = PPP_PEER_ESTABLISH;
	ppp_fsm_event(&p->lcp, PPP_EV_UP, now_ms, out);
	ppp_fsm_event(&p->lcp, PPP_EV_OPEN, now_ms, out);
	settle(p, now_ms, out);
}

static void chap_respond(struct ppp_peer *p, uint8_t id, const uint8_t *d, size_t len,
			 struct ppp_actions *out)
{
	uint8_t buf[1 + CHAP_MD5_LEN + PEER_NAME_MAX];

	if (len < 1 || d[0] == 0 || (size_t)d[0] + 1 > len)
		return;
	buf[0] = CHAP_MD5_LEN;
	ppp_chap_md5(id, p->cfg->password, strlen(p->cfg->password), d + 1, d[0], buf + 1);
	size_t ul = user_name(p, (char *)buf + 1 + CHAP_MD5_LEN, PEER_NAME_MAX);
	ppp_act_send(out, PPP_PROTO_CHAP, CHAP_RESPONSE, id, buf, 1 + CHAP_MD5_LEN + ul);
	p->auth_sent++;
}

static int auth_input(struct ppp_peer *p, uint16_t proto, const uint8_t *pkt, size_t len,
		      uint64_t now_ms, struct ppp_actions *out)
{
	if (len < PPP_HDR_LEN || ppp_get16(pkt + 2) < PPP_HDR_LEN || ppp_get16(pkt + 2) > len)
		return -EBADMSG;
	uint8_t code = pkt[0], id = pkt[1];
	const uint8_t *d = pkt + PPP_HDR_LEN;
	size_t dl = ppp_get16(pkt + 2) - PPP_HDR_LEN;
	bool authing = p->phase == PPP_PEER_AUTHENTICATE;

	if (proto == PPP_PROTO_PAP && p->auth == PPP_AUTH_PAP && authing && id == p->auth_id) {
		if (code == PAP_AUTH_ACK) {
			network_start(p, now_ms, out);
			return 0;
		}
		if (code == PAP_AUTH_NAK) {
			peer_fail(p, PPP_DOWN_AUTH_FAILED, now_ms, out);
			return 0;
		}
	}
	/* RFC 1994 §2: Challenges may come again once the link is up */
	if (proto == PPP_PROTO_CHAP && p->auth == PPP_AUTH_CHAP_MD5 &&
	    (authing || p->phase == PPP_PEER_NETWORK || p->phase == PPP_PEER_UP)) {
		switch (code) {
		case CHAP_CHALLENGE:
			chap_respond(p, id, d, dl, out);
			p->auth_id = id;
			return 0;
		case CHAP_SUCCESS:
			if (authing && id == p->auth_id)
				network_start(p, now_ms, out);
			return 0;
		case CHAP_FAILURE:
			if (id == p->auth_id)
				peer_fail(p, PPP_DOWN_AUTH_FAILED, now_ms, out);
			return 0;
		default:
			break;
		}
	}
	return -EBADMSG;
}

int ppp_peer_input(struct ppp_peer *p, const uint8_t *frame, size_t len, uint64_t now_ms,
		   struct ppp_actions *out)
{
	int rc = -EBADMSG;

	if (len >= 2 && frame[0] == 0xff && frame[1] == 0x03) {
		frame += 2;     /* RFC 1662 §3.1 address and control, as the kernel sends them */
		len -= 2;
	}
	if (len < PPP_PROTO_LEN || p->phase == PPP_PEER_DEAD)
		return -EBADMSG;
	uint16_t proto = ppp_get16(frame);
	const uint8_t *pkt = frame + PPP_PROTO_LEN;
	size_t plen = len - PPP_PROTO_LEN;

	switch (proto) {
	case PPP_PROTO_LCP:
		rc = ppp_fsm_input(&p->lcp, pkt, plen, now_ms, out);
		break;
	case PPP_PROTO_PAP:
	case PPP_PROTO_CHAP:
		rc = auth_input(p, proto, pkt, plen, now_ms, out);
		break;
	case PPP_PROTO_IPCP:
		/*
		 * The LNS starts IPCP only after it sent its CHAP Success: an IPCP
		 * packet while we wait for that Success means it was lost or
		 * overtaken (RFC 1994 §4.2 expects lost Successes).
		 */
		if (p->phase == PPP_PEER_AUTHENTICATE && p->auth == PPP_AUTH_CHAP_MD5 &&
		    p->auth_sent > 0)
			network_start(p, now_ms, out);
		if (p->phase == PPP_PEER_NETWORK || p->phase == PPP_PEER_UP)
			rc = ppp_fsm_input(&p->ipcp, pkt, plen, now_ms, out);
		break;
	default:
		/* §5.7: a control protocol we do not run (IPV6CP, CCP) is rejected */
		if ((proto & 0x8000) && p->lcp.state == PPP_FSM_OPENED && p->phase != PPP_PEER_DOWN) {
			uint8_t buf[PEER_OPT_BUF + 2];
			size_t n = plen < PEER_OPT_BUF ? plen : PEER_OPT_BUF;

			ppp_put16(buf, proto);
			memcpy(buf + 2, pkt, n);
			ppp_act_send(out, PPP_PROTO_LCP, PPP_PROTO_REJ, ++p->lcp.id, buf, n + 2);
			rc = 0;
		}
		break;
	}
	settle(p, now_ms, out);
	return rc < 0 ? -EBADMSG : 0;
}

void ppp_peer_tick(struct ppp_peer *p, uint64_t now_ms, struct ppp_actions *out)
{
	ppp_fsm_tick(&p->lcp, now_ms, out);
	ppp_fsm_tick(&p->ipcp, now_ms, out);
	if (p->phase == PPP_PEER_AUTHENTICATE && now_ms >= p->auth_deadline) {
		if (p->auth == PPP_AUTH_PAP && p->auth_sent < p->cfg->fsm.max_configure)
			send_pap(p, now_ms, out);
		else
			peer_fail(p, PPP_DOWN_AUTH_TIMEOUT, now_ms, out);
	}
	settle(p, now_ms, out);
}

uint64_t ppp_peer_next_deadline(const struct ppp_peer *p)
{
	uint64_t d = p->lcp.deadline;

	if (p->ipcp.deadline < d)
		d = p->ipcp.deadline;
	if (p->auth_deadline < d)
		d = p->auth_deadline;
	return d;
}
