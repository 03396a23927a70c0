// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The engine's L2TPv3 side (eng_lcce.h, docs/design.md §10.6): lib's LCCE
 * driven from the libev loop. Sockets: v3 over UDP arrives on the engine's
 * listeners (udp.c hands version 3 here) and, once the kernel tunnel
 * exists, on the connection's own connected UDP socket; v3 over IP on one
 * L2TP/IP listener per local address (bound to Control Connection ID 0,
 * where SCCRQs arrive) and on the connection's own L2TP/IP socket, bound to
 * its ID from the moment the connection exists (the kernel hands a control
 * message only to the socket bound to the ID in its header). Such sockets
 * are read and written from the T bit on (the kernel adds and strips the
 * zero Session ID, §4.8); lib wants it, so it is added here on receipt and
 * skipped on send.
 */

#include "eng_lcce.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf.h"
#include "engine_int.h"
#include "ipsec.h"
#include "l2tp_lcce.h"
#include "lns_sockaddr.h"
#include "log.h"

struct lcce_listener {
	ev_io io;
	struct eng_lcce *l;
	int fd;
	struct lns_addr addr;
	bool esp;                     /* carries ESP policies (a protected pseudowire's, §5.6) */
};

/* Per control connection (cc->user). */
struct eng_cc {
	ev_io io;
	struct eng_lcce *l;
	int fd;                       /* -1: none (UDP: replies go out through the listener) */
	enum l2tp_encap encap;
	struct lns_addr local, peer;
	uint32_t ccid;
	bool dp_tunnel;               /* the data plane has the v3 tunnel on fd */
	uint64_t created_ms;          /* engine_now_ms() at its first action: show tunnels' uptime */
};

/* Per configured pseudowire. */
struct pw_slot {
	const struct conf_pw *cp;
	const struct l2tp_lcce_peer_cfg *peer;
	struct l2tp_pw *pw;           /* the call for it, NULL when none */
	struct l2tp_pw *eth_pw;       /* the call eth belongs to */
	struct dp_eth eth;
	bool eth_open;                /* the data plane has the session and interface */
	uint64_t ups, kfail, up_since;
};

/* A StopCCN or CDN decided while actions were executed (kernel failures). */
struct lcce_close {
	uint32_t ccid, sid;           /* sid 0: the connection */
	uint16_t result, error;
};
#define LCCE_MAX_CLOSES 32

struct eng_lcce {
	struct engine *e;
	struct lnsd_conf *conf;       /* the generation the cfg points into (a reference) */
	struct l2tp_lcce *lcce;
	struct l2tp_lcce_cfg cfg;
	struct l2tp_lcce_peer_cfg *peers;
	size_t n_peers;
	uint32_t *reqids;             /* per peer: its pseudowires' SA reqid, 0: no IPsec (§5.6) */
	struct l2tp_lcce_pw_cfg *pwcfgs;
	struct pw_slot *slots;        /* slots[i] belongs to pwcfgs[i] */
	size_t n_slots;
	struct lcce_listener *ipl;    /* L2TP/IP listeners */
	size_t n_ipl;
	ev_timer timer;
	ev_io lev;                    /* link events of the data plane; fd -1: not open */
	bool lev_on;
	struct lcce_actions acts;
	struct lcce_close closes[LCCE_MAX_CLOSES];
	size_t n_closes;
	bool freeing;
	bool held;                    /* protected pseudowires: no dialling before charon's trap */
	uint8_t rx[4 + ENG_RX_BUF];
};

static void execute(struct eng_lcce *l);

/* ---- sockets ------------------------------------------------------------ */

static void cc_readable(struct ev_loop *loop, ev_io *w, int revents);

static void cc_sock_set(struct eng_lcce *l, struct eng_cc *ec, int fd)
{
	ec->fd = fd;
	ev_io_init(&ec->io, cc_readable, fd, EV_READ);
	eng_socket_priority(&ec->io);
	ev_io_start(l->e->loop, &ec->io);
}

static struct eng_cc *ec_of(struct eng_lcce *l, struct l2tp_cc *cc)
{
	struct eng_cc *ec;

	if (!cc)
		return NULL;
	if (cc->user)
		return cc->user;
	ec = calloc(1, sizeof(*ec));
	if (!ec)
		return NULL;
	ec->l = l;
	ec->fd = -1;
	ec->encap = cc->peer_cfg->encap;
	ec->ccid = cc->ccid;
	ec->created_ms = engine_now_ms();
	cc->user = ec;
	return ec;
}

/*
 * A protected pseudowire's socket (docs/design.md §5.6): ESP transport
 * policies in and out, the outbound template naming the SA's static reqid
 * (the kernel's ACQUIRE for the first SCCRQ then reaches charon's trap), the
 * inbound one the same (0 on a listener: any ESP SA, never cleartext). Set
 * once bound and connected: a policy before connect() makes the route lookup
 * of connect() fail with EAGAIN while no SA exists, and setting it drops the
 * socket's cached route, so every later send goes through the policy. What
 * was queued before it is read and dropped. reqid 0: no IPsec, nothing done.
 */
static int esp_protect(struct eng_lcce *l, int fd, uint8_t family, uint32_t reqid)
{
	uint8_t b[64];
	int rc;

	if (!reqid)
		return 0;
	rc = dp_xfrm_require_esp_split(fd, family == 6 ? AF_INET6 : AF_INET,
				       reqid == UINT32_MAX ? 0 : reqid,
				       reqid == UINT32_MAX ? 0 : reqid);
	if (rc < 0) {
		log_err("L2TPv3: ESP policies on a pseudowire's socket: %s (xfrm_user, "
			"CAP_NET_ADMIN?); it stays closed", strerror(-rc));
		return rc;
	}
	while (recv(fd, b, sizeof(b), MSG_DONTWAIT | MSG_TRUNC) >= 0)
		l->e->drops[ENG_DROP_IPSEC_SA]++;
	return 0;
}

