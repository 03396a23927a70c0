// SPDX-License-Identifier: GPL-2.0-or-later
/* The engine: sockets and timers around the pure LNS control plane. */
#include "engine.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kg_ppp.h"
#include "kg_rtnl.h"
#include "kg_xfrm.h"
#include "ipsec.h"
#include "l2tp_msg.h"
#include "log.h"
#include "ppp_users.h"
#include "radius.h"

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

/* Per tunnel: kept small (docs/design.md §8). */
struct eng_tunnel {
	ev_io io;
	struct engine *eng;
	struct l2tp_tun *tun;         /* NULL once TUNNEL_FREE was executed */
	struct lnsd_conf *conf;       /* generation its peer_cfg points into */
	struct lns_addr local, peer;
	int fd;                       /* -1: replies go out through the listener */
	bool kernel;                  /* a managed kernel tunnel exists on fd */
	struct kg_l2tp_stats kst;     /* cached kernel counters */
	struct eng_tunnel *next_dead;
};

/*
 * Per kernel PPP session (docs/design.md §8: well under 2 KiB): the kernel
 * session's fds, the in-process PPP state and its timer.
 */
struct eng_session {
	ev_io chan_io, unit_io;
	ev_timer timer;
	struct engine *eng;
	struct l2tp_sess *sess;
	struct kg_ppp kp;
	int ifindex;
	uint32_t ip;                  /* peer address while IPCP is up */
	bool dead;                    /* PPP is over; the CDN is queued */
	bool was_up;                  /* IPCP opened once: setup latency counted */
	bool link_up;                 /* pppN has its MTU and is up (IPCP or IPV6CP) */
	bool ipv6;                    /* IPV6CP opened: peer_ifid is valid */
	bool attached;                /* kernel session and pppN exist; PPP runs */
	uint8_t create_tries;         /* SESSION_CREATE answered -EEXIST (6.12) */
	uint8_t peer_ifid[8];         /* the client's interface identifier */
	char username[64];            /* as the client sent it (cut to fit), username_len bytes */
	uint8_t username_len;
	char acct_sid[RAD_SESSION_ID_LEN + 1];   /* Acct-Session-Id (radius_attr.h) */
	uint32_t serial;              /* its low half; tells a late RADIUS reply apart */
	struct eng_aaa *aaa;          /* RADIUS state; NULL without [radius] */
	struct kg_l2tp_stats kst;     /* cached kernel counters */
	struct ppp_sess ppp;
};

/* A session's RADIUS state, allocated at its first Access-Request. */
struct eng_aaa {
	ev_timer timer;               /* Interim-Update, Session-Timeout, Idle-Timeout */
	struct eng_session *es;
	bool auth_pending;            /* an Access-Request is out */
	bool up;                      /* IPCP opened: Start sent (with accounting) */
	uint8_t method;               /* enum ppp_auth_method of the pending request */
	uint8_t n_routes;
	uint32_t interim_s, session_timeout_s, idle_timeout_s;
	uint32_t term_cause;          /* set when lnsd ends the session itself; 0: from PPP */
	uint64_t up_ms, next_interim_ms;
	uint64_t idle_since_ms, next_idle_ms, idle_packets;   /* pppN counters, Idle-Timeout */
	struct rad_route routes[RAD_MAX_ROUTES];
	size_t cls_len;
	uint8_t cls[RAD_VAL_MAX];     /* Class, echoed in accounting */
};

