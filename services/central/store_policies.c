/*
 * store_policies.c - SQL of central's policies and policy categories (see
 * store_policies.h).
 *
 * Tables (migration component "central-policies"):
 *   policies            one row per policy: the document as compact JSON
 *                       text with sorted keys (so that equal policies are
 *                       equal texts, which the defaults' refresh relies on),
 *                       and the columns searches, sorts and lists read,
 *                       derived from the document on every write. Names are
 *                       unique ignoring case through an index on lower(name).
 *   policy_categories   id, name (unique ignoring case), is_default.
 *   policy_defaults     per default policy id ever loaded, the text it was
 *                       loaded as; policy_defaults_version the digest of the
 *                       set last applied.
 *   policy_generation   one counter, bumped in every transaction that
 *                       changes a policy, so caches on any replica can tell
 *                       whether what they hold is current with one cheap read.
 *
 * A few hundred policies at most exist, so a list reads whole documents and
 * projects them in C rather than keeping a column per ListPolicy member.
 */
#include "store_policies.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "auth/auth.h"
#include "error/error.h"
#include "store_search.h"

/* Values one search may bind: far above what a policy search names. */
#define SP_QUERY_VALUES_MAX 1000
#define SP_CATEGORY_MAX_BYTES 128
/* RFC 3339 UTC with milliseconds, as the API writes times. */
#define SP_TIME(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

static const struct db_migration sp_migrations[] = {
	{1, "policies, categories, defaults and a change counter",
	 "CREATE TABLE policies ("
	 "  id text PRIMARY KEY,"
	 "  name text NOT NULL,"
	 "  description text NOT NULL DEFAULT '',"
	 "  severity text NOT NULL,"
	 "  disabled boolean NOT NULL DEFAULT false,"
	 "  stages text[] NOT NULL,"
	 "  categories text[] NOT NULL,"
	 "  event_source text NOT NULL DEFAULT 'NOT_APPLICABLE',"
	 "  enforcement boolean NOT NULL DEFAULT false,"
	 "  is_default boolean NOT NULL DEFAULT false,"
	 "  policy text NOT NULL,"
	 "  last_updated timestamptz NOT NULL DEFAULT clock_timestamp());"
	 "CREATE UNIQUE INDEX policies_name_key ON policies (lower(name));"
	 "CREATE TABLE policy_categories ("
	 "  id text PRIMARY KEY,"
	 "  name text NOT NULL,"
	 "  is_default boolean NOT NULL DEFAULT false);"
	 "CREATE UNIQUE INDEX policy_categories_name_key ON policy_categories (lower(name));"
	 "CREATE TABLE policy_defaults ("
	 "  id text PRIMARY KEY,"
	 "  loaded_text text NOT NULL,"
	 "  loaded_at timestamptz NOT NULL DEFAULT clock_timestamp());"
	 "CREATE TABLE policy_defaults_version ("
	 "  one boolean PRIMARY KEY DEFAULT true CHECK (one),"
	 "  version text NOT NULL);"
	 "CREATE TABLE policy_generation ("
	 "  one boolean PRIMARY KEY DEFAULT true CHECK (one),"
	 "  n bigint NOT NULL);"
	 "INSERT INTO policy_generation (n) VALUES (1);"},
};

int store_policies_migrate(struct db_pool *pool)
{
	return db_migrate(pool, "central-policies", sp_migrations, sizeof(sp_migrations) / sizeof(sp_migrations[0]));
}

/* ---- search fields -------------------------------------------------------- */

enum {
	SP_F_NAME = 1,
	SP_F_ID,
	SP_F_DESCRIPTION,
	SP_F_CATEGORY,
	SP_F_STAGE,
	SP_F_SEVERITY,
	SP_F_ENFORCEMENT,
	SP_F_DISABLED,
	SP_F_DEFAULT,
	SP_F_EVENT_SOURCE,
	SP_F_LAST_UPDATED,
};

static const struct query_enum_value sp_severities[] = {
	{"LOW_SEVERITY", "Low", NULL},
	{"MEDIUM_SEVERITY", "Medium", NULL},
	{"HIGH_SEVERITY", "High", NULL},
	{"CRITICAL_SEVERITY", "Critical", NULL},
};
static const struct query_enum_value sp_stages[] = {
	{"BUILD", NULL, NULL},
	{"DEPLOY", NULL, NULL},
	{"RUNTIME", NULL, NULL},
};
static const struct query_enum_value sp_event_sources[] = {
	{"NOT_APPLICABLE", NULL, NULL},
	{"DEPLOYMENT_EVENT", NULL, NULL},
	{"AUDIT_LOG_EVENT", NULL, NULL},
	{"NODE_EVENT", NULL, NULL},
};
#define SP_COUNT(a) (sizeof(a) / sizeof(a[0]))

