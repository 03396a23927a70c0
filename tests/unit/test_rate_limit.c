// SPDX-License-Identifier: GPL-2.0-or-later
/* Per-session rate limits: value parsing, the RADIUS attributes, precedence, bucket sizes. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "radius_attr.h"
#include "rate_limit.h"

#define U8(s) (const uint8_t *)(s), strlen(s)

static const struct {
	const char *in;
	int rc;
	uint64_t bps;
} bps_cases[] = {
	{ "0", 0, 0 },
	{ "512000", 0, 512000 },
	{ "512k", 0, 512000 },
	{ "512K", 0, 512000 },
	{ "10M", 0, 10000000 },
	{ "10m", 0, 10000000 },
	{ "1G", 0, 1000000000 },
	{ "100G", 0, 100000000000ull },
	{ "101G", -EINVAL, 0 },
	{ "99999999999999999999999", -EINVAL, 0 },
	{ "", -EINVAL, 0 },
	{ "M", -EINVAL, 0 },
	{ "10MB", -EINVAL, 0 },
	{ "1.5M", -EINVAL, 0 },
	{ "-1", -EINVAL, 0 },
	{ " 1M", -EINVAL, 0 },
};

START_TEST(parse_bps)
{
	uint64_t v = 7;
	int rc = rate_parse_bps(bps_cases[_i].in, strlen(bps_cases[_i].in), &v);

	ck_assert_msg(rc == bps_cases[_i].rc, "%s: rc %d", bps_cases[_i].in, rc);
	if (rc == 0)
		ck_assert_uint_eq(v, bps_cases[_i].bps);
	else
		ck_assert_uint_eq(v, 7);   /* untouched */
}
END_TEST

/* MikroTik: rx is what the router receives, the client's upload. */
static const struct {
	const char *in;
	int rc;
	uint64_t down, up;
} mt_cases[] = {
	{ "128k", 0, 128000, 128000 },
	{ "64k/128M", 0, 128000000, 64000 },
	{ "2M/5M", 0, 5000000, 2000000 },
	{ "384k/1536k 0/0 0/0 0/0 96k/384k", 0, 1536000, 384000 },
	{ "64k 256k", 0, 64000, 64000 },
	{ "5000000/10000000", 0, 10000000, 5000000 },
	{ "", -EINVAL, 0, 0 },
	{ "/5M", -EINVAL, 0, 0 },
	{ "5M/", -EINVAL, 0, 0 },
	{ "5M/x", -EINVAL, 0, 0 },
	{ "5M:5M", -EINVAL, 0, 0 },
	{ "fast", -EINVAL, 0, 0 },
};

START_TEST(parse_mikrotik)
{
	struct rate_limit r = { 1, 1 };
	int rc = rate_parse_mikrotik(U8(mt_cases[_i].in), &r);

	ck_assert_msg(rc == mt_cases[_i].rc, "%s: rc %d", mt_cases[_i].in, rc);
	if (rc == 0) {
		ck_assert_uint_eq(r.down_bps, mt_cases[_i].down);
		ck_assert_uint_eq(r.up_bps, mt_cases[_i].up);
	}
}
END_TEST

/* accel-ppp's Filter-Id: down/up in kbit/s. */
static const struct {
	const char *in;
	int rc;
	uint64_t down, up;
} accel_cases[] = {
	{ "5000/2000", 0, 5000000, 2000000 },
	{ "5000\\2000", 0, 5000000, 2000000 },
	{ "5000:2000", 0, 5000000, 2000000 },
	{ "1024", 0, 1024000, 1024000 },
	{ "gold", -EINVAL, 0, 0 },
	{ "10M", -EINVAL, 0, 0 },
	{ "10/5M", -EINVAL, 0, 0 },
	{ "10/", -EINVAL, 0, 0 },
	{ "10-5", -EINVAL, 0, 0 },
};

START_TEST(parse_accel)
{
	struct rate_limit r = { 1, 1 };
	int rc = rate_parse_accel(U8(accel_cases[_i].in), &r);

	ck_assert_msg(rc == accel_cases[_i].rc, "%s: rc %d", accel_cases[_i].in, rc);
	if (rc == 0) {
		ck_assert_uint_eq(r.down_bps, accel_cases[_i].down);
		ck_assert_uint_eq(r.up_bps, accel_cases[_i].up);
	}
}
END_TEST

