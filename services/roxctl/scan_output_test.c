/*
 * scan_output_test.c - the four output formats and the summary behind --fail.
 *
 * testdata/image-scan.json is a hand-written Image in the shape central's
 * POST /v1/images/scan returns: nine components (one without findings, two
 * copies of one Go module in two binaries), seventeen findings over all
 * severities, one UNKNOWN, one without a fixed version, one without any
 * CVSS and one with only a v3 score. The table, CSV and JSON outputs are
 * held against golden files beside it (made with scan-output-dump, read and
 * checked by hand); everything else is checked by property: the order rule,
 * the counts, the JSON schema, the SARIF cross-references, and what hostile
 * strings (testdata/image-scan-hostile.json) may and may not produce.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "error/error.h"
#include "scan_output.h"
#include "testing/testing.h"

static const char *testdata_path(char *buf, size_t size, const char *name)
{
	const char *src = getenv("ASEC_SOURCE_DIR");

	snprintf(buf, size, "%s/services/roxctl/testdata/%s", src && src[0] ? src : ".", name);
	return buf;
}

static json_t *load_fixture(const char *name)
{
	char path[4096];
	json_error_t err;
	json_t *image = json_load_file(testdata_path(path, sizeof(path), name), JSON_REJECT_DUPLICATES, &err);

	if (!image)
		fail_msg("cannot load %s (is ASEC_SOURCE_DIR set?): %s", path, err.text);
	return image;
}

/* Renders into memory; returns the rc and the text (caller frees). */
static int render(char **text, const json_t *image, enum scan_format fmt, const struct scan_output_options *opts)
{
	size_t len = 0;
	FILE *f = open_memstream(text, &len);
	int rc;

	assert_non_null(f);
	rc = scan_output_write(f, image, fmt, opts);
	assert_int_equal(fclose(f), 0);
	return rc;
}

/* noinline: once inlined, gcc 12 takes pointers into the answer for pointers
 * to this frame's local (a false -Wdangling-pointer in release builds). */
__attribute__((noinline)) static char *render_ok(const json_t *image, enum scan_format fmt,
						 const struct scan_output_options *opts)
{
	char *text = NULL;
	int rc = render(&text, image, fmt, opts);

	if (rc != ASEC_OK)
		fail_msg("scan_output_write: %s", error_last());
	return text;
}

static void assert_golden(const char *actual, const char *golden)
{
	char path[4096];
	size_t len;
	char *expected = (char *)testing_read_file(testdata_path(path, sizeof(path), golden), &len);

	if (!expected)
		fail_msg("cannot read %s", path);
	if (strcmp(actual, expected) != 0) {
		char out[4096];
		FILE *f;

		snprintf(out, sizeof(out), "%s.actual", golden);
		f = fopen(out, "w");
		if (f) {
			fputs(actual, f);
			fclose(f);
		}
		free(expected);
		fail_msg("output differs from %s; what was printed is in %s (diff them; if the change is "
			 "intended, regenerate with scan-output-dump)", path, out);
	}
	free(expected);
}

