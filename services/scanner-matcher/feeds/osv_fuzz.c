/*
 * osv_fuzz.c - libFuzzer target of the OSV parser.
 *
 * Whatever the bytes - one record, an array, JSON Lines, or garbage - the
 * parser must not crash, leak or overrun, every record it emits must pass
 * feed_record_check(), and every skip must say why (feed_fuzzing.h). Seeds
 * in tests/fuzz/corpus/osv_fuzz/ are cut from the shared Go, PyPA,
 * AlmaLinux, Debian and GHSA data, plus one file of edge cases.
 */
#include <stdint.h>

#include "feeds/feed_fuzzing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	feed_fuzz_run(feed_parse_osv, "osv.json", data, size);
	return 0;
}
