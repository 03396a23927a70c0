// SPDX-License-Identifier: GPL-2.0-or-later
/* GET /metrics: Prometheus text exposition format 0.0.4 over libmicrohttpd. */
#include "metrics.h"
#include "eng_lcce.h"
#include "l2tp_lcce.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dae.h"
#include "dp.h"
#include "ipsec.h"
#include "log.h"
#include "radius.h"
#include "stresc.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* ---- formatting ---------------------------------------------------------- */

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value from one of our names: lower case, anything else '_' ("data-in-userspace"). */
static const char *token(const char *in, char *buf, size_t len)
{
	size_t i = 0;

	for (; in[i] && i + 1 < len; i++)
		buf[i] = isalnum((unsigned char)in[i]) ? (char)tolower((unsigned char)in[i]) : '_';
	buf[i] = '\0';
	return buf;
}

void metrics_label_value(FILE *f, const char *v, size_t len)
{
	char buf[STRESC_SIZE(256)];

	/* No newline is left to escape: stresc wrote it as \n. */
	stresc(buf, sizeof(buf), v, len, 0);
	for (const char *p = buf; *p; p++) {
		if (*p == '\\' || *p == '"')
			fputc('\\', f);
		fputc(*p, f);
	}
}

static void sample_u64(FILE *f, const char *name, const char *lname, const char *lvalue,
		       uint64_t v)
{
	if (!lname) {
		fprintf(f, "%s %llu\n", name, (unsigned long long)v);
		return;
	}
	fprintf(f, "%s{%s=\"", name, lname);
	metrics_label_value(f, lvalue, strlen(lvalue));
	fprintf(f, "\"} %llu\n", (unsigned long long)v);
}

/* The address alone: a NATed LAC's port is not worth a label (cardinality). */
static const char *peer_addr(const struct lns_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

/* ---- metric families ----------------------------------------------------- */

static void render_info(FILE *f, struct engine *e, double start_time)
{
	family(f, "lnsd_build_info", "gauge", "lnsd build; the value is always 1.");
	fputs("lnsd_build_info{version=\"", f);
	metrics_label_value(f, LNSD_VERSION, strlen(LNSD_VERSION));
	fputs("\"} 1\n", f);
	family(f, "lnsd_start_time_seconds", "gauge",
	       "When lnsd started, in seconds since the Unix epoch.");
	fprintf(f, "lnsd_start_time_seconds %.3f\n", start_time);
	family(f, "lnsd_kernel_dataplane", "gauge",
	       "1 when sessions are carried by the kernel (managed L2TP tunnels and PPP), "
	       "0 for control plane only.");
	fprintf(f, "lnsd_kernel_dataplane %d\n", engine_dataplane(e) == ENG_DP_KERNEL);
}

static void render_states(FILE *f, const struct l2tp_lns_stats *st)
{
	char b[32];

	family(f, "lnsd_tunnels", "gauge", "L2TP tunnels (control connections) by state.");
	for (int i = 0; i < L2TP_TUN_DEAD; i++)
		sample_u64(f, "lnsd_tunnels", "state",
			   token(l2tp_tun_state_str((enum l2tp_tun_state)i), b, sizeof(b)),
			   st->tunnels_by_state[i]);
	family(f, "lnsd_sessions", "gauge", "L2TP sessions (calls) by state.");
	for (int i = 0; i < L2TP_SESS_DEAD; i++)
		sample_u64(f, "lnsd_sessions", "state",
			   token(l2tp_sess_state_str((enum l2tp_sess_state)i), b, sizeof(b)),
			   st->sessions_by_state[i]);
}

static void render_messages(FILE *f, const struct l2tp_lns_stats *st)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} dir[] = {
		{ "lnsd_control_messages_received_total",
		  "L2TP control messages received, by message type (ZLB: zero-length acks).",
		  offsetof(struct l2tp_lns_stats, rx_msgs) },
		{ "lnsd_control_messages_sent_total",
		  "L2TP control messages sent the first time, by message type.",
		  offsetof(struct l2tp_lns_stats, tx_msgs) },
	};

	for (size_t d = 0; d < sizeof(dir) / sizeof(dir[0]); d++) {
		const uint64_t *v = (const uint64_t *)((const char *)st + dir[d].off);

		family(f, dir[d].name, "counter", dir[d].help);
		for (uint16_t t = 0; t < L2TP_MSG_TYPE_COUNT; t++) {
			const char *n = l2tp_msg_type_str(t);

			if (strcmp(n, "unknown") != 0)
				sample_u64(f, dir[d].name, "type", n, v[t]);
		}
	}
	family(f, "lnsd_control_retransmissions_total", "counter",
	       "L2TP control messages sent again after the retransmission timeout.");
	sample_u64(f, "lnsd_control_retransmissions_total", NULL, NULL, st->retransmits);
	family(f, "lnsd_control_late_retransmissions_total", "counter",
	       "Retransmissions whose timer ran a quarter of its timeout late (lnsd itself "
	       "stalled): sent without shrinking the congestion window.");
	sample_u64(f, "lnsd_control_late_retransmissions_total", NULL, NULL,
		   st->retransmits_late);
}

