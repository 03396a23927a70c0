/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the L2TPv3 LCCE (l2tp_lcce.c, l2tp_pw.c). Not for lnsd/.
 */
#ifndef LNS_L2TP_LCCE_INT_H
#define LNS_L2TP_LCCE_INT_H

#include "l2tp_lcce.h"

/* One per peer we initiate to: when to dial next, and the current backoff. */
struct lcce_dialer {
	const struct l2tp_lcce_peer_cfg *pc;
	uint64_t next_ms;          /* UINT64_MAX while a connection to it lives */
	uint32_t backoff_ms;
};

struct l2tp_lcce {
	struct l2tp_lcce_cfg cfg;
	struct l2tp_cc *ccs;              /* live connections (not DEAD) */
	struct l2tp_cc *dead_ccs;         /* reaped at the top of the next call */
	struct l2tp_pw *dead_pws;
	struct lcce_dialer *dialers;
	size_t n_dialers;
	bool shutting_down;
	uint32_t call_serial;
	struct l2tp_lcce_stats stats;
	/* Scratch, so that no 4 KiB buffers live on the stack. */
	struct l2tp_msg msg;
	struct l2tp_mbuf mb, ackmb;
	uint8_t rbuf[L2TP_MAX_MSG];
	uint8_t obuf[L2TP_MAX_MSG + L2TP_V3_IP_CTRL_PREFIX];
};

/* Where the value of the Message Digest AVP starts in a message we build:
 * header 12, Message Type AVP 8, digest AVP header 6, Digest Type 1. */
#define LCCE_DIGEST_OFF (L2TP_CTRL_HDR_LEN + 8 + L2TP_AVP_HDR_LEN + 1)

/* l2tp_lcce.c */
struct lcce_action *lcce_act_push(struct lcce_actions *a, enum lcce_act_type type,
				  struct l2tp_cc *cc, struct l2tp_pw *pw);
void lcce_notice(struct lcce_actions *a, struct l2tp_cc *cc, struct l2tp_pw *pw,
		 const char *reason);
void lcce_rand(struct l2tp_lcce *l, void *buf, size_t len);
/* Start a message in l->mb for cc (header with the peer's ID, digest slot). */
void lcce_begin(struct l2tp_lcce *l, struct l2tp_cc *cc, uint16_t type);
/* Queue l->mb on cc's reliable channel and put what is due on the wire. */
void lcce_queue(struct l2tp_lcce *l, struct l2tp_cc *cc, uint64_t now, struct lcce_actions *out);

/* l2tp_pw.c */
/* A session-scope message in order on cc (err from the decoder). */
void lcce_pw_deliver(struct l2tp_lcce *l, struct l2tp_cc *cc, const struct l2tp_msg *m,
		     uint64_t now, struct lcce_actions *out);
/* The connection is up: place the calls that are ours to place (§3.3). */
void lcce_pw_place_calls(struct l2tp_lcce *l, struct l2tp_cc *cc, uint64_t now,
			 struct lcce_actions *out);
/* CDN with the codes and the end of pw (kernel session deleted first). */
void lcce_pw_close(struct l2tp_lcce *l, struct l2tp_pw *pw, uint16_t result, uint16_t error,
		   uint64_t now, struct lcce_actions *out);
/* CDN for a call we have no state for (the peer's Session ID only). */
void lcce_pw_refuse(struct l2tp_lcce *l, struct l2tp_cc *cc, uint32_t peer_sid, uint16_t result,
		    uint16_t error, uint64_t now, struct lcce_actions *out);
/* The end of pw without a CDN (its connection is going). */
void lcce_pw_dead(struct l2tp_lcce *l, struct l2tp_pw *pw, struct lcce_actions *out);
void lcce_pw_timers(struct l2tp_lcce *l, struct l2tp_cc *cc, uint64_t now,
		    struct lcce_actions *out);
void lcce_pw_circuit(struct l2tp_lcce *l, struct l2tp_pw *pw, bool up, uint64_t now,
		     struct lcce_actions *out);

#endif
