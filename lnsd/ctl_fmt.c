// SPDX-License-Identifier: GPL-2.0-or-later
/* Tables for lnsctl, in the style of ip(8) and accel-cmd. */
#include "ctl_fmt.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum col_kind { COL_STR, COL_INT, COL_UPTIME };

struct col {
	const char *title;
	const char *key;
	enum col_kind kind;
};

#define CELL_LEN 80

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

static void cell(const json_t *row, const struct col *c, char *buf)
{
	const json_t *v = json_object_get(row, c->key);

	if (!v) {
		strcpy(buf, "-");
		return;
	}
	switch (c->kind) {
	case COL_STR:
		snprintf(buf, CELL_LEN, "%s",
			 json_is_string(v) && json_string_length(v) ? json_string_value(v) : "-");
		return;
	case COL_INT:
		snprintf(buf, CELL_LEN, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return;
	case COL_UPTIME:
		ctl_fmt_uptime((uint64_t)json_integer_value(v), buf, CELL_LEN);
		return;
	}
}

static void put_cell(FILE *f, const char *s, size_t width, bool last)
{
	if (last)
		fprintf(f, "%s\n", s);
	else
		fprintf(f, "%-*s  ", (int)width, s);
}

/* Columns as wide as their widest cell, two spaces apart, last one unpadded. */
static void table(FILE *f, const json_t *arr, const struct col *cols, size_t ncols)
{
	size_t rows = json_array_size(arr), w[16] = { 0 };
	char buf[CELL_LEN];

	for (size_t c = 0; c < ncols; c++) {
		w[c] = strlen(cols[c].title);
		for (size_t r = 0; r < rows; r++) {
			cell(json_array_get(arr, r), &cols[c], buf);
			if (strlen(buf) > w[c])
				w[c] = strlen(buf);
		}
	}
	for (size_t c = 0; c < ncols; c++)
		put_cell(f, cols[c].title, w[c], c + 1 == ncols);
	for (size_t r = 0; r < rows; r++) {
		for (size_t c = 0; c < ncols; c++) {
			cell(json_array_get(arr, r), &cols[c], buf);
			put_cell(f, buf, w[c], c + 1 == ncols);
		}
	}
}

void ctl_fmt_tunnels(FILE *f, const json_t *arr)
{
	static const struct col cols[] = {
		{ "TUNNEL", "tunnel_id", COL_INT },     { "PEER-TUNNEL", "peer_tunnel_id", COL_INT },
		{ "PEER", "peer", COL_STR },            { "HOSTNAME", "peer_hostname", COL_STR },
		{ "STATE", "state", COL_STR },          { "SESSIONS", "sessions", COL_INT },
		{ "RX-PKTS", "rx_packets", COL_INT },   { "TX-PKTS", "tx_packets", COL_INT },
		{ "UPTIME", "uptime_s", COL_UPTIME },
	};

	table(f, arr, cols, sizeof(cols) / sizeof(cols[0]));
}

void ctl_fmt_sessions(FILE *f, const json_t *arr)
{
	static const struct col cols[] = {
		{ "TUNNEL", "tunnel_id", COL_INT },
		{ "SESSION", "session_id", COL_INT },
		{ "PEER-TUNNEL", "peer_tunnel_id", COL_INT },
		{ "PEER-SESSION", "peer_session_id", COL_INT },
		{ "PEER", "peer", COL_STR },
		{ "STATE", "state", COL_STR },
		{ "IFNAME", "ifname", COL_STR },
		{ "USER", "username", COL_STR },
		{ "IP", "ip", COL_STR },
		{ "CALLING", "calling_number", COL_STR },
		{ "CALLED", "called_number", COL_STR },
		{ "RX-BYTES", "rx_bytes", COL_INT },
		{ "TX-BYTES", "tx_bytes", COL_INT },
		{ "UPTIME", "uptime_s", COL_UPTIME },
	};

	table(f, arr, cols, sizeof(cols) / sizeof(cols[0]));
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
			fprintf(f, "%*s%s: %s\n", depth * 2, "", key, json_string_value(v));
		}
	}
}

void ctl_fmt_stats(FILE *f, const json_t *obj)
{
	stats(f, obj, 0);
}
