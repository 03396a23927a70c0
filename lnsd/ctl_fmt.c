// SPDX-License-Identifier: GPL-2.0-or-later
/* Tables for lnsctl, in the style of ip(8) and accel-cmd. */
#include "ctl_fmt.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "stresc.h"

/* A cell: a 255-byte name (L2TP_NAME_MAX) escaped is never cut. */
#define CELL_LEN 1040
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The columns. Keep lnsctl(8) (COLUMNS) in step; a member this table does
 * not know is ignored (it still shows with -j).
 */
static const struct ctl_col tunnel_cols[] = {
	{ "tunnel", "tunnel_id", CTL_COL_INT, CTL_DFLT_YES, "our Tunnel ID" },
	{ "peer-tunnel", "peer_tunnel_id", CTL_COL_INT, CTL_DFLT_YES, "the peer's Tunnel ID" },
	{ "peer", "peer", CTL_COL_ADDR, CTL_DFLT_YES, "the peer's address and port" },
	{ "version", "version", CTL_COL_INT, CTL_DFLT_YES, "2 (L2TPv2, RFC 2661) or 3 (RFC 3931)" },
	{ "encap", "encap", CTL_COL_STR, CTL_DFLT_YES, "udp, or ip (L2TPv3 over IP, protocol 115)" },
	{ "local", "local", CTL_COL_ADDR, CTL_DFLT_NO, "our address and port" },
	{ "hostname", "peer_hostname", CTL_COL_STR, CTL_DFLT_YES, "the Host Name the peer sent" },
	{ "vendor", "peer_vendor", CTL_COL_STR, CTL_DFLT_NO, "the Vendor Name the peer sent" },
	{ "peer-config", "peer_config", CTL_COL_STR, CTL_DFLT_NO, "the matching [peer] section" },
	{ "state", "state", CTL_COL_STR, CTL_DFLT_YES, "wait-ctl-conn, established, closing" },
	{ "phase", "phase", CTL_COL_STR, CTL_DFLT_NO, "starting, established, finishing" },
	{ "sessions", "sessions", CTL_COL_INT, CTL_DFLT_YES, "calls on the tunnel" },
	{ "established", "sessions_established", CTL_COL_INT, CTL_DFLT_NO, "established calls" },
	{ "rx-msgs", "rx_msgs", CTL_COL_INT, CTL_DFLT_NO, "control messages received" },
	{ "tx-msgs", "tx_msgs", CTL_COL_INT, CTL_DFLT_NO, "control messages sent" },
	{ "rx-pkts", "rx_packets", CTL_COL_INT, CTL_DFLT_YES, "data packets received (kernel)" },
	{ "tx-pkts", "tx_packets", CTL_COL_INT, CTL_DFLT_YES, "data packets sent (kernel)" },
	{ "rx-bytes", "rx_bytes", CTL_COL_INT, CTL_DFLT_NO, "data bytes received (kernel)" },
	{ "tx-bytes", "tx_bytes", CTL_COL_INT, CTL_DFLT_NO, "data bytes sent (kernel)" },
	{ "rx-errors", "rx_errors", CTL_COL_INT, CTL_DFLT_NO, "receive errors (kernel)" },
	{ "tx-errors", "tx_errors", CTL_COL_INT, CTL_DFLT_NO, "send errors (kernel)" },
	{ "uptime", "uptime_s", CTL_COL_UPTIME, CTL_DFLT_YES, "time since the SCCRQ" },
	{ "uptime-raw", "uptime_s", CTL_COL_INT, CTL_DFLT_NO, "the same in seconds" },
	{ "ipsec", "ipsec", CTL_COL_IPSEC, CTL_DFLT_IF_SET, "IKE_SA/CHILD_SA ids ([ipsec])" },
	{ "cipher", "ipsec.cipher", CTL_COL_STR, CTL_DFLT_IF_SET, "the CHILD_SA's ESP algorithms" },
	{ "ike-id", "ipsec.ike_id", CTL_COL_INT, CTL_DFLT_NO, "charon's IKE_SA unique id" },
	{ "child-id", "ipsec.child_id", CTL_COL_INT, CTL_DFLT_NO, "charon's CHILD_SA unique id" },
	{ "natt", "ipsec.natt", CTL_COL_BOOL, CTL_DFLT_NO, "ESP in UDP (NAT traversal)" },
};

