// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /metrics: the exposition text is well formed (one HELP and TYPE per family,
 * every sample under its family, numeric values), counts what the engine
 * saw, and the HTTP side answers GET /metrics, 404 and 405 from the libev
 * loop. Loopback sockets only; no root.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf.h"
#include "engine.h"
#include "log.h"
#include "metrics.h"

struct fixture {
	struct ev_loop *loop;
	struct lnsd_conf *conf;
	struct engine *eng;
	uint16_t port;            /* the L2TP listener */
};

/* An engine on a free loopback port (ports are tried from a per-process start). */
static void fixture_up(struct fixture *fx)
{
	char text[256], err[CONF_ERR_LEN];

	memset(fx, 0, sizeof(*fx));
	fx->loop = ev_loop_new(EVFLAG_AUTO);
	ck_assert_ptr_nonnull(fx->loop);
	for (int i = 0; i < 50 && !fx->eng; i++) {
		fx->port = (uint16_t)(20000 + (getpid() * 7 + i * 131) % 30000);
		snprintf(text, sizeof(text),
			 "[lnsd]\nlisten = 127.0.0.1:%u\ndataplane = none\nlog-level = error\n",
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

static char *render(struct engine *e)
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
	struct fixture fx;
	char *t;

	fixture_up(&fx);
	t = render(fx.eng);
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_build_info{version=\"" LNSD_VERSION "\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_start_time_seconds 1700000000.500\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_sessions{state=\"established\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_tunnels{state=\"wait_ctl_conn\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_control_messages_received_total{type=\"SCCRQ\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_dropped_packets_total{reason=\"icmp_error\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_ppp_auth_total{method=\"chap\",result=\"failure\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_ppp_auth_total{method=\"mschapv2\",result=\"success\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_session_setup_duration_seconds_bucket{le=\"+Inf\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nlnsd_kernel_dataplane 0\n"));
	ck_assert_ptr_nonnull(strstr(t, "\nprocess_resident_memory_bytes "));
	/* Control plane only: no per-tunnel kernel series. */
	ck_assert_ptr_null(strstr(t, "lnsd_tunnel_rx_packets_total"));
	ck_assert_int_gt(check_format(t), 100);
	free(t);
	fixture_down(&fx);
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

/* Run the loop until fd is readable (or 5 s pass). */
static void pump_until_readable(struct ev_loop *loop, int fd)
{
	for (int i = 0; i < 500; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		ev_run(loop, EVRUN_NOWAIT);
		if (poll(&p, 1, 10) > 0)
			return;
	}
	ck_abort_msg("no answer within 5 s");
}

/* A garbage datagram to the listener is counted as a decode drop and shows up. */
START_TEST(counts_drops)
{
	struct fixture fx;
	struct sockaddr_in to = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	char *t;

	fixture_up(&fx);
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
	fixture_down(&fx);
}
END_TEST

/* One HTTP/1.0 exchange with the endpoint, driven by the loop; the reply in buf. */
static void http(struct ev_loop *loop, uint16_t port, const char *req, char *buf, size_t len)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	size_t got = 0;

	to.sin_port = htons(port);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert(connect(fd, (struct sockaddr *)&to, sizeof(to)) == 0 || errno == EINPROGRESS);
	ev_run(loop, EVRUN_NOWAIT);
	ck_assert_int_eq(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
	for (;;) {
		ssize_t n;

		pump_until_readable(loop, fd);
		n = recv(fd, buf + got, len - 1 - got, 0);
		if (n <= 0 || got + (size_t)n >= len - 1) {
			got += n > 0 ? (size_t)n : 0;
			break;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
}

START_TEST(http_endpoint)
{
	static char buf[65536];
	struct fixture fx;
	struct metrics *m = NULL;
	struct lns_addr a = { .family = 4 };
	char err[256];

	fixture_up(&fx);
	a.addr[0] = 127;
	a.addr[3] = 1;
	for (int i = 0; i < 50 && !m; i++) {
		a.port = (uint16_t)(fx.port + 1 + i);
		m = metrics_new(fx.loop, fx.eng, &a, err, sizeof(err));
	}
	ck_assert_msg(m != NULL, "%s", err);
	/* A second server on the same port fails (no SO_REUSEPORT sharing). */
	ck_assert_ptr_null(metrics_new(fx.loop, fx.eng, &a, err, sizeof(err)));
	ck_assert_msg(strstr(err, "cannot listen") != NULL, "%s", err);

	http(fx.loop, a.port, "GET /metrics HTTP/1.0\r\n\r\n", buf, sizeof(buf));
	ck_assert_msg(strncmp(buf, "HTTP/1.0 200", 12) == 0 || strncmp(buf, "HTTP/1.1 200", 12) == 0,
		      "%.80s", buf);
	ck_assert_ptr_nonnull(strstr(buf, "Content-Type: text/plain; version=0.0.4"));
	ck_assert_ptr_nonnull(strstr(buf, "\r\n\r\n# HELP lnsd_build_info "));
	ck_assert_ptr_nonnull(strstr(buf, "\nprocess_start_time_seconds "));

	http(fx.loop, a.port, "GET /other HTTP/1.0\r\n\r\n", buf, sizeof(buf));
	ck_assert_msg(strstr(buf, " 404 ") != NULL, "%.80s", buf);
	http(fx.loop, a.port, "DELETE /metrics HTTP/1.0\r\n\r\n", buf, sizeof(buf));
	ck_assert_msg(strstr(buf, " 405 ") != NULL, "%.80s", buf);
	ck_assert_ptr_nonnull(strstr(buf, "Allow: GET, HEAD"));

	metrics_free(m);
	fixture_down(&fx);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("metrics");

	tcase_add_test(tc, render_well_formed);
	tcase_add_loop_test(tc, label_values_escaped, 0, (int)(sizeof(labels) / sizeof(labels[0])));
	tcase_add_test(tc, counts_drops);
	tcase_add_test(tc, http_endpoint);
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
