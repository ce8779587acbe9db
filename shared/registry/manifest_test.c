/*
 * manifest_test.c - manifests, indexes and image configs from bytes.
 *
 * Real documents first: the raw registry blobs in ../shared/fixtures/oci/
 * (generated-local-registry: pushed by skopeo to docker-registry, so
 * sha256(file) is the digest a registry serves them under; the OCI layout
 * of the bookworm package database; the image-spec's own examples), checked
 * field by field. Then hostile and odd documents from testdata/ and built
 * here: schema 1, ambiguous documents, 1000 versus 1001 layers, foreign
 * layers, over-long strings, wrong types, duplicate keys, deep nesting.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"
#include "registry/registry.h"
#include "testing/testing.h"

#define FIX "fixtures/oci/generated-local-registry/"
#define DA "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

#define assert_ok(call)                                                       \
	do {                                                                  \
		int rc_ = (call);                                             \
		if (rc_ != ASEC_OK)                                           \
			print_error("%s: %d %s\n", #call, rc_, error_last()); \
		assert_int_equal(rc_, ASEC_OK);                               \
	} while (0)

/* Reads a shared fixture, checks it hashes to digest (when given). */
static unsigned char *fixture(const char *rel, size_t *len, const char *digest)
{
	char path[1024];
	unsigned char *data;

	testing_shared_path(path, sizeof(path), rel);
	data = testing_read_file(path, len);
	assert_non_null(data);
	if (digest)
		assert_ok(registry_digest_verify(digest, data, *len, rel));
	return data;
}

static unsigned char *testdata(const char *name, size_t *len)
{
	char path[1024];
	unsigned char *data;

	snprintf(path, sizeof(path), "%s/%s", REGISTRY_TESTDATA, name);
	data = testing_read_file(path, len);
	assert_non_null(data);
	return data;
}

static int parse(int *is_index, struct registry_manifest *m, struct registry_index *idx, const char *ct,
		 const char *text)
{
	return registry_document_parse(is_index, m, idx, ct, text, strlen(text));
}

/* ---- real documents ---- */

static void test_fixture_oci_manifest(void **state)
{
	struct registry_manifest m;
	struct registry_index idx;
	int is_index = -1;
	size_t len;
	unsigned char *data =
		fixture(FIX "bookworm-1.manifest.json", &len,
			"sha256:c6b3c2a2344b87a6d98c2b3298f1c7c3af12b9e71130b12da83ced36c6516795");

	(void)state;
	/* No mediaType in the document and no Content-Type: known by its shape. */
	assert_ok(registry_document_parse(&is_index, &m, &idx, NULL, data, len));
	assert_int_equal(is_index, 0);
	assert_string_equal(m.media_type, REGISTRY_MT_OCI_MANIFEST);
	assert_string_equal(m.config_media_type, REGISTRY_MT_OCI_CONFIG);
	assert_string_equal(m.config_digest, "sha256:717c333d29e648993f73e32f1ae213e23976dce700469248dd1c84ac84332234");
	assert_int_equal(m.config_size, 478);
	assert_int_equal(m.layer_count, 1);
	assert_string_equal(m.layers[0].digest,
			    "sha256:b50064a037de3574a737cd05b9d4e0e914d6d5f8d99eaf62b13919e09b60b518");
	assert_string_equal(m.layers[0].media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
	assert_int_equal(m.layers[0].size, 63385230);
	assert_int_equal(m.layers[0].kind, REGISTRY_LAYER_GZIP);
	assert_int_equal(m.note_count, 0);
	registry_manifest_free(&m);

	/* The same bytes under the registry's Content-Type. */
	assert_ok(registry_document_parse(&is_index, &m, &idx, REGISTRY_MT_OCI_MANIFEST, data, len));
	registry_manifest_free(&m);
	free(data);
}

static void test_fixture_docker_manifest(void **state)
{
	struct registry_manifest m;
	struct registry_index idx;
	int is_index;
	size_t len;
	unsigned char *data =
		fixture(FIX "bookworm-v2s2.manifest.json", &len,
			"sha256:0542cbcc823d3ef5eae7faf18a5ed197b44bc60c1fd208f625ba06dfbf80784a");

	(void)state;
	assert_ok(registry_document_parse(&is_index, &m, &idx, REGISTRY_MT_DOCKER_MANIFEST "; charset=utf-8", data,
					  len));
	assert_int_equal(is_index, 0);
	assert_string_equal(m.media_type, REGISTRY_MT_DOCKER_MANIFEST);
	assert_string_equal(m.config_media_type, REGISTRY_MT_DOCKER_CONFIG);
	assert_string_equal(m.config_digest, "sha256:717c333d29e648993f73e32f1ae213e23976dce700469248dd1c84ac84332234");
	assert_int_equal(m.layer_count, 1);
	assert_string_equal(m.layers[0].media_type, "application/vnd.docker.image.rootfs.diff.tar.gzip");
	assert_int_equal(m.layers[0].kind, REGISTRY_LAYER_GZIP);
	assert_int_equal(m.layers[0].size, 63385230);
	registry_manifest_free(&m);

	/* A Content-Type that contradicts the document's mediaType is refused. */
	assert_int_equal(registry_document_parse(&is_index, &m, &idx, REGISTRY_MT_OCI_MANIFEST, data, len),
			 ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "ambiguous"));
	free(data);
}

