/*
 * check_output_test.c - the policy check report and its four formats,
 * from hand-written StackRox-shaped detection answers in testdata/.
 *
 * Golden files pin the table and the JUnit layout (they were made with
 * check-output-dump and read line by line against StackRox's own test
 * data); JSON and SARIF are parsed back and checked field by field, since
 * their layout is jansson's. The enforcement decision is checked per
 * action and per kind of check, because it is what decides a CI job.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check_output.h"
#include "error/error.h"

#ifndef CHECK_TESTDATA
#define CHECK_TESTDATA "services/roxctl/testdata"
#endif

static json_t *load(const char *name)
{
	char path[512];
	json_error_t jerr;
	json_t *j;

	snprintf(path, sizeof(path), "%s/%s", CHECK_TESTDATA, name);
	j = json_load_file(path, 0, &jerr);
	if (!j)
		fail_msg("cannot load %s: %s", path, jerr.text);
	return j;
}

static char *slurp(const char *name)
{
	char path[512], *data;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", CHECK_TESTDATA, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	data = calloc(1, (size_t)n + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return data;
}

static struct check_report *image_report(const char *file, const char *ref)
{
	struct check_report *r;
	json_t *answer = load(file);

	assert_int_equal(check_report_new(&r, CHECK_KIND_IMAGE), ASEC_OK);
	assert_int_equal(check_report_add_build(r, answer, ref), ASEC_OK);
	json_decref(answer); /* the report holds copies */
	return r;
}

static struct check_report *deploy_report(void)
{
	struct check_report *r;
	json_t *answer = load("check-deploy-response.json");

	assert_int_equal(check_report_new(&r, CHECK_KIND_DEPLOYMENT), ASEC_OK);
	assert_int_equal(check_report_add_deploy(r, answer, "k8s/wordpress.yaml", NULL), ASEC_OK);
	json_decref(answer);
	return r;
}

static char *render(const struct check_report *r, enum check_format fmt, bool colour)
{
	struct check_output_options o = {.colour = colour, .tool_version = "0.0.0-test"};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	if (check_report_write(f, r, fmt, &o) != ASEC_OK)
		fail_msg("check_report_write: %s", error_last());
	fclose(f);
	return text;
}

static void assert_golden(const char *text, const char *golden)
{
	char *want = slurp(golden);

	if (strcmp(text, want) != 0)
		fail_msg("output differs from %s:\n%s", golden, text);
	free(want);
}

/* ---- the decision -------------------------------------------------------------------------- */

static void test_enforcement_decision(void **state)
{
	static const struct {
		const char *action;
		bool image, deploy;
	} rows[] = {
		{"FAIL_BUILD_ENFORCEMENT", true, false},
		{"SCALE_TO_ZERO_ENFORCEMENT", false, true},
		{"UNSATISFIABLE_NODE_CONSTRAINT_ENFORCEMENT", false, true},
		{"FAIL_DEPLOYMENT_CREATE_ENFORCEMENT", false, true},
		{"FAIL_DEPLOYMENT_UPDATE_ENFORCEMENT", false, true},
		{"KILL_POD_ENFORCEMENT", false, false},
		{"FAIL_KUBE_REQUEST_ENFORCEMENT", false, false},
		{"UNSET_ENFORCEMENT", false, false},
		{"fail_build_enforcement", false, false},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_t *p = json_pack("{s:[s]}", "enforcementActions", rows[i].action);
		if (check_output_policy_fails(CHECK_KIND_IMAGE, p) != rows[i].image ||
		    check_output_policy_fails(CHECK_KIND_DEPLOYMENT, p) != rows[i].deploy)
			fail_msg("row %zu: %s", i, rows[i].action);
		json_decref(p);
	}
	/* one failing action among others is enough; no actions or a wrong type is none */
	{
		json_t *p = json_pack("{s:[s, i, s]}", "enforcementActions", "KILL_POD_ENFORCEMENT", 3,
				      "FAIL_BUILD_ENFORCEMENT");
		assert_true(check_output_policy_fails(CHECK_KIND_IMAGE, p));
		json_decref(p);
		p = json_pack("{s:s}", "enforcementActions", "FAIL_BUILD_ENFORCEMENT");
		assert_false(check_output_policy_fails(CHECK_KIND_IMAGE, p));
		json_decref(p);
		assert_false(check_output_policy_fails(CHECK_KIND_IMAGE, NULL));
	}
}

