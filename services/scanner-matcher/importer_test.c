/*
 * importer_test.c - formats recognised by content, bundles verified before
 * anything is used, archives and compressed files unwrapped, and - with
 * PostgreSQL (ASEC_TEST_DATABASE_URL) - the whole shared feed folder
 * imported, stored, reloaded and replaced source by source.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>
#include <gnutls/crypto.h>
#include <zlib.h>
#include <zstd.h>

#include "db/db.h"
#include "error/error.h"
#include "importer.h"
#include "store_vulns.h"
#include "testing/testing.h"

static const char osv_jsonl[] =
	"{\"id\":\"GHSA-1111-2222-3333\",\"modified\":\"2024-01-01T00:00:00Z\",\"aliases\":[\"CVE-2024-0001\"],"
	"\"affected\":[{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"Example_Pkg\"},\"ranges\":[{\"type\":\"ECOSYSTEM\","
	"\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"1.4\"}]}]}]}\n"
	"{\"id\":\"GHSA-4444-5555-6666\",\"modified\":\"2024-01-01T00:00:00Z\",\"withdrawn\":\"2024-02-01T00:00:00Z\","
	"\"affected\":[{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"other\"},\"ranges\":[{\"type\":\"ECOSYSTEM\","
	"\"events\":[{\"introduced\":\"0\"}]}]}]}\n";

static void test_detect_format(void **state)
{
	static const struct {
		const char *name, *text, *format;
	} cases[] = {
		{"x.json", "{\"id\":\"GO-2022-0001\",\"modified\":\"x\",\"affected\":[]}", "osv"},
		{"x.json", "  [{\"schema_version\":\"1.6.0\",\"id\":\"A\"}]", "osv"},
		{"nvd.json", "{\"resultsPerPage\":1,\"format\":\"NVD_CVE\",\"version\":\"2.0\",\"vulnerabilities\":[]}", "nvd"},
		{"n.jsonl", "{\"cve\":{\"data_type\":\"CVE\",\"CVE_data_meta\":{\"ID\":\"CVE-1999-0001\"}}}", "nvd"},
		{"kev.json", "{\"title\":\"CISA\",\"catalogVersion\":\"2025.08.25\",\"vulnerabilities\":[]}", "kev"},
		{"vex.json", "{\"document\":{\"csaf_version\":\"2.0\",\"category\":\"csaf_vex\"}}", "csaf"},
		{"main.json", "{\"apkurl\":\"x\",\"distroversion\":\"v3.18\",\"packages\":[]}", "alpine-secdb"},
		{"main.yaml", "---\ndistroversion: v3.9\nreponame: main\npackages: []\n", "alpine-secdb"},
		{"npm.json", "{\"id\":1,\"module_name\":\"x\",\"vulnerable_versions\":\"<1\"}", "nodejs-wg"},
		{"CVE-2020-1.yml", "---\ngem: rack\ncve: 2020-1\npatched_versions:\n  - \">= 2\"\n", "rubysec"},
		{"RUSTSEC-2020-0001.md", "```toml\n[advisory]\nid = \"RUSTSEC-2020-0001\"\n```\n", "rustsec"},
		{"list", "[29 Mar 2023] DSA-5380-1 xorg-server - security update\n\t{CVE-2023-1393}\n", "debian-list"},
		{"epss.csv", "CVE-2024-9999;0.004130000;0.343950000\n", "epss"},
		{"epss_scores-2023-05-13.csv", "#model_version:v2023.03.01,score_date:2023-05-13\ncve,epss,percentile\n", "epss"},
		{"tracker.json", "{\"openssl\":{\"CVE-2022-0778\":{\"releases\":{\"bookworm\":{\"status\":\"resolved\"}}}}}",
		 "debian-json"},
		{"notes.txt", "hello, world\n", NULL},
		{"empty.json", "   ", NULL},
		{"README.md", "# no front matter\n", NULL},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = import_detect_format(cases[i].name, cases[i].text, strlen(cases[i].text));
		if (!cases[i].format ? got != NULL : !got || strcmp(got, cases[i].format) != 0)
			fail_msg("%s: detected %s, want %s", cases[i].name, got ? got : "(none)",
				 cases[i].format ? cases[i].format : "(none)");
	}
}

/* ---- archives made in memory ---- */

