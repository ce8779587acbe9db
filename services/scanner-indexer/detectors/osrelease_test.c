/*
 * osrelease_test.c - the distribution detector against every os-release and
 * marker file of the shared fixtures (compared with expected-index.json, and
 * with code names and marker results written out here where the index has
 * only raw text), the env-file syntax (quoting, escapes, continuation,
 * comments, CRLF and CR-only files), hostile bytes, and the ranking of
 * several files in one layer, in every order.
 */
#include <ftw.h>

#include "detectors/detector_testing.h"
#include "detectors/osrelease.h"

/* ---- helpers ---------------------------------------------------------- */

static void scan_one(struct scan_out *out, const char *path, const void *data, size_t len)
{
	memset(out, 0, sizeof(*out));
	assert_true(detector_osrelease.match(path, strlen(path), 0644));
	assert_int_equal(detector_osrelease.scan(out, path, data, len), ASEC_OK);
}

/* ---- paths -------------------------------------------------------------- */

static void test_rank_and_match(void **state)
{
	static const char *const ours[] = { "etc/os-release", "usr/lib/os-release", "etc/lsb-release",
					    "etc/alpine-release", "etc/centos-release", "etc/redhat-release",
					    "etc/system-release", "etc/system-release-cpe", "etc/debian_version" };
	static const char *const others[] = { "os-release", "etc/os-release.bak", "x/etc/os-release", "etc/os-release/x",
					      "/etc/os-release", "usr/lib/os-release~", "etc/debian_version.d",
					      "lib/os-release", "" };
	size_t i;

	(void)state;
	/* Strictly decreasing in the documented order: os-release first, markers after. */
	for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
		assert_true(osrelease_path_rank(ours[i]) > 0);
		assert_true(detector_osrelease.match(ours[i], strlen(ours[i]), 0644));
		if (i > 0)
			assert_true(osrelease_path_rank(ours[i - 1]) > osrelease_path_rank(ours[i]));
	}
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		assert_int_equal(osrelease_path_rank(others[i]), 0);
		assert_false(detector_osrelease.match(others[i], strlen(others[i]), 0644));
	}
	assert_int_equal(osrelease_path_rank(NULL), 0);
	assert_int_equal(osrelease_path_rank("etc/os-release"), 100);
	assert_int_equal(osrelease_path_rank("usr/lib/os-release"), 90);
	assert_string_equal(detector_osrelease.name, "os-release");
	assert_int_equal(detector_osrelease.max_file_bytes, 64 * 1024);
}

/* ---- the shared fixtures ------------------------------------------------- */

/* Where the file would sit in an image. syft's fixtures were flattened into
 * names like "syft-os_debian_from-debian_version_etc_debian_version". */
static const char *image_path(const char *key)
{
	static const struct {
		const char *suffix, *path;
	} flat[] = {
		{ "etc/os-release", "etc/os-release" },
		{ "_etc_os-release", "etc/os-release" },
		{ "_usr_lib_os-release", "usr/lib/os-release" },
		{ "_etc_debian_version", "etc/debian_version" },
		{ "_etc_redhat-release", "etc/redhat-release" },
		{ "redhat-release", "etc/redhat-release" },
		{ "_etc_system-release-cpe", "etc/system-release-cpe" },
		{ "system-release-cpe", "etc/system-release-cpe" },
	};
	size_t i, n = strlen(key);

	for (i = 0; i < sizeof(flat) / sizeof(flat[0]); i++) {
		size_t m = strlen(flat[i].suffix);

		if (n >= m && strcmp(key + n - m, flat[i].suffix) == 0)
			return flat[i].path;
	}
	return "etc/os-release"; /* syft-centos-8, syft-debian-8, ...: os-release content */
}

/* Code names derived where the file has no VERSION_CODENAME (claircore and
 * syft derive them from VERSION; distroless writes "Debian GNU/Linux 10 (buster)"). */
