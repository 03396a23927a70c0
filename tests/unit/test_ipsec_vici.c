// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/ipsec/ipsec_vici.c: the requests are decoded back with the codec and checked
 * key by key against docs/design.md §5.1–§5.2 (lists must be lists); event bodies are
 * built the way charon's vici_query.c lays them out; the peer table.
 */
#include <check.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipsec_vici.h"

static struct vici_msg *decode(const uint8_t *pkt, size_t len)
{
	struct vici_msg *m = NULL;

	ck_assert_int_eq(vici_msg_decode(pkt, len, &m), 0);
	return m;
}

/* The list at path as "a,b,c"; fails if path is not a list (charon drops a config whose lists are key/values). */
static char *list_csv(const struct vici_node *sec, const char *path)
{
	static char buf[1024];
	const struct vici_node *l = vici_get_list(sec, path), *it;
	char item[256];

	ck_assert_msg(l != NULL, "%s is not a list", path);
	buf[0] = '\0';
	for (it = vici_first(l); it; it = it->next) {
		ck_assert_int_eq(vici_value_str(&it->value, item, sizeof(item)), 0);
		if (buf[0])
			strcat(buf, ",");
		strcat(buf, item);
	}
	return buf;
}

static void kv_is(const struct vici_node *sec, const char *path, const char *want)
{
	char v[256];

	ck_assert_msg(vici_get_str(sec, path, v, sizeof(v)) == 0, "%s missing", path);
	ck_assert_str_eq(v, want);
}

START_TEST(load_conn_defaults)
{
	struct vici_builder b = { 0 };
	struct ipsec_conn_params p = { .ike_version = 1, .reqid = 1701, .dpd_delay_s = 30 };
	const uint8_t *pkt;
	size_t len;
	struct vici_msg *m;
	const struct vici_node *c, *ch;

	ck_assert_int_eq(ipsec_vici_load_conn(&b, &p, &pkt, &len), 0);
	m = decode(pkt, len);
	ck_assert_int_eq(vici_msg_type(m), VICI_CMD_REQUEST);
	ck_assert_str_eq(vici_msg_name(m), "load-conn");
	c = vici_get_section(vici_msg_root(m), "lnsd-l2tp");
	ck_assert_ptr_nonnull(c);
	kv_is(c, "version", "1");
	ck_assert_str_eq(list_csv(c, "local_addrs"), "%any");
	ck_assert_str_eq(list_csv(c, "remote_addrs"), "%any");
	ck_assert_str_eq(list_csv(c, "proposals"),
			 "aes256-sha256-modp2048,aes256-sha1-modp2048,aes128-sha1-modp2048,"
			 "aes256-sha1-ecp384,aes128-sha1-ecp256");
	kv_is(c, "aggressive", "no");
	kv_is(c, "encap", "no");
	kv_is(c, "fragmentation", "yes");
	kv_is(c, "dpd_delay", "30s");
	{
		struct vici_value v;

		/* dpd-timeout 0: not sent, charon's own IKEv1 timeout */
		ck_assert_int_lt(vici_get(c, "dpd_timeout", &v), 0);
	}
	kv_is(c, "rekey_time", "0s");
	kv_is(c, "reauth_time", "0s");
	kv_is(c, "unique", "never");
	kv_is(c, "local.auth", "psk");
	kv_is(c, "remote.auth", "psk");
	ch = vici_get_section(c, "children.l2tp");
	ck_assert_ptr_nonnull(ch);
	kv_is(ch, "mode", "transport");
	ck_assert_str_eq(list_csv(ch, "local_ts"), "dynamic[udp/1701]");
	ck_assert_str_eq(list_csv(ch, "remote_ts"), "dynamic[udp]");
	ck_assert_str_eq(list_csv(ch, "esp_proposals"),
			 "aes256-sha1,aes128-sha1,aes256-sha256,aes128-sha256,aes256gcm16,"
			 "aes128gcm16,3des-sha1");
	kv_is(ch, "rekey_time", "0s");
	kv_is(ch, "dpd_action", "clear");
	kv_is(ch, "start_action", "none");
	kv_is(ch, "mark_in", "%unique");
	kv_is(ch, "set_mark_in", "%same");
	vici_msg_free(m);
	vici_b_free(&b);
}
END_TEST

