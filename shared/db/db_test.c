/*
 * db_test.c - tests of shared/db against a real PostgreSQL server.
 *
 * The server comes from ASEC_TEST_DATABASE_URL (scripts/test.sh starts one
 * with scripts/lib/postgres.sh). Without it the test is skipped (exit 77),
 * except under CI=true, where a missing database is a failure.
 *
 * Each run works inside its own schema, named after the process and the
 * clock, reached by putting it first on search_path in the connection string;
 * migration component names carry the same suffix, so their advisory locks do
 * not collide with a parallel run either. The schema is dropped at the end.
 *
 * cmocka's assertions are not thread-safe: worker threads only record what
 * happened, and the main thread asserts on it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
#include "error/error.h"

static const char *base_url;
static char schema[64];
static char suffix[40];
static char *conninfo; /* base_url with search_path = schema */

/* ---- helpers ----------------------------------------------------------- */

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	nanosleep(&t, NULL);
}

static struct db_pool *open_pool_on(const char *info, int max, int acquire_timeout_ms)
{
	struct db_pool_options opts = {
		.conninfo = info,
		.application_name = "asec-db-test",
		.max_connections = max,
		.acquire_timeout_ms = acquire_timeout_ms,
		.connect_timeout_s = 5,
		.statement_timeout_ms = 60000,
	};
	struct db_pool *pool = NULL;
	int rc = db_pool_open(&pool, &opts);

	if (rc != ASEC_OK)
		fail_msg("db_pool_open: %s", error_last());
	return pool;
}

static struct db_pool *open_pool(int max, int acquire_timeout_ms)
{
	return open_pool_on(conninfo, max, acquire_timeout_ms);
}

/* Runs one statement that must succeed; the result is cleared. */
static void exec_ok(struct db_pool *pool, const char *sql, int n, const char *const *params)
{
	int rc = db_query(NULL, pool, sql, n, params);

	if (rc != ASEC_OK)
		fail_msg("%s: %s", sql, error_last());
}

/* The single integer that a one-row, one-column query returns. */
static int64_t query_int(struct db_pool *pool, const char *sql, int n, const char *const *params)
{
	PGresult *res = NULL;
	int64_t v = -1;
	int rc = db_query(&res, pool, sql, n, params);

	if (rc != ASEC_OK)
		fail_msg("%s: %s", sql, error_last());
	if (PQntuples(res) != 1 || PQnfields(res) != 1)
		fail_msg("%s: expected one value", sql);
	rc = db_get_int64(&v, res, 0, PQfname(res, 0));
	PQclear(res);
	assert_int_equal(rc, ASEC_OK);
	return v;
}

/* Appends key='value' to buf with libpq's quoting rules. */
static void append_kv(char *buf, size_t cap, const char *key, const char *value)
{
	size_t at = strlen(buf);

	at += (size_t)snprintf(buf + at, cap - at, "%s%s='", at ? " " : "", key);
	for (const char *p = value; *p && at + 3 < cap; p++) {
		if (*p == '\'' || *p == '\\')
			buf[at++] = '\\';
		buf[at++] = *p;
	}
	if (at + 2 < cap) {
		buf[at++] = '\'';
		buf[at] = '\0';
	}
}

/* base_url, rewritten as key=value pairs with our schema first on search_path. */
static char *conninfo_with_schema(const char *url, const char *search_path)
{
	char *err = NULL;
	PQconninfoOption *opts = PQconninfoParse(url, &err);
	char options[256] = "";
	size_t cap = 4096;
	char *buf;

	if (opts == NULL) {
		PQfreemem(err);
		return NULL;
	}
	buf = calloc(1, cap);
	for (PQconninfoOption *o = opts; buf && o->keyword; o++) {
		if (o->val == NULL || o->val[0] == '\0')
			continue;
		if (strcmp(o->keyword, "options") == 0)
			snprintf(options, sizeof(options), "%s ", o->val);
		else
			append_kv(buf, cap, o->keyword, o->val);
	}
	if (buf) {
		size_t at = strlen(options);
		snprintf(options + at, sizeof(options) - at, "-c search_path=%s", search_path);
		append_kv(buf, cap, "options", options);
	}
	PQconninfoFree(opts);
	return buf;
}

static int group_setup(void **state)
{
	struct db_pool *admin;
	char sql[128];
	struct timespec t;

	(void)state;
	clock_gettime(CLOCK_REALTIME, &t);
	snprintf(suffix, sizeof(suffix), "%ld_%ld_%ld", (long)getpid(), (long)t.tv_sec,
		 t.tv_nsec / 1000);
	snprintf(schema, sizeof(schema), "asec_db_test_%s", suffix);
	conninfo = conninfo_with_schema(base_url, schema);
	if (conninfo == NULL) {
		fprintf(stderr, "ASEC_TEST_DATABASE_URL is not a valid libpq connection string\n");
		return -1;
	}
	admin = open_pool_on(base_url, 1, 5000);
	snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", schema);
	if (db_query(NULL, admin, sql, 0, NULL) != ASEC_OK) {
		fprintf(stderr, "cannot create the test schema: %s\n", error_last());
		db_pool_close(admin);
		return -1;
	}
	db_pool_close(admin);
	return 0;
}

