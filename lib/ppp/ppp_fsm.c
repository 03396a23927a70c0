// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The PPP option negotiation automaton, RFC 1661 §4. ppp_fsm_transition()
 * is the §4.1 table as a nested switch; run() performs the action set it
 * returns. The "restart" and "passive" options of the table's footnotes
 * (r, p) are not used: an LNS neither restarts nor waits passively.
 */
#include <errno.h>
#include <string.h>

#include "ppp_fsm.h"
#include "ppp_proto.h"

/* Room for our Configure-Request's options. */
#define FSM_OPT_BUF 256

void ppp_fsm_cfg_default(struct ppp_fsm_cfg *cfg)
{
	/* RFC 1661 §4.6 suggested values. */
	cfg->restart_ms = 3000;
	cfg->max_terminate = 2;
	cfg->max_configure = 10;
	cfg->max_failure = 5;
}

void ppp_fsm_init(struct ppp_fsm *f, const struct ppp_fsm_ops *ops, const struct ppp_fsm_cfg *cfg)
{
	memset(f, 0, sizeof(*f));
	f->ops = ops;
	f->cfg = cfg;
	f->state = PPP_FSM_INITIAL;
	f->deadline = UINT64_MAX;
}

#define T(acts, st) do { *next = (st); return (acts); } while (0)
#define ILLEGAL return -EINVAL

