// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lnsd's L2TPv3 engine (eng_lcce.c) without root: two engines in one loop,
 * dataplane = none, on two loopback addresses, one dialling the other over
 * UDP on the shared L2TP port (v2 and v3 on one listener): the connection
 * and the pseudowire come up with the cookies and IDs crossed and digests
 * on every message; an ICRQ for a Remote End ID the responder does not have
 * gets its CDN and is counted; a reload that changes a pseudowire restarts
 * it; with the test data plane (dp_null_new(true)) the l2tp_eth session
 * and its interface are made, and the interface going down is the circuit
 * status the peer sees (SLI); the control socket's show-pseudowires.
 */
#include <check.h>
#include <ev.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "ctl.h"
#include "eng_lcce.h"
#include "engine.h"
#include "engine_testutil.h"
#include "l2tp_lcce.h"
#include "log.h"

struct site {
	struct lnsd_conf *conf;
	struct engine *eng;
};

static struct ev_loop *loop;
static uint16_t port_a, port_b;

static void site_up(struct site *s, const char *addr, uint16_t port, const char *peer,
		    uint16_t peer_port, const char *pw)
{
	char text[2048], err[CONF_ERR_LEN];

	snprintf(text, sizeof(text),
		 "[lnsd]\nlisten = %s:%u\ndataplane = none\nhostname = site-%s\nlog-level = %s\n"
		 "[l2tp]\nretransmit-timeout = 0.2\n"
		 "[pseudowire x]\npeer = %s:%u\nlocal = %s\nencap = udp\nbridge = br0\n%s",
		 addr, port, addr, getenv("LNSD_TEST_LOG") ? "debug" : "error", peer, peer_port,
		 addr, pw);
	s->conf = conf_load_string(text, "t.conf", err, sizeof(err));
	ck_assert_msg(s->conf != NULL, "%s\n%s", err, text);
	s->eng = engine_new(loop, s->conf, NULL, err, sizeof(err));
	ck_assert_msg(s->eng != NULL, "%s", err);
}

static void site_down(struct site *s)
{
	engine_free(s->eng);
	conf_unref(s->conf);
}

static void info(struct site *s, struct eng_pw_info *o)
{
	struct eng_lcce *l = engine_lcce(s->eng);

	ck_assert_ptr_nonnull(l);
	ck_assert_uint_eq(eng_lcce_n_pws(l), 1);
	eng_lcce_pw_info(l, 0, o);
}

static bool both_up(struct site *a, struct site *b)
{
	struct eng_pw_info ia, ib;

	info(a, &ia);
	info(b, &ib);
	return strcmp(ia.state, "up") == 0 && strcmp(ib.state, "up") == 0;
}

/* Run the loop until cond or ms. */
static bool run_until(bool (*cond)(void *), void *ctx, int ms)
{
	for (int i = 0; i < ms; i++) {
		ev_run(loop, EVRUN_NOWAIT);
		if (cond(ctx))
			return true;
		usleep(1000);
	}
	return false;
}

struct pair {
	struct site a, b;
};

static bool pair_up(void *ctx)
{
	struct pair *p = ctx;

	return both_up(&p->a, &p->b);
}

static void setup(void)
{
	log_init(true, getenv("LNSD_TEST_LOG") ? LOG_LVL_DEBUG : LOG_LVL_ERR);
	loop = ev_loop_new(EVFLAG_AUTO);
	port_a = tu_free_udp_port();
	port_b = tu_free_udp_port();
}

static void teardown(void)
{
	ev_loop_destroy(loop);
}

#define AUTH "secret = s3cret-s3cret\nauth = digest\ndigest = sha1\n"

/* The control socket's streamed show-tunnels, its result array (the caller decrefs). */
static json_t *show_tunnels(struct engine *e)
{
	static const char line[] = "{\"cmd\":\"show-tunnels\"}";
	struct ctl_req req;
	struct ctl_list *l;
	struct ctl_buf b = { 0 };
	char err[256];
	json_error_t je;
	json_t *r, *res;
	int rc;

	memset(&req, 0, sizeof(req));
	ck_assert_int_eq(ctl_parse_request(line, strlen(line), &req, err, sizeof(err)), 0);
	l = ctl_list_new(e, &req);
	ctl_req_release(&req);
	ck_assert_ptr_nonnull(l);
	while ((rc = ctl_list_fill(l, &b, 1 << 16, 64)) == 0)
		;
	ck_assert_int_eq(rc, 1);
	ctl_list_free(l);
	r = json_loadb(b.p, b.len, 0, &je);
	ck_assert_msg(r != NULL, "%s", je.text);
	free(b.p);
	res = json_incref(json_object_get(r, "result"));
	json_decref(r);
	ck_assert(json_is_array(res));
	return res;
}