static const struct query_field sp_fields[] = {
	{"Policy", NULL, QUERY_STRING, NULL, 0, SP_F_NAME},
	{"Policy ID", NULL, QUERY_STRING, NULL, 0, SP_F_ID},
	{"Description", NULL, QUERY_STRING, NULL, 0, SP_F_DESCRIPTION},
	{"Category", NULL, QUERY_STRING, NULL, 0, SP_F_CATEGORY},
	{"Lifecycle Stage", NULL, QUERY_ENUM, sp_stages, SP_COUNT(sp_stages), SP_F_STAGE},
	{"Severity", NULL, QUERY_ENUM, sp_severities, SP_COUNT(sp_severities), SP_F_SEVERITY},
	{"Enforcement", NULL, QUERY_BOOL, NULL, 0, SP_F_ENFORCEMENT},
	{"Disabled", NULL, QUERY_BOOL, NULL, 0, SP_F_DISABLED},
	{"Default", NULL, QUERY_BOOL, NULL, 0, SP_F_DEFAULT},
	{"Event Source", NULL, QUERY_ENUM, sp_event_sources, SP_COUNT(sp_event_sources), SP_F_EVENT_SOURCE},
	{"Policy Last Updated", NULL, QUERY_DATE, NULL, 0, SP_F_LAST_UPDATED},
};

const struct query_field *store_policies_query_fields(size_t *count)
{
	*count = SP_COUNT(sp_fields);
	return sp_fields;
}

static const struct query_sql_scope sp_category_scope = {
	"EXISTS (SELECT 1 FROM unnest(p.categories) AS c(v) WHERE %s)", NULL};
static const struct query_sql_scope sp_stage_scope = {"EXISTS (SELECT 1 FROM unnest(p.stages) AS s(v) WHERE %s)",
						      NULL};

static const struct query_sql_column sp_columns[] = {
	{SP_F_NAME, "p.name", NULL},
	{SP_F_ID, "p.id", NULL},
	{SP_F_DESCRIPTION, "p.description", NULL},
	{SP_F_CATEGORY, "c.v", &sp_category_scope},
	{SP_F_STAGE, "s.v", &sp_stage_scope},
	{SP_F_SEVERITY, "p.severity", NULL},
	{SP_F_ENFORCEMENT, "p.enforcement", NULL},
	{SP_F_DISABLED, "p.disabled", NULL},
	{SP_F_DEFAULT, "p.is_default", NULL},
	{SP_F_EVENT_SOURCE, "p.event_source", NULL},
	{SP_F_LAST_UPDATED, "p.last_updated", NULL},
};
static const struct query_sql_map sp_map = {sp_columns, SP_COUNT(sp_columns)};

/* Sortable fields and their ORDER BY expressions (our own text only). */
static const struct store_search_sort sp_sorts[] = {
	{"Policy", "lower(p.name)"},
	{"Severity", "array_position(ARRAY['LOW_SEVERITY','MEDIUM_SEVERITY','HIGH_SEVERITY','CRITICAL_SEVERITY'], "
		     "p.severity)"},
	{"Lifecycle Stage", "array_to_string(p.stages, ',')"},
	{"Disabled", "p.disabled"},
	{"Policy Last Updated", "p.last_updated"},
};

/* ---- documents ------------------------------------------------------------ */

/* What a policy document gives the columns. Strings point into doc or text. */
struct sp_doc {
	const char *id, *name, *description, *severity, *event_source;
	int disabled, enforcement, is_default;
	char *stages;     /* PostgreSQL array literals */
	char *categories;
	char *text;       /* the stored document */
	json_t *doc;      /* the document as stored (owned) */
};

static void sp_doc_free(struct sp_doc *d)
{
	free(d->stages);
	free(d->categories);
	free(d->text);
	json_decref(d->doc);
	memset(d, 0, sizeof(*d));
}

/* A PostgreSQL array literal of the strings of arr: {"a","b"} with '"' and
 * '\' escaped, so that no element is read as NULL or split. */
static char *sp_array_literal(const json_t *arr)
{
	size_t i, len = 3;
	json_t *v;
	char *out, *p;

	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);
		len += 3 + (s ? 2 * strlen(s) : 0);
	}
	if (!(out = malloc(len)))
		return NULL;
	p = out;
	*p++ = '{';
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);
		if (!s)
			continue;
		if (p > out + 1)
			*p++ = ',';
		*p++ = '"';
		for (; *s; s++) {
			if (*s == '"' || *s == '\\')
				*p++ = '\\';
			*p++ = *s;
		}
		*p++ = '"';
	}
	*p++ = '}';
	*p = '\0';
	return out;
}

static int sp_has_nul_free_string(const json_t *o, const char *member)
{
	const json_t *v = json_object_get(o, member);

	return json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v);
}

/* Builds the stored form of policy: a copy without the members the row
 * itself answers (lastUpdated) or that are derived on read (SORT*). */
