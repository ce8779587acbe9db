/*
 * rpm_test.c - the rpm detector end to end: every rpm fixture in
 * ../shared/fixtures/os-pkgdb/rpm against its expected.json (name, epoch,
 * version, release, arch, source rpm, module), the BerkeleyDB copy of the
 * mariner database against the SQLite original, the generated big-endian and
 * odd-page-size BerkeleyDB files, path matching, and the output conventions
 * (version string, source split, purl, repository hint, skipped entries).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "detectors/rpmdb.h"
#include "detectors/rpmtest.h"

static void scan_fixture(struct scan_out *out, const char *relative, const char *image_path)
{
	char path[1024];
	unsigned char *data;
	size_t len;

	rpmtest_fixture(path, sizeof(path), relative);
	data = testing_read_file(path, &len);
	assert_non_null(data);
	assert_true(len <= detector_rpm.max_file_bytes);
	assert_int_equal(detector_rpm.scan(out, image_path, data, len), ASEC_OK);
	free(data);
}

static void check_against_expected(const struct scan_out *out, const char *expected_rel, size_t want_count)
{
	char path[1024];
	json_t *expected;

	rpmtest_fixture(path, sizeof(path), expected_rel);
	expected = rpmtest_load_expected(path);
	assert_non_null(expected);
	assert_int_equal(json_array_size(expected), want_count);
	assert_int_equal(out->pkgs.count, want_count);
	assert_int_equal(rpmtest_compare(&out->pkgs, expected, NULL), 0);
	json_decref(expected);
}

static void test_match(void **state)
{
	static const struct {
		const char *path;
		int want;
	} cases[] = {
		{"var/lib/rpm/Packages", 1},
		{"var/lib/rpm/Packages.db", 1},
		{"var/lib/rpm/rpmdb.sqlite", 1},
		{"usr/lib/sysimage/rpm/Packages", 1},
		{"usr/lib/sysimage/rpm/Packages.db", 1},
		{"usr/lib/sysimage/rpm/rpmdb.sqlite", 1},
		{"usr/share/rpm/rpmdb.sqlite", 1},
		{"var/lib/rpm/Packages.bak", 0},
		{"var/lib/rpm/rpmdb.sqlite-wal", 0},
		{"var/lib/rpm/Name", 0},
		{"var/lib/rpm/", 0},
		{"var/lib/rpmPackages", 0},
		{"opt/chroot/var/lib/rpm/Packages", 0},
		{"xvar/lib/rpm/Packages", 0},
		{"var/lib/dpkg/status", 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (detector_rpm.match(cases[i].path, strlen(cases[i].path), 0644) != cases[i].want)
			fail_msg("match(%s) != %d", cases[i].path, cases[i].want);
	}
	assert_string_equal(detector_rpm.name, "rpm");
	assert_int_equal(detector_rpm.max_file_bytes, (size_t)256 << 20);
}

static void test_bdb_libuuid(void **state)
{
	struct scan_out out = {0};
	const struct pkg *p;

	(void)state;
	scan_fixture(&out, "go-rpmdb-libuuid/var/lib/rpm/Packages", "var/lib/rpm/Packages");
	check_against_expected(&out, "go-rpmdb-libuuid/expected.json", 1);
	/* Record 0 (rpm's counter) is skipped silently. */
	assert_int_equal(out.note_count, 0);
	p = &out.pkgs.items[0];
	assert_string_equal(p->version, "2.32.1-42.el8_8");
	assert_string_equal(p->source_name, "util-linux");
	assert_string_equal(p->source_version, "2.32.1-42.el8_8");
	assert_string_equal(p->kind, "binary");
	assert_string_equal(p->ecosystem, "rpm");
	assert_string_equal(p->package_db, "var/lib/rpm/Packages");
	assert_string_equal(p->purl, "pkg:rpm/redhat/libuuid@2.32.1-42.el8_8?arch=x86_64");
	/* Red Hat release key 2 (fd431d51) signed it; v3 signature packet. */
	assert_string_equal(p->repository_hint,
			    "hash=sha256%3A198093d09721905040d6dbc1fda8250bce0873cda51290857b7a55e727e904e2"
			    "&key=199e2f91fd431d51&vendor=Red+Hat%2C+Inc.");
	assert_null(p->module);
	scan_out_free(&out);
}

