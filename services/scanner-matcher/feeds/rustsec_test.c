/*
 * rustsec_test.c - tests of the RustSec advisory parser: every advisory of
 * the shared tarball with counts found independently, spot checks of real
 * advisories' intervals, and inline files for the TOML subset's edges and
 * for what the real data does not show.
 *
 * How the real-data numbers were found, without this parser (python3 3.11,
 * tomllib on each file's front matter, re.match(r'```toml\n(.*?)\n```\n')):
 *   504 advisories under crates/; 8 have advisory.withdrawn; of the rest,
 *   114 are informational without a CVE among their aliases (86
 *   unmaintained, 25 unsound, 3 notice) -> 382 kept; of those, 309 have
 *   exactly one distinct CVE alias (their id) and 261 a cvss vector (the
 *   other 121 have no score, so UNKNOWN).
 * Whether an advisory leaves nothing affected, and every interval, was
 * checked with the semver crate itself (Debian's librust-semver-dev 1.0.14):
 * for each advisory, the versions named in its requirements and their
 * neighbours (4409 release versions) were classed as affected when no
 * VersionReq of patched or unaffected matched them; this parser's ranges
 * agreed on every one. Only RUSTSEC-2019-0031 (unaffected = [">= 0"]) has
 * no affected version, and it is withdrawn anyway. The spot checks below
 * were read from the files.
 */
#include "feeds/feed_testing.h"

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int parse_text(struct feed_collector *c, const char *text)
{
	struct feed_sink sink = feed_collector_init(c);

	return feed_parse_rustsec("crates/x/RUSTSEC-2099-0001.md", text, strlen(text), &sink);
}

static void test_shared_tarball(void **state)
{
	size_t i, cve_ids = 0, cvss = 0, unknown = 0;
	struct feed_collector c;
	const json_t *r, *a;

	(void)state;
	/* every .md (not LICENSE.txt) */
	assert_int_equal(
		feed_testing_parse_tarball(&c, feed_parse_rustsec, "rustsec-advisories-2016-2022.tar.gz", ".md"), 504);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 382);
	assert_int_equal(json_array_size(c.skips), 122);
	assert_int_equal(feed_collector_skips(&c, NULL, "withdrawn"), 8);
	assert_int_equal(feed_collector_skips(&c, NULL, "informational: unmaintained"), 86);
	assert_int_equal(feed_collector_skips(&c, NULL, "informational: unsound"), 25);
	assert_int_equal(feed_collector_skips(&c, NULL, "informational: notice"), 3);
	json_array_foreach(c.records, i, r) {
		cve_ids += strncmp(str(r, "id"), "CVE-", 4) == 0;
		cvss += json_object_get(r, "cvss") != NULL;
		unknown += strcmp(str(r, "normalizedSeverity"), "UNKNOWN") == 0;
		a = json_array_get(json_object_get(r, "affected"), 0);
		assert_string_equal(str(a, "ecosystem"), "cargo");
		assert_string_equal(str(a, "distribution"), "");
	}
	assert_int_equal(cve_ids, 309);
	assert_int_equal(cvss, 261);
	assert_int_equal(unknown, 121);

	/* bam: one CVE, patched [">= 0.1.3"], an [affected] inline table */
	r = feed_collector_advisory(&c, "RUSTSEC-2021-0027");
	assert_string_equal(str(r, "id"), "CVE-2021-28027");
	assert_int_equal(json_array_size(json_object_get(r, "aliases")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "aliases"), 0)), "RUSTSEC-2021-0027");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "aliases"), 1)), "GHSA-cpqj-r29q-chrh");
	assert_string_equal(str(json_object_get(r, "advisory"), "link"),
			    "https://rustsec.org/advisories/RUSTSEC-2021-0027.html");
	assert_string_equal(str(json_array_get(json_object_get(r, "affected"), 0), "package"), "bam");
	assert_string_equal(feed_testing_intervals(r), "(-inf,0.1.3)");
	assert_string_equal(str(r, "summary"), "Loading a bgzip block can write out of bounds if size overflows.");
	assert_true(strncmp(str(r, "description"), "Affected versions of `bam` set the length", 41) == 0);
	assert_string_equal(str(r, "published"), "2021-01-07T00:00:00Z");
	assert_string_equal(str(r, "normalizedSeverity"), "CRITICAL");
	a = json_array_get(json_object_get(r, "cvss"), 0);
	assert_string_equal(str(a, "vector"), "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
	assert_float_equal(json_number_value(json_object_get(a, "score")), 9.8, 1e-9);
	assert_string_equal(str(json_array_get(json_object_get(json_array_get(json_object_get(r, "affected"), 0), "ranges"), 0),
				"events"),
			    "{\"patched\":[\">= 0.1.3\"],\"unaffected\":[]}");

	/* tokio-rustls: patched [">= 0.12.3, < 0.13.0", ">= 0.13.1"], unaffected ["< 0.12"] */
	assert_string_equal(feed_testing_intervals(feed_collector_advisory(&c, "RUSTSEC-2020-0019")),
			    "[0.12.0,0.12.3) [0.13.0,0.13.1)");
	/* smallvec: carets, patched [">= 0.6.3", "^0.3.4", "^0.4.5", "^0.5.1"], unaffected ["< 0.3.2"] */
	assert_string_equal(feed_testing_intervals(feed_collector_advisory(&c, "RUSTSEC-2018-0003")),
			    "[0.3.2,0.3.4) [0.4.0,0.4.5) [0.5.0,0.5.1) [0.6.0,0.6.3)");
	assert_string_equal(feed_testing_fixes(feed_collector_advisory(&c, "RUSTSEC-2018-0003")), "0.3.4 0.4.5 0.5.1 0.6.3");
	/* lazy-init: patched ["> 0.4.0"] ends the interval at 0.4.0 inclusive;
	 * the fix is the next release, which is what Cargo's ">0.4.0" admits
	 * first (six advisories of the file are written so) */
	r = feed_collector_advisory(&c, "RUSTSEC-2021-0004");
	assert_string_equal(feed_testing_intervals(r), "(-inf,0.4.0]");
	assert_string_equal(feed_testing_fixes(r), "0.4.1");
	/* ammonia: [affected.functions] is a dotted table header */
	assert_string_equal(feed_testing_intervals(feed_collector_advisory(&c, "RUSTSEC-2019-0001")), "(-inf,2.1.0)");
	/* flumedb: informational = "unsound", but it has a CVE: kept */
	r = feed_collector_advisory(&c, "RUSTSEC-2021-0086");
	assert_string_equal(str(r, "id"), "CVE-2021-45684");
	assert_int_equal(json_array_size(json_object_get(r, "aliases")), 3);
	/* failure: unmaintained with two CVEs, nothing patched: every version */
	r = feed_collector_advisory(&c, "RUSTSEC-2020-0036");
	assert_string_equal(str(r, "id"), "RUSTSEC-2020-0036");
	assert_int_equal(json_array_size(json_object_get(r, "aliases")), 4);
	assert_string_equal(feed_testing_intervals(r), "(-inf,+inf)");
	/* spin: withdrawn (and unaffected = [">= 0"]) */
	assert_true(feed_collector_skips(&c, "RUSTSEC-2019-0031", "withdrawn (2020-10-08)"));
	feed_collector_free(&c);
}

