/*
 * gomod_version_test.c - tests of the Go module version comparator (golang.org/x/mod/semver).
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

static void test_vectors(void **state)
{
	(void)state;
	version_testing_check_vectors("gomod-semver.tsv", version_compare_gomod);
}

/* The invalid strings of Go's own semver_test.go table: all equal to each
 * other and below every valid version. */
static void test_invalid(void **state)
{
	static const char *const bad[] = {
		"", "bad", "v1-alpha.beta.gamma", "v1-pre", "v1+meta", "v1-pre+meta", "v1.2-pre",
		"v1.2+meta", "v1.2-pre+meta", "v1.2.3-+meta", "v1.2.3-pre+", "v1.2.3-pre.00",
		"v01.2.3", "v1.02.3", "v1.2.03", "1.2.3", "v1.2.3.4", "v1.2.3-a_b", "v1.2.3-a..b",
		"v1.2.", "v1.", "v",
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(version_valid_gomod(bad[i]));
		assert_int_equal(version_testing_sign(version_compare_gomod(bad[i], "v0.0.0-0")), -1);
		assert_int_equal(version_testing_sign(version_compare_gomod("v0.0.0-0", bad[i])), 1);
		for (j = 0; j < sizeof(bad) / sizeof(bad[0]); j++)
			assert_int_equal(version_compare_gomod(bad[i], bad[j]), 0);
	}
}

static void test_cases(void **state)
{
	static const struct version_testing_case cases[] = {
		{ "v18446744073709551616.0.0", "v18446744073709551615.0.0", 1 },
		{ "v1.0.0-99999999999999999999999", "v1.0.0-99999999999999999999998", 1 },
		{ "v1.0.0-99999999999999999999999", "v1.0.0-0a", -1 },
		{ "v2", "v1.99999999999999999999", 1 },
		{ "v1.2.3+a", "v1.2.3+b", 0 },
		{ "v1.2.3-pre+a", "v1.2.3-pre", 0 },
		{ "v0.0.0-0", "v0", -1 },
		{ "v1.0.0-A", "v1.0.0-a", -1 },
	};
	static const char *const chain[] = {
		"v0.0.0-0", "v0", "v0.0.1", "v1.0.0-alpha", "v1.0.0-alpha.1", "v1.0.0-alpha.beta",
		"v1.0.0-beta", "v1.0.0-beta.2", "v1.0.0-beta.11", "v1.0.0-rc.1", "v1", "v1.2", "v1.2.3",
	};

	(void)state;
	version_testing_check_cases(cases, sizeof(cases) / sizeof(cases[0]), version_compare_gomod);
	version_testing_assert_ascending(version_compare_gomod, chain, sizeof(chain) / sizeof(chain[0]));
	assert_true(version_valid_gomod("v1"));
	assert_true(version_valid_gomod("v1.2"));
	assert_true(version_valid_gomod("v1.2.3-pre.0+meta.00"));
}

static void test_length_limit(void **state)
{
	char v[VERSION_MAX_LEN + 2];

	(void)state;
	memset(v, 'a', sizeof(v));
	memcpy(v, "v1.0.0-", 7);
	v[VERSION_MAX_LEN] = '\0';
	assert_true(version_valid_gomod(v));
	v[VERSION_MAX_LEN] = 'a';
	v[VERSION_MAX_LEN + 1] = '\0';
	assert_false(version_valid_gomod(v));
	assert_int_equal(version_testing_sign(version_compare_gomod(v, "v0.0.0")), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_length_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