static void test_fixture_index(void **state)
{
	struct registry_manifest m;
	struct registry_index idx;
	struct registry_platform p;
	int is_index;
	size_t len, pos = 99;
	unsigned char *data = fixture(FIX "multi-1.manifest.json", &len,
				      "sha256:cbdd394cf4afe2b59702e8d8790ceca4836c5db3fbe56a44474c7f9b976f9cdc");

	(void)state;
	assert_ok(registry_document_parse(&is_index, &m, &idx, "application/json", data, len));
	assert_int_equal(is_index, 1);
	assert_string_equal(idx.media_type, REGISTRY_MT_OCI_INDEX);
	assert_int_equal(idx.entry_count, 2);
	assert_string_equal(idx.entries[0].digest,
			    "sha256:1f7ef4e0b748ed8508aae0a23cd39abf2909e09a56dba321ec7e454df5e27a35");
	assert_int_equal(idx.entries[0].size, 345);
	assert_string_equal(idx.entries[0].platform.architecture, "amd64");
	assert_string_equal(idx.entries[1].platform.architecture, "arm64");
	assert_string_equal(idx.entries[1].platform.variant, "");

	assert_ok(registry_index_select(&pos, &idx, NULL));
	assert_int_equal(pos, 0);
	assert_ok(registry_platform_parse(&p, "linux/arm64"));
	assert_ok(registry_index_select(&pos, &idx, &p));
	assert_int_equal(pos, 1);
	/* arm64 without a variant is v8. */
	assert_ok(registry_platform_parse(&p, "linux/aarch64/v8"));
	assert_ok(registry_index_select(&pos, &idx, &p));
	assert_int_equal(pos, 1);
	assert_ok(registry_platform_parse(&p, "linux/s390x"));
	assert_int_equal(registry_index_select(&pos, &idx, &p), ASEC_ENOTFOUND);
	assert_non_null(strstr(error_last(), "linux/s390x"));
	assert_non_null(strstr(error_last(), "available: linux/amd64, linux/arm64"));
	registry_index_free(&idx);
	free(data);
}

static void test_fixture_children(void **state)
{
	static const struct {
		const char *manifest, *digest, *config, *config_digest, *arch;
	} kids[] = {
		{ FIX "multi-child-1f7ef4e0b748.manifest.json",
		  "sha256:1f7ef4e0b748ed8508aae0a23cd39abf2909e09a56dba321ec7e454df5e27a35",
		  FIX "multi-child-1f7ef4e0b748.config.json",
		  "sha256:549abf963a6aac55830af4f5eebb905c88153431e65860a5b9afecda1546cda8", "amd64" },
		{ FIX "multi-child-1ee4361498ce.manifest.json",
		  "sha256:1ee4361498ce07f31bcf18906655e8f6152be17ad51b44c53cace272cf8c476f",
		  FIX "multi-child-1ee4361498ce.config.json",
		  "sha256:ed627a8f09904bb1783ac783754a097f993235e6a013bf86d4663b678873a435", "arm64" },
	};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct registry_manifest m;
		struct registry_index idx;
		struct registry_config c;
		int is_index;
		size_t len, clen;
		unsigned char *data = fixture(kids[i].manifest, &len, kids[i].digest);
		unsigned char *cfg = fixture(kids[i].config, &clen, kids[i].config_digest);

		assert_ok(registry_document_parse(&is_index, &m, &idx, REGISTRY_MT_OCI_MANIFEST, data, len));
		assert_string_equal(m.config_digest, kids[i].config_digest);
		assert_int_equal((size_t)m.config_size, clen);
		assert_int_equal(m.layer_count, 1);
		assert_string_equal(m.layers[0].digest,
				    "sha256:288e7088e470dbc4c78f58871c1375f3cbbdfb09bd74275d58c601d8c23ff747");
		assert_int_equal(m.layers[0].size, 172);
		assert_ok(registry_config_parse(&c, cfg, clen));
		assert_string_equal(c.architecture, kids[i].arch);
		assert_string_equal(c.os, "linux");
		assert_int_equal(c.cmd_count, 1);
		assert_string_equal(c.cmd[0], "/bin/sh");
		assert_int_equal(c.env_count, 0);
		assert_int_equal(c.diff_id_count, 1);
		assert_string_equal(c.diff_ids[0],
				    "sha256:225279adaf66b93e44fa4f2fd6c508c763bf3a6405ab5f696041757ce9e80fae");
		assert_int_equal(c.history_count, 2);
		assert_string_equal(c.history[0].created_by, "umoci insert");
		assert_int_equal(c.history[0].empty_layer, 0);
		assert_string_equal(c.history[1].created_by, "umoci config");
		assert_int_equal(c.history[1].empty_layer, 1);
		registry_config_free(&c);
		registry_manifest_free(&m);
		free(data);
		free(cfg);
	}
}