#define FRONT(body) "```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\npackage = \"p\"\ndate = \"2099-01-02\"\n" body "\n```\n\n# Title\n\nText.\n"

static void test_toml_subset_accepted(void **state)
{
	struct feed_collector c;
	json_t *r;

	(void)state;
	/* comments, a multi-line array with a trailing comma and comments in it,
	 * a literal string, escapes, an inline table, booleans, a bare date,
	 * CRLF line ends */
	assert_int_equal(parse_text(&c, "```toml\r\n"
					"# a comment\r\n"
					"[advisory]\r\n"
					"id = 'RUSTSEC-2099-0001' # literal\r\n"
					"\"package\" = \"caf\\u00e9-\\\"q\\\"\"\r\n"
					"date = 2099-01-02\r\n"
					"aliases = [\r\n"
					"  \"CVE-2099-1234\", # the one\r\n"
					"  'GHSA-aaaa-bbbb-cccc',\r\n"
					"]\r\n"
					"expect-deleted = true\r\n"
					"[affected]\r\n"
					"functions = { \"a::b\" = [\"< 1.0.0\"], c = {d = false} }\r\n"
					"[versions]\r\n"
					"patched = [\">= 1.2.3\"]\r\n"
					"unaffected = [\"< 0.5\", \"=0.7.1\"]\r\n"
					"```\r\n"
					"# The title\r\n"
					"\r\n"
					"Body line.\r\n"),
			 ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.skips), 0);
	r = json_array_get(c.records, 0);
	assert_non_null(r);
	assert_string_equal(str(r, "id"), "CVE-2099-1234");
	assert_string_equal(str(json_array_get(json_object_get(r, "affected"), 0), "package"), "caf\xc3\xa9-\"q\"");
	assert_string_equal(str(r, "published"), "2099-01-02T00:00:00Z");
	assert_string_equal(str(r, "summary"), "The title");
	assert_string_equal(str(r, "description"), "Body line.");
	assert_string_equal(feed_testing_intervals(r), "[0.5.0,0.7.1) (0.7.1,1.2.3)");
	feed_collector_free(&c);
}

