// SPDX-License-Identifier: GPL-2.0-or-later
/* lnsd.conf's sections: the key table, each key's checks, the cross-key checks. */
#include "conf_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ip6_pool.h"
#include "ip_pool.h"
#include "nd.h"
#include "log.h"

enum key_type {
	KT_STR,        /* char * */
	KT_BOOL,       /* bool */
	KT_TRISTATE,   /* int: -1 unset, 0, 1 */
	KT_UINT,       /* uint32_t in [min, max] */
	KT_SECONDS,    /* decimal seconds into uint32_t ms in [min, max] (ms) */
	KT_LISTEN,
	KT_CIDRS,
	KT_GLOBS,
	KT_LOGLEVEL,
	KT_DATAPLANE,
	KT_HOSTNAME,
	KT_SOCKPATH,
	KT_AUTH,       /* [ppp] auth: methods in preference order */
	KT_IPV4,       /* uint32_t, host order */
	KT_DNS,        /* uint32_t[2] */
	KT_POOL,       /* char *, validated with ip_pool_parse */
	KT_IFNAME,     /* char[16]: "" or a template with one %d */
	KT_HOSTPORT,   /* struct lns_addr: "" (off) or addr:port, port required */
	KT_IPSECMODE,  /* enum conf_ipsec_mode */
	KT_PROPOSALS,  /* char *: canonical "a,b,c" strongSwan proposal keywords */
	KT_ADDR,       /* struct lns_addr: "" (off) or an IPv4/IPv6 address, no port */
	KT_DAELISTEN,  /* struct lns_addr: "" (off) or addr[:port], port 3799 by default */
	KT_RADSERVER,  /* [radius] server, repeatable: addr[:auth[:acct]],secret */
	KT_DAECLIENT,  /* [radius] dae-clients, repeatable: addr[/prefix],secret */
	KT_CHOICE,     /* int: the index of the value in choices */
	KT_PWPEER,     /* [pseudowire] peer: struct lns_addr, addr[:port] */
	KT_COOKIE,     /* uint8_t: 0, 4 or 8 */
	KT_NETDEV,     /* char[16]: an interface name */
	KT_IFADDR4,    /* struct conf_cidr: an IPv4 interface address/prefix (host bits allowed) */
	KT_MTU,        /* uint32_t: "auto" (0) or a number in [min, max] */
	KT_RATE,       /* uint64_t bits/s: number with k/M/G (rate_limit.h), 0 = unlimited */
	KT_RATEPROF,   /* [ppp] rate-profile, repeatable: NAME DOWN/UP */
	KT_POOL6,      /* char[256]: IPv6 prefixes "P1, P2" for /min (0: checked at the end) */
	KT_DNS6,       /* [ppp] ipv6-dns: up to 3 IPv6 addresses */
	KT_DOMAINS,    /* char[256]: up to 4 DNS names */
};

struct key_def {
	enum cf_sect sect;
	const char *name;
	enum key_type type;
	size_t off;            /* in struct lnsd_conf, struct conf_peer (SECT_PEER) or
				  struct conf_pw (SECT_PW) */
	uint32_t min, max;     /* KT_CHOICE: min is the list (enum choice_list) */
};

enum choice_list { CH_ENCAP, CH_PWTYPE, CH_L2SPEC, CH_AUTH, CH_DIGEST, CH_ROLE };

const char *const conf_pw_encaps[] = { "udp", "ip", NULL };
const char *const conf_pw_types[] = { "ethernet", "ethernet-vlan", NULL };
const char *const conf_pw_l2specs[] = { "none", "default", NULL };
const char *const conf_pw_auths[] = { "none", "digest", "challenge", NULL };
const char *const conf_pw_digests[] = { "md5", "sha1", NULL };
const char *const conf_pw_roles[] = { "both", "initiator", "responder", NULL };
static const char *const *const choice_lists[] = {
	[CH_ENCAP] = conf_pw_encaps, [CH_PWTYPE] = conf_pw_types, [CH_L2SPEC] = conf_pw_l2specs,
	[CH_AUTH] = conf_pw_auths, [CH_DIGEST] = conf_pw_digests, [CH_ROLE] = conf_pw_roles,
};

