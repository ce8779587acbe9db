/*
 * importer.c - files to sources (see importer.h).
 *
 * Everything is read into memory before anything is stored, one file at a
 * time: compressed input is inflated with a hard cap per file and for the
 * whole import (a 1 KB gzip that claims to hold 100 GB stops at the cap),
 * archives are walked with libarchive straight from the buffer, and each
 * file's records go to its source's JSON Lines buffer and index builder.
 */
#include "importer.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <gnutls/crypto.h>
#include <zlib.h>
#include <zstd.h>

#include "error/error.h"
#include "feeds/feed.h"
#include "log/log.h"
#include "store_vulns.h"

#define MAX_SOURCES 256
#define MAX_FILES_PER_IMPORT 200000
#define MANIFEST_MAX_BYTES (4u * 1024 * 1024)

struct import_source {
	char *name, *format, *data_date, *url, *etag, *last_modified;
	struct vulndata_builder *builder;
	char *lines;		/* JSON Lines of accepted records */
	size_t lines_len, lines_cap;
	size_t accepted, skipped;
	json_t *skips;		/* the first IMPORT_MAX_SKIPS_LISTED */
	int failed;		/* out of memory while gathering */
};

struct import_batch {
	struct import_source *sources[MAX_SOURCES];
	size_t count;
	size_t total_bytes;
	size_t files;
	unsigned long long max_file, max_total; /* IMPORT_MAX_* unless lowered */
};

typedef int (*parse_fn)(const char *name, const char *data, size_t len, const struct feed_sink *sink);

static const struct {
	const char *format;
	parse_fn parse;
} parsers[] = {
	{"osv", feed_parse_osv},
	{"nvd", feed_parse_nvd},
	{"debian-json", feed_parse_debian_json},
	{"debian-list", feed_parse_debian_list},
	{"alpine-secdb", feed_parse_alpine_secdb},
	{"csaf", feed_parse_csaf},
	{"kev", feed_parse_kev},
	{"epss", feed_parse_epss},
	{"nodejs-wg", feed_parse_nodejs_wg},
	{"rubysec", feed_parse_rubysec},
	{"rustsec", feed_parse_rustsec},
};

static parse_fn parser_for(const char *format)
{
	size_t i;

	for (i = 0; format && i < sizeof(parsers) / sizeof(parsers[0]); i++)
		if (strcmp(parsers[i].format, format) == 0)
			return parsers[i].parse;
	return NULL;
}

/* ---- batches and sources ---- */

int import_batch_new(struct import_batch **out)
{
	*out = calloc(1, sizeof(**out));
	if (!*out) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	(*out)->max_file = IMPORT_MAX_FILE_BYTES;
	(*out)->max_total = IMPORT_MAX_TOTAL_BYTES;
	return ASEC_OK;
}

void import_batch_set_limits(struct import_batch *b, unsigned long long max_file, unsigned long long max_total)
{
	if (max_file && max_file < IMPORT_MAX_FILE_BYTES)
		b->max_file = max_file;
	if (max_total && max_total < IMPORT_MAX_TOTAL_BYTES)
		b->max_total = max_total;
}

static void source_free(struct import_source *s)
{
	if (!s)
		return;
	free(s->name);
	free(s->format);
	free(s->data_date);
	free(s->url);
	free(s->etag);
	free(s->last_modified);
	vulndata_builder_free(s->builder);
	free(s->lines);
	json_decref(s->skips);
	free(s);
}

void import_batch_free(struct import_batch *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->count; i++)
		source_free(b->sources[i]);
	free(b);
}

static int valid_source_name(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > 100 || !isalnum((unsigned char)name[0]))
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("._:-", name[i]))
			return 0;
	return 1;
}

/* The source of that name, made when it is new. A source read twice in one
 * batch (two files of one source) gathers both. */
