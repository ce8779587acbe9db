/*
 * pep440_version_test.c - PEP 440 ordering against pypa/packaging's own test
 * suite (fixtures/version-vectors/pep440.tsv, every row, both directions),
 * plus the edges the suite does not reach: numbers past 64 bits, implicit
 * numbers, spellings, local labels, invalid and over-long strings.
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
	assert_true(version_testing_check_vectors("pep440.tsv", version_compare_pep440) >= 4000);
}

#define LT(a, b)                                                    \
	do {                                                        \
		assert_true(version_compare_pep440((a), (b)) < 0);  \
		assert_true(version_compare_pep440((b), (a)) > 0);  \
	} while (0)
#define EQ(a, b)                                                     \
	do {                                                         \
		assert_int_equal(version_compare_pep440((a), (b)), 0); \
		assert_int_equal(version_compare_pep440((b), (a)), 0); \
	} while (0)

static void test_big_numbers(void **state)
{
	(void)state;
	/* Past 2^64: compared as digit strings, never overflowing. */
	LT("18446744073709551615", "18446744073709551616");
	LT("1.99999999999999999999999999", "1.100000000000000000000000000");
	EQ("1.000000000000000000000000000000000000001", "1.1");
	LT("1.0a99999999999999999999999", "1.0a100000000000000000000000");
	LT("1.0.post99999999999999999999", "1.0.post100000000000000000000");
	LT("99999999999999999999999!1.0", "100000000000000000000000!0.1");
	LT("1.0+99999999999999999999", "1.0+100000000000000000000");
	EQ("1.0+0001", "1.0+1");
}

static void test_spellings_and_order(void **state)
{
	(void)state;
	EQ("1.0", "1.0.0.0");
	EQ("v1.0", "1.0");
	EQ("V1.0", "1.0");
	EQ("  1.0\t\n", "1.0");
	EQ("1.0a", "1.0a0");
	EQ("1.0-alpha.0", "1.0a0");
	EQ("1.0_beta_2", "1.0b2");
	EQ("1.0pre3", "1.0rc3");
	EQ("1.0preview3", "1.0c3");
	EQ("1.0-1", "1.0.post1");
	EQ("1.0rev", "1.0.post0");
	EQ("1.0r2", "1.0-post2");
	EQ("1.0-dev", "1.0.dev0");
	EQ("0!1.0", "1.0");
	EQ("1.0+ABC.1", "1.0+abc-1");
	EQ("1.0+a_b", "1.0+a.b");
	LT("1.0.dev0", "1.0a0");
	LT("1.0a1.dev0", "1.0a1");
	LT("1.0a1", "1.0a1.post0");
	LT("1.0a1.post0.dev0", "1.0a1.post0");
	LT("1.0rc9", "1.0");
	LT("1.0", "1.0+0");
	LT("1.0+zzz", "1.0+0");
	LT("1.0+a", "1.0+a.0");
	LT("1.0+abc", "1.0+abd");
	LT("1.0", "1.0.post0.dev0");
	LT("1.0.post0.dev0", "1.0.post0");
	LT("1.0.post1", "1.0.1.dev0");
	LT("2.0", "1!0.0.dev0");
}

static void test_invalid(void **state)
{
	char big[VERSION_MAX_LEN + 2];

	(void)state;
	assert_false(version_valid_pep440(""));
	assert_false(version_valid_pep440(NULL));
	assert_false(version_valid_pep440("   "));
	assert_false(version_valid_pep440("v"));
	assert_false(version_valid_pep440("1."));
	assert_false(version_valid_pep440("1..0"));
	assert_false(version_valid_pep440("1.0ab"));
	assert_false(version_valid_pep440("1.0+"));
	assert_false(version_valid_pep440("1.0+a..b"));
	assert_false(version_valid_pep440("1.0+a+b"));
	assert_false(version_valid_pep440("!1.0"));
	assert_false(version_valid_pep440("1!"));
	assert_false(version_valid_pep440("1.0 a1"));
	assert_false(version_valid_pep440("1.0prev"));
	assert_false(version_valid_pep440("1.0-"));
	assert_false(version_valid_pep440("1.0a1b1"));
	assert_false(version_valid_pep440("1.0.dev1.post1"));
	assert_true(version_valid_pep440("1!2.0rc1.post2.dev3+ubuntu.1"));
	assert_true(version_valid_pep440("1.0a."));

	/* Invalid strings sort below every version, by strcmp among themselves. */
	LT("", "0");
	LT("zzz", "0.dev0");
	LT("abc", "abd");
	EQ("garbage", "garbage");
	EQ(NULL, "");
	LT(NULL, "0");

	/* The longest accepted version, then one character more. */
	memset(big, '1', VERSION_MAX_LEN);
	big[VERSION_MAX_LEN] = '\0';
	assert_true(version_valid_pep440(big));
	for (int i = 1; i < VERSION_MAX_LEN - 1; i += 2)
		big[i] = '.';
	assert_true(version_valid_pep440(big));
	big[VERSION_MAX_LEN] = '1';
	big[VERSION_MAX_LEN + 1] = '\0';
	assert_false(version_valid_pep440(big));
	LT(big, "0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_big_numbers),
		cmocka_unit_test(test_spellings_and_order),
		cmocka_unit_test(test_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
