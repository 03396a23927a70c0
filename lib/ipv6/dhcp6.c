// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DHCPv6 server codec (dhcp6.h). Every option is read through bounds-checked
 * offsets; the writer keeps an overflow flag so that one check at the end
 * covers every write.
 */
#include <errno.h>
#include <string.h>

#include "dhcp6.h"
#include "nd.h"

#define DUID_LLT 1                     /* RFC 8415 §11.1 */
#define DUID_LL 3
#define HWTYPE_ETHERNET 1
#define DUID_EPOCH 946684800u          /* 2000-01-01 00:00:00 UTC, §11.2 */
#define IA_PD_FIXED 12                 /* IAID, T1, T2 */
#define IAPREFIX_FIXED 25              /* preferred, valid, length, prefix */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

size_t dhcp6_duid_ll(const uint8_t mac[6], uint8_t out[DHCP6_DUID_MAX])
{
	out[0] = 0;
	out[1] = DUID_LL;
	out[2] = 0;
	out[3] = HWTYPE_ETHERNET;
	memcpy(out + 4, mac, 6);
	return 10;
}

size_t dhcp6_duid_llt(const uint8_t mac[6], uint64_t unix_s, uint8_t out[DHCP6_DUID_MAX])
{
	uint32_t t = unix_s > DUID_EPOCH ? (uint32_t)(unix_s - DUID_EPOCH) : 0;

	out[0] = 0;
	out[1] = DUID_LLT;
	out[2] = 0;
	out[3] = HWTYPE_ETHERNET;
	out[4] = (uint8_t)(t >> 24);
	out[5] = (uint8_t)(t >> 16);
	out[6] = (uint8_t)(t >> 8);
	out[7] = (uint8_t)t;
	memcpy(out + 8, mac, 6);
	return 14;
}

const char *dhcp6_check_str(enum dhcp6_check c)
{
	static const char *const names[DHCP6_CHECK_COUNT] = {
		[DHCP6_OK] = "ok",
		[DHCP6_SHORT] = "short",
		[DHCP6_BAD_OPTION] = "bad-option",
		[DHCP6_NOT_SERVED] = "not-served",
		[DHCP6_NO_CLIENT_ID] = "no-client-id",
		[DHCP6_UNEXPECTED_SERVER_ID] = "unexpected-server-id",
		[DHCP6_NO_SERVER_ID] = "no-server-id",
		[DHCP6_OTHER_SERVER] = "other-server",
		[DHCP6_IA_IN_INFO_REQUEST] = "ia-in-information-request",
	};

	return (unsigned)c < DHCP6_CHECK_COUNT ? names[c] : "?";
}

typedef enum dhcp6_check (*opt_fn)(uint16_t code, const uint8_t *v, size_t n,
				   struct dhcp6_msg *m);

/* §21.1: code, length, value, to the end of p; each to fn. */
static enum dhcp6_check walk_options(const uint8_t *p, size_t len, opt_fn fn,
				     struct dhcp6_msg *m)
{
	size_t off;
	enum dhcp6_check rc;

	for (off = 0; off < len; off += 4 + (size_t)get16(p + off + 2)) {
		if (len - off < 4 || get16(p + off + 2) > len - off - 4)
			return DHCP6_BAD_OPTION;
		rc = fn(get16(p + off), p + off + 4, get16(p + off + 2), m);
		if (rc != DHCP6_OK)
			return rc;
	}
	return DHCP6_OK;
}

/* Inside an IA_PD: the first IA Prefix (§21.22) is the client's hint. */
static enum dhcp6_check parse_ia_pd_option(uint16_t code, const uint8_t *v, size_t n,
					   struct dhcp6_msg *m)
{
	if (code != DHCP6_OPT_IAPREFIX)
		return DHCP6_OK;
	if (n < IAPREFIX_FIXED || v[8] > 128)
		return DHCP6_BAD_OPTION;
	if (!m->has_hint) {
		m->has_hint = true;
		m->hint.len = v[8];
		memcpy(m->hint.addr, v + 9, 16);
		ip6_prefix_mask(&m->hint);
	}
	return DHCP6_OK;
}

/* §21.21: IAID, T1, T2, options. */
static enum dhcp6_check parse_ia_pd(const uint8_t *v, size_t n, struct dhcp6_msg *m)
{
	if (n < IA_PD_FIXED)
		return DHCP6_BAD_OPTION;
	m->has_ia_pd = true;
	m->pd_iaid = get32(v);
	m->pd_t1 = get32(v + 4);
	m->pd_t2 = get32(v + 8);
	return walk_options(v + IA_PD_FIXED, n - IA_PD_FIXED, parse_ia_pd_option, m);
}

