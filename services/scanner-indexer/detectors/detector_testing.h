/*
 * detector_testing.h - helpers the detectors' unit tests share (header only;
 * include it from *_test.c files only, never from the library).
 *
 * Every detector test does the same chores around its real checks: find a
 * file in its testdata/<detector>/ folder (under ASEC_SOURCE_DIR, which
 * ctest sets to the checkout), scan bytes as a file at some path and insist
 * that scan() succeeded, look for a package or a note in the result, and
 * compare strings where NULL and "" both mean "not known" (struct pkg's
 * convention). They are here once so that a test reads as its assertions.
 * A helper that fails the test does it with cmocka's fail_msg, naming what
 * it was looking at. Fixtures outside the repository still go through
 * testing_shared_path (testing/testing.h), which skips when they are absent.
 */
#ifndef ASEC_INDEXER_DETECTOR_TESTING_H
#define ASEC_INDEXER_DETECTOR_TESTING_H

#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "detectors/detector.h"
#include "error/error.h"
#include "testing/testing.h"

/* buf = a + "/" + b; fails the test when it does not fit. */
static inline void detector_testing_join(char *buf, size_t size, const char *a, const char *b)
{
	int n = snprintf(buf, size, "%s/%s", a, b);

	if (n < 0 || (size_t)n >= size)
		fail_msg("path too long: %s/%s", a, b);
}

/* buf = <source dir>/services/scanner-indexer/detectors/testdata/<detector>. */
static inline void detector_testing_testdata_dir(char *buf, size_t size, const char *detector)
{
	const char *src = getenv("ASEC_SOURCE_DIR");
	char rel[256];

	detector_testing_join(rel, sizeof(rel), "services/scanner-indexer/detectors/testdata", detector);
	detector_testing_join(buf, size, src && src[0] ? src : ".", rel);
}

/* The whole file (NUL-terminated past *len); fails the test when it cannot
 * be read. The caller frees it. */
static inline unsigned char *detector_testing_read(const char *path, size_t *len)
{
	unsigned char *data = testing_read_file(path, len);

	if (!data)
		fail_msg("cannot read %s", path);
	return data;
}

/* testdata/<detector>/<name>, as detector_testing_read. */
static inline unsigned char *detector_testing_read_testdata(const char *detector, const char *name, size_t *len)
{
	char dir[2048], path[4096];

	detector_testing_testdata_dir(dir, sizeof(dir), detector);
	detector_testing_join(path, sizeof(path), dir, name);
	return detector_testing_read(path, len);
}

/* Scans data as the file at path into a fresh *out; scan() must succeed. */
static inline void detector_testing_scan(struct scan_out *out, const struct detector *d, const char *path,
					 const void *data, size_t len)
{
	memset(out, 0, sizeof(*out));
	assert_int_equal(d->scan(out, path, data, len), ASEC_OK);
}

/* Scans the file at file (on disk) as the file at path (in an image). */
static inline void detector_testing_scan_file(struct scan_out *out, const struct detector *d, const char *path,
					      const char *file)
{
	unsigned char *data;
	size_t len;

	data = detector_testing_read(file, &len);
	detector_testing_scan(out, d, path, data, len);
	free(data);
}

/* Streams n bytes of d to a streaming detector, chunk bytes at a time,
 * after telling stream_begin the file has size bytes; zeros make up the
 * rest (size >= n), so a test can claim a huge file without holding it.
 * Every call must succeed. ASEC_TEST_VERBOSE=1 prints what came out. */
static inline void detector_testing_dump(const struct scan_out *out);
static inline void detector_testing_stream(struct scan_out *out, const struct detector *det, const char *path,
					   const unsigned char *d, size_t n, uint64_t size, size_t chunk)
{
	static unsigned char zeros[1 << 20];
	void *st = NULL;
	uint64_t off = 0;

	memset(out, 0, sizeof(*out));
	assert_int_equal(det->stream_begin(&st, path, size), ASEC_OK);
	while (off < n) {
		size_t take = n - off < chunk ? (size_t)(n - off) : chunk;

		assert_int_equal(det->stream_chunk(st, d + off, take), ASEC_OK);
		off += take;
	}
	while (off < size) {
		size_t take = size - off < sizeof(zeros) ? (size_t)(size - off) : sizeof(zeros);

		assert_int_equal(det->stream_chunk(st, zeros, take), ASEC_OK);
		off += take;
	}
	assert_int_equal(det->stream_end(st, out), ASEC_OK);
	if (getenv("ASEC_TEST_VERBOSE")) {
		printf("stream %s (%zu bytes, chunks of %zu)\n", path, n, chunk);
		detector_testing_dump(out);
	}
}

