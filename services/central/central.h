/*
 * central.h - what central's resource files share.
 *
 * Central is the installation's API: policies, violations, images,
 * vulnerabilities, integrations and the portal. Its handlers live one file
 * per API resource (ping.c, metadata.c, auth_status.c, apitokens.c, images.c,
 * imageintegrations.c, policies.c, policycategories.c, detect.c, alerts.c,
 * sessions.c); main.c only wires them, and authn.c decides who may call what.
 */
#ifndef ASEC_CENTRAL_H
#define ASEC_CENTRAL_H

#include <pthread.h>
#include <stdint.h>

#include "auth/auth.h"
#include "central_api.h"
#include "db/db.h"
#include "image_scan.h"
#include "secretbox/secretbox.h"

/* The user name of HTTP basic credentials. */
#define CENTRAL_ADMIN_USER "admin"
/* Valid lifetime of an API token generated without an expiration (StackRox: one year). */
#define CENTRAL_TOKEN_DEFAULT_LIFETIME_S (365LL * 24 * 3600)
/* Concurrent slow password checks; more wait rather than exhaust CPU and memory. */
#define CENTRAL_PASSWORD_CHECKS_MAX 4

struct central {
	struct secretbox_key secrets; /* seals integration passwords (store_integrations.h) */
	struct image_scanner *scanner; /* image_scan.h */
	struct db_pool *pool;
	struct auth_key key;
	struct auth_cache *cache;  /* recent successful admin password checks */
	pthread_mutex_t lock;      /* guards admin_hash */
	char *admin_hash;
	pthread_mutex_t check_lock; /* with check_cond: bounds running password checks */
	pthread_cond_t check_cond;
	int checks_running;
	int64_t session_timeout_s; /* ROX_CENTRAL_SESSION_TIMEOUT: a portal session's longest life */
};

/* Who made the request being handled, as the authenticator found it. */
struct central_caller {
	const struct http_exchange *ex; /* the request it belongs to, with its id: */
	char request_id[80];            /* an exchange lives on the stack, so its address repeats */
	int is_admin;                   /* the admin password (basic, or a session opened with it); else an API token */
	char id[AUTH_UUID_LEN + 1];     /* the token's id ("" for the admin) */
	char name[AUTH_CLAIM_MAX];      /* the token's name, or "admin" */
	int64_t expires;                /* Unix seconds; 0 = never */
	enum auth_role roles[AUTH_TOKEN_ROLES_MAX];
	size_t role_count;
	int is_session;                 /* authenticated by the portal's session cookie */
	char session_id[AUTH_UUID_LEN + 1]; /* that session's id, when is_session */
};

/* A portal session's longest life when ROX_CENTRAL_SESSION_TIMEOUT says nothing. */
#define CENTRAL_SESSION_TIMEOUT_DEFAULT_S (12LL * 3600)

/* http_authenticator for central (authn.c); ctx is the struct central. */
int central_authenticate(struct http_exchange *ex, const struct http_operation *op, void *ctx);

/* The caller of ex, set by central_authenticate on this thread; NULL when
 * ex was not authenticated (a public operation). */
const struct central_caller *central_caller_of(const struct http_exchange *ex);

/*
 * Whether roles meet op's x-asec-roles ("Resource:READ_ACCESS" items, all
 * required): ASEC_OK, or ASEC_ERROR with error_last() naming what is
 * missing (403). A requirement that does not parse refuses everyone and is
 * ASEC_EINVALID.
 */
int central_roles_check(const struct http_operation *op, const enum auth_role *roles, size_t count);

/* Checks every operation's x-asec-roles once at start. */
int central_roles_validate(const struct http_operation *const *ops, size_t count);

/*
 * The admin password check of authn.c, shared by HTTP basic and the portal's
 * login (sessions.c): user must be CENTRAL_ADMIN_USER, and a password not
 * seen recently pays the slow hash, at most CENTRAL_PASSWORD_CHECKS_MAX at
 * once. ASEC_OK, ASEC_EAUTH ("wrong user name or password", whichever was
 * wrong), or another failure.
 */
int central_password_check(struct central *c, const char *user, const char *password);

/*
 * An API token checked as every bearer request is: signature, times, and
 * Central DB's word that it was issued and not revoked. *claims is filled on
 * ASEC_OK; ASEC_EAUTH says why it is refused; ASEC_EIO or ASEC_ETIMEOUT when
 * Central DB cannot be asked (a 503).
 */
int central_token_check(struct auth_token_claims *claims, struct central *c, const char *token);

struct store_session;

/*
 * The live session the request's __Host-asec_session cookie names (sessions.c):
 * ASEC_OK; ASEC_EAUTH when there is no usable cookie or its session ended
 * (revoked, its API token revoked, expired); ASEC_EIO or ASEC_ETIMEOUT when
 * Central DB cannot be asked.
 */
int central_session_of_request(struct store_session *out, struct central *c, const struct http_exchange *ex);

/*
 * What a request authenticated by session's cookie must also show:
 * central's own Origin (or none) and no cross-site fetch, and, for any
 * method but GET and HEAD, the session's CSRF token in X-CSRF-Token.
 * ASEC_OK, or ASEC_ERROR (a 403) with error_last() saying which.
 */
int central_session_request_check(struct central *c, const struct http_exchange *ex,
				  const struct store_session *session, const char *method);

/* RFC 3339 UTC text of a Unix time into out (at least 21 bytes). */
void central_time_format(char *out, size_t size, int64_t t);

#endif
