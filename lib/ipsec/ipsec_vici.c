// SPDX-License-Identifier: GPL-2.0-or-later
/* lnsd's VICI requests and event parsing, and the peer -> CHILD_SA table. */
#include "ipsec_vici.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lns_grow.h"

const char ipsec_ike_default[] =
	"aes256-sha256-modp2048,aes256-sha1-modp2048,aes128-sha1-modp2048,"
	"aes256-sha1-ecp384,aes128-sha1-ecp256";
const char ipsec_ike_legacy[] =
	"aes256-sha256-modp1024,aes256-sha1-modp1024,aes128-sha1-modp1024,"
	"3des-sha1-modp2048,3des-sha1-modp1024";
const char ipsec_esp_default[] =
	"aes256-sha1,aes128-sha1,aes256-sha256,aes128-sha256,aes256gcm16,aes128gcm16,3des-sha1";

/* Each item of a comma-separated list as a list item. */
static void list_items(struct vici_builder *b, const char *csv)
{
	const char *s = csv, *e;

	while (*s) {
		e = strchr(s, ',');
		if (!e)
			e = s + strlen(s);
		if (e > s)
			vici_b_list_item(b, s, (size_t)(e - s));
		s = *e ? e + 1 : e;
	}
}

static void list1(struct vici_builder *b, const char *name, const char *item)
{
	vici_b_list_start(b, name);
	vici_b_list_item_str(b, item);
	vici_b_list_end(b);
}

/* The configured proposals, or def when none are configured. */
static const char *or_default(const char *csv, const char *def)
{
	return csv && *csv ? csv : def;
}

/* A proposals list: the items of csv, then those of more (NULL: none). */
static void proposals(struct vici_builder *b, const char *key, const char *csv, const char *more)
{
	vici_b_list_start(b, key);
	list_items(b, csv);
	if (more)
		list_items(b, more);
	vici_b_list_end(b);
}

/* The local or remote end: authenticated by the pre-shared key, as id when not NULL. */
static void psk_end(struct vici_builder *b, const char *name, const char *id)
{
	vici_b_section_start(b, name);
	vici_b_kv_str(b, "auth", "psk");
	if (id)
		vici_b_kv_str(b, "id", id);
	vici_b_section_end(b);
}

/*
 * Both load-conn requests (the remote-access responder and a pseudowire)
 * open the same way: the connection, its IKE version, addresses and IKE
 * proposals, ...
 */
static void conn_start(struct vici_builder *b, const char *name, uint64_t version,
		       const char *la, const char *ra, const char *ike, const char *more)
{
	vici_b_begin(b, VICI_CMD_REQUEST, "load-conn");
	vici_b_section_start(b, name);
	vici_b_kv_u64(b, "version", version);
	list1(b, "local_addrs", la);
	list1(b, "remote_addrs", ra);
	proposals(b, "proposals", ike, more);
}

/* ... and have one transport-mode child between the given traffic selectors. */
static void child_start(struct vici_builder *b, const char *name, const char *lts,
			const char *rts, const char *esp)
{
	vici_b_section_start(b, "children");
	vici_b_section_start(b, name);
	vici_b_kv_str(b, "mode", "transport");
	list1(b, "local_ts", lts);
	list1(b, "remote_ts", rts);
	proposals(b, "esp_proposals", esp, NULL);
}

/* Closes the child, "children" and the connection opened above. */
static int conn_finish(struct vici_builder *b, const uint8_t **pkt, size_t *len)
{
	vici_b_section_end(b);
	vici_b_section_end(b);
	vici_b_section_end(b);
	return vici_b_finish(b, pkt, len);
}

/*
 * One mark per CHILD_SA (docs/design.md §5.5): charon gives each child a
 * unique inbound mark, puts it on the decrypted datagrams (set_mark_in) so
 * lnsd reads it with SO_RCVMARK, and, because its reqids are keyed by
 * selectors and marks, a reqid of its own, which lnsd's outbound socket
 * template names. No static reqid: it would be shared by every child.
 */
