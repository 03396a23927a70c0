// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The engine end to end through the null data plane, without root: the LAC
 * of engine_testutil.h talks L2TP over UDP on 127.0.0.1 to the engine's
 * listener (SCCRQ, SCCRP, SCCCN, ICRQ, ICRP, ICCN), then this test plays
 * the PPP client on the channel and unit socketpairs dp_null_new(true)
 * gives the session (LCP, PAP against a users file or a RADIUS server
 * played here, IPCP) until the link is up; then the call ends (CDN from the
 * LAC, a refused password or address, or the operator) and the tunnel with
 * StopCCN. Messages are built with lib/l2tp_msg.c's encoder.
 * LNSD_TEST_LOG=1 shows the engine's log.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine_int.h"
#include "engine_testutil.h"
#include "ppp_proto.h"
#include "radius_attr.h"
#include "radius_testutil.h"

#define LAC_TID 4321
#define LAC_SID 77
#define POOL_FIRST 0x0a63000a    /* 10.99.0.10, the first address of [ppp] pool */
#define FRAMED_IP 0x0a620005     /* 10.98.0.5, outside the pool: what RADIUS assigns */
#define RAD_SECRET "radsecret"
#define WAIT_MS TU_WAIT_MS

/* One call: the LAC's and the LNS's Session IDs, the client's PPP ends. */
struct call {
	uint16_t sid, lns_sid;
	int chan, unit;
};

struct fx {
	struct tu_engine te;       /* with dp_null_new(true) in te.dp */
	struct tu_lac lac;         /* tunnel LAC_TID; lac.msg: the last message from the LNS */
	struct call calls[3];
	int radius;                /* the RADIUS server's socket, -1 without [radius] */
	bool rad_hold;             /* keep Access-Requests in held (and the client after PAP) */
	struct {
		uint8_t id, auth[RADIUS_AUTH_LEN];
		struct sockaddr_storage from;
		socklen_t fl;
	} held[2];
	int n_held;
	unsigned rad_requests;     /* Access-Requests answered */
	const char *filter_id;     /* put in the Access-Accepts when not NULL */
	bool v6_attrs;             /* Framed-IPv6-Prefix, Delegated-IPv6-Prefix, a Framed-IPv6-Route */
	bool v6_client;            /* the PPP client opens IPV6CP too */
};

/* What RADIUS assigns with v6_attrs: a /64 inside [ppp] ipv6-prefix-pool, a /56 outside. */
static const uint8_t rad_v6_prefix[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0x00, 0x77 };
static const uint8_t rad_v6_pd[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x99, 0x99 };

static void rad_answer(void *ctx);

/* Appended to the configuration of the next fx_up without RADIUS. */
static const char *fx_extra_conf = "";

/* ---- the engine on a free port ------------------------------------------ */

/* with_radius: [radius] on a socket of ours that accepts everyone (rad_answer). */
static void fx_up_ppp(struct fx *f, bool with_radius, const char *more_ppp);

static void fx_up(struct fx *f, bool with_radius)
{
	fx_up_ppp(f, with_radius, "");
}

/* more_ppp: [ppp] keys beside the fixture's. */
static void fx_up_ppp(struct fx *f, bool with_radius, const char *more_ppp)
{
	char ppp[512];
	char conf[160];
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);

	snprintf(conf, sizeof(conf), "hostname = lns\n%s", fx_extra_conf);
	memset(f, 0, sizeof(*f));
	f->lac.fd = -1;
	for (size_t i = 0; i < sizeof(f->calls) / sizeof(f->calls[0]); i++)
		f->calls[i] = (struct call){ .sid = (uint16_t)(LAC_SID + i), .chan = -1, .unit = -1 };
	f->radius = -1;
	if (with_radius) {
		f->radius = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		ck_assert_int_ge(f->radius, 0);
		ck_assert_int_eq(bind(f->radius, (struct sockaddr *)&a, sizeof(a)), 0);
		ck_assert_int_eq(getsockname(f->radius, (struct sockaddr *)&a, &al), 0);
		snprintf(conf, sizeof(conf),
			 "hostname = lns\n[radius]\nserver = 127.0.0.1:%u:%u,%s\n"
			 "accounting = no\ntimeout = 1\n", ntohs(a.sin_port), ntohs(a.sin_port),
			 RAD_SECRET);
	}
	snprintf(ppp, sizeof(ppp), "auth = pap\nlocal-ip = 10.99.0.1\npool = 10.99.0.10-10.99.0.20\n"
		 "lcp-echo-interval = 0\nrate-limit-down = 20M\nrate-profile = gold 5M/1M\n%s",
		 more_ppp);
	tu_engine_up(&f->te, &(struct tu_engine_opts){
		.conf = conf,
		.ppp = ppp,
		.users = "alice * secret\nbob * other\n",
		.ppp_dp = true,
	});
	ck_assert_int_eq(engine_dataplane(f->te.eng), ENG_DP_NONE);
	f->te.watch_fd = f->radius;
	f->te.on_watch = rad_answer;
	f->te.watch_ctx = f;
}

static void fx_down(struct fx *f)
{
	tu_engine_down(&f->te);
	tu_lac_close(&f->lac);
	for (size_t i = 0; i < sizeof(f->calls) / sizeof(f->calls[0]); i++) {
		if (f->calls[i].chan >= 0)
			close(f->calls[i].chan);
		if (f->calls[i].unit >= 0)
			close(f->calls[i].unit);
	}
	if (f->radius >= 0)
		close(f->radius);
}

/*
 * The RADIUS server: every Access-Request is accepted with Framed-IP-Address
 * FRAMED_IP, signed with a Message-Authenticator (RFC 3579 §3.2) and the
 * Response Authenticator (RFC 2865 §3).
 */
static void rad_accept(struct fx *f, uint8_t id, const uint8_t *auth,
		       const struct sockaddr_storage *from, socklen_t fl)
{
	uint8_t rep[220];
	size_t len = RADIUS_HDR_LEN;

	rep[0] = RAD_CODE_ACCESS_ACCEPT;
	rep[1] = id;
	if (f->filter_id) {
		rep[len++] = RAD_FILTER_ID;
		rep[len++] = (uint8_t)(2 + strlen(f->filter_id));
		memcpy(rep + len, f->filter_id, strlen(f->filter_id));
		len += strlen(f->filter_id);
	}
	if (f->v6_attrs) {   /* RFC 3162 §2.3: Reserved, Prefix-Length, Prefix */
		rep[len++] = RAD_FRAMED_IPV6_PREFIX;
		rep[len++] = 2 + 2 + 8;
		rep[len++] = 0;
		rep[len++] = 64;
		memcpy(rep + len, rad_v6_prefix, 8);
		len += 8;
		rep[len++] = RAD_DELEGATED_IPV6_PREFIX;
		rep[len++] = 2 + 2 + 7;
		rep[len++] = 0;
		rep[len++] = 56;
		memcpy(rep + len, rad_v6_pd, 7);
		len += 7;
		rep[len++] = RAD_FRAMED_IPV6_ROUTE;   /* RFC 3162 §2.5 */
		rep[len++] = 2 + 21;
		memcpy(rep + len, "2001:db8:77::/48 :: 1", 21);
		len += 21;
	}
	rep[len++] = RAD_FRAMED_IP_ADDRESS;
	rep[len++] = 6;
	rep[len++] = FRAMED_IP >> 24;
	rep[len++] = FRAMED_IP >> 16 & 0xff;
	rep[len++] = FRAMED_IP >> 8 & 0xff;
	rep[len++] = FRAMED_IP & 0xff;
	rep[len++] = RAD_MESSAGE_AUTHENTICATOR;
	rep[len++] = 2 + RADIUS_AUTH_LEN;
	memset(rep + len, 0, RADIUS_AUTH_LEN);
	len += RADIUS_AUTH_LEN;
	tu_sign(rep, len, auth, RAD_SECRET);
	ck_assert_int_eq(sendto(f->radius, rep, len, 0, (const struct sockaddr *)from, fl),
			 (ssize_t)len);
	f->rad_requests++;
}