START_TEST(pw_up)
{
	struct pair p;
	struct eng_pw_info ia, ib;

	site_up(&p.a, "127.0.0.1", port_a, "127.0.0.2", port_b,
		"remote-end-id = vc1\ncookie = 4\nrole = initiator\n" AUTH);
	site_up(&p.b, "127.0.0.2", port_b, "127.0.0.1", port_a,
		"remote-end-id = vc1\ncookie = 8\nrole = responder\n" AUTH);
	ck_assert_msg(run_until(pair_up, &p, 5000), "the pseudowire did not come up");
	info(&p.a, &ia);
	info(&p.b, &ib);
	ck_assert_str_eq(ia.name, "x");
	ck_assert_str_eq(ia.encap, "udp");
	ck_assert_str_eq(ia.remote_end_id, "vc1");
	ck_assert_uint_eq(ia.ccid, ib.peer_ccid);
	ck_assert_uint_eq(ib.ccid, ia.peer_ccid);
	ck_assert_uint_eq(ia.sid, ib.peer_sid);
	ck_assert_uint_eq(ib.sid, ia.peer_sid);
	ck_assert_uint_ne(ia.sid, 0);
	ck_assert_uint_eq(ia.cookie_len, 4);
	ck_assert_uint_eq(ia.peer_cookie_len, 8);
	ck_assert_uint_eq(ib.cookie_len, 8);
	ck_assert_uint_eq(ib.peer_cookie_len, 4);
	ck_assert(ia.remote_up && ib.remote_up);
	ck_assert_uint_eq(ia.ups, 1);
	ck_assert_uint_eq(ib.ups, 1);
	ck_assert_uint_eq(eng_lcce_stats(engine_lcce(p.a.eng))->dials, 1);
	ck_assert_uint_eq(eng_lcce_stats(engine_lcce(p.b.eng))->drops[LCCE_DROP_AUTH], 0);
	/* the control socket's view */
	{
		static const char line[] = "{\"cmd\":\"show-pseudowires\"}";
		struct ctl_req req;
		char err[256];
		json_t *r, *o;

		memset(&req, 0, sizeof(req));
		ck_assert_int_eq(ctl_parse_request(line, strlen(line), &req, err, sizeof(err)), 0);
		r = ctl_execute(p.a.eng, &req, 0);
		ctl_req_release(&req);
		ck_assert(json_is_true(json_object_get(r, "ok")));
		ck_assert_uint_eq(json_array_size(json_object_get(r, "result")), 1);
		o = json_array_get(json_object_get(r, "result"), 0);
		ck_assert_str_eq(json_string_value(json_object_get(o, "state")), "up");
		ck_assert_str_eq(json_string_value(json_object_get(o, "remote_end_id")), "vc1");
		ck_assert_int_eq(json_integer_value(json_object_get(o, "cookie")), 4);
		ck_assert_int_eq(json_integer_value(json_object_get(o, "peer_cookie")), 8);
		ck_assert_int_eq(json_integer_value(json_object_get(o, "sid")), ia.sid);
		ck_assert(json_is_object(json_object_get(o, "counters")));
		ck_assert_int_eq(json_integer_value(json_object_get(o, "pw_type")), 5);
		json_decref(r);
	}
	/* show-tunnels lists the v3 control connection beside the (no) v2 tunnels */
	{
		json_t *arr = show_tunnels(p.a.eng), *o;
		char peer[32];

		ck_assert_uint_eq(json_array_size(arr), 1);
		o = json_array_get(arr, 0);
		snprintf(peer, sizeof(peer), "127.0.0.2:%u", port_b);
		ck_assert_int_eq(json_integer_value(json_object_get(o, "version")), 3);
		ck_assert_str_eq(json_string_value(json_object_get(o, "encap")), "udp");
		ck_assert_int_eq(json_integer_value(json_object_get(o, "tunnel_id")), ia.ccid);
		ck_assert_int_eq(json_integer_value(json_object_get(o, "peer_tunnel_id")), ib.ccid);
		ck_assert_str_eq(json_string_value(json_object_get(o, "peer")), peer);
		ck_assert_str_eq(json_string_value(json_object_get(o, "peer_hostname")),
				 "site-127.0.0.2");
		ck_assert_str_eq(json_string_value(json_object_get(o, "state")), "established");
		ck_assert_str_eq(json_string_value(json_object_get(o, "phase")), "established");
		ck_assert_str_eq(json_string_value(json_object_get(o, "peer_config")), "x");
		ck_assert_int_eq(json_integer_value(json_object_get(o, "sessions")), 1);
		ck_assert_int_eq(json_integer_value(json_object_get(o, "sessions_established")), 1);
		ck_assert(json_is_integer(json_object_get(o, "rx_packets")));
		json_decref(arr);
		ck_assert_uint_eq(eng_lcce_n_ccs(engine_lcce(p.b.eng)), 1);
		ck_assert_uint_eq(eng_lcce_n_ccs(NULL), 0);
	}
	site_down(&p.a);
	site_down(&p.b);
}
END_TEST

