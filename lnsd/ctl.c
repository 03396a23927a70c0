// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Control socket requests: parsing, the JSON views of tunnels, sessions and
 * stats, and the commands. The server that reads them is ctl_server.c.
 */
#include "ctl.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl_fmt.h"
#include "dp.h"
#include "engine.h"
#include "ipsec.h"
#include "l2tp_msg.h"
#include "lns_grow.h"
#include "eng_lcce.h"
#include "log.h"
#include "sessions.h"

/* ---- requests ----------------------------------------------------------- */

static const struct {
	const char *name;
	enum ctl_cmd cmd;
} ctl_cmds[] = {
	{ "show-tunnels", CTL_SHOW_TUNNELS },
	{ "show-sessions", CTL_SHOW_SESSIONS },
	{ "show-stats", CTL_SHOW_STATS },
	{ "terminate-tunnel", CTL_TERMINATE_TUNNEL },
	{ "terminate-session", CTL_TERMINATE_SESSION },
	{ "reload", CTL_RELOAD },
	{ "show-config", CTL_SHOW_CONFIG },
	{ "terminate-user", CTL_TERMINATE_USER },
	{ "terminate-all", CTL_TERMINATE_ALL },
	{ "show-pseudowires", CTL_SHOW_PSEUDOWIRES },
};

static int get_id(json_t *o, const char *key, uint32_t *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);

	if (!v) {
		snprintf(err, errlen, "missing \"%s\"", key);
		return -1;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > UINT32_MAX) {
		snprintf(err, errlen, "\"%s\" must be an integer from 1 to %u", key, UINT32_MAX);
		return -1;
	}
	*out = (uint32_t)json_integer_value(v);
	return 0;
}

/*
 * show-*: "match":[{"column":"NAME","regex":"RE"},...], lnsctl's match
 * clauses, applied here to each row as it is produced (ctl_cell's text, as
 * lnsctl would see it). The regexes are compiled into req.
 */
static int parse_matches(json_t *o, struct ctl_req *req, char *err, size_t errlen)
{
	enum ctl_obj obj = req->cmd == CTL_SHOW_TUNNELS ? CTL_OBJ_TUNNELS : CTL_OBJ_SESSIONS;
	json_t *arr = json_object_get(o, "match"), *m;
	size_t i;

	if (!arr)
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > CTL_MAX_MATCH) {
		snprintf(err, errlen, "\"match\" must be an array of at most %d clauses",
			 CTL_MAX_MATCH);
		return -1;
	}
	json_array_foreach(arr, i, m) {
		json_t *jc = json_object_get(m, "column"), *jr = json_object_get(m, "regex");
		const struct ctl_col *col;

		if (!json_is_string(jc) || !json_is_string(jr) ||
		    strlen(json_string_value(jr)) != json_string_length(jr)) {
			snprintf(err, errlen, "a match clause needs \"column\" and \"regex\" strings");
			goto fail;
		}
		col = ctl_col_find(obj, json_string_value(jc));
		if (!col) {
			snprintf(err, errlen, "unknown column %s for %s",
				 LOG_STRN(json_string_value(jc), json_string_length(jc)),
				 ctl_obj_name(obj));
			goto fail;
		}
		if (ctl_match_compile(&req->match[req->nmatch], col, json_string_value(jr), err,
				      errlen))
			goto fail;      /* the text quotes the regex escaped */
		req->nmatch++;
	}
	return 0;
fail:
	ctl_req_release(req);
	return -1;
}

void ctl_req_release(struct ctl_req *req)
{
	for (size_t i = 0; i < req->nmatch; i++)
		ctl_match_free(&req->match[i]);
	req->nmatch = 0;
}