/* An Access-Request (f->radius readable in tu_pump): answered at once, or kept while rad_hold. */
static void rad_answer(void *ctx)
{
	struct fx *f = ctx;
	uint8_t req[4096];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(f->radius, req, sizeof(req), 0, (struct sockaddr *)&from, &fl);

	if (n < RADIUS_HDR_LEN || req[0] != RAD_CODE_ACCESS_REQUEST)
		return;
	if (!f->rad_hold) {
		rad_accept(f, req[1], req + 4, &from, fl);
		return;
	}
	ck_assert_int_lt(f->n_held, 2);
	f->held[f->n_held].id = req[1];
	memcpy(f->held[f->n_held].auth, req + 4, RADIUS_AUTH_LEN);
	f->held[f->n_held].from = from;
	f->held[f->n_held].fl = fl;
	f->n_held++;
}

/* ---- the LAC ------------------------------------------------------------- */

/* SCCRQ, SCCRP (from host "lns"), SCCCN: the tunnel. */
static void lac_tunnel(struct fx *f)
{
	tu_lac_tunnel(&f->lac, &f->te, LAC_TID, true);
	ck_assert_str_eq(f->lac.msg.host_name, "lns");
}

/* ICRQ, ICRP, ICCN: a call, and the PPP ends the data plane made for it. */
static void lac_call(struct fx *f, struct call *c)
{
	c->lns_sid = tu_lac_icrq(&f->lac, c->sid, NULL);
	tu_lac_iccn(&f->lac, c->lns_sid);

	/* The ICCN makes the session: the data plane opens its channel and unit. */
	for (int t = 0; t < WAIT_MS && c->chan < 0; t += 5) {
		tu_idle(&f->te, 5);
		dp_null_take_ppp(f->te.dp, f->lac.lns_tid, c->lns_sid, &c->chan, &c->unit);
	}
	ck_assert_msg(c->chan >= 0, "no PPP channel after the ICCN");
	ck_assert_int_eq(dp_null_take_ppp(f->te.dp, f->lac.lns_tid, c->lns_sid, &c->chan,
					  &c->unit), -ENOENT);
}

static void lac_cdn(struct fx *f, const struct call *c)
{
	tu_lac_begin(&f->lac, c->lns_sid, L2TP_MSG_CDN);
	l2tp_mb_result(&f->lac.mb, L2TP_CDN_LOST_CARRIER, 0, NULL);
	l2tp_mb_u16(&f->lac.mb, true, L2TP_AVP_ASSIGNED_SESSION_ID, c->sid);
	tu_lac_send(&f->lac);
}

static void lac_stopccn(struct fx *f)
{
	tu_lac_begin(&f->lac, 0, L2TP_MSG_STOPCCN);
	l2tp_mb_u16(&f->lac.mb, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, LAC_TID);
	l2tp_mb_result(&f->lac.mb, L2TP_STOPCCN_CLEAR, 0, NULL);
	tu_lac_send(&f->lac);
}

/* ---- the PPP client ------------------------------------------------------ */

static void ppp_send(int fd, uint16_t proto, uint8_t code, uint8_t id, const void *data,
		     size_t len)
{
	uint8_t b[256];
	size_t n = PPP_PROTO_LEN + PPP_HDR_LEN + len;

	ck_assert_uint_le(n, sizeof(b));
	b[0] = (uint8_t)(proto >> 8);
	b[1] = (uint8_t)proto;
	b[2] = code;
	b[3] = id;
	b[4] = (uint8_t)((len + PPP_HDR_LEN) >> 8);
	b[5] = (uint8_t)(len + PPP_HDR_LEN);
	if (len)
		memcpy(b + 6, data, len);
	ck_assert_int_eq(write(fd, b, n), (ssize_t)n);
}

/* The option of type t in a Configure packet's data, or NULL. */
static const uint8_t *ppp_opt(const uint8_t *d, size_t len, uint8_t t)
{
	for (size_t off = 0; off + 2 <= len && d[off + 1] >= 2; off += d[off + 1])
		if (d[off] == t)
			return d + off;
	return NULL;
}

static void ipcp_req(const struct call *c, uint8_t id, uint32_t addr)
{
	uint8_t o[6] = { IPCP_OPT_ADDR, 6, addr >> 24, addr >> 16, addr >> 8, addr };

	ppp_send(c->unit, PPP_PROTO_IPCP, PPP_CONF_REQ, id, o, sizeof(o));
}

enum client_end { CLIENT_UP, CLIENT_REFUSED, CLIENT_PAP_SENT };

static uint16_t lns_mru;   /* the MRU in the LNS's last LCP Configure-Request, 0: none */

/*
 * LCP (our Configure-Request without options; theirs acknowledged as it is),
 * PAP with user/pass, IPCP asking for an address (0.0.0.0, then what the Nak
 * offers). Returns once IPCP is open both ways or PAP was refused; with
 * f->rad_hold, once PAP is sent.
 */
