/*
 * python_test.c - the Python detector against Debian's dist-packages and
 * syft's site-packages (compared with what CPython's importlib.metadata
 * reads), the metadata locations it claims and those it must not, names kept
 * as written with PEP 503 purls, the header/body boundary, and hostile files:
 * ten megabytes of headers, control characters, invalid UTF-8, absurd
 * lengths.
 */
#include <time.h>

#include "detectors/detector_testing.h"

extern const struct detector detector_python;

static void scan_bytes(struct scan_out *out, const char *path, const void *data, size_t len)
{
	detector_testing_scan(out, &detector_python, path, data, len);
}

static void scan_testdata(struct scan_out *out, const char *path, const char *name)
{
	char dir[2048], file[4096];

	detector_testing_testdata_dir(dir, sizeof(dir), "python");
	detector_testing_join(file, sizeof(file), dir, name);
	detector_testing_scan_file(out, &detector_python, path, file);
}

/* Walks a fixture tree and checks that exactly the distributions
 * importlib.metadata found (those with a version) were reported, each from a
 * file in its metadata directory (or the metadata file itself), and that each
 * one without a version left a note. */
static void compare_with_importlib(const char *fixture_rel)
{
	char fixture[2048], tree[4096], expected_path[4096];
	json_t *expected, *dists, *e;
	json_error_t jerr;
	struct scan_out walk_out;
	size_t i, with_version = 0, without = 0;

	testing_shared_path(fixture, sizeof(fixture), fixture_rel);
	detector_testing_join(tree, sizeof(tree), fixture, ".");
	detector_testing_join(expected_path, sizeof(expected_path), fixture, "expected.json");
	expected = json_load_file(expected_path, 0, &jerr);
	assert_non_null(expected);
	dists = json_object_get(expected, "distributions");
	assert_true(json_array_size(dists) > 0);

	detector_testing_walk(&walk_out, &detector_python, tree, NULL, NULL);
	json_array_foreach (dists, i, e) {
		const char *dir = json_string_value(json_object_get(e, "metadataPath"));
		const char *name = json_string_value(json_object_get(e, "name"));
		const char *version = json_string_value(json_object_get(e, "version"));
		size_t k, dir_len = strlen(dir), found = 0;

		if (!version) {
			without++;
			continue;
		}
		with_version++;
		for (k = 0; k < walk_out.pkgs.count; k++) {
			const struct pkg *p = &walk_out.pkgs.items[k];

			if (strncmp(p->package_db, dir, dir_len) != 0 ||
			    (p->package_db[dir_len] != '\0' && p->package_db[dir_len] != '/'))
				continue;
			found++;
			/* The name exactly as written: importlib does not normalise it either. */
			assert_string_equal(p->name, name);
			assert_string_equal(p->version, version);
			assert_string_equal(p->ecosystem, "pypi");
		}
		if (found != 1)
			fail_msg("%s: %zu packages reported, want 1", dir, found);
	}
	assert_int_equal(walk_out.pkgs.count, with_version);
	assert_int_equal(walk_out.note_count, without);
	scan_out_free(&walk_out);
	json_decref(expected);
}

static void test_debian_dist_packages(void **state)
{
	(void)state;
	compare_with_importlib("fixtures/lang/python/debian-dist-packages");
}

static void test_syft_site_packages(void **state)
{
	(void)state;
	/* Its nested/ and uppercase/ trees hold bare "egg-info", "dist-info" and
	 * "EGG-INFO" directories, which importlib does not read: nor do we. */
	compare_with_importlib("fixtures/lang/python/syft-site-packages");
}

static void test_syft_egg_info_file(void **state)
{
	(void)state;
	compare_with_importlib("fixtures/lang/python/syft-Python-2.7.egg-info");
}

