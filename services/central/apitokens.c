/*
 * apitokens.c - APITokenService: issue, list, show and revoke API tokens.
 *
 * A token is an HS256 JWT signed with central's key (auth.h) carrying its
 * roles and expiry; central stores only its metadata, keyed by the JWT's
 * jti, which is also the id clients see. Revocation flips a flag the
 * authenticator reads on every request (authn.c).
 */
#include "central.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error/error.h"
#include "store_auth.h"

/* Parses an RFC 3339 time ("2030-01-01T00:00:00Z", fraction and offset
 * allowed) into Unix seconds. */
static int time_parse(int64_t *out, const char *text)
{
	int year, mon, day, hour, min, sec, used = 0, oh, om;
	const char *p;
	struct tm tm = {0};
	int64_t t;

	if (sscanf(text, "%4d-%2d-%2d%*1[Tt]%2d:%2d:%2d%n", &year, &mon, &day, &hour, &min, &sec, &used) != 6 ||
	    used != 19)
		goto bad;
	p = text + used;
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++)
			;
	}
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
		goto bad;
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	t = (int64_t)timegm(&tm);
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &oh, &om) == 2 && strlen(p) == 6 &&
		   oh <= 23 && om <= 59) {
		t -= (*p == '+' ? 1 : -1) * (int64_t)(oh * 3600 + om * 60);
		p += 6;
	} else {
		goto bad;
	}
	if (*p)
		goto bad;
	*out = t;
	return ASEC_OK;
bad:
	error_set("expiration: \"%.64s\" is not an RFC 3339 time such as 2030-01-01T00:00:00Z", text);
	return ASEC_EINVALID;
}

static json_t *metadata_json(const struct store_token *t)
{
	const char *roles[AUTH_TOKEN_ROLES_MAX];
	char issued[32], expiration[32];
	size_t i;
	struct central_TokenMetadata m = {
		.id = t->id,
		.name = t->name,
		.roles = roles,
		.roles_count = t->role_count,
		.issuedAt = issued,
		.expiration = t->expiration ? expiration : NULL,
		.revoked = t->revoked,
	};

	for (i = 0; i < t->role_count; i++)
		roles[i] = auth_role_name(t->roles[i]);
	central_time_format(issued, sizeof(issued), t->issued_at);
	if (t->expiration)
		central_time_format(expiration, sizeof(expiration), t->expiration);
	return central_TokenMetadata_to_json(&m);
}

int central_handle_generateToken(struct http_exchange *ex, const struct central_generateToken_params *params,
				 json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	const struct central_caller *caller = central_caller_of(ex);
	const char *expiration = json_string_value(json_object_get(body, "expiration"));
	json_t *roles = json_object_get(body, "roles"), *role, *out = NULL, *meta = NULL;
	struct auth_token_claims claims = {0};
	struct store_token stored = {0};
	char *token = NULL;
	size_t i;
	int rc;

	(void)params;
	if (!caller) {
		error_set("the caller is not authenticated");
		return http_respond_error(ex, ASEC_EAUTH);
	}
	claims.iat = (int64_t)time(NULL);
	if (expiration) {
		if ((rc = time_parse(&claims.exp, expiration)))
			goto out;
		if (claims.exp <= claims.iat) {
			error_set("expiration: %s is not in the future", expiration);
			rc = ASEC_EINVALID;
			goto out;
		}
	} else {
		claims.exp = claims.iat + CENTRAL_TOKEN_DEFAULT_LIFETIME_S;
	}
	json_array_foreach(roles, i, role) {
		if (i >= AUTH_TOKEN_ROLES_MAX || auth_role_parse(&claims.roles[i], json_string_value(role))) {
			error_set("roles[%zu]: not a known role", i);
			rc = ASEC_EINVALID;
			goto out;
		}
		claims.role_count = i + 1;
	}
	/* the schema bounds characters; the claim is bounded in bytes */
	if (strlen(json_string_value(json_object_get(body, "name"))) >= sizeof(claims.name)) {
		error_set("name: longer than %zu bytes", sizeof(claims.name) - 1);
		rc = ASEC_EINVALID;
		goto out;
	}
	snprintf(claims.name, sizeof(claims.name), "%s", json_string_value(json_object_get(body, "name")));
	if (caller->is_admin)
		snprintf(claims.sub, sizeof(claims.sub), "%s", CENTRAL_ADMIN_USER);
	else
		snprintf(claims.sub, sizeof(claims.sub), "apitoken:%s", caller->id);
	if ((rc = auth_uuid_v4(claims.jti)) || (rc = auth_token_sign(&token, &claims, &c->key)))
		goto out;

	memcpy(stored.id, claims.jti, sizeof(stored.id));
	memcpy(stored.name, claims.name, sizeof(stored.name));
	memcpy(stored.roles, claims.roles, sizeof(stored.roles));
	stored.role_count = claims.role_count;
	stored.issued_at = claims.iat;
	stored.expiration = claims.exp;
	if ((rc = store_auth_token_insert(c->pool, &stored)))
		goto out;
	if (!(meta = metadata_json(&stored)) || !(out = json_pack("{s:s, s:o}", "token", token, "metadata", meta))) {
		meta = NULL;
		error_set("out of memory");
		rc = ASEC_ENOMEM;
		goto out;
	}
	meta = NULL;
out:
	if (token) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
	json_decref(meta);
	if (rc)
		return http_respond_error(ex, rc);
	return http_respond_json(ex, 200, out);
}

int central_handle_getAPITokens(struct http_exchange *ex, const struct central_getAPITokens_params *params,
				json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	struct store_token *tokens = NULL;
	json_t *list = NULL, *out = NULL;
	size_t count = 0, i;
	int rc;

	(void)body;
	if ((rc = store_auth_token_list(&tokens, &count, c->pool, params->has_revoked ? !!params->revoked : -1)))
		goto out;
	if (!(list = json_array())) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	for (i = 0; i < count; i++) {
		if (json_array_append_new(list, metadata_json(&tokens[i]))) {
			rc = ASEC_ENOMEM;
			goto out;
		}
	}
	if (!(out = json_pack("{s:O}", "tokens", list)))
		rc = ASEC_ENOMEM;
out:
	free(tokens);
	json_decref(list);
	if (rc == ASEC_ENOMEM)
		error_set("out of memory listing API tokens");
	if (rc)
		return http_respond_error(ex, rc);
	return http_respond_json(ex, 200, out);
}

int central_handle_getAPIToken(struct http_exchange *ex, const struct central_getAPIToken_params *params, json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	struct store_token token;
	json_t *out;
	int rc;

	(void)body;
	if ((rc = store_auth_token_get(&token, c->pool, params->id)))
		return http_respond_error(ex, rc);
	if (!(out = metadata_json(&token))) {
		error_set("out of memory");
		return http_respond_error(ex, ASEC_ENOMEM);
	}
	return http_respond_json(ex, 200, out);
}

int central_handle_revokeToken(struct http_exchange *ex, const struct central_revokeToken_params *params, json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	int rc;

	(void)body;
	if ((rc = store_auth_token_revoke(c->pool, params->id)))
		return http_respond_error(ex, rc);
	return http_respond_json(ex, 200, json_object());
}
