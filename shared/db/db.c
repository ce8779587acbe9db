/*
 * db.c - the connection pool, statements, transactions and migrations of
 * db.h on top of libpq.
 *
 * The pool is a fixed array of slots guarded by one mutex and one condition
 * variable: the array is small (tens of connections), so a linear scan to
 * find a free slot or the slot of a returned PGconn costs less than any index
 * would. Connecting, health checks and rollbacks happen outside the mutex,
 * on a slot the thread has already marked as its own, so a slow server never
 * blocks threads that only want an idle connection.
 *
 * Error text is built once, in db_error_from(), from the server's primary
 * message and SQLSTATE only, then passed through a redactor that blanks
 * parameter values and passwords: libpq messages are otherwise free to echo
 * both.
 */
#include "db/db.h"

#include "error/error.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#define DB_DEFAULT_ACQUIRE_TIMEOUT_MS 5000
#define DB_DEFAULT_CONNECT_TIMEOUT_S 5
#define DB_MAX_TIMEOUT_MS (24 * 3600 * 1000)
#define DB_MAX_CONNECT_TIMEOUT_S 3600
/* Parameter values shorter than this are too short to be secrets, and
 * blanking them would shred the message (a "1" appears everywhere). */
#define DB_REDACT_MIN_LEN 4
#define DB_MESSAGE_MAX 512
#define DB_COMPONENT_MAX 63
#define DB_MIGRATION_NAME_MAX 200
#define DB_BACKOFF_BASE_MS 5
#define DB_BACKOFF_MAX_MS 500

struct db_slot {
	PGconn *conn;
	bool in_use;
};

struct db_pool {
	pthread_mutex_t lock;
	pthread_cond_t freed;   /* signalled whenever a slot becomes free */
	struct db_slot *slots;
	int size;
	int acquire_timeout_ms;
	int statement_timeout_ms;
	char connect_timeout[16];
	char *conninfo;
	char *application_name;
};

/*
 * Whether the current transaction attempt met a serialization failure or a
 * deadlock. Sticky until db_transaction() clears it, because after such an
 * error every later statement fails with 25P02 "transaction is aborted",
 * which would hide the retryable cause.
 */
static _Thread_local bool db_conflict_seen;

/* ---- messages ---------------------------------------------------------- */

static size_t db_append(char *dst, size_t cap, size_t at, const char *src, size_t n)
{
	if (at + 1 >= cap)
		return at;
	if (n > cap - 1 - at)
		n = cap - 1 - at;
	memcpy(dst + at, src, n);
	dst[at + n] = '\0';
	return at + n;
}

/*
 * Copies src into dst, replacing parameter values, `password=...` pairs and
 * the password of a URI's user:password@ part with "[redacted]", and folding
 * libpq's multi-line messages onto one line.
 */
static void db_redact(char *dst, size_t cap, const char *src, int nsecrets,
		      const char *const *secrets)
{
	static const char mark[] = "[redacted]";
	const char *p = src;
	size_t at = 0;

	dst[0] = '\0';
	while (*p != '\0' && at + 1 < cap) {
		size_t skip = 0;

		for (int i = 0; i < nsecrets && secrets != NULL; i++) {
			size_t len = secrets[i] ? strlen(secrets[i]) : 0;
			if (len >= DB_REDACT_MIN_LEN && strncmp(p, secrets[i], len) == 0) {
				skip = len;
				break;
			}
		}
		if (skip > 0) {
			at = db_append(dst, cap, at, mark, sizeof(mark) - 1);
			p += skip;
			continue;
		}
		if (strncasecmp(p, "password=", 9) == 0) {
			const char *v = p + 9;
			if (*v == '\'') {
				const char *end = strchr(v + 1, '\'');
				v = end ? end + 1 : v + strlen(v);
			} else {
				v += strcspn(v, " \t\r\n&\"");
			}
			at = db_append(dst, cap, at, p, 9);
			at = db_append(dst, cap, at, mark, sizeof(mark) - 1);
			p = v;
			continue;
		}
		if (strncmp(p, "://", 3) == 0) {
			const char *auth = p + 3;
			size_t len = strcspn(auth, "/@ \t\r\n\"");
			const char *colon = memchr(auth, ':', len);
			if (auth[len] == '@' && colon != NULL) {
				at = db_append(dst, cap, at, p, (size_t)(colon - p) + 1);
				at = db_append(dst, cap, at, mark, sizeof(mark) - 1);
				p = auth + len;
				continue;
			}
		}
		char c = (*p == '\n' || *p == '\t' || *p == '\r') ? ' ' : *p;
		if (c != ' ' || (at > 0 && dst[at - 1] != ' '))
			at = db_append(dst, cap, at, &c, 1);
		p++;
	}
	while (at > 0 && dst[at - 1] == ' ')
		dst[--at] = '\0';
}