#define C(f) offsetof(struct lnsd_conf, f)
#define P(f) offsetof(struct conf_peer, f)
#define W(f) offsetof(struct conf_pw, f)
static const struct key_def keys[] = {
	{ SECT_LNSD, "listen", KT_LISTEN, 0, 0, 0 },
	{ SECT_LNSD, "control-socket", KT_SOCKPATH, C(control_socket), 0, 0 },
	{ SECT_LNSD, "hostname", KT_HOSTNAME, C(hostname), 0, 0 },
	{ SECT_LNSD, "dataplane", KT_DATAPLANE, C(dataplane), 0, 0 },
	{ SECT_LNSD, "log-level", KT_LOGLEVEL, C(log_level), 0, 0 },
	{ SECT_LNSD, "metrics", KT_HOSTPORT, C(metrics), 0, 0 },
	{ SECT_LNSD, "metrics-sessions", KT_BOOL, C(metrics_sessions), 0, 0 },
	{ SECT_LNSD, "listen-rcvbuf", KT_UINT, C(listen_rcvbuf), 0, 1u << 30 },
	{ SECT_LNSD, "tunnel-rcvbuf", KT_UINT, C(tunnel_rcvbuf), 0, 1u << 30 },
	{ SECT_L2TP, "secret", KT_STR, C(secret), 0, 0 },
	{ SECT_L2TP, "hide-avps", KT_BOOL, C(hide_avps), 0, 0 },
	{ SECT_L2TP, "hello-interval", KT_SECONDS, C(hello_interval_ms), 0, 3600000 },
	{ SECT_L2TP, "retransmit-timeout", KT_SECONDS, C(retransmit_timeout_ms), 100, 30000 },
	{ SECT_L2TP, "retransmit-cap", KT_SECONDS, C(retransmit_cap_ms), 100, 120000 },
	{ SECT_L2TP, "retransmit-retries", KT_UINT, C(retransmit_retries), 1, 100 },
	{ SECT_L2TP, "receive-window", KT_UINT, C(receive_window), 1, 256 },
	{ SECT_L2TP, "max-tunnels", KT_UINT, C(max_tunnels), 0, 65535 },
	{ SECT_L2TP, "max-sessions", KT_UINT, C(max_sessions), 0, 10000000 },
	{ SECT_L2TP, "max-half-open", KT_UINT, C(max_half_open), 0, 65535 },
	{ SECT_L2TP, "max-half-open-per-peer", KT_UINT, C(max_half_open_per_peer), 0, 65535 },
	{ SECT_L2TP, "max-sessions-per-tunnel", KT_UINT, C(max_sessions_per_tunnel), 0, 65535 },
	{ SECT_L2TP, "setup-timeout", KT_SECONDS, C(setup_timeout_ms), 1000, 600000 },
	{ SECT_L2TP, "stopccn-hold", KT_SECONDS, C(stopccn_hold_ms), 1000, 600000 },
	{ SECT_L2TP, "max-starting", KT_UINT, C(max_starting), 0, 10000000 },
	{ SECT_PPP, "auth", KT_AUTH, 0, 0, 0 },
	{ SECT_PPP, "local-ip", KT_IPV4, C(ppp_local_ip), 0, 0 },
	{ SECT_PPP, "pool", KT_POOL, C(ppp_pool), 0, 0 },
	{ SECT_PPP, "dns", KT_DNS, C(ppp_dns), 0, 0 },
	{ SECT_PPP, "users-file", KT_STR, C(ppp_users_file), 0, 0 },
	{ SECT_PPP, "mtu", KT_MTU, C(ppp_mru), 128, 16384 },
	{ SECT_PPP, "mru", KT_UINT, C(ppp_mru), 128, 16384 },   /* mtu's older name */
	{ SECT_PPP, "mss-clamp", KT_BOOL, C(ppp_mss_clamp), 0, 0 },
	{ SECT_PPP, "lcp-echo-interval", KT_SECONDS, C(lcp_echo_interval_ms), 0, 3600000 },
	{ SECT_PPP, "lcp-echo-failures", KT_UINT, C(lcp_echo_failures), 1, 255 },
	{ SECT_PPP, "ifname", KT_IFNAME, C(ppp_ifname), 0, 0 },
	{ SECT_PPP, "ipv6", KT_BOOL, C(ppp_ipv6), 0, 0 },
	{ SECT_PPP, "rate-limit-down", KT_RATE, C(ppp_rate.down_bps), 0, 0 },
	{ SECT_PPP, "rate-limit-up", KT_RATE, C(ppp_rate.up_bps), 0, 0 },
	{ SECT_PPP, "rate-profile", KT_RATEPROF, 0, 0, 0 },
	{ SECT_PPP, "ipv6-prefix-pool", KT_POOL6, C(ppp_ipv6_pool), 64, 0 },
	{ SECT_PPP, "ipv6-delegation-pool", KT_POOL6, C(ppp_ipv6_pd_pool), 0, 0 },
	{ SECT_PPP, "ipv6-delegation-length", KT_UINT, C(ppp_ipv6_pd_len), 40, 64 },
	{ SECT_PPP, "ipv6-dns", KT_DNS6, 0, 0, 0 },
	{ SECT_PPP, "ipv6-domain", KT_DOMAINS, C(ppp_ipv6_domains), 0, 0 },
	{ SECT_PPP, "ipv6-valid-lifetime", KT_UINT, C(ppp_ipv6_valid_s), 60, 0xffffffffu },
	{ SECT_PPP, "ipv6-preferred-lifetime", KT_UINT, C(ppp_ipv6_preferred_s), 0, 0xffffffffu },
	{ SECT_PPP, "ipv6-ra-interval", KT_UINT, C(ppp_ipv6_ra_interval_s), 4, 1800 },
	{ SECT_IPSEC, "mode", KT_IPSECMODE, C(ipsec.mode), 0, 0 },
	{ SECT_IPSEC, "vici-socket", KT_SOCKPATH, C(ipsec.vici_socket), 0, 0 },
	{ SECT_IPSEC, "psk", KT_STR, C(ipsec.psk), 0, 0 },
	{ SECT_IPSEC, "psk-file", KT_STR, C(ipsec.psk_file), 0, 0 },
	{ SECT_IPSEC, "proposals", KT_PROPOSALS, C(ipsec.proposals), 0, 0 },
	{ SECT_IPSEC, "esp-proposals", KT_PROPOSALS, C(ipsec.esp_proposals), 0, 0 },
	{ SECT_IPSEC, "legacy-proposals", KT_BOOL, C(ipsec.legacy_proposals), 0, 0 },
	{ SECT_IPSEC, "ike-version", KT_UINT, C(ipsec.ike_version), 0, 2 },
	{ SECT_IPSEC, "reqid", KT_UINT, C(ipsec.reqid), 1, 0x7fffffff },
	{ SECT_IPSEC, "dpd-delay", KT_UINT, C(ipsec.dpd_delay_s), 0, 86400 },
	{ SECT_IPSEC, "dpd-timeout", KT_UINT, C(ipsec.dpd_timeout_s), 0, 86400 },
	{ SECT_RADIUS, "server", KT_RADSERVER, 0, 0, 0 },
	{ SECT_RADIUS, "nas-identifier", KT_STR, C(radius.nas_identifier), 0, 0 },
	{ SECT_RADIUS, "nas-ip-address", KT_ADDR, C(radius.nas_ip), 0, 0 },
	{ SECT_RADIUS, "timeout", KT_UINT, C(radius.timeout_s), 1, 60 },
	{ SECT_RADIUS, "retries", KT_UINT, C(radius.retries), 0, 10 },
	{ SECT_RADIUS, "require-message-authenticator", KT_BOOL, C(radius.require_msg_auth), 0, 0 },
	{ SECT_RADIUS, "accounting", KT_BOOL, C(radius.accounting), 0, 0 },
	{ SECT_RADIUS, "interim-interval", KT_UINT, C(radius.interim_interval_s), 0, 86400 },
	{ SECT_RADIUS, "dae-listen", KT_DAELISTEN, C(radius.dae_listen), 0, 0 },
	{ SECT_RADIUS, "dae-clients", KT_DAECLIENT, 0, 0, 0 },
	{ SECT_RADIUS, "dae-require-event-timestamp", KT_BOOL,
	  C(radius.dae_require_event_timestamp), 0, 0 },
	{ SECT_PEER, "match-hostname", KT_GLOBS, 0, 0, 0 },
	{ SECT_PEER, "match-address", KT_CIDRS, 0, 0, 0 },
	{ SECT_PEER, "secret", KT_STR, P(secret), 0, 0 },
	{ SECT_PEER, "hide-avps", KT_TRISTATE, P(hide_avps), 0, 0 },
	{ SECT_PW, "peer", KT_PWPEER, W(peer), 0, 0 },
	{ SECT_PW, "local", KT_ADDR, W(local), 0, 0 },
	{ SECT_PW, "encap", KT_CHOICE, W(encap), CH_ENCAP, 0 },
	{ SECT_PW, "pw-type", KT_CHOICE, W(type), CH_PWTYPE, 0 },
	{ SECT_PW, "remote-end-id", KT_STR, W(remote_end_id), 1, CONF_PW_END_ID_MAX },
	{ SECT_PW, "cookie", KT_COOKIE, W(cookie_len), 0, 0 },
	{ SECT_PW, "l2spec", KT_CHOICE, W(l2spec), CH_L2SPEC, 0 },
	{ SECT_PW, "sequencing", KT_BOOL, W(sequencing), 0, 0 },
	{ SECT_PW, "ifname", KT_NETDEV, W(ifname), 0, 0 },
	{ SECT_PW, "bridge", KT_NETDEV, W(bridge), 0, 0 },
	{ SECT_PW, "address", KT_IFADDR4, W(address), 0, 0 },
	{ SECT_PW, "mtu", KT_MTU, W(mtu), 68, 65535 },
	{ SECT_PW, "secret", KT_STR, W(secret), 0, 0 },
	{ SECT_PW, "secret-file", KT_STR, W(secret_file), 0, 0 },
	{ SECT_PW, "auth", KT_CHOICE, W(auth), CH_AUTH, 0 },
	{ SECT_PW, "digest", KT_CHOICE, W(digest), CH_DIGEST, 0 },
	{ SECT_PW, "role", KT_CHOICE, W(role), CH_ROLE, 0 },
	{ SECT_PW, "hello-interval", KT_SECONDS, W(hello_interval_ms), 0, 3600000 },
	{ SECT_PW, "retry-min", KT_SECONDS, W(retry_min_ms), 100, 3600000 },
	{ SECT_PW, "retry-max", KT_SECONDS, W(retry_max_ms), 1000, 86400000 },
	{ SECT_PW, "ipsec", KT_BOOL, W(ipsec), 0, 0 },
};
#undef C
#undef P
#undef W
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))
#define N_OF(sect) (sizeof(((struct sect *)0)->key_line) / sizeof(int))
/* Every key's line is recorded in key_line[] (0: not set yet), by its index in
 * the table for the global sections, among its section's keys for these two. */