static int source_get(struct import_source **out, struct import_batch *b, const char *name, const char *format)
{
	struct import_source *s;
	size_t i;
	int rc;

	*out = NULL;
	if (!valid_source_name(name)) {
		error_set("\"%.100s\" is not a valid source name (letters, digits and . _ : - up to 100)", name);
		return ASEC_EINVALID;
	}
	for (i = 0; i < b->count; i++)
		if (strcmp(b->sources[i]->name, name) == 0) {
			*out = b->sources[i];
			return ASEC_OK;
		}
	if (b->count == MAX_SOURCES) {
		error_set("more than %d sources in one import", MAX_SOURCES);
		return ASEC_ETOOBIG;
	}
	if (!(s = calloc(1, sizeof(*s))) || !(s->name = strdup(name)) || !(s->format = strdup(format)) ||
	    !(s->skips = json_array())) {
		source_free(s);
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	if ((rc = vulndata_builder_new(&s->builder, name, format))) {
		source_free(s);
		return rc;
	}
	b->sources[b->count++] = s;
	*out = s;
	return ASEC_OK;
}

static void note_skip(struct import_source *s, const char *id, const char *reason)
{
	s->skipped++;
	if (json_array_size(s->skips) < IMPORT_MAX_SKIPS_LISTED)
		json_array_append_new(s->skips, json_pack("{s:s, s:s}", "id", id ? id : "", "reason", reason ? reason : ""));
}

static void sink_skip(void *ctx, const char *id, const char *reason)
{
	note_skip(ctx, id, reason);
}

static int sink_record(void *ctx, json_t *record)
{
	struct import_source *s = ctx;
	size_t need = json_dumpb(record, NULL, 0, JSON_COMPACT);
	char id[128];
	int rc;

	if (feed_record_check(record) != ASEC_OK) {
		snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(record, "id")) ?: "");
		note_skip(s, id, error_last());
		json_decref(record);
		return 0;
	}
	if (s->lines_len + need + 1 > s->lines_cap) {
		size_t cap = s->lines_cap ? s->lines_cap : 1 << 16;
		char *bigger;
		while (cap < s->lines_len + need + 1)
			cap *= 2;
		if (!(bigger = realloc(s->lines, cap))) {
			json_decref(record);
			error_set("out of memory");
			return ASEC_ENOMEM;
		}
		s->lines = bigger;
		s->lines_cap = cap;
	}
	json_dumpb(record, s->lines + s->lines_len, need, JSON_COMPACT);
	s->lines_len += need;
	s->lines[s->lines_len++] = '\n';
	if ((rc = vulndata_builder_add_checked(s->builder, record)))
		return rc;
	s->accepted++;
	return 0;
}

/* ---- looking at files ---- */

static int has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* "go-vulndb.jsonl.gz" -> "go-vulndb": what a file's source is called. */
static void stem_of(char *out, size_t size, const char *path)
{
	static const char *const extensions[] = {".gz", ".zst", ".zstd", ".tgz", ".tar", ".zip", ".json", ".jsonl",
						 ".ndjson", ".csv", ".txt", ".yaml", ".yml", ".md", NULL};
	const char *const *e;
	size_t n;
	int again = 1;

	snprintf(out, size, "%s", base_name(path));
	while (again) {
		again = 0;
		for (e = extensions; *e; e++) {
			n = strlen(out);
			if (has_suffix(out, *e) && n > strlen(*e)) {
				out[n - strlen(*e)] = '\0';
				again = 1;
			}
		}
	}
	for (n = 0; out[n]; n++)
		if (!isalnum((unsigned char)out[n]) && !strchr("._:-", out[n]))
			out[n] = '-';
}

static int starts_with(const char *data, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(data, prefix, n) == 0;
}

static int contains(const char *data, size_t len, const char *needle)
{
	return memmem(data, len, needle, strlen(needle)) != NULL;
}

static int looks_like_epss(const char *p, size_t n)
{
	if (starts_with(p, n, "#model_version") || starts_with(p, n, "cve,epss,percen"))
		return 1;
	if (n < 9 || !starts_with(p, n, "CVE-"))
		return 0;
	p += 4;
	n -= 4;
	while (n && (isdigit((unsigned char)*p) || *p == '-')) {
		p++;
		n--;
	}
	return n && (*p == ';' || *p == ',');
}

const char *import_detect_format(const char *name, const char *data, size_t len)
{
	size_t head = len < 65536 ? len : 65536, skip = 0;
	const char *p;

	if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB && (unsigned char)data[2] == 0xBF)
		skip = 3; /* a UTF-8 byte order mark */
	while (skip < head && isspace((unsigned char)data[skip]))
		skip++;
	p = data + skip;
	head -= skip;
	if (!head)
		return NULL;
	if (name && has_suffix(name, ".md"))
		return contains(p, head, "```toml") ? "rustsec" : NULL;
	if (*p != '{' && *p != '[') {
		if (contains(p, head, "distroversion:"))
			return "alpine-secdb";
		if (contains(p, head, "\ngem:") || starts_with(p, head, "gem:") || contains(p, head, "\nengine:") ||
		    starts_with(p, head, "engine:") || (starts_with(p, head, "---") && contains(p, head, "patched_versions")))
			return "rubysec";
		if (looks_like_epss(p, head))
			return "epss";
		return NULL;
	}
	if (*p == '[' && head > 14 && isdigit((unsigned char)p[1]) &&
	    (contains(p, head < 200 ? head : 200, "] DSA-") || contains(p, head < 200 ? head : 200, "] DLA-") ||
	     contains(p, head < 200 ? head : 200, "] DTSA-")))
		return "debian-list";
	if (contains(p, head, "\"csaf_version\""))
		return "csaf";
	if (contains(p, head, "\"CVE_Items\"") || contains(p, head, "\"CVE_data_meta\"") ||
	    contains(p, head, "\"NVD_CVE\"") || (contains(p, head, "\"cve\"") && contains(p, head, "\"sourceIdentifier\"")))
		return "nvd";
	if (contains(p, head, "\"catalogVersion\"") || (contains(p, head, "\"cveID\"") && contains(p, head, "\"dateAdded\"")))
		return "kev";
	if (contains(p, head, "\"distroversion\""))
		return "alpine-secdb";
	if (contains(p, head, "\"module_name\"") &&
	    (contains(p, head, "\"vulnerable_versions\"") || contains(p, head, "\"patched_versions\"")))
		return "nodejs-wg";
	if (contains(p, head, "\"affected\"") || contains(p, head, "\"schema_version\"") ||
	    (contains(p, head, "\"id\"") && contains(p, head, "\"modified\"")))
		return "osv";
	if (contains(p, head, "\"releases\"") && contains(p, head, "\"status\""))
		return "debian-json";
	return NULL;
}