static size_t count_of(const char *haystack, const char *needle)
{
	size_t n = 0;
	const char *p = haystack;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

/* ---- summary ------------------------------------------------------------ */

static void test_summary_counts_distinct_cves(void **state)
{
	json_t *image = load_fixture("image-scan.json");
	struct scan_summary s;

	(void)state;
	assert_int_equal(scan_output_summary(&s, image, NULL), ASEC_OK);
	/* CVE-2023-45288 is in two binaries: two rows, one CVE. */
	assert_int_equal(s.rows, 17);
	assert_int_equal(s.total_vulnerabilities, 16);
	/* bash has no findings and does not count. */
	assert_int_equal(s.total_components, 8);
	assert_int_equal(s.by_severity[SCAN_SEVERITY_CRITICAL], 3);
	assert_int_equal(s.by_severity[SCAN_SEVERITY_IMPORTANT], 5);
	assert_int_equal(s.by_severity[SCAN_SEVERITY_MODERATE], 5);
	/* CVE-2022-48303 is UNKNOWN: StackRox reports it as LOW. */
	assert_int_equal(s.by_severity[SCAN_SEVERITY_LOW], 3);
	json_decref(image);
}

static void test_summary_follows_the_severity_filter(void **state)
{
	json_t *image = load_fixture("image-scan.json");
	const char *critical[] = {"critical", NULL};
	const char *mixed[] = {"IMPORTANT_VULNERABILITY_SEVERITY", "Low", NULL};
	const char *none[] = {NULL};
	struct scan_summary s;

	(void)state;
	assert_int_equal(scan_output_summary(&s, image, critical), ASEC_OK);
	assert_int_equal(s.total_vulnerabilities, 3);
	assert_int_equal(s.total_components, 3); /* libcurl4, openssl, zlib1g */
	assert_int_equal(s.rows, 3);
	assert_int_equal(s.by_severity[SCAN_SEVERITY_CRITICAL], 3);
	assert_int_equal(s.by_severity[SCAN_SEVERITY_LOW] + s.by_severity[SCAN_SEVERITY_MODERATE] +
				 s.by_severity[SCAN_SEVERITY_IMPORTANT],
			 0);

	assert_int_equal(scan_output_summary(&s, image, mixed), ASEC_OK);
	assert_int_equal(s.by_severity[SCAN_SEVERITY_IMPORTANT], 5);
	assert_int_equal(s.by_severity[SCAN_SEVERITY_LOW], 3);
	assert_int_equal(s.total_vulnerabilities, 8);
	assert_int_equal(s.rows, 9);
	/* the two Go binaries, jackson-databind, libcurl4 (a LOW), tar */
	assert_int_equal(s.total_components, 5);

	/* An empty list shows nothing: the --fail gate then never trips. */
	assert_int_equal(scan_output_summary(&s, image, none), ASEC_OK);
	assert_int_equal(s.total_vulnerabilities, 0);
	assert_int_equal(s.rows, 0);
	json_decref(image);
}

static void test_unknown_severity_name_is_refused(void **state)
{
	json_t *image = load_fixture("image-scan.json");
	const char *bad[] = {"LOW", "HIGH", NULL};
	struct scan_summary s;
	char *text = NULL;
	struct scan_output_options opts = {.severities = bad};

	(void)state;
	error_clear();
	assert_int_equal(scan_output_summary(&s, image, bad), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "\"HIGH\""));
	assert_int_equal(render(&text, image, SCAN_FORMAT_CSV, &opts), ASEC_EINVALID);
	assert_string_equal(text, ""); /* nothing half-written */
	free(text);
	json_decref(image);
}

static void test_vulnerability_severities_map_like_stackrox(void **state)
{
	json_t *image = json_pack("{s:{s:[{s:s, s:s, s:[{s:s, s:s}, {s:s}, {s:s, s:s}, {s:s, s:s}]}]}}", "scan",
				  "components", "name", "c", "version", "1", "vulns",
				  "cve", "CVE-1", "severity", "UNKNOWN_VULNERABILITY_SEVERITY",
				  "cve", "CVE-2",
				  "cve", "CVE-3", "severity", "critical",
				  "cve", "CVE-4", "severity", "IMPORTANT_VULNERABILITY_SEVERITY");
	const char *low[] = {"LOW", NULL};
	struct scan_summary s;

	(void)state;
	assert_non_null(image);
	assert_int_equal(scan_output_summary(&s, image, NULL), ASEC_OK);
	assert_int_equal(s.by_severity[SCAN_SEVERITY_LOW], 2); /* UNKNOWN and missing */
	assert_int_equal(s.by_severity[SCAN_SEVERITY_CRITICAL], 1);
	assert_int_equal(s.by_severity[SCAN_SEVERITY_IMPORTANT], 1);
	assert_int_equal(scan_output_summary(&s, image, low), ASEC_OK);
	assert_int_equal(s.rows, 2);
	json_decref(image);
}

/* ---- golden files ------------------------------------------------------- */

static void test_table_golden(void **state)
{
	json_t *image = load_fixture("image-scan.json");
	char *text = render_ok(image, SCAN_FORMAT_TABLE, NULL);

	(void)state;
	assert_golden(text, "image-scan.table");
	free(text);
	json_decref(image);
}

static void test_csv_golden(void **state)
{
	json_t *image = load_fixture("image-scan.json");
	char *text = render_ok(image, SCAN_FORMAT_CSV, NULL);

	(void)state;
	assert_golden(text, "image-scan.csv");
	free(text);
	json_decref(image);
}

static void test_json_golden(void **state)
{
	json_t *image = load_fixture("image-scan.json");
	char *text = render_ok(image, SCAN_FORMAT_JSON, NULL);

	(void)state;
	assert_golden(text, "image-scan.expected.json");
	free(text);
	json_decref(image);
}

static void test_hostile_table_and_csv_golden(void **state)
{
	json_t *image = load_fixture("image-scan-hostile.json");
	char *table = render_ok(image, SCAN_FORMAT_TABLE, NULL);
	char *csv = render_ok(image, SCAN_FORMAT_CSV, NULL);

	(void)state;
	assert_golden(table, "image-scan-hostile.table");
	assert_golden(csv, "image-scan-hostile.csv");
	free(table);
	free(csv);
	json_decref(image);
}

/* ---- json --------------------------------------------------------------- */

static int severity_rank(const char *name)
{
	enum scan_severity s;

	assert_int_equal(scan_output_parse_severity(&s, name), ASEC_OK);
	return (int)s;
}

