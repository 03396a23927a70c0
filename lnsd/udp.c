// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The engine's UDP side: the listeners, the per-tunnel sockets, sending the
 * lib's messages and reading datagrams for it, and the conversion between
 * struct lns_addr and the socket API's addresses.
 */

#include "engine_int.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

/* ---- addresses -------------------------------------------------------- */

static bool addr_is_any(const struct lns_addr *a)
{
	static const uint8_t zero[16];

	return memcmp(a->addr, zero, a->family == 4 ? 4 : 16) == 0;
}

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
int eng_send_from_listener(struct engine *e, const struct lns_addr *local,
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

void eng_send(struct engine *e, const struct lns_action *a)
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
		rc = eng_send_from_listener(e, et ? &et->local : &a->local, et ? &et->peer : &a->peer,
					buf, a->len);
	if (rc < 0) {
		char p[LNS_ADDR_STRLEN];

		e->drops[ENG_DROP_SEND_ERROR]++;
		log_ratelimited(engine_now_ms(), eng_drop_str(ENG_DROP_SEND_ERROR),
				"send to %s failed: %s", lns_addr_str(&a->peer, p, sizeof(p)),
				strerror(-rc));
	}
}

/*
 * [ipsec] mode = required: the per-socket ESP policies (docs/design.md §4.7,
 * §5.5), set before bind() so that the socket never holds a cleartext datagram.
 */
static int protect_socket(const struct lnsd_conf *conf, int fd, uint8_t family)
{
	return eng_ipsec_socket(conf, fd, family, 0);
}

/*
 * Receive buffer of an L2TP socket (docs/design.md §8.1), bytes as given to
 * SO_RCVBUF (the kernel reserves twice that for its bookkeeping). With
 * CAP_NET_ADMIN SO_RCVBUFFORCE passes net.core.rmem_max; without, the kernel
 * caps the size there, which a NOTICE says. 0 leaves the kernel's default.
 */
static void set_rcvbuf(int fd, uint32_t bytes, const char *what)
{
	int v = bytes > INT32_MAX / 2 ? INT32_MAX / 2 : (int)bytes, got = 0;
	socklen_t gl = sizeof(got);

	if (bytes == 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) == 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) < 0) {
		log_ratelimited(engine_now_ms(), "rcvbuf", "%s: SO_RCVBUF %d: %s", what, v,
				strerror(errno));
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &gl) == 0 && got / 2 < v)
		log_ratelimited(engine_now_ms(), "rcvbuf",
				"%s: receive buffer %d bytes, not %d: net.core.rmem_max caps it "
				"without CAP_NET_ADMIN", what, got / 2, v);
}

/* Count what the kernel dropped for a full receive buffer (SO_RXQ_OVFL). */
static void rxq_ovfl_on(int fd)
{
	int one = 1;

	if (setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)) < 0)
		log_ratelimited(engine_now_ms(), "rxq_ovfl", "SO_RXQ_OVFL: %s", strerror(errno));
}

void eng_socket_priority(ev_io *w)
{
	/*
	 * libev runs the timers that expired during a poll before the sockets
	 * that became readable (same priority, last queued runs first). After
	 * a stall the peers' acks then arrive after our retransmission timers
	 * fired: read them first.
	 */
	ev_set_priority(w, 1);
}

/*
 * The tunnel's own socket (docs/design.md §4.2): SO_REUSEPORT, bound to the local
 * address and port the SCCRQ arrived on, connected to the peer. The kernel
 * prefers the connected socket for the peer's datagrams; the listener keeps
 * everything else (reuseport selection skips connected sockets). Not
 * SO_REUSEADDR: two UDP sockets with SO_REUSEADDR share a port whatever their
 * owners, while SO_REUSEPORT refuses a bind that meets a socket without it or
 * of another uid, so no other user can join the port.
 * The bind succeeds only while the listener allows it (eng_listeners_share()).
 */
