// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /metrics: the exposition text is well formed (one HELP and TYPE per family,
 * every sample under its family, numeric values), counts what the engine
 * saw, and the HTTP side answers GET /metrics, 404 and 405 from the libev
 * loop; it keeps answering through connection floods, dead and slow
 * connections (its limits and timeouts, metrics.h). Loopback sockets only
 * (127.0.0.0/8 gives as many client addresses as needed); no root.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "engine_testutil.h"
#include "log.h"
#include "metrics.h"

/* Not inlined: GCC 12's -Wdangling-pointer then takes the memstream's buffer for a local. */
__attribute__((noinline)) static char *render(struct engine *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	metrics_render(e, 1700000000.5, f);
	fclose(f);
	return buf;
}

/* The family a sample belongs to: histograms own _bucket, _sum and _count. */
static bool in_family(const char *sample, const char *fam, bool histogram)
{
	size_t n = strlen(fam);
	const char *rest = sample + n;

	if (strncmp(sample, fam, n) != 0)
		return false;
	if (*rest == ' ' || *rest == '{')
		return !histogram;
	return histogram && (strncmp(rest, "_bucket{", 8) == 0 || strncmp(rest, "_sum ", 5) == 0 ||
			     strncmp(rest, "_count ", 7) == 0);
}

/* Exposition format 0.0.4 as lnsd writes it; returns the number of samples. */
static int check_format(char *text)
{
	char fam[128] = "", seen[8192] = "|", *save = NULL;
	bool histogram = false, help = false;
	int samples = 0;

	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char name[128], type[16], key[140];

		if (strncmp(l, "# HELP ", 7) == 0) {
			ck_assert_int_eq(sscanf(l + 7, "%127s", name), 1);
			snprintf(key, sizeof(key), "|%s|", name);
			ck_assert_msg(!strstr(seen, key), "family %s twice", name);
			ck_assert_uint_lt(strlen(seen) + strlen(key), sizeof(seen));
			strcat(seen, key + 1);
			help = true;
			snprintf(fam, sizeof(fam), "%s", name);
			continue;
		}
		if (strncmp(l, "# TYPE ", 7) == 0) {
			ck_assert_int_eq(sscanf(l + 7, "%127s %15s", name, type), 2);
			ck_assert_msg(help && strcmp(name, fam) == 0, "TYPE without HELP: %s", l);
			ck_assert_msg(strcmp(type, "counter") == 0 || strcmp(type, "gauge") == 0 ||
					      strcmp(type, "histogram") == 0, "type %s", type);
			/* Prometheus naming: counters end in _total, nothing else does. */
			ck_assert_msg((strcmp(type, "counter") == 0) ==
					      (strlen(name) > 6 &&
					       strcmp(name + strlen(name) - 6, "_total") == 0),
				      "%s %s", name, type);
			histogram = strcmp(type, "histogram") == 0;
			help = false;
			continue;
		}
		ck_assert_msg(l[0] != '#', "stray comment: %s", l);
		ck_assert_msg(fam[0] && in_family(l, fam, histogram), "%s outside family %s", l,
			      fam);
		{
			const char *v = strrchr(l, ' ');
			char *end;

			ck_assert_ptr_nonnull(v);
			strtod(v + 1, &end);
			ck_assert_msg(*end == '\0' && end != v + 1, "value of %s", l);
		}
		samples++;
	}
	return samples;
}