static int sp_doc_make(struct sp_doc *d, const json_t *policy)
{
	const json_t *actions, *v;
	size_t i;

	memset(d, 0, sizeof(*d));
	if (!json_is_object(policy) || !sp_has_nul_free_string(policy, "id") ||
	    !sp_has_nul_free_string(policy, "name") || !sp_has_nul_free_string(policy, "severity")) {
		error_set("a stored policy needs an id, a name and a severity, without NUL characters");
		return ASEC_EINVALID;
	}
	if (!(d->doc = json_deep_copy(policy)))
		goto nomem;
	json_object_del(d->doc, "lastUpdated");
	json_object_del(d->doc, "SORTName");
	json_object_del(d->doc, "SORTLifecycleStage");
	json_object_del(d->doc, "SORTEnforcement");
	d->id = json_string_value(json_object_get(d->doc, "id"));
	d->name = json_string_value(json_object_get(d->doc, "name"));
	d->severity = json_string_value(json_object_get(d->doc, "severity"));
	if (strlen(d->id) == 0 || strlen(d->id) > 128) {
		error_set("id: 1 to 128 bytes");
		sp_doc_free(d);
		return ASEC_EINVALID;
	}
	d->description = json_string_value(json_object_get(d->doc, "description"));
	if (!d->description || strlen(d->description) != json_string_length(json_object_get(d->doc, "description")))
		d->description = "";
	d->event_source = json_string_value(json_object_get(d->doc, "eventSource"));
	if (!d->event_source || !d->event_source[0])
		d->event_source = "NOT_APPLICABLE";
	d->disabled = json_is_true(json_object_get(d->doc, "disabled"));
	d->is_default = json_is_true(json_object_get(d->doc, "isDefault"));
	actions = json_object_get(d->doc, "enforcementActions");
	json_array_foreach(actions, i, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), "UNSET_ENFORCEMENT") != 0)
			d->enforcement = 1;
	}
	if (!(d->stages = sp_array_literal(json_object_get(d->doc, "lifecycleStages"))) ||
	    !(d->categories = sp_array_literal(json_object_get(d->doc, "categories"))) ||
	    !(d->text = json_dumps(d->doc, JSON_COMPACT | JSON_SORT_KEYS)))
		goto nomem;
	if (strlen(d->text) > STORE_POLICY_MAX_BYTES) {
		error_set("the policy is %zu bytes of JSON; at most %u are stored", strlen(d->text),
			  STORE_POLICY_MAX_BYTES);
		sp_doc_free(d);
		return ASEC_ETOOBIG;
	}
	return ASEC_OK;
nomem:
	sp_doc_free(d);
	error_set("out of memory storing a policy");
	return ASEC_ENOMEM;
}

/* The document of a row, with lastUpdated from the row. */
static int sp_doc_read(json_t **out, const char *text, const char *last_updated)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, 0, &jerr);

	*out = NULL;
	if (!doc) {
		error_set("a stored policy is not JSON: %s", jerr.text);
		return ASEC_ERROR;
	}
	if (last_updated && json_object_set_new(doc, "lastUpdated", json_string(last_updated))) {
		json_decref(doc);
		error_set("out of memory reading a policy");
		return ASEC_ENOMEM;
	}
	*out = doc;
	return ASEC_OK;
}

/* ---- writing ------------------------------------------------------------- */

static int sp_bump(PGconn *conn)
{
	PGresult *res = NULL;
	int rc = db_exec(&res, conn, "UPDATE policy_generation SET n = n + 1", 0, NULL);

	PQclear(res);
	return rc;
}

/* Creates the categories of doc that do not exist (any case); is_default
 * also marks them (and existing ones of those names) default. */
static int sp_categories_ensure(PGconn *conn, const json_t *categories, int is_default)
{
	char id[AUTH_UUID_LEN + 1];
	size_t i;
	json_t *v;
	PGresult *res = NULL;
	int rc = ASEC_OK;

	json_array_foreach(categories, i, v) {
		const char *name = json_string_value(v);
		const char *params[2] = {id, name};

		if (!name || !name[0])
			continue;
		if ((rc = auth_uuid_v4(id)) ||
		    (rc = db_exec(&res, conn,
				  "INSERT INTO policy_categories (id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING", 2,
				  params)))
			return rc;
		PQclear(res);
		res = NULL;
		if (is_default) {
			if ((rc = db_exec(&res, conn,
					  "UPDATE policy_categories SET is_default = true WHERE lower(name) = lower($1)", 1,
					  params + 1)))
				return rc;
			PQclear(res);
			res = NULL;
		}
	}
	return rc;
}

#define SP_INSERT                                                                                           \
	"INSERT INTO policies (id, name, description, severity, disabled, stages, categories, event_source,"  \
	" enforcement, is_default, policy, last_updated) VALUES ($1, $2, $3, $4, $5::boolean, $6::text[],"    \
	" $7::text[], $8, $9::boolean, $10::boolean, $11, clock_timestamp())"
#define SP_SET                                                                                              \
	"name = $2, description = $3, severity = $4, disabled = $5::boolean, stages = $6::text[],"            \
	" categories = $7::text[], event_source = $8, enforcement = $9::boolean, is_default = $10::boolean,"  \
	" policy = $11, last_updated = clock_timestamp()"

static void sp_doc_params(const char *params[11], const struct sp_doc *d)
{
	params[0] = d->id;
	params[1] = d->name;
	params[2] = d->description;
	params[3] = d->severity;
	params[4] = d->disabled ? "true" : "false";
	params[5] = d->stages;
	params[6] = d->categories;
	params[7] = d->event_source;
	params[8] = d->enforcement ? "true" : "false";
	params[9] = d->is_default ? "true" : "false";
	params[10] = d->text;
}

