/*
 * dpkg_test.c - the dpkg detector against every dpkg fixture (a bookworm
 * minbase root and claircore's and trivy's status files, compared with what
 * dpkg-query reports; syft's distroless status.d folders, compared with
 * their derived expectations), which paths it claims, purls, and hostile
 * files: every Status state, duplicate fields, lost blank lines, bad
 * versions, NULs, invalid UTF-8, CR-only and CRLF line ends, a 10 MB line,
 * a stanza with 100,000 continuation lines and a flood of tiny stanzas.
 */
#include <time.h>

#include "detectors/detector_testing.h"

extern const struct detector detector_dpkg;

/* ---- helpers ---------------------------------------------------------- */

static void scan_bytes(struct scan_out *out, const char *path, const void *data, size_t len)
{
	assert_int_equal(detector_dpkg.scan(out, path, data, len), ASEC_OK);
}

/* Every package carries the fields the report needs, whatever else it has. */
static void check_common(const struct pkg *p, const char *package_db)
{
	detector_testing_expect_str("kind", p->kind, "binary");
	detector_testing_expect_str("ecosystem", p->ecosystem, "deb");
	detector_testing_expect_str("package_db", p->package_db, package_db);
	assert_non_null(p->purl);
	assert_true(strncmp(p->purl, "pkg:deb/debian/", 15) == 0);
}

static int pkg_cmp(const void *a, const void *b)
{
	const struct pkg *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->arch ? x->arch : "", y->arch ? y->arch : "");
}

static int json_pkg_cmp(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(detector_testing_json_str(x, "name"), detector_testing_json_str(y, "name"));

	return c ? c : strcmp(detector_testing_json_str(x, "arch") ? detector_testing_json_str(x, "arch") : "", detector_testing_json_str(y, "arch") ? detector_testing_json_str(y, "arch") : "");
}

/* Exact comparison of name, version, arch, source name and version; sorted
 * when the expectation comes from dpkg-query (which sorts), in file order
 * otherwise. */
static void compare(const char *what, struct scan_out *out, json_t *want, int sort)
{
	size_t i, n = json_array_size(want);
	json_t **w = calloc(n ? n : 1, sizeof(*w));

	assert_non_null(w);
	if (out->pkgs.count != n)
		fail_msg("%s: %zu packages, expected %zu", what, out->pkgs.count, n);
	for (i = 0; i < n; i++)
		w[i] = json_array_get(want, i);
	if (sort) {
		qsort(out->pkgs.items, out->pkgs.count, sizeof(struct pkg), pkg_cmp);
		qsort(w, n, sizeof(*w), json_pkg_cmp);
	}
	for (i = 0; i < n; i++) {
		const struct pkg *p = &out->pkgs.items[i];
		char label[512];

		snprintf(label, sizeof(label), "%s: %s", what, detector_testing_json_str(w[i], "name"));
		detector_testing_expect_str(label, p->name, detector_testing_json_str(w[i], "name"));
		detector_testing_expect_str(label, p->version, detector_testing_json_str(w[i], "version"));
		detector_testing_expect_str(label, p->arch, detector_testing_json_str(w[i], "arch"));
		detector_testing_expect_str(label, p->source_name, detector_testing_json_str(w[i], "sourceName"));
		detector_testing_expect_str(label, p->source_version, detector_testing_json_str(w[i], "sourceVersion"));
	}
	free(w);
}

static json_t *load_expected(const char *dir)
{
	char path[4096];
	json_error_t jerr;
	json_t *j;

	detector_testing_join(path, sizeof(path), dir, "expected.json");
	j = json_load_file(path, 0, &jerr);
	if (!j)
		fail_msg("%s: %s", path, jerr.text);
	return j;
}

/* ---- paths -------------------------------------------------------------- */

