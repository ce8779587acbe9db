/*
 * gem_test.c - the gemspec reader against trivy's gemspec cases, the
 * specification paths it claims, each literal form RubyGems has written
 * ("x".freeze, %q{x}, 'x', Gem::Version.new("x")), the "# stub:" line as a
 * fallback, values that are not literals, and hostile files: megabyte-long
 * lines, control characters, absurd lengths.
 */
#include <time.h>

#include "detectors/detector_testing.h"

extern const struct detector detector_gem;

static void scan_bytes(struct scan_out *out, const char *path, const void *data, size_t len)
{
	detector_testing_scan(out, &detector_gem, path, data, len);
}

static void scan_file(struct scan_out *out, const char *dir, const char *name)
{
	char file[4096], path[1024];

	detector_testing_join(file, sizeof(file), dir, name);
	snprintf(path, sizeof(path), "usr/lib/ruby/gems/3.1.0/specifications/%s", name);
	detector_testing_scan_file(out, &detector_gem, path, file);
}

static void scan_testdata(struct scan_out *out, const char *name)
{
	char dir[2048];

	detector_testing_testdata_dir(dir, sizeof(dir), "gem");
	scan_file(out, dir, name);
}

/* Every gemspec of a fixture folder against its expected.json. The
 * expectation is a plain regex read; the cases where upstream's own tests
 * say "no package" are the ones we must skip with a note:
 *   - an empty name (trivy gemspec_test.go: empty_name.gemspec),
 *   - no version (malformed01),
 *   - assignments through a variable the block does not define (malformed00:
 *     "do |spec|" then "s.name = ...", which Ruby rejects; trivy
 *     parse_test.go expects an error). */
static void compare_fixture(const char *fixture_rel)
{
	char fixture[2048], expected_path[4096];
	json_t *expected, *specs, *e;
	json_error_t jerr;
	const char *file;
	int checked = 0;

	testing_shared_path(fixture, sizeof(fixture), fixture_rel);
	detector_testing_join(expected_path, sizeof(expected_path), fixture, "expected.json");
	expected = json_load_file(expected_path, 0, &jerr);
	assert_non_null(expected);
	specs = json_object_get(expected, "gemspecs");
	json_object_foreach (specs, file, e) {
		const char *name = json_string_value(json_object_get(e, "name"));
		const char *version = json_string_value(json_object_get(e, "version"));
		int upstream_rejects = strncmp(file, "malformed", 9) == 0;
		struct scan_out out;

		scan_file(&out, fixture, file);
		if (name && name[0] && version && !upstream_rejects) {
			if (out.pkgs.count != 1)
				fail_msg("%s: %zu packages, want 1", file, out.pkgs.count);
			assert_string_equal(out.pkgs.items[0].name, name);
			assert_string_equal(out.pkgs.items[0].version, version);
			assert_string_equal(out.pkgs.items[0].ecosystem, "gem");
			assert_int_equal(out.note_count, 0);
		} else {
			if (out.pkgs.count != 0 || out.note_count != 1)
				fail_msg("%s: %zu packages and %zu notes, want 0 and 1", file, out.pkgs.count,
					 out.note_count);
		}
		scan_out_free(&out);
		checked++;
	}
	assert_true(checked > 0);
	json_decref(expected);
}

static void test_trivy_gemspec(void **state)
{
	(void)state;
	compare_fixture("fixtures/lang/ruby/trivy-gemspec");
}

static void test_trivy_empty_name(void **state)
{
	(void)state;
	compare_fixture("fixtures/lang/ruby/trivy-analyzer");
}

static void test_match(void **state)
{
	static const struct {
		const char *path;
		int want;
	} cases[] = {
		{ "usr/lib/ruby/gems/3.1.0/specifications/rake-13.0.3.gemspec", 1 },
		{ "usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec", 1 },
		{ "usr/local/bundle/specifications/nokogiri-1.15.4-x86_64-linux.gemspec", 1 },
		{ "app/vendor/bundle/ruby/3.2.0/specifications/rack-3.0.8.gemspec", 1 },
		{ "specifications/x.gemspec", 1 },
		{ "usr/lib/ruby/gems/3.1.0/gems/rake-13.0.3/rake.gemspec", 0 },
		{ "app/rake.gemspec", 0 },
		{ "usr/lib/ruby/gems/3.1.0/specifications/.gemspec", 0 },
		{ "usr/lib/ruby/gems/3.1.0/specifications/other/x.gemspec", 0 },
		{ "usr/lib/ruby/gems/3.1.0/specifications/default/deeper/x.gemspec", 0 },
		{ "usr/lib/ruby/gems/3.1.0/myspecifications/x.gemspec", 0 },
		{ "usr/lib/ruby/gems/3.1.0/specifications/x.gemspec.bak", 0 },
		{ "default/x.gemspec", 0 },
		{ "x.gemspec", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (detector_gem.match(cases[i].path, strlen(cases[i].path), 0644) != cases[i].want)
			fail_msg("match(%s) should be %d", cases[i].path, cases[i].want);
	assert_string_equal(detector_gem.name, "gem");
	assert_true(detector_gem.max_file_bytes >= (1u << 20));
}

static void test_literal_forms(void **state)
{
	static const struct {
		const char *file, *name, *version, *arch, *purl;
	} cases[] = {
		{ "nokogiri-1.15.4-x86_64-linux.gemspec", "nokogiri", "1.15.4", "x86_64-linux",
		  "pkg:gem/nokogiri@1.15.4?platform=x86_64-linux" },
		{ "rake-0.8.7.gemspec", "rake", "0.8.7", NULL, "pkg:gem/rake@0.8.7" },
		{ "gem-version-new.gemspec", "bundler", "2.4.10", NULL, "pkg:gem/bundler@2.4.10" },
		{ "stub-fallback.gemspec", "json", "2.6.3", NULL, "pkg:gem/json@2.6.3" },
		{ "stub-disagrees.gemspec", "realname", "2.0", NULL, "pkg:gem/realname@2.0" },
		{ "tricky-attrs.gemspec", "right", "3.1.4", NULL, "pkg:gem/right@3.1.4" },
	};
	struct scan_out out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		scan_testdata(&out, cases[i].file);
		if (out.pkgs.count != 1)
			fail_msg("%s: %zu packages, want 1", cases[i].file, out.pkgs.count);
		assert_string_equal(out.pkgs.items[0].name, cases[i].name);
		assert_string_equal(out.pkgs.items[0].version, cases[i].version);
		if (cases[i].arch)
			assert_string_equal(out.pkgs.items[0].arch, cases[i].arch);
		else
			assert_null(out.pkgs.items[0].arch);
		assert_string_equal(out.pkgs.items[0].purl, cases[i].purl);
		assert_non_null(strstr(out.pkgs.items[0].package_db, cases[i].file));
		scan_out_free(&out);
	}
}

static void test_not_literals(void **state)
{
	struct scan_out out;

	(void)state;
	scan_testdata(&out, "not-literal.gemspec");
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 1);
	scan_out_free(&out);
	scan_testdata(&out, "interpolated.gemspec");
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 1);
	scan_out_free(&out);
	scan_bytes(&out, "specifications/x.gemspec", "", 0);
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 1);
	scan_out_free(&out);
}

