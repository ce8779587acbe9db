/*
 * layer_test.c - the layer walker against layers built here, byte by byte.
 *
 * A small tar writer (ustar headers, pax and GNU long names, links, devices)
 * builds each layer in memory; zlib and libzstd compress it; readers hand it
 * over whole, in 1-byte pieces, or through a pipe from another thread. Two
 * fake detectors - one buffered, one streaming - record exactly which paths
 * and bytes reach them, so every test compares what the walker delivered
 * against what went into the archive. Two layers made by real tools (GNU tar,
 * Python's tarfile + zstd) in testdata/layer/ keep the writer honest.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>
#include <zstd.h>

#include "error/error.h"
#include "layer.h"

/* ---- growing byte buffer ------------------------------------------------- */

struct bytes {
	unsigned char *data;
	size_t len, cap;
};

static void bytes_add(struct bytes *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		b->data = realloc(b->data, cap);
		assert_non_null(b->data);
		b->cap = cap;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void bytes_zero(struct bytes *b, size_t n)
{
	static const unsigned char zero[512];

	while (n > 0) {
		size_t k = n < sizeof(zero) ? n : sizeof(zero);
		bytes_add(b, zero, k);
		n -= k;
	}
}

static void bytes_free(struct bytes *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* ---- tar writer ---------------------------------------------------------- */

enum longname { LONG_PAX, LONG_GNU };

static void tar_header(struct bytes *t, const char *name, size_t name_len, uint64_t size, char type,
		       const char *link, unsigned mode, int gnu_magic)
{
	unsigned char h[512];
	unsigned sum = 0;
	size_t i;

	memset(h, 0, sizeof(h));
	memcpy(h, name, name_len > 100 ? 100 : name_len);
	snprintf((char *)h + 100, 8, "%07o", mode);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
	snprintf((char *)h + 136, 12, "%011o", 1700000000);
	h[156] = (unsigned char)type;
	if (link)
		memcpy(h + 157, link, strlen(link) > 100 ? 100 : strlen(link));
	if (gnu_magic)
		memcpy(h + 257, "ustar  ", 8);
	else
		memcpy(h + 257, "ustar\0" "00", 8);
	memset(h + 148, ' ', 8);
	for (i = 0; i < sizeof(h); i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
	bytes_add(t, h, sizeof(h));
}

static void tar_body(struct bytes *t, const void *data, size_t len)
{
	bytes_add(t, data, len);
	bytes_zero(t, (512 - len % 512) % 512);
}

/* One entry; names over 100 bytes go into a pax record or a GNU ././@LongLink. */
static void tar_entry_n(struct bytes *t, enum longname how, const char *name, size_t name_len, char type,
			const void *data, size_t len, const char *link, unsigned mode)
{
	if (name_len > 100 && how == LONG_PAX) {
		char head[32];
		size_t body = strlen(" path=") + name_len + 1, total = body, digits;
		struct bytes rec = { 0 };

		/* The length field counts its own digits. */
		for (;;) {
			digits = (size_t)snprintf(head, sizeof(head), "%zu", total);
			if (body + digits == total)
				break;
			total = body + digits;
		}
		snprintf(head, sizeof(head), "%zu path=", total);
		bytes_add(&rec, head, strlen(head));
		bytes_add(&rec, name, name_len);
		bytes_add(&rec, "\n", 1);
		tar_header(t, "PaxHeaders/entry", 16, rec.len, 'x', NULL, 0644, 0);
		tar_body(t, rec.data, rec.len);
		bytes_free(&rec);
	} else if (name_len > 100) {
		struct bytes n = { 0 };

		bytes_add(&n, name, name_len);
		bytes_add(&n, "", 1);
		tar_header(t, "././@LongLink", 13, n.len, 'L', NULL, 0644, 1);
		tar_body(t, n.data, n.len);
		bytes_free(&n);
	}
	tar_header(t, name, name_len, len, type, link, mode, how == LONG_GNU);
	if (len)
		tar_body(t, data, len);
}

static void tar_file(struct bytes *t, const char *name, const char *text)
{
	tar_entry_n(t, LONG_PAX, name, strlen(name), '0', text, strlen(text), NULL, 0644);
}

static void tar_end(struct bytes *t)
{
	bytes_zero(t, 1024);
	bytes_zero(t, (10240 - t->len % 10240) % 10240);
}

/* ---- compression --------------------------------------------------------- */

static void gzip_bytes(struct bytes *out, const unsigned char *data, size_t len, int level)
{
	z_stream z;
	unsigned char buf[65536];
	int r;

	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)len;
	do {
		z.next_out = buf;
		z.avail_out = sizeof(buf);
		r = deflate(&z, Z_FINISH);
		assert_true(r == Z_OK || r == Z_STREAM_END || r == Z_BUF_ERROR);
		bytes_add(out, buf, sizeof(buf) - z.avail_out);
	} while (r != Z_STREAM_END);
	deflateEnd(&z);
}

static void zstd_bytes(struct bytes *out, const unsigned char *data, size_t len)
{
	size_t cap = ZSTD_compressBound(len), n;
	unsigned char *buf = malloc(cap);

	assert_non_null(buf);
	n = ZSTD_compress(buf, cap, data, len, 3);
	assert_false(ZSTD_isError(n));
	bytes_add(out, buf, n);
	free(buf);
}

enum comp { C_PLAIN, C_GZIP, C_ZSTD };

static void compress_as(struct bytes *out, enum comp c, const struct bytes *tar)
{
	if (c == C_GZIP)
		gzip_bytes(out, tar->data, tar->len, 6);
	else if (c == C_ZSTD)
		zstd_bytes(out, tar->data, tar->len);
	else
		bytes_add(out, tar->data, tar->len);
}

/* ---- readers ------------------------------------------------------------- */

struct mem_reader {
	const unsigned char *data;
	size_t len, pos, chunk;
};

static ssize_t mem_read(void *ctx, void *buf, size_t len)
{
	struct mem_reader *m = ctx;
	size_t n = m->len - m->pos;

	if (n > len)
		n = len;
	if (m->chunk && n > m->chunk)
		n = m->chunk;
	if (n)
		memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static ssize_t failing_read(void *ctx, void *buf, size_t len)
{
	struct mem_reader *m = ctx;

	if (m->pos >= m->len) {
		error_set("connection reset by the registry");
		return -1;
	}
	return mem_read(ctx, buf, len);
}

struct pipe_writer {
	int fd;
	const unsigned char *data;
	size_t len;
};

static void *pipe_write_all(void *arg)
{
	struct pipe_writer *pw = arg;
	size_t off = 0;

	while (off < pw->len) {
		ssize_t n = write(pw->fd, pw->data + off, pw->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(pw->fd);
	return NULL;
}

/* Reads one byte per call, as a slow download would deliver them. */
static ssize_t pipe_read_byte(void *ctx, void *buf, size_t len)
{
	int fd = *(int *)ctx;
	ssize_t n;

	(void)len;
	do
		n = read(fd, buf, 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		error_set("pipe read: %s", strerror(errno));
	return n;
}

/* ---- fake detectors ------------------------------------------------------ */

struct seen {
	char kind; /* 'b' buffered, 's' streaming */
	char *path;
	unsigned char *data;
	size_t len;
	uint64_t declared;
	size_t chunks;
};

static struct seen g_seen[256];
static size_t g_seen_count;
static size_t g_buffered_calls;

static void seen_reset(void)
{
	size_t i;

	for (i = 0; i < g_seen_count; i++) {
		free(g_seen[i].path);
		free(g_seen[i].data);
	}
	memset(g_seen, 0, sizeof(g_seen));
	g_seen_count = 0;
	g_buffered_calls = 0;
}

static void seen_add(char kind, const char *path, const unsigned char *data, size_t len, uint64_t declared,
		     size_t chunks)
{
	struct seen *s;

	if (g_seen_count == sizeof(g_seen) / sizeof(g_seen[0]))
		return;
	s = &g_seen[g_seen_count++];
	s->kind = kind;
	s->path = strdup(path);
	s->data = malloc(len ? len : 1);
	assert_non_null(s->data);
	if (len)
		memcpy(s->data, data, len);
	s->len = len;
	s->declared = declared;
	s->chunks = chunks;
}

static const struct seen *seen_find(char kind, const char *path)
{
	size_t i;

	for (i = 0; i < g_seen_count; i++)
		if (g_seen[i].kind == kind && strcmp(g_seen[i].path, path) == 0)
			return &g_seen[i];
	return NULL;
}

static void assert_seen(char kind, const char *path, const void *data, size_t len)
{
	const struct seen *s = seen_find(kind, path);

	if (!s)
		fail_msg("detector '%c' did not see %s", kind, path);
	assert_int_equal(s->len, len);
	if (len)
		assert_memory_equal(s->data, data, len);
}

static int has_suffix(const char *path, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(path + len - n, suffix, n) == 0;
}

static int buf_match(const char *path, size_t len, unsigned mode)
{
	(void)mode;
	assert_int_equal(strlen(path), len);
	return has_suffix(path, len, ".txt") || has_suffix(path, len, ".both");
}

static int buf_scan(struct scan_out *out, const char *path, const unsigned char *data, size_t len)
{
	char version[32];
	struct pkg p = { 0 };

	assert_non_null(data);
	g_buffered_calls++;
	if (strcmp(path, "etc/fail.txt") == 0) {
		error_set("fake parser refused %s", path);
		return ASEC_EINVALID;
	}
	/* 100k empty files would overflow the capture table: count them only. */
	if (strncmp(path, "many/", 5) != 0)
		seen_add('b', path, data, len, len, 1);
	snprintf(version, sizeof(version), "%zu", len);
	p.name = (char *)path;
	p.version = version;
	p.ecosystem = "test";
	return pkg_list_add(&out->pkgs, &p);
}

struct stream_state {
	char *path;
	struct bytes data;
	uint64_t declared, total;
	size_t chunks;
};

/* Keeps at most this much of a streamed file: the bomb is counted, not kept. */
#define STREAM_KEEP (4u << 20)

static int str_match(const char *path, size_t len, unsigned mode)
{
	if (has_suffix(path, len, ".bin") || has_suffix(path, len, ".both"))
		return 1;
	return strncmp(path, "usr/bin/", 8) == 0 && (mode & 0111);
}

static int str_begin(void **state, const char *path, uint64_t size)
{
	struct stream_state *s = calloc(1, sizeof(*s));

	if (!s)
		return ASEC_ENOMEM;
	s->path = strdup(path);
	s->declared = size;
	*state = s;
	return ASEC_OK;
}

static int str_chunk(void *state, const unsigned char *data, size_t len)
{
	struct stream_state *s = state;

	assert_true(len > 0);
	s->chunks++;
	s->total += len;
	if (s->data.len + len <= STREAM_KEEP)
		bytes_add(&s->data, data, len);
	if (has_suffix(s->path, strlen(s->path), "giveup.bin")) {
		error_set("fake stream parser gives up after %zu bytes", len);
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

static int str_end(void *state, struct scan_out *out)
{
	struct stream_state *s = state;
	char version[32];
	struct pkg p = { 0 };
	int rc;

	seen_add('s', s->path, s->data.data, s->data.len, s->declared, s->chunks);
	snprintf(version, sizeof(version), "%llu", (unsigned long long)s->total);
	p.name = s->path;
	p.version = version;
	p.ecosystem = "test";
	rc = pkg_list_add(&out->pkgs, &p);
	bytes_free(&s->data);
	free(s->path);
	free(s);
	return rc;
}

static struct detector fake_buffered = {
	.name = "fake-buffered",
	.version = 1,
	.max_file_bytes = 1 << 20,
	.match = buf_match,
	.scan = buf_scan,
};

static const struct detector fake_streaming = {
	.name = "fake-streaming",
	.version = 1,
	.match = str_match,
	.stream_begin = str_begin,
	.stream_chunk = str_chunk,
	.stream_end = str_end,
};

static const struct detector *const both_detectors[] = { &fake_buffered, &fake_streaming };

/* ---- helpers ------------------------------------------------------------- */

static int scan_bytes(struct layer_result *res, const struct bytes *blob, size_t chunk,
		      const struct layer_limits *limits)
{
	struct mem_reader m = { blob->data, blob->len, 0, chunk };
	struct layer_reader r = { mem_read, &m };

	return layer_scan(res, &r, both_detectors, 2, limits);
}

static int notes_contain(const struct scan_out *out, const char *needle)
{
	size_t i;

	for (i = 0; i < out->note_count; i++)
		if (strstr(out->notes[i], needle))
			return 1;
	return 0;
}

static int list_contains(char **list, size_t count, const char *s)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

static int setup(void **state)
{
	(void)state;
	seen_reset();
	fake_buffered.max_file_bytes = 1 << 20;
	error_clear();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	seen_reset();
	return 0;
}

/* ---- tests: paths -------------------------------------------------------- */

static void expect_norm(const char *in, size_t len, const char *want)
{
	char *out = NULL;
	int rc = layer_normalize_path(&out, in, len, 4096);

	if (!want) {
		if (rc != ASEC_EINVALID)
			fail_msg("'%s' should be refused, got %d (%s)", in, rc, out ? out : "");
		assert_null(out);
		return;
	}
	if (rc != ASEC_OK)
		fail_msg("'%s' refused: %s", in, error_last());
	assert_string_equal(out, want);
	free(out);
}

static void test_normalize_path(void **state)
{
	char *out = NULL;

	(void)state;
	expect_norm("./etc/passwd", 12, "etc/passwd");
	expect_norm("/etc/passwd", 11, "etc/passwd");
	expect_norm("//usr///lib/./x/", 16, "usr/lib/x");
	expect_norm("././a", 5, "a");
	expect_norm("a/b/../c", 8, "a/c");
	expect_norm("a/b/..", 6, "a");
	expect_norm(".", 1, "");
	expect_norm("./", 2, "");
	expect_norm("...", 3, "...");
	expect_norm("..a/.b", 6, "..a/.b");
	expect_norm("../etc/passwd", 13, NULL);
	expect_norm("../../etc/passwd", 16, NULL);
	expect_norm("/../etc/passwd", 14, NULL);
	expect_norm("a/../../etc/passwd", 18, NULL);
	expect_norm("..", 2, NULL);
	expect_norm("a\0b", 3, NULL);
	/* Over the limit, by one byte. */
	assert_int_equal(layer_normalize_path(&out, "abcdef", 6, 5), ASEC_EINVALID);
	assert_null(out);
	assert_int_equal(layer_normalize_path(&out, "abcdef", 6, 6), ASEC_OK);
	assert_string_equal(out, "abcdef");
	free(out);
}

/* ---- tests: the walk ----------------------------------------------------- */

static const char status_text[] = "Package: curl\nVersion: 7.88.1-10\n\n";
static unsigned char binary_data[70000];

static void build_mixed_layer(struct bytes *t)
{
	size_t i;

	for (i = 0; i < sizeof(binary_data); i++)
		binary_data[i] = (unsigned char)(i * 7 + (i >> 8));
	tar_entry_n(t, LONG_PAX, "var/", 4, '5', NULL, 0, NULL, 0755);
	tar_entry_n(t, LONG_PAX, "var/lib/dpkg/", 13, '5', NULL, 0, NULL, 0755);
	tar_file(t, "./var/lib/dpkg/status.txt", status_text);
	tar_entry_n(t, LONG_PAX, "usr/lib/app.bin", 15, '0', binary_data, sizeof(binary_data), NULL, 0644);
	tar_file(t, "/etc/shared.both", "read once, seen by both\n");
	tar_file(t, "etc/unmatched.conf", "nobody wants me\n");
	tar_entry_n(t, LONG_PAX, "usr/bin/exe", 11, '0', "\x7f" "ELF", 4, NULL, 0755);
	tar_entry_n(t, LONG_PAX, "usr/bin/noexec", 14, '0', "text", 4, NULL, 0644);
	tar_file(t, "etc/empty.txt", "");
	/* Links are never followed, whatever their names match. */
	tar_entry_n(t, LONG_PAX, "etc/passwd-link.txt", 19, '2', NULL, 0, "/etc/passwd", 0777);
	tar_entry_n(t, LONG_PAX, "etc/hard.txt", 12, '1', NULL, 0, "var/lib/dpkg/status.txt", 0644);
	tar_entry_n(t, LONG_PAX, "dev/tty.txt", 11, '3', NULL, 0, NULL, 0600);
	tar_entry_n(t, LONG_PAX, "run/fifo.txt", 12, '6', NULL, 0, NULL, 0600);
	tar_file(t, "etc/fail.txt", "the parser refuses this\n");
	tar_file(t, "etc/after-fail.txt", "still scanned\n");
	tar_end(t);
}

static void check_mixed_result(const struct layer_result *res, const struct bytes *tar)
{
	assert_int_equal(res->entries, 15);
	assert_int_equal(res->uncompressed_bytes, tar->len);
	assert_int_equal(res->result_count, 2);
	assert_ptr_equal(res->results[0].detector, &fake_buffered);
	assert_ptr_equal(res->results[1].detector, &fake_streaming);

	assert_seen('b', "var/lib/dpkg/status.txt", status_text, strlen(status_text));
	assert_seen('b', "etc/shared.both", "read once, seen by both\n", 24);
	assert_seen('b', "etc/empty.txt", "", 0);
	assert_seen('b', "etc/after-fail.txt", "still scanned\n", 14);
	assert_seen('s', "usr/lib/app.bin", binary_data, sizeof(binary_data));
	assert_seen('s', "etc/shared.both", "read once, seen by both\n", 24);
	assert_seen('s', "usr/bin/exe", "\x7f" "ELF", 4);
	assert_int_equal(seen_find('s', "usr/lib/app.bin")->declared, sizeof(binary_data));
	/* Exactly these, nothing else: no link, device, FIFO or unmatched file. */
	assert_int_equal(g_seen_count, 7);
	assert_int_equal(g_buffered_calls, 5); /* the four above and fail.txt */

	/* Results land in each detector's own scan_out, in entry order. */
	assert_int_equal(res->results[0].out.pkgs.count, 4);
	assert_string_equal(res->results[0].out.pkgs.items[0].name, "var/lib/dpkg/status.txt");
	assert_string_equal(res->results[0].out.pkgs.items[0].version, "34");
	assert_int_equal(res->results[1].out.pkgs.count, 3);
	assert_string_equal(res->results[1].out.pkgs.items[0].name, "usr/lib/app.bin");
	assert_string_equal(res->results[1].out.pkgs.items[0].version, "70000");
	/* A detector's failure is its note, and the scan went on. */
	assert_true(notes_contain(&res->results[0].out, "fake parser refused etc/fail.txt"));
	assert_int_equal(res->results[1].out.note_count, 0);
	assert_int_equal(res->whiteout_count, 0);
	assert_int_equal(res->opaque_count, 0);
}

static void test_detectors_see_exact_bytes(void **state)
{
	static const enum comp comps[] = { C_PLAIN, C_GZIP, C_ZSTD };
	static const enum layer_compression want[] = { LAYER_PLAIN, LAYER_GZIP, LAYER_ZSTD };
	struct bytes tar = { 0 };
	size_t c;

	(void)state;
	build_mixed_layer(&tar);
	for (c = 0; c < 3; c++) {
		struct bytes blob = { 0 };
		struct layer_result res;

		seen_reset();
		compress_as(&blob, comps[c], &tar);
		if (scan_bytes(&res, &blob, 0, NULL) != ASEC_OK)
			fail_msg("compression %zu: %s", c, error_last());
		assert_int_equal(res.compression, want[c]);
		assert_int_equal(res.compressed_bytes, blob.len);
		check_mixed_result(&res, &tar);
		layer_result_free(&res);
		bytes_free(&blob);
	}
	bytes_free(&tar);
}

static void test_whiteouts_and_opaque_dirs(void **state)
{
	struct bytes tar = { 0 };
	struct layer_result res;

	(void)state;
	tar_file(&tar, "usr/lib/node_modules/.wh.left-pad", "");
	tar_file(&tar, "./.wh.top-level", "");
	tar_file(&tar, "etc/.wh..wh..opq", "");
	tar_file(&tar, ".wh..wh..opq", "");
	tar_file(&tar, "var/.wh..wh.plnk", "");       /* aufs metadata: ignored */
	tar_file(&tar, "var/.wh..wh.aufs", "");
	tar_file(&tar, "etc/.wh.removed.txt", "");    /* never offered to a detector */
	tar_file(&tar, "etc/.wh.", "");               /* deletes nothing: note */
	tar_file(&tar, "etc/.wh...", "");
	tar_file(&tar, "etc/kept.txt", "kept\n");
	tar_end(&tar);
	assert_int_equal(scan_bytes(&res, &tar, 0, NULL), ASEC_OK);

	assert_int_equal(res.whiteout_count, 3);
	assert_string_equal(res.whiteouts[0], "usr/lib/node_modules/left-pad");
	assert_string_equal(res.whiteouts[1], "top-level");
	assert_string_equal(res.whiteouts[2], "etc/removed.txt");
	assert_int_equal(res.opaque_count, 2);
	assert_string_equal(res.opaque_dirs[0], "etc");
	assert_string_equal(res.opaque_dirs[1], ""); /* the layer root */
	assert_true(notes_contain(&res.notes, "whiteout with an invalid name ignored: etc/.wh."));
	assert_true(notes_contain(&res.notes, "whiteout with an invalid name ignored: etc/.wh..."));
	assert_int_equal(g_seen_count, 1);
	assert_seen('b', "etc/kept.txt", "kept\n", 5);
	layer_result_free(&res);
	bytes_free(&tar);
}

static void test_prefixes_normalised_and_escapes_refused(void **state)
{
	struct bytes tar = { 0 };
	struct layer_result res;

	(void)state;
	tar_file(&tar, "./etc/a.txt", "a");
	tar_file(&tar, "/etc/b.txt", "b");
	tar_file(&tar, "//etc/./c.txt", "c");
	tar_file(&tar, "etc/sub/../d.txt", "d");
	tar_file(&tar, "../../etc/passwd.txt", "root:x:0:0\n");
	tar_file(&tar, "etc/../../shadow.txt", "root:*:\n");
	tar_file(&tar, "./", "");
	tar_end(&tar);
	assert_int_equal(scan_bytes(&res, &tar, 0, NULL), ASEC_OK);

	assert_seen('b', "etc/a.txt", "a", 1);
	assert_seen('b', "etc/b.txt", "b", 1);
	assert_seen('b', "etc/c.txt", "c", 1);
	assert_seen('b', "etc/d.txt", "d", 1);
	assert_int_equal(g_seen_count, 4);
	assert_true(notes_contain(&res.notes, "unsafe path skipped (path escapes the layer root): ../../etc/passwd.txt"));
	assert_true(notes_contain(&res.notes, "etc/../../shadow.txt"));
	layer_result_free(&res);
	bytes_free(&tar);
}

static void test_long_names_pax_and_gnu(void **state)
{
	struct bytes tar = { 0 };
	struct layer_result res;
	char name_pax[400], name_gnu[400], deep[20010];
	size_t i, n = 0;

	(void)state;
	memset(name_pax, 0, sizeof(name_pax));
	memset(name_gnu, 0, sizeof(name_gnu));
	for (i = 0; i < 30; i++)
		strcat(name_pax, "directory/");
	strcat(name_pax, "pax.txt");
	for (i = 0; i < 30; i++)
		strcat(name_gnu, "directorx/");
	strcat(name_gnu, "gnu.txt");
	/* 10,000 directories deep: 20,005 bytes, refused by length, no recursion. */
	for (i = 0; i < 10000; i++) {
		deep[n++] = 'd';
		deep[n++] = '/';
	}
	memcpy(deep + n, "f.txt", 5);
	n += 5;

	tar_entry_n(&tar, LONG_PAX, name_pax, strlen(name_pax), '0', "pax", 3, NULL, 0644);
	tar_entry_n(&tar, LONG_GNU, name_gnu, strlen(name_gnu), '0', "gnu", 3, NULL, 0644);
	tar_entry_n(&tar, LONG_PAX, deep, n, '0', "deep", 4, NULL, 0644);
	tar_entry_n(&tar, LONG_GNU, deep, n, '0', "deep", 4, NULL, 0644);
	tar_file(&tar, "after.txt", "after");
	tar_end(&tar);
	assert_int_equal(scan_bytes(&res, &tar, 0, NULL), ASEC_OK);

	assert_seen('b', name_pax, "pax", 3);
	assert_seen('b', name_gnu, "gnu", 3);
	assert_seen('b', "after.txt", "after", 5);
	assert_int_equal(g_seen_count, 3);
	assert_true(notes_contain(&res.notes, "path of 20005 bytes is longer than the limit of 4096"));
	/* Both deep entries noted; notes quote only the start of the name. */
	assert_int_equal(res.notes.note_count, 2);
	assert_true(strlen(res.notes.notes[0]) < 300);
	layer_result_free(&res);
	bytes_free(&tar);
}

static void test_many_empty_files_fast(void **state)
{
	struct bytes tar = { 0 }, blob = { 0 };
	struct layer_result res;
	struct timespec a, b;
	char name[32];
	size_t i;
	double secs;

	(void)state;
	for (i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "many/%06zu.txt", i);
		tar_header(&tar, name, strlen(name), 0, '0', NULL, 0644, 0);
	}
	tar_end(&tar);
	gzip_bytes(&blob, tar.data, tar.len, 1);
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (scan_bytes(&res, &blob, 0, NULL) != ASEC_OK)
		fail_msg("%s", error_last());
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	print_message("100,000 empty files scanned in %.3f s\n", secs);
	assert_int_equal(res.entries, 100000);
	assert_int_equal(g_buffered_calls, 100000);
	assert_int_equal(res.results[0].out.pkgs.count, 100000);
	assert_string_equal(res.results[0].out.pkgs.items[99999].name, "many/099999.txt");
	/* Generous enough for an ASan build on a loaded machine; a quadratic
	 * walk or a per-file allocation storm would blow it. */
	assert_true(secs < 20.0);
	layer_result_free(&res);
	bytes_free(&tar);
	bytes_free(&blob);
}

/* A layer of one 1 GiB file of zeros, compressed as it is read: the bytes
 * never exist in memory, and the walker must stop long before the end. */
struct bomb_reader {
	enum comp comp;
	z_stream z;
	ZSTD_CCtx *zc;
	unsigned char header[512];
	int header_done, finished;
	uint64_t zeros_left;
	const unsigned char *pending;
	size_t pending_len;
	uint64_t delivered;
};

static const unsigned char bomb_zeros[1 << 20];

static void bomb_next_input(struct bomb_reader *br)
{
	if (!br->header_done) {
		br->pending = br->header;
		br->pending_len = sizeof(br->header);
		br->header_done = 1;
	} else if (br->zeros_left > 0) {
		br->pending = bomb_zeros;
		br->pending_len = br->zeros_left < sizeof(bomb_zeros) ? (size_t)br->zeros_left : sizeof(bomb_zeros);
		br->zeros_left -= br->pending_len;
	} else {
		br->pending = NULL;
		br->pending_len = 0;
		br->finished = 1;
	}
}

static ssize_t bomb_read(void *ctx, void *buf, size_t len)
{
	struct bomb_reader *br = ctx;
	size_t produced = 0;

	while (produced == 0) {
		if (br->pending_len == 0 && !br->finished)
			bomb_next_input(br);
		if (br->comp == C_GZIP) {
			int r;
			br->z.next_in = (unsigned char *)br->pending;
			br->z.avail_in = (uInt)br->pending_len;
			br->z.next_out = buf;
			br->z.avail_out = (uInt)len;
			r = deflate(&br->z, br->finished ? Z_FINISH : Z_NO_FLUSH);
			br->pending_len = br->z.avail_in;
			br->pending = br->z.next_in;
			produced = len - br->z.avail_out;
			if (r == Z_STREAM_END && produced == 0)
				return 0;
		} else {
			ZSTD_inBuffer in = { br->pending, br->pending_len, 0 };
			ZSTD_outBuffer out = { buf, len, 0 };
			size_t r = ZSTD_compressStream2(br->zc, &out, &in, br->finished ? ZSTD_e_end : ZSTD_e_continue);
			assert_false(ZSTD_isError(r));
			br->pending += in.pos;
			br->pending_len -= in.pos;
			produced = out.pos;
			if (br->finished && r == 0 && produced == 0)
				return 0;
		}
	}
	br->delivered += produced;
	return (ssize_t)produced;
}

static void run_bomb(enum comp comp)
{
	struct bomb_reader br;
	struct layer_reader r = { bomb_read, &br };
	struct layer_result res;
	struct bytes hdr = { 0 };
	int rc;

	memset(&br, 0, sizeof(br));
	br.comp = comp;
	br.zeros_left = 1ull << 30;
	tar_header(&hdr, "zeros.bin", 9, br.zeros_left, '0', NULL, 0644, 0);
	memcpy(br.header, hdr.data, 512);
	bytes_free(&hdr);
	if (comp == C_GZIP) {
		assert_int_equal(deflateInit2(&br.z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY), Z_OK);
	} else {
		br.zc = ZSTD_createCCtx();
		assert_non_null(br.zc);
	}
	rc = layer_scan(&res, &r, both_detectors, 2, NULL);
	assert_int_equal(rc, ASEC_ETOOBIG);
	assert_non_null(strstr(error_last(), "ratio"));
	assert_non_null(strstr(error_last(), "limit 1000:1"));
	print_message("bomb (%s): %s; %llu compressed bytes read\n", comp == C_GZIP ? "gzip" : "zstd", error_last(),
		      (unsigned long long)br.delivered);
	/* Stopped just past the 64 MiB floor: a 1 GiB gzip of zeros is ~1 MiB,
	 * and the walker read about a sixteenth of it. */
	assert_true(br.delivered < (comp == C_GZIP ? 200u * 1024 : 64u * 1024));
	assert_null(res.results); /* partial results freed */
	/* The streaming detector that matched was ended and freed (ASan would
	 * report the state otherwise) and never received more than the floor
	 * plus a block. */
	assert_int_equal(g_seen_count, 1);
	assert_true(g_seen[0].declared == 1ull << 30);
	if (comp == C_GZIP)
		deflateEnd(&br.z);
	else
		ZSTD_freeCCtx(br.zc);
}

static void test_gzip_bomb_stops_at_ratio(void **state)
{
	(void)state;
	run_bomb(C_GZIP);
}

static void test_zstd_bomb_stops_at_ratio(void **state)
{
	(void)state;
	run_bomb(C_ZSTD);
}

static void test_total_and_entry_limits(void **state)
{
	struct bytes tar = { 0 };
	struct layer_result res;
	struct layer_limits lim = { 0 };
	char name[32];
	int i;

	(void)state;
	for (i = 0; i < 11; i++) {
		snprintf(name, sizeof(name), "f%d.txt", i);
		tar_file(&tar, name, "x");
	}
	tar_end(&tar);
	lim.max_entries = 10;
	assert_int_equal(scan_bytes(&res, &tar, 0, &lim), ASEC_ETOOBIG);
	assert_non_null(strstr(error_last(), "more than 10 entries"));
	assert_null(res.results);
	lim.max_entries = 11;
	assert_int_equal(scan_bytes(&res, &tar, 0, &lim), ASEC_OK);
	layer_result_free(&res);

	lim.max_entries = 0;
	lim.max_uncompressed_bytes = 4096;
	assert_int_equal(scan_bytes(&res, &tar, 0, &lim), ASEC_ETOOBIG);
	assert_non_null(strstr(error_last(), "4096 uncompressed bytes"));
	bytes_free(&tar);
}

static void test_truncated_and_corrupt_gzip(void **state)
{
	struct bytes tar = { 0 }, blob = { 0 }, cut = { 0 };
	struct layer_result res;

	(void)state;
	build_mixed_layer(&tar);
	gzip_bytes(&blob, tar.data, tar.len, 6);

	/* Cut in the middle of the deflate data. */
	bytes_add(&cut, blob.data, blob.len / 2);
	assert_int_equal(scan_bytes(&res, &cut, 0, NULL), ASEC_EINVALID);
	print_message("truncated gzip: %s\n", error_last());
	assert_non_null(strstr(error_last(), "truncated gzip stream"));
	assert_null(res.results);
	/* Cut inside the trailer: all tar entries were readable, the stream is not. */
	cut.len = 0;
	bytes_add(&cut, blob.data, blob.len - 3);
	assert_int_equal(scan_bytes(&res, &cut, 0, NULL), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "truncated gzip stream"));
	/* A wrong CRC. */
	cut.len = 0;
	bytes_add(&cut, blob.data, blob.len);
	cut.data[cut.len - 6] ^= 0x01;
	assert_int_equal(scan_bytes(&res, &cut, 0, NULL), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "gzip checksum mismatch"));
	/* Garbage in the deflate data. */
	cut.len = 0;
	bytes_add(&cut, blob.data, blob.len);
	memset(cut.data + 40, 0xff, 64);
	assert_int_equal(scan_bytes(&res, &cut, 0, NULL), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "gzip"));
	/* Only the magic. */
	cut.len = 0;
	bytes_add(&cut, "\x1f\x8b", 2);
	assert_int_equal(scan_bytes(&res, &cut, 0, NULL), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "truncated gzip stream"));

	bytes_free(&tar);
	bytes_free(&blob);
	bytes_free(&cut);
}

static void test_trailing_garbage_after_gzip(void **state)
{
	struct bytes tar = { 0 }, blob = { 0 };
	struct layer_result res;

	(void)state;
	tar_file(&tar, "a.txt", "a");
	tar_end(&tar);
	gzip_bytes(&blob, tar.data, tar.len, 6);
	bytes_zero(&blob, 100);
	assert_int_equal(scan_bytes(&res, &blob, 0, NULL), ASEC_OK);
	assert_true(notes_contain(&res.notes, "trailing data after the gzip stream"));
	assert_seen('b', "a.txt", "a", 1);
	layer_result_free(&res);
	bytes_free(&tar);
	bytes_free(&blob);
}

static void test_truncated_and_corrupt_zstd(void **state)
{
	struct bytes tar = { 0 }, blob = { 0 }, cut = { 0 };
	struct layer_result res;

	(void)state;
	build_mixed_layer(&tar);
	zstd_bytes(&blob, tar.data, tar.len);
	bytes_add(&cut, blob.data, blob.len - 5);
	assert_int_equal(scan_bytes(&res, &cut, 0, NULL), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "zstd"));
	cut.len = 0;
	bytes_add(&cut, blob.data, blob.len);
	memset(cut.data + cut.len / 2, 0xa5, 32);
	assert_int_equal(scan_bytes(&res, &cut, 0, NULL), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "zstd"));
	bytes_free(&tar);
	bytes_free(&blob);
	bytes_free(&cut);
}

static void test_truncated_and_damaged_tar(void **state)
{
	struct bytes tar = { 0 }, cut = { 0 }, gz = { 0 };
	struct layer_result res;
	unsigned char big[3000];

	(void)state;
	memset(big, 'z', sizeof(big));
	tar_file(&tar, "first.txt", "first");
	tar_entry_n(&tar, LONG_PAX, "second.txt", 10, '0', big, sizeof(big), NULL, 0644);
	tar_file(&tar, "third.txt", "third");
	tar_end(&tar);

	/* In the data of the second entry. */
	bytes_add(&cut, tar.data, 1024 + 512 + 1000);
	assert_int_equal(scan_bytes(&res, &cut, 0, NULL), ASEC_EINVALID);
	print_message("truncated tar: %s\n", error_last());
	assert_non_null(strstr(error_last(), "entry 2"));
	assert_non_null(strstr(error_last(), "second.txt"));
	assert_null(res.results);
	/* The same, compressed: the gzip stream is whole, the tar in it is not. */
	gzip_bytes(&gz, cut.data, cut.len, 6);
	assert_int_equal(scan_bytes(&res, &gz, 0, NULL), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "tar:"));
	/* In the middle of a header. */
	cut.len = 0;
	bytes_add(&cut, tar.data, 1024 + 100);
	assert_int_equal(scan_bytes(&res, &cut, 0, NULL), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "tar:"));
	/* A header whose checksum does not add up. */
	cut.len = 0;
	bytes_add(&cut, tar.data, tar.len);
	cut.data[1024 + 5] ^= 0x20; /* a letter of "second.txt" */
	assert_int_equal(scan_bytes(&res, &cut, 0, NULL), ASEC_EINVALID);
	print_message("damaged header: %s\n", error_last());
	assert_non_null(strstr(error_last(), "after entry 1"));
	/* Not a tar at all. */
	cut.len = 0;
	bytes_add(&cut, "hello, this is not a tar archive\n", 33);
	bytes_zero(&cut, 600);
	assert_int_equal(scan_bytes(&res, &cut, 0, NULL), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "not a tar layer"));
	/* Compressions OCI does not use are named, not mistaken for tar. */
	cut.len = 0;
	bytes_add(&cut, "BZh91AY&SY", 10);
	assert_int_equal(scan_bytes(&res, &cut, 0, NULL), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "bzip2"));
	cut.len = 0;
	bytes_add(&cut, "\xfd" "7zXZ\0\0\x04", 8);
	assert_int_equal(scan_bytes(&res, &cut, 0, NULL), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "xz"));
	bytes_free(&tar);
	bytes_free(&cut);
	bytes_free(&gz);
}

