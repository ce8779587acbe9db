/*
 * detector_fuzzing.h - the harness the detectors' libFuzzer targets share
 * (header only; include it from *_fuzz.c files only, never from the library).
 *
 * A detector target does the same few things whatever the ecosystem: hand
 * the input to scan() (or stream it in chunks), abort unless the call
 * returned ASEC_OK or ASEC_ENOMEM, abort when a reported package breaks the
 * promises every report relies on (its ecosystem, a purl of that type,
 * names and versions that are bounded and free of control characters), and
 * free everything so that the sanitizers see any leak. What differs - the
 * path the input pretends to be at, a wrapper that builds a file around the
 * input so the fuzzer reaches a parser without inventing headers, and any
 * stricter check of its own - stays in the target.
 *
 * The checks here are written out on their own rather than calling the
 * library's detector_field_ok: a harness that asks the code under test
 * whether its output is valid would catch nothing.
 */
#ifndef ASEC_INDEXER_DETECTOR_FUZZING_H
#define ASEC_INDEXER_DETECTOR_FUZZING_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detectors/detector.h"
#include "error/error.h"

/* What every package a fuzzed detector reports must satisfy. */
struct detector_fuzz_want {
	const char *ecosystem;   /* every package's ecosystem */
	const char *purl_prefix; /* every package's purl starts with it: "pkg:npm/" */
	/* When nonzero: name and version are non-empty, at most this many
	 * bytes, and hold no C0 control character or DEL. */
	size_t max_field;
	int version_required;    /* a version is there (may be ""), when max_field does not say more */
};

static inline void detector_fuzz_field(const char *s, size_t max)
{
	size_t i, n;

	if (!s || !s[0])
		abort();
	n = strlen(s);
	if (n > max)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
}

/* Printable ASCII without blanks, at most max bytes: what dpkg and apk
 * allow in names, versions and architectures. */
static inline void detector_fuzz_token(const char *s, int null_ok, int empty_ok, size_t max)
{
	size_t i, n;

	if (!s) {
		if (!null_ok)
			abort();
		return;
	}
	n = strlen(s);
	if ((!empty_ok && n == 0) || n > max)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			abort();
}

static inline void detector_fuzz_check(const struct scan_out *out, const struct detector_fuzz_want *want)
{
	size_t i;

	for (i = 0; i < out->pkgs.count; i++) {
		const struct pkg *p = &out->pkgs.items[i];

		if (want->max_field) {
			detector_fuzz_field(p->name, want->max_field);
			detector_fuzz_field(p->version, want->max_field);
		}
		if (want->version_required && !p->version)
			abort();
		if (!p->ecosystem || strcmp(p->ecosystem, want->ecosystem) != 0 || !p->purl ||
		    strncmp(p->purl, want->purl_prefix, strlen(want->purl_prefix)) != 0)
			abort();
	}
	if (out->note_count > SCAN_MAX_NOTES)
		abort();
}

/* Scans data as the file at path into a fresh *out; aborts unless scan()
 * returns ASEC_OK or ASEC_ENOMEM. The caller checks and frees *out. */
static inline void detector_fuzz_scan(struct scan_out *out, const struct detector *d, const char *path,
				      const uint8_t *data, size_t size)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = d->scan(out, path, data, size);
	if (rc != ASEC_OK && rc != ASEC_ENOMEM)
		abort();
	if (out->note_count > SCAN_MAX_NOTES)
		abort();
}

/* The whole target of a buffered detector: scan the input as the file at
 * path, check every package against want, free, and offer the input to
 * match() as a path too. */
static inline int detector_fuzz_buffered(const struct detector *d, const char *path, const uint8_t *data,
					 size_t size, const struct detector_fuzz_want *want)
{
	struct scan_out out;

	detector_fuzz_scan(&out, d, path, data, size);
	detector_fuzz_check(&out, want);
	scan_out_free(&out);
	(void)d->match((const char *)data, size, 0644);
	return 0;
}

/* Streams n bytes to a streaming detector, chunk bytes at a time, into a
 * fresh *out; aborts on any error. The caller checks and frees *out. */
static inline void detector_fuzz_stream(struct scan_out *out, const struct detector *d, const char *path,
					const unsigned char *data, size_t n, size_t chunk)
{
	void *st = NULL;
	size_t off = 0;

	memset(out, 0, sizeof(*out));
	if (d->stream_begin(&st, path, n) != 0)
		abort();
	while (off < n) {
		size_t take = n - off < chunk ? n - off : chunk;

		if (d->stream_chunk(st, data + off, take) != 0)
			abort();
		off += take;
	}
	if (d->stream_end(st, out) != 0)
		abort();
}

/* Builds a file around a payload (the caller frees it); sets *len. */
typedef unsigned char *(*detector_fuzz_wrap_fn)(const unsigned char *payload, size_t n, size_t *len);

/*
 * The whole target of a binary detector. The first input byte picks how
 * the rest is streamed: its low 7 bits the chunk size (1 to 128 times 31
 * bytes, so headers straddle chunks), its top bit whether the rest is the
 * whole file (0) or a payload that wrap() builds a minimal executable
 * around (1), so the fuzzer reaches the metadata parsers directly.
 */
static inline int detector_fuzz_binary(const struct detector *d, const uint8_t *data, size_t size,
				       detector_fuzz_wrap_fn wrap, const struct detector_fuzz_want *want)
{
	struct scan_out out;
	unsigned char *file = NULL;
	const unsigned char *body;
	size_t n, chunk;

	if (size < 1)
		return 0;
	chunk = (size_t)((data[0] & 0x7f) + 1) * 31;
	if (data[0] & 0x80) {
		file = wrap(data + 1, size - 1, &n);
		body = file;
	} else {
		body = data + 1;
		n = size - 1;
	}
	detector_fuzz_stream(&out, d, "usr/bin/fuzz", body, n, chunk);
	detector_fuzz_check(&out, want);
	scan_out_free(&out);
	free(file);
	return 0;
}

/* Writes v little-endian in width bytes at b + off (for building headers). */
static inline void detector_fuzz_put_le(unsigned char *b, size_t off, uint64_t v, unsigned width)
{
	unsigned i;

	for (i = 0; i < width; i++)
		b[off + i] = (unsigned char)(v >> (8 * i));
}

#endif
