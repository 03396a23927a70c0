// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lnsd.conf [pseudowire NAME]: every key good and bad (the exact message,
 * file:line and key), the cross-section checks, defaults, the dump round
 * trip and its redaction, reload comparison, and the two-site examples.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"

#define EXAMPLES LNS_TEST_DATA "/../../../docs/examples/"

static struct lnsd_conf *load(const char *text, char *err)
{
	return conf_load_string(text, "t.conf", err, CONF_ERR_LEN);
}

__attribute__((noinline)) static char *dump_flags(const struct lnsd_conf *c, unsigned flags)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	conf_dump(c, f, flags);
	fclose(f);
	return buf;
}

/* The dump parses again and dumps to the same text. */
static void assert_round_trip(const struct lnsd_conf *c)
{
	char err[CONF_ERR_LEN], *d1 = dump_flags(c, 0), *d2;
	struct lnsd_conf *c2 = load(d1, err);

	ck_assert_msg(c2 != NULL, "dump does not parse again: %s\n%s", err, d1);
	d2 = dump_flags(c2, 0);
	ck_assert_str_eq(d1, d2);
	ck_assert_int_eq(c->n_pws, c2->n_pws);
	for (size_t i = 0; i < c->n_pws; i++)
		ck_assert(conf_pw_same(&c->pws[i], &c2->pws[i]));
	free(d1);
	free(d2);
	conf_unref(c2);
}

#define PW "[pseudowire a]\npeer = 192.0.2.2\nremote-end-id = 100\n"
#define IPW PW "local = 192.0.2.1\nencap = ip\n"

START_TEST(defaults)
{
	char err[CONF_ERR_LEN];
	struct lnsd_conf *c = load("[l2tp]\nhello-interval = 20\n" PW, err);
	const struct conf_pw *pw;

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->n_pws, 1);
	pw = conf_pw_by_name(c, "a");
	ck_assert_ptr_eq(pw, &c->pws[0]);
	ck_assert_ptr_null(conf_pw_by_name(c, "b"));
	ck_assert_int_eq(pw->line, 3);
	ck_assert_int_eq(pw->peer.family, 4);
	ck_assert_uint_eq(pw->peer.port, 1701);
	ck_assert(!pw->peer_port_set);
	ck_assert_int_eq(pw->local.family, 0);
	ck_assert_int_eq(pw->encap, CONF_PW_ENCAP_UDP);
	ck_assert_int_eq(pw->type, CONF_PW_ETHERNET);
	ck_assert_str_eq(pw->remote_end_id, "100");
	ck_assert_uint_eq(pw->cookie_len, 0);
	ck_assert_int_eq(pw->l2spec, CONF_PW_L2SPEC_NONE);
	ck_assert(!pw->sequencing);
	ck_assert_str_eq(pw->ifname, "");
	ck_assert_str_eq(pw->bridge, "");
	ck_assert_int_eq(pw->address.family, 0);
	ck_assert_uint_eq(pw->mtu, 0);
	ck_assert_str_eq(pw->secret, "");
	ck_assert_int_eq(pw->auth, CONF_PW_AUTH_NONE);
	ck_assert_int_eq(pw->role, CONF_PW_ROLE_BOTH);
	ck_assert_uint_eq(pw->hello_interval_ms, 20000);     /* [l2tp]'s */
	ck_assert_uint_eq(pw->retry_min_ms, 1000);
	ck_assert_uint_eq(pw->retry_max_ms, 60000);
	assert_round_trip(c);
	conf_unref(c);
}
END_TEST