/* RFC 1661 §4.1: "action/new-state" for each event read vertically per state. */
int ppp_fsm_transition(enum ppp_fsm_state state, enum ppp_fsm_event ev,
		       enum ppp_fsm_state *next)
{
	switch (state) {
	case PPP_FSM_INITIAL:
		/* §4.2 Initial: lower layer unavailable, no Open has occurred. */
		switch (ev) {
		case PPP_EV_UP: T(0, PPP_FSM_CLOSED);
		case PPP_EV_OPEN: T(PPP_A_TLS, PPP_FSM_STARTING);
		case PPP_EV_CLOSE: T(0, PPP_FSM_INITIAL);
		case PPP_EV_DOWN:
		case PPP_EV_TO_PLUS:
		case PPP_EV_TO_MINUS:
		case PPP_EV_RCR_PLUS:
		case PPP_EV_RCR_MINUS:
		case PPP_EV_RCA:
		case PPP_EV_RCN:
		case PPP_EV_RTR:
		case PPP_EV_RTA:
		case PPP_EV_RUC:
		case PPP_EV_RXJ_PLUS:
		case PPP_EV_RXJ_MINUS:
		case PPP_EV_RXR:
		case PPP_EV_COUNT:
			ILLEGAL;
		}
		break;
	case PPP_FSM_STARTING:
		/* §4.2 Starting: Open occurred, waiting for the lower layer. */
		switch (ev) {
		case PPP_EV_UP: T(PPP_A_IRC | PPP_A_SCR, PPP_FSM_REQ_SENT);
		case PPP_EV_OPEN: T(0, PPP_FSM_STARTING);
		case PPP_EV_CLOSE: T(PPP_A_TLF, PPP_FSM_INITIAL);
		case PPP_EV_DOWN:
		case PPP_EV_TO_PLUS:
		case PPP_EV_TO_MINUS:
		case PPP_EV_RCR_PLUS:
		case PPP_EV_RCR_MINUS:
		case PPP_EV_RCA:
		case PPP_EV_RCN:
		case PPP_EV_RTR:
		case PPP_EV_RTA:
		case PPP_EV_RUC:
		case PPP_EV_RXJ_PLUS:
		case PPP_EV_RXJ_MINUS:
		case PPP_EV_RXR:
		case PPP_EV_COUNT:
			ILLEGAL;
		}
		break;
	case PPP_FSM_CLOSED:
		/* §4.2 Closed: link available, no Open; answer with Terminate-Ack. */
		switch (ev) {
		case PPP_EV_DOWN: T(0, PPP_FSM_INITIAL);
		case PPP_EV_OPEN: T(PPP_A_IRC | PPP_A_SCR, PPP_FSM_REQ_SENT);
		case PPP_EV_CLOSE: T(0, PPP_FSM_CLOSED);
		case PPP_EV_RCR_PLUS:
		case PPP_EV_RCR_MINUS:
		case PPP_EV_RCA:
		case PPP_EV_RCN:
		case PPP_EV_RTR:
			T(PPP_A_STA, PPP_FSM_CLOSED);
		case PPP_EV_RTA: T(0, PPP_FSM_CLOSED);
		case PPP_EV_RUC: T(PPP_A_SCJ, PPP_FSM_CLOSED);
		case PPP_EV_RXJ_PLUS: T(0, PPP_FSM_CLOSED);
		case PPP_EV_RXJ_MINUS: T(PPP_A_TLF, PPP_FSM_CLOSED);
		case PPP_EV_RXR: T(0, PPP_FSM_CLOSED);
		case PPP_EV_UP:
		case PPP_EV_TO_PLUS:
		case PPP_EV_TO_MINUS:
		case PPP_EV_COUNT:
			ILLEGAL;
		}
		break;
	case PPP_FSM_STOPPED:
		/* §4.2 Stopped: Open but the automaton is waiting for a Down or an RCR. */
		switch (ev) {
		case PPP_EV_DOWN: T(PPP_A_TLS, PPP_FSM_STARTING);
		case PPP_EV_OPEN: T(0, PPP_FSM_STOPPED);
		case PPP_EV_CLOSE: T(0, PPP_FSM_CLOSED);
		case PPP_EV_RCR_PLUS: T(PPP_A_IRC | PPP_A_SCR | PPP_A_SCA, PPP_FSM_ACK_SENT);
		case PPP_EV_RCR_MINUS: T(PPP_A_IRC | PPP_A_SCR | PPP_A_SCN, PPP_FSM_REQ_SENT);
		case PPP_EV_RCA:
		case PPP_EV_RCN:
		case PPP_EV_RTR:
			T(PPP_A_STA, PPP_FSM_STOPPED);
		case PPP_EV_RTA: T(0, PPP_FSM_STOPPED);
		case PPP_EV_RUC: T(PPP_A_SCJ, PPP_FSM_STOPPED);
		case PPP_EV_RXJ_PLUS: T(0, PPP_FSM_STOPPED);
		case PPP_EV_RXJ_MINUS: T(PPP_A_TLF, PPP_FSM_STOPPED);
		case PPP_EV_RXR: T(0, PPP_FSM_STOPPED);
		case PPP_EV_UP:
		case PPP_EV_TO_PLUS:
		case PPP_EV_TO_MINUS:
		case PPP_EV_COUNT:
			ILLEGAL;
		}
		break;
	case PPP_FSM_CLOSING:
		/* §4.2 Closing: Terminate-Request sent after a Close, awaiting the Ack. */
		switch (ev) {
		case PPP_EV_DOWN: T(0, PPP_FSM_INITIAL);
		case PPP_EV_OPEN: T(0, PPP_FSM_STOPPING);
		case PPP_EV_CLOSE: T(0, PPP_FSM_CLOSING);
		case PPP_EV_TO_PLUS: T(PPP_A_STR, PPP_FSM_CLOSING);
		case PPP_EV_TO_MINUS: T(PPP_A_TLF, PPP_FSM_CLOSED);
		case PPP_EV_RCR_PLUS:
		case PPP_EV_RCR_MINUS:
		case PPP_EV_RCA:
		case PPP_EV_RCN:
			T(0, PPP_FSM_CLOSING);
		case PPP_EV_RTR: T(PPP_A_STA, PPP_FSM_CLOSING);
		case PPP_EV_RTA: T(PPP_A_TLF, PPP_FSM_CLOSED);
		case PPP_EV_RUC: T(PPP_A_SCJ, PPP_FSM_CLOSING);
		case PPP_EV_RXJ_PLUS: T(0, PPP_FSM_CLOSING);
		case PPP_EV_RXJ_MINUS: T(PPP_A_TLF, PPP_FSM_CLOSED);
		case PPP_EV_RXR: T(0, PPP_FSM_CLOSING);
		case PPP_EV_UP:
		case PPP_EV_COUNT:
			ILLEGAL;
		}
		break;
	case PPP_FSM_STOPPING:
		/* §4.2 Stopping: Terminate-Request sent without a Close (or one received). */
		switch (ev) {
		case PPP_EV_DOWN: T(0, PPP_FSM_STARTING);
		case PPP_EV_OPEN: T(0, PPP_FSM_STOPPING);
		case PPP_EV_CLOSE: T(0, PPP_FSM_CLOSING);
		case PPP_EV_TO_PLUS: T(PPP_A_STR, PPP_FSM_STOPPING);
		case PPP_EV_TO_MINUS: T(PPP_A_TLF, PPP_FSM_STOPPED);
		case PPP_EV_RCR_PLUS:
		case PPP_EV_RCR_MINUS:
		case PPP_EV_RCA:
		case PPP_EV_RCN:
			T(0, PPP_FSM_STOPPING);
		case PPP_EV_RTR: T(PPP_A_STA, PPP_FSM_STOPPING);
		case PPP_EV_RTA: T(PPP_A_TLF, PPP_FSM_STOPPED);
		case PPP_EV_RUC: T(PPP_A_SCJ, PPP_FSM_STOPPING);
		case PPP_EV_RXJ_PLUS: T(0, PPP_FSM_STOPPING);
		case PPP_EV_RXJ_MINUS: T(PPP_A_TLF, PPP_FSM_STOPPED);
		case PPP_EV_RXR: T(0, PPP_FSM_STOPPING);
		case PPP_EV_UP:
		case PPP_EV_COUNT:
			ILLEGAL;
		}
		break;
	case PPP_FSM_REQ_SENT:
		/* §4.2 Request-Sent: our Configure-Request is out, nothing acked yet. */
		switch (ev) {
		case PPP_EV_DOWN: T(0, PPP_FSM_STARTING);
		case PPP_EV_OPEN: T(0, PPP_FSM_REQ_SENT);
		case PPP_EV_CLOSE: T(PPP_A_IRC | PPP_A_STR, PPP_FSM_CLOSING);
		case PPP_EV_TO_PLUS: T(PPP_A_SCR, PPP_FSM_REQ_SENT);
		case PPP_EV_TO_MINUS: T(PPP_A_TLF, PPP_FSM_STOPPED);
		case PPP_EV_RCR_PLUS: T(PPP_A_SCA, PPP_FSM_ACK_SENT);
		case PPP_EV_RCR_MINUS: T(PPP_A_SCN, PPP_FSM_REQ_SENT);
		case PPP_EV_RCA: T(PPP_A_IRC, PPP_FSM_ACK_RCVD);
		case PPP_EV_RCN: T(PPP_A_IRC | PPP_A_SCR, PPP_FSM_REQ_SENT);
		case PPP_EV_RTR: T(PPP_A_STA, PPP_FSM_REQ_SENT);
		case PPP_EV_RTA: T(0, PPP_FSM_REQ_SENT);
		case PPP_EV_RUC: T(PPP_A_SCJ, PPP_FSM_REQ_SENT);
		case PPP_EV_RXJ_PLUS: T(0, PPP_FSM_REQ_SENT);
		case PPP_EV_RXJ_MINUS: T(PPP_A_TLF, PPP_FSM_STOPPED);
		case PPP_EV_RXR: T(0, PPP_FSM_REQ_SENT);
		case PPP_EV_UP:
		case PPP_EV_COUNT:
			ILLEGAL;
		}
		break;
	case PPP_FSM_ACK_RCVD:
		/* §4.2 Ack-Received: ours acked, the peer's not yet. */
		switch (ev) {
		case PPP_EV_DOWN: T(0, PPP_FSM_STARTING);
		case PPP_EV_OPEN: T(0, PPP_FSM_ACK_RCVD);
		case PPP_EV_CLOSE: T(PPP_A_IRC | PPP_A_STR, PPP_FSM_CLOSING);
		case PPP_EV_TO_PLUS: T(PPP_A_SCR, PPP_FSM_REQ_SENT);
		case PPP_EV_TO_MINUS: T(PPP_A_TLF, PPP_FSM_STOPPED);
		case PPP_EV_RCR_PLUS: T(PPP_A_SCA | PPP_A_TLU, PPP_FSM_OPENED);
		case PPP_EV_RCR_MINUS: T(PPP_A_SCN, PPP_FSM_ACK_RCVD);
		/* footnote x: a crossed connection, start over */
		case PPP_EV_RCA: T(PPP_A_SCR, PPP_FSM_REQ_SENT);
		case PPP_EV_RCN: T(PPP_A_SCR, PPP_FSM_REQ_SENT);
		case PPP_EV_RTR: T(PPP_A_STA, PPP_FSM_REQ_SENT);
		case PPP_EV_RTA: T(0, PPP_FSM_REQ_SENT);
		case PPP_EV_RUC: T(PPP_A_SCJ, PPP_FSM_ACK_RCVD);
		case PPP_EV_RXJ_PLUS: T(0, PPP_FSM_REQ_SENT);
		case PPP_EV_RXJ_MINUS: T(PPP_A_TLF, PPP_FSM_STOPPED);
		case PPP_EV_RXR: T(0, PPP_FSM_ACK_RCVD);
		case PPP_EV_UP:
		case PPP_EV_COUNT:
			ILLEGAL;
		}
		break;
	case PPP_FSM_ACK_SENT:
		/* §4.2 Ack-Sent: the peer's acked, ours not yet. */
		switch (ev) {
		case PPP_EV_DOWN: T(0, PPP_FSM_STARTING);
		case PPP_EV_OPEN: T(0, PPP_FSM_ACK_SENT);
		case PPP_EV_CLOSE: T(PPP_A_IRC | PPP_A_STR, PPP_FSM_CLOSING);
		case PPP_EV_TO_PLUS: T(PPP_A_SCR, PPP_FSM_ACK_SENT);
		case PPP_EV_TO_MINUS: T(PPP_A_TLF, PPP_FSM_STOPPED);
		case PPP_EV_RCR_PLUS: T(PPP_A_SCA, PPP_FSM_ACK_SENT);
		case PPP_EV_RCR_MINUS: T(PPP_A_SCN, PPP_FSM_REQ_SENT);
		case PPP_EV_RCA: T(PPP_A_IRC | PPP_A_TLU, PPP_FSM_OPENED);
		case PPP_EV_RCN: T(PPP_A_IRC | PPP_A_SCR, PPP_FSM_ACK_SENT);
		case PPP_EV_RTR: T(PPP_A_STA, PPP_FSM_REQ_SENT);
		case PPP_EV_RTA: T(0, PPP_FSM_ACK_SENT);
		case PPP_EV_RUC: T(PPP_A_SCJ, PPP_FSM_ACK_SENT);
		case PPP_EV_RXJ_PLUS: T(0, PPP_FSM_ACK_SENT);
		case PPP_EV_RXJ_MINUS: T(PPP_A_TLF, PPP_FSM_STOPPED);
		case PPP_EV_RXR: T(0, PPP_FSM_ACK_SENT);
		case PPP_EV_UP:
		case PPP_EV_COUNT:
			ILLEGAL;
		}
		break;
	case PPP_FSM_OPENED:
		/* §4.2 Opened: both acked; the layer is up. */
		switch (ev) {
		case PPP_EV_DOWN: T(PPP_A_TLD, PPP_FSM_STARTING);
		case PPP_EV_OPEN: T(0, PPP_FSM_OPENED);
		case PPP_EV_CLOSE: T(PPP_A_TLD | PPP_A_IRC | PPP_A_STR, PPP_FSM_CLOSING);
		case PPP_EV_RCR_PLUS: T(PPP_A_TLD | PPP_A_SCR | PPP_A_SCA, PPP_FSM_ACK_SENT);
		case PPP_EV_RCR_MINUS: T(PPP_A_TLD | PPP_A_SCR | PPP_A_SCN, PPP_FSM_REQ_SENT);
		case PPP_EV_RCA: T(PPP_A_TLD | PPP_A_SCR, PPP_FSM_REQ_SENT);
		case PPP_EV_RCN: T(PPP_A_TLD | PPP_A_SCR, PPP_FSM_REQ_SENT);
		case PPP_EV_RTR: T(PPP_A_TLD | PPP_A_ZRC | PPP_A_STA, PPP_FSM_STOPPING);
		case PPP_EV_RTA: T(PPP_A_TLD | PPP_A_SCR, PPP_FSM_REQ_SENT);
		case PPP_EV_RUC: T(PPP_A_SCJ, PPP_FSM_OPENED);
		case PPP_EV_RXJ_PLUS: T(0, PPP_FSM_OPENED);
		case PPP_EV_RXJ_MINUS: T(PPP_A_TLD | PPP_A_IRC | PPP_A_STR, PPP_FSM_STOPPING);
		case PPP_EV_RXR: T(PPP_A_SER, PPP_FSM_OPENED);
		case PPP_EV_UP:
		case PPP_EV_TO_PLUS:
		case PPP_EV_TO_MINUS:
		case PPP_EV_COUNT:
			ILLEGAL;
		}
		break;
	case PPP_FSM_STATE_COUNT:
		break;
	}
	return -EINVAL;
}