static void test_sqlite_mariner(void **state)
{
	struct scan_out out = {0};
	const struct pkg *p;

	(void)state;
	scan_fixture(&out, "go-rpmdb-cbl-mariner-2.0/var/lib/rpm/rpmdb.sqlite", "var/lib/rpm/rpmdb.sqlite");
	check_against_expected(&out, "go-rpmdb-cbl-mariner-2.0/expected.json", 129);
	assert_int_equal(out.note_count, 0);
	p = rpmtest_find(&out.pkgs, "ca-certificates-base");
	assert_non_null(p);
	assert_string_equal(p->version, "1:2.0.0-1.cm2");
	assert_string_equal(p->source_name, "ca-certificates");
	assert_string_equal(p->source_version, "2.0.0-1.cm2");
	/* Microsoft is not a purl namespace we guess; epoch is a qualifier. */
	assert_string_equal(p->purl, "pkg:rpm/ca-certificates-base@2.0.0-1.cm2?arch=noarch&epoch=1");
	p = rpmtest_find(&out.pkgs, "mariner-release");
	assert_non_null(p);
	/* v4 signature, issuer in the unhashed subpackets */
	assert_non_null(strstr(p->repository_hint, "&key=0cd9fed33135ce90&"));
	scan_out_free(&out);
}

static void test_ndb_sle15(void **state)
{
	struct scan_out out = {0};
	const struct pkg *p;

	(void)state;
	scan_fixture(&out, "go-rpmdb-sle15-bci/var/lib/rpm/Packages.db", "usr/lib/sysimage/rpm/Packages.db");
	check_against_expected(&out, "go-rpmdb-sle15-bci/expected.json", 35);
	assert_int_equal(out.note_count, 0);
	p = rpmtest_find(&out.pkgs, "libstdc++6");
	assert_non_null(p);
	assert_string_equal(p->package_db, "usr/lib/sysimage/rpm/Packages.db");
	assert_string_equal(p->source_name, "gcc11");
	/* '+' is percent-encoded in purl names and versions */
	assert_string_equal(p->purl, "pkg:rpm/suse/libstdc%2B%2B6@11.2.1%2Bgit610-1.3.9?arch=x86_64");
	scan_out_free(&out);
}

/* The derived BerkeleyDB holds the same 129 headers as the SQLite file:
 * every field of every package must come out the same. */
static void test_bdb_equals_sqlite(void **state)
{
	struct scan_out bdb = {0}, sql = {0};
	char **a, **b;
	size_t i;

	(void)state;
	scan_fixture(&bdb, "derived-cbl-mariner-2.0-as-bdb/var/lib/rpm/Packages", "var/lib/rpm/x");
	scan_fixture(&sql, "go-rpmdb-cbl-mariner-2.0/var/lib/rpm/rpmdb.sqlite", "var/lib/rpm/x");
	check_against_expected(&bdb, "derived-cbl-mariner-2.0-as-bdb/expected.json", 129);
	assert_int_equal(bdb.note_count, 0);
	assert_int_equal(bdb.pkgs.count, sql.pkgs.count);
	a = calloc(bdb.pkgs.count, sizeof(*a));
	b = calloc(sql.pkgs.count, sizeof(*b));
	assert_non_null(a);
	assert_non_null(b);
	for (i = 0; i < bdb.pkgs.count; i++) {
		const struct pkg *x = &bdb.pkgs.items[i], *y = &sql.pkgs.items[i];

		assert_true(asprintf(&a[i], "%s|%s|%s|%s|%s|%s|%s", x->name, x->version, x->arch, x->source_name,
				     x->source_version, x->purl, x->repository_hint) > 0);
		assert_true(asprintf(&b[i], "%s|%s|%s|%s|%s|%s|%s", y->name, y->version, y->arch, y->source_name,
				     y->source_version, y->purl, y->repository_hint) > 0);
	}
	assert_int_equal(rpmtest_diff_keys(a, bdb.pkgs.count, b, sql.pkgs.count), 0);
	scan_out_free(&bdb);
	scan_out_free(&sql);
}

static void test_empty_sqlite(void **state)
{
	struct scan_out out = {0};

	(void)state;
	scan_fixture(&out, "claircore-empty-sqlite/var/lib/rpm/rpmdb.sqlite", "var/lib/rpm/rpmdb.sqlite");
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 1);
	assert_non_null(strstr(out.notes[0], "no Packages table"));
	scan_out_free(&out);
}

/* claircore's raw header (Fedora 34 crypto-policies). The values were read
 * with an independent script, not with this parser. */