START_TEST(load_conn_overrides_and_legacy)
{
	struct vici_builder b = { 0 };
	struct ipsec_conn_params p = {
		.ike_proposals = "aes128-sha256-ecp256,aes256-sha384-modp3072",
		.esp_proposals = "aes128gcm16",
		.legacy = true,
		.ike_version = 0,
		.reqid = 42,
		.dpd_delay_s = 5,
		.dpd_timeout_s = 12,
	};
	const uint8_t *pkt;
	size_t len;
	struct vici_msg *m;
	const struct vici_node *c;

	ck_assert_int_eq(ipsec_vici_load_conn(&b, &p, &pkt, &len), 0);
	m = decode(pkt, len);
	c = vici_get_section(vici_msg_root(m), "lnsd-l2tp");
	kv_is(c, "version", "0");
	ck_assert_str_eq(list_csv(c, "proposals"),
			 "aes128-sha256-ecp256,aes256-sha384-modp3072,aes256-sha256-modp1024,"
			 "aes256-sha1-modp1024,aes128-sha1-modp1024,3des-sha1-modp2048,"
			 "3des-sha1-modp1024");
	ck_assert_str_eq(list_csv(c, "children.l2tp.esp_proposals"), "aes128gcm16");
	/* [ipsec] dpd-delay, dpd-timeout in seconds; the child clears on DPD */
	kv_is(c, "dpd_delay", "5s");
	kv_is(c, "dpd_timeout", "12s");
	kv_is(c, "children.l2tp.dpd_action", "clear");
	/* one mark per CHILD_SA, on its decrypted datagrams; no static reqid (§5.5) */
	kv_is(c, "children.l2tp.mark_in", "%unique");
	kv_is(c, "children.l2tp.set_mark_in", "%same");
	{
		struct vici_value v;

		ck_assert_int_lt(vici_get(c, "children.l2tp.reqid", &v), 0);
	}
	vici_msg_free(m);
	vici_b_free(&b);
}
END_TEST

START_TEST(small_requests)
{
	struct vici_builder b = { 0 };
	const uint8_t *pkt;
	size_t len;
	struct vici_msg *m;
	const struct vici_node *r, *owners;
	struct vici_value v;

	ck_assert_int_eq(ipsec_vici_load_shared(&b, "top secret", &pkt, &len), 0);
	m = decode(pkt, len);
	ck_assert_str_eq(vici_msg_name(m), "load-shared");
	r = vici_msg_root(m);
	kv_is(r, "id", "lnsd-psk");
	kv_is(r, "type", "IKE");
	kv_is(r, "data", "top secret");
	owners = vici_get_list(r, "owners");
	ck_assert_ptr_nonnull(owners);
	ck_assert_ptr_null(vici_first(owners));
	vici_msg_free(m);

	ck_assert_int_eq(ipsec_vici_terminate(&b, 77, &pkt, &len), 0);
	m = decode(pkt, len);
	ck_assert_str_eq(vici_msg_name(m), "terminate");
	kv_is(vici_msg_root(m), "ike-id", "77");
	kv_is(vici_msg_root(m), "timeout", "-1");
	vici_msg_free(m);

	ck_assert_int_eq(ipsec_vici_list_sas(&b, 0, &pkt, &len), 0);
	m = decode(pkt, len);
	ck_assert_str_eq(vici_msg_name(m), "list-sas");
	kv_is(vici_msg_root(m), "noblock", "yes");
	kv_is(vici_msg_root(m), "ike", "lnsd-l2tp");
	ck_assert_int_lt(vici_get(vici_msg_root(m), "ike-id", &v), 0);
	vici_msg_free(m);
	/* one IKE_SA's children (the successor of a rekeyed child) */
	ck_assert_int_eq(ipsec_vici_list_sas(&b, 12345678901ULL, &pkt, &len), 0);
	m = decode(pkt, len);
	kv_is(vici_msg_root(m), "ike", "lnsd-l2tp");
	kv_is(vici_msg_root(m), "ike-id", "12345678901");
	vici_msg_free(m);

	ck_assert_int_eq(ipsec_vici_register(&b, "child-updown", &pkt, &len), 0);
	m = decode(pkt, len);
	ck_assert_int_eq(vici_msg_type(m), VICI_EVENT_REGISTER);
	ck_assert_str_eq(vici_msg_name(m), "child-updown");
	vici_msg_free(m);
	vici_b_free(&b);
}
END_TEST

