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

/* Checks every row of a version-vector TSV (header a<TAB>b<TAB>cmp) against
 * cmp and returns how many rows were checked; a mismatch fails the test. */
static size_t check_vectors(const char *file, version_compare_fn cmp)
{
	char rel[256], path[1024];
	unsigned char *data;
	size_t len, rows = 0, failures = 0;
	char *line, *save = NULL;

	snprintf(rel, sizeof(rel), "fixtures/version-vectors/%s", file);
	testing_shared_path(path, sizeof(path), rel);
	data = testing_read_file(path, &len);
	assert_non_null(data);
	for (line = strtok_r((char *)data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *a = line, *b, *want;
		int got, expect;

		if (strncmp(line, "a\tb\tcmp", 7) == 0)
			continue;
		b = strchr(a, '\t');
		assert_non_null(b);
		*b++ = '\0';
		want = strchr(b, '\t');
		assert_non_null(want);
		*want++ = '\0';
		expect = atoi(want);
		got = cmp(a, b);
		got = got < 0 ? -1 : got > 0;
		if (got != expect) {
			fprintf(stderr, "%s: cmp(\"%s\", \"%s\") = %d, want %d\n", file, a, b, got, expect);
			failures++;
		}
		rows++;
	}
	free(data);
	printf("%s: %zu rows checked, %zu mismatches\n", file, rows, failures);
	assert_int_equal(failures, 0);
	assert_true(rows > 0);
	return rows;
}

static int sign(int v)
{
	return v < 0 ? -1 : v > 0;
}

/* Asserts that list[] is strictly increasing under cmp, checking all pairs. */
static void check_ascending(const char *const *list, size_t n, version_compare_fn cmp)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			int want = i < j ? -1 : i > j, got = sign(cmp(list[i], list[j]));

			if (got != want)
				fprintf(stderr, "cmp(\"%s\", \"%s\") = %d, want %d\n", list[i], list[j], got, want);
			assert_int_equal(got, want);
		}
}

struct pair_case {
	const char *a, *b;
	int cmp;
};

/* Asserts each case both ways round. */
static void check_pairs(const struct pair_case *c, size_t n, version_compare_fn cmp)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int ab = sign(cmp(c[i].a, c[i].b)), ba = sign(cmp(c[i].b, c[i].a));

		if (ab != c[i].cmp || ba != -c[i].cmp)
			fprintf(stderr, "cmp(\"%s\", \"%s\") = %d / reverse %d, want %d\n", c[i].a, c[i].b, ab, ba,
				c[i].cmp);
		assert_int_equal(ab, c[i].cmp);
		assert_int_equal(ba, -c[i].cmp);
	}
}

static void test_vectors(void **state)
{
	(void)state;
	check_vectors("rubygems.tsv", version_compare_rubygems);
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
	check_ascending(chain, sizeof(chain) / sizeof(chain[0]), version_compare_rubygems);
}

static void test_cases(void **state)
{
	static const struct pair_case cases[] = {
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
	check_pairs(cases, sizeof(cases) / sizeof(cases[0]), version_compare_rubygems);
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
	assert_int_equal(sign(version_compare_rubygems(v, "1.1")), 1);
	v[VERSION_MAX_LEN - 1] = '1'; /* "...11": exactly VERSION_MAX_LEN */
	v[VERSION_MAX_LEN] = '\0';
	assert_true(version_valid_rubygems(v));
	v[VERSION_MAX_LEN] = '1';
	v[VERSION_MAX_LEN + 1] = '\0';
	assert_false(version_valid_rubygems(v));
	assert_int_equal(sign(version_compare_rubygems(v, "0")), -1);
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
