/*
 * index_reports.c - IndexReports: create, get and check index reports.
 */
#include "scanner_indexer.h"

#include <string.h>

#include "error/error.h"
#include "log/log.h"
#include "registry/registry.h"

/* How an indexing failure reads to the caller. The registry's refusal of
 * credentials is not the caller's authentication failing, so it is 422,
 * never 401. */
static int respond_index_error(struct http_exchange *ex, int code)
{
	const char *detail = error_last()[0] ? error_last() : error_code_name(code);

	switch (code) {
	case ASEC_ENOTFOUND:
		return http_respond_problem(ex, 404, "Image not found", "%s", detail);
	case ASEC_EINVALID: /* the reference was checked before: this is the registry's content */
	case ASEC_EAUTH:
	case ASEC_ETOOBIG:
	case ASEC_ECONFLICT:
		return http_respond_problem(ex, 422, "Image cannot be indexed", "%s", detail);
	case ASEC_EIO:
		return http_respond_problem(ex, 502, "Registry unavailable", "%s", detail);
	case ASEC_ETIMEOUT:
		return http_respond_problem(ex, 504, "Registry timed out", "%s", detail);
	default:
		return http_respond_error(ex, code);
	}
}

int scanner_indexer_handle_createIndexReport(struct http_exchange *ex,
					     const struct scanner_indexer_createIndexReport_params *params, json_t *body)
{
	struct indexer_service *svc = http_exchange_server_context(ex);
	const json_t *image = json_object_get(body, "containerImage");
	struct index_request req = {
		.hash_id = json_string_value(json_object_get(body, "hashId")),
		.image = json_string_value(json_object_get(image, "url")),
		.username = json_string_value(json_object_get(image, "username")),
		.password = json_string_value(json_object_get(image, "password")),
		.insecure_skip_tls_verify = json_is_true(json_object_get(image, "insecureSkipTlsVerify")),
		.platform = json_string_value(json_object_get(body, "platform")),
	};
	struct registry_ref ref;
	struct registry_platform platform;
	json_t *report = NULL;
	int created = 0, rc;

	/* The caller's own mistakes are told apart from the registry's here. */
	memset(&ref, 0, sizeof(ref));
	rc = registry_ref_parse(&ref, req.image);
	registry_ref_free(&ref);
	if (rc)
		return http_respond_problem(ex, 400, "Invalid image reference", "%s", error_last());
	if (req.platform && registry_platform_parse(&platform, req.platform))
		return http_respond_problem(ex, 400, "Invalid platform", "%s", error_last());
	rc = indexer_index(&report, &created, svc->indexer, &req);
	if (rc)
		return respond_index_error(ex, rc);
	return http_respond_json(ex, created ? 201 : 200, report);
}

int scanner_indexer_handle_getIndexReport(struct http_exchange *ex,
					  const struct scanner_indexer_getIndexReport_params *params, json_t *body)
{
	struct indexer_service *svc = http_exchange_server_context(ex);
	json_t *report = NULL;
	int rc = store_index_report_get(&report, NULL, svc->pool, params->hashId);

	if (rc)
		return http_respond_error(ex, rc);
	return http_respond_json(ex, 200, report);
}

int scanner_indexer_handle_hasIndexReport(struct http_exchange *ex,
					  const struct scanner_indexer_hasIndexReport_params *params, json_t *body)
{
	struct indexer_service *svc = http_exchange_server_context(ex);
	int exists = 0, rc = store_index_report_exists(&exists, svc->pool, params->hashId);

	if (rc)
		return http_respond_error(ex, rc);
	return http_respond_text(ex, exists ? 200 : 404, "text/plain", "", 0);
}