int ctl_parse_request(const char *line, size_t len, struct ctl_req *req, char *err,
		      size_t errlen)
{
	json_error_t jerr;
	json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	json_t *jcmd;
	const char *cmd;
	int rc = -1;
	size_t i;

	memset(req, 0, sizeof(*req));
	if (!o) {
		/* jansson's text quotes the client's bytes ("near '...'"): escaped, as they reach the log */
		snprintf(err, errlen, "bad JSON: %s", LOG_STR(jerr.text));
		return -1;
	}
	if (!json_is_object(o)) {
		snprintf(err, errlen, "request must be a JSON object");
		goto out;
	}
	jcmd = json_object_get(o, "cmd");
	cmd = json_string_value(jcmd);
	if (!cmd) {
		snprintf(err, errlen, "missing \"cmd\"");
		goto out;
	}
	for (i = 0; i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++)
		if (strcmp(cmd, ctl_cmds[i].name) == 0)
			break;
	if (i == sizeof(ctl_cmds) / sizeof(ctl_cmds[0])) {
		snprintf(err, errlen, "unknown command %s", LOG_STRN(cmd, json_string_length(jcmd)));
		goto out;
	}
	req->cmd = ctl_cmds[i].cmd;
	switch (req->cmd) {
	case CTL_TERMINATE_SESSION:
		if (get_id(o, "sid", &req->sid, err, errlen))
			goto out;
		__attribute__((fallthrough));  /* needs tid too */
	case CTL_TERMINATE_TUNNEL:
		if (get_id(o, "tid", &req->tid, err, errlen))
			goto out;
		break;
	case CTL_SHOW_TUNNELS:
	case CTL_SHOW_SESSIONS:
		req->all = json_is_true(json_object_get(o, "all"));
		if (parse_matches(o, req, err, errlen))
			goto out;
		break;
	case CTL_TERMINATE_USER: {
		const char *u = json_string_value(json_object_get(o, "username"));

		if (!u || !*u || strlen(u) >= sizeof(req->username)) {
			snprintf(err, errlen, "\"username\" must be a string of 1 to %d bytes",
				 CTL_USERNAME_MAX - 1);
			goto out;
		}
		strcpy(req->username, u);
		break;
	}
	case CTL_SHOW_STATS:
	case CTL_SHOW_CONFIG:
	case CTL_TERMINATE_ALL:
	case CTL_RELOAD:
	case CTL_SHOW_PSEUDOWIRES:
		break;
	}
	rc = 0;
out:
	json_decref(o);
	return rc;
}

json_t *ctl_error(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return json_pack("{s:b, s:s}", "ok", 0, "error", buf);
}

static json_t *ok(json_t *result)
{
	return json_pack("{s:b, s:o}", "ok", 1, "result", result ? result : json_null());
}

static json_int_t uptime_s(uint64_t since, uint64_t now)
{
	return since && now > since ? (json_int_t)((now - since) / 1000) : 0;
}

static void kstats_json(json_t *o, const struct dp_stats *ks)
{
	static const struct dp_stats zero;

	if (!o)
		return;
	if (!ks)
		ks = &zero;
	json_object_set_new(o, "rx_packets", json_integer((json_int_t)ks->rx_packets));
	json_object_set_new(o, "tx_packets", json_integer((json_int_t)ks->tx_packets));
	json_object_set_new(o, "rx_bytes", json_integer((json_int_t)ks->rx_bytes));
	json_object_set_new(o, "tx_bytes", json_integer((json_int_t)ks->tx_bytes));
	json_object_set_new(o, "rx_errors", json_integer((json_int_t)ks->rx_errors));
	json_object_set_new(o, "tx_errors", json_integer((json_int_t)ks->tx_errors));
}

/*
 * A tunnel's protocol version: its ID width says it (docs/design.md §9.5:
 * 16 bits for v2, 32 for v3). The LNS's tunnels are all over UDP; the v3
 * control connections of [pseudowire] sections (UDP or IP) are listed after
 * them (cc_json).
 */
static int tunnel_version(const struct l2tp_tun *t)
{
	return t->id_max > L2TP_V2_ID_MAX ? 3 : 2;
}

static const char *tunnel_encap(const struct l2tp_tun *t)
{
	(void)t;
	return "udp";
}

/* An address with its port, or without one when it has none (L2TP over IP). */
static const char *addr_str(const struct lns_addr *a, char *buf, size_t len)
{
	char *p;

	lns_addr_str(a, buf, len);
	if (a->port)
		return buf;
	if (a->family == 6 && buf[0] == '[' && (p = strrchr(buf, ']'))) {
		*p = '\0';
		return buf + 1;
	}
	if ((p = strrchr(buf, ':')))
		*p = '\0';
	return buf;
}

