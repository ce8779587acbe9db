/*
 * layer.c - the layer walker: one pass over a layer blob, every byte
 * decompressed once, every regular file offered to the detectors.
 *
 * Two ideas shape it.
 *
 * Decompression is ours, tar parsing is libarchive's. We sniff the magic
 * (gzip 1f 8b, zstd 28 b5 2f fd, anything else is taken as a plain tar),
 * inflate gzip with ISA-L's igzip (several times faster than zlib, which
 * matters when a scan is bound by inflating gigabytes) and zstd with
 * libzstd's streaming decoder, and hand the output to libarchive through our
 * own read callback with only the tar format enabled and no filters. The
 * decompressor thus sees every byte before libarchive does, which is where
 * the limits are enforced: the total size and the compression ratio are
 * checked after every output block, so a bomb is stopped one block after it
 * crosses a limit (the ratio is judged once 64 MiB are out), never after
 * inflating gigabytes.
 *
 * Memory is fixed apart from one file's content. Buffers: LAYER_IN_BYTES of
 * compressed input, LAYER_OUT_BYTES of decompressed output (libarchive reads
 * file data straight out of it, so each byte sits in one place), igzip's
 * state (85 KiB, most of it history), or zstd's window (at most
 * 2^LAYER_ZSTD_WINDOW_LOG bytes, the zstd default), plus libarchive's own
 * bounded header buffers. The only buffer that grows is the content of the
 * current file when a buffered detector wants it: it grows as the data
 * arrives (a header cannot make us allocate what the stream never delivers),
 * never past the file's size, and a file larger than a detector's
 * max_file_bytes is refused for that detector before a byte is read. It is
 * kept for the next file rather than freed, so a layer of many small files
 * costs no allocation each. Streaming detectors get the same output blocks
 * as they pass, so a file wanted by both kinds is still read once.
 *
 * Paths. Names are normalised (layer_normalize_path) before anything looks
 * at them. A name that escapes the root, contains NUL, is longer than
 * max_path_bytes, or is not valid UTF-8 is skipped with a layer note. The
 * last rule is a choice: everything a detector reports ends up in JSON,
 * which must be UTF-8, and a whiteout below a non-UTF-8 name can only delete
 * paths that were themselves never reported, so skipping loses nothing we
 * could have shown. libarchive converts pax (UTF-8) names to the current
 * locale's charset; we switch the calling thread to C.UTF-8 around header
 * reads so that names arrive as the bytes the archive holds whatever locale
 * the process runs in.
 */
#include "layer.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <isa-l/igzip_lib.h>
#include <locale.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "error/error.h"

/* Compressed bytes pulled from the reader per call: large enough that the
 * reader's per-call cost vanishes, small enough that the ratio check (which
 * counts consumed input) is never far behind. */
#define LAYER_IN_BYTES (128u * 1024u)
/* Decompressed bytes handed to libarchive per callback; igzip and zstd both
 * run at full speed with outputs of this size, and it bounds how far past a
 * limit we may inflate before checking. */
#define LAYER_OUT_BYTES (256u * 1024u)
/* zstd windows above 128 MiB (zstd --long=28 and up) are refused: that is
 * the library's own default limit, and it caps the decoder's memory. */
#define LAYER_ZSTD_WINDOW_LOG 27
/* The ratio is only meaningful once enough has been inflated. */
#define LAYER_RATIO_FLOOR (64ull << 20)

#define LAYER_DEFAULT_MAX_UNCOMPRESSED (16ull << 30)
#define LAYER_DEFAULT_MAX_RATIO 1000u
#define LAYER_DEFAULT_MAX_ENTRIES ((size_t)2000000)
#define LAYER_DEFAULT_MAX_PATH ((size_t)4096)
/* A buffered detector that leaves max_file_bytes at 0 gets this. */
#define LAYER_DEFAULT_MAX_FILE ((size_t)64 << 20)
/* How much of a hostile name a note or an error message quotes. */
#define LAYER_QUOTE_BYTES 160

/* ---- decompressing source ------------------------------------------------ */

struct layer_source {
	const struct layer_reader *reader;
	enum layer_compression compression;
	uint64_t max_uncompressed;
	unsigned max_ratio;
	struct scan_out *notes;

	unsigned char *in;
	size_t in_pos, in_len;
	int in_eof;
	unsigned char *out;
	int done;
	unsigned char magic[6]; /* the blob's first bytes, for a better message */
	size_t magic_len;

	struct inflate_state *gz;
	ZSTD_DCtx *zs;
	size_t zs_hint;   /* last ZSTD_decompressStream result: 0 when a frame ended cleanly */
	int zs_flushing;  /* the last call filled the output: zstd may hold more without new input */

	uint64_t compressed_read, uncompressed;

	/* The first failure, kept here because detectors and libarchive may
	 * overwrite the thread's error text before we report it. */
	int error;
	char message[512];
};

