// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests for the VICI codec (lib/ipsec/vici.c). Expected bytes are written from the
 * wire format (docs/design.md §5.1) by hand or by data/vici/gen_vectors.py, never
 * taken from the encoder under test.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vici.h"

#include "data/vici/vectors.inc"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Build with b and compare against exp; b stays usable. */
static void expect_bytes(struct vici_builder *b, const uint8_t *exp, size_t exp_len)
{
	const uint8_t *pkt;
	size_t len;

	ck_assert_int_eq(vici_b_finish(b, &pkt, &len), 0);
	ck_assert_uint_eq(len, exp_len);
	ck_assert_mem_eq(pkt, exp, len);
}

static struct vici_msg *decode_ok(const uint8_t *pkt, size_t len)
{
	struct vici_msg *m = NULL;
	uint8_t *copy = malloc(len);   /* exact size, so ASan sees overreads */

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, pkt, len);
	ck_assert_int_eq(vici_msg_decode(copy, len, &m), 0);
	ck_assert_ptr_nonnull(m);
	memset(copy, 0xee, len);        /* the tree must not point into the input */
	free(copy);
	return m;
}

static int decode_err(const uint8_t *pkt, size_t len)
{
	struct vici_msg *m = (struct vici_msg *)&m;
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, pkt, len);
	rc = vici_msg_decode(copy, len, &m);
	ck_assert_ptr_null(m);
	free(copy);
	return rc;
}

static void ck_str(const struct vici_node *sec, const char *path, const char *exp)
{
	char buf[256];

	ck_assert_msg(vici_get_str(sec, path, buf, sizeof(buf)) == 0, "missing %s", path);
	ck_assert_str_eq(buf, exp);
}

/* Items of the list at path, joined with ','. */
static void ck_list(const struct vici_node *sec, const char *path, const char *exp)
{
	const struct vici_node *l = vici_get_list(sec, path), *it;
	char buf[1024] = "", item[256];

	ck_assert_msg(l != NULL, "no list %s", path);
	for (it = vici_first(l); it; it = it->next) {
		ck_assert_int_eq(it->kind, VICI_NODE_ITEM);
		ck_assert_int_eq(vici_value_str(&it->value, item, sizeof(item)), 0);
		if (buf[0])
			strcat(buf, ",");
		strcat(buf, item);
	}
	ck_assert_str_eq(buf, exp);
}

/* ---- hand-written byte vectors ---- */

static const uint8_t terminate_bytes[] = {
	0, 0, 0, 0x17,                  /* length 23 */
	VICI_CMD_REQUEST, 9, 't', 'e', 'r', 'm', 'i', 'n', 'a', 't', 'e',
	VICI_KEY_VALUE, 6, 'i', 'k', 'e', '-', 'i', 'd', 0, 2, '4', '2',
};

static const uint8_t register_bytes[] = {
	0, 0, 0, 0x0c,
	VICI_EVENT_REGISTER, 10, 'i', 'k', 'e', '-', 'u', 'p', 'd', 'o', 'w', 'n',
};

/* response { a { k = v } l [ x, yz ] empty = "" } */
static const uint8_t nested_bytes[] = {
	0, 0, 0, 0x21,
	VICI_CMD_RESPONSE,
	VICI_SECTION_START, 1, 'a',
	VICI_KEY_VALUE, 1, 'k', 0, 1, 'v',
	VICI_SECTION_END,
	VICI_LIST_START, 1, 'l',
	VICI_LIST_ITEM, 0, 1, 'x',
	VICI_LIST_ITEM, 0, 2, 'y', 'z',
	VICI_LIST_END,
	VICI_KEY_VALUE, 5, 'e', 'm', 'p', 't', 'y', 0, 0,
};

START_TEST(test_encode_terminate)
{
	struct vici_builder b = { 0 };

	ck_assert_int_eq(vici_b_begin(&b, VICI_CMD_REQUEST, "terminate"), 0);
	vici_b_kv_u64(&b, "ike-id", 42);
	expect_bytes(&b, terminate_bytes, sizeof(terminate_bytes));
	vici_b_free(&b);
}
END_TEST

START_TEST(test_encode_register)
{
	struct vici_builder b = { 0 };

	ck_assert_int_eq(vici_b_begin(&b, VICI_EVENT_REGISTER, "ike-updown"), 0);
	expect_bytes(&b, register_bytes, sizeof(register_bytes));
	/* The same builder is reused for the next packet. */
	ck_assert_int_eq(vici_b_begin(&b, VICI_CMD_REQUEST, "terminate"), 0);
	vici_b_kv_str(&b, "ike-id", "42");
	expect_bytes(&b, terminate_bytes, sizeof(terminate_bytes));
	vici_b_free(&b);
}
END_TEST

START_TEST(test_encode_nested)
{
	struct vici_builder b = { 0 };

	ck_assert_int_eq(vici_b_begin(&b, VICI_CMD_RESPONSE, NULL), 0);
	vici_b_section_start(&b, "a");
	vici_b_kv(&b, "k", "v", 1);
	vici_b_section_end(&b);
	vici_b_list_start(&b, "l");
	vici_b_list_item_str(&b, "x");
	vici_b_list_item(&b, "yz", 2);
	vici_b_list_end(&b);
	vici_b_kv(&b, "empty", NULL, 0);
	expect_bytes(&b, nested_bytes, sizeof(nested_bytes));
	vici_b_free(&b);
}
END_TEST

