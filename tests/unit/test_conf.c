// SPDX-License-Identifier: GPL-2.0-or-later
/* lnsd.conf: every key, every error message (exact text), peer matching, golden dump. */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "lns_ifname.h"
#include "log.h"

#define EXAMPLE LNS_TEST_DATA "/../../../docs/examples/lnsd.conf"
#define GOLDEN LNS_TEST_DATA "/conf/example.dump"

static struct lnsd_conf *load(const char *text, char *err)
{
	return conf_load_string(text, "t.conf", err, CONF_ERR_LEN);
}

/* noinline: GCC 12 takes the memstream buffer for a dangling local once inlined. */
__attribute__((noinline)) static char *dump_flags(const struct lnsd_conf *c, unsigned flags)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	conf_dump(c, f, flags);
	fclose(f);
	return buf;
}

static char *dump_str(const struct lnsd_conf *c)
{
	return dump_flags(c, 0);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static struct lns_addr addr(const char *s)
{
	struct lns_addr a = { 0 };

	if (inet_pton(AF_INET, s, a.addr) == 1)
		a.family = 4;
	else if (inet_pton(AF_INET6, s, a.addr) == 1)
		a.family = 6;
	a.port = 1701;
	return a;
}

START_TEST(embedded_default)
{
	char err[CONF_ERR_LEN];
	struct lnsd_conf *c = conf_load_string(conf_embedded_default, "(embedded)", err,
					       sizeof(err));
	char buf[LNS_ADDR_STRLEN];

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->n_listen, 1);
	ck_assert_str_eq(lns_addr_str(&c->listen[0], buf, sizeof(buf)), "127.0.0.1:1701");
	ck_assert_str_eq(c->control_socket, CONF_DEFAULT_SOCKET);
	ck_assert_str_eq(c->secret, "");
	ck_assert(!c->hide_avps);
	ck_assert_uint_eq(c->default_peer.secret_len, 0);
	ck_assert_uint_eq(c->hello_interval_ms, 60000);
	ck_assert_uint_eq(c->retransmit_timeout_ms, 1000);
	ck_assert_uint_eq(c->retransmit_cap_ms, 8000);
	ck_assert_uint_eq(c->retransmit_retries, 5);
	ck_assert_uint_eq(c->receive_window, 16);
	ck_assert_uint_eq(c->max_half_open, 1000);
	ck_assert_uint_eq(c->setup_timeout_ms, 30000);
	ck_assert_uint_eq(c->stopccn_hold_ms, 31000);
	ck_assert_uint_eq(c->max_starting, 0);
	ck_assert_int_eq(c->dataplane, CONF_DP_AUTO);
	ck_assert_int_eq(c->log_level, LOG_LVL_INFO);
	ck_assert(c->hostname[0] != '\0');
	conf_unref(c);
}
END_TEST

START_TEST(empty_file_gives_defaults)
{
	char err[CONF_ERR_LEN], buf[LNS_ADDR_STRLEN];
	struct lnsd_conf *c = load("", err);

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->n_listen, 1);
	ck_assert_str_eq(lns_addr_str(&c->listen[0], buf, sizeof(buf)), "0.0.0.0:1701");
	ck_assert_uint_eq(c->metrics.family, 0);     /* metrics off unless set */
	ck_assert(!c->metrics_sessions);
	ck_assert_uint_eq(c->listen_rcvbuf, 4u << 20);
	ck_assert_uint_eq(c->tunnel_rcvbuf, 0);
	ck_assert_uint_eq(c->ppp_mru, 0);            /* [ppp] mtu = auto */
	ck_assert(c->ppp_mss_clamp);
	conf_unref(c);
	/* mtu = N is the fixed MRU/MTU, as its older name mru = N */
	c = load("[ppp]\nmtu = 1300\nmss-clamp = no\n", err);
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->ppp_mru, 1300);
	ck_assert(!c->ppp_mss_clamp);
	conf_unref(c);
}
END_TEST

START_TEST(every_key)
{
	static const char text[] =
		"\xef\xbb\xbf# comment\n"
		"[lnsd]\n"
		"listen = 192.0.2.1:1701, [2001:db8::1]:1702 , 10.0.0.1 ,[::]\n"
		"control-socket = /tmp/x/lnsd.sock\n"
		"hostname = lns-test\n"
		"dataplane = none\n"
		"log-level = debug\n"
		"metrics = 127.0.0.1:9101\n"
		"metrics-sessions = yes\n"
		"listen-rcvbuf = 0\n"
		"tunnel-rcvbuf = 65536\n"
		"[l2tp]\n"
		"secret = s3cret ; inline comment\n"
		"hide-avps = yes\n"
		"hello-interval = 0\n"
		"retransmit-timeout = 0.5\n"
		"retransmit-cap = 2.25\n"
		"retransmit-retries = 7\n"
		"receive-window = 32\n"
		"max-tunnels = 100\n"
		"max-sessions = 2000\n"
		"max-half-open = 50\n"
		"max-half-open-per-peer = 3\n"
		"max-sessions-per-tunnel = 300\n"
		"setup-timeout = 10\n"
		"stopccn-hold = 5.5\n"
		"max-starting = 40\n"
		"[ppp]\n"
		"auth = pap, chap, mschapv2\n"
		"local-ip = 10.64.0.1\n"
		"pool = 10.64.0.10-10.64.0.20, 10.64.1.1\n"
		"dns = 192.0.2.53, 192.0.2.54\n"
		"users-file = /etc/lnsd/users\n"
		"mru = 1460\n"
		"lcp-echo-interval = 10\n"
		"lcp-echo-failures = 3\n"
		"ifname = l2tp%d\n"
		"ipv6 = yes\n"
		"[peer p1]\n"
		"match-hostname = lac-*, OTHER\n"
		"match-address = 198.51.100.0/24\n"
		"secret = p1secret\n"
		"hide-avps = no\n";
	char err[CONF_ERR_LEN], b[LNS_ADDR_STRLEN];
	struct lnsd_conf *c = load(text, err);
	struct l2tp_lns_cfg lc;

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->n_listen, 4);
	ck_assert_str_eq(lns_addr_str(&c->listen[0], b, sizeof(b)), "192.0.2.1:1701");
	ck_assert_str_eq(lns_addr_str(&c->listen[1], b, sizeof(b)), "[2001:db8::1]:1702");
	ck_assert_str_eq(lns_addr_str(&c->listen[2], b, sizeof(b)), "10.0.0.1:1701");
	ck_assert_str_eq(lns_addr_str(&c->listen[3], b, sizeof(b)), "[::]:1701");
	ck_assert_str_eq(c->control_socket, "/tmp/x/lnsd.sock");
	ck_assert_str_eq(c->hostname, "lns-test");
	ck_assert_int_eq(c->dataplane, CONF_DP_NONE);
	ck_assert_int_eq(c->log_level, LOG_LVL_DEBUG);
	ck_assert_str_eq(lns_addr_str(&c->metrics, b, sizeof(b)), "127.0.0.1:9101");
	ck_assert(c->metrics_sessions);
	ck_assert_uint_eq(c->listen_rcvbuf, 0);
	ck_assert_uint_eq(c->tunnel_rcvbuf, 65536);
	ck_assert_str_eq(c->secret, "s3cret");
	ck_assert(c->hide_avps);
	ck_assert_uint_eq(c->hello_interval_ms, 0);
	ck_assert_uint_eq(c->retransmit_timeout_ms, 500);
	ck_assert_uint_eq(c->retransmit_cap_ms, 2250);
	ck_assert_uint_eq(c->retransmit_retries, 7);
	ck_assert_uint_eq(c->receive_window, 32);
	ck_assert_uint_eq(c->max_tunnels, 100);
	ck_assert_uint_eq(c->max_sessions, 2000);
	ck_assert_uint_eq(c->max_half_open, 50);
	ck_assert_uint_eq(c->max_half_open_per_peer, 3);
	ck_assert_uint_eq(c->max_sessions_per_tunnel, 300);
	ck_assert_uint_eq(c->setup_timeout_ms, 10000);
	ck_assert_uint_eq(c->stopccn_hold_ms, 5500);
	ck_assert_uint_eq(c->max_starting, 40);
	ck_assert_uint_eq(c->ppp_n_auth, 3);
	ck_assert_int_eq(c->ppp_auth[0], PPP_AUTH_PAP);
	ck_assert_int_eq(c->ppp_auth[1], PPP_AUTH_CHAP_MD5);
	ck_assert_int_eq(c->ppp_auth[2], PPP_AUTH_MSCHAPV2);
	ck_assert(c->ppp_ipv6);
	ck_assert_uint_eq(c->ppp_local_ip, 0x0a400001);
	ck_assert_str_eq(c->ppp_pool, "10.64.0.10-10.64.0.20, 10.64.1.1");
	ck_assert_uint_eq(c->ppp_dns[0], 0xc0000235);
	ck_assert_uint_eq(c->ppp_dns[1], 0xc0000236);
	ck_assert_str_eq(c->ppp_users_file, "/etc/lnsd/users");
	ck_assert_uint_eq(c->ppp_mru, 1460);
	ck_assert_uint_eq(c->lcp_echo_interval_ms, 10000);
	ck_assert_uint_eq(c->lcp_echo_failures, 3);
	ck_assert_str_eq(c->ppp_ifname, "l2tp%d");
	{
		struct ppp_cfg pc;
		char name[16];

		conf_to_ppp_cfg(c, &pc);
		ck_assert_uint_eq(pc.lcp.n_auth, 3);
		ck_assert_int_eq(pc.lcp.auth[0], PPP_AUTH_PAP);
		ck_assert_int_eq(pc.lcp.auth[2], PPP_AUTH_MSCHAPV2);
		ck_assert(pc.ipv6cp.enabled);
		ck_assert_uint_eq(pc.lcp.mru, 1460);
		ck_assert_uint_eq(pc.lcp.echo_interval_ms, 10000);
		ck_assert_uint_eq(pc.lcp.echo_failures, 3);
		ck_assert_uint_eq(pc.ipcp.local_ip, 0x0a400001);
		ck_assert_uint_eq(pc.ipcp.dns2, 0xc0000236);
		ck_assert_str_eq(pc.auth.name, "lns-test");
		ck_assert(lns_ifname_unit(c->ppp_ifname, 12, name, sizeof(name)));
		ck_assert_str_eq(name, "l2tp12");
	}
	{
		char *d = dump_str(c);

		ck_assert_ptr_nonnull(strstr(d, "\nauth = pap, chap, mschapv2\n"));
		ck_assert_ptr_nonnull(strstr(d, "\nipv6 = yes\n"));
		free(d);
	}
	ck_assert_uint_eq(c->n_peers, 1);
	ck_assert_str_eq(c->peers[0].name, "p1");
	ck_assert_uint_eq(c->peers[0].n_hostnames, 2);
	ck_assert_str_eq(c->peers[0].hostnames[1], "OTHER");
	ck_assert_uint_eq(c->peers[0].n_cidrs, 1);
	ck_assert_uint_eq(c->peers[0].pc.secret_len, 8);
	ck_assert(memcmp(c->peers[0].pc.secret, "p1secret", 8) == 0);
	ck_assert(!c->peers[0].pc.hide_avps);
	ck_assert_uint_eq(c->default_peer.secret_len, 6);
	ck_assert(c->default_peer.hide_avps);

	conf_to_lns_cfg(c, &lc);
	ck_assert_str_eq(lc.hostname, "lns-test");
	ck_assert_uint_eq(lc.rel.our_rws, 32);
	ck_assert_uint_eq(lc.rel.rto_initial_ms, 500);
	ck_assert_uint_eq(lc.rel.rto_cap_ms, 2250);
	ck_assert_uint_eq(lc.rel.max_retries, 7);
	ck_assert_uint_eq(lc.hello_interval_ms, 0);
	ck_assert_uint_eq(lc.setup_timeout_ms, 10000);
	ck_assert_uint_eq(lc.stopccn_hold_ms, 5500);
	ck_assert_uint_eq(lc.max_tunnels, 100);
	ck_assert_uint_eq(lc.max_half_open, 50);
	ck_assert_uint_eq(lc.max_half_open_per_peer, 3);
	ck_assert_uint_eq(lc.max_sessions, 2000);
	ck_assert_uint_eq(lc.max_sessions_per_tunnel, 300);
	ck_assert_ptr_eq(lc.default_peer, &c->default_peer);
	ck_assert_ptr_eq(lc.peer_ctx, c);
	ck_assert(lc.peer_lookup == conf_peer_lookup);
	conf_unref(c);
}
END_TEST

