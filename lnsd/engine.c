// SPDX-License-Identifier: GPL-2.0-or-later
/* The engine: sockets and timers around the pure LNS control plane. */
#include "engine.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "l2tp_msg.h"
#include "log.h"

/* Big enough for any control message; larger datagrams are counted as oversized. */
#define ENG_RX_BUF 8192
/* Datagrams read per readiness event before yielding to other watchers. */
#define ENG_RX_BATCH 64

struct eng_listener {
	ev_io io;
	struct engine *eng;
	int fd;
	struct lns_addr addr;
};

/* Per tunnel: kept small (DESIGN.md §8). */
struct eng_tunnel {
	ev_io io;
	struct engine *eng;
	struct l2tp_tun *tun;         /* NULL once TUNNEL_FREE was executed */
	struct lnsd_conf *conf;       /* generation its peer_cfg points into */
	struct lns_addr local, peer;
	int fd;                       /* -1: replies go out through the listener */
	struct eng_tunnel *next_dead;
};

struct engine {
	struct ev_loop *loop;
	struct l2tp_lns *lns;
	struct lnsd_conf *conf;
	char *conf_path;
	struct lns_actions acts;
	ev_timer timer;
	uint64_t armed;               /* deadline the timer is set for; UINT64_MAX: idle */
	ev_prepare reaper;
	struct eng_tunnel *dead;      /* freed at the top of the next loop iteration */
	struct eng_listener **listeners;
	size_t n_listeners;
	bool shutting_down;
	ev_timer grace;
	enum eng_dataplane dataplane;
	const struct lns_addr *rx_peer;   /* source of the datagram being processed */
	uint64_t drops[ENG_DROP_COUNT];
	uint8_t rx[ENG_RX_BUF];
};

static const char *const eng_drop_names[ENG_DROP_COUNT] = {
	[ENG_DROP_RECV_ERROR] = "recv_error",     [ENG_DROP_OVERSIZED] = "oversized",
	[ENG_DROP_NO_PKTINFO] = "no_pktinfo",     [ENG_DROP_BAD_FAMILY] = "bad_family",
	[ENG_DROP_SEND_ERROR] = "send_error",     [ENG_DROP_NO_LISTENER] = "no_listener",
	[ENG_DROP_ICMP_ERROR] = "icmp_error",
};

const char *eng_drop_str(enum eng_drop d)
{
	return d < ENG_DROP_COUNT ? eng_drop_names[d] : "?";
}

uint64_t engine_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

char *eng_tun_prefix(const struct l2tp_tun *t, char *buf, size_t len)
{
	char a[LNS_ADDR_STRLEN];

	snprintf(buf, len, "tunnel %u/%u %s", t->tid, t->peer_tid,
		 lns_addr_str(&t->peer, a, sizeof(a)));
	return buf;
}

char *eng_sess_prefix(const struct l2tp_sess *s, char *buf, size_t len)
{
	char a[LNS_ADDR_STRLEN];

	snprintf(buf, len, "tunnel %u/%u %s session %u/%u", s->tun->tid, s->tun->peer_tid,
		 lns_addr_str(&s->tun->peer, a, sizeof(a)), s->sid, s->peer_sid);
	return buf;
}

/* ---- addresses -------------------------------------------------------- */

static socklen_t addr_to_sa(const struct lns_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(a->port);
		memcpy(&sin->sin_addr, a->addr, 4);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(a->port);
	memcpy(&sin6->sin6_addr, a->addr, 16);
	return sizeof(*sin6);
}

static int sa_to_addr(const struct sockaddr_storage *ss, struct lns_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		a->family = 4;
		a->port = ntohs(sin->sin_port);
		memcpy(a->addr, &sin->sin_addr, 4);
		return 0;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		a->family = 6;
		a->port = ntohs(sin6->sin6_port);
		memcpy(a->addr, &sin6->sin6_addr, 16);
		return 0;
	}
	return -1;
}

static bool addr_is_any(const struct lns_addr *a)
{
	static const uint8_t zero[16];

	return memcmp(a->addr, zero, a->family == 4 ? 4 : 16) == 0;
}

/* ---- the timer --------------------------------------------------------- */