static void render_setups(FILE *f, const struct l2tp_lns_stats *st)
{
	char code[8];

	family(f, "lnsd_tunnel_setups_total", "counter",
	       "Tunnel setups started (SCCRQ accepted, SCCRP sent).");
	sample_u64(f, "lnsd_tunnel_setups_total", NULL, NULL, st->tunnels_created);
	family(f, "lnsd_tunnels_established_total", "counter", "Tunnels that reached established.");
	sample_u64(f, "lnsd_tunnels_established_total", NULL, NULL, st->tunnels_established);
	family(f, "lnsd_tunnel_setup_failures_total", "counter",
	       "Tunnels that closed before they were established.");
	sample_u64(f, "lnsd_tunnel_setup_failures_total", NULL, NULL, st->tunnels_failed);
	family(f, "lnsd_stopccn_sent_total", "counter",
	       "StopCCN sent, by Result Code (RFC 2661 section 4.4.2), refused SCCRQs included.");
	for (size_t r = 1; r < sizeof(st->stopccn_sent_by_result) / sizeof(uint64_t); r++) {
		snprintf(code, sizeof(code), "%zu", r);
		sample_u64(f, "lnsd_stopccn_sent_total", "result", code,
			   st->stopccn_sent_by_result[r]);
	}
	family(f, "lnsd_session_setups_total", "counter",
	       "Session setups started (ICRQ accepted, ICRP sent).");
	sample_u64(f, "lnsd_session_setups_total", NULL, NULL, st->sessions_created);
	family(f, "lnsd_sessions_established_total", "counter",
	       "Sessions that reached established (ICCN processed).");
	sample_u64(f, "lnsd_sessions_established_total", NULL, NULL, st->sessions_established);
	family(f, "lnsd_session_setup_failures_total", "counter",
	       "Sessions that closed before they were established.");
	sample_u64(f, "lnsd_session_setup_failures_total", NULL, NULL, st->sessions_failed);
	family(f, "lnsd_cdn_sent_total", "counter",
	       "CDN sent, by Result Code (RFC 2661 section 4.4.2), refused ICRQs included.");
	for (size_t r = 1; r < sizeof(st->cdn_sent_by_result) / sizeof(uint64_t); r++) {
		snprintf(code, sizeof(code), "%zu", r);
		sample_u64(f, "lnsd_cdn_sent_total", "result", code, st->cdn_sent_by_result[r]);
	}
}

static void render_drops(FILE *f, struct engine *e, const struct l2tp_lns_stats *st)
{
	const uint64_t *sock = engine_drops(e);
	char b[48];

	family(f, "lnsd_dropped_packets_total", "counter",
	       "Control packets dropped or not sent, by reason (protocol and socket level).");
	for (int i = 0; i < L2TP_DROP_COUNT; i++)
		sample_u64(f, "lnsd_dropped_packets_total", "reason",
			   token(l2tp_lns_drop_str((enum l2tp_lns_drop)i), b, sizeof(b)),
			   st->drops[i]);
	for (int i = 0; i < ENG_DROP_COUNT; i++)
		sample_u64(f, "lnsd_dropped_packets_total", "reason",
			   token(eng_drop_str((enum eng_drop)i), b, sizeof(b)), sock[i]);
	family(f, "lnsd_decode_errors_total", "counter",
	       "Packets dropped as undecodable (reason=\"decode\" above), by what was wrong.");
	for (int i = L2TP_DEC_OK + 1; i < L2TP_DEC_ERR_COUNT; i++)
		sample_u64(f, "lnsd_decode_errors_total", "reason",
			   token(l2tp_decode_err_str((enum l2tp_decode_err)i), b, sizeof(b)),
			   st->decode_err[i]);
}

/* Method labels by enum ppp_auth_method. */
static const char *const auth_method_names[PPP_AUTH_METHOD_COUNT] = {
	[PPP_AUTH_PAP] = "pap",
	[PPP_AUTH_CHAP_MD5] = "chap",
	[PPP_AUTH_MSCHAPV2] = "mschapv2",
};

/* IPv6 for subscribers (ipv6.c): what was sent, dropped and why, the pools. */
static void render_ipv6(FILE *f, const struct engine *e, const struct eng_counters *c)
{
	uint32_t used[2], size[2];
	static const char *const pools[2] = { "prefix", "delegation" };

	family(f, "lnsd_ipv6_ra_sent_total", "counter", "Router Advertisements sent on pppN.");
	fprintf(f, "lnsd_ipv6_ra_sent_total %llu\n", (unsigned long long)c->v6_ra_sent);
	family(f, "lnsd_ipv6_rs_received_total", "counter", "Valid Router Solicitations read.");
	fprintf(f, "lnsd_ipv6_rs_received_total %llu\n", (unsigned long long)c->v6_rs_received);
	family(f, "lnsd_ipv6_rs_dropped_total", "counter",
	       "Router Solicitations dropped, by reason (no_session: not a subscriber's link).");
	for (int i = 0; i < ND_RS_CHECK_COUNT; i++)
		fprintf(f, "lnsd_ipv6_rs_dropped_total{reason=\"%s\"} %llu\n",
			i == ND_RS_OK ? "no_session" : nd_rs_check_str((enum nd_rs_check)i),
			(unsigned long long)c->v6_rs_dropped[i]);
	family(f, "lnsd_ipv6_dhcp_replies_total", "counter", "DHCPv6 Advertise and Reply sent.");
	fprintf(f, "lnsd_ipv6_dhcp_replies_total %llu\n", (unsigned long long)c->v6_dhcp_replies);
	family(f, "lnsd_ipv6_dhcp_dropped_total", "counter",
	       "DHCPv6 messages dropped, by reason (no_session: not a subscriber's link).");
	for (int i = 0; i < DHCP6_CHECK_COUNT; i++)
		fprintf(f, "lnsd_ipv6_dhcp_dropped_total{reason=\"%s\"} %llu\n",
			i == DHCP6_OK ? "no_session" : dhcp6_check_str((enum dhcp6_check)i),
			(unsigned long long)c->v6_dhcp_dropped[i]);
	family(f, "lnsd_ipv6_errors_total", "counter",
	       "IPv6 errors: a pool exhausted, a RADIUS prefix in use by another session, a send "
	       "or a route the kernel refused.");
	fprintf(f, "lnsd_ipv6_errors_total{error=\"pool_exhausted\"} %llu\n"
		"lnsd_ipv6_errors_total{error=\"radius_prefix_in_use\"} %llu\n"
		"lnsd_ipv6_errors_total{error=\"send\"} %llu\n"
		"lnsd_ipv6_errors_total{error=\"route\"} %llu\n",
		(unsigned long long)c->v6_pool_exhausted, (unsigned long long)c->v6_radius_refused,
		(unsigned long long)c->v6_send_failed, (unsigned long long)c->v6_route_failed);
	engine_ipv6_pools(e, used, size);
	family(f, "lnsd_ipv6_pool_used", "gauge", "Prefixes of the IPv6 pools in use.");
	for (int i = 0; i < 2; i++)
		fprintf(f, "lnsd_ipv6_pool_used{pool=\"%s\"} %u\n", pools[i], used[i]);
	family(f, "lnsd_ipv6_pool_size", "gauge", "Prefixes in the IPv6 pools.");
	for (int i = 0; i < 2; i++)
		fprintf(f, "lnsd_ipv6_pool_size{pool=\"%s\"} %u\n", pools[i], size[i]);
}