static void test_match(void **state)
{
	static const struct {
		const char *path;
		int want;
	} cases[] = {
		{ "usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA", 1 },
		{ "usr/local/lib/python3.11/site-packages/pip-23.0.dist-info/METADATA", 1 },
		{ "usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO", 1 },
		{ "usr/lib/python2.7/lib-dynload/Python-2.7.egg-info", 1 },
		{ "usr/lib/python2.7/site-packages/foo-1.0-py2.7.egg/EGG-INFO/PKG-INFO", 1 },
		{ "src/requests-2.31.0/PKG-INFO", 1 },
		{ "x.dist-info/METADATA", 1 },
		{ "usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/RECORD", 0 },
		{ "usr/lib/python3/dist-packages/.dist-info/METADATA", 0 },
		{ "usr/lib/python3/dist-packages/dist-info/METADATA", 0 },
		{ "site-packages/nested/egg-name/egg-info/PKG-INFO", 0 },
		{ "site-packages/uppercase/egg-name/EGG-INFO/PKG-INFO", 0 },
		{ "site-packages/x.egg-info/PKG-INFO-INVALID", 0 },
		{ "site-packages/.egg-info", 0 },
		{ "site-packages/EGG-INFO/PKG-INFO", 0 },
		{ "site-packages/.egg/EGG-INFO/PKG-INFO", 0 },
		{ "src/requests/PKG-INFO", 0 },
		{ "PKG-INFO", 0 },
		{ "METADATA", 0 },
		{ "src/requests-2.31.0/XPKG-INFO", 0 },
		{ "usr/share/doc/python3/METADATA", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (detector_python.match(cases[i].path, strlen(cases[i].path), 0644) != cases[i].want)
			fail_msg("match(%s) should be %d", cases[i].path, cases[i].want);
	assert_string_equal(detector_python.name, "python");
	assert_true(detector_python.max_file_bytes >= (1u << 20));
}

static void test_names_kept_purl_normalised(void **state)
{
	static const struct {
		const char *file, *name, *version, *purl;
	} cases[] = {
		{ "zope.interface.METADATA", "zope.interface", "5.4.0", "pkg:pypi/zope-interface@5.4.0" },
		{ "typing_extensions.METADATA", "typing_extensions", "4.7.1+local.1",
		  "pkg:pypi/typing-extensions@4.7.1%2Blocal.1" },
		{ "crlf-runs.METADATA", "Foo__Bar..baz", "1.0", "pkg:pypi/foo-bar-baz@1.0" },
		{ "continuation.PKG-INFO", "real-name", "1.2.3", "pkg:pypi/real-name@1.2.3" },
		{ "utf8.METADATA", "caf\xc3\xa9", "1.0", "pkg:pypi/caf%C3%A9@1.0" },
	};
	struct scan_out out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		scan_testdata(&out, "site-packages/x-1.0.dist-info/METADATA", cases[i].file);
		assert_int_equal(out.pkgs.count, 1);
		assert_int_equal(out.note_count, 0);
		assert_string_equal(out.pkgs.items[0].name, cases[i].name);
		assert_string_equal(out.pkgs.items[0].version, cases[i].version);
		assert_string_equal(out.pkgs.items[0].purl, cases[i].purl);
		assert_string_equal(out.pkgs.items[0].package_db, "site-packages/x-1.0.dist-info/METADATA");
		scan_out_free(&out);
	}
}

static void test_sdist_root(void **state)
{
	struct scan_out out;

	(void)state;
	scan_testdata(&out, "src/requests-2.31.0/PKG-INFO", "sdist.PKG-INFO");
	assert_int_equal(out.pkgs.count, 1);
	assert_string_equal(out.pkgs.items[0].name, "requests");
	scan_out_free(&out);
	/* Without Metadata-Version a file merely called PKG-INFO is not believed... */
	scan_testdata(&out, "src/requests-2.31.0/PKG-INFO", "not-metadata.PKG-INFO");
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 0);
	scan_out_free(&out);
	/* ...while in an .egg-info directory it is (distutils wrote no such header). */
	scan_testdata(&out, "site-packages/something-1.0.egg-info/PKG-INFO", "not-metadata.PKG-INFO");
	assert_int_equal(out.pkgs.count, 1);
	scan_out_free(&out);
}

static void expect_note(const char *file)
{
	struct scan_out out;

	scan_testdata(&out, "site-packages/x-1.0.dist-info/METADATA", file);
	if (out.pkgs.count != 0 || out.note_count != 1)
		fail_msg("%s: %zu packages and %zu notes, want 0 and 1", file, out.pkgs.count, out.note_count);
	assert_non_null(strstr(out.notes[0], "site-packages/x-1.0.dist-info/METADATA"));
	scan_out_free(&out);
}

