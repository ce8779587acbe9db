/*
 * indexer_e2e_test.c - the indexer against a real registry and a real
 * PostgreSQL: images are pushed to Debian's docker-registry (started by
 * scripts/test.sh, ASEC_TEST_REGISTRY) and indexed through indexer_index(),
 * the same path the HTTP handler takes.
 *
 *   - the bookworm package database image from ../shared/fixtures, whose 96
 *     packages must match dpkg-query's list exactly;
 *   - a two-layer image whose upper layer deletes a package through a
 *     whiteout and rewrites the dpkg database (introducedIn per layer);
 *   - a multi-platform index, indexed for arm64;
 *   - a second image sharing a layer, which must come from the layer cache;
 *   - the second request for an indexed image, answered from the store.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>

#include "db/db.h"
#include "error/error.h"
#include "indexer.h"
#include "log/log.h"
#include "registry/testpush.h"
#include "store_index.h"
#include "testing/testing.h"

#include "e2e_support.h"

static struct db_pool *pool;
static struct indexer *ix;
static struct testpush *pusher;
static const char *registry;
static char run_id[32];

/* ---- layer content ------------------------------------------------------------------------ */

static const char *status_stanza(char *out, size_t size, const char *name, const char *version)
{
	snprintf(out, size,
		 "Package: %s\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\nVersion: %s\n"
		 "Description: test\n\n",
		 name, version);
	return out;
}

/* ---- helpers ------------------------------------------------------------------------------ */

static json_t *index_image_as(const char *hash_id, const char *image, const char *platform, int expect_created)
{
	struct index_request req = {.hash_id = hash_id, .image = image, .platform = platform};
	json_t *report = NULL;
	int created = -1, rc;

	rc = indexer_index(&report, &created, ix, &req);
	if (rc)
		fail_msg("indexing %s: %s (%d)", image, error_last(), rc);
	assert_int_equal(created, expect_created);
	assert_string_equal(json_string_value(json_object_get(report, "state")), "IndexFinished");
	return report;
}

static json_t *index_image(const char *image, const char *platform, int expect_created)
{
	return index_image_as(NULL, image, platform, expect_created);
}

static char *push_layers(const char *repo, const char *tag, const struct e2e_buf *gz, size_t n, const char *arch,
			 char digest[REGISTRY_DIGEST_BUF], size_t *size)
{
	struct testpush_layer layers[4];
	char config[512];
	size_t i;

	for (i = 0; i < n; i++) {
		layers[i].data = gz[i].data;
		layers[i].len = gz[i].len;
		layers[i].media_type = NULL;
	}
	snprintf(config, sizeof(config),
		 "{\"architecture\":\"%s\",\"os\":\"linux\",\"config\":{\"User\":\"1000\",\"Labels\":{\"run\":\"%s\"}},"
		 "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"created\":\"2026-11-01T00:00:00Z\"}",
		 arch, run_id);
	return e2e_push_image(pusher, registry, repo, tag, config, layers, n, digest, size);
}

/* ---- setup ---------------------------------------------------------------------------------- */

static int setup(void **state)
{
	const char *url;

	e2e_require_env(&url, &registry, NULL, NULL);
	e2e_run_id(run_id, sizeof(run_id));
	return e2e_open(&pool, &ix, &pusher, url, registry, "indexer_e2e_test");
}

