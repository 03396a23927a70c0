// SPDX-License-Identifier: GPL-2.0-or-later
/* IPv4 pool: ranges, allocate/release/reuse, exhaustion, specific addresses, parsing. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ip_pool.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static struct ip_pool *pool;

static void setup(void)
{
	pool = ip_pool_new();
	ck_assert_ptr_nonnull(pool);
}

static void teardown(void)
{
	ip_pool_free(pool);
}

START_TEST(two_ranges_exhaust_release_reuse)
{
	uint32_t a, got[8];
	int i;

	ck_assert_int_eq(ip_pool_add_range(pool, IP(10, 0, 0, 10), IP(10, 0, 0, 12)), 0);
	ck_assert_int_eq(ip_pool_add_range(pool, IP(10, 0, 1, 1), IP(10, 0, 1, 2)), 0);
	ck_assert_uint_eq(ip_pool_size(pool), 5);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(ip_pool_alloc(pool, &got[i]), 0);
	ck_assert_uint_eq(got[0], IP(10, 0, 0, 10));
	ck_assert_uint_eq(got[2], IP(10, 0, 0, 12));
	ck_assert_uint_eq(got[3], IP(10, 0, 1, 1));
	ck_assert_uint_eq(got[4], IP(10, 0, 1, 2));
	ck_assert_int_eq(ip_pool_alloc(pool, &a), -ENOSPC);
	ck_assert_uint_eq(ip_pool_used(pool), 5);
	ck_assert_int_eq(ip_pool_release(pool, IP(10, 0, 0, 11)), 0);
	ck_assert_int_eq(ip_pool_release(pool, IP(10, 0, 0, 11)), -EALREADY);
	ck_assert_int_eq(ip_pool_release(pool, IP(10, 0, 0, 13)), -ENOENT);
	ck_assert_int_eq(ip_pool_alloc(pool, &a), 0);
	ck_assert_uint_eq(a, IP(10, 0, 0, 11));
	ck_assert_int_eq(ip_pool_alloc(pool, &a), -ENOSPC);
}
END_TEST

/* A freed address is not the next one handed out while others are free (cursor). */
START_TEST(rotating_cursor)
{
	uint32_t a, b, c;

	ck_assert_int_eq(ip_pool_add_range(pool, IP(10, 0, 0, 1), IP(10, 0, 0, 100)), 0);
	ck_assert_int_eq(ip_pool_alloc(pool, &a), 0);
	ck_assert_int_eq(ip_pool_release(pool, a), 0);
	ck_assert_int_eq(ip_pool_alloc(pool, &b), 0);
	ck_assert_uint_ne(a, b);
	ck_assert_int_eq(ip_pool_alloc(pool, &c), 0);
	ck_assert_uint_eq(c, b + 1);
}
END_TEST

START_TEST(specific_address)
{
	uint32_t a;
	int i;

	ck_assert_int_eq(ip_pool_add_range(pool, IP(10, 0, 0, 1), IP(10, 0, 0, 3)), 0);
	ck_assert_int_eq(ip_pool_alloc_addr(pool, IP(10, 0, 0, 2)), 0);
	ck_assert_int_eq(ip_pool_alloc_addr(pool, IP(10, 0, 0, 2)), -EADDRINUSE);
	ck_assert_int_eq(ip_pool_alloc_addr(pool, IP(10, 0, 0, 9)), -ENOENT);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(ip_pool_alloc(pool, &a), 0);
		ck_assert_uint_ne(a, IP(10, 0, 0, 2));
	}
	ck_assert_int_eq(ip_pool_alloc(pool, &a), -ENOSPC);
	ck_assert(ip_pool_contains(pool, IP(10, 0, 0, 3)));
	ck_assert(!ip_pool_contains(pool, IP(10, 0, 0, 4)));
}
END_TEST