static int group_teardown(void **state)
{
	struct db_pool *admin;
	char sql[128];
	int rc;

	(void)state;
	admin = open_pool_on(base_url, 1, 5000);
	snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE", schema);
	rc = db_query(NULL, admin, sql, 0, NULL);
	if (rc != ASEC_OK)
		fprintf(stderr, "cannot drop the test schema %s: %s\n", schema, error_last());
	db_pool_close(admin);
	free(conninfo);
	return rc == ASEC_OK ? 0 : -1;
}

/* ---- statements and results ------------------------------------------- */

static void test_parameters_are_data(void **state)
{
	static const char injection[] = "Robert'); DROP TABLE t_params; --";
	static const char awkward[] = "quote ' double \" back\\slash $1 ; -- é 日本";
	struct db_pool *pool = open_pool(2, 2000);
	const char *row1[] = {"1", injection, NULL};
	const char *row2[] = {"2", awkward, ""};
	const char *text;
	PGresult *res = NULL;
	int64_t id;
	bool yes;
	int rc;

	(void)state;
	exec_ok(pool, "CREATE TABLE t_params (id int PRIMARY KEY, a text, b text)", 0, NULL);
	exec_ok(pool, "INSERT INTO t_params (id, a, b) VALUES ($1, $2, $3)", 3, row1);
	exec_ok(pool, "INSERT INTO t_params (id, a, b) VALUES ($1, $2, $3)", 3, row2);

	/* The injection string is stored and matched as plain data. */
	{
		const char *p[] = {injection};
		rc = db_query(&res, pool, "SELECT id, a, b FROM t_params WHERE a = $1", 1, p);
	}
	assert_int_equal(rc, ASEC_OK);
	assert_int_equal(PQntuples(res), 1);
	assert_int_equal(db_get_int64(&id, res, 0, "id"), ASEC_OK);
	assert_int_equal(id, 1);
	assert_int_equal(db_get_text(&text, res, 0, "a"), ASEC_OK);
	assert_string_equal(text, injection);
	assert_true(db_is_null(res, 0, "b"));
	assert_int_equal(db_get_text(&text, res, 0, "b"), ASEC_OK);
	assert_null(text);
	PQclear(res);

	{
		const char *p[] = {"2"};
		rc = db_query(&res, pool, "SELECT a, b FROM t_params WHERE id = $1", 1, p);
	}
	assert_int_equal(rc, ASEC_OK);
	assert_int_equal(db_get_text(&text, res, 0, "a"), ASEC_OK);
	assert_string_equal(text, awkward);
	assert_false(db_is_null(res, 0, "b"));
	assert_int_equal(db_get_text(&text, res, 0, "b"), ASEC_OK);
	assert_string_equal(text, "");
	PQclear(res);

	/* A classic always-true predicate matches nothing: it is a value. */
	{
		const char *p[] = {"x' OR '1'='1"};
		assert_int_equal(query_int(pool, "SELECT count(*) FROM t_params WHERE a = $1", 1, p), 0);
	}
	assert_int_equal(query_int(pool, "SELECT count(*) FROM t_params", 0, NULL), 2);

	/* Typed getters and their failures. */
	rc = db_query(&res, pool,
		      "SELECT 9223372036854775807::bigint AS big, -42 AS neg, true AS yes,"
		      " NULL::int AS nothing, 'abc' AS word",
		      0, NULL);
	assert_int_equal(rc, ASEC_OK);
	assert_int_equal(db_get_int64(&id, res, 0, "big"), ASEC_OK);
	assert_true(id == INT64_MAX);
	assert_int_equal(db_get_int64(&id, res, 0, "neg"), ASEC_OK);
	assert_int_equal(id, -42);
	assert_int_equal(db_get_bool(&yes, res, 0, "yes"), ASEC_OK);
	assert_true(yes);
	assert_int_equal(db_get_int64(&id, res, 0, "nothing"), ASEC_EINVALID);
	assert_int_equal(db_get_int64(&id, res, 0, "word"), ASEC_EINVALID);
	assert_int_equal(db_get_bool(&yes, res, 0, "word"), ASEC_EINVALID);
	assert_int_equal(db_get_text(&text, res, 0, "missing"), ASEC_ENOTFOUND);
	assert_int_equal(db_get_text(&text, res, 1, "big"), ASEC_ENOTFOUND);
	assert_true(db_is_null(res, 0, "missing"));
	PQclear(res);

	db_pool_close(pool);
}

