/*
 * gomod_version_fuzz.c - libFuzzer target: the gomod comparator must be a
 * consistent order on any input.
 *
 * The input is cut at NUL bytes into three strings; the comparator must be
 * reflexive, antisymmetric and transitive on them (abort otherwise), and the
 * sanitizers catch any out-of-bounds read while parsing.
 */
#include "version/version_fuzzing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[3][2 * VERSION_MAX_LEN + 1];

	fuzz_split(s, data, size);
	fuzz_check_order(s, version_compare_gomod);
	fuzz_check_valid_above_invalid(s, version_compare_gomod, version_valid_gomod);
	return 0;
}
