/*
 * nodejs_wg_test.c - tests of the Node.js security-wg npm advisory parser:
 * the shared JSON Lines file with counts found independently, spot checks
 * of real advisories' intervals, and inline records for what the real data
 * does not show (hyphen ranges, malformed ranges, hostile JSON).
 *
 * How the real-data numbers were found, without this parser:
 *   zcat nodejs-security-wg-npm.jsonl.gz | wc -l                        -> 468
 *   zcat ... | jq -c 'select(.id == null) | keys | length'              -> 467
 *     (one line is vuln/npm/index.json: every advisory again, keyed by id;
 *      python3 checked that its 467 members equal the other 467 lines)
 *   zcat ... | jq -c 'select(.id != null) | select((.cves | length) == 1)' | wc -l -> 160,
 *     one of which is "CVE-2014-4671A" (NSWG-ECO-12), not a CVE id -> 159
 *   zcat ... | jq -c 'select(.id != null) | .cvss_vector | select(. != null)' | wc -l -> 458,
 *     one of which (NSWG-ECO-504) has "I:U/A:U", values CVSS 3.0 does not define -> 457
 *   severities from cvss_score alone with python3 (0 < s <= 10 banded as in
 *   feed.h, else UNKNOWN): 237 IMPORTANT, 146 MODERATE, 46 CRITICAL, 29 LOW, 9 UNKNOWN
 * Whether any advisory leaves nothing affected, and every interval, was
 * checked with node-semver 7 itself (npm package "semver"): for each
 * advisory, the versions named in its two ranges and their neighbours
 * (5994 release versions; 8820 with pre-releases under includePrerelease)
 * were classed with semver.satisfies(v, vulnerable) && !satisfies(v,
 * patched), and this parser's ranges agreed on every one; all 467 have
 * affected versions. The spot checks below were read from the raw lines.
 */
#include "feeds/feed_testing.h"

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The record of security-wg advisory n, whatever its id became. */
static json_t *advisory(const struct feed_collector *c, int n)
{
	char name[32];

	snprintf(name, sizeof(name), "NSWG-ECO-%d", n);
	return feed_collector_advisory(c, name);
}

static int parse_text(struct feed_collector *c, const char *text)
{
	struct feed_sink sink = feed_collector_init(c);

	return feed_parse_nodejs_wg("vuln/npm/test.json", text, strlen(text), &sink);
}