static void render_ppp(FILE *f, const struct eng_counters *c)
{
	family(f, "lnsd_ppp_auth_total", "counter",
	       "PPP authentications decided by lnsd, by method and result.");
	for (size_t m = 0; m < PPP_AUTH_METHOD_COUNT; m++) {
		const char *n = auth_method_names[m];

		if (!n)
			continue;
		for (int ok = 1; ok >= 0; ok--)
			fprintf(f, "lnsd_ppp_auth_total{method=\"%s\",result=\"%s\"} %llu\n", n,
				ok ? "success" : "failure", (unsigned long long)c->auth[m][ok]);
	}
	family(f, "lnsd_radius_framed_ip_refused_total", "counter",
	       "Access-Accepts refused because their Framed-IP-Address was not a unicast "
	       "host address, was the LNS's own, or was in use by another session.");
	fprintf(f, "lnsd_radius_framed_ip_refused_total %llu\n",
		(unsigned long long)c->radius_bad_framed_ip);
	family(f, "lnsd_rate_attributes_ignored_total", "counter",
	       "Rate attributes of Access-Accepts ignored (a Mikrotik-Rate-Limit that did not "
	       "parse, a Filter-Id neither a rate-profile nor down/up); the next source applied.");
	fprintf(f, "lnsd_rate_attributes_ignored_total %llu\n",
		(unsigned long long)c->rate_bad_attr);
	family(f, "lnsd_rate_limit_failures_total", "counter",
	       "Session rate limits the kernel refused (the session went on without them).");
	fprintf(f, "lnsd_rate_limit_failures_total %llu\n",
		(unsigned long long)c->rate_kernel_failed);
}

/* [l2tp] max-starting: calls in setup and the ICRQs refused busy. */
static void render_starting(FILE *f, const struct eng_counters *c, const struct l2tp_lns_stats *st)
{
	family(f, "lnsd_sessions_starting", "gauge",
	       "Calls between ICRQ and PPP up (IPCP open; without a data plane, ICCN).");
	sample_u64(f, "lnsd_sessions_starting", NULL, NULL, c->starting);
	family(f, "lnsd_sessions_starting_max", "gauge",
	       "The most calls that were starting at once since lnsd started.");
	sample_u64(f, "lnsd_sessions_starting_max", NULL, NULL, c->starting_max);
	family(f, "lnsd_sessions_refused_busy_total", "counter",
	       "ICRQs refused with CDN result 4 (busy) because max-starting calls were starting.");
	sample_u64(f, "lnsd_sessions_refused_busy_total", NULL, NULL, st->sessions_refused_busy);
}

/* RADIUS client: per server by type and result, plus what no server answered. */
static void render_radius(FILE *f, struct engine *e)
{
	static const enum radius_result auth_res[] = { RADIUS_R_ACCEPT, RADIUS_R_REJECT,
						       RADIUS_R_TIMEOUT, RADIUS_R_ERROR };
	static const enum radius_result acct_res[] = { RADIUS_R_RESPONSE, RADIUS_R_TIMEOUT,
						       RADIUS_R_ERROR };
	struct radius *r = engine_radius(e);
	const struct radius_stats *rs;

	if (!r)
		return;
	rs = radius_stats(r);
	family(f, "lnsd_radius_requests_total", "counter",
	       "RADIUS requests sent to each server, by type (auth, acct) and result; a request "
	       "that fails over counts once per server tried.");
	for (size_t i = 0; i < rs->n_servers; i++) {
		for (size_t k = 0; k < sizeof(auth_res) / sizeof(auth_res[0]); k++) {
			fputs("lnsd_radius_requests_total{server=\"", f);
			metrics_label_value(f, rs->servers[i], strlen(rs->servers[i]));
			fprintf(f, "\",type=\"auth\",result=\"%s\"} %llu\n",
				radius_result_str(auth_res[k]),
				(unsigned long long)rs->by_server[i][RADIUS_T_AUTH][auth_res[k]]);
		}
		for (size_t k = 0; k < sizeof(acct_res) / sizeof(acct_res[0]); k++) {
			fputs("lnsd_radius_requests_total{server=\"", f);
			metrics_label_value(f, rs->servers[i], strlen(rs->servers[i]));
			fprintf(f, "\",type=\"acct\",result=\"%s\"} %llu\n",
				radius_result_str(acct_res[k]),
				(unsigned long long)rs->by_server[i][RADIUS_T_ACCT][acct_res[k]]);
		}
	}
	family(f, "lnsd_radius_dropped_replies_total", "counter",
	       "RADIUS replies discarded unread, by server and reason (bad-authenticator: "
	       "another secret or forged); the request waits on as if none had come.");
	for (size_t i = 0; i < rs->n_servers; i++)
		for (int c = RAD_REPLY_OK + 1; c < RAD_REPLY_CHECK_COUNT; c++)
			fprintf(f, "lnsd_radius_dropped_replies_total{server=\"%s\",reason=\"%s\"} "
				"%llu\n", rs->servers[i],
				rad_reply_check_str((enum rad_reply_check)c),
				(unsigned long long)rs->dropped[i][c]);
	family(f, "lnsd_radius_failed_total", "counter",
	       "RADIUS requests that no server answered (authentication refused, accounting "
	       "record lost), by type.");
	fprintf(f, "lnsd_radius_failed_total{type=\"auth\"} %llu\n",
		(unsigned long long)rs->auth_failed);
	fprintf(f, "lnsd_radius_failed_total{type=\"acct\"} %llu\n",
		(unsigned long long)rs->acct_failed);
	family(f, "lnsd_radius_queued_requests", "gauge",
	       "RADIUS requests waiting for a worker thread.");
	fprintf(f, "lnsd_radius_queued_requests %llu\n", (unsigned long long)rs->queued);
}

