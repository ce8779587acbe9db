/*
 * live_test.c - the registry client against real docker-registry instances
 * (Debian's docker-registry, the CNCF distribution project), started by
 * scripts/test.sh through scripts/lib/registry.sh:
 *
 *   ASEC_TEST_REGISTRY           127.0.0.1:port of an anonymous registry
 *   ASEC_TEST_REGISTRY_AUTH      127.0.0.1:port of one behind htpasswd basic auth
 *   ASEC_TEST_REGISTRY_USER / ASEC_TEST_REGISTRY_PASSWORD   its credentials
 *
 * Without them the test is skipped (exit 77), except under CI=true, where it
 * fails. Images are pushed with testpush.c: an OCI index of amd64 and arm64
 * images whose configs are the fixture configs of generated-local-registry,
 * a Docker schema 2 manifest and manifest list around the bookworm fixture
 * config, the OCI layout of the bookworm package database byte for byte, and
 * manifests of 1000 and 1001 layers. (The fixture manifests themselves
 * cannot be pushed: docker-registry refuses a manifest whose layers it does
 * not hold, and the fixture folder has no layers; client_test.c serves them
 * from a fake registry instead.) Repository names carry the process id, so
 * runs against a long-lived registry do not see each other's tags.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error/error.h"
#include "registry/registry.h"
#include "registry/testpush.h"
#include "testing/testing.h"

#define FIX "fixtures/oci/generated-local-registry/"
#define LAYOUT "fixtures/oci/oci-layout-bookworm-pkgdb/blobs/sha256/"

#define assert_ok(call)                                                       \
	do {                                                                  \
		int rc_ = (call);                                             \
		if (rc_ != ASEC_OK)                                           \
			print_error("%s: %d %s\n", #call, rc_, error_last()); \
		assert_int_equal(rc_, ASEC_OK);                               \
	} while (0)

#define assert_fails(call, code, text)                                                           \
	do {                                                                                     \
		int rc_ = (call);                                                                \
		if (rc_ != (code) || !strstr(error_last(), (text)))                              \
			print_error("%s: %d '%s', expected %d '%s'\n", #call, rc_, error_last(), \
				    (int)(code), (text));                                        \
		assert_int_equal(rc_, (code));                                                   \
		assert_non_null(strstr(error_last(), (text)));                                   \
	} while (0)

static const char *anon_host, *auth_host, *auth_user, *auth_pass;
static char repo_prefix[64];

static void need(const char *what)
{
	if (testing_in_ci())
		fail_msg("%s is not set under CI", what);
	skip();
}

static unsigned char *shared_file(const char *rel, size_t *len)
{
	char path[1024];
	unsigned char *data;

	testing_shared_path(path, sizeof(path), rel);
	data = testing_read_file(path, len);
	assert_non_null(data);
	return data;
}

static struct registry_client *client(const char *registry, const char *user, const char *pass)
{
	struct httpclient_options o;
	struct registry_options ro = { 0 };
	struct registry_client *c = NULL;

	httpclient_options_init(&o);
	o.total_timeout_ms = 30000;
	o.backoff_base_ms = 5;
	o.backoff_max_ms = 50;
	ro.registry = registry;
	ro.username = user;
	ro.password = pass;
	ro.insecure = 1; /* the test registries speak plain HTTP */
	ro.http = &o;
	assert_ok(registry_client_new(&c, &ro));
	return c;
}

static void ref_of(struct registry_ref *ref, const char *host, const char *repo, const char *rest)
{
	char text[512];

	snprintf(text, sizeof(text), "%s/%s/%s%s", host, repo_prefix, repo, rest);
	assert_ok(registry_ref_parse(ref, text));
}

static void repo_name(char *buf, size_t size, const char *repo)
{
	snprintf(buf, size, "%s/%s", repo_prefix, repo);
}

struct sink {
	unsigned char *data;
	size_t len;
};

