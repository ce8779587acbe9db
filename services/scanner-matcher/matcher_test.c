/*
 * matcher_test.c - matching semantics on hand-made canonical records: one
 * case per rule the issue names (source-keyed Debian fixes, vendor "not
 * affected", rpm epochs and release-less bounds, apk -rN, npm
 * last_affected, Go modules and stdlib, PyPI pre-releases and names, Maven
 * qualifiers), alias folding, enrichment that never overrides the vendor,
 * and snapshots that replace a source whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <zlib.h>

#include "error/error.h"
#include "feeds/feed.h"
#include "matcher.h"
#include "testing/testing.h"
#include "vulndata.h"

static json_t *load(const char *text)
{
	json_error_t err;
	json_t *v = json_loads(text, 0, &err);

	if (!v)
		fail_msg("bad test JSON: %s: %s", err.text, text);
	return v;
}

/* A snapshot of one source made of the given records (JSON texts). */
static struct vulndata *snapshot(const char *source, const char *const *records, size_t count)
{
	struct vulndata_builder *b;
	struct vulndata_source *s;
	struct vulndata *d;
	size_t i;

	assert_int_equal(vulndata_builder_new(&b, source, "test"), ASEC_OK);
	for (i = 0; i < count; i++) {
		int rc = vulndata_builder_add(b, load(records[i]));
		if (rc)
			fail_msg("record %zu refused: %s", i, error_last());
	}
	assert_int_equal(vulndata_builder_finish(&s, b), ASEC_OK);
	assert_int_equal(vulndata_new(&d, NULL, &s, 1), ASEC_OK);
	vulndata_source_unref(s);
	return d;
}

/* contents with one OS package of a distribution */
static json_t *os_contents(const char *did, const char *version_id, const char *name, const char *version,
			   const char *src_name, const char *src_version)
{
	json_t *pkg = json_pack("{s:s, s:s, s:s, s:s}", "id", "1", "name", name, "version", version, "kind", "binary");

	if (src_name)
		json_object_set_new(pkg, "source", json_pack("{s:s, s:s, s:s}", "name", src_name, "version", src_version,
							     "kind", "source"));
	return json_pack("{s:{s:o}, s:{s:{s:s, s:s, s:s, s:s, s:s}}, s:{}, s:{s:[{s:s, s:s, s:s}]}}", "packages", "1", pkg,
			 "distributions", "1", "id", "1", "did", did, "name", did, "version", version_id, "versionId",
			 version_id, "repositories", "environments", "1", "packageDb", "var/lib/x", "introducedIn",
			 "sha256:aa", "distributionId", "1");
}

/* contents with one language package in a repository */
static json_t *lang_contents(const char *repository, const char *name, const char *version)
{
	return json_pack("{s:{s:{s:s, s:s, s:s, s:s}}, s:{}, s:{s:{s:s, s:s}}, s:{s:[{s:s, s:s, s:[s]}]}}", "packages",
			 "1", "id", "1", "name", name, "version", version, "kind", "binary", "distributions",
			 "repositories", "1", "id", "1", "name", repository, "environments", "1", "packageDb", "x",
			 "introducedIn", "sha256:bb", "repositoryIds", "1");
}

/* The findings of package 1, as report JSON objects, in report order. */
static json_t *findings(const struct vulndata *d, json_t *contents)
{
	json_t *report = NULL, *out = json_array(), *id;
	size_t i;

	assert_int_equal(matcher_report(&report, d, "h", contents), ASEC_OK);
	json_array_foreach(json_object_get(json_object_get(report, "packageVulnerabilities"), "1"), i, id)
		json_array_append(out, json_object_get(json_object_get(report, "vulnerabilities"), json_string_value(id)));
	json_decref(report);
	json_decref(contents);
	return out;
}

static const char *field(const json_t *f, const char *key)
{
	return json_string_value(json_object_get(f, key));
}

