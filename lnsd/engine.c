// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The engine's core (engine.h): the lib's timer, the executor of its actions,
 * tunnels and the generic part of sessions, lifecycle and admin. Sockets are
 * in udp.c, the PPP pseudowire in pw_ppp.c, RADIUS in aaa.c.
 */
#include "engine_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "ipsec.h"
#include "l2tp_msg.h"
#include "lns_grow.h"
#include "log.h"
#include "ppp_users.h"
#include "radius.h"

static const char *const eng_drop_names[ENG_DROP_COUNT] = {
	[ENG_DROP_RECV_ERROR] = "recv_error",     [ENG_DROP_OVERSIZED] = "oversized",
	[ENG_DROP_NO_PKTINFO] = "no_pktinfo",     [ENG_DROP_BAD_FAMILY] = "bad_family",
	[ENG_DROP_SEND_ERROR] = "send_error",     [ENG_DROP_NO_LISTENER] = "no_listener",
	[ENG_DROP_ICMP_ERROR] = "icmp_error",     [ENG_DROP_RXQ_OVERFLOW] = "rxq_overflow",
	[ENG_DROP_IPSEC_SA] = "ipsec_sa_mismatch",
};

const char *eng_drop_str(enum eng_drop d)
{
	return d < ENG_DROP_COUNT ? eng_drop_names[d] : "?";
}

/* 10 ms (a LAN LAC, control plane only) to 30 s (setup-timeout's default). */
const uint32_t eng_setup_bucket_ms[ENG_SETUP_BUCKETS] = {
	10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 20000, 30000,
};

/*
 * [l2tp] max-starting: a call counts as starting from its ICRQ until PPP
 * is up (eng_count_setup: IPCP open, or ICCN without a data plane) or it
 * ends; at the bound, the lib refuses new calls with CDN 4/4
 * (l2tp_lns_set_busy). Checked after each event (engine_execute).
 */
static void starting_update(struct engine *e)
{
	uint32_t max = e->conf->max_starting;

	l2tp_lns_set_busy(e->lns, max && e->ctr.starting >= max);
}

static void starting_add(struct engine *e)
{
	if (++e->ctr.starting > e->ctr.starting_max)
		e->ctr.starting_max = e->ctr.starting;
}

static void starting_done(struct engine *e)
{
	if (e->ctr.starting)
		e->ctr.starting--;
}

/* The session ends: it was still starting unless its setup was counted. */
static void starting_free(struct engine *e, const struct l2tp_sess *s)
{
	const struct eng_session *es = s->user;

	if (e->dp->sessions ? !(es && es->was_up) : !s->established_ms)
		starting_done(e);
}

void eng_count_setup(struct engine *e, const struct l2tp_sess *s, uint64_t now)
{
	uint64_t ms = now > s->created_ms ? now - s->created_ms : 0;
	size_t i = 0;

	while (i < ENG_SETUP_BUCKETS && ms > eng_setup_bucket_ms[i])
		i++;
	e->ctr.setup_le[i]++;
	e->ctr.setup_count++;
	e->ctr.setup_sum_ms += ms;
	starting_done(e);
}

uint64_t engine_now_ms(void)
{
	return engine_now_us() / 1000;
}

uint64_t engine_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
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


/* "Invalid argument (the kernel's extended-ack text)" */
const char *eng_kerr(const char *ext_ack, int rc, char *buf, size_t len)
{
	if (ext_ack && ext_ack[0])
		snprintf(buf, len, "%s (%s)", strerror(-rc), ext_ack);
	else
		snprintf(buf, len, "%s", strerror(-rc));
	return buf;
}


/* ---- tunnels by peer address ------------------------------------------- */

/* Chain of the peer index for address a: seeded multiplicative hashing of its words. */
static struct eng_tunnel **peer_chain(const struct engine *e, const struct lns_addr *a)
{
	uint32_t h = e->peer_seed + a->family, w;

	for (size_t i = 0; i < (a->family == 4 ? 4u : 16u); i += 4) {
		memcpy(&w, a->addr + i, 4);
		h = (h ^ w) * 2654435761u;
		h ^= h >> 15;
	}
	return &e->peer_index[(h * 2654435761u) >> (32 - __builtin_ctz(e->peer_nb))];
}

static void peer_link(struct engine *e, struct eng_tunnel *et)
{
	struct eng_tunnel **c = peer_chain(e, &et->peer);

	et->peer_next = *c;
	if (*c)
		(*c)->peer_pprev = &et->peer_next;
	*c = et;
	et->peer_pprev = c;
}

static void peer_unlink(struct engine *e, struct eng_tunnel *et)
{
	if (!et->peer_pprev)
		return;
	*et->peer_pprev = et->peer_next;
	if (et->peer_next)
		et->peer_next->peer_pprev = et->peer_pprev;
	et->peer_next = NULL;
	et->peer_pprev = NULL;
	e->peer_n--;
}

/* Twice the buckets once there are more tunnels than buckets; without memory, longer chains. */
static void peer_index_grow(struct engine *e)
{
	uint32_t onb = e->peer_nb;
	struct eng_tunnel **old = e->peer_index, **nv;

	if (e->peer_n <= onb || onb >= 1u << 30)
		return;
	nv = calloc((size_t)onb * 2, sizeof(*nv));
	if (!nv)
		return;
	e->peer_index = nv;
	e->peer_nb = onb * 2;
	for (uint32_t b = 0; b < onb; b++)
		while (old[b]) {
			struct eng_tunnel *et = old[b];

			old[b] = et->peer_next;
			peer_link(e, et);
		}
	free(old);
}

