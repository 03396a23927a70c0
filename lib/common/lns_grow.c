// SPDX-License-Identifier: GPL-2.0-or-later
/* A dynamic array's capacity, doubled until it holds what is needed (lns_grow.h). */
#include "lns_grow.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

int lns_grow(void **arr, size_t *cap, size_t need, size_t elem_size, size_t first_cap)
{
	size_t max = SIZE_MAX / elem_size;   /* elements whose size fits in size_t */
	size_t ncap;
	void *p;

	if (need <= *cap)
		return 0;
	if (need > max)
		return -ENOMEM;
	ncap = *cap ? *cap : first_cap ? first_cap : need;
	/* doubling stops at max, which holds need */
	while (ncap < need)
		ncap = ncap > max / 2 ? max : ncap * 2;
	p = realloc(*arr, ncap * elem_size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}
