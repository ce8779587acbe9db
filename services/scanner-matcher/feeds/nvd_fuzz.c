/*
 * nvd_fuzz.c - libFuzzer target of the NVD (API 2.0 pages, JSON 1.1 feeds, JSON Lines of their items) parser.
 *
 * Whatever the input, the parser must not crash, leak or overrun, must give
 * a reason for every skip, and every record it emits must pass
 * feed_record_check() (feed_fuzzing.h aborts otherwise).
 */
#include "feeds/feed_fuzzing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	feed_fuzz_run(feed_parse_nvd, "nvd.json", data, size);
	return 0;
}
