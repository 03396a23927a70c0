// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IPv6 for subscribers (docs/design.md §9.6): the daemon's side of
 * lib/ipv6. Per session a /64 for the router advertisements and a delegated
 * prefix for DHCPv6 (IA_PD), each from RADIUS (Framed-IPv6-Prefix,
 * Delegated-IPv6-Prefix) or the [ppp] pools; RAs on pppN at IPV6CP open, a
 * few times at a short interval, then every ipv6-ra-interval and in answer
 * to Router Solicitations; DHCPv6 on UDP 547; the delegated prefix routed
 * via pppN once bound (dp_route_add6), Framed-IPv6-Routes likewise.
 *
 * One raw ICMPv6 socket (only RS pass its filter) and one UDP socket serve
 * every session: the ifindex of IPV6_PKTINFO picks the session (a hash by
 * ifindex). The kernel checks and fills in the ICMPv6 checksum. Sockets only
 * with the kernel data plane; with dp_null the allocation logic runs alone.
 */
#include "engine_int.h"
#include "ipv6.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ip6_pool.h"
#include "log.h"

#define V6_BUCKETS 4096                /* sessions by ifindex, chained */
#define V6_INITIAL_RAS 3               /* RFC 4861 §6.2.4: after the first */
#define V6_INITIAL_S 4                 /* their interval (at most 16 s) */
#define V6_RS_MIN_MS 1000              /* at most one RA per second in answer to RSs */
#define V6_PKT_MAX 1500

/* A session's IPv6 (es->v6). */
struct eng_sess6 {
	struct eng_session *es;
	struct eng_sess6 *hnext;       /* e->v6->bucket chain while ifindex > 0 */
	ev_timer timer;                /* RAs; the DHCPv6 binding's expiry */
	int ifindex;                   /* hashed by it; 0: not up */
	bool reserved;                 /* prefixes set aside (or tried) */
	bool has_prefix, prefix_pooled, pd_pooled, pd_routed, prefix_routed;
	struct ip6_prefix prefix;      /* the RA's */
	struct dhcp6_binding pd;       /* its prefix is the delegated one */
	uint8_t n_sent;                /* RAs so far (the initial ones) */
	uint8_t n_routes;              /* Framed-IPv6-Routes added */
	uint8_t local_ll[16], peer_ifid[8];
	uint64_t last_rs_ra_ms;
	struct rad_ipv6 *rad;          /* the Access-Accept's; NULL: none */
};

struct eng_ipv6 {
	struct ip6_pool *pool, *pd_pool;
	int icmp_fd, dhcp_fd;
	ev_io icmp_io, dhcp_io;
	struct dhcp6_srv_conf dsc;
	char domains[256];             /* ipv6-domain split in place: dsc.domains point here */
	struct eng_sess6 *bucket[V6_BUCKETS];
};

static struct eng_sess6 **chain(struct eng_ipv6 *v, int ifindex)
{
	return &v->bucket[(unsigned)ifindex & (V6_BUCKETS - 1)];
}

static struct eng_sess6 *by_ifindex(struct eng_ipv6 *v, int ifindex)
{
	for (struct eng_sess6 *s = *chain(v, ifindex); s; s = s->hnext)
		if (s->ifindex == ifindex)
			return s;
	return NULL;
}

static void unhash(struct eng_ipv6 *v, struct eng_sess6 *s)
{
	for (struct eng_sess6 **pp = chain(v, s->ifindex); *pp; pp = &(*pp)->hnext)
		if (*pp == s) {
			*pp = s->hnext;
			break;
		}
	s->ifindex = 0;
}

static void group(int fd, int ifindex, const char *addr, bool join)
{
	struct ipv6_mreq m = { .ipv6mr_interface = (unsigned)ifindex };

	if (fd < 0)
		return;
	inet_pton(AF_INET6, addr, &m.ipv6mr_multiaddr);
	(void)setsockopt(fd, IPPROTO_IPV6, join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP, &m,
			 sizeof(m));
}

