/*
 * pep440_version_fuzz.c - libFuzzer check that version_compare_pep440 is a
 * total order.
 *
 * The input is cut at the first two NUL or newline bytes into three strings.
 * For every ordering of the three, the comparator must be reflexive,
 * antisymmetric and transitive (x <= y <= z implies x <= z, strictly when a
 * step is strict); a violation aborts so the fuzzer keeps the input. Inputs
 * longer than VERSION_MAX_LEN reach the comparator too, to exercise its
 * length bound. Valid versions must sort above invalid strings.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "version/version.h"

#define CMP version_compare_pep440

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static void check_chain(const char *x, const char *y, const char *z)
{
	int xy = sign(CMP(x, y)), yz = sign(CMP(y, z)), xz = sign(CMP(x, z));

	if (xy <= 0 && yz <= 0 && (xz > 0 || ((xy < 0 || yz < 0) && xz == 0)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *s[3] = { "", "", "" };
	size_t k, n = 1;

	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	s[0] = buf;
	for (k = 0; k < size && n < 3; k++) {
		if (buf[k] == '\n' || buf[k] == '\0') {
			buf[k] = '\0';
			s[n++] = buf + k + 1;
		}
	}
	for (k = 0; k < 3; k++) {
		if (CMP(s[k], s[k]) != 0)
			abort();
		for (size_t j = 0; j < 3; j++) {
			if (sign(CMP(s[k], s[j])) != -sign(CMP(s[j], s[k])))
				abort();
			/* Every version sorts above every non-version. */
			if (version_valid_pep440(s[k]) && !version_valid_pep440(s[j]) && CMP(s[k], s[j]) <= 0)
				abort();
		}
	}
	check_chain(s[0], s[1], s[2]);
	check_chain(s[0], s[2], s[1]);
	check_chain(s[1], s[0], s[2]);
	check_chain(s[1], s[2], s[0]);
	check_chain(s[2], s[0], s[1]);
	check_chain(s[2], s[1], s[0]);
	free(buf);
	return 0;
}
