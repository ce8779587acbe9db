/*
 * store_vulns.c - SQL of the matcher (see store_vulns.h).
 */
#include "store_vulns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <zstd.h>

#include "db/db.h"
#include "error/error.h"

/* Stored sources decompress to at most this (a bound against a damaged row). */
#define STORE_MAX_LINES_BYTES (2048ull * 1024 * 1024)

static const struct db_migration matcher_migrations[] = {
	{1, "vulnerability sources, each with its records",
	 "CREATE TABLE vuln_sources ("
	 "  name text PRIMARY KEY,"
	 "  format text NOT NULL,"
	 "  records bigint NOT NULL,"
	 "  skipped bigint NOT NULL,"
	 "  etag text NOT NULL DEFAULT '',"
	 "  last_modified text NOT NULL DEFAULT '',"
	 "  data_date text NOT NULL DEFAULT '',"
	 "  url text NOT NULL DEFAULT '',"
	 "  updated_at timestamptz NOT NULL DEFAULT now(),"
	 "  data bytea NOT NULL);"},
};

int store_vulns_migrate(struct db_pool *pool)
{
	return db_migrate(pool, "scanner-matcher", matcher_migrations,
			  sizeof(matcher_migrations) / sizeof(matcher_migrations[0]));
}

struct replace_job {
	const struct store_source *sources;
	size_t count;
	char **packed;
	size_t *packed_len;
};

static int replace_tx(PGconn *conn, void *ctx)
{
	struct replace_job *job = ctx;
	size_t i;

	for (i = 0; i < job->count; i++) {
		const struct store_source *s = &job->sources[i];
		char records[32], skipped[32];
		const char *values[9];
		int lengths[9] = {0}, formats[9] = {0};
		PGresult *res;

		snprintf(records, sizeof(records), "%zu", s->records);
		snprintf(skipped, sizeof(skipped), "%zu", s->skipped);
		values[0] = s->name;
		values[1] = s->format;
		values[2] = records;
		values[3] = skipped;
		values[4] = s->etag ? s->etag : "";
		values[5] = s->last_modified ? s->last_modified : "";
		values[6] = s->data_date ? s->data_date : "";
		values[7] = s->url ? s->url : "";
		values[8] = job->packed[i];
		lengths[8] = (int)job->packed_len[i];
		formats[8] = 1;
		res = PQexecParams(conn,
				   "INSERT INTO vuln_sources (name, format, records, skipped, etag, last_modified, data_date,"
				   " url, data, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, clock_timestamp())"
				   " ON CONFLICT (name) DO UPDATE SET format = EXCLUDED.format, records = EXCLUDED.records,"
				   " skipped = EXCLUDED.skipped, etag = EXCLUDED.etag, last_modified = EXCLUDED.last_modified,"
				   " data_date = EXCLUDED.data_date, url = EXCLUDED.url, data = EXCLUDED.data,"
				   " updated_at = EXCLUDED.updated_at",
				   9, NULL, values, lengths, formats, 0);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			error_set("storing source %s: %s", s->name, PQerrorMessage(conn));
			PQclear(res);
			return ASEC_EIO;
		}
		PQclear(res);
	}
	return ASEC_OK;
}

int store_vulns_replace(struct db_pool *pool, const struct store_source *sources, size_t count)
{
	struct replace_job job = {sources, count, calloc(count ? count : 1, sizeof(char *)),
				  calloc(count ? count : 1, sizeof(size_t))};
	size_t i;
	int rc = ASEC_OK;

	if (!job.packed || !job.packed_len) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	/* compress outside the transaction: it is the slow part */
	for (i = 0; i < count; i++) {
		size_t bound = ZSTD_compressBound(sources[i].lines_len), n;
		if (bound > (size_t)INT32_MAX) {
			error_set("source %s is too large to store (%zu bytes)", sources[i].name, sources[i].lines_len);
			rc = ASEC_ETOOBIG;
			goto out;
		}
		if (!(job.packed[i] = malloc(bound ? bound : 1))) {
			rc = ASEC_ENOMEM;
			goto out;
		}
		n = ZSTD_compress(job.packed[i], bound, sources[i].lines ? sources[i].lines : "", sources[i].lines_len, 3);
		if (ZSTD_isError(n)) {
			error_set("compressing source %s: %s", sources[i].name, ZSTD_getErrorName(n));
			rc = ASEC_ERROR;
			goto out;
		}
		job.packed_len[i] = n;
	}
	rc = db_transaction(pool, DB_READ_COMMITTED, replace_tx, &job);
out:
	for (i = 0; job.packed && i < count; i++)
		free(job.packed[i]);
	free(job.packed);
	free(job.packed_len);
	if (rc == ASEC_ENOMEM)
		error_set("out of memory storing sources");
	return rc;
}

