// SPDX-License-Identifier: GPL-2.0-or-later
/* The IPsec manager: charon over VICI on the libev loop (see ipsec.h). */
#include "ipsec.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lns_grow.h"
#include "log.h"

#define BACKOFF_MIN_S 1.0
#define BACKOFF_MAX_S 30.0

/* REQ_LIST_SUCC: list-sas of one IKE_SA, looking for the successor of gone. */
enum req_kind { REQ_LOAD_SHARED, REQ_LOAD_CONN, REQ_TERMINATE, REQ_REGISTER, REQ_LIST_SAS,
		REQ_LIST_SUCC, REQ_LOAD_PW };

struct req {
	enum req_kind kind;
	uint8_t *pkt;
	size_t len;
	char what[48];               /* for logs: "load-conn", "register child-updown" */
	struct ipsec_child gone;     /* REQ_LIST_SUCC: the CHILD_SA that went down */
};

struct vconn {
	struct ipsec_mgr *m;
	const char *name;            /* "command" / "event" */
	int fd;
	ev_io io;
	uint8_t *rbuf;
	size_t rlen, rcap;
	uint8_t *wbuf;               /* the request being written */
	size_t wlen, woff;
	bool waiting;                /* q[0] sent, its answer not read yet */
	struct req *q;               /* FIFO of requests, q[0] the current one */
	size_t qn, qcap;
};

struct ipsec_mgr {
	struct ev_loop *loop;
	const struct ipsec_hooks *hooks;
	void *hooks_ctx;
	char *socket;
	char *psk;
	struct ipsec_conn_params params;
	char *ike_props, *esp_props;
	struct vconn cmd, evt;
	ev_timer retry;
	double backoff;
	bool up, loaded;
	unsigned failed_attempts;    /* since the last success */
	char last_error[LOG_STR_SIZE + 128];   /* charon's errmsg quoted whole (LOG_STR) */
	struct ipsec_sa_table sas;
	struct vici_builder b;
	uint64_t connects, failures, teardowns, terminates, bad_events, rekey_successors;
	bool ra;                     /* load the remote-access responder ([ipsec] mode = required) */
	struct ipsec_pw_params *pws; /* the protected pseudowires' connections (§5.6) */
	size_t n_pws;
};

static void queue_load_pws(struct ipsec_mgr *m);
static void pw_event(struct ipsec_mgr *m, const struct vici_msg *msg);
static void pw_loaded(struct ipsec_mgr *m, const struct req *r);
static int set_pws(struct ipsec_mgr *m, const struct lnsd_conf *conf);
static void unload_pws(struct ipsec_mgr *m);

