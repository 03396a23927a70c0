// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The RADIUS client (UDP in worker threads) against a small RADIUS server
 * in a thread of this test: replies reach the loop with the cookie, packing
 * and unpacking keep our attributes (host order, VSAs, the hidden
 * User-Password), every Access-Request carries a valid
 * Message-Authenticator, a server that does not answer fails over to the
 * next one and is counted, accounting gets its response. Replies signed
 * with another secret, without or with a wrong Message-Authenticator, or
 * with another Identifier are dropped and counted, and the request goes on
 * waiting as if they had never come.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <nettle/md5.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine_testutil.h"
#include "log.h"
#include "metrics.h"
#include "radius.h"
#include "radius_testutil.h"

#define SECRET "s3cret,with,commas"

/* How the fake signs its replies. */
enum fake_sign {
	SIGN_OK,                      /* our secret, Message-Authenticator in Access-* replies */
	SIGN_WRONG_SECRET,            /* both made with another secret */
	SIGN_NO_MA,                   /* our secret, no Message-Authenticator */
	SIGN_BAD_MA,                  /* Response Authenticator right, HMAC with another secret */
	SIGN_BAD_ID,                  /* right, but for another Identifier */
	SIGN_FORGED_FIRST,            /* a forged Accept (another secret, another address),
					 then the real reply */
};

struct fake {
	int fd;
	uint16_t port;
	bool answer;                  /* false: a dead server */
	enum fake_sign sign;
	volatile bool stop;
	pthread_t th;
	pthread_mutex_t mu;
	uint8_t last[4096];           /* the last request, User-Password unhidden */
	size_t last_len;
	unsigned n_req;
	unsigned n_req_ma;            /* Access-Requests with a valid Message-Authenticator first */
};

static void md5(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[16])
{
	struct md5_ctx c;

	md5_init(&c);
	md5_update(&c, alen, a);
	md5_update(&c, blen, b);
	md5_digest(&c, 16, out);
}

static size_t put_attr(uint8_t *p, uint8_t type, const void *v, size_t len)
{
	p[0] = type;
	p[1] = (uint8_t)(len + 2);
	memcpy(p + 2, v, len);
	return len + 2;
}

static size_t put_vsa(uint8_t *p, uint8_t type, const void *v, size_t len)
{
	static const uint8_t ms[4] = { 0, 0, 0x01, 0x37 };   /* 311 */

	p[0] = RAD_VENDOR_SPECIFIC;
	p[1] = (uint8_t)(len + 8);
	memcpy(p + 2, ms, 4);
	p[6] = type;
	p[7] = (uint8_t)(len + 2);
	memcpy(p + 8, v, len);
	return len + 8;
}

/* The first attribute of type in a request, or NULL. */
static const uint8_t *find_attr(const uint8_t *pkt, size_t len, uint8_t type, size_t *vlen)
{
	for (size_t off = 20; off + 2 <= len && pkt[off + 1] >= 2; off += pkt[off + 1]) {
		if (pkt[off] == type) {
			*vlen = pkt[off + 1] - 2u;
			return pkt + off + 2;
		}
	}
	return NULL;
}

/* RFC 2865 §5.2: undo the User-Password hiding in place. */
static void unhide(uint8_t *pkt, size_t len)
{
	size_t vlen;
	uint8_t *v = (uint8_t *)find_attr(pkt, len, RAD_USER_PASSWORD, &vlen), b[16];
	uint8_t prev[16];

	if (!v)
		return;
	memcpy(prev, pkt + 4, 16);
	for (size_t i = 0; i + 16 <= vlen; i += 16) {
		uint8_t c[16];

		memcpy(c, v + i, 16);
		md5(SECRET, strlen(SECRET), prev, 16, b);
		for (int k = 0; k < 16; k++)
			v[i + k] ^= b[k];
		memcpy(prev, c, 16);
	}
}

