/*
 * store_images.c - the SQL of central's images (see store_images.h).
 *
 * THE TABLES (migration component "central-images", apart from store_auth's
 * "central" so that each file owns the versions of its own tables):
 *
 *   images            one row per manifest digest: the name last scanned or
 *                     added and its parts, OS, created / scan time / last
 *                     updated (timestamptz), the counts, top CVSS and risk
 *                     score (numeric), the matcher's data version, and the
 *                     whole Image document as text, so that GET answers it
 *                     without rebuilding it from the rows below.
 *   image_names       every name a digest was stored under, with when.
 *   image_components  the document's scan.components, by position.
 *   image_cves        the findings: one row per (component, vuln) with the
 *                     CVE, severity (the enum's full name), CVSS, fixable,
 *                     fixed-by and the first time this image had the CVE.
 *   cve_first_seen    the first time central saw each CVE in any image. It
 *                     has no foreign key: it outlives the images.
 *   cve_details       each CVE's description as the latest put gave it, and
 *                     the index image_cves (cve): store_cves.c's, written
 *                     here in the put's transaction (migration 2).
 *
 * The rows of components and findings exist for searching; the document is
 * what users read. Both come from the same put, in one transaction: the
 * rows travel as one JSON array parameter per table (INSERT ... SELECT over
 * json_array_elements), so that a large image costs two statements, not one
 * per finding. Strings copied into columns are checked in C first (no NUL,
 * which text cannot hold; bounded); the rest of the document may hold
 * anything JSON can.
 *
 * WHAT IS DECIDED AT READ TIME. Two values of an Image depend on other
 * images and would go stale if stored: the risk priority (the rank by risk
 * score among all stored images, 1 the riskiest, ties by id: a row_number,
 * so no two images share one) and a CVE's first system occurrence (another
 * image may have recorded it earlier in a racing transaction). get
 * recomputes both, and the current name and names list, over the stored
 * document: priority by one count over the risk index. A list page is
 * chosen first (filter, order, limit) and only then joined to the ranking,
 * a row_number() window over the narrow risk index: O(images) per page but
 * never over the wide rows, a few ms at 10,000 images.
 *
 * First-seen times are kept the earliest: cve_first_seen rows are inserted
 * ON CONFLICT DO NOTHING (now() for a new CVE) and never deleted; an
 * image's first occurrence of a CVE is carried from its previous findings
 * into the new ones. A CVE that leaves an image (fixed) and comes back later
 * starts again, as StackRox's image-CVE edges do.
 *
 * CONCURRENCY. A put takes a transaction-scoped advisory lock on its id
 * (class SI_LOCK_CLASS, FNV hash of the id: a collision only serialises two
 * puts), so puts of one image run one after the other and each sees the
 * findings the last one left. Puts of different images meet only in
 * cve_first_seen, where every put inserts its CVEs in the same (sorted)
 * order, so they wait for each other but cannot deadlock. Every writer locks
 * the images row before its names, components and findings, as the cascade
 * of a DELETE does. db_transaction() retries what deadlocks anyway.
 *
 * SEARCH (shared/query). Image-row fields are columns of `images i`; CVE,
 * CVSS, Severity, Fixable and Fixed By live in the findings scope, nested in
 * the components scope (Component, Component Version), so that terms on one
 * finding hold for the same finding ("CVE:x+Fixable:true") and terms on a
 * component and a finding for a finding of that component, as StackRox's
 * joins mean them. Image Risk Priority is filterable: it is the row_number()
 * column of the ranking subquery `rp`, joined only when a query or the list
 * needs it.
 *
 * INDEXES. The ranking and the default order use images (risk_score DESC,
 * id); every other sortable column has a (column, id) index, and dates and
 * numbers are also filtered through them (numbers are numeric columns so
 * that query_to_sql()'s "$n::numeric" comparisons can use the index).
 * String filters are case-insensitive (ILIKE / ~*), which no btree serves;
 * they scan images (10,000 rows) or the findings, which the nested EXISTS
 * reaches through its primary key. pg_trgm would serve them, but an
 * extension is not something central may assume in a managed database.
 * Measured in store_images_test.c (10,000 images, 50,000 components,
 * 100,000 findings, PostgreSQL 15 on a busy 2-core machine): pages of 50
 * in 12-66 ms (default order, deep offsets, other sorts, CVE / Severity +
 * Fixable / Component filters), a count of a findings filter ~100 ms, a
 * put among them ~15 ms, a get ~5 ms. The slowest are the case-insensitive
 * CVE filters, a scan of the findings.
 *
 * Sorting: the sortable fields are those of the image row. Ascending is
 * column order with NULLs last and ties by id; reversed is the exact
 * reverse of the column and of id, NULLs still last. Risk priority
 * ascending is riskiest first.
 */
#include "store_images.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "error/error.h"
#include "store_cves.h"
#include "store_search.h"

/* Bounds on a document from the converter: generous, but finite. */
#define SI_MAX_ID 79 /* fits store_image_ref.id */
#define SI_MAX_NAME 1024
#define SI_MAX_FIELD 4096
#define SI_MAX_COMPONENTS 50000
#define SI_MAX_FINDINGS 500000
#define SI_MAX_DOCUMENT (256u * 1024u * 1024u)
/* Advisory lock namespace of image puts ("ASI1"); the two-int form keeps it
 * apart from db_migrate's bigint keys. */
#define SI_LOCK_CLASS 0x41534931

