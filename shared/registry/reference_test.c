/*
 * reference_test.c - image references, digests and platforms: Docker Hub's
 * defaults, every URL and domain form, and the grammar's refusals.
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

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct ref_case {
	const char *in;
	const char *domain, *repository, *tag, *digest;
	enum registry_scheme scheme;
	const char *canonical;
};

static const struct ref_case good[] = {
	{ "nginx", "docker.io", "library/nginx", "latest", NULL, REGISTRY_SCHEME_DEFAULT,
	  "docker.io/library/nginx:latest" },
	{ "nginx:1.25", "docker.io", "library/nginx", "1.25", NULL, 0, "docker.io/library/nginx:1.25" },
	{ "library/nginx", "docker.io", "library/nginx", "latest", NULL, 0, "docker.io/library/nginx:latest" },
	{ "user/app", "docker.io", "user/app", "latest", NULL, 0, "docker.io/user/app:latest" },
	{ "docker.io/nginx", "docker.io", "library/nginx", "latest", NULL, 0, "docker.io/library/nginx:latest" },
	{ "index.docker.io/nginx:x", "docker.io", "library/nginx", "x", NULL, 0, "docker.io/library/nginx:x" },
	{ "quay.io/ns/app:1.4", "quay.io", "ns/app", "1.4", NULL, 0, "quay.io/ns/app:1.4" },
	{ "localhost:5000/app", "localhost:5000", "app", "latest", NULL, 0, "localhost:5000/app:latest" },
	{ "localhost/app", "localhost", "app", "latest", NULL, 0, "localhost/app:latest" },
	{ "127.0.0.1:5000/a/b/c:v1@sha256:" D64, "127.0.0.1:5000", "a/b/c", "v1", "sha256:" D64, 0,
	  "127.0.0.1:5000/a/b/c:v1@sha256:" D64 },
	{ "repo@sha256:" D64, "docker.io", "library/repo", NULL, "sha256:" D64, 0,
	  "docker.io/library/repo@sha256:" D64 },
	{ "Registry.Example.COM/ns/app", "registry.example.com", "ns/app", "latest", NULL, 0,
	  "registry.example.com/ns/app:latest" },
	{ "[::1]:5000/app:t", "[::1]:5000", "app", "t", NULL, 0, "[::1]:5000/app:t" },
	{ "https://quay.io/ns/app:1", "quay.io", "ns/app", "1", NULL, REGISTRY_SCHEME_HTTPS, "quay.io/ns/app:1" },
	{ "HTTP://127.0.0.1:5000/app", "127.0.0.1:5000", "app", "latest", NULL, REGISTRY_SCHEME_HTTP,
	  "127.0.0.1:5000/app:latest" },
	/* With a scheme the first component is the host even without a dot. */
	{ "https://myhost/app", "myhost", "app", "latest", NULL, REGISTRY_SCHEME_HTTPS,
	  "https://myhost/app:latest" },
	{ "http://registry/app", "registry", "app", "latest", NULL, REGISTRY_SCHEME_HTTP, "http://registry/app:latest" },
	{ "a__b/c--d/e.f_g:T_1.x-y", "docker.io", "a__b/c--d/e.f_g", "T_1.x-y", NULL, 0,
	  "docker.io/a__b/c--d/e.f_g:T_1.x-y" },
	{ "my-registry.local:443/team/app@sha512:" D64 D64, "my-registry.local:443", "team/app", NULL,
	  "sha512:" D64 D64, 0, "my-registry.local:443/team/app@sha512:" D64 D64 },
	/* No '/' after it: "localhost:5000" is a name and a tag, as Docker reads it. */
	{ "localhost:5000", "docker.io", "library/localhost", "5000", NULL, 0, "docker.io/library/localhost:5000" },
};

static void test_parse_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct ref_case *c = &good[i];
		struct registry_ref ref;
		char *canon = NULL;
		int rc = registry_ref_parse(&ref, c->in);

		if (rc != ASEC_OK)
			print_error("%s: %s\n", c->in, error_last());
		assert_int_equal(rc, ASEC_OK);
		assert_string_equal(ref.domain, c->domain);
		assert_string_equal(ref.repository, c->repository);
		if (c->tag)
			assert_string_equal(ref.tag, c->tag);
		else
			assert_null(ref.tag);
		if (c->digest)
			assert_string_equal(ref.digest, c->digest);
		else
			assert_null(ref.digest);
		assert_int_equal(ref.scheme, c->scheme);
		assert_int_equal(registry_ref_format(&canon, &ref), ASEC_OK);
		assert_string_equal(canon, c->canonical);
		free(canon);
		registry_ref_free(&ref);
	}
}

