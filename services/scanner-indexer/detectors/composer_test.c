/*
 * composer_test.c - installed.json in both Composer 1 and 2 forms against
 * syft's fixtures, the path it claims, purls (lower-cased vendor and name,
 * version as written), and hostile files: bad entries among good ones,
 * wrong shapes, truncation, deep nesting, absurd lengths.
 */
#include "detectors/detector_testing.h"

extern const struct detector detector_composer;

static const char installed_path[] = "var/www/vendor/composer/installed.json";

static void scan_bytes(struct scan_out *out, const void *data, size_t len)
{
	detector_testing_scan(out, &detector_composer, installed_path, data, len);
}

static void scan_file(struct scan_out *out, const char *dir, const char *name)
{
	char file[4096];

	detector_testing_join(file, sizeof(file), dir, name);
	detector_testing_scan_file(out, &detector_composer, installed_path, file);
}

static void scan_testdata(struct scan_out *out, const char *name)
{
	char dir[2048];

	detector_testing_testdata_dir(dir, sizeof(dir), "composer");
	scan_file(out, dir, name);
}

static void test_syft_vendor(void **state)
{
	char fixture[2048], expected_path[4096];
	json_t *expected, *files, *e, *want;
	json_error_t jerr;
	const char *file;
	size_t i;
	int checked = 0;

	(void)state;
	testing_shared_path(fixture, sizeof(fixture), "fixtures/lang/php/syft-vendor");
	detector_testing_join(expected_path, sizeof(expected_path), fixture, "expected.json");
	expected = json_load_file(expected_path, 0, &jerr);
	assert_non_null(expected);
	files = json_object_get(expected, "files");
	json_object_foreach (files, file, e) {
		json_t *packages = json_object_get(e, "packages");
		struct scan_out out;

		scan_file(&out, fixture, file);
		assert_int_equal(out.pkgs.count, json_array_size(packages));
		assert_int_equal(out.note_count, 0);
		/* Reported in the file's order. */
		json_array_foreach (packages, i, want) {
			const struct pkg *p = &out.pkgs.items[i];
			char purl[1024];

			assert_string_equal(p->name, json_string_value(json_object_get(want, "name")));
			assert_string_equal(p->version, json_string_value(json_object_get(want, "version")));
			assert_string_equal(p->ecosystem, "composer");
			assert_string_equal(p->package_db, "var/www/vendor/composer/installed.json");
			snprintf(purl, sizeof(purl), "pkg:composer/%s@%s", p->name, p->version);
			assert_string_equal(p->purl, purl);
		}
		scan_out_free(&out);
		checked++;
	}
	assert_int_equal(checked, 2);
	json_decref(expected);
}

static void test_match(void **state)
{
	static const struct {
		const char *path;
		int want;
	} cases[] = {
		{ "var/www/html/vendor/composer/installed.json", 1 },
		{ "vendor/composer/installed.json", 1 },
		{ "app/vendor/composer/installed.php", 0 },
		{ "app/composer.lock", 0 },
		{ "app/vendor/composer/installed.json.bak", 0 },
		{ "app/myvendor/composer/installed.json", 0 },
		{ "app/vendor/xcomposer/installed.json", 0 },
		{ "app/installed.json", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (detector_composer.match(cases[i].path, strlen(cases[i].path), 0644) != cases[i].want)
			fail_msg("match(%s) should be %d", cases[i].path, cases[i].want);
	assert_string_equal(detector_composer.name, "composer");
	assert_true(detector_composer.max_file_bytes >= (1u << 20) && detector_composer.max_file_bytes <= (64u << 20));
}

static void test_mixed_entries(void **state)
{
	struct scan_out out;

	(void)state;
	scan_testdata(&out, "mixed.json");
	assert_int_equal(out.pkgs.count, 2);
	assert_string_equal(out.pkgs.items[0].name, "Symfony/Console");
	assert_string_equal(out.pkgs.items[0].version, "v6.3.4");
	assert_string_equal(out.pkgs.items[0].purl, "pkg:composer/symfony/console@v6.3.4");
	assert_string_equal(out.pkgs.items[1].name, "drupal/core");
	assert_string_equal(out.pkgs.items[1].version, "10.1.x-dev");
	/* Many bad entries, two kinds of problem: two notes. */
	assert_int_equal(out.note_count, 2);
	scan_out_free(&out);
}

static void test_wrong_shapes(void **state)
{
	struct scan_out out;

	(void)state;
	scan_testdata(&out, "packages-object.json");
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 1);
	scan_out_free(&out);
	scan_testdata(&out, "truncated.json");
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 1);
	assert_non_null(strstr(out.notes[0], "invalid JSON"));
	scan_out_free(&out);
	scan_bytes(&out, "{}", 2);
	assert_int_equal(out.note_count, 1);
	scan_out_free(&out);
	scan_bytes(&out, "[]", 2);
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 0);
	scan_out_free(&out);
}

static void test_limits(void **state)
{
	size_t depth = 200000, n;
	struct scan_out out;
	char *doc;

	(void)state;
	doc = malloc(depth + 4096);
	assert_non_null(doc);
	memset(doc, '[', depth);
	scan_bytes(&out, doc, depth);
	assert_int_equal(out.pkgs.count, 0);
	assert_non_null(strstr(out.notes[0], "nested"));
	scan_out_free(&out);

	n = (size_t)sprintf(doc, "[{\"name\":\"a/%0510d\",\"version\":\"1\"},{\"name\":\"a/%0511d\",\"version\":\"1\"}]", 1,
			    1);
	scan_bytes(&out, doc, n);
	assert_int_equal(out.pkgs.count, 1);
	assert_int_equal(strlen(out.pkgs.items[0].name), 512);
	assert_int_equal(out.note_count, 1);
	scan_out_free(&out);
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syft_vendor),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_mixed_entries),
		cmocka_unit_test(test_wrong_shapes),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