static const struct ctl_col session_cols[] = {
	{ "tunnel", "tunnel_id", CTL_COL_INT, CTL_DFLT_YES, "our Tunnel ID" },
	{ "session", "session_id", CTL_COL_INT, CTL_DFLT_YES, "our Session ID" },
	{ "peer-tunnel", "peer_tunnel_id", CTL_COL_INT, CTL_DFLT_YES, "the peer's Tunnel ID" },
	{ "peer-session", "peer_session_id", CTL_COL_INT, CTL_DFLT_YES, "the peer's Session ID" },
	{ "peer", "peer", CTL_COL_ADDR, CTL_DFLT_YES, "the LAC's address and port" },
	{ "state", "state", CTL_COL_STR, CTL_DFLT_YES, "wait-connect, established" },
	{ "phase", "phase", CTL_COL_STR, CTL_DFLT_NO, "starting, established, finishing" },
	{ "ppp-phase", "ppp_phase", CTL_COL_STR, CTL_DFLT_NO, "PPP phase (RFC 1661 3.2), kernel data plane" },
	{ "ifname", "ifname", CTL_COL_STR, CTL_DFLT_YES, "the PPP interface" },
	{ "username", "username", CTL_COL_STR, CTL_DFLT_YES, "the authenticated PPP user" },
	{ "ip", "ip", CTL_COL_ADDR, CTL_DFLT_YES, "the client's IPv4 address" },
	{ "ipv6", "ipv6", CTL_COL_ADDR, false, "the client's IPv6 link-local address" },
	{ "mtu", "mtu", CTL_COL_INT, CTL_DFLT_YES,
	  "pppN's MTU; the MRU asked for until PPP is up ([ppp] mtu)" },
	{ "calling", "calling_number", CTL_COL_STR, CTL_DFLT_YES, "Calling Number" },
	{ "called", "called_number", CTL_COL_STR, CTL_DFLT_YES, "Called Number" },
	{ "call-serial", "call_serial", CTL_COL_INT, CTL_DFLT_NO, "Call Serial Number" },
	{ "proxy-user", "proxy_authen_name", CTL_COL_STR, CTL_DFLT_NO, "the LAC's Proxy Authen Name" },
	{ "tx-speed", "tx_connect_speed", CTL_COL_INT, CTL_DFLT_NO, "(Tx) Connect Speed, bit/s" },
	{ "rx-speed", "rx_connect_speed", CTL_COL_INT, CTL_DFLT_NO, "Rx Connect Speed, bit/s" },
	{ "seq", "seq_required", CTL_COL_BOOL, CTL_DFLT_NO, "the LAC required sequence numbers" },
	{ "rx-bytes", "rx_bytes", CTL_COL_INT, CTL_DFLT_YES, "data bytes received (kernel)" },
	{ "tx-bytes", "tx_bytes", CTL_COL_INT, CTL_DFLT_YES, "data bytes sent (kernel)" },
	{ "rx-pkts", "rx_packets", CTL_COL_INT, CTL_DFLT_NO, "data packets received (kernel)" },
	{ "tx-pkts", "tx_packets", CTL_COL_INT, CTL_DFLT_NO, "data packets sent (kernel)" },
	{ "rx-errors", "rx_errors", CTL_COL_INT, CTL_DFLT_NO, "receive errors (kernel)" },
	{ "tx-errors", "tx_errors", CTL_COL_INT, CTL_DFLT_NO, "send errors (kernel)" },
	{ "uptime", "uptime_s", CTL_COL_UPTIME, CTL_DFLT_YES, "time since the ICRQ" },
	{ "uptime-raw", "uptime_s", CTL_COL_INT, CTL_DFLT_NO, "the same in seconds" },
	{ "acct-session-id", "acct_session_id", CTL_COL_STR, CTL_DFLT_NO,
	  "RADIUS Acct-Session-Id ([radius])" },
	{ "rate-down", "rate_down", CTL_COL_INT, CTL_DFLT_NO, "download limit, bit/s (0: none)" },
	{ "rate-up", "rate_up", CTL_COL_INT, CTL_DFLT_NO, "upload limit, bit/s (0: none)" },
	{ "ipv6-prefix", "ipv6_prefix", CTL_COL_STR, CTL_DFLT_NO, "the RA's /64 (IPv6)" },
	{ "ipv6-pd", "ipv6_pd", CTL_COL_STR, CTL_DFLT_NO, "the delegated prefix (DHCPv6)" },
};

