/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one way a dynamic array grows: its capacity doubles (from a first
 * capacity the caller picks) until it holds what is needed, so n appends
 * cost O(n) copies. Used by every growing array and byte buffer in lib/,
 * lnsd/ and tools/.
 */
#ifndef LNS_GROW_H
#define LNS_GROW_H

#include <stddef.h>

/*
 * Makes *arr (an array of *cap elements of elem_size bytes, NULL when *cap
 * is 0) hold at least need elements: nothing when it already does, else the
 * capacity becomes first_cap (when *cap is 0) doubled as often as need
 * requires, or *cap doubled at least once (first_cap 0: exactly need at
 * first). The elements already there keep their values; the new ones are
 * not initialized. Returns 0, or -ENOMEM when need * elem_size does not fit
 * in size_t or realloc() fails; then *arr and *cap are as they were.
 * elem_size > 0. Callers pass (void **)&ptr (the build has
 * -fno-strict-aliasing).
 */
int lns_grow(void **arr, size_t *cap, size_t need, size_t elem_size, size_t first_cap);

#endif
