/*
 * store_auth.c - SQL of central's credentials (see store_auth.h).
 *
 * Roles travel as one comma-joined text parameter and come back the same
 * way (string_to_array / array_to_string): role names never hold a comma,
 * and it spares us quoting a PostgreSQL array literal by hand. Times are
 * Unix seconds at the boundary and timestamptz in the table. A session's
 * cookie hash travels as hex text (decode($n, 'hex')), which spares binary
 * parameters for one 32-byte value.
 */
#include "store_auth.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "error/error.h"

static const struct db_migration central_migrations[] = {
	{1, "admin password hash and API token metadata",
	 "CREATE TABLE admin ("
	 "  id integer PRIMARY KEY CHECK (id = 1),"
	 "  password_hash text NOT NULL,"
	 "  updated_at timestamptz NOT NULL DEFAULT now());"
	 "CREATE TABLE api_tokens ("
	 "  id text PRIMARY KEY,"
	 "  name text NOT NULL,"
	 "  roles text[] NOT NULL,"
	 "  issued_at timestamptz NOT NULL,"
	 "  expiration timestamptz,"
	 "  revoked boolean NOT NULL DEFAULT false);"
	 "CREATE INDEX api_tokens_issued_at ON api_tokens (issued_at DESC);"},
	/* api_token_id cascades: a token deleted by hand takes its sessions along */
	{2, "portal sessions",
	 "CREATE TABLE sessions ("
	 "  id text PRIMARY KEY,"
	 "  token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),"
	 "  user_name text NOT NULL,"
	 "  roles text[] NOT NULL,"
	 "  auth_provider text NOT NULL CHECK (auth_provider IN ('basic', 'token')),"
	 "  api_token_id text REFERENCES api_tokens (id) ON DELETE CASCADE,"
	 "  created timestamptz NOT NULL DEFAULT now(),"
	 "  expires timestamptz NOT NULL,"
	 "  revoked boolean NOT NULL DEFAULT false);"
	 "CREATE INDEX sessions_expires ON sessions (expires);"
	 "CREATE INDEX sessions_api_token_id ON sessions (api_token_id);"},
};

int store_auth_migrate(struct db_pool *pool)
{
	return db_migrate(pool, "central", central_migrations, sizeof(central_migrations) / sizeof(central_migrations[0]));
}

int store_auth_admin_hash_get(char **out, struct db_pool *pool)
{
	PGresult *res = NULL;
	const char *hash;
	int rc;

	*out = NULL;
	if ((rc = db_query(&res, pool, "SELECT password_hash FROM admin WHERE id = 1", 0, NULL)))
		return rc;
	if (PQntuples(res) == 0) {
		error_set("no admin password is stored");
		rc = ASEC_ENOTFOUND;
		goto out;
	}
	if ((rc = db_get_text(&hash, res, 0, "password_hash")))
		goto out;
	if (!(*out = strdup(hash ? hash : ""))) {
		error_set("out of memory");
		rc = ASEC_ENOMEM;
	}
out:
	PQclear(res);
	return rc;
}

int store_auth_admin_hash_create(int *created, struct db_pool *pool, const char *hash)
{
	const char *params[1] = {hash};
	PGresult *res = NULL;
	int rc;

	*created = 0;
	rc = db_query(&res, pool, "INSERT INTO admin (id, password_hash) VALUES (1, $1) ON CONFLICT (id) DO NOTHING", 1,
		      params);
	if (rc == ASEC_OK)
		*created = atoi(PQcmdTuples(res)) == 1;
	PQclear(res);
	return rc;
}

int store_auth_admin_hash_set(struct db_pool *pool, const char *hash)
{
	const char *params[1] = {hash};
	PGresult *res = NULL;
	int rc;

	rc = db_query(&res, pool,
		      "INSERT INTO admin (id, password_hash) VALUES (1, $1)"
		      " ON CONFLICT (id) DO UPDATE SET password_hash = EXCLUDED.password_hash, updated_at = now()",
		      1, params);
	PQclear(res);
	return rc;
}

