/*
 * feed_testing.h - what the feed parser tests share (tests only).
 *
 * A collecting sink keeps every record (after checking it with
 * feed_record_check(), so a malformed record fails the test that produced
 * it) and every skip with its reason, and can find a record by id or
 * advisory name and count skips. The shared real feeds are read whole into
 * memory (gunzipped), and tarballs of advisory files are walked there too,
 * so that a test needs neither a temporary folder nor a tar program.
 */
#ifndef ASEC_FEED_TESTING_H
#define ASEC_FEED_TESTING_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <zlib.h>

#include "error/error.h"
#include "feeds/feed.h"
#include "testing/testing.h"

struct feed_collector {
	json_t *records; /* array */
	json_t *skips;   /* array of {"id", "reason"} */
	int bad;         /* records that failed feed_record_check() */
};

static inline int feed_collect_record(void *ctx, json_t *record)
{
	struct feed_collector *c = ctx;

	if (feed_record_check(record) != ASEC_OK) {
		char *dump = json_dumps(record, JSON_COMPACT);
		fprintf(stderr, "non-canonical record: %s\n  %.600s\n", error_last(), dump ? dump : "");
		free(dump);
		c->bad++;
	}
	json_array_append_new(c->records, record);
	return 0;
}

static inline void feed_collect_skip(void *ctx, const char *id, const char *reason)
{
	struct feed_collector *c = ctx;

	json_array_append_new(c->skips, json_pack("{s:s, s:s}", "id", id ? id : "", "reason", reason ? reason : ""));
}

static inline struct feed_sink feed_collector_init(struct feed_collector *c)
{
	struct feed_sink sink = {feed_collect_record, feed_collect_skip, c};

	c->records = json_array();
	c->skips = json_array();
	c->bad = 0;
	return sink;
}

static inline void feed_collector_free(struct feed_collector *c)
{
	json_decref(c->records);
	json_decref(c->skips);
}

/* The first record with that id (and kind, when kind is not NULL). */
static inline json_t *feed_collector_find(const struct feed_collector *c, const char *kind, const char *id)
{
	size_t i;
	json_t *r;

	json_array_foreach(c->records, i, r) {
		if (strcmp(json_string_value(json_object_get(r, "id")), id) == 0 &&
		    (!kind || strcmp(json_string_value(json_object_get(r, "kind")), kind) == 0))
			return r;
	}
	return NULL;
}

/* The first record whose advisory.name is name (the source's own id,
 * whatever the record's id became); fails the test when there is none. */
static inline json_t *feed_collector_advisory(const struct feed_collector *c, const char *name)
{
	size_t i;
	json_t *r;

	json_array_foreach(c->records, i, r) {
		const char *n = json_string_value(json_object_get(json_object_get(r, "advisory"), "name"));

		if (n && strcmp(n, name) == 0)
			return r;
	}
	fail_msg("no record for %s", name);
	return NULL;
}

/* How many skips have a reason containing text and, unless id is NULL,
 * that id. */
static inline size_t feed_collector_skips(const struct feed_collector *c, const char *id, const char *text)
{
	size_t i, n = 0;
	const json_t *s;

	json_array_foreach(c->skips, i, s)
		if ((!id || strcmp(json_string_value(json_object_get(s, "id")), id) == 0) &&
		    strstr(json_string_value(json_object_get(s, "reason")), text))
			n++;
	return n;
}

/* A record's first affected entry's ranges as interval text, e.g.
 * "(-inf,1.5.1] [2.0.0-0,2.2.0-0)": "(" / ")" exclusive, "[" / "]"
 * inclusive, intervals separated by spaces. Valid until the next call. */
static inline const char *feed_testing_intervals(const json_t *rec)
{
	static char buf[2048];
	const json_t *r, *ranges = json_object_get(json_array_get(json_object_get(rec, "affected"), 0), "ranges");
	size_t i, n = 0;

	buf[0] = '\0';
	json_array_foreach(ranges, i, r) {
		const char *in = json_string_value(json_object_get(r, "introduced"));
		const char *after = json_string_value(json_object_get(r, "introducedAfter"));
		const char *fixed = json_string_value(json_object_get(r, "fixed"));
		const char *last = json_string_value(json_object_get(r, "lastAffected"));

		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s%s,%s%s", i ? " " : "",
				      after ? "(" : in && strcmp(in, "0") == 0 ? "(-inf" : "[",
				      after ? after : in && strcmp(in, "0") == 0 ? "" : in ? in : "?",
				      fixed ? fixed : last ? last : "+inf", last ? "]" : ")");
	}
	return buf;
}

/* The version that fixes each range of a record's first affected entry, as
 * the matcher reads it ("fixedBy" where the range has one, else an
 * exclusive "fixed" bound), "-" for none, separated by spaces: "0.3.4 -".
 * Valid until the next call. */
static inline const char *feed_testing_fixes(const json_t *rec)
{
	static char buf[2048];
	const json_t *r, *ranges = json_object_get(json_array_get(json_object_get(rec, "affected"), 0), "ranges");
	size_t i, n = 0;

	buf[0] = '\0';
	json_array_foreach(ranges, i, r) {
		const json_t *by = json_object_get(r, "fixedBy");
		const char *fix = by ? json_string_value(by) : json_string_value(json_object_get(r, "fixed"));

		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? " " : "", fix && *fix ? fix : "-");
	}
	return buf;
}