#undef T
#undef ILLEGAL

/* §4.6: the restart timer runs only while a request or terminate is outstanding. */
static bool timer_state(enum ppp_fsm_state s)
{
	return s == PPP_FSM_CLOSING || s == PPP_FSM_STOPPING || s == PPP_FSM_REQ_SENT ||
	       s == PPP_FSM_ACK_RCVD || s == PPP_FSM_ACK_SENT;
}

/* The one place the state changes. */
static void set_state(struct ppp_fsm *f, enum ppp_fsm_state next)
{
	if (!timer_state(next))
		f->deadline = UINT64_MAX;
	f->state = (uint8_t)next;
}

static void start_timer(struct ppp_fsm *f, uint64_t now_ms)
{
	f->deadline = now_ms + f->cfg->restart_ms;
}

static void send_cr(struct ppp_fsm *f, uint64_t now_ms, struct ppp_actions *out)
{
	uint8_t buf[FSM_OPT_BUF];
	size_t len = f->ops->build_cr(f, buf, sizeof(buf));

	/* §5.1: a new Identifier for every request, retransmissions included. */
	f->req_id = ++f->id;
	f->replied = false;
	ppp_act_send(out, f->ops->proto, PPP_CONF_REQ, f->req_id, buf, len);
	if (f->restart > 0)
		f->restart--;
	start_timer(f, now_ms);
}