static void child_marks(struct vici_builder *b)
{
	vici_b_kv_str(b, "mark_in", "%unique");
	vici_b_kv_str(b, "set_mark_in", "%same");
}

int ipsec_vici_load_conn(struct vici_builder *b, const struct ipsec_conn_params *p,
			 const uint8_t **pkt, size_t *len)
{
	char t[16];

	conn_start(b, IPSEC_CONN_NAME, p->ike_version, "%any", "%any",
		   or_default(p->ike_proposals, ipsec_ike_default),
		   p->legacy ? ipsec_ike_legacy : NULL);
	vici_b_kv_str(b, "aggressive", "no");
	vici_b_kv_str(b, "encap", "no");
	vici_b_kv_str(b, "fragmentation", "yes");
	/*
	 * DPD: with dpd_action=clear charon deletes the IKE_SA of a silent
	 * peer and its child-updown ends the peer's tunnels (§5.4). IKEv1
	 * gives up dpd_timeout after an unanswered R_U_THERE; without it,
	 * after charon's retransmission timeout (about 165 s by default).
	 */
	snprintf(t, sizeof(t), "%us", p->dpd_delay_s);
	vici_b_kv_str(b, "dpd_delay", t);
	if (p->dpd_timeout_s) {
		snprintf(t, sizeof(t), "%us", p->dpd_timeout_s);
		vici_b_kv_str(b, "dpd_timeout", t);
	}
	vici_b_kv_str(b, "rekey_time", "0s");
	vici_b_kv_str(b, "reauth_time", "0s");
	vici_b_kv_str(b, "unique", "never");
	psk_end(b, "local", NULL);
	psk_end(b, "remote", NULL);
	child_start(b, IPSEC_CHILD_NAME, "dynamic[udp/1701]", "dynamic[udp]",
		    or_default(p->esp_proposals, ipsec_esp_default));
	vici_b_kv_str(b, "rekey_time", "0s");
	vici_b_kv_str(b, "dpd_action", "clear");
	vici_b_kv_str(b, "start_action", "none");
	child_marks(b);
	return conn_finish(b, pkt, len);
}

int ipsec_vici_load_shared(struct vici_builder *b, const char *psk, const uint8_t **pkt,
			   size_t *len)
{
	vici_b_begin(b, VICI_CMD_REQUEST, "load-shared");
	vici_b_kv_str(b, "id", IPSEC_PSK_ID);
	vici_b_kv_str(b, "type", "IKE");
	vici_b_kv_str(b, "data", psk);
	vici_b_list_start(b, "owners");
	vici_b_list_end(b);
	return vici_b_finish(b, pkt, len);
}

int ipsec_vici_terminate(struct vici_builder *b, uint64_t ike_id, const uint8_t **pkt,
			 size_t *len)
{
	vici_b_begin(b, VICI_CMD_REQUEST, "terminate");
	vici_b_kv_u64(b, "ike-id", ike_id);
	vici_b_kv_str(b, "timeout", "-1");
	return vici_b_finish(b, pkt, len);
}

int ipsec_vici_list_sas(struct vici_builder *b, uint64_t ike_id, const uint8_t **pkt,
			size_t *len)
{
	char id[24];

	vici_b_begin(b, VICI_CMD_REQUEST, "list-sas");
	vici_b_kv_str(b, "noblock", "yes");
	vici_b_kv_str(b, "ike", IPSEC_CONN_NAME);
	if (ike_id) {
		snprintf(id, sizeof(id), "%llu", (unsigned long long)ike_id);
		vici_b_kv_str(b, "ike-id", id);
	}
	return vici_b_finish(b, pkt, len);
}

int ipsec_vici_register(struct vici_builder *b, const char *event, const uint8_t **pkt,
			size_t *len)
{
	vici_b_begin(b, VICI_EVENT_REGISTER, event);
	return vici_b_finish(b, pkt, len);
}

