/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Dynamic authorization (RFC 5176): the UDP listener on [radius] dae-listen.
 * Requests from a source outside dae-clients are dropped (counted, logged
 * rate-limited); the rest go through lib/aaa/radius_dae.c with that client's
 * secret. A Disconnect-Request ends every session it names; a CoA-Request
 * is answered for the sessions it names. Replies to a retransmission come
 * from a short cache, so nothing is done twice.
 */
#ifndef LNSD_DAE_H
#define LNSD_DAE_H

#include <ev.h>
#include <stdint.h>
#include <stdio.h>

#include "engine.h"
#include "radius_dae.h"

/* |now - Event-Timestamp| allowed, RFC 5176 §5.4 (300 s, as RFC 5080 suggests for replay). */
#define DAE_TIMESTAMP_WINDOW_S 300
/* How long a reply is kept to answer retransmissions of the same request. */
#define DAE_DUP_TTL_MS 10000

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
