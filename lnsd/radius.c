// SPDX-License-Identifier: GPL-2.0-or-later
/* RADIUS client: UDP in worker threads; replies checked, then delivered on the event loop. */
#include "radius.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "lns_sockaddr.h"

/* A server that did not answer is tried last for this long (RFC 5080 §2.2.1 "dead" servers). */
#define RADIUS_DEAD_MS 30000
/* radius_free waits this long for queued Accounting-Requests (Stop records). */
#define RADIUS_DRAIN_MS 3000
/*
 * Requests waiting for a worker, at most (about 2 KiB each): beyond it a new
 * request fails at once (-EBUSY) rather than memory growing without bound
 * while every server is down.
 */
#define RADIUS_QUEUE_MAX 20000
/* Servers, at most: each has its own series in the metrics. */
#define RADIUS_SERVER_MAX 8

struct rad_server {
	struct sockaddr_storage auth_sa, acct_sa;
	socklen_t sa_len;
	char *secret;
	size_t secret_len;
	char label[LNS_ADDR_STRLEN];   /* "192.0.2.1:1812": logs and metrics */
	char acct_label[LNS_ADDR_STRLEN];   /* "192.0.2.1:1813": accounting logs */
	uint64_t dead_until_ms;        /* under mu */
	uint8_t next_id;               /* under mu */
};

struct rad_job {
	struct rad_job *next;
	bool acct;
	bool note;                     /* only a log line for the loop */
	const char *limit;             /* note: its rate-limit reason */
	uint64_t cookie;
	struct rad_avs req;
	struct radius_reply rep;
	char text[200];                /* note */
};

struct rad_worker {
	struct radius *r;
	pthread_t th;
	bool started;
};

struct radius {
	struct ev_loop *loop;
	ev_async async;
	radius_reply_fn fn;
	void *ctx;
	struct rad_server *srv;
	size_t n_srv;
	int timeout_s, retries;
	bool require_msg_auth;
	struct lns_addr nas_ip;                /* family 0: the request's source address */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct rad_job *q_head, *q_tail;      /* to the workers */
	struct rad_job *d_head, *d_tail;      /* back to the loop */
	bool stopping;                         /* workers: take only accounting, then exit */
	bool stop;                             /* workers: exit now */
	unsigned busy;                         /* workers inside a request */
	struct rad_worker w[RADIUS_WORKERS];
	/* counters, under mu */
	uint64_t (*ctr)[RADIUS_T_COUNT][RADIUS_R_COUNT];
	uint64_t (*drops)[RAD_REPLY_CHECK_COUNT];
	uint64_t acct_failed, auth_failed, queued;
	/* snapshot for radius_stats */
	struct radius_stats snap;
	uint64_t (*snap_ctr)[RADIUS_T_COUNT][RADIUS_R_COUNT];
	uint64_t (*snap_drops)[RAD_REPLY_CHECK_COUNT];
	const char **labels;
};

const char *radius_type_str(enum radius_type t)
{
	return t == RADIUS_T_AUTH ? "auth" : t == RADIUS_T_ACCT ? "acct" : "?";
}

