/*
 * api_common.c - the answers central's resource handlers share (see
 * api_common.h).
 *
 * These helpers answer the exchange themselves, so that a handler's failure
 * paths stay one line each and every resource words them the same way;
 * what differs between resources (the search fields, the page bound, the
 * name of a parameter) is an argument.
 */
#include "api_common.h"

#include "central.h"
#include "error/error.h"

int central_query_parse(struct query **out, struct http_exchange *ex, const char *param, const char *text,
			const struct query_field *(*fields)(size_t *count))
{
	size_t count;
	const struct query_field *f = fields(&count);
	int rc = query_parse(out, text ? text : "", f, count);

	if (rc == ASEC_ENOMEM)
		http_respond_error(ex, rc);
	else if (rc)
		http_respond_problem(ex, 400, "Bad Request", "%s: %s", param, error_last());
	return rc;
}

int central_respond_store_error(struct http_exchange *ex, int rc)
{
	if (rc == ASEC_EIO || rc == ASEC_ETIMEOUT) {
		http_respond_header(ex, "Retry-After", CENTRAL_RETRY_AFTER_S);
		return http_respond_problem(ex, 503, "Service Unavailable", "Central DB is unreachable: %s",
					    error_last());
	}
	return http_respond_error(ex, rc);
}

void central_page_from_params(struct store_search_page *out, int has_limit, int64_t limit, int has_offset,
			      int64_t offset, int has_field, const char *field, int has_reversed, int reversed)
{
	out->limit = has_limit && limit > 0 ? (size_t)limit : STORE_SEARCH_PAGE_MAX;
	out->offset = has_offset ? (size_t)offset : 0;
	out->sort_field = has_field && field && field[0] ? field : NULL;
	out->reversed = has_reversed && reversed;
}

int central_respond_count(struct http_exchange *ex, const char *text,
			  const struct query_field *(*fields)(size_t *count), central_count_fn count)
{
	struct central *c = http_exchange_server_context(ex);
	struct query *q = NULL;
	int64_t n = 0;
	int rc;

	if (central_query_parse(&q, ex, "query", text, fields))
		return ASEC_OK;
	rc = count(&n, c->pool, q);
	query_free(q);
	if (rc)
		return central_respond_store_error(ex, rc);
	return http_respond_json(ex, 200, json_pack("{s:I}", "count", (json_int_t)n));
}