static void test_empty_layers(void **state)
{
	struct bytes empty = { 0 }, zeros = { 0 }, gz = { 0 };
	struct layer_result res;

	(void)state;
	assert_int_equal(scan_bytes(&res, &empty, 0, NULL), ASEC_OK);
	assert_int_equal(res.entries, 0);
	layer_result_free(&res);
	/* Docker's "empty layer": 1024 zero bytes, gzipped. */
	bytes_zero(&zeros, 1024);
	gzip_bytes(&gz, zeros.data, zeros.len, 6);
	assert_int_equal(scan_bytes(&res, &gz, 0, NULL), ASEC_OK);
	assert_int_equal(res.entries, 0);
	assert_int_equal(res.compression, LAYER_GZIP);
	assert_int_equal(res.uncompressed_bytes, 1024);
	layer_result_free(&res);
	bytes_free(&zeros);
	bytes_free(&gz);
}

static void test_multi_member_gzip(void **state)
{
	struct bytes tar = { 0 }, blob = { 0 };
	struct layer_result res;
	size_t split = 777; /* inside a header: members need not align with entries */

	(void)state;
	build_mixed_layer(&tar);
	gzip_bytes(&blob, tar.data, split, 9);
	gzip_bytes(&blob, tar.data + split, 40000, 1);
	gzip_bytes(&blob, tar.data + split + 40000, tar.len - split - 40000, 6);
	assert_int_equal(scan_bytes(&res, &blob, 0, NULL), ASEC_OK);
	check_mixed_result(&res, &tar);
	layer_result_free(&res);
	/* And again one byte at a time, so member boundaries fall everywhere. */
	seen_reset();
	assert_int_equal(scan_bytes(&res, &blob, 1, NULL), ASEC_OK);
	check_mixed_result(&res, &tar);
	layer_result_free(&res);
	bytes_free(&tar);
	bytes_free(&blob);
}

