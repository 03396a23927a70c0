// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LNS state machines (RFC 2661 §7.2.1, §7.4.2) driven by a fake LAC that
 * builds messages with the codec and feeds them to l2tp_lns_input(), with a
 * deterministic clock and RNG. Every tunnel and session state x event pair
 * has a row in the tables below.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l2tp_lns.h"
#include "l2tp_lns_int.h"      /* lns_tun_create() and the tables, for the 32-bit ID tests */
#include "l2tp_msg.h"

#define SECRET "s3cret"
#define LAC_RWS 8
#define MAX_LACS 4

static struct l2tp_lns *lns;
static struct l2tp_lns_cfg cfg;
static struct l2tp_peer_cfg peer;
static struct lns_actions out;
static uint64_t now;
static uint64_t rng_state;
/* Test-chosen random bytes: 4-byte draws (32-bit ID widths) return forced_ids
 * in turn while any are left; with rng_ones every byte is 0xff. */
static const uint32_t *forced_ids;
static size_t n_forced;
static bool rng_ones;
static struct lns_addr local_addr;
static struct l2tp_mbuf mb;
static struct l2tp_msg dec;     /* scratch for decoding what the LNS sent */

static void det_rand(void *ctx, void *buf, size_t len)
{
	uint8_t *p = buf;

	(void)ctx;
	if (len == sizeof(uint32_t) && n_forced) {
		memcpy(buf, forced_ids++, sizeof(uint32_t));
		n_forced--;
		return;
	}
	if (rng_ones) {
		memset(buf, 0xff, len);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		rng_state ^= rng_state << 13;
		rng_state ^= rng_state >> 7;
		rng_state ^= rng_state << 17;
		p[i] = (uint8_t)(rng_state >> 24);
	}
}

/* ---- the fake LAC ------------------------------------------------------ */

struct lac {
	struct lns_addr addr;
	uint32_t key;                   /* peer key (lnsd: the IPsec mark), 0 by default */
	uint16_t tid;
	uint32_t lns_tid;               /* as the LNS assigned it (IDs are uint32_t) */
	uint16_t ns, nr;
	const char *secret;             /* what the LAC believes the secret is */
	uint8_t lns_chal[16];
	uint16_t lns_chal_len;
	uint16_t sid;                   /* the one call these tests make */
	uint32_t lns_sid;
	uint16_t icrq_ns;
	int rx[L2TP_MSG_TYPE_COUNT];
	struct l2tp_msg last;           /* last in-order non-ZLB message received */
};

static struct lac *lacs[MAX_LACS];
static int n_lacs;

static void lac_init(struct lac *l, uint8_t n, const char *secret)
{
	memset(l, 0, sizeof(*l));
	l->addr.family = 4;
	l->addr.port = 1701;
	l->addr.addr[0] = 192;
	l->addr.addr[1] = 0;
	l->addr.addr[2] = 2;
	l->addr.addr[3] = n;
	l->tid = (uint16_t)(100 + n);
	l->secret = secret;
	l->sid = (uint16_t)(500 + n);
	if (n_lacs < MAX_LACS)
		lacs[n_lacs++] = l;
}

static size_t slen_of(const char *s)
{
	return s ? strlen(s) : 0;
}

/* Let each LAC see what the LNS sent it: in-order messages advance its Nr. */
static void absorb(void)
{
	for (size_t i = 0; i < out.n; i++) {
		const struct lns_action *a = &out.v[i];

		if (a->type != LNS_ACT_SEND)
			continue;
		for (int j = 0; j < n_lacs; j++) {
			struct lac *l = lacs[j];
			enum l2tp_decode_err e;

			if (!lns_addr_eq(&a->peer, &l->addr) || (a->tun && a->tun->peer_key != l->key))
				continue;
			e = l2tp_msg_decode(out.buf + a->off, a->len, (const uint8_t *)l->secret,
					    slen_of(l->secret), &dec);
			ck_assert_int_eq(e, L2TP_DEC_OK);
			ck_assert_uint_eq(dec.hdr.tunnel_id, l->tid);
			if (dec.type == L2TP_MSG_ZLB || dec.hdr.ns != l->nr)
				continue;
			l->nr++;
			l->rx[dec.type]++;
			l->last = dec;
			if (dec.type == L2TP_MSG_SCCRP) {
				l->lns_tid = dec.assigned_tunnel_id;
				l->lns_chal_len = dec.challenge.len;
				memcpy(l->lns_chal, dec.challenge.data, dec.challenge.len > 16 ? 16 : dec.challenge.len);
			}
			if (dec.type == L2TP_MSG_ICRP)
				l->lns_sid = dec.assigned_session_id;
		}
	}
}

static void begin(struct lac *l, uint16_t sid, uint16_t type)
{
	l2tp_mb_begin(&mb, type == L2TP_MSG_SCCRQ ? 0 : l->lns_tid, sid, type);
}

/* Put mb on the wire with explicit Ns/Nr. */
static void xmit_seq(struct lac *l, uint16_t ns, uint16_t nr)
{
	ck_assert(!mb.overflow);
	mb.data[8] = (uint8_t)(ns >> 8);
	mb.data[9] = (uint8_t)ns;
	mb.data[10] = (uint8_t)(nr >> 8);
	mb.data[11] = (uint8_t)nr;
	lns_actions_reset(&out);
	l2tp_lns_input_keyed(lns, &l->addr, &local_addr, l->key, mb.data, mb.len, now, &out);
	ck_assert(!out.oom);
	absorb();
}

static void xmit(struct lac *l)
{
	bool zlb = mb.len == 12;

	xmit_seq(l, l->ns, l->nr);
	if (!zlb)
		l->ns++;
}

static void tick(uint64_t t)
{
	now = t;
	lns_actions_reset(&out);
	l2tp_lns_tick(lns, now, &out);
	ck_assert(!out.oom);
	absorb();
}

static void send_zlb(struct lac *l)
{
	begin(l, 0, L2TP_MSG_ZLB);
	xmit(l);
}

struct sccrq_opts {
	bool challenge, bad_version, unknown_m, no_hostname, hide, no_rws;
};

static void build_sccrq(struct lac *l, uint16_t hdr_tid, const struct sccrq_opts *o)
{
	static const uint8_t chal[16] = "0123456789abcdef";
	static const uint8_t rv[16] = "RANDOMVECTOR1234";

	l2tp_mb_begin(&mb, hdr_tid, 0, L2TP_MSG_SCCRQ);
	if (o && o->bad_version) {
		const uint8_t v[2] = { 2, 0 };

		l2tp_mb_bytes(&mb, true, L2TP_AVP_PROTOCOL_VERSION, v, 2);
	} else {
		l2tp_mb_protocol_version(&mb);
	}
	l2tp_mb_u32(&mb, true, L2TP_AVP_FRAMING_CAPS, 3);
	l2tp_mb_u32(&mb, true, L2TP_AVP_BEARER_CAPS, 3);
	if (!(o && o->no_hostname))
		l2tp_mb_str(&mb, true, L2TP_AVP_HOST_NAME, "lac");
	l2tp_mb_str(&mb, false, L2TP_AVP_VENDOR_NAME, "fake");
	l2tp_mb_bytes(&mb, false, L2TP_AVP_TIE_BREAKER, "TIEBREAK", 8);
	if (o && o->hide) {
		l2tp_mb_random_vector(&mb, rv, (const uint8_t *)l->secret, slen_of(l->secret));
		l2tp_mb_u16_hidden(&mb, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, l->tid);
	} else {
		l2tp_mb_u16(&mb, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, l->tid);
	}
	if (!(o && o->no_rws))
		l2tp_mb_u16(&mb, true, L2TP_AVP_RECV_WINDOW_SIZE, LAC_RWS);
	if (o && o->challenge)
		l2tp_mb_bytes(&mb, true, L2TP_AVP_CHALLENGE, chal, sizeof(chal));
	if (o && o->unknown_m)
		l2tp_mb_u16(&mb, true, 200, 1);
}

static void lac_sccrq(struct lac *l, const struct sccrq_opts *o)
{
	build_sccrq(l, 0, o);
	xmit(l);
}

static void lac_scccn(struct lac *l, const char *secret)
{
	uint8_t resp[16];

	begin(l, 0, L2TP_MSG_SCCCN);
	if (secret && l->lns_chal_len) {
		l2tp_challenge_response(L2TP_CHAPID_SCCCN, (const uint8_t *)secret, strlen(secret),
					l->lns_chal, l->lns_chal_len, resp);
		l2tp_mb_bytes(&mb, true, L2TP_AVP_CHALLENGE_RESPONSE, resp, sizeof(resp));
	}
	xmit(l);
}

static void lac_icrq(struct lac *l)
{
	begin(l, 0, L2TP_MSG_ICRQ);
	l2tp_mb_u16(&mb, true, L2TP_AVP_ASSIGNED_SESSION_ID, l->sid);
	l2tp_mb_u32(&mb, true, L2TP_AVP_CALL_SERIAL, 42);
	l2tp_mb_u32(&mb, true, L2TP_AVP_BEARER_TYPE, 2);
	l2tp_mb_str(&mb, true, L2TP_AVP_CALLING_NUMBER, "5551234");
	l2tp_mb_str(&mb, true, L2TP_AVP_CALLED_NUMBER, "5550000");
	l->icrq_ns = l->ns;
	xmit(l);
}

static void build_iccn(struct lac *l, uint16_t hdr_sid)
{
	begin(l, hdr_sid, L2TP_MSG_ICCN);
	l2tp_mb_u32(&mb, true, L2TP_AVP_TX_CONNECT_SPEED, 10000000);
	l2tp_mb_u32(&mb, true, L2TP_AVP_FRAMING_TYPE, 1);
	l2tp_mb_u32(&mb, false, L2TP_AVP_RX_CONNECT_SPEED, 2000000);
	l2tp_mb_bytes(&mb, false, L2TP_AVP_SEQUENCING_REQUIRED, NULL, 0);
}

static void lac_iccn(struct lac *l)
{
	build_iccn(l, l->lns_sid);
	xmit(l);
}

static void lac_cdn(struct lac *l, uint16_t hdr_sid)
{
	begin(l, hdr_sid, L2TP_MSG_CDN);
	l2tp_mb_result(&mb, L2TP_CDN_LOST_CARRIER, 0, NULL);
	l2tp_mb_u16(&mb, true, L2TP_AVP_ASSIGNED_SESSION_ID, l->sid);
	xmit(l);
}

static void lac_stopccn(struct lac *l)
{
	begin(l, 0, L2TP_MSG_STOPCCN);
	l2tp_mb_u16(&mb, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, l->tid);
	l2tp_mb_result(&mb, L2TP_STOPCCN_CLEAR, 0, NULL);
	xmit(l);
}

/* ---- inspecting the action list ----------------------------------------- */

static int n_act(enum lns_act_type t)
{
	int n = 0;

	for (size_t i = 0; i < out.n; i++)
		n += out.v[i].type == t;
	return n;
}

static int act_idx(enum lns_act_type t)
{
	for (size_t i = 0; i < out.n; i++)
		if (out.v[i].type == t)
			return (int)i;
	return -1;
}

/* Decode SEND i with the configured secret. */
static const struct l2tp_msg *sent(size_t i)
{
	const struct lns_action *a = &out.v[i];
	enum l2tp_decode_err e = l2tp_msg_decode(out.buf + a->off, a->len, peer.secret,
						 peer.secret_len, &dec);

	ck_assert_int_eq(e, L2TP_DEC_OK);
	return &dec;
}

/* Non-ZLB messages sent: count, and the last one of type (or NULL). */
static int n_sent_msgs(void)
{
	int n = 0;

	for (size_t i = 0; i < out.n; i++)
		if (out.v[i].type == LNS_ACT_SEND && sent(i)->type != L2TP_MSG_ZLB)
			n++;
	return n;
}

static const struct l2tp_msg *find_sent(uint16_t type)
{
	static struct l2tp_msg found;
	bool ok = false;

	for (size_t i = 0; i < out.n; i++)
		if (out.v[i].type == LNS_ACT_SEND && sent(i)->type == type) {
			found = dec;
			ok = true;
		}
	return ok ? &found : NULL;
}

static enum l2tp_tun_state tun_state(uint16_t tid)
{
	struct l2tp_tun *t = l2tp_lns_tunnel(lns, tid);

	return t ? t->state : L2TP_TUN_DEAD;
}

/* ---- fixtures ------------------------------------------------------------ */

static void setup_with(const char *secret, bool hide)
{
	memset(&peer, 0, sizeof(peer));
	peer.name = "default";
	peer.secret = (const uint8_t *)secret;
	peer.secret_len = slen_of(secret);
	peer.hide_avps = hide;
	l2tp_lns_cfg_default(&cfg);
	cfg.default_peer = &peer;
	cfg.rand_bytes = det_rand;
	rng_state = 0x9e3779b97f4a7c15ull;
	forced_ids = NULL;
	n_forced = 0;
	rng_ones = false;
	memset(&local_addr, 0, sizeof(local_addr));
	local_addr.family = 4;
	local_addr.port = 1701;
	local_addr.addr[0] = 198;
	local_addr.addr[1] = 51;
	local_addr.addr[2] = 100;
	local_addr.addr[3] = 1;
	now = 1000;
	n_lacs = 0;
	lns_actions_init(&out);
	lns = l2tp_lns_new(&cfg);
	ck_assert_ptr_nonnull(lns);
}

