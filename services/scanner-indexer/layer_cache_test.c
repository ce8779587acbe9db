/*
 * layer_cache_test.c - per-layer results survive the trip through JSON and
 * through PostgreSQL unchanged, and a cache lookup only returns what the same
 * detector version produced.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
#include "error/error.h"
#include "layer_cache.h"
#include "store_index.h"
#include "testing/testing.h"

static const struct detector det_a = {.name = "alpha", .version = 1};
static const struct detector det_a2 = {.name = "alpha", .version = 2};
static const struct detector det_b = {.name = "beta", .version = 3};

static void fill(struct layer_detector_result *r, const struct detector *d)
{
	struct pkg p = {.name = "curl", .version = "1:7.88.1-10+deb12u5", .source_name = "curl",
			.package_db = "var/lib/dpkg/status", .arch = "amd64", .ecosystem = "deb",
			.purl = "pkg:deb/debian/curl@7.88.1-10%2Bdeb12u5?arch=amd64"};
	struct dist dd = {.did = "debian", .version_id = "12", .pretty_name = "Debian GNU/Linux 12 (bookworm)", .rank = 100};

	memset(r, 0, sizeof(*r));
	r->detector = d;
	assert_int_equal(pkg_list_add(&r->out.pkgs, &p), ASEC_OK);
	assert_int_equal(dist_copy(&r->out.dist, &dd), ASEC_OK);
	scan_note(&r->out, "file %s skipped", "x");
	r->files = calloc(1, sizeof(char *));
	r->files[0] = strdup("var/lib/dpkg/status");
	r->file_count = 1;
}

static void clear(struct layer_detector_result *r)
{
	size_t i;

	scan_out_free(&r->out);
	for (i = 0; i < r->file_count; i++)
		free(r->files[i]);
	free(r->files);
}

static void assert_same(const struct layer_detector_result *a, const struct layer_detector_result *b)
{
	assert_int_equal(a->out.pkgs.count, b->out.pkgs.count);
	assert_string_equal(a->out.pkgs.items[0].name, b->out.pkgs.items[0].name);
	assert_string_equal(a->out.pkgs.items[0].version, b->out.pkgs.items[0].version);
	assert_string_equal(a->out.pkgs.items[0].source_name, b->out.pkgs.items[0].source_name);
	assert_string_equal(a->out.pkgs.items[0].purl, b->out.pkgs.items[0].purl);
	assert_string_equal(a->out.dist->pretty_name, b->out.dist->pretty_name);
	assert_int_equal(a->out.dist->rank, b->out.dist->rank);
	assert_int_equal(a->out.note_count, b->out.note_count);
	assert_string_equal(a->out.notes[0], b->out.notes[0]);
	assert_int_equal(a->file_count, b->file_count);
	assert_string_equal(a->files[0], b->files[0]);
}

static void test_json_round_trip(void **state)
{
	struct layer_detector_result a, b;
	json_t *j;

	fill(&a, &det_a);
	j = layer_cache_result_to_json(&a);
	assert_non_null(j);
	assert_int_equal(layer_cache_result_from_json(&b, &det_a, j), ASEC_OK);
	assert_same(&a, &b);
	json_decref(j);
	clear(&a);
	clear(&b);
}

static void test_damaged_json_is_refused(void **state)
{
	struct layer_detector_result b;
	json_t *j = json_pack("{s:s}", "pkgs", "not a list");

	assert_int_equal(layer_cache_result_from_json(&b, &det_a, j), ASEC_EINVALID);
	json_decref(j);
	j = json_pack("{s:[{s:i}]}", "pkgs", "name", 5); /* a number where text belongs: dropped, not crashed */
	assert_int_equal(layer_cache_result_from_json(&b, &det_a, j), ASEC_OK);
	clear(&b);
	json_decref(j);
}

static void test_store_round_trip_by_detector_version(void **state)
{
	const char *url = getenv("ASEC_TEST_DATABASE_URL");
	struct db_pool_options o = {.conninfo = url, .application_name = "layer_cache_test", .max_connections = 2};
	struct db_pool *pool = NULL;
	struct layer_result saved, loaded;
	const struct detector *v1[] = {&det_a, &det_b}, *v2[] = {&det_a2, &det_b};
	int cached[2], facts = 0;
	char digest[80];

	if (!url || !url[0]) {
		if (testing_in_ci())
			fail_msg("ASEC_TEST_DATABASE_URL is required under CI");
		skip();
	}
	snprintf(digest, sizeof(digest), "sha256:test-%d-%ld", (int)getpid(), (long)time(NULL));
	assert_int_equal(db_pool_open(&pool, &o), ASEC_OK);
	assert_int_equal(store_index_migrate(pool), ASEC_OK);

	memset(&saved, 0, sizeof(saved));
	saved.results = calloc(1, sizeof(*saved.results));
	saved.result_count = 1;
	fill(&saved.results[0], &det_a);
	saved.whiteouts = calloc(1, sizeof(char *));
	saved.whiteouts[0] = strdup("usr/lib/node_modules/x");
	saved.whiteout_count = 1;
	assert_int_equal(store_index_layer_save(pool, digest, &saved), ASEC_OK);

	assert_int_equal(store_index_layer_load(&loaded, cached, &facts, pool, digest, v1, 2), ASEC_OK);
	assert_true(facts);
	assert_true(cached[0]);
	assert_false(cached[1]); /* beta never scanned this layer */
	assert_same(&saved.results[0], &loaded.results[0]);
	assert_int_equal(loaded.whiteout_count, 1);
	assert_string_equal(loaded.whiteouts[0], "usr/lib/node_modules/x");
	layer_result_free(&loaded);

	/* A new version of alpha must not reuse version 1's findings. */
	assert_int_equal(store_index_layer_load(&loaded, cached, &facts, pool, digest, v2, 2), ASEC_OK);
	assert_false(cached[0]);
	layer_result_free(&loaded);

	layer_result_free(&saved);
	db_pool_close(pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_damaged_json_is_refused),
		cmocka_unit_test(test_store_round_trip_by_detector_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