/* Each error: the exact message, naming file, line, section and key. */
static const struct {
	const char *text;
	const char *msg;
} bad[] = {
	{ "[l2tp]\nretransmit-retries = abc\n",
	  "t.conf:2: [l2tp] retransmit-retries: \"abc\" is not a number" },
	{ "[l2tp]\n\nretransmit-retries = -1\n",
	  "t.conf:3: [l2tp] retransmit-retries: \"-1\" is not a number" },
	{ "[l2tp]\nreceive-window = 0\n",
	  "t.conf:2: [l2tp] receive-window: 0 is out of range (1 to 256)" },
	{ "[lnsd]\nlisten-rcvbuf = 2000000000\n",
	  "t.conf:2: [lnsd] listen-rcvbuf: 2000000000 is out of range (0 to 1073741824)" },
	{ "[l2tp]\nmax-sessions-per-tunnel = 99999999999999999999999\n",
	  "t.conf:2: [l2tp] max-sessions-per-tunnel: 99999999999999999999999 is out of range (0 to 65535)" },
	{ "[l2tp]\nhello-interval = 1.2345\n",
	  "t.conf:2: [l2tp] hello-interval: \"1.2345\" is not a number of seconds (like 30 or 0.5; millisecond resolution)" },
	{ "[l2tp]\nretransmit-timeout = 0.05\n",
	  "t.conf:2: [l2tp] retransmit-timeout: 0.05 is out of range (0.1 to 30 seconds)" },
	{ "[l2tp]\nsetup-timeout = 10s\n",
	  "t.conf:2: [l2tp] setup-timeout: \"10s\" is not a number of seconds (like 30 or 0.5; millisecond resolution)" },
	{ "[l2tp]\nretransmit-timeout = 5\nretransmit-cap = 2\n",
	  "t.conf:3: [l2tp] retransmit-cap: 2 s is below retransmit-timeout (5 s)" },
	{ "[l2tp]\nhide-avps = maybe\n", "t.conf:2: [l2tp] hide-avps: \"maybe\" is not yes or no" },
	{ "[l2tp]\nsecret = a\nsecret = b\n", "t.conf:3: [l2tp] secret: set twice (first at line 2)" },
	{ "[l2tp]\njunk\n", "t.conf:2: syntax error (expected [section] or key = value)" },
	{ "[l2tp\n", "t.conf:1: section header without ']'" },
	{ "[foo]\n", "t.conf:1: unknown section [foo] (expected [lnsd], [l2tp], [ppp], [ipsec], [radius], [peer NAME] or [pseudowire NAME])" },
	{ "[peers x]\n", "t.conf:1: unknown section [peers x] (expected [lnsd], [l2tp], [ppp], [ipsec], [radius], [peer NAME] or [pseudowire NAME])" },
	{ "secret = x\n",
	  "t.conf:1: secret: key outside of a section (start with [lnsd], [l2tp], [ppp], [ipsec], [radius], [peer NAME] or [pseudowire NAME])" },
	{ "[lnsd]\nbogus = 1\n", "t.conf:2: [lnsd] bogus: unknown key" },
	{ "[lnsd]\nsecret = 1\n", "t.conf:2: [lnsd] secret: unknown key" },
	{ "[lnsd]\nlisten = 1.2.3.4:99999\n",
	  "t.conf:2: [lnsd] listen: \"1.2.3.4:99999\" is not an address:port (like 0.0.0.0:1701 or [::]:1701)" },
	{ "[lnsd]\nmetrics = 127.0.0.1\n",
	  "t.conf:2: [lnsd] metrics: \"127.0.0.1\" is not an address:port (like 127.0.0.1:9101 or [::1]:9101)" },
	{ "[lnsd]\nmetrics = [::1]\n",
	  "t.conf:2: [lnsd] metrics: \"[::1]\" is not an address:port (like 127.0.0.1:9101 or [::1]:9101)" },
	{ "[lnsd]\nmetrics = localhost:9101\n",
	  "t.conf:2: [lnsd] metrics: \"localhost:9101\" is not an address:port (like 127.0.0.1:9101 or [::1]:9101)" },
	{ "[lnsd]\nmetrics-sessions = maybe\n",
	  "t.conf:2: [lnsd] metrics-sessions: \"maybe\" is not yes or no" },
	{ "[lnsd]\nlisten = 0.0.0.0:1701, ::1\n",
	  "t.conf:2: [lnsd] listen: \"::1\" is not an address:port (like 0.0.0.0:1701 or [::]:1701)" },
	{ "[lnsd]\nlisten = host.example:1701\n",
	  "t.conf:2: [lnsd] listen: \"host.example:1701\" is not an address:port (like 0.0.0.0:1701 or [::]:1701)" },
	{ "[lnsd]\nlisten = 10.0.0.1, 10.0.0.1:1701\n",
	  "t.conf:2: [lnsd] listen: \"10.0.0.1:1701\" is listed twice" },
	{ "[lnsd]\nlisten = 10.0.0.1, 0.0.0.0:1701\n",
	  "t.conf:2: [lnsd] listen: \"0.0.0.0:1701\" overlaps 10.0.0.1:1701: a wildcard address already listens on every address of its family" },
	{ "[lnsd]\nlisten = [::], [2001:db8::1]:1701\n",
	  "t.conf:2: [lnsd] listen: \"[2001:db8::1]:1701\" overlaps [::]:1701: a wildcard address already listens on every address of its family" },
	{ "[lnsd]\nlisten = ,\n", "t.conf:2: [lnsd] listen: empty list" },
	{ "[lnsd]\ncontrol-socket = lnsd.sock\n",
	  "t.conf:2: [lnsd] control-socket: \"lnsd.sock\" is not an absolute path shorter than 108 characters" },
	{ "[lnsd]\ndataplane = dpdk\n",
	  "t.conf:2: [lnsd] dataplane: \"dpdk\" is not one of auto, none, kernel" },
	{ "[lnsd]\nlog-level = loud\n",
	  "t.conf:2: [lnsd] log-level: \"loud\" is not one of error, warning, notice, info, debug" },
	{ "[lnsd]\nhostname = 0123456789012345678901234567890123456789012345678901234567890123\n",
	  "t.conf:2: [lnsd] hostname: \"0123456789012345678901234567890123456789012345678901234567890123\" must be 1 to 63 characters" },
	{ "[peer a]\nmatch-address = 10.0.0.0/33\n",
	  "t.conf:2: [peer a] match-address: \"10.0.0.0/33\" is not an address or CIDR prefix (like 192.0.2.0/24 or 2001:db8::/32)" },
	{ "[peer a]\nmatch-address = 2001:db8::/129\n",
	  "t.conf:2: [peer a] match-address: \"2001:db8::/129\" is not an address or CIDR prefix (like 192.0.2.0/24 or 2001:db8::/32)" },
	{ "[peer a]\nmatch-address = 10.1.0.0/8\n",
	  "t.conf:2: [peer a] match-address: \"10.1.0.0/8\" has bits set beyond the /8 prefix" },
	{ "[peer a]\nmatch-address = 10.0.0.0/\n",
	  "t.conf:2: [peer a] match-address: \"10.0.0.0/\" is not an address or CIDR prefix (like 192.0.2.0/24 or 2001:db8::/32)" },
	{ "[peer a]\nmatch-hostname = x\nhello-interval = 3\n",
	  "t.conf:3: [peer a] hello-interval: unknown key" },
	{ "[peer a]\nmatch-hostname = x\nhide-avps = 2\n",
	  "t.conf:3: [peer a] hide-avps: \"2\" is not yes or no" },
	{ "[peer a]\nmatch-hostname = x\nmatch-hostname = y\n",
	  "t.conf:3: [peer a] match-hostname: set twice (first at line 2)" },
	{ "[peer a]\nmatch-hostname = x\n\n[peer a]\n",
	  "t.conf:4: duplicate section [peer a] (first at line 1)" },
	{ "[peer]\n", "t.conf:1: [peer] needs a name: [peer NAME]" },
	{ "[ppp]\nauth = pap, mschap\n", "t.conf:2: [ppp] auth: \"mschap\" is not one of pap, chap, mschapv2" },
	{ "[ppp]\nauth = pap, PAP\n", "t.conf:2: [ppp] auth: \"PAP\" is listed twice" },
	{ "[ppp]\nlocal-ip = 10.0.0.300\n", "t.conf:2: [ppp] local-ip: \"10.0.0.300\" is not an IPv4 address" },
	{ "[ppp]\ndns = 1.1.1.1, 2.2.2.2, 3.3.3.3\n", "t.conf:2: [ppp] dns: at most two servers" },
	{ "[ppp]\ndns = ::1\n", "t.conf:2: [ppp] dns: \"::1\" is not an IPv4 address" },
	{ "[ppp]\npool = 10.0.0.10-10.0.0.1\n",
	  "t.conf:2: [ppp] pool: \"10.0.0.10-10.0.0.1\" is not a list of IPv4 addresses and non-overlapping ranges A-B (bad at \"10.0.0.10-10.0.0.1\")" },
	{ "[ppp]\npool = 10.0.0.0-10.1.0.0, 11.0.0.0-11.255.255.255\n",
	  "t.conf:2: [ppp] pool: more than 16777216 addresses" },
	{ "[ppp]\nmru = 100\n", "t.conf:2: [ppp] mru: 100 is out of range (128 to 16384)" },
	{ "[ppp]\nmtu = 100\n", "t.conf:2: [ppp] mtu: \"100\" is not auto or a number from 128 to 16384" },
	{ "[ppp]\nmtu = 16385\n", "t.conf:2: [ppp] mtu: \"16385\" is not auto or a number from 128 to 16384" },
	{ "[ppp]\nmtu = Auto\n", "t.conf:2: [ppp] mtu: \"Auto\" is not auto or a number from 128 to 16384" },
	{ "[ppp]\nmtu = 1400x\n", "t.conf:2: [ppp] mtu: \"1400x\" is not auto or a number from 128 to 16384" },
	{ "[ppp]\nmtu = auto\nmru = 1400\n",
	  "t.conf:2: [ppp] mtu: mru, its older name, is set too (line 3); set only one" },
	{ "[ppp]\nmss-clamp = maybe\n", "t.conf:2: [ppp] mss-clamp: \"maybe\" is not yes or no" },
	{ "[lnsd]\n[ipsec]\n",
	  "t.conf:2: [ipsec] psk: mode = required needs a pre-shared key (psk or psk-file)" },
	{ "[ipsec]\nmode = required\npsk =\n",
	  "t.conf:3: [ipsec] psk: mode = required needs a pre-shared key (psk or psk-file)" },
	{ "[ipsec]\nmode = optional\n",
	  "t.conf:2: [ipsec] mode: \"optional\" is not one of required, off" },
	{ "[ipsec]\npsk = a\npsk-file = /nonexistent/psk\n",
	  "t.conf:3: [ipsec] psk-file: psk is set too (line 2); set only one" },
	{ "[ipsec]\npsk-file = /nonexistent/psk\n",
	  "t.conf:2: [ipsec] psk-file: cannot read \"/nonexistent/psk\": No such file or directory" },
	{ "[ipsec]\nmode = off\npsk-file = /dev/null\n",
	  "t.conf:3: [ipsec] psk-file: \"/dev/null\" is not a regular file" },
	{ "[ipsec]\nmode = off\npsk-file = /tmp\n",
	  "t.conf:3: [ipsec] psk-file: \"/tmp\" is not a regular file" },
	{ "[ipsec]\npsk = x\nvici-socket = charon.vici\n",
	  "t.conf:3: [ipsec] vici-socket: \"charon.vici\" is not an absolute path shorter than 108 characters" },
	{ "[ipsec]\npsk = x\nproposals = aes256-sha1-modp2048, aes 128\n",
	  "t.conf:3: [ipsec] proposals: \"aes 128\" is not a proposal (like aes256-sha256-modp2048)" },
	{ "[ipsec]\npsk = x\nesp-proposals = ,\n", "t.conf:3: [ipsec] esp-proposals: empty list" },
	{ "[ipsec]\npsk = x\nike-version = 3\n",
	  "t.conf:3: [ipsec] ike-version: 3 is out of range (0 to 2)" },
	{ "[ipsec]\npsk = x\nreqid = 0\n",
	  "t.conf:3: [ipsec] reqid: 0 is out of range (1 to 2147483647)" },
	{ "[ipsec]\npsk = x\ndpd-delay = 86401\n",
	  "t.conf:3: [ipsec] dpd-delay: 86401 is out of range (0 to 86400)" },
	{ "[ipsec]\npsk = x\ndpd-delay = 10s\n",
	  "t.conf:3: [ipsec] dpd-delay: \"10s\" is not a number" },
	{ "[ipsec]\npsk = x\ndpd-timeout = -1\n",
	  "t.conf:3: [ipsec] dpd-timeout: \"-1\" is not a number" },
	{ "[ipsec]\npsk = x\ndpd-timeout = 1\ndpd-timeout = 2\n",
	  "t.conf:4: [ipsec] dpd-timeout: set twice (first at line 3)" },
	{ "[ipsec]\npsk = x\nlegacy-proposals = sometimes\n",
	  "t.conf:3: [ipsec] legacy-proposals: \"sometimes\" is not yes or no" },
	{ "[ipsec]\npsk = x\npsk = y\n", "t.conf:3: [ipsec] psk: set twice (first at line 2)" },
	{ "[ipsec]\npsk = x\nsecret = y\n", "t.conf:3: [ipsec] secret: unknown key" },
	{ "[ppp]\nlcp-echo-failures = 0\n", "t.conf:2: [ppp] lcp-echo-failures: 0 is out of range (1 to 255)" },
	{ "[ppp]\nifname = ppp\n",
	  "t.conf:2: [ppp] ifname: \"ppp\" is not an interface name template with one %d (like l2tp%d; at most 7 characters)" },
	{ "[ppp]\nifname = customer%d\n",
	  "t.conf:2: [ppp] ifname: \"customer%d\" is not an interface name template with one %d (like l2tp%d; at most 7 characters)" },
	{ "[peer a/b]\n",
	  "t.conf:1: [peer a/b]: a peer needs a name of letters, digits, '.', '_' or '-'" },
	{ "[l2tp]\n[peer a]\nsecret = x\n", "t.conf:2: [peer a]: needs match-hostname or match-address" },
	{ "[ppp]\n[radius]\ntimeout = 2\n",
	  "t.conf:2: [radius]: needs at least one server (server = addr[:auth-port[:acct-port]],secret)" },
	{ "[radius]\nserver = 10.0.0.1\n",
	  "t.conf:2: [radius] server: \"10.0.0.1\" has no secret (addr[:auth-port[:acct-port]],secret)" },
	{ "[radius]\nserver = 10.0.0.1:1812, \n",
	  "t.conf:2: [radius] server: \"10.0.0.1:1812,\" has no secret (addr[:auth-port[:acct-port]],secret)" },
	{ "[radius]\nserver = radius.example,s\n",
	  "t.conf:2: [radius] server: \"radius.example,s\" is not addr[:auth-port[:acct-port]],secret (like 192.0.2.10:1812:1813,s3cret or [2001:db8::10],s3cret)" },
	{ "[radius]\nserver = 10.0.0.1:0,s\n",
	  "t.conf:2: [radius] server: \"10.0.0.1:0,s\" is not addr[:auth-port[:acct-port]],secret (like 192.0.2.10:1812:1813,s3cret or [2001:db8::10],s3cret)" },
	{ "[radius]\nserver = 10.0.0.1:1812:1813:1,s\n",
	  "t.conf:2: [radius] server: \"10.0.0.1:1812:1813:1,s\" is not addr[:auth-port[:acct-port]],secret (like 192.0.2.10:1812:1813,s3cret or [2001:db8::10],s3cret)" },
	{ "[radius]\nserver = 2001:db8::1,s\n",
	  "t.conf:2: [radius] server: \"2001:db8::1,s\" is not addr[:auth-port[:acct-port]],secret (like 192.0.2.10:1812:1813,s3cret or [2001:db8::10],s3cret)" },
	{ "[radius]\nserver = [2001:db8::1]x,s\n",
	  "t.conf:2: [radius] server: \"[2001:db8::1]x,s\" is not addr[:auth-port[:acct-port]],secret (like 192.0.2.10:1812:1813,s3cret or [2001:db8::10],s3cret)" },
	{ "[radius]\nserver = 10.0.0.1:65535,s\n",
	  "t.conf:2: [radius] server: \"10.0.0.1:65535,s\" is not addr[:auth-port[:acct-port]],secret (like 192.0.2.10:1812:1813,s3cret or [2001:db8::10],s3cret)" },
	{ "[radius]\nserver = 10.0.0.1,a\nserver = 10.0.0.1:1812:1999,b\n",
	  "t.conf:3: [radius] server: 10.0.0.1:1812 is listed twice" },
	{ "[radius]\nserver = 10.0.0.1,0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456\n",
	  "t.conf:2: [radius] server: the secret is longer than 96 characters" },
	{ "[radius]\nserver = 10.0.0.1,s\ntimeout = 0.5\n",
	  "t.conf:3: [radius] timeout: \"0.5\" is not a number" },
	{ "[radius]\nserver = 10.0.0.1,s\ntimeout = 0\n",
	  "t.conf:3: [radius] timeout: 0 is out of range (1 to 60)" },
	{ "[radius]\nserver = 10.0.0.1,s\nretries = 11\n",
	  "t.conf:3: [radius] retries: 11 is out of range (0 to 10)" },
	{ "[radius]\nserver = 10.0.0.1,s\naccounting = sometimes\n",
	  "t.conf:3: [radius] accounting: \"sometimes\" is not yes or no" },
	{ "[radius]\nserver = 10.0.0.1,s\nrequire-message-authenticator = maybe\n",
	  "t.conf:3: [radius] require-message-authenticator: \"maybe\" is not yes or no" },
	{ "[radius]\nserver = 10.0.0.1,s\nrequire-message-authenticator = no\n"
	  "require-message-authenticator = yes\n",
	  "t.conf:4: [radius] require-message-authenticator: set twice (first at line 3)" },
	{ "[radius]\nserver = 10.0.0.1,s\ninterim-interval = 90000\n",
	  "t.conf:3: [radius] interim-interval: 90000 is out of range (0 to 86400)" },
	{ "[radius]\nserver = 10.0.0.1,s\nnas-ip-address = 10.0.0.1:5\n",
	  "t.conf:3: [radius] nas-ip-address: \"10.0.0.1:5\" is not an IPv4 or IPv6 address" },
	{ "[radius]\nserver = 10.0.0.1,s\nnas-identifier = a\nnas-identifier = b\n",
	  "t.conf:4: [radius] nas-identifier: set twice (first at line 3)" },
	{ "[radius]\nserver = 10.0.0.1,s\ndae-listen = 0.0.0.0:99999\n",
	  "t.conf:3: [radius] dae-listen: \"0.0.0.0:99999\" is not an address[:port] (like 0.0.0.0:3799 or [::])" },
	{ "[radius]\nserver = 10.0.0.1,s\n\ndae-listen = 0.0.0.0\n",
	  "t.conf:4: [radius] dae-listen: no dae-clients entry may use it" },
	{ "[radius]\nserver = 10.0.0.1,s\ndae-clients = 10.0.0.0/8\n",
	  "t.conf:3: [radius] dae-clients: \"10.0.0.0/8\" has no secret (addr[/prefix],secret)" },
	{ "[radius]\nserver = 10.0.0.1,s\ndae-clients = 10.0.0.1/8,x\n",
	  "t.conf:3: [radius] dae-clients: \"10.0.0.1/8\" has bits set beyond the /8 prefix" },
	{ "[radius]\nserver = 10.0.0.1,s\ndae-clients = host,x\n",
	  "t.conf:3: [radius] dae-clients: \"host\" is not an address or CIDR prefix (like 192.0.2.0/24 or 2001:db8::/32)" },
	{ "[radius]\nserver = 10.0.0.1,s\nsecret = x\n", "t.conf:3: [radius] secret: unknown key" },
	/* server and dae-clients share the "ADDR,SECRET" shape and its checks */
	{ "[radius]\nserver = 10.0.0.1,s\ndae-clients = 10.0.0.0/8 , \n",
	  "t.conf:3: [radius] dae-clients: \"10.0.0.0/8 ,\" has no secret (addr[/prefix],secret)" },
	{ "[radius]\nserver = 10.0.0.1,s\ndae-clients = 10.0.0.0/8,0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456\n",
	  "t.conf:3: [radius] dae-clients: the secret is longer than 96 characters" },
	{ "[radius]\nserver = ,s\n",
	  "t.conf:2: [radius] server: \",s\" is not addr[:auth-port[:acct-port]],secret (like 192.0.2.10:1812:1813,s3cret or [2001:db8::10],s3cret)" },
	{ "[radius]\nserver = 10.0.0.1,s\ndae-clients = ,s\n",
	  "t.conf:3: [radius] dae-clients: \"\" is not an address or CIDR prefix (like 192.0.2.0/24 or 2001:db8::/32)" },
	{ "[ppp]\nrate-limit-down = 10Mbit\n",
	  "t.conf:2: [ppp] rate-limit-down: \"10Mbit\" is not a rate in bits/s (like 512k, 10M, 1G; 0 = unlimited; at most 100G)" },
	{ "[ppp]\nrate-limit-up = 1\nrate-limit-up = 2\n",
	  "t.conf:3: [ppp] rate-limit-up: set twice (first at line 2)" },
	{ "[ppp]\nrate-profile = gold\n",
	  "t.conf:2: [ppp] rate-profile: \"gold\" is not NAME DOWN/UP (like gold 10M/2M; a name of at most 64 characters, rates in bits/s with k/M/G, 0 = unlimited)" },
	{ "[ppp]\nrate-profile = gold 10M\n",
	  "t.conf:2: [ppp] rate-profile: \"gold 10M\" is not NAME DOWN/UP (like gold 10M/2M; a name of at most 64 characters, rates in bits/s with k/M/G, 0 = unlimited)" },
	{ "[ppp]\nrate-profile = gold 10M/2M\nrate-profile = gold 1M/1M\n",
	  "t.conf:3: [ppp] rate-profile: profile gold is defined twice" },
	{ "[ppp]\nipv6-prefix-pool = 2001:db8::/72\n",
	  "t.conf:2: [ppp] ipv6-prefix-pool: \"2001:db8::/72\" is not a list of non-overlapping IPv6 prefixes of at most /64 (like 2001:db8:100::/48; bad at \"2001:db8::/72\")" },
	{ "[ppp]\nipv6 = yes\nipv6-delegation-pool = 2001:db8::/48\nipv6-delegation-length = 40\n",
	  "t.conf:3: [ppp] ipv6-delegation-pool (ipv6-delegation-length 40): \"2001:db8::/48\" is not a list of non-overlapping IPv6 prefixes of at most /40 (like 2001:db8:100::/48; bad at \"2001:db8::/48\")" },
	{ "[ppp]\nipv6-dns = 2001:db8::1, 192.0.2.1\n",
	  "t.conf:2: [ppp] ipv6-dns: \"192.0.2.1\" is not an IPv6 address" },
	{ "[ppp]\nipv6-domain = a..b\n",
	  "t.conf:2: [ppp] ipv6-domain: \"a..b\" is not a domain name" },
	{ "[ppp]\nipv6-valid-lifetime = 600\nipv6-preferred-lifetime = 700\n",
	  "t.conf:3: [ppp] ipv6-preferred-lifetime: 700 s is over ipv6-valid-lifetime (600 s)" },
	{ "[ppp]\nipv6-ra-interval = 2\n",
	  "t.conf:2: [ppp] ipv6-ra-interval: 2 is out of range (4 to 1800)" },
};