static void peer_add(struct engine *e, struct eng_tunnel *et)
{
	peer_link(e, et);
	e->peer_n++;
	peer_index_grow(e);
}

struct eng_tunnel *eng_peer_next(const struct engine *e, const struct lns_addr *a,
				 const struct eng_tunnel *prev)
{
	struct eng_tunnel *et = prev ? prev->peer_next : *peer_chain(e, a);
	size_t alen = a->family == 4 ? 4 : 16;

	for (; et; et = et->peer_next)
		if (et->peer.family == a->family && memcmp(et->peer.addr, a->addr, alen) == 0)
			return et;
	return NULL;
}

static uint32_t tunnel_mark(const struct l2tp_tun *t)
{
	const struct eng_tunnel *et = t->user;

	return et ? et->ipsec_mark : 0;
}

static void tunnel_new(struct engine *e, struct l2tp_tun *t)
{
	struct eng_tunnel *et = calloc(1, sizeof(*et));
	char pfx[ENG_PREFIX_LEN];
	int fd;

	e->drain_pos = 0;   /* eng_shutdown_done() has not seen this one */
	eng_tun_prefix(t, pfx, sizeof(pfx));
	if (!et) {
		/* Without our struct the tunnel still works through the listener. */
		log_err("%s: out of memory for the tunnel socket state", pfx);
		e->peer_unindexed++;
		return;
	}
	et->eng = e;
	et->tun = t;
	et->conf = conf_ref(e->conf);
	et->local = t->local;
	et->peer = t->peer;
	peer_add(e, et);
	eng_listeners_share(e, &t->local, true);
	fd = eng_tunnel_socket(e->conf, &t->local, &t->peer, eng_ipsec_bind(e, et, pfx));
	eng_listeners_share(e, &t->local, false);
	if (fd < 0) {
		log_err("%s: cannot open its own socket (%s)%s; using the listener", pfx,
			strerror(-fd), e->conf->ipsec.mode == CONF_IPSEC_REQUIRED ?
			" or install its IPsec policy" : "");
		et->fd = -1;
	} else {
		et->fd = fd;
		ev_io_init(&et->io, eng_tunnel_readable, fd, EV_READ);
		eng_socket_priority(&et->io);
		ev_io_start(e->loop, &et->io);
		if (e->dp->sessions) {
			struct dp_tunnel_cfg tc = { .tid = t->tid, .peer_tid = t->peer_tid,
						    .version = 2, .encap = DP_ENCAP_UDP, .fd = fd };
			char eb[320];
			int rc = dp_tunnel_create(e->dp, &tc);

			if (rc < 0)
				log_err("%s: kernel tunnel create: %s; its sessions will be refused",
					pfx, eng_kerr(e->dp->ext_ack, rc, eb, sizeof(eb)));
			else
				et->dp_tunnel = true;
		}
	}
	t->user = et;
	log_info("%s: new control connection from host %s (peer config %s%s%s)", pfx,
		 LOG_STR(t->peer_hostname), t->peer_cfg ? t->peer_cfg->name : "default",
		 t->peer_cfg && t->peer_cfg->secret_len ? ", authenticated" : "",
		 t->peer_cfg && t->peer_cfg->hide_avps ? ", hidden AVPs" : "");
}

/* ---- sessions with a data plane ------------------------------------------ */

/*
 * ICCN processed (RFC 2661 §7.4.2): the generic session, then its
 * pseudowire (L2TPv2 carries PPP only) brings the data plane up.
 */
static void session_start(struct engine *e, struct l2tp_sess *s, const struct eng_pw_ops *pw)
{
	struct eng_tunnel *et = s->tun->user;
	struct eng_session *es;
	char pfx[ENG_PREFIX_LEN];

	eng_sess_prefix(s, pfx, sizeof(pfx));
	if (!et || !et->dp_tunnel) {
		log_err("%s: its tunnel is not in the kernel; disconnecting", pfx);
		eng_queue_cdn(e, s, L2TP_CDN_GENERAL_ERROR, L2TP_ERR_NO_RESOURCES,
			      "kernel data plane failure");
		return;
	}
	es = calloc(1, sizeof(*es));
	if (!es) {
		log_err("%s: out of memory; disconnecting", pfx);
		eng_queue_cdn(e, s, L2TP_CDN_GENERAL_ERROR, L2TP_ERR_NO_RESOURCES, "out of memory");
		return;
	}
	es->eng = e;
	es->sess = s;
	es->pw = pw;
	es->nas_port = UINT32_MAX;
	es->serial = ++e->next_serial;
	rad_session_id(e->start_time, es->serial, es->acct_sid);
	s->user = es;
	pw->start(e, es);
}

/* The L2TP session is gone (SESSION_FREE, or its tunnel): data plane down, memory freed. */
static void session_free(struct engine *e, struct l2tp_sess *s)
{
	struct eng_session *es = s->user;

	if (!es)
		return;
	s->user = NULL;
	es->pw->free(e, es);
	eng_ip_hold(e, es, 0);
	aaa_free(es);
	free(es);
}

/* Chain of the address index for ip (Fibonacci hashing: pools are runs of addresses). */
static struct eng_session **ip_chain(const struct engine *e, uint32_t ip)
{
	return &e->ip_index[(uint32_t)(ip * 2654435761u) >> (32 - __builtin_ctz(e->ip_nb))];
}

