/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RADIUS Dynamic Authorization (RFC 5176), NAS side, without I/O: check a
 * Disconnect-Request or CoA-Request against the client's shared secret,
 * pull out the session identification and the changes it asks for, and
 * build the signed ACK or NAK. A replay cache of the answers given lets
 * the daemon answer a retransmitted or replayed request without acting
 * twice (§2.3, §6.3). MD5 and HMAC-MD5 come from nettle.
 */
#ifndef LNS_RADIUS_DAE_H
#define LNS_RADIUS_DAE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "radius_proto.h"
#include "rate_limit.h"

#define RADIUS_HDR_LEN 20
#define RADIUS_AUTH_LEN 16
#define RADIUS_MAX_LEN 4096            /* RFC 2865 §3 */
#define RADIUS_STR_MAX 253             /* longest attribute value */

/* RFC 5176 §2.1, §2.2 */
enum radius_code {
	RADIUS_DISCONNECT_REQUEST = 40,
	RADIUS_DISCONNECT_ACK = 41,
	RADIUS_DISCONNECT_NAK = 42,
	RADIUS_COA_REQUEST = 43,
	RADIUS_COA_ACK = 44,
	RADIUS_COA_NAK = 45,
};

/* RFC 5176 §3.5 Error-Cause values */
enum dae_error_cause {
	DAE_ERR_NONE = 0,
	DAE_ERR_UNSUPPORTED_ATTRIBUTE = 401,
	DAE_ERR_MISSING_ATTRIBUTE = 402,
	DAE_ERR_NAS_MISMATCH = 403,
	DAE_ERR_INVALID_REQUEST = 404,
	DAE_ERR_UNSUPPORTED_SERVICE = 405,
	DAE_ERR_UNSUPPORTED_EXTENSION = 406,
	DAE_ERR_INVALID_ATTRIBUTE_VALUE = 407,
	DAE_ERR_ADMIN_PROHIBITED = 501,
	DAE_ERR_SESSION_NOT_FOUND = 503,
	DAE_ERR_SESSION_NOT_REMOVABLE = 504,
	DAE_ERR_RESOURCES_UNAVAILABLE = 506,
};

/* What dae_parse() concluded. The drops are silent on the wire (§3.4, §3.5). */
enum dae_verdict {
	DAE_OK,                  /* authentic, well formed: act on it */
	DAE_NAK,                 /* authentic but not acceptable: NAK with ->error_cause */
	DAE_DROP_SHORT,          /* shorter than a header, or than its Length field */
	DAE_DROP_LENGTH,         /* Length field under 20 or over 4096 */
	DAE_DROP_CODE,           /* not a Disconnect-Request or CoA-Request */
	DAE_DROP_MALFORMED,      /* an attribute runs past the packet or is shorter than 2 */
	DAE_DROP_AUTHENTICATOR,  /* Request Authenticator does not match the secret */
	DAE_DROP_MSG_AUTH,       /* Message-Authenticator present and wrong (or not 18 long) */
	DAE_DROP_STALE,          /* Event-Timestamp outside the allowed window */
	DAE_DROP_NO_TIMESTAMP,   /* no Event-Timestamp, and one is required (§6.3) */
	DAE_VERDICT_COUNT,
};
const char *dae_verdict_str(enum dae_verdict v);

/* Who we are, to check NAS-Identifier / NAS-IP-Address / NAS-IPv6-Address. */
struct dae_nas {
	const char *identifier;      /* NULL: any NAS-Identifier matches */
	uint32_t ipv4;               /* host order; 0: any NAS-IP-Address matches */
	bool has_ipv6;
	uint8_t ipv6[16];
};

/* A counted attribute string (not NUL-free: compare with len). */
struct dae_str {
	uint8_t len;                 /* 0: absent (RADIUS text is never empty) */
	char s[RADIUS_STR_MAX + 1];  /* NUL-terminated copy */
};

#define DAE_PROXY_STATE_MAX 512      /* raw Proxy-State attributes kept for the reply */

/* What a valid request says. The packet is not referenced after dae_parse(). */
struct dae_request {
	uint8_t code;                /* enum radius_code */
	uint8_t id;
	uint8_t authenticator[RADIUS_AUTH_LEN];
	bool msg_auth;               /* carried a (valid) Message-Authenticator */
	enum dae_error_cause error_cause;    /* with DAE_NAK */
	uint8_t bad_attr;            /* attribute type behind 401/407, 0 if none */
	/* Session identification (§3); each only if present. */
	struct dae_str user_name, acct_session_id, calling_station_id;
	bool has_framed_ip, has_nas_port;
	uint32_t framed_ip;          /* host order */
	uint32_t nas_port;
	/* CoA changes (§3.2): the session's new limits in seconds. */
	bool has_session_timeout, has_idle_timeout;
	uint32_t session_timeout, idle_timeout;
	/* CoA rate changes: Filter-Id, Mikrotik-Rate-Limit (rate_limit.h), raw */
	struct rate_radius rate;
	bool has_event_timestamp;
	uint32_t event_timestamp;
	/* Proxy-State attributes, copied into the reply in order (RFC 2865 §5.33). */
	size_t proxy_len;
	uint8_t proxy[DAE_PROXY_STATE_MAX];
};