static const char *const debian_records[] = {
	"{\"kind\":\"advisory\",\"id\":\"CVE-2022-2068\",\"advisory\":{\"name\":\"DSA-5169-1\",\"link\":\"https://security-tracker.debian.org/tracker/DSA-5169-1\"},"
	"\"aliases\":[\"DSA-5169-1\"],\"normalizedSeverity\":\"UNKNOWN\",\"affected\":["
	"{\"ecosystem\":\"deb\",\"distribution\":\"debian:11\",\"package\":\"openssl\",\"packageKind\":\"source\",\"status\":\"affected\","
	"\"ranges\":[{\"introduced\":\"0\",\"fixed\":\"1.1.1n-0+deb11u3\",\"events\":\"[bullseye] - openssl 1.1.1n-0+deb11u3\"}]},"
	"{\"ecosystem\":\"deb\",\"distribution\":\"debian:10\",\"package\":\"openssl\",\"packageKind\":\"source\",\"status\":\"not_affected\"}]}",
	"{\"kind\":\"nvd\",\"id\":\"CVE-2022-2068\",\"description\":\"c_rehash command injection\",\"published\":\"2022-06-21\","
	"\"cvss\":[{\"version\":\"3.1\",\"vector\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\",\"score\":9.8}],\"cwes\":[\"CWE-78\"],"
	"\"link\":\"https://nvd.nist.gov/vuln/detail/CVE-2022-2068\"}",
	"{\"kind\":\"kev\",\"id\":\"CVE-2022-2068\",\"dateAdded\":\"2022-07-01\",\"knownRansomwareCampaignUse\":\"Unknown\"}",
	"{\"kind\":\"epss\",\"id\":\"CVE-2022-2068\",\"epss\":0.25,\"percentile\":0.96,\"date\":\"2026-08-16\"}",
};

