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

#include "api_common.h"
#include "error/error.h"
#include "query/query.h"
#include "store_alerts.h"


int central_handle_listAlerts(struct http_exchange *ex, const struct central_listAlerts_params *params, json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	struct query *q = NULL;
	json_t *alerts = NULL;
	struct store_search_page page;
	int rc;

	(void)body;
	central_page_from_params(&page, CENTRAL_PAGINATION_OF(params));
	if (central_query_parse(&q, ex, "query", params->query, store_alerts_query_fields))
		return ASEC_OK;
	rc = store_alerts_list(&alerts, c->pool, q, &page);
	query_free(q);
	if (rc == ASEC_EINVALID)
		return http_respond_problem(ex, 400, "Bad Request", "pagination: %s", error_last());
	if (rc)
		return central_respond_store_error(ex, rc);
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
		return central_respond_store_error(ex, rc);
	return http_respond_json(ex, 200, alert);
}

int central_handle_countAlerts(struct http_exchange *ex, const struct central_countAlerts_params *params, json_t *body)
{
	(void)body;
	return central_respond_count(ex, params->query, store_alerts_query_fields, store_alerts_count);
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
	if (central_query_parse(&q, ex, "request.query", params->request_query, store_alerts_query_fields))
		return ASEC_OK;
	rc = store_alerts_group_counts(&out, c->pool, q, group);
	query_free(q);
	if (rc)
		return central_respond_store_error(ex, rc);
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
		return central_respond_store_error(ex, rc);
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
	if (central_query_parse(&q, ex, "query", text, store_alerts_query_fields))
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
		return central_respond_store_error(ex, rc);
	return http_respond_json(ex, 200, json_pack("{s:I}", "numResolved", (json_int_t)count));
}
