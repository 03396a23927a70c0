// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lnsctl: operator CLI for lnsd over its control socket (one JSON request
 * line out, one JSON response line back; see lnsctl(8)).
 *
 * Exit status: 0 success, 1 usage error, 2 lnsd unreachable or the
 * conversation failed, 3 lnsd refused the request (unknown tunnel, bad
 * configuration on reload, ...).
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "conf.h"
#include "ctl.h"
#include "ctl_fmt.h"
#include "lns_grow.h"
#include "stresc.h"

enum lnsctl_exit {
	EXIT_OK = 0,
	EXIT_USAGE = 1,
	EXIT_CONNECT = 2,
	EXIT_REFUSED = 3,
};

static void usage(FILE *f)
{
	fprintf(f, "usage: lnsctl [-s SOCKET] [-j] [-a] COMMAND\n"
		   "commands:\n"
		   "  show tunnels|sessions [COLUMNS] [match COLUMN REGEX]... [order COLUMN [desc]]\n"
		   "                                table (COLUMNS: a,b,c; see lnsctl columns)\n"
		   "  show stats                    counts, counters and drop reasons\n"
		   "  show config                   running configuration, secrets redacted\n"
		   "  show pseudowires              L2TPv3 pseudowires: state, ids, cookies, counters\n"
		   "  columns tunnels|sessions      the columns show can print (* default, + when set)\n"
		   "  terminate tunnel TID          StopCCN (result 1, administrative clear)\n"
		   "  terminate session TID SID     CDN (result 3, administrative)\n"
		   "  terminate user NAME           every session of PPP user NAME\n"
		   "  terminate all                 every tunnel (StopCCN result 1)\n"
		   "  reload                        re-read lnsd's configuration\n"
		   "  -s SOCKET  control socket (default $LNSD_SOCKET or " CONF_DEFAULT_SOCKET ")\n"
		   "  -j         print the JSON result instead of a table\n"
		   "  -a         show: include closing tunnels (StopCCN hold period)\n");
}

static int parse_id(const char *s, const char *what, json_int_t *out)
{
	char *end;
	long long v;

	/* IDs are 32 bits (RFC 3931); an L2TPv2 tunnel's are at most 65535. */
	errno = 0;
	v = strtoll(s, &end, 10);
	if (!*s || *end || errno || v < 1 || v > UINT32_MAX) {
		fprintf(stderr, "lnsctl: %s \"%s\" is not a number from 1 to %u\n", what, s,
			UINT32_MAX);
		return -1;
	}
	*out = v;
	return 0;
}

/* What the command line asked for. */
struct cmd {
	json_t *req;
	const char *what;                     /* show: tunnels, sessions, stats, config */
	enum ctl_obj obj;
	const struct ctl_col *cols[CTL_MAX_COLS];
	int ncols;                            /* 0: the default set */
	struct ctl_match match[CTL_MAX_MATCH];
	const char *match_re[CTL_MAX_MATCH];
	size_t nmatch;
	const struct ctl_col *order;
	bool desc;
	bool json, all;
};

/*
 * lnsctl -j show tunnels|sessions without order: the rows are taken from
 * the reply text one at a time and printed as they come, as json_dumps
 * would print the whole array (JSON_INDENT(2)), without a tree of all of
 * them. 1 when done, 0 when the reply is not a listing (the caller parses
 * it whole), -1 on a malformed row.
 */