static void test_shared_file(void **state)
{
	size_t i, cve_ids = 0, cvss = 0, sev[5] = {0};
	static const char *const names[] = {"LOW", "MODERATE", "IMPORTANT", "CRITICAL", "UNKNOWN"};
	struct feed_collector c;
	const json_t *r, *a;

	(void)state;
	assert_int_equal(feed_testing_parse_shared(&c, feed_parse_nodejs_wg, "nodejs-security-wg-npm.jsonl.gz",
						   "nodejs-security-wg-npm.jsonl"),
			 ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 467);
	assert_int_equal(json_array_size(c.skips), 1);
	assert_true(feed_collector_skips(&c, "", "an index of 467 advisories"));
	json_array_foreach(c.records, i, r) {
		size_t k;

		cve_ids += strncmp(str(r, "id"), "CVE-", 4) == 0;
		cvss += json_object_get(r, "cvss") != NULL;
		for (k = 0; k < 5; k++)
			sev[k] += strcmp(str(r, "normalizedSeverity"), names[k]) == 0;
		a = json_array_get(json_object_get(r, "affected"), 0);
		assert_string_equal(str(a, "ecosystem"), "npm");
		assert_string_equal(str(a, "status"), "affected");
		assert_true(json_array_size(json_object_get(a, "ranges")) > 0);
	}
	assert_int_equal(cve_ids, 159);
	assert_int_equal(cvss, 457);
	assert_int_equal(sev[0], 29);
	assert_int_equal(sev[1], 146);
	assert_int_equal(sev[2], 237);
	assert_int_equal(sev[3], 46);
	assert_int_equal(sev[4], 9);

	/* 1: bassmaster, one CVE, "<=1.5.1" / ">=1.5.2" */
	r = advisory(&c, 1);
	assert_string_equal(str(r, "id"), "CVE-2014-7205");
	assert_int_equal(json_array_size(json_object_get(r, "aliases")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "aliases"), 0)), "NSWG-ECO-1");
	assert_string_equal(str(json_object_get(r, "advisory"), "link"),
			    "https://github.com/nodejs/security-wg/blob/main/vuln/npm/1.json");
	assert_string_equal(str(json_array_get(json_object_get(r, "affected"), 0), "package"), "bassmaster");
	assert_string_equal(feed_testing_intervals(r), "(-inf,1.5.1]");
	assert_string_equal(str(r, "summary"), "Arbitrary JavaScript Execution");
	assert_string_equal(str(r, "published"), "2014-09-27T00:00:00Z"); /* publish_date */
	assert_string_equal(str(r, "modified"), "2016-04-28T00:00:00Z");
	assert_string_equal(str(r, "normalizedSeverity"), "MODERATE"); /* 6.5 */
	a = json_array_get(json_object_get(r, "cvss"), 0);
	assert_string_equal(str(a, "version"), "3.0");
	assert_string_equal(str(a, "vector"), "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N");
	assert_float_equal(json_number_value(json_object_get(a, "score")), 6.5, 1e-9);
	assert_non_null(strstr(str(r, "description"), "\n\nRecommendation: Update to bassmaster version 1.5.2"));
	assert_non_null(strstr(str(json_array_get(json_object_get(json_array_get(json_object_get(r, "affected"), 0),
								 "ranges"),
						   0),
				   "events"),
			       "vulnerable_versions \"<=1.5.1\", patched_versions \">=1.5.2\""));

	/* 8: express "<3.11 || >= 4 <4.5" minus ">=3.11 <4 || >=4.5": partials */
	assert_string_equal(feed_testing_intervals(advisory(&c, 8)), "(-inf,3.11.0-0) [4.0.0-0,4.5.0-0)");
	/* 11: hapi "2.0.x || 2.1.x" minus ">= 2.2.x": two x-ranges merge */
	assert_string_equal(feed_testing_intervals(advisory(&c, 11)), "[2.0.0-0,2.2.0-0)");
	/* 35: serve-static "<1.6.5 || >=1.7.0 <1.7.2" minus "~1.6.5 || >=1.7.2" */
	assert_string_equal(feed_testing_intervals(advisory(&c, 35)), "(-inf,1.6.5) [1.7.0,1.7.2)");
	/* 490: node.extend "<2.0.1 || <1.1.7" minus "^1.1.7 || >= 2.0.1": overlapping
	 * alternatives, and the caret ends at 2.0.0-0 */
	assert_string_equal(feed_testing_intervals(advisory(&c, 490)), "(-inf,1.1.7) [2.0.0-0,2.0.1)");
	/* 495: electron, five carets against five "<" */
	assert_string_equal(feed_testing_intervals(advisory(&c, 495)),
			    "(-inf,2.0.18) [3.0.0-0,3.0.16) [4.0.0-0,4.0.8) [5.0.0-0,5.0.0-beta.5)");
	/* 157: "<=99.999.99999" minus "<0.0.0" */
	assert_string_equal(feed_testing_intervals(advisory(&c, 157)), "[0.0.0,99.999.99999]");
	/* 308: no scores at all; a closed interval */
	r = advisory(&c, 308);
	assert_string_equal(feed_testing_intervals(r), "[1.1.0,1.1.1]");
	assert_string_equal(str(r, "normalizedSeverity"), "UNKNOWN");
	assert_null(json_object_get(r, "cvss"));
	/* 477: flatmap-stream, "*" and no patch: everything */
	r = advisory(&c, 477);
	assert_string_equal(feed_testing_intervals(r), "(-inf,+inf)");
	assert_string_equal(str(r, "id"), "NSWG-ECO-477");
	assert_null(json_object_get(r, "aliases"));
	assert_string_equal(str(r, "normalizedSeverity"), "CRITICAL");
	/* 41: four CVEs, so the working group's id, with the CVEs as aliases */
	r = advisory(&c, 41);
	assert_string_equal(str(r, "id"), "NSWG-ECO-41");
	assert_int_equal(json_array_size(json_object_get(r, "aliases")), 4);
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "aliases"), 3)), "CVE-2013-7454");
	/* 12: its one "CVE" is "CVE-2014-4671A": not an id we can use */
	r = advisory(&c, 12);
	assert_string_equal(str(r, "id"), "NSWG-ECO-12");
	assert_null(json_object_get(r, "aliases"));
	/* 504: a vector cvss_parse refuses; the score still gives the severity */
	r = advisory(&c, 504);
	assert_string_equal(str(r, "id"), "CVE-2019-15596");
	assert_null(json_object_get(r, "cvss"));
	assert_string_equal(str(r, "normalizedSeverity"), "IMPORTANT");
	feed_collector_free(&c);
}