json_t *ctl_tunnel_json(const struct l2tp_tun *t, const struct dp_stats *ks,
			uint64_t now_ms)
{
	char peer[LNS_ADDR_STRLEN], local[LNS_ADDR_STRLEN];
	json_t *o;

	o = json_pack("{s:I, s:I, s:s, s:s, s:o, s:o, s:s, s:i, s:i, s:I, s:s, s:I, s:I}",
			 "tunnel_id", (json_int_t)t->tid, "peer_tunnel_id",
			 (json_int_t)t->peer_tid, "peer",
			 lns_addr_str(&t->peer, peer, sizeof(peer)), "local",
			 lns_addr_str(&t->local, local, sizeof(local)), "peer_hostname",
			 ctl_json_text(t->peer_hostname, strlen(t->peer_hostname)), "peer_vendor",
			 ctl_json_text(t->peer_vendor, strlen(t->peer_vendor)), "state",
			 l2tp_tun_state_str(t->state), "sessions", (int)t->n_sessions,
			 "sessions_established", (int)t->n_established_sessions, "uptime_s",
			 uptime_s(t->created_ms, now_ms), "peer_config",
			 t->peer_cfg && t->peer_cfg->name ? t->peer_cfg->name : "default",
			 "rx_msgs", (json_int_t)t->rx_msgs, "tx_msgs", (json_int_t)t->tx_msgs);
	if (o) {
		json_object_set_new(o, "phase",
				    json_string(sessions_phase_str(sessions_tunnel_phase(t))));
		json_object_set_new(o, "version", json_integer(tunnel_version(t)));
		json_object_set_new(o, "encap", json_string(tunnel_encap(t)));
	}
	kstats_json(o, ks);
	return o;
}

/* A v3 control connection as a show-tunnels row: the v2 tunnel's members where they apply. */
static json_t *cc_json(const struct eng_cc_info *c, uint64_t now_ms)
{
	char peer[LNS_ADDR_STRLEN], local[LNS_ADDR_STRLEN];
	json_t *o;

	o = json_pack("{s:I, s:I, s:s, s:s, s:o, s:s, s:s, s:i, s:i, s:I, s:s, s:i, s:s, s:n}",
		      "tunnel_id", (json_int_t)c->ccid, "peer_tunnel_id", (json_int_t)c->peer_ccid,
		      "peer", addr_str(&c->peer, peer, sizeof(peer)), "local",
		      addr_str(&c->local, local, sizeof(local)), "peer_hostname",
		      ctl_json_text(c->peer_hostname, strlen(c->peer_hostname)), "state", c->state,
		      "phase", c->phase, "sessions", (int)c->pws, "sessions_established",
		      (int)c->pws_up, "uptime_s", uptime_s(c->created_ms, now_ms), "peer_config",
		      c->name, "version", 3, "encap", c->encap, "ipsec");
	kstats_json(o, &c->st);
	return o;
}

json_t *ctl_session_json(const struct l2tp_sess *s, const struct eng_sess_info *info,
			 uint64_t now_ms)
{
	char peer[LNS_ADDR_STRLEN], ip[INET_ADDRSTRLEN] = "", ip6[INET6_ADDRSTRLEN] = "";
	char p6[IP6_PREFIX_STRLEN];
	json_t *o;

	o = json_pack("{s:I, s:I, s:I, s:I, s:s, s:s, s:I, s:I, s:o, s:o, s:I, s:I, s:b}",
		      "tunnel_id", (json_int_t)s->tun->tid, "session_id", (json_int_t)s->sid,
		      "peer_tunnel_id", (json_int_t)s->tun->peer_tid, "peer_session_id",
		      (json_int_t)s->peer_sid, "peer",
		      lns_addr_str(&s->tun->peer, peer, sizeof(peer)), "state",
		      l2tp_sess_state_str(s->state), "uptime_s", uptime_s(s->created_ms, now_ms),
		      "call_serial", (json_int_t)s->call_serial, "calling_number",
		      ctl_json_text(s->calling_number, strlen(s->calling_number)), "called_number",
		      ctl_json_text(s->called_number, strlen(s->called_number)), "tx_connect_speed",
		      (json_int_t)s->tx_connect_speed, "rx_connect_speed",
		      (json_int_t)s->rx_connect_speed, "seq_required", s->seq_required);
	if (o && s->proxy && s->proxy->authen_name[0])
		json_object_set_new(o, "proxy_authen_name",
				    ctl_json_text(s->proxy->authen_name, strlen(s->proxy->authen_name)));
	if (!o)
		return NULL;
	if (info && info->ip) {
		struct in_addr a = { .s_addr = htonl(info->ip) };

		inet_ntop(AF_INET, &a, ip, sizeof(ip));
	}
	json_object_set_new(o, "ifname", json_string(info && info->ifname ? info->ifname : ""));
	json_object_set_new(o, "username", info && info->username ?
			    ctl_json_text(info->username, info->username_len) : json_string(""));
	json_object_set_new(o, "ip", json_string(ip));
	json_object_set_new(o, "acct_session_id",
			    json_string(info && info->acct_session_id ? info->acct_session_id : ""));
	if (info && info->ipv6) {
		struct in6_addr a6 = { .s6_addr = { 0xfe, 0x80 } };

		memcpy(&a6.s6_addr[8], info->peer_ifid, 8);
		inet_ntop(AF_INET6, &a6, ip6, sizeof(ip6));
	}
	json_object_set_new(o, "ipv6", json_string(ip6));
	json_object_set_new(o, "mtu", json_integer(info ? info->mtu : 0));
	json_object_set_new(o, "phase",
			    json_string(sessions_phase_str(sessions_phase_of(s, info))));
	json_object_set_new(o, "ppp_phase",
			    json_string(info && info->ppp_phase ? info->ppp_phase : ""));
	kstats_json(o, info ? &info->st : NULL);
	/* rate limits in bits/s, 0: unlimited (lnsd.conf(5) RATE LIMITS) */
	json_object_set_new(o, "rate_down", json_integer(info ? (json_int_t)info->rate.down_bps : 0));
	json_object_set_new(o, "rate_up", json_integer(info ? (json_int_t)info->rate.up_bps : 0));
	/* IPv6 prefixes (lnsd.conf(5) IPV6), "" none */
	json_object_set_new(o, "ipv6_prefix", json_string(info && info->has_prefix6 ?
			    ip6_prefix_str(&info->prefix6, p6, sizeof(p6)) : ""));
	json_object_set_new(o, "ipv6_pd", json_string(info && info->has_pd ?
			    ip6_prefix_str(&info->pd, p6, sizeof(p6)) : ""));
	return o;
}