static void test_debian_source_keyed_fix(void **state)
{
	struct vulndata *d = snapshot("debian", debian_records, 4);
	json_t *f;

	/* the binary libssl1.1 of source openssl: the source version decides */
	f = findings(d, os_contents("debian", "11", "libssl1.1", "1.1.1n-0+deb11u2", "openssl", "1.1.1n-0+deb11u2"));
	assert_int_equal(json_array_size(f), 1);
	assert_string_equal(field(json_array_get(f, 0), "name"), "CVE-2022-2068");
	assert_string_equal(field(json_array_get(f, 0), "fixedInVersion"), "1.1.1n-0+deb11u3");
	assert_string_equal(field(json_array_get(f, 0), "status"), "affected");
	assert_string_equal(field(json_array_get(f, 0), "updater"), "debian");
	/* no vendor severity: NVD's 9.8 rates it, and NVD's metric is added */
	assert_string_equal(field(json_array_get(f, 0), "normalizedSeverity"), "CRITICAL");
	assert_string_equal(field(json_object_get(json_array_get(json_object_get(json_array_get(f, 0), "cvssMetrics"), 0), "v3"), "vector"),
			    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
	assert_string_equal(field(json_object_get(json_array_get(f, 0), "exploit"), "dateAdded"), "2022-07-01");
	assert_true(json_real_value(json_object_get(json_object_get(json_array_get(f, 0), "epssMetrics"), "probability")) > 0.24);
	assert_non_null(strstr(field(json_array_get(f, 0), "explanation"), "dpkg ordering: 1.1.1n-0+deb11u2 >= 0 and < 1.1.1n-0+deb11u3"));
	assert_non_null(strstr(field(json_array_get(f, 0), "explanation"), "DSA-5169-1"));
	json_decref(f);

	/* a binNMU of the fixed source: the binary version is higher, but it is the source that is fixed */
	f = findings(d, os_contents("debian", "11", "libssl1.1", "1.1.1n-0+deb11u3+b1", "openssl", "1.1.1n-0+deb11u3"));
	assert_int_equal(json_array_size(f), 0);
	json_decref(f);
	/* the fixed revision and a later one are not affected */
	f = findings(d, os_contents("debian", "11", "openssl", "1.1.1w-0+deb11u1", "openssl", "1.1.1w-0+deb11u1"));
	assert_int_equal(json_array_size(f), 0);
	json_decref(f);
	/* buster: the vendor says not affected - reported as such, not dropped */
	f = findings(d, os_contents("debian", "10", "openssl", "1.1.1d-0+deb10u7", "openssl", "1.1.1d-0+deb10u7"));
	assert_int_equal(json_array_size(f), 1);
	assert_string_equal(field(json_array_get(f, 0), "status"), "not_affected");
	assert_string_equal(field(json_array_get(f, 0), "fixedInVersion"), "");
	json_decref(f);
	/* bookworm has no statement: nothing */
	f = findings(d, os_contents("debian", "12", "openssl", "3.0.11-1~deb12u2", "openssl", "3.0.11-1~deb12u2"));
	assert_int_equal(json_array_size(f), 0);
	json_decref(f);
	/* an Ubuntu package never matches Debian's advisories */
	f = findings(d, os_contents("ubuntu", "11", "openssl", "1.1.1n-0+deb11u2", "openssl", "1.1.1n-0+deb11u2"));
	assert_int_equal(json_array_size(f), 0);
	json_decref(f);
	vulndata_unref(d);
}

static void test_rpm_epoch_and_release(void **state)
{
	static const char *const records[] = {
		"{\"kind\":\"advisory\",\"id\":\"CVE-2023-0286\",\"severity\":\"Important\",\"normalizedSeverity\":\"IMPORTANT\","
		"\"affected\":[{\"ecosystem\":\"rpm\",\"distribution\":\"rhel:8\",\"package\":\"openssl\",\"status\":\"affected\","
		"\"ranges\":[{\"introduced\":\"0\",\"fixed\":\"1:1.1.1k-9.el8_7\"}]}]}",
		"{\"kind\":\"advisory\",\"id\":\"CVE-2021-0001\",\"normalizedSeverity\":\"LOW\","
		"\"affected\":[{\"ecosystem\":\"rpm\",\"distribution\":\"rhel:8\",\"package\":\"zlib\",\"status\":\"affected\","
		"\"ranges\":[{\"introduced\":\"0\",\"fixed\":\"1.2.11\"}]}]}",
		"{\"kind\":\"nvd\",\"id\":\"CVE-2023-0286\",\"cvss\":[{\"version\":\"3.1\",\"vector\":\"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H\",\"score\":7.4}]}",
	};
	struct vulndata *d = snapshot("redhat", records, 3);
	json_t *f;

	f = findings(d, os_contents("rhel", "8.6", "openssl-libs", "1:1.1.1k-7.el8_6", "openssl", "1:1.1.1k-7.el8_6"));
	assert_int_equal(json_array_size(f), 1);
	assert_string_equal(field(json_array_get(f, 0), "fixedInVersion"), "1:1.1.1k-9.el8_7");
	/* the vendor's Important stands next to NVD's score */
	assert_string_equal(field(json_array_get(f, 0), "normalizedSeverity"), "IMPORTANT");
	assert_string_equal(field(json_array_get(f, 0), "severity"), "Important");
	json_decref(f);
	/* no epoch is epoch 0: below the fix's epoch 1, even with a higher version */
	f = findings(d, os_contents("rhel", "8.9", "openssl-libs", "3.0.7-1.el8", "openssl", "3.0.7-1.el8"));
	assert_int_equal(json_array_size(f), 1);
	json_decref(f);
	f = findings(d, os_contents("rhel", "8.8", "openssl-libs", "1:1.1.1k-9.el8_7", "openssl", "1:1.1.1k-9.el8_7"));
	assert_int_equal(json_array_size(f), 0);
	json_decref(f);
	/* a fix named without a release covers every release of that version */
	f = findings(d, os_contents("rhel", "8", "zlib", "1.2.11-25.el8", NULL, NULL));
	assert_int_equal(json_array_size(f), 0);
	json_decref(f);
	f = findings(d, os_contents("rhel", "8", "zlib", "1.2.10-99.el8", NULL, NULL));
	assert_int_equal(json_array_size(f), 1);
	json_decref(f);
	vulndata_unref(d);
}

static json_t *with_module(json_t *contents, const char *module)
{
	json_object_set_new(json_object_get(json_object_get(contents, "packages"), "1"), "module", json_string(module));
	return contents;
}

static void test_rpm_module_streams(void **state)
{
	static const char *const records[] = {
		"{\"kind\":\"advisory\",\"id\":\"CVE-2023-30581\",\"normalizedSeverity\":\"IMPORTANT\",\"affected\":["
		"{\"ecosystem\":\"rpm\",\"distribution\":\"rhel:8\",\"package\":\"nodejs\",\"module\":\"nodejs:18\",\"status\":\"affected\","
		"\"ranges\":[{\"introduced\":\"0\",\"fixed\":\"1:18.16.1-1.module+el8.8.0+19281+2a8f8c04\"}]},"
		"{\"ecosystem\":\"rpm\",\"distribution\":\"rhel:8\",\"package\":\"nodejs\",\"module\":\"nodejs:16\",\"status\":\"will_not_fix\"}]}",
	};
	struct vulndata *d = snapshot("redhat", records, 1);
	json_t *f;

	f = findings(d, with_module(os_contents("rhel", "8.8", "nodejs", "1:18.14.2-3.module+el8.8.0+18591+0e5ebd88", NULL, NULL),
				    "nodejs:18"));
	assert_int_equal(json_array_size(f), 1);
	assert_string_equal(field(json_array_get(f, 0), "status"), "affected");
	json_decref(f);
	f = findings(d, with_module(os_contents("rhel", "8.8", "nodejs", "1:16.20.1-1.module+el8.8.0+19182+9f3a6f7f", NULL, NULL),
				    "nodejs:16"));
	assert_int_equal(json_array_size(f), 1);
	assert_string_equal(field(json_array_get(f, 0), "status"), "will_not_fix");
	json_decref(f);
	/* another stream, or no stream: neither entry speaks for it */
	f = findings(d, with_module(os_contents("rhel", "8.8", "nodejs", "1:20.1.0-1.module+el8.8.0+1", NULL, NULL), "nodejs:20"));
	assert_int_equal(json_array_size(f), 0);
	json_decref(f);
	f = findings(d, os_contents("rhel", "8.8", "nodejs", "1:10.24.0-1.el8", NULL, NULL));
	assert_int_equal(json_array_size(f), 0);
	json_decref(f);
	vulndata_unref(d);
}

static void test_apk_revision(void **state)
{
	static const char *const records[] = {
		"{\"kind\":\"advisory\",\"id\":\"CVE-2018-0732\",\"normalizedSeverity\":\"UNKNOWN\",\"affected\":[{\"ecosystem\":\"apk\","
		"\"distribution\":\"alpine:3.8\",\"package\":\"openssl\",\"packageKind\":\"source\",\"status\":\"affected\","
		"\"ranges\":[{\"introduced\":\"0\",\"fixed\":\"1.0.2o-r1\"}]}]}",
	};
	struct vulndata *d = snapshot("alpine", records, 1);
	json_t *f;

	f = findings(d, os_contents("alpine", "3.8.5", "libcrypto1.0", "1.0.2o-r0", "openssl", "1.0.2o-r0"));
	assert_int_equal(json_array_size(f), 1);
	assert_string_equal(field(json_array_get(f, 0), "fixedInVersion"), "1.0.2o-r1");
	json_decref(f);
	f = findings(d, os_contents("alpine", "3.8.5", "libcrypto1.0", "1.0.2o-r1", "openssl", "1.0.2o-r1"));
	assert_int_equal(json_array_size(f), 0);
	json_decref(f);
	/* apk records are keyed by origin (source): the binary name alone does not match */
	f = findings(d, os_contents("alpine", "3.8.5", "openssl", "1.0.2o-r0", NULL, NULL));
	assert_int_equal(json_array_size(f), 0);
	json_decref(f);
	vulndata_unref(d);
}

static void test_language_ranges(void **state)
{
	static const char *const records[] = {
		/* npm: last_affected is inclusive */
		"{\"kind\":\"advisory\",\"id\":\"GHSA-aaaa-bbbb-cccc\",\"normalizedSeverity\":\"MODERATE\",\"affected\":[{\"ecosystem\":\"npm\","
		"\"distribution\":\"\",\"package\":\"lodash\",\"status\":\"affected\",\"ranges\":[{\"introduced\":\"1.0.0\",\"lastAffected\":\"4.17.20\"}]}]}",
		/* Go: OSV versions have no "v"; stdlib too */
		"{\"kind\":\"advisory\",\"id\":\"GO-2023-1840\",\"aliases\":[\"CVE-2023-29403\"],\"normalizedSeverity\":\"UNKNOWN\",\"affected\":["
		"{\"ecosystem\":\"golang\",\"distribution\":\"\",\"package\":\"stdlib\",\"status\":\"affected\",\"ranges\":["
		"{\"introduced\":\"0\",\"fixed\":\"1.19.10\"},{\"introduced\":\"1.20.0-0\",\"fixed\":\"1.20.5\"}]}]}",
		"{\"kind\":\"advisory\",\"id\":\"GO-2022-0236\",\"normalizedSeverity\":\"UNKNOWN\",\"affected\":[{\"ecosystem\":\"golang\",\"distribution\":\"\","
		"\"package\":\"golang.org/x/net\",\"status\":\"affected\",\"ranges\":[{\"introduced\":\"0\",\"fixed\":\"0.0.0-20210428140749-89ef3d95e781\"}]}]}",
		/* PyPI: pre-releases and PEP 503 names */
		"{\"kind\":\"advisory\",\"id\":\"PYSEC-2019-217\",\"aliases\":[\"CVE-2019-10906\",\"GHSA-462w-v97r-4m45\"],\"normalizedSeverity\":\"UNKNOWN\","
		"\"affected\":[{\"ecosystem\":\"pypi\",\"distribution\":\"\",\"package\":\"Jinja2\",\"status\":\"affected\",\"ranges\":[{\"introduced\":\"0\",\"fixed\":\"2.10.1rc1\"}]}]}",
		"{\"kind\":\"advisory\",\"id\":\"GHSA-462w-v97r-4m45\",\"aliases\":[\"CVE-2019-10906\"],\"normalizedSeverity\":\"IMPORTANT\","
		"\"affected\":[{\"ecosystem\":\"pypi\",\"distribution\":\"\",\"package\":\"jinja2\",\"status\":\"affected\",\"ranges\":[{\"introduced\":\"0\",\"fixed\":\"2.10.1\"}],"
		"\"versions\":[\"2.10\",\"2.10.1rc1\"]}]}",
		/* Maven: qualifiers order below the release */
		"{\"kind\":\"advisory\",\"id\":\"CVE-2021-44228\",\"normalizedSeverity\":\"CRITICAL\",\"affected\":[{\"ecosystem\":\"maven\",\"distribution\":\"\","
		"\"package\":\"org.apache.logging.log4j:log4j-core\",\"status\":\"affected\",\"ranges\":[{\"introduced\":\"2.0-beta9\",\"fixed\":\"2.15.0\"}],"
		"\"versions\":[\"1.0-listed\"]}]}",
	};
	struct vulndata *d = snapshot("osv", records, 6);
	json_t *f;

	f = findings(d, lang_contents("npm", "lodash", "4.17.20"));
	assert_int_equal(json_array_size(f), 1);
	assert_string_equal(field(json_array_get(f, 0), "fixedInVersion"), ""); /* last_affected names no fix */
	json_decref(f);
	f = findings(d, lang_contents("npm", "lodash", "4.17.21"));
	assert_int_equal(json_array_size(f), 0);
	json_decref(f);

	f = findings(d, lang_contents("go", "stdlib", "v1.20.4"));
	assert_int_equal(json_array_size(f), 1);
	assert_string_equal(field(json_array_get(f, 0), "name"), "GO-2023-1840");
	assert_string_equal(field(json_array_get(f, 0), "fixedInVersion"), "1.20.5");
	json_decref(f);
	f = findings(d, lang_contents("go", "stdlib", "v1.19.10"));
	assert_int_equal(json_array_size(f), 0);
	json_decref(f);
	f = findings(d, lang_contents("go", "golang.org/x/net", "v0.0.0-20210226172049-e18ecbb05110"));
	assert_int_equal(json_array_size(f), 1);
	json_decref(f);
	f = findings(d, lang_contents("go", "golang.org/x/net", "v0.7.0"));
	assert_int_equal(json_array_size(f), 0);
	json_decref(f);

	/* 2.10.1rc0 < 2.10.1rc1 (PYSEC fix) and < 2.10.1 (GHSA fix): both match,
	 * share CVE-2019-10906, and fold into one finding with every id */
	f = findings(d, lang_contents("pypi", "jinja2", "2.10.1rc0"));
	assert_int_equal(json_array_size(f), 1);
	{
		const json_t *aliases = json_object_get(json_array_get(f, 0), "aliases");
		char *text = json_dumps(aliases, JSON_COMPACT);
		assert_non_null(strstr(text, "CVE-2019-10906"));
		assert_true(strstr(text, "GHSA-462w-v97r-4m45") || strstr(text, "PYSEC-2019-217"));
		assert_int_equal(json_array_size(aliases), 2);
		free(text);
	}
	json_decref(f);
	/* the rc fix is above 2.10.1rc1's own pre-release: only GHSA remains */
	f = findings(d, lang_contents("pypi", "Jinja2", "2.10.1rc1"));
	assert_int_equal(json_array_size(f), 1);
	assert_string_equal(field(json_array_get(f, 0), "name"), "GHSA-462w-v97r-4m45");
	assert_string_equal(field(json_array_get(f, 0), "normalizedSeverity"), "IMPORTANT");
	/* listed and in a range: the range, which names the fix, explains it */
	assert_string_equal(field(json_array_get(f, 0), "fixedInVersion"), "2.10.1");
	json_decref(f);

	f = findings(d, lang_contents("maven", "org.apache.logging.log4j:log4j-core", "2.15.0-rc1"));
	assert_int_equal(json_array_size(f), 1);
	json_decref(f);
	f = findings(d, lang_contents("maven", "org.apache.logging.log4j:log4j-core", "2.15.0"));
	assert_int_equal(json_array_size(f), 0);
	json_decref(f);
	f = findings(d, lang_contents("maven", "org.apache.logging.log4j:log4j-core", "1.0-listed"));
	assert_int_equal(json_array_size(f), 1);
	assert_non_null(strstr(field(json_array_get(f, 0), "explanation"), "is listed as affected"));
	json_decref(f);
	vulndata_unref(d);
}

/* A range's "fixedBy" names the fix where its bound does not (feed.h). */
static void test_fixed_by(void **state)
{
	static const char *const records[] = {
		"{\"kind\":\"advisory\",\"id\":\"CVE-2015-8854\",\"normalizedSeverity\":\"IMPORTANT\",\"affected\":[{\"ecosystem\":\"npm\","
		"\"distribution\":\"\",\"package\":\"marked\",\"status\":\"affected\",\"ranges\":[{\"introduced\":\"0\","
		"\"lastAffected\":\"0.3.3\",\"fixedBy\":\"0.3.4\"}]}]}",
		"{\"kind\":\"advisory\",\"id\":\"NSWG-ECO-349\",\"normalizedSeverity\":\"IMPORTANT\",\"affected\":[{\"ecosystem\":\"npm\","
		"\"distribution\":\"\",\"package\":\"badjs-sourcemap-server\",\"status\":\"affected\",\"ranges\":[{\"introduced\":\"0.0.0\","
		"\"fixed\":\"99.999.9999\",\"fixedBy\":\"\"}]}]}",
	};
	struct vulndata *d = snapshot("nodejs-wg", records, 2);
	json_t *f;

	(void)state;
	f = findings(d, lang_contents("npm", "marked", "0.3.3"));
	assert_int_equal(json_array_size(f), 1);
	assert_string_equal(field(json_array_get(f, 0), "fixedInVersion"), "0.3.4");
	json_decref(f);
	f = findings(d, lang_contents("npm", "marked", "0.3.4-beta")); /* not affected: fixedBy moves no bound */
	assert_int_equal(json_array_size(f), 0);
	json_decref(f);
	f = findings(d, lang_contents("npm", "badjs-sourcemap-server", "1.0.0"));
	assert_int_equal(json_array_size(f), 1);
	assert_string_equal(field(json_array_get(f, 0), "fixedInVersion"), "");
	json_decref(f);
	vulndata_unref(d);
}

static int add_to_builder(void *ctx, json_t *record)
{
	int rc = vulndata_builder_add(ctx, record);

	if (rc)
		fail_msg("record refused: %s", error_last());
	return rc;
}

static void ignore_skip(void *ctx, const char *id, const char *reason)
{
	(void)ctx;
	(void)id;
	(void)reason;
}

/*
 * The demo image's application layer (data/demo-image/srv/app: marked
 * 0.3.3, cryptiles 4.1.1, sequelize 3.23.5, lodash 4.17.4) against the
 * shared Node.js security-wg file, which the shipped snapshot holds
 * unchanged. Every finding names the version patched_versions gives.
 * Before fixedBy, marked's two findings named no fix ("<=0.3.3" and
 * "<=0.3.5" end on an inclusive bound).
 */
static void test_demo_app_npm_fixes(void **state)
{
	static const struct {
		const char *package, *version, *expect; /* "name=fix ..." in report order, sorted by name */
	} cases[] = {
		{"marked", "0.3.3", "CVE-2015-8854=0.3.4 NSWG-ECO-101=0.3.6"},
		{"cryptiles", "4.1.1", "CVE-2018-1000620=4.1.2"},
		{"sequelize", "3.23.5", "CVE-2016-1000225=3.23.6"},
		{"lodash", "4.17.4", "CVE-2018-16487=4.17.11 CVE-2018-3721=4.17.5"},
	};
	char path[4096], got[1024];
	struct vulndata_builder *b;
	struct vulndata_source *src;
	struct vulndata *d;
	gzFile gz;
	char *data;
	size_t len = 0, cap = 1 << 20, i, j, n;
	int got_bytes;

	(void)state;
	testing_shared_path(path, sizeof(path), "feeds/nodejs-security-wg-npm.jsonl.gz");
	assert_non_null(gz = gzopen(path, "rb"));
	assert_non_null(data = malloc(cap));
	while ((got_bytes = gzread(gz, data + len, (unsigned)(cap - len))) > 0) {
		len += (size_t)got_bytes;
		if (len == cap)
			assert_non_null(data = realloc(data, cap *= 2));
	}
	gzclose(gz);
	assert_int_equal(vulndata_builder_new(&b, "nodejs-wg", "nodejs-wg"), ASEC_OK);
	{
		struct feed_sink sink = {add_to_builder, ignore_skip, b};
		assert_int_equal(feed_parse_nodejs_wg("nodejs-security-wg-npm.jsonl", data, len, &sink), ASEC_OK);
	}
	free(data);
	assert_int_equal(vulndata_builder_finish(&src, b), ASEC_OK);
	assert_int_equal(vulndata_new(&d, NULL, &src, 1), ASEC_OK);
	vulndata_source_unref(src);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *f = findings(d, lang_contents("npm", cases[i].package, cases[i].version));
		const char *names[16];
		size_t count = json_array_size(f);

		assert_true(count <= 16);
		for (j = 0; j < count; j++)
			names[j] = field(json_array_get(f, j), "name");
		for (j = 0, n = 0, got[0] = '\0'; j < count; j++) {
			size_t k, first = 0;
			/* report order is the vulnerability ids'; print by name */
			for (k = 1; k < count; k++)
				if (names[k] && (!names[first] || strcmp(names[k], names[first]) < 0))
					first = k;
			n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s=%s", j ? " " : "", names[first],
					      field(json_array_get(f, first), "fixedInVersion"));
			names[first] = NULL;
		}
		if (strcmp(got, cases[i].expect) != 0)
			fail_msg("%s %s: %s, not %s", cases[i].package, cases[i].version, got, cases[i].expect);
		json_decref(f);
	}
	vulndata_unref(d);
}

