// SPDX-License-Identifier: GPL-2.0-or-later
/* The engine on a free loopback port, its loop, and a LAC, for the unit tests. */
#include "engine_testutil.h"

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

#include "l2tp_lns.h"

#define TU_PORT_TRIES 20

uint16_t tu_free_udp_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	close(fd);
	return ntohs(a.sin_port);
}

static void write_users(struct tu_engine *te, const char *text)
{
	size_t len = strlen(text);
	int fd;

	snprintf(te->users, sizeof(te->users), "/tmp/lnsd-test-users.XXXXXX");
	fd = mkstemp(te->users);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
}

/* The configuration text for a listener on te->port; false if it did not fit. */
static bool conf_text(char *buf, size_t size, const struct tu_engine *te,
		      const struct tu_engine_opts *o, enum log_level lvl)
{
	int n;

	n = snprintf(buf, size,
		     "[lnsd]\nlisten = 127.0.0.1:%u\ndataplane = none\nlog-level = %s\n%s%s"
		     "%s%s%s%s", te->port, log_level_str(lvl), o->conf ? o->conf : "",
		     o->ppp || o->users ? "[ppp]\n" : "", o->users ? "users-file = " : "",
		     o->users ? te->users : "", o->users ? "\n" : "", o->ppp ? o->ppp : "");
	return n >= 0 && (size_t)n < size;
}

void tu_engine_up(struct tu_engine *te, const struct tu_engine_opts *o)
{
	static const struct tu_engine_opts defaults;
	char text[2048], err[CONF_ERR_LEN] = "";
	enum log_level lvl;

	if (!o)
		o = &defaults;
	lvl = o->log_level ? o->log_level : LOG_LVL_ERR;
	memset(te, 0, sizeof(*te));
	te->watch_fd = -1;
	log_init(true, getenv("LNSD_TEST_LOG") ? LOG_LVL_DEBUG : lvl);
	if (o->users)
		write_users(te, o->users);
	te->loop = ev_loop_new(EVFLAG_AUTO);
	ck_assert_ptr_nonnull(te->loop);
	/* The kernel's choice of a free port, taken again by the listener (retried if lost). */
	for (int i = 0; i < TU_PORT_TRIES && !te->eng; i++) {
		te->port = tu_free_udp_port();
		ck_assert_msg(conf_text(text, sizeof(text), te, o, lvl), "configuration too long");
		te->conf = conf_load_string(text, "t.conf", err, sizeof(err));
		ck_assert_msg(te->conf != NULL, "%s", err);
		te->eng = engine_new(te->loop, te->conf, NULL, err, sizeof(err));
		if (!te->eng)
			conf_unref(te->conf);
	}
	ck_assert_msg(te->eng != NULL, "no free loopback port for the engine: %s", err);
	if (o->ppp_dp) {
		te->dp = dp_null_new(true);
		ck_assert_ptr_nonnull(te->dp);
		ck_assert_msg(engine_set_dataplane(te->eng, te->dp, err, sizeof(err)) == 0, "%s",
			      err);
	}
}

