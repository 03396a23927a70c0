// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * RADIUS (AAA) for a session: Access-Request for what PPP received,
 * the verdict back to the session, accounting Start, Interim-Update and
 * Stop with the data plane's counters, Session-Timeout and Idle-Timeout,
 * Framed-Route.
 */
#include "engine_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "radius.h"

const char *aaa_method_str(enum ppp_auth_method m)
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

/* A session's RADIUS state, allocated at its first Access-Request. */
struct eng_aaa {
	ev_timer timer;               /* Interim-Update, Session-Timeout, Idle-Timeout */
	struct eng_session *es;
	bool auth_pending;            /* an Access-Request is out: in e->auth_wait */
	uint64_t auth_id;             /* that request's number, its RADIUS cookie */
	struct eng_aaa *wait_next;    /* e->auth_wait chain */
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

/*
 * Access-Requests in flight by number (the cookie; never reused): a reply
 * finds its session here, not by Tunnel and Session ID, which take 32 bits
 * each (l2tp_proto.h) and may name a later call. A session that ends takes
 * its request out, so a late reply finds nothing.
 */
static struct eng_aaa **auth_chain(struct engine *e, uint64_t id)
{
	return &e->auth_wait[id & (ENG_AUTH_BUCKETS - 1)];   /* numbers are consecutive */
}

static void auth_wait_add(struct engine *e, struct eng_aaa *a)
{
	struct eng_aaa **c = auth_chain(e, a->auth_id);

	a->wait_next = *c;
	*c = a;
	a->auth_pending = true;
}

static void auth_wait_del(struct engine *e, struct eng_aaa *a)
{
	if (!a->auth_pending)
		return;
	for (struct eng_aaa **c = auth_chain(e, a->auth_id); *c; c = &(*c)->wait_next)
		if (*c == a) {
			*c = a->wait_next;
			break;
		}
	a->wait_next = NULL;
	a->auth_pending = false;
}

static struct eng_aaa *auth_wait_find(struct engine *e, uint64_t id)
{
	for (struct eng_aaa *a = *auth_chain(e, id); a; a = a->wait_next)
		if (a->auth_id == id)
			return a;
	return NULL;
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
	si->nas_port = es->nas_port;
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
	struct dp_stats ks = { 0 };
	struct rad_avs avs;
	char pfx[ENG_PREFIX_LEN];
	int rc;

	if (!e->conf->radius.accounting)
		return;
	if (st != RAD_ACCT_START &&
	    dp_session_stats(e->dp, es->sess->tun->tid, es->sess->sid, &ks) == 0)
		es->kst = ks;
	ai.in_octets = es->kst.rx_bytes;
	ai.out_octets = es->kst.tx_bytes;
	ai.in_packets = es->kst.rx_packets;
	ai.out_packets = es->kst.tx_packets;
	ai.session_time_s = (uint32_t)((engine_now_ms() - es->aaa->up_ms) / 1000);
	aaa_info(e, es, &si);
	rad_avs_init(&avs);
	rad_build_acct(&si, &ai, &avs);
	eng_ipv6_acct(es, &avs);
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
	struct dp_link_stats ls;