static void test_fixture_bookworm_config(void **state)
{
	struct registry_config c;
	size_t len;
	unsigned char *data = fixture(FIX "bookworm.config.json", &len,
				      "sha256:717c333d29e648993f73e32f1ae213e23976dce700469248dd1c84ac84332234");

	(void)state;
	assert_ok(registry_config_parse(&c, data, len));
	assert_string_equal(c.created, "2026-11-27T13:19:05.050179652Z");
	assert_string_equal(c.architecture, "amd64");
	assert_int_equal(c.env_count, 1);
	assert_string_equal(c.env[0], "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	assert_int_equal(c.cmd_count, 1);
	assert_string_equal(c.cmd[0], "/bin/bash");
	assert_int_equal(c.entrypoint_count, 0);
	assert_null(c.user);
	assert_int_equal(c.label_count, 0);
	assert_int_equal(c.history_count, 2);
	assert_string_equal(c.history[0].created, "2026-11-27T13:19:08.13596274Z");
	assert_string_equal(c.history[0].created_by, "umoci repack");
	assert_int_equal(c.history[1].empty_layer, 1);
	registry_config_free(&c);
	free(data);
}

static void test_fixture_oci_layout(void **state)
{
	struct registry_manifest m;
	struct registry_index idx;
	struct registry_config c;
	int is_index;
	size_t len, pos;
	unsigned char *data = fixture("fixtures/oci/oci-layout-bookworm-pkgdb/index.json", &len, NULL);

	(void)state;
	/* An OCI layout's index.json: no mediaType, entries without platform. */
	assert_ok(registry_document_parse(&is_index, &m, &idx, NULL, data, len));
	assert_int_equal(is_index, 1);
	assert_int_equal(idx.entry_count, 1);
	assert_int_equal(idx.entries[0].has_platform, 0);
	assert_int_equal(registry_index_select(&pos, &idx, NULL), ASEC_ENOTFOUND);
	assert_non_null(strstr(error_last(), "available: none"));
	registry_index_free(&idx);
	free(data);

	data = fixture("fixtures/oci/oci-layout-bookworm-pkgdb/blobs/sha256/"
		       "bc3f918f4082166955554a8b718890bc0a74345b2b30bb0b8b3050947e5dbcb2",
		       &len, "sha256:bc3f918f4082166955554a8b718890bc0a74345b2b30bb0b8b3050947e5dbcb2");
	assert_ok(registry_document_parse(&is_index, &m, &idx, NULL, data, len));
	assert_int_equal(m.layer_count, 1);
	assert_int_equal(m.layers[0].size, 26830);
	registry_manifest_free(&m);
	free(data);

	data = fixture("fixtures/oci/oci-layout-bookworm-pkgdb/blobs/sha256/"
		       "6c8c255bc0ff6cfe35d618cc805a34aafe01cfeb193fa836295b7f0d242a22f8",
		       &len, "sha256:6c8c255bc0ff6cfe35d618cc805a34aafe01cfeb193fa836295b7f0d242a22f8");
	assert_ok(registry_config_parse(&c, data, len));
	assert_string_equal(c.user, "0");
	assert_int_equal(c.env_count, 1);
	assert_string_equal(c.env[0], "PASSWORD=hunter2");
	registry_config_free(&c);
	free(data);
}

static void test_image_spec_examples(void **state)
{
	struct registry_manifest m;
	struct registry_index idx;
	struct registry_config c;
	struct registry_platform p;
	int is_index;
	size_t len, pos;
	unsigned char *data;

	(void)state;
	data = fixture("fixtures/oci/image-spec-examples/manifest-01-manifest.json", &len, NULL);
	assert_ok(registry_document_parse(&is_index, &m, &idx, NULL, data, len));
	assert_int_equal(m.layer_count, 3);
	assert_int_equal(m.config_size, 7023);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(m.layers[i].kind, REGISTRY_LAYER_GZIP);
	registry_manifest_free(&m);
	free(data);

	/* Artifacts (an empty or foreign config) are valid OCI, but no image. */
	for (int i = 3; i <= 5; i++) {
		char rel[256];

		snprintf(rel, sizeof(rel), "fixtures/oci/image-spec-examples/manifest-0%d-%s.json", i,
			 i == 3 ? "minimal-artifact" : i == 4 ? "artifact-without-config" : "artifact-with-config");
		data = fixture(rel, &len, NULL);
		assert_int_equal(registry_document_parse(&is_index, &m, &idx, NULL, data, len), ASEC_EINVALID);
		assert_non_null(strstr(error_last(), "not a container image config"));
		free(data);
	}

	data = fixture("fixtures/oci/image-spec-examples/image-index-06-image-index.json", &len, NULL);
	assert_ok(registry_document_parse(&is_index, &m, &idx, NULL, data, len));
	assert_int_equal(is_index, 1);
	assert_int_equal(idx.entry_count, 2);
	assert_ok(registry_index_select(&pos, &idx, NULL));
	assert_int_equal(pos, 1);
	assert_ok(registry_platform_parse(&p, "linux/ppc64le"));
	assert_ok(registry_index_select(&pos, &idx, &p));
	assert_int_equal(pos, 0);
	registry_index_free(&idx);
	free(data);

	/* A nested index entry (no platform) is never picked. */
	data = fixture("fixtures/oci/image-spec-examples/image-index-07-image-index.json", &len, NULL);
	assert_ok(registry_document_parse(&is_index, &m, &idx, NULL, data, len));
	assert_int_equal(registry_index_select(&pos, &idx, NULL), ASEC_ENOTFOUND);
	assert_non_null(strstr(error_last(), "available: linux/ppc64le"));
	registry_index_free(&idx);
	free(data);

	data = fixture("fixtures/oci/image-spec-examples/config-08-image-json.json", &len, NULL);
	assert_ok(registry_config_parse(&c, data, len));
	assert_string_equal(c.created, "2015-10-31T22:22:56.015925234Z");
	assert_string_equal(c.author, "Alyssa P. Hacker <alyspdev@example.com>");
	assert_string_equal(c.user, "alice");
	assert_string_equal(c.working_dir, "/home/alice");
	assert_int_equal(c.env_count, 3);
	assert_string_equal(c.env[1], "FOO=oci_is_a");
	assert_int_equal(c.entrypoint_count, 1);
	assert_string_equal(c.entrypoint[0], "/bin/my-app-binary");
	assert_int_equal(c.cmd_count, 3);
	assert_string_equal(c.cmd[2], "/etc/my-app.d/default.cfg");
	assert_int_equal(c.exposed_port_count, 1);
	assert_string_equal(c.exposed_ports[0], "8080/tcp");
	assert_int_equal(c.volume_count, 2);
	assert_string_equal(c.volumes[0], "/var/job-result-data");
	assert_string_equal(c.volumes[1], "/var/log/my-app-logs");
	assert_true(c.label_count >= 1);
	assert_int_equal(c.diff_id_count, 2);
	assert_true(c.history_count >= 1);
	registry_config_free(&c);
	free(data);
}

/* ---- hostile and odd documents ---- */

static void test_schema1_refused(void **state)
{
	struct registry_manifest m;
	struct registry_index idx;
	int is_index;
	size_t len;
	unsigned char *data = testdata("schema1-signed.json", &len);

	(void)state;
	/* By its body alone, and by the Content-Type registries send with it. */
	assert_int_equal(registry_document_parse(&is_index, &m, &idx, NULL, data, len), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "schema 1"));
	assert_int_equal(registry_document_parse(&is_index, &m, &idx, REGISTRY_MT_DOCKER_V1_SIGNED, data, len),
			 ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "schema 1"));
	assert_int_equal(parse(&is_index, &m, &idx, REGISTRY_MT_DOCKER_V1, "{}"), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "schema 1"));
	assert_int_equal(parse(&is_index, &m, &idx, NULL, "{\"schemaVersion\":2,\"mediaType\":\"" REGISTRY_MT_DOCKER_V1
						      "\"}"),
			 ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "schema 1"));
	free(data);
}