/* The connection's L2TP/IP socket, bound to its ID (sends go out on it too). */
static int cc_ip_socket(struct eng_lcce *l, struct l2tp_cc *cc, struct eng_cc *ec)
{
	struct sockaddr_storage ls, ps;
	struct lns_addr local = cc->local, peer = cc->peer;
	int fd;

	local.port = peer.port = 0;
	addr_to_sa(&local, &ls);
	addr_to_sa(&peer, &ps);
	fd = dp_l2tp_ip_socket((struct sockaddr *)&ls, (struct sockaddr *)&ps, cc->ccid,
			       cc->peer_ccid);
	if (fd < 0)
		return fd;
	if (esp_protect(l, fd, local.family, l->reqids[cc->peer_cfg - l->peers]) < 0) {
		close(fd);
		return -EPERM;
	}
	ec->local = cc->local;
	ec->peer = cc->peer;
	cc_sock_set(l, ec, fd);
	return 0;
}

static void count_send_error(struct eng_lcce *l, const struct lns_addr *peer, int err)
{
	char p[LNS_ADDR_STRLEN];

	l->e->drops[ENG_DROP_SEND_ERROR]++;
	log_ratelimited(engine_now_ms(), eng_drop_str(ENG_DROP_SEND_ERROR),
			"L2TPv3: send to %s failed: %s", lns_addr_str(peer, p, sizeof(p)),
			strerror(-err));
}

static struct lcce_listener *ip_listener_for(struct eng_lcce *l, const struct lns_addr *local)
{
	for (size_t i = 0; i < l->n_ipl; i++)
		if (l->ipl[i].addr.family == local->family &&
		    memcmp(l->ipl[i].addr.addr, local->addr, 16) == 0)
			return &l->ipl[i];
	return NULL;
}

static void do_send(struct eng_lcce *l, const struct lcce_action *a)
{
	const uint8_t *buf = l->acts.buf + a->off;
	size_t len = a->len;
	struct eng_cc *ec = a->cc ? ec_of(l, a->cc) : NULL;
	int rc = 0;

	if (a->encap == L2TP_ENCAP_IP) {
		/* the kernel puts the zero Session ID in front */
		if (len < 4)
			return;
		buf += 4;
		len -= 4;
		if (ec && ec->fd < 0)
			rc = cc_ip_socket(l, a->cc, ec);
		if (rc == 0 && ec) {
			rc = send(ec->fd, buf, len, MSG_DONTWAIT) < 0 ? -errno : 0;
		} else if (rc == 0) {
			struct lcce_listener *li = ip_listener_for(l, &a->local);
			struct sockaddr_storage to;
			struct lns_addr peer = a->peer;
			socklen_t tl;

			peer.port = 0;
			tl = addr_to_sa(&peer, &to);
			if (!li)
				rc = -ENOENT;
			else if (sendto(li->fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&to, tl) < 0)
				rc = -errno;
		}
	} else if (ec && ec->fd >= 0) {
		rc = send(ec->fd, buf, len, MSG_DONTWAIT) < 0 ? -errno : 0;
	} else {
		rc = eng_send_from_listener(l->e, &a->local, &a->peer, buf, len);
	}
	if (rc < 0)
		count_send_error(l, &a->peer, rc);
}

static void input(struct eng_lcce *l, enum l2tp_encap encap, const struct lns_addr *peer,
		  const struct lns_addr *local, const uint8_t *pkt, size_t len)
{
	l2tp_lcce_input(l->lcce, peer, local, encap, pkt, len, engine_now_ms(), &l->acts);
	execute(l);
}

/* Read an L2TP/IP socket into l->rx + 4 (the zero Session ID before it): its length or 0. */
static size_t ip_read(struct eng_lcce *l, int fd, struct lns_addr *peer, bool *again)
{
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	ssize_t n;

	memset(&from, 0, sizeof(from));
	n = recvfrom(fd, l->rx + 4, sizeof(l->rx) - 4, MSG_DONTWAIT | MSG_TRUNC,
		     (struct sockaddr *)&from, &fl);
	if (n < 0) {
		*again = errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
		if (!*again)
			l->e->drops[ENG_DROP_RECV_ERROR]++;
		*again = true;
		return 0;
	}
	if ((size_t)n > sizeof(l->rx) - 4) {
		l->e->drops[ENG_DROP_OVERSIZED]++;
		return 0;
	}
	if (sa_to_addr(&from, peer)) {
		l->e->drops[ENG_DROP_BAD_FAMILY]++;
		return 0;
	}
	peer->port = 0;
	memset(l->rx, 0, 4);
	return (size_t)n + 4;
}

