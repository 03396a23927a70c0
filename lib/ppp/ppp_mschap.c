// SPDX-License-Identifier: GPL-2.0-or-later
/* MS-CHAPv2 hashes, RFC 2759 §8, on top of nettle's MD4, SHA1 and DES. */
#include <errno.h>
#include <string.h>

#include <nettle/des.h>
#include <nettle/md4.h>
#include <nettle/memops.h>
#include <nettle/sha1.h>

#include "ppp_mschap.h"

/* Next code point of UTF-8 text; an invalid sequence yields its first byte (Latin-1). */
static uint32_t utf8_next(const uint8_t *p, size_t len, size_t *used)
{
	uint32_t cp;
	size_t n, i;

	if (p[0] < 0x80) {
		*used = 1;
		return p[0];
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		n = 0;
		cp = 0;
	}
	for (i = 1; n && i < n; i++) {
		if (i >= len || (p[i] & 0xc0) != 0x80) {
			n = 0;
			break;
		}
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* overlong forms, surrogates and values past U+10FFFF are not UTF-8 */
	if (n == 0 || (n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff)) {
		*used = 1;
		return p[0];
	}
	*used = n;
	return cp;
}

int ppp_mschap_nt_hash(const void *pw, size_t pw_len, uint8_t out[MSCHAPV2_HASH_LEN])
{
	const uint8_t *p = pw;
	uint8_t u16[2 * MSCHAPV2_PW_MAX];
	size_t off = 0, n = 0, used;
	struct md4_ctx ctx;
	int rc = 0;

	while (off < pw_len) {
		uint32_t cp = utf8_next(p + off, pw_len - off, &used);
		uint16_t units[2];
		size_t k, nu = 1;

		off += used;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			units[0] = (uint16_t)(0xd800 | cp >> 10);
			units[1] = (uint16_t)(0xdc00 | (cp & 0x3ff));
			nu = 2;
		} else {
			units[0] = (uint16_t)cp;
		}
		if (n + nu > MSCHAPV2_PW_MAX) {
			rc = -EINVAL;
			goto out;
		}
		for (k = 0; k < nu; k++) {
			u16[2 * n] = (uint8_t)units[k];
			u16[2 * n + 1] = (uint8_t)(units[k] >> 8);
			n++;
		}
	}
	md4_init(&ctx);
	md4_update(&ctx, 2 * n, u16);
	md4_digest(&ctx, MSCHAPV2_HASH_LEN, out);
out:
	memset(u16, 0, sizeof(u16));
	return rc;
}

void ppp_mschap_challenge_hash(const uint8_t peer[MSCHAPV2_CHALLENGE_LEN],
			       const uint8_t auth[MSCHAPV2_CHALLENGE_LEN], const char *user,
			       size_t user_len, uint8_t out[8])
{
	const char *bs = user_len ? memrchr(user, '\\', user_len) : NULL;
	uint8_t digest[SHA1_DIGEST_SIZE];
	struct sha1_ctx ctx;

	/* §8.2: "excluding any prepended domain name" (DOMAIN\user) */
	if (bs) {
		user_len -= (size_t)(bs + 1 - user);
		user = bs + 1;
	}
	sha1_init(&ctx);
	sha1_update(&ctx, MSCHAPV2_CHALLENGE_LEN, peer);
	sha1_update(&ctx, MSCHAPV2_CHALLENGE_LEN, auth);
	sha1_update(&ctx, user_len, (const uint8_t *)user);
	sha1_digest(&ctx, sizeof(digest), digest);
	memcpy(out, digest, 8);
}

/* §8.6 DesEncrypt: a 7-byte key spread over 8 bytes, parity in each low bit. */
static void des7(const uint8_t clear[8], const uint8_t k7[7], uint8_t out[8])
{
	uint8_t k8[DES_KEY_SIZE];
	struct des_ctx ctx;
	int i;

	k8[0] = k7[0];
	for (i = 1; i < 7; i++)
		k8[i] = (uint8_t)(k7[i - 1] << (8 - i) | k7[i] >> i);
	k8[7] = (uint8_t)(k7[6] << 1);
	des_fix_parity(DES_KEY_SIZE, k8, k8);
	/*
	 * The last key part is two hash bytes and five zeros and may be a weak
	 * DES key: des_set_key says so (returns 0) but still sets the schedule.
	 */
	(void)des_set_key(&ctx, k8);
	des_encrypt(&ctx, DES_BLOCK_SIZE, out, clear);
	memset(&ctx, 0, sizeof(ctx));
	memset(k8, 0, sizeof(k8));
}