static int unpack(char **out, size_t *out_len, const void *data, size_t len)
{
	unsigned long long size = ZSTD_getFrameContentSize(data, len);
	size_t n;

	*out = NULL;
	if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > STORE_MAX_LINES_BYTES) {
		error_set("a stored source is damaged (no valid zstd frame)");
		return ASEC_EINVALID;
	}
	if (!(*out = malloc((size_t)size + 1)))
		return ASEC_ENOMEM;
	n = ZSTD_decompress(*out, (size_t)size + 1, data, len);
	if (ZSTD_isError(n) || n != size) {
		free(*out);
		*out = NULL;
		error_set("a stored source is damaged (%s)", ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short");
		return ASEC_EINVALID;
	}
	(*out)[n] = '\0';
	*out_len = n;
	return ASEC_OK;
}

int store_vulns_load(struct db_pool *pool, int (*fn)(void *ctx, const struct store_source *source), void *ctx)
{
	PGconn *conn = NULL;
	PGresult *names = NULL;
	int rc, i;

	if ((rc = db_query(&names, pool, "SELECT name FROM vuln_sources ORDER BY updated_at, name", 0, NULL)))
		return rc;
	if ((rc = db_acquire(&conn, pool)))
		goto out;
	/* one source at a time, so that only one is ever decompressed in memory */
	for (i = 0; i < PQntuples(names) && !rc; i++) {
		const char *params[1] = {PQgetvalue(names, i, 0)};
		PGresult *res = PQexecParams(conn,
					     "SELECT name, format, records, skipped, etag, last_modified, data_date, url,"
					     " to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), data"
					     " FROM vuln_sources WHERE name = $1",
					     1, NULL, params, NULL, NULL, 1);
		struct store_source s;
		char *lines = NULL;
		size_t lines_len = 0;
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			error_set("loading source %s: %s", params[0], PQerrorMessage(conn));
			PQclear(res);
			rc = ASEC_EIO;
			break;
		}
		if (PQntuples(res) == 1) {
			/* binary results: text columns arrive as their bytes, bigints in network order */
			const unsigned char *r = (const unsigned char *)PQgetvalue(res, 0, 2);
			const unsigned char *k = (const unsigned char *)PQgetvalue(res, 0, 3);
			unsigned long long records = 0, skipped = 0;
			int b;
			for (b = 0; b < 8; b++) {
				records = records << 8 | r[b];
				skipped = skipped << 8 | k[b];
			}
			if ((rc = unpack(&lines, &lines_len, PQgetvalue(res, 0, 9), (size_t)PQgetlength(res, 0, 9)))) {
				error_prefix("source %s", params[0]);
			} else {
				s = (struct store_source){
					.name = PQgetvalue(res, 0, 0), .format = PQgetvalue(res, 0, 1),
					.records = (size_t)records, .skipped = (size_t)skipped,
					.etag = PQgetvalue(res, 0, 4), .last_modified = PQgetvalue(res, 0, 5),
					.data_date = PQgetvalue(res, 0, 6), .url = PQgetvalue(res, 0, 7),
					.updated_at = PQgetvalue(res, 0, 8), .lines = lines, .lines_len = lines_len,
				};
				rc = fn(ctx, &s);
			}
		}
		free(lines);
		PQclear(res);
	}
out:
	if (conn)
		db_release(pool, conn);
	PQclear(names);
	return rc;
}

int store_vulns_metadata(json_t **out, struct db_pool *pool)
{
	PGresult *res = NULL;
	json_t *sources = json_array();
	const char *last = "";
	int rc, i;

	*out = NULL;
	rc = db_query(&res, pool,
		      "SELECT name, format, records, skipped, etag, last_modified, data_date, url,"
		      " to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS updated"
		      " FROM vuln_sources ORDER BY name",
		      0, NULL);
	if (rc)
		goto out;
	for (i = 0; i < PQntuples(res); i++) {
		const char *updated = PQgetvalue(res, i, 8);
		json_t *s = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s}", "name", PQgetvalue(res, i, 0), "format",
				      PQgetvalue(res, i, 1), "records", (json_int_t)strtoll(PQgetvalue(res, i, 2), NULL, 10),
				      "skipped", (json_int_t)strtoll(PQgetvalue(res, i, 3), NULL, 10), "updatedAt", updated,
				      "etag", PQgetvalue(res, i, 4));
		if (!s) {
			rc = ASEC_ENOMEM;
			goto out;
		}
		if (PQgetvalue(res, i, 5)[0])
			json_object_set_new(s, "lastModified", json_string(PQgetvalue(res, i, 5)));
		if (PQgetvalue(res, i, 6)[0])
			json_object_set_new(s, "dataDate", json_string(PQgetvalue(res, i, 6)));
		if (PQgetvalue(res, i, 7)[0])
			json_object_set_new(s, "url", json_string(PQgetvalue(res, i, 7)));
		if (strcmp(updated, last) > 0)
			last = updated;
		json_array_append_new(sources, s);
	}
	*out = json_pack("{s:s, s:O}", "lastVulnerabilityUpdate", last, "sources", sources);
	if (!*out)
		rc = ASEC_ENOMEM;
out:
	json_decref(sources);
	PQclear(res);
	if (rc == ASEC_ENOMEM)
		error_set("out of memory");
	return rc;
}

