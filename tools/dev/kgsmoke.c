// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kgsmoke: exercise kmod-glue against a real kernel (run as root in the VM,
 * tests/vm/t_kmod_glue.sh). Two ends in two network namespaces joined by a
 * link: each gets a managed L2TPv2 tunnel on a connected UDP socket, a PPP
 * session (one end in LNS mode), pppN via PPPoL2TP + /dev/ppp, an address
 * and route via rtnetlink. UDP datagrams cross the pppN pair both ways; the
 * kernel counters are read by single GET and by dump; then everything is
 * torn down and checked gone.
 *
 *   kgsmoke NETNS_A ADDR_A NETNS_B ADDR_B     (namespaces from `ip netns add`)
 */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/l2tp.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kg_l2tp.h"
#include "kg_ppp.h"
#include "kg_rtnl.h"

enum { KGS_PORT = 1701, KGS_DATA_PORT = 7777, KGS_PACKETS = 5 };

struct end {
	const char *name;        /* "A" / "B" */
	int nsfd;
	struct in_addr addr;     /* link address in its namespace */
	struct in_addr ppp_local, ppp_peer;
	uint32_t tid, peer_tid, sid, peer_sid;
	bool lns;
	const char *ifname;      /* pppN is renamed to this */
	struct kg_l2tp l2tp;
	struct kg_rtnl rtnl;
	int udp_fd;
	struct sockaddr_in peer;
	struct kg_ppp ppp;
	int ifindex;
};

static int step_no;

static void step(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("[%2d] ", ++step_no);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
}

static void die(const char *what, int err, const char *ext_ack)
{
	printf("FAIL: %s: %s%s%s%s\n", what, strerror(-err), ext_ack && *ext_ack ? " (" : "",
	       ext_ack ? ext_ack : "", ext_ack && *ext_ack ? ")" : "");
	exit(1);
}