/* Sets the error for a failure of the connection itself. */
static int db_error_conn(const char *what, PGconn *conn)
{
	char msg[DB_MESSAGE_MAX];

	db_redact(msg, sizeof(msg), conn ? PQerrorMessage(conn) : "out of memory", 0, NULL);
	error_set("%s: %s", what, msg[0] ? msg : "unknown libpq error");
	return ASEC_EIO;
}

static int db_code_for_sqlstate(const char *state)
{
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		return ASEC_ECONFLICT;
	if (strcmp(state, "23505") == 0)
		return ASEC_EEXISTS;
	if (strcmp(state, "57014") == 0 || strcmp(state, "55P03") == 0)
		return ASEC_ETIMEOUT;
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0)
		return ASEC_EIO;
	if (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0)
		return ASEC_EINVALID;
	if (strncmp(state, "28", 2) == 0 || strcmp(state, "42501") == 0)
		return ASEC_EAUTH;
	return ASEC_ERROR;
}

/*
 * Turns a result into ASEC_OK or an error code with its message set. The
 * parameters are passed only so that their values can be blanked out.
 */
static int db_error_from(PGconn *conn, const PGresult *res, int nparams,
			 const char *const *params)
{
	char msg[DB_MESSAGE_MAX];
	const char *state, *primary;
	int code;

	if (res == NULL)
		return PQstatus(conn) == CONNECTION_BAD
			       ? db_error_conn("database connection lost", conn)
			       : db_error_conn("database", conn);
	switch (PQresultStatus(res)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_EMPTY_QUERY:
		return ASEC_OK;
	default:
		break;
	}
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (state == NULL || primary == NULL) {
		/* Made by libpq itself: the connection failed mid-statement. */
		if (PQstatus(conn) == CONNECTION_BAD)
			return db_error_conn("database connection lost", conn);
		db_redact(msg, sizeof(msg), PQresultErrorMessage(res), nparams, params);
		error_set("database: %s", msg[0] ? msg : PQresStatus(PQresultStatus(res)));
		return ASEC_ERROR;
	}
	code = db_code_for_sqlstate(state);
	if (code == ASEC_ECONFLICT)
		db_conflict_seen = true;
	if (PQstatus(conn) == CONNECTION_BAD)
		code = ASEC_EIO;
	db_redact(msg, sizeof(msg), primary, nparams, params);
	error_set("database: %s (SQLSTATE %s)", msg, state);
	return code;
}

/* ---- pool -------------------------------------------------------------- */

static void db_notice_ignore(void *arg, const char *message)
{
	/* libpq would print NOTICEs ("relation already exists, skipping") on
	 * stderr; services log through their own logger, and notices carry
	 * nothing they act on. */
	(void)arg;
	(void)message;
}