const char *radius_result_str(enum radius_result r)
{
	static const char *const names[RADIUS_R_COUNT] = {
		[RADIUS_R_ACCEPT] = "accept",   [RADIUS_R_REJECT] = "reject",
		[RADIUS_R_RESPONSE] = "response", [RADIUS_R_TIMEOUT] = "timeout",
		[RADIUS_R_ERROR] = "error",
	};

	return (unsigned)r < RADIUS_R_COUNT ? names[r] : "?";
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- workers ----------------------------------------------------------- */

/* Hand a finished job (or a note) to the loop. */
static void deliver(struct radius *r, struct rad_job *j)
{
	pthread_mutex_lock(&r->mu);
	j->next = NULL;
	if (r->d_tail)
		r->d_tail->next = j;
	else
		r->d_head = j;
	r->d_tail = j;
	pthread_mutex_unlock(&r->mu);
	ev_async_send(r->loop, &r->async);
}

/*
 * A log line for the loop, about one request at one server: rate-limited by
 * reason (a static string), so that a flood of requests (or of passwords
 * no server can be sent) does not become a flood of lines.
 */
static void note(struct radius *r, const char *limit, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void note(struct radius *r, const char *limit, const char *fmt, ...)
{
	struct rad_job *j = calloc(1, sizeof(*j));
	va_list ap;

	if (!j)
		return;
	j->note = true;
	j->limit = limit;
	va_start(ap, fmt);
	vsnprintf(j->text, sizeof(j->text), fmt, ap);
	va_end(ap);
	deliver(r, j);
}

/*
 * Servers in the order to try: those not marked dead first, each group in
 * file order. While stopping, a server whose last answer was a timeout
 * (dead_until_ms still set) counts as dead even after its dead time: the
 * Stop records have only RADIUS_DRAIN_MS, less than one timeout of it.
 */
static size_t try_order(struct radius *r, size_t *order)
{
	uint64_t now = mono_ms();
	size_t n = 0;

	pthread_mutex_lock(&r->mu);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < r->n_srv; i++) {
			uint64_t d = r->srv[i].dead_until_ms;

			if ((d > now || (r->stopping && d)) == (pass == 1))
				order[n++] = i;
		}
	pthread_mutex_unlock(&r->mu);
	return n;
}

static void count(struct radius *r, size_t srv, bool acct, enum radius_result res)
{
	pthread_mutex_lock(&r->mu);
	r->ctr[srv][acct ? RADIUS_T_ACCT : RADIUS_T_AUTH][res]++;
	if (res == RADIUS_R_TIMEOUT)
		r->srv[srv].dead_until_ms = mono_ms() + RADIUS_DEAD_MS;
	else if (res != RADIUS_R_ERROR)
		r->srv[srv].dead_until_ms = 0;
	pthread_mutex_unlock(&r->mu);
}

/* Why a reply was dropped, for the log line. */
static const char *drop_text(enum rad_reply_check c)
{
	switch (c) {
	case RAD_REPLY_MALFORMED:
		return "its length or an attribute's does not add up";
	case RAD_REPLY_BAD_CODE:
		return "its code does not answer our request";
	case RAD_REPLY_BAD_ID:
		return "its Identifier is not our request's";
	case RAD_REPLY_BAD_AUTHENTICATOR:
		return "its Response Authenticator does not verify: another secret, or forged";
	case RAD_REPLY_BAD_MSG_AUTH:
		return "its Message-Authenticator does not verify";
	case RAD_REPLY_NO_MSG_AUTH:
		return "it has no Message-Authenticator (require-message-authenticator = yes)";
	case RAD_REPLY_OK:
	case RAD_REPLY_CHECK_COUNT:
		break;
	}
	return "?";
}

static void count_drop(struct radius *r, size_t srv, bool acct, enum rad_reply_check c)
{
	pthread_mutex_lock(&r->mu);
	r->drops[srv][c]++;
	pthread_mutex_unlock(&r->mu);
	note(r, "radius: dropped replies", "radius: %s server %s: reply dropped (%s): %s",
	     acct ? "accounting" : "authentication",
	     acct ? r->srv[srv].acct_label : r->srv[srv].label, rad_reply_check_str(c),
	     drop_text(c));
}

/*
 * The request for server i in buf: the job's attributes plus NAS-IP-Address
 * or NAS-IPv6-Address (nas-ip-address, else the source address fd got),
 * with a fresh Identifier and, for Access-Request, a random Request
 * Authenticator. Returns the length or a negative errno.
 */
static int build(struct radius *r, size_t i, const struct rad_job *j, int fd, uint8_t *buf)
{
	struct rad_server *s = &r->srv[i];
	struct lns_addr nas = r->nas_ip;
	uint8_t auth[RAD_AUTH_LEN], id;
	struct rad_avs avs;
	struct rad_av av;
	size_t pos = 0;
	int len;

	if (!nas.family) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);

		if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
			return -errno;
		if (sa_to_addr(&ss, &nas) < 0)
			return -EAFNOSUPPORT;
	}
	rad_avs_init(&avs);
	while (rad_avs_next(&j->req, &pos, &av))
		rad_add_bytes(&avs, av.vendor, av.type, (enum rad_kind)av.kind, av.val, av.len);
	if (nas.family == 6)
		rad_add_bytes(&avs, 0, RAD_NAS_IPV6_ADDRESS, RAD_K_IPV6, nas.addr, 16);
	else
		rad_add_bytes(&avs, 0, RAD_NAS_IP_ADDRESS, RAD_K_IPV4, nas.addr, 4);
	if (avs.oom) {
		rad_avs_free(&avs);
		return -ENOMEM;
	}
	/* RFC 2865 §3: the Request Authenticator must be unpredictable. */
	arc4random_buf(auth, sizeof(auth));
	pthread_mutex_lock(&r->mu);
	id = s->next_id++;
	pthread_mutex_unlock(&r->mu);
	len = rad_encode_request(j->acct ? RAD_CODE_ACCOUNTING_REQUEST : RAD_CODE_ACCESS_REQUEST,
				 id, auth, &avs, s->secret, s->secret_len, buf, RAD_PKT_MAX);
	rad_avs_free(&avs);
	return len;
}