static void cc_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct eng_cc *ec = (struct eng_cc *)w;
	struct eng_lcce *l = ec->l;

	(void)loop;
	(void)revents;
	for (int i = 0; i < ENG_RX_BATCH; i++) {
		struct lns_addr peer, local = ec->local;
		bool again = false;
		size_t n;

		if (ec->encap == L2TP_ENCAP_IP) {
			n = ip_read(l, ec->fd, &peer, &again);
			local.port = 0;
		} else {
			struct sockaddr_storage from;
			socklen_t fl = sizeof(from);
			ssize_t r = recvfrom(ec->fd, l->rx, sizeof(l->rx), MSG_DONTWAIT | MSG_TRUNC,
					     (struct sockaddr *)&from, &fl);

			if (r < 0) {
				if (errno == ECONNREFUSED || errno == EHOSTUNREACH)
					l->e->drops[ENG_DROP_ICMP_ERROR]++;
				break;
			}
			if ((size_t)r > sizeof(l->rx) || sa_to_addr(&from, &peer)) {
				l->e->drops[ENG_DROP_OVERSIZED]++;
				continue;
			}
			n = (size_t)r;
		}
		if (again)
			break;
		if (n == 0)
			continue;
		/* input() may free ec (CC_FREE): nothing of it is used afterwards */
		if (ec->encap == L2TP_ENCAP_IP) {
			input(l, L2TP_ENCAP_IP, &peer, &local, l->rx, n);
			return;
		}
		if (n >= 2 && (l->rx[1] & 0x0f) != 3)
			continue;   /* v2 on a v3 connection's 4-tuple: not ours */
		input(l, L2TP_ENCAP_UDP, &peer, &local, l->rx, n);
		return;
	}
}

static void ipl_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct lcce_listener *li = (struct lcce_listener *)w;
	struct eng_lcce *l = li->l;

	(void)loop;
	(void)revents;
	for (int i = 0; i < ENG_RX_BATCH; i++) {
		struct lns_addr peer;
		bool again = false;
		size_t n = ip_read(l, li->fd, &peer, &again);

		if (again)
			break;
		if (n)
			input(l, L2TP_ENCAP_IP, &peer, &li->addr, l->rx, n);
	}
}

void eng_lcce_input_udp(struct eng_lcce *l, const struct lns_addr *peer,
			const struct lns_addr *local, const uint8_t *pkt, size_t len)
{
	if (l)
		input(l, L2TP_ENCAP_UDP, peer, local, pkt, len);
}

/* ---- the data plane ----------------------------------------------------- */

static void queue_close(struct eng_lcce *l, uint32_t ccid, uint32_t sid, uint16_t result)
{
	if (l->n_closes < LCCE_MAX_CLOSES)
		l->closes[l->n_closes++] = (struct lcce_close){ ccid, sid, result, 0 };
}

static void cc_kernel_create(struct eng_lcce *l, const struct lcce_action *a)
{
	struct engine *e = l->e;
	struct eng_cc *ec = ec_of(l, a->cc);
	struct dp_tunnel_cfg tc;
	char kb[320];
	int rc = 0;

	if (!e->dp->sessions)
		return;   /* control plane only */
	if (!ec) {
		queue_close(l, a->ccid, 0, L2TP_STOPCCN_GENERAL_ERROR);
		return;
	}
	if (ec->fd < 0 && a->encap == L2TP_ENCAP_IP) {
		rc = cc_ip_socket(l, a->cc, ec);
	} else if (ec->fd < 0) {
		eng_listeners_share(e, &a->cc->local, true);
		rc = eng_tunnel_socket(e->conf, &a->cc->local, &a->cc->peer, 0);
		eng_listeners_share(e, &a->cc->local, false);
		if (rc >= 0) {
			ec->local = a->cc->local;
			ec->peer = a->cc->peer;
			cc_sock_set(l, ec, rc);
			rc = 0;
		}
	}
	if (rc == 0) {
		tc = (struct dp_tunnel_cfg){ .tid = a->ccid, .peer_tid = a->peer_ccid, .version = 3,
					     .encap = a->encap == L2TP_ENCAP_IP ? DP_ENCAP_IP
										: DP_ENCAP_UDP,
					     .fd = ec->fd };
		rc = dp_tunnel_create(e->dp, &tc);
	}
	if (rc < 0) {
		log_err("L2TPv3 connection %u/%u: kernel tunnel: %s", a->ccid, a->peer_ccid,
			eng_kerr(e->dp->ext_ack, rc, kb, sizeof(kb)));
		queue_close(l, a->ccid, 0, L2TP_STOPCCN_GENERAL_ERROR);
		return;
	}
	ec->dp_tunnel = true;
}

static void eth_close(struct eng_lcce *l, struct pw_slot *s)
{
	if (s->eth_open)
		dp_eth_close(l->e->dp, &s->eth);
	s->eth_open = false;
	s->eth_pw = NULL;
	s->up_since = 0;
}

static void link_event(void *ctx, int ifindex, const char *ifname, const struct dp_link_state *st,
		       bool deleted)
{
	struct eng_lcce *l = ctx;

	(void)ifname;
	for (size_t i = 0; i < l->n_slots; i++) {
		struct pw_slot *s = &l->slots[i];
		bool up = !deleted && dp_link_usable(st);

		if (!s->eth_open || s->eth.ifindex != ifindex || !s->eth_pw)
			continue;
		if (up == s->eth_pw->local_up)
			continue;
		log_notice("pseudowire %s: interface %s %s: circuit status to the peer", s->cp->name,
			   s->eth.ifname, up ? "usable" : "down");
		l2tp_lcce_circuit(l->lcce, s->eth_pw->cc->ccid, s->eth_pw->sid, up, engine_now_ms(),
				  &l->acts);
		execute(l);
		return;
	}
}

static void lev_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct eng_lcce *l = (struct eng_lcce *)((char *)w - offsetof(struct eng_lcce, lev));

	(void)loop;
	(void)revents;
	if (dp_link_events_read(l->e->dp, link_event, l) == -ENOBUFS) {
		/* events were lost: ask each interface */
		for (size_t i = 0; i < l->n_slots; i++) {
			struct pw_slot *s = &l->slots[i];
			struct dp_link_state st;

			if (s->eth_open && dp_link_state(l->e->dp, s->eth.ifindex, &st) == 0)
				link_event(l, s->eth.ifindex, s->eth.ifname, &st, false);
		}
	}
}