/* sendmsg from fe80::local on ifindex to dst. */
static int send_on(struct engine *e, int fd, int ifindex, const uint8_t src[16],
		   const struct sockaddr_in6 *dst, const uint8_t *buf, size_t len)
{
	union {
		struct cmsghdr c;
		uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cb;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_name = (void *)dst, .msg_namelen = sizeof(*dst), .msg_iov = &iov,
			     .msg_iovlen = 1, .msg_control = cb.b, .msg_controllen = sizeof(cb.b) };
	struct cmsghdr *c;
	struct in6_pktinfo pi = { .ipi6_ifindex = (unsigned)ifindex };

	memset(&cb, 0, sizeof(cb));
	memcpy(&pi.ipi6_addr, src, 16);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	if (sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		e->ctr.v6_send_failed++;
		log_ratelimited(engine_now_ms(), "ipv6 send", "ipv6: send on ifindex %d: %s",
				ifindex, strerror(errno));
		return -errno;
	}
	return 0;
}

static uint32_t router_lifetime(const struct lnsd_conf *c)
{
	uint32_t t = 3 * c->ppp_ipv6_ra_interval_s;   /* RFC 4861 §6.2.1's default */

	return t > 9000 ? 9000 : t;
}

/* An RA on the session's pppN to dst (NULL: all-nodes). */
static void ra_send(struct engine *e, struct eng_sess6 *s, const uint8_t *dst)
{
	const struct lnsd_conf *c = e->conf;
	struct eng_ipv6 *v = e->v6;
	struct nd_ra ra = { .cur_hop_limit = 64 };
	struct sockaddr_in6 to = { .sin6_family = AF_INET6,
				   .sin6_scope_id = (uint32_t)s->ifindex };
	uint8_t buf[ND_RA_MAX];
	int len;

	if (s->has_prefix) {   /* no prefix: no default router either */
		ra.router_lifetime_s = (uint16_t)router_lifetime(c);
		ra.has_prefix = true;
		ra.prefix = s->prefix;
		ra.valid_s = c->ppp_ipv6_valid_s;
		ra.preferred_s = c->ppp_ipv6_preferred_s;
	}
	if (s->rad && s->rad->n_dns) {
		for (unsigned i = 0; i < s->rad->n_dns && i < ND_MAX_DNS; i++)
			memcpy(ra.dns[ra.n_dns++], s->rad->dns[i], 16);
	} else {
		for (unsigned i = 0; i < v->dsc.n_dns; i++)
			memcpy(ra.dns[ra.n_dns++], v->dsc.dns[i], 16);
	}
	for (unsigned i = 0; i < v->dsc.n_domains; i++)
		ra.domains[ra.n_domains++] = v->dsc.domains[i];
	ra.dns_lifetime_s = router_lifetime(c);
	if (ra.n_dns || ra.n_domains || s->pd.has_prefix)
		ra.flags |= ND_RA_OTHER;   /* DHCPv6 has DNS (and the delegated prefix) */
	len = nd_ra_build(&ra, NULL, NULL, buf, sizeof(buf));
	if (len < 0 || v->icmp_fd < 0)
		return;
	if (dst)
		memcpy(&to.sin6_addr, dst, 16);
	else
		inet_pton(AF_INET6, "ff02::1", &to.sin6_addr);
	if (send_on(e, v->icmp_fd, s->ifindex, s->local_ll, &to, buf, (size_t)len) == 0)
		e->ctr.v6_ra_sent++;
}

/* p (the /64 or the delegated prefix, what) via pppN, or no longer; *routed follows. */
static void route(struct engine *e, struct eng_sess6 *s, const struct ip6_prefix *p,
		  bool *routed, bool add, const char *what)
{
	struct eng_session *es = s->es;
	char pfx[ENG_PREFIX_LEN], ps[IP6_PREFIX_STRLEN], eb[320];
	struct in6_addr dst;
	int rc;

	if (*routed == add)
		return;
	memcpy(&dst, p->addr, 16);
	rc = add ? dp_route_add6(e->dp, es->ifindex, &dst, p->len)
		 : dp_route_del6(e->dp, es->ifindex, &dst, p->len);
	*routed = add;
	ip6_prefix_str(p, ps, sizeof(ps));
	eng_sess_prefix(es->sess, pfx, sizeof(pfx));
	if (rc < 0 && rc != -ESRCH && rc != -ENODEV && !(add && rc == -EEXIST)) {
		e->ctr.v6_route_failed++;
		log_warn("%s: %s %s %s via %s: %s", pfx, add ? "route" : "unroute", what, ps,
			 es->ifname, eng_kerr(e->dp->ext_ack, rc, eb, sizeof(eb)));
	} else {
		log_info("%s: %s %s %s %s", pfx, what, ps, add ? "routed via" : "no longer via",
			 es->ifname);
	}
}