/* ---- decompression ---- */

static int inflate_gzip(char **out, size_t *out_len, const unsigned char *in, size_t len, size_t cap)
{
	z_stream z;
	size_t size = len * 4 + 4096, used = 0;
	char *buf = NULL, *bigger;
	int zrc = Z_OK, rc = ASEC_OK;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 32) != Z_OK) {
		error_set("cannot start gzip decompression");
		return ASEC_ERROR;
	}
	if (size > cap + 1)
		size = cap + 1;
	if (!(buf = malloc(size)))
		goto oom;
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)(len > UINT32_MAX ? UINT32_MAX : len);
	for (;;) {
		if (used == size) {
			if (size > cap) {
				error_set("the file is larger than %zu bytes once decompressed", cap);
				rc = ASEC_ETOOBIG;
				goto out;
			}
			size = size * 2 > cap + 1 ? cap + 1 : size * 2;
			if (!(bigger = realloc(buf, size)))
				goto oom;
			buf = bigger;
		}
		z.next_out = (unsigned char *)buf + used;
		z.avail_out = (uInt)(size - used > UINT32_MAX ? UINT32_MAX : size - used);
		zrc = inflate(&z, Z_NO_FLUSH);
		used = (size_t)((char *)z.next_out - buf);
		if (zrc == Z_STREAM_END) {
			/* concatenated gzip members are one file (gzip -c a b) */
			if (z.avail_in && ((const unsigned char *)z.next_in)[0] == 0x1f) {
				inflateReset(&z);
				continue;
			}
			break;
		}
		if (zrc == Z_BUF_ERROR && z.avail_out)
			zrc = Z_DATA_ERROR; /* input ended before the stream did */
		if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
			error_set("the gzip data is damaged or truncated (%s)", z.msg ? z.msg : "inflate failed");
			rc = ASEC_EINVALID;
			goto out;
		}
	}
	*out = buf;
	*out_len = used;
	buf = NULL;
out:
	inflateEnd(&z);
	free(buf);
	return rc;
oom:
	inflateEnd(&z);
	free(buf);
	error_set("out of memory decompressing");
	return ASEC_ENOMEM;
}

static int inflate_zstd(char **out, size_t *out_len, const unsigned char *in, size_t len, size_t cap)
{
	ZSTD_DStream *z = ZSTD_createDStream();
	ZSTD_inBuffer src = {in, len, 0};
	size_t size = len * 4 + 4096, used = 0, r = 1;
	char *buf = NULL, *bigger;
	int rc = ASEC_OK;

	if (!z)
		goto oom;
	if (size > cap + 1)
		size = cap + 1;
	if (!(buf = malloc(size)))
		goto oom;
	while (src.pos < src.size || r != 0) {
		ZSTD_outBuffer dst;
		if (used == size) {
			if (size > cap) {
				error_set("the file is larger than %zu bytes once decompressed", cap);
				rc = ASEC_ETOOBIG;
				goto out;
			}
			size = size * 2 > cap + 1 ? cap + 1 : size * 2;
			if (!(bigger = realloc(buf, size)))
				goto oom;
			buf = bigger;
		}
		dst = (ZSTD_outBuffer){buf + used, size - used, 0};
		r = ZSTD_decompressStream(z, &dst, &src);
		used += dst.pos;
		if (ZSTD_isError(r)) {
			error_set("the zstd data is damaged (%s)", ZSTD_getErrorName(r));
			rc = ASEC_EINVALID;
			goto out;
		}
		if (src.pos == src.size && dst.pos == 0 && r != 0) {
			error_set("the zstd data is truncated");
			rc = ASEC_EINVALID;
			goto out;
		}
	}
	*out = buf;
	*out_len = used;
	buf = NULL;
out:
	ZSTD_freeDStream(z);
	free(buf);
	return rc;
oom:
	ZSTD_freeDStream(z);
	free(buf);
	error_set("out of memory decompressing");
	return ASEC_ENOMEM;
}

static int is_gzip(const unsigned char *d, size_t n)
{
	return n >= 2 && d[0] == 0x1f && d[1] == 0x8b;
}

static int is_zstd(const unsigned char *d, size_t n)
{
	return n >= 4 && d[0] == 0x28 && d[1] == 0xb5 && d[2] == 0x2f && d[3] == 0xfd;
}