static void test_file_over_detector_limit(void **state)
{
	struct bytes tar = { 0 };
	struct layer_result res;
	char data[101];

	(void)state;
	memset(data, 'q', sizeof(data));
	fake_buffered.max_file_bytes = 100;
	tar_entry_n(&tar, LONG_PAX, "exact.txt", 9, '0', data, 100, NULL, 0644);
	tar_entry_n(&tar, LONG_PAX, "over.txt", 8, '0', data, 101, NULL, 0644);
	/* Too big for the buffered detector, still streamed to the other. */
	tar_entry_n(&tar, LONG_PAX, "over.both", 9, '0', data, 101, NULL, 0644);
	tar_end(&tar);
	assert_int_equal(scan_bytes(&res, &tar, 0, NULL), ASEC_OK);
	assert_seen('b', "exact.txt", data, 100);
	assert_null(seen_find('b', "over.txt"));
	assert_null(seen_find('b', "over.both"));
	assert_seen('s', "over.both", data, 101);
	assert_true(notes_contain(&res.results[0].out, "over.txt is 101 bytes, over the 100-byte limit"));
	assert_true(notes_contain(&res.results[0].out, "over.both is 101 bytes"));
	layer_result_free(&res);
	bytes_free(&tar);
}

static void test_streaming_detector_gives_up(void **state)
{
	struct bytes tar = { 0 };
	struct layer_result res;
	const struct seen *s;

	(void)state;
	build_mixed_layer(&tar); /* fills binary_data */
	tar.len = 0;
	tar_entry_n(&tar, LONG_PAX, "opt/giveup.bin", 14, '0', binary_data, sizeof(binary_data), NULL, 0644);
	tar_entry_n(&tar, LONG_PAX, "opt/next.bin", 12, '0', binary_data, 1000, NULL, 0644);
	tar_end(&tar);
	/* 700-byte reads: the file arrives in many blocks. */
	assert_int_equal(scan_bytes(&res, &tar, 700, NULL), ASEC_OK);
	s = seen_find('s', "opt/giveup.bin");
	assert_non_null(s);
	assert_int_equal(s->chunks, 1); /* not fed after it failed */
	assert_true(s->len > 0 && s->len <= 700);
	assert_memory_equal(s->data, binary_data, s->len);
	assert_true(notes_contain(&res.results[1].out,
				  "fake-streaming: stream_chunk failed on opt/giveup.bin: fake stream parser gives up"));
	assert_seen('s', "opt/next.bin", binary_data, 1000);
	/* What it reported before giving up is kept. */
	assert_int_equal(res.results[1].out.pkgs.count, 2);
	layer_result_free(&res);
	bytes_free(&tar);
}