START_TEST(test_decode_nested)
{
	struct vici_msg *m = decode_ok(nested_bytes, sizeof(nested_bytes));
	const struct vici_node *r = vici_msg_root(m), *n;
	struct vici_value v;

	ck_assert_int_eq(vici_msg_type(m), VICI_CMD_RESPONSE);
	ck_assert_str_eq(vici_msg_name(m), "");
	n = vici_first(r);
	ck_assert_int_eq(n->kind, VICI_NODE_SECTION);
	ck_assert_str_eq(n->name, "a");
	ck_assert_int_eq(n->child->kind, VICI_NODE_KV);
	ck_assert_ptr_null(n->child->next);
	n = n->next;
	ck_assert_int_eq(n->kind, VICI_NODE_LIST);
	ck_assert_str_eq(n->name, "l");
	n = n->next;
	ck_assert_int_eq(n->kind, VICI_NODE_KV);
	ck_assert_ptr_null(n->next);
	ck_str(r, "a.k", "v");
	ck_list(r, "l", "x,yz");
	ck_assert_int_eq(vici_get(r, "empty", &v), 0);
	ck_assert_uint_eq(v.len, 0);
	ck_assert(vici_is(r, "empty", ""));
	ck_assert(vici_is(r, "a.k", "v"));
	ck_assert(!vici_is(r, "a.k", "vv"));
	vici_msg_free(m);
}
END_TEST

START_TEST(test_decode_terminate)
{
	struct vici_msg *m = decode_ok(terminate_bytes, sizeof(terminate_bytes));
	uint64_t id;

	ck_assert_int_eq(vici_msg_type(m), VICI_CMD_REQUEST);
	ck_assert_str_eq(vici_msg_name(m), "terminate");
	ck_assert_int_eq(vici_get_u64(vici_msg_root(m), "ike-id", &id), 0);
	ck_assert_uint_eq(id, 42);
	vici_msg_free(m);

	m = decode_ok(register_bytes, sizeof(register_bytes));
	ck_assert_int_eq(vici_msg_type(m), VICI_EVENT_REGISTER);
	ck_assert_str_eq(vici_msg_name(m), "ike-updown");
	ck_assert_ptr_null(vici_first(vici_msg_root(m)));
	vici_msg_free(m);
}
END_TEST

/* ---- realistic commands: round trips ---- */

static const char *const ike_props[] = {
	"aes256-sha256-modp2048", "aes256-sha1-modp2048", "aes128-sha1-modp2048",
	"aes256-sha1-ecp384", "aes128-sha1-ecp256",
};
static const char *const esp_props[] = {
	"aes256-sha1", "aes128-sha1", "aes256-sha256", "aes128-sha256",
	"aes256gcm16", "aes128gcm16", "3des-sha1",
};

static void list_strs(struct vici_builder *b, const char *name, const char *const *v, size_t n)
{
	size_t i;

	vici_b_list_start(b, name);
	for (i = 0; i < n; i++)
		vici_b_list_item_str(b, v[i]);
	vici_b_list_end(b);
}

/* The responder from docs/design.md §5.2. */
static void build_load_conn(struct vici_builder *b)
{
	static const char *const any[] = { "%any" };
	static const char *const lts[] = { "dynamic[udp/1701]" };
	static const char *const rts[] = { "dynamic[udp]" };

	vici_b_begin(b, VICI_CMD_REQUEST, "load-conn");
	vici_b_section_start(b, "lnsd-l2tp");
	vici_b_kv_str(b, "version", "1");
	list_strs(b, "local_addrs", any, 1);
	list_strs(b, "remote_addrs", any, 1);
	list_strs(b, "proposals", ike_props, N(ike_props));
	vici_b_kv_str(b, "aggressive", "no");
	vici_b_kv_str(b, "encap", "no");
	vici_b_kv_str(b, "fragmentation", "yes");
	vici_b_kv_str(b, "dpd_delay", "30s");
	vici_b_kv_str(b, "rekey_time", "0s");
	vici_b_kv_str(b, "reauth_time", "0s");
	vici_b_kv_str(b, "unique", "never");
	vici_b_section_start(b, "local-1");
	vici_b_kv_str(b, "auth", "psk");
	vici_b_section_end(b);
	vici_b_section_start(b, "remote-1");
	vici_b_kv_str(b, "auth", "psk");
	vici_b_section_end(b);
	vici_b_section_start(b, "children");
	vici_b_section_start(b, "lnsd-l2tp");
	vici_b_kv_str(b, "mode", "transport");
	list_strs(b, "local_ts", lts, 1);
	list_strs(b, "remote_ts", rts, 1);
	list_strs(b, "esp_proposals", esp_props, N(esp_props));
	vici_b_kv_str(b, "rekey_time", "0s");
	vici_b_kv_str(b, "dpd_action", "clear");
	vici_b_kv_str(b, "start_action", "none");
	vici_b_section_end(b);
	vici_b_section_end(b);
	vici_b_section_end(b);
}

