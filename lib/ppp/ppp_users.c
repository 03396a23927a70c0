// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The users file (pppd chap-secrets format): a line tokenizer with quotes
 * and escapes, and a table hashed by client name. Entries keep file order
 * within a bucket so the first matching line wins, as in pppd.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ppp_auth.h"
#include "ppp_mschap.h"
#include "ppp_users.h"

#define USERS_WORD_MAX 1024
#define USERS_MAX_WORDS 64

struct user_ent {
	struct ppp_user u;
	struct user_ent *next;    /* same bucket (or the wildcard list), file order */
	char strings[];
};

struct ppp_users {
	struct user_ent **buckets;
	uint32_t nbuckets;        /* power of two */
	struct user_ent *wild, **wild_tail;  /* client "*" */
	size_t count;
};

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;      /* FNV-1a */

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

/* One line's words: kept in a scratch buffer, each NUL-terminated. */
struct words {
	char buf[USERS_WORD_MAX * 4];
	size_t used;
	const char *w[USERS_MAX_WORDS];
	size_t n;
};

/*
 * Split [p, end) (one line) into words. Returns NULL, or an error text.
 */
static const char *split(const char *p, const char *end, struct words *ws)
{
	ws->used = 0;
	ws->n = 0;
	while (p < end) {
		char quote = 0;
		size_t start;

		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (p == end || *p == '#')
			break;
		if (ws->n == USERS_MAX_WORDS)
			return "too many words";
		start = ws->used;
		while (p < end) {
			char c = *p;

			if (!quote && (c == ' ' || c == '\t' || c == '\r' || c == '#'))
				break;
			p++;
			if (!quote && (c == '"' || c == '\'')) {
				quote = c;
				continue;
			}
			if (quote && c == quote) {
				quote = 0;
				continue;
			}
			if (c == '\\') {
				if (p == end)
					return "backslash at end of line";
				c = *p++;
			}
			if (c == '\0')
				return "NUL byte";
			if (ws->used + 2 > sizeof(ws->buf))
				return "line too long";
			ws->buf[ws->used++] = c;
		}
		if (quote)
			return "unterminated quote";
		ws->buf[ws->used++] = '\0';
		ws->w[ws->n++] = ws->buf + start;
	}
	return NULL;
}

/* One address word of an entry; NULL or an error text. */
static const char *address(struct ppp_user *u, const char *w)
{
	char tmp[INET_ADDRSTRLEN];
	struct in_addr a;
	const char *slash;
	bool neg = *w == '!';
	size_t n;

	if (strcmp(w, "*") == 0)
		return NULL;
	if (strcmp(w, "-") == 0) {
		u->no_addr = true;
		return NULL;
	}
	if (neg)
		w++;
	slash = strchr(w, '/');
	n = slash ? (size_t)(slash - w) : strlen(w);
	if (n >= sizeof(tmp))
		return "bad address";
	memcpy(tmp, w, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET, tmp, &a) != 1)
		return "bad address";
	if (slash) {
		char *e;
		long bits = strtol(slash + 1, &e, 10);

		if (e == slash + 1 || *e || bits < 0 || bits > 32)
			return "bad prefix length";
		return NULL;
	}
	if (u->ip == 0 && !neg)
		u->ip = ntohl(a.s_addr);
	return NULL;
}

static int add_entry(struct ppp_users *t, const struct words *ws, unsigned line, char *err,
		     size_t errlen)
{
	size_t lc = strlen(ws->w[0]) + 1, ls = strlen(ws->w[1]) + 1, lk = strlen(ws->w[2]) + 1;
	struct user_ent *e = calloc(1, sizeof(*e) + lc + ls + lk);
	size_t i;

	if (!e)
		return -ENOMEM;
	memcpy(e->strings, ws->w[0], lc);
	memcpy(e->strings + lc, ws->w[1], ls);
	memcpy(e->strings + lc + ls, ws->w[2], lk);
	e->u.client = e->strings;
	e->u.server = e->strings + lc;
	e->u.secret = e->strings + lc + ls;
	e->u.secret_len = lk - 1;
	e->u.line = line;
	for (i = 3; i < ws->n; i++) {
		const char *why = address(&e->u, ws->w[i]);

		if (why) {
			snprintf(err, errlen, "line %u: %s '%s'", line, why, ws->w[i]);
			free(e);
			return -EINVAL;
		}
	}
	if (strcmp(e->u.client, "*") == 0) {
		*t->wild_tail = e;
		t->wild_tail = &e->next;
	} else {
		struct user_ent **pp = &t->buckets[hash(e->u.client) & (t->nbuckets - 1)];

		while (*pp)
			pp = &(*pp)->next;
		*pp = e;
	}
	t->count++;
	return 0;
}

