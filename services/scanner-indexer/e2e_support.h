/*
 * e2e_support.h - helpers shared by the scanner-indexer's end-to-end tests
 * (indexer_e2e_test.c, rootfs_e2e_test.c, fixtures_e2e_test.c,
 * hostile_e2e_test.c). Test-only: include it from a cmocka test after its
 * other headers (see the last paragraph), never from the service.
 *
 * Header-only (static inline) so that each test stays one source file with
 * no extra CMake target; a helper a test does not call costs it nothing. The
 * ideas the tests rest on and this keeps in one place:
 *
 *   - they run against a real PostgreSQL and docker-registry named by
 *     ASEC_TEST_DATABASE_URL and ASEC_TEST_REGISTRY, and skip (77) without
 *     them - or fail under CI, where a silent skip would hide a broken job;
 *   - every run has an id of its own (e2e_run_id) that goes into its repos,
 *     labels and layers, so that a database or registry kept from an earlier
 *     run can never answer for this one;
 *   - images are built in memory: a growable buffer, a plain ustar writer
 *     for well-formed entries, gzip (and zstd) of a buffer. Tests that need
 *     other headers (pax, broken ones) keep their own writers on top of
 *     struct e2e_buf;
 *   - reports are read the way the spec shapes them: packages keyed by id
 *     under contents, per-package environments beside them.
 *
 * The helpers fail the running test (cmocka asserts) instead of returning
 * errors: a broken fixture is a broken test, never a case to handle. The
 * zstd helper exists only when the test has included <zstd.h>, the
 * layer-cache query only when it has included "db/db.h", the indexer's
 * setup only when it has also included "indexer.h" and "store_index.h", and
 * the quiet runner only with "log/log.h", so that tests not linking those
 * libraries need not have their headers.
 */
#ifndef ASEC_E2E_SUPPORT_H
#define ASEC_E2E_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <zlib.h>

#include "error/error.h"
#include "registry/testpush.h"
#include "testing/testing.h"

/* ---- the environment ---------------------------------------------------------------------- */

/*
 * Reads ASEC_TEST_DATABASE_URL and ASEC_TEST_REGISTRY (and `also`, another
 * variable the test needs, when not NULL; `why` says where it comes from).
 * Without them the process ends here: skipped, or failed under CI.
 */
static inline void e2e_require_env(const char **db_url, const char **registry, const char *also, const char *why)
{
	const char *extra = also ? getenv(also) : "-";

	*db_url = getenv("ASEC_TEST_DATABASE_URL");
	*registry = getenv("ASEC_TEST_REGISTRY");
	if (*db_url && (*db_url)[0] && *registry && (*registry)[0] && extra && extra[0])
		return;
	fprintf(stderr, "%s: needs %s%s%s%s%sASEC_TEST_DATABASE_URL and ASEC_TEST_REGISTRY (scripts/test.sh sets them)\n",
		testing_in_ci() ? "FAIL" : "SKIP", also ? also : "", also && why ? " (" : "", also && why ? why : "",
		also && why ? ")" : "", also ? ", " : "");
	exit(testing_in_ci() ? 1 : TESTING_SKIP);
}

/* "r<pid>-<seconds>": unique enough among runs sharing one registry. */
static inline void e2e_run_id(char *out, size_t size)
{
	snprintf(out, size, "r%d-%ld", (int)getpid(), (long)time(NULL));
}

/* ---- bytes -------------------------------------------------------------------------------- */

struct e2e_buf {
	unsigned char *data;
	size_t len, cap;
};

static inline void e2e_buf_put(struct e2e_buf *b, const void *data, size_t len)
{
	if (len == 0)
		return;
	assert_true(len <= SIZE_MAX / 2 - b->len);
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->len + len)
			cap *= 2;
		b->data = realloc(b->data, cap);
		assert_non_null(b->data);
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

