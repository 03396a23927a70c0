/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Prometheus endpoint: GET /metrics over HTTP (libmicrohttpd), text
 * exposition format 0.0.4. MHD runs in external-select mode on its epoll
 * fd, driven by the daemon's libev loop: no thread. A scrape formats the
 * engine's counters and the cached kernel counters (one tunnel dump and,
 * with metrics-sessions, one session dump when older than a second;
 * docs/design.md §8): O(tunnels) work, no kernel call per object.
 */
#ifndef LNSD_METRICS_H
#define LNSD_METRICS_H

#include <ev.h>
#include <stddef.h>
#include <stdio.h>

#include "engine.h"

/*
 * The HTTP listener's limits (lnsd(8), METRICS). A scraper needs one
 * connection; an address (an IPv6 /64) holding METRICS_MAX_CONNS_PER_IP gets
 * no more, so one misbehaving host cannot take the slots a scraper needs.
 */
#define METRICS_MAX_CONNS 64
#define METRICS_MAX_CONNS_PER_IP 8
/*
 * A whole request (line and headers; a body is refused with 413) must arrive
 * within this of the connection (or of the previous response).
 */
#define METRICS_REQUEST_TIMEOUT_S 5
/* A connection with no progress for this long is closed (a scraper that stopped reading). */
#define METRICS_CONN_TIMEOUT_S 10
/* Request line plus headers; a longer request gets 431 and the connection closes. */
#define METRICS_MAX_REQUEST 16384

struct metrics;

/* Listen on addr (conf [lnsd] metrics); NULL with err on failure. */
struct metrics *metrics_new(struct ev_loop *loop, struct engine *e, const struct lns_addr *addr,
			    char *err, size_t errlen);
void metrics_free(struct metrics *m);   /* NULL-safe */
struct dae;
/* Also serve the dynamic-authorization counters of d (dae.h). */
void metrics_set_dae(struct metrics *m, const struct dae *d);

/*
 * The exposition text for e into f (refreshes stale kernel counters first).
 * start_time is the daemon's start, seconds since the epoch.
 */
void metrics_render(struct engine *e, double start_time, FILE *f);

/*
 * A label value into f, the one way every label is written: the escaped
 * form of stresc.h (printable ASCII, so valid UTF-8), then the exposition
 * format's own escapes (\\ and \"). Prometheus stores the same text a log
 * line shows between its quotes.
 */
void metrics_label_value(FILE *f, const char *v, size_t len);

#endif
