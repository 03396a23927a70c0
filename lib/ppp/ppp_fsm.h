/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PPP option negotiation automaton (RFC 1661 §4): ten states, sixteen
 * events, the restart timer and counters. LCP and the NCPs embed one
 * struct ppp_fsm each and supply what is protocol specific through
 * struct ppp_fsm_ops (building and judging options, extra codes).
 *
 * Pure: time comes in as now_ms, frames go out as PPP_ACT_SEND actions.
 * The this-layer actions tlu/tld/tls/tlf call the ops and are also latched
 * in fsm->layer (PPP_FSM_LAYER_* bits) for the owner to drain.
 */
#ifndef LNS_PPP_FSM_H
#define LNS_PPP_FSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ppp_act.h"

/* RFC 1661 §4.2 states, numbered as in the §4.1 table. */
enum ppp_fsm_state {
	PPP_FSM_INITIAL,
	PPP_FSM_STARTING,
	PPP_FSM_CLOSED,
	PPP_FSM_STOPPED,
	PPP_FSM_CLOSING,
	PPP_FSM_STOPPING,
	PPP_FSM_REQ_SENT,
	PPP_FSM_ACK_RCVD,
	PPP_FSM_ACK_SENT,
	PPP_FSM_OPENED,
	PPP_FSM_STATE_COUNT,
};

/* RFC 1661 §4.3 events. */
enum ppp_fsm_event {
	PPP_EV_UP,
	PPP_EV_DOWN,
	PPP_EV_OPEN,
	PPP_EV_CLOSE,
	PPP_EV_TO_PLUS,
	PPP_EV_TO_MINUS,
	PPP_EV_RCR_PLUS,
	PPP_EV_RCR_MINUS,
	PPP_EV_RCA,
	PPP_EV_RCN,
	PPP_EV_RTR,
	PPP_EV_RTA,
	PPP_EV_RUC,
	PPP_EV_RXJ_PLUS,
	PPP_EV_RXJ_MINUS,
	PPP_EV_RXR,
	PPP_EV_COUNT,
};

/* RFC 1661 §4.4 actions, as bits of the set one transition performs. */
enum ppp_fsm_action {
	PPP_A_TLU = 1 << 0,
	PPP_A_TLD = 1 << 1,
	PPP_A_TLS = 1 << 2,
	PPP_A_TLF = 1 << 3,
	PPP_A_IRC = 1 << 4,
	PPP_A_ZRC = 1 << 5,
	PPP_A_SCR = 1 << 6,
	PPP_A_SCA = 1 << 7,
	PPP_A_SCN = 1 << 8,
	PPP_A_STR = 1 << 9,
	PPP_A_STA = 1 << 10,
	PPP_A_SCJ = 1 << 11,
	PPP_A_SER = 1 << 12,
};

/* Latched this-layer actions (fsm->layer). */
enum ppp_fsm_layer {
	PPP_FSM_LAYER_UP = 1 << 0,
	PPP_FSM_LAYER_DOWN = 1 << 1,
	PPP_FSM_LAYER_STARTED = 1 << 2,
	PPP_FSM_LAYER_FINISHED = 1 << 3,
};

/* RFC 1661 §4.6 timer and counters; shared by every automaton of a config. */
struct ppp_fsm_cfg {
	uint32_t restart_ms;      /* 3000 */
	uint8_t max_terminate;    /* 2 */
	uint8_t max_configure;    /* 10 */
	uint8_t max_failure;      /* 5 */
};
void ppp_fsm_cfg_default(struct ppp_fsm_cfg *cfg);

struct ppp_fsm;

/* A received packet while its event is processed (valid during the call only). */
struct ppp_fsm_rx {
	uint8_t code, id;
	const uint8_t *pkt;       /* whole packet from the code field, for Code-Reject */
	size_t pkt_len;
	const uint8_t *data;      /* after the 4-byte header, length-field bounded */
	size_t len;
	/* RCR: the reply options the ops built, and its code (ACK, NAK or REJ) */
	uint8_t reply_code;
	const uint8_t *reply;
	size_t reply_len;
};

/* Outcome of recv_nak / recv_rej. */
enum ppp_fsm_verdict {
	PPP_FSM_OK,               /* valid: RCN */
	PPP_FSM_BAD,              /* not a valid reply to our request: discard silently */
	PPP_FSM_GIVE_UP,          /* valid but unacceptable: the Close event instead of RCN */
};

/* Walk a Configure-Nak/Reject option list (type, length >= 2, data): false if malformed. */
bool ppp_opts_valid(const uint8_t *data, size_t len);