static inline void e2e_buf_free(struct e2e_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* ---- a plain ustar writer ----------------------------------------------------------------- */

/* Octal digits filling width - 1 bytes, then NUL, as ustar numbers are. */
static inline void e2e_tar_octal(unsigned char *field, size_t width, uint64_t v)
{
	size_t i;

	assert_true(width - 1 >= 22 || v >> ((width - 1) * 3) == 0);
	field[width - 1] = '\0';
	for (i = width - 1; i > 0; i--, v >>= 3)
		field[i - 1] = (unsigned char)('0' + (v & 7));
}

/* One regular file (mode 0644, owner 0) of len bytes; data may be NULL when
 * len is 0. Names must fit ustar's 100 bytes: longer ones need pax, which a
 * test that wants them writes itself. */
static inline void e2e_tar_add(struct e2e_buf *tar, const char *name, const void *data, size_t len)
{
	static const unsigned char zero[512];
	unsigned char h[512];
	unsigned sum = 0;
	size_t i;

	assert_true(strlen(name) < 100);
	memset(h, 0, sizeof(h));
	memcpy(h, name, strlen(name));
	e2e_tar_octal(h + 100, 8, 0644);
	e2e_tar_octal(h + 108, 8, 0);
	e2e_tar_octal(h + 116, 8, 0);
	e2e_tar_octal(h + 124, 12, len);
	e2e_tar_octal(h + 136, 12, 0);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (i = 0; i < sizeof(h); i++)
		sum += h[i];
	/* Six digits, NUL, space: what GNU tar writes. */
	e2e_tar_octal(h + 148, 7, sum);
	e2e_buf_put(tar, h, sizeof(h));
	e2e_buf_put(tar, data, len);
	if (len % 512)
		e2e_buf_put(tar, zero, 512 - len % 512);
}

static inline void e2e_tar_add_text(struct e2e_buf *tar, const char *name, const char *text)
{
	e2e_tar_add(tar, name, text, strlen(text));
}

/* The two zero blocks that end an archive. */
static inline void e2e_tar_end(struct e2e_buf *tar)
{
	static const unsigned char zero[1024];

	e2e_buf_put(tar, zero, sizeof(zero));
}

/* ---- compression -------------------------------------------------------------------------- */

/*
 * One gzip member of data (level 6). A comment, when not NULL, goes into the
 * gzip header: carrying the run id there makes the layer's digest new in
 * every run while the tar inside stays the same, and a decoder must pass
 * over it.
 */
static inline void e2e_gzip(struct e2e_buf *out, const void *data, size_t len, const char *comment)
{
	gz_header header;
	z_stream z;

	/* zlib's one-shot counters are 32-bit. */
	assert_true(len <= UINT_MAX);
	memset(&z, 0, sizeof(z));
	memset(out, 0, sizeof(*out));
	assert_int_equal(deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
	if (comment) {
		memset(&header, 0, sizeof(header));
		header.comment = (Bytef *)comment;
		header.os = 3; /* Unix */
		assert_int_equal(deflateSetHeader(&z, &header), Z_OK);
	}
	out->cap = deflateBound(&z, (uLong)len) + 128;
	assert_true(out->cap <= UINT_MAX);
	out->data = malloc(out->cap);
	assert_non_null(out->data);
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)len;
	z.next_out = out->data;
	z.avail_out = (uInt)out->cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	out->len = out->cap - z.avail_out;
	deflateEnd(&z);
}

#ifdef ZSTD_VERSION_MAJOR
/*
 * A zstd frame of data at level 3 with a content checksum, as `zstd` and
 * buildkit write layers, then a skippable frame (magic 0x184D2A50, then the
 * payload size, little-endian) holding marker: the zstd counterpart of the
 * gzip comment above.
 */
static inline void e2e_zstd(struct e2e_buf *out, const void *data, size_t len, const char *marker)
{
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	unsigned char frame[8];
	size_t n, marker_len = strlen(marker), i;

	assert_non_null(cctx);
	assert_true(marker_len <= UINT32_MAX);
	assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 3)));
	assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)));
	memset(out, 0, sizeof(*out));
	out->cap = ZSTD_compressBound(len) + sizeof(frame) + marker_len;
	out->data = malloc(out->cap);
	assert_non_null(out->data);
	n = ZSTD_compress2(cctx, out->data, out->cap, data, len);
	if (ZSTD_isError(n))
		fail_msg("zstd: %s", ZSTD_getErrorName(n));
	ZSTD_freeCCtx(cctx);
	for (i = 0; i < 4; i++) {
		frame[i] = (unsigned char)(ZSTD_MAGIC_SKIPPABLE_START >> (8 * i));
		frame[4 + i] = (unsigned char)(marker_len >> (8 * i));
	}
	memcpy(out->data + n, frame, sizeof(frame));
	memcpy(out->data + n + sizeof(frame), marker, marker_len);
	out->len = n + sizeof(frame) + marker_len;
}
#endif

/* ---- the registry ------------------------------------------------------------------------- */

