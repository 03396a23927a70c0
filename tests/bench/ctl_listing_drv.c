// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The driver of tests/bench/ctl_listing.sh (not a test): a minimal LAC made
 * with lib/l2tp's codec that sets up many calls on a running lnsd, then
 * runs a command (the listing) while it measures how long lnsd takes to
 * answer an ICRQ on another tunnel, every few milliseconds: the wait that
 * a command inside lnsd's loop imposes on everyone else. lnsd's RSS
 * (VmRSS of -P PID) before and after the command. BENCH lines on stdout.
 *
 *   ctl_listing_drv -p PORT -P PID -n SESSIONS [-s PER_TUNNEL] -c 'COMMAND'
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "l2tp_msg.h"
#include "l2tp_proto.h"

struct lac {
	int fd;
	uint16_t tid, lns_tid, ns, nr;
	struct l2tp_mbuf mb;
	struct l2tp_msg msg;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *what)
{
	fprintf(stderr, "ctl_listing_drv: %s\n", what);
	exit(1);
}

static void begin(struct lac *l, uint16_t sid, uint16_t type)
{
	l2tp_mb_begin(&l->mb, type == L2TP_MSG_SCCRQ ? 0 : l->lns_tid, sid, type);
}

static void lac_send(struct lac *l)
{
	uint8_t *h = l->mb.data;

	h[8] = (uint8_t)(l->ns >> 8);
	h[9] = (uint8_t)l->ns;
	h[10] = (uint8_t)(l->nr >> 8);
	h[11] = (uint8_t)l->nr;
	if (l->mb.overflow || send(l->fd, l->mb.data, l->mb.len, 0) != (ssize_t)l->mb.len)
		die("send");
	l->ns++;
}

/* The next new message of that type (ZLBs and retransmissions skipped); false after ms. */
static bool expect(struct lac *l, uint16_t type, int ms)
{
	uint8_t buf[4096];
	double end = now_ms() + ms;

	for (;;) {
		struct pollfd p = { .fd = l->fd, .events = POLLIN };
		int left = (int)(end - now_ms());
		ssize_t n;

		if (left <= 0 || poll(&p, 1, left) <= 0)
			return false;
		n = recv(l->fd, buf, sizeof(buf), 0);
		if (n <= 0 || l2tp_msg_decode(buf, (size_t)n, NULL, 0, &l->msg) != L2TP_DEC_OK)
			continue;
		if (l->msg.type == L2TP_MSG_ZLB || l->msg.hdr.ns != l->nr)
			continue;
		l->nr++;
		if (l->msg.type != type) {
			fprintf(stderr, "ctl_listing_drv: %s, %s expected\n",
				l2tp_msg_type_str(l->msg.type), l2tp_msg_type_str(type));
			exit(1);
		}
		return true;
	}
}

static void tunnel(struct lac *l, uint16_t port, uint16_t tid)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	memset(l, 0, sizeof(*l));
	l->tid = tid;
	l->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	setsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &(int){ 1 << 20 }, sizeof(int));
	if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&a, sizeof(a)))
		die("socket");
	a.sin_port = htons(port);
	if (connect(l->fd, (struct sockaddr *)&a, sizeof(a)))
		die("connect");
	begin(l, 0, L2TP_MSG_SCCRQ);
	l2tp_mb_protocol_version(&l->mb);
	l2tp_mb_u32(&l->mb, true, L2TP_AVP_FRAMING_CAPS, 3);
	l2tp_mb_u32(&l->mb, true, L2TP_AVP_BEARER_CAPS, 3);
	l2tp_mb_str(&l->mb, true, L2TP_AVP_HOST_NAME, "bench-lac");
	l2tp_mb_u16(&l->mb, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, tid);
	l2tp_mb_u16(&l->mb, true, L2TP_AVP_RECV_WINDOW_SIZE, 16);
	lac_send(l);
	if (!expect(l, L2TP_MSG_SCCRP, 5000))
		die("no SCCRP");
	l->lns_tid = (uint16_t)l->msg.assigned_tunnel_id;
	begin(l, 0, L2TP_MSG_SCCCN);
	lac_send(l);
}

/* ICRQ: the LNS's Session ID, 0 when no ICRP came within ms. */
static uint16_t icrq(struct lac *l, uint16_t sid, int ms)
{
	char calling[32];

	snprintf(calling, sizeof(calling), "555-%05u", sid);
	begin(l, 0, L2TP_MSG_ICRQ);
	l2tp_mb_u16(&l->mb, true, L2TP_AVP_ASSIGNED_SESSION_ID, sid);
	l2tp_mb_u32(&l->mb, true, L2TP_AVP_CALL_SERIAL, sid);
	l2tp_mb_str(&l->mb, true, L2TP_AVP_CALLING_NUMBER, calling);
	lac_send(l);
	if (!expect(l, L2TP_MSG_ICRP, ms))
		return 0;
	return (uint16_t)l->msg.assigned_session_id;
}