static void answer(struct fake *f, uint8_t *req, size_t len, struct sockaddr_storage *from,
		   socklen_t fl)
{
	static const char success[] = "\x01S=0123456789ABCDEF0123456789ABCDEF01234567";
	static const char err[] = "\x01" "E=691 R=0 C=0011 V=3 M=no";
	uint8_t rep[1024], d[16] = { 0 };
	size_t n = 20, ulen = 0;
	const uint8_t *user = find_attr(req, len, RAD_USER_NAME, &ulen);
	uint32_t ip = htonl(0x0a400063), dns = htonl(0x08080808), v;

	if (req[0] == 4) {   /* Accounting-Request: an empty Accounting-Response */
		rep[0] = 5;
	} else if (user && ulen == 4 && memcmp(user, "good", 4) == 0) {
		rep[0] = 2;
		n += put_attr(rep + n, RAD_FRAMED_IP_ADDRESS, &ip, 4);
		n += put_attr(rep + n, RAD_CLASS, "cls\0x", 5);
		v = htonl(77);
		n += put_attr(rep + n, RAD_ACCT_INTERIM_INTERVAL, &v, 4);
		n += put_attr(rep + n, RAD_FRAMED_ROUTE, "192.0.2.0/24 0.0.0.0 1", 22);
		n += put_vsa(rep + n, RAD_MS_CHAP2_SUCCESS, success, sizeof(success) - 1);
		n += put_vsa(rep + n, RAD_MS_PRIMARY_DNS_SERVER, &dns, 4);
		n += put_attr(rep + n, 99, "unknown to lnsd", 15);
	} else {
		rep[0] = 3;
		n += put_vsa(rep + n, RAD_MS_CHAP_ERROR, err, sizeof(err) - 1);
		n += put_attr(rep + n, RAD_REPLY_MESSAGE, "go away", 7);
	}
	rep[1] = req[1];
	if (rep[0] != 5 && f->sign != SIGN_NO_MA)
		n += put_attr(rep + n, RAD_MESSAGE_AUTHENTICATOR, d, 16);
	if (f->sign == SIGN_FORGED_FIRST) {
		uint8_t forged[1024];
		uint32_t other = htonl(0x0a424242);
		size_t fn = 20;

		memcpy(forged, rep, 20);
		forged[0] = 2;
		fn += put_attr(forged + fn, RAD_FRAMED_IP_ADDRESS, &other, 4);
		fn += put_attr(forged + fn, RAD_MESSAGE_AUTHENTICATOR, d, 16);
		tu_sign(forged, fn, req + 4, "not-" SECRET);
		sendto(f->fd, forged, fn, 0, (struct sockaddr *)from, fl);
	}
	if (f->sign == SIGN_BAD_ID)
		rep[1] ^= 0x80;
	/* Message-Authenticator, then the Response Authenticator over it. */
	tu_sign(rep, n, req + 4,
		f->sign == SIGN_WRONG_SECRET || f->sign == SIGN_BAD_MA ? "not-" SECRET : SECRET);
	if (f->sign == SIGN_BAD_MA) {
		memcpy(rep + 4, req + 4, 16);
		md5(rep, n, SECRET, strlen(SECRET), d);
		memcpy(rep + 4, d, 16);
	}
	sendto(f->fd, rep, n, 0, (struct sockaddr *)from, fl);
}

/* RFC 3579 §3.2: an Access-Request's HMAC over the packet with its zeroed. */
static bool request_ma_ok(const uint8_t *req, size_t len)
{
	size_t ma = tu_find_attr(req, len, RAD_MESSAGE_AUTHENTICATOR);
	uint8_t copy[4096], got[16];

	if (ma != 20)   /* the first attribute */
		return false;
	memcpy(copy, req, len);
	memcpy(got, copy + ma + 2, 16);
	tu_sign(copy, len, req + 4, SECRET);   /* recomputes the HMAC in place */
	return memcmp(copy + ma + 2, got, 16) == 0;
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	uint8_t buf[4096];

	while (!f->stop) {
		struct pollfd p = { .fd = f->fd, .events = POLLIN };
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t n;

		if (poll(&p, 1, 50) <= 0)
			continue;
		n = recvfrom(f->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n < 20)
			continue;
		pthread_mutex_lock(&f->mu);
		f->n_req++;
		if (buf[0] == 1 && request_ma_ok(buf, (size_t)n))
			f->n_req_ma++;
		memcpy(f->last, buf, (size_t)n);
		f->last_len = (size_t)n;
		unhide(f->last, f->last_len);
		pthread_mutex_unlock(&f->mu);
		if (f->answer)
			answer(f, buf, (size_t)n, &from, fl);
	}
	return NULL;
}

