/*
 * query_test.c - tests of shared/query: what parses and what does not (with
 * the exact message and position a client would see), the exact SQL and
 * parameters written for each value form, the JSON evaluator, and a
 * differential test that runs generated queries through PostgreSQL and
 * through query_matches() over the same rows and requires the same answer.
 *
 * The differential test needs ASEC_TEST_DATABASE_URL (scripts/test.sh starts a
 * server); without it that test is skipped, or fails when CI=true. It works in
 * temporary tables of its own connection, so parallel runs do not collide.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "error/error.h"
#include "query/query.h"
#include "testing/testing.h"

/* 2023-11-14 22:13:20 UTC: a fixed "now" for relative dates. */
#define NOW INT64_C(1700000000)

enum {
	F_IMAGE = 1,
	F_TAG,
	F_REGISTRY,
	F_CREATED,
	F_RISK,
	F_COMPONENT,
	F_COMPONENT_VERSION,
	F_CVE,
	F_FIXABLE,
	F_SEVERITY,
	F_CVSS,
};

static const struct query_enum_value severities[] = {
	{"LOW_VULNERABILITY_SEVERITY", "Low", "LOW"},
	{"MODERATE_VULNERABILITY_SEVERITY", "Moderate", "MODERATE"},
	{"IMPORTANT_VULNERABILITY_SEVERITY", "Important", "IMPORTANT"},
	{"CRITICAL_VULNERABILITY_SEVERITY", "Critical", "CRITICAL"},
};

static const char *const image_aliases[] = {"Image Name", NULL};

