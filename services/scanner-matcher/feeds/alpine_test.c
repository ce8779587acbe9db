/*
 * alpine_test.c - the Alpine secdb parser over the real alpine-secdb YAML
 * snapshot, over secdb.alpinelinux.org-style JSON, and over broken input.
 *
 * The expected counts below were computed independently with python3 and
 * PyYAML (every implicit resolver removed, so all scalars are strings):
 * a separate regex implementation of the rules at the top of alpine.c -
 * words split on spaces, "CVE 2018-x" and "CVE_2019-x" joined, CVE-YYYY-N
 * prefixes taken from words such as "CVE-2017-8073.patch", CVE-???? and
 * parenthesised notes dropped, non-CVE ids (letters, dashes, a digit) as
 * aliases of the entry's CVEs or as ids of their own, versions checked
 * with the regex of apk's grammar - counting distinct (id, package) pairs
 * per file, pairs whose only version is "0", pairs with aliases, and
 * skipped ids and entries. The spot checks were read from the raw YAML.
 */
#include "feeds/feed_testing.h"

struct expect {
	const char *file;
	size_t records, skips, not_affected, with_aliases;
};

static const struct expect secdb_files[] = {
	{"v3.3/community.yaml", 0, 0, 0, 0},	{"v3.3/main.yaml", 457, 4, 0, 34},
	{"v3.4/community.yaml", 14, 0, 0, 0},	{"v3.4/main.yaml", 666, 3, 0, 64},
	{"v3.5/community.yaml", 101, 0, 0, 0},	{"v3.5/main.yaml", 820, 3, 0, 94},
	{"v3.6/community.yaml", 214, 0, 0, 0},	{"v3.6/main.yaml", 888, 4, 0, 104},
	{"v3.7/community.yaml", 399, 2, 0, 0},	{"v3.7/main.yaml", 1071, 2, 0, 106},
	{"v3.8/community.yaml", 475, 1, 0, 0},	{"v3.8/main.yaml", 1115, 14, 5, 97},
	{"v3.9/community.yaml", 592, 1, 0, 0},	{"v3.9/main.yaml", 1098, 3, 0, 100},
};

/* The records of one file, by file name, kept for the spot checks. */
static struct feed_collector parsed[sizeof(secdb_files) / sizeof(secdb_files[0])];
/* The shared tarball, gunzipped; its files are read where they lie. */
static char *secdb_tar;
static size_t secdb_tar_len;

static int read_tarball(void **state)
{
	char tarball[4096];

	(void)state;
	secdb_tar = feed_testing_read(feed_testing_shared(tarball, sizeof(tarball), "alpine-secdb-v3.3-v3.9.tar.gz"),
				      &secdb_tar_len);
	return secdb_tar ? 0 : -1;
}

static int cleanup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(parsed) / sizeof(parsed[0]); i++)
		if (parsed[i].records)
			feed_collector_free(&parsed[i]);
	free(secdb_tar);
	return 0;
}

static struct feed_collector *file_records(const char *file)
{
	for (size_t i = 0; i < sizeof(secdb_files) / sizeof(secdb_files[0]); i++)
		if (strcmp(secdb_files[i].file, file) == 0)
			return &parsed[i];
	fail_msg("no such file %s", file);
	return NULL;
}

static json_t *find(const struct feed_collector *c, const char *id, const char *package)
{
	size_t i;
	json_t *r;

	json_array_foreach(c->records, i, r) {
		json_t *a = json_array_get(json_object_get(r, "affected"), 0);
		if (strcmp(json_string_value(json_object_get(r, "id")), id) == 0 &&
		    strcmp(json_string_value(json_object_get(a, "package")), package) == 0)
			return r;
	}
	return NULL;
}

static const char *fixed_of(const json_t *r)
{
	const json_t *a = json_array_get(json_object_get(r, "affected"), 0);
	return json_string_value(json_object_get(json_array_get(json_object_get(a, "ranges"), 0), "fixed"));
}

static const char *status_of(const json_t *r)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(r, "affected"), 0), "status"));
}