static int db_check_timeout(const char *what, int value, int max)
{
	if (value < 0 || value > max) {
		error_set("database pool: %s must be between 0 and %d, got %d", what, max, value);
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

int db_pool_open(struct db_pool **out, const struct db_pool_options *opts)
{
	struct db_pool *pool = NULL;
	PQconninfoOption *parsed = NULL;
	char *parse_error = NULL;
	pthread_condattr_t attr;
	bool attr_made = false;
	int rc = ASEC_OK;

	*out = NULL;
	if (opts == NULL || opts->conninfo == NULL || opts->application_name == NULL ||
	    opts->application_name[0] == '\0') {
		error_set("database pool: conninfo and application_name are required");
		return ASEC_EINVALID;
	}
	if (opts->max_connections < 1 || opts->max_connections > DB_POOL_MAX_CONNECTIONS) {
		error_set("database pool: max_connections must be between 1 and %d, got %d",
			  DB_POOL_MAX_CONNECTIONS, opts->max_connections);
		return ASEC_EINVALID;
	}
	if ((rc = db_check_timeout("acquire_timeout_ms", opts->acquire_timeout_ms, DB_MAX_TIMEOUT_MS)) ||
	    (rc = db_check_timeout("connect_timeout_s", opts->connect_timeout_s, DB_MAX_CONNECT_TIMEOUT_S)) ||
	    (rc = db_check_timeout("statement_timeout_ms", opts->statement_timeout_ms, DB_MAX_TIMEOUT_MS)))
		return rc;
	if (strlen(opts->application_name) > 63) {
		error_set("database pool: application_name is longer than 63 bytes");
		return ASEC_EINVALID;
	}
	/* libpq's parse errors quote the offending fragment, which may be part
	 * of a password; say only that the string is malformed. */
	parsed = PQconninfoParse(opts->conninfo, &parse_error);
	if (parsed == NULL) {
		error_set("database pool: the connection string is not a valid libpq "
			  "key=value string or postgresql:// URI (details withheld: it may hold a password)");
		rc = parse_error ? ASEC_EINVALID : ASEC_ENOMEM;
		goto out;
	}

	pool = calloc(1, sizeof(*pool));
	if (pool == NULL)
		goto nomem;
	pool->size = opts->max_connections;
	pool->slots = calloc((size_t)pool->size, sizeof(*pool->slots));
	pool->conninfo = strdup(opts->conninfo);
	pool->application_name = strdup(opts->application_name);
	if (pool->slots == NULL || pool->conninfo == NULL || pool->application_name == NULL)
		goto nomem;
	pool->acquire_timeout_ms = opts->acquire_timeout_ms ? opts->acquire_timeout_ms
							    : DB_DEFAULT_ACQUIRE_TIMEOUT_MS;
	pool->statement_timeout_ms = opts->statement_timeout_ms;
	snprintf(pool->connect_timeout, sizeof(pool->connect_timeout), "%d",
		 opts->connect_timeout_s ? opts->connect_timeout_s : DB_DEFAULT_CONNECT_TIMEOUT_S);

	/* The acquire deadline must not jump with the wall clock. */
	if (pthread_condattr_init(&attr) != 0)
		goto nomem;
	attr_made = true;
	if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0 ||
	    pthread_cond_init(&pool->freed, &attr) != 0) {
		error_set("database pool: cannot create a condition variable");
		rc = ASEC_ERROR;
		goto out;
	}
	if (pthread_mutex_init(&pool->lock, NULL) != 0) {
		pthread_cond_destroy(&pool->freed);
		error_set("database pool: cannot create a mutex");
		rc = ASEC_ERROR;
		goto out;
	}
	*out = pool;
	pool = NULL;
	goto out;

nomem:
	error_set("database pool: out of memory");
	rc = ASEC_ENOMEM;
out:
	if (attr_made)
		pthread_condattr_destroy(&attr);
	if (pool != NULL) {
		free(pool->slots);
		free(pool->conninfo);
		free(pool->application_name);
		free(pool);
	}
	PQconninfoFree(parsed);
	PQfreemem(parse_error);
	return rc;
}

void db_pool_close(struct db_pool *pool)
{
	if (pool == NULL)
		return;
	for (int i = 0; i < pool->size; i++)
		if (pool->slots[i].conn != NULL)
			PQfinish(pool->slots[i].conn);
	pthread_mutex_destroy(&pool->lock);
	pthread_cond_destroy(&pool->freed);
	free(pool->slots);
	free(pool->conninfo);
	free(pool->application_name);
	free(pool);
}

static int db_connect(PGconn **out, struct db_pool *pool)
{
	/* dbname comes first and is expanded, so the pool's own settings that
	 * follow override whatever the connection string said about them. */
	const char *const keys[] = {"dbname", "application_name", "connect_timeout",
				    "client_encoding", NULL};
	const char *const values[] = {pool->conninfo, pool->application_name,
				      pool->connect_timeout, "UTF8", NULL};
	PGconn *conn;
	int rc;

	*out = NULL;
	conn = PQconnectdbParams(keys, values, 1);
	if (conn == NULL) {
		error_set("connecting to the database: out of memory");
		return ASEC_ENOMEM;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		rc = db_error_conn("connecting to the database", conn);
		PQfinish(conn);
		return rc;
	}
	PQsetNoticeProcessor(conn, db_notice_ignore, NULL);
	if (pool->statement_timeout_ms > 0) {
		char ms[16];
		const char *params[] = {ms};

		snprintf(ms, sizeof(ms), "%d", pool->statement_timeout_ms);
		rc = db_exec(NULL, conn, "SELECT set_config('statement_timeout', $1, false)", 1, params);
		if (rc != ASEC_OK) {
			error_prefix("setting statement_timeout");
			PQfinish(conn);
			return rc;
		}
	}
	*out = conn;
	return ASEC_OK;
}

/*
 * Whether an idle pooled connection is still usable, without a round trip.
 * An idle connection receives nothing unless something happened to it (most
 * often the server ending the backend, which sends a FATAL error and closes
 * the socket); this pool never LISTENs, so any pending input means trouble
 * and the connection is replaced rather than interpreted.
 */
static bool db_conn_alive(PGconn *conn)
{
	struct pollfd pfd;
	int n;

	if (PQstatus(conn) != CONNECTION_OK || PQtransactionStatus(conn) != PQTRANS_IDLE)
		return false;
	pfd.fd = PQsocket(conn);
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (pfd.fd < 0)
		return false;
	do
		n = poll(&pfd, 1, 0);
	while (n < 0 && errno == EINTR);
	return n == 0;
}

static struct timespec db_deadline(int timeout_ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += timeout_ms / 1000;
	t.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

static int db_ms_left(const struct timespec *deadline)
{
	struct timespec now;
	int64_t ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (int64_t)(deadline->tv_sec - now.tv_sec) * 1000 +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000L;
	return ms < 0 ? 0 : (int)ms;
}

/* A free slot, preferring one that already holds a connection. */
static struct db_slot *db_free_slot(struct db_pool *pool)
{
	struct db_slot *empty = NULL;

	for (int i = 0; i < pool->size; i++) {
		struct db_slot *s = &pool->slots[i];
		if (s->in_use)
			continue;
		if (s->conn != NULL)
			return s;
		if (empty == NULL)
			empty = s;
	}
	return empty;
}

static int db_acquire_within(PGconn **out, struct db_pool *pool, int timeout_ms)
{
	struct timespec deadline = db_deadline(timeout_ms);
	struct db_slot *slot;
	PGconn *stale = NULL;
	int rc;

	*out = NULL;
	pthread_mutex_lock(&pool->lock);
	while ((slot = db_free_slot(pool)) == NULL) {
		rc = pthread_cond_timedwait(&pool->freed, &pool->lock, &deadline);
		if (rc == ETIMEDOUT && (slot = db_free_slot(pool)) == NULL) {
			pthread_mutex_unlock(&pool->lock);
			error_set("database pool exhausted: all %d connections stayed busy for %d ms",
				  pool->size, timeout_ms);
			return ASEC_ETIMEOUT;
		}
	}
	slot->in_use = true;
	pthread_mutex_unlock(&pool->lock);

	/* The slot is ours now: its connection can be checked and replaced
	 * without holding the lock. */
	if (slot->conn != NULL && !db_conn_alive(slot->conn)) {
		stale = slot->conn;
		slot->conn = NULL;
		PQfinish(stale);
	}
	if (slot->conn == NULL) {
		rc = db_connect(&slot->conn, pool);
		if (rc != ASEC_OK) {
			pthread_mutex_lock(&pool->lock);
			slot->in_use = false;
			pthread_cond_signal(&pool->freed);
			pthread_mutex_unlock(&pool->lock);
			return rc;
		}
	}
	*out = slot->conn;
	return ASEC_OK;
}

int db_acquire(PGconn **out, struct db_pool *pool)
{
	return db_acquire_within(out, pool, pool->acquire_timeout_ms);
}

/* Ends an open transaction without touching the caller's error message. */
static void db_rollback_quietly(PGconn *conn)
{
	PGresult *res;

	if (PQstatus(conn) != CONNECTION_OK || PQtransactionStatus(conn) == PQTRANS_IDLE)
		return;
	res = PQexec(conn, "ROLLBACK");
	PQclear(res);
}

/* Whether a returned connection can go back to the pool as it is. */
static bool db_conn_reusable(PGconn *conn)
{
	if (PQstatus(conn) != CONNECTION_OK)
		return false;
	switch (PQtransactionStatus(conn)) {
	case PQTRANS_IDLE:
		return true;
	case PQTRANS_INTRANS:
	case PQTRANS_INERROR:
		db_rollback_quietly(conn);
		return PQstatus(conn) == CONNECTION_OK &&
		       PQtransactionStatus(conn) == PQTRANS_IDLE;
	default:
		/* A query still in flight (PQTRANS_ACTIVE) or an unknown state:
		 * nothing short of a new connection is certain to be clean. */
		return false;
	}
}

static void db_release_conn(struct db_pool *pool, PGconn *conn, bool discard)
{
	struct db_slot *slot = NULL;

	if (conn == NULL)
		return;
	if (!discard && !db_conn_reusable(conn))
		discard = true;
	pthread_mutex_lock(&pool->lock);
	for (int i = 0; i < pool->size; i++) {
		if (pool->slots[i].conn == conn && pool->slots[i].in_use) {
			slot = &pool->slots[i];
			break;
		}
	}
	if (slot != NULL) {
		if (discard)
			slot->conn = NULL;
		slot->in_use = false;
		pthread_cond_signal(&pool->freed);
	}
	pthread_mutex_unlock(&pool->lock);
	/* A connection that is not ours is left alone: finishing it could pull
	 * it from under another pool. */
	if (slot != NULL && discard)
		PQfinish(conn);
}

void db_release(struct db_pool *pool, PGconn *conn)
{
	db_release_conn(pool, conn, false);
}

/* ---- statements -------------------------------------------------------- */

int db_exec(PGresult **out, PGconn *conn, const char *sql, int nparams,
	    const char *const *params)
{
	PGresult *res;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (conn == NULL || sql == NULL || nparams < 0 || nparams > DB_MAX_PARAMS ||
	    (nparams > 0 && params == NULL)) {
		error_set("db_exec: invalid arguments");
		return ASEC_EINVALID;
	}
	res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	rc = db_error_from(conn, res, nparams, params);
	if (rc != ASEC_OK || out == NULL)
		PQclear(res);
	else
		*out = res;
	return rc;
}

int db_query(PGresult **out, struct db_pool *pool, const char *sql, int nparams,
	     const char *const *params)
{
	PGconn *conn = NULL;
	int rc;

	if (out != NULL)
		*out = NULL;
	rc = db_acquire(&conn, pool);
	if (rc != ASEC_OK)
		return rc;
	rc = db_exec(out, conn, sql, nparams, params);
	db_release(pool, conn);
	return rc;
}

/*
 * Runs a parameterless statement but gives up after timeout_ms. On timeout
 * the statement may still be running, so the caller must discard conn.
 */
static int db_exec_within(PGconn *conn, const char *sql, int timeout_ms)
{
	struct timespec deadline = db_deadline(timeout_ms);
	PGresult *res;
	int rc = ASEC_OK;

	if (!PQsendQueryParams(conn, sql, 0, NULL, NULL, NULL, NULL, 0))
		return db_error_conn("database", conn);
	while (PQisBusy(conn)) {
		struct pollfd pfd = {.fd = PQsocket(conn), .events = POLLIN};
		int left = db_ms_left(&deadline), n;

		if (left == 0) {
			error_set("database did not answer within %d ms", timeout_ms);
			return ASEC_ETIMEOUT;
		}
		n = poll(&pfd, 1, left);
		if (n < 0 && errno != EINTR) {
			error_set("database: poll failed: %s", strerror(errno));
			return ASEC_EIO;
		}
		if (n > 0 && !PQconsumeInput(conn))
			return db_error_conn("database connection lost", conn);
	}
	while ((res = PQgetResult(conn)) != NULL) {
		int r = db_error_from(conn, res, 0, NULL);
		if (rc == ASEC_OK)
			rc = r;
		PQclear(res);
	}
	return rc;
}

int db_ping(struct db_pool *pool)
{
	PGconn *conn = NULL;
	int timeout = pool->acquire_timeout_ms < DB_PING_TIMEOUT_MS ? pool->acquire_timeout_ms
								       : DB_PING_TIMEOUT_MS;
	int rc;

	rc = db_acquire_within(&conn, pool, timeout);
	if (rc != ASEC_OK)
		return rc;
	rc = db_exec_within(conn, "SELECT 1", DB_PING_TIMEOUT_MS);
	db_release_conn(pool, conn, rc != ASEC_OK);
	return rc;
}

/* ---- transactions ------------------------------------------------------ */

/* xorshift64*: jitter only needs to spread retries apart, not be secret. */
static uint32_t db_jitter_random(void)
{
	static _Thread_local uint64_t state;

	if (state == 0) {
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		state = ((uint64_t)t.tv_nsec << 20) ^ (uint64_t)t.tv_sec ^
			(uint64_t)(uintptr_t)&state;
		if (state == 0)
			state = 0x9E3779B97F4A7C15ull;
	}
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return (uint32_t)((state * 0x2545F4914F6CDD1Dull) >> 32);
}

/* Sleeps between half and all of an exponentially growing cap, so that
 * colliding transactions do not collide again in lockstep. */
static void db_backoff(int attempt)
{
	int cap = DB_BACKOFF_BASE_MS;
	int ms;
	struct timespec t;

	for (int i = 1; i < attempt && cap < DB_BACKOFF_MAX_MS; i++)
		cap *= 2;
	if (cap > DB_BACKOFF_MAX_MS)
		cap = DB_BACKOFF_MAX_MS;
	ms = cap / 2 + (int)(db_jitter_random() % (uint32_t)(cap / 2 + 1));
	t.tv_sec = ms / 1000;
	t.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&t, &t) != 0 && errno == EINTR)
		;
}