_Static_assert(N_KEYS <= N_OF(lnsd_conf), "lnsd_conf.key_line too small for the key table");

static int listen_item(struct cf_parser *p, const char *lbl, char *item, void *ctx)
{
	struct lnsd_conf *c = p->c;
	struct lns_addr a, *na;

	if (cf_parse_hostport(item, &a)) {
		cf_perr(p, "%s: \"%s\" is not an address:port (like 0.0.0.0:1701 or [::]:1701)",
			lbl, item);
		return -1;
	}
	for (size_t i = 0; i < c->n_listen; i++) {
		const struct lns_addr *b = &c->listen[i];
		static const uint8_t any[16];
		char bs[LNS_ADDR_STRLEN];

		if (lns_addr_eq(b, &a)) {
			cf_perr(p, "%s: \"%s\" is listed twice", lbl, item);
			return -1;
		}
		/* listeners are exclusive (lnsd(8)): a wildcard takes its whole family's port */
		if (b->family == a.family && b->port == a.port &&
		    (!memcmp(b->addr, any, a.family == 4 ? 4 : 16) ||
		     !memcmp(a.addr, any, a.family == 4 ? 4 : 16))) {
			cf_perr(p, "%s: \"%s\" overlaps %s: a wildcard address already listens on "
				"every address of its family", lbl, item,
				lns_addr_str(b, bs, sizeof(bs)));
			return -1;
		}
	}
	na = realloc(c->listen, (c->n_listen + 1) * sizeof(*na));
	if (!na) {
		cf_perr(p, "out of memory");
		return -1;
	}
	c->listen = na;
	c->listen[c->n_listen++] = a;
	return 0;
}

static int cidr_item(struct cf_parser *p, const char *lbl, char *item, void *ctx)
{
	struct conf_peer *peer = p->peer;
	struct conf_cidr cidr, *nc;

	if (cf_parse_cidr(p, lbl, item, &cidr))
		return -1;
	nc = realloc(peer->cidrs, (peer->n_cidrs + 1) * sizeof(*nc));
	if (!nc) {
		cf_perr(p, "out of memory");
		return -1;
	}
	peer->cidrs = nc;
	peer->cidrs[peer->n_cidrs++] = cidr;
	return 0;
}

static int glob_item(struct cf_parser *p, const char *lbl, char *item, void *ctx)
{
	struct conf_peer *peer = p->peer;
	char **nh = realloc(peer->hostnames, (peer->n_hostnames + 1) * sizeof(*nh));

	if (!nh) {
		cf_perr(p, "out of memory");
		return -1;
	}
	peer->hostnames = nh;
	nh[peer->n_hostnames] = strdup(item);
	if (!nh[peer->n_hostnames]) {
		cf_perr(p, "out of memory");
		return -1;
	}
	peer->n_hostnames++;
	return 0;
}

static int auth_item(struct cf_parser *p, const char *lbl, char *item, void *ctx)
{
	struct lnsd_conf *c = p->c;
	enum ppp_auth_method m;

	if (strcasecmp(item, "pap") == 0) {
		m = PPP_AUTH_PAP;
	} else if (strcasecmp(item, "chap") == 0 || strcasecmp(item, "chap-md5") == 0) {
		m = PPP_AUTH_CHAP_MD5;
	} else if (strcasecmp(item, "mschapv2") == 0) {
		m = PPP_AUTH_MSCHAPV2;
	} else {
		cf_perr(p, "%s: \"%s\" is not one of pap, chap, mschapv2", lbl, item);
		return -1;
	}
	for (unsigned i = 0; i < c->ppp_n_auth; i++) {
		if (c->ppp_auth[i] == m) {
			cf_perr(p, "%s: \"%s\" is listed twice", lbl, item);
			return -1;
		}
	}
	c->ppp_auth[c->ppp_n_auth++] = m;
	return 0;
}

static int dns_item(struct cf_parser *p, const char *lbl, char *item, void *ctx)
{
	unsigned *n = ctx;

	if (*n == 2) {
		cf_perr(p, "%s: at most two servers", lbl);
		return -1;
	}
	if (cf_parse_ipv4(item, &p->c->ppp_dns[*n])) {
		cf_perr(p, "%s: \"%s\" is not an IPv4 address", lbl, item);
		return -1;
	}
	(*n)++;
	return 0;
}

/*
 * The shape of [radius] server and dae-clients: "ADDR,SECRET". A copy of v
 * goes to buf (size bytes; inih's lines are shorter), split at the first
 * comma (the secret may hold commas) into *addr and *secret, both trimmed.
 * Without a comma or with an empty secret, -1 and a message naming form.
 */
static int split_secret(struct cf_parser *p, const char *lbl, const char *v, const char *form,
			char *buf, size_t size, char **addr, char **secret)
{
	char *comma;

	snprintf(buf, size, "%s", v);
	comma = strchr(buf, ',');
	if (comma) {
		*comma = '\0';
		*secret = cf_trim(comma + 1);
	}
	if (!comma || !**secret) {
		cf_perr(p, "%s: \"%s\" has no secret (%s)", lbl, v, form);
		return -1;
	}
	*addr = cf_trim(buf);
	return 0;
}

#define RADIUS_SERVER_FORM "addr[:auth-port[:acct-port]],secret"

/* "192.0.2.1", "192.0.2.1:1812", "192.0.2.1:1812:1813", "[2001:db8::1]:1812:1813". */
static int parse_server_addr(char *v, struct lns_addr *a, uint16_t *acct)
{
	char *ports, *acct_s;

	if (*v == '[') {
		char *e = strchr(v, ']');

		if (!e)
			return -1;
		*e = '\0';
		ports = e + 1;
		if ((*ports && *ports != ':') || inet_pton(AF_INET6, v + 1, a->addr) != 1)
			return -1;
		a->family = 6;
	} else {
		ports = strchr(v, ':');
		if (ports)
			*ports = '\0';
		if (inet_pton(AF_INET, v, a->addr) != 1)
			return -1;
		a->family = 4;
		if (ports)
			*ports = ':';
		else
			ports = v + strlen(v);
	}
	a->port = CONF_RADIUS_AUTH_PORT;
	*acct = CONF_RADIUS_ACCT_PORT;
	if (!*ports)
		return 0;
	acct_s = strchr(ports + 1, ':');
	if (acct_s)
		*acct_s++ = '\0';
	if (cf_parse_port(ports + 1, &a->port))
		return -1;
	/* With only the authentication port, accounting is the next one (1645/1646 too). */
	if (!acct_s)
		return a->port == 65535 ? -1 : (*acct = (uint16_t)(a->port + 1), 0);
	return cf_parse_port(acct_s, acct);
}

/* RFC 2865 §3 secrets are opaque; 96 bytes is more than any server asks for. */
#define CONF_RADIUS_SECRET_MAX 96

static int check_secret(struct cf_parser *p, const char *lbl, const char *secret)
{
	if (strlen(secret) > CONF_RADIUS_SECRET_MAX) {
		cf_perr(p, "%s: the secret is longer than %d characters", lbl,
			CONF_RADIUS_SECRET_MAX);
		return -1;
	}
	return 0;
}

/*
 * Append elem (size bytes) to the array *arr of *n; owned is the string the
 * element owns (NULL: its strdup failed), freed when the append fails.
 */