static enum client_end ppp_client(struct fx *f, const struct call *c, const char *user,
				  const char *pass, uint32_t *addr)
{
	bool lcp_ours = false, lcp_theirs = false, pap_sent = false, ipcp_ours = false;
	bool ipcp_theirs = false;
	uint8_t b[1600], ipcp_id = 1;
	int fds[2] = { c->chan, c->unit };

	*addr = 0;
	ppp_send(c->chan, PPP_PROTO_LCP, PPP_CONF_REQ, 1, NULL, 0);
	bool v6_ours = !f->v6_client, v6_theirs = !f->v6_client;
	static const uint8_t ifid_opt[10] = { 1, 10, 0x02, 0, 0, 0, 0, 0, 0, 0x01 };

	while (!(ipcp_ours && ipcp_theirs && v6_ours && v6_theirs)) {
		int i = tu_pump(&f->te, fds, 2, WAIT_MS);
		ssize_t n;
		uint16_t proto;
		const uint8_t *o;
		size_t dlen;

		ck_assert_msg(i >= 0, "PPP stalled (LCP %d/%d, PAP %d, IPCP %d/%d)", lcp_ours,
			      lcp_theirs, pap_sent, ipcp_ours, ipcp_theirs);
		n = read(fds[i], b, sizeof(b));
		ck_assert_int_ge(n, PPP_PROTO_LEN + PPP_HDR_LEN);
		proto = (uint16_t)(b[0] << 8 | b[1]);
		dlen = (size_t)n - PPP_PROTO_LEN - PPP_HDR_LEN;
		if (proto == PPP_PROTO_IPV6CP && !f->v6_client)
			continue;   /* [ppp] ipv6 = yes: this client does not answer IPV6CP */
		if (proto == PPP_PROTO_IPV6CP) {   /* RFC 5072: theirs acknowledged as it is */
			ck_assert_int_eq(i, 1);
			if (b[2] == PPP_CONF_REQ) {
				ppp_send(c->unit, PPP_PROTO_IPV6CP, PPP_CONF_ACK, b[3], b + 6, dlen);
				v6_theirs = true;
			} else if (b[2] == PPP_CONF_ACK) {
				v6_ours = true;
			} else {
				ck_abort_msg("unexpected IPV6CP code %u", b[2]);
			}
			continue;
		}
		/* docs/design.md §4.3: LCP and PAP on the channel, IPCP on the unit. */
		ck_assert_msg(i == (proto == PPP_PROTO_IPCP ? 1 : 0), "protocol 0x%04x on the %s",
			      proto, i ? "unit" : "channel");
		if (proto == PPP_PROTO_LCP && b[2] == PPP_CONF_REQ) {
			o = ppp_opt(b + 6, dlen, LCP_OPT_AUTH);
			ck_assert_msg(o && o[1] == 4 && (o[2] << 8 | o[3]) == PPP_PROTO_PAP,
				      "the LNS does not ask for PAP alone");
			o = ppp_opt(b + 6, dlen, LCP_OPT_MRU);
			lns_mru = o && o[1] == 4 ? (uint16_t)(o[2] << 8 | o[3]) : 0;
			ppp_send(c->chan, PPP_PROTO_LCP, PPP_CONF_ACK, b[3], b + 6, dlen);
			lcp_theirs = true;
		} else if (proto == PPP_PROTO_LCP && b[2] == PPP_CONF_ACK && b[3] == 1) {
			lcp_ours = true;
		} else if (proto == PPP_PROTO_PAP && b[2] == PAP_AUTH_ACK) {
			ipcp_req(c, ipcp_id, 0);
			if (f->v6_client)
				ppp_send(c->unit, PPP_PROTO_IPV6CP, PPP_CONF_REQ, 1, ifid_opt,
					 sizeof(ifid_opt));
		} else if (proto == PPP_PROTO_PAP && b[2] == PAP_AUTH_NAK) {
			return CLIENT_REFUSED;
		} else if (proto == PPP_PROTO_IPCP && b[2] == PPP_CONF_REQ) {
			o = ppp_opt(b + 6, dlen, IPCP_OPT_ADDR);
			ck_assert_msg(o && o[1] == 6 && memcmp(o + 2, "\x0a\x63\x00\x01", 4) == 0,
				      "IPCP without [ppp] local-ip");
			ppp_send(c->unit, PPP_PROTO_IPCP, PPP_CONF_ACK, b[3], b + 6, dlen);
			ipcp_theirs = true;
		} else if (proto == PPP_PROTO_IPCP && b[2] == PPP_CONF_NAK) {
			o = ppp_opt(b + 6, dlen, IPCP_OPT_ADDR);
			ck_assert_ptr_nonnull(o);
			*addr = (uint32_t)o[2] << 24 | o[3] << 16 | o[4] << 8 | o[5];
			ipcp_req(c, ++ipcp_id, *addr);
		} else if (proto == PPP_PROTO_IPCP && b[2] == PPP_CONF_ACK) {
			ipcp_ours = true;
		} else {
			ck_abort_msg("unexpected PPP frame: protocol 0x%04x code %u", proto, b[2]);
		}
		if (lcp_ours && lcp_theirs && !pap_sent) {
			uint8_t d[64];
			size_t ul = strlen(user), pl = strlen(pass);

			d[0] = (uint8_t)ul;
			memcpy(d + 1, user, ul);
			d[1 + ul] = (uint8_t)pl;
			memcpy(d + 2 + ul, pass, pl);
			ppp_send(c->chan, PPP_PROTO_PAP, PAP_AUTH_REQ, 1, d, 2 + ul + pl);
			pap_sent = true;
			if (f->rad_hold)
				return CLIENT_PAP_SENT;
		}
	}
	return CLIENT_UP;
}

/* The LNS terminates LCP (RFC 1661 §5.5): its Terminate-Request, our Terminate-Ack. */
static void ppp_answer_term(struct fx *f, const struct call *c)
{
	uint8_t b[256];
	ssize_t n;

	ck_assert_msg(tu_pump(&f->te, &c->chan, 1, WAIT_MS) == 0, "no LCP Terminate-Request");
	n = read(c->chan, b, sizeof(b));
	ck_assert_int_ge(n, PPP_PROTO_LEN + PPP_HDR_LEN);
	ck_assert_uint_eq(b[0] << 8 | b[1], PPP_PROTO_LCP);
	ck_assert_uint_eq(b[2], PPP_TERM_REQ);
	ppp_send(c->chan, PPP_PROTO_LCP, PPP_TERM_ACK, b[3], NULL, 0);
}

/* The channel reads as hung up: the engine closed the session's data plane. */
static void expect_hangup(struct fx *f, const struct call *c)
{
	uint8_t b[64];
	ssize_t n;

	ck_assert_msg(tu_pump(&f->te, &c->chan, 1, WAIT_MS) == 0, "the channel was not closed");
	n = read(c->chan, b, sizeof(b));
	ck_assert_int_eq(n, 0);
}

static struct l2tp_sess *session_of(struct fx *f, const struct call *c)
{
	return l2tp_lns_session(engine_lns(f->te.eng), f->lac.lns_tid, c->lns_sid);
}

/* ---- tests --------------------------------------------------------------- */

/*
 * [l2tp] max-starting = 1: while a call is between ICRQ and IPCP up, the
 * next ICRQ gets CDN result 4 error 4; once IPCP is up (or the call ends),
 * calls are taken again. The engine's gauge and the lib's counter follow.
 */
