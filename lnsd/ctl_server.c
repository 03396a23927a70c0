// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control socket's server: the UNIX listener, its clients, their limits
 * and deadlines (ctl.h). What a request does is ctl.c.
 */
#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

/*
 * A client gets one reply at a time: its next request is read from its
 * buffer only once the previous reply has gone out, so lnsd never holds
 * more than one reply per client (ctl.h). A listing (show-tunnels,
 * show-sessions) is that reply produced CTL_CHUNK bytes at a time, the next
 * chunk once the socket took the previous one, and chunks for no more than
 * CTL_WAKE_BUDGET_US per wake-up: however many sessions there are, a
 * listing costs lnsd a chunk of memory and the loop a couple of
 * milliseconds of work between two other events.
 */
#define CTL_CHUNK 16384          /* bytes of rows produced at a time */
#define CTL_CHUNK_ROWS 256       /* rows looked at per chunk at most (match filters) */
/*
 * While its socket takes them, more chunks in one wake-up, for up to this
 * long: a fast reader is not paced by a context switch per chunk.
 */
#define CTL_WAKE_BUDGET_US 2000
/* The send buffer of a client being sent a listing (the kernel doubles it). */
#define CTL_LIST_SNDBUF (128 * 1024)

struct ctl_client {
	ev_io io;
	ev_timer timer;              /* the deadline of its state (client_deadline) */
	struct ctl *ctl;
	int fd;
	int events;                  /* what io watches */
	size_t inlen;
	char *out;                   /* the reply being sent; NULL when none */
	size_t outlen, outoff;
	struct ctl_list *list;       /* a listing under way: out is its chunk (chunk.p) */
	struct ctl_buf chunk;        /* the listing's buffer, reused chunk after chunk */
	bool eof;                    /* the client sent FIN: answer what came, then close */
	bool closing;                /* close once the reply is out */
	bool dead;                   /* the socket failed: close now */
	ev_tstamp active;            /* accepted, or a byte read or sent */
	ev_tstamp line_since;        /* when the incomplete request in `in` began */
	struct ctl_client *prev, *next;
	char in[CTL_MAX_REQUEST + 1];
};

struct ctl {
	ev_io io;
	struct ev_loop *loop;
	struct engine *eng;
	int fd;
	char *path;
	struct ctl_client *clients;
	unsigned n_clients;
	uint64_t accepted, evicted, timeouts, bad_requests;
	uint64_t listings, listing_rows, listing_chunks;
	uint64_t started_ms;           /* show-stats uptime_s: the daemon's start */
};

static void client_cb(struct ev_loop *loop, ev_io *w, int revents);

static void client_close(struct ctl_client *cl)
{
	struct ctl *c = cl->ctl;

	ev_io_stop(c->loop, &cl->io);
	ev_timer_stop(c->loop, &cl->timer);
	close(cl->fd);
	if (cl->prev)
		cl->prev->next = cl->next;
	else
		c->clients = cl->next;
	if (cl->next)
		cl->next->prev = cl->prev;
	c->n_clients--;
	if (cl->out != cl->chunk.p)
		free(cl->out);
	free(cl->chunk.p);
	ctl_list_free(cl->list);
	free(cl);
}

/* show-stats "control_socket" (lnsctl(8), STATS). */
static json_t *server_stats_json(const struct ctl *c)
{
	json_int_t queued = 0, streaming = 0;

	for (const struct ctl_client *cl = c->clients; cl; cl = cl->next) {
		queued += (json_int_t)(cl->outlen - cl->outoff);
		streaming += cl->list != NULL;
	}
	return json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "clients",
			 (int)c->n_clients, "accepted", (json_int_t)c->accepted, "evicted",
			 (json_int_t)c->evicted, "timeouts", (json_int_t)c->timeouts,
			 "bad_requests", (json_int_t)c->bad_requests, "queued_bytes", queued,
			 "listings", (json_int_t)c->listings, "listings_streaming", streaming,
			 "listing_rows", (json_int_t)c->listing_rows, "listing_chunks",
			 (json_int_t)c->listing_chunks);
}