static int db_transaction_once(struct db_pool *pool, const char *begin,
			       int (*fn)(PGconn *conn, void *ctx), void *ctx)
{
	PGconn *conn = NULL;
	PGresult *res = NULL;
	int rc;

	rc = db_acquire(&conn, pool);
	if (rc != ASEC_OK)
		return rc;
	rc = db_exec(NULL, conn, begin, 0, NULL);
	if (rc != ASEC_OK)
		goto out;
	rc = fn(conn, ctx);
	if (rc != ASEC_OK)
		goto out;
	/* COMMIT of an aborted transaction "succeeds" as a ROLLBACK, so a
	 * statement error that fn ignored must be caught here. */
	if (PQtransactionStatus(conn) != PQTRANS_INTRANS) {
		error_set("database transaction was aborted by a failed statement "
			  "whose error the transaction function ignored");
		rc = db_conflict_seen ? ASEC_ECONFLICT : ASEC_ERROR;
		goto out;
	}
	rc = db_exec(&res, conn, "COMMIT", 0, NULL);
	if (rc == ASEC_OK && strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		error_set("database transaction was rolled back instead of committed");
		rc = ASEC_ERROR;
	}
out:
	PQclear(res);
	if (rc != ASEC_OK)
		db_rollback_quietly(conn);
	db_release(pool, conn);
	return rc;
}