/* Re-encode a decoded tree: a second, structural route to the same bytes. */
static void reencode(struct vici_builder *b, const struct vici_node *sec)
{
	const struct vici_node *n, *it;

	for (n = vici_first(sec); n; n = n->next) {
		switch (n->kind) {
		case VICI_NODE_SECTION:
			vici_b_section_start(b, n->name);
			reencode(b, n);
			vici_b_section_end(b);
			break;
		case VICI_NODE_KV:
			vici_b_kv(b, n->name, n->value.ptr, n->value.len);
			break;
		case VICI_NODE_LIST:
			vici_b_list_start(b, n->name);
			for (it = vici_first(n); it; it = it->next)
				vici_b_list_item(b, it->value.ptr, it->value.len);
			vici_b_list_end(b);
			break;
		case VICI_NODE_ITEM:
			ck_abort_msg("item outside a list");
			break;
		}
	}
}

static void round_trip(const uint8_t *pkt, size_t len)
{
	struct vici_msg *m = decode_ok(pkt, len);
	struct vici_builder b = { 0 };
	enum vici_pkt_type t = vici_msg_type(m);

	vici_b_begin(&b, t, vici_pkt_type_named(t) ? vici_msg_name(m) : NULL);
	reencode(&b, vici_msg_root(m));
	expect_bytes(&b, pkt, len);
	vici_b_free(&b);
	vici_msg_free(m);
}

START_TEST(test_load_conn)
{
	struct vici_builder b = { 0 };
	const struct vici_node *r, *c;
	struct vici_msg *m;
	const uint8_t *pkt;
	size_t len, plen;

	build_load_conn(&b);
	expect_bytes(&b, vici_vec_load_conn, sizeof(vici_vec_load_conn));
	ck_assert_int_eq(vici_b_finish(&b, &pkt, &len), -EINVAL);       /* finished already */
	pkt = vici_vec_load_conn;
	len = sizeof(vici_vec_load_conn);
	ck_assert_int_eq(vici_frame_split(pkt, len, &plen), 1);
	ck_assert_uint_eq(plen, len);
	m = decode_ok(pkt, len);
	ck_assert_str_eq(vici_msg_name(m), "load-conn");
	r = vici_msg_root(m);
	c = vici_first_section(r);
	ck_assert_str_eq(c->name, "lnsd-l2tp");
	ck_assert_ptr_null(vici_next_section(c));
	ck_str(c, "version", "1");
	ck_str(r, "lnsd-l2tp.encap", "no");
	ck_str(r, "lnsd-l2tp.unique", "never");
	ck_list(c, "local_addrs", "%any");
	ck_list(c, "proposals", "aes256-sha256-modp2048,aes256-sha1-modp2048,"
		"aes128-sha1-modp2048,aes256-sha1-ecp384,aes128-sha1-ecp256");
	ck_str(c, "local-1.auth", "psk");
	ck_str(c, "remote-1.auth", "psk");
	ck_str(c, "children.lnsd-l2tp.mode", "transport");
	ck_list(c, "children.lnsd-l2tp.local_ts", "dynamic[udp/1701]");
	ck_list(c, "children.lnsd-l2tp.remote_ts", "dynamic[udp]");
	ck_list(c, "children.lnsd-l2tp.esp_proposals", "aes256-sha1,aes128-sha1,aes256-sha256,"
		"aes128-sha256,aes256gcm16,aes128gcm16,3des-sha1");
	/* Lists are not key/values, sections are not lists. */
	ck_assert_int_eq(vici_get(c, "proposals", &(struct vici_value){ 0 }), -ENOENT);
	ck_assert_ptr_null(vici_get_list(c, "children"));
	ck_assert_ptr_null(vici_get_section(c, "proposals"));
	ck_assert_ptr_nonnull(vici_get_section(r, "lnsd-l2tp.children.lnsd-l2tp"));
	vici_msg_free(m);
	round_trip(pkt, len);
	vici_b_free(&b);
}
END_TEST

START_TEST(test_load_shared)
{
	static const char *const owners[] = { "%any" };
	struct vici_builder b = { 0 };
	const uint8_t *pkt;
	struct vici_msg *m;
	size_t len;
	char psk[64];

	vici_b_begin(&b, VICI_CMD_REQUEST, "load-shared");
	vici_b_kv_str(&b, "id", "lnsd-psk");
	vici_b_kv_str(&b, "type", "IKE");
	vici_b_kv(&b, "data", "s3cr\0t", 6);
	list_strs(&b, "owners", owners, 1);
	expect_bytes(&b, vici_vec_load_shared, sizeof(vici_vec_load_shared));
	pkt = vici_vec_load_shared;
	len = sizeof(vici_vec_load_shared);
	m = decode_ok(pkt, len);
	ck_str(vici_msg_root(m), "type", "IKE");
	ck_list(vici_msg_root(m), "owners", "%any");
	/* A binary value has no C-string form but is kept whole. */
	ck_assert_int_eq(vici_get_str(vici_msg_root(m), "data", psk, sizeof(psk)), -EINVAL);
	vici_msg_free(m);
	round_trip(pkt, len);

	vici_b_begin(&b, VICI_CMD_REQUEST, "list-sas");
	vici_b_kv_str(&b, "noblock", "yes");
	ck_assert_int_eq(vici_b_finish(&b, &pkt, &len), 0);
	round_trip(pkt, len);
	vici_b_free(&b);
}
END_TEST

