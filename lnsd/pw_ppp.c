// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The PPP pseudowire: a kernel PPP session per L2TP session (docs/design.md §4.3),
 * with PPP negotiated here (lib/ppp/ppp_sess.c) over the channel and unit fds:
 * session create and attach, the PPP actions (send, authenticate, up, down),
 * pppN's addresses and routes, and the session's PPP timer.
 */
#include "engine_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipsec.h"
#include "l2tp_mtu.h"
#include "lns_ifname.h"
#include "log.h"
#include "ppp_users.h"

/* The PPP part of a session (es->u.ppp): channel, unit and the in-process PPP state. */
struct pw_ppp {
	ev_io chan_io, unit_io;
	ev_timer timer;               /* PPP's timers; before attach, SESSION_CREATE retries */
	struct eng_session *es;
	struct dp_ppp kp;
	bool ipv6;                    /* IPV6CP opened: peer_ifid is valid */
	bool attached;                /* kernel session and pppN exist; PPP runs */
	uint8_t create_tries;         /* SESSION_CREATE answered -EEXIST (6.12) */
	uint16_t mtu;                 /* pppN's once up; before, the MRU we request */
	uint8_t peer_ifid[8];         /* the client's interface identifier */
	struct ppp_sess ppp;
};

static void pw_ppp_run(struct engine *e, struct eng_session *es, struct ppp_actions *acts);
static void session_attach(struct engine *e, struct eng_session *es);
static void pw_auth_result(struct engine *e, struct eng_session *es, bool ok, const char *msg,
			   const struct ppp_auth_attrs *attrs);

/*
 * Close the kernel side: closing the PPPoX fd deletes the kernel session
 * (docs/design.md §4.4); queued, closed in a later loop iteration.
 */
static void session_kernel_close(struct engine *e, struct eng_session *es)
{
	struct pw_ppp *pp = es->u.ppp;

	ev_io_stop(e->loop, &pp->chan_io);
	ev_io_stop(e->loop, &pp->unit_io);
	ev_timer_stop(e->loop, &pp->timer);
	eng_reap_ppp(e, &pp->kp);
	es->dp_session = false;
}

/*
 * A kernel call failed: the session cannot carry data. RFC 2661 §4.4.2 CDN
 * result 2 (see error code), error 4 (insufficient resources).
 */
static void session_fail(struct engine *e, struct eng_session *es, const char *what)
{
	struct pw_ppp *pp = es->u.ppp;
	char pfx[ENG_PREFIX_LEN];
	struct ppp_actions junk;

	log_err("%s: %s; disconnecting", eng_sess_prefix(es->sess, pfx, sizeof(pfx)), what);
	if (!es->dead) {
		ppp_actions_init(&junk);
		ppp_sess_lower_down(&pp->ppp, engine_now_ms(), &junk);
		ppp_actions_free(&junk);
		es->dead = true;
		eng_queue_cdn(e, es->sess, L2TP_CDN_GENERAL_ERROR, L2TP_ERR_NO_RESOURCES,
			      "kernel data plane failure");
	}
	eng_ip_hold(e, es, 0);
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
	struct pw_ppp *pp = es->u.ppp;
	uint64_t dl = ppp_sess_next_deadline(&pp->ppp), now;

	ev_timer_stop(e->loop, &pp->timer);
	if (dl == UINT64_MAX || es->dead)
		return;
	now = engine_now_ms();
	ev_timer_set(&pp->timer, dl > now ? (double)(dl - now + 1) / 1000.0 : 0.0, 0.0);
	ev_timer_start(e->loop, &pp->timer);
}

/* PPP received credentials: the users file decides here, RADIUS through aaa_auth(). */
static void do_auth(struct engine *e, struct eng_session *es, const struct ppp_actions *acts,
		    const struct ppp_action *a)
{
	struct ppp_auth_req req;
	const struct ppp_user *match = NULL;
	struct ppp_auth_attrs attrs = { 0 };
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
			   aaa_method_str(req.method), LOG_STRN(req.user, req.user_len));
	else
		log_notice("%s: %s authentication of %s failed%s%s", pfx,
			   aaa_method_str(req.method), LOG_STRN(req.user, req.user_len),
			   req.method == PPP_AUTH_MSCHAPV2 ? " (E=691)" : "",
			   e->users ? "" : " (no users-file)");
	pw_auth_result(e, es, ok, ok ? "Welcome" : "Authentication failed", &attrs);
}