/* Twice the buckets once there are more sessions than buckets; without memory, longer chains. */
static void ip_index_grow(struct engine *e)
{
	uint32_t onb = e->ip_nb;
	struct eng_session **old = e->ip_index, **nv;

	if (e->ip_n <= onb || onb >= 1u << 30)
		return;
	nv = calloc((size_t)onb * 2, sizeof(*nv));
	if (!nv)
		return;
	e->ip_index = nv;
	e->ip_nb = onb * 2;
	for (uint32_t b = 0; b < onb; b++)
		while (old[b]) {
			struct eng_session *es = old[b], **c = ip_chain(e, es->held_ip);

			old[b] = es->ip_next;
			es->ip_next = *c;
			*c = es;
		}
	free(old);
}

void eng_ip_hold(struct engine *e, struct eng_session *es, uint32_t ip)
{
	struct eng_session **c;

	if (ip == es->held_ip)
		return;
	if (es->held_ip) {
		for (c = ip_chain(e, es->held_ip); *c != es; c = &(*c)->ip_next)
			;
		*c = es->ip_next;
		e->ip_n--;
	}
	es->held_ip = ip;
	es->ip_next = NULL;
	if (!ip)
		return;
	c = ip_chain(e, ip);
	es->ip_next = *c;
	*c = es;
	e->ip_n++;
	ip_index_grow(e);
}

bool eng_ip_in_use(const struct engine *e, const struct eng_session *except, uint32_t ip)
{
	for (const struct eng_session *o = *ip_chain(e, ip); o; o = o->ip_next)
		if (o != except && o->held_ip == ip)
			return true;
	return false;
}

static void tunnel_free(struct engine *e, struct l2tp_tun *t)
{
	struct eng_tunnel *et = t->user;
	struct l2tp_sess *s;
	char pfx[ENG_PREFIX_LEN];

	log_debug("%s: freed", eng_tun_prefix(t, pfx, sizeof(pfx)));
	if (e->ipsec)
		ipsec_tunnel_ended(e->ipsec, t, tunnel_mark(t));
	/* PPPoX sockets go before the tunnel socket they hang off. */
	L2TP_TUN_FOREACH_SESSION(t, s)
		session_free(e, s);
	if (!et) {
		e->peer_unindexed--;
		return;
	}
	peer_unlink(e, et);
	t->user = NULL;
	et->tun = NULL;
	if (et->fd >= 0) {
		/*
		 * Closing the tunnel socket deletes the kernel tunnel (docs/design.md
		 * §4.4): queued after its sessions' PPPoX sockets.
		 */
		ev_io_stop(e->loop, &et->io);
		eng_reap_fd(e, et->fd);
		et->fd = -1;
	}
	/* The io callback may be running for this tunnel: free it later. */
	et->next_dead = e->dead;
	e->dead = et;
}

/* ---- CDNs decided by the daemon --------------------------------------- */

void eng_queue_cdn(struct engine *e, const struct l2tp_sess *s, uint16_t result, uint16_t error,
		   const char *msg)
{
	if (lns_grow((void **)&e->cdns, &e->cap_cdns, e->n_cdns + 1, sizeof(*e->cdns), 16)) {
		/* The session lingers until its tunnel goes; PPP is already down. */
		log_err("out of memory queueing a CDN");
		return;
	}
	e->cdns[e->n_cdns++] = (struct eng_cdn){ s->tun->tid, s->sid, result, error, msg };
}

/* Kernel counters for one tunnel / session: by dump, at most once a second (docs/design.md §8). */
static void tunnel_stats_cb(void *ctx, uint32_t tid, const struct dp_stats *st)
{
	struct engine *e = ctx;
	struct l2tp_tun *t = l2tp_lns_tunnel(e->lns, tid);
	struct eng_tunnel *et = t ? t->user : NULL;

	if (et && et->dp_tunnel)
		et->kst = *st;
}

static void session_stats_cb(void *ctx, uint32_t tid, uint32_t sid, const struct dp_stats *st)
{
	struct engine *e = ctx;
	struct l2tp_sess *s = l2tp_lns_session(e->lns, tid, sid);
	struct eng_session *es = s ? s->user : NULL;

	if (es)
		es->kst = *st;
}

void engine_refresh_kstats(struct engine *e, bool tunnels, bool sessions)
{
	uint64_t now = engine_now_ms();
	char eb[320];
	int rc;

	if (!e->dp->sessions)
		return;
	if (tunnels && now - e->tstats_ms >= 1000) {
		e->tstats_ms = now;
		rc = dp_tunnel_dump(e->dp, tunnel_stats_cb, e);
		if (rc < 0)
			log_ratelimited(now, "tunnel dump", "kernel tunnel dump: %s",
					eng_kerr(e->dp->ext_ack, rc, eb, sizeof(eb)));
	}
	if (sessions && now - e->sstats_ms >= 1000) {
		e->sstats_ms = now;
		rc = dp_session_dump(e->dp, session_stats_cb, e);
		if (rc < 0)
			log_ratelimited(now, "session dump", "kernel session dump: %s",
					eng_kerr(e->dp->ext_ack, rc, eb, sizeof(eb)));
	}
}

void engine_session_info(const struct engine *e, const struct l2tp_sess *s,
			 struct eng_sess_info *out)
{
	const struct eng_session *es = s->user;

	memset(out, 0, sizeof(*out));
	out->ifname = es ? es->ifname : "";
	out->username = es ? es->username : "";
	out->username_len = es ? es->username_len : 0;
	out->acct_session_id = es ? es->acct_sid : "";
	out->ppp_unit = -1;
	out->ppp_phase = "";
	if (es) {
		out->link_up = es->link_up;
		out->closing = es->dead;
		out->ip = es->ip;
		out->st = es->kst;
		out->rate = es->rate;
		out->has_prefix6 = eng_ipv6_prefixes(es, &out->prefix6, &out->has_pd, &out->pd);
		es->pw->info(es, out);
	}
}