int eng_tunnel_socket(const struct lnsd_conf *conf, const struct lns_addr *local,
		      const struct lns_addr *peer, uint32_t reqid_out)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1, fd, err;

	fd = socket(local->family == 4 ? AF_INET : AF_INET6,
		    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		goto fail;
	if (local->family == 6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		goto fail;
	set_rcvbuf(fd, conf->tunnel_rcvbuf, "tunnel socket");
	rxq_ovfl_on(fd);
	err = eng_ipsec_socket(conf, fd, local->family, reqid_out);
	if (err < 0) {
		close(fd);
		return err;
	}
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

/* ---- receiving --------------------------------------------------------- */

static void input(struct engine *e, const struct lns_addr *peer, const struct lns_addr *local,
		  size_t len)
{
	/* L2TPv3 shares the port: the version in the header's first word (eng_lcce.c) */
	if (len >= 2 && (e->rx[1] & 0x0f) == 3) {
		if (e->lcce)
			eng_lcce_input_udp(e->lcce, peer, local, e->rx, len);
		return;
	}
	if (!eng_ipsec_admit(e, peer, local, e->rx, len))
		return;
	/* The mark (0 without IPsec) keeps apart clients behind one NAT (§5.5). */
	l2tp_lns_input_keyed(e->lns, peer, local, e->rx_mark, e->rx, len, engine_now_ms(),
			     &e->acts);
	e->rx_peer = peer;
	engine_execute(e);
	e->rx_peer = NULL;
}

/*
 * SO_RXQ_OVFL: the socket's count of datagrams the kernel dropped, mostly
 * for a full receive buffer, sent along with each datagram read; the
 * difference to the last one seen is added to rxq_overflow.
 */
static void count_rxq_drops(struct engine *e, struct msghdr *mh, uint32_t *last)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		uint32_t n;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SO_RXQ_OVFL ||
		    cm->cmsg_len < CMSG_LEN(sizeof(n)))
			continue;
		memcpy(&n, CMSG_DATA(cm), sizeof(n));
		e->drops[ENG_DROP_RXQ_OVERFLOW] += (uint32_t)(n - *last);
		*last = n;
	}
}

/* Returns the datagram length, 0 when nothing is left to read (or dropped). */
static ssize_t rx_one(struct engine *e, int fd, struct sockaddr_storage *from, char *cbuf,
		      size_t clen, struct msghdr *mh, bool *again, uint32_t *rxq_drops)
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
			log_ratelimited(engine_now_ms(), eng_drop_str(ENG_DROP_RECV_ERROR),
					"recvmsg: %s", strerror(errno));
		}
		return 0;
	}
	count_rxq_drops(e, mh, rxq_drops);
	if (mh->msg_flags & MSG_TRUNC) {
		e->drops[ENG_DROP_OVERSIZED]++;
		return 0;
	}
	return n;
}

void eng_tunnel_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct eng_tunnel *et = (struct eng_tunnel *)w;
	struct engine *e = et->eng;
	struct sockaddr_storage from;
	struct msghdr mh;
	struct lns_addr peer;
	union {
		char buf[2 * CMSG_SPACE(sizeof(uint32_t))];
		struct cmsghdr align;
	} cbuf;

	for (int i = 0; i < ENG_RX_BATCH && et->fd >= 0; i++) {
		bool again = false;
		ssize_t n = rx_one(e, et->fd, &from, cbuf.buf, sizeof(cbuf.buf), &mh, &again,
				   &et->rxq_drops);

		if (again)
			break;
		if (n <= 0)
			continue;
		if (sa_to_addr(&from, &peer)) {
			e->drops[ENG_DROP_BAD_FAMILY]++;
			continue;
		}
		e->rx_mark = eng_ipsec_cmsg_mark(&mh);
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
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo)) +
			 2 * CMSG_SPACE(sizeof(uint32_t))];
		struct cmsghdr align;
	} cbuf;

	for (int i = 0; i < ENG_RX_BATCH; i++) {
		bool again = false, have_local = false;
		ssize_t n = rx_one(e, l->fd, &from, cbuf.buf, sizeof(cbuf.buf), &mh, &again,
				   &l->rxq_drops);

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
		e->rx_mark = eng_ipsec_cmsg_mark(&mh);
		input(e, &peer, &local, (size_t)n);
	}
}

/* ---- listeners --------------------------------------------------------- */

/*
 * Listeners are exclusive: a second daemon on the same address:port would
 * silently get part of the traffic, and a socket of another user there could
 * pose as the LNS. Linux lets a UDP bind share a port when both sockets have
 * SO_REUSEADDR, whatever their owners, or when both have SO_REUSEPORT and the
 * same uid; a wildcard address conflicts with every address of its family.
 * So none of our sockets on an L2TP port ever has SO_REUSEADDR, the tunnel
 * sockets have SO_REUSEPORT, and the listener is bound and kept with neither:
 * a later bind to its port, with or without either option, fails with
 * EADDRINUSE. Only for the moment a tunnel socket of ours binds does the
 * listener set SO_REUSEPORT, and so does a listener that a reload opens where
 * our own sockets are (ours_at()). A socket of another uid can never join
 * (not in that moment, nor when tunnels outlive a removed listener); one of
 * our own uid (root) with SO_REUSEPORT can, as it could ptrace us anyway.
 */
