/*
 * store_search.h - what central's searchable stores (store_alerts.c,
 * store_images.c, store_policies.c) share to answer a search: the page a
 * caller asks for and its bounds, the WHERE fragment and parameters of a
 * shared/query query, the lookup of a sort field with the error that names
 * the sortable ones, and the times they read and write.
 *
 * Each store still owns its columns, its default order and its SQL; only the
 * mechanics that must behave alike in every list operation live here, so
 * that a bound or a message changes in one place. Times cross PostgreSQL as
 * Unix milliseconds in text (STORE_SEARCH_MS / STORE_SEARCH_TS) and reach
 * users as RFC 3339 in UTC, the way protobuf's JSON writes timestamps.
 */
#ifndef ASEC_CENTRAL_STORE_SEARCH_H
#define ASEC_CENTRAL_STORE_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "db/db.h"
#include "query/query.h"

/* A page holds 1..STORE_SEARCH_PAGE_MAX rows and starts at most this far in:
 * deeper pages cost a scan of everything before them. */
#define STORE_SEARCH_PAGE_MAX 1000
#define STORE_SEARCH_OFFSET_MAX 100000000u

/* Room for store_search_time_format(): any struct tm gmtime_r() can give,
 * not only four-digit years. */
#define STORE_SEARCH_TIME_MAX 96

/* SQL: a timestamptz column as Unix ms, and a parameter of Unix ms as a timestamptz. */
#define STORE_SEARCH_MS(col) "floor(extract(epoch FROM " col ") * 1000)::bigint"
#define STORE_SEARCH_TS(param) "('epoch'::timestamptz + " param "::bigint * interval '1 millisecond')"

/* What a list operation asks for. */
struct store_search_page {
	size_t limit;           /* 1..STORE_SEARCH_PAGE_MAX */
	size_t offset;          /* at most STORE_SEARCH_OFFSET_MAX */
	const char *sort_field; /* a search field label (any case); NULL or "" = the store's default order */
	int reversed;
};

/* ASEC_OK, or ASEC_EINVALID naming the bounds when page is NULL or out of them. */
int store_search_page_check(const struct store_search_page *page);

/* A field a page may be sorted by: its label and the store's SQL for it. */
struct store_search_sort {
	const char *label;
	const char *column;
};

/*
 * The entry of sorts whose label is label (ignoring case) into *out. When
 * none is, ASEC_EINVALID with "cannot sort <what> by "<label>"[: <why>];
 * sortable fields are ...", where <why> is not_sortable when label is one of
 * fields (a search field that cannot order a page) and "no such field"
 * otherwise; with fields NULL there is no <why>.
 */
int store_search_sort_find(const struct store_search_sort **out, const struct store_search_sort *sorts,
			   size_t count, const char *label, const char *what, const struct query_field *fields,
			   size_t field_count, const char *not_sortable);

/* The WHERE fragment of a query and its parameters. */
struct store_search_where {
	char *sql;           /* "TRUE" without a query */
	json_t *params_json; /* owns the parameter strings */
	const char **params; /* count values, then room for the spare ones asked for */
	int count;
	char limit[24], offset[24]; /* store_search_where_page()'s values */
};

/*
 * Builds w from q (NULL = every row) over map, with room for spare more
 * parameters after the query's; "out of memory building <what>" when
 * memory runs out. w is always safe to free afterwards.
 */
int store_search_where_make(struct store_search_where *w, const struct query *q, const struct query_sql_map *map,
			    int spare, const char *what);

void store_search_where_free(struct store_search_where *w);

/* Appends the page's LIMIT and OFFSET as parameters $count+1 and $count+2
 * (w must have been made with two spare). */
void store_search_where_page(struct store_search_where *w, const struct store_search_page *page);

/* Appends one JSON value for row r of res to list: ASEC_OK, ASEC_ENOMEM
 * (no error text needed), or another code with its error text. */
typedef int (*store_search_row_fn)(json_t *list, const PGresult *res, int r);

/*
 * Runs sql with w's params (nparams of them: the query's and any appended)
 * and makes *out a JSON array of row()'s values, in the rows' order. Codes
 * as db_query() and row() return them; the caller words ASEC_ENOMEM.
 */
int store_search_rows(json_t **out, struct db_pool *pool, const char *sql, const struct store_search_where *w,
		      int nparams, store_search_row_fn row);

/* *out = the number of rows of from (SQL, e.g. "alerts a") that w selects;
 * "out of memory counting <what>" when memory runs out. */
int store_search_count(int64_t *out, struct db_pool *pool, const char *from, const struct store_search_where *w,
		       const char *what);

/* The current time in Unix ms. */
int64_t store_search_now_ms(void);

/* RFC 3339 in UTC: seconds, and milliseconds only when there are any. */
void store_search_time_format(char out[STORE_SEARCH_TIME_MAX], int64_t ms);

/* Sets obj[key] to the RFC 3339 text of ms; ASEC_ENOMEM (no error text) when it cannot. */
int store_search_set_time(json_t *obj, const char *key, int64_t ms);

/* Sets obj[key] to the time of column col (Unix ms) of row; a NULL leaves
 * key absent. ASEC_ENOMEM (no error text) when it cannot. */
int store_search_set_time_column(json_t *obj, const char *key, const PGresult *res, int row, int col);

#endif