static void iccn(struct lac *l, uint16_t lns_sid)
{
	begin(l, lns_sid, L2TP_MSG_ICCN);
	l2tp_mb_u32(&l->mb, true, L2TP_AVP_TX_CONNECT_SPEED, 10000000);
	l2tp_mb_u32(&l->mb, true, L2TP_AVP_FRAMING_TYPE, 1);
	lac_send(l);
}

static void cdn(struct lac *l, uint16_t lns_sid, uint16_t sid)
{
	begin(l, lns_sid, L2TP_MSG_CDN);
	l2tp_mb_result(&l->mb, L2TP_CDN_LOST_CARRIER, 0, NULL);
	l2tp_mb_u16(&l->mb, true, L2TP_AVP_ASSIGNED_SESSION_ID, sid);
	lac_send(l);
}

static long rss_kb(int pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* utime + stime of pid, seconds. */
static double cpu_s(int pid)
{
	char path[64];
	unsigned long ut = 0, st = 0;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	/* after "(comm)": state and 10 fields, then utime, stime */
	n = fscanf(f, "%*d (%*[^)]) %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st);
	fclose(f);
	return n == 2 ? (double)(ut + st) / (double)sysconf(_SC_CLK_TCK) : -1;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int opt, pid = 0, n = 100000, per = 1000;
	uint16_t port = 0;
	const char *cmd = NULL;
	struct lac probe, *lacs;
	double t0, *lat, cpu0;
	size_t nlat = 0, cap = 1 << 16;
	pid_t child;
	int st, ntun;

	while ((opt = getopt(argc, argv, "p:P:n:s:c:")) != -1) {
		switch (opt) {
		case 'p': port = (uint16_t)atoi(optarg); break;
		case 'P': pid = atoi(optarg); break;
		case 'n': n = atoi(optarg); break;
		case 's': per = atoi(optarg); break;
		case 'c': cmd = optarg; break;
		default: die("usage: -p PORT -P PID -n SESSIONS [-s PER_TUNNEL] -c COMMAND");
		}
	}
	if (!port || !pid || !cmd || n < 1 || per < 1 || per > 60000)
		die("usage: -p PORT -P PID -n SESSIONS [-s PER_TUNNEL] -c COMMAND");
	ntun = (n + per - 1) / per;
	lacs = calloc((size_t)ntun, sizeof(*lacs));
	lat = malloc(cap * sizeof(*lat));
	if (!lacs || !lat)
		die("out of memory");
	t0 = now_ms();
	for (int t = 0, made = 0; t < ntun; t++) {
		tunnel(&lacs[t], port, (uint16_t)(t + 1));
		for (int i = 1; i <= per && made < n; i++, made++) {
			uint16_t s = icrq(&lacs[t], (uint16_t)i, 5000);

			if (!s)
				die("no ICRP while setting up");
			iccn(&lacs[t], s);
		}
	}
	tunnel(&probe, port, 65000);
	printf("BENCH sessions %d tunnels %d setup_s %.1f\n", n, ntun, (now_ms() - t0) / 1e3);
	usleep(300000);     /* the last acknowledgments */
	printf("BENCH rss_before_kb %ld\n", rss_kb(pid));
	fflush(stdout);
	t0 = now_ms();
	cpu0 = cpu_s(pid);
	child = fork();
	if (child == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	/* ICRQ -> ICRP round trips on the probe tunnel until the command is done */
	for (uint16_t sid = 1; waitpid(child, &st, WNOHANG) == 0; sid = (uint16_t)(sid % 60000 + 1)) {
		double a = now_ms();
		uint16_t s = icrq(&probe, sid, 30000);

		if (!s)
			die("no ICRP for a probe within 30 s");
		if (nlat < cap)
			lat[nlat++] = now_ms() - a;
		cdn(&probe, s, sid);
		usleep(5000);
	}
	printf("BENCH command_s %.2f exit %d lnsd_cpu_s %.2f\n", (now_ms() - t0) / 1e3,
	       WIFEXITED(st) ? WEXITSTATUS(st) : -1, cpu_s(pid) - cpu0);
	qsort(lat, nlat, sizeof(*lat), cmp_d);
	if (nlat)
		printf("BENCH icrq_probe n %zu p50_ms %.2f p99_ms %.2f max_ms %.2f\n", nlat,
		       lat[nlat / 2], lat[nlat * 99 / 100], lat[nlat - 1]);
	usleep(300000);
	printf("BENCH rss_after_kb %ld\n", rss_kb(pid));
	for (int t = 0; t < ntun; t++)
		close(lacs[t].fd);
	close(probe.fd);
	free(lacs);
	free(lat);
	return 0;
}
