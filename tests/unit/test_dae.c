// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The DAE listener (lnsd/dae.c) on an engine without sessions: who counts as
 * a client (address or prefix, each with its own secret), what is dropped
 * and counted, which NAK a request gets, the reply cache, the metrics text,
 * and one request through the real UDP socket and the libev loop.
 * Loopback sockets only; no root. Ending real calls is tests/interop/t_dae.sh.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dae.h"
#include "engine_testutil.h"
#include "log.h"
#include "radius_testutil.h"

struct fixture {
	struct tu_engine te;
	struct dae *dae;
	uint16_t dae_port;
};

static struct fixture fx;

/* The engine and the listener on free loopback ports; extra goes into [radius]. */
static void start(const char *extra)
{
	char conf[512], err[CONF_ERR_LEN] = "";

	memset(&fx, 0, sizeof(fx));
	for (int i = 0; i < 20 && !fx.dae; i++) {
		fx.dae_port = tu_free_udp_port();
		snprintf(conf, sizeof(conf),
			 "hostname = lnsA\n[radius]\nserver = 127.0.0.1:18120,unused\n"
			 "dae-listen = 127.0.0.1:%u\ndae-clients = 127.0.0.1,sec\n"
			 "dae-clients = 10.0.0.0/8,other\n%s", fx.dae_port, extra);
		tu_engine_up(&fx.te, &(struct tu_engine_opts){ .conf = conf });
		fx.dae = dae_new(fx.te.loop, fx.te.eng, err, sizeof(err));
		if (!fx.dae)
			tu_engine_down(&fx.te);
	}
	ck_assert_msg(fx.dae != NULL, "no free loopback port for dae-listen: %s", err);
}

static void setup(void)
{
	start("");
}

static void teardown(void)
{
	dae_free(fx.dae);
	tu_engine_down(&fx.te);
}

static struct lns_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct lns_addr x = { .family = 4, .port = 40000, .addr = { a, b, c, d } };

	return x;
}

/* A request (code, id) with these attributes and an Event-Timestamp ts (0: none), signed. */
static size_t request_ts(uint8_t *p, uint8_t code, uint8_t id, const uint8_t *attrs,
			 size_t alen, const char *secret, uint32_t ts)
{
	size_t len = RADIUS_HDR_LEN + alen;

	memset(p, 0, RADIUS_HDR_LEN);
	p[0] = code;
	p[1] = id;
	memcpy(p + RADIUS_HDR_LEN, attrs, alen);
	if (ts) {
		const uint8_t et[] = { RAD_EVENT_TIMESTAMP, 6, (uint8_t)(ts >> 24),
				       (uint8_t)(ts >> 16), (uint8_t)(ts >> 8), (uint8_t)ts };

		memcpy(p + len, et, sizeof(et));
		len += sizeof(et);
	}
	tu_sign(p, len, NULL, secret);
	return len;
}

/* The same, stamped now (dae-require-event-timestamp is on by default). */
static size_t request(uint8_t *p, uint8_t code, uint8_t id, const uint8_t *attrs, size_t alen,
		      const char *secret)
{
	return request_ts(p, code, id, attrs, alen, secret, (uint32_t)time(NULL));
}

/* Run f with stderr going to a buffer: what lnsd logged meanwhile. */
static void logged(void (*f)(void *), void *ctx, char *text, size_t size)
{
	FILE *cap = tmpfile();
	int saved = dup(2);
	size_t got;

	ck_assert_ptr_nonnull(cap);
	ck_assert_int_ge(saved, 0);
	log_init(true, LOG_LVL_NOTICE);
	fflush(stderr);
	ck_assert_int_eq(dup2(fileno(cap), 2), 2);
	f(ctx);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	log_set_level(LOG_LVL_ERR);
	rewind(cap);
	got = fread(text, 1, size - 1, cap);
	fclose(cap);
	text[got] = '\0';
}

