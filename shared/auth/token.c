/*
 * token.c - API tokens: compact JWS (RFC 7515) with HMAC-SHA256, carrying
 * JWT claims (RFC 7519), signed and checked by central alone.
 *
 * Verification is written as a series of refusals, cheapest and least
 * trusting first: size, shape (exactly three non-empty base64url parts, the
 * one canonical spelling), header (alg exactly "HS256" - "none", RS256 and
 * friends never get near a key -, no "crit", a kid that names a key we
 * hold), then the MAC in constant time. Only a payload whose MAC matched is
 * parsed, so the JSON parser sees attacker-chosen claims only from someone
 * who holds our key. Then the claims: issuer, types, bounds, and last the
 * times, with AUTH_TOKEN_LEEWAY seconds of tolerance for clock skew between
 * central replicas.
 *
 * Signing emits members in one fixed order with compact JSON, so the token
 * for given claims and key is always the same string; the fuzz target uses
 * that to check that whatever verify accepts is exactly what sign produces.
 */
#include "auth/auth_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <jansson.h>

#include "error/error.h"

/* 9999-12-31T23:59:59Z: keeps every time claim far from int64 overflow when
 * the leeway is added and inside what gmtime_r can print. */
#define TOKEN_TIME_MAX INT64_C(253402300799)

static int malformed(const char *why)
{
	error_set("malformed token: %s", why);
	return ASEC_EAUTH;
}

/* Up to 16 characters of an attacker's string for an error text, with
 * anything but printable ASCII replaced, so logs stay one line. */
static const char *shown(char out[17], const char *s)
{
	size_t i = 0;

	for (; s[i] && i < 16; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\'' ? s[i] : '?';
	out[i] = '\0';
	return out;
}

static void format_time(char *buf, size_t size, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "%lld", (long long)t);
}