static void test_buildx_index(void **state)
{
	struct registry_manifest m;
	struct registry_index idx;
	struct registry_platform p;
	int is_index;
	size_t len, pos;
	unsigned char *data = testdata("buildx-index.json", &len);
	static const struct {
		const char *want;
		size_t pos;
	} picks[] = {
		{ "linux/amd64", 0 },	    { "linux/arm64", 1 },  { "linux/arm64/v8", 1 }, { "linux/aarch64", 1 },
		{ "linux/arm/v6", 2 },	    { "linux/arm", 3 },    { "linux/armhf", 3 },    { "linux/arm/7", 3 },
		{ "windows/amd64", 6 },
	};

	(void)state;
	assert_ok(registry_document_parse(&is_index, &m, &idx, REGISTRY_MT_OCI_INDEX, data, len));
	for (size_t i = 0; i < sizeof(picks) / sizeof(picks[0]); i++) {
		assert_ok(registry_platform_parse(&p, picks[i].want));
		assert_ok(registry_index_select(&pos, &idx, &p));
		assert_int_equal(pos, picks[i].pos);
	}
	/* The attestation (unknown/unknown) and the nested index (s390x) are not images. */
	assert_ok(registry_platform_parse(&p, "linux/s390x"));
	assert_int_equal(registry_index_select(&pos, &idx, &p), ASEC_ENOTFOUND);
	assert_non_null(strstr(error_last(),
			       "available: linux/amd64, linux/arm64/v8, linux/arm/v6, linux/arm/v7, windows/amd64)"));
	assert_ok(registry_platform_parse(&p, "unknown/unknown"));
	assert_int_equal(registry_index_select(&pos, &idx, &p), ASEC_ENOTFOUND);
	/* A variant asked for must be there. */
	assert_ok(registry_platform_parse(&p, "linux/arm/v5"));
	assert_int_equal(registry_index_select(&pos, &idx, &p), ASEC_ENOTFOUND);
	registry_index_free(&idx);
	free(data);
}

