// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Log lines and outside text: LOG_STR/LOG_STRN quote and escape a name so
 * that one event is one line, the guard in log_msg() keeps a forgotten call
 * site to one line too, and the engine's own lines about a peer (an SCCRQ's
 * Host Name, an ICRQ's Calling and Called Number, sent over loopback to a
 * real engine) carry the escaped form and nothing else. stderr is captured.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf.h"
#include "engine.h"
#include "l2tp_lns.h"
#include "l2tp_msg.h"
#include "log.h"

/* A newline, a forged line in lnsd's own format, quotes, a backslash and a terminal escape. */
#define HOSTILE "evil\n12:00:00.000 notice: FORGED \"x\" \\ \x1b[2J"
#define HOSTILE_ESC "\"evil\\n12:00:00.000 notice: FORGED \\\"x\\\" \\\\ \\x1b[2J\""

static FILE *cap;
static int saved_fd = -1;

static void capture_start(void)
{
	cap = tmpfile();
	ck_assert_ptr_nonnull(cap);
	fflush(stderr);
	saved_fd = dup(2);
	ck_assert_int_ge(saved_fd, 0);
	ck_assert_int_eq(dup2(fileno(cap), 2), 2);
}

/* What was logged since capture_start(), in a malloc'd string. */
static char *capture_end(void)
{
	char *text;
	long n;

	fflush(stderr);
	dup2(saved_fd, 2);
	close(saved_fd);
	n = ftell(cap);
	ck_assert_int_ge(n, 0);
	text = calloc(1, (size_t)n + 1);
	rewind(cap);
	ck_assert_uint_eq(fread(text, 1, (size_t)n, cap), (size_t)n);
	fclose(cap);
	return text;
}

