/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Local credentials in pppd's chap-secrets format, one entry per line:
 *     client  server  secret  [address ...]
 * '#' starts a comment, "..." or '...' quote words with spaces, a backslash
 * escapes the next character, '*' as client or server matches anything.
 * Addresses: an IPv4 address (the first one is given to the client), '*'
 * (any: from the pool), '-' (none: the user may not connect), or pppd's
 * a.b.c.d/n and !a.b.c.d forms (accepted, not used for assignment).
 * The daemon reads the file (refusing it unless ppp_users_mode_ok()).
 */
#ifndef LNS_PPP_USERS_H
#define LNS_PPP_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ppp_act.h"

struct ppp_user {
	const char *client;       /* "*" for any */
	const char *server;       /* "*" for any */
	const char *secret;       /* NUL-terminated; secrets cannot contain NUL */
	size_t secret_len;
	uint32_t ip;              /* host order; 0: from the pool */
	bool no_addr;             /* '-': refuse the user */
	unsigned line;
};

struct ppp_users;

/*
 * Parse len bytes. 0 and *out, or -EINVAL with "line N: what" in err, or
 * -ENOMEM. An empty file gives an empty table.
 */
int ppp_users_parse(const char *buf, size_t len, struct ppp_users **out, char *err,
		    size_t errlen);
void ppp_users_free(struct ppp_users *u);      /* NULL-safe */
size_t ppp_users_count(const struct ppp_users *u);

/*
 * The entry for client (exact name before '*') and server (NULL: any; an
 * exact server before '*'); the first such line of the file wins. NULL if none.
 */
const struct ppp_user *ppp_users_lookup(const struct ppp_users *u, const char *client,
					const char *server);

/*
 * Verify an AUTH_REQUEST against the table (PAP password, CHAP-MD5 response
 * or MS-CHAPv2 NT-Response). On success *match (if not NULL) is the entry used.
 */
bool ppp_users_check(const struct ppp_users *u, const char *server,
		     const struct ppp_auth_req *req, const struct ppp_user **match);
/*
 * The same, and for MS-CHAPv2 the Authenticator Response the Success message
 * must carry (RFC 2759 §8.7) into auth_resp (if not NULL; untouched for the
 * other methods): pass it to ppp_sess_auth_result() in ppp_auth_attrs.
 */
bool ppp_users_verify(const struct ppp_users *u, const char *server,
		      const struct ppp_auth_req *req, const struct ppp_user **match,
		      uint8_t auth_resp[MSCHAPV2_AUTH_RESP_LEN]);

/* A secrets file must not be readable or writable by others. */
bool ppp_users_mode_ok(mode_t mode);

#endif