static void pw_kernel_create(struct eng_lcce *l, const struct lcce_action *a)
{
	struct engine *e = l->e;
	struct l2tp_pw *pw = a->pw;
	struct pw_slot *s = pw->cfg->user;
	const struct conf_pw *cp = s->cp;
	struct eng_cc *ec = ec_of(l, pw->cc);
	struct dp_eth_cfg c;
	char kb[320];
	int rc;

	eth_close(l, s);
	s->eth_pw = pw;
	s->ups++;
	s->up_since = engine_now_ms();
	if (!e->dp->sessions)
		return;   /* control plane only: the pseudowire is up without a data path */
	memset(&c, 0, sizeof(c));
	c.s.tid = pw->cc->ccid;
	c.s.peer_tid = pw->cc->peer_ccid;
	c.s.sid = pw->sid;
	c.s.peer_sid = pw->peer_sid;
	c.s.pw = pw->cfg->pw_type == L2TP_PW_ETH_VLAN ? DP_PW_ETH_VLAN : DP_PW_ETH;
	c.s.send_seq = pw->send_seq;
	c.s.recv_seq = pw->recv_seq;
	c.s.rx_cookie_len = pw->rx_cookie_len;
	memcpy(c.s.rx_cookie, pw->rx_cookie, pw->rx_cookie_len);
	c.s.tx_cookie_len = pw->tx_cookie_len;
	memcpy(c.s.tx_cookie, pw->tx_cookie, pw->tx_cookie_len);
	c.s.l2spec = pw->l2spec == L2TP_L2SUB_DEFAULT ? DP_L2SPEC_DEFAULT : DP_L2SPEC_NONE;
	c.s.ifname = cp->ifname[0] ? cp->ifname : NULL;
	c.encap = pw->cc->peer_cfg->encap == L2TP_ENCAP_IP ? DP_ENCAP_IP : DP_ENCAP_UDP;
	c.tunnel_fd = ec ? ec->fd : -1;
	c.mtu = cp->mtu;
	c.bridge = cp->bridge[0] ? cp->bridge : NULL;
	if (cp->address.family == 4) {
		memcpy(&c.addr4, cp->address.addr, 4);
		c.plen4 = cp->address.prefix;
	}
	rc = ec && ec->dp_tunnel ? dp_eth_open(e->dp, &s->eth, &c) : -ENOENT;
	if (rc < 0) {
		log_err("pseudowire %s: kernel session %u/%u: %s: CDN", cp->name, pw->cc->ccid,
			pw->sid, rc == -ENOENT ? "no kernel tunnel"
					       : eng_kerr(e->dp->ext_ack, rc, kb, sizeof(kb)));
		s->kfail++;
		s->eth_pw = NULL;
		s->up_since = 0;
		queue_close(l, pw->cc->ccid, pw->sid, L2TP_CDN_GENERAL_ERROR);
		return;
	}
	s->eth_open = true;
	log_notice("pseudowire %s: %s up, mtu %u%s%s", cp->name, s->eth.ifname, s->eth.mtu,
		   c.bridge ? ", bridge " : "", c.bridge ? c.bridge : "");
	if (!l->lev_on) {
		int fd = dp_link_events_open(e->dp);

		if (fd >= 0) {
			ev_io_init(&l->lev, lev_readable, fd, EV_READ);
			ev_io_start(e->loop, &l->lev);
			l->lev_on = true;
		}
	}
}

/* ---- actions ------------------------------------------------------------ */

static const char *cc_state_name(int s)
{
	return s < 0 ? "new" : l2tp_cc_state_str((enum l2tp_cc_state)s);
}

static const char *pw_state_name(int s)
{
	return s < 0 ? "new" : l2tp_pw_state_str((enum l2tp_pw_state)s);
}

static void cc_free(struct eng_lcce *l, struct l2tp_cc *cc)
{
	struct eng_cc *ec = cc ? cc->user : NULL;

	if (!ec)
		return;
	if (ec->fd >= 0) {
		ev_io_stop(l->e->loop, &ec->io);
		close(ec->fd);   /* takes the kernel tunnel with it */
	}
	cc->user = NULL;
	free(ec);
}

