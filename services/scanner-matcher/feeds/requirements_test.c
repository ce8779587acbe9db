/*
 * requirements_test.c - tests of the interval-set algebra and of the SemVer
 * requirement grammar shared by the npm and Cargo parsers.
 *
 * Sets are shown as text so that each expectation reads like the interval
 * it is: "[1.2.0,1.3.0)" is 1.2.0 <= v < 1.3.0, "(-inf,2]" is v <= 2, a
 * union is intervals separated by spaces, and "{}" is the empty set.
 *
 * The npm expectations are node-semver 7's own desugaring, printed with
 *   node -e "console.log(require('semver').validRange(R, {includePrerelease: true}))"
 * (which is how requirements.c reads partial versions; bounds written as
 * full versions are kept as written, as node-semver's default mode prints
 * them). The Cargo ones follow the semver crate's documentation and were
 * checked with the crate itself (VersionReq::matches on sample versions).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error/error.h"
#include "feeds/requirements.h"

static const char *show(const struct req_set *set)
{
	static char buf[4096];
	size_t i, n = 0;

	buf[0] = '\0';
	if (!set->count)
		return "{}";
	for (i = 0; i < set->count && n < sizeof(buf) - 1; i++) {
		const struct req_interval *iv = &set->items[i];

		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s%s,%s%s", i ? " " : "",
				      iv->lo.kind == REQ_EXCLUSIVE ? "(" : iv->lo.kind == REQ_INCLUSIVE ? "[" : "(-inf",
				      iv->lo.version, iv->hi.kind == REQ_UNBOUNDED ? "+inf" : iv->hi.version,
				      iv->hi.kind == REQ_INCLUSIVE ? "]" : ")");
	}
	return buf;
}

/* One interval from "[a,b)"-style text (for building test inputs). */
static struct req_interval iv(const char *text)
{
	struct req_interval r;
	char lo[64], hi[64];
	const char *comma = strchr(text, ',');
	size_t n = strlen(text);

	memset(&r, 0, sizeof(r));
	snprintf(lo, sizeof(lo), "%.*s", (int)(comma - text - 1), text + 1);
	snprintf(hi, sizeof(hi), "%.*s", (int)(text + n - comma - 2), comma + 1);
	if (strcmp(lo, "-inf") != 0) {
		r.lo.kind = text[0] == '[' ? REQ_INCLUSIVE : REQ_EXCLUSIVE;
		strcpy(r.lo.version, lo);
	}
	if (strcmp(hi, "+inf") != 0) {
		r.hi.kind = text[n - 1] == ']' ? REQ_INCLUSIVE : REQ_EXCLUSIVE;
		strcpy(r.hi.version, hi);
	}
	return r;
}

/* The union of the intervals of a space-separated list, added in order. */
static void build(struct req_set *set, const char *list)
{
	char copy[512], *tok, *save = NULL;
	struct req_interval one;

	req_set_clear(set);
	snprintf(copy, sizeof(copy), "%s", list);
	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		one = iv(tok);
		assert_int_equal(req_set_add(set, &one), ASEC_OK);
	}
}

/* ---- the algebra (over RubyGems order, where 1.3 == 1.3.0) ---- */

static void test_union_merges_overlapping_and_touching(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"[1,3] [2,5)", "[1,5)"},
		{"[2,5) [1,3]", "[1,5)"}, /* order does not matter */
		{"[1,10] [2,3]", "[1,10]"},
		{"[1,2) [2,3]", "[1,3]"},	/* touching: 2 is in the second */
		{"[1,2] (2,3)", "[1,3)"},	/* touching: 2 is in the first */
		{"(1,2) (2,3)", "(1,2) (2,3)"}, /* 2 is in neither: a hole */
		{"[1,2) [3,4) [2,3)", "[1,4)"}, /* the middle one bridges */
		{"(-inf,2) [1,+inf)", "(-inf,+inf)"},
		{"[1.3,2) [1,1.3.0)", "[1,2)"}, /* equal by the comparator, not by text */
		{"[3,1] [2,2) (2,2] (2,2)", "{}"}, /* empty intervals change nothing */
		{"[2,2]", "[2,2]"},
		{"[5,6] [1,2] [3,4]", "[1,2] [3,4] [5,6]"},
	};
	struct req_set s;
	size_t i;

	(void)state;
	req_set_init(&s, version_comparator("gem"));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		build(&s, cases[i].in);
		assert_string_equal(show(&s), cases[i].out);
	}
	req_set_free(&s);
}