static int roles_join(char *out, size_t size, const enum auth_role *roles, size_t count)
{
	size_t used = 0, i;

	out[0] = '\0';
	for (i = 0; i < count; i++) {
		const char *name = auth_role_name(roles[i]);
		int n;
		if (!name) {
			error_set("unknown role %d", (int)roles[i]);
			return ASEC_EINVALID;
		}
		n = snprintf(out + used, size - used, "%s%s", i ? "," : "", name);
		if (n < 0 || (size_t)n >= size - used) {
			error_set("too many roles");
			return ASEC_ETOOBIG;
		}
		used += (size_t)n;
	}
	return ASEC_OK;
}

/* owner names the row in the error: "token <id>", "session <id>". */
static int roles_split(enum auth_role *roles, size_t *count, const char *text, const char *owner, const char *id)
{
	char buf[1024];
	char *save = NULL, *part;

	*count = 0;
	if (!text || !text[0])
		return ASEC_OK;
	if (strlen(text) >= sizeof(buf)) {
		error_set("stored %s %s has too many roles", owner, id);
		return ASEC_EINVALID;
	}
	strcpy(buf, text);
	for (part = strtok_r(buf, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
		if (*count == AUTH_TOKEN_ROLES_MAX || auth_role_parse(&roles[*count], part)) {
			error_set("stored %s %s has a bad role list", owner, id);
			return ASEC_EINVALID;
		}
		(*count)++;
	}
	return ASEC_OK;
}

static int copy_text(char *out, size_t size, const char *text, const char *what)
{
	if (!text || strlen(text) >= size) {
		error_set("a stored %s is missing or too long", what);
		return ASEC_EINVALID;
	}
	strcpy(out, text);
	return ASEC_OK;
}

#define STORE_STR_(x) #x
#define STORE_STR(x) STORE_STR_(x)

#define TOKEN_COLUMNS                                                                                   \
	"id, name, array_to_string(roles, ',') AS roles, extract(epoch FROM issued_at)::bigint AS issued_at," \
	" coalesce(extract(epoch FROM expiration)::bigint, 0) AS expiration, revoked"

static int token_from_row(struct store_token *t, const PGresult *res, int row)
{
	const char *text;
	int rc;

	memset(t, 0, sizeof(*t));
	if ((rc = db_get_text(&text, res, row, "id")) || (rc = copy_text(t->id, sizeof(t->id), text, "token's id")) ||
	    (rc = db_get_text(&text, res, row, "name")) || (rc = copy_text(t->name, sizeof(t->name), text, "token's name")) ||
	    (rc = db_get_text(&text, res, row, "roles")) || (rc = roles_split(t->roles, &t->role_count, text, "token", t->id)) ||
	    (rc = db_get_int64(&t->issued_at, res, row, "issued_at")) ||
	    (rc = db_get_int64(&t->expiration, res, row, "expiration")) ||
	    (rc = db_get_bool(&t->revoked, res, row, "revoked")))
		return rc;
	return ASEC_OK;
}

int store_auth_token_insert(struct db_pool *pool, const struct store_token *t)
{
	char roles[1024], issued[32], expiration[32];
	const char *params[5] = {t->id, t->name, roles, issued, t->expiration ? expiration : NULL};
	PGresult *res = NULL;
	int rc;

	if ((rc = roles_join(roles, sizeof(roles), t->roles, t->role_count)))
		return rc;
	snprintf(issued, sizeof(issued), "%" PRId64, t->issued_at);
	snprintf(expiration, sizeof(expiration), "%" PRId64, t->expiration);
	rc = db_query(&res, pool,
		      "INSERT INTO api_tokens (id, name, roles, issued_at, expiration, revoked)"
		      " VALUES ($1, $2, string_to_array($3, ','), to_timestamp($4::bigint), to_timestamp($5::bigint), false)",
		      5, params);
	PQclear(res);
	return rc;
}

int store_auth_token_get(struct store_token *out, struct db_pool *pool, const char *id)
{
	const char *params[1] = {id};
	PGresult *res = NULL;
	int rc;

	if ((rc = db_query(&res, pool, "SELECT " TOKEN_COLUMNS " FROM api_tokens WHERE id = $1", 1, params)))
		goto out;
	if (PQntuples(res) == 0) {
		error_set("no API token has id %s", id);
		rc = ASEC_ENOTFOUND;
		goto out;
	}
	rc = token_from_row(out, res, 0);
out:
	PQclear(res);
	return rc;
}

int store_auth_token_list(struct store_token **out, size_t *count, struct db_pool *pool, int revoked)
{
	const char *params[1] = {revoked < 0 ? NULL : revoked ? "true" : "false"};
	PGresult *res = NULL;
	size_t n, i;
	int rc;

	*out = NULL;
	*count = 0;
	if ((rc = db_query(&res, pool,
			   "SELECT " TOKEN_COLUMNS " FROM api_tokens WHERE $1::boolean IS NULL OR revoked = $1::boolean"
			   " ORDER BY issued_at DESC, id LIMIT " STORE_STR(STORE_TOKENS_LIST_MAX),
			   1, params)))
		goto out;
	n = (size_t)PQntuples(res);
	if (!(*out = calloc(n ? n : 1, sizeof(**out)))) {
		error_set("out of memory listing API tokens");
		rc = ASEC_ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((rc = token_from_row(&(*out)[i], res, (int)i)))
			goto out;
	}
	*count = n;
out:
	if (rc) {
		free(*out);
		*out = NULL;
	}
	PQclear(res);
	return rc;
}

int store_auth_token_revoke(struct db_pool *pool, const char *id)
{
	const char *params[1] = {id};
	PGresult *res = NULL;
	int rc;

	if ((rc = db_query(&res, pool, "UPDATE api_tokens SET revoked = true WHERE id = $1", 1, params)))
		goto out;
	if (atoi(PQcmdTuples(res)) == 0) {
		error_set("no API token has id %s", id);
		rc = ASEC_ENOTFOUND;
	}
out:
	PQclear(res);
	return rc;
}

/* ---- sessions ------------------------------------------------------------------------------ */

static void hash_hex(char out[STORE_SESSION_HASH_BYTES * 2 + 1], const unsigned char *hash)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < STORE_SESSION_HASH_BYTES; i++) {
		out[2 * i] = digits[hash[i] >> 4];
		out[2 * i + 1] = digits[hash[i] & 15];
	}
	out[STORE_SESSION_HASH_BYTES * 2] = '\0';
}

