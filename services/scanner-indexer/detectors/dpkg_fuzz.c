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
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detectors/detector.h"
#include "error/error.h"

extern const struct detector detector_dpkg;

static void check_token(const char *s, int required)
{
	size_t i, n;

	if (!s)
		abort();
	n = strlen(s);
	if ((required && n == 0) || n > 1024)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path;
	struct scan_out out;
	size_t i;
	int rc;

	if (size < 1)
		return 0;
	path = (data[0] & 1) ? "var/lib/dpkg/status.d/fuzz" : "var/lib/dpkg/status";
	if (!detector_dpkg.match(path, strlen(path), 0644))
		abort();
	memset(&out, 0, sizeof(out));
	rc = detector_dpkg.scan(&out, path, data + 1, size - 1);
	if (rc != ASEC_OK && rc != ASEC_ENOMEM)
		abort();
	for (i = 0; i < out.pkgs.count; i++) {
		const struct pkg *p = &out.pkgs.items[i];

		check_token(p->name, 1);
		check_token(p->version, 0);
		check_token(p->arch, 0);
		check_token(p->source_name, 1);
		check_token(p->source_version, 0);
		check_token(p->purl, 1);
		if (strcmp(p->ecosystem, "deb") != 0 || strcmp(p->kind, "binary") != 0 ||
		    strcmp(p->package_db, path) != 0 || strncmp(p->purl, "pkg:deb/debian/", 15) != 0)
			abort();
	}
	scan_out_free(&out);
	return 0;
}
