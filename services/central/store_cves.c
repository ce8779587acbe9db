/*
 * store_cves.c - the SQL of central's CVE view (see store_cves.h).
 *
 * NO TABLE OF ITS OWN FOR THE COUNTS. Everything a list, count or summary
 * says is an aggregate over image_cves (joined to its component and image
 * only when the query reads their fields), computed per request: the
 * findings are the truth, and a per-CVE table of counts would have to be
 * rewritten by every put and every delete of any image holding the CVE -
 * serialising concurrent scans on popular CVEs. The query's WHERE fragment
 * is written over the joined finding row (image fields on `i`, component
 * fields on `c`, finding fields on `f`, all in one scope) so that every
 * term of a query holds for the same finding, as the images' EXISTS scopes
 * mean it.
 *
 * WHAT MAKES THAT FAST ENOUGH (10,000 images, 100,000 findings: tens of ms
 * of server CPU, store_cves_test.c's scale case times it):
 *  - a list aggregates all selected findings for its sort key alone (one
 *    hash aggregate by CVE, narrow rows), cuts the page, and only then
 *    computes the page's full rows - distinct images, distinct (name,
 *    version) components, descriptions - from the page's CVEs' findings,
 *    found through image_cves (cve);
 *  - the joins to image_components and images are left out when the query
 *    reads none of their fields: every finding has its component and image
 *    (foreign keys, ON DELETE CASCADE), so they cannot drop a row;
 *  - the summary's per-CVE and per-image figures come from one pass, GROUP
 *    BY GROUPING SETS ((cve), (image_id)), rather than two scans of a
 *    materialised join;
 *  - each statement runs in a transaction of its own with a work_mem that
 *    keeps its hash tables and sorts in memory at that size (SC_WORK_MEM).
 *
 * THE DESCRIPTION of a CVE (summary, link, CVSS vectors, EPSS, KEV,
 * advisory) lives in each image's document, which is too large to read per
 * list row. cve_details keeps one copy per CVE, the latest put's, written
 * in store_images_put()'s transaction; a put rewrites only rows whose text
 * changed, so that rescans against the same vulnerability data take no row
 * locks there. It outlives images, as cve_first_seen does. Images stored
 * before it existed have none until rescanned: their CVEs are listed
 * without summary and described without those members.
 *
 * Indexes (store_images.c migration 2): image_cves (cve) for one CVE's
 * findings and a page's; the aggregates read all selected findings anyway.
 */
#include "store_cves.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"
#include "store_images.h"

/* A description kept per CVE: bounded, whatever the document held. */
#define SC_MAX_SUMMARY (64u * 1024u)
#define SC_MAX_DETAILS (64u * 1024u)

/* The severities by rank, 0 = unknown: a CVE's severity is its highest. */
static const char *const sc_severities[] = {
	"UNKNOWN_VULNERABILITY_SEVERITY", "LOW_VULNERABILITY_SEVERITY", "MODERATE_VULNERABILITY_SEVERITY",
	"IMPORTANT_VULNERABILITY_SEVERITY", "CRITICAL_VULNERABILITY_SEVERITY",
};
#define SC_SEVERITY_COUNT 5
#define SC_SEV_RANK(col)                                                                                           \
	"CASE " col " WHEN 'CRITICAL_VULNERABILITY_SEVERITY' THEN 4 WHEN 'IMPORTANT_VULNERABILITY_SEVERITY' THEN 3" \
	" WHEN 'MODERATE_VULNERABILITY_SEVERITY' THEN 2 WHEN 'LOW_VULNERABILITY_SEVERITY' THEN 1 ELSE 0 END"

/* The selected findings are rows of image_cves f, joined to their component
 * c and image i only when the query reads them (sc_from()), and to rp, the
 * images' risk ranking, only when it reads the risk priority. */
#define SC_FINDINGS "image_cves f"
#define SC_JOIN_COMPONENT " JOIN image_components c ON c.image_id = f.image_id AND c.idx = f.component_idx"
#define SC_JOIN_IMAGE " JOIN images i ON i.id = f.image_id"
#define SC_PRIORITY_EXPR "rp.priority"
#define SC_JOIN_RANK                                                                                               \
	" JOIN (SELECT id, row_number() OVER (ORDER BY risk_score DESC, id) AS priority FROM images) rp"            \
	" ON rp.id = f.image_id"