static size_t count_str(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* The reply must be signed for req with secret; returns its Error-Cause (0 for none). */
static unsigned check_reply(const uint8_t *rep, size_t len, const uint8_t *req,
			    const char *secret, uint8_t code)
{
	uint8_t copy[DAE_REPLY_MAX];
	size_t ec;

	ck_assert_uint_ge(len, RADIUS_HDR_LEN);
	ck_assert_int_eq(rep[0], code);
	ck_assert_int_eq(rep[1], req[1]);
	memcpy(copy, rep, len);
	tu_sign(copy, len, req + 4, secret);
	ck_assert_mem_eq(copy, rep, len);
	ec = tu_find_attr(rep, len, RAD_ERROR_CAUSE);
	return ec ? (unsigned)rep[ec + 4] << 8 | rep[ec + 5] : 0;
}

static char *metrics_text(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	dae_render_metrics(fx.dae, f);
	fclose(f);
	return buf;
}

static const uint8_t by_calling[] = { 31, 3, 'x' };

START_TEST(clients_and_naks)
{
	static const uint8_t asid[] = { 44, 5, 'a', 'b', 'c' };
	static const uint8_t our_nas[] = { 31, 3, 'x', 32, 6, 'l', 'n', 's', 'A' };
	static const uint8_t other_nas[] = { 31, 3, 'x', 32, 6, 'l', 'n', 's', 'B' };
	struct lns_addr lo = v4(127, 0, 0, 1), ten = v4(10, 1, 2, 3), far = v4(192, 0, 2, 9);
	uint8_t req[256], rep[DAE_REPLY_MAX], rep2[DAE_REPLY_MAX];
	size_t n, r, r2;
	char *m;

	/* not a client: nothing, whatever the secret */
	n = request(req, RADIUS_DISCONNECT_REQUEST, 1, by_calling, sizeof(by_calling), "sec");
	ck_assert_uint_eq(dae_input(fx.dae, &far, req, n, rep), 0);
	/* a client, but the other client's secret: dropped */
	n = request(req, RADIUS_DISCONNECT_REQUEST, 2, by_calling, sizeof(by_calling), "other");
	ck_assert_uint_eq(dae_input(fx.dae, &lo, req, n, rep), 0);
	/* the same request from inside 10.0.0.0/8, where "other" is the secret */
	r = dae_input(fx.dae, &ten, req, n, rep);
	ck_assert_uint_eq(check_reply(rep, r, req, "other", RADIUS_DISCONNECT_NAK),
			  DAE_ERR_SESSION_NOT_FOUND);
	/* no sessions at all: 503; our NAS-Identifier (the hostname) changes nothing */
	n = request(req, RADIUS_DISCONNECT_REQUEST, 3, our_nas, sizeof(our_nas), "sec");
	r = dae_input(fx.dae, &lo, req, n, rep);
	ck_assert_uint_eq(check_reply(rep, r, req, "sec", RADIUS_DISCONNECT_NAK),
			  DAE_ERR_SESSION_NOT_FOUND);
	n = request(req, RADIUS_DISCONNECT_REQUEST, 4, other_nas, sizeof(other_nas), "sec");
	r = dae_input(fx.dae, &lo, req, n, rep);
	ck_assert_uint_eq(check_reply(rep, r, req, "sec", RADIUS_DISCONNECT_NAK),
			  DAE_ERR_NAS_MISMATCH);
	/* an Acct-Session-Id that no session has */
	n = request(req, RADIUS_COA_REQUEST, 5, asid, sizeof(asid), "sec");
	r = dae_input(fx.dae, &lo, req, n, rep);
	ck_assert_uint_eq(check_reply(rep, r, req, "sec", RADIUS_COA_NAK),
			  DAE_ERR_SESSION_NOT_FOUND);
	/* a retransmission: the same bytes back, not a second request */
	r2 = dae_input(fx.dae, &lo, req, n, rep2);
	ck_assert_uint_eq(r2, r);
	ck_assert_mem_eq(rep2, rep, r);
	/* truncated: dropped */
	ck_assert_uint_eq(dae_input(fx.dae, &lo, req, 19, rep), 0);

	m = metrics_text();
	ck_assert_ptr_nonnull(strstr(m, "lnsd_radius_dae_requests_total{type=\"disconnect\",result=\"nak\"} 3\n"));
	ck_assert_ptr_nonnull(strstr(m, "lnsd_radius_dae_requests_total{type=\"disconnect\",result=\"ack\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(m, "lnsd_radius_dae_requests_total{type=\"coa\",result=\"nak\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(m, "lnsd_radius_dae_retransmits_total 1\n"));
	ck_assert_ptr_nonnull(strstr(m, "lnsd_radius_dae_dropped_total{reason=\"unknown-client\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(m, "lnsd_radius_dae_dropped_total{reason=\"bad-authenticator\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(m, "lnsd_radius_dae_dropped_total{reason=\"short\"} 1\n"));
	free(m);
}
END_TEST

struct replay_ctx {
	const uint8_t *req;
	size_t n;
	struct lns_addr from[4];
	unsigned n_from;
	size_t len[4];
	uint8_t rep[4][DAE_REPLY_MAX];
};

static void send_from_each(void *p)
{
	struct replay_ctx *c = p;

	for (unsigned i = 0; i < c->n_from; i++)
		c->len[i] = dae_input(fx.dae, &c->from[i], c->req, c->n, c->rep[i]);
}

/*
 * The same signed request again from other source ports of the client is a
 * replay, not a new request: the reply it got the first time, counted as a
 * retransmission, not acted on again (other addresses: replay_from_other_address).
 */
START_TEST(replay_from_other_port)
{
	static const uint8_t user[] = { 1, 5, 'b', 'o', 'b' };
	struct replay_ctx c = { .n_from = 3 };
	uint8_t req[256];
	char text[4096], *m;
	unsigned i;

	c.n = request(req, RADIUS_DISCONNECT_REQUEST, 21, user, sizeof(user), "other");
	c.req = req;
	c.from[0] = v4(10, 1, 2, 3);
	c.from[1] = v4(10, 1, 2, 3);
	c.from[1].port = 40001;
	c.from[2] = v4(10, 1, 2, 3);
	c.from[2].port = 3799;
	logged(send_from_each, &c, text, sizeof(text));
	for (i = 0; i < c.n_from; i++) {
		ck_assert_uint_eq(check_reply(c.rep[i], c.len[i], req, "other",
					      RADIUS_DISCONNECT_NAK),
				  DAE_ERR_SESSION_NOT_FOUND);
		ck_assert_mem_eq(c.rep[i], c.rep[0], c.len[0]);
	}
	/* looked for the session once, never per port */
	ck_assert_msg(count_str(text, "no such session") == 1, "log: %s", text);
	ck_assert_msg(count_str(text, "seen before") == 2, "log: %s", text);
	m = metrics_text();
	ck_assert_ptr_nonnull(strstr(m, "lnsd_radius_dae_requests_total{type=\"disconnect\",result=\"nak\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(m, "lnsd_radius_dae_retransmits_total 2\n"));
	free(m);
}
END_TEST

/*
 * Event-Timestamp: required by default, so a request without one is dropped
 * (counted, logged); a stale one is dropped whatever the setting. With
 * dae-require-event-timestamp = no the unstamped request is answered.
 */
START_TEST(event_timestamp)
{
	struct lns_addr lo = v4(127, 0, 0, 1);
	uint8_t req[256], rep[DAE_REPLY_MAX];
	uint32_t now = (uint32_t)time(NULL);
	size_t n, r;
	char *m;

	n = request_ts(req, RADIUS_DISCONNECT_REQUEST, 31, by_calling, sizeof(by_calling), "sec",
		       0);
	ck_assert_uint_eq(dae_input(fx.dae, &lo, req, n, rep), 0);
	n = request_ts(req, RADIUS_DISCONNECT_REQUEST, 32, by_calling, sizeof(by_calling), "sec",
		       now - DAE_TIMESTAMP_WINDOW_S - 5);
	ck_assert_uint_eq(dae_input(fx.dae, &lo, req, n, rep), 0);
	n = request_ts(req, RADIUS_DISCONNECT_REQUEST, 33, by_calling, sizeof(by_calling), "sec",
		       now + DAE_TIMESTAMP_WINDOW_S + 5);
	ck_assert_uint_eq(dae_input(fx.dae, &lo, req, n, rep), 0);
	m = metrics_text();
	ck_assert_ptr_nonnull(strstr(m, "lnsd_radius_dae_dropped_total{reason=\"no-event-timestamp\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(m, "lnsd_radius_dae_dropped_total{reason=\"stale\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(m, "lnsd_radius_dae_requests_total{type=\"disconnect\",result=\"nak\"} 0\n"));
	free(m);

	teardown();
	start("dae-require-event-timestamp = no\n");
	n = request_ts(req, RADIUS_DISCONNECT_REQUEST, 31, by_calling, sizeof(by_calling), "sec",
		       0);
	r = dae_input(fx.dae, &lo, req, n, rep);
	ck_assert_uint_eq(check_reply(rep, r, req, "sec", RADIUS_DISCONNECT_NAK),
			  DAE_ERR_SESSION_NOT_FOUND);
	n = request_ts(req, RADIUS_DISCONNECT_REQUEST, 32, by_calling, sizeof(by_calling), "sec",
		       now - DAE_TIMESTAMP_WINDOW_S - 5);
	ck_assert_uint_eq(dae_input(fx.dae, &lo, req, n, rep), 0);
}
END_TEST

/*
 * Once as many requests as the replay cache holds were answered within its
 * lifetime, the next is refused with Error-Cause 506 and not acted on: it
 * could not be remembered, so its replay would act again.
 */
START_TEST(replay_cache_full)
{
	struct lns_addr lo = v4(127, 0, 0, 1);
	uint8_t attrs[8] = { 5, 6 }, req[256], rep[DAE_REPLY_MAX];
	size_t n, r, i;
	char *m;

	for (i = 0; i <= DAE_CACHE_SLOTS; i++) {
		/* NAS-Port i: each a different request */
		attrs[2] = (uint8_t)(i >> 24);
		attrs[3] = (uint8_t)(i >> 16);
		attrs[4] = (uint8_t)(i >> 8);
		attrs[5] = (uint8_t)i;
		n = request(req, RADIUS_DISCONNECT_REQUEST, (uint8_t)i, attrs, 6, "sec");
		r = dae_input(fx.dae, &lo, req, n, rep);
		ck_assert_uint_eq(check_reply(rep, r, req, "sec", RADIUS_DISCONNECT_NAK),
				  i < DAE_CACHE_SLOTS ? DAE_ERR_SESSION_NOT_FOUND
						      : DAE_ERR_RESOURCES_UNAVAILABLE);
	}
	m = metrics_text();
	ck_assert_msg(strstr(m, "lnsd_radius_dae_retransmits_total 0\n") != NULL, "%s", m);
	free(m);
}
END_TEST

/* One request through the socket and the loop: the reply comes back to the sender. */
START_TEST(socket_roundtrip)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(fx.dae_port) };
	uint8_t req[64], rep[DAE_REPLY_MAX];
	struct pollfd pfd;
	ssize_t r = -1;
	size_t n;
	int s, i;

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(s, 0);
	n = request(req, RADIUS_DISCONNECT_REQUEST, 9, by_calling, sizeof(by_calling), "sec");
	ck_assert_int_eq(sendto(s, req, n, 0, (struct sockaddr *)&to, sizeof(to)), (ssize_t)n);
	pfd.fd = s;
	pfd.events = POLLIN;
	for (i = 0; i < 100 && r < 0; i++) {
		ev_run(fx.te.loop, EVRUN_NOWAIT);
		if (poll(&pfd, 1, 20) == 1)
			r = recv(s, rep, sizeof(rep), 0);
	}
	close(s);
	ck_assert_int_gt(r, 0);
	ck_assert_uint_eq(check_reply(rep, (size_t)r, req, "sec", RADIUS_DISCONNECT_NAK),
			  DAE_ERR_SESSION_NOT_FOUND);
}
END_TEST

/*
 * The names a request carries are the client's bytes: the log line that
 * quotes them must not carry a newline (a forged second line) or other
 * control characters.
 */
START_TEST(log_line_is_one_line)
{
	static const uint8_t forged[] = { 1, 18, 'b', 'o', 'b', '\n', 'F', 'O', 'R', 'G', 'E', 'D',
					  ' ', 'l', 'i', 'n', 'e', 0x1b, 44, 5, 'a', '\r', 'c' };
	struct lns_addr lo = v4(127, 0, 0, 1);
	uint8_t req[256], rep[DAE_REPLY_MAX];
	char text[2048] = "";
	FILE *cap = tmpfile();
	int saved = dup(2);
	size_t n, r, got;

	ck_assert_ptr_nonnull(cap);
	ck_assert_int_ge(saved, 0);
	log_init(true, LOG_LVL_NOTICE);
	fflush(stderr);
	ck_assert_int_eq(dup2(fileno(cap), 2), 2);
	n = request(req, RADIUS_DISCONNECT_REQUEST, 7, forged, sizeof(forged), "sec");
	r = dae_input(fx.dae, &lo, req, n, rep);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	log_set_level(LOG_LVL_ERR);
	ck_assert_uint_eq(check_reply(rep, r, req, "sec", RADIUS_DISCONNECT_NAK),
			  DAE_ERR_SESSION_NOT_FOUND);
	rewind(cap);
	got = fread(text, 1, sizeof(text) - 1, cap);
	fclose(cap);
	text[got] = '\0';
	ck_assert_msg(strstr(text, "no such session") != NULL, "log: %s", text);
	ck_assert_msg(strstr(text, "\nFORGED") == NULL, "forged log line: %s", text);
	ck_assert_msg(strchr(text, 0x1b) == NULL && strchr(text, '\r') == NULL,
		      "control characters in the log: %s", text);
	ck_assert_msg(strstr(text, "User-Name=\"bob\\nFORGED line\\x1b\"") != NULL, "log: %s",
		      text);
}
END_TEST

/*
 * A dae-clients prefix lets every address in it sign with its secret, and
 * two entries may share one: the same signed request from another address
 * of the prefix, or from the other entry, is a replay of the first, acted on
 * once (RFC 5176 §6.3), whatever address it claims to come from.
 */
START_TEST(replay_from_other_address)
{
	static const uint8_t user[] = { 1, 5, 'e', 'v', 'e' };
	struct replay_ctx c = { .n_from = 4 };
	uint8_t req[256];
	char text[4096], *m;
	unsigned i;

	teardown();
	start("dae-clients = 192.0.2.0/24,other\n");
	c.n = request(req, RADIUS_DISCONNECT_REQUEST, 22, user, sizeof(user), "other");
	c.req = req;
	c.from[0] = v4(10, 0, 0, 5);
	c.from[1] = v4(10, 0, 0, 6);
	c.from[2] = v4(10, 0, 0, 7);
	c.from[3] = v4(192, 0, 2, 7);
	logged(send_from_each, &c, text, sizeof(text));
	for (i = 0; i < c.n_from; i++) {
		ck_assert_uint_eq(check_reply(c.rep[i], c.len[i], req, "other",
					      RADIUS_DISCONNECT_NAK),
				  DAE_ERR_SESSION_NOT_FOUND);
		ck_assert_mem_eq(c.rep[i], c.rep[0], c.len[0]);
	}
	ck_assert_msg(count_str(text, "no such session") == 1, "log: %s", text);
	ck_assert_msg(count_str(text, "seen before") == 3, "log: %s", text);
	m = metrics_text();
	ck_assert_ptr_nonnull(strstr(m, "lnsd_radius_dae_requests_total{type=\"disconnect\",result=\"nak\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(m, "lnsd_radius_dae_retransmits_total 3\n"));
	free(m);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("dae");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, clients_and_naks);
	tcase_add_test(tc, socket_roundtrip);
	tcase_add_test(tc, log_line_is_one_line);
	tcase_add_test(tc, replay_from_other_port);
	tcase_add_test(tc, event_timestamp);
	tcase_add_test(tc, replay_cache_full);
	tcase_add_test(tc, replay_from_other_address);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
