/*
 * rubysec_test.c - tests of the RubySec advisory parser: every advisory of
 * the shared tarball with counts found independently, spot checks of real
 * advisories' intervals ("~>" lists, unaffected lists, pre-release bounds),
 * and inline YAML for what the real data does not show.
 *
 * How the real-data numbers were found, without this parser (python3 with
 * PyYAML, timestamps left as text, over every .yml under gems/ and rubies/):
 *   1381 advisories: 1234 under gems/ (a "gem"), 147 under rubies/ (an
 *   "engine": skipped). Over the 1232 kept (see below): 1105 have a cve,
 *   69 more a ghsa, 58 neither (named after their file, OSVDB-*);
 *   severities from the highest of cvss_v2/v3/v4 banded as in feed.h: 509
 *   MODERATE, 382 IMPORTANT, 160 CRITICAL, 66 LOW, 115 with no score.
 * Which advisories leave nothing affected, and every interval, was found
 * with RubyGems itself (ruby 3.1, Gem::Requirement#satisfied_by?, the rule
 * bundler-audit applies: affected when no patched_versions or
 * unaffected_versions requirement admits the version), over the versions
 * named in each advisory and their neighbours (25544 versions): two gems
 * advisories have none (ckeditor CVE-2021-32808: unaffected "< 5.1.2",
 * patched ">= 5.1.2"; cron_parser CVE-2019-15224: unaffected "> 0.1.4"
 * covers the rest), so 1232 records; this parser's ranges agreed on every
 * sample version.
 * The spot checks below were read from the files.
 */
#include "feeds/feed_testing.h"

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The record of one gem's advisory (an id can name several gems). */
static json_t *find(const struct feed_collector *c, const char *gem, const char *id)
{
	size_t i;
	json_t *r;

	json_array_foreach(c->records, i, r)
		if (strcmp(str(r, "id"), id) == 0 &&
		    strcmp(str(json_array_get(json_object_get(r, "affected"), 0), "package"), gem) == 0)
			return r;
	fail_msg("no record for %s %s", gem, id);
	return NULL;
}

static int parse_text(struct feed_collector *c, const char *text)
{
	struct feed_sink sink = feed_collector_init(c);

	return feed_parse_rubysec("gems/g/CVE-2099-0001.yml", text, strlen(text), &sink);
}