static enum dhcp6_check parse_option(uint16_t code, const uint8_t *v, size_t n,
				     struct dhcp6_msg *m)
{
	size_t i;

	switch (code) {
	case DHCP6_OPT_CLIENTID:
	case DHCP6_OPT_SERVERID:
		/* §11.1: a 2-byte type and at least one byte more */
		if (n < 3 || n > DHCP6_DUID_MAX)
			return DHCP6_BAD_OPTION;
		if (code == DHCP6_OPT_CLIENTID) {
			memcpy(m->client_id, v, n);
			m->client_id_len = n;
		} else {
			memcpy(m->server_id, v, n);
			m->server_id_len = n;
		}
		return DHCP6_OK;
	case DHCP6_OPT_IA_NA:
		if (n < 12)
			return DHCP6_BAD_OPTION;
		if (!m->has_ia_na)
			m->na_iaid = get32(v);
		m->has_ia_na = true;
		return DHCP6_OK;
	case DHCP6_OPT_IA_TA:
		if (n < 4)
			return DHCP6_BAD_OPTION;
		m->has_ia_ta = true;
		return DHCP6_OK;
	case DHCP6_OPT_IA_PD:
		return m->has_ia_pd ? DHCP6_OK : parse_ia_pd(v, n, m);
	case DHCP6_OPT_ORO:
		if (n % 2)
			return DHCP6_BAD_OPTION;
		for (i = 0; i < n; i += 2) {
			if (get16(v + i) == DHCP6_OPT_DNS_SERVERS)
				m->want_dns = true;
			if (get16(v + i) == DHCP6_OPT_DOMAIN_LIST)
				m->want_domains = true;
		}
		return DHCP6_OK;
	case DHCP6_OPT_RAPID_COMMIT:
		if (n != 0)
			return DHCP6_BAD_OPTION;
		m->rapid_commit = true;
		return DHCP6_OK;
	case DHCP6_OPT_ELAPSED_TIME:
		return n == 2 ? DHCP6_OK : DHCP6_BAD_OPTION;
	default:
		return DHCP6_OK;       /* §16: unknown options are ignored */
	}
}

enum dhcp6_check dhcp6_parse(const uint8_t *pkt, size_t len, struct dhcp6_msg *m)
{
	enum dhcp6_check rc;

	memset(m, 0, sizeof(*m));
	if (len < 4)
		return DHCP6_SHORT;
	m->type = pkt[0];
	m->xid = (uint32_t)pkt[1] << 16 | get16(pkt + 2);
	rc = walk_options(pkt + 4, len - 4, parse_option, m);
	if (rc != DHCP6_OK)
		return rc;
	/* §16.2-§16.12: which identifiers each type must and must not carry */
	switch (m->type) {
	case DHCP6_SOLICIT:
	case DHCP6_REBIND:
		if (!m->client_id_len)
			return DHCP6_NO_CLIENT_ID;
		return m->server_id_len ? DHCP6_UNEXPECTED_SERVER_ID : DHCP6_OK;
	case DHCP6_REQUEST:
	case DHCP6_RENEW:
	case DHCP6_RELEASE:
		if (!m->client_id_len)
			return DHCP6_NO_CLIENT_ID;
		return m->server_id_len ? DHCP6_OK : DHCP6_NO_SERVER_ID;
	case DHCP6_INFORMATION_REQUEST:
		return m->has_ia_na || m->has_ia_ta || m->has_ia_pd ? DHCP6_IA_IN_INFO_REQUEST
								    : DHCP6_OK;
	default:
		/* Confirm and Decline concern addresses, which this server does not hand out */
		return DHCP6_NOT_SERVED;
	}
}

/* ---- writer ---------------------------------------------------------- */

struct wr {
	uint8_t *buf;
	size_t cap, len;
	bool over;
};

static uint8_t *wr_take(struct wr *w, size_t n)
{
	uint8_t *p;

	if (w->over || n > w->cap - w->len) {
		w->over = true;
		return NULL;
	}
	p = w->buf + w->len;
	w->len += n;
	return p;
}

static void wr16(struct wr *w, uint32_t v)
{
	uint8_t *p = wr_take(w, 2);

	if (p) {
		p[0] = (uint8_t)(v >> 8);
		p[1] = (uint8_t)v;
	}
}