static int append_owned(struct cf_parser *p, void **arr, size_t *n, size_t size, const void *elem,
			char *owned)
{
	char *na = owned ? realloc(*arr, (*n + 1) * size) : NULL;

	if (!na) {
		free(owned);
		cf_perr(p, "out of memory");
		return -1;
	}
	memcpy(na + *n * size, elem, size);
	*arr = na;
	(*n)++;
	return 0;
}

static int radius_server_add(struct cf_parser *p, const char *lbl, const char *v)
{
	struct lnsd_radius_conf *r = &p->c->radius;
	struct conf_radius_server srv = { 0 };
	char buf[256], *addr, *secret;

	if (split_secret(p, lbl, v, RADIUS_SERVER_FORM, buf, sizeof(buf), &addr, &secret))
		return -1;
	if (parse_server_addr(addr, &srv.addr, &srv.acct_port)) {
		cf_perr(p, "%s: \"%s\" is not " RADIUS_SERVER_FORM " (like "
			"192.0.2.10:1812:1813,s3cret or [2001:db8::10],s3cret)", lbl, v);
		return -1;
	}
	if (check_secret(p, lbl, secret))
		return -1;
	for (size_t i = 0; i < r->n_servers; i++) {
		if (lns_addr_eq(&r->servers[i].addr, &srv.addr)) {
			char abuf[LNS_ADDR_STRLEN];

			cf_perr(p, "%s: %s is listed twice", lbl,
				lns_addr_str(&srv.addr, abuf, sizeof(abuf)));
			return -1;
		}
	}
	srv.secret = strdup(secret);
	return append_owned(p, (void **)&r->servers, &r->n_servers, sizeof(srv), &srv,
			    srv.secret);
}

static int dae_client_add(struct cf_parser *p, const char *lbl, const char *v)
{
	struct lnsd_radius_conf *r = &p->c->radius;
	struct conf_dae_client cl = { 0 };
	char buf[256], *addr, *secret;

	if (split_secret(p, lbl, v, "addr[/prefix],secret", buf, sizeof(buf), &addr, &secret) ||
	    cf_parse_cidr(p, lbl, addr, &cl.net) || check_secret(p, lbl, secret))
		return -1;
	cl.secret = strdup(secret);
	return append_owned(p, (void **)&r->dae_clients, &r->n_dae_clients, sizeof(cl), &cl,
			    cl.secret);
}

/* [ppp] rate-profile = NAME DOWN/UP: NAME as a RADIUS Filter-Id carries it. */
static int rate_profile_add(struct cf_parser *p, const char *lbl, const char *v)
{
	struct lnsd_conf *c = p->c;
	struct conf_rate_profile rp = { 0 };
	const char *sp = strchr(v, ' '), *rates, *sl;
	size_t nlen = sp ? (size_t)(sp - v) : 0;

	rates = sp ? sp + strspn(sp, " \t") : NULL;
	sl = rates ? strchr(rates, '/') : NULL;
	if (!nlen || nlen > RATE_FILTER_ID_MAX || !sl ||
	    rate_parse_bps(rates, (size_t)(sl - rates), &rp.rate.down_bps) ||
	    rate_parse_bps(sl + 1, strlen(sl + 1), &rp.rate.up_bps)) {
		cf_perr(p, "%s: \"%s\" is not NAME DOWN/UP (like gold 10M/2M; a name of at most "
			"%d characters, rates in bits/s with k/M/G, 0 = unlimited)", lbl, v,
			RATE_FILTER_ID_MAX);
		return -1;
	}
	for (size_t i = 0; i < c->n_rate_profiles; i++) {
		if (strlen(c->rate_profiles[i].name) == nlen &&
		    memcmp(c->rate_profiles[i].name, v, nlen) == 0) {
			cf_perr(p, "%s: profile %.*s is defined twice", lbl, (int)nlen, v);
			return -1;
		}
	}
	rp.name = strndup(v, nlen);
	return append_owned(p, (void **)&c->rate_profiles, &c->n_rate_profiles, sizeof(rp), &rp,
			    rp.name);
}

bool conf_rate_profile(void *conf, const char *name, struct rate_limit *out)
{
	const struct lnsd_conf *c = conf;

	for (size_t i = 0; i < c->n_rate_profiles; i++) {
		if (strcmp(c->rate_profiles[i].name, name) == 0) {
			*out = c->rate_profiles[i].rate;
			return true;
		}
	}
	return false;
}

static int check_pool(struct cf_parser *p, const char *lbl, const char *v)
{
	struct ip_pool *pool = ip_pool_new();
	size_t bad = 0;
	int rc;

	if (!pool) {
		cf_perr(p, "out of memory");
		return -1;
	}
	rc = ip_pool_parse(pool, v, &bad);
	ip_pool_free(pool);
	if (rc == -E2BIG)
		cf_perr(p, "%s: more than %u addresses", lbl, IP_POOL_MAX);
	else if (rc == -ENOMEM)
		cf_perr(p, "out of memory");
	else if (rc)
		cf_perr(p, "%s: \"%s\" is not a list of IPv4 addresses and non-overlapping ranges "
			"A-B (bad at \"%s\")", lbl, v, v + (bad < strlen(v) ? bad : 0));
	return rc ? -1 : 0;
}

/* IPv6 prefixes "P1, P2" for a pool of /plen (ip6_pool_parse): syntax, length, overlap. */
static int check_pool6(struct cf_parser *p, const char *lbl, const char *v, uint8_t plen)
{
	struct ip6_pool *pool = ip6_pool_new(plen);
	size_t bad = 0;
	int rc;

	if (!pool) {
		cf_perr(p, "out of memory");
		return -1;
	}
	rc = ip6_pool_parse(pool, v, &bad);
	ip6_pool_free(pool);
	if (rc == -E2BIG)
		cf_perr(p, "%s: more than 2^24 /%u prefixes or 256 prefixes", lbl, plen);
	else if (rc == -ENOMEM)
		cf_perr(p, "out of memory");
	else if (rc)
		cf_perr(p, "%s: \"%s\" is not a list of non-overlapping IPv6 prefixes of at most "
			"/%u (like 2001:db8:100::/48; bad at \"%s\")", lbl, v, plen,
			v + (bad < strlen(v) ? bad : 0));
	return rc ? -1 : 0;
}

static int dns6_item(struct cf_parser *p, const char *lbl, char *item, void *ctx)
{
	(void)ctx;
	if (p->c->ppp_n_dns6 >= 3) {
		cf_perr(p, "%s: at most three servers", lbl);
		return -1;
	}
	if (inet_pton(AF_INET6, item, p->c->ppp_dns6[p->c->ppp_n_dns6]) != 1) {
		cf_perr(p, "%s: \"%s\" is not an IPv6 address", lbl, item);
		return -1;
	}
	p->c->ppp_n_dns6++;
	return 0;
}

static int domain_item(struct cf_parser *p, const char *lbl, char *item, void *ctx)
{
	unsigned *n = ctx;
	uint8_t wire[ND_DOMAIN_MAX + 2];

	if (++*n > ND_MAX_DOMAINS) {
		cf_perr(p, "%s: at most %d domains", lbl, ND_MAX_DOMAINS);
		return -1;
	}
	if (nd_put_dns_name(wire, sizeof(wire), item) < 0) {
		cf_perr(p, "%s: \"%s\" is not a domain name", lbl, item);
		return -1;
	}
	return 0;
}

/* "" or a name template with exactly one %d that fits IFNAMSIZ for any unit. */
static int check_ifname(const char *v)
{
	const char *pct = strchr(v, '%');

	if (!*v)
		return 0;
	if (!pct || pct[1] != 'd' || strchr(pct + 1, '%') || strlen(v) > 15 - 8)
		return -1;
	for (const char *s = v; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("%._-", *s))
			return -1;
	return 0;
}