START_TEST(every_key)
{
	char err[CONF_ERR_LEN];
	struct lnsd_conf *c = load("[lnsd]\nlisten = 0.0.0.0:1701, [::]:1701\n"
				   "[pseudowire site-b.v6]\n"
				   "peer = [2001:db8::2]:1702\n"
				   "local = 2001:db8::1\n"
				   "encap = udp\n"
				   "pw-type = ethernet-vlan\n"
				   "remote-end-id = office b\n"
				   "cookie = 8\n"
				   "l2spec = default\n"
				   "sequencing = yes\n"
				   "ifname = pw-b\n"
				   "address = 10.77.0.1/24\n"
				   "mtu = 1400\n"
				   "secret = s3cret\n"
				   "auth = digest\n"
				   "digest = sha1\n"
				   "role = initiator\n"
				   "hello-interval = 0.5\n"
				   "retry-min = 2\n"
				   "retry-max = 120\n"
				   "[pseudowire c]\n"
				   "peer = 192.0.2.3\nlocal = 192.0.2.1\nencap = ip\nremote-end-id = 7\n"
				   "bridge = br0\nsecret = x\nauth = challenge\nrole = responder\n"
				   "cookie = 4\nmtu = auto\n", err);
	const struct conf_pw *pw, *q;
	char *d;

	ck_assert_msg(c != NULL, "%s", err);
	pw = conf_pw_by_name(c, "site-b.v6");
	ck_assert_int_eq(pw->peer.family, 6);
	ck_assert_uint_eq(pw->peer.port, 1702);
	ck_assert(pw->peer_port_set);
	ck_assert_int_eq(pw->local.family, 6);
	ck_assert_int_eq(pw->type, CONF_PW_ETHERNET_VLAN);
	ck_assert_str_eq(pw->remote_end_id, "office b");
	ck_assert_uint_eq(pw->cookie_len, 8);
	ck_assert_int_eq(pw->l2spec, CONF_PW_L2SPEC_DEFAULT);
	ck_assert(pw->sequencing);
	ck_assert_str_eq(pw->ifname, "pw-b");
	ck_assert_int_eq(pw->address.family, 4);
	ck_assert_uint_eq(pw->address.prefix, 24);
	ck_assert_uint_eq(pw->address.addr[3], 1);            /* host bits kept */
	ck_assert_uint_eq(pw->mtu, 1400);
	ck_assert_str_eq(pw->secret, "s3cret");
	ck_assert_int_eq(pw->auth, CONF_PW_AUTH_DIGEST);
	ck_assert_int_eq(pw->digest, CONF_PW_DIGEST_SHA1);
	ck_assert_int_eq(pw->role, CONF_PW_ROLE_INITIATOR);
	ck_assert_uint_eq(pw->hello_interval_ms, 500);
	ck_assert_uint_eq(pw->retry_min_ms, 2000);
	ck_assert_uint_eq(pw->retry_max_ms, 120000);
	q = conf_pw_by_name(c, "c");
	ck_assert_int_eq(q->encap, CONF_PW_ENCAP_IP);
	ck_assert_str_eq(q->bridge, "br0");
	ck_assert_int_eq(q->auth, CONF_PW_AUTH_CHALLENGE);
	ck_assert_int_eq(q->role, CONF_PW_ROLE_RESPONDER);
	ck_assert_uint_eq(q->cookie_len, 4);
	ck_assert_uint_eq(q->mtu, 0);
	d = dump_flags(c, 0);
	ck_assert_ptr_nonnull(strstr(d, "\n[pseudowire site-b.v6]\npeer = [2001:db8::2]:1702\n"
				       "local = 2001:db8::1\nencap = udp\npw-type = ethernet-vlan\n"
				       "remote-end-id = office b\ncookie = 8\nl2spec = default\n"
				       "sequencing = yes\nifname = pw-b\naddress = 10.77.0.1/24\n"
				       "mtu = 1400\nsecret = s3cret\nauth = digest\ndigest = sha1\n"
				       "role = initiator\nhello-interval = 0.500\nretry-min = 2\n"
				       "retry-max = 120\n"));
	ck_assert_ptr_nonnull(strstr(d, "\n[pseudowire c]\npeer = 192.0.2.3\nlocal = 192.0.2.1\n"
				       "encap = ip\npw-type = ethernet\nremote-end-id = 7\ncookie = 4\n"
				       "l2spec = none\nsequencing = no\nifname =\nbridge = br0\n"
				       "mtu = auto\nsecret = x\nauth = challenge\nrole = responder\n"));
	free(d);
	assert_round_trip(c);
	conf_unref(c);
}
END_TEST