#define SC_FROM_MAX                                                                                                \
	(sizeof(SC_FINDINGS) + sizeof(SC_JOIN_COMPONENT) + sizeof(SC_JOIN_IMAGE) + sizeof(SC_JOIN_RANK))

/*
 * Memory for each aggregate's hash tables and sorts, set for its own
 * transaction: at 100,000 findings the page's key aggregate (distinct
 * images per CVE for an Image Count sort) needs about 15 MB, and the
 * default 4 MB would spill it to disk. A larger store spills, it does not
 * fail.
 */
#define SC_WORK_MEM "32MB"

/* ---- the query map -------------------------------------------------------- */

/* By label, so that the field ids stay store_images.c's own. */
static const struct {
	const char *label, *expr;
} sc_exprs[] = {
	{"Image", "i.full_name"},
	{"Image Tag", "i.tag"},
	{"Image Registry", "i.registry"},
	{"Image Remote", "i.remote"},
	{"Image Sha", "i.id"},
	{"Image OS", "i.operating_system"},
	{"Image Scan Time", "i.scan_time"},
	{"Image Created Time", "i.created"},
	{"Image Top CVSS", "i.top_cvss"},
	{"Image Risk Priority", SC_PRIORITY_EXPR},
	{"CVE", "f.cve"},
	{"CVSS", "f.cvss"},
	{"Severity", "f.severity"},
	{"Fixable", "f.fixable"},
	{"Fixed By", "f.fixed_by"},
	{"Component", "c.name"},
	{"Component Version", "c.version"},
};
#define SC_EXPR_COUNT (sizeof(sc_exprs) / sizeof(sc_exprs[0]))

static struct query_sql_column sc_columns[SC_EXPR_COUNT];
static struct query_sql_map sc_map = {sc_columns, 0};
static pthread_once_t sc_map_once = PTHREAD_ONCE_INIT;

/* A field of the images' table missing here stays out of the map, and a
 * query naming it fails in query_to_sql() (store_cves_test.c queries each). */
static void sc_map_build(void)
{
	size_t count, n = 0;
	const struct query_field *fields = store_images_query_fields(&count);

	for (size_t i = 0; i < count; i++)
		for (size_t k = 0; k < SC_EXPR_COUNT; k++)
			if (strcmp(fields[i].label, sc_exprs[k].label) == 0 && n < SC_EXPR_COUNT) {
				sc_columns[n].field_id = fields[i].id;
				sc_columns[n].expr = sc_exprs[k].expr;
				sc_columns[n].scope = NULL;
				n++;
				break;
			}
	sc_map.count = n;
}

/*
 * The FROM that where (SQL over the map's expressions) needs, with the
 * component joined anyway when component is set. query_to_sql() writes
 * only the map's expressions, keywords and $n, so an expression absent from
 * the text is not read; a false match would only add a join.
 */
static void sc_from(char out[SC_FROM_MAX], const char *where, int component)
{
	int image = 0, rank = 0;

	for (size_t k = 0; k < SC_EXPR_COUNT; k++) {
		if (!strstr(where, sc_exprs[k].expr))
			continue;
		if (strncmp(sc_exprs[k].expr, "c.", 2) == 0)
			component = 1;
		else if (strncmp(sc_exprs[k].expr, "i.", 2) == 0)
			image = 1;
		else if (strcmp(sc_exprs[k].expr, SC_PRIORITY_EXPR) == 0)
			rank = 1;
	}
	snprintf(out, SC_FROM_MAX, "%s%s%s%s", SC_FINDINGS, component ? SC_JOIN_COMPONENT : "",
		 image ? SC_JOIN_IMAGE : "", rank ? SC_JOIN_RANK : "");
}

static int sc_where_make(struct store_search_where *w, const struct query *q, int spare)
{
	pthread_once(&sc_map_once, sc_map_build);
	return store_search_where_make(w, q, &sc_map, spare, "a CVE search");
}

/* ---- running an aggregate -------------------------------------------------- */

struct sc_statement {
	const char *sql;
	int nparams;
	const char *const *params;
	PGresult *res;
};

static int sc_statement_txn(PGconn *conn, void *ctx)
{
	struct sc_statement *s = ctx;
	int rc;

	/* A retry starts over. */
	PQclear(s->res);
	s->res = NULL;
	if ((rc = db_exec(NULL, conn, "SET LOCAL work_mem = '" SC_WORK_MEM "'", 0, NULL)))
		return rc;
	return db_exec(&s->res, conn, s->sql, s->nparams, s->params);
}

