// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VICI codec. The encoder appends to a growable buffer with a sticky error.
 * The decoder walks a packet twice with the same code: once to validate it
 * and count nodes and bytes, once to fill a single allocation sized exactly
 * from that count, so a message costs one malloc and keeps no pointer into
 * the input.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lns_grow.h"
#include "vici.h"

bool vici_pkt_type_named(enum vici_pkt_type t)
{
	switch (t) {
	case VICI_CMD_REQUEST:
	case VICI_EVENT_REGISTER:
	case VICI_EVENT_UNREGISTER:
	case VICI_EVENT:
		return true;
	case VICI_CMD_RESPONSE:
	case VICI_CMD_UNKNOWN:
	case VICI_EVENT_CONFIRM:
	case VICI_EVENT_UNKNOWN:
	case VICI_PKT_TYPE_COUNT:
		break;
	}
	return false;
}

/* ---- encoder ---- */

static void b_fail(struct vici_builder *b, int err)
{
	if (!b->err)
		b->err = err;
}

static void b_put(struct vici_builder *b, const void *p, size_t n)
{
	if (b->err || n == 0)
		return;
	if (b->len + n > VICI_HDR_LEN + VICI_MAX_PACKET) {
		b_fail(b, -EMSGSIZE);
		return;
	}
	if (lns_grow((void **)&b->buf, &b->cap, b->len + n, 1, 256)) {
		b_fail(b, -ENOMEM);
		return;
	}
	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static void b_u8(struct vici_builder *b, uint8_t v)
{
	b_put(b, &v, 1);
}

static void b_u16(struct vici_builder *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	b_put(b, x, 2);
}

/* u8 length + name; names are 1..255 bytes. */
static void b_name(struct vici_builder *b, const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0)
		b_fail(b, -EINVAL);
	else if (n > VICI_NAME_MAX)
		b_fail(b, -ENAMETOOLONG);
	b_u8(b, (uint8_t)n);
	b_put(b, name, n);
}

static void b_value(struct vici_builder *b, const void *value, size_t len)
{
	if (len > VICI_VALUE_MAX || (len && !value)) {
		b_fail(b, len > VICI_VALUE_MAX ? -E2BIG : -EINVAL);
		return;
	}
	b_u16(b, (uint16_t)len);
	b_put(b, value, len);
}

/* Common checks before an element: a packet is open and the nesting allows it. */
static bool b_ready(struct vici_builder *b, bool want_list)
{
	if (!b->started || b->in_list != want_list)
		b_fail(b, -EINVAL);
	return b->err == 0;
}

int vici_b_begin(struct vici_builder *b, enum vici_pkt_type type, const char *name)
{
	static const uint8_t len0[VICI_HDR_LEN];

	b->len = 0;
	b->depth = 0;
	b->in_list = false;
	b->started = true;
	b->err = 0;
	b_put(b, len0, sizeof(len0));
	if ((unsigned)type >= VICI_PKT_TYPE_COUNT) {
		b_fail(b, -EINVAL);
		return b->err;
	}
	b_u8(b, (uint8_t)type);
	if (vici_pkt_type_named(type))
		b_name(b, name);
	else if (name)
		b_fail(b, -EINVAL);
	return b->err;
}

void vici_b_section_start(struct vici_builder *b, const char *name)
{
	if (!b_ready(b, false))
		return;
	if (b->depth >= VICI_MAX_DEPTH) {
		b_fail(b, -ELOOP);
		return;
	}
	b_u8(b, VICI_SECTION_START);
	b_name(b, name);
	b->depth++;
}

void vici_b_section_end(struct vici_builder *b)
{
	if (!b_ready(b, false))
		return;
	if (b->depth == 0) {
		b_fail(b, -EINVAL);
		return;
	}
	b_u8(b, VICI_SECTION_END);
	b->depth--;
}

void vici_b_kv(struct vici_builder *b, const char *key, const void *value, size_t len)
{
	if (!b_ready(b, false))
		return;
	b_u8(b, VICI_KEY_VALUE);
	b_name(b, key);
	b_value(b, value, len);
}

void vici_b_kv_str(struct vici_builder *b, const char *key, const char *value)
{
	vici_b_kv(b, key, value, value ? strlen(value) : 0);
}

void vici_b_kv_u64(struct vici_builder *b, const char *key, uint64_t value)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRIu64, value);
	vici_b_kv_str(b, key, s);
}

