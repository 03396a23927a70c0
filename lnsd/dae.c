// SPDX-License-Identifier: GPL-2.0-or-later
/* Disconnect-Request and CoA-Request (RFC 5176) on [radius] dae-listen. */
#include "dae.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <nettle/md5.h>

#include "log.h"
#include "radius_dae.h"
#include "sessions.h"

enum { DAE_T_DISCONNECT, DAE_T_COA, DAE_T_COUNT };
enum { DAE_R_ACK, DAE_R_NAK, DAE_R_COUNT };

struct dae {
	struct ev_loop *loop;
	struct engine *eng;
	ev_io io;
	int fd;
	struct lns_addr addr;
	struct dae_cache cache;
	uint64_t requests[DAE_T_COUNT][DAE_R_COUNT];
	uint64_t retransmits;         /* answered from the cache */
	uint64_t drops[DAE_DROP_REASONS];
};

static const char *drop_name(unsigned i)
{
	switch (i) {
	case DAE_DROP_UNKNOWN_CLIENT:
		return "unknown-client";
	case DAE_DROP_RECV_ERROR:
		return "recv-error";
	case DAE_DROP_SEND_ERROR:
		return "send-error";
	default:
		return dae_verdict_str((enum dae_verdict)i);
	}
}

static const struct conf_dae_client *client_for(const struct lnsd_radius_conf *rc,
						const struct lns_addr *from)
{
	size_t i;

	for (i = 0; i < rc->n_dae_clients; i++)
		if (conf_cidr_match(&rc->dae_clients[i].net, from))
			return &rc->dae_clients[i];
	return NULL;
}

static bool str_eq(const struct dae_str *want, const char *have)
{
	return strlen(have) == want->len && memcmp(have, want->s, want->len) == 0;
}

/* Every identification attribute the request carries must fit the session (RFC 5176 §3). */
static bool sess_matches(const struct l2tp_sess *s, const struct eng_sess_info *info, void *ctx)
{
	const struct dae_request *r = ctx;
	char calling[INET6_ADDRSTRLEN];

	if (r->user_name.len && !sessions_user_is(info, r->user_name.s, r->user_name.len))
		return false;
	if (r->acct_session_id.len && !str_eq(&r->acct_session_id, info->acct_session_id))
		return false;
	if (r->has_framed_ip && (!info->ip || info->ip != r->framed_ip))
		return false;
	/* NAS-Port is the ppp unit (as in our Access-Requests) */
	if (r->has_nas_port && (info->ppp_unit < 0 || (uint32_t)info->ppp_unit != r->nas_port))
		return false;
	if (r->calling_station_id.len) {
		/* Calling-Station-Id: the Calling Number AVP, else the LAC's address */
		if (!s->calling_number[0])
			inet_ntop(s->tun->peer.family == 4 ? AF_INET : AF_INET6, s->tun->peer.addr,
				  calling, sizeof(calling));
		if (!str_eq(&r->calling_station_id, s->calling_number[0] ? s->calling_number
									  : calling))
			return false;
	}
	return true;
}

static void describe(const struct dae_request *r, char *buf, size_t len)
{
	struct in_addr ip = { .s_addr = htonl(r->framed_ip) };
	char a[INET_ADDRSTRLEN];
	int n = 0;

	buf[0] = '\0';
	if (r->acct_session_id.len)
		n += snprintf(buf + n, len - (size_t)n, " Acct-Session-Id=%s",
			      LOG_STRN(r->acct_session_id.s, r->acct_session_id.len));
	if (r->user_name.len && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " User-Name=%s",
			      LOG_STRN(r->user_name.s, r->user_name.len));
	if (r->has_framed_ip && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " Framed-IP-Address=%s",
			      inet_ntop(AF_INET, &ip, a, sizeof(a)));
	if (r->has_nas_port && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " NAS-Port=%u", r->nas_port);
	if (r->calling_station_id.len && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " Calling-Station-Id=%s",
			 LOG_STRN(r->calling_station_id.s, r->calling_station_id.len));
}

/*
 * A CoA's rate limits (Filter-Id, Mikrotik-Rate-Limit): checked for every
 * session first (407 for a Filter-Id that is neither a profile nor a rate),
 * then applied; a kernel that refuses gets 506 (what was applied to the
 * sessions before it stays: the kernel cannot take it back atomically).
 */