/* A CDN decided while actions were being executed: sent once they are done. */
struct eng_cdn {
	uint16_t tid, sid, result, error;
	const char *msg;              /* static text */
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
	/* kernel data plane */
	struct kg_l2tp kg;
	struct kg_rtnl rt;
	struct ppp_cfg ppp_cfg;       /* shared by every PPP session */
	char ppp_name[64];            /* CHAP name (ppp_cfg.auth.name) */
	struct ip_pool *pool;
	struct ppp_users *users;
	struct ppp_actions pacts;
	struct eng_cdn *cdns;         /* queued CDNs */
	size_t n_cdns, cap_cdns;
	uint64_t tstats_ms, sstats_ms;    /* when the kernel counters were dumped */
	struct eng_counters ctr;
	struct radius *radius;        /* [radius] client; NULL: users file */
	uint32_t start_time;          /* Unix seconds: high half of Acct-Session-Id */
	uint32_t next_serial;
	struct ipsec_mgr *ipsec;      /* [ipsec] mode = required, else NULL */
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

/* 10 ms (a LAN LAC, control plane only) to 30 s (setup-timeout's default). */
const uint32_t eng_setup_bucket_ms[ENG_SETUP_BUCKETS] = {
	10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 20000, 30000,
};

static void count_setup(struct engine *e, const struct l2tp_sess *s, uint64_t now)
{
	uint64_t ms = now > s->created_ms ? now - s->created_ms : 0;
	size_t i = 0;

	while (i < ENG_SETUP_BUCKETS && ms > eng_setup_bucket_ms[i])
		i++;
	e->ctr.setup_le[i]++;
	e->ctr.setup_count++;
	e->ctr.setup_sum_ms += ms;
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

socklen_t addr_to_sa(const struct lns_addr *a, struct sockaddr_storage *ss)
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

int sa_to_addr(const struct sockaddr_storage *ss, struct lns_addr *a)
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
static void session_free(struct engine *e, struct l2tp_sess *s);
static void aaa_down(struct engine *e, struct eng_session *es, uint32_t cause);
static void session_attach(struct engine *e, struct eng_session *es);

/* "Invalid argument (the kernel's extended-ack text)" */
static const char *kerr(const char *ext_ack, int rc, char *buf, size_t len)
{
	if (ext_ack && ext_ack[0])
		snprintf(buf, len, "%s (%s)", strerror(-rc), ext_ack);
	else
		snprintf(buf, len, "%s", strerror(-rc));
	return buf;
}


/*
 * The tunnel's own socket (docs/design.md §4.2): SO_REUSEADDR, bound to the local
 * address and port the SCCRQ arrived on, connected to the peer. The kernel
 * prefers the connected socket for the peer's datagrams; the listener keeps
 * everything else. SO_REUSEPORT is deliberately not set: with it, a connected
 * socket joins the listener's reuseport group and can steal new SCCRQs.
 * The bind succeeds only while the listener allows it (listeners_share()).
 */
/*
 * [ipsec] mode = required: the per-socket ESP policies (docs/design.md §4.7), set
 * before bind() so that the socket never holds a cleartext datagram.
 */
static int protect_socket(const struct lnsd_conf *conf, int fd, uint8_t family)
{
	if (conf->ipsec.mode != CONF_IPSEC_REQUIRED)
		return 0;
	return kg_xfrm_socket_require_esp(fd, family == 4 ? AF_INET : AF_INET6,
					  conf->ipsec.reqid);
}

static int tunnel_socket(const struct lnsd_conf *conf, const struct lns_addr *local,
			 const struct lns_addr *peer)
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
	err = protect_socket(conf, fd, local->family);
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

static void listeners_share(struct engine *e, const struct lns_addr *local, bool share);

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
	listeners_share(e, &t->local, true);
	fd = tunnel_socket(e->conf, &t->local, &t->peer);
	listeners_share(e, &t->local, false);
	if (fd < 0) {
		log_err("%s: cannot open its own socket (%s)%s; using the listener", pfx,
			strerror(-fd), e->conf->ipsec.mode == CONF_IPSEC_REQUIRED ?
			" or install its IPsec policy" : "");
		et->fd = -1;
	} else {
		et->fd = fd;
		ev_io_init(&et->io, tunnel_readable, fd, EV_READ);
		ev_io_start(e->loop, &et->io);
		if (e->dataplane == ENG_DP_KERNEL) {
			char eb[320];
			int rc = kg_l2tp_tunnel_create(&e->kg, t->tid, t->peer_tid, fd);

			if (rc < 0)
				log_err("%s: kernel tunnel create: %s; its sessions will be refused",
					pfx, kerr(e->kg.ext_ack, rc, eb, sizeof(eb)));
			else
				et->kernel = true;
		}
	}
	t->user = et;
	log_info("%s: new control connection from host %s (peer config %s%s%s)", pfx,
		 LOG_STR(t->peer_hostname), t->peer_cfg ? t->peer_cfg->name : "default",
		 t->peer_cfg && t->peer_cfg->secret_len ? ", authenticated" : "",
		 t->peer_cfg && t->peer_cfg->hide_avps ? ", hidden AVPs" : "");
}

static void tunnel_free(struct engine *e, struct l2tp_tun *t)
{
	struct eng_tunnel *et = t->user;
	char pfx[ENG_PREFIX_LEN];

	log_debug("%s: freed", eng_tun_prefix(t, pfx, sizeof(pfx)));
	if (e->ipsec)
		ipsec_tunnel_ended(e->ipsec, t);
	/* PPPoX sockets go before the tunnel socket they hang off. */
	for (struct l2tp_sess *s = l2tp_tun_next_session(t, NULL); s;
	     s = l2tp_tun_next_session(t, s))
		session_free(e, s);
	if (!et)
		return;
	t->user = NULL;
	et->tun = NULL;
	if (et->fd >= 0) {
		/* Closing the tunnel socket deletes the kernel tunnel (docs/design.md §4.4). */
		ev_io_stop(e->loop, &et->io);
		close(et->fd);
		et->fd = -1;
	}
	/* The io callback may be running for this tunnel: free it later. */
	et->next_dead = e->dead;
	e->dead = et;
}

/* ---- kernel PPP sessions ---------------------------------------------- */

static void queue_cdn(struct engine *e, const struct l2tp_sess *s, uint16_t result,
		      uint16_t error, const char *msg)
{
	if (e->n_cdns == e->cap_cdns) {
		size_t cap = e->cap_cdns ? e->cap_cdns * 2 : 16;
		struct eng_cdn *n = realloc(e->cdns, cap * sizeof(*n));

		if (!n) {
			/* The session lingers until its tunnel goes; PPP is already down. */
			log_err("out of memory queueing a CDN");
			return;
		}
		e->cdns = n;
		e->cap_cdns = cap;
	}
	e->cdns[e->n_cdns++] = (struct eng_cdn){ s->tun->tid, s->sid, result, error, msg };
}

/* Close the kernel side: closing the PPPoX fd deletes the kernel session (docs/design.md §4.4). */
static void session_kernel_close(struct engine *e, struct eng_session *es)
{
	ev_io_stop(e->loop, &es->chan_io);
	ev_io_stop(e->loop, &es->unit_io);
	ev_timer_stop(e->loop, &es->timer);
	kg_ppp_close(&es->kp);
}

/*
 * A kernel call failed: the session cannot carry data. RFC 2661 §4.4.2 CDN
 * result 2 (see error code), error 4 (insufficient resources).
 */
static void session_fail(struct engine *e, struct eng_session *es, const char *what)
{
	char pfx[ENG_PREFIX_LEN];
	struct ppp_actions junk;

	log_err("%s: %s; disconnecting", eng_sess_prefix(es->sess, pfx, sizeof(pfx)), what);
	if (!es->dead) {
		ppp_actions_init(&junk);
		ppp_sess_lower_down(&es->ppp, engine_now_ms(), &junk);
		ppp_actions_free(&junk);
		es->dead = true;
		queue_cdn(e, es->sess, L2TP_CDN_GENERAL_ERROR, L2TP_ERR_NO_RESOURCES,
			  "kernel data plane failure");
	}
	aaa_down(e, es, RAD_TERM_NAS_ERROR);
	session_kernel_close(e, es);
}

/*
 * PPP's reason, as the CDN Result Code (RFC 2661 §4.4.2): the peer or the
 * link went away: 1 (lost carrier); operator: 3 (administrative); no address
 * left: 4 (temporary lack of facilities); authentication and negotiation
 * failures: 2 with error 0, the reason in the Advisory Message.
 */
static uint16_t cdn_result_for(enum ppp_down_reason r)
{
	switch (r) {
	case PPP_DOWN_PEER_TERMINATE:
	case PPP_DOWN_ECHO_FAILURE:
	case PPP_DOWN_LOWER:
		return L2TP_CDN_LOST_CARRIER;
	case PPP_DOWN_ADMIN:
		return L2TP_CDN_ADMIN;
	case PPP_DOWN_POOL_EXHAUSTED:
		return L2TP_CDN_NO_FACILITIES_TEMP;
	case PPP_DOWN_NONE:
	case PPP_DOWN_AUTH_FAILED:
	case PPP_DOWN_AUTH_TIMEOUT:
	case PPP_DOWN_AUTH_REFUSED:
	case PPP_DOWN_NEGOTIATION:
	case PPP_DOWN_LOOPBACK:
	case PPP_DOWN_PROTO_REJECTED:
	case PPP_DOWN_REASON_COUNT:
		break;
	}
	return L2TP_CDN_GENERAL_ERROR;
}

static void session_rearm(struct engine *e, struct eng_session *es)
{
	uint64_t dl = ppp_sess_next_deadline(&es->ppp), now;

	ev_timer_stop(e->loop, &es->timer);
	if (dl == UINT64_MAX || es->dead)
		return;
	now = engine_now_ms();
	ev_timer_set(&es->timer, dl > now ? (double)(dl - now + 1) / 1000.0 : 0.0, 0.0);
	ev_timer_start(e->loop, &es->timer);
}

static void ppp_run(struct engine *e, struct eng_session *es, struct ppp_actions *acts);

static const char *auth_method_str(enum ppp_auth_method m)
{
	switch (m) {
	case PPP_AUTH_PAP:
		return "PAP";
	case PPP_AUTH_CHAP_MD5:
		return "CHAP";
	case PPP_AUTH_MSCHAPV2:
		return "MS-CHAPv2";
	case PPP_AUTH_NONE:
	case PPP_AUTH_METHOD_COUNT:
		break;
	}
	return "?";
}

/* ---- RADIUS (AAA) for a session ----------------------------------------- */

static void engine_execute(struct engine *e);

/* The reply names the session by tunnel, session and serial: a reused ID is not the same call. */
static uint64_t aaa_cookie(const struct eng_session *es)
{
	return (uint64_t)es->sess->tun->tid << 48 | (uint64_t)es->sess->sid << 32 | es->serial;
}

static void aaa_info(const struct engine *e, const struct eng_session *es,
		     struct rad_sess_info *si)
{
	const struct l2tp_sess *s = es->sess;
	const struct lnsd_radius_conf *rc = &e->conf->radius;

