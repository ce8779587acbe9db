/*
 * rustbinary_fuzz.c - libFuzzer target for the cargo-auditable detector.
 *
 * The first input byte picks how the rest is streamed: its low 7 bits the
 * chunk size, its top bit the mode:
 *   - 0: the rest is the whole file (ELF header, section header capture,
 *     the zlib probe over every byte, inflating across chunks);
 *   - 1: the rest is the dependency JSON: the target compresses it with
 *     zlib and writes a minimal ELF64 with it as the ".dep-v0" section, so
 *     the fuzzer works on the JSON handling without having to produce zlib.
 * Checked besides not crashing: every package is "cargo" with a purl and a
 * version.
 */
#include <zlib.h>

#include "detectors/detector_fuzzing.h"

extern const struct detector detector_rustbinary;

static unsigned char *wrap(const unsigned char *json, size_t n, size_t *len)
{
	uLongf clen = compressBound((uLong)n);
	size_t dep = 64, sht, total;
	unsigned char *b = calloc(1, 64 + clen + 8 + 3 * 64);

	if (!b || compress2(b + dep, &clen, json, (uLong)n, 6) != Z_OK)
		abort();
	sht = (dep + clen + 7) & ~(size_t)7;
	total = sht + 2 * 64;
	memcpy(b, "\177ELF\2\1\1", 7);
	detector_fuzz_put_le(b, 16, 3, 2);
	detector_fuzz_put_le(b, 18, 62, 2);
	detector_fuzz_put_le(b, 40, sht, 8);
	detector_fuzz_put_le(b, 58, 64, 2);
	detector_fuzz_put_le(b, 60, 2, 2);
	detector_fuzz_put_le(b, sht + 64 + 4, 1, 4);  /* section 1: PROGBITS at the data */
	detector_fuzz_put_le(b, sht + 64 + 24, dep, 8);
	detector_fuzz_put_le(b, sht + 64 + 32, clen, 8);
	*len = total;
	return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct detector_fuzz_want want = { "cargo", "pkg:cargo/", 0, 1 };

	return detector_fuzz_binary(&detector_rustbinary, data, size, wrap, &want);
}