/*
 * The reply to a Configure-Request once its options were judged (RFC 1661
 * §5.3/§5.4: Reject wins over Nak, Nak over Ack): copies rej, nak or the
 * request itself (an Ack) into reply and returns PPP_CONF_REJ/NAK/ACK.
 */
uint8_t ppp_conf_reply(const uint8_t *rej, size_t nr, const uint8_t *nak, size_t nn,
		       const uint8_t *req, size_t len, uint8_t *reply, size_t *reply_len);

struct ppp_fsm_ops {
	uint16_t proto;
	/* Our Configure-Request options into buf; returns their length. */
	size_t (*build_cr)(struct ppp_fsm *f, uint8_t *buf, size_t cap);
	/*
	 * Judge the peer's Configure-Request (data, len <= cap): write the Ack (a
	 * copy), Nak or Reject options into reply and return PPP_CONF_ACK/NAK/REJ.
	 * nak_exhausted: Max-Failure Naks were sent, Reject instead (§4.6).
	 */
	uint8_t (*recv_cr)(struct ppp_fsm *f, const uint8_t *data, size_t len, uint8_t *reply,
			   size_t cap, size_t *reply_len, bool nak_exhausted);
	/* Configure-Ack: true if it acknowledges exactly our last request (§5.2). */
	bool (*recv_ack)(struct ppp_fsm *f, const uint8_t *data, size_t len);
	enum ppp_fsm_verdict (*recv_nak)(struct ppp_fsm *f, const uint8_t *data, size_t len);
	enum ppp_fsm_verdict (*recv_rej)(struct ppp_fsm *f, const uint8_t *data, size_t len);
	/*
	 * Codes beyond 1..7 (NULL: all unknown). Return the event they are:
	 * PPP_EV_RXR, PPP_EV_RXJ_PLUS/MINUS, or PPP_EV_RUC for an unknown code.
	 */
	enum ppp_fsm_event (*classify)(struct ppp_fsm *f, const struct ppp_fsm_rx *rx);
	/* ser: the RXR packet arrived in Opened (Echo-Request answered here). */
	void (*ser)(struct ppp_fsm *f, const struct ppp_fsm_rx *rx, uint64_t now_ms,
		    struct ppp_actions *out);
	/* This-layer actions (each may be NULL). */
	void (*tlu)(struct ppp_fsm *f, uint64_t now_ms, struct ppp_actions *out);
	void (*tld)(struct ppp_fsm *f);
};

struct ppp_fsm {
	const struct ppp_fsm_ops *ops;
	const struct ppp_fsm_cfg *cfg;
	uint64_t deadline;        /* restart timer; UINT64_MAX when stopped */
	uint8_t state;            /* enum ppp_fsm_state */
	uint8_t id;               /* last identifier used */
	uint8_t req_id;           /* identifier of our outstanding Configure-Request */
	uint8_t term_id;          /* identifier of our outstanding Terminate-Request */
	uint8_t restart;          /* restart counter */
	uint8_t naks;             /* Configure-Naks sent since the last Configure-Ack */
	uint8_t layer;            /* latched PPP_FSM_LAYER_* bits */
	bool replied;             /* our outstanding request got its Ack/Nak/Reject */
};

void ppp_fsm_init(struct ppp_fsm *f, const struct ppp_fsm_ops *ops, const struct ppp_fsm_cfg *cfg);

/*
 * The §4.1 table itself: next state and action set for (state, event).
 * Returns -EINVAL for an illegal event ('-' in the table; *next unchanged).
 */
int ppp_fsm_transition(enum ppp_fsm_state state, enum ppp_fsm_event ev,
		       enum ppp_fsm_state *next);

/*
 * Run an event that carries no packet (Up, Down, Open, Close, TO+, TO-).
 * Returns the action set performed, or -EINVAL (illegal here, or a packet event).
 */
int ppp_fsm_event(struct ppp_fsm *f, enum ppp_fsm_event ev, uint64_t now_ms,
		  struct ppp_actions *out);

/*
 * A packet of this protocol (after the 2-byte protocol field). Returns the
 * action set performed, -EBADMSG for a malformed or stale packet (silently
 * discarded, §5) or -EINVAL for an event illegal in this state.
 */
int ppp_fsm_input(struct ppp_fsm *f, const uint8_t *pkt, size_t len, uint64_t now_ms,
		  struct ppp_actions *out);

/* The restart timer: TO+ or TO- when it has expired. */
void ppp_fsm_tick(struct ppp_fsm *f, uint64_t now_ms, struct ppp_actions *out);

const char *ppp_fsm_state_str(enum ppp_fsm_state s);
const char *ppp_fsm_event_str(enum ppp_fsm_event ev);

#endif