/* 1 when a query with params finds a row, 0 when not, or an error. */
static int sp_exists(PGconn *conn, const char *sql, int n, const char *const *params)
{
	PGresult *res = NULL;
	int rc = db_exec(&res, conn, sql, n, params);

	if (rc == ASEC_OK)
		rc = PQntuples(res) > 0;
	PQclear(res);
	return rc;
}

struct sp_put {
	struct sp_doc d;
	enum store_policy_write how;
	enum store_policy_conflict conflict;
};

static int sp_put_tx(PGconn *conn, void *ctx)
{
	struct sp_put *p = ctx;
	const char *params[11];
	PGresult *res = NULL;
	int rc;

	p->conflict = STORE_POLICY_CONFLICT_NONE;
	sp_doc_params(params, &p->d);
	if (p->how == STORE_POLICY_CREATE) {
		if ((rc = sp_exists(conn, "SELECT 1 FROM policies WHERE id = $1", 1, params)) < 0)
			return rc;
		if (rc) {
			p->conflict = STORE_POLICY_CONFLICT_ID;
			error_set("a policy with id %s exists", p->d.id);
			return ASEC_EEXISTS;
		}
	} else if (p->how == STORE_POLICY_REPLACE) {
		if ((rc = sp_exists(conn, "SELECT 1 FROM policies WHERE id = $1 FOR UPDATE", 1, params)) < 0)
			return rc;
		if (!rc) {
			error_set("no policy has id %s", p->d.id);
			return ASEC_ENOTFOUND;
		}
	} else {
		/* an import replaces the user's policies, never a default */
		if ((rc = sp_exists(conn, "SELECT 1 FROM policies WHERE id = $1 AND is_default", 1, params)) < 0)
			return rc;
		if (rc) {
			p->conflict = STORE_POLICY_CONFLICT_ID;
			error_set("policy %s is a default policy, which an import does not replace", p->d.id);
			return ASEC_EEXISTS;
		}
		if ((rc = db_exec(&res, conn,
				  "DELETE FROM policies WHERE lower(name) = lower($2) AND id <> $1 AND NOT is_default", 2,
				  params)))
			return rc;
		PQclear(res);
		res = NULL;
	}
	if ((rc = sp_exists(conn, "SELECT 1 FROM policies WHERE lower(name) = lower($2) AND id <> $1", 2, params)) <
	    0)
		return rc;
	if (rc) {
		p->conflict = STORE_POLICY_CONFLICT_NAME;
		error_set("a policy named \"%.128s\" exists", p->d.name);
		return ASEC_EEXISTS;
	}
	if (p->how == STORE_POLICY_REPLACE)
		rc = db_exec(&res, conn, "UPDATE policies SET " SP_SET " WHERE id = $1", 11, params);
	else if (p->how == STORE_POLICY_OVERWRITE)
		rc = db_exec(&res, conn, SP_INSERT " ON CONFLICT (id) DO UPDATE SET " SP_SET, 11, params);
	else
		rc = db_exec(&res, conn, SP_INSERT, 11, params);
	PQclear(res);
	if (rc == ASEC_EEXISTS) {
		/* a concurrent writer took the name (or id) after our checks */
		p->conflict = STORE_POLICY_CONFLICT_NAME;
		error_set("a policy named \"%.128s\" exists", p->d.name);
	}
	if (rc || (rc = sp_categories_ensure(conn, json_object_get(p->d.doc, "categories"), 0)))
		return rc;
	return sp_bump(conn);
}

int store_policies_put(enum store_policy_conflict *conflict, struct db_pool *pool, const json_t *policy,
		       enum store_policy_write how)
{
	struct sp_put p = {.how = how};
	int rc;

	if (conflict)
		*conflict = STORE_POLICY_CONFLICT_NONE;
	if ((rc = sp_doc_make(&p.d, policy)))
		return rc;
	rc = db_transaction(pool, DB_READ_COMMITTED, sp_put_tx, &p);
	if (conflict)
		*conflict = rc == ASEC_EEXISTS ? p.conflict : STORE_POLICY_CONFLICT_NONE;
	sp_doc_free(&p.d);
	return rc;
}

/* ---- reading ------------------------------------------------------------- */