static void conn_cb(struct ev_loop *loop, ev_io *w, int revents);
static void schedule_retry(struct ipsec_mgr *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- request queue ------------------------------------------------------- */

static void req_free(struct req *r)
{
	free(r->pkt);
}

static void vc_arm(struct vconn *c)
{
	int ev = EV_READ | (c->wbuf ? EV_WRITE : 0);

	if (c->fd < 0)
		return;
	if (ev_is_active(&c->io) && c->io.events == ev)
		return;
	ev_io_stop(c->m->loop, &c->io);
	ev_io_set(&c->io, c->fd, ev);
	ev_io_start(c->m->loop, &c->io);
}

/* Send q[0] if nothing is outstanding. */
static void vc_kick(struct vconn *c)
{
	if (c->fd < 0 || c->waiting || !c->qn)
		return;
	c->wbuf = c->q[0].pkt;
	c->wlen = c->q[0].len;
	c->woff = 0;
	c->waiting = true;
	vc_arm(c);
}

static int vc_queue(struct vconn *c, enum req_kind kind, const char *what, int rc,
		    const uint8_t *pkt, size_t len)
{
	struct req *r;

	if (rc < 0) {
		log_err("ipsec: cannot build the %s request: %s", what, strerror(-rc));
		return rc;
	}
	if (lns_grow((void **)&c->q, &c->qcap, c->qn + 1, sizeof(*c->q), 8))
		goto nomem;
	r = &c->q[c->qn];
	r->pkt = malloc(len);
	if (!r->pkt)
		goto nomem;
	memcpy(r->pkt, pkt, len);
	r->len = len;
	r->kind = kind;
	snprintf(r->what, sizeof(r->what), "%s", what);
	c->qn++;
	vc_kick(c);
	return 0;
nomem:
	log_err("ipsec: out of memory queueing %s", what);
	return -ENOMEM;
}

static void vc_pop(struct vconn *c)
{
	if (!c->qn)
		return;
	req_free(&c->q[0]);
	memmove(&c->q[0], &c->q[1], (c->qn - 1) * sizeof(c->q[0]));
	c->qn--;
	c->waiting = false;
	c->wbuf = NULL;
	vc_kick(c);
}

static void vc_close(struct vconn *c)
{
	if (c->fd >= 0) {
		ev_io_stop(c->m->loop, &c->io);
		close(c->fd);
	}
	c->fd = -1;
	for (size_t i = 0; i < c->qn; i++)
		req_free(&c->q[i]);
	c->qn = 0;
	c->waiting = false;
	c->wbuf = NULL;
	c->rlen = 0;
}

static int vc_open(struct vconn *c, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, err;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* AF_UNIX connects at once or fails (EAGAIN: charon's backlog is full). */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	c->fd = fd;
	ev_io_init(&c->io, conn_cb, fd, EV_READ);
	c->io.data = c;
	ev_io_start(c->m->loop, &c->io);
	return 0;
}

/* ---- connection lifecycle ------------------------------------------------ */

static void queue_load(struct ipsec_mgr *m)
{
	const uint8_t *pkt;
	size_t len;
	int rc;

	m->loaded = false;
	rc = ipsec_vici_load_shared(&m->b, m->psk, &pkt, &len);
	vc_queue(&m->cmd, REQ_LOAD_SHARED, "load-shared", rc, pkt, len);
	if (m->ra) {
		rc = ipsec_vici_load_conn(&m->b, &m->params, &pkt, &len);
		vc_queue(&m->cmd, REQ_LOAD_CONN, "load-conn", rc, pkt, len);
	}
	queue_load_pws(m);
}

static void queue_subscriptions(struct ipsec_mgr *m)
{
	static const char *const events[] = { "list-sa", "ike-updown", "child-updown",
					      "child-rekey", "ike-update" };
	const uint8_t *pkt;
	size_t len;
	char what[48];
	int rc;

	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		snprintf(what, sizeof(what), "register %s", events[i]);
		rc = ipsec_vici_register(&m->b, events[i], &pkt, &len);
		vc_queue(&m->evt, REQ_REGISTER, what, rc, pkt, len);
	}
	rc = ipsec_vici_list_sas(&m->b, 0, &pkt, &len);
	vc_queue(&m->evt, REQ_LIST_SAS, "list-sas", rc, pkt, len);
}

static void disconnect(struct ipsec_mgr *m)
{
	vc_close(&m->cmd);
	vc_close(&m->evt);
	m->up = false;
	m->loaded = false;
	/* charon's SAs are re-read with list-sas on the next connection. */
	ipsec_sa_clear(&m->sas);
}

static void try_connect(struct ipsec_mgr *m)
{
	int rc = vc_open(&m->cmd, m->socket);

	if (rc == 0)
		rc = vc_open(&m->evt, m->socket);
	if (rc < 0) {
		disconnect(m);
		schedule_retry(m, "cannot connect to charon's VICI socket %s: %s", m->socket,
			       strerror(-rc));
		return;
	}
	m->up = true;
	m->connects++;
	if (m->failed_attempts)
		log_notice("ipsec: connected to charon at %s again after %u failed attempt%s",
			   m->socket, m->failed_attempts, m->failed_attempts == 1 ? "" : "s");
	else
		log_info("ipsec: connected to charon at %s", m->socket);
	queue_load(m);
	queue_subscriptions(m);
}

static void retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	try_connect(w->data);
}

static void teardown_for(struct ipsec_mgr *m, const struct ipsec_child *gone, const char *why);