START_TEST(max_starting_busy)
{
	struct fx f;
	struct call *c = &f.calls[0], *d = &f.calls[1];
	const struct eng_counters *ctr;
	uint32_t addr;

	fx_extra_conf = "[l2tp]\nmax-starting = 1\n";
	fx_up(&f, false);
	fx_extra_conf = "";
	ctr = engine_counters(f.te.eng);
	lac_tunnel(&f);
	lac_call(&f, c);
	ck_assert_uint_eq(ctr->starting, 1);

	tu_lac_begin(&f.lac, 0, L2TP_MSG_ICRQ);
	l2tp_mb_u16(&f.lac.mb, true, L2TP_AVP_ASSIGNED_SESSION_ID, d->sid);
	l2tp_mb_u32(&f.lac.mb, true, L2TP_AVP_CALL_SERIAL, d->sid);
	tu_lac_send(&f.lac);
	tu_lac_expect(&f.lac, L2TP_MSG_CDN);
	ck_assert_uint_eq(f.lac.msg.hdr.session_id, d->sid);
	ck_assert_uint_eq(f.lac.msg.result_code, L2TP_CDN_NO_FACILITIES_TEMP);
	ck_assert_uint_eq(f.lac.msg.error_code, L2TP_ERR_NO_RESOURCES);
	ck_assert_uint_eq(l2tp_lns_stats(engine_lns(f.te.eng))->sessions_refused_busy, 1);
	ck_assert_uint_eq(l2tp_lns_n_sessions(engine_lns(f.te.eng)), 1);

	/* IPCP up: no longer starting, the next call is taken */
	ck_assert_int_eq(ppp_client(&f, c, "alice", "secret", &addr), CLIENT_UP);
	tu_idle(&f.te, 20);
	ck_assert_uint_eq(ctr->starting, 0);
	lac_call(&f, d);
	ck_assert_uint_eq(ctr->starting, 1);
	ck_assert_uint_eq(ctr->starting_max, 1);
	/* a call that ends before IPCP is no longer starting either */
	lac_cdn(&f, d);
	for (int t = 0; t < WAIT_MS && ctr->starting; t += 5)
		tu_idle(&f.te, 5);
	ck_assert_uint_eq(ctr->starting, 0);
	ck_assert_ptr_null(session_of(&f, d));
	ck_assert_uint_eq(l2tp_lns_stats(engine_lns(f.te.eng))->sessions_refused_busy, 1);
	lac_stopccn(&f);
	tu_idle(&f.te, 20);
	fx_down(&f);
}
END_TEST

/* One call up to IPCP, then a CDN from the LAC and a StopCCN: everything goes. */
START_TEST(call_up_and_down)
{
	struct fx f;
	struct call *c = &f.calls[0];
	struct eng_sess_info si;
	const struct eng_counters *ctr;
	struct l2tp_tun *t;
	uint32_t addr;

	fx_up(&f, false);
	/* [ppp] mss-clamp defaults to yes, no [ipsec]: the data plane was asked once */
	ck_assert_int_eq(dp_null_nft_rules(f.te.dp, NULL), DP_NFT_MSS_CLAMP);
	/* [ppp] mtu = auto: a 1400-byte path less IPv4 20, UDP 8, L2TP 6, PPP 4 = 1362 */
	dp_null_set_path_mtu(f.te.dp, 1400);
	lac_tunnel(&f);
	lac_call(&f, c);
	ck_assert_ptr_nonnull(session_of(&f, c));
	engine_session_info(f.te.eng, session_of(&f, c), &si);
	ck_assert(si.ppp);
	ck_assert(!si.link_up);
	ck_assert_str_eq(si.ifname, "ppp0");
	ck_assert_uint_eq(si.mtu, 1362);

	ck_assert_int_eq(ppp_client(&f, c, "alice", "secret", &addr), CLIENT_UP);
	ck_assert_uint_eq(addr, POOL_FIRST);
	tu_idle(&f.te, 20);
	engine_session_info(f.te.eng, session_of(&f, c), &si);
	ck_assert(si.link_up);
	ck_assert(!si.closing);
	ck_assert_uint_eq(si.ip, POOL_FIRST);
	ck_assert_str_eq(si.username, "alice");
	ck_assert_str_eq(si.ppp_phase, "network");
	ck_assert_int_eq(si.ppp_unit, 0);
	ck_assert_uint_eq(strlen(si.acct_session_id), 16);
	ck_assert_uint_eq(lns_mru, 1362);  /* what the LNS asked for in LCP */
	ck_assert_uint_eq(si.mtu, 1362);   /* the client sent no MRU: 1500, capped by ours */
	ctr = engine_counters(f.te.eng);
	ck_assert_uint_eq(ctr->auth[PPP_AUTH_PAP][1], 1);
	ck_assert_uint_eq(ctr->auth[PPP_AUTH_PAP][0], 0);
	ck_assert_uint_eq(ctr->setup_count, 1);

	/*
	 * The LAC ends the call: the session goes, and its channel and unit
	 * with the next loop iteration's slice of kernel objects (eng_reap_ppp).
	 */
	ck_assert_uint_eq(f.te.eng->reaped, 0);
	f.te.eng->reap_slices = true;
	lac_cdn(&f, c);
	for (int i = 0; i < 20 && !f.te.eng->reaped; i++)
		ev_run(f.te.loop, EVRUN_ONCE);   /* blocking: the reap timer must wake it */
	expect_hangup(&f, c);
	ck_assert_uint_eq(f.te.eng->reaped, 1);
	ck_assert_uint_eq(f.te.eng->reap_n, 0);
	ck_assert_ptr_null(session_of(&f, c));
	ck_assert_uint_eq(l2tp_lns_n_sessions(engine_lns(f.te.eng)), 0);

	/* Then the tunnel: acknowledged and held for retransmissions (RFC 2661 §5.7). */
	lac_stopccn(&f);
	tu_idle(&f.te, 50);
	t = l2tp_lns_tunnel(engine_lns(f.te.eng), f.lac.lns_tid);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(t->state, L2TP_TUN_CLOSING);
	fx_down(&f);
}
END_TEST

/*
 * A wrong password: PAP Authenticate-Nak and LCP terminated, then the LNS
 * ends the call itself with a CDN (RFC 2661 §4.4.2 result 2, the reason in
 * the Advisory Message) and closes the session's data plane.
 */
START_TEST(call_refused)
{
	struct fx f;
	struct call *c = &f.calls[0];
	uint32_t addr;

	fx_up(&f, false);
	lac_tunnel(&f);
	lac_call(&f, c);
	ck_assert_int_eq(ppp_client(&f, c, "alice", "wrong", &addr), CLIENT_REFUSED);
	ppp_answer_term(&f, c);
	tu_lac_expect(&f.lac, L2TP_MSG_CDN);
	ck_assert_uint_eq(f.lac.msg.hdr.session_id, c->sid);
	ck_assert_uint_eq(f.lac.msg.result_code, L2TP_CDN_GENERAL_ERROR);
	ck_assert_str_eq(f.lac.msg.error_msg, "auth-failed");
	expect_hangup(&f, c);
	ck_assert_uint_eq(engine_counters(f.te.eng)->auth[PPP_AUTH_PAP][0], 1);
	lac_stopccn(&f);
	tu_idle(&f.te, 20);
	fx_down(&f);
}
END_TEST

/*
 * lnsctl terminate session: LCP Terminate-Request to the client first
 * (RFC 1661 §5.5); once acknowledged, the CDN with result 3
 * (administrative) and the data plane closed.
 */