static bool listener_covers(const struct lns_addr *l, const struct lns_addr *a)
{
	return l->family == a->family && l->port == a->port &&
	       (addr_is_any(l) || addr_is_any(a) ||
		memcmp(l->addr, a->addr, a->family == 4 ? 4 : 16) == 0);
}

void eng_listeners_share(struct engine *e, const struct lns_addr *local, bool share)
{
	int on = share;

	for (size_t i = 0; i < e->n_listeners; i++)
		if (listener_covers(&e->listeners[i]->addr, local) &&
		    setsockopt(e->listeners[i]->fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) < 0)
			log_err("listener: SO_REUSEPORT %d: %s", on, strerror(errno));
}

/*
 * Whether one of our own sockets is bound where a would listen: a listener
 * that a reload replaces (192.0.2.1:1701 by 0.0.0.0:1701, or back) or
 * tunnels that outlived a removed listener. Only then does the new
 * listener bind with sharing allowed on both sides, for that one bind.
 */
static bool ours_at(struct engine *e, const struct lns_addr *a)
{
	struct l2tp_tun *t;

	for (size_t i = 0; i < e->n_listeners; i++)
		if (listener_covers(&e->listeners[i]->addr, a))
			return true;
	L2TP_LNS_FOREACH_TUNNEL(e->lns, t) {
		const struct eng_tunnel *et = t->user;

		if (et && et->fd >= 0 && listener_covers(a, &et->local))
			return true;
	}
	return false;
}

/* conf: the generation being applied (a reload's, before it becomes e->conf). */
static struct eng_listener *listener_open(struct engine *e, const struct lnsd_conf *conf,
					  const struct lns_addr *a, char *err, size_t errlen)
{
	struct eng_listener *l = calloc(1, sizeof(*l));
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1, zero = 0, rc;
	char as[LNS_ADDR_STRLEN];
	bool share;

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
	if (a->family == 4) {
		if (setsockopt(l->fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0)
			goto fail;
	} else {
		if (setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0 ||
		    setsockopt(l->fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0)
			goto fail;
	}
	set_rcvbuf(l->fd, conf->listen_rcvbuf, "listener");
	rxq_ovfl_on(l->fd);
	rc = protect_socket(e->conf, l->fd, a->family);
	if (rc < 0) {
		snprintf(err, errlen, "listen %s: cannot install the per-socket IPsec policy "
			 "that [ipsec] mode = required needs (xfrm_user, CAP_NET_ADMIN): %s",
			 lns_addr_str(a, as, sizeof(as)), strerror(-rc));
		close(l->fd);
		free(l);
		return NULL;
	}
	sl = addr_to_sa(a, &ss);
	share = ours_at(e, a) &&
		setsockopt(l->fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) == 0;
	if (share)
		eng_listeners_share(e, a, true);
	rc = bind(l->fd, (struct sockaddr *)&ss, sl);
	if (share) {
		int saved = errno;

		eng_listeners_share(e, a, false);
		setsockopt(l->fd, SOL_SOCKET, SO_REUSEPORT, &zero, sizeof(zero));
		errno = saved;
	}
	if (rc < 0) {
		if (errno != EADDRINUSE)
			goto fail;
		snprintf(err, errlen, "listen %s: address already in use: another lnsd or L2TP "
			 "daemon holds it (a listener is never shared)",
			 lns_addr_str(a, as, sizeof(as)));
		close(l->fd);
		free(l);
		return NULL;
	}
	ev_io_init(&l->io, listener_readable, l->fd, EV_READ);
	eng_socket_priority(&l->io);
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

void eng_listener_close(struct engine *e, struct eng_listener *l)
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
int eng_listeners_apply(struct engine *e, const struct lnsd_conf *conf, char *err,
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
		nv[i] = listener_open(e, conf, &conf->listen[i], err, errlen);
		if (!nv[i])
			goto out;
		fresh[i] = true;
	}
	for (size_t i = 0; i < e->n_listeners; i++)
		if (!find_listener(nv, conf->n_listen, &e->listeners[i]->addr))
			eng_listener_close(e, e->listeners[i]);
	free(e->listeners);
	e->listeners = nv;
	e->n_listeners = conf->n_listen;
	nv = NULL;
	rc = 0;
out:
	if (nv) {
		for (size_t i = 0; i < conf->n_listen; i++)
			if (fresh[i])
				eng_listener_close(e, nv[i]);
		free(nv);
	}
	free(fresh);
	return rc;
}