json_t *ctl_json_text(const void *s, size_t len)
{
	char *fixed;
	json_t *v;

	if (stresc_utf8_valid(s, len))
		return json_stringn_nocheck(s, len);
	fixed = malloc(STRESC_UTF8_SIZE(len));
	if (!fixed)
		return NULL;
	v = json_stringn_nocheck(fixed, stresc_utf8_fix(fixed, s, len));
	free(fixed);
	return v;
}

char *ctl_fmt_uptime(uint64_t s, char *buf, size_t len)
{
	if (s < 60)
		snprintf(buf, len, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", s / 86400, s % 86400 / 3600);
	return buf;
}

const struct ctl_col *ctl_cols(enum ctl_obj obj, size_t *n)
{
	if (obj == CTL_OBJ_TUNNELS) {
		*n = ARRAY_SIZE(tunnel_cols);
		return tunnel_cols;
	}
	*n = ARRAY_SIZE(session_cols);
	return session_cols;
}

const char *ctl_obj_name(enum ctl_obj obj)
{
	return obj == CTL_OBJ_TUNNELS ? "tunnels" : "sessions";
}

const struct ctl_col *ctl_col_find(enum ctl_obj obj, const char *name)
{
	size_t n;
	const struct ctl_col *c = ctl_cols(obj, &n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].name, name) == 0)
			return &c[i];
	return NULL;
}

int ctl_cols_parse(enum ctl_obj obj, const char *list, const struct ctl_col **out, char *err,
		   size_t errlen)
{
	int n = 0;

	for (const char *p = list;; p++) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char name[64];

		if (!len || len >= sizeof(name)) {
			snprintf(err, errlen, "%s column name in \"%s\"",
				 len ? "overlong" : "empty", list);
			return -1;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		if (n == CTL_MAX_COLS) {
			snprintf(err, errlen, "more than %d columns", CTL_MAX_COLS);
			return -1;
		}
		out[n] = ctl_col_find(obj, name);
		if (!out[n]) {
			snprintf(err, errlen, "unknown column \"%s\" for %s (lnsctl columns %s lists them)",
				 name, ctl_obj_name(obj), ctl_obj_name(obj));
			return -1;
		}
		n++;
		if (!end)
			return n;
		p = end;
	}
}

static const json_t *member(const json_t *row, const char *key);

/* Some row has c as a member that is not null. */
static bool some_row_has(const json_t *arr, const struct ctl_col *c)
{
	for (size_t r = 0; r < json_array_size(arr); r++) {
		const json_t *v = member(json_array_get(arr, r), c->key);

		if (v && !json_is_null(v))
			return true;
	}
	return false;
}

int ctl_cols_default(enum ctl_obj obj, const json_t *arr, const struct ctl_col **out)
{
	size_t n;
	const struct ctl_col *c = ctl_cols(obj, &n);
	int k = 0;

	for (size_t i = 0; i < n; i++)
		if (c[i].dflt == CTL_DFLT_YES ||
		    (c[i].dflt == CTL_DFLT_IF_SET && arr && some_row_has(arr, &c[i])))
			out[k++] = &c[i];
	return k;
}