static void test_intersect(void **state)
{
	static const struct {
		const char *a, *b, *out;
	} cases[] = {
		{"[1,5)", "[3,8]", "[3,5)"},
		{"[1,3)", "[3,8]", "{}"},
		{"[1,3]", "[3,8]", "[3,3]"},
		{"[1,3) [5,7)", "[2,6]", "[2,3) [5,6]"},
		{"(-inf,+inf)", "(1,2]", "(1,2]"},
		{"(-inf,2) (2,+inf)", "[1,3]", "[1,2) (2,3]"},
		{"[1,2]", "", "{}"},
	};
	struct req_set a, b;
	size_t i;

	(void)state;
	req_set_init(&a, version_comparator("gem"));
	req_set_init(&b, version_comparator("gem"));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		build(&a, cases[i].a);
		build(&b, cases[i].b);
		assert_int_equal(req_set_intersect(&a, &b), ASEC_OK);
		assert_string_equal(show(&a), cases[i].out);
	}
	req_set_free(&a);
	req_set_free(&b);
}

static void test_complement_flips_every_bound(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"", "(-inf,+inf)"},
		{"(-inf,+inf)", "{}"},
		{"[1,3) (5,+inf)", "(-inf,1) [3,5]"},
		{"(-inf,1] [2,3]", "(1,2) (3,+inf)"},
		{"[2,2]", "(-inf,2) (2,+inf)"},
		{"(1,2) (2,3)", "(-inf,1] [2,2] [3,+inf)"},
	};
	struct req_set s;
	char again[256];
	size_t i;

	(void)state;
	req_set_init(&s, version_comparator("gem"));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		build(&s, cases[i].in);
		assert_int_equal(req_set_complement(&s), ASEC_OK);
		assert_string_equal(show(&s), cases[i].out);
		/* and back */
		assert_int_equal(req_set_complement(&s), ASEC_OK);
		snprintf(again, sizeof(again), "%s", show(&s));
		build(&s, cases[i].in);
		assert_string_equal(again, show(&s));
	}
	req_set_free(&s);
}