static void execute_list(struct eng_lcce *l)
{
	char p[LNS_ADDR_STRLEN];

	for (size_t i = 0; i < l->acts.n; i++) {
		const struct lcce_action *a = &l->acts.v[i];
		struct pw_slot *s = a->pw ? a->pw->cfg->user : NULL;

		switch (a->type) {
		case LCCE_ACT_SEND:
			do_send(l, a);
			break;
		case LCCE_ACT_CC_STATE:
			log_msg(a->new_state == L2TP_CC_ESTABLISHED || a->new_state == L2TP_CC_DEAD
					? LOG_LVL_NOTICE : LOG_LVL_INFO,
				"L2TPv3 connection %u/%u %s %s (%s): %s -> %s%s", a->cc->ccid,
				a->cc->peer_ccid, a->cc->originated ? "to" : "from",
				lns_addr_str(&a->cc->peer, p, sizeof(p)),
				a->cc->peer_cfg->encap == L2TP_ENCAP_IP ? "ip" : "udp",
				cc_state_name(a->old_state), cc_state_name(a->new_state),
				a->result ? " (StopCCN)" : "");
			if (a->result)
				log_info("L2TPv3 connection %u: result %u error %u", a->cc->ccid,
					 a->result, a->error);
			break;
		case LCCE_ACT_CC_KERNEL_CREATE:
			cc_kernel_create(l, a);
			break;
		case LCCE_ACT_CC_KERNEL_DELETE: {
			struct eng_cc *ec = a->cc->user;

			if (ec && ec->dp_tunnel) {
				dp_tunnel_delete(l->e->dp, a->cc->ccid);
				ec->dp_tunnel = false;
			}
			break;
		}
		case LCCE_ACT_CC_FREE:
			cc_free(l, a->cc);
			break;
		case LCCE_ACT_PW_STATE:
			if (a->old_state < 0)
				s->pw = a->pw;
			log_notice("pseudowire %s: call %u/%u on connection %u: %s -> %s%s",
				   s->cp->name, a->pw->sid, a->pw->peer_sid, a->pw->cc->ccid,
				   pw_state_name(a->old_state), pw_state_name(a->new_state),
				   a->new_state == L2TP_PW_DEAD && a->pw->result ? " (CDN)" : "");
			if (a->new_state == L2TP_PW_DEAD && a->pw->result)
				log_info("pseudowire %s: result %u error %u", s->cp->name,
					 a->pw->result, a->pw->error);
			break;
		case LCCE_ACT_PW_KERNEL_CREATE:
			pw_kernel_create(l, a);
			break;
		case LCCE_ACT_PW_KERNEL_DELETE:
			if (s->eth_pw == a->pw)
				eth_close(l, s);
			break;
		case LCCE_ACT_PW_CIRCUIT:
			log_notice("pseudowire %s: the peer's circuit is %s", s->cp->name,
				   a->up ? "up" : "down");
			break;
		case LCCE_ACT_PW_FREE:
			if (s->eth_pw == a->pw)
				eth_close(l, s);
			if (s->pw == a->pw)
				s->pw = NULL;
			break;
		case LCCE_ACT_NOTICE:
			log_ratelimited(engine_now_ms(), a->reason, "L2TPv3 from %s: %s",
					lns_addr_str(&a->peer, p, sizeof(p)), a->reason);
			break;
		}
	}
	if (l->acts.oom)
		log_ratelimited(engine_now_ms(), "actions lost", "out of memory: actions were lost");
	lcce_actions_reset(&l->acts);
}

static void rearm(struct eng_lcce *l)
{
	uint64_t dl = l2tp_lcce_next_deadline(l->lcce), now = engine_now_ms();

	ev_timer_stop(l->e->loop, &l->timer);
	if (dl == UINT64_MAX || l->freeing || l->held)
		return;
	ev_timer_set(&l->timer, dl > now ? (double)(dl - now + 1) / 1000.0 : 0.0, 0.0);
	ev_timer_start(l->e->loop, &l->timer);
}

static void execute(struct eng_lcce *l)
{
	execute_list(l);
	while (l->n_closes) {
		struct lcce_close c = l->closes[--l->n_closes];

		if (c.sid)
			l2tp_lcce_close_pw(l->lcce, c.ccid, c.sid, c.result, c.error,
					   engine_now_ms(), &l->acts);
		else
			l2tp_lcce_close_cc(l->lcce, c.ccid, c.result, c.error, engine_now_ms(),
					   &l->acts);
		execute_list(l);
	}
	rearm(l);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct eng_lcce *l = (struct eng_lcce *)((char *)w - offsetof(struct eng_lcce, timer));

	(void)loop;
	(void)revents;
	l2tp_lcce_tick(l->lcce, engine_now_ms(), &l->acts);
	execute(l);
}

/* ---- configuration ------------------------------------------------------ */

static bool same_peer(const struct conf_pw *a, const struct conf_pw *b)
{
	return a->encap == b->encap && lns_addr_eq(&a->peer, &b->peer) &&
	       lns_addr_eq(&a->local, &b->local);
}

/* Our address and L2TP port towards the peer of a UDP pseudowire: its listener's. */
static struct lns_addr udp_local(const struct lnsd_conf *c, const struct conf_pw *cp)
{
	struct lns_addr a = cp->local;

	for (size_t i = 0; i < c->n_listen; i++) {
		const struct lns_addr *li = &c->listen[i];
		static const uint8_t zero[16];

		if (li->family != cp->peer.family)
			continue;
		if (!a.family) {
			a = *li;
			return a;
		}
		if (memcmp(li->addr, a.addr, 16) == 0 || memcmp(li->addr, zero, 16) == 0) {
			a.port = li->port;
			return a;
		}
	}
	if (!a.port)
		a.port = 1701;
	return a;
}

static int open_ip_listener(struct eng_lcce *l, const struct lns_addr *a, char *err,
			    size_t errlen)
{
	struct lcce_listener *li;
	struct sockaddr_storage ss;
	char as[LNS_ADDR_STRLEN];
	int fd;

	if (ip_listener_for(l, a))
		return 0;
	addr_to_sa(a, &ss);
	fd = dp_l2tp_ip_socket((struct sockaddr *)&ss, NULL, 0, 0);
	if (fd < 0) {
		snprintf(err, errlen, "L2TP/IP listener on %s: %s (module l2tp_ip loaded?)",
			 lns_addr_str(a, as, sizeof(as)), strerror(-fd));
		return -1;
	}
	li = &l->ipl[l->n_ipl++];
	li->l = l;
	li->fd = fd;
	li->addr = *a;
	ev_io_init(&li->io, ipl_readable, fd, EV_READ);
	eng_socket_priority(&li->io);
	ev_io_start(l->e->loop, &li->io);
	log_info("listening for L2TPv3 over IP on %s", lns_addr_str(a, as, sizeof(as)));
	return 0;
}