static int print_rows(const char *buf, size_t len, const struct ctl_match *m, size_t nm)
{
	static const char head[] = "{\"ok\":true,\"result\":[";
	size_t pos = sizeof(head) - 1, n = 0;

	if (len < pos || memcmp(buf, head, pos) != 0)
		return 0;
	if (pos < len && buf[pos] == ']')
		pos++;
	else {
		for (;;) {
			json_error_t jerr;
			json_t *row = json_loadb(buf + pos, len - pos,
						 JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL, &jerr);
			char *s;

			if (!row)
				return -1;
			pos += (size_t)jerr.position;
			if (ctl_row_matches(row, m, nm)) {
				s = json_dumps(row, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
				if (!s) {
					json_decref(row);
					return -1;
				}
				fputs(n++ ? ",\n  " : "[\n  ", stdout);
				/* one level deeper: two more spaces after each newline */
				for (const char *p = s, *nl; *p; p = nl + 1) {
					nl = strchr(p, '\n');
					if (!nl) {
						fputs(p, stdout);
						break;
					}
					fwrite(p, 1, (size_t)(nl - p) + 1, stdout);
					fputs("  ", stdout);
				}
				free(s);
			}
			json_decref(row);
			if (pos < len && buf[pos] == ',') {
				pos++;
				continue;
			}
			if (pos < len && buf[pos] == ']') {
				pos++;
				break;
			}
			return -1;
		}
	}
	if (len - pos < 2 || memcmp(buf + pos, "}\n", 2) != 0)
		return -1;
	puts(n ? "\n]" : "[]");
	return 1;
}

/*
 * Sends req, returns the parsed response or NULL (message printed, *rc set).
 * With stream (-j listings without order), a listing is printed here as it
 * is parsed, and the response returned is {"ok":true}.
 */
static json_t *call(const char *path, json_t *req, int *rc, const struct cmd *stream)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char *line = json_dumps(req, JSON_COMPACT);
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	json_t *resp = NULL;
	json_error_t jerr;
	int fd = -1;

	*rc = EXIT_CONNECT;
	if (!line || !buf) {
		fprintf(stderr, "lnsctl: out of memory\n");
		goto out;
	}
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "lnsctl: %s: path too long\n", path);
		goto out;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "lnsctl: cannot connect to %s: %s (is lnsd running?)\n", path,
			strerror(errno));
		goto out;
	}
	if (send(fd, line, strlen(line), MSG_NOSIGNAL) < 0 || send(fd, "\n", 1, MSG_NOSIGNAL) < 0) {
		fprintf(stderr, "lnsctl: %s: %s\n", path, strerror(errno));
		goto out;
	}
	shutdown(fd, SHUT_WR);
	for (;;) {
		ssize_t n;

		/* room for one more byte and the NUL */
		if (lns_grow((void **)&buf, &cap, len + 2, 1, 65536)) {
			fprintf(stderr, "lnsctl: out of memory\n");
			goto out;
		}
		n = recv(fd, buf + len, cap - len - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "lnsctl: %s: %s\n", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (memchr(buf + len - (size_t)n, '\n', (size_t)n))
			break;
	}
	if (stream) {
		int r = print_rows(buf, len, stream->match, stream->nmatch);

		if (r < 0) {
			fprintf(stderr, "lnsctl: %s: bad response from lnsd: a malformed row\n", path);
			goto out;
		}
		if (r > 0) {
			resp = json_pack("{s:b}", "ok", 1);
			*rc = resp ? EXIT_OK : EXIT_CONNECT;
			goto out;
		}
	}
	/* A PPP user name may hold a NUL (\u0000): the table shows it as \x00. */
	resp = json_loadb(buf, len, JSON_DISABLE_EOF_CHECK | JSON_ALLOW_NUL, &jerr);
	if (!resp || !json_is_object(resp)) {
		fprintf(stderr, "lnsctl: %s: bad response from lnsd: %s\n", path,
			resp ? "not an object" : (len ? jerr.text : "connection closed"));
		json_decref(resp);
		resp = NULL;
		goto out;
	}
	if (!json_is_true(json_object_get(resp, "ok"))) {
		const json_t *e = json_object_get(resp, "error");
		char t[1024];

		stresc(t, sizeof(t), json_is_string(e) ? json_string_value(e) : "request failed",
		       json_is_string(e) ? json_string_length(e) : 14, STRESC_CTRL);
		fprintf(stderr, "lnsctl: %s\n", t);
		json_decref(resp);
		resp = NULL;
		*rc = EXIT_REFUSED;
		goto out;
	}
	*rc = EXIT_OK;
out:
	if (fd >= 0)
		close(fd);
	free(line);
	free(buf);
	return resp;
}