/* The member for key, following "a.b" into nested objects. */
static const json_t *member(const json_t *row, const char *key)
{
	char part[64];

	for (;;) {
		const char *dot = strchr(key, '.');
		size_t len = dot ? (size_t)(dot - key) : strlen(key);

		if (!json_is_object(row) || len >= sizeof(part))
			return NULL;
		memcpy(part, key, len);
		part[len] = '\0';
		row = json_object_get(row, part);
		if (!dot || !row)
			return row;
		key = dot + 1;
	}
}

bool ctl_cell(const json_t *row, const struct ctl_col *c, char *buf, size_t len)
{
	const json_t *v = member(row, c->key);

	buf[0] = '\0';
	if (!v || json_is_null(v))
		return false;
	if (json_is_string(v)) {
		stresc(buf, len, json_string_value(v), json_string_length(v), 0);
	} else if (json_is_boolean(v)) {
		snprintf(buf, len, "%s", json_is_true(v) ? "yes" : "no");
	} else if (json_is_object(v) && c->kind == CTL_COL_IPSEC) {
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT "%s",
			 json_integer_value(json_object_get(v, "ike_id")),
			 json_integer_value(json_object_get(v, "child_id")),
			 json_is_true(json_object_get(v, "natt")) ? " nat-t" : "");
	} else if (json_is_integer(v)) {
		if (c->kind == CTL_COL_UPTIME)
			ctl_fmt_uptime((uint64_t)json_integer_value(v), buf, len);
		else if (c->kind == CTL_COL_BOOL)
			snprintf(buf, len, "%s", json_integer_value(v) ? "yes" : "no");
		else
			snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	} else if (json_is_real(v)) {
		snprintf(buf, len, "%g", json_real_value(v));
	} else {
		/* An object or array where this version expects a scalar: show it compact. */
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		stresc(buf, len, s ? s : "?", s ? strlen(s) : 1, STRESC_CTRL);
		free(s);
	}
	return buf[0] != '\0';
}

int ctl_match_compile(struct ctl_match *m, const struct ctl_col *col, const char *regex,
		      char *err, size_t errlen)
{
	char shown[200], why[128];
	const char *p;
	int rc;

	/* The regex is quoted escaped and cut (it came from a client and is logged). */
	stresc(shown, sizeof(shown), regex, strlen(regex), STRESC_QUOTE);
	/* lnsd runs these on every row inside its loop: no back-references, whose
	 * matching backtracks without bound in glibc's regexec. */
	for (p = regex; *p; p++) {
		if (p[0] == '\\' && p[1] >= '1' && p[1] <= '9') {
			snprintf(err, errlen, "match %s: bad regular expression %s: back-references "
				 "are not supported", col->name, shown);
			return -1;
		}
		if (p[0] == '\\' && p[1])
			p++;
	}
	rc = regcomp(&m->re, regex, REG_EXTENDED | REG_NOSUB);
	m->col = col;
	if (rc) {
		regerror(rc, &m->re, why, sizeof(why));
		snprintf(err, errlen, "match %s: bad regular expression %s: %s", col->name, shown,
			 why);
		return -1;
	}
	return 0;
}

void ctl_match_free(struct ctl_match *m)
{
	regfree(&m->re);
}