/* ---- charon's events and responses (gen_vectors.py) ---- */

static void check_ike(const struct vici_node *ike)
{
	uint64_t u;

	ck_assert_str_eq(ike->name, "l2tp-psk");
	ck_assert_int_eq(vici_get_u64(ike, "uniqueid", &u), 0);
	ck_assert_uint_eq(u, 5);
	ck_assert(vici_is(ike, "state", "ESTABLISHED"));
	ck_str(ike, "remote-host", "198.51.100.7");
	ck_assert_int_eq(vici_get_u64(ike, "remote-port", &u), 0);
	ck_assert_uint_eq(u, 4500);
	ck_assert(vici_is(ike, "nat-remote", "yes"));
	ck_str(ike, "encr-alg", "AES_CBC");
	ck_str(ike, "dh-group", "MODP_2048");
}

START_TEST(test_list_sa_event)
{
	struct vici_msg *m = decode_ok(vici_vec_list_sa, sizeof(vici_vec_list_sa));
	const struct vici_node *ike, *ch;
	uint64_t u;
	char buf[64];

	ck_assert_int_eq(vici_msg_type(m), VICI_EVENT);
	ck_assert_str_eq(vici_msg_name(m), "list-sa");
	ike = vici_first_section(vici_msg_root(m));
	check_ike(ike);
	ck_assert_ptr_null(vici_next_section(ike));
	ch = vici_first_section(vici_get_section(ike, "child-sas"));
	ck_assert_ptr_nonnull(ch);
	ck_assert_str_eq(ch->name, "l2tp-psk-7");
	ck_assert_ptr_null(vici_next_section(ch));
	/* Names with a dash or dot: look up one level with vici_child. */
	ck_assert_ptr_eq(vici_child(vici_child(ike, "child-sas"), "l2tp-psk-7"), ch);
	ck_assert_int_eq(vici_get_u64(ch, "uniqueid", &u), 0);
	ck_assert_uint_eq(u, 7);
	ck_assert(vici_is(ch, "state", "INSTALLED"));
	ck_assert(vici_is(ch, "mode", "TRANSPORT"));
	ck_assert(vici_is(ch, "encap", "yes"));
	ck_str(ch, "integ-alg", "HMAC_SHA1_96");
	ck_assert_int_eq(vici_get_u64(ch, "encr-keysize", &u), 0);
	ck_assert_uint_eq(u, 256);
	ck_list(ch, "local-ts", "203.0.113.1/32[udp/l2f]");
	ck_list(ch, "remote-ts", "198.51.100.7/32[udp/l2f]");
	/* Not numbers. */
	ck_assert_int_eq(vici_get_u64(ch, "spi-in", &u), -EINVAL);
	ck_assert_int_eq(vici_get_u64(ch, "no-such", &u), -ENOENT);
	ck_assert_int_eq(vici_get_str(ike, "remote-host", buf, 12), -ENOSPC);
	ck_assert_int_eq(vici_get_str(ike, "remote-host", buf, 13), 0);
	vici_msg_free(m);
	round_trip(vici_vec_list_sa, sizeof(vici_vec_list_sa));
}
END_TEST

START_TEST(test_updown_events)
{
	struct vici_msg *m = decode_ok(vici_vec_ike_updown_up, sizeof(vici_vec_ike_updown_up));
	const struct vici_node *r = vici_msg_root(m), *ike;

	ck_assert_str_eq(vici_msg_name(m), "ike-updown");
	ck_assert(vici_is(r, "up", "yes"));
	/* The first section skips the "up" key/value. */
	ike = vici_first_section(r);
	check_ike(ike);
	ck_assert_ptr_null(vici_first(vici_get_section(ike, "child-sas")));
	vici_msg_free(m);

	m = decode_ok(vici_vec_child_updown_down, sizeof(vici_vec_child_updown_down));
	r = vici_msg_root(m);
	ck_assert_str_eq(vici_msg_name(m), "child-updown");
	ck_assert_ptr_null(vici_find(r, "up"));
	ike = vici_first_section(r);
	check_ike(ike);
	ck_assert(vici_is(vici_first_section(vici_get_section(ike, "child-sas")), "state",
			  "DELETING"));
	vici_msg_free(m);
}
END_TEST

START_TEST(test_responses)
{
	struct vici_msg *m = decode_ok(vici_vec_resp_ok, sizeof(vici_vec_resp_ok));

	ck_assert_int_eq(vici_msg_type(m), VICI_CMD_RESPONSE);
	ck_assert(vici_is(vici_msg_root(m), "success", "yes"));
	vici_msg_free(m);
	m = decode_ok(vici_vec_resp_fail, sizeof(vici_vec_resp_fail));
	ck_assert(vici_is(vici_msg_root(m), "success", "no"));
	ck_str(vici_msg_root(m), "errmsg", "parsing proposal 'xyz' failed");
	vici_msg_free(m);
}
END_TEST