static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("lnsctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

static const struct ctl_col *need_col(struct cmd *c, const char *name, int *rc)
{
	const struct ctl_col *col = ctl_col_find(c->obj, name);

	if (!col)
		*rc = usage_error("unknown column \"%s\" for %s (lnsctl columns %s lists them)",
				  name, ctl_obj_name(c->obj), ctl_obj_name(c->obj));
	return col;
}

/* show tunnels|sessions [COLUMNS] [match COLUMN REGEX]... [order COLUMN [asc|desc]] */
static int parse_show_list(struct cmd *c, char **args, int nargs)
{
	char err[256];
	int rc = EXIT_USAGE;
	bool first = true;        /* COLUMNS may only be the first word */

	for (int i = 0; i < nargs; i++) {
		const char *a = args[i];

		if (strcmp(a, "-j") == 0) {
			c->json = true;
			continue;
		} else if (strcmp(a, "-a") == 0) {
			c->all = true;
			continue;
		} else if (strcmp(a, "match") == 0) {
			if (i + 2 >= nargs)
				return usage_error("match needs COLUMN and REGEX");
			if (c->nmatch == CTL_MAX_MATCH)
				return usage_error("more than %d match clauses", CTL_MAX_MATCH);
			const struct ctl_col *col = need_col(c, args[i + 1], &rc);

			if (!col)
				return rc;
			if (ctl_match_compile(&c->match[c->nmatch], col, args[i + 2], err,
					      sizeof(err)))
				return usage_error("%s", err);
			c->match_re[c->nmatch++] = args[i + 2];
			i += 2;
		} else if (strcmp(a, "order") == 0) {
			if (i + 1 >= nargs)
				return usage_error("order needs a COLUMN");
			if (c->order)
				return usage_error("order given twice");
			c->order = need_col(c, args[++i], &rc);
			if (!c->order)
				return rc;
			if (i + 1 < nargs && (strcmp(args[i + 1], "desc") == 0 ||
					      strcmp(args[i + 1], "asc") == 0))
				c->desc = strcmp(args[++i], "desc") == 0;
		} else if (first) {
			c->ncols = ctl_cols_parse(c->obj, a, c->cols, err, sizeof(err));
			if (c->ncols < 0)
				return usage_error("%s", err);
		} else {
			return usage_error("unexpected \"%s\" after show %s", a, c->what);
		}
		first = false;
	}
	return EXIT_OK;
}

static int parse_cmd(struct cmd *c, char **args, int nargs)
{
	json_int_t tid = 0, sid = 0;
	int rc;

	/* -j / -a may also follow the command ("show sessions -j"). */
	if (nargs >= 1 && strcmp(args[0], "show") == 0 && nargs >= 2 &&
	    (strcmp(args[1], "tunnels") == 0 || strcmp(args[1], "sessions") == 0)) {
		c->what = args[1];
		c->obj = args[1][0] == 't' ? CTL_OBJ_TUNNELS : CTL_OBJ_SESSIONS;
		rc = parse_show_list(c, args + 2, nargs - 2);
		if (rc)
			return rc;
		c->req = json_pack("{s:s, s:b}", "cmd",
				   c->obj == CTL_OBJ_TUNNELS ? "show-tunnels" : "show-sessions",
				   "all", c->all);
		/* lnsd filters while it streams the rows; show_list applies them again (harmless) */
		if (c->req && c->nmatch) {
			json_t *m = json_array();

			for (size_t i = 0; m && i < c->nmatch; i++)
				json_array_append_new(m, json_pack("{s:s, s:s}", "column",
								   c->match[i].col->name, "regex",
								   c->match_re[i]));
			json_object_set_new(c->req, "match", m);
		}
		return EXIT_OK;
	}
	while (nargs > 0 && (strcmp(args[nargs - 1], "-j") == 0 || strcmp(args[nargs - 1], "-a") == 0)) {
		if (args[nargs - 1][1] == 'j')
			c->json = true;
		else
			c->all = true;
		nargs--;
	}
	if (nargs == 2 && strcmp(args[0], "show") == 0) {
		c->what = args[1];
		if (strcmp(c->what, "stats") == 0)
			c->req = json_pack("{s:s}", "cmd", "show-stats");
		else if (strcmp(c->what, "config") == 0)
			c->req = json_pack("{s:s}", "cmd", "show-config");
		else if (strcmp(c->what, "pseudowires") == 0)
			c->req = json_pack("{s:s}", "cmd", "show-pseudowires");
	} else if (nargs == 3 && strcmp(args[0], "terminate") == 0 &&
		   strcmp(args[1], "tunnel") == 0) {
		if (parse_id(args[2], "tunnel id", &tid))
			return EXIT_USAGE;
		c->req = json_pack("{s:s, s:I}", "cmd", "terminate-tunnel", "tid", tid);
	} else if (nargs == 4 && strcmp(args[0], "terminate") == 0 &&
		   strcmp(args[1], "session") == 0) {
		if (parse_id(args[2], "tunnel id", &tid) || parse_id(args[3], "session id", &sid))
			return EXIT_USAGE;
		c->req = json_pack("{s:s, s:I, s:I}", "cmd", "terminate-session", "tid", tid, "sid",
				   sid);
	} else if (nargs == 3 && strcmp(args[0], "terminate") == 0 &&
		   strcmp(args[1], "user") == 0) {
		if (!*args[2])
			return usage_error("terminate user needs a user name");
		c->what = "user";
		c->req = json_pack("{s:s, s:s}", "cmd", "terminate-user", "username", args[2]);
	} else if (nargs == 2 && strcmp(args[0], "terminate") == 0 &&
		   strcmp(args[1], "all") == 0) {
		c->what = "all";
		c->req = json_pack("{s:s}", "cmd", "terminate-all");
	} else if (nargs == 1 && strcmp(args[0], "reload") == 0) {
		c->req = json_pack("{s:s}", "cmd", "reload");
	}
	if (c->req)
		return EXIT_OK;
	if (nargs == 0)
		fprintf(stderr, "lnsctl: no command\n");
	else
		fprintf(stderr, "lnsctl: unknown command \"%s%s%s\"\n", args[0],
			nargs > 1 ? " " : "", nargs > 1 ? args[1] : "");
	usage(stderr);
	return EXIT_USAGE;
}

/* lnsctl columns tunnels|sessions: needs no daemon (bash completion uses it). */
static int list_columns(int nargs, char **args)
{
	enum ctl_obj obj;
	const struct ctl_col *cols;
	size_t n;

	if (nargs != 2 || (strcmp(args[1], "tunnels") && strcmp(args[1], "sessions"))) {
		fprintf(stderr, "lnsctl: usage: lnsctl columns tunnels|sessions\n");
		return EXIT_USAGE;
	}
	obj = args[1][0] == 't' ? CTL_OBJ_TUNNELS : CTL_OBJ_SESSIONS;
	cols = ctl_cols(obj, &n);
	for (size_t i = 0; i < n; i++)
		printf("%-15s %c %s\n", cols[i].name,
		       cols[i].dflt == CTL_DFLT_YES ? '*' : cols[i].dflt == CTL_DFLT_IF_SET ? '+' : ' ',
		       cols[i].help);
	return EXIT_OK;
}

static void print_json(const json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);

	if (s)
		puts(s);
	free(s);
}

