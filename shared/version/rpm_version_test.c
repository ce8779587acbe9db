/*
 * rpm_version_test.c - RPM EVR ordering against rpm's own vectors.
 *
 * Every row of fixtures/version-vectors/rpm.tsv (rpm's rpmvercmp.at and the
 * go-rpm-version cases, re-checked with rpm.vercmp) must match in both
 * directions. The hand-written cases cover the EVR split the vectors skip
 * (epochs, releases, a missing release), '~' and '^' around the end of the
 * string, numbers beyond 64 bits, NULL, empty and over-long strings, and
 * which strings rpmbuild would accept.
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
	version_testing_check_vectors("rpm.tsv", version_compare_rpm);
}

static void test_segments(void **state)
{
	static const struct version_testing_case cases[] = {
		{"1.0~rc1", "1.0", -1},
		{"1.0~rc1", "1.0~rc1~", 1},
		{"1.0^", "1.0", 1},
		{"1.0^", "1.0~", 1},
		{"1.0^git1", "1.01", -1},
		{"1.0^git1", "1.0.1", -1},
		{"1.0~rc1^git1", "1.0~rc1", 1},
		{"1.a", "1.1", -1},
		{"a", "1", -1},
		{"1.01", "1.1", 0},
		{"1.001", "1.1", 0},
		{"1.0", "1_0", 0},
		{"1.0a", "1.0.a", 0},
		{"1.0.", "1.0", 0},
		{"1.0a", "1.0", 1},
		{"abc", "abd", -1},
		{"ab", "abc", -1},
		{"B", "a", -1},
	};

	(void)state;
	version_testing_check_cases(cases, sizeof(cases) / sizeof(cases[0]), version_compare_rpm);
}

static void test_evr(void **state)
{
	static const struct version_testing_case cases[] = {
		{"1:1.0", "2.0", 1},
		{"0:1.0", "1.0", 0},
		{":1.0", "1.0", 0},
		{"1:1.0-1", "1:1.0-2", -1},
		{"1.0-1", "1.0-2", -1},
		{"1.0-10", "1.0-9", 1},
		{"1.0-1.el8", "1.0-1.el9", -1},
		/* A missing release sorts first, so that the order stays transitive. */
		{"1.0", "1.0-1", -1},
		{"1.0-99", "1.0.1", -1},
		{"2.0-1", "1:0.1-1", -1},
		{"a:1.0", "1.0", -1},
	};

	(void)state;
	version_testing_check_cases(cases, sizeof(cases) / sizeof(cases[0]), version_compare_rpm);
}

static void test_huge_numbers(void **state)
{
	static const struct version_testing_case cases[] = {
		{"18446744073709551616", "18446744073709551615", 1},
		{"1.99999999999999999999", "1.100000000000000000000", -1},
		{"99999999999999999999:1", "9:1", 1},
		{"00000000000000000000000000001", "1", 0},
		{"1-340282366920938463463374607431768211456", "1-340282366920938463463374607431768211457", -1},
	};

	(void)state;
	version_testing_check_cases(cases, sizeof(cases) / sizeof(cases[0]), version_compare_rpm);
}

static void test_edges(void **state)
{
	char max[VERSION_MAX_LEN + 2], shorter[VERSION_MAX_LEN + 1], over[VERSION_MAX_LEN + 2];

	(void)state;
	version_testing_repeat(max, 'a', VERSION_MAX_LEN);
	version_testing_repeat(shorter, 'a', VERSION_MAX_LEN - 1);
	version_testing_repeat(over, 'a', VERSION_MAX_LEN + 1);
	assert_true(version_valid_rpm(max));
	assert_true(version_compare_rpm(max, shorter) > 0);
	assert_false(version_valid_rpm(over));
	assert_int_equal(version_compare_rpm(over, NULL), 0);
	assert_int_equal(version_compare_rpm(NULL, NULL), 0);
	assert_true(version_compare_rpm(over, "~") < 0);
	assert_true(version_compare_rpm(NULL, "") < 0);
	/* The empty string is invalid yet ordered: after "~", before anything else. */
	assert_false(version_valid_rpm(""));
	assert_true(version_compare_rpm("", "~") > 0);
	assert_true(version_compare_rpm("", "0") < 0);
	assert_int_equal(version_compare_rpm("", "."), 0);
}

static void test_valid(void **state)
{
	static const char *const good[] = {"1.0", "2:1.0-1.el8", "1.0~rc1^git1-1", "1_0", "0",
					   "4294967295:1", "1.0+git.20240101"};
	static const char *const bad[] = {"", "1.0-", "-1", "1.0-1-2", "1:", ":1.0", "1.0 1",
					  "a:1", "4294967296:1", "1.0/2", NULL};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(good) / sizeof(good[0]); k++) {
		if (!version_valid_rpm(good[k]))
			fprintf(stderr, "should be valid: %s\n", good[k]);
		assert_true(version_valid_rpm(good[k]));
	}
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		if (version_valid_rpm(bad[k]))
			fprintf(stderr, "should be invalid: %s\n", bad[k]);
		assert_false(version_valid_rpm(bad[k]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_segments),
		cmocka_unit_test(test_evr),
		cmocka_unit_test(test_huge_numbers),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
