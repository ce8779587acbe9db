/*
 * dpkg_fuzz.c - libFuzzer target for the dpkg detector.
 *
 * Input layout: the low bit of byte 0 picks var/lib/dpkg/status (0) or a
 * distroless var/lib/dpkg/status.d/ entry (1); the rest is the file.
 * What must hold: no crash, leak or read past the buffer; scan() returns
 * ASEC_OK (or ASEC_ENOMEM); every package has a name, and its name,
 * version, architecture and source fields are printable ASCII without
 * blanks of at most 1 KiB (so valid in a JSON report), with the "deb"
 * ecosystem, "binary" kind, the file's path as package_db and a deb purl.
 */
#include "detectors/detector_fuzzing.h"

extern const struct detector detector_dpkg;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path;
	struct scan_out out;
	size_t i;

	if (size < 1)
		return 0;
	path = (data[0] & 1) ? "var/lib/dpkg/status.d/fuzz" : "var/lib/dpkg/status";
	if (!detector_dpkg.match(path, strlen(path), 0644))
		abort();
	detector_fuzz_scan(&out, &detector_dpkg, path, data + 1, size - 1);
	for (i = 0; i < out.pkgs.count; i++) {
		const struct pkg *p = &out.pkgs.items[i];

		detector_fuzz_token(p->name, 0, 0, 1024);
		detector_fuzz_token(p->version, 0, 1, 1024);
		detector_fuzz_token(p->arch, 0, 1, 1024);
		detector_fuzz_token(p->source_name, 0, 0, 1024);
		detector_fuzz_token(p->source_version, 0, 1, 1024);
		detector_fuzz_token(p->purl, 0, 0, 1024);
		if (strcmp(p->ecosystem, "deb") != 0 || strcmp(p->kind, "binary") != 0 ||
		    strcmp(p->package_db, path) != 0 || strncmp(p->purl, "pkg:deb/debian/", 15) != 0)
			abort();
	}
	scan_out_free(&out);
	return 0;
}