static void test_toml_subset_refused(void **state)
{
	static const struct {
		const char *text, *reason;
	} cases[] = {
		{FRONT("x = \"\"\"multi\"\"\""), "multi-line strings are not supported"},
		{FRONT("a.b = 1"), "dotted keys are not supported"},
		{FRONT("[[versions]]"), "arrays of tables are not supported"},
		{FRONT("package = \"again\""), "key \"package\" defined twice"},
		{FRONT("[advisory]"), "table \"advisory\" defined twice"},
		{FRONT("[versions]\npatched = [\">= 1\""), "an array that is not closed"},
		{FRONT("x = [[[[[[[[[1]]]]]]]]]"), "nested more than 8 deep"},
		{FRONT("x = \"a\\qb\""), "unknown escape \\q"},
		{FRONT("x = \"\\uD800\""), "not a Unicode scalar value"},
		{FRONT("x = \"\\u12\""), "malformed \\u escape"},
		{FRONT("x = \"open"), "not closed on its line"},
		{FRONT("x = 'tab\x01'"), "control character"},
		{FRONT("x = \"\xff\""), "not UTF-8"},
		{FRONT("x = 1 2"), "unexpected '2' after a value"},
		{FRONT("x = yes"), "a bare word that is not a value"},
		{FRONT("x ="), "a value is missing"},
		{FRONT("x = { a = 1"), "inline table that is not closed"},
		{FRONT("= 1"), "unexpected '=' where a key should be"},
		{FRONT("x 1"), "'=' expected after key \"x\""},
		{FRONT("[versions"), "']' expected after table name"},
		{FRONT("x = @"), "unexpected '@' where a value should be"},
	};
	struct feed_collector c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse_text(&c, cases[i].text), ASEC_OK);
		assert_int_equal(json_array_size(c.records), 0);
		if (!feed_collector_skips(&c, "RUSTSEC-2099-0001", cases[i].reason))
			fail_msg("case %zu: expected a skip saying \"%s\", got %s", i, cases[i].reason,
				 json_dumps(c.skips, 0));
		feed_collector_free(&c);
	}
	/* the line number is the file's */
	assert_int_equal(parse_text(&c, FRONT("a.b = 1")), ASEC_OK);
	assert_true(feed_collector_skips(&c, "RUSTSEC-2099-0001", "front matter: line 6: dotted keys"));
	feed_collector_free(&c);
}

static void test_advisory_rules(void **state)
{
	static const struct {
		const char *text, *id, *reason;
	} skips[] = {
		{FRONT("informational = \"unmaintained\""), "RUSTSEC-2099-0001", "informational: unmaintained"},
		{FRONT("informational = \"unsound\"\naliases = [\"GHSA-aaaa-bbbb-cccc\"]"), "RUSTSEC-2099-0001",
		 "informational: unsound"},
		{FRONT("withdrawn = \"2099-02-03\""), "RUSTSEC-2099-0001", "withdrawn (2099-02-03)"},
		{FRONT("[versions]\npatched = [\">= 0\"]"), "RUSTSEC-2099-0001", "no affected versions"},
		{FRONT("[versions]\npatched = [\"^1.2\"]\nunaffected = [\"< 1.2.0\", \">= 2\"]"), "RUSTSEC-2099-0001",
		 "no affected versions"},
		{FRONT("[versions]\npatched = [\"~> 1.0\"]"), "RUSTSEC-2099-0001",
		 "versions.patched \"~> 1.0\": unexpected '>'"},
		{FRONT("[versions]\npatched = [\">= 1.2.3 < 2\"]"), "RUSTSEC-2099-0001", "unexpected ' '"},
		{FRONT("[versions]\npatched = [\">= 1.2,\"]"), "RUSTSEC-2099-0001", "an empty comparator"},
		{FRONT("[versions]\npatched = [true]"), "RUSTSEC-2099-0001", "not a string"},
		{FRONT("[versions]\npatched = \">= 1\""), "RUSTSEC-2099-0001", "versions.patched is not an array"},
		{FRONT("[versions]\nunaffected = [\"<\"]"), "RUSTSEC-2099-0001", "without a version"},
		{FRONT("aliases = \"CVE-2099-1\""), "RUSTSEC-2099-0001", "aliases is not an array"},
		{"```toml\n[advisory]\npackage = \"p\"\n```\n", "RUSTSEC-2099-0001", "advisory.id is missing"},
		{"```toml\n[advisory]\nid = \"rustsec 1\"\npackage = \"p\"\n```\n", "RUSTSEC-2099-0001",
		 "not an advisory id"},
		{"```toml\n[advisory]\nid = \"RUSTSEC-2099-0002\"\n```\n", "RUSTSEC-2099-0002", "advisory.package"},
		{"```toml\n[versions]\npatched = []\n```\n", "RUSTSEC-2099-0001", "no [advisory] table"},
		{"```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\n", "RUSTSEC-2099-0001", "never closed"},
	};
	struct feed_collector c;
	json_t *r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(skips) / sizeof(skips[0]); i++) {
		assert_int_equal(parse_text(&c, skips[i].text), ASEC_OK);
		assert_int_equal(json_array_size(c.records), 0);
		if (!feed_collector_skips(&c, skips[i].id, skips[i].reason))
			fail_msg("case %zu: expected a skip of %s saying \"%s\", got %s", i, skips[i].id, skips[i].reason,
				 json_dumps(c.skips, 0));
		feed_collector_free(&c);
	}
	/* informational with a CVE is kept; two CVEs keep the RustSec id */
	assert_int_equal(parse_text(&c, FRONT("informational = \"unsound\"\naliases = [\"CVE-2099-0001\", "
					      "\"CVE-2099-0002\", \"CVE-2099-0001\"]\ncvss = \"junk\"")),
			 ASEC_OK);
	assert_int_equal(c.bad, 0);
	r = json_array_get(c.records, 0);
	assert_string_equal(str(r, "id"), "RUSTSEC-2099-0001");
	assert_int_equal(json_array_size(json_object_get(r, "aliases")), 2); /* the repeat is dropped */
	assert_string_equal(str(r, "normalizedSeverity"), "UNKNOWN");
	assert_null(json_object_get(r, "cvss"));
	assert_string_equal(feed_testing_intervals(r), "(-inf,+inf)"); /* no [versions]: nothing is patched */
	feed_collector_free(&c);
	/* no title line: the Markdown is all description */
	assert_int_equal(parse_text(&c, "```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\npackage = \"p\"\n```\n"
					"Just text.\n"),
			 ASEC_OK);
	r = json_array_get(c.records, 0);
	assert_null(json_object_get(r, "summary"));
	assert_string_equal(str(r, "description"), "Just text.");
	feed_collector_free(&c);
}