static json_t *counters(const uint64_t *v, size_t n, const char *(*name)(int i), bool skip0)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < n; i++)
		if (!skip0 || v[i])
			json_object_set_new(o, name((int)i), json_integer((json_int_t)v[i]));
	return o;
}

/* Receipt to ack (lib/l2tp/l2tp_rel.h), cumulative per upper bound as in /metrics. */
static json_t *ack_delay_json(const struct l2tp_ack_hist *h)
{
	json_t *o = json_object(), *le = json_object();
	uint64_t cum = 0;
	char k[16];

	if (!o || !le) {
		json_decref(o);
		json_decref(le);
		return NULL;
	}
	for (size_t i = 0; i < L2TP_ACK_HIST_N; i++) {
		cum += h->bucket[i];
		snprintf(k, sizeof(k), "%u", l2tp_ack_hist_le_ms[i]);
		json_object_set_new(le, k, json_integer((json_int_t)cum));
	}
	json_object_set_new(le, "+Inf", json_integer((json_int_t)h->count));
	json_object_set_new(o, "count", json_integer((json_int_t)h->count));
	json_object_set_new(o, "sum_ms", json_integer((json_int_t)h->sum_ms));
	json_object_set_new(o, "max_ms", json_integer((json_int_t)h->max_ms));
	json_object_set_new(o, "le_ms", le);
	return o;
}

static const char *drop_name(int i)
{
	return l2tp_lns_drop_str((enum l2tp_lns_drop)i);
}

static const char *dec_name(int i)
{
	return l2tp_decode_err_str((enum l2tp_decode_err)i);
}

static const char *msg_name(int i)
{
	return l2tp_msg_type_str((uint16_t)i);
}

static const char *eng_name(int i)
{
	return eng_drop_str((enum eng_drop)i);
}

/* Resident set size from /proc/self/statm (pages * page size); -1 if unreadable. */
static json_int_t rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "re");
	unsigned long size, resident;
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "%lu %lu", &size, &resident);
	fclose(f);
	return n == 2 ? (json_int_t)resident * sysconf(_SC_PAGESIZE) : -1;
}

static json_t *phase_json(const unsigned *v)
{
	json_t *o = json_object();

	for (int i = 0; o && i < SESSIONS_PHASE_COUNT; i++)
		json_object_set_new(o, sessions_phase_str((enum sessions_phase)i),
				    json_integer(v[i]));
	return o;
}

/* A tunnel's "ipsec" field: its CHILD_SA, or null (none, or IPsec off). */
static json_t *ipsec_tunnel_json(const struct engine *e, const struct l2tp_tun *t)
{
	const struct ipsec_child *c = engine_tunnel_sa(e, t);

	if (!c)
		return json_null();
	return json_pack("{s:I, s:I, s:b, s:o}", "ike_id", (json_int_t)c->ike_id, "child_id",
			 (json_int_t)c->child_id, "natt", c->natt, "cipher",
			 ctl_json_text(c->cipher, strlen(c->cipher)));
}

