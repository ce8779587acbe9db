/*
 * image_convert_fuzz.c - image_convert() on arbitrary pairs of JSON reports.
 *
 * The input is two JSON texts separated by the first NUL byte: the index
 * report, then the vulnerability report. The reports come from our own
 * services, but central must survive any bytes its dependencies answer:
 * every value of every type anywhere. Each Image made must serialise, and
 * converting the same reports twice must give the same text (no hidden
 * dependence on memory or order).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "image_convert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t first = nul ? (size_t)(nul - data) : size;
	json_t *index, *vuln = NULL, *a = NULL, *b = NULL;
	struct image_convert_input in = {
		.full_name = "registry.example.com/ns/app:1", .registry = "registry.example.com", .remote = "ns/app",
		.tag = "1", .scanner_version = "fuzz", .vuln_data_updated = "", .scan_time_ms = 1717243200250LL,
	};

	if (size > 1 << 20)
		return 0;
	index = json_loadb((const char *)data, first, 0, NULL);
	if (nul)
		vuln = json_loadb((const char *)nul + 1, size - first - 1, 0, NULL);
	if (!vuln)
		vuln = json_object();
	in.index_report = index;
	in.vuln_report = vuln;
	if (image_convert(&a, &in) == 0) {
		char *sa = json_dumps(a, JSON_SORT_KEYS), *sb;
		if (!sa || image_convert(&b, &in) != 0)
			abort();
		sb = json_dumps(b, JSON_SORT_KEYS);
		if (!sb || strcmp(sa, sb) != 0)
			abort();
		free(sa);
		free(sb);
	}
	json_decref(a);
	json_decref(b);
	json_decref(index);
	json_decref(vuln);
	return 0;
}