/* ---- stream splitting ---- */

START_TEST(test_frame_split)
{
	uint8_t two[sizeof(terminate_bytes) + sizeof(register_bytes)];
	static const uint8_t big[] = { 0x00, 0x08, 0x00, 0x01 };
	static const uint8_t max[] = { 0x00, 0x08, 0x00, 0x00 };
	static const uint8_t zero[] = { 0, 0, 0, 0 };
	size_t i, plen = 0;

	memcpy(two, terminate_bytes, sizeof(terminate_bytes));
	memcpy(two + sizeof(terminate_bytes), register_bytes, sizeof(register_bytes));
	for (i = 0; i < sizeof(terminate_bytes); i++)
		ck_assert_int_eq(vici_frame_split(two, i, &plen), 0);
	ck_assert_int_eq(vici_frame_split(two, sizeof(two), &plen), 1);
	ck_assert_uint_eq(plen, sizeof(terminate_bytes));
	ck_assert_int_eq(vici_frame_split(two + plen, sizeof(two) - plen, &plen), 1);
	ck_assert_uint_eq(plen, sizeof(register_bytes));
	ck_assert_int_eq(vici_frame_split(big, sizeof(big), &plen), -EMSGSIZE);
	ck_assert_int_eq(vici_frame_split(max, sizeof(max), &plen), 0);
	ck_assert_int_eq(vici_frame_split(zero, sizeof(zero), &plen), -EBADMSG);
}
END_TEST

/* ---- decode errors ---- */

struct bad_case {
	const char *what;
	uint8_t bytes[24];      /* after the length field, which is computed */
	size_t len;
	int err;
};

#define BAD(w, e, ...) { w, { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }), e }

static const struct bad_case bad_cases[] = {
	BAD("packet type 8", -EPROTO, 8),
	BAD("packet type 255", -EPROTO, 255),
	BAD("named type without name", -EBADMSG, VICI_CMD_REQUEST),
	BAD("empty packet name", -EPROTO, VICI_EVENT, 0),
	BAD("packet name cut", -EBADMSG, VICI_EVENT, 4, 'a', 'b'),
	BAD("element type 0", -EPROTO, VICI_CMD_RESPONSE, 0),
	BAD("element type 7", -EPROTO, VICI_CMD_RESPONSE, 7),
	BAD("element type 255", -EPROTO, VICI_CMD_RESPONSE, 255),
	BAD("section end at top", -EPROTO, VICI_CMD_RESPONSE, VICI_SECTION_END),
	BAD("section not closed", -EPROTO, VICI_CMD_RESPONSE, VICI_SECTION_START, 1, 's'),
	BAD("list not closed", -EPROTO, VICI_CMD_RESPONSE, VICI_LIST_START, 1, 'l',
	    VICI_LIST_ITEM, 0, 0),
	BAD("list end without list", -EPROTO, VICI_CMD_RESPONSE, VICI_LIST_END),
	BAD("item outside list", -EPROTO, VICI_CMD_RESPONSE, VICI_LIST_ITEM, 0, 0),
	BAD("section end closes list", -EPROTO, VICI_CMD_RESPONSE, VICI_LIST_START, 1, 'l',
	    VICI_SECTION_END),
	BAD("list end closes section", -EPROTO, VICI_CMD_RESPONSE, VICI_SECTION_START, 1, 's',
	    VICI_LIST_END),
	BAD("kv in list", -EPROTO, VICI_CMD_RESPONSE, VICI_LIST_START, 1, 'l',
	    VICI_KEY_VALUE, 1, 'k', 0, 0, VICI_LIST_END),
	BAD("section in list", -EPROTO, VICI_CMD_RESPONSE, VICI_LIST_START, 1, 'l',
	    VICI_SECTION_START, 1, 's', VICI_SECTION_END, VICI_LIST_END),
	BAD("list in list", -EPROTO, VICI_CMD_RESPONSE, VICI_LIST_START, 1, 'l',
	    VICI_LIST_START, 1, 'm', VICI_LIST_END, VICI_LIST_END),
	BAD("empty key", -EPROTO, VICI_CMD_RESPONSE, VICI_KEY_VALUE, 0, 0, 0),
	BAD("empty section name", -EPROTO, VICI_CMD_RESPONSE, VICI_SECTION_START, 0,
	    VICI_SECTION_END),
	BAD("empty list name", -EPROTO, VICI_CMD_RESPONSE, VICI_LIST_START, 0, VICI_LIST_END),
	BAD("NUL in name", -EPROTO, VICI_CMD_RESPONSE, VICI_KEY_VALUE, 2, 'k', 0, 0, 0),
	BAD("key cut", -EBADMSG, VICI_CMD_RESPONSE, VICI_KEY_VALUE, 3, 'k'),
	BAD("key length missing", -EBADMSG, VICI_CMD_RESPONSE, VICI_KEY_VALUE),
	BAD("value length cut", -EBADMSG, VICI_CMD_RESPONSE, VICI_KEY_VALUE, 1, 'k', 0),
	BAD("value cut", -EBADMSG, VICI_CMD_RESPONSE, VICI_KEY_VALUE, 1, 'k', 0, 3, 'a'),
	BAD("item cut", -EBADMSG, VICI_CMD_RESPONSE, VICI_LIST_START, 1, 'l',
	    VICI_LIST_ITEM, 1, 0),
	BAD("section name cut", -EBADMSG, VICI_CMD_RESPONSE, VICI_SECTION_START, 9, 's'),
};