static void setup(void)
{
	setup_with(NULL, false);
}

static void setup_secret(void)
{
	setup_with(SECRET, false);
}

static void setup_hide(void)
{
	setup_with(SECRET, true);
}

static void teardown(void)
{
	l2tp_lns_free(lns);
	lns = NULL;
	lns_actions_free(&out);
}

/* SCCRQ + SCCCN: an established tunnel. */
static void establish(struct lac *l)
{
	lac_sccrq(l, NULL);
	ck_assert_int_eq(l->rx[L2TP_MSG_SCCRP], 1);
	lac_scccn(l, l->secret);
	ck_assert_int_eq(tun_state(l->lns_tid), L2TP_TUN_ESTABLISHED);
}

static struct l2tp_sess *call(struct lac *l)
{
	int before = l->rx[L2TP_MSG_ICRP];

	lac_icrq(l);
	ck_assert_int_eq(l->rx[L2TP_MSG_ICRP], before + 1);
	return l2tp_lns_session(lns, l->lns_tid, l->lns_sid);
}

/* ---- happy path ---------------------------------------------------------- */

START_TEST(test_happy_path)
{
	struct lac l;
	const struct l2tp_msg *m;
	struct l2tp_sess *s;
	struct l2tp_tun *t;

	lac_init(&l, 1, NULL);
	lac_sccrq(&l, NULL);
	/* TUNNEL_NEW comes before the first SEND on the tunnel. */
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_NEW), 1);
	ck_assert_int_lt(act_idx(LNS_ACT_TUNNEL_NEW), act_idx(LNS_ACT_SEND));
	ck_assert_uint_eq(out.v[act_idx(LNS_ACT_SEND)].tid, l.lns_tid);
	m = find_sent(L2TP_MSG_SCCRP);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->hdr.nr, 1);
	ck_assert_uint_eq(m->hdr.ns, 0);
	ck_assert_str_eq(m->host_name, "lnsd");
	ck_assert_str_eq(m->vendor_name, "lnsd");
	ck_assert_uint_eq(m->protocol_version, 1);
	ck_assert_uint_eq(m->framing_caps, 3);
	ck_assert_uint_eq(m->rx_window, cfg.rel.our_rws);
	ck_assert(!l2tp_msg_has(m, L2TP_AVP_CHALLENGE));
	ck_assert(!l2tp_msg_has(m, L2TP_AVP_CHALLENGE_RESPONSE));
	ck_assert_uint_ne(l.lns_tid, 0);
	t = l2tp_lns_tunnel(lns, l.lns_tid);
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t->peer_hostname, "lac");
	ck_assert_str_eq(t->peer_vendor, "fake");
	ck_assert_uint_eq(t->peer_tid, l.tid);
	ck_assert_uint_eq(t->rel.cfg.peer_rws, LAC_RWS);
	ck_assert_int_eq(l2tp_lns_stats(lns)->tunnels_by_state[L2TP_TUN_WAIT_CTL_CONN], 1);

	lac_scccn(&l, NULL);
	ck_assert_int_eq(t->state, L2TP_TUN_ESTABLISHED);
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_STATE), 1);
	ck_assert_int_eq(out.v[act_idx(LNS_ACT_TUNNEL_STATE)].old_state, L2TP_TUN_WAIT_CTL_CONN);
	ck_assert_int_eq(out.v[act_idx(LNS_ACT_TUNNEL_STATE)].new_state, L2TP_TUN_ESTABLISHED);
	/* The SCCCN is acknowledged by a ZLB after the delayed-ack timer. */
	ck_assert_int_eq(n_act(LNS_ACT_SEND), 0);
	ck_assert_uint_le(l2tp_lns_next_deadline(lns), now + cfg.rel.ack_delay_ms);
	tick(l2tp_lns_next_deadline(lns));
	ck_assert_int_eq(n_act(LNS_ACT_SEND), 1);
	ck_assert_uint_eq(sent(0)->type, L2TP_MSG_ZLB);
	ck_assert_uint_eq(dec.hdr.nr, 2);
	/* Per-tunnel counters: SCCRQ and SCCCN in; SCCRP and the ZLB out. */
	ck_assert_uint_eq(t->rx_msgs, 2);
	ck_assert_uint_eq(t->tx_msgs, 2);
	/* Receipt to ack: the SCCRQ at once (on the SCCRP), the SCCCN delayed. */
	ck_assert_uint_eq(l2tp_lns_stats(lns)->ack_delay.count, 2);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->ack_delay.bucket[0], 1);
	ck_assert_uint_le(l2tp_lns_stats(lns)->ack_delay.max_ms, cfg.rel.ack_delay_ms);

	s = call(&l);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(act_idx(LNS_ACT_SESSION_NEW) < act_idx(LNS_ACT_SEND), 1);
	ck_assert_int_eq(s->state, L2TP_SESS_WAIT_CONNECT);
	ck_assert_uint_eq(s->peer_sid, l.sid);
	ck_assert_uint_eq(s->call_serial, 42);
	ck_assert_str_eq(s->calling_number, "5551234");
	ck_assert_str_eq(s->called_number, "5550000");
	m = find_sent(L2TP_MSG_ICRP);
	ck_assert_uint_eq(m->hdr.session_id, l.sid);
	ck_assert(!(m->hidden & (1u << L2TP_AVP_ASSIGNED_SESSION_ID)));

	lac_iccn(&l);
	ck_assert_int_eq(s->state, L2TP_SESS_ESTABLISHED);
	ck_assert_int_eq(n_act(LNS_ACT_SESSION_STATE), 1);
	ck_assert_uint_eq(s->tx_connect_speed, 10000000);
	ck_assert_uint_eq(s->rx_connect_speed, 2000000);
	ck_assert_uint_eq(s->framing_type, 1);
	ck_assert(s->seq_required);
	ck_assert_ptr_null(s->proxy);
	ck_assert_uint_eq(t->n_established_sessions, 1);
	ck_assert_uint_eq(l2tp_lns_n_sessions(lns), 1);
	ck_assert_ptr_eq(l2tp_tun_next_session(t, NULL), s);
	ck_assert_ptr_null(l2tp_tun_next_session(t, s));
	ck_assert_ptr_eq(l2tp_lns_next_tunnel(lns, NULL), t);
	ck_assert_ptr_null(l2tp_lns_next_tunnel(lns, t));

	/* CDN from the LAC: the session goes, the rel acks the CDN. */
	lac_cdn(&l, l.lns_sid);
	ck_assert_int_eq(n_act(LNS_ACT_SESSION_FREE), 1);
	ck_assert_ptr_null(l2tp_lns_session(lns, l.lns_tid, l.lns_sid));
	ck_assert_uint_eq(l2tp_lns_n_sessions(lns), 0);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->sessions_established, 1);

	/* Second call, then StopCCN: SESSION_FREE before TUNNEL_FREE. */
	l.sid++;
	s = call(&l);
	lac_iccn(&l);
	lac_stopccn(&l);
	ck_assert_int_eq(tun_state(l.lns_tid), L2TP_TUN_CLOSING);
	ck_assert_int_eq(n_act(LNS_ACT_SESSION_FREE), 1);
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_FREE), 0);
	tick(now + cfg.stopccn_hold_ms);
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_FREE), 1);
	ck_assert_ptr_null(l2tp_lns_tunnel(lns, l.lns_tid));
	ck_assert_uint_eq(l2tp_lns_n_tunnels(lns), 0);
	ck_assert_uint_eq(l2tp_lns_next_deadline(lns), UINT64_MAX);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->tunnels_established, 1);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->rx_msgs[L2TP_MSG_ICRQ], 2);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->tx_msgs[L2TP_MSG_ICRP], 2);
}
END_TEST

/* ---- tunnel state x event table ----------------------------------------- */

enum tev {
	E_SCCRQ, E_SCCRP, E_SCCCN_GOOD, E_SCCCN_BAD, E_STOPCCN, E_HELLO, E_ICRQ, E_ICRP,
	E_ICCN, E_CDN, E_UNKNOWN_M, E_ZLB, E_TIMEOUT, E_ADMIN, E_COUNT
};

struct tun_row {
	enum l2tp_tun_state from;
	enum tev ev;
	enum l2tp_tun_state to;
	uint16_t sends;            /* message type sent (0: none but ZLBs) */
	uint16_t result, error;
};

#define W L2TP_TUN_WAIT_CTL_CONN
#define EST L2TP_TUN_ESTABLISHED
#define CL L2TP_TUN_CLOSING
#define DEAD L2TP_TUN_DEAD
static const struct tun_row tun_rows[] = {
	/* §7.2.1 wait-ctl-conn */
	{ W, E_SCCRQ, CL, L2TP_MSG_STOPCCN, L2TP_STOPCCN_FSM_ERROR, 0 },
	{ W, E_SCCRP, CL, L2TP_MSG_STOPCCN, L2TP_STOPCCN_FSM_ERROR, 0 },
	{ W, E_SCCCN_GOOD, EST, 0, 0, 0 },
	{ W, E_SCCCN_BAD, CL, L2TP_MSG_STOPCCN, L2TP_STOPCCN_NOT_AUTHORIZED, 0 },
	{ W, E_STOPCCN, CL, 0, 0, 0 },
	{ W, E_HELLO, W, 0, 0, 0 },
	{ W, E_ICRQ, W, L2TP_MSG_CDN, L2TP_CDN_GENERAL_ERROR, L2TP_ERR_NO_CONTROL_CONNECTION },
	{ W, E_ICRP, W, 0, 0, 0 },
	{ W, E_ICCN, W, 0, 0, 0 },
	{ W, E_CDN, W, 0, 0, 0 },
	{ W, E_UNKNOWN_M, CL, L2TP_MSG_STOPCCN, L2TP_STOPCCN_GENERAL_ERROR,
	  L2TP_ERR_UNKNOWN_MANDATORY_AVP },
	{ W, E_ZLB, W, 0, 0, 0 },
	{ W, E_TIMEOUT, CL, L2TP_MSG_STOPCCN, L2TP_STOPCCN_CLEAR, 0 },
	{ W, E_ADMIN, CL, L2TP_MSG_STOPCCN, L2TP_STOPCCN_CLEAR, 0 },
	/* §7.2.1 established */
	{ EST, E_SCCRQ, CL, L2TP_MSG_STOPCCN, L2TP_STOPCCN_FSM_ERROR, 0 },
	{ EST, E_SCCRP, CL, L2TP_MSG_STOPCCN, L2TP_STOPCCN_FSM_ERROR, 0 },
	{ EST, E_SCCCN_GOOD, CL, L2TP_MSG_STOPCCN, L2TP_STOPCCN_FSM_ERROR, 0 },
	{ EST, E_SCCCN_BAD, CL, L2TP_MSG_STOPCCN, L2TP_STOPCCN_FSM_ERROR, 0 },
	{ EST, E_STOPCCN, CL, 0, 0, 0 },
	{ EST, E_HELLO, EST, 0, 0, 0 },
	{ EST, E_ICRQ, EST, L2TP_MSG_ICRP, 0, 0 },
	{ EST, E_ICRP, EST, L2TP_MSG_CDN, L2TP_CDN_GENERAL_ERROR, L2TP_ERR_INVALID_SESSION_ID },
	{ EST, E_ICCN, EST, 0, 0, 0 },
	{ EST, E_CDN, EST, 0, 0, 0 },
	{ EST, E_UNKNOWN_M, CL, L2TP_MSG_STOPCCN, L2TP_STOPCCN_GENERAL_ERROR,
	  L2TP_ERR_UNKNOWN_MANDATORY_AVP },
	{ EST, E_ZLB, EST, 0, 0, 0 },
	{ EST, E_TIMEOUT, EST, L2TP_MSG_HELLO, 0, 0 },
	{ EST, E_ADMIN, CL, L2TP_MSG_STOPCCN, L2TP_STOPCCN_CLEAR, 0 },
	/* §5.7 closing (the peer's StopCCN received): only acks, then free */
	{ CL, E_SCCRQ, CL, 0, 0, 0 },
	{ CL, E_SCCRP, CL, 0, 0, 0 },
	{ CL, E_SCCCN_GOOD, CL, 0, 0, 0 },
	{ CL, E_SCCCN_BAD, CL, 0, 0, 0 },
	{ CL, E_STOPCCN, CL, 0, 0, 0 },
	{ CL, E_HELLO, CL, 0, 0, 0 },
	{ CL, E_ICRQ, CL, 0, 0, 0 },
	{ CL, E_ICRP, CL, 0, 0, 0 },
	{ CL, E_ICCN, CL, 0, 0, 0 },
	{ CL, E_CDN, CL, 0, 0, 0 },
	{ CL, E_UNKNOWN_M, CL, 0, 0, 0 },
	{ CL, E_ZLB, CL, 0, 0, 0 },
	{ CL, E_TIMEOUT, DEAD, 0, 0, 0 },
	{ CL, E_ADMIN, CL, 0, 0, 0 },
};

