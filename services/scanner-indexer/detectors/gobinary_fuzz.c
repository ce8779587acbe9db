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
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detectors/detector.h"

extern const struct detector detector_gobinary;

static void put(unsigned char *b, size_t off, uint64_t v, unsigned width)
{
	unsigned i;

	for (i = 0; i < width; i++)
		b[off + i] = (unsigned char)(v >> (8 * i));
}

static unsigned char *wrap(const unsigned char *payload, size_t n, size_t *len)
{
	size_t total = 0x1000 + n;
	unsigned char *b = calloc(1, total);

	if (!b)
		abort();
	memcpy(b, "\177ELF\2\1\1", 7);
	put(b, 16, 2, 2);
	put(b, 18, 62, 2);
	put(b, 32, 64, 8);
	put(b, 54, 56, 2);
	put(b, 56, 2, 2);
	put(b, 64, 4, 4);            /* PT_NOTE */
	put(b, 64 + 8, 0x100, 8);
	put(b, 64 + 32, 24, 8);
	put(b, 120, 1, 4);           /* PT_LOAD: the whole file at 0x400000 */
	put(b, 120 + 16, 0x400000, 8);
	put(b, 120 + 32, total, 8);
	put(b, 0x100, 4, 4);
	put(b, 0x104, 8, 4);
	put(b, 0x108, 4, 4);
	memcpy(b + 0x10c, "Go\0\0buildid!", 12);
	memcpy(b + 0x1000, payload, n);
	*len = total;
	return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scan_out out;
	unsigned char *file = NULL;
	const unsigned char *d;
	size_t n, chunk, off = 0, i;
	void *st = NULL;

	if (size < 1)
		return 0;
	chunk = (size_t)((data[0] & 0x7f) + 1) * 31;
	if (data[0] & 0x80) {
		file = wrap(data + 1, size - 1, &n);
		d = file;
	} else {
		d = data + 1;
		n = size - 1;
	}
	memset(&out, 0, sizeof(out));
	if (detector_gobinary.stream_begin(&st, "usr/bin/fuzz", n) != 0)
		abort();
	while (off < n) {
		size_t take = n - off < chunk ? n - off : chunk;
		if (detector_gobinary.stream_chunk(st, d + off, take) != 0)
			abort();
		off += take;
	}
	if (detector_gobinary.stream_end(st, &out) != 0)
		abort();
	for (i = 0; i < out.pkgs.count; i++)
		if (strcmp(out.pkgs.items[i].ecosystem, "golang") != 0 ||
		    strncmp(out.pkgs.items[i].purl, "pkg:golang/", 11) != 0)
			abort();
	scan_out_free(&out);
	free(file);
	return 0;
}