START_TEST(range_errors)
{
	ck_assert_int_eq(ip_pool_add_range(pool, IP(10, 0, 0, 5), IP(10, 0, 0, 4)), -EINVAL);
	ck_assert_int_eq(ip_pool_add_range(pool, IP(10, 0, 0, 10), IP(10, 0, 0, 20)), 0);
	ck_assert_int_eq(ip_pool_add_range(pool, IP(10, 0, 0, 20), IP(10, 0, 0, 30)), -EINVAL);
	ck_assert_int_eq(ip_pool_add_range(pool, IP(10, 0, 0, 1), IP(10, 0, 0, 10)), -EINVAL);
	ck_assert_int_eq(ip_pool_add_range(pool, IP(10, 0, 0, 12), IP(10, 0, 0, 13)), -EINVAL);
	ck_assert_int_eq(ip_pool_add_range(pool, IP(11, 0, 0, 0), IP(11, 255, 255, 255)), -E2BIG);
	ck_assert_int_eq(ip_pool_add_range(pool, IP(10, 0, 0, 1), IP(10, 0, 0, 9)), 0);
	ck_assert_int_eq(ip_pool_alloc_addr(pool, IP(10, 0, 0, 9)), 0);
	ck_assert_int_eq(ip_pool_add_range(pool, IP(10, 0, 1, 1), IP(10, 0, 1, 9)), -EBUSY);
}
END_TEST

START_TEST(parse)
{
	size_t off = 0;
	uint32_t a;

	ck_assert_int_eq(ip_pool_parse(pool, "10.1.0.2-10.1.0.3, 10.2.0.1 ,10.3.0.1 - 10.3.0.2", &off), 0);
	ck_assert_uint_eq(ip_pool_size(pool), 5);
	ck_assert_int_eq(ip_pool_alloc(pool, &a), 0);
	ck_assert_uint_eq(a, IP(10, 1, 0, 2));
	ck_assert(ip_pool_contains(pool, IP(10, 3, 0, 2)));
	ip_pool_free(pool);
	pool = ip_pool_new();
	ck_assert_int_eq(ip_pool_parse(pool, "10.0.0.1-10.0.0.5, 10.0.0.300", &off), -EINVAL);
	ck_assert_uint_eq(off, 19);
	ck_assert_int_eq(ip_pool_parse(pool, "-10.0.0.1", &off), -EINVAL);
	ck_assert_int_eq(ip_pool_parse(pool, "10.9.0.1-", &off), -EINVAL);
	ck_assert_int_eq(ip_pool_parse(pool, "10.0.0.3-10.0.0.4", &off), -EINVAL); /* overlap */
	ck_assert_int_eq(ip_pool_parse(pool, "", &off), 0);
}
END_TEST

/* A whole /12 handed out and back, then a /8 exists and serves its last address. */
START_TEST(large)
{
	uint32_t a, n = 0, prev = 0, out_of_order = 0;

	ck_assert_int_eq(ip_pool_add_range(pool, IP(100, 64, 0, 0), IP(100, 79, 255, 255)), 0);
	while (ip_pool_alloc(pool, &a) == 0) {
		out_of_order += n && a != prev + 1;     /* ck_assert per address is slow */
		prev = a;
		n++;
	}
	ck_assert_uint_eq(n, 1u << 20);
	ck_assert_uint_eq(out_of_order, 0);
	ck_assert_int_eq(ip_pool_release(pool, IP(100, 70, 1, 2)), 0);
	ck_assert_int_eq(ip_pool_alloc(pool, &a), 0);
	ck_assert_uint_eq(a, IP(100, 70, 1, 2));
	ip_pool_free(pool);

	pool = ip_pool_new();
	ck_assert_int_eq(ip_pool_add_range(pool, IP(10, 0, 0, 0), IP(10, 255, 255, 255)), 0);
	ck_assert_uint_eq(ip_pool_size(pool), IP_POOL_MAX);
	ck_assert_int_eq(ip_pool_alloc_addr(pool, IP(10, 255, 255, 255)), 0);
	ck_assert_int_eq(ip_pool_alloc(pool, &a), 0);
	ck_assert_uint_eq(a, IP(10, 0, 0, 0));
}
END_TEST

static Suite *pool_suite(void)
{
	Suite *s = suite_create("ppp_pool");
	TCase *tc = tcase_create("pool");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, two_ranges_exhaust_release_reuse);
	tcase_add_test(tc, rotating_cursor);
	tcase_add_test(tc, specific_address);
	tcase_add_test(tc, range_errors);
	tcase_add_test(tc, parse);
	tcase_add_test(tc, large);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pool_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