static void test_snapshot_replaces_source_whole(void **state)
{
	static const char *const v1[] = {
		"{\"kind\":\"advisory\",\"id\":\"CVE-1\",\"normalizedSeverity\":\"LOW\",\"affected\":[{\"ecosystem\":\"npm\",\"distribution\":\"\","
		"\"package\":\"a\",\"status\":\"affected\",\"ranges\":[{\"introduced\":\"0\",\"fixed\":\"2.0.0\"}]}]}",
	};
	static const char *const v2[] = {
		"{\"kind\":\"advisory\",\"id\":\"CVE-2\",\"normalizedSeverity\":\"LOW\",\"affected\":[{\"ecosystem\":\"npm\",\"distribution\":\"\","
		"\"package\":\"b\",\"status\":\"affected\",\"ranges\":[{\"introduced\":\"0\",\"fixed\":\"2.0.0\"}]}]}",
	};
	struct vulndata *first = snapshot("s", v1, 1), *second = snapshot("s", v2, 1), *merged = NULL;
	json_t *f;

	assert_int_equal(vulndata_new(&merged, first, (struct vulndata_source *const[]){(struct vulndata_source *)vulndata_source_at(second, 0)}, 1),
			 ASEC_OK);
	assert_int_equal(vulndata_source_count(merged), 1);
	f = findings(merged, lang_contents("npm", "a", "1.0.0"));
	assert_int_equal(json_array_size(f), 0); /* the old record of source s is gone */
	json_decref(f);
	f = findings(merged, lang_contents("npm", "b", "1.0.0"));
	assert_int_equal(json_array_size(f), 1);
	json_decref(f);
	/* the first snapshot is untouched: a reader holding it still sees CVE-1 */
	f = findings(first, lang_contents("npm", "a", "1.0.0"));
	assert_int_equal(json_array_size(f), 1);
	json_decref(f);
	vulndata_unref(first);
	vulndata_unref(second);
	vulndata_unref(merged);
}