static size_t lines(const char *text)
{
	size_t n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/* Nothing but printable ASCII and the line ends. */
static void assert_clean(const char *text)
{
	for (const char *p = text; *p; p++)
		ck_assert_msg(*p == '\n' || (*p >= 0x20 && *p < 0x7f),
			      "byte 0x%02x at %zu in the log: %s", (unsigned char)*p,
			      (size_t)(p - text), text);
}

/* A line starting with the forged text means the forgery worked. */
static void assert_not_forged(const char *text)
{
	ck_assert_msg(strstr(text, "\n12:00:00.000 notice: FORGED") == NULL &&
		      strncmp(text, "12:00:00.000 notice: FORGED", 27) != 0,
		      "forged log line: %s", text);
}

START_TEST(log_str_is_one_quoted_line)
{
	char *text;

	log_init(true, LOG_LVL_INFO);
	capture_start();
	log_notice("tunnel 1/2 192.0.2.9:1701: new control connection from host %s",
		   LOG_STR(HOSTILE));
	text = capture_end();
	ck_assert_uint_eq(lines(text), 1);
	assert_clean(text);
	assert_not_forged(text);
	ck_assert_msg(strstr(text, "from host " HOSTILE_ESC "\n") != NULL, "log: %s", text);
	free(text);
}
END_TEST

/* Counted bytes: a NUL among them shows, nothing after it is lost. */
START_TEST(log_strn_counted)
{
	char *text;

	log_init(true, LOG_LVL_INFO);
	capture_start();
	log_info("user %s", LOG_STRN("alice\0\x1b", 7));
	text = capture_end();
	ck_assert_msg(strstr(text, "user \"alice\\x00\\x1b\"\n") != NULL, "log: %s", text);
	free(text);
}
END_TEST

/*
 * Longer than LOG_STR_MAX: cut between escapes, the cut shown after the
 * quote; the first LOG_STR_MAX bytes are always there, even when each one
 * takes four characters.
 */
START_TEST(log_str_cut_visibly)
{
	char name[LOG_STR_MAX + 40], *text, *q;
	size_t n = 0;

	memset(name, 0x1b, sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	log_init(true, LOG_LVL_INFO);
	capture_start();
	log_info("host %s end", LOG_STR(name));
	text = capture_end();
	ck_assert_uint_eq(lines(text), 1);
	q = strstr(text, "host \"");
	ck_assert_ptr_nonnull(q);
	for (q += 6; strncmp(q, "\\x1b", 4) == 0; q += 4)
		n++;
	ck_assert_msg(strcmp(q, "\"... end\n") == 0, "an escape was split or the cut not shown: %s",
		      text);
	ck_assert_uint_ge(n, LOG_STR_MAX);
	ck_assert_uint_lt(n, sizeof(name) - 1);
	free(text);
}
END_TEST

/* The guard: a call site that passed outside text unquoted still makes one clean line. */
START_TEST(guard_keeps_one_line)
{
	char *text;

	log_init(true, LOG_LVL_INFO);
	capture_start();
	log_notice("forgotten %s", HOSTILE "\r\xff");
	log_ratelimited(1000, "test guard", "rate limited %s", HOSTILE);
	text = capture_end();
	ck_assert_uint_eq(lines(text), 2);
	assert_clean(text);
	assert_not_forged(text);
	ck_assert_msg(strstr(text, "forgotten evil\\n12:00:00.000 notice: FORGED \"x\" \\ "
				   "\\x1b[2J\\r\\xff\n") != NULL, "log: %s", text);
	ck_assert_msg(strstr(text, "rate limited evil\\n12:00:00.000") != NULL, "log: %s", text);
	free(text);
}
END_TEST

/* ---- the engine's lines about a peer -------------------------------------- */

struct fixture {
	struct ev_loop *loop;
	struct lnsd_conf *conf;
	struct engine *eng;
	uint16_t port;
};

static void fixture_up(struct fixture *fx)
{
	char text[256], err[CONF_ERR_LEN];

	memset(fx, 0, sizeof(*fx));
	fx->loop = ev_loop_new(EVFLAG_AUTO);
	ck_assert_ptr_nonnull(fx->loop);
	for (int i = 0; i < 50 && !fx->eng; i++) {
		fx->port = (uint16_t)(20000 + (getpid() * 11 + i * 137) % 30000);
		snprintf(text, sizeof(text),
			 "[lnsd]\nlisten = 127.0.0.1:%u\ndataplane = none\nlog-level = info\n",
			 fx->port);
		fx->conf = conf_load_string(text, "t.conf", err, sizeof(err));
		ck_assert_msg(fx->conf != NULL, "%s", err);
		fx->eng = engine_new(fx->loop, fx->conf, NULL, err, sizeof(err));
		if (!fx->eng)
			conf_unref(fx->conf);
	}
	ck_assert_msg(fx->eng != NULL, "no free loopback port for the engine");
}

static void fixture_down(struct fixture *fx)
{
	engine_free(fx->eng);
	conf_unref(fx->conf);
	ev_loop_destroy(fx->loop);
}

/* Run the loop until fd has a datagram; it into m (decoded); its source in from. */
static void receive(struct fixture *fx, int fd, struct l2tp_msg *m, struct sockaddr_in *from)
{
	uint8_t buf[2048];
	socklen_t fl = sizeof(*from);
	ssize_t n;

	for (int i = 0; i < 500; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		ev_run(fx->loop, EVRUN_NOWAIT);
		if (poll(&p, 1, 10) > 0)
			break;
	}
	n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)from, &fl);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(l2tp_msg_decode(buf, (size_t)n, NULL, 0, m), L2TP_DEC_OK);
}

static void send_msg(int fd, struct l2tp_mbuf *b, uint16_t ns, uint16_t nr,
		     const struct sockaddr_in *to)
{
	ck_assert(!b->overflow);
	b->data[8] = (uint8_t)(ns >> 8);
	b->data[9] = (uint8_t)ns;
	b->data[10] = (uint8_t)(nr >> 8);
	b->data[11] = (uint8_t)nr;
	ck_assert_int_eq(sendto(fd, b->data, b->len, 0, (const struct sockaddr *)to, sizeof(*to)),
			 (ssize_t)b->len);
}

