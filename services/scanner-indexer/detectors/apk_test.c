/*
 * apk_test.c - the apk detector against trivy's and syft's installed
 * databases (compared with their expectations: name, version, arch, origin
 * as the source package), syft's corrupt database (what can be read, plus a
 * note), which paths it claims, purls, and hostile files: duplicate fields,
 * a lost blank line, bad names and versions, NULs, invalid UTF-8, CR-only
 * and CRLF line ends, a 10 MB line, a record with 100,000 file lines and a
 * flood of tiny records.
 */
#include <time.h>

#include "detectors/detector_testing.h"

extern const struct detector detector_apk;

static const char db_path[] = "lib/apk/db/installed";

static void scan_bytes(struct scan_out *out, const void *data, size_t len)
{
	detector_testing_scan(out, &detector_apk, db_path, data, len);
}

static void check_common(const struct pkg *p)
{
	detector_testing_expect_str("kind", p->kind, "binary");
	detector_testing_expect_str("ecosystem", p->ecosystem, "apk");
	detector_testing_expect_str("package_db", p->package_db, db_path);
	detector_testing_expect_str("repository_hint", p->repository_hint, NULL);
	assert_non_null(p->purl);
	assert_true(strncmp(p->purl, "pkg:apk/alpine/", 15) == 0);
}

static void test_match(void **state)
{
	static const char *const others[] = { "lib/apk/db/installed.new", "lib/apk/db/scripts.tar",
					      "x/lib/apk/db/installed", "etc/apk/repositories", "" };
	size_t i;

	(void)state;
	assert_true(detector_apk.match(db_path, strlen(db_path), 0644));
	assert_true(detector_apk.match("usr/lib/apk/db/installed", 24, 0644));
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (detector_apk.match(others[i], strlen(others[i]), 0644))
			fail_msg("%s should not match", others[i]);
	assert_string_equal(detector_apk.name, "apk");
	assert_int_equal(detector_apk.max_file_bytes, 64u * 1024 * 1024);
}

/* Exact comparison, in file order, of every field the expectation has. */
static void check_fixture(const char *name, size_t count, int corrupt)
{
	char rel[512], dir[4096], path[4096];
	json_t *expected, *want;
	json_error_t jerr;
	struct scan_out out;
	unsigned char *data;
	size_t len, i;

	snprintf(rel, sizeof(rel), "fixtures/os-pkgdb/apk/%s", name);
	testing_shared_path(dir, sizeof(dir), rel);
	detector_testing_join(path, sizeof(path), dir, "expected.json");
	expected = json_load_file(path, 0, &jerr);
	if (!expected)
		fail_msg("%s: %s", path, jerr.text);
	want = json_object_get(expected, "packages");
	assert_int_equal(json_array_size(want), count);
	detector_testing_join(path, sizeof(path), dir, db_path);
	data = testing_read_file(path, &len);
	assert_non_null(data);
	scan_bytes(&out, data, len);
	if (out.pkgs.count != count)
		fail_msg("%s: %zu packages, expected %zu", name, out.pkgs.count, count);
	for (i = 0; i < count; i++) {
		const struct pkg *p = &out.pkgs.items[i];
		json_t *w = json_array_get(want, i);
		const char *origin = detector_testing_json_str(w, "origin");

		detector_testing_expect_str(name, p->name, detector_testing_json_str(w, "name"));
		detector_testing_expect_str(name, p->version, detector_testing_json_str(w, "version"));
		detector_testing_expect_str(name, p->arch, detector_testing_json_str(w, "arch"));
		detector_testing_expect_str(name, p->source_name, origin);
		/* A subpackage carries its origin's version. */
		detector_testing_expect_str(name, p->source_version, origin ? detector_testing_json_str(w, "version") : NULL);
		check_common(p);
	}
	if (corrupt)
		assert_true(detector_testing_has_note(&out, "malformed lines"));
	else if (out.note_count)
		fail_msg("%s: unexpected note: %s", name, out.notes[0]);
	scan_out_free(&out);
	json_decref(expected);
	free(data);
}

static void test_trivy_alpine(void **state)
{
	(void)state;
	/* Includes "invalidPackageWithoutAVersion": reported, without a version. */
	check_fixture("trivy-alpine", 16, 0);
}

static void test_syft_multiple(void **state)
{
	(void)state;
	check_fixture("syft-multiple-1", 4, 0);
}

