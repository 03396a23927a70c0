// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lnsd.conf: the INI reader (inih, one line at a time so every error has
 * FILE:LINE), the generic value parsers, the defaults, generations and the
 * rest of the public API (lib settings, peer matching). The key tables are
 * in conf_sections.c, the secret files in conf_files.c, the dump in
 * conf_dump.c.
 */
#include "conf_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <ini.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

const char conf_embedded_default[] =
	"# lnsd embedded default: control plane on loopback, no tunnel secret.\n"
	"[lnsd]\n"
	"listen = 127.0.0.1:1701\n"
	"control-socket = " CONF_DEFAULT_SOCKET "\n"
	"\n"
	"[l2tp]\n"
	"secret =\n"
	"hide-avps = no\n";

static const char *const sect_names[] = {
	[SECT_NONE] = "", [SECT_LNSD] = "lnsd", [SECT_L2TP] = "l2tp", [SECT_PPP] = "ppp",
	[SECT_IPSEC] = "ipsec", [SECT_RADIUS] = "radius", [SECT_PEER] = "peer",
	[SECT_PW] = "pseudowire",
};

__attribute__((format(printf, 2, 3)))
void cf_perr(struct cf_parser *p, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (p->failed)
		return;
	p->failed = true;
	n = (size_t)snprintf(p->err, p->errlen, "%s:%d: ", p->c->path, p->line);
	if (n >= p->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
}

/* "[l2tp] retransmit-retries" / "[peer lac1] secret" for messages. */
const char *cf_key_label(const struct cf_parser *p, const char *key, char *buf, size_t len)
{
	if (p->sect == SECT_PEER)
		snprintf(buf, len, "[peer %s] %s", p->peer->name, key);
	else if (p->sect == SECT_PW)
		snprintf(buf, len, "[pseudowire %s] %s", p->pw->name, key);
	else
		snprintf(buf, len, "[%s] %s", sect_names[p->sect], key);
	return buf;
}

char *cf_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static bool valid_peer_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return false;
	return true;
}

/*
 * "[KIND NAME]": NAME (trimmed), or NULL when the header is not of that
 * kind; "" with the error written when it is, but the name is missing or bad.
 */
static char *section_name(struct cf_parser *p, char *hdr, const char *kind)
{
	size_t kl = strlen(kind);
	char *name;

	if (strncmp(hdr, kind, kl) != 0 || (hdr[kl] && !isspace((unsigned char)hdr[kl])))
		return NULL;
	name = cf_trim(hdr + kl);
	if (!*name) {
		cf_perr(p, "[%s] needs a name: [%s NAME]", kind, kind);
		return name;
	}
	if (!valid_peer_name(name)) {
		cf_perr(p, "[%s %s]: a %s needs a name of letters, digits, '.', '_' or '-'", kind,
			name, kind);
		return name + strlen(name);
	}
	return name;
}

/* conf_peer and conf_pw both start with their name and line, which named_add() fills in. */
_Static_assert(offsetof(struct conf_peer, name) == 0 && offsetof(struct conf_pw, name) == 0 &&
	       offsetof(struct conf_peer, line) == offsetof(struct conf_pw, line),
	       "named sections start with char *name, int line");

/*
 * A zeroed element of size bytes, named name, appended to *arr (of *n) for
 * a [KIND NAME] header; NULL with the error written for a name already
 * there or without memory (conf_free() frees what was appended).
 */
static void *named_add(struct cf_parser *p, void **arr, size_t *n, size_t size, const char *kind,
		       const char *name)
{
	const size_t line_off = offsetof(struct conf_peer, line);
	char *e;

	for (size_t i = 0; i < *n; i++) {
		e = (char *)*arr + i * size;
		if (strcmp(*(char **)e, name) == 0) {
			cf_perr(p, "duplicate section [%s %s] (first at line %d)", kind, name,
				*(int *)(e + line_off));
			return NULL;
		}
	}
	e = realloc(*arr, (*n + 1) * size);
	if (!e) {
		cf_perr(p, "out of memory");
		return NULL;
	}
	*arr = e;
	e += *n * size;
	memset(e, 0, size);
	*(int *)(e + line_off) = p->line;
	*(char **)e = strdup(name);
	(*n)++;
	if (!*(char **)e) {
		cf_perr(p, "out of memory");
		return NULL;
	}
	return e;
}

