/*
 * importer.h - turning uploaded or local files into sources of records.
 *
 * What arrives is one file: an offline bundle (zip or tar, optionally gzip-
 * or zstd-compressed, with a manifest.json naming its sources, their
 * formats, dates and each file's SHA-256), an archive of records of one
 * source (say a zip of OSV JSON files), or one native feed file, possibly
 * compressed. The command also takes a directory, each file of which is a
 * source of its own. The importer finds each file's format (from the
 * manifest, else by looking at it), runs its parser, and gathers every
 * source's canonical records twice over: as JSON Lines for the store and as
 * a vulndata partition for the in-memory index. Nothing is stored until
 * every file has been read: a bundle with a bad checksum or an unreadable
 * file changes nothing (import_commit then writes all sources in one
 * transaction and swaps them into the index at once).
 *
 * The bundle format is documented in docs/vulnerability-bundles.md.
 */
#ifndef ASEC_IMPORTER_H
#define ASEC_IMPORTER_H

#include <stddef.h>

#include <jansson.h>

#include "vulndata.h"

struct db_pool;

/* Largest single file (after decompression) and largest import in total. */
#define IMPORT_MAX_FILE_BYTES (1024ull * 1024 * 1024)
#define IMPORT_MAX_TOTAL_BYTES (4096ull * 1024 * 1024)
/* Skips kept with their reasons per source (all are counted). */
#define IMPORT_MAX_SKIPS_LISTED 100

struct import_batch;

struct import_source_info {
	const char *etag, *last_modified, *url; /* what an updater knows; NULL otherwise */
};

int import_batch_new(struct import_batch **out);
/* Lowers the per-file and per-import byte limits (0 keeps one): tests and
 * fuzzing bound their memory this way. */
void import_batch_set_limits(struct import_batch *b, unsigned long long max_file, unsigned long long max_total);
void import_batch_free(struct import_batch *b);

/* Reads one file's bytes. name is its file name (used to name the source
 * and, for some formats, to tell them apart); source, when not NULL, names
 * the source instead. Returns ASEC_OK, or ASEC_EINVALID with error_set()
 * when the file is of no known format or a bundle is inconsistent. */
int import_add_buffer(struct import_batch *b, const void *data, size_t len, const char *name, const char *source);

/* A file or a directory (every regular file below it, each its own source
 * unless it is a bundle). */
int import_add_path(struct import_batch *b, const char *path, const char *source);

/* Sets what an updater knows about the (only) source of the batch. */
void import_set_source_info(struct import_batch *b, const struct import_source_info *info);

/* Stores every source of the batch in one transaction, then makes the
 * new partitions current in holder. *result gets the ImportResult JSON.
 * pool may be NULL (tests and benchmarks: index only). */
int import_commit(json_t **result, struct import_batch *b, struct db_pool *pool, struct vulndata_holder *holder);

/* Adds canonical records (JSON Lines, as the store keeps them) to source
 * in the batch: how an incremental update keeps a source's older records. */
int import_add_canonical(struct import_batch *b, const char *source, const char *format, const char *lines,
			 size_t len);

/* The parser of a format ("osv", "nvd", ...), NULL when unknown. */
#include "feeds/feed.h"
typedef int (*import_parse_fn)(const char *name, const char *data, size_t len, const struct feed_sink *sink);
import_parse_fn import_parser(const char *format);

/* Replaces holder's snapshot with everything the store holds (at start).
 * *records gets the number of records loaded. */
int import_load_store(size_t *records, struct db_pool *pool, struct vulndata_holder *holder);

/* The format of a file by its name and first bytes ("osv", "nvd", ...),
 * NULL when unknown. */
const char *import_detect_format(const char *name, const char *data, size_t len);

#endif
