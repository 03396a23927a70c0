// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The RFC 1661 automaton: every cell of the §4.1 state transition table,
 * driven through the real entry points (events and packets), then the
 * restart timer and counters (§4.6) and packet validation (§5).
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ppp_fsm.h"
#include "ppp_proto.h"

/*
 * RFC 1661 §4.1, transcribed from the RFC text (not from the code): rows are
 * events, columns states 0..9; "-" is illegal, footnote letters dropped.
 */
static const char *const rfc_table[PPP_EV_COUNT][PPP_FSM_STATE_COUNT] = {
	/* Initial Starting Closed Stopped Closing Stopping Req-Sent Ack-Rcvd Ack-Sent Opened */
	[PPP_EV_UP] = { "2", "irc,scr/6", "-", "-", "-", "-", "-", "-", "-", "-" },
	[PPP_EV_DOWN] = { "-", "-", "0", "tls/1", "0", "1", "1", "1", "1", "tld/1" },
	[PPP_EV_OPEN] = { "tls/1", "1", "irc,scr/6", "3", "5", "5", "6", "7", "8", "9" },
	[PPP_EV_CLOSE] = { "0", "tlf/0", "2", "2", "4", "4", "irc,str/4", "irc,str/4",
			   "irc,str/4", "tld,irc,str/4" },
	[PPP_EV_TO_PLUS] = { "-", "-", "-", "-", "str/4", "str/5", "scr/6", "scr/6", "scr/8", "-" },
	[PPP_EV_TO_MINUS] = { "-", "-", "-", "-", "tlf/2", "tlf/3", "tlf/3", "tlf/3", "tlf/3", "-" },
	[PPP_EV_RCR_PLUS] = { "-", "-", "sta/2", "irc,scr,sca/8", "4", "5", "sca/8", "sca,tlu/9",
			      "sca/8", "tld,scr,sca/8" },
	[PPP_EV_RCR_MINUS] = { "-", "-", "sta/2", "irc,scr,scn/6", "4", "5", "scn/6", "scn/7",
			       "scn/6", "tld,scr,scn/6" },
	[PPP_EV_RCA] = { "-", "-", "sta/2", "sta/3", "4", "5", "irc/7", "scr/6", "irc,tlu/9",
			 "tld,scr/6" },
	[PPP_EV_RCN] = { "-", "-", "sta/2", "sta/3", "4", "5", "irc,scr/6", "scr/6", "irc,scr/8",
			 "tld,scr/6" },
	[PPP_EV_RTR] = { "-", "-", "sta/2", "sta/3", "sta/4", "sta/5", "sta/6", "sta/6", "sta/6",
			 "tld,zrc,sta/5" },
	[PPP_EV_RTA] = { "-", "-", "2", "3", "tlf/2", "tlf/3", "6", "6", "8", "tld,scr/6" },
	[PPP_EV_RUC] = { "-", "-", "scj/2", "scj/3", "scj/4", "scj/5", "scj/6", "scj/7", "scj/8",
			 "scj/9" },
	[PPP_EV_RXJ_PLUS] = { "-", "-", "2", "3", "4", "5", "6", "6", "8", "9" },
	[PPP_EV_RXJ_MINUS] = { "-", "-", "tlf/2", "tlf/3", "tlf/2", "tlf/3", "tlf/3", "tlf/3",
			       "tlf/3", "tld,irc,str/5" },
	[PPP_EV_RXR] = { "-", "-", "2", "3", "4", "5", "6", "7", "8", "ser/9" },
};

static const struct {
	const char *name;
	int bit;
	int code;        /* packet the action sends, 0 for none */
} act_names[] = {
	{ "tlu", PPP_A_TLU, 0 }, { "tld", PPP_A_TLD, 0 }, { "tls", PPP_A_TLS, 0 },
	{ "tlf", PPP_A_TLF, 0 }, { "irc", PPP_A_IRC, 0 }, { "zrc", PPP_A_ZRC, 0 },
	{ "scr", PPP_A_SCR, PPP_CONF_REQ }, { "sca", PPP_A_SCA, PPP_CONF_ACK },
	{ "scn", PPP_A_SCN, PPP_CONF_NAK }, { "str", PPP_A_STR, PPP_TERM_REQ },
	{ "sta", PPP_A_STA, PPP_TERM_ACK }, { "scj", PPP_A_SCJ, PPP_CODE_REJ },
	{ "ser", PPP_A_SER, PPP_ECHO_REPLY },
};