static void schedule_retry(struct ipsec_mgr *m, const char *fmt, ...)
{
	struct ipsec_child *pending = NULL;
	size_t npending = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->last_error, sizeof(m->last_error), fmt, ap);
	va_end(ap);
	/* Children gone while their successor was being looked for: no answer
	 * will come, so their tunnels go (fail closed). */
	if (m->evt.qn)
		pending = calloc(m->evt.qn, sizeof(*pending));
	for (size_t i = 0; pending && i < m->evt.qn; i++)
		if (m->evt.q[i].kind == REQ_LIST_SUCC)
			pending[npending++] = m->evt.q[i].gone;
	disconnect(m);
	for (size_t i = 0; i < npending; i++)
		teardown_for(m, &pending[i], "CHILD_SA went down");
	free(pending);
	m->failures++;
	m->failed_attempts++;
	/* The first failure is an error; repeats of it only every 8th attempt. */
	if (m->failed_attempts == 1 || m->failed_attempts % 8 == 0)
		log_err("ipsec: %s; retrying in %g s (attempt %u)", m->last_error, m->backoff,
			m->failed_attempts);
	else
		log_debug("ipsec: %s; retrying in %g s", m->last_error, m->backoff);
	ev_timer_stop(m->loop, &m->retry);
	ev_timer_set(&m->retry, m->backoff, 0);
	ev_timer_start(m->loop, &m->retry);
	m->backoff = m->backoff * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : m->backoff * 2;
}

/* ---- events -------------------------------------------------------------- */

/* The tunnels this child's peer had: the owner tears down those no other CHILD_SA carries. */
static void teardown_for(struct ipsec_mgr *m, const struct ipsec_child *gone, const char *why)
{
	m->teardowns += m->hooks->sa_gone(m->hooks_ctx, gone, why);
}

/*
 * A CHILD_SA went down on its own. charon announces neither the new child of
 * an IKEv1 rekey nor the deletion of the old one (docs/design.md §5.5), so
 * another child with its mark may carry its tunnels: list the IKE_SA's
 * children before tearing anything down; the answer (successor_found())
 * decides. Without a request queued, tear down now.
 */
static void find_successor(struct ipsec_mgr *m, const struct ipsec_child *gone)
{
	const uint8_t *pkt;
	size_t len;
	char what[48];
	int rc;

	snprintf(what, sizeof(what), "list-sas of IKE_SA %llu", (unsigned long long)gone->ike_id);
	rc = ipsec_vici_list_sas(&m->b, gone->ike_id, &pkt, &len);
	if (vc_queue(&m->evt, REQ_LIST_SUCC, what, rc, pkt, len) < 0) {
		teardown_for(m, gone, "CHILD_SA went down");
		return;
	}
	m->evt.q[m->evt.qn - 1].gone = *gone;
}

/* The list of gone's IKE_SA is in: its tunnels follow a successor, or go. */
static void successor_found(struct ipsec_mgr *m, const struct ipsec_child *gone)
{
	const struct ipsec_child *s = ipsec_sa_successor(&m->sas, gone);

	if (!s) {
		teardown_for(m, gone, "CHILD_SA went down");
		return;
	}
	m->rekey_successors++;
	log_info("ipsec: CHILD_SA %llu (IKE_SA %llu, mark %#x) was replaced by CHILD_SA %llu "
		 "(reqid %u, mark %#x): its tunnels follow it", (unsigned long long)gone->child_id,
		 (unsigned long long)gone->ike_id, gone->mark_in,
		 (unsigned long long)s->child_id, s->reqid, s->mark_in);
}

struct ev_ctx {
	struct ipsec_mgr *m;
	const char *event;
	bool up;
};

