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
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "detectors/detector.h"

extern const struct detector detector_rustbinary;

static void put(unsigned char *b, size_t off, uint64_t v, unsigned width)
{
	unsigned i;

	for (i = 0; i < width; i++)
		b[off + i] = (unsigned char)(v >> (8 * i));
}

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
	put(b, 16, 3, 2);
	put(b, 18, 62, 2);
	put(b, 40, sht, 8);
	put(b, 58, 64, 2);
	put(b, 60, 2, 2);
	put(b, sht + 64 + 4, 1, 4);  /* section 1: PROGBITS at the data */
	put(b, sht + 64 + 24, dep, 8);
	put(b, sht + 64 + 32, clen, 8);
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
	if (detector_rustbinary.stream_begin(&st, "usr/bin/fuzz", n) != 0)
		abort();
	while (off < n) {
		size_t take = n - off < chunk ? n - off : chunk;
		if (detector_rustbinary.stream_chunk(st, d + off, take) != 0)
			abort();
		off += take;
	}
	if (detector_rustbinary.stream_end(st, &out) != 0)
		abort();
	for (i = 0; i < out.pkgs.count; i++)
		if (strcmp(out.pkgs.items[i].ecosystem, "cargo") != 0 || !out.pkgs.items[i].version ||
		    strncmp(out.pkgs.items[i].purl, "pkg:cargo/", 10) != 0)
			abort();
	scan_out_free(&out);
	free(file);
	return 0;
}
