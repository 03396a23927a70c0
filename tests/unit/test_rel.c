// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reliable delivery (RFC 2661 §5.8, Appendix A): loss, duplicates, reordering,
 * window, congestion control, backoff, delayed ack and ZLB, all with
 * simulated time.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "l2tp_proto.h"
#include "l2tp_rel.h"

#define MSG_LEN 16      /* 12-byte header + 4 bytes of payload carrying a tag */
#define CAP_MAX 256

struct capture {
	int n;
	size_t len[CAP_MAX];
	uint8_t pkt[CAP_MAX][64];
};

static void cap_emit(void *ctx, const uint8_t *pkt, size_t len)
{
	struct capture *c = ctx;

	ck_assert_int_lt(c->n, CAP_MAX);
	ck_assert_uint_le(len, sizeof(c->pkt[0]));
	memcpy(c->pkt[c->n], pkt, len);
	c->len[c->n] = len;
	c->n++;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint16_t cap_ns(const struct capture *c, int i)
{
	return get16(c->pkt[i] + 8);
}

static uint16_t cap_nr(const struct capture *c, int i)
{
	return get16(c->pkt[i] + 10);
}

static uint16_t cap_tag(const struct capture *c, int i)
{
	return get16(c->pkt[i] + 12);
}

static bool cap_is_zlb(const struct capture *c, int i)
{
	return c->len[i] == L2TP_CTRL_HDR_LEN;
}

/* A control message with garbage in Ns/Nr (rel must overwrite them) and a tag. */
static void mk_msg(uint8_t *buf, uint16_t tag)
{
	static const uint8_t hdr[12] = { 0xc8, 0x02, 0x00, MSG_LEN, 0x00, 0x07,
					 0x00, 0x00, 0xee, 0xee, 0xee, 0xee };

	memcpy(buf, hdr, sizeof(hdr));
	buf[12] = (uint8_t)(tag >> 8);
	buf[13] = (uint8_t)tag;
	buf[14] = 0x5a;
	buf[15] = 0xa5;
}

static void queue_tag(struct l2tp_rel *r, uint16_t tag)
{
	uint8_t m[MSG_LEN];

	mk_msg(m, tag);
	ck_assert_int_eq(l2tp_rel_queue(r, m, sizeof(m)), 0);
}

/* Feed a message from the peer with sequence fields ns/nr. */
static enum l2tp_rel_verdict rx_msg(struct l2tp_rel *r, uint16_t ns, uint16_t nr,
				    uint16_t tag, uint64_t now)
{
	uint8_t m[MSG_LEN];

	mk_msg(m, tag);
	return l2tp_rel_input(r, m, sizeof(m), ns, nr, false, now);
}

static enum l2tp_rel_verdict rx_zlb(struct l2tp_rel *r, uint16_t ns, uint16_t nr, uint64_t now)
{
	uint8_t z[L2TP_CTRL_HDR_LEN] = { 0xc8, 0x02, 0x00, 0x0c };

	return l2tp_rel_input(r, z, sizeof(z), ns, nr, true, now);
}

static void rel_setup(struct l2tp_rel *r, uint16_t our_rws, uint16_t peer_rws)
{
	struct l2tp_rel_cfg cfg;

	l2tp_rel_cfg_default(&cfg);
	cfg.our_rws = our_rws;
	cfg.peer_rws = peer_rws;
	ck_assert_int_eq(l2tp_rel_init(r, &cfg), 0);
	r->peer_tunnel_id = 0x1234;
}

static int output(struct l2tp_rel *r, uint64_t now, struct capture *c)
{
	return l2tp_rel_output(r, now, cap_emit, c);
}

/* ---- basics ------------------------------------------------------------ */

START_TEST(test_defaults)
{
	struct l2tp_rel_cfg cfg;
	struct l2tp_rel r;

	l2tp_rel_cfg_default(&cfg);
	ck_assert_uint_eq(cfg.our_rws, 8);
	ck_assert_uint_eq(cfg.peer_rws, L2TP_DEFAULT_RWS);
	ck_assert_uint_eq(cfg.rto_initial_ms, 1000);
	ck_assert_uint_eq(cfg.rto_cap_ms, 8000);
	ck_assert_uint_eq(cfg.max_retries, 5);
	ck_assert_uint_eq(cfg.ack_delay_ms, 100);
	cfg.peer_rws = 0;
	ck_assert_int_eq(l2tp_rel_init(&r, &cfg), 0);
	ck_assert_uint_eq(r.cfg.peer_rws, 4);
	ck_assert_uint_eq(r.cwnd, 1);
	ck_assert_uint_eq(r.ssthresh, 4);
	l2tp_rel_set_peer_rws(&r, 10);
	ck_assert_uint_eq(r.cfg.peer_rws, 10);
	ck_assert_uint_eq(r.ssthresh, 10);
	l2tp_rel_set_peer_rws(&r, 0);
	ck_assert_uint_eq(r.cfg.peer_rws, 4);
	ck_assert_uint_eq(r.ssthresh, 4);
	ck_assert(l2tp_rel_all_acked(&r));
	ck_assert_uint_eq(l2tp_rel_next_deadline(&r), UINT64_MAX);
	l2tp_rel_free(&r);
	l2tp_rel_free(&r);      /* twice is harmless */
}
END_TEST

START_TEST(test_free_zeroed_and_full)
{
	struct l2tp_rel z;
	struct l2tp_rel r;
	struct capture c = { 0 };

	memset(&z, 0, sizeof(z));
	l2tp_rel_free(&z);
	/* Pending, in flight and out-of-order copies all freed (valgrind/ASan). */
	rel_setup(&r, 8, 4);
	for (uint16_t i = 0; i < 6; i++)
		queue_tag(&r, i);
	ck_assert_int_eq(output(&r, 0, &c), 0);
	ck_assert_int_eq(rx_msg(&r, 2, 0, 2, 0), L2TP_REL_QUEUED);
	ck_assert_int_eq(rx_msg(&r, 5, 0, 5, 0), L2TP_REL_QUEUED);
	l2tp_rel_free(&r);
}
END_TEST

START_TEST(test_queue_size_limits)
{
	struct l2tp_rel r;
	uint8_t big[L2TP_MAX_MSG + 1];

	rel_setup(&r, 8, 4);
	memset(big, 0, sizeof(big));
	mk_msg(big, 1);
	ck_assert_int_eq(l2tp_rel_queue(&r, big, L2TP_CTRL_HDR_LEN), -EMSGSIZE);
	ck_assert_int_eq(l2tp_rel_queue(&r, big, 3), -EMSGSIZE);
	ck_assert_int_eq(l2tp_rel_queue(&r, big, sizeof(big)), -EMSGSIZE);
	ck_assert_int_eq(l2tp_rel_queue(&r, big, L2TP_MAX_MSG), 0);
	ck_assert_uint_eq(r.ns, 1);
	l2tp_rel_free(&r);
}
END_TEST

/* §5.8: each transmission carries its Ns and the current Nr. */
START_TEST(test_first_send_writes_ns_nr)
{
	struct l2tp_rel r;
	struct capture c = { 0 };

	rel_setup(&r, 8, 4);
	queue_tag(&r, 0xabcd);
	ck_assert_int_eq(rx_msg(&r, 0, 0, 1, 0), L2TP_REL_DELIVER);
	ck_assert_int_eq(rx_msg(&r, 1, 0, 2, 0), L2TP_REL_DELIVER);
	ck_assert_int_eq(output(&r, 5, &c), 0);
	ck_assert_int_eq(c.n, 1);
	ck_assert_uint_eq(c.len[0], MSG_LEN);
	ck_assert_uint_eq(cap_ns(&c, 0), 0);
	ck_assert_uint_eq(cap_nr(&c, 0), 2);
	ck_assert_uint_eq(cap_tag(&c, 0), 0xabcd);
	ck_assert_uint_eq(get16(c.pkt[0]), 0xc802);
	ck_assert_uint_eq(get16(c.pkt[0] + 4), 0x0007);
	ck_assert_uint_eq(r.stats.sent, 1);
	ck_assert(!r.ack_pending);
	l2tp_rel_free(&r);
}
END_TEST

/* ---- ZLB ---------------------------------------------------------------- */

START_TEST(test_zlb_bytes)
{
	static const uint8_t want[12] = { 0xc8, 0x02, 0x00, 0x0c, 0x12, 0x34,
					  0x00, 0x00, 0x00, 0x05, 0x00, 0x08 };
	struct l2tp_rel r;
	struct capture c = { 0 };

	rel_setup(&r, 8, 4);
	r.ns = 5;
	r.nr = 7;
	ck_assert_int_eq(rx_msg(&r, 7, 5, 1, 1000), L2TP_REL_DELIVER);
	ck_assert_int_eq(output(&r, 1100, &c), 0);
	ck_assert_int_eq(c.n, 1);
	ck_assert_uint_eq(c.len[0], sizeof(want));
	ck_assert_mem_eq(c.pkt[0], want, sizeof(want));
	/* The ZLB's Ns is not consumed. */
	ck_assert_uint_eq(r.ns, 5);
	ck_assert_uint_eq(r.stats.zlb_sent, 1);
	l2tp_rel_free(&r);
}
END_TEST

/*
 * IDs are 32 bits (l2tp_proto.h) but a v2 header has 16: a Session ID that
 * does not fit goes out as 0 (the ZLB's is only informative), a Tunnel ID
 * that does not fit means no ZLB at all, counted, and no timer left armed.
 * Never a truncated ID.
 */
START_TEST(test_zlb_wide_ids)
{
	struct l2tp_rel r;
	struct capture c = { 0 };

	rel_setup(&r, 8, 4);
	r.peer_tunnel_id = 0xffff;
	r.zlb_session_id = 0x10007;
	ck_assert_int_eq(rx_msg(&r, 0, 0, 1, 0), L2TP_REL_DELIVER);
	ck_assert_int_eq(output(&r, 100, &c), 0);
	ck_assert_int_eq(c.n, 1);
	ck_assert(cap_is_zlb(&c, 0));
	ck_assert_uint_eq(get16(c.pkt[0] + 4), 0xffff);
	ck_assert_uint_eq(get16(c.pkt[0] + 6), 0);

	r.peer_tunnel_id = 0x10000;
	r.zlb_session_id = 7;
	ck_assert_int_eq(rx_msg(&r, 1, 0, 2, 200), L2TP_REL_DELIVER);
	ck_assert_int_eq(output(&r, 300, &c), 0);
	ck_assert_int_eq(c.n, 1);
	ck_assert_uint_eq(r.stats.zlb_sent, 1);
	ck_assert_uint_eq(r.stats.zlb_bad_id, 1);
	ck_assert(!r.ack_pending);
	ck_assert_uint_eq(l2tp_rel_next_deadline(&r), UINT64_MAX);
	l2tp_rel_free(&r);
}
END_TEST

/* With messages waiting behind a closed window, a ZLB carries the next Ns to send. */
START_TEST(test_zlb_ns_with_pending)
{
	struct l2tp_rel r;
	struct capture c = { 0 };

	rel_setup(&r, 8, 4);
	queue_tag(&r, 0);
	queue_tag(&r, 1);
	ck_assert_int_eq(output(&r, 0, &c), 0);     /* cwnd 1: only Ns 0 flies */
	ck_assert_int_eq(c.n, 1);
	ck_assert_int_eq(rx_msg(&r, 0, 0, 9, 10), L2TP_REL_DELIVER);
	ck_assert_int_eq(output(&r, 110, &c), 0);
	ck_assert_int_eq(c.n, 2);
	ck_assert(cap_is_zlb(&c, 1));
	ck_assert_uint_eq(cap_ns(&c, 1), 1);
	ck_assert_uint_eq(cap_nr(&c, 1), 1);
	l2tp_rel_free(&r);
}
END_TEST

START_TEST(test_zlb_after_delay_not_before)
{
	struct l2tp_rel r;
	struct capture c = { 0 };

	rel_setup(&r, 8, 4);
	ck_assert_int_eq(rx_msg(&r, 0, 0, 1, 50), L2TP_REL_DELIVER);
	ck_assert(r.ack_pending);
	ck_assert_uint_eq(l2tp_rel_next_deadline(&r), 150);
	ck_assert_int_eq(output(&r, 50, &c), 0);
	ck_assert_int_eq(output(&r, 149, &c), 0);
	ck_assert_int_eq(c.n, 0);
	/* A second message does not postpone the earliest deadline. */
	ck_assert_int_eq(rx_msg(&r, 1, 0, 2, 120), L2TP_REL_DELIVER);
	ck_assert_uint_eq(l2tp_rel_next_deadline(&r), 150);
	ck_assert_int_eq(output(&r, 150, &c), 0);
	ck_assert_int_eq(c.n, 1);
	ck_assert(cap_is_zlb(&c, 0));
	ck_assert_uint_eq(cap_nr(&c, 0), 2);
	ck_assert(!r.ack_pending);
	ck_assert_uint_eq(l2tp_rel_next_deadline(&r), UINT64_MAX);
	ck_assert_int_eq(output(&r, 10000, &c), 0);
	ck_assert_int_eq(c.n, 1);
	l2tp_rel_free(&r);
}
END_TEST

START_TEST(test_no_zlb_for_zlb)
{
	struct l2tp_rel r;
	struct capture c = { 0 };

	rel_setup(&r, 8, 4);
	ck_assert_int_eq(rx_zlb(&r, 0, 0, 0), L2TP_REL_ZLB);
	ck_assert_int_eq(rx_zlb(&r, 3, 0, 0), L2TP_REL_ZLB);   /* odd Ns: still no message */
	ck_assert(!r.ack_pending);
	ck_assert_uint_eq(r.nr, 0);
	ck_assert_uint_eq(r.stats.zlb_rcvd, 2);
	ck_assert_uint_eq(l2tp_rel_next_deadline(&r), UINT64_MAX);
	ck_assert_int_eq(output(&r, 5000, &c), 0);
	ck_assert_int_eq(c.n, 0);
	ck_assert_uint_eq(r.stats.zlb_sent, 0);
	l2tp_rel_free(&r);
}
END_TEST

START_TEST(test_piggyback_suppresses_zlb)
{
	struct l2tp_rel r;
	struct capture c = { 0 };

	rel_setup(&r, 8, 4);
	ck_assert_int_eq(rx_msg(&r, 0, 0, 1, 0), L2TP_REL_DELIVER);
	queue_tag(&r, 0x77);
	ck_assert_uint_eq(l2tp_rel_next_deadline(&r), 0);
	ck_assert_int_eq(output(&r, 10, &c), 0);
	ck_assert_int_eq(c.n, 1);
	ck_assert(!cap_is_zlb(&c, 0));
	ck_assert_uint_eq(cap_nr(&c, 0), 1);
	ck_assert(!r.ack_pending);
	ck_assert_int_eq(output(&r, 200, &c), 0);
	ck_assert_int_eq(c.n, 1);
	ck_assert_uint_eq(r.stats.zlb_sent, 0);
	/* A retransmission piggybacks a later ack too, with the new Nr. */
	ck_assert_int_eq(rx_msg(&r, 1, 0, 2, 500), L2TP_REL_DELIVER);
	ck_assert_int_eq(output(&r, 1010, &c), 0);
	ck_assert_int_eq(c.n, 2);
	ck_assert_uint_eq(cap_ns(&c, 1), 0);
	ck_assert_uint_eq(cap_nr(&c, 1), 2);
	ck_assert(!r.ack_pending);
	ck_assert_uint_eq(r.stats.zlb_sent, 0);
	l2tp_rel_free(&r);
}
END_TEST

/* ---- loss, duplicates, reordering --------------------------------------- */

START_TEST(test_loss_and_retransmit)
{
	struct l2tp_rel r;
	struct capture c = { 0 };

	rel_setup(&r, 8, 4);
	queue_tag(&r, 0x42);
	ck_assert_int_eq(output(&r, 0, &c), 0);
	ck_assert_int_eq(c.n, 1);               /* lost on the way */
	ck_assert_uint_eq(l2tp_rel_next_deadline(&r), 1000);
	ck_assert_int_eq(output(&r, 999, &c), 0);
	ck_assert_int_eq(c.n, 1);
	ck_assert_int_eq(output(&r, 1000, &c), 0);
	ck_assert_int_eq(c.n, 2);
	ck_assert_uint_eq(c.len[1], MSG_LEN);
	ck_assert_mem_eq(c.pkt[1], c.pkt[0], MSG_LEN);
	ck_assert_uint_eq(r.stats.retransmits, 1);
	ck_assert_uint_eq(r.stats.sent, 1);
	ck_assert(!l2tp_rel_all_acked(&r));
	ck_assert_int_eq(rx_zlb(&r, 0, 1, 1200), L2TP_REL_ZLB);
	ck_assert(l2tp_rel_all_acked(&r));
	ck_assert_uint_eq(r.una, 1);
	ck_assert_uint_eq(l2tp_rel_next_deadline(&r), UINT64_MAX);
	l2tp_rel_free(&r);
}
END_TEST

/* Our message arrives, the peer's ZLB is lost: the retransmission is a duplicate there. */
START_TEST(test_ack_lost_duplicate_acked_at_once)
{
	struct l2tp_rel a, b;
	struct capture ca = { 0 }, cb = { 0 };

	rel_setup(&a, 8, 4);
	rel_setup(&b, 8, 4);
	queue_tag(&a, 1);
	ck_assert_int_eq(output(&a, 0, &ca), 0);
	ck_assert_int_eq(rx_msg(&b, cap_ns(&ca, 0), cap_nr(&ca, 0), 1, 0), L2TP_REL_DELIVER);
	ck_assert_int_eq(output(&b, 100, &cb), 0);
	ck_assert_int_eq(cb.n, 1);              /* ZLB, lost */
	ck_assert(cap_is_zlb(&cb, 0));
	ck_assert_int_eq(output(&a, 1000, &ca), 0);
	ck_assert_int_eq(ca.n, 2);
	ck_assert_int_eq(rx_msg(&b, cap_ns(&ca, 1), cap_nr(&ca, 1), 1, 1010),
			 L2TP_REL_DUPLICATE);
	ck_assert_uint_eq(b.stats.duplicates, 1);
	ck_assert_uint_eq(b.nr, 1);
	ck_assert_uint_eq(l2tp_rel_next_deadline(&b), 1010);   /* immediately, no delay */
	ck_assert_int_eq(output(&b, 1010, &cb), 0);
	ck_assert_int_eq(cb.n, 2);
	ck_assert(cap_is_zlb(&cb, 1));
	ck_assert_uint_eq(cap_nr(&cb, 1), 1);
	ck_assert_int_eq(rx_zlb(&a, cap_ns(&cb, 1), cap_nr(&cb, 1), 1011), L2TP_REL_ZLB);
	ck_assert(l2tp_rel_all_acked(&a));
	ck_assert_uint_eq(a.retries, 0);
	ck_assert_uint_eq(a.rto_ms, 1000);
	l2tp_rel_free(&a);
	l2tp_rel_free(&b);
}
END_TEST

START_TEST(test_reorder_queued_then_delivered)
{
	struct l2tp_rel r;
	uint8_t buf[L2TP_MAX_MSG];
	size_t n;

	rel_setup(&r, 8, 4);
	ck_assert_int_eq(rx_msg(&r, 2, 0, 102, 0), L2TP_REL_QUEUED);
	ck_assert_int_eq(rx_msg(&r, 1, 0, 101, 0), L2TP_REL_QUEUED);
	ck_assert_int_eq(rx_msg(&r, 2, 0, 102, 0), L2TP_REL_DUPLICATE);  /* second copy */
	ck_assert_uint_eq(r.nr, 0);
	ck_assert_uint_eq(l2tp_rel_pop_ready(&r, buf, sizeof(buf), 0), 0);  /* gap */
	ck_assert_int_eq(rx_msg(&r, 0, 0, 100, 0), L2TP_REL_DELIVER);
	ck_assert_uint_eq(r.nr, 1);
	n = l2tp_rel_pop_ready(&r, buf, sizeof(buf), 0);
	ck_assert_uint_eq(n, MSG_LEN);
	ck_assert_uint_eq(get16(buf + 12), 101);
	n = l2tp_rel_pop_ready(&r, buf, sizeof(buf), 0);
	ck_assert_uint_eq(n, MSG_LEN);
	ck_assert_uint_eq(get16(buf + 12), 102);
	ck_assert_uint_eq(l2tp_rel_pop_ready(&r, buf, sizeof(buf), 0), 0);
	ck_assert_uint_eq(r.nr, 3);
	ck_assert_uint_eq(r.stats.reordered, 2);
	ck_assert_uint_eq(r.stats.duplicates, 1);
	ck_assert_int_eq(rx_msg(&r, 1, 0, 101, 0), L2TP_REL_DUPLICATE);
	l2tp_rel_free(&r);
}
END_TEST

/* A copy of the message that waits for pop_ready is a duplicate, not a delivery. */
START_TEST(test_duplicate_of_ready_message)
{
	struct l2tp_rel r;
	uint8_t buf[L2TP_MAX_MSG];

	rel_setup(&r, 4, 4);
	ck_assert_int_eq(rx_msg(&r, 1, 0, 101, 0), L2TP_REL_QUEUED);
	ck_assert_int_eq(rx_msg(&r, 0, 0, 100, 0), L2TP_REL_DELIVER);
	ck_assert_int_eq(rx_msg(&r, 1, 0, 101, 0), L2TP_REL_DUPLICATE);
	ck_assert_uint_eq(r.nr, 1);
	ck_assert_uint_eq(l2tp_rel_pop_ready(&r, buf, sizeof(buf), 0), MSG_LEN);
	ck_assert_uint_eq(get16(buf + 12), 101);
	ck_assert_uint_eq(r.nr, 2);
	ck_assert_uint_eq(l2tp_rel_pop_ready(&r, buf, sizeof(buf), 0), 0);
	l2tp_rel_free(&r);
}
END_TEST

/* A queued message too big for the caller's buffer is dropped, Nr stays. */
START_TEST(test_pop_ready_small_buffer)
{
	struct l2tp_rel r;
	uint8_t buf[8];

	rel_setup(&r, 8, 4);
	ck_assert_int_eq(rx_msg(&r, 1, 0, 101, 0), L2TP_REL_QUEUED);
	ck_assert_int_eq(rx_msg(&r, 0, 0, 100, 0), L2TP_REL_DELIVER);
	ck_assert_uint_eq(l2tp_rel_pop_ready(&r, buf, sizeof(buf), 0), 0);
	ck_assert_uint_eq(r.nr, 1);
	ck_assert_uint_eq(r.stats.nomem, 1);
	ck_assert_int_eq(rx_msg(&r, 1, 0, 101, 0), L2TP_REL_DELIVER);
	l2tp_rel_free(&r);
}
END_TEST

/* Receive window: which offsets from Nr are queued, dropped or duplicates. */
static const struct {
	uint16_t our_rws;
	uint16_t nr;
	uint16_t ns;
	enum l2tp_rel_verdict want;
} window_cases[] = {
	{ 4, 10, 10, L2TP_REL_DELIVER },
	{ 4, 10, 11, L2TP_REL_QUEUED },
	{ 4, 10, 13, L2TP_REL_QUEUED },
	{ 4, 10, 14, L2TP_REL_OUT_OF_WINDOW },
	{ 4, 10, 9000, L2TP_REL_OUT_OF_WINDOW },
	{ 4, 10, 9, L2TP_REL_DUPLICATE },
	{ 4, 10, 50000, L2TP_REL_DUPLICATE },       /* more than 2^15 ahead = behind */
	{ 1, 10, 10, L2TP_REL_DELIVER },
	{ 1, 10, 11, L2TP_REL_OUT_OF_WINDOW },
	{ 0, 10, 11, L2TP_REL_OUT_OF_WINDOW },      /* 0 treated as 1 */
	{ 8, 65530, 1, L2TP_REL_QUEUED },           /* offset 7 across the wrap */
	{ 8, 65530, 2, L2TP_REL_OUT_OF_WINDOW },    /* offset 8 */
	{ 8, 2, 65535, L2TP_REL_DUPLICATE },
};

START_TEST(test_window_table)
{
	struct l2tp_rel r;
	enum l2tp_rel_verdict v;

	rel_setup(&r, window_cases[_i].our_rws, 4);
	r.nr = window_cases[_i].nr;
	v = rx_msg(&r, window_cases[_i].ns, 0, 1, 0);
	ck_assert_msg(v == window_cases[_i].want, "case %d: verdict %d, want %d", _i, v,
		      window_cases[_i].want);
	if (v == L2TP_REL_OUT_OF_WINDOW) {
		ck_assert_uint_eq(r.stats.out_of_window, 1);
		ck_assert(!r.ack_pending);
	}
	if (v == L2TP_REL_DUPLICATE)
		ck_assert_uint_eq(r.ack_deadline, 0);
	l2tp_rel_free(&r);
}
END_TEST

/* ---- acks ----------------------------------------------------------------- */

START_TEST(test_bad_and_stale_nr_ignored)
{
	struct l2tp_rel r;
	struct capture c = { 0 };

	rel_setup(&r, 8, 4);
	queue_tag(&r, 0);
	queue_tag(&r, 1);
	ck_assert_int_eq(output(&r, 0, &c), 0);     /* Ns 0 in flight, Ns 1 pending */
	ck_assert_int_eq(rx_zlb(&r, 0, 2, 10), L2TP_REL_ZLB);  /* acks unsent Ns 1 */
	ck_assert_uint_eq(r.stats.bad_nr, 1);
	ck_assert_uint_eq(r.n_fly, 1);
	ck_assert_int_eq(rx_zlb(&r, 0, 100, 10), L2TP_REL_ZLB);
	ck_assert_uint_eq(r.stats.bad_nr, 2);
	ck_assert_int_eq(rx_zlb(&r, 0, 40000, 10), L2TP_REL_ZLB);  /* 2^15 away: "before" */
	ck_assert_uint_eq(r.stats.bad_nr, 2);
	ck_assert_int_eq(rx_zlb(&r, 0, 1, 10), L2TP_REL_ZLB);
	ck_assert_uint_eq(r.n_fly, 0);
	ck_assert_int_eq(rx_zlb(&r, 0, 0, 10), L2TP_REL_ZLB);  /* stale: not counted */
	ck_assert_uint_eq(r.stats.bad_nr, 2);
	ck_assert_uint_eq(r.una, 1);
	l2tp_rel_free(&r);
}
END_TEST

/* Peer RWS 4: never more than 4 in flight; more go out as acks arrive. */
START_TEST(test_peer_window_enforced)
{
	struct l2tp_rel r;
	struct capture c = { 0 };
	uint16_t acked = 0;
	uint64_t now = 0;
	int sent = 0;

	rel_setup(&r, 8, 4);
	for (uint16_t i = 0; i < 20; i++)
		queue_tag(&r, i);
	while (sent < 20) {
		int before = c.n;

		ck_assert_int_eq(output(&r, now, &c), 0);
		sent += c.n - before;
		ck_assert_uint_le(r.n_fly, 4);
		ck_assert_uint_le(r.n_fly, r.cwnd);
		for (int i = before; i < c.n; i++)
			ck_assert_uint_eq(cap_tag(&c, i), (uint16_t)i);
		/* Window full: nothing more until an ack. */
		ck_assert_int_eq(output(&r, now, &c), 0);
		ck_assert_int_eq(c.n, sent);
		ck_assert(l2tp_rel_next_deadline(&r) != 0 || r.pend_head == NULL);
		/* Ack everything in flight at once. */
		acked = (uint16_t)(acked + r.n_fly);
		now += 10;
		ck_assert_int_eq(rx_zlb(&r, 0, acked, now), L2TP_REL_ZLB);
		if (r.pend_head != NULL)
			ck_assert_uint_eq(l2tp_rel_next_deadline(&r), 0);
	}
	ck_assert(l2tp_rel_all_acked(&r));
	ck_assert_uint_eq(r.stats.retransmits, 0);
	ck_assert_uint_eq(r.cwnd, 4);
	/* Batches: 1, 2 (slow start), then 4 each. */
	ck_assert_uint_eq(cap_tag(&c, 1), 1);
	l2tp_rel_free(&r);
}
END_TEST

/*
 * Appendix A: slow start to SSTHRESH, then +1 per CWND acks; a timeout
 * halves SSTHRESH and restarts at 1. Acks come one message at a time.
 */
START_TEST(test_cwnd_sequence)
{
	static const uint16_t before_timeout[] = { 2, 3, 4, 5, 6, 7, 8 };
	static const uint16_t after_timeout[] = { 2, 3, 4, 4, 4, 4, 5, 5 };
	static const uint16_t ca[] = { 5, 5, 5, 6, 6, 6 };
	struct l2tp_rel r;
	struct capture c = { 0 };
	uint16_t nr = 0;
	uint64_t now = 0;

	rel_setup(&r, 8, 16);
	ck_assert_uint_eq(r.ssthresh, 16);
	for (uint16_t i = 0; i < 60; i++)
		queue_tag(&r, i);
	for (size_t i = 0; i < sizeof(before_timeout) / sizeof(before_timeout[0]); i++) {
		ck_assert_int_eq(output(&r, now, &c), 0);
		ck_assert_int_eq(rx_zlb(&r, 0, ++nr, now), L2TP_REL_ZLB);
		ck_assert_uint_eq(r.cwnd, before_timeout[i]);
	}
	ck_assert_int_eq(output(&r, now, &c), 0);
	ck_assert_uint_eq(r.n_fly, 8);
	/* Timeout: SSTHRESH 8/2 = 4, CWND 1, only the oldest retransmitted. */
	now = l2tp_rel_next_deadline(&r);
	c.n = 0;
	ck_assert_int_eq(output(&r, now, &c), 0);
	ck_assert_int_eq(c.n, 1);
	ck_assert_uint_eq(cap_ns(&c, 0), nr);
	ck_assert_uint_eq(r.ssthresh, 4);
	ck_assert_uint_eq(r.cwnd, 1);
	for (size_t i = 0; i < sizeof(after_timeout) / sizeof(after_timeout[0]); i++) {
		ck_assert_int_eq(rx_zlb(&r, 0, ++nr, now), L2TP_REL_ZLB);
		ck_assert_uint_eq(r.cwnd, after_timeout[i]);
	}
	ck_assert_uint_eq(r.n_fly, 0);
	for (size_t i = 0; i < sizeof(ca) / sizeof(ca[0]); i++) {
		ck_assert_int_eq(output(&r, now, &c), 0);
		ck_assert_uint_le(r.n_fly, r.cwnd);
		ck_assert_int_eq(rx_zlb(&r, 0, ++nr, now), L2TP_REL_ZLB);
		ck_assert_uint_eq(r.cwnd, ca[i]);
	}
	l2tp_rel_free(&r);
}
END_TEST

START_TEST(test_cwnd_capped_by_peer_rws)
{
	struct l2tp_rel r;
	struct capture c = { 0 };
	uint16_t nr = 0;

	rel_setup(&r, 8, 3);
	for (uint16_t i = 0; i < 10; i++)
		queue_tag(&r, i);
	for (int i = 0; i < 10; i++) {
		ck_assert_int_eq(output(&r, 0, &c), 0);
		ck_assert_int_eq(rx_zlb(&r, 0, ++nr, 0), L2TP_REL_ZLB);
		ck_assert_uint_le(r.cwnd, 3);
	}
	ck_assert_uint_eq(r.cwnd, 3);
	/* Lowering the peer window later lowers CWND with it. */
	l2tp_rel_set_peer_rws(&r, 2);
	ck_assert_uint_eq(r.cwnd, 2);
	ck_assert_uint_eq(r.ssthresh, 2);
	l2tp_rel_free(&r);
}
END_TEST

/* ---- backoff -------------------------------------------------------------- */

/* §5.8: 1, 2, 4, 8, 8 s with an 8 s cap; after 5 retransmissions, give up. */
START_TEST(test_backoff_and_retry_limit)
{
	static const uint64_t rtx_at[] = { 1000, 3000, 7000, 15000, 23000 };
	struct l2tp_rel r;
	struct capture c = { 0 };

	rel_setup(&r, 8, 4);
	queue_tag(&r, 9);
	ck_assert_int_eq(output(&r, 0, &c), 0);
	for (size_t i = 0; i < sizeof(rtx_at) / sizeof(rtx_at[0]); i++) {
		ck_assert_uint_eq(l2tp_rel_next_deadline(&r), rtx_at[i]);
		ck_assert_int_eq(output(&r, rtx_at[i] - 1, &c), 0);
		ck_assert_int_eq(c.n, (int)i + 1);
		ck_assert_int_eq(output(&r, rtx_at[i], &c), 0);
		ck_assert_int_eq(c.n, (int)i + 2);
		ck_assert_uint_eq(cap_ns(&c, (int)i + 1), 0);
	}
	ck_assert_uint_eq(r.stats.retransmits, 5);
	ck_assert_uint_eq(l2tp_rel_next_deadline(&r), 31000);
	ck_assert_int_eq(output(&r, 30999, &c), 0);
	ck_assert_int_eq(output(&r, 31000, &c), -ETIMEDOUT);
	ck_assert(r.failed);
	ck_assert_int_eq(c.n, 6);
	/* Failed stays failed, and says nothing more even with an ack due. */
	ck_assert_int_eq(rx_msg(&r, 0, 0, 1, 31001), L2TP_REL_DELIVER);
	queue_tag(&r, 10);
	ck_assert_int_eq(output(&r, 40000, &c), -ETIMEDOUT);
	ck_assert_int_eq(c.n, 6);
	ck_assert_uint_eq(l2tp_rel_next_deadline(&r), UINT64_MAX);
	l2tp_rel_free(&r);
}
END_TEST

/* An ack that moves una restarts the backoff for the next message. */
START_TEST(test_ack_resets_backoff)
{
	struct l2tp_rel r;
	struct capture c = { 0 };

	rel_setup(&r, 8, 4);
	queue_tag(&r, 0);
	queue_tag(&r, 1);
	ck_assert_int_eq(output(&r, 0, &c), 0);
	ck_assert_int_eq(output(&r, 1000, &c), 0);
	ck_assert_int_eq(output(&r, 3000, &c), 0);
	ck_assert_uint_eq(r.retries, 2);
	ck_assert_uint_eq(r.rto_ms, 4000);
	ck_assert_int_eq(rx_zlb(&r, 0, 1, 3500), L2TP_REL_ZLB);
	ck_assert_uint_eq(r.retries, 0);
	ck_assert_uint_eq(r.rto_ms, 1000);
	ck_assert_uint_eq(l2tp_rel_next_deadline(&r), 0);   /* Ns 1 may go */
	ck_assert_int_eq(output(&r, 3500, &c), 0);
	ck_assert_int_eq(c.n, 4);
	ck_assert_uint_eq(cap_ns(&c, 3), 1);
	ck_assert_uint_eq(l2tp_rel_next_deadline(&r), 4500);
	l2tp_rel_free(&r);
}
END_TEST

/* With several in flight, an ack of the oldest restarts the timer for the next. */
START_TEST(test_partial_ack_restarts_timer)
{
	struct l2tp_rel r;
	struct capture c = { 0 };

	rel_setup(&r, 8, 4);
	r.cwnd = 4;
	for (uint16_t i = 0; i < 3; i++)
		queue_tag(&r, i);
	ck_assert_int_eq(output(&r, 0, &c), 0);
	ck_assert_int_eq(c.n, 3);
	ck_assert_int_eq(rx_zlb(&r, 0, 1, 600), L2TP_REL_ZLB);
	ck_assert_uint_eq(r.n_fly, 2);
	ck_assert_uint_eq(r.una, 1);
	ck_assert_uint_eq(l2tp_rel_next_deadline(&r), 1600);
	ck_assert_int_eq(output(&r, 1600, &c), 0);
	ck_assert_int_eq(c.n, 4);
	ck_assert_uint_eq(cap_ns(&c, 3), 1);
	l2tp_rel_free(&r);
}
END_TEST

/* ---- next_deadline -------------------------------------------------------- */

START_TEST(test_next_deadline_cases)
{
	struct l2tp_rel r;
	struct capture c = { 0 };

	rel_setup(&r, 8, 4);
	ck_assert_uint_eq(l2tp_rel_next_deadline(&r), UINT64_MAX);          /* idle */
	queue_tag(&r, 0);
	ck_assert_uint_eq(l2tp_rel_next_deadline(&r), 0);                   /* can send */
	ck_assert_int_eq(output(&r, 100, &c), 0);
	ck_assert_uint_eq(l2tp_rel_next_deadline(&r), 1100);                /* rtx timer */
	queue_tag(&r, 1);
	ck_assert_uint_eq(l2tp_rel_next_deadline(&r), 1100);                /* window full */
	ck_assert_int_eq(rx_msg(&r, 0, 0, 5, 200), L2TP_REL_DELIVER);
	ck_assert_uint_eq(l2tp_rel_next_deadline(&r), 300);                 /* delayed ack */
	ck_assert_int_eq(rx_msg(&r, 0, 0, 5, 250), L2TP_REL_DUPLICATE);
	ck_assert_uint_eq(l2tp_rel_next_deadline(&r), 250);                 /* ack now */
	ck_assert_int_eq(output(&r, 250, &c), 0);
	ck_assert_uint_eq(l2tp_rel_next_deadline(&r), 1100);
	ck_assert_int_eq(rx_zlb(&r, 1, 1, 260), L2TP_REL_ZLB);
	ck_assert_uint_eq(l2tp_rel_next_deadline(&r), 0);                   /* window opened */
	ck_assert_int_eq(output(&r, 260, &c), 0);
	ck_assert_uint_eq(l2tp_rel_next_deadline(&r), 1260);
	ck_assert_int_eq(rx_zlb(&r, 1, 2, 270), L2TP_REL_ZLB);
	ck_assert_uint_eq(l2tp_rel_next_deadline(&r), UINT64_MAX);
	l2tp_rel_free(&r);
}
END_TEST

/* ---- two endpoints over a lossy, reordering link ------------------------- */

struct wire_pkt {
	int to;
	size_t len;
	uint8_t data[MSG_LEN];
};

struct sim {
	struct l2tp_rel ep[2];
	uint16_t next_tag[2];           /* next tag each side expects to receive */
	struct wire_pkt wire[64];
	int n_wire;
	uint32_t rng;                   /* xorshift state: fixed seed, repeatable losses */
	unsigned drop_pct;              /* chance of losing each packet */
	bool reorder;                   /* deliver each batch in reverse order */
};

struct sim_port {
	struct sim *s;
	int to;
};

static void sim_emit(void *ctx, const uint8_t *pkt, size_t len)
{
	struct sim_port *p = ctx;
	struct sim *s = p->s;

	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 17;
	s->rng ^= s->rng << 5;
	if (s->rng % 100 < s->drop_pct)
		return;
	ck_assert_int_lt(s->n_wire, 64);
	ck_assert_uint_le(len, MSG_LEN);
	s->wire[s->n_wire].to = p->to;
	s->wire[s->n_wire].len = len;
	memcpy(s->wire[s->n_wire].data, pkt, len);
	s->n_wire++;
}

static void sim_deliver(struct sim *s, const struct wire_pkt *w, uint64_t now)
{
	struct l2tp_rel *r = &s->ep[w->to];
	bool zlb = w->len == L2TP_CTRL_HDR_LEN;
	uint8_t buf[L2TP_MAX_MSG];
	size_t n;

	switch (l2tp_rel_input(r, w->data, w->len, get16(w->data + 8), get16(w->data + 10),
			       zlb, now)) {
	case L2TP_REL_DELIVER:
		ck_assert_uint_eq(get16(w->data + 12), s->next_tag[w->to]);
		s->next_tag[w->to]++;
		while ((n = l2tp_rel_pop_ready(r, buf, sizeof(buf), now)) != 0) {
			ck_assert_uint_eq(n, MSG_LEN);
			ck_assert_uint_eq(get16(buf + 12), s->next_tag[w->to]);
			s->next_tag[w->to]++;
		}
		break;
	case L2TP_REL_ZLB:
		ck_assert(zlb);
		break;
	case L2TP_REL_DUPLICATE:
	case L2TP_REL_QUEUED:
		break;
	case L2TP_REL_OUT_OF_WINDOW:
		ck_abort_msg("window overrun: peer sent beyond our window");
		break;
	}
}

/* Both sides send n messages each; returns the simulated time it took. */
static uint64_t sim_run(struct sim *s, uint16_t start_seq, uint16_t n)
{
	struct sim_port port[2] = { { s, 1 }, { s, 0 } };
	uint64_t now = 0;
	int guard = 0;

	for (int i = 0; i < 2; i++) {
		rel_setup(&s->ep[i], 4, 4);
		s->ep[i].ns = start_seq;
		s->ep[i].nr = start_seq;
		for (uint16_t t = 0; t < n; t++)
			queue_tag(&s->ep[i], t);
	}
	while (!(s->next_tag[0] == n && s->next_tag[1] == n &&
		 l2tp_rel_all_acked(&s->ep[0]) && l2tp_rel_all_acked(&s->ep[1]))) {
		uint64_t d0, d1, next;

		ck_assert_int_lt(++guard, 10000);
		for (int i = 0; i < 2; i++)
			ck_assert_int_eq(l2tp_rel_output(&s->ep[i], now, sim_emit, &port[i]), 0);
		if (s->n_wire > 0) {
			struct wire_pkt batch[64];
			int nb = s->n_wire;

			memcpy(batch, s->wire, sizeof(batch[0]) * (size_t)nb);
			s->n_wire = 0;
			for (int i = 0; i < nb; i++)
				sim_deliver(s, &batch[s->reorder ? nb - 1 - i : i], now + 5);
			now += 5;
			continue;
		}
		d0 = l2tp_rel_next_deadline(&s->ep[0]);
		d1 = l2tp_rel_next_deadline(&s->ep[1]);
		next = d0 < d1 ? d0 : d1;
		ck_assert_uint_ne(next, UINT64_MAX);
		if (next > now)
			now = next;
	}
	for (int i = 0; i < 2; i++) {
		ck_assert_uint_eq(s->ep[i].ns, (uint16_t)(start_seq + n));
		ck_assert_uint_eq(s->ep[i].nr, (uint16_t)(start_seq + n));
		ck_assert(!s->ep[i].failed);
	}
	return now;
}

static const struct {
	uint16_t start;
	unsigned drop_pct;
	bool reorder;
} sim_cases[] = {
	{ 0, 0, false },
	{ 65530, 0, false },        /* through the wrap, both directions */
	{ 65530, 0, true },
	{ 65533, 20, false },
	{ 65533, 25, true },
	{ 32760, 20, true },        /* through the sign change of int16 */
	{ 100, 35, true },
};

START_TEST(test_sim_loss_reorder_wrap)
{
	struct sim *s = calloc(1, sizeof(*s));

	ck_assert_ptr_nonnull(s);
	s->rng = 0x9e3779b9u + (uint32_t)_i;
	s->drop_pct = sim_cases[_i].drop_pct;
	s->reorder = sim_cases[_i].reorder;
	sim_run(s, sim_cases[_i].start, 40);
	if (s->drop_pct != 0)
		ck_assert_uint_gt(s->ep[0].stats.retransmits + s->ep[1].stats.retransmits, 0);
	if (s->reorder && s->drop_pct == 0)
		ck_assert_uint_gt(s->ep[0].stats.reordered + s->ep[1].stats.reordered, 0);
	l2tp_rel_free(&s->ep[0]);
	l2tp_rel_free(&s->ep[1]);
	free(s);
}
END_TEST

/* Ns 65535, 0, 1 arriving as 0, 1, 65535: queued across the wrap, then in order. */
START_TEST(test_reorder_across_wrap)
{
	struct l2tp_rel r;
	uint8_t buf[L2TP_MAX_MSG];
	struct capture c = { 0 };

	rel_setup(&r, 8, 4);
	r.nr = 65535;
	ck_assert_int_eq(rx_msg(&r, 0, 0, 2, 0), L2TP_REL_QUEUED);
	ck_assert_int_eq(rx_msg(&r, 1, 0, 3, 0), L2TP_REL_QUEUED);
	ck_assert_int_eq(rx_msg(&r, 65535, 0, 1, 0), L2TP_REL_DELIVER);
	ck_assert_uint_eq(l2tp_rel_pop_ready(&r, buf, sizeof(buf), 0), MSG_LEN);
	ck_assert_uint_eq(get16(buf + 12), 2);
	ck_assert_uint_eq(l2tp_rel_pop_ready(&r, buf, sizeof(buf), 0), MSG_LEN);
	ck_assert_uint_eq(get16(buf + 12), 3);
	ck_assert_uint_eq(l2tp_rel_pop_ready(&r, buf, sizeof(buf), 0), 0);
	ck_assert_uint_eq(r.nr, 2);
	ck_assert_int_eq(rx_msg(&r, 65535, 0, 1, 0), L2TP_REL_DUPLICATE);
	ck_assert_int_eq(output(&r, 0, &c), 0);
	ck_assert_int_eq(c.n, 1);
	ck_assert_uint_eq(cap_nr(&c, 0), 2);
	l2tp_rel_free(&r);
}
END_TEST

/* Sending across the wrap: Ns 65534, 65535, 0, 1 acked by Nr 0 and then 2. */
START_TEST(test_send_across_wrap)
{
	struct l2tp_rel r;
	struct capture c = { 0 };

	rel_setup(&r, 8, 4);
	r.ns = 65534;
	r.cwnd = 4;
	for (uint16_t i = 0; i < 4; i++)
		queue_tag(&r, i);
	ck_assert_uint_eq(r.una, 65534);
	ck_assert_int_eq(output(&r, 0, &c), 0);
	ck_assert_int_eq(c.n, 4);
	ck_assert_uint_eq(cap_ns(&c, 0), 65534);
	ck_assert_uint_eq(cap_ns(&c, 1), 65535);
	ck_assert_uint_eq(cap_ns(&c, 2), 0);
	ck_assert_uint_eq(cap_ns(&c, 3), 1);
	ck_assert_int_eq(rx_zlb(&r, 0, 0, 10), L2TP_REL_ZLB);
	ck_assert_uint_eq(r.n_fly, 2);
	ck_assert_uint_eq(r.una, 0);
	ck_assert_int_eq(rx_zlb(&r, 0, 65535, 10), L2TP_REL_ZLB);  /* stale */
	ck_assert_uint_eq(r.n_fly, 2);
	ck_assert_int_eq(rx_zlb(&r, 0, 3, 10), L2TP_REL_ZLB);      /* beyond: ignored */
	ck_assert_uint_eq(r.n_fly, 2);
	ck_assert_int_eq(rx_zlb(&r, 0, 2, 10), L2TP_REL_ZLB);
	ck_assert(l2tp_rel_all_acked(&r));
	ck_assert_uint_eq(r.stats.bad_nr, 1);
	l2tp_rel_free(&r);
}
END_TEST

/* ---- when an ack goes out (docs/design.md §8.1) ------------------------- */

enum ack_ev {
	EV_DELIVER,     /* the next message in order */
	EV_DUPLICATE,   /* a message delivered before, again */
	EV_OUT_OF_ORDER /* one ahead of Nr, inside our window */
};

/*
 * State before the event (at t = 10): pre in-order deliveries at t = 0 not
 * acked yet; a message of ours waiting behind a closed window (pending) or
 * a reply queued right after the event with the window open (reply); a
 * duplicate already answered at t = 1 (quick). Expected: the first
 * transmission after the event, its time and whether it is a ZLB.
 */
static const struct ack_case {
	const char *name;
	uint16_t our_rws;
	uint16_t pre;
	bool pending, reply, quick;
	enum ack_ev ev;
	uint64_t ack_at;
	bool zlb;
} ack_cases[] = {
	{ "one delivery: delayed", 8, 0, false, false, false, EV_DELIVER, 110, true },
	{ "3 of window 8: delayed, earliest deadline", 8, 2, false, false, false, EV_DELIVER,
	  100, true },
	{ "4 of window 8 (half): at once", 8, 3, false, false, false, EV_DELIVER, 10, true },
	{ "window 1: every message at once", 1, 0, false, false, false, EV_DELIVER, 10, true },
	{ "2 of window 3 (half rounded up): at once", 3, 1, false, false, false, EV_DELIVER,
	  10, true },
	{ "2 of window 16: delayed", 16, 1, false, false, false, EV_DELIVER, 100, true },
	{ "reply queued, window open: piggy-backed", 8, 0, false, true, false, EV_DELIVER, 10,
	  false },
	{ "one unacked behind a closed window: delayed", 8, 0, true, false, false,
	  EV_DELIVER, 110, true },
	{ "2 unacked behind a closed window: ZLB at once", 8, 1, true, false, false,
	  EV_DELIVER, 10, true },
	{ "duplicate: at once", 8, 0, false, false, false, EV_DUPLICATE, 10, true },
	{ "duplicate behind a closed window: at once", 8, 0, true, false, false, EV_DUPLICATE,
	  10, true },
	{ "delivery after a duplicate (quick ack): at once", 8, 0, false, false, true,
	  EV_DELIVER, 10, true },
	{ "out of order, queued: delayed", 8, 0, false, false, false, EV_OUT_OF_ORDER, 110,
	  true },
	{ "out of order, 3 unacked before: delayed (Nr did not move)", 8, 3, false, false,
	  false, EV_OUT_OF_ORDER, 100, true },
};

START_TEST(test_ack_timing_table)
{
	const struct ack_case *k = &ack_cases[_i];
	struct l2tp_rel r;
	struct capture c = { 0 };
	uint16_t ns = 0;
	int before;
	uint64_t t;

	rel_setup(&r, k->our_rws, 4);
	if (k->pending) {
		queue_tag(&r, 0x100);
		queue_tag(&r, 0x101);
		ck_assert_int_eq(output(&r, 0, &c), 0);    /* cwnd 1: the second waits */
		ck_assert_int_eq(c.n, 1);
	}
	for (uint16_t i = 0; i < k->pre; i++)
		ck_assert_int_eq(rx_msg(&r, ns++, 0, i, 0), L2TP_REL_DELIVER);
	if (k->quick) {
		ck_assert_int_eq(rx_msg(&r, ns++, 0, 0x50, 0), L2TP_REL_DELIVER);
		ck_assert_int_eq(output(&r, 0, &c), 0);
		ck_assert_int_eq(rx_msg(&r, (uint16_t)(ns - 1), 0, 0x50, 1), L2TP_REL_DUPLICATE);
		ck_assert_int_eq(output(&r, 1, &c), 0);
		ck_assert_uint_eq(cap_nr(&c, c.n - 1), ns);
	}
	ck_assert_int_eq(output(&r, 0, &c), 0);
	before = c.n;
	switch (k->ev) {
	case EV_DELIVER:
		ck_assert_int_eq(rx_msg(&r, ns++, 0, 0x77, 10), L2TP_REL_DELIVER);
		break;
	case EV_DUPLICATE:
		ck_assert_int_eq(rx_msg(&r, ns++, 0, 0x77, 5), L2TP_REL_DELIVER);
		ck_assert_int_eq(output(&r, 5, &c), 0);
		before = c.n;
		ck_assert_int_eq(rx_msg(&r, (uint16_t)(ns - 1), 0, 0x77, 10), L2TP_REL_DUPLICATE);
		break;
	case EV_OUT_OF_ORDER:
		ck_assert_int_eq(rx_msg(&r, (uint16_t)(ns + 1), 0, 0x77, 10), L2TP_REL_QUEUED);
		break;
	}
	if (k->reply)
		queue_tag(&r, 0x200);
	for (t = 10; t <= 400 && c.n == before; t++)
		ck_assert_int_eq(output(&r, t, &c), 0);
	ck_assert_msg(c.n > before, "%s: no ack", k->name);
	ck_assert_msg(t - 1 == k->ack_at, "%s: ack at %llu, want %llu", k->name,
		      (unsigned long long)(t - 1), (unsigned long long)k->ack_at);
	ck_assert_msg(cap_is_zlb(&c, before) == k->zlb, "%s: zlb %d", k->name,
		      cap_is_zlb(&c, before));
	ck_assert_uint_eq(cap_nr(&c, before), ns);     /* acks everything in order */
	l2tp_rel_free(&r);
}
END_TEST

/* Quick acks after a duplicate last our_rws deliveries, then the delay is back. */
START_TEST(test_quick_acks_run_out)
{
	struct l2tp_rel r;
	struct capture c = { 0 };
	uint16_t ns = 0;
	uint64_t t = 0;

	rel_setup(&r, 8, 4);
	ck_assert_int_eq(rx_msg(&r, ns++, 0, 1, t), L2TP_REL_DELIVER);
	ck_assert_int_eq(rx_msg(&r, 0, 0, 1, t), L2TP_REL_DUPLICATE);
	ck_assert_int_eq(output(&r, t, &c), 0);
	ck_assert_int_eq(c.n, 1);
	for (int i = 0; i < 8; i++) {
		t += 10;
		ck_assert_int_eq(rx_msg(&r, ns++, 0, 1, t), L2TP_REL_DELIVER);
		ck_assert_int_eq(output(&r, t, &c), 0);
		ck_assert_int_eq(c.n, 2 + i);
		ck_assert_uint_eq(cap_nr(&c, c.n - 1), ns);
	}
	t += 10;
	ck_assert_int_eq(rx_msg(&r, ns++, 0, 1, t), L2TP_REL_DELIVER);
	ck_assert_int_eq(output(&r, t, &c), 0);
	ck_assert_int_eq(c.n, 9);
	ck_assert_uint_eq(l2tp_rel_next_deadline(&r), t + 100);
	ck_assert_uint_eq(r.stats.ack_now, 8);
	l2tp_rel_free(&r);
}
END_TEST

/* Receipt to ack, per message: delayed, at once, and held out of order. */
START_TEST(test_ack_delay_histogram)
{
	struct l2tp_rel r;
	struct l2tp_ack_hist h = { 0 };
	struct capture c = { 0 };
	uint8_t buf[L2TP_MAX_MSG];

	rel_setup(&r, 8, 4);
	r.ack_hist = &h;
	ck_assert_int_eq(rx_msg(&r, 0, 0, 1, 1000), L2TP_REL_DELIVER);
	ck_assert_int_eq(rx_msg(&r, 1, 0, 1, 1040), L2TP_REL_DELIVER);
	ck_assert_int_eq(output(&r, 1100, &c), 0);       /* ZLB: 100 and 60 ms */
	ck_assert_uint_eq(h.count, 2);
	ck_assert_uint_eq(h.sum_ms, 160);
	ck_assert_uint_eq(h.max_ms, 100);
	ck_assert_uint_eq(h.bucket[3], 2);                /* (50, 100] */
	/* Ns 3 before Ns 2: held 700 ms, both acked on the reply at 1800. */
	ck_assert_int_eq(rx_msg(&r, 3, 0, 1, 1100), L2TP_REL_QUEUED);
	ck_assert_int_eq(rx_msg(&r, 2, 0, 1, 1800), L2TP_REL_DELIVER);
	ck_assert_uint_gt(l2tp_rel_pop_ready(&r, buf, sizeof(buf), 1800), 0);
	queue_tag(&r, 9);
	ck_assert_int_eq(output(&r, 1800, &c), 0);
	ck_assert(!cap_is_zlb(&c, c.n - 1));
	ck_assert_uint_eq(cap_nr(&c, c.n - 1), 4);
	ck_assert_uint_eq(h.count, 4);
	ck_assert_uint_eq(h.sum_ms, 160 + 0 + 700);
	ck_assert_uint_eq(h.max_ms, 700);
	ck_assert_uint_eq(h.bucket[0], 1);                /* <= 1 ms */
	ck_assert_uint_eq(h.bucket[7], 1);                /* (500, 1000] */
	/* A retransmission that acks nothing new counts nothing. */
	ck_assert_int_eq(output(&r, 2800, &c), 0);
	ck_assert_uint_eq(h.count, 4);
	l2tp_rel_free(&r);
}
END_TEST

/* ---- recovery after a stall (docs/design.md §8.1) ------------------------ */

struct count_emit {
	unsigned n, zlb;
};

static void count_emit_fn(void *ctx, const uint8_t *pkt, size_t len)
{
	struct count_emit *ce = ctx;

	(void)pkt;
	ce->n++;
	ce->zlb += len == L2TP_CTRL_HDR_LEN;
}

/*
 * A peer that acks everything in flight 10 ms after each round. Returns the
 * first transmissions of each of n rounds in per_round[].
 */
static void run_rounds(struct l2tp_rel *r, uint64_t *t, unsigned *per_round, int n)
{
	for (int i = 0; i < n; i++) {
		struct count_emit ce = { 0 };
		uint64_t sent = r->stats.sent;

		ck_assert_int_eq(l2tp_rel_output(r, *t, count_emit_fn, &ce), 0);
		per_round[i] = (unsigned)(r->stats.sent - sent);
		*t += 10;
		ck_assert_int_eq(rx_zlb(r, 0, (uint16_t)(r->una + r->n_fly), *t), L2TP_REL_ZLB);
	}
}

/* Grow to the full window of 8, then stall with 8 messages in flight. */
static void stall_setup(struct l2tp_rel *r, uint64_t *t)
{
	unsigned rounds[8];

	rel_setup(r, 8, 8);
	for (int i = 0; i < 400; i++)
		queue_tag(r, (uint16_t)i);
	run_rounds(r, t, rounds, 8);
	ck_assert_uint_eq(r->cwnd, 8);
	ck_assert_int_eq(l2tp_rel_output(r, *t, count_emit_fn, &(struct count_emit){ 0 }), 0);
	ck_assert_uint_eq(r->n_fly, 8);
}

/*
 * lnsd stalls 1.5 s right after sending 8 messages. The peer acked them
 * 10 ms later, but the ack waits in our socket: when the loop runs again the
 * retransmission timer (due at +1000) runs first, 500 ms late, then the ack
 * is read. The window must not collapse to 1: the next rounds carry 8.
 */
START_TEST(test_recovery_after_local_stall)
{
	struct l2tp_rel r;
	uint64_t t = 0, t0;
	unsigned rounds[6];
	struct count_emit ce = { 0 };

	stall_setup(&r, &t);
	t0 = t;
	t = t0 + 1500;
	ck_assert_int_eq(l2tp_rel_output(&r, t, count_emit_fn, &ce), 0);
	ck_assert_uint_eq(r.stats.retransmits, 1);
	ck_assert_int_eq(rx_zlb(&r, 0, (uint16_t)(r.una + r.n_fly), t), L2TP_REL_ZLB);
	run_rounds(&r, &t, rounds, 6);
	for (int i = 0; i < 6; i++)
		ck_assert_msg(rounds[i] == 8, "round %d after the stall sent %u, want 8", i,
			      rounds[i]);
	ck_assert_uint_eq(r.cwnd, 8);
	ck_assert_uint_eq(r.stats.stall_rtx, 1);
	l2tp_rel_free(&r);
}
END_TEST

/*
 * The same timeout on time is a loss in the network: Appendix A as written,
 * SSTHRESH 4, CWND 1, then slow start up to SSTHRESH and congestion
 * avoidance above it (+1 per CWND acks); the window growth is measured per
 * round.
 */
START_TEST(test_recovery_after_network_loss)
{
	struct l2tp_rel r;
	uint64_t t = 0, t0;
	unsigned rounds[6];
	static const unsigned want[6] = { 5, 6, 7, 8, 8, 8 };
	struct count_emit ce = { 0 };

	stall_setup(&r, &t);
	t0 = t;
	t = t0 + 1000;                                  /* on time: the 8 were lost */
	ck_assert_int_eq(l2tp_rel_output(&r, t, count_emit_fn, &ce), 0);
	ck_assert_uint_eq(r.stats.stall_rtx, 0);
	ck_assert_uint_eq(r.cwnd, 1);
	ck_assert_uint_eq(r.ssthresh, 4);
	/* The peer got the retransmission and the 7 after it: one ack for all
	 * 8 grows CWND by 3 in slow start (to SSTHRESH) and by 1 in avoidance. */
	t += 10;
	ck_assert_int_eq(rx_zlb(&r, 0, (uint16_t)(r.una + r.n_fly), t), L2TP_REL_ZLB);
	ck_assert_uint_eq(r.cwnd, 5);
	run_rounds(&r, &t, rounds, 6);
	for (int i = 0; i < 6; i++)
		ck_assert_msg(rounds[i] == want[i], "round %d after the loss sent %u, want %u", i,
			      rounds[i], want[i]);
	l2tp_rel_free(&r);
}
END_TEST

static Suite *rel_suite(void)
{
	Suite *s = suite_create("l2tp_rel");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_free_zeroed_and_full);
	tcase_add_test(tc, test_queue_size_limits);
	tcase_add_test(tc, test_first_send_writes_ns_nr);
	tcase_add_test(tc, test_zlb_bytes);
	tcase_add_test(tc, test_zlb_wide_ids);
	tcase_add_test(tc, test_zlb_ns_with_pending);
	tcase_add_test(tc, test_zlb_after_delay_not_before);
	tcase_add_test(tc, test_no_zlb_for_zlb);
	tcase_add_test(tc, test_piggyback_suppresses_zlb);
	tcase_add_test(tc, test_loss_and_retransmit);
	tcase_add_test(tc, test_ack_lost_duplicate_acked_at_once);
	tcase_add_test(tc, test_reorder_queued_then_delivered);
	tcase_add_test(tc, test_duplicate_of_ready_message);
	tcase_add_test(tc, test_pop_ready_small_buffer);
	tcase_add_loop_test(tc, test_window_table, 0,
			    (int)(sizeof(window_cases) / sizeof(window_cases[0])));
	tcase_add_test(tc, test_bad_and_stale_nr_ignored);
	tcase_add_test(tc, test_peer_window_enforced);
	tcase_add_test(tc, test_cwnd_sequence);
	tcase_add_test(tc, test_cwnd_capped_by_peer_rws);
	tcase_add_test(tc, test_backoff_and_retry_limit);
	tcase_add_test(tc, test_ack_resets_backoff);
	tcase_add_test(tc, test_partial_ack_restarts_timer);
	tcase_add_test(tc, test_next_deadline_cases);
	tcase_add_loop_test(tc, test_sim_loss_reorder_wrap, 0,
			    (int)(sizeof(sim_cases) / sizeof(sim_cases[0])));
	tcase_add_test(tc, test_reorder_across_wrap);
	tcase_add_test(tc, test_send_across_wrap);
	tcase_add_loop_test(tc, test_ack_timing_table, 0,
			    (int)(sizeof(ack_cases) / sizeof(ack_cases[0])));
	tcase_add_test(tc, test_quick_acks_run_out);
	tcase_add_test(tc, test_ack_delay_histogram);
	tcase_add_test(tc, test_recovery_after_local_stall);
	tcase_add_test(tc, test_recovery_after_network_loss);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rel_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
