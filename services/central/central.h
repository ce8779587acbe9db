/*
 * central.h - what central's resource files share.
 *
 * Central is the installation's API: policies, violations, images,
 * vulnerabilities, integrations and the portal. Its handlers live one file
 * per API resource (ping.c, metadata.c, auth_status.c, apitokens.c, images.c,
 * imageintegrations.c, policies.c, policycategories.c, detect.c, alerts.c);
 * main.c only wires them, and authn.c decides who may call what.
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
};

/* Who made the request being handled, as the authenticator found it. */
struct central_caller {
	const struct http_exchange *ex; /* the request it belongs to, with its id: */
	char request_id[80];            /* an exchange lives on the stack, so its address repeats */
	int is_admin;                   /* basic credentials; else an API token */
	char id[AUTH_UUID_LEN + 1];     /* the token's id */
	char name[AUTH_CLAIM_MAX];      /* the token's name, or "admin" */
	int64_t expires;                /* Unix seconds; 0 = never */
	enum auth_role roles[AUTH_TOKEN_ROLES_MAX];
	size_t role_count;
};

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

/* RFC 3339 UTC text of a Unix time into out (at least 21 bytes). */
void central_time_format(char *out, size_t size, int64_t t);

#endif