bool engine_tunnel_kstats(const struct engine *e, const struct l2tp_tun *t,
			  struct dp_stats *out)
{
	const struct eng_tunnel *et = t->user;

	memset(out, 0, sizeof(*out));
	if (!et || !et->dp_tunnel)
		return false;
	*out = et->kst;
	return true;
}

bool engine_session_kstats(const struct engine *e, const struct l2tp_sess *s,
			   struct dp_stats *out)
{
	const struct eng_session *es = s->user;

	memset(out, 0, sizeof(*out));
	if (!es || !es->dp_session)
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


static void execute_list(struct engine *e)
{
	uint64_t now = 0;
	char pfx[ENG_PREFIX_LEN];

	for (size_t i = 0; i < e->acts.n; i++) {
		const struct lns_action *a = &e->acts.v[i];

		switch (a->type) {
		case LNS_ACT_SEND:
			eng_send(e, a);
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
			starting_add(e);
			log_info("%s: incoming call (serial %u)",
				 eng_sess_prefix(a->sess, pfx, sizeof(pfx)), a->sess->call_serial);
			break;
		case LNS_ACT_SESSION_STATE:
			log_session_state(a);
			if (a->new_state == L2TP_SESS_ESTABLISHED && e->dp->sessions &&
			    !a->sess->user)
				session_start(e, a->sess, &eng_pw_ppp);
			else if (a->new_state == L2TP_SESS_ESTABLISHED)
				eng_count_setup(e, a->sess, a->sess->established_ms);
			break;
		case LNS_ACT_SESSION_FREE:
			log_debug("%s: freed", eng_sess_prefix(a->sess, pfx, sizeof(pfx)));
			starting_free(e, a->sess);
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

void engine_execute(struct engine *e)
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
	starting_update(e);
	engine_rearm(e);
	if (e->shutting_down && eng_shutdown_done(e))
		ev_break(e->loop, EVBREAK_ALL);
}

/* ---- kernel objects closed in slices ------------------------------------ */

/*
 * Closing a call's kernel objects costs the kernel tens of ms under load
 * (pppN's unregistration waits for RCU grace periods: docs/design.md
 * §4.4), so a tunnel of 100 calls, or a shutdown of 10,000, closed in one
 * go stalls the loop for seconds to minutes: no lnsctl, HELLO or other
 * tunnel meanwhile. The L2TP and PPP state goes at once; the kernel
 * objects wait in a FIFO (a tunnel's socket after its sessions') closed at
 * most ENG_REAP_SLICE_MAX or ENG_REAP_SLICE_US per loop iteration, from an
 * idle watcher of the highest priority (run every iteration; the loop does
 * not wait while it is active).
 */
struct eng_reap {
	int fd;                       /* a tunnel socket; -1: ppp */
	bool unlinked;                /* ppp: its interface deleted already (dp_ppp_unlink) */
	struct dp_ppp ppp;
};

static void reap_advance(struct engine *e)
{
	if (++e->reap_head == e->reap_n)
		e->reap_head = e->reap_n = 0;
}

/*
 * The interfaces of the run of calls at the queue's head (at most
 * ENG_REAP_BATCH) deleted as one batch: one kernel operation, then their
 * fds are closed one by one like the rest. Nothing when the head is a
 * tunnel socket or a call already unlinked. The queue is not empty.
 */
static void reap_unlink_run(struct engine *e)
{
	struct eng_reap *r = &e->reap[e->reap_head];
	struct dp_ppp batch[ENG_REAP_BATCH];
	size_t n = 0;

	while (n < ENG_REAP_BATCH && e->reap_head + n < e->reap_n && r[n].fd < 0 &&
	       !r[n].unlinked) {
		batch[n] = r[n].ppp;
		r[n].unlinked = true;
		n++;
	}
	if (n > 1)
		dp_ppp_unlink(e->dp, batch, n);
}

/*
 * The object at the queue's head. A call's fds go to the data plane's
 * background closes (their kernel waits overlap there); a tunnel socket
 * waits until those are done (its sessions go first).
 * false: the head is a tunnel socket and background closes are pending.
 */
static bool reap_one(struct engine *e)
{
	struct eng_reap *r = &e->reap[e->reap_head];

	if (r->fd >= 0) {
		if (dp_bg_pending(e->dp))
			return false;
		close(r->fd);
	} else if (dp_ppp_close_bg(e->dp, &r->ppp)) {
		if (e->loop && !ev_is_active(&e->reap_bg)) {
			ev_io_set(&e->reap_bg, dp_bg_fd(e->dp), EV_READ);
			ev_io_start(e->loop, &e->reap_bg);
		}
	} else {
		dp_ppp_close(e->dp, &r->ppp);
	}
	reap_advance(e);
	return true;
}

static void reap_done(struct engine *e);

/* A background close finished: a tunnel socket may go now, or shutdown end. */
static void reap_bg_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct engine *e = (struct engine *)((char *)w - offsetof(struct engine, reap_bg));

	if (dp_bg_pending(e->dp))
		return;
	ev_io_stop(loop, w);
	if (e->reap_n)
		ev_idle_start(loop, &e->reap_idle);
	else
		reap_done(e);
}

static void reap_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	struct engine *e = (struct engine *)((char *)w - offsetof(struct engine, reap_idle));
	uint64_t t0 = engine_now_us(), n = 0;

	if (e->reap_n)
		reap_unlink_run(e);
	while (e->reap_n && n < ENG_REAP_SLICE_MAX &&
	       (n == 0 || engine_now_us() - t0 < ENG_REAP_SLICE_US) &&
	       (e->reap[e->reap_head].fd >= 0 || e->reap[e->reap_head].unlinked)) {
		if (!reap_one(e)) {
			/* a tunnel socket waits for its sessions' closes: reap_bg_cb */
			ev_idle_stop(loop, w);
			break;
		}
		n++;
	}
	log_debug("reap: %llu closed, %zu queued", (unsigned long long)n, e->reap_n - e->reap_head);
	e->reaped += n;
	e->reap_batch += n;
	if (e->reap_n)
		return;
	ev_idle_stop(loop, w);
	if (!ev_is_active(&e->reap_bg))
		reap_done(e);
}

/* Queue empty and no background close pending. */
static void reap_done(struct engine *e)
{
	struct ev_loop *loop = e->loop;

	if (e->reap_batch >= 100)
		log_notice("closed the kernel objects of %llu ended calls and tunnels in %.1f s",
			   (unsigned long long)e->reap_batch,
			   (double)(engine_now_us() - e->reap_t0_us) / 1e6);
	e->reap_batch = 0;
	if (e->shutting_down && eng_shutdown_done(e))
		ev_break(loop, EVBREAK_ALL);
}

static bool reap_push(struct engine *e, int fd, const struct dp_ppp *p)
{
	if (!e->loop || !e->reap_slices)
		return false;
	if (e->reap_n == e->reap_cap && e->reap_head) {
		/* the slices freed the front: move the rest there */
		memmove(e->reap, e->reap + e->reap_head, (e->reap_n - e->reap_head) * sizeof(*e->reap));
		e->reap_n -= e->reap_head;
		e->reap_head = 0;
	}
	if (lns_grow((void **)&e->reap, &e->reap_cap, e->reap_n + 1, sizeof(*e->reap), 64))
		return false;
	e->reap[e->reap_n].fd = fd;
	e->reap[e->reap_n].unlinked = false;
	if (p)
		e->reap[e->reap_n].ppp = *p;
	else
		dp_ppp_init(&e->reap[e->reap_n].ppp);
	if (e->reap_n++ == e->reap_head) {
		e->reap_t0_us = engine_now_us();
		ev_idle_start(e->loop, &e->reap_idle);
		log_debug("reap: started (%s)", p ? "ppp" : "fd");
	}
	return true;
}

void eng_reap_ppp(struct engine *e, struct dp_ppp *p)
{
	if (p->chan_fd < 0 && p->unit_fd < 0 && p->sess_fd < 0)
		return;
	if (!reap_push(e, -1, p)) {
		dp_ppp_close(e->dp, p);
		return;
	}
	dp_ppp_init(p);
}

void eng_reap_fd(struct engine *e, int fd)
{
	if (fd >= 0 && !reap_push(e, fd, NULL))
		close(fd);
}

void eng_reap_flush(struct engine *e)
{
	while (e->reap_n) {
		reap_unlink_run(e);
		if (!reap_one(e))
			dp_bg_drain(e->dp);   /* a tunnel socket after its sessions' closes */
	}
	if (e->dp)
		dp_bg_drain(e->dp);
	if (e->loop) {
		ev_idle_stop(e->loop, &e->reap_idle);
		ev_io_stop(e->loop, &e->reap_bg);
	}
}

/* ---- lifecycle ---------------------------------------------------------- */

void eng_rand_bytes(void *ctx, void *buf, size_t len)
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

static void woke_cb(struct ev_loop *loop, ev_check *w, int revents)
{
	struct engine *e = (struct engine *)((char *)w - offsetof(struct engine, woke));

	e->woke_us = engine_now_us();
}

const struct eng_loop_stats *engine_loop_stats(const struct engine *e)
{
	return &e->loop_st;
}

/* ev_prepare: the loop is about to wait; the iteration that ends here was busy since woke_us. */
static void reaper_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct engine *e = (struct engine *)((char *)w - offsetof(struct engine, reaper));