int ipsec_vici_result(const struct vici_node *root, char *err, size_t errlen)
{
	struct vici_value v;
	size_t n = 0;

	if (vici_is(root, "success", "yes"))
		return 0;
	/* A long message is cut rather than lost. */
	if (vici_get(root, "errmsg", &v) == 0) {
		n = v.len < errlen - 1 ? v.len : errlen - 1;
		memcpy(err, v.ptr, n);
	}
	err[n] = '\0';
	if (!*err)
		snprintf(err, errlen, "charon refused without an error message");
	return -EPROTO;
}

uint16_t ipsec_ts_port(const char *ts)
{
	const char *br = strchr(ts, '['), *sl;
	char *end;
	unsigned long v;

	if (!br)
		return 0;
	sl = strchr(br, '/');
	if (!sl)
		return 0;
	sl++;
	if (strncmp(sl, "l2f]", 4) == 0 || strncmp(sl, "l2tp]", 5) == 0)
		return 1701;   /* charon prints ports that /etc/services names by name */
	v = strtoul(sl, &end, 10);
	if (end == sl || *end != ']' || v > 65535)
		return 0;
	return (uint16_t)v;
}

static int parse_host(const char *s, struct lns_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->addr) == 1) {
		a->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->addr) == 1) {
		a->family = 6;
		return 0;
	}
	return -EINVAL;
}

static void child_cipher(const struct vici_node *c, char *buf, size_t len)
{
	char encr[24] = "", integ[32] = "";
	uint64_t ks = 0;
	int n;

	vici_get_str(c, "encr-alg", encr, sizeof(encr));
	vici_get_str(c, "integ-alg", integ, sizeof(integ));
	vici_get_u64(c, "encr-keysize", &ks);
	if (!encr[0]) {
		buf[0] = '\0';
		return;
	}
	n = ks ? snprintf(buf, len, "%s-%u", encr, (unsigned)ks) : snprintf(buf, len, "%s", encr);
	if (integ[0] && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "/%s", integ);
}

/* "mark-in": charon prints it as 8 hex digits; 0 when absent or not hex. */
static uint32_t child_mark_in(const struct vici_node *c)
{
	char buf[16], *end;
	unsigned long v;

	if (vici_get_str(c, "mark-in", buf, sizeof(buf)) < 0 || !buf[0])
		return 0;
	errno = 0;
	v = strtoul(buf, &end, 16);
	if (errno || *end || v > UINT32_MAX)
		return 0;
	return (uint32_t)v;
}

int ipsec_vici_each(const struct vici_node *root, ipsec_child_fn fn, void *ctx)
{
	const struct vici_node *ike, *kids, *c, *ts;
	int count = 0;

	for (ike = vici_first_section(root); ike; ike = vici_next_section(ike)) {
		struct ipsec_child base = { 0 };
		char host[64];
		uint64_t port = 0;

		if (strcmp(ike->name, IPSEC_CONN_NAME) != 0)
			continue;
		if (vici_get_u64(ike, "uniqueid", &base.ike_id) < 0 || !base.ike_id ||
		    vici_get_str(ike, "remote-host", host, sizeof(host)) < 0 ||
		    parse_host(host, &base.remote) < 0)
			return -EBADMSG;
		if (vici_get_u64(ike, "remote-port", &port) == 0 && port <= 65535)
			base.remote.port = (uint16_t)port;
		base.natt = vici_is(ike, "nat-remote", "yes") || vici_is(ike, "nat-local", "yes") ||
			    vici_is(ike, "nat-any", "yes");
		base.installed = vici_is(ike, "state", "ESTABLISHED");
		count++;
		fn(ctx, "", &base);
		kids = vici_get_section(ike, "child-sas");
		for (c = kids ? vici_first_section(kids) : NULL; c; c = vici_next_section(c)) {
			struct ipsec_child ch = base;
			uint64_t v = 0;
			char tsbuf[128];

			if (vici_get_u64(c, "uniqueid", &ch.child_id) < 0 || !ch.child_id)
				continue;
			if (vici_get_u64(c, "reqid", &v) == 0 && v <= UINT32_MAX)
				ch.reqid = (uint32_t)v;
			ch.mark_in = child_mark_in(c);
			ch.natt = base.natt || vici_is(c, "encap", "yes");
			ch.installed = vici_is(c, "state", "INSTALLED");
			child_cipher(c, ch.cipher, sizeof(ch.cipher));
			ch.ts_port = 0;
			ts = vici_get_list(c, "remote-ts");
			ts = ts ? vici_first(ts) : NULL;
			if (ts && vici_value_str(&ts->value, tsbuf, sizeof(tsbuf)) == 0)
				ch.ts_port = ipsec_ts_port(tsbuf);
			fn(ctx, c->name, &ch);
		}
	}
	return count;
}