	memset(si, 0, sizeof(*si));
	si->user = es->username;
	si->user_len = es->username_len;
	si->nas_identifier = *rc->nas_identifier ? rc->nas_identifier : e->conf->hostname;
	si->nas_port = (uint32_t)es->kp.unit;
	si->calling_number = s->calling_number;
	si->called_number = s->called_number;
	si->peer = s->tun->peer;
	si->local = s->tun->local;
	si->call_serial = s->call_serial;
	si->session_id = es->acct_sid;
	si->framed_ip = es->ip;
	if (es->aaa) {
		si->cls = es->aaa->cls;
		si->cls_len = es->aaa->cls_len;
	}
}

/* Accounting-Request with the kernel counters (RFC 2866; octets from the client are input). */
static void aaa_acct(struct engine *e, struct eng_session *es, enum rad_acct_status st,
		     uint32_t cause)
{
	struct rad_sess_info si;
	struct rad_acct_info ai = { .status = st, .term_cause = cause };
	struct kg_l2tp_stats ks = { 0 };
	struct rad_avs avs;
	char pfx[ENG_PREFIX_LEN];
	int rc;

	if (!e->conf->radius.accounting)
		return;
	if (st != RAD_ACCT_START &&
	    kg_l2tp_session_stats(&e->kg, es->sess->tun->tid, es->sess->sid, &ks) == 0)
		es->kst = ks;
	ai.in_octets = es->kst.rx_bytes;
	ai.out_octets = es->kst.tx_bytes;
	ai.in_packets = es->kst.rx_packets;
	ai.out_packets = es->kst.tx_packets;
	ai.session_time_s = (uint32_t)((engine_now_ms() - es->aaa->up_ms) / 1000);
	aaa_info(e, es, &si);
	rad_avs_init(&avs);
	rad_build_acct(&si, &ai, &avs);
	rc = radius_acct(e->radius, &avs);
	if (rc < 0)
		log_ratelimited(engine_now_ms(), "radius acct", "%s: accounting record lost: %s",
				eng_sess_prefix(es->sess, pfx, sizeof(pfx)),
				rc == -EBUSY ? "too many RADIUS requests waiting" : strerror(-rc));
}

static void aaa_rearm(struct engine *e, struct eng_aaa *a)
{
	uint64_t now = engine_now_ms(), dl = UINT64_MAX;

	ev_timer_stop(e->loop, &a->timer);
	if (!a->up)
		return;
	if (a->session_timeout_s)
		dl = a->up_ms + (uint64_t)a->session_timeout_s * 1000;
	if (a->interim_s && a->next_interim_ms < dl)
		dl = a->next_interim_ms;
	if (a->idle_timeout_s && a->next_idle_ms < dl)
		dl = a->next_idle_ms;
	if (dl == UINT64_MAX)
		return;
	ev_timer_set(&a->timer, dl > now ? (double)(dl - now) / 1000.0 : 0.0, 0.0);
	ev_timer_start(e->loop, &a->timer);
}

/*
 * Idle-Timeout (RFC 2865 §5.28): pppN's own counters, which LCP echoes do
 * not move (they travel on the channel). Looked at every quarter of the
 * timeout (1 to 60 s), so the call ends at most that much late.
 */
static uint64_t idle_step_ms(const struct eng_aaa *a)
{
	uint32_t s = a->idle_timeout_s / 4;

	return (uint64_t)(s < 1 ? 1 : s > 60 ? 60 : s) * 1000;
}

/* true when the link moved no packet for the whole Idle-Timeout. */
static bool aaa_idle(struct engine *e, struct eng_session *es, uint64_t now)
{
	struct eng_aaa *a = es->aaa;
	struct kg_link_stats ls;

	a->next_idle_ms = now + idle_step_ms(a);
	if (kg_rtnl_link_stats(&e->rt, es->ifindex, &ls) < 0)
		return false;
	if (ls.rx_packets + ls.tx_packets != a->idle_packets) {
		a->idle_packets = ls.rx_packets + ls.tx_packets;
		a->idle_since_ms = now;
		return false;
	}
	return now - a->idle_since_ms >= (uint64_t)a->idle_timeout_s * 1000;
}

/* lnsd ends the call itself (Session-/Idle-Timeout): Terminate-Request, then CDN. */
static void aaa_close(struct engine *e, struct eng_session *es, uint32_t cause, const char *why,
		      uint32_t secs)
{
	char pfx[ENG_PREFIX_LEN];

	log_notice("%s: %s (%u s) reached; disconnecting",
		   eng_sess_prefix(es->sess, pfx, sizeof(pfx)), why, secs);
	es->aaa->term_cause = cause;
	ppp_sess_close(&es->ppp, PPP_DOWN_ADMIN, engine_now_ms(), &e->pacts);
	ppp_run(e, es, &e->pacts);
	engine_execute(e);
}

static void aaa_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct eng_aaa *a = (struct eng_aaa *)((char *)w - offsetof(struct eng_aaa, timer));
	struct eng_session *es = a->es;
	struct engine *e = es->eng;
	uint64_t now = engine_now_ms();

	if (es->dead)
		return;
	if (a->session_timeout_s && now >= a->up_ms + (uint64_t)a->session_timeout_s * 1000) {
		aaa_close(e, es, RAD_TERM_SESSION_TIMEOUT, "Session-Timeout", a->session_timeout_s);
		return;
	}
	if (a->idle_timeout_s && now >= a->next_idle_ms && aaa_idle(e, es, now)) {
		aaa_close(e, es, RAD_TERM_IDLE_TIMEOUT, "Idle-Timeout", a->idle_timeout_s);
		return;
	}
	if (a->interim_s && now >= a->next_interim_ms) {
		aaa_acct(e, es, RAD_ACCT_INTERIM, 0);
		a->next_interim_ms = now + (uint64_t)a->interim_s * 1000;
	}
	aaa_rearm(e, a);
}

static struct eng_aaa *aaa_get(struct eng_session *es)
{
	if (!es->aaa) {
		es->aaa = calloc(1, sizeof(*es->aaa));
		if (es->aaa) {
			es->aaa->es = es;
			ev_init(&es->aaa->timer, aaa_timer_cb);
		}
	}
	return es->aaa;
}

/* IPCP opened the first time: Framed-Routes, Accounting Start, the timers. */
static void aaa_up(struct engine *e, struct eng_session *es)
{
	struct eng_aaa *a = es->aaa;
	char pfx[ENG_PREFIX_LEN], eb[320];

	if (!a || a->up)
		return;
	eng_sess_prefix(es->sess, pfx, sizeof(pfx));
	for (unsigned i = 0; i < a->n_routes; i++) {
		struct in_addr dst = { .s_addr = htonl(a->routes[i].dst) };
		char ds[INET_ADDRSTRLEN];
		int rc = kg_rtnl_add_route4(&e->rt, es->ifindex, dst, a->routes[i].plen);

		inet_ntop(AF_INET, &dst, ds, sizeof(ds));
		if (rc < 0 && rc != -EEXIST)
			log_warn("%s: Framed-Route %s/%u via %s: %s", pfx, ds, a->routes[i].plen,
				 es->kp.ifname, kerr(e->rt.ext_ack, rc, eb, sizeof(eb)));
		else
			log_info("%s: Framed-Route %s/%u via %s", pfx, ds, a->routes[i].plen,
				 es->kp.ifname);
	}
	a->up = true;
	a->up_ms = engine_now_ms();
	a->next_interim_ms = a->up_ms + (uint64_t)a->interim_s * 1000;
	a->idle_since_ms = a->up_ms;
	if (a->idle_timeout_s)
		aaa_idle(e, es, a->up_ms);   /* the counters so far */
	aaa_acct(e, es, RAD_ACCT_START, 0);
	aaa_rearm(e, a);
}

/* The session ends: Accounting Stop (before the kernel session and its counters go). */
static void aaa_down(struct engine *e, struct eng_session *es, uint32_t cause)
{
	struct eng_aaa *a = es->aaa;

	if (!a)
		return;
	a->auth_pending = false;
	ev_timer_stop(e->loop, &a->timer);
	if (!a->up)
		return;
	a->up = false;
	/* RFC 2866 §5.10 Admin-Reboot: the operator stops lnsd (SIGTERM), ending every call. */
	if (!a->term_cause && e->shutting_down)
		a->term_cause = RAD_TERM_ADMIN_REBOOT;
	aaa_acct(e, es, RAD_ACCT_STOP, a->term_cause ? a->term_cause : cause);
}

/* Access-Request for the credentials PPP received; the verdict comes in aaa_reply. */
static void aaa_auth(struct engine *e, struct eng_session *es, const struct ppp_auth_req *req)
{
	struct eng_aaa *a = aaa_get(es);
	struct rad_sess_info si;
	struct rad_avs avs;
	struct ppp_actions res;
	char pfx[ENG_PREFIX_LEN];
	int rc = -ENOMEM;

	eng_sess_prefix(es->sess, pfx, sizeof(pfx));
	rad_avs_init(&avs);
	if (a) {
		aaa_info(e, es, &si);
		si.user = req->user;   /* as the client sent it, not the copy cut to fit */
		si.user_len = req->user_len;
		rc = rad_build_auth(&si, req, &avs);
		if (rc == 0)
			rc = radius_auth(e->radius, aaa_cookie(es), &avs);
	}
	rad_avs_free(&avs);
	if (rc == 0) {
		a->auth_pending = true;
		a->method = (uint8_t)req->method;
		log_info("%s: %s authentication of %s sent to RADIUS", pfx,
			 auth_method_str(req->method), LOG_STRN(req->user, req->user_len));
		return;
	}
	log_ratelimited(engine_now_ms(), "radius auth", "%s: cannot queue the Access-Request: %s",
			pfx, rc == -EBUSY ? "too many RADIUS requests waiting" : strerror(-rc));
	ppp_actions_init(&res);
	if (ppp_sess_auth_result(&es->ppp, false, "Authentication failed", NULL,
				 engine_now_ms(), &res) == 0)
		ppp_run(e, es, &res);
	ppp_actions_free(&res);
}