/* The whole file, gunzipped when it is gzip (zlib reads plain files as
 * they are); NUL-terminated; NULL when it cannot be read. */
static inline char *feed_testing_read(const char *path, size_t *len)
{
	gzFile f = gzopen(path, "rb");
	size_t cap = 1 << 20, n = 0;
	char *buf = NULL, *bigger;
	int got;

	*len = 0;
	if (!f)
		return NULL;
	gzbuffer(f, 1 << 17);
	if (!(buf = malloc(cap + 1)))
		goto fail;
	while ((got = gzread(f, buf + n, (unsigned)(cap - n))) > 0) {
		n += (size_t)got;
		if (n == cap) {
			if (!(bigger = realloc(buf, cap * 2 + 1)))
				goto fail;
			buf = bigger;
			cap *= 2;
		}
	}
	if (got < 0)
		goto fail;
	gzclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	free(buf);
	gzclose(f);
	return NULL;
}

/* The path of a file in ../shared/feeds (skips the test when absent). */
static inline const char *feed_testing_shared(char *buf, size_t size, const char *file)
{
	char rel[512];

	snprintf(rel, sizeof(rel), "feeds/%s", file);
	return testing_shared_path(buf, size, rel);
}

/* A file of ../shared/feeds read whole as feed_testing_read() does; the
 * test fails when it cannot be read (and is skipped when it is absent). */
static inline char *feed_testing_read_shared(const char *file, size_t *len)
{
	char path[4096];
	char *data = feed_testing_read(feed_testing_shared(path, sizeof(path), file), len);

	assert_non_null(data);
	return data;
}

/* Parses a file of ../shared/feeds, gunzipped, into c (initialised here) as
 * a file called name; returns the parser's result. */
static inline int feed_testing_parse_shared(struct feed_collector *c, feed_parse_fn parse, const char *file,
					    const char *name)
{
	size_t len;
	char *data = feed_testing_read_shared(file, &len);
	struct feed_sink sink = feed_collector_init(c);
	int rc = parse(name, data, len, &sink);

	free(data);
	return rc;
}

/* Calls fn for each regular file of an uncompressed tar archive in memory
 * with its name and contents. Only the 100-byte name field is read: the
 * shared tarballs are ustar/GNU tar with shorter names. */
static inline void feed_testing_each_tar_file(const char *tar, size_t len,
					      void (*fn)(void *ctx, const char *name, const char *data, size_t len),
					      void *ctx)
{
	size_t pos = 0;

	while (pos + 512 <= len && tar[pos]) {
		const char *h = tar + pos;
		char name[101], size_text[13];
		size_t size;

		snprintf(name, sizeof(name), "%.100s", h);
		memcpy(size_text, h + 124, 12);
		size_text[12] = '\0';
		size = (size_t)strtoul(size_text, NULL, 8);
		assert_true(pos + 512 + size <= len);
		if (h[156] == '0' || h[156] == '\0')
			fn(ctx, name, h + 512, size);
		pos += 512 + (size + 511) / 512 * 512;
	}
}

struct feed_testing_tar_find {
	const char *name, *data;
	size_t len;
};

static inline void feed_testing_tar_match(void *ctx, const char *name, const char *data, size_t len)
{
	struct feed_testing_tar_find *f = ctx;

	if (!f->data && strcmp(name, f->name) == 0) {
		f->data = data;
		f->len = len;
	}
}

/* The contents of the regular file called name in an uncompressed tar
 * archive in memory (not NUL-terminated: *size bytes), NULL when there is
 * none. */
static inline const char *feed_testing_tar_file(const char *tar, size_t len, const char *name, size_t *size)
{
	struct feed_testing_tar_find f = {name, NULL, 0};

	feed_testing_each_tar_file(tar, len, feed_testing_tar_match, &f);
	*size = f.len;
	return f.data;
}

struct feed_testing_tar_walk {
	const struct feed_sink *sink;
	feed_parse_fn parse;
	const char *suffix;
	size_t files;
};

static inline void feed_testing_parse_member(void *ctx, const char *name, const char *data, size_t len)
{
	struct feed_testing_tar_walk *w = ctx;
	size_t n = strlen(name), k = strlen(w->suffix);

	if (n < k || strcmp(name + n - k, w->suffix) != 0)
		return;
	w->files++;
	if (w->parse(name, data, len, w->sink) != ASEC_OK)
		fail_msg("%s: %s", name, error_last());
}

/* Parses every file of a gzipped tarball in ../shared/feeds whose name
 * ends in suffix into c (initialised here), each under its name in the
 * tarball; a parser failure fails the test. Returns how many it parsed. */
static inline size_t feed_testing_parse_tarball(struct feed_collector *c, feed_parse_fn parse, const char *file,
						const char *suffix)
{
	size_t len;
	char *tar = feed_testing_read_shared(file, &len);
	struct feed_sink sink = feed_collector_init(c);
	struct feed_testing_tar_walk w = {&sink, parse, suffix, 0};

	feed_testing_each_tar_file(tar, len, feed_testing_parse_member, &w);
	free(tar);
	return w.files;
}

#endif