static bool refused(void *ctx)
{
	struct pair *p = ctx;

	return eng_lcce_stats(engine_lcce(p->b.eng))->drops[LCCE_DROP_REMOTE_END] > 0;
}

START_TEST(unknown_remote_end_id)
{
	struct pair p;
	struct eng_pw_info ia;

	site_up(&p.a, "127.0.0.1", port_a, "127.0.0.2", port_b,
		"remote-end-id = vc1\nrole = initiator\n");
	site_up(&p.b, "127.0.0.2", port_b, "127.0.0.1", port_a,
		"remote-end-id = vc2\nrole = responder\n");
	ck_assert_msg(run_until(refused, &p, 5000), "the ICRQ for vc1 was not refused");
	/* the CDN reaches A: its call is gone, the connection stays */
	for (int i = 0; i < 300; i++) {
		ev_run(loop, EVRUN_NOWAIT);
		usleep(1000);
	}
	info(&p.a, &ia);
	ck_assert_str_eq(ia.state, "connected");
	ck_assert_uint_eq(ia.ups, 0);
	ck_assert_uint_eq(eng_lcce_stats(engine_lcce(p.a.eng))->pws_failed, 1);
	site_down(&p.a);
	site_down(&p.b);
}
END_TEST

static bool remote_down(void *ctx)
{
	struct pair *p = ctx;
	struct eng_pw_info ib;

	info(&p->b, &ib);
	return !ib.remote_up;
}

static bool remote_up(void *ctx)
{
	struct pair *p = ctx;
	struct eng_pw_info ib;

	info(&p->b, &ib);
	return ib.remote_up;
}

START_TEST(circuit_status)
{
	struct pair p;
	struct eng_pw_info ia;
	struct dp *da, *db;
	char err[256];

	site_up(&p.a, "127.0.0.1", port_a, "127.0.0.2", port_b,
		"remote-end-id = vc1\ncookie = 8\nifname = pwa\n");
	site_up(&p.b, "127.0.0.2", port_b, "127.0.0.1", port_a,
		"remote-end-id = vc1\ncookie = 4\nifname = pwb\n");
	da = dp_null_new(true);
	db = dp_null_new(true);
	ck_assert_int_eq(engine_set_dataplane(p.a.eng, da, err, sizeof(err)), 0);
	ck_assert_int_eq(engine_set_dataplane(p.b.eng, db, err, sizeof(err)), 0);
	ck_assert_msg(run_until(pair_up, &p, 5000), "the pseudowire did not come up");
	info(&p.a, &ia);
	ck_assert_str_eq(ia.ifname, "pwa");
	ck_assert_int_gt(ia.ifindex, 0);
	ck_assert(ia.local_up);
	ck_assert(run_until(remote_up, &p, 1000));
	ck_assert_int_eq(dp_null_link_set(da, ia.ifindex, false), 0);
	ck_assert_msg(run_until(remote_down, &p, 3000), "no SLI for the circuit going down");
	ck_assert_int_eq(dp_null_link_set(da, ia.ifindex, true), 0);
	ck_assert_msg(run_until(remote_up, &p, 3000), "no SLI for the circuit coming up");
	site_down(&p.a);
	site_down(&p.b);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("eng_lcce");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, pw_up);
	tcase_add_test(tc, unknown_remote_end_id);
	tcase_add_test(tc, circuit_status);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