int db_transaction(struct db_pool *pool, enum db_isolation iso,
		   int (*fn)(PGconn *conn, void *ctx), void *ctx)
{
	const char *begin;
	int rc;

	switch (iso) {
	case DB_READ_COMMITTED: begin = "BEGIN ISOLATION LEVEL READ COMMITTED"; break;
	case DB_REPEATABLE_READ: begin = "BEGIN ISOLATION LEVEL REPEATABLE READ"; break;
	case DB_SERIALIZABLE: begin = "BEGIN ISOLATION LEVEL SERIALIZABLE"; break;
	default:
		error_set("db_transaction: unknown isolation level %d", (int)iso);
		return ASEC_EINVALID;
	}
	if (fn == NULL) {
		error_set("db_transaction: no transaction function");
		return ASEC_EINVALID;
	}
	for (int attempt = 1;; attempt++) {
		db_conflict_seen = false;
		rc = db_transaction_once(pool, begin, fn, ctx);
		/* Only a conflict the server reported is retried: a lost
		 * connection may have lost it after the COMMIT took effect. */
		if (rc == ASEC_OK || !db_conflict_seen || rc == ASEC_EIO)
			return rc;
		if (attempt >= DB_TRANSACTION_MAX_ATTEMPTS) {
			error_prefix("database transaction gave up after %d attempts", attempt);
			return ASEC_ECONFLICT;
		}
		db_backoff(attempt);
	}
}

