/*
 * store_testing.h - what central's tests against a real PostgreSQL share
 * (store_*_test.c, central_auth_test.c). Test-only: include it from a cmocka
 * test, never from central.
 *
 * Header-only (static inline, like tests/support/service_testing.h) so that
 * each test stays one source file; it is not named *_test.c, which
 * central's CMakeLists.txt would turn into a test of its own. The ideas it
 * keeps in one place:
 *
 *   - PostgreSQL comes from ASEC_TEST_DATABASE_URL. Without it the database
 *     tests are skipped (exit 77) - except under CI=true, where that is a
 *     failure, so that CI can never pass by skipping;
 *   - each run works in a schema of its own, <test>_<pid>_<time>, named in
 *     the URL's options=-csearch_path=..., so that parallel runs and other
 *     tests never share a table; the schema is dropped at the end;
 *   - the scale cases of the image and CVE stores time their queries over
 *     one bench data set (store_testing_seed_scale), so that both bound the
 *     same 10,000 images and their figures can be read side by side.
 *
 * It includes cmocka itself: store_testing_sql() fails the running test.
 */
#ifndef ASEC_CENTRAL_STORE_TESTING_H
#define ASEC_CENTRAL_STORE_TESTING_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "db/db.h"
#include "error/error.h"
#include "testing/testing.h"

#define STORE_TESTING_SCHEMA_MAX 96

/* -1 when ASEC_TEST_DATABASE_URL is set (the database tests run); else the
 * exit code of the test program, with the reason printed: a skip, or a
 * failure under CI or when the tests run before (failed) failed. */
static inline int store_testing_unavailable(int failed)
{
	const char *url = getenv("ASEC_TEST_DATABASE_URL");

	if (url && url[0])
		return -1;
	fprintf(stderr, "%s: ASEC_TEST_DATABASE_URL is not set: the PostgreSQL tests %s\n",
		testing_in_ci() ? "FAIL" : "SKIP", testing_in_ci() ? "cannot run" : "are skipped");
	return failed || testing_in_ci() ? 1 : TESTING_SKIP;
}

/*
 * Creates the schema <name>_<pid>_<time> (written into schema, at least
 * STORE_TESTING_SCHEMA_MAX bytes), opens *pool on it with max_connections
 * under application name name, and runs migrate twice: the second run must
 * find nothing to do. -1 with the reason printed.
 */
static inline int store_testing_open(struct db_pool **pool, char *schema, const char *name, int max_connections,
				     int (*migrate)(struct db_pool *pool))
{
	const char *base = getenv("ASEC_TEST_DATABASE_URL");
	struct db_pool_options o = {.conninfo = base, .application_name = name, .max_connections = max_connections};
	struct db_pool *admin = NULL;
	PGresult *res = NULL;
	char sql[160], *url = NULL;
	int rc;

	*pool = NULL;
	snprintf(schema, STORE_TESTING_SCHEMA_MAX, "%s_%ld_%ld", name, (long)getpid(), (long)time(NULL));
	if (db_pool_open(&admin, &o)) {
		fprintf(stderr, "%s\n", error_last());
		return -1;
	}
	/* the name is ours and made of [a-z0-9_]: safe to put in the SQL */
	snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", schema);
	rc = db_query(&res, admin, sql, 0, NULL);
	if (rc)
		fprintf(stderr, "%s\n", error_last());
	PQclear(res);
	db_pool_close(admin);
	if (rc)
		return -1;
	if (asprintf(&url, "%s%soptions=-csearch_path%%3D%s", base, strchr(base, '?') ? "&" : "?", schema) < 0)
		return -1;
	o.conninfo = url;
	rc = db_pool_open(pool, &o);
	free(url);
	if (rc || migrate(*pool) || migrate(*pool)) {
		fprintf(stderr, "%s\n", error_last());
		return -1;
	}
	return 0;
}

/* Empties tables (a NULL-terminated list of our own names) between tests;
 * -1 with error_last() saying why. */
static inline int store_testing_wipe(struct db_pool *pool, const char *const *tables)
{
	PGresult *res = NULL;
	char sql[128];

	for (size_t i = 0; tables[i]; i++) {
		snprintf(sql, sizeof(sql), "DELETE FROM %s", tables[i]);
		if (db_query(&res, pool, sql, 0, NULL))
			return -1;
		PQclear(res);
		res = NULL;
	}
	return 0;
}

