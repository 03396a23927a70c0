/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RADIUS for PPP sessions, without I/O: what goes into an Access-Request
 * (RFC 2865, RFC 2548 MS-CHAP VSAs, RFC 2868 tunnel attributes) and an
 * Accounting-Request (RFC 2866, 2867, 2869), what an Access-Accept or
 * Access-Reject carries back, and the packets themselves: a request
 * encoded and signed, a reply checked (Response Authenticator, RFC 3579
 * Message-Authenticator) before anything in it is read. Attributes live in
 * a flat list (struct rad_avs); lnsd/radius.c only sends and receives, so
 * everything here is testable without a server.
 */
#ifndef LNS_RAD_H
#define LNS_RAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lns_addr.h"
#include "ppp_act.h"
#include "ppp_mschap.h"
#include "radius_proto.h"
#include "rate_limit.h"

/* Values. */
#define RAD_SERVICE_FRAMED 2           /* Service-Type */
#define RAD_FRAMED_PROTO_PPP 1         /* Framed-Protocol */
#define RAD_NAS_PORT_VIRTUAL 5         /* NAS-Port-Type */
#define RAD_TUNNEL_L2TP 3              /* Tunnel-Type */
#define RAD_MEDIUM_IPV4 1              /* Tunnel-Medium-Type */
#define RAD_MEDIUM_IPV6 2
#define RAD_AUTHENTIC_RADIUS 1         /* Acct-Authentic */

enum rad_acct_status {                 /* Acct-Status-Type, RFC 2866 §5.1 */
	RAD_ACCT_START = 1,
	RAD_ACCT_STOP = 2,
	RAD_ACCT_INTERIM = 3,
};

enum rad_term_cause {                  /* Acct-Terminate-Cause, RFC 2866 §5.10 */
	RAD_TERM_USER_REQUEST = 1,
	RAD_TERM_LOST_CARRIER = 2,
	RAD_TERM_LOST_SERVICE = 3,
	RAD_TERM_IDLE_TIMEOUT = 4,
	RAD_TERM_SESSION_TIMEOUT = 5,
	RAD_TERM_ADMIN_RESET = 6,
	RAD_TERM_ADMIN_REBOOT = 7,
	RAD_TERM_PORT_ERROR = 8,
	RAD_TERM_NAS_ERROR = 9,
	RAD_TERM_NAS_REQUEST = 10,
	RAD_TERM_SERVICE_UNAVAILABLE = 15,
	RAD_TERM_USER_ERROR = 17,
};

/* How a value is typed (RFC 2865 §5 data types). */
enum rad_kind {
	RAD_K_INT,                     /* integer, host order in num */
	RAD_K_IPV4,                    /* ipaddr, host order in num */
	RAD_K_IPV6,                    /* ipv6addr, 16 bytes */
	RAD_K_STR,                     /* string/octets, 0 to 253 bytes */
};
#define RAD_VAL_MAX 253

/*
 * A list of attributes: per entry vendor (u32, 0: standard), type, kind,
 * length, then the value (4 bytes big-endian for INT/IPV4). Grows; on
 * allocation failure oom is set and further additions are ignored.
 */
struct rad_avs {
	uint8_t *buf;
	size_t len, cap;
	bool oom;
};
struct rad_av {
	uint32_t vendor;
	uint8_t type;
	uint8_t kind;                  /* enum rad_kind */
	uint8_t len;
	uint32_t num;                  /* INT, IPV4 */
	const uint8_t *val;            /* into the list */
};
void rad_avs_init(struct rad_avs *l);
void rad_avs_free(struct rad_avs *l);
void rad_add_int(struct rad_avs *l, uint32_t vendor, uint8_t type, uint32_t v);
void rad_add_ipv4(struct rad_avs *l, uint32_t vendor, uint8_t type, uint32_t ip);
/* Longer values are cut at RAD_VAL_MAX. */
void rad_add_bytes(struct rad_avs *l, uint32_t vendor, uint8_t type, enum rad_kind kind,
		   const void *v, size_t len);
void rad_add_str(struct rad_avs *l, uint32_t vendor, uint8_t type, const char *s);
/* Iterate: pos starts at 0. */
bool rad_avs_next(const struct rad_avs *l, size_t *pos, struct rad_av *out);
/* The first attribute of that vendor/type, or false. */
bool rad_avs_find(const struct rad_avs *l, uint32_t vendor, uint8_t type, struct rad_av *out);