START_TEST(errors)
{
	char err[CONF_ERR_LEN];
	struct lnsd_conf *c = load(bad[_i].text, err);

	ck_assert_msg(c == NULL, "case %d parsed: %s", _i, bad[_i].text);
	ck_assert_str_eq(err, bad[_i].msg);
}
END_TEST

START_TEST(long_line)
{
	char text[400], err[CONF_ERR_LEN];

	snprintf(text, sizeof(text), "[l2tp]\nsecret = %0300d\n", 0);
	ck_assert_ptr_null(load(text, err));
	ck_assert_str_eq(err, "t.conf:2: line too long (at most 198 characters)");
}
END_TEST

START_TEST(missing_file)
{
	char err[CONF_ERR_LEN];

	ck_assert_ptr_null(conf_load_file("/nonexistent/lnsd.conf", err, sizeof(err)));
	ck_assert_str_eq(err, "/nonexistent/lnsd.conf: No such file or directory");
}
END_TEST

START_TEST(file_errors_name_the_file)
{
	char path[] = "/tmp/test_conf_XXXXXX", err[CONF_ERR_LEN], want[256];
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs("[lnsd]\nlisten = 127.0.0.1:1701\n[l2tp]\nretransmit-retries = abc\n", f);
	fclose(f);
	ck_assert_ptr_null(conf_load_file(path, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s:4: [l2tp] retransmit-retries: \"abc\" is not a number",
		 path);
	ck_assert_str_eq(err, want);
	unlink(path);
}
END_TEST

/* A temporary file with these len bytes and this mode; its name in path. */
static void temp_file(char path[32], const void *data, size_t len, mode_t mode)
{
	int fd;

	strcpy(path, "/tmp/test_conf_XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

/* tmpl with its one "%s" replaced by path (the templates are data, not formats). */
static void subst(char *out, size_t n, const char *tmpl, const char *path)
{
	const char *at = strstr(tmpl, "%s");

	ck_assert_ptr_nonnull(at);
	snprintf(out, n, "%.*s%s%s", (int)(at - tmpl), tmpl, path, at + 2);
}

/* conf_load_file on a file with these bytes: NULL and err, which must be want (%s: path). */
static void file_fails(const void *data, size_t len, const char *want_fmt)
{
	char path[32], err[CONF_ERR_LEN], want[256];

	temp_file(path, data, len, 0600);
	ck_assert_ptr_null(conf_load_file(path, err, sizeof(err)));
	subst(want, sizeof(want), want_fmt, path);
	ck_assert_str_eq(err, want);
	unlink(path);
}

/*
 * A NUL byte would cut a value short without a word (inih reads C strings):
 * refused, naming the key when it is in a value. A directory is not a
 * configuration (fopen() opens it and reads nothing: it looked empty).
 */
START_TEST(nul_bytes_and_directories)
{
	static const char in_secret[] = "[lnsd]\nlisten = 127.0.0.1\n[l2tp]\nsecret = ab\0cd\n";
	static const char in_peer[] = "[peer p]\nmatch-address = 192.0.2.1\nsecret = \0\n";
	static const char in_comment[] = "[lnsd]\n# a \0 comment\n";
	static const char in_key[] = "[ppp]\nmr\0u = 1400\n";
	char err[CONF_ERR_LEN];

	file_fails(in_secret, sizeof(in_secret) - 1, "%s:4: [l2tp] secret: the value holds a NUL byte");
	file_fails(in_peer, sizeof(in_peer) - 1, "%s:3: [peer p] secret: the value holds a NUL byte");
	file_fails(in_comment, sizeof(in_comment) - 1, "%s:2: the line holds a NUL byte");
	file_fails(in_key, sizeof(in_key) - 1, "%s:2: the line holds a NUL byte");
	ck_assert_ptr_null(conf_load_file("/tmp", err, sizeof(err)));
	ck_assert_str_eq(err, "/tmp: is a directory, not a configuration file");
}
END_TEST

/* A config with psk-file or users-file = path at line 2 (3 for users-file); err for the rest. */
static struct lnsd_conf *with_file(const char *key, const char *path, char *err)
{
	char text[256];

	if (strcmp(key, "psk-file") == 0)
		snprintf(text, sizeof(text), "[ipsec]\npsk-file = %s\n", path);
	else
		snprintf(text, sizeof(text), "[ppp]\nauth = pap\nusers-file = %s\n", path);
	return load(text, err);
}

/*
 * Every file holding secrets gets the same checks, whatever reads it:
 * psk-file while loading, users-file in conf_check_files() (what lnsd -t, a
 * start on any data plane and a reload call) and in the engine. Readable or
 * writable by others, not a regular file, missing, or bad content: refused
 * with FILE:LINE, the key and the file's name.
 */
START_TEST(secret_files)
{
	static const struct {
		const char *key, *data;
		size_t len;
		mode_t mode;
		const char *want;       /* %s: path; NULL: accepted */
	} cases[] = {
		{ "psk-file", "k\n", 2, 0600, NULL },
		{ "psk-file", "k\n", 2, 0400, NULL },
		{ "psk-file", "k\n", 2, 0640, NULL },
		{ "psk-file", "k\n", 2, 0644, "t.conf:2: [ipsec] psk-file: \"%s\" is readable or writable by others (mode 0644): chmod 600 it" },
		{ "psk-file", "k\n", 2, 0602, "t.conf:2: [ipsec] psk-file: \"%s\" is readable or writable by others (mode 0602): chmod 600 it" },
		{ "psk-file", "ab\0cd\n", 6, 0600, "t.conf:2: [ipsec] psk-file: \"%s\": the key holds a NUL byte" },
		{ "psk-file", "\n", 1, 0600, "t.conf:2: [ipsec] psk-file: \"%s\" holds no key (its first line is empty)" },
		{ "users-file", "alice * pw *\n", 13, 0600, NULL },
		{ "users-file", "alice * pw *\n", 13, 0604, "t.conf:3: [ppp] users-file: \"%s\" is readable or writable by others (mode 0604): chmod 600 it" },
		{ "users-file", "alice * pw *\n", 13, 0666, "t.conf:3: [ppp] users-file: \"%s\" is readable or writable by others (mode 0666): chmod 600 it" },
		{ "users-file", "alice * p\0w *\n", 14, 0600, "t.conf:3: [ppp] users-file: \"%s\" line 1: NUL byte" },
		{ "users-file", "alice\n", 6, 0600, "t.conf:3: [ppp] users-file: \"%s\" line 1: expected client, server and secret" },
	};
	char path[32], err[CONF_ERR_LEN], want[256];
	struct lnsd_conf *c;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		temp_file(path, cases[i].data, cases[i].len, cases[i].mode);
		err[0] = '\0';
		c = with_file(cases[i].key, path, err);
		if (c && conf_check_files(c, err, sizeof(err)) != 0) {
			conf_unref(c);
			c = NULL;
		}
		if (cases[i].want) {
			ck_assert_msg(c == NULL, "case %zu accepted", i);
			subst(want, sizeof(want), cases[i].want, path);
			ck_assert_str_eq(err, want);
		} else {
			ck_assert_msg(c != NULL, "case %zu: %s", i, err);
		}
		conf_unref(c);
		unlink(path);
	}
	/* missing, or a directory */
	c = with_file("users-file", "/nonexistent/users", err);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_ne(conf_check_files(c, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "t.conf:3: [ppp] users-file: cannot read \"/nonexistent/users\": No such file or directory");
	conf_unref(c);
	c = with_file("users-file", "/tmp", err);
	ck_assert_int_ne(conf_check_files(c, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "t.conf:3: [ppp] users-file: \"/tmp\" is not a regular file");
	conf_unref(c);
	/* nothing to check */
	c = load("[ppp]\n", err);
	ck_assert_int_eq(conf_check_files(c, err, sizeof(err)), 0);
	conf_unref(c);
}
END_TEST

/* metrics takes an IPv6 address in brackets, and the dump writes it back the same way. */
START_TEST(metrics_v6)
{
	char err[CONF_ERR_LEN], b[LNS_ADDR_STRLEN], *d;
	struct lnsd_conf *c = load("[lnsd]\nmetrics = [::1]:9101\n", err);

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->metrics.family, 6);
	ck_assert_str_eq(lns_addr_str(&c->metrics, b, sizeof(b)), "[::1]:9101");
	d = dump_str(c);
	ck_assert_msg(strstr(d, "\nmetrics = [::1]:9101\nmetrics-sessions = no\n") != NULL, "%s", d);
	free(d);
	conf_unref(c);
}
END_TEST

/* A dump parses again and dumps the same text; frees dump. */
static void assert_reparses_same(char *dump)
{
	char err[CONF_ERR_LEN], *d2;
	struct lnsd_conf *c2 = load(dump, err);

	ck_assert_msg(c2 != NULL, "%s", err);
	d2 = dump_str(c2);
	ck_assert_str_eq(dump, d2);
	free(dump);
	free(d2);
	conf_unref(c2);
}

/* Every [radius] key, the defaults, repeated keys in order, and the dump round trip. */
START_TEST(radius_keys)
{
	static const char text[] =
		"[radius]\n"
		"server = 192.0.2.10,s1\n"
		"server = 192.0.2.11:1645 , s2,with,commas\n"
		"server = [2001:db8::12]:11812:11813,s3\n"
		"nas-identifier = lns-a\n"
		"nas-ip-address = 192.0.2.1\n"
		"timeout = 5\n"
		"retries = 2\n"
		"require-message-authenticator = no\n"
		"accounting = no\n"
		"interim-interval = 300\n"
		"dae-listen = 192.0.2.1\n"
		"dae-clients = 192.0.2.0/24,d1\n"
		"dae-clients = 2001:db8::7,d2\n"
		"dae-require-event-timestamp = no\n";
	char err[CONF_ERR_LEN], b[LNS_ADDR_STRLEN], *d1;
	struct lnsd_conf *c = load(text, err);
	const struct lnsd_radius_conf *r;

	ck_assert_msg(c != NULL, "%s", err);
	r = &c->radius;
	ck_assert(r->enabled);
	ck_assert_uint_eq(r->n_servers, 3);
	ck_assert_str_eq(lns_addr_str(&r->servers[0].addr, b, sizeof(b)), "192.0.2.10:1812");
	ck_assert_uint_eq(r->servers[0].acct_port, 1813);
	ck_assert_str_eq(r->servers[0].secret, "s1");
	ck_assert_str_eq(lns_addr_str(&r->servers[1].addr, b, sizeof(b)), "192.0.2.11:1645");
	ck_assert_uint_eq(r->servers[1].acct_port, 1646);
	ck_assert_str_eq(r->servers[1].secret, "s2,with,commas");
	ck_assert_str_eq(lns_addr_str(&r->servers[2].addr, b, sizeof(b)),
			 "[2001:db8::12]:11812");
	ck_assert_uint_eq(r->servers[2].acct_port, 11813);
	ck_assert_str_eq(r->nas_identifier, "lns-a");
	ck_assert_uint_eq(r->nas_ip.family, 4);
	ck_assert_uint_eq(r->timeout_s, 5);
	ck_assert_uint_eq(r->retries, 2);
	ck_assert(!r->require_msg_auth);
	ck_assert(!r->accounting);
	ck_assert_uint_eq(r->interim_interval_s, 300);
	ck_assert_str_eq(lns_addr_str(&r->dae_listen, b, sizeof(b)), "192.0.2.1:3799");
	ck_assert_uint_eq(r->n_dae_clients, 2);
	ck_assert_uint_eq(r->dae_clients[0].net.prefix, 24);
	ck_assert_str_eq(r->dae_clients[0].secret, "d1");
	ck_assert_uint_eq(r->dae_clients[1].net.family, 6);
	ck_assert_uint_eq(r->dae_clients[1].net.prefix, 128);
	ck_assert(!r->dae_require_event_timestamp);
	d1 = dump_str(c);
	ck_assert_msg(strstr(d1, "\n[radius]\n"
			      "server = 192.0.2.10:1812:1813,s1\n"
			      "server = 192.0.2.11:1645:1646,s2,with,commas\n"
			      "server = [2001:db8::12]:11812:11813,s3\n"
			      "nas-identifier = lns-a\n"
			      "nas-ip-address = 192.0.2.1\n"
			      "timeout = 5\n"
			      "retries = 2\n"
			      "require-message-authenticator = no\n"
			      "accounting = no\n"
			      "interim-interval = 300\n"
			      "dae-listen = 192.0.2.1:3799\n"
			      "dae-clients = 192.0.2.0/24,d1\n"
			      "dae-clients = 2001:db8::7/128,d2\n"
			      "dae-require-event-timestamp = no\n") != NULL, "%s", d1);
	assert_reparses_same(d1);
	conf_unref(c);

	/* dae-clients: blanks around the address and the secret go; commas stay in the secret. */
	c = load("[radius]\nserver = 10.0.0.1,s\ndae-clients =  192.0.2.0/24 , d,1 \n", err);
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->radius.n_dae_clients, 1);
	ck_assert_uint_eq(c->radius.dae_clients[0].net.prefix, 24);
	ck_assert_str_eq(c->radius.dae_clients[0].secret, "d,1");
	conf_unref(c);

	/* Defaults; without [radius] nothing is dumped. */
	c = load("[radius]\nserver = 10.0.0.1,s\n", err);
	ck_assert_msg(c != NULL, "%s", err);
	r = &c->radius;
	ck_assert_str_eq(r->nas_identifier, "");
	ck_assert_uint_eq(r->nas_ip.family, 0);
	ck_assert_uint_eq(r->timeout_s, 3);
	ck_assert_uint_eq(r->retries, 2);
	ck_assert(r->require_msg_auth);
	ck_assert(r->accounting);
	ck_assert_uint_eq(r->interim_interval_s, 0);
	ck_assert_uint_eq(r->dae_listen.family, 0);
	ck_assert_uint_eq(r->n_dae_clients, 0);
	ck_assert(r->dae_require_event_timestamp);
	conf_unref(c);
	c = load("[ppp]\n", err);
	ck_assert(!c->radius.enabled);
	d1 = dump_str(c);
	ck_assert_ptr_null(strstr(d1, "[radius]"));
	free(d1);
	conf_unref(c);
}
END_TEST

/* The documented example parses, and dumps exactly as the golden file. */
START_TEST(example_golden_round_trip)
{
	char err[CONF_ERR_LEN];
	struct lnsd_conf *c = conf_load_file(EXAMPLE, err, sizeof(err));
	char *d1, *golden;

	ck_assert_msg(c != NULL, "%s", err);
	d1 = dump_str(c);
	golden = slurp(GOLDEN);
	ck_assert_str_eq(d1, golden);
	assert_reparses_same(d1);
	free(golden);
	conf_unref(c);
}
END_TEST

/* Rate limits: defaults, profiles in order, their dump read back the same. */
START_TEST(ipv6_keys)
{
	char err[CONF_ERR_LEN], *d1;
	static const uint8_t dns2[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x54 };
	struct lnsd_conf *c = load("[ppp]\nipv6 = yes\nipv6-prefix-pool = 2001:db8:100::/48, "
				   "2001:db8:200::/56\nipv6-delegation-pool = 2001:db8:4000::/40\n"
				   "ipv6-delegation-length = 60\nipv6-dns = 2001:db8::53, 2001:db8::54\n"
				   "ipv6-domain = example.net, isp.example\nipv6-ra-interval = 60\n", err);

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(c->ppp_ipv6_pool, "2001:db8:100::/48, 2001:db8:200::/56");
	ck_assert_str_eq(c->ppp_ipv6_pd_pool, "2001:db8:4000::/40");
	ck_assert_uint_eq(c->ppp_ipv6_pd_len, 60);
	ck_assert_uint_eq(c->ppp_n_dns6, 2);
	ck_assert_mem_eq(c->ppp_dns6[1], dns2, 16);
	ck_assert_uint_eq(c->ppp_ipv6_ra_interval_s, 60);
	ck_assert_uint_eq(c->ppp_ipv6_valid_s, 86400);
	ck_assert_uint_eq(c->ppp_ipv6_preferred_s, 14400);
	d1 = dump_str(c);
	ck_assert_ptr_nonnull(strstr(d1, "ipv6-dns = 2001:db8::53, 2001:db8::54\n"
				 "ipv6-domain = example.net, isp.example\n"));
	assert_reparses_same(d1);
	conf_unref(c);
}
END_TEST

START_TEST(rate_keys)
{
	char err[CONF_ERR_LEN], *d1;
	struct rate_limit r;
	struct lnsd_conf *c = load("[ppp]\nrate-limit-down = 20M\nrate-limit-up = 4000k\n"
				   "rate-profile = gold 10M/2M\nrate-profile = 5000/2000 1G/0\n", err);

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->ppp_rate.down_bps, 20000000);
	ck_assert_uint_eq(c->ppp_rate.up_bps, 4000000);
	ck_assert_uint_eq(c->n_rate_profiles, 2);
	ck_assert(conf_rate_profile(c, "gold", &r));
	ck_assert_uint_eq(r.down_bps, 10000000);
	ck_assert_uint_eq(r.up_bps, 2000000);
	ck_assert(conf_rate_profile(c, "5000/2000", &r));
	ck_assert_uint_eq(r.down_bps, 1000000000);
	ck_assert_uint_eq(r.up_bps, 0);
	ck_assert(!conf_rate_profile(c, "silver", &r));
	d1 = dump_str(c);
	ck_assert_ptr_nonnull(strstr(d1, "rate-limit-down = 20M\nrate-limit-up = 4M\n"
				 "rate-profile = gold 10M/2M\nrate-profile = 5000/2000 1G/0\n"));
	assert_reparses_same(d1);
	conf_unref(c);
}
END_TEST

/*
 * The examples under docs/examples parse, and their dumps read back the
 * same (remote-access.conf names an /etc/lnsd PSK file this host lacks).
 */
START_TEST(examples_parse)
{
	static const char *const ex[] = { "lnsd.conf", "isp-lns.conf" };
	char path[512], err[CONF_ERR_LEN];

	for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		struct lnsd_conf *c;

		snprintf(path, sizeof(path), "%s/../../../docs/examples/%s", LNS_TEST_DATA, ex[i]);
		c = conf_load_file(path, err, sizeof(err));
		ck_assert_msg(c != NULL, "%s: %s", ex[i], err);
		assert_reparses_same(dump_str(c));
		conf_unref(c);
	}
}
END_TEST