/*
 * One request to server i: retries + 1 sends of the same packet (same
 * Identifier and Request Authenticator, RFC 5080 §2.2.1), each waiting
 * timeout_s for a reply that passes rad_check_reply(). A reply that does
 * not is counted, logged and ignored, as if it never came (RFC 2865 §3), so
 * a forged answer cannot stop the real one from being waited for. On an
 * answer, rep/rep_len hold it. *why describes an error; *dropped counts
 * the replies ignored.
 */
static enum radius_result exchange(struct radius *r, size_t i, const struct rad_job *j,
				   uint8_t *rep, size_t *rep_len, const char **why,
				   unsigned *dropped)
{
	struct rad_server *s = &r->srv[i];
	const struct sockaddr_storage *sa = j->acct ? &s->acct_sa : &s->auth_sa;
	enum radius_result res = RADIUS_R_TIMEOUT;
	uint8_t req[RAD_PKT_MAX];
	int fd, len;

	*why = NULL;
	*dropped = 0;
	/* Connected: the kernel passes on only datagrams from the server's address and port. */
	fd = socket(sa->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)sa, s->sa_len) < 0) {
		*why = strerror(errno);
		res = RADIUS_R_ERROR;
		goto out;
	}
	len = build(r, i, j, fd, req);
	if (len < 0) {
		*why = len == -EMSGSIZE ? "the request is longer than 4096 bytes"
		       : len == -EINVAL ? "a value cannot be sent (a password over 128 bytes?)"
					: strerror(-len);
		res = RADIUS_R_ERROR;
		goto out;
	}
	for (int t = 0; t <= r->retries && res == RADIUS_R_TIMEOUT; t++) {
		uint64_t deadline = mono_ms() + (uint64_t)r->timeout_s * 1000;

		if (send(fd, req, (size_t)len, 0) < 0) {
			*why = strerror(errno);
			res = RADIUS_R_ERROR;
			break;
		}
		for (uint64_t now = mono_ms(); now < deadline; now = mono_ms()) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			enum rad_reply_check c;
			ssize_t n;

			if (poll(&p, 1, (int)(deadline - now)) <= 0)
				continue;   /* EINTR, or the deadline */
			n = recv(fd, rep, RAD_PKT_MAX, 0);
			if (n < 0) {
				if (errno == EINTR || errno == EAGAIN)
					continue;
				/* ECONNREFUSED: an ICMP port unreachable answered an earlier send. */
				*why = strerror(errno);
				res = RADIUS_R_ERROR;
				break;
			}
			c = rad_check_reply(req, rep, (size_t)n, s->secret, s->secret_len,
					    r->require_msg_auth);
			if (c != RAD_REPLY_OK) {
				count_drop(r, i, j->acct, c);
				(*dropped)++;
				continue;
			}
			*rep_len = (size_t)n;
			res = j->acct ? RADIUS_R_RESPONSE
			      : rep[0] == RAD_CODE_ACCESS_ACCEPT ? RADIUS_R_ACCEPT : RADIUS_R_REJECT;
			break;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	return res;
}