static void test_shared_tarball(void **state)
{
	size_t i, k, ids[3] = {0}, sev[5] = {0}, engines = 0;
	static const char *const names[] = {"LOW", "MODERATE", "IMPORTANT", "CRITICAL", "UNKNOWN"};
	struct feed_collector c;
	const json_t *r, *s;

	(void)state;
	/* every .yml (not LICENSE.txt) */
	assert_int_equal(feed_testing_parse_tarball(&c, feed_parse_rubysec, "rubysec-advisories.tar.gz", ".yml"), 1381);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 1232);
	assert_int_equal(json_array_size(c.skips), 149);
	json_array_foreach(c.skips, i, s)
		engines += strncmp(str(s, "reason"), "Ruby interpreter advisory", 25) == 0;
	assert_int_equal(engines, 147);
	assert_true(feed_collector_skips(&c, "CVE-2021-32808", "no affected versions"));
	assert_true(feed_collector_skips(&c, "CVE-2019-15224", "no affected versions"));
	json_array_foreach(c.records, i, r) {
		ids[0] += strncmp(str(r, "id"), "CVE-", 4) == 0;
		ids[1] += strncmp(str(r, "id"), "GHSA-", 5) == 0;
		ids[2] += strncmp(str(r, "id"), "OSVDB-", 6) == 0;
		for (k = 0; k < 5; k++)
			sev[k] += strcmp(str(r, "normalizedSeverity"), names[k]) == 0;
		assert_string_equal(str(json_array_get(json_object_get(r, "affected"), 0), "ecosystem"), "gem");
		assert_null(json_object_get(r, "cvss")); /* scores without vectors */
	}
	assert_int_equal(ids[0], 1105);
	assert_int_equal(ids[1], 69);
	assert_int_equal(ids[2], 58);
	assert_int_equal(sev[0], 66);
	assert_int_equal(sev[1], 509);
	assert_int_equal(sev[2], 382);
	assert_int_equal(sev[3], 160);
	assert_int_equal(sev[4], 115);

	/* rack CVE-2011-5036: patched "~> 1.1.3", "~> 1.2.5", "~> 1.3.6", ">= 1.4.0" */
	r = find(&c, "rack", "CVE-2011-5036");
	assert_string_equal(feed_testing_intervals(r), "(-inf,1.1.3) [1.2,1.2.5) [1.3,1.3.6)");
	assert_int_equal(json_array_size(json_object_get(r, "aliases")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "aliases"), 0)), "GHSA-v6j3-7jrw-hq2p");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "aliases"), 1)), "OSVDB-78121");
	assert_string_equal(str(r, "normalizedSeverity"), "MODERATE"); /* cvss_v2: 5.0 */
	assert_string_equal(str(r, "published"), "2011-12-28T00:00:00Z");
	assert_string_equal(str(r, "summary"), "CVE-2011-5036 rubygem-rack: hash table collisions DoS (oCERT-2011-003)");
	assert_true(strncmp(str(r, "description"), "Rack before 1.1.3, 1.2.x before 1.2.5", 37) == 0);
	assert_string_equal(str(json_object_get(r, "advisory"), "link"), "https://nvd.nist.gov/vuln/detail/CVE-2011-5036");
	assert_string_equal(str(json_array_get(json_object_get(json_array_get(json_object_get(r, "affected"), 0), "ranges"), 0),
				"events"),
			    "{\"patched_versions\":[\"~> 1.1.3\",\"~> 1.2.5\",\"~> 1.3.6\",\">= 1.4.0\"],"
			    "\"unaffected_versions\":[]}");
	/* coin_base CVE-2019-15224: only unaffected "< 4.2.1", "> 4.2.2" */
	assert_string_equal(feed_testing_intervals(find(&c, "coin_base", "CVE-2019-15224")), "[4.2.1,4.2.2]");
	/* jquery-rails CVE-2016-10707: unaffected "< 3.0.0-rc.1", patched ">= 3.0.0" */
	r = find(&c, "jquery-rails", "CVE-2016-10707");
	assert_string_equal(feed_testing_intervals(r), "[3.0.0-rc.1,3.0.0)");
	assert_string_equal(str(r, "normalizedSeverity"), "IMPORTANT"); /* the higher of 5.0 and 7.5 */
	/* nokogiri GHSA-cgx6-hpwq-fhv5: no cve, so the GHSA id */
	r = find(&c, "nokogiri", "GHSA-cgx6-hpwq-fhv5");
	assert_null(json_object_get(r, "aliases"));
	assert_string_equal(feed_testing_intervals(r), "(-inf,1.13.5)");
	/* activerecord-oracle_enhanced-adapter OSVDB-95376: no cve, no ghsa, no score */
	r = find(&c, "activerecord-oracle_enhanced-adapter", "OSVDB-95376");
	assert_string_equal(feed_testing_intervals(r), "(-inf,1.1.8)");
	assert_string_equal(str(r, "normalizedSeverity"), "UNKNOWN");
	feed_collector_free(&c);
}