static enum dae_error_cause coa_rate(struct dae *d, const struct dae_request *r,
				     const struct sessions_id *ids, size_t n, const char *who,
				     const char *what)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		if (engine_session_set_rate(d->eng, ids[i].tid, ids[i].sid, &r->rate, false) < 0) {
			log_notice("dae %s: CoA%s: Filter-Id %s is neither a rate-profile nor "
				   "\"down/up\" in kbit/s", who, what, LOG_STR(r->rate.filter_id));
			return DAE_ERR_INVALID_ATTRIBUTE_VALUE;
		}
	for (i = 0; i < n; i++) {
		rc = engine_session_set_rate(d->eng, ids[i].tid, ids[i].sid, &r->rate, true);
		if (rc < 0) {
			log_warn("dae %s: CoA%s: session %u/%u: the kernel refused the rate limit: %s",
				 who, what, ids[i].tid, ids[i].sid, strerror(-rc));
			return DAE_ERR_RESOURCES_UNAVAILABLE;
		}
	}
	log_notice("dae %s: CoA%s: rate limits applied to %zu session(s)", who, what, n);
	return DAE_ERR_NONE;
}

/*
 * CoA-Request (RFC 5176 §3.2) for the n sessions it names: all or nothing.
 * Session-Timeout and Idle-Timeout apply to sessions authenticated through
 * RADIUS (engine_session_set_timeouts); for any other session 401.
 */
static enum dae_error_cause coa_apply(struct dae *d, const struct dae_request *r,
				      const struct sessions_id *ids, size_t n, const char *who,
				      const char *what)
{
	const uint32_t *st = r->has_session_timeout ? &r->session_timeout : NULL;
	const uint32_t *it = r->has_idle_timeout ? &r->idle_timeout : NULL;
	bool rate = rate_radius_any(&r->rate);
	enum dae_error_cause cause;
	char ch[64];
	size_t i;

	if (!st && !it && !rate) {
		log_notice("dae %s: CoA%s: %zu session(s), nothing to change", who, what, n);
		return DAE_ERR_NONE;
	}
	for (i = 0; (st || it) && i < n; i++)
		if (engine_session_set_timeouts(d->eng, ids[i].tid, ids[i].sid, st, it, false) < 0) {
			log_notice("dae %s: CoA%s: session %u/%u has no RADIUS state for a "
				   "Session-/Idle-Timeout", who, what, ids[i].tid, ids[i].sid);
			return DAE_ERR_UNSUPPORTED_ATTRIBUTE;
		}
	if (rate) {
		cause = coa_rate(d, r, ids, n, who, what);
		if (cause != DAE_ERR_NONE)
			return cause;
	}
	if (!st && !it)
		return DAE_ERR_NONE;
	for (i = 0; i < n; i++)
		engine_session_set_timeouts(d->eng, ids[i].tid, ids[i].sid, st, it, true);
	ch[0] = ch[32] = '\0';
	if (st)
		snprintf(ch, 32, " Session-Timeout=%u", *st);
	if (it)
		snprintf(ch + 32, 32, " Idle-Timeout=%u", *it);
	log_notice("dae %s: CoA%s: applied%s%s (seconds from now; 0: none) to %zu session(s)",
		   who, what, ch, ch + 32, n);
	return DAE_ERR_NONE;
}

/* Act on an authentic, acceptable request; the Error-Cause of the NAK, or NONE. */
static enum dae_error_cause execute(struct dae *d, const struct dae_request *r, const char *who)
{
	bool coa = r->code == RADIUS_COA_REQUEST;
	char what[3 * LOG_STR_SIZE + 80];   /* three quoted names at their longest */
	enum dae_error_cause cause;
	struct sessions_id *ids;
	size_t n, i;

	describe(r, what, sizeof(what));
	/* O(sessions): DAE requests are rare operator actions, not per-packet work */
	ids = sessions_matching(d->eng, sess_matches, (void *)r, &n);
	if (n == SIZE_MAX)
		return DAE_ERR_RESOURCES_UNAVAILABLE;
	if (n == 0) {
		log_notice("dae %s: %s%s: no such session", who, coa ? "CoA" : "Disconnect", what);
		return DAE_ERR_SESSION_NOT_FOUND;
	}
	if (coa) {
		cause = coa_apply(d, r, ids, n, who, what);
		free(ids);
		return cause;
	}
	log_notice("dae %s: Disconnect%s: ending %zu session(s)", who, what, n);
	/* CDN result 3 (administrative), after PPP's Terminate-Request (engine_terminate_session) */
	for (i = 0; i < n; i++)
		engine_terminate_session(d->eng, ids[i].tid, ids[i].sid);
	free(ids);
	return DAE_ERR_NONE;
}