static void run_pipe(enum comp comp)
{
	struct bytes tar = { 0 }, blob = { 0 };
	struct layer_result res;
	struct pipe_writer pw;
	struct layer_reader r;
	pthread_t th;
	int fds[2], rc;

	seen_reset();
	build_mixed_layer(&tar);
	compress_as(&blob, comp, &tar);
	assert_int_equal(pipe(fds), 0);
	pw.fd = fds[1];
	pw.data = blob.data;
	pw.len = blob.len;
	assert_int_equal(pthread_create(&th, NULL, pipe_write_all, &pw), 0);
	r.read = pipe_read_byte;
	r.ctx = &fds[0];
	rc = layer_scan(&res, &r, both_detectors, 2, NULL);
	close(fds[0]);
	pthread_join(th, NULL);
	if (rc)
		fail_msg("%s", error_last());
	assert_int_equal(res.compressed_bytes, blob.len);
	check_mixed_result(&res, &tar);
	layer_result_free(&res);
	bytes_free(&tar);
	bytes_free(&blob);
}

static void test_pipe_one_byte_at_a_time(void **state)
{
	(void)state;
	run_pipe(C_PLAIN);
	run_pipe(C_GZIP);
	run_pipe(C_ZSTD);
}

static void test_reader_error(void **state)
{
	struct bytes tar = { 0 }, blob = { 0 };
	struct layer_result res;
	struct mem_reader m;
	struct layer_reader r = { failing_read, &m };

	(void)state;
	build_mixed_layer(&tar);
	gzip_bytes(&blob, tar.data, tar.len, 6);
	m.data = blob.data;
	m.len = blob.len / 2;
	m.pos = 0;
	m.chunk = 100;
	assert_int_equal(layer_scan(&res, &r, both_detectors, 2, NULL), ASEC_EIO);
	assert_non_null(strstr(error_last(), "connection reset by the registry"));
	assert_null(res.results);
	bytes_free(&tar);
	bytes_free(&blob);
}

