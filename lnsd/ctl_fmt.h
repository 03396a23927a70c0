/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Human-readable rendering of control-socket results, shared by lnsctl and
 * the unit tests: the column tables of show tunnels / sessions (choice of
 * columns, match COLUMN REGEX, order COLUMN) and indented key: value lines
 * for show stats; and the one rule for text from outside lnsd on each side
 * of the socket: exact UTF-8 in JSON (ctl_json_text), the escaped form of
 * stresc.h in what lnsctl prints (ctl_cell).
 */
#ifndef LNSD_CTL_FMT_H
#define LNSD_CTL_FMT_H

#include <jansson.h>
#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Text from outside lnsd (a peer's Host Name, a PPP user name, charon's
 * cipher name...) as a JSON string, lnsd's side of the control socket: the
 * exact bytes when they are well-formed UTF-8 (JSON writes control
 * characters, NUL included, as \u00XX), otherwise each byte outside a
 * well-formed sequence as U+FFFD (stresc_utf8_fix). jansson refuses a
 * string that is not UTF-8, which would lose the whole row. NULL only when
 * out of memory.
 */
json_t *ctl_json_text(const void *s, size_t len);

/* "45s", "12m03s", "3h04m", "2d03h". */
char *ctl_fmt_uptime(uint64_t s, char *buf, size_t len);

enum ctl_obj { CTL_OBJ_TUNNELS, CTL_OBJ_SESSIONS };

enum ctl_col_kind {
	CTL_COL_STR,     /* string; sorts with strcmp */
	CTL_COL_INT,     /* integer; sorts numerically */
	CTL_COL_UPTIME,  /* seconds, shown as ctl_fmt_uptime(); sorts numerically */
	CTL_COL_ADDR,    /* "addr", "addr:port" or "[v6]:port"; sorts by address, then port */
	CTL_COL_BOOL,    /* shown yes/no; no before yes */
	CTL_COL_IPSEC,   /* {"ike_id","child_id","natt"}: "IKE/CHILD", " nat-t" */
};

enum ctl_col_dflt {
	CTL_DFLT_NO,      /* only when asked for */
	CTL_DFLT_YES,     /* in the default set */
	CTL_DFLT_IF_SET,  /* in the default set when some row has it (IPsec) */
};

/*
 * One column of show tunnels / sessions: a JSON member of the listed
 * objects ("a.b" reaches into a nested object, e.g. "ipsec.cipher"). The
 * table header is the name in capitals. A member the daemon does not send
 * shows as "-" and matches as "". Adding a column is one line in ctl_fmt.c.
 */
struct ctl_col {
	const char *name;
	const char *key;
	enum ctl_col_kind kind;
	enum ctl_col_dflt dflt;
	const char *help;
};

/* The columns of obj, in table order, and their number in *n. */
const struct ctl_col *ctl_cols(enum ctl_obj obj, size_t *n);
const struct ctl_col *ctl_col_find(enum ctl_obj obj, const char *name);
const char *ctl_obj_name(enum ctl_obj obj);   /* "tunnels", "sessions" */

#define CTL_MAX_COLS 64
/*
 * "a,b,c" to columns (at most CTL_MAX_COLS); the number, or -1 with err
 * naming the unknown or empty column.
 */
int ctl_cols_parse(enum ctl_obj obj, const char *list, const struct ctl_col **out, char *err,
		   size_t errlen);
/* The default set for the rows of arr (NULL: no CTL_DFLT_IF_SET column); its number. */
int ctl_cols_default(enum ctl_obj obj, const json_t *arr, const struct ctl_col **out);

/*
 * A cell's text as the table shows it, and as match and order see it: a
 * string in the escaped form of stresc.h (no quotes), so no byte from a peer
 * reaches the terminal as it is. False (and "") when the member is missing
 * or an empty string.
 */
bool ctl_cell(const json_t *row, const struct ctl_col *c, char *buf, size_t len);

/* match COLUMN REGEX: POSIX extended, unanchored, against the cell's text. */
struct ctl_match {
	const struct ctl_col *col;
	regex_t re;
};
int ctl_match_compile(struct ctl_match *m, const struct ctl_col *col, const char *regex,
		      char *err, size_t errlen);
void ctl_match_free(struct ctl_match *m);
/* Does row satisfy every one of the nm clauses? (lnsd's listings and lnsctl) */
bool ctl_row_matches(const json_t *row, const struct ctl_match *m, size_t nm);

/* -1, 0, 1: rows a and b by column c (see enum ctl_col_kind); missing first. */
int ctl_col_cmp(const struct ctl_col *c, const json_t *a, const json_t *b);
/*
 * The rows of arr that satisfy every match, ordered by `order` (NULL: as
 * listed; ties keep the daemon's order), descending when desc. New array
 * holding references to arr's objects.
 */
json_t *ctl_select(const json_t *arr, const struct ctl_match *m, size_t nm,
		   const struct ctl_col *order, bool desc);

/* Columns as wide as their widest cell, two spaces apart. */
void ctl_fmt_table(FILE *f, const json_t *arr, const struct ctl_col *const *cols, size_t n);
/* ctl_fmt_table with the default columns. */
void ctl_fmt_tunnels(FILE *f, const json_t *arr);
void ctl_fmt_sessions(FILE *f, const json_t *arr);
void ctl_fmt_stats(FILE *f, const json_t *obj);

#endif
