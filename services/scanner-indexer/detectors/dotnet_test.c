/*
 * dotnet_test.c - the deps.json reader against trivy's deps.json cases
 * (every "package" library, nothing else, invalid JSON noted), the paths it
 * claims, purls, and hostile files: odd library keys, wrong shapes, deep
 * nesting, control characters and absurd lengths.
 */
#include "detectors/detector_testing.h"

extern const struct detector detector_dotnet;

static void scan_bytes(struct scan_out *out, const char *path, const void *data, size_t len)
{
	detector_testing_scan(out, &detector_dotnet, path, data, len);
}

static void scan_file(struct scan_out *out, const char *dir, const char *name)
{
	char file[4096], path[1024];

	detector_testing_join(file, sizeof(file), dir, name);
	snprintf(path, sizeof(path), "app/%s", name);
	detector_testing_scan_file(out, &detector_dotnet, path, file);
}

static void scan_testdata(struct scan_out *out, const char *name)
{
	char dir[2048];

	detector_testing_testdata_dir(dir, sizeof(dir), "dotnet");
	scan_file(out, dir, name);
}

/* Each deps.json of a fixture folder: exactly its "package" libraries. */
static void compare_fixture(const char *fixture_rel)
{
	char fixture[2048], expected_path[4096];
	json_t *expected, *files, *e, *lib;
	json_error_t jerr;
	const char *file;
	size_t i;
	int checked = 0;

	testing_shared_path(fixture, sizeof(fixture), fixture_rel);
	detector_testing_join(expected_path, sizeof(expected_path), fixture, "expected.json");
	expected = json_load_file(expected_path, 0, &jerr);
	assert_non_null(expected);
	files = json_object_get(expected, "files");
	json_object_foreach (files, file, e) {
		struct scan_out out;
		size_t want = 0;

		scan_file(&out, fixture, file);
		if (json_object_get(e, "error")) {
			assert_int_equal(out.pkgs.count, 0);
			assert_int_equal(out.note_count, 1);
			assert_non_null(strstr(out.notes[0], "invalid JSON"));
			scan_out_free(&out);
			checked++;
			continue;
		}
		json_array_foreach (json_object_get(e, "libraries"), i, lib) {
			const char *nv = json_string_value(json_object_get(lib, "nameVersion"));
			const char *slash = strchr(nv, '/');
			char name[512], purl[1024];
			const struct pkg *p;

			if (strcmp(json_string_value(json_object_get(lib, "type")), "package") != 0)
				continue;
			want++;
			snprintf(name, sizeof(name), "%.*s", (int)(slash - nv), nv);
			p = detector_testing_find(&out, name);
			if (!p)
				fail_msg("%s: %s not reported", file, nv);
			assert_string_equal(p->version, slash + 1);
			assert_string_equal(p->ecosystem, "nuget");
			snprintf(purl, sizeof(purl), "pkg:nuget/%s@%s", name, slash + 1);
			assert_string_equal(p->purl, purl);
			assert_non_null(strstr(p->package_db, file));
		}
		if (out.pkgs.count != want)
			fail_msg("%s: %zu packages, want %zu", file, out.pkgs.count, want);
		assert_int_equal(out.note_count, 0);
		scan_out_free(&out);
		checked++;
	}
	assert_true(checked > 0);
	json_decref(expected);
}

static void test_trivy_core_deps(void **state)
{
	(void)state;
	compare_fixture("fixtures/lang/dotnet/trivy-core-deps");
}

static void test_trivy_analyzer(void **state)
{
	(void)state;
	compare_fixture("fixtures/lang/dotnet/trivy-analyzer");
}

static void test_match(void **state)
{
	static const struct {
		const char *path;
		int want;
	} cases[] = {
		{ "app/MyApp.deps.json", 1 },
		{ "usr/share/dotnet/shared/Microsoft.NETCore.App/8.0.0/Microsoft.NETCore.App.deps.json", 1 },
		{ "x.deps.json", 1 },
		{ "app/.deps.json", 0 },
		{ "app/deps.json", 0 },
		{ "app/MyApp.runtimeconfig.json", 0 },
		{ "app/MyApp.deps.json.bak", 0 },
		{ ".deps.json", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (detector_dotnet.match(cases[i].path, strlen(cases[i].path), 0644) != cases[i].want)
			fail_msg("match(%s) should be %d", cases[i].path, cases[i].want);
	assert_string_equal(detector_dotnet.name, "dotnet");
	assert_true(detector_dotnet.max_file_bytes >= (1u << 20) && detector_dotnet.max_file_bytes <= (64u << 20));
}

static void test_odd_keys(void **state)
{
	struct scan_out out;

	(void)state;
	scan_testdata(&out, "odd-keys.deps.json");
	/* Only the one plausible package; the bad keys leave a single note. */
	assert_int_equal(out.pkgs.count, 1);
	assert_string_equal(out.pkgs.items[0].name, "Good.Package");
	assert_string_equal(out.pkgs.items[0].version, "1.2.3-beta+meta");
	assert_string_equal(out.pkgs.items[0].purl, "pkg:nuget/Good.Package@1.2.3-beta%2Bmeta");
	assert_int_equal(out.note_count, 1);
	scan_out_free(&out);
}

static void test_wrong_shapes(void **state)
{
	struct scan_out out;
	const char *doc;

	(void)state;
	scan_testdata(&out, "libraries-array.deps.json");
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 1);
	scan_out_free(&out);
	scan_testdata(&out, "array-root.deps.json");
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 1);
	scan_out_free(&out);
	doc = "{\"libraries\": {\"A/1\": {\"type\": \"package\"}";
	scan_bytes(&out, "a.deps.json", doc, strlen(doc));
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 1);
	scan_out_free(&out);
	scan_bytes(&out, "a.deps.json", "", 0);
	assert_int_equal(out.note_count, 1);
	scan_out_free(&out);
	/* No "libraries": an app without dependencies, nothing to say. */
	doc = "{\"runtimeTarget\": {\"name\": \".NETCoreApp,Version=v8.0\"}}";
	scan_bytes(&out, "a.deps.json", doc, strlen(doc));
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 0);
	scan_out_free(&out);
}

static void test_limits(void **state)
{
	size_t depth = 100000, n;
	struct scan_out out;
	char *doc;

	(void)state;
	doc = malloc(depth + 4096);
	assert_non_null(doc);
	/* A hundred thousand nested objects. */
	for (n = 0; n + 5 <= depth; n += 5)
		memcpy(doc + n, "{\"a\":", 5);
	scan_bytes(&out, "a.deps.json", doc, n);
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 1);
	assert_non_null(strstr(out.notes[0], "nested"));
	scan_out_free(&out);

	/* Version of 512 bytes is accepted, 513 is not. */
	n = (size_t)sprintf(doc, "{\"libraries\":{\"A/%0512d\":{\"type\":\"package\"},\"B/%0513d\":{\"type\":\"package\"}}}", 1,
			    1);
	scan_bytes(&out, "a.deps.json", doc, n);
	assert_int_equal(out.pkgs.count, 1);
	assert_string_equal(out.pkgs.items[0].name, "A");
	assert_int_equal(out.note_count, 1);
	scan_out_free(&out);
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trivy_core_deps),
		cmocka_unit_test(test_trivy_analyzer),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_odd_keys),
		cmocka_unit_test(test_wrong_shapes),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
