// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Control socket: request parsing, the JSON contract of show-*, lnsctl's
 * tables, and the server against clients that misbehave (its limits,
 * ctl.h), over a real UNIX socket driven by the loop.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl_fmt.h"
#include "engine_testutil.h"
#include "l2tp_lns.h"
#include "log.h"

static const struct {
	const char *line;
	int rc;
	enum ctl_cmd cmd;
	uint32_t tid, sid;
	const char *err;
} reqs[] = {
	{ "{\"cmd\":\"show-tunnels\"}", 0, CTL_SHOW_TUNNELS, 0, 0, NULL },
	{ "{\"cmd\":\"show-sessions\"}", 0, CTL_SHOW_SESSIONS, 0, 0, NULL },
	{ " {\"cmd\" : \"show-stats\", \"extra\": 1} ", 0, CTL_SHOW_STATS, 0, 0, NULL },
	{ "{\"cmd\":\"reload\"}", 0, CTL_RELOAD, 0, 0, NULL },
	{ "{\"cmd\":\"show-tunnels\",\"all\":true}", 0, CTL_SHOW_TUNNELS, 0, 0, NULL },
	{ "{\"cmd\":\"terminate-tunnel\",\"tid\":12}", 0, CTL_TERMINATE_TUNNEL, 12, 0, NULL },
	{ "{\"cmd\":\"terminate-session\",\"tid\":65535,\"sid\":1}", 0, CTL_TERMINATE_SESSION,
	  65535, 1, NULL },
	{ "{\"cmd\":\"terminate-tunnel\"}", -1, 0, 0, 0, "missing \"tid\"" },
	{ "{\"cmd\":\"terminate-session\",\"tid\":3}", -1, 0, 0, 0, "missing \"sid\"" },
	/* IDs are 32 bits (RFC 3931), whatever the protocol version. */
	{ "{\"cmd\":\"terminate-session\",\"tid\":65536,\"sid\":4294967295}", 0,
	  CTL_TERMINATE_SESSION, 65536, 4294967295u, NULL },
	{ "{\"cmd\":\"terminate-tunnel\",\"tid\":0}", -1, 0, 0, 0,
	  "\"tid\" must be an integer from 1 to 4294967295" },
	{ "{\"cmd\":\"terminate-tunnel\",\"tid\":4294967296}", -1, 0, 0, 0,
	  "\"tid\" must be an integer from 1 to 4294967295" },
	{ "{\"cmd\":\"terminate-tunnel\",\"tid\":\"7\"}", -1, 0, 0, 0,
	  "\"tid\" must be an integer from 1 to 4294967295" },
	{ "{\"cmd\":\"show-config\"}", 0, CTL_SHOW_CONFIG, 0, 0, NULL },
	{ "{\"cmd\":\"terminate-all\"}", 0, CTL_TERMINATE_ALL, 0, 0, NULL },
	{ "{\"cmd\":\"terminate-user\",\"username\":\"alice\"}", 0, CTL_TERMINATE_USER, 0, 0,
	  NULL },
	{ "{\"cmd\":\"terminate-user\"}", -1, 0, 0, 0,
	  "\"username\" must be a string of 1 to 127 bytes" },
	{ "{\"cmd\":\"terminate-user\",\"username\":\"\"}", -1, 0, 0, 0,
	  "\"username\" must be a string of 1 to 127 bytes" },
	{ "{\"cmd\":\"terminate-user\",\"username\":7}", -1, 0, 0, 0,
	  "\"username\" must be a string of 1 to 127 bytes" },
	{ "{\"cmd\":\"dance\"}", -1, 0, 0, 0, "unknown command \"dance\"" },
	{ "{\"command\":\"reload\"}", -1, 0, 0, 0, "missing \"cmd\"" },
	{ "{\"cmd\":5}", -1, 0, 0, 0, "missing \"cmd\"" },
	{ "[\"reload\"]", -1, 0, 0, 0, "request must be a JSON object" },
	{ "{\"cmd\":\"reload\",\"cmd\":\"reload\"}", -1, 0, 0, 0, NULL },  /* duplicate key */
	{ "{\"cmd\":", -1, 0, 0, 0, NULL },
	{ "", -1, 0, 0, 0, NULL },
};

START_TEST(parse_requests)
{
	struct ctl_req req;
	char err[256] = "";
	int rc = ctl_parse_request(reqs[_i].line, strlen(reqs[_i].line), &req, err, sizeof(err));

	ck_assert_msg(rc == reqs[_i].rc, "case %d: rc %d (%s)", _i, rc, err);
	if (rc == 0) {
		ck_assert_int_eq(req.cmd, reqs[_i].cmd);
		ck_assert_uint_eq(req.tid, reqs[_i].tid);
		ck_assert_uint_eq(req.sid, reqs[_i].sid);
	} else if (reqs[_i].err) {
		ck_assert_str_eq(err, reqs[_i].err);
	} else {
		ck_assert(err[0] != '\0');
	}
}
END_TEST

static void make_tunnel(struct l2tp_tun *t, struct l2tp_sess *s)
{
	static const struct l2tp_peer_cfg pc = { .name = "branch" };

	memset(t, 0, sizeof(*t));
	t->tid = 12;
	t->peer_tid = 34;
	t->state = L2TP_TUN_ESTABLISHED;
	t->peer.family = 4;
	t->peer.port = 1701;
	memcpy(t->peer.addr, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	t->local.family = 4;
	t->local.port = 1701;
	memcpy(t->local.addr, (uint8_t[]){ 192, 0, 2, 254 }, 4);
	t->peer_cfg = &pc;
	strcpy(t->peer_hostname, "lac1");
	strcpy(t->peer_vendor, "xelerance");
	t->created_ms = 1000;
	t->n_sessions = 1;
	t->n_established_sessions = 1;
	memset(s, 0, sizeof(*s));
	s->tun = t;
	s->sid = 5;
	s->peer_sid = 6;
	s->state = L2TP_SESS_WAIT_CONNECT;
	s->created_ms = 5000;
	s->call_serial = 9;
	strcpy(s->calling_number, "5551234");
}

START_TEST(tunnel_json_contract)
{
	struct l2tp_tun t;
	struct l2tp_sess s;
	json_t *o;

	make_tunnel(&t, &s);
	o = ctl_tunnel_json(&t, NULL, 3723000);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "rx_packets")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "tx_errors")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "tunnel_id")), 12);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "peer_tunnel_id")), 34);
	ck_assert_str_eq(json_string_value(json_object_get(o, "peer")), "192.0.2.1:1701");
	ck_assert_str_eq(json_string_value(json_object_get(o, "local")), "192.0.2.254:1701");
	ck_assert_str_eq(json_string_value(json_object_get(o, "peer_hostname")), "lac1");
	ck_assert_str_eq(json_string_value(json_object_get(o, "state")), "established");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "sessions")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "uptime_s")), 3722);
	ck_assert_str_eq(json_string_value(json_object_get(o, "peer_config")), "branch");
	/* every tunnel today: L2TPv2 over UDP */
	ck_assert_int_eq(json_integer_value(json_object_get(o, "version")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(o, "encap")), "udp");
	json_decref(o);
	/* 32-bit IDs are L2TPv3's (docs/design.md §9.5) */
	t.id_max = L2TP_ID_MAX;
	o = ctl_tunnel_json(&t, NULL, 3723000);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "version")), 3);
	json_decref(o);
	t.id_max = L2TP_V2_ID_MAX;
	{
		struct dp_stats ks = { .rx_packets = 7, .tx_packets = 8, .rx_bytes = 900,
					    .tx_bytes = 1000, .rx_errors = 1, .tx_errors = 2 };

		o = ctl_tunnel_json(&t, &ks, 3723000);
		ck_assert_int_eq(json_integer_value(json_object_get(o, "rx_packets")), 7);
		ck_assert_int_eq(json_integer_value(json_object_get(o, "tx_packets")), 8);
		ck_assert_int_eq(json_integer_value(json_object_get(o, "rx_bytes")), 900);
		ck_assert_int_eq(json_integer_value(json_object_get(o, "tx_bytes")), 1000);
		ck_assert_int_eq(json_integer_value(json_object_get(o, "rx_errors")), 1);
		ck_assert_int_eq(json_integer_value(json_object_get(o, "tx_errors")), 2);
		json_decref(o);
	}
}
END_TEST

