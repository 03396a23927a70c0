// SPDX-License-Identifier: GPL-2.0-or-later
/* RADIUS client: radcli in worker threads, replies delivered on the event loop. */
#include "radius.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <radcli/radcli.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

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

/*
 * Only the attributes lnsd sends or reads, with the types radcli needs.
 * Tunnel-Type and Tunnel-Medium-Type are plain integers: tag 0 is the top
 * byte (RFC 2868 §3.1), which is what one tunnel needs.
 */
static const char dictionary[] =
	"ATTRIBUTE User-Name 1 string\n"
	"ATTRIBUTE User-Password 2 string\n"
	"ATTRIBUTE CHAP-Password 3 string\n"
	"ATTRIBUTE NAS-IP-Address 4 ipaddr\n"
	"ATTRIBUTE NAS-Port 5 integer\n"
	"ATTRIBUTE Service-Type 6 integer\n"
	"ATTRIBUTE Framed-Protocol 7 integer\n"
	"ATTRIBUTE Framed-IP-Address 8 ipaddr\n"
	"ATTRIBUTE Reply-Message 18 string\n"
	"ATTRIBUTE Framed-Route 22 string\n"
	"ATTRIBUTE Class 25 string\n"
	"ATTRIBUTE Session-Timeout 27 integer\n"
	"ATTRIBUTE Idle-Timeout 28 integer\n"
	"ATTRIBUTE Called-Station-Id 30 string\n"
	"ATTRIBUTE Calling-Station-Id 31 string\n"
	"ATTRIBUTE NAS-Identifier 32 string\n"
	"ATTRIBUTE Acct-Status-Type 40 integer\n"
	"ATTRIBUTE Acct-Delay-Time 41 integer\n"
	"ATTRIBUTE Acct-Input-Octets 42 integer\n"
	"ATTRIBUTE Acct-Output-Octets 43 integer\n"
	"ATTRIBUTE Acct-Session-Id 44 string\n"
	"ATTRIBUTE Acct-Authentic 45 integer\n"
	"ATTRIBUTE Acct-Session-Time 46 integer\n"
	"ATTRIBUTE Acct-Input-Packets 47 integer\n"
	"ATTRIBUTE Acct-Output-Packets 48 integer\n"
	"ATTRIBUTE Acct-Terminate-Cause 49 integer\n"
	"ATTRIBUTE Acct-Input-Gigawords 52 integer\n"
	"ATTRIBUTE Acct-Output-Gigawords 53 integer\n"
	"ATTRIBUTE CHAP-Challenge 60 string\n"
	"ATTRIBUTE NAS-Port-Type 61 integer\n"
	"ATTRIBUTE Tunnel-Type 64 integer\n"
	"ATTRIBUTE Tunnel-Medium-Type 65 integer\n"
	"ATTRIBUTE Tunnel-Client-Endpoint 66 string\n"
	"ATTRIBUTE Tunnel-Server-Endpoint 67 string\n"
	"ATTRIBUTE Acct-Tunnel-Connection 68 string\n"
	"ATTRIBUTE Acct-Interim-Interval 85 integer\n"
	"ATTRIBUTE Framed-Pool 88 string\n"
	"ATTRIBUTE NAS-IPv6-Address 95 ipv6addr\n"
	"VENDOR Microsoft 311\n"
	"ATTRIBUTE MS-CHAP-Error 2 string Microsoft\n"
	"ATTRIBUTE MS-CHAP-Challenge 11 string Microsoft\n"
	"ATTRIBUTE MS-CHAP2-Response 25 string Microsoft\n"
	"ATTRIBUTE MS-CHAP2-Success 26 string Microsoft\n"
	"ATTRIBUTE MS-Primary-DNS-Server 28 ipaddr Microsoft\n"
	"ATTRIBUTE MS-Secondary-DNS-Server 29 ipaddr Microsoft\n";

struct rad_server {
	char host[64];                 /* radcli's name: "192.0.2.1" or "2001:db8::1" */
	uint16_t auth_port, acct_port;
	char secret[MAX_SECRET_LENGTH + 1];
	char label[LNS_ADDR_STRLEN];   /* "192.0.2.1:1812": logs and metrics */
	char acct_label[LNS_ADDR_STRLEN];   /* "192.0.2.1:1813": accounting logs */
	uint64_t dead_until_ms;        /* under mu */
};

