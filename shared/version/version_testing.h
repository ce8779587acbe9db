/*
 * version_testing.h - shared harness for the *_version_test.c unit tests.
 * TEST-ONLY and header-only: never include it from library or service code
 * (it calls cmocka's assertions and exits the process on a missing fixture).
 *
 * Every comparator is held to the same contract, so the tests share one way
 * of checking it: a comparison is judged by its sign only, and every pair is
 * checked in both directions, because a comparator that is right one way
 * round and wrong the other is the classic ordering bug. The upstream vector
 * files live in ../shared/fixtures/version-vectors/ (see testing/testing.h
 * for how that folder is found or the test skipped) with the header
 * "a<TAB>b<TAB>cmp"; the number of rows checked is printed and returned so a
 * shrunken fixture is visible in the log and can be asserted against.
 */
#ifndef ASEC_VERSION_TESTING_H
#define ASEC_VERSION_TESTING_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testing/testing.h"
#include "version/version.h"

/* Mismatches printed per fixture; the rest are only counted, so a badly
 * broken comparator does not bury the summary line. */
#define VERSION_TESTING_MAX_REPORTED 20

static inline int version_testing_sign(int x)
{
	return (x > 0) - (x < 0);
}

/* One hand-written expectation: sign(cmp(a, b)) == want, and the reverse. */
struct version_testing_case {
	const char *a;
	const char *b;
	int want;
};

/* Checks every row of fixtures/version-vectors/<tsv_name> against cmp in
 * both directions; fails the test on any mismatch or an empty file, and
 * returns the number of rows checked. */
static inline size_t version_testing_check_vectors(const char *tsv_name, version_compare_fn cmp)
{
	char relative[256], path[4096];
	size_t len, rows = 0, failures = 0;
	unsigned char *data;
	char *line, *save = NULL;
	int n;

	n = snprintf(relative, sizeof(relative), "fixtures/version-vectors/%s", tsv_name);
	assert_true(n > 0 && (size_t)n < sizeof(relative));
	testing_shared_path(path, sizeof(path), relative);
	data = testing_read_file(path, &len);
	assert_non_null(data);
	for (line = strtok_r((char *)data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *a = line, *b, *c;
		int want, got, back;

		/* Prefix match so a CRLF header is still recognised. */
		if (strncmp(line, "a\tb\tcmp", 7) == 0)
			continue;
		b = strchr(a, '\t');
		assert_non_null(b);
		*b++ = '\0';
		c = strchr(b, '\t');
		assert_non_null(c);
		*c++ = '\0';
		want = atoi(c);
		got = version_testing_sign(cmp(a, b));
		back = version_testing_sign(cmp(b, a));
		if (got != want || back != -want) {
			if (failures < VERSION_TESTING_MAX_REPORTED)
				fprintf(stderr, "%s: MISMATCH %s vs %s: want %d got %d (reverse %d)\n", tsv_name, a,
					b, want, got, back);
			failures++;
		}
		rows++;
	}
	free(data);
	printf("%s: %zu rows checked, %zu mismatches\n", tsv_name, rows, failures);
	assert_int_equal(failures, 0);
	assert_true(rows > 0);
	return rows;
}

/* Asserts each case both ways round; either side may be NULL. */
static inline void version_testing_check_cases(const struct version_testing_case *cases, size_t n,
					       version_compare_fn cmp)
{
	size_t k;

	for (k = 0; k < n; k++) {
		int got = version_testing_sign(cmp(cases[k].a, cases[k].b));
		int back = version_testing_sign(cmp(cases[k].b, cases[k].a));

		if (got != cases[k].want || back != -cases[k].want)
			fprintf(stderr, "case %zu: %s vs %s: want %d got %d (reverse %d)\n", k,
				cases[k].a ? cases[k].a : "(null)", cases[k].b ? cases[k].b : "(null)",
				cases[k].want, got, back);
		assert_int_equal(got, cases[k].want);
		assert_int_equal(back, -cases[k].want);
	}
}

/* Asserts that list[] is strictly increasing under cmp, checking every
 * ordered pair (so both directions, and each element equal to itself). */
static inline void version_testing_assert_ascending(version_compare_fn cmp, const char *const *list, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			int want = i < j ? -1 : i > j, got = version_testing_sign(cmp(list[i], list[j]));

			if (got != want)
				fprintf(stderr, "cmp(\"%s\", \"%s\") = %d, want %d\n", list[i], list[j], got, want);
			assert_int_equal(got, want);
		}
}

/* A string of n copies of c, NUL-terminated, in buf (size > n). */
static inline char *version_testing_repeat(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

#endif