static void on_child(void *ctx, const char *key, const struct ipsec_child *c)
{
	struct ev_ctx *x = ctx;
	struct ipsec_mgr *m = x->m;
	const struct ipsec_child *pred;
	struct ipsec_child old;
	char as[LNS_ADDR_STRLEN];

	if (strcmp(x->event, "list-sa") == 0) {
		if (c->child_id && c->installed && ipsec_sa_put(&m->sas, c) < 0)
			log_err("ipsec: out of memory recording CHILD_SA %llu",
				(unsigned long long)c->child_id);
		return;
	}
	if (strcmp(x->event, "ike-update") == 0) {
		/* NAT mapping change: the peer's public address:port moved. */
		for (size_t i = 0; i < m->sas.n; i++)
			if (m->sas.v[i].ike_id == c->ike_id)
				m->sas.v[i].remote = c->remote;
		return;
	}
	if (strcmp(x->event, "ike-updown") == 0) {
		if (x->up || c->child_id)
			return;
		/* The IKE_SA is gone: so are all its children. */
		for (size_t i = 0; i < m->sas.n;) {
			if (m->sas.v[i].ike_id == c->ike_id &&
			    ipsec_sa_del_child(&m->sas, m->sas.v[i].child_id, &old)) {
				teardown_for(m, &old, "IKE_SA went down");
				continue;
			}
			i++;
		}
		return;
	}
	if (!c->child_id)
		return;
	if (strcmp(x->event, "child-rekey") == 0 && strcmp(key, "old") == 0) {
		ipsec_sa_del_child(&m->sas, c->child_id, NULL);
		return;
	}
	if (x->up || strcmp(x->event, "child-rekey") == 0) {
		if (ipsec_sa_put(&m->sas, c) < 0)
			log_err("ipsec: out of memory recording CHILD_SA %llu",
				(unsigned long long)c->child_id);
		else
			log_info("ipsec: CHILD_SA %llu (IKE_SA %llu) with %s up: %s%s",
				 (unsigned long long)c->child_id, (unsigned long long)c->ike_id,
				 lns_addr_str(&c->remote, as, sizeof(as)), LOG_STR(c->cipher),
				 c->natt ? ", NAT-T" : "");
		return;
	}
	if (ipsec_sa_del_child(&m->sas, c->child_id, &old)) {
		find_successor(m, &old);
		return;
	}
	/*
	 * A child lnsd never heard of: the successor of an IKEv1 rekey, which
	 * charon announced with no event, going down (the old child went with
	 * no event either). lnsd still has the predecessor, of that IKE_SA
	 * and mark: it goes now unless yet another child took over.
	 */
	pred = ipsec_sa_successor(&m->sas, c);
	if (pred && ipsec_sa_del_child(&m->sas, pred->child_id, &old))
		find_successor(m, &old);
}

static void handle_event(struct ipsec_mgr *m, const struct vici_msg *msg)
{
	const struct vici_node *root = vici_msg_root(msg);
	struct ev_ctx x = { .m = m, .event = vici_msg_name(msg) };

	x.up = vici_is(root, "up", "yes");
	pw_event(m, msg);
	if (ipsec_vici_each(root, on_child, &x) < 0) {
		m->bad_events++;
		log_warn("ipsec: charon's %s event has no usable IKE_SA id or address; ignored",
			 LOG_STR(x.event));
	}
}

static void handle_answer(struct vconn *c, const struct vici_msg *msg)
{
	struct ipsec_mgr *m = c->m;
	enum vici_pkt_type type = vici_msg_type(msg);
	struct req *r;
	char err[200];

	if (!c->waiting || !c->qn) {
		log_warn("ipsec: unexpected answer on the %s connection; ignored", c->name);
		return;
	}
	r = &c->q[0];
	if (type == VICI_CMD_UNKNOWN || type == VICI_EVENT_UNKNOWN) {
		schedule_retry(m, "charon does not know %s (is its vici plugin too old?)", r->what);
		return;
	}
	if (r->kind == REQ_REGISTER) {
		vc_pop(c);
		return;
	}
	if (r->kind == REQ_LIST_SUCC) {
		struct ipsec_child gone = r->gone;

		vc_pop(c);
		successor_found(m, &gone);
		return;
	}
	if (r->kind == REQ_LIST_SAS) {
		/* An empty answer after the list-sa events: nothing to check. */
		log_info("ipsec: %zu existing CHILD_SA%s of %s", m->sas.n, m->sas.n == 1 ? "" : "s",
			 IPSEC_CONN_NAME);
		vc_pop(c);
		return;
	}
	if (ipsec_vici_result(vici_msg_root(msg), err, sizeof(err)) < 0) {
		if (r->kind == REQ_TERMINATE) {
			/* The SA may already be gone: not a reason to reconnect. */
			log_info("ipsec: %s: %s", r->what, LOG_STR(err));
			vc_pop(c);
			return;
		}
		/* last_error is lnsd's text: charon's part in the escaped form, as in the log */
		schedule_retry(m, "charon refused %s: %s", r->what, LOG_STR(err));
		return;
	}
	if (r->kind == REQ_LOAD_PW)
		pw_loaded(m, r);
	if (r->kind == REQ_LOAD_CONN) {
		m->loaded = true;
		m->last_error[0] = '\0';
		m->failed_attempts = 0;
		m->backoff = BACKOFF_MIN_S;
		log_info("ipsec: charon loaded connection %s (IKEv%s, a mark and reqid per "
			 "CHILD_SA) and its PSK", IPSEC_CONN_NAME, m->params.ike_version ?
			 (m->params.ike_version == 1 ? "1" : "2") : "1/2");
	}
	vc_pop(c);
}

