/*
 * header.c - taking credentials out of an Authorization header.
 *
 * Both forms are "<scheme> <credentials>" (RFC 9110 11.4) with a
 * case-insensitive scheme. Basic credentials are checked to the same bounds
 * as everywhere else in the module (user name, password) before anything is
 * allocated for them; the user name must be printable because it ends up in
 * logs and audit records. Bearer tokens are handed on untouched:
 * auth_token_verify() is the strict reader of those.
 */
#include "auth/auth_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>

#include "error/error.h"

/* base64 of "user:password" at the largest sizes allowed. */
#define BASIC_DECODED_MAX (AUTH_USER_MAX + 1 + AUTH_PASSWORD_MAX)

/* Points *rest at the credentials after "<scheme> " or returns -1. */
static int scheme_skip(const char **rest, const char *header, const char *scheme)
{
	size_t n = strlen(scheme);

	if (header == NULL || strncasecmp(header, scheme, n) != 0 ||
	    (header[n] != ' ' && header[n] != '\t'))
		return -1;
	header += n;
	while (*header == ' ' || *header == '\t')
		header++;
	*rest = header;
	return 0;
}

/* Length of s without trailing blanks, looking at most max + 1 bytes. */
static size_t trimmed_len(const char *s, size_t max)
{
	size_t len = strnlen(s, max + 1);

	while (len > 0 && len <= max && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	return len;
}

int auth_basic_parse(char **user, char **password, const char *header)
{
	unsigned char decoded[BASIC_DECODED_MAX];
	const char *cred, *colon;
	size_t len, n, user_len, pass_len;
	int result = ASEC_EAUTH;

	*user = NULL;
	*password = NULL;
	if (scheme_skip(&cred, header, "Basic") != 0) {
		error_set("the Authorization header is not Basic credentials");
		return ASEC_EAUTH;
	}
	len = trimmed_len(cred, auth_b64_encoded_len(BASIC_DECODED_MAX, AUTH_B64_STD_PAD));
	if (len == 0 || auth_b64_decode(decoded, sizeof(decoded), &n, cred, len, AUTH_B64_STD_PAD) != 0) {
		error_set("malformed basic credentials: not base64 of user:password within size limits");
		goto out;
	}
	colon = memchr(decoded, ':', n);
	if (colon == NULL || memchr(decoded, '\0', n) != NULL) {
		error_set("malformed basic credentials: no ':' between user and password");
		goto out;
	}
	user_len = (size_t)(colon - (const char *)decoded);
	pass_len = n - user_len - 1;
	if (user_len == 0 || user_len > AUTH_USER_MAX || pass_len == 0 || pass_len > AUTH_PASSWORD_MAX) {
		error_set("basic credentials need a user name of 1 to %d bytes and a password of 1 to %d",
			  AUTH_USER_MAX, AUTH_PASSWORD_MAX);
		goto out;
	}
	for (size_t i = 0; i < user_len; i++) {
		if (decoded[i] < 0x20 || decoded[i] == 0x7f) {
			error_set("malformed basic credentials: control character in the user name");
			goto out;
		}
	}
	*user = strndup((const char *)decoded, user_len);
	*password = strndup(colon + 1, pass_len);
	if (*user == NULL || *password == NULL) {
		free(*user);
		free(*password);
		*user = *password = NULL;
		error_set("out of memory");
		result = ASEC_ENOMEM;
		goto out;
	}
	result = ASEC_OK;
out:
	gnutls_memset(decoded, 0, sizeof(decoded));
	return result;
}

int auth_bearer_parse(const char **token, const char *header)
{
	const char *rest;

	*token = NULL;
	if (scheme_skip(&rest, header, "Bearer") != 0 || rest[0] == '\0') {
		error_set("the Authorization header is not a Bearer token");
		return ASEC_EAUTH;
	}
	*token = rest;
	return ASEC_OK;
}