int store_policies_get(json_t **out, struct db_pool *pool, const char *id)
{
	const char *params[1] = {id};
	PGresult *res = NULL;
	int rc;

	*out = NULL;
	if ((rc = db_query(&res, pool, "SELECT policy, " SP_TIME("last_updated") " FROM policies WHERE id = $1", 1,
			   params)))
		return rc;
	if (PQntuples(res) != 1) {
		error_set("no policy has id %.128s", id);
		rc = ASEC_ENOTFOUND;
	} else {
		rc = sp_doc_read(out, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
	}
	PQclear(res);
	return rc;
}

int store_policies_all(json_t **out, struct db_pool *pool)
{
	PGresult *res = NULL;
	json_t *list = NULL, *doc;
	int rc;

	*out = NULL;
	if ((rc = db_query(&res, pool, "SELECT policy, " SP_TIME("last_updated") " FROM policies ORDER BY lower(name)",
			   0, NULL)))
		return rc;
	if (!(list = json_array())) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	for (int r = 0; r < PQntuples(res); r++) {
		if ((rc = sp_doc_read(&doc, PQgetvalue(res, r, 0), PQgetvalue(res, r, 1))))
			goto out;
		if (json_array_append_new(list, doc)) {
			rc = ASEC_ENOMEM;
			goto out;
		}
	}
	*out = list;
	list = NULL;
out:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory reading the policies");
	json_decref(list);
	PQclear(res);
	return rc;
}

/* Copies member from one object to another when present. */
static int sp_copy(json_t *to, const json_t *from, const char *member)
{
	json_t *v = json_object_get(from, member);

	return v ? json_object_set(to, member, v) : 0;
}

/* The ListPolicy of a stored document; members required by the contract
 * get their defaults when the document lacks them. */
static json_t *sp_list_policy(const json_t *doc)
{
	json_t *o = json_object();
	static const char *const lists[] = {"lifecycleStages", "categories", "notifiers"};

	if (!o)
		return NULL;
	if (sp_copy(o, doc, "id") || sp_copy(o, doc, "name") || sp_copy(o, doc, "description") ||
	    sp_copy(o, doc, "severity") || sp_copy(o, doc, "source") || sp_copy(o, doc, "lastUpdated") ||
	    json_object_set_new(o, "disabled", json_boolean(json_is_true(json_object_get(doc, "disabled")))) ||
	    json_object_set_new(o, "isDefault", json_boolean(json_is_true(json_object_get(doc, "isDefault")))))
		goto nomem;
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		json_t *v = json_object_get(doc, lists[i]);
		if (json_object_set_new(o, lists[i], json_is_array(v) ? json_incref(v) : json_array()))
			goto nomem;
	}
	if (json_object_set_new(o, "eventSource",
				json_is_string(json_object_get(doc, "eventSource"))
					? json_incref(json_object_get(doc, "eventSource"))
					: json_string("NOT_APPLICABLE")))
		goto nomem;
	return o;
nomem:
	json_decref(o);
	return NULL;
}

static int sp_order_by(char *out, size_t size, const struct store_search_page *page)
{
	const char *label = page->sort_field && page->sort_field[0] ? page->sort_field : "Policy";
	const char *dir = page->reversed ? "DESC" : "ASC";
	const struct store_search_sort *sort;
	int rc;

	if ((rc = store_search_sort_find(&sort, sp_sorts, SP_COUNT(sp_sorts), label, "policies", NULL, 0, NULL)))
		return rc;
	snprintf(out, size, "%s %s, lower(p.name) %s, p.id %s", sort->column, dir, dir, dir);
	return ASEC_OK;
}

/* One ListPolicy of a page from its stored document and last update. */
static int sp_list_row(json_t *list, const PGresult *res, int r)
{
	json_t *doc = NULL, *item;
	int rc;

	if ((rc = sp_doc_read(&doc, PQgetvalue(res, r, 0), PQgetvalue(res, r, 1))))
		return rc;
	item = sp_list_policy(doc);
	json_decref(doc);
	if (!item || json_array_append_new(list, item))
		return ASEC_ENOMEM;
	return ASEC_OK;
}

int store_policies_list(json_t **out, struct db_pool *pool, const struct query *q,
			const struct store_search_page *page)
{
	struct store_search_where w;
	char order[320], *sql = NULL;
	int rc;

	*out = NULL;
	memset(&w, 0, sizeof(w));
	if ((rc = store_search_page_check(page)) || (rc = sp_order_by(order, sizeof(order), page)))
		return rc;
	if ((rc = store_search_where_make(&w, q, &sp_map, 2, "a policy search")))
		goto out;
	if (w.count > SP_QUERY_VALUES_MAX) {
		error_set("the query has too many values");
		rc = ASEC_ETOOBIG;
		goto out;
	}
	store_search_where_page(&w, page);
	if (asprintf(&sql,
		     "SELECT p.policy, " SP_TIME("p.last_updated") " FROM policies p WHERE %s ORDER BY %s"
		     " LIMIT $%d OFFSET $%d",
		     w.sql, order, w.count + 1, w.count + 2) < 0) {
		sql = NULL;
		rc = ASEC_ENOMEM;
		goto out;
	}
	rc = store_search_rows(out, pool, sql, &w, w.count + 2, sp_list_row);
out:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory listing policies");
	store_search_where_free(&w);
	free(sql);
	return rc;
}

int store_policies_generation(int64_t *out, struct db_pool *pool)
{
	PGresult *res = NULL;
	int rc;

	*out = 0;
	if ((rc = db_query(&res, pool, "SELECT n FROM policy_generation", 0, NULL)))
		return rc;
	rc = db_get_int64(out, res, 0, "n");
	PQclear(res);
	return rc;
}

/* ---- small changes --------------------------------------------------------- */

struct sp_disable {
	const char *id;
	int disabled;
};

