/*
 * store_auth.h - central's SQL for who may call it: the admin password's
 * hash and the metadata of the API tokens it issued.
 *
 * The tokens themselves are never stored: a token is a signed JWT that
 * carries its own roles and expiry. The store keeps what the signature
 * cannot say - that a token was revoked - plus what the list and get
 * operations show. A token whose id is missing here is refused, so
 * deleting the table revokes everything.
 *
 * The portal's browser sessions live here too (sessions.c): a row per
 * session, found by the SHA-256 of its cookie (the cookie itself is never
 * stored), carrying the roles it was opened with. A session opened with an
 * API token names that token, and a lookup folds the token's revocation
 * into the session's, so revoking the token ends its sessions at once; one
 * opened with the admin password ends when the password is set anew.
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

/* The auth_provider of a session opened with the admin password, and with an API token. */
#define STORE_SESSION_BASIC "basic"
#define STORE_SESSION_TOKEN "token"
#define STORE_SESSION_HASH_BYTES 32
/* Expired sessions are deleted this long after their end, so that for a
 * day a lookup can still say "the session has ended" rather than nothing. */
#define STORE_SESSION_PURGE_AFTER_S (24 * 3600)

struct store_session {
	char id[AUTH_UUID_LEN + 1];
	unsigned char token_hash[STORE_SESSION_HASH_BYTES]; /* SHA-256 of the cookie value */
	char user[AUTH_CLAIM_MAX];                          /* "admin" or the token's name */
	enum auth_role roles[AUTH_TOKEN_ROLES_MAX];
	size_t role_count;
	char auth_provider[8];             /* STORE_SESSION_BASIC or STORE_SESSION_TOKEN */
	char api_token_id[AUTH_UUID_LEN + 1]; /* the jti it was opened with; "" for the password */
	int64_t created; /* Unix seconds */
	int64_t expires; /* Unix seconds */
	bool revoked;    /* read: logged out, its API token revoked or gone, or the admin password changed since */
};

/* ASEC_EEXISTS when the id or the hash is taken. */
int store_auth_session_create(struct db_pool *pool, const struct store_session *session);
/* The session whose cookie hashes to hash, expired or not (the caller
 * compares expires with its clock); ASEC_ENOTFOUND when none. */
int store_auth_session_get_by_hash(struct store_session *out, struct db_pool *pool,
				   const unsigned char hash[STORE_SESSION_HASH_BYTES]);
/* ASEC_ENOTFOUND when no session has this id; revoking twice succeeds. */
int store_auth_session_revoke(struct db_pool *pool, const char *id);
/* Deletes the sessions that ended more than STORE_SESSION_PURGE_AFTER_S
 * before now (Unix seconds); *deleted (may be NULL) gets how many. */
int store_auth_session_purge_expired(size_t *deleted, struct db_pool *pool, int64_t now);

#endif