/* ---- I/O ----------------------------------------------------------------- */

static int vc_read(struct vconn *c)
{
	struct ipsec_mgr *m = c->m;
	size_t plen;
	ssize_t n;
	int rc;

	if (c->rcap - c->rlen < 4096) {
		size_t cap = c->rcap ? c->rcap * 2 : 8192;
		uint8_t *nb;

		if (cap > VICI_MAX_PACKET + VICI_HDR_LEN + 8192)
			cap = VICI_MAX_PACKET + VICI_HDR_LEN + 8192;
		if (cap > c->rcap) {
			nb = realloc(c->rbuf, cap);
			if (!nb)
				return -ENOMEM;
			c->rbuf = nb;
			c->rcap = cap;
		}
	}
	n = read(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n == 0)
		return -ECONNRESET;
	c->rlen += (size_t)n;
	while ((rc = vici_frame_split(c->rbuf, c->rlen, &plen)) == 1) {
		struct vici_msg *msg = NULL;

		rc = vici_msg_decode(c->rbuf, plen, &msg);
		if (rc < 0)
			return rc;
		if (vici_msg_type(msg) == VICI_EVENT)
			handle_event(m, msg);
		else
			handle_answer(c, msg);
		vici_msg_free(msg);
		if (c->fd < 0)      /* handle_answer gave up on charon */
			return 1;
		memmove(c->rbuf, c->rbuf + plen, c->rlen - plen);
		c->rlen -= plen;
	}
	return rc < 0 ? rc : 0;
}

static void conn_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct vconn *c = w->data;
	struct ipsec_mgr *m = c->m;
	int rc;

	(void)loop;
	if ((revents & EV_WRITE) && c->wbuf) {
		ssize_t n = send(c->fd, c->wbuf + c->woff, c->wlen - c->woff, MSG_NOSIGNAL);

		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			schedule_retry(m, "writing to charon (%s connection): %s", c->name,
				       strerror(errno));
			return;
		}
		if (n > 0) {
			c->woff += (size_t)n;
			if (c->woff == c->wlen) {
				c->wbuf = NULL;   /* sent; q[0] stays until its answer */
				vc_arm(c);
			}
		}
	}
	if (revents & EV_READ) {
		rc = vc_read(c);
		if (rc < 0)
			schedule_retry(m, "charon's %s connection: %s", c->name,
				       rc == -ECONNRESET ? "closed by charon" : strerror(-rc));
	}
}

/* ---- public -------------------------------------------------------------- */

static int set_conf(struct ipsec_mgr *m, const struct lnsd_conf *conf)
{
	const struct conf_ipsec *ip = &conf->ipsec;
	char *sock = strdup(ip->vici_socket), *psk = strdup(ip->psk);
	char *ike = strdup(ip->proposals), *esp = strdup(ip->esp_proposals);

	if (!sock || !psk || !ike || !esp) {
		free(sock);
		free(psk);
		free(ike);
		free(esp);
		return -ENOMEM;
	}
	free(m->socket);
	free(m->psk);
	free(m->ike_props);
	free(m->esp_props);
	m->socket = sock;
	m->psk = psk;
	m->ike_props = ike;
	m->esp_props = esp;
	m->params.ike_proposals = ike;
	m->params.esp_proposals = esp;
	m->params.legacy = ip->legacy_proposals;
	m->params.ike_version = ip->ike_version;
	m->params.reqid = ip->reqid;
	m->params.dpd_delay_s = ip->dpd_delay_s;
	m->params.dpd_timeout_s = ip->dpd_timeout_s;
	return set_pws(m, conf);
}

struct ipsec_mgr *ipsec_new(struct ev_loop *loop, const struct lnsd_conf *conf,
			    const struct ipsec_hooks *hooks, void *ctx)
{
	struct ipsec_mgr *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->loop = loop;
	m->hooks = hooks;
	m->hooks_ctx = ctx;
	m->cmd = (struct vconn){ .m = m, .name = "command", .fd = -1 };
	m->evt = (struct vconn){ .m = m, .name = "event", .fd = -1 };
	m->backoff = BACKOFF_MIN_S;
	ev_init(&m->retry, retry_cb);
	m->retry.data = m;
	if (set_conf(m, conf) < 0) {
		free(m);
		return NULL;
	}
	try_connect(m);
	return m;
}

