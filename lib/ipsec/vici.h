/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * VICI (strongSwan's Versatile IKE Control Interface) packet and message
 * codec. Pure: no I/O. A packet is a u32 big-endian length (of what
 * follows), a u8 packet type, a u8-length name for named types, then a
 * message made of elements (sections, key/values, lists of items).
 *
 * Encoding: a growable builder; the first error sticks and later calls are
 * no-ops, so a whole message is built and checked once at vici_b_finish().
 *
 *	struct vici_builder b = { 0 };
 *	vici_b_begin(&b, VICI_CMD_REQUEST, "terminate");
 *	vici_b_kv_str(&b, "ike-id", "42");
 *	if (vici_b_finish(&b, &pkt, &len) == 0) send(pkt, len);
 *	vici_b_free(&b);
 *
 * Decoding: vici_frame_split() finds packet boundaries in a stream buffer;
 * vici_msg_decode() turns one packet into a tree held in one allocation,
 * with no pointers into the input.
 *
 * Errors (negative errno): -EBADMSG truncated or length mismatch,
 * -EPROTO bad type or structure (unbalanced, KV in a list, item outside a
 * list, empty or NUL-bearing name), -ELOOP nesting deeper than
 * VICI_MAX_DEPTH, -EMSGSIZE packet over VICI_MAX_PACKET, -E2BIG value over
 * 65535 bytes, -ENAMETOOLONG name over 255 bytes, -EINVAL builder misuse,
 * -ENOMEM.
 */
#ifndef LNS_VICI_H
#define LNS_VICI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VICI_MAX_PACKET (512u * 1024)  /* largest length field charon accepts */
#define VICI_MAX_DEPTH 16              /* open sections plus an open list */
#define VICI_NAME_MAX 255
#define VICI_VALUE_MAX 65535
#define VICI_HDR_LEN 4                 /* the u32 length prefix */

enum vici_pkt_type {
	VICI_CMD_REQUEST = 0,
	VICI_CMD_RESPONSE = 1,
	VICI_CMD_UNKNOWN = 2,
	VICI_EVENT_REGISTER = 3,
	VICI_EVENT_UNREGISTER = 4,
	VICI_EVENT_CONFIRM = 5,
	VICI_EVENT_UNKNOWN = 6,
	VICI_EVENT = 7,
	VICI_PKT_TYPE_COUNT
};

enum vici_elem_type {
	VICI_SECTION_START = 1,
	VICI_SECTION_END = 2,
	VICI_KEY_VALUE = 3,
	VICI_LIST_START = 4,
	VICI_LIST_ITEM = 5,
	VICI_LIST_END = 6
};

/* True for the packet types that carry a name (command or event). */
bool vici_pkt_type_named(enum vici_pkt_type t);

/* ---- encoder ---- */

struct vici_builder {
	uint8_t *buf;
	size_t len, cap;
	unsigned depth;             /* open sections, plus one while a list is open */
	bool in_list;
	bool started;
	int err;                    /* first error, 0 if none */
};

/* Start a packet (reusing b's buffer). name: required for named types, else NULL. */
int vici_b_begin(struct vici_builder *b, enum vici_pkt_type type, const char *name);
void vici_b_section_start(struct vici_builder *b, const char *name);
void vici_b_section_end(struct vici_builder *b);
void vici_b_kv(struct vici_builder *b, const char *key, const void *value, size_t len);
void vici_b_kv_str(struct vici_builder *b, const char *key, const char *value);
void vici_b_kv_u64(struct vici_builder *b, const char *key, uint64_t value);
void vici_b_list_start(struct vici_builder *b, const char *name);
void vici_b_list_item(struct vici_builder *b, const void *value, size_t len);
void vici_b_list_item_str(struct vici_builder *b, const char *value);
void vici_b_list_end(struct vici_builder *b);
/* Check balance, write the length; *pkt stays valid until the next begin or free. */
int vici_b_finish(struct vici_builder *b, const uint8_t **pkt, size_t *len);
void vici_b_free(struct vici_builder *b);

/* ---- decoder ---- */

/*
 * Is a whole packet at the start of buf? 1 with *packet_len (header
 * included), 0 if more bytes are needed, -EMSGSIZE or -EBADMSG if the
 * length field is over VICI_MAX_PACKET or zero (the stream is unusable).
 */
int vici_frame_split(const uint8_t *buf, size_t len, size_t *packet_len);

enum vici_node_kind {
	VICI_NODE_SECTION,
	VICI_NODE_KV,
	VICI_NODE_LIST,
	VICI_NODE_ITEM
};

/* A value view: not NUL-terminated, may contain any byte. */
struct vici_value {
	const uint8_t *ptr;
	size_t len;
};

struct vici_node {
	enum vici_node_kind kind;
	const char *name;           /* NUL-terminated; "" for items and the root */
	const struct vici_node *next;   /* next sibling, in wire order */
	const struct vici_node *child;  /* SECTION: first member; LIST: first item */
	struct vici_value value;    /* KV and ITEM */
};

struct vici_msg;

/* Decode one packet (header included, exactly pkt_len bytes). */
int vici_msg_decode(const uint8_t *pkt, size_t pkt_len, struct vici_msg **out);
void vici_msg_free(struct vici_msg *m);         /* NULL-safe */
enum vici_pkt_type vici_msg_type(const struct vici_msg *m);
const char *vici_msg_name(const struct vici_msg *m);        /* "" if unnamed */
/* The message body as a section named "". */
const struct vici_node *vici_msg_root(const struct vici_msg *m);

/*
 * Lookups from a section (or the root). A path is names joined by '.';
 * use vici_child() for names that contain a dot. Missing or wrong kind:
 * NULL / -ENOENT.
 */
const struct vici_node *vici_child(const struct vici_node *sec, const char *name);
const struct vici_node *vici_find(const struct vici_node *sec, const char *path);
int vici_get(const struct vici_node *sec, const char *path, struct vici_value *v);
const struct vici_node *vici_get_section(const struct vici_node *sec, const char *path);
const struct vici_node *vici_get_list(const struct vici_node *sec, const char *path);
/* Copy as a C string: -ENOSPC if it does not fit, -EINVAL if it holds a NUL. */
int vici_get_str(const struct vici_node *sec, const char *path, char *buf, size_t buflen);
int vici_value_str(const struct vici_value *v, char *buf, size_t buflen);
/* Decimal value: -EINVAL if not all digits, -ERANGE on overflow. */
int vici_get_u64(const struct vici_node *sec, const char *path, uint64_t *out);
/* True if path is a key/value whose value is exactly s ("yes", "ESTABLISHED"). */
bool vici_is(const struct vici_node *sec, const char *path, const char *s);

/* Iteration: the first member or item, then node->next; sections only. */
const struct vici_node *vici_first(const struct vici_node *sec_or_list);
const struct vici_node *vici_first_section(const struct vici_node *sec);
const struct vici_node *vici_next_section(const struct vici_node *n);

#endif