/* IPCP opened (RFC 1332): address, MTU and up on pppN. */
static void do_up(struct engine *e, struct eng_session *es, const struct ppp_up_info *up)
{
	struct in_addr l = { .s_addr = htonl(up->local_ip) }, p = { .s_addr = htonl(up->peer_ip) };
	char pfx[ENG_PREFIX_LEN], ls[INET_ADDRSTRLEN], ps[INET_ADDRSTRLEN], eb[320];
	const char *what;
	int rc;

	what = "set MTU";
	rc = dp_link_set_mtu(e->dp, es->ifindex, up->mtu);
	if (rc == 0 && up->local_ip) {
		what = "add address";
		rc = dp_addr_add_ptp4(e->dp, es->ifindex, l, p);
	} else if (rc == 0) {
		what = "add route";
		rc = dp_route_add4(e->dp, es->ifindex, p, 32);
	}
	if (rc == -EEXIST)   /* IPCP renegotiated with the same addresses */
		rc = 0;
	if (rc == 0) {
		what = "set up";
		rc = dp_link_set_up(e->dp, es->ifindex);
	}
	if (rc < 0) {
		char msg[400];

		snprintf(msg, sizeof(msg), "%s: %s on %s", what, eng_kerr(e->dp->ext_ack, rc, eb,
								      sizeof(eb)), es->ifname);
		session_fail(e, es, msg);
		return;
	}
	es->ip = up->peer_ip;
	es->link_up = true;
	es->u.ppp->mtu = up->mtu;
	if (!es->was_up) {
		es->was_up = true;
		eng_count_setup(e, es->sess, engine_now_ms());
	}
	inet_ntop(AF_INET, &l, ls, sizeof(ls));
	inet_ntop(AF_INET, &p, ps, sizeof(ps));
	log_notice("%s: %s up, user %s, %s peer %s, mtu %u",
		   eng_sess_prefix(es->sess, pfx, sizeof(pfx)), es->ifname,
		   LOG_STRN(es->username, es->username_len),
		   up->local_ip ? ls : "(no local address)", ps, up->mtu);
	eng_rate_up(e, es);
	if (e->conf->ppp_ipv6)
		eng_ipv6_reserve(e, es);   /* Accounting Start carries the prefixes */
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
	struct pw_ppp *pp = es->u.ppp;
	struct in6_addr l, p;
	char pfx[ENG_PREFIX_LEN], ls[INET6_ADDRSTRLEN], ps[INET6_ADDRSTRLEN], eb[320];
	const char *what = "set MTU";
	int rc = 0;

	if (!up->ipv6)
		return;
	ifid_addr(up->local_ifid, &l);
	ifid_addr(up->peer_ifid, &p);
	if (!es->link_up) {
		rc = dp_link_set_mtu(e->dp, es->ifindex, up->mtu);
		if (rc == 0) {
			what = "set up";
			rc = dp_link_set_up(e->dp, es->ifindex);
		}
	}
	if (rc == 0) {
		what = "add IPv6 address";
		rc = dp_addr_add_ptp6(e->dp, es->ifindex, &l, &p);
		if (rc == -EEXIST)   /* IPV6CP renegotiated with the same identifiers */
			rc = 0;
	}
	if (rc < 0) {
		char msg[400];

		snprintf(msg, sizeof(msg), "%s: %s on %s", what, eng_kerr(e->dp->ext_ack, rc, eb,
								      sizeof(eb)), es->ifname);
		session_fail(e, es, msg);
		return;
	}
	if (!es->link_up) {   /* up with IPv6 first: its MTU; the limits go on with the link */
		pp->mtu = up->mtu;
		es->link_up = true;
		eng_rate_up(e, es);
	}
	pp->ipv6 = true;
	memcpy(pp->peer_ifid, up->peer_ifid, sizeof(pp->peer_ifid));
	inet_ntop(AF_INET6, &l, ls, sizeof(ls));
	inet_ntop(AF_INET6, &p, ps, sizeof(ps));
	log_notice("%s: %s IPv6 up, user %s, %s peer %s",
		   eng_sess_prefix(es->sess, pfx, sizeof(pfx)), es->ifname,
		   LOG_STRN(es->username, es->username_len), ls, ps);
	eng_ipv6_up(e, es, up->local_ifid, up->peer_ifid);
	aaa_up(e, es);   /* IPv6 only: Accounting Start now (done already after IPCP) */
}