/* ---- migrations -------------------------------------------------------- */

/* FNV-1a: a stable 64-bit advisory lock key from a name. */
static int64_t db_lock_key(const char *prefix, const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const char *p = prefix; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	return (int64_t)h;
}

static int db_checksum(char out[72], const char *sql)
{
	unsigned char digest[32];
	static const char hex[] = "0123456789abcdef";

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, sql, strlen(sql), digest) != 0) {
		error_set("db_migrate: cannot compute SHA-256");
		return ASEC_ERROR;
	}
	memcpy(out, "sha256:", 7);
	for (size_t i = 0; i < sizeof(digest); i++) {
		out[7 + 2 * i] = hex[digest[i] >> 4];
		out[8 + 2 * i] = hex[digest[i] & 15];
	}
	out[7 + 2 * sizeof(digest)] = '\0';
	return ASEC_OK;
}

static int db_migrations_check(const char *component, const struct db_migration *m,
			       size_t count)
{
	size_t len = component ? strlen(component) : 0;

	if (len == 0 || len > DB_COMPONENT_MAX) {
		error_set("db_migrate: component name must be 1 to %d bytes", DB_COMPONENT_MAX);
		return ASEC_EINVALID;
	}
	if (count > DB_MIGRATIONS_MAX || (count > 0 && m == NULL)) {
		error_set("db_migrate: %zu migrations is more than %d", count, DB_MIGRATIONS_MAX);
		return ASEC_EINVALID;
	}
	for (size_t i = 0; i < count; i++) {
		if (m[i].version <= 0 || (i > 0 && m[i].version <= m[i - 1].version)) {
			error_set("db_migrate: %s migration versions must be positive and strictly "
				  "increasing (entry %zu has %d)", component, i, m[i].version);
			return ASEC_EINVALID;
		}
		if (m[i].name == NULL || m[i].name[0] == '\0' ||
		    strlen(m[i].name) > DB_MIGRATION_NAME_MAX || m[i].sql == NULL) {
			error_set("db_migrate: %s migration %d needs a name (at most %d bytes) and SQL",
				  component, m[i].version, DB_MIGRATION_NAME_MAX);
			return ASEC_EINVALID;
		}
	}
	return ASEC_OK;
}

