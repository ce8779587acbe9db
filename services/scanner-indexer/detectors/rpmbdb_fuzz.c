/*
 * rpmbdb_fuzz.c - libFuzzer target: arbitrary bytes as a BerkeleyDB hash
 * database (page walk, overflow chains), every blob found going on through
 * the header parser and package builder.
 * Seeds: tests/fuzz/corpus/rpmbdb_fuzz.
 */
#include <stddef.h>
#include <stdint.h>

#include "detectors/rpm.h"
#include "detectors/rpmdb.h"

static int fuzz_blob(void *ctx, const unsigned char *blob, size_t len)
{
	return rpm_add_header(ctx, "fuzz", blob, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scan_out out = {0};

	rpmbdb_read(&out, "fuzz", data, size, fuzz_blob, &out);
	scan_out_free(&out);
	return 0;
}