static void test_not_this_format(void **state)
{
	static const char *const inputs[] = {"", "# A title\n", "```yaml\nid: 1\n```\n", "``toml\n", "```toml-ish\n"};
	struct feed_collector c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		assert_int_equal(parse_text(&c, inputs[i]), ASEC_EINVALID);
		assert_int_equal(json_array_size(c.records), 0);
		feed_collector_free(&c);
	}
	assert_non_null(strstr(error_last(), "not a RustSec advisory"));
}

static void test_hostile_sizes(void **state)
{
	size_t n = 300 * 1024, i;
	char *text = malloc(n + 512);
	struct feed_collector c;

	(void)state;
	assert_non_null(text);
	/* front matter over 256 KiB */
	i = (size_t)snprintf(text, 512, "```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\npackage = \"p\"\nx = \"");
	memset(text + i, 'a', n);
	strcpy(text + i + n, "\"\n```\n");
	assert_int_equal(parse_text(&c, text), ASEC_OK);
	assert_true(feed_collector_skips(&c, "RUSTSEC-2099-0001", "front matter larger than 256 KiB"));
	feed_collector_free(&c);
	/* more than 64 requirements, or comparators in one */
	i = (size_t)snprintf(text, 512, "```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\npackage = \"p\"\n"
					"[versions]\npatched = [");
	for (int k = 0; k < 300; k++)
		i += (size_t)sprintf(text + i, "\"=%d.0.0\",", k);
	strcpy(text + i, "]\n```\n");
	assert_int_equal(parse_text(&c, text), ASEC_OK);
	assert_true(feed_collector_skips(&c, "RUSTSEC-2099-0001", "more than 64 requirements"));
	feed_collector_free(&c);
	i = (size_t)snprintf(text, 512, "```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\npackage = \"p\"\n"
					"[versions]\npatched = [\"");
	for (int k = 0; k < 65; k++)
		i += (size_t)sprintf(text + i, ">= %d.0.0, ", k);
	strcpy(text + i, "< 99.0.0\"]\n```\n");
	assert_int_equal(parse_text(&c, text), ASEC_OK);
	assert_true(feed_collector_skips(&c, "RUSTSEC-2099-0001", "more than 64 comparators"));
	feed_collector_free(&c);
	/* a long description is cut to 16 KiB */
	i = (size_t)snprintf(text, 512, "```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\npackage = \"p\"\n```\n# T\n");
	memset(text + i, 'd', 100000);
	text[i + 100000] = '\0';
	assert_int_equal(parse_text(&c, text), ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(strlen(str(json_array_get(c.records, 0), "description")), FEED_MAX_TEXT_BYTES);
	feed_collector_free(&c);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_tarball),
		cmocka_unit_test(test_toml_subset_accepted),
		cmocka_unit_test(test_toml_subset_refused),
		cmocka_unit_test(test_advisory_rules),
		cmocka_unit_test(test_not_this_format),
		cmocka_unit_test(test_hostile_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