/* Parse "a,b,c/N" into an action set and next state; -1 for "-". */
static int parse_cell(const char *cell, int *next)
{
	const char *slash = strchr(cell, '/');
	const char *p = cell;
	int acts = 0;

	if (strcmp(cell, "-") == 0)
		return -1;
	if (!slash) {
		*next = atoi(cell);
		return 0;
	}
	*next = atoi(slash + 1);
	while (p < slash) {
		size_t n = strcspn(p, ",/");
		size_t i;

		for (i = 0; i < sizeof(act_names) / sizeof(act_names[0]); i++)
			if (strlen(act_names[i].name) == n && strncmp(p, act_names[i].name, n) == 0)
				acts |= act_names[i].bit;
		p += n + (p[n] == ',');
	}
	return acts;
}

/* ---- a protocol for the automaton alone --------------------------------- */

struct test_proto {
	struct ppp_fsm fsm;
	bool ack;             /* recv_cr answers Ack (RCR+) or Nak (RCR-) */
	bool last_exhausted;  /* nak_exhausted flag of the last recv_cr */
	int tlu, tld;         /* hook calls */
};

static size_t t_build_cr(struct ppp_fsm *f, uint8_t *buf, size_t cap)
{
	buf[0] = 0x42;
	buf[1] = 3;
	buf[2] = 0x01;
	return 3;
}

static uint8_t t_recv_cr(struct ppp_fsm *f, const uint8_t *data, size_t len, uint8_t *reply,
			 size_t cap, size_t *reply_len, bool nak_exhausted)
{
	struct test_proto *t = (struct test_proto *)f;

	t->last_exhausted = nak_exhausted;
	memcpy(reply, data, len);
	*reply_len = len;
	if (t->ack)
		return PPP_CONF_ACK;
	return nak_exhausted ? PPP_CONF_REJ : PPP_CONF_NAK;
}

static bool t_recv_ack(struct ppp_fsm *f, const uint8_t *data, size_t len)
{
	return len == 3 && data[0] == 0x42;
}

static enum ppp_fsm_verdict t_recv_nak(struct ppp_fsm *f, const uint8_t *data, size_t len)
{
	return len > 0 && data[0] == 0xff ? PPP_FSM_GIVE_UP : PPP_FSM_OK;
}

static enum ppp_fsm_event t_classify(struct ppp_fsm *f, const struct ppp_fsm_rx *rx)
{
	return rx->code == PPP_ECHO_REQ ? PPP_EV_RXR : PPP_EV_RUC;
}

static void t_ser(struct ppp_fsm *f, const struct ppp_fsm_rx *rx, uint64_t now_ms,
		  struct ppp_actions *out)
{
	ppp_act_send(out, f->ops->proto, PPP_ECHO_REPLY, rx->id, rx->data, rx->len);
}

static void t_tlu(struct ppp_fsm *f, uint64_t now_ms, struct ppp_actions *out)
{
	((struct test_proto *)f)->tlu++;
}

static void t_tld(struct ppp_fsm *f)
{
	((struct test_proto *)f)->tld++;
}

static const struct ppp_fsm_ops t_ops = {
	.proto = 0x8021,
	.build_cr = t_build_cr,
	.recv_cr = t_recv_cr,
	.recv_ack = t_recv_ack,
	.recv_nak = t_recv_nak,
	.recv_rej = t_recv_nak,
	.classify = t_classify,
	.ser = t_ser,
	.tlu = t_tlu,
	.tld = t_tld,
};

static struct ppp_fsm_cfg cfg;
static struct test_proto tp;
static struct ppp_actions out;

static void setup(void)
{
	ppp_fsm_cfg_default(&cfg);
	memset(&tp, 0, sizeof(tp));
	ppp_fsm_init(&tp.fsm, &t_ops, &cfg);
	ppp_actions_init(&out);
}

static void teardown(void)
{
	ppp_actions_free(&out);
}

#define NOW 100000

/* Feed code/id/data as one packet. */
static int feed(uint8_t code, uint8_t id, const uint8_t *data, size_t len)
{
	uint8_t pkt[64];

	pkt[0] = code;
	pkt[1] = id;
	pkt[2] = 0;
	pkt[3] = (uint8_t)(PPP_HDR_LEN + len);
	if (len)
		memcpy(pkt + 4, data, len);
	return ppp_fsm_input(&tp.fsm, pkt, PPP_HDR_LEN + len, NOW, &out);
}