START_TEST(render_well_formed)
{
	struct tu_engine fx;
	char *t;

	tu_engine_up(&fx, NULL);
	t = render(fx.eng);
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_build_info{version=\"" LNSD_VERSION "\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_start_time_seconds 1700000000.500\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_sessions{state=\"established\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_tunnels{state=\"wait_ctl_conn\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_control_messages_received_total{type=\"SCCRQ\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_dropped_packets_total{reason=\"icmp_error\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_ppp_auth_total{method=\"chap\",result=\"failure\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_ppp_auth_total{method=\"mschapv2\",result=\"success\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_rate_attributes_ignored_total 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_rate_limit_failures_total 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_ipv6_ra_sent_total 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_ipv6_rs_dropped_total{reason=\"bad-hop-limit\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_ipv6_dhcp_dropped_total{reason=\"no-client-id\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_ipv6_pool_used{pool=\"delegation\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_session_setup_duration_seconds_bucket{le=\"+Inf\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_l2tp_ack_delay_seconds_bucket{le=\"0.1\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_l2tp_ack_delay_seconds_count 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_control_late_retransmissions_total 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_dropped_packets_total{reason=\"rxq_overflow\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_kernel_dataplane 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nprocess_resident_memory_bytes "));
	/* Control plane only: no per-tunnel kernel series. */
	ck_assert_ptr_null(strstr(t, "lnsd_tunnel_rx_packets_total"));
	ck_assert_int_gt(check_format(t), 100);
	free(t);
	tu_engine_down(&fx);
}
END_TEST


static long long sample(const char *text, const char *name);

/* A sample's value as a number; -1 when absent. */
static double fsample(const char *text, const char *name)
{
	char key[128];
	const char *p;

	snprintf(key, sizeof(key), "\n%s ", name);
	p = strstr(text, key);
	return p ? strtod(p + strlen(key), NULL) : -1;
}

/* A callback that keeps the loop busy for 120 ms. */
static void spin_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct timespec a, b;

	(void)loop;
	(void)revents;
	clock_gettime(CLOCK_MONOTONIC, &a);
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < 120);
	*(bool *)w->data = true;
}

/* The loop meter: an iteration held 120 ms by a callback is the longest, and slow. */
START_TEST(loop_busy_meter)
{
	struct tu_engine fx;
	ev_timer spin;
	bool fired = false;
	long long slow;
	char *t;

	tu_engine_up(&fx, NULL);
	/* An iteration is counted when the next one starts: on a loaded host
	 * 20 ms may hold only one (tu_pump runs the loop every 5 ms). */
	for (int i = 0; i < 100 && engine_loop_stats(fx.eng)->iterations == 0; i++)
		tu_idle(&fx, 20);
	t = render(fx.eng);
	ck_assert_int_gt(sample(t, "lnsd_loop_iterations_total"), 0);
	/* none so far, unless the host held this process for 100 ms; not all */
	slow = sample(t, "lnsd_loop_slow_iterations_total");
	ck_assert_int_ge(slow, 0);
	ck_assert_int_lt(slow, sample(t, "lnsd_loop_iterations_total"));
	free(t);
	ev_timer_init(&spin, spin_cb, 0.001, 0.0);
	spin.data = &fired;
	ev_timer_start(fx.loop, &spin);
	for (int i = 0; i < 100 && !fired; i++)
		tu_idle(&fx, 10);
	ck_assert(fired);
	tu_idle(&fx, 10);
	t = render(fx.eng);
	ck_assert_double_ge(fsample(t, "lnsd_loop_busy_max_seconds"), 0.120);
	ck_assert_int_ge(sample(t, "lnsd_loop_slow_iterations_total"), slow + 1);
	ck_assert_int_gt(check_format(t), 100);
	free(t);
	tu_engine_down(&fx);
}
END_TEST

/*
 * Label values, the one function every label goes through: the exposition
 * format's escapes (backslash, quote, newline) over the escaped form of
 * stresc.h, so a label from a peer is one line of printable ASCII (valid
 * UTF-8) and Prometheus stores the text a log line shows.
 */
static const struct {
	const char *in;
	size_t len;
	const char *out;
} labels[] = {
	{ "established", 11, "established" },
	{ "192.0.2.1", 9, "192.0.2.1" },
	{ "a\nb", 3, "a\\\\nb" },                              /* stored as a\nb */
	{ "say \"hi\"", 8, "say \\\\\\\"hi\\\\\\\"" },           /* stored as say \"hi\" */
	{ "c:\\x", 4, "c:\\\\\\\\x" },                           /* stored as c:\\x */
	{ "\x1b[2J\r", 5, "\\\\x1b[2J\\\\r" },                  /* stored as \x1b[2J\r */
	{ "\xff\xfe", 2, "\\\\xff\\\\xfe" },                    /* not UTF-8 */
	{ "a\0b", 3, "a\\\\x00b" },
};