/* show-stats "ipsec": null when [ipsec] is off. */
static json_t *ipsec_stats_json(const struct engine *e)
{
	struct ipsec_status st;

	if (!engine_ipsec(e))
		return json_null();
	ipsec_get_status(engine_ipsec(e), &st);
	return json_pack("{s:b, s:b, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "vici_up",
			 st.vici_up, "conn_loaded", st.conn_loaded, "vici_socket", st.socket,
			 "last_error", st.last_error, "sas", (json_int_t)st.sas,
			 "child_down_teardowns", (json_int_t)st.child_down_teardowns,
			 "terminates", (json_int_t)st.terminates, "connects",
			 (json_int_t)st.connects, "failures", (json_int_t)st.failures,
			 "bad_events", (json_int_t)st.bad_events, "rekey_successors",
			 (json_int_t)st.rekey_successors);
}

static json_t *stats_json(struct engine *e, uint64_t started_ms)
{
	uint64_t mismatch;
	const struct l2tp_lns *lns = engine_lns(e);
	const struct l2tp_lns_stats *st = l2tp_lns_stats(lns);
	json_t *o = json_object(), *by = json_object(), *sby = json_object();
	uint64_t now = engine_now_ms();
	struct sessions_phases ph;

	if (!o)
		return NULL;
	json_object_set_new(o, "version", json_string(LNSD_VERSION));
	json_object_set_new(o, "pid", json_integer(getpid()));
	json_object_set_new(o, "uptime_s", json_integer(uptime_s(started_ms, now)));
	json_object_set_new(o, "rss_bytes", json_integer(rss_bytes()));
	{
		const struct eng_loop_stats *ls = engine_loop_stats(e);

		json_object_set_new(o, "loop", json_pack("{s:I, s:I, s:I, s:I}", "iterations",
							 (json_int_t)ls->iterations, "busy_max_us",
							 (json_int_t)ls->busy_max_us, "busy_total_us",
							 (json_int_t)ls->busy_total_us, "slow_iterations",
							 (json_int_t)ls->slow));
	}
	/* Every tunnel and session by phase, closing tunnels included. */
	sessions_count_phases(e, &ph);
	json_object_set_new(o, "tunnels_phase", phase_json(ph.tunnels));
	json_object_set_new(o, "sessions_phase", phase_json(ph.sessions));

	for (int i = 0; i <= L2TP_TUN_DEAD; i++)
		json_object_set_new(by, l2tp_tun_state_str((enum l2tp_tun_state)i),
				    json_integer(st->tunnels_by_state[i]));
	for (int i = 0; i <= L2TP_SESS_DEAD; i++)
		json_object_set_new(sby, l2tp_sess_state_str((enum l2tp_sess_state)i),
				    json_integer(st->sessions_by_state[i]));
	json_object_set_new(o, "dataplane",
			    json_string(engine_dataplane(e) == ENG_DP_KERNEL ? "kernel" : "none"));
	json_object_set_new(o, "tunnels", json_integer(l2tp_lns_n_tunnels(lns)));
	json_object_set_new(o, "sessions", json_integer(l2tp_lns_n_sessions(lns)));
	json_object_set_new(o, "tunnels_by_state", by);
	json_object_set_new(o, "sessions_by_state", sby);
	json_object_set_new(o, "tunnels_created", json_integer((json_int_t)st->tunnels_created));
	json_object_set_new(o, "tunnels_established",
			    json_integer((json_int_t)st->tunnels_established));
	json_object_set_new(o, "tunnels_failed", json_integer((json_int_t)st->tunnels_failed));
	json_object_set_new(o, "sessions_created", json_integer((json_int_t)st->sessions_created));
	json_object_set_new(o, "sessions_established",
			    json_integer((json_int_t)st->sessions_established));
	json_object_set_new(o, "sessions_failed", json_integer((json_int_t)st->sessions_failed));
	{
		const struct eng_counters *c = engine_counters(e);

		json_object_set_new(o, "sessions_starting", json_integer((json_int_t)c->starting));
		json_object_set_new(o, "sessions_starting_max",
				    json_integer((json_int_t)c->starting_max));
		json_object_set_new(o, "sessions_refused_busy",
				    json_integer((json_int_t)st->sessions_refused_busy));
	}
	json_object_set_new(o, "retransmits", json_integer((json_int_t)st->retransmits));
	json_object_set_new(o, "retransmits_late", json_integer((json_int_t)st->retransmits_late));
	json_object_set_new(o, "ack_delay", ack_delay_json(&st->ack_delay));
	json_object_set_new(o, "rx_msgs", counters(st->rx_msgs, L2TP_MSG_TYPE_COUNT, msg_name, true));
	json_object_set_new(o, "tx_msgs", counters(st->tx_msgs, L2TP_MSG_TYPE_COUNT, msg_name, true));
	json_object_set_new(o, "drops", counters(st->drops, L2TP_DROP_COUNT, drop_name, false));
	json_object_set_new(o, "decode_errors",
			    counters(st->decode_err, L2TP_DEC_ERR_COUNT, dec_name, false));
	json_object_set_new(o, "socket_drops",
			    counters(engine_drops(e), ENG_DROP_COUNT, eng_name, false));
	json_object_set_new(o, "ipsec", ipsec_stats_json(e));
	/* The kernel's count of cleartext dropped by IPsec policies (this netns). */
	json_object_set_new(o, "xfrm_in_tmpl_mismatch",
			    dp_xfrm_stat("XfrmInTmplMismatch", &mismatch) == 0 ?
			    json_integer((json_int_t)mismatch) : json_null());
	return o;
}

