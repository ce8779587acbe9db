/*
 * store_search.c - the search mechanics central's stores share (see
 * store_search.h).
 *
 * Nothing here knows a table: a store hands in its query map, its sortable
 * fields and the noun its messages use. The WHERE fragment always exists
 * ("TRUE" without a query) so that every store writes one SQL shape, and
 * the parameter array has room for the values a store appends after the
 * query's own (LIMIT, OFFSET, a time), so that no store reallocates it.
 */
#include "store_search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "error/error.h"

int store_search_page_check(const struct store_search_page *page)
{
	if (!page || page->limit < 1 || page->limit > STORE_SEARCH_PAGE_MAX || page->offset > STORE_SEARCH_OFFSET_MAX) {
		error_set("page limit must be 1 to %d and offset at most %u", STORE_SEARCH_PAGE_MAX,
			  STORE_SEARCH_OFFSET_MAX);
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

int store_search_sort_find(const struct store_search_sort **out, const struct store_search_sort *sorts,
			   size_t count, const char *label, const char *what, const struct query_field *fields,
			   size_t field_count, const char *not_sortable)
{
	char valid[512];
	size_t used = 0;
	int known = 0;

	*out = NULL;
	for (size_t i = 0; i < count; i++) {
		if (strcasecmp(label, sorts[i].label) == 0) {
			*out = &sorts[i];
			return ASEC_OK;
		}
	}
	valid[0] = '\0';
	for (size_t k = 0; k < count && used < sizeof(valid); k++) {
		int n = snprintf(valid + used, sizeof(valid) - used, "%s%s", k ? ", " : "", sorts[k].label);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	if (!fields) {
		error_set("cannot sort %s by \"%.64s\"; sortable fields are %s", what, label, valid);
		return ASEC_EINVALID;
	}
	for (size_t f = 0; f < field_count; f++)
		known |= strcasecmp(label, fields[f].label) == 0;
	error_set("cannot sort %s by \"%.64s\": %s; sortable fields are %s", what, label,
		  known ? not_sortable : "no such field", valid);
	return ASEC_EINVALID;
}

int store_search_where_make(struct store_search_where *w, const struct query *q, const struct query_sql_map *map,
			    int spare, const char *what)
{
	size_t n;
	int rc;

	memset(w, 0, sizeof(*w));
	if (!q) {
		if (!(w->sql = strdup("TRUE")) || !(w->params_json = json_array()))
			goto nomem;
	} else if ((rc = query_to_sql(&w->sql, &w->params_json, q, 1, map))) {
		return rc;
	}
	n = json_array_size(w->params_json);
	if (n > (size_t)(DB_MAX_PARAMS - spare)) {
		error_set("the query has too many values");
		return ASEC_ETOOBIG;
	}
	if (!(w->params = calloc(n + (size_t)spare, sizeof(*w->params))))
		goto nomem;
	for (size_t i = 0; i < n; i++)
		w->params[i] = json_string_value(json_array_get(w->params_json, i));
	w->count = (int)n;
	return ASEC_OK;
nomem:
	error_set("out of memory building %s", what);
	return ASEC_ENOMEM;
}

void store_search_where_free(struct store_search_where *w)
{
	free(w->sql);
	json_decref(w->params_json);
	free(w->params);
	w->sql = NULL;
	w->params_json = NULL;
	w->params = NULL;
}

void store_search_where_page(struct store_search_where *w, const struct store_search_page *page)
{
	snprintf(w->limit, sizeof(w->limit), "%zu", page->limit);
	snprintf(w->offset, sizeof(w->offset), "%zu", page->offset);
	w->params[w->count] = w->limit;
	w->params[w->count + 1] = w->offset;
}

int store_search_rows(json_t **out, struct db_pool *pool, const char *sql, const struct store_search_where *w,
		      int nparams, store_search_row_fn row)
{
	PGresult *res = NULL;
	json_t *list = NULL;
	int rc;

	*out = NULL;
	if ((rc = db_query(&res, pool, sql, nparams, w->params)))
		goto out;
	if (!(list = json_array())) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	for (int r = 0; r < PQntuples(res); r++)
		if ((rc = row(list, res, r)))
			goto out;
	*out = list;
	list = NULL;
out:
	json_decref(list);
	PQclear(res);
	return rc;
}

int store_search_count(int64_t *out, struct db_pool *pool, const char *from, const struct store_search_where *w,
		       const char *what)
{
	PGresult *res = NULL;
	char *sql = NULL;
	int rc;

	*out = 0;
	if (asprintf(&sql, "SELECT count(*) AS n FROM %s WHERE %s", from, w->sql) < 0) {
		error_set("out of memory counting %s", what);
		return ASEC_ENOMEM;
	}
	if ((rc = db_query(&res, pool, sql, w->count, w->params)) == ASEC_OK)
		rc = db_get_int64(out, res, 0, "n");
	free(sql);
	PQclear(res);
	return rc;
}

int64_t store_search_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void store_search_time_format(char out[STORE_SEARCH_TIME_MAX], int64_t ms)
{
	int64_t secs = ms / 1000, frac = ms % 1000;
	time_t t;
	struct tm tm;

	if (frac < 0) {
		frac += 1000;
		secs--;
	}
	t = (time_t)secs;
	if (!gmtime_r(&t, &tm)) {
		snprintf(out, STORE_SEARCH_TIME_MAX, "1970-01-01T00:00:00Z");
		return;
	}
	if (frac)
		snprintf(out, STORE_SEARCH_TIME_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)frac);
	else
		snprintf(out, STORE_SEARCH_TIME_MAX, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int store_search_set_time(json_t *obj, const char *key, int64_t ms)
{
	char buf[STORE_SEARCH_TIME_MAX];

	store_search_time_format(buf, ms);
	return json_object_set_new(obj, key, json_string(buf)) ? ASEC_ENOMEM : ASEC_OK;
}

int store_search_set_time_column(json_t *obj, const char *key, const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return ASEC_OK;
	return store_search_set_time(obj, key, strtoll(PQgetvalue(res, row, col), NULL, 10));
}