static void enter(const struct end *e)
{
	if (setns(e->nsfd, CLONE_NEWNET) < 0)
		die("setns", -errno, NULL);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static const char *ip4(struct in_addr a, char buf[INET_ADDRSTRLEN])
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static void print_stats(const char *what, const struct kg_l2tp_stats *st)
{
	printf("     %s: tx %llu pkts %llu bytes %llu err | rx %llu pkts %llu bytes %llu err"
	       " | seq_discards %llu oos %llu cookie %llu invalid %llu\n", what,
	       (unsigned long long)st->tx_packets, (unsigned long long)st->tx_bytes,
	       (unsigned long long)st->tx_errors, (unsigned long long)st->rx_packets,
	       (unsigned long long)st->rx_bytes, (unsigned long long)st->rx_errors,
	       (unsigned long long)st->rx_seq_discards, (unsigned long long)st->rx_oos_packets,
	       (unsigned long long)st->rx_cookie_discards, (unsigned long long)st->rx_invalid);
}

/* Namespace, genetlink and rtnetlink handles, UDP socket, tunnel, session, pppN, addresses. */
static void bring_up(struct end *e)
{
	struct kg_l2tp_session_cfg cfg = {
		.tid = e->tid, .peer_tid = e->peer_tid, .sid = e->sid, .peer_sid = e->peer_sid,
		.lns_mode = e->lns, .recv_timeout_ms = 0,
	};
	struct sockaddr_in local = { .sin_family = AF_INET, .sin_port = htons(KGS_PORT),
				     .sin_addr = e->addr };
	char b1[INET_ADDRSTRLEN], b2[INET_ADDRSTRLEN];
	int one = 1;
	int rc;

	enter(e);
	rc = kg_l2tp_open(&e->l2tp);
	if (rc < 0)
		die("kg_l2tp_open", rc, NULL);
	rc = kg_rtnl_open(&e->rtnl);
	if (rc < 0)
		die("kg_rtnl_open", rc, NULL);
	step("%s: genetlink family l2tp = %d, rtnetlink open", e->name, e->l2tp.family);

	e->udp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (e->udp_fd < 0 ||
	    setsockopt(e->udp_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(e->udp_fd, (struct sockaddr *)&local, sizeof(local)) < 0 ||
	    connect(e->udp_fd, (struct sockaddr *)&e->peer, sizeof(e->peer)) < 0)
		die("UDP socket", -errno, NULL);
	step("%s: UDP %s:%d connected to %s:%d", e->name, ip4(e->addr, b1), KGS_PORT,
	     ip4(e->peer.sin_addr, b2), ntohs(e->peer.sin_port));

	rc = kg_l2tp_tunnel_create(&e->l2tp, e->tid, e->peer_tid, e->udp_fd);
	if (rc < 0)
		die("kg_l2tp_tunnel_create", rc, e->l2tp.ext_ack);
	step("%s: tunnel %u/%u created on fd %d", e->name, e->tid, e->peer_tid, e->udp_fd);

	/* A second create of the same id must fail cleanly with the kernel's errno. */
	rc = kg_l2tp_tunnel_create(&e->l2tp, e->tid, e->peer_tid, e->udp_fd);
	if (rc != -EEXIST)
		die("duplicate tunnel create did not give EEXIST", rc ? rc : -EPROTO, e->l2tp.ext_ack);
	step("%s: duplicate tunnel create -> %s (ext ack: \"%s\")", e->name, strerror(-rc),
	     e->l2tp.ext_ack);

	rc = kg_l2tp_session_create(&e->l2tp, &cfg);
	if (rc < 0)
		die("kg_l2tp_session_create", rc, e->l2tp.ext_ack);
	step("%s: session %u/%u created (%s mode)", e->name, e->sid, e->peer_sid,
	     e->lns ? "LNS" : "LAC");

	rc = kg_ppp_open(&e->ppp, e->udp_fd, (struct sockaddr *)&e->peer, sizeof(e->peer),
			 e->tid, e->peer_tid, e->sid, e->peer_sid);
	if (rc < 0)
		die("kg_ppp_open", rc, NULL);
	step("%s: PPPoL2TP fd %d, channel fd %d, unit fd %d -> %s", e->name, e->ppp.pppox_fd,
	     e->ppp.chan_fd, e->ppp.unit_fd, e->ppp.ifname);

	e->ifindex = kg_rtnl_ifindex(&e->rtnl, e->ppp.ifname);
	if (e->ifindex < 0)
		die("kg_rtnl_ifindex", e->ifindex, NULL);
	rc = kg_rtnl_rename(&e->rtnl, e->ifindex, e->ifname);
	if (rc < 0)
		die("kg_rtnl_rename", rc, e->rtnl.ext_ack);
	snprintf(e->ppp.ifname, sizeof(e->ppp.ifname), "%s", e->ifname);
	rc = kg_rtnl_ifindex(&e->rtnl, e->ifname);
	if (rc != e->ifindex)
		die("renamed interface not found", rc < 0 ? rc : -ENODEV, NULL);
	step("%s: ifindex %d renamed to %s", e->name, e->ifindex, e->ifname);

	/* Host bits under a /24 make the kernel explain itself in an extended ack. */
	rc = kg_rtnl_add_route4(&e->rtnl, e->ifindex, e->ppp_peer, 24);
	if (rc != -EINVAL || !e->rtnl.ext_ack[0])
		die("bad route did not give EINVAL with text", rc ? rc : -EPROTO, e->rtnl.ext_ack);
	step("%s: route %s/24 -> %s (ext ack: \"%s\")", e->name, ip4(e->ppp_peer, b1),
	     strerror(-rc), e->rtnl.ext_ack);
	rc = kg_rtnl_set_mtu(&e->rtnl, e->ifindex, 1400);
	if (rc < 0)
		die("kg_rtnl_set_mtu", rc, e->rtnl.ext_ack);
	rc = kg_rtnl_add_addr4(&e->rtnl, e->ifindex, e->ppp_local, 32, &e->ppp_peer);
	if (rc < 0)
		die("kg_rtnl_add_addr4", rc, e->rtnl.ext_ack);
	rc = kg_rtnl_set_up(&e->rtnl, e->ifindex);
	if (rc < 0)
		die("kg_rtnl_set_up", rc, e->rtnl.ext_ack);
	rc = kg_rtnl_add_route4(&e->rtnl, e->ifindex, e->ppp_peer, 32);
	if (rc < 0)
		die("kg_rtnl_add_route4", rc, e->rtnl.ext_ack);
	step("%s: %s mtu 1400, %s peer %s/32, up, host route", e->name, e->ifname,
	     ip4(e->ppp_local, b1), ip4(e->ppp_peer, b2));
}

static int udp_sock(const struct end *e, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr = e->ppp_local };
	int fd;

	enter(e);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("data socket", -errno, NULL);
	return fd;
}

/* KGS_PACKETS datagrams from one end's pppN address to the other's; all must arrive. */
static void send_across(const struct end *from, const struct end *to)
{
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(KGS_DATA_PORT),
				   .sin_addr = to->ppp_local };
	int rfd = udp_sock(to, KGS_DATA_PORT);
	int sfd = udp_sock(from, 0);
	char msg[64], buf[128], b1[INET_ADDRSTRLEN], b2[INET_ADDRSTRLEN];
	int got = 0;
	int i;

	for (i = 0; i < KGS_PACKETS; i++) {
		snprintf(msg, sizeof(msg), "kgsmoke %s->%s #%d", from->name, to->name, i);
		if (sendto(sfd, msg, strlen(msg), 0, (struct sockaddr *)&dst, sizeof(dst)) < 0)
			die("sendto across pppN", -errno, NULL);
	}
	while (got < KGS_PACKETS) {
		struct pollfd pfd = { .fd = rfd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 3000) <= 0) {
			printf("FAIL: %s -> %s: %d of %d datagrams arrived\n", from->name, to->name,
			       got, KGS_PACKETS);
			exit(1);
		}
		n = recv(rfd, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			die("recv", -errno, NULL);
		got++;
	}
	close(sfd);
	close(rfd);
	step("%s -> %s: %d UDP datagrams %s -> %s:%d over %s -> %s", from->name, to->name, got,
	     ip4(from->ppp_local, b1), ip4(to->ppp_local, b2), KGS_DATA_PORT, from->ifname,
	     to->ifname);
}

