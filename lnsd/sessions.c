// SPDX-License-Identifier: GPL-2.0-or-later
/* Phases of tunnels and sessions, and the selections actions are taken on. */
#include "sessions.h"

#include <stdlib.h>
#include <string.h>

#include "lns_grow.h"

const char *sessions_phase_str(enum sessions_phase p)
{
	switch (p) {
	case SESSIONS_STARTING:
		return "starting";
	case SESSIONS_ESTABLISHED:
		return "established";
	case SESSIONS_FINISHING:
	case SESSIONS_PHASE_COUNT:
		break;
	}
	return "finishing";
}

enum sessions_phase sessions_tunnel_phase(const struct l2tp_tun *t)
{
	switch (t->state) {
	case L2TP_TUN_WAIT_CTL_CONN:
		return SESSIONS_STARTING;
	case L2TP_TUN_ESTABLISHED:
		return SESSIONS_ESTABLISHED;
	case L2TP_TUN_CLOSING:
	case L2TP_TUN_DEAD:
		break;
	}
	return SESSIONS_FINISHING;
}

/*
 * finishing: the call or its tunnel is closing, or PPP is terminating;
 * starting: waiting for the ICCN, or (kernel data plane) PPP is not up yet;
 * established: otherwise.
 */
enum sessions_phase sessions_phase_of(const struct l2tp_sess *s, const struct eng_sess_info *info)
{
	if (s->state == L2TP_SESS_DEAD || sessions_tunnel_phase(s->tun) == SESSIONS_FINISHING ||
	    (info && info->closing))
		return SESSIONS_FINISHING;
	if (s->state == L2TP_SESS_WAIT_CONNECT || (info && info->ppp && !info->link_up))
		return SESSIONS_STARTING;
	return SESSIONS_ESTABLISHED;
}

void sessions_count_phases(const struct engine *e, struct sessions_phases *out)
{
	struct l2tp_tun *t;
	struct l2tp_sess *s;
	struct eng_sess_info si;

	memset(out, 0, sizeof(*out));
	L2TP_LNS_FOREACH_TUNNEL(engine_lns(e), t) {
		if (t->state == L2TP_TUN_DEAD)
			continue;
		out->tunnels[sessions_tunnel_phase(t)]++;
		L2TP_TUN_FOREACH_SESSION(t, s) {
			if (s->state == L2TP_SESS_DEAD)
				continue;
			engine_session_info(e, s, &si);
			out->sessions[sessions_phase_of(s, &si)]++;
		}
	}
}

/* Append id to *v (*n of *cap used); false, with *v freed, when out of memory. */
static bool push(struct sessions_id **v, size_t *n, size_t *cap, struct sessions_id id)
{
	if (lns_grow((void **)v, cap, *n + 1, sizeof(**v), 8)) {
		free(*v);
		*v = NULL;
		return false;
	}
	(*v)[(*n)++] = id;
	return true;
}

struct sessions_id *sessions_matching(const struct engine *e,
				      bool (*match)(const struct l2tp_sess *s,
						    const struct eng_sess_info *si, void *ctx),
				      void *ctx, size_t *n)
{
	struct sessions_id *v = NULL;
	struct eng_sess_info si;
	struct l2tp_sess *s;
	size_t cap = 0;

	*n = 0;
	L2TP_LNS_FOREACH_SESSION(engine_lns(e), s) {
		engine_session_info(e, s, &si);
		if (sessions_phase_of(s, &si) == SESSIONS_FINISHING || !match(s, &si, ctx))
			continue;
		if (!push(&v, n, &cap, (struct sessions_id){ s->tun->tid, s->sid })) {
			*n = SIZE_MAX;
			return NULL;
		}
	}
	return v;
}

struct sessions_id *sessions_live_tunnels(const struct engine *e, size_t *n)
{
	struct sessions_id *v = NULL;
	struct l2tp_tun *t;
	size_t cap = 0;

	*n = 0;
	L2TP_LNS_FOREACH_TUNNEL(engine_lns(e), t) {
		if (sessions_tunnel_phase(t) == SESSIONS_FINISHING)
			continue;
		if (!push(&v, n, &cap, (struct sessions_id){ t->tid, 0 })) {
			*n = SIZE_MAX;
			return NULL;
		}
	}
	return v;
}

bool sessions_user_is(const struct eng_sess_info *si, const char *name, size_t len)
{
	return si->username_len == len && memcmp(si->username, name, len) == 0;
}