static void test_names_and_utf8(void **state)
{
	struct bytes tar = { 0 };
	struct layer_result res;
	const char *utf8 = "usr/share/caf\xc3\xa9.txt";
	const char *latin1 = "usr/share/caf\xe9.txt";

	(void)state;
	/* pax keeps the UTF-8 name whatever the process locale is. */
	tar_file(&tar, "short.txt", "s");
	{
		char longer[200], bad_pax[200];
		snprintf(longer, sizeof(longer), "%s/%s", "usr/share/doc/very-long-directory-name-to-force-a-pax-record-"
							  "for-the-utf8-name-xxxxxxxxxxxxxxxxxxxxxxx",
			 "caf\xc3\xa9.txt");
		tar_entry_n(&tar, LONG_PAX, longer, strlen(longer), '0', "pax-utf8", 8, NULL, 0644);
		tar_file(&tar, utf8, "utf8");
		tar_file(&tar, latin1, "latin1");
		/* A pax record must hold UTF-8; one that does not is noted and
		 * its entry never reaches a detector under any spelling. */
		snprintf(bad_pax, sizeof(bad_pax), "%s/%s",
			 "usr/share/doc/another-very-long-directory-name-to-force-a-pax-"
			 "record-for-a-latin1-name-xxxxxxxxxxxxxxxxxxxxxx",
			 "bad\xe9.txt");
		tar_entry_n(&tar, LONG_PAX, bad_pax, strlen(bad_pax), '0', "pax-latin1", 10, NULL, 0644);
		tar_end(&tar);
		assert_int_equal(scan_bytes(&res, &tar, 0, NULL), ASEC_OK);
		assert_seen('b', longer, "pax-utf8", 8);
	}
	assert_seen('b', utf8, "utf8", 4);
	assert_null(seen_find('b', latin1));
	/* short.txt, the pax UTF-8 name and the ustar UTF-8 name: nothing else. */
	assert_int_equal(g_seen_count, 3);
	assert_true(notes_contain(&res.notes, "path is not valid UTF-8; skipped: usr/share/doc/another"));
	{
		size_t i;
		for (i = 0; i < res.notes.note_count; i++)
			print_message("note: %s\n", res.notes.notes[i]);
	}
	assert_true(notes_contain(&res.notes, "path is not valid UTF-8; skipped: usr/share/caf\\xe9.txt"));
	layer_result_free(&res);
	bytes_free(&tar);
}

