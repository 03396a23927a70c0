// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/common/stresc.c: the escaped form of outside text (table-driven: each kind
 * of byte, both modes, quotes), that it maps back to the original bytes,
 * that a cut never splits an escape at any buffer size, and that the UTF-8
 * check agrees with jansson's (which refuses what it finds malformed).
 */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "stresc.h"

/* A literal and its length (NULs inside count). */
#define S(lit) lit, sizeof(lit) - 1

static const struct {
	const char *in;
	size_t len;
	unsigned flags;
	const char *out;
} cases[] = {
	{ S("lac1"), 0, "lac1" },
	{ S("lac1"), STRESC_QUOTE, "\"lac1\"" },
	{ S(""), 0, "" },
	{ S(""), STRESC_QUOTE, "\"\"" },
	{ S("a b~"), 0, "a b~" },                         /* printable ASCII as it is */
	{ S("a\nb"), 0, "a\\nb" },                        /* newline */
	{ S("a\rb"), 0, "a\\rb" },                        /* carriage return */
	{ S("a\tb"), 0, "a\\tb" },
	{ S("\x1b[2J"), 0, "\\x1b[2J" },                  /* ESC */
	{ S("say \"hi\""), STRESC_QUOTE, "\"say \\\"hi\\\"\"" },
	{ S("a\\b"), 0, "a\\\\b" },                       /* backslash */
	{ S("a\\x1b"), 0, "a\\\\x1b" },                   /* text that looks like an escape */
	{ S("\x7f"), 0, "\\x7f" },                        /* DEL */
	{ S("\x01\x1f"), 0, "\\x01\\x1f" },
	{ S("\x80\xff"), 0, "\\x80\\xff" },               /* bytes >= 0x80 */
	{ S("Z\xc3\xbcrich"), 0, "Z\\xc3\\xbcrich" },     /* UTF-8 too: one ASCII form */
	{ S("\xe2\x80\xae"), 0, "\\xe2\\x80\\xae" },      /* U+202E right-to-left override */
	{ S("a\0b"), STRESC_QUOTE, "\"a\\x00b\"" },       /* NUL inside a counted string */
	{ S("bob\n12:00:00.000 notice: FORGED \"x\"\x1b"), STRESC_QUOTE,
	  "\"bob\\n12:00:00.000 notice: FORGED \\\"x\\\"\\x1b\"" },
	/* STRESC_CTRL: lnsd's own text; only what is not printable ASCII */
	{ S("host \"a\\n\""), STRESC_CTRL, "host \"a\\n\"" },
	{ S("x\ny\x1b\xff"), STRESC_CTRL, "x\\ny\\x1b\\xff" },
};

/* The escaped form back to bytes (the reverse the man pages promise); -1 if not well formed. */
static int unescape(const char *s, size_t n, char *out, size_t *outlen)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '"')
			return -1;
		if (s[i] != '\\') {
			out[k++] = s[i];
			continue;
		}
		if (++i >= n)
			return -1;
		switch (s[i]) {
		case '\\':
		case '"':
			out[k++] = s[i];
			break;
		case 'n':
			out[k++] = '\n';
			break;
		case 'r':
			out[k++] = '\r';
			break;
		case 't':
			out[k++] = '\t';
			break;
		case 'x': {
			char hex[3] = { 0 };

			if (i + 2 >= n)
				return -1;
			memcpy(hex, s + i + 1, 2);
			if (strspn(hex, "0123456789abcdef") != 2)
				return -1;
			out[k++] = (char)strtoul(hex, NULL, 16);
			i += 2;
			break;
		}
		default:
			return -1;
		}
	}
	*outlen = k;
	return 0;
}

START_TEST(table)
{
	char buf[256], back[256];
	size_t n = stresc(buf, sizeof(buf), cases[_i].in, cases[_i].len, cases[_i].flags);
	size_t blen;

	ck_assert_str_eq(buf, cases[_i].out);
	ck_assert_uint_eq(n, strlen(cases[_i].out));
	ck_assert_uint_le(n + 1, STRESC_SIZE(cases[_i].len));
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(buf[i] >= 0x20 && buf[i] < 0x7f, "case %d: byte %zu is 0x%02x", _i,
			      i, (unsigned char)buf[i]);
	if (cases[_i].flags & STRESC_CTRL)
		return;
	/* reversible: the bytes come back exactly */
	if (cases[_i].flags & STRESC_QUOTE) {
		ck_assert(n >= 2 && buf[0] == '"' && buf[n - 1] == '"');
		ck_assert_int_eq(unescape(buf + 1, n - 2, back, &blen), 0);
	} else {
		ck_assert_int_eq(unescape(buf, n, back, &blen), 0);
	}
	ck_assert_uint_eq(blen, cases[_i].len);
	ck_assert(memcmp(back, cases[_i].in, blen) == 0);
}
END_TEST

/* stresc_q: a C string, quoted, returning the buffer. */
START_TEST(quoted_c_string)
{
	char buf[64];

	ck_assert_ptr_eq(stresc_q(buf, sizeof(buf), "a\"b"), buf);
	ck_assert_str_eq(buf, "\"a\\\"b\"");
}
END_TEST

/*
 * Every buffer size from 0 to beyond the full form: the output fits, is a
 * whole number of escapes (never "\x1" or a lone "\"), and is either the
 * full form or a prefix of it closed by the quote and followed by "...".
 */