/* RubySec's rule on real shapes: affected = NOT (patched OR unaffected). */
static void test_affected_is_not_patched_or_unaffected(void **state)
{
	struct req_set safe, one;

	(void)state;
	req_set_init(&safe, version_comparator("gem"));
	req_set_init(&one, version_comparator("gem"));
	/* patched ~> 1.2.5 (>= 1.2.5, < 1.3) and >= 1.3.0; unaffected < 1.0 */
	assert_int_equal(req_set_fill(&one), ASEC_OK);
	assert_int_equal(req_set_constrain(&one, REQ_OP_GE, "1.2.5"), ASEC_OK);
	assert_int_equal(req_set_constrain(&one, REQ_OP_LT, "1.3"), ASEC_OK);
	assert_int_equal(req_set_union(&safe, &one), ASEC_OK);
	assert_int_equal(req_set_fill(&one), ASEC_OK);
	assert_int_equal(req_set_constrain(&one, REQ_OP_GE, "1.3.0"), ASEC_OK);
	assert_int_equal(req_set_union(&safe, &one), ASEC_OK);
	assert_string_equal(show(&safe), "[1.2.5,+inf)"); /* 1.3 and 1.3.0 touch */
	assert_int_equal(req_set_fill(&one), ASEC_OK);
	assert_int_equal(req_set_constrain(&one, REQ_OP_LT, "1.0"), ASEC_OK);
	assert_int_equal(req_set_union(&safe, &one), ASEC_OK);
	assert_int_equal(req_set_complement(&safe), ASEC_OK);
	assert_string_equal(show(&safe), "[1.0,1.2.5)");
	assert_true(req_set_contains(&safe, "1.0"));
	assert_true(req_set_contains(&safe, "1.0.0"));
	assert_true(req_set_contains(&safe, "1.2.4.9"));
	assert_false(req_set_contains(&safe, "1.2.5"));
	assert_false(req_set_contains(&safe, "0.9"));
	/* subtract is intersect with the complement */
	assert_int_equal(req_set_fill(&one), ASEC_OK);
	assert_int_equal(req_set_constrain(&one, REQ_OP_EQ, "1.1"), ASEC_OK);
	assert_int_equal(req_set_subtract(&safe, &one), ASEC_OK);
	assert_string_equal(show(&safe), "[1.0,1.1) (1.1,1.2.5)");
	/* != removes one point */
	assert_int_equal(req_set_fill(&one), ASEC_OK);
	assert_int_equal(req_set_constrain(&one, REQ_OP_NE, "2"), ASEC_OK);
	assert_string_equal(show(&one), "(-inf,2) (2,+inf)");
	assert_false(req_set_contains(&one, "2.0"));
	assert_true(req_set_contains(&one, "2.0.1"));
	/* patched that covers everything leaves nothing affected */
	assert_int_equal(req_set_fill(&safe), ASEC_OK);
	assert_int_equal(req_set_constrain(&safe, REQ_OP_LT, "5.1.2"), ASEC_OK);
	assert_int_equal(req_set_fill(&one), ASEC_OK);
	assert_int_equal(req_set_constrain(&one, REQ_OP_GE, "5.1.2"), ASEC_OK);
	assert_int_equal(req_set_union(&safe, &one), ASEC_OK);
	assert_int_equal(req_set_complement(&safe), ASEC_OK);
	assert_true(req_set_is_empty(&safe));
	req_set_free(&safe);
	req_set_free(&one);
}

static void test_ranges_json(void **state)
{
	struct req_set s;
	json_t *ranges;
	char *text;

	(void)state;
	req_set_init(&s, version_comparator("npm"));
	build(&s, "(-inf,1.0.0) (1.5.0,2.0.0] [3.0.0,+inf)");
	assert_int_equal(req_set_ranges(&ranges, &s, NULL, NULL, "src"), ASEC_OK);
	text = json_dumps(ranges, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, "[{\"events\":\"src\",\"fixed\":\"1.0.0\",\"introduced\":\"0\"},"
				  "{\"events\":\"src\",\"introducedAfter\":\"1.5.0\",\"lastAffected\":\"2.0.0\"},"
				  "{\"events\":\"src\",\"introduced\":\"3.0.0\"}]");
	free(text);
	json_decref(ranges);
	req_set_clear(&s);
	assert_int_equal(req_set_ranges(&ranges, &s, NULL, NULL, NULL), ASEC_OK);
	assert_int_equal(json_array_size(ranges), 0);
	json_decref(ranges);
	req_set_free(&s);
}

/* A fix is the lowest admitted version above an interval; least says which
 * version a lower bound admits first. */