static void test_layer_kinds(void **state)
{
	struct registry_manifest m;
	struct registry_index idx;
	int is_index;
	size_t len;
	unsigned char *data = testdata("foreign-layers.json", &len);
	static const enum registry_layer_kind kinds[] = { REGISTRY_LAYER_SKIPPED, REGISTRY_LAYER_GZIP,
							  REGISTRY_LAYER_SKIPPED, REGISTRY_LAYER_ZSTD,
							  REGISTRY_LAYER_TAR,	  REGISTRY_LAYER_SKIPPED };

	(void)state;
	assert_ok(registry_document_parse(&is_index, &m, &idx, NULL, data, len));
	assert_int_equal(m.layer_count, 6);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(m.layers[i].kind, kinds[i]);
	assert_int_equal(m.note_count, 3);
	assert_non_null(strstr(m.notes[0], "layer 0 (sha256:bbbb"));
	assert_non_null(strstr(m.notes[0], "foreign layer"));
	assert_non_null(strstr(m.notes[1], "layer 2"));
	assert_non_null(strstr(m.notes[1], "non-distributable"));
	assert_non_null(strstr(m.notes[2], "layer 5"));
	assert_non_null(strstr(m.notes[2], "not an image layer"));
	registry_manifest_free(&m);
	free(data);
}

static char *layers_manifest(size_t n)
{
	const char *head = "{\"schemaVersion\":2,\"mediaType\":\"" REGISTRY_MT_OCI_MANIFEST "\",\"config\":"
			   "{\"mediaType\":\"" REGISTRY_MT_OCI_CONFIG "\",\"digest\":\"sha256:"
			   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"size\":10},\"layers\":[";
	const char *layer = "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:"
			    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\",\"size\":1}";
	size_t cap = strlen(head) + n * (strlen(layer) + 1) + 8;
	char *s = malloc(cap);
	size_t o;

	assert_non_null(s);
	o = (size_t)sprintf(s, "%s", head);
	for (size_t i = 0; i < n; i++)
		o += (size_t)sprintf(s + o, "%s%s", i ? "," : "", layer);
	sprintf(s + o, "]}");
	return s;
}

static void test_layer_limit(void **state)
{
	struct registry_manifest m;
	struct registry_index idx;
	int is_index;
	char *s;

	(void)state;
	s = layers_manifest(REGISTRY_MAX_LAYERS);
	assert_ok(parse(&is_index, &m, &idx, NULL, s));
	assert_int_equal(m.layer_count, REGISTRY_MAX_LAYERS);
	registry_manifest_free(&m);
	free(s);
	s = layers_manifest(REGISTRY_MAX_LAYERS + 1);
	assert_int_equal(parse(&is_index, &m, &idx, NULL, s), ASEC_ETOOBIG);
	assert_non_null(strstr(error_last(), "1001 layers, over the limit of 1000"));
	assert_null(m.layers);
	free(s);
}

