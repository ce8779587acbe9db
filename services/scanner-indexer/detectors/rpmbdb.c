/*
 * rpmbdb.c - reads rpm header blobs out of a BerkeleyDB hash database, the
 * "Packages" file of RHEL 5-8, CentOS and Amazon Linux 2.
 *
 * No libdb: the format is simple enough to read directly and libdb is built
 * to trust its files. The layout (libdb's dbinc/db_page.h):
 *
 *   page 0        hash meta page: magic 0x061561 at offset 12, whose byte
 *                 order tells the file's byte order, page size, last page
 *   hash pages    26-byte header, then an array of 16-bit item offsets
 *                 growing up while the items grow down from the page end;
 *                 items pair up as key, data
 *   overflow      values too big for a hash page live in a chain of
 *                 overflow pages; the data item then holds the first page
 *                 number and the total length
 *
 * Rather than hashing keys and walking buckets, we visit every page once, in
 * file order, and take the data item of every key/data pair on a hash page:
 * rpm's Packages database holds nothing but header blobs (plus record 0, a
 * counter, skipped), so every value is a package. This is also how libdb's
 * own salvage works, and it is immune to a damaged bucket table.
 *
 * Overflow chains come from the file, so they may loop or be shared by two
 * items. Each overflow page may be consumed once per file (a byte map records
 * it); a second visit ends that chain with a note. That bounds the whole walk
 * to one pass over the file however the chains are linked.
 */
#include "detectors/rpmdb.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"

#define BDB_HASHMAGIC 0x061561u
#define BDB_BTREEMAGIC 0x053162u
#define BDB_PAGE_HEADER 26u
#define BDB_META_MIN 512u
#define BDB_MAX_PAGESIZE 65536u

enum { P_HASH_UNSORTED = 2, P_OVERFLOW = 7, P_HASHMETA = 8, P_HASH = 13 };
enum { H_KEYDATA = 1, H_DUPLICATE = 2, H_OFFPAGE = 3, H_OFFDUP = 4 };
#define BDB_OFFPAGE_SIZE 12u    /* type, 3 unused, pgno, total length */
#define DBMETA_CHKSUM 0x01

struct bdb {
	struct scan_out *out;
	const char *path;
	const unsigned char *data;
	size_t len;
	int big_endian;
	uint32_t pagesize;
	uint32_t npages;
	unsigned char *used;      /* overflow pages already consumed, lazily allocated */
	unsigned char *buf;       /* reassembled overflow value */
	size_t bufcap;
	rpmdb_blob_fn fn;
	void *ctx;
};