static int teardown(void **state)
{
	e2e_close(pool, ix, pusher);
	return 0;
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void test_bookworm_fixture_matches_dpkg_query(void **state)
{
	static const char *const blobs[] = {
		"6c8c255bc0ff6cfe35d618cc805a34aafe01cfeb193fa836295b7f0d242a22f8",
		"d0179efdd4a5e4219adedddd56cea5588e145925c8c67c00b3642fbab1f6688e",
	};
	char dir[512], path[700], expected_path[512], digest[REGISTRY_DIGEST_BUF], repo[64], image[256], hash_id[128];
	unsigned char *data;
	size_t len, i;
	json_t *expected, *report, *pkgs;
	const json_t *dist;
	struct timespec t0, t1;
	double warm_ms;

	testing_shared_path(dir, sizeof(dir), "fixtures/oci/oci-layout-bookworm-pkgdb/blobs/sha256");
	testing_shared_path(expected_path, sizeof(expected_path),
			    "fixtures/os-pkgdb/dpkg/debian-bookworm-mmdebstrap-minbase/expected.json");
	snprintf(repo, sizeof(repo), "e2e/bookworm-%s", run_id);
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, blobs[i]);
		data = testing_read_file(path, &len);
		assert_non_null(data);
		assert_int_equal(testpush_blob(pusher, repo, data, len, digest), ASEC_OK);
		free(data);
	}
	snprintf(path, sizeof(path), "%s/bc3f918f4082166955554a8b718890bc0a74345b2b30bb0b8b3050947e5dbcb2", dir);
	data = testing_read_file(path, &len);
	assert_int_equal(testpush_manifest(pusher, repo, "pkgdb", "application/vnd.oci.image.manifest.v1+json", data, len,
					   digest),
			 ASEC_OK);
	free(data);
	snprintf(image, sizeof(image), "http://%s/%s:pkgdb", registry, repo);
	/* The fixture's manifest is the same in every run: a hash id of this run's
	 * own makes the first request index it. */
	snprintf(hash_id, sizeof(hash_id), "/v4/containerimage/e2e-%s", run_id);

	report = index_image_as(hash_id, image, NULL, 1);
	expected = json_load_file(expected_path, 0, NULL);
	pkgs = json_object_get(expected, "packages");
	assert_int_equal(json_object_size(json_object_get(json_object_get(report, "contents"), "packages")),
			 json_array_size(pkgs));
	for (i = 0; i < json_array_size(pkgs); i++) {
		const json_t *want = json_array_get(pkgs, i);
		const json_t *got = e2e_find_package(report, json_string_value(json_object_get(want, "name")));
		const json_t *src;
		if (!got)
			fail_msg("package %s missing", json_string_value(json_object_get(want, "name")));
		src = json_object_get(got, "source");
		assert_string_equal(json_string_value(json_object_get(got, "version")),
				    json_string_value(json_object_get(want, "version")));
		assert_string_equal(json_string_value(json_object_get(got, "arch")), json_string_value(json_object_get(want, "arch")));
		assert_string_equal(json_string_value(json_object_get(src, "name")),
				    json_string_value(json_object_get(want, "sourceName")));
		assert_string_equal(json_string_value(json_object_get(src, "version")),
				    json_string_value(json_object_get(want, "sourceVersion")));
		assert_string_equal(e2e_introduced_in(report, e2e_text(got, "id")),
				    "sha256:d0179efdd4a5e4219adedddd56cea5588e145925c8c67c00b3642fbab1f6688e");
	}
	dist = json_object_get(json_object_get(json_object_get(report, "contents"), "distributions"), "1");
	assert_string_equal(json_string_value(json_object_get(dist, "did")), "debian");
	assert_string_equal(json_string_value(json_object_get(dist, "versionId")), "12");
	assert_string_equal(json_string_value(json_object_get(json_object_get(report, "image"), "manifestDigest")),
			    "sha256:bc3f918f4082166955554a8b718890bc0a74345b2b30bb0b8b3050947e5dbcb2");
	json_decref(report);

	/* Warm: the same image again is answered from the store. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	report = index_image_as(hash_id, image, NULL, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	warm_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	printf("warm index of an unchanged image: %.1f ms\n", warm_ms);
	assert_int_equal(json_object_size(json_object_get(json_object_get(report, "contents"), "packages")),
			 json_array_size(pkgs));
	json_decref(report);
	json_decref(expected);
}

static void test_whiteouts_and_rewrites_across_layers(void **state)
{
	struct e2e_buf tar1 = {0}, tar2 = {0}, gz[2];
	char stanza[3][256], status1[800], status2[800], repo[64], *image;
	const json_t *curl, *jq, *lib;
	json_t *report;

	snprintf(status1, sizeof(status1), "%s%s", status_stanza(stanza[0], 256, "curl", "7.88.1-10"),
		 status_stanza(stanza[1], 256, "libfoo", "1.0"));
	e2e_tar_add_text(&tar1, "var/lib/dpkg/status", status1);
	e2e_tar_add_text(&tar1, "app/node_modules/left-pad/package.json", "{\"name\":\"left-pad\",\"version\":\"1.3.0\"}");
	e2e_tar_add_text(&tar1, "app/node_modules/lodash/package.json", "{\"name\":\"lodash\",\"version\":\"4.17.21\"}");
	e2e_tar_end(&tar1);
	/* Layer 2 removes left-pad's folder, drops libfoo and adds jq. */
	snprintf(status2, sizeof(status2), "%s%s", status_stanza(stanza[0], 256, "curl", "7.88.1-10"),
		 status_stanza(stanza[2], 256, "jq", "1.6-2"));
	e2e_tar_add_text(&tar2, "app/node_modules/.wh.left-pad", "");
	e2e_tar_add_text(&tar2, "var/lib/dpkg/status", status2);
	e2e_tar_end(&tar2);
	e2e_gzip(&gz[0], tar1.data, tar1.len, NULL);
	e2e_gzip(&gz[1], tar2.data, tar2.len, NULL);
	snprintf(repo, sizeof(repo), "e2e/whiteout-%s", run_id);
	{
		char digest[REGISTRY_DIGEST_BUF];
		size_t size = 0;
		image = push_layers(repo, "v1", gz, 2, "amd64", digest, &size);
	}

	report = index_image(image, NULL, 1);
	curl = e2e_find_package(report, "curl");
	jq = e2e_find_package(report, "jq");
	lib = e2e_find_package(report, "lodash");
	assert_non_null(curl);
	assert_non_null(jq);
	assert_non_null(lib);
	assert_null(e2e_find_package(report, "left-pad"));
	assert_null(e2e_find_package(report, "libfoo"));
	{
		const json_t *layers = json_object_get(json_object_get(report, "image"), "layers");
		const char *l1 = json_string_value(json_object_get(json_array_get(layers, 0), "digest"));
		const char *l2 = json_string_value(json_object_get(json_array_get(layers, 1), "digest"));
		assert_string_equal(e2e_introduced_in(report, e2e_text(curl, "id")), l1);
		assert_string_equal(e2e_introduced_in(report, e2e_text(jq, "id")), l2);
		assert_string_equal(e2e_introduced_in(report, e2e_text(lib, "id")), l1);
	}
	json_decref(report);
	free(image);
	free(tar1.data);
	free(tar2.data);
	free(gz[0].data);
	free(gz[1].data);
}