static void test_errors_map_and_hide_secrets(void **state)
{
	struct db_pool *pool = open_pool(1, 2000);
	struct db_pool *bad;
	struct db_pool_options opts = {.application_name = "asec-db-test", .max_connections = 1};
	const char *secret[] = {"supersecret-value-123"};
	const char *key[] = {"secret-key-abcdef"};
	int rc;

	(void)state;
	/* A value that fails to parse is echoed by the server's message. */
	rc = db_query(NULL, pool, "SELECT $1::int", 1, secret);
	assert_int_equal(rc, ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "22P02"));
	assert_null(strstr(error_last(), "supersecret"));

	/* A unique violation's DETAIL names the key: it must not leak. */
	exec_ok(pool, "CREATE TABLE t_unique (k text PRIMARY KEY)", 0, NULL);
	exec_ok(pool, "INSERT INTO t_unique VALUES ($1)", 1, key);
	rc = db_query(NULL, pool, "INSERT INTO t_unique VALUES ($1)", 1, key);
	assert_int_equal(rc, ASEC_EEXISTS);
	assert_non_null(strstr(error_last(), "23505"));
	assert_null(strstr(error_last(), "secret-key"));

	rc = db_query(NULL, pool, "SELEC 1", 0, NULL);
	assert_int_equal(rc, ASEC_ERROR);
	assert_non_null(strstr(error_last(), "42601"));

	rc = db_query(NULL, pool, "SELECT 1", -1, NULL);
	assert_int_equal(rc, ASEC_EINVALID);
	db_pool_close(pool);

	/* Nothing listens on port 1; the password must not appear anywhere. */
	static const char *const unreachable[] = {
		"host=127.0.0.1 port=1 user=someone password=hunter2secret dbname=x connect_timeout=2",
		"postgresql://someone:hunter2secret@127.0.0.1:1/x?connect_timeout=2",
	};
	for (size_t i = 0; i < sizeof(unreachable) / sizeof(unreachable[0]); i++) {
		PGconn *conn = NULL;

		opts.conninfo = unreachable[i];
		assert_int_equal(db_pool_open(&bad, &opts), ASEC_OK);
		rc = db_acquire(&conn, bad);
		assert_int_equal(rc, ASEC_EIO);
		assert_null(conn);
		assert_non_null(strstr(error_last(), "connecting to the database"));
		assert_null(strstr(error_last(), "hunter2"));
		assert_int_equal(db_ping(bad), ASEC_EIO);
		assert_null(strstr(error_last(), "hunter2"));
		db_pool_close(bad);
	}

	opts.conninfo = "host=127.0.0.1 password hunter2secret";
	assert_int_equal(db_pool_open(&bad, &opts), ASEC_EINVALID);
	assert_null(bad);
	assert_null(strstr(error_last(), "hunter2"));
	opts.conninfo = base_url;
	opts.max_connections = 0;
	assert_int_equal(db_pool_open(&bad, &opts), ASEC_EINVALID);
}

/* ---- pool -------------------------------------------------------------- */

struct waiter {
	struct db_pool *pool;
	int rc;
	int64_t waited_ms;
	PGconn *conn;
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	int64_t start = now_ms();

	w->rc = db_acquire(&w->conn, w->pool);
	w->waited_ms = now_ms() - start;
	if (w->rc == ASEC_OK)
		db_release(w->pool, w->conn);
	return NULL;
}

static void test_pool_exhaustion(void **state)
{
	struct db_pool *pool = open_pool(2, 300);
	PGconn *a = NULL, *b = NULL, *c = NULL;
	struct waiter w = {0};
	pthread_t thread;
	int64_t start;
	int rc;

	(void)state;
	assert_int_equal(db_acquire(&a, pool), ASEC_OK);
	assert_int_equal(db_acquire(&b, pool), ASEC_OK);
	assert_ptr_not_equal(a, b);

	start = now_ms();
	rc = db_acquire(&c, pool);
	assert_int_equal(rc, ASEC_ETIMEOUT);
	assert_null(c);
	assert_true(now_ms() - start >= 250);
	assert_non_null(strstr(error_last(), "exhausted"));

	/* A released connection is handed out again, not reopened. */
	db_release(pool, a);
	assert_int_equal(db_acquire(&c, pool), ASEC_OK);
	assert_ptr_equal(c, a);
	db_release(pool, c);
	db_release(pool, b);
	db_pool_close(pool);

	/* A waiting thread is woken by a release, long before its timeout. */
	pool = open_pool(1, 10000);
	assert_int_equal(db_acquire(&a, pool), ASEC_OK);
	w.pool = pool;
	assert_int_equal(pthread_create(&thread, NULL, waiter_main, &w), 0);
	sleep_ms(150);
	db_release(pool, a);
	pthread_join(thread, NULL);
	assert_int_equal(w.rc, ASEC_OK);
	assert_true(w.waited_ms >= 100);
	assert_true(w.waited_ms < 5000);
	db_pool_close(pool);
}

