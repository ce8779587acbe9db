/*
 * apk_fuzz.c - libFuzzer target for the apk detector.
 *
 * The input is scanned as lib/apk/db/installed.
 * What must hold: no crash, leak or read past the buffer; scan() returns
 * ASEC_OK (or ASEC_ENOMEM); every package has a name, and its name,
 * version, architecture and origin are printable ASCII without blanks of at
 * most 1 KiB (so valid in a JSON report); the source version is the
 * version whenever there is an origin; ecosystem "apk", kind "binary", an
 * apk purl and an empty repository hint.
 */
#include "detectors/detector_fuzzing.h"

extern const struct detector detector_apk;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char path[] = "lib/apk/db/installed";
	struct scan_out out;
	size_t i;

	detector_fuzz_scan(&out, &detector_apk, path, data, size);
	for (i = 0; i < out.pkgs.count; i++) {
		const struct pkg *p = &out.pkgs.items[i];

		detector_fuzz_token(p->name, 0, 0, 1024);
		detector_fuzz_token(p->version, 1, 1, 1024);
		detector_fuzz_token(p->arch, 1, 1, 1024);
		detector_fuzz_token(p->source_name, 1, 1, 1024);
		detector_fuzz_token(p->purl, 0, 0, 1024);
		if (p->source_name && (!p->source_version || strcmp(p->source_version, p->version) != 0))
			abort();
		if (strcmp(p->ecosystem, "apk") != 0 || strcmp(p->kind, "binary") != 0 || strcmp(p->package_db, path) != 0 ||
		    strncmp(p->purl, "pkg:apk/alpine/", 15) != 0 || (p->repository_hint && p->repository_hint[0]))
			abort();
	}
	scan_out_free(&out);
	return 0;
}