static void build_sccrp(struct lac *l)
{
	begin(l, 0, L2TP_MSG_SCCRP);
	l2tp_mb_protocol_version(&mb);
	l2tp_mb_u32(&mb, true, L2TP_AVP_FRAMING_CAPS, 3);
	l2tp_mb_str(&mb, true, L2TP_AVP_HOST_NAME, "lac");
	l2tp_mb_u16(&mb, true, L2TP_AVP_ASSIGNED_TUNNEL_ID, l->tid);
}

static void tun_event(struct lac *l, enum tev ev, enum l2tp_tun_state from)
{
	switch (ev) {
	case E_SCCRQ:
		/* Not a retransmission: addressed to our tunnel with a fresh Ns. */
		build_sccrq(l, l->lns_tid, NULL);
		xmit(l);
		break;
	case E_SCCRP:
		build_sccrp(l);
		xmit(l);
		break;
	case E_SCCCN_GOOD:
		lac_scccn(l, SECRET);
		break;
	case E_SCCCN_BAD:
		lac_scccn(l, "wrong");
		break;
	case E_STOPCCN:
		lac_stopccn(l);
		break;
	case E_HELLO:
		begin(l, 0, L2TP_MSG_HELLO);
		xmit(l);
		break;
	case E_ICRQ:
		lac_icrq(l);
		break;
	case E_ICRP:
		begin(l, 4242, L2TP_MSG_ICRP);
		l2tp_mb_u16(&mb, true, L2TP_AVP_ASSIGNED_SESSION_ID, l->sid);
		xmit(l);
		break;
	case E_ICCN:
		build_iccn(l, 4242);
		xmit(l);
		break;
	case E_CDN:
		lac_cdn(l, 4242);
		break;
	case E_UNKNOWN_M:
		begin(l, 0, 200);
		xmit(l);
		break;
	case E_ZLB:
		send_zlb(l);
		break;
	case E_TIMEOUT:
		/* Ack everything first so that only the FSM timer is due. */
		send_zlb(l);
		switch (from) {
		case L2TP_TUN_WAIT_CTL_CONN:
			tick(now + cfg.setup_timeout_ms);
			break;
		case L2TP_TUN_ESTABLISHED:
			tick(now + cfg.hello_interval_ms);
			break;
		case L2TP_TUN_CLOSING:
		case L2TP_TUN_DEAD:
			tick(now + cfg.stopccn_hold_ms);
			break;
		}
		break;
	case E_ADMIN:
		/* In wait-ctl-conn the StopCCN would queue behind the unacked SCCRP. */
		if (from == L2TP_TUN_WAIT_CTL_CONN)
			send_zlb(l);
		lns_actions_reset(&out);
		ck_assert_int_eq(l2tp_lns_close_tunnel(lns, l->lns_tid, L2TP_STOPCCN_CLEAR, 0,
						       "admin", now, &out), 0);
		absorb();
		break;
	case E_COUNT:
		break;
	}
}

START_TEST(test_tunnel_table)
{
	const struct tun_row *r = &tun_rows[_i];
	struct lac l;
	const struct l2tp_msg *m;
	uint16_t tid;

	lac_init(&l, 1, NULL);
	lac_sccrq(&l, NULL);
	tid = l.lns_tid;
	ck_assert(l.lns_chal_len == 16);
	if (r->from != W)
		lac_scccn(&l, SECRET);
	if (r->from == CL)
		lac_stopccn(&l);
	ck_assert_int_eq(tun_state(tid), r->from);

	tun_event(&l, r->ev, r->from);
	ck_assert_msg(tun_state(tid) == r->to, "row %d: state %d, want %d", _i, tun_state(tid),
		      r->to);
	if (r->from != r->to) {
		int i = act_idx(LNS_ACT_TUNNEL_STATE);

		ck_assert_int_ge(i, 0);
		ck_assert_int_eq(out.v[i].old_state, r->from);
	}
	if (r->to == DEAD)
		ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_FREE), 1);
	if (!r->sends) {
		ck_assert_msg(n_sent_msgs() == 0, "row %d: sent %d messages", _i, n_sent_msgs());
		return;
	}
	ck_assert_int_eq(n_sent_msgs(), 1);
	m = find_sent(r->sends);
	ck_assert_msg(m != NULL, "row %d: no message %u", _i, r->sends);
	if (r->sends == L2TP_MSG_STOPCCN || r->sends == L2TP_MSG_CDN) {
		ck_assert_uint_eq(m->result_code, r->result);
		ck_assert_uint_eq(m->error_code, r->error);
	}
	if (r->sends == L2TP_MSG_STOPCCN) {
		ck_assert_uint_eq(m->assigned_tunnel_id, tid);
		ck_assert_uint_eq(m->hdr.tunnel_id, l.tid);
		ck_assert_uint_eq(l2tp_lns_stats(lns)->stopccn_sent_by_result[r->result], 1);
	}
}
END_TEST

/* ---- session state x event table ---------------------------------------- */

enum sev {
	S_ICRQ_DUP, S_ICCN, S_CDN, S_TIMEOUT, S_ADMIN, S_TUNNEL_CLOSE, S_ICRP, S_UNKNOWN_M
};

struct sess_row {
	enum l2tp_sess_state from;
	enum sev ev;
	enum l2tp_sess_state to;
	uint16_t sends;
	uint16_t result, error;
};

#define SW L2TP_SESS_WAIT_CONNECT
#define SE L2TP_SESS_ESTABLISHED
#define SD L2TP_SESS_DEAD
static const struct sess_row sess_rows[] = {
	/* §7.4.2 wait-connect */
	{ SW, S_ICRQ_DUP, SW, 0, 0, 0 },
	{ SW, S_ICCN, SE, 0, 0, 0 },
	{ SW, S_CDN, SD, 0, 0, 0 },
	{ SW, S_TIMEOUT, SD, L2TP_MSG_CDN, L2TP_CDN_TIMEOUT, 0 },
	{ SW, S_ADMIN, SD, L2TP_MSG_CDN, L2TP_CDN_ADMIN, 0 },
	{ SW, S_TUNNEL_CLOSE, SD, L2TP_MSG_STOPCCN, L2TP_STOPCCN_CLEAR, 0 },
	{ SW, S_ICRP, SD, L2TP_MSG_CDN, L2TP_CDN_GENERAL_ERROR, L2TP_ERR_VENDOR_SPECIFIC },
	{ SW, S_UNKNOWN_M, SD, L2TP_MSG_CDN, L2TP_CDN_GENERAL_ERROR,
	  L2TP_ERR_UNKNOWN_MANDATORY_AVP },
	/* §7.4.2 established */
	{ SE, S_ICRQ_DUP, SE, 0, 0, 0 },
	{ SE, S_ICCN, SD, L2TP_MSG_CDN, L2TP_CDN_GENERAL_ERROR, L2TP_ERR_VENDOR_SPECIFIC },
	{ SE, S_CDN, SD, 0, 0, 0 },
	{ SE, S_TIMEOUT, SE, 0, 0, 0 },
	{ SE, S_ADMIN, SD, L2TP_MSG_CDN, L2TP_CDN_ADMIN, 0 },
	{ SE, S_TUNNEL_CLOSE, SD, L2TP_MSG_STOPCCN, L2TP_STOPCCN_CLEAR, 0 },
	{ SE, S_ICRP, SD, L2TP_MSG_CDN, L2TP_CDN_GENERAL_ERROR, L2TP_ERR_VENDOR_SPECIFIC },
	{ SE, S_UNKNOWN_M, SD, L2TP_MSG_CDN, L2TP_CDN_GENERAL_ERROR,
	  L2TP_ERR_UNKNOWN_MANDATORY_AVP },
};

START_TEST(test_session_table)
{
	const struct sess_row *r = &sess_rows[_i];
	struct lac l;
	struct l2tp_sess *s;
	const struct l2tp_msg *m;
	uint16_t sid;
	uint64_t dups;

	lac_init(&l, 1, NULL);
	establish(&l);
	s = call(&l);
	sid = l.lns_sid;
	if (r->from == SE)
		lac_iccn(&l);
	ck_assert_int_eq(s->state, r->from);

	switch (r->ev) {
	case S_ICRQ_DUP:
		/* A retransmitted ICRQ: the rel acks it as a duplicate. */
		dups = l2tp_lns_stats(lns)->drops[L2TP_DROP_DUPLICATE];
		begin(&l, 0, L2TP_MSG_ICRQ);
		l2tp_mb_u16(&mb, true, L2TP_AVP_ASSIGNED_SESSION_ID, l.sid);
		l2tp_mb_u32(&mb, true, L2TP_AVP_CALL_SERIAL, 42);
		xmit_seq(&l, l.icrq_ns, l.nr);
		ck_assert_uint_eq(l2tp_lns_stats(lns)->drops[L2TP_DROP_DUPLICATE], dups + 1);
		ck_assert_int_eq(n_act(LNS_ACT_SESSION_NEW), 0);
		ck_assert_uint_eq(l2tp_lns_n_sessions(lns), 1);
		break;
	case S_ICCN:
		lac_iccn(&l);
		break;
	case S_CDN:
		lac_cdn(&l, sid);
		break;
	case S_TIMEOUT:
		send_zlb(&l);
		tick(now + cfg.setup_timeout_ms);
		break;
	case S_ADMIN:
		lns_actions_reset(&out);
		ck_assert_int_eq(l2tp_lns_close_session(lns, l.lns_tid, sid, L2TP_CDN_ADMIN, 0, NULL,
							now, &out), 0);
		absorb();
		break;
	case S_TUNNEL_CLOSE:
		lns_actions_reset(&out);
		ck_assert_int_eq(l2tp_lns_close_tunnel(lns, l.lns_tid, L2TP_STOPCCN_CLEAR, 0, NULL,
						       now, &out), 0);
		absorb();
		break;
	case S_ICRP:
		begin(&l, sid, L2TP_MSG_ICRP);
		l2tp_mb_u16(&mb, true, L2TP_AVP_ASSIGNED_SESSION_ID, l.sid);
		xmit(&l);
		break;
	case S_UNKNOWN_M:
		build_iccn(&l, sid);
		l2tp_mb_u16(&mb, true, 200, 1);
		xmit(&l);
		break;
	}
	if (r->to == SD) {
		int fi = act_idx(LNS_ACT_SESSION_FREE);

		ck_assert_ptr_null(l2tp_lns_session(lns, l.lns_tid, sid));
		ck_assert_int_ge(fi, 0);
		ck_assert_int_eq(out.v[fi].sid, sid);
		ck_assert_int_lt(act_idx(LNS_ACT_SESSION_STATE), fi);
	} else {
		s = l2tp_lns_session(lns, l.lns_tid, sid);
		ck_assert_ptr_nonnull(s);
		ck_assert_int_eq(s->state, r->to);
	}
	if (!r->sends) {
		ck_assert_msg(n_sent_msgs() == 0, "row %d: sent %d", _i, n_sent_msgs());
		return;
	}
	m = find_sent(r->sends);
	ck_assert_msg(m != NULL, "row %d: no message %u", _i, r->sends);
	ck_assert_ptr_null(r->sends == L2TP_MSG_STOPCCN ? find_sent(L2TP_MSG_CDN) : NULL);
	m = find_sent(r->sends);
	ck_assert_uint_eq(m->result_code, r->result);
	ck_assert_uint_eq(m->error_code, r->error);
	if (r->sends == L2TP_MSG_CDN) {
		ck_assert_uint_eq(m->hdr.session_id, l.sid);
		ck_assert_uint_eq(m->assigned_session_id, sid);
	}
}
END_TEST

/* A real ICRQ retransmission (same Ns) creates nothing new. */
START_TEST(test_icrq_retransmit)
{
	struct lac l;

	lac_init(&l, 1, NULL);
	establish(&l);
	lac_icrq(&l);
	ck_assert_int_eq(n_act(LNS_ACT_SESSION_NEW), 1);
	l.ns--;
	lac_icrq(&l);
	ck_assert_int_eq(n_act(LNS_ACT_SESSION_NEW), 0);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->drops[L2TP_DROP_DUPLICATE], 1);
	ck_assert_uint_eq(l2tp_lns_n_sessions(lns), 1);
	/* The duplicate is acked at once. */
	ck_assert_int_eq(n_act(LNS_ACT_SEND), 1);
	ck_assert_uint_eq(sent(0)->type, L2TP_MSG_ZLB);
	/* The same peer session ID in a new ICRQ (fresh Ns) is a new call. */
	lac_icrq(&l);
	ck_assert_int_eq(n_act(LNS_ACT_SESSION_NEW), 1);
	ck_assert_uint_eq(l2tp_lns_n_sessions(lns), 2);
}
END_TEST