/* What an Access-Accept assigns: address, DNS, routes, timers, Class. */
/*
 * A RADIUS server is trusted with addresses, not with other peers' sessions:
 * an address it assigns must be a unicast host address, not ours, and not in
 * use by another session (pool addresses are guarded by the pool itself; this
 * covers the ones outside it). NULL when usable, else why not. One walk over
 * the sessions per Access-Accept.
 */
static const char *framed_ip_unusable(const struct engine *e, const struct eng_session *es,
				      uint32_t ip)
{
	uint8_t a = ip >> 24;

	if (a == 0 || a == 127 || a >= 224)
		return "not a unicast host address";
	if (ip == e->conf->ppp_local_ip)
		return "the LNS's own [ppp] local-ip";
	if (e->pool && ip_pool_contains(e->pool, ip))
		return NULL;
	for (struct l2tp_tun *t = l2tp_lns_next_tunnel(e->lns, NULL); t;
	     t = l2tp_lns_next_tunnel(e->lns, t))
		for (struct l2tp_sess *s = l2tp_tun_next_session(t, NULL); s;
		     s = l2tp_tun_next_session(t, s)) {
			const struct eng_session *o = s->user;

			if (o && o != es && !o->dead && o->ppp.attrs.peer_ip == ip)
				return "already in use by another session";
		}
	return NULL;
}

static bool aaa_accept(struct engine *e, struct eng_session *es, const struct rad_accept *ra,
		       struct ppp_auth_attrs *attrs, const char *pfx)
{
	struct eng_aaa *a = es->aaa;

	const char *why;

	/* RFC 2865 §5.8: 0xFFFFFFFE means "pick one" (the pool), 0xFFFFFFFF "let the user". */
	if (ra->framed_ip && ra->framed_ip < 0xfffffffe) {
		why = framed_ip_unusable(e, es, ra->framed_ip);
		if (why) {
			struct in_addr in = { .s_addr = htonl(ra->framed_ip) };
			char as[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &in, as, sizeof(as));
			log_warn("%s: Access-Accept with Framed-IP-Address %s: %s; refusing", pfx, as,
				 why);
			e->ctr.radius_bad_framed_ip++;
			return false;
		}
		attrs->peer_ip = ra->framed_ip;
	}
	attrs->dns1 = ra->dns1;
	attrs->dns2 = ra->dns2;
	if (a->method == PPP_AUTH_MSCHAPV2) {
		if (!ra->has_auth_resp) {
			log_warn("%s: Access-Accept for MS-CHAPv2 without a valid MS-CHAP2-Success; "
				 "refusing", pfx);
			return false;
		}
		attrs->has_auth_resp = true;
		memcpy(attrs->auth_resp, ra->auth_resp, sizeof(attrs->auth_resp));
	}
	if (ra->framed_pool[0])
		log_info("%s: Framed-Pool %s ignored: lnsd has one [ppp] pool", pfx,
			 LOG_STR(ra->framed_pool));
	if (ra->bad_routes)
		log_warn("%s: %u Framed-Route value(s) ignored (not \"a.b.c.d[/n] ...\", or "
			 "more than %d)", pfx, ra->bad_routes, RAD_MAX_ROUTES);
	memcpy(a->routes, ra->routes, ra->n_routes * sizeof(ra->routes[0]));
	a->n_routes = (uint8_t)ra->n_routes;
	a->session_timeout_s = ra->session_timeout_s;
	a->interim_s = ra->interim_interval_s ? ra->interim_interval_s
					      : e->conf->radius.interim_interval_s;
	memcpy(a->cls, ra->cls, ra->cls_len);
	a->cls_len = ra->cls_len;
	a->idle_timeout_s = ra->idle_timeout_s;
	return true;
}

static void aaa_reply(void *ctx, uint64_t cookie, const struct radius_reply *rep)
{
	struct engine *e = ctx;
	struct l2tp_sess *s = l2tp_lns_session(e->lns, (uint16_t)(cookie >> 48),
					       (uint16_t)(cookie >> 32));
	struct eng_session *es = s ? s->user : NULL;
	const struct radius_stats *rs = radius_stats(e->radius);
	struct ppp_auth_attrs attrs = { 0 };
	struct ppp_actions res;
	char pfx[ENG_PREFIX_LEN];
	const char *msg = "Authentication failed", *server;
	bool ok;

	if (!es || es->serial != (uint32_t)cookie || es->dead || !es->aaa ||
	    !es->aaa->auth_pending) {
		log_debug("radius: reply for a session that has ended; dropped");
		return;
	}
	es->aaa->auth_pending = false;
	eng_sess_prefix(s, pfx, sizeof(pfx));
	server = rep->server >= 0 ? rs->servers[rep->server] : "no server";
	ok = rep->verdict == RADIUS_ACCEPT && aaa_accept(e, es, &rep->attrs, &attrs, pfx);
	if (!ok && rep->attrs.ms_error[0])
		msg = rep->attrs.ms_error;
	if (es->aaa->method < PPP_AUTH_METHOD_COUNT)
		e->ctr.auth[es->aaa->method][ok]++;
	log_notice("%s: %s authentication of %s %s by RADIUS %s%s%s%s", pfx,
		   auth_method_str(es->aaa->method), LOG_STRN(es->username, es->username_len),
		   ok ? "accepted" : "refused", server,
		   rep->verdict == RADIUS_FAILED ? " (no server answered)" : "",
		   rep->attrs.reply_message[0] ? ": " : "",
		   rep->attrs.reply_message[0] ? LOG_STR(rep->attrs.reply_message) : "");
	ppp_actions_init(&res);
	if (ppp_sess_auth_result(&es->ppp, ok, ok ? "Welcome" : msg, &attrs, engine_now_ms(),
				 &res) == 0)
		ppp_run(e, es, &res);
	ppp_actions_free(&res);
	engine_execute(e);
}

static void do_auth(struct engine *e, struct eng_session *es, const struct ppp_actions *acts,
		    const struct ppp_action *a)
{
	struct ppp_auth_req req;
	const struct ppp_user *match = NULL;
	struct ppp_auth_attrs attrs = { 0 };
	struct ppp_actions res;
	char pfx[ENG_PREFIX_LEN];
	size_t n;
	bool ok;

	ppp_action_auth_req(acts, a, &req);
	n = req.user_len < sizeof(es->username) - 1 ? req.user_len : sizeof(es->username) - 1;
	memcpy(es->username, req.user, n);   /* escaped where it is shown (LOG_STRN) */
	es->username[n] = '\0';
	es->username_len = (uint8_t)n;
	if (e->radius) {
		aaa_auth(e, es, &req);
		return;
	}
	ok = e->users && ppp_users_verify(e->users, e->ppp_name, &req, &match, attrs.auth_resp);
	if (ok && match && match->no_addr)
		ok = false;
	/* RFC 2759 §5: the Success message proves that we know the password too. */
	attrs.has_auth_resp = ok && req.method == PPP_AUTH_MSCHAPV2;
	if ((unsigned)req.method < PPP_AUTH_METHOD_COUNT)
		e->ctr.auth[req.method][ok]++;
	if (ok && match)
		attrs.peer_ip = match->ip;
	eng_sess_prefix(es->sess, pfx, sizeof(pfx));
	if (ok)
		log_notice("%s: %s authentication of %s succeeded", pfx,
			   auth_method_str(req.method), LOG_STRN(req.user, req.user_len));
	else
		log_notice("%s: %s authentication of %s failed%s%s", pfx,
			   auth_method_str(req.method), LOG_STRN(req.user, req.user_len),
			   req.method == PPP_AUTH_MSCHAPV2 ? " (E=691)" : "",
			   e->users ? "" : " (no users-file)");
	ppp_actions_init(&res);
	if (ppp_sess_auth_result(&es->ppp, ok, ok ? "Welcome" : "Authentication failed", &attrs,
				 engine_now_ms(), &res) == 0)
		ppp_run(e, es, &res);
	ppp_actions_free(&res);
}

