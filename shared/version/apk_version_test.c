/*
 * apk_version_test.c - Alpine version ordering against apk-tools' vectors.
 *
 * Every row of fixtures/version-vectors/apk.tsv (apk-tools'
 * test/unit/version.data) must match in both directions. The hand-written
 * cases pin the suffix ladder, the order between tokens of different kinds
 * (end, -r, ~hash, suffixes, letter, number), leading-zero fractions,
 * numbers beyond 64 bits, where invalid, NULL and over-long strings sort,
 * and the grammar accepted by version_valid_apk.
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
	version_testing_check_vectors("apk.tsv", version_compare_apk);
}

/* Each string is strictly below the next; every pair is checked. */
static void test_ladder(void **state)
{
	static const char *const ladder[] = {
		"1.0_alpha", "1.0_alpha1", "1.0_alpha2", "1.0_beta", "1.0_pre", "1.0_rc", "1.0_rc1",
		"1.0", "1.0-r1", "1.0-r2", "1.0-r10", "1.0~abc", "1.0~abc-r1", "1.0_cvs", "1.0_svn",
		"1.0_git", "1.0_hg", "1.0_p", "1.0_p1", "1.0_p1-r1", "1.0_p2", "1.0a", "1.0b_alpha",
		"1.0b", "1.0z", "1.0.0", "1.0.1", "1.1",
	};
	size_t n = sizeof(ladder) / sizeof(ladder[0]), i;

	(void)state;
	for (i = 0; i < n; i++)
		assert_true(version_valid_apk(ladder[i]));
	version_testing_assert_ascending(version_compare_apk, ladder, n);
}

static void test_numbers(void **state)
{
	static const struct version_testing_case cases[] = {
		{"4.09", "4.5", -1},
		{"1.02", "1.1", -1},
		{"1.001", "1.01", -1},
		{"1.0", "1.00", -1},
		{"1.0", "1.001", -1},
		{"1.05", "1.050", -1},
		{"1.09", "1.1", -1},
		{"1.0", "1.1", -1},
		{"010", "10", 0},
		{"1.18446744073709551616", "1.18446744073709551615", 1},
		{"18446744073709551616", "18446744073709551615", 1},
		{"1-r99999999999999999999", "1-r100000000000000000000", -1},
		{"1_p99999999999999999999", "1_p100000000000000000000", -1},
		{"1.0_alpha_p1", "1.0_alpha", 1},
		{"1.0_alpha_p1", "1.0_alpha1", 1}, /* suffix number before next suffix */
	};

	(void)state;
	version_testing_check_cases(cases, sizeof(cases) / sizeof(cases[0]), version_compare_apk);
}

static void test_invalid_order(void **state)
{
	char max[VERSION_MAX_LEN + 2], shorter[VERSION_MAX_LEN + 1], over[VERSION_MAX_LEN + 2];
	static const struct version_testing_case cases[] = {
		{"abc", "0", -1},
		{"1.0bc", "0", -1},
		{"abc", "abd", -1},
		{"", "abc", -1},
		{"", "0", -1},
		{NULL, "", -1},
		{NULL, NULL, 0},
	};

	(void)state;
	version_testing_check_cases(cases, sizeof(cases) / sizeof(cases[0]), version_compare_apk);
	version_testing_repeat(max, '1', VERSION_MAX_LEN);
	version_testing_repeat(shorter, '1', VERSION_MAX_LEN - 1);
	version_testing_repeat(over, '1', VERSION_MAX_LEN + 1);
	assert_true(version_valid_apk(max));
	assert_true(version_compare_apk(max, shorter) > 0);
	assert_false(version_valid_apk(over));
	assert_int_equal(version_compare_apk(over, NULL), 0);
	assert_true(version_compare_apk(over, "") < 0);
}

static void test_valid(void **state)
{
	static const char *const good[] = {"1", "1.2.3", "1.2.3a", "1.2.3_rc1", "1.2.3_p1_git2", "1.0~1234-r1",
					   "1.0-r0", "2.12r-r4", "1.0a_beta2~abc123-r5", "0.1_pre20060810"};
	static const char *const bad[] = {"", "a1", "1.", ".1", "1..2", "1.0bc", "1.0_foo", "1.0-r",
					  "1.0-1", "1.0-r1a", "1.0~", "1.0~xyz", "1.0_rc1a", "1.0a.1",
					  "1_p1.2", "1.0-r1-r2", "1.0~ab~cd", "1.0A", "1 .0", NULL};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(good) / sizeof(good[0]); k++) {
		if (!version_valid_apk(good[k]))
			fprintf(stderr, "should be valid: %s\n", good[k]);
		assert_true(version_valid_apk(good[k]));
	}
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		if (version_valid_apk(bad[k]))
			fprintf(stderr, "should be invalid: %s\n", bad[k]);
		assert_false(version_valid_apk(bad[k]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_ladder),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_invalid_order),
		cmocka_unit_test(test_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