static void peer_begin(struct cf_parser *p, const char *name)
{
	struct conf_peer *np = named_add(p, (void **)&p->c->peers, &p->c->n_peers,
					 sizeof(*np), "peer", name);

	if (!np)
		return;
	np->hide_avps = -1;
	p->sect = SECT_PEER;
	p->peer = np;
}

static void pw_begin(struct cf_parser *p, const char *name)
{
	struct conf_pw *np = named_add(p, (void **)&p->c->pws, &p->c->n_pws, sizeof(*np),
				       "pseudowire", name);

	if (!np)
		return;
	np->remote_end_id = strdup("");
	np->secret = strdup("");
	np->secret_file = strdup("");
	if (!np->remote_end_id || !np->secret || !np->secret_file) {
		cf_perr(p, "out of memory");
		return;
	}
	np->retry_min_ms = 1000;
	np->retry_max_ms = 60000;
	p->sect = SECT_PW;
	p->pw = np;
}

/* A section header was read (from the reader, so empty sections count too). */
static void section_begin(struct cf_parser *p, char *name)
{
	static const struct {
		const char *name;
		enum cf_sect sect;
	} plain[] = {
		{ "lnsd", SECT_LNSD }, { "l2tp", SECT_L2TP }, { "ppp", SECT_PPP },
		{ "ipsec", SECT_IPSEC }, { "radius", SECT_RADIUS },
	};
	struct lnsd_conf *c = p->c;
	char *n;

	name = cf_trim(name);
	p->peer = NULL;
	p->pw = NULL;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (strcmp(name, plain[i].name) == 0)
			p->sect = plain[i].sect;
	if (strcmp(name, "ipsec") == 0) {
		if (!c->ipsec.present)
			c->ipsec.mode = CONF_IPSEC_REQUIRED;
		c->ipsec.present = true;
		if (!c->ipsec_line)
			c->ipsec_line = p->line;
		return;
	}
	if (strcmp(name, "radius") == 0) {
		if (!c->radius.enabled)
			c->radius.line = p->line;
		c->radius.enabled = true;
		return;
	}
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (strcmp(name, plain[i].name) == 0)
			return;
	n = section_name(p, name, "peer");
	if (n) {
		if (!p->failed)
			peer_begin(p, n);
		return;
	}
	n = section_name(p, name, "pseudowire");
	if (n) {
		if (!p->failed)
			pw_begin(p, n);
		return;
	}
	cf_perr(p, "unknown section [%s] (expected [lnsd], [l2tp], [ppp], [ipsec], "
		"[radius], [peer NAME] or [pseudowire NAME])", name);
}

/*
 * A NUL byte would cut the line short for inih, silently: a secret
 * "ab<NUL>cd" would become "ab". The key is named when the NUL is in a value.
 */
static void nul_in_line(struct cf_parser *p, const char *buf, size_t n)
{
	const char *nul = memchr(buf, '\0', n), *eq = memchr(buf, '=', n);
	char key[64], lbl[160];
	size_t kl;

	if (!eq || eq > nul || p->sect == SECT_NONE || (p->sect == SECT_PEER && !p->peer) ||
	    (p->sect == SECT_PW && !p->pw)) {
		cf_perr(p, "the line holds a NUL byte");
		return;
	}
	kl = (size_t)(eq - buf) < sizeof(key) ? (size_t)(eq - buf) : sizeof(key) - 1;
	memcpy(key, buf, kl);
	key[kl] = '\0';
	cf_perr(p, "%s: the value holds a NUL byte",
		cf_key_label(p, cf_trim(key), lbl, sizeof(lbl)));
}

/*
 * inih reader: one call per physical line, so p->line is exact. Section
 * headers are recognised here rather than in the handler because inih does
 * not report sections without keys.
 */