static uint32_t load32(const unsigned char *p, int big)
{
	if (big)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t load16(const unsigned char *p, int big)
{
	return big ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static const unsigned char *bdb_page(const struct bdb *db, uint32_t pgno)
{
	return db->data + (size_t)pgno * db->pagesize;
}

static int bdb_open(struct bdb *db)
{
	const unsigned char *m = db->data;
	uint32_t version, last;

	if (db->len < BDB_META_MIN) {
		error_set("%zu bytes, shorter than a BerkeleyDB meta page", db->len);
		return ASEC_EINVALID;
	}
	if (load32(m + 12, 0) == BDB_HASHMAGIC) {
		db->big_endian = 0;
	} else if (load32(m + 12, 1) == BDB_HASHMAGIC) {
		db->big_endian = 1;
	} else if (load32(m + 12, 0) == BDB_BTREEMAGIC || load32(m + 12, 1) == BDB_BTREEMAGIC) {
		error_set("a BerkeleyDB btree, not the hash database rpm writes");
		return ASEC_EINVALID;
	} else {
		error_set("not a BerkeleyDB hash database (bad magic)");
		return ASEC_EINVALID;
	}
	/* Hash format versions 7 to 10 (libdb 3.x to 6.x) share the page layout. */
	version = load32(m + 16, db->big_endian);
	if (version < 7 || version > 10) {
		error_set("BerkeleyDB hash version %u is not supported", version);
		return ASEC_EINVALID;
	}
	db->pagesize = load32(m + 20, db->big_endian);
	if (db->pagesize < BDB_META_MIN || db->pagesize > BDB_MAX_PAGESIZE ||
	    (db->pagesize & (db->pagesize - 1)) != 0) {
		error_set("BerkeleyDB page size %u is not a power of two from 512 to 65536", db->pagesize);
		return ASEC_EINVALID;
	}
	if (m[24] != 0) {
		error_set("the BerkeleyDB database is encrypted");
		return ASEC_EINVALID;
	}
	if (m[25] != P_HASHMETA) {
		error_set("BerkeleyDB page 0 has type %u, not a hash meta page", m[25]);
		return ASEC_EINVALID;
	}
	/* Checksummed pages shift the item array; rpm never enables them. */
	if (m[26] & DBMETA_CHKSUM) {
		error_set("the BerkeleyDB database has page checksums, which rpm never uses");
		return ASEC_EINVALID;
	}
	if (db->len / db->pagesize > UINT32_MAX) {
		error_set("BerkeleyDB database of %zu bytes has too many pages", db->len);
		return ASEC_EINVALID;
	}
	db->npages = (uint32_t)(db->len / db->pagesize);
	if (db->npages == 0) {
		error_set("%zu bytes, shorter than one %u-byte BerkeleyDB page", db->len, db->pagesize);
		return ASEC_EINVALID;
	}
	last = load32(m + 32, db->big_endian);
	if (last >= db->npages)
		scan_note(db->out, "%s: BerkeleyDB file is truncated (last page %u, %u whole pages in the file)",
			  db->path, last, db->npages);
	else
		db->npages = last + 1; /* pages past the last one are preallocated space */
	return ASEC_OK;
}

static int bdb_grow(struct bdb *db, size_t need)
{
	unsigned char *grown;

	if (need <= db->bufcap)
		return ASEC_OK;
	grown = realloc(db->buf, need);
	if (!grown) {
		error_set("out of memory reassembling a %zu-byte BerkeleyDB value", need);
		return ASEC_ENOMEM;
	}
	db->buf = grown;
	db->bufcap = need;
	return ASEC_OK;
}

/* Follows one overflow chain and hands the value to the callback. A broken
 * chain is a note, not an error: the next item may be fine. */
static int bdb_overflow(struct bdb *db, uint32_t from, uint32_t first, uint32_t total)
{
	uint32_t pg = first;
	size_t got = 0;
	int rc;

	if (total == 0 || total > db->len) {
		scan_note(db->out, "%s: BerkeleyDB page %u: overflow item claims %u bytes", db->path, from, total);
		return ASEC_OK;
	}
	if (!db->used) {
		db->used = calloc(db->npages, 1);
		if (!db->used) {
			error_set("out of memory tracking %u BerkeleyDB pages", db->npages);
			return ASEC_ENOMEM;
		}
	}
	rc = bdb_grow(db, total);
	if (rc)
		return rc;
	while (got < total) {
		const unsigned char *p;
		uint32_t n;

		if (pg == 0 || pg >= db->npages) {
			scan_note(db->out, "%s: BerkeleyDB page %u: overflow chain leads to page %u, outside the file",
				  db->path, from, pg);
			return ASEC_OK;
		}
		if (db->used[pg]) {
			scan_note(db->out, "%s: BerkeleyDB page %u: overflow chain reaches page %u a second time",
				  db->path, from, pg);
			return ASEC_OK;
		}
		db->used[pg] = 1;
		p = bdb_page(db, pg);
		n = load16(p + 22, db->big_endian); /* on overflow pages: bytes held */
		if (p[25] != P_OVERFLOW || load32(p + 8, db->big_endian) != pg || n == 0 ||
		    n > db->pagesize - BDB_PAGE_HEADER || n > total - got) {
			scan_note(db->out, "%s: BerkeleyDB page %u: overflow page %u is damaged", db->path, from, pg);
			return ASEC_OK;
		}
		memcpy(db->buf + got, p + BDB_PAGE_HEADER, n);
		got += n;
		pg = load32(p + 16, db->big_endian);
	}
	return db->fn(db->ctx, db->buf, total);
}

/* rpm keeps a counter under key 0; it is not a package. */
static int bdb_is_record_zero(const unsigned char *key, size_t key_len)
{
	static const unsigned char zero[4];

	return key[0] == H_KEYDATA && key_len == 5 && memcmp(key + 1, zero, 4) == 0;
}

static int bdb_hash_page(struct bdb *db, uint32_t pgno)
{
	const unsigned char *p = bdb_page(db, pgno);
	uint32_t entries, i, lowest;
	int rc;

	if (load32(p + 8, db->big_endian) != pgno) {
		scan_note(db->out, "%s: BerkeleyDB page %u says it is page %u; skipped", db->path, pgno,
			  load32(p + 8, db->big_endian));
		return ASEC_OK;
	}
	entries = load16(p + 20, db->big_endian);
	if (BDB_PAGE_HEADER + 2 * entries > db->pagesize) {
		scan_note(db->out, "%s: BerkeleyDB page %u claims %u items; skipped", db->path, pgno, entries);
		return ASEC_OK;
	}
	lowest = BDB_PAGE_HEADER + 2 * entries; /* items sit above the offset array */
	if (entries % 2) {
		scan_note(db->out, "%s: BerkeleyDB page %u has an odd number of items", db->path, pgno);
		entries--;
	}
	for (i = 0; i < entries; i += 2) {
		/* Item i ends where item i-1 begins (the first ends at the page end),
		 * so offsets must strictly decrease: that keeps items disjoint. */
		uint32_t key_end = i == 0 ? db->pagesize : load16(p + BDB_PAGE_HEADER + 2 * (i - 1), db->big_endian);
		uint32_t key_off = load16(p + BDB_PAGE_HEADER + 2 * i, db->big_endian);
		uint32_t data_off = load16(p + BDB_PAGE_HEADER + 2 * (i + 1), db->big_endian);
		const unsigned char *item;
		size_t item_len;

		if (key_end > db->pagesize || key_off < lowest || key_off >= key_end || data_off < lowest ||
		    data_off >= key_off) {
			scan_note(db->out, "%s: BerkeleyDB page %u: item %u lies outside the page; rest skipped",
				  db->path, pgno, i);
			return ASEC_OK;
		}
		item = p + data_off;
		item_len = key_off - data_off;
		switch (item[0]) {
		case H_KEYDATA:
			if (bdb_is_record_zero(p + key_off, key_end - key_off))
				break;
			rc = db->fn(db->ctx, item + 1, item_len - 1);
			if (rc)
				return rc;
			break;
		case H_OFFPAGE:
			if (item_len < BDB_OFFPAGE_SIZE) {
				scan_note(db->out, "%s: BerkeleyDB page %u: item %u is too short", db->path, pgno,
					  i + 1);
				break;
			}
			rc = bdb_overflow(db, pgno, load32(item + 4, db->big_endian),
					  load32(item + 8, db->big_endian));
			if (rc)
				return rc;
			break;
		case H_DUPLICATE:
		case H_OFFDUP:
			scan_note(db->out, "%s: BerkeleyDB page %u: duplicate sets are not used by rpm; skipped",
				  db->path, pgno);
			break;
		default:
			scan_note(db->out, "%s: BerkeleyDB page %u: item %u has unknown type %u", db->path, pgno,
				  i + 1, item[0]);
			break;
		}
	}
	return ASEC_OK;
}

int rpmbdb_read(struct scan_out *out, const char *path, const unsigned char *data, size_t len,
		rpmdb_blob_fn fn, void *ctx)
{
	struct bdb db;
	uint32_t pg;
	int rc;

	memset(&db, 0, sizeof(db));
	db.out = out;
	db.path = path;
	db.data = data;
	db.len = len;
	db.fn = fn;
	db.ctx = ctx;
	rc = bdb_open(&db);
	if (rc)
		goto out;
	for (pg = 1; pg < db.npages; pg++) {
		unsigned type = bdb_page(&db, pg)[25];

		if (type != P_HASH && type != P_HASH_UNSORTED)
			continue;
		rc = bdb_hash_page(&db, pg);
		if (rc)
			goto out;
	}
out:
	free(db.used);
	free(db.buf);
	return rc;
}