/* IPCP opened (RFC 1332): address, MTU and up on pppN. */
static void do_up(struct engine *e, struct eng_session *es, const struct ppp_up_info *up)
{
	struct in_addr l = { .s_addr = htonl(up->local_ip) }, p = { .s_addr = htonl(up->peer_ip) };
	char pfx[ENG_PREFIX_LEN], ls[INET_ADDRSTRLEN], ps[INET_ADDRSTRLEN], eb[320];
	const char *what;
	int rc;

	what = "set MTU";
	rc = kg_rtnl_set_mtu(&e->rt, es->ifindex, up->mtu);
	if (rc == 0 && up->local_ip) {
		what = "add address";
		rc = kg_rtnl_add_ptp4(&e->rt, es->ifindex, l, p);
	} else if (rc == 0) {
		what = "add route";
		rc = kg_rtnl_add_route4(&e->rt, es->ifindex, p, 32);
	}
	if (rc == -EEXIST)   /* IPCP renegotiated with the same addresses */
		rc = 0;
	if (rc == 0) {
		what = "set up";
		rc = kg_rtnl_set_up(&e->rt, es->ifindex);
	}
	if (rc < 0) {
		char msg[400];

		snprintf(msg, sizeof(msg), "%s: %s on %s", what, kerr(e->rt.ext_ack, rc, eb,
								      sizeof(eb)), es->kp.ifname);
		session_fail(e, es, msg);
		return;
	}
	es->ip = up->peer_ip;
	es->link_up = true;
	if (!es->was_up) {
		es->was_up = true;
		count_setup(e, es->sess, engine_now_ms());
	}
	inet_ntop(AF_INET, &l, ls, sizeof(ls));
	inet_ntop(AF_INET, &p, ps, sizeof(ps));
	log_notice("%s: %s up, user %s, %s peer %s, mtu %u",
		   eng_sess_prefix(es->sess, pfx, sizeof(pfx)), es->kp.ifname,
		   LOG_STRN(es->username, es->username_len),
		   up->local_ip ? ls : "(no local address)", ps, up->mtu);
	aaa_up(e, es);
}

/* fe80::<ifid> (RFC 5072 §5). */
static void ifid_addr(const uint8_t ifid[8], struct in6_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->s6_addr[0] = 0xfe;
	a->s6_addr[1] = 0x80;
	memcpy(&a->s6_addr[8], ifid, 8);
}

/*
 * IPV6CP opened (RFC 5072): MTU and up unless IPCP did it already, then the
 * link-local address, point-to-point to the client's.
 */
static void do_up6(struct engine *e, struct eng_session *es, const struct ppp_up_info *up)
{
	struct in6_addr l, p;
	char pfx[ENG_PREFIX_LEN], ls[INET6_ADDRSTRLEN], ps[INET6_ADDRSTRLEN], eb[320];
	const char *what = "set MTU";
	int rc = 0;

	if (!up->ipv6)
		return;
	ifid_addr(up->local_ifid, &l);
	ifid_addr(up->peer_ifid, &p);
	if (!es->link_up) {
		rc = kg_rtnl_set_mtu(&e->rt, es->ifindex, up->mtu);
		if (rc == 0) {
			what = "set up";
			rc = kg_rtnl_set_up(&e->rt, es->ifindex);
		}
	}
	if (rc == 0) {
		what = "add IPv6 address";
		rc = kg_rtnl_add_ptp6(&e->rt, es->ifindex, &l, &p);
		if (rc == -EEXIST)   /* IPV6CP renegotiated with the same identifiers */
			rc = 0;
	}
	if (rc < 0) {
		char msg[400];

		snprintf(msg, sizeof(msg), "%s: %s on %s", what, kerr(e->rt.ext_ack, rc, eb,
								      sizeof(eb)), es->kp.ifname);
		session_fail(e, es, msg);
		return;
	}
	es->link_up = true;
	es->ipv6 = true;
	memcpy(es->peer_ifid, up->peer_ifid, sizeof(es->peer_ifid));
	inet_ntop(AF_INET6, &l, ls, sizeof(ls));
	inet_ntop(AF_INET6, &p, ps, sizeof(ps));
	log_notice("%s: %s IPv6 up, user %s, %s peer %s",
		   eng_sess_prefix(es->sess, pfx, sizeof(pfx)), es->kp.ifname,
		   LOG_STRN(es->username, es->username_len), ls, ps);
}

static void do_down(struct engine *e, struct eng_session *es, enum ppp_down_reason why)
{
	char pfx[ENG_PREFIX_LEN];

	if (es->dead)
		return;
	es->dead = true;
	es->ip = 0;
	es->ipv6 = false;
	log_notice("%s: PPP down on %s: %s", eng_sess_prefix(es->sess, pfx, sizeof(pfx)),
		   es->kp.ifname, ppp_down_reason_str(why));
	aaa_down(e, es, rad_term_cause_for(why));
	session_kernel_close(e, es);
	queue_cdn(e, es->sess, cdn_result_for(why), L2TP_ERR_NONE, ppp_down_reason_str(why));
}

/* Perform PPP's actions in order. Never calls into the L2TP lib (CDNs are queued). */
static void ppp_run(struct engine *e, struct eng_session *es, struct ppp_actions *acts)
{
	for (size_t i = 0; i < acts->n; i++) {
		const struct ppp_action *a = &acts->v[i];
		int fd;

		switch (a->type) {
		case PPP_ACT_SEND:
			fd = a->chan == PPP_CHAN_UNIT ? es->kp.unit_fd : es->kp.chan_fd;
			if (fd >= 0 && write(fd, ppp_action_data(acts, a), a->len) < 0) {
				e->drops[ENG_DROP_SEND_ERROR]++;
				log_ratelimited(engine_now_ms(), "ppp write", "%s: write: %s",
						es->kp.ifname, strerror(errno));
			}
			break;
		case PPP_ACT_AUTH_REQUEST:
			if (!es->dead)
				do_auth(e, es, acts, a);
			break;
		case PPP_ACT_UP:
			if (es->dead)
				break;
			if (a->up.ncp == PPP_NCP_IPV6CP)
				do_up6(e, es, &a->up);
			else
				do_up(e, es, &a->up);
			break;
		case PPP_ACT_DOWN:
			do_down(e, es, a->reason);
			break;
		}
	}
	if (acts->oom)
		session_fail(e, es, "out of memory: PPP actions were lost");
	ppp_actions_reset(acts);
	session_rearm(e, es);
}


static void ppp_readable(struct engine *e, struct eng_session *es, bool unit)
{
	for (int i = 0; i < ENG_RX_BATCH && !es->dead; i++) {
		int fd = unit ? es->kp.unit_fd : es->kp.chan_fd;
		ssize_t n = read(fd, e->rx, sizeof(e->rx));

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			break;
		if (n <= 0) {
			/* The channel or unit hung up under us. */
			char msg[128];

			snprintf(msg, sizeof(msg), "read from the PPP %s: %s",
				 unit ? "unit" : "channel", n ? strerror(errno) : "hung up");
			session_fail(e, es, msg);
			break;
		}
		ppp_sess_input(&es->ppp, e->rx, (size_t)n, unit, engine_now_ms(), &e->pacts);
		ppp_run(e, es, &e->pacts);
	}
	engine_execute(e);   /* queued CDNs; es may be freed from here on */
}

static void chan_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct eng_session *es = (struct eng_session *)((char *)w - offsetof(struct eng_session,
									      chan_io));

	ppp_readable(es->eng, es, false);
}

static void unit_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct eng_session *es = (struct eng_session *)((char *)w - offsetof(struct eng_session,
									      unit_io));

	ppp_readable(es->eng, es, true);
}

static void ppp_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct eng_session *es = (struct eng_session *)((char *)w - offsetof(struct eng_session,
									      timer));
	struct engine *e = es->eng;

	if (!es->attached) {   /* a SESSION_CREATE retry (KSESS_CREATE_TRIES) */
		session_attach(e, es);
		engine_execute(e);
		return;
	}
	ppp_sess_tick(&es->ppp, engine_now_ms(), &e->pacts);
	ppp_run(e, es, &e->pacts);
	engine_execute(e);
}

/*
 * On 6.12 SESSION_DELETE finishes asynchronously: an ID deleted a moment ago
 * may still answer SESSION_CREATE with -EEXIST (docs/design.md §4.4). Try again
 * after 20, 40, 80, 160 ms from the session's timer, then give up.
 */
#define KSESS_CREATE_TRIES 5

