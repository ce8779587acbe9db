/*
 * rpmsqlite.c - reads rpm header blobs out of an "rpmdb.sqlite" (Fedora 33+,
 * RHEL 9, CBL-Mariner): rpm's sqlite backend keeps one row per package in
 * Packages(hnum INTEGER PRIMARY KEY, blob BLOB), blob being the header.
 *
 * SQLite is the right tool to read SQLite, but the file comes from an image
 * and is untrusted, so the connection is locked down before the first page
 * is read:
 *
 *   - the database lives in memory (sqlite3_deserialize), read-only, and is
 *     never written to disk; no VFS, extension or attached file is involved;
 *   - defensive mode on, schema functions untrusted, views and triggers off,
 *     so a "Packages" that is really a view over a recursive CTE cannot run;
 *     the schema entry must be an ordinary table;
 *   - sqlite3_limit caps string/blob length (to the file size), SQL length,
 *     expression depth and columns, and a progress handler caps the work;
 *   - the in-header page count is checked against the file size before
 *     SQLite sees the file, so a header claiming 2^32 pages is refused.
 *
 * rpm opens its database in WAL mode, which the in-memory VFS cannot serve
 * (WAL needs shared memory). We therefore hand SQLite a private copy with the
 * header's WAL bytes turned back to rollback-journal mode. The copy doubles
 * the memory the file takes for the duration of the read; the alternative,
 * a custom read-only VFS, is more code to get wrong. Any -wal file beside the
 * database is a separate file in the layer and is not replayed; rpm
 * checkpoints on close, so it is empty in practice.
 */
#include "detectors/rpmdb.h"

#include <sqlite3.h>
#include <stdint.h>
#include <string.h>

#include "error/error.h"

#define SQLITE_HEADER 100u
#define RPMSQLITE_MAX_BYTES (256u << 20)
/* The progress handler runs every RPMSQLITE_PROGRESS_OPS virtual machine
 * instructions; reading one row takes a handful, so 10^8 instructions in all
 * is far more than any real rpmdb needs and still ends in about a second. */
#define RPMSQLITE_PROGRESS_OPS 1000
#define RPMSQLITE_MAX_PROGRESS 100000ul

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int rpmsqlite_progress(void *arg)
{
	unsigned long *calls = arg;

	return ++*calls > RPMSQLITE_MAX_PROGRESS;
}

/* Checks the 100-byte file header ourselves so that obviously hostile sizes
 * never reach SQLite. */
static int rpmsqlite_check_header(const unsigned char *data, size_t len)
{
	uint32_t pagesize, pages;

	if (len < SQLITE_HEADER || memcmp(data, "SQLite format 3", 16) != 0) {
		error_set("not an SQLite database (bad magic)");
		return ASEC_EINVALID;
	}
	pagesize = (uint32_t)data[16] << 8 | data[17];
	if (pagesize == 1)
		pagesize = 65536;
	if (pagesize < 512 || (pagesize & (pagesize - 1)) != 0) {
		error_set("SQLite page size %u is invalid", pagesize);
		return ASEC_EINVALID;
	}
	/* The in-header page count is only meaningful when the version-valid-for
	 * number matches the change counter (SQLite file format, 1.3.8). */
	pages = be32(data + 28);
	if (pages != 0 && be32(data + 24) == be32(data + 92) && (uint64_t)pages * pagesize > len) {
		error_set("SQLite header claims %u pages of %u bytes, but the file has %zu bytes", pages, pagesize,
			  len);
		return ASEC_EINVALID;
	}
	if (len > RPMSQLITE_MAX_BYTES) {
		error_set("SQLite database of %zu bytes is over the %u-byte limit", len, RPMSQLITE_MAX_BYTES);
		return ASEC_ETOOBIG;
	}
	return ASEC_OK;
}

static void rpmsqlite_harden(sqlite3 *db, size_t len, unsigned long *progress)
{
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, (int *)NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)NULL);
#ifdef SQLITE_DBCONFIG_ENABLE_VIEW
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, (int *)NULL);
#endif
#ifdef SQLITE_DBCONFIG_TRUSTED_SCHEMA
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
#endif
	/* No value can be longer than the file it came from. */
	sqlite3_limit(db, SQLITE_LIMIT_LENGTH, len > 1024 ? (int)len : 1024);
	sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 100000);
	sqlite3_limit(db, SQLITE_LIMIT_COLUMN, 200);
	sqlite3_limit(db, SQLITE_LIMIT_EXPR_DEPTH, 100);
	sqlite3_limit(db, SQLITE_LIMIT_COMPOUND_SELECT, 4);
	sqlite3_limit(db, SQLITE_LIMIT_VDBE_OP, 100000);
	sqlite3_limit(db, SQLITE_LIMIT_FUNCTION_ARG, 8);
	sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
	sqlite3_limit(db, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 100);
	sqlite3_limit(db, SQLITE_LIMIT_VARIABLE_NUMBER, 10);
	sqlite3_limit(db, SQLITE_LIMIT_TRIGGER_DEPTH, 1);
	sqlite3_limit(db, SQLITE_LIMIT_WORKER_THREADS, 0);
	sqlite3_progress_handler(db, RPMSQLITE_PROGRESS_OPS, rpmsqlite_progress, progress);
}

