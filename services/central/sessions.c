/*
 * sessions.c - AuthService's portal sessions: log in (POST /v1/auth/session),
 * the current session (GET), log out (DELETE), and what the authenticator
 * (authn.c) asks of a request that carries the session cookie.
 *
 * A browser must not hold a password or an API token in script-readable
 * storage, and must never see the password dialog HTTP basic brings up. So
 * the portal exchanges the admin password or an API token, once, for an
 * opaque cookie: HttpOnly (no script reads it), Secure, SameSite=Strict (no
 * other site's page makes the browser send it), Path=/. The session is a row
 * of Central DB (store_auth.h) found by the cookie's SHA-256, with the roles
 * of what opened it; a session opened with an API token ends when the token
 * is revoked or expires (expiresAt is the earlier of the session timeout and
 * the token's expiry, and the lookup folds the token's revocation in).
 *
 * Cookies ride along with every request the browser makes to central,
 * whoever's page asks, so a cookie alone may only read: anything else needs
 * the session's CSRF token in X-CSRF-Token (session_cookie.h), and every
 * cookie request whose Origin is not central's own, or that the browser
 * calls cross-site, is refused. Login and logout answer 401 and 403 without
 * WWW-Authenticate: Basic, so a failed login never becomes a browser dialog.
 */
#include "central.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api_common.h"
#include "error/error.h"
#include "log/log.h"
#include "session_cookie.h"
#include "store_auth.h"

#define SESSION_COOKIE_ATTRIBUTES "; Path=/; Max-Age=%lld; HttpOnly; Secure; SameSite=Strict"

int central_session_of_request(struct store_session *out, struct central *c, const struct http_exchange *ex)
{
	char token[SESSION_TOKEN_LEN + 1];
	unsigned char hash[SESSION_HASH_BYTES];
	int rc;

	/* a malformed or doubled cookie is no session at all, not a session
	 * that ended: there is nothing to tell the caller to log in again to */
	if (session_cookie_find(token, http_exchange_header(ex, "Cookie")) != ASEC_OK) {
		error_set("valid credentials are required");
		return ASEC_EAUTH;
	}
	rc = session_token_hash(hash, token);
	explicit_bzero(token, sizeof(token));
	if (rc)
		return rc;
	rc = store_auth_session_get_by_hash(out, c->pool, hash);
	if (rc == ASEC_ENOTFOUND || (rc == ASEC_OK && (out->revoked || out->expires <= (int64_t)time(NULL)))) {
		error_set("the session has ended; log in again");
		return ASEC_EAUTH;
	}
	if (rc == ASEC_EIO || rc == ASEC_ETIMEOUT) {
		error_set("Central DB is unreachable: the session could not be checked");
		return rc;
	}
	return rc;
}

int central_session_request_check(struct central *c, const struct http_exchange *ex,
				  const struct store_session *session, const char *method)
{
	char csrf[SESSION_CSRF_LEN + 1];
	int rc;

	if ((rc = session_origin_check(http_exchange_header(ex, "Origin"), http_exchange_header(ex, "Host"),
				       http_exchange_header(ex, "Sec-Fetch-Site"))))
		return rc;
	if (strcasecmp(method, "GET") == 0 || strcasecmp(method, "HEAD") == 0)
		return ASEC_OK;
	if ((rc = session_csrf_compute(csrf, c->key.secret, sizeof(c->key.secret), session->id)))
		return rc == ASEC_EAUTH ? ASEC_ERROR : rc;
	if (!session_csrf_equal(csrf, http_exchange_header(ex, SESSION_CSRF_HEADER))) {
		error_set("%s is missing or is not this session's: a request that changes state with the session cookie "
			  "must send the csrfToken the login answered",
			  SESSION_CSRF_HEADER);
		return ASEC_ERROR;
	}
	return ASEC_OK;
}

/* A failure of the handlers below: Central DB down is a 503 with Retry-After
 * (error_last() names it), the rest as http_respond_error maps them, 401
 * included, which gets no WWW-Authenticate from it. */
static int respond_failure(struct http_exchange *ex, int rc)
{
	if (rc == ASEC_EIO || rc == ASEC_ETIMEOUT) {
		http_respond_header(ex, "Retry-After", CENTRAL_RETRY_AFTER_S);
		return http_respond_problem(ex, 503, "Service Unavailable", "%s", error_last());
	}
	return http_respond_error(ex, rc);
}

static json_t *session_json(struct central *c, const char *session_id, const char *user, const enum auth_role *roles,
			    size_t role_count, int64_t expires, int from_token)
{
	const char *names[AUTH_TOKEN_ROLES_MAX];
	char csrf[SESSION_CSRF_LEN + 1], expires_at[32];
	size_t i;
	struct central_Session out = {
		.user = user,
		.roles = names,
		.roles_count = role_count,
		.expiresAt = expires_at,
		.csrfToken = csrf,
		.authProvider = from_token ? STORE_SESSION_TOKEN : STORE_SESSION_BASIC,
	};

	for (i = 0; i < role_count && i < AUTH_TOKEN_ROLES_MAX; i++)
		names[i] = auth_role_name(roles[i]);
	central_time_format(expires_at, sizeof(expires_at), expires);
	if (session_csrf_compute(csrf, c->key.secret, sizeof(c->key.secret), session_id))
		return NULL;
	return central_Session_to_json(&out);
}

/* Which of username/password and token the body gives: ASEC_EINVALID naming
 * the fields unless it is exactly one of the two. */
static int request_form(int *with_token, const char *user, const char *password, const char *token)
{
	if (token && (user || password)) {
		error_set("give either username and password, or token, not both");
		return ASEC_EINVALID;
	}
	if (!token && !user && !password) {
		error_set("username and password, or token, are required");
		return ASEC_EINVALID;
	}
	if (!token && (!user || !password)) {
		error_set("username and password go together");
		return ASEC_EINVALID;
	}
	*with_token = token != NULL;
	return ASEC_OK;
}