START_TEST(test_decode_bad)
{
	const struct bad_case *c = &bad_cases[_i];
	uint8_t pkt[VICI_HDR_LEN + sizeof(c->bytes)] = { 0, 0, 0, (uint8_t)c->len };

	memcpy(pkt + VICI_HDR_LEN, c->bytes, c->len);
	ck_assert_msg(decode_err(pkt, VICI_HDR_LEN + c->len) == c->err, "%s: got %d, want %d",
		      c->what, decode_err(pkt, VICI_HDR_LEN + c->len), c->err);
}
END_TEST

/* Every prefix of a valid packet, as a short buffer and as a shorter packet. */
START_TEST(test_decode_truncated)
{
	const uint8_t *v = vici_vec_list_sa;
	size_t n = sizeof(vici_vec_list_sa), i;
	size_t body = VICI_HDR_LEN + 2 + strlen("list-sa");
	uint8_t *p = malloc(n);
	int rc;

	ck_assert_ptr_nonnull(p);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(decode_err(v, i), -EBADMSG);
	for (i = VICI_HDR_LEN + 1; i < n; i++) {
		memcpy(p, v, i);
		p[2] = (uint8_t)((i - VICI_HDR_LEN) >> 8);
		p[3] = (uint8_t)(i - VICI_HDR_LEN);
		if (i == body) {        /* the event with an empty message is valid */
			vici_msg_free(decode_ok(p, i));
			continue;
		}
		rc = decode_err(p, i);
		ck_assert_msg(rc == -EBADMSG || rc == -EPROTO, "prefix %zu: %d", i, rc);
	}
	/* A longer buffer than the length field says is not one packet. */
	memcpy(p, v, n);
	ck_assert_int_eq(decode_err(p, n - 1), -EBADMSG);
	p[3]--;
	ck_assert_int_eq(decode_err(p, n), -EBADMSG);
	free(p);
}
END_TEST

/* depth sections, then (optionally) a list at the innermost level. */
static size_t nest(uint8_t *p, unsigned depth, bool list)
{
	size_t n = VICI_HDR_LEN;
	unsigned i;

	p[n++] = VICI_CMD_RESPONSE;
	for (i = 0; i < depth; i++) {
		p[n++] = VICI_SECTION_START;
		p[n++] = 1;
		p[n++] = 's';
	}
	if (list) {
		p[n++] = VICI_LIST_START;
		p[n++] = 1;
		p[n++] = 'l';
		p[n++] = VICI_LIST_END;
	}
	for (i = 0; i < depth; i++)
		p[n++] = VICI_SECTION_END;
	p[0] = p[1] = 0;
	p[2] = (uint8_t)((n - VICI_HDR_LEN) >> 8);
	p[3] = (uint8_t)(n - VICI_HDR_LEN);
	return n;
}

START_TEST(test_decode_depth)
{
	uint8_t p[256];
	struct vici_msg *m;
	size_t n;

	n = nest(p, VICI_MAX_DEPTH, false);
	m = decode_ok(p, n);
	ck_assert_ptr_nonnull(vici_get_section(vici_msg_root(m), "s.s.s.s.s.s.s.s.s.s.s.s.s.s.s.s"));
	vici_msg_free(m);
	n = nest(p, VICI_MAX_DEPTH - 1, true);
	m = decode_ok(p, n);
	ck_assert_ptr_nonnull(vici_get_list(vici_msg_root(m), "s.s.s.s.s.s.s.s.s.s.s.s.s.s.s.l"));
	vici_msg_free(m);
	n = nest(p, VICI_MAX_DEPTH + 1, false);
	ck_assert_int_eq(decode_err(p, n), -ELOOP);
	n = nest(p, VICI_MAX_DEPTH, true);
	ck_assert_int_eq(decode_err(p, n), -ELOOP);
}
END_TEST

/* Fill a CMD_RESPONSE up to body bytes after the type with k=... values. */
static void fill(struct vici_builder *b, size_t body)
{
	static uint8_t v[VICI_VALUE_MAX];

	vici_b_begin(b, VICI_CMD_RESPONSE, NULL);
	body -= 1;
	while (body > 0) {
		size_t n = body - 5 > VICI_VALUE_MAX ? VICI_VALUE_MAX : body - 5;

		ck_assert_uint_ge(body, 5);
		vici_b_kv(b, "k", v, n);
		body -= 5 + n;
	}
}