static void test_no_detectors(void **state)
{
	struct bytes tar = { 0 }, blob = { 0 };
	struct layer_result res;
	struct mem_reader m;
	struct layer_reader r = { mem_read, &m };

	(void)state;
	build_mixed_layer(&tar);
	zstd_bytes(&blob, tar.data, tar.len);
	m.data = blob.data;
	m.len = blob.len;
	m.pos = 0;
	m.chunk = 0;
	assert_int_equal(layer_scan(&res, &r, NULL, 0, NULL), ASEC_OK);
	assert_int_equal(res.result_count, 0);
	assert_int_equal(res.entries, 15);
	assert_int_equal(g_seen_count, 0);
	layer_result_free(&res);
	bytes_free(&tar);
	bytes_free(&blob);
}

/* ---- tests: layers written by real tools --------------------------------- */

static void read_testdata(struct bytes *out, const char *name)
{
	const char *src = getenv("ASEC_SOURCE_DIR");
	char path[1024];
	unsigned char buf[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/services/scanner-indexer/testdata/layer/%s", src ? src : ".", name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (is ASEC_SOURCE_DIR set?)", path);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		bytes_add(out, buf, n);
	fclose(f);
}

static void test_gnu_tar_layer(void **state)
{
	struct bytes blob = { 0 };
	struct layer_result res;
	const char *notes = "usr/share/doc/pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp/"
			    "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq/notes.txt";

	(void)state;
	read_testdata(&blob, "gnutar.tar.gz");
	assert_int_equal(scan_bytes(&res, &blob, 0, NULL), ASEC_OK);
	/* GNU tar stored os.txt as a hard link to hard.txt: only the data entry is read. */
	assert_seen('b', "etc/hard.txt", "ID=debian\nVERSION_ID=12\n", 24);
	assert_seen('b', notes, "long name via GNU longlink\n", 27);
	/* The symlink, the FIFO and the hard link are not read; the sparse
	 * file is declined with a note. */
	assert_int_equal(g_seen_count, 2);
	assert_true(notes_contain(&res.notes, "sparse file not scanned: etc/sparse.txt"));
	assert_int_equal(res.entries, 12);
	layer_result_free(&res);
	bytes_free(&blob);
}