/* db_query() of sql with SC_WORK_MEM. */
static int sc_query(PGresult **out, struct db_pool *pool, const char *sql, int nparams, const char *const *params)
{
	struct sc_statement s = {sql, nparams, params, NULL};
	int rc;

	*out = NULL;
	if ((rc = db_transaction(pool, DB_READ_COMMITTED, sc_statement_txn, &s))) {
		PQclear(s.res);
		return rc;
	}
	*out = s.res;
	return ASEC_OK;
}

/* ---- list ------------------------------------------------------------------ */

/* The column is the aggregate of a CVE's selected findings that orders the
 * page ("" for CVE: the id alone; NULL for First Seen: cve_first_seen's). */
static const struct store_search_sort sc_sorts[] = {
	{"CVE", ""},
	{"CVSS", "max(f.cvss)"},
	{"Severity", "max(" SC_SEV_RANK("f.severity") ")"},
	{"Image Count", "count(DISTINCT f.image_id)"},
	{"First Seen", NULL},
};
#define SC_SORT_COUNT (sizeof(sc_sorts) / sizeof(sc_sorts[0]))

/* The page's order as its key's aggregate and directions. */
struct sc_order {
	const char *agg;     /* over f, grouped by CVE; "": none; NULL: First Seen */
	const char *key_dir; /* of the key */
	const char *cve_dir; /* of the CVE id, the tie-break */
};

static int sc_order_find(struct sc_order *o, const struct store_search_page *page)
{
	const struct store_search_sort *sort;
	size_t count;
	const struct query_field *fields = store_images_query_fields(&count);
	int rc;

	if (!page->sort_field || !page->sort_field[0]) {
		*o = (struct sc_order){"max(f.cvss)", "DESC", "ASC"};
		return ASEC_OK;
	}
	if ((rc = store_search_sort_find(&sort, sc_sorts, SC_SORT_COUNT, page->sort_field, "CVEs", fields, count,
					 "it is not a property of the CVE")))
		return rc;
	o->agg = sort->column;
	o->key_dir = o->cve_dir = page->reversed ? "DESC" : "ASC";
	return ASEC_OK;
}

static int sc_severity_set(json_t *o, const char *key, const char *rank_text)
{
	long rank = strtol(rank_text, NULL, 10);

	if (rank < 0 || rank >= SC_SEVERITY_COUNT)
		rank = 0;
	return json_object_set_new(o, key, json_string(sc_severities[rank]));
}

/* Columns: cve, sev, cvss, images, components, fixable, first_ms, summary. */
static int sc_list_row(json_t *out, const PGresult *res, int r)
{
	json_t *o = json_object();

	if (!o || json_array_append_new(out, o))
		return ASEC_ENOMEM;
	if (json_object_set_new(o, "cve", json_string(PQgetvalue(res, r, 0))) ||
	    sc_severity_set(o, "severity", PQgetvalue(res, r, 1)) ||
	    json_object_set_new(o, "cvss", json_real(strtod(PQgetvalue(res, r, 2), NULL))) ||
	    json_object_set_new(o, "imageCount", json_integer(strtoll(PQgetvalue(res, r, 3), NULL, 10))) ||
	    json_object_set_new(o, "componentCount", json_integer(strtoll(PQgetvalue(res, r, 4), NULL, 10))) ||
	    json_object_set_new(o, "fixable", json_boolean(PQgetvalue(res, r, 5)[0] == 't')) ||
	    store_search_set_time_column(o, "firstSystemOccurrence", res, r, 6))
		return ASEC_ENOMEM;
	if (!PQgetisnull(res, r, 7) && json_object_set_new(o, "summary", json_string(PQgetvalue(res, r, 7))))
		return ASEC_ENOMEM;
	return ASEC_OK;
}