/* [ipsec]: charon's reachability and SAs; the kernel's cleartext drops always. */
static void render_ipsec(FILE *f, struct engine *e)
{
	const struct ipsec_mgr *m = engine_ipsec(e);
	struct ipsec_status st;
	uint64_t v;

	if (dp_xfrm_stat("XfrmInTmplMismatch", &v) == 0) {
		family(f, "lnsd_xfrm_in_tmpl_mismatch_total", "counter",
		       "Inbound packets the kernel dropped for lack of the IPsec SA a policy "
		       "requires (XfrmInTmplMismatch: cleartext L2TP to a protected socket).");
		sample_u64(f, "lnsd_xfrm_in_tmpl_mismatch_total", NULL, NULL, v);
	}
	if (!m)
		return;
	ipsec_get_status(m, &st);
	family(f, "lnsd_ipsec_vici_up", "gauge", "1 while lnsd is connected to charon over VICI.");
	sample_u64(f, "lnsd_ipsec_vici_up", NULL, NULL, st.vici_up);
	family(f, "lnsd_ipsec_conn_loaded", "gauge",
	       "1 once charon accepted lnsd's connection and PSK.");
	sample_u64(f, "lnsd_ipsec_conn_loaded", NULL, NULL, st.conn_loaded);
	family(f, "lnsd_ipsec_sas", "gauge", "CHILD_SAs of lnsd's connection known to lnsd.");
	sample_u64(f, "lnsd_ipsec_sas", NULL, NULL, st.sas);
	family(f, "lnsd_ipsec_child_down_teardowns_total", "counter",
	       "L2TP tunnels torn down because their IPsec SA went down.");
	sample_u64(f, "lnsd_ipsec_child_down_teardowns_total", NULL, NULL,
		   st.child_down_teardowns);
	family(f, "lnsd_ipsec_rekey_successors_total", "counter",
	       "CHILD_SAs gone whose tunnels followed the successor found with list-sas "
	       "(IKEv1 rekey).");
	sample_u64(f, "lnsd_ipsec_rekey_successors_total", NULL, NULL, st.rekey_successors);
	family(f, "lnsd_ipsec_vici_failures_total", "counter",
	       "Failed VICI connection attempts, refusals and lost connections.");
	sample_u64(f, "lnsd_ipsec_vici_failures_total", NULL, NULL, st.failures);
}

/*
 * A histogram of millisecond counts, exported in seconds: bucket[i] counts
 * the values <= le_ms[i] (and above the bound before), not cumulative;
 * bucket[n] the rest.
 */
static void render_histogram(FILE *f, const char *name, const char *help, const uint32_t *le_ms,
			     size_t n, const uint64_t *bucket, uint64_t count, uint64_t sum_ms)
{
	uint64_t cum = 0;

	family(f, name, "histogram", help);
	for (size_t i = 0; i < n; i++) {
		cum += bucket[i];
		fprintf(f, "%s_bucket{le=\"%g\"} %llu\n", name, le_ms[i] / 1000.0,
			(unsigned long long)cum);
	}
	fprintf(f, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)count);
	fprintf(f, "%s_sum %.3f\n", name, (double)sum_ms / 1000.0);
	fprintf(f, "%s_count %llu\n", name, (unsigned long long)count);
}

static void render_setup_histogram(FILE *f, const struct eng_counters *c)
{
	render_histogram(f, "lnsd_session_setup_duration_seconds",
			 "From ICRQ to PPP up (IPCP opened) with the kernel data plane, to the ICCN "
			 "without it.", eng_setup_bucket_ms, ENG_SETUP_BUCKETS, c->setup_le,
			 c->setup_count, c->setup_sum_ms);
}

/*
 * Receipt of a control message to the first Nr that acknowledged it
 * (lib/l2tp/l2tp_rel.h): the delayed ack shows as the 0.1 s bucket, a
 * stalled loop as the ones above. Time spent in the socket's receive queue
 * before lnsd read the message is not included.
 */
static void render_ack_histogram(FILE *f, const struct l2tp_lns_stats *st)
{
	const struct l2tp_ack_hist *h = &st->ack_delay;

	render_histogram(f, "lnsd_l2tp_ack_delay_seconds",
			 "From reading an L2TP control message to sending the ack for it (a ZLB or "
			 "piggy-backed on a message).", l2tp_ack_hist_le_ms, L2TP_ACK_HIST_N,
			 h->bucket, h->count, h->sum_ms);
}

/* Kernel counters (docs/design.md §4.5), per tunnel and per session. */
static const struct kstat_def {
	const char *suffix, *help;
	size_t off;
} kstats[] = {
#define K(f, h) { #f "_total", h, offsetof(struct dp_stats, f) }
	K(rx_packets, "Data packets received by the kernel."),
	K(tx_packets, "Data packets sent by the kernel."),
	K(rx_bytes, "Data bytes received by the kernel (L2TP header and payload)."),
	K(tx_bytes, "Data bytes sent by the kernel (L2TP header and payload)."),
	K(rx_errors, "Receive errors counted by the kernel."),
	K(tx_errors, "Transmit errors counted by the kernel."),
	K(rx_seq_discards, "Data packets the kernel discarded for their sequence number."),
	K(rx_oos_packets, "Data packets the kernel received out of sequence."),
	K(rx_invalid, "Invalid data packets the kernel dropped."),
#undef K
};
#define N_KSTATS (sizeof(kstats) / sizeof(kstats[0]))

static uint64_t kstat(const struct dp_stats *st, size_t i)
{
	uint64_t v;

	memcpy(&v, (const char *)st + kstats[i].off, sizeof(v));
	return v;
}

static void render_tunnels(FILE *f, struct engine *e)
{
	struct dp_stats st;
	struct l2tp_tun *t;
	char name[64], help[160], a[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < N_KSTATS; i++) {
		snprintf(name, sizeof(name), "lnsd_tunnel_%s", kstats[i].suffix);
		snprintf(help, sizeof(help), "%s Per tunnel, from the kernel.", kstats[i].help);
		family(f, name, "counter", help);
		L2TP_LNS_FOREACH_TUNNEL(engine_lns(e), t)
			if (engine_tunnel_kstats(e, t, &st)) {
				fprintf(f, "%s{tunnel_id=\"%u\",peer=\"", name, t->tid);
				peer_addr(&t->peer, a, sizeof(a));
				metrics_label_value(f, a, strlen(a));
				fprintf(f, "\"} %llu\n", (unsigned long long)kstat(&st, i));
			}
	}
}

