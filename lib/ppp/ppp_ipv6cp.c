// SPDX-License-Identifier: GPL-2.0-or-later
/* IPV6CP, RFC 5072 §4, as struct ppp_fsm_ops for the automaton. */
#include <string.h>

#include "ppp_ipv6cp.h"

#define IFID_OPT_LEN (PPP_OPT_HDR_LEN + IPV6CP_IFID_LEN)

static const uint8_t zero_id[IPV6CP_IFID_LEN];

static struct ipv6cp *to_ipv6cp(struct ppp_fsm *f)
{
	return (struct ipv6cp *)((char *)f - offsetof(struct ipv6cp, fsm));
}

/* A random, non-zero identifier different from avoid (§4.1). */
static void fresh_id(struct ipv6cp *c, uint8_t id[IPV6CP_IFID_LEN], const uint8_t *avoid)
{
	int tries;

	for (tries = 0; tries < 4 && c->rand_bytes; tries++) {
		c->rand_bytes(c->rand_ctx, id, IPV6CP_IFID_LEN);
		if (memcmp(id, zero_id, IPV6CP_IFID_LEN) != 0 &&
		    memcmp(id, avoid, IPV6CP_IFID_LEN) != 0)
			return;
	}
	/* no randomness: a fixed pattern that differs from avoid in its last byte */
	memcpy(id, "\x02lnsd\x00\x00", IPV6CP_IFID_LEN - 1);
	id[IPV6CP_IFID_LEN - 1] = (uint8_t)(++c->fresh | 1);
	if (id[IPV6CP_IFID_LEN - 1] == avoid[IPV6CP_IFID_LEN - 1])
		id[IPV6CP_IFID_LEN - 1] ^= 2;
}

static size_t put_ifid(uint8_t *p, const uint8_t id[IPV6CP_IFID_LEN])
{
	p[0] = IPV6CP_OPT_IFID;
	p[1] = IFID_OPT_LEN;
	memcpy(p + 2, id, IPV6CP_IFID_LEN);
	return IFID_OPT_LEN;
}

static size_t ipv6cp_build_cr(struct ppp_fsm *f, uint8_t *buf, size_t cap)
{
	struct ipv6cp *c = to_ipv6cp(f);

	return c->id_rejected ? 0 : put_ifid(buf, c->our_id);
}

static uint8_t ipv6cp_recv_cr(struct ppp_fsm *f, const uint8_t *data, size_t len,
			      uint8_t *reply, size_t cap, size_t *reply_len, bool nak_exhausted)
{
	struct ipv6cp *c = to_ipv6cp(f);
	uint8_t nak[IFID_OPT_LEN], rej[PPP_MAX_FRAME], peer[IPV6CP_IFID_LEN], v;
	size_t nn = 0, nr = 0, off = 0;
	bool seen = false;

	memset(peer, 0, sizeof(peer));
	while (off < len) {
		const uint8_t *o = data + off;
		size_t olen = len - off >= 2 ? o[1] : 0;
		uint8_t id[IPV6CP_IFID_LEN];

		if (olen < 2 || olen > len - off) {
			/* malformed: reject the rest */
			memcpy(rej + nr, o, len - off);
			nr += len - off;
			break;
		}
		off += olen;
		switch ((enum ipv6cp_opt)o[0]) {
		case IPV6CP_OPT_IFID:
			if (olen != IFID_OPT_LEN || seen)
				break;
			seen = true;
			memcpy(peer, o + 2, IPV6CP_IFID_LEN);
			if (memcmp(peer, zero_id, sizeof(peer)) != 0 &&
			    (c->id_rejected || memcmp(peer, c->our_id, sizeof(peer)) != 0))
				continue;
			/* §4.1: zero, or the same as ours: suggest a unique one */
			if (nak_exhausted)
				break;
			fresh_id(c, id, c->our_id);
			nn = put_ifid(nak, id);
			continue;
		case IPV6CP_OPT_COMP:
			/* §4.2: no header compression on pppN */
		default:
			break;
		}
		memcpy(rej + nr, o, olen);
		nr += olen;
	}
	v = ppp_conf_reply(rej, nr, nak, nn, data, len, reply, reply_len);
	if (v == PPP_CONF_ACK)
		memcpy(c->peer_id, peer, sizeof(peer));
	return v;
}

static bool ipv6cp_recv_ack(struct ppp_fsm *f, const uint8_t *data, size_t len)
{
	uint8_t buf[IFID_OPT_LEN];
	size_t n = ipv6cp_build_cr(f, buf, sizeof(buf));

	return n == len && memcmp(buf, data, n) == 0;
}

static enum ppp_fsm_verdict ipv6cp_recv_nak(struct ppp_fsm *f, const uint8_t *data, size_t len)
{
	struct ipv6cp *c = to_ipv6cp(f);
	size_t off = 0;

	if (!ppp_opts_valid(data, len))
		return PPP_FSM_BAD;
	for (; off < len; off += data[off + 1]) {
		const uint8_t *o = data + off;

		if (o[0] != IPV6CP_OPT_IFID)
			continue;       /* hints for options we did not send: declined */
		/* §4.1: take a usable suggestion, else choose another ourselves */
		if (o[1] == IFID_OPT_LEN && memcmp(o + 2, zero_id, IPV6CP_IFID_LEN) != 0 &&
		    memcmp(o + 2, c->peer_id, IPV6CP_IFID_LEN) != 0)
			memcpy(c->our_id, o + 2, IPV6CP_IFID_LEN);
		else
			fresh_id(c, c->our_id, c->peer_id);
	}
	return PPP_FSM_OK;
}

static enum ppp_fsm_verdict ipv6cp_recv_rej(struct ppp_fsm *f, const uint8_t *data, size_t len)
{
	struct ipv6cp *c = to_ipv6cp(f);
	size_t off = 0;

	if (!ppp_opts_valid(data, len))
		return PPP_FSM_BAD;
	for (; off < len; off += data[off + 1]) {
		if (data[off] != IPV6CP_OPT_IFID)
			return PPP_FSM_BAD;     /* RFC 1661 §5.4: only options we sent */
		c->id_rejected = true;
	}
	return PPP_FSM_OK;
}

static const struct ppp_fsm_ops ipv6cp_ops = {
	.proto = PPP_PROTO_IPV6CP,
	.build_cr = ipv6cp_build_cr,
	.recv_cr = ipv6cp_recv_cr,
	.recv_ack = ipv6cp_recv_ack,
	.recv_nak = ipv6cp_recv_nak,
	.recv_rej = ipv6cp_recv_rej,
};

void ipv6cp_init(struct ipv6cp *c, const struct ppp_fsm_cfg *fcfg,
		 void (*rand_bytes)(void *ctx, void *buf, size_t len), void *rand_ctx)
{
	memset(c, 0, sizeof(*c));
	ppp_fsm_init(&c->fsm, &ipv6cp_ops, fcfg);
	c->rand_bytes = rand_bytes;
	c->rand_ctx = rand_ctx;
	fresh_id(c, c->our_id, zero_id);
}

int ipv6cp_input(struct ipv6cp *c, const uint8_t *pkt, size_t len, uint64_t now_ms,
		 struct ppp_actions *out)
{
	return ppp_fsm_input(&c->fsm, pkt, len, now_ms, out);
}
