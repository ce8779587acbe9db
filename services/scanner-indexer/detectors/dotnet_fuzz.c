/*
 * dotnet_fuzz.c - libFuzzer target for the dotnet detector.
 *
 * The input is scanned as an application's deps.json, and also offered to match() as a path.
 * What must hold: no crash, no leak, no read past the buffer; scan() returns
 * ASEC_OK (or ASEC_ENOMEM); and every package reported has a non-empty name
 * and version of at most 512 bytes with no control characters, the "nuget"
 * ecosystem, and a purl of that type.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detectors/detector.h"
#include "error/error.h"

extern const struct detector detector_dotnet;

static void check_field(const char *s)
{
	size_t i, n;

	if (!s || !s[0])
		abort();
	n = strlen(s);
	if (n > 512)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scan_out out;
	size_t i;
	int rc;

	memset(&out, 0, sizeof(out));
	rc = detector_dotnet.scan(&out, "app/x.deps.json", data, size);
	if (rc != ASEC_OK && rc != ASEC_ENOMEM)
		abort();
	for (i = 0; i < out.pkgs.count; i++) {
		const struct pkg *p = &out.pkgs.items[i];

		check_field(p->name);
		check_field(p->version);
		if (strcmp(p->ecosystem, "nuget") != 0 || strncmp(p->purl, "pkg:nuget/", strlen("pkg:nuget/")) != 0)
			abort();
	}
	if (out.note_count > SCAN_MAX_NOTES)
		abort();
	scan_out_free(&out);
	(void)detector_dotnet.match((const char *)data, size, 0644);
	return 0;
}
