/*
 * authn.c - central's authenticator: who is calling (admin password or API
 * token) and whether their roles grant what the operation declares.
 *
 * The HTTP server calls central_authenticate() for every operation that
 * accepts basic, bearer or session cookie credentials, before parameters
 * and body are parsed, and maps its answer: ASEC_OK goes on, ASEC_EAUTH is a
 * 401 with WWW-Authenticate (Bearer for central's operations, which a
 * browser never answers with a password dialog), anything else a 403 (see
 * http.h). Every bearer request is checked against the store too, because
 * only the store knows about revocation: a signature proves central issued
 * the token, not that it still stands. So is every cookie: a session is only
 * a row of the store (sessions.c).
 *
 * The caller found here is kept in a thread-local record tagged with the
 * exchange and its request id: the server runs authentication and the
 * handler on the same thread, one request at a time, and the tag makes a
 * stale record from an earlier request on that thread unusable.
 */
#include "central.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "error/error.h"
#include "store_auth.h"

static __thread struct central_caller current;

const struct central_caller *central_caller_of(const struct http_exchange *ex)
{
	const char *id = ex ? http_exchange_request_id(ex) : NULL;

	return ex && current.ex == ex && id && strcmp(current.request_id, id) == 0 ? &current : NULL;
}

void central_time_format(char *out, size_t size, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, size, "1970-01-01T00:00:00Z");
}

