// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kgv3: the kernel side of an L2TPv3 Ethernet pseudowire as lnsd makes it
 * after negotiation, through lnsd's own data plane (lnsd/dp.h, dp_kernel.c,
 * hence kmod-glue): the tunnel socket (UDP, or L2TP/IP with
 * dp_l2tp_ip_socket), a managed v3 tunnel, dp_eth_open (l2tp_eth session,
 * interface name, MTU, bridge port or address, up). Run as root in the VM
 * (tests/vm/t_lnsd_v3_kernel.sh), in the namespace of the near end.
 *
 *   kgv3 up --encap udp|ip --local A --peer B (IPv4 or IPv6) --tid N --ptid N --sid N --psid N
 *           [--rx-cookie HEX] [--tx-cookie HEX] [--l2spec none|default] [--seq]
 *           [--pw eth|vlan] [--ifname NAME] [--bridge BR] [--addr A/PLEN]
 *           [--mtu N] [--port P] [--peer-port P] [--probe]
 *       prints READY, then one LINK line per link event of its interface,
 *       until SIGTERM or SIGINT: closes everything, checks the kernel
 *       session and tunnel are gone, prints CLOSED.
 *           [--clash]   (after READY: a second dp_eth_open with the same name and
 *                        another id, then the same id and another name: CLASH line)
 *   kgv3 ipctl A          two L2TP/IP sockets on address A (dp_l2tp_ip_socket) and a
 *                         raw socket for protocol 115: a v3 control message sent on one
 *                         arrives on the other as sent, and on the wire with the zero
 *                         Session ID in front (IPCTL line)
 *   kgv3 stats TID SID      the session's kernel counters (genetlink GET)
 *   kgv3 state IFNAME       the interface's state (rtnetlink), usable or not
 */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dp.h"
#include "kg_l2tp.h"

#ifndef IPPROTO_L2TP                /* linux/in.h has it, glibc's netinet/in.h does not */
#define IPPROTO_L2TP 115
#endif

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void die(const char *what, int err, const char *ext_ack)
{
	printf("FAIL: %s: %s%s%s%s\n", what, strerror(-err), ext_ack && *ext_ack ? " (" : "",
	       ext_ack ? ext_ack : "", ext_ack && *ext_ack ? ")" : "");
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: kgv3 up --encap udp|ip --local A --peer B --tid N --ptid N --sid N"
			" --psid N [--rx-cookie HEX] [--tx-cookie HEX] [--l2spec none|default]"
			" [--seq] [--pw eth|vlan] [--ifname NAME] [--bridge BR] [--addr A/PLEN]"
			" [--mtu N] [--port P] [--peer-port P] [--probe] [--clash]\n"
			"       kgv3 ipctl A\n"
			"       kgv3 stats TID SID\n"
			"       kgv3 state IFNAME\n");
	exit(2);
}

static uint32_t num(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || v > UINT32_MAX)
		usage();
	return (uint32_t)v;
}

/* 8 or 16 hex digits: a 4- or 8-byte cookie. */
static uint8_t cookie(const char *s, uint8_t out[8])
{
	size_t n = strlen(s);

	if (n != 8 && n != 16)
		usage();
	for (size_t i = 0; i < n / 2; i++) {
		unsigned int b;

		if (sscanf(s + 2 * i, "%2x", &b) != 1)
			usage();
		out[i] = (uint8_t)b;
	}
	return (uint8_t)(n / 2);
}

/* An IPv4 or IPv6 address into ss (port 0); both ends must be of one family. */
static bool addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		*len = sizeof(*a4);
		return true;
	}
	if (inet_pton(AF_INET6, s, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		*len = sizeof(*a6);
		return true;
	}
	return false;
}

static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons(port);
}

static struct dp *open_dp(void)
{
	char err[256];
	struct dp *d = dp_kernel_new(err, sizeof(err));

	if (!d) {
		printf("FAIL: dp_kernel_new: %s\n", err);
		exit(1);
	}
	return d;
}

