/*
 * debian_list_fuzz.c - libFuzzer target for feed_parse_debian_list(): any
 * input must neither crash nor leak, and every record it yields must pass
 * feed_record_check() (see feed_fuzzing.h). Seeds are cut from the real DSA
 * and DLA lists plus one entry of every package-line kind.
 */
#include "feeds/feed_fuzzing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	feed_fuzz_run(feed_parse_debian_list, "DSA/list", data, size);
	return 0;
}