/* Index of version in the sorted array, or -1. */
static long db_migration_find(const struct db_migration *m, size_t count, int64_t version)
{
	size_t lo = 0, hi = count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m[mid].version == version)
			return (long)mid;
		if (m[mid].version < version)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int db_migrations_table(PGconn *conn)
{
	char key[24];
	const char *params[] = {key};
	int rc;

	/* CREATE TABLE IF NOT EXISTS is not safe against itself: two components
	 * creating it at once can both miss it and one fails on the catalog's
	 * unique index. A second, database-wide key serialises the creation. */
	snprintf(key, sizeof(key), "%" PRId64, db_lock_key("asec.db_migrate", ""));
	rc = db_exec(NULL, conn, "BEGIN", 0, NULL);
	if (rc == ASEC_OK)
		rc = db_exec(NULL, conn, "SELECT pg_advisory_xact_lock($1::bigint)", 1, params);
	if (rc == ASEC_OK)
		rc = db_exec(NULL, conn,
			     "CREATE TABLE IF NOT EXISTS schema_migrations ("
			     " component text NOT NULL,"
			     " version integer NOT NULL,"
			     " name text NOT NULL,"
			     " checksum text NOT NULL,"
			     " applied_at timestamptz NOT NULL DEFAULT now(),"
			     " PRIMARY KEY (component, version))",
			     0, NULL);
	if (rc == ASEC_OK)
		rc = db_exec(NULL, conn, "COMMIT", 0, NULL);
	if (rc != ASEC_OK) {
		db_rollback_quietly(conn);
		error_prefix("creating schema_migrations");
	}
	return rc;
}

static int db_migration_apply(PGconn *conn, const char *component,
			      const struct db_migration *m, const char *checksum)
{
	char version[16];
	const char *params[] = {component, version, m->name, checksum};
	PGresult *res;
	int rc;

	snprintf(version, sizeof(version), "%d", m->version);
	rc = db_exec(NULL, conn, "BEGIN", 0, NULL);
	if (rc != ASEC_OK)
		goto out;
	/* The simple query protocol, because a migration is usually several
	 * statements; its text is compiled in, never built from input. */
	res = PQexec(conn, m->sql);
	rc = db_error_from(conn, res, 0, NULL);
	PQclear(res);
	if (rc != ASEC_OK)
		goto out;
	if (PQtransactionStatus(conn) != PQTRANS_INTRANS) {
		error_set("the migration ended its transaction itself (it must not use BEGIN/COMMIT)");
		rc = ASEC_EINVALID;
		goto out;
	}
	rc = db_exec(NULL, conn,
		     "INSERT INTO schema_migrations (component, version, name, checksum)"
		     " VALUES ($1, $2, $3, $4)",
		     4, params);
	if (rc == ASEC_OK)
		rc = db_exec(NULL, conn, "COMMIT", 0, NULL);
out:
	if (rc != ASEC_OK) {
		db_rollback_quietly(conn);
		error_prefix("%s migration %d (%s)", component, m->version, m->name);
	}
	return rc;
}

