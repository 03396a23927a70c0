/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every fuzz_<name>.c defines this libFuzzer entry point; the same body runs
 * under libFuzzer (clang, LNSD_FUZZ=ON) and under replay.c over corpus/<name>/.
 */
#ifndef LNS_FUZZ_H
#define LNS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Shared with gen_corpus_msg.py so hidden AVPs in the corpus unhide. */
#define FUZZ_MSG_SECRET "fuzz-secret"

#endif
