/*
 * rpmndb.c - reads rpm header blobs out of an NDB "Packages.db", the format
 * rpm's ndb backend (lib/backend/ndb/rpmpkg.c) writes and SUSE ships.
 *
 * Everything is little-endian and counted in 16-byte blocks:
 *
 *   offset 0      file header: "RpmP", version 0, generation, number of
 *                 4 KiB slot pages, next package index (32 bytes)
 *   then          16-byte slots up to the end of the slot pages: "Slot",
 *                 package index, block offset, block count (offset 0 = free)
 *   blob          "BlbS", package index, generation, length; the header
 *                 blob; padding; then a 12-byte tail: adler32 of everything
 *                 before the tail, length again, "BlbE"
 *
 * Each slot is checked against its blob (magic at both ends, the same index
 * and length twice, the checksum), as rpm does, so a blob that moved or was
 * half-written is skipped with a note instead of misread. The checksum is
 * also what keeps the cost linear: the total number of bytes checksummed is
 * capped at the file size, so slots that all point at one huge blob cannot
 * make us hash it a million times.
 */
#include "detectors/rpmdb.h"

#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "error/error.h"

#define NDB_PAGE 4096u
#define NDB_HEADER 32u
#define NDB_SLOT 16u
#define NDB_BLOCK 16u
#define NDB_BLOB_HEAD 16u
#define NDB_BLOB_TAIL 12u
#define NDB_STOP 1 /* internal: stop the walk without an error (callbacks return <= 0) */

#define NDB_MAGIC(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define NDB_PKGDB_MAGIC NDB_MAGIC('R', 'p', 'm', 'P')
#define NDB_SLOT_MAGIC NDB_MAGIC('S', 'l', 'o', 't')
#define NDB_BLOB_MAGIC NDB_MAGIC('B', 'l', 'b', 'S')
#define NDB_TAIL_MAGIC NDB_MAGIC('B', 'l', 'b', 'E')

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

struct ndb {
	struct scan_out *out;
	const char *path;
	const unsigned char *data;
	size_t len;
	uint64_t slot_end;        /* end of the slot pages; blobs start after it */
	uint64_t checksum_budget; /* bytes we may still checksum */
	rpmdb_blob_fn fn;
	void *ctx;
};

static int ndb_blob(struct ndb *db, uint32_t pkgidx, uint32_t blkoff, uint32_t blkcnt)
{
	uint64_t start = (uint64_t)blkoff * NDB_BLOCK, size = (uint64_t)blkcnt * NDB_BLOCK;
	const unsigned char *b, *tail;
	uint32_t hlen;

	if (start < db->slot_end || size < NDB_BLOB_HEAD + NDB_BLOB_TAIL || start > db->len ||
	    size > db->len - start) {
		scan_note(db->out, "%s: NDB package %u: blob at block %u (+%u) lies outside the data area", db->path,
			  pkgidx, blkoff, blkcnt);
		return ASEC_OK;
	}
	b = db->data + start;
	tail = b + size - NDB_BLOB_TAIL;
	hlen = le32(b + 12);
	if (le32(b) != NDB_BLOB_MAGIC || le32(b + 4) != pkgidx || le32(tail + 8) != NDB_TAIL_MAGIC ||
	    le32(tail + 4) != hlen || hlen > size - NDB_BLOB_HEAD - NDB_BLOB_TAIL) {
		scan_note(db->out, "%s: NDB package %u: blob framing is damaged", db->path, pkgidx);
		return ASEC_OK;
	}
	if (size - NDB_BLOB_TAIL > db->checksum_budget) {
		scan_note(db->out, "%s: NDB package %u: blobs overlap; the rest of the database is skipped", db->path,
			  pkgidx);
		return NDB_STOP;
	}
	db->checksum_budget -= size - NDB_BLOB_TAIL;
	if (adler32_z(adler32_z(0, NULL, 0), b, (size_t)(size - NDB_BLOB_TAIL)) != le32(tail)) {
		scan_note(db->out, "%s: NDB package %u: blob checksum mismatch", db->path, pkgidx);
		return ASEC_OK;
	}
	return db->fn(db->ctx, b + NDB_BLOB_HEAD, hlen);
}

int rpmndb_read(struct scan_out *out, const char *path, const unsigned char *data, size_t len,
		rpmdb_blob_fn fn, void *ctx)
{
	struct ndb db;
	uint32_t slot_pages;
	uint64_t off, slots_in_file;
	unsigned bad_slots = 0;
	int rc = ASEC_OK;

	memset(&db, 0, sizeof(db));
	db.out = out;
	db.path = path;
	db.data = data;
	db.len = len;
	db.checksum_budget = len;
	db.fn = fn;
	db.ctx = ctx;
	if (len < NDB_HEADER || le32(data) != NDB_PKGDB_MAGIC) {
		error_set("not an NDB package database (bad magic)");
		return ASEC_EINVALID;
	}
	if (le32(data + 4) != 0) {
		error_set("NDB package database version %u is not supported", le32(data + 4));
		return ASEC_EINVALID;
	}
	slot_pages = le32(data + 12);
	if (slot_pages == 0) {
		error_set("NDB package database has no slot pages");
		return ASEC_EINVALID;
	}
	db.slot_end = (uint64_t)slot_pages * NDB_PAGE;
	slots_in_file = db.slot_end;
	if (slots_in_file > len) {
		scan_note(out, "%s: NDB file is truncated (%u slot pages, %zu bytes)", path, slot_pages, len);
		slots_in_file = len - len % NDB_SLOT;
	}
	for (off = NDB_HEADER; off + NDB_SLOT <= slots_in_file; off += NDB_SLOT) {
		const unsigned char *s = data + off;

		if (le32(s) != NDB_SLOT_MAGIC) {
			if (bad_slots++ == 0)
				scan_note(out, "%s: NDB slot at offset %llu has a bad magic", path,
					  (unsigned long long)off);
			continue;
		}
		if (le32(s + 8) == 0) /* free slot */
			continue;
		rc = ndb_blob(&db, le32(s + 4), le32(s + 8), le32(s + 12));
		if (rc == NDB_STOP) {
			rc = ASEC_OK;
			break;
		}
		if (rc)
			break;
	}
	if (bad_slots > 1)
		scan_note(out, "%s: %u NDB slots had a bad magic", path, bad_slots);
	return rc;
}