/* The L2TP/IP listener of a protected pseudowire (its local address's one; §5.6). */
static int protect_ip_listener(struct eng_lcce *l, size_t g, const struct conf_pw *first,
			       char *err, size_t errlen)
{
	struct lcce_listener *li = ip_listener_for(l, &l->peers[g].local);
	char as[LNS_ADDR_STRLEN];

	l->reqids[g] = ipsec_pw_reqid(l->conf, (size_t)(first - l->conf->pws));
	if (!l->reqids[g] || !li || li->esp)
		return 0;
	/* any ESP SA in (SCCRQs of every protected peer), nothing out in the clear */
	if (esp_protect(l, li->fd, li->addr.family, UINT32_MAX) < 0) {
		snprintf(err, errlen, "L2TP/IP listener on %s: cannot set its ESP policies",
			 lns_addr_str(&li->addr, as, sizeof(as)));
		return -1;
	}
	li->esp = true;
	log_info("L2TPv3 over IP on %s: ESP only (IPsec)", lns_addr_str(&li->addr, as,
									sizeof(as)));
	return 0;
}

static enum l2tp_lcce_role role_of(enum conf_pw_role r)
{
	return r == CONF_PW_ROLE_INITIATOR ? L2TP_LCCE_INITIATOR
	       : r == CONF_PW_ROLE_RESPONDER ? L2TP_LCCE_RESPONDER : L2TP_LCCE_BOTH;
}

static int build_cfg(struct eng_lcce *l, char *err, size_t errlen)
{
	const struct lnsd_conf *c = l->conf;
	size_t n = c->n_pws, k = 0;
	size_t *grp = calloc(n, sizeof(*grp));

	l->peers = calloc(n, sizeof(*l->peers));
	l->pwcfgs = calloc(n, sizeof(*l->pwcfgs));
	l->slots = calloc(n, sizeof(*l->slots));
	l->ipl = calloc(n, sizeof(*l->ipl));
	l->reqids = calloc(n, sizeof(*l->reqids));
	if (!grp || !l->peers || !l->pwcfgs || !l->slots || !l->ipl || !l->reqids) {
		free(grp);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	l->n_slots = n;
	/* one peer per (peer, local, encap), its pseudowires together */
	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < i && !same_peer(&c->pws[j], &c->pws[i]); j++)
			;
		grp[i] = j < i ? grp[j] : l->n_peers++;
	}
	for (size_t g = 0; g < l->n_peers; g++) {
		struct l2tp_lcce_peer_cfg *pc = &l->peers[g];
		const struct conf_pw *first = NULL;

		pc->pws = &l->pwcfgs[k];
		for (size_t i = 0; i < n; i++) {
			const struct conf_pw *cp = &c->pws[i];
			struct l2tp_lcce_pw_cfg *w = &l->pwcfgs[k];

			if (grp[i] != g)
				continue;
			if (!first)
				first = cp;
			w->name = cp->name;
			w->remote_end_id = (const uint8_t *)cp->remote_end_id;
			w->remote_end_id_len = strlen(cp->remote_end_id);
			w->pw_type = cp->type == CONF_PW_ETHERNET_VLAN ? L2TP_PW_ETH_VLAN : L2TP_PW_ETH;
			w->cookie_len = cp->cookie_len;
			w->l2spec = cp->l2spec == CONF_PW_L2SPEC_DEFAULT ? L2TP_L2SUB_DEFAULT
									 : L2TP_L2SUB_NONE;
			w->sequencing = cp->sequencing;
			w->role = role_of(cp->role);
			w->user = &l->slots[k];
			l->slots[k].cp = cp;
			l->slots[k].peer = pc;
			if (cp->role != CONF_PW_ROLE_RESPONDER)
				pc->initiate = true;
			pc->n_pws++;
			k++;
		}
		pc->name = first->name;
		pc->encap = first->encap == CONF_PW_ENCAP_IP ? L2TP_ENCAP_IP : L2TP_ENCAP_UDP;
		pc->addr = first->peer;
		if (first->encap == CONF_PW_ENCAP_IP) {
			pc->addr.port = 0;
			pc->local = first->local;
			pc->local.port = 0;
			if (open_ip_listener(l, &pc->local, err, errlen)) {
				free(grp);
				return -1;
			}
			if (protect_ip_listener(l, g, first, err, errlen)) {
				free(grp);
				return -1;
			}
		} else {
			pc->local = udp_local(c, first);
		}
		pc->auth = first->auth == CONF_PW_AUTH_DIGEST ? L2TP_LCCE_AUTH_DIGEST
			   : first->auth == CONF_PW_AUTH_CHALLENGE ? L2TP_LCCE_AUTH_CHALLENGE
								   : L2TP_LCCE_AUTH_NONE;
		pc->digest = first->digest == CONF_PW_DIGEST_SHA1 ? L2TP_DIGEST_HMAC_SHA1
								  : L2TP_DIGEST_HMAC_MD5;
		pc->secret = (const uint8_t *)first->secret;
		pc->secret_len = strlen(first->secret);
		if (first->hello_interval_ms)
			l->cfg.hello_interval_ms = first->hello_interval_ms;
		if (first->retry_min_ms)
			l->cfg.redial_min_ms = first->retry_min_ms;
		if (first->retry_max_ms)
			l->cfg.redial_max_ms = first->retry_max_ms;
		if (!l->cfg.router_id && pc->local.family == 4)
			l->cfg.router_id = (uint32_t)pc->local.addr[0] << 24 |
					   (uint32_t)pc->local.addr[1] << 16 |
					   (uint32_t)pc->local.addr[2] << 8 | pc->local.addr[3];
	}
	free(grp);
	l->cfg.peers = l->peers;
	l->cfg.n_peers = l->n_peers;
	while (!l->cfg.router_id)
		eng_rand_bytes(l, &l->cfg.router_id, sizeof(l->cfg.router_id));
	return 0;
}