START_TEST(call_terminated)
{
	struct fx f;
	struct call *c = &f.calls[0];
	uint32_t addr;

	fx_up(&f, false);
	lac_tunnel(&f);
	lac_call(&f, c);
	ck_assert_int_eq(ppp_client(&f, c, "bob", "other", &addr), CLIENT_UP);
	ck_assert_int_eq(engine_terminate_session(f.te.eng, f.lac.lns_tid, c->lns_sid), 0);
	ppp_answer_term(&f, c);
	tu_lac_expect(&f.lac, L2TP_MSG_CDN);
	ck_assert_uint_eq(f.lac.msg.result_code, L2TP_CDN_ADMIN);
	expect_hangup(&f, c);
	lac_stopccn(&f);
	tu_idle(&f.te, 20);
	fx_down(&f);
}
END_TEST

/*
 * A StopCCN with two calls up: their interfaces deleted as one batch (one
 * dp ppp_unlink naming both), then their channels and units closed by the
 * reap slices. The tunnel itself is held for retransmissions (RFC 2661
 * §5.7), its socket closed later.
 */
/* The fixture with a tunnel and two calls with PPP up: calls[0] and [1]. */
static void two_calls_up(struct fx *f)
{
	uint32_t addr;

	fx_up(f, false);
	lac_tunnel(f);
	lac_call(f, &f->calls[0]);
	ck_assert_int_eq(ppp_client(f, &f->calls[0], "bob", "other", &addr), CLIENT_UP);
	lac_call(f, &f->calls[1]);
	ck_assert_int_eq(ppp_client(f, &f->calls[1], "alice", "secret", &addr), CLIENT_UP);
}

START_TEST(stopccn_reaps_calls)
{
	struct fx f;
	struct call *a = &f.calls[0], *b = &f.calls[1];
	unsigned unlinks, unlinked;

	two_calls_up(&f);
	f.te.eng->reap_slices = true;
	ck_assert_uint_eq(dp_null_ppp_unlinks(f.te.eng->dp, &unlinked), 0);
	lac_stopccn(&f);
	for (int i = 0; i < 50 && f.te.eng->reaped < 2; i++)
		ev_run(f.te.loop, EVRUN_ONCE);   /* blocking: the reap watcher must wake it */
	ck_assert_uint_eq(f.te.eng->reaped, 2);
	ck_assert_uint_eq(f.te.eng->reap_n, 0);
	unlinks = dp_null_ppp_unlinks(f.te.eng->dp, &unlinked);
	ck_assert_uint_eq(unlinks, 1);
	ck_assert_uint_eq(unlinked, 2);
	expect_hangup(&f, a);
	expect_hangup(&f, b);
	fx_down(&f);
}
END_TEST

/*
 * Closes in the background (a kernel data plane's pool of threads; dp_null_bg
 * holds them here): StopCCN hands both calls' fds over at once and the
 * queue empties, but the channels stay open and shutdown is not done until
 * the closes are; then the loop is woken through bg_fd and stops watching.
 */
START_TEST(stopccn_bg_closes)
{
	struct fx f;
	struct call *a = &f.calls[0], *b = &f.calls[1];

	two_calls_up(&f);
	ck_assert_int_eq(dp_null_bg(f.te.eng->dp), 0);
	f.te.eng->reap_slices = true;
	lac_stopccn(&f);
	for (int i = 0; i < 50 && f.te.eng->reaped < 2; i++)
		ev_run(f.te.loop, EVRUN_ONCE);
	ck_assert_uint_eq(f.te.eng->reaped, 2);
	ck_assert_uint_eq(f.te.eng->reap_n, 0);
	ck_assert_uint_eq(dp_bg_pending(f.te.eng->dp), 2);
	ck_assert(ev_is_active(&f.te.eng->reap_bg));
	ck_assert_msg(tu_pump(&f.te, &a->chan, 1, 200) != 0, "closed before its background close");
	ck_assert(!eng_shutdown_done(f.te.eng));
	ck_assert_uint_eq(dp_null_bg_finish(f.te.eng->dp), 2);
	expect_hangup(&f, a);
	expect_hangup(&f, b);
	for (int i = 0; i < 50 && ev_is_active(&f.te.eng->reap_bg); i++)
		ev_run(f.te.loop, EVRUN_ONCE);   /* blocking: bg_fd must wake it */
	ck_assert(!ev_is_active(&f.te.eng->reap_bg));
	ck_assert_uint_eq(dp_bg_pending(f.te.eng->dp), 0);
	fx_down(&f);
}
END_TEST

/*
 * RADIUS assigns FRAMED_IP, outside the pool, to every user. The first call
 * gets it; the second, while the first holds it, is refused (the Accept is
 * turned into a PAP Nak, lnsd_radius_framed_ip_refused_total); once the
 * first call is gone, a third gets the address.
 */
START_TEST(framed_ip_in_use)
{
	struct fx f;
	struct call *a = &f.calls[0], *b = &f.calls[1], *c = &f.calls[2];
	uint32_t addr;

	fx_up(&f, true);
	lac_tunnel(&f);
	lac_call(&f, a);
	ck_assert_int_eq(ppp_client(&f, a, "alice", "any", &addr), CLIENT_UP);
	ck_assert_uint_eq(addr, FRAMED_IP);
	ck_assert_uint_eq(f.rad_requests, 1);

	lac_call(&f, b);
	ck_assert_int_eq(ppp_client(&f, b, "bob", "any", &addr), CLIENT_REFUSED);
	ck_assert_uint_eq(f.rad_requests, 2);
	ck_assert_uint_eq(engine_counters(f.te.eng)->radius_bad_framed_ip, 1);
	ppp_answer_term(&f, b);
	tu_lac_expect(&f.lac, L2TP_MSG_CDN);
	ck_assert_uint_eq(f.lac.msg.hdr.session_id, b->sid);
	expect_hangup(&f, b);

	lac_cdn(&f, a);
	expect_hangup(&f, a);
	lac_call(&f, c);
	ck_assert_int_eq(ppp_client(&f, c, "carol", "any", &addr), CLIENT_UP);
	ck_assert_uint_eq(addr, FRAMED_IP);
	ck_assert_uint_eq(engine_counters(f.te.eng)->radius_bad_framed_ip, 1);
	lac_stopccn(&f);
	expect_hangup(&f, c);
	fx_down(&f);
}
END_TEST

/* The rate limits a session has now, as engine_session_info and dp_null see them. */
static void expect_rate(struct fx *f, const struct call *c, uint64_t down, uint64_t up)
{
	struct l2tp_sess *s = session_of(f, c);
	struct eng_sess_info si;
	uint64_t kd = 1, ku = 1;
	int rc;

	ck_assert_ptr_nonnull(s);
	engine_session_info(f->te.eng, s, &si);
	ck_assert_uint_eq(si.rate.down_bps, down);
	ck_assert_uint_eq(si.rate.up_bps, up);
	rc = dp_null_rate_get(f->te.dp, dp_link_index(f->te.dp, si.ifname), &kd, &ku);
	if (down || up) {
		ck_assert_int_eq(rc, 0);
		ck_assert_uint_eq(kd, down);
		ck_assert_uint_eq(ku, up);
	} else {
		ck_assert(rc == -ENOENT || (kd == 0 && ku == 0));
	}
}