static int drive(enum ppp_fsm_event ev)
{
	static const uint8_t opts[] = { 0x42, 3, 0x01 };
	static const uint8_t rej_unknown[] = { 0x55, 1, 0, 4 };
	static const uint8_t rej_confreq[] = { PPP_CONF_REQ, 1, 0, 4 };

	switch (ev) {
	case PPP_EV_UP:
	case PPP_EV_DOWN:
	case PPP_EV_OPEN:
	case PPP_EV_CLOSE:
	case PPP_EV_TO_PLUS:
	case PPP_EV_TO_MINUS:
		return ppp_fsm_event(&tp.fsm, ev, NOW, &out);
	case PPP_EV_RCR_PLUS:
		tp.ack = true;
		return feed(PPP_CONF_REQ, 0x80, opts, sizeof(opts));
	case PPP_EV_RCR_MINUS:
		tp.ack = false;
		return feed(PPP_CONF_REQ, 0x80, opts, sizeof(opts));
	case PPP_EV_RCA:
		return feed(PPP_CONF_ACK, tp.fsm.req_id, opts, sizeof(opts));
	case PPP_EV_RCN:
		return feed(PPP_CONF_NAK, tp.fsm.req_id, opts, sizeof(opts));
	case PPP_EV_RTR:
		return feed(PPP_TERM_REQ, 0x81, NULL, 0);
	case PPP_EV_RTA:
		return feed(PPP_TERM_ACK, 0x82, NULL, 0);
	case PPP_EV_RUC:
		return feed(0x55, 0x83, opts, sizeof(opts));
	case PPP_EV_RXJ_PLUS:
		return feed(PPP_CODE_REJ, 0x84, rej_unknown, sizeof(rej_unknown));
	case PPP_EV_RXJ_MINUS:
		return feed(PPP_CODE_REJ, 0x84, rej_confreq, sizeof(rej_confreq));
	case PPP_EV_RXR:
		return feed(PPP_ECHO_REQ, 0x85, opts, sizeof(opts));
	case PPP_EV_COUNT:
		break;
	}
	return -EINVAL;
}