static void route_pd(struct engine *e, struct eng_sess6 *s, bool add)
{
	route(e, s, &s->pd.prefix, &s->pd_routed, add, "delegated prefix");
}

static void binding_event(struct engine *e, struct eng_sess6 *s, enum dhcp6_event ev)
{
	if (ev == DHCP6_EV_BOUND)
		route_pd(e, s, true);
	else if (ev == DHCP6_EV_RELEASED)
		route_pd(e, s, false);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct eng_sess6 *s = (struct eng_sess6 *)((char *)w - offsetof(struct eng_sess6, timer));
	struct engine *e = s->es->eng;
	uint32_t r = 0;
	double next;

	(void)loop;
	(void)revents;
	binding_event(e, s, dhcp6_binding_tick(&s->pd, engine_now_ms()));
	ra_send(e, s, NULL);
	if (++s->n_sent <= V6_INITIAL_RAS) {
		next = V6_INITIAL_S;
	} else {   /* RFC 4861 §6.2.4: uniformly in [0.75, 1.25] of the interval */
		eng_rand_bytes(e, &r, sizeof(r));
		next = e->conf->ppp_ipv6_ra_interval_s * (0.75 + 0.5 * (r / 4294967296.0));
	}
	ev_timer_set(&s->timer, next, 0.);
	ev_timer_start(e->loop, &s->timer);
}

/* ---- sockets ---- */

/* One datagram with its IPV6_PKTINFO ifindex and hop limit; length or -1. */
static ssize_t recv_pkt(int fd, uint8_t *buf, size_t cap, struct sockaddr_in6 *from, int *ifindex,
			int *hops)
{
	union {
		struct cmsghdr c;
		uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int))];
	} cb;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr mh = { .msg_name = from, .msg_namelen = sizeof(*from), .msg_iov = &iov,
			     .msg_iovlen = 1, .msg_control = cb.b, .msg_controllen = sizeof(cb.b) };
	ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);

	*ifindex = 0;
	*hops = -1;
	if (n < 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != IPPROTO_IPV6)
			continue;
		if (c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			*ifindex = (int)pi.ipi6_ifindex;
		} else if (c->cmsg_type == IPV6_HOPLIMIT) {
			memcpy(hops, CMSG_DATA(c), sizeof(*hops));
		}
	}
	if (mh.msg_flags & MSG_TRUNC)
		return 0;
	return n;
}

/* A datagram from a subscriber's link, with what recv_pkt() found out. */
struct v6_rx {
	const uint8_t *buf;
	size_t len;
	struct sockaddr_in6 from;
	int ifindex, hops;
};

typedef void (*v6_input_fn)(struct engine *e, struct eng_sess6 *s, struct v6_rx *rx);

/*
 * The one reader of both sockets: up to ENG_RX_BATCH datagrams, each handed
 * to INPUT with the session of the link it came on; one from any other link
 * is counted in *NOT_OURS and dropped.
 */
static void read_batch(struct engine *e, int fd, uint64_t *not_ours, v6_input_fn input)
{
	uint8_t buf[V6_PKT_MAX];

	for (int i = 0; i < ENG_RX_BATCH; i++) {
		struct v6_rx rx = { .buf = buf };
		struct eng_sess6 *s;
		ssize_t n = recv_pkt(fd, buf, sizeof(buf), &rx.from, &rx.ifindex, &rx.hops);

		if (n < 0)
			return;
		s = by_ifindex(e->v6, rx.ifindex);
		if (!s) {
			(*not_ours)++;
			continue;
		}
		rx.len = (size_t)n;
		input(e, s, &rx);
	}
}

