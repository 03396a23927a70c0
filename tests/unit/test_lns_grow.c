// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/common/lns_grow.c: the first allocation, doubling, a need beyond the
 * double, a need already met (table-driven), that the elements already there
 * keep their values, and that a need whose size overflows size_t is refused
 * with -ENOMEM and the array left as it was.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lns_grow.h"

static const struct {
	size_t cap, need, first, want;   /* capacity before, need, first capacity, capacity after */
} cases[] = {
	{ 0, 0, 8, 0 },        /* nothing needed: nothing allocated */
	{ 0, 1, 8, 8 },        /* first allocation: first_cap */
	{ 0, 8, 8, 8 },
	{ 0, 9, 8, 16 },       /* first_cap doubled */
	{ 0, 100, 8, 128 },
	{ 0, 5, 0, 5 },        /* no first_cap: exactly what is needed */
	{ 8, 8, 64, 8 },       /* need met: unchanged */
	{ 8, 9, 64, 16 },      /* doubling, not first_cap */
	{ 8, 16, 64, 16 },
	{ 8, 17, 64, 32 },     /* need larger than the double */
	{ 8, 1000, 64, 1024 },
	{ 3, 4, 8, 6 },
};

START_TEST(table)
{
	size_t cap = cases[_i].cap;
	uint64_t *v = cap ? calloc(cap, sizeof(*v)) : NULL;

	ck_assert(!cap || v);
	ck_assert_int_eq(lns_grow((void **)&v, &cap, cases[_i].need, sizeof(*v), cases[_i].first), 0);
	ck_assert_uint_eq(cap, cases[_i].want);
	ck_assert(!cap || v);
	if (cap)
		v[cap - 1] = 1;   /* the whole capacity is there (a sanitizer build checks) */
	free(v);
}
END_TEST

START_TEST(values_kept)
{
	uint32_t *v = NULL;
	size_t cap = 0;

	for (uint32_t i = 0; i < 1000; i++) {
		ck_assert_int_eq(lns_grow((void **)&v, &cap, i + 1, sizeof(*v), 16), 0);
		v[i] = i * 7;
	}
	ck_assert_uint_eq(cap, 1024);
	for (uint32_t i = 0; i < 1000; i++)
		ck_assert_uint_eq(v[i], i * 7);
	free(v);
}
END_TEST

START_TEST(overflow_refused)
{
	static const size_t elem[] = { 2, 16, 24, 4096 };
	uint8_t *v = NULL;
	size_t cap = 0;

	ck_assert_int_eq(lns_grow((void **)&v, &cap, 4, 24, 4), 0);
	memset(v, 0xa5, 4 * 24);
	for (size_t i = 0; i < sizeof(elem) / sizeof(elem[0]); i++) {
		uint8_t *before = v;

		ck_assert_int_eq(lns_grow((void **)&v, &cap, SIZE_MAX / elem[i] + 1, elem[i], 4),
				 -ENOMEM);
		ck_assert_int_eq(lns_grow((void **)&v, &cap, SIZE_MAX, elem[i], 4), -ENOMEM);
		ck_assert_ptr_eq(v, before);
		ck_assert_uint_eq(cap, 4);
	}
	/* and from nothing: still nothing */
	{
		void *w = NULL;
		size_t wcap = 0;

		ck_assert_int_eq(lns_grow(&w, &wcap, SIZE_MAX / 8 + 1, 8, 16), -ENOMEM);
		ck_assert_ptr_null(w);
		ck_assert_uint_eq(wcap, 0);
	}
	for (size_t i = 0; i < 4 * 24; i++)
		ck_assert_uint_eq(v[i], 0xa5);
	free(v);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lns_grow");
	SRunner *sr = srunner_create(s);   /* s is run as it is at srunner_run_all() */
	TCase *tc = tcase_create("core");
	int failed;

	tcase_add_loop_test(tc, table, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, values_kept);
	tcase_add_test(tc, overflow_refused);
	suite_add_tcase(s, tc);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
