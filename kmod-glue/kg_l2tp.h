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
	bool lns_mode;           /* L2TP_ATTR_LNS_MODE */
	bool send_seq, recv_seq; /* sequencing (Sequencing Required AVP / config) */
	uint32_t recv_timeout_ms;
};

int kg_l2tp_open(struct kg_l2tp *kg);          /* -ENOENT: family not registered */
void kg_l2tp_close(struct kg_l2tp *kg);        /* safe on a zeroed or closed handle */

/* Managed tunnel over fd: a connected UDP socket (v2, UDP encapsulation). */
int kg_l2tp_tunnel_create(struct kg_l2tp *kg, uint32_t tid, uint32_t peer_tid, int fd);
int kg_l2tp_tunnel_delete(struct kg_l2tp *kg, uint32_t tid);
int kg_l2tp_tunnel_stats(struct kg_l2tp *kg, uint32_t tid, struct kg_l2tp_stats *st);

/* PPP pseudowire (type 7). On 6.12 a just-deleted id may give -EEXIST: callers retry. */
int kg_l2tp_session_create(struct kg_l2tp *kg, const struct kg_l2tp_session_cfg *cfg);
int kg_l2tp_session_delete(struct kg_l2tp *kg, uint32_t tid, uint32_t sid);
int kg_l2tp_session_stats(struct kg_l2tp *kg, uint32_t tid, uint32_t sid,
			  struct kg_l2tp_stats *st);

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