static void rs_input(struct engine *e, struct eng_sess6 *s, struct v6_rx *rx)
{
	enum nd_rs_check why = nd_rs_parse(rx->buf, rx->len, rx->hops,
					   rx->from.sin6_addr.s6_addr, NULL);
	uint64_t now;

	if (why != ND_RS_OK) {
		e->ctr.v6_rs_dropped[why]++;
		log_ratelimited(engine_now_ms(), "ipv6 rs", "%s: Router Solicitation "
				"dropped: %s", s->es->ifname, nd_rs_check_str(why));
		return;
	}
	e->ctr.v6_rs_received++;
	now = engine_now_ms();
	if (now - s->last_rs_ra_ms < V6_RS_MIN_MS)
		return;
	s->last_rs_ra_ms = now;
	ra_send(e, s, IN6_IS_ADDR_UNSPECIFIED(&rx->from.sin6_addr) ? NULL :
		rx->from.sin6_addr.s6_addr);
}

static void dhcp_input(struct engine *e, struct eng_sess6 *s, struct v6_rx *rx)
{
	struct eng_ipv6 *v = e->v6;
	uint8_t out[DHCP6_REPLY_MAX];
	enum dhcp6_check why = DHCP6_OK;
	enum dhcp6_event ev = DHCP6_EV_NONE;
	int len = dhcp6_srv_input(&v->dsc, &s->pd, rx->buf, rx->len, engine_now_ms(), out,
				  sizeof(out), &why, &ev);

	if (len <= 0) {
		e->ctr.v6_dhcp_dropped[why < DHCP6_CHECK_COUNT ? why : DHCP6_OK]++;
		log_ratelimited(engine_now_ms(), "ipv6 dhcp", "%s: DHCPv6 message dropped: "
				"%s", s->es->ifname, dhcp6_check_str(why));
		return;
	}
	binding_event(e, s, ev);
	rx->from.sin6_scope_id = (uint32_t)rx->ifindex;
	if (send_on(e, v->dhcp_fd, rx->ifindex, s->local_ll, &rx->from, out, (size_t)len) == 0)
		e->ctr.v6_dhcp_replies++;
}

static void icmp_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct engine *e = w->data;

	(void)loop;
	(void)revents;
	/* [ND_RS_OK] counts Router Solicitations from a link without a session */
	read_batch(e, e->v6->icmp_fd, &e->ctr.v6_rs_dropped[ND_RS_OK], rs_input);
}

static void dhcp_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct engine *e = w->data;

	(void)loop;
	(void)revents;
	read_batch(e, e->v6->dhcp_fd, &e->ctr.v6_dhcp_dropped[DHCP6_OK], dhcp_input);
}

static int icmp_socket(void)
{
	struct icmp6_filter f;
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	int on = 1, hops = ND_HOP_LIMIT, off = 0;

	if (fd < 0)
		return -errno;
	ICMP6_FILTER_SETBLOCKALL(&f);
	ICMP6_FILTER_SETPASS(ND_ROUTER_SOLICIT, &f);
	if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof(off))) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

static int dhcp_socket(void)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(DHCP6_SERVER_PORT) };
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int on = 1;

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

/* ---- the engine's hooks ---- */

static struct ip6_pool *pool_make(const char *spec, uint8_t plen)
{
	struct ip6_pool *p;
	size_t bad;

	if (!*spec)
		return NULL;
	p = ip6_pool_new(plen);
	if (p && ip6_pool_parse(p, spec, &bad)) {   /* checked when the file was read */
		ip6_pool_free(p);
		p = NULL;
	}
	return p;
}

