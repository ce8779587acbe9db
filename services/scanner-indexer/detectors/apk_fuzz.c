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
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detectors/detector.h"
#include "error/error.h"

extern const struct detector detector_apk;

static void check_token(const char *s, int required)
{
	size_t i, n;

	if (!s) {
		if (required)
			abort();
		return;
	}
	n = strlen(s);
	if ((required && n == 0) || n > 1024)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char path[] = "lib/apk/db/installed";
	struct scan_out out;
	size_t i;
	int rc;

	memset(&out, 0, sizeof(out));
	rc = detector_apk.scan(&out, path, data, size);
	if (rc != ASEC_OK && rc != ASEC_ENOMEM)
		abort();
	for (i = 0; i < out.pkgs.count; i++) {
		const struct pkg *p = &out.pkgs.items[i];

		check_token(p->name, 1);
		check_token(p->version, 0);
		check_token(p->arch, 0);
		check_token(p->source_name, 0);
		check_token(p->purl, 1);
		if (p->source_name && (!p->source_version || strcmp(p->source_version, p->version) != 0))
			abort();
		if (strcmp(p->ecosystem, "apk") != 0 || strcmp(p->kind, "binary") != 0 || strcmp(p->package_db, path) != 0 ||
		    strncmp(p->purl, "pkg:apk/alpine/", 15) != 0 || (p->repository_hint && p->repository_hint[0]))
			abort();
	}
	scan_out_free(&out);
	return 0;
}