static const struct {
	const char *text;
	const char *msg;
} bad[] = {
	{ "[pseudowire]\n", "t.conf:1: [pseudowire] needs a name: [pseudowire NAME]" },
	{ "[pseudowire a b]\n",
	  "t.conf:1: [pseudowire a b]: a pseudowire needs a name of letters, digits, '.', '_' or '-'" },
	{ PW "[pseudowire a]\n", "t.conf:4: duplicate section [pseudowire a] (first at line 1)" },
	{ PW "hide-avps = yes\n", "t.conf:4: [pseudowire a] hide-avps: unknown key" },
	{ PW "peer = 192.0.2.3\n", "t.conf:4: [pseudowire a] peer: set twice (first at line 2)" },
	{ "[pseudowire a]\npeer = gw.example\n",
	  "t.conf:2: [pseudowire a] peer: \"gw.example\" is not an address[:port] (like 192.0.2.1 or [2001:db8::1]:1701)" },
	{ "[pseudowire a]\npeer = 192.0.2.2:0\n",
	  "t.conf:2: [pseudowire a] peer: \"192.0.2.2:0\" is not an address[:port] (like 192.0.2.1 or [2001:db8::1]:1701)" },
	{ PW "local = 192.0.2.1:1701\n",
	  "t.conf:4: [pseudowire a] local: \"192.0.2.1:1701\" is not an IPv4 or IPv6 address" },
	{ PW "encap = l2tpip\n", "t.conf:4: [pseudowire a] encap: \"l2tpip\" is not one of udp, ip" },
	{ PW "pw-type = ppp\n",
	  "t.conf:4: [pseudowire a] pw-type: \"ppp\" is not one of ethernet, ethernet-vlan" },
	{ PW "cookie = 2\n", "t.conf:4: [pseudowire a] cookie: \"2\" is not one of 0, 4, 8 (bytes)" },
	{ PW "l2spec = atm\n", "t.conf:4: [pseudowire a] l2spec: \"atm\" is not one of none, default" },
	{ PW "sequencing = often\n", "t.conf:4: [pseudowire a] sequencing: \"often\" is not yes or no" },
	{ PW "ifname = l2tp-eth-site-b1\n",
	  "t.conf:4: [pseudowire a] ifname: \"l2tp-eth-site-b1\" is not an interface name (1 to 15 letters, digits, '.', '_' or '-')" },
	{ PW "ifname = pw/b\n",
	  "t.conf:4: [pseudowire a] ifname: \"pw/b\" is not an interface name (1 to 15 letters, digits, '.', '_' or '-')" },
	{ PW "ifname = ..\n",
	  "t.conf:4: [pseudowire a] ifname: \"..\" is not an interface name (1 to 15 letters, digits, '.', '_' or '-')" },
	{ PW "bridge = br 0\n",
	  "t.conf:4: [pseudowire a] bridge: \"br 0\" is not an interface name (1 to 15 letters, digits, '.', '_' or '-')" },
	{ PW "address = 10.0.0.1\n",
	  "t.conf:4: [pseudowire a] address: \"10.0.0.1\" is not an IPv4 address/prefix (like 10.77.0.1/24)" },
	{ PW "address = 10.0.0.1/33\n",
	  "t.conf:4: [pseudowire a] address: \"10.0.0.1/33\" is not an IPv4 address/prefix (like 10.77.0.1/24)" },
	{ PW "address = 2001:db8::1/64\n",
	  "t.conf:4: [pseudowire a] address: \"2001:db8::1/64\" is not an IPv4 address/prefix (like 10.77.0.1/24)" },
	{ PW "mtu = 67\n", "t.conf:4: [pseudowire a] mtu: \"67\" is not auto or a number from 68 to 65535" },
	{ PW "mtu = big\n", "t.conf:4: [pseudowire a] mtu: \"big\" is not auto or a number from 68 to 65535" },
	{ PW "auth = chap\n",
	  "t.conf:4: [pseudowire a] auth: \"chap\" is not one of none, digest, challenge" },
	{ PW "digest = sha256\n", "t.conf:4: [pseudowire a] digest: \"sha256\" is not one of md5, sha1" },
	{ PW "role = lac\n",
	  "t.conf:4: [pseudowire a] role: \"lac\" is not one of both, initiator, responder" },
	{ PW "hello-interval = 3601\n",
	  "t.conf:4: [pseudowire a] hello-interval: 3601 is out of range (0 to 3600 seconds)" },
	{ PW "retry-min = 0.05\n",
	  "t.conf:4: [pseudowire a] retry-min: 0.05 is out of range (0.1 to 3600 seconds)" },
	{ PW "retry-max = 0.5\n",
	  "t.conf:4: [pseudowire a] retry-max: 0.5 is out of range (1 to 86400 seconds)" },
	{ "[pseudowire a]\npeer = 192.0.2.2\nremote-end-id = 01234567890123456789012345678901234567890123456789012345678901234\n",
	  "t.conf:3: [pseudowire a] remote-end-id: \"01234567890123456789012345678901234567890123456789012345678901234\" must be 1 to 64 characters" },
	/* cross-key checks, after the last line, at the line of the key they name */
	{ "[pseudowire a]\nremote-end-id = 1\n",
	  "t.conf:1: [pseudowire a]: needs peer (the other end's address)" },
	{ "[pseudowire a]\npeer = 192.0.2.2\n",
	  "t.conf:1: [pseudowire a]: needs remote-end-id (the circuit's name, the same on both ends)" },
	{ PW "local = 2001:db8::1\n", "t.conf:4: [pseudowire a] local: not of the peer's address family" },
	{ PW "encap = ip\n",
	  "t.conf:4: [pseudowire a] encap: ip needs local (the address the L2TP/IP socket is bound to)" },
	{ "[pseudowire a]\npeer = 192.0.2.2:1701\nremote-end-id = 1\nlocal = 192.0.2.1\nencap = ip\n",
	  "t.conf:2: [pseudowire a] peer: no port with encap = ip (L2TP over IP has none)" },
	{ "[lnsd]\nlisten = 192.0.2.9:1701\n" PW "local = 192.0.2.1\n",
	  "t.conf:6: [pseudowire a] local: no [lnsd] listen address covers 192.0.2.1 (encap = udp uses the listeners)" },
	{ "[lnsd]\nlisten = [::]:1701\n" PW,
	  "t.conf:4: [pseudowire a] peer: no [lnsd] listen address is of the family of 192.0.2.2 (encap = udp uses the listeners)" },
	{ PW "bridge = br0\naddress = 10.0.0.1/24\n",
	  "t.conf:5: [pseudowire a] address: bridge is set too (line 4); set only one" },
	{ PW "sequencing = yes\n",
	  "t.conf:4: [pseudowire a] sequencing: needs l2spec = default (its sublayer carries the sequence numbers)" },
	{ PW "secret = a\nsecret-file = /nonexistent/pw\n",
	  "t.conf:5: [pseudowire a] secret-file: secret is set too (line 4); set only one" },
	{ PW "secret-file = /nonexistent/pw\n",
	  "t.conf:4: [pseudowire a] secret-file: cannot read \"/nonexistent/pw\": No such file or directory" },
	{ PW "secret-file = /dev/null\n",
	  "t.conf:4: [pseudowire a] secret-file: \"/dev/null\" is not a regular file" },
	{ PW "auth = digest\n",
	  "t.conf:4: [pseudowire a] auth: digest needs a secret (secret or secret-file)" },
	{ PW "auth = challenge\n",
	  "t.conf:4: [pseudowire a] auth: challenge needs a secret (secret or secret-file)" },
	{ PW "secret = x\nauth = none\n",
	  "t.conf:5: [pseudowire a] auth: none, but a secret is set: say digest or challenge" },
	{ PW "digest = sha1\n",
	  "t.conf:4: [pseudowire a] digest: only with auth = digest (and a secret)" },
	{ PW "secret = x\nauth = challenge\ndigest = md5\n",
	  "t.conf:6: [pseudowire a] digest: only with auth = digest (and a secret)" },
	{ PW "retry-min = 30\nretry-max = 10\n",
	  "t.conf:5: [pseudowire a] retry-max: 10 s is below retry-min (30 s)" },
	{ PW "ifname = pw0\n[pseudowire b]\npeer = 192.0.2.3\nremote-end-id = 2\nifname = pw0\n",
	  "t.conf:8: [pseudowire b] ifname: \"pw0\" is [pseudowire a]'s too (line 1)" },
	{ PW "[pseudowire b]\npeer = 192.0.2.2:1702\nremote-end-id = 100\n",
	  "t.conf:6: [pseudowire b] remote-end-id: \"100\" to 192.0.2.2 is [pseudowire a]'s too (line 1)" },
	{ "[pseudowire a]\npeer = 192.0.2.2\nremote-end-id = caf\xc3\xa9\n",
	  "t.conf:3: [pseudowire a] remote-end-id: printable ASCII only" },
	/* ipsec (docs/design.md §5.6) */
	{ PW "ipsec = yes\n",
	  "t.conf:4: [pseudowire a] ipsec: IPsec needs encap = ip (L2TPv3 over UDP is not protected yet)" },
	{ IPW "ipsec = yes\n",
	  "t.conf:6: [pseudowire a] ipsec: yes needs [ipsec] psk or psk-file (the IKE pre-shared key)" },
	{ "[ipsec]\npsk = k\n" IPW "ipsec = no\n",
	  "t.conf:8: [pseudowire a] ipsec: no, but [ipsec] mode = required (line 1) puts ESP policies on every L2TP socket; say mode = off there to let pseudowires choose" },
	{ "[ipsec]\npsk = k\n" PW,
	  "t.conf:3: [pseudowire a]: IPsec needs encap = ip (L2TPv3 over UDP is not protected yet); [ipsec] mode = required asks it of every pseudowire" },
	{ "[ipsec]\nmode = off\npsk = k\n" IPW "ipsec = yes\n"
	  "[pseudowire b]\npeer = 192.0.2.3\nremote-end-id = 2\nlocal = 192.0.2.1\nencap = ip\n",
	  "t.conf:10: [pseudowire b]: no, but [pseudowire a] (line 4) shares its L2TP/IP listener and says yes" },
};