static void engine_rearm(struct engine *e)
{
	uint64_t dl = l2tp_lns_next_deadline(e->lns), now;

	if (dl == e->armed)
		return;
	e->armed = dl;
	ev_timer_stop(e->loop, &e->timer);
	if (dl == UINT64_MAX)
		return;
	now = engine_now_ms();
	/* +1 ms so the timer never fires a hair before the lib's deadline. */
	ev_timer_set(&e->timer, dl > now ? (double)(dl - now + 1) / 1000.0 : 0.0, 0.0);
	ev_timer_start(e->loop, &e->timer);
}

/* ---- executing actions ------------------------------------------------- */

static struct eng_listener *listener_for(struct engine *e, const struct lns_addr *local)
{
	struct eng_listener *wild = NULL;

	for (size_t i = 0; i < e->n_listeners; i++) {
		struct eng_listener *l = e->listeners[i];

		if (l->addr.family != local->family || l->addr.port != local->port)
			continue;
		if (lns_addr_eq(&l->addr, local))
			return l;
		if (addr_is_any(&l->addr))
			wild = l;
	}
	return wild;
}

/* sendmsg from a listener, choosing the source address with IP(V6)_PKTINFO. */
static int send_from_listener(struct engine *e, const struct lns_addr *local,
			      const struct lns_addr *peer, const void *buf, size_t len)
{
	struct eng_listener *l = listener_for(e, local);
	struct sockaddr_storage to;
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_name = &to, .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (!l) {
		e->drops[ENG_DROP_NO_LISTENER]++;
		return -ENOENT;
	}
	mh.msg_namelen = addr_to_sa(peer, &to);
	memset(&cbuf, 0, sizeof(cbuf));
	if (addr_is_any(&l->addr)) {
		mh.msg_control = cbuf.buf;
		cm = (struct cmsghdr *)cbuf.buf;
		if (local->family == 4) {
			struct in_pktinfo pi = { 0 };

			memcpy(&pi.ipi_spec_dst, local->addr, 4);
			mh.msg_controllen = CMSG_SPACE(sizeof(pi));
			cm->cmsg_level = IPPROTO_IP;
			cm->cmsg_type = IP_PKTINFO;
			cm->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		} else {
			struct in6_pktinfo pi = { 0 };

			memcpy(&pi.ipi6_addr, local->addr, 16);
			mh.msg_controllen = CMSG_SPACE(sizeof(pi));
			cm->cmsg_level = IPPROTO_IPV6;
			cm->cmsg_type = IPV6_PKTINFO;
			cm->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		}
	}
	if (sendmsg(l->fd, &mh, MSG_DONTWAIT) < 0)
		return -errno;
	return 0;
}

static void do_send(struct engine *e, const struct lns_action *a)
{
	const uint8_t *buf = e->acts.buf + a->off;
	struct l2tp_tun *t = a->tun;
	struct eng_tunnel *et;
	int rc;

	if (!t && a->tid)
		t = l2tp_lns_tunnel(e->lns, a->tid);
	et = t ? t->user : NULL;
	if (et && et->fd >= 0)
		rc = send(et->fd, buf, a->len, MSG_DONTWAIT) < 0 ? -errno : 0;
	else
		rc = send_from_listener(e, et ? &et->local : &a->local, et ? &et->peer : &a->peer,
					buf, a->len);
	if (rc < 0) {
		char p[LNS_ADDR_STRLEN];

		e->drops[ENG_DROP_SEND_ERROR]++;
		log_ratelimited(engine_now_ms(), eng_drop_names[ENG_DROP_SEND_ERROR],
				"send to %s failed: %s", lns_addr_str(&a->peer, p, sizeof(p)),
				strerror(-rc));
	}
}

static void tunnel_readable(struct ev_loop *loop, ev_io *w, int revents);

/*
 * The tunnel's own socket (DESIGN.md §4): SO_REUSEADDR, bound to the local
 * address and port the SCCRQ arrived on, connected to the peer. The kernel
 * prefers the connected socket for the peer's datagrams; the listener keeps
 * everything else. SO_REUSEPORT is deliberately not set: with it, a connected
 * socket joins the listener's reuseport group and can steal new SCCRQs.
 */
