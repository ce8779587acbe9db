/*
 * rubygems_version_test.c - tests of the RubyGems comparator (Gem::Version#<=>).
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
	version_testing_check_vectors("rubygems.tsv", version_compare_rubygems);
}

/* test_gem_version.rb's SemVer chain, plus Gem's own reading of
 * "alpha.beta": the missing segment is 0, and a number beats a string, so
 * "1.0.0-alpha.beta" < "1.0.0-alpha" < "1.0.0-alpha.1" (unlike SemVer). */
static void test_order(void **state)
{
	static const char *const chain[] = {
		"1.0.0-alpha.beta", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta.2",
		"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.0.1", "1.1.a", "1.1",
	};

	(void)state;
	version_testing_assert_ascending(version_compare_rubygems, chain, sizeof(chain) / sizeof(chain[0]));
}

static void test_cases(void **state)
{
	static const struct version_testing_case cases[] = {
		{ "", "0", 0 },                 /* Gem reads an empty version as "0" */
		{ "  ", "0.0", 0 },
		{ " 1.2 ", "1.2.0", 0 },
		{ "1.0a1", "1.0.a.1", 0 },      /* split at digit/letter boundaries */
		{ "1.0.0.a", "1.a", 0 },        /* numeric trailing zeros go first */
		{ "1.a.0", "1.a", 0 },
		{ "1.0-1", "1.0.pre.1", 0 },    /* "-" is ".pre." */
		{ "1.0-a-b", "1.0.pre.a.pre.b", 0 },
		{ "1.0-rc1", "1.0", -1 },
		{ "1.0.b1", "1.0.a2", 1 },
		{ "1.0.A", "1.0.a", -1 },       /* bytewise */
		{ "1.0.a", "1.0.aa", -1 },
		{ "1.0.a.1", "1.0.a", 1 },
		{ "1.a.0.b", "1.a.b", 1 },      /* inner zero kept, and 0 beats "b" */
		{ "01.2", "1.2", 0 },
		{ "18446744073709551616", "18446744073709551615", 1 },
		{ "1.99999999999999999999999", "1.100000000000000000000000", -1 },
		{ "1.0.99999999999999999999999999.a", "1.0.99999999999999999999999999", -1 },
		/* invalid strings sort first, and by strcmp among themselves */
		{ "a", "0", -1 },
		{ "1a", "0", -1 },
		{ "1..2", "0", -1 },
		{ "1.2.", "0", -1 },
		{ "1.0-", "0", -1 },
		{ "-1", "0", -1 },
		{ "1 2", "0", -1 },
		{ "1.0_1", "0", -1 },
		{ "abc", "abd", -1 },
	};

	(void)state;
	version_testing_check_cases(cases, sizeof(cases) / sizeof(cases[0]), version_compare_rubygems);
	assert_true(version_valid_rubygems(""));
	assert_true(version_valid_rubygems("1.0.0-rc.1"));
	assert_true(version_valid_rubygems("1.0--"));
	assert_true(version_valid_rubygems("\t1.3.pre\n"));
	assert_false(version_valid_rubygems("1.0-a."));
	assert_false(version_valid_rubygems("v1.0"));
}

static void test_length_limit(void **state)
{
	char v[VERSION_MAX_LEN + 2];
	size_t i;

	(void)state;
	/* the most segments a version can have: "1.1.1...1" */
	for (i = 0; i < sizeof(v); i++)
		v[i] = i % 2 ? '.' : '1';
	v[VERSION_MAX_LEN - 1] = '\0';
	assert_true(version_valid_rubygems(v));
	assert_int_equal(version_testing_sign(version_compare_rubygems(v, "1.1")), 1);
	v[VERSION_MAX_LEN - 1] = '1'; /* "...11": exactly VERSION_MAX_LEN */
	v[VERSION_MAX_LEN] = '\0';
	assert_true(version_valid_rubygems(v));
	v[VERSION_MAX_LEN] = '1';
	v[VERSION_MAX_LEN + 1] = '\0';
	assert_false(version_valid_rubygems(v));
	assert_int_equal(version_testing_sign(version_compare_rubygems(v, "0")), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_length_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