START_TEST(errors)
{
	char err[CONF_ERR_LEN];
	struct lnsd_conf *c = load(bad[_i].text, err);

	ck_assert_msg(c == NULL, "case %d parsed: %s", _i, bad[_i].text);
	ck_assert_str_eq(err, bad[_i].msg);
}
END_TEST

/* Uniqueness is per peer and per name: the same id to another peer, no ifname twice "". */
START_TEST(unique_scopes)
{
	char err[CONF_ERR_LEN];
	struct lnsd_conf *c = load("[lnsd]\nlisten = 0.0.0.0:1701, [::]:1701\n"
				   PW "[pseudowire b]\npeer = 192.0.2.3\nremote-end-id = 100\n"
				   "[pseudowire c]\npeer = 2001:db8::2\nremote-end-id = 100\n", err);

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_uint_eq(c->n_pws, 3);
	ck_assert_int_eq(c->pws[2].peer.family, 6);           /* a bare IPv6 address */
	ck_assert(!c->pws[2].peer_port_set);
	assert_round_trip(c);
	conf_unref(c);
}
END_TEST

/* A secret-file's first line, through the one check of secret files; the dump names the file. */
START_TEST(secret_file)
{
	char path[] = "/tmp/lnsd-pw-secret-XXXXXX", text[256], err[CONF_ERR_LEN], *d;
	int fd = mkstemp(path);
	struct lnsd_conf *c;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "  F1le-S3cret \nrest\n", 20), 20);
	close(fd);
	ck_assert_int_eq(chmod(path, 0600), 0);
	snprintf(text, sizeof(text), PW "secret-file = %s\n", path);
	c = load(text, err);
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_str_eq(c->pws[0].secret, "F1le-S3cret");
	ck_assert_int_eq(c->pws[0].auth, CONF_PW_AUTH_DIGEST);    /* a secret: digest by default */
	ck_assert_int_eq(c->pws[0].digest, CONF_PW_DIGEST_MD5);
	d = dump_flags(c, 0);
	ck_assert_ptr_null(strstr(d, "F1le-S3cret"));
	ck_assert_ptr_nonnull(strstr(d, "secret-file = /tmp/lnsd-pw-secret-"));
	free(d);
	assert_round_trip(c);
	conf_unref(c);
	ck_assert_int_eq(chmod(path, 0644), 0);                   /* readable by others */
	c = load(text, err);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(strstr(err, "t.conf:4: [pseudowire a] secret-file: "));
	ck_assert_ptr_nonnull(strstr(err, "is readable or writable by others (mode 0644): chmod 600 it"));
	unlink(path);
}
END_TEST

