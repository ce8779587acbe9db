/*
 * auth_internal.h - helpers shared by the files of shared/auth, not part of
 * its public face.
 */
#ifndef ASEC_AUTH_INTERNAL_H
#define ASEC_AUTH_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <time.h>

#include "auth/auth.h"

#define AUTH_DIGEST_SIZE 32 /* SHA-256 */

/* The cache's layout is here, not in cache.c, only so that auth_test can
 * look through the whole allocation for the secrets it added. */
struct auth_cache_entry {
	unsigned char digest[AUTH_DIGEST_SIZE]; /* HMAC(cache key, user, secret) */
	time_t added;
	int used;
};

struct auth_cache {
	pthread_mutex_t lock;
	unsigned char key[AUTH_DIGEST_SIZE]; /* random per cache, never leaves it */
	unsigned ttl;
	size_t capacity;
	size_t count;
	struct auth_cache_entry entries[];
};

/* The two base64 forms this module reads: JWT's base64url without padding
 * (RFC 7515 section 2) and HTTP basic's standard alphabet with padding
 * (RFC 7617). */
enum auth_b64 {
	AUTH_B64_URL_NOPAD,
	AUTH_B64_STD_PAD,
};

/* Characters auth_b64_encode() writes for len bytes, without the NUL. */
size_t auth_b64_encoded_len(size_t len, enum auth_b64 form);

/* Encodes into out, which must hold auth_b64_encoded_len() + 1 bytes. */
void auth_b64_encode(char *out, const unsigned char *in, size_t len, enum auth_b64 form);

/* Decodes exactly the canonical encoding: no foreign characters, no
 * whitespace, padding only where the form has it, and the unused low bits of
 * the last character zero - so each byte string has one accepted spelling.
 * Returns 0 and the size in *out_len, or -1 (no error text: callers word it). */
int auth_b64_decode(unsigned char *out, size_t out_size, size_t *out_len,
		    const char *in, size_t len, enum auth_b64 form);

#endif