static void test_match(void **state)
{
	static const char *const ours[] = { "var/lib/dpkg/status", "var/lib/dpkg/status.d/libc6",
					    "var/lib/dpkg/status.d/libluajit5.1-dev", "var/lib/dpkg/status.d/base" };
	static const char *const others[] = {
		"var/lib/dpkg/status-old", "var/lib/dpkg/status.d/libc6.md5sums", "var/lib/dpkg/status.d/x.preinst",
		"var/lib/dpkg/status.d/x.list", "var/lib/dpkg/status.d/.hidden", "var/lib/dpkg/status.d/",
		"var/lib/dpkg/status.d/sub/x", "var/lib/dpkg/available", "x/var/lib/dpkg/status",
		"var/lib/dpkg/statusx", "var/lib/dpkg/info/libc6.list", "",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		if (!detector_dpkg.match(ours[i], strlen(ours[i]), 0644))
			fail_msg("%s should match", ours[i]);
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (detector_dpkg.match(others[i], strlen(others[i]), 0644))
			fail_msg("%s should not match", others[i]);
	assert_string_equal(detector_dpkg.name, "dpkg");
	assert_int_equal(detector_dpkg.max_file_bytes, 64u * 1024 * 1024);
}

/* ---- fixtures ----------------------------------------------------------- */

static void check_status_fixture(const char *name, size_t count)
{
	char rel[512], dir[4096], path[4096];
	struct scan_out out;
	unsigned char *data;
	json_t *expected;
	size_t len, i;

	snprintf(rel, sizeof(rel), "fixtures/os-pkgdb/dpkg/%s", name);
	testing_shared_path(dir, sizeof(dir), rel);
	detector_testing_join(path, sizeof(path), dir, "var/lib/dpkg/status");
	data = testing_read_file(path, &len);
	assert_non_null(data);
	expected = load_expected(dir);
	memset(&out, 0, sizeof(out));
	scan_bytes(&out, "var/lib/dpkg/status", data, len);
	assert_int_equal(json_array_size(json_object_get(expected, "packages")), count);
	compare(name, &out, json_object_get(expected, "packages"), 1);
	for (i = 0; i < out.pkgs.count; i++)
		check_common(&out.pkgs.items[i], "var/lib/dpkg/status");
	/* Real databases read cleanly. */
	if (out.note_count)
		fail_msg("%s: unexpected note: %s", name, out.notes[0]);
	scan_out_free(&out);
	json_decref(expected);
	free(data);
}

static void test_bookworm_minbase(void **state)
{
	(void)state;
	check_status_fixture("debian-bookworm-mmdebstrap-minbase", 96);
}

static void test_claircore_debian_only(void **state)
{
	(void)state;
	check_status_fixture("claircore-debian-only", 1);
}

static void test_claircore_texlive(void **state)
{
	(void)state;
	check_status_fixture("claircore-texlive", 357);
}

static void test_trivy_third_party(void **state)
{
	(void)state;
	check_status_fixture("trivy-third-party", 2);
}

static void test_syft_distroless(void **state)
{
	char walk_root[4096];
	struct scan_out walk_out;
	size_t walk_matched, walk_skipped;
	struct pkg *p;
	json_t *expected;

	(void)state;
	testing_shared_path(walk_root, sizeof(walk_root), "fixtures/os-pkgdb/dpkg/syft-distroless-deb");
	/* Every file under var/lib/dpkg/status.d the detector claims. */
	detector_testing_walk(&walk_out, &detector_dpkg, walk_root, &walk_matched, &walk_skipped);
	/* libsqlite3-0 is read; libsqlite3-0.md5sums, copyright, expected.json are not. */
	assert_int_equal(walk_matched, 1);
	assert_int_equal(walk_skipped, 3);
	expected = load_expected(walk_root);
	compare("syft-distroless-deb", &walk_out, json_object_get(expected, "packages"), 0);
	p = &walk_out.pkgs.items[0];
	check_common(p, "var/lib/dpkg/status.d/libsqlite3-0");
	detector_testing_expect_str("purl", p->purl, "pkg:deb/debian/libsqlite3-0@3.34.1-3?arch=arm64");
	detector_testing_expect_str("repository_hint", p->repository_hint, NULL);
	assert_int_equal(walk_out.note_count, 0);
	scan_out_free(&walk_out);
	json_decref(expected);
}

static void test_syft_status_d_cases(void **state)
{
	char dir[4096], path[4096], rel[512];
	json_t *expected, *cases, *want;
	const char *name;
	size_t checked = 0, i;

	(void)state;
	testing_shared_path(dir, sizeof(dir), "fixtures/os-pkgdb/dpkg/syft-status.d-cases");
	expected = load_expected(dir);
	cases = json_object_get(expected, "cases");
	assert_true(json_object_size(cases) >= 9);
	json_object_foreach(cases, name, want) {
		struct scan_out out;
		unsigned char *data;
		size_t len;

		snprintf(rel, sizeof(rel), "var/lib/dpkg/status.d/%s", name);
		assert_true(detector_dpkg.match(rel, strlen(rel), 0644));
		detector_testing_join(path, sizeof(path), dir, rel);
		data = testing_read_file(path, &len);
		assert_non_null(data);
		memset(&out, 0, sizeof(out));
		scan_bytes(&out, rel, data, len);
		compare(name, &out, want, 0);
		for (i = 0; i < out.pkgs.count; i++)
			check_common(&out.pkgs.items[i], rel);
		if (strcmp(name, "corrupt") == 0)
			assert_true(detector_testing_has_note(&out, "malformed lines"));
		if (strcmp(name, "coreutils-relationships") == 0) {
			/* An epoch keeps its colon; "+" is percent-encoded. */
			for (i = 0; i < out.pkgs.count; i++)
				if (strcmp(out.pkgs.items[i].name, "libgmp10") == 0)
					detector_testing_expect_str("purl", out.pkgs.items[i].purl,
						   "pkg:deb/debian/libgmp10@2:6.2.1%2Bdfsg1-1.1?arch=arm64");
		}
		if (strcmp(name, "doc-examples") == 0)
			/* No Version and no Architecture: neither in the purl. */
			detector_testing_expect_str("purl", out.pkgs.items[5].purl, "pkg:deb/debian/made-up-package-5");
		scan_out_free(&out);
		free(data);
		checked++;
	}
	assert_int_equal(checked, json_object_size(cases));
	json_decref(expected);
}

/* ---- hostile files ------------------------------------------------------- */

struct want_pkg {
	const char *name, *version, *arch, *source_name, *source_version;
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
		detector_testing_expect_str(want[i].name, p->source_version, want[i].source_version);
	}
}