static int is_archive(const unsigned char *d, size_t n)
{
	return (n >= 4 && memcmp(d, "PK\x03\x04", 4) == 0) || (n >= 4 && memcmp(d, "PK\x05\x06", 4) == 0) ||
	       (n >= 262 && memcmp(d + 257, "ustar", 5) == 0);
}

/* Peels gzip and zstd layers off data. *owned is what to free (NULL when
 * data was not compressed). */
static int decompress(const char **out, size_t *out_len, char **owned, struct import_batch *b, const char *data,
		      size_t len)
{
	int layers = 0, rc;

	*owned = NULL;
	*out = data;
	*out_len = len;
	while (is_gzip((const unsigned char *)*out, *out_len) || is_zstd((const unsigned char *)*out, *out_len)) {
		char *next = NULL;
		size_t next_len = 0, cap = (size_t)b->max_file;
		if (++layers > 3) {
			error_set("more than three layers of compression");
			return ASEC_EINVALID;
		}
		if (b->total_bytes >= b->max_total) {
			error_set("the import is larger than %llu bytes once decompressed", b->max_total);
			return ASEC_ETOOBIG;
		}
		if (cap > b->max_total - b->total_bytes)
			cap = (size_t)(b->max_total - b->total_bytes);
		rc = is_gzip((const unsigned char *)*out, *out_len)
			     ? inflate_gzip(&next, &next_len, (const unsigned char *)*out, *out_len, cap)
			     : inflate_zstd(&next, &next_len, (const unsigned char *)*out, *out_len, cap);
		if (rc)
			return rc;
		free(*owned);
		*owned = next;
		*out = next;
		*out_len = next_len;
		b->total_bytes += next_len;
	}
	return ASEC_OK;
}

/* ---- one file into one source ---- */

static int parse_into(struct import_source *s, const char *format, const char *name, const char *data, size_t len)
{
	parse_fn parse = parser_for(format);
	struct feed_sink sink = {sink_record, sink_skip, s};
	int rc;

	if (!parse) {
		error_set("%s: unknown format \"%s\"", name, format);
		return ASEC_EINVALID;
	}
	rc = parse(name, data, len, &sink);
	if (rc == ASEC_EINVALID) {
		/* one unreadable file of a source is a skip, not the end of the import */
		char reason[600];
		snprintf(reason, sizeof(reason), "file %.200s is not readable as %s: %.300s", name, format, error_last());
		note_skip(s, "", reason);
		return ASEC_OK;
	}
	return rc;
}

/* Ignored members of archives: licences, read-mes, hidden files. */
static int ignorable(const char *path)
{
	const char *base = base_name(path);

	return base[0] == '.' || strncasecmp(base, "LICENSE", 7) == 0 || strncasecmp(base, "COPYING", 7) == 0 ||
	       strncasecmp(base, "README", 6) == 0 || strncasecmp(base, "SOURCES", 7) == 0 ||
	       strstr(path, "__MACOSX/") != NULL;
}

struct archive_walk {
	struct archive *a;
	const char *data;
	size_t len;
};

