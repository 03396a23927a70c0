// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the kernel's UDP demultiplexing costs lnsd's sockets: a listener on
 * 127.0.0.1:PORT and N "tunnel sockets" laid out as lnsd lays them out
 * (lnsd/udp.c, eng_tunnel_socket: SO_REUSEPORT, bound to the listener's
 * address and port while the listener allows it, connected to a peer of
 * their own). Then M datagrams to the listener (what an SCCRQ from a new
 * LAC costs) and M to one tunnel socket (what a LAC's message on its
 * established tunnel costs), each sent and read back, timed per datagram.
 * Run it in a network namespace of its own (tests/bench/burst.sh does).
 *
 *   udp_demux N M [PORT]
 *
 * Prints one line: N, the median µs per datagram to the listener and to
 * a tunnel socket, µs per tunnel socket set up (bind + connect, the last
 * 1,000).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct sockaddr_in sin4(uint32_t host, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(host);
	return a;
}

static void die(const char *what)
{
	fprintf(stderr, "udp_demux: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void reuseport(int fd, int on)
{
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) < 0)
		die("SO_REUSEPORT");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Send m datagrams from fd to `to` and read each back from rx: the median
 * µs per datagram (on loopback the kernel delivers it within sendto(); the
 * median leaves out the sends that the scheduler interrupted).
 */
static double round_trips(int fd, const struct sockaddr_in *to, int rx, int m)
{
	char buf[128] = { 0 }, in[2048];
	double *t = calloc((size_t)m, sizeof(*t)), med;

	if (!t)
		die("calloc");
	for (int i = 0; i < m; i++) {
		double t0 = now_s();

		if (sendto(fd, buf, sizeof(buf), 0, (const struct sockaddr *)to, sizeof(*to)) < 0)
			die("sendto");
		if (recv(rx, in, sizeof(in), 0) < 0)
			die("recv");
		t[i] = (now_s() - t0) * 1e6;
	}
	qsort(t, (size_t)m, sizeof(*t), cmp_double);
	med = t[m / 2];
	free(t);
	return med;
}

int main(int argc, char **argv)
{
	int n, m, lst, first = -1, lac, peer;
	uint16_t port;
	struct sockaddr_in la, a;
	struct rlimit rl;
	double t0 = 0, setup;

	if (argc < 3) {
		fprintf(stderr, "usage: udp_demux N M [PORT]\n");
		return 2;
	}
	n = atoi(argv[1]);
	m = atoi(argv[2]);
	port = (uint16_t)(argc > 3 ? atoi(argv[3]) : 1701);
	if (n < 1 || m < 1 || n > 60000)
		return 2;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("RLIMIT_NOFILE");
	rl.rlim_cur = rl.rlim_max < (rlim_t)n + 64 ? rl.rlim_max : (rlim_t)n + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < (rlim_t)n + 16) {
		fprintf(stderr, "udp_demux: RLIMIT_NOFILE %lu is too low for %d sockets\n",
			(unsigned long)rl.rlim_cur, n);
		return 1;
	}

	la = sin4(INADDR_LOOPBACK, port);
	lst = socket(AF_INET, SOCK_DGRAM, 0);
	if (lst < 0 || bind(lst, (struct sockaddr *)&la, sizeof(la)) < 0)
		die("listener");
	for (int i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

		if (i == n - 1000 || (n <= 1000 && i == 0))
			t0 = now_s();
		if (fd < 0)
			die("socket");
		reuseport(fd, 1);
		reuseport(lst, 1);    /* only while a tunnel socket binds, as lnsd does */
		if (bind(fd, (struct sockaddr *)&la, sizeof(la)) < 0)
			die("bind");
		reuseport(lst, 0);
		/* peers 127.2.x.y:2000+, one address per 50,000 ports */
		a = sin4(0x7f020001u + (uint32_t)(i / 50000), (uint16_t)(2000 + i % 50000));
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
			die("connect");
		if (first < 0)
			first = fd;
	}
	setup = (now_s() - t0) * 1e6 / (n < 1000 ? n : 1000);

	/* a new LAC: to the listener */
	lac = socket(AF_INET, SOCK_DGRAM, 0);
	a = sin4(0x7f030001u, 0);
	if (lac < 0 || bind(lac, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("LAC socket");
	/* the first tunnel's peer: to its own socket */
	peer = socket(AF_INET, SOCK_DGRAM, 0);
	a = sin4(0x7f020001u, 2000);
	if (peer < 0 || bind(peer, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("peer socket");
	printf("udp_demux: %d tunnel sockets: %.1f us per datagram to the listener, %.1f us to a "
	       "tunnel socket; %.1f us per tunnel socket set up\n", n,
	       round_trips(lac, &la, lst, m), round_trips(peer, &la, first, m), setup);
	return 0;
}