static void run_job(struct radius *r, struct rad_job *j)
{
	size_t order[RADIUS_SERVER_MAX * 2], n = try_order(r, order);
	const char *type = j->acct ? "accounting" : "authentication";
	uint8_t rep[RAD_PKT_MAX];

	j->rep.verdict = RADIUS_FAILED;
	j->rep.server = -1;
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k];
		struct rad_server *s = &r->srv[i];
		const char *label = j->acct ? s->acct_label : s->label, *why, *what;
		enum radius_result res;
		unsigned dropped;
		size_t rep_len = 0;
		char next[LNS_ADDR_STRLEN + 32];

		res = exchange(r, i, j, rep, &rep_len, &why, &dropped);
		count(r, i, j->acct, res);
		if (res != RADIUS_R_TIMEOUT && res != RADIUS_R_ERROR) {
			struct rad_avs reply;

			rad_avs_init(&reply);
			rad_decode_reply(rep, rep_len, &reply);
			rad_parse_reply(&reply, &j->rep.attrs);
			rad_parse_ipv6(&reply, &j->rep.ipv6);
			rad_avs_free(&reply);
			j->rep.verdict = res == RADIUS_R_REJECT ? RADIUS_REJECT : RADIUS_ACCEPT;
			j->rep.server = (int)i;
			/* RFC 2865 §4.4: without challenges of our own, a Challenge is a Reject. */
			if (!j->acct && rep[0] == RAD_CODE_ACCESS_CHALLENGE)
				note(r, "radius: challenge", "radius: authentication server %s sent an "
				     "Access-Challenge; taken as an Access-Reject", label);
			if (k > 0)
				note(r, "radius: failover answered",
				     "radius: %s server %s answered after failover", type, label);
			break;
		}
		if (res == RADIUS_R_ERROR)
			what = why;
		else
			what = dropped ? "no valid answer" : "no answer";
		if (k + 1 < n)
			snprintf(next, sizeof(next), "failing over to %s",
				 j->acct ? r->srv[order[k + 1]].acct_label
					 : r->srv[order[k + 1]].label);
		else
			snprintf(next, sizeof(next), "no server left");
		note(r, "radius: server failed", "radius: %s server %s: %s (%d tries of %d s); %s",
		     type, label, what, r->retries + 1, r->timeout_s, next);
	}
	if (j->rep.verdict == RADIUS_FAILED) {
		pthread_mutex_lock(&r->mu);
		if (j->acct)
			r->acct_failed++;
		else
			r->auth_failed++;
		pthread_mutex_unlock(&r->mu);
	}
}

static void *worker(void *arg)
{
	struct rad_worker *w = arg;
	struct radius *r = w->r;
	struct rad_job *j;
	bool stopping;

	for (;;) {
		pthread_mutex_lock(&r->mu);
		while (!r->stop && !r->q_head)
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->stop || !r->q_head) {
			pthread_mutex_unlock(&r->mu);
			return NULL;
		}
		j = r->q_head;
		r->q_head = j->next;
		if (!r->q_head)
			r->q_tail = NULL;
		r->queued--;
		r->busy++;
		stopping = r->stopping;
		pthread_mutex_unlock(&r->mu);
		if (!stopping || j->acct) {
			run_job(r, j);
			rad_avs_free(&j->req);
		}
		pthread_mutex_lock(&r->mu);
		r->busy--;
		stopping = r->stopping;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		if (stopping) {   /* nobody reads replies any more */
			rad_avs_free(&j->req);
			free(j);
			continue;
		}
		deliver(r, j);
	}
}