static void fake_start(struct fake *f, bool answer_requests)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);

	memset(f, 0, sizeof(*f));
	f->answer = answer_requests;
	pthread_mutex_init(&f->mu, NULL);
	f->fd = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(f->fd, 0);
	ck_assert_int_eq(bind(f->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(f->fd, (struct sockaddr *)&a, &al), 0);
	f->port = ntohs(a.sin_port);
	ck_assert_int_eq(pthread_create(&f->th, NULL, fake_main, f), 0);
}

static void fake_stop(struct fake *f)
{
	f->stop = true;
	pthread_join(f->th, NULL);
	close(f->fd);
	pthread_mutex_destroy(&f->mu);
}

/* [radius] with the fakes' ports (auth and accounting on the same socket), then more keys. */
static struct lnsd_conf *conf_for(struct fake *const *fs, size_t n, const char *more)
{
	char text[1024], err[CONF_ERR_LEN];
	size_t off;
	struct lnsd_conf *c;

	off = (size_t)snprintf(text, sizeof(text), "[radius]\ntimeout = 1\nretries = 0\n%s", more);
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"server = 127.0.0.1:%u:%u,%s\n", fs[i]->port, fs[i]->port,
					SECRET);
	c = conf_load_string(text, "t.conf", err, sizeof(err));
	ck_assert_msg(c != NULL, "%s", err);
	return c;
}

struct got {
	unsigned n;
	uint64_t cookie;
	struct radius_reply rep;
};

static void on_reply(void *ctx, uint64_t cookie, const struct radius_reply *rep)
{
	struct got *g = ctx;

	g->n++;
	g->cookie = cookie;
	g->rep = *rep;
}

static void pump(struct ev_loop *loop, struct got *g, unsigned want)
{
	for (int i = 0; i < 600 && g->n < want; i++) {
		ev_run(loop, EVRUN_NOWAIT);
		usleep(10000);
	}
	ck_assert_uint_eq(g->n, want);
}

static void queue_pap(struct radius *r, uint64_t cookie, const char *user, const char *pw)
{
	struct rad_sess_info si = { 0 };
	struct ppp_auth_req req = { 0 };
	struct rad_avs avs;

	si.user = user;
	si.user_len = strlen(user);
	si.nas_identifier = "lns-t";
	si.calling_number = "";
	si.called_number = "";
	si.peer.family = 4;
	si.local.family = 4;
	si.session_id = "00000001000000AB";
	req.method = PPP_AUTH_PAP;
	req.password = (const uint8_t *)pw;
	req.password_len = strlen(pw);
	rad_avs_init(&avs);
	ck_assert_int_eq(rad_build_auth(&si, &req, &avs), 0);
	ck_assert_int_eq(radius_auth(r, cookie, &avs), 0);
}