/*
 * Pushes an image of the given layers and config to repo:tag and answers its
 * reference, "http://<registry>/<repo>:<tag>" (malloc'd). The config is the
 * test's own: it carries the run label that keeps images of different runs
 * apart.
 */
static inline char *e2e_push_image(struct testpush *pusher, const char *registry, const char *repo, const char *tag,
				   const char *config, const struct testpush_layer *layers, size_t n,
				   char digest[REGISTRY_DIGEST_BUF], size_t *size)
{
	char *ref;

	if (testpush_image(pusher, repo, tag, 0, config, layers, n, digest, size) != ASEC_OK)
		fail_msg("push %s:%s: %s", repo, tag, error_last());
	assert_true(asprintf(&ref, "http://%s/%s:%s", registry, repo, tag) > 0);
	return ref;
}

/* ---- reports ------------------------------------------------------------------------------ */

/* A string member, or "" when null or absent. */
static inline const char *e2e_text(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* The first package of that name in the report, or NULL. */
static inline const json_t *e2e_find_package(const json_t *report, const char *name)
{
	const json_t *packages = json_object_get(json_object_get(report, "contents"), "packages");
	const char *id;
	json_t *p;

	json_object_foreach((json_t *)packages, id, p) {
		const char *n = json_string_value(json_object_get(p, "name"));

		if (n && strcmp(n, name) == 0)
			return p;
	}
	return NULL;
}

/* A field of the first environment of package id, or "". */
static inline const char *e2e_env_text(const json_t *report, const char *id, const char *key)
{
	const json_t *envs = json_object_get(json_object_get(report, "contents"), "environments");

	return e2e_text(json_array_get(json_object_get(envs, id), 0), key);
}

/* The layer digest that introduced package id, or "". */
static inline const char *e2e_introduced_in(const json_t *report, const char *id)
{
	return e2e_env_text(report, id, "introducedIn");
}

#ifdef ASEC_DB_H
/* When the layer cache last scanned a layer: a malloc'd string. A second
 * image sharing the layer must leave it unchanged. */
static inline char *e2e_layer_scanned_at(struct db_pool *pool, const char *digest)
{
	const char *params[] = { digest }, *t = NULL;
	PGresult *res = NULL;
	char *copy;

	assert_int_equal(db_query(&res, pool, "SELECT scanned_at::text AS t FROM layer_facts WHERE layer_digest = $1",
				  1, params),
			 ASEC_OK);
	assert_int_equal(PQntuples(res), 1);
	assert_int_equal(db_get_text(&t, res, 0, "t"), ASEC_OK);
	copy = strdup(t);
	assert_non_null(copy);
	PQclear(res);
	return copy;
}
#endif

#if defined(ASEC_DB_H) && defined(ASEC_INDEXER_INDEXER_H) && defined(ASEC_INDEXER_STORE_H)
/*
 * The indexer as the HTTP handler has it - a migrated Scanner DB pool and
 * two layers at once - and a pusher to the registry. -1 (with the cause in
 * error_last()) when any of them cannot be had: the group setup fails.
 */
static inline int e2e_open(struct db_pool **pool, struct indexer **ix, struct testpush **pusher, const char *db_url,
			   const char *registry, const char *application_name)
{
	struct db_pool_options o = {.application_name = application_name, .max_connections = 6,
				    .acquire_timeout_ms = 10000, .conninfo = db_url};
	struct indexer_options io = {.parallel_layers = 2};

	if (db_pool_open(pool, &o) || store_index_migrate(*pool))
		return -1;
	io.pool = *pool;
	if (indexer_new(ix, &io) || testpush_open(pusher, registry, NULL, NULL))
		return -1;
	return 0;
}

static inline void e2e_close(struct db_pool *pool, struct indexer *ix, struct testpush *pusher)
{
	testpush_close(pusher);
	indexer_free(ix);
	db_pool_close(pool);
}
#endif

#ifdef ASEC_LOG_H
/* Runs the group with the service's own log silenced: the tests check what
 * the indexer answers, and its log lines would bury cmocka's output. */
static inline int e2e_run_quietly(const char *name, const struct CMUnitTest *tests, size_t n,
				  CMFixtureFunction setup, CMFixtureFunction teardown)
{
	FILE *devnull = fopen("/dev/null", "w");
	int rc;

	log_init(name, LOG_LEVEL_ERROR, devnull);
	rc = _cmocka_run_group_tests(name, tests, n, setup, teardown);
	if (devnull)
		fclose(devnull);
	return rc;
}
#endif

#endif
