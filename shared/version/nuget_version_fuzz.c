/*
 * nuget_version_fuzz.c - libFuzzer target: the nuget comparator must be a
 * consistent order on any input.
 *
 * The input is cut at NUL bytes into three strings; the comparator must be
 * reflexive, antisymmetric and transitive on them (abort otherwise), and the
 * sanitizers catch any out-of-bounds read while parsing.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "version/version.h"

/* Splits the input at NUL bytes into up to three strings (each cut to
 * 2 * VERSION_MAX_LEN so the length limit itself is exercised) and checks
 * that cmp is reflexive, antisymmetric and transitive on them. */
static int fuzz_sign(int v)
{
	return v < 0 ? -1 : v > 0;
}

static void fuzz_split(char s[3][2 * VERSION_MAX_LEN + 1], const uint8_t *data, size_t size)
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

static void fuzz_check_order(char s[3][2 * VERSION_MAX_LEN + 1], version_compare_fn cmp)
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[3][2 * VERSION_MAX_LEN + 1];
	size_t x, y;

	fuzz_split(s, data, size);
	fuzz_check_order(s, version_compare_nuget);
	/* a valid version sorts above every invalid string */
	for (x = 0; x < 3; x++)
		for (y = 0; y < 3; y++)
			if (version_valid_nuget(s[x]) && !version_valid_nuget(s[y]) &&
			    version_compare_nuget(s[x], s[y]) <= 0)
				abort();
	return 0;
}