/* The reply to send, one JSON line; no reply is pending when this is called. */
static void client_reply(struct ctl_client *cl, json_t *resp)
{
	char *s = resp ? json_dumps(resp, JSON_COMPACT) : NULL;
	size_t n = s ? strlen(s) : 0;
	char *line = s ? realloc(s, n + 1) : NULL;

	json_decref(resp);
	if (!line) {
		free(s);
		cl->closing = true;
		return;
	}
	line[n] = '\n';
	cl->out = line;
	cl->outlen = n + 1;
	cl->outoff = 0;
}

static void bad_request(struct ctl_client *cl, const char *err)
{
	cl->ctl->bad_requests++;
	log_ratelimited(engine_now_ms(), "ctl bad request", "control socket: bad request: %s", err);
	client_reply(cl, ctl_error("%s", err));
}

static void client_request(struct ctl_client *cl, const char *line, size_t len)
{
	struct ctl_req req;
	char err[256];
	json_t *resp;

	if (ctl_parse_request(line, len, &req, err, sizeof(err))) {
		bad_request(cl, err);
		return;
	}
	if (req.cmd == CTL_SHOW_TUNNELS || req.cmd == CTL_SHOW_SESSIONS) {
		cl->list = ctl_list_new(cl->ctl->eng, &req);
		ctl_req_release(&req);
		if (!cl->list) {
			client_reply(cl, ctl_error("out of memory"));
			return;
		}
		cl->ctl->listings++;
		/* a larger socket buffer for the listing: fewer wake-ups (CTL_SNDBUF after it) */
		setsockopt(cl->fd, SOL_SOCKET, SO_SNDBUF, &(int){ CTL_LIST_SNDBUF }, sizeof(int));
		return;
	}
	resp = ctl_execute(cl->ctl->eng, &req, cl->ctl->started_ms);
	if (req.cmd == CTL_SHOW_STATS && json_is_object(json_object_get(resp, "result")))
		json_object_set_new(json_object_get(resp, "result"), "control_socket",
				    server_stats_json(cl->ctl));
	client_reply(cl, resp);
}