static const char peers_text[] =
	"[l2tp]\n"
	"secret = global\n"
	"[peer globbed]\n"
	"match-hostname = branch-*.example.net\n"
	"secret = branch\n"
	"hide-avps = yes\n"
	"[peer v4net]\n"
	"match-address = 192.0.2.0/24, 198.51.100.7\n"
	"secret = v4\n"
	"[peer v6net]\n"
	"match-address = 2001:db8:100::/48\n"
	"[peer both]\n"
	"match-hostname = lab-lac\n"
	"match-address = 10.10.0.0/16\n"
	"secret = both\n"
	"[peer shadowed]\n"
	"match-address = 192.0.2.128/25\n"
	"secret = never\n";

static const struct {
	const char *addr;
	const char *host;
	const char *want;
} match_cases[] = {
	{ "203.0.113.1", "branch-7.example.net", "globbed" },
	{ "203.0.113.1", "BRANCH-7.EXAMPLE.NET", "globbed" },     /* case-insensitive */
	{ "203.0.113.1", "branch-7.example.org", "default" },
	{ "192.0.2.200", "anything", "v4net" },                  /* first match wins */
	{ "198.51.100.7", "x", "v4net" },                        /* bare address = /32 */
	{ "198.51.100.8", "x", "default" },
	{ "192.0.2.1", "branch-1.example.net", "globbed" },      /* earlier section wins */
	{ "2001:db8:100:ffff::1", "x", "v6net" },
	{ "2001:db8:101::1", "x", "default" },
	{ "10.10.3.4", "lab-lac", "both" },                      /* both keys must match */
	{ "10.10.3.4", "other", "default" },
	{ "10.11.3.4", "lab-lac", "default" },
	{ "10.10.3.4", NULL, "default" },                        /* no Host Name */
	{ "::ffff:192.0.2.1", "x", "default" },                  /* families never mix */
};