/* nftw() takes no context pointer, so the walk's state is one per test
 * program; it lives in a function so that a test that never walks has no
 * unused variable. */
struct detector_testing_walk {
	const struct detector *det;
	struct scan_out *out;
	size_t root_len, matched, skipped;
};

static inline struct detector_testing_walk *detector_testing_walk_state(void)
{
	static struct detector_testing_walk state;

	return &state;
}

static inline int detector_testing_walk_visit(const char *fpath, const struct stat *sb, int type, struct FTW *ftw)
{
	struct detector_testing_walk *w = detector_testing_walk_state();
	const char *rel = fpath + w->root_len + 1;
	unsigned char *data;
	size_t len;

	(void)sb;
	(void)ftw;
	if (type != FTW_F)
		return 0;
	if (!w->det->match(rel, strlen(rel), 0644)) {
		w->skipped++;
		return 0;
	}
	w->matched++;
	data = testing_read_file(fpath, &len);
	assert_non_null(data);
	assert_int_equal(w->det->scan(w->out, rel, data, len), ASEC_OK);
	free(data);
	return 0;
}

/* Hands every regular file under root that d claims to scan(), with its
 * path relative to root, as the layer walker would, all into one fresh
 * *out. Counts the files claimed and the files passed over. */
static inline void detector_testing_walk(struct scan_out *out, const struct detector *d, const char *root,
					 size_t *matched, size_t *skipped)
{
	struct detector_testing_walk *w = detector_testing_walk_state();

	memset(out, 0, sizeof(*out));
	memset(w, 0, sizeof(*w));
	w->det = d;
	w->out = out;
	w->root_len = strlen(root);
	assert_int_equal(nftw(root, detector_testing_walk_visit, 16, FTW_PHYS), 0);
	if (matched)
		*matched = w->matched;
	if (skipped)
		*skipped = w->skipped;
}

/* Prints every package and note (for ASEC_TEST_VERBOSE and failures). */
static inline void detector_testing_dump(const struct scan_out *out)
{
	size_t i;

	for (i = 0; i < out->pkgs.count; i++) {
		const struct pkg *p = &out->pkgs.items[i];

		printf("  pkg %s %s [%s] %s %s\n", p->name, p->version ? p->version : "-",
		       p->repository_hint ? p->repository_hint : "", p->package_db, p->purl);
	}
	for (i = 0; i < out->note_count; i++)
		printf("  note %s\n", out->notes[i]);
}

/* Nonzero when some note contains part. */
static inline int detector_testing_has_note(const struct scan_out *out, const char *part)
{
	size_t i;

	for (i = 0; i < out->note_count; i++)
		if (strstr(out->notes[i], part))
			return 1;
	return 0;
}

/* The first package called name, or NULL. */
static inline const struct pkg *detector_testing_find(const struct scan_out *out, const char *name)
{
	size_t i;

	for (i = 0; i < out->pkgs.count; i++)
		if (strcmp(out->pkgs.items[i].name, name) == 0)
			return &out->pkgs.items[i];
	return NULL;
}

/* got must equal want, where NULL and "" both mean "not known". */
static inline void detector_testing_expect_str(const char *what, const char *got, const char *want)
{
	if (!want || !want[0]) {
		if (got && got[0])
			fail_msg("%s: expected nothing, got \"%s\"", what, got);
		return;
	}
	if (!got || strcmp(got, want) != 0)
		fail_msg("%s: expected \"%s\", got \"%s\"", what, want, got ? got : "(null)");
}

/* The string member key of o, or NULL when it is absent or not a string. */
static inline const char *detector_testing_json_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Writes v in width bytes at b + off, big- or little-endian (for building
 * binary headers by hand). */
static inline void detector_testing_put(unsigned char *b, size_t off, uint64_t v, unsigned width, int big)
{
	unsigned i;

	for (i = 0; i < width; i++)
		b[off + (big ? width - 1 - i : i)] = (unsigned char)(v >> (8 * i));
}

#endif