static void test_single_header(void **state)
{
	struct scan_out out = {0};
	char path[1024];
	unsigned char *data;
	size_t len;
	const struct pkg *p;

	(void)state;
	rpmtest_fixture(path, sizeof(path), "claircore-single-header/package.header");
	data = testing_read_file(path, &len);
	assert_non_null(data);
	assert_int_equal(rpm_add_header(&out, "package.header", data, len), ASEC_OK);
	assert_int_equal(out.pkgs.count, 1);
	p = &out.pkgs.items[0];
	assert_string_equal(p->name, "crypto-policies");
	assert_string_equal(p->version, "20210213-1.git5c710c0.fc34");
	assert_string_equal(p->arch, "noarch");
	assert_string_equal(p->source_name, "crypto-policies");
	assert_string_equal(p->source_version, "20210213-1.git5c710c0.fc34");
	assert_string_equal(p->purl, "pkg:rpm/fedora/crypto-policies@20210213-1.git5c710c0.fc34?arch=noarch");
	/* Fedora 34 key 45719a39: issuer fingerprint subpacket, hashed area */
	assert_string_equal(p->repository_hint,
			    "hash=sha256%3A096014c6afe8188778cdf490444f370e34f907224854b8979b672f5440de1005"
			    "&key=1161ae6945719a39&vendor=Fedora+Project");
	/* The detector on a bare header (no database around it) only notes. */
	scan_out_free(&out);
	assert_int_equal(detector_rpm.scan(&out, "var/lib/rpm/Packages", data, len), ASEC_OK);
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 1);
	scan_out_free(&out);
	free(data);
}

/* BerkeleyDB files written by db5.3_load from the same headers (see
 * testdata/rpm/README.md): big-endian 64 KiB pages (inline and overflow
 * items), big-endian 16 KiB and little-endian 512-byte pages. The expected
 * packages come from the fixtures' expected.json files. */
static void check_six(const char *name)
{
	static const char *const mariner_names[] = {"zstd-devel", "popt-devel", "zstd-libs", "ca-certificates-base",
						    "libssh2", NULL};
	struct scan_out out = {0};
	char path[1024], exp_path[1024];
	unsigned char *data;
	size_t len;
	json_t *mariner, *libuuid;
	struct pkg_list first = {0}, rest = {0};
	size_t i;

	rpmtest_fixture(exp_path, sizeof(exp_path), "go-rpmdb-cbl-mariner-2.0/expected.json");
	mariner = rpmtest_load_expected(exp_path);
	rpmtest_fixture(exp_path, sizeof(exp_path), "go-rpmdb-libuuid/expected.json");
	libuuid = rpmtest_load_expected(exp_path);
	assert_non_null(mariner);
	assert_non_null(libuuid);

	data = rpmtest_read_gz(rpmtest_testdata(path, sizeof(path), name), &len);
	if (!data)
		fail_msg("cannot read %s", path);
	assert_true(rpmdb_sniff(data, len) == RPMDB_BDB);
	assert_int_equal(detector_rpm.scan(&out, "var/lib/rpm/Packages", data, len), ASEC_OK);
	assert_int_equal(out.note_count, 0);
	assert_int_equal(out.pkgs.count, 6);
	/* split the output: libuuid vs the five mariner packages */
	for (i = 0; i < out.pkgs.count; i++)
		assert_int_equal(pkg_list_add(strcmp(out.pkgs.items[i].name, "libuuid") == 0 ? &first : &rest,
					      &out.pkgs.items[i]),
				 ASEC_OK);
	assert_int_equal(rpmtest_compare(&first, libuuid, NULL), 0);
	assert_int_equal(rpmtest_compare(&rest, mariner, mariner_names), 0);
	pkg_list_free(&first);
	pkg_list_free(&rest);
	json_decref(mariner);
	json_decref(libuuid);
	scan_out_free(&out);
	free(data);
}

static void test_bdb_64k_big_endian(void **state)
{
	(void)state;
	check_six("six-64k-be.Packages.gz");
}

static void test_bdb_16k_big_endian(void **state)
{
	(void)state;
	check_six("six-16k-be.Packages.gz");
}

static void test_bdb_512_little_endian(void **state)
{
	(void)state;
	check_six("six-512-le.Packages.gz");
}

static void add(struct scan_out *out, struct rpmtest_hdr *h)
{
	size_t len;
	unsigned char *blob = rpmtest_hdr_blob(h, 1, &len);

	assert_non_null(blob);
	assert_int_equal(rpm_add_header(out, "var/lib/rpm/rpmdb.sqlite", blob, len), ASEC_OK);
	free(blob);
}