/* The worst severity of each component name, from the output itself. */
static int name_max(const json_t *vulns, const char *name)
{
	const json_t *v;
	size_t i;
	int worst = -1, r;

	json_array_foreach(vulns, i, v) {
		if (strcmp(json_string_value(json_object_get(v, "componentName")), name) == 0) {
			r = severity_rank(json_string_value(json_object_get(v, "cveSeverity")));
			worst = r > worst ? r : worst;
		}
	}
	return worst;
}

static const json_t *find_vuln(const json_t *vulns, const char *cve)
{
	const json_t *v;
	size_t i;

	json_array_foreach(vulns, i, v)
		if (strcmp(json_string_value(json_object_get(v, "cveId")), cve) == 0)
			return v;
	fail_msg("%s not in the output", cve);
	return NULL;
}

static void test_json_schema_and_order(void **state)
{
	static const char *const keys[] = {
		"cveId", "cveSeverity", "cveCVSS", "cveInfo", "advisoryId", "advisoryInfo",
		"componentName", "componentVersion", "componentFixedVersion",
	};
	json_t *image = load_fixture("image-scan.json"), *out;
	char *text = render_ok(image, SCAN_FORMAT_JSON, NULL);
	const json_t *vulns, *v, *summary;
	json_error_t err;
	size_t i, k;

	(void)state;
	out = json_loads(text, JSON_REJECT_DUPLICATES, &err);
	assert_non_null(out);
	assert_int_equal(json_object_size(out), 1);
	summary = json_object_get(json_object_get(out, "result"), "summary");
	assert_int_equal(json_object_size(summary), 6);
	assert_int_equal(json_integer_value(json_object_get(summary, "TOTAL-VULNERABILITIES")), 16);
	assert_int_equal(json_integer_value(json_object_get(summary, "TOTAL-COMPONENTS")), 8);
	vulns = json_object_get(json_object_get(out, "result"), "vulnerabilities");
	assert_int_equal(json_array_size(vulns), 17);

	json_array_foreach(vulns, i, v) {
		assert_int_equal(json_object_size(v), 9);
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			const json_t *field = json_object_get(v, keys[k]);

			assert_non_null(field);
			if (strcmp(keys[k], "cveCVSS") == 0)
				assert_true(json_is_number(field));
			else
				assert_true(json_is_string(field));
		}
		if (i == 0)
			continue;
		/* StackRox's order: worst component first, then name, then
		 * severity, then CVSS, all descending except the name. */
		{
			const json_t *p = json_array_get(vulns, i - 1);
			const char *pn = json_string_value(json_object_get(p, "componentName"));
			const char *n = json_string_value(json_object_get(v, "componentName"));
			int pm = name_max(vulns, pn), m = name_max(vulns, n), c = strcmp(pn, n);
			int ps = severity_rank(json_string_value(json_object_get(p, "cveSeverity")));
			int s = severity_rank(json_string_value(json_object_get(v, "cveSeverity")));

			assert_true(pm >= m);
			if (pm == m) {
				assert_true(c <= 0);
				if (c == 0) {
					assert_true(ps >= s);
					if (ps == s)
						assert_true(json_number_value(json_object_get(p, "cveCVSS")) >=
							    json_number_value(json_object_get(v, "cveCVSS")));
				}
			}
		}
	}
	assert_string_equal(json_string_value(json_object_get(json_array_get(vulns, 0), "cveId")), "CVE-2023-38545");
	assert_string_equal(json_string_value(json_object_get(json_array_get(vulns, 16), "cveId")), "CVE-2022-48303");

	/* CVSS: none is 0; a v3-only finding gets its v3 score; whole numbers
	 * are integers, as Go prints a float32. */
	assert_true(json_is_integer(json_object_get(find_vuln(vulns, "CVE-2022-48303"), "cveCVSS")));
	assert_int_equal(json_integer_value(json_object_get(find_vuln(vulns, "CVE-2022-48303"), "cveCVSS")), 0);
	assert_true(json_number_value(json_object_get(find_vuln(vulns, "CVE-2024-35195"), "cveCVSS")) == 5.6);
	assert_true(json_is_integer(json_object_get(find_vuln(vulns, "CVE-2005-2541"), "cveCVSS")));
	assert_int_equal(json_integer_value(json_object_get(find_vuln(vulns, "CVE-2005-2541"), "cveCVSS")), 10);
	assert_string_equal(json_string_value(json_object_get(find_vuln(vulns, "CVE-2023-45853"),
							      "componentFixedVersion")), "");
	assert_string_equal(json_string_value(json_object_get(find_vuln(vulns, "CVE-2024-5535"), "advisoryId")),
			    "DSA-5724-1");
	assert_string_equal(json_string_value(json_object_get(find_vuln(vulns, "CVE-2022-48303"), "cveSeverity")),
			    "LOW");
	/* No float noise: 9.8 prints as 9.8. */
	assert_non_null(strstr(text, "\"cveCVSS\": 9.8,"));
	assert_null(strstr(text, "9.800"));
	json_decref(out);
	free(text);
	json_decref(image);
}

