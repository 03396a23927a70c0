// SPDX-License-Identifier: GPL-2.0-or-later
/*
<<<<<<< HEAD
 * Interop check of lib/vici.c and lib/ipsec_vici.c against a running charon:
 * load lnsd's L2TP responder (docs/design.md §5.2) and its PSK as lnsd builds them, read the connection back through
=======
 * Interop check of lib/ipsec/vici.c and lib/ipsec/ipsec_vici.c against a running charon:
 * load lnsd's L2TP responder (docs/design.md §5.1) and its PSK as lnsd builds them, read the connection back through
>>>>>>> libwings
 * list-conns events, and check that a bad proposal is refused with an
 * error message. Usage: vici_charon SOCKET-PATH. Exit 0 when charon agrees.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ipsec_vici.h"
#include "vici.h"

#define CONN IPSEC_CONN_NAME

static int sock = -1;
static uint8_t rbuf[VICI_HDR_LEN + VICI_MAX_PACKET];
static size_t rlen;

static void die(const char *what)
{
	fprintf(stderr, "vici_charon: %s\n", what);
	exit(EXIT_FAILURE);
}

static void send_bytes(const uint8_t *pkt, size_t len)
{
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		n = write(sock, pkt + off, len - off);
		if (n <= 0)
			die("write to the VICI socket failed");
		off += (size_t)n;
	}
}

static void send_pkt(struct vici_builder *b)
{
	const uint8_t *pkt;
	size_t len;

	if (vici_b_finish(b, &pkt, &len) != 0)
		die("builder refused the message");
	send_bytes(pkt, len);
}

/* Next packet from the socket, decoded. */
static struct vici_msg *recv_msg(void)
{
	struct vici_msg *m;
	size_t plen;
	ssize_t n;
	int rc;

	while ((rc = vici_frame_split(rbuf, rlen, &plen)) == 0) {
		n = read(sock, rbuf + rlen, sizeof(rbuf) - rlen);
		if (n <= 0)
			die("charon closed the connection");
		rlen += (size_t)n;
	}
	if (rc < 0)
		die("bad frame length from charon");
	if (vici_msg_decode(rbuf, plen, &m) != 0)
		die("charon's packet did not decode");
	memmove(rbuf, rbuf + plen, rlen - plen);
	rlen -= plen;
	return m;
}

static void dump(const struct vici_node *sec, int indent)
{
	const struct vici_node *n, *it;

	for (n = vici_first(sec); n; n = n->next) {
		switch (n->kind) {
		case VICI_NODE_SECTION:
			printf("%*s%s {\n", indent, "", n->name);
			dump(n, indent + 2);
			printf("%*s}\n", indent, "");
			break;
		case VICI_NODE_KV:
			printf("%*s%s = %.*s\n", indent, "", n->name, (int)n->value.len,
			       (const char *)n->value.ptr);
			break;
		case VICI_NODE_LIST:
			printf("%*s%s = [", indent, "", n->name);
			for (it = vici_first(n); it; it = it->next)
				printf(" %.*s", (int)it->value.len, (const char *)it->value.ptr);
			printf(" ]\n");
			break;
		case VICI_NODE_ITEM:
			break;
		}
	}
}

/* Send a command, print and return its response. */
static struct vici_msg *answer(void)
{
	struct vici_msg *m = recv_msg();

	if (vici_msg_type(m) != VICI_CMD_RESPONSE)
		die("expected a command response");
	dump(vici_msg_root(m), 2);
	return m;
}

static struct vici_msg *command(struct vici_builder *b)
{
	send_pkt(b);
	return answer();
}

/* A request lib/ipsec/ipsec_vici.c built (rc, pkt, len): send it, read the answer. */
static struct vici_msg *lnsd_command(int rc, const uint8_t *pkt, size_t len)
{
	if (rc < 0)
		die("lib/ipsec/ipsec_vici.c could not build the request");
	send_bytes(pkt, len);
	return answer();
}