static int64_t backend_pid(PGconn *conn)
{
	PGresult *res = NULL;
	int64_t pid = -1;

	if (db_exec(&res, conn, "SELECT pg_backend_pid() AS pid", 0, NULL) != ASEC_OK)
		fail_msg("pg_backend_pid: %s", error_last());
	assert_int_equal(db_get_int64(&pid, res, 0, "pid"), ASEC_OK);
	PQclear(res);
	return pid;
}

/* Ends a backend from another connection and waits until it is gone. */
static void terminate_backend(struct db_pool *admin, int64_t pid)
{
	char text[24];
	const char *p[] = {text};

	snprintf(text, sizeof(text), "%lld", (long long)pid);
	assert_int_equal(query_int(admin, "SELECT pg_terminate_backend($1::int)::int", 1, p), 1);
	for (int i = 0; i < 100; i++) {
		if (query_int(admin, "SELECT count(*) FROM pg_stat_activity WHERE pid = $1::int",
			      1, p) == 0)
			return;
		sleep_ms(50);
	}
	fail_msg("backend %lld did not end", (long long)pid);
}

static void test_broken_connection_recovery(void **state)
{
	struct db_pool *pool = open_pool(1, 2000);
	struct db_pool *admin = open_pool(1, 2000);
	PGconn *conn = NULL;
	int64_t pid, pid2;
	int rc;

	(void)state;
	/* Terminated while idle in the pool: the next user never notices. */
	assert_int_equal(db_acquire(&conn, pool), ASEC_OK);
	pid = backend_pid(conn);
	db_release(pool, conn);
	terminate_backend(admin, pid);
	assert_int_equal(db_acquire(&conn, pool), ASEC_OK);
	pid2 = backend_pid(conn);
	assert_true(pid2 != pid);
	db_release(pool, conn);

	/* Terminated while borrowed: that statement fails, the next works. */
	assert_int_equal(db_acquire(&conn, pool), ASEC_OK);
	assert_true(backend_pid(conn) == pid2);
	terminate_backend(admin, pid2);
	rc = db_exec(NULL, conn, "SELECT 1", 0, NULL);
	assert_int_equal(rc, ASEC_EIO);
	db_release(pool, conn);
	assert_int_equal(query_int(pool, "SELECT 7", 0, NULL), 7);
	assert_int_equal(db_ping(pool), ASEC_OK);

	/* Returned inside a failed transaction: rolled back, then reused. */
	exec_ok(pool, "CREATE TABLE t_release (id int)", 0, NULL);
	assert_int_equal(db_acquire(&conn, pool), ASEC_OK);
	pid = backend_pid(conn);
	assert_int_equal(db_exec(NULL, conn, "BEGIN", 0, NULL), ASEC_OK);
	assert_int_equal(db_exec(NULL, conn, "INSERT INTO t_release VALUES (1)", 0, NULL), ASEC_OK);
	assert_int_equal(db_exec(NULL, conn, "SELECT 1/0", 0, NULL), ASEC_EINVALID);
	assert_int_equal(PQtransactionStatus(conn), PQTRANS_INERROR);
	db_release(pool, conn);
	assert_int_equal(db_acquire(&conn, pool), ASEC_OK);
	assert_int_equal(PQtransactionStatus(conn), PQTRANS_IDLE);
	assert_true(backend_pid(conn) == pid);
	db_release(pool, conn);

	/* Returned inside an open transaction: its work is not committed. */
	assert_int_equal(db_acquire(&conn, pool), ASEC_OK);
	assert_int_equal(db_exec(NULL, conn, "BEGIN", 0, NULL), ASEC_OK);
	assert_int_equal(db_exec(NULL, conn, "INSERT INTO t_release VALUES (2)", 0, NULL), ASEC_OK);
	db_release(pool, conn);
	assert_int_equal(query_int(pool, "SELECT count(*) FROM t_release", 0, NULL), 0);

	db_pool_close(admin);
	db_pool_close(pool);
}

/* ---- transactions ------------------------------------------------------ */

struct tx_ctx {
	const char *id;
	int calls;
};

static int tx_insert(PGconn *conn, void *arg)
{
	struct tx_ctx *c = arg;
	const char *p[] = {c->id};

	c->calls++;
	return db_exec(NULL, conn, "INSERT INTO t_tx (id) VALUES ($1)", 1, p);
}

static int tx_insert_then_fail(PGconn *conn, void *arg)
{
	int rc = tx_insert(conn, arg);

	if (rc != ASEC_OK)
		return rc;
	error_set("the caller changed its mind");
	return ASEC_EINVALID;
}

static int tx_ignore_error(PGconn *conn, void *arg)
{
	int rc = tx_insert(conn, arg);

	if (rc != ASEC_OK)
		return rc;
	(void)db_exec(NULL, conn, "SELECT no_such_column FROM t_tx", 0, NULL);
	return ASEC_OK;
}