/*
 * The version that fixes each affected interval: the lowest version above
 * it that patched_versions admits, as node-semver's minVersion() finds it.
 * Checked for every bounded interval of the shared file (487 of them) with
 * node-semver 7, without this parser: for each patched alternative A and
 * interval end E, semver.minVersion(A + " >" + E) (">=" after an exclusive
 * end, E without the made-up "-0"), the least over the alternatives, ""
 * without patched_versions; all 487 agreed. 149 ranges get a fix other
 * than what their bound says, so they carry "fixedBy"; the rest keep an
 * exclusive "fixed" that is the fix, or name none. The cases below are
 * the shapes among them, read from the raw lines.
 */
static void test_shared_file_fixes(void **state)
{
	static const struct {
		int id;
		const char *intervals, *fixes;
	} cases[] = {
		/* marked 0.3.3, the demo image's: "<=0.3.3" / ">=0.3.4" (CVE-2015-8854)
		 * and "<=0.3.5" / ">=0.3.6"; the interval still ends at 0.3.3 */
		{23, "(-inf,0.3.3]", "0.3.4"},
		{101, "(-inf,0.3.5]", "0.3.6"},
		{24, "(-inf,0.3.2]", "0.3.3"},
		/* sequelize: a pre-release is a real fix; "<= 2.1.3" / ">= 3.0.0"
		 * skips the versions neither range names */
		{33, "(-inf,2.0.0-rc7]", "2.0.0-rc8"},
		{109, "(-inf,2.1.3]", "3.0.0"},
		/* the demo's sequelize 3.23.5, lodash 4.17.4, cryptiles 4.1.1: "<"
		 * against ">=" of the same version, as before */
		{122, "(-inf,3.23.6)", "3.23.6"},
		{368, "(-inf,4.17.5)", "4.17.5"},
		{476, "[3.1.0,4.1.2)", "4.1.2"},
		/* express: partials end before "-0" pre-releases, not a release */
		{8, "(-inf,3.11.0-0) [4.0.0-0,4.5.0-0)", "3.11.0 4.5.0"},
		/* node.extend "^1.1.7 || >= 2.0.1": one fix per interval */
		{490, "(-inf,1.1.7) [2.0.0-0,2.0.1)", "1.1.7 2.0.1"},
		/* npm ">= 5.2.1 <= 6.0.0 || >=6.0.0 <= 6.0.2" / ">= 7.0.0" */
		{104, "[5.2.1,6.0.2]", "7.0.0"},
		/* sails "<=0.12.7" / ">0.12.7": the next release */
		{148, "(-inf,0.12.7]", "0.12.8"},
		/* request: 2.47.0-2.51.0 are neither vulnerable nor patched, so the
		 * first fix patched_versions names is 2.68.0 */
		{309, "[2.2.6,2.47.0) (2.51.0,2.67.0]", "2.68.0 2.68.0"},
		/* "<99.999.9999" / "<0.0.0": the bound is a placeholder, no fix */
		{349, "[0.0.0,99.999.9999)", "-"},
		{157, "[0.0.0,99.999.99999]", "-"},
		/* "*" and no patched_versions */
		{477, "(-inf,+inf)", "-"},
	};
	struct feed_collector c;
	const json_t *r, *range;
	size_t i, j, by = 0;

	(void)state;
	assert_int_equal(feed_testing_parse_shared(&c, feed_parse_nodejs_wg, "nodejs-security-wg-npm.jsonl.gz",
						   "nodejs-security-wg-npm.jsonl"),
			 ASEC_OK);
	assert_int_equal(c.bad, 0); /* feed_record_check() holds every fixedBy above its range */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = advisory(&c, cases[i].id);
		assert_non_null(r);
		if (strcmp(feed_testing_intervals(r), cases[i].intervals) != 0)
			fail_msg("NSWG-ECO-%d: intervals %s, not %s", cases[i].id, feed_testing_intervals(r),
				 cases[i].intervals);
		if (strcmp(feed_testing_fixes(r), cases[i].fixes) != 0)
			fail_msg("NSWG-ECO-%d: fixes %s, not %s", cases[i].id, feed_testing_fixes(r), cases[i].fixes);
	}
	json_array_foreach(c.records, i, r)
		json_array_foreach(json_object_get(json_array_get(json_object_get(r, "affected"), 0), "ranges"), j, range)
			by += json_object_get(range, "fixedBy") != NULL;
	assert_int_equal(by, 149);
	feed_collector_free(&c);
}