static void test_empty_scan(void **state)
{
	json_t *image = json_pack("{s:s, s:{s:s}, s:n}", "id", "sha256:1", "name", "fullName", "alpine:3.20", "scan");
	char *json = render_ok(image, SCAN_FORMAT_JSON, NULL), *csv, *table, *sarif;
	json_t *out, *run;

	(void)state;
	out = json_loads(json, 0, NULL);
	assert_non_null(out);
	/* StackRox leaves the key out when there is nothing to list. */
	assert_null(json_object_get(json_object_get(out, "result"), "vulnerabilities"));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(out, "result"), "summary"),
							    "TOTAL-VULNERABILITIES")), 0);
	json_decref(out);

	csv = render_ok(image, SCAN_FORMAT_CSV, NULL);
	assert_string_equal(csv, "COMPONENT,VERSION,CVE,SEVERITY,LINK,FIXED_VERSION\n");
	table = render_ok(image, SCAN_FORMAT_TABLE, NULL);
	assert_non_null(strstr(table, "Scan results for image: alpine:3.20\n(TOTAL-COMPONENTS: 0, TOTAL-VULNERABILITIES: 0,"));
	assert_non_null(strstr(table, "| COMPONENT |"));
	assert_null(strstr(table, "A total of"));
	sarif = render_ok(image, SCAN_FORMAT_SARIF, NULL);
	out = json_loads(sarif, 0, NULL);
	run = json_array_get(json_object_get(out, "runs"), 0);
	assert_int_equal(json_array_size(json_object_get(run, "results")), 0);
	assert_int_equal(json_array_size(json_object_get(json_object_get(json_object_get(run, "tool"), "driver"),
							  "rules")), 0);
	json_decref(out);
	free(json);
	free(csv);
	free(table);
	free(sarif);
	json_decref(image);
}

/* ---- csv and table escaping --------------------------------------------- */

static void test_csv_quotes_what_it_must(void **state)
{
	json_t *image = json_pack("{s:{s:[{s:s, s:s, s:[{s:s, s:s, s:s, s:s}]}, {s:s, s:s, s:[{s:s, s:s}]}]}}",
				  "scan", "components",
				  "name", "a,b", "version", "say \"hi\"", "vulns",
				  "cve", "CVE-1", "severity", "CRITICAL_VULNERABILITY_SEVERITY", "link", "two\nlines",
				  "fixedBy", "\r",
				  "name", " lead", "version", "plain", "vulns",
				  "cve", "CVE-2", "severity", "LOW_VULNERABILITY_SEVERITY");
	char *csv = render_ok(image, SCAN_FORMAT_CSV, NULL);

	(void)state;
	assert_string_equal(csv, "COMPONENT,VERSION,CVE,SEVERITY,LINK,FIXED_VERSION\n"
				 "\"a,b\",\"say \"\"hi\"\"\",CVE-1,CRITICAL,\"two\nlines\",\"\r\"\n"
				 "\" lead\",plain,CVE-2,LOW,,\n");
	free(csv);
	json_decref(image);
}

/* Display columns of a line of the hostile table: its text is ASCII, Latin-1
 * letters (one column) and CJK ideographs (two). */
static size_t line_columns(const char *line, size_t len)
{
	size_t i, cols = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c < 0x80)
			cols++;
		else if (c >= 0xe3 && c <= 0xe9) /* a three-byte CJK ideograph */
			cols += 2;
		else if (c >= 0xc0 && c < 0xe0)
			cols++;
	}
	return cols;
}

static void test_table_is_safe_and_aligned(void **state)
{
	json_t *image = load_fixture("image-scan-hostile.json");
	char *table = render_ok(image, SCAN_FORMAT_TABLE, NULL);
	const char *line, *nl;
	size_t width = 0, lines = 0;

	(void)state;
	/* Nothing from the image may drive the terminal. */
	assert_null(strchr(table, '\x1b'));
	assert_null(strstr(table, "\xe2\x80\xae")); /* U+202E RIGHT-TO-LEFT OVERRIDE */
	assert_null(strchr(table, '\t'));
	assert_non_null(strstr(table, "?[31mred?[0m?gnp.exe"));
	/* The long name is cut to its column, the short ones are not. */
	assert_non_null(strstr(table, "| org.example.enterprise.platform.share... |"));
	assert_null(strstr(table, "observability-metrics-exporter-core"));
	assert_non_null(strstr(table, "café-日本語"));

	/* Every line of the grid is as wide as every other, in columns. */
	line = strstr(table, "+-");
	assert_non_null(line);
	for (size_t at = (size_t)(line - table), end; table[at]; at = end + 1) {
		nl = strchr(table + at, '\n');
		assert_non_null(nl);
		end = (size_t)(nl - table);
		if (table[at] != '+' && table[at] != '|')
			break;
		if (!width)
			width = line_columns(table + at, end - at);
		assert_int_equal(line_columns(table + at, end - at), width);
		lines++;
	}
	assert_int_equal(lines, 3 + 5 * 2);
	free(table);
	json_decref(image);
}