int store_cves_list(json_t **out, struct db_pool *pool, const struct query *q, const struct store_search_page *page)
{
	struct store_search_where w;
	struct sc_order o;
	char from[SC_FROM_MAX], page_from[SC_FROM_MAX], *sql = NULL;
	PGresult *res = NULL;
	json_t *list = NULL;
	int rc;

	*out = NULL;
	memset(&w, 0, sizeof(w));
	if ((rc = store_search_page_check(page)) || (rc = sc_order_find(&o, page)))
		return rc;
	if ((rc = sc_where_make(&w, q, 2)))
		goto out;
	store_search_where_page(&w, page);
	sc_from(from, w.sql, 0);
	sc_from(page_from, w.sql, 1);
	/*
	 * p: every selected CVE with its sort key alone, ordered and cut to the
	 * page. a: the page's CVEs described from their selected findings
	 * (the same WHERE, so the same findings). The key is p's, so the page
	 * keeps the order it was cut in.
	 */
	if (asprintf(&sql,
		     "WITH p AS (SELECT g.cve, %s AS k FROM (SELECT f.cve, %s AS a FROM %s WHERE %s GROUP BY f.cve) g%s"
		     "  ORDER BY k %s NULLS LAST, g.cve %s LIMIT $%d OFFSET $%d),"
		     " a AS (SELECT f.cve, max(" SC_SEV_RANK("f.severity") ") AS sev, max(f.cvss) AS cvss,"
		     "  count(DISTINCT f.image_id) AS images, count(DISTINCT (c.name, c.version)) AS components,"
		     "  bool_or(f.fixable) AS fixable FROM %s WHERE (%s) AND f.cve IN (SELECT cve FROM p) GROUP BY f.cve)"
		     " SELECT a.cve, a.sev, a.cvss, a.images, a.components, a.fixable,"
		     " " STORE_SEARCH_MS("s.first_seen") " AS first_ms, left(d.summary, %d) AS summary"
		     " FROM p JOIN a ON a.cve = p.cve LEFT JOIN cve_first_seen s ON s.cve = p.cve"
		     " LEFT JOIN cve_details d ON d.cve = p.cve ORDER BY p.k %s NULLS LAST, p.cve %s",
		     o.agg ? "g.a" : "s.first_seen", o.agg && o.agg[0] ? o.agg : "0", from, w.sql,
		     o.agg ? "" : " LEFT JOIN cve_first_seen s ON s.cve = g.cve", o.key_dir, o.cve_dir, w.count + 1,
		     w.count + 2, page_from, w.sql, STORE_CVES_LIST_SUMMARY_CHARS, o.key_dir, o.cve_dir) < 0) {
		sql = NULL;
		rc = ASEC_ENOMEM;
		goto out;
	}
	if ((rc = sc_query(&res, pool, sql, w.count + 2, w.params)))
		goto out;
	if (!(list = json_array())) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	for (int r = 0; r < PQntuples(res); r++)
		if ((rc = sc_list_row(list, res, r)))
			goto out;
	*out = list;
	list = NULL;
out:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory listing CVEs");
	json_decref(list);
	PQclear(res);
	free(sql);
	store_search_where_free(&w);
	return rc;
}

int store_cves_count(int64_t *out, struct db_pool *pool, const struct query *q)
{
	struct store_search_where w;
	PGresult *res = NULL;
	char from[SC_FROM_MAX], *sql = NULL;
	int rc;

	*out = 0;
	memset(&w, 0, sizeof(w));
	if ((rc = sc_where_make(&w, q, 0)))
		goto out;
	sc_from(from, w.sql, 0);
	/* A hash aggregate of the CVEs, where count(DISTINCT) would sort them. */
	if (asprintf(&sql, "SELECT count(*) AS n FROM (SELECT f.cve FROM %s WHERE %s GROUP BY f.cve) g", from,
		     w.sql) < 0) {
		sql = NULL;
		error_set("out of memory counting CVEs");
		rc = ASEC_ENOMEM;
		goto out;
	}
	if ((rc = sc_query(&res, pool, sql, w.count, w.params)) || (rc = db_get_int64(out, res, 0, "n")))
		goto out;
out:
	PQclear(res);
	free(sql);
	store_search_where_free(&w);
	return rc;
}

/* ---- summary --------------------------------------------------------------- */