/* Per-session rate limits (lnsd.conf(5) RATE LIMITS): only the limited ones. */
static void render_session_rates(FILE *f, struct engine *e)
{
	struct eng_sess_info si;
	struct l2tp_sess *s;

	family(f, "lnsd_session_rate_limit_bps", "gauge",
	       "Rate limit of a session in bits/s by direction (down: to the client, shaped; "
	       "up: from it, policed); unlimited sessions and directions are left out.");
	L2TP_LNS_FOREACH_SESSION(engine_lns(e), s) {
		engine_session_info(e, s, &si);
		if (si.rate.down_bps)
			fprintf(f, "lnsd_session_rate_limit_bps{tunnel_id=\"%u\",session_id=\"%u\","
				"direction=\"down\"} %llu\n", s->tun->tid, s->sid,
				(unsigned long long)si.rate.down_bps);
		if (si.rate.up_bps)
			fprintf(f, "lnsd_session_rate_limit_bps{tunnel_id=\"%u\",session_id=\"%u\","
				"direction=\"up\"} %llu\n", s->tun->tid, s->sid,
				(unsigned long long)si.rate.up_bps);
	}
}

static void render_sessions(FILE *f, struct engine *e)
{
	struct dp_stats st;
	struct l2tp_sess *s;
	char name[64], help[160];

	for (size_t i = 0; i < N_KSTATS; i++) {
		snprintf(name, sizeof(name), "lnsd_session_%s", kstats[i].suffix);
		snprintf(help, sizeof(help), "%s Per session, from the kernel.", kstats[i].help);
		family(f, name, "counter", help);
		L2TP_LNS_FOREACH_SESSION(engine_lns(e), s)
			if (engine_session_kstats(e, s, &st))
				fprintf(f, "%s{tunnel_id=\"%u\",session_id=\"%u\"} %llu\n", name,
					s->tun->tid, s->sid, (unsigned long long)kstat(&st, i));
	}
	render_session_rates(f, e);
}

/* Open descriptors, without the one reading /proc/self/fd. */
static long open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	long n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && atoi(de->d_name) != dirfd(d))
			n++;
	closedir(d);
	return n;
}

/* The event loop's busy time per iteration (engine_loop_stats). */
static void render_loop(FILE *f, const struct engine *e)
{
	const struct eng_loop_stats *ls = engine_loop_stats(e);

	family(f, "lnsd_loop_iterations_total", "counter", "Event loop iterations.");
	fprintf(f, "lnsd_loop_iterations_total %llu\n", (unsigned long long)ls->iterations);
	family(f, "lnsd_loop_busy_seconds_total", "counter",
	       "Time the event loop spent running callbacks.");
	fprintf(f, "lnsd_loop_busy_seconds_total %.6f\n", (double)ls->busy_total_us / 1e6);
	family(f, "lnsd_loop_busy_max_seconds", "gauge",
	       "The longest event loop iteration since the start: how long an event could wait.");
	fprintf(f, "lnsd_loop_busy_max_seconds %.6f\n", (double)ls->busy_max_us / 1e6);
	family(f, "lnsd_loop_slow_iterations_total", "counter",
	       "Event loop iterations busy for 100 ms or more.");
	fprintf(f, "lnsd_loop_slow_iterations_total %llu\n", (unsigned long long)ls->slow);
}