static void send_tr(struct ppp_fsm *f, uint64_t now_ms, struct ppp_actions *out)
{
	f->term_id = ++f->id;
	ppp_act_send(out, f->ops->proto, PPP_TERM_REQ, f->term_id, NULL, 0);
	if (f->restart > 0)
		f->restart--;
	start_timer(f, now_ms);
}

static void send_cj(struct ppp_fsm *f, const struct ppp_fsm_rx *rx, struct ppp_actions *out)
{
	size_t len = rx->pkt_len;

	/* §5.6: the rejected packet, truncated to fit the peer's default MRU. */
	if (len > PPP_DEFAULT_MRU - PPP_HDR_LEN)
		len = PPP_DEFAULT_MRU - PPP_HDR_LEN;
	ppp_act_send(out, f->ops->proto, PPP_CODE_REJ, ++f->id, rx->pkt, len);
}

/* Perform the action set of one transition, in the order the table lists them. */
static int run(struct ppp_fsm *f, enum ppp_fsm_event ev, const struct ppp_fsm_rx *rx,
	       uint64_t now_ms, struct ppp_actions *out)
{
	enum ppp_fsm_state next;
	int acts = ppp_fsm_transition((enum ppp_fsm_state)f->state, ev, &next);

	if (acts < 0)
		return acts;
	if (acts & PPP_A_TLD) {
		f->layer |= PPP_FSM_LAYER_DOWN;
		if (f->ops->tld)
			f->ops->tld(f);
	}
	if (acts & PPP_A_IRC) {
		/* §4.4 irc: Max-Terminate before a Terminate-Request, else Max-Configure. */
		f->restart = (acts & PPP_A_STR) ? f->cfg->max_terminate : f->cfg->max_configure;
		if (!(acts & PPP_A_STR))
			f->naks = 0;
	}
	if (acts & PPP_A_ZRC) {
		/* §4.4 zrc: wait one restart period before finishing. */
		f->restart = 0;
		start_timer(f, now_ms);
	}
	if (acts & PPP_A_SCR)
		send_cr(f, now_ms, out);
	if (acts & PPP_A_SCA) {
		ppp_act_send(out, f->ops->proto, PPP_CONF_ACK, rx->id, rx->reply, rx->reply_len);
		f->naks = 0;
	}
	if (acts & PPP_A_SCN) {
		ppp_act_send(out, f->ops->proto, rx->reply_code, rx->id, rx->reply, rx->reply_len);
		if (rx->reply_code == PPP_CONF_NAK && f->naks < UINT8_MAX)
			f->naks++;
	}
	if (acts & PPP_A_STR)
		send_tr(f, now_ms, out);
	if (acts & PPP_A_STA)
		ppp_act_send(out, f->ops->proto, PPP_TERM_ACK, rx->id, NULL, 0);
	if (acts & PPP_A_SCJ)
		send_cj(f, rx, out);
	if ((acts & PPP_A_SER) && f->ops->ser)
		f->ops->ser(f, rx, now_ms, out);
	set_state(f, next);
	if (acts & PPP_A_TLU) {
		f->layer |= PPP_FSM_LAYER_UP;
		if (f->ops->tlu)
			f->ops->tlu(f, now_ms, out);
	}
	if (acts & PPP_A_TLS)
		f->layer |= PPP_FSM_LAYER_STARTED;
	if (acts & PPP_A_TLF)
		f->layer |= PPP_FSM_LAYER_FINISHED;
	return acts;
}

