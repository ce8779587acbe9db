/*
 * rubysec_fuzz.c - libFuzzer target of the RubySec parser.
 *
 * Whatever the bytes, the parser must not crash, leak or overrun, every
 * record it emits must pass feed_record_check() (RubyGems bounds are
 * checked with version_valid_rubygems there, so a "~>" bump that made an
 * invalid version is a bug found), and every skip must say why
 * (feed_fuzzing.h). Seeds in tests/fuzz/corpus/rubysec_fuzz/ are real
 * advisories from the shared tarball, plus one of requirement shapes.
 */
#include <stdint.h>

#include "feeds/feed_fuzzing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	feed_fuzz_run(feed_parse_rubysec, "gems/g/CVE-2021-0001.yml", data, size);
	return 0;
}
