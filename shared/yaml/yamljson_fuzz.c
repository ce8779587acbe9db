/*
 * yamljson_fuzz.c - libFuzzer target for the YAML converter.
 *
 * Whatever the bytes, the converter must not crash, leak or overrun, and
 * whatever it returns must serialize: a value json_dumps() refuses (a
 * cycle, a bad string) would break every caller that stores it. Limits are
 * smaller than the defaults so that a slow input is a finding, not a hang.
 */
#include <stdint.h>
#include <stdlib.h>

#include "error/error.h"
#include "yaml/yamljson.h"

static void check(json_t *value)
{
	char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);

	if (!text)
		abort();
	free(text);
	json_decref(value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct yamljson_limits limits = {
		.max_input_bytes = 1 << 20,
		.max_depth = 64,
		.max_nodes = 100000,
		.max_scalar_bytes = 1 << 16,
		.max_documents = 1000,
	};
	json_t *out = NULL;
	int rc;

	rc = yamljson_parse_all(&out, (const char *)data, size, YAMLJSON_CORE_SCHEMA, &limits);
	if (rc == ASEC_OK)
		check(out);
	else if (out || error_last()[0] == '\0')
		abort(); /* a failure leaves nothing behind and always says why */
	rc = yamljson_parse(&out, (const char *)data, size, YAMLJSON_STRINGS, &limits);
	if (rc == ASEC_OK)
		check(out);
	else if (out)
		abort();
	return 0;
}