struct member {
	const char *path;
	const char *data;
	size_t len;
};

static unsigned char *make_archive(size_t *len, int zip, const struct member *members, size_t count)
{
	size_t cap = 1 << 22, used = 0, i;
	unsigned char *buf = malloc(cap);
	struct archive *a = archive_write_new();

	assert_non_null(buf);
	if (zip)
		archive_write_set_format_zip(a);
	else
		archive_write_set_format_pax_restricted(a);
	assert_int_equal(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
	for (i = 0; i < count; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, members[i].path);
		archive_entry_set_size(e, (la_int64_t)members[i].len);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, members[i].data, members[i].len), (la_ssize_t)members[i].len);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	*len = used;
	return buf;
}

static void sha256_hex(char out[65], const void *data, size_t len)
{
	unsigned char d[32];
	int i;

	assert_int_equal(gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, d), 0);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static char *manifest_for(const char *sum)
{
	char *m = NULL;

	assert_true(asprintf(&m,
			     "{\"schemaVersion\":1,\"sources\":[{\"name\":\"osv-test\",\"format\":\"osv\",\"date\":\"2026-01-02\","
			     "\"files\":[{\"path\":\"osv/records.jsonl\",\"sha256\":\"%s\"}]}]}",
			     sum) > 0);
	return m;
}

static const json_t *source_result(const json_t *result, const char *name)
{
	size_t i;
	json_t *s;

	json_array_foreach(json_object_get(result, "sources"), i, s)
		if (strcmp(json_string_value(json_object_get(s, "name")), name) == 0)
			return s;
	return NULL;
}

static int count_entries(void *ctx, const struct vulndata_source *src, const struct vulndata_entry *e)
{
	(*(int *)ctx)++;
	return 0;
}

static void test_bundle_verified_and_imported(void **state)
{
	struct vulndata_holder *holder;
	struct import_batch *b;
	json_t *result = NULL;
	struct vulndata *d;
	char sum[65], *manifest;
	unsigned char *bundle;
	size_t len;
	int found = 0;

	sha256_hex(sum, osv_jsonl, strlen(osv_jsonl));
	manifest = manifest_for(sum);
	{
		struct member m[] = {{"manifest.json", manifest, strlen(manifest)},
				     {"osv/records.jsonl", osv_jsonl, strlen(osv_jsonl)},
				     {"osv/unlisted.json", "{}", 2}};
		bundle = make_archive(&len, 0, m, 3);
	}
	assert_int_equal(vulndata_holder_new(&holder), ASEC_OK);
	assert_int_equal(import_batch_new(&b), ASEC_OK);
	assert_int_equal(import_add_buffer(b, bundle, len, "bundle.tar", NULL), ASEC_OK);
	assert_int_equal(import_commit(&result, b, NULL, holder), ASEC_OK);
	import_batch_free(b);
	assert_int_equal(json_integer_value(json_object_get(result, "accepted")), 1);
	assert_int_equal(json_integer_value(json_object_get(result, "skipped")), 1); /* the withdrawn one */
	assert_non_null(strstr(json_string_value(json_object_get(
				       json_array_get(json_object_get(source_result(result, "osv-test"), "skips"), 0), "reason")),
			       "withdrawn"));
	json_decref(result);
	d = vulndata_holder_get(holder);
	/* PEP 503: Example_Pkg is found as example-pkg */
	vulndata_lookup(d, "pypi", "", "example-pkg", count_entries, &found);
	assert_int_equal(found, 1);
	vulndata_unref(d);

	/* one byte of the data changed: the checksum no longer holds, nothing is imported */
	{
		char *tampered = strdup(osv_jsonl);
		struct member m[] = {{"manifest.json", manifest, strlen(manifest)},
				     {"osv/records.jsonl", tampered, strlen(tampered)}};
		tampered[10] = 'X';
		free(bundle);
		bundle = make_archive(&len, 1, m, 2);
		free(tampered);
	}
	assert_int_equal(import_batch_new(&b), ASEC_OK);
	assert_int_equal(import_add_buffer(b, bundle, len, "bundle.zip", NULL), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "SHA-256"));
	import_batch_free(b);

	/* a listed file missing */
	{
		struct member m[] = {{"manifest.json", manifest, strlen(manifest)}};
		free(bundle);
		bundle = make_archive(&len, 0, m, 1);
	}
	assert_int_equal(import_batch_new(&b), ASEC_OK);
	assert_int_equal(import_add_buffer(b, bundle, len, "bundle.tar", NULL), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "lists 1 files"));
	import_batch_free(b);

	/* a manifest that is not one */
	{
		struct member m[] = {{"manifest.json", "{\"schemaVersion\":2}", 19}};
		free(bundle);
		bundle = make_archive(&len, 0, m, 1);
	}
	assert_int_equal(import_batch_new(&b), ASEC_OK);
	assert_int_equal(import_add_buffer(b, bundle, len, "bundle.tar", NULL), ASEC_EINVALID);
	import_batch_free(b);

	/* the snapshot still holds the first import only */
	d = vulndata_holder_get(holder);
	assert_int_equal(vulndata_source_count(d), 1);
	vulndata_unref(d);
	vulndata_holder_free(holder);
	free(bundle);
	free(manifest);
}