START_TEST(label_values_escaped)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	metrics_label_value(f, labels[_i].in, labels[_i].len);
	fclose(f);
	ck_assert_str_eq(buf, labels[_i].out);
	for (const char *p = buf; *p; p++)
		ck_assert_msg(*p >= 0x20 && *p < 0x7f, "byte 0x%02x", (unsigned char)*p);
	free(buf);
}
END_TEST

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A garbage datagram to the listener is counted as a decode drop and shows up. */
START_TEST(counts_drops)
{
	struct tu_engine fx;
	struct sockaddr_in to = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	char *t;

	tu_engine_up(&fx, NULL);
	to.sin_port = htons(fx.port);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(sendto(fd, "\xc8\x02\x00", 3, 0, (struct sockaddr *)&to, sizeof(to)), 3);
	for (int i = 0; i < 100; i++) {
		ev_run(fx.loop, EVRUN_NOWAIT);
		if (l2tp_lns_stats(engine_lns(fx.eng))->drops[L2TP_DROP_DECODE])
			break;
		usleep(10000);
	}
	t = render(fx.eng);
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_dropped_packets_total{reason=\"decode\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_decode_errors_total{reason=\"short_packet\"} 1\n"));
	free(t);
	close(fd);
	tu_engine_down(&fx);
}
END_TEST

/* A non-blocking TCP connection from 127.0.0.host to the endpoint. */
static int client(uint16_t port, int host)
{
	struct sockaddr_in to = { .sin_family = AF_INET }, from = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	ck_assert_int_ge(fd, 0);
	from.sin_addr.s_addr = htonl(INADDR_LOOPBACK + (uint32_t)host - 1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&from, sizeof(from)), 0);
	to.sin_port = htons(port);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert(connect(fd, (struct sockaddr *)&to, sizeof(to)) == 0 || errno == EINPROGRESS);
	return fd;
}

/*
 * One HTTP exchange with the endpoint from 127.0.0.1, driven by the loop;
 * the reply in buf. False when nothing came back within ms.
 */
