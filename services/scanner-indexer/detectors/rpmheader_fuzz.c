/*
 * rpmheader_fuzz.c - libFuzzer target: arbitrary bytes as one rpm header
 * blob, through the parser and the package builder (strings, purl, hint),
 * and as an OpenPGP signature packet. Seeds: tests/fuzz/corpus/rpmheader_fuzz.
 */
#include <stddef.h>
#include <stdint.h>

#include "detectors/rpm.h"
#include "detectors/rpmheader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scan_out out = {0};
	char key[17];

	rpm_add_header(&out, "var/lib/rpm/Packages", data, size);
	scan_out_free(&out);
	rpmheader_signature_key(key, data, size);
	return 0;
}