/* Address sort key: family, 16 address bytes, port; false if not an address. */
static bool addr_key(const char *s, uint8_t key[19])
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *port = NULL;
	size_t len;

	memset(key, 0, 19);
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb)
			return false;
		len = (size_t)(rb - s - 1);
		if (len >= sizeof(host))
			return false;
		memcpy(host, s + 1, len);
		host[len] = '\0';
		if (rb[1] == ':')
			port = rb + 2;
	} else {
		const char *colon = strchr(s, ':');

		snprintf(host, sizeof(host), "%s", s);
		if (colon && !strchr(colon + 1, ':')) {     /* v4:port */
			if ((size_t)(colon - s) >= sizeof(host))
				return false;
			host[colon - s] = '\0';
			port = colon + 1;
		}
	}
	if (inet_pton(AF_INET, host, key + 1) == 1)
		key[0] = 4;
	else if (inet_pton(AF_INET6, host, key + 1) == 1)
		key[0] = 6;
	else
		return false;
	if (port) {
		unsigned long p = strtoul(port, NULL, 10);

		key[17] = (uint8_t)(p >> 8);
		key[18] = (uint8_t)p;
	}
	return true;
}

static int num_of(const json_t *v, json_int_t *out)
{
	if (json_is_integer(v))
		*out = json_integer_value(v);
	else if (json_is_boolean(v))
		*out = json_is_true(v);
	else if (json_is_real(v))
		*out = (json_int_t)json_real_value(v);
	else
		return -1;
	return 0;
}

int ctl_col_cmp(const struct ctl_col *c, const json_t *a, const json_t *b)
{
	const json_t *va = member(a, c->key), *vb = member(b, c->key);
	char sa[CELL_LEN], sb[CELL_LEN];
	uint8_t ka[19], kb[19];
	json_int_t na, nb;
	int r;

	if (!va || !vb)
		return !va && !vb ? 0 : !va ? -1 : 1;
	switch (c->kind) {
	case CTL_COL_INT:
	case CTL_COL_UPTIME:
	case CTL_COL_BOOL:
		if (num_of(va, &na) == 0 && num_of(vb, &nb) == 0)
			return na < nb ? -1 : na > nb;
		break;
	case CTL_COL_ADDR:
		ctl_cell(a, c, sa, sizeof(sa));
		ctl_cell(b, c, sb, sizeof(sb));
		if (addr_key(sa, ka) && addr_key(sb, kb))
			return (r = memcmp(ka, kb, sizeof(ka))) < 0 ? -1 : r > 0;
		/* "" (no address yet) before any address */
		break;
	case CTL_COL_IPSEC:     /* by IKE_SA, then CHILD_SA id */
		if (json_is_object(va) && json_is_object(vb)) {
			na = json_integer_value(json_object_get(va, "ike_id"));
			nb = json_integer_value(json_object_get(vb, "ike_id"));
			if (na == nb) {
				na = json_integer_value(json_object_get(va, "child_id"));
				nb = json_integer_value(json_object_get(vb, "child_id"));
			}
			return na < nb ? -1 : na > nb;
		}
		break;
	case CTL_COL_STR:
		break;
	}
	ctl_cell(a, c, sa, sizeof(sa));
	ctl_cell(b, c, sb, sizeof(sb));
	r = strcmp(sa, sb);
	return r < 0 ? -1 : r > 0;
}

struct sort_ent {
	const json_t *row;
	size_t idx;
};

struct sort_by {
	const struct ctl_col *col;
	bool desc;
};

static int sort_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct sort_ent *a = pa, *b = pb;
	const struct sort_by *by = ctx;
	int r = ctl_col_cmp(by->col, a->row, b->row);

	if (by->desc)
		r = -r;
	/* Stable: ties keep the daemon's order. */
	return r ? r : a->idx < b->idx ? -1 : a->idx > b->idx;
}

bool ctl_row_matches(const json_t *row, const struct ctl_match *m, size_t nm)
{
	char buf[CELL_LEN];

	for (size_t i = 0; i < nm; i++) {
		ctl_cell(row, m[i].col, buf, sizeof(buf));
		if (regexec(&m[i].re, buf, 0, NULL, 0) != 0)
			return false;
	}
	return true;
}