/*
 * A closing tunnel lingers for the StopCCN hold period (RFC 2661 §5.7) only
 * to acknowledge retransmissions: it is not shown unless asked for ("all").
 */
static bool listed(const struct l2tp_tun *t)
{
	return sessions_tunnel_phase(t) != SESSIONS_FINISHING;
}

static json_t *config_json(const struct lnsd_conf *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	json_t *o;

	if (!f)
		return NULL;
	conf_dump(c, f, CONF_DUMP_REDACT);
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	o = json_pack("{s:s, s:s}", "path", c->path, "text", text);
	free(text);
	return o;
}

static bool user_is(const struct l2tp_sess *s, const struct eng_sess_info *si, void *user)
{
	(void)s;
	return sessions_user_is(si, user, strlen(user));
}

/* terminate-user: every session of that PPP user that is not already ending. */
static json_t *terminate_user(struct engine *e, const char *user)
{
	size_t n, done = 0;
	struct sessions_id *v = sessions_matching(e, user_is, (void *)user, &n);
	json_t *r;

	if (n == SIZE_MAX)
		return ctl_error("out of memory");
	for (size_t i = 0; i < n; i++)
		if (engine_terminate_session(e, v[i].tid, v[i].sid) == 0) {
			log_notice("control socket: terminating session %u/%u of user %s", v[i].tid,
				   v[i].sid, LOG_STR(user));
			done++;
		}
	free(v);
	if (!done)
		return ctl_error("no session of user \"%s\"", user);
	r = json_pack("{s:s, s:I}", "username", user, "sessions", (json_int_t)done);
	return r ? ok(r) : ctl_error("out of memory");
}

/* terminate-all: StopCCN result 1 ("administrative") to every tunnel not already closing. */
static json_t *terminate_all(struct engine *e)
{
	const struct l2tp_lns *lns = engine_lns(e);
	size_t n, tunnels = 0;
	struct sessions_id *v = sessions_live_tunnels(e, &n);
	json_int_t sessions = 0;
	json_t *r;

	if (n == SIZE_MAX)
		return ctl_error("out of memory");
	for (size_t i = 0; i < n; i++) {
		const struct l2tp_tun *t = l2tp_lns_tunnel(lns, v[i].tid);

		sessions += t ? t->n_sessions : 0;
		if (engine_terminate_tunnel(e, v[i].tid) == 0)
			tunnels++;
	}
	free(v);
	log_notice("control socket: terminating all %zu tunnels (%" JSON_INTEGER_FORMAT
		   " sessions)", tunnels, sessions);
	r = json_pack("{s:I, s:I}", "tunnels", (json_int_t)tunnels, "sessions", sessions);
	return r ? ok(r) : ctl_error("out of memory");
}