static void test_api_host(void **state)
{
	struct registry_ref ref;

	(void)state;
	assert_int_equal(registry_ref_parse(&ref, "nginx"), ASEC_OK);
	assert_string_equal(registry_ref_api_host(&ref), REGISTRY_DOCKER_HUB_API);
	registry_ref_free(&ref);
	assert_int_equal(registry_ref_parse(&ref, "quay.io/a/b"), ASEC_OK);
	assert_string_equal(registry_ref_api_host(&ref), "quay.io");
	registry_ref_free(&ref);
}

static void test_parse_bad(void **state)
{
	static const struct {
		const char *in;
		const char *why; /* a piece of the message */
	} bad[] = {
		{ "", "empty" },
		{ "UPPER", "repository" },
		{ "nginx:", "tag" },
		{ "nginx:-bad", "tag" },
		{ "nginx:.bad", "tag" },
		{ "nginx@sha256:abc", "64 hex" },
		{ "nginx@sha256:" "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "lower-case" },
		{ "nginx@md5:d41d8cd98f00b204e9800998ecf8427e", "sha256 or sha512" },
		{ "nginx@sha256:" D64 "@sha256:" D64, "more than one" },
		{ "a//b", "repository" },
		{ "a/", "repository" },
		{ "/a", "repository" },
		{ "a..b", "repository" },
		{ "a___b", "repository" },
		{ "a-", "repository" },
		{ "-a", "repository" },
		{ "ns/app:tag:more", "repository" },
		{ "ftp://host/app", "scheme" },
		{ "https://nginx", "no repository" },
		{ "https://host", "no repository" },
		{ "host:99999/app", "domain" },
		{ "host:0/app", "domain" },
		{ "-host.io/app", "domain" },
		{ "host-.io/app", "domain" },
		{ "[::1/app", "domain" },
		{ "[zz]:5/app", "domain" },
		{ "nginx latest", "space" },
		{ "nginx\tx", "control" },
		{ "ngin\xc3\xa9x", "non-ASCII" },
		{ ":tag", "no repository" },
		{ "@sha256:" D64, "no repository" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct registry_ref ref;
		int rc = registry_ref_parse(&ref, bad[i].in);

		if (rc != ASEC_EINVALID || !strstr(error_last(), bad[i].why))
			print_error("'%s': rc %d, message '%s' (expected '%s')\n", bad[i].in, rc, error_last(),
				    bad[i].why);
		assert_int_equal(rc, ASEC_EINVALID);
		assert_non_null(strstr(error_last(), bad[i].why));
		assert_null(ref.domain);
		assert_null(ref.repository);
	}
}

static void test_bounds(void **state)
{
	char tag[REGISTRY_TAG_MAX + 2], text[2048];
	struct registry_ref ref;
	size_t n;

	(void)state;
	/* A tag of exactly 128 is fine, 129 is not. */
	memset(tag, 'a', REGISTRY_TAG_MAX);
	tag[REGISTRY_TAG_MAX] = '\0';
	snprintf(text, sizeof(text), "app:%s", tag);
	assert_int_equal(registry_ref_parse(&ref, text), ASEC_OK);
	registry_ref_free(&ref);
	snprintf(text, sizeof(text), "app:%sa", tag);
	assert_int_equal(registry_ref_parse(&ref, text), ASEC_EINVALID);

	/* The name ("quay.io/" + path) may be 255 bytes, not 256. */
	n = REGISTRY_NAME_MAX - strlen("quay.io/");
	strcpy(text, "quay.io/");
	memset(text + 8, 'b', n);
	text[8 + n] = '\0';
	assert_int_equal(registry_ref_parse(&ref, text), ASEC_OK);
	registry_ref_free(&ref);
	strcat(text, "b");
	assert_int_equal(registry_ref_parse(&ref, text), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "255"));

	/* Docker Hub's implied "docker.io/library/" counts towards the limit. */
	n = REGISTRY_NAME_MAX - strlen("docker.io/library/") + 1;
	memset(text, 'c', n);
	text[n] = '\0';
	assert_int_equal(registry_ref_parse(&ref, text), ASEC_EINVALID);

	/* Anything over REGISTRY_REF_MAX is refused before it is looked at. */
	memset(text, 'd', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(registry_ref_parse(&ref, text), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "longer than"));
	assert_int_equal(registry_ref_parse(&ref, NULL), ASEC_EINVALID);
}

static void test_domain_normalize(void **state)
{
	char *d = NULL;

	(void)state;
	assert_int_equal(registry_domain_normalize(&d, "Index.Docker.IO"), ASEC_OK);
	assert_string_equal(d, "docker.io");
	free(d);
	assert_int_equal(registry_domain_normalize(&d, "Quay.IO:443"), ASEC_OK);
	assert_string_equal(d, "quay.io:443");
	free(d);
	assert_int_equal(registry_domain_normalize(&d, "bad host"), ASEC_EINVALID);
	assert_null(d);
}

static void test_digests(void **state)
{
	char out[REGISTRY_DIGEST_BUF];

	(void)state;
	assert_int_equal(registry_digest_check("sha256:" D64), ASEC_OK);
	assert_int_equal(registry_digest_check("sha512:" D64 D64), ASEC_OK);
	assert_int_equal(registry_digest_check("sha256:" D64 "0"), ASEC_EINVALID);
	assert_int_equal(registry_digest_check("sha512:" D64), ASEC_EINVALID);
	assert_int_equal(registry_digest_check("sha256" D64), ASEC_EINVALID);
	assert_int_equal(registry_digest_check(NULL), ASEC_EINVALID);

	/* Known answers (FIPS 180-2 "abc"). */
	assert_int_equal(registry_digest_compute(out, "sha256", "abc", 3), ASEC_OK);
	assert_string_equal(out, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(registry_digest_compute(out, "sha512", "abc", 3), ASEC_OK);
	assert_string_equal(out, "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
				 "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
	assert_int_equal(registry_digest_compute(out, "md5", "abc", 3), ASEC_EINVALID);

	assert_int_equal(registry_digest_verify("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
						"abc", 3, "blob"),
			 ASEC_OK);
	assert_int_equal(registry_digest_verify("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
						"abd", 3, "blob"),
			 ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "blob sha256:ba7816bf"));
	assert_non_null(strstr(error_last(), "does not match its digest"));
}

static void test_platforms(void **state)
{
	static const struct {
		const char *in, *os, *arch, *variant, *shown;
	} cases[] = {
		{ "linux/amd64", "linux", "amd64", "", "linux/amd64" },
		{ "linux/arm64", "linux", "arm64", "v8", "linux/arm64/v8" },
		{ "linux/arm64/8", "linux", "arm64", "v8", "linux/arm64/v8" },
		{ "Linux/AARCH64", "linux", "arm64", "v8", "linux/arm64/v8" },
		{ "linux/arm", "linux", "arm", "v7", "linux/arm/v7" },
		{ "linux/arm/6", "linux", "arm", "v6", "linux/arm/v6" },
		{ "linux/armhf", "linux", "arm", "v7", "linux/arm/v7" },
		{ "linux/armel", "linux", "arm", "v6", "linux/arm/v6" },
		{ "linux/x86_64", "linux", "amd64", "", "linux/amd64" },
		{ "linux/amd64/v1", "linux", "amd64", "", "linux/amd64" },
		{ "linux/amd64/v3", "linux", "amd64", "v3", "linux/amd64/v3" },
		{ "linux/i386", "linux", "386", "", "linux/386" },
		{ "windows/amd64", "windows", "amd64", "", "windows/amd64" },
	};
	static const char *const bad[] = { "", "linux", "linux/", "/amd64", "linux//v8", "a/b/c/d", "linux/amd 64",
					   "linux/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
	struct registry_platform p;
	char shown[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(registry_platform_parse(&p, cases[i].in), ASEC_OK);
		assert_string_equal(p.os, cases[i].os);
		assert_string_equal(p.architecture, cases[i].arch);
		assert_string_equal(p.variant, cases[i].variant);
		registry_platform_format(shown, sizeof(shown), &p);
		assert_string_equal(shown, cases[i].shown);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(registry_platform_parse(&p, bad[i]), ASEC_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_api_host),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_domain_normalize),
		cmocka_unit_test(test_digests),
		cmocka_unit_test(test_platforms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