static void test_bad_input_becomes_notes(void **state)
{
	struct vulndata *d = snapshot("debian", debian_records, 4);
	json_t *report = NULL;

	/* an invalid dpkg version, and a distribution without a release */
	json_t *c = os_contents("debian", "11", "openssl", "not a version!", "openssl", "not a version!");
	assert_int_equal(matcher_report(&report, d, "h", c), ASEC_OK);
	assert_int_equal(json_object_size(json_object_get(report, "vulnerabilities")), 0);
	assert_int_equal(json_array_size(json_object_get(report, "notes")), 1);
	json_decref(report);
	json_decref(c);
	c = os_contents("debian", "", "openssl", "1.0-1", "openssl", "1.0-1");
	assert_int_equal(matcher_report(&report, d, "h", c), ASEC_OK);
	assert_non_null(strstr(json_string_value(json_array_get(json_object_get(report, "notes"), 0)), "release is unknown"));
	json_decref(report);
	json_decref(c);
	/* no contents at all */
	assert_int_equal(matcher_report(&report, d, "h", NULL), ASEC_OK);
	assert_int_equal(json_object_size(json_object_get(report, "vulnerabilities")), 0);
	json_decref(report);
	vulndata_unref(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_source_keyed_fix),
		cmocka_unit_test(test_rpm_epoch_and_release),
		cmocka_unit_test(test_rpm_module_streams),
		cmocka_unit_test(test_apk_revision),
		cmocka_unit_test(test_language_ranges),
		cmocka_unit_test(test_fixed_by),
		cmocka_unit_test(test_demo_app_npm_fixes),
		cmocka_unit_test(test_snapshot_replaces_source_whole),
		cmocka_unit_test(test_bad_input_becomes_notes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