static const struct {
	const char *key, *codename;
} derived_codenames[] = {
	{ "claircore-debian-7/etc/os-release", "wheezy" },
	{ "claircore-debian-8/etc/os-release", "jessie" },
	{ "claircore-debian-distroless-9/etc/os-release", "stretch" },
	{ "claircore-debian-distroless-10/etc/os-release", "buster" },
	{ "claircore-debian-distroless-11/etc/os-release", "bullseye" },
	{ "claircore-ubuntu-12.04/etc/os-release", "precise" },
	{ "claircore-ubuntu-14.04/etc/os-release", "trusty" },
	{ "syft-debian-8", "jessie" },
	{ "syft-unprintable", "jessie" },
	{ "syft-os_debian_from-os-release_usr_lib_os-release", "jessie" },
};

/* The marker files, for which the index gives only raw text. NULL did: no
 * distribution may come out of the file. */
static const struct {
	const char *key, *did, *version_id, *version, *codename, *cpe, *pretty;
} markers[] = {
	/* CentOS 5.0 wrote exactly this; syft's regexp wants a minor number and
	 * drops it, here the major alone is a version. */
	{ "syft-bad-redhat-release", "centos", "5", "5 (Final)", NULL, NULL, "CentOS release 5 (Final)" },
	/* vendor "centos", product "6", version "GA": no version in it. */
	{ "syft-bad-system-release-cpe", NULL, NULL, NULL, NULL, NULL, NULL },
	{ "syft-os_almalinux_from-redhat-release_etc_redhat-release", "almalinux", "8.10", "8.10 (Cerulean Leopard)", NULL,
	  NULL, "AlmaLinux release 8.10 (Cerulean Leopard)" },
	{ "syft-os_centos5_etc_redhat-release", "centos", "5", "5.7 (Final)", NULL, NULL, "CentOS release 5.7 (Final)" },
	{ "syft-os_centos6_etc_system-release-cpe", "centos", "6", NULL, NULL, "cpe:/o:centos:linux:6:GA", NULL },
	{ "syft-os_debian_from-debian_version_etc_debian_version", "debian", "10", "10.8", "buster", NULL, NULL },
	{ "syft-os_debian_with-point-release_etc_debian_version", "debian", "13", "13.5", "trixie", NULL, NULL },
	{ "syft-os_empty_etc_os-release", NULL, NULL, NULL, NULL, NULL, NULL },
	{ "syft-os_redhat_from-redhat-release_etc_redhat-release", "rhel", "8.10", "8.10 (Ootpa)", NULL, NULL,
	  "Red Hat Enterprise Linux release 8.10 (Ootpa)" },
	{ "syft-os_rockylinux_from-redhat-release_etc_redhat-release", "rocky", "8.10", "8.10 (Green Obsidian)", NULL, NULL,
	  "Rocky Linux release 8.10 (Green Obsidian)" },
};