/* Closes pool and drops its schema (CASCADE: whatever the test left). */
static inline void store_testing_close(struct db_pool *pool, const char *schema, const char *name)
{
	struct db_pool_options o = {.conninfo = getenv("ASEC_TEST_DATABASE_URL"), .application_name = name,
				    .max_connections = 1};
	struct db_pool *admin = NULL;
	PGresult *res = NULL;
	char sql[160];

	db_pool_close(pool);
	snprintf(sql, sizeof(sql), "DROP SCHEMA %s CASCADE", schema);
	if (db_pool_open(&admin, &o) == ASEC_OK && db_query(&res, admin, sql, 0, NULL) == ASEC_OK)
		PQclear(res);
	db_pool_close(admin);
}

/* Runs sql, whose result nobody reads; a failure fails the running test with
 * the statement and the reason. */
static inline void store_testing_sql(struct db_pool *pool, const char *sql)
{
	PGresult *res = NULL;

	if (db_query(&res, pool, sql, 0, NULL))
		fail_msg("%s: %s", sql, error_last());
	PQclear(res);
}

/* Seconds on the monotonic clock: what the scale cases time with, so that a
 * clock step during a run cannot shorten or lengthen a figure. */
static inline double store_testing_mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits ms: writes a few ms apart get distinct, ordered timestamps. */
static inline void store_testing_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/*
 * The bench data set the scale cases time their queries over, written by SQL
 * (the put path would take minutes at this size) into the store's tables
 * directly: 10,000 images (a quarter in quay.io, a third on debian:12, names
 * over 500 repositories), 5 components each (pkg0..pkg699, one layer apiece)
 * and 2 findings per component, 100,000 in all, whose CVE ids repeat across
 * images as real ones do. The
 * formulas spread severities, CVSS and fixability so that every filter the
 * cases use selects some rows but not all. The tables are analyzed: the
 * planner must see this size, not the empty tables it last looked at.
 */
static inline void store_testing_seed_scale(struct db_pool *pool)
{
	store_testing_sql(pool,
		"INSERT INTO images (id, full_name, registry, remote, tag, operating_system, created, scan_time,"
		" last_updated, components, cves, fixable_cves, top_cvss, risk_score, vuln_data_version, document)"
		" SELECT 'sha256:' || lpad(to_hex(g), 64, '0'), 'docker.io/bench/app' || (g % 500) || ':v' || g,"
		" CASE WHEN g % 4 = 0 THEN 'quay.io' ELSE 'docker.io' END, 'bench/app' || (g % 500), 'v' || g,"
		" CASE WHEN g % 3 = 0 THEN 'debian:12' ELSE 'alpine:3.19' END,"
		" now() - g * interval '1 hour', now() - g * interval '1 minute', now(), 5, 10, 4,"
		" (g % 101) / 10.0, (g * 7919 % 10007) / 10.0, 'v1', '{}' FROM generate_series(1, 10000) g");
	store_testing_sql(pool,
		"INSERT INTO image_components (image_id, idx, name, version, source, location, layer_index)"
		" SELECT 'sha256:' || lpad(to_hex(g), 64, '0'), c, 'pkg' || ((g * 5 + c) % 700), '1.' || c, 'OS',"
		" 'var/lib/dpkg/status', c FROM generate_series(1, 10000) g, generate_series(1, 5) c");
	store_testing_sql(pool,
		"INSERT INTO image_cves (image_id, component_idx, idx, cve, severity, cvss, fixable, fixed_by,"
		" first_image_occurrence)"
		" SELECT 'sha256:' || lpad(to_hex(g), 64, '0'), c, v,"
		" 'CVE-' || (2015 + (g + c + v) % 10) || '-' || lpad(((g * 31 + c * 7 + v) % 5000)::text, 5, '0'),"
		" (ARRAY['UNKNOWN','LOW','MODERATE','IMPORTANT','CRITICAL'])[1 + (g + c * v) % 5]"
		"   || '_VULNERABILITY_SEVERITY',"
		" ((g * c + v) % 101) / 10.0, (g + c + v) % 7 = 0, CASE WHEN (g + c + v) % 7 = 0 THEN '1.' || c || '.1' END,"
		" now()"
		" FROM generate_series(1, 10000) g, generate_series(1, 5) c, generate_series(1, 2) v");
	store_testing_sql(pool, "ANALYZE images");
	store_testing_sql(pool, "ANALYZE image_components");
	store_testing_sql(pool, "ANALYZE image_cves");
}

#endif
