/*
 * store_vulns.h - the matcher's SQL: vulnerability sources in Scanner DB.
 *
 * A source's records are stored together, as one zstd-compressed JSON
 * Lines value in the source's row: the matcher only ever reads a source
 * whole (to build its in-memory partition at start) and replaces it whole
 * (an import), so one row per source makes both one statement, keeps the
 * data a tenth of its JSON size, and makes the replacement of several
 * sources one short transaction - the reason readers and a crash never see
 * half an import.
 */
#ifndef ASEC_STORE_VULNS_H
#define ASEC_STORE_VULNS_H

#include <stddef.h>

#include <jansson.h>

struct db_pool;

struct store_source {
	const char *name, *format;
	size_t records, skipped;
	const char *etag, *last_modified, *data_date, *url; /* NULL = "" */
	const char *updated_at;                            /* loads only: RFC 3339 */
	const char *lines;                                 /* JSON Lines of canonical records */
	size_t lines_len;
};

int store_vulns_migrate(struct db_pool *pool);

/* Replaces (or adds) every source given, in one transaction. */
int store_vulns_replace(struct db_pool *pool, const struct store_source *sources, size_t count);

/* Calls fn with each stored source, its records decompressed (valid only
 * during the call), in the order they were last updated. */
int store_vulns_load(struct db_pool *pool, int (*fn)(void *ctx, const struct store_source *source), void *ctx);

/* The MatcherMetadata JSON: last update and every source's state. */
int store_vulns_metadata(json_t **out, struct db_pool *pool);

/* What an updater sent last time: its ETag and Last-Modified ("" when the
 * source was never fetched) and when it was updated (Unix seconds, 0). */
int store_vulns_fetch_state(char **etag, char **last_modified, long long *updated_at, struct db_pool *pool,
			    const char *name);

/* Calls fn with every stored source's name and version: the time it was
 * last replaced, to the microsecond ("2026-08-21T10:15:02.123456Z"). A
 * process compares versions to find the sources another process (the
 * import command, another replica) changed. */
int store_vulns_versions(struct db_pool *pool, int (*fn)(void *ctx, const char *name, const char *version),
			 void *ctx);

/* Calls fn with the one source called name, as store_vulns_load() would,
 * except that its updated_at is the version store_vulns_versions() gives.
 * ASEC_ENOTFOUND when no source has that name. */
int store_vulns_load_one(struct db_pool *pool, const char *name,
			 int (*fn)(void *ctx, const struct store_source *source), void *ctx);

/* The URL a source was last fetched from ("" when it never was, or there
 * is no such source): validators are only worth sending to the same URL. */
int store_vulns_source_url(char **url, struct db_pool *pool, const char *name);

#endif