static const struct db_migration si_migrations[] = {
	{1, "images, names, components, findings and CVE first sightings",
	 "CREATE TABLE images ("
	 "  id text COLLATE \"C\" PRIMARY KEY,"
	 "  full_name text COLLATE \"C\" NOT NULL,"
	 "  registry text COLLATE \"C\" NOT NULL,"
	 "  remote text COLLATE \"C\" NOT NULL,"
	 "  tag text COLLATE \"C\","
	 "  operating_system text COLLATE \"C\","
	 "  created timestamptz,"
	 "  scan_time timestamptz,"
	 "  last_updated timestamptz NOT NULL,"
	 "  components integer NOT NULL CHECK (components >= 0),"
	 "  cves integer NOT NULL CHECK (cves >= 0),"
	 "  fixable_cves integer NOT NULL CHECK (fixable_cves >= 0),"
	 "  top_cvss numeric NOT NULL,"
	 "  risk_score numeric NOT NULL,"
	 "  vuln_data_version text NOT NULL,"
	 "  document text NOT NULL);"
	 "CREATE INDEX images_risk ON images (risk_score DESC, id);"
	 "CREATE INDEX images_full_name ON images (full_name, id);"
	 "CREATE INDEX images_tag ON images (tag, id);"
	 "CREATE INDEX images_registry ON images (registry, id);"
	 "CREATE INDEX images_remote ON images (remote, id);"
	 "CREATE INDEX images_os ON images (operating_system, id);"
	 "CREATE INDEX images_scan_time ON images (scan_time, id);"
	 "CREATE INDEX images_created ON images (created, id);"
	 "CREATE INDEX images_top_cvss ON images (top_cvss, id);"
	 "CREATE TABLE image_names ("
	 "  image_id text COLLATE \"C\" NOT NULL REFERENCES images (id) ON DELETE CASCADE,"
	 "  full_name text COLLATE \"C\" NOT NULL,"
	 "  registry text COLLATE \"C\" NOT NULL,"
	 "  remote text COLLATE \"C\" NOT NULL,"
	 "  tag text COLLATE \"C\","
	 "  last_seen timestamptz NOT NULL,"
	 "  PRIMARY KEY (image_id, full_name));"
	 "CREATE INDEX image_names_full_name ON image_names (full_name, last_seen DESC);"
	 "CREATE TABLE image_components ("
	 "  image_id text COLLATE \"C\" NOT NULL REFERENCES images (id) ON DELETE CASCADE,"
	 "  idx integer NOT NULL,"
	 "  name text COLLATE \"C\" NOT NULL,"
	 "  version text COLLATE \"C\" NOT NULL,"
	 "  source text COLLATE \"C\","
	 "  location text COLLATE \"C\","
	 "  PRIMARY KEY (image_id, idx));"
	 "CREATE TABLE image_cves ("
	 "  image_id text COLLATE \"C\" NOT NULL,"
	 "  component_idx integer NOT NULL,"
	 "  idx integer NOT NULL,"
	 "  cve text COLLATE \"C\" NOT NULL,"
	 "  severity text COLLATE \"C\" NOT NULL CHECK (severity IN ('UNKNOWN_VULNERABILITY_SEVERITY',"
	 "    'LOW_VULNERABILITY_SEVERITY', 'MODERATE_VULNERABILITY_SEVERITY',"
	 "    'IMPORTANT_VULNERABILITY_SEVERITY', 'CRITICAL_VULNERABILITY_SEVERITY')),"
	 "  cvss numeric NOT NULL,"
	 "  fixable boolean NOT NULL,"
	 "  fixed_by text COLLATE \"C\","
	 "  first_image_occurrence timestamptz NOT NULL,"
	 "  PRIMARY KEY (image_id, component_idx, idx),"
	 "  FOREIGN KEY (image_id, component_idx) REFERENCES image_components (image_id, idx)"
	 "    ON DELETE CASCADE);"
	 "CREATE TABLE cve_first_seen ("
	 "  cve text COLLATE \"C\" PRIMARY KEY,"
	 "  first_seen timestamptz NOT NULL);"},
	/* store_cves.c: one CVE's findings, its description, the layer of a
	 * finding. Rows stored before stay without the last two (NULL). */
	{2, "CVE index, CVE descriptions and component layers",
	 "CREATE INDEX image_cves_cve ON image_cves (cve);"
	 "ALTER TABLE image_components ADD COLUMN layer_index integer;"
	 "CREATE TABLE cve_details ("
	 "  cve text COLLATE \"C\" PRIMARY KEY,"
	 "  summary text,"
	 "  details text NOT NULL,"
	 "  updated timestamptz NOT NULL);"},
};

int store_images_migrate(struct db_pool *pool)
{
	return db_migrate(pool, "central-images", si_migrations, sizeof(si_migrations) / sizeof(si_migrations[0]));
}

/* ---- search fields ------------------------------------------------------ */

enum si_field_id {
	SI_F_IMAGE = 1,
	SI_F_TAG,
	SI_F_REGISTRY,
	SI_F_REMOTE,
	SI_F_SHA,
	SI_F_OS,
	SI_F_SCAN_TIME,
	SI_F_CREATED,
	SI_F_TOP_CVSS,
	SI_F_PRIORITY,
	SI_F_CVE,
	SI_F_CVSS,
	SI_F_SEVERITY,
	SI_F_FIXABLE,
	SI_F_FIXED_BY,
	SI_F_COMPONENT,
	SI_F_COMPONENT_VERSION,
};

static const struct query_enum_value si_severities[] = {
	{"UNKNOWN_VULNERABILITY_SEVERITY", "Unknown", NULL},
	{"LOW_VULNERABILITY_SEVERITY", "Low", NULL},
	{"MODERATE_VULNERABILITY_SEVERITY", "Moderate", NULL},
	{"IMPORTANT_VULNERABILITY_SEVERITY", "Important", NULL},
	{"CRITICAL_VULNERABILITY_SEVERITY", "Critical", NULL},
};
#define SI_SEVERITY_COUNT (sizeof(si_severities) / sizeof(si_severities[0]))

static const struct query_field si_fields[] = {
	{"Image", NULL, QUERY_STRING, NULL, 0, SI_F_IMAGE},
	{"Image Tag", NULL, QUERY_STRING, NULL, 0, SI_F_TAG},
	{"Image Registry", NULL, QUERY_STRING, NULL, 0, SI_F_REGISTRY},
	{"Image Remote", NULL, QUERY_STRING, NULL, 0, SI_F_REMOTE},
	{"Image Sha", NULL, QUERY_STRING, NULL, 0, SI_F_SHA},
	{"Image OS", NULL, QUERY_STRING, NULL, 0, SI_F_OS},
	{"Image Scan Time", NULL, QUERY_DATE, NULL, 0, SI_F_SCAN_TIME},
	{"Image Created Time", NULL, QUERY_DATE, NULL, 0, SI_F_CREATED},
	{"Image Top CVSS", NULL, QUERY_NUMBER, NULL, 0, SI_F_TOP_CVSS},
	{"Image Risk Priority", NULL, QUERY_NUMBER, NULL, 0, SI_F_PRIORITY},
	{"CVE", NULL, QUERY_STRING, NULL, 0, SI_F_CVE},
	{"CVSS", NULL, QUERY_NUMBER, NULL, 0, SI_F_CVSS},
	{"Severity", NULL, QUERY_ENUM, si_severities, SI_SEVERITY_COUNT, SI_F_SEVERITY},
	{"Fixable", NULL, QUERY_BOOL, NULL, 0, SI_F_FIXABLE},
	{"Fixed By", NULL, QUERY_STRING, NULL, 0, SI_F_FIXED_BY},
	{"Component", NULL, QUERY_STRING, NULL, 0, SI_F_COMPONENT},
	{"Component Version", NULL, QUERY_STRING, NULL, 0, SI_F_COMPONENT_VERSION},
};
#define SI_FIELD_COUNT (sizeof(si_fields) / sizeof(si_fields[0]))

const struct query_field *store_images_query_fields(size_t *count)
{
	*count = SI_FIELD_COUNT;
	return si_fields;
}

static const struct query_sql_scope si_components_scope = {
	"EXISTS (SELECT 1 FROM image_components c WHERE c.image_id = i.id AND %s)", NULL};
static const struct query_sql_scope si_findings_scope = {
	"EXISTS (SELECT 1 FROM image_cves f WHERE f.image_id = c.image_id AND f.component_idx = c.idx AND %s)",
	&si_components_scope};