static bool profiles(void *ctx, const char *name, struct rate_limit *out)
{
	(void)ctx;
	if (strcmp(name, "gold") == 0) {
		*out = (struct rate_limit){ 5000000, 1000000 };
		return true;
	}
	if (strcmp(name, "5000/2000") == 0) {   /* a profile named like a number wins */
		*out = (struct rate_limit){ 1, 2 };
		return true;
	}
	return false;
}

START_TEST(precedence)
{
	const struct rate_limit dflt = { 20000000, 4000000 }, none = { 0, 0 };
	struct rate_radius r;
	struct rate_limit out;
	unsigned bad = 0;

	/* no RADIUS: the defaults, or nothing */
	ck_assert_int_eq(rate_resolve(NULL, &dflt, profiles, NULL, &out, &bad), RATE_SRC_CONFIG);
	ck_assert_uint_eq(out.down_bps, 20000000);
	ck_assert_uint_eq(out.up_bps, 4000000);
	ck_assert_int_eq(rate_resolve(NULL, &none, NULL, NULL, &out, &bad), RATE_SRC_NONE);
	ck_assert_uint_eq(out.down_bps, 0);

	/* a profile by name */
	memset(&r, 0, sizeof(r));
	rate_radius_filter_id(&r, U8("gold"));
	ck_assert_int_eq(rate_resolve(&r, &dflt, profiles, NULL, &out, &bad), RATE_SRC_PROFILE);
	ck_assert_uint_eq(out.down_bps, 5000000);
	ck_assert_uint_eq(out.up_bps, 1000000);

	/* Mikrotik-Rate-Limit beats the profile */
	rate_radius_mikrotik(&r, U8("1M/3M"));
	ck_assert_int_eq(rate_resolve(&r, &dflt, profiles, NULL, &out, &bad), RATE_SRC_MIKROTIK);
	ck_assert_uint_eq(out.down_bps, 3000000);
	ck_assert_uint_eq(out.up_bps, 1000000);

	/* a profile beats the numeric form; the numeric form without one */
	memset(&r, 0, sizeof(r));
	rate_radius_filter_id(&r, U8("5000/2000"));
	ck_assert_int_eq(rate_resolve(&r, &dflt, profiles, NULL, &out, &bad), RATE_SRC_PROFILE);
	ck_assert_uint_eq(out.down_bps, 1);
	ck_assert_int_eq(rate_resolve(&r, &dflt, NULL, NULL, &out, &bad), RATE_SRC_ACCEL);
	ck_assert_uint_eq(out.down_bps, 5000000);
	ck_assert_uint_eq(out.up_bps, 2000000);
	ck_assert_uint_eq(bad, 0);

	/* unknown name and a bad Mikrotik value: counted, the defaults apply */
	memset(&r, 0, sizeof(r));
	rate_radius_mikrotik(&r, U8("lots"));
	rate_radius_filter_id(&r, U8("silver"));
	ck_assert_uint_eq(r.bad, 1);
	ck_assert(rate_radius_any(&r));
	ck_assert_int_eq(rate_resolve(&r, &dflt, profiles, NULL, &out, &bad), RATE_SRC_CONFIG);
	ck_assert_uint_eq(bad, 1);
	ck_assert_uint_eq(out.down_bps, 20000000);

	/* a Filter-Id too long or with a NUL is bad; the first valid one counts */
	memset(&r, 0, sizeof(r));
	rate_radius_filter_id(&r, (const uint8_t *)"a\0b", 3);
	rate_radius_filter_id(&r, U8("0123456789012345678901234567890123456789012345678901234567890123x"));
	ck_assert_uint_eq(r.bad, 2);
	ck_assert_uint_eq(r.filter_id_len, 0);
	rate_radius_filter_id(&r, U8("gold"));
	rate_radius_filter_id(&r, U8("silver"));
	ck_assert_str_eq(r.filter_id, "gold");
	memset(&r, 0, sizeof(r));
	ck_assert(!rate_radius_any(&r));
}
END_TEST