/* What a fix is, on inline records: patched_versions decides, per interval. */
static void test_fixes(void **state)
{
	static const struct {
		const char *vulnerable, *patched, *intervals, *fixes;
	} cases[] = {
		{"*", "^1.2.3 || >=2.0.1", "(-inf,1.2.3) [2.0.0-0,2.0.1)", "1.2.3 2.0.1"},
		{"<=0.3", ">=0.4", "(-inf,0.4.0-0)", "0.4.0"},
		{"<2.0.0", "", "(-inf,2.0.0)", "-"},	       /* no patched_versions: no fix */
		{"<2.0.0", ">=2.0.1", "(-inf,2.0.0)", "2.0.1"},  /* 2.0.0 is not said to be patched */
		{"<=1.2.3-rc.1", ">1.2.3-rc.1", "(-inf,1.2.3-rc.1]", "1.2.3-rc.1.0"},
		{"<=1.0.0 || >=2.0.0 <=2.1.0", ">1.0.0 <2.0.0 || >=3.0.0", "(-inf,1.0.0] [2.0.0,2.1.0]", "1.0.1 3.0.0"},
		{"<=1.2.3", ">1.2.3 <1.2.4-0 || >=2.0.0", "(-inf,1.2.3]", "-"}, /* no release in (1.2.3, 1.2.4-0) */
	};
	char text[1024];
	struct feed_collector c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const json_t *r;

		snprintf(text, sizeof(text),
			 "{\"id\":1,\"module_name\":\"m\",\"vulnerable_versions\":\"%s\",\"patched_versions\":\"%s\"}",
			 cases[i].vulnerable, cases[i].patched);
		assert_int_equal(parse_text(&c, text), ASEC_OK);
		assert_int_equal(c.bad, 0);
		assert_int_equal(json_array_size(c.records), 1);
		r = json_array_get(c.records, 0);
		if (strcmp(feed_testing_intervals(r), cases[i].intervals) != 0 ||
		    strcmp(feed_testing_fixes(r), cases[i].fixes) != 0)
			fail_msg("\"%s\" minus \"%s\": %s fixed by %s, not %s fixed by %s", cases[i].vulnerable,
				 cases[i].patched, feed_testing_intervals(r), feed_testing_fixes(r), cases[i].intervals,
				 cases[i].fixes);
		feed_collector_free(&c);
	}
}

static void test_pretty_printed_single_file(void **state)
{
	struct feed_collector c;
	json_t *r;

	(void)state;
	assert_int_equal(parse_text(&c, "{\n  \"id\": 7,\n  \"module_name\": \"x\",\n"
					"  \"vulnerable_versions\": \"1.2.3 - 2.3.4 || 3.1 - 3.2\",\n"
					"  \"patched_versions\": \">=2.3.5 <3.0.0 || >=3.3.0\",\n"
					"  \"cves\": [\"CVE-2020-1111\", \"CVE-2020-1111\"]\n}\n"),
			 ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 1);
	r = json_array_get(c.records, 0);
	assert_string_equal(feed_testing_intervals(r), "[1.2.3,2.3.4] [3.1.0-0,3.3.0-0)");
	assert_string_equal(str(r, "id"), "CVE-2020-1111"); /* the same CVE twice is one */
	assert_string_equal(str(r, "normalizedSeverity"), "UNKNOWN");
	feed_collector_free(&c);
}