/* The ranking's column; its presence in a WHERE fragment means "join rp". */
#define SI_PRIORITY_EXPR "rp.priority"
#define SI_RANK_SUBQUERY "(SELECT id, row_number() OVER (ORDER BY risk_score DESC, id) AS priority FROM images) rp"

static const struct query_sql_column si_columns[] = {
	{SI_F_IMAGE, "i.full_name", NULL},
	{SI_F_TAG, "i.tag", NULL},
	{SI_F_REGISTRY, "i.registry", NULL},
	{SI_F_REMOTE, "i.remote", NULL},
	{SI_F_SHA, "i.id", NULL},
	{SI_F_OS, "i.operating_system", NULL},
	{SI_F_SCAN_TIME, "i.scan_time", NULL},
	{SI_F_CREATED, "i.created", NULL},
	{SI_F_TOP_CVSS, "i.top_cvss", NULL},
	{SI_F_PRIORITY, SI_PRIORITY_EXPR, NULL},
	{SI_F_CVE, "f.cve", &si_findings_scope},
	{SI_F_CVSS, "f.cvss", &si_findings_scope},
	{SI_F_SEVERITY, "f.severity", &si_findings_scope},
	{SI_F_FIXABLE, "f.fixable", &si_findings_scope},
	{SI_F_FIXED_BY, "f.fixed_by", &si_findings_scope},
	{SI_F_COMPONENT, "c.name", &si_components_scope},
	{SI_F_COMPONENT_VERSION, "c.version", &si_components_scope},
};
static const struct query_sql_map si_map = {si_columns, sizeof(si_columns) / sizeof(si_columns[0])};

/* The fields of the image row, the only ones a page may be sorted by, and
 * their columns; NULL = risk priority, ordered by the ranking's own key. */
static const struct store_search_sort si_sorts[] = {
	{"Image Risk Priority", NULL},
	{"Image", "full_name"},
	{"Image Tag", "tag"},
	{"Image Registry", "registry"},
	{"Image Remote", "remote"},
	{"Image Sha", "id"},
	{"Image OS", "operating_system"},
	{"Image Scan Time", "scan_time"},
	{"Image Created Time", "created"},
	{"Image Top CVSS", "top_cvss"},
};
#define SI_SORT_COUNT (sizeof(si_sorts) / sizeof(si_sorts[0]))

/* Writes the ORDER BY list for the page into out (our own text only), on
 * the columns of table alias t ("i" or "p"). */
static int si_order_by(char *out, size_t size, const struct store_search_page *page, const char *t)
{
	const char *label = page->sort_field && page->sort_field[0] ? page->sort_field : "Image Risk Priority";
	const char *dir = page->reversed ? "DESC" : "ASC";
	const struct store_search_sort *sort;
	int rc;

	if ((rc = store_search_sort_find(&sort, si_sorts, SI_SORT_COUNT, label, "images", si_fields, SI_FIELD_COUNT,
					 "it is not a field of the image itself")))
		return rc;
	if (!sort->column)
		snprintf(out, size, "%s.risk_score %s, %s.id %s", t, page->reversed ? "ASC" : "DESC", t, dir);
	else
		snprintf(out, size, "%s.%s %s NULLS LAST, %s.id %s", t, sort->column, dir, t, dir);
	return ASEC_OK;
}

/* ---- times -------------------------------------------------------------- */

static int64_t si_days_from_civil(int y, int m, int d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int si_num(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* RFC 3339 date-time to Unix milliseconds (fractions past ms truncated).
 * Strict on purpose: PostgreSQL's timestamptz input also takes words such
 * as "now" and "epoch", which a document must not smuggle in. */
static int si_time_parse(int64_t *out, const char *s)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, mo, d, h, mi, sec, ms = 0, oh = 0, om = 0, sign = 0;
	const char *p;

	if (strlen(s) < 20 || si_num(s, 4, &y) || s[4] != '-' || si_num(s + 5, 2, &mo) || s[7] != '-' ||
	    si_num(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || si_num(s + 11, 2, &h) || s[13] != ':' ||
	    si_num(s + 14, 2, &mi) || s[16] != ':' || si_num(s + 17, 2, &sec))
		return -1;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 60)
		return -1;
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -1;
	if (sec == 60)
		sec = 59; /* a leap second: the nearest representable instant */
	p = s + 19;
	if (*p == '.') {
		int digits = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 3)
				ms = ms * 10 + (*p - '0');
		if (digits == 0 || digits > 9)
			return -1;
		for (; digits < 3; digits++)
			ms *= 10;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (si_num(p + 1, 2, &oh) || p[3] != ':' || si_num(p + 4, 2, &om) || oh > 23 || om > 59)
			return -1;
		p += 6;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	*out = ((si_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) -
		(int64_t)sign * (oh * 3600 + om * 60)) * 1000 + ms;
	return 0;
}

/* ---- reading the document ----------------------------------------------- */

/* A string member: absent (NULL) unless required; never with a NUL inside
 * (PostgreSQL text cannot hold one) and at most max bytes. */
static int si_str(const char **out, const json_t *obj, const char *key, size_t max, int required,
		  const char *where)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (!required)
			return ASEC_OK;
		error_set("image %s: %s is missing", where, key);
		return ASEC_EINVALID;
	}
	if (!json_is_string(v)) {
		error_set("image %s: %s is not a string", where, key);
		return ASEC_EINVALID;
	}
	if (json_string_length(v) > max) {
		error_set("image %s: %s is longer than %zu bytes", where, key, max);
		return ASEC_ETOOBIG;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		error_set("image %s: %s holds a NUL character", where, key);
		return ASEC_EINVALID;
	}
	*out = json_string_value(v);
	return ASEC_OK;
}

/* A date-time member as Unix ms in text ("" when absent). */
static int si_time_member(char *out, size_t size, const json_t *obj, const char *key, const char *where)
{
	const char *text;
	int64_t ms;
	int rc;

	out[0] = '\0';
	if ((rc = si_str(&text, obj, key, 64, 0, where)) || !text)
		return rc;
	if (si_time_parse(&ms, text)) {
		error_set("image %s: %s is not an RFC 3339 date-time", where, key);
		return ASEC_EINVALID;
	}
	snprintf(out, size, "%" PRId64, ms);
	return ASEC_OK;
}

static int si_count_member(char *out, size_t size, const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	json_int_t n = 0;

	if (v && !json_is_null(v)) {
		if (!json_is_integer(v) || (n = json_integer_value(v)) < 0 || n > INT32_MAX) {
			error_set("image %s is not a count", key);
			return ASEC_EINVALID;
		}
	}
	snprintf(out, size, "%" JSON_INTEGER_FORMAT, n);
	return ASEC_OK;
}

/* 15 significant digits, as the HTTP layer writes numbers: the numeric
 * column then holds exactly the number users read and filter on. */