void vici_b_list_start(struct vici_builder *b, const char *name)
{
	if (!b_ready(b, false))
		return;
	if (b->depth >= VICI_MAX_DEPTH) {
		b_fail(b, -ELOOP);
		return;
	}
	b_u8(b, VICI_LIST_START);
	b_name(b, name);
	b->depth++;
	b->in_list = true;
}

void vici_b_list_item(struct vici_builder *b, const void *value, size_t len)
{
	if (!b_ready(b, true))
		return;
	b_u8(b, VICI_LIST_ITEM);
	b_value(b, value, len);
}

void vici_b_list_item_str(struct vici_builder *b, const char *value)
{
	vici_b_list_item(b, value, value ? strlen(value) : 0);
}

void vici_b_list_end(struct vici_builder *b)
{
	if (!b_ready(b, true))
		return;
	b_u8(b, VICI_LIST_END);
	b->depth--;
	b->in_list = false;
}

int vici_b_finish(struct vici_builder *b, const uint8_t **pkt, size_t *len)
{
	uint32_t n;

	if (!b->started || b->depth || b->in_list)
		b_fail(b, -EINVAL);
	b->started = false;
	if (b->err)
		return b->err;
	n = (uint32_t)(b->len - VICI_HDR_LEN);
	b->buf[0] = (uint8_t)(n >> 24);
	b->buf[1] = (uint8_t)(n >> 16);
	b->buf[2] = (uint8_t)(n >> 8);
	b->buf[3] = (uint8_t)n;
	*pkt = b->buf;
	*len = b->len;
	return 0;
}

void vici_b_free(struct vici_builder *b)
{
	free(b->buf);
	memset(b, 0, sizeof(*b));
}

/* ---- decoder ---- */

int vici_frame_split(const uint8_t *buf, size_t len, size_t *packet_len)
{
	uint32_t n;

	if (len < VICI_HDR_LEN)
		return 0;
	n = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
	if (n > VICI_MAX_PACKET)
		return -EMSGSIZE;
	if (n == 0)             /* not even a packet type */
		return -EBADMSG;
	if (len - VICI_HDR_LEN < n)
		return 0;
	*packet_len = VICI_HDR_LEN + (size_t)n;
	return 1;
}

struct vici_msg {
	enum vici_pkt_type type;
	const char *name;
	struct vici_node root;
	/* arena: nodes, then names and values */
};

struct cursor {
	const uint8_t *p;
	size_t len, off;
};

static int cur_u8(struct cursor *c, uint8_t *v)
{
	if (c->len - c->off < 1)
		return -EBADMSG;
	*v = c->p[c->off++];
	return 0;
}

static int cur_bytes(struct cursor *c, size_t n, const uint8_t **p)
{
	if (c->len - c->off < n)
		return -EBADMSG;
	*p = c->p + c->off;
	c->off += n;
	return 0;
}

static int cur_name(struct cursor *c, const uint8_t **p, size_t *n)
{
	uint8_t l;
	int rc;

	if ((rc = cur_u8(c, &l)) != 0 || (rc = cur_bytes(c, l, p)) != 0)
		return rc;
	if (l == 0 || memchr(*p, 0, l))
		return -EPROTO;
	*n = l;
	return 0;
}

static int cur_value(struct cursor *c, const uint8_t **p, size_t *n)
{
	const uint8_t *x;
	int rc;

	if ((rc = cur_bytes(c, 2, &x)) != 0)
		return rc;
	*n = (size_t)x[0] << 8 | x[1];
	return cur_bytes(c, *n, p);
}

/*
 * Walk state. In the counting pass nodes is NULL and only nnodes/nbytes
 * grow; in the building pass they index into the arena.
 */
struct parse {
	struct cursor c;
	struct vici_node *nodes;
	char *bytes;
	size_t nnodes, nbytes;
	struct vici_node *parent[VICI_MAX_DEPTH + 1];
	struct vici_node *tail[VICI_MAX_DEPTH + 1];
};

static char *arena_copy(struct parse *ps, const uint8_t *p, size_t n, bool nul)
{
	char *s = ps->bytes + ps->nbytes;

	memcpy(s, p, n);
	if (nul)
		s[n] = '\0';
	ps->nbytes += n + nul;
	return s;
}

