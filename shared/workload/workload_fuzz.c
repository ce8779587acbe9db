/*
 * workload_fuzz.c - libFuzzer target for workload_from_text.
 *
 * Whatever the bytes (YAML, JSON, Lists, Services pointing anywhere), the
 * translation must not crash, leak or overrun; a success must give arrays
 * that serialize, and a failure must leave no result behind and say why.
 */
#include <stdint.h>
#include <stdlib.h>

#include "error/error.h"
#include "workload/workload.h"

static void check(const json_t *v)
{
	char *text;

	if (!json_is_array(v))
		abort();
	text = json_dumps(v, JSON_COMPACT);
	if (!text)
		abort();
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct workload_result r;
	int rc;

	if (size > (1u << 20))
		return 0;
	error_clear();
	rc = workload_from_text(&r, (const char *)data, size, "fuzz");
	if (rc == ASEC_OK) {
		check(r.deployments);
		check(r.network_policies);
		check(r.ignored);
		check(r.remarks);
		workload_result_free(&r);
	} else if (r.deployments || error_last()[0] == '\0') {
		abort();
	}
	return 0;
}
