/*
 * version_fuzzing.h - the harness shared by the comparator fuzz targets that
 * cut their input at NUL bytes (fuzz targets only; never linked elsewhere).
 *
 * A comparator must be a consistent order on any input: reflexive,
 * antisymmetric and transitive; where the ecosystem has a notion of
 * validity, every valid version sorts above every invalid string. A
 * violation aborts, which libFuzzer reports with the input.
 */
#ifndef ASEC_VERSION_FUZZING_H
#define ASEC_VERSION_FUZZING_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "version/version.h"

/* Splits the input at NUL bytes into up to three strings (each cut to
 * 2 * VERSION_MAX_LEN so the length limit itself is exercised) and checks
 * that cmp is reflexive, antisymmetric and transitive on them. */
static inline int fuzz_sign(int v)
{
	return v < 0 ? -1 : v > 0;
}

static inline void fuzz_split(char s[3][2 * VERSION_MAX_LEN + 1], const uint8_t *data, size_t size)
{
	size_t k = 0, n = 0, i;

	memset(s, 0, 3 * sizeof(s[0]));
	for (i = 0; i < size && k < 3; i++) {
		if (data[i] == '\0') {
			k++;
			n = 0;
		} else if (n < 2 * VERSION_MAX_LEN) {
			s[k][n++] = (char)data[i];
		}
	}
}

static inline void fuzz_check_order(char s[3][2 * VERSION_MAX_LEN + 1], version_compare_fn cmp)
{
	int c[3][3];
	size_t x, y, z;

	for (x = 0; x < 3; x++)
		for (y = 0; y < 3; y++)
			c[x][y] = fuzz_sign(cmp(s[x], s[y]));
	for (x = 0; x < 3; x++) {
		if (c[x][x] != 0)
			abort();
		for (y = 0; y < 3; y++) {
			if (c[x][y] != -c[y][x])
				abort();
			for (z = 0; z < 3; z++) {
				if (c[x][y] <= 0 && c[y][z] <= 0 && c[x][z] > 0)
					abort();
				if (c[x][y] < 0 && c[y][z] <= 0 && c[x][z] >= 0)
					abort();
				if (c[x][y] <= 0 && c[y][z] < 0 && c[x][z] >= 0)
					abort();
			}
		}
	}
}

/* Aborts unless every string valid() accepts sorts above every one it refuses. */
static inline void fuzz_check_valid_above_invalid(char s[3][2 * VERSION_MAX_LEN + 1], version_compare_fn cmp,
						  int (*valid)(const char *))
{
	size_t x, y;

	for (x = 0; x < 3; x++)
		for (y = 0; y < 3; y++)
			if (valid(s[x]) && !valid(s[y]) && cmp(s[x], s[y]) <= 0)
				abort();
}

#endif