START_TEST(test_max_packet)
{
	struct vici_builder b = { 0 };
	const uint8_t *pkt;
	struct vici_msg *m;
	size_t len, plen;
	uint8_t *over;

	fill(&b, VICI_MAX_PACKET);
	ck_assert_int_eq(vici_b_finish(&b, &pkt, &len), 0);
	ck_assert_uint_eq(len, VICI_HDR_LEN + VICI_MAX_PACKET);
	ck_assert_int_eq(vici_frame_split(pkt, len, &plen), 1);
	m = decode_ok(pkt, len);
	vici_msg_free(m);

	/* One byte more: the decoder and the encoder refuse it. */
	over = malloc(len + 1);
	ck_assert_ptr_nonnull(over);
	memcpy(over, pkt, len);
	over[len] = VICI_SECTION_END;
	over[1] = 0x08;
	over[3] = 0x01;
	ck_assert_int_eq(decode_err(over, len + 1), -EMSGSIZE);
	free(over);
	fill(&b, VICI_MAX_PACKET);
	vici_b_section_start(&b, "s");
	ck_assert_int_eq(vici_b_finish(&b, &pkt, &len), -EMSGSIZE);
	vici_b_free(&b);
}
END_TEST

/* ---- encoder misuse ---- */

enum enc_step {
	ENC_END,
	ENC_SEC,
	ENC_SEC_END,
	ENC_KV,
	ENC_KV_BIG,
	ENC_LIST,
	ENC_ITEM,
	ENC_LIST_END,
	ENC_NAME_LONG,
	ENC_NAME_255,
	ENC_NAME_EMPTY,
};

struct enc_case {
	const char *what;
	int begin_type;
	const char *begin_name;
	enum enc_step steps[8];
	int err;
};

static const struct enc_case enc_cases[] = {
	{ "ok", VICI_CMD_REQUEST, "x", { ENC_SEC, ENC_LIST, ENC_ITEM, ENC_LIST_END, ENC_SEC_END,
					  ENC_NAME_255 }, 0 },
	{ "named type without name", VICI_CMD_REQUEST, NULL, { ENC_END }, -EINVAL },
	{ "empty packet name", VICI_EVENT, "", { ENC_END }, -EINVAL },
	{ "name on unnamed type", VICI_CMD_RESPONSE, "x", { ENC_END }, -EINVAL },
	{ "bad type", VICI_PKT_TYPE_COUNT, NULL, { ENC_END }, -EINVAL },
	{ "kv in list", VICI_CMD_RESPONSE, NULL, { ENC_LIST, ENC_KV }, -EINVAL },
	{ "section in list", VICI_CMD_RESPONSE, NULL, { ENC_LIST, ENC_SEC }, -EINVAL },
	{ "list in list", VICI_CMD_RESPONSE, NULL, { ENC_LIST, ENC_LIST }, -EINVAL },
	{ "item outside list", VICI_CMD_RESPONSE, NULL, { ENC_ITEM }, -EINVAL },
	{ "list end without list", VICI_CMD_RESPONSE, NULL, { ENC_LIST_END }, -EINVAL },
	{ "section end at top", VICI_CMD_RESPONSE, NULL, { ENC_SEC_END }, -EINVAL },
	{ "section end in list", VICI_CMD_RESPONSE, NULL, { ENC_LIST, ENC_SEC_END }, -EINVAL },
	{ "section open at finish", VICI_CMD_RESPONSE, NULL, { ENC_SEC }, -EINVAL },
	{ "list open at finish", VICI_CMD_RESPONSE, NULL, { ENC_LIST }, -EINVAL },
	{ "value too long", VICI_CMD_RESPONSE, NULL, { ENC_KV_BIG }, -E2BIG },
	{ "name too long", VICI_CMD_RESPONSE, NULL, { ENC_NAME_LONG }, -ENAMETOOLONG },
	{ "empty name", VICI_CMD_RESPONSE, NULL, { ENC_NAME_EMPTY }, -EINVAL },
	/* The first error sticks. */
	{ "sticky", VICI_CMD_RESPONSE, NULL, { ENC_NAME_LONG, ENC_ITEM, ENC_SEC }, -ENAMETOOLONG },
};

START_TEST(test_encode_bad)
{
	static uint8_t big[VICI_VALUE_MAX + 1];
	const struct enc_case *c = &enc_cases[_i];
	struct vici_builder b = { 0 };
	char name[VICI_NAME_MAX + 2];
	const uint8_t *pkt;
	size_t i, len;

	vici_b_begin(&b, (enum vici_pkt_type)c->begin_type, c->begin_name);
	for (i = 0; i < N(c->steps) && c->steps[i] != ENC_END; i++) {
		switch (c->steps[i]) {
		case ENC_END:
			break;
		case ENC_SEC:
			vici_b_section_start(&b, "s");
			break;
		case ENC_SEC_END:
			vici_b_section_end(&b);
			break;
		case ENC_KV:
			vici_b_kv_str(&b, "k", "v");
			break;
		case ENC_KV_BIG:
			vici_b_kv(&b, "k", big, sizeof(big));
			break;
		case ENC_LIST:
			vici_b_list_start(&b, "l");
			break;
		case ENC_ITEM:
			vici_b_list_item_str(&b, "i");
			break;
		case ENC_LIST_END:
			vici_b_list_end(&b);
			break;
		case ENC_NAME_LONG:
		case ENC_NAME_255:
			memset(name, 'n', sizeof(name));
			name[c->steps[i] == ENC_NAME_LONG ? VICI_NAME_MAX + 1 : VICI_NAME_MAX] = '\0';
			vici_b_kv_str(&b, name, "v");
			break;
		case ENC_NAME_EMPTY:
			vici_b_kv_str(&b, "", "v");
			break;
		}
	}
	ck_assert_msg(vici_b_finish(&b, &pkt, &len) == c->err, "%s: got %d", c->what, b.err);
	if (c->err == 0) {
		struct vici_msg *m = decode_ok(pkt, len);

		ck_assert_uint_eq(strlen(vici_first(vici_msg_root(m))->next->name), VICI_NAME_MAX);
		vici_msg_free(m);
	}
	vici_b_free(&b);
}
END_TEST