/* ---- the loop side ------------------------------------------------------ */

static void async_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct radius *r = (struct radius *)((char *)w - offsetof(struct radius, async));
	struct rad_job *j, *next;

	pthread_mutex_lock(&r->mu);
	j = r->d_head;
	r->d_head = r->d_tail = NULL;
	pthread_mutex_unlock(&r->mu);
	for (; j; j = next) {
		next = j->next;
		if (j->note)
			log_ratelimited(mono_ms(), j->limit, "%s", j->text);
		else if (!j->acct)
			r->fn(r->ctx, j->cookie, &j->rep);
		free(j);
	}
}

/* A request that never reached a worker counts as failed too. */
static int refuse(struct radius *r, bool acct, int err)
{
	pthread_mutex_lock(&r->mu);
	if (acct)
		r->acct_failed++;
	else
		r->auth_failed++;
	pthread_mutex_unlock(&r->mu);
	return err;
}

static int enqueue(struct radius *r, bool acct, uint64_t cookie, struct rad_avs *avs)
{
	struct rad_job *j;

	if (avs->oom || !(j = calloc(1, sizeof(*j)))) {
		rad_avs_free(avs);
		return refuse(r, acct, -ENOMEM);
	}
	j->acct = acct;
	j->cookie = cookie;
	j->req = *avs;
	rad_avs_init(avs);
	pthread_mutex_lock(&r->mu);
	if (r->queued >= RADIUS_QUEUE_MAX) {
		pthread_mutex_unlock(&r->mu);
		rad_avs_free(&j->req);
		free(j);
		return refuse(r, acct, -EBUSY);
	}
	if (r->q_tail)
		r->q_tail->next = j;
	else
		r->q_head = j;
	r->q_tail = j;
	r->queued++;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
	return 0;
}

int radius_auth(struct radius *r, uint64_t cookie, struct rad_avs *avs)
{
	return enqueue(r, false, cookie, avs);
}

int radius_acct(struct radius *r, struct rad_avs *avs)
{
	return enqueue(r, true, 0, avs);
}

const struct radius_stats *radius_stats(struct radius *r)
{
	pthread_mutex_lock(&r->mu);
	memcpy(r->snap_ctr, r->ctr, r->n_srv * sizeof(*r->ctr));
	memcpy(r->snap_drops, r->drops, r->n_srv * sizeof(*r->drops));
	r->snap.acct_failed = r->acct_failed;
	r->snap.auth_failed = r->auth_failed;
	r->snap.queued = r->queued;
	pthread_mutex_unlock(&r->mu);
	return &r->snap;
}

static void drop_jobs(struct rad_job *j)
{
	while (j) {
		struct rad_job *next = j->next;

		rad_avs_free(&j->req);
		free(j);
		j = next;
	}
}