/*
 * Acct-Session-Id: 16 upper-case hex digits, lnsd's start time (Unix
 * seconds, 8 digits) then a per-daemon session serial (8 digits), e.g.
 * "6560A1F200000017". Unique across restarts that are a second apart.
 */
#define RAD_SESSION_ID_LEN 16
void rad_session_id(uint32_t start_time, uint32_t serial, char out[RAD_SESSION_ID_LEN + 1]);

/* What the requests say about a session. */
struct rad_sess_info {
	const char *user;              /* not NUL-terminated */
	size_t user_len;
	const char *nas_identifier;
	uint32_t nas_port;             /* the ppp unit */
	const char *calling_number;    /* L2TP Calling Number AVP, "" when absent */
	const char *called_number;     /* L2TP Called Number AVP, "" when absent */
	struct lns_addr peer, local;   /* the tunnel's endpoints (LAC, us) */
	uint32_t call_serial;          /* L2TP Call Serial Number: Acct-Tunnel-Connection */
	const char *session_id;        /* Acct-Session-Id */
	uint32_t framed_ip;            /* accounting: the client's address, 0: none */
	const uint8_t *cls;            /* accounting: the Class from Access-Accept */
	size_t cls_len;
};

/* NAS, port, station and tunnel attributes shared by every request. */
void rad_build_common(const struct rad_sess_info *si, struct rad_avs *out);
/*
 * Access-Request: the common attributes plus the credentials of req.
 * -EINVAL: unknown method, a malformed CHAP/MS-CHAPv2 response, or a PAP
 * password over RAD_PASSWORD_MAX bytes (RFC 2865 §5.2).
 */
int rad_build_auth(const struct rad_sess_info *si, const struct ppp_auth_req *req,
		   struct rad_avs *out);

/* Kernel counters and timing for Accounting-Request. */
struct rad_acct_info {
	enum rad_acct_status status;
	uint64_t in_octets, out_octets;        /* from the client / to the client */
	uint64_t in_packets, out_packets;
	uint32_t session_time_s;
	uint32_t term_cause;                   /* Stop only; enum rad_term_cause */
};
void rad_build_acct(const struct rad_sess_info *si, const struct rad_acct_info *ai,
		    struct rad_avs *out);
/* RFC 2869 §5.1: the low 32 bits in octets, the 2^32 overflows in gigawords. */
void rad_octets_split(uint64_t octets, uint32_t *low, uint32_t *gigawords);
/* Acct-Terminate-Cause for a PPP down reason. */
enum rad_term_cause rad_term_cause_for(enum ppp_down_reason r);

#define RAD_MAX_ROUTES 8
struct rad_route {
	uint32_t dst;                  /* host order */
	uint8_t plen;
};

/* What an Access-Accept assigns, or an Access-Reject says. */
struct rad_accept {
	uint32_t framed_ip;            /* host order; 0: none (0xFFFFFFFE/F: the pool too) */
	char framed_pool[64];          /* "" none */
	struct rad_route routes[RAD_MAX_ROUTES];
	unsigned n_routes;
	unsigned bad_routes;           /* Framed-Route values that did not parse */
	uint32_t session_timeout_s;    /* 0: none */
	uint32_t idle_timeout_s;
	uint32_t interim_interval_s;   /* 0: none in the reply */
	uint8_t cls[RAD_VAL_MAX];      /* first Class, echoed in accounting */
	size_t cls_len;
	uint32_t dns1, dns2;           /* MS-Primary/Secondary-DNS-Server, host order */
	bool has_auth_resp;            /* MS-CHAP2-Success parsed into auth_resp */
	bool bad_success;              /* an MS-CHAP2-Success that did not parse */
	uint8_t auth_resp[MSCHAPV2_AUTH_RESP_LEN];
	char ms_error[128];            /* MS-CHAP-Error text ("E=691 R=0 ..."), "" none */
	char reply_message[128];       /* Reply-Message as sent (cut at a NUL), "" none */
	struct rate_radius rate;       /* Mikrotik-Rate-Limit, Filter-Id (rate_limit.h) */
};
void rad_parse_reply(const struct rad_avs *in, struct rad_accept *out);
/* "192.0.2.0/24 0.0.0.0 1" (RFC 2865 §5.22: destination[/bits] gateway metrics). */
int rad_parse_route(const uint8_t *v, size_t len, struct rad_route *out);

