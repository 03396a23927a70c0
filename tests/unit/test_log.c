// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Log lines and outside text: LOG_STR/LOG_STRN quote and escape a name so
 * that one event is one line, the guard in log_msg() keeps a forgotten call
 * site to one line too, and the engine's own lines about a peer (an SCCRQ's
 * Host Name, an ICRQ's Calling and Called Number, sent over loopback to a
 * real engine) carry the escaped form and nothing else. stderr is captured.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine_testutil.h"
#include "l2tp_lns.h"
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

/*
 * An SCCRQ whose Host Name forges a line, then SCCCN and an ICRQ whose
 * Calling and Called Number do: lnsd's lines about the tunnel and the call
 * carry the names escaped, each event on one line.
 */
START_TEST(engine_lines_about_a_peer)
{
	static struct tu_lac l;
	struct tu_engine fx;
	struct l2tp_sess *sess;
	uint16_t lns_sid;
	char *text;

	tu_engine_up(&fx, &(struct tu_engine_opts){ .log_level = LOG_LVL_INFO });
	tu_lac_open(&l, &fx, 77);
	capture_start();
	tu_lac_begin(&l, 0, L2TP_MSG_SCCRQ);
	l2tp_mb_protocol_version(&l.mb);
	l2tp_mb_str(&l.mb, true, L2TP_AVP_HOST_NAME, HOSTILE);
	l2tp_mb_u32(&l.mb, true, L2TP_AVP_FRAMING_CAPS, 3);
	l2tp_mb_u16(&l.mb, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, 77);
	l2tp_mb_str(&l.mb, false, L2TP_AVP_VENDOR_NAME, "vendor\n\x1b]0;title\a");
	tu_lac_send(&l);
	tu_lac_expect(&l, L2TP_MSG_SCCRP);
	l.lns_tid = (uint16_t)l.msg.assigned_tunnel_id;
	tu_lac_begin(&l, 0, L2TP_MSG_SCCCN);
	tu_lac_send(&l);
	tu_lac_begin(&l, 0, L2TP_MSG_ICRQ);
	l2tp_mb_u16(&l.mb, true, L2TP_AVP_ASSIGNED_SESSION_ID, 5);
	l2tp_mb_u32(&l.mb, true, L2TP_AVP_CALL_SERIAL, 9);
	l2tp_mb_str(&l.mb, true, L2TP_AVP_CALLING_NUMBER, HOSTILE);
	l2tp_mb_str(&l.mb, true, L2TP_AVP_CALLED_NUMBER, "5551234\r\n");
	tu_lac_send(&l);
	tu_lac_expect(&l, L2TP_MSG_ICRP);
	lns_sid = (uint16_t)l.msg.assigned_session_id;
	tu_lac_iccn(&l, lns_sid);
	sess = l2tp_lns_session(engine_lns(fx.eng), l.lns_tid, lns_sid);
	ck_assert_ptr_nonnull(sess);
	ck_assert_int_eq(sess->state, L2TP_SESS_ESTABLISHED);
	text = capture_end();
	assert_clean(text);
	assert_not_forged(text);
	ck_assert_msg(strstr(text, "new control connection from host " HOSTILE_ESC " (peer") !=
		      NULL, "log: %s", text);
	ck_assert_msg(strstr(text, "(calling " HOSTILE_ESC ", called \"5551234\\r\\n\", serial 9)") !=
		      NULL, "log: %s", text);
	free(text);
	tu_lac_close(&l);
	tu_engine_down(&fx);
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
