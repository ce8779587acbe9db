/*
 * maven_version_test.c - Maven ComparableVersion ordering against Maven's own
 * test suite (fixtures/version-vectors/maven.tsv, every row, both
 * directions; the MNG-7714 rows follow Maven 3.9), plus edges the suite does
 * not reach: numbers far past 64 bits, empty and separator-only strings,
 * qualifier spellings, combinations against plain qualifiers, and strings
 * over VERSION_MAX_LEN.
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
	assert_true(version_testing_check_vectors("maven.tsv", version_compare_maven) >= 900);
}

#define LT(a, b)                                                    \
	do {                                                        \
		assert_true(version_compare_maven((a), (b)) < 0);  \
		assert_true(version_compare_maven((b), (a)) > 0);  \
	} while (0)
#define EQ(a, b)                                                     \
	do {                                                         \
		assert_int_equal(version_compare_maven((a), (b)), 0); \
		assert_int_equal(version_compare_maven((b), (a)), 0); \
	} while (0)

static void test_big_numbers(void **state)
{
	(void)state;
	LT("18446744073709551615", "18446744073709551616");
	LT("1.99999999999999999999999999", "1.100000000000000000000000000");
	EQ("1.000000000000000000000000000000000000001", "1.1");
	LT("1-rc99999999999999999999999", "1-rc100000000000000000000000");
	EQ("00000000000000000000000000000000000000000", "");
	LT("999999999", "1000000000");			/* int / long boundary */
	LT("999999999999999999", "1000000000000000000"); /* long / big boundary */
}

static void test_rules(void **state)
{
	(void)state;
	EQ("", "0");
	EQ("1", "1.0.0");
	EQ("1", "1-ga");
	EQ("1", "1.final");
	EQ("1", "1-RELEASE");
	EQ("1", "1-");
	EQ("1.0", "1.");
	EQ("1-rc1", "1-cr-1");
	EQ("1a1", "1-alpha-1");
	EQ("1-M1", "1-milestone1");
	EQ("1.RC", "1-rc");
	LT("1-alpha", "1-beta");
	LT("1-beta", "1-milestone");
	LT("1-milestone", "1-rc");
	LT("1-rc", "1-snapshot");
	LT("1-snapshot", "1");
	LT("1", "1-sp");
	LT("1-sp", "1-abc");
	LT("1-abc", "1-abd");
	LT("1-abc", "1-abcd");
	LT("1-sp", "1-1");
	LT("1-1", "1.1");
	LT("1-ga", "1-ga1");	/* the digits after a release qualifier count */
	LT("1-rc1", "1");
	LT("1-rc", "1-rc1");
	LT("1.0.RC2", "1.0-RC3");
	LT("1.0-RC3", "1.0.1");
	LT("1alpha", "1a");	/* "a" alone, not before digits, is an unknown qualifier */
	LT("a", "1");
	LT("-", "1");
	EQ("...", "");
	EQ("-", "");
	EQ("---", "");
}

static void test_over_long(void **state)
{
	char big[VERSION_MAX_LEN + 2];

	(void)state;
	/* The deepest nesting that fits: every "-" opens a list. */
	for (int i = 0; i < VERSION_MAX_LEN; i++)
		big[i] = (i % 2) ? '-' : '1';
	big[VERSION_MAX_LEN] = '\0';
	LT("1-1", big);
	EQ(big, big);
	/* Alternating letters and digits: the most items per character. */
	for (int i = 0; i < VERSION_MAX_LEN; i++)
		big[i] = (i % 2) ? 'x' : '1';
	LT(big, "2");
	big[VERSION_MAX_LEN] = '1';
	big[VERSION_MAX_LEN + 1] = '\0';
	/* Longer than any real version: sorts below every accepted one. */
	LT(big, "");
	LT(big, "a");
	EQ(big, big);
	EQ(NULL, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_big_numbers),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_over_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