struct rad_job {
	struct rad_job *next;
	bool acct;
	bool note;                     /* only a log line for the loop */
	bool warn;                     /* the note is a warning (else a notice) */
	uint64_t cookie;
	struct rad_avs req;
	struct radius_reply rep;
	char text[200];                /* note */
};

struct rad_worker {
	struct radius *r;
	pthread_t th;
	bool started;
	rc_handle **rh;                /* one per server */
};

struct radius {
	struct ev_loop *loop;
	ev_async async;
	radius_reply_fn fn;
	void *ctx;
	struct rad_server *srv;
	size_t n_srv;
	int timeout_s, retries;
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
	uint64_t acct_failed, auth_failed, queued;
	/* snapshot for radius_stats */
	struct radius_stats snap;
	uint64_t (*snap_ctr)[RADIUS_T_COUNT][RADIUS_R_COUNT];
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

/* ---- radcli handles --------------------------------------------------- */

/* One handle that knows one server (authserver and acctserver), with our dictionary. */
static rc_handle *handle_new(const struct radius *r, const struct rad_server *s,
			     const struct lnsd_radius_conf *rc)
{
	rc_handle *rh = rc_new();
	char v[128], num[16];

	if (!rh)
		return NULL;
	if (!rc_config_init(rh))
		return NULL;   /* rc_config_init destroys rh on failure */
	/* The secret is patched in below: radcli's list syntax would split it at commas. */
	snprintf(v, sizeof(v), "%s%s%s:%u:x", strchr(s->host, ':') ? "[" : "", s->host,
		 strchr(s->host, ':') ? "]" : "", s->auth_port);
	if (rc_add_config(rh, "authserver", v, "lnsd", 0) != 0)
		goto fail;
	snprintf(v, sizeof(v), "%s%s%s:%u:x", strchr(s->host, ':') ? "[" : "", s->host,
		 strchr(s->host, ':') ? "]" : "", s->acct_port);
	if (rc_add_config(rh, "acctserver", v, "lnsd", 0) != 0)
		goto fail;
	snprintf(num, sizeof(num), "%d", r->timeout_s);
	if (rc_add_config(rh, "radius_timeout", num, "lnsd", 0) != 0)
		goto fail;
	snprintf(num, sizeof(num), "%d", r->retries);
	if (rc_add_config(rh, "radius_retries", num, "lnsd", 0) != 0)
		goto fail;
	if (rc->nas_ip.family) {
		inet_ntop(rc->nas_ip.family == 6 ? AF_INET6 : AF_INET, rc->nas_ip.addr, v,
			  sizeof(v));
		if (rc_add_config(rh, "nas-ip", v, "lnsd", 0) != 0)
			goto fail;
	}
	if (rc_apply_config(rh) != 0)
		goto fail;
	if (rc_read_dictionary_from_buffer(rh, dictionary, sizeof(dictionary) - 1) != 0)
		goto fail;
	for (const char *opt = "authserver"; opt; opt = strcmp(opt, "authserver") ? NULL
									      : "acctserver") {
		SERVER *sv = rc_conf_srv(rh, opt);
		char *sec = strdup(s->secret);

		if (!sv || sv->max != 1 || !sec) {
			free(sec);
			goto fail;
		}
		free(sv->secret[0]);
		sv->secret[0] = sec;
	}
	return rh;
fail:
	rc_destroy(rh);
	return NULL;
}

/* Our attribute list as radcli value pairs; NULL on failure. */
static VALUE_PAIR *to_pairs(rc_handle *rh, const struct rad_avs *l)
{
	VALUE_PAIR *vp = NULL;
	struct rad_av av;
	size_t pos = 0;

	while (rad_avs_next(l, &pos, &av)) {
		const void *val = av.val;
		int len = av.len;

		if (av.kind == RAD_K_INT || av.kind == RAD_K_IPV4) {
			val = &av.num;   /* radcli wants both in host order */
			len = 0;
		}
		if (!rc_avpair_add(rh, &vp, av.type, val, len, (int)av.vendor)) {
			rc_avpair_free(vp);
			return NULL;
		}
	}
	return vp;
}

/* radcli's received pairs into our list (unknown attributes never get here). */
static void from_pairs(VALUE_PAIR *vp, struct rad_avs *out)
{
	for (; vp; vp = vp->next) {
		unsigned type, id, size;
		uint32_t num;
		char *raw;

		rc_avpair_get_attr(vp, &type, &id);
		if (rc_avpair_get_uint32(vp, &num) == 0) {
			if (type == PW_TYPE_IPADDR)
				rad_add_ipv4(out, VENDOR(id), (uint8_t)ATTRID(id), num);
			else
				rad_add_int(out, VENDOR(id), (uint8_t)ATTRID(id), num);
		} else if (rc_avpair_get_raw(vp, &raw, &size) == 0) {
			rad_add_bytes(out, VENDOR(id), (uint8_t)ATTRID(id),
				      type == PW_TYPE_IPV6ADDR ? RAD_K_IPV6 : RAD_K_STR, raw, size);
		}
	}
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

static void note(struct radius *r, bool warn, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void note(struct radius *r, bool warn, const char *fmt, ...)
{
	struct rad_job *j = calloc(1, sizeof(*j));
	va_list ap;

	if (!j)
		return;
	j->note = true;
	j->warn = warn;
	va_start(ap, fmt);
	vsnprintf(j->text, sizeof(j->text), fmt, ap);
	va_end(ap);
	deliver(r, j);
}

/* Servers in the order to try: those not marked dead first, each group in file order. */
static size_t try_order(struct radius *r, size_t *order)
{
	uint64_t now = mono_ms();
	size_t n = 0;

	pthread_mutex_lock(&r->mu);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < r->n_srv; i++)
			if ((r->srv[i].dead_until_ms > now) == (pass == 1))
				order[n++] = i;
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

static void run_job(struct radius *r, struct rad_worker *w, struct rad_job *j)
{
	size_t order[SERVER_MAX * 2], n = try_order(r, order);
	const char *type = j->acct ? "accounting" : "authentication";
	VALUE_PAIR *send = to_pairs(w->rh[0], &j->req);
	char msg[PW_MAX_MSG_SIZE];

	j->rep.verdict = RADIUS_FAILED;
	j->rep.server = -1;
	if (!send) {
		note(r, true, "radius: cannot build the %s request (attribute list or memory)", type);
		return;
	}
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k];
		struct rad_server *s = &r->srv[i];
		const char *label = j->acct ? s->acct_label : s->label;
		rc_handle *rh = w->rh[i];
		SEND_DATA data;
		enum radius_result res;
		int rc;

		rc_buildreq(rh, &data, j->acct ? PW_ACCOUNTING_REQUEST : PW_ACCESS_REQUEST,
			    rc_conf_srv(rh, j->acct ? "acctserver" : "authserver")->name[0],
			    j->acct ? s->acct_port : s->auth_port, NULL, r->timeout_s, r->retries);
		data.send_pairs = send;
		data.receive_pairs = NULL;
		msg[0] = '\0';
		rc = rc_send_server(rh, &data, msg, j->acct ? ACCT : AUTH);
		send = data.send_pairs;   /* radcli may have added NAS-IP-Address */
		if (rc == OK_RC || rc == REJECT_RC) {
			struct rad_avs reply;

			rad_avs_init(&reply);
			from_pairs(data.receive_pairs, &reply);
			rc_avpair_free(data.receive_pairs);
			rad_parse_reply(&reply, &j->rep.attrs);
			rad_avs_free(&reply);
			j->rep.verdict = rc == OK_RC ? RADIUS_ACCEPT : RADIUS_REJECT;
			j->rep.server = (int)i;
			res = j->acct ? RADIUS_R_RESPONSE : rc == OK_RC ? RADIUS_R_ACCEPT
									  : RADIUS_R_REJECT;
			count(r, i, j->acct, res);
			if (k > 0)
				note(r, false, "radius: %s server %s answered after failover",
				     type, label);
			break;
		}
		rc_avpair_free(data.receive_pairs);
		res = rc == TIMEOUT_RC ? RADIUS_R_TIMEOUT : RADIUS_R_ERROR;
		count(r, i, j->acct, res);
		if (k + 1 < n)
			note(r, true, "radius: %s server %s: %s (%d tries of %d s); failing over "
			     "to %s", type, label, rc == TIMEOUT_RC ? "no answer" : "request failed",
			     r->retries + 1, r->timeout_s,
			     j->acct ? r->srv[order[k + 1]].acct_label : r->srv[order[k + 1]].label);
		else
			note(r, true, "radius: %s server %s: %s (%d tries of %d s); no server left",
			     type, label, rc == TIMEOUT_RC ? "no answer" : "request failed",
			     r->retries + 1, r->timeout_s);
	}
	rc_avpair_free(send);
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
			run_job(r, w, j);
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
			log_msg(j->warn ? LOG_LVL_WARNING : LOG_LVL_NOTICE, "%s", j->text);
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
	r->snap.acct_failed = r->acct_failed;
	r->snap.auth_failed = r->auth_failed;
	r->snap.queued = r->queued;
	pthread_mutex_unlock(&r->mu);
	return &r->snap;
}

static void free_handles(struct radius *r)
{
	for (size_t k = 0; k < RADIUS_WORKERS; k++) {
		for (size_t i = 0; r->w[k].rh && i < r->n_srv; i++)
			if (r->w[k].rh[i])
				rc_destroy(r->w[k].rh[i]);
		free(r->w[k].rh);
	}
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
	free_handles(r);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	free(r->srv);
	free(r->ctr);
	free(r->snap_ctr);
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
	r->n_srv = rc->n_servers;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	ev_async_init(&r->async, async_cb);
	ev_async_start(loop, &r->async);
	r->srv = calloc(r->n_srv, sizeof(*r->srv));
	r->ctr = calloc(r->n_srv, sizeof(*r->ctr));
	r->snap_ctr = calloc(r->n_srv, sizeof(*r->snap_ctr));
	r->labels = calloc(r->n_srv, sizeof(*r->labels));
	if (!r->srv || !r->ctr || !r->snap_ctr || !r->labels) {
		snprintf(err, errlen, "radius: out of memory");
		goto fail;
	}
	if (r->n_srv > SERVER_MAX) {
		snprintf(err, errlen, "radius: at most %d servers", SERVER_MAX);
		goto fail;
	}
	for (size_t i = 0; i < r->n_srv; i++) {
		const struct conf_radius_server *cs = &rc->servers[i];
		struct rad_server *s = &r->srv[i];

		inet_ntop(cs->addr.family == 6 ? AF_INET6 : AF_INET, cs->addr.addr, s->host,
			  sizeof(s->host));
		s->auth_port = cs->addr.port;
		s->acct_port = cs->acct_port;
		snprintf(s->secret, sizeof(s->secret), "%s", cs->secret);
		lns_addr_str(&cs->addr, s->label, sizeof(s->label));
		{
			struct lns_addr aa = cs->addr;

			aa.port = cs->acct_port;
			lns_addr_str(&aa, s->acct_label, sizeof(s->acct_label));
		}
		r->labels[i] = s->label;
	}
	r->snap.n_servers = r->n_srv;
	r->snap.servers = r->labels;
	r->snap.by_server = r->snap_ctr;
	for (size_t k = 0; k < RADIUS_WORKERS; k++) {
		struct rad_worker *w = &r->w[k];

		w->r = r;
		w->rh = calloc(r->n_srv, sizeof(*w->rh));
		if (!w->rh) {
			snprintf(err, errlen, "radius: out of memory");
			goto fail;
		}
		for (size_t i = 0; i < r->n_srv; i++) {
			w->rh[i] = handle_new(r, &r->srv[i], rc);
			if (!w->rh[i]) {
				snprintf(err, errlen, "radius: radcli refused the settings for %s",
					 r->srv[i].label);
				goto fail;
			}
		}
	}
	for (size_t k = 0; k < RADIUS_WORKERS; k++) {
		int e = pthread_create(&r->w[k].th, NULL, worker, &r->w[k]);

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