static void test_syft_corrupt(void **state)
{
	(void)state;
	check_fixture("syft-corrupt", 1, 1);
}

static void test_purl(void **state)
{
	static const char text[] = "P:libstdc++\nV:13.2.1_git20231014-r0\nA:x86_64\n\nP:bare\n";
	struct scan_out out;

	(void)state;
	scan_bytes(&out, text, sizeof(text) - 1);
	assert_int_equal(out.pkgs.count, 2);
	detector_testing_expect_str("purl", out.pkgs.items[0].purl, "pkg:apk/alpine/libstdc%2B%2B@13.2.1_git20231014-r0?arch=x86_64");
	detector_testing_expect_str("purl", out.pkgs.items[1].purl, "pkg:apk/alpine/bare");
	scan_out_free(&out);
}

/* Fuzzing finding: an absent field was duplicated from a NULL pointer
 * (strndup(NULL, 0), undefined behaviour that UBSan reports). Absent
 * fields come out as "" (the origin, when absent, as no source at all). */
static void test_absent_fields(void **state)
{
	static const char text[] = "P:bare\n";
	struct scan_out out;
	const struct pkg *p;

	(void)state;
	scan_bytes(&out, text, sizeof(text) - 1);
	assert_int_equal(out.pkgs.count, 1);
	p = &out.pkgs.items[0];
	assert_string_equal(p->name, "bare");
	assert_string_equal(p->version, "");
	assert_string_equal(p->arch, "");
	assert_null(p->source_name);
	assert_null(p->source_version);
	scan_out_free(&out);
}

struct want_pkg {
	const char *name, *version, *arch, *source_name;
};

static void compare_list(const char *what, const struct scan_out *out, const struct want_pkg *want, size_t n)
{
	size_t i;

	if (out->pkgs.count != n) {
		for (i = 0; i < out->pkgs.count; i++)
			print_message("got %s %s\n", out->pkgs.items[i].name, out->pkgs.items[i].version);
		fail_msg("%s: %zu packages, expected %zu", what, out->pkgs.count, n);
	}
	for (i = 0; i < n; i++) {
		const struct pkg *p = &out->pkgs.items[i];

		detector_testing_expect_str(want[i].name, p->name, want[i].name);
		detector_testing_expect_str(want[i].name, p->version, want[i].version);
		detector_testing_expect_str(want[i].name, p->arch, want[i].arch);
		detector_testing_expect_str(want[i].name, p->source_name, want[i].source_name);
		check_common(p);
	}
}

static void test_hostile(void **state)
{
	static const struct want_pkg want[] = {
		{ "good", "1.2.4_git20230717-r4", "x86_64", "goodsrc" },
		/* Repeated V and A: the first kept. */
		{ "dup", "1.0-r0", "aarch64", "dupsrc" },
		/* A second P without a blank line starts the next record. */
		{ "lost-blank", "2.0-r1", NULL, NULL },
		{ "no-origin", "3.0-r0", "x86_64", NULL },
		{ "badarch", "0.1-r0", NULL, NULL },
		{ "hash-version", "1.0~abc123-r0", "noarch", NULL },
	};
	static const char *const notes[] = {
		"package spaced (line 19) has a malformed version; skipped",
		"record at line 22: the package name has characters apk does not use; skipped",
		"package no-origin (line 25) has a malformed origin",
		"record at line 31 has no package name (P:); skipped",
		"package badarch (line 34) has a malformed architecture",
		"2 malformed lines ignored (the first at line 16)",
		"2 repeated fields ignored, the first value kept (the first at line 12)",
	};
	struct scan_out out;
	unsigned char *data;
	size_t len, i;

	(void)state;
	data = detector_testing_read_testdata("apk", "installed-hostile", &len);
	scan_bytes(&out, data, len);
	compare_list("installed-hostile", &out, want, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(notes) / sizeof(notes[0]); i++)
		if (!detector_testing_has_note(&out, notes[i]))
			fail_msg("missing note: %s", notes[i]);
	assert_int_equal(out.note_count, sizeof(notes) / sizeof(notes[0]));
	scan_out_free(&out);
	free(data);
}