static size_t put_attr(uint8_t *p, uint8_t type, const void *v, size_t n)
{
	p[0] = type;
	p[1] = (uint8_t)(2 + n);
	memcpy(p + 2, v, n);
	return 2 + n;
}

/* An Access-Accept on the wire: both attributes reach rad_accept. */
START_TEST(reply_attributes)
{
	uint8_t pkt[256] = { RAD_CODE_ACCESS_ACCEPT, 1 }, vsa[64];
	const char *mt = "2M/5M";
	size_t off = RAD_HDR_LEN, n;
	struct rad_avs avs;
	struct rad_accept ra;

	vsa[0] = 0; vsa[1] = 0; vsa[2] = 0x3a; vsa[3] = 0x8c;   /* 14988 */
	vsa[4] = RAD_MIKROTIK_RATE_LIMIT;
	vsa[5] = (uint8_t)(2 + strlen(mt));
	memcpy(vsa + 6, mt, strlen(mt));
	n = 6 + strlen(mt);
	off += put_attr(pkt + off, RAD_VENDOR_SPECIFIC, vsa, n);
	off += put_attr(pkt + off, RAD_FILTER_ID, "gold", 4);
	/* a Mikrotik attribute 8 is text, not Framed-IP-Address's 4 bytes */
	off += put_attr(pkt + off, RAD_FRAMED_IP_ADDRESS, "\xc0\x00\x02\x07", 4);
	pkt[2] = (uint8_t)(off >> 8);
	pkt[3] = (uint8_t)off;
	rad_avs_init(&avs);
	rad_decode_reply(pkt, off, &avs);
	rad_parse_reply(&avs, &ra);
	rad_avs_free(&avs);
	ck_assert(ra.rate.has_mikrotik);
	ck_assert_uint_eq(ra.rate.mikrotik.down_bps, 5000000);
	ck_assert_uint_eq(ra.rate.mikrotik.up_bps, 2000000);
	ck_assert_str_eq(ra.rate.filter_id, "gold");
	ck_assert_uint_eq(ra.framed_ip, 0xc0000207);
}
END_TEST

START_TEST(format_round_trip)
{
	static const uint64_t v[] = { 0, 1500, 512000, 10000000, 2000000000, 1001, 1234567000 };
	char buf[RATE_STRLEN];
	uint64_t back;

	ck_assert_str_eq(rate_format(10000000, buf, sizeof(buf)), "10M");
	ck_assert_str_eq(rate_format(1234567000, buf, sizeof(buf)), "1234567k");
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		rate_format(v[i], buf, sizeof(buf));
		ck_assert_int_eq(rate_parse_bps(buf, strlen(buf), &back), 0);
		ck_assert_uint_eq(back, v[i]);
	}
}
END_TEST

START_TEST(bucket_sizes)
{
	ck_assert_uint_eq(rate_shape_burst(5000000), 31250);       /* 50 ms of 5 Mbit/s */
	ck_assert_uint_eq(rate_shape_burst(64000), 4000);          /* the floor */
	ck_assert_uint_eq(rate_shape_limit(5000000), 31250 + 125000);
	ck_assert_uint_eq(rate_police_burst(5000000), 312500);     /* 500 ms */
	ck_assert_uint_eq(rate_police_burst(64000), 16000);
	ck_assert_uint_eq(rate_police_burst(100000000000ull), UINT32_MAX);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rate_limit");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int nf;

	tcase_add_loop_test(tc, parse_bps, 0, sizeof(bps_cases) / sizeof(bps_cases[0]));
	tcase_add_loop_test(tc, parse_mikrotik, 0, sizeof(mt_cases) / sizeof(mt_cases[0]));
	tcase_add_loop_test(tc, parse_accel, 0, sizeof(accel_cases) / sizeof(accel_cases[0]));
	tcase_add_test(tc, precedence);
	tcase_add_test(tc, reply_attributes);
	tcase_add_test(tc, format_round_trip);
	tcase_add_test(tc, bucket_sizes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? 1 : 0;
}