/* ICCN processed (RFC 2661 §7.4.2): kernel session, pppN, then LCP. */
static void session_start(struct engine *e, struct l2tp_sess *s)
{
	struct eng_tunnel *et = s->tun->user;
	struct eng_session *es;
	char pfx[ENG_PREFIX_LEN];

	eng_sess_prefix(s, pfx, sizeof(pfx));
	if (!et || !et->kernel) {
		log_err("%s: its tunnel is not in the kernel; disconnecting", pfx);
		queue_cdn(e, s, L2TP_CDN_GENERAL_ERROR, L2TP_ERR_NO_RESOURCES,
			  "kernel data plane failure");
		return;
	}
	es = calloc(1, sizeof(*es));
	if (!es) {
		log_err("%s: out of memory; disconnecting", pfx);
		queue_cdn(e, s, L2TP_CDN_GENERAL_ERROR, L2TP_ERR_NO_RESOURCES, "out of memory");
		return;
	}
	es->eng = e;
	es->sess = s;
	es->serial = ++e->next_serial;
	rad_session_id(e->start_time, es->serial, es->acct_sid);
	kg_ppp_init(&es->kp);
	ev_io_init(&es->chan_io, chan_cb, -1, EV_READ);
	ev_io_init(&es->unit_io, unit_cb, -1, EV_READ);
	ev_init(&es->timer, ppp_timer_cb);
	ppp_sess_init(&es->ppp, &e->ppp_cfg);
	s->user = es;
	session_attach(e, es);
}

static void session_attach(struct engine *e, struct eng_session *es)
{
	struct l2tp_sess *s = es->sess;
	struct eng_tunnel *et = s->tun->user;
	struct kg_l2tp_session_cfg kc = { 0 };
	struct sockaddr_storage ss;
	socklen_t sl;
	char pfx[ENG_PREFIX_LEN], eb[320], msg[400], name[16];
	unsigned int delay_ms;
	int rc;

	eng_sess_prefix(s, pfx, sizeof(pfx));
	kc.tid = s->tun->tid;
	kc.peer_tid = s->tun->peer_tid;
	kc.sid = s->sid;
	kc.peer_sid = s->peer_sid;
	kc.lns_mode = true;
	/* Sequencing Required AVP (RFC 2661 §4.4.6): sequence numbers both ways. */
	kc.send_seq = kc.recv_seq = s->seq_required;
	rc = kg_l2tp_session_create(&e->kg, &kc);
	if (rc == -EEXIST && ++es->create_tries < KSESS_CREATE_TRIES) {
		delay_ms = 10u << es->create_tries;
		log_info("%s: kernel session id still in use (being deleted); retry in %u ms", pfx,
			 delay_ms);
		ev_timer_set(&es->timer, delay_ms / 1000.0, 0.0);
		ev_timer_start(e->loop, &es->timer);
		return;
	}
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "kernel session create: %s",
			 kerr(e->kg.ext_ack, rc, eb, sizeof(eb)));
		session_fail(e, es, msg);
		return;
	}
	sl = addr_to_sa(&et->peer, &ss);
	rc = kg_ppp_open(&es->kp, et->fd, (struct sockaddr *)&ss, sl, kc.tid, kc.peer_tid, kc.sid,
			 kc.peer_sid);
	if (rc < 0) {
		/* Without a PPPoX socket nothing else deletes the kernel session. */
		kg_l2tp_session_delete(&e->kg, kc.tid, kc.sid);
		snprintf(msg, sizeof(msg), "PPPoL2TP socket and /dev/ppp: %s", strerror(-rc));
		session_fail(e, es, msg);
		return;
	}
	es->ifindex = kg_rtnl_ifindex(&e->rt, es->kp.ifname);
	if (es->ifindex < 0) {
		snprintf(msg, sizeof(msg), "%s: %s", es->kp.ifname,
			 kerr(e->rt.ext_ack, es->ifindex, eb, sizeof(eb)));
		session_fail(e, es, msg);
		return;
	}
	if (conf_ppp_ifname(e->conf, es->kp.unit, name, sizeof(name))) {
		rc = kg_rtnl_rename(&e->rt, es->ifindex, name);
		if (rc < 0) {
			snprintf(msg, sizeof(msg), "rename %s to %s: %s", es->kp.ifname, name,
				 kerr(e->rt.ext_ack, rc, eb, sizeof(eb)));
			session_fail(e, es, msg);
			return;
		}
		snprintf(es->kp.ifname, sizeof(es->kp.ifname), "%s", name);
	}
	ev_io_set(&es->chan_io, es->kp.chan_fd, EV_READ);
	ev_io_set(&es->unit_io, es->kp.unit_fd, EV_READ);
	ev_io_start(e->loop, &es->chan_io);
	ev_io_start(e->loop, &es->unit_io);
	es->attached = true;
	log_info("%s: kernel session on %s%s", pfx, es->kp.ifname,
		 s->seq_required ? ", sequencing" : "");
	ppp_sess_start(&es->ppp, engine_now_ms(), &e->pacts);
	ppp_run(e, es, &e->pacts);
}

/* The L2TP session is gone (SESSION_FREE, or its tunnel): PPP down, fds closed. */
static void session_free(struct engine *e, struct l2tp_sess *s)
{
	struct eng_session *es = s->user;
	struct ppp_actions junk;

	if (!es)
		return;
	s->user = NULL;
	if (!es->dead) {
		ppp_actions_init(&junk);
		ppp_sess_lower_down(&es->ppp, engine_now_ms(), &junk);
		ppp_actions_free(&junk);
	}
	ppp_sess_fini(&es->ppp);
	aaa_down(e, es, RAD_TERM_LOST_CARRIER);
	session_kernel_close(e, es);
	free(es->aaa);
	free(es);
}

/* Kernel counters for one tunnel / session: by dump, at most once a second (docs/design.md §8). */
static void tunnel_stats_cb(void *ctx, uint32_t tid, uint32_t peer_tid,
			    const struct kg_l2tp_stats *st)
{
	struct engine *e = ctx;
	struct l2tp_tun *t = tid <= UINT16_MAX ? l2tp_lns_tunnel(e->lns, (uint16_t)tid) : NULL;
	struct eng_tunnel *et = t ? t->user : NULL;

	if (et && et->kernel)
		et->kst = *st;
}

static void session_stats_cb(void *ctx, uint32_t tid, uint32_t sid, uint32_t peer_sid,
			     const struct kg_l2tp_stats *st)
{
	struct engine *e = ctx;
	struct l2tp_sess *s = tid <= UINT16_MAX && sid <= UINT16_MAX
				      ? l2tp_lns_session(e->lns, (uint16_t)tid, (uint16_t)sid)
				      : NULL;
	struct eng_session *es = s ? s->user : NULL;

	if (es)
		es->kst = *st;
}

void engine_refresh_kstats(struct engine *e, bool tunnels, bool sessions)
{
	uint64_t now = engine_now_ms();
	char eb[320];
	int rc;

	if (e->dataplane != ENG_DP_KERNEL)
		return;
	if (tunnels && now - e->tstats_ms >= 1000) {
		e->tstats_ms = now;
		rc = kg_l2tp_tunnel_dump(&e->kg, tunnel_stats_cb, e);
		if (rc < 0)
			log_ratelimited(now, "tunnel dump", "kernel tunnel dump: %s",
					kerr(e->kg.ext_ack, rc, eb, sizeof(eb)));
	}
	if (sessions && now - e->sstats_ms >= 1000) {
		e->sstats_ms = now;
		rc = kg_l2tp_session_dump(&e->kg, session_stats_cb, e);
		if (rc < 0)
			log_ratelimited(now, "session dump", "kernel session dump: %s",
					kerr(e->kg.ext_ack, rc, eb, sizeof(eb)));
	}
}

void engine_session_info(const struct engine *e, const struct l2tp_sess *s,
			 struct eng_sess_info *out)
{
	const struct eng_session *es = s->user;

