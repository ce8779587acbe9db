/*
 * rpmsqlite_test.c - the SQLite reader: the real WAL-mode mariner database
 * (and that the caller's bytes are left untouched), then hostile databases
 * built in memory with SQLite itself: files that are not SQLite, a header
 * claiming 2^32 pages, truncation, Packages as a recursive view or a virtual
 * table, rows that are not blobs, a generated column asking for a 900 MB blob.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "detectors/rpmdb.h"
#include "detectors/rpmtest.h"

static unsigned char *mariner;
static size_t mariner_len;

static int setup(void **state)
{
	char path[1024];

	(void)state;
	rpmtest_fixture(path, sizeof(path), "go-rpmdb-cbl-mariner-2.0/var/lib/rpm/rpmdb.sqlite");
	mariner = testing_read_file(path, &mariner_len);
	return mariner ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(mariner);
	return 0;
}

static int count_blobs(void *ctx, const unsigned char *blob, size_t len)
{
	(void)blob;
	(void)len;
	++*(size_t *)ctx;
	return ASEC_OK;
}

/* Runs the reader on an exact-size copy; returns its code, the number of
 * blobs in *blobs and the notes in out (caller frees). */
static int read_db(struct scan_out *out, size_t *blobs, const unsigned char *data, size_t len)
{
	unsigned char *exact = malloc(len ? len : 1);
	int rc;

	assert_non_null(exact);
	memcpy(exact, data, len);
	*blobs = 0;
	rc = rpmsqlite_read(out, "var/lib/rpm/rpmdb.sqlite", exact, len, count_blobs, blobs);
	free(exact);
	return rc;
}

/* Builds a database in memory from sql (plus one real header row when
 * with_header is set) and returns its bytes; NULL when this SQLite build
 * refuses the schema (e.g. no fts5). */
static unsigned char *make_db(const char *sql, int with_header, size_t *len)
{
	sqlite3 *db = NULL;
	sqlite3_int64 size = 0;
	unsigned char *ser, *copy = NULL;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	if (with_header) {
		struct rpmtest_hdr *h = calloc(1, sizeof(*h));
		sqlite3_stmt *st;
		unsigned char *blob;
		size_t blen;

		assert_non_null(h);
		rpmtest_hdr_basic(h, "from-sqlite");
		blob = rpmtest_hdr_blob(h, 1, &blen);
		assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO Packages(blob) VALUES (?)", -1, &st, NULL),
				 SQLITE_OK);
		sqlite3_bind_blob(st, 1, blob, (int)blen, SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_finalize(st);
		free(blob);
		free(h);
	}
	ser = sqlite3_serialize(db, "main", &size, 0);
	assert_non_null(ser);
	copy = malloc((size_t)size);
	assert_non_null(copy);
	memcpy(copy, ser, (size_t)size);
	*len = (size_t)size;
	sqlite3_free(ser);
	sqlite3_close(db);
	return copy;
}

static void test_mariner_wal(void **state)
{
	struct scan_out out = {0};
	unsigned char *before = malloc(mariner_len);
	size_t blobs = 0;

	(void)state;
	assert_non_null(before);
	memcpy(before, mariner, mariner_len);
	/* rpm leaves its database in WAL mode, which the in-memory VFS cannot
	 * open as is: this is the path that needs the patched private copy */
	assert_int_equal(mariner[18], 2);
	assert_int_equal(mariner[19], 2);
	assert_int_equal(rpmsqlite_read(&out, "x", mariner, mariner_len, count_blobs, &blobs), ASEC_OK);
	assert_int_equal(blobs, 129);
	assert_int_equal(out.note_count, 0);
	assert_memory_equal(before, mariner, mariner_len);
	free(before);
	scan_out_free(&out);
}

static void test_not_sqlite(void **state)
{
	static const char text[] = "SQLite format 2\0 but not really a database, just a long line of text......"
				   "...............................................................";
	struct scan_out out = {0};
	unsigned char *junk;
	size_t blobs;

	(void)state;
	assert_int_equal(read_db(&out, &blobs, (const unsigned char *)text, sizeof(text)), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "not an SQLite database"));
	assert_int_equal(read_db(&out, &blobs, mariner, 50), ASEC_EINVALID);
	/* right magic, then garbage */
	junk = malloc(8192);
	assert_non_null(junk);
	memset(junk, 0xa5, 8192);
	memcpy(junk, mariner, 16);
	assert_int_equal(read_db(&out, &blobs, junk, 8192), ASEC_EINVALID);
	free(junk);
	assert_int_equal(blobs, 0);
	scan_out_free(&out);
}