/* One strongSwan proposal keyword list, like "aes256-sha256-modp2048". */
static int proposal_item(struct cf_parser *p, const char *lbl, char *item, void *ctx)
{
	char **out = ctx;
	size_t n = strlen(*out);
	char *s;

	for (const char *q = item; *q; q++) {
		if (!isalnum((unsigned char)*q) && *q != '-' && *q != '_') {
			cf_perr(p, "%s: \"%s\" is not a proposal (like aes256-sha256-modp2048)",
				lbl, item);
			return -1;
		}
	}
	s = realloc(*out, n + strlen(item) + 2);
	if (!s) {
		cf_perr(p, "out of memory");
		return -1;
	}
	sprintf(s + n, "%s%s", n ? "," : "", item);
	*out = s;
	return 0;
}

/* An interface name the kernel takes (dev_valid_name): 1-15 bytes, no '/', ':' or blank. */
static bool valid_netdev(const char *v)
{
	if (!*v || strlen(v) > 15 || strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
		return false;
	for (const char *s = v; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return false;
	return true;
}

static int set_choice(struct cf_parser *p, const struct key_def *k, const char *lbl, const char *v,
		      int *field)
{
	char list[128] = "";
	size_t n = 0;

	const char *const *words = choice_lists[k->min];

	for (int i = 0; words[i]; i++) {
		if (strcmp(v, words[i]) == 0) {
			*field = i;
			return 0;
		}
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "", words[i]);
	}
	cf_perr(p, "%s: \"%s\" is not one of %s", lbl, v, list);
	return -1;
}

/* "192.0.2.1/24": an address on an interface, host bits set (unlike cf_parse_cidr). */
static int parse_ifaddr4(const char *v, struct conf_cidr *out)
{
	char buf[INET_ADDRSTRLEN + 4], *slash, *end;
	unsigned long plen;

	if (strlen(v) >= sizeof(buf))
		return -1;
	strcpy(buf, v);
	slash = strchr(buf, '/');
	if (!slash || !isdigit((unsigned char)slash[1]))
		return -1;
	*slash = '\0';
	plen = strtoul(slash + 1, &end, 10);
	if (*end || plen < 1 || plen > 32 || inet_pton(AF_INET, buf, out->addr) != 1)
		return -1;
	out->family = 4;
	out->prefix = (uint8_t)plen;
	return 0;
}

static int set_value(struct cf_parser *p, const struct key_def *k, const char *lbl, const char *v)
{
	char *base = k->sect == SECT_PEER ? (char *)p->peer :
		     k->sect == SECT_PW ? (char *)p->pw : (char *)p->c;
	void *field = base + k->off;
	uint64_t n;
	bool b;
	int lvl;

	switch (k->type) {
	case KT_STR:
		if (k->max && (strlen(v) < k->min || strlen(v) > k->max)) {
			cf_perr(p, "%s: \"%s\" must be %u to %u characters", lbl, v, k->min, k->max);
			return -1;
		}
		return cf_set_str(p, field, v);
	case KT_CHOICE:
		return set_choice(p, k, lbl, v, field);
	case KT_PWPEER:
		/* a bare IPv6 address too: with encap = ip there is no port to bracket off */
		if (cf_parse_addr(v, field) == 0) {
			((struct lns_addr *)field)->port = L2TP_UDP_PORT;
			p->pw->peer_port_set = false;
			return 0;
		}
		if (cf_parse_hostport(v, field)) {
			memset(field, 0, sizeof(struct lns_addr));
			cf_perr(p, "%s: \"%s\" is not an address[:port] (like 192.0.2.1 or "
				"[2001:db8::1]:1701)", lbl, v);
			return -1;
		}
		p->pw->peer_port_set = cf_has_port(v);
		return 0;
	case KT_COOKIE:
		if (strcmp(v, "0") && strcmp(v, "4") && strcmp(v, "8")) {
			cf_perr(p, "%s: \"%s\" is not one of 0, 4, 8 (bytes)", lbl, v);
			return -1;
		}
		*(uint8_t *)field = (uint8_t)atoi(v);
		return 0;
	case KT_NETDEV:
		if (*v && !valid_netdev(v)) {
			cf_perr(p, "%s: \"%s\" is not an interface name (1 to 15 letters, digits, "
				"'.', '_' or '-')", lbl, v);
			return -1;
		}
		strcpy(field, v);
		return 0;
	case KT_IFADDR4:
		if (parse_ifaddr4(v, field)) {
			memset(field, 0, sizeof(struct conf_cidr));
			cf_perr(p, "%s: \"%s\" is not an IPv4 address/prefix (like 10.77.0.1/24)",
				lbl, v);
			return -1;
		}
		return 0;
	case KT_SOCKPATH:
		if (v[0] != '/' || strlen(v) >= 108) {
			cf_perr(p, "%s: \"%s\" is not an absolute path shorter than 108 characters",
				lbl, v);
			return -1;
		}
		return cf_set_str(p, field, v);
	case KT_HOSTNAME:
		if (!*v || strlen(v) >= sizeof(p->c->hostname)) {
			cf_perr(p, "%s: \"%s\" must be 1 to %zu characters", lbl, v,
				sizeof(p->c->hostname) - 1);
			return -1;
		}
		strcpy(field, v);
		return 0;
	case KT_BOOL:
		if (cf_parse_bool(p, lbl, v, &b))
			return -1;
		*(bool *)field = b;
		return 0;
	case KT_TRISTATE:
		if (cf_parse_bool(p, lbl, v, &b))
			return -1;
		*(int *)field = b;
		return 0;
	case KT_MTU:
		if (strcmp(v, "auto") == 0) {
			*(uint32_t *)field = 0;
			return 0;
		}
		if (isdigit((unsigned char)*v)) {
			char *end;

			errno = 0;
			n = strtoull(v, &end, 10);
			if (!*end && errno == 0 && n >= k->min && n <= k->max) {
				*(uint32_t *)field = (uint32_t)n;
				return 0;
			}
		}
		cf_perr(p, "%s: \"%s\" is not auto or a number from %u to %u", lbl, v, k->min,
			k->max);
		return -1;
	case KT_UINT:
		if (cf_parse_uint(p, lbl, v, &n))
			return -1;
		if (n < k->min || n > k->max) {
			cf_perr(p, "%s: %s is out of range (%u to %u)", lbl, v, k->min, k->max);
			return -1;
		}
		*(uint32_t *)field = (uint32_t)n;
		return 0;
	case KT_SECONDS:
		if (cf_parse_seconds(p, lbl, v, &n))
			return -1;
		if (n < k->min || n > k->max) {
			cf_perr(p, "%s: %s is out of range (%g to %g seconds)", lbl, v,
				k->min / 1000.0, k->max / 1000.0);
			return -1;
		}
		*(uint32_t *)field = (uint32_t)n;
		return 0;
	case KT_LISTEN:
		p->c->n_listen = 0;
		return cf_for_each_item(p, lbl, v, listen_item, NULL);
	case KT_CIDRS:
		return cf_for_each_item(p, lbl, v, cidr_item, NULL);
	case KT_GLOBS:
		return cf_for_each_item(p, lbl, v, glob_item, NULL);
	case KT_LOGLEVEL:
		lvl = log_level_parse(v);
		if (lvl < 0) {
			cf_perr(p, "%s: \"%s\" is not one of error, warning, notice, info, debug",
				lbl, v);
			return -1;
		}
		*(int *)field = lvl;
		return 0;
	case KT_AUTH:
		p->c->ppp_n_auth = 0;
		if (strcasecmp(v, "none") == 0)
			return 0;
		return cf_for_each_item(p, lbl, v, auth_item, NULL);
	case KT_IPV4:
		*(uint32_t *)field = 0;
		if (*v && cf_parse_ipv4(v, field)) {
			cf_perr(p, "%s: \"%s\" is not an IPv4 address", lbl, v);
			return -1;
		}
		return 0;
	case KT_DNS: {
		unsigned nd = 0;

		p->c->ppp_dns[0] = p->c->ppp_dns[1] = 0;
		return *v ? cf_for_each_item(p, lbl, v, dns_item, &nd) : 0;
	}
	case KT_POOL:
		if (*v && check_pool(p, lbl, v))
			return -1;
		return cf_set_str(p, field, v);
	case KT_IFNAME:
		if (check_ifname(v)) {
			cf_perr(p, "%s: \"%s\" is not an interface name template with one %%d "
				"(like l2tp%%d; at most 7 characters)", lbl, v);
			return -1;
		}
		strcpy(field, v);
		return 0;
	case KT_HOSTPORT:
		memset(field, 0, sizeof(struct lns_addr));
		/* The port is required: an HTTP listener has no natural default. */
		if (*v && (cf_parse_hostport(v, field) || !cf_has_port(v))) {
			memset(field, 0, sizeof(struct lns_addr));
			cf_perr(p, "%s: \"%s\" is not an address:port (like 127.0.0.1:9101 or "
				"[::1]:9101)", lbl, v);
			return -1;
		}
		return 0;
	case KT_IPSECMODE:
		if (strcmp(v, "required") == 0)
			*(enum conf_ipsec_mode *)field = CONF_IPSEC_REQUIRED;
		else if (strcmp(v, "off") == 0)
			*(enum conf_ipsec_mode *)field = CONF_IPSEC_OFF;
		else {
			cf_perr(p, "%s: \"%s\" is not one of required, off", lbl, v);
			return -1;
		}
		return 0;
	case KT_PROPOSALS: {
		char *list = calloc(1, 1);

		if (!list || cf_for_each_item(p, lbl, v, proposal_item, &list)) {
			if (!list)
				cf_perr(p, "out of memory");
			free(list);
			return -1;
		}
		free(*(char **)field);
		*(char **)field = list;
		return 0;
	}
	case KT_ADDR:
		memset(field, 0, sizeof(struct lns_addr));
		if (*v && cf_parse_addr(v, field)) {
			cf_perr(p, "%s: \"%s\" is not an IPv4 or IPv6 address", lbl, v);
			return -1;
		}
		return 0;
	case KT_DAELISTEN:
		memset(field, 0, sizeof(struct lns_addr));
		if (!*v)
			return 0;
		if (cf_parse_hostport(v, field)) {
			memset(field, 0, sizeof(struct lns_addr));
			cf_perr(p, "%s: \"%s\" is not an address[:port] (like 0.0.0.0:3799 or "
				"[::])", lbl, v);
			return -1;
		}
		if (!cf_has_port(v))
			((struct lns_addr *)field)->port = CONF_RADIUS_DAE_PORT;
		return 0;
	case KT_RATE:
		if (rate_parse_bps(v, strlen(v), field)) {
			cf_perr(p, "%s: \"%s\" is not a rate in bits/s (like 512k, 10M, 1G; "
				"0 = unlimited; at most 100G)", lbl, v);
			return -1;
		}
		return 0;
	case KT_RATEPROF:
		return rate_profile_add(p, lbl, v);
	case KT_POOL6:
		if (strlen(v) >= 256) {
			cf_perr(p, "%s: longer than 255 characters", lbl);
			return -1;
		}
		if (*v && k->min && check_pool6(p, lbl, v, (uint8_t)k->min))
			return -1;
		strcpy(field, v);
		return 0;
	case KT_DNS6:
		p->c->ppp_n_dns6 = 0;
		return *v ? cf_for_each_item(p, lbl, v, dns6_item, NULL) : 0;
	case KT_DOMAINS: {
		unsigned nd = 0;

		if (strlen(v) >= 256) {
			cf_perr(p, "%s: longer than 255 characters", lbl);
			return -1;
		}
		if (*v && cf_for_each_item(p, lbl, v, domain_item, &nd))
			return -1;
		strcpy(field, v);
		return 0;
	}
	case KT_RADSERVER:
		return radius_server_add(p, lbl, v);
	case KT_DAECLIENT:
		return dae_client_add(p, lbl, v);
	case KT_DATAPLANE:
		if (strcmp(v, "auto") == 0)
			*(enum conf_dataplane *)field = CONF_DP_AUTO;
		else if (strcmp(v, "none") == 0)
			*(enum conf_dataplane *)field = CONF_DP_NONE;
		else if (strcmp(v, "kernel") == 0)
			*(enum conf_dataplane *)field = CONF_DP_KERNEL;
		else {
			cf_perr(p, "%s: \"%s\" is not one of auto, none, kernel", lbl, v);
			return -1;
		}
		return 0;
	}
	return -1;
}

/* inih handler: section comes from the reader's tracking, not inih's copy. */
int cf_handler(void *user, const char *section, const char *name, const char *value)
{
	struct cf_parser *p = user;
	const struct key_def *k = NULL;
	size_t idx = 0, pidx = 0;
	char lbl[160];
	int *first;

	if (p->failed)
		return 0;
	if (p->sect == SECT_NONE) {
		cf_perr(p, "%s: key outside of a section (start with [lnsd], [l2tp], [ppp], "
			"[ipsec], [radius], [peer NAME] or [pseudowire NAME])", name);
		return 0;
	}
	/* idx: in the table; pidx: among the section's keys ([peer] and [pseudowire]
	 * record them per section, in their own key_line) */
	for (size_t i = 0; i < N_KEYS; i++) {
		if (keys[i].sect != p->sect)
			continue;
		if (strcmp(keys[i].name, name) == 0) {
			k = &keys[i];
			idx = i;
			break;
		}
		pidx++;
	}
	cf_key_label(p, name, lbl, sizeof(lbl));
	if (!k) {
		cf_perr(p, "%s: unknown key", lbl);
		return 0;
	}
	/* a key added to [peer] or [pseudowire] past its key_line[]: a bug */
	if (pidx >= (p->sect == SECT_PEER ? N_OF(conf_peer) : N_OF(conf_pw)) &&
	    (p->sect == SECT_PEER || p->sect == SECT_PW))
		abort();
	if (p->sect == SECT_PEER)
		first = &p->peer->key_line[pidx];
	else if (p->sect == SECT_PW)
		first = &p->pw->key_line[pidx];
	else
		first = &p->c->key_line[idx];
	/* server and dae-clients repeat: each line adds one. */
	if (*first && k->type != KT_RADSERVER && k->type != KT_DAECLIENT &&
	    k->type != KT_RATEPROF) {
		cf_perr(p, "%s: set twice (first at line %d)", lbl, *first);
		return 0;
	}
	*first = p->line;
	return set_value(p, k, lbl, value) == 0;
}

size_t cf_key_index(enum cf_sect sect, const char *name)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (keys[i].sect == sect && strcmp(keys[i].name, name) == 0)
			return i;
	return 0;
}