int auth_uuid_v4(char out[AUTH_UUID_LEN + 1])
{
	unsigned char b[16];

	if (gnutls_rnd(GNUTLS_RND_NONCE, b, sizeof(b)) != 0) {
		out[0] = '\0';
		error_set("the random generator failed");
		return ASEC_ERROR;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, AUTH_UUID_LEN + 1,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
		 b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return ASEC_OK;
}

static int uuid_valid(const char *s)
{
	for (int i = 0; i < AUTH_UUID_LEN; i++) {
		char c = s[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return 0;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			return 0;
		}
	}
	return s[AUTH_UUID_LEN] == '\0';
}

/* What both sign and verify demand of claims; verify turns the code into
 * ASEC_EAUTH. The text names the claim. */
static int claims_check(const struct auth_token_claims *c)
{
	size_t sub_len = strnlen(c->sub, sizeof(c->sub));

	if (strnlen(c->jti, sizeof(c->jti)) != AUTH_UUID_LEN || !uuid_valid(c->jti)) {
		error_set("claim jti is not a lowercase UUID");
		return ASEC_EINVALID;
	}
	if (sub_len == 0 || sub_len >= sizeof(c->sub)) {
		error_set("claim sub is empty or longer than %d bytes", AUTH_CLAIM_MAX - 1);
		return ASEC_EINVALID;
	}
	if (strnlen(c->name, sizeof(c->name)) >= sizeof(c->name)) {
		error_set("claim name is longer than %d bytes", AUTH_CLAIM_MAX - 1);
		return ASEC_EINVALID;
	}
	if (c->iat < 0 || c->iat > TOKEN_TIME_MAX || c->nbf < 0 || c->nbf > TOKEN_TIME_MAX ||
	    c->exp < 0 || c->exp > TOKEN_TIME_MAX) {
		error_set("claims iat, nbf and exp must lie between 1970 and 9999");
		return ASEC_EINVALID;
	}
	if (c->exp != 0 && (c->exp <= c->iat || (c->nbf != 0 && c->exp <= c->nbf))) {
		error_set("claim exp is not after iat and nbf");
		return ASEC_EINVALID;
	}
	if (c->role_count > AUTH_TOKEN_ROLES_MAX) {
		error_set("a token carries at most %d roles", AUTH_TOKEN_ROLES_MAX);
		return ASEC_EINVALID;
	}
	for (size_t i = 0; i < c->role_count; i++) {
		if (auth_role_name(c->roles[i]) == NULL) {
			error_set("role %zu is not a known role", i);
			return ASEC_EINVALID;
		}
	}
	return ASEC_OK;
}

static int mac(unsigned char digest[AUTH_DIGEST_SIZE], const struct auth_key *key,
	       const char *data, size_t len)
{
	if (gnutls_hmac_fast(GNUTLS_MAC_SHA256, key->secret, sizeof(key->secret), data, len, digest) != 0) {
		error_set("HMAC-SHA256 failed");
		return ASEC_ERROR;
	}
	return ASEC_OK;
}

/* ---- signing ------------------------------------------------------------ */

static json_t *claims_json(const struct auth_token_claims *c)
{
	json_t *payload, *roles;

	payload = json_object();
	roles = json_array();
	if (payload == NULL || roles == NULL)
		goto fail;
	/* Member order is part of the output: keep it fixed. */
	if (json_object_set_new(payload, "iss", json_string(AUTH_TOKEN_ISSUER)) ||
	    json_object_set_new(payload, "sub", json_string(c->sub)) ||
	    json_object_set_new(payload, "jti", json_string(c->jti)) ||
	    json_object_set_new(payload, "iat", json_integer(c->iat)))
		goto fail;
	if (c->nbf != 0 && json_object_set_new(payload, "nbf", json_integer(c->nbf)))
		goto fail;
	if (c->exp != 0 && json_object_set_new(payload, "exp", json_integer(c->exp)))
		goto fail;
	if (json_object_set_new(payload, "name", json_string(c->name)))
		goto fail;
	for (size_t i = 0; i < c->role_count; i++)
		if (json_array_append_new(roles, json_string(auth_role_name(c->roles[i]))))
			goto fail;
	if (json_object_set_new(payload, "roles", roles)) {
		roles = NULL;
		goto fail;
	}
	return payload;
fail:
	json_decref(roles);
	json_decref(payload);
	return NULL;
}

/* Appends base64url(json) to buf at *at. */
static int append_part(char *buf, size_t size, size_t *at, const json_t *json)
{
	char *text = json_dumps(json, JSON_COMPACT);
	size_t len, need;

	if (text == NULL)
		return ASEC_ENOMEM;
	len = strlen(text);
	need = auth_b64_encoded_len(len, AUTH_B64_URL_NOPAD);
	if (len > size || need + 1 > size - *at) {
		free(text);
		error_set("the token would be longer than %d bytes", AUTH_TOKEN_MAX);
		return ASEC_EINVALID;
	}
	auth_b64_encode(buf + *at, (const unsigned char *)text, len, AUTH_B64_URL_NOPAD);
	*at += need;
	free(text);
	return ASEC_OK;
}

int auth_token_sign(char **out, const struct auth_token_claims *claims, const struct auth_key *key)
{
	unsigned char digest[AUTH_DIGEST_SIZE];
	json_t *header = NULL, *payload = NULL;
	char *token = NULL, *shrunk;
	size_t at = 0, sig_len = auth_b64_encoded_len(sizeof(digest), AUTH_B64_URL_NOPAD);
	int result;

	*out = NULL;
	if (claims == NULL || key == NULL) {
		error_set("auth_token_sign needs claims and a key");
		return ASEC_EINVALID;
	}
	if ((result = claims_check(claims)))
		return result;
	if (strnlen(key->kid, sizeof(key->kid)) != AUTH_KID_LEN) {
		error_set("the signing key has no kid (use auth_key_from_bytes)");
		return ASEC_EINVALID;
	}
	header = json_object();
	if (header == NULL ||
	    json_object_set_new(header, "alg", json_string("HS256")) ||
	    json_object_set_new(header, "typ", json_string("JWT")) ||
	    json_object_set_new(header, "kid", json_string(key->kid))) {
		error_set("out of memory");
		result = ASEC_ENOMEM;
		goto out;
	}
	payload = claims_json(claims);
	if (payload == NULL) {
		/* json_string() refuses text that is not UTF-8; memory is the
		 * other, unlikely, reason. */
		error_set("claim sub or name is not valid UTF-8");
		result = ASEC_EINVALID;
		goto out;
	}
	token = malloc(AUTH_TOKEN_MAX + 1);
	if (token == NULL) {
		error_set("out of memory");
		result = ASEC_ENOMEM;
		goto out;
	}
	if ((result = append_part(token, AUTH_TOKEN_MAX + 1, &at, header)))
		goto out;
	token[at++] = '.';
	if ((result = append_part(token, AUTH_TOKEN_MAX + 1, &at, payload)))
		goto out;
	if (at + 1 + sig_len > AUTH_TOKEN_MAX) {
		error_set("the token would be longer than %d bytes", AUTH_TOKEN_MAX);
		result = ASEC_EINVALID;
		goto out;
	}
	if ((result = mac(digest, key, token, at)))
		goto out;
	token[at++] = '.';
	auth_b64_encode(token + at, digest, sizeof(digest), AUTH_B64_URL_NOPAD);
	/* Built in a buffer of the maximum size; hand back only what is used. */
	shrunk = realloc(token, at + sig_len + 1);
	*out = shrunk ? shrunk : token;
	token = NULL;
out:
	if (result == ASEC_ENOMEM)
		error_set("out of memory");
	free(token);
	json_decref(header);
	json_decref(payload);
	return result;
}

/* ---- verification ------------------------------------------------------- */

/* Decodes one base64url part and parses it as a JSON object. */
static int part_json(json_t **out, const char *part, size_t len, unsigned char *buf,
		     size_t buf_size, const char *what)
{
	json_error_t err;
	size_t n;

	*out = NULL;
	if (auth_b64_decode(buf, buf_size, &n, part, len, AUTH_B64_URL_NOPAD) != 0) {
		error_set("malformed token: the %s is not unpadded base64url", what);
		return ASEC_EAUTH;
	}
	/* Duplicate members are refused: two "alg" or two "exp" would let
	 * different readers see different tokens. */
	*out = json_loadb((const char *)buf, n, JSON_REJECT_DUPLICATES, &err);
	if (*out == NULL || !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		error_set("malformed token: the %s is not a JSON object", what);
		return ASEC_EAUTH;
	}
	return ASEC_OK;
}

static int header_check(const struct auth_key **key, const json_t *header,
			const struct auth_key *keys, size_t key_count)
{
	const json_t *alg = json_object_get(header, "alg");
	const json_t *typ = json_object_get(header, "typ");
	const json_t *kid = json_object_get(header, "kid");
	char show[17];

	*key = NULL;
	if (!json_is_string(alg))
		return malformed("the header has no alg");
	if (strcmp(json_string_value(alg), "HS256") != 0 || json_string_length(alg) != 5) {
		error_set("token algorithm '%s' is not accepted (only HS256)",
			  shown(show, json_string_value(alg)));
		return ASEC_EAUTH;
	}
	if (typ != NULL && !(json_is_string(typ) && strcmp(json_string_value(typ), "JWT") == 0))
		return malformed("the header's typ is not JWT");
	/* RFC 7515 4.1.11: extensions we do not know make the token invalid. */
	if (json_object_get(header, "crit") != NULL)
		return malformed("the header has crit extensions");
	if (!json_is_string(kid))
		return malformed("the header has no kid");
	for (size_t i = 0; i < key_count; i++) {
		if (json_string_length(kid) == AUTH_KID_LEN &&
		    strcmp(keys[i].kid, json_string_value(kid)) == 0) {
			*key = &keys[i];
			return ASEC_OK;
		}
	}
	error_set("token signed with unknown key '%s'", shown(show, json_string_value(kid)));
	return ASEC_EAUTH;
}

/* Reads a time claim: 0 when absent (unless required), else an integer in
 * 1 .. TOKEN_TIME_MAX (iat may be 0). */
static int time_claim(int64_t *out, const json_t *payload, const char *name, int required)
{
	const json_t *v = json_object_get(payload, name);
	json_int_t t;

	*out = 0;
	if (v == NULL) {
		if (!required)
			return ASEC_OK;
		error_set("malformed token: claim %s is missing", name);
		return ASEC_EAUTH;
	}
	t = json_is_integer(v) ? json_integer_value(v) : -1;
	if (t < (required ? 0 : 1) || t > TOKEN_TIME_MAX) {
		error_set("malformed token: claim %s is not a time", name);
		return ASEC_EAUTH;
	}
	*out = (int64_t)t;
	return ASEC_OK;
}

static int string_claim(char *out, size_t size, const json_t *payload, const char *name, int required)
{
	const json_t *v = json_object_get(payload, name);

	out[0] = '\0';
	if (v == NULL && !required)
		return ASEC_OK;
	/* jansson refuses \u0000 inside strings, so strlen is the length. */
	if (!json_is_string(v) || json_string_length(v) >= size) {
		error_set("malformed token: claim %s is missing, not a string or too long", name);
		return ASEC_EAUTH;
	}
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return ASEC_OK;
}

static int claims_read(struct auth_token_claims *c, const json_t *payload)
{
	const json_t *iss = json_object_get(payload, "iss");
	const json_t *roles = json_object_get(payload, "roles");
	int result;

	memset(c, 0, sizeof(*c));
	if (!json_is_string(iss) || strcmp(json_string_value(iss), AUTH_TOKEN_ISSUER) != 0 ||
	    json_string_length(iss) != strlen(AUTH_TOKEN_ISSUER)) {
		error_set("token issuer is not %s", AUTH_TOKEN_ISSUER);
		return ASEC_EAUTH;
	}
	if ((result = string_claim(c->sub, sizeof(c->sub), payload, "sub", 1)) ||
	    (result = string_claim(c->jti, sizeof(c->jti), payload, "jti", 1)) ||
	    (result = string_claim(c->name, sizeof(c->name), payload, "name", 0)) ||
	    (result = time_claim(&c->iat, payload, "iat", 1)) ||
	    (result = time_claim(&c->nbf, payload, "nbf", 0)) ||
	    (result = time_claim(&c->exp, payload, "exp", 0)))
		return result;
	if (!json_is_array(roles))
		return malformed("claim roles is missing or not an array");
	if (json_array_size(roles) > AUTH_TOKEN_ROLES_MAX)
		return malformed("too many roles");
	for (size_t i = 0; i < json_array_size(roles); i++) {
		const json_t *r = json_array_get(roles, i);
		if (!json_is_string(r) || auth_role_parse(&c->roles[i], json_string_value(r)) != ASEC_OK) {
			error_set("malformed token: role %zu is not a known role", i);
			return ASEC_EAUTH;
		}
		c->role_count++;
	}
	if (claims_check(c) != ASEC_OK) {
		error_prefix("malformed token");
		return ASEC_EAUTH;
	}
	return ASEC_OK;
}

static int times_check(const struct auth_token_claims *c, time_t now)
{
	char when[32];
	int64_t t = (int64_t)now;

	if (c->exp != 0 && t >= c->exp + AUTH_TOKEN_LEEWAY) {
		format_time(when, sizeof(when), c->exp);
		error_set("token expired at %s", when);
		return ASEC_EAUTH;
	}
	if (c->nbf != 0 && c->nbf > t + AUTH_TOKEN_LEEWAY) {
		format_time(when, sizeof(when), c->nbf);
		error_set("token not valid before %s", when);
		return ASEC_EAUTH;
	}
	if (c->iat > t + AUTH_TOKEN_LEEWAY) {
		format_time(when, sizeof(when), c->iat);
		error_set("token issued in the future (%s); check the clocks", when);
		return ASEC_EAUTH;
	}
	return ASEC_OK;
}

int auth_token_verify(struct auth_token_claims *out, const char *token,
		      const struct auth_key *keys, size_t key_count, time_t now)
{
	unsigned char digest[AUTH_DIGEST_SIZE], sig[AUTH_DIGEST_SIZE + 1];
	struct auth_token_claims claims;
	const struct auth_key *key;
	json_t *header = NULL, *payload = NULL;
	unsigned char *buf = NULL;
	const char *dot1, *dot2;
	size_t len, sig_n;
	int result;

	if (out == NULL || token == NULL || (keys == NULL && key_count > 0)) {
		error_set("auth_token_verify needs a place for the claims and a token");
		return ASEC_EINVALID;
	}
	if (now < 0 || (int64_t)now > TOKEN_TIME_MAX) {
		error_set("the current time is out of range");
		return ASEC_EINVALID;
	}
	len = strnlen(token, AUTH_TOKEN_MAX + 1);
	if (len > AUTH_TOKEN_MAX) {
		error_set("token longer than %d bytes", AUTH_TOKEN_MAX);
		return ASEC_EAUTH;
	}
	dot1 = memchr(token, '.', len);
	dot2 = dot1 ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token)) : NULL;
	if (dot2 == NULL || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)) != NULL)
		return malformed("not three dot-separated parts");
	if (dot1 == token || dot2 == dot1 + 1 || dot2 + 1 == token + len)
		return malformed("an empty part");

	/* One buffer serves both JSON parts: each decodes to less than len. */
	buf = malloc(len);
	if (buf == NULL) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	if ((result = part_json(&header, token, (size_t)(dot1 - token), buf, len, "header")) ||
	    (result = header_check(&key, header, keys, key_count)))
		goto out;
	if (auth_b64_decode(sig, sizeof(sig), &sig_n, dot2 + 1, len - (size_t)(dot2 + 1 - token),
			    AUTH_B64_URL_NOPAD) != 0 || sig_n != AUTH_DIGEST_SIZE) {
		result = malformed("the signature is not 32 bytes of unpadded base64url");
		goto out;
	}
	if ((result = mac(digest, key, token, (size_t)(dot2 - token))))
		goto out;
	if (gnutls_memcmp(digest, sig, sizeof(digest)) != 0) {
		error_set("token signature does not match");
		result = ASEC_EAUTH;
		goto out;
	}
	if ((result = part_json(&payload, dot1 + 1, (size_t)(dot2 - dot1 - 1), buf, len, "payload")) ||
	    (result = claims_read(&claims, payload)) ||
	    (result = times_check(&claims, now)))
		goto out;
	*out = claims;
out:
	free(buf);
	json_decref(header);
	json_decref(payload);
	return result;
}
