/*
 * rpmdb.h - the three containers rpm keeps its header blobs in.
 *
 *   Packages      BerkeleyDB hash database (RHEL <= 8, CentOS, Amazon Linux 2)
 *   Packages.db   rpm's own "NDB" format (SUSE)
 *   rpmdb.sqlite  SQLite (Fedora >= 33, RHEL 9, CBL-Mariner)
 *
 * Each reader walks a whole database held in memory and hands every header
 * blob it finds to a callback, in storage order. A blob is only valid during
 * the call. The readers know nothing about packages; rpm.c turns blobs into
 * packages. They are written for hostile input: every offset, page number and
 * length comes from the file and is checked before use, every chain of pages
 * is followed at most once, and a damaged part of the database becomes a note
 * (in out, prefixed with path) while the rest is still read.
 *
 * Return values: ASEC_OK when the database was walked (notes may say parts
 * were skipped); ASEC_EINVALID with error_set() when the file is not such a
 * database or its framing is unusable; ASEC_ENOMEM; or the first non-zero
 * value the callback returned, which also stops the walk.
 */
#ifndef ASEC_INDEXER_RPMDB_H
#define ASEC_INDEXER_RPMDB_H

#include <stddef.h>

#include "detectors/detector.h"

typedef int (*rpmdb_blob_fn)(void *ctx, const unsigned char *blob, size_t len);

enum rpmdb_kind { RPMDB_UNKNOWN, RPMDB_BDB, RPMDB_NDB, RPMDB_SQLITE };

/* Tells the formats apart by their magic numbers, never by file name. */
enum rpmdb_kind rpmdb_sniff(const unsigned char *data, size_t len);

/* BerkeleyDB hash, either byte order, pages of 512 bytes to 64 KiB. */
int rpmbdb_read(struct scan_out *out, const char *path, const unsigned char *data, size_t len,
		rpmdb_blob_fn fn, void *ctx);

/* NDB Packages.db: slot pages, then checksummed blobs. */
int rpmndb_read(struct scan_out *out, const char *path, const unsigned char *data, size_t len,
		rpmdb_blob_fn fn, void *ctx);

/* SQLite: the blob column of table Packages, opened from a private in-memory
 * copy (sqlite3_deserialize, read-only, no extensions, views and triggers
 * off, bounded lengths and work). */
int rpmsqlite_read(struct scan_out *out, const char *path, const unsigned char *data, size_t len,
		   rpmdb_blob_fn fn, void *ctx);

#endif