json_t *ctl_select(const json_t *arr, const struct ctl_match *m, size_t nm,
		   const struct ctl_col *order, bool desc)
{
	size_t rows = json_array_size(arr), n = 0;
	struct sort_ent *v = calloc(rows ? rows : 1, sizeof(*v));
	json_t *out = json_array();

	if (!v || !out) {
		free(v);
		json_decref(out);
		return NULL;
	}
	for (size_t i = 0; i < rows; i++) {
		const json_t *row = json_array_get(arr, i);

		if (ctl_row_matches(row, m, nm))
			v[n++] = (struct sort_ent){ row, i };
	}
	if (order) {
		struct sort_by by = { order, desc };

		qsort_r(v, n, sizeof(*v), sort_cmp, &by);
	}
	for (size_t i = 0; i < n; i++)
		json_array_append(out, (json_t *)v[i].row);
	free(v);
	return out;
}

static void put_cell(FILE *f, const char *s, size_t width, bool last)
{
	if (last)
		fprintf(f, "%s\n", s);
	else
		fprintf(f, "%-*s  ", (int)width, s);
}

static void cell_or_dash(const json_t *row, const struct ctl_col *c, char *buf)
{
	if (!ctl_cell(row, c, buf, CELL_LEN))
		strcpy(buf, "-");
}

void ctl_fmt_table(FILE *f, const json_t *arr, const struct ctl_col *const *cols, size_t n)
{
	size_t rows = json_array_size(arr), w[CTL_MAX_COLS] = { 0 };
	char buf[CELL_LEN];

	if (n > CTL_MAX_COLS)
		n = CTL_MAX_COLS;
	for (size_t c = 0; c < n; c++) {
		w[c] = strlen(cols[c]->name);
		for (size_t r = 0; r < rows; r++) {
			cell_or_dash(json_array_get(arr, r), cols[c], buf);
			if (strlen(buf) > w[c])
				w[c] = strlen(buf);
		}
	}
	for (size_t c = 0; c < n; c++) {
		size_t i;

		for (i = 0; cols[c]->name[i] && i < sizeof(buf) - 1; i++)
			buf[i] = (char)toupper((unsigned char)cols[c]->name[i]);
		buf[i] = '\0';
		put_cell(f, buf, w[c], c + 1 == n);
	}
	for (size_t r = 0; r < rows; r++) {
		for (size_t c = 0; c < n; c++) {
			cell_or_dash(json_array_get(arr, r), cols[c], buf);
			put_cell(f, buf, w[c], c + 1 == n);
		}
	}
}

static void fmt_default(FILE *f, const json_t *arr, enum ctl_obj obj)
{
	const struct ctl_col *cols[CTL_MAX_COLS];
	int n = ctl_cols_default(obj, arr, cols);

	ctl_fmt_table(f, arr, cols, (size_t)n);
}

void ctl_fmt_tunnels(FILE *f, const json_t *arr)
{
	fmt_default(f, arr, CTL_OBJ_TUNNELS);
}

void ctl_fmt_sessions(FILE *f, const json_t *arr)
{
	fmt_default(f, arr, CTL_OBJ_SESSIONS);
}

static void stats(FILE *f, const json_t *obj, int depth)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		if (json_is_object(v)) {
			fprintf(f, "%*s%s:\n", depth * 2, "", key);
			stats(f, v, depth + 1);
		} else if (json_is_integer(v)) {
			fprintf(f, "%*s%s: %" JSON_INTEGER_FORMAT "\n", depth * 2, "", key,
				json_integer_value(v));
		} else if (json_is_string(v)) {
			/* lnsd's own words (last_error quotes charon's already escaped) */
			char t[2 * CELL_LEN];

			stresc(t, sizeof(t), json_string_value(v), json_string_length(v), STRESC_CTRL);
			fprintf(f, "%*s%s: %s\n", depth * 2, "", key, t);
		} else if (json_is_boolean(v)) {
			fprintf(f, "%*s%s: %s\n", depth * 2, "", key, json_is_true(v) ? "yes" : "no");
		}
	}
}

void ctl_fmt_stats(FILE *f, const json_t *obj)
{
	stats(f, obj, 0);
}