static int tunnel_socket(const struct lns_addr *local, const struct lns_addr *peer)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1, fd, err;

	fd = socket(local->family == 4 ? AF_INET : AF_INET6,
		    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		goto fail;
	if (local->family == 6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		goto fail;
	sl = addr_to_sa(local, &ss);
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0)
		goto fail;
	sl = addr_to_sa(peer, &ss);
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0)
		goto fail;
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

static void tunnel_new(struct engine *e, struct l2tp_tun *t)
{
	struct eng_tunnel *et = calloc(1, sizeof(*et));
	char pfx[ENG_PREFIX_LEN];
	int fd;

	eng_tun_prefix(t, pfx, sizeof(pfx));
	if (!et) {
		/* Without our struct the tunnel still works through the listener. */
		log_err("%s: out of memory for the tunnel socket state", pfx);
		return;
	}
	et->eng = e;
	et->tun = t;
	et->conf = conf_ref(e->conf);
	et->local = t->local;
	et->peer = t->peer;
	fd = tunnel_socket(&t->local, &t->peer);
	if (fd < 0) {
		log_err("%s: cannot open its own socket (%s); using the listener", pfx,
			strerror(-fd));
		et->fd = -1;
	} else {
		et->fd = fd;
		ev_io_init(&et->io, tunnel_readable, fd, EV_READ);
		ev_io_start(e->loop, &et->io);
	}
	t->user = et;
	log_info("%s: new control connection from host \"%s\" (peer config %s%s%s)", pfx,
		 t->peer_hostname, t->peer_cfg ? t->peer_cfg->name : "default",
		 t->peer_cfg && t->peer_cfg->secret_len ? ", authenticated" : "",
		 t->peer_cfg && t->peer_cfg->hide_avps ? ", hidden AVPs" : "");
}

static void tunnel_free(struct engine *e, struct l2tp_tun *t)
{
	struct eng_tunnel *et = t->user;
	char pfx[ENG_PREFIX_LEN];

	log_debug("%s: freed", eng_tun_prefix(t, pfx, sizeof(pfx)));
	if (!et)
		return;
	t->user = NULL;
	et->tun = NULL;
	if (et->fd >= 0) {
		ev_io_stop(e->loop, &et->io);
		close(et->fd);
		et->fd = -1;
	}
	/* The io callback may be running for this tunnel: free it later. */
	et->next_dead = e->dead;
	e->dead = et;
}

static void log_tunnel_state(const struct lns_action *a)
{
	char pfx[ENG_PREFIX_LEN];

	eng_tun_prefix(a->tun, pfx, sizeof(pfx));
	if (a->new_state == L2TP_TUN_CLOSING || a->new_state == L2TP_TUN_DEAD) {
		if (a->result || a->error)
			log_notice("%s: %s -> %s: StopCCN result %u (%s), error %u (%s)", pfx,
				   l2tp_tun_state_str((enum l2tp_tun_state)a->old_state),
				   l2tp_tun_state_str((enum l2tp_tun_state)a->new_state), a->result,
				   l2tp_result_str(L2TP_MSG_STOPCCN, a->result), a->error,
				   l2tp_error_str(a->error));
		else
			log_notice("%s: %s -> %s", pfx,
				   l2tp_tun_state_str((enum l2tp_tun_state)a->old_state),
				   l2tp_tun_state_str((enum l2tp_tun_state)a->new_state));
		return;
	}
	log_info("%s: %s -> %s", pfx, l2tp_tun_state_str((enum l2tp_tun_state)a->old_state),
		 l2tp_tun_state_str((enum l2tp_tun_state)a->new_state));
}

static void log_session_state(const struct lns_action *a)
{
	const struct l2tp_sess *s = a->sess;
	char pfx[ENG_PREFIX_LEN];

	eng_sess_prefix(s, pfx, sizeof(pfx));
	if (a->new_state == L2TP_SESS_DEAD && !a->result && !a->error) {
		log_info("%s: %s -> %s (with its tunnel)", pfx,
			 l2tp_sess_state_str((enum l2tp_sess_state)a->old_state),
			 l2tp_sess_state_str((enum l2tp_sess_state)a->new_state));
		return;
	}
	if (a->new_state == L2TP_SESS_DEAD) {
		log_notice("%s: %s -> %s: CDN result %u (%s), error %u (%s)", pfx,
			   l2tp_sess_state_str((enum l2tp_sess_state)a->old_state),
			   l2tp_sess_state_str((enum l2tp_sess_state)a->new_state), a->result,
			   l2tp_result_str(L2TP_MSG_CDN, a->result), a->error,
			   l2tp_error_str(a->error));
		return;
	}
	log_info("%s: %s -> %s (calling \"%s\", called \"%s\", serial %u)", pfx,
		 l2tp_sess_state_str((enum l2tp_sess_state)a->old_state),
		 l2tp_sess_state_str((enum l2tp_sess_state)a->new_state), s->calling_number,
		 s->called_number, s->call_serial);
}