	if (e->woke_us) {
		uint64_t d = engine_now_us() - e->woke_us;

		e->loop_st.iterations++;
		e->loop_st.busy_total_us += d;
		if (d > e->loop_st.busy_max_us)
			e->loop_st.busy_max_us = d;
		if (d >= ENG_LOOP_SLOW_MS * 1000)
			e->loop_st.slow++;
		e->woke_us = 0;
	}

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
	cfg->rand_bytes = eng_rand_bytes;
	cfg->rand_ctx = e;
}

/* ---- IPsec: ipsec.c knows SAs and reports, the engine owns the tunnels and decides ---- */

/* A live tunnel to gone's peer (and port, when gone's selector has one; and
 * its mark, when bound to one) that no other SA carries. */
static bool ipsec_orphaned(const struct engine *e, const struct l2tp_tun *t,
			   const struct ipsec_child *gone)
{
	size_t alen = t->peer.family == 4 ? 4 : 16;

	if (t->state == L2TP_TUN_CLOSING || t->state == L2TP_TUN_DEAD)
		return false;
	if (t->peer.family != gone->remote.family ||
	    memcmp(t->peer.addr, gone->remote.addr, alen) != 0 ||
	    (gone->ts_port && gone->ts_port != t->peer.port) ||
	    (tunnel_mark(t) && tunnel_mark(t) != gone->mark_in))
		return false;
	return !engine_tunnel_sa(e, t);
}