int eng_ipv6_init(struct engine *e, bool kernel, char *err, size_t errlen)
{
	const struct lnsd_conf *c = e->conf;
	struct eng_ipv6 *v;
	uint8_t mac[6] = { 0x02 };
	uint32_t h = 2166136261u;
	char *save = NULL;
	int fd;

	if (!c->ppp_ipv6) {
		if (c->ppp_ipv6_pool[0] || c->ppp_ipv6_pd_pool[0])
			log_warn("[ppp] ipv6 = no: ipv6-prefix-pool and ipv6-delegation-pool "
				 "are not used");
		return 0;
	}
	v = calloc(1, sizeof(*v));
	if (!v) {
		snprintf(err, errlen, "IPv6: out of memory");
		return -ENOMEM;
	}
	v->icmp_fd = v->dhcp_fd = -1;
	v->pool = pool_make(c->ppp_ipv6_pool, 64);
	v->pd_pool = pool_make(c->ppp_ipv6_pd_pool, (uint8_t)c->ppp_ipv6_pd_len);
	if ((c->ppp_ipv6_pool[0] && !v->pool) || (c->ppp_ipv6_pd_pool[0] && !v->pd_pool)) {
		snprintf(err, errlen, "[ppp] ipv6-prefix-pool/ipv6-delegation-pool: cannot set up");
		ip6_pool_free(v->pool);
		ip6_pool_free(v->pd_pool);
		free(v);
		return -ENOMEM;
	}
	/* DUID-LL of a locally administered address made from the hostname: stable */
	for (const char *q = c->hostname; *q; q++)
		h = (h ^ (uint8_t)*q) * 16777619u;
	memcpy(&mac[2], &h, 4);
	v->dsc.duid_len = dhcp6_duid_ll(mac, v->dsc.duid);
	for (unsigned i = 0; i < c->ppp_n_dns6 && i < DHCP6_MAX_DNS; i++)
		memcpy(v->dsc.dns[v->dsc.n_dns++], c->ppp_dns6[i], 16);
	snprintf(v->domains, sizeof(v->domains), "%s", c->ppp_ipv6_domains);
	for (char *t = strtok_r(v->domains, ", \t", &save); t && v->dsc.n_domains < DHCP6_MAX_DOMAINS;
	     t = strtok_r(NULL, ", \t", &save))
		v->dsc.domains[v->dsc.n_domains++] = t;
	v->dsc.preferred_s = c->ppp_ipv6_preferred_s;
	v->dsc.valid_s = c->ppp_ipv6_valid_s;
	v->dsc.t1_s = c->ppp_ipv6_preferred_s / 2;
	v->dsc.t2_s = (uint32_t)((uint64_t)c->ppp_ipv6_preferred_s * 4 / 5);
	e->v6 = v;
	if (!kernel)
		return 0;
	fd = icmp_socket();
	if (fd < 0)
		log_warn("IPv6: no router advertisements: ICMPv6 socket: %s", strerror(-fd));
	v->icmp_fd = fd;
	fd = dhcp_socket();
	if (fd < 0)
		log_warn("IPv6: no DHCPv6 server: UDP port %d: %s", DHCP6_SERVER_PORT, strerror(-fd));
	v->dhcp_fd = fd;
	if (v->icmp_fd >= 0) {
		ev_io_init(&v->icmp_io, icmp_readable, v->icmp_fd, EV_READ);
		v->icmp_io.data = e;
		ev_io_start(e->loop, &v->icmp_io);
	}
	if (v->dhcp_fd >= 0) {
		ev_io_init(&v->dhcp_io, dhcp_readable, v->dhcp_fd, EV_READ);
		v->dhcp_io.data = e;
		ev_io_start(e->loop, &v->dhcp_io);
	}
	return 0;
}

void eng_ipv6_free(struct engine *e)
{
	struct eng_ipv6 *v = e->v6;

	if (!v)
		return;
	if (v->icmp_fd >= 0) {
		ev_io_stop(e->loop, &v->icmp_io);
		close(v->icmp_fd);
	}
	if (v->dhcp_fd >= 0) {
		ev_io_stop(e->loop, &v->dhcp_io);
		close(v->dhcp_fd);
	}
	ip6_pool_free(v->pool);
	ip6_pool_free(v->pd_pool);
	free(v);
	e->v6 = NULL;
}

static struct eng_sess6 *sess6(struct eng_session *es)
{
	if (!es->v6) {
		es->v6 = calloc(1, sizeof(*es->v6));
		if (es->v6) {
			es->v6->es = es;
			ev_init(&es->v6->timer, timer_cb);
		}
	}
	return es->v6;
}

void eng_ipv6_accept(struct engine *e, struct eng_session *es, const struct rad_ipv6 *r,
		     const char *pfx)
{
	struct eng_sess6 *s;

	if (r->bad)
		log_warn("%s: %u RADIUS IPv6 attribute(s) ignored (did not parse)", pfx, r->bad);
	if (!e->v6 || (!r->has_prefix && !r->has_delegated && !r->n_routes && !r->n_dns))
		return;
	s = sess6(es);
	if (!s)
		return;
	free(s->rad);
	s->rad = malloc(sizeof(*s->rad));
	if (s->rad)
		*s->rad = *r;
}