static int si_score_member(char *out, size_t size, const json_t *obj, const char *key, double max)
{
	json_t *v = json_object_get(obj, key);
	double d = 0;

	if (v && !json_is_null(v)) {
		if (!json_is_number(v) || !isfinite(d = json_number_value(v)) || d < 0 || d > max) {
			error_set("image %s is not a score between 0 and %g", key, max);
			return ASEC_EINVALID;
		}
	}
	snprintf(out, size, "%.15g", d);
	return ASEC_OK;
}

static int si_strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct si_put {
	json_t *image;
	const char *vuln_data_version;
	const char *id, *full_name, *registry, *remote, *tag, *os;
	char created[24], scan_time[24], last_updated[24];
	char components[24], cves[24], fixable_cves[24], top_cvss[32], risk_score[32];
	char lock_key[16];
	char *cve_list; /* the distinct CVEs, sorted, as a JSON array */
	int64_t priority;
};

static int si_vuln_check(const json_t *v, const char **cve)
{
	const char *severity, *fixed_by;
	json_t *cvss;
	int rc;

	if (!json_is_object(v)) {
		error_set("image vulnerability is not an object");
		return ASEC_EINVALID;
	}
	if ((rc = si_str(cve, v, "cve", 512, 1, "vulnerability")) ||
	    (rc = si_str(&severity, v, "severity", 64, 0, "vulnerability")) ||
	    (rc = si_str(&fixed_by, v, "fixedBy", SI_MAX_FIELD, 0, "vulnerability")))
		return rc;
	if (!(*cve)[0]) {
		error_set("image vulnerability has an empty cve");
		return ASEC_EINVALID;
	}
	if (severity) {
		size_t k;
		for (k = 0; k < SI_SEVERITY_COUNT; k++)
			if (strcmp(severity, si_severities[k].name) == 0)
				break;
		if (k == SI_SEVERITY_COUNT) {
			error_set("image vulnerability %.64s has an unknown severity", *cve);
			return ASEC_EINVALID;
		}
	}
	cvss = json_object_get(v, "cvss");
	if (cvss && !json_is_null(cvss) &&
	    (!json_is_number(cvss) || !(json_number_value(cvss) >= 0 && json_number_value(cvss) <= 10))) {
		error_set("image vulnerability %.64s has a cvss outside 0..10", *cve);
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

/* Checks and takes apart what the columns need, before any SQL. */
static int si_put_prepare(struct si_put *p)
{
	json_t *image = p->image, *name, *scan, *metadata, *v1, *components, *c, *vulns, *v, *list = NULL;
	const char **cves = NULL, *text;
	size_t ci, vi, n = 0, total = 0;
	uint32_t h = 2166136261u;
	int rc;

	if (!json_is_object(image)) {
		error_set("image is not a JSON object");
		return ASEC_EINVALID;
	}
	if (!p->vuln_data_version ||
	    strlen(p->vuln_data_version) >= sizeof(((struct store_image_ref *)0)->vuln_data_version)) {
		error_set("vulnerability data version is missing or longer than %zu bytes",
			  sizeof(((struct store_image_ref *)0)->vuln_data_version) - 1);
		return ASEC_EINVALID;
	}
	if ((rc = si_str(&p->id, image, "id", SI_MAX_ID, 1, "")))
		return rc;
	if (!p->id[0]) {
		error_set("image id is empty");
		return ASEC_EINVALID;
	}
	name = json_object_get(image, "name");
	if (!json_is_object(name)) {
		error_set("image %s has no name", p->id);
		return ASEC_EINVALID;
	}
	if ((rc = si_str(&p->full_name, name, "fullName", SI_MAX_NAME, 1, "name")) ||
	    (rc = si_str(&p->registry, name, "registry", SI_MAX_NAME, 1, "name")) ||
	    (rc = si_str(&p->remote, name, "remote", SI_MAX_NAME, 1, "name")) ||
	    (rc = si_str(&p->tag, name, "tag", SI_MAX_NAME, 0, "name")))
		return rc;
	if ((rc = si_time_member(p->last_updated, sizeof(p->last_updated), image, "lastUpdated", "")) ||
	    (rc = si_count_member(p->components, sizeof(p->components), image, "components")) ||
	    (rc = si_count_member(p->cves, sizeof(p->cves), image, "cves")) ||
	    (rc = si_count_member(p->fixable_cves, sizeof(p->fixable_cves), image, "fixableCves")) ||
	    (rc = si_score_member(p->top_cvss, sizeof(p->top_cvss), image, "topCvss", 10)) ||
	    (rc = si_score_member(p->risk_score, sizeof(p->risk_score), image, "riskScore", 1e12)))
		return rc;
	p->created[0] = '\0';
	metadata = json_object_get(image, "metadata");
	if (json_is_object(metadata) && json_is_object(v1 = json_object_get(metadata, "v1")) &&
	    (rc = si_time_member(p->created, sizeof(p->created), v1, "created", "metadata.v1")))
		return rc;

	p->os = NULL;
	p->scan_time[0] = '\0';
	components = NULL;
	scan = json_object_get(image, "scan");
	if (scan && !json_is_null(scan)) {
		if (!json_is_object(scan)) {
			error_set("image scan is not an object");
			return ASEC_EINVALID;
		}
		if ((rc = si_str(&p->os, scan, "operatingSystem", SI_MAX_FIELD, 0, "scan")) ||
		    (rc = si_time_member(p->scan_time, sizeof(p->scan_time), scan, "scanTime", "scan")))
			return rc;
		components = json_object_get(scan, "components");
		if (components && !json_is_null(components) && !json_is_array(components)) {
			error_set("image scan.components is not an array");
			return ASEC_EINVALID;
		}
		if (json_is_null(components))
			json_object_del(scan, "components"); /* the SQL reads absent as empty */
		components = json_object_get(scan, "components");
	}
	if (json_array_size(components) > SI_MAX_COMPONENTS) {
		error_set("image has more than %d components", SI_MAX_COMPONENTS);
		return ASEC_ETOOBIG;
	}
	json_array_foreach(components, ci, c) {
		if (!json_is_object(c)) {
			error_set("image component %zu is not an object", ci);
			return ASEC_EINVALID;
		}
		if ((rc = si_str(&text, c, "name", SI_MAX_FIELD, 1, "component")) ||
		    (rc = si_str(&text, c, "version", SI_MAX_FIELD, 0, "component")) ||
		    (rc = si_str(&text, c, "source", 64, 0, "component")) ||
		    (rc = si_str(&text, c, "location", SI_MAX_FIELD, 0, "component")))
			return rc;
		vulns = json_object_get(c, "vulns");
		if (json_is_null(vulns))
			json_object_del(c, "vulns");
		else if (vulns && !json_is_array(vulns)) {
			error_set("image component %zu: vulns is not an array", ci);
			return ASEC_EINVALID;
		}
		total += json_array_size(json_object_get(c, "vulns"));
	}
	if (total > SI_MAX_FINDINGS) {
		error_set("image has more than %d vulnerability findings", SI_MAX_FINDINGS);
		return ASEC_ETOOBIG;
	}
	if (!(cves = malloc((total ? total : 1) * sizeof(*cves)))) {
		error_set("out of memory storing an image");
		return ASEC_ENOMEM;
	}
	json_array_foreach(components, ci, c) {
		json_array_foreach(json_object_get(c, "vulns"), vi, v) {
			if ((rc = si_vuln_check(v, &cves[n])))
				goto out;
			n++;
		}
	}
	qsort(cves, n, sizeof(*cves), si_strcmp);
	if (!(list = json_array())) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		if (k > 0 && strcmp(cves[k], cves[k - 1]) == 0)
			continue;
		if (json_array_append_new(list, json_string(cves[k]))) {
			rc = ASEC_ENOMEM;
			goto out;
		}
	}
	if (!(p->cve_list = json_dumps(list, JSON_COMPACT))) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	for (const char *s = p->id; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	snprintf(p->lock_key, sizeof(p->lock_key), "%" PRId32, (int32_t)h);
	rc = ASEC_OK;
out:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory storing an image");
	json_decref(list);
	free(cves);
	return rc;
}

/* Reads rows of (cve, ms) into a JSON object cve -> ms. */
static int si_times_from(json_t **out, const PGresult *res)
{
	json_t *o = json_object();
	int rc = ASEC_OK;

	if (!o) {
		error_set("out of memory storing an image");
		return ASEC_ENOMEM;
	}
	for (int r = 0; r < PQntuples(res); r++) {
		const char *cve;
		int64_t ms;
		if ((rc = db_get_text(&cve, res, r, "cve")) || (rc = db_get_int64(&ms, res, r, "ms")))
			break;
		if (json_object_set_new(o, cve ? cve : "", json_integer(ms))) {
			error_set("out of memory storing an image");
			rc = ASEC_ENOMEM;
			break;
		}
	}
	if (rc)
		json_decref(o);
	else
		*out = o;
	return rc;
}

static int si_set_time(json_t *obj, const char *key, int64_t ms)
{
	if (store_search_set_time(obj, key, ms)) {
		error_set("out of memory storing an image");
		return ASEC_ENOMEM;
	}
	return ASEC_OK;
}

/* Sets every vuln's first-seen times: from the maps, now when absent. A
 * NULL map leaves that member as it is. */
static int si_fill_times(json_t *image, const json_t *system, const json_t *in_image, int64_t now_ms,
			 int strip_description)
{
	json_t *components = json_object_get(json_object_get(image, "scan"), "components"), *c, *v;
	size_t ci, vi;
	int rc;

	json_array_foreach(components, ci, c) {
		json_array_foreach(json_object_get(c, "vulns"), vi, v) {
			const char *cve = json_string_value(json_object_get(v, "cve"));
			json_t *t;
			if (!json_is_object(v) || !cve)
				continue;
			if (system) {
				t = json_object_get(system, cve);
				if ((rc = si_set_time(v, "firstSystemOccurrence", t ? json_integer_value(t) : now_ms)))
					return rc;
			}
			if (in_image) {
				t = json_object_get(in_image, cve);
				if ((rc = si_set_time(v, "firstImageOccurrence", t ? json_integer_value(t) : now_ms)))
					return rc;
			}
			if (strip_description)
				json_object_del(v, "summary");
		}
	}
	return ASEC_OK;
}

static json_t *si_name_object(const char *full_name, const char *registry, const char *remote, const char *tag)
{
	json_t *o = json_object();

	if (!o || json_object_set_new(o, "registry", json_string(registry ? registry : "")) ||
	    json_object_set_new(o, "remote", json_string(remote ? remote : "")) ||
	    (tag && json_object_set_new(o, "tag", json_string(tag))) ||
	    json_object_set_new(o, "fullName", json_string(full_name ? full_name : ""))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The rows of components and findings as two compact JSON arrays of
 * arrays, built from the fields si_put_prepare() checked. Not extracted by
 * PostgreSQL from the document: its ->> parses the whole object and refuses
 * a \u0000 anywhere in it, and a vulnerability feed's summary may hold one. */
static int si_rows_build(char **components_out, char **findings_out, const json_t *image)
{
	json_t *components = json_object_get(json_object_get(image, "scan"), "components"), *c, *v;
	json_t *crows = json_array(), *frows = json_array();
	size_t ci, vi;
	int rc = ASEC_ENOMEM;

	*components_out = *findings_out = NULL;
	if (!crows || !frows)
		goto out;
	json_array_foreach(components, ci, c) {
		json_t *layer = json_object_get(c, "layerIndex");
		if (!json_is_integer(layer) || json_integer_value(layer) < 0 || json_integer_value(layer) > INT32_MAX)
			layer = NULL;
		if (json_array_append_new(crows, json_pack("[I, O, O?, O?, O?, O?]", (json_int_t)ci + 1,
							   json_object_get(c, "name"), json_object_get(c, "version"),
							   json_object_get(c, "source"), json_object_get(c, "location"),
							   layer)))
			goto out;
		json_array_foreach(json_object_get(c, "vulns"), vi, v) {
			json_t *cvss = json_object_get(v, "cvss"), *fixed = json_object_get(v, "fixedBy");
			char score[32];
			int64_t first;
			snprintf(score, sizeof(score), "%.15g", json_is_number(cvss) ? json_number_value(cvss) : 0.0);
			if (si_time_parse(&first, json_string_value(json_object_get(v, "firstImageOccurrence")))) {
				error_set("image vulnerability has no first image occurrence");
				rc = ASEC_ERROR;
				goto out;
			}
			if (json_is_string(fixed) && json_string_length(fixed) == 0)
				fixed = NULL;
			if (json_array_append_new(frows, json_pack("[I, I, O, O?, s, O?, I]", (json_int_t)ci + 1,
								   (json_int_t)vi + 1, json_object_get(v, "cve"),
								   json_object_get(v, "severity"), score, fixed,
								   (json_int_t)first)))
				goto out;
		}
	}
	if (!(*components_out = json_dumps(crows, JSON_COMPACT)) || !(*findings_out = json_dumps(frows, JSON_COMPACT)))
		goto out;
	rc = ASEC_OK;
out:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory storing an image");
	if (rc) {
		free(*components_out);
		free(*findings_out);
		*components_out = *findings_out = NULL;
	}
	json_decref(crows);
	json_decref(frows);
	return rc;
}

static const char si_priority_sql[] =
	"SELECT 1 + count(*) AS priority FROM images j, images i WHERE i.id = $1"
	" AND (j.risk_score > i.risk_score OR (j.risk_score = i.risk_score AND j.id < i.id))";

static int si_put_txn(PGconn *conn, void *ctx)
{
	struct si_put *p = ctx;
	PGresult *res = NULL;
	json_t *system = NULL, *in_image = NULL, *names = NULL, *name;
	char *document = NULL, *component_rows = NULL, *finding_rows = NULL;
	int64_t now_ms;
	int rc;

	{
		char cls[16];
		const char *params[2] = {cls, p->lock_key};
		snprintf(cls, sizeof(cls), "%d", SI_LOCK_CLASS);
		if ((rc = db_exec(&res, conn,
				  "SELECT pg_advisory_xact_lock($1::int, $2::int),"
				  " " STORE_SEARCH_MS("now()") " AS now_ms",
				  2,
				  params)) ||
		    (rc = db_get_int64(&now_ms, res, 0, "now_ms")))
			goto out;
		PQclear(res);
		res = NULL;
	}
	{
		/* Sorted, so that racing puts take the rows' locks in one order. */
		const char *params[1] = {p->cve_list};
		if ((rc = db_exec(NULL, conn,
				  "INSERT INTO cve_first_seen (cve, first_seen)"
				  " SELECT c, now() FROM json_array_elements_text($1::json) AS t(c) ORDER BY c COLLATE \"C\""
				  " ON CONFLICT (cve) DO NOTHING",
				  1, params)) ||
		    (rc = db_exec(&res, conn,
				  "SELECT s.cve, " STORE_SEARCH_MS("s.first_seen") " AS ms FROM cve_first_seen s"
				  " WHERE s.cve IN (SELECT json_array_elements_text($1::json))",
				  1, params)) ||
		    (rc = si_times_from(&system, res)))
			goto out;
		PQclear(res);
		res = NULL;
	}
	{
		const char *params[2] = {p->id, p->full_name};
		if ((rc = db_exec(&res, conn,
				  "SELECT cve, " STORE_SEARCH_MS("min(first_image_occurrence)") " AS ms FROM image_cves"
				  " WHERE image_id = $1 GROUP BY cve",
				  1, params)) ||
		    (rc = si_times_from(&in_image, res)))
			goto out;
		PQclear(res);
		res = NULL;
		if ((rc = db_exec(&res, conn,
				  "SELECT full_name, registry, remote, tag FROM image_names"
				  " WHERE image_id = $1 AND full_name <> $2 ORDER BY last_seen DESC, full_name",
				  2, params)))
			goto out;
	}
	if (!(names = json_array()) ||
	    json_array_append_new(names, si_name_object(p->full_name, p->registry, p->remote, p->tag))) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	for (int r = 0; r < PQntuples(res); r++) {
		name = si_name_object(PQgetvalue(res, r, 0), PQgetvalue(res, r, 1), PQgetvalue(res, r, 2),
				      PQgetisnull(res, r, 3) ? NULL : PQgetvalue(res, r, 3));
		if (json_array_append_new(names, name)) {
			rc = ASEC_ENOMEM;
			goto out;
		}
	}
	PQclear(res);
	res = NULL;
	if ((rc = si_fill_times(p->image, system, in_image, now_ms, 0)))
		goto out;
	if (json_object_set(p->image, "names", names) ||
	    json_object_set_new(p->image, "priority", json_integer(0))) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	/* 15 digits, as the HTTP layer writes: the numbers the findings' rows
	 * are made from are then the ones users read. */
	if (!(document = json_dumps(p->image, JSON_COMPACT | JSON_REAL_PRECISION(15)))) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	if (strlen(document) > SI_MAX_DOCUMENT) {
		error_set("image document is larger than %u bytes", SI_MAX_DOCUMENT);
		rc = ASEC_ETOOBIG;
		goto out;
	}
	if ((rc = si_rows_build(&component_rows, &finding_rows, p->image)))
		goto out;
	{
		const char *params[16] = {
			p->id,         p->full_name,    p->registry,     p->remote,
			p->tag,        p->os,           p->created[0] ? p->created : NULL,
			p->scan_time[0] ? p->scan_time : NULL,           p->last_updated[0] ? p->last_updated : NULL,
			p->components, p->cves,         p->fixable_cves, p->top_cvss,
			p->risk_score, p->vuln_data_version,             document,
		};
		if ((rc = db_exec(NULL, conn,
				  "INSERT INTO images (id, full_name, registry, remote, tag, operating_system, created,"
				  " scan_time, last_updated, components, cves, fixable_cves, top_cvss, risk_score,"
				  " vuln_data_version, document) VALUES ($1, $2, $3, $4, $5, $6,"
				  " " STORE_SEARCH_TS("$7") ", " STORE_SEARCH_TS("$8") ","
				  " coalesce(" STORE_SEARCH_TS("$9") ", now()),"
				  " $10, $11, $12, $13, $14, $15, $16)"
				  " ON CONFLICT (id) DO UPDATE SET full_name = EXCLUDED.full_name,"
				  " registry = EXCLUDED.registry, remote = EXCLUDED.remote, tag = EXCLUDED.tag,"
				  " operating_system = EXCLUDED.operating_system, created = EXCLUDED.created,"
				  " scan_time = EXCLUDED.scan_time, last_updated = EXCLUDED.last_updated,"
				  " components = EXCLUDED.components, cves = EXCLUDED.cves,"
				  " fixable_cves = EXCLUDED.fixable_cves, top_cvss = EXCLUDED.top_cvss,"
				  " risk_score = EXCLUDED.risk_score, vuln_data_version = EXCLUDED.vuln_data_version,"
				  " document = EXCLUDED.document",
				  16, params)))
			goto out;
	}
	{
		const char *params[5] = {p->id, p->full_name, p->registry, p->remote, p->tag};
		/* clock_timestamp(): a put that waited for the lock is newer than
		 * the one it waited for, though its transaction began first. */
		if ((rc = db_exec(NULL, conn,
				  "INSERT INTO image_names (image_id, full_name, registry, remote, tag, last_seen)"
				  " VALUES ($1, $2, $3, $4, $5, clock_timestamp()) ON CONFLICT (image_id, full_name)"
				  " DO UPDATE SET registry = EXCLUDED.registry, remote = EXCLUDED.remote,"
				  " tag = EXCLUDED.tag, last_seen = EXCLUDED.last_seen",
				  5, params)) ||
		    (rc = db_exec(NULL, conn, "DELETE FROM image_components WHERE image_id = $1", 1, params)) ||
		    (rc = db_exec(NULL, conn,
				  "INSERT INTO image_components (image_id, idx, name, version, source, location,"
				  " layer_index) SELECT $1, (e->>0)::int, e->>1, coalesce(e->>2, ''), e->>3, e->>4,"
				  " (e->>5)::int"
				  " FROM json_array_elements($2::json) AS e",
				  2, (const char *[]){p->id, component_rows})) ||
		    (rc = db_exec(NULL, conn,
				  "INSERT INTO image_cves (image_id, component_idx, idx, cve, severity, cvss, fixable,"
				  " fixed_by, first_image_occurrence)"
				  " SELECT $1, (e->>0)::int, (e->>1)::int, e->>2,"
				  " coalesce(e->>3, 'UNKNOWN_VULNERABILITY_SEVERITY'), (e->>4)::numeric, e->>5 IS NOT NULL,"
				  " e->>5, " STORE_SEARCH_TS("(e->>6)") " FROM json_array_elements($2::json) AS e",
				  2, (const char *[]){p->id, finding_rows})) ||
		    (rc = store_cves_put_details(conn, p->image)) ||
		    (rc = db_exec(&res, conn, si_priority_sql, 1, params)) ||
		    (rc = db_get_int64(&p->priority, res, 0, "priority")))
			goto out;
	}
out:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory storing an image");
	free(document);
	free(component_rows);
	free(finding_rows);
	json_decref(names);
	json_decref(system);
	json_decref(in_image);
	PQclear(res);
	return rc;
}

int store_images_put(struct db_pool *pool, json_t *image, const char *vuln_data_version)
{
	struct si_put p;
	int rc;

	memset(&p, 0, sizeof(p));
	p.image = image;
	p.vuln_data_version = vuln_data_version;
	if ((rc = si_put_prepare(&p)))
		goto out;
	if ((rc = db_transaction(pool, DB_READ_COMMITTED, si_put_txn, &p)))
		goto out;
	if (json_object_set_new(image, "priority", json_integer(p.priority))) {
		error_set("out of memory storing an image");
		rc = ASEC_ENOMEM;
	}
out:
	free(p.cve_list);
	return rc;
}

/* ---- reading ------------------------------------------------------------ */

static int si_copy(char *out, size_t size, const char *text, const char *what)
{
	if (!text || strlen(text) >= size) {
		error_set("a stored image's %s is missing or too long", what);
		return ASEC_EINVALID;
	}
	strcpy(out, text);
	return ASEC_OK;
}

int store_images_find_by_name(struct store_image_ref *out, struct db_pool *pool, const char *full_name)
{
	const char *params[1] = {full_name};
	PGresult *res = NULL;
	const char *text;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = db_query(&res, pool,
			   "SELECT i.id, i.vuln_data_version,"
			   " coalesce(" STORE_SEARCH_MS("i.scan_time") ", 0) AS scan_time"
			   " FROM image_names n JOIN images i ON i.id = n.image_id WHERE n.full_name = $1"
			   " ORDER BY n.last_seen DESC, i.id LIMIT 1",
			   1, params)))
		goto out;
	if (PQntuples(res) == 0) {
		error_set("no image is stored under the name %.256s", full_name);
		rc = ASEC_ENOTFOUND;
		goto out;
	}
	if ((rc = db_get_text(&text, res, 0, "id")) || (rc = si_copy(out->id, sizeof(out->id), text, "id")) ||
	    (rc = db_get_text(&text, res, 0, "vuln_data_version")) ||
	    (rc = si_copy(out->vuln_data_version, sizeof(out->vuln_data_version), text, "data version")) ||
	    (rc = db_get_int64(&out->scan_time_ms, res, 0, "scan_time")))
		goto out;
out:
	PQclear(res);
	return rc;
}

int store_images_get(json_t **out, struct db_pool *pool, const char *id, int strip_description)
{
	const char *params[1] = {id};
	PGresult *res = NULL;
	json_t *image = NULL, *names = NULL, *system = NULL, *name = NULL;
	json_error_t jerr;
	int64_t priority;
	int rc;

	*out = NULL;
	if ((rc = db_query(&res, pool,
			   "SELECT i.document, i.full_name, i.registry, i.remote, i.tag,"
			   " (SELECT 1 + count(*) FROM images j WHERE j.risk_score > i.risk_score"
			   "  OR (j.risk_score = i.risk_score AND j.id < i.id)) AS priority,"
			   " (SELECT json_agg(json_strip_nulls(json_build_object('registry', n.registry, 'remote',"
			   "  n.remote, 'tag', n.tag, 'fullName', n.full_name))"
			   "  ORDER BY n.full_name = i.full_name DESC, n.last_seen DESC, n.full_name)"
			   "  FROM image_names n WHERE n.image_id = i.id) AS names,"
			   " (SELECT json_object_agg(s.cve, " STORE_SEARCH_MS("s.first_seen") ") FROM cve_first_seen s"
			   "  WHERE s.cve IN (SELECT f.cve FROM image_cves f WHERE f.image_id = i.id)) AS first_seen"
			   " FROM images i WHERE i.id = $1",
			   1, params)))
		goto out;
	if (PQntuples(res) == 0) {
		error_set("no image has id %.128s", id);
		rc = ASEC_ENOTFOUND;
		goto out;
	}
	if ((rc = db_get_int64(&priority, res, 0, "priority")))
		goto out;
	image = json_loads(PQgetvalue(res, 0, 0), JSON_ALLOW_NUL, &jerr);
	names = PQgetisnull(res, 0, 6) ? json_array() : json_loads(PQgetvalue(res, 0, 6), 0, &jerr);
	system = PQgetisnull(res, 0, 7) ? json_object() : json_loads(PQgetvalue(res, 0, 7), 0, &jerr);
	if (!json_is_object(image) || !json_is_array(names) || !json_is_object(system)) {
		error_set("stored image %.128s cannot be read back as JSON", id);
		rc = ASEC_ERROR;
		goto out;
	}
	name = si_name_object(PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3),
			      PQgetisnull(res, 0, 4) ? NULL : PQgetvalue(res, 0, 4));
	if (!name || json_object_set_new(image, "name", name) || json_object_set(image, "names", names) ||
	    json_object_set_new(image, "priority", json_integer(priority))) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	if ((rc = si_fill_times(image, system, NULL, 0, strip_description)))
		goto out;
	*out = image;
	image = NULL;
out:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory reading an image");
	json_decref(image);
	json_decref(names);
	json_decref(system);
	PQclear(res);
	return rc;
}

int store_images_add_name(struct db_pool *pool, const char *id, const char *full_name, const char *registry,
			  const char *remote, const char *tag)
{
	const char *params[5] = {id, full_name, registry, remote, tag};
	PGresult *res = NULL;
	int rc;

	if (!id || !full_name || !registry || !remote || strlen(full_name) > SI_MAX_NAME ||
	    strlen(registry) > SI_MAX_NAME || strlen(remote) > SI_MAX_NAME || (tag && strlen(tag) > SI_MAX_NAME)) {
		error_set("image name is missing a part or longer than %d bytes", SI_MAX_NAME);
		return ASEC_EINVALID;
	}
	/* One statement: the UPDATE locks the image row first, as every writer
	 * does, and the name is added only if the image is there. */
	rc = db_query(&res, pool,
		      "WITH img AS (UPDATE images SET full_name = $2, registry = $3, remote = $4, tag = $5"
		      "  WHERE id = $1 RETURNING id)"
		      " INSERT INTO image_names (image_id, full_name, registry, remote, tag, last_seen)"
		      " SELECT id, $2, $3, $4, $5, clock_timestamp() FROM img"
		      " ON CONFLICT (image_id, full_name) DO UPDATE SET registry = EXCLUDED.registry,"
		      " remote = EXCLUDED.remote, tag = EXCLUDED.tag, last_seen = EXCLUDED.last_seen",
		      5, params);
	if (rc == ASEC_OK && atoi(PQcmdTuples(res)) == 0) {
		error_set("no image has id %.128s", id);
		rc = ASEC_ENOTFOUND;
	}
	PQclear(res);
	return rc;
}

/* ---- searching ---------------------------------------------------------- */

/* The WHERE fragment of q, with room for LIMIT and OFFSET; whether it
 * reads the rank decides whether the ranking subquery is joined. */
static int si_where_make(struct store_search_where *w, int *ranked, const struct query *q)
{
	int rc;

	*ranked = 0;
	if ((rc = store_search_where_make(w, q, &si_map, 2, "an image search")))
		return rc;
	*ranked = strstr(w->sql, SI_PRIORITY_EXPR) != NULL;
	return ASEC_OK;
}

static double si_double(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 : strtod(PQgetvalue(res, row, col), NULL);
}

static int si_list_row(json_t *out, const PGresult *res, int r)
{
	json_t *o = json_object();

	if (!o || json_array_append_new(out, o))
		return ASEC_ENOMEM;
	if (json_object_set_new(o, "id", json_string(PQgetvalue(res, r, 0))) ||
	    json_object_set_new(o, "name", json_string(PQgetvalue(res, r, 1))) ||
	    json_object_set_new(o, "components", json_integer(strtoll(PQgetvalue(res, r, 2), NULL, 10))) ||
	    json_object_set_new(o, "cves", json_integer(strtoll(PQgetvalue(res, r, 3), NULL, 10))) ||
	    json_object_set_new(o, "fixableCves", json_integer(strtoll(PQgetvalue(res, r, 4), NULL, 10))) ||
	    json_object_set_new(o, "topCvss", json_real(si_double(res, r, 5))) ||
	    json_object_set_new(o, "riskScore", json_real(si_double(res, r, 6))) ||
	    json_object_set_new(o, "priority", json_integer(strtoll(PQgetvalue(res, r, 7), NULL, 10))))
		return ASEC_ENOMEM;
	if (store_search_set_time_column(o, "created", res, r, 8) ||
	    store_search_set_time_column(o, "lastUpdated", res, r, 9))
		return ASEC_ENOMEM;
	if (!PQgetisnull(res, r, 10) && json_object_set_new(o, "operatingSystem", json_string(PQgetvalue(res, r, 10))))
		return ASEC_ENOMEM;
	return ASEC_OK;
}

int store_images_list(json_t **out, struct db_pool *pool, const struct query *q, const struct store_search_page *page)
{
	struct store_search_where w;
	char order[160], outer[160], *sql = NULL;
	int ranked = 0, rc;

	*out = NULL;
	memset(&w, 0, sizeof(w));
	if ((rc = store_search_page_check(page)))
		return rc;
	if ((rc = si_order_by(order, sizeof(order), page, "i")) || (rc = si_order_by(outer, sizeof(outer), page, "p")) ||
	    (rc = si_where_make(&w, &ranked, q)))
		goto out;
	store_search_where_page(&w, page);
	/* The page first (through an index when the order allows), then the
	 * rank of its rows only: the window runs over the narrow risk index,
	 * never over the wide rows of every image. */
	if (asprintf(&sql,
		     "SELECT p.id, p.full_name, p.components, p.cves, p.fixable_cves, p.top_cvss, p.risk_score,"
		     " r.priority, " STORE_SEARCH_MS("p.created") " AS created,"
		     " " STORE_SEARCH_MS("p.last_updated") " AS last_updated,"
		     " p.operating_system FROM (SELECT i.id, i.full_name, i.tag, i.registry, i.remote, i.operating_system,"
		     " i.created, i.scan_time, i.last_updated, i.components, i.cves, i.fixable_cves, i.top_cvss,"
		     " i.risk_score FROM images i%s WHERE %s ORDER BY %s LIMIT $%d OFFSET $%d) p"
		     " JOIN (SELECT id, row_number() OVER (ORDER BY risk_score DESC, id) AS priority FROM images) r"
		     " ON r.id = p.id ORDER BY %s",
		     ranked ? " JOIN " SI_RANK_SUBQUERY " ON rp.id = i.id" : "", w.sql, order, w.count + 1,
		     w.count + 2, outer) < 0) {
		sql = NULL;
		rc = ASEC_ENOMEM;
		goto out;
	}
	rc = store_search_rows(out, pool, sql, &w, w.count + 2, si_list_row);
out:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory listing images");
	free(sql);
	store_search_where_free(&w);
	return rc;
}

int store_images_count(int64_t *out, struct db_pool *pool, const struct query *q)
{
	struct store_search_where w;
	int ranked = 0, rc;

	*out = 0;
	if ((rc = si_where_make(&w, &ranked, q)) == ASEC_OK)
		rc = store_search_count(out, pool,
					ranked ? "images i JOIN " SI_RANK_SUBQUERY " ON rp.id = i.id" : "images i", &w,
					"images");
	store_search_where_free(&w);
	return rc;
}

struct si_delete {
	const char *sql;
	const struct store_search_where *w;
	int64_t deleted;
};

static int si_delete_txn(PGconn *conn, void *ctx)
{
	struct si_delete *d = ctx;
	PGresult *res = NULL;
	int rc;

	if ((rc = db_exec(&res, conn, d->sql, d->w->count, d->w->params)) == ASEC_OK)
		d->deleted = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return rc;
}

int store_images_delete(int64_t *out, struct db_pool *pool, const struct query *q, int confirm)
{
	struct store_search_where w;
	struct si_delete d = {0};
	char *sql = NULL;
	int ranked = 0, rc;

	*out = 0;
	memset(&w, 0, sizeof(w));
	if (!q || query_term_count(q) == 0) {
		error_set("refusing to delete images without a query: every image would match");
		return ASEC_EINVALID;
	}
	if (!confirm)
		return store_images_count(out, pool, q);
	if ((rc = si_where_make(&w, &ranked, q)))
		goto out;
	/* Components, findings and names go with the image (ON DELETE CASCADE);
	 * cve_first_seen stays. */
	if (asprintf(&sql, "DELETE FROM images i%s WHERE %s%s",
		     ranked ? " USING " SI_RANK_SUBQUERY : "", ranked ? "rp.id = i.id AND " : "", w.sql) < 0) {
		sql = NULL;
		error_set("out of memory deleting images");
		rc = ASEC_ENOMEM;
		goto out;
	}
	d.sql = sql;
	d.w = &w;
	if ((rc = db_transaction(pool, DB_READ_COMMITTED, si_delete_txn, &d)))
		goto out;
	*out = d.deleted;
out:
	free(sql);
	store_search_where_free(&w);
	return rc;
}