	a->next_idle_ms = now + idle_step_ms(a);
	if (dp_link_stats(e->dp, es->ifindex, &ls) < 0)
		return false;
	if (ls.rx_packets + ls.tx_packets != a->idle_packets) {
		a->idle_packets = ls.rx_packets + ls.tx_packets;
		a->idle_since_ms = now;
		return false;
	}
	return now - a->idle_since_ms >= (uint64_t)a->idle_timeout_s * 1000;
}

/* lnsd ends the call itself (Session-/Idle-Timeout): the pseudowire's close, then CDN. */
static void aaa_close(struct engine *e, struct eng_session *es, uint32_t cause, const char *why,
		      uint32_t secs)
{
	char pfx[ENG_PREFIX_LEN];

	log_notice("%s: %s (%u s) reached; disconnecting",
		   eng_sess_prefix(es->sess, pfx, sizeof(pfx)), why, secs);
	es->aaa->term_cause = cause;
	es->pw->close(e, es);
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
void aaa_up(struct engine *e, struct eng_session *es)
{
	struct eng_aaa *a = es->aaa;
	char pfx[ENG_PREFIX_LEN], eb[320];

	if (!a || a->up)
		return;
	eng_sess_prefix(es->sess, pfx, sizeof(pfx));
	for (unsigned i = 0; i < a->n_routes; i++) {
		struct in_addr dst = { .s_addr = htonl(a->routes[i].dst) };
		char ds[INET_ADDRSTRLEN];
		int rc = dp_route_add4(e->dp, es->ifindex, dst, a->routes[i].plen);

		inet_ntop(AF_INET, &dst, ds, sizeof(ds));
		if (rc < 0 && rc != -EEXIST)
			log_warn("%s: Framed-Route %s/%u via %s: %s", pfx, ds, a->routes[i].plen,
				 es->ifname, eng_kerr(e->dp->ext_ack, rc, eb, sizeof(eb)));
		else
			log_info("%s: Framed-Route %s/%u via %s", pfx, ds, a->routes[i].plen,
				 es->ifname);
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
void aaa_down(struct engine *e, struct eng_session *es, uint32_t cause)
{
	struct eng_aaa *a = es->aaa;

	if (!a)
		return;
	auth_wait_del(e, a);
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
void aaa_auth(struct engine *e, struct eng_session *es, const struct ppp_auth_req *req)
{
	struct eng_aaa *a = aaa_get(es);
	struct rad_sess_info si;
	struct rad_avs avs;
	char pfx[ENG_PREFIX_LEN];
	int rc = -ENOMEM;

	eng_sess_prefix(es->sess, pfx, sizeof(pfx));
	rad_avs_init(&avs);
	if (a) {
		aaa_info(e, es, &si);
		si.user = req->user;   /* as the client sent it, not the copy cut to fit */
		si.user_len = req->user_len;
		rc = rad_build_auth(&si, req, &avs);
		auth_wait_del(e, a);   /* one still out is superseded: its reply finds nothing */
		a->auth_id = ++e->next_auth_id;
		if (rc == 0)
			rc = radius_auth(e->radius, a->auth_id, &avs);
	}
	rad_avs_free(&avs);
	if (rc == 0) {
		auth_wait_add(e, a);
		a->method = (uint8_t)req->method;
		log_info("%s: %s authentication of %s sent to RADIUS", pfx,
			 aaa_method_str(req->method), LOG_STRN(req->user, req->user_len));
		return;
	}
	log_ratelimited(engine_now_ms(), "radius auth", "%s: cannot queue the Access-Request: %s",
			pfx, rc == -EBUSY ? "too many RADIUS requests waiting"
			: rc == -EINVAL && req->method == PPP_AUTH_PAP
				? "the PAP password is longer than RADIUS carries (128 bytes)"
				: strerror(-rc));
	es->pw->auth_result(e, es, false, "Authentication failed", NULL);
}

/* What an Access-Accept assigns: address, DNS, routes, timers, Class. */
/*
 * A RADIUS server is trusted with addresses, not with other peers' sessions:
 * an address it assigns must be a unicast host address, not ours, and not in
 * use by another session (pool addresses are guarded by the pool itself; this
 * covers the ones outside it). NULL when usable, else why not. The engine
 * indexes sessions by the address they hold: no walk over the sessions.
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
	if (eng_ip_in_use(e, es, ip))
		return "already in use by another session";
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
	eng_rate_accept(e, es, &ra->rate, pfx);
	return true;
}

void aaa_reply(void *ctx, uint64_t cookie, const struct radius_reply *rep)
{
	struct engine *e = ctx;
	struct eng_aaa *a = auth_wait_find(e, cookie);
	struct eng_session *es = a ? a->es : NULL;
	struct l2tp_sess *s = es ? es->sess : NULL;
	const struct radius_stats *rs = radius_stats(e->radius);
	struct ppp_auth_attrs attrs = { 0 };
	char pfx[ENG_PREFIX_LEN];
	const char *msg = "Authentication failed", *server;
	bool ok;

	if (a)
		auth_wait_del(e, a);
	if (!es || es->dead) {
		log_debug("radius: reply for a session that has ended; dropped");
		return;
	}
	eng_sess_prefix(s, pfx, sizeof(pfx));
	server = rep->server >= 0 ? rs->servers[rep->server] : "no server";
	ok = rep->verdict == RADIUS_ACCEPT && aaa_accept(e, es, &rep->attrs, &attrs, pfx);
	if (ok)
		eng_ipv6_accept(e, es, &rep->ipv6, pfx);
	if (!ok && rep->attrs.ms_error[0])
		msg = rep->attrs.ms_error;
	if (es->aaa->method < PPP_AUTH_METHOD_COUNT)
		e->ctr.auth[es->aaa->method][ok]++;
	log_notice("%s: %s authentication of %s %s by RADIUS %s%s%s%s", pfx,
		   aaa_method_str(es->aaa->method), LOG_STRN(es->username, es->username_len),
		   ok ? "accepted" : "refused", server,
		   rep->verdict == RADIUS_FAILED ? " (no server answered)" : "",
		   rep->attrs.reply_message[0] ? ": " : "",
		   rep->attrs.reply_message[0] ? LOG_STR(rep->attrs.reply_message) : "");
	es->pw->auth_result(e, es, ok, ok ? "Welcome" : msg, &attrs);
	engine_execute(e);
}

/* CoA (RFC 5176 §3.2): engine_session_set_timeouts() for a live session. */
int aaa_set_timeouts(struct engine *e, struct eng_session *es, const uint32_t *session_s,
		     const uint32_t *idle_s, bool apply)
{
	struct eng_aaa *a = es->aaa;
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

void aaa_free(struct eng_session *es)
{
	if (es->aaa)
		auth_wait_del(es->eng, es->aaa);
	free(es->aaa);
	es->aaa = NULL;
}