void tu_engine_down(struct tu_engine *te)
{
	engine_free(te->eng);   /* frees the data plane too */
	conf_unref(te->conf);
	ev_loop_destroy(te->loop);
	if (te->users[0])
		unlink(te->users);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ms on the clock, not counted in steps: a busy machine does not stretch a wait. */
int tu_pump(struct tu_engine *te, const int *fds, int n, int ms)
{
	struct pollfd p[5];
	int64_t end = now_ms() + ms;

	ck_assert_int_le(n, 4);
	while (now_ms() < end) {
		ev_run(te->loop, EVRUN_NOWAIT);
		for (int i = 0; i < n; i++)
			p[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
		p[n] = (struct pollfd){ .fd = te->watch_fd, .events = POLLIN };
		if (poll(p, (nfds_t)n + 1, 5) <= 0)
			continue;
		if (p[n].revents)
			te->on_watch(te->watch_ctx);
		for (int i = 0; i < n; i++)
			if (p[i].revents)
				return i;
	}
	return -1;
}

void tu_idle(struct tu_engine *te, int ms)
{
	tu_pump(te, NULL, 0, ms);
}

bool tu_readable(struct tu_engine *te, int fd, int ms)
{
	return tu_pump(te, &fd, 1, ms) == 0;
}

/* ---- the LAC ------------------------------------------------------------- */

void tu_lac_open(struct tu_lac *l, struct tu_engine *te, uint16_t tid)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	memset(l, 0, sizeof(*l));
	l->te = te;
	l->tid = tid;
	l->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(l->fd, 0);
	ck_assert_int_eq(bind(l->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	a.sin_port = htons(te->port);
	ck_assert_int_eq(connect(l->fd, (struct sockaddr *)&a, sizeof(a)), 0);
}

void tu_lac_close(struct tu_lac *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

void tu_lac_begin(struct tu_lac *l, uint16_t sid, uint16_t type)
{
	l2tp_mb_begin(&l->mb, type == L2TP_MSG_SCCRQ ? 0 : l->lns_tid, sid, type);
}

void tu_lac_send(struct tu_lac *l)
{
	uint8_t *h = l->mb.data;

	ck_assert(!l->mb.overflow);
	h[8] = (uint8_t)(l->ns >> 8);
	h[9] = (uint8_t)l->ns;
	h[10] = (uint8_t)(l->nr >> 8);
	h[11] = (uint8_t)l->nr;
	ck_assert_int_eq(send(l->fd, l->mb.data, l->mb.len, 0), (ssize_t)l->mb.len);
	l->ns++;
}

void tu_lac_expect(struct tu_lac *l, uint16_t type)
{
	uint8_t buf[4096];

	for (;;) {
		ssize_t n;

		ck_assert_msg(tu_readable(l->te, l->fd, TU_WAIT_MS), "no %s from the LNS",
			      l2tp_msg_type_str(type));
		n = recv(l->fd, buf, sizeof(buf), 0);
		ck_assert_int_gt(n, 0);
		ck_assert_int_eq(l2tp_msg_decode(buf, (size_t)n, NULL, 0, &l->msg), L2TP_DEC_OK);
		ck_assert_uint_eq(l->msg.hdr.tunnel_id, l->tid);
		if (l->msg.type == L2TP_MSG_ZLB || l->msg.hdr.ns != l->nr)
			continue;
		l->nr++;
		ck_assert_msg(l->msg.type == type, "%s from the LNS, %s expected",
			      l2tp_msg_type_str(l->msg.type), l2tp_msg_type_str(type));
		return;
	}
}

void tu_lac_tunnel(struct tu_lac *l, struct tu_engine *te, uint16_t tid, bool complete)
{
	tu_lac_open(l, te, tid);
	tu_lac_begin(l, 0, L2TP_MSG_SCCRQ);
	l2tp_mb_protocol_version(&l->mb);
	l2tp_mb_u32(&l->mb, true, L2TP_AVP_FRAMING_CAPS, 3);
	l2tp_mb_u32(&l->mb, true, L2TP_AVP_BEARER_CAPS, 3);
	l2tp_mb_str(&l->mb, true, L2TP_AVP_HOST_NAME, "lac");
	l2tp_mb_u16(&l->mb, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, tid);
	l2tp_mb_u16(&l->mb, true, L2TP_AVP_RECV_WINDOW_SIZE, 8);
	tu_lac_send(l);
	tu_lac_expect(l, L2TP_MSG_SCCRP);
	l->lns_tid = (uint16_t)l->msg.assigned_tunnel_id;
	ck_assert_uint_ne(l->lns_tid, 0);
	if (!complete)
		return;
	tu_lac_begin(l, 0, L2TP_MSG_SCCCN);
	tu_lac_send(l);
}

uint16_t tu_lac_icrq(struct tu_lac *l, uint16_t sid, const char *calling)
{
	uint16_t lns_sid;

	tu_lac_begin(l, 0, L2TP_MSG_ICRQ);
	l2tp_mb_u16(&l->mb, true, L2TP_AVP_ASSIGNED_SESSION_ID, sid);
	l2tp_mb_u32(&l->mb, true, L2TP_AVP_CALL_SERIAL, sid);
	if (calling)
		l2tp_mb_str(&l->mb, true, L2TP_AVP_CALLING_NUMBER, calling);
	tu_lac_send(l);
	tu_lac_expect(l, L2TP_MSG_ICRP);
	ck_assert_uint_eq(l->msg.hdr.session_id, sid);
	lns_sid = (uint16_t)l->msg.assigned_session_id;
	ck_assert_uint_ne(lns_sid, 0);
	return lns_sid;
}

struct l2tp_sess *tu_lac_iccn(struct tu_lac *l, uint16_t lns_sid)
{
	struct l2tp_sess *s = l2tp_lns_session(engine_lns(l->te->eng), l->lns_tid, lns_sid);

	ck_assert_ptr_nonnull(s);
	tu_lac_begin(l, lns_sid, L2TP_MSG_ICCN);
	l2tp_mb_u32(&l->mb, true, L2TP_AVP_TX_CONNECT_SPEED, 10000000);
	l2tp_mb_u32(&l->mb, true, L2TP_AVP_FRAMING_TYPE, 1);
	tu_lac_send(l);
	for (int t = 0; t < TU_WAIT_MS && s->state != L2TP_SESS_ESTABLISHED; t += 5)
		tu_idle(l->te, 5);
	ck_assert_msg(s->state == L2TP_SESS_ESTABLISHED, "the ICCN was not taken");
	return s;
}
