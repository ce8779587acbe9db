/*
 * cvss_fuzz.c - libFuzzer target for cvss_parse().
 *
 * Any byte string must be refused or scored without reading past its end;
 * a score must be a one-decimal number in [0, 10] that has a rating for its
 * version, and scoring the same vector again must give the same result
 * (the parser keeps no state between calls).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cvss/cvss.h"
#include "error/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cvss_result a, b;
	char *vector;

	/* Room past the limit so the length check itself is exercised. */
	if (size > 2 * CVSS_MAX_VECTOR)
		return 0;
	vector = malloc(size + 1);
	if (!vector)
		return 0;
	memcpy(vector, data, size);
	vector[size] = '\0';

	if (cvss_parse(&a, vector) == ASEC_OK) {
		if (!(a.base_score >= 0 && a.base_score <= 10))
			abort();
		if (llround(a.base_score * 10) / 10.0 != a.base_score)
			abort();
		if (!cvss_rating(a.base_score, a.version))
			abort();
		if (strlen(vector) > CVSS_MAX_VECTOR)
			abort();
		if (cvss_parse(&b, vector) != ASEC_OK || b.base_score != a.base_score ||
		    strcmp(a.version, b.version) != 0)
			abort();
	} else if (error_last()[0] == '\0') {
		abort(); /* a refusal must say why */
	}
	error_clear();
	free(vector);
	return 0;
}
