/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every fuzz_<name>.c defines this libFuzzer entry point; the same body runs
 * under libFuzzer (clang, LNSD_FUZZ=ON) and under replay.c over corpus/<name>/.
 */
#ifndef LNS_FUZZ_H
#define LNS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stresc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Text a decoder keeps from a peer, on its way to a log line or a table:
 * NUL-terminated within cap, and its escaped form (stresc.h, as lnsd logs
 * it) is printable ASCII. The bytes themselves are kept as sent.
 */
static inline void fuzz_check_text(const char *s, size_t cap)
{
	const char *end = memchr(s, '\0', cap);
	char esc[STRESC_SIZE(1024)];

	if (!end || cap > 1024)
		abort();
	stresc(esc, sizeof(esc), s, (size_t)(end - s), STRESC_QUOTE);
	for (const char *e = esc; *e; e++)
		if (*e < 0x20 || *e > 0x7e)
			abort();
}

/* Shared with gen_corpus_msg.py so hidden AVPs in the corpus unhide. */
#define FUZZ_MSG_SECRET "fuzz-secret"
/* Shared with gen_corpus_l2tpv3.py: both sides' nonces, so that signed seeds verify. */
#define FUZZ_V3_NONCE "fuzz-our-nonce-0"
#define FUZZ_V3_PEER_NONCE "@ABCDEFGHIJKLMNO"

#endif