START_TEST(peer_matching)
{
	char err[CONF_ERR_LEN];
	struct lnsd_conf *c = load(peers_text, err);
	struct lns_addr a = addr(match_cases[_i].addr);
	const struct l2tp_peer_cfg *pc;

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_int_ne(a.family, 0);
	pc = conf_peer_lookup(c, &a, match_cases[_i].host);
	ck_assert_ptr_nonnull(pc);
	ck_assert_msg(strcmp(pc->name, match_cases[_i].want) == 0, "case %d: got %s want %s", _i,
		      pc->name, match_cases[_i].want);
	conf_unref(c);
}
END_TEST

START_TEST(peer_settings_inherit)
{
	char err[CONF_ERR_LEN];
	struct lnsd_conf *c = load(peers_text, err);
	const struct l2tp_peer_cfg *pc;

	ck_assert_msg(c != NULL, "%s", err);
	pc = conf_peer_by_name(c, "v6net");   /* no secret or hide-avps of its own */
	ck_assert_str_eq(pc->name, "v6net");
	ck_assert_uint_eq(pc->secret_len, 6);
	ck_assert(memcmp(pc->secret, "global", 6) == 0);
	ck_assert(!pc->hide_avps);
	pc = conf_peer_by_name(c, "globbed");
	ck_assert(pc->hide_avps);
	ck_assert(memcmp(pc->secret, "branch", 6) == 0);
	ck_assert_str_eq(conf_peer_by_name(c, "nope")->name, "default");
	ck_assert_str_eq(conf_peer_by_name(c, NULL)->name, "default");
	conf_unref(c);
}
END_TEST