/* One cell: _i enumerates state * PPP_EV_COUNT + event. */
START_TEST(table_cell)
{
	enum ppp_fsm_state st = (enum ppp_fsm_state)(_i / PPP_EV_COUNT);
	enum ppp_fsm_event ev = (enum ppp_fsm_event)(_i % PPP_EV_COUNT);
	const char *cell = rfc_table[ev][st];
	int want_next = (int)st, want = parse_cell(cell, &want_next);
	int got, sent = 0, expect_restart;
	uint8_t layer_want = 0;
	size_t i, k = 0;

	tp.fsm.state = (uint8_t)st;
	tp.fsm.restart = 3;
	tp.fsm.req_id = tp.fsm.id = 7;
	tp.fsm.deadline = NOW - 1;
	got = drive(ev);
	if (want < 0) {
		ck_assert_msg(got == -EINVAL, "%s x %s: want illegal, got %d",
			      ppp_fsm_state_str(st), ppp_fsm_event_str(ev), got);
		ck_assert_int_eq(tp.fsm.state, st);
		ck_assert_uint_eq(out.n, 0);
		ck_assert_uint_eq(tp.fsm.layer, 0);
		return;
	}
	ck_assert_msg(got == want, "%s x %s: want actions %#x, got %#x (%s)",
		      ppp_fsm_state_str(st), ppp_fsm_event_str(ev), want, got, cell);
	ck_assert_msg(tp.fsm.state == want_next, "%s x %s: want state %d, got %d",
		      ppp_fsm_state_str(st), ppp_fsm_event_str(ev), want_next, tp.fsm.state);

	/* The packets sent are those of the action set, in the table's order. */
	for (i = 0; i < sizeof(act_names) / sizeof(act_names[0]); i++) {
		if (!(want & act_names[i].bit) || !act_names[i].code)
			continue;
		ck_assert_uint_lt(k, out.n);
		ck_assert_int_eq(out.v[k].type, PPP_ACT_SEND);
		ck_assert_int_eq(out.v[k].chan, PPP_CHAN_UNIT);
		ck_assert_uint_eq(out.buf[out.v[k].off + 2], act_names[i].code);
		k++;
	}
	ck_assert_uint_eq(out.n, k);

	/* The restart counter: irc loads it, each scr/str spends one, zrc zeroes it. */
	expect_restart = 3;
	if (want & PPP_A_IRC)
		expect_restart = (want & PPP_A_STR) ? cfg.max_terminate : cfg.max_configure;
	if (want & PPP_A_ZRC)
		expect_restart = 0;
	if (want & (PPP_A_SCR | PPP_A_STR))
		expect_restart--, sent = 1;
	ck_assert_int_eq(tp.fsm.restart, expect_restart);
	if (sent || (want & PPP_A_ZRC))
		ck_assert_uint_eq(tp.fsm.deadline, NOW + cfg.restart_ms);
	if (want_next != PPP_FSM_CLOSING && want_next != PPP_FSM_STOPPING &&
	    want_next != PPP_FSM_REQ_SENT && want_next != PPP_FSM_ACK_RCVD &&
	    want_next != PPP_FSM_ACK_SENT)
		ck_assert_uint_eq(tp.fsm.deadline, UINT64_MAX);

	/* This-layer actions are latched and reach the hooks. */
	if (want & PPP_A_TLU)
		layer_want |= PPP_FSM_LAYER_UP;
	if (want & PPP_A_TLD)
		layer_want |= PPP_FSM_LAYER_DOWN;
	if (want & PPP_A_TLS)
		layer_want |= PPP_FSM_LAYER_STARTED;
	if (want & PPP_A_TLF)
		layer_want |= PPP_FSM_LAYER_FINISHED;
	ck_assert_uint_eq(tp.fsm.layer, layer_want);
	ck_assert_int_eq(tp.tlu, !!(want & PPP_A_TLU));
	ck_assert_int_eq(tp.tld, !!(want & PPP_A_TLD));
}
END_TEST

/* ppp_fsm_transition agrees with the RFC text too (no packets involved). */
START_TEST(table_pure)
{
	int st, ev;

	for (st = 0; st < PPP_FSM_STATE_COUNT; st++) {
		for (ev = 0; ev < PPP_EV_COUNT; ev++) {
			enum ppp_fsm_state next = PPP_FSM_STATE_COUNT;
			int want_next = st, want = parse_cell(rfc_table[ev][st], &want_next);
			int got = ppp_fsm_transition((enum ppp_fsm_state)st, (enum ppp_fsm_event)ev,
						     &next);

			if (want < 0) {
				ck_assert_int_eq(got, -EINVAL);
				continue;
			}
			ck_assert_int_eq(got, want);
			ck_assert_int_eq(next, want_next);
		}
	}
}
END_TEST

/* §4.6: Max-Configure requests, then TO- gives up (tlf, Stopped). */
START_TEST(restart_max_configure)
{
	uint64_t t = 0;
	int reqs = 0;
	size_t i;

	ppp_fsm_event(&tp.fsm, PPP_EV_UP, t, &out);
	ppp_fsm_event(&tp.fsm, PPP_EV_OPEN, t, &out);
	ck_assert_int_eq(tp.fsm.state, PPP_FSM_REQ_SENT);
	while (tp.fsm.state == PPP_FSM_REQ_SENT && t < 100000) {
		t += cfg.restart_ms;
		ppp_fsm_tick(&tp.fsm, t - 1, &out);     /* not yet */
		ppp_fsm_tick(&tp.fsm, t, &out);
	}
	for (i = 0; i < out.n; i++)
		reqs += out.buf[out.v[i].off + 2] == PPP_CONF_REQ;
	ck_assert_int_eq(reqs, cfg.max_configure);
	ck_assert_int_eq(tp.fsm.state, PPP_FSM_STOPPED);
	ck_assert(tp.fsm.layer & PPP_FSM_LAYER_FINISHED);
	ck_assert_uint_eq(tp.fsm.deadline, UINT64_MAX);
	ck_assert_uint_eq(t, (uint64_t)cfg.max_configure * cfg.restart_ms);
}
END_TEST

