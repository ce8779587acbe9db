/*
 * npm_test.c - the npm detector against a real `npm install` tree (every
 * package root, compared with what npm ls reports), syft's package.json
 * cases, which paths it claims, purls, and hostile files: malformed,
 * deeply nested, huge, with control characters or absurd lengths.
 */

#include "detectors/detector_testing.h"

extern const struct detector detector_npm;

static const struct pkg *find_db(const struct scan_out *out, const char *package_db)
{
	size_t i;

	for (i = 0; i < out->pkgs.count; i++)
		if (strcmp(out->pkgs.items[i].package_db, package_db) == 0)
			return &out->pkgs.items[i];
	return NULL;
}

static void scan_bytes(struct scan_out *out, const char *path, const void *data, size_t len)
{
	detector_testing_scan(out, &detector_npm, path, data, len);
}

/* Scans a testdata file and expects it to be skipped with one note. */
static void expect_skipped(const char *name)
{
	struct scan_out out;
	unsigned char *data;
	size_t len;

	data = detector_testing_read_testdata("npm", name, &len);
	scan_bytes(&out, "node_modules/x/package.json", data, len);
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 1);
	assert_non_null(strstr(out.notes[0], "node_modules/x/package.json"));
	scan_out_free(&out);
	free(data);
}

static void test_express_tree(void **state)
{
	char fixture[4096], expected_path[4096], walk_root[4096];
	json_t *expected, *packages, *e;
	json_error_t jerr;
	struct scan_out walk_out;
	size_t i, walk_matched;

	(void)state;
	testing_shared_path(fixture, sizeof(fixture), "fixtures/lang/node/npm-express-tree");
	detector_testing_join(walk_root, sizeof(walk_root), fixture, "app");
	detector_testing_join(expected_path, sizeof(expected_path), fixture, "expected.json");
	expected = json_load_file(expected_path, 0, &jerr);
	assert_non_null(expected);
	packages = json_object_get(expected, "packages");
	assert_true(json_array_size(packages) > 0);

	detector_testing_walk(&walk_out, &detector_npm, walk_root, &walk_matched, NULL);
	/* The project's own package.json and the lock files are not matched. */
	assert_int_equal(walk_matched, json_array_size(packages));
	assert_int_equal(walk_out.pkgs.count, json_array_size(packages));
	assert_int_equal(walk_out.note_count, 0);
	json_array_foreach (packages, i, e) {
		char db[1024], purl[1024];
		const struct pkg *p;

		snprintf(db, sizeof(db), "%s/package.json", json_string_value(json_object_get(e, "path")));
		p = find_db(&walk_out, db);
		if (!p)
			fail_msg("no package found at %s", db);
		assert_string_equal(p->name, json_string_value(json_object_get(e, "name")));
		assert_string_equal(p->version, json_string_value(json_object_get(e, "version")));
		assert_string_equal(p->ecosystem, "npm");
		assert_string_equal(p->kind, "binary");
		snprintf(purl, sizeof(purl), "pkg:npm/%s@%s", p->name, p->version);
		assert_string_equal(p->purl, purl);
	}
	/* The nested copy (send's own ms) is its own package. */
	assert_non_null(find_db(&walk_out, "node_modules/send/node_modules/ms/package.json"));
	scan_out_free(&walk_out);
	json_decref(expected);
}

static void test_syft_package_json(void **state)
{
	char fixture[4096], path[4096];
	json_t *expected, *files, *e;
	json_error_t jerr;
	const char *file;
	int with_pkg = 0, without = 0;

	(void)state;
	testing_shared_path(fixture, sizeof(fixture), "fixtures/lang/node/syft-pkg-json");
	detector_testing_join(path, sizeof(path), fixture, "expected.json");
	expected = json_load_file(path, 0, &jerr);
	assert_non_null(expected);
	files = json_object_get(expected, "files");
	json_object_foreach (files, file, e) {
		const char *name = json_string_value(json_object_get(e, "name"));
		const char *version = json_string_value(json_object_get(e, "version"));
		struct scan_out out;
		unsigned char *data;
		size_t len;

		detector_testing_join(path, sizeof(path), fixture, file);
		data = testing_read_file(path, &len);
		assert_non_null(data);
		scan_bytes(&out, "usr/lib/node_modules/npm/package.json", data, len);
		if (name && version) {
			assert_int_equal(out.pkgs.count, 1);
			assert_string_equal(out.pkgs.items[0].name, name);
			assert_string_equal(out.pkgs.items[0].version, version);
			assert_string_equal(out.pkgs.items[0].package_db, "usr/lib/node_modules/npm/package.json");
			assert_int_equal(out.note_count, 0);
			with_pkg++;
		} else {
			assert_int_equal(out.pkgs.count, 0);
			assert_int_equal(out.note_count, 1);
			without++;
		}
		scan_out_free(&out);
		free(data);
	}
	assert_true(with_pkg >= 18);
	assert_int_equal(without, 1);
	json_decref(expected);
}

