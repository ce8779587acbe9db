/*
 * session_cookie.h - the pure parts of the portal's browser sessions: the
 * session cookie's value, reading it back out of a Cookie header, the CSRF
 * token bound to a session, and the same-origin test of a request.
 *
 * The cookie value is 32 random bytes as base64url (43 characters): a bearer
 * secret, so central keeps only its SHA-256 and can neither leak nor log a
 * usable cookie from its database. The CSRF token is
 * base64url(HMAC-SHA256(central's token signing key, "csrf\0" || session id)):
 * deterministic, so a reloaded page can ask for it again (getSession),
 * unforgeable without the key, and bound to one session. A cross-site page
 * can make the browser send the cookie (were SameSite ever bypassed) but can
 * read neither the cookie nor the CSRF token, so requiring the token on every
 * state-changing request is what stops cross-site request forgery.
 *
 * No database and no HTTP server here, so that the parser can be fuzzed
 * (central_cookie_fuzz) and everything unit tested (session_cookie_test.c).
 */
#ifndef ASEC_CENTRAL_SESSION_COOKIE_H
#define ASEC_CENTRAL_SESSION_COOKIE_H

#include <stddef.h>

#define SESSION_COOKIE_NAME "__Host-asec_session"
/* A Cookie header longer than this is not read at all ("no session"). */
#define SESSION_COOKIE_HEADER_MAX 8192
#define SESSION_SECRET_BYTES 32
#define SESSION_TOKEN_LEN 43 /* base64url of SESSION_SECRET_BYTES, no padding */
#define SESSION_HASH_BYTES 32 /* SHA-256 */
#define SESSION_CSRF_LEN 43  /* base64url of an HMAC-SHA256 */
#define SESSION_CSRF_HEADER "X-CSRF-Token"

/* base64url without padding of len bytes into out, which must hold
 * 4 * ceil(len / 3) + 1 bytes. */
void session_base64url(char *out, const unsigned char *in, size_t len);

/* A fresh cookie value (gnutls_rnd, key-grade) into out. */
int session_token_new(char out[SESSION_TOKEN_LEN + 1]);

/* SHA-256 of the cookie value's characters: what the store keeps. */
int session_token_hash(unsigned char out[SESSION_HASH_BYTES], const char *token);

/*
 * Finds the __Host-asec_session cookie in a Cookie header value (RFC 6265 section
 * 4.2.1: pairs separated by ";", optional spaces, other cookies ignored) and
 * copies its value into out. ASEC_OK when there is exactly one and it has
 * the form session_token_new() writes; ASEC_ENOTFOUND when there is none;
 * ASEC_EINVALID (with error_last() saying why, never quoting the value) when
 * the header is longer than SESSION_COOKIE_HEADER_MAX, the value has another
 * form, or the name comes twice (a cookie planted from a sibling domain must
 * not decide which session is used). Callers treat all but ASEC_OK as "no
 * session".
 */
int session_cookie_find(char out[SESSION_TOKEN_LEN + 1], const char *header);

/* The CSRF token of session_id under key (see the top comment). */
int session_csrf_compute(char out[SESSION_CSRF_LEN + 1], const unsigned char *key, size_t key_len,
			 const char *session_id);

/* 1 when given (may be NULL) equals expected, compared in constant time
 * over SESSION_CSRF_LEN characters; else 0. */
int session_csrf_equal(const char *expected, const char *given);

/*
 * Whether a cookie-authenticated request comes from central's own pages:
 * ASEC_OK, or ASEC_ERROR with error_last() saying why when origin (the
 * Origin header, may be NULL) is present and is not "https://<host>" (host:
 * the Host header, compared without regard to case) or fetch_site (the
 * Sec-Fetch-Site header, may be NULL) is "cross-site".
 */
int session_origin_check(const char *origin, const char *host, const char *fetch_site);

#endif
