/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Dynamic authorization (RFC 5176): the UDP listener on [radius] dae-listen.
 * Requests from a source outside dae-clients are dropped (counted, logged
 * rate-limited); the rest go through lib/aaa/radius_dae.c with that client's
 * secret. A Disconnect-Request ends every session it names; a CoA-Request
 * is answered for the sessions it names. A request seen before (same
 * client address, Identifier and Request Authenticator, from any source
 * port) gets the answer it got then and is not acted on again.
 */
#ifndef LNSD_DAE_H
#define LNSD_DAE_H

#include <ev.h>
#include <stdint.h>
#include <stdio.h>

#include "engine.h"
#include "radius_dae.h"

/* |now - Event-Timestamp| allowed: RFC 5176 §6.3's default window. */
#define DAE_TIMESTAMP_WINDOW_S 300
/*
 * How long an answered request is remembered. A request stamped up to the
 * window ahead of our clock passes the timestamp check until twice the
 * window after it first arrived; remembering it that long means any replay
 * the timestamp check lets through is caught here. (A request without
 * Event-Timestamp is protected for this long only: dae-require-event-timestamp.)
 */
#define DAE_REPLAY_TTL_MS (2u * DAE_TIMESTAMP_WINDOW_S * 1000u)

/* Packets dropped without a reply, beyond the codec's own reasons (dae_verdict). */
enum dae_drop {
	DAE_DROP_UNKNOWN_CLIENT = DAE_VERDICT_COUNT,  /* source not in dae-clients */
	DAE_DROP_RECV_ERROR,
	DAE_DROP_SEND_ERROR,
	DAE_DROP_REASONS,
};

struct dae;

/*
 * Listen on engine_conf(e)->radius.dae_listen; the client list and secrets
 * are read from the engine's current configuration for every packet, so a
 * reload changes them (not the listening address). NULL with err on failure.
 */
struct dae *dae_new(struct ev_loop *loop, struct engine *e, char *err, size_t errlen);
void dae_free(struct dae *d);   /* NULL-safe */

/* The Prometheus families lnsd_radius_dae_* (nothing when d is NULL). */
void dae_render_metrics(const struct dae *d, FILE *f);

/*
 * Handle one datagram as the listener does (for tests): from is the source;
 * the reply, if any, goes into reply (DAE_REPLY_MAX bytes) and its length is
 * returned, 0 for no reply.
 */
size_t dae_input(struct dae *d, const struct lns_addr *from, const uint8_t *pkt, size_t len,
		 uint8_t *reply);

#endif