static void test_match(void **state)
{
	static const struct {
		const char *path;
		int want;
	} cases[] = {
		{ "app/node_modules/express/package.json", 1 },
		{ "node_modules/express/package.json", 1 },
		{ "app/node_modules/@babel/core/package.json", 1 },
		{ "app/node_modules/a/node_modules/b/package.json", 1 },
		{ "usr/lib/node_modules/npm/package.json", 1 },
		{ "usr/local/lib/node_modules/corepack/package.json", 1 },
		{ "usr/lib/node_modules/npm/node_modules/@npmcli/arborist/package.json", 1 },
		{ "app/node_modules/.pnpm/lodash@4.17.21/node_modules/lodash/package.json", 1 },
		{ "app/package.json", 0 },
		{ "package.json", 0 },
		{ "app/package-lock.json", 0 },
		{ "app/node_modules/.package-lock.json", 0 },
		{ "app/node_modules/package.json", 0 },
		{ "app/node_modules/express/lib/package.json", 0 },
		{ "app/node_modules/resolve/test/fixtures/package.json", 0 },
		{ "app/node_modules/@babel/package.json", 0 },
		{ "app/node_modules/@/core/package.json", 0 },
		{ "app/node_modules/.bin/package.json", 0 },
		{ "app/node_modules/.cache/x/package.json", 0 },
		{ "@scope/name/package.json", 0 },
		{ "app/not_node_modules/x/package.json", 0 },
		{ "app/node_modules/x/package.jsonx", 0 },
		{ "app/node_modules/x/apackage.json", 0 },
		{ "/package.json", 0 },
		{ "node_modules//package.json", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (detector_npm.match(cases[i].path, strlen(cases[i].path), 0644) != cases[i].want)
			fail_msg("match(%s) should be %d", cases[i].path, cases[i].want);
	/* match() reads only path_len bytes: the same buffer, cut short, is not a match. */
	assert_false(detector_npm.match("node_modules/x/package.json", 20, 0644));
	/* Over-large files never reach scan(): the walker skips them by this limit. */
	assert_true(detector_npm.max_file_bytes >= (1u << 20) && detector_npm.max_file_bytes <= (16u << 20));
	assert_string_equal(detector_npm.name, "npm");
}

static void test_scoped_purl(void **state)
{
	struct scan_out out;
	const char *doc;
	unsigned char *data;
	size_t len;

	(void)state;
	data = detector_testing_read_testdata("npm", "scoped.json", &len);
	scan_bytes(&out, "app/node_modules/@babel/core/package.json", data, len);
	assert_int_equal(out.pkgs.count, 1);
	assert_string_equal(out.pkgs.items[0].name, "@babel/core");
	assert_string_equal(out.pkgs.items[0].version, "7.24.0+build.1");
	assert_string_equal(out.pkgs.items[0].purl, "pkg:npm/%40babel/core@7.24.0%2Bbuild.1");
	scan_out_free(&out);
	free(data);

	/* Legacy names with capitals are lower-cased in the purl only. */
	doc = "{\"name\":\"JSONStream\",\"version\":\"1.3.5\"}";
	scan_bytes(&out, "node_modules/JSONStream/package.json", doc, strlen(doc));
	assert_int_equal(out.pkgs.count, 1);
	assert_string_equal(out.pkgs.items[0].name, "JSONStream");
	assert_string_equal(out.pkgs.items[0].purl, "pkg:npm/jsonstream@1.3.5");
	scan_out_free(&out);
}

static void test_skipped_files(void **state)
{
	struct scan_out out;
	unsigned char *data;
	size_t len;

	(void)state;
	expect_skipped("malformed.json");
	expect_skipped("control-char.json");
	expect_skipped("nul-in-string.json");
	expect_skipped("numeric-version.json");
	expect_skipped("array-root.json");
	expect_skipped("type-only.json");
	scan_bytes(&out, "node_modules/x/package.json", "", 0);
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 1);
	scan_out_free(&out);

	/* Duplicate keys are not an error: the last one wins, as in node. */
	data = detector_testing_read_testdata("npm", "duplicate-keys.json", &len);
	scan_bytes(&out, "node_modules/dup/package.json", data, len);
	assert_int_equal(out.pkgs.count, 1);
	assert_string_equal(out.pkgs.items[0].name, "dup");
	scan_out_free(&out);
	free(data);
}

/* Builds {"name":<name>,"version":"1.0.0"} with name repeated n times. */
static char *json_with_name_of(size_t n, char fill)
{
	char *s = malloc(n + 64);

	assert_non_null(s);
	strcpy(s, "{\"name\":\"");
	memset(s + strlen(s), fill, n);
	strcpy(s + 9 + n, "\",\"version\":\"1.0.0\"}");
	return s;
}

static void test_field_lengths(void **state)
{
	struct scan_out out;
	char *doc;

	(void)state;
	doc = json_with_name_of(512, 'a');
	scan_bytes(&out, "node_modules/a/package.json", doc, strlen(doc));
	assert_int_equal(out.pkgs.count, 1);
	assert_int_equal(strlen(out.pkgs.items[0].name), 512);
	scan_out_free(&out);
	free(doc);

	doc = json_with_name_of(513, 'a');
	scan_bytes(&out, "node_modules/a/package.json", doc, strlen(doc));
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 1);
	assert_non_null(strstr(out.notes[0], "512"));
	scan_out_free(&out);
	free(doc);

	doc = json_with_name_of(1u << 20, 'b');
	scan_bytes(&out, "node_modules/b/package.json", doc, strlen(doc));
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 1);
	scan_out_free(&out);
	free(doc);
}

