// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmod-glue/kg_closer.c: every queued fd is closed (the other end of its
 * pipe reads EOF), pending counts queued and running jobs, the eventfd
 * becomes readable when a job is done and stays so until kg_closer_ack(),
 * a full queue refuses (the caller keeps its fds), kg_closer_free() closes
 * what is still queued, and closes that block run side by side: four
 * closes that each wait 1 s (TCP sockets with SO_LINGER and unsent data)
 * take well under the 4 s one thread would need.
 */
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kg_closer.h"

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

/* The write end is closed: the read end sees EOF. */
static bool write_end_closed(int rfd)
{
	char c;

	return read(rfd, &c, 1) == 0;
}

START_TEST(closes_all)
{
	struct kg_closer *c = kg_closer_new(4, 64);
	int p[20][2];

	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(kg_closer_pending(c), 0);
	ck_assert(!readable(kg_closer_fd(c)));
	for (int i = 0; i < 20; i++)
		ck_assert_int_eq(pipe(p[i]), 0);
	for (int i = 0; i < 20; i += 2) {
		int fds[3] = { p[i][1], -1, p[i + 1][1] };

		ck_assert(kg_closer_put(c, fds, 3));
	}
	kg_closer_drain(c);
	ck_assert_uint_eq(kg_closer_pending(c), 0);
	for (int i = 0; i < 20; i++) {
		ck_assert_msg(write_end_closed(p[i][0]), "pipe %d still open", i);
		close(p[i][0]);
	}
	kg_closer_free(c);
}
END_TEST

START_TEST(signals_done)
{
	struct kg_closer *c = kg_closer_new(1, 4);
	int p[2];

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert(kg_closer_put(c, &p[1], 1));
	struct pollfd w = { .fd = kg_closer_fd(c), .events = POLLIN };

	ck_assert_int_eq(poll(&w, 1, 5000), 1);   /* woken by the close */
	ck_assert_uint_eq(kg_closer_pending(c), 0);
	ck_assert(readable(kg_closer_fd(c)));     /* until acknowledged */
	kg_closer_ack(c);
	ck_assert(!readable(kg_closer_fd(c)));
	ck_assert(write_end_closed(p[0]));
	close(p[0]);
	kg_closer_free(c);
}
END_TEST

/*
 * A connected loopback TCP socket whose close blocks for about a second:
 * SO_LINGER 1 s and unsent data the peer (never reading, zero window)
 * cannot take. *peer is the accepted end, to be closed by the caller.
 */
static int lingering_socket(int *peer)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), s = socket(AF_INET, SOCK_STREAM, 0);
	int small = 4096;
	struct linger lg = { .l_onoff = 1, .l_linger = 1 };
	static char buf[1 << 16];
	ssize_t n;

	ck_assert_int_ge(l, 0);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(l, (struct sockaddr *)&a, &len), 0);
	ck_assert_int_eq(listen(l, 1), 0);
	ck_assert_int_eq(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
	ck_assert_int_eq(connect(s, (struct sockaddr *)&a, sizeof(a)), 0);
	*peer = accept(l, NULL, NULL);
	ck_assert_int_ge(*peer, 0);
	ck_assert_int_eq(setsockopt(*peer, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);
	close(l);
	ck_assert_int_eq(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
	/* fill both buffers until the send would block */
	while ((n = send(s, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		;
	return s;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(blocking_closes_overlap)
{
	struct kg_closer *c = kg_closer_new(4, 16);
	int s[4], peer[4];
	double t0, t;

	ck_assert_ptr_nonnull(c);
	for (int i = 0; i < 4; i++)
		s[i] = lingering_socket(&peer[i]);
	/* one such close alone blocks for its linger time */
	{
		int p1, one = lingering_socket(&p1);

		t0 = now_s();
		close(one);
		t = now_s() - t0;
		close(p1);
		ck_assert_msg(t > 0.8, "a lingering close took %.2f s, not ~1 s", t);
	}
	t0 = now_s();
	for (int i = 0; i < 4; i++)
		ck_assert(kg_closer_put(c, &s[i], 1));
	kg_closer_drain(c);
	t = now_s() - t0;
	ck_assert_msg(t < 3.0, "4 lingering closes on 4 threads took %.2f s (one thread: >= 4 s)", t);
	for (int i = 0; i < 4; i++)
		close(peer[i]);
	kg_closer_free(c);
}
END_TEST

START_TEST(full_queue_refuses)
{
	struct kg_closer *c = kg_closer_new(1, 1);
	int peer, busy, p[2], q[2];

	ck_assert_ptr_nonnull(c);
	busy = lingering_socket(&peer);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(pipe(q), 0);
	ck_assert(kg_closer_put(c, &busy, 1));   /* the worker blocks on it */
	/* queued once the worker has taken the busy one (it then blocks ~1 s) */
	for (int i = 0; !kg_closer_put(c, &p[1], 1); i++) {
		ck_assert_int_lt(i, 500);
		usleep(10 * 1000);
	}
	ck_assert(!kg_closer_put(c, &q[1], 1));  /* queue full: refused */
	{
		int four[4] = { -1, -1, -1, -1 };

		ck_assert(!kg_closer_put(c, four, 4));   /* more fds than a job holds */
	}
	ck_assert(!kg_closer_put(NULL, &q[1], 1));
	kg_closer_free(c);                       /* closes what was queued */
	ck_assert(write_end_closed(p[0]));
	ck_assert(!readable(q[0]));              /* q's write end is still ours */
	close(q[1]);
	ck_assert(write_end_closed(q[0]));
	close(p[0]);
	close(q[0]);
	close(peer);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kg_closer");
	SRunner *sr = srunner_create(s);   /* s is run as it is at srunner_run_all() */
	TCase *tc = tcase_create("core");
	int failed;

	tcase_add_test(tc, closes_all);
	tcase_add_test(tc, signals_done);
	tcase_add_test(tc, blocking_closes_overlap);
	tcase_add_test(tc, full_queue_refuses);
	suite_add_tcase(s, tc);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
