/*
 * store_auth.h - central's SQL for who may call it: the admin password's
 * hash and the metadata of the API tokens it issued.
 *
 * The tokens themselves are never stored: a token is a signed JWT that
 * carries its own roles and expiry. The store keeps what the signature
 * cannot say - that a token was revoked - plus what the list and get
 * operations show. A token whose id is missing here is refused, so
 * deleting the table revokes everything.
 */
#ifndef ASEC_CENTRAL_STORE_AUTH_H
#define ASEC_CENTRAL_STORE_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "db/db.h"

/* The most token rows one list returns; older ones are left out. */
#define STORE_TOKENS_LIST_MAX 10000

struct store_token {
	char id[AUTH_UUID_LEN + 1];
	char name[AUTH_CLAIM_MAX];
	enum auth_role roles[AUTH_TOKEN_ROLES_MAX];
	size_t role_count;
	int64_t issued_at;  /* Unix seconds */
	int64_t expiration; /* Unix seconds; 0 = never */
	bool revoked;
};

int store_auth_migrate(struct db_pool *pool);

/* The stored admin password hash (for free()); ASEC_ENOTFOUND when none. */
int store_auth_admin_hash_get(char **out, struct db_pool *pool);
/* Stores hash unless one is stored already; *created says whether this call
 * stored it (two replicas starting together: only one wins). */
int store_auth_admin_hash_create(int *created, struct db_pool *pool, const char *hash);
/* Replaces the stored hash (ROX_ADMIN_PASSWORD changed). */
int store_auth_admin_hash_set(struct db_pool *pool, const char *hash);

/* ASEC_EEXISTS when the id is taken. */
int store_auth_token_insert(struct db_pool *pool, const struct store_token *token);
/* ASEC_ENOTFOUND when no token has this id. */
int store_auth_token_get(struct store_token *out, struct db_pool *pool, const char *id);
/* Newest first. revoked: -1 all, 0 only valid, 1 only revoked. *out is for free(). */
int store_auth_token_list(struct store_token **out, size_t *count, struct db_pool *pool, int revoked);
/* ASEC_ENOTFOUND when no token has this id; revoking twice succeeds. */
int store_auth_token_revoke(struct db_pool *pool, const char *id);

#endif