int central_handle_createSession(struct http_exchange *ex, const struct central_createSession_params *params,
				 json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	const char *user = json_string_value(json_object_get(body, "username"));
	const char *password = json_string_value(json_object_get(body, "password"));
	const char *token = json_string_value(json_object_get(body, "token"));
	char value[SESSION_TOKEN_LEN + 1] = "", cookie[SESSION_TOKEN_LEN + 128];
	struct auth_token_claims claims;
	struct store_session s;
	int64_t now = (int64_t)time(NULL);
	json_t *out = NULL;
	int with_token = 0, rc;

	(void)params;
	memset(&s, 0, sizeof(s));
	if ((rc = request_form(&with_token, user, password, token)))
		goto out;
	s.created = now;
	s.expires = now + c->session_timeout_s;
	if (with_token) {
		if ((rc = central_token_check(&claims, c, token)))
			goto out;
		snprintf(s.auth_provider, sizeof(s.auth_provider), "%s", STORE_SESSION_TOKEN);
		memcpy(s.api_token_id, claims.jti, sizeof(s.api_token_id));
		memcpy(s.user, claims.name, sizeof(s.user));
		memcpy(s.roles, claims.roles, sizeof(s.roles));
		s.role_count = claims.role_count;
		if (claims.exp && claims.exp < s.expires)
			s.expires = claims.exp;
	} else {
		if ((rc = central_password_check(c, user, password)))
			goto out;
		snprintf(s.auth_provider, sizeof(s.auth_provider), "%s", STORE_SESSION_BASIC);
		snprintf(s.user, sizeof(s.user), "%s", CENTRAL_ADMIN_USER);
		s.roles[0] = AUTH_ROLE_ADMIN;
		s.role_count = 1;
	}
	if (s.expires <= now) {
		error_set("the API token expires now; it cannot open a session");
		rc = ASEC_EAUTH;
		goto out;
	}
	/* logins are rare and this keeps the table to the live sessions and a
	 * day's worth of ended ones, without a background job */
	if ((rc = store_auth_session_purge_expired(NULL, c->pool, now)) || (rc = auth_uuid_v4(s.id)) ||
	    (rc = session_token_new(value)) || (rc = session_token_hash(s.token_hash, value)) ||
	    (rc = store_auth_session_create(c->pool, &s))) {
		if (rc == ASEC_EIO || rc == ASEC_ETIMEOUT)
			error_prefix("Central DB is unreachable: the session could not be opened");
		goto out;
	}
	if (!(out = session_json(c, s.id, s.user, s.roles, s.role_count, s.expires, with_token))) {
		error_set("out of memory answering the session");
		rc = ASEC_ENOMEM;
		goto out;
	}
	snprintf(cookie, sizeof(cookie), SESSION_COOKIE_NAME "=%s" SESSION_COOKIE_ATTRIBUTES, value,
		 (long long)(s.expires - now));
	http_respond_header(ex, "Set-Cookie", cookie);
	log_info("portal session %s opened for %s (%s)", s.id, s.user, s.auth_provider);
out:
	explicit_bzero(value, sizeof(value));
	explicit_bzero(cookie, sizeof(cookie));
	if (rc)
		return respond_failure(ex, rc);
	return http_respond_json(ex, 200, out);
}

int central_handle_getSession(struct http_exchange *ex, const struct central_getSession_params *params, json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	const struct central_caller *caller = central_caller_of(ex);
	json_t *out;

	(void)params;
	(void)body;
	if (!caller) {
		error_set("the caller is not authenticated");
		return http_respond_error(ex, ASEC_EAUTH);
	}
	if (!caller->is_session) {
		error_set("no session: the request was authenticated by its Authorization header, not the %s cookie",
			  SESSION_COOKIE_NAME);
		return http_respond_error(ex, ASEC_ENOTFOUND);
	}
	if (!(out = session_json(c, caller->session_id, caller->name, caller->roles, caller->role_count, caller->expires,
				 !caller->is_admin))) {
		error_set("out of memory answering the session");
		return http_respond_error(ex, ASEC_ENOMEM);
	}
	return http_respond_json(ex, 200, out);
}

int central_handle_deleteSession(struct http_exchange *ex, const struct central_deleteSession_params *params,
				 json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	struct store_session s;
	int rc;

	(void)params;
	(void)body;
	rc = central_session_of_request(&s, c, ex);
	if (rc == ASEC_OK) {
		/* logging someone out is a change of state like any other: a
		 * foreign page must not be able to do it */
		if ((rc = central_session_request_check(c, ex, &s, "DELETE"))) {
			if (rc != ASEC_ENOMEM)
				return http_respond_problem(ex, 403, "Forbidden", "%s", error_last());
			return http_respond_error(ex, rc);
		}
		rc = store_auth_session_revoke(c->pool, s.id);
		if (rc == ASEC_OK)
			log_info("portal session %s closed", s.id);
		else if (rc == ASEC_EIO || rc == ASEC_ETIMEOUT)
			error_prefix("Central DB is unreachable: the session could not be ended");
	} else if (rc == ASEC_EAUTH) {
		rc = ASEC_OK; /* no live session: only the cookie goes */
	}
	if (rc == ASEC_ENOTFOUND)
		rc = ASEC_OK; /* purged in between */
	if (rc)
		return respond_failure(ex, rc);
	http_respond_header(ex, "Set-Cookie", SESSION_COOKIE_NAME "=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict");
	return http_respond_text(ex, 204, "text/plain", "", 0);
}
