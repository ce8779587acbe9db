/*
 * db.h - PostgreSQL access for the services: a connection pool, parameterised
 * statements, retried transactions and embedded schema migrations, on libpq.
 *
 * Two ideas shape this interface:
 *
 *  - Values never travel inside SQL text. Every statement is SQL with $1..$n
 *    placeholders plus an array of text parameters (NULL pointer = SQL NULL),
 *    and there is deliberately no call that takes a formatted SQL string. Error
 *    messages carry the server's primary message and SQLSTATE, never DETAIL
 *    (which echoes key values) and never a parameter value (which may be a
 *    secret), nor a password from the connection string.
 *
 *  - A connection is borrowed for as short a time as possible and comes back
 *    clean: db_release() rolls back an open transaction and throws away a
 *    connection that broke, and db_acquire() reconnects lazily, so a restarted
 *    database or a terminated backend costs one failed request at most.
 *
 * Rules for callers: a PGconn from db_acquire() belongs to one thread until
 * db_release(); change session settings only with SET LOCAL inside a
 * transaction (the next borrower would inherit anything else); never call
 * db_transaction() or db_query() on the same pool from inside a transaction
 * function (with a small pool that waits for itself).
 */
#ifndef ASEC_DB_H
#define ASEC_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

struct db_pool;

struct db_pool_options {
	/* libpq key=value string or postgresql:// URI. Required. */
	const char *conninfo;
	/* Reported to the server as application_name: the service's name. Required. */
	const char *application_name;
	/* Most connections open at once, 1..DB_POOL_MAX_CONNECTIONS. */
	int max_connections;
	/* How long db_acquire() waits for a free connection; 0 = 5000 ms. */
	int acquire_timeout_ms;
	/* libpq connect_timeout in seconds; 0 = 5 s. */
	int connect_timeout_s;
	/* Server-side statement_timeout for every connection; 0 = none. */
	int statement_timeout_ms;
};

#define DB_POOL_MAX_CONNECTIONS 1000
/* The most parameters one statement may carry (a protocol limit). */
#define DB_MAX_PARAMS 65535

/* Validates the options and creates the pool; no connection is made yet. */
int db_pool_open(struct db_pool **out, const struct db_pool_options *opts);

/* Closes every connection. All connections must have been released. */
void db_pool_close(struct db_pool *pool);

/*
 * Borrows a connection, connecting first if the slot has none or its
 * connection died while idle. ASEC_ETIMEOUT when every connection stayed busy
 * for acquire_timeout_ms, ASEC_EIO when connecting failed.
 */
int db_acquire(PGconn **out, struct db_pool *pool);

/* Returns a connection; rolls back an open transaction, drops a broken one. */
void db_release(struct db_pool *pool, PGconn *conn);

/*
 * Runs one statement with $1..$n parameters in text format. On success *out
 * (when out is not NULL) holds the result, which the caller PQclear()s.
 * Errors: ASEC_EEXISTS (unique violation), ASEC_EINVALID (bad data or a
 * constraint), ASEC_ECONFLICT (serialization failure or deadlock),
 * ASEC_ETIMEOUT (statement or lock timeout), ASEC_EIO (connection lost),
 * ASEC_EAUTH (privileges), ASEC_ERROR (anything else, e.g. bad SQL).
 */
int db_exec(PGresult **out, PGconn *conn, const char *sql, int nparams,
	    const char *const *params);

/* db_acquire() + db_exec() + db_release() for a single statement. */
int db_query(PGresult **out, struct db_pool *pool, const char *sql, int nparams,
	     const char *const *params);

enum db_isolation {
	DB_READ_COMMITTED,
	DB_REPEATABLE_READ,
	DB_SERIALIZABLE,
};

/* Attempts db_transaction() makes before giving up on serialization failures. */
#define DB_TRANSACTION_MAX_ATTEMPTS 10

/*
 * Runs fn(conn, ctx) inside BEGIN ISOLATION LEVEL <iso> and commits when it
 * returns ASEC_OK. When a statement (or the COMMIT) fails with
 * serialization_failure (40001) or deadlock_detected (40P01), everything is
 * rolled back and fn runs again from the start after a randomised, growing
 * pause, up to DB_TRANSACTION_MAX_ATTEMPTS times; fn must therefore keep no
 * effects outside the transaction, or undo them when called again. Any other
 * failure rolls back and is returned as is, with its message.
 */
int db_transaction(struct db_pool *pool, enum db_isolation iso,
		   int (*fn)(PGconn *conn, void *ctx), void *ctx);

/*
 * One schema change, compiled into the service. Versions are positive and
 * strictly increasing along the array. `sql` may hold several statements; it
 * runs inside a transaction, so it must not use BEGIN/COMMIT or statements
 * that cannot run in one (CREATE INDEX CONCURRENTLY, VACUUM). Once released,
 * a migration's SQL must never change: add a new one instead.
 */
struct db_migration {
	int version;
	const char *name;
	const char *sql;
};

#define DB_MIGRATIONS_MAX 10000

/*
 * Brings the schema of `component` up to date. Holds an advisory lock keyed on
 * the component name for the whole run, so replicas starting together apply
 * each migration once. Keeps schema_migrations(component, version, name,
 * checksum, applied_at) in the first schema of search_path. Each missing
 * migration runs in its own transaction, in version order, and is recorded
 * with the SHA-256 of its SQL. Refuses (ASEC_ECONFLICT, nothing applied) when
 * the database holds a version the binary does not know (a newer binary ran)
 * or an applied migration's SQL has changed.
 */
int db_migrate(struct db_pool *pool, const char *component,
	       const struct db_migration *migrations, size_t count);

/* Time db_ping() allows for a free connection and for the answer. */
#define DB_PING_TIMEOUT_MS 2000

/*
 * Readiness check: SELECT 1 on a pooled connection, answered within
 * DB_PING_TIMEOUT_MS (a fresh connection may also take connect_timeout_s).
 */
int db_ping(struct db_pool *pool);

/*
 * Reading results by column name (PQfnumber rules: case-folded unless
 * double-quoted). A missing column or row is ASEC_ENOTFOUND.
 */

/* *out points into res (valid until PQclear); NULL for SQL NULL. */
int db_get_text(const char **out, const PGresult *res, int row, const char *column);
/* SQL NULL or a value that is not an integer is ASEC_EINVALID. */
int db_get_int64(int64_t *out, const PGresult *res, int row, const char *column);
/* SQL NULL or a value that is not a boolean is ASEC_EINVALID. */
int db_get_bool(bool *out, const PGresult *res, int row, const char *column);
/* True for SQL NULL, and for a missing column or row (there is no value). */
bool db_is_null(const PGresult *res, int row, const char *column);

#endif