static unsigned char *gzip_of(size_t *len, const char *text)
{
	uLongf cap = compressBound(strlen(text)) + 64;
	unsigned char *out = malloc(cap);
	z_stream z;

	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)text;
	z.avail_in = (uInt)strlen(text);
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*len = z.total_out;
	deflateEnd(&z);
	return out;
}

static void test_archives_and_compression(void **state)
{
	struct vulndata_holder *holder;
	struct import_batch *b;
	json_t *result = NULL;
	unsigned char *zip, *gz, *zst, *truncated;
	size_t zip_len, gz_len, zst_len;
	const char *one = "{\"id\":\"GO-2099-0001\",\"modified\":\"x\",\"affected\":[{\"package\":{\"ecosystem\":\"Go\",\"name\":\"example.com/m\"},"
			  "\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"1.2.3\"}]}]}]}";
	struct member m[] = {{"PyPI/GHSA-a.json", one, strlen(one)}, {"PyPI/LICENSE", "text", 4},
			     {"PyPI/GHSA-b.json", osv_jsonl, strlen(osv_jsonl)}};

	assert_int_equal(vulndata_holder_new(&holder), ASEC_OK);
	zip = make_archive(&zip_len, 1, m, 3);
	gz = gzip_of(&gz_len, osv_jsonl);
	zst = malloc(ZSTD_compressBound(strlen(osv_jsonl)));
	zst_len = ZSTD_compress(zst, ZSTD_compressBound(strlen(osv_jsonl)), osv_jsonl, strlen(osv_jsonl), 3);
	assert_false(ZSTD_isError(zst_len));

	assert_int_equal(import_batch_new(&b), ASEC_OK);
	/* a zip of OSV files without a manifest is one source, named after the file */
	assert_int_equal(import_add_buffer(b, zip, zip_len, "PyPI-all.zip", NULL), ASEC_OK);
	/* compressed single files; an explicit source name wins over the file's */
	assert_int_equal(import_add_buffer(b, gz, gz_len, "records.jsonl.gz", NULL), ASEC_OK);
	assert_int_equal(import_add_buffer(b, zst, zst_len, "whatever.zst", "my-source"), ASEC_OK);
	assert_int_equal(import_commit(&result, b, NULL, holder), ASEC_OK);
	import_batch_free(b);
	assert_non_null(source_result(result, "PyPI-all"));
	assert_int_equal(json_integer_value(json_object_get(source_result(result, "PyPI-all"), "accepted")), 2);
	assert_int_equal(json_integer_value(json_object_get(source_result(result, "records"), "accepted")), 1);
	assert_int_equal(json_integer_value(json_object_get(source_result(result, "my-source"), "accepted")), 1);
	json_decref(result);

	/* truncated gzip: refused as a whole with a clear reason */
	truncated = gz;
	assert_int_equal(import_batch_new(&b), ASEC_OK);
	assert_int_equal(import_add_buffer(b, truncated, gz_len / 2, "cut.jsonl.gz", NULL), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "gzip"));
	import_batch_free(b);
	/* unknown format, empty file, bad source name */
	assert_int_equal(import_batch_new(&b), ASEC_OK);
	assert_int_equal(import_add_buffer(b, "hello", 5, "hello.txt", NULL), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "no known"));
	assert_int_equal(import_add_buffer(b, "", 0, "empty", NULL), ASEC_EINVALID);
	assert_int_equal(import_add_buffer(b, osv_jsonl, strlen(osv_jsonl), "x.json", "../etc"), ASEC_EINVALID);
	assert_int_equal(import_commit(&result, b, NULL, holder), ASEC_EINVALID); /* no source at all */
	import_batch_free(b);

	/* a zstd bomb: 256 MiB of zeros in a few KB stops at the file limit */
	{
		ZSTD_CCtx *cctx = ZSTD_createCCtx();
		size_t cap = 1 << 20, used = 0, i, r;
		unsigned char *bomb = malloc(cap), *zeros = calloc(1, 1 << 20);
		ZSTD_outBuffer out = {bomb, cap, 0};
		struct timespec t0, t1;
		for (i = 0; i < 256; i++) {
			ZSTD_inBuffer in = {zeros, 1 << 20, 0};
			r = ZSTD_compressStream2(cctx, &out, &in, i == 255 ? ZSTD_e_end : ZSTD_e_continue);
			assert_false(ZSTD_isError(r));
		}
		used = out.pos;
		assert_true(used < 64 * 1024);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(import_batch_new(&b), ASEC_OK);
		import_batch_set_limits(b, 16u << 20, 32u << 20);
		assert_int_equal(import_add_buffer(b, bomb, used, "bomb.json.zst", NULL), ASEC_ETOOBIG);
		assert_non_null(strstr(error_last(), "larger than"));
		import_batch_free(b);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		assert_true(t1.tv_sec - t0.tv_sec < 5);
		ZSTD_freeCCtx(cctx);
		free(bomb);
		free(zeros);
	}

	free(zip);
	free(gz);
	free(zst);
	vulndata_holder_free(holder);
}

