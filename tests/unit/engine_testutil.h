/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by the unit tests that run a real engine, without root:
 * the engine on a free loopback UDP port with the null data plane, the loop
 * run until a socket has something, and a LAC made here that talks L2TP
 * control messages (lib/l2tp_msg.c's encoder and decoder) to the engine's
 * listener. A check that fails in a helper fails the test that called it.
 */
#ifndef LNS_ENGINE_TESTUTIL_H
#define LNS_ENGINE_TESTUTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "dp.h"
#include "engine.h"
#include "l2tp_msg.h"
#include "log.h"

#define TU_WAIT_MS 3000   /* how long a helper waits for the engine's answer */

/*
 * The configuration: [lnsd] listen (127.0.0.1, a free port), dataplane =
 * none, log-level; then conf; then, with ppp or users, [ppp] with those keys.
 */
struct tu_engine_opts {
	enum log_level log_level;  /* also given to log_init(); 0: error; LNSD_TEST_LOG=1: debug */
	const char *conf;          /* more [lnsd] keys, then other sections; NULL: none */
	const char *ppp;           /* [ppp] keys; NULL: none */
	const char *users;         /* a users file's text, written and named by users-file */
	bool ppp_dp;               /* dp_null_new(true): sessions run PPP on socketpairs */
};

struct tu_engine {
	struct ev_loop *loop;
	struct lnsd_conf *conf;
	struct engine *eng;
	struct dp *dp;             /* with ppp_dp (owned by the engine), else NULL */
	uint16_t port;             /* the L2TP listener's */
	char users[64];            /* the users file, "" without */
	/* Polled while the loop runs in tu_pump(): on_watch(watch_ctx) when readable. */
	int watch_fd;              /* -1: none */
	void (*on_watch)(void *ctx);
	void *watch_ctx;
};

/* A loopback UDP port the kernel had free a moment ago. */
uint16_t tu_free_udp_port(void);
/* o NULL: the defaults. Aborts the test when no port can be had. */
void tu_engine_up(struct tu_engine *te, const struct tu_engine_opts *o);
void tu_engine_down(struct tu_engine *te);

/*
 * Run the loop until one of fds (n of them, at most 4) is readable: its
 * index, or -1 after ms. n 0: just run for ms.
 */
int tu_pump(struct tu_engine *te, const int *fds, int n, int ms);
void tu_idle(struct tu_engine *te, int ms);
bool tu_readable(struct tu_engine *te, int fd, int ms);

/* One LAC end of a tunnel: its own UDP socket, connected to the listener. */
struct tu_lac {
	struct tu_engine *te;
	int fd;                    /* -1 when closed */
	uint16_t tid, lns_tid;     /* ours, and the one the LNS's SCCRP assigned */
	uint16_t ns, nr;
	struct l2tp_mbuf mb;       /* the message being built */
	struct l2tp_msg msg;       /* the last message from the LNS */
};

void tu_lac_open(struct tu_lac *l, struct tu_engine *te, uint16_t tid);
void tu_lac_close(struct tu_lac *l);   /* safe on a closed LAC */
/* Start a message to the LNS's tunnel (Tunnel ID 0 for an SCCRQ); AVPs go into l->mb. */
void tu_lac_begin(struct tu_lac *l, uint16_t sid, uint16_t type);
/* Send l->mb with our Ns and Nr. */
void tu_lac_send(struct tu_lac *l);
/* The next new message from the LNS (ZLBs and retransmissions skipped) must be type: l->msg. */
void tu_lac_expect(struct tu_lac *l, uint16_t type);
/* Open, SCCRQ (Host Name "lac"), SCCRP, then SCCCN if complete (else half-open). */
void tu_lac_tunnel(struct tu_lac *l, struct tu_engine *te, uint16_t tid, bool complete);
/* ICRQ with our Session ID sid (and Calling Number unless NULL), ICRP: the LNS's Session ID. */
uint16_t tu_lac_icrq(struct tu_lac *l, uint16_t sid, const char *calling);
/* ICCN for the LNS's session lns_sid, then the loop runs until the session is established. */
struct l2tp_sess *tu_lac_iccn(struct tu_lac *l, uint16_t lns_sid);

#endif
