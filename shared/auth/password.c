/*
 * password.c - the admin password: yescrypt hashing through libxcrypt, the
 * check, and generated passwords.
 *
 * libxcrypt rather than our own KDF: it is the system's password hashing
 * (what /etc/shadow uses on Debian), it picks yescrypt's cost and salt
 * format, and crypt_checksalt() tells us when a stored hash uses a method
 * that is no longer considered safe. The hash string is self-describing, so
 * a future default cost only affects new hashes and old ones keep working.
 *
 * The check compares the recomputed string with the stored one in constant
 * time. The length is not secret (it follows from the method), the content
 * is: a byte-wise early exit would tell an attacker how much of the hash his
 * guess reproduced.
 */
#include "auth/auth.h"

#include <crypt.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "error/error.h"

_Static_assert(AUTH_PASSWORD_MAX < CRYPT_MAX_PASSPHRASE_SIZE, "libxcrypt must take every password we accept");

static int password_check(const char *password)
{
	size_t len;

	if (password == NULL || password[0] == '\0') {
		error_set("the password is empty");
		return ASEC_EINVALID;
	}
	len = strnlen(password, AUTH_PASSWORD_MAX + 1);
	if (len > AUTH_PASSWORD_MAX) {
		error_set("the password is longer than %d bytes", AUTH_PASSWORD_MAX);
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

/* struct crypt_data is 32 KiB: too big for a service thread's stack. It holds
 * the derived hash afterwards, hence the wipe before it is freed. */
static void crypt_data_free(struct crypt_data *data)
{
	if (data == NULL)
		return;
	gnutls_memset(data, 0, sizeof(*data));
	free(data);
}

int auth_password_hash(char **out, const char *password)
{
	struct crypt_data *data = NULL;
	char *setting = NULL;
	const char *hashed;
	int result;

	*out = NULL;
	if ((result = password_check(password)))
		return result;
	/* count 0 = libxcrypt's default cost; NULL = salt from the OS. */
	errno = 0;
	setting = crypt_gensalt_ra("$y$", 0, NULL, 0);
	if (setting == NULL) {
		error_set("making a yescrypt salt: %s", strerror(errno ? errno : EINVAL));
		result = errno == ENOMEM ? ASEC_ENOMEM : ASEC_ERROR;
		goto out;
	}
	data = calloc(1, sizeof(*data));
	if (data == NULL) {
		error_set("out of memory");
		result = ASEC_ENOMEM;
		goto out;
	}
	errno = 0;
	hashed = crypt_rn(password, setting, data, (int)sizeof(*data));
	if (hashed == NULL || hashed[0] == '*') {
		error_set("yescrypt hashing failed: %s", strerror(errno ? errno : EINVAL));
		result = errno == ENOMEM ? ASEC_ENOMEM : ASEC_ERROR;
		goto out;
	}
	*out = strdup(hashed);
	if (*out == NULL) {
		error_set("out of memory");
		result = ASEC_ENOMEM;
	}
out:
	crypt_data_free(data);
	free(setting);
	return result;
}

int auth_password_verify(const char *password, const char *hash)
{
	struct crypt_data *data = NULL;
	const char *computed;
	size_t hash_len;
	int result;

	hash_len = hash ? strnlen(hash, CRYPT_OUTPUT_SIZE) : 0;
	if (hash_len == 0 || hash_len >= CRYPT_OUTPUT_SIZE) {
		error_set("the stored password hash is empty or longer than %d bytes",
			  CRYPT_OUTPUT_SIZE - 1);
		return ASEC_EINVALID;
	}
	if (crypt_checksalt(hash) != CRYPT_SALT_OK) {
		error_set("the stored password hash is not a current libxcrypt hash "
			  "(yescrypt \"$y$\" expected; DES and MD5 hashes are refused)");
		return ASEC_EINVALID;
	}
	if ((result = password_check(password)))
		return result;
	data = calloc(1, sizeof(*data));
	if (data == NULL) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	errno = 0;
	computed = crypt_rn(password, hash, data, (int)sizeof(*data));
	if (computed == NULL) {
		if (errno == ENOMEM) {
			error_set("out of memory");
			result = ASEC_ENOMEM;
		} else {
			error_set("the stored password hash is malformed");
			result = ASEC_EINVALID;
		}
		goto out;
	}
	if (strlen(computed) != hash_len || gnutls_memcmp(computed, hash, hash_len) != 0) {
		error_set("wrong password");
		result = ASEC_EAUTH;
	}
out:
	crypt_data_free(data);
	return result;
}

int auth_password_generate(char *out, size_t size)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char random[64];
	size_t n = 0;
	int result = ASEC_OK;

	if (out == NULL || size < AUTH_PASSWORD_GENERATED_LEN + 1) {
		error_set("a generated password needs %d bytes of room", AUTH_PASSWORD_GENERATED_LEN + 1);
		return ASEC_EINVALID;
	}
	while (n < AUTH_PASSWORD_GENERATED_LEN) {
		if (gnutls_rnd(GNUTLS_RND_KEY, random, sizeof(random)) != 0) {
			error_set("the random generator failed");
			result = ASEC_ERROR;
			goto out;
		}
		/* 248 = 4 * 62: dropping bytes above it keeps every character
		 * equally likely (rejection sampling, no modulo bias). */
		for (size_t i = 0; i < sizeof(random) && n < AUTH_PASSWORD_GENERATED_LEN; i++)
			if (random[i] < 248)
				out[n++] = alphabet[random[i] % 62];
	}
	out[n] = '\0';
out:
	gnutls_memset(random, 0, sizeof(random));
	if (result)
		out[0] = '\0';
	return result;
}