static void do_notice(const struct engine *e, const struct lns_action *a, uint64_t now)
{
	char pfx[ENG_PREFIX_LEN], p[LNS_ADDR_STRLEN];
	const char *reason = a->reason ? a->reason : "dropped";

	if (a->sess)
		eng_sess_prefix(a->sess, pfx, sizeof(pfx));
	else if (a->tun)
		eng_tun_prefix(a->tun, pfx, sizeof(pfx));
	else if (a->peer.family || !e->rx_peer)
		snprintf(pfx, sizeof(pfx), "peer %s", lns_addr_str(&a->peer, p, sizeof(p)));
	else  /* decode errors come without an address: it is the datagram's source */
		snprintf(pfx, sizeof(pfx), "peer %s", lns_addr_str(e->rx_peer, p, sizeof(p)));
	log_ratelimited(now, reason, "%s: %s", pfx, reason);
}

static bool shutdown_done(struct engine *e);

static void engine_execute(struct engine *e)
{
	uint64_t now = 0;
	char pfx[ENG_PREFIX_LEN];

	for (size_t i = 0; i < e->acts.n; i++) {
		const struct lns_action *a = &e->acts.v[i];

		switch (a->type) {
		case LNS_ACT_SEND:
			do_send(e, a);
			break;
		case LNS_ACT_TUNNEL_NEW:
			tunnel_new(e, a->tun);
			break;
		case LNS_ACT_TUNNEL_STATE:
			log_tunnel_state(a);
			break;
		case LNS_ACT_TUNNEL_FREE:
			tunnel_free(e, a->tun);
			break;
		case LNS_ACT_SESSION_NEW:
			log_info("%s: incoming call (serial %u)",
				 eng_sess_prefix(a->sess, pfx, sizeof(pfx)), a->sess->call_serial);
			break;
		case LNS_ACT_SESSION_STATE:
			log_session_state(a);
			break;
		case LNS_ACT_SESSION_FREE:
			log_debug("%s: freed", eng_sess_prefix(a->sess, pfx, sizeof(pfx)));
			break;
		case LNS_ACT_NOTICE:
			if (!now)
				now = engine_now_ms();
			do_notice(e, a, now);
			break;
		}
	}
	if (e->acts.oom)
		log_ratelimited(engine_now_ms(), "actions lost", "out of memory: actions were lost");
	lns_actions_reset(&e->acts);
	engine_rearm(e);
	if (e->shutting_down && shutdown_done(e))
		ev_break(e->loop, EVBREAK_ALL);
}

/* ---- receiving --------------------------------------------------------- */

static void input(struct engine *e, const struct lns_addr *peer, const struct lns_addr *local,
		  size_t len)
{
	l2tp_lns_input(e->lns, peer, local, e->rx, len, engine_now_ms(), &e->acts);
	e->rx_peer = peer;
	engine_execute(e);
	e->rx_peer = NULL;
}