static void print_state(const char *tag, const char *ifname, const struct dp_link_state *st)
{
	printf("%s %s admin=%d lower=%d oper=%d usable=%d mtu=%u master=%d\n", tag, ifname,
	       st->admin_up, st->lower_up, (int)st->oper, dp_link_usable(st), st->mtu, st->master);
	fflush(stdout);
}

struct watch {
	int ifindex;
};

static void on_link(void *ctx, int ifindex, const char *ifname, const struct dp_link_state *st,
		    bool deleted)
{
	struct watch *w = ctx;

	if (ifindex != w->ifindex)
		return;
	print_state(deleted ? "LINK-GONE" : "LINK", ifname, st);
}

struct count {
	uint32_t tid;
	int n;
};

static void count_tunnel(void *ctx, uint32_t tid, const struct dp_stats *st)
{
	struct count *c = ctx;

	(void)st;
	c->n += tid == c->tid;
}

static void count_session(void *ctx, uint32_t tid, uint32_t sid, const struct dp_stats *st)
{
	struct count *c = ctx;

	(void)sid;
	(void)st;
	c->n += tid == c->tid;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Facts about the running kernel, printed as PROBE lines: does it take an
 * Ethernet VLAN pseudowire (type 4) itself? The session is deleted again.
 */
static void probe(const struct dp_session_cfg *s)
{
	struct kg_l2tp kg;
	struct kg_l2tp_session_cfg kc = {
		.tid = s->tid, .peer_tid = s->peer_tid, .sid = s->sid + 1000,
		.peer_sid = s->peer_sid + 1000, .pw_type = DP_PW_ETH_VLAN, .v3 = true,
		.l2spec_type = 0,
	};
	int rc = kg_l2tp_open(&kg);

	if (rc < 0)
		die("kg_l2tp_open", rc, NULL);
	rc = kg_l2tp_session_create(&kg, &kc);
	printf("PROBE pw_type=4 session_create=%d (%s)%s%s\n", rc, rc ? strerror(-rc) : "ok",
	       kg.ext_ack[0] ? " ext_ack: " : "", kg.ext_ack);
	if (rc == 0)
		(void)kg_l2tp_session_delete(&kg, kc.tid, kc.sid);
	kg_l2tp_close(&kg);
}

/*
 * The two ways a second session can clash with the first (dp.h): its
 * interface name (-ENOTUNIQ, whatever the id) and its session id
 * (-EEXIST). Whatever opens by mistake is closed again.
 */
static void clash(struct dp *d, const struct dp_eth_cfg *first)
{
	struct dp_eth_cfg c = *first;
	struct dp_eth e;
	int by_name, by_id;

	c.s.sid = first->s.sid + 5000;
	by_name = dp_eth_open(d, &e, &c);
	if (by_name == 0)
		dp_eth_close(d, &e);
	c.s.sid = first->s.sid;
	c.s.ifname = "kgv3-clash";
	by_id = dp_eth_open(d, &e, &c);
	if (by_id == 0)
		dp_eth_close(d, &e);
	printf("CLASH name=%s id=%s\n", by_name ? strerrorname_np(-by_name) : "ok",
	       by_id ? strerrorname_np(-by_id) : "ok");
}

/*
 * What the kernel's L2TP/IP socket does with a control message (docs/design.md
 * §4.8): the daemon sends and receives it from the T bit on; the zero
 * Session ID that marks it on the wire is the kernel's to add and strip.
 */
static int cmd_ipctl(int argc, char **argv)
{
	/* A ZLB: T L S, version 3, length 12, Control Connection ID, Ns, Nr. */
	uint8_t msg[12] = { 0xc8, 0x03, 0x00, 0x0c, 0, 0, 0x1b, 0x5a, 0, 0, 0, 0 };
	struct sockaddr_in a = { .sin_family = AF_INET }, b;
	uint8_t got[64], wire[128];
	int x, y, raw;
	ssize_t n, w = 0;
	size_t ihl;

	if (argc != 2 || inet_pton(AF_INET, argv[1], &a.sin_addr) != 1)
		usage();
	b = a;
	/* x (conn 7001) and y (conn 7002, the id in msg) on one address, connected to each other */
	x = dp_l2tp_ip_socket((struct sockaddr *)&a, (struct sockaddr *)&b, 7001, 7002);
	y = dp_l2tp_ip_socket((struct sockaddr *)&b, (struct sockaddr *)&a, 7002, 7001);
	raw = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_L2TP);
	if (x < 0 || y < 0 || raw < 0)
		die("sockets", x < 0 ? x : y < 0 ? y : -errno, NULL);
	if (send(x, msg, sizeof(msg), 0) != (ssize_t)sizeof(msg))
		die("send", -errno, NULL);
	struct pollfd p = { .fd = y, .events = POLLIN };

	if (poll(&p, 1, 2000) != 1)
		die("control message not delivered to the socket of its Control Connection ID",
		    -ETIMEDOUT, NULL);
	n = recv(y, got, sizeof(got), 0);
	/* The raw socket sees every protocol-115 packet with its IPv4 header. */
	for (int i = 0; i < 10 && w <= 0; i++) {
		p = (struct pollfd){ .fd = raw, .events = POLLIN };
		if (poll(&p, 1, 200) == 1)
			w = recv(raw, wire, sizeof(wire), 0);
	}
	ihl = w > 0 ? (size_t)(wire[0] & 0x0f) * 4 : 0;
	printf("IPCTL sent=%zu received=%zd same=%d wire_payload=%zd zero_sid=%d rest_same=%d\n",
	       sizeof(msg), n, n == (ssize_t)sizeof(msg) && !memcmp(got, msg, sizeof(msg)),
	       w > 0 ? w - (ssize_t)ihl : -1,
	       w >= (ssize_t)ihl + 4 && !memcmp(wire + ihl, "\0\0\0\0", 4),
	       w == (ssize_t)(ihl + 4 + sizeof(msg)) && !memcmp(wire + ihl + 4, msg, sizeof(msg)));
	close(x);
	close(y);
	close(raw);
	return 0;
}