static void test_parsers(void **state)
{
	enum check_format f;

	(void)state;
	assert_int_equal(check_output_parse_severity("CRITICAL_SEVERITY"), CHECK_SEVERITY_CRITICAL);
	assert_int_equal(check_output_parse_severity("high"), CHECK_SEVERITY_HIGH);
	assert_int_equal(check_output_parse_severity("Medium_Severity"), CHECK_SEVERITY_MEDIUM);
	assert_int_equal(check_output_parse_severity("LOW_SEVERITY"), CHECK_SEVERITY_LOW);
	assert_int_equal(check_output_parse_severity("UNSET_SEVERITY"), CHECK_SEVERITY_LOW);
	assert_int_equal(check_output_parse_severity("_SEVERITY"), CHECK_SEVERITY_LOW);
	assert_int_equal(check_output_parse_severity(NULL), CHECK_SEVERITY_LOW);
	assert_int_equal(check_output_parse_format(&f, "JUnit"), ASEC_OK);
	assert_int_equal(f, CHECK_FORMAT_JUNIT);
	assert_int_equal(check_output_parse_format(&f, "sarif"), ASEC_OK);
	assert_int_equal(f, CHECK_FORMAT_SARIF);
	assert_int_equal(check_output_parse_format(&f, "csv"), ASEC_EINVALID);
	assert_int_equal(check_output_parse_format(&f, NULL), ASEC_EINVALID);
}

/* ---- the report ---------------------------------------------------------------------------- */

static void test_image_summary_and_merge(void **state)
{
	struct check_report *r = image_report("check-image-alerts.json", "nginx:test");
	struct check_summary s;

	(void)state;
	check_report_summary(&s, r);
	/* two alerts of one policy are one violated policy */
	assert_int_equal(s.total, 4);
	assert_int_equal(s.by_severity[CHECK_SEVERITY_CRITICAL], 1);
	assert_int_equal(s.by_severity[CHECK_SEVERITY_HIGH], 1);
	assert_int_equal(s.by_severity[CHECK_SEVERITY_MEDIUM], 1);
	assert_int_equal(s.by_severity[CHECK_SEVERITY_LOW], 1);
	/* FAIL_BUILD fails an image check; SCALE_TO_ZERO does not */
	assert_int_equal(s.failing, 2);
	assert_int_equal(s.entities, 1);
	check_report_free(r);
}

static void test_deploy_summary(void **state)
{
	struct check_report *r = deploy_report();
	struct check_summary s;

	(void)state;
	check_report_summary(&s, r);
	assert_int_equal(s.entities, 2); /* the clean DaemonSet counts too */
	assert_int_equal(s.total, 2);
	/* SCALE_TO_ZERO fails a deployment check; FAIL_BUILD does not */
	assert_int_equal(s.failing, 1);
	check_report_free(r);
}

static void test_table_golden(void **state)
{
	struct check_report *r = image_report("check-image-alerts.json", "nginx:test");
	char *t = render(r, CHECK_FORMAT_TABLE, false);

	(void)state;
	assert_golden(t, "check-image.table");
	free(t);
	check_report_free(r);
	r = deploy_report();
	t = render(r, CHECK_FORMAT_TABLE, false);
	assert_golden(t, "check-deploy.table");
	assert_non_null(strstr(t, "Policy check results for deployments: [metrics wordpress]\n"
				  "(TOTAL: 2, LOW: 1, MEDIUM: 0, HIGH: 1, CRITICAL: 0)\n"));
	assert_non_null(strstr(t, "Policies that break the deployment: \"Privileged Container\" (wordpress)\n"));
	free(t);
	check_report_free(r);
}

static void test_table_colour(void **state)
{
	struct check_report *r = image_report("check-image-alerts.json", "nginx:test");
	char *plain = render(r, CHECK_FORMAT_TABLE, false), *coloured = render(r, CHECK_FORMAT_TABLE, true);

	(void)state;
	assert_null(strchr(plain, '\x1b'));
	assert_non_null(strstr(coloured, "\x1b[1;31mCRITICAL\x1b[0m"));
	assert_non_null(strstr(coloured, "\x1b[36mLOW\x1b[0m"));
	free(plain);
	free(coloured);
	check_report_free(r);
}

/* Hostile strings: nothing that steers a terminal, every line of the table
 * as wide as the border, long words split. */
