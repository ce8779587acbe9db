/*
 * cves.c - VulnerabilityService: the CVEs found in stored images, one row
 * per CVE, their counts and summary by severity, and one CVE with the
 * images and components it affects.
 *
 * The rows are store_cves.c's; the search fields are the images' (a CVE
 * list is a view of the same findings). What is decided here is only what
 * the HTTP caller sees: a query that does not parse or a bad page is a 400
 * naming the parameter, an unknown CVE a 404, Central DB down a 503.
 */
#include "central.h"

#include "api_common.h"
#include "error/error.h"
#include "store_cves.h"
#include "store_images.h"

int central_handle_listCVEs(struct http_exchange *ex, const struct central_listCVEs_params *params, json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	struct store_search_page page;
	struct query *q = NULL;
	json_t *cves = NULL;
	int rc;

	(void)body;
	central_page_from_params(&page, CENTRAL_PAGINATION_OF(params));
	if (central_query_parse(&q, ex, "query", params->query, store_images_query_fields))
		return ASEC_OK;
	rc = store_cves_list(&cves, c->pool, q, &page);
	query_free(q);
	if (rc == ASEC_EINVALID)
		return http_respond_problem(ex, 400, "Bad Request", "pagination: %s", error_last());
	if (rc)
		return central_respond_store_error(ex, rc);
	return http_respond_json(ex, 200, json_pack("{s:o}", "cves", cves));
}

int central_handle_countCVEs(struct http_exchange *ex, const struct central_countCVEs_params *params, json_t *body)
{
	(void)body;
	return central_respond_count(ex, params->query, store_images_query_fields, store_cves_count);
}

int central_handle_getCVESummary(struct http_exchange *ex, const struct central_getCVESummary_params *params,
				 json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	struct query *q = NULL;
	json_t *summary = NULL;
	int rc;

	(void)body;
	if (central_query_parse(&q, ex, "query", params->query, store_images_query_fields))
		return ASEC_OK;
	rc = store_cves_summary(&summary, c->pool, q);
	query_free(q);
	if (rc)
		return central_respond_store_error(ex, rc);
	return http_respond_json(ex, 200, summary);
}

int central_handle_getCVE(struct http_exchange *ex, const struct central_getCVE_params *params, json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	struct store_search_page page;
	json_t *cve = NULL;
	int rc;

	(void)body;
	central_page_from_params(&page, params->has_pagination_limit, params->pagination_limit,
				 params->has_pagination_offset, params->pagination_offset, 0, NULL, 0, 0);
	rc = store_cves_get(&cve, c->pool, params->id, &page);
	if (rc == ASEC_ENOTFOUND)
		return http_respond_problem(ex, 404, "Not Found", "no stored image has %s", params->id);
	if (rc == ASEC_EINVALID)
		return http_respond_problem(ex, 400, "Bad Request", "pagination: %s", error_last());
	if (rc)
		return central_respond_store_error(ex, rc);
	return http_respond_json(ex, 200, cve);
}
