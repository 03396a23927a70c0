// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz harness for the VICI codec. The input is read three ways:
 *  - as a stream: every packet vici_frame_split() cuts out is decoded, and a
 *    decoded tree must re-encode to exactly the same bytes (the wire format
 *    has one encoding per tree);
 *  - as one packet;
 *  - as a program for the builder: whatever the builder accepts must decode.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vici.h"

static void reencode(struct vici_builder *b, const struct vici_node *sec, unsigned depth)
{
	const struct vici_node *n, *it;

	if (depth > VICI_MAX_DEPTH)
		abort();
	for (n = vici_first(sec); n; n = n->next) {
		if (n->kind != VICI_NODE_ITEM && (n->name[0] == '\0' || strlen(n->name) > 255))
			abort();
		switch (n->kind) {
		case VICI_NODE_SECTION:
			vici_b_section_start(b, n->name);
			reencode(b, n, depth + 1);
			vici_b_section_end(b);
			break;
		case VICI_NODE_KV:
			vici_b_kv(b, n->name, n->value.ptr, n->value.len);
			break;
		case VICI_NODE_LIST:
			vici_b_list_start(b, n->name);
			for (it = vici_first(n); it; it = it->next) {
				if (it->kind != VICI_NODE_ITEM || it->value.len > VICI_VALUE_MAX)
					abort();
				vici_b_list_item(b, it->value.ptr, it->value.len);
			}
			vici_b_list_end(b);
			break;
		case VICI_NODE_ITEM:
			abort();
		}
	}
}

static void check_packet(const uint8_t *pkt, size_t len)
{
	struct vici_builder b = { 0 };
	struct vici_msg *m;
	const uint8_t *out;
	enum vici_pkt_type t;
	size_t olen;
	char buf[64];
	uint64_t u;

	if (vici_msg_decode(pkt, len, &m) != 0) {
		if (m)
			abort();
		return;
	}
	t = vici_msg_type(m);
	vici_b_begin(&b, t, vici_pkt_type_named(t) ? vici_msg_name(m) : NULL);
	reencode(&b, vici_msg_root(m), 0);
	if (vici_b_finish(&b, &out, &olen) != 0 || olen != len || memcmp(out, pkt, len) != 0)
		abort();
	/* Exercise the lookups on whatever names the input chose. */
	vici_get_str(vici_msg_root(m), "a.b", buf, sizeof(buf));
	vici_get_u64(vici_msg_root(m), "uniqueid", &u);
	vici_first_section(vici_get_section(vici_msg_root(m), "child-sas"));
	vici_b_free(&b);
	vici_msg_free(m);
}

/* Builder program: each byte is an operation, names and values come from the input. */
static void build(const uint8_t *data, size_t size)
{
	struct vici_builder b = { 0 };
	struct vici_msg *m;
	const uint8_t *out;
	size_t i = 0, olen, n;
	char name[4] = "n";

	vici_b_begin(&b, size ? (enum vici_pkt_type)(data[i++] & 7) : VICI_CMD_RESPONSE,
		     size && vici_pkt_type_named(data[0] & 7) ? "cmd" : NULL);
	while (i < size) {
		uint8_t op = data[i++];

		name[1] = (char)('a' + (op >> 3 & 7));
		n = op >> 6;
		switch (op & 7) {
		case 0:
			vici_b_section_start(&b, name);
			break;
		case 1:
			vici_b_section_end(&b);
			break;
		case 2:
			vici_b_kv(&b, name, data + i, n <= size - i ? n : size - i);
			break;
		case 3:
			vici_b_list_start(&b, name);
			break;
		case 4:
			vici_b_list_item(&b, data + i, n <= size - i ? n : size - i);
			break;
		case 5:
			vici_b_list_end(&b);
			break;
		case 6:
			vici_b_kv_u64(&b, name, op);
			break;
		default:
			vici_b_kv_str(&b, "", "x");
			break;
		}
	}
	if (vici_b_finish(&b, &out, &olen) == 0) {
		if (vici_msg_decode(out, olen, &m) != 0)
			abort();
		vici_msg_free(m);
	}
	vici_b_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0, plen;
	int rc;

	while ((rc = vici_frame_split(data + off, size - off, &plen)) == 1) {
		if (plen > size - off || plen < VICI_HDR_LEN + 1)
			abort();
		check_packet(data + off, plen);
		off += plen;
	}
	check_packet(data, size);
	build(data, size);
	return 0;
}