static void test_nesting_is_bounded(void **state)
{
	size_t depth = 1000000, i;
	struct scan_out out;
	char *doc, *p;

	(void)state;
	/* A million open brackets: refused before jansson recurses into it. */
	doc = malloc(depth + 1);
	assert_non_null(doc);
	memset(doc, '[', depth);
	scan_bytes(&out, "node_modules/deep/package.json", doc, depth);
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 1);
	assert_non_null(strstr(out.notes[0], "nested"));
	scan_out_free(&out);

	/* Brackets inside strings do not count; real nesting of 50 is fine. */
	p = doc;
	p += sprintf(p, "{\"name\":\"[[[[{{{{\",\"version\":\"1.0.0\",\"x\":");
	for (i = 0; i < 50; i++)
		*p++ = '[';
	for (i = 0; i < 50; i++)
		*p++ = ']';
	*p++ = '}';
	scan_bytes(&out, "node_modules/deep/package.json", doc, (size_t)(p - doc));
	assert_int_equal(out.pkgs.count, 1);
	assert_string_equal(out.pkgs.items[0].name, "[[[[{{{{");
	assert_int_equal(out.note_count, 0);
	scan_out_free(&out);
	free(doc);
}

static void test_value_count_is_bounded(void **state)
{
	size_t n = 8u << 20, i;
	struct scan_out out;
	char *doc;

	(void)state;
	/* 8 MiB of "[0,0,0,...]": four million values, refused before parsing. */
	doc = malloc(n);
	assert_non_null(doc);
	doc[0] = '[';
	for (i = 1; i + 1 < n; i += 2) {
		doc[i] = '0';
		doc[i + 1] = ',';
	}
	doc[n - 1] = ']';
	doc[n - 2] = '0';
	scan_bytes(&out, "node_modules/wide/package.json", doc, n);
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 1);
	assert_non_null(strstr(out.notes[0], "million"));
	scan_out_free(&out);
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_express_tree),
		cmocka_unit_test(test_syft_package_json),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_scoped_purl),
		cmocka_unit_test(test_skipped_files),
		cmocka_unit_test(test_field_lengths),
		cmocka_unit_test(test_nesting_is_bounded),
		cmocka_unit_test(test_value_count_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