static void test_real_secdb_yaml(void **state)
{
	size_t total = 0;

	(void)state;
	for (size_t f = 0; f < sizeof(secdb_files) / sizeof(secdb_files[0]); f++) {
		const struct expect *e = &secdb_files[f];
		struct feed_collector *c = &parsed[f];
		struct feed_sink sink = feed_collector_init(c);
		size_t len, i, not_affected = 0, with_aliases = 0;
		const char *data = feed_testing_tar_file(secdb_tar, secdb_tar_len, e->file, &len);
		json_t *r;

		assert_non_null(data);
		assert_int_equal(feed_parse_alpine_secdb(e->file, data, len, &sink), ASEC_OK);
		json_array_foreach(c->records, i, r) {
			not_affected += strcmp(status_of(r), "not_affected") == 0;
			with_aliases += json_object_get(r, "aliases") != NULL;
		}
		if (json_array_size(c->records) != e->records || json_array_size(c->skips) != e->skips)
			fprintf(stderr, "%s: %zu records, %zu skips\n", e->file, json_array_size(c->records),
				json_array_size(c->skips));
		assert_int_equal(c->bad, 0);
		assert_int_equal(json_array_size(c->records), e->records);
		assert_int_equal(json_array_size(c->skips), e->skips);
		assert_int_equal(not_affected, e->not_affected);
		assert_int_equal(with_aliases, e->with_aliases);
		total += json_array_size(c->records);
	}
	assert_int_equal(total, 7910);
}

static void test_spot_checks(void **state)
{
	const struct feed_collector *v39 = file_records("v3.9/main.yaml");
	json_t *r, *a, *range;
	size_t i;

	(void)state;
	/* ansible: "CVE 2018-16859" under 2.7.3-r0 - the whole record. */
	r = find(v39, "CVE-2018-16859", "ansible");
	assert_non_null(r);
	assert_string_equal(json_string_value(json_object_get(r, "kind")), "advisory");
	assert_string_equal(json_string_value(json_object_get(r, "normalizedSeverity")), "UNKNOWN");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r, "advisory"), "name")),
			    "CVE-2018-16859");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r, "advisory"), "link")),
			    "https://security.alpinelinux.org/vuln/CVE-2018-16859");
	assert_null(json_object_get(r, "aliases"));
	assert_int_equal(json_array_size(json_object_get(r, "affected")), 1);
	a = json_array_get(json_object_get(r, "affected"), 0);
	assert_string_equal(json_string_value(json_object_get(a, "ecosystem")), "apk");
	assert_string_equal(json_string_value(json_object_get(a, "distribution")), "alpine:3.9");
	assert_string_equal(json_string_value(json_object_get(a, "packageKind")), "source");
	assert_string_equal(json_string_value(json_object_get(a, "status")), "affected");
	assert_int_equal(json_array_size(json_object_get(a, "ranges")), 1);
	range = json_array_get(json_object_get(a, "ranges"), 0);
	assert_string_equal(json_string_value(json_object_get(range, "introduced")), "0");
	assert_string_equal(json_string_value(json_object_get(range, "fixed")), "2.7.3-r0");
	/* "CVE-2019-101562" is a typo upstream, but shaped like a CVE: kept. */
	assert_non_null(find(v39, "CVE-2019-101562", "ansible"));

	/* xen: "CVE-2016-9932 XSA-200" under 4.7.1-r3. */
	r = find(v39, "CVE-2016-9932", "xen");
	assert_non_null(r);
	assert_string_equal(fixed_of(r), "4.7.1-r3");
	assert_int_equal(json_array_size(json_object_get(r, "aliases")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "aliases"), 0)), "XSA-200");
	/* "XSA-207" alone under 4.7.1-r5: its own record, without a link. */
	r = find(v39, "XSA-207", "xen");
	assert_non_null(r);
	assert_string_equal(fixed_of(r), "4.7.1-r5");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r, "advisory"), "name")), "XSA-207");
	assert_null(json_object_get(json_object_get(r, "advisory"), "link"));
	/* "CVE-????-?????  XSA-284" under 4.11.2-r0: the placeholder is dropped. */
	r = find(v39, "XSA-284", "xen");
	assert_non_null(r);
	assert_string_equal(fixed_of(r), "4.11.2-r0");
	assert_null(json_object_get(r, "aliases"));
	json_array_foreach(v39->records, i, r)
		assert_null(strchr(json_string_value(json_object_get(r, "id")), '?'));

	/* Listed under 2.7-r0 and 2.6-r7: the lowest fix is the fix. */
	r = find(v39, "CVE-2017-13077", "wpa_supplicant");
	assert_non_null(r);
	assert_string_equal(fixed_of(r), "2.6-r7");
	r = find(v39, "CVE-2017-13082", "hostapd");
	assert_non_null(r);
	assert_string_equal(fixed_of(r), "2.6-r2");
	r = find(file_records("v3.4/main.yaml"), "CVE-2017-3738", "openssl");
	assert_non_null(r);
	assert_string_equal(fixed_of(r), "1.0.2n-r0");
	/* 9.26-r1 vs 9.26-r2: the -r revision is compared, not the text. */
	r = find(v39, "CVE-2019-6116", "ghostscript");
	assert_string_equal(fixed_of(r), "9.26-r1");

	/* db under "0" in v3.8: never affected in that release. */
	r = find(file_records("v3.8/main.yaml"), "CVE-2016-0682", "db");
	assert_non_null(r);
	assert_string_equal(status_of(r), "not_affected");
	assert_null(json_object_get(json_array_get(json_object_get(r, "affected"), 0), "ranges"));

	/* "CVE-2017-5753 CVE-2017-5715 CVE-2017-5754 XSA-254 XPTI": three
	 * records sharing the XSA alias; XPTI is not an id. */
	for (i = 0; i < 3; i++) {
		static const char *const spectre[] = {"CVE-2017-5753", "CVE-2017-5715", "CVE-2017-5754"};

		r = find(file_records("v3.7/main.yaml"), spectre[i], "xen");
		assert_non_null(r);
		assert_string_equal(fixed_of(r), "4.9.1-r3");
		assert_string_equal(json_string_value(json_array_get(json_object_get(r, "aliases"), 0)), "XSA-254");
	}
	assert_null(feed_collector_find(file_records("v3.7/main.yaml"), NULL, "XPTI"));

	/* Misspelt CVEs. */
	r = find(file_records("v3.6/community.yaml"), "CVE-2017-2616", "shadow");
	assert_string_equal(fixed_of(r), "4.2.1-r7");
	r = find(file_records("v3.8/community.yaml"), "CVE-2019-2426", "openjdk7");
	assert_string_equal(fixed_of(r), "7.211.2.6.17-r0");
	r = find(file_records("v3.5/main.yaml"), "CVE-2017-8073", "weechat");
	assert_string_equal(fixed_of(r), "1.6.0-r1");
	r = find(file_records("v3.5/main.yaml"), "CVE-2017-17434", "rsync");
	assert_string_equal(fixed_of(r), "3.1.2-r3");
	assert_null(feed_collector_find(file_records("v3.5/main.yaml"), NULL, "CVE-2017-17434-1"));
}