static void test_platform_from_index_and_shared_layer_cache(void **state)
{
	struct e2e_buf base = {0}, amd = {0}, arm = {0}, gz_base, gz_amd, gz_arm, layers[2];
	char stanza[256], repo[64], digest_amd[REGISTRY_DIGEST_BUF], digest_arm[REGISTRY_DIGEST_BUF];
	char idx[REGISTRY_DIGEST_BUF], image[256], *img_amd, *img_arm;
	size_t size_amd = 0, size_arm = 0;
	struct testpush_entry entries[2];
	json_t *report;
	char *before, *after;

	e2e_tar_add_text(&base, "etc/os-release", "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nNAME=\"Debian GNU/Linux\"\n");
	e2e_tar_end(&base);
	e2e_tar_add_text(&amd, "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA",
		"Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n\nbody\n");
	e2e_tar_end(&amd);
	e2e_tar_add_text(&arm, "var/lib/dpkg/status", status_stanza(stanza, sizeof(stanza), "armonly", "2.0"));
	e2e_tar_end(&arm);
	e2e_gzip(&gz_base, base.data, base.len, NULL);
	e2e_gzip(&gz_amd, amd.data, amd.len, NULL);
	e2e_gzip(&gz_arm, arm.data, arm.len, NULL);
	snprintf(repo, sizeof(repo), "e2e/multi-%s", run_id);
	layers[0] = gz_base;
	layers[1] = gz_amd;
	img_amd = push_layers(repo, "amd64", layers, 2, "amd64", digest_amd, &size_amd);
	layers[1] = gz_arm;
	img_arm = push_layers(repo, "arm64", layers, 2, "arm64", digest_arm, &size_arm);

	{
		struct index_request probe = {.image = img_amd};
		report = NULL;
		int created = 0;
		assert_int_equal(indexer_index(&report, &created, ix, &probe), ASEC_OK);
		assert_string_equal(digest_amd, json_string_value(json_object_get(json_object_get(report, "image"), "manifestDigest")));
		assert_non_null(e2e_find_package(report, "six"));
		json_decref(report);
	}
	/* The base layer was cached by the amd64 image: remember when it was scanned. */
	{
		char *layer_digest;
		struct e2e_buf *b = &gz_base;
		unsigned char hash[32];
		char hex[80];
		size_t i;
		gnutls_hash_fast(GNUTLS_DIG_SHA256, b->data, b->len, hash);
		for (i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", hash[i]);
		assert_true(asprintf(&layer_digest, "sha256:%s", hex) > 0);
		before = e2e_layer_scanned_at(pool, layer_digest);

		report = index_image(img_arm, "linux/arm64", 1);
		assert_string_equal(digest_arm, json_string_value(json_object_get(json_object_get(report, "image"), "manifestDigest")));
		assert_non_null(e2e_find_package(report, "armonly"));
		assert_null(e2e_find_package(report, "six"));
		json_decref(report);

		after = e2e_layer_scanned_at(pool, layer_digest);
		assert_string_equal(before, after); /* the shared base layer was not scanned again */
		free(before);
		free(after);
		free(layer_digest);
	}

	/* The index names both manifests by digest. */
	entries[0] = (struct testpush_entry){.digest = digest_amd, .size = size_amd, .os = "linux", .architecture = "amd64"};
	entries[1] = (struct testpush_entry){.digest = digest_arm, .size = size_arm, .os = "linux", .architecture = "arm64",
					     .variant = "v8"};
	if (testpush_index(pusher, repo, "multi", 0, entries, 2, idx) != ASEC_OK)
		fail_msg("push index: %s", error_last());
	snprintf(image, sizeof(image), "http://%s/%s:multi", registry, repo);
	report = index_image(image, "linux/arm64", 0); /* same manifest as the arm64 tag: from the store */
	assert_non_null(e2e_find_package(report, "armonly"));
	json_decref(report);
	{
		struct index_request req = {.image = image, .platform = "linux/s390x"};
		int created = 0;
		report = NULL;
		assert_int_equal(indexer_index(&report, &created, ix, &req), ASEC_ENOTFOUND);
		assert_non_null(strstr(error_last(), "arm64"));
	}
	free(img_amd);
	free(img_arm);
	free(base.data);
	free(amd.data);
	free(arm.data);
	free(gz_base.data);
	free(gz_amd.data);
	free(gz_arm.data);
}

struct concurrent_call {
	const char *image;
	int rc, created;
	json_t *report;
};

static void *index_in_thread(void *arg)
{
	struct concurrent_call *c = arg;
	struct index_request req = {.image = c->image};

	c->rc = indexer_index(&c->report, &c->created, ix, &req);
	return NULL;
}

static void test_concurrent_requests_index_once(void **state)
{
	struct e2e_buf tar = {0}, gz[1];
	struct concurrent_call calls[4];
	pthread_t threads[4];
	char repo[64], digest[REGISTRY_DIGEST_BUF], *image;
	size_t size = 0, i;
	int created = 0;

	e2e_tar_add_text(&tar, "app/node_modules/once/package.json", "{\"name\":\"once\",\"version\":\"1.4.0\"}");
	e2e_tar_end(&tar);
	e2e_gzip(&gz[0], tar.data, tar.len, NULL);
	snprintf(repo, sizeof(repo), "e2e/concurrent-%s", run_id);
	image = push_layers(repo, "v1", gz, 1, "amd64", digest, &size);
	for (i = 0; i < 4; i++) {
		calls[i] = (struct concurrent_call){.image = image};
		assert_int_equal(pthread_create(&threads[i], NULL, index_in_thread, &calls[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(threads[i], NULL);
		assert_int_equal(calls[i].rc, ASEC_OK);
		assert_non_null(e2e_find_package(calls[i].report, "once"));
		created += calls[i].created;
		json_decref(calls[i].report);
	}
	assert_int_equal(created, 1); /* one did the work; three waited and read its report */
	free(image);
	free(tar.data);
	free(gz[0].data);
}

static void test_missing_image_and_bad_reference(void **state)
{
	char image[256];
	struct index_request req = {.image = image};
	json_t *report = NULL;
	int created = 0;

	snprintf(image, sizeof(image), "http://%s/e2e/nothing-%s:latest", registry, run_id);
	assert_int_equal(indexer_index(&report, &created, ix, &req), ASEC_ENOTFOUND);
	req.image = "Not A Reference!";
	assert_int_equal(indexer_index(&report, &created, ix, &req), ASEC_EINVALID);
	assert_null(report);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bookworm_fixture_matches_dpkg_query),
		cmocka_unit_test(test_whiteouts_and_rewrites_across_layers),
		cmocka_unit_test(test_platform_from_index_and_shared_layer_cache),
		cmocka_unit_test(test_concurrent_requests_index_once),
		cmocka_unit_test(test_missing_image_and_bad_reference),
	};

	return e2e_run_quietly("indexer_e2e_test", tests, sizeof(tests) / sizeof(tests[0]), setup, teardown);
}