void ipsec_free(struct ipsec_mgr *m)
{
	if (!m)
		return;
	ev_timer_stop(m->loop, &m->retry);
	unload_pws(m);
	disconnect(m);
	free(m->cmd.q);
	free(m->evt.q);
	free(m->cmd.rbuf);
	free(m->evt.rbuf);
	vici_b_free(&m->b);
	free(m->socket);
	free(m->psk);
	free(m->ike_props);
	free(m->esp_props);
	free(m->pws);
	free(m);
}

void ipsec_reload(struct ipsec_mgr *m, const struct lnsd_conf *conf)
{
	bool moved = strcmp(m->socket, conf->ipsec.vici_socket) != 0;

	if (set_conf(m, conf) < 0) {
		log_err("ipsec: out of memory applying the new [ipsec] settings");
		return;
	}
	if (moved && m->up) {
		disconnect(m);
		try_connect(m);
	} else if (m->up) {
		queue_load(m);
	} else {
		/* Retry now rather than at the end of a long backoff. */
		ev_timer_stop(m->loop, &m->retry);
		m->backoff = BACKOFF_MIN_S;
		try_connect(m);
	}
}

void ipsec_tunnel_ended(struct ipsec_mgr *m, const struct l2tp_tun *ended, uint32_t mark)
{
	const struct ipsec_child *c = ipsec_sa_of(m, &ended->peer, mark);
	char what[48], as[LNS_ADDR_STRLEN];
	const uint8_t *pkt;
	size_t len;
	int rc;

	if (!c || !m->up)
		return;
	/* A newer tunnel of the same client (a redial) still needs the SA. */
	if (m->hooks->sa_in_use(m->hooks_ctx, c, ended))
		return;
	snprintf(what, sizeof(what), "terminate IKE_SA %llu", (unsigned long long)c->ike_id);
	rc = ipsec_vici_terminate(&m->b, c->ike_id, &pkt, &len);
	if (vc_queue(&m->cmd, REQ_TERMINATE, what, rc, pkt, len) == 0) {
		m->terminates++;
		log_info("tunnel %u: ended; %s of %s", ended->tid, what,
			 lns_addr_str(&ended->peer, as, sizeof(as)));
	}
	/* Its children stop carrying anything now; the child-updown event confirms. */
	ipsec_sa_del_ike(&m->sas, c->ike_id);
}

const struct ipsec_child *ipsec_sa_of(const struct ipsec_mgr *m, const struct lns_addr *peer,
				      uint32_t mark)
{
	if (!m)
		return NULL;
	/* Mark 0: only a peer's one child without a mark (from before §5.5). */
	return mark ? ipsec_sa_for_peer(&m->sas, peer, mark) : ipsec_sa_unmarked(&m->sas, peer);
}

void ipsec_get_status(const struct ipsec_mgr *m, struct ipsec_status *st)
{
	memset(st, 0, sizeof(*st));
	st->vici_up = m->up;
	st->conn_loaded = m->loaded;
	st->socket = m->socket;
	st->last_error = m->last_error;
	st->connects = m->connects;
	st->failures = m->failures;
	st->sas = m->sas.n;
	st->child_down_teardowns = m->teardowns;
	st->terminates = m->terminates;
	st->bad_events = m->bad_events;
	st->rekey_successors = m->rekey_successors;
}

/* ---- protected pseudowires (docs/design.md §5.6) ------------------------- */

bool ipsec_wanted(const struct lnsd_conf *conf)
{
	if (conf->ipsec.mode == CONF_IPSEC_REQUIRED)
		return true;
	for (size_t i = 0; i < conf->n_pws; i++)
		if (conf->pws[i].ipsec)
			return true;
	return false;
}

uint32_t ipsec_pw_reqid(const struct lnsd_conf *conf, size_t i)
{
	size_t g = conf_pw_group(conf, i);

	return conf->pws[g].ipsec ? IPSEC_PW_REQID_BASE + (uint32_t)g : 0;
}

/*
 * One connection per group of pseudowires sharing an L2TPv3 connection (same
 * peer, local and encapsulation), named after its first section. The
 * strings point into conf, which outlives m's use of them: set_conf() runs
 * again with every new generation, and the engine holds the old one until then.
 */
