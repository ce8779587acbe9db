/*
 * csaf_fuzz.c - libFuzzer target for feed_parse_csaf(): any input must
 * neither crash nor leak, and every record it yields must pass
 * feed_record_check() (see feed_fuzzing.h). jansson guards the JSON; what
 * is fuzzed here is the walk over it - nested branches, relationship chains,
 * purl and NEVRA parsing, CPE classification and the folding of streams -
 * so the seeds are small real documents cut down to a few products each.
 */
#include "feeds/feed_fuzzing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	feed_fuzz_run(feed_parse_csaf, "csaf.jsonl", data, size);
	return 0;
}
