/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the files lnsd.conf's code is split into; the rest of lnsd
 * sees conf.h. conf.c reads the INI text and owns the generic value
 * parsers; conf_sections.c owns the key table and its checks;
 * conf_files.c reads the files the configuration names. conf_dump.c needs
 * only conf.h.
 */
#ifndef LNSD_CONF_INT_H
#define LNSD_CONF_INT_H

#include "conf.h"

enum cf_sect {
	SECT_NONE, SECT_LNSD, SECT_L2TP, SECT_PPP, SECT_IPSEC, SECT_RADIUS, SECT_PEER, SECT_PW,
};

/* One parse of one file or string. */
struct cf_parser {
	struct lnsd_conf *c;
	FILE *f;                 /* or text */
	const char *text;
	size_t pos;
	int line;
	enum cf_sect sect;
	struct conf_peer *peer;  /* current [peer NAME] */
	struct conf_pw *pw;      /* current [pseudowire NAME] */
	char *err;
	size_t errlen;
	bool failed;
};

/* conf.c. The first error wins: "FILE:LINE: " + the message, then every parser stops. */
__attribute__((format(printf, 2, 3)))
void cf_perr(struct cf_parser *p, const char *fmt, ...);
const char *cf_key_label(const struct cf_parser *p, const char *key, char *buf, size_t len);
char *cf_trim(char *s);          /* in place; returns the first non-blank */

/* Value parsers: 0, or -1 with the message written by cf_perr (lbl names the key). */
int cf_parse_uint(struct cf_parser *p, const char *lbl, const char *v, uint64_t *out);
int cf_parse_seconds(struct cf_parser *p, const char *lbl, const char *v, uint64_t *ms);
int cf_parse_bool(struct cf_parser *p, const char *lbl, const char *v, bool *out);
int cf_parse_cidr(struct cf_parser *p, const char *lbl, char *item, struct conf_cidr *out);
int cf_set_str(struct cf_parser *p, void *field, const char *v);
typedef int (*cf_item_fn)(struct cf_parser *p, const char *lbl, char *item, void *ctx);
int cf_for_each_item(struct cf_parser *p, const char *lbl, const char *v, cf_item_fn fn, void *ctx);
/* Without a message (0 or -1): the caller knows the form to name. */
int cf_parse_port(const char *s, uint16_t *out);
int cf_parse_hostport(const char *item, struct lns_addr *a);
bool cf_has_port(const char *v);
int cf_parse_ipv4(const char *v, uint32_t *out);
int cf_parse_addr(const char *v, struct lns_addr *a);

/* conf_sections.c: the inih handler, and the cross-key checks after the last line. */
int cf_handler(void *user, const char *section, const char *name, const char *value);
size_t cf_key_index(enum cf_sect sect, const char *name);
int cf_finalize(struct cf_parser *p);

/*
 * conf_files.c: a secret file's first line (at most max characters,
 * trimmed, not empty) into *dst: [ipsec] psk-file, [pseudowire] secret-file.
 */
int cf_read_secret_line(struct cf_parser *p, const char *lbl, const char *path, size_t max,
			char **dst);

#endif