static struct vici_msg *response(bool ok, const char *errmsg)
{
	struct vici_builder b = { 0 };
	const uint8_t *pkt;
	size_t len;
	struct vici_msg *m;

	vici_b_begin(&b, VICI_CMD_RESPONSE, NULL);
	vici_b_kv_str(&b, "success", ok ? "yes" : "no");
	if (errmsg)
		vici_b_kv_str(&b, "errmsg", errmsg);
	ck_assert_int_eq(vici_b_finish(&b, &pkt, &len), 0);
	m = decode(pkt, len);
	vici_b_free(&b);
	return m;
}

START_TEST(results)
{
	char err[128], longmsg[300];
	struct vici_msg *m = response(true, NULL);

	ck_assert_int_eq(ipsec_vici_result(vici_msg_root(m), err, sizeof(err)), 0);
	vici_msg_free(m);
	m = response(false, "parsing proposal failed");
	ck_assert_int_eq(ipsec_vici_result(vici_msg_root(m), err, sizeof(err)), -EPROTO);
	ck_assert_str_eq(err, "parsing proposal failed");
	vici_msg_free(m);
	m = response(false, NULL);
	ck_assert_int_eq(ipsec_vici_result(vici_msg_root(m), err, sizeof(err)), -EPROTO);
	ck_assert_str_eq(err, "charon refused without an error message");
	vici_msg_free(m);
	/* charon's bytes as they are: lnsd escapes them where it shows them (LOG_STR) */
	m = response(false, "no such SA\nipsec: forged\x1b[1m\r");
	ck_assert_int_eq(ipsec_vici_result(vici_msg_root(m), err, sizeof(err)), -EPROTO);
	ck_assert_str_eq(err, "no such SA\nipsec: forged\x1b[1m\r");
	vici_msg_free(m);
	/* longer than err: cut, not replaced by the placeholder */
	memset(longmsg, 'x', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	memcpy(longmsg, "unable to", 9);
	m = response(false, longmsg);
	ck_assert_int_eq(ipsec_vici_result(vici_msg_root(m), err, sizeof(err)), -EPROTO);
	ck_assert_uint_eq(strlen(err), sizeof(err) - 1);
	ck_assert_mem_eq(err, longmsg, sizeof(err) - 1);
	vici_msg_free(m);
}
END_TEST

/* One IKE_SA section as vici_query.c's list_ike() + list_child() write it. */
static void ike_section(struct vici_builder *b, const char *conn, const char *ike_id,
			const char *host, const char *child_key, const char *child_id,
			const char *ts, bool aead)
{
	vici_b_section_start(b, conn);
	vici_b_kv_str(b, "uniqueid", ike_id);
	vici_b_kv_str(b, "version", "1");
	vici_b_kv_str(b, "state", "ESTABLISHED");
	vici_b_kv_str(b, "local-host", "198.51.100.2");
	vici_b_kv_str(b, "local-port", "4500");
	vici_b_kv_str(b, "remote-host", host);
	vici_b_kv_str(b, "remote-port", "4500");
	vici_b_kv_str(b, "nat-remote", "yes");
	vici_b_kv_str(b, "nat-any", "yes");
	vici_b_section_start(b, "child-sas");
	if (child_key) {
		vici_b_section_start(b, child_key);
		vici_b_kv_str(b, "name", "l2tp");
		vici_b_kv_str(b, "uniqueid", child_id);
		vici_b_kv_str(b, "reqid", "1701");
		vici_b_kv_str(b, "mark-in", "0000002a");
		vici_b_kv_str(b, "state", "INSTALLED");
		vici_b_kv_str(b, "mode", "TRANSPORT");
		vici_b_kv_str(b, "protocol", "ESP");
		vici_b_kv_str(b, "encap", "yes");
		vici_b_kv_str(b, "encr-alg", aead ? "AES_GCM_16" : "AES_CBC");
		vici_b_kv_str(b, "encr-keysize", aead ? "128" : "256");
		if (!aead)
			vici_b_kv_str(b, "integ-alg", "HMAC_SHA1_96");
		vici_b_list_start(b, "local-ts");
		vici_b_list_item_str(b, "198.51.100.2/32[udp/l2f]");
		vici_b_list_end(b);
		vici_b_list_start(b, "remote-ts");
		vici_b_list_item_str(b, ts);
		vici_b_list_end(b);
		vici_b_section_end(b);
	}
	vici_b_section_end(b);
	vici_b_section_end(b);
}

struct seen {
	struct ipsec_child v[8];
	char key[8][32];
	int n;
};

static void collect(void *ctx, const char *key, const struct ipsec_child *c)
{
	struct seen *s = ctx;

	ck_assert_int_lt(s->n, 8);
	snprintf(s->key[s->n], sizeof(s->key[0]), "%s", key);
	s->v[s->n++] = *c;
}

START_TEST(parse_child_updown)
{
	struct vici_builder b = { 0 };
	const uint8_t *pkt;
	size_t len;
	struct vici_msg *m;
	struct seen s = { 0 };
	char buf[LNS_ADDR_STRLEN];

	vici_b_begin(&b, VICI_EVENT, "child-updown");
	vici_b_kv_str(&b, "up", "yes");
	ike_section(&b, "other-conn", "3", "192.0.2.9", "x-1", "9", "192.0.2.9/32", false);
	ike_section(&b, "lnsd-l2tp", "5", "198.51.100.1", "l2tp-7", "7",
		    "198.51.100.1/32[udp/l2f]", false);
	ck_assert_int_eq(vici_b_finish(&b, &pkt, &len), 0);
	m = decode(pkt, len);
	ck_assert_int_eq(ipsec_vici_each(vici_msg_root(m), collect, &s), 1);
	ck_assert_int_eq(s.n, 2);
	ck_assert_str_eq(s.key[0], "");
	ck_assert_uint_eq(s.v[0].ike_id, 5);
	ck_assert_uint_eq(s.v[0].child_id, 0);
	ck_assert_str_eq(s.key[1], "l2tp-7");
	ck_assert_uint_eq(s.v[1].ike_id, 5);
	ck_assert_uint_eq(s.v[1].child_id, 7);
	ck_assert_uint_eq(s.v[1].reqid, 1701);
	ck_assert_uint_eq(s.v[1].mark_in, 42);
	ck_assert_str_eq(lns_addr_str(&s.v[1].remote, buf, sizeof(buf)), "198.51.100.1:4500");
	ck_assert_uint_eq(s.v[1].ts_port, 1701);
	ck_assert(s.v[1].natt);
	ck_assert(s.v[1].installed);
	ck_assert_str_eq(s.v[1].cipher, "AES_CBC-256/HMAC_SHA1_96");
	vici_msg_free(m);

	/* child-rekey: "old" and "new" children; AEAD has no integrity algorithm */
	memset(&s, 0, sizeof(s));
	vici_b_begin(&b, VICI_EVENT, "child-rekey");
	ike_section(&b, "lnsd-l2tp", "5", "2001:db8::7", "new", "8", "2001:db8::7/128[udp/61000]",
		    true);
	ck_assert_int_eq(vici_b_finish(&b, &pkt, &len), 0);
	m = decode(pkt, len);
	ck_assert_int_eq(ipsec_vici_each(vici_msg_root(m), collect, &s), 1);
	ck_assert_int_eq(s.n, 2);
	ck_assert_str_eq(s.key[1], "new");
	ck_assert_uint_eq(s.v[1].ts_port, 61000);
	ck_assert_uint_eq(s.v[1].remote.family, 6);
	ck_assert_str_eq(s.v[1].cipher, "AES_GCM_16-128");
	vici_msg_free(m);

	/* an IKE_SA without a usable uniqueid is a malformed event */
	memset(&s, 0, sizeof(s));
	vici_b_begin(&b, VICI_EVENT, "ike-updown");
	ike_section(&b, "lnsd-l2tp", "x", "198.51.100.1", NULL, NULL, NULL, false);
	ck_assert_int_eq(vici_b_finish(&b, &pkt, &len), 0);
	m = decode(pkt, len);
	ck_assert_int_eq(ipsec_vici_each(vici_msg_root(m), collect, &s), -EBADMSG);
	vici_msg_free(m);
	vici_b_free(&b);
}
END_TEST

START_TEST(ts_ports)
{
	ck_assert_uint_eq(ipsec_ts_port("10.0.0.1/32[udp/1701]"), 1701);
	ck_assert_uint_eq(ipsec_ts_port("10.0.0.1/32[udp/l2f]"), 1701);
	ck_assert_uint_eq(ipsec_ts_port("10.0.0.1/32[udp/l2tp]"), 1701);
	ck_assert_uint_eq(ipsec_ts_port("10.0.0.1/32[udp/4500]"), 4500);
	ck_assert_uint_eq(ipsec_ts_port("10.0.0.1/32[udp]"), 0);
	ck_assert_uint_eq(ipsec_ts_port("10.0.0.1/32[udp/1024-65535]"), 0);
	ck_assert_uint_eq(ipsec_ts_port("10.0.0.1/32"), 0);
	ck_assert_uint_eq(ipsec_ts_port("10.0.0.1/32[udp/99999]"), 0);
	ck_assert_uint_eq(ipsec_ts_port("10.0.0.1/32[udp/]"), 0);
}
END_TEST

static struct ipsec_child child(uint64_t ike, uint64_t id, const char *v4, uint16_t ts_port)
{
	struct ipsec_child c = { .ike_id = ike, .child_id = id, .ts_port = ts_port };

	c.remote.family = 4;
	ck_assert_int_eq(inet_pton(AF_INET, v4, c.remote.addr), 1);
	c.remote.port = 4500;
	return c;
}

static struct lns_addr peer(const char *v4, uint16_t port)
{
	struct lns_addr a = { .family = 4, .port = port };

	ck_assert_int_eq(inet_pton(AF_INET, v4, a.addr), 1);
	return a;
}

/*
 * Mark 0 (a CHILD_SA from before lnsd set mark_in, docs/design.md §5.5): only
 * the peer's one unmarked child, whatever marked ones it has besides.
 */
START_TEST(unmarked_child)
{
	struct ipsec_sa_table t = { 0 };
	struct ipsec_child c;
	struct lns_addr p = peer("192.0.2.50", 1701);

	ck_assert_ptr_null(ipsec_sa_unmarked(&t, &p));
	c = child(1, 10, "192.0.2.50", 0);
	c.reqid = 1701;
	ipsec_sa_put(&t, &c);
	ck_assert_uint_eq(ipsec_sa_unmarked(&t, &p)->child_id, 10);
	/* a marked client joins behind the same NAT: mark 0 is still the old one */
	c = child(2, 11, "192.0.2.50", 0);
	c.mark_in = 3;
	ipsec_sa_put(&t, &c);
	ck_assert_uint_eq(ipsec_sa_unmarked(&t, &p)->child_id, 10);
	/* a second unmarked child on the address: cannot tell them apart */
	c = child(3, 12, "192.0.2.50", 0);
	ipsec_sa_put(&t, &c);
	ck_assert_ptr_null(ipsec_sa_unmarked(&t, &p));
	ck_assert(ipsec_sa_del_child(&t, 12, NULL));
	/* another address or a TS port of another port: not this peer's */
	p = peer("192.0.2.51", 1701);
	ck_assert_ptr_null(ipsec_sa_unmarked(&t, &p));
	ck_assert(ipsec_sa_del_child(&t, 10, NULL));
	c = child(1, 10, "192.0.2.50", 4500);
	ipsec_sa_put(&t, &c);
	p = peer("192.0.2.50", 1701);
	ck_assert_ptr_null(ipsec_sa_unmarked(&t, &p));
	/* only a marked child left: mark 0 refused */
	ck_assert(ipsec_sa_del_child(&t, 10, NULL));
	ck_assert_ptr_null(ipsec_sa_unmarked(&t, &p));
	ipsec_sa_clear(&t);
}
END_TEST

/*
 * IKEv1 rekey (docs/design.md §5.5): the old child goes down, the new one of
 * the same IKE_SA has its mark and came with no event; list-sas found it.
 */
START_TEST(rekey_successor)
{
	struct ipsec_sa_table t = { 0 };
	struct ipsec_child c, gone;

	gone = child(7, 20, "192.0.2.77", 0);
	gone.mark_in = 2;
	gone.reqid = 2;
	/* only the gone one's neighbours: another client's child, another IKE_SA */
	c = child(8, 21, "192.0.2.77", 0);
	c.mark_in = 3;
	ipsec_sa_put(&t, &c);
	ck_assert_ptr_null(ipsec_sa_successor(&t, &gone));
	/* same IKE_SA, another mark: not the successor */
	c = child(7, 22, "192.0.2.77", 0);
	c.mark_in = 4;
	ipsec_sa_put(&t, &c);
	ck_assert_ptr_null(ipsec_sa_successor(&t, &gone));
	/* the gone child itself (still listed) does not succeed itself */
	ipsec_sa_put(&t, &gone);
	ck_assert_ptr_null(ipsec_sa_successor(&t, &gone));
	ck_assert(ipsec_sa_del_child(&t, 20, NULL));
	/* same IKE_SA and mark: the newest wins */
	c = child(7, 23, "192.0.2.77", 0);
	c.mark_in = 2;
	ipsec_sa_put(&t, &c);
	c = child(7, 25, "192.0.2.77", 0);
	c.mark_in = 2;
	c.reqid = 2;
	ipsec_sa_put(&t, &c);
	ck_assert_uint_eq(ipsec_sa_successor(&t, &gone)->child_id, 25);
	ipsec_sa_clear(&t);
}
END_TEST

START_TEST(peer_table)
{
	struct ipsec_sa_table t = { 0 };
	struct ipsec_child c, out;
	struct lns_addr p = peer("198.51.100.1", 1701);
	const struct ipsec_child *f;

	c = child(1, 10, "198.51.100.1", 0);
	ck_assert_int_eq(ipsec_sa_put(&t, &c), 0);
	f = ipsec_sa_for_peer(&t, &p, 0);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(f->child_id, 10);
	/* an exact TS port beats "any", even when older */
	c = child(2, 11, "198.51.100.1", 1701);
	ipsec_sa_put(&t, &c);
	c = child(3, 12, "198.51.100.1", 0);
	ipsec_sa_put(&t, &c);
	ck_assert_uint_eq(ipsec_sa_for_peer(&t, &p, 0)->child_id, 11);
	/* another port of the same address: only the "any" children, newest first */
	p.port = 40000;
	ck_assert_uint_eq(ipsec_sa_for_peer(&t, &p, 0)->child_id, 12);
	/* another address: none */
	p = peer("198.51.100.9", 1701);
	ck_assert_ptr_null(ipsec_sa_for_peer(&t, &p, 0));
	/* replace by child id (a rekeyed state), no duplicate */
	c = child(2, 11, "198.51.100.1", 1701);
	c.reqid = 99;
	ipsec_sa_put(&t, &c);
	ck_assert_uint_eq(t.n, 3);
	ck_assert(ipsec_sa_del_child(&t, 11, &out));
	ck_assert_uint_eq(out.reqid, 99);
	ck_assert(!ipsec_sa_del_child(&t, 11, NULL));
	/* child id 0 (an IKE record) is not stored */
	c = child(4, 0, "198.51.100.1", 0);
	ipsec_sa_put(&t, &c);
	ck_assert_uint_eq(t.n, 2);
	c = child(3, 13, "198.51.100.3", 0);
	ipsec_sa_put(&t, &c);
	ck_assert_uint_eq(ipsec_sa_del_ike(&t, 3), 2);
	ck_assert_uint_eq(t.n, 1);
	ck_assert_uint_eq(t.v[0].child_id, 10);
	/* growth past the first allocation */
	for (uint64_t i = 100; i < 140; i++) {
		c = child(9, i, "203.0.113.1", 0);
		ck_assert_int_eq(ipsec_sa_put(&t, &c), 0);
	}
	ck_assert_uint_eq(t.n, 41);
	p = peer("203.0.113.1", 1701);
	ck_assert_uint_eq(ipsec_sa_for_peer(&t, &p, 0)->child_id, 139);
	/* behind one NAT: same address and port, told apart by the mark only */
	c = child(20, 200, "192.0.2.77", 0);
	c.mark_in = 5;
	ipsec_sa_put(&t, &c);
	c = child(21, 201, "192.0.2.77", 0);
	c.mark_in = 6;
	ipsec_sa_put(&t, &c);
	p = peer("192.0.2.77", 1701);
	ck_assert_uint_eq(ipsec_sa_for_peer(&t, &p, 5)->child_id, 200);
	ck_assert_uint_eq(ipsec_sa_for_peer(&t, &p, 6)->child_id, 201);
	ck_assert_uint_eq(ipsec_sa_for_peer(&t, &p, 0)->child_id, 201);
	ck_assert_ptr_null(ipsec_sa_for_peer(&t, &p, 7));
	/* mark 0 from behind that NAT: no child without a mark, refused */
	ck_assert_ptr_null(ipsec_sa_unmarked(&t, &p));
	ipsec_sa_clear(&t);
	ck_assert_uint_eq(t.n, 0);
}
END_TEST


static int lns_addr_parse(const char *txt, struct lns_addr *a)
{
	char buf[64];
	size_t n = strlen(txt);

	memset(a, 0, sizeof(*a));
	if (txt[0] == '[' && n < sizeof(buf)) {
		memcpy(buf, txt + 1, n - 2);
		buf[n - 2] = '\0';
		a->family = 6;
		return inet_pton(AF_INET6, buf, a->addr) == 1 ? 0 : -1;
	}
	a->family = 4;
	return inet_pton(AF_INET, txt, a->addr) == 1 ? 0 : -1;
}

/* docs/design.md §5.6: one site-to-site connection per protected pseudowire. */
START_TEST(load_pw_conn)
{
	struct vici_builder b = { 0 };
	struct ipsec_pw_params p = { .name = "office-b", .reqid = IPSEC_PW_REQID_BASE + 2 };
	const uint8_t *pkt;
	size_t len;
	struct vici_msg *m;
	const struct vici_node *c, *ch;

	ck_assert_int_eq(lns_addr_parse("192.0.2.1", &p.local), 0);
	ck_assert_int_eq(lns_addr_parse("198.51.100.2", &p.peer), 0);
	ck_assert_int_eq(ipsec_vici_load_pw(&b, &p, &pkt, &len), 0);
	m = decode(pkt, len);
	ck_assert_str_eq(vici_msg_name(m), "load-conn");
	c = vici_get_section(vici_msg_root(m), "lnsd-pw-office-b");
	ck_assert_ptr_nonnull(c);
	kv_is(c, "version", "2");
	ck_assert_str_eq(list_csv(c, "local_addrs"), "192.0.2.1");
	ck_assert_str_eq(list_csv(c, "remote_addrs"), "198.51.100.2");
	ck_assert_str_eq(list_csv(c, "proposals"), ipsec_ike_default);
	kv_is(c, "encap", "no");
	kv_is(c, "unique", "replace");
	kv_is(c, "local.auth", "psk");
	kv_is(c, "local.id", "192.0.2.1");
	kv_is(c, "remote.auth", "psk");
	kv_is(c, "remote.id", "198.51.100.2");
	ch = vici_get_section(c, "children.pw");
	ck_assert_ptr_nonnull(ch);
	kv_is(ch, "mode", "transport");
	ck_assert_str_eq(list_csv(ch, "local_ts"), "dynamic[115]");
	ck_assert_str_eq(list_csv(ch, "remote_ts"), "dynamic[115]");
	ck_assert_str_eq(list_csv(ch, "esp_proposals"), ipsec_esp_default);
	kv_is(ch, "reqid", "65538");
	kv_is(ch, "start_action", "trap");
	kv_is(ch, "dpd_action", "clear");
	vici_msg_free(m);

	/* UDP: port 1701 both ends; configured proposals; IPv6 */
	p.udp = true;
	p.ike_proposals = "aes128gcm16-prfsha256-ecp256";
	p.esp_proposals = "aes128gcm16";
	ck_assert_int_eq(lns_addr_parse("[2001:db8::1]", &p.local), 0);
	ck_assert_int_eq(lns_addr_parse("[2001:db8::2]", &p.peer), 0);
	ck_assert_int_eq(ipsec_vici_load_pw(&b, &p, &pkt, &len), 0);
	m = decode(pkt, len);
	c = vici_get_section(vici_msg_root(m), "lnsd-pw-office-b");
	ck_assert_str_eq(list_csv(c, "remote_addrs"), "2001:db8::2");
	ck_assert_str_eq(list_csv(c, "proposals"), "aes128gcm16-prfsha256-ecp256");
	ch = vici_get_section(c, "children.pw");
	ck_assert_str_eq(list_csv(ch, "local_ts"), "dynamic[udp/1701]");
	ck_assert_str_eq(list_csv(ch, "remote_ts"), "dynamic[udp/1701]");
	ck_assert_str_eq(list_csv(ch, "esp_proposals"), "aes128gcm16");
	vici_msg_free(m);

	/* no reqid, mixed families: refused */
	p.reqid = 0;
	ck_assert_int_eq(ipsec_vici_load_pw(&b, &p, &pkt, &len), -EINVAL);
	p.reqid = 7;
	ck_assert_int_eq(lns_addr_parse("192.0.2.1", &p.local), 0);
	ck_assert_int_eq(ipsec_vici_load_pw(&b, &p, &pkt, &len), -EINVAL);

	ck_assert_int_eq(ipsec_vici_unload_conn(&b, "lnsd-pw-x", &pkt, &len), 0);
	m = decode(pkt, len);
	ck_assert_str_eq(vici_msg_name(m), "unload-conn");
	kv_is(vici_msg_root(m), "name", "lnsd-pw-x");
	vici_msg_free(m);
	ck_assert_int_eq(ipsec_vici_terminate_conn(&b, "lnsd-pw-x", &pkt, &len), 0);
	m = decode(pkt, len);
	ck_assert_str_eq(vici_msg_name(m), "terminate");
	kv_is(vici_msg_root(m), "ike", "lnsd-pw-x");
	kv_is(vici_msg_root(m), "timeout", "-1");
	vici_msg_free(m);
	vici_b_free(&b);
}
END_TEST

struct pw_seen {
	int n;
	char name[4][32];
	uint64_t ike[4];
	unsigned inst[4];
};

static void pw_collect(void *ctx, const char *pw, uint64_t ike_id, unsigned installed)
{
	struct pw_seen *s = ctx;

	ck_assert_int_lt(s->n, 4);
	snprintf(s->name[s->n], sizeof(s->name[0]), "%s", pw);
	s->ike[s->n] = ike_id;
	s->inst[s->n++] = installed;
}

START_TEST(parse_pw_events)
{
	struct vici_builder b = { 0 };
	const uint8_t *pkt;
	size_t len;
	struct vici_msg *m;
	struct pw_seen s = { 0 };

	/* child-updown up=no: the remote-access connection is not a pseudowire's */
	vici_b_begin(&b, VICI_EVENT, "child-updown");
	ike_section(&b, "lnsd-l2tp", "5", "198.51.100.1", "l2tp-7", "7",
		    "198.51.100.1/32[udp/l2f]", false);
	ike_section(&b, "lnsd-pw-ab", "9", "198.51.100.2", "pw-3", "3", "198.51.100.2/32[115]",
		    false);
	vici_b_section_start(&b, "lnsd-pw-");   /* no name after the prefix: not ours */
	vici_b_section_end(&b);
	ck_assert_int_eq(vici_b_finish(&b, &pkt, &len), 0);
	m = decode(pkt, len);
	ck_assert_int_eq(ipsec_vici_pw_each(vici_msg_root(m), pw_collect, &s), 1);
	ck_assert_str_eq(s.name[0], "ab");
	ck_assert_uint_eq(s.ike[0], 9);
	ck_assert_uint_eq(s.inst[0], 1);
	vici_msg_free(m);
	vici_b_free(&b);
}
END_TEST

static Suite *ipsec_suite(void)
{
	Suite *s = suite_create("ipsec_vici");
	TCase *tc = tcase_create("ipsec_vici");

	tcase_add_test(tc, load_conn_defaults);
	tcase_add_test(tc, load_conn_overrides_and_legacy);
	tcase_add_test(tc, small_requests);
	tcase_add_test(tc, results);
	tcase_add_test(tc, parse_child_updown);
	tcase_add_test(tc, ts_ports);
	tcase_add_test(tc, peer_table);
	tcase_add_test(tc, unmarked_child);
	tcase_add_test(tc, rekey_successor);
	tcase_add_test(tc, load_pw_conn);
	tcase_add_test(tc, parse_pw_events);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ipsec_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
