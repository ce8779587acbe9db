/*
 * layer_fuzz.c - libFuzzer target: arbitrary bytes as a layer blob.
 *
 * The input goes to layer_scan as it is, so its first bytes pick the
 * decompressor (gzip and zstd magic, anything else plain tar); the seed
 * corpus holds one layer of each kind. Two detectors that want every file -
 * one buffered, one streaming - make sure file data is actually read and
 * handed over. Limits are low so that an iteration stays well under a
 * millisecond; the ratio check only starts at 64 MiB, so the total cap is
 * what bounds inflation here.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"
#include "layer.h"

struct fuzz_reader {
	const uint8_t *data;
	size_t len, pos;
};

/* Odd-sized pieces, so that magic bytes and headers straddle reads. */
static ssize_t fuzz_read(void *ctx, void *buf, size_t len)
{
	struct fuzz_reader *r = ctx;
	size_t n = r->len - r->pos;

	if (n > len)
		n = len;
	if (n > 1021)
		n = 1021;
	if (n)
		memcpy(buf, r->data + r->pos, n);
	r->pos += n;
	return (ssize_t)n;
}

static int fuzz_match(const char *path, size_t len, unsigned mode)
{
	(void)mode;
	/* The walker promises a NUL-terminated, normalised path. */
	if (strlen(path) != len || path[0] == '/' || strstr(path, "//"))
		abort();
	return 1;
}

static int fuzz_scan(struct scan_out *out, const char *path, const unsigned char *data, size_t len)
{
	unsigned char sum = 0;
	size_t i;

	if (len > 4096)
		abort(); /* over max_file_bytes: must never reach scan */
	/* Touch every byte, so that ASan sees a short buffer. */
	for (i = 0; i < len; i++)
		sum ^= data[i];
	if (len > 0 && data[0] == 'N' && sum != 1)
		scan_note(out, "note for %s", path);
	return ASEC_OK;
}

struct fuzz_stream {
	uint64_t declared, seen;
};

static int fuzz_begin(void **state, const char *path, uint64_t size)
{
	struct fuzz_stream *s = calloc(1, sizeof(*s));

	(void)path;
	if (!s)
		return ASEC_ENOMEM;
	s->declared = size;
	*state = s;
	return ASEC_OK;
}

static int fuzz_chunk(void *state, const unsigned char *data, size_t len)
{
	struct fuzz_stream *s = state;

	s->seen += len;
	if (s->seen > s->declared)
		abort(); /* more bytes than the header declared */
	if (len > 0 && data[0] == 'E')
		return ASEC_EINVALID; /* exercise the give-up path */
	return ASEC_OK;
}

static int fuzz_end(void *state, struct scan_out *out)
{
	(void)out;
	free(state);
	return ASEC_OK;
}

static const struct detector fuzz_buffered = {
	.name = "fuzz-buffered",
	.version = 1,
	.max_file_bytes = 4096,
	.match = fuzz_match,
	.scan = fuzz_scan,
};

static const struct detector fuzz_streaming = {
	.name = "fuzz-streaming",
	.version = 1,
	.match = fuzz_match,
	.stream_begin = fuzz_begin,
	.stream_chunk = fuzz_chunk,
	.stream_end = fuzz_end,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct detector *const detectors[] = { &fuzz_buffered, &fuzz_streaming };
	struct fuzz_reader fr = { data, size, 0 };
	struct layer_reader reader = { fuzz_read, &fr };
	struct layer_limits limits = {
		.max_uncompressed_bytes = 8u << 20,
		.max_entries = 4096,
		.max_path_bytes = 512,
	};
	struct layer_result res;

	if (layer_scan(&res, &reader, detectors, 2, &limits) == ASEC_OK)
		layer_result_free(&res);
	else if (res.results || res.whiteouts || res.notes.note_count)
		abort(); /* a failed scan must leave nothing behind */
	return 0;
}