static void test_transaction_commit_rollback(void **state)
{
	struct db_pool *pool = open_pool(2, 2000);
	struct tx_ctx c = {0};
	int rc;

	(void)state;
	exec_ok(pool, "CREATE TABLE t_tx (id int PRIMARY KEY)", 0, NULL);

	c = (struct tx_ctx){.id = "1"};
	assert_int_equal(db_transaction(pool, DB_READ_COMMITTED, tx_insert, &c), ASEC_OK);
	assert_int_equal(c.calls, 1);

	c = (struct tx_ctx){.id = "2"};
	rc = db_transaction(pool, DB_REPEATABLE_READ, tx_insert_then_fail, &c);
	assert_int_equal(rc, ASEC_EINVALID);
	assert_string_equal(error_last(), "the caller changed its mind");
	assert_int_equal(c.calls, 1);

	/* Not a conflict, so not retried. */
	c = (struct tx_ctx){.id = "1"};
	rc = db_transaction(pool, DB_SERIALIZABLE, tx_insert, &c);
	assert_int_equal(rc, ASEC_EEXISTS);
	assert_int_equal(c.calls, 1);

	c = (struct tx_ctx){.id = "3"};
	rc = db_transaction(pool, DB_READ_COMMITTED, tx_ignore_error, &c);
	assert_int_equal(rc, ASEC_ERROR);
	assert_non_null(strstr(error_last(), "aborted"));

	assert_int_equal(query_int(pool, "SELECT count(*) FROM t_tx", 0, NULL), 1);
	assert_int_equal(query_int(pool, "SELECT max(id) FROM t_tx", 0, NULL), 1);
	assert_int_equal(db_transaction(pool, (enum db_isolation)42, tx_insert, &c), ASEC_EINVALID);
	db_pool_close(pool);
}

#define COUNTER_ITERATIONS 15

struct counter_worker {
	struct db_pool *pool;
	pthread_barrier_t *barrier;
	bool waited;  /* the first attempt meets the other thread at the barrier */
	int calls;
	int commits;
	int rc;
	char message[256];
};

/* Read-modify-write done in the client, the pattern SERIALIZABLE protects. */
static int counter_increment(PGconn *conn, void *arg)
{
	struct counter_worker *w = arg;
	PGresult *res = NULL;
	char next[24];
	const char *p[] = {next};
	int64_t n;
	int rc;

	w->calls++;
	rc = db_exec(&res, conn, "SELECT n FROM t_counter WHERE id = 1", 0, NULL);
	if (rc != ASEC_OK)
		return rc;
	rc = db_get_int64(&n, res, 0, "n");
	PQclear(res);
	if (rc != ASEC_OK)
		return rc;
	if (!w->waited) {
		/* Both threads have read the same value before either writes:
		 * one of them must fail with a serialization error. */
		w->waited = true;
		pthread_barrier_wait(w->barrier);
	}
	snprintf(next, sizeof(next), "%lld", (long long)n + 1);
	return db_exec(NULL, conn, "UPDATE t_counter SET n = $1 WHERE id = 1", 1, p);
}

static void *counter_main(void *arg)
{
	struct counter_worker *w = arg;

	for (int i = 0; i < COUNTER_ITERATIONS; i++) {
		w->rc = db_transaction(w->pool, DB_SERIALIZABLE, counter_increment, w);
		if (w->rc != ASEC_OK) {
			snprintf(w->message, sizeof(w->message), "%s", error_last());
			break;
		}
		w->commits++;
	}
	return NULL;
}

static void test_serialization_failure_is_retried(void **state)
{
	struct db_pool *pool = open_pool(4, 5000);
	struct counter_worker w[2];
	pthread_barrier_t barrier;
	pthread_t threads[2];

	(void)state;
	exec_ok(pool, "CREATE TABLE t_counter (id int PRIMARY KEY, n bigint NOT NULL)", 0, NULL);
	exec_ok(pool, "INSERT INTO t_counter VALUES (1, 0)", 0, NULL);
	pthread_barrier_init(&barrier, NULL, 2);
	for (int i = 0; i < 2; i++) {
		w[i] = (struct counter_worker){.pool = pool, .barrier = &barrier};
		assert_int_equal(pthread_create(&threads[i], NULL, counter_main, &w[i]), 0);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&barrier);
	for (int i = 0; i < 2; i++) {
		if (w[i].rc != ASEC_OK)
			fail_msg("worker %d: %s", i, w[i].message);
		assert_int_equal(w[i].commits, COUNTER_ITERATIONS);
	}
	/* At least the barrier's collision was retried; nothing was lost. */
	assert_true(w[0].calls + w[1].calls > 2 * COUNTER_ITERATIONS);
	assert_int_equal(query_int(pool, "SELECT n FROM t_counter WHERE id = 1", 0, NULL),
			 2 * COUNTER_ITERATIONS);
	db_pool_close(pool);
}