static void do_down(struct engine *e, struct eng_session *es, enum ppp_down_reason why)
{
	struct pw_ppp *pp = es->u.ppp;
	char pfx[ENG_PREFIX_LEN];

	if (es->dead)
		return;
	es->dead = true;
	es->ip = 0;
	pp->ipv6 = false;
	log_notice("%s: PPP down on %s: %s", eng_sess_prefix(es->sess, pfx, sizeof(pfx)),
		   es->ifname, ppp_down_reason_str(why));
	aaa_down(e, es, rad_term_cause_for(why));
	eng_ipv6_down(e, es);   /* after Stop, which names the prefixes; before pppN goes */
	session_kernel_close(e, es);
	eng_queue_cdn(e, es->sess, cdn_result_for(why), L2TP_ERR_NONE, ppp_down_reason_str(why));
}

/*
 * Perform PPP's actions in order. Never calls into the L2TP lib (CDNs are
 * queued). Then the address the session holds, for eng_ip_in_use().
 */
static void pw_ppp_run(struct engine *e, struct eng_session *es, struct ppp_actions *acts)
{
	struct pw_ppp *pp = es->u.ppp;

	for (size_t i = 0; i < acts->n; i++) {
		const struct ppp_action *a = &acts->v[i];
		int fd;

		switch (a->type) {
		case PPP_ACT_SEND:
			fd = a->chan == PPP_CHAN_UNIT ? pp->kp.unit_fd : pp->kp.chan_fd;
			if (fd >= 0 && write(fd, ppp_action_data(acts, a), a->len) < 0) {
				e->drops[ENG_DROP_SEND_ERROR]++;
				log_ratelimited(engine_now_ms(), "ppp write", "%s: write: %s",
						es->ifname, strerror(errno));
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
	eng_ip_hold(e, es, es->dead ? 0 : pp->ppp.attrs.peer_ip);
	session_rearm(e, es);
}

static void ppp_readable(struct engine *e, struct eng_session *es, bool unit)
{
	struct pw_ppp *pp = es->u.ppp;

	for (int i = 0; i < ENG_RX_BATCH && !es->dead; i++) {
		int fd = unit ? pp->kp.unit_fd : pp->kp.chan_fd;
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
		ppp_sess_input(&pp->ppp, e->rx, (size_t)n, unit, engine_now_ms(), &e->pacts);
		pw_ppp_run(e, es, &e->pacts);
	}
	engine_execute(e);   /* queued CDNs; es may be freed from here on */
}

static void chan_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct pw_ppp *pp = (struct pw_ppp *)((char *)w - offsetof(struct pw_ppp, chan_io));

	ppp_readable(pp->es->eng, pp->es, false);
}

static void unit_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct pw_ppp *pp = (struct pw_ppp *)((char *)w - offsetof(struct pw_ppp, unit_io));

	ppp_readable(pp->es->eng, pp->es, true);
}

static void ppp_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct pw_ppp *pp = (struct pw_ppp *)((char *)w - offsetof(struct pw_ppp, timer));
	struct eng_session *es = pp->es;
	struct engine *e = es->eng;

	if (!pp->attached) {   /* a SESSION_CREATE retry (KSESS_CREATE_TRIES) */
		session_attach(e, es);
		engine_execute(e);
		return;
	}
	ppp_sess_tick(&pp->ppp, engine_now_ms(), &e->pacts);
	pw_ppp_run(e, es, &e->pacts);
	engine_execute(e);
}