/*
 * The first live tunnel to the peer of a CHILD_SA that is gone, if no other
 * SA serves it: through the peer index, only the tunnels of gone's host
 * (every tunnel while some have no eng_tunnel, hence no index entry).
 */
static struct l2tp_tun *ipsec_orphan(const struct engine *e, const struct ipsec_child *gone)
{
	struct l2tp_tun *t;

	if (e->peer_unindexed) {
		L2TP_LNS_FOREACH_TUNNEL(e->lns, t)
			if (ipsec_orphaned(e, t, gone))
				return t;
		return NULL;
	}
	for (struct eng_tunnel *et = eng_peer_next(e, &gone->remote, NULL); et;
	     et = eng_peer_next(e, &gone->remote, et))
		if (et->tun && ipsec_orphaned(e, et->tun, gone))
			return et->tun;
	return NULL;
}

/*
 * Tear down every live tunnel to this child's peer that no other CHILD_SA
 * carries. Each aborted tunnel leaves the ID table (and may be reaped by the
 * actions), so the walk starts over after every one instead of going on from it.
 */
static unsigned ipsec_sa_gone(void *ctx, const struct ipsec_child *gone, const char *why)
{
	struct engine *e = ctx;
	struct l2tp_tun *t;
	char as[LNS_ADDR_STRLEN];
	unsigned n = 0;

	while ((t = ipsec_orphan(e, gone))) {
		log_notice("tunnel %u: peer %s: %s (IKE_SA %llu, CHILD_SA %llu); tearing the "
			   "tunnel down", t->tid, lns_addr_str(&t->peer, as, sizeof(as)), why,
			   (unsigned long long)gone->ike_id, (unsigned long long)gone->child_id);
		n++;
		/* Without its SA the peer is out of reach (fail closed): no retransmissions. */
		if (engine_abort_tunnel(e, t->tid, why) < 0)
			break;
	}
	return n;
}

/*
 * Another live tunnel whose peer c carries. Such a tunnel has c's remote
 * address (ipsec_sa_for_peer), so only the tunnels of that host are looked at.
 */
static bool ipsec_sa_in_use(void *ctx, const struct ipsec_child *c, const struct l2tp_tun *except)
{
	const struct engine *e = ctx;
	struct l2tp_tun *t;

	if (e->peer_unindexed) {
		L2TP_LNS_FOREACH_TUNNEL(e->lns, t)
			if (t != except && t->state != L2TP_TUN_DEAD &&
			    engine_tunnel_sa(e, t) == c)
				return true;
		return false;
	}
	for (struct eng_tunnel *et = eng_peer_next(e, &c->remote, NULL); et;
	     et = eng_peer_next(e, &c->remote, et)) {
		t = et->tun;
		if (t && t != except && t->state != L2TP_TUN_DEAD &&
		    engine_tunnel_sa(e, t) == c)
			return true;
	}
	return false;
}

/* A protected pseudowire's SA went: its connection closes, the initiator redials (§5.6). */
static void ipsec_pw_sa_gone(void *ctx, const char *pw, const char *why)
{
	struct engine *e = ctx;

	eng_lcce_ipsec_down(e->lcce, pw, why);
}

static void ipsec_pw_ready(void *ctx)
{
	struct engine *e = ctx;

	eng_lcce_ipsec_ready(e->lcce);
}

