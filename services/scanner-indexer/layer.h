/*
 * layer.h - one image layer, read once as a stream, handed to the detectors.
 *
 * A layer blob is a tar archive, plain or compressed (gzip or zstd, told
 * apart by their magic bytes, not by the media type, which registries get
 * wrong). layer_scan() pulls bytes from a reader - typically the download
 * itself, through a pipe, so that fetching, inflating and parsing overlap -
 * decompresses, walks the tar headers, and for each regular file asks the
 * detectors whether they want it. Nothing is written to disk.
 *
 * It also records what the layer deletes from the layers below it: whiteout
 * entries (".wh.<name>" deletes <name>; ".wh..wh..opq" hides everything that
 * was in its directory), so that the indexer can drop packages a later layer
 * removed.
 *
 * Hostile input is expected: paths are normalised and checked (no "..", no
 * absolute escape, no NUL), links are never followed, sizes in headers are
 * bounded, the decompressed total and ratio are capped (a gzip bomb ends the
 * scan with ASEC_ETOOBIG), and a truncated or corrupt stream is an error with
 * a message, never a crash. Per-file problems (a file over a detector's size
 * limit, a non-UTF-8 name) are notes, and the scan goes on.
 */
#ifndef ASEC_INDEXER_LAYER_H
#define ASEC_INDEXER_LAYER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "detectors/detector.h"

/* Pull interface: returns bytes read (0 at the end) or -1 with error_set(). */
struct layer_reader {
	ssize_t (*read)(void *ctx, void *buf, size_t len);
	void *ctx;
};

struct layer_limits {
	uint64_t max_uncompressed_bytes; /* 0 = 16 GiB */
	unsigned max_ratio;              /* uncompressed / compressed, checked past 64 MiB; 0 = 1000 */
	size_t max_entries;              /* 0 = 2,000,000 */
	size_t max_path_bytes;           /* 0 = 4096 */
};

enum layer_compression { LAYER_PLAIN, LAYER_GZIP, LAYER_ZSTD };

/* What one detector found in one layer. */
struct layer_detector_result {
	const struct detector *detector;
	struct scan_out out;
	/* Every file handed to the detector, found packages or not: a package
	 * database rewritten empty must still replace the lower layers' one. */
	char **files;
	size_t file_count;
};

struct layer_result {
	enum layer_compression compression;
	uint64_t compressed_bytes, uncompressed_bytes;
	size_t entries;
	/* One per detector given to layer_scan, in the same order. */
	struct layer_detector_result *results;
	size_t result_count;
	/* Paths this layer deletes from lower layers ("usr/lib/node_modules/x"). */
	char **whiteouts;
	size_t whiteout_count;
	/* Directories this layer makes opaque (everything below from lower layers is hidden). */
	char **opaque_dirs;
	size_t opaque_count;
	/* Layer-level notes (skipped entries, unsafe paths, ...). */
	struct scan_out notes;
};

/* Scans one layer with the given detectors (typically only those whose cached
 * result is missing). On failure the partial result is freed and the error
 * text says what went wrong and, where known, at which entry. */
int layer_scan(struct layer_result *out, const struct layer_reader *reader, const struct detector *const *detectors,
	       size_t detector_count, const struct layer_limits *limits);

void layer_result_free(struct layer_result *result);

/* Normalises a tar entry name: strips "./" and leading "/", folds "//" and
 * ".", refuses ".." that would escape the root and names with NUL or over
 * max bytes. Returns ASEC_OK with *out malloc'd, or ASEC_EINVALID. */
int layer_normalize_path(char **out, const char *name, size_t len, size_t max);

#endif