static char *reader(char *buf, int size, void *stream)
{
	struct cf_parser *p = stream;
	size_t n = 0;
	int ch;

	if (p->failed)
		return NULL;
	for (;;) {
		if (p->f) {
			ch = fgetc(p->f);
		} else {
			ch = p->text[p->pos] ? (unsigned char)p->text[p->pos] : EOF;
			if (ch != EOF)
				p->pos++;
		}
		if (ch == EOF || ch == '\n')
			break;
		if (n + 2 >= (size_t)size) {
			p->line++;
			cf_perr(p, "line too long (at most %d characters)", size - 2);
			return NULL;
		}
		buf[n++] = (char)ch;
	}
	if (ch == EOF && p->f && ferror(p->f)) {
		cf_perr(p, "cannot read: %s", strerror(errno));
		return NULL;
	}
	if (ch == EOF && n == 0)
		return NULL;
	buf[n] = '\0';
	p->line++;
	if (memchr(buf, '\0', n)) {
		nul_in_line(p, buf, n);
		return NULL;
	}

	char tmp[n + 1];
	char *s, *e;

	memcpy(tmp, buf, n + 1);
	s = tmp;
	if (p->line == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	s = cf_trim(s);
	if (*s == '[') {
		e = strchr(s, ']');
		if (!e) {
			cf_perr(p, "section header without ']'");
			return NULL;
		}
		*e = '\0';
		section_begin(p, s + 1);
		if (p->failed)
			return NULL;
	}
	return buf;
}

/* ---- value parsers: 0 or an error message written with cf_perr ---------- */

int cf_parse_uint(struct cf_parser *p, const char *lbl, const char *v, uint64_t *out)
{
	char *end;

	if (!*v || !isdigit((unsigned char)*v)) {
		cf_perr(p, "%s: \"%s\" is not a number", lbl, v);
		return -1;
	}
	errno = 0;
	*out = strtoull(v, &end, 10);
	if (*end) {
		cf_perr(p, "%s: \"%s\" is not a number", lbl, v);
		return -1;
	}
	if (errno == ERANGE)
		*out = UINT64_MAX;
	return 0;
}

/* Decimal seconds with up to three fractional digits, into milliseconds. */
int cf_parse_seconds(struct cf_parser *p, const char *lbl, const char *v, uint64_t *ms)
{
	const char *s = v;
	uint64_t whole = 0, frac = 0;
	int nfrac = 0;

	if (!isdigit((unsigned char)*s))
		goto bad;
	for (; isdigit((unsigned char)*s); s++)
		whole = whole < 100000000 ? whole * 10 + (uint64_t)(*s - '0') : UINT64_MAX / 2000;
	if (*s == '.') {
		for (s++; isdigit((unsigned char)*s); s++, nfrac++)
			if (nfrac < 3)
				frac = frac * 10 + (uint64_t)(*s - '0');
			else if (*s != '0')
				goto bad;
		if (nfrac == 0)
			goto bad;
	}
	if (*s)
		goto bad;
	for (int i = nfrac < 3 ? nfrac : 3; i < 3; i++)
		frac *= 10;
	*ms = whole * 1000 + frac;
	return 0;
bad:
	cf_perr(p, "%s: \"%s\" is not a number of seconds (like 30 or 0.5; millisecond resolution)",
		lbl, v);
	return -1;
}

int cf_parse_bool(struct cf_parser *p, const char *lbl, const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	cf_perr(p, "%s: \"%s\" is not yes or no", lbl, v);
	return -1;
}

/* A decimal port 1-65535, the whole string. */
int cf_parse_port(const char *s, uint16_t *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtoul(s, &end, 10);
	if (*end || v == 0 || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

/* "192.0.2.1:1701", "192.0.2.1" (port 1701), "[2001:db8::1]:1701", "[::]". */
int cf_parse_hostport(const char *item, struct lns_addr *a)
{
	char host[64];
	const char *port = NULL;
	uint8_t raw[16];
	size_t hl;

	memset(a, 0, sizeof(*a));
	if (*item == '[') {
		const char *e = strchr(item, ']');

		if (!e || (size_t)(e - item - 1) >= sizeof(host))
			return -1;
		hl = (size_t)(e - item - 1);
		memcpy(host, item + 1, hl);
		host[hl] = '\0';
		if (e[1] == ':')
			port = e + 2;
		else if (e[1])
			return -1;
		if (inet_pton(AF_INET6, host, raw) != 1)
			return -1;
		a->family = 6;
		memcpy(a->addr, raw, 16);
	} else {
		const char *colon = strchr(item, ':');

		hl = colon ? (size_t)(colon - item) : strlen(item);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, item, hl);
		host[hl] = '\0';
		port = colon ? colon + 1 : NULL;
		if (inet_pton(AF_INET, host, raw) != 1)
			return -1;
		a->family = 4;
		memcpy(a->addr, raw, 4);
	}
	a->port = L2TP_UDP_PORT;
	if (port && cf_parse_port(port, &a->port))
		return -1;
	return 0;
}

/* Whether an address from cf_parse_hostport carried a port. */
bool cf_has_port(const char *v)
{
	return strchr(v[0] == '[' ? strchr(v, ']') : v, ':') != NULL;
}

/* Split a comma-separated list in place; calls fn on each trimmed item. */
int cf_for_each_item(struct cf_parser *p, const char *lbl, const char *v, cf_item_fn fn, void *ctx)
{
	char *copy = strdup(v), *save = NULL, *tok;
	int ret = 0, n = 0;

	if (!copy) {
		cf_perr(p, "out of memory");
		return -1;
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *it = cf_trim(tok);

		if (!*it)
			continue;
		n++;
		ret = fn(p, lbl, it, ctx);
		if (ret)
			break;
	}
	if (!ret && n == 0) {
		cf_perr(p, "%s: empty list", lbl);
		ret = -1;
	}
	free(copy);
	return ret;
}

/* "192.0.2.0/24", "2001:db8::/32" or a bare address (a full-length prefix). */
int cf_parse_cidr(struct cf_parser *p, const char *lbl, char *item, struct conf_cidr *out)
{
	struct conf_cidr cidr = { 0 };
	char *slash = strchr(item, '/');
	unsigned long prefix;
	unsigned max;

	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, item, cidr.addr) == 1) {
		cidr.family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, item, cidr.addr) == 1) {
		cidr.family = 6;
		max = 128;
	} else {
		goto bad;
	}
	prefix = max;
	if (slash) {
		char *end;

		if (!isdigit((unsigned char)slash[1]))
			goto bad;
		prefix = strtoul(slash + 1, &end, 10);
		if (*end || prefix > max)
			goto bad;
	}
	cidr.prefix = (uint8_t)prefix;
	for (unsigned bit = (unsigned)prefix; bit < max; bit++) {
		if (cidr.addr[bit / 8] & (0x80 >> (bit % 8))) {
			if (slash)
				*slash = '/';
			cf_perr(p, "%s: \"%s\" has bits set beyond the /%lu prefix", lbl, item,
				prefix);
			return -1;
		}
	}
	*out = cidr;
	return 0;
