/*
 * alpine_fuzz.c - libFuzzer target for the Alpine secdb parser (JSON and
 * YAML both: the first byte chooses, so one corpus covers the two paths).
 */
#include <stdint.h>

#include "feeds/feed_fuzzing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	feed_fuzz_run(feed_parse_alpine_secdb, "v3.18/main.json", data, size);
	return 0;
}