/* ---- authentication --------------------------------------------------------- */

START_TEST(test_challenge_both_ways)
{
	static const uint8_t chal[16] = "0123456789abcdef";
	struct sccrq_opts o = { .challenge = true };
	struct lac l;
	const struct l2tp_msg *m;
	uint8_t want[16];

	lac_init(&l, 1, SECRET);
	lac_sccrq(&l, &o);
	m = &l.last;
	ck_assert_uint_eq(m->type, L2TP_MSG_SCCRP);
	ck_assert(l2tp_msg_has(m, L2TP_AVP_CHALLENGE_RESPONSE));
	l2tp_challenge_response(L2TP_CHAPID_SCCRP, (const uint8_t *)SECRET, strlen(SECRET), chal,
				sizeof(chal), want);
	ck_assert_mem_eq(m->challenge_response, want, 16);
	ck_assert_uint_eq(m->challenge.len, 16);
	/* Not hidden: the SCCRQ hid nothing. */
	ck_assert_uint_eq(m->hidden, 0);
	lac_scccn(&l, SECRET);
	ck_assert_int_eq(tun_state(l.lns_tid), L2TP_TUN_ESTABLISHED);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->drops[L2TP_DROP_AUTH], 0);
}
END_TEST

START_TEST(test_challenge_wrong_secret)
{
	struct lac l;
	const struct l2tp_msg *m;

	lac_init(&l, 1, SECRET);
	lac_sccrq(&l, NULL);
	lac_scccn(&l, "not-the-secret");
	ck_assert_int_eq(tun_state(l.lns_tid), L2TP_TUN_CLOSING);
	m = find_sent(L2TP_MSG_STOPCCN);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->result_code, L2TP_STOPCCN_NOT_AUTHORIZED);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->drops[L2TP_DROP_AUTH], 1);
	/* Our StopCCN acked: the tunnel is freed without waiting for the hold. */
	send_zlb(&l);
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_FREE), 1);
	ck_assert_uint_eq(l2tp_lns_n_tunnels(lns), 0);
}
END_TEST

START_TEST(test_challenge_missing_response)
{
	struct lac l;

	lac_init(&l, 1, SECRET);
	lac_sccrq(&l, NULL);
	lac_scccn(&l, NULL);
	ck_assert_int_eq(tun_state(l.lns_tid), L2TP_TUN_CLOSING);
	ck_assert_uint_eq(find_sent(L2TP_MSG_STOPCCN)->result_code, L2TP_STOPCCN_NOT_AUTHORIZED);
}
END_TEST

/* The LAC answers our SCCRP challenge response check itself: with the wrong
 * secret it would see a different response. */
START_TEST(test_lac_sees_wrong_response)
{
	static const uint8_t chal[16] = "0123456789abcdef";
	struct sccrq_opts o = { .challenge = true };
	struct lac l;
	uint8_t other[16];

	lac_init(&l, 1, SECRET);
	lac_sccrq(&l, &o);
	l2tp_challenge_response(L2TP_CHAPID_SCCRP, (const uint8_t *)"other", 5, chal, 16, other);
	ck_assert(memcmp(l.last.challenge_response, other, 16) != 0);
}
END_TEST

/* SCCRQ with a Challenge, but we have no secret: StopCCN result 4, no tunnel. */
START_TEST(test_challenge_without_secret)
{
	struct sccrq_opts o = { .challenge = true };
	struct lac l;
	const struct l2tp_msg *m;

	lac_init(&l, 1, NULL);
	lac_sccrq(&l, &o);
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_NEW), 0);
	m = find_sent(L2TP_MSG_STOPCCN);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->result_code, L2TP_STOPCCN_NOT_AUTHORIZED);
	ck_assert_uint_eq(l2tp_lns_n_tunnels(lns), 0);
}
END_TEST

/* ---- hidden AVPs ------------------------------------------------------------ */

START_TEST(test_hidden_session_id)
{
	struct lac l;
	struct l2tp_msg m2;
	const struct lns_action *a;

	lac_init(&l, 1, SECRET);
	lac_sccrq(&l, NULL);
	/* SCCRQ hid nothing: SCCRP hides nothing (Cisco, docs/design.md §6.3). */
	ck_assert_uint_eq(l.last.hidden, 0);
	lac_scccn(&l, SECRET);
	lac_icrq(&l);
	ck_assert_uint_eq(l.last.type, L2TP_MSG_ICRP);
	ck_assert(l.last.hidden & (1u << L2TP_AVP_ASSIGNED_SESSION_ID));
	ck_assert_ptr_nonnull(l2tp_lns_session(lns, l.lns_tid, l.last.assigned_session_id));
	/* Without the secret it cannot be read. */
	a = &out.v[act_idx(LNS_ACT_SEND)];
	ck_assert_int_eq(l2tp_msg_decode(out.buf + a->off, a->len, NULL, 0, &m2),
			 L2TP_DEC_HIDDEN_NO_SECRET);
	/* CDN from us hides it too. */
	lns_actions_reset(&out);
	l2tp_lns_close_session(lns, l.lns_tid, l.lns_sid, L2TP_CDN_ADMIN, 0, NULL, now, &out);
	absorb();
	ck_assert_uint_eq(l.last.type, L2TP_MSG_CDN);
	ck_assert(l.last.hidden & (1u << L2TP_AVP_ASSIGNED_SESSION_ID));
	ck_assert_uint_eq(l.last.assigned_session_id, l.lns_sid);
}
END_TEST

START_TEST(test_hidden_sccrq_gets_hidden_sccrp)
{
	struct sccrq_opts o = { .hide = true };
	struct lac l;

	lac_init(&l, 1, SECRET);
	lac_sccrq(&l, &o);
	ck_assert_uint_eq(l.rx[L2TP_MSG_SCCRP], 1);
	ck_assert(l.last.hidden & (1u << L2TP_AVP_ASSIGNED_TUNNEL_ID));
	ck_assert_uint_eq(l2tp_lns_tunnel(lns, l.lns_tid)->peer_tid, l.tid);
	ck_assert(l2tp_lns_tunnel(lns, l.lns_tid)->peer_hides);
}
END_TEST

/* ---- SCCRQ admission ---------------------------------------------------------- */

START_TEST(test_sccrq_retransmit)
{
	struct lac l;
	uint16_t tid;

	lac_init(&l, 1, NULL);
	lac_sccrq(&l, NULL);
	tid = l.lns_tid;
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_NEW), 1);
	/* The same SCCRQ again (Ns 0, Tunnel ID 0): same tunnel, acked. */
	l.ns = 0;
	l.nr = 0;
	lac_sccrq(&l, NULL);
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_NEW), 0);
	ck_assert_uint_eq(l2tp_lns_n_tunnels(lns), 1);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->drops[L2TP_DROP_DUPLICATE], 1);
	ck_assert_int_eq(n_act(LNS_ACT_SEND), 1);
	ck_assert_uint_eq(sent(0)->type, L2TP_MSG_ZLB);
	ck_assert_uint_eq(out.v[0].tid, tid);
	/* The SCCRP is retransmitted by its timer (the LAC never acked it). */
	l.nr = 0;
	tick(now + cfg.rel.rto_initial_ms);
	ck_assert_uint_eq(l.rx[L2TP_MSG_SCCRP], 2);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->retransmits, 1);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->tunnels_created, 1);
	/* A different peer with the same peer Tunnel ID is another tunnel. */
	{
		struct lac l2;

		lac_init(&l2, 2, NULL);
		l2.tid = l.tid;
		lac_sccrq(&l2, NULL);
		ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_NEW), 1);
		ck_assert_uint_ne(l2.lns_tid, tid);
	}
}
END_TEST

/*
 * Two clients behind one NAT (same address:port) that pick the same Assigned
 * Tunnel ID, told apart by their key (lnsd: the IPsec mark, design.md §5.5):
 * each gets its own tunnel; a copy with the same key is a retransmission.
 */
START_TEST(test_sccrq_same_atid_keys)
{
	struct lac a, b;

	lac_init(&a, 1, NULL);
	lac_init(&b, 1, NULL);
	a.key = 1;
	b.key = 2;
	lac_sccrq(&a, NULL);
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_NEW), 1);
	ck_assert_uint_eq(out.v[act_idx(LNS_ACT_TUNNEL_NEW)].tun->peer_key, 1);
	lac_sccrq(&b, NULL);
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_NEW), 1);
	ck_assert_uint_eq(out.v[act_idx(LNS_ACT_TUNNEL_NEW)].tun->peer_key, 2);
	ck_assert_uint_eq(l2tp_lns_n_tunnels(lns), 2);
	ck_assert_uint_ne(a.lns_tid, b.lns_tid);
	ck_assert_int_eq(a.rx[L2TP_MSG_SCCRP], 1);
	ck_assert_int_eq(b.rx[L2TP_MSG_SCCRP], 1);
	/* b's SCCRQ again: b's tunnel acks it, nothing new. */
	b.ns = 0;
	b.nr = 0;
	lac_sccrq(&b, NULL);
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_NEW), 0);
	ck_assert_uint_eq(l2tp_lns_n_tunnels(lns), 2);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->drops[L2TP_DROP_DUPLICATE], 1);
	ck_assert_int_eq(n_act(LNS_ACT_SEND), 1);
	ck_assert_uint_eq(out.v[act_idx(LNS_ACT_SEND)].tid, b.lns_tid);
	/* Both complete their handshakes independently. */
	lac_scccn(&a, NULL);
	lac_scccn(&b, NULL);
	ck_assert_int_eq(l2tp_lns_tunnel(lns, a.lns_tid)->state, L2TP_TUN_ESTABLISHED);
	ck_assert_int_eq(l2tp_lns_tunnel(lns, b.lns_tid)->state, L2TP_TUN_ESTABLISHED);
}
END_TEST

/* The Error Code as sent, read from the raw Result Code AVP (the decoder
 * would normalise a byte-swapped-looking 0x0100 for Apple's sake). */
static uint16_t raw_error_code(const struct lns_action *a)
{
	const uint8_t *p = out.buf + a->off;
	size_t off = L2TP_CTRL_HDR_LEN;

	while (off + L2TP_AVP_HDR_LEN <= a->len) {
		size_t alen = (size_t)(p[off] & 3) << 8 | p[off + 1];

		if (alen < L2TP_AVP_HDR_LEN)
			break;
		if ((p[off + 2] << 8 | p[off + 3]) == 0 &&
		    (p[off + 4] << 8 | p[off + 5]) == L2TP_AVP_RESULT_CODE && alen >= 10)
			return (uint16_t)(p[off + 8] << 8 | p[off + 9]);
		off += alen;
	}
	return 0xffff;
}

/* A late copy of the SCCRQ reaching an established tunnel is only acked. */
START_TEST(test_sccrq_late_copy_established)
{
	struct lac l;
	uint16_t ns, nr;

	lac_init(&l, 1, NULL);
	establish(&l);
	ns = l.ns;
	nr = l.nr;
	build_sccrq(&l, 0, NULL);
	xmit_seq(&l, 0, 0);
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_NEW), 0);
	ck_assert_int_eq(n_sent_msgs(), 0);
	ck_assert_int_eq(tun_state(l.lns_tid), L2TP_TUN_ESTABLISHED);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->drops[L2TP_DROP_DUPLICATE], 1);
	/* After the tunnel closed, the same peer and peer Tunnel ID start anew. */
	l.ns = ns;
	l.nr = nr;
	lac_stopccn(&l);
	l.ns = 0;
	l.nr = 0;
	lac_sccrq(&l, NULL);
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_NEW), 1);
	ck_assert_uint_eq(l2tp_lns_n_tunnels(lns), 2);
}
END_TEST

static const struct l2tp_msg *refused(uint16_t result, uint16_t error)
{
	const struct l2tp_msg *m;
	int i;

	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_NEW), 0);
	i = act_idx(LNS_ACT_SEND);
	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(out.v[i].tid, 0);
	ck_assert_ptr_null(out.v[i].tun);
	ck_assert(lns_addr_eq(&out.v[i].local, &local_addr));
	ck_assert_int_ge(act_idx(LNS_ACT_NOTICE), 0);
	m = find_sent(L2TP_MSG_STOPCCN);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->result_code, result);
	ck_assert_uint_eq(raw_error_code(&out.v[i]), error);
	ck_assert_uint_eq(m->hdr.ns, 0);
	ck_assert_uint_eq(m->hdr.nr, 1);
	ck_assert_uint_eq(m->assigned_tunnel_id, 0);
	return m;
}

START_TEST(test_sccrq_bad_version)
{
	struct sccrq_opts o = { .bad_version = true };
	struct lac l;

	lac_init(&l, 1, NULL);
	lac_sccrq(&l, &o);
	ck_assert_uint_eq(refused(L2TP_STOPCCN_BAD_VERSION, 0x0100)->hdr.tunnel_id, l.tid);
}
END_TEST

