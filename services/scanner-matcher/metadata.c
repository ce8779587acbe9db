/*
 * metadata.c - Vulnerabilities: how fresh the data is.
 */
#include "scanner_matcher.h"

int scanner_matcher_handle_getMatcherMetadata(struct http_exchange *ex,
					      const struct scanner_matcher_getMatcherMetadata_params *params, json_t *body)
{
	struct matcher_service *svc = http_exchange_server_context(ex);
	json_t *out = NULL;
	int rc = store_vulns_metadata(&out, svc->pool);

	if (rc)
		return http_respond_error(ex, rc);
	return http_respond_json(ex, 200, out);
}