int ppp_users_parse(const char *buf, size_t len, struct ppp_users **out, char *err,
		    size_t errlen)
{
	struct ppp_users *t = calloc(1, sizeof(*t));
	struct words *ws = malloc(sizeof(*ws));
	const char *p = buf, *end = buf + len;
	unsigned line = 0;
	size_t lines = 1, i;
	int rc = -ENOMEM;

	if (err && errlen)
		err[0] = '\0';
	if (!t || !ws)
		goto fail;
	for (i = 0; i < len; i++)
		lines += buf[i] == '\n';
	/* about one entry per line: a bucket per two lines, at least 16 */
	t->nbuckets = 16;
	while (t->nbuckets < lines / 2 && t->nbuckets < (1u << 24))
		t->nbuckets <<= 1;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets)
		goto fail;
	t->wild_tail = &t->wild;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *why;

		line++;
		why = split(p, eol, ws);
		p = nl ? nl + 1 : end;
		rc = -EINVAL;
		if (why) {
			snprintf(err, errlen, "line %u: %s", line, why);
			goto fail;
		}
		if (ws->n == 0)
			continue;
		if (ws->n < 3) {
			snprintf(err, errlen, "line %u: expected client, server and secret", line);
			goto fail;
		}
		rc = add_entry(t, ws, line, err, errlen);
		if (rc)
			goto fail;
	}
	free(ws);
	*out = t;
	return 0;
fail:
	free(ws);
	ppp_users_free(t);
	return rc;
}

static void free_list(struct user_ent *e)
{
	while (e) {
		struct user_ent *next = e->next;

		free(e);
		e = next;
	}
}

void ppp_users_free(struct ppp_users *u)
{
	uint32_t i;

	if (!u)
		return;
	for (i = 0; u->buckets && i < u->nbuckets; i++)
		free_list(u->buckets[i]);
	free_list(u->wild);
	free(u->buckets);
	free(u);
}

size_t ppp_users_count(const struct ppp_users *u)
{
	return u->count;
}

/* In list e: the first entry for client whose server is exactly server, else '*'. */
static const struct ppp_user *match(const struct user_ent *e, const char *client,
				    const char *server)
{
	const struct ppp_user *wild = NULL;

	for (; e; e = e->next) {
		if (strcmp(e->u.client, client) != 0 && strcmp(e->u.client, "*") != 0)
			continue;
		if (!server || strcmp(e->u.server, server) == 0)
			return &e->u;
		if (!wild && strcmp(e->u.server, "*") == 0)
			wild = &e->u;
	}
	return wild;
}

const struct ppp_user *ppp_users_lookup(const struct ppp_users *u, const char *client,
					const char *server)
{
	const struct ppp_user *r;

	r = match(u->buckets[hash(client) & (u->nbuckets - 1)], client, server);
	return r ? r : match(u->wild, client, server);
}

bool ppp_users_check(const struct ppp_users *u, const char *server,
		     const struct ppp_auth_req *req, const struct ppp_user **found)
{
	return ppp_users_verify(u, server, req, found, NULL);
}

bool ppp_users_verify(const struct ppp_users *u, const char *server,
		      const struct ppp_auth_req *req, const struct ppp_user **found,
		      uint8_t auth_resp[MSCHAPV2_AUTH_RESP_LEN])
{
	char name[256];
	const struct ppp_user *e;
	bool ok = false;

	/* PPP names are counted bytes; a NUL inside one can match no entry. */
	if (req->user_len >= sizeof(name) || memchr(req->user, '\0', req->user_len))
		return false;
	memcpy(name, req->user, req->user_len);
	name[req->user_len] = '\0';
	e = ppp_users_lookup(u, name, server);
	if (!e || e->no_addr)
		return false;
	switch (req->method) {
	case PPP_AUTH_PAP:
		ok = ppp_pap_verify(e->secret, e->secret_len, req->password, req->password_len);
		break;
	case PPP_AUTH_CHAP_MD5:
		ok = ppp_chap_md5_verify(req->id, e->secret, e->secret_len, req->challenge,
					 req->challenge_len, req->response, req->response_len);
		break;
	case PPP_AUTH_MSCHAPV2:
		/* RFC 2759 §8.1: the name as the peer sent it goes into ChallengeHash */
		ok = req->nt_response && req->challenge_len == MSCHAPV2_CHALLENGE_LEN &&
		     ppp_mschap_verify(req->user, req->user_len, e->secret, e->secret_len,
				       req->challenge, req->peer_challenge, req->nt_response,
				       auth_resp);
		break;
	case PPP_AUTH_NONE:
	case PPP_AUTH_METHOD_COUNT:
		break;
	}
	if (ok && found)
		*found = e;
	return ok;
}

bool ppp_users_mode_ok(mode_t mode)
{
	return (mode & (S_IROTH | S_IWOTH)) == 0;
}