/*
 * What names the client in the replay cache: a digest of the secret of the
 * dae-clients entry that matched, not the source address. Every address of
 * a prefix, and every entry with the same secret, can send a packet signed
 * with that secret, so the same signed request from any of them is one
 * request (RFC 5176 §6.3). The same secret after a reload keeps the key.
 */
static size_t client_key(const struct conf_dae_client *cl, uint8_t key[DAE_CACHE_CLIENT_MAX])
{
	struct md5_ctx md5;

	md5_init(&md5);
	md5_update(&md5, strlen(cl->secret), (const uint8_t *)cl->secret);
	md5_digest(&md5, MD5_DIGEST_SIZE, key);
	return MD5_DIGEST_SIZE;
}

size_t dae_input(struct dae *d, const struct lns_addr *from, const uint8_t *pkt, size_t len,
		 uint8_t *reply)
{
	const struct lnsd_conf *conf = engine_conf(d->eng);
	const struct lnsd_radius_conf *rc = &conf->radius;
	const struct conf_dae_client *cl = client_for(rc, from);
	uint64_t now_ms = engine_now_ms();
	struct dae_nas nas = { 0 };
	struct dae_request r;
	enum dae_verdict v;
	enum dae_error_cause cause;
	uint8_t key[DAE_CACHE_CLIENT_MAX];
	char who[LNS_ADDR_STRLEN];
	const char *what;
	size_t klen;
	int n;

	lns_addr_str(from, who, sizeof(who));
	if (!cl) {
		d->drops[DAE_DROP_UNKNOWN_CLIENT]++;
		log_ratelimited(now_ms, "dae unknown client",
				"dae: dropped a request from %s: not in dae-clients", who);
		return 0;
	}
	nas.identifier = rc->nas_identifier && rc->nas_identifier[0] ? rc->nas_identifier
								     : conf->hostname;
	if (rc->nas_ip.family == 4)
		nas.ipv4 = (uint32_t)rc->nas_ip.addr[0] << 24 | (uint32_t)rc->nas_ip.addr[1] << 16 |
			   (uint32_t)rc->nas_ip.addr[2] << 8 | rc->nas_ip.addr[3];
	else if (rc->nas_ip.family == 6)
		memcpy(nas.ipv6, rc->nas_ip.addr, 16);
	nas.has_ipv6 = rc->nas_ip.family == 6;
	v = dae_parse(pkt, len, cl->secret, strlen(cl->secret), &nas, (uint64_t)time(NULL),
		      DAE_TIMESTAMP_WINDOW_S, rc->dae_require_event_timestamp, &r);
	if (v != DAE_OK && v != DAE_NAK) {
		d->drops[v]++;
		if (v == DAE_DROP_NO_TIMESTAMP)
			log_ratelimited(now_ms, "dae no timestamp",
					"dae %s: dropped a request without Event-Timestamp "
					"(dae-require-event-timestamp = yes)", who);
		else
			log_ratelimited(now_ms, "dae bad request", "dae %s: dropped a request: %s",
					who, dae_verdict_str(v));
		return 0;
	}
	what = r.code == RADIUS_COA_REQUEST ? "CoA" : "Disconnect";
	klen = client_key(cl, key);
	if (dae_cache_find(&d->cache, key, klen, &r, now_ms, &cause)) {
		/* §2.3 retransmission or a replay (any port, any address with this secret): same
		 * answer, nothing redone */
		d->retransmits++;
		log_ratelimited(now_ms, "dae replay",
				"dae %s: %s Identifier %u seen before: answered as then, not acted "
				"on again", who, what, r.id);
	} else if (!dae_cache_room(&d->cache, now_ms)) {
		/* acting on a request we could not remember would let its replay act again */
		cause = DAE_ERR_RESOURCES_UNAVAILABLE;
		log_ratelimited(now_ms, "dae cache full",
				"dae %s: %s refused (Error-Cause 506): %zu requests answered in "
				"the last %u s are remembered against replay, no room for more",
				who, what, dae_cache_count(&d->cache), DAE_REPLAY_TTL_MS / 1000);
		d->requests[r.code == RADIUS_COA_REQUEST][DAE_R_NAK]++;
	} else {
		if (v == DAE_NAK) {
			cause = r.error_cause;
			log_notice("dae %s: %s refused: Error-Cause %d (attribute %u)", who, what,
				   (int)cause, r.bad_attr);
		} else {
			cause = execute(d, &r, who);
		}
		d->requests[r.code == RADIUS_COA_REQUEST][cause != DAE_ERR_NONE]++;
		dae_cache_put(&d->cache, key, klen, &r, cause, now_ms);
	}
	n = dae_build_reply(&r, cause, cl->secret, strlen(cl->secret), reply, DAE_REPLY_MAX);
	if (n < 0)
		return 0;             /* cannot happen: DAE_REPLY_MAX fits every reply */
	return (size_t)n;
}