/* [ipsec]: a required mode needs exactly one of psk and psk-file. */
static int finalize_ipsec(struct cf_parser *p)
{
	struct conf_ipsec *ip = &p->c->ipsec;
	size_t psk_idx = cf_key_index(SECT_IPSEC, "psk");
	size_t file_idx = cf_key_index(SECT_IPSEC, "psk-file");
	bool has_psk = p->c->key_line[psk_idx] != 0;
	bool has_file = p->c->key_line[file_idx] != 0;

	if (!ip->present)
		return 0;
	p->sect = SECT_IPSEC;
	if (has_psk && has_file) {
		p->line = p->c->key_line[file_idx];
		cf_perr(p, "[ipsec] psk-file: psk is set too (line %d); set only one",
			p->c->key_line[psk_idx]);
		return -1;
	}
	if (has_psk && strlen(ip->psk) > CONF_PSK_MAX) {
		p->line = p->c->key_line[psk_idx];
		cf_perr(p, "[ipsec] psk: longer than %d characters", CONF_PSK_MAX);
		return -1;
	}
	if (has_file) {
		p->line = p->c->key_line[file_idx];
		return cf_read_secret_line(p, "[ipsec] psk-file", ip->psk_file, CONF_PSK_MAX,
					   &ip->psk);
	}
	if (ip->mode == CONF_IPSEC_REQUIRED && !*ip->psk) {
		p->line = has_psk ? p->c->key_line[psk_idx] : p->c->ipsec_line;
		cf_perr(p, "[ipsec] psk: mode = required needs a pre-shared key (psk or psk-file)");
		return -1;
	}
	return 0;
}