static void test_python_pax_zstd_layer(void **state)
{
	struct bytes blob = { 0 };
	struct layer_result res;
	unsigned char tool[16384];
	char deep[140];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(tool); i++)
		tool[i] = (unsigned char)(i % 256);
	read_testdata(&blob, "pypax.tar.zst");
	assert_int_equal(scan_bytes(&res, &blob, 0, NULL), ASEC_OK);
	assert_int_equal(res.compression, LAYER_ZSTD);
	assert_seen('b', "usr/share/caf\xc3\xa9.txt", "utf-8 name in a pax record\n", 27);
	memcpy(deep, "opt/", 4);
	memset(deep + 4, 'x', 120);
	memcpy(deep + 124, "/deep.txt", 10);
	assert_seen('b', deep, "pax long path\n", 14);
	assert_seen('s', "usr/bin/tool.bin", tool, sizeof(tool));
	assert_int_equal(g_seen_count, 3);
	assert_int_equal(res.whiteout_count, 1);
	assert_string_equal(res.whiteouts[0], "etc/removed.txt");
	assert_int_equal(res.opaque_count, 1);
	assert_string_equal(res.opaque_dirs[0], "var/cache");
	assert_true(list_contains(res.whiteouts, res.whiteout_count, "etc/removed.txt"));
	assert_int_equal(res.notes.note_count, 0);
	layer_result_free(&res);
	bytes_free(&blob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize_path),
		cmocka_unit_test_setup_teardown(test_detectors_see_exact_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_whiteouts_and_opaque_dirs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefixes_normalised_and_escapes_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_names_pax_and_gnu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_empty_files_fast, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gzip_bomb_stops_at_ratio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zstd_bomb_stops_at_ratio, setup, teardown),
		cmocka_unit_test_setup_teardown(test_total_and_entry_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_and_corrupt_gzip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trailing_garbage_after_gzip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_and_corrupt_zstd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_and_damaged_tar, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_layers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multi_member_gzip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_over_detector_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_streaming_detector_gives_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipe_one_byte_at_a_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reader_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_and_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_detectors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gnu_tar_layer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_python_pax_zstd_layer, setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
