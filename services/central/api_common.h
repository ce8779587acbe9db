/*
 * api_common.h - what central's resource handlers (alerts.c, images.c,
 * policies.c, policycategories.c) answer alike: a search query that does
 * not parse, a failure of Central DB, and the page a list operation asks
 * for.
 *
 * The rule they keep in one place: a caller's mistake is a 400 that names
 * the parameter and, for a query, the position and the offending part; an
 * unreachable database is a 503 with Retry-After, naming it, so that
 * clients and load balancers retry instead of reporting a bug; anything
 * else maps as shared/http maps error codes.
 */
#ifndef ASEC_CENTRAL_API_COMMON_H
#define ASEC_CENTRAL_API_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "http/http.h"
#include "query/query.h"
#include "store_search.h"

/* Seconds a client should wait before retrying what found Central DB down:
 * about what a restarting PostgreSQL or a failover takes. */
#define CENTRAL_RETRY_AFTER_S "10"

/*
 * Parses text (NULL = "", every row) with the search fields fields() gives
 * into *out. When it does not parse, answers the 400 itself ("<param>:
 * <position and part>"; ASEC_ENOMEM as a 500) and returns non-zero: the
 * handler then only returns ASEC_OK.
 */
int central_query_parse(struct query **out, struct http_exchange *ex, const char *param, const char *text,
			const struct query_field *(*fields)(size_t *count));

/* Answers a store's failure rc: ASEC_EIO or ASEC_ETIMEOUT is 503 "Central
 * DB is unreachable: ..." with Retry-After, the rest http_respond_error's. */
int central_respond_store_error(struct http_exchange *ex, int rc);

/* A search store's count of the rows matching a query. */
typedef int (*central_count_fn)(int64_t *out, struct db_pool *pool, const struct query *q);

/*
 * The whole of a count operation ({"count": n} of the rows text matches,
 * by fields()): every count operation parses, counts and fails alike.
 */
int central_respond_count(struct http_exchange *ex, const char *text,
			  const struct query_field *(*fields)(size_t *count), central_count_fn count);

/*
 * The page of a list operation's pagination.* parameters: limit (absent or
 * not positive = STORE_SEARCH_PAGE_MAX, the largest page), offset (absent =
 * 0), sort field (absent or "" = the store's default order) and direction.
 * Out of range values are passed on for the store to refuse with a message
 * naming them.
 */
void central_page_from_params(struct store_search_page *out, int has_limit, int64_t limit, int has_offset,
			      int64_t offset, int has_field, const char *field, int has_reversed, int reversed);

/* The pagination.* arguments of central_page_from_params() out of any
 * generated params struct: every list operation names them alike. */
#define CENTRAL_PAGINATION_OF(params)                                                                      \
	(params)->has_pagination_limit, (params)->pagination_limit, (params)->has_pagination_offset,        \
		(params)->pagination_offset, (params)->has_pagination_sortOption_field,                     \
		(params)->pagination_sortOption_field, (params)->has_pagination_sortOption_reversed,        \
		(params)->pagination_sortOption_reversed

#endif