START_TEST(test_encode_depth_and_state)
{
	struct vici_builder b = { 0 };
	const uint8_t *pkt;
	size_t len;
	unsigned i;

	/* Elements before begin, and a second finish, are misuse. */
	vici_b_kv_str(&b, "k", "v");
	ck_assert_int_eq(vici_b_finish(&b, &pkt, &len), -EINVAL);
	vici_b_begin(&b, VICI_CMD_RESPONSE, NULL);
	ck_assert_int_eq(vici_b_finish(&b, &pkt, &len), 0);
	ck_assert_uint_eq(len, 5);
	ck_assert_int_eq(vici_b_finish(&b, &pkt, &len), -EINVAL);

	vici_b_begin(&b, VICI_CMD_RESPONSE, NULL);
	for (i = 0; i < VICI_MAX_DEPTH; i++)
		vici_b_section_start(&b, "s");
	ck_assert_int_eq(b.err, 0);
	vici_b_list_start(&b, "l");
	ck_assert_int_eq(b.err, -ELOOP);
	vici_b_begin(&b, VICI_CMD_RESPONSE, NULL);
	for (i = 0; i <= VICI_MAX_DEPTH; i++)
		vici_b_section_start(&b, "s");
	ck_assert_int_eq(b.err, -ELOOP);
	vici_b_free(&b);
}
END_TEST

/* ---- lookups ---- */

START_TEST(test_lookup)
{
	/* { a.b = dotted, n = 18446744073709551616, z = 01x, s { } } */
	static const uint8_t p[] = {
		0, 0, 0, 0x33, VICI_CMD_RESPONSE,
		VICI_KEY_VALUE, 3, 'a', '.', 'b', 0, 6, 'd', 'o', 't', 't', 'e', 'd',
		VICI_KEY_VALUE, 1, 'n', 0, 20, '1', '8', '4', '4', '6', '7', '4', '4', '0', '7',
		'3', '7', '0', '9', '5', '5', '1', '6', '1', '6',
		VICI_KEY_VALUE, 1, 'z', 0, 3, '0', '1', 'x',
		VICI_SECTION_START, 1, 's', VICI_SECTION_END,
	};
	struct vici_msg *m = decode_ok(p, sizeof(p));
	const struct vici_node *r = vici_msg_root(m);
	struct vici_value v;
	uint64_t u;

	ck_assert_ptr_null(vici_find(r, "a.b"));
	ck_assert_ptr_nonnull(vici_child(r, "a.b"));
	ck_assert_int_eq(vici_get_u64(r, "n", &u), -ERANGE);
	ck_assert_int_eq(vici_get_u64(r, "z", &u), -EINVAL);
	ck_assert_int_eq(vici_get(r, "s", &v), -ENOENT);
	ck_assert_ptr_null(vici_find(r, "z.x"));       /* through a key/value */
	ck_assert_ptr_null(vici_find(r, "s.x"));
	ck_assert_ptr_null(vici_find(r, "s."));
	ck_assert_ptr_null(vici_first(vici_child(r, "z")));
	ck_assert_ptr_null(vici_first(vici_get_section(r, "s")));
	ck_assert_ptr_null(vici_next_section(vici_first_section(r)));
	ck_assert(!vici_is(r, "s", ""));
	vici_msg_free(m);
	vici_msg_free(NULL);
}
END_TEST

static Suite *vici_suite(void)
{
	Suite *s = suite_create("vici");
	TCase *tc = tcase_create("encode");

	tcase_add_test(tc, test_encode_terminate);
	tcase_add_test(tc, test_encode_register);
	tcase_add_test(tc, test_encode_nested);
	tcase_add_loop_test(tc, test_encode_bad, 0, N(enc_cases));
	tcase_add_test(tc, test_encode_depth_and_state);
	tcase_add_test(tc, test_load_conn);
	tcase_add_test(tc, test_load_shared);
	suite_add_tcase(s, tc);

	tc = tcase_create("decode");
	tcase_add_test(tc, test_decode_nested);
	tcase_add_test(tc, test_decode_terminate);
	tcase_add_test(tc, test_list_sa_event);
	tcase_add_test(tc, test_updown_events);
	tcase_add_test(tc, test_responses);
	tcase_add_test(tc, test_frame_split);
	tcase_add_loop_test(tc, test_decode_bad, 0, N(bad_cases));
	tcase_add_test(tc, test_decode_truncated);
	tcase_add_test(tc, test_decode_depth);
	tcase_add_test(tc, test_max_packet);
	tcase_add_test(tc, test_lookup);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(vici_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