/* True if the request names the session by at least one attribute we match on. */
bool dae_request_has_session_id(const struct dae_request *r);

/*
 * Check pkt (len bytes, one UDP payload) from a client whose secret is
 * secret/secret_len. now_s is the current time in seconds since the epoch,
 * window_s the largest allowed |now - Event-Timestamp| (0: not checked);
 * require_timestamp drops an authentic request without Event-Timestamp
 * (RFC 5176 §6.3: without one, only the replay cache stands between a
 * captured request and its replay).
 * On DAE_OK and DAE_NAK, out holds what the request said (for a NAK, at
 * least code, id, authenticator and the Proxy-States, enough for a reply).
 * A NAK is given for (§3.5): attributes other than session identification
 * in a Disconnect-Request, or than those plus Session-/Idle-Timeout in a
 * CoA-Request (401); a value of the wrong size (407); no session
 * identification (402); a NAS identity that is not ours (403); Service-Type
 * Authorize Only or a State (405: not supported).
 */
enum dae_verdict dae_parse(const uint8_t *pkt, size_t len, const void *secret,
			   size_t secret_len, const struct dae_nas *nas, uint64_t now_s,
			   uint32_t window_s, bool require_timestamp, struct dae_request *out);

/*
 * Build the reply to req in buf (cap bytes, DAE_REPLY_MAX is always
 * enough): Disconnect-/CoA-ACK when cause is DAE_ERR_NONE, otherwise the NAK
 * with an Error-Cause (§3.5); Proxy-States copied; a Message-Authenticator
 * when the request had one (RFC 3579 §3.2, RFC 5176 §3.1); the Response
 * Authenticator MD5(Code+ID+Length+Request Authenticator+Attributes+Secret).
 * Returns the length, or -ENOSPC.
 */
int dae_build_reply(const struct dae_request *req, enum dae_error_cause cause,
		    const void *secret, size_t secret_len, uint8_t *buf, size_t cap);

/* The longest reply dae_build_reply() makes: header, Error-Cause, Message-Authenticator, Proxy-States. */
#define DAE_REPLY_MAX (RADIUS_HDR_LEN + 6 + 18 + DAE_PROXY_STATE_MAX)

/*
 * Replay cache: the answer given to every authentic request, so that the
 * same request again gets the same reply without being acted on twice
 * (RFC 5176 §2.3 retransmissions, §6.3 replays). A request is known by a
 * key naming its client, its Identifier and its Request Authenticator; the
 * authenticator is an MD5 over the whole request and the secret, so it
 * stands for the content. The key must name what signs, not where the
 * packet came from: lnsd uses a digest of the client's secret, so the same
 * request from another port, another address of the client's prefix or
 * another client with that secret is the same request.
 *
 * Entries live ttl_ms, oldest first in a ring. A live entry is never
 * dropped to make room: when every slot is live, dae_cache_room() says so
 * and the caller refuses the new request (it must not act on what it could
 * not remember). The reply is not stored, only its Error-Cause: the reply
 * is rebuilt from the repeated request, which is byte-identical.
 */
#define DAE_CACHE_SLOTS 16384
#define DAE_CACHE_CLIENT_MAX 16      /* longest client key: an MD5 digest */

struct dae_cache_entry {
	uint64_t t_ms;
	uint8_t client[DAE_CACHE_CLIENT_MAX];
	uint8_t client_len;
	uint8_t id;
	uint16_t cause;              /* enum dae_error_cause */
	uint8_t authenticator[RADIUS_AUTH_LEN];
};

struct dae_cache {
	uint32_t ttl_ms;
	size_t head, n;              /* ring: the oldest entry at head */
	struct dae_cache_entry e[DAE_CACHE_SLOTS];
};

void dae_cache_init(struct dae_cache *c, uint32_t ttl_ms);
/*
 * True if the request r (parsed from a packet of this client) was answered
 * within ttl_ms; *cause gets the Error-Cause of that answer.
 */
bool dae_cache_find(struct dae_cache *c, const void *client, size_t client_len,
		    const struct dae_request *r, uint64_t now_ms, enum dae_error_cause *cause);
/* True if dae_cache_put() has a free slot now (expired entries are freed). */
bool dae_cache_room(struct dae_cache *c, uint64_t now_ms);
/* Remember the answer to r; -ENOSPC when dae_cache_room() is false, -EINVAL for a long client. */
int dae_cache_put(struct dae_cache *c, const void *client, size_t client_len,
		  const struct dae_request *r, enum dae_error_cause cause, uint64_t now_ms);
size_t dae_cache_count(const struct dae_cache *c);

#endif