static void test_real_skips_say_why(void **state)
{
	const struct feed_collector *c = file_records("v3.8/main.yaml");
	json_t *s;
	size_t i, bad_version = 0;

	(void)state;
	/* mariadb "10.2.26.r0", xen "4.10-1-r1", py-django "1.11-20-r0". */
	json_array_foreach(c->skips, i, s)
		bad_version += strstr(json_string_value(json_object_get(s, "reason")), "not a valid apk version") != NULL;
	assert_int_equal(bad_version, 14);
	/* v3.6 heimdal lists 7.4.0-r0 with nothing under it. */
	s = json_array_get(file_records("v3.6/main.yaml")->skips, 0);
	assert_non_null(s);
	json_array_foreach(file_records("v3.6/main.yaml")->skips, i, s)
		if (strstr(json_string_value(json_object_get(s, "reason")), "heimdal 7.4.0-r0: the fixed version lists no ids"))
			return;
	fail_msg("no skip for heimdal 7.4.0-r0");
}

/* ---- inline input ---- */

static const char json_doc[] =
	"{\"apkurl\": \"{{urlprefix}}/{{distroversion}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk\",\n"
	" \"archs\": [\"aarch64\", \"x86_64\"], \"reponame\": \"main\",\n"
	" \"urlprefix\": \"https://dl-cdn.alpinelinux.org/alpine\", \"distroversion\": \"v3.18\",\n"
	" \"packages\": [\n"
	"  {\"pkg\": {\"name\": \"openssl\", \"secfixes\": {\n"
	"     \"3.1.2-r0\": [\"CVE-2023-3817\"], \"3.1.1-r3\": [\"CVE-2023-3817\", \"CVE-2023-2975\"],\n"
	"     \"0\": [\"CVE-2022-1292\"]}}},\n"
	"  {\"pkg\": {\"name\": \"xen\", \"secfixes\": {\"4.17.1-r1\": [\"CVE-2022-42335 XSA-428\", \"XSA-429\"]}}},\n"
	"  {\"pkg\": {\"name\": \"busybox\"}},\n"
	"  {\"pkg\": {\"name\": \"zlib\", \"secfixes\": {\"1.2.12-r2\": [\"CVE-2022-37434\"], \"1.2.12-r0\": []}}}\n"
	" ]}\n";

