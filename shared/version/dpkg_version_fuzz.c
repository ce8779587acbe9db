/*
 * dpkg_version_fuzz.c - libFuzzer check that version_compare_dpkg is a total order.
 *
 * The input is split at newlines into up to three strings a, b, c (missing
 * ones are empty). The comparator must be reflexive, antisymmetric and
 * transitive on them, and version_valid_dpkg must not crash; any violation
 * aborts so the fuzzer keeps the input. Strings longer than VERSION_MAX_LEN
 * reach the comparator too, to exercise its length bound.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "version/version.h"

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *s[3] = {"", "", ""};
	size_t k, n = 0;
	int ab, bc, ac;

	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	s[n++] = buf;
	for (k = 0; k < size && n < 3; k++) {
		if (buf[k] == '\n') {
			buf[k] = '\0';
			s[n++] = buf + k + 1;
		}
	}
	for (k = 0; k < 3; k++) {
		(void)version_valid_dpkg(s[k]);
		if (version_compare_dpkg(s[k], s[k]) != 0)
			abort();
	}
	ab = sign(version_compare_dpkg(s[0], s[1]));
	bc = sign(version_compare_dpkg(s[1], s[2]));
	ac = sign(version_compare_dpkg(s[0], s[2]));
	if (ab != -sign(version_compare_dpkg(s[1], s[0])) || bc != -sign(version_compare_dpkg(s[2], s[1])) ||
	    ac != -sign(version_compare_dpkg(s[2], s[0])))
		abort();
	/* a <= b <= c implies a <= c, strictly when either step is strict. */
	if (ab <= 0 && bc <= 0 && (ac > 0 || ((ab < 0 || bc < 0) && ac == 0)))
		abort();
	if (ab >= 0 && bc >= 0 && (ac < 0 || ((ab > 0 || bc > 0) && ac == 0)))
		abort();
	free(buf);
	return 0;
}
