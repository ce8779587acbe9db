/*
 * python_fuzz.c - libFuzzer target for the python detector.
 *
 * The input is scanned as core metadata at one of the places it can come
 * from (the first byte picks which: the sdist-root form adds a check), and
 * also offered to match() as a path.
 * What must hold (detector_fuzzing.h): no crash, no leak, no read past the
 * buffer; scan() returns ASEC_OK (or ASEC_ENOMEM); and every package
 * reported has a non-empty name and version of at most 512 bytes with no
 * control characters, the "pypi" ecosystem, and a purl of that type.
 */
#include "detectors/detector_fuzzing.h"

extern const struct detector detector_python;

static const char *const PY_PATHS[] = {
	"site-packages/x-1.0.dist-info/METADATA",
	"site-packages/x-1.0.egg-info/PKG-INFO",
	"site-packages/x-1.0.egg-info",
	"src/x-1.0/PKG-INFO",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct detector_fuzz_want want = { "pypi", "pkg:pypi/", 512, 0 };

	return detector_fuzz_buffered(&detector_python, PY_PATHS[size ? data[0] % 4 : 0], data, size, &want);
}