static void test_json_document(void **state)
{
	struct feed_collector c;
	struct feed_sink sink = feed_collector_init(&c);
	json_t *r;

	(void)state;
	assert_int_equal(feed_parse_alpine_secdb("v3.18/main.json", json_doc, strlen(json_doc), &sink), ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 6);
	assert_int_equal(json_array_size(c.skips), 0);
	r = find(&c, "CVE-2023-3817", "openssl");
	assert_string_equal(fixed_of(r), "3.1.1-r3");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(r, "affected"), 0),
								"distribution")),
			    "alpine:3.18");
	assert_string_equal(status_of(find(&c, "CVE-2022-1292", "openssl")), "not_affected");
	r = find(&c, "CVE-2022-42335", "xen");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "aliases"), 0)), "XSA-428");
	assert_string_equal(fixed_of(find(&c, "XSA-429", "xen")), "4.17.1-r1");
	assert_string_equal(fixed_of(find(&c, "CVE-2022-37434", "zlib")), "1.2.12-r2");
	feed_collector_free(&c);
}

/* The same facts in YAML; versions that YAML 1.1 or the core schema would
 * turn into numbers must stay as written. */
static void test_yaml_versions_stay_strings(void **state)
{
	const char *doc = "---\ndistroversion: v3.9\nreponame: main\npackages:\n"
			  "  - pkg:\n      name: lua5.1\n      secfixes:\n"
			  "        5.10:\n          - CVE-2014-5461\n"
			  "        0:\n          - CVE-2019-6706\n"
			  "        1e3:\n          - CVE-2020-10001\n";
	struct feed_collector c;
	struct feed_sink sink = feed_collector_init(&c);

	(void)state;
	assert_int_equal(feed_parse_alpine_secdb("main.yaml", doc, strlen(doc), &sink), ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 2);
	assert_string_equal(fixed_of(find(&c, "CVE-2014-5461", "lua5.1")), "5.10");
	assert_string_equal(status_of(find(&c, "CVE-2019-6706", "lua5.1")), "not_affected");
	/* "1e3" is not an apk version. */
	assert_int_equal(json_array_size(c.skips), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(c.skips, 0), "id")), "CVE-2020-10001");
	feed_collector_free(&c);
}

static void test_real_version_beats_zero(void **state)
{
	const char *doc = "{\"distroversion\": \"v3.18\", \"packages\": [{\"pkg\": {\"name\": \"p\", \"secfixes\":"
			  " {\"0\": [\"CVE-2020-0001\"], \"1.2-r0\": [\"CVE-2020-0001\"]}}}]}";
	struct feed_collector c;
	struct feed_sink sink = feed_collector_init(&c);

	(void)state;
	assert_int_equal(feed_parse_alpine_secdb("x.json", doc, strlen(doc), &sink), ASEC_OK);
	assert_int_equal(json_array_size(c.records), 1);
	assert_string_equal(status_of(find(&c, "CVE-2020-0001", "p")), "affected");
	assert_string_equal(fixed_of(find(&c, "CVE-2020-0001", "p")), "1.2-r0");
	feed_collector_free(&c);
}