int db_migrate(struct db_pool *pool, const char *component,
	       const struct db_migration *migrations, size_t count)
{
	PGconn *conn = NULL;
	PGresult *res = NULL;
	char key[24];
	const char *lock_params[] = {key};
	char (*sums)[72] = NULL;
	bool *applied = NULL, locked = false;
	int rows, rc;

	rc = db_migrations_check(component, migrations, count);
	if (rc != ASEC_OK)
		return rc;
	sums = calloc(count ? count : 1, sizeof(*sums));
	applied = calloc(count ? count : 1, sizeof(*applied));
	if (sums == NULL || applied == NULL) {
		error_set("db_migrate: out of memory");
		rc = ASEC_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < count; i++)
		if ((rc = db_checksum(sums[i], migrations[i].sql)) != ASEC_OK)
			goto out;

	rc = db_acquire(&conn, pool);
	if (rc != ASEC_OK)
		goto out;
	/* Session-level, so it spans the per-migration transactions; a replica
	 * that starts second waits here, then finds everything applied. */
	snprintf(key, sizeof(key), "%" PRId64, db_lock_key("asec.db_migrate:", component));
	rc = db_exec(NULL, conn, "SELECT pg_advisory_lock($1::bigint)", 1, lock_params);
	if (rc != ASEC_OK)
		goto out;
	locked = true;
	if ((rc = db_migrations_table(conn)) != ASEC_OK)
		goto out;

	{
		const char *params[] = {component};
		rc = db_exec(&res, conn,
			     "SELECT version, name, checksum FROM schema_migrations"
			     " WHERE component = $1 ORDER BY version",
			     1, params);
		if (rc != ASEC_OK)
			goto out;
	}
	rows = PQntuples(res);
	for (int r = 0; r < rows; r++) {
		int64_t version;
		const char *name, *sum;
		long at;

		if ((rc = db_get_int64(&version, res, r, "version")) != ASEC_OK ||
		    (rc = db_get_text(&name, res, r, "name")) != ASEC_OK ||
		    (rc = db_get_text(&sum, res, r, "checksum")) != ASEC_OK)
			goto out;
		at = db_migration_find(migrations, count, version);
		if (at < 0) {
			int known = count ? migrations[count - 1].version : 0;
			error_set("database schema of %s has migration %" PRId64 " (%s), which this "
				  "binary does not know (it knows up to %d): a newer version ran "
				  "against this database; refusing to start",
				  component, version, name ? name : "?", known);
			rc = ASEC_ECONFLICT;
			goto out;
		}
		if (sum == NULL || strcmp(sum, sums[at]) != 0) {
			error_set("%s migration %" PRId64 " (%s) was changed after it was applied "
				  "(checksum %s in the database, %s in this binary); add a new "
				  "migration instead; refusing to start",
				  component, version, migrations[at].name, sum ? sum : "NULL", sums[at]);
			rc = ASEC_ECONFLICT;
			goto out;
		}
		applied[at] = true;
	}
	for (size_t i = 0; i < count; i++) {
		if (applied[i])
			continue;
		rc = db_migration_apply(conn, component, &migrations[i], sums[i]);
		if (rc != ASEC_OK)
			goto out;
	}

out:
	PQclear(res);
	if (locked && PQstatus(conn) == CONNECTION_OK) {
		/* A failure here leaves the lock to die with the session, which
		 * db_release() then ends. */
		PGresult *u = PQexecParams(conn, "SELECT pg_advisory_unlock($1::bigint)", 1, NULL,
					   lock_params, NULL, NULL, 0);
		bool unlocked = PQresultStatus(u) == PGRES_TUPLES_OK;
		PQclear(u);
		db_release_conn(pool, conn, !unlocked);
	} else if (conn != NULL) {
		db_release_conn(pool, conn, locked);
	}
	free(sums);
	free(applied);
	return rc;
}

/* ---- results ----------------------------------------------------------- */

static int db_cell(int *col, const PGresult *res, int row, const char *column)
{
	if (res == NULL || column == NULL) {
		error_set("database result: no result or column name");
		return ASEC_EINVALID;
	}
	*col = PQfnumber(res, column);
	if (*col < 0) {
		error_set("database result has no column \"%s\"", column);
		return ASEC_ENOTFOUND;
	}
	if (row < 0 || row >= PQntuples(res)) {
		error_set("database result has no row %d (it has %d)", row, PQntuples(res));
		return ASEC_ENOTFOUND;
	}
	return ASEC_OK;
}

int db_get_text(const char **out, const PGresult *res, int row, const char *column)
{
	int col, rc;

	*out = NULL;
	rc = db_cell(&col, res, row, column);
	if (rc != ASEC_OK)
		return rc;
	if (!PQgetisnull(res, row, col))
		*out = PQgetvalue(res, row, col);
	return ASEC_OK;
}

int db_get_int64(int64_t *out, const PGresult *res, int row, const char *column)
{
	const char *text;
	char *end;
	long long v;
	int rc;

	*out = 0;
	rc = db_get_text(&text, res, row, column);
	if (rc != ASEC_OK)
		return rc;
	if (text == NULL) {
		error_set("database column \"%s\" is NULL where an integer was expected", column);
		return ASEC_EINVALID;
	}
	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0') {
		error_set("database column \"%s\" does not hold a 64-bit integer", column);
		return ASEC_EINVALID;
	}
	*out = (int64_t)v;
	return ASEC_OK;
}

int db_get_bool(bool *out, const PGresult *res, int row, const char *column)
{
	const char *text;
	int rc;

	*out = false;
	rc = db_get_text(&text, res, row, column);
	if (rc != ASEC_OK)
		return rc;
	if (text != NULL && strcmp(text, "t") == 0) {
		*out = true;
		return ASEC_OK;
	}
	if (text != NULL && strcmp(text, "f") == 0)
		return ASEC_OK;
	error_set("database column \"%s\" does not hold a boolean", column);
	return ASEC_EINVALID;
}

bool db_is_null(const PGresult *res, int row, const char *column)
{
	int col;

	if (res == NULL || column == NULL)
		return true;
	col = PQfnumber(res, column);
	if (col < 0 || row < 0 || row >= PQntuples(res))
		return true;
	return PQgetisnull(res, row, col) != 0;
}