/* lnsctl show config: no secret leaves the daemon; the rest is the plain dump. */
START_TEST(dump_redacts_secrets)
{
	static const char *const secrets[] = { "Gl0bal-S3cret", "Br4nch-S3cret", "V4net-S3cret",
					       "Ps7k-S3cret", "Rad1us-S3cret", "Rad2us-S3cret",
					       "D4e-S3cret" };
	char err[CONF_ERR_LEN];
	struct lnsd_conf *c = load("[l2tp]\nsecret = Gl0bal-S3cret\n"
				   "[ipsec]\nmode = required\npsk = Ps7k-S3cret\n"
				   "[radius]\nserver = 192.0.2.10:1812:1813,Rad1us-S3cret\n"
				   "server = [2001:db8::10],Rad2us-S3cret\n"
				   "dae-clients = 192.0.2.0/24,D4e-S3cret\n"
				   "[peer a]\nmatch-hostname = a\nsecret = Br4nch-S3cret\n"
				   "[peer b]\nmatch-address = 192.0.2.0/24\nsecret = V4net-S3cret\n"
				   "[peer c]\nmatch-hostname = c\n", err);
	size_t secret_len = 0;
	char *plain, *red;

	ck_assert_msg(c != NULL, "%s", err);
	plain = dump_flags(c, 0);
	red = dump_flags(c, CONF_DUMP_REDACT);
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		ck_assert_msg(strstr(plain, secrets[i]), "plain dump lacks %s", secrets[i]);
		ck_assert_msg(!strstr(red, secrets[i]), "redacted dump shows %s:\n%s", secrets[i], red);
	}
	ck_assert_ptr_nonnull(strstr(red, "[l2tp]\nsecret = <redacted>\n"));
	ck_assert_ptr_nonnull(strstr(red, "[peer a]\nmatch-hostname = a\nsecret = <redacted>\n"));
	ck_assert_ptr_nonnull(strstr(red, "[peer b]\nmatch-address = 192.0.2.0/24\nsecret = <redacted>\n"));
	ck_assert_ptr_nonnull(strstr(red, "[peer c]\nmatch-hostname = c\n"));
	ck_assert_ptr_null(strstr(strstr(red, "[peer c]"), "secret"));
	ck_assert_ptr_nonnull(strstr(red, "\npsk = <redacted>\n"));
	ck_assert_ptr_nonnull(strstr(red, "\nserver = 192.0.2.10:1812:1813,<redacted>\n"));
	ck_assert_ptr_nonnull(strstr(red, "\nserver = [2001:db8::10]:1812:1813,<redacted>\n"));
	ck_assert_ptr_nonnull(strstr(red, "\ndae-clients = 192.0.2.0/24,<redacted>\n"));
	/* Same length minus the secrets: nothing else differs. */
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		secret_len += strlen(secrets[i]);
	ck_assert_uint_eq(strlen(plain) - secret_len,
			  strlen(red) - sizeof(secrets) / sizeof(secrets[0]) * strlen(CONF_REDACTED));
	free(plain);
	free(red);
	conf_unref(c);
	/* No secret: an empty value, not "<redacted>". */
	c = load("[l2tp]\nhello-interval = 30\n", err);
	ck_assert_msg(c != NULL, "%s", err);
	red = dump_flags(c, CONF_DUMP_REDACT);
	ck_assert_ptr_nonnull(strstr(red, "[l2tp]\nsecret =\n"));
	free(red);
	conf_unref(c);
}
END_TEST