/* The process_* family every Prometheus client library exports. */
static void render_process(FILE *f, double start_time)
{
	unsigned long long vsz = 0, rss = 0;
	long page = sysconf(_SC_PAGESIZE), fds = open_fds();
	struct rusage ru;
	struct rlimit rl;
	FILE *sm = fopen("/proc/self/statm", "re");

	if (sm) {
		if (fscanf(sm, "%llu %llu", &vsz, &rss) != 2)
			vsz = rss = 0;
		fclose(sm);
	}
	family(f, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
	fprintf(f, "process_resident_memory_bytes %llu\n", rss * (unsigned long long)page);
	family(f, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
	fprintf(f, "process_virtual_memory_bytes %llu\n", vsz * (unsigned long long)page);
	if (fds >= 0) {
		family(f, "process_open_fds", "gauge", "Number of open file descriptors.");
		fprintf(f, "process_open_fds %ld\n", fds);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		family(f, "process_max_fds", "gauge", "Maximum number of open file descriptors.");
		fprintf(f, "process_max_fds %llu\n", (unsigned long long)rl.rlim_cur);
	}
	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		family(f, "process_cpu_seconds_total", "counter",
		       "Total user and system CPU time spent in seconds.");
		fprintf(f, "process_cpu_seconds_total %.3f\n",
			(double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
				(double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	}
	family(f, "process_start_time_seconds", "gauge",
	       "Start time of the process since the Unix epoch in seconds.");
	fprintf(f, "process_start_time_seconds %.3f\n", start_time);
}

/* Per [pseudowire]: lnsd_pseudowire_* with name, peer and remote_end_id labels. */
static void render_pseudowires(FILE *f, struct engine *e)
{
	static const struct {
		const char *name, *type, *help;
	} fam[] = {
		{ "lnsd_pseudowire_up", "gauge", "1 while the L2TPv3 pseudowire is established." },
		{ "lnsd_pseudowire_circuit_remote_up", "gauge",
		  "1 while the peer reports its circuit up." },
		{ "lnsd_pseudowire_ups_total", "counter", "Times the pseudowire was established." },
		{ "lnsd_pseudowire_kernel_failures_total", "counter",
		  "Kernel tunnel or session creations that failed (CDN)." },
		{ "lnsd_pseudowire_rx_packets_total", "counter", "Data packets received (kernel)." },
		{ "lnsd_pseudowire_rx_bytes_total", "counter", "Data bytes received (kernel)." },
		{ "lnsd_pseudowire_tx_packets_total", "counter", "Data packets sent (kernel)." },
		{ "lnsd_pseudowire_tx_bytes_total", "counter", "Data bytes sent (kernel)." },
		{ "lnsd_pseudowire_rx_cookie_discards_total", "counter",
		  "Data packets dropped by the kernel for a wrong cookie." },
	};
	struct eng_lcce *l = engine_lcce(e);
	size_t n = eng_lcce_n_pws(l);
	const struct l2tp_lcce_stats *ls = eng_lcce_stats(l);
	struct eng_pw_info *in;

	if (!n || !ls)
		return;
	family(f, "lnsd_l2tpv3_drops_total", "counter",
	       "L2TPv3 control input dropped or refused, by reason (data-in-userspace: data "
	       "packets lnsd read, which should stay 0).");
	for (int d = 0; d < LCCE_DROP_COUNT; d++)
		fprintf(f, "lnsd_l2tpv3_drops_total{reason=\"%s\"} %llu\n",
			l2tp_lcce_drop_str((enum l2tp_lcce_drop)d), (unsigned long long)ls->drops[d]);
	family(f, "lnsd_l2tpv3_connections_established_total", "counter",
	       "L2TPv3 control connections established.");
	fprintf(f, "lnsd_l2tpv3_connections_established_total %llu\n",
		(unsigned long long)ls->ccs_established);
	in = calloc(n, sizeof(*in));
	if (!in)
		return;
	for (size_t i = 0; i < n; i++)
		eng_lcce_pw_info(l, i, &in[i]);
	for (size_t k = 0; k < sizeof(fam) / sizeof(fam[0]); k++) {
		family(f, fam[k].name, fam[k].type, fam[k].help);
		for (size_t i = 0; i < n; i++) {
			const uint64_t v[] = { strcmp(in[i].state, "up") == 0, in[i].remote_up,
					       in[i].ups, in[i].kernel_failures, in[i].st.rx_packets,
					       in[i].st.rx_bytes, in[i].st.tx_packets,
					       in[i].st.tx_bytes, in[i].st.rx_cookie_discards };
			char pa[LNS_ADDR_STRLEN];

			lns_addr_str(&in[i].peer, pa, sizeof(pa));
			if (!in[i].peer.port)   /* over IP: no port (eng_lcce_pw_info) */
				pa[strlen(pa) - 2] = '\0';
			fprintf(f, "%s{name=\"", fam[k].name);
			metrics_label_value(f, in[i].name, strlen(in[i].name));
			fprintf(f, "\",peer=\"%s\",remote_end_id=\"", pa);
			metrics_label_value(f, in[i].remote_end_id, strlen(in[i].remote_end_id));
			fprintf(f, "\"} %llu\n", (unsigned long long)v[k]);
		}
	}
	free(in);
}

void metrics_render(struct engine *e, double start_time, FILE *f)
{
	const struct l2tp_lns_stats *st = l2tp_lns_stats(engine_lns(e));
	const struct eng_counters *c = engine_counters(e);
	bool kernel = engine_dataplane(e) == ENG_DP_KERNEL;
	bool per_session = kernel && engine_conf(e)->metrics_sessions;

	render_info(f, e, start_time);
	render_states(f, st);
	render_messages(f, st);
	render_setups(f, st);
	render_drops(f, e, st);
	render_ppp(f, c);
	render_ipv6(f, e, c);
	render_starting(f, c, st);
	render_radius(f, e);
	render_setup_histogram(f, c);
	render_ack_histogram(f, st);
	render_ipsec(f, e);
	if (kernel) {
		/* At most one tunnel dump (and one session dump) per second. */
		engine_refresh_kstats(e, true, per_session);
		render_tunnels(f, e);
	}
	if (per_session)
		render_sessions(f, e);
	render_pseudowires(f, e);
	render_loop(f, e);
	render_process(f, start_time);
}

/* ---- HTTP ----------------------------------------------------------------- */

/*
 * libmicrohttpd's epoll mode registers connections edge-triggered and takes
 * a short read as "nothing more to read". A FIN that arrives with the last
 * bytes (a client that sends part of a request and closes) therefore raises
 * no further event: MHD would hold the dead connection until its idle
 * timeout. So lnsd tracks each connection (MHD_OPTION_NOTIFY_CONNECTION),
 * watches for the client's FIN in an epoll set of its own (EPOLLRDHUP), and
 * ends a connection that can make no more progress with shutdown(2), which
 * MHD sees as a hang-up and closes at once.
 */
struct mconn {
	struct mconn *prev, *next;
	int fd;
	struct sockaddr_storage peer;
	ev_tstamp since;          /* connected, or its last response finished */
	unsigned requests;        /* answered */
	bool in_request;          /* response queued, not finished */
	bool peer_closed;         /* the client sent FIN (or the socket failed) */
	bool ended;               /* shut down by us; MHD closes it */
};

struct metrics {
	struct ev_loop *loop;
	struct engine *eng;
	struct MHD_Daemon *d;
	ev_io io;                 /* MHD's epoll fd */
	ev_io hup_io;             /* hup_fd: the clients' FINs */
	ev_timer timer;           /* MHD's own timeouts, work it left pending, request deadlines */
	int hup_fd;
	struct mconn *conns;
	double start_time;
	const struct dae *dae;    /* NULL: no dae-listen */
	uint64_t refused;         /* METRICS_MAX_CONNS_PER_IP reached */
	uint64_t request_timeouts;
};

static const char *sa_str(const struct sockaddr *sa, char *buf, size_t len)
{
	const void *a = sa->sa_family == AF_INET6 ?
		(const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr :
		(const void *)&((const struct sockaddr_in *)sa)->sin_addr;

	if (!inet_ntop(sa->sa_family, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

/*
 * The same client for the per-address limit (ports aside): the same IPv4
 * address, or the same IPv6 /64, which one host usually has whole (privacy
 * addresses, SLAAC) and can fill with as many addresses as it likes.
 * IPv4-mapped addresses are IPv4 addresses.
 */
static bool same_host(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET6) {
		const struct in6_addr *x = &((const struct sockaddr_in6 *)a)->sin6_addr;
		const struct in6_addr *y = &((const struct sockaddr_in6 *)b)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(x) || IN6_IS_ADDR_V4MAPPED(y))
			return memcmp(x, y, 16) == 0;
		return memcmp(x, y, 8) == 0;
	}
	return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
	       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
}

/* MHD_OPTION_ACCEPT_POLICY: the per-address limit, counted and logged. */
static enum MHD_Result accept_policy(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	struct metrics *m = cls;
	char a[INET6_ADDRSTRLEN];
	unsigned n = 0;

	(void)addrlen;
	for (struct mconn *mc = m->conns; mc; mc = mc->next)
		n += same_host((const struct sockaddr *)&mc->peer, addr);
	if (n < METRICS_MAX_CONNS_PER_IP)
		return MHD_YES;
	m->refused++;
	log_ratelimited(engine_now_ms(), "metrics per-ip",
			"metrics: refusing a connection from %s: it has %u open", sa_str(addr, a, sizeof(a)),
			n);
	return MHD_NO;
}

/* MHD_OPTION_NOTIFY_CONNECTION: track the connection from accept to close. */
static void conn_notify(void *cls, struct MHD_Connection *c, void **socket_context,
			enum MHD_ConnectionNotificationCode code)
{
	struct metrics *m = cls;
	struct mconn *mc = *socket_context;
	const union MHD_ConnectionInfo *fd, *peer;
	struct epoll_event ev = { .events = EPOLLRDHUP | EPOLLONESHOT };

	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (!mc)
			return;
		epoll_ctl(m->hup_fd, EPOLL_CTL_DEL, mc->fd, NULL);
		if (mc->prev)
			mc->prev->next = mc->next;
		else
			m->conns = mc->next;
		if (mc->next)
			mc->next->prev = mc->prev;
		free(mc);
		*socket_context = NULL;
		return;
	}
	fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	peer = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	/* Untracked (out of memory): only MHD's own timeout ends it. */
	if (!fd || !peer || !(mc = calloc(1, sizeof(*mc))))
		return;
	mc->fd = fd->connect_fd;
	memcpy(&mc->peer, peer->client_addr,
	       peer->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
							  sizeof(struct sockaddr_in));
	mc->since = ev_now(m->loop);
	ev.data.ptr = mc;
	if (epoll_ctl(m->hup_fd, EPOLL_CTL_ADD, mc->fd, &ev) < 0)
		mc->peer_closed = true;   /* cannot watch it: treat it as ending */
	mc->next = m->conns;
	if (m->conns)
		m->conns->prev = mc;
	m->conns = mc;
	*socket_context = mc;
}

static struct mconn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *i =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return i ? i->socket_context : NULL;
}

/* MHD_OPTION_NOTIFY_COMPLETED: the response is sent (or the request failed). */
static void request_done(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct metrics *m = cls;
	struct mconn *mc = conn_of(c);

	(void)con_cls;
	(void)toe;
	if (!mc)
		return;
	mc->in_request = false;
	mc->requests++;
	mc->since = ev_now(m->loop);
}

/*
 * Every response goes through here. Until then the request deadline of
 * reap() runs: from the connection (or the previous response) to the whole
 * request, line, headers and all; from here on MHD's own idle timeout
 * covers a client that reads the answer slowly.
 */
static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, struct MHD_Response *r)
{
	struct mconn *mc = conn_of(c);

	if (mc)
		mc->in_request = true;
	return MHD_queue_response(c, status, r);
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text,
								  MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = respond(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* The listener's own counters (lnsd(8), METRICS). */
static void render_http(FILE *f, const struct metrics *m)
{
	family(f, "lnsd_metrics_connections_refused_total", "counter",
	       "Connections to this endpoint refused because their address already had the "
	       "most open that one address may have.");
	sample_u64(f, "lnsd_metrics_connections_refused_total", NULL, NULL, m->refused);
	family(f, "lnsd_metrics_request_timeouts_total", "counter",
	       "Connections to this endpoint closed because no complete request arrived in "
	       "time after connecting.");
	sample_u64(f, "lnsd_metrics_request_timeouts_total", NULL, NULL, m->request_timeouts);
}

/* Content-Length above 0, or any Transfer-Encoding (chunked). */
static bool announces_body(struct MHD_Connection *c)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);

	return (cl && strspn(cl, "0") != strlen(cl)) ||
	       MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	static int headers_seen;
	struct metrics *m = cls;
	struct MHD_Response *r;
	enum MHD_Result ret;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	/*
	 * First call: headers only; answered on the next one. /metrics takes
	 * no body: a request that announces one is answered on this call (404,
	 * 405 or 413), and MHD closes the connection without reading the body
	 * (a response queued before it).
	 */
	if (!*con_cls) {
		*con_cls = &headers_seen;
		if (!announces_body(c))
			return MHD_YES;
	}
	if (strcmp(url, "/metrics") != 0)
		return reply_text(c, MHD_HTTP_NOT_FOUND, "not found: lnsd serves /metrics\n");
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
	if (*upload_size || announces_body(c))
		return reply_text(c, MHD_HTTP_CONTENT_TOO_LARGE,
				  "lnsd serves GET /metrics: no request body\n");
	f = open_memstream(&buf, &len);
	if (!f)
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	metrics_render(m->eng, m->start_time, f);
	dae_render_metrics(m->dae, f);
	render_http(f, m);
	if (fclose(f) != 0 || !buf) {
		free(buf);
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	}
	r = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(buf);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, CONTENT_TYPE);
	ret = respond(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* MHD sees a hang-up on its next run and closes the connection. */
static void conn_end(struct mconn *mc)
{
	shutdown(mc->fd, SHUT_RDWR);
	mc->ended = true;
}

/* Bytes the client sent that MHD has not read yet. */
static int unread(int fd)
{
	int n = 0;

	return ioctl(fd, FIONREAD, &n) == 0 ? n : 1;
}

/*
 * End the connections that can make no progress: the client sent FIN and
 * MHD holds no request of it (a response still being sent is finished
 * first), or no complete request arrived within METRICS_REQUEST_TIMEOUT_S.
 * Returns the earliest deadline still pending (0: none).
 */
static ev_tstamp reap(struct metrics *m)
{
	struct epoll_event ev[16];
	ev_tstamp now = ev_now(m->loop), next = 0;
	char a[INET6_ADDRSTRLEN];
	int n;

	while ((n = epoll_wait(m->hup_fd, ev, 16, 0)) > 0)
		for (int i = 0; i < n; i++)
			((struct mconn *)ev[i].data.ptr)->peer_closed = true;
	for (struct mconn *mc = m->conns; mc; mc = mc->next) {
		ev_tstamp deadline = mc->since + METRICS_REQUEST_TIMEOUT_S;

		if (mc->ended || mc->in_request)
			continue;
		/* Unread bytes: MHD has an event for them still to take. */
		if (mc->peer_closed && !unread(mc->fd)) {
			conn_end(mc);
		} else if (now >= deadline) {
			/* Not counted: a kept-alive connection the scraper left idle. */
			if (!mc->requests) {
				m->request_timeouts++;
				log_ratelimited(engine_now_ms(), "metrics timeout",
						"metrics: closing a connection from %s: no complete "
						"request in %d s",
						sa_str((struct sockaddr *)&mc->peer, a, sizeof(a)),
						METRICS_REQUEST_TIMEOUT_S);
			}
			conn_end(mc);
		} else if (!next || deadline < next) {
			next = deadline;
		}
	}
	return next;
}

static unsigned n_connections(struct MHD_Daemon *d)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

	return i ? i->num_connections : 0;
}

/*
 * Let MHD do what is ready, then wake up for its next timeout (0: more work
 * queued) or the next request deadline.
 *
 * At METRICS_MAX_CONNS MHD takes its listening socket out of its epoll set
 * and puts it back only at the start of a later run, once a connection
 * closed. When the last run closed connections and left no event and no
 * timeout behind, no later run would come and the endpoint would stop
 * accepting for good: so run again while a run closed connections.
 */
static void metrics_run(struct metrics *m)
{
	MHD_UNSIGNED_LONG_LONG to;
	ev_tstamp deadline, after;
	unsigned before;

	do {
		before = n_connections(m->d);
		MHD_run(m->d);
	} while (n_connections(m->d) < before);
	deadline = reap(m);
	ev_timer_stop(m->loop, &m->timer);
	after = deadline ? deadline - ev_now(m->loop) : -1;
	if (MHD_get_timeout(m->d, &to) == MHD_YES && (after < 0 || (double)to / 1000.0 < after))
		after = (double)to / 1000.0;
	if (after >= 0) {
		ev_timer_set(&m->timer, after, 0.0);
		ev_timer_start(m->loop, &m->timer);
	}
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	metrics_run(w->data);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	metrics_run(w->data);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[256];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	log_ratelimited(engine_now_ms(), "metrics http", "metrics: %s", buf);
}

struct metrics *metrics_new(struct ev_loop *loop, struct engine *e, const struct lns_addr *addr,
			    char *err, size_t errlen)
{
	struct metrics *m = calloc(1, sizeof(*m));
	struct sockaddr_storage ss;
	struct timespec now;
	const union MHD_DaemonInfo *info;
	char as[LNS_ADDR_STRLEN];
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;

	lns_addr_str(addr, as, sizeof(as));
	if (!m) {
		snprintf(err, errlen, "metrics %s: out of memory", as);
		return NULL;
	}
	m->loop = loop;
	m->eng = e;
	m->hup_fd = epoll_create1(EPOLL_CLOEXEC);
	if (m->hup_fd < 0) {
		snprintf(err, errlen, "metrics %s: epoll: %s", as, strerror(errno));
		free(m);
		return NULL;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	m->start_time = (double)now.tv_sec + (double)now.tv_nsec / 1e9;
	memset(&ss, 0, sizeof(ss));
	if (addr->family == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(addr->port);
		memcpy(&sin->sin_addr, addr->addr, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(addr->port);
		memcpy(&sin6->sin6_addr, addr->addr, 16);
		flags |= MHD_USE_IPv6;
	}
	/*
	 * No MHD_USE_INTERNAL_POLLING_THREAD: MHD runs only when the loop calls
	 * it. No MHD_OPTION_LISTENING_ADDRESS_REUSE: that is SO_REUSEPORT, and a
	 * second lnsd would then share the port instead of failing to start.
	 * The per-address limit is accept_policy's, so that it is counted.
	 */
	m->d = MHD_start_daemon(flags, addr->port, accept_policy, m, handle, m,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)METRICS_CONN_TIMEOUT_S,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)METRICS_MAX_CONNS,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)METRICS_MAX_REQUEST,
				MHD_OPTION_NOTIFY_CONNECTION, conn_notify, m,
				MHD_OPTION_NOTIFY_COMPLETED, request_done, m,
				MHD_OPTION_END);
	if (!m->d) {
		snprintf(err, errlen, "metrics %s: cannot listen (%s)", as,
			 errno ? strerror(errno) : "libmicrohttpd refused the settings");
		close(m->hup_fd);
		free(m);
		return NULL;
	}
	info = MHD_get_daemon_info(m->d, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info) {
		snprintf(err, errlen, "metrics %s: libmicrohttpd has no epoll fd", as);
		MHD_stop_daemon(m->d);
		close(m->hup_fd);
		free(m);
		return NULL;
	}
	ev_io_init(&m->io, io_cb, info->epoll_fd, EV_READ);
	m->io.data = m;
	ev_io_start(loop, &m->io);
	ev_io_init(&m->hup_io, io_cb, m->hup_fd, EV_READ);
	m->hup_io.data = m;
	ev_io_start(loop, &m->hup_io);
	ev_init(&m->timer, timer_cb);
	m->timer.data = m;
	log_notice("metrics on http://%s/metrics", as);
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	ev_io_stop(m->loop, &m->io);
	ev_io_stop(m->loop, &m->hup_io);
	ev_timer_stop(m->loop, &m->timer);
	MHD_stop_daemon(m->d);   /* closes every connection: conn_notify frees them */
	close(m->hup_fd);
	free(m);
}

void metrics_set_dae(struct metrics *m, const struct dae *d)
{
	if (m)
		m->dae = d;
}
