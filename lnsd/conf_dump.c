// SPDX-License-Identifier: GPL-2.0-or-later
/* lnsd.conf's canonical dump (lnsd -p, lnsctl show config), secrets redacted on request. */
#include "conf.h"

#include <arpa/inet.h>

#include "log.h"

static void dump_seconds(FILE *f, const char *key, uint32_t ms)
{
	if (ms % 1000)
		fprintf(f, "%s = %u.%03u\n", key, ms / 1000, ms % 1000);
	else
		fprintf(f, "%s = %u\n", key, ms / 1000);
}

static void dump_cidr(FILE *f, const struct conf_cidr *c)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(c->family == 4 ? AF_INET : AF_INET6, c->addr, buf, sizeof(buf));
	fprintf(f, "%s/%u", buf, c->prefix);
}

static void dump_ip(FILE *f, uint32_t ip)
{
	struct in_addr a = { .s_addr = htonl(ip) };
	char buf[INET_ADDRSTRLEN];

	fputs(inet_ntop(AF_INET, &a, buf, sizeof(buf)), f);
}

static const char *auth_name(enum ppp_auth_method m)
{
	switch (m) {
	case PPP_AUTH_PAP:
		return "pap";
	case PPP_AUTH_CHAP_MD5:
		return "chap";
	case PPP_AUTH_MSCHAPV2:
		return "mschapv2";
	case PPP_AUTH_NONE:
	case PPP_AUTH_METHOD_COUNT:
		break;
	}
	return "?";
}

static void dump_rates(FILE *f, const struct lnsd_conf *c)
{
	char a[RATE_STRLEN], b[RATE_STRLEN];

	fprintf(f, "rate-limit-down = %s\nrate-limit-up = %s\n",
		rate_format(c->ppp_rate.down_bps, a, sizeof(a)),
		rate_format(c->ppp_rate.up_bps, b, sizeof(b)));
	for (size_t i = 0; i < c->n_rate_profiles; i++)
		fprintf(f, "rate-profile = %s %s/%s\n", c->rate_profiles[i].name,
			rate_format(c->rate_profiles[i].rate.down_bps, a, sizeof(a)),
			rate_format(c->rate_profiles[i].rate.up_bps, b, sizeof(b)));
}

static void dump_ipv6(FILE *f, const struct lnsd_conf *c)
{
	char a[INET6_ADDRSTRLEN];

	fprintf(f, "ipv6-prefix-pool =%s%s\nipv6-delegation-pool =%s%s\n"
		"ipv6-delegation-length = %u\nipv6-dns =", c->ppp_ipv6_pool[0] ? " " : "",
		c->ppp_ipv6_pool, c->ppp_ipv6_pd_pool[0] ? " " : "", c->ppp_ipv6_pd_pool,
		c->ppp_ipv6_pd_len);
	for (unsigned i = 0; i < c->ppp_n_dns6; i++)
		fprintf(f, "%s%s", i ? ", " : " ", inet_ntop(AF_INET6, c->ppp_dns6[i], a, sizeof(a)));
	fprintf(f, "\nipv6-domain =%s%s\nipv6-valid-lifetime = %u\n"
		"ipv6-preferred-lifetime = %u\nipv6-ra-interval = %u\n",
		c->ppp_ipv6_domains[0] ? " " : "", c->ppp_ipv6_domains, c->ppp_ipv6_valid_s,
		c->ppp_ipv6_preferred_s, c->ppp_ipv6_ra_interval_s);
}

static void dump_ppp(const struct lnsd_conf *c, FILE *f)
{
	fprintf(f, "\n[ppp]\nauth = ");
	if (!c->ppp_n_auth)
		fputs("none", f);
	for (unsigned i = 0; i < c->ppp_n_auth; i++)
		fprintf(f, "%s%s", i ? ", " : "", auth_name(c->ppp_auth[i]));
	fputs("\nlocal-ip =", f);
	if (c->ppp_local_ip) {
		fputc(' ', f);
		dump_ip(f, c->ppp_local_ip);
	}
	fprintf(f, "\npool =%s%s\ndns =", *c->ppp_pool ? " " : "", c->ppp_pool);
	for (unsigned i = 0; i < 2 && c->ppp_dns[i]; i++) {
		fputs(i ? ", " : " ", f);
		dump_ip(f, c->ppp_dns[i]);
	}
	fprintf(f, "\nusers-file =%s%s\n", *c->ppp_users_file ? " " : "", c->ppp_users_file);
	if (c->ppp_mru)
		fprintf(f, "mtu = %u\n", c->ppp_mru);
	else
		fputs("mtu = auto\n", f);
	fprintf(f, "mss-clamp = %s\n", c->ppp_mss_clamp ? "yes" : "no");
	dump_seconds(f, "lcp-echo-interval", c->lcp_echo_interval_ms);
	fprintf(f, "lcp-echo-failures = %u\nifname =%s%s\nipv6 = %s\n", c->lcp_echo_failures,
		c->ppp_ifname[0] ? " " : "", c->ppp_ifname, c->ppp_ipv6 ? "yes" : "no");
	dump_rates(f, c);
	dump_ipv6(f, c);
}