/*
 * Rate limits (lnsd.conf(5) RATE LIMITS): Filter-Id "gold" picks the
 * profile, no Filter-Id leaves the [ppp] defaults, an unknown one is
 * counted and falls back to them too; a CoA's Mikrotik-Rate-Limit
 * replaces a session's limits on its interface, one the kernel refuses
 * keeps the old ones, and one that does not parse is refused before.
 */
START_TEST(rate_limits)
{
	struct fx f;
	struct call *a = &f.calls[0], *b = &f.calls[1], *c = &f.calls[2];
	struct rate_radius rr = { 0 };
	uint32_t addr;

	fx_up(&f, true);
	lac_tunnel(&f);
	f.filter_id = "gold";
	lac_call(&f, a);
	ck_assert_int_eq(ppp_client(&f, a, "alice", "any", &addr), CLIENT_UP);
	expect_rate(&f, a, 5000000, 1000000);
	lac_cdn(&f, a);
	expect_hangup(&f, a);

	/* each call ends before the next: RADIUS gives all of them FRAMED_IP */
	f.filter_id = "silver";
	lac_call(&f, b);
	ck_assert_int_eq(ppp_client(&f, b, "bob", "any", &addr), CLIENT_UP);
	expect_rate(&f, b, 20000000, 0);
	ck_assert_uint_eq(engine_counters(f.te.eng)->rate_bad_attr, 1);
	lac_cdn(&f, b);
	expect_hangup(&f, b);

	f.filter_id = NULL;
	lac_call(&f, c);
	ck_assert_int_eq(ppp_client(&f, c, "carol", "any", &addr), CLIENT_UP);
	expect_rate(&f, c, 20000000, 0);
	ck_assert_uint_eq(engine_counters(f.te.eng)->rate_bad_attr, 1);

	/* CoA: Mikrotik-Rate-Limit rx/tx, rx being the client's upload */
	rate_radius_mikrotik(&rr, (const uint8_t *)"1M/2M", 5);
	ck_assert_int_eq(engine_session_set_rate(f.te.eng, f.lac.lns_tid, c->lns_sid, &rr, true), 0);
	expect_rate(&f, c, 2000000, 1000000);
	dp_null_rate_fail(f.te.dp, -EOPNOTSUPP);
	rate_radius_mikrotik(&rr, (const uint8_t *)"3M", 2);
	ck_assert_int_eq(engine_session_set_rate(f.te.eng, f.lac.lns_tid, c->lns_sid, &rr, true),
			 -EOPNOTSUPP);
	dp_null_rate_fail(f.te.dp, 0);
	expect_rate(&f, c, 2000000, 1000000);
	ck_assert_uint_eq(engine_counters(f.te.eng)->rate_kernel_failed, 1);
	memset(&rr, 0, sizeof(rr));
	rate_radius_filter_id(&rr, (const uint8_t *)"silver", 6);
	ck_assert_int_eq(engine_session_set_rate(f.te.eng, f.lac.lns_tid, c->lns_sid, &rr, false),
			 -EINVAL);
	memset(&rr, 0, sizeof(rr));
	rate_radius_filter_id(&rr, (const uint8_t *)"0/0", 3);   /* accel-ppp's: unlimited */
	ck_assert_int_eq(engine_session_set_rate(f.te.eng, f.lac.lns_tid, c->lns_sid, &rr, true), 0);
	expect_rate(&f, c, 0, 0);
	lac_stopccn(&f);
	expect_hangup(&f, c);
	fx_down(&f);
}
END_TEST

#define V6_PPP "ipv6 = yes\nipv6-prefix-pool = 2001:db8:100::/56\n" \
	"ipv6-delegation-pool = 2001:db8:4000::/48\nipv6-delegation-length = 56\n"

static void expect_pools6(struct fx *f, uint32_t prefixes, uint32_t delegated)
{
	uint32_t used[2], size[2];

	engine_ipv6_pools(f->te.eng, used, size);
	ck_assert_uint_eq(size[0], 256);   /* /64s of a /56 */
	ck_assert_uint_eq(size[1], 256);   /* /56s of a /48 */
	ck_assert_uint_eq(used[0], prefixes);
	ck_assert_uint_eq(used[1], delegated);
}

/*
 * IPv6 (lnsd/ipv6.c) with [ppp] ipv6 = yes and the pools: once IPCP is up
 * (before Accounting Start) each session has its /64 and its delegated /56
 * from the pools, different ones; a call that ends gives both back.
 */
START_TEST(ipv6_prefixes_from_pools)
{
	struct fx f;
	struct call *a = &f.calls[0], *b = &f.calls[1];
	struct eng_sess_info sa, sb;
	struct ip6_prefix p64, p48;
	uint32_t addr;

	ck_assert_int_eq(ip6_prefix_parse("2001:db8:100::/56", &p64), 0);
	ck_assert_int_eq(ip6_prefix_parse("2001:db8:4000::/48", &p48), 0);
	fx_up_ppp(&f, false, V6_PPP);
	expect_pools6(&f, 0, 0);
	lac_tunnel(&f);
	lac_call(&f, a);
	ck_assert_int_eq(ppp_client(&f, a, "alice", "secret", &addr), CLIENT_UP);
	lac_call(&f, b);
	ck_assert_int_eq(ppp_client(&f, b, "bob", "other", &addr), CLIENT_UP);
	tu_idle(&f.te, 20);
	expect_pools6(&f, 2, 2);
	engine_session_info(f.te.eng, session_of(&f, a), &sa);
	engine_session_info(f.te.eng, session_of(&f, b), &sb);
	ck_assert(sa.has_prefix6 && sa.has_pd && sb.has_prefix6 && sb.has_pd);
	ck_assert_uint_eq(sa.prefix6.len, 64);
	ck_assert_uint_eq(sa.pd.len, 56);
	ck_assert(ip6_prefix_contains(&p64, &sa.prefix6) && ip6_prefix_contains(&p64, &sb.prefix6));
	ck_assert(ip6_prefix_contains(&p48, &sa.pd) && ip6_prefix_contains(&p48, &sb.pd));
	ck_assert(!ip6_prefix_eq(&sa.prefix6, &sb.prefix6));
	ck_assert(!ip6_prefix_eq(&sa.pd, &sb.pd));
	ck_assert_uint_eq(engine_counters(f.te.eng)->v6_pool_exhausted, 0);

	lac_cdn(&f, a);
	expect_hangup(&f, a);
	expect_pools6(&f, 1, 1);
	ck_assert_uint_eq(dp_null_routes6(f.te.dp), 0);
	lac_stopccn(&f);
	expect_hangup(&f, b);
	expect_pools6(&f, 0, 0);
	fx_down(&f);
}
END_TEST

/*
 * RADIUS Framed-IPv6-Prefix inside the pool is taken out of it, a
 * Delegated-IPv6-Prefix outside it is used as given; with IPV6CP open the
 * /64 and the Framed-IPv6-Route are routed via pppN; the /64 goes back to
 * the pool when the call ends, and the next call RADIUS gives it to has it.
 * (The fixture's RADIUS gives every call one IPv4 address: one call at a time.)
 */