bad:
	if (slash)
		*slash = '/';
	cf_perr(p, "%s: \"%s\" is not an address or CIDR prefix (like 192.0.2.0/24 or "
		"2001:db8::/32)", lbl, item);
	return -1;
}

int cf_parse_ipv4(const char *v, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, v, &a) != 1 || a.s_addr == 0)
		return -1;
	*out = ntohl(a.s_addr);
	return 0;
}

/* An IPv4 or IPv6 address (no port, no brackets) into a; port 0. */
int cf_parse_addr(const char *v, struct lns_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, v, a->addr) == 1)
		a->family = 4;
	else if (inet_pton(AF_INET6, v, a->addr) == 1)
		a->family = 6;
	else
		return -1;
	return 0;
}

/* Replace the string at field with a copy of v. */
int cf_set_str(struct cf_parser *p, void *field, const char *v)
{
	char *s = strdup(v);

	if (!s) {
		cf_perr(p, "out of memory");
		return -1;
	}
	free(*(char **)field);
	*(char **)field = s;
	return 0;
}

static void conf_free(struct lnsd_conf *c)
{
	for (size_t i = 0; i < c->n_peers; i++) {
		struct conf_peer *pe = &c->peers[i];

		for (size_t j = 0; j < pe->n_hostnames; j++)
			free(pe->hostnames[j]);
		free(pe->hostnames);
		free(pe->cidrs);
		free(pe->secret);
		free(pe->name);
	}
	free(c->peers);
	for (size_t i = 0; i < c->n_pws; i++) {
		struct conf_pw *pw = &c->pws[i];

		free(pw->name);
		free(pw->remote_end_id);
		if (pw->secret)
			explicit_bzero(pw->secret, strlen(pw->secret));
		free(pw->secret);
		free(pw->secret_file);
	}
	free(c->pws);
	for (size_t i = 0; i < c->n_rate_profiles; i++)
		free(c->rate_profiles[i].name);
	free(c->rate_profiles);
	for (size_t i = 0; i < c->radius.n_servers; i++)
		free(c->radius.servers[i].secret);
	free(c->radius.servers);
	for (size_t i = 0; i < c->radius.n_dae_clients; i++)
		free(c->radius.dae_clients[i].secret);
	free(c->radius.dae_clients);
	free(c->radius.nas_identifier);
	free(c->listen);
	free(c->control_socket);
	free(c->secret);
	free(c->ppp_pool);
	free(c->ppp_users_file);
	free(c->ipsec.vici_socket);
	free(c->ipsec.psk);
	free(c->ipsec.psk_file);
	free(c->ipsec.proposals);
	free(c->ipsec.esp_proposals);
	free(c->path);
	free(c);
}

