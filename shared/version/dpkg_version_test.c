/*
 * dpkg_version_test.c - Debian version ordering against dpkg's own vectors.
 *
 * Every row of fixtures/version-vectors/dpkg.tsv (taken from dpkg's test
 * suite and re-checked with dpkg --compare-versions) must match in both
 * directions. The hand-written cases cover what the vectors miss: numbers
 * far beyond 64 bits, the '~' < end < letter < other order, the empty,
 * NULL and over-long strings, and dpkg's syntax rules for validity (each
 * checked against dpkg 1.21 --compare-versions when written).
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

static void test_vectors(void **state)
{
	(void)state;
	version_testing_check_vectors("dpkg.tsv", version_compare_dpkg);
}

static void test_policy_order(void **state)
{
	static const struct version_testing_case cases[] = {
		{"1.0~~", "1.0~", -1},
		{"1.0~", "1.0", -1},
		{"1.0", "1.0a", -1},
		{"1.0a", "1.0+", -1},
		{"1.0+", "1.0.", -1},
		{"1.0A", "1.0a", -1},
		{"2.0", "10.0", -1},
		{"1.2.3", "1.2.3.0", -1},
		{"1.0", "0:1.0-0", 0},
		{"000123", "123", 0},
		{"1.0-1-2", "1.0-1-10", -1},
		{"1.0-1.2", "1.0-1~", 1},
		{"1:0.1", "9.9", 1},
		{"1.0-1", "1.0+-1", -1},
	};

	(void)state;
	version_testing_check_cases(cases, sizeof(cases) / sizeof(cases[0]), version_compare_dpkg);
}

static void test_huge_numbers(void **state)
{
	static const struct version_testing_case cases[] = {
		{"99999999999999999999999", "100000000000000000000000", -1},
		{"18446744073709551616:1", "18446744073709551615:9", 1},
		{"1.18446744073709551616", "1.18446744073709551617", -1},
		{"1.00000000000000000000000000000000001", "1.1", 0},
		{"1-99999999999999999999999999999999999999", "1-100000000000000000000000000000000000000", -1},
	};

	(void)state;
	version_testing_check_cases(cases, sizeof(cases) / sizeof(cases[0]), version_compare_dpkg);
}

static void test_edges(void **state)
{
	char max[VERSION_MAX_LEN + 2], shorter[VERSION_MAX_LEN + 1], over[VERSION_MAX_LEN + 2];

	(void)state;
	version_testing_repeat(max, '1', VERSION_MAX_LEN);
	version_testing_repeat(shorter, '1', VERSION_MAX_LEN - 1);
	version_testing_repeat(over, '1', VERSION_MAX_LEN + 1);
	assert_true(version_valid_dpkg(max));
	assert_true(version_compare_dpkg(max, shorter) > 0);
	/* Over-long and NULL are unorderable: below everything, equal to each other. */
	assert_false(version_valid_dpkg(over));
	assert_int_equal(version_compare_dpkg(over, NULL), 0);
	assert_int_equal(version_compare_dpkg(NULL, NULL), 0);
	assert_true(version_compare_dpkg(over, "0") < 0);
	assert_true(version_compare_dpkg("", NULL) > 0);
	assert_true(version_compare_dpkg(NULL, "~") < 0);
	/* The empty string is invalid yet ordered: it parses as 0. */
	assert_false(version_valid_dpkg(""));
	assert_true(version_compare_dpkg("", "1") < 0);
	assert_true(version_compare_dpkg("", "0~") > 0);
}

static void test_valid(void **state)
{
	static const char *const good[] = {"1:2.3-4", "0", "2147483647:1", "1.0-1-2", "1:1:1",
					   "1.0+dfsg~rc1-3ubuntu0.1", "007:1"};
	static const char *const bad[] = {"a1", "1:", ":1", "1-", "1.0-a_b", "99999999999:1",
					  "2147483648:1", "1.0-1:2", "1 2", "1.0_1", "x:1", NULL};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(good) / sizeof(good[0]); k++) {
		if (!version_valid_dpkg(good[k]))
			fprintf(stderr, "should be valid: %s\n", good[k]);
		assert_true(version_valid_dpkg(good[k]));
	}
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		if (version_valid_dpkg(bad[k]))
			fprintf(stderr, "should be invalid: %s\n", bad[k]);
		assert_false(version_valid_dpkg(bad[k]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_policy_order),
		cmocka_unit_test(test_huge_numbers),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