START_TEST(ipv6_prefixes_from_radius)
{
	struct fx f;
	struct call *a = &f.calls[0], *b = &f.calls[1];
	struct eng_sess_info sa, sb;
	struct ip6_prefix want = { .len = 64 }, want_pd = { .len = 56 };
	uint32_t addr;

	memcpy(want.addr, rad_v6_prefix, 16);
	memcpy(want_pd.addr, rad_v6_pd, 16);
	fx_up_ppp(&f, true, V6_PPP);
	f.v6_attrs = true;
	f.v6_client = true;
	lac_tunnel(&f);
	lac_call(&f, a);
	ck_assert_int_eq(ppp_client(&f, a, "alice", "any", &addr), CLIENT_UP);
	tu_idle(&f.te, 20);
	engine_session_info(f.te.eng, session_of(&f, a), &sa);
	ck_assert(sa.ipv6);
	ck_assert(sa.has_prefix6 && sa.has_pd);
	ck_assert(ip6_prefix_eq(&sa.prefix6, &want));
	ck_assert(ip6_prefix_eq(&sa.pd, &want_pd));
	expect_pools6(&f, 1, 0);
	/* IPV6CP open: the /64 and the Framed-IPv6-Route via pppN (the delegated
	 * prefix waits for DHCPv6) */
	ck_assert_uint_eq(dp_null_routes6(f.te.dp), 2);

	lac_cdn(&f, a);
	expect_hangup(&f, a);
	expect_pools6(&f, 0, 0);
	ck_assert_uint_eq(dp_null_routes6(f.te.dp), 0);
	lac_call(&f, b);
	ck_assert_int_eq(ppp_client(&f, b, "bob", "any", &addr), CLIENT_UP);
	tu_idle(&f.te, 20);
	engine_session_info(f.te.eng, session_of(&f, b), &sb);
	ck_assert(sb.has_prefix6 && ip6_prefix_eq(&sb.prefix6, &want));
	ck_assert(ip6_prefix_eq(&sb.pd, &want_pd));
	ck_assert_uint_eq(engine_counters(f.te.eng)->v6_radius_refused, 0);
	expect_pools6(&f, 1, 0);
	lac_stopccn(&f);
	expect_hangup(&f, b);
	expect_pools6(&f, 0, 0);
	fx_down(&f);
}
END_TEST

/*
 * A RADIUS reply names its Access-Request, not the Tunnel and Session IDs:
 * call a's request is still out when a ends; call b sends its own. Then the
 * server answers both, in order: a's reply finds no session and is dropped
 * (not counted, nothing sent), b's reaches b (PAP Ack). Under ASan this also
 * shows that a's ending took its request out of the table.
 */
START_TEST(radius_reply_after_call_ended)
{
	struct fx f;
	struct call *a = &f.calls[0], *b = &f.calls[1];
	uint8_t buf[256];
	uint32_t addr;
	ssize_t n;

	fx_up(&f, true);
	lac_tunnel(&f);
	f.rad_hold = true;
	lac_call(&f, a);
	ck_assert_int_eq(ppp_client(&f, a, "alice", "any", &addr), CLIENT_PAP_SENT);
	for (int t = 0; t < WAIT_MS && f.n_held < 1; t += 5)
		tu_idle(&f.te, 5);
	ck_assert_int_eq(f.n_held, 1);
	lac_cdn(&f, a);
	expect_hangup(&f, a);
	lac_call(&f, b);
	ck_assert_int_eq(ppp_client(&f, b, "bob", "any", &addr), CLIENT_PAP_SENT);
	for (int t = 0; t < WAIT_MS && f.n_held < 2; t += 5)
		tu_idle(&f.te, 5);
	ck_assert_int_eq(f.n_held, 2);
	f.rad_hold = false;
	for (int i = 0; i < 2; i++)
		rad_accept(&f, f.held[i].id, f.held[i].auth, &f.held[i].from, f.held[i].fl);
	ck_assert_msg(tu_pump(&f.te, &b->chan, 1, WAIT_MS) == 0, "no answer to b's PAP");
	n = read(b->chan, buf, sizeof(buf));
	ck_assert_int_ge(n, PPP_PROTO_LEN + PPP_HDR_LEN);
	ck_assert_uint_eq(buf[0] << 8 | buf[1], PPP_PROTO_PAP);
	ck_assert_uint_eq(buf[2], PAP_AUTH_ACK);
	ck_assert_uint_eq(f.rad_requests, 2);
	ck_assert_uint_eq(engine_counters(f.te.eng)->auth[PPP_AUTH_PAP][1], 1);
	ck_assert_uint_eq(engine_counters(f.te.eng)->auth[PPP_AUTH_PAP][0], 0);
	lac_stopccn(&f);
	expect_hangup(&f, b);
	fx_down(&f);
}
END_TEST

/*
 * A flood bigger than a small receive buffer (listen-rcvbuf = 4096) while
 * the loop is not reading: the kernel drops the excess, and lnsd counts
 * those drops (SO_RXQ_OVFL) with the next datagram it reads. A second
 * engine with the default buffer (4 MiB; without CAP_NET_ADMIN capped at
 * net.core.rmem_max, 208 KiB on a stock kernel) takes the same 100
 * datagrams without a drop.
 */
static uint64_t flood_drops(const char *conf, int flood)
{
	struct tu_engine te;
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	/* An L2TP data packet header (T bit clear) for a tunnel that is not there. */
	uint8_t pkt[200] = { 0x00, 0x02, 0x12, 0x34, 0x00, 0x01 };
	uint64_t drops;
	int fd;

	tu_engine_up(&te, &(struct tu_engine_opts){ .conf = conf });
	to.sin_port = htons(te.port);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	for (int i = 0; i < flood; i++)
		ck_assert_int_eq(sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&to,
					sizeof(to)), (ssize_t)sizeof(pkt));
	tu_idle(&te, 200);   /* the engine reads what the buffer kept */
	ck_assert_int_eq(sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)),
			 (ssize_t)sizeof(pkt));
	tu_idle(&te, 200);   /* this one carries the drop count */
	drops = engine_drops(te.eng)[ENG_DROP_RXQ_OVERFLOW];
	close(fd);
	tu_engine_down(&te);
	return drops;
}

START_TEST(rxq_overflow_counted)
{
	uint64_t small = flood_drops("listen-rcvbuf = 4096\n", 100);
	uint64_t big = flood_drops(NULL, 100);

	ck_assert_uint_gt(small, 0);
	ck_assert_uint_lt(small, 100);
	ck_assert_uint_eq(big, 0);
}
END_TEST

/* ---- many tunnels: the peer index, the shutdown's walk ------------------- */

#define N_LACS 8

/* A ZLB acknowledging everything the LNS sent this LAC. */
static void lac_zlb(struct tu_lac *l)
{
	uint8_t z[12] = { 0xc8, 0x02, 0x00, 0x0c, (uint8_t)(l->lns_tid >> 8), (uint8_t)l->lns_tid,
			  0, 0, (uint8_t)(l->ns >> 8), (uint8_t)l->ns, (uint8_t)(l->nr >> 8),
			  (uint8_t)l->nr };

	ck_assert_int_eq(send(l->fd, z, sizeof(z), 0), (ssize_t)sizeof(z));
}

