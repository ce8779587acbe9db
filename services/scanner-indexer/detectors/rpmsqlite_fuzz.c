/*
 * rpmsqlite_fuzz.c - libFuzzer target: arbitrary bytes as an rpmdb.sqlite,
 * every blob found going on through the header parser and package builder.
 * The system SQLite is not instrumented, so coverage guidance stops at its
 * API: this mostly exercises our header checks and the locked-down
 * connection against whatever SQLite makes of mutated files.
 * Seeds: tests/fuzz/corpus/rpmsqlite_fuzz.
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

	rpmsqlite_read(&out, "fuzz", data, size, fuzz_blob, &out);
	scan_out_free(&out);
	return 0;
}