static int cmd_up(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "encap", 1, NULL, 'e' }, { "local", 1, NULL, 'l' }, { "peer", 1, NULL, 'r' },
		{ "tid", 1, NULL, 't' }, { "ptid", 1, NULL, 'T' }, { "sid", 1, NULL, 's' },
		{ "psid", 1, NULL, 'S' }, { "rx-cookie", 1, NULL, 'c' },
		{ "tx-cookie", 1, NULL, 'C' }, { "l2spec", 1, NULL, 'L' }, { "seq", 0, NULL, 'q' },
		{ "pw", 1, NULL, 'w' }, { "ifname", 1, NULL, 'i' }, { "bridge", 1, NULL, 'b' },
		{ "addr", 1, NULL, 'a' }, { "mtu", 1, NULL, 'm' }, { "port", 1, NULL, 'p' },
		{ "peer-port", 1, NULL, 'P' }, { "probe", 0, NULL, 'x' },
		{ "clash", 0, NULL, 'k' }, { 0 },
	};
	struct dp_eth_cfg c = { .s = { .pw = DP_PW_ETH, .l2spec = DP_L2SPEC_NONE },
				.encap = DP_ENCAP_UDP, .tunnel_fd = -1 };
	struct sockaddr_storage local, peer;
	socklen_t alen = 0;
	uint16_t lport = 1701, pport = 1701;
	struct kg_l2tp_session_info in;
	struct kg_l2tp kg;
	bool have_local = false, have_peer = false, do_probe = false, do_clash = false;
	struct dp_tunnel_cfg tc;
	struct dp_link_state st;
	struct dp_eth e;
	struct dp *d;
	struct watch w;
	struct count cnt;
	int o, fd, rc, evfd;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'e':
			if (strcmp(optarg, "udp") && strcmp(optarg, "ip"))
				usage();
			c.encap = strcmp(optarg, "ip") ? DP_ENCAP_UDP : DP_ENCAP_IP;
			break;
		case 'l':
			have_local = addr(optarg, &local, &alen);
			break;
		case 'r':
			have_peer = addr(optarg, &peer, &alen);
			break;
		case 't': c.s.tid = num(optarg); break;
		case 'T': c.s.peer_tid = num(optarg); break;
		case 's': c.s.sid = num(optarg); break;
		case 'S': c.s.peer_sid = num(optarg); break;
		case 'c': c.s.rx_cookie_len = cookie(optarg, c.s.rx_cookie); break;
		case 'C': c.s.tx_cookie_len = cookie(optarg, c.s.tx_cookie); break;
		case 'L':
			if (strcmp(optarg, "none") && strcmp(optarg, "default"))
				usage();
			c.s.l2spec = strcmp(optarg, "none") ? DP_L2SPEC_DEFAULT : DP_L2SPEC_NONE;
			break;
		case 'q': c.s.send_seq = c.s.recv_seq = true; break;
		case 'w':
			if (strcmp(optarg, "eth") && strcmp(optarg, "vlan"))
				usage();
			c.s.pw = strcmp(optarg, "eth") ? DP_PW_ETH_VLAN : DP_PW_ETH;
			break;
		case 'i': c.s.ifname = optarg; break;
		case 'b': c.bridge = optarg; break;
		case 'a': {
			char *slash = strchr(optarg, '/');

			if (!slash)
				usage();
			*slash = '\0';
			if (inet_pton(AF_INET, optarg, &c.addr4) != 1)
				usage();
			c.plen4 = (uint8_t)num(slash + 1);
			break;
		}
		case 'm': c.mtu = num(optarg); break;
		case 'p': lport = (uint16_t)num(optarg); break;
		case 'P': pport = (uint16_t)num(optarg); break;
		case 'x': do_probe = true; break;
		case 'k': do_clash = true; break;
		default: usage();
		}
	}
	if (!have_local || !have_peer || local.ss_family != peer.ss_family || !c.s.tid ||
	    !c.s.peer_tid || !c.s.sid || !c.s.peer_sid)
		usage();
	set_port(&local, lport);
	set_port(&peer, pport);

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	d = open_dp();

	/* The tunnel's socket, as the daemon owns it. */
	if (c.encap == DP_ENCAP_IP) {
		fd = dp_l2tp_ip_socket((struct sockaddr *)&local, (struct sockaddr *)&peer, c.s.tid,
				       c.s.peer_tid);
		if (fd < 0)
			die("dp_l2tp_ip_socket", fd, NULL);
	} else {
		int one = 1;

		fd = socket(local.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 ||
		    (local.ss_family == AF_INET6 &&
		     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
		    bind(fd, (struct sockaddr *)&local, alen) < 0 ||
		    connect(fd, (struct sockaddr *)&peer, alen) < 0)
			die("UDP socket", -errno, NULL);
	}
	tc = (struct dp_tunnel_cfg){ .tid = c.s.tid, .peer_tid = c.s.peer_tid, .version = 3,
				     .encap = c.encap, .fd = fd };
	rc = dp_tunnel_create(d, &tc);
	if (rc < 0)
		die("dp_tunnel_create", rc, d->ext_ack);
	printf("TUNNEL %u/%u v3 encap=%s fd=%d\n", c.s.tid, c.s.peer_tid,
	       c.encap == DP_ENCAP_IP ? "ip" : "udp", fd);
	if (do_probe)
		probe(&c.s);

	c.tunnel_fd = fd;
	rc = dp_eth_open(d, &e, &c);
	if (rc < 0)
		die("dp_eth_open", rc, d->ext_ack);
	/* What the kernel recorded: the name l2tp_eth gave (IFNAME honoured or not), the cookies. */
	rc = kg_l2tp_open(&kg);
	if (rc < 0)
		die("kg_l2tp_open", rc, NULL);
	rc = kg_l2tp_session_get(&kg, c.s.tid, c.s.sid, &in);
	if (rc < 0)
		die("kg_l2tp_session_get", rc, kg.ext_ack);
	printf("SESSION %u/%u pw_type=%u kernel_ifname=%s requested=%s tx_cookie_len=%u"
	       " rx_cookie_len=%u send_seq=%d recv_seq=%d\n", c.s.sid, c.s.peer_sid, in.pw_type,
	       in.ifname, c.s.ifname ? c.s.ifname : "-", in.tx_cookie_len, in.rx_cookie_len,
	       in.send_seq, in.recv_seq);
	rc = dp_link_state(d, e.ifindex, &st);
	if (rc < 0)
		die("dp_link_state", rc, d->ext_ack);
	evfd = dp_link_events_open(d);
	if (evfd < 0)
		die("dp_link_events_open", evfd, NULL);
	printf("READY ifname=%s ifindex=%d mtu=%u kernel_mtu=%u link_mtu=%u master=%d usable=%d\n",
	       e.ifname, e.ifindex, e.mtu, e.kernel_mtu, st.mtu, st.master, dp_link_usable(&st));
	if (do_clash)
		clash(d, &c);
	fflush(stdout);

	w.ifindex = e.ifindex;
	while (!stop) {
		struct pollfd p = { .fd = evfd, .events = POLLIN };

		if (poll(&p, 1, 200) > 0) {
			rc = dp_link_events_read(d, on_link, &w);
			if (rc < 0)
				printf("EVENTS read: %s\n", strerror(-rc));
		}
	}

	dp_eth_close(d, &e);
	close(fd);
	/* Both go asynchronously on some kernels (docs/design.md §4.4): poll the dumps. */
	for (int i = 0; i < 50; i++) {
		int ns;

		cnt = (struct count){ .tid = c.s.tid };
		rc = dp_session_dump(d, count_session, &cnt);
		ns = cnt.n;
		cnt = (struct count){ .tid = c.s.tid };
		if (rc == 0)
			rc = dp_tunnel_dump(d, count_tunnel, &cnt);
		if (rc == 0 && ns == 0 && cnt.n == 0)
			break;
		sleep_ms(100);
	}
	if (rc < 0 || cnt.n)
		die("tunnel still there after close", rc ? rc : -EEXIST, NULL);
	kg_l2tp_close(&kg);
	dp_free(d);
	printf("CLOSED\n");
	return 0;
}

