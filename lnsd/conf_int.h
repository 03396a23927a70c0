/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the files lnsd.conf's code is split into; the rest of lnsd
 * sees conf.h. conf.c reads the INI text and owns the generic value
 * parsers, the section files own the key tables and their checks.
 */
#ifndef LNSD_CONF_INT_H
#define LNSD_CONF_INT_H

#include "conf.h"

enum sect { SECT_NONE, SECT_LNSD, SECT_L2TP, SECT_PPP, SECT_IPSEC, SECT_RADIUS, SECT_PEER };

/* One parse of one file or string. */
struct parser {
	struct lnsd_conf *c;
	FILE *f;                 /* or text */
	const char *text;
	size_t pos;
	int line;
	enum sect sect;
	struct conf_peer *peer;  /* current [peer NAME] */
	char *err;
	size_t errlen;
	bool failed;
};

/* The first error wins: "FILE:LINE: " + the message, then every parser stops. */
__attribute__((format(printf, 2, 3)))
void perr(struct parser *p, const char *fmt, ...);
const char *key_label(const struct parser *p, const char *key, char *buf, size_t len);
char *trim(char *s);             /* in place; returns the first non-blank */

/* Value parsers: 0, or -1 with the message written by perr (lbl names the key). */
int parse_uint(struct parser *p, const char *lbl, const char *v, uint64_t *out);
int parse_seconds(struct parser *p, const char *lbl, const char *v, uint64_t *ms);
int parse_bool(struct parser *p, const char *lbl, const char *v, bool *out);
int parse_cidr(struct parser *p, const char *lbl, char *item, struct conf_cidr *out);
int set_str(struct parser *p, void *field, const char *v);
typedef int (*item_fn)(struct parser *p, const char *lbl, char *item, void *ctx);
int for_each_item(struct parser *p, const char *lbl, const char *v, item_fn fn, void *ctx);
/* Without a message (0 or -1): the caller knows the form to name. */
int parse_port(const char *s, uint16_t *out);
int parse_hostport(const char *item, struct lns_addr *a);
bool has_port(const char *v);
int parse_ipv4(const char *v, uint32_t *out);
int parse_addr(const char *v, struct lns_addr *a);

/* The key tables: the inih handler, and the cross-key checks after the last line. */
int handler(void *user, const char *section, const char *name, const char *value);
size_t key_index(enum sect sect, const char *name);
int finalize(struct parser *p);

/* [ipsec] psk-file: its first line into c->ipsec.psk. */
int read_psk_file(struct parser *p, const char *lbl, const char *path);

#endif