START_TEST(accept_reject_and_attributes)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct fake f, *fs[] = { &f };
	struct lnsd_conf *c;
	struct radius *r;
	struct got g = { 0 };
	char err[256];
	const uint8_t *v;
	size_t vlen;

	fake_start(&f, true);
	c = conf_for(fs, 1, "");
	r = radius_new(loop, &c->radius, on_reply, &g, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);

	queue_pap(r, 0x1122334455667788ULL, "good", "pw-of-good");
	pump(loop, &g, 1);
	ck_assert_uint_eq(g.cookie, 0x1122334455667788ULL);
	ck_assert_int_eq(g.rep.verdict, RADIUS_ACCEPT);
	ck_assert_int_eq(g.rep.server, 0);
	ck_assert_uint_eq(g.rep.attrs.framed_ip, 0x0a400063);   /* host order after decoding */
	ck_assert_uint_eq(g.rep.attrs.cls_len, 5);
	ck_assert(memcmp(g.rep.attrs.cls, "cls\0x", 5) == 0);
	ck_assert_uint_eq(g.rep.attrs.interim_interval_s, 77);
	ck_assert_uint_eq(g.rep.attrs.n_routes, 1);
	ck_assert_uint_eq(g.rep.attrs.dns1, 0x08080808);
	ck_assert(g.rep.attrs.has_auth_resp);
	ck_assert_uint_eq(g.rep.attrs.auth_resp[0], 0x01);
	/* What the server got: User-Name, the password behind the secret, our NAS-Identifier. */
	pthread_mutex_lock(&f.mu);
	v = find_attr(f.last, f.last_len, RAD_USER_NAME, &vlen);
	ck_assert(v && vlen == 4 && memcmp(v, "good", 4) == 0);
	v = find_attr(f.last, f.last_len, RAD_USER_PASSWORD, &vlen);
	ck_assert(v && vlen == 16 && memcmp(v, "pw-of-good\0\0\0\0\0\0", 16) == 0);
	v = find_attr(f.last, f.last_len, RAD_NAS_IDENTIFIER, &vlen);
	ck_assert(v && vlen == 5 && memcmp(v, "lns-t", 5) == 0);
	v = find_attr(f.last, f.last_len, RAD_TUNNEL_TYPE, &vlen);
	ck_assert(v && vlen == 4 && v[3] == RAD_TUNNEL_L2TP && v[0] == 0);
	/* No nas-ip-address: the address the request came from. */
	v = find_attr(f.last, f.last_len, RAD_NAS_IP_ADDRESS, &vlen);
	ck_assert(v && vlen == 4 && memcmp(v, "\x7f\0\0\x01", 4) == 0);
	ck_assert_uint_eq(f.n_req_ma, 1);
	pthread_mutex_unlock(&f.mu);

	queue_pap(r, 7, "bad", "x");
	pump(loop, &g, 2);
	ck_assert_uint_eq(g.cookie, 7);
	ck_assert_int_eq(g.rep.verdict, RADIUS_REJECT);
	ck_assert_str_eq(g.rep.attrs.ms_error, "E=691 R=0 C=0011 V=3 M=no");
	ck_assert_str_eq(g.rep.attrs.reply_message, "go away");
	ck_assert_uint_eq(f.n_req_ma, 2);

	{
		const struct radius_stats *st = radius_stats(r);

		ck_assert_uint_eq(st->n_servers, 1);
		ck_assert_uint_eq(st->by_server[0][RADIUS_T_AUTH][RADIUS_R_ACCEPT], 1);
		ck_assert_uint_eq(st->by_server[0][RADIUS_T_AUTH][RADIUS_R_REJECT], 1);
		ck_assert_uint_eq(st->by_server[0][RADIUS_T_AUTH][RADIUS_R_TIMEOUT], 0);
	}
	radius_free(r);
	conf_unref(c);
	fake_stop(&f);
	ev_loop_destroy(loop);
}
END_TEST

/* A dead first server: one timeout counted, the second answers, then the dead one is skipped. */
START_TEST(failover_and_accounting)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct fake dead, live, *fs[] = { &dead, &live };
	struct rad_sess_info si = { 0 };
	struct rad_acct_info ai = { .status = RAD_ACCT_STOP, .in_octets = 1ULL << 33 };
	struct lnsd_conf *c;
	struct radius *r;
	struct got g = { 0 };
	struct rad_avs avs;
	const struct radius_stats *st;
	char err[256];
	const uint8_t *v;
	size_t vlen;

	fake_start(&dead, false);
	fake_start(&live, true);
	c = conf_for(fs, 2, "nas-ip-address = 2001:db8::7\n");
	r = radius_new(loop, &c->radius, on_reply, &g, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	queue_pap(r, 1, "good", "pw");
	pump(loop, &g, 1);
	ck_assert_int_eq(g.rep.verdict, RADIUS_ACCEPT);
	ck_assert_int_eq(g.rep.server, 1);
	queue_pap(r, 2, "good", "pw");
	pump(loop, &g, 2);
	ck_assert_int_eq(g.rep.server, 1);
	st = radius_stats(r);
	ck_assert_uint_eq(st->by_server[0][RADIUS_T_AUTH][RADIUS_R_TIMEOUT], 1);
	ck_assert_uint_eq(st->by_server[1][RADIUS_T_AUTH][RADIUS_R_ACCEPT], 2);
	ck_assert_uint_eq(dead.n_req, 1);   /* marked dead: not asked the second time */
	v = find_attr(live.last, live.last_len, RAD_NAS_IPV6_ADDRESS, &vlen);
	ck_assert(v && vlen == 16 && memcmp(v, "\x20\x01\x0d\xb8", 4) == 0 && v[15] == 7);
	ck_assert_ptr_null(find_attr(live.last, live.last_len, RAD_NAS_IP_ADDRESS, &vlen));

	si.user = "good";
	si.user_len = 4;
	si.calling_number = "";
	si.called_number = "";
	si.peer.family = 4;
	si.local.family = 4;
	si.session_id = "00000001000000AB";
	rad_avs_init(&avs);
	rad_build_acct(&si, &ai, &avs);
	ck_assert_int_eq(radius_acct(r, &avs), 0);
	for (int i = 0; i < 300; i++) {
		st = radius_stats(r);
		if (st->by_server[1][RADIUS_T_ACCT][RADIUS_R_RESPONSE])
			break;
		usleep(10000);
	}
	ck_assert_uint_eq(st->by_server[1][RADIUS_T_ACCT][RADIUS_R_RESPONSE], 1);
	ck_assert_uint_eq(st->acct_failed, 0);
	pthread_mutex_lock(&live.mu);
	ck_assert_uint_eq(live.last[0], 4);
	v = find_attr(live.last, live.last_len, RAD_ACCT_INPUT_GIGAWORDS, &vlen);
	ck_assert(v && vlen == 4 && v[3] == 2);
	pthread_mutex_unlock(&live.mu);
	radius_free(r);
	conf_unref(c);
	fake_stop(&dead);
	fake_stop(&live);
	ev_loop_destroy(loop);
}
END_TEST