struct ev_seen {
	uint32_t tid;            /* events of this tunnel are counted */
	int tunnel_create, session_create, tunnel_delete, total;
};

static void on_event(void *ctx, uint8_t cmd, uint32_t tid, uint32_t sid)
{
	struct ev_seen *s = ctx;

	s->total++;
	printf("     event: cmd %u tunnel %u session %u\n", cmd, tid, sid);
	if (tid != s->tid)
		return;
	s->tunnel_create += cmd == L2TP_CMD_TUNNEL_CREATE;
	s->session_create += cmd == L2TP_CMD_SESSION_CREATE;
	s->tunnel_delete += cmd == L2TP_CMD_TUNNEL_DELETE;
}

static void read_events(struct kg_l2tp_events *ev, struct ev_seen *seen, const char *when)
{
	int rc = kg_l2tp_events_read(ev, on_event, seen);

	if (rc < 0)
		die("kg_l2tp_events_read", rc, NULL);
	step("A: %d multicast notification(s) %s", rc, when);
}

struct dump_count {
	int tunnels, sessions;
	uint32_t want_tid, want_sid;
	bool found;
	struct kg_l2tp_stats st;
};

static void on_tunnel(void *ctx, uint32_t tid, uint32_t peer_tid, const struct kg_l2tp_stats *st)
{
	struct dump_count *d = ctx;

	d->tunnels++;
	printf("     dump: tunnel %u/%u\n", tid, peer_tid);
	if (tid == d->want_tid) {
		d->found = true;
		d->st = *st;
	}
}

