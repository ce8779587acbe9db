/*
 * nuget_version_test.c - tests of the NuGet version comparator.
 *
 * NuGet ships no vector file here, so the cases are NuGet's documented
 * examples (learn.microsoft.com "Package versioning": normalization,
 * prerelease ordering, SemVer 2.0 labels and metadata) plus the edge cases
 * the rules imply: the Int32 limit of System.Version, 1 to 4 parts, invalid
 * and empty strings, and the length limit.
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

/* The docs' prerelease example, lowest first ("1.0.1-alpha10" sorts below
 * "1.0.1-alpha2": labels compare as strings). */
static void test_documented_order(void **state)
{
	static const char *const docs[] = {
		"1.0.1-aaa", "1.0.1-alpha10", "1.0.1-alpha2", "1.0.1-beta",
		"1.0.1-open", "1.0.1-rc", "1.0.1-zzz", "1.0.1",
	};
	static const char *const semver2[] = {
		"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
		"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.0.1", "1.0.1", "1.1", "2",
	};

	(void)state;
	version_testing_assert_ascending(version_compare_nuget, docs, sizeof(docs) / sizeof(docs[0]));
	version_testing_assert_ascending(version_compare_nuget, semver2, sizeof(semver2) / sizeof(semver2[0]));
}

static void test_cases(void **state)
{
	static const struct version_testing_case cases[] = {
		/* normalization examples: all of these are 1.0.0 / 1.0.1 */
		{ "1.0", "1.0.0", 0 },
		{ "1", "1.0.0", 0 },
		{ "1.00", "1.0.0", 0 },
		{ "1.00.0.00", "1.0.0", 0 },
		{ "1.0.01.0", "1.0.1", 0 },
		{ "1.0.0.0", "1.0.0", 0 },
		{ "1.0.0.1", "1.0.0", 1 },
		{ "1.0.0.10", "1.0.0.9", 1 },
		/* labels: case-insensitive, numeric below alphanumeric */
		{ "1.0.0-Beta", "1.0.0-beta", 0 },
		{ "1.0.0-RC.1", "1.0.0-rc.1", 0 },
		{ "1.0.0-beta.2", "1.0.0-beta.10", -1 },
		{ "1.0.0-1", "1.0.0-a", -1 },
		{ "1.0.0-99999999999999999999999", "1.0.0-99999999999999999999998", 1 },
		{ "1.0.0-alpha-1", "1.0.0-alpha", 1 },
		{ "1.0.0-a", "1.0.0-B", -1 },
		{ "1.0.0-", "1.0.0-a", -1 },    /* invalid: empty label */
		/* metadata is ignored */
		{ "1.0.0+githash", "1.0.0", 0 },
		{ "1.0.0-beta+1", "1.0.0-beta+2", 0 },
		{ "1.0.0+meta-data.01", "1.0.0", 0 },
		{ " 2.0.0 ", "2.0", 0 },
		{ "2147483647.0", "2147483646.9.9.9", 1 },
		/* invalid strings sort first, and by strcmp among themselves */
		{ "2147483648.0", "0.0", -1 },
		{ "1.2.3.4.5", "0.0", -1 },
		{ "", "0.0", -1 },
		{ "1..2", "0.0", -1 },
		{ "v1.0.0", "0.0", -1 },
		{ "1.0.0-01", "0.0", -1 },
		{ "1.0.0-a..b", "0.0", -1 },
		{ "1.0.0+", "0.0", -1 },
		{ "1.0.0-beta+", "0.0", -1 },
		{ "1.0.0-_", "0.0", -1 },
		{ "1. 0", "0.0", -1 },
		{ "abc", "abd", -1 },
	};

	(void)state;
	version_testing_check_cases(cases, sizeof(cases) / sizeof(cases[0]), version_compare_nuget);
	assert_true(version_valid_nuget("1"));
	assert_true(version_valid_nuget("1.2.3.4-rc.1+build.5"));
	assert_true(version_valid_nuget("1.0.0+build"));
	assert_false(version_valid_nuget("-1.0"));
	assert_false(version_valid_nuget("1.0.0-+m"));
	assert_false(version_valid_nuget("99999999999999999999.0"));
}

static void test_length_limit(void **state)
{
	char v[VERSION_MAX_LEN + 2];

	(void)state;
	memset(v, 'a', sizeof(v));
	memcpy(v, "1.0.0-", 6);
	v[VERSION_MAX_LEN] = '\0';
	assert_true(version_valid_nuget(v));
	assert_int_equal(version_testing_sign(version_compare_nuget(v, "1.0.0")), -1);
	v[VERSION_MAX_LEN] = 'a';
	v[VERSION_MAX_LEN + 1] = '\0';
	assert_false(version_valid_nuget(v));
	assert_int_equal(version_testing_sign(version_compare_nuget(v, "0.0")), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_documented_order),
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_length_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