int store_vulns_fetch_state(char **etag, char **last_modified, long long *updated_at, struct db_pool *pool,
			    const char *name)
{
	PGresult *res = NULL;
	const char *params[1] = {name};
	int rc;

	*etag = *last_modified = NULL;
	*updated_at = 0;
	rc = db_query(&res, pool,
		      "SELECT etag, last_modified, extract(epoch FROM updated_at)::bigint FROM vuln_sources WHERE name = $1",
		      1, params);
	if (rc)
		return rc;
	*etag = strdup(PQntuples(res) ? PQgetvalue(res, 0, 0) : "");
	*last_modified = strdup(PQntuples(res) ? PQgetvalue(res, 0, 1) : "");
	if (PQntuples(res))
		*updated_at = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	PQclear(res);
	if (!*etag || !*last_modified) {
		free(*etag);
		free(*last_modified);
		*etag = *last_modified = NULL;
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	return ASEC_OK;
}

/* ---- what a running matcher asks to notice other processes' imports ---- */

/* updated_at to the microsecond: two imports of one source a second apart
 * must not look the same to a process comparing versions. */
#define VERSION_SQL "to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

int store_vulns_versions(struct db_pool *pool, int (*fn)(void *ctx, const char *name, const char *version), void *ctx)
{
	PGresult *res = NULL;
	int rc, i;

	if ((rc = db_query(&res, pool, "SELECT name, " VERSION_SQL " FROM vuln_sources ORDER BY name", 0, NULL)))
		return rc;
	for (i = 0; i < PQntuples(res) && !rc; i++)
		rc = fn(ctx, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
	PQclear(res);
	return rc;
}

/* A bigint column of a binary result (network order). */
static int binary_bigint(unsigned long long *out, const PGresult *res, int column)
{
	const unsigned char *p = (const unsigned char *)PQgetvalue(res, 0, column);
	int b;

	*out = 0;
	if (PQgetlength(res, 0, column) != 8)
		return ASEC_EINVALID;
	for (b = 0; b < 8; b++)
		*out = *out << 8 | p[b];
	return ASEC_OK;
}

int store_vulns_load_one(struct db_pool *pool, const char *name,
			 int (*fn)(void *ctx, const struct store_source *source), void *ctx)
{
	const char *params[1] = {name};
	PGconn *conn = NULL;
	PGresult *res = NULL;
	unsigned long long records = 0, skipped = 0;
	struct store_source s;
	char *lines = NULL;
	size_t lines_len = 0;
	int rc;

	if ((rc = db_acquire(&conn, pool)))
		return rc;
	res = PQexecParams(conn,
			   "SELECT name, format, records, skipped, etag, last_modified, data_date, url, " VERSION_SQL
			   ", data FROM vuln_sources WHERE name = $1",
			   1, NULL, params, NULL, NULL, 1);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		error_set("loading source %s: %s", name, PQerrorMessage(conn));
		rc = ASEC_EIO;
		goto out;
	}
	if (PQntuples(res) != 1) {
		error_set("no stored source is called %s", name);
		rc = ASEC_ENOTFOUND;
		goto out;
	}
	if (binary_bigint(&records, res, 2) || binary_bigint(&skipped, res, 3)) {
		error_set("source %s: its record counts are damaged", name);
		rc = ASEC_EINVALID;
		goto out;
	}
	if ((rc = unpack(&lines, &lines_len, PQgetvalue(res, 0, 9), (size_t)PQgetlength(res, 0, 9)))) {
		if (rc == ASEC_ENOMEM)
			error_set("out of memory loading source %s", name);
		else
			error_prefix("source %s", name);
		goto out;
	}
	s = (struct store_source){
		.name = PQgetvalue(res, 0, 0), .format = PQgetvalue(res, 0, 1),
		.records = (size_t)records, .skipped = (size_t)skipped,
		.etag = PQgetvalue(res, 0, 4), .last_modified = PQgetvalue(res, 0, 5),
		.data_date = PQgetvalue(res, 0, 6), .url = PQgetvalue(res, 0, 7),
		.updated_at = PQgetvalue(res, 0, 8), .lines = lines, .lines_len = lines_len,
	};
	/* the connection goes back before fn, which may take long (building a
	 * partition); the result lives on without it */
	db_release(pool, conn);
	conn = NULL;
	rc = fn(ctx, &s);
out:
	if (conn)
		db_release(pool, conn);
	PQclear(res);
	free(lines);
	return rc;
}

int store_vulns_source_url(char **url, struct db_pool *pool, const char *name)
{
	PGresult *res = NULL;
	const char *params[1] = {name};
	int rc;

	*url = NULL;
	if ((rc = db_query(&res, pool, "SELECT url FROM vuln_sources WHERE name = $1", 1, params)))
		return rc;
	*url = strdup(PQntuples(res) ? PQgetvalue(res, 0, 0) : "");
	PQclear(res);
	if (!*url) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	return ASEC_OK;
}
