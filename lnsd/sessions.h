/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tunnels and sessions as the operator sees them, in one place: the phase
 * of each (lnsctl(8): the "phase" member, show stats tunnels_phase and
 * sessions_phase) and the selection of the ones an action is for (lnsctl
 * terminate user and terminate all in ctl.c, RFC 5176 requests in dae.c).
 * The walks go through the lib's iterators (l2tp_lns.h); a selection is
 * returned as IDs because acting on a session may free it.
 */
#ifndef LNSD_SESSIONS_H
#define LNSD_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "l2tp_lns.h"

/* The lib's states, and the PPP side's, in three buckets. */
enum sessions_phase {
	SESSIONS_STARTING,
	SESSIONS_ESTABLISHED,
	SESSIONS_FINISHING,
	SESSIONS_PHASE_COUNT,
};
const char *sessions_phase_str(enum sessions_phase p);
enum sessions_phase sessions_tunnel_phase(const struct l2tp_tun *t);
/* info: the PPP side (NULL: none). */
enum sessions_phase sessions_phase_of(const struct l2tp_sess *s, const struct eng_sess_info *info);

/* How many tunnels and sessions are in each phase; the dead ones, not yet reaped, do not count. */
struct sessions_phases {
	unsigned tunnels[SESSIONS_PHASE_COUNT];
	unsigned sessions[SESSIONS_PHASE_COUNT];
};
void sessions_count_phases(const struct engine *e, struct sessions_phases *out);

struct sessions_id {
	uint32_t tid, sid;     /* sid 0: the tunnel (sessions_live_tunnels) */
};
/*
 * The sessions not already finishing that match() takes. *n gets how many
 * (the array is NULL for none); SIZE_MAX and NULL when out of memory. The
 * caller frees the array.
 */
struct sessions_id *sessions_matching(const struct engine *e,
				      bool (*match)(const struct l2tp_sess *s,
						    const struct eng_sess_info *si, void *ctx),
				      void *ctx, size_t *n);
/* The tunnels not already finishing, as sessions_matching returns sessions. */
struct sessions_id *sessions_live_tunnels(const struct engine *e, size_t *n);

/* Whether the session's PPP user name is these len bytes. */
bool sessions_user_is(const struct eng_sess_info *si, const char *name, size_t len);

#endif