/* ---- peer -> CHILD_SA table ---------------------------------------------- */

int ipsec_sa_put(struct ipsec_sa_table *t, const struct ipsec_child *c)
{
	if (!c->child_id)
		return 0;
	for (size_t i = 0; i < t->n; i++) {
		if (t->v[i].child_id == c->child_id) {
			t->v[i] = *c;
			return 0;
		}
	}
	if (lns_grow((void **)&t->v, &t->cap, t->n + 1, sizeof(*t->v), 16))
		return -ENOMEM;
	t->v[t->n++] = *c;
	return 0;
}

bool ipsec_sa_del_child(struct ipsec_sa_table *t, uint64_t child_id, struct ipsec_child *out)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->v[i].child_id != child_id)
			continue;
		if (out)
			*out = t->v[i];
		memmove(&t->v[i], &t->v[i + 1], (t->n - i - 1) * sizeof(t->v[0]));
		t->n--;
		return true;
	}
	return false;
}

size_t ipsec_sa_del_ike(struct ipsec_sa_table *t, uint64_t ike_id)
{
	size_t j = 0, gone;

	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].ike_id != ike_id)
			t->v[j++] = t->v[i];
	gone = t->n - j;
	t->n = j;
	return gone;
}

/* Same address, and a TS port equal to the peer's or any. */
static bool carries(const struct ipsec_child *c, const struct lns_addr *peer)
{
	size_t alen = c->remote.family == 4 ? 4 : 16;

	if (c->remote.family != peer->family || memcmp(c->remote.addr, peer->addr, alen))
		return false;
	return !c->ts_port || c->ts_port == peer->port;
}

const struct ipsec_child *ipsec_sa_for_peer(const struct ipsec_sa_table *t,
					    const struct lns_addr *peer, uint32_t mark)
{
	const struct ipsec_child *best = NULL;

	for (size_t i = 0; i < t->n; i++) {
		const struct ipsec_child *c = &t->v[i];

		if (!carries(c, peer))
			continue;
		if (mark && c->mark_in != mark)
			continue;
		/* Later entries are newer: >= keeps the newest of equal rank. */
		if (!best || (c->ts_port && !best->ts_port) ||
		    ((c->ts_port != 0) == (best->ts_port != 0) && c->child_id >= best->child_id))
			best = c;
	}
	return best;
}

const struct ipsec_child *ipsec_sa_unmarked(const struct ipsec_sa_table *t,
					    const struct lns_addr *peer)
{
	const struct ipsec_child *found = NULL;

	for (size_t i = 0; i < t->n; i++) {
		if (t->v[i].mark_in || !carries(&t->v[i], peer))
			continue;
		if (found)
			return NULL;
		found = &t->v[i];
	}
	return found;
}

