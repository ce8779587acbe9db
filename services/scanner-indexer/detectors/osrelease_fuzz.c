/*
 * osrelease_fuzz.c - libFuzzer target for the distribution detector.
 *
 * Input layout: byte 0 picks the path of a first file, byte 1 the path of a
 * second one (among the nine the detector reads), byte 2 where the rest is
 * cut in two; both halves are scanned into one scan_out, as two files of one
 * layer, so the ranking and merging run too.
 * What must hold: no crash, leak or read past the buffer; scan() returns
 * ASEC_OK (or ASEC_ENOMEM); every string of the dist is valid UTF-8 (the
 * report is JSON) with no control bytes and at most 1 KiB; a dist is never
 * empty; and the ids and versions taken from marker files hold no blanks.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "detectors/detector.h"
#include "detectors/osrelease.h"
#include "error/error.h"

static const char *const paths[] = {
	"etc/os-release",     "usr/lib/os-release", "etc/lsb-release",        "etc/alpine-release", "etc/centos-release",
	"etc/redhat-release", "etc/system-release", "etc/system-release-cpe", "etc/debian_version",
};

static void check_text(const char *s)
{
	json_t *j;
	size_t i, n;

	if (!s)
		return;
	n = strlen(s);
	if (n > 1024)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
	j = json_string(s);
	if (!j)
		abort(); /* not UTF-8 */
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *a, *b;
	struct scan_out out;
	struct dist *copy;
	size_t cut;
	int rc;

	if (size < 3)
		return 0;
	a = paths[data[0] % (sizeof(paths) / sizeof(paths[0]))];
	b = paths[data[1] % (sizeof(paths) / sizeof(paths[0]))];
	cut = (size - 3) * data[2] / 255;
	data += 3;
	size -= 3;
	memset(&out, 0, sizeof(out));
	rc = detector_osrelease.scan(&out, a, data, cut);
	if (rc == ASEC_OK)
		rc = detector_osrelease.scan(&out, b, data + cut, size - cut);
	if (rc != ASEC_OK && rc != ASEC_ENOMEM)
		abort();
	if (out.dist) {
		struct dist *d = out.dist;

		if (!d->did && !d->name && !d->version && !d->version_code_name && !d->version_id && !d->cpe &&
		    !d->pretty_name)
			abort();
		check_text(d->did);
		check_text(d->name);
		check_text(d->version);
		check_text(d->version_code_name);
		check_text(d->version_id);
		check_text(d->arch);
		check_text(d->cpe);
		check_text(d->pretty_name);
		if (d->arch)
			abort(); /* nothing here knows the architecture */
		if (dist_copy(&copy, d) == ASEC_OK)
			dist_free(copy);
	}
	scan_out_free(&out);
	return 0;
}