START_TEST(test_sccrq_unknown_mandatory)
{
	struct sccrq_opts o = { .unknown_m = true };
	struct lac l;

	lac_init(&l, 1, NULL);
	lac_sccrq(&l, &o);
	refused(L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_UNKNOWN_MANDATORY_AVP);
}
END_TEST

START_TEST(test_sccrq_missing_avp)
{
	struct sccrq_opts o = { .no_hostname = true };
	struct lac l;

	lac_init(&l, 1, NULL);
	lac_sccrq(&l, &o);
	refused(L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_VENDOR_SPECIFIC);
}
END_TEST

START_TEST(test_sccrq_no_rws_default)
{
	struct sccrq_opts o = { .no_rws = true };
	struct lac l;

	lac_init(&l, 1, NULL);
	lac_sccrq(&l, &o);
	ck_assert_uint_eq(l2tp_lns_tunnel(lns, l.lns_tid)->rel.cfg.peer_rws, L2TP_DEFAULT_RWS);
}
END_TEST

/* xl2tpd completes a CDN it sent only when the ack names its call: the ZLB
 * acking a CDN carries the peer's Session ID; a tunnel message's ZLB carries 0. */
START_TEST(test_zlb_names_the_call)
{
	struct lac l;
	struct l2tp_sess *s;

	lac_init(&l, 1, NULL);
	lac_sccrq(&l, NULL);
	lac_scccn(&l, NULL);
	tick(l2tp_lns_next_deadline(lns));
	ck_assert_uint_eq(sent(0)->type, L2TP_MSG_ZLB);
	ck_assert_uint_eq(dec.hdr.session_id, 0);
	s = call(&l);
	ck_assert_ptr_nonnull(s);
	tick(l2tp_lns_next_deadline(lns));
	lac_cdn(&l, s->sid);
	ck_assert_int_eq(n_act(LNS_ACT_SESSION_FREE), 1);
	tick(l2tp_lns_next_deadline(lns));
	ck_assert_int_eq(n_act(LNS_ACT_SEND), 1);
	ck_assert_uint_eq(sent(0)->type, L2TP_MSG_ZLB);
	ck_assert_uint_eq(dec.hdr.session_id, l.sid);
}
END_TEST

START_TEST(test_limit_max_tunnels)
{
	struct lac a, b, c;

	cfg.max_tunnels = 2;
	l2tp_lns_set_cfg(lns, &cfg);
	lac_init(&a, 1, NULL);
	lac_init(&b, 2, NULL);
	lac_init(&c, 3, NULL);
	establish(&a);
	establish(&b);
	lac_sccrq(&c, NULL);
	refused(L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_NO_RESOURCES);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->drops[L2TP_DROP_LIMIT], 1);
	ck_assert_uint_eq(l2tp_lns_n_tunnels(lns), 2);
	/* One goes away (our StopCCN acked): room again. */
	lns_actions_reset(&out);
	l2tp_lns_close_tunnel(lns, a.lns_tid, L2TP_STOPCCN_CLEAR, 0, NULL, now, &out);
	absorb();
	send_zlb(&a);
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_FREE), 1);
	c.ns = 0;
	c.nr = 0;
	lac_sccrq(&c, NULL);
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_NEW), 1);
}
END_TEST

START_TEST(test_limit_half_open)
{
	struct lac a, b, c;

	cfg.max_half_open = 1;
	l2tp_lns_set_cfg(lns, &cfg);
	lac_init(&a, 1, NULL);
	lac_init(&b, 2, NULL);
	lac_init(&c, 3, NULL);
	lac_sccrq(&a, NULL);
	lac_sccrq(&b, NULL);
	refused(L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_NO_RESOURCES);
	lac_scccn(&a, NULL);   /* no longer half-open */
	lac_sccrq(&c, NULL);
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_NEW), 1);
}
END_TEST

START_TEST(test_limit_half_open_per_peer)
{
	struct lac a1, a2, a3, b;

	cfg.max_half_open_per_peer = 2;
	l2tp_lns_set_cfg(lns, &cfg);
	/* Three LACs behind one address (ports and tunnel IDs differ), one elsewhere. */
	lac_init(&a1, 1, NULL);
	lac_init(&a2, 2, NULL);
	lac_init(&a3, 3, NULL);
	lac_init(&b, 4, NULL);
	a2.addr.addr[3] = 1;
	a2.addr.port = 1702;
	a3.addr.addr[3] = 1;
	a3.addr.port = 1703;
	lac_sccrq(&a1, NULL);
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_NEW), 1);
	lac_sccrq(&a2, NULL);
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_NEW), 1);
	lac_sccrq(&a3, NULL);
	refused(L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_NO_RESOURCES);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->drops[L2TP_DROP_LIMIT], 1);
	/* Another address is not held back by the first one's half-open tunnels. */
	lac_sccrq(&b, NULL);
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_NEW), 1);
	/* Once one of the first address's tunnels is established, it has room again. */
	lac_scccn(&a1, NULL);
	a3.ns = 0;
	a3.nr = 0;
	lac_sccrq(&a3, NULL);
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_NEW), 1);
}
END_TEST

START_TEST(test_limit_sessions_per_tunnel)
{
	struct lac l;
	const struct l2tp_msg *m;

	cfg.max_sessions_per_tunnel = 1;
	l2tp_lns_set_cfg(lns, &cfg);
	lac_init(&l, 1, NULL);
	establish(&l);
	call(&l);
	l.sid++;
	lac_icrq(&l);
	ck_assert_int_eq(n_act(LNS_ACT_SESSION_NEW), 0);
	m = find_sent(L2TP_MSG_CDN);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->result_code, L2TP_CDN_GENERAL_ERROR);
	ck_assert_uint_eq(m->error_code, L2TP_ERR_NO_RESOURCES);
	ck_assert_uint_eq(m->hdr.session_id, l.sid);
	ck_assert_uint_eq(m->assigned_session_id, 0);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->drops[L2TP_DROP_LIMIT], 1);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->cdn_sent_by_result[L2TP_CDN_GENERAL_ERROR], 1);
}
END_TEST

START_TEST(test_busy_refuses_new_calls)
{
	struct lac l;
	const struct l2tp_msg *m;

	lac_init(&l, 1, NULL);
	establish(&l);
	call(&l);
	l2tp_lns_set_busy(lns, true);
	l.sid++;
	lac_icrq(&l);
	ck_assert_int_eq(n_act(LNS_ACT_SESSION_NEW), 0);
	m = find_sent(L2TP_MSG_CDN);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->result_code, L2TP_CDN_NO_FACILITIES_TEMP);
	ck_assert_uint_eq(m->error_code, L2TP_ERR_NO_RESOURCES);
	ck_assert_uint_eq(m->hdr.session_id, l.sid);
	ck_assert_uint_eq(m->assigned_session_id, 0);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->sessions_refused_busy, 1);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->cdn_sent_by_result[L2TP_CDN_NO_FACILITIES_TEMP], 1);
	/* the admitted call and the tunnel are untouched */
	ck_assert_uint_eq(l2tp_lns_n_sessions(lns), 1);
	ck_assert_uint_eq(l2tp_lns_n_tunnels(lns), 1);
	/* no longer busy: the next ICRQ is a call */
	l2tp_lns_set_busy(lns, false);
	l.sid++;
	lac_icrq(&l);
	ck_assert_int_eq(n_act(LNS_ACT_SESSION_NEW), 1);
	ck_assert_ptr_nonnull(find_sent(L2TP_MSG_ICRP));
	ck_assert_uint_eq(l2tp_lns_stats(lns)->sessions_refused_busy, 1);
}
END_TEST

START_TEST(test_limit_sessions_total)
{
	struct lac a, b;

	cfg.max_sessions = 2;
	l2tp_lns_set_cfg(lns, &cfg);
	lac_init(&a, 1, NULL);
	lac_init(&b, 2, NULL);
	establish(&a);
	establish(&b);
	call(&a);
	call(&b);
	b.sid++;
	lac_icrq(&b);
	ck_assert_int_eq(n_act(LNS_ACT_SESSION_NEW), 0);
	ck_assert_uint_eq(find_sent(L2TP_MSG_CDN)->error_code, L2TP_ERR_NO_RESOURCES);
	ck_assert_uint_eq(l2tp_lns_n_sessions(lns), 2);
}
END_TEST

/* ---- misc input ----------------------------------------------------------------- */

START_TEST(test_drops)
{
	struct lac l, other;
	const struct l2tp_lns_stats *st = l2tp_lns_stats(lns);
	uint8_t data[] = { 0x40, 0x02, 0x00, 0x0a, 0x00, 0x01, 0x00, 0x01, 0xff, 0x03 };

	lac_init(&l, 1, NULL);
	lac_init(&other, 2, NULL);
	establish(&l);
	/* Data packet read in user space. */
	lns_actions_reset(&out);
	l2tp_lns_input(lns, &l.addr, &local_addr, data, sizeof(data), now, &out);
	ck_assert_uint_eq(st->drops[L2TP_DROP_DATA_IN_USERSPACE], 1);
	ck_assert_int_eq(out.n, 0);
	/* Garbage. */
	l2tp_lns_input(lns, &l.addr, &local_addr, data, 3, now, &out);
	ck_assert_uint_eq(st->drops[L2TP_DROP_DECODE], 1);
	/* Unknown tunnel. */
	l2tp_mb_begin(&mb, (uint16_t)(l.lns_tid + 1), 0, L2TP_MSG_HELLO);
	xmit_seq(&l, 0, 0);
	ck_assert_uint_eq(st->drops[L2TP_DROP_UNKNOWN_TUNNEL], 1);
	ck_assert_int_eq(n_act(LNS_ACT_NOTICE), 1);
	/* Right tunnel, wrong source. */
	other.lns_tid = l.lns_tid;
	begin(&other, 0, L2TP_MSG_HELLO);
	xmit(&other);
	ck_assert_uint_eq(st->drops[L2TP_DROP_WRONG_PEER], 1);
	/* Tunnel ID 0 on something else than SCCRQ. */
	l2tp_mb_begin(&mb, 0, 0, L2TP_MSG_HELLO);
	xmit_seq(&l, 0, 0);
	ck_assert_uint_eq(st->drops[L2TP_DROP_UNKNOWN_TUNNEL], 2);
	/* Unknown message type without the M bit: ignored, tunnel stays. */
	begin(&l, 0, L2TP_MSG_HELLO);
	mb.data[L2TP_CTRL_HDR_LEN] &= 0x7f;   /* clear M on the Message Type AVP */
	mb.data[L2TP_CTRL_HDR_LEN + 7] = 99;
	xmit(&l);
	ck_assert_int_eq(tun_state(l.lns_tid), L2TP_TUN_ESTABLISHED);
	ck_assert_int_eq(n_sent_msgs(), 0);
	/* Out of window. */
	begin(&l, 0, L2TP_MSG_HELLO);
	xmit_seq(&l, (uint16_t)(l.ns + 1000), l.nr);
	ck_assert_uint_eq(st->drops[L2TP_DROP_OUT_OF_WINDOW], 1);
	ck_assert_int_eq(tun_state(l.lns_tid), L2TP_TUN_ESTABLISHED);
}
END_TEST

/* A CDN sent before the LAC heard our ICRP carries Session ID 0. */
START_TEST(test_cdn_session_zero)
{
	struct lac l;

	lac_init(&l, 1, NULL);
	establish(&l);
	call(&l);
	lac_cdn(&l, 0);
	ck_assert_int_eq(n_act(LNS_ACT_SESSION_FREE), 1);
	ck_assert_uint_eq(l2tp_lns_n_sessions(lns), 0);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->drops[L2TP_DROP_UNKNOWN_SESSION], 0);
	/* And the same CDN again (fresh Ns) finds nothing: counted drop, no answer. */
	lac_cdn(&l, 0);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->drops[L2TP_DROP_UNKNOWN_SESSION], 1);
	ck_assert_int_eq(n_sent_msgs(), 0);
}
END_TEST

START_TEST(test_proxy_avps)
{
	struct lac l;
	struct l2tp_sess *s;
	static const uint8_t lcp[] = { 1, 1, 0, 8, 1, 4, 5, 0xdc };

	lac_init(&l, 1, NULL);
	establish(&l);
	s = call(&l);
	build_iccn(&l, l.lns_sid);
	l2tp_mb_bytes(&mb, false, L2TP_AVP_INITIAL_RCVD_LCP_CONFREQ, lcp, sizeof(lcp));
	l2tp_mb_bytes(&mb, false, L2TP_AVP_LAST_SENT_LCP_CONFREQ, lcp, sizeof(lcp));
	l2tp_mb_bytes(&mb, false, L2TP_AVP_LAST_RCVD_LCP_CONFREQ, lcp, sizeof(lcp));
	l2tp_mb_u16(&mb, false, L2TP_AVP_PROXY_AUTHEN_TYPE, L2TP_PROXY_AUTH_PAP);
	l2tp_mb_str(&mb, false, L2TP_AVP_PROXY_AUTHEN_NAME, "alice");
	l2tp_mb_bytes(&mb, false, L2TP_AVP_PROXY_AUTHEN_RESPONSE, "pw", 2);
	xmit(&l);
	ck_assert_int_eq(s->state, L2TP_SESS_ESTABLISHED);
	ck_assert_ptr_nonnull(s->proxy);
	ck_assert_uint_eq(s->proxy->authen_type, L2TP_PROXY_AUTH_PAP);
	ck_assert_str_eq(s->proxy->authen_name, "alice");
	ck_assert_uint_eq(s->proxy->initial_rcvd_lcp_confreq.len, sizeof(lcp));
	ck_assert_mem_eq(s->proxy->last_rcvd_lcp_confreq.data, lcp, sizeof(lcp));
	ck_assert_uint_eq(s->proxy->authen_response.len, 2);
}
END_TEST