/*
 * On 6.12 SESSION_DELETE finishes asynchronously: an ID deleted a moment ago
 * may still answer SESSION_CREATE with -EEXIST (docs/design.md §4.4). Try again
 * after 20, 40, 80, 160 ms from the session's timer, then give up.
 */
#define KSESS_CREATE_TRIES 5

/* ICCN processed (RFC 2661 §7.4.2): kernel session, pppN, then LCP. */
static void pw_start(struct engine *e, struct eng_session *es)
{
	struct pw_ppp *pp = calloc(1, sizeof(*pp));
	char pfx[ENG_PREFIX_LEN];

	if (!pp) {
		log_err("%s: out of memory; disconnecting",
			eng_sess_prefix(es->sess, pfx, sizeof(pfx)));
		es->dead = true;
		eng_queue_cdn(e, es->sess, L2TP_CDN_GENERAL_ERROR, L2TP_ERR_NO_RESOURCES,
			      "out of memory");
		return;
	}
	es->u.ppp = pp;
	pp->es = es;
	dp_ppp_init(&pp->kp);
	ev_io_init(&pp->chan_io, chan_cb, -1, EV_READ);
	ev_io_init(&pp->unit_io, unit_cb, -1, EV_READ);
	ev_init(&pp->timer, ppp_timer_cb);
	ppp_sess_init(&pp->ppp, &e->ppp_cfg);
	session_attach(e, es);
}

/*
 * [ppp] mtu = auto (docs/design.md §4.3): the largest PPP MTU whose frame
 * fits the path to the peer once in L2TP (with the kernel's Ns/Nr when
 * sequencing), UDP, IP and, over IPsec, the CHILD_SA's ESP and NAT-T
 * (lib/ipsec/l2tp_mtu.h). A tunnel with IPsec required but no SA known
 * (not expected: the SA precedes the tunnel) is sized for the worst ESP.
 * How it was found goes into how[].
 */
static uint16_t session_mtu(struct engine *e, const struct l2tp_sess *s, char *how, size_t len)
{
	const struct eng_tunnel *et = s->tun->user;
	struct ipsec_mgr *im = engine_ipsec(e);
	const struct ipsec_child *c = im ? engine_tunnel_sa(e, s->tun) : NULL;
	struct l2tp_mtu_in in = { .ipv6 = s->tun->peer.family == 6, .seq = s->seq_required };
	uint32_t mtu, sock_mtu = 0;
	bool known = true, measured = dp_path_mtu(e->dp, et->fd, &in.path_mtu, &sock_mtu) == 0;
	char sock[32] = "";

	if (!measured)
		in.path_mtu = PPP_DEFAULT_MRU;   /* no route known: Ethernet's */
	else if (sock_mtu != in.path_mtu)   /* the kernel's own ESP sizing, for comparison */
		snprintf(sock, sizeof(sock), " (socket %u)", sock_mtu);
	if (im) {
		in.esp = true;
		in.natt = !c || c->natt;
		known = c && esp_alg_parse(c->cipher, &in.alg) == 0;
		if (!c)
			esp_alg_parse("", &in.alg);
	}
	mtu = l2tp_ppp_mtu(&in);
	if (mtu > 16384)                 /* [ppp] mtu's range */
		mtu = 16384;
	snprintf(how, len, "path %u%s%s, %s%s, %s%s%s%s", in.path_mtu, sock,
		 measured ? "" : " (assumed)",
		 in.ipv6 ? "IPv6" : "IPv4", s->seq_required ? ", sequencing" : "",
		 im ? "ESP " : "no IPsec", im && c ? LOG_STR(c->cipher) : "",
		 im && !known ? " (worst case)" : "", in.natt ? ", NAT-T" : "");
	return (uint16_t)mtu;
}