static int source_fail(struct layer_source *src, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int source_fail(struct layer_source *src, int code, const char *fmt, ...)
{
	va_list ap;

	if (!src->error) {
		va_start(ap, fmt);
		vsnprintf(src->message, sizeof(src->message), fmt, ap);
		va_end(ap);
		src->error = code;
	}
	return src->error;
}

static uint64_t source_consumed(const struct layer_source *src)
{
	return src->compressed_read - (src->in_len - src->in_pos);
}

/* Makes at least `want` unread input bytes available unless the stream ends
 * first; *avail says how many there are. Unread bytes move to the front. */
static int source_peek(struct layer_source *src, size_t want, size_t *avail)
{
	ssize_t n;

	while (src->in_len - src->in_pos < want && !src->in_eof) {
		if (src->in_pos > 0) {
			memmove(src->in, src->in + src->in_pos, src->in_len - src->in_pos);
			src->in_len -= src->in_pos;
			src->in_pos = 0;
		}
		n = src->reader->read(src->reader->ctx, src->in + src->in_len, LAYER_IN_BYTES - src->in_len);
		if (n < 0)
			return source_fail(src, ASEC_EIO, "reading the layer at compressed offset %llu: %s",
					   (unsigned long long)src->compressed_read, error_last());
		if ((size_t)n > LAYER_IN_BYTES - src->in_len)
			return source_fail(src, ASEC_EIO, "layer reader returned more bytes than asked");
		if (n == 0)
			src->in_eof = 1;
		src->in_len += (size_t)n;
		src->compressed_read += (uint64_t)n;
	}
	*avail = src->in_len - src->in_pos;
	return ASEC_OK;
}

static int source_account(struct layer_source *src, size_t produced)
{
	uint64_t consumed;

	src->uncompressed += produced;
	if (src->uncompressed > src->max_uncompressed)
		return source_fail(src, ASEC_ETOOBIG, "layer exceeds the limit of %llu uncompressed bytes",
				   (unsigned long long)src->max_uncompressed);
	if (src->compression == LAYER_PLAIN || src->uncompressed <= LAYER_RATIO_FLOOR)
		return ASEC_OK;
	consumed = source_consumed(src);
	if (consumed == 0 || (consumed <= UINT64_MAX / src->max_ratio && src->uncompressed >= consumed * src->max_ratio))
		return source_fail(src, ASEC_ETOOBIG,
				   "layer compression ratio reached %llu:1 (%llu bytes from %llu) - limit %u:1, "
				   "likely a decompression bomb",
				   (unsigned long long)(src->uncompressed / (consumed ? consumed : 1)),
				   (unsigned long long)src->uncompressed, (unsigned long long)consumed, src->max_ratio);
	return ASEC_OK;
}

static const char *isal_error_name(int ret)
{
	switch (ret) {
	case ISAL_INVALID_BLOCK: return "invalid deflate block";
	case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
	case ISAL_INVALID_LOOKBACK: return "invalid back-reference distance";
	case ISAL_INVALID_WRAPPER: return "invalid gzip header";
	case ISAL_UNSUPPORTED_METHOD: return "unsupported gzip compression method";
	case ISAL_INCORRECT_CHECKSUM: return "gzip checksum mismatch";
	case ISAL_NEED_DICT: return "stream needs a preset dictionary";
	default: return "gzip decoder error";
	}
}

/* One gzip member after another (RFC 1952 allows concatenation, pigz and
 * some registries produce it); igzip parses each header and checks each
 * trailer's CRC-32 and length. After the last member, bytes that do not start
 * another member are ignored with a note, as gzip(1) does. */
static int source_gzip(struct layer_source *src, size_t *produced)
{
	size_t avail, before;
	int ret;

	for (;;) {
		if (src->gz->block_state == ISAL_BLOCK_FINISH) {
			if (source_peek(src, 2, &avail))
				return src->error;
			if (avail == 0) {
				src->done = 1;
				return ASEC_OK;
			}
			if (avail >= 2 && src->in[src->in_pos] == 0x1f && src->in[src->in_pos + 1] == 0x8b) {
				isal_inflate_reset(src->gz);
				continue;
			}
			scan_note(src->notes, "trailing data after the gzip stream at compressed offset %llu ignored",
				  (unsigned long long)source_consumed(src));
			src->done = 1;
			return ASEC_OK;
		}
		if (src->in_pos == src->in_len) {
			if (source_peek(src, 1, &avail))
				return src->error;
			if (avail == 0)
				return source_fail(src, ASEC_EINVALID,
						   "truncated gzip stream: input ended at compressed offset %llu "
						   "(%llu bytes inflated)",
						   (unsigned long long)src->compressed_read,
						   (unsigned long long)src->uncompressed);
		}
		before = src->in_pos;
		src->gz->next_in = src->in + src->in_pos;
		src->gz->avail_in = (uint32_t)(src->in_len - src->in_pos);
		src->gz->next_out = src->out;
		src->gz->avail_out = LAYER_OUT_BYTES;
		ret = isal_inflate(src->gz);
		src->in_pos = (size_t)(src->gz->next_in - src->in);
		*produced = LAYER_OUT_BYTES - src->gz->avail_out;
		if (ret < 0)
			return source_fail(src, ASEC_EINVALID, "corrupt gzip stream near compressed offset %llu: %s",
					   (unsigned long long)source_consumed(src), isal_error_name(ret));
		if (*produced > 0)
			return ASEC_OK;
		if (src->in_pos == before && src->in_pos < src->in_len && src->gz->block_state != ISAL_BLOCK_FINISH)
			return source_fail(src, ASEC_EINVALID, "gzip decoder made no progress at compressed offset %llu",
					   (unsigned long long)source_consumed(src));
	}
}

/* ZSTD_decompressStream crosses frame boundaries by itself (multi-frame and
 * skippable frames). The stream is complete only if the last frame ended. */
static int source_zstd(struct layer_source *src, size_t *produced)
{
	ZSTD_inBuffer in;
	ZSTD_outBuffer out;
	size_t avail, r;

	for (;;) {
		if (src->in_pos == src->in_len && !src->zs_flushing) {
			if (source_peek(src, 1, &avail))
				return src->error;
			if (avail == 0) {
				if (src->zs_hint != 0)
					return source_fail(src, ASEC_EINVALID,
							   "truncated zstd stream: input ended at compressed offset %llu "
							   "inside a frame",
							   (unsigned long long)src->compressed_read);
				src->done = 1;
				return ASEC_OK;
			}
		}
		in.src = src->in;
		in.size = src->in_len;
		in.pos = src->in_pos;
		out.dst = src->out;
		out.size = LAYER_OUT_BYTES;
		out.pos = 0;
		r = ZSTD_decompressStream(src->zs, &out, &in);
		src->in_pos = in.pos;
		if (ZSTD_isError(r))
			return source_fail(src, ASEC_EINVALID, "corrupt zstd stream near compressed offset %llu: %s",
					   (unsigned long long)source_consumed(src), ZSTD_getErrorName(r));
		src->zs_hint = r;
		src->zs_flushing = out.pos == out.size;
		*produced = out.pos;
		if (out.pos > 0)
			return ASEC_OK;
	}
}

/* Produces the next block of decompressed bytes: *len > 0, or 0 at the end. */
static int source_produce(struct layer_source *src, const void **buf, size_t *len)
{
	size_t avail = 0, n = 0;
	int rc;

	*buf = NULL;
	*len = 0;
	if (src->error)
		return src->error;
	if (src->done)
		return ASEC_OK;
	switch (src->compression) {
	case LAYER_PLAIN:
		if (source_peek(src, 1, &avail))
			return src->error;
		if (avail == 0) {
			src->done = 1;
			return ASEC_OK;
		}
		*buf = src->in + src->in_pos;
		n = avail;
		/* Consumed now: libarchive may hold on to this block until its
		 * next call, and the next call only starts a new read. */
		src->in_pos = src->in_len = 0;
		break;
	case LAYER_GZIP:
		rc = source_gzip(src, &n);
		if (rc)
			return rc;
		*buf = src->out;
		break;
	case LAYER_ZSTD:
		rc = source_zstd(src, &n);
		if (rc)
			return rc;
		*buf = src->out;
		break;
	}
	if (n == 0)
		return ASEC_OK;
	*len = n;
	return source_account(src, n);
}

static int source_open(struct layer_source *src)
{
	size_t avail;
	const unsigned char *m;

	src->in = malloc(LAYER_IN_BYTES);
	if (!src->in)
		return source_fail(src, ASEC_ENOMEM, "out of memory for the layer input buffer");
	if (source_peek(src, sizeof(src->magic), &avail))
		return src->error;
	m = src->in + src->in_pos;
	src->magic_len = avail < sizeof(src->magic) ? avail : sizeof(src->magic);
	memcpy(src->magic, m, src->magic_len);
	if (avail >= 2 && m[0] == 0x1f && m[1] == 0x8b)
		src->compression = LAYER_GZIP;
	else if (avail >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
		src->compression = LAYER_ZSTD;
	else
		src->compression = LAYER_PLAIN;

	if (src->compression == LAYER_PLAIN)
		return ASEC_OK;
	src->out = malloc(LAYER_OUT_BYTES);
	if (!src->out)
		return source_fail(src, ASEC_ENOMEM, "out of memory for the layer output buffer");
	if (src->compression == LAYER_GZIP) {
		src->gz = malloc(sizeof(*src->gz));
		if (!src->gz)
			return source_fail(src, ASEC_ENOMEM, "out of memory for the gzip decoder");
		isal_inflate_init(src->gz);
		src->gz->crc_flag = ISAL_GZIP;
	} else {
		src->zs = ZSTD_createDCtx();
		if (!src->zs)
			return source_fail(src, ASEC_ENOMEM, "out of memory for the zstd decoder");
		if (ZSTD_isError(ZSTD_DCtx_setParameter(src->zs, ZSTD_d_windowLogMax, LAYER_ZSTD_WINDOW_LOG)))
			return source_fail(src, ASEC_ERROR, "cannot set the zstd window limit");
	}
	return ASEC_OK;
}

static void source_close(struct layer_source *src)
{
	free(src->in);
	free(src->out);
	free(src->gz);
	ZSTD_freeDCtx(src->zs);
}

static la_ssize_t source_archive_read(struct archive *a, void *ctx, const void **buf)
{
	struct layer_source *src = ctx;
	size_t len;

	if (source_produce(src, buf, &len)) {
		archive_set_error(a, EIO, "%s", src->message);
		return -1;
	}
	return (la_ssize_t)len;
}

/* ---- paths --------------------------------------------------------------- */

int layer_normalize_path(char **out, const char *name, size_t len, size_t max)
{
	char *norm;
	size_t i = 0, o = 0, start, clen;

	*out = NULL;
	if (len > max) {
		error_set("path of %zu bytes is longer than the limit of %zu", len, max);
		return ASEC_EINVALID;
	}
	if (memchr(name, '\0', len)) {
		error_set("path contains a NUL byte");
		return ASEC_EINVALID;
	}
	norm = malloc(len + 1);
	if (!norm) {
		error_set("out of memory normalising a path");
		return ASEC_ENOMEM;
	}
	/* Components are copied one by one; ".." removes the last one copied,
	 * so the output never holds a ".." and never grows past the input. */
	while (i < len) {
		while (i < len && name[i] == '/')
			i++;
		start = i;
		while (i < len && name[i] != '/')
			i++;
		clen = i - start;
		if (clen == 0 || (clen == 1 && name[start] == '.'))
			continue;
		if (clen == 2 && name[start] == '.' && name[start + 1] == '.') {
			if (o == 0) {
				free(norm);
				error_set("path escapes the layer root");
				return ASEC_EINVALID;
			}
			while (o > 0 && norm[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			continue;
		}
		if (o > 0)
			norm[o++] = '/';
		memcpy(norm + o, name + start, clen);
		o += clen;
	}
	norm[o] = '\0';
	*out = norm;
	return ASEC_OK;
}

/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF. */
static int layer_is_utf8(const unsigned char *s, size_t len)
{
	size_t i = 0, n, k;
	uint32_t cp;

	while (i < len) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (len - i - 1 < n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

/* Notes and messages end up in JSON: a name from the archive is quoted with
 * anything but printable ASCII escaped, and cut short. */
static const char *layer_quote(char *dst, size_t size, const char *s, size_t len)
{
	size_t o = 0, i;

	for (i = 0; i < len && o + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];
		if (i >= LAYER_QUOTE_BYTES) {
			memcpy(dst + o, "...", 3);
			o += 3;
			break;
		}
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			dst[o++] = (char)c;
		} else {
			snprintf(dst + o, size - o, "\\x%02x", c);
			o += 4;
		}
	}
	dst[o] = '\0';
	return dst;
}

/* ---- the walk ------------------------------------------------------------ */

enum { WANT_NONE, WANT_BUFFERED, WANT_STREAM };

struct layer_walk {
	struct layer_result *res;
	const struct detector *const *detectors;
	size_t detector_count;
	struct layer_limits lim;
	struct layer_source src;
	struct archive *ar;
	locale_t utf8;

	unsigned char *want;
	void **states;
	unsigned char *buf;
	size_t buf_cap;
	size_t whiteout_cap, opaque_cap;
	/* The stream ended cleanly right after the last file's data, without
	 * the tar padding and end-of-archive blocks (some builders write layers
	 * so): every byte of every file was read, so the walk ends there. */
	int tail_missing;
};

static int walk_push(char ***list, size_t *count, size_t *cap, const char *s, size_t len)
{
	char *copy;

	if (*count == *cap) {
		size_t n = *cap ? *cap * 2 : 16;
		char **grown = realloc(*list, n * sizeof(*grown));
		if (!grown)
			goto oom;
		*list = grown;
		*cap = n;
	}
	copy = strndup(s, len);
	if (!copy)
		goto oom;
	(*list)[(*count)++] = copy;
	return ASEC_OK;
oom:
	error_set("out of memory recording a whiteout");
	return ASEC_ENOMEM;
}

/* OCI whiteouts: ".wh.<name>" deletes <dir>/<name> from the layers below,
 * ".wh..wh..opq" hides all of <dir>, other ".wh..wh.*" are aufs bookkeeping.
 * Returns 1 when the entry was a whiteout of any kind (and is consumed). */
static int walk_whiteout(struct layer_walk *w, const char *path, size_t len, int *rc)
{
	const char *base = memrchr(path, '/', len);
	size_t dir_len = base ? (size_t)(base - path) : 0;
	size_t base_len;
	char quoted[LAYER_QUOTE_BYTES * 4 + 8];
	char *full;

	base = base ? base + 1 : path;
	base_len = len - (size_t)(base - path);
	*rc = ASEC_OK;
	if (base_len < 4 || memcmp(base, ".wh.", 4) != 0)
		return 0;
	if (base_len == 12 && memcmp(base, ".wh..wh..opq", 12) == 0) {
		*rc = walk_push(&w->res->opaque_dirs, &w->res->opaque_count, &w->opaque_cap, path, dir_len);
		return 1;
	}
	if (base_len >= 8 && memcmp(base, ".wh..wh.", 8) == 0)
		return 1;
	base += 4;
	base_len -= 4;
	if (base_len == 0 || (base_len == 1 && base[0] == '.') || (base_len == 2 && base[0] == '.' && base[1] == '.')) {
		scan_note(&w->res->notes, "whiteout with an invalid name ignored: %s",
			  layer_quote(quoted, sizeof(quoted), path, len));
		return 1;
	}
	if (dir_len == 0) {
		*rc = walk_push(&w->res->whiteouts, &w->res->whiteout_count, &w->whiteout_cap, base, base_len);
		return 1;
	}
	full = malloc(dir_len + 1 + base_len + 1);
	if (!full) {
		error_set("out of memory recording a whiteout");
		*rc = ASEC_ENOMEM;
		return 1;
	}
	memcpy(full, path, dir_len);
	full[dir_len] = '/';
	memcpy(full + dir_len + 1, base, base_len);
	*rc = walk_push(&w->res->whiteouts, &w->res->whiteout_count, &w->whiteout_cap, full, dir_len + 1 + base_len);
	free(full);
	return 1;
}

/* A detector's failure on one file is that detector's note, not the
 * layer's: other files and other detectors go on. Running out of memory is
 * the exception, since nothing after it can be trusted to work. Every
 * detector call is preceded by error_clear(), so the note never carries an
 * older message. */
static int walk_detector_status(struct layer_walk *w, size_t i, const char *what, const char *path, int rc)
{
	if (rc == ASEC_OK)
		return ASEC_OK;
	if (rc == ASEC_ENOMEM) {
		if (!error_last()[0])
			error_set("out of memory in detector %s on %s", w->detectors[i]->name, path);
		return ASEC_ENOMEM;
	}
	scan_note(&w->res->results[i].out, "%s: %s failed on %s: %s", w->detectors[i]->name, what, path,
		  error_last()[0] ? error_last() : error_code_name(rc));
	return ASEC_OK;
}

static void walk_end_streams(struct layer_walk *w, const char *path)
{
	size_t i;
	int rc;

	for (i = 0; i < w->detector_count; i++) {
		if (w->want[i] != WANT_STREAM)
			continue;
		error_clear();
		rc = w->detectors[i]->stream_end(w->states[i], &w->res->results[i].out);
		w->states[i] = NULL;
		w->want[i] = WANT_NONE;
		if (rc && rc != ASEC_ENOMEM)
			walk_detector_status(w, i, "stream_end", path, rc);
	}
}

/* Files buffered for detectors, across every walker of the process. Layers
 * are scanned in parallel (and images too), so without a shared budget a few
 * large package databases or jars at once could take the service past its
 * memory bound. A walker waits for room rather than fail; one that holds
 * budget is always reading its file, so waiting cannot deadlock. */
#define LAYER_BUFFER_BUDGET ((size_t)160 << 20)
#define LAYER_BUFFER_KEEP ((size_t)4 << 20) /* a walker keeps at most this much between files */

static pthread_mutex_t budget_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t budget_freed = PTHREAD_COND_INITIALIZER;
static size_t budget_used;

static void budget_acquire(size_t bytes)
{
	pthread_mutex_lock(&budget_lock);
	while (budget_used > 0 && budget_used + bytes > LAYER_BUFFER_BUDGET)
		pthread_cond_wait(&budget_freed, &budget_lock);
	budget_used += bytes;
	pthread_mutex_unlock(&budget_lock);
}

static void budget_release(size_t bytes)
{
	pthread_mutex_lock(&budget_lock);
	budget_used -= bytes;
	pthread_cond_broadcast(&budget_freed);
	pthread_mutex_unlock(&budget_lock);
}

static int walk_grow_buffer(struct layer_walk *w, size_t needed, size_t cap_max)
{
	size_t n = w->buf_cap ? w->buf_cap : 64 * 1024;
	unsigned char *grown;

	while (n < needed)
		n *= 2;
	if (n > cap_max)
		n = cap_max;
	/* One byte more than any file, for the NUL that detector.h promises. */
	grown = realloc(w->buf, n + 1);
	if (!grown) {
		error_set("out of memory buffering a file of %zu bytes", cap_max);
		return ASEC_ENOMEM;
	}
	w->buf = grown;
	w->buf_cap = n;
	return ASEC_OK;
}

static void walk_fail_entry(struct layer_walk *w, const char *path, size_t len)
{
	char quoted[LAYER_QUOTE_BYTES * 4 + 8];
	int64_t pos = archive_read_header_position(w->ar);

	if (w->src.error)
		error_set("%s (at entry %zu, %s)", w->src.message, w->res->entries,
			  layer_quote(quoted, sizeof(quoted), path, len));
	else
		error_set("tar: %s (entry %zu, %s, header at uncompressed offset %lld)",
			  archive_error_string(w->ar) ? archive_error_string(w->ar) : "read error", w->res->entries,
			  layer_quote(quoted, sizeof(quoted), path, len), (long long)pos);
}

/* Hands one regular file to the detectors that match it. A detector with
 * stream_begin is driven as a streaming one even if it also has scan. */

/* Remembers that a detector was given a file (layer_detector_result.files). */
static int record_file(struct layer_detector_result *r, const char *path)
{
	char **grown;

	/* Capacity is the next power of two: grow when the count reaches one. */
	if ((r->file_count & (r->file_count - 1)) == 0) {
		size_t cap = r->file_count ? r->file_count * 2 : 1;
		grown = realloc(r->files, cap * sizeof(*grown));
		if (!grown) {
			error_set("out of memory recording scanned files");
			return ASEC_ENOMEM;
		}
		r->files = grown;
	}
	r->files[r->file_count] = strdup(path);
	if (!r->files[r->file_count]) {
		error_set("out of memory recording scanned files");
		return ASEC_ENOMEM;
	}
	r->file_count++;
	return ASEC_OK;
}

static int walk_file(struct layer_walk *w, struct archive_entry *entry, const char *path, size_t len)
{
	int64_t size = archive_entry_size(entry);
	unsigned mode = (unsigned)archive_entry_perm(entry);
	size_t i, buffered = 0, streaming = 0, buf_len = 0, buf_max = 0, limit, budgeted = 0;
	uint64_t expect = 0;
	const void *block;
	size_t block_len;
	la_int64_t offset;
	int rc = ASEC_OK, r, sparse_noted = 0;
	static const unsigned char empty[1];

	if (size < 0)
		size = 0;
	for (i = 0; i < w->detector_count; i++) {
		const struct detector *d = w->detectors[i];

		w->want[i] = WANT_NONE;
		if (!d->match || !d->match(path, len, mode))
			continue;
		if (archive_entry_sparse_count(entry) > 0) {
			/* Holes would have to be replayed as zeros up to a
			 * logical size the header alone sets; package data is
			 * never written sparse, so we decline instead. */
			if (!sparse_noted)
				scan_note(&w->res->notes, "sparse file not scanned: %s", path);
			sparse_noted = 1;
			continue;
		}
		if (d->stream_begin || d->scan) {
			/* Recorded even if the file yields nothing: report.c must know
			 * that this layer rewrote it (see layer_detector_result). */
			rc = record_file(&w->res->results[i], path);
			if (rc)
				goto out;
		}
		if (d->stream_begin) {
			void *state = NULL;

			error_clear();
			rc = d->stream_begin(&state, path, (uint64_t)size);
			if (rc) {
				rc = walk_detector_status(w, i, "stream_begin", path, rc);
				if (rc)
					goto out;
				continue;
			}
			w->states[i] = state;
			w->want[i] = WANT_STREAM;
			streaming++;
		} else if (d->scan) {
			limit = d->max_file_bytes ? d->max_file_bytes : LAYER_DEFAULT_MAX_FILE;
			if ((uint64_t)size > limit) {
				scan_note(&w->res->results[i].out, "%s: %s is %lld bytes, over the %zu-byte limit; not scanned",
					  d->name, path, (long long)size, limit);
				continue;
			}
			w->want[i] = WANT_BUFFERED;
			buffered++;
		}
	}
	if (buffered == 0 && streaming == 0)
		return ASEC_OK;
	buf_max = (size_t)size;
	if (buffered && buf_max > LAYER_BUFFER_BUDGET) {
		for (i = 0; i < w->detector_count; i++)
			if (w->want[i] == WANT_BUFFERED) {
				scan_note(&w->res->results[i].out, "%s: %s is %lld bytes, more than the indexer buffers at once; not scanned",
					  w->detectors[i]->name, path, (long long)size);
				w->want[i] = WANT_NONE;
			}
		buffered = 0;
		if (!streaming)
			return ASEC_OK;
	}
	if (buffered) {
		budget_acquire(buf_max);
		budgeted = buf_max;
	}

	for (;;) {
		r = archive_read_data_block(w->ar, &block, &block_len, &offset);
		if (r == ARCHIVE_EOF)
			break;
		if (r == ARCHIVE_WARN)
			scan_note(&w->res->notes, "tar warning in %s: %s", path, archive_error_string(w->ar));
		else if (r != ARCHIVE_OK) {
			if (expect == (uint64_t)size && !w->src.error && w->src.done) {
				scan_note(&w->res->notes, "layer ends without tar padding after %s; treated as the end of the archive",
					  path);
				w->tail_missing = 1;
				break;
			}
			walk_fail_entry(w, path, len);
			rc = w->src.error ? w->src.error : ASEC_EINVALID;
			goto out;
		}
		if (block_len == 0)
			continue;
		if (offset < 0 || (uint64_t)offset != expect || block_len > buf_max - (size_t)expect) {
			error_set("tar: entry %zu (%s) has data outside its declared %lld bytes", w->res->entries, path,
				  (long long)size);
			rc = ASEC_EINVALID;
			goto out;
		}
		expect += block_len;
		if (buffered) {
			if (buf_len + block_len > w->buf_cap) {
				rc = walk_grow_buffer(w, buf_len + block_len, buf_max);
				if (rc)
					goto out;
			}
			memcpy(w->buf + buf_len, block, block_len);
			buf_len += block_len;
		}
		for (i = 0; streaming && i < w->detector_count; i++) {
			if (w->want[i] != WANT_STREAM)
				continue;
			error_clear();
			rc = w->detectors[i]->stream_chunk(w->states[i], block, block_len);
			if (rc == ASEC_OK)
				continue;
			rc = walk_detector_status(w, i, "stream_chunk", path, rc);
			if (rc)
				goto out;
			/* The detector gave up on this file: end it now, with
			 * what it found so far, and stop feeding it. */
			error_clear();
			rc = w->detectors[i]->stream_end(w->states[i], &w->res->results[i].out);
			w->states[i] = NULL;
			w->want[i] = WANT_NONE;
			streaming--;
			rc = walk_detector_status(w, i, "stream_end", path, rc);
			if (rc || (!streaming && !buffered))
				goto out; /* nobody left to read for: libarchive skips the rest */
		}
	}
	if (expect != (uint64_t)size) {
		error_set("tar: entry %zu (%s) ended after %llu of its %lld bytes", w->res->entries, path,
			  (unsigned long long)expect, (long long)size);
		rc = ASEC_EINVALID;
		goto out;
	}

	for (i = 0; i < w->detector_count; i++) {
		error_clear();
		if (w->want[i] == WANT_STREAM) {
			rc = w->detectors[i]->stream_end(w->states[i], &w->res->results[i].out);
			w->states[i] = NULL;
			w->want[i] = WANT_NONE;
			rc = walk_detector_status(w, i, "stream_end", path, rc);
		} else if (w->want[i] == WANT_BUFFERED) {
			w->want[i] = WANT_NONE;
			if (buf_len)
				w->buf[buf_len] = '\0';
			rc = w->detectors[i]->scan(&w->res->results[i].out, path, buf_len ? w->buf : empty, buf_len);
			rc = walk_detector_status(w, i, "scan", path, rc);
		}
		if (rc)
			goto out;
	}
out:
	/* Streaming detectors free their state in stream_end, also on failure;
	 * the failure's message must outlive their calls. */
	if (rc && streaming) {
		char saved[512];

		snprintf(saved, sizeof(saved), "%s", error_last());
		walk_end_streams(w, path);
		error_set("%s", saved);
	}
	for (i = 0; i < w->detector_count; i++)
		w->want[i] = WANT_NONE;
	if (budgeted) {
		if (w->buf_cap > LAYER_BUFFER_KEEP) {
			free(w->buf);
			w->buf = NULL;
			w->buf_cap = 0;
		}
		budget_release(budgeted);
	}
	return rc;
}

/* Links are never followed, but one that points out of the image is a sign
 * of a hostile layer, so it is noted. An absolute symlink is ordinary (the
 * container resolves it against its own root); a relative one escapes when
 * resolving it from its directory climbs above the root. A hard link names
 * an earlier entry of the same archive, so an absolute or escaping target
 * can only be an attack. */
static void note_unsafe_link(struct layer_walk *w, const char *path, size_t len, const char *target, int hard)
{
	char quoted[LAYER_QUOTE_BYTES * 4 + 8], quoted_target[LAYER_QUOTE_BYTES * 4 + 8];
	char *joined = NULL, *normal = NULL;
	const char *slash;
	int escapes = 0;

	if (!target)
		return;
	if (hard) {
		escapes = target[0] == '/' ||
			  layer_normalize_path(&normal, target, strlen(target), w->lim.max_path_bytes) == ASEC_EINVALID;
	} else if (target[0] != '/') {
		slash = memrchr(path, '/', len);
		if (asprintf(&joined, "%.*s/%s", slash ? (int)(slash - path) : 0, path, target) < 0)
			return;
		escapes = layer_normalize_path(&normal, joined, strlen(joined), w->lim.max_path_bytes) == ASEC_EINVALID;
	}
	if (escapes)
		scan_note(&w->res->notes, "%s link %s -> %s points outside the image; not followed", hard ? "hard" : "symbolic",
			  layer_quote(quoted, sizeof(quoted), path, len),
			  layer_quote(quoted_target, sizeof(quoted_target), target, strlen(target)));
	free(joined);
	free(normal);
}

static int walk_entry(struct layer_walk *w, struct archive_entry *entry, const char *name, int hardlink)
{
	size_t name_len = name ? strlen(name) : 0;
	char quoted[LAYER_QUOTE_BYTES * 4 + 8];
	char *path = NULL;
	size_t len;
	int rc = ASEC_OK;
	mode_t type;

	if (!name) {
		scan_note(&w->res->notes, "entry %zu has no name; skipped", w->res->entries);
		return ASEC_OK;
	}
	rc = layer_normalize_path(&path, name, name_len, w->lim.max_path_bytes);
	if (rc == ASEC_ENOMEM)
		return rc;
	if (rc) {
		scan_note(&w->res->notes, "unsafe path skipped (%s): %s", error_last(),
			  layer_quote(quoted, sizeof(quoted), name, name_len));
		return ASEC_OK;
	}
	len = strlen(path);
	if (len == 0)
		goto out; /* the root directory itself */
	if (!layer_is_utf8((const unsigned char *)path, len)) {
		scan_note(&w->res->notes, "path is not valid UTF-8; skipped: %s",
			  layer_quote(quoted, sizeof(quoted), path, len));
		goto out;
	}
	if (walk_whiteout(w, path, len, &rc))
		goto out;
	/* Links are never followed: a hard link names another entry's data,
	 * a symlink names any path at all; neither is read. Devices, FIFOs
	 * and sockets carry no data. */
	if (hardlink) {
		note_unsafe_link(w, path, len, archive_entry_hardlink(entry), 1);
		goto out;
	}
	type = archive_entry_filetype(entry);
	if (type == AE_IFLNK)
		note_unsafe_link(w, path, len, archive_entry_symlink(entry), 0);
	if (type != AE_IFREG)
		goto out;
	rc = walk_file(w, entry, path, len);
out:
	free(path);
	return rc;
}

/* libarchive resolves the charset of pax names against the thread's locale
 * when it reads a header (and may again when a name is asked for); C.UTF-8
 * makes that conversion the identity. */
static int walk_next_header(struct layer_walk *w, struct archive_entry **entry, const char **name, int *hardlink)
{
	locale_t old = (locale_t)0;
	int r;

	*name = NULL;
	*hardlink = 0;
	if (w->utf8)
		old = uselocale(w->utf8);
	r = archive_read_next_header(w->ar, entry);
	if (r == ARCHIVE_OK || r == ARCHIVE_WARN) {
		*name = archive_entry_pathname(*entry);
		*hardlink = archive_entry_hardlink(*entry) != NULL;
	}
	if (w->utf8)
		uselocale(old);
	return r;
}

static int walk_open_archive(struct layer_walk *w)
{
	locale_t old = (locale_t)0;
	int r;

	w->ar = archive_read_new();
	if (!w->ar) {
		error_set("out of memory creating the tar reader");
		return ASEC_ENOMEM;
	}
	/* Only tar: compressed input was already inflated by us, and no other
	 * container format is a layer. "empty" accepts a zero-byte layer. */
	if (archive_read_support_format_tar(w->ar) != ARCHIVE_OK ||
	    archive_read_support_format_empty(w->ar) != ARCHIVE_OK) {
		error_set("cannot set up the tar reader: %s", archive_error_string(w->ar));
		return ASEC_ERROR;
	}
	if (w->utf8)
		old = uselocale(w->utf8);
	r = archive_read_open(w->ar, &w->src, NULL, source_archive_read, NULL);
	if (w->utf8)
		uselocale(old);
	if (r != ARCHIVE_OK) {
		if (w->src.error)
			error_set("%s", w->src.message);
		else if (w->src.magic_len >= 3 && memcmp(w->src.magic, "BZh", 3) == 0)
			error_set("layer is bzip2-compressed, which OCI images do not use; not supported");
		else if (w->src.magic_len >= 6 && memcmp(w->src.magic, "\xfd" "7zXZ\0", 6) == 0)
			error_set("layer is xz-compressed, which OCI images do not use; not supported");
		else
			error_set("not a tar layer: %s", archive_error_string(w->ar));
		return w->src.error ? w->src.error : ASEC_EINVALID;
	}
	return ASEC_OK;
}

int layer_scan(struct layer_result *out, const struct layer_reader *reader, const struct detector *const *detectors,
	       size_t detector_count, const struct layer_limits *limits)
{
	struct layer_walk w;
	struct archive_entry *entry;
	const char *name;
	const void *block;
	size_t i, block_len;
	int rc = ASEC_OK, r, hardlink;
	char quoted[LAYER_QUOTE_BYTES * 4 + 8];

	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	w.res = out;
	w.detectors = detectors;
	w.detector_count = detector_count;
	if (limits)
		w.lim = *limits;
	if (!w.lim.max_uncompressed_bytes)
		w.lim.max_uncompressed_bytes = LAYER_DEFAULT_MAX_UNCOMPRESSED;
	if (!w.lim.max_ratio)
		w.lim.max_ratio = LAYER_DEFAULT_MAX_RATIO;
	if (!w.lim.max_entries)
		w.lim.max_entries = LAYER_DEFAULT_MAX_ENTRIES;
	if (!w.lim.max_path_bytes)
		w.lim.max_path_bytes = LAYER_DEFAULT_MAX_PATH;
	w.src.reader = reader;
	w.src.max_uncompressed = w.lim.max_uncompressed_bytes;
	w.src.max_ratio = w.lim.max_ratio;
	w.src.notes = &out->notes;
	/* Without C.UTF-8 (a libc older than glibc 2.35 without the locale
	 * installed) pax names still come through, with a warning note each. */
	w.utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);

	if (detector_count > 0) {
		out->results = calloc(detector_count, sizeof(*out->results));
		w.want = calloc(detector_count, sizeof(*w.want));
		w.states = calloc(detector_count, sizeof(*w.states));
		if (!out->results || !w.want || !w.states) {
			error_set("out of memory starting a layer scan");
			rc = ASEC_ENOMEM;
			goto out;
		}
		out->result_count = detector_count;
		for (i = 0; i < detector_count; i++)
			out->results[i].detector = detectors[i];
	}

	rc = source_open(&w.src);
	if (rc) {
		error_set("%s", w.src.message);
		goto out;
	}
	out->compression = w.src.compression;
	rc = walk_open_archive(&w);
	if (rc)
		goto out;

	for (;;) {
		if (w.tail_missing)
			break;
		r = walk_next_header(&w, &entry, &name, &hardlink);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			/* Includes ARCHIVE_RETRY, which is how libarchive
			 * reports a header checksum mismatch. */
			if (w.src.error)
				error_set("%s (after entry %zu)", w.src.message, out->entries);
			else
				error_set("tar: %s (after entry %zu, header at uncompressed offset %lld)",
					  archive_error_string(w.ar) ? archive_error_string(w.ar) : "read error",
					  out->entries, (long long)archive_read_header_position(w.ar));
			rc = w.src.error ? w.src.error : ASEC_EINVALID;
			goto out;
		}
		out->entries++;
		if (out->entries > w.lim.max_entries) {
			error_set("layer has more than %zu entries", w.lim.max_entries);
			rc = ASEC_ETOOBIG;
			goto out;
		}
		if (r == ARCHIVE_WARN)
			scan_note(&out->notes, "tar warning at entry %zu (%s): %s", out->entries,
				  layer_quote(quoted, sizeof(quoted), name ? name : "", name ? strlen(name) : 0),
				  archive_error_string(w.ar));
		rc = walk_entry(&w, entry, name, hardlink);
		if (rc)
			goto out;
	}

	/* The tar end marker is not the end of the blob: read the rest so that
	 * the gzip trailers are checked and a truncated stream is caught. The
	 * limits still apply to what this inflates. */
	do {
		rc = source_produce(&w.src, &block, &block_len);
		if (rc) {
			error_set("%s (after the end of the tar archive)", w.src.message);
			goto out;
		}
	} while (block_len > 0);

out:
	out->compressed_bytes = w.src.compressed_read;
	out->uncompressed_bytes = w.src.uncompressed;
	if (w.ar)
		archive_read_free(w.ar);
	source_close(&w.src);
	if (w.utf8)
		freelocale(w.utf8);
	free(w.buf);
	free(w.want);
	free(w.states);
	if (rc)
		layer_result_free(out);
	return rc;
}

void layer_result_free(struct layer_result *result)
{
	size_t i, f;

	if (!result)
		return;
	for (i = 0; i < result->result_count; i++) {
		scan_out_free(&result->results[i].out);
		for (f = 0; f < result->results[i].file_count; f++)
			free(result->results[i].files[f]);
		free(result->results[i].files);
	}
	free(result->results);
	for (i = 0; i < result->whiteout_count; i++)
		free(result->whiteouts[i]);
	free(result->whiteouts);
	for (i = 0; i < result->opaque_count; i++)
		free(result->opaque_dirs[i]);
	free(result->opaque_dirs);
	scan_out_free(&result->notes);
	memset(result, 0, sizeof(*result));
}