static void test_hostile_status(void **state)
{
	static const struct want_pkg want[] = {
		/* Held and marked-for-removal packages are still installed. */
		{ "held", "1.0-1", "amd64", "held", "1.0-1" },
		{ "marked-for-removal", "1.0-1", "all", "marked-for-removal", "1.0-1" },
		/* Unpacked, not yet configured: the files are on disk. */
		{ "unpacked", "2.0", NULL, "unpacked", "2.0" },
		{ "pending", "2.1", NULL, "pending", "2.1" },
		{ "dup-fields", "1.0", "amd64", "dup-fields", "1.0" },
		{ "lost-blank", "1", NULL, "lost-blank", "1" },
		{ "after-lost-blank", "2", NULL, "after-lost-blank", "2" },
		{ "src-with-version", "1.2-3+b1", NULL, "srcpkg", "1.2-3" },
		{ "src-malformed", "1.0", NULL, "src-malformed", "1.0" },
		/* Field names are case-insensitive. */
		{ "lower-case-fields", "3:1.0~rc1-2", "arm64", "lc", "3:1.0~rc1-2" },
		{ "badarch", "1", NULL, "badarch", "1" },
		{ "after-whitespace-line", "7", NULL, "after-whitespace-line", "7" },
	};
	static const char *const notes[] = {
		"package spaced-version (line 30) has a Version dpkg does not allow",
		"package bad-epoch (line 34) has a Version dpkg does not allow",
		"package no-status (line 52) has no Status field",
		"package bad-status (line 55) has a malformed Status",
		"package weird-status (line 59) has a malformed Status",
		"package src-malformed (line 68) has a malformed Source",
		"stanza at line 79: the package name has characters dpkg does not allow",
		"package badarch (line 83) has a malformed Architecture",
		"2 malformed lines ignored (the first at line 48)",
		"2 repeated fields ignored, the first value kept (the first at line 41)",
	};
	struct scan_out out;
	unsigned char *data;
	size_t len, i;

	(void)state;
	data = detector_testing_read_testdata("dpkg", "status-hostile", &len);
	memset(&out, 0, sizeof(out));
	scan_bytes(&out, "var/lib/dpkg/status", data, len);
	compare_list("status-hostile", &out, want, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(notes) / sizeof(notes[0]); i++)
		if (!detector_testing_has_note(&out, notes[i]))
			fail_msg("missing note: %s", notes[i]);
	/* Nothing else is noted: removed, half-installed and never-installed
	 * packages are simply not there. */
	assert_int_equal(out.note_count, sizeof(notes) / sizeof(notes[0]));
	scan_out_free(&out);
	free(data);
}

