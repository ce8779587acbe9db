/*
 * composer_version_fuzz.c - libFuzzer target: the Composer comparator must
 * be a consistent order on any input.
 *
 * The input is cut at NUL bytes into three strings; the comparator must be
 * reflexive, antisymmetric and transitive on them, every string that
 * version_valid_composer() accepts (branches included) must sort above every
 * one it refuses, and the sanitizers catch any out-of-bounds read while the
 * strings are normalized.
 */
#include "version/version_fuzzing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[3][2 * VERSION_MAX_LEN + 1];

	fuzz_split(s, data, size);
	fuzz_check_order(s, version_compare_composer);
	fuzz_check_valid_above_invalid(s, version_compare_composer, version_valid_composer);
	return 0;
}