START_TEST(cidr_edges)
{
	struct conf_cidr all4 = { .family = 4, .prefix = 0 };
	struct conf_cidr odd = { .family = 4, .prefix = 23, .addr = { 10, 0, 2, 0 } };
	struct lns_addr a;

	a = addr("255.255.255.255");
	ck_assert(conf_cidr_match(&all4, &a));
	a = addr("::1");
	ck_assert(!conf_cidr_match(&all4, &a));
	a = addr("10.0.3.255");
	ck_assert(conf_cidr_match(&odd, &a));
	a = addr("10.0.4.0");
	ck_assert(!conf_cidr_match(&odd, &a));
	a = addr("10.0.1.255");
	ck_assert(!conf_cidr_match(&odd, &a));
}
END_TEST

START_TEST(refcount_keeps_generation)
{
	char err[CONF_ERR_LEN];
	struct lnsd_conf *c = load(peers_text, err);
	const struct l2tp_peer_cfg *pc = conf_peer_by_name(c, "both");

	conf_ref(c);          /* a tunnel's reference */
	conf_unref(c);        /* the engine moved on to a new generation */
	ck_assert_str_eq(pc->name, "both");
	ck_assert(memcmp(pc->secret, "both", 4) == 0);
	conf_unref(c);
	conf_unref(NULL);
}
END_TEST

