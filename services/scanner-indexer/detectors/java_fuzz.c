/*
 * java_fuzz.c - libFuzzer target for the Java archive detector.
 *
 * The input is a jar, read as is (zip structure, libarchive's two readers,
 * nesting, the caps). An input that starts with "MF:" or "PP:" is instead
 * the text of a META-INF/MANIFEST.MF or a pom.properties: the target wraps
 * it in a stored zip entry (next to a nested copy of itself) so that the
 * text parsers get fuzzed without the fuzzer having to invent zip headers
 * and CRCs. Properties checked besides not crashing: every package has a
 * name, "maven" ecosystem and a purl, and the package count stays under the
 * detector's cap.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "detectors/detector.h"

extern const struct detector detector_java;

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

/* A zip of stored entries; returns its length in out (which must be big enough). */
static size_t stored_zip(unsigned char *out, const char *const *names, const unsigned char *const *data,
			 const size_t *lens, size_t n)
{
	size_t pos = 0, cd, i, offs[4];

	for (i = 0; i < n; i++) {
		size_t nl = strlen(names[i]);
		uint32_t crc = (uint32_t)crc32(0, data[i], (uInt)lens[i]);
		offs[i] = pos;
		memset(out + pos, 0, 30);
		put32(out + pos, 0x04034b50);
		put16(out + pos + 4, 20);
		put32(out + pos + 14, crc);
		put32(out + pos + 18, (uint32_t)lens[i]);
		put32(out + pos + 22, (uint32_t)lens[i]);
		put16(out + pos + 26, (unsigned)nl);
		memcpy(out + pos + 30, names[i], nl);
		memcpy(out + pos + 30 + nl, data[i], lens[i]);
		pos += 30 + nl + lens[i];
	}
	cd = pos;
	for (i = 0; i < n; i++) {
		size_t nl = strlen(names[i]);
		memset(out + pos, 0, 46);
		put32(out + pos, 0x02014b50);
		put16(out + pos + 4, 20);
		put16(out + pos + 6, 20);
		put32(out + pos + 16, (uint32_t)crc32(0, data[i], (uInt)lens[i]));
		put32(out + pos + 20, (uint32_t)lens[i]);
		put32(out + pos + 24, (uint32_t)lens[i]);
		put16(out + pos + 28, (unsigned)nl);
		put32(out + pos + 42, (uint32_t)offs[i]);
		memcpy(out + pos + 46, names[i], nl);
		pos += 46 + nl;
	}
	memset(out + pos, 0, 22);
	put32(out + pos, 0x06054b50);
	put16(out + pos + 8, (unsigned)n);
	put16(out + pos + 10, (unsigned)n);
	put32(out + pos + 12, (uint32_t)(pos - cd));
	put32(out + pos + 16, (uint32_t)cd);
	return pos + 22;
}

static void check(const unsigned char *data, size_t size)
{
	struct scan_out out;
	size_t i;

	memset(&out, 0, sizeof(out));
	if (detector_java.scan(&out, "opt/app/fuzz-1.0.war", data, size) != 0)
		abort();
	if (out.pkgs.count > 10000)
		abort();
	for (i = 0; i < out.pkgs.count; i++) {
		const struct pkg *p = &out.pkgs.items[i];
		if (!p->name || !p->name[0] || !p->purl || strncmp(p->purl, "pkg:maven/", 10) != 0 ||
		    strcmp(p->ecosystem, "maven") != 0 || strncmp(p->package_db, "opt/app/fuzz-1.0.war", 20) != 0)
			abort();
	}
	scan_out_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 3 && (memcmp(data, "MF:", 3) == 0 || memcmp(data, "PP:", 3) == 0) && size < (1u << 20)) {
		const char *text_name = data[0] == 'M' ? "META-INF/MANIFEST.MF" : "META-INF/maven/g/a/pom.properties";
		const unsigned char *text = data + 3;
		size_t tlen = size - 3, inner_len, outer_len;
		unsigned char *inner = malloc(2 * tlen + 512), *outer = malloc(4 * tlen + 2048);
		const char *inner_names[1] = { text_name };
		const unsigned char *inner_data[1] = { text };
		size_t inner_lens[1] = { tlen };

		if (!inner || !outer)
			abort();
		inner_len = stored_zip(inner, inner_names, inner_data, inner_lens, 1);
		{
			const char *names[2] = { text_name, "WEB-INF/lib/inner-2.0.jar" };
			const unsigned char *parts[2] = { text, inner };
			size_t lens[2] = { tlen, inner_len };
			outer_len = stored_zip(outer, names, parts, lens, 2);
		}
		check(outer, outer_len);
		free(inner);
		free(outer);
		return 0;
	}
	check(data, size);
	return 0;
}
