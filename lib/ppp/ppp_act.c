// SPDX-License-Identifier: GPL-2.0-or-later
/* The PPP action list (see ppp_act.h) and the down-reason names. */
#include <stdlib.h>
#include <string.h>

#include "lns_grow.h"
#include "ppp_act.h"
#include "ppp_proto.h"

void ppp_actions_init(struct ppp_actions *a)
{
	memset(a, 0, sizeof(*a));
}

void ppp_actions_reset(struct ppp_actions *a)
{
	a->n = 0;
	a->blen = 0;
	a->oom = false;
}

void ppp_actions_free(struct ppp_actions *a)
{
	if (!a)
		return;
	free(a->v);
	free(a->buf);
	ppp_actions_init(a);
}

struct ppp_action *ppp_act_push(struct ppp_actions *a, enum ppp_act_type type)
{
	struct ppp_action *act;

	if (lns_grow((void **)&a->v, &a->cap, a->n + 1, sizeof(*a->v), 8)) {
		a->oom = true;
		return NULL;
	}
	act = &a->v[a->n++];
	memset(act, 0, sizeof(*act));
	act->type = type;
	return act;
}

size_t ppp_act_put(struct ppp_actions *a, const void *src, size_t len)
{
	size_t off = a->blen;

	if (len > SIZE_MAX - a->blen ||
	    lns_grow((void **)&a->buf, &a->bcap, a->blen + len, 1, 512)) {
		a->oom = true;
		return SIZE_MAX;
	}
	if (src && len)
		memcpy(a->buf + off, src, len);
	a->blen += len;
	return off;
}

void ppp_act_send(struct ppp_actions *a, uint16_t proto, uint8_t code, uint8_t id,
		  const void *data, size_t len)
{
	size_t plen = PPP_HDR_LEN + len;
	size_t off = ppp_act_put(a, NULL, PPP_PROTO_LEN + plen);
	struct ppp_action *act;
	uint8_t *p;

	if (off == SIZE_MAX || plen > UINT16_MAX)
		return;
	p = a->buf + off;
	p[0] = (uint8_t)(proto >> 8);
	p[1] = (uint8_t)proto;
	p[2] = code;
	p[3] = id;
	p[4] = (uint8_t)(plen >> 8);
	p[5] = (uint8_t)plen;
	if (len)
		memcpy(p + 6, data, len);
	act = ppp_act_push(a, PPP_ACT_SEND);
	if (!act)
		return;
	/* Link-level protocols (0xc000 and up) use the channel, NCPs the unit (docs/design.md §4.3). */
	act->chan = proto >= 0xc000 ? PPP_CHAN_CHANNEL : PPP_CHAN_UNIT;
	act->proto = proto;
	act->off = off;
	act->len = PPP_PROTO_LEN + plen;
}

void ppp_action_auth_req(const struct ppp_actions *a, const struct ppp_action *act,
			 struct ppp_auth_req *req)
{
	memset(req, 0, sizeof(*req));
	req->method = act->method;
	req->id = act->id;
	req->user = (const char *)a->buf + act->off;
	req->user_len = act->len;
	req->password = a->buf + act->a_off;
	req->password_len = act->method == PPP_AUTH_PAP ? act->a_len : 0;
	req->response = a->buf + act->a_off;
	req->response_len = act->method == PPP_AUTH_PAP ? 0 : act->a_len;
	req->challenge = a->buf + act->b_off;
	req->challenge_len = act->b_len;
	if (act->method == PPP_AUTH_MSCHAPV2 && act->a_len == MSCHAPV2_RESPONSE_LEN) {
		req->peer_challenge = req->response + MSCHAPV2_RESP_PEER_CHAL;
		req->nt_response = req->response + MSCHAPV2_RESP_NT;
		req->flags = req->response[MSCHAPV2_RESP_FLAGS];
	}
}

const char *ppp_down_reason_str(enum ppp_down_reason r)
{
	switch (r) {
	case PPP_DOWN_NONE: return "none";
	case PPP_DOWN_PEER_TERMINATE: return "peer-terminate";
	case PPP_DOWN_ECHO_FAILURE: return "echo-failure";
	case PPP_DOWN_AUTH_FAILED: return "auth-failed";
	case PPP_DOWN_AUTH_TIMEOUT: return "auth-timeout";
	case PPP_DOWN_AUTH_REFUSED: return "auth-refused";
	case PPP_DOWN_POOL_EXHAUSTED: return "pool-exhausted";
	case PPP_DOWN_NEGOTIATION: return "negotiation-failed";
	case PPP_DOWN_LOOPBACK: return "loopback";
	case PPP_DOWN_PROTO_REJECTED: return "protocol-rejected";
	case PPP_DOWN_ADMIN: return "admin";
	case PPP_DOWN_LOWER: return "lower-layer-down";
	case PPP_DOWN_REASON_COUNT: break;
	}
	return "?";
}