START_TEST(ipsec_absent_is_off)
{
	char err[CONF_ERR_LEN];
	struct lnsd_conf *c = load("[lnsd]\nlisten = 127.0.0.1\n", err);
	char *d;

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert(!c->ipsec.present);
	ck_assert_int_eq(c->ipsec.mode, CONF_IPSEC_OFF);
	d = dump_str(c);
	ck_assert_ptr_null(strstr(d, "[ipsec]"));
	free(d);
	conf_unref(c);
}
END_TEST

START_TEST(ipsec_defaults)
{
	char err[CONF_ERR_LEN];
	struct lnsd_conf *c = load("[ipsec]\npsk = s3cret\n", err);

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert(c->ipsec.present);
	ck_assert_int_eq(c->ipsec.mode, CONF_IPSEC_REQUIRED);
	ck_assert_str_eq(c->ipsec.vici_socket, "/var/run/charon.vici");
	ck_assert_str_eq(c->ipsec.psk, "s3cret");
	ck_assert_str_eq(c->ipsec.psk_file, "");
	ck_assert_str_eq(c->ipsec.proposals, "");
	ck_assert_str_eq(c->ipsec.esp_proposals, "");
	ck_assert(!c->ipsec.legacy_proposals);
	ck_assert_uint_eq(c->ipsec.ike_version, 1);
	ck_assert_uint_eq(c->ipsec.reqid, 1701);
	ck_assert_uint_eq(c->ipsec.dpd_delay_s, 30);
	ck_assert_uint_eq(c->ipsec.dpd_timeout_s, 0);
	conf_unref(c);

	/* mode = off needs no key; a second [ipsec] header does not turn it back on */
	c = load("[ipsec]\nmode = off\n[lnsd]\n[ipsec]\n", err);
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert(c->ipsec.present);
	ck_assert_int_eq(c->ipsec.mode, CONF_IPSEC_OFF);
	conf_unref(c);
}
END_TEST

START_TEST(ipsec_every_key)
{
	static const char text[] =
		"[ipsec]\n"
		"mode = required\n"
		"vici-socket = /run/x/charon.vici\n"
		"psk = a b c\n"
		"proposals = aes256-sha256-modp2048 ,  aes128-sha1-ecp256\n"
		"esp-proposals = aes128gcm16\n"
		"legacy-proposals = yes\n"
		"ike-version = 0\n"
		"reqid = 42\n"
		"dpd-delay = 0\n"
		"dpd-timeout = 20\n";
	static const char want[] =
		"\n[ipsec]\n"
		"mode = required\n"
		"vici-socket = /run/x/charon.vici\n"
		"psk = a b c\n"
		"proposals = aes256-sha256-modp2048,aes128-sha1-ecp256\n"
		"esp-proposals = aes128gcm16\n"
		"legacy-proposals = yes\n"
		"ike-version = 0\n"
		"reqid = 42\n"
		"dpd-delay = 0\n"
		"dpd-timeout = 20\n";
	char err[CONF_ERR_LEN];
	struct lnsd_conf *c = load(text, err), *c2;
	char *d, *d2;

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(c->ipsec.vici_socket, "/run/x/charon.vici");
	ck_assert_str_eq(c->ipsec.psk, "a b c");
	ck_assert_str_eq(c->ipsec.proposals, "aes256-sha256-modp2048,aes128-sha1-ecp256");
	ck_assert_str_eq(c->ipsec.esp_proposals, "aes128gcm16");
	ck_assert(c->ipsec.legacy_proposals);
	ck_assert_uint_eq(c->ipsec.ike_version, 0);
	ck_assert_uint_eq(c->ipsec.reqid, 42);
	ck_assert_uint_eq(c->ipsec.dpd_delay_s, 0);
	ck_assert_uint_eq(c->ipsec.dpd_timeout_s, 20);
	d = dump_str(c);
	ck_assert_msg(strstr(d, want) != NULL, "dump:\n%s", d);
	/* the dump reads back to the same dump */
	c2 = load(d, err);
	ck_assert_msg(c2 != NULL, "%s", err);
	d2 = dump_str(c2);
	ck_assert_str_eq(d, d2);
	free(d);
	free(d2);
	conf_unref(c2);
	conf_unref(c);
}
END_TEST

START_TEST(ipsec_psk_file)
{
	char path[] = "/tmp/lnsd-psk-XXXXXX", text[128], err[CONF_ERR_LEN];
	int fd = mkstemp(path);
	struct lnsd_conf *c;
	char *d;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "  key from file \nsecond line\n", 30), 30);
	close(fd);
	snprintf(text, sizeof(text), "[ipsec]\npsk-file = %s\n", path);
	c = load(text, err);
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(c->ipsec.psk, "key from file");
	d = dump_str(c);
	/* the dump names the file, never the key read from it */
	ck_assert_ptr_nonnull(strstr(d, "psk-file = /tmp/lnsd-psk-"));
	ck_assert_ptr_null(strstr(d, "key from file"));
	free(d);
	conf_unref(c);
	unlink(path);
}
END_TEST

/*
 * A secret file that is a FIFO is refused at once (opening it used to wait
 * for a writer: lnsd -t hung, and a reload would have blocked the event
 * loop), naming file, line and key. A regular file of mode 0600 owned by a
 * user other than root and lnsd's is refused too: that user could add PPP
 * accounts or change the key (that half needs root to chown; skipped
 * otherwise).
 */
START_TEST(secret_files_fifo_and_owner)
{
	char path[32], err[CONF_ERR_LEN], want[256];
	struct lnsd_conf *c;
	struct timespec t0, t1;

	snprintf(path, sizeof(path), "/tmp/lnsd-fifo-%d", (int)getpid());
	unlink(path);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	c = with_file("users-file", path, err);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_ne(conf_check_files(c, err, sizeof(err)), 0);
	conf_unref(c);
	subst(want, sizeof(want), "t.conf:3: [ppp] users-file: \"%s\" is not a regular file", path);
	ck_assert_str_eq(err, want);
	c = with_file("psk-file", path, err);
	ck_assert_ptr_null(c);
	subst(want, sizeof(want), "t.conf:2: [ipsec] psk-file: \"%s\" is not a regular file", path);
	ck_assert_str_eq(err, want);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 2);
	unlink(path);

	if (geteuid() != 0) {
		fprintf(stderr, "secret_files_fifo_and_owner: owner case skipped (needs root)\n");
		return;
	}
	temp_file(path, "alice * pw *\n", 13, 0600);
	ck_assert_int_eq(chown(path, 65534, 65534), 0);
	c = with_file("users-file", path, err);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_ne(conf_check_files(c, err, sizeof(err)), 0);
	conf_unref(c);
	subst(want, sizeof(want), "t.conf:3: [ppp] users-file: \"%s\" is owned by uid 65534, "
	      "not by root or lnsd's user (uid 0): chown it", path);
	ck_assert_str_eq(err, want);
	unlink(path);
	temp_file(path, "k\n", 2, 0600);
	ck_assert_int_eq(chown(path, 65534, 65534), 0);
	ck_assert_ptr_null(with_file("psk-file", path, err));
	subst(want, sizeof(want), "t.conf:2: [ipsec] psk-file: \"%s\" is owned by uid 65534, "
	      "not by root or lnsd's user (uid 0): chown it", path);
	ck_assert_str_eq(err, want);
	unlink(path);
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("conf");

	tcase_add_test(tc, embedded_default);
	tcase_add_test(tc, empty_file_gives_defaults);
	tcase_add_test(tc, every_key);
	tcase_add_loop_test(tc, errors, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, long_line);
	tcase_add_test(tc, missing_file);
	tcase_add_test(tc, file_errors_name_the_file);
	tcase_add_test(tc, nul_bytes_and_directories);
	tcase_add_test(tc, secret_files);
	tcase_add_test(tc, example_golden_round_trip);
	tcase_add_test(tc, radius_keys);
	tcase_add_test(tc, metrics_v6);
	tcase_add_loop_test(tc, peer_matching, 0, (int)(sizeof(match_cases) / sizeof(match_cases[0])));
	tcase_add_test(tc, peer_settings_inherit);
	tcase_add_test(tc, cidr_edges);
	tcase_add_test(tc, dump_redacts_secrets);
	tcase_add_test(tc, refcount_keeps_generation);
	tcase_add_test(tc, rate_keys);
	tcase_add_test(tc, ipv6_keys);
	tcase_add_test(tc, examples_parse);
	tcase_add_test(tc, ipsec_absent_is_off);
	tcase_add_test(tc, ipsec_defaults);
	tcase_add_test(tc, ipsec_every_key);
	tcase_add_test(tc, ipsec_psk_file);
	tcase_add_test(tc, secret_files_fifo_and_owner);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(conf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