int ppp_fsm_event(struct ppp_fsm *f, enum ppp_fsm_event ev, uint64_t now_ms,
		  struct ppp_actions *out)
{
	switch (ev) {
	case PPP_EV_UP:
	case PPP_EV_DOWN:
	case PPP_EV_OPEN:
	case PPP_EV_CLOSE:
	case PPP_EV_TO_PLUS:
	case PPP_EV_TO_MINUS:
		return run(f, ev, NULL, now_ms, out);
	case PPP_EV_RCR_PLUS:
	case PPP_EV_RCR_MINUS:
	case PPP_EV_RCA:
	case PPP_EV_RCN:
	case PPP_EV_RTR:
	case PPP_EV_RTA:
	case PPP_EV_RUC:
	case PPP_EV_RXJ_PLUS:
	case PPP_EV_RXJ_MINUS:
	case PPP_EV_RXR:
	case PPP_EV_COUNT:
		break;
	}
	return -EINVAL;
}

/* States in which the contents of a Configure-* packet change what happens. */
static bool negotiating(const struct ppp_fsm *f)
{
	return f->state == PPP_FSM_REQ_SENT || f->state == PPP_FSM_ACK_RCVD ||
	       f->state == PPP_FSM_ACK_SENT || f->state == PPP_FSM_OPENED;
}