static void test_range_edge_cases(void **state)
{
	static const struct {
		const char *vulnerable, *patched, *out;
	} cases[] = {
		{"*", "<0.0.0", "[0.0.0,+inf)"},
		{"", ">=1.0.0", "(-inf,1.0.0)"},		  /* blank: everything */
		{"<2.0.0", "", "(-inf,2.0.0)"},		  /* blank patched: no fix */
		{"<1.0.0 || >=2.0.0 <3.0.0", ">=2.5.0", "(-inf,1.0.0) [2.0.0,2.5.0)"},
		{"<= 1.0.3", "> 1.0.3", "(-inf,1.0.3]"},	  /* spaces after operators */
		{"<  2.0.5", ">= 2.0.5", "(-inf,2.0.5)"},
		{">=3.4.6 < 4.0.0|| >=4.0.5", "", "[3.4.6,4.0.0) [4.0.5,+inf)"},
		{"< 2.1.7 > 2.0.0", "", "(2.0.0,2.1.7)"},
		{"~>1.2.3", "", "[1.2.3,1.3.0-0)"},		  /* node-semver's "~>" */
		{"2.1.0-M1 || 2.1.0-M2", "", "[2.1.0-M1,2.1.0-M1] [2.1.0-M2,2.1.0-M2]"},
		{"<=v2.0.0-alpha7", ">=v2.0.0-alpha8", "(-inf,2.0.0-alpha7]"},
		{"<1.0.0 ||", "", "(-inf,+inf)"}, /* an empty alternative is "*" */
		{"1.0.0 - 1.5.0", "1.2.0", "[1.0.0,1.2.0) (1.2.0,1.5.0]"},
	};
	char text[1024];
	struct feed_collector c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text),
			 "{\"id\":1,\"module_name\":\"m\",\"vulnerable_versions\":\"%s\",\"patched_versions\":\"%s\"}",
			 cases[i].vulnerable, cases[i].patched);
		assert_int_equal(parse_text(&c, text), ASEC_OK);
		assert_int_equal(c.bad, 0);
		if (json_array_size(c.records) != 1)
			fail_msg("\"%s\" minus \"%s\" was skipped: %s", cases[i].vulnerable, cases[i].patched,
				 json_dumps(c.skips, 0));
		if (strcmp(feed_testing_intervals(json_array_get(c.records, 0)), cases[i].out) != 0)
			fail_msg("\"%s\" minus \"%s\" gave %s, not %s", cases[i].vulnerable, cases[i].patched,
				 feed_testing_intervals(json_array_get(c.records, 0)), cases[i].out);
		feed_collector_free(&c);
	}
}

static void test_bad_records_are_skipped(void **state)
{
	static const struct {
		const char *line, *id, *reason;
	} cases[] = {
		{"{\"id\":2,\"module_name\":\"m\",\"vulnerable_versions\":\"<1.0.0\",\"patched_versions\":\"*\"}",
		 "NSWG-ECO-2", "no affected versions"},
		{"{\"id\":2,\"module_name\":\"m\",\"vulnerable_versions\":\"<1.0.0\",\"patched_versions\":\"<2.0.0\"}",
		 "NSWG-ECO-2", "no affected versions"},
		{"{\"id\":3,\"module_name\":\"m\",\"vulnerable_versions\":\"<=>1\"}", "NSWG-ECO-3",
		 "vulnerable_versions \"<=>1\""},
		{"{\"id\":3,\"module_name\":\"m\",\"vulnerable_versions\":\"!=1.0.0\"}", "NSWG-ECO-3", "unexpected '!'"},
		{"{\"id\":3,\"module_name\":\"m\",\"patched_versions\":\">=1.x.2\"}", "NSWG-ECO-3",
		 "patched_versions \">=1.x.2\": a version number after a wildcard"},
		{"{\"id\":3,\"module_name\":\"m\",\"vulnerable_versions\":\">= \"}", "NSWG-ECO-3", "without a version"},
		{"{\"id\":4,\"module_name\":\"m\",\"vulnerable_versions\":12}", "NSWG-ECO-4", "not a string"},
		{"{\"id\":5,\"vulnerable_versions\":\"<1\"}", "NSWG-ECO-5", "no module_name"},
		{"{\"id\":5,\"module_name\":\"\",\"vulnerable_versions\":\"<1\"}", "NSWG-ECO-5", "no module_name"},
		{"{\"id\":-1,\"module_name\":\"m\"}", "", "id is not a non-negative number"},
		{"{\"id\":\"x1\",\"module_name\":\"m\"}", "", "id is not a non-negative number"},
		{"{\"module_name\":\"m\"}", "", "id is not"},
	};
	struct feed_collector c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse_text(&c, cases[i].line), ASEC_OK);
		assert_int_equal(json_array_size(c.records), 0);
		if (!feed_collector_skips(&c, cases[i].id, cases[i].reason))
			fail_msg("%s: expected a skip of \"%s\" saying \"%s\", got %s", cases[i].line, cases[i].id,
				 cases[i].reason, json_dumps(c.skips, 0));
		feed_collector_free(&c);
	}
}