static void test_malformed_manifests(void **state)
{
	static const struct {
		const char *ct, *body, *why;
		int rc;
	} bad[] = {
		{ NULL, "", "empty", ASEC_EINVALID },
		{ NULL, "<html><body>502 Bad Gateway</body></html>", "not valid JSON", ASEC_EINVALID },
		{ NULL, "[]", "not a JSON object", ASEC_EINVALID },
		{ NULL, "{}", "schemaVersion", ASEC_EINVALID },
		{ NULL, "{\"schemaVersion\":\"2\"}", "schemaVersion", ASEC_EINVALID },
		{ NULL, "{\"schemaVersion\":3,\"layers\":[]}", "schemaVersion", ASEC_EINVALID },
		{ NULL, "{\"schemaVersion\":2}", "neither", ASEC_EINVALID },
		{ NULL, "{\"schemaVersion\":2,\"manifests\":[],\"layers\":[]}", "ambiguous", ASEC_EINVALID },
		{ REGISTRY_MT_OCI_INDEX, "{\"schemaVersion\":2,\"config\":{},\"layers\":[]}", "ambiguous", ASEC_EINVALID },
		{ REGISTRY_MT_OCI_MANIFEST, "{\"schemaVersion\":2,\"manifests\":[]}", "ambiguous", ASEC_EINVALID },
		{ NULL, "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.artifact.manifest.v1+json\"}",
		  "mediaType", ASEC_EINVALID },
		{ NULL, "{\"schemaVersion\":2,\"mediaType\":7,\"layers\":[]}", "mediaType", ASEC_EINVALID },
		{ NULL, "{\"schemaVersion\":2,\"layers\":[]}", "config is missing", ASEC_EINVALID },
		{ NULL,
		  "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" REGISTRY_MT_OCI_CONFIG
		  "\",\"digest\":\"sha256:AAAA\",\"size\":1},\"layers\":[]}",
		  "config.digest", ASEC_EINVALID },
		{ NULL,
		  "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" REGISTRY_MT_OCI_CONFIG
		  "\",\"digest\":\"" DA "\",\"size\":-1},"
		  "\"layers\":[]}",
		  "config.size", ASEC_EINVALID },
		{ NULL,
		  "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" REGISTRY_MT_OCI_CONFIG
		  "\",\"digest\":\"" DA "\",\"size\":9999999999},"
		  "\"layers\":[]}",
		  "over the limit", ASEC_ETOOBIG },
		{ NULL,
		  "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" REGISTRY_MT_OCI_CONFIG
		  "\",\"digest\":\"" DA "\",\"size\":1},"
		  "\"layers\":{}}",
		  "layers is missing or not an array", ASEC_EINVALID },
		{ NULL,
		  "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" REGISTRY_MT_OCI_CONFIG
		  "\",\"digest\":\"" DA "\",\"size\":1},"
		  "\"layers\":[\"x\"]}",
		  "layers[0] is not an object", ASEC_EINVALID },
		{ NULL,
		  "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" REGISTRY_MT_OCI_CONFIG
		  "\",\"digest\":\"" DA "\",\"size\":1},"
		  "\"layers\":[{\"mediaType\":\"x\",\"digest\":\"" DA "\","
		  "\"size\":\"1\"}]}",
		  "layers[0].size", ASEC_EINVALID },
		/* Two "config" members: refused, not first-wins or last-wins. */
		{ NULL,
		  "{\"schemaVersion\":2,\"config\":{},\"config\":{\"mediaType\":\"" REGISTRY_MT_OCI_CONFIG
		  "\",\"digest\":\"" DA "\",\"size\":1},"
		  "\"layers\":[]}",
		  "duplicate", ASEC_EINVALID },
		/* \u0000 inside a string. */
		{ NULL, "{\"schemaVersion\":2,\"mediaType\":\"a\\u0000b\",\"layers\":[]}", "not valid JSON",
		  ASEC_EINVALID },
		{ NULL, "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" REGISTRY_MT_OCI_MANIFEST
			"\",\"digest\":\"" DA "\","
			"\"size\":1,\"platform\":{\"os\":\"linux\"}}]}",
		  "platform.architecture is missing", ASEC_EINVALID },
		{ NULL, "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" REGISTRY_MT_OCI_MANIFEST
			"\",\"digest\":\"" DA "\","
			"\"size\":1,\"platform\":\"linux/amd64\"}]}",
		  "platform is not an object", ASEC_EINVALID },
		{ NULL, "{\"schemaVersion\":2,\"manifests\":{}}", "manifests is missing or not an array", ASEC_EINVALID },
		{ NULL, "{\"schemaVersion\":2,\"layers\":[]} trailing", "not valid JSON", ASEC_EINVALID },
	};
	struct registry_manifest m;
	struct registry_index idx;
	int is_index;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse(&is_index, &m, &idx, bad[i].ct, bad[i].body);

		if (rc != bad[i].rc || !strstr(error_last(), bad[i].why))
			print_error("case %zu: rc %d '%s' (expected %d '%s')\n", i, rc, error_last(), bad[i].rc,
				    bad[i].why);
		assert_int_equal(rc, bad[i].rc);
		assert_non_null(strstr(error_last(), bad[i].why));
		assert_null(m.media_type);
		assert_null(idx.media_type);
	}
}