static const struct ipsec_hooks ipsec_hooks = {
	.sa_gone = ipsec_sa_gone,
	.sa_in_use = ipsec_sa_in_use,
	.pw_sa_gone = ipsec_pw_sa_gone,
	.pw_ready = ipsec_pw_ready,
};

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
	pw_ppp_cfg(e, conf);
	ev_init(&e->timer, timer_cb);
	e->reap_slices = ENG_REAP_SLICES_DEFAULT;
	ev_idle_init(&e->reap_idle, reap_cb);
	/* first of the idle watchers, so that busy sockets do not starve it */
	ev_set_priority(&e->reap_idle, EV_MAXPRI);
	ev_init(&e->reap_bg, reap_bg_cb);
	ev_prepare_init(&e->reaper, reaper_cb);
	ev_prepare_start(loop, &e->reaper);
	ev_check_init(&e->woke, woke_cb);
	/* first after the wait: the L2TP sockets' watchers run at priority 1 (udp.c) */
	ev_set_priority(&e->woke, EV_MAXPRI);
	ev_check_start(loop, &e->woke);
	e->dp = dp_null_new(false);
	e->ip_nb = 64;
	e->ip_index = calloc(e->ip_nb, sizeof(*e->ip_index));
	e->peer_nb = 64;
	e->peer_index = calloc(e->peer_nb, sizeof(*e->peer_index));
	eng_rand_bytes(e, &e->peer_seed, sizeof(e->peer_seed));
	if (!e->dp || !e->ip_index || !e->peer_index) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
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
	if (eng_listeners_apply(e, conf, err, errlen))
		goto fail;
	e->start_time = (uint32_t)time(NULL);
	if (conf->radius.enabled) {
		e->radius = radius_new(loop, &conf->radius, aaa_reply, e, err, errlen);
		if (!e->radius)
			goto fail;
	}
	if (ipsec_wanted(conf)) {
		e->ipsec = ipsec_new(loop, conf, &ipsec_hooks, e);
		if (!e->ipsec) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	if (conf->n_pws) {
		e->lcce = eng_lcce_new(e, conf, err, errlen);
		if (!e->lcce)
			goto fail;
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
	ev_check_stop(e->loop, &e->woke);
	eng_lcce_free(e->lcce);   /* while the data plane and the listeners are there */
	e->lcce = NULL;
	ipsec_free(e->ipsec);
	e->ipsec = NULL;
	/* Tunnel sockets: the lib frees silently, so walk its table first. */
	if (e->lns) {
		struct l2tp_tun *t;

		L2TP_LNS_FOREACH_TUNNEL(e->lns, t)
			if (t->user)
				tunnel_free(e, t);
	}
	eng_reap_flush(e);      /* leave no kernel object behind */
	free(e->reap);
	reaper_cb(e->loop, &e->reaper, 0);
	radius_free(e->radius);   /* after the tunnels: their Stop records are queued */
	for (size_t i = 0; i < e->n_listeners; i++)
		eng_listener_close(e, e->listeners[i]);
	free(e->listeners);
	l2tp_lns_free(e->lns);
	lns_actions_free(&e->acts);
	ppp_actions_free(&e->pacts);
	free(e->cdns);
	ppp_users_free(e->users);
	ip_pool_free(e->pool);
	eng_ipv6_free(e);
	dp_free(e->dp);
	free(e->ip_index);
	free(e->peer_index);
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
	if (eng_ipsec_reload_check(e->conf, nc, err, errlen)) {
		conf_unref(nc);
		return -1;
	}
	if (e->dp->sessions && pw_ppp_users_load(nc, &users, err, errlen)) {
		conf_unref(nc);
		return -1;
	}
	if (eng_listeners_apply(e, nc, err, errlen)) {
		ppp_users_free(users);
		conf_unref(nc);
		return -1;
	}
	if (e->dp->sessions) {
		ppp_users_free(e->users);
		e->users = users;
		if (strcmp(nc->ppp_pool, e->conf->ppp_pool) != 0)
			log_warn("reload: [ppp] pool changes take effect at the next start");
	}
	/* Sessions share e->ppp_cfg: new settings apply to them from here on. */
	pw_ppp_cfg(e, nc);
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
	else if (ipsec_wanted(nc) && !(e->ipsec = ipsec_new(e->loop, nc, &ipsec_hooks, e)))
		log_err("reload: out of memory starting the IPsec manager: the protected "
			"pseudowires stay down");
	lns_cfg_for(e, nc, &cfg);
	l2tp_lns_set_cfg(e->lns, &cfg);
	/* Pseudowires: any change restarts them all (lnsd.conf(5), RELOAD). */
	if (eng_lcce_conf_changed(e->lcce, nc)) {
		char lerr[256];

		log_notice("reload: [pseudowire] sections changed: restarting the pseudowires");
		eng_lcce_free(e->lcce);
		e->lcce = NULL;
		if (nc->n_pws) {
			e->lcce = eng_lcce_new(e, nc, lerr, sizeof(lerr));
			if (!e->lcce)
				log_err("reload: pseudowires not started: %s", lerr);
		}
	}
	/* Live tunnels hold references to the old generation (eng_tunnel.conf). */
	conf_unref(e->conf);
	e->conf = nc;
	log_notice("configuration reloaded from %s (%zu peer sections)", nc->path, nc->n_peers);
	return 0;
}

static bool tunnel_drained(const struct l2tp_tun *t)
{
	return t->state == L2TP_TUN_DEAD ||
	       (t->state == L2TP_TUN_CLOSING && l2tp_rel_all_acked(&t->rel));
}

/*
 * Every tunnel is gone, or is closing with its StopCCN acknowledged. Called
 * after every event while shutting down, so not a walk over every tunnel
 * each time: a resumable walk (l2tp_lns_tunnel_from) that stops at the first
 * tunnel not drained yet and resumes there on the next call, as a drained
 * tunnel stays drained (dead, or closing with nothing left to send); a
 * tunnel that starts meanwhile (tunnel_new) restarts it. When it reaches
 * the end, one more walk from the start confirms, once per shutdown unless
 * a tunnel went back. O(tunnels) per shutdown, amortised O(1) per call.
 */
static bool drain_walk(struct engine *e)
{
	for (struct l2tp_tun *t = l2tp_lns_tunnel_from(e->lns, e->drain_pos); t;
	     t = l2tp_lns_tunnel_from(e->lns, e->drain_pos)) {
		e->drain_checked++;
		if (!tunnel_drained(t))
			return false;
		e->drain_pos = l2tp_walk_pos(t->tid) + 1;
	}
	return true;
}

bool eng_shutdown_done(struct engine *e)
{
	/* kernel objects still queued or closing: reap_cb() or reap_bg_cb() asks again */
	if (e->reap_n || ev_is_active(&e->reap_bg))
		return false;
	if (!drain_walk(e))
		return false;
	e->drain_pos = 0;
	return drain_walk(e);
}

static void grace_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct engine *e = (struct engine *)((char *)w - offsetof(struct engine, grace));

	if (l2tp_lns_n_tunnels(e->lns))
		log_notice("shutdown: %u tunnels did not acknowledge StopCCN in time",
			   l2tp_lns_n_tunnels(e->lns));
	else   /* only kernel objects left: engine_free() closes them, waiting */
		log_notice("shutdown: grace time over with the kernel objects of %zu calls "
			   "and tunnels still to close", e->reap_n - e->reap_head + dp_bg_pending(e->dp));
	ev_break(loop, EVBREAK_ALL);
}