static void session_attach(struct engine *e, struct eng_session *es)
{
	struct pw_ppp *pp = es->u.ppp;
	struct l2tp_sess *s = es->sess;
	struct eng_tunnel *et = s->tun->user;
	struct dp_session_cfg kc = { .pw = DP_PW_PPP };
	struct dp_ppp_cfg pc;
	struct sockaddr_storage ss;
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
	rc = dp_session_create(e->dp, &kc);
	if (rc == -EEXIST && ++pp->create_tries < KSESS_CREATE_TRIES) {
		delay_ms = 10u << pp->create_tries;
		log_info("%s: kernel session id still in use (being deleted); retry in %u ms", pfx,
			 delay_ms);
		ev_timer_set(&pp->timer, delay_ms / 1000.0, 0.0);
		ev_timer_start(e->loop, &pp->timer);
		return;
	}
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "kernel session create: %s",
			 eng_kerr(e->dp->ext_ack, rc, eb, sizeof(eb)));
		session_fail(e, es, msg);
		return;
	}
	pc = (struct dp_ppp_cfg){ .tunnel_fd = et->fd, .peer = (struct sockaddr *)&ss,
				  .peer_len = addr_to_sa(&et->peer, &ss), .tid = kc.tid,
				  .peer_tid = kc.peer_tid, .sid = kc.sid, .peer_sid = kc.peer_sid,
				  .ifname_fmt = e->conf->ppp_ifname };
	rc = dp_ppp_open(e->dp, &pp->kp, &pc);
	if (rc < 0) {
		/* Without a PPPoX socket nothing else deletes the kernel session. */
		dp_session_delete(e->dp, kc.tid, kc.sid);
		snprintf(msg, sizeof(msg), "PPPoL2TP socket and /dev/ppp: %s", strerror(-rc));
		session_fail(e, es, msg);
		return;
	}
	es->dp_session = true;
	es->nas_port = (uint32_t)pp->kp.unit;
	snprintf(es->ifname, sizeof(es->ifname), "%s", pp->kp.ifname);
	es->ifindex = dp_link_index(e->dp, es->ifname);
	if (es->ifindex < 0) {
		snprintf(msg, sizeof(msg), "%s: %s", es->ifname,
			 eng_kerr(e->dp->ext_ack, es->ifindex, eb, sizeof(eb)));
		session_fail(e, es, msg);
		return;
	}
	/* named at creation by the data plane when it could (dp_ppp_cfg.ifname_fmt) */
	if (lns_ifname_unit(e->conf->ppp_ifname, pp->kp.unit, name, sizeof(name)) &&
	    strcmp(name, es->ifname) != 0) {
		rc = dp_link_rename(e->dp, es->ifindex, name);
		if (rc < 0) {
			snprintf(msg, sizeof(msg), "rename %s to %s: %s", es->ifname, name,
				 eng_kerr(e->dp->ext_ack, rc, eb, sizeof(eb)));
			session_fail(e, es, msg);
			return;
		}
		snprintf(es->ifname, sizeof(es->ifname), "%s", name);
	}
	ev_io_set(&pp->chan_io, pp->kp.chan_fd, EV_READ);
	ev_io_set(&pp->unit_io, pp->kp.unit_fd, EV_READ);
	ev_io_start(e->loop, &pp->chan_io);
	ev_io_start(e->loop, &pp->unit_io);
	pp->attached = true;
	log_info("%s: kernel session on %s%s", pfx, es->ifname,
		 s->seq_required ? ", sequencing" : "");
	if (!e->conf->ppp_mru) {
		char how[LOG_STR_SIZE + 96];

		lcp_set_mru(&pp->ppp.lcp, session_mtu(e, s, how, sizeof(how)));
		log_notice("%s: mtu %u on %s (auto: %s)", pfx, pp->ppp.lcp.mru, es->ifname, how);
	}
	pp->mtu = pp->ppp.lcp.mru;
	ppp_sess_start(&pp->ppp, engine_now_ms(), &e->pacts);
	pw_ppp_run(e, es, &e->pacts);
}