static void readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct dae *d = (struct dae *)((char *)w - offsetof(struct dae, io));
	uint8_t pkt[RADIUS_MAX_LEN + 1], reply[DAE_REPLY_MAX];
	struct sockaddr_storage ss;
	struct lns_addr from;
	socklen_t sl;
	ssize_t n;
	size_t rl;
	int i;

	(void)loop;
	(void)revents;
	for (i = 0; i < 32; i++) {
		sl = sizeof(ss);
		n = recvfrom(d->fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&ss, &sl);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				d->drops[DAE_DROP_RECV_ERROR]++;
			return;
		}
		if (sa_to_addr(&ss, &from) < 0)
			continue;
		rl = dae_input(d, &from, pkt, (size_t)n, reply);
		if (rl && sendto(d->fd, reply, rl, 0, (struct sockaddr *)&ss, sl) < 0)
			d->drops[DAE_DROP_SEND_ERROR]++;
	}
}

struct dae *dae_new(struct ev_loop *loop, struct engine *e, char *err, size_t errlen)
{
	const struct lns_addr *a = &engine_conf(e)->radius.dae_listen;
	struct dae *d = calloc(1, sizeof(*d));
	struct sockaddr_storage ss;
	char as[LNS_ADDR_STRLEN];
	socklen_t sl;
	int one = 1;

	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	d->loop = loop;
	d->eng = e;
	d->addr = *a;
	dae_cache_init(&d->cache, DAE_REPLAY_TTL_MS);
	d->fd = socket(a->family == 4 ? AF_INET : AF_INET6,
		       SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->fd < 0)
		goto fail;
	if (a->family == 6 &&
	    setsockopt(d->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		goto fail;
	sl = addr_to_sa(a, &ss);
	if (bind(d->fd, (struct sockaddr *)&ss, sl) < 0)
		goto fail;
	ev_io_init(&d->io, readable, d->fd, EV_READ);
	ev_io_start(loop, &d->io);
	log_info("dae: listening on %s", lns_addr_str(a, as, sizeof(as)));
	return d;
fail:
	snprintf(err, errlen, "dae-listen %s: %s", lns_addr_str(a, as, sizeof(as)),
		 strerror(errno));
	if (d->fd >= 0)
		close(d->fd);
	free(d);
	return NULL;
}

void dae_free(struct dae *d)
{
	if (!d)
		return;
	ev_io_stop(d->loop, &d->io);
	close(d->fd);
	free(d);
}

void dae_render_metrics(const struct dae *d, FILE *f)
{
	static const char *const types[DAE_T_COUNT] = { "disconnect", "coa" };
	static const char *const results[DAE_R_COUNT] = { "ack", "nak" };
	unsigned t, r, i;

	if (!d)
		return;
	fputs("# HELP lnsd_radius_dae_requests_total Disconnect/CoA requests (RFC 5176) answered, "
	      "by type and reply.\n# TYPE lnsd_radius_dae_requests_total counter\n", f);
	for (t = 0; t < DAE_T_COUNT; t++)
		for (r = 0; r < DAE_R_COUNT; r++)
			fprintf(f, "lnsd_radius_dae_requests_total{type=\"%s\",result=\"%s\"} %llu\n",
				types[t], results[r], (unsigned long long)d->requests[t][r]);
	fputs("# HELP lnsd_radius_dae_retransmits_total Requests seen before (retransmitted or "
	      "replayed, from any source port) answered again without acting.\n"
	      "# TYPE lnsd_radius_dae_retransmits_total counter\n", f);
	fprintf(f, "lnsd_radius_dae_retransmits_total %llu\n",
		(unsigned long long)d->retransmits);
	fputs("# HELP lnsd_radius_dae_dropped_total Dynamic-authorization packets dropped without "
	      "a reply, by reason.\n# TYPE lnsd_radius_dae_dropped_total counter\n", f);
	for (i = DAE_DROP_SHORT; i < DAE_DROP_REASONS; i++)
		fprintf(f, "lnsd_radius_dae_dropped_total{reason=\"%s\"} %llu\n", drop_name(i),
			(unsigned long long)d->drops[i]);
}