struct eng_lcce *eng_lcce_new(struct engine *e, struct lnsd_conf *conf, char *err,
			      size_t errlen)
{
	struct eng_lcce *l = calloc(1, sizeof(*l));

	if (!l) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->e = e;
	l->conf = conf_ref(conf);
	lcce_actions_init(&l->acts);
	ev_init(&l->timer, timer_cb);
	l2tp_lcce_cfg_default(&l->cfg);
	snprintf(l->cfg.hostname, sizeof(l->cfg.hostname), "%s", conf->hostname);
	l->cfg.rel.our_rws = (uint16_t)conf->receive_window;
	l->cfg.rel.rto_initial_ms = conf->retransmit_timeout_ms;
	l->cfg.rel.rto_cap_ms = conf->retransmit_cap_ms;
	l->cfg.rel.max_retries = conf->retransmit_retries;
	l->cfg.hello_interval_ms = conf->hello_interval_ms;
	l->cfg.setup_timeout_ms = conf->setup_timeout_ms;
	l->cfg.stopccn_hold_ms = conf->stopccn_hold_ms;
	l->cfg.rand_bytes = eng_rand_bytes;
	l->cfg.rand_ctx = l;
	if (build_cfg(l, err, errlen))
		goto fail;
	l->lcce = l2tp_lcce_new(&l->cfg, engine_now_ms());
	if (!l->lcce) {
		snprintf(err, errlen, "L2TPv3: cannot start the LCCE (out of memory)");
		goto fail;
	}
	log_notice("L2TPv3: %zu pseudowires to %zu peers", l->n_slots, l->n_peers);
	/*
	 * The initiators dial from the first timer on; with IPsec only once
	 * charon has the trap: an SCCRQ before it leaves an ACQUIRE charon
	 * cannot serve, and the kernel's larval state then holds back the next
	 * ones until it expires (docs/design.md §5.6).
	 */
	for (size_t g = 0; g < l->n_peers; g++)
		l->held |= l->reqids[g] != 0;
	if (!l->held) {
		ev_timer_set(&l->timer, 0.0, 0.0);
		ev_timer_start(e->loop, &l->timer);
	} else {
		log_info("L2TPv3: protected pseudowires dial once charon has their connections");
	}
	return l;
fail:
	eng_lcce_free(l);
	return NULL;
}

void eng_lcce_free(struct eng_lcce *l)
{
	struct l2tp_cc *cc;

	if (!l)
		return;
	if (l->lcce) {
		l2tp_lcce_shutdown(l->lcce, engine_now_ms(), &l->acts);
		l->freeing = true;
		execute(l);
	}
	l->freeing = true;
	ev_timer_stop(l->e->loop, &l->timer);
	for (size_t i = 0; i < l->n_slots; i++)
		eth_close(l, &l->slots[i]);
	if (l->lcce)
		for (cc = l2tp_lcce_next_cc(l->lcce, NULL); cc; cc = l2tp_lcce_next_cc(l->lcce, cc))
			cc_free(l, cc);
	if (l->lev_on)
		ev_io_stop(l->e->loop, &l->lev);   /* the fd is the data plane's */
	for (size_t i = 0; i < l->n_ipl; i++) {
		ev_io_stop(l->e->loop, &l->ipl[i].io);
		close(l->ipl[i].fd);
	}
	l2tp_lcce_free(l->lcce);
	lcce_actions_free(&l->acts);
	free(l->ipl);
	free(l->reqids);
	free(l->slots);
	free(l->pwcfgs);
	free(l->peers);
	conf_unref(l->conf);
	free(l);
}

bool eng_lcce_conf_changed(const struct eng_lcce *l, const struct lnsd_conf *conf)
{
	if (!l)
		return conf->n_pws != 0;
	if (conf->n_pws != l->conf->n_pws || strcmp(conf->hostname, l->conf->hostname) != 0)
		return true;
	for (size_t i = 0; i < conf->n_pws; i++)
		if (!conf_pw_same(&conf->pws[i], &l->conf->pws[i]))
			return true;
	return false;
}

/* ---- what lnsctl and /metrics see --------------------------------------- */

size_t eng_lcce_n_pws(const struct eng_lcce *l)
{
	return l ? l->n_slots : 0;
}

const struct l2tp_lcce_stats *eng_lcce_stats(const struct eng_lcce *l)
{
	return l ? l2tp_lcce_stats(l->lcce) : NULL;
}

void eng_lcce_pw_info(struct eng_lcce *l, size_t i, struct eng_pw_info *o)
{
	const struct pw_slot *s = &l->slots[i];
	const struct conf_pw *cp = s->cp;
	const struct l2tp_cc *cc = NULL, *c;

	memset(o, 0, sizeof(*o));
	o->name = cp->name;
	o->peer = cp->peer;
	if (cp->encap == CONF_PW_ENCAP_IP)
		o->peer.port = 0;   /* no port over IP */
	o->encap = cp->encap == CONF_PW_ENCAP_IP ? "ip" : "udp";
	o->pw_type = cp->type == CONF_PW_ETHERNET_VLAN ? L2TP_PW_ETH_VLAN : L2TP_PW_ETH;
	o->remote_end_id = cp->remote_end_id;
	o->cookie_len = cp->cookie_len;
	o->ifname = s->eth_open ? s->eth.ifname : "";
	o->ifindex = s->eth_open ? s->eth.ifindex : 0;
	o->ups = s->ups;
	o->kernel_failures = s->kfail;
	o->state = "idle";
	for (c = l2tp_lcce_next_cc(l->lcce, NULL); c; c = l2tp_lcce_next_cc(l->lcce, c))
		if (c->peer_cfg == s->peer && (!cc || c->state == L2TP_CC_ESTABLISHED))
			cc = c;
	if (cc) {
		o->ccid = cc->ccid;
		o->peer_ccid = cc->peer_ccid;
		o->state = cc->state == L2TP_CC_ESTABLISHED ? "connected"
			   : cc->state == L2TP_CC_CLOSING ? "closing" : "connecting";
	}
	if (s->pw) {
		o->ccid = s->pw->cc->ccid;
		o->peer_ccid = s->pw->cc->peer_ccid;
		o->sid = s->pw->sid;
		o->peer_sid = s->pw->peer_sid;
		o->cookie_len = s->pw->rx_cookie_len;
		o->peer_cookie_len = s->pw->tx_cookie_len;
		o->local_up = s->pw->local_up;
		o->remote_up = s->pw->remote_up;
		o->state = s->pw->state == L2TP_PW_ESTABLISHED ? "up" : "calling";
		o->up_since_ms = s->up_since;
	}
	if (s->eth_open)
		dp_session_stats(l->e->dp, s->eth.tid, s->eth.sid, &o->st);
}