struct deadlock_worker {
	struct db_pool *pool;
	pthread_barrier_t *barrier;
	const char *first, *second;
	bool waited;
	int calls;
	int rc;
	char message[256];
};

/* Locks two rows in opposite orders in the two threads. */
static int deadlock_update(PGconn *conn, void *arg)
{
	struct deadlock_worker *w = arg;
	const char *p1[] = {w->first}, *p2[] = {w->second};
	int rc;

	w->calls++;
	rc = db_exec(NULL, conn, "UPDATE t_pair SET n = n + 1 WHERE id = $1", 1, p1);
	if (rc != ASEC_OK)
		return rc;
	if (!w->waited) {
		w->waited = true;
		pthread_barrier_wait(w->barrier);
	}
	return db_exec(NULL, conn, "UPDATE t_pair SET n = n + 1 WHERE id = $1", 1, p2);
}

static void *deadlock_main(void *arg)
{
	struct deadlock_worker *w = arg;

	w->rc = db_transaction(w->pool, DB_READ_COMMITTED, deadlock_update, w);
	if (w->rc != ASEC_OK)
		snprintf(w->message, sizeof(w->message), "%s", error_last());
	return NULL;
}

static void test_deadlock_is_retried(void **state)
{
	struct db_pool *pool = open_pool(4, 5000);
	struct deadlock_worker w[2] = {
		{.pool = pool, .first = "1", .second = "2"},
		{.pool = pool, .first = "2", .second = "1"},
	};
	pthread_barrier_t barrier;
	pthread_t threads[2];

	(void)state;
	exec_ok(pool, "CREATE TABLE t_pair (id int PRIMARY KEY, n int NOT NULL)", 0, NULL);
	exec_ok(pool, "INSERT INTO t_pair VALUES (1, 0), (2, 0)", 0, NULL);
	pthread_barrier_init(&barrier, NULL, 2);
	for (int i = 0; i < 2; i++) {
		w[i].barrier = &barrier;
		assert_int_equal(pthread_create(&threads[i], NULL, deadlock_main, &w[i]), 0);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&barrier);
	for (int i = 0; i < 2; i++)
		if (w[i].rc != ASEC_OK)
			fail_msg("worker %d: %s", i, w[i].message);
	/* The server picked one victim (deadlock_timeout later), which ran again. */
	assert_int_equal(w[0].calls + w[1].calls, 3);
	assert_int_equal(query_int(pool, "SELECT sum(n) FROM t_pair", 0, NULL), 4);
	db_pool_close(pool);
}

/* ---- migrations -------------------------------------------------------- */

static const char *component(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s_%s", name, suffix);
	return buf;
}

static int64_t applied_count(struct db_pool *pool, const char *comp)
{
	const char *p[] = {comp};
	return query_int(pool, "SELECT count(*) FROM schema_migrations WHERE component = $1", 1, p);
}

#define BASIC_1 {1, "create tables", "CREATE TABLE mig_log (note text);" \
			       "CREATE TABLE mig_items (id int PRIMARY KEY)"}
#define BASIC_2 {2, "add name", "INSERT INTO mig_log VALUES ('two');" \
			  "ALTER TABLE mig_items ADD COLUMN name text"}
static const struct db_migration basic_v2[] = {BASIC_1, BASIC_2};
static const struct db_migration basic_v3[] = {
	BASIC_1,
	BASIC_2,
	{3, "log three", "INSERT INTO mig_log VALUES ('three')"},
};