static void test_json_lines_go_on_after_a_bad_line(void **state)
{
	struct feed_collector c;

	(void)state;
	assert_int_equal(parse_text(&c, "{\"id\":1,\"module_name\":\"a\",\"vulnerable_versions\":\"<1.0.0\"}\n"
					"{\"id\":2,\"module_name\":\"b\",\"vulnerable_ver\n"
					"\n"
					"[1,2,3]\n"
					"{\"id\":\"3\",\"module_name\":\"c\",\"vulnerable_versions\":\"<2.0.0\"}\r\n"),
			 ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 2);
	assert_non_null(feed_collector_find(&c, "advisory", "NSWG-ECO-1"));
	assert_non_null(feed_collector_find(&c, "advisory", "NSWG-ECO-3")); /* an id written as a string */
	assert_true(feed_collector_skips(&c, "", "record 2: not JSON"));
	assert_true(feed_collector_skips(&c, "", "record 3: not a JSON object"));
	feed_collector_free(&c);
}

static void test_not_this_format(void **state)
{
	static const char *const inputs[] = {
		"", "   \n", "hello", "[{\"id\":1,\"module_name\":\"m\"}]", "{}", "{\"a\":1}\n{\"b\":2}\n",
		"{\"id\":1,\"module_name\":\"m\"", /* truncated */
	};
	struct feed_collector c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct feed_sink sink = feed_collector_init(&c);

		if (feed_parse_nodejs_wg("x.json", inputs[i], strlen(inputs[i]), &sink) != ASEC_EINVALID)
			fail_msg("\"%s\" was taken for security-wg advisories", inputs[i]);
		assert_int_equal(json_array_size(c.records), 0);
		feed_collector_free(&c);
	}
}