static void test_requirements(void **state)
{
	static const struct {
		const char *lists, *out;
	} cases[] = {
		{"patched_versions: ['~> 1.2.3']", "(-inf,1.2.3) [1.3,+inf)"},
		{"patched_versions: ['~> 1.2']", "(-inf,1.2) [2,+inf)"},
		{"patched_versions: ['~> 1']", "(-inf,1) [2,+inf)"},
		{"patched_versions: ['~> 1.2.3.rc1']", "(-inf,1.2.3.rc1) [1.3,+inf)"},
		{"patched_versions: ['~> 1.9.9']", "(-inf,1.9.9) [1.10,+inf)"},
		{"patched_versions: ['~> 0.9']", "(-inf,0.9) [1,+inf)"},
		{"patched_versions: ['~> 1.02.3']", "(-inf,1.02.3) [1.3,+inf)"},
		{"patched_versions: ['>= 2.0.0, < 2.1.3', '>= 2.1.5']", "(-inf,2.0.0) [2.1.3,2.1.5)"},
		{"patched_versions: ['!= 1.5.0']", "[1.5.0,1.5.0]"},
		{"unaffected_versions: ['< 1.0', '> 1.0', '= 1.0']", NULL},
		{"patched_versions: ['1.2.3']", "(-inf,1.2.3) (1.2.3,+inf)"}, /* a bare version is "=" */
		{"patched_versions: ['<= 1.2.3']", "(1.2.3,+inf)"},
		{"patched_versions: ['>1.2.3']", "(-inf,1.2.3]"},
		{"patched_versions: [' >=  3.0 , <4 ']", "(-inf,3.0) [4,+inf)"},
		{"patched_versions:\nunaffected_versions: ~", "(-inf,+inf)"}, /* YAML nulls: no lists */
		{"patched_versions: []", "(-inf,+inf)"},
	};
	char text[512];
	struct feed_collector c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "gem: g\ncve: 2099-0001\n%s\n", cases[i].lists);
		assert_int_equal(parse_text(&c, text), ASEC_OK);
		assert_int_equal(c.bad, 0);
		if (!cases[i].out) {
			assert_int_equal(json_array_size(c.records), 0);
			assert_true(feed_collector_skips(&c, "CVE-2099-0001", "no affected versions"));
		} else if (json_array_size(c.records) != 1) {
			fail_msg("%s was skipped: %s", cases[i].lists, json_dumps(c.skips, 0));
		} else if (strcmp(feed_testing_intervals(json_array_get(c.records, 0)), cases[i].out) != 0) {
			fail_msg("%s gave %s, not %s", cases[i].lists,
				 feed_testing_intervals(json_array_get(c.records, 0)), cases[i].out);
		}
		feed_collector_free(&c);
	}
}

static void test_bad_records_are_skipped(void **state)
{
	static const struct {
		const char *text, *id, *reason;
	} cases[] = {
		{"gem: g\ncve: 2099-0001\npatched_versions: '>= 1.0'\n", "CVE-2099-0001", "patched_versions is not a list"},
		{"gem: g\ncve: 2099-0001\npatched_versions: [[1]]\n", "CVE-2099-0001", "not a string"},
		{"gem: g\ncve: 2099-0001\npatched_versions: ['~> abc']\n", "CVE-2099-0001",
		 "patched_versions \"~> abc\": \"abc\" is not a RubyGems version"},
		{"gem: g\ncve: 2099-0001\nunaffected_versions: ['>=']\n", "CVE-2099-0001", "without a version"},
		{"gem: g\ncve: 2099-0001\nunaffected_versions: ['>= 1.0,']\n", "CVE-2099-0001", "without a version"},
		{"gem: g\ncve: 2099-0001\npatched_versions: ['=> 1.0']\n", "CVE-2099-0001", "not a RubyGems version"},
		{"gem: ''\ncve: 2099-0001\n", "CVE-2099-0001", "gem is empty"},
		{"engine: jruby\ncve: 2099-0001\n", "CVE-2099-0001", "Ruby interpreter advisory (engine jruby)"},
	};
	struct feed_collector c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse_text(&c, cases[i].text), ASEC_OK);
		assert_int_equal(json_array_size(c.records), 0);
		if (!feed_collector_skips(&c, cases[i].id, cases[i].reason))
			fail_msg("case %zu: expected a skip of %s saying \"%s\", got %s", i, cases[i].id, cases[i].reason,
				 json_dumps(c.skips, 0));
		feed_collector_free(&c);
	}
}