/* Returns the datagram length, 0 when nothing is left to read (or dropped). */
static ssize_t rx_one(struct engine *e, int fd, struct sockaddr_storage *from, char *cbuf,
		      size_t clen, struct msghdr *mh, bool *again)
{
	struct iovec iov = { .iov_base = e->rx, .iov_len = sizeof(e->rx) };
	ssize_t n;

	memset(mh, 0, sizeof(*mh));
	mh->msg_name = from;
	mh->msg_namelen = sizeof(*from);
	mh->msg_iov = &iov;
	mh->msg_iovlen = 1;
	mh->msg_control = cbuf;
	mh->msg_controllen = clen;
	n = recvmsg(fd, mh, MSG_DONTWAIT);
	if (n < 0) {
		*again = true;
		if (errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH) {
			/* An ICMP error for what we sent on a connected tunnel socket:
			 * the peer is gone or unreachable; retransmission gives up. */
			e->drops[ENG_DROP_ICMP_ERROR]++;
			*again = false;
		} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			e->drops[ENG_DROP_RECV_ERROR]++;
			log_ratelimited(engine_now_ms(), eng_drop_names[ENG_DROP_RECV_ERROR],
					"recvmsg: %s", strerror(errno));
		}
		return 0;
	}
	if (mh->msg_flags & MSG_TRUNC) {
		e->drops[ENG_DROP_OVERSIZED]++;
		return 0;
	}
	return n;
}

static void tunnel_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct eng_tunnel *et = (struct eng_tunnel *)w;
	struct engine *e = et->eng;
	struct sockaddr_storage from;
	struct msghdr mh;
	struct lns_addr peer;
	char cbuf[8];

	for (int i = 0; i < ENG_RX_BATCH && et->fd >= 0; i++) {
		bool again = false;
		ssize_t n = rx_one(e, et->fd, &from, cbuf, 0, &mh, &again);

		if (again)
			break;
		if (n <= 0)
			continue;
		if (sa_to_addr(&from, &peer)) {
			e->drops[ENG_DROP_BAD_FAMILY]++;
			continue;
		}
		input(e, &peer, &et->local, (size_t)n);
	}
}

static void listener_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct eng_listener *l = (struct eng_listener *)w;
	struct engine *e = l->eng;
	struct sockaddr_storage from;
	struct msghdr mh;
	struct lns_addr peer, local;
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} cbuf;

	for (int i = 0; i < ENG_RX_BATCH; i++) {
		bool again = false, have_local = false;
		ssize_t n = rx_one(e, l->fd, &from, cbuf.buf, sizeof(cbuf.buf), &mh, &again);

		if (again)
			break;
		if (n <= 0)
			continue;
		if (sa_to_addr(&from, &peer)) {
			e->drops[ENG_DROP_BAD_FAMILY]++;
			continue;
		}
		local = l->addr;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
				struct in_pktinfo pi;

				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				memcpy(local.addr, &pi.ipi_addr, 4);
				have_local = true;
			} else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
				struct in6_pktinfo pi;

				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				memcpy(local.addr, &pi.ipi6_addr, 16);
				have_local = true;
			}
		}
		if (!have_local && addr_is_any(&l->addr)) {
			e->drops[ENG_DROP_NO_PKTINFO]++;
			continue;
		}
		input(e, &peer, &local, (size_t)n);
	}
}

/* ---- listeners --------------------------------------------------------- */