/*
 * want (from RADIUS) if it can be had, else one from pool. *pooled: out of
 * pool (to give back). false: none.
 */
static bool take(struct engine *e, struct ip6_pool *pool, const struct ip6_prefix *want,
		 struct ip6_prefix *out, bool *pooled, const char *what, const char *pfx)
{
	char ps[IP6_PREFIX_STRLEN];
	int rc;

	*pooled = false;
	if (want) {
		rc = pool ? ip6_pool_alloc_prefix(pool, want) : -ENOENT;
		if (rc == 0 || rc == -ENOENT) {   /* outside the pool: RADIUS answers for it */
			*out = *want;
			*pooled = rc == 0;
			return true;
		}
		e->ctr.v6_radius_refused++;
		log_warn("%s: RADIUS %s %s is taken by another session; %s", pfx, what,
			 ip6_prefix_str(want, ps, sizeof(ps)), pool ? "one from the pool" : "none");
	}
	if (!pool)
		return false;
	if (ip6_pool_alloc(pool, out) < 0) {
		e->ctr.v6_pool_exhausted++;
		log_ratelimited(engine_now_ms(), "ipv6 pool", "%s: no %s: the pool is exhausted",
				pfx, what);
		return false;
	}
	*pooled = true;
	return true;
}

void eng_ipv6_reserve(struct engine *e, struct eng_session *es)
{
	struct eng_ipv6 *v = e->v6;
	struct eng_sess6 *s;
	char pfx[ENG_PREFIX_LEN], a[IP6_PREFIX_STRLEN], b[IP6_PREFIX_STRLEN];
	const struct rad_ipv6 *r;

	if (!v || (es->v6 && es->v6->reserved) || es->dead)
		return;
	s = sess6(es);
	if (!s)
		return;
	s->reserved = true;
	r = s->rad;
	eng_sess_prefix(es->sess, pfx, sizeof(pfx));
	s->has_prefix = take(e, v->pool, r && r->has_prefix ? &r->prefix : NULL, &s->prefix,
			     &s->prefix_pooled, "Framed-IPv6-Prefix", pfx);
	s->pd.has_prefix = take(e, v->pd_pool, r && r->has_delegated ? &r->delegated : NULL,
				&s->pd.prefix, &s->pd_pooled, "Delegated-IPv6-Prefix", pfx);
	if (s->has_prefix || s->pd.has_prefix)
		log_info("%s: IPv6 prefix %s, delegated %s", pfx,
			 s->has_prefix ? ip6_prefix_str(&s->prefix, a, sizeof(a)) : "none",
			 s->pd.has_prefix ? ip6_prefix_str(&s->pd.prefix, b, sizeof(b)) : "none");
}

static void framed_routes(struct engine *e, struct eng_sess6 *s, bool add)
{
	struct eng_session *es = s->es;
	char pfx[ENG_PREFIX_LEN], ps[IP6_PREFIX_STRLEN], eb[320];
	unsigned n = add ? (s->rad ? s->rad->n_routes : 0) : s->n_routes;

	for (unsigned i = 0; i < n; i++) {
		const struct ip6_prefix *d = &s->rad->routes[i].dst;
		struct in6_addr dst;
		int rc;

		memcpy(&dst, d->addr, 16);
		rc = add ? dp_route_add6(e->dp, es->ifindex, &dst, d->len)
			 : dp_route_del6(e->dp, es->ifindex, &dst, d->len);
		if (!add || (rc < 0 && rc != -EEXIST)) {
			if (rc < 0 && rc != -ESRCH && rc != -ENODEV) {
				e->ctr.v6_route_failed++;
				log_warn("%s: Framed-IPv6-Route %s via %s: %s",
					 eng_sess_prefix(es->sess, pfx, sizeof(pfx)),
					 ip6_prefix_str(d, ps, sizeof(ps)), es->ifname,
					 eng_kerr(e->dp->ext_ack, rc, eb, sizeof(eb)));
			}
			continue;
		}
		log_info("%s: Framed-IPv6-Route %s via %s",
			 eng_sess_prefix(es->sess, pfx, sizeof(pfx)),
			 ip6_prefix_str(d, ps, sizeof(ps)), es->ifname);
	}
	s->n_routes = add ? (uint8_t)n : 0;
}