/* show-pseudowires: every [pseudowire] section, its call and counters (eng_lcce.h). */
static json_t *pseudowires_json(struct engine *e)
{
	struct eng_lcce *l = engine_lcce(e);
	json_t *arr = json_array();
	uint64_t now = engine_now_ms();

	for (size_t i = 0; arr && i < eng_lcce_n_pws(l); i++) {
		struct eng_pw_info in;
		char peer[LNS_ADDR_STRLEN];
		json_t *o;

		eng_lcce_pw_info(l, i, &in);
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:I, s:I, s:I, s:I, s:b, s:b,"
			      " s:I, s:I, s:I, s:i}",
			      "name", in.name, "peer", addr_str(&in.peer, peer, sizeof(peer)),
			      "encap", in.encap, "state", in.state, "remote_end_id", in.remote_end_id,
			      "ifname", in.ifname, "cookie", in.cookie_len,
			      "peer_cookie", in.peer_cookie_len, "ccid", (json_int_t)in.ccid,
			      "peer_ccid", (json_int_t)in.peer_ccid, "sid", (json_int_t)in.sid,
			      "peer_sid", (json_int_t)in.peer_sid, "circuit_local", in.local_up,
			      "circuit_remote", in.remote_up, "ups", (json_int_t)in.ups,
			      "kernel_failures", (json_int_t)in.kernel_failures, "uptime",
			      uptime_s(in.up_since_ms, now), "pw_type", in.pw_type);
		if (o)
			json_object_set_new(o, "counters",
					    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}",
						      "rx_packets", (json_int_t)in.st.rx_packets,
						      "rx_bytes", (json_int_t)in.st.rx_bytes,
						      "tx_packets", (json_int_t)in.st.tx_packets,
						      "tx_bytes", (json_int_t)in.st.tx_bytes,
						      "rx_errors", (json_int_t)in.st.rx_errors,
						      "rx_cookie_discards",
						      (json_int_t)in.st.rx_cookie_discards));
		json_array_append_new(arr, o);
	}
	return arr;
}

json_t *ctl_execute(struct engine *e, const struct ctl_req *req, uint64_t started_ms)
{
	char err[CONF_ERR_LEN];
	json_t *arr;

	switch (req->cmd) {
	case CTL_SHOW_TUNNELS:
	case CTL_SHOW_SESSIONS:
		return ctl_error("listings are streamed (ctl_list_new)");
	case CTL_SHOW_STATS:
		return ok(stats_json(e, started_ms));
	case CTL_SHOW_CONFIG:
		arr = config_json(engine_conf(e));
		return arr ? ok(arr) : ctl_error("out of memory");
	case CTL_SHOW_PSEUDOWIRES:
		arr = pseudowires_json(e);
		return arr ? ok(arr) : ctl_error("out of memory");
	case CTL_TERMINATE_USER:
		return terminate_user(e, req->username);
	case CTL_TERMINATE_ALL:
		return terminate_all(e);
	case CTL_TERMINATE_TUNNEL:
		if (engine_terminate_tunnel(e, req->tid) < 0)
			return ctl_error("no tunnel %u", req->tid);
		log_notice("control socket: terminating tunnel %u", req->tid);
		return ok(NULL);
	case CTL_TERMINATE_SESSION:
		if (engine_terminate_session(e, req->tid, req->sid) < 0)
			return ctl_error("no session %u in tunnel %u", req->sid, req->tid);
		log_notice("control socket: terminating session %u/%u", req->tid, req->sid);
		return ok(NULL);
	case CTL_RELOAD:
		if (engine_reload(e, err, sizeof(err))) {
			log_err("reload failed, keeping the running configuration: %s", err);
			return ctl_error("%s", err);
		}
		return ok(NULL);
	}
	return ctl_error("unhandled command");
}

/* ---- streamed listings ------------------------------------------------------ */

/*
 * show-tunnels / show-sessions: the reply is the same single JSON line as
 * any other ({"ok":true,"result":[row,...]}), written a few rows at a time
 * as the client's socket drains (ctl_server.c). The cursor holds IDs and
 * walk positions (l2tp_lns_tunnel_from), never a pointer, so tunnels and
 * sessions may come and go between two batches: a row present for the whole
 * listing is sent exactly once, one created or freed meanwhile at most once.
 */
struct ctl_list {
	struct engine *e;
	struct ctl_req req;          /* cmd, all, the match clauses (owned) */
	uint64_t tpos;               /* the next tunnel's walk position */
	uint64_t spos;               /* show-sessions: the next session's in tunnel tid */
	uint32_t tid;                /* show-sessions: the tunnel being walked; 0: none */
	bool v3;                     /* show-tunnels: the v2 tunnels are done, v3 connections now */
	uint64_t v3pos;              /* the next v3 connection's ID at least */
	size_t rows;                 /* rows sent */
	bool started, done;
};