static struct lnsd_conf *conf_new(const char *name)
{
	struct lnsd_conf *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->refs = 1;
	c->path = strdup(name);
	c->control_socket = strdup(CONF_DEFAULT_SOCKET);
	c->secret = strdup("");
	c->ppp_pool = strdup("");
	c->ppp_users_file = strdup("");
	c->radius.nas_identifier = strdup("");
	c->listen = calloc(1, sizeof(*c->listen));
	c->ipsec.vici_socket = strdup(CONF_DEFAULT_VICI_SOCKET);
	c->ipsec.psk = strdup("");
	c->ipsec.psk_file = strdup("");
	c->ipsec.proposals = strdup("");
	c->ipsec.esp_proposals = strdup("");
	if (!c->path || !c->control_socket || !c->secret || !c->listen || !c->ppp_pool ||
	    !c->ppp_users_file || !c->ipsec.vici_socket || !c->ipsec.psk || !c->ipsec.psk_file ||
	    !c->ipsec.proposals || !c->ipsec.esp_proposals || !c->radius.nas_identifier) {
		conf_free(c);
		return NULL;
	}
	c->n_listen = 1;
	c->listen[0].family = 4;
	c->listen[0].port = L2TP_UDP_PORT;   /* 0.0.0.0:1701 */
	c->dataplane = CONF_DP_AUTO;
	c->log_level = LOG_LVL_INFO;
	/* A burst of redialling LACs lands on the listener (docs/design.md §8.1);
	 * a tunnel's own socket sees at most a window of messages at a time. */
	c->listen_rcvbuf = 4u << 20;
	c->tunnel_rcvbuf = 0;
	c->hello_interval_ms = 60000;
	c->retransmit_timeout_ms = 1000;
	c->retransmit_cap_ms = 8000;
	c->retransmit_retries = 5;
	c->receive_window = 16;
	c->max_tunnels = 0;
	c->max_sessions = 0;
	c->max_half_open = 1000;
	c->max_half_open_per_peer = 64;
	c->max_sessions_per_tunnel = 0;
	c->setup_timeout_ms = 30000;
	c->stopccn_hold_ms = 31000;
	c->max_starting = 0;
	/* [ppp]: CHAP first (the password never crosses the wire), PAP for old clients. */
	c->ppp_auth[0] = PPP_AUTH_CHAP_MD5;
	c->ppp_auth[1] = PPP_AUTH_PAP;
	c->ppp_n_auth = 2;
	c->ppp_mru = 0;              /* auto */
	c->ppp_mss_clamp = true;
	c->lcp_echo_interval_ms = 30000;
	c->lcp_echo_failures = 4;
	c->ppp_ipv6_pd_len = 56;
	c->ppp_ipv6_valid_s = 86400;
	c->ppp_ipv6_preferred_s = 14400;
	c->ppp_ipv6_ra_interval_s = 300;
	c->ipsec.ike_version = 1;
	c->ipsec.reqid = CONF_DEFAULT_IPSEC_REQID;
	c->ipsec.dpd_delay_s = 30;
	c->radius.timeout_s = 3;
	c->radius.retries = 2;
	c->radius.require_msg_auth = true;
	c->radius.accounting = true;
	c->radius.dae_require_event_timestamp = true;
	if (gethostname(c->hostname, sizeof(c->hostname) - 1) != 0 || !c->hostname[0])
		strcpy(c->hostname, "lnsd");
	return c;
}