static void wr32(struct wr *w, uint32_t v)
{
	wr16(w, v >> 16);
	wr16(w, v & 0xffff);
}

static void wr_bytes(struct wr *w, const void *v, size_t n)
{
	uint8_t *p = wr_take(w, n);

	if (p && n)
		memcpy(p, v, n);
}

/* Start an option; its length is filled in by opt_end(). */
static size_t opt_begin(struct wr *w, uint16_t code)
{
	size_t at = w->len;

	wr16(w, code);
	wr16(w, 0);
	return at;
}

static void opt_end(struct wr *w, size_t at)
{
	size_t n = w->len - at - 4;

	if (w->over)
		return;
	w->buf[at + 2] = (uint8_t)(n >> 8);
	w->buf[at + 3] = (uint8_t)n;
}

static void wr_status(struct wr *w, enum dhcp6_status st, const char *text)
{
	size_t at = opt_begin(w, DHCP6_OPT_STATUS_CODE);

	wr16(w, st);
	wr_bytes(w, text, strlen(text));
	opt_end(w, at);
}

static void wr_dns(struct wr *w, const struct dhcp6_srv_conf *c, const struct dhcp6_msg *m)
{
	unsigned i;
	size_t at;

	if (m->want_dns && c->n_dns) {
		at = opt_begin(w, DHCP6_OPT_DNS_SERVERS);
		for (i = 0; i < c->n_dns && i < DHCP6_MAX_DNS; i++)
			wr_bytes(w, c->dns[i], 16);
		opt_end(w, at);
	}
	if (m->want_domains && c->n_domains) {
		at = opt_begin(w, DHCP6_OPT_DOMAIN_LIST);
		for (i = 0; i < c->n_domains && i < DHCP6_MAX_DOMAINS; i++) {
			uint8_t name[ND_DOMAIN_MAX + 2];
			int n = nd_put_dns_name(name, sizeof(name), c->domains[i]);

			if (n > 0)     /* the daemon checked the names at load */
				wr_bytes(w, name, (size_t)n);
		}
		opt_end(w, at);
	}
}

/* IA_PD with the session's prefix, or with a status in it (§21.21, §21.22). */
static void wr_ia_pd(struct wr *w, const struct dhcp6_srv_conf *c, const struct dhcp6_msg *m,
		     const struct ip6_prefix *pfx, enum dhcp6_status st)
{
	size_t at = opt_begin(w, DHCP6_OPT_IA_PD), sub;

	wr32(w, m->pd_iaid);
	wr32(w, pfx ? c->t1_s : 0);
	wr32(w, pfx ? c->t2_s : 0);
	if (pfx) {
		sub = opt_begin(w, DHCP6_OPT_IAPREFIX);
		wr32(w, c->preferred_s);
		wr32(w, c->valid_s);
		wr_bytes(w, &pfx->len, 1);
		wr_bytes(w, pfx->addr, 16);
		opt_end(w, sub);
	} else {
		wr_status(w, st, st == DHCP6_ST_NO_BINDING ? "no binding" : "no prefix available");
	}
	opt_end(w, at);
}

static bool same_client(const struct dhcp6_binding *b, const struct dhcp6_msg *m)
{
	return b->client_id_len == m->client_id_len &&
	       memcmp(b->client_id, m->client_id, m->client_id_len) == 0 && b->iaid == m->pd_iaid;
}

static void bind_to(const struct dhcp6_srv_conf *c, struct dhcp6_binding *b,
		 const struct dhcp6_msg *m, uint64_t now_ms, enum dhcp6_event *ev)
{
	*ev = b->bound ? DHCP6_EV_RENEWED : DHCP6_EV_BOUND;
	b->bound = true;
	memcpy(b->client_id, m->client_id, m->client_id_len);
	b->client_id_len = m->client_id_len;
	b->iaid = m->pd_iaid;
	b->expires_ms = now_ms + (uint64_t)c->valid_s * 1000;
}

int dhcp6_srv_input(const struct dhcp6_srv_conf *c, struct dhcp6_binding *b, const uint8_t *pkt,
		    size_t len, uint64_t now_ms, uint8_t *out, size_t cap, enum dhcp6_check *why,
		    enum dhcp6_event *ev)
{
	struct dhcp6_msg m;
	struct wr w = { .buf = out, .cap = cap };
	bool free_for_client, commit = false;
	uint8_t type;