/* The line of [pseudowire] key in pw, or of its header when the key is not set. */
static int pw_line(const struct conf_pw *pw, const char *key, bool *set)
{
	size_t idx = 0;

	for (size_t i = 0; i < N_KEYS; i++) {
		if (keys[i].sect != SECT_PW)
			continue;
		if (strcmp(keys[i].name, key) == 0)
			break;
		idx++;
	}
	*set = pw->key_line[idx] != 0;
	return *set ? pw->key_line[idx] : pw->line;
}

/* cf_perr at the line of key (or the header), the label "[pseudowire NAME] key". */
__attribute__((format(printf, 4, 5)))
static int pw_err(struct cf_parser *p, const struct conf_pw *pw, const char *key, const char *fmt,
		  ...)
{
	char msg[CONF_ERR_LEN];
	bool set;
	va_list ap;

	p->line = pw_line(pw, key, &set);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (set)
		cf_perr(p, "[pseudowire %s] %s: %s", pw->name, key, msg);
	else
		cf_perr(p, "[pseudowire %s]: %s", pw->name, msg);
	return -1;
}

static bool pw_key_set(const struct conf_pw *pw, const char *key)
{
	bool set;

	(void)pw_line(pw, key, &set);
	return set;
}

/* Does an [lnsd] listen entry take UDP for a on a's family (a wildcard, or a itself)? */
static bool listened(const struct lnsd_conf *c, const struct lns_addr *a, bool any_addr)
{
	static const uint8_t any[16];

	for (size_t i = 0; i < c->n_listen; i++) {
		const struct lns_addr *l = &c->listen[i];
		size_t n = l->family == 4 ? 4 : 16;

		if (l->family == a->family &&
		    (any_addr || !memcmp(l->addr, any, n) || !memcmp(l->addr, a->addr, n)))
			return true;
	}
	return false;
}

/*
 * A [pseudowire]'s ipsec (docs/design.md §5.6): yes by default under [ipsec]
 * mode = required, where no is refused (every L2TP socket is protected);
 * over IP only; the PSK is [ipsec]'s. Pseudowires sharing a connection (same
 * peer, local, encap) or an L2TP/IP listener (same local) must agree, since
 * the policies are on those sockets.
 */
static int finalize_pw_ipsec(struct cf_parser *p, struct conf_pw *pw, size_t idx)
{
	const struct lnsd_conf *c = p->c;
	bool required = c->ipsec.mode == CONF_IPSEC_REQUIRED && c->ipsec.present;
	bool set = pw_key_set(pw, "ipsec");

	if (!set)
		pw->ipsec = required;
	else if (!pw->ipsec && required)
		return pw_err(p, pw, "ipsec", "no, but [ipsec] mode = required (line %d) puts ESP "
			      "policies on every L2TP socket; say mode = off there to let "
			      "pseudowires choose", c->ipsec_line);
	if (!pw->ipsec)
		goto agree;
	if (pw->encap != CONF_PW_ENCAP_IP)
		return pw_err(p, pw, set ? "ipsec" : "encap", "IPsec needs encap = ip (L2TPv3 "
			      "over UDP is not protected yet)%s", set ? "" : "; [ipsec] mode = "
			      "required asks it of every pseudowire");
	if (!*c->ipsec.psk)
		return pw_err(p, pw, "ipsec", "yes needs [ipsec] psk or psk-file (the IKE "
			      "pre-shared key)");
agree:
	for (size_t j = 0; j < idx; j++) {
		const struct conf_pw *o = &c->pws[j];
		bool conn = o->encap == pw->encap && lns_addr_eq(&o->peer, &pw->peer) &&
			    lns_addr_eq(&o->local, &pw->local);
		bool listener = o->encap == CONF_PW_ENCAP_IP && pw->encap == CONF_PW_ENCAP_IP &&
				lns_addr_eq(&o->local, &pw->local);

		if ((conn || listener) && o->ipsec != pw->ipsec)
			return pw_err(p, pw, "ipsec", "%s, but [pseudowire %s] (line %d) shares "
				      "its %s and says %s", pw->ipsec ? "yes" : "no", o->name,
				      o->line, conn ? "connection" : "L2TP/IP listener",
				      o->ipsec ? "yes" : "no");
	}
	return 0;
}

