/*
 * manifest_fuzz.c - libFuzzer target for the document parsers: every input
 * is read as a manifest or index (under each Content-Type a registry might
 * send) and as an image config; an index is also asked for a platform. The
 * parsers must refuse or accept cleanly, never crash, leak or overrun.
 */
#include <stddef.h>
#include <stdint.h>

#include "registry/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const content_types[] = {
		NULL,
		REGISTRY_MT_OCI_MANIFEST,
		REGISTRY_MT_DOCKER_LIST "; charset=utf-8",
	};
	struct registry_manifest m;
	struct registry_index idx;
	struct registry_config c;
	struct registry_platform p;
	size_t pos;
	int is_index;

	for (size_t i = 0; i < sizeof(content_types) / sizeof(content_types[0]); i++) {
		if (registry_document_parse(&is_index, &m, &idx, content_types[i], data, size) != 0)
			continue;
		if (is_index) {
			registry_index_select(&pos, &idx, NULL);
			if (registry_platform_parse(&p, "linux/arm64") == 0)
				registry_index_select(&pos, &idx, &p);
			registry_index_free(&idx);
		} else {
			registry_manifest_free(&m);
		}
	}
	if (registry_config_parse(&c, data, size) == 0)
		registry_config_free(&c);
	return 0;
}