int ppp_fsm_input(struct ppp_fsm *f, const uint8_t *pkt, size_t len, uint64_t now_ms,
		  struct ppp_actions *out)
{
	uint8_t reply[PPP_MAX_FRAME];
	struct ppp_fsm_rx rx;
	enum ppp_fsm_verdict v;
	enum ppp_fsm_event ev;
	size_t plen;

	/* §5: shorter than the header, or the Length field beyond the frame: discard. */
	if (len < PPP_HDR_LEN)
		return -EBADMSG;
	plen = (size_t)pkt[2] << 8 | pkt[3];
	if (plen < PPP_HDR_LEN || plen > len)
		return -EBADMSG;
	memset(&rx, 0, sizeof(rx));
	rx.code = pkt[0];
	rx.id = pkt[1];
	rx.pkt = pkt;
	rx.pkt_len = plen;      /* octets beyond Length are padding (§5) */
	rx.data = pkt + PPP_HDR_LEN;
	rx.len = plen - PPP_HDR_LEN;

	switch (rx.code) {
	case PPP_CONF_REQ:
		/* §5.1; in states where RCR+ and RCR- act alike, options are not judged. */
		if (rx.len > sizeof(reply))
			return -EBADMSG;        /* larger than any reply we could build */
		ev = PPP_EV_RCR_PLUS;
		if (negotiating(f) || f->state == PPP_FSM_STOPPED) {
			bool exhausted = f->naks >= f->cfg->max_failure;

			rx.reply_code = f->ops->recv_cr(f, rx.data, rx.len, reply, sizeof(reply),
							&rx.reply_len, exhausted);
			rx.reply = reply;
			if (rx.reply_code != PPP_CONF_ACK)
				ev = PPP_EV_RCR_MINUS;
		}
		break;
	case PPP_CONF_ACK:
		/* §5.2: must match the Identifier and options of our last request;
		 * a duplicate of a reply already taken is stale. */
		if (rx.id != f->req_id || f->replied)
			return -EBADMSG;
		if ((f->state == PPP_FSM_REQ_SENT || f->state == PPP_FSM_ACK_SENT) &&
		    !f->ops->recv_ack(f, rx.data, rx.len))
			return -EBADMSG;
		f->replied = true;
		ev = PPP_EV_RCA;
		break;
	case PPP_CONF_NAK:
	case PPP_CONF_REJ:
		/* §5.3, §5.4 */
		if (rx.id != f->req_id || f->replied)
			return -EBADMSG;
		ev = PPP_EV_RCN;
		if (!negotiating(f))
			break;
		v = rx.code == PPP_CONF_NAK ? f->ops->recv_nak(f, rx.data, rx.len)
					    : f->ops->recv_rej(f, rx.data, rx.len);
		if (v == PPP_FSM_BAD)
			return -EBADMSG;
		f->replied = true;
		if (v == PPP_FSM_GIVE_UP)
			ev = PPP_EV_CLOSE;
		break;
	case PPP_TERM_REQ:
		ev = PPP_EV_RTR;        /* §5.5 */
		break;
	case PPP_TERM_ACK:
		ev = PPP_EV_RTA;
		break;
	case PPP_CODE_REJ:
		/* §5.6: rejecting one of the codes every implementation needs is fatal. */
		if (rx.len < 1)
			return -EBADMSG;
		if (rx.data[0] >= PPP_CONF_REQ && rx.data[0] <= PPP_CODE_REJ)
			ev = PPP_EV_RXJ_MINUS;
		else
			ev = PPP_EV_RXJ_PLUS;
		break;
	default:
		ev = f->ops->classify ? f->ops->classify(f, &rx) : PPP_EV_RUC;
		break;
	}
	return run(f, ev, &rx, now_ms, out);
}

