/*
 * feed_fuzzing.h - the harness of the feed parser fuzz targets.
 *
 * Whatever the input, a parser must not crash, leak or overrun, and every
 * record it emits must pass feed_record_check(): a record the store would
 * refuse is a parser bug, so it aborts and libFuzzer keeps the input.
 */
#ifndef ASEC_FEED_FUZZING_H
#define ASEC_FEED_FUZZING_H

#include <stdint.h>
#include <stdlib.h>

#include "error/error.h"
#include "feeds/feed.h"

static inline int feed_fuzz_record(void *ctx, json_t *record)
{
	(void)ctx;
	if (feed_record_check(record) != ASEC_OK)
		abort();
	json_decref(record);
	return 0;
}

static inline void feed_fuzz_skip(void *ctx, const char *id, const char *reason)
{
	(void)ctx;
	if (!id || !reason || !*reason)
		abort(); /* a skip must always say why */
}

static inline void feed_fuzz_run(feed_parse_fn parse, const char *name, const uint8_t *data, size_t size)
{
	struct feed_sink sink = {feed_fuzz_record, feed_fuzz_skip, NULL};

	(void)parse(name, (const char *)data, size, &sink);
}

#endif