/* lnsctl show config: the pseudowire's secret goes through the one redaction. */
START_TEST(dump_redacts)
{
	char err[CONF_ERR_LEN], *plain, *red;
	struct lnsd_conf *c = load(PW "secret = Pw-S3cret\ndigest = sha1\n"
				   "[pseudowire b]\npeer = 192.0.2.3\nremote-end-id = 1\n", err);

	ck_assert_msg(c != NULL, "%s", err);
	plain = dump_flags(c, 0);
	red = dump_flags(c, CONF_DUMP_REDACT);
	ck_assert_ptr_nonnull(strstr(plain, "\nsecret = Pw-S3cret\nauth = digest\ndigest = sha1\n"));
	ck_assert_ptr_null(strstr(red, "Pw-S3cret"));
	ck_assert_ptr_nonnull(strstr(red, "\nsecret = " CONF_REDACTED "\nauth = digest\n"));
	/* no secret: empty, not redacted */
	ck_assert_ptr_nonnull(strstr(strstr(red, "[pseudowire b]"), "\nsecret =\nauth = none\n"));
	ck_assert_uint_eq(strlen(plain) - strlen("Pw-S3cret"), strlen(red) - strlen(CONF_REDACTED));
	free(plain);
	free(red);
	conf_unref(c);
}
END_TEST

