/*
 * body_validation_fuzz.c - libFuzzer target for generated request-body
 * validation: arbitrary bytes are parsed as a JSON body and validated against
 * each body schema of the generator's test API, the same path every POST
 * takes through the server. The first byte picks the operation so that the
 * fuzzer can steer towards each schema.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "schema/schema.h"
#include "testapi_api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t count = 0, i, with_body = 0;
	const struct http_operation *const *ops = testapi_api_operations(&count);
	const struct schema *chosen = NULL;
	struct schema_result result;
	json_t *value = NULL;

	if (size < 1)
		return 0;
	for (i = 0; i < count; i++)
		if (ops[i]->body_schema && with_body++ == data[0] % 2)
			chosen = ops[i]->body_schema;
	if (!chosen)
		return 0;
	if (schema_parse_json(&value, (const char *)data + 1, size - 1) != 0)
		return 0;
	schema_validate(&result, chosen, value);
	free(schema_result_summary(&result));
	schema_result_clear(&result);
	json_decref(value);
	return 0;
}

/* The route table binds every operation to a handler (a missing one fails the
 * link, by design); the fuzzer never dispatches, so these only answer 501. */
#define NOT_DISPATCHED(op)                                                                                   \
	int testapi_handle_##op(struct http_exchange *ex, const struct testapi_##op##_params *params, json_t *body) \
	{                                                                                                    \
		return http_respond_problem(ex, 501, "Not implemented", "the fuzzer does not dispatch");    \
	}
NOT_DISPATCHED(listWidgets)
NOT_DISPATCHED(createWidget)
NOT_DISPATCHED(getWidget)
NOT_DISPATCHED(getSpecialWidget)
NOT_DISPATCHED(syncInternal)
NOT_DISPATCHED(getFile)