int store_cves_summary(json_t **out, struct db_pool *pool, const struct query *q)
{
	static const char *const names[] = {"UNKNOWN", "LOW", "MODERATE", "IMPORTANT", "CRITICAL"};
	struct store_search_where w;
	PGresult *res = NULL;
	json_t *o = NULL, *by = NULL;
	char from[SC_FROM_MAX], *sql = NULL;
	int64_t v[11];
	int rc;

	*out = NULL;
	memset(&w, 0, sizeof(w));
	if ((rc = sc_where_make(&w, q, 0)))
		goto out;
	sc_from(from, w.sql, 0);
	/* One pass over the findings makes a row per CVE (img = 0: its
	 * severity, fixability and findings) and a row per image (img = 1). */
	if (asprintf(&sql,
		     "SELECT count(*) FILTER (WHERE img = 0) AS v0, count(*) FILTER (WHERE img = 0 AND fixable) AS v1,"
		     " count(*) FILTER (WHERE img = 0 AND sev = 0) AS v2, count(*) FILTER (WHERE img = 0 AND sev = 1) AS v3,"
		     " count(*) FILTER (WHERE img = 0 AND sev = 2) AS v4, count(*) FILTER (WHERE img = 0 AND sev = 3) AS v5,"
		     " count(*) FILTER (WHERE img = 0 AND sev = 4) AS v6,"
		     " coalesce(sum(n) FILTER (WHERE img = 0), 0) AS v7, coalesce(sum(nf) FILTER (WHERE img = 0), 0) AS v8,"
		     " count(*) FILTER (WHERE img = 1) AS v9"
		     " FROM (SELECT GROUPING(f.cve) AS img, max(" SC_SEV_RANK("f.severity") ") AS sev,"
		     "  bool_or(f.fixable) AS fixable, count(*) AS n, count(*) FILTER (WHERE f.fixable) AS nf"
		     "  FROM %s WHERE %s GROUP BY GROUPING SETS ((f.cve), (f.image_id))) g",
		     from, w.sql) < 0) {
		sql = NULL;
		rc = ASEC_ENOMEM;
		goto out;
	}
	if ((rc = sc_query(&res, pool, sql, w.count, w.params)))
		goto out;
	for (int k = 0; k < 10; k++) {
		char col[8];
		snprintf(col, sizeof(col), "v%d", k);
		if ((rc = db_get_int64(&v[k], res, 0, col)))
			goto out;
	}
	if (!(o = json_object()) || !(by = json_object())) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	for (int k = 0; k < SC_SEVERITY_COUNT; k++)
		if (json_object_set_new(by, names[k], json_integer(v[2 + k]))) {
			rc = ASEC_ENOMEM;
			goto out;
		}
	if (json_object_set_new(o, "cves", json_integer(v[0])) || json_object_set_new(o, "fixableCves", json_integer(v[1])) ||
	    json_object_set(o, "bySeverity", by) || json_object_set_new(o, "findings", json_integer(v[7])) ||
	    json_object_set_new(o, "fixableFindings", json_integer(v[8])) ||
	    json_object_set_new(o, "images", json_integer(v[9]))) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	*out = o;
	o = NULL;
out:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory summarising CVEs");
	json_decref(o);
	json_decref(by);
	PQclear(res);
	free(sql);
	store_search_where_free(&w);
	return rc;
}

/* ---- one CVE --------------------------------------------------------------- */

/* Columns: image_id, full_name, name, version, source, location,
 * layer_index, fixed_by, severity, cvss. */
static int sc_finding_row(json_t *out, const PGresult *res, int r)
{
	static const struct {
		int col;
		const char *key;
	} texts[] = {{0, "imageId"}, {1, "imageName"}, {2, "component"}, {3, "version"},
		     {4, "source"},  {5, "location"},  {7, "fixedBy"},   {8, "severity"}};
	json_t *o = json_object();

	if (!o || json_array_append_new(out, o))
		return ASEC_ENOMEM;
	for (size_t k = 0; k < sizeof(texts) / sizeof(texts[0]); k++)
		if (!PQgetisnull(res, r, texts[k].col) &&
		    json_object_set_new(o, texts[k].key, json_string(PQgetvalue(res, r, texts[k].col))))
			return ASEC_ENOMEM;
	if (!PQgetisnull(res, r, 6) &&
	    json_object_set_new(o, "layerIndex", json_integer(strtoll(PQgetvalue(res, r, 6), NULL, 10))))
		return ASEC_ENOMEM;
	if (json_object_set_new(o, "cvss", json_real(strtod(PQgetvalue(res, r, 9), NULL))))
		return ASEC_ENOMEM;
	return ASEC_OK;
}

/* The kept description's members into o; a row that does not parse (it
 * never should: we wrote it) is left out rather than failing the answer. */