/* §4.6: Max-Terminate Terminate-Requests, then Closed. */
START_TEST(restart_max_terminate)
{
	uint64_t t = 0;
	int trs = 0;
	size_t i;

	tp.fsm.state = PPP_FSM_OPENED;
	ppp_fsm_event(&tp.fsm, PPP_EV_CLOSE, t, &out);
	while (tp.fsm.state == PPP_FSM_CLOSING && t < 100000) {
		t += cfg.restart_ms;
		ppp_fsm_tick(&tp.fsm, t, &out);
	}
	for (i = 0; i < out.n; i++)
		trs += out.buf[out.v[i].off + 2] == PPP_TERM_REQ;
	ck_assert_int_eq(trs, cfg.max_terminate);
	ck_assert_int_eq(tp.fsm.state, PPP_FSM_CLOSED);
}
END_TEST

/* A peer that never sends Terminate-Ack: zrc waits one restart period. */
START_TEST(zrc_waits_one_period)
{
	tp.fsm.state = PPP_FSM_OPENED;
	ck_assert_int_ge(feed(PPP_TERM_REQ, 9, NULL, 0), 0);
	ck_assert_int_eq(tp.fsm.state, PPP_FSM_STOPPING);
	ppp_fsm_tick(&tp.fsm, NOW + cfg.restart_ms - 1, &out);
	ck_assert_int_eq(tp.fsm.state, PPP_FSM_STOPPING);
	ppp_fsm_tick(&tp.fsm, NOW + cfg.restart_ms, &out);
	ck_assert_int_eq(tp.fsm.state, PPP_FSM_STOPPED);
	ck_assert(tp.fsm.layer & PPP_FSM_LAYER_FINISHED);
}
END_TEST

/* §4.6 Max-Failure: after that many Naks without an Ack, recv_cr is told to Reject. */
START_TEST(max_failure)
{
	static const uint8_t opts[] = { 0x42, 3, 0x01 };
	int i;

	ppp_fsm_event(&tp.fsm, PPP_EV_UP, 0, &out);
	ppp_fsm_event(&tp.fsm, PPP_EV_OPEN, 0, &out);
	tp.ack = false;
	for (i = 0; i < cfg.max_failure; i++) {
		ck_assert_int_ge(feed(PPP_CONF_REQ, (uint8_t)i, opts, sizeof(opts)), 0);
		ck_assert(!tp.last_exhausted);
	}
	out.n = 0;
	ck_assert_int_ge(feed(PPP_CONF_REQ, 50, opts, sizeof(opts)), 0);
	ck_assert(tp.last_exhausted);
	ck_assert_uint_eq(out.buf[out.v[0].off + 2], PPP_CONF_REJ);
	/* an Ack resets the count */
	tp.ack = true;
	feed(PPP_CONF_REQ, 51, opts, sizeof(opts));
	tp.ack = false;
	feed(PPP_CONF_REQ, 52, opts, sizeof(opts));
	ck_assert(!tp.last_exhausted);
}
END_TEST

/* §5: malformed, stale and duplicate packets are discarded without effect. */
START_TEST(discards)
{
	static const uint8_t opts[] = { 0x42, 3, 0x01 };
	static const uint8_t short_len[] = { PPP_TERM_REQ, 1, 0, 3 };
	static const uint8_t long_len[] = { PPP_TERM_REQ, 1, 0, 9, 0 };
	static const uint8_t padded[] = { PPP_TERM_REQ, 1, 0, 4, 0xee, 0xee };
	uint8_t id;

	ppp_fsm_event(&tp.fsm, PPP_EV_UP, 0, &out);
	ppp_fsm_event(&tp.fsm, PPP_EV_OPEN, 0, &out);
	id = tp.fsm.req_id;
	ck_assert_int_eq(ppp_fsm_input(&tp.fsm, short_len, 3, NOW, &out), -EBADMSG);
	ck_assert_int_eq(ppp_fsm_input(&tp.fsm, short_len, 4, NOW, &out), -EBADMSG);
	ck_assert_int_eq(ppp_fsm_input(&tp.fsm, long_len, sizeof(long_len), NOW, &out), -EBADMSG);
	/* wrong id, wrong contents */
	ck_assert_int_eq(feed(PPP_CONF_ACK, (uint8_t)(id + 1), opts, sizeof(opts)), -EBADMSG);
	ck_assert_int_eq(feed(PPP_CONF_ACK, id, opts, 2), -EBADMSG);
	ck_assert_int_eq(feed(PPP_CONF_NAK, (uint8_t)(id - 1), opts, sizeof(opts)), -EBADMSG);
	ck_assert_int_eq(feed(PPP_CODE_REJ, 1, NULL, 0), -EBADMSG);
	ck_assert_int_eq(tp.fsm.state, PPP_FSM_REQ_SENT);
	/* the right Ack, then its duplicate */
	ck_assert_int_eq(feed(PPP_CONF_ACK, id, opts, sizeof(opts)), PPP_A_IRC);
	ck_assert_int_eq(tp.fsm.state, PPP_FSM_ACK_RCVD);
	ck_assert_int_eq(feed(PPP_CONF_ACK, id, opts, sizeof(opts)), -EBADMSG);
	ck_assert_int_eq(tp.fsm.state, PPP_FSM_ACK_RCVD);
	/* padding after Length is ignored, and Terminate-Ack echoes the id */
	out.n = 0;
	ck_assert_int_eq(ppp_fsm_input(&tp.fsm, padded, sizeof(padded), NOW, &out), PPP_A_STA);
	ck_assert_uint_eq(out.n, 1);
	ck_assert_uint_eq(out.v[0].len, PPP_PROTO_LEN + PPP_HDR_LEN);
	ck_assert_uint_eq(out.buf[out.v[0].off + 3], 1);
}
END_TEST