START_TEST(session_json_contract)
{
	struct l2tp_tun t;
	struct l2tp_sess s;
	json_t *o;

	make_tunnel(&t, &s);
	o = ctl_session_json(&s, NULL, 6999);
	ck_assert_str_eq(json_string_value(json_object_get(o, "ifname")), "");
	ck_assert_str_eq(json_string_value(json_object_get(o, "username")), "");
	ck_assert_str_eq(json_string_value(json_object_get(o, "ipv6")), "");
	ck_assert_str_eq(json_string_value(json_object_get(o, "ip")), "");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "rx_bytes")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "tx_packets")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "tunnel_id")), 12);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "session_id")), 5);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "peer_tunnel_id")), 34);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "peer_session_id")), 6);
	ck_assert_str_eq(json_string_value(json_object_get(o, "peer")), "192.0.2.1:1701");
	ck_assert_str_eq(json_string_value(json_object_get(o, "state")), "wait-connect");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "uptime_s")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(o, "calling_number")), "5551234");
	json_decref(o);
	s.state = L2TP_SESS_ESTABLISHED;
	t.peer.family = 6;
	memset(t.peer.addr, 0, 16);
	t.peer.addr[15] = 1;
	{
		struct eng_sess_info si = { .ifname = "l2tp3", .username = "alice",
					    .username_len = 5,
					    .ip = 0x0a400005, .ipv6 = true,
					    .peer_ifid = { 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44,
							   0x55 },
					    .st = { .rx_bytes = 11, .tx_bytes = 22, .rx_packets = 3,
						    .tx_packets = 4 } };

		o = ctl_session_json(&s, &si, 6999);
	}
	ck_assert_str_eq(json_string_value(json_object_get(o, "state")), "established");
	ck_assert_str_eq(json_string_value(json_object_get(o, "peer")), "[::1]:1701");
	ck_assert_str_eq(json_string_value(json_object_get(o, "ifname")), "l2tp3");
	ck_assert_str_eq(json_string_value(json_object_get(o, "username")), "alice");
	ck_assert_str_eq(json_string_value(json_object_get(o, "ip")), "10.64.0.5");
	ck_assert_str_eq(json_string_value(json_object_get(o, "ipv6")), "fe80::211:22ff:fe33:4455");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "rx_bytes")), 11);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "tx_bytes")), 22);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "rx_packets")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "tx_packets")), 4);
	json_decref(o);
}
END_TEST

/* A newline, a forged log line, quotes, a backslash and a terminal escape: valid UTF-8. */
#define HOSTILE "evil\n12:00:00.000 notice: FORGED \"x\" \\ \x1b[2J"
#define HOSTILE_ESC "evil\\n12:00:00.000 notice: FORGED \\\"x\\\" \\\\ \\x1b[2J"

/* The JSON text of o, parsed back as lnsctl does. */
static json_t *round_trip(const json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);
	json_t *back;

	ck_assert_ptr_nonnull(s);
	back = json_loads(s, JSON_ALLOW_NUL, NULL);
	ck_assert_ptr_nonnull(back);
	free(s);
	return back;
}

/*
 * Peer text in the JSON: the exact bytes when they are UTF-8 (control
 * characters and NUL included), U+FFFD for each byte that is not; never a
 * lost row (jansson refuses non-UTF-8, and the row was dropped).
 */
START_TEST(json_keeps_peer_bytes)
{
	struct l2tp_tun t;
	struct l2tp_sess s;
	struct eng_sess_info si = { .ifname = "ppp0", .username = "al\0ce\x1b", .username_len = 6 };
	json_t *o, *back;
	const json_t *v;

	make_tunnel(&t, &s);
	strcpy(t.peer_hostname, HOSTILE);
	strcpy(t.peer_vendor, "v\xff\xc3(");        /* not UTF-8 */
	o = ctl_tunnel_json(&t, NULL, 3723000);
	ck_assert_ptr_nonnull(o);
	back = round_trip(o);
	ck_assert_str_eq(json_string_value(json_object_get(back, "peer_hostname")), HOSTILE);
	ck_assert_str_eq(json_string_value(json_object_get(back, "peer_vendor")),
			 "v\xef\xbf\xbd\xef\xbf\xbd(");
	json_decref(back);
	json_decref(o);

	strcpy(s.calling_number, "555\n\x80");
	strcpy(s.called_number, HOSTILE);
	o = ctl_session_json(&s, &si, 6999);
	ck_assert_ptr_nonnull(o);
	back = round_trip(o);
	ck_assert_str_eq(json_string_value(json_object_get(back, "calling_number")),
			 "555\n\xef\xbf\xbd");
	ck_assert_str_eq(json_string_value(json_object_get(back, "called_number")), HOSTILE);
	v = json_object_get(back, "username");
	ck_assert_uint_eq(json_string_length(v), 6);
	ck_assert(memcmp(json_string_value(v), "al\0ce\x1b", 6) == 0);
	json_decref(back);
	json_decref(o);
}
END_TEST

/* lnsctl's table: each row one line, no byte of the peer's raw, the escaped form shown. */
START_TEST(table_escapes_peer_text)
{
	const struct ctl_col *cols[2] = { ctl_col_find(CTL_OBJ_SESSIONS, "username"),
					  ctl_col_find(CTL_OBJ_SESSIONS, "calling") };
	json_t *arr = json_array(), *row = json_object();
	char *out = NULL, cell[64];
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	json_object_set_new(row, "username", json_stringn("al\0ce", 5));
	json_object_set_new(row, "calling_number", json_string(HOSTILE));
	json_array_append_new(arr, row);
	ctl_fmt_table(f, arr, cols, 2);
	fclose(f);
	ck_assert_str_eq(out, "USERNAME  CALLING\n"
			      "al\\x00ce  " HOSTILE_ESC "\n");
	ck_assert_ptr_null(strchr(out, 0x1b));
	/* what match sees is what the table shows */
	ck_assert(ctl_cell(row, cols[1], cell, sizeof(cell)));
	ck_assert_str_eq(cell, "evil\\n12:00:00.000 notice: FORGED \\\"x\\\" \\\\ \\x1b[2J");
	/* a cell too small is cut between escapes, and says so */
	ck_assert(ctl_cell(row, cols[1], cell, 9));
	ck_assert_str_eq(cell, "evil...");
	free(out);
	json_decref(arr);
}
END_TEST

START_TEST(state_names)
{
	ck_assert_str_eq(l2tp_tun_state_str(L2TP_TUN_WAIT_CTL_CONN), "wait-ctl-conn");
	ck_assert_str_eq(l2tp_tun_state_str(L2TP_TUN_CLOSING), "closing");
	ck_assert_str_eq(l2tp_tun_state_str(L2TP_TUN_DEAD), "dead");
	ck_assert_str_eq(l2tp_sess_state_str(L2TP_SESS_DEAD), "dead");
}
END_TEST

static const struct {
	uint64_t s;
	const char *want;
} uptimes[] = {
	{ 0, "0s" },       { 59, "59s" },       { 60, "1m00s" },    { 3599, "59m59s" },
	{ 3600, "1h00m" }, { 86399, "23h59m" }, { 86400, "1d00h" }, { 200000, "2d07h" },
};

START_TEST(uptime_format)
{
	char buf[32];

	ck_assert_str_eq(ctl_fmt_uptime(uptimes[_i].s, buf, sizeof(buf)), uptimes[_i].want);
}
END_TEST

static char *render(void (*fn)(FILE *, const json_t *), const char *json)
{
	json_t *v = json_loads(json, 0, NULL);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(v);
	fn(f, v);
	fclose(f);
	json_decref(v);
	return buf;
}

