/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text that came from outside lnsd (a peer's Host Name, Vendor Name,
 * Calling/Called Number, Proxy Authen Name, a PPP user name, a RADIUS
 * Reply-Message, charon's error text, a DAE client's User-Name...) made safe
 * for each place a person or a parser reads it.
 *
 * One escaped form for people (log lines, lnsctl's tables, metrics labels):
 * printable ASCII (0x20-0x7e) stands for itself, except \ and " which become
 * \\ and \"; tab, newline and carriage return become \t, \n and \r; every
 * other byte (the other control characters, DEL, NUL inside a counted
 * string, and every byte from 0x80 up) becomes \xHH, two lower-case hex
 * digits. The result is one line of printable ASCII that maps back to the
 * original bytes: no forged log line, no terminal escape sequence, no
 * look-alike Unicode.
 *
 * For JSON (the control socket) the bytes stay as they are when they are
 * well-formed UTF-8; stresc_utf8_fix() gives the documented stand-in for
 * the rest (lnsctl(8), JSON).
 */
#ifndef LNS_STRESC_H
#define LNS_STRESC_H

#include <stdbool.h>
#include <stddef.h>

enum stresc_flags {
	STRESC_QUOTE = 1,  /* inside double quotes, as a log line quotes a name */
	/*
	 * Only bytes outside 0x20-0x7e are escaped, \ and " stay: for text that
	 * is lnsd's own (a whole log line, lnsctl's stats) and may already quote
	 * outside text in the escaped form. A last guard, not reversible.
	 */
	STRESC_CTRL = 2,
};

/* Room for len bytes in the escaped form: quotes, the NUL, nothing cut. */
#define STRESC_SIZE(len) (4 * (size_t)(len) + 3)

/*
 * The escaped form of the len bytes at src into dst (size bytes, always
 * NUL-terminated when size > 0); returns its length. What does not fit is
 * cut before an escape, never inside one, and "..." follows (after the
 * closing quote with STRESC_QUOTE), so a cut is visible.
 */
size_t stresc(char *dst, size_t size, const void *src, size_t len, unsigned flags);

/* stresc() of the C string s with STRESC_QUOTE; returns dst (a printf argument). */
const char *stresc_q(char *dst, size_t size, const char *s);

/*
 * Whether len bytes are well-formed UTF-8 (RFC 3629: no overlong forms,
 * no surrogates, nothing past U+10FFFF). NUL is a character like any other.
 */
bool stresc_utf8_valid(const void *s, size_t len);

/* Room for stresc_utf8_fix() of len bytes. */
#define STRESC_UTF8_SIZE(len) (3 * (size_t)(len) + 1)

/*
 * The len bytes at src as well-formed UTF-8 into dst: every well-formed
 * sequence as it is, every other byte as U+FFFD (EF BF BD). dst holds
 * STRESC_UTF8_SIZE(len) bytes; NUL-terminated; returns the length (a NUL
 * inside src is kept and counted).
 */
size_t stresc_utf8_fix(char *dst, const void *src, size_t len);

#endif
