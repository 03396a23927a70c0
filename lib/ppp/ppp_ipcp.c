// SPDX-License-Identifier: GPL-2.0-or-later
/* IPCP, RFC 1332 §3 and RFC 1877 §1, as struct ppp_fsm_ops for the automaton. */
#include <string.h>

#include "ppp_ipcp.h"
#include "ppp_proto.h"

#define IPCP_ADDR_OPT_LEN 6

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* An address option (IP-Address, DNS) with value v at p; returns the end. */
static uint8_t *put_addr(uint8_t *p, uint8_t type, uint32_t v)
{
	p[0] = type;
	p[1] = IPCP_ADDR_OPT_LEN;
	p[2] = (uint8_t)(v >> 24);
	p[3] = (uint8_t)(v >> 16);
	p[4] = (uint8_t)(v >> 8);
	p[5] = (uint8_t)v;
	return p + IPCP_ADDR_OPT_LEN;
}

static struct ipcp *to_ipcp(struct ppp_fsm *f)
{
	return (struct ipcp *)((char *)f - offsetof(struct ipcp, fsm));
}

static size_t ipcp_build_cr(struct ppp_fsm *f, uint8_t *buf, size_t cap)
{
	struct ipcp *c = to_ipcp(f);

	if (!c->cfg->local_ip || c->addr_rejected)
		return 0;
	return (size_t)(put_addr(buf, IPCP_OPT_ADDR, c->cfg->local_ip) - buf);
}

/* The value we want for an address option of the peer's, 0 if we reject it. */
static uint32_t wanted(const struct ipcp *c, uint8_t type, uint8_t *got_bit)
{
	switch ((enum ipcp_opt)type) {
	case IPCP_OPT_ADDR:
		*got_bit = IPCP_GOT_ADDR;
		return c->peer_ip;
	case IPCP_OPT_DNS1:
		*got_bit = IPCP_GOT_DNS1;
		return c->dns1;
	case IPCP_OPT_DNS2:
		*got_bit = IPCP_GOT_DNS2;
		return c->dns2;
	case IPCP_OPT_ADDRS:
		/* deprecated (RFC 1332 §3.1): the peer falls back to IP-Address */
	case IPCP_OPT_COMP:
		/* Van Jacobson compression: pppN on L2TP runs without it */
	case IPCP_OPT_NBNS1:
	case IPCP_OPT_NBNS2:
	default:
		break;
	}
	*got_bit = 0;
	return 0;
}

static uint8_t ipcp_recv_cr(struct ppp_fsm *f, const uint8_t *data, size_t len, uint8_t *reply,
			    size_t cap, size_t *reply_len, bool nak_exhausted)
{
	struct ipcp *c = to_ipcp(f);
	uint8_t nak[4 * IPCP_ADDR_OPT_LEN], rej[PPP_MAX_FRAME];
	size_t nn = 0, nr = 0, off = 0;
	uint8_t got = 0, seen = 0, v;

	while (off < len) {
		const uint8_t *o = data + off;
		size_t olen = len - off >= 2 ? o[1] : 0;
		uint8_t bit;
		uint32_t want;

		if (olen < 2 || olen > len - off) {
			/* malformed: reject the rest */
			memcpy(rej + nr, o, len - off);
			nr += len - off;
			break;
		}
		off += olen;
		want = wanted(c, o[0], &bit);
		if (!want || olen != IPCP_ADDR_OPT_LEN || (seen & bit)) {
			memcpy(rej + nr, o, olen);
			nr += olen;
			continue;
		}
		seen |= bit;
		if (get32(o + 2) == want) {
			got |= bit;
		} else if (nak_exhausted) {
			/* §4.6 Max-Failure: stop Nak'ing, Reject */
			memcpy(rej + nr, o, olen);
			nr += olen;
		} else {
			/* RFC 1332 §3.3, RFC 1877 §1.1: Nak with the value we give */
			put_addr(nak + nn, o[0], want);
			nn += IPCP_ADDR_OPT_LEN;
		}
	}
	/* RFC 1332 §3.3: an address is required, so append it when the peer did not ask. */
	if (!(seen & IPCP_GOT_ADDR) && c->peer_ip && !nak_exhausted) {
		put_addr(nak + nn, IPCP_OPT_ADDR, c->peer_ip);
		nn += IPCP_ADDR_OPT_LEN;
	}
	v = ppp_conf_reply(rej, nr, nak, nn, data, len, reply, reply_len);
	if (v == PPP_CONF_ACK)
		c->got = got;
	return v;
}

static bool ipcp_recv_ack(struct ppp_fsm *f, const uint8_t *data, size_t len)
{
	uint8_t buf[IPCP_ADDR_OPT_LEN];
	size_t n = ipcp_build_cr(f, buf, sizeof(buf));

	return n == len && memcmp(buf, data, n) == 0;
}

static enum ppp_fsm_verdict ipcp_recv_nak(struct ppp_fsm *f, const uint8_t *data, size_t len)
{
	/* Our local address is configured, not negotiable: we ask for it again. */
	return ppp_opts_valid(data, len) ? PPP_FSM_OK : PPP_FSM_BAD;
}

static enum ppp_fsm_verdict ipcp_recv_rej(struct ppp_fsm *f, const uint8_t *data, size_t len)
{
	struct ipcp *c = to_ipcp(f);
	size_t off = 0;

	if (!ppp_opts_valid(data, len))
		return PPP_FSM_BAD;
	for (; off < len; off += data[off + 1]) {
		if (data[off] != IPCP_OPT_ADDR)
			return PPP_FSM_BAD;     /* §5.4: only options we sent */
		c->addr_rejected = true;
	}
	return PPP_FSM_OK;
}

static const struct ppp_fsm_ops ipcp_ops = {
	.proto = PPP_PROTO_IPCP,
	.build_cr = ipcp_build_cr,
	.recv_cr = ipcp_recv_cr,
	.recv_ack = ipcp_recv_ack,
	.recv_nak = ipcp_recv_nak,
	.recv_rej = ipcp_recv_rej,
};

void ipcp_init(struct ipcp *c, const struct ipcp_cfg *cfg, const struct ppp_fsm_cfg *fcfg,
	       uint32_t peer_ip)
{
	memset(c, 0, sizeof(*c));
	ppp_fsm_init(&c->fsm, &ipcp_ops, fcfg);
	c->cfg = cfg;
	c->peer_ip = peer_ip;
	c->dns1 = cfg->dns1;
	c->dns2 = cfg->dns2;
}

int ipcp_input(struct ipcp *c, const uint8_t *pkt, size_t len, uint64_t now_ms,
	       struct ppp_actions *out)
{
	return ppp_fsm_input(&c->fsm, pkt, len, now_ms, out);
}