/* Splits "Resource:ACCESS" into its parts. */
static int requirement_parse(enum auth_resource *resource, enum auth_access *access, const char *item)
{
	const char *colon = strchr(item, ':');
	char name[64];

	if (!colon || (size_t)(colon - item) >= sizeof(name)) {
		error_set("x-asec-roles item \"%s\" is not Resource:ACCESS", item);
		return ASEC_EINVALID;
	}
	memcpy(name, item, (size_t)(colon - item));
	name[colon - item] = '\0';
	if (auth_resource_parse(resource, name)) {
		error_set("x-asec-roles item \"%s\" names an unknown resource", item);
		return ASEC_EINVALID;
	}
	if (strcmp(colon + 1, "READ_ACCESS") == 0) {
		*access = AUTH_ACCESS_READ;
	} else if (strcmp(colon + 1, "READ_WRITE_ACCESS") == 0) {
		*access = AUTH_ACCESS_READ_WRITE;
	} else {
		error_set("x-asec-roles item \"%s\" needs READ_ACCESS or READ_WRITE_ACCESS", item);
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

int central_roles_check(const struct http_operation *op, const enum auth_role *roles, size_t count)
{
	enum auth_resource resource;
	enum auth_access access;
	size_t i;
	int rc;

	for (i = 0; i < op->role_count; i++) {
		if ((rc = requirement_parse(&resource, &access, op->roles[i])))
			return rc;
		if (!auth_roles_allow(roles, count, resource, access)) {
			error_set("%s needs %s on %s, which the caller's roles do not grant", op->operation_id,
				  auth_access_name(access), auth_resource_name(resource));
			return ASEC_ERROR;
		}
	}
	return ASEC_OK;
}

int central_roles_validate(const struct http_operation *const *ops, size_t count)
{
	enum auth_resource resource;
	enum auth_access access;
	size_t i, j;
	int rc;

	for (i = 0; i < count; i++) {
		for (j = 0; j < ops[i]->role_count; j++) {
			if ((rc = requirement_parse(&resource, &access, ops[i]->roles[j]))) {
				error_prefix("operation %s", ops[i]->operation_id);
				return rc;
			}
		}
	}
	return ASEC_OK;
}

/* The slow hash check, at most CENTRAL_PASSWORD_CHECKS_MAX at once. */
static int password_check(struct central *c, const char *password)
{
	char *hash = NULL;
	int rc;

	pthread_mutex_lock(&c->lock);
	hash = c->admin_hash ? strdup(c->admin_hash) : NULL;
	pthread_mutex_unlock(&c->lock);
	if (!hash) {
		error_set("out of memory checking the password");
		return ASEC_ENOMEM;
	}
	pthread_mutex_lock(&c->check_lock);
	while (c->checks_running >= CENTRAL_PASSWORD_CHECKS_MAX)
		pthread_cond_wait(&c->check_cond, &c->check_lock);
	c->checks_running++;
	pthread_mutex_unlock(&c->check_lock);

	rc = auth_password_verify(password, hash);

	pthread_mutex_lock(&c->check_lock);
	c->checks_running--;
	pthread_cond_signal(&c->check_cond);
	pthread_mutex_unlock(&c->check_lock);
	free(hash);
	return rc;
}

int central_password_check(struct central *c, const char *user, const char *password)
{
	time_t now = time(NULL);
	int rc;

	if (!user || !password || strcmp(user, CENTRAL_ADMIN_USER) != 0) {
		error_set("wrong user name or password");
		return ASEC_EAUTH;
	}
	if (auth_cache_lookup(c->cache, user, password, now))
		return ASEC_OK;
	rc = password_check(c, password);
	if (rc == ASEC_EAUTH || rc == ASEC_EINVALID) {
		error_set("wrong user name or password");
		return ASEC_EAUTH;
	}
	if (rc)
		return rc;
	auth_cache_add(c->cache, user, password, now);
	return ASEC_OK;
}

static int authenticate_basic(struct central *c, const char *header)
{
	char *user = NULL, *password = NULL;
	int rc;

	if ((rc = auth_basic_parse(&user, &password, header)) || (rc = central_password_check(c, user, password)))
		goto out;
	current.is_admin = 1;
	snprintf(current.name, sizeof(current.name), "%s", CENTRAL_ADMIN_USER);
	current.roles[0] = AUTH_ROLE_ADMIN;
	current.role_count = 1;
out:
	if (password)
		explicit_bzero(password, strlen(password));
	free(user);
	free(password);
	return rc;
}

int central_token_check(struct auth_token_claims *claims, struct central *c, const char *token)
{
	struct store_token stored;
	int rc;

	if ((rc = auth_token_verify(claims, token, &c->key, 1, time(NULL))))
		return rc;
	rc = store_auth_token_get(&stored, c->pool, claims->jti);
	if (rc == ASEC_ENOTFOUND) {
		error_set("the API token is not known to central");
		return ASEC_EAUTH;
	}
	if (rc) {
		/* the store is down: 503 naming it, not a refusal (http.h) */
		error_set("Central DB is unreachable: the API token could not be checked");
		return rc == ASEC_ETIMEOUT ? ASEC_ETIMEOUT : ASEC_EIO;
	}
	if (stored.revoked) {
		error_set("the API token was revoked");
		return ASEC_EAUTH;
	}
	return ASEC_OK;
}

static int authenticate_bearer(struct central *c, const char *header)
{
	struct auth_token_claims claims;
	const char *token;
	int rc;

	if ((rc = auth_bearer_parse(&token, header)) || (rc = central_token_check(&claims, c, token)))
		return rc;
	current.is_admin = 0;
	memcpy(current.id, claims.jti, sizeof(current.id));
	memcpy(current.name, claims.name, sizeof(current.name));
	current.expires = claims.exp;
	memcpy(current.roles, claims.roles, sizeof(current.roles));
	current.role_count = claims.role_count;
	return ASEC_OK;
}

/* The portal's session cookie (sessions.c): the session's roles, and for
 * anything but a read the same-origin and CSRF checks, refused as 403. */
static int authenticate_cookie(struct central *c, struct http_exchange *ex, const struct http_operation *op)
{
	struct store_session session;
	int rc;

	if ((rc = central_session_of_request(&session, c, ex)))
		return rc;
	if ((rc = central_session_request_check(c, ex, &session, op->method)))
		return rc;
	current.is_admin = strcmp(session.auth_provider, STORE_SESSION_BASIC) == 0;
	current.is_session = 1;
	memcpy(current.session_id, session.id, sizeof(current.session_id));
	memcpy(current.id, session.api_token_id, sizeof(current.id));
	memcpy(current.name, session.user, sizeof(current.name));
	current.expires = session.expires;
	memcpy(current.roles, session.roles, sizeof(current.roles));
	current.role_count = session.role_count;
	return ASEC_OK;
}

int central_authenticate(struct http_exchange *ex, const struct http_operation *op, void *ctx)
{
	struct central *c = ctx;
	const char *header = http_exchange_header(ex, "Authorization");
	char identity[AUTH_CLAIM_MAX + 16];
	int rc;

	memset(&current, 0, sizeof(current));
	/* an Authorization header wins: a script's credentials are never
	 * mistaken for the browser's session */
	if ((!header || !header[0]) && (op->auth & HTTP_AUTH_COOKIE) && http_exchange_header(ex, "Cookie"))
		rc = authenticate_cookie(c, ex, op);
	else if (!header || !header[0]) {
		error_set("valid credentials are required");
		return ASEC_EAUTH;
	} else if (strncasecmp(header, "Basic ", 6) == 0 && (op->auth & HTTP_AUTH_BASIC))
		rc = authenticate_basic(c, header);
	else if (strncasecmp(header, "Bearer ", 7) == 0 && (op->auth & HTTP_AUTH_BEARER))
		rc = authenticate_bearer(c, header);
	else {
		error_set("the Authorization header's scheme is not accepted here");
		rc = ASEC_EAUTH;
	}
	if (rc)
		return rc == ASEC_EINVALID ? ASEC_EAUTH : rc;
	/* any failure of the requirement (ASEC_ERROR or a bad spec item) is a 403 */
	if ((rc = central_roles_check(op, current.roles, current.role_count)))
		return rc == ASEC_EAUTH ? ASEC_ERROR : rc;
	current.ex = ex;
	snprintf(current.request_id, sizeof(current.request_id), "%s",
		 http_exchange_request_id(ex) ? http_exchange_request_id(ex) : "");
	/* the log names who acted, never the secret they acted with */
	if (current.is_session && current.is_admin)
		snprintf(identity, sizeof(identity), "session:%s", CENTRAL_ADMIN_USER);
	else if (current.is_session) /* token names repeat; their ids do not */
		snprintf(identity, sizeof(identity), "session:apitoken:%s", current.id);
	else if (current.is_admin)
		snprintf(identity, sizeof(identity), "%s", CENTRAL_ADMIN_USER);
	else
		snprintf(identity, sizeof(identity), "apitoken:%s", current.id);
	http_exchange_set_identity(ex, identity);
	return ASEC_OK;
}