/* Requests still queued or out when the client goes: no reply, no crash, nothing leaks. */
START_TEST(free_with_requests_outstanding)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct fake dead, *fs[] = { &dead };
	struct lnsd_conf *c;
	struct radius *r;
	struct got g = { 0 };
	char err[256];

	fake_start(&dead, false);
	c = conf_for(fs, 1, "");
	r = radius_new(loop, &c->radius, on_reply, &g, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	for (uint64_t i = 0; i < 10; i++)
		queue_pap(r, i, "good", "pw");
	usleep(100000);
	radius_free(r);
	ck_assert_uint_eq(g.n, 0);
	conf_unref(c);
	fake_stop(&dead);
	ev_loop_destroy(loop);
}
END_TEST

/* Replies lnsd must not believe, one way of getting them wrong each. */
static const struct drop_case {
	const char *name;
	enum fake_sign sign;
	bool require;                 /* require-message-authenticator */
	enum radius_verdict verdict;
	enum rad_reply_check drop;    /* counted once; RAD_REPLY_OK: nothing dropped */
} drop_cases[] = {
	{ "another secret", SIGN_WRONG_SECRET, true, RADIUS_FAILED, RAD_REPLY_BAD_AUTHENTICATOR },
	{ "another secret, M-A not required", SIGN_WRONG_SECRET, false, RADIUS_FAILED,
	  RAD_REPLY_BAD_AUTHENTICATOR },
	{ "no M-A", SIGN_NO_MA, true, RADIUS_FAILED, RAD_REPLY_NO_MSG_AUTH },
	{ "no M-A, not required", SIGN_NO_MA, false, RADIUS_ACCEPT, RAD_REPLY_OK },
	{ "wrong M-A", SIGN_BAD_MA, true, RADIUS_FAILED, RAD_REPLY_BAD_MSG_AUTH },
	{ "wrong M-A, not required", SIGN_BAD_MA, false, RADIUS_FAILED, RAD_REPLY_BAD_MSG_AUTH },
	{ "another Identifier", SIGN_BAD_ID, true, RADIUS_FAILED, RAD_REPLY_BAD_ID },
	{ "a forged Accept before the real one", SIGN_FORGED_FIRST, true, RADIUS_ACCEPT,
	  RAD_REPLY_BAD_AUTHENTICATOR },
};

/*
 * The dropped reply is as good as none: the request times out (or the
 * real reply that follows is taken), the drop is counted by reason.
 */
