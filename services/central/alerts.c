/*
 * alerts.c - AlertService: search, read, count and resolve the alerts that
 * detection keeps (store_alerts.c).
 *
 * What is decided here is only what the HTTP caller sees: a query that does
 * not parse is a 400 naming the position and the offending part, a bad sort
 * field a 400 naming the sortable ones, an unreachable Central DB a 503
 * (with Retry-After) naming it. Searches answer ACTIVE alerts unless the
 * query names a Violation State, as StackRox does; the store applies that
 * rule, so that list, count and counts agree.
 */
#include "central.h"

#include <stdio.h>
#include <string.h>

#include "error/error.h"
#include "query/query.h"
#include "store_alerts.h"

#define ALERTS_RETRY_AFTER_S "10"
#define ALERTS_PAGE_MAX 1000

static int respond_store_error(struct http_exchange *ex, int rc)
{
	if (rc == ASEC_EIO || rc == ASEC_ETIMEOUT) {
		http_respond_header(ex, "Retry-After", ALERTS_RETRY_AFTER_S);
		return http_respond_problem(ex, 503, "Service Unavailable", "Central DB is unreachable: %s",
					    error_last());
	}
	return http_respond_error(ex, rc);
}

/* Parses a query parameter named name; on failure answers the 400 itself
 * and returns non-zero. */
static int parse_query(struct query **out, struct http_exchange *ex, const char *name, const char *text)
{
	size_t count;
	const struct query_field *fields = store_alerts_query_fields(&count);
	int rc = query_parse(out, text ? text : "", fields, count);

	if (rc == ASEC_ENOMEM)
		http_respond_error(ex, rc);
	else if (rc)
		http_respond_problem(ex, 400, "Bad Request", "%s: %s", name, error_last());
	return rc;
}

int central_handle_listAlerts(struct http_exchange *ex, const struct central_listAlerts_params *params, json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	struct query *q = NULL;
	json_t *alerts = NULL;
	struct store_alerts_page page = {
		.limit = params->has_pagination_limit && params->pagination_limit > 0 ? (size_t)params->pagination_limit
										      : ALERTS_PAGE_MAX,
		.offset = params->has_pagination_offset ? (size_t)params->pagination_offset : 0,
		.sort_field = params->has_pagination_sortOption_field && params->pagination_sortOption_field[0]
				      ? params->pagination_sortOption_field
				      : NULL,
		.reversed = params->has_pagination_sortOption_reversed && params->pagination_sortOption_reversed,
	};
	int rc;

	(void)body;
	if (parse_query(&q, ex, "query", params->query))
		return ASEC_OK;
	rc = store_alerts_list(&alerts, c->pool, q, &page);
	query_free(q);
	if (rc == ASEC_EINVALID)
		return http_respond_problem(ex, 400, "Bad Request", "pagination: %s", error_last());
	if (rc)
		return respond_store_error(ex, rc);
	return http_respond_json(ex, 200, json_pack("{s:o}", "alerts", alerts));
}

int central_handle_getAlert(struct http_exchange *ex, const struct central_getAlert_params *params, json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	json_t *alert = NULL;
	int rc;

	(void)body;
	rc = store_alerts_get(&alert, c->pool, params->id);
	if (rc == ASEC_ENOTFOUND)
		return http_respond_problem(ex, 404, "Not Found", "alert with id '%s' does not exist", params->id);
	if (rc)
		return respond_store_error(ex, rc);
	return http_respond_json(ex, 200, alert);
}

int central_handle_countAlerts(struct http_exchange *ex, const struct central_countAlerts_params *params, json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	struct query *q = NULL;
	int64_t count = 0;
	int rc;

	(void)body;
	if (parse_query(&q, ex, "query", params->query))
		return ASEC_OK;
	rc = store_alerts_count(&count, c->pool, q);
	query_free(q);
	if (rc)
		return respond_store_error(ex, rc);
	return http_respond_json(ex, 200, json_pack("{s:I}", "count", (json_int_t)count));
}

int central_handle_getAlertsCounts(struct http_exchange *ex, const struct central_getAlertsCounts_params *params,
				   json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	enum store_alerts_group group = STORE_ALERTS_GROUP_NONE;
	struct query *q = NULL;
	json_t *out = NULL;
	int rc;

	(void)body;
	/* the spec's enum has been checked; anything else would be UNSET */
	if (params->has_groupBy && strcmp(params->groupBy, "CATEGORY") == 0)
		group = STORE_ALERTS_GROUP_CATEGORY;
	else if (params->has_groupBy && strcmp(params->groupBy, "CLUSTER") == 0)
		group = STORE_ALERTS_GROUP_CLUSTER;
	if (parse_query(&q, ex, "request.query", params->request_query))
		return ASEC_OK;
	rc = store_alerts_group_counts(&out, c->pool, q, group);
	query_free(q);
	if (rc)
		return respond_store_error(ex, rc);
	return http_respond_json(ex, 200, out);
}

int central_handle_resolveAlert(struct http_exchange *ex, const struct central_resolveAlert_params *params,
				json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	int rc;

	/* addToBaseline / whitelist: no process baselines yet (the spec says
	 * so); they are accepted and change nothing. */
	(void)body;
	rc = store_alerts_resolve(c->pool, params->id);
	if (rc == ASEC_ENOTFOUND)
		return http_respond_problem(ex, 404, "Not Found", "alert with id '%s' does not exist", params->id);
	if (rc)
		return respond_store_error(ex, rc);
	return http_respond_json(ex, 200, json_object());
}

int central_handle_resolveAlerts(struct http_exchange *ex, const struct central_resolveAlerts_params *params,
				 json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	const char *text = json_string_value(json_object_get(body, "query"));
	struct query *q = NULL;
	int64_t count = 0;
	int rc;

	(void)params;
	if (parse_query(&q, ex, "query", text))
		return ASEC_OK;
	/* "every alert" is never what a forgotten query should mean */
	if (query_term_count(q) == 0) {
		query_free(q);
		return http_respond_problem(ex, 400, "Bad Request",
					    "query: a scoping query is required, e.g. Policy:Latest tag");
	}
	rc = store_alerts_resolve_query(&count, c->pool, q);
	query_free(q);
	if (rc)
		return respond_store_error(ex, rc);
	return http_respond_json(ex, 200, json_pack("{s:I}", "numResolved", (json_int_t)count));
}