static const char *json_field(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void check_marker(const char *key, const struct scan_out *out)
{
	size_t i;

	for (i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
		if (strcmp(markers[i].key, key) != 0)
			continue;
		if (!markers[i].did) {
			assert_null(out->dist);
			/* A file that gives nothing says so. */
			assert_true(out->note_count > 0);
			return;
		}
		if (!out->dist)
			fail_msg("%s: no distribution", key);
		detector_testing_expect_str(key, out->dist->did, markers[i].did);
		detector_testing_expect_str(key, out->dist->version_id, markers[i].version_id);
		detector_testing_expect_str(key, out->dist->version, markers[i].version);
		detector_testing_expect_str(key, out->dist->version_code_name, markers[i].codename);
		detector_testing_expect_str(key, out->dist->cpe, markers[i].cpe);
		detector_testing_expect_str(key, out->dist->pretty_name, markers[i].pretty);
		return;
	}
	fail_msg("%s: raw fixture without an expectation in this test", key);
}

static void check_osrelease(const char *key, json_t *want, const struct scan_out *out)
{
	const char *codename = json_field(want, "VERSION_CODENAME");
	size_t i;

	if (!json_object_get(want, "VERSION_CODENAME")) {
		codename = NULL;
		for (i = 0; i < sizeof(derived_codenames) / sizeof(derived_codenames[0]); i++)
			if (strcmp(derived_codenames[i].key, key) == 0)
				codename = derived_codenames[i].codename;
	}
	if (!out->dist)
		fail_msg("%s: no distribution", key);
	detector_testing_expect_str(key, out->dist->did, json_field(want, "ID"));
	detector_testing_expect_str(key, out->dist->version_id, json_field(want, "VERSION_ID"));
	detector_testing_expect_str(key, out->dist->pretty_name, json_field(want, "PRETTY_NAME"));
	detector_testing_expect_str(key, out->dist->cpe, json_field(want, "CPE_NAME"));
	detector_testing_expect_str(key, out->dist->version_code_name, codename);
	/* Clean files give no notes. */
	if (out->note_count)
		fail_msg("%s: unexpected note: %s", key, out->notes[0]);
}

static size_t tree_files;

static int count_file(const char *fpath, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (type == FTW_F && strcmp(fpath + strlen(fpath) - strlen("expected-index.json"), "expected-index.json") != 0)
		tree_files++;
	return 0;
}

static void test_fixture_index(void **state)
{
	char dir[4096], path[4096];
	json_t *index, *files, *want;
	json_error_t jerr;
	const char *key;
	size_t checked = 0;

	(void)state;
	testing_shared_path(dir, sizeof(dir), "fixtures/os-pkgdb/os-release");
	detector_testing_join(path, sizeof(path), dir, "expected-index.json");
	index = json_load_file(path, 0, &jerr);
	if (!index)
		fail_msg("%s: %s", path, jerr.text);
	files = json_object_get(index, "files");
	assert_true(json_is_object(files));
	json_object_foreach(files, key, want) {
		struct scan_out out;
		unsigned char *data;
		size_t len;

		detector_testing_join(path, sizeof(path), dir, key);
		data = testing_read_file(path, &len);
		if (!data)
			fail_msg("cannot read %s", path);
		scan_one(&out, image_path(key), data, len);
		if (json_object_get(want, "raw"))
			check_marker(key, &out);
		else
			check_osrelease(key, want, &out);
		scan_out_free(&out);
		free(data);
		checked++;
	}
	/* Every file of the fixture folder is in the index, so every one was scanned. */
	tree_files = 0;
	assert_int_equal(nftw(dir, count_file, 16, FTW_PHYS), 0);
	assert_int_equal(checked, tree_files);
	assert_true(checked >= 71);
	json_decref(index);
}

/* A few fields the index does not record, from files read by hand. */
static void test_fixture_other_fields(void **state)
{
	char dir[4096], path[4096];
	struct scan_out out;
	unsigned char *data;
	size_t len;

	(void)state;
	testing_shared_path(dir, sizeof(dir), "fixtures/os-pkgdb/os-release");
	detector_testing_join(path, sizeof(path), dir, "claircore-ubuntu-12.04/etc/os-release");
	data = testing_read_file(path, &len);
	assert_non_null(data);
	scan_one(&out, "etc/os-release", data, len);
	detector_testing_expect_str("name", out.dist->name, "Ubuntu");
	detector_testing_expect_str("version", out.dist->version, "12.04.5 LTS, Precise Pangolin");
	detector_testing_expect_str("arch", out.dist->arch, NULL);
	scan_out_free(&out);
	free(data);

	detector_testing_join(path, sizeof(path), dir, "syft-os_fedora_usr_lib_os-release");
	data = testing_read_file(path, &len);
	assert_non_null(data);
	scan_one(&out, "usr/lib/os-release", data, len);
	detector_testing_expect_str("name", out.dist->name, "Fedora Linux");
	detector_testing_expect_str("version", out.dist->version, "36 (Container Image)");
	/* VERSION_CODENAME="" is "not known", and Fedora gets no derived one. */
	detector_testing_expect_str("codename", out.dist->version_code_name, NULL);
	scan_out_free(&out);
	free(data);
}

/* ---- the env-file syntax ----------------------------------------------- */

static void test_quoting(void **state)
{
	struct scan_out out;
	unsigned char *data;
	size_t len;

	(void)state;
	data = detector_testing_read_testdata("osrelease", "quoting", &len);
	scan_one(&out, "etc/os-release", data, len);
	assert_non_null(out.dist);
	/* The last "ID=" is inside a comment continued by a backslash. */
	detector_testing_expect_str("did", out.dist->did, "debian");
	detector_testing_expect_str("name", out.dist->name, "Debian \"GNU\"/Linux $HOME `x` \\ back\\q");
	detector_testing_expect_str("version", out.dist->version, "12 (book\"worm)");
	detector_testing_expect_str("version_id", out.dist->version_id, "12");
	detector_testing_expect_str("pretty", out.dist->pretty_name, "multiline");
	detector_testing_expect_str("cpe", out.dist->cpe, "cpe:/o:debian:debian_linux:12 x");
	detector_testing_expect_str("codename", out.dist->version_code_name, "bookworm");
	/* "not a key line" and "1BAD=x" */
	assert_true(detector_testing_has_note(&out, "2 lines are not KEY=VALUE"));
	scan_out_free(&out);
	free(data);
}

static void check_jessie(const char *file)
{
	struct scan_out out;
	unsigned char *data;
	size_t len;

	data = detector_testing_read_testdata("osrelease", file, &len);
	scan_one(&out, "usr/lib/os-release", data, len);
	assert_non_null(out.dist);
	detector_testing_expect_str(file, out.dist->did, "debian");
	detector_testing_expect_str(file, out.dist->name, "Debian GNU/Linux");
	detector_testing_expect_str(file, out.dist->version, "8 (jessie)");
	detector_testing_expect_str(file, out.dist->version_id, "8");
	detector_testing_expect_str(file, out.dist->pretty_name, "Debian GNU/Linux 8 (jessie)");
	detector_testing_expect_str(file, out.dist->version_code_name, "jessie");
	assert_int_equal(out.note_count, 0);
	scan_out_free(&out);
	free(data);
}

static void test_line_endings(void **state)
{
	(void)state;
	check_jessie("lf");
	check_jessie("crlf");
	check_jessie("cr-only");
}

static void test_bad_bytes(void **state)
{
	struct scan_out out;
	unsigned char *data;
	size_t len;

	(void)state;
	data = detector_testing_read_testdata("osrelease", "bad-bytes", &len);
	scan_one(&out, "etc/os-release", data, len);
	assert_non_null(out.dist);
	detector_testing_expect_str("did", out.dist->did, "ubuntu");
	detector_testing_expect_str("version_id", out.dist->version_id, "22.04");
	detector_testing_expect_str("codename", out.dist->version_code_name, "jammy");
	/* A NUL, invalid UTF-8 and an escape sequence: dropped, never passed on. */
	detector_testing_expect_str("name", out.dist->name, NULL);
	detector_testing_expect_str("pretty", out.dist->pretty_name, NULL);
	detector_testing_expect_str("version", out.dist->version, NULL);
	assert_true(detector_testing_has_note(&out, "3 values are too long or not clean UTF-8 text"));
	scan_out_free(&out);
	free(data);
}

static void test_unterminated_quote(void **state)
{
	struct scan_out out;
	unsigned char *data;
	size_t len;

	(void)state;
	data = detector_testing_read_testdata("osrelease", "unterminated-quote", &len);
	scan_one(&out, "etc/os-release", data, len);
	detector_testing_expect_str("did", out.dist->did, "alpine");
	detector_testing_expect_str("version_id", out.dist->version_id, "3.18.4");
	/* The open quote ran to the end of the file, newlines and all. */
	detector_testing_expect_str("pretty", out.dist->pretty_name, NULL);
	assert_true(detector_testing_has_note(&out, "not clean UTF-8"));
	scan_out_free(&out);
	free(data);
}

static void test_syntax_cases(void **state)
{
	static const struct {
		const char *text, *key_field, *want;
	} cases[] = {
		{ "ID = ubuntu\n", "did", "ubuntu" },              /* blanks around "=" */
		{ "ID=ubuntu", "did", "ubuntu" },                  /* no final newline */
		{ "ID=a\nID=b\n", "did", "b" },                    /* last wins */
		{ "ID=\"ubu\"ntu\n", "did", "ubuntu" },            /* concatenation */
		{ "ID=ubu\\\nntu\n", "did", "ubuntu" },            /* unquoted continuation */
		{ "ID=ubu\\\r\nntu\r\n", "did", "ubuntu" },        /* CRLF continuation */
		{ "ID='a\\b'\n", "did", "a\\b" },                  /* no escapes in single quotes */
		{ "ID=a\\ b  \n", "did", "a b" },                  /* escaped blank kept, trailing dropped */
		{ "ID=\"a b  \"\n", "did", "a b  " },              /* quoted blanks kept */
		{ "NAME=\"x\" \"y\"\n", "name", "xy" },            /* as systemd: quoted words join */
		{ "; ini-style comment\nID=x\n", "did", "x" },
		{ "ID=\"\\$x\"\n", "did", "$x" },
		{ "\n\n\nID=x\n\n", "did", "x" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scan_out out;
		const char *got;

		scan_one(&out, "etc/os-release", cases[i].text, strlen(cases[i].text));
		if (!out.dist)
			fail_msg("case %zu: no dist", i);
		got = strcmp(cases[i].key_field, "did") == 0 ? out.dist->did : out.dist->name;
		detector_testing_expect_str(cases[i].text, got, cases[i].want);
		scan_out_free(&out);
	}
}

static void test_empty_and_garbage(void **state)
{
	static const unsigned char garbage[] = { 0x7f, 'E', 'L', 'F', 0, 1, 2, '=', 0xff, '\n', '"', 0 };
	struct scan_out out;

	(void)state;
	scan_one(&out, "etc/os-release", "", 0);
	assert_null(out.dist);
	assert_int_equal(out.note_count, 1);
	scan_out_free(&out);

	scan_one(&out, "etc/os-release", garbage, sizeof(garbage));
	assert_null(out.dist);
	assert_true(out.note_count > 0);
	scan_out_free(&out);

	scan_one(&out, "etc/os-release", "# only a comment\n", 17);
	assert_null(out.dist);
	scan_out_free(&out);

	scan_one(&out, "etc/debian_version", "\n\n", 2);
	assert_null(out.dist);
	assert_int_equal(out.note_count, 1);
	scan_out_free(&out);

	scan_one(&out, "etc/alpine-release", "edge\n", 5);
	assert_null(out.dist);
	scan_out_free(&out);

	scan_one(&out, "etc/redhat-release", "Fedora release rawhide\n", 23);
	assert_null(out.dist);
	scan_out_free(&out);
}

static void test_codename_derivation(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		/* From VERSION, for a release no table knows yet. */
		{ "ID=debian\nVERSION=\"16 (newname)\"\nVERSION_ID=16\n", "newname" },
		{ "ID=ubuntu\nVERSION=\"26.04 LTS (Resolute Raccoon)\"\nVERSION_ID=26.04\n", "resolute" },
		{ "ID=ubuntu\nVERSION=\"9.99 LTS, Odd Otter\"\n", "odd" },
		{ "ID=ubuntu\nUBUNTU_CODENAME=noble\nVERSION_ID=24.04\n", "noble" },
		/* Testing and unstable. */
		{ "ID=debian\nPRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\n", "trixie" },
		/* From VERSION_ID alone. */
		{ "ID=debian\nVERSION_ID=\"12\"\n", "bookworm" },
		{ "ID=debian\nVERSION=\"(9 lives)\"\nVERSION_ID=9\n", "stretch" },
		{ "ID=ubuntu\nVERSION_ID=\"18.04\"\n", "bionic" },
		/* VERSION_CODENAME, when there, is taken as it is. */
		{ "ID=debian\nVERSION_CODENAME=Custom\nVERSION_ID=12\n", "Custom" },
		/* Only Debian and Ubuntu are derived; UBUNTU_CODENAME names a derivative's base. */
		{ "ID=linuxmint\nUBUNTU_CODENAME=jammy\nVERSION=\"21 (Vanessa)\"\n", NULL },
		{ "ID=debian\nVERSION_ID=99\n", NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scan_out out;

		scan_one(&out, "etc/os-release", cases[i].text, strlen(cases[i].text));
		assert_non_null(out.dist);
		detector_testing_expect_str(cases[i].text, out.dist->version_code_name, cases[i].want);
		scan_out_free(&out);
	}
}

/* ---- marker files ------------------------------------------------------ */

static void test_markers(void **state)
{
	static const struct {
		const char *path, *text, *did, *version_id, *version, *codename;
	} cases[] = {
		{ "etc/alpine-release", "3.18.4\n", "alpine", "3.18.4", NULL, NULL },
		{ "etc/alpine-release", "3.19_alpha20230901\n", "alpine", "3.19_alpha20230901", NULL, NULL },
		{ "etc/debian_version", "bookworm/sid\n", "debian", NULL, "bookworm/sid", "bookworm" },
		{ "etc/debian_version", "6.0.10\n", "debian", "6", "6.0.10", "squeeze" },
		{ "etc/debian_version", "12.5\r\n", "debian", "12", "12.5", "bookworm" },
		{ "etc/centos-release", "CentOS Linux release 7.9.2009 (Core)\n", "centos", "7", "7.9.2009 (Core)", NULL },
		{ "etc/centos-release", "CentOS Stream release 9\n", "centos", "9", "9", NULL },
		{ "etc/redhat-release", "Red Hat Enterprise Linux Server release 7.9 (Maipo)\n", "rhel", "7.9",
		  "7.9 (Maipo)", NULL },
		{ "etc/system-release", "Amazon Linux release 2 (Karoo)\n", "amzn", "2", "2 (Karoo)", NULL },
		{ "etc/system-release", "Amazon Linux release 2023.4.20240611 (Amazon Linux)\n", "amzn", "2023",
		  "2023.4.20240611 (Amazon Linux)", NULL },
		{ "etc/system-release", "Amazon Linux AMI release 2018.03\n", "amzn", "2018.03", "2018.03", NULL },
		{ "etc/redhat-release", "Fedora release 36 (Thirty Six)\n", "fedora", "36", "36 (Thirty Six)", NULL },
		{ "etc/redhat-release", "Oracle Linux Server release 8.10\n", "ol", "8.10", "8.10", NULL },
		{ "etc/redhat-release", "My Own Distro release 1.2.3\n", "my-own-distro", "1.2.3", "1.2.3", NULL },
		{ "etc/system-release-cpe", "cpe:/o:redhat:enterprise_linux:8.10:ga\n", "rhel", "8.10", NULL, NULL },
		{ "etc/system-release-cpe", "cpe:2.3:o:amazon:amazon_linux:2\n", "amzn", "2", NULL, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scan_out out;

		scan_one(&out, cases[i].path, cases[i].text, strlen(cases[i].text));
		if (!out.dist)
			fail_msg("%s: no dist", cases[i].text);
		detector_testing_expect_str(cases[i].text, out.dist->did, cases[i].did);
		detector_testing_expect_str(cases[i].text, out.dist->version_id, cases[i].version_id);
		detector_testing_expect_str(cases[i].text, out.dist->version, cases[i].version);
		detector_testing_expect_str(cases[i].text, out.dist->version_code_name, cases[i].codename);
		scan_out_free(&out);
	}
}

static void test_lsb_release(void **state)
{
	struct scan_out out;
	unsigned char *data;
	size_t len;

	(void)state;
	data = detector_testing_read_testdata("osrelease", "lsb-release-ubuntu", &len);
	scan_one(&out, "etc/lsb-release", data, len);
	detector_testing_expect_str("did", out.dist->did, "ubuntu");
	detector_testing_expect_str("name", out.dist->name, "Ubuntu");
	detector_testing_expect_str("version_id", out.dist->version_id, "14.04");
	detector_testing_expect_str("codename", out.dist->version_code_name, "trusty");
	detector_testing_expect_str("pretty", out.dist->pretty_name, "Ubuntu 14.04.6 LTS");
	scan_out_free(&out);
	free(data);
}

/* ---- several files in one layer ------------------------------------------ */

struct layer_file {
	const char *path, *text;
};

/* Scans the files into one scan_out in the order given by perm. */
static void scan_layer(struct scan_out *out, const struct layer_file *files, const size_t *perm, size_t n)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++) {
		const struct layer_file *f = &files[perm[i]];

		assert_int_equal(detector_osrelease.scan(out, f->path, (const unsigned char *)f->text, strlen(f->text)),
				 ASEC_OK);
	}
}

/* Every order of up to four files gives the same result. */
static void for_each_order(const struct layer_file *files, size_t n, void (*check)(const struct scan_out *))
{
	size_t perm[4], i, j, k, l;

	assert_true(n >= 2 && n <= 4);
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			for (k = 0; k < (n > 2 ? n : 1); k++)
				for (l = 0; l < (n > 3 ? n : 1); l++) {
					struct scan_out out;

					perm[0] = i;
					perm[1] = j;
					perm[2] = k;
					perm[3] = l;
					if (i == j || (n > 2 && (k == i || k == j)) ||
					    (n > 3 && (l == i || l == j || l == k)))
						continue;
					scan_layer(&out, files, perm, n);
					check(&out);
					scan_out_free(&out);
				}
}

static void check_distroless(const struct scan_out *out)
{
	assert_non_null(out->dist);
	detector_testing_expect_str("did", out->dist->did, "debian");
	detector_testing_expect_str("pretty", out->dist->pretty_name, "Distroless");
	/* Missing from os-release, completed by debian_version. */
	detector_testing_expect_str("version_id", out->dist->version_id, "10");
	detector_testing_expect_str("version", out->dist->version, "10.8");
	detector_testing_expect_str("codename", out->dist->version_code_name, "buster");
}

static void check_ubuntu(const struct scan_out *out)
{
	assert_non_null(out->dist);
	detector_testing_expect_str("did", out->dist->did, "ubuntu");
	detector_testing_expect_str("version_id", out->dist->version_id, "22.04");
	detector_testing_expect_str("codename", out->dist->version_code_name, "jammy");
	/* Nothing from Debian's "bookworm/sid" leaks in. */
	detector_testing_expect_str("version", out->dist->version, "22.04.4 LTS (Jammy Jellyfish)");
	detector_testing_expect_str("name", out->dist->name, "Ubuntu");
}

static void check_etc_wins(const struct scan_out *out)
{
	assert_non_null(out->dist);
	detector_testing_expect_str("did", out->dist->did, "rhel");
	detector_testing_expect_str("version_id", out->dist->version_id, "9.4");
	/* etc/os-release has no CPE_NAME; usr/lib's fills it. */
	detector_testing_expect_str("cpe", out->dist->cpe, "cpe:/o:redhat:enterprise_linux:9::baseos");
	detector_testing_expect_str("pretty", out->dist->pretty_name, "Red Hat Enterprise Linux 9.4 (Plow)");
}

static void test_layer_ranking(void **state)
{
	static const struct layer_file distroless[] = {
		{ "etc/os-release", "PRETTY_NAME=\"Distroless\"\nNAME=\"Debian GNU/Linux\"\nID=\"debian\"\n" },
		{ "etc/debian_version", "10.8\n" },
	};
	static const struct layer_file ubuntu[] = {
		{ "usr/lib/os-release", "NAME=\"Ubuntu\"\nVERSION=\"22.04.4 LTS (Jammy Jellyfish)\"\nID=ubuntu\n"
					"VERSION_ID=\"22.04\"\nVERSION_CODENAME=jammy\n" },
		{ "etc/debian_version", "bookworm/sid\n" },
		{ "etc/lsb-release", "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\n" },
	};
	static const struct layer_file rhel[] = {
		{ "etc/os-release", "ID=rhel\nVERSION_ID=9.4\nPRETTY_NAME=\"Red Hat Enterprise Linux 9.4 (Plow)\"\n" },
		{ "usr/lib/os-release", "ID=rhel\nVERSION_ID=9.2\nCPE_NAME=cpe:/o:redhat:enterprise_linux:9::baseos\n"
					"PRETTY_NAME=\"older\"\n" },
		{ "etc/redhat-release", "Red Hat Enterprise Linux release 9.1 (Plow)\n" },
		{ "etc/system-release-cpe", "cpe:/o:redhat:enterprise_linux:9.0:ga\n" },
	};

	(void)state;
	for_each_order(distroless, 2, check_distroless);
	for_each_order(ubuntu, 3, check_ubuntu);
	for_each_order(rhel, 4, check_etc_wins);
}

static void test_same_path_twice(void **state)
{
	static const char first[] = "ID=debian\nVERSION_ID=11\nCPE_NAME=cpe:old\n", second[] = "ID=debian\nVERSION_ID=12\n";
	struct scan_out out;

	(void)state;
	/* A tar may hold a path twice; extraction keeps the later entry, whole. */
	memset(&out, 0, sizeof(out));
	assert_int_equal(detector_osrelease.scan(&out, "etc/os-release", (const unsigned char *)first, strlen(first)),
			 ASEC_OK);
	assert_int_equal(detector_osrelease.scan(&out, "etc/os-release", (const unsigned char *)second, strlen(second)),
			 ASEC_OK);
	detector_testing_expect_str("version_id", out.dist->version_id, "12");
	detector_testing_expect_str("cpe", out.dist->cpe, NULL);
	scan_out_free(&out);
}

/* The lead's cache copies dists with dist_copy; the copy is a plain dist. */
static void test_dist_copy(void **state)
{
	static const char text[] = "ID=alpine\nVERSION_ID=3.20.0\n";
	struct scan_out out;
	struct dist *copy;

	(void)state;
	scan_one(&out, "etc/os-release", text, strlen(text));
	assert_int_equal(dist_copy(&copy, out.dist), ASEC_OK);
	detector_testing_expect_str("did", copy->did, "alpine");
	dist_free(copy);
	scan_out_free(&out);
}

/* ---- sizes --------------------------------------------------------------- */

static void test_huge_inputs(void **state)
{
	size_t big = 10u * 1024 * 1024, i, n;
	unsigned char *data = malloc(big);
	struct scan_out out;

	(void)state;
	assert_non_null(data);
	/* Over max_file_bytes: the walker never passes it; scan refuses it too. */
	memset(data, 'A', big);
	scan_one(&out, "etc/os-release", data, big);
	assert_null(out.dist);
	assert_true(detector_testing_has_note(&out, "skipped"));
	scan_out_free(&out);

	/* Just under the limit: one 64 KiB line, then a value continued
	 * over thousands of lines, then a key per line. */
	n = detector_osrelease.max_file_bytes;
	memcpy(data, "PRETTY_NAME=", 12);
	memset(data + 12, 'x', n - 12);
	scan_one(&out, "etc/os-release", data, n);
	assert_null(out.dist);
	scan_out_free(&out);

	memcpy(data, "ID=", 3);
	for (i = 3; i + 3 < n; i += 3)
		memcpy(data + i, "a\\\n", 3);
	memset(data + i, '\n', n - i);
	scan_one(&out, "etc/os-release", data, n);
	/* Over the 1 KiB a value may have: dropped, not truncated. */
	assert_null(out.dist);
	assert_true(detector_testing_has_note(&out, "1 values are too long"));
	scan_out_free(&out);

	for (i = 0; i + 4 <= n; i += 4)
		memcpy(data + i, "A=\"\n", 4);
	scan_one(&out, "etc/os-release", data, i);
	assert_null(out.dist);
	scan_out_free(&out);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rank_and_match),
		cmocka_unit_test(test_fixture_index),
		cmocka_unit_test(test_fixture_other_fields),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_line_endings),
		cmocka_unit_test(test_bad_bytes),
		cmocka_unit_test(test_unterminated_quote),
		cmocka_unit_test(test_syntax_cases),
		cmocka_unit_test(test_empty_and_garbage),
		cmocka_unit_test(test_codename_derivation),
		cmocka_unit_test(test_markers),
		cmocka_unit_test(test_lsb_release),
		cmocka_unit_test(test_layer_ranking),
		cmocka_unit_test(test_same_path_twice),
		cmocka_unit_test(test_dist_copy),
		cmocka_unit_test(test_huge_inputs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