/* The schema entry for Packages must be a plain table: not a view, not a
 * virtual table (whose module would run code of its own). */
static int rpmsqlite_check_schema(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	const char *type, *sql;
	int rc, step;

	rc = sqlite3_prepare_v2(db, "SELECT type, sql FROM sqlite_schema WHERE name = 'Packages' COLLATE NOCASE",
				-1, &st, NULL);
	if (rc != SQLITE_OK) {
		error_set("SQLite schema unreadable: %s", sqlite3_errmsg(db));
		rc = ASEC_EINVALID;
		goto out;
	}
	step = sqlite3_step(st);
	if (step == SQLITE_DONE) {
		error_set("SQLite database has no Packages table");
		rc = ASEC_EINVALID;
		goto out;
	}
	if (step != SQLITE_ROW) {
		error_set("SQLite schema unreadable: %s", sqlite3_errmsg(db));
		rc = ASEC_EINVALID;
		goto out;
	}
	type = (const char *)sqlite3_column_text(st, 0);
	sql = (const char *)sqlite3_column_text(st, 1);
	if (!type || strcmp(type, "table") != 0 || !sql || sqlite3_strnicmp(sql, "CREATE TABLE", 12) != 0) {
		error_set("SQLite Packages is not an ordinary table");
		rc = ASEC_EINVALID;
		goto out;
	}
	rc = ASEC_OK;
out:
	sqlite3_finalize(st);
	return rc;
}

int rpmsqlite_read(struct scan_out *out, const char *path, const unsigned char *data, size_t len,
		   rpmdb_blob_fn fn, void *ctx)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	unsigned char *copy;
	unsigned long progress = 0;
	size_t not_blob = 0;
	int rc, step;

	rc = rpmsqlite_check_header(data, len);
	if (rc)
		return rc;
	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		error_set("cannot open an in-memory SQLite connection: %s", db ? sqlite3_errmsg(db) : "no memory");
		rc = ASEC_ENOMEM;
		goto out;
	}
	rpmsqlite_harden(db, len, &progress);
	copy = sqlite3_malloc64(len);
	if (!copy) {
		error_set("out of memory copying a %zu-byte SQLite database", len);
		rc = ASEC_ENOMEM;
		goto out;
	}
	memcpy(copy, data, len);
	copy[18] = 1; /* file format write/read version: 2 means WAL, 1 rollback */
	copy[19] = 1;
	/* With FREEONCLOSE SQLite owns copy from here on, even if this fails. */
	if (sqlite3_deserialize(db, "main", copy, (sqlite3_int64)len, (sqlite3_int64)len,
				SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY) != SQLITE_OK) {
		error_set("SQLite refused the database: %s", sqlite3_errmsg(db));
		rc = ASEC_EINVALID;
		goto out;
	}
	rc = rpmsqlite_check_schema(db);
	if (rc)
		goto out;
	if (sqlite3_prepare_v2(db, "SELECT blob FROM Packages", -1, &st, NULL) != SQLITE_OK) {
		error_set("SQLite Packages table unreadable: %s", sqlite3_errmsg(db));
		rc = ASEC_EINVALID;
		goto out;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const void *blob;
		int n;

		if (sqlite3_column_type(st, 0) != SQLITE_BLOB) {
			not_blob++;
			continue;
		}
		blob = sqlite3_column_blob(st, 0);
		n = sqlite3_column_bytes(st, 0);
		if (!blob || n <= 0) {
			not_blob++;
			continue;
		}
		rc = fn(ctx, blob, (size_t)n);
		if (rc)
			goto out;
	}
	if (not_blob)
		scan_note(out, "%s: %zu SQLite Packages rows hold no blob", path, not_blob);
	if (step != SQLITE_DONE) {
		error_set("reading SQLite Packages stopped: %s%s", sqlite3_errmsg(db),
			  progress > RPMSQLITE_MAX_PROGRESS ? " (work limit reached)" : "");
		rc = ASEC_EINVALID;
		goto out;
	}
	rc = ASEC_OK;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}