/* A Nak the protocol cannot live with becomes the Close event. */
START_TEST(give_up_closes)
{
	static const uint8_t bad[] = { 0xff, 2 };

	ppp_fsm_event(&tp.fsm, PPP_EV_UP, 0, &out);
	ppp_fsm_event(&tp.fsm, PPP_EV_OPEN, 0, &out);
	ck_assert_int_eq(feed(PPP_CONF_NAK, tp.fsm.req_id, bad, sizeof(bad)),
			 PPP_A_IRC | PPP_A_STR);
	ck_assert_int_eq(tp.fsm.state, PPP_FSM_CLOSING);
}
END_TEST

/* Code-Reject carries the rejected packet (§5.6). */
START_TEST(code_reject_contents)
{
	static const uint8_t data[] = { 1, 2, 3, 4, 5 };

	tp.fsm.state = PPP_FSM_OPENED;
	ck_assert_int_eq(feed(0x77, 0x33, data, sizeof(data)), PPP_A_SCJ);
	ck_assert_uint_eq(out.n, 1);
	ck_assert_uint_eq(out.v[0].len, PPP_PROTO_LEN + PPP_HDR_LEN + PPP_HDR_LEN + sizeof(data));
	ck_assert_uint_eq(out.buf[out.v[0].off + 6], 0x77);
	ck_assert_uint_eq(out.buf[out.v[0].off + 7], 0x33);
	ck_assert_int_eq(memcmp(out.buf + out.v[0].off + 10, data, sizeof(data)), 0);
}
END_TEST

START_TEST(names)
{
	int i;

	for (i = 0; i <= PPP_FSM_STATE_COUNT; i++)
		ck_assert_ptr_nonnull(ppp_fsm_state_str((enum ppp_fsm_state)i));
	for (i = 0; i <= PPP_EV_COUNT; i++)
		ck_assert_ptr_nonnull(ppp_fsm_event_str((enum ppp_fsm_event)i));
	ck_assert_str_eq(ppp_fsm_state_str(PPP_FSM_ACK_RCVD), "Ack-Rcvd");
	ck_assert_int_eq(ppp_fsm_event(&tp.fsm, PPP_EV_RCA, 0, &out), -EINVAL);
}
END_TEST

static Suite *fsm_suite(void)
{
	Suite *s = suite_create("ppp_fsm");
	TCase *tc = tcase_create("table");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, table_cell, 0, PPP_FSM_STATE_COUNT * PPP_EV_COUNT);
	tcase_add_test(tc, table_pure);
	suite_add_tcase(s, tc);
	tc = tcase_create("counters");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, restart_max_configure);
	tcase_add_test(tc, restart_max_terminate);
	tcase_add_test(tc, zrc_waits_one_period);
	tcase_add_test(tc, max_failure);
	tcase_add_test(tc, discards);
	tcase_add_test(tc, give_up_closes);
	tcase_add_test(tc, code_reject_contents);
	tcase_add_test(tc, names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fsm_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