static void test_table_hostile(void **state)
{
	struct check_report *r = image_report("check-hostile-alerts.json", "x");
	char *t = render(r, CHECK_FORMAT_TABLE, false), *line, *save = NULL;
	size_t border = 0;

	(void)state;
	assert_golden(t, "check-hostile.table");
	free(t);
	t = render(r, CHECK_FORMAT_TABLE, true);
	assert_null(strstr(t, "\x1b[31mred"));
	assert_null(strstr(t, "\xe2\x80\xae")); /* U+202E */
	assert_null(strchr(t, '\a'));
	assert_null(strchr(t, '\t'));
	assert_null(strstr(t, "averyveryveryveryveryveryveryveryveryverylongwordthatmustbesplit"));
	for (line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t w = 0;
		const unsigned char *p;
		if (line[0] != '+' && line[0] != '|')
			continue;
		/* columns: CJK counts 2, colour sequences 0, other code points 1 */
		for (p = (const unsigned char *)line; *p; p++) {
			if (*p == 0x1b) {
				while (*p && *p != 'm')
					p++;
				continue;
			}
			if ((*p & 0xc0) == 0x80)
				continue;
			w += *p >= 0xe4 && *p <= 0xe9 ? 2 : 1; /* U+4E00..U+9FFF */
		}
		if (!border)
			border = w;
		if (w != border)
			fail_msg("line of width %zu, border %zu: %s", w, border, line);
	}
	free(t);
	check_report_free(r);
}

static void test_json(void **state)
{
	struct check_report *r = image_report("check-image-alerts.json", "nginx:test");
	char *t = render(r, CHECK_FORMAT_JSON, true);
	json_error_t jerr;
	json_t *j = json_loads(t, 0, &jerr), *res, *pols;
	static const char *const order[] = {"Curl in Image", "Fixable Severity at least Important",
					    "Ubuntu Package Manager in Image", "Latest tag"};
	size_t i;

	(void)state;
	assert_non_null(j);
	assert_null(strchr(t, '\x1b')); /* colour is for tables only */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "summary"), "TOTAL")), 4);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "summary"), "CRITICAL")), 1);
	res = json_array_get(json_object_get(j, "results"), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(res, "metadata"), "id")), "nginx:test");
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(json_object_get(res, "metadata"), "additionalInfo"), "type")),
			    "image");
	pols = json_object_get(res, "violatedPolicies");
	assert_int_equal(json_array_size(pols), 4);
	for (i = 0; i < 4; i++)
		assert_string_equal(json_string_value(json_object_get(json_array_get(pols, i), "name")), order[i]);
	assert_true(json_is_true(json_object_get(json_array_get(pols, 0), "failingCheck")));
	assert_true(json_is_true(json_object_get(json_array_get(pols, 1), "failingCheck")));
	assert_true(json_is_false(json_object_get(json_array_get(pols, 2), "failingCheck")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(pols, 1), "severity")), "HIGH");
	/* merged violations, in alert order */
	assert_int_equal(json_array_size(json_object_get(json_array_get(pols, 1), "violation")), 3);
	assert_non_null(strstr(json_string_value(json_array_get(json_object_get(json_array_get(pols, 1), "violation"), 2)),
			       "CVE-2023-0003"));
	/* StackRox's key order: results before summary */
	assert_true(strstr(t, "\"results\"") < strstr(t, "\"summary\": {\n    \"CRITICAL\""));
	json_decref(j);
	free(t);
	check_report_free(r);

	/* a clean image: its entity with zeros, no violatedPolicies */
	{
		json_t *answer = json_pack("{s:[]}", "alerts");
		assert_int_equal(check_report_new(&r, CHECK_KIND_IMAGE), ASEC_OK);
		assert_int_equal(check_report_add_build(r, answer, "clean:1"), ASEC_OK);
		t = render(r, CHECK_FORMAT_JSON, false);
		j = json_loads(t, 0, &jerr);
		assert_non_null(j);
		res = json_array_get(json_object_get(j, "results"), 0);
		assert_null(json_object_get(res, "violatedPolicies"));
		assert_int_equal(json_integer_value(json_object_get(json_object_get(res, "summary"), "TOTAL")), 0);
		json_decref(j);
		free(t);
		t = render(r, CHECK_FORMAT_TABLE, false);
		assert_non_null(strstr(t, "(TOTAL: 0, LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0)"));
		assert_non_null(strstr(t, "No violated policy breaks the build.\n"));
		free(t);
		json_decref(answer);
		check_report_free(r);
	}
}

static void test_junit(void **state)
{
	struct check_report *r = image_report("check-image-alerts.json", "nginx:test");
	char *t = render(r, CHECK_FORMAT_JUNIT, false);

	(void)state;
	assert_golden(t, "check-image.junit.xml");
	free(t);
	check_report_free(r);

	r = image_report("check-hostile-alerts.json", "a<b>&\"c\"");
	t = render(r, CHECK_FORMAT_JUNIT, false);
	assert_non_null(strstr(t, "<testsuite name=\"a&lt;b&gt;&amp;&quot;c&quot;\""));
	assert_non_null(strstr(t, "&lt;b&gt;&amp;amp;&lt;/b&gt;"));
	assert_non_null(strstr(t, "?? xml-illegal")); /* what XML cannot hold is replaced */
	assert_null(strstr(t, "line one"));             /* remediation is not in JUnit */
	assert_null(strstr(t, "\x1b"));
	assert_null(strstr(t, "\xef\xbf\xbe")); /* U+FFFE cannot be in XML */
	assert_null(strstr(t, "<b>"));
	free(t);
	check_report_free(r);
}