static bool http_within(struct tu_engine *te, uint16_t port, const char *req, char *buf,
			size_t len, int ms)
{
	int fd = client(port, 1);
	size_t got = 0;
	bool answered = true;

	ev_run(te->loop, EVRUN_NOWAIT);
	ck_assert_int_eq(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
	for (;;) {
		ssize_t n;

		if (!tu_readable(te, fd, ms)) {
			answered = got > 0;
			break;
		}
		n = recv(fd, buf + got, len - 1 - got, 0);
		if (n <= 0 || got + (size_t)n >= len - 1) {
			got += n > 0 ? (size_t)n : 0;
			break;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
	return answered;
}

static void http(struct tu_engine *te, uint16_t port, const char *req, char *buf, size_t len)
{
	ck_assert_msg(http_within(te, port, req, buf, len, 5000), "no answer within 5 s");
}

/* The endpoint on a free loopback port next to the engine's. */
static struct metrics *metrics_up(struct tu_engine *fx, struct lns_addr *a)
{
	struct metrics *m = NULL;
	char err[256];

	memset(a, 0, sizeof(*a));
	a->family = 4;
	a->addr[0] = 127;
	a->addr[3] = 1;
	for (int i = 0; i < 50 && !m; i++) {
		a->port = (uint16_t)(fx->port + 1 + i);
		m = metrics_new(fx->loop, fx->eng, a, err, sizeof(err));
	}
	ck_assert_msg(m != NULL, "%s", err);
	return m;
}

/* The value of one sample in an exposition text; -1 when absent. */
static long long sample(const char *text, const char *name)
{
	char key[128];
	const char *p;

	snprintf(key, sizeof(key), "\n%s ", name);
	p = strstr(text, key);
	return p ? atoll(p + strlen(key)) : -1;
}

/* Whether the endpoint closed fd (EOF or reset) within ms, the loop running. */
static bool closed_within(struct tu_engine *te, int fd, int ms)
{
	char b[4096];

	while (tu_readable(te, fd, ms)) {
		ssize_t n = recv(fd, b, sizeof(b), 0);

		if (n <= 0)
			return true;
	}
	return false;
}

START_TEST(http_endpoint)
{
	static char buf[65536];
	struct tu_engine fx;
	struct metrics *m;
	struct lns_addr a;
	char err[256];

	tu_engine_up(&fx, NULL);
	m = metrics_up(&fx, &a);
	/* A second server on the same port fails (no SO_REUSEPORT sharing). */
	ck_assert_ptr_null(metrics_new(fx.loop, fx.eng, &a, err, sizeof(err)));
	ck_assert_msg(strstr(err, "cannot listen") != NULL, "%s", err);

	http(&fx, a.port, "GET /metrics HTTP/1.0\r\n\r\n", buf, sizeof(buf));
	ck_assert_msg(strncmp(buf, "HTTP/1.0 200", 12) == 0 || strncmp(buf, "HTTP/1.1 200", 12) == 0,
		      "%.80s", buf);
	ck_assert_ptr_nonnull(strstr(buf, "Content-Type: text/plain; version=0.0.4"));
	ck_assert_ptr_nonnull(strstr(buf, "\r\n\r\n# HELP lnsd_build_info "));
	ck_assert_ptr_nonnull(strstr(buf, "\nprocess_start_time_seconds "));

	http(&fx, a.port, "GET /other HTTP/1.0\r\n\r\n", buf, sizeof(buf));
	ck_assert_msg(strstr(buf, " 404 ") != NULL, "%.80s", buf);
	http(&fx, a.port, "DELETE /metrics HTTP/1.0\r\n\r\n", buf, sizeof(buf));
	ck_assert_msg(strstr(buf, " 405 ") != NULL, "%.80s", buf);
	ck_assert_ptr_nonnull(strstr(buf, "Allow: GET, HEAD"));

	metrics_free(m);
	tu_engine_down(&fx);
}
END_TEST


#define PARTIAL "GET /metrics HTTP/1.1\r\nHost: lns\r\n"
#define FULL "GET /metrics HTTP/1.1\r\nHost: lns\r\n\r\n"
/* The endpoint closes the connection after the answer. */
#define SCRAPE "GET /metrics HTTP/1.1\r\nHost: lns\r\nConnection: close\r\n\r\n"

/*
 * Every connection slot taken by clients that send part of a request, more
 * queued behind them, then all of them close: a scrape is answered again
 * within a second. (The endpoint used to stop accepting for good once its
 * connection limit had been reached: MHD's listening socket was never put
 * back in its epoll set.)
 */
START_TEST(http_recovers_after_the_limit)
{
	static char buf[65536];
	enum { N = METRICS_MAX_CONNS + 40 };
	struct tu_engine fx;
	struct metrics *m;
	struct lns_addr a;
	int fd[N];

	tu_engine_up(&fx, NULL);
	m = metrics_up(&fx, &a);
	for (int i = 0; i < N; i++) {
		fd[i] = client(a.port, 2 + i / METRICS_MAX_CONNS_PER_IP);
		tu_idle(&fx, 10);
		ck_assert_int_eq(send(fd[i], PARTIAL, strlen(PARTIAL), MSG_NOSIGNAL),
				 (ssize_t)strlen(PARTIAL));
	}
	tu_idle(&fx, 300);
	for (int i = 0; i < N; i++)
		close(fd[i]);
	ck_assert_msg(http_within(&fx, a.port, SCRAPE, buf, sizeof(buf), 1000),
		      "no answer within 1 s after the flood ended");
	ck_assert_msg(strncmp(buf, "HTTP/1.1 200", 12) == 0, "%.80s", buf);
	metrics_free(m);
	tu_engine_down(&fx);
}
END_TEST

/*
 * Every slot taken, then all clients at once send a request and half-close:
 * each is answered and closed, and the endpoint accepts again. (MHD takes
 * its listening socket out of its epoll set at the limit and puts it back
 * only at the start of a later run; when the run that closed the
 * connections was the last thing to happen, the endpoint stopped accepting
 * for good.)
 */
START_TEST(http_recovers_after_a_full_house)
{
	static char buf[65536];
	struct tu_engine fx;
	struct metrics *m;
	struct lns_addr a;
	int fd[METRICS_MAX_CONNS];

	tu_engine_up(&fx, NULL);
	m = metrics_up(&fx, &a);
	for (int i = 0; i < METRICS_MAX_CONNS; i++) {
		fd[i] = client(a.port, 2 + i / METRICS_MAX_CONNS_PER_IP);
		tu_idle(&fx, 10);
	}
	for (int i = 0; i < METRICS_MAX_CONNS; i++) {
		ck_assert_int_eq(send(fd[i], FULL, strlen(FULL), MSG_NOSIGNAL), (ssize_t)strlen(FULL));
		shutdown(fd[i], SHUT_WR);
	}
	for (int i = 0; i < METRICS_MAX_CONNS; i++)
		ck_assert_msg(closed_within(&fx, fd[i], 2000), "client %d: no end", i);
	ck_assert_msg(http_within(&fx, a.port, SCRAPE, buf, sizeof(buf), 1000),
		      "no answer within 1 s");
	ck_assert_msg(strncmp(buf, "HTTP/1.1 200", 12) == 0, "%.80s", buf);
	for (int i = 0; i < METRICS_MAX_CONNS; i++)
		close(fd[i]);
	metrics_free(m);
	tu_engine_down(&fx);
}
END_TEST

/*
 * A client that sends part of a request and its FIN in one go: the endpoint
 * closes its side at once (not after METRICS_CONN_TIMEOUT_S idle; MHD's
 * edge-triggered epoll mode alone would not see that FIN).
 */
START_TEST(http_dead_connection_closed)
{
	struct tu_engine fx;
	struct metrics *m;
	struct lns_addr a;
	int fd;

	tu_engine_up(&fx, NULL);
	m = metrics_up(&fx, &a);
	fd = client(a.port, 1);
	tu_idle(&fx, 50);
	ck_assert_int_eq(send(fd, PARTIAL, strlen(PARTIAL), MSG_NOSIGNAL), (ssize_t)strlen(PARTIAL));
	shutdown(fd, SHUT_WR);
	ck_assert_msg(closed_within(&fx, fd, 1000), "a dead connection was still open after 1 s");
	close(fd);
	metrics_free(m);
	tu_engine_down(&fx);
}
END_TEST

/* A client that sends a whole request and then FIN (half-close) gets the whole answer. */
START_TEST(http_half_close_answered)
{
	static char buf[65536];
	const char *reqs[] = { FULL, "GET /metrics HTTP/1.0\r\n\r\n" };
	struct tu_engine fx;
	struct metrics *m;
	struct lns_addr a;

	tu_engine_up(&fx, NULL);
	m = metrics_up(&fx, &a);
	for (size_t r = 0; r < sizeof(reqs) / sizeof(reqs[0]); r++) {
		int fd = client(a.port, 1);
		size_t got = 0;
		ssize_t n = 1;

		tu_idle(&fx, 20);
		ck_assert_int_eq(send(fd, reqs[r], strlen(reqs[r]), MSG_NOSIGNAL),
				 (ssize_t)strlen(reqs[r]));
		shutdown(fd, SHUT_WR);
		while (n > 0 && got < sizeof(buf) - 1 && tu_readable(&fx, fd, 2000)) {
			n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
			got += n > 0 ? (size_t)n : 0;
		}
		ck_assert_msg(n == 0, "request %zu: the answer did not end with the connection", r);
		buf[got] = '\0';
		ck_assert_msg(strstr(buf, " 200 OK\r\n") != NULL, "%.80s", buf);
		ck_assert_msg(strstr(buf, "\nprocess_start_time_seconds ") != NULL,
			      "request %zu: the answer was cut (%zu bytes)", r, got);
		close(fd);
	}
	metrics_free(m);
	tu_engine_down(&fx);
}
END_TEST

/*
 * One address gets METRICS_MAX_CONNS_PER_IP connections; the next is closed
 * at once and counted, and another address is still served.
 */
START_TEST(http_per_address_limit)
{
	static char buf[65536];
	struct tu_engine fx;
	struct metrics *m;
	struct lns_addr a;
	int fd[METRICS_MAX_CONNS_PER_IP + 1];

	tu_engine_up(&fx, NULL);
	m = metrics_up(&fx, &a);
	for (int i = 0; i <= METRICS_MAX_CONNS_PER_IP; i++) {
		fd[i] = client(a.port, 7);
		tu_idle(&fx, 20);
	}
	ck_assert_msg(closed_within(&fx, fd[METRICS_MAX_CONNS_PER_IP], 1000),
		      "connection %d from one address was kept", METRICS_MAX_CONNS_PER_IP + 1);
	for (int i = 0; i < METRICS_MAX_CONNS_PER_IP; i++) {
		struct pollfd p = { .fd = fd[i], .events = POLLIN };

		ck_assert_msg(poll(&p, 1, 0) == 0, "connection %d was closed", i + 1);
	}
	http(&fx, a.port, SCRAPE, buf, sizeof(buf));
	ck_assert_msg(strncmp(buf, "HTTP/1.1 200", 12) == 0, "%.80s", buf);
	ck_assert_int_eq(sample(buf, "lnsd_metrics_connections_refused_total"), 1);
	for (int i = 0; i <= METRICS_MAX_CONNS_PER_IP; i++)
		close(fd[i]);
	metrics_free(m);
	tu_engine_down(&fx);
}
END_TEST

/*
 * A request trickled a header line every half second (never idle long
 * enough for METRICS_CONN_TIMEOUT_S) is cut at METRICS_REQUEST_TIMEOUT_S
 * and counted.
 */
START_TEST(http_request_deadline)
{
	static char buf[65536];
	struct tu_engine fx;
	struct metrics *m;
	struct lns_addr a;
	double t0, t;
	bool closed = false;
	int fd;

	tu_engine_up(&fx, NULL);
	m = metrics_up(&fx, &a);
	fd = client(a.port, 3);
	tu_idle(&fx, 20);
	t0 = mono();
	ck_assert_int_eq(send(fd, PARTIAL, strlen(PARTIAL), MSG_NOSIGNAL), (ssize_t)strlen(PARTIAL));
	for (int i = 0; !closed && i < 2 * (METRICS_REQUEST_TIMEOUT_S + 3); i++) {
		closed = closed_within(&fx, fd, 500);
		if (!closed)
			send(fd, "X-Slow: 1\r\n", 11, MSG_NOSIGNAL);
	}
	t = mono() - t0;
	ck_assert_msg(closed, "a trickled request was still open after %.1f s", t);
	ck_assert_msg(t >= METRICS_REQUEST_TIMEOUT_S - 0.5 && t < METRICS_REQUEST_TIMEOUT_S + 1.5,
		      "closed after %.1f s", t);
	close(fd);
	http(&fx, a.port, SCRAPE, buf, sizeof(buf));
	ck_assert_int_eq(sample(buf, "lnsd_metrics_request_timeouts_total"), 1);
	metrics_free(m);
	tu_engine_down(&fx);
}
END_TEST

/* A request line and headers beyond METRICS_MAX_REQUEST: 431, and the endpoint goes on. */
START_TEST(http_oversize_request)
{
	static char buf[65536];
	char *req = malloc(METRICS_MAX_REQUEST * 2);
	struct tu_engine fx;
	struct metrics *m;
	struct lns_addr a;

	ck_assert_ptr_nonnull(req);
	tu_engine_up(&fx, NULL);
	m = metrics_up(&fx, &a);
	snprintf(req, METRICS_MAX_REQUEST * 2, "GET /metrics HTTP/1.1\r\nHost: lns\r\nX-Big: %0*d\r\n\r\n",
		 METRICS_MAX_REQUEST + 100, 0);
	http(&fx, a.port, req, buf, sizeof(buf));
	ck_assert_msg(strncmp(buf, "HTTP/1.1 431", 12) == 0, "%.80s", buf);
	http(&fx, a.port, SCRAPE, buf, sizeof(buf));
	ck_assert_msg(strncmp(buf, "HTTP/1.1 200", 12) == 0, "%.80s", buf);
	free(req);
	metrics_free(m);
	tu_engine_down(&fx);
}
END_TEST

/*
 * /metrics takes no body: a request that announces one (Content-Length,
 * chunked) is answered at once (413; another method 405) and the
 * connection is closed, however slowly the body trickles in. (The request
 * deadline used to stop at the headers: a body sent a byte every few
 * seconds held the connection for good.)
 */
START_TEST(http_body_refused)
{
	static const char *const reqs[] = {
		"GET /metrics HTTP/1.1\r\nHost: lns\r\nContent-Length: 100000\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nHost: lns\r\nTransfer-Encoding: chunked\r\n\r\n",
		"POST /metrics HTTP/1.1\r\nHost: lns\r\nContent-Length: 100000\r\n\r\n",
	};
	static const char *const want[] = { "HTTP/1.1 413", "HTTP/1.1 413", "HTTP/1.1 405" };
	static char buf[4096];
	struct tu_engine fx;
	struct metrics *m;
	struct lns_addr a;

	tu_engine_up(&fx, NULL);
	m = metrics_up(&fx, &a);
	for (size_t r = 0; r < sizeof(reqs) / sizeof(reqs[0]); r++) {
		int fd = client(a.port, 4);
		bool closed = false;
		size_t got = 0;
		double t0, t;

		tu_idle(&fx, 20);
		t0 = mono();
		ck_assert_int_eq(send(fd, reqs[r], strlen(reqs[r]), MSG_NOSIGNAL),
				 (ssize_t)strlen(reqs[r]));
		for (int i = 0; !closed && i < 2 * (METRICS_REQUEST_TIMEOUT_S + 3); i++) {
			while (!closed && tu_readable(&fx, fd, 500)) {
				ssize_t n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);

				closed = n <= 0;
				got += n > 0 ? (size_t)n : 0;
			}
			if (!closed)
				send(fd, "1", 1, MSG_NOSIGNAL);
		}
		t = mono() - t0;
		buf[got] = '\0';
		ck_assert_msg(closed, "request %zu: still open after %.1f s", r, t);
		ck_assert_msg(t < 2, "request %zu: closed after %.1f s", r, t);
		ck_assert_msg(strncmp(buf, want[r], 12) == 0, "request %zu: %.80s", r, buf);
		close(fd);
	}
	metrics_free(m);
	tu_engine_down(&fx);
}
END_TEST

/* A TCP connection from addr (IPv6 text) to [to]:port, non-blocking. */
static int client6(const char *addr, const char *to, uint16_t port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 }, from = { .sin6_family = AF_INET6 };
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(inet_pton(AF_INET6, addr, &from.sin6_addr), 1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&from, sizeof(from)), 0);
	ck_assert_int_eq(inet_pton(AF_INET6, to, &sa.sin6_addr), 1);
	sa.sin6_port = htons(port);
	ck_assert(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno == EINPROGRESS);
	return fd;
}