static void test_fixes(void **state)
{
	static const struct {
		const char *eco, *set, *admitted; /* admitted NULL: every version outside set */
		req_least_fn least;
		const char *fixes; /* per interval, "-" for none */
	} cases[] = {
		/* npm "<=0.3.3" / ">=0.3.4" (NSWG-ECO-23) */
		{"npm", "(-inf,0.3.3]", "[0.3.4,+inf)", req_semver_least_npm, "0.3.4"},
		/* "<=0.3" / ">=0.4": npm's made-up 0.4.0-0 bound is not the fix... */
		{"npm", "(-inf,0.4.0-0)", "[0.4.0-0,+inf)", req_semver_least_npm, "0.4.0"},
		/* ...though a plain reading takes a bound as it is */
		{"npm", "(-inf,0.4.0-0)", "[0.4.0-0,+inf)", NULL, "0.4.0-0"},
		/* "*" minus "^1.2.3 || >=2.0.1": one fix per interval */
		{"npm", "(-inf,1.2.3) [2.0.0-0,2.0.1)", "[1.2.3,2.0.0-0) [2.0.1,+inf)", req_semver_least_npm, "1.2.3 2.0.1"},
		/* nothing patched, or nothing patched above */
		{"npm", "(-inf,2.0.0)", "", req_semver_least_npm, "-"},
		{"npm", "[2.0.0,3.0.0)", "(-inf,1.0.0)", req_semver_least_npm, "-"},
		{"npm", "[2.0.0,+inf)", "(-inf,2.0.0)", req_semver_least_npm, "-"},
		/* ">0.12.7": the next patch release; after a pre-release, its next */
		{"npm", "(-inf,0.12.7]", "(0.12.7,+inf)", req_semver_least_npm, "0.12.8"},
		{"npm", "(-inf,1.2.3-rc.1]", "(1.2.3-rc.1,+inf)", req_semver_least_npm, "1.2.3-rc.1.0"},
		{"npm", "(-inf,1.2.3+b.1]", "(1.2.3+b.1,+inf)", req_semver_least_npm, "1.2.4"},
		{"npm", "(-inf,0.12.7]", "(0.12.7,+inf)", NULL, "-"},
		/* the first interval above holds the lowest version or none */
		{"npm", "(-inf,1.2.3]", "(1.2.3,1.2.4-0) [2.0.0,+inf)", req_semver_least_npm, "-"},
		/* Cargo (RustSec patched = ["> 0.4.0"], RUSTSEC-2021-0004) and
		 * plain exclusive ends, with admitted every other version */
		{"cargo", "(-inf,0.4.0]", NULL, req_semver_least_cargo, "0.4.1"},
		{"cargo", "(-inf,1.2.5) [2.0.0,2.1.0)", NULL, req_semver_least_cargo, "1.2.5 2.1.0"},
		/* Cargo has no made-up "-0": a written 1.0.0-0 is a version */
		{"cargo", "(-inf,1.0.0-0)", NULL, req_semver_least_cargo, "1.0.0-0"},
		/* RubyGems: no installer's next release, so "> 1.0.1" names none */
		{"gem", "(-inf,1.0.1]", NULL, NULL, "-"},
		{"gem", "[1.0,1.2.5)", NULL, NULL, "1.2.5"},
	};
	struct req_set s, a;
	char fix[VERSION_MAX_LEN + 1], got[512];
	size_t i, k, n;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		req_set_init(&s, version_comparator(cases[i].eco));
		req_set_init(&a, version_comparator(cases[i].eco));
		build(&s, cases[i].set);
		if (cases[i].admitted && cases[i].admitted[0])
			build(&a, cases[i].admitted);
		for (k = 0, n = 0, got[0] = '\0'; k < s.count; k++) {
			rc = req_set_fix(fix, &s, k, cases[i].admitted ? &a : NULL, cases[i].least);
			assert_true(rc == 0 || rc == 1);
			n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s", k ? " " : "", rc ? fix : "-");
		}
		if (strcmp(got, cases[i].fixes) != 0)
			fail_msg("%s %s admitted %s: fixes %s, not %s", cases[i].eco, cases[i].set,
				 cases[i].admitted ? cases[i].admitted : "(the rest)", got, cases[i].fixes);
		assert_int_equal(req_set_fix(fix, &s, s.count, NULL, NULL), 0); /* no such interval */
		req_set_free(&s);
		req_set_free(&a);
	}
}