/* Append a node under parent[depth]; returns NULL in the counting pass. */
static struct vici_node *add_node(struct parse *ps, unsigned depth, enum vici_node_kind kind,
				  const uint8_t *name, size_t nlen,
				  const uint8_t *val, size_t vlen)
{
	struct vici_node *n;

	if (!ps->nodes) {
		ps->nnodes++;
		ps->nbytes += (nlen ? nlen + 1 : 0) + vlen;
		return NULL;
	}
	n = &ps->nodes[ps->nnodes++];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->name = nlen ? arena_copy(ps, name, nlen, true) : "";
	if (vlen)
		n->value.ptr = (const uint8_t *)arena_copy(ps, val, vlen, false);
	n->value.len = vlen;
	if (ps->tail[depth])
		ps->tail[depth]->next = n;
	else
		ps->parent[depth]->child = n;
	ps->tail[depth] = n;
	return n;
}

/* Enter the node just added at depth (a section or list). */
static void push(struct parse *ps, unsigned depth, struct vici_node *n)
{
	if (!n)
		return;
	ps->parent[depth + 1] = n;
	ps->tail[depth + 1] = NULL;
}

static int walk(struct parse *ps)
{
	const uint8_t *name = NULL, *val = NULL;
	size_t nlen = 0, vlen = 0;
	unsigned depth = 0;
	bool in_list = false;
	uint8_t t;
	int rc;

	while (ps->c.off < ps->c.len) {
		if ((rc = cur_u8(&ps->c, &t)) != 0)
			return rc;
		switch ((enum vici_elem_type)t) {
		case VICI_SECTION_START:
		case VICI_LIST_START:
			if (in_list)
				return -EPROTO;
			if ((rc = cur_name(&ps->c, &name, &nlen)) != 0)
				return rc;
			if (depth >= VICI_MAX_DEPTH)
				return -ELOOP;
			push(ps, depth, add_node(ps, depth, t == VICI_LIST_START ?
						 VICI_NODE_LIST : VICI_NODE_SECTION,
						 name, nlen, NULL, 0));
			depth++;
			in_list = t == VICI_LIST_START;
			break;
		case VICI_SECTION_END:
			if (in_list || depth == 0)
				return -EPROTO;
			depth--;
			break;
		case VICI_KEY_VALUE:
			if (in_list)
				return -EPROTO;
			if ((rc = cur_name(&ps->c, &name, &nlen)) != 0 ||
			    (rc = cur_value(&ps->c, &val, &vlen)) != 0)
				return rc;
			add_node(ps, depth, VICI_NODE_KV, name, nlen, val, vlen);
			break;
		case VICI_LIST_ITEM:
			if (!in_list)
				return -EPROTO;
			if ((rc = cur_value(&ps->c, &val, &vlen)) != 0)
				return rc;
			add_node(ps, depth, VICI_NODE_ITEM, NULL, 0, val, vlen);
			break;
		case VICI_LIST_END:
			if (!in_list)
				return -EPROTO;
			depth--;
			in_list = false;
			break;
		default:
			return -EPROTO;
		}
	}
	return depth ? -EPROTO : 0;
}

/* Packet header: length, type, optional name. Leaves c at the message body. */
static int decode_hdr(struct cursor *c, enum vici_pkt_type *type,
		      const uint8_t **name, size_t *nlen)
{
	size_t plen;
	uint8_t t;
	int rc;

	rc = vici_frame_split(c->p, c->len, &plen);
	if (rc < 0)
		return rc;
	if (rc == 0 || plen != c->len)
		return -EBADMSG;
	c->off = VICI_HDR_LEN;
	if ((rc = cur_u8(c, &t)) != 0)
		return rc;
	if (t >= VICI_PKT_TYPE_COUNT)
		return -EPROTO;
	*type = (enum vici_pkt_type)t;
	*nlen = 0;
	if (vici_pkt_type_named(*type))
		return cur_name(c, name, nlen);
	return 0;
}

int vici_msg_decode(const uint8_t *pkt, size_t pkt_len, struct vici_msg **out)
{
	struct parse ps = { .c = { .p = pkt, .len = pkt_len } };
	struct vici_msg *m;
	enum vici_pkt_type type;
	const uint8_t *name = NULL;
	size_t nlen, body;
	int rc;

	*out = NULL;
	if ((rc = decode_hdr(&ps.c, &type, &name, &nlen)) != 0)
		return rc;
	body = ps.c.off;
	if ((rc = walk(&ps)) != 0)
		return rc;

	m = malloc(sizeof(*m) + ps.nnodes * sizeof(struct vici_node) + ps.nbytes + nlen + 1);
	if (!m)
		return -ENOMEM;
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->root.kind = VICI_NODE_SECTION;
	m->root.name = "";
	ps.nodes = (struct vici_node *)(m + 1);
	ps.bytes = (char *)(ps.nodes + ps.nnodes);
	ps.nnodes = ps.nbytes = 0;
	ps.parent[0] = &m->root;
	ps.tail[0] = NULL;
	m->name = nlen ? arena_copy(&ps, name, nlen, true) : "";
	ps.c.off = body;
	/* Same input, already validated: the second walk cannot fail. */
	walk(&ps);
	*out = m;
	return 0;
}

