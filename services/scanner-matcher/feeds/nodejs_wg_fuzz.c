/*
 * nodejs_wg_fuzz.c - libFuzzer target of the Node.js security-wg parser.
 *
 * Whatever the bytes - one advisory, JSON Lines of them, the index, or
 * garbage - the parser must not crash, leak or overrun, every record it
 * emits must pass feed_record_check() (so a range that ends before it
 * starts, or a bound that is no version, is a bug found), and every skip
 * must say why (feed_fuzzing.h). Seeds in tests/fuzz/corpus/nodejs_wg_fuzz/
 * are cut from the shared file, plus one file of node-semver range shapes.
 */
#include <stdint.h>

#include "feeds/feed_fuzzing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	feed_fuzz_run(feed_parse_nodejs_wg, "vuln/npm/1.json", data, size);
	return 0;
}