int store_auth_session_create(struct db_pool *pool, const struct store_session *s)
{
	char roles[1024], hash[STORE_SESSION_HASH_BYTES * 2 + 1], created[32], expires[32];
	const char *params[8] = {s->id,    hash,    s->user, roles, s->auth_provider, s->api_token_id[0] ? s->api_token_id : NULL,
				 created, expires};
	PGresult *res = NULL;
	int rc;

	if ((rc = roles_join(roles, sizeof(roles), s->roles, s->role_count)))
		return rc;
	hash_hex(hash, s->token_hash);
	snprintf(created, sizeof(created), "%" PRId64, s->created);
	snprintf(expires, sizeof(expires), "%" PRId64, s->expires);
	rc = db_query(&res, pool,
		      "INSERT INTO sessions (id, token_hash, user_name, roles, auth_provider, api_token_id, created, expires)"
		      " VALUES ($1, decode($2, 'hex'), $3, string_to_array($4, ','), $5, $6,"
		      " to_timestamp($7::bigint), to_timestamp($8::bigint))",
		      8, params);
	PQclear(res);
	return rc;
}

int store_auth_session_get_by_hash(struct store_session *out, struct db_pool *pool,
				   const unsigned char hash[STORE_SESSION_HASH_BYTES])
{
	char hex[STORE_SESSION_HASH_BYTES * 2 + 1];
	const char *params[1] = {hex}, *text;
	PGresult *res = NULL;
	int rc;

	hash_hex(hex, hash);
	/* a token session whose token row is gone counts as revoked (the
	 * cascade deletes it too; this covers the moment between); a session
	 * opened with the admin password ends when that password is set anew
	 * (admin.updated_at), so that changing a leaked password also shuts
	 * out whoever opened a session with it. created has whole seconds, so
	 * the change is compared at that grain: a login in the second of the
	 * change stays valid rather than a fresh one being refused. */
	if ((rc = db_query(&res, pool,
			   "SELECT s.id, s.user_name, array_to_string(s.roles, ',') AS roles, s.auth_provider,"
			   " coalesce(s.api_token_id, '') AS api_token_id,"
			   " extract(epoch FROM s.created)::bigint AS created, extract(epoch FROM s.expires)::bigint AS expires,"
			   " (s.revoked OR coalesce(t.revoked, s.api_token_id IS NOT NULL)"
			   "  OR (s.auth_provider = 'basic' AND s.created < date_trunc('second', a.updated_at))) AS revoked"
			   " FROM sessions s LEFT JOIN api_tokens t ON t.id = s.api_token_id"
			   " LEFT JOIN admin a ON a.id = 1"
			   " WHERE s.token_hash = decode($1, 'hex')",
			   1, params)))
		goto out;
	if (PQntuples(res) == 0) {
		error_set("no session has this cookie");
		rc = ASEC_ENOTFOUND;
		goto out;
	}
	memset(out, 0, sizeof(*out));
	memcpy(out->token_hash, hash, STORE_SESSION_HASH_BYTES);
	if ((rc = db_get_text(&text, res, 0, "id")) || (rc = copy_text(out->id, sizeof(out->id), text, "session's id")) ||
	    (rc = db_get_text(&text, res, 0, "user_name")) ||
	    (rc = copy_text(out->user, sizeof(out->user), text, "session's user")) ||
	    (rc = db_get_text(&text, res, 0, "roles")) ||
	    (rc = roles_split(out->roles, &out->role_count, text, "session", out->id)) ||
	    (rc = db_get_text(&text, res, 0, "auth_provider")) ||
	    (rc = copy_text(out->auth_provider, sizeof(out->auth_provider), text, "session's provider")) ||
	    (rc = db_get_text(&text, res, 0, "api_token_id")) ||
	    (rc = copy_text(out->api_token_id, sizeof(out->api_token_id), text, "session's token id")) ||
	    (rc = db_get_int64(&out->created, res, 0, "created")) ||
	    (rc = db_get_int64(&out->expires, res, 0, "expires")) || (rc = db_get_bool(&out->revoked, res, 0, "revoked")))
		goto out;
out:
	PQclear(res);
	return rc;
}

int store_auth_session_revoke(struct db_pool *pool, const char *id)
{
	const char *params[1] = {id};
	PGresult *res = NULL;
	int rc;

	if ((rc = db_query(&res, pool, "UPDATE sessions SET revoked = true WHERE id = $1", 1, params)))
		goto out;
	if (atoi(PQcmdTuples(res)) == 0) {
		error_set("no session has id %s", id);
		rc = ASEC_ENOTFOUND;
	}
out:
	PQclear(res);
	return rc;
}

int store_auth_session_purge_expired(size_t *deleted, struct db_pool *pool, int64_t now)
{
	char before[32];
	const char *params[1] = {before};
	PGresult *res = NULL;
	int rc;

	if (deleted)
		*deleted = 0;
	snprintf(before, sizeof(before), "%" PRId64, now - STORE_SESSION_PURGE_AFTER_S);
	rc = db_query(&res, pool, "DELETE FROM sessions WHERE expires < to_timestamp($1::bigint)", 1, params);
	if (rc == ASEC_OK && deleted)
		*deleted = (size_t)strtoull(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return rc;
}
