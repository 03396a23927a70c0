/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket: UNIX stream, one JSON request per line, one JSON
 * response per line (documented in lnsctl(8)). Requests:
 *   {"cmd":"show-tunnels"}  {"cmd":"show-sessions"}  {"cmd":"show-stats"}
 *   {"cmd":"show-config"}
 *   (show-tunnels/-sessions take "all":true to include closing tunnels)
 *   {"cmd":"terminate-tunnel","tid":N}  {"cmd":"terminate-session","tid":N,"sid":M}
 *   {"cmd":"terminate-user","username":"NAME"}  {"cmd":"terminate-all"}
 *   {"cmd":"reload"}
 * Responses: {"ok":true,"result":...} or {"ok":false,"error":"text"}.
 * ctl.c parses and executes requests; ctl_server.c is the socket server.
 */
#ifndef LNSD_CTL_H
#define LNSD_CTL_H

#include <ev.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl_fmt.h"
#include "engine.h"
#include "l2tp_lns.h"

/*
 * The server's limits (lnsctl(8), CONTROL SOCKET PROTOCOL). A client is
 * sent one reply at a time: its next request waits in its buffer (then in
 * the socket) until the previous reply is out, so a client that does not
 * read costs one reply, and is closed after CTL_IO_TIMEOUT_S. When
 * CTL_MAX_CLIENTS are connected, a new client replaces the one quiet for
 * the longest, so idle connections cannot lock the operator out.
 */
#define CTL_MAX_REQUEST 4096     /* bytes per request line */
#define CTL_MAX_CLIENTS 64
#define CTL_SNDBUF 16384         /* the kernel's send buffer per client (it doubles it) */
#define CTL_IO_TIMEOUT_S 10      /* a request completes, a reply moves, within this */
#define CTL_IDLE_TIMEOUT_S 60    /* a connection with no request for this long is closed */

enum ctl_cmd {
	CTL_SHOW_TUNNELS,
	CTL_SHOW_SESSIONS,
	CTL_SHOW_STATS,
	CTL_TERMINATE_TUNNEL,
	CTL_TERMINATE_SESSION,
	CTL_RELOAD,
	CTL_SHOW_CONFIG,
	CTL_TERMINATE_USER,
	CTL_TERMINATE_ALL,
	CTL_SHOW_PSEUDOWIRES,
};

#define CTL_USERNAME_MAX 128

#define CTL_MAX_MATCH 16

struct ctl_req {
	enum ctl_cmd cmd;
	uint32_t tid, sid;
	bool all;            /* show-*: include closing tunnels ("all":true) */
	char username[CTL_USERNAME_MAX];   /* terminate-user */
	struct ctl_match match[CTL_MAX_MATCH];   /* show-*: "match" clauses, compiled */
	size_t nmatch;
};

struct engine;
struct ctl;

/* Parse one request line; 0, or -1 with err set ("unknown command \"x\""). */
int ctl_parse_request(const char *line, size_t len, struct ctl_req *req, char *err,
		      size_t errlen);
/* Free what a parsed request holds (its match regexes); idempotent. */
void ctl_req_release(struct ctl_req *req);

/*
 * Execute: a new reference to the response object (not for show-tunnels /
 * show-sessions: those are streamed with ctl_list_*). started_ms is the
 * daemon's start (engine_now_ms() then): show-stats uptime_s.
 */
json_t *ctl_execute(struct engine *e, const struct ctl_req *req, uint64_t started_ms);
json_t *ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * JSON views of the lib's objects (the contract of show-tunnels /
 * show-sessions), with the kernel counters and the PPP side (NULL: zeros, "").
 */
json_t *ctl_tunnel_json(const struct l2tp_tun *t, const struct dp_stats *ks,
			uint64_t now_ms);
json_t *ctl_session_json(const struct l2tp_sess *s, const struct eng_sess_info *info,
			 uint64_t now_ms);

/* A growable byte buffer (the server's output). */
struct ctl_buf {
	char *p;
	size_t len, cap;
};
int ctl_buf_add(struct ctl_buf *b, const char *p, size_t n);   /* -1: out of memory */

/*
 * show-tunnels / show-sessions, streamed: the reply line is produced a few
 * rows at a time. ctl_list_new takes req's match clauses (NULL: out of
 * memory). ctl_list_fill appends to b until b->len reaches want or
 * max_rows rows were looked at: 1 when the reply is complete (its "]}\n"
 * appended), 0 when there is more, -1 when out of memory (the reply cannot
 * be completed: close the connection).
 */
struct ctl_list;
struct ctl_list *ctl_list_new(struct engine *e, struct ctl_req *req);
int ctl_list_fill(struct ctl_list *l, struct ctl_buf *b, size_t want, unsigned max_rows);
size_t ctl_list_rows(const struct ctl_list *l);   /* rows sent so far */
void ctl_list_free(struct ctl_list *l);           /* NULL-safe */

/* Listen on path (its directory is created); err says why on failure. */
struct ctl *ctl_new(struct ev_loop *loop, const char *path, struct engine *e, char *err,
		    size_t errlen);
void ctl_free(struct ctl *c);   /* NULL-safe; unlinks the socket */

#endif