/*
 * A secret: "<redacted>" when asked to (lnsctl show config), so a secret
 * never leaves the daemon over the control socket. An empty one is shown
 * as empty (it says "no authentication", which is not a secret).
 */
static const char *secret_text(const char *v, unsigned flags)
{
	return *v && (flags & CONF_DUMP_REDACT) ? CONF_REDACTED : v;
}

static void dump_secret(FILE *f, const char *key, const char *v, unsigned flags)
{
	fprintf(f, "%s =%s%s\n", key, *v ? " " : "", secret_text(v, flags));
}

static void dump_ipsec(const struct conf_ipsec *ip, FILE *f, unsigned flags)
{
	if (!ip->present)
		return;
	fprintf(f, "\n[ipsec]\nmode = %s\nvici-socket = %s\n",
		ip->mode == CONF_IPSEC_REQUIRED ? "required" : "off", ip->vici_socket);
	if (*ip->psk_file)
		fprintf(f, "psk-file = %s\n", ip->psk_file);
	else
		dump_secret(f, "psk", ip->psk, flags);
	if (*ip->proposals)
		fprintf(f, "proposals = %s\n", ip->proposals);
	if (*ip->esp_proposals)
		fprintf(f, "esp-proposals = %s\n", ip->esp_proposals);
	fprintf(f, "legacy-proposals = %s\nike-version = %u\nreqid = %u\n",
		ip->legacy_proposals ? "yes" : "no", ip->ike_version, ip->reqid);
	fprintf(f, "dpd-delay = %u\ndpd-timeout = %u\n", ip->dpd_delay_s, ip->dpd_timeout_s);
}

static void dump_radius(const struct lnsd_radius_conf *r, FILE *f, unsigned flags)
{
	char abuf[LNS_ADDR_STRLEN];

	fputs("\n[radius]\n", f);
	for (size_t i = 0; i < r->n_servers; i++) {
		const struct conf_radius_server *sv = &r->servers[i];

		fprintf(f, "server = %s:%u,%s\n", lns_addr_str(&sv->addr, abuf, sizeof(abuf)),
			sv->acct_port, secret_text(sv->secret, flags));
	}
	fprintf(f, "nas-identifier =%s%s\nnas-ip-address =", *r->nas_identifier ? " " : "",
		r->nas_identifier);
	if (r->nas_ip.family) {
		/* lns_addr_str with port 0 still prints a port: write the bare address. */
		inet_ntop(r->nas_ip.family == 4 ? AF_INET : AF_INET6, r->nas_ip.addr, abuf,
			  sizeof(abuf));
		fprintf(f, " %s", abuf);
	}
	fputc('\n', f);
	fprintf(f, "timeout = %u\nretries = %u\nrequire-message-authenticator = %s\n",
		r->timeout_s, r->retries, r->require_msg_auth ? "yes" : "no");
	fprintf(f, "accounting = %s\ninterim-interval = %u\ndae-listen =%s%s\n",
		r->accounting ? "yes" : "no", r->interim_interval_s,
		r->dae_listen.family ? " " : "",
		r->dae_listen.family ? lns_addr_str(&r->dae_listen, abuf, sizeof(abuf)) : "");
	for (size_t i = 0; i < r->n_dae_clients; i++) {
		fputs("dae-clients = ", f);
		dump_cidr(f, &r->dae_clients[i].net);
		fprintf(f, ",%s\n", secret_text(r->dae_clients[i].secret, flags));
	}
	fprintf(f, "dae-require-event-timestamp = %s\n",
		r->dae_require_event_timestamp ? "yes" : "no");
}

static void dump_lnsd(const struct lnsd_conf *c, FILE *f)
{
	static const char *const dp[] = { "auto", "none", "kernel" };
	char abuf[LNS_ADDR_STRLEN];

	fprintf(f, "[lnsd]\nlisten = ");
	for (size_t i = 0; i < c->n_listen; i++)
		fprintf(f, "%s%s", i ? ", " : "", lns_addr_str(&c->listen[i], abuf, sizeof(abuf)));
	fprintf(f, "\ncontrol-socket = %s\nhostname = %s\ndataplane = %s\nlog-level = %s\n",
		c->control_socket, c->hostname, dp[c->dataplane],
		log_level_str((enum log_level)c->log_level));
	fprintf(f, "metrics =%s%s\nmetrics-sessions = %s\n", c->metrics.family ? " " : "",
		c->metrics.family ? lns_addr_str(&c->metrics, abuf, sizeof(abuf)) : "",
		c->metrics_sessions ? "yes" : "no");
	fprintf(f, "listen-rcvbuf = %u\ntunnel-rcvbuf = %u\n", c->listen_rcvbuf, c->tunnel_rcvbuf);
}