static void test_hostile_sizes(void **state)
{
	size_t n = 200000, i;
	char *text = malloc(n + 256);
	struct feed_collector c;
	json_t *r;

	(void)state;
	assert_non_null(text);
	/* nesting deeper than jansson allows: refused, never a crash */
	for (i = 0; i < 5000; i++)
		memcpy(text + 5 * i, "{\"a\":", 5);
	text[25000] = '1';
	memset(text + 25001, '}', 5000);
	text[30001] = '\0';
	assert_int_equal(parse_text(&c, text), ASEC_EINVALID);
	feed_collector_free(&c);
	/* a 200 KB overview is cut to 16 KiB; a 5 KB range is refused */
	i = (size_t)snprintf(text, 256, "{\"id\":9,\"module_name\":\"m\",\"vulnerable_versions\":\"<1.0.0\",\"overview\":\"");
	memset(text + i, 'a', n - 100);
	strcpy(text + i + n - 100, "\"}");
	assert_int_equal(parse_text(&c, text), ASEC_OK);
	assert_int_equal(c.bad, 0);
	r = json_array_get(c.records, 0);
	assert_non_null(r);
	assert_int_equal(strlen(str(r, "description")), FEED_MAX_TEXT_BYTES);
	feed_collector_free(&c);
	i = (size_t)snprintf(text, 256, "{\"id\":9,\"module_name\":\"m\",\"vulnerable_versions\":\"");
	for (; i < 5200; i += 9)
		memcpy(text + i, "<1.0.0 ||", 9);
	strcpy(text + i, "<1.0.0\"}");
	assert_int_equal(parse_text(&c, text), ASEC_OK);
	assert_true(feed_collector_skips(&c, "NSWG-ECO-9", "a version range longer than 4096 bytes"));
	feed_collector_free(&c);
	/* more than 64 alternatives, or comparators in one, within that length */
	i = (size_t)snprintf(text, 256, "{\"id\":9,\"module_name\":\"m\",\"vulnerable_versions\":\"");
	for (int k = 0; k < 65; k++)
		i += (size_t)sprintf(text + i, "=%d.0.0 || ", k);
	strcpy(text + i, "99\"}");
	assert_int_equal(parse_text(&c, text), ASEC_OK);
	assert_true(feed_collector_skips(&c, "NSWG-ECO-9", "more than 64 alternatives"));
	feed_collector_free(&c);
	i = (size_t)snprintf(text, 256, "{\"id\":9,\"module_name\":\"m\",\"patched_versions\":\"");
	for (int k = 0; k < 65; k++)
		i += (size_t)sprintf(text + i, ">=%d.0.0 ", k);
	strcpy(text + i, "\"}");
	assert_int_equal(parse_text(&c, text), ASEC_OK);
	assert_true(feed_collector_skips(&c, "NSWG-ECO-9", "patched_versions \">=0.0.0 >=1.0.0"));
	assert_true(strstr(json_string_value(json_object_get(json_array_get(c.skips, 0), "reason")),
			   "more than 64 comparators") != NULL);
	feed_collector_free(&c);
	/* a module name far beyond npm's 214 */
	i = (size_t)snprintf(text, 256, "{\"id\":9,\"vulnerable_versions\":\"<1\",\"module_name\":\"");
	memset(text + i, 'm', 2000);
	strcpy(text + i + 2000, "\"}");
	assert_int_equal(parse_text(&c, text), ASEC_OK);
	assert_true(feed_collector_skips(&c, "NSWG-ECO-9", "module_name longer than 1024 bytes"));
	feed_collector_free(&c);
	free(text);
}

static void test_cvss_and_scores(void **state)
{
	struct feed_collector c;
	json_t *r;

	(void)state;
	/* the vector's own score when there is no cvss_score */
	assert_int_equal(parse_text(&c, "{\"id\":1,\"module_name\":\"m\",\"cvss_vector\":"
					"\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"}"),
			 ASEC_OK);
	r = json_array_get(c.records, 0);
	assert_string_equal(str(r, "normalizedSeverity"), "CRITICAL");
	assert_string_equal(str(json_array_get(json_object_get(r, "cvss"), 0), "version"), "3.1");
	feed_collector_free(&c);
	/* -1 (as in NSWG-ECO-358) and junk are no scores */
	assert_int_equal(parse_text(&c, "{\"id\":1,\"module_name\":\"m\",\"cvss_score\":-1,\"cvss_vector\":\"junk\"}"),
			 ASEC_OK);
	r = json_array_get(c.records, 0);
	assert_string_equal(str(r, "normalizedSeverity"), "UNKNOWN");
	assert_null(json_object_get(r, "cvss"));
	feed_collector_free(&c);
}

static int stop_at_first(void *ctx, json_t *record)
{
	(*(int *)ctx)++;
	json_decref(record);
	return 42;
}

static void test_sink_stop(void **state)
{
	const char *text = "{\"id\":1,\"module_name\":\"a\"}\n{\"id\":2,\"module_name\":\"b\"}\n";
	int seen = 0;
	struct feed_sink sink = {stop_at_first, NULL, &seen};

	(void)state;
	assert_int_equal(feed_parse_nodejs_wg("x", text, strlen(text), &sink), 42);
	assert_int_equal(seen, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_file),
		cmocka_unit_test(test_shared_file_fixes),
		cmocka_unit_test(test_fixes),
		cmocka_unit_test(test_pretty_printed_single_file),
		cmocka_unit_test(test_range_edge_cases),
		cmocka_unit_test(test_bad_records_are_skipped),
		cmocka_unit_test(test_json_lines_go_on_after_a_bad_line),
		cmocka_unit_test(test_not_this_format),
		cmocka_unit_test(test_hostile_sizes),
		cmocka_unit_test(test_cvss_and_scores),
		cmocka_unit_test(test_sink_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
