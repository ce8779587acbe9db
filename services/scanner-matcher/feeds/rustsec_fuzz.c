/*
 * rustsec_fuzz.c - libFuzzer target of the RustSec parser and its TOML
 * subset reader.
 *
 * Whatever the bytes, the parser must not crash, leak or overrun (strings,
 * escapes and nesting are where a hand-written reader goes wrong), every
 * record it emits must pass feed_record_check(), and every skip must say
 * why (feed_fuzzing.h). Seeds in tests/fuzz/corpus/rustsec_fuzz/ are real
 * advisories from the shared tarball, plus one of TOML edge cases.
 */
#include <stdint.h>

#include "feeds/feed_fuzzing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	feed_fuzz_run(feed_parse_rustsec, "crates/x/RUSTSEC-2021-0001.md", data, size);
	return 0;
}