static void dump_l2tp(const struct lnsd_conf *c, FILE *f, unsigned flags)
{
	fprintf(f, "\n[l2tp]\n");
	dump_secret(f, "secret", c->secret, flags);
	fprintf(f, "hide-avps = %s\n", c->hide_avps ? "yes" : "no");
	dump_seconds(f, "hello-interval", c->hello_interval_ms);
	dump_seconds(f, "retransmit-timeout", c->retransmit_timeout_ms);
	dump_seconds(f, "retransmit-cap", c->retransmit_cap_ms);
	fprintf(f, "retransmit-retries = %u\nreceive-window = %u\n", c->retransmit_retries,
		c->receive_window);
	fprintf(f, "max-tunnels = %u\nmax-sessions = %u\nmax-half-open = %u\n", c->max_tunnels,
		c->max_sessions, c->max_half_open);
	fprintf(f, "max-half-open-per-peer = %u\n", c->max_half_open_per_peer);
	fprintf(f, "max-sessions-per-tunnel = %u\n", c->max_sessions_per_tunnel);
	dump_seconds(f, "setup-timeout", c->setup_timeout_ms);
	dump_seconds(f, "stopccn-hold", c->stopccn_hold_ms);
	fprintf(f, "max-starting = %u\n", c->max_starting);
}

static void dump_peer(const struct conf_peer *pe, FILE *f, unsigned flags)
{
	fprintf(f, "\n[peer %s]\n", pe->name);
	if (pe->n_hostnames) {
		fprintf(f, "match-hostname = ");
		for (size_t j = 0; j < pe->n_hostnames; j++)
			fprintf(f, "%s%s", j ? ", " : "", pe->hostnames[j]);
		fputc('\n', f);
	}
	if (pe->n_cidrs) {
		fprintf(f, "match-address = ");
		for (size_t j = 0; j < pe->n_cidrs; j++) {
			if (j)
				fputs(", ", f);
			dump_cidr(f, &pe->cidrs[j]);
		}
		fputc('\n', f);
	}
	if (pe->secret)
		dump_secret(f, "secret", pe->secret, flags);
	if (pe->hide_avps >= 0)
		fprintf(f, "hide-avps = %s\n", pe->hide_avps ? "yes" : "no");
}

static void dump_addr(FILE *f, const char *key, const struct lns_addr *a)
{
	char buf[INET6_ADDRSTRLEN];

	fprintf(f, "%s =", key);
	if (a->family)
		fprintf(f, " %s", inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->addr, buf,
					     sizeof(buf)));
	fputc('\n', f);
}

/* Every key with its effective value; secret-file rather than the secret it holds. */
static void dump_pw(const struct conf_pw *pw, FILE *f, unsigned flags)
{
	char abuf[LNS_ADDR_STRLEN];

	fprintf(f, "\n[pseudowire %s]\n", pw->name);
	if (pw->peer_port_set)
		fprintf(f, "peer = %s\n", lns_addr_str(&pw->peer, abuf, sizeof(abuf)));
	else
		dump_addr(f, "peer", &pw->peer);
	dump_addr(f, "local", &pw->local);
	fprintf(f, "encap = %s\npw-type = %s\nremote-end-id = %s\ncookie = %u\n",
		conf_pw_encaps[pw->encap], conf_pw_types[pw->type], pw->remote_end_id,
		pw->cookie_len);
	fprintf(f, "l2spec = %s\nsequencing = %s\n", conf_pw_l2specs[pw->l2spec],
		pw->sequencing ? "yes" : "no");
	fprintf(f, "ifname =%s%s\n", *pw->ifname ? " " : "", pw->ifname);
	if (*pw->bridge)
		fprintf(f, "bridge = %s\n", pw->bridge);
	if (pw->address.family) {
		char buf[INET_ADDRSTRLEN];

		fprintf(f, "address = %s/%u\n", inet_ntop(AF_INET, pw->address.addr, buf,
							   sizeof(buf)), pw->address.prefix);
	}
	if (pw->mtu)
		fprintf(f, "mtu = %u\n", pw->mtu);
	else
		fputs("mtu = auto\n", f);
	if (*pw->secret_file)
		fprintf(f, "secret-file = %s\n", pw->secret_file);
	else
		dump_secret(f, "secret", pw->secret, flags);
	fprintf(f, "auth = %s\n", conf_pw_auths[pw->auth]);
	if (pw->auth == CONF_PW_AUTH_DIGEST)
		fprintf(f, "digest = %s\n", conf_pw_digests[pw->digest]);
	fprintf(f, "role = %s\n", conf_pw_roles[pw->role]);
	dump_seconds(f, "hello-interval", pw->hello_interval_ms);
	dump_seconds(f, "retry-min", pw->retry_min_ms);
	dump_seconds(f, "retry-max", pw->retry_max_ms);
	if (pw->ipsec)
		fprintf(f, "ipsec = yes\n");
}

/* One function per section; every secret goes through secret_text(). */
void conf_dump(const struct lnsd_conf *c, FILE *f, unsigned flags)
{
	dump_lnsd(c, f);
	dump_l2tp(c, f, flags);
	dump_ppp(c, f);
	dump_ipsec(&c->ipsec, f, flags);
	if (c->radius.enabled)
		dump_radius(&c->radius, f, flags);
	for (size_t i = 0; i < c->n_peers; i++)
		dump_peer(&c->peers[i], f, flags);
	for (size_t i = 0; i < c->n_pws; i++)
		dump_pw(&c->pws[i], f, flags);
}
