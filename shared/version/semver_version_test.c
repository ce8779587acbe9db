/*
 * semver_version_test.c - tests of the SemVer comparators (strict and node-semver loose).
 *
 * Every row of the upstream vectors in ../shared/fixtures/version-vectors
 * must match (the count checked is printed); the own cases cover what the
 * vectors miss: numbers beyond 64 bits, empty and invalid strings, the
 * length limit, and the specification's own examples.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testing/testing.h"
#include "version/version.h"
#include "version/version_testing.h"

static void test_vectors_strict(void **state)
{
	(void)state;
	version_testing_check_vectors("semver.tsv", version_compare_semver);
}

static void test_vectors_loose(void **state)
{
	(void)state;
	version_testing_check_vectors("semver-loose.tsv", version_compare_semver_loose);
	/* strict rows hold in loose mode too */
	version_testing_check_vectors("semver.tsv", version_compare_semver_loose);
}

/* semver.org 2.0, section 11.4's example chain. */
static void test_spec_precedence(void **state)
{
	static const char *const chain[] = {
		"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
		"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1",
	};

	(void)state;
	version_testing_assert_ascending(version_compare_semver, chain, sizeof(chain) / sizeof(chain[0]));
	version_testing_assert_ascending(version_compare_semver_loose, chain, sizeof(chain) / sizeof(chain[0]));
}

static void test_strict_cases(void **state)
{
	static const struct version_testing_case cases[] = {
		/* numbers beyond 64 bits compare exactly */
		{ "18446744073709551616.0.0", "18446744073709551615.0.0", 1 },
		{ "1.0.99999999999999999999999", "1.0.100000000000000000000000", -1 },
		{ "1.0.0-99999999999999999999999", "1.0.0-99999999999999999999998", 1 },
		{ "1.0.0-99999999999999999999999", "1.0.0-a", -1 },
		{ "1.0.0-a-b", "1.0.0-a", 1 },
		{ "1.0.0-B", "1.0.0-a", -1 }, /* ASCII, case-sensitive */
		{ "1.0.0+build.1", "1.0.0+build.2", 0 },
		{ " 1.2.3 ", "v1.2.3", 0 },
		/* invalid strings sort first, and by strcmp among themselves */
		{ "", "0.0.0", -1 },
		{ "=1.2.3", "0.0.0", -1 },
		{ "01.2.3", "0.0.0", -1 },
		{ "1.2", "0.0.0-0", -1 },
		{ "1.2.3-", "0.0.0", -1 },
		{ "1.2.3-01", "0.0.0", -1 },
		{ "1.2.3beta", "0.0.0", -1 },
		{ "1.2.3+", "0.0.0", -1 },
		{ "1.2.3-a..b", "0.0.0", -1 },
		{ "vv1.2.3", "0.0.0", -1 },
		{ "abc", "abd", -1 },
		{ "", "abc", -1 },
		{ "junk", "junk", 0 },
	};

	(void)state;
	version_testing_check_cases(cases, sizeof(cases) / sizeof(cases[0]), version_compare_semver);
	assert_true(version_valid_semver("v1.2.3-rc.1+b.5"));
	assert_true(version_valid_semver("0.0.0-0"));
	assert_true(version_valid_semver("1.2.3-0a"));
	assert_false(version_valid_semver("=1.2.3"));
	assert_false(version_valid_semver("1.2.3-00"));
	assert_false(version_valid_semver("1.02.3"));
	assert_false(version_valid_semver("1.2.3.4"));
	assert_false(version_valid_semver("1.2.3-a_b"));
	assert_false(version_valid_semver(""));
}

static void test_loose_cases(void **state)
{
	static const struct version_testing_case cases[] = {
		{ "1.2.3beta", "1.2.3-beta", 0 },
		{ "=v 1.2.3", "1.2.3", 0 },
		{ "01.02.03", "1.2.3", 0 },
		{ "1.2.3-01", "1.2.3-1", 0 },
		{ "1.2.3-", "1.2.3", -1 },       /* "-" itself is the identifier */
		{ "1.2.34.5", "1.2.3-4.5", 0 },  /* the patch gives digits back */
		{ "1.2.3-4", "1.2.34", -1 },
		{ "1.2", "0.0.0", -1 },          /* still invalid */
		{ "1.2.3.4", "0.0.0", -1 },
		{ "x1.2.3", "y", -1 },
	};

	(void)state;
	version_testing_check_cases(cases, sizeof(cases) / sizeof(cases[0]), version_compare_semver_loose);
}

static void test_length_limit(void **state)
{
	char v[VERSION_MAX_LEN + 2];

	(void)state;
	memset(v, 'a', sizeof(v));
	memcpy(v, "1.0.0-", 6);
	v[VERSION_MAX_LEN] = '\0';
	assert_true(version_valid_semver(v));
	assert_int_equal(version_testing_sign(version_compare_semver(v, "1.0.0")), -1);
	v[VERSION_MAX_LEN] = 'a';
	v[VERSION_MAX_LEN + 1] = '\0';
	assert_false(version_valid_semver(v));
	assert_int_equal(version_testing_sign(version_compare_semver(v, "0.0.0")), -1);
	assert_int_equal(version_testing_sign(version_compare_semver_loose(v, "0.0.0")), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_strict), cmocka_unit_test(test_vectors_loose),
		cmocka_unit_test(test_spec_precedence), cmocka_unit_test(test_strict_cases),
		cmocka_unit_test(test_loose_cases),    cmocka_unit_test(test_length_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