static struct lnsd_conf *conf_parse(struct cf_parser *p, const char *name, char *err, size_t errlen)
{
	int rc;

	p->err = err;
	p->errlen = errlen;
	err[0] = '\0';
	p->c = conf_new(name);
	if (!p->c) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	rc = ini_parse_stream(reader, p, cf_handler, p);
	if (!p->failed && rc > 0) {
		p->line = rc;
		cf_perr(p, "syntax error (expected [section] or key = value)");
	} else if (!p->failed && rc < 0) {
		cf_perr(p, "cannot parse (error %d)", rc);
	}
	if (!p->failed)
		cf_finalize(p);
	if (p->failed) {
		conf_free(p->c);
		return NULL;
	}
	return p->c;
}

struct lnsd_conf *conf_load_file(const char *path, char *err, size_t errlen)
{
	struct cf_parser p = { 0 };
	struct lnsd_conf *c;

	struct stat st;

	p.f = fopen(path, "re");
	if (!p.f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	/* fopen() opens a directory; reading it would look like an empty file */
	if (fstat(fileno(p.f), &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, not a configuration file", path);
		fclose(p.f);
		return NULL;
	}
	c = conf_parse(&p, path, err, errlen);
	fclose(p.f);
	return c;
}

struct lnsd_conf *conf_load_string(const char *text, const char *name, char *err, size_t errlen)
{
	struct cf_parser p = { 0 };

	p.text = text;
	return conf_parse(&p, name, err, errlen);
}

struct lnsd_conf *conf_ref(struct lnsd_conf *c)
{
	if (c)
		c->refs++;
	return c;
}

void conf_unref(struct lnsd_conf *c)
{
	if (c && --c->refs == 0)
		conf_free(c);
}

void conf_to_ppp_cfg(const struct lnsd_conf *c, struct ppp_cfg *out)
{
	ppp_cfg_default(out);
	memcpy(out->lcp.auth, c->ppp_auth, sizeof(out->lcp.auth));
	out->lcp.n_auth = c->ppp_n_auth;
	/* auto: PPP's default until the session's own (lcp_set_mru(), pw_ppp.c) */
	out->lcp.mru = (uint16_t)(c->ppp_mru ? c->ppp_mru : PPP_DEFAULT_MRU);
	out->lcp.echo_interval_ms = c->lcp_echo_interval_ms;
	out->lcp.echo_failures = (uint8_t)c->lcp_echo_failures;
	out->auth.name = c->hostname;
	out->ipcp.local_ip = c->ppp_local_ip;
	out->ipcp.dns1 = c->ppp_dns[0];
	out->ipcp.dns2 = c->ppp_dns[1];
	out->ipv6cp.enabled = c->ppp_ipv6;
}

void conf_to_lns_cfg(const struct lnsd_conf *c, struct l2tp_lns_cfg *out)
{
	l2tp_lns_cfg_default(out);
	snprintf(out->hostname, sizeof(out->hostname), "%s", c->hostname);
	snprintf(out->vendor, sizeof(out->vendor), "lnsd %s", LNSD_VERSION);
	out->rel.our_rws = (uint16_t)c->receive_window;
	out->rel.rto_initial_ms = c->retransmit_timeout_ms;
	out->rel.rto_cap_ms = c->retransmit_cap_ms;
	out->rel.max_retries = c->retransmit_retries;
	out->hello_interval_ms = c->hello_interval_ms;
	out->setup_timeout_ms = c->setup_timeout_ms;
	out->stopccn_hold_ms = c->stopccn_hold_ms;
	out->max_tunnels = c->max_tunnels;
	out->max_half_open = c->max_half_open;
	out->max_half_open_per_peer = c->max_half_open_per_peer;
	out->max_sessions = c->max_sessions;
	out->max_sessions_per_tunnel = c->max_sessions_per_tunnel;
	out->peer_lookup = conf_peer_lookup;
	out->peer_ctx = (void *)c;
	out->default_peer = &c->default_peer;
}

bool conf_cidr_match(const struct conf_cidr *c, const struct lns_addr *a)
{
	unsigned full = c->prefix / 8, rest = c->prefix % 8;

	if (c->family != a->family)
		return false;
	if (memcmp(c->addr, a->addr, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		if ((c->addr[full] & mask) != (a->addr[full] & mask))
			return false;
	}
	return true;
}

static bool peer_matches(const struct conf_peer *pe, const struct lns_addr *addr,
			 const char *hostname)
{
	bool ok;

	if (pe->n_cidrs) {
		ok = false;
		for (size_t i = 0; i < pe->n_cidrs && !ok; i++)
			ok = conf_cidr_match(&pe->cidrs[i], addr);
		if (!ok)
			return false;
	}
	if (pe->n_hostnames) {
		ok = false;
		for (size_t i = 0; i < pe->n_hostnames && !ok && hostname; i++)
			ok = fnmatch(pe->hostnames[i], hostname, FNM_CASEFOLD) == 0;
		if (!ok)
			return false;
	}
	return true;
}

const struct l2tp_peer_cfg *conf_peer_lookup(void *ctx, const struct lns_addr *peer,
					     const char *hostname)
{
	const struct lnsd_conf *c = ctx;

	for (size_t i = 0; i < c->n_peers; i++)
		if (peer_matches(&c->peers[i], peer, hostname))
			return &c->peers[i].pc;
	return &c->default_peer;
}

const struct l2tp_peer_cfg *conf_peer_by_name(const struct lnsd_conf *c, const char *name)
{
	for (size_t i = 0; name && i < c->n_peers; i++)
		if (strcmp(c->peers[i].name, name) == 0)
			return &c->peers[i].pc;
	return &c->default_peer;
}

const struct conf_pw *conf_pw_by_name(const struct lnsd_conf *c, const char *name)
{
	for (size_t i = 0; name && i < c->n_pws; i++)
		if (strcmp(c->pws[i].name, name) == 0)
			return &c->pws[i];
	return NULL;
}

/* Member by member: the struct has padding, and strings are compared by value. */
bool conf_pw_same(const struct conf_pw *a, const struct conf_pw *b)
{
	return strcmp(a->name, b->name) == 0 && lns_addr_eq(&a->peer, &b->peer) &&
	       a->peer_port_set == b->peer_port_set && lns_addr_eq(&a->local, &b->local) &&
	       a->encap == b->encap && a->type == b->type &&
	       strcmp(a->remote_end_id, b->remote_end_id) == 0 &&
	       a->cookie_len == b->cookie_len && a->l2spec == b->l2spec &&
	       a->sequencing == b->sequencing && strcmp(a->ifname, b->ifname) == 0 &&
	       strcmp(a->bridge, b->bridge) == 0 && a->address.family == b->address.family &&
	       a->address.prefix == b->address.prefix &&
	       memcmp(a->address.addr, b->address.addr, sizeof(a->address.addr)) == 0 &&
	       a->mtu == b->mtu && strcmp(a->secret, b->secret) == 0 &&
	       strcmp(a->secret_file, b->secret_file) == 0 && a->auth == b->auth &&
	       a->digest == b->digest && a->role == b->role &&
	       a->hello_interval_ms == b->hello_interval_ms &&
	       a->retry_min_ms == b->retry_min_ms && a->retry_max_ms == b->retry_max_ms &&
	       a->ipsec == b->ipsec;
}

size_t conf_pw_group(const struct lnsd_conf *c, size_t i)
{
	const struct conf_pw *p = &c->pws[i];

	for (size_t j = 0; j < i; j++)
		if (c->pws[j].encap == p->encap && lns_addr_eq(&c->pws[j].peer, &p->peer) &&
		    lns_addr_eq(&c->pws[j].local, &p->local))
			return j;
	return i;
}