static struct vici_msg *load_conn(struct vici_builder *b, const char *ike_proposals)
{
	struct ipsec_conn_params p = {
		.ike_proposals = ike_proposals, .ike_version = 1, .reqid = 1701,
		.dpd_delay_s = 30,
	};
	const uint8_t *pkt = NULL;
	size_t len = 0;
	int rc = ipsec_vici_load_conn(b, &p, &pkt, &len);

	return lnsd_command(rc, pkt, len);
}

static void expect_success(struct vici_msg *m, const char *what, bool want)
{
	if (vici_is(vici_msg_root(m), "success", want ? "yes" : "no"))
		printf("ok: %s\n", what);
	else
		die(what);
	vici_msg_free(m);
}

/* list-conns streams one list-conn event per connection, then responds. */
static void check_list_conns(struct vici_builder *b)
{
	const struct vici_node *c, *ch;
	struct vici_msg *m;
	bool seen = false;

	vici_b_begin(b, VICI_EVENT_REGISTER, "list-conn");
	send_pkt(b);
	m = recv_msg();
	if (vici_msg_type(m) != VICI_EVENT_CONFIRM)
		die("register list-conn not confirmed");
	vici_msg_free(m);

	vici_b_begin(b, VICI_CMD_REQUEST, "list-conns");
	vici_b_kv_str(b, "ike", CONN);
	send_pkt(b);
	for (;;) {
		m = recv_msg();
		if (vici_msg_type(m) == VICI_CMD_RESPONSE)
			break;
		if (vici_msg_type(m) != VICI_EVENT || strcmp(vici_msg_name(m), "list-conn"))
			die("unexpected packet during list-conns");
		dump(vici_msg_root(m), 2);
		c = vici_child(vici_msg_root(m), CONN);
		ch = vici_child(vici_get_section(c, "children"), IPSEC_CHILD_NAME);
		if (c && vici_get_list(c, "local_addrs") && vici_is(c, "version", "IKEv1") &&
		    vici_is(ch, "mode", "TRANSPORT") && vici_get_list(ch, "local-ts"))
			seen = true;
		vici_msg_free(m);
	}
	vici_msg_free(m);
	if (!seen)
		die("list-conns did not show " CONN " as IKEv1 transport");
	printf("ok: list-conns shows %s\n", CONN);

	vici_b_begin(b, VICI_EVENT_UNREGISTER, "list-conn");
	send_pkt(b);
	m = recv_msg();
	if (vici_msg_type(m) != VICI_EVENT_CONFIRM)
		die("unregister list-conn not confirmed");
	vici_msg_free(m);
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vici_builder b = { 0 };
	struct vici_msg *m;
	const uint8_t *pkt = NULL;
	size_t len = 0;
	int rc;

	if (argc != 2 || strlen(argv[1]) >= sizeof(sa.sun_path))
		die("usage: vici_charon SOCKET-PATH");
	strcpy(sa.sun_path, argv[1]);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		die("cannot connect to the VICI socket");

	vici_b_begin(&b, VICI_CMD_REQUEST, "version");
	m = command(&b);
	if (vici_get(vici_msg_root(m), "version", &(struct vici_value){ 0 }) != 0)
		die("version response without a version");
	vici_msg_free(m);

	rc = ipsec_vici_load_shared(&b, "lnsd-interop-psk", &pkt, &len);
	expect_success(lnsd_command(rc, pkt, len), "load-shared", true);

	/* A refused load-conn first: it must not leave a connection behind. */
	m = load_conn(&b, "no-such-cipher");
	if (vici_get(vici_msg_root(m), "errmsg", &(struct vici_value){ 0 }) != 0)
		die("refused load-conn without errmsg");
	expect_success(m, "bad proposal refused", false);

	expect_success(load_conn(&b, NULL), "load-conn", true);

	check_list_conns(&b);

	vici_b_begin(&b, VICI_CMD_REQUEST, "list-sas");
	vici_b_kv_str(&b, "noblock", "yes");
	m = command(&b);
	vici_msg_free(m);
	printf("ok: list-sas answered\n");

	vici_b_free(&b);
	close(sock);
	return EXIT_SUCCESS;
}