void eng_ipv6_up(struct engine *e, struct eng_session *es, const uint8_t local_ifid[8],
		 const uint8_t peer_ifid[8])
{
	struct eng_ipv6 *v = e->v6;
	struct eng_sess6 *s;

	if (!v || es->dead || es->ifindex <= 0)
		return;
	eng_ipv6_reserve(e, es);
	s = es->v6;
	if (!s)
		return;
	memset(s->local_ll, 0, 16);
	s->local_ll[0] = 0xfe;
	s->local_ll[1] = 0x80;
	memcpy(&s->local_ll[8], local_ifid, 8);
	memcpy(s->peer_ifid, peer_ifid, 8);
	if (s->ifindex)
		return;   /* IPV6CP renegotiated: the RAs go on */
	s->ifindex = es->ifindex;
	s->hnext = *chain(v, s->ifindex);
	*chain(v, s->ifindex) = s;
	group(v->icmp_fd, s->ifindex, "ff02::2", true);   /* all-routers: RSs */
	group(v->dhcp_fd, s->ifindex, "ff02::1:2", true); /* DHCP servers and relays */
	if (s->has_prefix)   /* the client's SLAAC addresses are on the link */
		route(e, s, &s->prefix, &s->prefix_routed, true, "prefix");
	framed_routes(e, s, true);
	s->n_sent = 0;
	timer_cb(e->loop, &s->timer, 0);                  /* the first RA now */
}

void eng_ipv6_down(struct engine *e, struct eng_session *es)
{
	struct eng_sess6 *s = es->v6;
	struct eng_ipv6 *v = e->v6;

	if (!s)
		return;
	ev_timer_stop(e->loop, &s->timer);
	if (v && s->ifindex) {
		group(v->icmp_fd, s->ifindex, "ff02::2", false);
		group(v->dhcp_fd, s->ifindex, "ff02::1:2", false);
		route_pd(e, s, false);
		route(e, s, &s->prefix, &s->prefix_routed, false, "prefix");
		framed_routes(e, s, false);
		unhash(v, s);
	}
	if (v && s->prefix_pooled)
		ip6_pool_release(v->pool, &s->prefix);
	if (v && s->pd_pooled)
		ip6_pool_release(v->pd_pool, &s->pd.prefix);
	free(s->rad);
	free(s);
	es->v6 = NULL;
}

void eng_ipv6_acct(const struct eng_session *es, struct rad_avs *avs)
{
	const struct eng_sess6 *s = es->v6;
	struct rad_ipv6 r = { 0 };

	if (!s)
		return;
	r.has_prefix = s->has_prefix;
	r.prefix = s->prefix;
	r.has_delegated = s->pd.has_prefix;
	r.delegated = s->pd.prefix;
	if (s->ifindex) {
		r.has_ifid = true;
		memcpy(r.ifid, s->peer_ifid, 8);
	}
	rad_build_acct_ipv6(&r, avs);
}

bool eng_ipv6_prefixes(const struct eng_session *es, struct ip6_prefix *prefix, bool *has_pd,
		       struct ip6_prefix *pd)
{
	const struct eng_sess6 *s = es->v6;

	*has_pd = s && s->pd.has_prefix;
	if (*has_pd)
		*pd = s->pd.prefix;
	if (s && s->has_prefix)
		*prefix = s->prefix;
	return s && s->has_prefix;
}

void engine_ipv6_pools(const struct engine *e, uint32_t used[2], uint32_t size[2])
{
	const struct eng_ipv6 *v = e->v6;
	const struct ip6_pool *p[2] = { v ? v->pool : NULL, v ? v->pd_pool : NULL };

	for (int i = 0; i < 2; i++) {
		used[i] = p[i] ? ip6_pool_used(p[i]) : 0;
		size[i] = p[i] ? ip6_pool_size(p[i]) : 0;
	}
}