/* ---- timers ----------------------------------------------------------------------- */

START_TEST(test_hello_idle_and_dead_peer)
{
	struct lac l;
	uint64_t t0;
	int guard = 0, hellos;

	lac_init(&l, 1, NULL);
	establish(&l);
	call(&l);
	lac_iccn(&l);
	t0 = now;
	/* Nothing heard for hello_interval: HELLO. */
	tick(t0 + cfg.hello_interval_ms - 1);
	ck_assert_ptr_null(find_sent(L2TP_MSG_HELLO));
	tick(t0 + cfg.hello_interval_ms);
	ck_assert_ptr_nonnull(find_sent(L2TP_MSG_HELLO));
	/* The LAC acks: next HELLO one interval later, not before. */
	send_zlb(&l);
	tick(now + cfg.hello_interval_ms - 1);
	ck_assert_ptr_null(find_sent(L2TP_MSG_HELLO));
	tick(now + 1);
	ck_assert_ptr_nonnull(find_sent(L2TP_MSG_HELLO));
	hellos = 1;
	/* Now the LAC is silent: retransmit with backoff, then teardown. */
	while (l2tp_lns_tunnel(lns, l.lns_tid) && guard++ < 100) {
		tick(l2tp_lns_next_deadline(lns));
		hellos += find_sent(L2TP_MSG_HELLO) != NULL;
		if (n_act(LNS_ACT_TUNNEL_FREE))
			break;
	}
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_FREE), 1);
	ck_assert_int_eq(n_act(LNS_ACT_SESSION_FREE), 1);
	ck_assert_int_lt(act_idx(LNS_ACT_SESSION_FREE), act_idx(LNS_ACT_TUNNEL_FREE));
	ck_assert_ptr_null(find_sent(L2TP_MSG_STOPCCN));
	ck_assert_int_eq(hellos, 1 + (int)cfg.rel.max_retries);
	ck_assert_uint_eq(l2tp_lns_n_tunnels(lns), 0);
	ck_assert_uint_eq(l2tp_lns_n_sessions(lns), 0);
	ck_assert_uint_eq(l2tp_lns_next_deadline(lns), UINT64_MAX);
}
END_TEST

START_TEST(test_hello_reset_by_rx)
{
	struct lac l;

	lac_init(&l, 1, NULL);
	establish(&l);
	tick(now + cfg.hello_interval_ms / 2);
	send_zlb(&l);   /* even a ZLB resets the idle timer */
	tick(now + cfg.hello_interval_ms - 1);
	ck_assert_ptr_null(find_sent(L2TP_MSG_HELLO));
	tick(now + 1);
	ck_assert_ptr_nonnull(find_sent(L2TP_MSG_HELLO));
}
END_TEST

START_TEST(test_stopccn_hold)
{
	struct lac l;
	uint64_t t0;

	lac_init(&l, 1, NULL);
	establish(&l);
	lac_stopccn(&l);
	t0 = now;
	ck_assert_int_eq(tun_state(l.lns_tid), L2TP_TUN_CLOSING);
	tick(t0 + cfg.rel.ack_delay_ms);
	ck_assert_uint_eq(sent(0)->type, L2TP_MSG_ZLB);
	/* The ZLB got lost: the LAC retransmits its StopCCN and is acked again. */
	l.ns--;
	lac_stopccn(&l);
	ck_assert_int_eq(n_act(LNS_ACT_SEND), 1);
	ck_assert_uint_eq(sent(0)->type, L2TP_MSG_ZLB);
	tick(t0 + cfg.stopccn_hold_ms - 1);
	ck_assert_int_eq(tun_state(l.lns_tid), L2TP_TUN_CLOSING);
	tick(t0 + cfg.stopccn_hold_ms);
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_FREE), 1);
	ck_assert_ptr_null(l2tp_lns_tunnel(lns, l.lns_tid));
}
END_TEST

/* Our StopCCN never acked: freed when the rel gives up or the hold ends. */
START_TEST(test_stopccn_sent_unacked)
{
	struct lac l;
	int guard = 0;
	uint64_t t0;

	lac_init(&l, 1, NULL);
	establish(&l);
	t0 = now;
	lns_actions_reset(&out);
	l2tp_lns_close_tunnel(lns, l.lns_tid, L2TP_STOPCCN_CLEAR, 0, NULL, now, &out);
	while (l2tp_lns_tunnel(lns, l.lns_tid) && guard++ < 100)
		tick(l2tp_lns_next_deadline(lns));
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_FREE), 1);
	ck_assert_uint_le(now, t0 + cfg.stopccn_hold_ms);
	ck_assert_int_eq(l2tp_lns_close_tunnel(lns, l.lns_tid, 1, 0, NULL, now, &out), -ENOENT);
}
END_TEST

/* The peer is unreachable (IPsec SA gone): one StopCCN, then freed at once. */
START_TEST(test_abort_tunnel)
{
	struct lac l;

	lac_init(&l, 1, NULL);
	establish(&l);
	ck_assert_ptr_nonnull(call(&l));
	lns_actions_reset(&out);
	ck_assert_int_eq(l2tp_lns_abort_tunnel(lns, l.lns_tid, L2TP_STOPCCN_CLEAR, 0,
					       "IPsec SA gone", now, &out), 0);
	ck_assert_int_eq(n_act(LNS_ACT_SEND), 1);
	ck_assert_uint_eq(find_sent(L2TP_MSG_STOPCCN)->result_code, L2TP_STOPCCN_CLEAR);
	ck_assert_int_eq(n_act(LNS_ACT_SESSION_FREE), 1);
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_FREE), 1);
	ck_assert_ptr_null(l2tp_lns_tunnel(lns, l.lns_tid));
	/* Nothing is retransmitted later. */
	lns_actions_reset(&out);
	tick(now + 60000);
	ck_assert_int_eq(n_act(LNS_ACT_SEND), 0);
	ck_assert_int_eq(l2tp_lns_abort_tunnel(lns, l.lns_tid, 1, 0, NULL, now, &out), -ENOENT);
}
END_TEST

START_TEST(test_shutdown)
{
	struct lac a, b;

	lac_init(&a, 1, NULL);
	lac_init(&b, 2, NULL);
	establish(&a);
	lac_sccrq(&b, NULL);
	lns_actions_reset(&out);
	l2tp_lns_shutdown(lns, now, &out);
	absorb();
	ck_assert_int_eq(a.last.type, L2TP_MSG_STOPCCN);
	ck_assert_uint_eq(a.last.result_code, L2TP_STOPCCN_SHUTTING_DOWN);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->stopccn_sent_by_result[L2TP_STOPCCN_SHUTTING_DOWN], 2);
	ck_assert_int_eq(tun_state(b.lns_tid), L2TP_TUN_CLOSING);
	/* b's StopCCN waits behind its unacked SCCRP (window of 1 at start). */
	send_zlb(&b);
	ck_assert_int_eq(b.last.type, L2TP_MSG_STOPCCN);
	send_zlb(&a);
	send_zlb(&b);
	ck_assert_uint_eq(l2tp_lns_n_tunnels(lns), 0);
}
END_TEST

START_TEST(test_api_misc)
{
	struct lns_addr a6 = { .family = 6, .port = 1701 };
	struct lns_addr a4 = { .family = 4, .port = 1701, .addr = { 192, 0, 2, 1 } };
	char buf[LNS_ADDR_STRLEN];

	a6.addr[0] = 0x20;
	a6.addr[1] = 0x01;
	a6.addr[2] = 0x0d;
	a6.addr[3] = 0xb8;
	a6.addr[15] = 1;
	ck_assert_str_eq(lns_addr_str(&a4, buf, sizeof(buf)), "192.0.2.1:1701");
	ck_assert_str_eq(lns_addr_str(&a6, buf, sizeof(buf)), "[2001:db8::1]:1701");
	ck_assert(!lns_addr_eq(&a4, &a6));
	ck_assert_str_eq(l2tp_tun_state_str(L2TP_TUN_ESTABLISHED), "established");
	ck_assert_str_eq(l2tp_sess_state_str(L2TP_SESS_WAIT_CONNECT), "wait-connect");
	ck_assert_str_eq(l2tp_lns_drop_str(L2TP_DROP_AUTH), "auth");
	ck_assert_uint_eq(cfg.hello_interval_ms, 60000);
	ck_assert_uint_eq(cfg.max_half_open, 1024);
	ck_assert_str_eq(cfg.hostname, "lnsd");
	ck_assert_int_eq(l2tp_lns_close_session(lns, 1, 1, 3, 0, NULL, now, &out), -ENOENT);
	ck_assert_ptr_null(l2tp_lns_next_tunnel(lns, NULL));
	l2tp_lns_free(NULL);
	lns_actions_free(NULL);
}
END_TEST

/* Many tunnels: the heap always yields the earliest deadline. */
START_TEST(test_heap_order)
{
	static struct lac ls[40];
	uint64_t prev = 0;
	int freed = 0, guard = 0;

	n_lacs = 0;
	for (int i = 0; i < 40; i++) {
		memset(&ls[i], 0, sizeof(ls[i]));
		ls[i].addr.family = 4;
		ls[i].addr.port = (uint16_t)(2000 + i);
		ls[i].tid = (uint16_t)(1 + i);
		build_sccrq(&ls[i], 0, NULL);
		now += 7;
		xmit_seq(&ls[i], 0, 0);
	}
	ck_assert_uint_eq(l2tp_lns_n_tunnels(lns), 40);
	/* Nobody answers: every tunnel dies by its own schedule, in order. */
	while (l2tp_lns_n_tunnels(lns) && guard++ < 10000) {
		uint64_t d = l2tp_lns_next_deadline(lns);

		ck_assert_uint_ge(d, prev);
		prev = d;
		tick(d);
		freed += n_act(LNS_ACT_TUNNEL_FREE);
	}
	ck_assert_int_eq(freed, 40);
}
END_TEST

/* 10,000 distinct peers at once: half-open limit respected, all memory freed. */
START_TEST(test_sccrq_flood)
{
	struct lac l;
	uint32_t created = 0, refusedn = 0, freed = 0;
	int guard = 0;

	memset(&l, 0, sizeof(l));
	l.addr.family = 6;
	l.addr.port = 1701;
	l.addr.addr[0] = 0x20;
	l.addr.addr[1] = 0x01;
	for (uint32_t i = 0; i < 10000; i++) {
		l.addr.addr[14] = (uint8_t)(i >> 8);
		l.addr.addr[15] = (uint8_t)i;
		l.tid = (uint16_t)(i % 7 + 1);   /* Microsoft-like low IDs */
		build_sccrq(&l, 0, NULL);
		xmit_seq(&l, 0, 0);
		created += (uint32_t)n_act(LNS_ACT_TUNNEL_NEW);
		refusedn += find_sent(L2TP_MSG_STOPCCN) != NULL;
	}
	ck_assert_uint_eq(created, cfg.max_half_open);
	ck_assert_uint_eq(refusedn, 10000 - cfg.max_half_open);
	ck_assert_uint_eq(l2tp_lns_n_tunnels(lns), cfg.max_half_open);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->drops[L2TP_DROP_LIMIT], 10000 - cfg.max_half_open);
	while (l2tp_lns_n_tunnels(lns) && guard++ < 100000) {
		tick(l2tp_lns_next_deadline(lns));
		freed += (uint32_t)n_act(LNS_ACT_TUNNEL_FREE);
	}
	ck_assert_uint_eq(freed, cfg.max_half_open);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->tunnels_failed, cfg.max_half_open);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->tunnels_by_state[L2TP_TUN_WAIT_CTL_CONN], 0);
	/* Room again once they are gone. */
	l.addr.addr[13] = 1;
	build_sccrq(&l, 0, NULL);
	xmit_seq(&l, 0, 0);
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_NEW), 1);
}
END_TEST