START_TEST(cut_never_splits_an_escape)
{
	static const char in[] = "ab\x1b\\\"\n\xff" "cd\x7f";
	const size_t len = sizeof(in) - 1;
	char full[STRESC_SIZE(sizeof(in))], buf[STRESC_SIZE(sizeof(in)) + 8], back[64];

	for (unsigned q = 0; q <= STRESC_QUOTE; q += STRESC_QUOTE) {
		size_t flen = stresc(full, sizeof(full), in, len, q);

		for (size_t size = 0; size <= flen + 2; size++) {
			size_t n, body, blen;

			memset(buf, 'Z', sizeof(buf));
			n = stresc(buf, size, in, len, q);
			if (size == 0) {
				ck_assert_uint_eq(n, 0);
				ck_assert_int_eq(buf[0], 'Z');     /* nothing written */
				continue;
			}
			ck_assert_uint_lt(n, size);
			ck_assert_uint_eq(strlen(buf), n);
			if (size > flen) {
				ck_assert_str_eq(buf, full);
				continue;
			}
			if (n == 0)                         /* too small even for the marker */
				continue;
			ck_assert_msg(n >= 3 && strcmp(buf + n - 3, "...") == 0, "size %zu: %s",
				      size, buf);
			body = n - 3;
			if (q) {
				ck_assert(buf[0] == '"' && buf[body - 1] == '"');
				ck_assert_int_eq(unescape(buf + 1, body - 2, back, &blen), 0);
			} else {
				ck_assert_int_eq(unescape(buf, body, back, &blen), 0);
			}
			/* whole escapes only, so the bytes are a prefix of the input */
			ck_assert_uint_lt(blen, len);
			ck_assert(memcmp(back, in, blen) == 0);
			/* and as much as fits: the next escape would not have */
			{
				char one[8];
				size_t next = stresc(one, sizeof(one), in + blen, 1, 0);

				ck_assert_uint_gt(n + next, size - 1);
			}
		}
	}
}
END_TEST

static const struct {
	const char *in;
	size_t len;
	bool valid;
	const char *fixed;
	size_t fixed_len;
} utf8[] = {
	{ S(""), true, S("") },
	{ S("abc"), true, S("abc") },
	{ S("a\0b"), true, S("a\0b") },                         /* NUL is a character */
	{ S("Z\xc3\xbcrich"), true, S("Z\xc3\xbcrich") },
	{ S("\xe2\x82\xac"), true, S("\xe2\x82\xac") },         /* U+20AC */
	{ S("\xf0\x9f\x98\x80"), true, S("\xf0\x9f\x98\x80") }, /* U+1F600 */
	{ S("\xf4\x8f\xbf\xbf"), true, S("\xf4\x8f\xbf\xbf") }, /* U+10FFFF */
	{ S("\xed\x9f\xbf"), true, S("\xed\x9f\xbf") },         /* U+D7FF */
	{ S("\xff"), false, S("\xef\xbf\xbd") },
	{ S("a\x80z"), false, S("a\xef\xbf\xbdz") },            /* stray continuation */
	{ S("\xc0\x80"), false, S("\xef\xbf\xbd\xef\xbf\xbd") },/* overlong NUL */
	{ S("\xe0\x80\xaf"), false, S("\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd") },
	{ S("\xed\xa0\x80"), false, S("\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd") }, /* surrogate */
	{ S("\xf4\x90\x80\x80"), false,
	  S("\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd") },              /* > U+10FFFF */
	{ S("\xe2\x82"), false, S("\xef\xbf\xbd\xef\xbf\xbd") },/* cut short */
	{ S("\xe2\x82x"), false, S("\xef\xbf\xbd\xef\xbf\xbdx") },
	{ S("\xf5\x80\x80\x80"), false,
	  S("\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd") },
};

START_TEST(utf8_table)
{
	char out[STRESC_UTF8_SIZE(8)];
	size_t n;

	ck_assert_int_eq(stresc_utf8_valid(utf8[_i].in, utf8[_i].len), utf8[_i].valid);
	n = stresc_utf8_fix(out, utf8[_i].in, utf8[_i].len);
	ck_assert_uint_eq(n, utf8[_i].fixed_len);
	ck_assert(memcmp(out, utf8[_i].fixed, n) == 0);
	ck_assert_int_eq(out[n], '\0');
	ck_assert(stresc_utf8_valid(out, n));
}
END_TEST

/*
 * The check must agree with jansson's: a string we call valid must be one
 * jansson takes (else a row would vanish from show tunnels), and one we fix
 * must be one jansson refuses (else we would change bytes for nothing).
 * Random short byte strings weighted toward the UTF-8 lead and
 * continuation ranges.
 */
START_TEST(utf8_agrees_with_jansson)
{
	static const unsigned char pick[] = { 0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0,
					      0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xed,
					      0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff };
	unsigned seed = 12345;

	for (int iter = 0; iter < 200000; iter++) {
		unsigned char s[6];
		size_t len = (size_t)(rand_r(&seed) % 6) + 1;
		json_t *j;

		for (size_t i = 0; i < len; i++)
			s[i] = pick[rand_r(&seed) % sizeof(pick)];
		j = json_stringn((const char *)s, len);
		ck_assert_msg(stresc_utf8_valid(s, len) == (j != NULL),
			      "%02x %02x %02x %02x len %zu: ours %d, jansson %d", s[0], s[1], s[2],
			      s[3], len, stresc_utf8_valid(s, len), j != NULL);
		json_decref(j);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("stresc");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, table, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, quoted_c_string);
	tcase_add_test(tc, cut_never_splits_an_escape);
	tcase_add_loop_test(tc, utf8_table, 0, (int)(sizeof(utf8) / sizeof(utf8[0])));
	tcase_add_test(tc, utf8_agrees_with_jansson);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