/* Send what the socket takes; false when it failed. */
static bool client_flush(struct ctl_client *cl)
{
	while (cl->outoff < cl->outlen) {
		ssize_t n = send(cl->fd, cl->out + cl->outoff, cl->outlen - cl->outoff,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (n < 0) {
			cl->dead = true;
			return false;
		}
		cl->outoff += (size_t)n;
		cl->active = ev_now(cl->ctl->loop);
	}
	if (cl->out != cl->chunk.p)
		free(cl->out);
	else if (!cl->list) {
		/* the listing's last chunk is out: its buffer goes too */
		free(cl->chunk.p);
		cl->chunk = (struct ctl_buf){ 0 };
	}
	cl->out = NULL;
	cl->outlen = cl->outoff = 0;
	return true;
}

/* The listing's next chunk into cl->out; at its end the listing is done. */
static void list_fill(struct ctl_client *cl)
{
	struct ctl *c = cl->ctl;
	size_t before = ctl_list_rows(cl->list);
	int rc;

	cl->chunk.len = 0;
	rc = ctl_list_fill(cl->list, &cl->chunk, CTL_CHUNK, CTL_CHUNK_ROWS);
	c->listing_rows += ctl_list_rows(cl->list) - before;
	c->listing_chunks++;
	if (rc < 0) {
		log_ratelimited(engine_now_ms(), "ctl oom",
				"control socket: out of memory in a listing, closing its client");
		cl->dead = true;
		return;
	}
	if (rc > 0) {
		ctl_list_free(cl->list);
		cl->list = NULL;
		setsockopt(cl->fd, SOL_SOCKET, SO_SNDBUF, &(int){ CTL_SNDBUF }, sizeof(int));
	}
	cl->out = cl->chunk.p;
	cl->outlen = cl->chunk.len;
	cl->outoff = 0;
}

static void client_read(struct ctl_client *cl)
{
	ssize_t n;

	if (cl->eof || cl->inlen >= CTL_MAX_REQUEST)
		return;
	n = recv(cl->fd, cl->in + cl->inlen, CTL_MAX_REQUEST - cl->inlen, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n < 0) {
		cl->dead = true;
		return;
	}
	if (n == 0) {
		cl->eof = true;
		return;
	}
	cl->active = ev_now(cl->ctl->loop);
	if (!cl->inlen)
		cl->line_since = cl->active;
	cl->inlen += (size_t)n;
}

/*
 * Send the pending reply; once it is out, answer the next request in the
 * buffer, and so on. A request still incomplete waits for more bytes; at
 * EOF the rest of the buffer counts as the last request. A listing's next
 * chunks are made here, within CTL_WAKE_BUDGET_US.
 */
static void client_run(struct ctl_client *cl)
{
	uint64_t start = 0;

	while (client_flush(cl) && !cl->outlen && !cl->closing) {
		if (cl->list) {
			/*
			 * A chunk, and more while the socket takes them within
			 * CTL_WAKE_BUDGET_US; then back to the loop, which serves
			 * everyone else before this client's next wake-up.
			 */
			if (cl->dead)
				return;
			if (!start)
				start = engine_now_us();
			else if (engine_now_us() - start >= CTL_WAKE_BUDGET_US)
				return;
			list_fill(cl);
			continue;
		}
		char *nl = memchr(cl->in, '\n', cl->inlen);
		size_t len = nl ? (size_t)(nl - cl->in) : cl->inlen;

		if (!nl && !(cl->eof && cl->inlen)) {
			if (cl->inlen == CTL_MAX_REQUEST) {
				char err[64];

				snprintf(err, sizeof(err), "request longer than %d bytes", CTL_MAX_REQUEST);
				bad_request(cl, err);
				cl->inlen = 0;
				cl->closing = true;
				continue;   /* send the error, then close */
			}
			return;
		}
		if (len)
			client_request(cl, cl->in, len);
		len += nl ? 1 : 0;
		memmove(cl->in, cl->in + len, cl->inlen - len);
		cl->inlen -= len;
		cl->line_since = ev_now(cl->ctl->loop);
	}
}

enum client_wait { WAIT_READER, WAIT_REQUEST, WAIT_IDLE };

/*
 * What the client is waiting on and when it must be done: taking its reply,
 * or completing its request, within CTL_IO_TIMEOUT_S of the last byte that
 * moved; a new request within CTL_IDLE_TIMEOUT_S.
 */
static ev_tstamp client_deadline(const struct ctl_client *cl, enum client_wait *w)
{
	if (cl->outlen || cl->list) {
		*w = WAIT_READER;
		return cl->active + CTL_IO_TIMEOUT_S;
	}
	if (cl->inlen) {
		*w = WAIT_REQUEST;
		return cl->line_since + CTL_IO_TIMEOUT_S;
	}
	*w = WAIT_IDLE;
	return cl->active + CTL_IDLE_TIMEOUT_S;
}

/* After every event: close the client when done, else watch what it is waiting on. */
static void client_update(struct ctl_client *cl)
{
	struct ev_loop *loop = cl->ctl->loop;
	enum client_wait w;
	int events = 0;

	if (cl->dead ||
	    (!cl->outlen && !cl->list && (cl->closing || (cl->eof && !cl->inlen)))) {
		client_close(cl);
		return;
	}
	if (!cl->eof && cl->inlen < CTL_MAX_REQUEST)
		events |= EV_READ;
	if (cl->outlen || cl->list)
		events |= EV_WRITE;     /* a listing: its next chunk when the socket has room */
	if (events != cl->events) {
		ev_io_stop(loop, &cl->io);
		ev_io_set(&cl->io, cl->fd, events);
		cl->events = events;
		if (events)
			ev_io_start(loop, &cl->io);
	}
	ev_timer_stop(loop, &cl->timer);
	ev_timer_set(&cl->timer, client_deadline(cl, &w) - ev_now(loop), 0.0);
	ev_timer_start(loop, &cl->timer);
}

static void client_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_client *cl = (struct ctl_client *)w;

	if (revents & EV_READ)
		client_read(cl);
	client_run(cl);
	client_update(cl);
}

static void client_timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	static const char *const why[] = {
		[WAIT_READER] = "it stopped reading its reply",
		[WAIT_REQUEST] = "its request stayed incomplete",
		[WAIT_IDLE] = "it sent no request",
	};
	struct ctl_client *cl = t->data;
	enum client_wait w;
	ev_tstamp d = client_deadline(cl, &w);

	if (ev_now(loop) < d) {
		client_update(cl);
		return;
	}
	cl->ctl->timeouts++;
	log_ratelimited(engine_now_ms(), "ctl timeout", "control socket: closing a client: %s for %d s",
			why[w], w == WAIT_IDLE ? CTL_IDLE_TIMEOUT_S : CTL_IO_TIMEOUT_S);
	client_close(cl);
}