static struct eng_listener *listener_open(struct engine *e, const struct lns_addr *a, char *err,
					  size_t errlen)
{
	struct eng_listener *l = calloc(1, sizeof(*l));
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1;
	char as[LNS_ADDR_STRLEN];

	if (!l) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->eng = e;
	l->addr = *a;
	l->fd = socket(a->family == 4 ? AF_INET : AF_INET6,
		       SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		goto fail;
	/* SO_REUSEADDR on every socket so per-tunnel sockets can bind the same port. */
	if (setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		goto fail;
	if (a->family == 4) {
		if (setsockopt(l->fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0)
			goto fail;
	} else {
		if (setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0 ||
		    setsockopt(l->fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0)
			goto fail;
	}
	sl = addr_to_sa(a, &ss);
	if (bind(l->fd, (struct sockaddr *)&ss, sl) < 0)
		goto fail;
	ev_io_init(&l->io, listener_readable, l->fd, EV_READ);
	ev_io_start(e->loop, &l->io);
	log_info("listening on %s", lns_addr_str(a, as, sizeof(as)));
	return l;
fail:
	snprintf(err, errlen, "listen %s: %s", lns_addr_str(a, as, sizeof(as)), strerror(errno));
	if (l->fd >= 0)
		close(l->fd);
	free(l);
	return NULL;
}

static void listener_close(struct engine *e, struct eng_listener *l)
{
	char as[LNS_ADDR_STRLEN];

	if (!l)
		return;
	ev_io_stop(e->loop, &l->io);
	close(l->fd);
	log_info("stopped listening on %s", lns_addr_str(&l->addr, as, sizeof(as)));
	free(l);
}

static struct eng_listener *find_listener(struct eng_listener **v, size_t n,
					  const struct lns_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] && lns_addr_eq(&v[i]->addr, a))
			return v[i];
	return NULL;
}

/*
 * The listener set for conf: existing sockets are kept, new ones opened,
 * the rest closed. All or nothing: on failure nothing changes.
 */
static int listeners_apply(struct engine *e, const struct lnsd_conf *conf, char *err,
			   size_t errlen)
{
	struct eng_listener **nv = calloc(conf->n_listen ? conf->n_listen : 1, sizeof(*nv));
	bool *fresh = calloc(conf->n_listen ? conf->n_listen : 1, sizeof(*fresh));
	int rc = -1;

	if (!nv || !fresh) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < conf->n_listen; i++) {
		nv[i] = find_listener(e->listeners, e->n_listeners, &conf->listen[i]);
		if (nv[i])
			continue;
		nv[i] = listener_open(e, &conf->listen[i], err, errlen);
		if (!nv[i])
			goto out;
		fresh[i] = true;
	}
	for (size_t i = 0; i < e->n_listeners; i++)
		if (!find_listener(nv, conf->n_listen, &e->listeners[i]->addr))
			listener_close(e, e->listeners[i]);
	free(e->listeners);
	e->listeners = nv;
	e->n_listeners = conf->n_listen;
	nv = NULL;
	rc = 0;
out:
	if (nv) {
		for (size_t i = 0; i < conf->n_listen; i++)
			if (fresh[i])
				listener_close(e, nv[i]);
		free(nv);
	}
	free(fresh);
	return rc;
}

/* ---- lifecycle ---------------------------------------------------------- */

static void rand_bytes(void *ctx, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* glibc's arc4random is seeded from getrandom and never fails. */
			arc4random_buf(p, len);
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct engine *e = (struct engine *)((char *)w - offsetof(struct engine, timer));

	e->armed = UINT64_MAX;
	l2tp_lns_tick(e->lns, engine_now_ms(), &e->acts);
	engine_execute(e);
}

static void reaper_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct engine *e = (struct engine *)((char *)w - offsetof(struct engine, reaper));

	while (e->dead) {
		struct eng_tunnel *et = e->dead;

		e->dead = et->next_dead;
		conf_unref(et->conf);
		free(et);
	}
}

static void lns_cfg_for(struct engine *e, const struct lnsd_conf *conf, struct l2tp_lns_cfg *cfg)
{
	conf_to_lns_cfg(conf, cfg);
	cfg->rand_bytes = rand_bytes;
	cfg->rand_ctx = e;
}