static int set_pws(struct ipsec_mgr *m, const struct lnsd_conf *conf)
{
	struct ipsec_pw_params *v = conf->n_pws ? calloc(conf->n_pws, sizeof(*v)) : NULL;
	size_t n = 0;

	if (conf->n_pws && !v)
		return -ENOMEM;
	m->ra = conf->ipsec.mode == CONF_IPSEC_REQUIRED;
	for (size_t i = 0; i < conf->n_pws; i++) {
		const struct conf_pw *cp = &conf->pws[i];

		if (!cp->ipsec || conf_pw_group(conf, i) != i)
			continue;
		v[n++] = (struct ipsec_pw_params){
			.name = cp->name, .local = cp->local, .peer = cp->peer,
			.udp = cp->encap == CONF_PW_ENCAP_UDP, .reqid = ipsec_pw_reqid(conf, i),
			.ike_proposals = m->ike_props, .esp_proposals = m->esp_props };
	}
	free(m->pws);
	m->pws = v;
	m->n_pws = n;
	return 0;
}

static void queue_load_pws(struct ipsec_mgr *m)
{
	const uint8_t *pkt;
	size_t len;
	char what[48];
	int rc;

	for (size_t i = 0; i < m->n_pws; i++) {
		snprintf(what, sizeof(what), "load-conn %s%.24s", IPSEC_PW_PREFIX, m->pws[i].name);
		rc = ipsec_vici_load_pw(&m->b, &m->pws[i], &pkt, &len);
		vc_queue(&m->cmd, REQ_LOAD_PW, what, rc, pkt, len);
	}
}

static void pw_loaded(struct ipsec_mgr *m, const struct req *r)
{
	log_info("ipsec: charon loaded %s (IKEv2, transport, trap)", r->what + 10);
	if (m->hooks->pw_ready)
		m->hooks->pw_ready(m->hooks_ctx);
	if (m->ra)
		return;
	/* Without the remote-access responder the pseudowires' loads are the milestone. */
	m->loaded = true;
	m->last_error[0] = '\0';
	m->failed_attempts = 0;
	m->backoff = BACKOFF_MIN_S;
}

struct pw_ev {
	struct ipsec_mgr *m;
	const char *event;
	bool up;
};

static void on_pw(void *ctx, const char *pw, uint64_t ike_id, unsigned installed)
{
	struct pw_ev *x = ctx;
	bool child = strcmp(x->event, "child-updown") == 0;

	if (!child && strcmp(x->event, "ike-updown") != 0)
		return;
	if (x->up) {
		if (child)
			log_notice("ipsec: pseudowire %s: CHILD_SA up (IKE_SA %llu, %u installed)",
				   LOG_STR(pw), (unsigned long long)ike_id, installed);
		return;
	}
	log_notice("ipsec: pseudowire %s: %s down (IKE_SA %llu)", LOG_STR(pw),
		   child ? "CHILD_SA" : "IKE_SA", (unsigned long long)ike_id);
	if (x->m->hooks->pw_sa_gone)
		x->m->hooks->pw_sa_gone(x->m->hooks_ctx, pw,
					child ? "its CHILD_SA went down" : "its IKE_SA went down");
}

static void pw_event(struct ipsec_mgr *m, const struct vici_msg *msg)
{
	const struct vici_node *root = vici_msg_root(msg);
	struct pw_ev x = { .m = m, .event = vici_msg_name(msg), .up = vici_is(root, "up", "yes") };

	if (m->n_pws)
		ipsec_vici_pw_each(root, on_pw, &x);
}

/*
 * Shutdown: the connections and their traps go, with their SAs. Written
 * once, nonblocking, answers not awaited: the pseudowires' sockets are
 * closed anyway, and charon's own shutdown removes everything too.
 */
static void unload_pws(struct ipsec_mgr *m)
{
	const uint8_t *pkt;
	size_t len;
	char name[256];

	if (m->cmd.fd < 0 || m->cmd.wbuf)
		return;   /* a request half written: another packet would corrupt the stream */
	for (size_t i = 0; i < m->n_pws; i++) {
		snprintf(name, sizeof(name), "%s%s", IPSEC_PW_PREFIX, m->pws[i].name);
		if (ipsec_vici_unload_conn(&m->b, name, &pkt, &len) == 0)
			(void)!send(m->cmd.fd, pkt, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (ipsec_vici_terminate_conn(&m->b, name, &pkt, &len) == 0)
			(void)!send(m->cmd.fd, pkt, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
}