/* One [pseudowire]'s checks after the last line; earlier ones are checked already. */
static int finalize_pw(struct cf_parser *p, struct conf_pw *pw, size_t idx)
{
	struct lnsd_conf *c = p->c;
	char abuf[LNS_ADDR_STRLEN];
	bool set;

	if (!pw->peer.family)
		return pw_err(p, pw, "peer", "needs peer (the other end's address)");
	if (!*pw->remote_end_id)
		return pw_err(p, pw, "remote-end-id", "needs remote-end-id (the circuit's name, "
			      "the same on both ends)");
	for (const char *q = pw->remote_end_id; *q; q++)
		if (*q < 0x20 || *q > 0x7e)
			return pw_err(p, pw, "remote-end-id", "printable ASCII only");
	if (pw->local.family && pw->local.family != pw->peer.family)
		return pw_err(p, pw, "local", "not of the peer's address family");
	if (pw->encap == CONF_PW_ENCAP_IP) {
		if (!pw->local.family)
			return pw_err(p, pw, "encap", "ip needs local (the address the L2TP/IP "
				      "socket is bound to)");
		if (pw->peer_port_set)
			return pw_err(p, pw, "peer", "no port with encap = ip (L2TP over IP has "
				      "none)");
	} else if (pw->local.family ? !listened(c, &pw->local, false)
				     : !listened(c, &pw->peer, true)) {
		/* v2 and v3 over UDP share the listeners: the version field tells them apart */
		inet_ntop(pw->peer.family == 4 ? AF_INET : AF_INET6,
			  pw->local.family ? pw->local.addr : pw->peer.addr, abuf, sizeof(abuf));
		return pw_err(p, pw, pw->local.family ? "local" : "peer",
			      "no [lnsd] listen address %s %s (encap = udp uses the listeners)",
			      pw->local.family ? "covers" : "is of the family of", abuf);
	}
	if (*pw->bridge && pw->address.family) {
		return pw_err(p, pw, "address", "bridge is set too (line %d); set only one",
			      pw_line(pw, "bridge", &set));
	}
	if (pw->sequencing && pw->l2spec != CONF_PW_L2SPEC_DEFAULT)
		return pw_err(p, pw, "sequencing", "needs l2spec = default (its sublayer carries "
			      "the sequence numbers)");
	if (pw_key_set(pw, "secret") && pw_key_set(pw, "secret-file"))
		return pw_err(p, pw, "secret-file", "secret is set too (line %d); set only one",
			      pw_line(pw, "secret", &set));
	if (*pw->secret_file) {
		char lbl[160];

		p->line = pw_line(pw, "secret-file", &set);
		snprintf(lbl, sizeof(lbl), "[pseudowire %s] secret-file", pw->name);
		if (cf_read_secret_line(p, lbl, pw->secret_file, CONF_PW_SECRET_MAX, &pw->secret))
			return -1;
	} else if (strlen(pw->secret) > CONF_PW_SECRET_MAX) {
		return pw_err(p, pw, "secret", "longer than %d characters", CONF_PW_SECRET_MAX);
	}
	if (!pw_key_set(pw, "auth"))
		pw->auth = *pw->secret ? CONF_PW_AUTH_DIGEST : CONF_PW_AUTH_NONE;
	else if (pw->auth != CONF_PW_AUTH_NONE && !*pw->secret)
		return pw_err(p, pw, "auth", "%s needs a secret (secret or secret-file)",
			      pw->auth == CONF_PW_AUTH_DIGEST ? "digest" : "challenge");
	else if (pw->auth == CONF_PW_AUTH_NONE && *pw->secret)
		return pw_err(p, pw, "auth", "none, but a secret is set: say digest or challenge");
	if (pw_key_set(pw, "digest") && pw->auth != CONF_PW_AUTH_DIGEST)
		return pw_err(p, pw, "digest", "only with auth = digest (and a secret)");
	if (!pw_key_set(pw, "hello-interval"))
		pw->hello_interval_ms = c->hello_interval_ms;
	if (pw->retry_max_ms < pw->retry_min_ms)
		return pw_err(p, pw, "retry-max", "%g s is below retry-min (%g s)",
			      pw->retry_max_ms / 1000.0, pw->retry_min_ms / 1000.0);
	if (finalize_pw_ipsec(p, pw, idx))
		return -1;
	for (size_t j = 0; j < idx; j++) {
		const struct conf_pw *o = &c->pws[j];

		if (*pw->ifname && strcmp(o->ifname, pw->ifname) == 0)
			return pw_err(p, pw, "ifname", "\"%s\" is [pseudowire %s]'s too (line %d)",
				      pw->ifname, o->name, o->line);
		/* the responder finds the pseudowire by the peer and its Remote End ID */
		if (o->peer.family == pw->peer.family &&
		    !memcmp(o->peer.addr, pw->peer.addr, sizeof(o->peer.addr)) &&
		    strcmp(o->remote_end_id, pw->remote_end_id) == 0) {
			inet_ntop(pw->peer.family == 4 ? AF_INET : AF_INET6, pw->peer.addr, abuf,
				  sizeof(abuf));
			return pw_err(p, pw, "remote-end-id", "\"%s\" to %s is [pseudowire %s]'s "
				      "too (line %d)", pw->remote_end_id, abuf, o->name, o->line);
		}
	}
	return 0;
}

/* Cross-key checks and the lib-facing peer settings. */
/* [ppp] IPv6: lifetimes in order, the delegation pool carved at ipv6-delegation-length. */
static int finalize_ipv6(struct cf_parser *p)
{
	struct lnsd_conf *c = p->c;
	char lbl[64];

	p->sect = SECT_PPP;
	if (c->ppp_ipv6_preferred_s > c->ppp_ipv6_valid_s) {
		p->line = c->key_line[cf_key_index(SECT_PPP, "ipv6-preferred-lifetime")];
		if (!p->line)
			p->line = c->key_line[cf_key_index(SECT_PPP, "ipv6-valid-lifetime")];
		cf_perr(p, "[ppp] ipv6-preferred-lifetime: %u s is over ipv6-valid-lifetime (%u s)",
			c->ppp_ipv6_preferred_s, c->ppp_ipv6_valid_s);
		return -1;
	}
	if (!c->ppp_ipv6_pd_pool[0])
		return 0;
	p->line = c->key_line[cf_key_index(SECT_PPP, "ipv6-delegation-pool")];
	snprintf(lbl, sizeof(lbl), "[ppp] ipv6-delegation-pool (ipv6-delegation-length %u)",
		 c->ppp_ipv6_pd_len);
	return check_pool6(p, lbl, c->ppp_ipv6_pd_pool, (uint8_t)c->ppp_ipv6_pd_len);
}

int cf_finalize(struct cf_parser *p)
{
	struct lnsd_conf *c = p->c;
	size_t cap_idx = cf_key_index(SECT_L2TP, "retransmit-cap");

	if (finalize_ipsec(p))
		return -1;
	if (c->key_line[cf_key_index(SECT_PPP, "mtu")] &&
	    c->key_line[cf_key_index(SECT_PPP, "mru")]) {
		p->line = c->key_line[cf_key_index(SECT_PPP, "mtu")];
		p->sect = SECT_PPP;
		cf_perr(p, "[ppp] mtu: mru, its older name, is set too (line %d); set only one",
			c->key_line[cf_key_index(SECT_PPP, "mru")]);
		return -1;
	}
	if (c->retransmit_cap_ms < c->retransmit_timeout_ms) {
		p->line = c->key_line[cap_idx];
		p->sect = SECT_L2TP;
		cf_perr(p, "[l2tp] retransmit-cap: %g s is below retransmit-timeout (%g s)",
			c->retransmit_cap_ms / 1000.0, c->retransmit_timeout_ms / 1000.0);
		return -1;
	}
	if (finalize_ipv6(p))
		return -1;
	if (c->radius.enabled && !c->radius.n_servers) {
		p->line = c->radius.line;
		cf_perr(p, "[radius]: needs at least one server (server = " RADIUS_SERVER_FORM ")");
		return -1;
	}
	if (c->radius.dae_listen.family && !c->radius.n_dae_clients) {
		p->line = c->key_line[cf_key_index(SECT_RADIUS, "dae-listen")];
		cf_perr(p, "[radius] dae-listen: no dae-clients entry may use it");
		return -1;
	}
	c->default_peer.name = "default";
	c->default_peer.secret = (const uint8_t *)c->secret;
	c->default_peer.secret_len = strlen(c->secret);
	c->default_peer.hide_avps = c->hide_avps;
	for (size_t i = 0; i < c->n_peers; i++) {
		struct conf_peer *pe = &c->peers[i];
		const char *sec = pe->secret ? pe->secret : c->secret;

		if (!pe->n_hostnames && !pe->n_cidrs) {
			p->line = pe->line;
			cf_perr(p, "[peer %s]: needs match-hostname or match-address", pe->name);
			return -1;
		}
		pe->pc.name = pe->name;
		pe->pc.secret = (const uint8_t *)sec;
		pe->pc.secret_len = strlen(sec);
		pe->pc.hide_avps = pe->hide_avps < 0 ? c->hide_avps : pe->hide_avps;
	}
	p->sect = SECT_PW;
	for (size_t i = 0; i < c->n_pws; i++) {
		p->pw = &c->pws[i];
		if (finalize_pw(p, &c->pws[i], i))
			return -1;
	}
	return 0;
}