static int sp_disable_tx(PGconn *conn, void *ctx)
{
	struct sp_disable *a = ctx;
	const char *params[3] = {a->id, NULL, a->disabled ? "true" : "false"};
	PGresult *res = NULL;
	json_t *doc = NULL;
	char *text = NULL;
	int rc;

	if ((rc = db_exec(&res, conn, "SELECT policy FROM policies WHERE id = $1 FOR UPDATE", 1, params)))
		return rc;
	if (PQntuples(res) != 1) {
		error_set("no policy has id %.128s", a->id);
		rc = ASEC_ENOTFOUND;
		goto out;
	}
	if ((rc = sp_doc_read(&doc, PQgetvalue(res, 0, 0), NULL)))
		goto out;
	if (json_object_set_new(doc, "disabled", json_boolean(a->disabled)) ||
	    !(text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS))) {
		error_set("out of memory");
		rc = ASEC_ENOMEM;
		goto out;
	}
	PQclear(res);
	res = NULL;
	params[1] = text;
	if ((rc = db_exec(&res, conn,
			  "UPDATE policies SET policy = $2, disabled = $3::boolean, last_updated = clock_timestamp()"
			  " WHERE id = $1",
			  3, params)))
		goto out;
	rc = sp_bump(conn);
out:
	PQclear(res);
	json_decref(doc);
	free(text);
	return rc;
}

int store_policies_set_disabled(struct db_pool *pool, const char *id, int disabled)
{
	struct sp_disable a = {id, !!disabled};

	return db_transaction(pool, DB_READ_COMMITTED, sp_disable_tx, &a);
}

static int sp_delete_tx(PGconn *conn, void *ctx)
{
	const char *params[1] = {ctx};
	PGresult *res = NULL;
	int rc;

	if ((rc = db_exec(&res, conn, "SELECT is_default FROM policies WHERE id = $1 FOR UPDATE", 1, params)))
		return rc;
	if (PQntuples(res) != 1) {
		error_set("no policy has id %.128s", params[0]);
		rc = ASEC_ENOTFOUND;
	} else if (PQgetvalue(res, 0, 0)[0] == 't') {
		error_set("policy %.128s is a default policy, which cannot be deleted; disable it instead", params[0]);
		rc = ASEC_EINVALID;
	}
	PQclear(res);
	res = NULL;
	if (rc || (rc = db_exec(&res, conn, "DELETE FROM policies WHERE id = $1", 1, params)))
		return rc;
	PQclear(res);
	return sp_bump(conn);
}

int store_policies_delete(struct db_pool *pool, const char *id)
{
	return db_transaction(pool, DB_READ_COMMITTED, sp_delete_tx, (void *)id);
}

/* ---- categories ------------------------------------------------------------ */

static json_t *sp_category_json(const PGresult *res, int r)
{
	return json_pack("{s:s, s:s, s:b}", "id", PQgetvalue(res, r, 0), "name", PQgetvalue(res, r, 1), "isDefault",
			 PQgetvalue(res, r, 2)[0] == 't');
}

int store_policy_categories_list(json_t **out, struct db_pool *pool)
{
	PGresult *res = NULL;
	json_t *list;
	int rc;

	*out = NULL;
	if ((rc = db_query(&res, pool, "SELECT id, name, is_default FROM policy_categories ORDER BY lower(name), id", 0,
			   NULL)))
		return rc;
	if (!(list = json_array()))
		goto nomem;
	for (int r = 0; r < PQntuples(res); r++) {
		if (json_array_append_new(list, sp_category_json(res, r))) {
			json_decref(list);
			goto nomem;
		}
	}
	PQclear(res);
	*out = list;
	return ASEC_OK;
nomem:
	PQclear(res);
	error_set("out of memory listing policy categories");
	return ASEC_ENOMEM;
}

int store_policy_categories_get(json_t **out, struct db_pool *pool, const char *id)
{
	const char *params[1] = {id};
	PGresult *res = NULL;
	int rc;

	*out = NULL;
	if ((rc = db_query(&res, pool, "SELECT id, name, is_default FROM policy_categories WHERE id = $1", 1, params)))
		return rc;
	if (PQntuples(res) != 1) {
		error_set("no policy category has id %.64s", id);
		rc = ASEC_ENOTFOUND;
	} else if (!(*out = sp_category_json(res, 0))) {
		error_set("out of memory");
		rc = ASEC_ENOMEM;
	}
	PQclear(res);
	return rc;
}

/* Trims name into buf; ASEC_EINVALID when empty or too long. */
static int sp_category_name(char *buf, size_t size, const char *name)
{
	size_t len;

	while (name && isspace((unsigned char)*name))
		name++;
	len = name ? strlen(name) : 0;
	while (len > 0 && isspace((unsigned char)name[len - 1]))
		len--;
	if (len == 0 || len > SP_CATEGORY_MAX_BYTES || len >= size) {
		error_set("name: a category name is 1 to %d bytes", SP_CATEGORY_MAX_BYTES);
		return ASEC_EINVALID;
	}
	memcpy(buf, name, len);
	buf[len] = '\0';
	return ASEC_OK;
}

int store_policy_categories_create(json_t **out, struct db_pool *pool, const char *name)
{
	char id[AUTH_UUID_LEN + 1], clean[SP_CATEGORY_MAX_BYTES + 1];
	const char *params[2] = {id, clean};
	PGresult *res = NULL;
	int rc;

	*out = NULL;
	if ((rc = sp_category_name(clean, sizeof(clean), name)) || (rc = auth_uuid_v4(id)))
		return rc;
	rc = db_query(&res, pool, "INSERT INTO policy_categories (id, name) VALUES ($1, $2)", 2, params);
	PQclear(res);
	if (rc == ASEC_EEXISTS)
		error_set("a policy category named \"%s\" exists", clean);
	if (rc)
		return rc;
	if (!(*out = json_pack("{s:s, s:s, s:b}", "id", id, "name", clean, "isDefault", 0))) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	return ASEC_OK;
}