/* Full: the client that moved no byte for the longest makes room for a new one. */
static void evict_one(struct ctl *c)
{
	struct ctl_client *old = c->clients;

	for (struct ctl_client *cl = c->clients; cl; cl = cl->next)
		if (cl->active < old->active)
			old = cl;
	c->evicted++;
	log_ratelimited(engine_now_ms(), "ctl evict",
			"control socket: %d clients, closing the one quiet for %.0f s to admit a new one",
			CTL_MAX_CLIENTS, ev_now(c->loop) - old->active);
	client_close(old);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl *c = (struct ctl *)w;

	for (;;) {
		int fd = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct ctl_client *cl;

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_ratelimited(engine_now_ms(), "ctl accept", "control socket accept: %s",
						strerror(errno));
			return;
		}
		/*
		 * A small send buffer: one reply at a time is taken from a client only
		 * once the previous one is in the kernel, so the kernel's buffer is what
		 * a client that reads nothing can make lnsd compute and hold. With the
		 * default (about 200 KiB) 60 such clients had lnsd answer some 8,000
		 * requests nobody read before it stalled them, and a real lnsctl waited.
		 * Large replies still go out, a buffer at a time, as the client reads.
		 */
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &(int){ CTL_SNDBUF }, sizeof(int));
		if (c->n_clients >= CTL_MAX_CLIENTS)
			evict_one(c);
		cl = calloc(1, sizeof(*cl));
		if (!cl) {
			log_ratelimited(engine_now_ms(), "ctl clients",
					"control socket: out of memory, refusing a client");
			close(fd);
			continue;
		}
		c->accepted++;
		cl->ctl = c;
		cl->fd = fd;
		cl->active = ev_now(loop);
		cl->next = c->clients;
		if (c->clients)
			c->clients->prev = cl;
		c->clients = cl;
		c->n_clients++;
		ev_init(&cl->io, client_cb);
		ev_init(&cl->timer, client_timer_cb);
		cl->timer.data = cl;
		client_update(cl);
	}
}

static int mkdir_p(const char *dir)
{
	char buf[sizeof(((struct sockaddr_un *)0)->sun_path)];

	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

struct ctl *ctl_new(struct ev_loop *loop, const char *path, struct engine *e, char *err,
		    size_t errlen)
{
	struct ctl *c = calloc(1, sizeof(*c));
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t old;
	int probe;

	if (!c || strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: %s", path, c ? "path too long" : "out of memory");
		free(c);
		return NULL;
	}
	c->loop = loop;
	c->eng = e;
	c->fd = -1;
	c->started_ms = engine_now_ms();
	strcpy(sun.sun_path, path);
	if (mkdir_p(path) < 0) {
		snprintf(err, errlen, "cannot create the directory of %s: %s", path,
			 strerror(errno));
		goto fail;
	}
	/* A socket file that accepts connections belongs to a running lnsd. */
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe >= 0 && connect(probe, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		close(probe);
		snprintf(err, errlen, "%s: another lnsd is running (the socket accepts connections)",
			 path);
		goto fail;
	}
	if (probe >= 0)
		close(probe);
	unlink(path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		goto fail_errno;
	old = umask(0117);     /* srw-rw----: root and the socket's group */
	if (bind(c->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		umask(old);
		goto fail_errno;
	}
	umask(old);
	if (listen(c->fd, 16) < 0)
		goto fail_errno;
	c->path = strdup(path);
	if (!c->path)
		goto fail_errno;
	ev_io_init(&c->io, accept_cb, c->fd, EV_READ);
	ev_io_start(loop, &c->io);
	return c;
fail_errno:
	snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
fail:
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	return NULL;
}

void ctl_free(struct ctl *c)
{
	if (!c)
		return;
	while (c->clients)
		client_close(c->clients);
	ev_io_stop(c->loop, &c->io);
	close(c->fd);
	unlink(c->path);
	free(c->path);
	free(c);
}