	memset(out, 0, sizeof(*out));
	out->ifname = es ? es->kp.ifname : "";
	out->username = es ? es->username : "";
	out->username_len = es ? es->username_len : 0;
	out->ppp_unit = es && es->attached ? es->kp.unit : -1;
	out->ppp_phase = es ? ppp_phase_str((enum ppp_phase)es->ppp.phase) : "";
	out->acct_session_id = es ? es->acct_sid : "";
	if (es) {
		out->ppp = true;
		out->link_up = es->link_up;
		out->closing = es->dead || es->ppp.phase == PPP_PHASE_TERMINATE;
		out->ip = es->ip;
		out->ipv6 = es->ipv6;
		memcpy(out->peer_ifid, es->peer_ifid, sizeof(out->peer_ifid));
		out->st = es->kst;
	}
}

bool engine_tunnel_kstats(const struct engine *e, const struct l2tp_tun *t,
			  struct kg_l2tp_stats *out)
{
	const struct eng_tunnel *et = t->user;

	memset(out, 0, sizeof(*out));
	if (!et || !et->kernel)
		return false;
	*out = et->kst;
	return true;
}

bool engine_session_kstats(const struct engine *e, const struct l2tp_sess *s,
			   struct kg_l2tp_stats *out)
{
	const struct eng_session *es = s->user;

	memset(out, 0, sizeof(*out));
	/* The kernel session lives as long as the PPPoX socket. */
	if (!es || es->kp.pppox_fd < 0)
		return false;
	*out = es->kst;
	return true;
}

const struct eng_counters *engine_counters(const struct engine *e)
{
	return &e->ctr;
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
	log_info("%s: %s -> %s (calling %s, called %s, serial %u)", pfx,
		 l2tp_sess_state_str((enum l2tp_sess_state)a->old_state),
		 l2tp_sess_state_str((enum l2tp_sess_state)a->new_state), LOG_STR(s->calling_number),
		 LOG_STR(s->called_number), s->call_serial);
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

static void execute_list(struct engine *e)
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
			if (a->new_state == L2TP_SESS_ESTABLISHED && e->dataplane == ENG_DP_KERNEL &&
			    !a->sess->user)
				session_start(e, a->sess);
			else if (a->new_state == L2TP_SESS_ESTABLISHED)
				count_setup(e, a->sess, a->sess->established_ms);
			break;
		case LNS_ACT_SESSION_FREE:
			log_debug("%s: freed", eng_sess_prefix(a->sess, pfx, sizeof(pfx)));
			session_free(e, a->sess);
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
}

