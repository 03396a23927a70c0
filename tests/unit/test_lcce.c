// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * L2TPv3 control connections and pseudowires (lib/l2tp/l2tp_lcce.c,
 * l2tp_pw.c): two LCCEs wired back to back in-process, with loss and
 * reordering on the wire, simultaneous opens, restarts, circuit status;
 * and a scripted peer for the state x event tables and hostile input.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l2tp_lcce.h"
#include "l2tp_msg.h"

#define NQ 4096
#define NFAKE 256
#define FAKE (-1)

struct pkt {
	int from, to;
	size_t len;
	uint8_t data[L2TP_MAX_MSG + 4];
};

struct node {
	struct l2tp_lcce *l;
	struct lcce_actions out;
	struct l2tp_lcce_cfg cfg;
	struct l2tp_lcce_peer_cfg peers[2];
	struct l2tp_lcce_pw_cfg pws[2];
	struct lns_addr addr;
	uint64_t rng;
	bool rand_const;
	int kcc, kpw, kpw_created, kpw_deleted;
	struct {
		uint32_t sid, peer_sid;
		uint8_t rxl, txl, rxc[8], txc[8];
		uint16_t l2spec;
	} ks;
	int circuit_events;
	bool circuit_up;
	uint64_t sent[L2TP_MSG_V3_TYPE_COUNT];
};

struct net {
	struct node n[2];
	enum l2tp_encap encap;
	struct pkt *q;
	size_t nq;
	uint64_t now;
	unsigned loss_pct;
	uint64_t loss_until;
	bool reorder;
	uint64_t rng;
	struct lns_addr fake_addr;
	struct pkt fake_in[NFAKE];
	size_t nfake;
};

static uint64_t xs(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static void node_rand(void *ctx, void *buf, size_t len)
{
	struct node *n = ctx;

	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] = n->rand_const ? 0x42 : (uint8_t)xs(&n->rng);
}

static void addr4(struct lns_addr *a, uint8_t last, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	a->port = port;
	a->addr[0] = 192;
	a->addr[2] = 2;
	a->addr[3] = last;
}

static const uint8_t secret_a[] = "s3cret", secret_b[] = "other";

/* Node i: peers[0] is the other node, peers[1] the scripted peer. */
static void node_cfg(struct net *net, int i, enum l2tp_lcce_auth auth, bool initiate,
		     enum l2tp_lcce_role role, uint64_t seed)
{
	struct node *n = &net->n[i];
	uint16_t port = net->encap == L2TP_ENCAP_UDP ? 1701 : 0;

	addr4(&n->addr, (uint8_t)(1 + i), port);
	l2tp_lcce_cfg_default(&n->cfg);
	snprintf(n->cfg.hostname, sizeof(n->cfg.hostname), "lcce%d", i);
	n->cfg.router_id = 0x0a000001u + (uint32_t)i;
	n->cfg.hello_interval_ms = 5000;
	n->cfg.setup_timeout_ms = 10000;
	n->cfg.stopccn_hold_ms = 3000;
	n->cfg.rel.max_retries = 5;
	n->cfg.rand_bytes = node_rand;
	n->cfg.rand_ctx = n;
	n->rng = seed * 2654435761u + (uint64_t)i * 977 + 1;
	n->pws[0] = (struct l2tp_lcce_pw_cfg){
		.name = "pw1", .remote_end_id = (const uint8_t *)"100", .remote_end_id_len = 3,
		.pw_type = L2TP_PW_ETH, .cookie_len = i ? 4 : 8, .l2spec = L2TP_L2SUB_NONE,
		.role = role,
	};
	n->peers[0] = (struct l2tp_lcce_peer_cfg){
		.name = "other", .encap = net->encap, .initiate = initiate, .auth = auth,
		.digest = L2TP_DIGEST_HMAC_MD5, .secret = secret_a, .secret_len = 6,
		.pws = n->pws, .n_pws = 1,
	};
	addr4(&n->peers[0].addr, (uint8_t)(2 - i), port);
	n->peers[0].local = n->addr;
	n->peers[1] = (struct l2tp_lcce_peer_cfg){
		.name = "scripted", .encap = net->encap, .auth = L2TP_LCCE_AUTH_NONE,
		.pws = n->pws, .n_pws = 1,
	};
	n->peers[1].addr = net->fake_addr;
	n->peers[1].local = n->addr;
	n->cfg.peers = n->peers;
	n->cfg.n_peers = 2;
}

static void node_start(struct net *net, int i)
{
	struct node *n = &net->n[i];

	n->l = l2tp_lcce_new(&n->cfg, net->now);
	ck_assert_ptr_nonnull(n->l);
	lcce_actions_init(&n->out);
}

static struct net *net_new(enum l2tp_encap encap)
{
	struct net *net = calloc(1, sizeof(*net));

	ck_assert_ptr_nonnull(net);
	net->q = calloc(NQ, sizeof(*net->q));
	ck_assert_ptr_nonnull(net->q);
	net->encap = encap;
	net->rng = 88172645463325252ull;
	addr4(&net->fake_addr, 9, encap == L2TP_ENCAP_UDP ? 1701 : 0);
	net->now = 1000;
	return net;
}

static void net_free(struct net *net)
{
	for (int i = 0; i < 2; i++) {
		l2tp_lcce_free(net->n[i].l);
		lcce_actions_free(&net->n[i].out);
	}
	free(net->q);
	free(net);
}

static size_t pre(const struct net *net)
{
	return net->encap == L2TP_ENCAP_IP ? 4 : 0;
}

static uint16_t msg_type(const struct net *net, const uint8_t *p, size_t len)
{
	size_t o = pre(net);

	if (len < o + 20)
		return L2TP_MSG_ZLB;
	return (uint16_t)(p[o + 18] << 8 | p[o + 19]);
}

static void process(struct net *net, int i)
{
	struct node *n = &net->n[i];

	for (size_t k = 0; k < n->out.n; k++) {
		const struct lcce_action *a = &n->out.v[k];
		struct pkt *p;

		switch (a->type) {
		case LCCE_ACT_SEND: {
			int to = lns_addr_eq(&a->peer, &net->n[1 - i].addr) ? 1 - i : FAKE;
			uint16_t t = msg_type(net, n->out.buf + a->off, a->len);

			if (t < L2TP_MSG_V3_TYPE_COUNT)
				n->sent[t]++;
			if (to == FAKE) {
				ck_assert_uint_lt(net->nfake, NFAKE);
				p = &net->fake_in[net->nfake++];
			} else {
				ck_assert_uint_lt(net->nq, NQ);
				p = &net->q[net->nq++];
			}
			p->from = i;
			p->to = to;
			p->len = a->len;
			memcpy(p->data, n->out.buf + a->off, a->len);
			break;
		}
		case LCCE_ACT_CC_KERNEL_CREATE:
			ck_assert_uint_ne(a->ccid, 0);
			ck_assert_uint_ne(a->peer_ccid, 0);
			n->kcc++;
			break;
		case LCCE_ACT_CC_KERNEL_DELETE:
			n->kcc--;
			break;
		case LCCE_ACT_PW_KERNEL_CREATE:
			n->kpw++;
			n->kpw_created++;
			n->ks.sid = a->pw->sid;
			n->ks.peer_sid = a->pw->peer_sid;
			n->ks.rxl = a->pw->rx_cookie_len;
			n->ks.txl = a->pw->tx_cookie_len;
			memcpy(n->ks.rxc, a->pw->rx_cookie, 8);
			memcpy(n->ks.txc, a->pw->tx_cookie, 8);
			n->ks.l2spec = a->pw->l2spec;
			break;
		case LCCE_ACT_PW_KERNEL_DELETE:
			n->kpw--;
			n->kpw_deleted++;
			break;
		case LCCE_ACT_PW_CIRCUIT:
			n->circuit_events++;
			n->circuit_up = a->up;
			break;
		case LCCE_ACT_CC_STATE:
		case LCCE_ACT_CC_FREE:
		case LCCE_ACT_PW_STATE:
		case LCCE_ACT_PW_FREE:
		case LCCE_ACT_NOTICE:
			break;
		}
	}
	lcce_actions_reset(&n->out);
}