/* Reload: an unchanged section compares equal across generations, any change does not. */
START_TEST(reload_compare)
{
	static const char *const changes[] = {
		"peer = 192.0.2.9\n", "local = 192.0.2.1\n", "pw-type = ethernet-vlan\n",
		"cookie = 4\n", "l2spec = default\n", "ifname = x0\n", "bridge = br1\n",
		"address = 10.0.0.1/24\n", "mtu = 1400\n", "secret = s\n", "role = responder\n",
		"hello-interval = 5\n", "retry-min = 3\n", "retry-max = 30\n",
	};
	char err[CONF_ERR_LEN], text[512];
	struct lnsd_conf *a = load(PW, err), *b = load("# another generation\n" PW, err);

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert(conf_pw_same(&a->pws[0], &b->pws[0]));      /* line numbers aside */
	conf_unref(b);
	for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
		snprintf(text, sizeof(text), "[lnsd]\nlisten = 0.0.0.0:1701\n%s%s",
			 i ? PW : "[pseudowire a]\nremote-end-id = 100\n", changes[i]);
		b = load(text, err);
		ck_assert_msg(b != NULL, "%s: %s", changes[i], err);
		ck_assert_msg(!conf_pw_same(&a->pws[0], &b->pws[0]), "%s", changes[i]);
		conf_unref(b);
	}
	conf_unref(a);
}
END_TEST

/* docs/examples: the two sites parse, dump and parse again, and agree on the circuit. */
START_TEST(two_site_examples)
{
	char err[CONF_ERR_LEN];
	struct lnsd_conf *a = conf_load_file(EXAMPLES "site-a.conf", err, sizeof(err));
	struct lnsd_conf *b;

	ck_assert_msg(a != NULL, "%s", err);
	b = conf_load_file(EXAMPLES "site-b.conf", err, sizeof(err));
	ck_assert_msg(b != NULL, "%s", err);
	ck_assert_uint_ge(a->n_pws, 1);
	ck_assert_uint_eq(a->n_pws, b->n_pws);
	for (size_t i = 0; i < a->n_pws; i++) {
		const struct conf_pw *pa = &a->pws[i], *pb = &b->pws[i];

		/* one circuit: the same id, encapsulation, type and secret; each the other's peer */
		ck_assert_str_eq(pa->remote_end_id, pb->remote_end_id);
		ck_assert_int_eq(pa->encap, pb->encap);
		ck_assert_int_eq(pa->type, pb->type);
		ck_assert_str_eq(pa->secret, pb->secret);
		ck_assert_int_eq(pa->auth, pb->auth);
		ck_assert_int_eq(pa->local.family, pb->peer.family);
		ck_assert_mem_eq(pa->local.addr, pb->peer.addr, 16);
		ck_assert_int_eq(pb->local.family, pa->peer.family);
		ck_assert_mem_eq(pb->local.addr, pa->peer.addr, 16);
	}
	assert_round_trip(a);
	assert_round_trip(b);
	conf_unref(a);
	conf_unref(b);
}
END_TEST