static void test_conventions(void **state)
{
	struct scan_out out = {0};
	struct rpmtest_hdr *h = calloc(1, sizeof(*h));
	const struct pkg *p;

	(void)state;
	assert_non_null(h);

	/* gpg-pubkey is a key, not a package */
	memset(h, 0, sizeof(*h));
	rpmtest_hdr_string(h, 1000, "gpg-pubkey");
	rpmtest_hdr_string(h, 1001, "fd431d51");
	rpmtest_hdr_string(h, 1002, "4ae0493b");
	add(&out, h);
	/* a source package header (SOURCEPACKAGE set) is not installed content */
	rpmtest_hdr_basic(h, "srcpkg");
	rpmtest_hdr_int32(h, 1106, 1);
	add(&out, h);
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 0);

	/* epoch 0 is written as no epoch; module is name:stream */
	rpmtest_hdr_basic(h, "nodejs");
	rpmtest_hdr_int32(h, 1003, 0);
	rpmtest_hdr_string(h, 5096, "nodejs:18:8080020230825123456:63b34585");
	add(&out, h);
	p = rpmtest_find(&out.pkgs, "nodejs");
	assert_non_null(p);
	assert_string_equal(p->version, "1.0-1.el9");
	assert_string_equal(p->module, "nodejs:18");
	assert_string_equal(p->purl, "pkg:rpm/redhat/nodejs@1.0-1.el9?arch=x86_64");
	assert_string_equal(p->repository_hint, "vendor=Red+Hat%2C+Inc.");

	/* a two-part label is not a module stream (claircore agrees) */
	rpmtest_hdr_basic(h, "twopart");
	rpmtest_hdr_string(h, 5096, "a:b");
	add(&out, h);
	assert_null(rpmtest_find(&out.pkgs, "twopart")->module);

	/* names with dashes and a release without one: split from the right */
	memset(h, 0, sizeof(*h));
	rpmtest_hdr_string(h, 1000, "python3-libs");
	rpmtest_hdr_string(h, 1001, "3.9.18");
	rpmtest_hdr_string(h, 1002, "1.el9_3.1");
	rpmtest_hdr_int32(h, 1003, 2);
	rpmtest_hdr_string(h, 1044, "python-3-x-3.9.18-1.el9_3.1.src.rpm");
	add(&out, h);
	p = rpmtest_find(&out.pkgs, "python3-libs");
	assert_string_equal(p->version, "2:3.9.18-1.el9_3.1");
	assert_string_equal(p->source_name, "python-3-x");
	assert_string_equal(p->source_version, "3.9.18-1.el9_3.1");
	/* no arch and no vendor: no qualifier but the epoch, no namespace */
	assert_string_equal(p->purl, "pkg:rpm/python3-libs@3.9.18-1.el9_3.1?epoch=2");
	assert_null(p->arch);

	/* a malformed source rpm is a note; the package stays */
	memset(h, 0, sizeof(*h));
	rpmtest_hdr_string(h, 1000, "badsrc");
	rpmtest_hdr_string(h, 1001, "1");
	rpmtest_hdr_string(h, 1002, "2");
	rpmtest_hdr_string(h, 1044, "nodashes.src.rpm");
	add(&out, h);
	p = rpmtest_find(&out.pkgs, "badsrc");
	assert_non_null(p);
	assert_null(p->source_name);
	assert_int_equal(out.note_count, 1);

	/* hostile bytes in strings come out as '?' (valid UTF-8 is kept) */
	memset(h, 0, sizeof(*h));
	rpmtest_hdr_string(h, 1000, "evil\n\x1b[31m\xff\xc3\xa9");
	rpmtest_hdr_string(h, 1001, "1");
	rpmtest_hdr_string(h, 1011, "Vendor \xe2\x82");
	add(&out, h);
	p = &out.pkgs.items[out.pkgs.count - 1];
	assert_string_equal(p->name, "evil??[31m?\xc3\xa9");
	assert_string_equal(p->purl, "pkg:rpm/evil%3F%3F%5B31m%3F%C3%A9@1");
	assert_string_equal(p->repository_hint, "vendor=Vendor+%3F%3F");

	/* a header without VERSION is skipped with a note */
	memset(h, 0, sizeof(*h));
	rpmtest_hdr_string(h, 1000, "noversion");
	add(&out, h);
	assert_null(rpmtest_find(&out.pkgs, "noversion"));
	assert_int_equal(out.note_count, 2);

	free(h);
	scan_out_free(&out);
}

static void test_not_a_database(void **state)
{
	struct scan_out out = {0};
	static const unsigned char junk[] = "this is not an rpm database at all, just text";

	(void)state;
	assert_int_equal(detector_rpm.scan(&out, "var/lib/rpm/Packages", junk, sizeof(junk)), ASEC_OK);
	assert_int_equal(detector_rpm.scan(&out, "var/lib/rpm/Packages", junk, 0), ASEC_OK);
	assert_int_equal(out.pkgs.count, 0);
	assert_int_equal(out.note_count, 2);
	assert_non_null(strstr(out.notes[0], "not an rpm database"));
	scan_out_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_bdb_libuuid),
		cmocka_unit_test(test_sqlite_mariner),
		cmocka_unit_test(test_ndb_sle15),
		cmocka_unit_test(test_bdb_equals_sqlite),
		cmocka_unit_test(test_empty_sqlite),
		cmocka_unit_test(test_single_header),
		cmocka_unit_test(test_bdb_64k_big_endian),
		cmocka_unit_test(test_bdb_16k_big_endian),
		cmocka_unit_test(test_bdb_512_little_endian),
		cmocka_unit_test(test_conventions),
		cmocka_unit_test(test_not_a_database),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