static int sink_cb(const void *d, size_t n, void *ctx)
{
	struct sink *s = ctx;

	s->data = realloc(s->data, s->len + n);
	assert_non_null(s->data);
	memcpy(s->data + s->len, d, n);
	s->len += n;
	return ASEC_OK;
}

/* ---- the anonymous registry ---- */

static void test_oci_index(void **state)
{
	struct testpush *p;
	char repo[128], amd[REGISTRY_DIGEST_BUF], arm[REGISTRY_DIGEST_BUF], idx[REGISTRY_DIGEST_BUF];
	size_t amd_size, arm_size, len;
	struct testpush_layer la = { "layer for amd64", 15, NULL }, lb = { "layer for arm64", 15, NULL };
	struct testpush_entry entries[2];
	unsigned char *cfg_amd, *cfg_arm;
	struct registry_client *c;
	struct registry_ref ref;
	struct registry_manifest m;
	struct registry_config cfg;
	struct registry_platform plat;
	struct sink s = { 0 };
	char text[256];

	(void)state;
	if (!anon_host)
		need("ASEC_TEST_REGISTRY");
	cfg_amd = shared_file(FIX "multi-child-1f7ef4e0b748.config.json", &len);
	cfg_arm = shared_file(FIX "multi-child-1ee4361498ce.config.json", &len);
	repo_name(repo, sizeof(repo), "multi");
	assert_ok(testpush_open(&p, anon_host, NULL, NULL));
	assert_ok(testpush_image(p, repo, NULL, 0, (const char *)cfg_amd, &la, 1, amd, &amd_size));
	assert_ok(testpush_image(p, repo, NULL, 0, (const char *)cfg_arm, &lb, 1, arm, &arm_size));
	entries[0] = (struct testpush_entry){ amd, amd_size, "linux", "amd64", NULL };
	entries[1] = (struct testpush_entry){ arm, arm_size, "linux", "arm64", "v8" };
	assert_ok(testpush_index(p, repo, "1", 0, entries, 2, idx));
	testpush_close(p);

	c = client(NULL, NULL, NULL);
	ref_of(&ref, anon_host, "multi", ":1");
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	assert_string_equal(m.digest, amd);
	assert_string_equal(m.index_digest, idx);
	assert_string_equal(m.index_media_type, REGISTRY_MT_OCI_INDEX);
	assert_int_equal(m.size, amd_size);
	assert_ok(registry_fetch_config(&cfg, c, &ref, &m));
	/* The fixture config, as pushed. */
	assert_string_equal(m.config_digest, "sha256:549abf963a6aac55830af4f5eebb905c88153431e65860a5b9afecda1546cda8");
	assert_string_equal(cfg.architecture, "amd64");
	assert_string_equal(cfg.cmd[0], "/bin/sh");
	assert_ok(registry_fetch_blob(c, &ref, m.layers[0].digest, m.layers[0].size, sink_cb, &s));
	assert_int_equal(s.len, 15);
	assert_memory_equal(s.data, "layer for amd64", 15);
	registry_config_free(&cfg);
	registry_manifest_free(&m);

	assert_ok(registry_platform_parse(&plat, "linux/arm64"));
	assert_ok(registry_fetch_manifest(&m, c, &ref, &plat));
	assert_string_equal(m.digest, arm);
	assert_string_equal(m.platform.variant, "v8");
	assert_ok(registry_fetch_config(&cfg, c, &ref, &m));
	assert_string_equal(cfg.architecture, "arm64");
	registry_config_free(&cfg);
	registry_manifest_free(&m);

	assert_ok(registry_platform_parse(&plat, "linux/ppc64le"));
	assert_fails(registry_fetch_manifest(&m, c, &ref, &plat), ASEC_ENOTFOUND,
		     "available: linux/amd64, linux/arm64/v8");
	registry_ref_free(&ref);

	/* By digest: the index, and a manifest directly. */
	snprintf(text, sizeof(text), "@%s", idx);
	ref_of(&ref, anon_host, "multi", text);
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	assert_string_equal(m.digest, amd);
	registry_manifest_free(&m);
	registry_ref_free(&ref);
	snprintf(text, sizeof(text), "@%s", arm);
	ref_of(&ref, anon_host, "multi", text);
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	assert_string_equal(m.digest, arm);
	assert_null(m.index_digest);
	registry_manifest_free(&m);
	registry_ref_free(&ref);

	registry_client_free(c);
	free(s.data);
	free(cfg_amd);
	free(cfg_arm);
}

