// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The IPsec manager (lnsd/ipsec.c) against a fake charon on a Unix socket:
 * what it does with a CHILD_SA that goes down (docs/design.md §5.5).
 */
#include <check.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ipsec.h"
#include "vici.h"

static struct ev_loop *loop;
static struct ipsec_mgr *mgr;
static struct lnsd_conf conf;
static char dir[64], path[96];
static int lfd = -1, cmd_fd = -1, evt_fd = -1;
static struct vici_builder b;
/* What the fake charon lists for "list-sas" with an ike-id: one child, or none. */
static uint64_t list_child_id;
static uint32_t list_mark;
static int n_gone;
static uint64_t last_gone;
static int n_list_by_id;

static unsigned sa_gone(void *ctx, const struct ipsec_child *gone, const char *why)
{
	(void)ctx;
	(void)why;
	n_gone++;
	last_gone = gone->child_id;
	return 1;
}

static bool sa_in_use(void *ctx, const struct ipsec_child *c, const struct l2tp_tun *except)
{
	(void)ctx;
	(void)c;
	(void)except;
	return false;
}

static const struct ipsec_hooks hooks = { .sa_gone = sa_gone, .sa_in_use = sa_in_use };

static void put(int fd, const uint8_t *pkt, size_t len)
{
	ck_assert_int_eq(write(fd, pkt, len), (ssize_t)len);
}

/* An IKE_SA section of lnsd's connection with one child (child_id 0: none). */
static void ike(uint64_t ike_id, uint64_t child_id, uint32_t mark)
{
	char v[32];

	vici_b_section_start(&b, IPSEC_CONN_NAME);
	snprintf(v, sizeof(v), "%llu", (unsigned long long)ike_id);
	vici_b_kv_str(&b, "uniqueid", v);
	vici_b_kv_str(&b, "version", "1");
	vici_b_kv_str(&b, "remote-host", "192.0.2.77");
	vici_b_kv_str(&b, "remote-port", "4500");
	vici_b_section_start(&b, "child-sas");
	if (child_id) {
		snprintf(v, sizeof(v), "l2tp-%llu", (unsigned long long)child_id);
		vici_b_section_start(&b, v);
		snprintf(v, sizeof(v), "%llu", (unsigned long long)child_id);
		vici_b_kv_str(&b, "uniqueid", v);
		vici_b_kv_str(&b, "reqid", "2");
		snprintf(v, sizeof(v), "%08x", mark);
		vici_b_kv_str(&b, "mark-in", v);
		vici_b_kv_str(&b, "state", "INSTALLED");
		vici_b_kv_str(&b, "encap", "yes");
		vici_b_list_start(&b, "remote-ts");
		vici_b_list_item_str(&b, "192.0.2.77/32[udp]");
		vici_b_list_end(&b);
		vici_b_section_end(&b);
	}
	vici_b_section_end(&b);
	vici_b_section_end(&b);
}

static void event(const char *name, bool up, uint64_t ike_id, uint64_t child_id, uint32_t mark)
{
	const uint8_t *pkt;
	size_t len;

	vici_b_begin(&b, VICI_EVENT, name);
	if (up)
		vici_b_kv_str(&b, "up", "yes");
	ike(ike_id, child_id, mark);
	ck_assert_int_eq(vici_b_finish(&b, &pkt, &len), 0);
	put(evt_fd, pkt, len);
}

/* Answer one request: commands succeed; list-sas by ike-id lists list_child_id. */
static void answer(int fd, const struct vici_msg *m)
{
	const char *name = vici_msg_name(m);
	struct vici_value v;
	const uint8_t *pkt;
	size_t len;

	if (vici_msg_type(m) == VICI_EVENT_REGISTER) {
		vici_b_begin(&b, VICI_EVENT_CONFIRM, NULL);
	} else if (strcmp(name, "list-sas") == 0) {
		if (vici_get(vici_msg_root(m), "ike-id", &v) == 0) {
			n_list_by_id++;
			if (list_child_id)
				event("list-sa", false, 7, list_child_id, list_mark);
		}
		vici_b_begin(&b, VICI_CMD_RESPONSE, NULL);
	} else {
		vici_b_begin(&b, VICI_CMD_RESPONSE, NULL);
		vici_b_kv_str(&b, "success", "yes");
	}
	ck_assert_int_eq(vici_b_finish(&b, &pkt, &len), 0);
	put(fd, pkt, len);
}

/* Run the loop and the fake charon for ms milliseconds. */
static void pump(int ms)
{
	static uint8_t buf[2][65536];
	static size_t have[2];
	int fds[2] = { cmd_fd, evt_fd };

	for (int t = 0; t < ms; t++) {
		ev_run(loop, EVRUN_NOWAIT);
		for (int i = 0; i < 2; i++) {
			struct pollfd p = { .fd = fds[i], .events = POLLIN };
			size_t plen;
			ssize_t n;

			if (poll(&p, 1, 0) <= 0)
				continue;
			n = read(fds[i], buf[i] + have[i], sizeof(buf[i]) - have[i]);
			ck_assert_int_gt(n, 0);
			have[i] += (size_t)n;
			while (vici_frame_split(buf[i], have[i], &plen) == 1) {
				struct vici_msg *m = NULL;

				ck_assert_int_eq(vici_msg_decode(buf[i], plen, &m), 0);
				answer(fds[i], m);
				vici_msg_free(m);
				memmove(buf[i], buf[i] + plen, have[i] - plen);
				have[i] -= plen;
			}
		}
		usleep(1000);
	}
}

