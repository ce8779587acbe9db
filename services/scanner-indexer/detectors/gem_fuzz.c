/*
 * gem_fuzz.c - libFuzzer target for the gem detector.
 *
 * The input is scanned as an installed gemspec stub, and also offered to match() as a path.
 * What must hold (detector_fuzzing.h): no crash, no leak, no read past the
 * buffer; scan() returns ASEC_OK (or ASEC_ENOMEM); and every package
 * reported has a non-empty name and version of at most 512 bytes with no
 * control characters, the "gem" ecosystem, and a purl of that type.
 */
#include "detectors/detector_fuzzing.h"

extern const struct detector detector_gem;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct detector_fuzz_want want = { "gem", "pkg:gem/", 512, 0 };

	return detector_fuzz_buffered(&detector_gem, "usr/lib/ruby/gems/3.1.0/specifications/x-1.0.gemspec", data, size, &want);
}