/* terminate user: the name escaped as the table shows it. */
/* show pseudowires: one line each. */
static void print_pseudowires(const json_t *arr)
{
	size_t i;
	const json_t *o;

	printf("%-12s %-22s %-5s %-10s %-14s %-15s %-6s %-21s %10s %10s\n", "NAME", "PEER", "ENCAP",
	       "STATE", "REMOTE-END-ID", "IFNAME", "COOKIE", "CCID/SID", "RX-PKTS", "TX-PKTS");
	json_array_foreach(arr, i, o) {
		const json_t *k = json_object_get(o, "counters");
		char ids[32];

		snprintf(ids, sizeof(ids), "%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT,
			 json_integer_value(json_object_get(o, "ccid")),
			 json_integer_value(json_object_get(o, "sid")));
		printf("%-12s %-22s %-5s %-10s %-14s %-15s %" JSON_INTEGER_FORMAT "/%-4"
		       JSON_INTEGER_FORMAT " %-21s %10" JSON_INTEGER_FORMAT " %10"
		       JSON_INTEGER_FORMAT "\n",
		       json_string_value(json_object_get(o, "name")) ?: "-",
		       json_string_value(json_object_get(o, "peer")) ?: "-",
		       json_string_value(json_object_get(o, "encap")) ?: "-",
		       json_string_value(json_object_get(o, "state")) ?: "-",
		       json_string_value(json_object_get(o, "remote_end_id")) ?: "-",
		       *(json_string_value(json_object_get(o, "ifname")) ?: "") ?
		       json_string_value(json_object_get(o, "ifname")) : "-",
		       json_integer_value(json_object_get(o, "cookie")),
		       json_integer_value(json_object_get(o, "peer_cookie")), ids,
		       json_integer_value(json_object_get(k, "rx_packets")),
		       json_integer_value(json_object_get(k, "tx_packets")));
	}
}

