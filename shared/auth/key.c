/*
 * key.c - the HMAC key that signs API tokens, kept in a file beside
 * central's data.
 *
 * The first start creates the key; every later start, and every other
 * replica sharing the volume, must read the same one, or all issued tokens
 * stop working. The file itself is handled by shared/secretbox's key-file
 * code (secretbox_keyfile_load_or_create), which central's secrets key uses
 * too: atomic creation that never replaces a file, so the loser of a race
 * reads the winner's key; links followed (Kubernetes mounts secrets as
 * links); files others may read, or group or others may write, refused.
 */
#include "auth/auth.h"

#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "error/error.h"
#include "secretbox/secretbox.h"

int auth_key_from_bytes(struct auth_key *out, const unsigned char *secret, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char digest[32];

	memset(out, 0, sizeof(*out));
	if (secret == NULL || len != AUTH_KEY_SIZE) {
		error_set("a token signing key is exactly %d bytes, not %zu", AUTH_KEY_SIZE, len);
		return ASEC_EINVALID;
	}
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, secret, len, digest) != 0) {
		error_set("SHA-256 failed");
		return ASEC_ERROR;
	}
	memcpy(out->secret, secret, len);
	for (int i = 0; i < AUTH_KID_LEN / 2; i++) {
		out->kid[2 * i] = hex[digest[i] >> 4];
		out->kid[2 * i + 1] = hex[digest[i] & 15];
	}
	out->kid[AUTH_KID_LEN] = '\0';
	return ASEC_OK;
}

void auth_key_wipe(struct auth_key *key)
{
	if (key)
		gnutls_memset(key, 0, sizeof(*key));
}

int auth_key_load_or_create(struct auth_key *out, const char *path)
{
	unsigned char secret[AUTH_KEY_SIZE];
	int result;

	memset(out, 0, sizeof(*out));
	result = secretbox_keyfile_load_or_create(secret, sizeof(secret), path, "token signing key", 0);
	if (result == ASEC_OK)
		result = auth_key_from_bytes(out, secret, sizeof(secret));
	gnutls_memset(secret, 0, sizeof(secret));
	return result;
}