static void test_migrations_apply_once(void **state)
{
	struct db_pool *pool = open_pool(1, 5000);
	char comp[96];
	const char *c = component(comp, sizeof(comp), "basic");
	const char *p[] = {c};
	PGresult *res = NULL;
	const char *first_applied_at, *text;
	char saved[64];

	(void)state;
	assert_int_equal(db_migrate(pool, c, basic_v2, 2), ASEC_OK);
	assert_int_equal(applied_count(pool, c), 2);
	assert_int_equal(query_int(pool, "SELECT count(*) FROM mig_log", 0, NULL), 1);
	exec_ok(pool, "INSERT INTO mig_items (id, name) VALUES (1, 'x')", 0, NULL);

	assert_int_equal(db_query(&res, pool,
				  "SELECT applied_at::text AS at, checksum FROM schema_migrations"
				  " WHERE component = $1 AND version = 2",
				  1, p),
			 ASEC_OK);
	assert_int_equal(db_get_text(&first_applied_at, res, 0, "at"), ASEC_OK);
	snprintf(saved, sizeof(saved), "%s", first_applied_at);
	assert_int_equal(db_get_text(&text, res, 0, "checksum"), ASEC_OK);
	assert_int_equal(strlen(text), 7 + 64);
	assert_memory_equal(text, "sha256:", 7);
	PQclear(res);

	/* Again: nothing happens. */
	assert_int_equal(db_migrate(pool, c, basic_v2, 2), ASEC_OK);
	assert_int_equal(applied_count(pool, c), 2);
	assert_int_equal(query_int(pool, "SELECT count(*) FROM mig_log", 0, NULL), 1);
	assert_int_equal(db_query(&res, pool,
				  "SELECT applied_at::text AS at FROM schema_migrations"
				  " WHERE component = $1 AND version = 2",
				  1, p),
			 ASEC_OK);
	assert_int_equal(db_get_text(&text, res, 0, "at"), ASEC_OK);
	assert_string_equal(text, saved);
	PQclear(res);

	/* A newer binary applies only what is new. */
	assert_int_equal(db_migrate(pool, c, basic_v3, 3), ASEC_OK);
	assert_int_equal(applied_count(pool, c), 3);
	assert_int_equal(query_int(pool, "SELECT count(*) FROM mig_log", 0, NULL), 2);

	/* The advisory lock was given back (same single connection). */
	assert_int_equal(query_int(pool, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
					 " AND pid = pg_backend_pid()", 0, NULL), 0);

	/* Badly formed arrays are refused before touching the database. */
	{
		const struct db_migration unordered[] = {basic_v2[1], basic_v2[0]};
		assert_int_equal(db_migrate(pool, c, unordered, 2), ASEC_EINVALID);
		assert_int_equal(db_migrate(pool, "", basic_v2, 2), ASEC_EINVALID);
	}
	db_pool_close(pool);
}

static const struct db_migration concurrent_set[] = {
	{1, "create", "CREATE TABLE conc_log (note text)"},
	{2, "slow insert", "INSERT INTO conc_log VALUES ('two'); SELECT pg_sleep(0.2)"},
	{3, "insert", "INSERT INTO conc_log VALUES ('three')"},
};

struct migrator {
	struct db_pool *pool;
	pthread_barrier_t *barrier;
	const char *component;
	int rc;
	char message[256];
};

static void *migrator_main(void *arg)
{
	struct migrator *m = arg;

	pthread_barrier_wait(m->barrier);
	m->rc = db_migrate(m->pool, m->component, concurrent_set, 3);
	if (m->rc != ASEC_OK)
		snprintf(m->message, sizeof(m->message), "%s", error_last());
	return NULL;
}

static void test_migrations_concurrent(void **state)
{
	enum { N = 4 };
	char comp[96];
	const char *c = component(comp, sizeof(comp), "concurrent");
	struct db_pool *pools[N];
	struct migrator m[N];
	pthread_barrier_t barrier;
	pthread_t threads[N];

	(void)state;
	/* One pool per thread, like separate replicas. */
	pthread_barrier_init(&barrier, NULL, N);
	for (int i = 0; i < N; i++) {
		pools[i] = open_pool(1, 10000);
		m[i] = (struct migrator){.pool = pools[i], .barrier = &barrier, .component = c};
		assert_int_equal(pthread_create(&threads[i], NULL, migrator_main, &m[i]), 0);
	}
	for (int i = 0; i < N; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&barrier);
	for (int i = 0; i < N; i++)
		if (m[i].rc != ASEC_OK)
			fail_msg("migrator %d: %s", i, m[i].message);
	assert_int_equal(applied_count(pools[0], c), 3);
	assert_int_equal(query_int(pools[0], "SELECT count(*) FROM conc_log", 0, NULL), 2);
	for (int i = 0; i < N; i++)
		db_pool_close(pools[i]);
}

static void test_migrations_refuse_newer_database(void **state)
{
	struct db_pool *pool = open_pool(1, 5000);
	char comp[96];
	const char *c = component(comp, sizeof(comp), "newer");
	const struct db_migration v2[] = {
		{1, "one", "CREATE TABLE newer_t (id int)"},
		{2, "two", "ALTER TABLE newer_t ADD COLUMN x int"},
	};
	int rc;

	(void)state;
	assert_int_equal(db_migrate(pool, c, v2, 2), ASEC_OK);
	rc = db_migrate(pool, c, v2, 1);
	assert_int_equal(rc, ASEC_ECONFLICT);
	assert_non_null(strstr(error_last(), "does not know"));
	assert_non_null(strstr(error_last(), "refusing"));
	rc = db_migrate(pool, c, NULL, 0);
	assert_int_equal(rc, ASEC_ECONFLICT);
	assert_int_equal(applied_count(pool, c), 2);
	db_pool_close(pool);
}