START_TEST(dropped_replies)
{
	const struct drop_case *dc = &drop_cases[_i];
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct fake f, *fs[] = { &f };
	const struct radius_stats *st;
	struct lnsd_conf *c;
	struct radius *r;
	struct got g = { 0 };
	char err[256];

	fake_start(&f, true);
	f.sign = dc->sign;
	c = conf_for(fs, 1, dc->require ? "" : "require-message-authenticator = no\n");
	r = radius_new(loop, &c->radius, on_reply, &g, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	queue_pap(r, 5, "good", "pw");
	pump(loop, &g, 1);
	ck_assert_msg(g.rep.verdict == dc->verdict, "%s: verdict %d, want %d", dc->name,
		      g.rep.verdict, dc->verdict);
	if (dc->verdict == RADIUS_ACCEPT)   /* the real address, never the forged one */
		ck_assert_uint_eq(g.rep.attrs.framed_ip, 0x0a400063);
	st = radius_stats(r);
	for (int k = RAD_REPLY_OK + 1; k < RAD_REPLY_CHECK_COUNT; k++)
		ck_assert_msg(st->dropped[0][k] == (k == (int)dc->drop),
			      "%s: %s counted %llu times", dc->name,
			      rad_reply_check_str((enum rad_reply_check)k),
			      (unsigned long long)st->dropped[0][k]);
	ck_assert_uint_eq(st->by_server[0][RADIUS_T_AUTH][RADIUS_R_TIMEOUT],
			  dc->verdict == RADIUS_FAILED);
	ck_assert_uint_eq(st->auth_failed, dc->verdict == RADIUS_FAILED);
	ck_assert_uint_eq(f.n_req, 1);
	ck_assert_uint_eq(f.n_req_ma, 1);
	radius_free(r);
	conf_unref(c);
	fake_stop(&f);
	ev_loop_destroy(loop);
}
END_TEST

/* An Accounting-Response signed with another secret: dropped, the record counts as lost. */
START_TEST(accounting_reply_checked)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct fake f, *fs[] = { &f };
	struct rad_sess_info si = { .user = "good", .user_len = 4, .calling_number = "",
				    .called_number = "", .session_id = "00000001000000AB" };
	struct rad_acct_info ai = { .status = RAD_ACCT_START };
	const struct radius_stats *st;
	struct lnsd_conf *c;
	struct radius *r;
	struct got g = { 0 };
	struct rad_avs avs;
	char err[256];

	si.peer.family = 4;
	si.local.family = 4;
	fake_start(&f, true);
	f.sign = SIGN_WRONG_SECRET;
	c = conf_for(fs, 1, "");
	r = radius_new(loop, &c->radius, on_reply, &g, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	rad_avs_init(&avs);
	rad_build_acct(&si, &ai, &avs);
	ck_assert_int_eq(radius_acct(r, &avs), 0);
	for (int i = 0; i < 300 && !radius_stats(r)->acct_failed; i++)
		usleep(10000);
	st = radius_stats(r);
	ck_assert_uint_eq(st->acct_failed, 1);
	ck_assert_uint_eq(st->dropped[0][RAD_REPLY_BAD_AUTHENTICATOR], 1);
	ck_assert_uint_eq(st->by_server[0][RADIUS_T_ACCT][RADIUS_R_RESPONSE], 0);
	ck_assert_uint_eq(st->by_server[0][RADIUS_T_ACCT][RADIUS_R_TIMEOUT], 1);
	ck_assert_uint_eq(f.last[0], 4);
	radius_free(r);
	conf_unref(c);
	fake_stop(&f);
	ev_loop_destroy(loop);
}
END_TEST

/*
 * /metrics through an engine with [radius]: the series exist from the start,
 * and a reply that names no session (the engine's view of a late reply) is
 * dropped but counted.
 */
START_TEST(engine_metrics)
{
	struct tu_engine te;
	struct fake f;
	char text[512], want[256], *buf = NULL;
	size_t len = 0;
	FILE *mf;

	fake_start(&f, true);
	snprintf(text, sizeof(text), "[radius]\nserver = 127.0.0.1:%u:%u,%s\ntimeout = 1\n", f.port,
		 f.port, SECRET);
	tu_engine_up(&te, &(struct tu_engine_opts){ .conf = text });
	ck_assert_ptr_nonnull(engine_radius(te.eng));
	queue_pap(engine_radius(te.eng), 0x0001000200000003ULL, "good", "pw");
	for (int i = 0; i < 300 && !f.n_req; i++)
		usleep(10000);
	tu_idle(&te, 1000);   /* the reply reaches the loop and is dropped */
	mf = open_memstream(&buf, &len);
	metrics_render(te.eng, 1700000000.0, mf);
	fclose(mf);
	snprintf(want, sizeof(want),
		 "\nlnsd_radius_requests_total{server=\"127.0.0.1:%u\",type=\"auth\",result=\"accept\"} 1\n",
		 f.port);
	ck_assert_msg(strstr(buf, want) != NULL, "%s", buf);
	snprintf(want, sizeof(want),
		 "\nlnsd_radius_requests_total{server=\"127.0.0.1:%u\",type=\"acct\",result=\"timeout\"} 0\n",
		 f.port);
	ck_assert_msg(strstr(buf, want) != NULL, "%s", buf);
	ck_assert_ptr_nonnull(strstr(buf, "\nlnsd_radius_failed_total{type=\"acct\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nlnsd_radius_queued_requests 0\n"));
	snprintf(want, sizeof(want),
		 "\nlnsd_radius_dropped_replies_total{server=\"127.0.0.1:%u\",reason=\"bad-authenticator\"} 0\n",
		 f.port);
	ck_assert_msg(strstr(buf, want) != NULL, "%s", buf);
	free(buf);
	tu_engine_down(&te);
	fake_stop(&f);
}
END_TEST

/*
 * What each server did with a request goes to the log rate-limited: 40
 * requests that no server can be sent (a User-Password over 128 bytes, put
 * in by hand: rad_build_auth refuses it) at two servers make 80 per-server
 * notes in well under a second, and at most a burst of them (or two, across
 * a second boundary) is logged.
 */
START_TEST(server_notes_rate_limited)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct fake a, b, *fs[] = { &a, &b };
	struct lnsd_conf *c;
	struct radius *r;
	struct got g = { 0 };
	char err[256], text[16384];
	uint8_t pw[200];
	FILE *cap = tmpfile();
	int saved = dup(2);
	size_t got, lines = 0;

	fake_start(&a, true);
	fake_start(&b, true);
	c = conf_for(fs, 2, "");
	r = radius_new(loop, &c->radius, on_reply, &g, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	memset(pw, 'p', sizeof(pw));
	ck_assert_ptr_nonnull(cap);
	log_set_level(LOG_LVL_NOTICE);
	fflush(stderr);
	ck_assert_int_eq(dup2(fileno(cap), 2), 2);
	for (uint64_t i = 0; i < 40; i++) {
		struct rad_avs avs;

		rad_avs_init(&avs);
		rad_add_str(&avs, 0, RAD_USER_NAME, "good");
		rad_add_bytes(&avs, 0, RAD_USER_PASSWORD, RAD_K_STR, pw, sizeof(pw));
		ck_assert_int_eq(radius_auth(r, i, &avs), 0);
		rad_avs_free(&avs);
	}
	pump(loop, &g, 40);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	log_set_level(LOG_LVL_ERR);
	rewind(cap);
	got = fread(text, 1, sizeof(text) - 1, cap);
	fclose(cap);
	text[got] = '\0';
	ck_assert_int_eq(g.rep.verdict, RADIUS_FAILED);
	for (const char *p = strstr(text, "radius: authentication server"); p;
	     p = strstr(p + 1, "radius: authentication server"))
		lines++;
	ck_assert_msg(lines >= 1 && lines <= 2 * LOG_RATELIMIT_BURST, "%zu lines: %.300s", lines,
		      text);
	ck_assert_uint_eq(a.n_req + b.n_req, 0);
	radius_free(r);
	conf_unref(c);
	fake_stop(&a);
	fake_stop(&b);
	ev_loop_destroy(loop);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("radius");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int nf;

	log_init(true, LOG_LVL_ERR);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, accept_reject_and_attributes);
	tcase_add_test(tc, failover_and_accounting);
	tcase_add_test(tc, free_with_requests_outstanding);
	tcase_add_loop_test(tc, dropped_replies, 0, sizeof(drop_cases) / sizeof(drop_cases[0]));
	tcase_add_test(tc, accounting_reply_checked);
	tcase_add_test(tc, engine_metrics);
	tcase_add_test(tc, server_notes_rate_limited);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