	*ev = DHCP6_EV_NONE;
	*why = dhcp6_parse(pkt, len, &m);
	if (*why != DHCP6_OK)
		return 0;
	if (m.server_id_len &&
	    (m.server_id_len != c->duid_len || memcmp(m.server_id, c->duid, c->duid_len) != 0)) {
		*why = DHCP6_OTHER_SERVER;
		return 0;
	}
	/* §18.3.1: Reply at once to a Solicit with Rapid Commit, else Advertise */
	type = m.type == DHCP6_SOLICIT && !m.rapid_commit ? DHCP6_ADVERTISE : DHCP6_REPLY;
	wr_bytes(&w, &type, 1);
	wr_bytes(&w, (uint8_t[]){ (uint8_t)(m.xid >> 16), (uint8_t)(m.xid >> 8), (uint8_t)m.xid },
		 3);
	wr16(&w, DHCP6_OPT_SERVERID);
	wr16(&w, (uint32_t)c->duid_len);
	wr_bytes(&w, c->duid, c->duid_len);
	if (m.client_id_len) {
		wr16(&w, DHCP6_OPT_CLIENTID);
		wr16(&w, (uint32_t)m.client_id_len);
		wr_bytes(&w, m.client_id, m.client_id_len);
	}
	free_for_client = b->has_prefix && (!b->bound || same_client(b, &m));
	switch (m.type) {
	case DHCP6_SOLICIT:
		if (m.rapid_commit) {
			opt_end(&w, opt_begin(&w, DHCP6_OPT_RAPID_COMMIT));
			commit = true;
		}
		/* fall through */
	case DHCP6_REQUEST:
		commit = commit || m.type == DHCP6_REQUEST;
		if (m.has_ia_na) {     /* addresses come from the RA: §18.3.2 per IA */
			size_t at = opt_begin(&w, DHCP6_OPT_IA_NA);

			wr32(&w, m.na_iaid);
			wr32(&w, 0);
			wr32(&w, 0);
			wr_status(&w, DHCP6_ST_NO_ADDRS_AVAIL, "addresses by SLAAC");
			opt_end(&w, at);
		}
		if (m.has_ia_pd) {
			wr_ia_pd(&w, c, &m, free_for_client ? &b->prefix : NULL,
				 DHCP6_ST_NO_PREFIX_AVAIL);
			if (free_for_client && commit)
				bind_to(c, b, &m, now_ms, ev);
		}
		/*
		 * §18.3.1: an Advertise that assigns nothing says so at the top
		 * level too (older clients read only that one, RFC 3315 §17.2.2).
		 */
		if (type == DHCP6_ADVERTISE && (m.has_ia_na || m.has_ia_pd) &&
		    !(m.has_ia_pd && free_for_client))
			wr_status(&w, DHCP6_ST_NO_ADDRS_AVAIL, "nothing to assign");
		break;
	case DHCP6_RENEW:
	case DHCP6_REBIND:
		/* §18.3.4/§18.3.5: extend our binding; one we do not have is NoBinding */
		if (m.has_ia_pd) {
			bool ours = b->bound && same_client(b, &m);

			wr_ia_pd(&w, c, &m, ours ? &b->prefix : NULL, DHCP6_ST_NO_BINDING);
			if (ours)
				bind_to(c, b, &m, now_ms, ev);
		}
		break;
	case DHCP6_RELEASE:
		/* §18.3.7 */
		if (m.has_ia_pd && !(b->bound && same_client(b, &m)))
			wr_ia_pd(&w, c, &m, NULL, DHCP6_ST_NO_BINDING);
		if (m.has_ia_pd && b->bound && same_client(b, &m)) {
			b->bound = false;
			*ev = DHCP6_EV_RELEASED;
		}
		wr_status(&w, DHCP6_ST_SUCCESS, "released");
		return w.over ? -EMSGSIZE : (int)w.len;
	case DHCP6_INFORMATION_REQUEST:
		break;
	default:
		break;                 /* dhcp6_parse() refused the rest */
	}
	wr_dns(&w, c, &m);
	return w.over ? -EMSGSIZE : (int)w.len;
}

enum dhcp6_event dhcp6_binding_tick(struct dhcp6_binding *b, uint64_t now_ms)
{
	if (!b->bound || now_ms < b->expires_ms)
		return DHCP6_EV_NONE;
	b->bound = false;
	return DHCP6_EV_RELEASED;
}