/* The L2TP session is gone (SESSION_FREE, or its tunnel): PPP down, fds closed. */
static void pw_free(struct engine *e, struct eng_session *es)
{
	struct pw_ppp *pp = es->u.ppp;
	struct ppp_actions junk;

	if (!pp) {
		aaa_down(e, es, RAD_TERM_LOST_CARRIER);
		eng_ipv6_down(e, es);
		return;
	}
	if (!es->dead) {
		ppp_actions_init(&junk);
		ppp_sess_lower_down(&pp->ppp, engine_now_ms(), &junk);
		ppp_actions_free(&junk);
	}
	ppp_sess_fini(&pp->ppp);
	aaa_down(e, es, RAD_TERM_LOST_CARRIER);
	eng_ipv6_down(e, es);
	session_kernel_close(e, es);
	free(pp);
	es->u.ppp = NULL;
}

/* lnsd ends the call: LCP Terminate-Request (RFC 1661 §5.5); DOWN, then the CDN, follow. */
static void pw_close(struct engine *e, struct eng_session *es)
{
	ppp_sess_close(&es->u.ppp->ppp, PPP_DOWN_ADMIN, engine_now_ms(), &e->pacts);
	pw_ppp_run(e, es, &e->pacts);
}

static void pw_auth_result(struct engine *e, struct eng_session *es, bool ok, const char *msg,
			    const struct ppp_auth_attrs *attrs)
{
	struct ppp_actions res;

	ppp_actions_init(&res);
	if (ppp_sess_auth_result(&es->u.ppp->ppp, ok, msg, attrs, engine_now_ms(), &res) == 0)
		pw_ppp_run(e, es, &res);
	ppp_actions_free(&res);
}

static void pw_info(const struct eng_session *es, struct eng_sess_info *out)
{
	const struct pw_ppp *pp = es->u.ppp;

	out->ppp = true;
	if (!pp)
		return;
	out->ppp_unit = pp->attached ? pp->kp.unit : -1;
	out->ppp_phase = ppp_phase_str((enum ppp_phase)pp->ppp.phase);
	out->closing = out->closing || pp->ppp.phase == PPP_PHASE_TERMINATE;
	out->ipv6 = pp->ipv6;
	memcpy(out->peer_ifid, pp->peer_ifid, sizeof(out->peer_ifid));
	out->mtu = pp->mtu;
}

const struct eng_pw_ops eng_pw_ppp = {
	.type = DP_PW_PPP,
	.start = pw_start,
	.close = pw_close,
	.auth_result = pw_auth_result,
	.info = pw_info,
	.free = pw_free,
};

/* [ppp] for the sessions to come; the pool stays the one made at start. */
void pw_ppp_cfg(struct engine *e, const struct lnsd_conf *conf)
{
	conf_to_ppp_cfg(conf, &e->ppp_cfg);
	snprintf(e->ppp_name, sizeof(e->ppp_name), "%s", conf->hostname);
	e->ppp_cfg.auth.name = e->ppp_name;
	e->ppp_cfg.lcp.rand_bytes = eng_rand_bytes;
	e->ppp_cfg.lcp.rand_ctx = e;
	e->ppp_cfg.pool = e->pool;
	/*
	 * lnsd's nftables rules for every pppN (kg_nft.h), set on each (re)load:
	 * [ppp] mss-clamp, and with [ipsec] the mark of decrypted packets cleared
	 * on pppN (docs/design.md §5.5).
	 */
	unsigned nft = (conf->ppp_mss_clamp ? DP_NFT_MSS_CLAMP : 0) |
		       (conf->ipsec.mode != CONF_IPSEC_OFF ? DP_NFT_UNMARK : 0);
	if (e->dp && e->dp->sessions && dp_nft_rules(e->dp, nft) < 0)
		log_warn("cannot %s lnsd's nftables rules (mss-clamp %s, unmark %s): %s",
			 nft ? "install" : "remove", conf->ppp_mss_clamp ? "yes" : "no",
			 nft & DP_NFT_UNMARK ? "yes" : "no", LOG_STR(e->dp->ext_ack));
}

/* The users file (chap-secrets format), refused when others may read it. */
int pw_ppp_users_load(const struct lnsd_conf *conf, struct ppp_users **out, char *err,
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