static void test_colour_only_on_severity_cells(void **state)
{
	json_t *image = load_fixture("image-scan.json");
	struct scan_output_options opts = {.colour = true};
	char *plain = render_ok(image, SCAN_FORMAT_TABLE, NULL);
	char *coloured = render_ok(image, SCAN_FORMAT_TABLE, &opts);
	char *csv = render_ok(image, SCAN_FORMAT_CSV, &opts);

	(void)state;
	assert_null(strchr(plain, '\x1b'));
	assert_null(strchr(csv, '\x1b'));
	assert_int_equal(count_of(coloured, "\x1b[1;31mCRITICAL\x1b[0m"), 3);
	assert_int_equal(count_of(coloured, "\x1b[31mIMPORTANT\x1b[0m"), 6);
	assert_int_equal(count_of(coloured, "\x1b[33mMODERATE\x1b[0m"), 5);
	assert_int_equal(count_of(coloured, "\x1b[36mLOW\x1b[0m"), 3);
	assert_int_equal(count_of(coloured, "\x1b["), 2 * 17);
	/* Colour codes take no columns: the text is the same without them. */
	assert_int_equal(strlen(coloured), strlen(plain) + 17 * strlen("\x1b[0m") + 3 * strlen("\x1b[1;31m") +
						   14 * strlen("\x1b[31m"));
	free(plain);
	free(coloured);
	free(csv);
	json_decref(image);
}

/* ---- sarif -------------------------------------------------------------- */

static void test_sarif_structure(void **state)
{
	static const char *const level[] = {"note", "warning", "error", "error"};
	static const char *const security[] = {"3.3", "4.8", "7.9", "9.1"};
	json_t *image = load_fixture("image-scan.json"), *log;
	struct scan_output_options opts = {.tool_version = "9.9.9-test"};
	char *text = render_ok(image, SCAN_FORMAT_SARIF, &opts);
	const json_t *run, *driver, *rules, *results, *res, *rule;
	size_t i, j, uses_x_net = 0;

	(void)state;
	log = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(log);
	assert_string_equal(json_string_value(json_object_get(log, "version")), "2.1.0");
	assert_non_null(strstr(json_string_value(json_object_get(log, "$schema")), "sarif-schema-2.1.0.json"));
	assert_int_equal(json_array_size(json_object_get(log, "runs")), 1);
	run = json_array_get(json_object_get(log, "runs"), 0);
	driver = json_object_get(json_object_get(run, "tool"), "driver");
	assert_string_equal(json_string_value(json_object_get(driver, "name")), "roxctl");
	assert_string_equal(json_string_value(json_object_get(driver, "version")), "9.9.9-test");
	assert_null(json_object_get(driver, "informationUri")); /* optional in SARIF; the project names no public home */
	rules = json_object_get(driver, "rules");
	results = json_object_get(run, "results");
	/* One rule per CVE per component version: the Go module's CVE found
	 * in two binaries is one rule with two results. */
	assert_int_equal(json_array_size(rules), 16);
	assert_int_equal(json_array_size(results), 17);

	json_array_foreach(rules, i, rule) {
		const json_t *props = json_object_get(rule, "properties"), *tags = json_object_get(props, "tags");
		const char *sev = json_string_value(json_array_get(tags, json_array_size(tags) - 1));

		for (j = 0; j < i; j++)
			assert_string_not_equal(json_string_value(json_object_get(rule, "id")),
						json_string_value(json_object_get(json_array_get(rules, j), "id")));
		assert_string_equal(json_string_value(json_array_get(tags, 0)), "security");
		assert_string_equal(json_string_value(json_object_get(props, "security-severity")),
				    security[severity_rank(sev)]);
		assert_non_null(json_string_value(json_object_get(json_object_get(rule, "shortDescription"), "text")));
		assert_non_null(json_string_value(json_object_get(json_object_get(rule, "help"), "text")));
		assert_non_null(json_string_value(json_object_get(json_object_get(rule, "help"), "markdown")));
		assert_int_equal(strncmp(json_string_value(json_object_get(rule, "helpUri")), "https://", 8), 0);
	}
	json_array_foreach(results, i, res) {
		const char *id = json_string_value(json_object_get(res, "ruleId"));
		size_t index = (size_t)json_integer_value(json_object_get(res, "ruleIndex"));
		const json_t *tags;
		const json_t *loc = json_object_get(json_array_get(json_object_get(res, "locations"), 0),
						    "physicalLocation");

		assert_true(index < json_array_size(rules));
		rule = json_array_get(rules, index);
		assert_string_equal(json_string_value(json_object_get(rule, "id")), id);
		tags = json_object_get(json_object_get(rule, "properties"), "tags");
		assert_string_equal(json_string_value(json_object_get(res, "level")),
				    level[severity_rank(json_string_value(json_array_get(tags, 2)))]);
		assert_true(strlen(json_string_value(json_object_get(json_object_get(res, "message"), "text"))) > 0);
		assert_string_equal(json_string_value(json_object_get(json_object_get(loc, "artifactLocation"), "uri")),
				    "quay.io/acme/payments-api:2.4.1");
		if (strcmp(id, "CVE-2023-45288_golang.org/x/net_v0.15.0") == 0)
			uses_x_net++;
	}
	assert_int_equal(uses_x_net, 2);
	/* The finding without a fix says so; the one without CVSS shows none. */
	assert_non_null(strstr(text, "CVE-2023-45853 in zlib1g 1:1.2.13.dfsg-1: CRITICAL, CVSS 9.8, no fixed version."));
	assert_non_null(strstr(text, "CVE-2022-48303 in tar 1.34+dfsg-1.2: LOW, fixed in 1.34+dfsg-1.2+deb12u1."));
	assert_non_null(strstr(text, "(usr/local/bin/healthcheck)"));
	json_decref(log);
	free(text);
	json_decref(image);
}