static void setup(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	snprintf(dir, sizeof(dir), "/tmp/lnsd-ipsec-mgr.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/charon.vici", dir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(lfd, 0);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(listen(lfd, 4), 0);
	conf.ipsec.mode = CONF_IPSEC_REQUIRED;
	conf.ipsec.vici_socket = path;
	conf.ipsec.psk = "secret";
	conf.ipsec.proposals = "";
	conf.ipsec.esp_proposals = "";
	loop = ev_loop_new(EVFLAG_AUTO);
	mgr = ipsec_new(loop, &conf, &hooks, NULL);
	ck_assert_ptr_nonnull(mgr);
	cmd_fd = accept(lfd, NULL, NULL);
	evt_fd = accept(lfd, NULL, NULL);
	ck_assert_int_ge(cmd_fd, 0);
	ck_assert_int_ge(evt_fd, 0);
	n_gone = 0;
	n_list_by_id = 0;
	pump(50);
}

static void teardown(void)
{
	ipsec_free(mgr);
	ev_loop_destroy(loop);
	close(cmd_fd);
	close(evt_fd);
	close(lfd);
	unlink(path);
	rmdir(dir);
	vici_b_free(&b);
}

/*
 * IKEv1 rekey: charon deletes the old child after a new one with its mark
 * that it never announced. The manager lists the IKE_SA, finds the
 * successor and keeps the tunnels; without one they go.
 */
START_TEST(rekey_successor_keeps_tunnels)
{
	struct lns_addr peer = { .family = 4, .port = 1701, .addr = { 192, 0, 2, 77 } };
	struct ipsec_status st;

	event("child-updown", true, 7, 20, 2);
	pump(20);
	ck_assert_uint_eq(ipsec_sa_of(mgr, &peer, 2)->child_id, 20);
	list_child_id = 25;
	list_mark = 2;
	event("child-updown", false, 7, 20, 2);
	pump(50);
	ck_assert_int_eq(n_list_by_id, 1);
	ck_assert_int_eq(n_gone, 0);
	ck_assert_uint_eq(ipsec_sa_of(mgr, &peer, 2)->child_id, 25);
	ipsec_get_status(mgr, &st);
	ck_assert_uint_eq(st.rekey_successors, 1);
	/* The successor goes too, with nothing after it: its tunnels go. */
	list_child_id = 0;
	event("child-updown", false, 7, 25, 2);
	pump(50);
	ck_assert_int_eq(n_list_by_id, 2);
	ck_assert_int_eq(n_gone, 1);
	ck_assert_uint_eq(last_gone, 25);
	ck_assert_ptr_null(ipsec_sa_of(mgr, &peer, 2));
	ipsec_get_status(mgr, &st);
	ck_assert_uint_eq(st.rekey_successors, 1);
}
END_TEST

/*
 * After an IKEv1 rekey the new child (25) comes with no event and the old one
 * (20) goes with none: lnsd still has 20 when 25 goes down. Nothing else of
 * that mark is listed, so 20's tunnels go.
 */
START_TEST(unannounced_successor_goes)
{
	event("child-updown", true, 7, 20, 2);
	pump(20);
	list_child_id = 0;
	event("child-updown", false, 7, 25, 2);
	pump(50);
	ck_assert_int_eq(n_list_by_id, 1);
	ck_assert_int_eq(n_gone, 1);
	ck_assert_uint_eq(last_gone, 20);
}
END_TEST

/* A child of another mark in the list is no successor. */
START_TEST(other_mark_is_no_successor)
{
	event("child-updown", true, 7, 30, 5);
	pump(20);
	list_child_id = 31;
	list_mark = 6;
	event("child-updown", false, 7, 30, 5);
	pump(50);
	ck_assert_int_eq(n_gone, 1);
	ck_assert_uint_eq(last_gone, 30);
}
END_TEST

/* charon goes away while the list is pending: the tunnels go (fail closed). */
START_TEST(lost_charon_tears_down)
{
	event("child-updown", true, 7, 40, 3);
	pump(20);
	list_child_id = 41;
	list_mark = 3;
	event("child-updown", false, 7, 40, 3);
	/* Let lnsd read the event and send list-sas, but do not answer it. */
	for (int i = 0; i < 20; i++) {
		ev_run(loop, EVRUN_NOWAIT);
		usleep(1000);
	}
	ck_assert_int_eq(n_gone, 0);
	close(evt_fd);
	evt_fd = open("/dev/null", O_RDONLY);
	for (int i = 0; i < 20; i++) {
		ev_run(loop, EVRUN_NOWAIT);
		usleep(1000);
	}
	ck_assert_int_eq(n_gone, 1);
	ck_assert_uint_eq(last_gone, 40);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ipsec_mgr");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, rekey_successor_keeps_tunnels);
	tcase_add_test(tc, other_mark_is_no_successor);
	tcase_add_test(tc, unannounced_successor_goes);
	tcase_add_test(tc, lost_charon_tears_down);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
