// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The LNS action list (effects the daemon performs in order) and the name
 * tables of the LNS control plane.
 */
#include <stdlib.h>
#include <string.h>

#include "l2tp_grow.h"
#include "l2tp_lns_int.h"

void lns_actions_init(struct lns_actions *a)
{
	memset(a, 0, sizeof(*a));
}

void lns_actions_reset(struct lns_actions *a)
{
	a->n = 0;
	a->blen = 0;
	a->oom = false;
}

void lns_actions_free(struct lns_actions *a)
{
	if (!a)
		return;
	free(a->v);
	free(a->buf);
	lns_actions_init(a);
}

static void act_fill(struct lns_action *act, enum lns_act_type type, struct l2tp_tun *tun,
		     struct l2tp_sess *s)
{
	memset(act, 0, sizeof(*act));
	act->type = type;
	act->tun = tun;
	act->sess = s;
	if (tun) {
		act->tid = tun->tid;
		act->peer = tun->peer;
		act->local = tun->local;
	}
	if (s)
		act->sid = s->sid;
}

/* Append an action; NULL (and a->oom) when memory ran out. */
struct lns_action *lns_act_push(struct lns_actions *a, enum lns_act_type type,
				struct l2tp_tun *tun, struct l2tp_sess *s)
{
	if (l2tp_grow(&a->v, &a->cap, a->n + 1, sizeof(*a->v), 16) != 0) {
		a->oom = true;
		return NULL;
	}
	act_fill(&a->v[a->n], type, tun, s);
	return &a->v[a->n++];
}

void lns_act_send(struct lns_actions *a, struct l2tp_tun *tun, const struct lns_addr *peer,
		  const struct lns_addr *local, const uint8_t *pkt, size_t len)
{
	struct lns_action *act;

	if (l2tp_grow(&a->buf, &a->bcap, a->blen + len, 1, 4096) != 0) {
		a->oom = true;
		return;
	}
	act = lns_act_push(a, LNS_ACT_SEND, tun, NULL);
	if (!act)
		return;
	act->peer = *peer;
	act->local = *local;
	act->off = a->blen;
	act->len = len;
	memcpy(a->buf + a->blen, pkt, len);
	a->blen += len;
}

void lns_act_notice(struct lns_actions *a, struct l2tp_tun *tun, struct l2tp_sess *s,
		    const char *reason)
{
	struct lns_action *act = lns_act_push(a, LNS_ACT_NOTICE, tun, s);

	if (act)
		act->reason = reason;
}

void lns_strcpy(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* ---- names ----------------------------------------------------------- */

const char *l2tp_tun_state_str(enum l2tp_tun_state s)
{
	switch (s) {
	case L2TP_TUN_WAIT_CTL_CONN:
		return "wait-ctl-conn";
	case L2TP_TUN_ESTABLISHED:
		return "established";
	case L2TP_TUN_CLOSING:
		return "closing";
	case L2TP_TUN_DEAD:
		return "dead";
	}
	return "?";
}

const char *l2tp_sess_state_str(enum l2tp_sess_state s)
{
	switch (s) {
	case L2TP_SESS_WAIT_CONNECT:
		return "wait-connect";
	case L2TP_SESS_ESTABLISHED:
		return "established";
	case L2TP_SESS_DEAD:
		return "dead";
	}
	return "?";
}

const char *l2tp_lns_drop_str(enum l2tp_lns_drop d)
{
	switch (d) {
	case L2TP_DROP_DECODE:
		return "decode";
	case L2TP_DROP_DATA_IN_USERSPACE:
		return "data-in-userspace";
	case L2TP_DROP_UNKNOWN_TUNNEL:
		return "unknown-tunnel";
	case L2TP_DROP_WRONG_PEER:
		return "wrong-peer";
	case L2TP_DROP_DUPLICATE:
		return "duplicate";
	case L2TP_DROP_OUT_OF_WINDOW:
		return "out-of-window";
	case L2TP_DROP_UNEXPECTED:
		return "unexpected";
	case L2TP_DROP_UNKNOWN_SESSION:
		return "unknown-session";
	case L2TP_DROP_LIMIT:
		return "limit";
	case L2TP_DROP_AUTH:
		return "auth";
	case L2TP_DROP_COUNT:
		break;
	}
	return "?";
}
