/*
 * execbin.h - what the Go and Rust binary detectors share (private to
 * gobinary.c and rustbinary.c; header only).
 *
 * Both read executables as a stream and only ever need a few facts from the
 * ELF header - the first 64 bytes, so they are known before anything else -
 * plus a way to pick which files to stream at all. Their package URLs go
 * through detector_purl_escape with DETECTOR_PURL_ENCODE_COLON, as they
 * always have.
 */
#ifndef ASEC_INDEXER_EXECBIN_H
#define ASEC_INDEXER_EXECBIN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define EXECBIN_ELF_MAGIC "\177ELF"

/*
 * Which files are worth streaming: anything with an execute bit, plus
 * anything directly in a bin/ or sbin/ directory (images built by tools that
 * drop permission bits still keep binaries there). The test costs a few byte
 * compares per path and never looks at content; a file that is not ELF costs
 * its first chunk only, as both detectors stop looking after 4 bytes.
 * Shared libraries are included on purpose: Go (-buildmode=c-shared) and
 * Rust (cdylib) can carry their metadata there too.
 */
static inline int execbin_match(const char *path, size_t len, unsigned mode)
{
	static const char *const dirs[] = { "bin/", "sbin/" };
	const char *slash;
	size_t i, dlen;

	if (mode & 0111)
		return 1;
	slash = len ? memrchr(path, '/', len) : NULL;
	if (!slash)
		return 0;
	dlen = (size_t)(slash - path) + 1; /* the directory, with its trailing "/" */
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		size_t n = strlen(dirs[i]);
		if (dlen >= n && memcmp(path + dlen - n, dirs[i], n) == 0 && (dlen == n || path[dlen - n - 1] == '/'))
			return 1;
	}
	return 0;
}

/* The ELF header fields both detectors use. */
struct execbin_elf {
	int is64, big;
	uint64_t phoff, shoff;
	unsigned phentsize, phnum, shentsize, shnum, shstrndx;
};

static inline uint64_t execbin_get(const unsigned char *p, unsigned width, int big)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < width; i++)
		v |= (uint64_t)p[big ? width - 1 - i : i] << (8 * i);
	return v;
}

/* Parses the ELF identification and header; 0 on success, -1 when the
 * bytes are not an ELF header we understand. Needs 64 bytes (52 for ELF32). */
static inline int execbin_elf_header(struct execbin_elf *e, const unsigned char *h, size_t len)
{
	memset(e, 0, sizeof(*e));
	if (len < 52 || memcmp(h, EXECBIN_ELF_MAGIC, 4) != 0)
		return -1;
	if (h[4] != 1 && h[4] != 2)
		return -1;
	if (h[5] != 1 && h[5] != 2)
		return -1;
	e->is64 = h[4] == 2;
	e->big = h[5] == 2;
	if (e->is64) {
		if (len < 64)
			return -1;
		e->phoff = execbin_get(h + 32, 8, e->big);
		e->shoff = execbin_get(h + 40, 8, e->big);
		e->phentsize = (unsigned)execbin_get(h + 54, 2, e->big);
		e->phnum = (unsigned)execbin_get(h + 56, 2, e->big);
		e->shentsize = (unsigned)execbin_get(h + 58, 2, e->big);
		e->shnum = (unsigned)execbin_get(h + 60, 2, e->big);
		e->shstrndx = (unsigned)execbin_get(h + 62, 2, e->big);
	} else {
		e->phoff = execbin_get(h + 28, 4, e->big);
		e->shoff = execbin_get(h + 32, 4, e->big);
		e->phentsize = (unsigned)execbin_get(h + 42, 2, e->big);
		e->phnum = (unsigned)execbin_get(h + 44, 2, e->big);
		e->shentsize = (unsigned)execbin_get(h + 46, 2, e->big);
		e->shnum = (unsigned)execbin_get(h + 48, 2, e->big);
		e->shstrndx = (unsigned)execbin_get(h + 50, 2, e->big);
	}
	return 0;
}

#endif