static int sc_details_merge(json_t *o, const char *details, const char *summary)
{
	json_t *d = details ? json_loads(details, JSON_ALLOW_NUL, NULL) : NULL;
	int rc = ASEC_OK;

	if (json_is_object(d) && json_object_update(o, d))
		rc = ASEC_ENOMEM;
	if (rc == ASEC_OK && summary && json_object_set_new(o, "summary", json_string(summary)))
		rc = ASEC_ENOMEM;
	json_decref(d);
	return rc;
}

int store_cves_get(json_t **out, struct db_pool *pool, const char *cve, const struct store_search_page *page)
{
	PGresult *res = NULL;
	json_t *o = NULL, *findings = NULL;
	struct store_search_where w;
	int64_t n;
	int rc;

	*out = NULL;
	memset(&w, 0, sizeof(w));
	if ((rc = store_search_page_check(page)))
		return rc;
	if (!cve || !cve[0] || strlen(cve) > 512) {
		error_set("a CVE id is 1 to 512 bytes");
		return ASEC_EINVALID;
	}
	if ((rc = db_query(&res, pool,
			   "SELECT count(*) AS n, max(" SC_SEV_RANK("f.severity") ") AS sev, max(f.cvss) AS cvss,"
			   " count(DISTINCT f.image_id) AS images, count(DISTINCT (c.name, c.version)) AS components,"
			   " coalesce(bool_or(f.fixable), false) AS fixable,"
			   " (SELECT " STORE_SEARCH_MS("s.first_seen") " FROM cve_first_seen s WHERE s.cve = $1) AS first_ms,"
			   " (SELECT d.details FROM cve_details d WHERE d.cve = $1) AS details,"
			   " (SELECT d.summary FROM cve_details d WHERE d.cve = $1) AS summary"
			   " FROM image_cves f JOIN image_components c ON c.image_id = f.image_id AND c.idx = f.component_idx"
			   " WHERE f.cve = $1",
			   1, (const char *[]){cve})) ||
	    (rc = db_get_int64(&n, res, 0, "n")))
		goto out;
	if (n == 0) {
		error_set("no stored image has %.128s", cve);
		rc = ASEC_ENOTFOUND;
		goto out;
	}
	if (!(o = json_object()) ||
	    sc_details_merge(o, PQgetisnull(res, 0, 7) ? NULL : PQgetvalue(res, 0, 7),
			     PQgetisnull(res, 0, 8) ? NULL : PQgetvalue(res, 0, 8)) ||
	    json_object_set_new(o, "cve", json_string(cve)) || sc_severity_set(o, "severity", PQgetvalue(res, 0, 1)) ||
	    json_object_set_new(o, "cvss", json_real(strtod(PQgetvalue(res, 0, 2), NULL))) ||
	    json_object_set_new(o, "imageCount", json_integer(strtoll(PQgetvalue(res, 0, 3), NULL, 10))) ||
	    json_object_set_new(o, "componentCount", json_integer(strtoll(PQgetvalue(res, 0, 4), NULL, 10))) ||
	    json_object_set_new(o, "fixable", json_boolean(PQgetvalue(res, 0, 5)[0] == 't')) ||
	    json_object_set_new(o, "findingCount", json_integer(n)) ||
	    store_search_set_time_column(o, "firstSystemOccurrence", res, 0, 6)) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	PQclear(res);
	res = NULL;
	if ((rc = store_search_where_make(&w, NULL, NULL, 3, "a CVE's findings")))
		goto out;
	w.params[0] = cve;
	w.count = 1;
	store_search_where_page(&w, page);
	if ((rc = store_search_rows(&findings, pool,
				    "SELECT f.image_id, i.full_name, c.name, c.version, c.source, c.location, c.layer_index,"
				    " f.fixed_by, f.severity, f.cvss FROM image_cves f"
				    " JOIN image_components c ON c.image_id = f.image_id AND c.idx = f.component_idx"
				    " JOIN images i ON i.id = f.image_id WHERE f.cve = $1"
				    " ORDER BY i.full_name, f.image_id, f.component_idx, f.idx LIMIT $2 OFFSET $3",
				    &w, 3, sc_finding_row)))
		goto out;
	if (json_object_set_new(o, "findings", findings)) {
		findings = NULL;
		rc = ASEC_ENOMEM;
		goto out;
	}
	findings = NULL;
	*out = o;
	o = NULL;
out:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory reading a CVE");
	json_decref(o);
	json_decref(findings);
	store_search_where_free(&w);
	PQclear(res);
	return rc;
}