static void test_migrations_refuse_changed_checksum(void **state)
{
	struct db_pool *pool = open_pool(1, 5000);
	char comp[96];
	const char *c = component(comp, sizeof(comp), "changed");
	const struct db_migration original[] = {
		{1, "one", "CREATE TABLE changed_t (id int)"},
	};
	const struct db_migration edited[] = {
		{1, "one", "CREATE TABLE changed_t (id bigint)"},
		{2, "two", "CREATE TABLE changed_t2 (id int)"},
	};
	int rc;

	(void)state;
	assert_int_equal(db_migrate(pool, c, original, 1), ASEC_OK);
	rc = db_migrate(pool, c, edited, 2);
	assert_int_equal(rc, ASEC_ECONFLICT);
	assert_non_null(strstr(error_last(), "changed after it was applied"));
	/* Refused before anything new ran. */
	assert_int_equal(applied_count(pool, c), 1);
	assert_int_equal(query_int(pool, "SELECT count(*) FROM pg_tables WHERE tablename = 'changed_t2'"
					 " AND schemaname = current_schema()", 0, NULL), 0);
	db_pool_close(pool);
}

static void test_migration_failure_rolls_back(void **state)
{
	struct db_pool *pool = open_pool(1, 5000);
	char comp[96];
	const char *c = component(comp, sizeof(comp), "failing");
	const struct db_migration broken[] = {
		{1, "one", "CREATE TABLE failing_t (id int)"},
		{2, "two", "INSERT INTO failing_t VALUES (1); SELECT * FROM no_such_table"},
		{3, "three", "INSERT INTO failing_t VALUES (3)"},
	};
	const struct db_migration fixed[] = {
		broken[0],
		{2, "two", "INSERT INTO failing_t VALUES (2)"},
		broken[2],
	};
	int rc;

	(void)state;
	rc = db_migrate(pool, c, broken, 3);
	assert_int_equal(rc, ASEC_ERROR);
	assert_non_null(strstr(error_last(), "migration 2 (two)"));
	assert_non_null(strstr(error_last(), "42P01"));
	/* 1 stays applied; 2's insert was rolled back and 3 never ran. */
	assert_int_equal(applied_count(pool, c), 1);
	assert_int_equal(query_int(pool, "SELECT count(*) FROM failing_t", 0, NULL), 0);
	/* The lock was released even on failure. */
	assert_int_equal(query_int(pool, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
					 " AND pid = pg_backend_pid()", 0, NULL), 0);

	assert_int_equal(db_migrate(pool, c, fixed, 3), ASEC_OK);
	assert_int_equal(applied_count(pool, c), 3);
	assert_int_equal(query_int(pool, "SELECT sum(id) FROM failing_t", 0, NULL), 5);
	db_pool_close(pool);
}

static void test_ping(void **state)
{
	struct db_pool *pool = open_pool(1, 5000);
	PGconn *conn = NULL;

	PGresult *res = NULL;
	const char *text;

	(void)state;
	assert_int_equal(db_ping(pool), ASEC_OK);
	assert_int_equal(db_ping(pool), ASEC_OK);

	/* The pool's own settings reached the server. */
	assert_int_equal(db_query(&res, pool,
				  "SELECT current_setting('application_name') AS app,"
				  " current_setting('statement_timeout') AS st",
				  0, NULL),
			 ASEC_OK);
	assert_int_equal(db_get_text(&text, res, 0, "app"), ASEC_OK);
	assert_string_equal(text, "asec-db-test");
	assert_int_equal(db_get_text(&text, res, 0, "st"), ASEC_OK);
	assert_string_equal(text, "1min");
	PQclear(res);

	/* With its only connection busy, readiness answers promptly. */
	assert_int_equal(db_acquire(&conn, pool), ASEC_OK);
	assert_int_equal(db_ping(pool), ASEC_ETIMEOUT);
	db_release(pool, conn);
	assert_int_equal(db_ping(pool), ASEC_OK);
	db_pool_close(pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parameters_are_data),
		cmocka_unit_test(test_errors_map_and_hide_secrets),
		cmocka_unit_test(test_pool_exhaustion),
		cmocka_unit_test(test_broken_connection_recovery),
		cmocka_unit_test(test_transaction_commit_rollback),
		cmocka_unit_test(test_serialization_failure_is_retried),
		cmocka_unit_test(test_deadlock_is_retried),
		cmocka_unit_test(test_migrations_apply_once),
		cmocka_unit_test(test_migrations_concurrent),
		cmocka_unit_test(test_migrations_refuse_newer_database),
		cmocka_unit_test(test_migrations_refuse_changed_checksum),
		cmocka_unit_test(test_migration_failure_rolls_back),
		cmocka_unit_test(test_ping),
	};
	const char *ci = getenv("CI");

	base_url = getenv("ASEC_TEST_DATABASE_URL");
	if (base_url == NULL || base_url[0] == '\0') {
		if (ci != NULL && strcmp(ci, "true") == 0) {
			fprintf(stderr, "db_test: ASEC_TEST_DATABASE_URL is not set, and CI=true "
					"requires the database tests to run (scripts/test.sh starts a server)\n");
			return 1;
		}
		printf("db_test: skipped: ASEC_TEST_DATABASE_URL is not set "
		       "(scripts/test.sh starts a PostgreSQL server and sets it)\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
