// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kgxfrm: kg_xfrm against a real kernel (root, VM: tests/vm/t_xfrm_policy.sh).
 * Each mode prints one line per event, flushed, for the script to grep.
 *
 *   kgxfrm probe
 *       kg_xfrm_available(): "available" (exit 0) or "unavailable" (exit 1).
 *   kgxfrm recv [-6] [-n] [-r] [-q REQID] ADDR PORT SECONDS
 *       UDP socket bound to ADDR:PORT with the ESP policy (-n: without;
 *       -q: its templates carry REQID, default 0),
 *       prints "ready", then "recv FROM TEXT" per datagram; -r answers each
 *       with "echo:TEXT" from the same socket ("reply ok" / "reply ERRNO").
 *       Exits after SECONDS.
 *   kgxfrm send [-6] [-p] [-q REQID] [-s PORT] [-w MS] DST PORT TEXT
 *       One datagram from an unbound (or -s PORT) socket, with the policy
 *       if -p. Prints "sendto ok" or "sendto ERRNO"; with -w waits MS for
 *       an answer ("reply FROM TEXT" or "no reply").
 *       Exit 0 sent (and answered), 2 no answer, 3 sendto failed.
 */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kg_xfrm.h"

enum { KGX_MAXMSG = 1500 };

struct opts {
	int family;
	bool policy;
	bool reply;
	int src_port;
	int wait_ms;
	uint32_t reqid;
};

static void usage(void)
{
	fprintf(stderr, "usage: kgxfrm probe\n"
			"       kgxfrm recv [-6] [-n] [-r] [-q REQID] ADDR PORT SECONDS\n"
			"       kgxfrm send [-6] [-p] [-q REQID] [-s PORT] [-w MS] DST PORT TEXT\n");
	exit(1);
}

static void die(const char *what, int err)
{
	printf("FAIL: %s: %s (%s)\n", what, strerrorname_np(err), strerror(err));
	exit(1);
}

static socklen_t make_addr(int family, const char *addr, int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1)
			usage();
		return sizeof(*s4);
	}
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons((uint16_t)port);
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1)
		usage();
	return sizeof(*s6);
}

static const char *fmt_addr(const struct sockaddr_storage *ss, char *buf, size_t n)
{
	char a[INET6_ADDRSTRLEN] = "?";
	int port = 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		port = ntohs(s4->sin_port);
		snprintf(buf, n, "%s:%d", a, port);
	} else {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		port = ntohs(s6->sin6_port);
		snprintf(buf, n, "[%s]:%d", a, port);
	}
	return buf;
}

/* A UDP socket of o->family, IPv6-only, optionally bound, with the ESP policy if asked. */
static int open_sock(const struct opts *o, const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, one = 1, rc;

	fd = socket(o->family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		die("socket", errno);
	if (o->family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		die("IPV6_V6ONLY", errno);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		die("SO_REUSEADDR", errno);
	/* Before bind: the socket must never see a datagram without the policy. */
	if (o->policy) {
		rc = kg_xfrm_socket_require_esp(fd, o->family, o->reqid);
		if (rc < 0)
			die("kg_xfrm_socket_require_esp", -rc);
	}
	if (addr) {
		sl = make_addr(o->family, addr, port, &ss);
		if (bind(fd, (struct sockaddr *)&ss, sl) < 0)
			die("bind", errno);
	}
	return fd;
}

/* One datagram within ms (-1: none), printed as "PREFIX FROM TEXT"; its sender in *from. */
static int recv_one(int fd, int ms, const char *prefix, struct sockaddr_storage *from,
		    char *msg, size_t msgsz)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	socklen_t fl = sizeof(*from);
	char fb[INET6_ADDRSTRLEN + 16];
	ssize_t n;

	if (poll(&pfd, 1, ms) <= 0)
		return -1;
	n = recvfrom(fd, msg, msgsz - 1, 0, (struct sockaddr *)from, &fl);
	if (n < 0)
		die("recvfrom", errno);
	msg[n] = '\0';
	printf("%s %s %s\n", prefix, fmt_addr(from, fb, sizeof(fb)), msg);
	fflush(stdout);
	return (int)n;
}

static int do_recv(const struct opts *o, char **argv)
{
	time_t end = time(NULL) + atoi(argv[2]);
	int fd = open_sock(o, argv[0], atoi(argv[1]));
	char msg[KGX_MAXMSG], out[KGX_MAXMSG + 8];
	struct sockaddr_storage from;
	int n;

	printf("ready %s policy (reqid %u)\n", o->policy ? "with" : "without", o->reqid);
	fflush(stdout);
	while (time(NULL) < end) {
		if (recv_one(fd, 200, "recv", &from, msg, sizeof(msg)) < 0 || !o->reply)
			continue;
		n = snprintf(out, sizeof(out), "echo:%s", msg);
		if (sendto(fd, out, (size_t)n, 0, (struct sockaddr *)&from,
			   from.ss_family == AF_INET ? sizeof(struct sockaddr_in)
						     : sizeof(struct sockaddr_in6)) < 0)
			printf("reply %s\n", strerrorname_np(errno));
		else
			printf("reply ok\n");
		fflush(stdout);
	}
	close(fd);
	return 0;
}

static int do_send(const struct opts *o, char **argv)
{
	const char *any = o->family == AF_INET ? "0.0.0.0" : "::";
	int fd = open_sock(o, o->src_port ? any : NULL, o->src_port);
	struct sockaddr_storage to, from;
	char msg[KGX_MAXMSG];
	socklen_t tl = make_addr(o->family, argv[0], atoi(argv[1]), &to);
	int rc = 0;

	if (sendto(fd, argv[2], strlen(argv[2]), 0, (struct sockaddr *)&to, tl) < 0) {
		printf("sendto %s\n", strerrorname_np(errno));
		rc = 3;
	} else {
		printf("sendto ok\n");
	}
	fflush(stdout);
	if (rc == 0 && o->wait_ms > 0 &&
	    recv_one(fd, o->wait_ms, "reply", &from, msg, sizeof(msg)) < 0) {
		printf("no reply\n");
		rc = 2;
	}
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o = { .family = AF_INET, .policy = true };
	const char *mode;
	int c;

	if (argc < 2)
		usage();
	mode = argv[1];
	if (strcmp(mode, "probe") == 0) {
		bool ok = kg_xfrm_available();

		printf("%s\n", ok ? "available" : "unavailable");
		return ok ? 0 : 1;
	}
	if (strcmp(mode, "send") == 0)
		o.policy = false;
	optind = 2;
	while ((c = getopt(argc, argv, "6npq:rs:w:")) != -1) {
		switch (c) {
		case '6': o.family = AF_INET6; break;
		case 'n': o.policy = false; break;
		case 'p': o.policy = true; break;
		case 'q': o.reqid = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'r': o.reply = true; break;
		case 's': o.src_port = atoi(optarg); break;
		case 'w': o.wait_ms = atoi(optarg); break;
		default: usage();
		}
	}
	if (argc - optind != 3)
		usage();
	if (strcmp(mode, "recv") == 0)
		return do_recv(&o, argv + optind);
	if (strcmp(mode, "send") == 0)
		return do_send(&o, argv + optind);
	usage();
	return 1;
}