static const struct query_field fields[] = {
	{"Image", image_aliases, QUERY_STRING, NULL, 0, F_IMAGE},
	{"Image Tag", NULL, QUERY_STRING, NULL, 0, F_TAG},
	{"Image Registry", NULL, QUERY_STRING, NULL, 0, F_REGISTRY},
	{"Image Created Time", NULL, QUERY_DATE, NULL, 0, F_CREATED},
	{"Image Risk Score", NULL, QUERY_NUMBER, NULL, 0, F_RISK},
	{"Component", NULL, QUERY_STRING, NULL, 0, F_COMPONENT},
	{"Component Version", NULL, QUERY_STRING, NULL, 0, F_COMPONENT_VERSION},
	{"CVE", NULL, QUERY_STRING, NULL, 0, F_CVE},
	{"Fixable", NULL, QUERY_BOOL, NULL, 0, F_FIXABLE},
	{"Severity", NULL, QUERY_ENUM, severities, 4, F_SEVERITY},
	{"CVSS", NULL, QUERY_NUMBER, NULL, 0, F_CVSS},
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static const struct query_sql_scope component_scope = {
	"EXISTS (SELECT 1 FROM q_components c WHERE c.image_id = i.id AND %s)", NULL};
static const struct query_sql_scope vuln_scope = {
	"EXISTS (SELECT 1 FROM q_vulns v WHERE v.component_id = c.id AND %s)", &component_scope};

static const struct query_sql_column sql_columns[] = {
	{F_IMAGE, "i.name", NULL},
	{F_TAG, "i.tag", NULL},
	{F_REGISTRY, "i.registry", NULL},
	{F_CREATED, "i.created", NULL},
	{F_RISK, "i.risk", NULL},
	{F_COMPONENT, "c.name", &component_scope},
	{F_COMPONENT_VERSION, "c.version", &component_scope},
	{F_CVE, "v.cve", &vuln_scope},
	{F_FIXABLE, "v.fixable", &vuln_scope},
	{F_SEVERITY, "v.severity", &vuln_scope},
	{F_CVSS, "v.cvss", &vuln_scope},
};
static const struct query_sql_map sql_map = {sql_columns, sizeof(sql_columns) / sizeof(sql_columns[0])};

static const struct query_json_column json_columns[] = {
	{F_IMAGE, "name"},
	{F_TAG, "tag"},
	{F_REGISTRY, "registry"},
	{F_CREATED, "created"},
	{F_RISK, "risk"},
	{F_COMPONENT, "components[].name"},
	{F_COMPONENT_VERSION, "components[].version"},
	{F_CVE, "components[].vulns[].cve"},
	{F_FIXABLE, "components[].vulns[].fixable"},
	{F_SEVERITY, "components[].vulns[].severity"},
	{F_CVSS, "components[].vulns[].cvss"},
};
static const struct query_json_map json_map = {json_columns, sizeof(json_columns) / sizeof(json_columns[0])};

static struct query *parse_ok(const char *text)
{
	struct query *q = NULL;
	int rc = query_parse_at(&q, text, fields, NFIELDS, NOW);

	if (rc != ASEC_OK)
		fail_msg("query_parse(%s) = %d: %s", text, rc, error_last());
	return q;
}

/* --- parsing --------------------------------------------------------------- */

static void test_parse_valid(void **state)
{
	static const struct {
		const char *text;
		size_t terms;
	} cases[] = {
		{"", 0},
		{"  ", 0},
		{"Image:nginx", 1},
		{"image tag:latest", 1},
		{"SEVERITY:critical", 1},
		{"Image Name:nginx", 1},
		{" Image : nginx ", 1},
		{"Image:nginx+CVE:CVE-2021-44228,CVE-2022-0001+Fixable:true+CVSS:>=7", 4},
		{"Component Version:2.36-9+deb12u4", 1},
		{"Image:docker.io/nginx:1.25", 1},
		{"+Image:x", 1},
		{"Image:x+", 1},
		{"Image:\"a,b\"", 1},
		{"Image:\"a+b:c\"+CVE:x", 2},
		{"Image: nginx , redis ", 1},
		{"CVSS:5-9", 1},
		{"CVSS:>= 7.5", 1},
		{"CVSS:-1--0.5", 1},
		{"Fixable:T", 1},
		{"Fixable:fal", 1},
		{"Fixable:0", 1},
		{"Image Created Time:>30d", 1},
		{"Image Created Time:>=30", 1},
		{"Image Created Time:01/02/2006", 1},
		{"Image Created Time:<2006-01-02", 1},
		{"Image Created Time:1d-30d", 1},
		{"Image Created Time:tr/0-1000", 1},
		{"Severity:>=imp", 1},
		{"Severity:r/^(low|mod)", 1},
		{"Severity:\"Critical\"", 1},
		{"Severity:!low", 1},
		{"Severity:critical_vulnerability_severity", 1},
		{"CVE:r/\"^cve-202[0-9]-[0-9]{4,}$\"", 1},
		{"CVE:!r/\"a{1,2}|b,c\"", 1},
		{"CVE:r/a\\.b|\\(x\\)|[]a-]|[^0-9A-F]", 1},
		{"CVE:r/café|日本", 1},
		{"Image:*", 1},
		{"Image:-", 1},
		{"CVE:!CVE-2021", 1},
		{"Image:\"\"", 1},
		{"Image:a:b+c", 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct query *q = parse_ok(cases[i].text);

		if (query_term_count(q) != cases[i].terms)
			fail_msg("%s: %zu terms, want %zu", cases[i].text, query_term_count(q), cases[i].terms);
		query_free(q);
	}
}

static void expect_error(const char *text, int code, const char *message)
{
	struct query *q = (struct query *)&q; /* must be reset to NULL */
	int rc = query_parse_at(&q, text, fields, NFIELDS, NOW);

	if (rc != code || q != NULL || strcmp(error_last(), message) != 0)
		fail_msg("query_parse(%s):\n  got  %d \"%s\"\n  want %d \"%s\"", text, rc, error_last(), code,
			 message);
}

static void test_parse_errors(void **state)
{
	static const struct {
		const char *text;
		int code;
		const char *message;
	} cases[] = {
		{"Imag:nginx", ASEC_EINVALID, "position 1: unknown field \"Imag\""},
		{"Image:nginx+Tag:x", ASEC_EINVALID, "position 13: unknown field \"Tag\""},
		{"nginx", ASEC_EINVALID, "position 1: expected Field:value, found \"nginx\""},
		{":nginx", ASEC_EINVALID, "position 1: missing field name before ':'"},
		{"Image:", ASEC_EINVALID, "position 6: field \"Image\" has no value"},
		{"Image:a,,b", ASEC_EINVALID, "position 9: empty value in field \"Image\""},
		{"Image:a,b, ", ASEC_EINVALID, "position 11: empty value in field \"Image\""},
		{"Image:a+image name:b", ASEC_EINVALID,
		 "position 9: field \"Image\" is given twice; list its values in one term, e.g. Image:a,b"},
		{"Image:\"abc", ASEC_EINVALID, "position 7: unterminated quote"},
		{"Image:\"a\"+CVE:\"b", ASEC_EINVALID, "position 15: unterminated quote"},
		{"CVSS:abc", ASEC_EINVALID, "position 6: field \"CVSS\" takes numbers, not \"abc\""},
		{"CVSS:1e3", ASEC_EINVALID, "position 6: field \"CVSS\" takes numbers, not \"1e3\""},
		{"CVSS:>=1234567890123456", ASEC_EINVALID,
		 "position 6: \">=1234567890123456\" has more than 15 digits (field \"CVSS\")"},
		{"CVSS:9-5", ASEC_EINVALID, "position 6: range \"9-5\" must go from a lower to a higher number"},
		{"Image:nginx+CVSS:>x", ASEC_EINVALID, "position 18: field \"CVSS\" takes numbers, not \">x\""},
		{"CVSS:r/7", ASEC_EINVALID, "position 6: field \"CVSS\" does not take regular expressions or quotes"},
		{"Fixable:\"true\"", ASEC_EINVALID,
		 "position 9: field \"Fixable\" does not take regular expressions or quotes"},
		{"Fixable:yes", ASEC_EINVALID, "position 9: field \"Fixable\" takes true or false, not \"yes\""},
		{"Severity:high", ASEC_EINVALID,
		 "position 10: \"high\" is not a value of field \"Severity\" (Low, Moderate, Important, Critical)"},
		{"Severity:>=", ASEC_EINVALID,
		 "position 10: \">=\" is not a value of field \"Severity\" (Low, Moderate, Important, Critical)"},
		{"Severity:\"crit\"", ASEC_EINVALID,
		 "position 10: \"\\\"crit\\\"\" is not a value of field \"Severity\" (Low, Moderate, Important, "
		 "Critical)"},
		{"Image Created Time:30d", ASEC_EINVALID,
		 "position 20: a duration needs <, <=, > or >= before it, e.g. >30d (field \"Image Created Time\")"},
		{"Image Created Time:13/45/2020", ASEC_EINVALID,
		 "position 20: field \"Image Created Time\" takes a date (01/02/2006 or 2006-01-02), a duration "
		 "(>30d) or tr/<ms>-<ms>, not \"13/45/2020\""},
		{"Image Created Time:2023-02-29", ASEC_EINVALID,
		 "position 20: field \"Image Created Time\" takes a date (01/02/2006 or 2006-01-02), a duration "
		 "(>30d) or tr/<ms>-<ms>, not \"2023-02-29\""},
		{"Image Created Time:30d-1d", ASEC_EINVALID,
		 "position 20: duration range \"30d-1d\" must go from fewer to more days"},
		{"CVE:!!x", ASEC_EINVALID, "position 5: \"!!\" is not supported; use \"!\" to negate a value"},
		{"CVE:!", ASEC_EINVALID, "position 5: \"!\" needs a value after it"},
		{"CVE:!*", ASEC_EINVALID, "position 5: \"*\" and \"-\" cannot be negated"},
		{"CVE:ab\"c\"", ASEC_EINVALID, "position 5: a quote must enclose the whole value: \"ab\\\"c\\\"\""},
		{"CVE:r/", ASEC_EINVALID, "position 7: empty regular expression"},
		{"CVE:!r/a(b", ASEC_EINVALID, "position 9: regular expression: unclosed ("},
		{"CVE:r/\\d+", ASEC_EINVALID,
		 "position 7: regular expression: only . [ ] ( ) { } * + ? | ^ $ \\ may follow a backslash "
		 "(\\d, \\w and the like mean different things to different engines)"},
		{"CVE:r/[[:alpha:]]", ASEC_EINVALID,
		 "position 8: regular expression: no [ inside [ ] (character classes such as [:alpha:] are not "
		 "supported)"},
		{"CVE:r/[a\\]]", ASEC_EINVALID,
		 "position 9: regular expression: no backslash inside [ ]; a character there is already literal"},
		{"CVE:r/a**", ASEC_EINVALID, "position 9: regular expression: a repetition cannot follow another"},
		{"CVE:r/*a", ASEC_EINVALID, "position 7: regular expression: nothing to repeat"},
		{"CVE:r/^*", ASEC_EINVALID, "position 8: regular expression: ^ and $ cannot be repeated"},
		{"CVE:r/(a{200}){200}", ASEC_EINVALID,
		 "position 7: regular expression: too many repetitions (at most 1000 characters once expanded)"},
		{"CVE:r/a{300}", ASEC_EINVALID, "position 8: regular expression: a repetition count may be at most 255"},
		{"CVE:r/\"a{3,2}\"", ASEC_EINVALID,
		 "position 9: regular expression: in {m,n}, m must not be larger than n"},
		{"CVE:r/a{1,2}", ASEC_EINVALID,
		 "position 8: regular expression: unclosed { (a regular expression with a comma must be quoted, "
		 "e.g. r/\"a{1,2}\")"},
		{"CVE:r/\"\"", ASEC_EINVALID, "position 8: empty regular expression"},
		{"CVE:r/a{x}", ASEC_EINVALID,
		 "position 8: regular expression: '{' must start a repetition such as {2,5}; write \\{ for the "
		 "character"},
		{"CVE:r/[z-a]", ASEC_EINVALID,
		 "position 8: regular expression: a range must go up between two digits, two lower-case or two "
		 "upper-case ASCII letters"},
		{"CVE:r/[A-z]", ASEC_EINVALID,
		 "position 8: regular expression: a range must go up between two digits, two lower-case or two "
		 "upper-case ASCII letters"},
		{"CVE:r/|a", ASEC_EINVALID, "position 7: regular expression: empty alternative"},
		{"CVE:r/(a|)", ASEC_EINVALID, "position 10: regular expression: empty alternative"},
		{"CVE:r/()", ASEC_EINVALID, "position 7: regular expression: empty group"},
		{"CVE:r/a)", ASEC_EINVALID, "position 8: regular expression: unmatched )"},
		{"CVE:r/a}", ASEC_EINVALID, "position 8: regular expression: write \\} for the character }"},
		{"CVE:r/[abc", ASEC_EINVALID, "position 7: regular expression: unclosed ["},
		{"Image:caf\xC3", ASEC_EINVALID, "position 10: not valid UTF-8"},
		{"Image:\xC0\xAF", ASEC_EINVALID, "position 7: not valid UTF-8"},
		{"Image:\xED\xA0\x80", ASEC_EINVALID, "position 7: not valid UTF-8"},
		{"Image:a\x01\"b\"", ASEC_EINVALID,
		 "position 7: a quote must enclose the whole value: \"a\\x01\\\"b\\\"\""},
		{"Image:a\x01\"b", ASEC_EINVALID, "position 9: unterminated quote"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_error(cases[i].text, cases[i].code, cases[i].message);
}

static void test_parse_limits(void **state)
{
	static char labels[40][8];
	struct query_field many[40];
	char text[QUERY_MAX_TEXT + 2], want[128];
	struct query *q;
	size_t len = 0, pos33 = 0;

	/* Exactly 4096 bytes parse; 4097 do not. */
	memset(text, 'a', sizeof(text));
	memcpy(text, "Image:", 6);
	text[QUERY_MAX_TEXT] = '\0';
	q = parse_ok(text);
	query_free(q);
	text[QUERY_MAX_TEXT] = 'a';
	text[QUERY_MAX_TEXT + 1] = '\0';
	expect_error(text, ASEC_ETOOBIG, "query is too long: more than 4096 bytes");

	/* 32 terms parse; the 33rd is refused where it starts. */
	for (int i = 0; i < 40; i++) {
		snprintf(labels[i], sizeof(labels[i]), "F%d", i);
		many[i] = (struct query_field){labels[i], NULL, QUERY_STRING, NULL, 0, i};
	}
	for (int i = 0; i < 33; i++) {
		if (i == 32)
			pos33 = len + 1;
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%sF%d:a", i ? "+" : "", i);
		if (i == 31) {
			assert_int_equal(query_parse_at(&q, text, many, 40, NOW), ASEC_OK);
			assert_int_equal(query_term_count(q), 32);
			query_free(q);
		}
	}
	assert_int_equal(query_parse_at(&q, text, many, 40, NOW), ASEC_ETOOBIG);
	assert_null(q);
	snprintf(want, sizeof(want), "position %zu: more than 32 terms", pos33 + 1);
	assert_string_equal(error_last(), want);

	/* 64 values parse; the 65th is refused where it starts (6 + 64 * 2). */
	len = (size_t)snprintf(text, sizeof(text), "Image:a");
	for (int i = 1; i < 65; i++) {
		if (i == 64) {
			q = parse_ok(text);
			query_free(q);
		}
		len += (size_t)snprintf(text + len, sizeof(text) - len, ",a");
	}
	expect_error(text, ASEC_ETOOBIG, "position 135: more than 64 values in field \"Image\"");

	/* A regular expression of 256 bytes is allowed, 257 not. */
	memset(text, 'x', sizeof(text));
	memcpy(text, "CVE:r/", 6);
	text[6 + QUERY_MAX_REGEX] = '\0';
	q = parse_ok(text);
	query_free(q);
	text[6 + QUERY_MAX_REGEX] = 'x';
	text[7 + QUERY_MAX_REGEX] = '\0';
	expect_error(text, ASEC_ETOOBIG, "position 7: a regular expression may be at most 256 bytes");
}

static void test_bad_field_table(void **state)
{
	static const struct query_field bad_enum[] = {{"Severity", NULL, QUERY_ENUM, NULL, 0, 1}};
	static const struct query_field no_label[] = {{NULL, NULL, QUERY_STRING, NULL, 0, 1}};
	struct query *q;

	assert_int_equal(query_parse_at(&q, "Severity:low", bad_enum, 1, NOW), ASEC_EINVALID);
	assert_string_equal(error_last(), "query: field table entry 0 is malformed");
	assert_int_equal(query_parse_at(&q, "x:y", no_label, 1, NOW), ASEC_EINVALID);
	assert_int_equal(query_parse_at(&q, "Image:x", fields, NFIELDS, -5), ASEC_EINVALID);
}

/* --- SQL ------------------------------------------------------------------- */

#define VULN_EXISTS(inner)                                                                         \
	"EXISTS (SELECT 1 FROM q_components c WHERE c.image_id = i.id AND EXISTS (SELECT 1 FROM q_vulns v " \
	"WHERE v.component_id = c.id AND " inner "))"

static void expect_sql(const char *text, int first, const char *sql, const char *params)
{
	struct query *q = parse_ok(text);
	char *where = NULL, *got_params;
	json_t *p = NULL;
	int rc = query_to_sql(&where, &p, q, first, &sql_map);

	if (rc != ASEC_OK)
		fail_msg("query_to_sql(%s) = %d: %s", text, rc, error_last());
	got_params = json_dumps(p, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (strcmp(where, sql) != 0 || strcmp(got_params, params) != 0)
		fail_msg("%s:\n  got  %s %s\n  want %s %s", text, where, got_params, sql, params);
	free(got_params);
	free(where);
	json_decref(p);
	query_free(q);
}

static void test_sql_output(void **state)
{
	expect_sql("", 1, "TRUE", "[]");
	expect_sql("Image:nginx", 1, "(i.name) COLLATE \"C\" ILIKE $1", "[\"nginx%\"]");
	expect_sql("image name:NGINX", 7, "(i.name) COLLATE \"C\" ILIKE $7", "[\"NGINX%\"]");
	/* LIKE's own characters are escaped; a quote and Unicode pass as they are. */
	expect_sql("Image:50%_off\\", 1, "(i.name) COLLATE \"C\" ILIKE $1", "[\"50\\\\%\\\\_off\\\\\\\\%\"]");
	expect_sql("Image:\"it's\"", 3, "(i.name) COLLATE \"C\" ILIKE $3", "[\"it's\"]");
	expect_sql("Image:'; DROP TABLE q_images; --", 1, "(i.name) COLLATE \"C\" ILIKE $1",
		   "[\"'; DROP TABLE q\\\\_images; --%\"]");
	expect_sql("Image:café", 1, "(i.name) COLLATE \"C\" ILIKE $1", "[\"caf\\u00E9%\"]");
	expect_sql("Image:\"\"", 1, "(i.name) COLLATE \"C\" ILIKE $1", "[\"\"]");
	expect_sql("Image:\"a,b\"", 1, "(i.name) COLLATE \"C\" ILIKE $1", "[\"a,b\"]");
	expect_sql("Image:nginx,!redis,r/^ng.x$", 1,
		   "((i.name) COLLATE \"C\" ILIKE $1 OR NOT ((i.name) COLLATE \"C\" ILIKE $2) OR "
		   "(i.name) COLLATE \"C\" ~* $3)",
		   "[\"nginx%\",\"redis%\",\"^ng.x$\"]");
	expect_sql("Image Tag:-", 1, "(i.tag) IS NULL", "[]");
	expect_sql("Image Tag:*,latest", 1, "((i.tag) IS NOT NULL OR (i.tag) COLLATE \"C\" ILIKE $1)",
		   "[\"latest%\"]");
	expect_sql("Image:nginx+Image Tag:latest", 1,
		   "((i.name) COLLATE \"C\" ILIKE $1 AND (i.tag) COLLATE \"C\" ILIKE $2)",
		   "[\"nginx%\",\"latest%\"]");
	expect_sql("Image Risk Score:>=7", 1, "(i.risk) >= $1::numeric", "[\"7\"]");
	expect_sql("Image Risk Score:==-0.5,!<3", 1,
		   "((i.risk) = $1::numeric OR NOT ((i.risk) < $2::numeric))", "[\"-0.5\",\"3\"]");
	expect_sql("Image Risk Score:5-9", 1, "((i.risk) > $1::numeric AND (i.risk) < $2::numeric)",
		   "[\"5\",\"9\"]");
	expect_sql("CVSS:>=7", 1, VULN_EXISTS("(v.cvss) >= $1::numeric"), "[\"7\"]");
	expect_sql("Fixable:!t", 1, VULN_EXISTS("NOT ((v.fixable) = $1::boolean)"), "[\"true\"]");
	/* Terms on the same joined row share one EXISTS. */
	expect_sql("CVE:CVE-2021-44228+Fixable:true", 1,
		   VULN_EXISTS("((v.cve) COLLATE \"C\" ILIKE $1 AND (v.fixable) = $2::boolean)"),
		   "[\"CVE-2021-44228%\",\"true\"]");
	expect_sql("Image:nginx+CVE:CVE-2021-44228,CVE-2022-0001+Fixable:true+CVSS:>=7", 1,
		   "((i.name) COLLATE \"C\" ILIKE $1 AND " VULN_EXISTS(
			   "(((v.cve) COLLATE \"C\" ILIKE $2 OR (v.cve) COLLATE \"C\" ILIKE $3) AND "
			   "(v.fixable) = $4::boolean AND (v.cvss) >= $5::numeric)") ")",
		   "[\"nginx%\",\"CVE-2021-44228%\",\"CVE-2022-0001%\",\"true\",\"7\"]");
	expect_sql("Component:openssl+Image:x+CVE:CVE-2023", 1,
		   "(EXISTS (SELECT 1 FROM q_components c WHERE c.image_id = i.id AND ((c.name) COLLATE \"C\" "
		   "ILIKE $1 AND EXISTS (SELECT 1 FROM q_vulns v WHERE v.component_id = c.id AND (v.cve) "
		   "COLLATE \"C\" ILIKE $2))) AND (i.name) COLLATE \"C\" ILIKE $3)",
		   "[\"openssl%\",\"CVE-2023%\",\"x%\"]");
	/* Enumerations become the stored values they select. */
	expect_sql("Severity:>=important", 1, VULN_EXISTS("(v.severity) IN ($1, $2)"),
		   "[\"IMPORTANT\",\"CRITICAL\"]");
	expect_sql("Severity:<mod", 1, VULN_EXISTS("(v.severity) IN ($1)"), "[\"LOW\"]");
	expect_sql("Severity:!low,crit", 1, VULN_EXISTS("(v.severity) IN ($1, $2, $3)"),
		   "[\"MODERATE\",\"IMPORTANT\",\"CRITICAL\"]");
	expect_sql("Severity:\"Moderate\",LOW_VULN", 1, VULN_EXISTS("(v.severity) IN ($1, $2)"),
		   "[\"LOW\",\"MODERATE\"]");
	expect_sql("Severity:r/^(low|crit)", 1, VULN_EXISTS("(v.severity) IN ($1, $2)"), "[\"LOW\",\"CRITICAL\"]");
	expect_sql("Severity:r/^zzz", 1, VULN_EXISTS("FALSE"), "[]");
	expect_sql("CVE:r/\"^cve-(1,2)\",!r/\"x\"", 1,
		   VULN_EXISTS("((v.cve) COLLATE \"C\" ~* $1 OR NOT ((v.cve) COLLATE \"C\" ~* $2))"),
		   "[\"^cve-(1,2)\",\"x\"]");
	expect_sql("Severity:*,low", 1, VULN_EXISTS("((v.severity) IS NOT NULL OR (v.severity) IN ($1))"),
		   "[\"LOW\"]");
	/* Dates, with now = 2023-11-14 22:13:20 UTC. */
	expect_sql("Image Created Time:>30d", 1, "(i.created) < $1::timestamptz", "[\"2023-10-15 22:13:20+00\"]");
	expect_sql("Image Created Time:<=1", 1, "(i.created) >= $1::timestamptz", "[\"2023-11-13 22:13:20+00\"]");
	expect_sql("Image Created Time:01/02/2006", 1,
		   "((i.created) >= $1::timestamptz AND (i.created) < $2::timestamptz)",
		   "[\"2006-01-02 00:00:00+00\",\"2006-01-03 00:00:00+00\"]");
	expect_sql("Image Created Time:>2024-02-29", 1, "(i.created) > $1::timestamptz",
		   "[\"2024-02-29 00:00:00+00\"]");
	expect_sql("Image Created Time:1d-30d", 1,
		   "((i.created) > $1::timestamptz AND (i.created) < $2::timestamptz)",
		   "[\"2023-10-15 22:13:20+00\",\"2023-11-13 22:13:20+00\"]");
	expect_sql("Image Created Time:tr/1000-2500", 1,
		   "((i.created) >= $1::timestamptz AND (i.created) < $2::timestamptz)",
		   "[\"1970-01-01 00:00:01+00\",\"1970-01-01 00:00:02.500+00\"]");
	expect_sql("Image Created Time:01/01/0001", 1,
		   "((i.created) >= $1::timestamptz AND (i.created) < $2::timestamptz)",
		   "[\"0001-01-01 00:00:00+00\",\"0001-01-02 00:00:00+00\"]");
}

static void test_sql_errors(void **state)
{
	static const struct query_sql_scope no_hole = {"EXISTS (SELECT 1 FROM t)", NULL};
	static const struct query_sql_scope two_holes = {"EXISTS (%s %s)", NULL};
	static const struct query_sql_scope stray = {"EXISTS (SELECT 1 FROM t WHERE x LIKE '5%' AND %s)", NULL};
	static const struct query_sql_scope percent = {"EXISTS (SELECT 1 FROM t WHERE x LIKE '5%%' AND %s)", NULL};
	const struct query_sql_column col_no_hole[] = {{F_CVE, "t.cve", &no_hole}};
	const struct query_sql_column col_two[] = {{F_CVE, "t.cve", &two_holes}};
	const struct query_sql_column col_stray[] = {{F_CVE, "t.cve", &stray}};
	const struct query_sql_column col_percent[] = {{F_CVE, "t.cve", &percent}};
	const struct query_sql_map m_no_hole = {col_no_hole, 1}, m_two = {col_two, 1}, m_stray = {col_stray, 1},
				   m_percent = {col_percent, 1};
	struct query *q = parse_ok("CVE:a");
	char *sql = (char *)&sql;
	json_t *params = (json_t *)&params;

	assert_int_equal(query_to_sql(&sql, &params, q, 1, &m_no_hole), ASEC_EINVALID);
	assert_null(sql);
	assert_null(params);
	assert_int_equal(query_to_sql(&sql, &params, q, 1, &m_two), ASEC_EINVALID);
	assert_int_equal(query_to_sql(&sql, &params, q, 1, &m_stray), ASEC_EINVALID);
	assert_int_equal(query_to_sql(&sql, &params, q, 1, &m_percent), ASEC_OK);
	assert_string_equal(sql, "EXISTS (SELECT 1 FROM t WHERE x LIKE '5%' AND (t.cve) COLLATE \"C\" ILIKE $1)");
	free(sql);
	json_decref(params);
	assert_int_equal(query_to_sql(&sql, &params, q, 0, &sql_map), ASEC_EINVALID);
	query_free(q);

	q = parse_ok("Image:a+CVE:b");
	assert_int_equal(query_to_sql(&sql, &params, q, 1, &m_percent), ASEC_EINVALID);
	assert_string_equal(error_last(), "query: field \"Image\" has no SQL column");
	query_free(q);

	/* Placeholders stop at 65535. */
	q = parse_ok("Image:a,b,c");
	assert_int_equal(query_to_sql(&sql, &params, q, 65533, &sql_map), ASEC_OK);
	assert_string_equal(sql, "((i.name) COLLATE \"C\" ILIKE $65533 OR (i.name) COLLATE \"C\" ILIKE $65534 OR "
				 "(i.name) COLLATE \"C\" ILIKE $65535)");
	free(sql);
	json_decref(params);
	assert_int_equal(query_to_sql(&sql, &params, q, 65534, &sql_map), ASEC_ETOOBIG);
	assert_null(sql);
	query_free(q);

	/* A scope that nests deeper than QUERY_MAX_DEPTH (here: a cycle). */
	{
		static struct query_sql_scope loop = {"EXISTS (%s)", NULL};
		const struct query_sql_column col_loop[] = {{F_CVE, "t.cve", &loop}};
		const struct query_sql_map m_loop = {col_loop, 1};

		loop.parent = &loop;
		q = parse_ok("CVE:a");
		assert_int_equal(query_to_sql(&sql, &params, q, 1, &m_loop), ASEC_EINVALID);
		query_free(q);
	}
}

/* --- JSON ------------------------------------------------------------------ */

static const char *doc_text =
	"{\"name\": \"docker.io/library/nginx\", \"tag\": \"1.25\", \"registry\": \"docker.io\","
	" \"created\": \"2023-11-01T10:00:00Z\", \"risk\": 7.5,"
	" \"components\": ["
	"  {\"name\": \"openssl\", \"version\": \"3.0.2\", \"vulns\": ["
	"    {\"cve\": \"CVE-2021-44228\", \"fixable\": false, \"severity\": \"CRITICAL\", \"cvss\": 10},"
	"    {\"cve\": \"CVE-2022-0001\", \"fixable\": true, \"severity\": \"LOW\", \"cvss\": 3.1}]},"
	"  {\"name\": \"zlib\", \"version\": \"1.2.13\", \"vulns\": []},"
	"  {\"name\": \"café\", \"version\": null}]}";

static void expect_match(const json_t *doc, const char *text, int want)
{
	struct query *q = parse_ok(text);
	int got = query_matches(q, doc, &json_map);

	if (got != want)
		fail_msg("query_matches(%s) = %d, want %d (%s)", text, got, want, got < 0 ? error_last() : "");
	query_free(q);
}

static void test_json_matches(void **state)
{
	json_t *doc = json_loads(doc_text, 0, NULL);

	assert_non_null(doc);
	expect_match(doc, "", 1);
	expect_match(doc, "Image:DOCKER.io/lib", 1);
	expect_match(doc, "Image:nginx", 0); /* a prefix, not a substring */
	expect_match(doc, "Image:r/NGINX$", 1);
	expect_match(doc, "Image:r/^nginx", 0);
	expect_match(doc, "Image:\"docker.io/library/NGINX\"", 1);
	expect_match(doc, "Image:\"docker.io/library\"", 0);
	expect_match(doc, "Image:!docker", 0);
	expect_match(doc, "Image:!quay,redis", 1);
	expect_match(doc, "Image Tag:1.2", 1);
	expect_match(doc, "Image Tag:1.2_", 0); /* '_' is not a wildcard */
	expect_match(doc, "Image Tag:*", 1);
	expect_match(doc, "Image Tag:-", 0);
	expect_match(doc, "Image Risk Score:7.5", 1);
	expect_match(doc, "Image Risk Score:>7.5", 0);
	expect_match(doc, "Image Risk Score:7-8", 1);
	expect_match(doc, "Image Risk Score:!>=7", 0);
	expect_match(doc, "Image Created Time:2023-11-01", 1);
	expect_match(doc, "Image Created Time:11/02/2023", 0);
	expect_match(doc, "Image Created Time:>10d", 1);  /* 13.5 days before NOW */
	expect_match(doc, "Image Created Time:>14d", 0);
	expect_match(doc, "Image Created Time:10d-14d", 1);
	expect_match(doc, "Image Created Time:tr/1698832800000-1698832800001", 1);
	expect_match(doc, "Image Created Time:tr/1698832800001-1798832800001", 0);
	/* Arrays: any element; linked terms: the same element. */
	expect_match(doc, "CVE:CVE-2021-44228", 1);
	expect_match(doc, "CVE:CVE-2021-44228+Fixable:true", 0);
	expect_match(doc, "CVE:CVE-2022+Fixable:true", 1);
	expect_match(doc, "CVE:CVE-2021,CVE-2022+Fixable:true+Severity:low", 1);
	expect_match(doc, "CVE:CVE-2021-44228+Severity:>=important+CVSS:>=9", 1);
	expect_match(doc, "CVE:CVE-2021-44228+CVSS:<9", 0);
	expect_match(doc, "Component:zlib+CVE:CVE", 0);
	expect_match(doc, "Component:openssl+CVE:CVE-2022", 1);
	expect_match(doc, "Component:zlib+Image:docker", 1);
	expect_match(doc, "Component:!openssl", 1); /* some component that is not openssl */
	expect_match(doc, "CVE:!CVE-2021", 1);
	expect_match(doc, "CVE:!CVE-20", 0);
	expect_match(doc, "Component Version:-", 1);
	expect_match(doc, "Component Version:-+Component:caf", 1);
	expect_match(doc, "Component Version:-+Component:zlib", 0);
	expect_match(doc, "Component:CAFÉ", 0); /* ASCII case folding only, as PostgreSQL under "C" */
	expect_match(doc, "Component:CAFé", 1);
	expect_match(doc, "Component:r/^caf.$", 1); /* '.' is one character, not one byte */
	expect_match(doc, "Severity:critical_vulnerability_severity", 1);
	expect_match(doc, "Severity:moderate", 0);
	expect_match(doc, "Severity:!low,!critical", 1);
	expect_match(doc, "Fixable:0+CVSS:>=10", 1);
	expect_match(doc, "Image Registry:quay", 0);
	json_decref(doc);
}

static void test_json_types_and_map(void **state)
{
	json_t *doc = json_pack("{s:i, s:s, s:n, s:[s,s], s:s}", "name", 5, "tag", "latest", "registry", "risk",
				"a", "b", "created", "not a date");
	static const struct query_json_column bad_paths[][1] = {
		{{F_IMAGE, "a..b"}}, {{F_IMAGE, ""}}, {{F_IMAGE, "[]"}}, {{F_IMAGE, "a[]b"}}, {{F_IMAGE, NULL}},
	};
	static const struct query_json_column tag_array[] = {{F_TAG, "risk[]"}};
	const struct query_json_map tags = {tag_array, 1};
	struct query *q;

	assert_non_null(doc);
	/* A value of the wrong JSON type matches nothing, negated or not, but "*". */
	expect_match(doc, "Image:5", 0);
	expect_match(doc, "Image:!5", 0);
	expect_match(doc, "Image:*", 1);
	expect_match(doc, "Image Registry:-", 1);
	expect_match(doc, "Image Registry:!x", 0);
	expect_match(doc, "Image Risk Score:*", 1); /* an array is a value */
	expect_match(doc, "Image Created Time:>1d", 0);
	expect_match(doc, "Image Created Time:!>1d", 0);

	/* An array of strings searched directly. */
	q = parse_ok("Image Tag:b");
	assert_int_equal(query_matches(q, doc, &tags), 1);
	query_free(q);
	q = parse_ok("Image Tag:c,!a");
	assert_int_equal(query_matches(q, doc, &tags), 1);
	query_free(q);

	q = parse_ok("Image:x");
	for (size_t i = 0; i < sizeof(bad_paths) / sizeof(bad_paths[0]); i++) {
		const struct query_json_map m = {bad_paths[i], 1};

		assert_int_equal(query_matches(q, doc, &m), ASEC_EINVALID);
	}
	assert_int_equal(query_matches(q, doc, &tags), ASEC_EINVALID);
	assert_string_equal(error_last(), "query: field \"Image\" has no JSON path");
	query_free(q);
	json_decref(doc);
}

/* --- the differential test against PostgreSQL ------------------------------ */

struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return r->s;
}

static size_t pick(struct rng *r, size_t n)
{
	return (size_t)(rng_next(r) % n);
}

#define PICK(r, a) ((a)[pick(r, sizeof(a) / sizeof((a)[0]))])

/* Values with LIKE's and SQL's special characters and non-ASCII letters in
 * both cases; none holds '+', ',', ':' or '"', which would need quoting in a
 * generated query. NULL is SQL NULL / a missing or null member. */
static const char *const names[] = {
	"nginx",  "NGINX-proxy", "ngin_x",  "50%off", "back\\slash", "it's",      "café", "CAFÉ",
	"naïve",  "日本語",      "emoji😀", "a.b",    "redis",       "Redis/x",   "",     "x_y%z",
	"alpine", "docker.io/library/nginx", NULL,
};
static const char *const tags[] = {"latest", "1.25", "1.25.3", "LATEST", "v1_2", "", NULL};
static const char *const registries[] = {"docker.io", "quay.io", "gcr.io", "Docker.IO", "reg_istry", NULL};
static const char *const risks[] = {"1", "2.5", "7", "7.5", "10", "100", NULL};
static const char *const component_names[] = {"openssl", "OpenSSL", "libc6", "lib%c", "zlib", "glibc", "curl", NULL};
static const char *const versions[] = {"1.1.1", "3.0.2", "2.36-9", "1_0", "10.0", "", NULL};
static const char *const cves[] = {"CVE-2021-44228", "CVE-2022-0001", "cve-2023-1234", "GHSA-xxxx",
				   "CVE-2021-4",     "ÉCVE",          NULL};
static const char *const severity_values[] = {"LOW", "MODERATE", "IMPORTANT", "CRITICAL", NULL};
static const char *const cvss_values[] = {"0", "3.1", "5", "7", "7.5", "9.8", "10", NULL};
static const char *const bool_values[] = {"true", "false", NULL};
static const char *const bool_forms[] = {"true", "false", "t", "F", "1", "0", "!true", "*", "-"};

static const char *const string_regexes[] = {
	"r/^ngi",     "r/x$",         "r/^(nginx|redis)$", "r/[0-9]+", "r/é",     "r/^.{5}$", "r/a.b",
	"r/-20(21|22)", "r/\\.",      "r/[_%]",            "r/^$",     "r/\\\\",  "r/[^a-z]", "r/É",
	"r/'",        "r/^[A-Z]",     "r/\"l{2,}|s{1}\"",      "r/😀",     "r/日.語", "r/^c.f",  "!r/^cve",
};

static void add_value(char *buf, size_t size, const char *v)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len, "%s%s", buf[len ? len - 1 : 0] == ':' || len == 0 ? "" : ",", v);
}

/* A random prefix of w, cut on a character boundary, with ASCII case flips. */
static void random_prefix(struct rng *r, char *out, size_t size, const char *w)
{
	size_t n = strlen(w), cut = n ? 1 + pick(r, n) : 0;

	while (cut < n && ((unsigned char)w[cut] & 0xC0) == 0x80)
		cut++;
	if (cut >= size)
		cut = size - 1;
	memcpy(out, w, cut);
	out[cut] = '\0';
	for (size_t i = 0; i < cut; i++)
		if (pick(r, 3) == 0 && ((out[i] >= 'a' && out[i] <= 'z') || (out[i] >= 'A' && out[i] <= 'Z')))
			out[i] ^= 0x20;
}

static void string_value(struct rng *r, char *out, size_t size, const char *const *vocab, size_t nvocab)
{
	const char *w;
	char p[64];

	do
		w = vocab[pick(r, nvocab)];
	while (!w);
	switch (pick(r, 8)) {
	case 0:
		random_prefix(r, p, sizeof(p), w);
		snprintf(out, size, "\"%s\"", pick(r, 2) ? w : p);
		return;
	case 1:
		snprintf(out, size, "%s", PICK(r, string_regexes));
		return;
	case 2:
		snprintf(out, size, "%s", pick(r, 2) ? "*" : "-");
		return;
	default:
		random_prefix(r, p, sizeof(p), w);
		if (p[0] == '\0')
			snprintf(p, sizeof(p), "n");
		snprintf(out, size, "%s%s", pick(r, 4) == 0 ? "!" : "", p);
		return;
	}
}

static void number_value(struct rng *r, char *out, size_t size)
{
	static const char *const ops[] = {"", "=", "==", ">", ">=", "<", "<=", "!>", "!<="};
	static const char *const nums[] = {"0", "3.1", "5", "7", "7.5", "9.8", "10", "100", "-1", "2.5", "7.50"};
	static const char *const ranges[] = {"3-8", "7-9.8", "-1-7.5", "7.4-7.6", "0-100"};

	if (pick(r, 6) == 0)
		snprintf(out, size, "%s", PICK(r, ranges));
	else if (pick(r, 10) == 0)
		snprintf(out, size, "%s", pick(r, 2) ? "*" : "-");
	else
		snprintf(out, size, "%s%s", PICK(r, ops), PICK(r, nums));
}

static void date_value(struct rng *r, char *out, size_t size, int64_t now)
{
	static const char *const ops[] = {">", ">=", "<", "<=", "!>", "!<"};
	int64_t day = now / 86400 - (int64_t)pick(r, 60);
	time_t t = (time_t)(day * 86400);
	struct tm tm;

	gmtime_r(&t, &tm);
	switch (pick(r, 7)) {
	case 0:
		snprintf(out, size, "%s%zud", PICK(r, ops), pick(r, 60));
		break;
	case 1: {
		size_t a = pick(r, 40);

		snprintf(out, size, "%zud-%zud", a, a + 1 + pick(r, 20));
		break;
	}
	case 2:
		snprintf(out, size, "%02d/%02d/%04d", tm.tm_mon + 1, tm.tm_mday, tm.tm_year + 1900);
		break;
	case 3:
		snprintf(out, size, "%s%04d-%02d-%02d", pick(r, 2) ? "" : PICK(r, ops), tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday);
		break;
	case 4: {
		int64_t from = (now - (int64_t)pick(r, 60 * 86400)) * 1000;

		snprintf(out, size, "tr/%lld-%lld", (long long)from,
			 (long long)(from + (int64_t)pick(r, 20 * 86400) * 1000));
		break;
	}
	case 5:
		snprintf(out, size, "%s", pick(r, 2) ? "*" : "-");
		break;
	default:
		snprintf(out, size, "%s%zu", PICK(r, ops), pick(r, 60));
		break;
	}
}

static void enum_value(struct rng *r, char *out, size_t size)
{
	static const char *const forms[] = {
		"low",     "Crit",  "\"Important\"", "!low",          ">=imp", "<mod", "r/^(low|crit)", "*", "-",
		"MODERATE_VULNERABILITY_SEVERITY", "!r/imp", "<=Critical", "!\"Moderate\"", ">low", "r/severity$",
	};

	snprintf(out, size, "%s", PICK(r, forms));
}

static void generate_query(struct rng *r, char *out, size_t size, int64_t now)
{
	size_t nterms = 1 + pick(r, 3), used = 0;

	out[0] = '\0';
	for (size_t t = 0; t < nterms; t++) {
		const struct query_field *f;
		char label[64], value[128];
		size_t nvalues = 1 + pick(r, 3), len;

		do
			f = &fields[pick(r, NFIELDS)];
		while (used & (1u << f->id));
		used |= 1u << f->id;
		snprintf(label, sizeof(label), "%s", f->label);
		for (char *c = label; *c; c++)
			if (pick(r, 4) == 0 && *c >= 'A' && *c <= 'z')
				*c = (char)(*c ^ 0x20);
		len = strlen(out);
		snprintf(out + len, size - len, "%s%s:", t ? "+" : "", label);
		for (size_t v = 0; v < nvalues; v++) {
			switch (f->id) {
			case F_IMAGE:
				string_value(r, value, sizeof(value), names, sizeof(names) / sizeof(names[0]));
				break;
			case F_TAG:
				string_value(r, value, sizeof(value), tags, sizeof(tags) / sizeof(tags[0]));
				break;
			case F_REGISTRY:
				string_value(r, value, sizeof(value), registries, sizeof(registries) / sizeof(registries[0]));
				break;
			case F_COMPONENT:
				string_value(r, value, sizeof(value), component_names,
					     sizeof(component_names) / sizeof(component_names[0]));
				break;
			case F_COMPONENT_VERSION:
				string_value(r, value, sizeof(value), versions, sizeof(versions) / sizeof(versions[0]));
				break;
			case F_CVE:
				string_value(r, value, sizeof(value), cves, sizeof(cves) / sizeof(cves[0]));
				break;
			case F_RISK:
			case F_CVSS:
				number_value(r, value, sizeof(value));
				break;
			case F_FIXABLE:
				snprintf(value, sizeof(value), "%s", PICK(r, bool_forms));
				break;
			case F_SEVERITY:
				enum_value(r, value, sizeof(value));
				break;
			default:
				date_value(r, value, sizeof(value), now);
				break;
			}
			add_value(out, size, value);
		}
	}
}

static void exec_ok(PGconn *conn, const char *sql, int n, const char *const *params)
{
	PGresult *res = NULL;
	int rc = db_exec(&res, conn, sql, n, params);

	if (rc != ASEC_OK)
		fail_msg("%s: %s", sql, error_last());
	PQclear(res);
}

static json_t *number_or_null(const char *text)
{
	return text ? json_real(strtod(text, NULL)) : json_null();
}

static json_t *string_or_null(const char *text)
{
	return text ? json_string(text) : json_null();
}

/* Puts member key into o unless the value is NULL, where it is sometimes
 * left out and sometimes JSON null: both must read as "no value". */
static void set_member(struct rng *r, json_t *o, const char *key, json_t *value)
{
	if (json_is_null(value) && pick(r, 2)) {
		json_decref(value);
		return;
	}
	json_object_set_new(o, key, value);
}

#define IMAGES 70

static json_t *fill_tables(PGconn *conn, struct rng *r, int64_t now)
{
	json_t *docs = json_array();
	int component_id = 0, vuln_id = 0;

	exec_ok(conn,
		"CREATE TEMP TABLE q_images (id int PRIMARY KEY, name text, tag text, registry text, "
		"created timestamptz, risk numeric)",
		0, NULL);
	exec_ok(conn, "CREATE TEMP TABLE q_components (id int PRIMARY KEY, image_id int, name text, version text)", 0,
		NULL);
	exec_ok(conn,
		"CREATE TEMP TABLE q_vulns (id int PRIMARY KEY, component_id int, cve text, fixable boolean, "
		"severity text, cvss double precision)",
		0, NULL);
	for (int i = 0; i < IMAGES; i++) {
		json_t *doc = json_object(), *components = json_array();
		char id[16], created[40];
		const char *name = PICK(r, names), *tag = PICK(r, tags), *registry = PICK(r, registries),
			   *risk = PICK(r, risks), *when = NULL;
		size_t ncomponents = pick(r, 4);

		if (pick(r, 8)) {
			time_t t = (time_t)(now - (int64_t)pick(r, 60 * 86400));
			struct tm tm;

			gmtime_r(&t, &tm);
			strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
			when = created;
		}
		snprintf(id, sizeof(id), "%d", i);
		{
			const char *p[] = {id, name, tag, registry, when, risk};

			exec_ok(conn, "INSERT INTO q_images VALUES ($1, $2, $3, $4, $5, $6)", 6, p);
		}
		json_object_set_new(doc, "id", json_integer(i));
		set_member(r, doc, "name", string_or_null(name));
		set_member(r, doc, "tag", string_or_null(tag));
		set_member(r, doc, "registry", string_or_null(registry));
		set_member(r, doc, "created", string_or_null(when));
		set_member(r, doc, "risk", number_or_null(risk));
		for (size_t c = 0; c < ncomponents; c++) {
			json_t *component = json_object(), *vulns = json_array();
			const char *cname = PICK(r, component_names), *version = PICK(r, versions);
			char cid[16], iid[16];
			size_t nvulns = pick(r, 4);

			snprintf(cid, sizeof(cid), "%d", component_id++);
			snprintf(iid, sizeof(iid), "%d", i);
			{
				const char *p[] = {cid, iid, cname, version};

				exec_ok(conn, "INSERT INTO q_components VALUES ($1, $2, $3, $4)", 4, p);
			}
			set_member(r, component, "name", string_or_null(cname));
			set_member(r, component, "version", string_or_null(version));
			for (size_t v = 0; v < nvulns; v++) {
				json_t *vuln = json_object();
				const char *cve = PICK(r, cves), *fixable = PICK(r, bool_values),
					   *severity = PICK(r, severity_values), *cvss = PICK(r, cvss_values);
				char vid[16];

				snprintf(vid, sizeof(vid), "%d", vuln_id++);
				{
					const char *p[] = {vid, cid, cve, fixable, severity, cvss};

					exec_ok(conn, "INSERT INTO q_vulns VALUES ($1, $2, $3, $4, $5, $6)", 6, p);
				}
				set_member(r, vuln, "cve", string_or_null(cve));
				set_member(r, vuln, "fixable",
					   fixable ? json_boolean(strcmp(fixable, "true") == 0) : json_null());
				set_member(r, vuln, "severity", string_or_null(severity));
				set_member(r, vuln, "cvss", number_or_null(cvss));
				json_array_append_new(vulns, vuln);
			}
			json_object_set_new(component, "vulns", vulns);
			json_array_append_new(components, component);
		}
		json_object_set_new(doc, "components", components);
		json_array_append_new(docs, doc);
	}
	return docs;
}

/* Runs one query both ways; the matching ids as a bit set of IMAGES bits
 * (two words) must agree. Returns how many images matched. */
static int differ(PGconn *conn, const json_t *docs, const char *text, int64_t now)
{
	struct query *q = NULL;
	char *where = NULL, *sql = NULL;
	json_t *params = NULL;
	const char *p[QUERY_MAX_TERMS * QUERY_MAX_VALUES * 2];
	uint64_t in_sql[2] = {0, 0}, in_c[2] = {0, 0};
	PGresult *res = NULL;
	size_t n;
	int rc, matched = 0;

	rc = query_parse_at(&q, text, fields, NFIELDS, now);
	if (rc)
		fail_msg("generated query %s does not parse: %s", text, error_last());
	assert_int_equal(query_to_sql(&where, &params, q, 1, &sql_map), ASEC_OK);
	n = json_array_size(params);
	for (size_t i = 0; i < n; i++)
		p[i] = json_string_value(json_array_get(params, i));
	assert_true(asprintf(&sql, "SELECT i.id FROM q_images i WHERE %s ORDER BY i.id", where) > 0);
	rc = db_exec(&res, conn, sql, (int)n, p);
	if (rc != ASEC_OK)
		fail_msg("%s\n%s\n%s", text, sql, error_last());
	for (int row = 0; row < PQntuples(res); row++) {
		int id = atoi(PQgetvalue(res, row, 0));

		in_sql[id / 64] |= UINT64_C(1) << (id % 64);
	}
	PQclear(res);
	for (size_t i = 0; i < json_array_size(docs); i++) {
		int m = query_matches(q, json_array_get(docs, i), &json_map);

		assert_true(m >= 0);
		if (m) {
			in_c[i / 64] |= UINT64_C(1) << (i % 64);
			matched++;
		}
	}
	if (in_sql[0] != in_c[0] || in_sql[1] != in_c[1]) {
		char *ptext = json_dumps(params, JSON_COMPACT);

		fail_msg("SQL and C disagree on %s\n  SQL: %s\n  params: %s\n  SQL ids %016llx%016llx, C ids "
			 "%016llx%016llx",
			 text, where, ptext, (unsigned long long)in_sql[1], (unsigned long long)in_sql[0],
			 (unsigned long long)in_c[1], (unsigned long long)in_c[0]);
	}
	free(sql);
	free(where);
	json_decref(params);
	query_free(q);
	return matched;
}

static void test_postgres_agrees_with_c(void **state)
{
	const char *url = getenv("ASEC_TEST_DATABASE_URL");
	const char *seed_text = getenv("ASEC_QUERY_SEED");
	struct db_pool_options o = {.conninfo = url, .application_name = "query_test", .max_connections = 1};
	struct db_pool *pool = NULL;
	PGconn *conn = NULL;
	struct rng r = {UINT64_C(0x9E3779B97F4A7C15)};
	int64_t now = (int64_t)time(NULL);
	json_t *docs;
	int some = 0, none = 0, all = 0;
	const int runs = 1500;
	static const char *const fixed[] = {
		"Image:nginx+CVE:CVE-2021-44228,CVE-2022-0001+Fixable:true+CVSS:>=7",
		"Image:'; DROP TABLE q_images; --",
		"Image:50%,ngin_x,back\\slash,x_y%",
		"Image:\"CAFÉ\",\"café\",r/É,r/^caf.$",
		"Component:lib%+CVE:!CVE-2021",
		"Severity:!low,crit+Fixable:false",
		"Image Tag:-,\"\"+Image Registry:*",
	};

	if (!url || !url[0]) {
		if (testing_in_ci())
			fail_msg("ASEC_TEST_DATABASE_URL is required under CI");
		skip();
	}
	if (seed_text && seed_text[0])
		r.s = strtoull(seed_text, NULL, 0) | 1;
	assert_int_equal(db_pool_open(&pool, &o), ASEC_OK);
	assert_int_equal(db_acquire(&conn, pool), ASEC_OK);
	docs = fill_tables(conn, &r, now);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		differ(conn, docs, fixed[i], now);
	for (int i = 0; i < runs; i++) {
		char text[2048];
		int m;

		generate_query(&r, text, sizeof(text), now);
		m = differ(conn, docs, text, now);
		if (m == 0)
			none++;
		else if (m == IMAGES)
			all++;
		else
			some++;
	}
	printf("query_test: %d generated queries agree: %d matched some images, %d none, %d all\n", runs, some,
	       none, all);
	/* A batch where nearly everything matches nothing (or everything) would
	 * prove little. */
	assert_true(some > runs / 4);
	json_decref(docs);
	db_release(pool, conn);
	db_pool_close(pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_bad_field_table),
		cmocka_unit_test(test_sql_output),
		cmocka_unit_test(test_sql_errors),
		cmocka_unit_test(test_json_matches),
		cmocka_unit_test(test_json_types_and_map),
		cmocka_unit_test(test_postgres_agrees_with_c),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
