/*
 * importer_fuzz.c - any bytes as an uploaded file: compressed or not, an
 * archive, a bundle with a manifest, or a feed file of any format. The
 * importer must never crash or leak, must refuse or import, and whatever it
 * imports must be a usable snapshot. Limits are lowered so that a bomb
 * stops at 8 MiB instead of the service's gigabyte.
 */
#include <stdint.h>
#include <stdlib.h>

#include "error/error.h"
#include "importer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vulndata_holder *holder = NULL;
	struct import_batch *b = NULL;
	json_t *result = NULL;

	if (vulndata_holder_new(&holder) || import_batch_new(&b))
		abort();
	import_batch_set_limits(b, 8u << 20, 16u << 20);
	if (import_add_buffer(b, data, size, size && data[0] & 1 ? "upload.json" : NULL, NULL) == ASEC_OK) {
		int rc = import_commit(&result, b, NULL, holder);
		if (rc != ASEC_OK && rc != ASEC_EINVALID && rc != ASEC_ENOMEM)
			abort();
		if (rc == ASEC_OK && !json_is_array(json_object_get(result, "sources")))
			abort();
	}
	json_decref(result);
	import_batch_free(b);
	vulndata_holder_free(holder);
	return 0;
}
