/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PPP action list: effects of the pure PPP code (lib/ppp/ppp_*.c) that the
 * daemon performs in order after each call, like struct lns_actions for L2TP.
 * Variable data (frames, names, passwords) lives in one byte buffer and is
 * addressed by offset, so growing the buffer never invalidates an action.
 */
#ifndef LNS_PPP_ACT_H
#define LNS_PPP_ACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ppp_mschap.h"

/* Authentication methods, in the order a config may list them. */
enum ppp_auth_method {
	PPP_AUTH_NONE,
	PPP_AUTH_PAP,            /* RFC 1334 */
	PPP_AUTH_CHAP_MD5,       /* RFC 1994 */
	PPP_AUTH_MSCHAPV2,       /* RFC 2759 */
	PPP_AUTH_METHOD_COUNT,
};

/* Why a session ended (PPP_ACT_DOWN). */
enum ppp_down_reason {
	PPP_DOWN_NONE,
	PPP_DOWN_PEER_TERMINATE,  /* LCP Terminate-Request from the peer */
	PPP_DOWN_ECHO_FAILURE,    /* LCP echo keepalive unanswered */
	PPP_DOWN_AUTH_FAILED,     /* credentials refused */
	PPP_DOWN_AUTH_TIMEOUT,    /* no PAP request / CHAP response in time */
	PPP_DOWN_AUTH_REFUSED,    /* the peer would not do any enabled method */
	PPP_DOWN_POOL_EXHAUSTED,  /* no address to give */
	PPP_DOWN_NEGOTIATION,     /* LCP or IPCP did not converge (Max-Configure/-Failure) */
	PPP_DOWN_LOOPBACK,        /* our own magic number came back */
	PPP_DOWN_PROTO_REJECTED,  /* the peer rejected LCP or IPCP */
	PPP_DOWN_ADMIN,           /* operator or daemon (ppp_sess_close) */
	PPP_DOWN_LOWER,           /* the L2TP session went away */
	PPP_DOWN_REASON_COUNT,
};
const char *ppp_down_reason_str(enum ppp_down_reason r);

enum ppp_chan {
	PPP_CHAN_CHANNEL,        /* /dev/ppp channel fd: LCP, PAP, CHAP */
	PPP_CHAN_UNIT,           /* /dev/ppp unit fd (pppN): IPCP, IPV6CP, CCP */
};

enum ppp_act_type {
	/* Write buf[off, off+len) (protocol + packet) to the fd named by chan. */
	PPP_ACT_SEND,
	/* Verify credentials, then call ppp_sess_auth_result(); see struct ppp_auth_req. */
	PPP_ACT_AUTH_REQUEST,
	/*
	 * An NCP opened (up.ncp says which): configure pppN with up.* (may
	 * repeat after a renegotiation). Without IPV6CP it is always IPCP.
	 */
	PPP_ACT_UP,
	/* The session is over (reason); nothing more will be sent. Close the fds. */
	PPP_ACT_DOWN,
};

/* The network protocol an UP action reports. */
enum ppp_ncp {
	PPP_NCP_IPCP,                 /* RFC 1332: IPv4 */
	PPP_NCP_IPV6CP,               /* RFC 5072: IPv6 link-local */
};

struct ppp_up_info {
	uint32_t local_ip, peer_ip;   /* host byte order; 0 while IPCP is not open */
	uint32_t dns1, dns2;          /* what the peer accepted; 0 = none */
	uint16_t mtu;                 /* peer's MRU, capped by our configured MRU */
	uint16_t mru;                 /* what the peer agreed to send us */
	uint8_t ncp;                  /* enum ppp_ncp: the one that just opened */
	bool ipv6;                    /* IPV6CP is open: the identifiers are valid */
	/* RFC 5072 §4.1 Interface-Identifiers: fe80::<local_ifid> on pppN, the peer fe80::<peer_ifid> */
	uint8_t local_ifid[8], peer_ifid[8];
};

struct ppp_action {
	enum ppp_act_type type;
	enum ppp_chan chan;           /* SEND */
	uint16_t proto;               /* SEND: protocol of the frame */
	size_t off, len;              /* SEND: frame; AUTH_REQUEST: user name */
	/* AUTH_REQUEST */
	enum ppp_auth_method method;
	uint8_t id;                   /* CHAP identifier */
	size_t a_off, a_len;          /* PAP password, CHAP response or MS-CHAPv2 Response value */
	size_t b_off, b_len;          /* CHAP / MS-CHAPv2 authenticator challenge */
	struct ppp_up_info up;        /* UP */
	enum ppp_down_reason reason;  /* DOWN */
};

struct ppp_actions {
	struct ppp_action *v;
	size_t n, cap;
	uint8_t *buf;
	size_t blen, bcap;
	bool oom;                     /* an action could not be recorded */
};
void ppp_actions_init(struct ppp_actions *a);
void ppp_actions_reset(struct ppp_actions *a);   /* keeps the memory */
void ppp_actions_free(struct ppp_actions *a);

/*
 * Credentials to verify, with pointers into the action list's buffer (valid until reset).
 * MS-CHAPv2 (RFC 2759 §4): challenge is the 16-byte authenticator challenge
 * (RADIUS MS-CHAP-Challenge), response the 49-byte Response value, split into
 * peer_challenge, nt_response and flags; RADIUS MS-CHAP2-Response is
 * id, flags, then the first 48 bytes of response (RFC 2548 §2.3.2).
 */
struct ppp_auth_req {
	enum ppp_auth_method method;
	uint8_t id;
	const char *user;             /* not NUL-terminated; may contain NUL bytes */
	size_t user_len;
	const uint8_t *password;      /* PAP */
	size_t password_len;
	const uint8_t *challenge;     /* CHAP, MS-CHAPv2 */
	size_t challenge_len;
	const uint8_t *response;      /* CHAP, MS-CHAPv2 */
	size_t response_len;
	const uint8_t *peer_challenge; /* MS-CHAPv2: MSCHAPV2_CHALLENGE_LEN bytes, else NULL */
	const uint8_t *nt_response;   /* MS-CHAPv2: MSCHAPV2_NT_RESP_LEN bytes, else NULL */
	uint8_t flags;                /* MS-CHAPv2 */
};
void ppp_action_auth_req(const struct ppp_actions *a, const struct ppp_action *act,
			 struct ppp_auth_req *req);
static inline const uint8_t *ppp_action_data(const struct ppp_actions *a,
					     const struct ppp_action *act)
{
	return a->buf + act->off;
}

/* Internal to lib/ppp/ppp_*.c: append an action / copy bytes into the buffer. */
struct ppp_action *ppp_act_push(struct ppp_actions *a, enum ppp_act_type type);
/* Append len bytes (src may be NULL to reserve); returns the offset or SIZE_MAX. */
size_t ppp_act_put(struct ppp_actions *a, const void *src, size_t len);
/* A frame: protocol, then code/id/length header, then data (RFC 1661 §5). */
void ppp_act_send(struct ppp_actions *a, uint16_t proto, uint8_t code, uint8_t id,
		  const void *data, size_t len);

#endif