void radius_free(struct radius *r)
{
	struct timespec dl;
	unsigned left = 0;

	if (!r)
		return;
	pthread_mutex_lock(&r->mu);
	r->stopping = true;
	pthread_cond_broadcast(&r->cv);
	/* Let the queued Stop records go out, but not for ever. */
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += RADIUS_DRAIN_MS / 1000;
	while ((r->q_head || r->busy) &&
	       pthread_cond_timedwait(&r->cv, &r->mu, &dl) != ETIMEDOUT)
		;
	left = r->busy;
	r->stop = true;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	if (left) {
		/* A worker is still waiting for a server: leave it all to exit(). */
		log_warn("radius: %u request(s) still waiting for a server at shutdown", left);
		ev_async_stop(r->loop, &r->async);
		return;
	}
	for (size_t k = 0; k < RADIUS_WORKERS; k++)
		if (r->w[k].started)
			pthread_join(r->w[k].th, NULL);
	ev_async_stop(r->loop, &r->async);
	drop_jobs(r->q_head);
	drop_jobs(r->d_head);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	for (size_t i = 0; r->srv && i < r->n_srv; i++)
		free(r->srv[i].secret);
	free(r->srv);
	free(r->ctr);
	free(r->drops);
	free(r->snap_ctr);
	free(r->snap_drops);
	free(r->labels);
	free(r);
}

struct radius *radius_new(struct ev_loop *loop, const struct lnsd_radius_conf *rc,
			  radius_reply_fn fn, void *ctx, char *err, size_t errlen)
{
	struct radius *r = calloc(1, sizeof(*r));

	if (!r) {
		snprintf(err, errlen, "radius: out of memory");
		return NULL;
	}
	r->loop = loop;
	r->fn = fn;
	r->ctx = ctx;
	r->timeout_s = (int)rc->timeout_s;
	r->retries = (int)rc->retries;
	r->require_msg_auth = rc->require_msg_auth;
	r->nas_ip = rc->nas_ip;
	r->n_srv = rc->n_servers;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	ev_async_init(&r->async, async_cb);
	ev_async_start(loop, &r->async);
	r->srv = calloc(r->n_srv, sizeof(*r->srv));
	r->ctr = calloc(r->n_srv, sizeof(*r->ctr));
	r->drops = calloc(r->n_srv, sizeof(*r->drops));
	r->snap_ctr = calloc(r->n_srv, sizeof(*r->snap_ctr));
	r->snap_drops = calloc(r->n_srv, sizeof(*r->snap_drops));
	r->labels = calloc(r->n_srv, sizeof(*r->labels));
	if (!r->srv || !r->ctr || !r->drops || !r->snap_ctr || !r->snap_drops || !r->labels) {
		snprintf(err, errlen, "radius: out of memory");
		goto fail;
	}
	if (r->n_srv > RADIUS_SERVER_MAX) {
		snprintf(err, errlen, "radius: at most %d servers", RADIUS_SERVER_MAX);
		goto fail;
	}
	for (size_t i = 0; i < r->n_srv; i++) {
		const struct conf_radius_server *cs = &rc->servers[i];
		struct rad_server *s = &r->srv[i];
		struct lns_addr acct = cs->addr;

		acct.port = cs->acct_port;
		s->sa_len = addr_to_sa(&cs->addr, &s->auth_sa);
		addr_to_sa(&acct, &s->acct_sa);
		s->secret_len = strlen(cs->secret);
		s->secret = strdup(cs->secret);
		if (!s->secret) {
			snprintf(err, errlen, "radius: out of memory");
			goto fail;
		}
		lns_addr_str(&cs->addr, s->label, sizeof(s->label));
		lns_addr_str(&acct, s->acct_label, sizeof(s->acct_label));
		/* A random first Identifier: a restart does not replay the same ones. */
		arc4random_buf(&s->next_id, 1);
		r->labels[i] = s->label;
	}
	r->snap.n_servers = r->n_srv;
	r->snap.servers = r->labels;
	r->snap.by_server = r->snap_ctr;
	r->snap.dropped = r->snap_drops;
	for (size_t k = 0; k < RADIUS_WORKERS; k++) {
		int e;

		r->w[k].r = r;
		e = pthread_create(&r->w[k].th, NULL, worker, &r->w[k]);
		if (e) {
			snprintf(err, errlen, "radius: worker thread: %s", strerror(e));
			goto fail;
		}
		r->w[k].started = true;
	}
	return r;
fail:
	radius_free(r);
	return NULL;
}