/* "fixedBy" only where the bound alone would say something else. */
static void test_ranges_json_fixes(void **state)
{
	struct req_set s, a;
	json_t *ranges;
	char *text;

	(void)state;
	req_set_init(&s, version_comparator("npm"));
	req_set_init(&a, version_comparator("npm"));
	build(&s, "(-inf,0.3.3] [1.0.0,1.1.0-0) [2.0.0,2.0.1) [3.0.0,3.1.0)");
	build(&a, "[0.3.4,1.0.0) [1.1.0-0,2.0.0) [2.0.1,2.1.0) [3.1.0,+inf)");
	assert_int_equal(req_set_ranges(&ranges, &s, &a, req_semver_least_npm, NULL), ASEC_OK);
	text = json_dumps(ranges, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, "[{\"fixedBy\":\"0.3.4\",\"introduced\":\"0\",\"lastAffected\":\"0.3.3\"},"
				  "{\"fixed\":\"1.1.0-0\",\"fixedBy\":\"1.1.0\",\"introduced\":\"1.0.0\"},"
				  "{\"fixed\":\"2.0.1\",\"introduced\":\"2.0.0\"},"
				  "{\"fixed\":\"3.1.0\",\"introduced\":\"3.0.0\"}]");
	free(text);
	json_decref(ranges);
	/* nothing patched: an exclusive end is no fix */
	req_set_clear(&a);
	assert_int_equal(req_set_ranges(&ranges, &s, &a, req_semver_least_npm, NULL), ASEC_OK);
	text = json_dumps(json_array_get(ranges, 2), JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, "{\"fixed\":\"2.0.1\",\"fixedBy\":\"\",\"introduced\":\"2.0.0\"}");
	free(text);
	json_decref(ranges);
	req_set_free(&s);
	req_set_free(&a);
}

static void test_limits(void **state)
{
	struct req_set s;
	struct req_interval one;
	char v[400];
	int i, rc = ASEC_OK;

	(void)state;
	req_set_init(&s, version_comparator("gem"));
	for (i = 0; i <= REQ_MAX_INTERVALS && rc == ASEC_OK; i++) {
		snprintf(v, sizeof(v), "[%d,%d]", i, i);
		one = iv(v);
		rc = req_set_add(&s, &one);
	}
	assert_int_equal(rc, ASEC_ETOOBIG);
	assert_int_equal(i, REQ_MAX_INTERVALS + 1);
	assert_non_null(strstr(error_last(), "more than 1000 intervals"));

	assert_int_equal(req_set_fill(&s), ASEC_OK);
	memset(v, '1', 300);
	v[300] = '\0';
	assert_int_equal(req_set_constrain(&s, REQ_OP_LT, v), ASEC_EINVALID);
	assert_int_equal(req_set_constrain(&s, REQ_OP_LT, ""), ASEC_EINVALID);
	req_set_free(&s);
}

/* ---- SemVer comparators ---- */

struct semver_case {
	const char *op, *partial, *out;
};

static void check_semver(enum req_semver_dialect dialect, const struct semver_case *cases, size_t n)
{
	struct req_set s;
	size_t i;

	req_set_init(&s, version_comparator(dialect == REQ_SEMVER_NPM ? "npm" : "cargo"));
	for (i = 0; i < n; i++) {
		assert_int_equal(req_set_fill(&s), ASEC_OK);
		if (req_semver_comparator(&s, dialect, cases[i].op, cases[i].partial, strlen(cases[i].partial)) != ASEC_OK)
			fail_msg("%s%s: %s", cases[i].op, cases[i].partial, error_last());
		if (strcmp(show(&s), cases[i].out) != 0)
			fail_msg("%s%s gave %s, not %s", cases[i].op, cases[i].partial, show(&s), cases[i].out);
	}
	req_set_free(&s);
}