/* 100 tunnels x 100 sessions: lookups stay right as the session hash grows. */
START_TEST(test_many_sessions)
{
	static struct lac l;
	uint16_t sids[100];

	lac_init(&l, 1, NULL);
	establish(&l);
	for (int i = 0; i < 100; i++) {
		l.sid = (uint16_t)(1000 + i);
		lac_icrq(&l);
		sids[i] = l.lns_sid;
		lac_iccn(&l);
	}
	ck_assert_uint_eq(l2tp_lns_n_sessions(lns), 100);
	for (int i = 0; i < 100; i++) {
		struct l2tp_sess *s = l2tp_lns_session(lns, l.lns_tid, sids[i]);

		ck_assert_ptr_nonnull(s);
		ck_assert_uint_eq(s->peer_sid, 1000 + i);
		ck_assert_int_eq(s->state, L2TP_SESS_ESTABLISHED);
	}
	{
		int n = 0;
		struct l2tp_tun *t = l2tp_lns_tunnel(lns, l.lns_tid);

		for (struct l2tp_sess *s = l2tp_tun_next_session(t, NULL); s;
		     s = l2tp_tun_next_session(t, s))
			n++;
		ck_assert_int_eq(n, 100);
	}
	lns_actions_reset(&out);
	l2tp_lns_close_tunnel(lns, l.lns_tid, L2TP_STOPCCN_CLEAR, 0, NULL, now, &out);
	ck_assert_int_eq(n_act(LNS_ACT_SESSION_FREE), 100);
	ck_assert_uint_eq(l2tp_lns_n_sessions(lns), 0);
}
END_TEST

/*
 * The walks: three tunnels with 3, 0 and 2 calls. Every tunnel and every
 * session is visited exactly once, the empty tunnel is stepped over, and the
 * per-tunnel walk and the walk over all sessions agree.
 */
START_TEST(test_iterators)
{
	static struct lac l[3];
	static const int calls[3] = { 3, 0, 2 };
	struct l2tp_tun *t;
	struct l2tp_sess *s;
	int n_tun = 0, n_sess = 0, n_all = 0, seen[3] = { 0 };

	ck_assert_ptr_null(l2tp_lns_next_session(lns, NULL));
	L2TP_LNS_FOREACH_TUNNEL(lns, t)
		n_tun++;
	ck_assert_int_eq(n_tun, 0);
	for (int i = 0; i < 3; i++) {
		lac_init(&l[i], (uint8_t)(i + 1), NULL);
		establish(&l[i]);
		for (int c = 0; c < calls[i]; c++) {
			l[i].sid = (uint16_t)(700 + 10 * i + c);
			ck_assert_ptr_nonnull(call(&l[i]));
		}
	}
	L2TP_LNS_FOREACH_TUNNEL(lns, t) {
		int i = t->peer_tid - 101, k = 0;

		ck_assert_int_ge(i, 0);
		ck_assert_int_lt(i, 3);
		seen[i]++;
		n_tun++;
		L2TP_TUN_FOREACH_SESSION(t, s) {
			ck_assert_ptr_eq(s->tun, t);
			ck_assert_ptr_null(s->user);
			s->user = &l[i];   /* marks it visited */
			k++;
		}
		ck_assert_int_eq(k, calls[i]);
		n_sess += k;
	}
	ck_assert_int_eq(n_tun, 3);
	ck_assert_int_eq(seen[0] + seen[1] + seen[2], 3);
	ck_assert_int_eq(seen[0] * seen[1] * seen[2], 1);
	ck_assert_int_eq(n_sess, 5);
	L2TP_LNS_FOREACH_SESSION(lns, s) {
		ck_assert_ptr_eq(s->user, &l[s->tun->peer_tid - 101]);
		s->user = NULL;    /* a second visit would fail the check above */
		n_all++;
	}
	ck_assert_int_eq(n_all, 5);
	ck_assert_uint_eq(l2tp_lns_n_sessions(lns), 5);
}
END_TEST


/*
 * The resumable walks (l2tp_lns_tunnel_from, l2tp_tun_session_from): half
 * a tunnel's calls walked, then its session table doubles twice; the
 * rest of the walk still sees each of the first calls
 * exactly once, positions strictly increasing, and ends.
 */
START_TEST(test_walk_resumes)
{
	static struct lac l[3];
	struct l2tp_tun *t;
	struct l2tp_sess *s;
	uint32_t orig[20];
	int seen[20] = { 0 }, n_tun = 0, walked = 0;
	uint64_t pos = 0, last = 0;
	bool first = true;

	for (int i = 0; i < 3; i++) {
		lac_init(&l[i], (uint8_t)(i + 1), NULL);
		establish(&l[i]);
	}
	for (t = l2tp_lns_tunnel_from(lns, 0); t; t = l2tp_lns_tunnel_from(lns, pos)) {
		ck_assert(first || l2tp_walk_pos(t->tid) > last);
		last = l2tp_walk_pos(t->tid);
		pos = last + 1;
		first = false;
		n_tun++;
	}
	ck_assert_int_eq(n_tun, 3);
	for (int c = 0; c < 20; c++) {
		l[0].sid = (uint16_t)(1000 + c);
		s = call(&l[0]);
		ck_assert_ptr_nonnull(s);
		orig[c] = s->sid;
	}
	t = l2tp_lns_tunnel(lns, l[0].lns_tid);
	ck_assert_uint_eq(t->nbuckets, 16);
	pos = 0;
	first = true;
	for (; walked < 10 && (s = l2tp_tun_session_from(t, pos)); walked++) {
		for (int c = 0; c < 20; c++)
			seen[c] += orig[c] == s->sid;
		ck_assert(first || l2tp_walk_pos(s->sid) > last);
		last = l2tp_walk_pos(s->sid);
		pos = last + 1;
		first = false;
	}
	ck_assert_int_eq(walked, 10);
	for (int c = 0; c < 100; c++) {
		l[0].sid = (uint16_t)(2000 + c);
		ck_assert_ptr_nonnull(call(&l[0]));
	}
	ck_assert_uint_eq(t->nbuckets, 64);
	while ((s = l2tp_tun_session_from(t, pos))) {
		for (int c = 0; c < 20; c++)
			seen[c] += orig[c] == s->sid;
		ck_assert(l2tp_walk_pos(s->sid) > last);
		last = l2tp_walk_pos(s->sid);
		pos = last + 1;
		walked++;
	}
	ck_assert_int_le(walked, 120);
	for (int c = 0; c < 20; c++)
		ck_assert_msg(seen[c] == 1, "call %d (sid %u) walked %d times", c, orig[c], seen[c]);
	ck_assert_ptr_null(l2tp_tun_session_from(t, L2TP_WALK_END));
}
END_TEST

/* ---- the whole stack over a lossy, duplicating, reordering link ---------- */

/*
 * The LAC side runs its own l2tp_rel, so both ends retransmit. The link
 * drops, duplicates and swaps packets by a fixed pattern; time advances in
 * 50 ms steps. The call must come up and the LAC must see every message once.
 */
struct wire {
	uint8_t pkt[64][512];
	size_t len[64];
	int n;
};

static struct wire to_lns, to_lac;
static unsigned wire_ctr;
static unsigned loss_every, dup_every, swap_every;

static void wire_put(struct wire *w, const uint8_t *p, size_t len)
{
	unsigned k = ++wire_ctr;

	if (getenv("LNS_TRACE"))
		fprintf(stderr, "%6llu %s ns=%u nr=%u len=%zu type=%u%s\n", (unsigned long long)now,
			w == &to_lns ? "->lns" : "<-lns", p[8] << 8 | p[9], p[10] << 8 | p[11], len,
			len > 12 ? p[19] : 0, loss_every && k % loss_every == 0 ? " LOST" : "");

	if (loss_every && k % loss_every == 0)
		return;
	for (int copies = (dup_every && k % dup_every == 0) ? 2 : 1; copies; copies--) {
		if (w->n == 64 || len > 512)
			return;
		memcpy(w->pkt[w->n], p, len);
		w->len[w->n++] = len;
	}
	if (swap_every && k % swap_every == 0 && w->n >= 2) {
		uint8_t tmp[512];
		size_t tl = w->len[w->n - 1];

		memcpy(tmp, w->pkt[w->n - 1], tl);
		memcpy(w->pkt[w->n - 1], w->pkt[w->n - 2], w->len[w->n - 2]);
		w->len[w->n - 1] = w->len[w->n - 2];
		memcpy(w->pkt[w->n - 2], tmp, tl);
		w->len[w->n - 2] = tl;
	}
}

static void emit_to_lns(void *ctx, const uint8_t *p, size_t len)
{
	(void)ctx;
	wire_put(&to_lns, p, len);
}

struct sim_lac {
	struct lac l;
	struct l2tp_rel rel;
	int got[L2TP_MSG_TYPE_COUNT];
	bool icrq_sent, iccn_sent;
};

static void sim_lac_deliver(struct sim_lac *s, const struct l2tp_msg *m)
{
	uint8_t resp[16];

	s->got[m->type]++;
	if (m->type == L2TP_MSG_SCCRP) {
		s->l.lns_tid = m->assigned_tunnel_id;
		begin(&s->l, 0, L2TP_MSG_SCCCN);
		if (m->challenge.len) {
			l2tp_challenge_response(L2TP_CHAPID_SCCCN, (const uint8_t *)SECRET,
						strlen(SECRET), m->challenge.data, m->challenge.len,
						resp);
			l2tp_mb_bytes(&mb, true, L2TP_AVP_CHALLENGE_RESPONSE, resp, 16);
		}
		ck_assert_int_eq(l2tp_rel_queue(&s->rel, mb.data, mb.len), 0);
		begin(&s->l, 0, L2TP_MSG_ICRQ);
		l2tp_mb_u16(&mb, true, L2TP_AVP_ASSIGNED_SESSION_ID, s->l.sid);
		l2tp_mb_u32(&mb, true, L2TP_AVP_CALL_SERIAL, 1);
		ck_assert_int_eq(l2tp_rel_queue(&s->rel, mb.data, mb.len), 0);
	}
	if (m->type == L2TP_MSG_ICRP) {
		s->l.lns_sid = m->assigned_session_id;
		build_iccn(&s->l, s->l.lns_sid);
		ck_assert_int_eq(l2tp_rel_queue(&s->rel, mb.data, mb.len), 0);
	}
}

static void run_sim(unsigned loss, unsigned dup, unsigned swap)
{
	static struct sim_lac s;
	static struct l2tp_msg m;
	static uint8_t buf[L2TP_MAX_MSG];
	struct l2tp_rel_cfg rc;
	uint64_t end;

	loss_every = loss;
	dup_every = dup;
	swap_every = swap;
	wire_ctr = 0;
	to_lns.n = to_lac.n = 0;
	memset(&s, 0, sizeof(s));
	lac_init(&s.l, 9, SECRET);
	l2tp_rel_cfg_default(&rc);
	ck_assert_int_eq(l2tp_rel_init(&s.rel, &rc), 0);
	s.rel.peer_tunnel_id = 0;
	build_sccrq(&s.l, 0, NULL);
	ck_assert_int_eq(l2tp_rel_queue(&s.rel, mb.data, mb.len), 0);

	end = now + 60000;
	for (; now < end; now += 50) {
		struct l2tp_sess *sess;

		ck_assert_int_eq(l2tp_rel_output(&s.rel, now, emit_to_lns, NULL), 0);
		for (int i = 0; i < to_lns.n; i++) {
			lns_actions_reset(&out);
			l2tp_lns_input(lns, &s.l.addr, &local_addr, to_lns.pkt[i], to_lns.len[i],
				       now, &out);
			for (size_t j = 0; j < out.n; j++)
				if (out.v[j].type == LNS_ACT_SEND)
					wire_put(&to_lac, out.buf + out.v[j].off, out.v[j].len);
		}
		to_lns.n = 0;
		lns_actions_reset(&out);
		l2tp_lns_tick(lns, now, &out);
		for (size_t j = 0; j < out.n; j++)
			if (out.v[j].type == LNS_ACT_SEND)
				wire_put(&to_lac, out.buf + out.v[j].off, out.v[j].len);
		for (int i = 0; i < to_lac.n; i++) {
			enum l2tp_rel_verdict v;

			ck_assert_int_eq(l2tp_msg_decode(to_lac.pkt[i], to_lac.len[i],
							 (const uint8_t *)SECRET, strlen(SECRET),
							 &m), L2TP_DEC_OK);
			v = l2tp_rel_input(&s.rel, to_lac.pkt[i], to_lac.len[i], m.hdr.ns,
					   m.hdr.nr, m.type == L2TP_MSG_ZLB, now);
			if (v != L2TP_REL_DELIVER)
				continue;
			if (m.type == L2TP_MSG_SCCRP)
				s.rel.peer_tunnel_id = m.assigned_tunnel_id;
			sim_lac_deliver(&s, &m);
			for (size_t n; (n = l2tp_rel_pop_ready(&s.rel, buf, sizeof(buf), now));) {
				ck_assert_int_eq(l2tp_msg_decode(buf, n, (const uint8_t *)SECRET,
								 strlen(SECRET), &m), L2TP_DEC_OK);
				sim_lac_deliver(&s, &m);
			}
		}
		to_lac.n = 0;
		sess = s.l.lns_tid ? l2tp_lns_session(lns, s.l.lns_tid, s.l.lns_sid) : NULL;
		if (sess && sess->state == L2TP_SESS_ESTABLISHED && l2tp_rel_all_acked(&s.rel))
			break;
	}
	ck_assert_int_eq(tun_state(s.l.lns_tid), L2TP_TUN_ESTABLISHED);
	ck_assert_ptr_nonnull(l2tp_lns_session(lns, s.l.lns_tid, s.l.lns_sid));
	ck_assert_int_eq(l2tp_lns_session(lns, s.l.lns_tid, s.l.lns_sid)->state,
			 L2TP_SESS_ESTABLISHED);
	ck_assert_int_eq(s.got[L2TP_MSG_SCCRP], 1);
	ck_assert_int_eq(s.got[L2TP_MSG_ICRP], 1);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->tunnels_created, 1);
	ck_assert_uint_eq(l2tp_lns_stats(lns)->sessions_created, 1);
	l2tp_rel_free(&s.rel);
}

