/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DHCPv6 server for one PPP link (RFC 8415), without I/O: prefix delegation
 * (IA_PD with one IA Prefix) and DNS (options 23 and 24, RFC 3646), stateful
 * and stateless. Addresses (IA_NA) come from router advertisements, so an
 * IA_NA is answered NoAddrsAvail. One struct dhcp6_binding per session holds
 * the prefix the daemon set aside for it and whom it is bound to; time comes
 * in as now_ms, and what the daemon must do (route the prefix via pppN or
 * take the route away) comes out as an event.
 */
#ifndef LNS_DHCP6_H
#define LNS_DHCP6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ip6_prefix.h"

#define DHCP6_SERVER_PORT 547
#define DHCP6_CLIENT_PORT 546

enum dhcp6_msg_type {                  /* RFC 8415 §7.3 */
	DHCP6_SOLICIT = 1,
	DHCP6_ADVERTISE = 2,
	DHCP6_REQUEST = 3,
	DHCP6_CONFIRM = 4,
	DHCP6_RENEW = 5,
	DHCP6_REBIND = 6,
	DHCP6_REPLY = 7,
	DHCP6_RELEASE = 8,
	DHCP6_DECLINE = 9,
	DHCP6_INFORMATION_REQUEST = 11,
};

enum dhcp6_opt {                       /* RFC 8415 §21, RFC 3646 */
	DHCP6_OPT_CLIENTID = 1,
	DHCP6_OPT_SERVERID = 2,
	DHCP6_OPT_IA_NA = 3,
	DHCP6_OPT_IA_TA = 4,
	DHCP6_OPT_ORO = 6,
	DHCP6_OPT_ELAPSED_TIME = 8,
	DHCP6_OPT_STATUS_CODE = 13,
	DHCP6_OPT_RAPID_COMMIT = 14,
	DHCP6_OPT_DNS_SERVERS = 23,
	DHCP6_OPT_DOMAIN_LIST = 24,
	DHCP6_OPT_IA_PD = 25,
	DHCP6_OPT_IAPREFIX = 26,
};

enum dhcp6_status {                    /* RFC 8415 §21.13 */
	DHCP6_ST_SUCCESS = 0,
	DHCP6_ST_UNSPEC_FAIL = 1,
	DHCP6_ST_NO_ADDRS_AVAIL = 2,
	DHCP6_ST_NO_BINDING = 3,
	DHCP6_ST_NOT_ON_LINK = 4,
	DHCP6_ST_USE_MULTICAST = 5,
	DHCP6_ST_NO_PREFIX_AVAIL = 6,
};

#define DHCP6_DUID_MAX 130             /* type (2) and up to 128 bytes, §11.1 */
#define DHCP6_MAX_DNS 3
#define DHCP6_MAX_DOMAINS 4
/*
 * The most dhcp6_srv_input() writes: both identifiers at DHCP6_DUID_MAX, IA_NA,
 * IA_PD with statuses, NoAddrsAvail, 3 servers and 4 domains of ND_DOMAIN_MAX
 * (an Advertise of 1,452 bytes; tests/unit/test_ipv6.c builds it).
 */
#define DHCP6_REPLY_MAX 1536

/* DUID-LL (§11.4) and DUID-LLT (§11.2, time in Unix seconds) of an Ethernet address; the length. */
size_t dhcp6_duid_ll(const uint8_t mac[6], uint8_t out[DHCP6_DUID_MAX]);
size_t dhcp6_duid_llt(const uint8_t mac[6], uint64_t unix_s, uint8_t out[DHCP6_DUID_MAX]);

/* A client message as parsed: the options the server uses. */
struct dhcp6_msg {
	uint8_t type;
	uint32_t xid;                  /* 24 bits */
	uint8_t client_id[DHCP6_DUID_MAX];
	size_t client_id_len;          /* 0: absent */
	uint8_t server_id[DHCP6_DUID_MAX];
	size_t server_id_len;
	bool has_ia_pd;                /* the first IA_PD; others are not answered */
	uint32_t pd_iaid, pd_t1, pd_t2;
	bool has_hint;                 /* an IA Prefix inside it */
	struct ip6_prefix hint;
	bool has_ia_na;
	uint32_t na_iaid;
	bool has_ia_ta;
	bool rapid_commit;
	bool want_dns, want_domains;   /* in the ORO */
};

/* Why a message was dropped (RFC 8415 §16: silently), for a counter. */
enum dhcp6_check {
	DHCP6_OK,
	DHCP6_SHORT,                   /* under 4 bytes */
	DHCP6_BAD_OPTION,              /* an option or sub-option past the end, or of
					  a length its type does not allow */
	DHCP6_NOT_SERVED,              /* a type a server does not take, or Confirm/Decline */
	DHCP6_NO_CLIENT_ID,            /* §16: required in this type */
	DHCP6_UNEXPECTED_SERVER_ID,    /* Solicit, Rebind */
	DHCP6_NO_SERVER_ID,            /* Request, Renew, Release */
	DHCP6_OTHER_SERVER,            /* a Server Identifier not ours */
	DHCP6_IA_IN_INFO_REQUEST,      /* §16.12 */
	DHCP6_CHECK_COUNT,
};
const char *dhcp6_check_str(enum dhcp6_check c);

/* Parse and check the framing and per-type rules of §16 that need no state. */
enum dhcp6_check dhcp6_parse(const uint8_t *pkt, size_t len, struct dhcp6_msg *out);

/* The server's settings, shared by every session. */
struct dhcp6_srv_conf {
	uint8_t duid[DHCP6_DUID_MAX];
	size_t duid_len;
	uint8_t dns[DHCP6_MAX_DNS][16];
	unsigned n_dns;
	const char *domains[DHCP6_MAX_DOMAINS];
	unsigned n_domains;
	uint32_t t1_s, t2_s;           /* 0: the client chooses (§21.21) */
	uint32_t preferred_s, valid_s;
};

/* One session's state. */
struct dhcp6_binding {
	bool has_prefix;               /* the daemon set one aside (pool or RADIUS) */
	struct ip6_prefix prefix;
	bool bound;
	uint8_t client_id[DHCP6_DUID_MAX];
	size_t client_id_len;
	uint32_t iaid;
	uint64_t expires_ms;
};

enum dhcp6_event {
	DHCP6_EV_NONE,
	DHCP6_EV_BOUND,                /* route b->prefix via the link */
	DHCP6_EV_RENEWED,              /* already routed; lifetime extended */
	DHCP6_EV_RELEASED,             /* take the route away */
};

/*
 * One message from the client: the answer (Advertise or Reply) into out
 * (DHCP6_REPLY_MAX is always enough) and its length, or 0 when the message
 * is dropped (*why says why); -EMSGSIZE if cap is too small. *ev tells the
 * daemon what changed in b.
 */
int dhcp6_srv_input(const struct dhcp6_srv_conf *c, struct dhcp6_binding *b, const uint8_t *pkt,
		    size_t len, uint64_t now_ms, uint8_t *out, size_t cap, enum dhcp6_check *why,
		    enum dhcp6_event *ev);
/* The binding's valid lifetime ran out: unbound, DHCP6_EV_RELEASED; else DHCP6_EV_NONE. */
enum dhcp6_event dhcp6_binding_tick(struct dhcp6_binding *b, uint64_t now_ms);

#endif
