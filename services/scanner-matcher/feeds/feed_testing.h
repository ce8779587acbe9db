/*
 * feed_testing.h - what the feed parser tests share (tests only).
 *
 * A collecting sink keeps every record (after checking it with
 * feed_record_check(), so a malformed record fails the test that produced
 * it) and every skip with its reason, and can find a record by id.
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

#endif