void vici_msg_free(struct vici_msg *m)
{
	free(m);
}

enum vici_pkt_type vici_msg_type(const struct vici_msg *m)
{
	return m->type;
}

const char *vici_msg_name(const struct vici_msg *m)
{
	return m->name;
}

const struct vici_node *vici_msg_root(const struct vici_msg *m)
{
	return &m->root;
}

/* ---- lookups ---- */

static const struct vici_node *child_n(const struct vici_node *sec, const char *name, size_t n)
{
	const struct vici_node *c;

	if (!sec || sec->kind != VICI_NODE_SECTION)
		return NULL;
	for (c = sec->child; c; c = c->next)
		if (strncmp(c->name, name, n) == 0 && c->name[n] == '\0')
			return c;
	return NULL;
}

const struct vici_node *vici_child(const struct vici_node *sec, const char *name)
{
	return child_n(sec, name, strlen(name));
}

const struct vici_node *vici_find(const struct vici_node *sec, const char *path)
{
	const char *dot;

	for (;;) {
		dot = strchr(path, '.');
		if (!dot)
			return vici_child(sec, path);
		sec = child_n(sec, path, (size_t)(dot - path));
		path = dot + 1;
	}
}

int vici_get(const struct vici_node *sec, const char *path, struct vici_value *v)
{
	const struct vici_node *n = vici_find(sec, path);

	if (!n || n->kind != VICI_NODE_KV)
		return -ENOENT;
	*v = n->value;
	return 0;
}

const struct vici_node *vici_get_section(const struct vici_node *sec, const char *path)
{
	const struct vici_node *n = vici_find(sec, path);

	return n && n->kind == VICI_NODE_SECTION ? n : NULL;
}

const struct vici_node *vici_get_list(const struct vici_node *sec, const char *path)
{
	const struct vici_node *n = vici_find(sec, path);

	return n && n->kind == VICI_NODE_LIST ? n : NULL;
}

int vici_value_str(const struct vici_value *v, char *buf, size_t buflen)
{
	if (v->len >= buflen)
		return -ENOSPC;
	if (v->len && memchr(v->ptr, 0, v->len))
		return -EINVAL;
	if (v->len)
		memcpy(buf, v->ptr, v->len);
	buf[v->len] = '\0';
	return 0;
}

int vici_get_str(const struct vici_node *sec, const char *path, char *buf, size_t buflen)
{
	struct vici_value v;
	int rc = vici_get(sec, path, &v);

	return rc ? rc : vici_value_str(&v, buf, buflen);
}

int vici_get_u64(const struct vici_node *sec, const char *path, uint64_t *out)
{
	struct vici_value v;
	uint64_t x = 0;
	size_t i;
	int rc = vici_get(sec, path, &v);

	if (rc)
		return rc;
	if (v.len == 0)
		return -EINVAL;
	for (i = 0; i < v.len; i++) {
		if (v.ptr[i] < '0' || v.ptr[i] > '9')
			return -EINVAL;
		if (x > (UINT64_MAX - (uint64_t)(v.ptr[i] - '0')) / 10)
			return -ERANGE;
		x = x * 10 + (uint64_t)(v.ptr[i] - '0');
	}
	*out = x;
	return 0;
}

bool vici_is(const struct vici_node *sec, const char *path, const char *s)
{
	struct vici_value v;
	size_t n = strlen(s);

	return vici_get(sec, path, &v) == 0 && v.len == n && (n == 0 || memcmp(v.ptr, s, n) == 0);
}

/* ---- iteration ---- */

const struct vici_node *vici_first(const struct vici_node *sec_or_list)
{
	if (!sec_or_list || (sec_or_list->kind != VICI_NODE_SECTION &&
			     sec_or_list->kind != VICI_NODE_LIST))
		return NULL;
	return sec_or_list->child;
}

static const struct vici_node *skip_to_section(const struct vici_node *n)
{
	while (n && n->kind != VICI_NODE_SECTION)
		n = n->next;
	return n;
}

const struct vici_node *vici_first_section(const struct vici_node *sec)
{
	return skip_to_section(vici_first(sec));
}

const struct vici_node *vici_next_section(const struct vici_node *n)
{
	return n ? skip_to_section(n->next) : NULL;
}
