/*
 * gobinary_fuzz.c - libFuzzer target for the Go binary detector.
 *
 * The first input byte picks how the rest is streamed: its low 7 bits the
 * chunk size (1 to 128 bytes times a prime, so headers straddle chunks),
 * its top bit the mode:
 *   - 0: the rest is the whole file (ELF parsing, the aligned scan, the
 *     old-layout copy and pointer resolution);
 *   - 1: the rest is the build info itself: the target puts it 16-byte
 *     aligned at offset 0x1000 of a minimal ELF64 with a Go build ID note
 *     and one PT_LOAD mapping the file at 0x400000, so the fuzzer works on
 *     the build info and module info parsers directly (old-layout pointers
 *     into 0x400000.. resolve into the file).
 * Checked besides not crashing: every package is "golang" with a purl.
 */
#include "detectors/detector_fuzzing.h"

extern const struct detector detector_gobinary;

static unsigned char *wrap(const unsigned char *payload, size_t n, size_t *len)
{
	size_t total = 0x1000 + n;
	unsigned char *b = calloc(1, total);

	if (!b)
		abort();
	memcpy(b, "\177ELF\2\1\1", 7);
	detector_fuzz_put_le(b, 16, 2, 2);
	detector_fuzz_put_le(b, 18, 62, 2);
	detector_fuzz_put_le(b, 32, 64, 8);
	detector_fuzz_put_le(b, 54, 56, 2);
	detector_fuzz_put_le(b, 56, 2, 2);
	detector_fuzz_put_le(b, 64, 4, 4);            /* PT_NOTE */
	detector_fuzz_put_le(b, 64 + 8, 0x100, 8);
	detector_fuzz_put_le(b, 64 + 32, 24, 8);
	detector_fuzz_put_le(b, 120, 1, 4);           /* PT_LOAD: the whole file at 0x400000 */
	detector_fuzz_put_le(b, 120 + 16, 0x400000, 8);
	detector_fuzz_put_le(b, 120 + 32, total, 8);
	detector_fuzz_put_le(b, 0x100, 4, 4);
	detector_fuzz_put_le(b, 0x104, 8, 4);
	detector_fuzz_put_le(b, 0x108, 4, 4);
	memcpy(b + 0x10c, "Go\0\0buildid!", 12);
	memcpy(b + 0x1000, payload, n);
	*len = total;
	return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct detector_fuzz_want want = { "golang", "pkg:golang/", 0, 0 };

	return detector_fuzz_binary(&detector_gobinary, data, size, wrap, &want);
}