static void test_skipped_files(void **state)
{
	struct scan_out out;

	(void)state;
	expect_note("body-only.METADATA");
	expect_note("control-char.METADATA");
	expect_note("not-utf8.METADATA");
	expect_note("no-colon.METADATA");
	scan_bytes(&out, "x-1.0.dist-info/METADATA", "", 0);
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 1);
	scan_out_free(&out);
	scan_bytes(&out, "x-1.0.dist-info/METADATA", "Name: x\nVersion:\n", 17);
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 1);
	scan_out_free(&out);
	/* No trailing newline, and a NUL inside a value. */
	scan_bytes(&out, "x-1.0.dist-info/METADATA", "Name: x\nVersion: 1", 18);
	assert_int_equal(out.pkgs.count, 1);
	assert_string_equal(out.pkgs.items[0].version, "1");
	scan_out_free(&out);
	scan_bytes(&out, "x-1.0.dist-info/METADATA", "Name: x\0y\nVersion: 1\n", 21);
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 1);
	scan_out_free(&out);
}

static void test_field_lengths(void **state)
{
	char doc[2048];
	struct scan_out out;
	int n;

	(void)state;
	n = snprintf(doc, sizeof(doc), "Name: %0512d\nVersion: 1\n", 7);
	scan_bytes(&out, "x-1.0.dist-info/METADATA", doc, (size_t)n);
	assert_int_equal(out.pkgs.count, 1);
	assert_int_equal(strlen(out.pkgs.items[0].name), 512);
	scan_out_free(&out);
	n = snprintf(doc, sizeof(doc), "Name: x\nVersion: %01025d\n", 7);
	scan_bytes(&out, "x-1.0.dist-info/METADATA", doc, (size_t)n);
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 1);
	assert_non_null(strstr(out.notes[0], "512"));
	scan_out_free(&out);
}

/* Ten megabytes of headers: read in one linear pass, Name and Version found
 * at the very end, well within a second even under sanitizers. */
static void test_ten_megabytes_of_headers(void **state)
{
	const char line[] = "Classifier: Programming Language :: Python :: 3\n";
	const char tail[] = "Name: late\nVersion: 1.0\n\nbody\n";
	size_t total = 10u << 20, n = 0;
	struct scan_out out;
	clock_t start;
	char *doc;

	(void)state;
	doc = malloc(total + sizeof(tail));
	assert_non_null(doc);
	while (n + sizeof(line) - 1 <= total) {
		memcpy(doc + n, line, sizeof(line) - 1);
		n += sizeof(line) - 1;
	}
	memcpy(doc + n, tail, sizeof(tail) - 1);
	n += sizeof(tail) - 1;
	start = clock();
	scan_bytes(&out, "x-1.0.dist-info/METADATA", doc, n);
	assert_true(clock() - start < 5 * CLOCKS_PER_SEC);
	assert_int_equal(out.pkgs.count, 1);
	assert_string_equal(out.pkgs.items[0].name, "late");
	scan_out_free(&out);

	/* One ten-megabyte header line, then the fields. */
	memcpy(doc, "Summary: ", 9);
	memset(doc + 9, 'x', total - 9);
	doc[total - 1] = '\n';
	memcpy(doc + total, tail, sizeof(tail) - 1);
	scan_bytes(&out, "x-1.0.dist-info/METADATA", doc, total + sizeof(tail) - 1);
	assert_int_equal(out.pkgs.count, 1);
	assert_string_equal(out.pkgs.items[0].version, "1.0");
	scan_out_free(&out);

	/* A ten-megabyte Name is refused, not copied. */
	memcpy(doc, "Name: ", 6);
	memset(doc + 6, 'n', total - 6);
	doc[total - 1] = '\n';
	memcpy(doc + total, "Version: 1\n", 11);
	scan_bytes(&out, "x-1.0.dist-info/METADATA", doc, total + 11);
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 1);
	scan_out_free(&out);
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_dist_packages),
		cmocka_unit_test(test_syft_site_packages),
		cmocka_unit_test(test_syft_egg_info_file),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_names_kept_purl_normalised),
		cmocka_unit_test(test_sdist_root),
		cmocka_unit_test(test_skipped_files),
		cmocka_unit_test(test_field_lengths),
		cmocka_unit_test(test_ten_megabytes_of_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