/* lnsd.conf(5) describes every key the dump writes for a pseudowire. */
START_TEST(man_documents_every_key)
{
	char err[CONF_ERR_LEN], *d, *man = NULL, *sect, *line, *save = NULL;
	struct lnsd_conf *c = load("[ipsec]\npsk = k\n" IPW "bridge = br0\nsecret = x\n", err);
	FILE *f = fopen(LNS_TEST_DATA "/../../../docs/lnsd.conf.5", "r");
	size_t cap = 0;
	int n = 0;

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_gt(getdelim(&man, &cap, '\0', f), 0);
	fclose(f);
	sect = strstr(man, ".SH \"[pseudowire NAME] SECTIONS\"");
	ck_assert_ptr_nonnull(sect);
	*strstr(sect + 1, "\n.SH ") = '\0';
	d = dump_flags(c, 0);
	for (line = strtok_r(strstr(d, "[pseudowire a]\n") + 15, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char key[64], want[80], *o = want;

		ck_assert_int_eq(sscanf(line, "%63[a-z0-9-] =", key), 1);
		o += sprintf(o, ".B");
		for (const char *k = key; *k; k++)
			o += sprintf(o, *k == '-' ? "\\-" : "%c", *k);
		*o = '\0';
		/* ".B key\n", ".BR key ..." or ".BR a \", \" b" */
		ck_assert_msg(strstr(sect, want) || strstr(sect, want + 2), "lnsd.conf(5) lacks %s",
			      key);
		n++;
	}
	ck_assert_int_ge(n, 18);
	free(d);
	free(man);
	conf_unref(c);
}
END_TEST


/* ipsec: explicit under mode = off, the default under mode = required, in the dump. */
START_TEST(ipsec_key)
{
	char err[CONF_ERR_LEN], *d;
	struct lnsd_conf *c = load("[ipsec]\nmode = off\npsk = k\n" IPW "ipsec = yes\n"
				   "[pseudowire b]\npeer = 192.0.2.3\nremote-end-id = 2\n", err);

	ck_assert_msg(c != NULL, "%s", err);
	ck_assert(c->pws[0].ipsec);
	ck_assert(!c->pws[1].ipsec);
	d = dump_flags(c, 0);
	ck_assert_ptr_nonnull(strstr(d, "ipsec = yes\n"));
	free(d);
	assert_round_trip(c);
	conf_unref(c);
	c = load("[ipsec]\npsk = k\n" IPW, err);
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert(c->pws[0].ipsec);
	ck_assert(!conf_pw_same(&c->pws[0], &(struct conf_pw){ .name = "a" }));
	conf_unref(c);
	c = load(IPW, err);
	ck_assert_msg(c != NULL, "%s", err);
	ck_assert(!c->pws[0].ipsec);
	conf_unref(c);
}
END_TEST

static Suite *conf_pw_suite(void)
{
	Suite *s = suite_create("conf_pw");
	TCase *tc = tcase_create("conf_pw");

	tcase_add_test(tc, defaults);
	tcase_add_test(tc, every_key);
	tcase_add_loop_test(tc, errors, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, unique_scopes);
	tcase_add_test(tc, secret_file);
	tcase_add_test(tc, dump_redacts);
	tcase_add_test(tc, reload_compare);
	tcase_add_test(tc, two_site_examples);
	tcase_add_test(tc, man_documents_every_key);
	tcase_add_test(tc, ipsec_key);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(conf_pw_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