const struct ipsec_child *ipsec_sa_successor(const struct ipsec_sa_table *t,
					     const struct ipsec_child *gone)
{
	const struct ipsec_child *best = NULL;

	for (size_t i = 0; i < t->n; i++) {
		const struct ipsec_child *c = &t->v[i];

		if (c->ike_id != gone->ike_id || c->child_id == gone->child_id ||
		    c->mark_in != gone->mark_in || c->ts_port != gone->ts_port)
			continue;
		if (!best || c->child_id > best->child_id)
			best = c;
	}
	return best;
}

void ipsec_sa_clear(struct ipsec_sa_table *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* ---- pseudowires (docs/design.md §5.6) ---------------------------------- */

static int ts_addr(const struct lns_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->addr, buf, (socklen_t)len))
		return -EINVAL;
	return 0;
}

int ipsec_vici_load_pw(struct vici_builder *b, const struct ipsec_pw_params *p,
		       const uint8_t **pkt, size_t *len)
{
	/* "dynamic" is the IKE address: transport mode protects exactly the two LCCEs */
	const char *ts = p->udp ? "dynamic[udp/1701]" : "dynamic[115]";
	char conn[256], la[64], ra[64], rq[16];

	if ((p->local.family != 4 && p->local.family != 6) || p->local.family != p->peer.family ||
	    ts_addr(&p->local, la, sizeof(la)) || ts_addr(&p->peer, ra, sizeof(ra)) || !p->reqid ||
	    snprintf(conn, sizeof(conn), "%s%s", IPSEC_PW_PREFIX, p->name) >= 256)
		return -EINVAL;
	snprintf(rq, sizeof(rq), "%u", p->reqid);
	conn_start(b, conn, 2, la, ra, or_default(p->ike_proposals, ipsec_ike_default), NULL);
	vici_b_kv_str(b, "encap", "no");
	vici_b_kv_str(b, "fragmentation", "yes");
	vici_b_kv_str(b, "dpd_delay", "30s");
	/* one IKE_SA per pair of sites: a restarted peer's new one replaces the old */
	vici_b_kv_str(b, "unique", "replace");
	psk_end(b, "local", la);
	psk_end(b, "remote", ra);
	child_start(b, IPSEC_PW_CHILD, ts, ts, or_default(p->esp_proposals, ipsec_esp_default));
	vici_b_kv_str(b, "reqid", rq);
	vici_b_kv_str(b, "start_action", "trap");
	vici_b_kv_str(b, "dpd_action", "clear");
	vici_b_kv_str(b, "close_action", "none");
	return conn_finish(b, pkt, len);
}

int ipsec_vici_unload_conn(struct vici_builder *b, const char *name, const uint8_t **pkt,
			   size_t *len)
{
	vici_b_begin(b, VICI_CMD_REQUEST, "unload-conn");
	vici_b_kv_str(b, "name", name);
	return vici_b_finish(b, pkt, len);
}

int ipsec_vici_terminate_conn(struct vici_builder *b, const char *name, const uint8_t **pkt,
			      size_t *len)
{
	vici_b_begin(b, VICI_CMD_REQUEST, "terminate");
	vici_b_kv_str(b, "ike", name);
	vici_b_kv_str(b, "timeout", "-1");
	return vici_b_finish(b, pkt, len);
}

int ipsec_vici_pw_each(const struct vici_node *root, ipsec_pw_fn fn, void *ctx)
{
	const size_t plen = sizeof(IPSEC_PW_PREFIX) - 1;
	const struct vici_node *ike, *kids, *c;
	int count = 0;

	for (ike = vici_first_section(root); ike; ike = vici_next_section(ike)) {
		uint64_t id = 0;
		unsigned installed = 0;

		if (strncmp(ike->name, IPSEC_PW_PREFIX, plen) != 0 || !ike->name[plen])
			continue;
		vici_get_u64(ike, "uniqueid", &id);
		kids = vici_get_section(ike, "child-sas");
		for (c = kids ? vici_first_section(kids) : NULL; c; c = vici_next_section(c))
			installed += vici_is(c, "state", "INSTALLED");
		count++;
		fn(ctx, ike->name + plen, id, installed);
	}
	return count;
}