/* ---- the shared feeds through PostgreSQL ---- */

static int count_source(void *ctx, const struct store_source *s)
{
	json_t *counts = ctx;

	json_object_set_new(counts, s->name, json_integer((json_int_t)s->records));
	return 0;
}

/* A pool whose tables live in a schema of this test's own, so that other
 * tests importing the same source names at the same time never interfere. */
static struct db_pool *private_pool(const char *url, const char *schema)
{
	struct db_pool_options o = {.conninfo = url, .application_name = schema, .max_connections = 2};
	struct db_pool *pool = NULL;
	PGresult *res = NULL;
	char sql[128], *conninfo = NULL;

	assert_int_equal(db_pool_open(&pool, &o), ASEC_OK);
	snprintf(sql, sizeof(sql), "CREATE SCHEMA IF NOT EXISTS %s", schema);
	assert_int_equal(db_query(&res, pool, sql, 0, NULL), ASEC_OK);
	PQclear(res);
	db_pool_close(pool);
	assert_true(asprintf(&conninfo, "%s%soptions=-csearch_path%%3D%s", url, strchr(url, '?') ? "&" : "?", schema) > 0);
	o.conninfo = conninfo;
	assert_int_equal(db_pool_open(&pool, &o), ASEC_OK);
	free(conninfo);
	return pool;
}