/*
 * An SCCRQ whose Host Name forges a line, then SCCCN and an ICRQ whose
 * Calling and Called Number do: lnsd's lines about the tunnel and the call
 * carry the names escaped, each event on one line.
 */
START_TEST(engine_lines_about_a_peer)
{
	static struct l2tp_msg m;
	struct fixture fx;
	struct sockaddr_in to = { .sin_family = AF_INET }, from;
	struct l2tp_mbuf b;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct l2tp_sess *sess;
	uint16_t tid;
	char *text;

	log_init(true, LOG_LVL_INFO);
	fixture_up(&fx);
	to.sin_port = htons(fx.port);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	capture_start();
	l2tp_mb_begin(&b, 0, 0, L2TP_MSG_SCCRQ);
	l2tp_mb_protocol_version(&b);
	l2tp_mb_str(&b, true, L2TP_AVP_HOST_NAME, HOSTILE);
	l2tp_mb_u32(&b, true, L2TP_AVP_FRAMING_CAPS, 3);
	l2tp_mb_u16(&b, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, 77);
	l2tp_mb_str(&b, false, L2TP_AVP_VENDOR_NAME, "vendor\n\x1b]0;title\a");
	send_msg(fd, &b, 0, 0, &to);
	receive(&fx, fd, &m, &from);
	ck_assert_uint_eq(m.type, L2TP_MSG_SCCRP);
	tid = m.assigned_tunnel_id;
	l2tp_mb_begin(&b, tid, 0, L2TP_MSG_SCCCN);
	send_msg(fd, &b, 1, 1, &from);
	l2tp_mb_begin(&b, tid, 0, L2TP_MSG_ICRQ);
	l2tp_mb_u16(&b, true, L2TP_AVP_ASSIGNED_SESSION_ID, 5);
	l2tp_mb_u32(&b, true, L2TP_AVP_CALL_SERIAL, 9);
	l2tp_mb_str(&b, true, L2TP_AVP_CALLING_NUMBER, HOSTILE);
	l2tp_mb_str(&b, true, L2TP_AVP_CALLED_NUMBER, "5551234\r\n");
	send_msg(fd, &b, 2, 1, &from);
	do
		receive(&fx, fd, &m, &from);
	while (m.type == L2TP_MSG_ZLB);
	ck_assert_uint_eq(m.type, L2TP_MSG_ICRP);
	l2tp_mb_begin(&b, tid, m.assigned_session_id, L2TP_MSG_ICCN);
	l2tp_mb_u32(&b, true, L2TP_AVP_TX_CONNECT_SPEED, 1000000);
	l2tp_mb_u32(&b, true, L2TP_AVP_FRAMING_TYPE, 1);
	send_msg(fd, &b, 3, 2, &from);
	sess = l2tp_lns_session(engine_lns(fx.eng), tid, m.assigned_session_id);
	ck_assert_ptr_nonnull(sess);
	for (int i = 0; i < 500 && sess->state != L2TP_SESS_ESTABLISHED; i++) {
		ev_run(fx.loop, EVRUN_NOWAIT);
		usleep(10000);
	}
	ck_assert_int_eq(sess->state, L2TP_SESS_ESTABLISHED);
	text = capture_end();
	assert_clean(text);
	assert_not_forged(text);
	ck_assert_msg(strstr(text, "new control connection from host " HOSTILE_ESC " (peer") !=
		      NULL, "log: %s", text);
	ck_assert_msg(strstr(text, "(calling " HOSTILE_ESC ", called \"5551234\\r\\n\", serial 9)") !=
		      NULL, "log: %s", text);
	free(text);
	close(fd);
	fixture_down(&fx);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, log_str_is_one_quoted_line);
	tcase_add_test(tc, log_strn_counted);
	tcase_add_test(tc, log_str_cut_visibly);
	tcase_add_test(tc, guard_keeps_one_line);
	tcase_add_test(tc, engine_lines_about_a_peer);
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