static void test_header_sizes(void **state)
{
	struct scan_out out = {0};
	unsigned char *c = malloc(mariner_len);
	size_t blobs;

	(void)state;
	assert_non_null(c);
	/* The in-header page count is valid here (offsets 24 and 92 agree). */
	assert_memory_equal(mariner + 24, mariner + 92, 4);
	memcpy(c, mariner, mariner_len);
	memset(c + 28, 0xff, 4);
	assert_int_equal(read_db(&out, &blobs, c, mariner_len), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "claims 4294967295 pages"));
	/* a truncated file is caught by the same check */
	assert_int_equal(read_db(&out, &blobs, mariner, mariner_len / 2), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "claims"));
	/* with the count marked stale SQLite goes by the file size: it reads
	 * what is there and reports the damage */
	memcpy(c, mariner, mariner_len);
	c[95] ^= 1;
	assert_int_equal(read_db(&out, &blobs, c, mariner_len), ASEC_OK);
	assert_int_equal(blobs, 129);
	{
		int rc = read_db(&out, &blobs, c, mariner_len / 2);

		assert_true(rc == ASEC_EINVALID);
		assert_true(blobs < 129);
	}
	memcpy(c, mariner, mariner_len);
	c[16] = 3; /* page size 768 */
	c[17] = 0;
	assert_int_equal(read_db(&out, &blobs, c, mariner_len), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "page size"));
	free(c);
	scan_out_free(&out);
}

static void test_hostile_schemas(void **state)
{
	static const struct {
		const char *sql;
		const char *error;
	} cases[] = {
		{"CREATE VIEW Packages AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
		 "SELECT zeroblob(100) AS blob FROM n;",
		 "not an ordinary table"},
		{"CREATE VIRTUAL TABLE Packages USING fts5(blob);", "not an ordinary table"},
		{"CREATE VIRTUAL TABLE Packages USING rtree(id, a, b);", "not an ordinary table"},
		{"CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, notblob BLOB);", "unreadable"},
		{"CREATE TABLE other (x);", "no Packages table"},
		{"CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, n INT, blob BLOB AS (zeroblob(n)));"
		 "INSERT INTO Packages(n) VALUES (900000000);",
		 "SQLite"},
	};
	struct scan_out out = {0};
	size_t i, len, blobs, built = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char *db = make_db(cases[i].sql, 0, &len);

		if (!db)
			continue; /* this SQLite lacks the module: nothing to test */
		built++;
		assert_int_equal(read_db(&out, &blobs, db, len), ASEC_EINVALID);
		if (!strstr(error_last(), cases[i].error))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, error_last(), cases[i].error);
		assert_int_equal(blobs, 0);
		free(db);
	}
	assert_true(built >= 4); /* all but fts5 and rtree, which a SQLite build may lack */
	scan_out_free(&out);
}

static void test_rows_without_blobs(void **state)
{
	struct scan_out out = {0};
	size_t len, blobs;
	unsigned char *db = make_db("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob);"
				    "INSERT INTO Packages(blob) VALUES ('text'), (NULL), (42), (x'');",
				    1, &len);

	(void)state;
	assert_non_null(db);
	assert_int_equal(read_db(&out, &blobs, db, len), ASEC_OK);
	assert_int_equal(blobs, 1);
	assert_int_equal(out.note_count, 1);
	assert_non_null(strstr(out.notes[0], "4 SQLite Packages rows hold no blob"));
	scan_out_free(&out);
	/* through the detector: the one real row is a package */
	assert_int_equal(detector_rpm.scan(&out, "var/lib/rpm/rpmdb.sqlite", db, len), ASEC_OK);
	assert_int_equal(out.pkgs.count, 1);
	assert_string_equal(out.pkgs.items[0].name, "from-sqlite");
	scan_out_free(&out);
	free(db);
}

static int calls;

static int stop_at_three(void *ctx, const unsigned char *blob, size_t len)
{
	(void)ctx;
	(void)blob;
	(void)len;
	return ++calls == 3 ? ASEC_ENOMEM : ASEC_OK;
}

static void test_callback_error_stops(void **state)
{
	struct scan_out out = {0};

	(void)state;
	calls = 0;
	assert_int_equal(rpmsqlite_read(&out, "x", mariner, mariner_len, stop_at_three, NULL), ASEC_ENOMEM);
	assert_int_equal(calls, 3);
	scan_out_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mariner_wal),
		cmocka_unit_test(test_not_sqlite),
		cmocka_unit_test(test_header_sizes),
		cmocka_unit_test(test_hostile_schemas),
		cmocka_unit_test(test_rows_without_blobs),
		cmocka_unit_test(test_callback_error_stops),
	};

	alarm(120);
	return cmocka_run_group_tests(tests, setup, teardown);
}