START_TEST(tunnel_table)
{
	char *out = render(ctl_fmt_tunnels,
			   "[{\"tunnel_id\":12,\"peer_tunnel_id\":34,\"peer\":\"192.0.2.1:1701\","
			   "\"peer_hostname\":\"lac1\",\"state\":\"established\",\"sessions\":3,"
			   "\"rx_packets\":5,\"tx_packets\":6,\"uptime_s\":3723,\"version\":2,"
			   "\"encap\":\"udp\"},"
			   "{\"tunnel_id\":40000,\"peer_tunnel_id\":1,\"peer\":\"[2001:db8::1]:1701\","
			   "\"peer_hostname\":\"\",\"state\":\"wait-ctl-conn\",\"sessions\":0,"
			   "\"uptime_s\":2,\"version\":3,\"encap\":\"ip\"}]");

	ck_assert_str_eq(out,
			 "TUNNEL  PEER-TUNNEL  PEER                VERSION  ENCAP  HOSTNAME  STATE          SESSIONS  RX-PKTS  TX-PKTS  UPTIME\n"
			 "12      34           192.0.2.1:1701      2        udp    lac1      established    3         5        6        1h02m\n"
			 "40000   1            [2001:db8::1]:1701  3        ip     -         wait-ctl-conn  0         -        -        2s\n");
	free(out);
}
END_TEST

START_TEST(session_table)
{
	char *out = render(ctl_fmt_sessions,
			   "[{\"tunnel_id\":12,\"session_id\":5,\"peer_tunnel_id\":34,"
			   "\"peer_session_id\":6,\"peer\":\"192.0.2.1:1701\",\"state\":\"established\","
			   "\"ifname\":\"ppp0\",\"username\":\"alice\",\"ip\":\"10.64.0.5\","
			   "\"mtu\":1404,\"rx_bytes\":100,\"tx_bytes\":200,"
			   "\"calling_number\":\"5551234\",\"called_number\":\"\",\"uptime_s\":61}]");

	ck_assert_str_eq(out,
			 "TUNNEL  SESSION  PEER-TUNNEL  PEER-SESSION  PEER            STATE        IFNAME  USERNAME  IP         MTU   CALLING  CALLED  RX-BYTES  TX-BYTES  UPTIME\n"
			 "12      5        34           6             192.0.2.1:1701  established  ppp0    alice     10.64.0.5  1404  5551234  -       100       200       1m01s\n");
	free(out);
}
END_TEST

START_TEST(empty_tables)
{
	char *out = render(ctl_fmt_tunnels, "[]");

	ck_assert_str_eq(out, "TUNNEL  PEER-TUNNEL  PEER  VERSION  ENCAP  HOSTNAME  STATE  SESSIONS  RX-PKTS  TX-PKTS  UPTIME\n");
	free(out);
}
END_TEST

START_TEST(stats_render)
{
	char *out = render(ctl_fmt_stats, "{\"tunnels\":2,\"dataplane\":\"none\","
					  "\"drops\":{\"decode\":1,\"limit\":0}}");

	ck_assert_str_eq(out, "tunnels: 2\ndataplane: none\ndrops:\n  decode: 1\n  limit: 0\n");
	free(out);
}
END_TEST

START_TEST(stats_render_ipsec)
{
	char *out = render(ctl_fmt_stats, "{\"ipsec\":{\"vici_up\":true,\"conn_loaded\":false,"
					  "\"last_error\":\"\",\"sas\":0},\"xfrm_in_tmpl_mismatch\":4}");

	ck_assert_str_eq(out, "ipsec:\n  vici_up: yes\n  conn_loaded: no\n  last_error: \n  sas: 0\n"
			      "xfrm_in_tmpl_mismatch: 4\n");
	free(out);
}
END_TEST

/* show stats: lnsd's own words, but no control byte reaches the terminal. */
START_TEST(stats_escape_control_bytes)
{
	char *out = render(ctl_fmt_stats, "{\"ipsec\":{\"last_error\":"
					  "\"charon refused load-conn: \\\"x\\\\n\\\"\\n\\u001b[2J\"}}");

	ck_assert_str_eq(out, "ipsec:\n  last_error: charon refused load-conn: \"x\\n\"\\n\\x1b[2J\n");
	free(out);
}
END_TEST

START_TEST(error_response)
{
	json_t *e = ctl_error("no tunnel %u", 7);
	char *s = json_dumps(e, JSON_COMPACT);

	ck_assert_str_eq(s, "{\"ok\":false,\"error\":\"no tunnel 7\"}");
	free(s);
	json_decref(e);
}
END_TEST

/* Rows for the column tests: ids, addresses and names chosen so numeric,
 * address and string order differ. */
static const char rows_json[] =
	"[{\"tunnel_id\":9,\"session_id\":1,\"peer\":\"192.0.2.10:1701\",\"username\":\"bob\","
	"\"ip\":\"10.0.0.10\",\"rx_bytes\":500,\"uptime_s\":30,\"seq_required\":true,"
	"\"ipsec\":{\"cipher\":\"aes128gcm16\"},\"future_field\":[1,2]},"
	"{\"tunnel_id\":10,\"session_id\":2,\"peer\":\"192.0.2.9:1701\",\"username\":\"alice\","
	"\"ip\":\"10.0.0.9\",\"rx_bytes\":40,\"uptime_s\":7200,\"seq_required\":false},"
	"{\"tunnel_id\":100,\"session_id\":3,\"peer\":\"[2001:db8::1]:1701\",\"username\":\"alice2\","
	"\"ip\":\"\",\"rx_bytes\":500,\"uptime_s\":5}]";

static json_t *rows(void)
{
	json_t *v = json_loads(rows_json, 0, NULL);

	ck_assert_ptr_nonnull(v);
	return v;
}

/* session_id of each row of arr, as "1,2,3". */
static const char *ids(const json_t *arr, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < json_array_size(arr); i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%" JSON_INTEGER_FORMAT, i ? "," : "",
					json_integer_value(json_object_get(json_array_get(arr, i),
									   "session_id")));
	return buf;
}

