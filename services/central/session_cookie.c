/*
 * session_cookie.c - cookie values, the Cookie header parser, CSRF tokens
 * and the same-origin test of the portal's sessions (see session_cookie.h).
 *
 * The parser reads the header once, left to right, without copying or
 * allocating: the header comes from anyone, so it is bounded first and every
 * step only moves forward. It accepts what browsers send (RFC 6265 section
 * 5.4: "name=value" pairs joined by "; ") and is lenient about spaces and
 * empty pairs, but strict about our own cookie's value: exactly the 43
 * base64url characters we issue, so nothing else ever reaches the store.
 * The base64url encoder is ours (twelve lines): GnuTLS only offers the
 * padded standard alphabet.
 */
#include "session_cookie.h"

#include <string.h>
#include <strings.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "error/error.h"

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void session_base64url(char *out, const unsigned char *in, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i + 2 < len; i += 3) {
		out[o++] = b64url[in[i] >> 2];
		out[o++] = b64url[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		out[o++] = b64url[((in[i + 1] & 15) << 2) | (in[i + 2] >> 6)];
		out[o++] = b64url[in[i + 2] & 63];
	}
	if (len - i == 1) {
		out[o++] = b64url[in[i] >> 2];
		out[o++] = b64url[(in[i] & 3) << 4];
	} else if (len - i == 2) {
		out[o++] = b64url[in[i] >> 2];
		out[o++] = b64url[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		out[o++] = b64url[(in[i + 1] & 15) << 2];
	}
	out[o] = '\0';
}

int session_token_new(char out[SESSION_TOKEN_LEN + 1])
{
	unsigned char secret[SESSION_SECRET_BYTES];

	if (gnutls_rnd(GNUTLS_RND_KEY, secret, sizeof(secret)) < 0) {
		error_set("the random generator failed making a session");
		return ASEC_ERROR;
	}
	session_base64url(out, secret, sizeof(secret));
	explicit_bzero(secret, sizeof(secret));
	return ASEC_OK;
}

int session_token_hash(unsigned char out[SESSION_HASH_BYTES], const char *token)
{
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, token, strlen(token), out) < 0) {
		error_set("SHA-256 failed");
		return ASEC_ERROR;
	}
	return ASEC_OK;
}

static int is_b64url(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int session_cookie_find(char out[SESSION_TOKEN_LEN + 1], const char *header)
{
	static const size_t name_len = sizeof(SESSION_COOKIE_NAME) - 1;
	const char *p, *end, *pair_end, *eq, *v, *v_end;
	size_t len, i;
	int found = 0;

	out[0] = '\0';
	if (!header)
		return ASEC_ENOTFOUND;
	len = strnlen(header, SESSION_COOKIE_HEADER_MAX + 1);
	if (len > SESSION_COOKIE_HEADER_MAX) {
		error_set("the Cookie header is longer than %d bytes", SESSION_COOKIE_HEADER_MAX);
		return ASEC_EINVALID;
	}
	end = header + len;
	for (p = header; p < end; p = pair_end + 1) {
		pair_end = memchr(p, ';', (size_t)(end - p));
		if (!pair_end)
			pair_end = end;
		while (p < pair_end && (*p == ' ' || *p == '\t'))
			p++;
		eq = memchr(p, '=', (size_t)(pair_end - p));
		/* a pair without "=" or with another name is someone else's */
		if (!eq || (size_t)(eq - p) != name_len || memcmp(p, SESSION_COOKIE_NAME, name_len) != 0)
			continue;
		if (found) {
			error_set("the Cookie header names %s twice", SESSION_COOKIE_NAME);
			out[0] = '\0';
			return ASEC_EINVALID;
		}
		found = 1;
		v = eq + 1;
		v_end = pair_end;
		while (v_end > v && (v_end[-1] == ' ' || v_end[-1] == '\t'))
			v_end--;
		/* RFC 6265 allows a value in double quotes */
		if (v_end - v >= 2 && *v == '"' && v_end[-1] == '"') {
			v++;
			v_end--;
		}
		if (v_end - v != SESSION_TOKEN_LEN) {
			error_set("the %s cookie does not have the form central issues", SESSION_COOKIE_NAME);
			return ASEC_EINVALID;
		}
		for (i = 0; i < SESSION_TOKEN_LEN; i++) {
			if (!is_b64url(v[i])) {
				error_set("the %s cookie does not have the form central issues", SESSION_COOKIE_NAME);
				return ASEC_EINVALID;
			}
		}
		memcpy(out, v, SESSION_TOKEN_LEN);
		out[SESSION_TOKEN_LEN] = '\0';
		if (pair_end == end)
			break;
	}
	if (!found)
		return ASEC_ENOTFOUND;
	return ASEC_OK;
}

int session_csrf_compute(char out[SESSION_CSRF_LEN + 1], const unsigned char *key, size_t key_len,
			 const char *session_id)
{
	/* the label keeps this MAC apart from any other use of the key */
	static const char label[] = "csrf";
	unsigned char msg[sizeof(label) + 64], mac[32];
	size_t id_len = strlen(session_id);

	if (id_len > 64) {
		error_set("a session id is longer than 64 bytes");
		return ASEC_EINVALID;
	}
	memcpy(msg, label, sizeof(label)); /* with its NUL: "csrf\0" */
	memcpy(msg + sizeof(label), session_id, id_len);
	if (gnutls_hmac_fast(GNUTLS_MAC_SHA256, key, key_len, msg, sizeof(label) + id_len, mac) < 0) {
		error_set("HMAC-SHA256 failed");
		return ASEC_ERROR;
	}
	session_base64url(out, mac, sizeof(mac));
	explicit_bzero(mac, sizeof(mac));
	return ASEC_OK;
}

int session_csrf_equal(const char *expected, const char *given)
{
	unsigned char diff = 0;
	size_t i;

	if (!given || strnlen(given, SESSION_CSRF_LEN + 1) != SESSION_CSRF_LEN ||
	    strlen(expected) != SESSION_CSRF_LEN)
		return 0;
	for (i = 0; i < SESSION_CSRF_LEN; i++)
		diff |= (unsigned char)(expected[i] ^ given[i]);
	return diff == 0;
}

int session_origin_check(const char *origin, const char *host, const char *fetch_site)
{
	if (fetch_site && strcasecmp(fetch_site, "cross-site") == 0) {
		error_set("a cross-site request may not use the session cookie");
		return ASEC_ERROR;
	}
	if (!origin)
		return ASEC_OK;
	if (!host || !host[0] || strncasecmp(origin, "https://", 8) != 0 || strcasecmp(origin + 8, host) != 0) {
		error_set("the request's Origin is not central's own; the session cookie is not accepted from it");
		return ASEC_ERROR;
	}
	return ASEC_OK;
}