static void engine_execute(struct engine *e)
{
	execute_list(e);
	/*
	 * CDNs decided while executing (kernel failures, PPP down), one at a
	 * time: each call into the lib may free what the previous list named.
	 * A session already gone makes close_session fail harmlessly.
	 */
	while (e->n_cdns) {
		struct eng_cdn c = e->cdns[--e->n_cdns];

		l2tp_lns_close_session(e->lns, c.tid, c.sid, c.result, c.error, c.msg,
				       engine_now_ms(), &e->acts);
		execute_list(e);
	}
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

/*
 * Listeners are exclusive: a second daemon on the same address:port would
 * silently get part of the traffic. Linux lets a UDP bind share a port only
 * when both sockets have SO_REUSEADDR (or both SO_REUSEPORT and the same
 * uid), and a wildcard address conflicts with every address of its family.
 * So the listener is bound and kept without SO_REUSEADDR: every later bind
 * to its port, ours or another program's, with or without SO_REUSEADDR,
 * fails with EADDRINUSE. A tunnel socket (SO_REUSEADDR) binds in the moment
 * the listener allows sharing, and so does a listener that a reload opens
 * where our own sockets are (ours_at()).
 */
static bool listener_covers(const struct lns_addr *l, const struct lns_addr *a)
{
	return l->family == a->family && l->port == a->port &&
	       (addr_is_any(l) || addr_is_any(a) ||
		memcmp(l->addr, a->addr, a->family == 4 ? 4 : 16) == 0);
}

static void listeners_share(struct engine *e, const struct lns_addr *local, bool share)
{
	int on = share;

	for (size_t i = 0; i < e->n_listeners; i++)
		if (listener_covers(&e->listeners[i]->addr, local) &&
		    setsockopt(e->listeners[i]->fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0)
			log_err("listener: SO_REUSEADDR %d: %s", on, strerror(errno));
}

/*
 * Whether one of our own sockets is bound where a would listen: a listener
 * that a reload replaces (192.0.2.1:1701 by 0.0.0.0:1701, or back) or
 * tunnels that outlived a removed listener. Only then does the new
 * listener bind with sharing allowed on both sides, for that one bind.
 */
static bool ours_at(struct engine *e, const struct lns_addr *a)
{
	for (size_t i = 0; i < e->n_listeners; i++)
		if (listener_covers(&e->listeners[i]->addr, a))
			return true;
	for (struct l2tp_tun *t = l2tp_lns_next_tunnel(e->lns, NULL); t;
	     t = l2tp_lns_next_tunnel(e->lns, t)) {
		const struct eng_tunnel *et = t->user;

		if (et && et->fd >= 0 && listener_covers(a, &et->local))
			return true;
	}
	return false;
}

static struct eng_listener *listener_open(struct engine *e, const struct lns_addr *a, char *err,
					  size_t errlen)
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
		setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0;
	if (share)
		listeners_share(e, a, true);
	rc = bind(l->fd, (struct sockaddr *)&ss, sl);
	if (share) {
		int saved = errno;

		listeners_share(e, a, false);
		setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &zero, sizeof(zero));
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

/* [ppp] for the sessions to come; the pool stays the one made at start. */
static void ppp_cfg_for(struct engine *e, const struct lnsd_conf *conf)
{
	conf_to_ppp_cfg(conf, &e->ppp_cfg);
	snprintf(e->ppp_name, sizeof(e->ppp_name), "%s", conf->hostname);
	e->ppp_cfg.auth.name = e->ppp_name;
	e->ppp_cfg.lcp.rand_bytes = rand_bytes;
	e->ppp_cfg.lcp.rand_ctx = e;
	e->ppp_cfg.pool = e->pool;
}

/* The users file (chap-secrets format), refused when others may read it. */
static int users_load(const struct lnsd_conf *conf, struct ppp_users **out, char *err,
		      size_t errlen)
{
	char ferr[CONF_ERR_LEN], perr[256], *buf;
	size_t len;
	int rc;

	*out = NULL;
	if (!*conf->ppp_users_file)
		return 0;
	rc = conf_read_secret_file(conf->ppp_users_file, CONF_SECRET_FILE_MAX, &buf, &len, ferr,
				   sizeof(ferr));
	if (rc) {
		snprintf(err, errlen, "[ppp] users-file: %s", ferr);
		return -EINVAL;     /* a configuration error, fatal at startup */
	}
	rc = ppp_users_parse(buf, len, out, perr, sizeof(perr));
	if (rc)
		snprintf(err, errlen, "[ppp] users-file %s: %s", conf->ppp_users_file, perr);
	explicit_bzero(buf, len);
	free(buf);
	return rc ? -EINVAL : 0;
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
	ppp_actions_init(&e->pacts);
	ppp_cfg_for(e, conf);
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
	e->start_time = (uint32_t)time(NULL);
	if (conf->radius.enabled) {
		e->radius = radius_new(loop, &conf->radius, aaa_reply, e, err, errlen);
		if (!e->radius)
			goto fail;
	}
	if (conf->ipsec.mode == CONF_IPSEC_REQUIRED) {
		e->ipsec = ipsec_new(loop, e, conf);
		if (!e->ipsec) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
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
	ipsec_free(e->ipsec);
	e->ipsec = NULL;
	/* Tunnel sockets: the lib frees silently, so walk its table first. */
	if (e->lns) {
		struct l2tp_tun *t = NULL;

		while ((t = l2tp_lns_next_tunnel(e->lns, t)))
			if (t->user)
				tunnel_free(e, t);
	}
	reaper_cb(e->loop, &e->reaper, 0);
	radius_free(e->radius);   /* after the tunnels: their Stop records are queued */
	for (size_t i = 0; i < e->n_listeners; i++)
		listener_close(e, e->listeners[i]);
	free(e->listeners);
	l2tp_lns_free(e->lns);
	lns_actions_free(&e->acts);
	ppp_actions_free(&e->pacts);
	free(e->cdns);
	ppp_users_free(e->users);
	ip_pool_free(e->pool);
	if (e->dataplane == ENG_DP_KERNEL) {
		kg_l2tp_close(&e->kg);
		kg_rtnl_close(&e->rt);
	}
	conf_unref(e->conf);
	free(e->conf_path);
	free(e);
}

/* What radius_new() took: the rest of [radius] applies to the next request. */
static bool radius_conf_same(const struct lnsd_radius_conf *a, const struct lnsd_radius_conf *b)
{
	if (a->enabled != b->enabled || a->n_servers != b->n_servers ||
	    a->timeout_s != b->timeout_s || a->retries != b->retries ||
	    a->require_msg_auth != b->require_msg_auth || !lns_addr_eq(&a->nas_ip, &b->nas_ip))
		return false;
	for (size_t i = 0; i < a->n_servers; i++)
		if (!lns_addr_eq(&a->servers[i].addr, &b->servers[i].addr) ||
		    a->servers[i].acct_port != b->servers[i].acct_port ||
		    strcmp(a->servers[i].secret, b->servers[i].secret) != 0)
			return false;
	return true;
}

int engine_reload(struct engine *e, char *err, size_t errlen)
{
	struct lnsd_conf *nc;
	struct l2tp_lns_cfg cfg;
	struct ppp_users *users = NULL;

	if (e->conf_path)
		nc = conf_load_file(e->conf_path, err, errlen);
	else
		nc = conf_load_string(conf_embedded_default, "(embedded default)", err, errlen);
	if (!nc)
		return -1;
	if (conf_check_files(nc, err, errlen)) {
		conf_unref(nc);
		return -1;
	}
	/* Sockets keep the policies they were opened with: no half-protected mix. */
	if (nc->ipsec.mode != e->conf->ipsec.mode ||
	    (nc->ipsec.mode == CONF_IPSEC_REQUIRED && nc->ipsec.reqid != e->conf->ipsec.reqid)) {
		snprintf(err, errlen, "%s: [ipsec] mode and reqid cannot change on reload "
			 "(restart lnsd)", nc->path);
		conf_unref(nc);
		return -1;
	}
	if (e->dataplane == ENG_DP_KERNEL && users_load(nc, &users, err, errlen)) {
		conf_unref(nc);
		return -1;
	}
	if (listeners_apply(e, nc, err, errlen)) {
		ppp_users_free(users);
		conf_unref(nc);
		return -1;
	}
	if (e->dataplane == ENG_DP_KERNEL) {
		ppp_users_free(e->users);
		e->users = users;
		if (strcmp(nc->ppp_pool, e->conf->ppp_pool) != 0)
			log_warn("reload: [ppp] pool changes take effect at the next start");
	}
	/* Sessions share e->ppp_cfg: new settings apply to them from here on. */
	ppp_cfg_for(e, nc);
	if (strcmp(nc->control_socket, e->conf->control_socket) != 0)
		log_warn("reload: control-socket changes take effect at the next start");
	if (!lns_addr_eq(&nc->metrics, &e->conf->metrics) &&
	    (nc->metrics.family || e->conf->metrics.family))
		log_warn("reload: metrics address changes take effect at the next start");
	if (nc->dataplane != e->conf->dataplane)
		log_warn("reload: dataplane changes take effect at the next start");
	if (!radius_conf_same(&nc->radius, &e->conf->radius))
		log_warn("reload: [radius] server, timeout, retries, nas-ip-address and "
			 "require-message-authenticator changes take effect at the next start");
	log_set_level((enum log_level)nc->log_level);
	if (e->ipsec)
		ipsec_reload(e->ipsec, nc);
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

int engine_abort_tunnel(struct engine *e, uint16_t tid, const char *why)
{
	int rc = l2tp_lns_abort_tunnel(e->lns, tid, L2TP_STOPCCN_CLEAR, L2TP_ERR_NONE, why,
				       engine_now_ms(), &e->acts);

	engine_execute(e);
	return rc;
}

int engine_terminate_session(struct engine *e, uint16_t tid, uint16_t sid)
{
	struct l2tp_sess *s = l2tp_lns_session(e->lns, tid, sid);
	struct eng_session *es = s ? s->user : NULL;
	int rc;

	if (es && !es->dead) {
		/*
		 * PPP first (RFC 1661 §5.5 Terminate-Request) so the client learns the
		 * link is going; DOWN follows (Terminate-Ack or restart timeout), then
		 * the CDN with result 3 (administrative).
		 */
		ppp_sess_close(&es->ppp, PPP_DOWN_ADMIN, engine_now_ms(), &e->pacts);
		ppp_run(e, es, &e->pacts);
		engine_execute(e);
		return 0;
	}
	/* RFC 2661 §4.4.2: CDN result 3, "call disconnected for administrative reasons". */
	rc = l2tp_lns_close_session(e->lns, tid, sid, L2TP_CDN_ADMIN, L2TP_ERR_NONE,
				    "administrative", engine_now_ms(), &e->acts);

	engine_execute(e);
	return rc;
}

int engine_session_set_timeouts(struct engine *e, uint16_t tid, uint16_t sid,
				const uint32_t *session_s, const uint32_t *idle_s, bool apply)
{
	struct l2tp_sess *s = l2tp_lns_session(e->lns, tid, sid);
	struct eng_session *es = s ? s->user : NULL;
	struct eng_aaa *a = es && !es->dead ? es->aaa : NULL;
	uint64_t now = engine_now_ms(), t;

	if (!a)
		return -ENOENT;
	if (!apply)
		return 0;
	if (session_s) {
		/* aaa_timer_cb counts from up_ms (rounded up: never early); before IPCP, from then */
		t = *session_s ? (a->up ? (now - a->up_ms + 999) / 1000 : 0) + *session_s : 0;
		a->session_timeout_s = t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
	}
	if (idle_s) {
		a->idle_timeout_s = *idle_s;
		/* idle from now on: the counters so far are the baseline */
		if (a->up && *idle_s) {
			a->idle_since_ms = now;
			aaa_idle(e, es, now);
		}
	}
	aaa_rearm(e, a);
	return 0;
}

struct radius *engine_radius(const struct engine *e)
{
	return e->radius;
}

struct ipsec_mgr *engine_ipsec(const struct engine *e)
{
	return e->ipsec;
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

int engine_set_dataplane(struct engine *e, enum eng_dataplane dp, char *err, size_t errlen)
{
	size_t bad = 0;
	int rc;

	if (dp == ENG_DP_NONE || e->dataplane == ENG_DP_KERNEL) {
		e->dataplane = dp == ENG_DP_NONE ? e->dataplane : dp;
		return 0;
	}
	rc = users_load(e->conf, &e->users, err, errlen);
	if (rc)
		return rc;
	if (e->conf->ppp_pool[0]) {
		e->pool = ip_pool_new();
		if (!e->pool || ip_pool_parse(e->pool, e->conf->ppp_pool, &bad)) {
			snprintf(err, errlen, "[ppp] pool: cannot set up \"%s\"", e->conf->ppp_pool);
			rc = -EINVAL;
			goto fail;
		}
	}
	rc = kg_l2tp_open(&e->kg);
	if (rc < 0) {
		snprintf(err, errlen, "L2TP genetlink: %s%s%s", strerror(-rc),
			 e->kg.ext_ack[0] ? ": " : "", e->kg.ext_ack);
		rc = -ENODEV;
		goto fail;
	}
	rc = kg_rtnl_open(&e->rt);
	if (rc < 0) {
		snprintf(err, errlen, "rtnetlink: %s", strerror(-rc));
		kg_l2tp_close(&e->kg);
		rc = -ENODEV;
		goto fail;
	}
	ppp_cfg_for(e, e->conf);
	e->dataplane = ENG_DP_KERNEL;
	if (e->radius && e->users)
		log_notice("[ppp] users-file is not used: [radius] authenticates");
	else if (!e->radius && !e->users)
		log_warn("[ppp] users-file is not set: every PPP authentication will fail");
	if (!e->pool && !e->conf->ppp_local_ip)
		log_warn("[ppp] neither pool nor local-ip is set: clients get addresses only "
			 "from the %s", e->radius ? "RADIUS Framed-IP-Address" : "users file");
	return 0;
fail:
	ppp_users_free(e->users);
	e->users = NULL;
	ip_pool_free(e->pool);
	e->pool = NULL;
	return rc;
}
