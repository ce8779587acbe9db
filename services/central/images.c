/*
 * images.c - ImageService: scan an image, and search, read, count and
 * delete the images central keeps.
 *
 * The scan itself is image_scan.c's; the rows are store_images.c's. What is
 * decided here is only what the HTTP caller sees: a query that does not parse
 * is a 400 that names the position and the offending part, an unreachable
 * dependency a 503 (with Retry-After) naming it.
 */
#include "central.h"

#include <stdio.h>
#include <string.h>

#include "api_common.h"
#include "error/error.h"
#include "image_scan.h"
#include "query/query.h"
#include "store_images.h"

/* How long a client should wait before retrying a scan that found a
 * dependency down: about what a restarting scanner takes. */
#define SCAN_RETRY_AFTER_S CENTRAL_RETRY_AFTER_S

int central_handle_scanImage(struct http_exchange *ex, const struct central_scanImage_params *params, json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	struct image_scan_outcome outcome;
	const char *name = json_string_value(json_object_get(body, "imageName"));
	int force = json_is_true(json_object_get(body, "force"));

	(void)params;
	if (!name || !name[0])
		return http_respond_problem(ex, 400, "Bad Request", "imageName: an image name is required");
	if (image_scanner_scan(&outcome, c->scanner, name, force))
		return http_respond_error(ex, ASEC_ENOMEM);
	if (outcome.status == 200)
		return http_respond_json(ex, 200, outcome.image);
	if (outcome.status == 503)
		http_respond_header(ex, "Retry-After", SCAN_RETRY_AFTER_S);
	return http_respond_problem(ex, outcome.status, outcome.title, "%s", outcome.detail);
}

int central_handle_listImages(struct http_exchange *ex, const struct central_listImages_params *params, json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	struct query *q = NULL;
	json_t *images = NULL;
	struct store_search_page page;
	int rc;

	(void)body;
	central_page_from_params(&page, CENTRAL_PAGINATION_OF(params));
	if (central_query_parse(&q, ex, "query", params->query, store_images_query_fields))
		return ASEC_OK;
	rc = store_images_list(&images, c->pool, q, &page);
	query_free(q);
	if (rc == ASEC_EINVALID)
		return http_respond_problem(ex, 400, "Bad Request", "pagination.sortOption.field: %s", error_last());
	if (rc)
		return central_respond_store_error(ex, rc);
	return http_respond_json(ex, 200, json_pack("{s:o}", "images", images));
}

int central_handle_getImage(struct http_exchange *ex, const struct central_getImage_params *params, json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	json_t *image = NULL;
	int rc;

	(void)body;
	rc = store_images_get(&image, c->pool, params->id, params->has_stripDescription && params->stripDescription);
	if (rc == ASEC_ENOTFOUND)
		return http_respond_problem(ex, 404, "Not Found", "no image %s has been scanned", params->id);
	if (rc)
		return central_respond_store_error(ex, rc);
	return http_respond_json(ex, 200, image);
}

int central_handle_countImages(struct http_exchange *ex, const struct central_countImages_params *params, json_t *body)
{
	(void)body;
	return central_respond_count(ex, params->query, store_images_query_fields, store_images_count);
}

int central_handle_deleteImages(struct http_exchange *ex, const struct central_deleteImages_params *params,
				json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	struct query *q = NULL;
	int confirm = params->has_confirm && params->confirm;
	int64_t count = 0;
	int rc;

	(void)body;
	if (central_query_parse(&q, ex, "query", params->query, store_images_query_fields))
		return ASEC_OK;
	/* StackRox refuses an unscoped delete too: "all images" is never what
	 * a forgotten parameter should mean. */
	if (query_term_count(q) == 0) {
		query_free(q);
		return http_respond_problem(ex, 400, "Bad Request",
					    "query: a scoping query is required, e.g. query=Image%%20Registry:quay.io");
	}
	rc = store_images_delete(&count, c->pool, q, confirm);
	query_free(q);
	if (rc)
		return central_respond_store_error(ex, rc);
	return http_respond_json(ex, 200, json_pack("{s:I, s:b}", "numDeleted", (json_int_t)count, "dryRun", !confirm));
}