size_t eng_lcce_n_ccs(const struct eng_lcce *l)
{
	size_t n = 0;

	if (!l)
		return 0;
	for (const struct l2tp_cc *c = l2tp_lcce_next_cc(l->lcce, NULL); c;
	     c = l2tp_lcce_next_cc(l->lcce, c))
		if (c->state != L2TP_CC_CLOSING && c->state != L2TP_CC_DEAD)
			n++;
	return n;
}

static void stats_add(struct dp_stats *t, const struct dp_stats *s)
{
	t->tx_packets += s->tx_packets;
	t->tx_bytes += s->tx_bytes;
	t->tx_errors += s->tx_errors;
	t->rx_packets += s->rx_packets;
	t->rx_bytes += s->rx_bytes;
	t->rx_errors += s->rx_errors;
	t->rx_seq_discards += s->rx_seq_discards;
	t->rx_oos_packets += s->rx_oos_packets;
	t->rx_cookie_discards += s->rx_cookie_discards;
	t->rx_invalid += s->rx_invalid;
}

bool eng_lcce_cc_info(struct eng_lcce *l, uint64_t from, bool closing, struct eng_cc_info *o)
{
	const struct l2tp_cc *cc = NULL;

	if (!l)
		return false;
	/* the lowest ID from `from` on: a cursor that survives connections coming and going */
	for (const struct l2tp_cc *c = l2tp_lcce_next_cc(l->lcce, NULL); c;
	     c = l2tp_lcce_next_cc(l->lcce, c)) {
		if (c->ccid < from || (!closing && (c->state == L2TP_CC_CLOSING ||
						    c->state == L2TP_CC_DEAD)))
			continue;
		if (!cc || c->ccid < cc->ccid)
			cc = c;
	}
	if (!cc)
		return false;
	memset(o, 0, sizeof(*o));
	o->ccid = cc->ccid;
	o->peer_ccid = cc->peer_ccid;
	o->state = l2tp_cc_state_str(cc->state);
	o->phase = cc->state == L2TP_CC_ESTABLISHED ? "established"
		   : cc->state == L2TP_CC_CLOSING || cc->state == L2TP_CC_DEAD ? "finishing"
									     : "starting";
	o->encap = cc->peer_cfg->encap == L2TP_ENCAP_IP ? "ip" : "udp";
	o->name = cc->peer_cfg->name;
	o->peer = cc->peer;
	o->local = cc->local;
	o->peer_hostname = cc->peer_hostname;
	o->created_ms = cc->user ? ((const struct eng_cc *)cc->user)->created_ms : 0;
	for (const struct l2tp_pw *pw = cc->pws; pw; pw = pw->next) {
		o->pws++;
		if (pw->state == L2TP_PW_ESTABLISHED)
			o->pws_up++;
	}
	for (size_t i = 0; i < l->n_slots; i++) {
		const struct pw_slot *s = &l->slots[i];
		struct dp_stats st;

		if (s->eth_open && s->eth_pw && s->eth_pw->cc == cc &&
		    dp_session_stats(l->e->dp, s->eth.tid, s->eth.sid, &st) == 0)
			stats_add(&o->st, &st);
	}
	return true;
}

/* ---- IPsec (docs/design.md §5.6) ----------------------------------------- */

void eng_lcce_ipsec_down(struct eng_lcce *l, const char *pw, const char *why)
{
	const struct l2tp_lcce_peer_cfg *peer = NULL;
	uint32_t ids[16];
	size_t n = 0;
	struct l2tp_cc *cc;

	if (!l || !l->lcce)
		return;
	for (size_t i = 0; i < l->n_slots && !peer; i++)
		if (strcmp(l->slots[i].cp->name, pw) == 0)
			peer = l->slots[i].peer;
	if (!peer)
		return;
	/* closing frees nothing yet, but collect the IDs before acting anyway */
	for (cc = l2tp_lcce_next_cc(l->lcce, NULL); cc && n < 16; cc = l2tp_lcce_next_cc(l->lcce, cc))
		if (cc->peer_cfg == peer && cc->state != L2TP_CC_CLOSING &&
		    cc->state != L2TP_CC_DEAD)
			ids[n++] = cc->ccid;
	for (size_t i = 0; i < n; i++) {
		log_notice("pseudowire %s: %s: closing L2TPv3 connection %u", pw, why, ids[i]);
		l2tp_lcce_close_cc(l->lcce, ids[i], L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_NONE,
				   engine_now_ms(), &l->acts);
		execute(l);
	}
}

void eng_lcce_ipsec_ready(struct eng_lcce *l)
{
	if (!l || !l->held)
		return;
	l->held = false;
	ev_timer_stop(l->e->loop, &l->timer);
	ev_timer_set(&l->timer, 0.0, 0.0);
	ev_timer_start(l->e->loop, &l->timer);
}