static int cmd_stats(int argc, char **argv)
{
	struct dp_stats st;
	struct dp *d;
	int rc;

	if (argc != 3)
		usage();
	d = open_dp();
	rc = dp_session_stats(d, num(argv[1]), num(argv[2]), &st);
	if (rc < 0)
		die("dp_session_stats", rc, d->ext_ack);
	printf("STATS tx_packets=%llu tx_errors=%llu rx_packets=%llu rx_errors=%llu"
	       " rx_cookie_discards=%llu rx_seq_discards=%llu rx_oos_packets=%llu rx_invalid=%llu\n",
	       (unsigned long long)st.tx_packets, (unsigned long long)st.tx_errors,
	       (unsigned long long)st.rx_packets, (unsigned long long)st.rx_errors,
	       (unsigned long long)st.rx_cookie_discards, (unsigned long long)st.rx_seq_discards,
	       (unsigned long long)st.rx_oos_packets, (unsigned long long)st.rx_invalid);
	dp_free(d);
	return 0;
}

static int cmd_state(int argc, char **argv)
{
	struct dp_link_state st;
	struct dp *d;
	int idx, rc;

	if (argc != 2)
		usage();
	d = open_dp();
	idx = dp_link_index(d, argv[1]);
	if (idx < 0)
		die("dp_link_index", idx, NULL);
	rc = dp_link_state(d, idx, &st);
	if (rc < 0)
		die("dp_link_state", rc, d->ext_ack);
	print_state("STATE", argv[1], &st);
	dp_free(d);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "up"))
		return cmd_up(argc - 1, argv + 1);
	if (!strcmp(argv[1], "ipctl"))
		return cmd_ipctl(argc - 1, argv + 1);
	if (!strcmp(argv[1], "stats"))
		return cmd_stats(argc - 1, argv + 1);
	if (!strcmp(argv[1], "state"))
		return cmd_state(argc - 1, argv + 1);
	usage();
	return 2;
}
