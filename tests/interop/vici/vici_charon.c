// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Interop check of lib/vici.c against a running charon: load the L2TP
 * responder of DESIGN.md §5 and its PSK, read the connection back through
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

#include "vici.h"

#define CONN "lnsd-l2tp"

static int sock = -1;
static uint8_t rbuf[VICI_HDR_LEN + VICI_MAX_PACKET];
static size_t rlen;

static void die(const char *what)
{
	fprintf(stderr, "vici_charon: %s\n", what);
	exit(EXIT_FAILURE);
}

static void send_pkt(struct vici_builder *b)
{
	const uint8_t *pkt;
	size_t len, off = 0;
	ssize_t n;

	if (vici_b_finish(b, &pkt, &len) != 0)
		die("builder refused the message");
	while (off < len) {
		n = write(sock, pkt + off, len - off);
		if (n <= 0)
			die("write to the VICI socket failed");
		off += (size_t)n;
	}
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
static struct vici_msg *command(struct vici_builder *b)
{
	struct vici_msg *m;

	send_pkt(b);
	m = recv_msg();
	if (vici_msg_type(m) != VICI_CMD_RESPONSE)
		die("expected a command response");
	dump(vici_msg_root(m), 2);
	return m;
}

static void list(struct vici_builder *b, const char *name, const char *const *v, size_t n)
{
	size_t i;

	vici_b_list_start(b, name);
	for (i = 0; i < n; i++)
		vici_b_list_item_str(b, v[i]);
	vici_b_list_end(b);
}

static void build_load_conn(struct vici_builder *b, const char *name, const char *proposal)
{
	static const char *const any[] = { "%any" };
	static const char *const lts[] = { "dynamic[udp/1701]" };
	static const char *const rts[] = { "dynamic[udp]" };
	static const char *const esp[] = {
		"aes256-sha1", "aes128-sha1", "aes256-sha256", "aes128-sha256",
		"aes256gcm16", "aes128gcm16", "3des-sha1",
	};
	const char *const ike[] = {
		proposal, "aes256-sha1-modp2048", "aes128-sha1-modp2048",
		"aes256-sha1-ecp384", "aes128-sha1-ecp256",
	};

	vici_b_begin(b, VICI_CMD_REQUEST, "load-conn");
	vici_b_section_start(b, name);
	vici_b_kv_str(b, "version", "1");
	list(b, "local_addrs", any, 1);
	list(b, "remote_addrs", any, 1);
	list(b, "proposals", ike, sizeof(ike) / sizeof(ike[0]));
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
	vici_b_section_start(b, name);
	vici_b_kv_str(b, "mode", "transport");
	list(b, "local_ts", lts, 1);
	list(b, "remote_ts", rts, 1);
	list(b, "esp_proposals", esp, sizeof(esp) / sizeof(esp[0]));
	vici_b_kv_str(b, "rekey_time", "0s");
	vici_b_kv_str(b, "dpd_action", "clear");
	vici_b_kv_str(b, "start_action", "none");
	vici_b_section_end(b);
	vici_b_section_end(b);
	vici_b_section_end(b);
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
		ch = vici_child(vici_get_section(c, "children"), CONN);
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
	static const char *const owners[] = { "%any" };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vici_builder b = { 0 };
	struct vici_msg *m;

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

	vici_b_begin(&b, VICI_CMD_REQUEST, "load-shared");
	vici_b_kv_str(&b, "id", "lnsd-psk");
	vici_b_kv_str(&b, "type", "IKE");
	vici_b_kv_str(&b, "data", "lnsd-interop-psk");
	list(&b, "owners", owners, 0);
	expect_success(command(&b), "load-shared", true);

	build_load_conn(&b, CONN, "aes256-sha256-modp2048");
	expect_success(command(&b), "load-conn", true);

	build_load_conn(&b, "lnsd-bad", "no-such-cipher");
	m = command(&b);
	if (vici_get(vici_msg_root(m), "errmsg", &(struct vici_value){ 0 }) != 0)
		die("refused load-conn without errmsg");
	expect_success(m, "bad proposal refused", false);

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