void engine_shutdown(struct engine *e, uint32_t grace_ms)
{
	if (e->shutting_down)
		return;
	e->shutting_down = true;
	if (e->lcce)   /* the v3 connections' StopCCN goes once, from engine_free() */
		log_notice("shutting down: StopCCN to %u tunnels and %zu L2TPv3 connections",
			   l2tp_lns_n_tunnels(e->lns), eng_lcce_n_ccs(e->lcce));
	else
		log_notice("shutting down: StopCCN to %u tunnels", l2tp_lns_n_tunnels(e->lns));
	/* No new control connections while we drain. */
	for (size_t i = 0; i < e->n_listeners; i++)
		ev_io_stop(e->loop, &e->listeners[i]->io);
	ev_timer_init(&e->grace, grace_cb, grace_ms / 1000.0, 0.0);
	ev_timer_start(e->loop, &e->grace);
	l2tp_lns_shutdown(e->lns, engine_now_ms(), &e->acts);
	engine_execute(e);
}

int engine_terminate_tunnel(struct engine *e, uint32_t tid)
{
	/* RFC 2661 §4.4.2: result 1, "general request to clear control connection". */
	int rc = l2tp_lns_close_tunnel(e->lns, tid, L2TP_STOPCCN_CLEAR, L2TP_ERR_NONE,
				       "administrative", engine_now_ms(), &e->acts);

	engine_execute(e);
	return rc;
}

int engine_abort_tunnel(struct engine *e, uint32_t tid, const char *why)
{
	int rc = l2tp_lns_abort_tunnel(e->lns, tid, L2TP_STOPCCN_CLEAR, L2TP_ERR_NONE, why,
				       engine_now_ms(), &e->acts);

	engine_execute(e);
	return rc;
}

int engine_terminate_session(struct engine *e, uint32_t tid, uint32_t sid)
{
	struct l2tp_sess *s = l2tp_lns_session(e->lns, tid, sid);
	struct eng_session *es = s ? s->user : NULL;
	int rc;

	if (es && !es->dead) {
		/*
		 * The pseudowire first (PPP: RFC 1661 §5.5 Terminate-Request) so the
		 * client learns the link is going; then the CDN with result 3
		 * (administrative).
		 */
		es->pw->close(e, es);
		engine_execute(e);
		return 0;
	}
	/* RFC 2661 §4.4.2: CDN result 3, "call disconnected for administrative reasons". */
	rc = l2tp_lns_close_session(e->lns, tid, sid, L2TP_CDN_ADMIN, L2TP_ERR_NONE,
				    "administrative", engine_now_ms(), &e->acts);

	engine_execute(e);
	return rc;
}

int engine_session_set_timeouts(struct engine *e, uint32_t tid, uint32_t sid,
				const uint32_t *session_s, const uint32_t *idle_s, bool apply)
{
	struct l2tp_sess *s = l2tp_lns_session(e->lns, tid, sid);
	struct eng_session *es = s ? s->user : NULL;

	if (!es || es->dead)
		return -ENOENT;
	return aaa_set_timeouts(e, es, session_s, idle_s, apply);
}

struct radius *engine_radius(const struct engine *e)
{
	return e->radius;
}

struct ipsec_mgr *engine_ipsec(const struct engine *e)
{
	return e->ipsec;
}

const struct ipsec_child *engine_tunnel_sa(const struct engine *e, const struct l2tp_tun *t)
{
	return ipsec_sa_of(e->ipsec, &t->peer, tunnel_mark(t));
}

struct eng_lcce *engine_lcce(const struct engine *e)
{
	return e->lcce;
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
	return e->dp->kind == DP_KIND_KERNEL ? ENG_DP_KERNEL : ENG_DP_NONE;
}

int engine_set_dataplane(struct engine *e, struct dp *dp, char *err, size_t errlen)
{
	size_t bad = 0;
	int rc;

	if (e->dp->sessions) {
		snprintf(err, errlen, "the engine has its data plane already");
		dp_free(dp);
		return -EBUSY;
	}
	if (!dp->sessions) {
		dp_free(e->dp);
		e->dp = dp;
		return 0;
	}
	rc = pw_ppp_users_load(e->conf, &e->users, err, errlen);
	if (rc)
		goto fail;
	if (e->conf->ppp_pool[0]) {
		e->pool = ip_pool_new();
		if (!e->pool || ip_pool_parse(e->pool, e->conf->ppp_pool, &bad)) {
			snprintf(err, errlen, "[ppp] pool: cannot set up \"%s\"", e->conf->ppp_pool);
			rc = -EINVAL;
			goto fail;
		}
	}
	rc = eng_ipv6_init(e, dp->kind == DP_KIND_KERNEL, err, errlen);
	if (rc)
		goto fail;
	dp_free(e->dp);
	e->dp = dp;
	pw_ppp_cfg(e, e->conf);
	if (e->radius && e->users)
		log_notice("[ppp] users-file is not used: [radius] authenticates");
	else if (!e->radius && !e->users && !e->pool && !e->conf->ppp_local_ip &&
		 e->conf->n_pws)
		/* a pseudowire-only site: nothing of PPP is configured, nothing to warn about */
		log_info("[ppp] not configured (no users-file, RADIUS, pool or local-ip): "
			 "L2TPv2 PPP sessions will fail authentication");
	else if (!e->radius && !e->users)
		log_warn("[ppp] users-file is not set: every PPP authentication will fail");
	if (!e->pool && !e->conf->ppp_local_ip && (e->radius || e->users || !e->conf->n_pws))
		log_warn("[ppp] neither pool nor local-ip is set: clients get addresses only "
			 "from the %s", e->radius ? "RADIUS Framed-IP-Address" : "users file");
	return 0;
fail:
	eng_ipv6_free(e);
	ppp_users_free(e->users);
	e->users = NULL;
	ip_pool_free(e->pool);
	e->pool = NULL;
	dp_free(dp);
	return rc;
}
