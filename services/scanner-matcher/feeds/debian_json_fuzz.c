/*
 * debian_json_fuzz.c - libFuzzer target for feed_parse_debian_json(): any
 * input must neither crash nor leak, and every record it yields must pass
 * feed_record_check() (see feed_fuzzing.h). The hand walk over the top-level
 * object is the part jansson does not guard, so seeds include pretty and
 * compact exports.
 */
#include "feeds/feed_fuzzing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	feed_fuzz_run(feed_parse_debian_json, "json", data, size);
	return 0;
}