static const unsigned sim_patterns[][3] = {
	/* Not a period of 2 alone: both ends retransmit on the same 1 s clock, so
	 * every retransmitted SCCRP would be the dropped one by construction. */
	{ 0, 0, 0 }, { 5, 0, 0 }, { 3, 0, 0 }, { 7, 3, 0 }, { 0, 2, 0 }, { 0, 0, 2 }, { 4, 3, 5 }, { 3, 2, 2 },
};

START_TEST(test_lossy_link)
{
	run_sim(sim_patterns[_i][0], sim_patterns[_i][1], sim_patterns[_i][2]);
}
END_TEST

/* SCCRQ then SCCCN and ICRQ arriving swapped: the rel queues, then delivers in order. */
START_TEST(test_reorder_scccn_icrq)
{
	struct lac l;

	lac_init(&l, 1, NULL);
	lac_sccrq(&l, NULL);
	/* Build ICRQ with Ns 2 first and keep it. */
	begin(&l, 0, L2TP_MSG_ICRQ);
	l2tp_mb_u16(&mb, true, L2TP_AVP_ASSIGNED_SESSION_ID, l.sid);
	l2tp_mb_u32(&mb, true, L2TP_AVP_CALL_SERIAL, 7);
	xmit_seq(&l, 2, l.nr);
	ck_assert_int_eq(n_act(LNS_ACT_SESSION_NEW), 0);
	ck_assert_int_eq(tun_state(l.lns_tid), L2TP_TUN_WAIT_CTL_CONN);
	l.ns = 1;
	lac_scccn(&l, NULL);
	ck_assert_int_eq(tun_state(l.lns_tid), L2TP_TUN_ESTABLISHED);
	ck_assert_int_eq(n_act(LNS_ACT_SESSION_NEW), 1);
	ck_assert_int_lt(act_idx(LNS_ACT_TUNNEL_STATE), act_idx(LNS_ACT_SESSION_NEW));
	ck_assert_int_eq(l.rx[L2TP_MSG_ICRP], 1);
}
END_TEST

/* ---- 32-bit IDs (docs/design.md §9.5) ------------------------------------- */

/* The longest chain of a table of nb buckets. */
static uint32_t max_chain_tun(const struct l2tp_lns *x)
{
	uint32_t m = 0;

	for (uint32_t b = 0; b < x->nb_id; b++) {
		uint32_t n = 0;

		for (const struct l2tp_tun *t = x->by_id[b]; t; t = t->hnext_id)
			n++;
		m = n > m ? n : m;
	}
	return m;
}

static uint32_t max_chain_sess(const struct l2tp_tun *t)
{
	uint32_t m = 0;

	for (uint32_t b = 0; b < t->nbuckets; b++) {
		uint32_t n = 0;

		for (const struct l2tp_sess *s = t->sbuckets[b]; s; s = s->hnext)
			n++;
		m = n > m ? n : m;
	}
	return m;
}

#define WIDE_N 512

/*
 * Tunnels of a protocol whose IDs are 32 bits (RFC 3931): created with that
 * width, their IDs (k << 16 | 1, alike in the low 16 bits) are found by
 * lookup, the truncated value is not, and the table spreads them: a hash of
 * the low 16 bits would chain all 512 in one bucket.
 */
START_TEST(test_wide_tunnel_ids)
{
	static uint32_t ids[WIDE_N];
	static struct l2tp_msg m;
	struct lns_addr pa = { .family = 4, .port = 1701, .addr = { 192, 0, 2, 9 } };
	struct l2tp_tun *t;
	int n = 0;

	for (uint32_t k = 0; k < WIDE_N; k++)
		ids[k] = (k + 1) << 16 | 1;
	forced_ids = ids;
	n_forced = WIDE_N;
	for (uint32_t k = 0; k < WIDE_N; k++) {
		m.assigned_tunnel_id = 0x80000000u | k;
		pa.port = (uint16_t)(2000 + k);
		t = lns_tun_create(lns, &pa, &local_addr, &m, &peer, L2TP_ID_MAX, now);
		ck_assert_ptr_nonnull(t);
		ck_assert_uint_eq(t->tid, ids[k]);
		ck_assert_uint_eq(t->id_max, L2TP_ID_MAX);
	}
	ck_assert_uint_eq(l2tp_lns_n_tunnels(lns), WIDE_N);
	for (uint32_t k = 0; k < WIDE_N; k++) {
		t = l2tp_lns_tunnel(lns, ids[k]);
		ck_assert_ptr_nonnull(t);
		ck_assert_uint_eq(t->tid, ids[k]);
		ck_assert_uint_eq(t->peer_tid, 0x80000000u | k);
	}
	ck_assert_ptr_null(l2tp_lns_tunnel(lns, 1));
	ck_assert_ptr_null(l2tp_lns_tunnel(lns, 0x10000));
	ck_assert_uint_le(max_chain_tun(lns), 8);
	L2TP_LNS_FOREACH_TUNNEL(lns, t)
		n++;
	ck_assert_int_eq(n, WIDE_N);
}
END_TEST

/*
 * Sessions of a tunnel whose width allows 32 bits (this one stands in for
 * an RFC 3931 tunnel; the codec is v2 only): IDs k << 16 | 1 are created,
 * found and spread like the tunnels above. The v2 encoder will not put them
 * in an ICRP: no ICRP goes out, and none with the ID cut to 16 bits.
 */
START_TEST(test_wide_session_ids)
{
	static struct lac l;
	static uint32_t ids[WIDE_N];
	struct l2tp_tun *t;
	int n = 0;

	lac_init(&l, 1, NULL);
	establish(&l);
	t = l2tp_lns_tunnel(lns, l.lns_tid);
	ck_assert_uint_eq(t->id_max, L2TP_V2_ID_MAX);
	t->id_max = L2TP_ID_MAX;
	for (uint32_t k = 0; k < WIDE_N; k++)
		ids[k] = (k + 1) << 16 | 1;
	forced_ids = ids;
	n_forced = WIDE_N;
	for (uint32_t k = 0; k < WIDE_N; k++) {
		l.sid = (uint16_t)(1000 + k);
		lac_icrq(&l);
		ck_assert_int_eq(n_act(LNS_ACT_SESSION_NEW), 1);
		ck_assert_uint_eq(out.v[act_idx(LNS_ACT_SESSION_NEW)].sid, ids[k]);
		ck_assert_ptr_null(find_sent(L2TP_MSG_ICRP));
		ck_assert_int_eq(n_act(LNS_ACT_NOTICE), 1);
	}
	ck_assert_int_eq(l.rx[L2TP_MSG_ICRP], 0);
	ck_assert_uint_eq(t->n_sessions, WIDE_N);
	for (uint32_t k = 0; k < WIDE_N; k++) {
		struct l2tp_sess *s = l2tp_lns_session(lns, l.lns_tid, ids[k]);

		ck_assert_ptr_nonnull(s);
		ck_assert_uint_eq(s->sid, ids[k]);
		ck_assert_uint_eq(s->peer_sid, 1000 + k);
	}
	ck_assert_ptr_null(l2tp_lns_session(lns, l.lns_tid, 1));
	ck_assert_uint_le(max_chain_sess(t), 8);
	{
		struct l2tp_sess *s;

		L2TP_TUN_FOREACH_SESSION(t, s)
			n++;
	}
	ck_assert_int_eq(n, WIDE_N);
}
END_TEST

/*
 * A v2 tunnel's IDs stay within 1..0xffff whatever the RNG gives: with every
 * random byte 0xff the tunnel gets 0xffff, its first call 0xffff and the
 * next one, 0xffff being taken, wraps to 1, never 0x10000.
 */
START_TEST(test_v2_ids_stay_16_bits)
{
	static struct lac l;
	struct l2tp_sess *s1, *s2;

	rng_ones = true;
	lac_init(&l, 1, NULL);
	lac_sccrq(&l, NULL);
	ck_assert_int_eq(n_act(LNS_ACT_TUNNEL_NEW), 1);
	ck_assert_uint_eq(out.v[act_idx(LNS_ACT_TUNNEL_NEW)].tid, 0xffff);
	ck_assert_uint_eq(l.lns_tid, 0xffff);
	lac_scccn(&l, NULL);
	ck_assert_int_eq(tun_state(0xffff), L2TP_TUN_ESTABLISHED);
	ck_assert_uint_eq(l2tp_lns_tunnel(lns, 0xffff)->id_max, L2TP_V2_ID_MAX);
	s1 = call(&l);
	ck_assert_ptr_nonnull(s1);
	ck_assert_uint_eq(s1->sid, 0xffff);
	l.sid++;
	s2 = call(&l);
	ck_assert_ptr_nonnull(s2);
	ck_assert_uint_eq(s2->sid, 1);
	ck_assert_uint_eq(l.lns_sid, 1);
}
END_TEST

static Suite *lns_suite(void)
{
	Suite *s = suite_create("lns");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_happy_path);
	tcase_add_test(tc, test_icrq_retransmit);
	tcase_add_test(tc, test_challenge_without_secret);
	tcase_add_test(tc, test_sccrq_retransmit);
	tcase_add_test(tc, test_sccrq_same_atid_keys);
	tcase_add_test(tc, test_sccrq_late_copy_established);
	tcase_add_test(tc, test_sccrq_bad_version);
	tcase_add_test(tc, test_sccrq_unknown_mandatory);
	tcase_add_test(tc, test_sccrq_missing_avp);
	tcase_add_test(tc, test_sccrq_no_rws_default);
	tcase_add_test(tc, test_zlb_names_the_call);
	tcase_add_test(tc, test_limit_max_tunnels);
	tcase_add_test(tc, test_limit_half_open);
	tcase_add_test(tc, test_limit_half_open_per_peer);
	tcase_add_test(tc, test_limit_sessions_per_tunnel);
	tcase_add_test(tc, test_limit_sessions_total);
	tcase_add_test(tc, test_busy_refuses_new_calls);
	tcase_add_test(tc, test_drops);
	tcase_add_test(tc, test_cdn_session_zero);
	tcase_add_test(tc, test_proxy_avps);
	tcase_add_test(tc, test_hello_idle_and_dead_peer);
	tcase_add_test(tc, test_hello_reset_by_rx);
	tcase_add_test(tc, test_stopccn_hold);
	tcase_add_test(tc, test_stopccn_sent_unacked);
	tcase_add_test(tc, test_abort_tunnel);
	tcase_add_test(tc, test_shutdown);
	tcase_add_test(tc, test_api_misc);
	tcase_add_test(tc, test_heap_order);
	tcase_add_test(tc, test_sccrq_flood);
	tcase_add_test(tc, test_many_sessions);
	tcase_add_test(tc, test_iterators);
	tcase_add_test(tc, test_walk_resumes);
	tcase_add_test(tc, test_wide_tunnel_ids);
	tcase_add_test(tc, test_wide_session_ids);
	tcase_add_test(tc, test_v2_ids_stay_16_bits);
	tcase_add_test(tc, test_reorder_scccn_icrq);
	tcase_add_loop_test(tc, test_session_table, 0, (int)(sizeof(sess_rows) / sizeof(sess_rows[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("secret");
	tcase_add_checked_fixture(tc, setup_secret, teardown);
	tcase_add_loop_test(tc, test_tunnel_table, 0, (int)(sizeof(tun_rows) / sizeof(tun_rows[0])));
	tcase_add_test(tc, test_challenge_both_ways);
	tcase_add_test(tc, test_challenge_wrong_secret);
	tcase_add_test(tc, test_challenge_missing_response);
	tcase_add_test(tc, test_lac_sees_wrong_response);
	tcase_add_loop_test(tc, test_lossy_link, 0,
			    (int)(sizeof(sim_patterns) / sizeof(sim_patterns[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("hide");
	tcase_add_checked_fixture(tc, setup_hide, teardown);
	tcase_add_test(tc, test_hidden_session_id);
	tcase_add_test(tc, test_hidden_sccrq_gets_hidden_sccrp);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(lns_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