static void test_bytes(void **state)
{
	static const struct want_pkg want[] = { { "utf8-maint", "1.0-r0", NULL, NULL } };
	struct scan_out out;
	unsigned char *data;
	size_t len;

	(void)state;
	data = detector_testing_read_testdata("apk", "installed-bytes", &len);
	scan_bytes(&out, data, len);
	compare_list("installed-bytes", &out, want, 1);
	assert_true(detector_testing_has_note(&out, "record at line 1: the package name has characters apk does not use"));
	assert_true(detector_testing_has_note(&out, "package utf8-version (line 9) has a malformed version"));
	scan_out_free(&out);
	free(data);
}

static void test_line_endings(void **state)
{
	static const struct want_pkg want[] = {
		{ "musl", "1.2.4-r4", "x86_64", "musl" },
		{ "busybox", "1.36.1-r15", "x86_64", "busybox" },
	};
	static const char *const files[] = { "installed-cr-only", "installed-crlf" };
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct scan_out out;
		unsigned char *data;
		size_t len;

		data = detector_testing_read_testdata("apk", files[i], &len);
		scan_bytes(&out, data, len);
		compare_list(files[i], &out, want, 2);
		assert_int_equal(out.note_count, 0);
		scan_out_free(&out);
		free(data);
	}
}

static void test_huge_line(void **state)
{
	size_t big = 10u * 1024 * 1024;
	unsigned char *data = malloc(big);
	struct scan_out out;

	(void)state;
	assert_non_null(data);
	memset(data, 'A', big);
	scan_bytes(&out, data, big);
	assert_int_equal(out.pkgs.count, 0);
	assert_true(detector_testing_has_note(&out, "1 malformed lines"));
	scan_out_free(&out);

	/* A 10 MB version is not a version. */
	memcpy(data, "P:x\nV:", 6);
	scan_bytes(&out, data, big);
	assert_int_equal(out.pkgs.count, 0);
	assert_true(detector_testing_has_note(&out, "package x (line 1) has a malformed version"));
	scan_out_free(&out);
	free(data);
}

static void test_file_line_flood(void **state)
{
	static const char head[] = "P:big\nV:1-r0\n";
	static const char tail[] = "A:x86_64\n";
	size_t lines = 100000, len = sizeof(head) - 1 + lines * 8 + sizeof(tail) - 1, i;
	char *data = malloc(len), *p = data;
	struct timespec start, now;
	struct scan_out out;

	(void)state;
	assert_non_null(data);
	memcpy(p, head, sizeof(head) - 1);
	p += sizeof(head) - 1;
	for (i = 0; i < lines; i++, p += 8)
		memcpy(p, "R:file1\n", 8);
	memcpy(p, tail, sizeof(tail) - 1);
	clock_gettime(CLOCK_MONOTONIC, &start);
	scan_bytes(&out, data, len);
	clock_gettime(CLOCK_MONOTONIC, &now);
	assert_true((double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9 < 2.0);
	assert_int_equal(out.pkgs.count, 1);
	detector_testing_expect_str("arch", out.pkgs.items[0].arch, "x86_64");
	assert_int_equal(out.note_count, 0);
	scan_out_free(&out);
	free(data);
}

static void test_package_cap(void **state)
{
	static const char rec[] = "P:a\n\n";
	size_t n = 200100, len = n * (sizeof(rec) - 1), i;
	char *data = malloc(len);
	struct scan_out out;

	(void)state;
	assert_non_null(data);
	for (i = 0; i < n; i++)
		memcpy(data + i * (sizeof(rec) - 1), rec, sizeof(rec) - 1);
	scan_bytes(&out, data, len);
	assert_int_equal(out.pkgs.count, 200000);
	assert_true(detector_testing_has_note(&out, "more than 200000 packages"));
	scan_out_free(&out);
	free(data);
}

static void test_empty(void **state)
{
	struct scan_out out;

	(void)state;
	scan_bytes(&out, "", 0);
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 0);
	scan_out_free(&out);
	scan_bytes(&out, "\n\n\n", 3);
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 0);
	scan_out_free(&out);
	scan_bytes(&out, "", (size_t)detector_apk.max_file_bytes + 1);
	assert_true(detector_testing_has_note(&out, "over the"));
	scan_out_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_trivy_alpine),
		cmocka_unit_test(test_syft_multiple),
		cmocka_unit_test(test_syft_corrupt),
		cmocka_unit_test(test_purl),
		cmocka_unit_test(test_absent_fields),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_line_endings),
		cmocka_unit_test(test_huge_line),
		cmocka_unit_test(test_file_line_flood),
		cmocka_unit_test(test_package_cap),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