static void test_string_bounds(void **state)
{
	struct registry_manifest m;
	struct registry_index idx;
	int is_index;
	char *s = malloc(2000);
	char mt[300];

	(void)state;
	memset(mt, 'a', 256);
	mt[256] = '\0';
	sprintf(s,
		"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" REGISTRY_MT_OCI_CONFIG
		"\",\"digest\":\"" DA "\",\"size\":1},"
		"\"layers\":[{\"mediaType\":\"%s\",\"digest\":\"" DA "\","
		"\"size\":1}]}",
		mt);
	assert_int_equal(parse(&is_index, &m, &idx, NULL, s), ASEC_ETOOBIG);
	assert_non_null(strstr(error_last(), "layers[0].mediaType is 256 bytes, over the limit of 255"));
	/* The value itself is not in the message. */
	assert_null(strstr(error_last(), "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	free(s);

	/* A manifest over 4 MiB is refused before it is parsed. */
	s = calloc(1, REGISTRY_MANIFEST_MAX + 2);
	memset(s, ' ', REGISTRY_MANIFEST_MAX + 1);
	s[0] = '{';
	s[REGISTRY_MANIFEST_MAX] = '}';
	assert_int_equal(registry_document_parse(&is_index, &m, &idx, NULL, s, REGISTRY_MANIFEST_MAX + 1), ASEC_ETOOBIG);
	free(s);
}

static void test_deep_nesting(void **state)
{
	struct registry_manifest m;
	struct registry_index idx;
	struct registry_config c;
	int is_index;
	size_t depth = 100000;
	char *s = malloc(2 * depth + 64);
	size_t o = (size_t)sprintf(s, "{\"schemaVersion\":2,\"x\":");

	(void)state;
	for (size_t i = 0; i < depth; i++)
		s[o++] = '[';
	for (size_t i = 0; i < depth; i++)
		s[o++] = ']';
	s[o++] = '}';
	s[o] = '\0';
	/* jansson's depth cap turns this into a parse error, not a stack overflow. */
	assert_int_equal(parse(&is_index, &m, &idx, NULL, s), ASEC_EINVALID);
	assert_int_equal(registry_config_parse(&c, s, o), ASEC_EINVALID);
	free(s);
}

static void test_config_full(void **state)
{
	struct registry_config c;
	size_t len;
	unsigned char *data = testdata("config-full.json", &len);

	(void)state;
	assert_ok(registry_config_parse(&c, data, len));
	assert_string_equal(c.created, "2024-05-01T10:00:00Z");
	assert_string_equal(c.author, "someone");
	assert_string_equal(c.architecture, "arm64");
	assert_string_equal(c.variant, "v8");
	assert_string_equal(c.user, "1000:1000");
	assert_string_equal(c.working_dir, "/srv");
	assert_string_equal(c.stop_signal, "SIGTERM");
	assert_int_equal(c.env_count, 3);
	assert_string_equal(c.env[1], "DB_PASSWORD=not-for-logs");
	assert_string_equal(c.env[2], "EMPTY=");
	assert_int_equal(c.entrypoint_count, 2);
	assert_string_equal(c.entrypoint[1], "--flag");
	assert_int_equal(c.cmd_count, 0); /* null */
	assert_int_equal(c.label_count, 3);
	assert_string_equal(c.labels[0].key, "alpha");
	assert_string_equal(c.labels[0].value, "first");
	assert_string_equal(c.labels[1].key, "org.opencontainers.image.version");
	assert_string_equal(c.labels[2].key, "zeta");
	assert_int_equal(c.exposed_port_count, 3);
	assert_string_equal(c.exposed_ports[0], "53/udp");
	assert_string_equal(c.exposed_ports[1], "80/tcp");
	assert_string_equal(c.exposed_ports[2], "8443/tcp");
	assert_int_equal(c.volume_count, 2);
	assert_string_equal(c.volumes[0], "/cache");
	assert_int_equal(c.diff_id_count, 2);
	assert_int_equal(c.history_count, 3);
	assert_string_equal(c.history[0].comment, "base");
	assert_int_equal(c.history[1].empty_layer, 1);
	assert_string_equal(c.history[2].author, "ci");
	assert_int_equal(c.history[2].empty_layer, 0);
	registry_config_free(&c);
	free(data);

	/* Everything is optional: an empty object is an empty config. */
	assert_ok(registry_config_parse(&c, "{}", 2));
	assert_null(c.created);
	assert_int_equal(c.env_count, 0);
	registry_config_free(&c);
	assert_ok(registry_config_parse(&c, "{\"config\":null,\"history\":null,\"rootfs\":null}", 44));
	registry_config_free(&c);
}

static void test_config_malformed(void **state)
{
	static const struct {
		const char *body, *why;
		int rc;
	} bad[] = {
		{ "", "empty", ASEC_EINVALID },
		{ "not json", "not valid JSON", ASEC_EINVALID },
		{ "[1]", "not a JSON object", ASEC_EINVALID },
		{ "{\"created\":5}", "created is not a string", ASEC_EINVALID },
		{ "{\"config\":[]}", "config is not an object", ASEC_EINVALID },
		{ "{\"config\":{\"Env\":\"A=B\"}}", "config.Env is not an array", ASEC_EINVALID },
		{ "{\"config\":{\"Env\":[\"A=B\",7]}}", "config.Env[1] is not a string", ASEC_EINVALID },
		{ "{\"config\":{\"Cmd\":{}}}", "config.Cmd is not an array", ASEC_EINVALID },
		{ "{\"config\":{\"Labels\":[]}}", "Labels is not an object", ASEC_EINVALID },
		{ "{\"config\":{\"Labels\":{\"a\":1}}}", "not a string", ASEC_EINVALID },
		{ "{\"config\":{\"ExposedPorts\":[\"80/tcp\"]}}", "ExposedPorts is not an object", ASEC_EINVALID },
		{ "{\"config\":{\"User\":{}}}", "config.User is not a string", ASEC_EINVALID },
		{ "{\"rootfs\":{\"diff_ids\":[\"sha256:zz\"]}}", "rootfs.diff_ids[0]", ASEC_EINVALID },
		{ "{\"rootfs\":7}", "rootfs is not an object", ASEC_EINVALID },
		{ "{\"history\":{}}", "history is not an array", ASEC_EINVALID },
		{ "{\"history\":[1]}", "history[0] is not an object", ASEC_EINVALID },
		{ "{\"history\":[{\"empty_layer\":\"yes\"}]}", "history[0].empty_layer", ASEC_EINVALID },
		{ "{\"history\":[{\"created_by\":[]}]}", "history[0].created_by is not a string", ASEC_EINVALID },
		{ "{\"os\":\"linux\",\"os\":\"windows\"}", "duplicate", ASEC_EINVALID },
	};
	struct registry_config c;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = registry_config_parse(&c, bad[i].body, strlen(bad[i].body));

		if (rc != bad[i].rc || !strstr(error_last(), bad[i].why))
			print_error("case %zu: rc %d '%s' (expected '%s')\n", i, rc, error_last(), bad[i].why);
		assert_int_equal(rc, bad[i].rc);
		assert_non_null(strstr(error_last(), bad[i].why));
		assert_null(c.env);
	}
}

static void test_config_bounds(void **state)
{
	struct registry_config c;
	size_t big = REGISTRY_TEXT_MAX + 1;
	char *s = malloc(big + 100);
	size_t o;

	(void)state;
	/* An env entry over 64 KiB: refused, and its value is not in the message. */
	o = (size_t)sprintf(s, "{\"config\":{\"Env\":[\"SECRET=");
	memset(s + o, 'z', big);
	o += big;
	o += (size_t)sprintf(s + o, "\"]}}");
	assert_int_equal(registry_config_parse(&c, s, o), ASEC_ETOOBIG);
	assert_non_null(strstr(error_last(), "config.Env[0]"));
	assert_null(strstr(error_last(), "SECRET"));
	assert_null(strstr(error_last(), "zzzz"));
	free(s);

	/* 4096 env entries are fine, 4097 are not. */
	s = malloc(10 * (REGISTRY_CONFIG_LIST_MAX + 1) + 64);
	for (int n = REGISTRY_CONFIG_LIST_MAX; n <= REGISTRY_CONFIG_LIST_MAX + 1; n++) {
		o = (size_t)sprintf(s, "{\"config\":{\"Env\":[");
		for (int i = 0; i < n; i++)
			o += (size_t)sprintf(s + o, "%s\"A=1\"", i ? "," : "");
		o += (size_t)sprintf(s + o, "]}}");
		if (n == REGISTRY_CONFIG_LIST_MAX) {
			assert_ok(registry_config_parse(&c, s, o));
			assert_int_equal(c.env_count, REGISTRY_CONFIG_LIST_MAX);
			registry_config_free(&c);
		} else {
			assert_int_equal(registry_config_parse(&c, s, o), ASEC_ETOOBIG);
			assert_non_null(strstr(error_last(), "4097 entries"));
		}
	}
	free(s);

	/* Over 8 MiB in all. */
	s = calloc(1, REGISTRY_CONFIG_MAX + 1);
	memset(s, ' ', REGISTRY_CONFIG_MAX + 1);
	s[0] = '{';
	s[REGISTRY_CONFIG_MAX] = '}';
	assert_int_equal(registry_config_parse(&c, s, REGISTRY_CONFIG_MAX + 1), ASEC_ETOOBIG);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_oci_manifest),
		cmocka_unit_test(test_fixture_docker_manifest),
		cmocka_unit_test(test_fixture_index),
		cmocka_unit_test(test_fixture_children),
		cmocka_unit_test(test_fixture_bookworm_config),
		cmocka_unit_test(test_fixture_oci_layout),
		cmocka_unit_test(test_image_spec_examples),
		cmocka_unit_test(test_schema1_refused),
		cmocka_unit_test(test_buildx_index),
		cmocka_unit_test(test_layer_kinds),
		cmocka_unit_test(test_layer_limit),
		cmocka_unit_test(test_malformed_manifests),
		cmocka_unit_test(test_string_bounds),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_config_full),
		cmocka_unit_test(test_config_malformed),
		cmocka_unit_test(test_config_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