static void test_docker_schema2_and_list(void **state)
{
	struct testpush *p;
	char repo[128], man[REGISTRY_DIGEST_BUF], list[REGISTRY_DIGEST_BUF];
	size_t size, len;
	struct testpush_layer l = { "docker layer", 12, NULL };
	struct testpush_entry entry;
	unsigned char *config = shared_file(FIX "bookworm.config.json", &len);
	struct registry_client *c;
	struct registry_ref ref;
	struct registry_manifest m;
	struct registry_config cfg;

	(void)state;
	if (!anon_host)
		need("ASEC_TEST_REGISTRY");
	repo_name(repo, sizeof(repo), "docker");
	assert_ok(testpush_open(&p, anon_host, NULL, NULL));
	assert_ok(testpush_image(p, repo, "v2s2", 1, (const char *)config, &l, 1, man, &size));
	entry = (struct testpush_entry){ man, size, "linux", "amd64", NULL };
	assert_ok(testpush_index(p, repo, "list", 1, &entry, 1, list));
	testpush_close(p);

	c = client(NULL, NULL, NULL);
	ref_of(&ref, anon_host, "docker", ":v2s2");
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	assert_string_equal(m.media_type, REGISTRY_MT_DOCKER_MANIFEST);
	assert_string_equal(m.digest, man);
	assert_string_equal(m.config_digest, "sha256:717c333d29e648993f73e32f1ae213e23976dce700469248dd1c84ac84332234");
	assert_string_equal(m.layers[0].media_type, "application/vnd.docker.image.rootfs.diff.tar.gzip");
	assert_ok(registry_fetch_config(&cfg, c, &ref, &m));
	assert_string_equal(cfg.env[0], "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	registry_config_free(&cfg);
	registry_manifest_free(&m);
	registry_ref_free(&ref);

	ref_of(&ref, anon_host, "docker", ":list");
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	assert_string_equal(m.index_media_type, REGISTRY_MT_DOCKER_LIST);
	assert_string_equal(m.index_digest, list);
	assert_string_equal(m.digest, man);
	registry_manifest_free(&m);
	registry_ref_free(&ref);
	registry_client_free(c);
	free(config);
}

static void test_oci_layout_fixture(void **state)
{
	static const char *const blobs[] = {
		"6c8c255bc0ff6cfe35d618cc805a34aafe01cfeb193fa836295b7f0d242a22f8",
		"d0179efdd4a5e4219adedddd56cea5588e145925c8c67c00b3642fbab1f6688e",
	};
	struct testpush *p;
	char repo[128], digest[REGISTRY_DIGEST_BUF], rel[256];
	unsigned char *manifest, *layer = NULL;
	size_t mlen, layer_len = 0;
	struct registry_client *c;
	struct registry_ref ref;
	struct registry_manifest m;
	struct registry_config cfg;
	struct sink s = { 0 };

	(void)state;
	if (!anon_host)
		need("ASEC_TEST_REGISTRY");
	repo_name(repo, sizeof(repo), "bookworm-pkgdb");
	assert_ok(testpush_open(&p, anon_host, NULL, NULL));
	for (size_t i = 0; i < 2; i++) {
		size_t len;
		unsigned char *data;

		snprintf(rel, sizeof(rel), LAYOUT "%s", blobs[i]);
		data = shared_file(rel, &len);
		assert_ok(testpush_blob(p, repo, data, len, digest));
		assert_string_equal(digest + 7, blobs[i]);
		if (i == 1) {
			layer = data;
			layer_len = len;
		} else {
			free(data);
		}
	}
	manifest = shared_file(LAYOUT "bc3f918f4082166955554a8b718890bc0a74345b2b30bb0b8b3050947e5dbcb2", &mlen);
	assert_ok(testpush_manifest(p, repo, "pkgdb", REGISTRY_MT_OCI_MANIFEST, manifest, mlen, digest));
	testpush_close(p);

	c = client(NULL, NULL, NULL);
	ref_of(&ref, anon_host, "bookworm-pkgdb", ":pkgdb");
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	assert_string_equal(m.digest, "sha256:bc3f918f4082166955554a8b718890bc0a74345b2b30bb0b8b3050947e5dbcb2");
	assert_ok(registry_fetch_config(&cfg, c, &ref, &m));
	assert_string_equal(cfg.user, "0");
	assert_string_equal(cfg.env[0], "PASSWORD=hunter2");
	assert_ok(registry_fetch_blob(c, &ref, m.layers[0].digest, m.layers[0].size, sink_cb, &s));
	assert_int_equal(s.len, layer_len);
	assert_memory_equal(s.data, layer, layer_len);
	assert_int_equal(s.data[0], 0x1f); /* gzip */
	registry_config_free(&cfg);
	registry_manifest_free(&m);
	registry_ref_free(&ref);
	registry_client_free(c);
	free(s.data);
	free(layer);
	free(manifest);
}

static void test_layer_limit(void **state)
{
	struct testpush *p;
	char repo[128], cdig[REGISTRY_DIGEST_BUF], ldig[REGISTRY_DIGEST_BUF], digest[REGISTRY_DIGEST_BUF];
	static const char config[] = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\"}}";
	struct registry_client *c;
	struct registry_ref ref;
	struct registry_manifest m;
	char *body;

	(void)state;
	if (!anon_host)
		need("ASEC_TEST_REGISTRY");
	repo_name(repo, sizeof(repo), "layers");
	assert_ok(testpush_open(&p, anon_host, NULL, NULL));
	assert_ok(testpush_blob(p, repo, config, strlen(config), cdig));
	assert_ok(testpush_blob(p, repo, "one layer, many times", 21, ldig));
	for (size_t n = 1000; n <= 1001; n++) {
		body = testpush_manifest_json(0, cdig, strlen(config), ldig, 21, n);
		assert_non_null(body);
		assert_ok(testpush_manifest(p, repo, n == 1000 ? "1000" : "1001", REGISTRY_MT_OCI_MANIFEST, body,
					    strlen(body), digest));
		free(body);
	}
	testpush_close(p);

	c = client(NULL, NULL, NULL);
	ref_of(&ref, anon_host, "layers", ":1000");
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	assert_int_equal(m.layer_count, 1000);
	registry_manifest_free(&m);
	registry_ref_free(&ref);
	ref_of(&ref, anon_host, "layers", ":1001");
	assert_fails(registry_fetch_manifest(&m, c, &ref, NULL), ASEC_ETOOBIG, "1001 layers, over the limit of 1000");
	registry_ref_free(&ref);
	registry_client_free(c);
}

static void test_not_found(void **state)
{
	struct registry_client *c;
	struct registry_ref ref;
	struct registry_manifest m;
	struct sink s = { 0 };

	(void)state;
	if (!anon_host)
		need("ASEC_TEST_REGISTRY");
	c = client(NULL, NULL, NULL);
	ref_of(&ref, anon_host, "multi", ":no-such-tag");
	assert_fails(registry_fetch_manifest(&m, c, &ref, NULL), ASEC_ENOTFOUND, "MANIFEST_UNKNOWN");
	registry_ref_free(&ref);
	ref_of(&ref, anon_host, "never-pushed", ":1");
	assert_fails(registry_fetch_manifest(&m, c, &ref, NULL), ASEC_ENOTFOUND, "not found (404)");
	assert_fails(registry_fetch_blob(c, &ref, "sha256:0000000000000000000000000000000000000000000000000000000000000000",
					 -1, sink_cb, &s),
		     ASEC_ENOTFOUND, "BLOB_UNKNOWN");
	assert_int_equal(s.len, 0);
	registry_ref_free(&ref);
	registry_client_free(c);
}

static void test_https_to_plain_registry(void **state)
{
	struct httpclient_options o;
	struct registry_options ro = { 0 };
	struct registry_client *c = NULL;
	struct registry_ref ref;
	struct registry_manifest m;

	(void)state;
	if (!anon_host)
		need("ASEC_TEST_REGISTRY");
	/* Not marked insecure: HTTPS, which a plain-HTTP registry cannot answer. */
	httpclient_options_init(&o);
	o.total_timeout_ms = 10000;
	o.max_attempts = 1;
	ro.http = &o;
	assert_ok(registry_client_new(&c, &ro));
	ref_of(&ref, anon_host, "multi", ":1");
	assert_int_equal(registry_fetch_manifest(&m, c, &ref, NULL), ASEC_EIO);
	assert_non_null(strstr(error_last(), "https://"));
	registry_ref_free(&ref);
	registry_client_free(c);
}

/* ---- the htpasswd registry ---- */

static void test_basic_auth(void **state)
{
	struct testpush *p;
	char repo[128], man[REGISTRY_DIGEST_BUF], wrong[256];
	size_t size;
	struct testpush_layer l = { "private layer", 13, NULL };
	struct registry_client *c;
	struct registry_ref ref;
	struct registry_manifest m;
	struct sink s = { 0 };

	(void)state;
	if (!auth_host || !auth_user || !auth_pass)
		need("ASEC_TEST_REGISTRY_AUTH, ASEC_TEST_REGISTRY_USER and ASEC_TEST_REGISTRY_PASSWORD");
	repo_name(repo, sizeof(repo), "private");
	assert_ok(testpush_open(&p, auth_host, auth_user, auth_pass));
	assert_ok(testpush_image(p, repo, "v1", 0, NULL, &l, 1, man, &size));
	testpush_close(p);

	ref_of(&ref, auth_host, "private", ":v1");
	c = client(auth_host, auth_user, auth_pass);
	assert_ok(registry_fetch_manifest(&m, c, &ref, NULL));
	assert_string_equal(m.digest, man);
	assert_ok(registry_fetch_blob(c, &ref, m.layers[0].digest, m.layers[0].size, sink_cb, &s));
	assert_memory_equal(s.data, "private layer", 13);
	registry_manifest_free(&m);
	registry_client_free(c);

	snprintf(wrong, sizeof(wrong), "%s-but-wrong", auth_pass);
	c = client(auth_host, auth_user, wrong);
	assert_fails(registry_fetch_manifest(&m, c, &ref, NULL), ASEC_EAUTH, "refused the credentials (401 Unauthorized)");
	assert_null(strstr(error_last(), auth_pass));
	assert_null(strstr(error_last(), auth_user));
	registry_client_free(c);

	c = client(NULL, NULL, NULL);
	assert_fails(registry_fetch_manifest(&m, c, &ref, NULL), ASEC_EAUTH, "asks for credentials (HTTP basic)");
	registry_client_free(c);

	/* Right credentials, configured for another registry: not sent. */
	c = client("registry.example.com", auth_user, auth_pass);
	assert_fails(registry_fetch_manifest(&m, c, &ref, NULL), ASEC_EAUTH, "asks for credentials");
	registry_client_free(c);
	registry_ref_free(&ref);
	free(s.data);
}

/* The /v2/ check an image integration's test runs, against both registries:
 * anonymous, htpasswd with right and wrong credentials, and plain http://
 * written out versus a secure client. */
static void test_ping(void **state)
{
	struct registry_client *c;
	char wrong[256];

	(void)state;
	if (!anon_host || !auth_host || !auth_user || !auth_pass)
		need("ASEC_TEST_REGISTRY, ASEC_TEST_REGISTRY_AUTH, ASEC_TEST_REGISTRY_USER and "
		     "ASEC_TEST_REGISTRY_PASSWORD");
	c = client(NULL, NULL, NULL);
	assert_ok(registry_ping(c, anon_host, REGISTRY_SCHEME_DEFAULT));
	assert_ok(registry_ping(c, anon_host, REGISTRY_SCHEME_HTTP));
	assert_fails(registry_ping(c, auth_host, REGISTRY_SCHEME_DEFAULT), ASEC_EAUTH, "none were given");
	registry_client_free(c);

	/* Credentials a registry does not need are no reason to fail. */
	c = client(anon_host, auth_user, auth_pass);
	assert_ok(registry_ping(c, anon_host, REGISTRY_SCHEME_DEFAULT));
	registry_client_free(c);

	c = client(auth_host, auth_user, auth_pass);
	assert_ok(registry_ping(c, auth_host, REGISTRY_SCHEME_HTTP));
	registry_client_free(c);

	snprintf(wrong, sizeof(wrong), "%s-but-wrong", auth_pass);
	c = client(auth_host, auth_user, wrong);
	assert_fails(registry_ping(c, auth_host, REGISTRY_SCHEME_DEFAULT), ASEC_EAUTH, "refused the credentials");
	assert_non_null(strstr(error_last(), auth_host));
	assert_null(strstr(error_last(), auth_pass));
	assert_null(strstr(error_last(), auth_user));
	registry_client_free(c);

	{
		/* Not marked insecure: HTTPS, which these registries cannot speak. */
		struct httpclient_options o;
		struct registry_options ro = { 0 };

		httpclient_options_init(&o);
		o.total_timeout_ms = 10000;
		o.max_attempts = 1;
		ro.http = &o;
		assert_ok(registry_client_new(&c, &ro));
		assert_fails(registry_ping(c, anon_host, REGISTRY_SCHEME_DEFAULT), ASEC_EIO, "https://");
		assert_fails(registry_ping(c, anon_host, REGISTRY_SCHEME_HTTP), ASEC_EINVALID, "insecure");
		registry_client_free(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oci_index),
		cmocka_unit_test(test_docker_schema2_and_list),
		cmocka_unit_test(test_oci_layout_fixture),
		cmocka_unit_test(test_layer_limit),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_https_to_plain_registry),
		cmocka_unit_test(test_basic_auth),
		cmocka_unit_test(test_ping),
	};
	const char *v;

	anon_host = (v = getenv("ASEC_TEST_REGISTRY")) && v[0] ? v : NULL;
	auth_host = (v = getenv("ASEC_TEST_REGISTRY_AUTH")) && v[0] ? v : NULL;
	auth_user = (v = getenv("ASEC_TEST_REGISTRY_USER")) && v[0] ? v : NULL;
	auth_pass = (v = getenv("ASEC_TEST_REGISTRY_PASSWORD")) && v[0] ? v : NULL;
	if (!anon_host && !auth_host) {
		fprintf(stderr, "%s: ASEC_TEST_REGISTRY and ASEC_TEST_REGISTRY_AUTH are not set "
				"(scripts/test.sh starts docker-registry instances and sets them)\n",
			testing_in_ci() ? "FAIL" : "SKIP");
		return testing_in_ci() ? 1 : TESTING_SKIP;
	}
	snprintf(repo_prefix, sizeof(repo_prefix), "asec-test-%ld", (long)getpid());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