struct engine *engine_new(struct ev_loop *loop, struct lnsd_conf *conf, const char *conf_path,
			  char *err, size_t errlen)
{
	struct engine *e = calloc(1, sizeof(*e));
	struct l2tp_lns_cfg cfg;

	if (!e) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->loop = loop;
	e->armed = UINT64_MAX;
	e->conf = conf_ref(conf);
	lns_actions_init(&e->acts);
	ev_init(&e->timer, timer_cb);
	ev_prepare_init(&e->reaper, reaper_cb);
	ev_prepare_start(loop, &e->reaper);
	if (conf_path) {
		e->conf_path = strdup(conf_path);
		if (!e->conf_path) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	lns_cfg_for(e, conf, &cfg);
	e->lns = l2tp_lns_new(&cfg);
	if (!e->lns) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (listeners_apply(e, conf, err, errlen))
		goto fail;
	return e;
fail:
	engine_free(e);
	return NULL;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	ev_timer_stop(e->loop, &e->timer);
	ev_timer_stop(e->loop, &e->grace);
	ev_prepare_stop(e->loop, &e->reaper);
	/* Tunnel sockets: the lib frees silently, so walk its table first. */
	if (e->lns) {
		struct l2tp_tun *t = NULL;

		while ((t = l2tp_lns_next_tunnel(e->lns, t)))
			if (t->user)
				tunnel_free(e, t);
	}
	reaper_cb(e->loop, &e->reaper, 0);
	for (size_t i = 0; i < e->n_listeners; i++)
		listener_close(e, e->listeners[i]);
	free(e->listeners);
	l2tp_lns_free(e->lns);
	lns_actions_free(&e->acts);
	conf_unref(e->conf);
	free(e->conf_path);
	free(e);
}

int engine_reload(struct engine *e, char *err, size_t errlen)
{
	struct lnsd_conf *nc;
	struct l2tp_lns_cfg cfg;

	if (e->conf_path)
		nc = conf_load_file(e->conf_path, err, errlen);
	else
		nc = conf_load_string(conf_embedded_default, "(embedded default)", err, errlen);
	if (!nc)
		return -1;
	if (listeners_apply(e, nc, err, errlen)) {
		conf_unref(nc);
		return -1;
	}
	if (strcmp(nc->control_socket, e->conf->control_socket) != 0)
		log_warn("reload: control-socket changes take effect at the next start");
	if (nc->dataplane != e->conf->dataplane)
		log_warn("reload: dataplane changes take effect at the next start");
	log_set_level((enum log_level)nc->log_level);
	lns_cfg_for(e, nc, &cfg);
	l2tp_lns_set_cfg(e->lns, &cfg);
	/* Live tunnels hold references to the old generation (eng_tunnel.conf). */
	conf_unref(e->conf);
	e->conf = nc;
	log_notice("configuration reloaded from %s (%zu peer sections)", nc->path, nc->n_peers);
	return 0;
}

/* Every tunnel is gone, or is closing with its StopCCN acknowledged. */
static bool shutdown_done(struct engine *e)
{
	for (struct l2tp_tun *t = l2tp_lns_next_tunnel(e->lns, NULL); t;
	     t = l2tp_lns_next_tunnel(e->lns, t))
		if (t->state != L2TP_TUN_DEAD &&
		    !(t->state == L2TP_TUN_CLOSING && l2tp_rel_all_acked(&t->rel)))
			return false;
	return true;
}

static void grace_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct engine *e = (struct engine *)((char *)w - offsetof(struct engine, grace));

	log_notice("shutdown: %u tunnels did not acknowledge StopCCN in time",
		   l2tp_lns_n_tunnels(e->lns));
	ev_break(loop, EVBREAK_ALL);
}

void engine_shutdown(struct engine *e, uint32_t grace_ms)
{
	if (e->shutting_down)
		return;
	e->shutting_down = true;
	log_notice("shutting down: StopCCN to %u tunnels", l2tp_lns_n_tunnels(e->lns));
	/* No new control connections while we drain. */
	for (size_t i = 0; i < e->n_listeners; i++)
		ev_io_stop(e->loop, &e->listeners[i]->io);
	ev_timer_init(&e->grace, grace_cb, grace_ms / 1000.0, 0.0);
	ev_timer_start(e->loop, &e->grace);
	l2tp_lns_shutdown(e->lns, engine_now_ms(), &e->acts);
	engine_execute(e);
}

int engine_terminate_tunnel(struct engine *e, uint16_t tid)
{
	/* RFC 2661 §4.4.2: result 1, "general request to clear control connection". */
	int rc = l2tp_lns_close_tunnel(e->lns, tid, L2TP_STOPCCN_CLEAR, L2TP_ERR_NONE,
				       "administrative", engine_now_ms(), &e->acts);

	engine_execute(e);
	return rc;
}

int engine_terminate_session(struct engine *e, uint16_t tid, uint16_t sid)
{
	/* RFC 2661 §4.4.2: CDN result 3, "call disconnected for administrative reasons". */
	int rc = l2tp_lns_close_session(e->lns, tid, sid, L2TP_CDN_ADMIN, L2TP_ERR_NONE,
					"administrative", engine_now_ms(), &e->acts);

	engine_execute(e);
	return rc;
}

struct l2tp_lns *engine_lns(const struct engine *e)
{
	return e->lns;
}

const struct lnsd_conf *engine_conf(const struct engine *e)
{
	return e->conf;
}

const uint64_t *engine_drops(const struct engine *e)
{
	return e->drops;
}

enum eng_dataplane engine_dataplane(const struct engine *e)
{
	return e->dataplane;
}

void engine_set_dataplane(struct engine *e, enum eng_dataplane dp)
{
	e->dataplane = dp;
}