static void test_sarif(void **state)
{
	struct check_report *r = deploy_report();
	char *t = render(r, CHECK_FORMAT_SARIF, false);
	json_t *j = json_loads(t, 0, NULL), *run, *rules, *results, *res;
	size_t i, errors = 0;

	(void)state;
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "version")), "2.1.0");
	run = json_array_get(json_object_get(j, "runs"), 0);
	rules = json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "rules");
	results = json_object_get(run, "results");
	assert_int_equal(json_array_size(rules), 2);
	assert_int_equal(json_array_size(results), 3); /* one per violation */
	json_array_foreach(results, i, res) {
		size_t index = (size_t)json_integer_value(json_object_get(res, "ruleIndex"));
		const json_t *rule = json_array_get(rules, index);
		const char *level = json_string_value(json_object_get(res, "level"));
		assert_string_equal(json_string_value(json_object_get(res, "ruleId")),
				    json_string_value(json_object_get(rule, "id")));
		errors += strcmp(level, "error") == 0;
		if (strcmp(json_string_value(json_object_get(rule, "id")), "p-priv") == 0)
			assert_string_equal(level, "error");
		else
			assert_string_equal(level, "warning");
		assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(
					    json_array_get(json_object_get(res, "locations"), 0), "physicalLocation"),
					    "artifactLocation"), "uri")),
				    "k8s/wordpress.yaml");
	}
	assert_int_equal(errors, 1);
	json_decref(j);
	free(t);
	check_report_free(r);

	/* the image reference is a relative URI: no scheme "nginx" */
	r = image_report("check-image-alerts.json", "nginx:1.25");
	t = render(r, CHECK_FORMAT_SARIF, false);
	assert_non_null(strstr(t, "\"uri\": \"nginx%3A1.25\""));
	free(t);
	check_report_free(r);
}

/* ---- limits and failures ------------------------------------------------------------------- */

static void test_bad_input_and_limits(void **state)
{
	struct check_report *r;
	struct check_entity e = {.name = "x", .type = "image"};
	json_t *notlist = json_string("alerts"), *answer = json_pack("{s:s}", "runs", "nope");
	char name[32];
	int i, rc = ASEC_OK;
	FILE *ro;

	(void)state;
	assert_int_equal(check_report_new(&r, CHECK_KIND_DEPLOYMENT), ASEC_OK);
	assert_int_equal(check_report_add(r, &e, notlist), ASEC_EINVALID);
	e.name = "";
	assert_int_equal(check_report_add(r, &e, NULL), ASEC_EINVALID);
	assert_int_equal(check_report_add_deploy(r, answer, "f.yaml", NULL), ASEC_EINVALID);
	assert_int_equal(check_report_add_build(r, notlist, "x"), ASEC_EINVALID);
	e.name = name;
	for (i = 0; i <= CHECK_OUTPUT_MAX_ENTITIES && rc == ASEC_OK; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		rc = check_report_add(r, &e, NULL);
	}
	assert_int_equal(rc, ASEC_ETOOBIG);
	assert_int_equal(i, CHECK_OUTPUT_MAX_ENTITIES + 1);
	/* the same entity again is not a new one */
	assert_int_equal(check_report_add(r, &e, NULL), ASEC_ETOOBIG);
	snprintf(name, sizeof(name), "d0");
	assert_int_equal(check_report_add(r, &e, NULL), ASEC_OK);
	/* writing to a stream that refuses is reported */
	ro = fopen("/dev/null", "r");
	assert_non_null(ro);
	assert_int_equal(check_report_write(ro, r, CHECK_FORMAT_TABLE, NULL), ASEC_EIO);
	assert_int_equal(check_report_write(ro, r, (enum check_format)9, NULL), ASEC_EINVALID);
	fclose(ro);
	check_report_free(r);
	json_decref(notlist);
	json_decref(answer);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enforcement_decision),
		cmocka_unit_test(test_parsers),
		cmocka_unit_test(test_image_summary_and_merge),
		cmocka_unit_test(test_deploy_summary),
		cmocka_unit_test(test_table_golden),
		cmocka_unit_test(test_table_colour),
		cmocka_unit_test(test_table_hostile),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_junit),
		cmocka_unit_test(test_sarif),
		cmocka_unit_test(test_bad_input_and_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