START_TEST(column_table)
{
	const struct ctl_col *cols[CTL_MAX_COLS];
	char err[256];
	size_t n;
	const struct ctl_col *all;

	ck_assert_int_eq(ctl_cols_parse(CTL_OBJ_SESSIONS, "ifname,username,ip,rx-bytes,uptime", cols,
					 err, sizeof(err)), 5);
	ck_assert_str_eq(cols[0]->key, "ifname");
	ck_assert_str_eq(cols[3]->key, "rx_bytes");
	ck_assert_int_eq(cols[4]->kind, CTL_COL_UPTIME);
	ck_assert_int_eq(ctl_cols_parse(CTL_OBJ_SESSIONS, "ifname,bogus", cols, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "unknown column \"bogus\" for sessions (lnsctl columns sessions lists them)");
	ck_assert_int_eq(ctl_cols_parse(CTL_OBJ_TUNNELS, "tunnel,,peer", cols, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "empty column name in \"tunnel,,peer\"");
	ck_assert_int_eq(ctl_cols_parse(CTL_OBJ_TUNNELS, "session", cols, err, sizeof(err)), -1);
	/* Names are unique per object, lower case, usable as CLI words. */
	for (int o = 0; o < 2; o++) {
		all = ctl_cols((enum ctl_obj)o, &n);
		ck_assert_uint_gt(n, 10);
		for (size_t i = 0; i < n; i++) {
			ck_assert_ptr_eq(ctl_col_find((enum ctl_obj)o, all[i].name), &all[i]);
			ck_assert_msg(strspn(all[i].name, "abcdefghijklmnopqrstuvwxyz0123456789-") ==
					      strlen(all[i].name), "column name %s", all[i].name);
			ck_assert_ptr_nonnull(all[i].help);
		}
	}
	ck_assert_int_eq(ctl_cols_default(CTL_OBJ_TUNNELS, NULL, cols), 11);
	ck_assert_int_eq(ctl_cols_default(CTL_OBJ_SESSIONS, NULL, cols), 15);
}
END_TEST

START_TEST(cells)
{
	json_t *v = rows();
	struct ctl_col nested = { "cipher", "ipsec.cipher", CTL_COL_STR, false, "" };
	struct ctl_col odd = { "future", "future_field", CTL_COL_STR, false, "" };
	char buf[64];

	ck_assert(ctl_cell(json_array_get(v, 0), &nested, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "aes128gcm16");
	ck_assert(!ctl_cell(json_array_get(v, 1), &nested, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "");
	ck_assert(ctl_cell(json_array_get(v, 0), &odd, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "[1,2]");
	ck_assert(ctl_cell(json_array_get(v, 1), ctl_col_find(CTL_OBJ_SESSIONS, "uptime"), buf,
			   sizeof(buf)));
	ck_assert_str_eq(buf, "2h00m");
	ck_assert(ctl_cell(json_array_get(v, 1), ctl_col_find(CTL_OBJ_SESSIONS, "uptime-raw"), buf,
			   sizeof(buf)));
	ck_assert_str_eq(buf, "7200");
	ck_assert(ctl_cell(json_array_get(v, 0), ctl_col_find(CTL_OBJ_SESSIONS, "seq"), buf,
			   sizeof(buf)));
	ck_assert_str_eq(buf, "yes");
	ck_assert(!ctl_cell(json_array_get(v, 2), ctl_col_find(CTL_OBJ_SESSIONS, "ip"), buf,
			    sizeof(buf)));
	json_decref(v);
}
END_TEST

static const struct {
	const char *order;
	bool desc;
	const char *want;
} orders[] = {
	{ NULL, false, "1,2,3" },
	{ "tunnel", false, "1,2,3" },          /* 9 < 10 < 100 numerically, not as text */
	{ "tunnel", true, "3,2,1" },
	{ "rx-bytes", false, "2,1,3" },        /* tie 500/500 keeps the daemon's order */
	{ "rx-bytes", true, "1,3,2" },
	{ "username", false, "2,3,1" },        /* alice < alice2 < bob */
	{ "peer", false, "2,1,3" },            /* .9 < .10 (address order), IPv4 before IPv6 */
	{ "ip", false, "3,2,1" },              /* no address first, then 10.0.0.9 < 10.0.0.10 */
	{ "uptime", false, "3,1,2" },          /* 5 s < 30 s < 2 h: numeric, not "2h00m" */
	{ "seq", false, "3,2,1" },             /* missing, no, yes */
	{ "ifname", false, "1,2,3" },          /* missing everywhere: stable */
};

START_TEST(select_order)
{
	json_t *v = rows(), *sel;
	char buf[64];

	sel = ctl_select(v, NULL, 0,
			 orders[_i].order ? ctl_col_find(CTL_OBJ_SESSIONS, orders[_i].order) : NULL,
			 orders[_i].desc);
	ck_assert_ptr_nonnull(sel);
	ck_assert_msg(strcmp(ids(sel, buf, sizeof(buf)), orders[_i].want) == 0,
		      "order %s%s: %s, want %s", orders[_i].order, orders[_i].desc ? " desc" : "",
		      buf, orders[_i].want);
	json_decref(sel);
	json_decref(v);
}
END_TEST

START_TEST(select_match)
{
	json_t *v = rows(), *sel;
	struct ctl_match m[2];
	char err[256], buf[64];

	ck_assert_int_eq(ctl_match_compile(&m[0], ctl_col_find(CTL_OBJ_SESSIONS, "username"),
					   "^alice", err, sizeof(err)), 0);
	sel = ctl_select(v, m, 1, NULL, false);
	ck_assert_str_eq(ids(sel, buf, sizeof(buf)), "2,3");
	json_decref(sel);
	/* Several are ANDed; the uptime column matches its shown text. */
	ck_assert_int_eq(ctl_match_compile(&m[1], ctl_col_find(CTL_OBJ_SESSIONS, "uptime"), "^[0-9]+s$",
					   err, sizeof(err)), 0);
	sel = ctl_select(v, m, 2, ctl_col_find(CTL_OBJ_SESSIONS, "session"), true);
	ck_assert_str_eq(ids(sel, buf, sizeof(buf)), "3");
	json_decref(sel);
	ctl_match_free(&m[1]);
	/* An empty or missing value matches as "". */
	ck_assert_int_eq(ctl_match_compile(&m[1], ctl_col_find(CTL_OBJ_SESSIONS, "ip"), "^$", err,
					   sizeof(err)), 0);
	sel = ctl_select(v, &m[1], 1, NULL, false);
	ck_assert_str_eq(ids(sel, buf, sizeof(buf)), "3");
	json_decref(sel);
	ctl_match_free(&m[1]);
	ctl_match_free(&m[0]);
	ck_assert_int_eq(ctl_match_compile(&m[0], ctl_col_find(CTL_OBJ_SESSIONS, "username"),
					   "(alice", err, sizeof(err)), -1);
	ck_assert_msg(strncmp(err, "match username: bad regular expression \"(alice\": ", 48) == 0,
		      "%s", err);
	/* lnsd runs these inside its loop: no back-references (unbounded backtracking) */
	ck_assert_int_eq(ctl_match_compile(&m[0], ctl_col_find(CTL_OBJ_SESSIONS, "username"),
					   "(a|b)\\1", err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "back-references are not supported") != NULL, "%s", err);
	ck_assert_int_eq(ctl_match_compile(&m[0], ctl_col_find(CTL_OBJ_SESSIONS, "username"),
					   "a\\\\1", err, sizeof(err)), 0);  /* an escaped backslash */
	ctl_match_free(&m[0]);
	json_decref(v);
}
END_TEST

START_TEST(chosen_columns_table)
{
	const struct ctl_col *cols[CTL_MAX_COLS];
	char err[256], *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *v = rows();
	int n = ctl_cols_parse(CTL_OBJ_SESSIONS, "username,ip,rx-bytes,ifname", cols, err, sizeof(err));

	ck_assert_int_eq(n, 4);
	ctl_fmt_table(f, v, cols, (size_t)n);
	fclose(f);
	ck_assert_str_eq(buf, "USERNAME  IP         RX-BYTES  IFNAME\n"
			      "bob       10.0.0.10  500       -\n"
			      "alice     10.0.0.9   40        -\n"
			      "alice2    -          500       -\n");
	free(buf);
	json_decref(v);
}
END_TEST

/* The "phase" member of show-tunnels and show-sessions (the rules: test_sessions.c). */
START_TEST(json_phase)
{
	struct l2tp_tun t;
	struct l2tp_sess s;
	struct eng_sess_info si = { .ppp = true, .link_up = true };
	json_t *o;

	make_tunnel(&t, &s);
	s.state = L2TP_SESS_ESTABLISHED;
	o = ctl_session_json(&s, &si, 6000);
	ck_assert_str_eq(json_string_value(json_object_get(o, "phase")), "established");
	json_decref(o);
	si.closing = true;
	o = ctl_session_json(&s, &si, 6000);
	ck_assert_str_eq(json_string_value(json_object_get(o, "phase")), "finishing");
	json_decref(o);
	o = ctl_tunnel_json(&t, NULL, 6000);
	ck_assert_str_eq(json_string_value(json_object_get(o, "phase")), "established");
	json_decref(o);
	t.state = L2TP_TUN_WAIT_CTL_CONN;
	o = ctl_tunnel_json(&t, NULL, 6000);
	ck_assert_str_eq(json_string_value(json_object_get(o, "phase")), "starting");
	json_decref(o);
}
END_TEST

START_TEST(ipsec_columns)
{
	/* The IPsec columns join the default set once some tunnel has an SA; null shows "-". */
	static const char two[] =
		"[{\"tunnel_id\":1,\"peer_tunnel_id\":2,\"peer\":\"198.51.100.1:1701\","
		"\"peer_hostname\":\"win\",\"state\":\"established\",\"sessions\":1,"
		"\"uptime_s\":5,\"ipsec\":{\"ike_id\":7,\"child_id\":9,\"natt\":true,"
		"\"cipher\":\"AES_CBC-256/HMAC_SHA1_96\"}},"
		"{\"tunnel_id\":3,\"peer_tunnel_id\":4,\"peer\":\"192.0.2.9:1701\","
		"\"peer_hostname\":\"mac\",\"state\":\"established\",\"sessions\":0,"
		"\"uptime_s\":6,\"ipsec\":null}]";
	char *out = render(ctl_fmt_tunnels, two);
	json_t *v = json_loads(two, 0, NULL), *sel;
	char buf[64];

	ck_assert_str_eq(out,
			 "TUNNEL  PEER-TUNNEL  PEER               VERSION  ENCAP  HOSTNAME  STATE        SESSIONS  RX-PKTS  TX-PKTS  UPTIME  IPSEC      CIPHER\n"
			 "1       2            198.51.100.1:1701  -        -      win       established  1         -        -        5s      7/9 nat-t  AES_CBC-256/HMAC_SHA1_96\n"
			 "3       4            192.0.2.9:1701     -        -      mac       established  0         -        -        6s      -          -\n");
	free(out);
	ck_assert(ctl_cell(json_array_get(v, 0), ctl_col_find(CTL_OBJ_TUNNELS, "natt"), buf,
			   sizeof(buf)));
	ck_assert_str_eq(buf, "yes");
	ck_assert(ctl_cell(json_array_get(v, 0), ctl_col_find(CTL_OBJ_TUNNELS, "child-id"), buf,
			   sizeof(buf)));
	ck_assert_str_eq(buf, "9");
	/* A tunnel without an SA sorts first. */
	sel = ctl_select(v, NULL, 0, ctl_col_find(CTL_OBJ_TUNNELS, "ipsec"), false);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(sel, 0), "tunnel_id")), 3);
	json_decref(sel);
	json_decref(v);
	/* Without any SA the table is the plain default. */
	out = render(ctl_fmt_tunnels, "[{\"tunnel_id\":3,\"ipsec\":null}]");
	ck_assert_ptr_null(strstr(out, "IPSEC"));
	free(out);
}
END_TEST

START_TEST(stats_bool)
{
	char *out = render(ctl_fmt_stats, "{\"ipsec\":{\"vici_up\":true,\"conn_loaded\":false}}");

	ck_assert_str_eq(out, "ipsec:\n  vici_up: yes\n  conn_loaded: no\n");
	free(out);
}
END_TEST

/* lnsctl(8) COLUMNS lists every column with its default mark (docs stay true). */
START_TEST(man_lists_every_column)
{
	FILE *f = fopen(LNS_TEST_DATA "/../../../docs/lnsctl.8", "r");
	char *man = NULL, want[128], name[64];
	size_t len = 0, n;
	const struct ctl_col *c;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_gt(getdelim(&man, &len, '\0', f), 1000);
	fclose(f);
	for (int o = 0; o < 2; o++) {
		c = ctl_cols((enum ctl_obj)o, &n);
		/* Each object's table: from ".SS Tunnels" / ".SS Sessions" to its ".TE". */
		const char *tab = strstr(man, o == CTL_OBJ_TUNNELS ? ".SS Tunnels\n" : ".SS Sessions\n");
		const char *end = tab ? strstr(tab, ".TE\n") : NULL;

		ck_assert_ptr_nonnull(end);
		for (size_t i = 0; i < n; i++) {
			size_t k = 0;

			for (const char *p = c[i].name; *p && k < sizeof(name) - 2; p++) {
				if (*p == '-')
					name[k++] = '\\';
				name[k++] = *p;
			}
			name[k] = '\0';
			snprintf(want, sizeof(want), "\\fB%s\\fR\t%s\t", name,
				 c[i].dflt == CTL_DFLT_YES ? "*" : c[i].dflt == CTL_DFLT_IF_SET ? "+" : "");
			const char *hit = strstr(tab, want);

			ck_assert_msg(hit && hit < end, "lnsctl.8 %s table lacks \"%s\"",
				      ctl_obj_name((enum ctl_obj)o), want);
		}
	}
	free(man);
}
END_TEST


/* ---- the server ----------------------------------------------------------- */

struct server {
	struct tu_engine te;
	struct ctl *ctl;
	char dir[64], path[96];
};

/* An engine (control plane only, a free loopback port) and its control socket. */
static void server_up_opts(struct server *sv, const struct tu_engine_opts *o)
{
	char err[CONF_ERR_LEN];

	memset(sv, 0, sizeof(*sv));
	tu_engine_up(&sv->te, o);
	snprintf(sv->dir, sizeof(sv->dir), "/tmp/test_ctl.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(sv->dir));
	snprintf(sv->path, sizeof(sv->path), "%s/lnsd.sock", sv->dir);
	sv->ctl = ctl_new(sv->te.loop, sv->path, sv->te.eng, err, sizeof(err));
	ck_assert_msg(sv->ctl != NULL, "%s", err);
}

static void server_up(struct server *sv)
{
	server_up_opts(sv, NULL);
}

static void server_down(struct server *sv)
{
	ctl_free(sv->ctl);
	rmdir(sv->dir);
	tu_engine_down(&sv->te);
}

static int connect_to(struct server *sv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

	ck_assert_int_ge(fd, 0);
	strcpy(sun.sun_path, sv->path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ev_run(sv->te.loop, EVRUN_NOWAIT);
	return fd;
}

/* One reply line (without the newline) into buf; false at EOF or after 2 s. */
static bool recv_line(struct server *sv, int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len - 1 && tu_readable(&sv->te, fd, 2000)) {
		ssize_t n = recv(fd, buf + got, 1, 0);

		if (n <= 0)
			break;
		if (buf[got] == '\n') {
			buf[got] = '\0';
			return true;
		}
		got++;
	}
	buf[got] = '\0';
	return false;
}

/* Whether the server closed fd (EOF or reset), the loop running up to ms. */
static bool closed_within(struct server *sv, int fd, int ms)
{
	char b[65536];

	while (tu_readable(&sv->te, fd, ms)) {
		ssize_t n = recv(fd, b, sizeof(b), 0);

		if (n == 0 || (n < 0 && errno != EAGAIN))
			return true;
	}
	return false;
}

static void send_all(int fd, const char *s)
{
	ck_assert_int_eq(send(fd, s, strlen(s), MSG_NOSIGNAL), (ssize_t)strlen(s));
}

/* show-stats' control_socket.KEY, asked on a fresh connection. */
static json_int_t server_stat(struct server *sv, const char *key)
{
	char buf[16384];
	int fd = connect_to(sv);
	json_t *r, *v;
	json_int_t n;

	send_all(fd, "{\"cmd\":\"show-stats\"}\n");
	ck_assert(recv_line(sv, fd, buf, sizeof(buf)));
	close(fd);
	r = json_loads(buf, 0, NULL);
	ck_assert_ptr_nonnull(r);
	v = json_object_get(json_object_get(json_object_get(r, "result"), "control_socket"), key);
	ck_assert_msg(json_is_integer(v), "control_socket.%s missing in %.200s", key, buf);
	n = json_integer_value(v);
	json_decref(r);
	return n;
}

/* Requests written at once are answered in order; at EOF an unterminated last one counts too. */
START_TEST(server_pipelined_in_order)
{
	struct server sv;
	char buf[16384];
	int fd;

	server_up(&sv);
	fd = connect_to(&sv);
	send_all(fd, "{\"cmd\":\"show-config\"}\n{\"cmd\":\"dance\"}\n{\"cmd\":\"show-stats\"}\n"
		     "{\"cmd\":\"terminate-tunnel\",\"tid\":9}");
	shutdown(fd, SHUT_WR);
	ck_assert(recv_line(&sv, fd, buf, sizeof(buf)));
	ck_assert_msg(strncmp(buf, "{\"ok\":true,\"result\":{\"path\":", 28) == 0, "%.80s", buf);
	ck_assert(recv_line(&sv, fd, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "{\"ok\":false,\"error\":\"unknown command \\\"dance\\\"\"}");
	ck_assert(recv_line(&sv, fd, buf, sizeof(buf)));
	ck_assert_msg(strstr(buf, "\"control_socket\":{") != NULL, "%.80s", buf);
	ck_assert(recv_line(&sv, fd, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "{\"ok\":false,\"error\":\"no tunnel 9\"}");
	ck_assert(closed_within(&sv, fd, 1000));
	close(fd);
	ck_assert_int_eq(server_stat(&sv, "bad_requests"), 1);
	server_down(&sv);
}
END_TEST

/*
 * CTL_MAX_CLIENTS idle connections do not lock a new client out: the one
 * quiet for the longest is closed to admit it.
 */
START_TEST(server_full_admits_new)
{
	struct server sv;
	int fd[CTL_MAX_CLIENTS];
	struct pollfd p;

	server_up(&sv);
	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		fd[i] = connect_to(&sv);
		tu_idle(&sv.te, 10);
	}
	ck_assert_int_eq(server_stat(&sv, "evicted"), 1);
	ck_assert_msg(closed_within(&sv, fd[0], 500), "the oldest idle client is still connected");
	for (int i = 1; i < CTL_MAX_CLIENTS; i++) {
		p = (struct pollfd){ .fd = fd[i], .events = POLLIN };
		ck_assert_msg(poll(&p, 1, 0) == 0, "idle client %d was closed too", i);
	}
	ck_assert_int_eq(server_stat(&sv, "clients"), CTL_MAX_CLIENTS);
	for (int i = 0; i < CTL_MAX_CLIENTS; i++)
		close(fd[i]);
	server_down(&sv);
}
END_TEST

/* Write show-stats requests until the socket takes no more; how many bytes went. */
static size_t flood(struct server *sv, int fd)
{
	static const char req[] = "{\"cmd\":\"show-stats\"}\n";
	size_t sent = 0;

	for (int idle = 0; idle < 20;) {
		ssize_t n = send(fd, req, sizeof(req) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n > 0) {
			sent += (size_t)n;
			idle = 0;
			continue;
		}
		ck_assert_int_eq(errno, EAGAIN);
		tu_idle(&sv->te, 10);
		idle++;
	}
	return sent;
}

/*
 * A client that sends requests and reads nothing holds at most one reply in
 * lnsd (the rest waits unread in its socket), and is closed after
 * CTL_IO_TIMEOUT_S; so is a request left incomplete. Both are counted.
 */
START_TEST(server_flood_and_stall)
{
	struct server sv;
	int flooder, partial;
	json_int_t queued;
	size_t sent;
	struct timespec t0, t1;

	server_up(&sv);
	flooder = connect_to(&sv);
	partial = connect_to(&sv);
	send_all(partial, "{\"cmd\":\"show-st");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sent = flood(&sv, flooder);
	queued = server_stat(&sv, "queued_bytes");
	ck_assert_msg(queued > 0 && queued < 8192,
		      "%zu bytes of requests sent: %lld reply bytes held (one reply at most)", sent,
		      (long long)queued);
	tu_idle(&sv.te, (CTL_IO_TIMEOUT_S - 2) * 1000);
	ck_assert_int_eq(server_stat(&sv, "timeouts"), 0);
	ck_assert_msg(closed_within(&sv, partial, 3000), "the incomplete request was kept");
	{
		struct pollfd p = { .fd = flooder, .events = 0 };

		for (int i = 0; i < 300 && !(p.revents & POLLHUP); i++) {
			ev_run(sv.te.loop, EVRUN_NOWAIT);
			poll(&p, 1, 10);
		}
		ck_assert_msg(p.revents & POLLHUP, "the client that reads nothing was kept");
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_le(t1.tv_sec - t0.tv_sec, CTL_IO_TIMEOUT_S + 2);
	ck_assert_int_eq(server_stat(&sv, "timeouts"), 2);
	ck_assert_int_eq(server_stat(&sv, "clients"), 1);
	close(flooder);
	close(partial);
	server_down(&sv);
}
END_TEST

/* A line longer than CTL_MAX_REQUEST: an error, then the connection closes; garbage: an error. */
START_TEST(server_bad_input)
{
	static char big[CTL_MAX_REQUEST + 200];
	struct server sv;
	char buf[1024];
	int fd;

	server_up(&sv);
	fd = connect_to(&sv);
	memset(big, 'x', sizeof(big) - 2);
	big[sizeof(big) - 2] = '\n';
	send_all(fd, big);
	ck_assert(recv_line(&sv, fd, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "{\"ok\":false,\"error\":\"request longer than 4096 bytes\"}");
	ck_assert(closed_within(&sv, fd, 1000));
	close(fd);
	fd = connect_to(&sv);
	send_all(fd, "\x01\x02\xff\xfe garbage\n{\"cmd\":\"show-config\"}\n");
	ck_assert(recv_line(&sv, fd, buf, sizeof(buf)));
	ck_assert_msg(strncmp(buf, "{\"ok\":false,\"error\":\"bad JSON: ", 31) == 0, "%s", buf);
	ck_assert(recv_line(&sv, fd, buf, sizeof(buf)));
	ck_assert_msg(strncmp(buf, "{\"ok\":true,", 11) == 0, "%.80s", buf);
	close(fd);
	ck_assert_int_eq(server_stat(&sv, "bad_requests"), 2);
	server_down(&sv);
}
END_TEST

/*
 * The client's text in an error goes to the log (ctl_server.c) and back to
 * the client: quoted and escaped, so a quote in a command name cannot forge
 * a field, and a control byte in bad JSON cannot start a line.
 */
START_TEST(errors_escape_client_text)
{
	static const char forged[] = "{\"cmd\":\"x\\\" user=\\\"root\\n\"}";
	static const char bad_json[] = "{\"cmd\":\x1b\n}";
	struct ctl_req req;
	char err[512] = "";

	ck_assert_int_eq(ctl_parse_request(forged, strlen(forged), &req, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "unknown command \"x\\\" user=\\\"root\\n\"");
	ck_assert_int_eq(ctl_parse_request(bad_json, strlen(bad_json), &req, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "bad JSON: \"invalid token near '\\x1b'\"");
}
END_TEST


/* ---- streamed listings ------------------------------------------------------ */

#define LIST_TUNNELS 5

/* A server with LIST_TUNNELS tunnels of per sessions each (WAIT_CONNECT: ICRQ answered). */
struct many {
	struct server sv;
	struct tu_lac lac[LIST_TUNNELS];
	uint16_t next_sid[LIST_TUNNELS];
};

static void many_up(struct many *m, int per)
{
	memset(m, 0, sizeof(*m));
	server_up_opts(&m->sv, &(struct tu_engine_opts){ .conf = "[l2tp]\nsetup-timeout = 600\n" });
	for (int t = 0; t < LIST_TUNNELS; t++) {
		tu_lac_tunnel(&m->lac[t], &m->sv.te, (uint16_t)(100 + t), true);
		for (int i = 0; i < per; i++)
			tu_lac_icrq(&m->lac[t], ++m->next_sid[t], i % 2 ? "555-0100" : NULL);
	}
	ck_assert_uint_eq(l2tp_lns_n_sessions(engine_lns(m->sv.te.eng)), LIST_TUNNELS * per);
}

static void many_down(struct many *m)
{
	for (int t = 0; t < LIST_TUNNELS; t++)
		tu_lac_close(&m->lac[t]);
	server_down(&m->sv);
}

/*
 * Read what fd has now, at most max bytes, into b (the loop runs up to ms
 * for the first byte); true once b holds a whole line (a reply).
 */
static bool read_some(struct server *sv, int fd, struct ctl_buf *b, size_t max, int ms)
{
	char tmp[65536];
	ssize_t n;

	if (max > sizeof(tmp))
		max = sizeof(tmp);
	if (!tu_readable(&sv->te, fd, ms))
		return b->len && b->p[b->len - 1] == '\n';
	n = recv(fd, tmp, max, MSG_DONTWAIT);
	if (n > 0)
		ck_assert_int_eq(ctl_buf_add(b, tmp, (size_t)n), 0);
	ck_assert_msg(n > 0 || errno == EAGAIN, "the listing's connection ended early");
	if (b->len && b->p[b->len - 1] == '\n')
		ck_assert_msg(memchr(b->p, '\n', b->len) == b->p + b->len - 1, "two lines");
	return b->len && b->p[b->len - 1] == '\n';
}

/* The rows of a complete show-* reply line; each must be an object. */
static json_t *reply_rows(const struct ctl_buf *b)
{
	json_error_t jerr;
	json_t *r = json_loadb(b->p, b->len, 0, &jerr), *res;

	ck_assert_msg(r != NULL, "the listing is not JSON: %s (at %d)", jerr.text, jerr.position);
	ck_assert(json_is_true(json_object_get(r, "ok")));
	res = json_incref(json_object_get(r, "result"));
	json_decref(r);
	ck_assert(json_is_array(res));
	return res;
}

/* Each (tunnel_id, session_id) once; their number. */
static size_t unique_sessions(const json_t *rows, uint8_t *seen /* [LIST_TUNNELS][65536] */,
			      const struct many *m)
{
	size_t i;
	json_t *row;

	json_array_foreach(rows, i, row) {
		json_int_t tid = json_integer_value(json_object_get(row, "tunnel_id"));
		json_int_t sid = json_integer_value(json_object_get(row, "session_id"));
		int t;

		for (t = 0; t < LIST_TUNNELS && m->lac[t].lns_tid != tid; t++)
			;
		/* (plain ifs: a Check assertion per row costs a message to the runner) */
		if (t == LIST_TUNNELS || sid < 1 || sid > 65535)
			ck_abort_msg("row %zu: %lld/%lld", i, (long long)tid, (long long)sid);
		if (seen[t * 65536 + sid])
			ck_abort_msg("session %lld/%lld listed twice", (long long)tid,
				     (long long)sid);
		seen[t * 65536 + sid] = 1;
	}
	return json_array_size(rows);
}

/* A request's whole reply, the client reading as fast as it can. */
static json_t *listing(struct server *sv, const char *req)
{
	struct ctl_buf b = { 0 };
	int fd = connect_to(sv);
	json_t *rows;

	send_all(fd, req);
	while (!read_some(sv, fd, &b, SIZE_MAX, 2000))
		;
	close(fd);
	rows = reply_rows(&b);
	free(b.p);
	return rows;
}

/* 5,000 sessions: every one listed exactly once, in a reply that parses; filters in lnsd. */
START_TEST(listing_many_sessions)
{
	enum { PER = 1000 };
	struct many m;
	uint8_t *seen = calloc(LIST_TUNNELS, 65536);
	json_t *rows;

	ck_assert_ptr_nonnull(seen);
	many_up(&m, PER);
	rows = listing(&m.sv, "{\"cmd\":\"show-sessions\"}\n");
	ck_assert_uint_eq(unique_sessions(rows, seen, &m), LIST_TUNNELS * PER);
	for (int t = 0; t < LIST_TUNNELS; t++)
		for (int sid = 0; sid < 65536; sid++)
			if (seen[t * 65536 + sid] &&
			    !l2tp_lns_session(engine_lns(m.sv.te.eng), m.lac[t].lns_tid,
					      (uint32_t)sid))
				ck_abort_msg("listed session %d/%d does not exist", t, sid);
	json_decref(rows);
	/* match clauses: applied by lnsd, as lnsctl would apply them to the cells */
	rows = listing(&m.sv, "{\"cmd\":\"show-sessions\",\"match\":["
			      "{\"column\":\"calling\",\"regex\":\"^555-\"},"
			      "{\"column\":\"peer-session\",\"regex\":\"[13579]$\"}]}\n");
	ck_assert_uint_eq(json_array_size(rows), 0);   /* only even peer sessions have a number */
	json_decref(rows);
	rows = listing(&m.sv, "{\"cmd\":\"show-sessions\",\"match\":["
			      "{\"column\":\"calling\",\"regex\":\"^555-0100$\"}]}\n");
	ck_assert_uint_eq(json_array_size(rows), LIST_TUNNELS * PER / 2);
	json_decref(rows);
	rows = listing(&m.sv, "{\"cmd\":\"show-tunnels\"}\n");
	ck_assert_uint_eq(json_array_size(rows), LIST_TUNNELS);
	json_decref(rows);
	rows = listing(&m.sv, "{\"cmd\":\"show-tunnels\",\"match\":["
			      "{\"column\":\"tunnel\",\"regex\":\"^0$\"}]}\n");
	ck_assert_uint_eq(json_array_size(rows), 0);
	json_decref(rows);
	ck_assert_int_eq(server_stat(&m.sv, "listings"), 5);
	ck_assert_int_eq(server_stat(&m.sv, "listings_streaming"), 0);
	many_down(&m);
	free(seen);
}
END_TEST

START_TEST(listing_bad_match)
{
	struct server sv;
	char buf[1024];
	int fd;

	server_up(&sv);
	fd = connect_to(&sv);
	send_all(fd, "{\"cmd\":\"show-sessions\",\"match\":[{\"column\":\"nope\",\"regex\":\"x\"}]}\n"
		     "{\"cmd\":\"show-sessions\",\"match\":[{\"column\":\"ip\",\"regex\":\"(\\n\"}]}\n"
		     "{\"cmd\":\"show-tunnels\",\"match\":{}}\n");
	ck_assert(recv_line(&sv, fd, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "{\"ok\":false,\"error\":\"unknown column \\\"nope\\\" for sessions\"}");
	ck_assert(recv_line(&sv, fd, buf, sizeof(buf)));
	/* the client's regex escaped (it is logged too), then regerror's reason */
	ck_assert_msg(strncmp(buf, "{\"ok\":false,\"error\":\"match ip: bad regular expression "
			      "\\\"(\\\\n\\\": ", 60) == 0, "%s", buf);
	ck_assert(recv_line(&sv, fd, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "{\"ok\":false,\"error\":\"\\\"match\\\" must be an array of at most 16 clauses\"}");
	/* A long regex with a quote and colon of its own where a cut message ended: the
	 * reason used to be found by the last quote and read past the error buffer. */
	{
		char req[800];
		int n = snprintf(req, sizeof(req), "{\"cmd\":\"show-sessions\",\"match\":"
				 "[{\"column\":\"ip\",\"regex\":\"(%0*d\\\":x\"}]}\n", 600, 0);

		ck_assert_int_lt(n, (int)sizeof(req));
		send_all(fd, req);
	}
	ck_assert(recv_line(&sv, fd, buf, sizeof(buf)));
	ck_assert_msg(strstr(buf, "\\\"...: Unmatched ( or") != NULL, "%s", buf);
	ck_assert_uint_lt(strlen(buf), 400);
	close(fd);
	server_down(&sv);
}
END_TEST

static json_t *stats_now(struct server *sv)
{
	struct ctl_buf b = { 0 };
	int fd = connect_to(sv);
	json_t *r, *cs;

	send_all(fd, "{\"cmd\":\"show-stats\"}\n");
	while (!read_some(sv, fd, &b, SIZE_MAX, 2000))
		;
	close(fd);
	r = json_loadb(b.p, b.len, 0, NULL);
	free(b.p);
	ck_assert_ptr_nonnull(r);
	cs = json_incref(json_object_get(json_object_get(r, "result"), "control_socket"));
	json_decref(r);
	ck_assert_ptr_nonnull(cs);
	return cs;
}

static json_int_t jint(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_integer(v), "no integer %s", key);
	return json_integer_value(v);
}

/*
 * While a client takes a big listing (slowly, or as fast as it can), the
 * loop answers others: a second control client and a HELLO are answered
 * before the listing is complete, and lnsd holds a chunk of it, not all.
 */
START_TEST(listing_yields_to_the_loop)
{
	enum { PER = 1000 };
	struct many m;
	struct ctl_buf b = { 0 };
	json_t *cs, *rows;
	int fd;

	many_up(&m, PER);
	fd = connect_to(&m.sv);
	send_all(fd, "{\"cmd\":\"show-sessions\"}\n");
	/* the client reads nothing yet: the socket fills, lnsd waits */
	tu_idle(&m.sv.te, 50);
	cs = stats_now(&m.sv);
	ck_assert_int_eq(jint(cs, "listings_streaming"), 1);
	ck_assert_int_lt(jint(cs, "listing_rows"), LIST_TUNNELS * PER);
	ck_assert_int_le(jint(cs, "queued_bytes"), 2 * 16384 + 4096);
	json_decref(cs);
	/* a HELLO on a tunnel: acknowledged (ZLB) while the listing waits */
	tu_lac_begin(&m.lac[1], 0, L2TP_MSG_HELLO);
	tu_lac_send(&m.lac[1]);
	ck_assert_msg(tu_readable(&m.sv.te, m.lac[1].fd, TU_WAIT_MS), "HELLO not acknowledged");
	/* now the client reads as fast as it can; another client is still served meanwhile */
	ck_assert(!read_some(&m.sv, fd, &b, SIZE_MAX, 2000));
	cs = stats_now(&m.sv);
	ck_assert_int_eq(jint(cs, "listings_streaming"), 1);
	ck_assert_int_lt(jint(cs, "listing_rows"), LIST_TUNNELS * PER);
	json_decref(cs);
	while (!read_some(&m.sv, fd, &b, SIZE_MAX, 2000))
		;
	rows = reply_rows(&b);
	ck_assert_uint_eq(json_array_size(rows), LIST_TUNNELS * PER);
	json_decref(rows);
	cs = stats_now(&m.sv);
	ck_assert_int_eq(jint(cs, "listings_streaming"), 0);
	ck_assert_int_eq(jint(cs, "listing_rows"), LIST_TUNNELS * PER);
	ck_assert_int_eq(jint(cs, "queued_bytes"), 0);
	json_decref(cs);
	close(fd);
	free(b.p);
	many_down(&m);
}
END_TEST


/* A client that hangs up in the middle of a listing: its cursor and chunk go with it. */
START_TEST(listing_client_gone)
{
	enum { PER = 400 };
	struct many m;
	struct ctl_buf b = { 0 };
	json_t *cs;
	int fd;

	many_up(&m, PER);
	fd = connect_to(&m.sv);
	send_all(fd, "{\"cmd\":\"show-sessions\"}\n");
	ck_assert(!read_some(&m.sv, fd, &b, 4096, 2000));
	close(fd);
	tu_idle(&m.sv.te, 50);
	cs = stats_now(&m.sv);
	ck_assert_int_eq(jint(cs, "listings"), 1);
	ck_assert_int_eq(jint(cs, "listings_streaming"), 0);
	ck_assert_int_lt(jint(cs, "listing_rows"), LIST_TUNNELS * PER);
	ck_assert_int_eq(jint(cs, "clients"), 1);     /* the one asking */
	json_decref(cs);
	free(b.p);
	many_down(&m);
}
END_TEST

/*
 * Sessions and tunnels created and freed while a client reads a listing a
 * little at a time (a tunnel's session table grows meanwhile): well-formed
 * rows, none twice, and every session that lived through the whole listing
 * in it. Worth running under ASan.
 */
START_TEST(listing_under_churn)
{
	enum { PER = 600 };
	struct many m;
	struct ctl_buf b = { 0 };
	uint8_t *seen = calloc(LIST_TUNNELS, 65536), *gone = calloc(LIST_TUNNELS, 65536);
	uint8_t *before = calloc(LIST_TUNNELS, 65536);
	struct engine *e;
	json_t *rows;
	int fd, step = 0;

	ck_assert(seen && gone && before);
	many_up(&m, PER);
	e = m.sv.te.eng;
	for (int t = 0; t < LIST_TUNNELS; t++) {
		const struct l2tp_sess *x;

		L2TP_TUN_FOREACH_SESSION(l2tp_lns_tunnel(engine_lns(e), m.lac[t].lns_tid), x)
			before[t * 65536 + x->sid] = 1;
	}
	fd = connect_to(&m.sv);
	send_all(fd, "{\"cmd\":\"show-sessions\"}\n");
	while (!read_some(&m.sv, fd, &b, 3000, 2000)) {
		int t = step % (LIST_TUNNELS - 1);
		struct l2tp_sess *s = NULL, *x;

		/* the LAC hangs up two calls of tunnel t (CDN): freed */
		for (int k = 0; k < 2; k++) {
			s = NULL;
			L2TP_TUN_FOREACH_SESSION(l2tp_lns_tunnel(engine_lns(e), m.lac[t].lns_tid), x)
				if (!gone[t * 65536 + x->sid] && (!s || x->sid < s->sid))
					s = x;
			if (!s)
				break;
			gone[t * 65536 + s->sid] = 1;
			tu_lac_begin(&m.lac[t], s->sid, L2TP_MSG_CDN);
			l2tp_mb_result(&m.lac[t].mb, L2TP_CDN_LOST_CARRIER, 0, NULL);
			l2tp_mb_u16(&m.lac[t].mb, true, L2TP_AVP_ASSIGNED_SESSION_ID,
				    (uint16_t)s->peer_sid);
			tu_lac_send(&m.lac[t]);
		}
		/* new calls on tunnel t for a while: its table grows past its next doubling */
		for (int i = 0; i < 60 && step < 40; i++)
			tu_lac_icrq(&m.lac[t], ++m.next_sid[t], NULL);
		/* half-way: the last tunnel is aborted (its sessions freed at once) */
		if (step == 40)
			ck_assert_int_eq(engine_abort_tunnel(e, m.lac[LIST_TUNNELS - 1].lns_tid,
							     "test"), 0);
		step++;
	}
	ck_assert_int_gt(step, 41);
	rows = reply_rows(&b);
	unique_sessions(rows, seen, &m);
	/* every row well-formed: the members of the contract */
	for (size_t i = 0; i < json_array_size(rows); i++)
		if (!json_is_string(json_object_get(json_array_get(rows, i), "state")))
			ck_abort_msg("row %zu has no state", i);
	/* the sessions that lived throughout (not ended, not in the aborted tunnel) are there */
	for (int t = 0; t < LIST_TUNNELS - 1; t++)
		for (int sid = 1; sid < 65536; sid++)
			if (before[t * 65536 + sid] && !gone[t * 65536 + sid] &&
			    !seen[t * 65536 + sid])
				ck_abort_msg("session %u/%d missing", m.lac[t].lns_tid, sid);
	json_decref(rows);
	close(fd);
	free(b.p);
	free(seen);
	free(gone);
	free(before);
	many_down(&m);
}
END_TEST

static Suite *ctl_suite(void)
{
	Suite *s = suite_create("ctl");
	TCase *tc = tcase_create("ctl");

	tcase_add_loop_test(tc, parse_requests, 0, (int)(sizeof(reqs) / sizeof(reqs[0])));
	tcase_add_test(tc, tunnel_json_contract);
	tcase_add_test(tc, session_json_contract);
	tcase_add_test(tc, state_names);
	tcase_add_loop_test(tc, uptime_format, 0, (int)(sizeof(uptimes) / sizeof(uptimes[0])));
	tcase_add_test(tc, tunnel_table);
	tcase_add_test(tc, session_table);
	tcase_add_test(tc, empty_tables);
	tcase_add_test(tc, stats_render);
	tcase_add_test(tc, error_response);
	tcase_add_test(tc, column_table);
	tcase_add_test(tc, cells);
	tcase_add_loop_test(tc, select_order, 0, (int)(sizeof(orders) / sizeof(orders[0])));
	tcase_add_test(tc, select_match);
	tcase_add_test(tc, chosen_columns_table);
	tcase_add_test(tc, json_phase);
	tcase_add_test(tc, ipsec_columns);
	tcase_add_test(tc, stats_bool);
	tcase_add_test(tc, man_lists_every_column);
	tcase_add_test(tc, stats_render_ipsec);
	tcase_add_test(tc, json_keeps_peer_bytes);
	tcase_add_test(tc, table_escapes_peer_text);
	tcase_add_test(tc, stats_escape_control_bytes);
	tcase_add_test(tc, errors_escape_client_text);
	suite_add_tcase(s, tc);
	tc = tcase_create("server");
	/* server_flood_and_stall waits CTL_IO_TIMEOUT_S. */
	tcase_set_timeout(tc, CTL_IO_TIMEOUT_S + 15);
	tcase_add_test(tc, server_pipelined_in_order);
	tcase_add_test(tc, server_full_admits_new);
	tcase_add_test(tc, server_flood_and_stall);
	tcase_add_test(tc, server_bad_input);
	suite_add_tcase(s, tc);
	tc = tcase_create("listing");
	tcase_set_timeout(tc, 120);    /* thousands of ICRQ round trips, slow under ASan */
	tcase_add_test(tc, listing_many_sessions);
	tcase_add_test(tc, listing_bad_match);
	tcase_add_test(tc, listing_yields_to_the_loop);
	tcase_add_test(tc, listing_under_churn);
	tcase_add_test(tc, listing_client_gone);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ctl_suite());
	int failed;

	log_init(true, LOG_LVL_ERR);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
