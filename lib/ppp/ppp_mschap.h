/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MS-CHAPv2 cryptography (RFC 2759 §8), authenticator side: everything a
 * verifier holding the plaintext password needs to check a peer's
 * NT-Response and to compute the Authenticator Response sent in Success.
 * MD4, SHA1 and DES come from nettle.
 */
#ifndef LNS_PPP_MSCHAP_H
#define LNS_PPP_MSCHAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MSCHAPV2_CHALLENGE_LEN 16      /* authenticator and peer challenges */
#define MSCHAPV2_NT_RESP_LEN 24
#define MSCHAPV2_RESPONSE_LEN 49       /* §4: peer challenge, 8 reserved, NT-Response, flags */
#define MSCHAPV2_AUTH_RESP_LEN 20      /* binary Authenticator Response */
#define MSCHAPV2_AUTH_STR_LEN 42       /* "S=" + 40 upper-case hex digits */
#define MSCHAPV2_PW_MAX 256            /* §8: 0 to 256 Unicode characters */
#define MSCHAPV2_HASH_LEN 16

/* The parts of a 49-byte Response value (§4). */
#define MSCHAPV2_RESP_PEER_CHAL 0
#define MSCHAPV2_RESP_NT 24
#define MSCHAPV2_RESP_FLAGS 48

/*
 * §8.3 NtPasswordHash: MD4 of the password in UTF-16LE. The password is
 * UTF-8 (bytes that are not valid UTF-8 count as Latin-1 characters).
 * -EINVAL when it is longer than MSCHAPV2_PW_MAX UTF-16 units.
 */
int ppp_mschap_nt_hash(const void *pw, size_t pw_len, uint8_t out[MSCHAPV2_HASH_LEN]);

/* §8.2 ChallengeHash: SHA1(peer || auth || user name after its last backslash) [0..7]. */
void ppp_mschap_challenge_hash(const uint8_t peer[MSCHAPV2_CHALLENGE_LEN],
			       const uint8_t auth[MSCHAPV2_CHALLENGE_LEN], const char *user,
			       size_t user_len, uint8_t out[8]);

/* §8.5 ChallengeResponse: three DES encryptions of challenge with 7-byte key parts. */
void ppp_mschap_challenge_response(const uint8_t challenge[8],
				   const uint8_t hash[MSCHAPV2_HASH_LEN],
				   uint8_t out[MSCHAPV2_NT_RESP_LEN]);

/* §8.1 GenerateNTResponse. -EINVAL for a too long password. */
int ppp_mschap_nt_response(const uint8_t auth[MSCHAPV2_CHALLENGE_LEN],
			   const uint8_t peer[MSCHAPV2_CHALLENGE_LEN], const char *user,
			   size_t user_len, const void *pw, size_t pw_len,
			   uint8_t out[MSCHAPV2_NT_RESP_LEN]);

/* §8.7 GenerateAuthenticatorResponse (binary; see ppp_mschap_auth_string). */
int ppp_mschap_auth_response(const void *pw, size_t pw_len,
			     const uint8_t nt_resp[MSCHAPV2_NT_RESP_LEN],
			     const uint8_t peer[MSCHAPV2_CHALLENGE_LEN],
			     const uint8_t auth[MSCHAPV2_CHALLENGE_LEN], const char *user,
			     size_t user_len, uint8_t out[MSCHAPV2_AUTH_RESP_LEN]);

/* "S=" + 40 upper-case hex digits, NUL-terminated. */
void ppp_mschap_auth_string(const uint8_t resp[MSCHAPV2_AUTH_RESP_LEN],
			    char out[MSCHAPV2_AUTH_STR_LEN + 1]);

/*
 * The authenticator's check (§8.1, §8.7): true if nt_resp is what the password
 * gives; then the Authenticator Response is in auth_resp (may be NULL).
 * Compares in constant time.
 */
bool ppp_mschap_verify(const char *user, size_t user_len, const void *pw, size_t pw_len,
		       const uint8_t auth[MSCHAPV2_CHALLENGE_LEN],
		       const uint8_t peer[MSCHAPV2_CHALLENGE_LEN],
		       const uint8_t nt_resp[MSCHAPV2_NT_RESP_LEN],
		       uint8_t auth_resp[MSCHAPV2_AUTH_RESP_LEN]);

#endif
