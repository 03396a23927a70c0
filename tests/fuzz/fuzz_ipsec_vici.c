// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz harness for what lnsd reads from charon (lib/ipsec/ipsec_vici.c): the input
 * is a stream of VICI packets as the event and command connections deliver
 * them. Every packet vici_frame_split() cuts out is decoded; a command
 * response goes through ipsec_vici_result(), an event through
 * ipsec_vici_each() into one CHILD_SA table that lives for the whole input,
 * updated the way lnsd/ipsec.c does it (list-sa and up events put, "old" of
 * child-rekey and down events delete, ike-updown down deletes the IKE_SA's
 * children). Text for log lines (charon's errmsg, the cipher) is charon's
 * bytes, NUL-terminated; its escaped form (lib/common/stresc.c, as lnsd logs it)
 * must be printable ASCII. After each packet the table's invariants are checked:
 * child ids unique and non-zero, n <= cap, and every entry is found again by
 * ipsec_sa_for_peer() for its own address and port.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ipsec_vici.h"

struct ctx {
	struct ipsec_sa_table *t;
	const char *event;
	bool up;
	int ike_calls;
};

static void on_child(void *arg, const char *key, const struct ipsec_child *c)
{
	struct ctx *x = arg;
	struct ipsec_child old;

	if (!key || (c->remote.family != 4 && c->remote.family != 6) || !c->ike_id)
		abort();
	fuzz_check_text(c->cipher, sizeof(c->cipher));
	if (!c->child_id) {
		if (key[0])
			abort();
		x->ike_calls++;
	}
	if (strcmp(x->event, "ike-update") == 0) {
		for (size_t i = 0; i < x->t->n; i++)
			if (x->t->v[i].ike_id == c->ike_id)
				x->t->v[i].remote = c->remote;
		return;
	}
	if (strcmp(x->event, "ike-updown") == 0) {
		if (!x->up && !c->child_id)
			ipsec_sa_del_ike(x->t, c->ike_id);
		return;
	}
	if (!c->child_id)
		return;
	if (strcmp(x->event, "child-rekey") == 0 && strcmp(key, "old") == 0) {
		ipsec_sa_del_child(x->t, c->child_id, &old);
		return;
	}
	if (x->up || strcmp(x->event, "list-sa") == 0 || strcmp(x->event, "child-rekey") == 0) {
		if (ipsec_sa_put(x->t, c) < 0)
			abort();
		return;
	}
	if (ipsec_sa_del_child(x->t, c->child_id, &old) && old.child_id != c->child_id)
		abort();
}

static void check_table(const struct ipsec_sa_table *t)
{
	if (t->n > t->cap)
		abort();
	for (size_t i = 0; i < t->n; i++) {
		const struct ipsec_child *c = &t->v[i], *f;
		struct lns_addr peer = c->remote;

		if (!c->child_id)
			abort();
		for (size_t j = i + 1; j < t->n; j++)
			if (t->v[j].child_id == c->child_id)
				abort();
		peer.port = c->ts_port ? c->ts_port : 1701;
		f = ipsec_sa_for_peer(t, &peer, 0);
		if (!f || f->remote.family != peer.family ||
		    memcmp(f->remote.addr, peer.addr, peer.family == 4 ? 4 : 16) ||
		    (f->ts_port && f->ts_port != peer.port))
			abort();
	}
}

static void one_packet(struct ipsec_sa_table *t, const uint8_t *pkt, size_t len)
{
	struct vici_msg *m;
	const struct vici_node *root;
	char err[200];
	int n;

	if (vici_msg_decode(pkt, len, &m) != 0)
		return;
	root = vici_msg_root(m);
	if (vici_msg_type(m) == VICI_EVENT) {
		struct ctx x = { .t = t, .event = vici_msg_name(m) };

		x.up = vici_is(root, "up", "yes");
		n = ipsec_vici_each(root, on_child, &x);
		if (n >= 0 && n != x.ike_calls)
			abort();
		check_table(t);
	} else if (ipsec_vici_result(root, err, sizeof(err)) < 0) {
		fuzz_check_text(err, sizeof(err));
		if (!err[0])
			abort();
	}
	vici_msg_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipsec_sa_table t = { 0 };
	size_t off = 0, plen;
	char ts[64];

	while (vici_frame_split(data + off, size - off, &plen) == 1) {
		one_packet(&t, data + off, plen);
		off += plen;
	}
	if (off == 0)
		one_packet(&t, data, size);
	/* The traffic-selector parser on the input's first bytes as a string. */
	memcpy(ts, data, size < sizeof(ts) - 1 ? size : sizeof(ts) - 1);
	ts[size < sizeof(ts) - 1 ? size : sizeof(ts) - 1] = '\0';
	ipsec_ts_port(ts);
	ipsec_sa_clear(&t);
	return 0;
}