/*
 * IPv6 clients are counted per /64: a host has a whole /64 to take addresses
 * from, so METRICS_MAX_CONNS_PER_IP connections from one address of it and
 * one more from another address of it: that one is refused; another /64 is
 * still served. Needs a network namespace of its own (root); skipped
 * otherwise.
 */
START_TEST(http_per_address_limit_ipv6_prefix)
{
	static char buf[65536];
	struct tu_engine fx;
	struct metrics *m = NULL;
	struct lns_addr a = { .family = 6 };
	char err[256];
	int fd[METRICS_MAX_CONNS_PER_IP + 1], other;
	size_t got = 0;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
		fprintf(stderr, "http_per_address_limit_ipv6_prefix: skipped (needs root)\n");
		return;
	}
	ck_assert_int_eq(system("ip link set lo up && "
				"ip addr add 2001:db8::1/64 dev lo nodad && "
				"ip addr add 2001:db8::a/64 dev lo nodad && "
				"ip addr add 2001:db8::b/64 dev lo nodad && "
				"ip addr add 2001:db8:0:1::a/64 dev lo nodad"), 0);
	tu_engine_up(&fx, NULL);
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::1", a.addr), 1);
	for (int i = 0; i < 50 && !m; i++) {
		a.port = (uint16_t)(fx.port + 1 + i);
		m = metrics_new(fx.loop, fx.eng, &a, err, sizeof(err));
	}
	ck_assert_msg(m != NULL, "%s", err);
	for (int i = 0; i < METRICS_MAX_CONNS_PER_IP; i++) {
		fd[i] = client6("2001:db8::a", "2001:db8::1", a.port);
		tu_idle(&fx, 20);
	}
	fd[METRICS_MAX_CONNS_PER_IP] = client6("2001:db8::b", "2001:db8::1", a.port);
	tu_idle(&fx, 20);
	ck_assert_msg(closed_within(&fx, fd[METRICS_MAX_CONNS_PER_IP], 1000),
		      "a connection from another address of the same /64 was kept");
	other = client6("2001:db8:0:1::a", "2001:db8::1", a.port);
	tu_idle(&fx, 20);
	ck_assert_int_eq(send(other, SCRAPE, strlen(SCRAPE), MSG_NOSIGNAL), (ssize_t)strlen(SCRAPE));
	while (got < sizeof(buf) - 1 && tu_readable(&fx, other, 2000)) {
		ssize_t n = recv(other, buf + got, sizeof(buf) - 1 - got, 0);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	ck_assert_msg(strncmp(buf, "HTTP/1.1 200", 12) == 0, "another /64: %.80s", buf);
	ck_assert_int_eq(sample(buf, "lnsd_metrics_connections_refused_total"), 1);
	close(other);
	for (int i = 0; i <= METRICS_MAX_CONNS_PER_IP; i++)
		close(fd[i]);
	metrics_free(m);
	tu_engine_down(&fx);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("metrics");

	/* http_recovers_after_conn_timeouts waits METRICS_CONN_TIMEOUT_S. */
	tcase_set_timeout(tc, METRICS_CONN_TIMEOUT_S + 10);

	tcase_add_test(tc, render_well_formed);
	tcase_add_test(tc, loop_busy_meter);
	tcase_add_loop_test(tc, label_values_escaped, 0, (int)(sizeof(labels) / sizeof(labels[0])));
	tcase_add_test(tc, counts_drops);
	tcase_add_test(tc, http_endpoint);
	tcase_add_test(tc, http_recovers_after_the_limit);
	tcase_add_test(tc, http_recovers_after_a_full_house);
	tcase_add_test(tc, http_dead_connection_closed);
	tcase_add_test(tc, http_half_close_answered);
	tcase_add_test(tc, http_per_address_limit);
	tcase_add_test(tc, http_request_deadline);
	tcase_add_test(tc, http_oversize_request);
	tcase_add_test(tc, http_body_refused);
	tcase_add_test(tc, http_per_address_limit_ipv6_prefix);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	log_init(true, LOG_LVL_ERR);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