static int walk_open(struct archive_walk *w, const char *data, size_t len)
{
	w->data = data;
	w->len = len;
	if (!(w->a = archive_read_new()))
		return ASEC_ENOMEM;
	archive_read_support_format_zip_seekable(w->a);
	archive_read_support_format_tar(w->a);
	archive_read_support_format_gnutar(w->a);
	if (archive_read_open_memory(w->a, data, len) != ARCHIVE_OK) {
		error_set("cannot open the archive: %s", archive_error_string(w->a));
		archive_read_free(w->a);
		w->a = NULL;
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

/* Reads the current entry whole, within the batch's budget. */
static int walk_read(char **out, size_t *out_len, struct import_batch *b, struct archive_walk *w,
		     struct archive_entry *e)
{
	la_int64_t declared = archive_entry_size_is_set(e) ? archive_entry_size(e) : -1;
	size_t cap = declared > 0 ? (size_t)declared : 1 << 16, used = 0;
	char *buf, *bigger;
	la_ssize_t n;

	*out = NULL;
	*out_len = 0;
	if (declared > (la_int64_t)b->max_file || b->total_bytes + cap > b->max_total) {
		error_set("%s is larger than the import allows", archive_entry_pathname(e));
		return ASEC_ETOOBIG;
	}
	if (!(buf = malloc(cap + 1)))
		return ASEC_ENOMEM;
	for (;;) {
		if (used == cap) {
			if (cap >= b->max_file || b->total_bytes + cap * 2 > b->max_total) {
				free(buf);
				error_set("%s is larger than the import allows", archive_entry_pathname(e));
				return ASEC_ETOOBIG;
			}
			if (!(bigger = realloc(buf, cap * 2 + 1))) {
				free(buf);
				return ASEC_ENOMEM;
			}
			buf = bigger;
			cap *= 2;
		}
		n = archive_read_data(w->a, buf + used, cap - used);
		if (n < 0) {
			error_set("%s: %s", archive_entry_pathname(e), archive_error_string(w->a));
			free(buf);
			return ASEC_EINVALID;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	b->total_bytes += used;
	*out = buf;
	*out_len = used;
	return ASEC_OK;
}

static int sha256_hex(char out[65], const void *data, size_t len)
{
	unsigned char digest[32];
	size_t i;

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, digest) < 0) {
		error_set("cannot compute SHA-256");
		return ASEC_ERROR;
	}
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
	return ASEC_OK;
}

/* A file of a known or sniffed format into source s (or a source named by
 * the file when s is NULL). */
static int add_archive(struct import_batch *b, struct import_source *s, const char *data, size_t len, const char *name,
		       const char *source, const char *format);

static int add_file(struct import_batch *b, struct import_source *s, const char *path, const char *data, size_t len,
		    const char *format, const char *source_name, int nested)
{
	const char *plain;
	size_t plain_len;
	char *owned = NULL, stem[128];
	int rc;

	if (++b->files > MAX_FILES_PER_IMPORT) {
		error_set("more than %d files in one import", MAX_FILES_PER_IMPORT);
		return ASEC_ETOOBIG;
	}
	if ((rc = decompress(&plain, &plain_len, &owned, b, data, len)))
		goto out;
	if (is_archive((const unsigned char *)plain, plain_len)) {
		/* a tarball of advisories (RubySec, RustSec, Alpine secdb) inside a
		 * bundle; archives nest one level, no deeper */
		if (nested) {
			error_set("%s: archives nest one level deep, no deeper", base_name(path));
			rc = ASEC_EINVALID;
		} else {
			rc = add_archive(b, s, plain, plain_len, path, source_name, format);
		}
		goto out;
	}
	if (!format)
		format = import_detect_format(path, plain, plain_len);
	if (!format) {
		if (s)
			note_skip(s, "", "a file of no known format was left out");
		else
			error_set("%s is of no known vulnerability data format", base_name(path));
		rc = s ? ASEC_OK : ASEC_EINVALID;
		goto out;
	}
	if (!s) {
		stem_of(stem, sizeof(stem), path);
		if ((rc = source_get(&s, b, source_name ? source_name : stem[0] ? stem : format, format)))
			goto out;
	}
	rc = parse_into(s, format, base_name(path), plain, plain_len);
out:
	free(owned);
	return rc;
}

/* ---- bundles ---- */

static int read_manifest(json_t **out, struct import_batch *b, const char *data, size_t len)
{
	struct archive_walk w;
	struct archive_entry *e;
	int rc, found = 0;

	*out = NULL;
	if ((rc = walk_open(&w, data, len)))
		return rc;
	while ((rc = archive_read_next_header(w.a, &e)) == ARCHIVE_OK) {
		const char *path = archive_entry_pathname(e);
		if (path && (strcmp(path, "manifest.json") == 0 || strcmp(path, "./manifest.json") == 0)) {
			char *text;
			size_t n;
			json_error_t jerr;
			if (archive_entry_size(e) > MANIFEST_MAX_BYTES) {
				error_set("manifest.json is larger than 4 MiB");
				rc = ASEC_ETOOBIG;
				goto out;
			}
			if ((rc = walk_read(&text, &n, b, &w, e)))
				goto out;
			*out = json_loadb(text, n, 0, &jerr);
			free(text);
			if (!*out) {
				error_set("manifest.json is not JSON: %s (line %d)", jerr.text, jerr.line);
				rc = ASEC_EINVALID;
				goto out;
			}
			found = 1;
			break;
		}
	}
	rc = found || rc == ARCHIVE_EOF ? ASEC_OK : ASEC_EINVALID;
	if (rc)
		error_set("the archive is damaged: %s", archive_error_string(w.a));
out:
	archive_read_free(w.a);
	return rc;
}

/* The manifest's entry for an archive member, with its source. */
static const json_t *manifest_file(const json_t *manifest, const char *path, const json_t **source)
{
	const json_t *src, *file;
	size_t i, j;

	if (strncmp(path, "./", 2) == 0)
		path += 2;
	json_array_foreach(json_object_get(manifest, "sources"), i, src)
		json_array_foreach(json_object_get(src, "files"), j, file)
			if (json_is_string(json_object_get(file, "path")) &&
			    strcmp(json_string_value(json_object_get(file, "path")), path) == 0) {
				*source = src;
				return file;
			}
	return NULL;
}

static int check_manifest(const json_t *m)
{
	const json_t *src, *file;
	size_t i, j;

	if (!json_is_object(m) || json_integer_value(json_object_get(m, "schemaVersion")) != 1) {
		error_set("manifest.json: schemaVersion must be 1");
		return ASEC_EINVALID;
	}
	if (!json_is_array(json_object_get(m, "sources")) || !json_array_size(json_object_get(m, "sources"))) {
		error_set("manifest.json: sources must be a non-empty array");
		return ASEC_EINVALID;
	}
	json_array_foreach(json_object_get(m, "sources"), i, src) {
		const char *name = json_string_value(json_object_get(src, "name"));
		const char *format = json_string_value(json_object_get(src, "format"));
		if (!name || !valid_source_name(name)) {
			error_set("manifest.json: sources[%zu].name is missing or not a valid source name", i);
			return ASEC_EINVALID;
		}
		if (format && !parser_for(format)) {
			error_set("manifest.json: source %s has unknown format \"%s\"", name, format);
			return ASEC_EINVALID;
		}
		if (!json_is_array(json_object_get(src, "files")) || !json_array_size(json_object_get(src, "files"))) {
			error_set("manifest.json: source %s lists no files", name);
			return ASEC_EINVALID;
		}
		json_array_foreach(json_object_get(src, "files"), j, file) {
			const char *sum = json_string_value(json_object_get(file, "sha256"));
			if (!json_is_string(json_object_get(file, "path")) || !sum || strlen(sum) != 64 ||
			    strspn(sum, "0123456789abcdef") != 64) {
				error_set("manifest.json: source %s: files[%zu] needs a path and a lower-case hex sha256", name, j);
				return ASEC_EINVALID;
			}
		}
	}
	return ASEC_OK;
}

static int add_bundle(struct import_batch *b, const char *data, size_t len, const json_t *manifest)
{
	struct archive_walk w;
	struct archive_entry *e;
	const json_t *src, *file;
	size_t i, j, seen = 0, listed = 0;
	int rc, arc;

	if ((rc = check_manifest(manifest)))
		return rc;
	/* every source exists, empty, even if its files turn out to hold nothing */
	json_array_foreach(json_object_get(manifest, "sources"), i, src) {
		struct import_source *s;
		const char *format = json_string_value(json_object_get(src, "format"));
		if ((rc = source_get(&s, b, json_string_value(json_object_get(src, "name")), format ? format : "mixed")))
			return rc;
		if (json_is_string(json_object_get(src, "date")) && !s->data_date)
			s->data_date = strdup(json_string_value(json_object_get(src, "date")));
		if (json_is_string(json_object_get(src, "origin")) && !s->url)
			s->url = strdup(json_string_value(json_object_get(src, "origin")));
		listed += json_array_size(json_object_get(src, "files"));
	}
	if ((rc = walk_open(&w, data, len)))
		return rc;
	while ((arc = archive_read_next_header(w.a, &e)) == ARCHIVE_OK) {
		const char *path = archive_entry_pathname(e);
		struct import_source *s = NULL;
		char *body = NULL, sum[65];
		size_t n;
		if (!path || archive_entry_filetype(e) != AE_IFREG || strcmp(base_name(path), "manifest.json") == 0)
			continue;
		if (!(file = manifest_file(manifest, path, &src))) {
			log_warn("bundle member %.200s is not in the manifest; left out", path);
			continue;
		}
		if ((rc = walk_read(&body, &n, b, &w, e)))
			goto out;
		if ((rc = sha256_hex(sum, body, n)))
			goto next;
		if (strcmp(sum, json_string_value(json_object_get(file, "sha256"))) != 0) {
			error_set("bundle file %s does not match its SHA-256 in manifest.json; nothing was imported", path);
			rc = ASEC_EINVALID;
			goto next;
		}
		for (j = 0; j < b->count; j++)
			if (strcmp(b->sources[j]->name, json_string_value(json_object_get(src, "name"))) == 0)
				s = b->sources[j];
		seen++;
		rc = add_file(b, s, path, body, n, json_string_value(json_object_get(src, "format")), NULL, 0);
	next:
		free(body);
		if (rc)
			goto out;
	}
	if (arc != ARCHIVE_EOF) {
		error_set("the bundle is damaged: %s", archive_error_string(w.a));
		rc = ASEC_EINVALID;
		goto out;
	}
	if (seen != listed) {
		error_set("manifest.json lists %zu files but the bundle holds %zu of them; nothing was imported", listed, seen);
		rc = ASEC_EINVALID;
	}
out:
	archive_read_free(w.a);
	return rc;
}

/* An archive without a manifest: every member is a file of one source -
 * source s when the caller has one (a bundle member that is itself a
 * tarball), else one named after the archive. format, when given, is every
 * member's format; otherwise each member's is recognised. */
static int add_archive(struct import_batch *b, struct import_source *s, const char *data, size_t len, const char *name,
		       const char *source, const char *format)
{
	struct archive_walk w;
	struct archive_entry *e;
	char stem[128];
	int rc, arc, files = 0;

	stem_of(stem, sizeof(stem), name ? name : "archive");
	if ((rc = walk_open(&w, data, len)))
		return rc;
	while ((arc = archive_read_next_header(w.a, &e)) == ARCHIVE_OK) {
		const char *path = archive_entry_pathname(e);
		char *body = NULL;
		size_t n;
		const char *member_format;
		if (!path || archive_entry_filetype(e) != AE_IFREG || ignorable(path))
			continue;
		if ((rc = walk_read(&body, &n, b, &w, e)))
			goto out;
		member_format = format ? format : import_detect_format(path, body, n);
		if (!s && member_format)
			rc = source_get(&s, b, source ? source : stem, member_format);
		if (!rc && s) {
			rc = add_file(b, s, path, body, n, member_format, NULL, 1);
			files++;
		}
		free(body);
		if (rc)
			goto out;
	}
	if (arc != ARCHIVE_EOF) {
		error_set("the archive is damaged: %s", archive_error_string(w.a));
		rc = ASEC_EINVALID;
	} else if (!s || !files) {
		error_set("%s holds no file of a known vulnerability data format", name ? name : "the archive");
		rc = ASEC_EINVALID;
	}
out:
	archive_read_free(w.a);
	return rc;
}

int import_add_buffer(struct import_batch *b, const void *data, size_t len, const char *name, const char *source)
{
	const char *plain;
	size_t plain_len;
	char *owned = NULL;
	json_t *manifest = NULL;
	int rc;

	if (!len) {
		error_set("the file is empty");
		return ASEC_EINVALID;
	}
	if (source && !valid_source_name(source)) {
		error_set("\"%.100s\" is not a valid source name", source);
		return ASEC_EINVALID;
	}
	if ((rc = decompress(&plain, &plain_len, &owned, b, data, len)))
		goto out;
	if (is_archive((const unsigned char *)plain, plain_len)) {
		if ((rc = read_manifest(&manifest, b, plain, plain_len)))
			goto out;
		rc = manifest ? add_bundle(b, plain, plain_len, manifest) : add_archive(b, NULL, plain, plain_len, name, source, NULL);
		goto out;
	}
	rc = add_file(b, NULL, name ? name : "upload", plain, plain_len, NULL, source, 0);
out:
	json_decref(manifest);
	free(owned);
	return rc;
}

static int read_whole_file(char **out, size_t *len, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;

	*out = NULL;
	if (fd < 0 || fstat(fd, &st) != 0) {
		error_set("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return ASEC_EIO;
	}
	if ((unsigned long long)st.st_size > IMPORT_MAX_FILE_BYTES) {
		close(fd);
		error_set("%s is larger than %llu bytes", path, (unsigned long long)IMPORT_MAX_FILE_BYTES);
		return ASEC_ETOOBIG;
	}
	if (!(buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return ASEC_ENOMEM;
	}
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return ASEC_OK;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_directory(struct import_batch *b, const char *dir, int depth)
{
	DIR *d;
	struct dirent *ent;
	char **names = NULL, **bigger;
	size_t count = 0, cap = 0, i;
	int rc = ASEC_OK;

	if (depth > 16) {
		error_set("%s: directories nest deeper than 16", dir);
		return ASEC_ETOOBIG;
	}
	if (!(d = opendir(dir))) {
		error_set("%s: %s", dir, strerror(errno));
		return ASEC_EIO;
	}
	/* sorted, so that imports are reproducible */
	while ((ent = readdir(d))) {
		if (ent->d_name[0] == '.' || ignorable(ent->d_name))
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 64;
			if (!(bigger = realloc(names, cap * sizeof(*names)))) {
				rc = ASEC_ENOMEM;
				break;
			}
			names = bigger;
		}
		if (asprintf(&names[count], "%s/%s", dir, ent->d_name) < 0) {
			rc = ASEC_ENOMEM;
			break;
		}
		count++;
	}
	closedir(d);
	if (count)
		qsort(names, count, sizeof(*names), compare_names);
	for (i = 0; i < count && !rc; i++) {
		struct stat st;
		if (stat(names[i], &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			rc = add_directory(b, names[i], depth + 1);
		else if (S_ISREG(st.st_mode))
			rc = import_add_path(b, names[i], NULL);
	}
	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
	if (rc == ASEC_ENOMEM)
		error_set("out of memory listing %s", dir);
	return rc;
}

int import_add_path(struct import_batch *b, const char *path, const char *source)
{
	struct stat st;
	char *data = NULL;
	size_t len = 0;
	int rc;

	if (stat(path, &st) != 0) {
		error_set("%s: %s", path, strerror(errno));
		return ASEC_EIO;
	}
	if (S_ISDIR(st.st_mode))
		return add_directory(b, path, 0);
	if ((rc = read_whole_file(&data, &len, path)))
		return rc;
	rc = import_add_buffer(b, data, len, path, source);
	if (rc)
		error_prefix("%s", base_name(path));
	free(data);
	return rc;
}

void import_set_source_info(struct import_batch *b, const struct import_source_info *info)
{
	struct import_source *s;

	if (b->count != 1)
		return;
	s = b->sources[0];
	if (info->etag && !s->etag)
		s->etag = strdup(info->etag);
	if (info->last_modified && !s->last_modified)
		s->last_modified = strdup(info->last_modified);
	if (info->url && !s->url)
		s->url = strdup(info->url);
}

/* ---- committing ---- */

int import_commit(json_t **result, struct import_batch *b, struct db_pool *pool, struct vulndata_holder *holder)
{
	struct vulndata_source *parts[MAX_SOURCES] = {0};
	struct store_source rows[MAX_SOURCES];
	struct vulndata *old = NULL, *next = NULL;
	json_t *list = json_array();
	size_t i, accepted = 0, skipped = 0;
	int rc = ASEC_OK;

	*result = NULL;
	if (!b->count) {
		error_set("the import holds no source");
		rc = ASEC_EINVALID;
		goto out;
	}
	for (i = 0; i < b->count; i++) {
		struct import_source *s = b->sources[i];
		if ((rc = vulndata_builder_finish(&parts[i], s->builder))) {
			s->builder = NULL;
			goto out;
		}
		s->builder = NULL;
		rows[i] = (struct store_source){
			.name = s->name, .format = s->format, .records = s->accepted, .skipped = s->skipped,
			.etag = s->etag, .last_modified = s->last_modified, .data_date = s->data_date, .url = s->url,
			.lines = s->lines, .lines_len = s->lines_len,
		};
		accepted += s->accepted;
		skipped += s->skipped;
		json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:I, s:O}", "name", s->name, "format", s->format,
						      "accepted", (json_int_t)s->accepted, "skipped",
						      (json_int_t)s->skipped, "skips", s->skips));
	}
	if (pool && (rc = store_vulns_replace(pool, rows, b->count)))
		goto out;
	old = vulndata_holder_get(holder);
	if ((rc = vulndata_new(&next, old, parts, b->count)))
		goto out;
	vulndata_holder_set(holder, next);
	*result = json_pack("{s:I, s:I, s:o}", "accepted", (json_int_t)accepted, "skipped", (json_int_t)skipped, "sources",
			    list);
	list = NULL;
out:
	for (i = 0; i < b->count; i++)
		vulndata_source_unref(parts[i]);
	vulndata_unref(old);
	vulndata_unref(next);
	json_decref(list);
	return rc;
}

/* ---- loading what the store holds ---- */

struct load_state {
	struct vulndata_source **parts;
	size_t count, cap;
	size_t records, bad;
};

static int load_line(void *ctx, const char *line, size_t len)
{
	struct vulndata_builder *b = ctx;
	json_t *record = json_loadb(line, len, 0, NULL);

	/* a record the store holds was checked when imported; one that no
	 * longer passes (an older build's shape) is left out, not fatal */
	if (!record)
		return 0;
	return vulndata_builder_add(b, record) == ASEC_ENOMEM ? ASEC_ENOMEM : 0;
}

static int load_source(void *ctx, const struct store_source *row)
{
	struct load_state *st = ctx;
	struct vulndata_builder *b = NULL;
	struct vulndata_source *part = NULL;
	int rc;

	if (st->count == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 16;
		struct vulndata_source **bigger = realloc(st->parts, cap * sizeof(*bigger));
		if (!bigger)
			return ASEC_ENOMEM;
		st->parts = bigger;
		st->cap = cap;
	}
	if ((rc = vulndata_builder_new(&b, row->name, row->format)))
		return rc;
	if ((rc = feed_each_line(row->lines, row->lines_len, NULL, load_line, b))) {
		vulndata_builder_free(b);
		return rc;
	}
	if ((rc = vulndata_builder_finish(&part, b)))
		return rc;
	st->records += vulndata_source_records(part);
	st->parts[st->count++] = part;
	return ASEC_OK;
}

int import_load_store(size_t *records, struct db_pool *pool, struct vulndata_holder *holder)
{
	struct load_state st = {0};
	struct vulndata *next = NULL;
	size_t i;
	int rc;

	*records = 0;
	if (!(rc = store_vulns_load(pool, load_source, &st)) && !(rc = vulndata_new(&next, NULL, st.parts, st.count))) {
		vulndata_holder_set(holder, next);
		*records = st.records;
	}
	vulndata_unref(next);
	for (i = 0; i < st.count; i++)
		vulndata_source_unref(st.parts[i]);
	free(st.parts);
	return rc;
}

/* ---- records that are canonical already ---- */

struct canonical_ctx {
	struct import_source *s;
};

static int canonical_line(void *ctx, const char *line, size_t len)
{
	struct canonical_ctx *c = ctx;
	json_error_t jerr;
	json_t *record = json_loadb(line, len, 0, &jerr);

	if (!record) {
		note_skip(c->s, "", "a line that is not JSON");
		return 0;
	}
	return sink_record(c->s, record);
}

int import_add_canonical(struct import_batch *b, const char *source, const char *format, const char *lines,
			 size_t len)
{
	struct canonical_ctx c;
	int rc;

	if ((rc = source_get(&c.s, b, source, format)))
		return rc;
	return feed_each_line(lines, len, NULL, canonical_line, &c);
}

import_parse_fn import_parser(const char *format)
{
	return parser_for(format);
}