static void test_bad_records_are_skipped(void **state)
{
	/* Each package is wrong in its own way; only "ok" survives. */
	const char *doc =
		"{\"distroversion\": \"v3.18\", \"packages\": [\n"
		" 1, {\"pkg\": 2}, {\"pkg\": {\"name\": \"\"}}, {\"pkg\": {\"name\": 5, \"secfixes\": {}}},\n"
		" {\"pkg\": {\"name\": \"list\", \"secfixes\": [\"1.0-r0\"]}},\n"
		" {\"pkg\": {\"name\": \"nolist\", \"secfixes\": {\"1.0-r0\": \"CVE-2020-0002\"}}},\n"
		" {\"pkg\": {\"name\": \"types\", \"secfixes\": {\"1.0-r0\": [7, null, \"\", \"see upstream\"]}}},\n"
		" {\"pkg\": {\"name\": \"badver\", \"secfixes\": {\"1.0.-r0\": [\"CVE-2020-0003 CVE-2020-0004\"]}}},\n"
		" {\"pkg\": {\"name\": \"nul\\u0000name\", \"secfixes\": {\"1.0-r0\": [\"CVE-2020-0005\"]}}},\n"
		" {\"pkg\": {\"name\": \"ok\", \"secfixes\": {\"1.0-r0\": [\"CVE-2020-0006\", \"a\\u0000b\"]}}}\n"
		"]}";
	const char yaml_nul[] = "distroversion: v3.9\npackages:\n  - pkg:\n      name: p\n      secfixes:\n"
				"        \"1.0-r0\\0x\": [CVE-2020-0008]\n";
	struct feed_collector c;
	struct feed_sink sink = feed_collector_init(&c);
	json_t *s;
	size_t i, with_id = 0;

	(void)state;
	assert_int_equal(feed_parse_alpine_secdb("x.json", doc, strlen(doc), &sink), ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 1);
	assert_non_null(find(&c, "CVE-2020-0006", "ok"));
	/* 1, pkg 2, empty name, name 5, list, nolist, 4 in types, 2 in
	 * badver, the NUL name, the NUL entry. */
	assert_int_equal(json_array_size(c.skips), 14);
	json_array_foreach(c.skips, i, s) {
		assert_true(json_string_length(json_object_get(s, "reason")) > 0);
		with_id += json_string_length(json_object_get(s, "id")) > 0;
	}
	assert_int_equal(with_id, 2); /* the two ids of badver */
	feed_collector_free(&c);

	/* YAML keys may hold a NUL (JSON keys may not, in jansson): the C
	 * string "1.0-r0" is valid, the key is not. */
	sink = feed_collector_init(&c);
	assert_int_equal(feed_parse_alpine_secdb("x.yaml", yaml_nul, sizeof(yaml_nul) - 1, &sink), ASEC_OK);
	assert_int_equal(json_array_size(c.records), 0);
	assert_int_equal(json_array_size(c.skips), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(c.skips, 0), "id")), "CVE-2020-0008");
	feed_collector_free(&c);
}

static void test_not_secdb(void **state)
{
	static const char *const docs[] = {
		"",
		"{",
		"{\"distroversion\": \"v3.18\", \"packages\": [",
		"[1, 2]",
		"{\"distroversion\": \"v3.18\"}",
		"{\"packages\": []}",
		"{\"distroversion\": \"edge\", \"packages\": []}",
		"{\"distroversion\": 3.18, \"packages\": []}",
		"{\"distroversion\": \"v3.18\", \"packages\": {\"a\": 1}}",
		"distroversion: v3.9\npackages: [\n",
		"just some text\n",
		"a: 1\na: 2\n",
		"\xff\xfe\x00",
	};
	struct feed_collector c;
	struct feed_sink sink = feed_collector_init(&c);

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		error_clear();
		assert_int_equal(feed_parse_alpine_secdb("bad", docs[i], strlen(docs[i]) + (i == 12 ? 1 : 0), &sink),
				 ASEC_EINVALID);
		assert_true(error_last()[0] != '\0');
	}
	assert_int_equal(json_array_size(c.records), 0);
	/* An empty release is a document, with nothing in it. */
	assert_int_equal(feed_parse_alpine_secdb("ok", "distroversion: v3.3\npackages:\n", 30, &sink), ASEC_OK);
	assert_int_equal(json_array_size(c.records), 0);
	assert_int_equal(json_array_size(c.skips), 0);
	feed_collector_free(&c);
}