struct ctl_list *ctl_list_new(struct engine *e, struct ctl_req *req)
{
	struct ctl_list *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->e = e;
	l->req = *req;
	req->nmatch = 0;      /* the list owns the regexes now */
	/* The kernel's counters, one dump if older than a second (kernel data plane). */
	engine_refresh_kstats(e, req->cmd == CTL_SHOW_TUNNELS, req->cmd == CTL_SHOW_SESSIONS);
	return l;
}

void ctl_list_free(struct ctl_list *l)
{
	if (!l)
		return;
	ctl_req_release(&l->req);
	free(l);
}

size_t ctl_list_rows(const struct ctl_list *l)
{
	return l->rows;
}

/* The next listed tunnel, NULL at the end. */
static struct l2tp_tun *next_tunnel(struct ctl_list *l)
{
	const struct l2tp_lns *lns = engine_lns(l->e);
	struct l2tp_tun *t;

	while ((t = l2tp_lns_tunnel_from(lns, l->tpos))) {
		l->tpos = l2tp_walk_pos(t->tid) + 1;
		if (l->req.all || listed(t))
			return t;
	}
	l->tpos = L2TP_WALK_END;
	return NULL;
}

/* The next session of a listed tunnel, NULL at the end. */
static struct l2tp_sess *next_session(struct ctl_list *l)
{
	const struct l2tp_lns *lns = engine_lns(l->e);

	for (;;) {
		struct l2tp_tun *t = l->tid ? l2tp_lns_tunnel(lns, l->tid) : NULL;
		struct l2tp_sess *s = t ? l2tp_tun_session_from(t, l->spos) : NULL;

		if (s) {
			l->spos = l2tp_walk_pos(s->sid) + 1;
			return s;
		}
		/* that tunnel is done (or gone): the next one */
		t = next_tunnel(l);
		if (!t) {
			l->tid = 0;
			return NULL;
		}
		l->tid = t->tid;
		l->spos = 0;
	}
}

static json_t *next_row(struct ctl_list *l, uint64_t now, bool *end)
{
	struct dp_stats ks;
	struct eng_sess_info si;
	struct l2tp_tun *t;
	struct l2tp_sess *s;
	json_t *o;

	*end = false;
	if (l->req.cmd == CTL_SHOW_TUNNELS) {
		struct eng_cc_info ci;

		t = l->v3 ? NULL : next_tunnel(l);
		if (t) {
			engine_tunnel_kstats(l->e, t, &ks);
			o = ctl_tunnel_json(t, &ks, now);
			if (o)
				json_object_set_new(o, "ipsec", ipsec_tunnel_json(l->e, t));
			return o;
		}
		/* then the L2TPv3 control connections ([pseudowire] sections) */
		l->v3 = true;
		if (!eng_lcce_cc_info(engine_lcce(l->e), l->v3pos, l->req.all, &ci)) {
			*end = true;
			return NULL;
		}
		l->v3pos = (uint64_t)ci.ccid + 1;
		return cc_json(&ci, now);
	}
	s = next_session(l);
	if (!s) {
		*end = true;
		return NULL;
	}
	engine_session_info(l->e, s, &si);
	return ctl_session_json(s, &si, now);
}

int ctl_buf_add(struct ctl_buf *b, const char *p, size_t n)
{
	if (lns_grow((void **)&b->p, &b->cap, b->len + n, 1, 4096))
		return -1;
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

static int dump_cb(const char *p, size_t n, void *b)
{
	return ctl_buf_add(b, p, n);
}

int ctl_list_fill(struct ctl_list *l, struct ctl_buf *b, size_t want, unsigned max_rows)
{
	uint64_t now = engine_now_ms();
	unsigned seen = 0;

	if (l->done)
		return 1;
	if (!l->started) {
		static const char head[] = "{\"ok\":true,\"result\":[";

		if (ctl_buf_add(b, head, sizeof(head) - 1))
			return -1;
		l->started = true;
	}
	while (b->len < want && seen < max_rows) {
		bool end;
		json_t *o = next_row(l, now, &end);
		int rc = 0;

		if (end) {
			if (ctl_buf_add(b, "]}\n", 3))
				return -1;
			l->done = true;
			return 1;
		}
		seen++;
		if (!o)
			return -1;      /* out of memory: the reply cannot be completed */
		if (ctl_row_matches(o, l->req.match, l->req.nmatch)) {
			rc = l->rows ? ctl_buf_add(b, ",", 1) : 0;
			if (!rc)
				rc = json_dump_callback(o, dump_cb, b, JSON_COMPACT);
			l->rows++;
		}
		json_decref(o);
		if (rc)
			return -1;
	}
	return 0;
}
