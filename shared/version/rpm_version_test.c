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

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

/* Checks every row of a fixture "a<TAB>b<TAB>cmp" and the reversed pair;
 * prints the row count so a shrunken fixture is visible in the log. */
static void check_vectors(const char *relative, version_compare_fn cmp)
{
	char path[4096];
	size_t len, rows = 0, failures = 0;
	unsigned char *data;
	char *line, *save = NULL;

	testing_shared_path(path, sizeof(path), relative);
	data = testing_read_file(path, &len);
	assert_non_null(data);
	for (line = strtok_r((char *)data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *a = line, *b, *c;
		int want, got, back;

		if (strcmp(line, "a\tb\tcmp") == 0)
			continue;
		b = strchr(a, '\t');
		assert_non_null(b);
		*b++ = '\0';
		c = strchr(b, '\t');
		assert_non_null(c);
		*c++ = '\0';
		want = atoi(c);
		got = sign(cmp(a, b));
		back = sign(cmp(b, a));
		if (got != want || back != -want) {
			fprintf(stderr, "MISMATCH %s vs %s: want %d got %d (reverse %d)\n", a, b, want, got, back);
			failures++;
		}
		rows++;
	}
	free(data);
	printf("%s: %zu rows checked, %zu mismatches\n", relative, rows, failures);
	assert_true(rows > 0);
	assert_int_equal(failures, 0);
}

struct cmp_case {
	const char *a;
	const char *b;
	int want;
};

static void check_cases(const struct cmp_case *cases, size_t n, version_compare_fn cmp)
{
	size_t k;

	for (k = 0; k < n; k++) {
		int got = sign(cmp(cases[k].a, cases[k].b));
		int back = sign(cmp(cases[k].b, cases[k].a));

		if (got != cases[k].want || back != -cases[k].want)
			fprintf(stderr, "case %zu: %s vs %s: want %d got %d (reverse %d)\n", k,
				cases[k].a ? cases[k].a : "(null)", cases[k].b ? cases[k].b : "(null)",
				cases[k].want, got, back);
		assert_int_equal(got, cases[k].want);
		assert_int_equal(back, -cases[k].want);
	}
}

/* A string of n copies of c, NUL-terminated, in buf (size > n). */
static char *repeat(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

static void test_vectors(void **state)
{
	(void)state;
	check_vectors("fixtures/version-vectors/rpm.tsv", version_compare_rpm);
}

static void test_segments(void **state)
{
	static const struct cmp_case cases[] = {
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
	check_cases(cases, sizeof(cases) / sizeof(cases[0]), version_compare_rpm);
}

static void test_evr(void **state)
{
	static const struct cmp_case cases[] = {
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
	check_cases(cases, sizeof(cases) / sizeof(cases[0]), version_compare_rpm);
}

static void test_huge_numbers(void **state)
{
	static const struct cmp_case cases[] = {
		{"18446744073709551616", "18446744073709551615", 1},
		{"1.99999999999999999999", "1.100000000000000000000", -1},
		{"99999999999999999999:1", "9:1", 1},
		{"00000000000000000000000000001", "1", 0},
		{"1-340282366920938463463374607431768211456", "1-340282366920938463463374607431768211457", -1},
	};

	(void)state;
	check_cases(cases, sizeof(cases) / sizeof(cases[0]), version_compare_rpm);
}

static void test_edges(void **state)
{
	char max[VERSION_MAX_LEN + 2], shorter[VERSION_MAX_LEN + 1], over[VERSION_MAX_LEN + 2];

	(void)state;
	repeat(max, 'a', VERSION_MAX_LEN);
	repeat(shorter, 'a', VERSION_MAX_LEN - 1);
	repeat(over, 'a', VERSION_MAX_LEN + 1);
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