static void test_hostile_sizes(void **state)
{
	struct feed_collector c;
	struct feed_sink sink = feed_collector_init(&c);
	size_t depth = 100000, n = depth * 2 + 64;
	char *doc = malloc(n), *p = doc;
	const char *head = "{\"distroversion\": \"v3.18\", \"packages\": ";

	(void)state;
	assert_non_null(doc);
	/* Nesting far deeper than jansson allows. */
	p += sprintf(p, "%s", head);
	memset(p, '[', depth);
	p[depth] = '\0';
	assert_int_equal(feed_parse_alpine_secdb("deep", doc, strlen(doc), &sink), ASEC_EINVALID);
	/* The same in YAML. */
	p = doc + sprintf(doc, "distroversion: v3.9\npackages: ");
	memset(p, '[', depth);
	p[depth] = '\0';
	assert_int_equal(feed_parse_alpine_secdb("deep", doc, strlen(doc), &sink), ASEC_EINVALID);
	free(doc);

	/* An entry of 100 KB: skipped, not read word by word. */
	n = 100000;
	doc = malloc(n + 256);
	assert_non_null(doc);
	p = doc + sprintf(doc, "{\"distroversion\": \"v3.18\", \"packages\": [{\"pkg\": {\"name\": \"p\", \"secfixes\": "
			       "{\"1-r0\": [\"");
	for (size_t i = 0; i + 15 < n; i += 15)
		p += sprintf(p, "CVE-2020-%05zu ", i / 15 % 100000);
	sprintf(p, "\"]}}}]}");
	assert_int_equal(feed_parse_alpine_secdb("long", doc, strlen(doc), &sink), ASEC_OK);
	assert_int_equal(json_array_size(c.records), 0);
	assert_int_equal(json_array_size(c.skips), 1);
	free(doc);

	/* Under the byte limit but naming 40 ids: skipped whole, not cut. */
	doc = malloc(1024);
	assert_non_null(doc);
	p = doc + sprintf(doc, "{\"distroversion\": \"v3.18\", \"packages\": [{\"pkg\": {\"name\": \"p\", "
			       "\"secfixes\": {\"1-r0\": [\"");
	for (int i = 0; i < 40; i++)
		p += sprintf(p, "XSA-%d ", i);
	sprintf(p, "\", \"CVE-2020-0007 CVE-2020-0007 CVE-2020-0007\"]}}}]}");
	assert_int_equal(feed_parse_alpine_secdb("many", doc, strlen(doc), &sink), ASEC_OK);
	assert_int_equal(json_array_size(c.skips), 2);
	/* ...while repeating one id is one record. */
	assert_int_equal(json_array_size(c.records), 1);
	free(doc);
	feed_collector_free(&c);
}

static int stop_after_one(void *ctx, json_t *record)
{
	int *seen = ctx;

	json_decref(record);
	return ++*seen == 2 ? 42 : 0;
}

static void test_sink_can_stop(void **state)
{
	int seen = 0;
	struct feed_sink sink = {stop_after_one, NULL, &seen};

	(void)state;
	assert_int_equal(feed_parse_alpine_secdb("v3.18/main.json", json_doc, strlen(json_doc), &sink), 42);
	assert_int_equal(seen, 2);
}

int main(void)
{
	const struct CMUnitTest inline_tests[] = {
		cmocka_unit_test(test_json_document),
		cmocka_unit_test(test_yaml_versions_stay_strings),
		cmocka_unit_test(test_real_version_beats_zero),
		cmocka_unit_test(test_bad_records_are_skipped),
		cmocka_unit_test(test_not_secdb),
		cmocka_unit_test(test_hostile_sizes),
		cmocka_unit_test(test_sink_can_stop),
	};
	const struct CMUnitTest real_tests[] = {
		cmocka_unit_test(test_real_secdb_yaml),
		cmocka_unit_test(test_spot_checks),
		cmocka_unit_test(test_real_skips_say_why),
	};
	int failed = cmocka_run_group_tests(inline_tests, NULL, NULL);

	/* The real files come last, and only after the rest passed: without
	 * ../shared the program exits as skipped, which must not hide a failure. */
	if (failed)
		return failed;
	return cmocka_run_group_tests(real_tests, read_tarball, cleanup);
}