static unsigned peer_count(const struct engine *e, uint32_t ip)
{
	struct lns_addr a = { .family = 4 };
	unsigned n = 0;

	ip = htonl(ip);
	memcpy(a.addr, &ip, 4);
	for (struct eng_tunnel *et = eng_peer_next(e, &a, NULL); et; et = eng_peer_next(e, &a, et))
		n++;
	return n;
}

/* Where the LAC of LNS tunnel tid is. */
static struct tu_lac *lac_of(struct tu_lac *lacs, uint32_t tid)
{
	for (int i = 0; i < N_LACS; i++)
		if (lacs[i].lns_tid == tid)
			return &lacs[i];
	ck_abort_msg("no LAC for tunnel %u", tid);
	return NULL;
}

/*
 * The peer index holds the live tunnels of each address (for the IPsec SA
 * of a host: ipsec_sa_in_use, ipsec_orphan), only those. The
 * shutdown is done only when every StopCCN is acknowledged, and asking
 * again while one tunnel holds it up looks at that one tunnel, not at all
 * of them (the walk resumes where it stopped: O(tunnels) per shutdown, not
 * per event).
 */
START_TEST(many_tunnels_index_and_shutdown)
{
	struct tu_engine te;
	struct tu_lac lacs[N_LACS];
	struct l2tp_tun *last = NULL, *t;
	uint64_t checked;

	tu_engine_up(&te, &(struct tu_engine_opts){ 0 });
	for (int i = 0; i < N_LACS; i++)
		tu_lac_tunnel(&lacs[i], &te, (uint16_t)(100 + i), true);
	tu_idle(&te, 50);
	ck_assert_uint_eq(l2tp_lns_n_tunnels(te.eng->lns), N_LACS);
	ck_assert_uint_eq(peer_count(te.eng, INADDR_LOOPBACK), N_LACS);
	ck_assert_uint_eq(peer_count(te.eng, INADDR_LOOPBACK + 1), 0);

	/* the last tunnel in the walk's order */
	for (t = l2tp_lns_tunnel_from(te.eng->lns, 0); t;
	     t = l2tp_lns_tunnel_from(te.eng->lns, l2tp_walk_pos(t->tid) + 1))
		last = t;
	ck_assert_ptr_nonnull(last);
	/* The other LACs close their tunnels: held closing (RFC 2661 §5.7), nothing to send. */
	for (int i = 0; i < N_LACS; i++) {
		if (lacs[i].lns_tid == last->tid)
			continue;
		tu_lac_begin(&lacs[i], 0, L2TP_MSG_STOPCCN);
		l2tp_mb_u16(&lacs[i].mb, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, lacs[i].tid);
		l2tp_mb_result(&lacs[i].mb, L2TP_STOPCCN_CLEAR, 0, NULL);
		tu_lac_send(&lacs[i]);
	}
	tu_idle(&te, 150);
	ck_assert_uint_eq(l2tp_lns_n_tunnels(te.eng->lns), N_LACS);

	engine_shutdown(te.eng, 60000);
	tu_lac_expect(lac_of(lacs, last->tid), L2TP_MSG_STOPCCN);
	ck_assert(!eng_shutdown_done(te.eng));
	/* only the last one holds it up: asking again looks at that one only */
	checked = te.eng->drain_checked;
	for (int i = 0; i < 10; i++)
		ck_assert(!eng_shutdown_done(te.eng));
	ck_assert_uint_eq(te.eng->drain_checked - checked, 10);

	lac_zlb(lac_of(lacs, last->tid));
	tu_idle(&te, 100);
	ck_assert(eng_shutdown_done(te.eng));
	for (int i = 0; i < N_LACS; i++)
		tu_lac_close(&lacs[i]);
	tu_engine_down(&te);
}
END_TEST


/*
 * The inbound template (design.md §5.5): before 6.10 a tunnel socket takes
 * only its own CHILD_SA's datagrams; from 6.10 (ID demux) and on a listener
 * (reqid 0) any ESP SA.
 */
START_TEST(ipsec_inbound_reqid)
{
	ck_assert_uint_eq(eng_ipsec_reqid_in(false, 3), 3);
	ck_assert_uint_eq(eng_ipsec_reqid_in(false, 0), 0);
	ck_assert_uint_eq(eng_ipsec_reqid_in(true, 3), 0);
	ck_assert_uint_eq(eng_ipsec_reqid_in(true, 0), 0);
}
END_TEST

/*
 * A reload may change every [ipsec] key but mode: reqid is ignored since every
 * CHILD_SA has its own (design.md §5.5), proposals are loaded into charon again.
 */
START_TEST(reload_ipsec_keys)
{
	static const char base[] = "[ipsec]\npsk = one\nreqid = 1701\n";
	static const char other[] = "[ipsec]\npsk = two\nreqid = 1800\n"
				    "esp-proposals = aes128gcm16\n";
	static const char off[] = "[ipsec]\nmode = off\n";
	struct lnsd_conf *a, *b, *c;
	char err[256];

	a = conf_load_string(base, "a", err, sizeof(err));
	ck_assert_msg(a, "%s", err);
	b = conf_load_string(other, "b", err, sizeof(err));
	ck_assert_msg(b, "%s", err);
	c = conf_load_string(off, "c", err, sizeof(err));
	ck_assert_msg(c, "%s", err);
	ck_assert_int_eq(eng_ipsec_reload_check(a, b, err, sizeof(err)), 0);
	ck_assert_int_eq(eng_ipsec_reload_check(b, a, err, sizeof(err)), 0);
	ck_assert_int_eq(eng_ipsec_reload_check(a, c, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "[ipsec] mode cannot change"));
	ck_assert_int_eq(eng_ipsec_reload_check(c, a, err, sizeof(err)), -1);
	conf_unref(a);
	conf_unref(b);
	conf_unref(c);
}
END_TEST

static Suite *engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("null data plane");

	tcase_add_test(tc, call_up_and_down);
	tcase_add_test(tc, ipv6_prefixes_from_pools);
	tcase_add_test(tc, ipv6_prefixes_from_radius);
	tcase_add_test(tc, call_refused);
	tcase_add_test(tc, call_terminated);
	tcase_add_test(tc, stopccn_reaps_calls);
	tcase_add_test(tc, stopccn_bg_closes);
	tcase_add_test(tc, framed_ip_in_use);
	tcase_add_test(tc, rate_limits);
	tcase_add_test(tc, radius_reply_after_call_ended);
	tcase_add_test(tc, rxq_overflow_counted);
	tcase_add_test(tc, many_tunnels_index_and_shutdown);
	tcase_add_test(tc, reload_ipsec_keys);
	tcase_add_test(tc, ipsec_inbound_reqid);
	tcase_add_test(tc, max_starting_busy);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(engine_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