struct sp_rename {
	const char *id;
	char name[SP_CATEGORY_MAX_BYTES + 1];
};

/* Rewrites one policy row whose categories name old: old becomes name. */
static int sp_rename_in_policy(PGconn *conn, const char *text, const char *old, const char *name)
{
	json_t *doc = NULL, *cats, *fresh = NULL, *v;
	struct sp_doc d = {0};
	const char *params[11];
	PGresult *res = NULL;
	size_t i, j;
	int rc;

	if ((rc = sp_doc_read(&doc, text, NULL)))
		return rc;
	cats = json_object_get(doc, "categories");
	if (!(fresh = json_array()))
		goto nomem;
	json_array_foreach(cats, i, v) {
		const char *c = json_string_value(v);
		const char *put = c && strcasecmp(c, old) == 0 ? name : c;
		int dup = 0;
		json_t *w;

		if (!put)
			continue;
		json_array_foreach(fresh, j, w) dup |= strcasecmp(json_string_value(w), put) == 0;
		if (!dup && json_array_append_new(fresh, json_string(put)))
			goto nomem;
	}
	if (json_object_set_new(doc, "categories", fresh)) {
		fresh = NULL;
		goto nomem;
	}
	fresh = NULL;
	if ((rc = sp_doc_make(&d, doc)))
		goto out;
	sp_doc_params(params, &d);
	rc = db_exec(&res, conn, "UPDATE policies SET " SP_SET " WHERE id = $1", 11, params);
	PQclear(res);
	goto out;
nomem:
	error_set("out of memory renaming a category");
	rc = ASEC_ENOMEM;
out:
	json_decref(fresh);
	json_decref(doc);
	sp_doc_free(&d);
	return rc;
}

static int sp_rename_tx(PGconn *conn, void *ctx)
{
	struct sp_rename *a = ctx;
	const char *params[2] = {a->id, a->name};
	char old[SP_CATEGORY_MAX_BYTES * 4 + 1];
	PGresult *res = NULL;
	int rc;

	if ((rc = db_exec(&res, conn, "SELECT name, is_default FROM policy_categories WHERE id = $1 FOR UPDATE", 1,
			  params)))
		return rc;
	if (PQntuples(res) != 1) {
		error_set("no policy category has id %.64s", a->id);
		rc = ASEC_ENOTFOUND;
	} else if (PQgetvalue(res, 0, 1)[0] == 't') {
		error_set("\"%s\" is a default policy category, which cannot be renamed", PQgetvalue(res, 0, 0));
		rc = ASEC_EINVALID;
	} else {
		snprintf(old, sizeof(old), "%s", PQgetvalue(res, 0, 0));
	}
	PQclear(res);
	res = NULL;
	if (rc)
		return rc;
	if ((rc = sp_exists(conn, "SELECT 1 FROM policy_categories WHERE lower(name) = lower($2) AND id <> $1", 2,
			    params)) < 0)
		return rc;
	if (rc) {
		error_set("a policy category named \"%s\" exists", a->name);
		return ASEC_EEXISTS;
	}
	if ((rc = db_exec(&res, conn, "UPDATE policy_categories SET name = $2 WHERE id = $1", 2, params)))
		return rc;
	PQclear(res);
	res = NULL;
	params[0] = old;
	if ((rc = db_exec(&res, conn,
			  "SELECT policy FROM policies p WHERE EXISTS (SELECT 1 FROM unnest(p.categories) AS c(v)"
			  " WHERE lower(c.v) = lower($1)) FOR UPDATE",
			  1, params)))
		return rc;
	for (int r = 0; r < PQntuples(res) && rc == ASEC_OK; r++)
		rc = sp_rename_in_policy(conn, PQgetvalue(res, r, 0), old, a->name);
	PQclear(res);
	return rc ? rc : sp_bump(conn);
}

int store_policy_categories_rename(json_t **out, struct db_pool *pool, const char *id, const char *name)
{
	struct sp_rename a = {.id = id};
	int rc;

	*out = NULL;
	if ((rc = sp_category_name(a.name, sizeof(a.name), name)) ||
	    (rc = db_transaction(pool, DB_READ_COMMITTED, sp_rename_tx, &a)))
		return rc;
	return store_policy_categories_get(out, pool, id);
}

