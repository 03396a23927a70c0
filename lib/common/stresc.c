// SPDX-License-Identifier: GPL-2.0-or-later
/* Outside text made safe to show (stresc.h): the escaped form, and UTF-8 for JSON. */
#include "stresc.h"

#include <string.h>

/* One byte's piece of the escaped form into e; its length (1, 2 or 4). */
static size_t piece(unsigned char c, unsigned flags, char e[4])
{
	static const char hex[] = "0123456789abcdef";

	if (c >= 0x20 && c < 0x7f) {
		if ((c == '\\' || c == '"') && !(flags & STRESC_CTRL)) {
			e[0] = '\\';
			e[1] = (char)c;
			return 2;
		}
		e[0] = (char)c;
		return 1;
	}
	e[0] = '\\';
	switch (c) {
	case '\t':
		e[1] = 't';
		return 2;
	case '\n':
		e[1] = 'n';
		return 2;
	case '\r':
		e[1] = 'r';
		return 2;
	default:
		e[1] = 'x';
		e[2] = hex[c >> 4];
		e[3] = hex[c & 15];
		return 4;
	}
}

size_t stresc(char *dst, size_t size, const void *src, size_t len, unsigned flags)
{
	const unsigned char *p = src;
	size_t q = flags & STRESC_QUOTE ? 1 : 0, need = 0, room, n = 0, i;
	bool cut;
	char e[4];

	if (!size)
		return 0;
	for (i = 0; i < len; i++)
		need += piece(p[i], flags, e);
	cut = need + 2 * q > size - 1;
	if (!cut) {
		room = need;
	} else if (size - 1 >= 2 * q + 3) {
		room = size - 1 - 2 * q - 3;   /* the quotes and "..." always fit */
	} else {
		dst[0] = '\0';                 /* not even the marker fits */
		return 0;
	}
	if (q)
		dst[n++] = '"';
	for (i = 0; i < len; i++) {
		size_t k = piece(p[i], flags, e);

		if (k > room)
			break;
		memcpy(dst + n, e, k);
		n += k;
		room -= k;
	}
	if (q)
		dst[n++] = '"';
	if (cut) {
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	dst[n] = '\0';
	return n;
}

const char *stresc_q(char *dst, size_t size, const char *s)
{
	stresc(dst, size, s, strlen(s), STRESC_QUOTE);
	return dst;
}

/* Length of the well-formed UTF-8 sequence at p (RFC 3629 §4), 0 if none starts there. */
static size_t utf8_seq(const unsigned char *p, size_t left)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c < 0xc2)                 /* continuation byte, or an overlong 2-byte form */
		return 0;
	if (c < 0xe0) {
		n = 2;
	} else if (c < 0xf0) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;            /* overlong */
		else if (c == 0xed)
			hi = 0x9f;            /* surrogates U+D800-U+DFFF */
	} else if (c < 0xf5) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;            /* overlong */
		else if (c == 0xf4)
			hi = 0x8f;            /* past U+10FFFF */
	} else {
		return 0;
	}
	if (left < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

bool stresc_utf8_valid(const void *s, size_t len)
{
	const unsigned char *p = s;

	for (size_t i = 0, k; i < len; i += k) {
		k = utf8_seq(p + i, len - i);
		if (!k)
			return false;
	}
	return true;
}

size_t stresc_utf8_fix(char *dst, const void *src, size_t len)
{
	const unsigned char *p = src;
	size_t n = 0;

	for (size_t i = 0, k; i < len; i += k) {
		k = utf8_seq(p + i, len - i);
		if (k) {
			memcpy(dst + n, p + i, k);
			n += k;
		} else {
			memcpy(dst + n, "\xef\xbf\xbd", 3);
			n += 3;
			k = 1;
		}
	}
	dst[n] = '\0';
	return n;
}