/* Fuzzing finding: an absent field was duplicated from a NULL pointer
 * (strndup(NULL, 0), undefined behaviour that UBSan reports). Absent
 * fields come out as "". */
static void test_absent_fields(void **state)
{
	static const char text[] = "Package: bare\n";
	struct scan_out out;
	const struct pkg *p;

	(void)state;
	memset(&out, 0, sizeof(out));
	scan_bytes(&out, "var/lib/dpkg/status.d/bare", text, sizeof(text) - 1);
	assert_int_equal(out.pkgs.count, 1);
	p = &out.pkgs.items[0];
	assert_string_equal(p->name, "bare");
	assert_string_equal(p->version, "");
	assert_string_equal(p->arch, "");
	assert_string_equal(p->source_name, "bare");
	assert_string_equal(p->source_version, "");
	assert_string_equal(p->purl, "pkg:deb/debian/bare");
	scan_out_free(&out);
}

static void test_status_d_without_status(void **state)
{
	static const char text[] = "Package: distroless-pkg\nVersion: 1.0\nArchitecture: amd64\n";
	struct scan_out out;

	(void)state;
	/* status.d entries need no Status; in the status file one is required. */
	memset(&out, 0, sizeof(out));
	scan_bytes(&out, "var/lib/dpkg/status.d/distroless-pkg", text, sizeof(text) - 1);
	assert_int_equal(out.pkgs.count, 1);
	detector_testing_expect_str("db", out.pkgs.items[0].package_db, "var/lib/dpkg/status.d/distroless-pkg");
	scan_out_free(&out);
	memset(&out, 0, sizeof(out));
	scan_bytes(&out, "var/lib/dpkg/status", text, sizeof(text) - 1);
	assert_int_equal(out.pkgs.count, 0);
	assert_true(detector_testing_has_note(&out, "no Status field"));
	scan_out_free(&out);
}

static void test_bytes(void **state)
{
	static const struct want_pkg want[] = {
		/* Non-UTF-8 in fields that are not kept does not matter. */
		{ "utf8-maintainer", "1.0", NULL, "utf8-maintainer", "1.0" },
	};
	struct scan_out out;
	unsigned char *data;
	size_t len;

	(void)state;
	data = detector_testing_read_testdata("dpkg", "status-bytes", &len);
	memset(&out, 0, sizeof(out));
	scan_bytes(&out, "var/lib/dpkg/status", data, len);
	compare_list("status-bytes", &out, want, 1);
	assert_true(detector_testing_has_note(&out, "stanza at line 1: the package name has characters dpkg does not allow"));
	assert_true(detector_testing_has_note(&out, "package utf8-version (line 12) has a Version dpkg does not allow"));
	assert_true(detector_testing_has_note(&out, "package nul-version (line 16) has a Version dpkg does not allow"));
	scan_out_free(&out);
	free(data);
}

static void test_line_endings(void **state)
{
	static const struct want_pkg want[] = {
		{ "a", "1:2.3-4", "amd64", "asrc", "1:2.3-4" },
		{ "b", "5", NULL, "b", "5" },
	};
	static const char *const files[] = { "status-cr-only", "status-crlf" };
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct scan_out out;
		unsigned char *data;
		size_t len;

		data = detector_testing_read_testdata("dpkg", files[i], &len);
		memset(&out, 0, sizeof(out));
		scan_bytes(&out, "var/lib/dpkg/status", data, len);
		compare_list(files[i], &out, want, 2);
		detector_testing_expect_str("purl", out.pkgs.items[0].purl, "pkg:deb/debian/a@1:2.3-4?arch=amd64");
		assert_int_equal(out.note_count, 0);
		scan_out_free(&out);
		free(data);
	}
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void test_huge_line(void **state)
{
	size_t big = 10u * 1024 * 1024;
	unsigned char *data = malloc(big);
	struct scan_out out;

	(void)state;
	assert_non_null(data);
	/* One 10 MB line without a colon, and one that is a 10 MB Version. */
	memset(data, 'A', big);
	memset(&out, 0, sizeof(out));
	scan_bytes(&out, "var/lib/dpkg/status", data, big);
	assert_int_equal(out.pkgs.count, 0);
	assert_true(detector_testing_has_note(&out, "1 malformed lines"));
	scan_out_free(&out);

	memcpy(data, "Package: x\nStatus: install ok installed\nVersion: ", 49);
	memset(&out, 0, sizeof(out));
	scan_bytes(&out, "var/lib/dpkg/status.d/x", data, big);
	assert_int_equal(out.pkgs.count, 0);
	assert_true(detector_testing_has_note(&out, "package x (line 1) has a Version dpkg does not allow"));
	scan_out_free(&out);

	/* The longest version still taken. */
	memset(data + 49, '1', 1024);
	memcpy(data + 49 + 1024, "\n", 1);
	memset(&out, 0, sizeof(out));
	scan_bytes(&out, "var/lib/dpkg/status.d/x", data, 49 + 1024 + 1);
	assert_int_equal(out.pkgs.count, 1);
	assert_int_equal(strlen(out.pkgs.items[0].version), 1024);
	scan_out_free(&out);
	free(data);
}

