/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's L2TP genetlink family (linux/l2tp.h; docs/design.md §4.1), through
 * libnl-genl-3. One handle per daemon; every call is a synchronous request
 * and ack. Errors are 0 or -errno; when the kernel sent an extended ack, its
 * text is in kg->ext_ack.
 */
#ifndef KG_L2TP_H
#define KG_L2TP_H

#include <stdbool.h>
#include <stdint.h>

struct sockaddr;

struct nl_sock;

struct kg_l2tp {
	struct nl_sock *sk;      /* requests */
	int family;              /* resolved id of "l2tp" */
	char ext_ack[256];       /* last extended-ack text, "" if none */
};

struct kg_l2tp_stats {       /* L2TP_ATTR_STATS, all u64 */
	uint64_t tx_packets, tx_bytes, tx_errors;
	uint64_t rx_packets, rx_bytes, rx_errors;
	uint64_t rx_seq_discards, rx_oos_packets, rx_cookie_discards, rx_invalid;
};

struct kg_l2tp_session_cfg {
	uint32_t tid, peer_tid, sid, peer_sid;
	uint16_t pw_type;        /* L2TP_PWTYPE_*; 0 means PPP (7) */
	bool lns_mode;           /* L2TP_ATTR_LNS_MODE */
	bool send_seq, recv_seq; /* sequencing (Sequencing Required AVP / config) */
	uint32_t recv_timeout_ms;
	/*
	 * L2TPv3 only (sent when v3 is set; docs/design.md §4.8). tx_cookie is
	 * put on every data packet sent (L2TP_ATTR_COOKIE: the peer's Assigned
	 * Cookie), rx_cookie is required on every one received
	 * (L2TP_ATTR_PEER_COOKIE: ours). Lengths 0, 4 or 8.
	 */
	bool v3;
	uint8_t tx_cookie_len, rx_cookie_len;
	uint8_t tx_cookie[8], rx_cookie[8];
	uint8_t l2spec_type;     /* L2TP_L2SPECTYPE_NONE 0 / _DEFAULT 1, always sent for v3 */
	const char *ifname;      /* L2TP_ATTR_IFNAME for l2tp_eth; NULL: l2tpeth%d */
};

/* What SESSION_GET says about one session. */
struct kg_l2tp_session_info {
	uint16_t pw_type;
	char ifname[16];         /* "" when the session has no interface (PPP) */
	uint8_t tx_cookie_len, rx_cookie_len;
	bool send_seq, recv_seq;
	struct kg_l2tp_stats st;
};

/* Tunnel encapsulation (L2TP_ENCAPTYPE_*). */
enum kg_l2tp_encap { KG_L2TP_ENCAP_UDP = 0, KG_L2TP_ENCAP_IP = 1 };

struct kg_l2tp_tunnel_cfg {
	uint32_t tid, peer_tid;
	uint8_t version;         /* 2 or 3 */
	enum kg_l2tp_encap encap;
	int fd;                  /* connected UDP, or bound+connected L2TP/IP (kg_l2tp_ip_socket) */
};

int kg_l2tp_open(struct kg_l2tp *kg);          /* -ENOENT: family not registered */
void kg_l2tp_close(struct kg_l2tp *kg);        /* safe on a zeroed or closed handle */

/* Managed tunnel over fd: a connected UDP socket (v2, UDP encapsulation). */
int kg_l2tp_tunnel_create(struct kg_l2tp *kg, uint32_t tid, uint32_t peer_tid, int fd);
/* Managed tunnel, any version and encapsulation; the fd stays the caller's. */
int kg_l2tp_tunnel_create_cfg(struct kg_l2tp *kg, const struct kg_l2tp_tunnel_cfg *c);
int kg_l2tp_tunnel_delete(struct kg_l2tp *kg, uint32_t tid);
int kg_l2tp_tunnel_stats(struct kg_l2tp *kg, uint32_t tid, struct kg_l2tp_stats *st);

/* PPP pseudowire (type 7). On 6.12 a just-deleted id may give -EEXIST: callers retry. */
int kg_l2tp_session_create(struct kg_l2tp *kg, const struct kg_l2tp_session_cfg *cfg);
int kg_l2tp_session_delete(struct kg_l2tp *kg, uint32_t tid, uint32_t sid);
int kg_l2tp_session_stats(struct kg_l2tp *kg, uint32_t tid, uint32_t sid,
			  struct kg_l2tp_stats *st);
/* SESSION_GET: type, interface name (l2tp_eth sets it; the ACK of CREATE has none). */
int kg_l2tp_session_get(struct kg_l2tp *kg, uint32_t tid, uint32_t sid,
			struct kg_l2tp_session_info *out);

/*
 * The socket of an L2TP/IP tunnel (RFC 3931 §4.1.1.1, the kernel's l2tp_ip
 * and l2tp_ip6): SOCK_DGRAM IPPROTO_L2TP of local's family, bound to local
 * with conn_id (our Control Connection ID: the kernel hands this socket
 * the control messages that carry it), then connected to peer with
 * peer_conn_id. local and peer are sockaddr_in or sockaddr_in6 (ports
 * ignored), of one family; peer NULL: bound only (a listener, conn_id 0).
 * Close-on-exec, blocking. fd or -errno
 * (-EADDRINUSE: conn_id taken on that address).
 */
int kg_l2tp_ip_socket(const struct sockaddr *local, const struct sockaddr *peer, uint32_t conn_id,
		      uint32_t peer_conn_id);

/* Dumps (one request for all objects; docs/design.md §8: never one per session per scrape). */
typedef void (*kg_l2tp_tunnel_cb)(void *ctx, uint32_t tid, uint32_t peer_tid,
				  const struct kg_l2tp_stats *st);
typedef void (*kg_l2tp_session_cb)(void *ctx, uint32_t tid, uint32_t sid, uint32_t peer_sid,
				   const struct kg_l2tp_stats *st);
int kg_l2tp_tunnel_dump(struct kg_l2tp *kg, kg_l2tp_tunnel_cb cb, void *ctx);
int kg_l2tp_session_dump(struct kg_l2tp *kg, kg_l2tp_session_cb cb, void *ctx);

/*
 * The "l2tp" multicast group: the kernel announces every create, delete and
 * modify made through genetlink (by any process, in every netns) with the
 * command that made it; deletions caused by closing sockets are not
 * announced on 6.1 (6.12 announces them: docs/design.md §4.4). Own socket; poll ev->fd, then kg_l2tp_events_read() drains what
 * is queued. -ENOBUFS: notifications were lost, resynchronise with a dump.
 */
struct kg_l2tp_events {
	struct nl_sock *sk;
	int fd;                  /* -1 when closed */
};

/* cmd: L2TP_CMD_*; sid 0 for tunnel events. */
typedef void (*kg_l2tp_event_cb)(void *ctx, uint8_t cmd, uint32_t tid, uint32_t sid);
int kg_l2tp_events_open(struct kg_l2tp_events *ev);
int kg_l2tp_events_read(struct kg_l2tp_events *ev, kg_l2tp_event_cb cb, void *ctx); /* count or -errno */
void kg_l2tp_events_close(struct kg_l2tp_events *ev);  /* safe on a zeroed or closed one */

#endif