static const json_t *rule_by_cve(const json_t *log, const char *cve)
{
	const json_t *rules = json_object_get(json_object_get(json_object_get(
		json_array_get(json_object_get(log, "runs"), 0), "tool"), "driver"), "rules");
	const json_t *rule;
	size_t i;

	json_array_foreach(rules, i, rule)
		if (strncmp(json_string_value(json_object_get(rule, "id")), cve, strlen(cve)) == 0)
			return rule;
	fail_msg("no rule for %s", cve);
	return NULL;
}

static void test_sarif_hostile_strings(void **state)
{
	json_t *image = load_fixture("image-scan-hostile.json"), *log;
	char *text = render_ok(image, SCAN_FORMAT_SARIF, NULL);
	const json_t *run, *rule;
	const char *md;

	(void)state;
	log = json_loads(text, 0, NULL);
	assert_non_null(log);
	run = json_array_get(json_object_get(log, "runs"), 0);
	/* A space and a colon before any scheme cannot stand in a URI. */
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(json_array_get(
				    json_object_get(json_array_get(json_object_get(run, "results"), 0), "locations"), 0),
				    "physicalLocation"), "artifactLocation"), "uri")),
			    "10.0.0.1%3A5000/team/evil%20image:1");
	/* javascript: and malformed links never become links. */
	rule = rule_by_cve(log, "CVE-2024-0001");
	assert_null(json_object_get(rule, "helpUri"));
	md = json_string_value(json_object_get(json_object_get(rule, "help"), "markdown"));
	assert_null(strstr(md, "](<javascript"));
	assert_null(strstr(md, "<script>"));
	assert_non_null(strstr(md, "\\<script\\>"));
	assert_non_null(strstr(md, "\\# Not a heading")); /* and on the same line as the rest */
	assert_null(strchr(md, '\x1b'));
	rule = rule_by_cve(log, "CVE-2024-0002");
	assert_null(json_object_get(rule, "helpUri")); /* "https://example.com/a b" */
	md = json_string_value(json_object_get(json_object_get(rule, "help"), "markdown"));
	assert_null(strchr(md, '\x1b'));
	assert_null(strstr(md, "\xe2\x80\xae"));
	rule = rule_by_cve(log, "CVE-2024-0004");
	assert_null(json_object_get(rule, "helpUri")); /* non-ASCII */
	md = json_string_value(json_object_get(json_object_get(rule, "help"), "markdown"));
	assert_non_null(strstr(md, "Überlauf \\| pipe \\* star \\_ under"));
	assert_non_null(strstr(md, "[GHSA\\-xxxx\\-yyyy\\-zzzz](<https://github.com/advisories/GHSA-xxxx-yyyy-zzzz>)"));
	json_decref(log);
	free(text);
	json_decref(image);
}

static void test_image_ref_option(void **state)
{
	json_t *image = load_fixture("image-scan.json");
	struct scan_output_options opts = {.image_ref = "payments:latest"};
	char *table = render_ok(image, SCAN_FORMAT_TABLE, &opts);
	char *sarif = render_ok(image, SCAN_FORMAT_SARIF, &opts);

	(void)state;
	assert_int_equal(strncmp(table, "Scan results for image: payments:latest\n", 40), 0);
	assert_int_equal(count_of(sarif, "\"uri\": \"payments:latest\""), 17);
	free(table);
	free(sarif);
	json_decref(image);
}

