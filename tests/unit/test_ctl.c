// SPDX-License-Identifier: GPL-2.0-or-later
/* Control socket: request parsing, the JSON contract of show-*, lnsctl's tables. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_fmt.h"

static const struct {
	const char *line;
	int rc;
	enum ctl_cmd cmd;
	uint16_t tid, sid;
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
	{ "{\"cmd\":\"terminate-tunnel\",\"tid\":0}", -1, 0, 0, 0,
	  "\"tid\" must be an integer from 1 to 65535" },
	{ "{\"cmd\":\"terminate-tunnel\",\"tid\":65536}", -1, 0, 0, 0,
	  "\"tid\" must be an integer from 1 to 65535" },
	{ "{\"cmd\":\"terminate-tunnel\",\"tid\":\"7\"}", -1, 0, 0, 0,
	  "\"tid\" must be an integer from 1 to 65535" },
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
	json_decref(o);
	{
		struct kg_l2tp_stats ks = { .rx_packets = 7, .tx_packets = 8, .rx_bytes = 900,
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
			   "\"rx_packets\":5,\"tx_packets\":6,\"uptime_s\":3723},"
			   "{\"tunnel_id\":40000,\"peer_tunnel_id\":1,\"peer\":\"[2001:db8::1]:1701\","
			   "\"peer_hostname\":\"\",\"state\":\"wait-ctl-conn\",\"sessions\":0,"
			   "\"uptime_s\":2}]");

	ck_assert_str_eq(out,
			 "TUNNEL  PEER-TUNNEL  PEER                HOSTNAME  STATE          SESSIONS  RX-PKTS  TX-PKTS  UPTIME\n"
			 "12      34           192.0.2.1:1701      lac1      established    3         5        6        1h02m\n"
			 "40000   1            [2001:db8::1]:1701  -         wait-ctl-conn  0         -        -        2s\n");
	free(out);
}
END_TEST

START_TEST(session_table)
{
	char *out = render(ctl_fmt_sessions,
			   "[{\"tunnel_id\":12,\"session_id\":5,\"peer_tunnel_id\":34,"
			   "\"peer_session_id\":6,\"peer\":\"192.0.2.1:1701\",\"state\":\"established\","
			   "\"ifname\":\"ppp0\",\"username\":\"alice\",\"ip\":\"10.64.0.5\","
			   "\"rx_bytes\":100,\"tx_bytes\":200,"
			   "\"calling_number\":\"5551234\",\"called_number\":\"\",\"uptime_s\":61}]");

	ck_assert_str_eq(out,
			 "TUNNEL  SESSION  PEER-TUNNEL  PEER-SESSION  PEER            STATE        IFNAME  USER   IP         CALLING  CALLED  RX-BYTES  TX-BYTES  UPTIME\n"
			 "12      5        34           6             192.0.2.1:1701  established  ppp0    alice  10.64.0.5  5551234  -       100       200       1m01s\n");
	free(out);
}
END_TEST

START_TEST(empty_tables)
{
	char *out = render(ctl_fmt_tunnels, "[]");

	ck_assert_str_eq(out, "TUNNEL  PEER-TUNNEL  PEER  HOSTNAME  STATE  SESSIONS  RX-PKTS  TX-PKTS  UPTIME\n");
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

START_TEST(error_response)
{
	json_t *e = ctl_error("no tunnel %u", 7);
	char *s = json_dumps(e, JSON_COMPACT);

	ck_assert_str_eq(s, "{\"ok\":false,\"error\":\"no tunnel 7\"}");
	free(s);
	json_decref(e);
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
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ctl_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
