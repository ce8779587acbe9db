/*
 * kev_fuzz.c - libFuzzer target of the CISA KEV catalog parser.
 *
 * Whatever the input, the parser must not crash, leak or overrun, must give
 * a reason for every skip, and every record it emits must pass
 * feed_record_check() (feed_fuzzing.h aborts otherwise).
 */
#include "feeds/feed_fuzzing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	feed_fuzz_run(feed_parse_kev, "known_exploited_vulnerabilities.json", data, size);
	return 0;
}