static void test_sarif_artifact_uri(void **state)
{
	static const char *const cases[][2] = {
		{"nginx:1.25", "nginx:1.25"},                  /* reads as scheme "nginx": valid */
		{"localhost:5000/team/app:1", "localhost:5000/team/app:1"},
		{"quay.io/a/b@sha256:0123abcd", "quay.io/a/b@sha256:0123abcd"},
		{"my_registry:5000/app:1", "my_registry%3A5000/app:1"}, /* "_" cannot be in a scheme */
		{"10.0.0.1:5000/app:1", "10.0.0.1%3A5000/app:1"},       /* nor can a leading digit */
		{"reg/a b#c?d%e\"f", "reg/a%20b%23c%3Fd%25e%22f"},
		{"r\xc3\xa9g/app", "r%C3%A9g/app"},
	};
	json_t *image = load_fixture("image-scan.json");
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scan_output_options opts = {.image_ref = cases[i][0], .severities = (const char *[]){"LOW", NULL}};
		char *sarif = render_ok(image, SCAN_FORMAT_SARIF, &opts);
		json_t *log = json_loads(sarif, 0, NULL);
		const json_t *res = json_array_get(json_object_get(json_array_get(json_object_get(log, "runs"), 0),
								   "results"), 0);
		const char *uri = json_string_value(json_object_get(json_object_get(json_object_get(json_array_get(
			json_object_get(res, "locations"), 0), "physicalLocation"), "artifactLocation"), "uri"));

		assert_non_null(uri);
		assert_string_equal(uri, cases[i][1]);
		json_decref(log);
		free(sarif);
	}
	json_decref(image);
}

/* ---- failures ------------------------------------------------------------ */

static void test_bad_arguments(void **state)
{
	json_t *image = load_fixture("image-scan.json"), *array = json_array();
	enum scan_format fmt;
	enum scan_severity sev;
	char *text = NULL;

	(void)state;
	assert_int_equal(scan_output_write(NULL, image, SCAN_FORMAT_JSON, NULL), ASEC_EINVALID);
	assert_int_equal(scan_output_write(stdout, NULL, SCAN_FORMAT_JSON, NULL), ASEC_EINVALID);
	assert_int_equal(render(&text, array, SCAN_FORMAT_JSON, NULL), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "not a JSON object"));
	free(text);
	assert_int_equal(render(&text, image, (enum scan_format)42, NULL), ASEC_EINVALID);
	free(text);

	assert_int_equal(scan_output_parse_format(&fmt, "SARIF"), ASEC_OK);
	assert_int_equal(fmt, SCAN_FORMAT_SARIF);
	assert_int_equal(scan_output_parse_format(&fmt, "csv"), ASEC_OK);
	assert_int_equal(fmt, SCAN_FORMAT_CSV);
	assert_int_equal(scan_output_parse_format(&fmt, "yaml"), ASEC_EINVALID);
	assert_int_equal(scan_output_parse_format(&fmt, NULL), ASEC_EINVALID);
	assert_int_equal(scan_output_parse_severity(&sev, "moderate"), ASEC_OK);
	assert_int_equal(sev, SCAN_SEVERITY_MODERATE);
	assert_int_equal(scan_output_parse_severity(&sev, "CRITICAL_VULNERABILITY_SEVERITY"), ASEC_OK);
	assert_int_equal(sev, SCAN_SEVERITY_CRITICAL);
	assert_int_equal(scan_output_parse_severity(&sev, "UNKNOWN_VULNERABILITY_SEVERITY"), ASEC_EINVALID);
	assert_int_equal(scan_output_parse_severity(&sev, "_VULNERABILITY_SEVERITY"), ASEC_EINVALID);
	assert_int_equal(scan_output_parse_severity(&sev, "LO"), ASEC_EINVALID);
	assert_string_equal(scan_output_severity_name(SCAN_SEVERITY_IMPORTANT), "IMPORTANT");
	json_decref(array);
	json_decref(image);
}

static void test_write_failure_is_reported(void **state)
{
	json_t *image = load_fixture("image-scan.json");
	enum scan_format fmts[] = {SCAN_FORMAT_TABLE, SCAN_FORMAT_JSON, SCAN_FORMAT_CSV, SCAN_FORMAT_SARIF};
	size_t i;

	(void)state;
	if (access("/dev/full", W_OK) != 0) {
		json_decref(image);
		skip();
	}
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		FILE *f = fopen("/dev/full", "w");

		assert_non_null(f);
		error_clear();
		assert_int_equal(scan_output_write(f, image, fmts[i], NULL), ASEC_EIO);
		assert_non_null(strstr(error_last(), "writing"));
		fclose(f);
	}
	json_decref(image);
}