static void test_ids_and_fields(void **state)
{
	struct feed_collector c;
	struct feed_sink sink;
	const char *text;
	json_t *r;

	(void)state;
	/* a malformed cve and ghsa are not used; the file's name is */
	text = "gem: g\ncve: 99-1\nghsa: XXXX\nosvdb: 12345\nurl: ftp://x\ndate: 2099-13-01\n"
	       "cvss_v2: high\ncvss_v3: 11\ncvss_v4: 3.5\ntitle: T\n";
	sink = feed_collector_init(&c);
	assert_int_equal(feed_parse_rubysec("gems/g/OSVDB-12345.yml", text, strlen(text), &sink), ASEC_OK);
	assert_int_equal(c.bad, 0);
	r = json_array_get(c.records, 0);
	assert_non_null(r);
	assert_string_equal(str(r, "id"), "OSVDB-12345");
	assert_null(json_object_get(r, "aliases"));  /* the osvdb id is the id */
	assert_null(json_object_get(r, "advisory")); /* not an http(s) link */
	assert_null(json_object_get(r, "published")); /* month 13 */
	assert_string_equal(str(r, "normalizedSeverity"), "LOW"); /* only 3.5 is a score */
	assert_string_equal(str(r, "summary"), "T");
	feed_collector_free(&c);
	/* ids written with their prefixes are taken as they are */
	text = "gem: g\ncve: CVE-2099-1234\nghsa: GHSA-abcd-efgh-2345\n";
	assert_int_equal(parse_text(&c, text), ASEC_OK);
	r = json_array_get(c.records, 0);
	assert_string_equal(str(r, "id"), "CVE-2099-1234");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "aliases"), 0)), "GHSA-abcd-efgh-2345");
	feed_collector_free(&c);
	/* nothing to name it by */
	text = "gem: g\n";
	sink = feed_collector_init(&c);
	assert_int_equal(feed_parse_rubysec("gems/g/weird name.yml", text, strlen(text), &sink), ASEC_OK);
	assert_int_equal(json_array_size(c.records), 0);
	assert_true(feed_collector_skips(&c, "weird name", "no cve, ghsa or usable file name"));
	feed_collector_free(&c);
}

static void test_not_this_format(void **state)
{
	static const char *const inputs[] = {
		"", "- a\n- b\n", "just text\n", "{unclosed: [\n", "title: no gem\n", "a: 1\na: 2\n",
	};
	struct feed_collector c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		if (parse_text(&c, inputs[i]) != ASEC_EINVALID)
			fail_msg("\"%s\" was taken for a RubySec advisory", inputs[i]);
		assert_int_equal(json_array_size(c.records), 0);
		feed_collector_free(&c);
	}
	assert_non_null(strstr(error_last(), "not a RubySec advisory"));
}

static void test_hostile_yaml(void **state)
{
	/* the "billion laughs": aliases expanding to aliases */
	static const char laughs[] = "gem: g\n"
				     "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
				     "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
				     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
				     "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
				     "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
				     "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
				     "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
				     "patched_versions: [*g]\n";
	struct feed_collector c;
	size_t n = 100000, i;
	char *text = malloc(n + 256);

	(void)state;
	assert_non_null(text);
	assert_int_equal(parse_text(&c, laughs), ASEC_EINVALID);
	feed_collector_free(&c);
	/* deep nesting */
	i = (size_t)sprintf(text, "gem: g\nx: ");
	memset(text + i, '[', 1000);
	memset(text + i + 1000, ']', 1000);
	text[i + 2000] = '\0';
	assert_int_equal(parse_text(&c, text), ASEC_EINVALID);
	feed_collector_free(&c);
	/* a long description is cut; more than 64 requirements, or comparators
	 * in one, are refused */
	i = (size_t)sprintf(text, "gem: g\ncve: 2099-0001\ndescription: ");
	memset(text + i, 'd', n - 100);
	strcpy(text + i + n - 100, "\n");
	assert_int_equal(parse_text(&c, text), ASEC_OK);
	assert_int_equal(strlen(str(json_array_get(c.records, 0), "description")), FEED_MAX_TEXT_BYTES);
	feed_collector_free(&c);
	i = (size_t)sprintf(text, "gem: g\ncve: 2099-0001\npatched_versions:\n");
	for (int k = 0; k < 300; k++)
		i += (size_t)sprintf(text + i, "  - '= %d.0'\n", k);
	assert_int_equal(parse_text(&c, text), ASEC_OK);
	assert_true(feed_collector_skips(&c, "CVE-2099-0001", "more than 64 requirements"));
	feed_collector_free(&c);
	i = (size_t)sprintf(text, "gem: g\ncve: 2099-0001\npatched_versions: ['");
	for (int k = 0; k < 65; k++)
		i += (size_t)sprintf(text + i, "!= %d.0, ", k);
	strcpy(text + i, ">= 0']\n");
	assert_int_equal(parse_text(&c, text), ASEC_OK);
	assert_true(feed_collector_skips(&c, "CVE-2099-0001", "more than 64 comparators"));
	feed_collector_free(&c);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_tarball),
		cmocka_unit_test(test_requirements),
		cmocka_unit_test(test_bad_records_are_skipped),
		cmocka_unit_test(test_ids_and_fields),
		cmocka_unit_test(test_not_this_format),
		cmocka_unit_test(test_hostile_yaml),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
