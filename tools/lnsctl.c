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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "conf.h"
#include "ctl.h"
#include "ctl_fmt.h"

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
		   "  show tunnels [-j]             control connections\n"
		   "  show sessions [-j]            calls\n"
		   "  show stats [-j]               counters and drop reasons\n"
		   "  terminate tunnel TID          StopCCN (result 1, administrative clear)\n"
		   "  terminate session TID SID     CDN (result 3, administrative)\n"
		   "  reload                        re-read lnsd's configuration\n"
		   "  -s SOCKET  control socket (default $LNSD_SOCKET or " CONF_DEFAULT_SOCKET ")\n"
		   "  -j         print the JSON result instead of a table\n"
		   "  -a         show: include closing tunnels (StopCCN hold period)\n");
}

static int parse_id(const char *s, const char *what, json_int_t *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < 1 || v > 65535) {
		fprintf(stderr, "lnsctl: %s \"%s\" is not a number from 1 to 65535\n", what, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* Sends req, returns the parsed response or NULL (message printed, *rc set). */
static json_t *call(const char *path, json_t *req, int *rc)
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

		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				fprintf(stderr, "lnsctl: out of memory\n");
				goto out;
			}
			buf = nb;
			cap *= 2;
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
	resp = json_loadb(buf, len, JSON_DISABLE_EOF_CHECK, &jerr);
	if (!resp || !json_is_object(resp)) {
		fprintf(stderr, "lnsctl: %s: bad response from lnsd: %s\n", path,
			resp ? "not an object" : (len ? jerr.text : "connection closed"));
		json_decref(resp);
		resp = NULL;
		goto out;
	}
	if (!json_is_true(json_object_get(resp, "ok"))) {
		const char *e = json_string_value(json_object_get(resp, "error"));

		fprintf(stderr, "lnsctl: %s\n", e ? e : "request failed");
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

int main(int argc, char **argv)
{
	const char *path = getenv("LNSD_SOCKET");
	bool json = false, all = false;
	json_t *req = NULL, *resp;
	json_int_t tid = 0, sid = 0;
	const char *what = "";
	int opt, rc = EXIT_USAGE, nargs;
	char **args;

	if (!path || !*path)
		path = CONF_DEFAULT_SOCKET;
	/* Options may also follow the command ("show sessions -j"). */
	while ((opt = getopt(argc, argv, "+s:jahV")) != -1) {
		switch (opt) {
		case 'a':
			all = true;
			break;
		case 's':
			path = optarg;
			break;
		case 'j':
			json = true;
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
	args = argv + optind;
	nargs = argc - optind;
	while (nargs > 0 && (strcmp(args[nargs - 1], "-j") == 0 || strcmp(args[nargs - 1], "-a") == 0)) {
		if (args[nargs - 1][1] == 'j')
			json = true;
		else
			all = true;
		nargs--;
	}
	if (nargs == 2 && strcmp(args[0], "show") == 0) {
		what = args[1];
		if (strcmp(what, "tunnels") == 0)
			req = json_pack("{s:s, s:b}", "cmd", "show-tunnels", "all", all);
		else if (strcmp(what, "sessions") == 0)
			req = json_pack("{s:s, s:b}", "cmd", "show-sessions", "all", all);
		else if (strcmp(what, "stats") == 0)
			req = json_pack("{s:s}", "cmd", "show-stats");
	} else if (nargs == 3 && strcmp(args[0], "terminate") == 0 &&
		   strcmp(args[1], "tunnel") == 0) {
		if (parse_id(args[2], "tunnel id", &tid))
			return EXIT_USAGE;
		req = json_pack("{s:s, s:I}", "cmd", "terminate-tunnel", "tid", tid);
	} else if (nargs == 4 && strcmp(args[0], "terminate") == 0 &&
		   strcmp(args[1], "session") == 0) {
		if (parse_id(args[2], "tunnel id", &tid) || parse_id(args[3], "session id", &sid))
			return EXIT_USAGE;
		req = json_pack("{s:s, s:I, s:I}", "cmd", "terminate-session", "tid", tid, "sid",
				sid);
	} else if (nargs == 1 && strcmp(args[0], "reload") == 0) {
		req = json_pack("{s:s}", "cmd", "reload");
	}
	if (!req) {
		if (nargs == 0)
			fprintf(stderr, "lnsctl: no command\n");
		else
			fprintf(stderr, "lnsctl: unknown command \"%s%s%s\"\n", args[0],
				nargs > 1 ? " " : "", nargs > 1 ? args[1] : "");
		usage(stderr);
		return EXIT_USAGE;
	}
	resp = call(path, req, &rc);
	json_decref(req);
	if (!resp)
		return rc;
	json_t *result = json_object_get(resp, "result");

	if (json && result && !json_is_null(result)) {
		char *s = json_dumps(result, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		if (s)
			puts(s);
		free(s);
	} else if (strcmp(what, "tunnels") == 0) {
		ctl_fmt_tunnels(stdout, result);
	} else if (strcmp(what, "sessions") == 0) {
		ctl_fmt_sessions(stdout, result);
	} else if (strcmp(what, "stats") == 0) {
		ctl_fmt_stats(stdout, result);
	}
	json_decref(resp);
	return EXIT_OK;
}