static void test_row_limit(void **state)
{
	json_t *image = load_fixture("image-scan.json");
	struct scan_output_options opts = {.max_rows = 16};
	char *text = NULL;

	(void)state;
	assert_int_equal(render(&text, image, SCAN_FORMAT_CSV, &opts), ASEC_ETOOBIG);
	assert_non_null(strstr(error_last(), "more than 16"));
	free(text);
	opts.max_rows = 17;
	text = render_ok(image, SCAN_FORMAT_CSV, &opts);
	assert_int_equal(count_of(text, "\n"), 18);
	free(text);
	json_decref(image);
}

static void test_wrong_types_are_absent(void **state)
{
	/* Only the last component is usable; its name is a number. */
	json_t *image = json_pack("{s:{s:[s, i, {s:{}}, {s:i, s:s, s:[s, i, {s:s, s:s, s:s}]}]}}", "scan",
				  "components", "text", 7, "vulns",
				  "name", 5, "version", "1", "vulns", "x", 3,
				  "cve", "CVE-9", "severity", "LOW_VULNERABILITY_SEVERITY", "cvss", "high");
	char *csv = render_ok(image, SCAN_FORMAT_CSV, NULL);
	char *json = render_ok(image, SCAN_FORMAT_JSON, NULL);
	char *sarif = render_ok(image, SCAN_FORMAT_SARIF, NULL);

	(void)state;
	assert_string_equal(csv, "COMPONENT,VERSION,CVE,SEVERITY,LINK,FIXED_VERSION\n,1,CVE-9,LOW,,\n");
	assert_non_null(strstr(json, "\"cveCVSS\": 0,"));
	assert_non_null(strstr(sarif, "\"uri\": \"image\""));
	free(csv);
	free(json);
	free(sarif);
	json_decref(image);

	image = json_pack("{s:{s:s}}", "scan", "components", "not a list");
	csv = render_ok(image, SCAN_FORMAT_CSV, NULL);
	assert_string_equal(csv, "COMPONENT,VERSION,CVE,SEVERITY,LINK,FIXED_VERSION\n");
	free(csv);
	json_decref(image);
}

static void test_malformed_utf8_from_a_caller(void **state)
{
	/* A tree built with the _nocheck constructors may hold bytes that are
	 * not UTF-8: JSON output repairs them, the table shows '?'. */
	json_t *vuln = json_pack("{s:s, s:s}", "cve", "CVE-7", "severity", "LOW_VULNERABILITY_SEVERITY");
	json_t *comp = json_pack("{s:o, s:s, s:[o]}", "name", json_stringn_nocheck("bad\xff\xfename", 9),
				 "version", "1", "vulns", vuln);
	json_t *image = json_pack("{s:{s:[o]}}", "scan", "components", comp);
	char *json = render_ok(image, SCAN_FORMAT_JSON, NULL);
	char *table = render_ok(image, SCAN_FORMAT_TABLE, NULL);
	char *sarif = render_ok(image, SCAN_FORMAT_SARIF, NULL);
	json_t *parsed = json_loads(sarif, 0, NULL);

	(void)state;
	assert_non_null(strstr(json, "\"componentName\": \"bad\xef\xbf\xbd\xef\xbf\xbdname\""));
	assert_non_null(strstr(table, " bad??name "));
	assert_non_null(parsed); /* still valid JSON, so still valid SARIF */
	json_decref(parsed);
	free(json);
	free(table);
	free(sarif);
	json_decref(image);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary_counts_distinct_cves),
		cmocka_unit_test(test_summary_follows_the_severity_filter),
		cmocka_unit_test(test_unknown_severity_name_is_refused),
		cmocka_unit_test(test_vulnerability_severities_map_like_stackrox),
		cmocka_unit_test(test_table_golden),
		cmocka_unit_test(test_csv_golden),
		cmocka_unit_test(test_json_golden),
		cmocka_unit_test(test_hostile_table_and_csv_golden),
		cmocka_unit_test(test_json_schema_and_order),
		cmocka_unit_test(test_empty_scan),
		cmocka_unit_test(test_csv_quotes_what_it_must),
		cmocka_unit_test(test_table_is_safe_and_aligned),
		cmocka_unit_test(test_colour_only_on_severity_cells),
		cmocka_unit_test(test_sarif_structure),
		cmocka_unit_test(test_sarif_hostile_strings),
		cmocka_unit_test(test_image_ref_option),
		cmocka_unit_test(test_sarif_artifact_uri),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_write_failure_is_reported),
		cmocka_unit_test(test_row_limit),
		cmocka_unit_test(test_wrong_types_are_absent),
		cmocka_unit_test(test_malformed_utf8_from_a_caller),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