static void test_shared_feeds_stored_and_reloaded(void **state)
{
	const char *url = getenv("ASEC_TEST_DATABASE_URL");
	struct db_pool *pool = NULL;
	struct vulndata_holder *holder, *again;
	struct import_batch *b;
	json_t *result = NULL, *meta = NULL, *stored = json_object(), *s;
	char dir[4096];
	size_t i, records = 0, total = 0;
	struct timespec t0, t1;

	if (!url || !url[0]) {
		if (testing_in_ci())
			fail_msg("ASEC_TEST_DATABASE_URL is required under CI");
		skip();
	}
	testing_shared_path(dir, sizeof(dir), "feeds");
	pool = private_pool(url, "importer_test");
	assert_int_equal(store_vulns_migrate(pool), ASEC_OK);
	assert_int_equal(vulndata_holder_new(&holder), ASEC_OK);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(import_batch_new(&b), ASEC_OK);
	if (import_add_path(b, dir, NULL) != ASEC_OK)
		fail_msg("importing %s: %s", dir, error_last());
	assert_int_equal(import_commit(&result, b, pool, holder), ASEC_OK);
	import_batch_free(b);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("imported %lld records (%lld skipped) from %zu sources in %.2f s\n",
	       (long long)json_integer_value(json_object_get(result, "accepted")),
	       (long long)json_integer_value(json_object_get(result, "skipped")),
	       json_array_size(json_object_get(result, "sources")),
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	/* every file of the folder is a source; each real feed yields records,
	 * except CPython's advisories, whose ranges are all git commits */
	assert_int_equal(json_array_size(json_object_get(result, "sources")), 16);
	json_array_foreach(json_object_get(result, "sources"), i, s) {
		const char *name = json_string_value(json_object_get(s, "name"));
		json_int_t accepted = json_integer_value(json_object_get(s, "accepted"));
		if (strcmp(name, "psf-cpython-osv") == 0)
			assert_int_equal(accepted, 0);
		else if (accepted == 0)
			fail_msg("source %s accepted nothing: %s", name,
				 json_dumps(json_object_get(s, "skips"), JSON_COMPACT));
		total += (size_t)accepted;
	}
	assert_int_equal(json_integer_value(json_object_get(source_result(result, "cisa-kev"), "accepted")), 1404);

	/* the store holds what was accepted, and a fresh load rebuilds the same data */
	assert_int_equal(store_vulns_metadata(&meta, pool), ASEC_OK);
	assert_true(json_string_length(json_object_get(meta, "lastVulnerabilityUpdate")) == 20);
	assert_int_equal(store_vulns_load(pool, count_source, stored), ASEC_OK);
	json_array_foreach(json_object_get(result, "sources"), i, s)
		assert_int_equal(json_integer_value(json_object_get(stored, json_string_value(json_object_get(s, "name")))),
				 json_integer_value(json_object_get(s, "accepted")));
	assert_int_equal(vulndata_holder_new(&again), ASEC_OK);
	assert_int_equal(import_load_store(&records, pool, again), ASEC_OK);
	assert_true(records >= total);
	vulndata_holder_free(again);

	/* a newer import of one source replaces just that source */
	assert_int_equal(import_batch_new(&b), ASEC_OK);
	assert_int_equal(import_add_buffer(b, osv_jsonl, strlen(osv_jsonl), "x.jsonl", "cisa-kev"), ASEC_OK);
	json_decref(result);
	assert_int_equal(import_commit(&result, b, pool, holder), ASEC_OK);
	import_batch_free(b);
	json_object_clear(stored);
	assert_int_equal(store_vulns_load(pool, count_source, stored), ASEC_OK);
	assert_int_equal(json_integer_value(json_object_get(stored, "cisa-kev")), 1);
	assert_true(json_integer_value(json_object_get(stored, "go-vulndb-osv-GO-2020-2025")) > 2000);

	json_decref(result);
	json_decref(meta);
	json_decref(stored);
	vulndata_holder_free(holder);
	db_pool_close(pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect_format),
		cmocka_unit_test(test_bundle_verified_and_imported),
		cmocka_unit_test(test_archives_and_compression),
		cmocka_unit_test(test_shared_feeds_stored_and_reloaded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