void ppp_fsm_tick(struct ppp_fsm *f, uint64_t now_ms, struct ppp_actions *out)
{
	if (f->deadline == UINT64_MAX || now_ms < f->deadline)
		return;
	f->deadline = UINT64_MAX;
	/* §4.3 TO+ while the restart counter is positive, TO- once it ran out. */
	run(f, f->restart > 0 ? PPP_EV_TO_PLUS : PPP_EV_TO_MINUS, NULL, now_ms, out);
}

const char *ppp_fsm_state_str(enum ppp_fsm_state s)
{
	switch (s) {
	case PPP_FSM_INITIAL: return "Initial";
	case PPP_FSM_STARTING: return "Starting";
	case PPP_FSM_CLOSED: return "Closed";
	case PPP_FSM_STOPPED: return "Stopped";
	case PPP_FSM_CLOSING: return "Closing";
	case PPP_FSM_STOPPING: return "Stopping";
	case PPP_FSM_REQ_SENT: return "Req-Sent";
	case PPP_FSM_ACK_RCVD: return "Ack-Rcvd";
	case PPP_FSM_ACK_SENT: return "Ack-Sent";
	case PPP_FSM_OPENED: return "Opened";
	case PPP_FSM_STATE_COUNT: break;
	}
	return "?";
}

const char *ppp_fsm_event_str(enum ppp_fsm_event ev)
{
	switch (ev) {
	case PPP_EV_UP: return "Up";
	case PPP_EV_DOWN: return "Down";
	case PPP_EV_OPEN: return "Open";
	case PPP_EV_CLOSE: return "Close";
	case PPP_EV_TO_PLUS: return "TO+";
	case PPP_EV_TO_MINUS: return "TO-";
	case PPP_EV_RCR_PLUS: return "RCR+";
	case PPP_EV_RCR_MINUS: return "RCR-";
	case PPP_EV_RCA: return "RCA";
	case PPP_EV_RCN: return "RCN";
	case PPP_EV_RTR: return "RTR";
	case PPP_EV_RTA: return "RTA";
	case PPP_EV_RUC: return "RUC";
	case PPP_EV_RXJ_PLUS: return "RXJ+";
	case PPP_EV_RXJ_MINUS: return "RXJ-";
	case PPP_EV_RXR: return "RXR";
	case PPP_EV_COUNT: break;
	}
	return "?";
}

bool ppp_opts_valid(const uint8_t *data, size_t len)
{
	size_t off = 0;

	while (off < len) {
		if (len - off < 2 || data[off + 1] < 2 || data[off + 1] > len - off)
			return false;
		off += data[off + 1];
	}
	return true;
}

uint8_t ppp_conf_reply(const uint8_t *rej, size_t nr, const uint8_t *nak, size_t nn,
		       const uint8_t *req, size_t len, uint8_t *reply, size_t *reply_len)
{
	if (nr) {
		memcpy(reply, rej, nr);
		*reply_len = nr;
		return PPP_CONF_REJ;
	}
	if (nn) {
		memcpy(reply, nak, nn);
		*reply_len = nn;
		return PPP_CONF_NAK;
	}
	memcpy(reply, req, len);
	*reply_len = len;
	return PPP_CONF_ACK;
}