/* ---- descriptions, written by store_images_put() ----------------------------- */

/* Cuts s to at most max bytes at a UTF-8 character boundary. */
static size_t sc_utf8_cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/* [cve, summary|null, details] for one vuln object. */
static json_t *sc_details_row(const char *cve, const json_t *v)
{
	/* Document member -> CVEDetail member. */
	static const char *const members[][2] = {
		{"link", "link"},         {"scoreVersion", "scoreVersion"}, {"cvssV3", "cvssV3"},
		{"cvssV2", "cvssV2"},     {"publishedOn", "publishedOn"},   {"lastModified", "lastModified"},
		{"epss", "epss"},         {"knownExploited", "kev"},        {"advisory", "advisory"},
	};
	const char *summary = json_string_value(json_object_get(v, "summary"));
	json_t *d = json_object(), *row = NULL, *sum = NULL;
	char *text = NULL;

	if (!d)
		return NULL;
	for (size_t k = 0; k < sizeof(members) / sizeof(members[0]); k++) {
		json_t *m = json_object_get(v, members[k][0]);
		if (m && !json_is_null(m) && json_object_set(d, members[k][1], m))
			goto out;
	}
	/* 15 digits, as the document and the HTTP layer write numbers. */
	if (!(text = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15))))
		goto out;
	if (strlen(text) > SC_MAX_DETAILS) {
		free(text);
		if (!(text = strdup("{}")))
			goto out;
	}
	/* json_string_value() stops at a NUL, which text cannot hold. */
	if (summary && summary[0] && !(sum = json_stringn(summary, sc_utf8_cut(summary, SC_MAX_SUMMARY))))
		goto out;
	row = json_pack("[s, o?, s]", cve, sum, text);
	sum = NULL;
out:
	json_decref(sum);
	json_decref(d);
	free(text);
	return row;
}

static int sc_strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int store_cves_put_details(PGconn *conn, const json_t *image)
{
	json_t *components = json_object_get(json_object_get(image, "scan"), "components"), *c, *v;
	json_t *by_cve = json_object(), *rows = json_array();
	const char **keys = NULL;
	const char *key;
	json_t *value;
	char *text = NULL;
	size_t ci, vi, n = 0;
	int rc = ASEC_ENOMEM;

	if (!by_cve || !rows)
		goto out;
	json_array_foreach(components, ci, c) {
		json_array_foreach(json_object_get(c, "vulns"), vi, v) {
			const char *cve = json_string_value(json_object_get(v, "cve"));
			json_t *row;
			if (!cve || json_object_get(by_cve, cve))
				continue;
			if (!(row = sc_details_row(cve, v)) || json_object_set_new(by_cve, cve, row))
				goto out;
		}
	}
	if (json_object_size(by_cve) == 0) {
		rc = ASEC_OK;
		goto out;
	}
	if (!(keys = malloc(json_object_size(by_cve) * sizeof(*keys))))
		goto out;
	json_object_foreach(by_cve, key, value)
		keys[n++] = key;
	/* In the order racing puts also take the rows' locks. */
	qsort(keys, n, sizeof(*keys), sc_strcmp);
	for (size_t k = 0; k < n; k++)
		if (json_array_append(rows, json_object_get(by_cve, keys[k])))
			goto out;
	if (!(text = json_dumps(rows, JSON_COMPACT)))
		goto out;
	rc = db_exec(NULL, conn,
		     "INSERT INTO cve_details (cve, summary, details, updated)"
		     " SELECT e->>0, e->>1, e->>2, now() FROM json_array_elements($1::json) AS e"
		     " WHERE NOT EXISTS (SELECT 1 FROM cve_details d WHERE d.cve = e->>0 AND d.details = e->>2"
		     "  AND d.summary IS NOT DISTINCT FROM e->>1)"
		     " ORDER BY (e->>0) COLLATE \"C\""
		     " ON CONFLICT (cve) DO UPDATE SET summary = EXCLUDED.summary, details = EXCLUDED.details,"
		     " updated = EXCLUDED.updated",
		     1, (const char *[]){text});
out:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory storing CVE descriptions");
	free(text);
	free(keys);
	json_decref(rows);
	json_decref(by_cve);
	return rc;
}