static void deliver(struct net *net, struct pkt *p)
{
	struct node *n = &net->n[p->to];

	l2tp_lcce_input(n->l, &net->n[p->from].addr, &n->addr, net->encap, p->data, p->len,
			net->now, &n->out);
	process(net, p->to);
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static void run(struct net *net, uint64_t until)
{
	static struct pkt p;

	for (int iter = 0; iter < 500000; iter++) {
		if (net->nq) {
			size_t idx = net->reorder ? xs(&net->rng) % net->nq : 0;

			p = net->q[idx];
			memmove(&net->q[idx], &net->q[idx + 1], (net->nq - idx - 1) * sizeof(p));
			net->nq--;
			if (net->loss_pct && net->now < net->loss_until &&
			    xs(&net->rng) % 100 < net->loss_pct)
				continue;
			if (net->n[p.to].l)
				deliver(net, &p);
			continue;
		}
		uint64_t t = UINT64_MAX;

		for (int i = 0; i < 2; i++)
			if (net->n[i].l)
				t = min64(t, l2tp_lcce_next_deadline(net->n[i].l));
		if (t > until) {
			net->now = until;
			return;
		}
		if (t > net->now)
			net->now = t;
		for (int i = 0; i < 2; i++) {
			if (!net->n[i].l)
				continue;
			l2tp_lcce_tick(net->n[i].l, net->now, &net->n[i].out);
			process(net, i);
		}
	}
	ck_abort_msg("run did not settle");
}

/* The only live connection of node i, or NULL (asserts there is at most one). */
static struct l2tp_cc *only_cc(struct net *net, int i)
{
	struct l2tp_cc *cc = l2tp_lcce_next_cc(net->n[i].l, NULL), *c;
	int n = 0;

	for (c = cc; c; c = l2tp_lcce_next_cc(net->n[i].l, c))
		if (c->state != L2TP_CC_CLOSING)
			n++;
	ck_assert_int_le(n, 1);
	while (cc && cc->state == L2TP_CC_CLOSING)
		cc = l2tp_lcce_next_cc(net->n[i].l, cc);
	return cc;
}

/* Both sides up with one pseudowire between them, ids and cookies crossed. */
static void assert_paired(struct net *net)
{
	struct l2tp_cc *a = only_cc(net, 0), *b = only_cc(net, 1);

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(a->state, L2TP_CC_ESTABLISHED);
	ck_assert_int_eq(b->state, L2TP_CC_ESTABLISHED);
	ck_assert_uint_eq(a->peer_ccid, b->ccid);
	ck_assert_uint_eq(b->peer_ccid, a->ccid);
	ck_assert_int_eq(net->n[0].kcc, 1);
	ck_assert_int_eq(net->n[1].kcc, 1);
	ck_assert_int_eq(net->n[0].kpw, 1);
	ck_assert_int_eq(net->n[1].kpw, 1);
	ck_assert_ptr_nonnull(a->pws);
	ck_assert_ptr_nonnull(b->pws);
	ck_assert_ptr_null(a->pws->next);
	ck_assert_int_eq(a->pws->state, L2TP_PW_ESTABLISHED);
	ck_assert_int_eq(b->pws->state, L2TP_PW_ESTABLISHED);
	ck_assert_uint_eq(net->n[0].ks.sid, net->n[1].ks.peer_sid);
	ck_assert_uint_eq(net->n[1].ks.sid, net->n[0].ks.peer_sid);
	/* What one side requires on receipt is what the other puts on. */
	ck_assert_uint_eq(net->n[0].ks.rxl, 8);
	ck_assert_uint_eq(net->n[1].ks.rxl, 4);
	ck_assert_uint_eq(net->n[0].ks.rxl, net->n[1].ks.txl);
	ck_assert_uint_eq(net->n[1].ks.rxl, net->n[0].ks.txl);
	ck_assert_mem_eq(net->n[0].ks.rxc, net->n[1].ks.txc, 8);
	ck_assert_mem_eq(net->n[1].ks.rxc, net->n[0].ks.txc, 4);
}

static const struct {
	enum l2tp_lcce_auth auth;
	enum l2tp_digest_type digest;
	enum l2tp_encap encap;
} auth_cases[] = {
	{ L2TP_LCCE_AUTH_NONE, L2TP_DIGEST_HMAC_MD5, L2TP_ENCAP_UDP },
	{ L2TP_LCCE_AUTH_DIGEST, L2TP_DIGEST_HMAC_MD5, L2TP_ENCAP_UDP },
	{ L2TP_LCCE_AUTH_DIGEST, L2TP_DIGEST_HMAC_SHA1, L2TP_ENCAP_IP },
	{ L2TP_LCCE_AUTH_CHALLENGE, L2TP_DIGEST_HMAC_MD5, L2TP_ENCAP_IP },
};

static struct net *pair(int c, uint64_t seed)
{
	struct net *net = net_new(auth_cases[c].encap);

	node_cfg(net, 0, auth_cases[c].auth, true, L2TP_LCCE_INITIATOR, seed);
	node_cfg(net, 1, auth_cases[c].auth, false, L2TP_LCCE_RESPONDER, seed);
	net->n[0].peers[0].digest = net->n[1].peers[0].digest = auth_cases[c].digest;
	node_start(net, 0);
	node_start(net, 1);
	return net;
}

/* Initiator <-> responder on a clean wire, every authentication. */
START_TEST(test_establish)
{
	struct net *net = pair(_i, 1);

	run(net, 20000);
	assert_paired(net);
	ck_assert_uint_eq(l2tp_lcce_stats(net->n[0].l)->dials, 1);
	ck_assert_uint_eq(net->n[0].sent[L2TP_MSG_SCCRQ], 1);
	ck_assert_uint_eq(net->n[1].sent[L2TP_MSG_SCCRP], 1);
	ck_assert_uint_eq(net->n[0].sent[L2TP_MSG_ICRQ], 1);
	ck_assert_uint_eq(net->n[1].sent[L2TP_MSG_ICRP], 1);
	ck_assert_uint_eq(net->n[0].sent[L2TP_MSG_ICCN], 1);
	ck_assert_uint_eq(l2tp_lcce_stats(net->n[1].l)->drops[LCCE_DROP_AUTH], 0);
	/* HELLOs keep it up, acked by ACK messages with digests, else by ZLBs. */
	run(net, 60000);
	assert_paired(net);
	ck_assert_uint_gt(net->n[0].sent[L2TP_MSG_HELLO] + net->n[1].sent[L2TP_MSG_HELLO], 0);
	if (auth_cases[_i].auth == L2TP_LCCE_AUTH_DIGEST) {
		ck_assert_uint_gt(net->n[0].sent[L2TP_MSG_ACK] + net->n[1].sent[L2TP_MSG_ACK], 0);
		ck_assert_uint_eq(net->n[0].sent[L2TP_MSG_ZLB] + net->n[1].sent[L2TP_MSG_ZLB], 0);
	} else {
		ck_assert_uint_eq(net->n[0].sent[L2TP_MSG_ACK] + net->n[1].sent[L2TP_MSG_ACK], 0);
		ck_assert_uint_gt(net->n[0].sent[L2TP_MSG_ZLB] + net->n[1].sent[L2TP_MSG_ZLB], 0);
	}
	net_free(net);
}
END_TEST

/* 30% loss and reordering for the first minute, through the reliable layer;
 * 12 seeds over the four authentication/encapsulation cases. */
START_TEST(test_loss_reorder)
{
	uint64_t seed = (uint64_t)_i;
	struct net *net = pair((int)(seed % 4), seed);

	net->rng ^= seed * 0x9e3779b97f4a7c15ull;
	net->loss_pct = 30;
	net->loss_until = 60000;
	net->reorder = true;
	run(net, 400000);
	assert_paired(net);
	ck_assert_uint_gt(l2tp_lcce_stats(net->n[0].l)->ccs_established, 0);
	net_free(net);
}
END_TEST

/* Wrong secrets: the connection never comes up, the failure is counted. */
START_TEST(test_wrong_secret)
{
	struct net *net = pair(_i + 1, 3);

	net->n[1].peers[0].secret = secret_b;
	net->n[1].peers[0].secret_len = 5;
	run(net, 8000);
	ck_assert_int_eq(net->n[0].kcc, 0);
	ck_assert_int_eq(net->n[1].kcc, 0);
	ck_assert_uint_eq(l2tp_lcce_stats(net->n[0].l)->ccs_established, 0);
	ck_assert_uint_gt(l2tp_lcce_stats(net->n[0].l)->drops[LCCE_DROP_AUTH] +
			  l2tp_lcce_stats(net->n[1].l)->drops[LCCE_DROP_AUTH], 0);
	ck_assert_uint_gt(net->n[0].sent[L2TP_MSG_STOPCCN] + net->n[1].sent[L2TP_MSG_STOPCCN], 0);
	net_free(net);
}
END_TEST

/* Both dial at once: one connection survives, one pseudowire; over seeds
 * each side wins some ties. */
START_TEST(test_simultaneous_open)
{
	int a_won = 0, b_won = 0;

	for (uint64_t seed = 1; seed <= 16; seed++) {
		struct net *net = net_new(L2TP_ENCAP_UDP);
		const struct l2tp_lcce_stats *sa, *sb;
		int loser;

		node_cfg(net, 0, L2TP_LCCE_AUTH_DIGEST, true, L2TP_LCCE_BOTH, seed);
		node_cfg(net, 1, L2TP_LCCE_AUTH_DIGEST, true, L2TP_LCCE_BOTH, seed);
		node_start(net, 0);
		node_start(net, 1);
		net->reorder = seed & 1;
		run(net, 30000);
		assert_paired(net);
		sa = l2tp_lcce_stats(net->n[0].l);
		sb = l2tp_lcce_stats(net->n[1].l);
		ck_assert_uint_eq(sa->dials, 1);
		ck_assert_uint_eq(sb->dials, 1);
		/* The tie was seen by one side at least: the winner refusing
		 * the loser's SCCRQ, or the loser discarding its own (each may
		 * miss it when the other's message overtakes the SCCRQ). */
		ck_assert_uint_ge(sa->ties_won + sa->ties_lost + sb->ties_won + sb->ties_lost, 1);
		ck_assert_uint_eq(sa->ties_won * sa->ties_lost, 0);
		ck_assert_uint_eq(sa->ties_won * sb->ties_won, 0);
		/* One connection survives: the winner's, which it originated. */
		loser = only_cc(net, 0)->originated ? 1 : 0;
		ck_assert(!only_cc(net, loser)->originated);
		ck_assert(only_cc(net, 1 - loser)->originated);
		ck_assert_uint_eq(l2tp_lcce_stats(net->n[loser].l)->ties_won, 0);
		a_won += loser == 1;
		b_won += loser == 0;
		net_free(net);
	}
	ck_assert_int_gt(a_won, 0);
	ck_assert_int_gt(b_won, 0);
}
END_TEST

/* Equal tie breakers: both discard and dial again with new values. */
START_TEST(test_simultaneous_equal)
{
	struct net *net = net_new(L2TP_ENCAP_UDP);

	node_cfg(net, 0, L2TP_LCCE_AUTH_NONE, true, L2TP_LCCE_BOTH, 5);
	node_cfg(net, 1, L2TP_LCCE_AUTH_NONE, true, L2TP_LCCE_BOTH, 6);
	net->n[0].rand_const = net->n[1].rand_const = true;
	node_start(net, 0);
	node_start(net, 1);
	run(net, 1500);
	ck_assert_uint_ge(l2tp_lcce_stats(net->n[0].l)->ties_equal, 1);
	ck_assert_uint_ge(l2tp_lcce_stats(net->n[1].l)->ties_equal, 1);
	ck_assert_int_eq(net->n[0].kcc, 0);
	ck_assert_int_eq(net->n[1].kcc, 0);
	net->n[0].rand_const = net->n[1].rand_const = false;
	run(net, 60000);
	assert_paired(net);
	net_free(net);
}
END_TEST

static void restart(struct net *net, int i)
{
	struct node *n = &net->n[i];

	l2tp_lcce_free(n->l);
	lcce_actions_free(&n->out);
	n->kcc = n->kpw = 0;
	n->rng += 12345;
	node_start(net, i);
}

/* The responder restarts: the initiator's HELLO goes unanswered, it redials
 * and places the call again. Then the initiator restarts: the responder
 * refuses the new SCCRQ while its connection is up, probes it with a HELLO,
 * and takes the next SCCRQ once that failed. */
START_TEST(test_restart)
{
	struct net *net = pair(_i, 7);
	const struct l2tp_lcce_stats *sa;

	run(net, 20000);
	assert_paired(net);
	restart(net, 1);
	run(net, 120000);
	assert_paired(net);
	sa = l2tp_lcce_stats(net->n[0].l);
	ck_assert_uint_eq(sa->dials, 2);
	ck_assert_int_eq(net->n[0].kpw_created, 2);
	ck_assert_int_eq(net->n[0].kpw_deleted, 1);

	restart(net, 0);
	run(net, 400000);
	assert_paired(net);
	ck_assert_uint_ge(l2tp_lcce_stats(net->n[1].l)->drops[LCCE_DROP_TIE_LOST], 1);
	ck_assert_int_eq(net->n[1].kpw_deleted, 1);
	net_free(net);
}
END_TEST

/* Circuit status both ways: SLI down, then up. */
START_TEST(test_sli)
{
	struct net *net = pair(_i, 9);
	struct l2tp_cc *a, *b;

	run(net, 20000);
	assert_paired(net);
	a = only_cc(net, 0);
	b = only_cc(net, 1);
	ck_assert_int_eq(net->n[1].circuit_events, 1);
	ck_assert(net->n[1].circuit_up);
	ck_assert_int_eq(l2tp_lcce_circuit(net->n[0].l, a->ccid, a->pws->sid, false, net->now,
					   &net->n[0].out), 0);
	process(net, 0);
	run(net, net->now + 1000);
	ck_assert_int_eq(net->n[1].circuit_events, 2);
	ck_assert(!net->n[1].circuit_up);
	ck_assert(!b->pws->remote_up);
	ck_assert_int_eq(l2tp_lcce_circuit(net->n[0].l, a->ccid, a->pws->sid, true, net->now,
					   &net->n[0].out), 0);
	process(net, 0);
	run(net, net->now + 1000);
	ck_assert_int_eq(net->n[1].circuit_events, 3);
	ck_assert(net->n[1].circuit_up);
	/* The other way. */
	ck_assert_int_eq(l2tp_lcce_circuit(net->n[1].l, b->ccid, b->pws->sid, false, net->now,
					   &net->n[1].out), 0);
	process(net, 1);
	run(net, net->now + 1000);
	ck_assert(!net->n[0].circuit_up);
	ck_assert(!a->pws->remote_up);
	/* Unchanged status sends nothing; unknown ids are refused. */
	ck_assert_int_eq(l2tp_lcce_circuit(net->n[1].l, b->ccid, b->pws->sid, false, net->now,
					   &net->n[1].out), 0);
	ck_assert_uint_eq(net->n[1].out.n, 0);
	ck_assert_int_eq(l2tp_lcce_circuit(net->n[1].l, b->ccid, b->pws->sid + 1, false, net->now,
					   &net->n[1].out), -ENOENT);
	assert_paired(net);
	net_free(net);
}
END_TEST

/* Administrative CDN and StopCCN; the initiator places the call again only
 * after a reconnect. */
START_TEST(test_admin_close)
{
	struct net *net = pair(0, 11);
	struct l2tp_cc *b;

	run(net, 20000);
	assert_paired(net);
	b = only_cc(net, 1);
	ck_assert_int_eq(l2tp_lcce_close_pw(net->n[1].l, b->ccid, b->pws->sid, L2TP_CDN_ADMIN, 0,
					    net->now, &net->n[1].out), 0);
	process(net, 1);
	run(net, net->now + 2000);
	ck_assert_int_eq(net->n[0].kpw, 0);
	ck_assert_int_eq(net->n[1].kpw, 0);
	ck_assert_uint_eq(only_cc(net, 0)->pws ? 1 : 0, 0);
	ck_assert_int_eq(l2tp_lcce_close_cc(net->n[1].l, b->ccid, L2TP_STOPCCN_CLEAR, 0, net->now,
					    &net->n[1].out), 0);
	process(net, 1);
	run(net, net->now + 60000);
	assert_paired(net);
	ck_assert_uint_eq(l2tp_lcce_stats(net->n[0].l)->dials, 2);
	l2tp_lcce_shutdown(net->n[0].l, net->now, &net->n[0].out);
	process(net, 0);
	run(net, net->now + 60000);
	ck_assert_int_eq(net->n[0].kcc, 0);
	ck_assert_int_eq(net->n[1].kcc, 0);
	ck_assert_uint_eq(l2tp_lcce_stats(net->n[0].l)->dials, 2);
	net_free(net);
}
END_TEST

/* ---- the scripted peer ---------------------------------------------------- */

/* Node 0 is the LCCE under test; the scripted peer talks to it directly. */
struct script {
	struct net *net;
	uint16_t ns, nr;       /* the peer's next Ns, and what it has received */
	uint32_t ccid;         /* node 0's connection ID as the peer knows it */
	uint32_t my_ccid;
	size_t seen;           /* fake_in entries already looked at */
};

static void sc_send(struct script *s, struct l2tp_mbuf *b)
{
	struct net *net = s->net;
	struct node *n = &net->n[0];
	uint8_t buf[L2TP_MAX_MSG + 4];
	size_t len;

	ck_assert(!b->overflow);
	b->data[8] = (uint8_t)(s->ns >> 8);
	b->data[9] = (uint8_t)s->ns;
	b->data[10] = (uint8_t)(s->nr >> 8);
	b->data[11] = (uint8_t)s->nr;
	if (b->len > 12 && !(b->data[18] == 0 && b->data[19] == L2TP_MSG_ACK))
		s->ns++;
	len = l2tp_v3_frame(b, net->encap, buf, sizeof(buf));
	ck_assert_uint_gt(len, 0);
	l2tp_lcce_input(n->l, &net->fake_addr, &n->addr, net->encap, buf, len, net->now, &n->out);
	process(net, 0);
}

/* The next message node 0 sent the peer that is not an ACK; false if none. */
static bool sc_recv(struct script *s, struct l2tp_msg *m)
{
	while (s->seen < s->net->nfake) {
		struct pkt *p = &s->net->fake_in[s->seen++];

		ck_assert_int_eq(l2tp_v3_msg_decode(p->data, p->len, s->net->encap, NULL, m),
				 L2TP_DEC_OK);
		if (m->type == L2TP_MSG_ACK || m->type == L2TP_MSG_ZLB ||
		    m->type == L2TP_MSG_HELLO)
			continue;
		s->nr = (uint16_t)(m->hdr.ns + 1);
		return true;
	}
	return false;
}

static void sc_begin(struct script *s, struct l2tp_mbuf *b, uint16_t type)
{
	l2tp_mb_begin_v3(b, s->ccid, type);
}

static void sc_start_avps(struct script *s, struct l2tp_mbuf *b)
{
	uint8_t caps[2] = { 0, L2TP_PW_ETH };

	l2tp_mb_str(b, false, L2TP_AVP_HOST_NAME, "scripted");
	l2tp_mb_u32(b, false, L2TP_AVP_ROUTER_ID, 0x0a0a0a0a);
	l2tp_mb_id(b, false, L2TP_AVP_ASSIGNED_CCID, s->my_ccid);
	l2tp_mb_bytes(b, false, L2TP_AVP_PW_CAPS, caps, 2);
}

static struct net *sc_net(struct script *s)
{
	struct net *net = net_new(L2TP_ENCAP_IP);

	node_cfg(net, 0, L2TP_LCCE_AUTH_NONE, false, L2TP_LCCE_RESPONDER, 21);
	node_cfg(net, 1, L2TP_LCCE_AUTH_NONE, false, L2TP_LCCE_RESPONDER, 22);
	memset(s, 0, sizeof(*s));
	s->net = net;
	s->my_ccid = 0x77777777;
	return net;
}

/* The peer dials node 0 as freeRtr does (M bits clear) up to established. */
static struct l2tp_cc *sc_connect(struct script *s)
{
	struct l2tp_mbuf b;
	struct l2tp_msg m;
	struct l2tp_cc *cc;

	node_start(s->net, 0);
	s->ccid = 0;
	sc_begin(s, &b, L2TP_MSG_SCCRQ);
	sc_start_avps(s, &b);
	sc_send(s, &b);
	ck_assert(sc_recv(s, &m));
	ck_assert_uint_eq(m.type, L2TP_MSG_SCCRP);
	ck_assert_uint_eq(m.hdr.tunnel_id, s->my_ccid);
	s->ccid = m.assigned_ccid;
	sc_begin(s, &b, L2TP_MSG_SCCCN);
	sc_send(s, &b);
	cc = l2tp_lcce_cc(s->net->n[0].l, s->ccid);
	ck_assert_ptr_nonnull(cc);
	ck_assert_int_eq(cc->state, L2TP_CC_ESTABLISHED);
	return cc;
}

static void sc_icrq(struct script *s, uint32_t lsid, const char *end_id, uint16_t pw_type,
		    const uint8_t *cookie, size_t cookie_len)
{
	struct l2tp_mbuf b;

	sc_begin(s, &b, L2TP_MSG_ICRQ);
	l2tp_mb_id(&b, false, L2TP_AVP_LOCAL_SESSION_ID, lsid);
	l2tp_mb_id(&b, false, L2TP_AVP_REMOTE_SESSION_ID, 0);
	l2tp_mb_u32(&b, false, L2TP_AVP_CALL_SERIAL, 1);
	l2tp_mb_u16(&b, false, L2TP_AVP_PW_TYPE, pw_type);
	l2tp_mb_bytes(&b, false, L2TP_AVP_REMOTE_END_ID, end_id, strlen(end_id));
	if (cookie_len)
		l2tp_mb_bytes(&b, false, L2TP_AVP_ASSIGNED_COOKIE, cookie, cookie_len);
	l2tp_mb_u16(&b, false, L2TP_AVP_CIRCUIT_STATUS, L2TP_CIRCUIT_ACTIVE | L2TP_CIRCUIT_NEW);
	sc_send(s, &b);
}

static void sc_sids(struct script *s, uint16_t type, uint32_t lsid, uint32_t rsid, int status)
{
	struct l2tp_mbuf b;

	sc_begin(s, &b, type);
	l2tp_mb_id(&b, false, L2TP_AVP_LOCAL_SESSION_ID, lsid);
	l2tp_mb_id(&b, false, L2TP_AVP_REMOTE_SESSION_ID, rsid);
	if (type == L2TP_MSG_CDN)
		l2tp_mb_result(&b, L2TP_CDN_ADMIN, 0, NULL);
	if (status >= 0)
		l2tp_mb_u16(&b, false, L2TP_AVP_CIRCUIT_STATUS, (uint16_t)status);
	sc_send(s, &b);
}

/* A call from the scripted peer up to established on node 0. */
static struct l2tp_pw *sc_call(struct script *s, uint32_t lsid)
{
	struct l2tp_msg m;
	const uint8_t ck[4] = { 1, 2, 3, 4 };

	sc_icrq(s, lsid, "100", L2TP_PW_ETH, ck, 4);
	ck_assert(sc_recv(s, &m));
	ck_assert_uint_eq(m.type, L2TP_MSG_ICRP);
	ck_assert_uint_eq(m.remote_session_id, lsid);
	sc_sids(s, L2TP_MSG_ICCN, lsid, m.local_session_id, -1);
	return l2tp_cc_pw(l2tp_lcce_cc(s->net->n[0].l, s->ccid), m.local_session_id);
}

static void expect_cdn(struct script *s, uint32_t rsid, uint16_t result, uint16_t error)
{
	struct l2tp_msg m;

	ck_assert(sc_recv(s, &m));
	ck_assert_uint_eq(m.type, L2TP_MSG_CDN);
	ck_assert_uint_eq(m.remote_session_id, rsid);
	ck_assert_uint_eq(m.result_code, result);
	ck_assert_uint_eq(m.error_code, error);
}

/* Hostile calls: each gets its CDN, the good pseudowire stays up. */
START_TEST(test_hostile_calls)
{
	struct script s;
	struct net *net = sc_net(&s);
	struct l2tp_pw *good;
	const uint8_t ck3[3] = { 1, 2, 3 };
	const struct l2tp_lcce_stats *st;

	sc_connect(&s);
	good = sc_call(&s, 500);
	ck_assert_ptr_nonnull(good);
	ck_assert_int_eq(good->state, L2TP_PW_ESTABLISHED);
	ck_assert_uint_eq(good->tx_cookie_len, 4);
	st = l2tp_lcce_stats(net->n[0].l);

	sc_icrq(&s, 501, "999", L2TP_PW_ETH, NULL, 0);
	expect_cdn(&s, 501, L2TP_CDN_INVALID_DEST, 0);
	ck_assert_uint_eq(st->drops[LCCE_DROP_REMOTE_END], 1);

	sc_icrq(&s, 502, "100", L2TP_PW_PPP, NULL, 0);
	expect_cdn(&s, 502, L2TP_CDN_PW_TYPE_UNSUPPORTED, 0);

	sc_icrq(&s, 503, "100", L2TP_PW_ETH, ck3, 3);
	expect_cdn(&s, 503, L2TP_CDN_GENERAL_ERROR, L2TP_ERR_BAD_LENGTH);
	ck_assert_uint_eq(st->decode_err[L2TP_DEC_BAD_COOKIE], 1);

	/* Sequencing without a sublayer (§5.4.4: CDN 15). */
	{
		struct l2tp_mbuf b;

		sc_begin(&s, &b, L2TP_MSG_ICRQ);
		l2tp_mb_id(&b, false, L2TP_AVP_LOCAL_SESSION_ID, 504);
		l2tp_mb_id(&b, false, L2TP_AVP_REMOTE_SESSION_ID, 0);
		l2tp_mb_u32(&b, false, L2TP_AVP_CALL_SERIAL, 4);
		l2tp_mb_u16(&b, false, L2TP_AVP_PW_TYPE, L2TP_PW_ETH);
		l2tp_mb_bytes(&b, false, L2TP_AVP_REMOTE_END_ID, "100", 3);
		l2tp_mb_u16(&b, false, L2TP_AVP_DATA_SEQUENCING, L2TP_DATASEQ_ALL);
		sc_send(&s, &b);
	}
	expect_cdn(&s, 504, L2TP_CDN_SEQ_WITHOUT_SUBLAYER, 0);
	/* None of these touched the good call. */
	ck_assert_int_eq(good->state, L2TP_PW_ESTABLISHED);
	ck_assert_int_eq(net->n[0].kpw, 1);
	/* A message naming a Session ID we do not have: counted, nothing else. */
	sc_sids(&s, L2TP_MSG_SLI, 600, 0xdeadbeef, 0);
	ck_assert_uint_ge(st->drops[LCCE_DROP_UNKNOWN_PW], 1);
	ck_assert_int_eq(l2tp_lcce_cc(net->n[0].l, s.ccid)->state, L2TP_CC_ESTABLISHED);
	net_free(net);
}
END_TEST

/* freeRtr counts every message but a ZLB into its Nr, an ACK message too,
 * and takes only the Ns it expects: without digests our acks are v3 ZLBs
 * (the header alone, Ns not moved), so the ICRP after the ack of its SCCCN
 * has the Ns it waits for (design.md §10.4). */
START_TEST(test_ack_is_zlb)
{
	struct script s;
	struct net *net = sc_net(&s);
	struct l2tp_msg m;
	size_t from;

	sc_connect(&s);
	from = s.seen;
	run(net, net->now + 2000);   /* the ack of SCCCN, delayed or not */
	ck_assert_uint_eq(net->nfake, from + 1);
	ck_assert_uint_eq(net->fake_in[from].len, 4 + 12);
	ck_assert_int_eq(l2tp_v3_msg_decode(net->fake_in[from].data, net->fake_in[from].len,
					    net->encap, NULL, &m), L2TP_DEC_OK);
	ck_assert_uint_eq(m.type, L2TP_MSG_ZLB);
	ck_assert_uint_eq(m.hdr.ns, 1);
	ck_assert_uint_eq(m.hdr.nr, 2);
	ck_assert_uint_eq(l2tp_lcce_stats(net->n[0].l)->tx_msgs[L2TP_MSG_ACK], 0);
	ck_assert_uint_eq(l2tp_lcce_stats(net->n[0].l)->tx_msgs[L2TP_MSG_ZLB], 1);
	s.seen = net->nfake;
	/* freeRtr's ICRQ comes ~5 s after its SCCCN. */
	sc_icrq(&s, 700, "100", L2TP_PW_ETH, NULL, 0);
	ck_assert(sc_recv(&s, &m));
	ck_assert_uint_eq(m.type, L2TP_MSG_ICRP);
	ck_assert_uint_eq(m.hdr.ns, 1);
	ck_assert_uint_eq(m.hdr.nr, 3);
	net_free(net);
}
END_TEST

/* An AVP's M bit in a message node 0 sent over IP: 1, 0, or -1 when absent. */
static int avp_m_bit(const struct pkt *p, uint16_t type)
{
	size_t o = 4 + 12;   /* the zero Session ID, then the control header */

	while (o + 6 <= p->len) {
		size_t len = (size_t)(p->data[o] & 0x03) << 8 | p->data[o + 1];

		if (len < 6 || o + len > p->len)
			return -1;
		if (p->data[o + 2] == 0 && p->data[o + 3] == 0 &&
		    (p->data[o + 4] << 8 | p->data[o + 5]) == type)
			return p->data[o] >> 7;
		o += len;
	}
	return -1;
}

/* RFC 3931 5.4.3: the Receive Window Size AVP's M bit SHOULD be 0 (SCCRQ, SCCRP). */
START_TEST(test_rws_m_bit)
{
	struct script s;
	struct net *net = sc_net(&s);
	struct l2tp_msg m;

	sc_connect(&s);
	ck_assert_int_eq(l2tp_v3_msg_decode(net->fake_in[0].data, net->fake_in[0].len, net->encap,
					    NULL, &m), L2TP_DEC_OK);
	ck_assert_uint_eq(m.type, L2TP_MSG_SCCRP);
	ck_assert_int_eq(avp_m_bit(&net->fake_in[0], L2TP_AVP_RECV_WINDOW_SIZE), 0);
	ck_assert_int_eq(avp_m_bit(&net->fake_in[0], L2TP_AVP_HOST_NAME), 1);
	net_free(net);

	/* the initiator's SCCRQ */
	net = sc_net(&s);
	net->n[0].peers[1].initiate = true;
	net->n[0].pws[0].role = L2TP_LCCE_INITIATOR;
	node_start(net, 0);
	l2tp_lcce_tick(net->n[0].l, net->now, &net->n[0].out);
	process(net, 0);
	ck_assert(sc_recv(&s, &m));
	ck_assert_uint_eq(m.type, L2TP_MSG_SCCRQ);
	ck_assert_int_eq(avp_m_bit(&net->fake_in[0], L2TP_AVP_RECV_WINDOW_SIZE), 0);
	net_free(net);
}
END_TEST

/* A new call for a circuit that is up replaces it; others are untouched. */
START_TEST(test_call_replaces)
{
	struct script s;
	struct net *net = sc_net(&s);
	struct l2tp_pw *pw;
	struct l2tp_msg m;

	sc_connect(&s);
	pw = sc_call(&s, 500);
	ck_assert_ptr_nonnull(pw);
	ck_assert_int_eq(net->n[0].kpw, 1);
	sc_icrq(&s, 700, "100", L2TP_PW_ETH, NULL, 0);
	/* The old one gets CDN 3 first, then the new call its ICRP. */
	expect_cdn(&s, 500, L2TP_CDN_ADMIN, 0);
	ck_assert(sc_recv(&s, &m));
	ck_assert_uint_eq(m.type, L2TP_MSG_ICRP);
	ck_assert_uint_eq(m.remote_session_id, 700);
	sc_sids(&s, L2TP_MSG_ICCN, 700, m.local_session_id, -1);
	pw = l2tp_cc_pw(l2tp_lcce_cc(net->n[0].l, s.ccid), m.local_session_id);
	ck_assert_ptr_nonnull(pw);
	ck_assert_int_eq(pw->state, L2TP_PW_ESTABLISHED);
	ck_assert_int_eq(net->n[0].kpw, 1);
	ck_assert_int_eq(net->n[0].kpw_deleted, 1);
	ck_assert(!sc_recv(&s, &m));
	net_free(net);
}
END_TEST

/* IDs of another connection: node 0 has connections to node 1 and to the
 * scripted peer; the peer uses the other connection's IDs. */
START_TEST(test_foreign_ids)
{
	struct script s;
	struct net *net = sc_net(&s);
	struct l2tp_cc *mine, *other;
	struct l2tp_mbuf b;
	uint32_t saved;

	/* node 1 dials node 0 and places pw "100". */
	net->n[1].peers[0].initiate = true;
	net->n[1].pws[0].role = L2TP_LCCE_INITIATOR;
	node_start(net, 1);
	mine = sc_connect(&s);
	run(net, 20000);
	other = only_cc(net, 1) ? l2tp_lcce_cc(net->n[0].l, only_cc(net, 1)->peer_ccid) : NULL;
	ck_assert_ptr_nonnull(other);
	ck_assert_int_eq(other->state, L2TP_CC_ESTABLISHED);
	ck_assert_ptr_nonnull(other->pws);
	ck_assert_int_eq(other->pws->state, L2TP_PW_ESTABLISHED);

	/* A StopCCN with the other connection's ID, from the peer's address. */
	saved = s.ccid;
	s.ccid = other->ccid;
	sc_begin(&s, &b, L2TP_MSG_STOPCCN);
	l2tp_mb_result(&b, L2TP_STOPCCN_CLEAR, 0, NULL);
	sc_send(&s, &b);
	s.ns--;
	ck_assert_uint_eq(l2tp_lcce_stats(net->n[0].l)->drops[LCCE_DROP_WRONG_PEER], 1);
	s.ccid = saved;
	/* A CDN on its own connection naming the other's session. */
	sc_sids(&s, L2TP_MSG_CDN, 1234, other->pws->sid, -1);
	ck_assert_uint_ge(l2tp_lcce_stats(net->n[0].l)->drops[LCCE_DROP_UNKNOWN_PW], 1);
	run(net, net->now + 1000);
	ck_assert_int_eq(other->state, L2TP_CC_ESTABLISHED);
	ck_assert_ptr_nonnull(other->pws);
	ck_assert_int_eq(other->pws->state, L2TP_PW_ESTABLISHED);
	ck_assert_int_eq(mine->state, L2TP_CC_ESTABLISHED);
	/* A data message in user space, and an unknown connection. */
	{
		uint8_t data[16] = { 0, 0, 1, 2, 0xaa };

		l2tp_lcce_input(net->n[0].l, &net->fake_addr, &net->n[0].addr, L2TP_ENCAP_IP, data,
				sizeof(data), net->now, &net->n[0].out);
		process(net, 0);
		ck_assert_uint_eq(l2tp_lcce_stats(net->n[0].l)->drops[LCCE_DROP_DATA], 1);
	}
	s.ccid = 0x12345;
	sc_begin(&s, &b, L2TP_MSG_HELLO);
	sc_send(&s, &b);
	ck_assert_uint_eq(l2tp_lcce_stats(net->n[0].l)->drops[LCCE_DROP_UNKNOWN_CC], 1);
	net_free(net);
}
END_TEST

/* Digests: a forged message is dropped and counted, no answer, the
 * connection stays; a forged SCCRQ gets StopCCN 4 and no state. */
START_TEST(test_bad_digest)
{
	struct net *net = pair(1, 13);
	struct l2tp_cc *b;
	struct l2tp_mbuf mb;
	struct l2tp_v3_auth bad = { .secret = secret_b, .secret_len = 5 };
	uint8_t buf[L2TP_MAX_MSG];
	size_t len;
	uint64_t stops;

	run(net, 20000);
	assert_paired(net);
	b = only_cc(net, 1);
	stops = net->n[1].sent[L2TP_MSG_STOPCCN];
	l2tp_mb_begin_v3(&mb, b->ccid, L2TP_MSG_STOPCCN);
	l2tp_mb_digest(&mb, L2TP_DIGEST_HMAC_MD5);
	l2tp_mb_result(&mb, L2TP_STOPCCN_CLEAR, 0, NULL);
	mb.data[8] = (uint8_t)(b->rel.nr >> 8);
	mb.data[9] = (uint8_t)b->rel.nr;
	l2tp_mb_sign(&mb, &bad);
	len = l2tp_v3_frame(&mb, L2TP_ENCAP_UDP, buf, sizeof(buf));
	l2tp_lcce_input(net->n[1].l, &net->n[0].addr, &net->n[1].addr, L2TP_ENCAP_UDP, buf, len,
			net->now, &net->n[1].out);
	process(net, 1);
	ck_assert_uint_eq(l2tp_lcce_stats(net->n[1].l)->drops[LCCE_DROP_AUTH], 1);
	ck_assert_uint_eq(net->n[1].sent[L2TP_MSG_STOPCCN], stops);
	ck_assert_uint_eq(net->nq, 0);
	/* Without a digest at all. */
	l2tp_mb_begin_v3(&mb, b->ccid, L2TP_MSG_HELLO);
	mb.data[8] = (uint8_t)(b->rel.nr >> 8);
	mb.data[9] = (uint8_t)b->rel.nr;
	len = l2tp_v3_frame(&mb, L2TP_ENCAP_UDP, buf, sizeof(buf));
	l2tp_lcce_input(net->n[1].l, &net->n[0].addr, &net->n[1].addr, L2TP_ENCAP_UDP, buf, len,
			net->now, &net->n[1].out);
	process(net, 1);
	ck_assert_uint_eq(l2tp_lcce_stats(net->n[1].l)->drops[LCCE_DROP_AUTH], 2);
	run(net, net->now + 30000);
	assert_paired(net);

	/* A forged SCCRQ from the peer's address. */
	l2tp_mb_begin_v3(&mb, 0, L2TP_MSG_SCCRQ);
	l2tp_mb_digest(&mb, L2TP_DIGEST_HMAC_MD5);
	l2tp_mb_str(&mb, true, L2TP_AVP_HOST_NAME, "forger");
	l2tp_mb_u32(&mb, true, L2TP_AVP_ROUTER_ID, 5);
	l2tp_mb_id(&mb, true, L2TP_AVP_ASSIGNED_CCID, 99);
	{
		uint8_t caps[2] = { 0, 5 };

		l2tp_mb_bytes(&mb, true, L2TP_AVP_PW_CAPS, caps, 2);
	}
	l2tp_mb_sign(&mb, &bad);
	len = l2tp_v3_frame(&mb, L2TP_ENCAP_UDP, buf, sizeof(buf));
	l2tp_lcce_input(net->n[1].l, &net->n[0].addr, &net->n[1].addr, L2TP_ENCAP_UDP, buf, len,
			net->now, &net->n[1].out);
	ck_assert_uint_eq(net->n[1].out.n >= 1, 1);
	process(net, 1);
	ck_assert_uint_eq(net->n[1].sent[L2TP_MSG_STOPCCN], stops + 1);
	ck_assert_uint_eq(l2tp_lcce_stats(net->n[1].l)->drops[LCCE_DROP_AUTH], 3);
	net->nq = 0;   /* that StopCCN was for the forger's ID */
	assert_paired(net);
	net_free(net);
}
END_TEST

/* SCCRQ from an address with no peer config: StopCCN 4, no state. */
START_TEST(test_unknown_peer)
{
	struct script s;
	struct net *net = sc_net(&s);
	struct l2tp_mbuf b;
	struct l2tp_msg m;

	net->n[0].cfg.n_peers = 1;     /* the scripted peer is not configured */
	node_start(net, 0);
	sc_begin(&s, &b, L2TP_MSG_SCCRQ);
	sc_start_avps(&s, &b);
	sc_send(&s, &b);
	ck_assert(sc_recv(&s, &m));
	ck_assert_uint_eq(m.type, L2TP_MSG_STOPCCN);
	ck_assert_uint_eq(m.result_code, L2TP_STOPCCN_NOT_AUTHORIZED);
	ck_assert_uint_eq(m.hdr.tunnel_id, s.my_ccid);
	ck_assert_ptr_null(l2tp_lcce_next_cc(net->n[0].l, NULL));
	ck_assert_uint_eq(l2tp_lcce_stats(net->n[0].l)->drops[LCCE_DROP_UNKNOWN_PEER], 1);
	net_free(net);
}
END_TEST

/*
 * SCCRQs with ever new Assigned Control Connection IDs from a configured
 * peer (a flood from many source ports, or forged with its address): each
 * opens a connection up to L2TP_LCCE_CC_PER_PEER_MAX; beyond that they are
 * counted and not answered, and the table stays bounded.
 */
START_TEST(test_peer_cc_limit)
{
	struct script s;
	struct net *net = sc_net(&s);
	struct l2tp_mbuf b;
	struct l2tp_msg m;
	unsigned n = 0;

	node_start(net, 0);
	for (unsigned i = 0; i < L2TP_LCCE_CC_PER_PEER_MAX + 5; i++) {
		s.my_ccid = 0x1000 + i;
		s.ccid = 0;
		s.ns = s.nr = 0;
		sc_begin(&s, &b, L2TP_MSG_SCCRQ);
		sc_start_avps(&s, &b);
		sc_send(&s, &b);
		if (i < L2TP_LCCE_CC_PER_PEER_MAX) {
			ck_assert(sc_recv(&s, &m));
			ck_assert_uint_eq(m.type, L2TP_MSG_SCCRP);
			ck_assert_uint_eq(m.hdr.tunnel_id, s.my_ccid);
		} else {
			ck_assert(!sc_recv(&s, &m));
		}
	}
	for (struct l2tp_cc *cc = l2tp_lcce_next_cc(net->n[0].l, NULL); cc;
	     cc = l2tp_lcce_next_cc(net->n[0].l, cc))
		n++;
	ck_assert_uint_eq(n, L2TP_LCCE_CC_PER_PEER_MAX);
	ck_assert_uint_eq(l2tp_lcce_stats(net->n[0].l)->drops[LCCE_DROP_LIMIT], 5);
	net_free(net);
}
END_TEST

/*
 * Control connection state x event (responder states, scripted peer):
 * what node 0 answers and the state it is left in.
 */
static const struct {
	enum l2tp_cc_state st;
	uint16_t msg;
	uint16_t answer;       /* message type node 0 sends, 0 for none */
	uint16_t result;
	enum l2tp_cc_state after;
} cc_table[] = {
	{ L2TP_CC_WAIT_CTL_CONN, L2TP_MSG_SCCCN, 0, 0, L2TP_CC_ESTABLISHED },
	{ L2TP_CC_WAIT_CTL_CONN, L2TP_MSG_SCCRQ, L2TP_MSG_STOPCCN, 7, L2TP_CC_CLOSING },
	{ L2TP_CC_WAIT_CTL_CONN, L2TP_MSG_SCCRP, L2TP_MSG_STOPCCN, 7, L2TP_CC_CLOSING },
	{ L2TP_CC_WAIT_CTL_CONN, L2TP_MSG_STOPCCN, 0, 0, L2TP_CC_CLOSING },
	{ L2TP_CC_WAIT_CTL_CONN, L2TP_MSG_HELLO, 0, 0, L2TP_CC_WAIT_CTL_CONN },
	{ L2TP_CC_ESTABLISHED, L2TP_MSG_SCCCN, L2TP_MSG_STOPCCN, 7, L2TP_CC_CLOSING },
	{ L2TP_CC_ESTABLISHED, L2TP_MSG_SCCRQ, L2TP_MSG_STOPCCN, 7, L2TP_CC_CLOSING },
	{ L2TP_CC_ESTABLISHED, L2TP_MSG_SCCRP, L2TP_MSG_STOPCCN, 7, L2TP_CC_CLOSING },
	{ L2TP_CC_ESTABLISHED, L2TP_MSG_STOPCCN, 0, 0, L2TP_CC_CLOSING },
	{ L2TP_CC_ESTABLISHED, L2TP_MSG_HELLO, 0, 0, L2TP_CC_ESTABLISHED },
	{ L2TP_CC_CLOSING, L2TP_MSG_HELLO, 0, 0, L2TP_CC_CLOSING },
	{ L2TP_CC_CLOSING, L2TP_MSG_SCCCN, 0, 0, L2TP_CC_CLOSING },
	{ L2TP_CC_CLOSING, L2TP_MSG_STOPCCN, 0, 0, L2TP_CC_CLOSING },
};

static void sc_msg(struct script *s, uint16_t type)
{
	struct l2tp_mbuf b;

	sc_begin(s, &b, type);
	if (type == L2TP_MSG_SCCRQ || type == L2TP_MSG_SCCRP)
		sc_start_avps(s, &b);
	if (type == L2TP_MSG_STOPCCN)
		l2tp_mb_result(&b, L2TP_STOPCCN_CLEAR, 0, NULL);
	sc_send(s, &b);
}

START_TEST(test_cc_table)
{
	struct script s;
	struct net *net = sc_net(&s);
	struct l2tp_mbuf b;
	struct l2tp_msg m;
	struct l2tp_cc *cc;
	bool got;

	node_start(net, 0);
	sc_begin(&s, &b, L2TP_MSG_SCCRQ);
	sc_start_avps(&s, &b);
	sc_send(&s, &b);
	ck_assert(sc_recv(&s, &m));
	s.ccid = m.assigned_ccid;
	cc = l2tp_lcce_cc(net->n[0].l, s.ccid);
	if (cc_table[_i].st != L2TP_CC_WAIT_CTL_CONN)
		sc_msg(&s, L2TP_MSG_SCCCN);
	if (cc_table[_i].st == L2TP_CC_CLOSING) {
		sc_msg(&s, L2TP_MSG_STOPCCN);
		(void)sc_recv(&s, &m);
	}
	ck_assert_int_eq(cc->state, cc_table[_i].st);
	sc_msg(&s, cc_table[_i].msg);
	got = sc_recv(&s, &m);
	if (cc_table[_i].answer) {
		ck_assert(got);
		ck_assert_uint_eq(m.type, cc_table[_i].answer);
		ck_assert_uint_eq(m.result_code, cc_table[_i].result);
	} else {
		ck_assert(!got);
	}
	ck_assert_int_eq(cc->state, cc_table[_i].after);
	net_free(net);
}
END_TEST

/* Initiator states: node 0 dials the scripted peer. */
START_TEST(test_cc_initiator)
{
	struct script s;
	struct net *net = sc_net(&s);
	struct l2tp_mbuf b;
	struct l2tp_msg m;
	struct l2tp_cc *cc;

	net->n[0].peers[1].initiate = true;
	net->n[0].pws[0].role = L2TP_LCCE_INITIATOR;
	node_start(net, 0);
	l2tp_lcce_tick(net->n[0].l, net->now, &net->n[0].out);
	process(net, 0);
	ck_assert(sc_recv(&s, &m));
	ck_assert_uint_eq(m.type, L2TP_MSG_SCCRQ);
	ck_assert_uint_eq(m.hdr.tunnel_id, 0);
	ck_assert(l2tp_msg_has(&m, L2TP_AVP_TIE_BREAKER));
	cc = l2tp_lcce_cc(net->n[0].l, m.assigned_ccid);
	ck_assert_int_eq(cc->state, L2TP_CC_WAIT_CTL_REPLY);
	s.ccid = m.assigned_ccid;
	switch (_i) {
	case 0:  /* SCCRP -> SCCCN, established, ICRQ for the configured pw */
		sc_begin(&s, &b, L2TP_MSG_SCCRP);
		sc_start_avps(&s, &b);
		sc_send(&s, &b);
		ck_assert(sc_recv(&s, &m));
		ck_assert_uint_eq(m.type, L2TP_MSG_SCCCN);
		ck_assert_uint_eq(m.hdr.tunnel_id, s.my_ccid);
		ck_assert_int_eq(cc->state, L2TP_CC_ESTABLISHED);
		ck_assert(sc_recv(&s, &m));
		ck_assert_uint_eq(m.type, L2TP_MSG_ICRQ);
		ck_assert_uint_eq(m.remote_end_id.len, 3);
		ck_assert_uint_eq(m.cookie_len, 8);
		ck_assert_uint_eq(m.pw_type, L2TP_PW_ETH);
		/* ICRP with SLI later: the pw is established, circuit events out. */
		{
			uint32_t sid = m.local_session_id;
			struct l2tp_pw *pw;

			sc_sids(&s, L2TP_MSG_ICRP, 900, sid, L2TP_CIRCUIT_ACTIVE);
			ck_assert(sc_recv(&s, &m));
			ck_assert_uint_eq(m.type, L2TP_MSG_ICCN);
			pw = l2tp_cc_pw(cc, sid);
			ck_assert_int_eq(pw->state, L2TP_PW_ESTABLISHED);
			ck_assert_int_eq(net->n[0].kpw, 1);
			sc_sids(&s, L2TP_MSG_SLI, 900, sid, 0);
			ck_assert(!net->n[0].circuit_up);
			sc_sids(&s, L2TP_MSG_SLI, 900, sid, L2TP_CIRCUIT_ACTIVE);
			ck_assert(net->n[0].circuit_up);
			/* A second ICRP for it: FSM error, CDN 16. */
			sc_sids(&s, L2TP_MSG_ICRP, 900, sid, -1);
			expect_cdn(&s, 900, L2TP_CDN_FSM_ERROR, 0);
			ck_assert_int_eq(net->n[0].kpw, 0);
		}
		break;
	case 1:  /* SCCCN in wait-ctl-reply: StopCCN 7 */
		s.ccid = cc->ccid;
		sc_msg(&s, L2TP_MSG_SCCCN);
		ck_assert(sc_recv(&s, &m));
		ck_assert_uint_eq(m.type, L2TP_MSG_STOPCCN);
		ck_assert_uint_eq(m.result_code, L2TP_STOPCCN_FSM_ERROR);
		break;
	case 2:  /* StopCCN: closing, redial after the backoff */
		s.ccid = cc->ccid;
		sc_msg(&s, L2TP_MSG_STOPCCN);
		ck_assert_int_eq(cc->state, L2TP_CC_CLOSING);
		net->now += 60000;
		l2tp_lcce_tick(net->n[0].l, net->now, &net->n[0].out);
		process(net, 0);
		net->now += 2000;
		l2tp_lcce_tick(net->n[0].l, net->now, &net->n[0].out);
		process(net, 0);
		ck_assert_uint_eq(l2tp_lcce_stats(net->n[0].l)->dials, 2);
		break;
	case 3:  /* no answer at all: setup timeout or retries, then redial */
		net->now += 40000;
		for (int k = 0; k < 20; k++) {
			net->now += 5000;
			l2tp_lcce_tick(net->n[0].l, net->now, &net->n[0].out);
			process(net, 0);
		}
		ck_assert_uint_ge(l2tp_lcce_stats(net->n[0].l)->dials, 2);
		ck_assert_uint_ge(l2tp_lcce_stats(net->n[0].l)->ccs_failed, 1);
		break;
	}
	net_free(net);
}
END_TEST

/*
 * The Tie Breaker rule itself (§5.4.3), node 0 having dialled the scripted
 * peer, which sends its own SCCRQ: lower than ours (we lose: ours goes,
 * theirs gets an SCCRP), higher (we win: StopCCN 3, ours stays), absent
 * (we win), equal (both go: StopCCN 3 and ours discarded).
 */
static const struct {
	int delta;             /* their value relative to ours: -1, +1, 0; 2 = absent */
	bool we_win, ours_kept;
} tie_cases[] = {
	{ -1, false, false },
	{ +1, true, true },
	{ 2, true, true },
	{ 0, false, false },
};

START_TEST(test_tie_rule)
{
	struct script s;
	struct net *net = sc_net(&s);
	struct l2tp_mbuf b;
	struct l2tp_msg m;
	uint8_t tb[8];
	uint32_t ours;
	const struct l2tp_lcce_stats *st;

	net->n[0].peers[1].initiate = true;
	node_start(net, 0);
	st = l2tp_lcce_stats(net->n[0].l);
	l2tp_lcce_tick(net->n[0].l, net->now, &net->n[0].out);
	process(net, 0);
	ck_assert(sc_recv(&s, &m));
	ck_assert_uint_eq(m.type, L2TP_MSG_SCCRQ);
	ours = m.assigned_ccid;
	memcpy(tb, m.tie_breaker, 8);
	/* A value just below or above ours, as 64-bit big-endian numbers. */
	if (tie_cases[_i].delta == -1) {
		int k = 7;

		while (tb[k] == 0)
			tb[k--] = 0xff;
		tb[k]--;
	} else if (tie_cases[_i].delta == 1) {
		int k = 7;

		while (tb[k] == 0xff)
			tb[k--] = 0;
		tb[k]++;
	}
	s.ccid = 0;
	sc_begin(&s, &b, L2TP_MSG_SCCRQ);
	sc_start_avps(&s, &b);
	if (tie_cases[_i].delta != 2)
		l2tp_mb_bytes(&b, true, L2TP_AVP_TIE_BREAKER, tb, 8);
	sc_send(&s, &b);
	ck_assert(sc_recv(&s, &m));
	if (tie_cases[_i].we_win || tie_cases[_i].delta == 0) {
		ck_assert_uint_eq(m.type, L2TP_MSG_STOPCCN);
		ck_assert_uint_eq(m.result_code, L2TP_STOPCCN_ALREADY_EXISTS);
		ck_assert_uint_eq(m.hdr.tunnel_id, s.my_ccid);
	} else {
		ck_assert_uint_eq(m.type, L2TP_MSG_SCCRP);
		ck_assert_uint_ne(m.assigned_ccid, ours);
	}
	ck_assert_uint_eq(st->ties_won, tie_cases[_i].we_win);
	ck_assert_uint_eq(st->ties_lost, !tie_cases[_i].we_win && tie_cases[_i].delta == -1);
	ck_assert_uint_eq(st->ties_equal, tie_cases[_i].delta == 0);
	ck_assert(tie_cases[_i].ours_kept == (l2tp_lcce_cc(net->n[0].l, ours) != NULL));
	net_free(net);
}
END_TEST

/* Crossing ICRQs for one circuit: the lower Session Tie Breaker wins. */
START_TEST(test_pw_tie)
{
	struct script s;
	struct net *net = sc_net(&s);
	struct l2tp_mbuf b;
	struct l2tp_msg m;
	struct l2tp_cc *cc;
	uint32_t our_sid;
	uint8_t tb[8];

	net->n[0].peers[1].initiate = true;
	net->n[0].pws[0].role = L2TP_LCCE_INITIATOR;
	node_start(net, 0);
	l2tp_lcce_tick(net->n[0].l, net->now, &net->n[0].out);
	process(net, 0);
	ck_assert(sc_recv(&s, &m));
	s.ccid = m.assigned_ccid;
	cc = l2tp_lcce_cc(net->n[0].l, s.ccid);
	sc_begin(&s, &b, L2TP_MSG_SCCRP);
	sc_start_avps(&s, &b);
	sc_send(&s, &b);
	ck_assert(sc_recv(&s, &m));
	ck_assert_uint_eq(m.type, L2TP_MSG_SCCCN);
	ck_assert(sc_recv(&s, &m));
	ck_assert_uint_eq(m.type, L2TP_MSG_ICRQ);
	ck_assert(l2tp_msg_has(&m, L2TP_AVP_TIE_BREAKER));
	our_sid = m.local_session_id;
	/* _i 0: theirs all-zero (lower unless ours is too), 1: all-ones (higher). */
	memset(tb, _i ? 0xff : 0x00, 8);
	sc_begin(&s, &b, L2TP_MSG_ICRQ);
	l2tp_mb_id(&b, false, L2TP_AVP_LOCAL_SESSION_ID, 31);
	l2tp_mb_id(&b, false, L2TP_AVP_REMOTE_SESSION_ID, 0);
	l2tp_mb_u32(&b, false, L2TP_AVP_CALL_SERIAL, 1);
	l2tp_mb_u16(&b, false, L2TP_AVP_PW_TYPE, L2TP_PW_ETH);
	l2tp_mb_bytes(&b, false, L2TP_AVP_REMOTE_END_ID, "100", 3);
	l2tp_mb_bytes(&b, false, L2TP_AVP_TIE_BREAKER, tb, 8);
	sc_send(&s, &b);
	if (_i == 0) {
		/* We lost: our call ends (CDN 13, naming our Session ID), theirs
		 * gets an ICRP. */
		ck_assert(sc_recv(&s, &m));
		ck_assert_uint_eq(m.type, L2TP_MSG_CDN);
		ck_assert_uint_eq(m.result_code, L2TP_CDN_TIE_BREAKER_LOST);
		ck_assert_uint_eq(m.local_session_id, our_sid);
		ck_assert(sc_recv(&s, &m));
		ck_assert_uint_eq(m.type, L2TP_MSG_ICRP);
		ck_assert_uint_eq(m.remote_session_id, 31);
		ck_assert_ptr_null(l2tp_cc_pw(cc, our_sid));
	} else {
		expect_cdn(&s, 31, L2TP_CDN_TIE_BREAKER_LOST, 0);
		ck_assert_ptr_nonnull(l2tp_cc_pw(cc, our_sid));
		ck_assert_int_eq(l2tp_cc_pw(cc, our_sid)->state, L2TP_PW_WAIT_REPLY);
	}
	net_free(net);
}
END_TEST

/* A peer that never answers: dials back off, doubling up to the cap. */
START_TEST(test_backoff)
{
	struct script s;
	struct net *net = sc_net(&s);
	uint64_t dials;

	net->n[0].peers[1].initiate = true;
	net->n[0].cfg.rel.max_retries = 1;     /* a dial fails after 1 + 2 s */
	net->n[0].cfg.redial_min_ms = 1000;
	net->n[0].cfg.redial_max_ms = 8000;
	node_start(net, 0);
	run(net, net->now + 120000);
	dials = l2tp_lcce_stats(net->n[0].l)->dials;
	/* Gaps of 3 s + 1, 2, 4, 8, 8 ... (+ up to a quarter): 10 to 14 dials
	 * in two minutes; without the doubling it would be 30. */
	ck_assert_uint_ge(dials, 10);
	ck_assert_uint_le(dials, 14);
	ck_assert_uint_ge(l2tp_lcce_stats(net->n[0].l)->ccs_failed, dials - 1);
	ck_assert_uint_le(l2tp_lcce_stats(net->n[0].l)->ccs_failed, dials);
	net_free(net);
}
END_TEST

/* Pseudowire wait-connect x event (node 0 answered ICRQ with ICRP). */
static const struct {
	uint16_t msg;
	uint16_t cdn_result;   /* 0: no CDN */
	enum l2tp_pw_state after;
} pw_table[] = {
	{ L2TP_MSG_ICCN, 0, L2TP_PW_ESTABLISHED },
	{ L2TP_MSG_ICRP, L2TP_CDN_FSM_ERROR, L2TP_PW_DEAD },
	{ L2TP_MSG_SLI, 0, L2TP_PW_WAIT_CONNECT },
	{ L2TP_MSG_CDN, 0, L2TP_PW_DEAD },
};

START_TEST(test_pw_table)
{
	struct script s;
	struct net *net = sc_net(&s);
	struct l2tp_msg m;
	struct l2tp_pw *pw;
	uint32_t sid;

	sc_connect(&s);
	sc_icrq(&s, 42, "100", L2TP_PW_ETH, NULL, 0);
	ck_assert(sc_recv(&s, &m));
	ck_assert_uint_eq(m.type, L2TP_MSG_ICRP);
	sid = m.local_session_id;
	pw = l2tp_cc_pw(l2tp_lcce_cc(net->n[0].l, s.ccid), sid);
	ck_assert_int_eq(pw->state, L2TP_PW_WAIT_CONNECT);
	sc_sids(&s, pw_table[_i].msg, 42, sid, pw_table[_i].msg == L2TP_MSG_SLI ? 0 : -1);
	if (pw_table[_i].cdn_result)
		expect_cdn(&s, 42, pw_table[_i].cdn_result, 0);
	else
		ck_assert(!sc_recv(&s, &m));
	pw = l2tp_cc_pw(l2tp_lcce_cc(net->n[0].l, s.ccid), sid);
	if (pw_table[_i].after == L2TP_PW_DEAD) {
		ck_assert_ptr_null(pw);
	} else {
		ck_assert_ptr_nonnull(pw);
		ck_assert_int_eq(pw->state, pw_table[_i].after);
	}
	ck_assert_int_eq(net->n[0].kpw, pw_table[_i].after == L2TP_PW_ESTABLISHED);
	/* Setup timeout for a call left in wait-connect. */
	if (pw_table[_i].after == L2TP_PW_WAIT_CONNECT) {
		net->now += 11000;
		l2tp_lcce_tick(net->n[0].l, net->now, &net->n[0].out);
		process(net, 0);
		expect_cdn(&s, 42, L2TP_CDN_TIMEOUT, 0);
	}
	net_free(net);
}
END_TEST

static Suite *lcce_suite(void)
{
	Suite *s = suite_create("lcce");
	TCase *tc = tcase_create("pair");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_establish, 0, 4);
	tcase_add_loop_test(tc, test_loss_reorder, 1, 13);
	tcase_add_loop_test(tc, test_wrong_secret, 0, 3);
	tcase_add_test(tc, test_simultaneous_open);
	tcase_add_test(tc, test_simultaneous_equal);
	tcase_add_loop_test(tc, test_restart, 0, 4);
	tcase_add_loop_test(tc, test_sli, 0, 4);
	tcase_add_test(tc, test_admin_close);
	suite_add_tcase(s, tc);

	tc = tcase_create("scripted");
	tcase_add_test(tc, test_hostile_calls);
	tcase_add_test(tc, test_call_replaces);
	tcase_add_test(tc, test_ack_is_zlb);
	tcase_add_test(tc, test_rws_m_bit);
	tcase_add_test(tc, test_foreign_ids);
	tcase_add_test(tc, test_bad_digest);
	tcase_add_test(tc, test_unknown_peer);
	tcase_add_test(tc, test_peer_cc_limit);
	tcase_add_loop_test(tc, test_cc_table, 0, sizeof(cc_table) / sizeof(cc_table[0]));
	tcase_add_loop_test(tc, test_cc_initiator, 0, 4);
	tcase_add_loop_test(tc, test_tie_rule, 0, sizeof(tie_cases) / sizeof(tie_cases[0]));
	tcase_add_loop_test(tc, test_pw_tie, 0, 2);
	tcase_add_test(tc, test_backoff);
	tcase_add_loop_test(tc, test_pw_table, 0, sizeof(pw_table) / sizeof(pw_table[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(lcce_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
