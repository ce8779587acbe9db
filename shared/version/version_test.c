/*
 * version_test.c - the ecosystem table picks each ecosystem's own ordering.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "version/version.h"

static void test_each_ecosystem_has_its_own_order(void **state)
{
	/* dpkg: "~" sorts before the end. */
	assert_true(version_comparator("deb")("1.0~rc1", "1.0") < 0);
	/* rpm: "^" sorts after the end. */
	assert_true(version_comparator("rpm")("1.0^git1", "1.0") > 0);
	/* apk: _rc sorts before the release. */
	assert_true(version_comparator("apk")("1.0_rc1", "1.0") < 0);
	/* PEP 440: a dev release sorts before an alpha. */
	assert_true(version_comparator("pypi")("1.0.dev1", "1.0a1") < 0);
	/* Maven: "sp" sorts after the release. */
	assert_true(version_comparator("maven")("1.0-sp1", "1.0") > 0);
	/* Go: v1.2 is v1.2.0. */
	assert_int_equal(version_comparator("golang")("v1.2", "v1.2.0"), 0);
	/* RubyGems: a letter segment makes a prerelease. */
	assert_true(version_comparator("gem")("1.0.a", "1.0") < 0);
	/* npm and cargo: SemVer prerelease precedence. */
	assert_true(version_comparator("npm")("1.0.0-alpha", "1.0.0") < 0);
	assert_true(version_comparator("cargo")("1.0.0-alpha.1", "1.0.0-alpha.beta") < 0);
	/* NuGet: a fourth part. */
	assert_true(version_comparator("nuget")("1.0.0.1", "1.0.0") > 0);
	assert_true(version_comparator("composer")("1.0.0-beta", "1.0.0") < 0);
	assert_null(version_comparator(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_ecosystem_has_its_own_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