/* ---- packets ---------------------------------------------------------- */

/* RFC 2865 §3/§4, RFC 2866 §4. */
enum rad_code {
	RAD_CODE_ACCESS_REQUEST = 1,
	RAD_CODE_ACCESS_ACCEPT = 2,
	RAD_CODE_ACCESS_REJECT = 3,
	RAD_CODE_ACCOUNTING_REQUEST = 4,
	RAD_CODE_ACCOUNTING_RESPONSE = 5,
	RAD_CODE_ACCESS_CHALLENGE = 11,
};
#define RAD_HDR_LEN 20                 /* code, identifier, length, authenticator */
#define RAD_AUTH_LEN 16                /* the authenticator, and an HMAC-MD5 */
#define RAD_PKT_MAX 4096               /* RFC 2865 §3 */
#define RAD_PASSWORD_MAX 128           /* RFC 2865 §5.2 */

/*
 * The request on the wire: code (Access-Request or Accounting-Request), id,
 * then the list's attributes in order, vendor attributes as RFC 2865 §5.26
 * recommends (one sub-attribute each), User-Password hidden (§5.2).
 * Access-Request: auth is the random Request Authenticator, and a
 * Message-Authenticator (RFC 3579 §3.2) comes first, as the mitigations
 * of CVE-2024-3596 (BlastRADIUS) advise. Accounting-Request: the Request
 * Authenticator is MD5 over the packet and the secret (RFC 2866 §3); auth
 * is not used. Returns the length; -EMSGSIZE past cap (RAD_PKT_MAX is the
 * most a server takes); -EINVAL for a value that cannot go on the wire (a
 * User-Password over RAD_PASSWORD_MAX, a vendor value over 247 bytes) or
 * another code.
 */
int rad_encode_request(enum rad_code code, uint8_t id, const uint8_t auth[RAD_AUTH_LEN],
		       const struct rad_avs *avs, const void *secret, size_t secret_len,
		       uint8_t *buf, size_t cap);

/* Why a reply was discarded (RFC 2865 §3: silently, as if it never came). */
enum rad_reply_check {
	RAD_REPLY_OK,
	RAD_REPLY_MALFORMED,           /* short, Length outside 20..4096 or past the datagram,
					  an attribute shorter than 2 or past the end */
	RAD_REPLY_BAD_CODE,            /* not an answer to this kind of request */
	RAD_REPLY_BAD_ID,              /* the Identifier is not the request's */
	RAD_REPLY_BAD_AUTHENTICATOR,   /* the Response Authenticator does not verify */
	RAD_REPLY_BAD_MSG_AUTH,        /* a Message-Authenticator that does not verify,
					  is not 18 bytes long, or comes twice */
	RAD_REPLY_NO_MSG_AUTH,         /* an Access-Accept/Reject/Challenge without one,
					  when one is required */
	RAD_REPLY_CHECK_COUNT,
};
/* "ok", "malformed", "bad-code", "bad-identifier", "bad-authenticator", ... */
const char *rad_reply_check_str(enum rad_reply_check c);

/*
 * Check a reply (len bytes, one datagram) to the request req (its first
 * RAD_HDR_LEN bytes: code, id, Request Authenticator) with the server's
 * secret: framing, code, Identifier, then the Response Authenticator
 * MD5(Code+ID+Length+Request Authenticator+Attributes+Secret) (RFC 2865 §3,
 * RFC 2866 §4), then any Message-Authenticator, the HMAC-MD5 over the reply
 * with the Request Authenticator in place (RFC 3579 §3.2). With
 * require_msg_auth, an Access-Accept/Reject/Challenge must carry one.
 */
enum rad_reply_check rad_check_reply(const uint8_t *req, const uint8_t *rep, size_t len,
				     const void *secret, size_t secret_len,
				     bool require_msg_auth);

/*
 * The attributes of a reply that passed rad_check_reply() into out, typed
 * as RFC 2865/2866/2869 and RFC 2548 define them: standard attributes and
 * Microsoft vendor attributes. Integers and addresses of the wrong size and
 * other vendors' attributes are left out.
 */
void rad_decode_reply(const uint8_t *rep, size_t len, struct rad_avs *out);

#endif
