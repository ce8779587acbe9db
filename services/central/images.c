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

#include "error/error.h"
#include "image_scan.h"
#include "query/query.h"
#include "store_images.h"

/* How long a client should wait before retrying a scan that found a
 * dependency down: about what a restarting scanner takes. */
#define SCAN_RETRY_AFTER_S "10"
#define IMAGES_PAGE_MAX 1000

/* Answers a store failure: an unreachable database is 503, as everywhere. */
static int respond_store_error(struct http_exchange *ex, int rc)
{
	if (rc == ASEC_EIO || rc == ASEC_ETIMEOUT) {
		http_respond_header(ex, "Retry-After", SCAN_RETRY_AFTER_S);
		return http_respond_problem(ex, 503, "Service Unavailable", "Central DB is unreachable: %s",
					    error_last());
	}
	return http_respond_error(ex, rc);
}

/* Parses the query parameter; on failure answers the 400 itself and
 * returns non-zero. */
static int parse_query(struct query **out, struct http_exchange *ex, const char *text)
{
	size_t count;
	const struct query_field *fields = store_images_query_fields(&count);
	int rc = query_parse(out, text ? text : "", fields, count);

	if (rc == ASEC_ENOMEM)
		http_respond_error(ex, rc);
	else if (rc)
		http_respond_problem(ex, 400, "Bad Request", "query: %s", error_last());
	return rc;
}

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
	struct store_images_page page = {
		.limit = params->has_pagination_limit && params->pagination_limit > 0 ? (size_t)params->pagination_limit
										      : IMAGES_PAGE_MAX,
		.offset = params->has_pagination_offset ? (size_t)params->pagination_offset : 0,
		.sort_field = params->has_pagination_sortOption_field && params->pagination_sortOption_field[0]
				      ? params->pagination_sortOption_field
				      : NULL,
		.reversed = params->has_pagination_sortOption_reversed && params->pagination_sortOption_reversed,
	};
	int rc;

	(void)body;
	if (parse_query(&q, ex, params->query))
		return ASEC_OK;
	rc = store_images_list(&images, c->pool, q, &page);
	query_free(q);
	if (rc == ASEC_EINVALID)
		return http_respond_problem(ex, 400, "Bad Request", "pagination.sortOption.field: %s", error_last());
	if (rc)
		return respond_store_error(ex, rc);
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
		return respond_store_error(ex, rc);
	return http_respond_json(ex, 200, image);
}

int central_handle_countImages(struct http_exchange *ex, const struct central_countImages_params *params, json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	struct query *q = NULL;
	int64_t count = 0;
	int rc;

	(void)body;
	if (parse_query(&q, ex, params->query))
		return ASEC_OK;
	rc = store_images_count(&count, c->pool, q);
	query_free(q);
	if (rc)
		return respond_store_error(ex, rc);
	return http_respond_json(ex, 200, json_pack("{s:I}", "count", (json_int_t)count));
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
	if (parse_query(&q, ex, params->query))
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
		return respond_store_error(ex, rc);
	return http_respond_json(ex, 200, json_pack("{s:I, s:b}", "numDeleted", (json_int_t)count, "dryRun", !confirm));
}