static void expect_refused(const char *doc)
{
	struct scan_out out;

	scan_bytes(&out, "specifications/x.gemspec", doc, strlen(doc));
	if (out.pkgs.count != 0 || out.note_count != 1)
		fail_msg("%s: %zu packages and %zu notes, want 0 and 1", doc, out.pkgs.count, out.note_count);
	scan_out_free(&out);
}

static void test_hostile_fields(void **state)
{
	char doc[4096];

	(void)state;
	expect_refused("Gem::Specification.new do |s|\n s.name = \"a\x01b\"\n s.version = \"1\"\nend\n");
	expect_refused("Gem::Specification.new do |s|\n s.name = \"a b\"\n s.version = \"1\"\nend\n");
	expect_refused("Gem::Specification.new do |s|\n s.name = \"caf\xc3\xa9\"\n s.version = \"1\"\nend\n");
	expect_refused("Gem::Specification.new do |s|\n s.name = \"a\\\"b\"\n s.version = \"1\"\nend\n");
	expect_refused("Gem::Specification.new do |s|\n s.name = \"unterminated\n s.version = \"1\"\nend\n");
	expect_refused("# stub: a\x1b[31m 1.0 ruby lib\n");
	snprintf(doc, sizeof(doc), "Gem::Specification.new do |s|\n s.name = \"%0513d\"\n s.version = \"1\"\nend\n", 1);
	expect_refused(doc);
	snprintf(doc, sizeof(doc), "Gem::Specification.new do |s|\n s.name = \"%0512d\"\n s.version = \"1\"\nend\n", 1);
	{
		struct scan_out out;

		scan_bytes(&out, "specifications/x.gemspec", doc, strlen(doc));
		assert_int_equal(out.pkgs.count, 1);
		assert_int_equal(strlen(out.pkgs.items[0].name), 512);
		scan_out_free(&out);
	}
}

/* Lines of a megabyte each, including inside the literal, cost one linear
 * pass; the 1 MB name is refused, the small fields after long lines found. */
static void test_megabyte_lines(void **state)
{
	size_t mb = 1u << 20, n = 0;
	struct scan_out out;
	clock_t start;
	char *doc;

	(void)state;
	doc = malloc(4 * mb + 256);
	assert_non_null(doc);
	n += (size_t)sprintf(doc + n, "# ");
	memset(doc + n, 'c', mb);
	n += mb;
	n += (size_t)sprintf(doc + n, "\nGem::Specification.new do |s|\n  s.description = \"");
	memset(doc + n, 'd', mb);
	n += mb;
	n += (size_t)sprintf(doc + n, "\".freeze\n  s.name = \"");
	memset(doc + n, 'n', mb);
	n += mb;
	n += (size_t)sprintf(doc + n, "\"\n  s.version = \"1.0\"\nend\n");
	start = clock();
	scan_bytes(&out, "specifications/x.gemspec", doc, n);
	assert_true(clock() - start < 5 * CLOCKS_PER_SEC);
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 1);
	scan_out_free(&out);

	/* The same long lines around plausible fields. */
	n = 0;
	memset(doc, ' ', mb);
	n += mb;
	n += (size_t)sprintf(doc + n, "Gem::Specification.new do |s|\n");
	memset(doc + n, '#', mb);
	n += mb;
	n += (size_t)sprintf(doc + n, "\n s.name = \"long-lines\"\n s.version = \"1.0\"\n");
	scan_bytes(&out, "specifications/x.gemspec", doc, n);
	assert_int_equal(out.pkgs.count, 1);
	assert_string_equal(out.pkgs.items[0].name, "long-lines");
	scan_out_free(&out);
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trivy_gemspec),
		cmocka_unit_test(test_trivy_empty_name),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_literal_forms),
		cmocka_unit_test(test_not_literals),
		cmocka_unit_test(test_hostile_fields),
		cmocka_unit_test(test_megabyte_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
