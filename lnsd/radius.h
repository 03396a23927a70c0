/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RADIUS client that never blocks the event loop. A few worker threads do
 * the waiting: the loop queues a request (a struct rad_avs built by
 * radius_attr.c), a worker sends it over UDP to the servers in failover
 * order, and the reply comes back on the loop through an ev_async, tagged
 * with the caller's cookie. The caller checks that the cookie still names a
 * live session: a late reply for a session that ended is simply dropped.
 * Workers never log: notices travel back the same way and are logged on the
 * loop.
 *
 * Every reply is checked before it is read (radius_attr.c
 * rad_check_reply(): Response Authenticator, Message-Authenticator); one
 * that fails is counted and ignored as if it never came, so the request
 * waits on and may time out or fail over (RFC 2865 §3). Every
 * Access-Request carries a Message-Authenticator (RFC 3579), and with
 * require-message-authenticator the Access-Accept/Reject/Challenge must too
 * (CVE-2024-3596).
 *
 * Servers, timeout, retries, nas-ip-address and
 * require-message-authenticator are taken at radius_new().
 */
#ifndef LNSD_RADIUS_H
#define LNSD_RADIUS_H

#include <ev.h>
#include <stdint.h>

#include "conf.h"
#include "radius_attr.h"
#include "radius_ipv6.h"

#define RADIUS_WORKERS 4

enum radius_verdict {
	RADIUS_ACCEPT,                 /* Access-Accept */
	RADIUS_REJECT,                 /* Access-Reject, or an Access-Challenge (RFC 2865 §4.4) */
	RADIUS_FAILED,                 /* no server answered (or a local error) */
};

struct radius_reply {
	enum radius_verdict verdict;
	int server;                    /* index into the server list; -1 none */
	struct rad_accept attrs;       /* parsed reply attributes (ACCEPT, REJECT) */
	struct rad_ipv6 ipv6;          /* its IPv6 attributes (ACCEPT) */
};
typedef void (*radius_reply_fn)(void *ctx, uint64_t cookie, const struct radius_reply *rep);

/* Per server, by request type and outcome (one count per server tried). */
enum radius_type { RADIUS_T_AUTH, RADIUS_T_ACCT, RADIUS_T_COUNT };
enum radius_result {
	RADIUS_R_ACCEPT,               /* Access-Accept */
	RADIUS_R_REJECT,               /* Access-Reject */
	RADIUS_R_RESPONSE,             /* Accounting-Response */
	RADIUS_R_TIMEOUT,              /* no answer after the retries */
	RADIUS_R_ERROR,                /* unreachable (ICMP), or a local error */
	RADIUS_R_COUNT,
};
const char *radius_type_str(enum radius_type t);
const char *radius_result_str(enum radius_result r);

struct radius_stats {
	size_t n_servers;
	const char *const *servers;    /* "192.0.2.10:1812" (authentication port) */
	uint64_t (*by_server)[RADIUS_T_COUNT][RADIUS_R_COUNT];   /* [n_servers] */
	/* [n_servers]: replies discarded, by why (index RAD_REPLY_OK unused) */
	uint64_t (*dropped)[RAD_REPLY_CHECK_COUNT];
	uint64_t acct_failed;          /* Accounting-Requests no server took */
	uint64_t auth_failed;          /* Access-Requests no server answered */
	uint64_t queued;               /* waiting for a worker now */
};

struct radius;

/* Starts the workers; NULL with err on failure. */
struct radius *radius_new(struct ev_loop *loop, const struct lnsd_radius_conf *rc,
			  radius_reply_fn fn, void *ctx, char *err, size_t errlen);
/*
 * Stops the workers after the queued Accounting-Requests (up to a few
 * seconds); queued Access-Requests are dropped without a reply. NULL-safe.
 */
void radius_free(struct radius *r);

/*
 * Queue an Access-Request (takes avs); fn is called later, never from here.
 * 0, -ENOMEM, or -EBUSY when RADIUS_QUEUE_MAX requests already wait.
 */
int radius_auth(struct radius *r, uint64_t cookie, struct rad_avs *avs);
/* Queue an Accounting-Request (takes avs); no reply to the caller. 0 or as radius_auth. */
int radius_acct(struct radius *r, struct rad_avs *avs);

/* A snapshot; valid until the next call or radius_free. */
const struct radius_stats *radius_stats(struct radius *r);

#endif