void ppp_mschap_challenge_response(const uint8_t challenge[8],
				   const uint8_t hash[MSCHAPV2_HASH_LEN],
				   uint8_t out[MSCHAPV2_NT_RESP_LEN])
{
	uint8_t z[21] = { 0 };

	/* §8.5: the 16-byte hash zero-padded to 21, three 7-byte keys */
	memcpy(z, hash, MSCHAPV2_HASH_LEN);
	des7(challenge, z, out);
	des7(challenge, z + 7, out + 8);
	des7(challenge, z + 14, out + 16);
	memset(z, 0, sizeof(z));
}

int ppp_mschap_nt_response(const uint8_t auth[MSCHAPV2_CHALLENGE_LEN],
			   const uint8_t peer[MSCHAPV2_CHALLENGE_LEN], const char *user,
			   size_t user_len, const void *pw, size_t pw_len,
			   uint8_t out[MSCHAPV2_NT_RESP_LEN])
{
	uint8_t chal[8], hash[MSCHAPV2_HASH_LEN];
	int rc = ppp_mschap_nt_hash(pw, pw_len, hash);

	if (rc == 0) {
		ppp_mschap_challenge_hash(peer, auth, user, user_len, chal);
		ppp_mschap_challenge_response(chal, hash, out);
	}
	memset(hash, 0, sizeof(hash));
	return rc;
}

/* §8.7 "Magic server to client signing constant" and "Pad to make it do more than one iteration". */
static const uint8_t magic1[39] = "Magic server to client signing constant";
static const uint8_t magic2[41] = "Pad to make it do more than one iteration";

int ppp_mschap_auth_response(const void *pw, size_t pw_len,
			     const uint8_t nt_resp[MSCHAPV2_NT_RESP_LEN],
			     const uint8_t peer[MSCHAPV2_CHALLENGE_LEN],
			     const uint8_t auth[MSCHAPV2_CHALLENGE_LEN], const char *user,
			     size_t user_len, uint8_t out[MSCHAPV2_AUTH_RESP_LEN])
{
	uint8_t hash[MSCHAPV2_HASH_LEN], hh[MSCHAPV2_HASH_LEN], digest[SHA1_DIGEST_SIZE];
	uint8_t chal[8];
	struct md4_ctx m;
	struct sha1_ctx s;
	int rc = ppp_mschap_nt_hash(pw, pw_len, hash);

	if (rc < 0)
		goto out;
	/* §8.4 HashNtPasswordHash */
	md4_init(&m);
	md4_update(&m, sizeof(hash), hash);
	md4_digest(&m, sizeof(hh), hh);

	sha1_init(&s);
	sha1_update(&s, sizeof(hh), hh);
	sha1_update(&s, MSCHAPV2_NT_RESP_LEN, nt_resp);
	sha1_update(&s, sizeof(magic1), magic1);
	sha1_digest(&s, sizeof(digest), digest);

	ppp_mschap_challenge_hash(peer, auth, user, user_len, chal);
	sha1_init(&s);
	sha1_update(&s, sizeof(digest), digest);
	sha1_update(&s, sizeof(chal), chal);
	sha1_update(&s, sizeof(magic2), magic2);
	sha1_digest(&s, MSCHAPV2_AUTH_RESP_LEN, out);
out:
	memset(hash, 0, sizeof(hash));
	memset(hh, 0, sizeof(hh));
	return rc;
}

void ppp_mschap_auth_string(const uint8_t resp[MSCHAPV2_AUTH_RESP_LEN],
			    char out[MSCHAPV2_AUTH_STR_LEN + 1])
{
	static const char hex[] = "0123456789ABCDEF";
	int i;

	out[0] = 'S';
	out[1] = '=';
	for (i = 0; i < MSCHAPV2_AUTH_RESP_LEN; i++) {
		out[2 + 2 * i] = hex[resp[i] >> 4];
		out[3 + 2 * i] = hex[resp[i] & 15];
	}
	out[MSCHAPV2_AUTH_STR_LEN] = '\0';
}

bool ppp_mschap_verify(const char *user, size_t user_len, const void *pw, size_t pw_len,
		       const uint8_t auth[MSCHAPV2_CHALLENGE_LEN],
		       const uint8_t peer[MSCHAPV2_CHALLENGE_LEN],
		       const uint8_t nt_resp[MSCHAPV2_NT_RESP_LEN],
		       uint8_t auth_resp[MSCHAPV2_AUTH_RESP_LEN])
{
	uint8_t want[MSCHAPV2_NT_RESP_LEN];

	if (ppp_mschap_nt_response(auth, peer, user, user_len, pw, pw_len, want) < 0 ||
	    !memeql_sec(want, nt_resp, sizeof(want)))
		return false;
	return !auth_resp || ppp_mschap_auth_response(pw, pw_len, nt_resp, peer, auth, user,
						      user_len, auth_resp) == 0;
}