static void print_user(const json_t *result)
{
	const json_t *u = json_object_get(result, "username");
	char t[STRESC_SIZE(256)];

	stresc(t, sizeof(t), json_is_string(u) ? json_string_value(u) : "",
	       json_is_string(u) ? json_string_length(u) : 0, 0);
	printf("terminating %" JSON_INTEGER_FORMAT " sessions of user %s\n",
	       json_integer_value(json_object_get(result, "sessions")), t);
}

static int show_list(struct cmd *c, const json_t *result)
{
	json_t *sel = ctl_select(result, c->match, c->nmatch, c->order, c->desc);

	if (!sel) {
		fprintf(stderr, "lnsctl: out of memory\n");
		return EXIT_CONNECT;
	}
	if (c->json)
		print_json(sel);
	else if (c->ncols)
		ctl_fmt_table(stdout, sel, c->cols, (size_t)c->ncols);
	else if (c->obj == CTL_OBJ_TUNNELS)
		ctl_fmt_tunnels(stdout, sel);
	else
		ctl_fmt_sessions(stdout, sel);
	json_decref(sel);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	const char *path = getenv("LNSD_SOCKET");
	struct cmd c = { .what = "" };
	int opt, rc;
	bool list;
	json_t *resp, *result;

	if (!path || !*path)
		path = CONF_DEFAULT_SOCKET;
	while ((opt = getopt(argc, argv, "+s:jahV")) != -1) {
		switch (opt) {
		case 'a':
			c.all = true;
			break;
		case 's':
			path = optarg;
			break;
		case 'j':
			c.json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("lnsctl %s\n", LNSD_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind >= 1 && strcmp(argv[optind], "columns") == 0)
		return list_columns(argc - optind, argv + optind);
	rc = parse_cmd(&c, argv + optind, argc - optind);
	if (rc)
		goto out;
	list = strcmp(c.what, "tunnels") == 0 || strcmp(c.what, "sessions") == 0;
	resp = call(path, c.req, &rc, list && c.json && !c.order ? &c : NULL);
	if (!resp)
		goto out;
	result = json_object_get(resp, "result");
	if (list && !result)
		;   /* printed as it was parsed (print_rows) */
	else if (list)
		rc = show_list(&c, result);
	else if (c.json && result && !json_is_null(result))
		print_json(result);
	else if (strcmp(c.what, "stats") == 0)
		ctl_fmt_stats(stdout, result);
	else if (strcmp(c.what, "pseudowires") == 0)
		print_pseudowires(result);
	else if (strcmp(c.what, "config") == 0)
		fputs(json_string_value(json_object_get(result, "text")) ?: "", stdout);
	else if (strcmp(c.what, "user") == 0)
		print_user(result);
	else if (strcmp(c.what, "all") == 0)
		printf("terminating %" JSON_INTEGER_FORMAT " tunnels (%" JSON_INTEGER_FORMAT
		       " sessions)\n", json_integer_value(json_object_get(result, "tunnels")),
		       json_integer_value(json_object_get(result, "sessions")));
	json_decref(resp);
out:
	for (size_t i = 0; i < c.nmatch; i++)
		ctl_match_free(&c.match[i]);
	json_decref(c.req);
	return rc;
}
