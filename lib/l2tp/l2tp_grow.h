/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Growing an array by doubling, for the action lists of the v2 LNS
 * (lns_actions.c) and the v3 LCCE (l2tp_lcce.c): both keep a vector of
 * actions and one byte buffer of the datagrams they send.
 */
#ifndef LNS_L2TP_GROW_H
#define LNS_L2TP_GROW_H

#include <errno.h>
#include <stdlib.h>

/* Make *arr (of *cap elements of elem bytes) hold need: the capacity doubles
 * from first. 0, or -ENOMEM with *arr and *cap unchanged. */
static inline int l2tp_grow(void *arr, size_t *cap, size_t need, size_t elem, size_t first)
{
	void **p = arr;
	size_t ncap = *cap ? *cap : first;
	void *nv;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	nv = realloc(*p, ncap * elem);
	if (!nv)
		return -ENOMEM;
	*p = nv;
	*cap = ncap;
	return 0;
}

#endif