static void on_session(void *ctx, uint32_t tid, uint32_t sid, uint32_t peer_sid,
		       const struct kg_l2tp_stats *st)
{
	struct dump_count *d = ctx;

	d->sessions++;
	printf("     dump: session %u/%u peer %u\n", tid, sid, peer_sid);
	if (tid == d->want_tid && sid == d->want_sid) {
		d->found = true;
		d->st = *st;
	}
}

static void check_stats(struct end *e)
{
	struct kg_l2tp_stats ts, ss;
	struct dump_count dt = { .want_tid = e->tid }, ds = { .want_tid = e->tid,
							      .want_sid = e->sid };
	int rc;

	enter(e);
	rc = kg_l2tp_tunnel_stats(&e->l2tp, e->tid, &ts);
	if (rc < 0)
		die("kg_l2tp_tunnel_stats", rc, e->l2tp.ext_ack);
	rc = kg_l2tp_session_stats(&e->l2tp, e->tid, e->sid, &ss);
	if (rc < 0)
		die("kg_l2tp_session_stats", rc, e->l2tp.ext_ack);
	step("%s: single GET", e->name);
	print_stats("tunnel ", &ts);
	print_stats("session", &ss);
	if (ss.tx_packets < KGS_PACKETS || ss.rx_packets < KGS_PACKETS || ss.tx_bytes == 0 ||
	    ss.rx_bytes == 0) {
		printf("FAIL: %s: session counters did not move\n", e->name);
		exit(1);
	}

	rc = kg_l2tp_tunnel_dump(&e->l2tp, on_tunnel, &dt);
	if (rc < 0)
		die("kg_l2tp_tunnel_dump", rc, e->l2tp.ext_ack);
	rc = kg_l2tp_session_dump(&e->l2tp, on_session, &ds);
	if (rc < 0)
		die("kg_l2tp_session_dump", rc, e->l2tp.ext_ack);
	step("%s: dump: %d tunnel(s), %d session(s)", e->name, dt.tunnels, ds.sessions);
	if (dt.tunnels != 1 || ds.sessions != 1 || !dt.found || !ds.found) {
		printf("FAIL: %s: expected exactly our tunnel and session in the dumps\n", e->name);
		exit(1);
	}
	print_stats("session (dump)", &ds.st);
	if (ds.st.rx_packets < ss.rx_packets || ds.st.tx_packets < ss.tx_packets) {
		printf("FAIL: %s: dump counters behind the single GET\n", e->name);
		exit(1);
	}
}

/* Deletion is asynchronous on 6.12 (and the tunnel's on both): poll for up to 3 s. */
static void check_gone(struct end *e)
{
	struct dump_count d = { 0 };
	int i, rc;

	enter(e);
	for (i = 0; i < 30; i++) {
		memset(&d, 0, sizeof(d));
		rc = kg_l2tp_tunnel_dump(&e->l2tp, on_tunnel, &d);
		if (rc < 0)
			die("kg_l2tp_tunnel_dump", rc, e->l2tp.ext_ack);
		rc = kg_l2tp_session_dump(&e->l2tp, on_session, &d);
		if (rc < 0)
			die("kg_l2tp_session_dump", rc, e->l2tp.ext_ack);
		if (d.tunnels == 0 && d.sessions == 0)
			break;
		sleep_ms(100);
	}
	if (d.tunnels || d.sessions) {
		printf("FAIL: %s: %d tunnel(s), %d session(s) left\n", e->name, d.tunnels,
		       d.sessions);
		exit(1);
	}
	rc = kg_rtnl_ifindex(&e->rtnl, e->ifname);
	if (rc != -ENODEV) {
		printf("FAIL: %s: %s still exists (%d)\n", e->name, e->ifname, rc);
		exit(1);
	}
	step("%s: tunnel and session dumps empty, %s gone", e->name, e->ifname);
}