static void test_continuation_flood(void **state)
{
	static const char head[] = "Package: big\nStatus: install ok installed\nVersion: 1\nDescription: x\n";
	static const char tail[] = "Architecture: amd64\n";
	size_t lines = 100000, len = sizeof(head) - 1 + lines * 6 + sizeof(tail) - 1, i;
	char *data = malloc(len), *p = data;
	struct timespec start;
	struct scan_out out;

	(void)state;
	assert_non_null(data);
	memcpy(p, head, sizeof(head) - 1);
	p += sizeof(head) - 1;
	for (i = 0; i < lines; i++, p += 6)
		memcpy(p, " line\n", 6);
	memcpy(p, tail, sizeof(tail) - 1);
	clock_gettime(CLOCK_MONOTONIC, &start);
	memset(&out, 0, sizeof(out));
	scan_bytes(&out, "var/lib/dpkg/status", data, len);
	assert_true(seconds_since(&start) < 2.0);
	assert_int_equal(out.pkgs.count, 1);
	/* The field after the long one is still read. */
	detector_testing_expect_str("arch", out.pkgs.items[0].arch, "amd64");
	assert_int_equal(out.note_count, 0);
	scan_out_free(&out);
	free(data);
}

static void test_package_cap(void **state)
{
	static const char stanza[] = "Package: a\nStatus: install ok installed\n\n";
	size_t n = 200100, len = n * (sizeof(stanza) - 1), i;
	char *data = malloc(len);
	struct scan_out out;

	(void)state;
	assert_non_null(data);
	for (i = 0; i < n; i++)
		memcpy(data + i * (sizeof(stanza) - 1), stanza, sizeof(stanza) - 1);
	memset(&out, 0, sizeof(out));
	scan_bytes(&out, "var/lib/dpkg/status", data, len);
	assert_int_equal(out.pkgs.count, 200000);
	assert_true(detector_testing_has_note(&out, "more than 200000 packages"));
	scan_out_free(&out);
	free(data);
}

static void test_oversize_and_empty(void **state)
{
	struct scan_out out;

	(void)state;
	memset(&out, 0, sizeof(out));
	scan_bytes(&out, "var/lib/dpkg/status", "", 0);
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 0);
	scan_bytes(&out, "var/lib/dpkg/status", "\n\n \n\t\n", 6);
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 0);
	/* scan() refuses what the walker would never pass it. */
	scan_bytes(&out, "var/lib/dpkg/status", "", (size_t)detector_dpkg.max_file_bytes + 1);
	assert_true(detector_testing_has_note(&out, "over the"));
	scan_out_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_bookworm_minbase),
		cmocka_unit_test(test_claircore_debian_only),
		cmocka_unit_test(test_claircore_texlive),
		cmocka_unit_test(test_trivy_third_party),
		cmocka_unit_test(test_syft_distroless),
		cmocka_unit_test(test_syft_status_d_cases),
		cmocka_unit_test(test_hostile_status),
		cmocka_unit_test(test_absent_fields),
		cmocka_unit_test(test_status_d_without_status),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_line_endings),
		cmocka_unit_test(test_huge_line),
		cmocka_unit_test(test_continuation_flood),
		cmocka_unit_test(test_package_cap),
		cmocka_unit_test(test_oversize_and_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