static int sp_category_delete_tx(PGconn *conn, void *ctx)
{
	const char *params[1] = {ctx};
	PGresult *res = NULL;
	long used;
	int rc;

	if ((rc = db_exec(&res, conn,
			  "SELECT c.name, c.is_default, (SELECT count(*) FROM policies p WHERE EXISTS (SELECT 1 FROM"
			  " unnest(p.categories) AS x(v) WHERE lower(x.v) = lower(c.name))) FROM policy_categories c"
			  " WHERE c.id = $1 FOR UPDATE OF c",
			  1, params)))
		return rc;
	if (PQntuples(res) != 1) {
		error_set("no policy category has id %.64s", params[0]);
		rc = ASEC_ENOTFOUND;
	} else if (PQgetvalue(res, 0, 1)[0] == 't') {
		error_set("\"%s\" is a default policy category, which cannot be deleted", PQgetvalue(res, 0, 0));
		rc = ASEC_EINVALID;
	} else if ((used = strtol(PQgetvalue(res, 0, 2), NULL, 10)) > 0) {
		error_set("%ld %s still in category \"%s\"; change %s first", used, used == 1 ? "policy is" : "policies are",
			  PQgetvalue(res, 0, 0), used == 1 ? "it" : "them");
		rc = ASEC_ECONFLICT;
	}
	PQclear(res);
	res = NULL;
	if (rc || (rc = db_exec(&res, conn, "DELETE FROM policy_categories WHERE id = $1", 1, params)))
		return rc;
	PQclear(res);
	return ASEC_OK;
}

int store_policy_categories_delete(struct db_pool *pool, const char *id)
{
	return db_transaction(pool, DB_READ_COMMITTED, sp_category_delete_tx, (void *)id);
}

/* ---- defaults ---------------------------------------------------------------- */

struct sp_defaults {
	const char *version;
	const json_t *const *policies;
	size_t count;
	struct store_policies_defaults_result result;
};

static int sp_default_one(PGconn *conn, struct sp_defaults *a, const json_t *policy)
{
	struct sp_doc d;
	const char *params[11], *rec[2];
	PGresult *res = NULL;
	int rc, taken;

	if ((rc = sp_doc_make(&d, policy)))
		return rc;
	sp_doc_params(params, &d);
	rec[0] = d.id;
	rec[1] = d.text;
	if ((rc = db_exec(&res, conn, "SELECT loaded_text FROM policy_defaults WHERE id = $1", 1, params)))
		goto out;
	if (PQntuples(res) == 0) {
		PQclear(res);
		res = NULL;
		if ((taken = sp_exists(conn, "SELECT 1 FROM policies WHERE id = $1 OR lower(name) = lower($2)", 2,
				       params)) < 0) {
			rc = taken;
			goto out;
		}
		if (taken) {
			a->result.kept++;
		} else {
			if ((rc = db_exec(&res, conn, SP_INSERT, 11, params)))
				goto out;
			PQclear(res);
			res = NULL;
			a->result.added++;
		}
		rc = db_exec(&res, conn, "INSERT INTO policy_defaults (id, loaded_text) VALUES ($1, $2)", 2, rec);
	} else if (strcmp(PQgetvalue(res, 0, 0), d.text) != 0) {
		PQclear(res);
		res = NULL;
		/* refreshed only when the stored text is still the loaded one */
		if ((rc = db_exec(&res, conn,
				  "UPDATE policies SET " SP_SET " WHERE id = $1 AND policy ="
				  " (SELECT loaded_text FROM policy_defaults WHERE id = $1)",
				  11, params)))
			goto out;
		if (strcmp(PQcmdTuples(res), "1") == 0)
			a->result.refreshed++;
		else
			a->result.kept++;
		PQclear(res);
		res = NULL;
		rc = db_exec(&res, conn, "UPDATE policy_defaults SET loaded_text = $2, loaded_at = clock_timestamp()"
					 " WHERE id = $1",
			     2, rec);
	}
	if (rc == ASEC_OK)
		rc = sp_categories_ensure(conn, json_object_get(d.doc, "categories"), 1);
out:
	if (rc == ASEC_EEXISTS)
		error_set("default policy %s (\"%.128s\"): its name is taken", d.id, d.name);
	PQclear(res);
	sp_doc_free(&d);
	return rc;
}

static int sp_defaults_tx(PGconn *conn, void *ctx)
{
	struct sp_defaults *a = ctx;
	const char *params[1] = {a->version};
	PGresult *res = NULL;
	int rc;

	memset(&a->result, 0, sizeof(a->result));
	/* replicas starting together: one loads, the others then see its version */
	if ((rc = db_exec(&res, conn, "SELECT pg_advisory_xact_lock(hashtext('central-policies-defaults'))", 0, NULL)))
		return rc;
	PQclear(res);
	res = NULL;
	if ((rc = sp_exists(conn, "SELECT 1 FROM policy_defaults_version WHERE version = $1", 1, params)) != 0)
		return rc < 0 ? rc : ASEC_OK;
	for (size_t i = 0; i < a->count; i++)
		if ((rc = sp_default_one(conn, a, a->policies[i])))
			return rc;
	if ((rc = db_exec(&res, conn,
			  "INSERT INTO policy_defaults_version (version) VALUES ($1)"
			  " ON CONFLICT (one) DO UPDATE SET version = EXCLUDED.version",
			  1, params)))
		return rc;
	PQclear(res);
	return sp_bump(conn);
}

int store_policies_defaults_apply(struct store_policies_defaults_result *out, struct db_pool *pool,
				  const char *version, const json_t *const *policies, size_t count)
{
	struct sp_defaults a = {version, policies, count, {0, 0, 0}};
	int rc = db_transaction(pool, DB_READ_COMMITTED, sp_defaults_tx, &a);

	if (out)
		*out = rc ? (struct store_policies_defaults_result){0, 0, 0} : a.result;
	return rc;
}