static int open_ns(const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(path, -errno, NULL);
	return fd;
}

static void setup_end(struct end *e, const char *name, const char *ns, const char *addr,
		      const char *peer_addr)
{
	e->name = name;
	e->nsfd = open_ns(ns);
	if (inet_pton(AF_INET, addr, &e->addr) != 1 ||
	    inet_pton(AF_INET, peer_addr, &e->peer.sin_addr) != 1) {
		printf("bad address\n");
		exit(2);
	}
	e->peer.sin_family = AF_INET;
	e->peer.sin_port = htons(KGS_PORT);
	e->udp_fd = -1;
	kg_ppp_init(&e->ppp);
}

int main(int argc, char **argv)
{
	struct end a = { 0 }, b = { 0 };
	struct kg_l2tp_events ev;
	struct ev_seen seen = { .tid = 100 };
	int rc;

	if (argc != 5) {
		fprintf(stderr, "usage: kgsmoke NETNS_A ADDR_A NETNS_B ADDR_B\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	setup_end(&a, "A", argv[1], argv[2], argv[4]);
	setup_end(&b, "B", argv[3], argv[4], argv[2]);
	a.tid = 100, a.peer_tid = 200, a.sid = 10, a.peer_sid = 20, a.lns = true;
	b.tid = 200, b.peer_tid = 100, b.sid = 20, b.peer_sid = 10, b.lns = false;
	inet_pton(AF_INET, "10.77.0.1", &a.ppp_local);
	inet_pton(AF_INET, "10.77.0.2", &a.ppp_peer);
	b.ppp_local = a.ppp_peer;
	b.ppp_peer = a.ppp_local;
	a.ifname = "kgppa";
	b.ifname = "kgppb";

	enter(&a);
	rc = kg_l2tp_events_open(&ev);
	if (rc < 0)
		die("kg_l2tp_events_open", rc, NULL);
	step("A: joined the l2tp multicast group (fd %d)", ev.fd);

	bring_up(&a);
	bring_up(&b);

	read_events(&ev, &seen, "after setup");
	if (seen.tunnel_create != 1 || seen.session_create != 1) {
		printf("FAIL: expected TUNNEL_CREATE and SESSION_CREATE for tunnel 100\n");
		return 1;
	}

	send_across(&a, &b);
	send_across(&b, &a);

	check_stats(&a);
	check_stats(&b);

	/* A: explicit deletes, then close; B: close only (the kernel cleans up). */
	enter(&a);
	kg_ppp_close(&a.ppp);
	rc = kg_l2tp_session_delete(&a.l2tp, a.tid, a.sid);
	step("A: pppN closed; SESSION_DELETE afterwards -> %s", rc ? strerror(-rc) : "ok");
	rc = kg_l2tp_tunnel_delete(&a.l2tp, a.tid);
	if (rc < 0)
		die("kg_l2tp_tunnel_delete", rc, a.l2tp.ext_ack);
	close(a.udp_fd);
	step("A: tunnel deleted, UDP socket closed");
	read_events(&ev, &seen, "after teardown");
	if (seen.tunnel_delete != 1) {
		printf("FAIL: expected TUNNEL_DELETE for tunnel 100\n");
		return 1;
	}
	kg_l2tp_events_close(&ev);
	kg_l2tp_events_close(&ev);              /* closing twice is safe */
	enter(&b);
	kg_ppp_close(&b.ppp);
	close(b.udp_fd);
	step("B: pppN and UDP socket closed");

	check_gone(&a);
	check_gone(&b);

	kg_l2tp_close(&a.l2tp);
	kg_l2tp_close(&b.l2tp);
	kg_l2tp_close(&b.l2tp);                 /* closing twice is safe */
	kg_rtnl_close(&a.rtnl);
	kg_rtnl_close(&b.rtnl);
	close(a.nsfd);
	close(b.nsfd);
	printf("PASS\n");
	return 0;
}