static void test_npm_comparators(void **state)
{
	static const struct semver_case cases[] = {
		{"<=", "1.0", "(-inf,1.1.0-0)"},
		{">", "1.2", "[1.3.0-0,+inf)"},
		{">=", "1.2", "[1.2.0-0,+inf)"},
		{">=", "2.2.x", "[2.2.0-0,+inf)"},
		{"", "1.x", "[1.0.0-0,2.0.0-0)"},
		{"", "1", "[1.0.0-0,2.0.0-0)"},
		{"=", "1.2", "[1.2.0-0,1.3.0-0)"},
		{"~", "1.2.3", "[1.2.3,1.3.0-0)"},
		{"~", "1.2", "[1.2.0-0,1.3.0-0)"},
		{"~", "1", "[1.0.0-0,2.0.0-0)"},
		{"~", "0.8.0-pre", "[0.8.0-pre,0.9.0-0)"},
		{"^", "1.2.3", "[1.2.3,2.0.0-0)"},
		{"^", "0.2.3", "[0.2.3,0.3.0-0)"},
		{"^", "0.0.3", "[0.0.3,0.0.4-0)"},
		{"^", "1.2.x", "[1.2.0-0,2.0.0-0)"},
		{"^", "0.0.x", "(-inf,0.1.0-0)"},
		{"^", "0.0", "(-inf,0.1.0-0)"},
		{"^", "0", "(-inf,1.0.0-0)"},
		{"^", "5.0.0-beta.5", "[5.0.0-beta.5,6.0.0-0)"},
		{"<", "1", "(-inf,1.0.0-0)"},
		{"<", "1.x", "(-inf,1.0.0-0)"},
		{"<", "0.0.0", "(-inf,0.0.0)"},
		{"", "*", "(-inf,+inf)"},
		{">=", "*", "(-inf,+inf)"},
		{"<", "*", "{}"},
		{">", "*", "{}"},
		{"=", "3.0.0-rc.1", "[3.0.0-rc.1,3.0.0-rc.1]"},
		{"", "2.1.0-M1", "[2.1.0-M1,2.1.0-M1]"},
		{"<=", "v2.0.0-alpha7", "(-inf,2.0.0-alpha7]"},
		{"<=", "=v1.2.3", "(-inf,1.2.3]"},
		{">", "1.2.3+build.5", "(1.2.3+build.5,+inf)"},
		{"<", "01.02.03", "(-inf,1.2.3)"}, /* loose: leading zeros */
		/* numbers are digit strings: no overflow when bumping */
		{"<=", "1.99999999999999999999", "(-inf,1.100000000000000000000.0-0)"},
		{">", "9", "[10.0.0-0,+inf)"},
	};

	(void)state;
	check_semver(REQ_SEMVER_NPM, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_cargo_comparators(void **state)
{
	static const struct semver_case cases[] = {
		{"", "1.2.3", "[1.2.3,2.0.0)"}, /* a bare version is a caret */
		{"", "0.0.3", "[0.0.3,0.0.4)"},
		{"", "0", "(-inf,1.0.0)"},
		{"", "1.*", "[1.0.0,2.0.0)"},
		{"", "*", "(-inf,+inf)"},
		{"^", "0.2.2", "[0.2.2,0.3.0)"},
		{"^", "0.0", "(-inf,0.1.0)"},
		{"~", "1.2", "[1.2.0,1.3.0)"},
		{"~", "1.2.3", "[1.2.3,1.3.0)"},
		{"<", "0.12", "(-inf,0.12.0)"},
		{"<", "0.10.0-alpha.1", "(-inf,0.10.0-alpha.1)"},
		{"<=", "0.7", "(-inf,0.8.0)"},
		{">", "0.3", "[0.4.0,+inf)"},
		{">", "0", "[1.0.0,+inf)"},
		{">=", "0", "(-inf,+inf)"}, /* RustSec's "everything" */
		{">=", "111.14", "[111.14.0,+inf)"},
		{"=", "0.2.3", "[0.2.3,0.2.3]"},
		{"=", "0.2", "[0.2.0,0.3.0)"},
	};

	(void)state;
	check_semver(REQ_SEMVER_CARGO, cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_semver_errors(void **state)
{
	static const struct {
		enum req_semver_dialect dialect;
		const char *op, *partial, *why;
	} cases[] = {
		{REQ_SEMVER_NPM, "<", "1.2.3.4", "more than three"},
		{REQ_SEMVER_NPM, "<", "1.2.3-", "pre-release"},
		{REQ_SEMVER_NPM, "<", "1.2-beta", "not major.minor.patch"},
		{REQ_SEMVER_NPM, "", "1.x.3", "after a wildcard"},
		{REQ_SEMVER_NPM, "", "abc", "unexpected 'a'"},
		{REQ_SEMVER_NPM, "", "1..2", "unexpected '.'"},
		{REQ_SEMVER_NPM, "", "1.", "ends after a dot"},
		{REQ_SEMVER_NPM, ">=", "v", "without a version"},
		{REQ_SEMVER_NPM, "~>", "1.2.3", "unknown operator"},
		{REQ_SEMVER_NPM, "", "1.2.3+", "build"},
		{REQ_SEMVER_CARGO, "", "v1.2.3", "unexpected 'v'"},
		{REQ_SEMVER_CARGO, "", "01.2.3", "leading zero"},
		{REQ_SEMVER_CARGO, "", "1.2.3-01", "pre-release"},
		{REQ_SEMVER_CARGO, "", "1.2.3 ", "unexpected ' '"},
	};
	char huge[200];
	struct req_set s;
	size_t i;

	(void)state;
	req_set_init(&s, version_comparator("npm"));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(req_set_fill(&s), ASEC_OK);
		if (req_semver_comparator(&s, cases[i].dialect, cases[i].op, cases[i].partial,
					  strlen(cases[i].partial)) != ASEC_EINVALID)
			fail_msg("%s%s was accepted", cases[i].op, cases[i].partial);
		if (!strstr(error_last(), cases[i].why))
			fail_msg("%s%s: \"%s\" does not say \"%s\"", cases[i].op, cases[i].partial, error_last(),
				 cases[i].why);
	}
	/* a number longer than any version may be */
	memset(huge, '7', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	assert_int_equal(req_semver_comparator(&s, REQ_SEMVER_NPM, "<", huge, strlen(huge)), ASEC_EINVALID);
	/* partial_len is honoured: nothing past it is read */
	assert_int_equal(req_set_fill(&s), ASEC_OK);
	assert_int_equal(req_semver_comparator(&s, REQ_SEMVER_NPM, "<", "1.2.3garbage", 5), ASEC_OK);
	assert_string_equal(show(&s), "(-inf,1.2.3)");
	req_set_free(&s);
}

static void test_hyphen(void **state)
{
	static const struct {
		const char *from, *to, *out;
	} cases[] = {
		{"1.2.3", "2.3.4", "[1.2.3,2.3.4]"},
		{"1.2", "2.3", "[1.2.0-0,2.4.0-0)"},
		{"1.2.3", "2", "[1.2.3,3.0.0-0)"},
		{"*", "2", "(-inf,3.0.0-0)"},
		{"1.2.3", "*", "[1.2.3,+inf)"},
		{"2.0.0", "1.0.0", "{}"},
	};
	struct req_set s;
	size_t i;

	(void)state;
	req_set_init(&s, version_comparator("npm"));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(req_set_fill(&s), ASEC_OK);
		assert_int_equal(req_semver_hyphen(&s, cases[i].from, strlen(cases[i].from), cases[i].to,
						   strlen(cases[i].to)),
				 ASEC_OK);
		assert_string_equal(show(&s), cases[i].out);
	}
	assert_int_equal(req_semver_hyphen(&s, "1.x.1", 5, "2", 1), ASEC_EINVALID);
	req_set_free(&s);
}

/* ---- comma-joined requirements and their lists ---- */

/* Collects the comparators it is given as "[a][b]..."; fails on "stop". */
static int collect(void *ctx, const char *s, size_t n)
{
	char *out = ctx;
	size_t len = strlen(out);

	if (n == 4 && memcmp(s, "stop", 4) == 0)
		return -99;
	snprintf(out + len, 4096 - len, "[%.*s]", (int)n, s);
	return 0;
}

static void test_each_comparator(void **state)
{
	char out[4096], text[REQ_MAX_TEXT + 2];
	size_t i;

	(void)state;
	out[0] = '\0';
	assert_int_equal(req_each_comparator(" ~> 1.2 ,>= 1.2.5,, \t", collect, out), ASEC_OK);
	assert_string_equal(out, "[~> 1.2][>= 1.2.5][][]");
	out[0] = '\0';
	assert_int_equal(req_each_comparator("a, stop, b", collect, out), -99);
	assert_string_equal(out, "[a]");
	/* 64 comparators are read, a 65th is refused before it is */
	for (i = 0; i < 64; i++)
		text[i] = ',';
	text[63] = '\0';
	out[0] = '\0';
	assert_int_equal(req_each_comparator(text, collect, out), ASEC_OK);
	assert_int_equal(strlen(out), 2 * 64);
	text[63] = ',';
	text[64] = '\0';
	assert_int_equal(req_each_comparator(text, collect, out), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "more than 64 comparators"));
	memset(text, 'x', REQ_MAX_TEXT + 1);
	text[REQ_MAX_TEXT + 1] = '\0';
	assert_int_equal(req_each_comparator(text, collect, out), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "longer than 4096 bytes"));
}

/* "=v" as the one version v; anything else refused. */
static int exactly(struct req_set *set, const char *text)
{
	if (text[0] != '=') {
		error_set("not =");
		return ASEC_EINVALID;
	}
	return req_set_constrain(set, REQ_OP_EQ, text + 1);
}

static void test_union_list(void **state)
{
	struct req_set s;
	json_t *events = json_array(), *list = json_pack("[s, s]", "=1.0", "=2.0");
	char why[128] = "";

	(void)state;
	req_set_init(&s, version_comparator("gem"));
	assert_int_equal(req_set_union_list(&s, list, exactly, "patched", events, why, sizeof(why)), ASEC_OK);
	assert_string_equal(show(&s), "[1.0,1.0] [2.0,2.0]");
	assert_int_equal(json_array_size(events), 2);
	assert_string_equal(json_string_value(json_array_get(events, 1)), "=2.0");
	json_decref(list);
	list = json_pack("[s, i]", "=3.0", 3);
	assert_int_equal(req_set_union_list(&s, list, exactly, "patched", events, why, sizeof(why)), ASEC_EINVALID);
	assert_string_equal(why, "patched holds something that is not a string");
	json_decref(list);
	list = json_pack("[s]", ">3.0");
	assert_int_equal(req_set_union_list(&s, list, exactly, "patched", events, why, sizeof(why)), ASEC_EINVALID);
	assert_string_equal(why, "patched \">3.0\": not =");
	json_decref(list);
	list = json_array();
	for (int i = 0; i < 65; i++)
		json_array_append_new(list, json_string("=1.0"));
	assert_int_equal(req_set_union_list(&s, list, exactly, "patched", events, why, sizeof(why)), ASEC_EINVALID);
	assert_string_equal(why, "patched has more than 64 requirements");
	json_decref(list);
	json_decref(events);
	req_set_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_union_merges_overlapping_and_touching),
		cmocka_unit_test(test_intersect),
		cmocka_unit_test(test_complement_flips_every_bound),
		cmocka_unit_test(test_affected_is_not_patched_or_unaffected),
		cmocka_unit_test(test_ranges_json),
		cmocka_unit_test(test_fixes),
		cmocka_unit_test(test_ranges_json_fixes),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_npm_comparators),
		cmocka_unit_test(test_cargo_comparators),
		cmocka_unit_test(test_semver_errors),
		cmocka_unit_test(test_hyphen),
		cmocka_unit_test(test_each_comparator),
		cmocka_unit_test(test_union_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
