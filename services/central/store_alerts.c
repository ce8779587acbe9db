/*
 * store_alerts.c - the SQL of central's alerts (see store_alerts.h).
 *
 * THE TABLE (migration component "central-alerts"):
 *
 *   alerts   one row per alert: what searching, sorting and counting read
 *            as columns (policy id, name, severity and its rank, categories,
 *            lifecycle stage, entity kind and key, the image names, the
 *            deployment, namespace and cluster, state, time, first occurred,
 *            resolved at, enforcement action), and two texts: the Alert
 *            document (GET) and the ListAlert summary (list pages), so that
 *            a page never reads the violations, which may be thousands of
 *            CVE lines per alert.
 *
 * The lifecycle (id, state, time, firstOccurred, resolvedAt) lives in
 * columns only and is merged into the texts on read: resolving an alert is
 * then one UPDATE of columns, never a rewrite of JSON in SQL (PostgreSQL's
 * json functions refuse a \u0000 that a violation message may hold, and
 * would reorder members).
 *
 * ONE ACTIVE ALERT PER (entity, lifecycle stage, policy) is the partial
 * unique index alerts_active; it is also how a detection finds the alerts
 * it continues or resolves. A detection of one entity runs in one
 * transaction under a transaction-scoped advisory lock on the entity
 * (class SA_LOCK_CLASS, FNV hash of kind/key/stage; a collision only
 * serialises two detections), so two detections of one image or deployment
 * cannot both open an alert for the same policy, and the one that commits
 * last decides what stays ACTIVE. The rows are written one statement per
 * alert (a detection has at most one per policy: tens, not thousands),
 * each with its document as a parameter, for the \u0000 reason above.
 *
 * SEARCH (shared/query). Row fields are columns of `alerts a`; Category and
 * Image are arrays (text[]), searched through unnest() scopes, so a term
 * holds when any element matches, as StackRox's array fields do. Image is
 * the image's full name for an image alert and every container's image
 * for a deployment alert.
 *
 * INDEXES. The default page (newest first) walks (time, id); the usual
 * filter on state has (state, time, id); every other sortable column has a
 * (column, id) index. The unique active index leads with the entity, which
 * is what a detection reads. String filters are case-insensitive (ILIKE),
 * which no btree serves: they scan the table, as store_images.c explains.
 *
 * Sorting: ascending is column order with NULLs last and ties by id;
 * reversed is the exact reverse, NULLs still last. Severity sorts by its
 * rank (LOW_SEVERITY first), the other enumerations by their names.
 */
#include "store_alerts.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "auth/auth.h"
#include "error/error.h"
#include "store_search.h"

#define SA_MAX_ID 128
#define SA_MAX_NAME 1024
#define SA_MAX_TEXT 16384
#define SA_MAX_CATEGORIES 64
#define SA_MAX_IMAGES 256 /* WORKLOAD_MAX_CONTAINERS */
/* Advisory lock namespace of detections ("ASA1"). */
#define SA_LOCK_CLASS 0x41534131
#define SA_TEXT_ARRAY(param) "ARRAY(SELECT json_array_elements_text(" param "::json))"

static const struct db_migration sa_migrations[] = {
	{1, "alerts",
	 "CREATE TABLE alerts ("
	 "  id text COLLATE \"C\" PRIMARY KEY,"
	 "  policy_id text COLLATE \"C\" NOT NULL,"
	 "  policy_name text COLLATE \"C\" NOT NULL,"
	 "  severity text COLLATE \"C\" NOT NULL CHECK (severity IN ('LOW_SEVERITY', 'MEDIUM_SEVERITY',"
	 "    'HIGH_SEVERITY', 'CRITICAL_SEVERITY')),"
	 "  severity_rank smallint NOT NULL,"
	 "  categories text[] COLLATE \"C\" NOT NULL,"
	 "  lifecycle_stage text COLLATE \"C\" NOT NULL CHECK (lifecycle_stage IN ('BUILD', 'DEPLOY', 'RUNTIME')),"
	 "  entity_kind text COLLATE \"C\" NOT NULL CHECK (entity_kind IN ('IMAGE', 'DEPLOYMENT')),"
	 "  entity_key text COLLATE \"C\" NOT NULL,"
	 "  images text[] COLLATE \"C\" NOT NULL,"
	 "  deployment text COLLATE \"C\","
	 "  namespace text COLLATE \"C\","
	 "  cluster text COLLATE \"C\","
	 "  state text COLLATE \"C\" NOT NULL CHECK (state IN ('ACTIVE', 'RESOLVED', 'ATTEMPTED')),"
	 "  time timestamptz NOT NULL,"
	 "  first_occurred timestamptz NOT NULL,"
	 "  resolved_at timestamptz,"
	 "  deployment_id text COLLATE \"C\","
	 "  enforcement_action text COLLATE \"C\" NOT NULL,"
	 "  summary text NOT NULL,"
	 "  document text NOT NULL);"
	 "CREATE UNIQUE INDEX alerts_active ON alerts (entity_kind, entity_key, lifecycle_stage, policy_id)"
	 "  WHERE state = 'ACTIVE';"
	 "CREATE INDEX alerts_time ON alerts (time, id);"
	 "CREATE INDEX alerts_state_time ON alerts (state, time, id);"
	 "CREATE INDEX alerts_policy_id ON alerts (policy_id, id);"
	 "CREATE INDEX alerts_policy_name ON alerts (policy_name, id);"
	 "CREATE INDEX alerts_severity ON alerts (severity_rank, id);"
	 "CREATE INDEX alerts_stage ON alerts (lifecycle_stage, id);"
	 "CREATE INDEX alerts_deployment ON alerts (deployment, id);"
	 "CREATE INDEX alerts_namespace ON alerts (namespace, id);"
	 "CREATE INDEX alerts_cluster ON alerts (cluster, id);"},
};

int store_alerts_migrate(struct db_pool *pool)
{
	return db_migrate(pool, "central-alerts", sa_migrations, sizeof(sa_migrations) / sizeof(sa_migrations[0]));
}

/* ---- search fields ------------------------------------------------------ */

enum sa_field_id {
	SA_F_POLICY = 1,
	SA_F_POLICY_ID,
	SA_F_SEVERITY,
	SA_F_CATEGORY,
	SA_F_STAGE,
	SA_F_STATE,
	SA_F_IMAGE,
	SA_F_DEPLOYMENT,
	SA_F_NAMESPACE,
	SA_F_CLUSTER,
	SA_F_TIME,
	SA_F_RESOURCE_TYPE,
	SA_F_ENFORCEMENT,
	SA_F_DEPLOYMENT_ID,
};

/* In StackRox's enum order, which is also the rank stored. */
static const struct query_enum_value sa_severities[] = {
	{"LOW_SEVERITY", "Low", NULL},
	{"MEDIUM_SEVERITY", "Medium", NULL},
	{"HIGH_SEVERITY", "High", NULL},
	{"CRITICAL_SEVERITY", "Critical", NULL},
};
#define SA_SEVERITY_COUNT (sizeof(sa_severities) / sizeof(sa_severities[0]))

static const struct query_enum_value sa_stages[] = {
	{"DEPLOY", NULL, NULL},
	{"BUILD", NULL, NULL},
	{"RUNTIME", NULL, NULL},
};

static const struct query_enum_value sa_states[] = {
	{"ACTIVE", NULL, NULL},
	{"RESOLVED", NULL, NULL},
	{"ATTEMPTED", NULL, NULL},
};

static const struct query_enum_value sa_enforcements[] = {
	{"UNSET_ENFORCEMENT", NULL, NULL},
	{"SCALE_TO_ZERO_ENFORCEMENT", NULL, NULL},
	{"UNSATISFIABLE_NODE_CONSTRAINT_ENFORCEMENT", NULL, NULL},
	{"KILL_POD_ENFORCEMENT", NULL, NULL},
	{"FAIL_BUILD_ENFORCEMENT", NULL, NULL},
	{"FAIL_KUBE_REQUEST_ENFORCEMENT", NULL, NULL},
	{"FAIL_DEPLOYMENT_CREATE_ENFORCEMENT", NULL, NULL},
	{"FAIL_DEPLOYMENT_UPDATE_ENFORCEMENT", NULL, NULL},
};

static const struct query_enum_value sa_kinds[] = {
	{"DEPLOYMENT", NULL, NULL},
	{"IMAGE", NULL, NULL},
};

#define SA_N(a) (sizeof(a) / sizeof((a)[0]))

static const struct query_field sa_fields[] = {
	{"Policy", NULL, QUERY_STRING, NULL, 0, SA_F_POLICY},
	{"Policy ID", NULL, QUERY_STRING, NULL, 0, SA_F_POLICY_ID},
	{"Severity", NULL, QUERY_ENUM, sa_severities, SA_SEVERITY_COUNT, SA_F_SEVERITY},
	{"Category", NULL, QUERY_STRING, NULL, 0, SA_F_CATEGORY},
	{"Lifecycle Stage", NULL, QUERY_ENUM, sa_stages, SA_N(sa_stages), SA_F_STAGE},
	{"Violation State", NULL, QUERY_ENUM, sa_states, SA_N(sa_states), SA_F_STATE},
	{"Image", NULL, QUERY_STRING, NULL, 0, SA_F_IMAGE},
	{"Deployment", NULL, QUERY_STRING, NULL, 0, SA_F_DEPLOYMENT},
	{"Namespace", NULL, QUERY_STRING, NULL, 0, SA_F_NAMESPACE},
	{"Cluster", NULL, QUERY_STRING, NULL, 0, SA_F_CLUSTER},
	{"Violation Time", NULL, QUERY_DATE, NULL, 0, SA_F_TIME},
	{"Resource Type", NULL, QUERY_ENUM, sa_kinds, SA_N(sa_kinds), SA_F_RESOURCE_TYPE},
	{"Enforcement", NULL, QUERY_ENUM, sa_enforcements, SA_N(sa_enforcements), SA_F_ENFORCEMENT},
	{"Deployment ID", NULL, QUERY_STRING, NULL, 0, SA_F_DEPLOYMENT_ID},
};
#define SA_FIELD_COUNT SA_N(sa_fields)

const struct query_field *store_alerts_query_fields(size_t *count)
{
	*count = SA_FIELD_COUNT;
	return sa_fields;
}

/* The state's column; its presence in a WHERE fragment means the query
 * chose the states itself, else only ACTIVE alerts are searched. */
#define SA_STATE_EXPR "a.state"

static const struct query_sql_scope sa_categories_scope = {
	"EXISTS (SELECT 1 FROM unnest(a.categories) AS ac(category) WHERE %s)", NULL};
static const struct query_sql_scope sa_images_scope = {"EXISTS (SELECT 1 FROM unnest(a.images) AS ai(name) WHERE %s)",
						       NULL};

static const struct query_sql_column sa_columns[] = {
	{SA_F_POLICY, "a.policy_name", NULL},
	{SA_F_POLICY_ID, "a.policy_id", NULL},
	{SA_F_SEVERITY, "a.severity", NULL},
	{SA_F_CATEGORY, "ac.category", &sa_categories_scope},
	{SA_F_STAGE, "a.lifecycle_stage", NULL},
	{SA_F_STATE, SA_STATE_EXPR, NULL},
	{SA_F_IMAGE, "ai.name", &sa_images_scope},
	{SA_F_DEPLOYMENT, "a.deployment", NULL},
	{SA_F_NAMESPACE, "a.namespace", NULL},
	{SA_F_CLUSTER, "a.cluster", NULL},
	{SA_F_TIME, "a.time", NULL},
	{SA_F_RESOURCE_TYPE, "a.entity_kind", NULL},
	{SA_F_ENFORCEMENT, "a.enforcement_action", NULL},
	{SA_F_DEPLOYMENT_ID, "a.deployment_id", NULL},
};
static const struct query_sql_map sa_map = {sa_columns, SA_N(sa_columns)};

/* The sortable fields (those of the row, not the arrays) and their columns. */
static const struct store_search_sort sa_sorts[] = {
	{"Violation Time", "time"},
	{"Policy", "policy_name"},
	{"Policy ID", "policy_id"},
	{"Severity", "severity_rank"},
	{"Lifecycle Stage", "lifecycle_stage"},
	{"Violation State", "state"},
	{"Deployment", "deployment"},
	{"Namespace", "namespace"},
	{"Cluster", "cluster"},
	{"Resource Type", "entity_kind"},
};

static int sa_order_by(char *out, size_t size, const struct store_search_page *page)
{
	const struct store_search_sort *sort;
	int rc;

	if (!page->sort_field || !page->sort_field[0]) {
		/* StackRox's default: the newest violations first. */
		snprintf(out, size, "a.time %s, a.id %s", page->reversed ? "ASC" : "DESC",
			 page->reversed ? "ASC" : "DESC");
		return ASEC_OK;
	}
	if ((rc = store_search_sort_find(&sort, sa_sorts, SA_N(sa_sorts), page->sort_field, "alerts", sa_fields,
					 SA_FIELD_COUNT, "it holds a list")))
		return rc;
	snprintf(out, size, "a.%s %s NULLS LAST, a.id %s", sort->column, page->reversed ? "DESC" : "ASC",
		 page->reversed ? "DESC" : "ASC");
	return ASEC_OK;
}

/* ---- entity keys -------------------------------------------------------- */

/* A string member that may become a column: no NUL, at most max bytes;
 * absent or null gives NULL. */
static int sa_str(const char **out, const json_t *obj, const char *key, size_t max, const char *where)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return ASEC_OK;
	if (!json_is_string(v)) {
		error_set("alert %s.%s is not a string", where, key);
		return ASEC_EINVALID;
	}
	if (json_string_length(v) > max || strlen(json_string_value(v)) != json_string_length(v)) {
		error_set("alert %s.%s is longer than %zu bytes or holds a NUL", where, key, max);
		return ASEC_EINVALID;
	}
	*out = json_string_value(v);
	return ASEC_OK;
}

int store_alerts_image_key(char out[STORE_ALERTS_KEY_MAX + 1], const json_t *image)
{
	const char *name = json_string_value(json_object_get(json_object_get(image, "name"), "fullName"));
	const char *key = name && name[0] ? name : json_string_value(json_object_get(image, "id"));

	out[0] = '\0';
	if (!key || !key[0] || strlen(key) > STORE_ALERTS_KEY_MAX) {
		error_set("image has neither a name nor an id, or it is longer than %d bytes", STORE_ALERTS_KEY_MAX);
		return ASEC_EINVALID;
	}
	strcpy(out, key);
	return ASEC_OK;
}

int store_alerts_deployment_key(char out[STORE_ALERTS_KEY_MAX + 1], const json_t *deployment)
{
	const char *cluster = json_string_value(json_object_get(deployment, "clusterName"));
	const char *ns = json_string_value(json_object_get(deployment, "namespace"));
	const char *type = json_string_value(json_object_get(deployment, "type"));
	const char *name = json_string_value(json_object_get(deployment, "name"));
	int n;

	out[0] = '\0';
	if (!name || !name[0] || !type || !ns) {
		error_set("deployment has no name, type or namespace");
		return ASEC_EINVALID;
	}
	n = snprintf(out, STORE_ALERTS_KEY_MAX + 1, "%s/%s/%s/%s", cluster ? cluster : "", ns, type, name);
	if (n < 0 || n > STORE_ALERTS_KEY_MAX) {
		out[0] = '\0';
		error_set("deployment key is longer than %d bytes", STORE_ALERTS_KEY_MAX);
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

/* ---- recording ---------------------------------------------------------- */

struct sa_row {
	json_t *alert;
	const char *policy_id, *policy_name, *severity, *deployment, *deployment_id, *namespace, *cluster;
	const char *enforcement; /* the action, UNSET_ENFORCEMENT when none */
	char rank[8];
	char *categories; /* JSON arrays of strings */
	char *images;
	char *summary;
	char *document;
	char id[AUTH_UUID_LEN + 1]; /* the row it became */
	int64_t first_ms;
};

struct sa_record {
	struct store_alerts_detection *d;
	struct sa_row *rows;
	size_t count;
	char *passed; /* JSON array of policy ids */
	char kind[16], now[24], lock_key[16];
	int64_t now_ms, resolved;
};

static int sa_severity_rank(const char *severity)
{
	for (size_t k = 0; severity && k < SA_SEVERITY_COUNT; k++)
		if (strcmp(severity, sa_severities[k].name) == 0)
			return (int)k + 1;
	return 0;
}

/* A JSON array of distinct strings, each checked for columns. */
static int sa_string_array(char **out, json_t *list, const char *what)
{
	json_t *v;
	size_t i;

	json_array_foreach(list, i, v) {
		const char *s = json_string_value(v);
		if (!s || json_string_length(v) > SA_MAX_NAME || strlen(s) != json_string_length(v)) {
			error_set("alert %s must be strings of at most %d bytes without NUL", what, SA_MAX_NAME);
			return ASEC_EINVALID;
		}
	}
	if (!(*out = json_dumps(list, JSON_COMPACT)))
		return ASEC_ENOMEM;
	return ASEC_OK;
}

/* Appends s to list unless it is there already. */
static int sa_add_unique(json_t *list, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach(list, i, v) if (strcmp(json_string_value(v), s) == 0) return ASEC_OK;
	return json_array_append_new(list, json_string(s)) ? ASEC_ENOMEM : ASEC_OK;
}

/* Removes null members, in nested objects too: json_pack's "O?" leaves a
 * null where the alert had no value, and the API leaves such members out. */
static void sa_drop_nulls(json_t *o)
{
	const char *key;
	json_t *v;
	void *tmp;

	json_object_foreach_safe(o, tmp, key, v) {
		if (json_is_null(v))
			json_object_del(o, key);
		else if (json_is_object(v))
			sa_drop_nulls(v);
	}
}

/* The ListAlert (openapi/central.yaml) but for its lifecycle members. */
static json_t *sa_summary(const json_t *alert, const json_t *policy, const char *kind, const struct sa_row *row)
{
	const json_t *deployment = json_object_get(alert, "deployment"), *image = json_object_get(alert, "image");
	json_t *s, *entity;

	if (deployment)
		entity = json_pack("{s:O?, s:O?, s:s, s:s, s:O?, s:b, s:O?, s:O?}", "id", json_object_get(deployment, "id"),
				   "name", json_object_get(deployment, "name"), "clusterName",
				   row->cluster ? row->cluster : "", "namespace", row->namespace ? row->namespace : "",
				   "clusterId", json_object_get(deployment, "clusterId"), "inactive", 0, "namespaceId",
				   json_object_get(deployment, "namespaceId"), "deploymentType",
				   json_object_get(deployment, "type"));
	else
		entity = json_pack("{s:O?, s:O?}", "id", json_object_get(image, "id"), "name",
				   json_object_get(json_object_get(image, "name"), "fullName"));
	s = json_pack("{s:{s:O?, s:O?, s:O?, s:O?, s:O?}, s:O?, s:i, s:s, s:{s:s, s:s, s:O?, s:O?, s:s}, s:o?}",
		      "policy", "id", json_object_get(policy, "id"), "name", json_object_get(policy, "name"), "severity",
		      json_object_get(policy, "severity"), "description", json_object_get(policy, "description"),
		      "categories", json_object_get(policy, "categories"), "lifecycleStage",
		      json_object_get(alert, "lifecycleStage"), "enforcementCount", 0, "enforcementAction",
		      row->enforcement, "commonEntityInfo", "clusterName", row->cluster ? row->cluster : "",
		      "namespace", row->namespace ? row->namespace : "", "clusterId",
		      json_object_get(deployment ? deployment : alert, "clusterId"), "namespaceId",
		      json_object_get(deployment ? deployment : alert, "namespaceId"), "resourceType", kind,
		      deployment ? "deployment" : "image", entity);
	if (s)
		sa_drop_nulls(s);
	return s;
}

static const char *const sa_lifecycle_members[] = {"id", "time", "firstOccurred", "state", "resolvedAt", NULL};

/* Checks one alert and takes apart what its row needs. */
static int sa_row_prepare(struct sa_row *row, json_t *alert, const struct sa_record *r)
{
	json_t *policy, *categories = NULL, *images = NULL, *copy = NULL, *summary = NULL, *v;
	const json_t *entity;
	const char *stage, *name;
	size_t i;
	int rc;

	memset(row, 0, sizeof(*row));
	row->alert = alert;
	if (!json_is_object(alert) || !json_is_object(policy = json_object_get(alert, "policy"))) {
		error_set("alert is not an object with a policy");
		return ASEC_EINVALID;
	}
	if ((rc = sa_str(&row->policy_id, policy, "id", SA_MAX_ID, "policy")) ||
	    (rc = sa_str(&row->policy_name, policy, "name", SA_MAX_NAME, "policy")) ||
	    (rc = sa_str(&row->severity, policy, "severity", 64, "policy")) ||
	    (rc = sa_str(&stage, alert, "lifecycleStage", 16, "")) ||
	    (rc = sa_str(&row->enforcement, json_object_get(alert, "enforcement"), "action", 64, "enforcement")))
		return rc;
	if (!row->enforcement)
		row->enforcement = "UNSET_ENFORCEMENT";
	if (!row->policy_id || !row->policy_id[0] || !row->policy_name || !sa_severity_rank(row->severity)) {
		error_set("alert policy needs an id, a name and a severity LOW_SEVERITY..CRITICAL_SEVERITY");
		return ASEC_EINVALID;
	}
	if (!stage || strcmp(stage, r->d->lifecycle_stage) != 0) {
		error_set("alert of policy %.128s is not of lifecycle stage %s", row->policy_id, r->d->lifecycle_stage);
		return ASEC_EINVALID;
	}
	snprintf(row->rank, sizeof(row->rank), "%d", sa_severity_rank(row->severity));
	if (!(categories = json_array()) || !(images = json_array())) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	if (json_array_size(json_object_get(policy, "categories")) > SA_MAX_CATEGORIES) {
		error_set("alert policy has more than %d categories", SA_MAX_CATEGORIES);
		rc = ASEC_EINVALID;
		goto out;
	}
	json_array_foreach(json_object_get(policy, "categories"), i, v) {
		if (!json_is_string(v)) {
			error_set("alert policy categories must be strings");
			rc = ASEC_EINVALID;
			goto out;
		}
		if ((rc = sa_add_unique(categories, json_string_value(v))))
			goto out;
	}
	if (r->d->entity == STORE_ALERT_DEPLOYMENT) {
		entity = json_object_get(alert, "deployment");
		if (!json_is_object(entity)) {
			error_set("deployment alert of policy %.128s has no deployment", row->policy_id);
			rc = ASEC_EINVALID;
			goto out;
		}
		if ((rc = sa_str(&row->deployment, entity, "name", SA_MAX_NAME, "deployment")) ||
		    (rc = sa_str(&row->deployment_id, entity, "id", SA_MAX_NAME, "deployment")) ||
		    (rc = sa_str(&row->namespace, entity, "namespace", SA_MAX_NAME, "deployment")) ||
		    (rc = sa_str(&row->cluster, entity, "clusterName", SA_MAX_NAME, "deployment")))
			goto out;
		if (json_array_size(json_object_get(entity, "containers")) > SA_MAX_IMAGES) {
			error_set("deployment alert has more than %d containers", SA_MAX_IMAGES);
			rc = ASEC_EINVALID;
			goto out;
		}
		json_array_foreach(json_object_get(entity, "containers"), i, v) {
			name = json_string_value(json_object_get(json_object_get(json_object_get(v, "image"), "name"),
								 "fullName"));
			if (name && (rc = sa_add_unique(images, name)))
				goto out;
		}
	} else {
		entity = json_object_get(alert, "image");
		if (!json_is_object(entity)) {
			error_set("image alert of policy %.128s has no image", row->policy_id);
			rc = ASEC_EINVALID;
			goto out;
		}
		name = json_string_value(json_object_get(json_object_get(entity, "name"), "fullName"));
		if (name && (rc = sa_add_unique(images, name)))
			goto out;
		/* roxctl image check --cluster/--namespace: the context it ran in */
		if ((rc = sa_str(&row->namespace, alert, "namespace", SA_MAX_NAME, "")) ||
		    (rc = sa_str(&row->cluster, alert, "clusterName", SA_MAX_NAME, "")))
			goto out;
	}
	if ((rc = sa_string_array(&row->categories, categories, "policy categories")) ||
	    (rc = sa_string_array(&row->images, images, "image names")))
		goto out;
	if (!(copy = json_deep_copy(alert))) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	for (const char *const *m = sa_lifecycle_members; *m; m++)
		json_object_del(copy, *m);
	if (!(summary = sa_summary(alert, policy, r->kind, row)) ||
	    !(row->summary = json_dumps(summary, JSON_COMPACT)) ||
	    !(row->document = json_dumps(copy, JSON_COMPACT | JSON_ENCODE_ANY))) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	rc = ASEC_OK;
out:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory storing an alert");
	json_decref(categories);
	json_decref(images);
	json_decref(copy);
	json_decref(summary);
	return rc;
}

static void sa_rows_free(struct sa_record *r)
{
	for (size_t i = 0; r->rows && i < r->count; i++) {
		free(r->rows[i].categories);
		free(r->rows[i].images);
		free(r->rows[i].summary);
		free(r->rows[i].document);
	}
	free(r->rows);
	free(r->passed);
}

static int sa_idcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Checks the detection as a whole: no policy both fired and passed, none
 * twice. */
static int sa_record_prepare(struct sa_record *r)
{
	struct store_alerts_detection *d = r->d;
	const char **ids = NULL;
	json_t *passed = NULL;
	size_t n = 0, total;
	uint32_t h = 2166136261u;
	int rc;

	if (!d->lifecycle_stage || (strcmp(d->lifecycle_stage, "BUILD") && strcmp(d->lifecycle_stage, "DEPLOY") &&
				    strcmp(d->lifecycle_stage, "RUNTIME"))) {
		error_set("lifecycle stage must be BUILD, DEPLOY or RUNTIME");
		return ASEC_EINVALID;
	}
	if (d->state && strcmp(d->state, "ACTIVE") && strcmp(d->state, "ATTEMPTED")) {
		error_set("a detection records ACTIVE or ATTEMPTED alerts");
		return ASEC_EINVALID;
	}
	if (!d->entity_key || !d->entity_key[0] || strlen(d->entity_key) > STORE_ALERTS_KEY_MAX) {
		error_set("alert entity key is empty or longer than %d bytes", STORE_ALERTS_KEY_MAX);
		return ASEC_EINVALID;
	}
	if ((d->alerts && !json_is_array(d->alerts)) || json_array_size(d->alerts) > STORE_ALERTS_RECORD_MAX ||
	    d->passed_count > STORE_ALERTS_RECORD_MAX || (d->passed_count && !d->passed_policy_ids)) {
		error_set("a detection records at most %d alerts and %d passed policies", STORE_ALERTS_RECORD_MAX,
			  STORE_ALERTS_RECORD_MAX);
		return ASEC_EINVALID;
	}
	snprintf(r->kind, sizeof(r->kind), "%s", d->entity == STORE_ALERT_IMAGE ? "IMAGE" : "DEPLOYMENT");
	r->count = json_array_size(d->alerts);
	total = r->count + d->passed_count;
	if (!(r->rows = calloc(r->count ? r->count : 1, sizeof(*r->rows))) ||
	    !(ids = calloc(total ? total : 1, sizeof(*ids))) || !(passed = json_array())) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < r->count; i++) {
		if ((rc = sa_row_prepare(&r->rows[i], json_array_get(d->alerts, i), r)))
			goto out;
		ids[n++] = r->rows[i].policy_id;
	}
	for (size_t i = 0; i < d->passed_count; i++) {
		const char *id = d->passed_policy_ids[i];
		if (!id || !id[0] || strlen(id) > SA_MAX_ID) {
			error_set("passed policy id %zu is empty or longer than %d bytes", i, SA_MAX_ID);
			rc = ASEC_EINVALID;
			goto out;
		}
		ids[n++] = id;
		if (json_array_append_new(passed, json_string(id))) {
			rc = ASEC_ENOMEM;
			goto out;
		}
	}
	qsort(ids, n, sizeof(*ids), sa_idcmp);
	for (size_t i = 1; i < n; i++)
		if (strcmp(ids[i], ids[i - 1]) == 0) {
			error_set("policy %.128s appears twice in one detection", ids[i]);
			rc = ASEC_EINVALID;
			goto out;
		}
	if (!(r->passed = json_dumps(passed, JSON_COMPACT))) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	for (const char *s = r->kind; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	for (const char *s = d->entity_key; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	for (const char *s = d->lifecycle_stage; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	snprintf(r->lock_key, sizeof(r->lock_key), "%" PRId32, (int32_t)h);
	r->now_ms = store_search_now_ms();
	snprintf(r->now, sizeof(r->now), "%" PRId64, r->now_ms);
	rc = ASEC_OK;
out:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory storing alerts");
	free(ids);
	json_decref(passed);
	return rc;
}

static int sa_record_txn(PGconn *conn, void *ctx)
{
	struct sa_record *r = ctx;
	struct store_alerts_detection *d = r->d;
	const char *state = d->state ? d->state : "ACTIVE";
	const char *key_params[3] = {r->kind, d->entity_key, d->lifecycle_stage};
	PGresult *res = NULL;
	char lock_class[16];
	int rc;

	snprintf(lock_class, sizeof(lock_class), "%d", SA_LOCK_CLASS);
	if ((rc = db_exec(NULL, conn, "SELECT pg_advisory_xact_lock($1::int, $2::int)", 2,
			  (const char *[]){lock_class, r->lock_key})))
		goto out;
	/* The ACTIVE alerts of this entity and stage, locked as every writer
	 * locks a row before changing it. */
	if ((rc = db_exec(&res, conn,
			  "SELECT id, policy_id, " STORE_SEARCH_MS("first_occurred") " AS first FROM alerts"
			  " WHERE entity_kind = $1 AND entity_key = $2 AND lifecycle_stage = $3 AND state = 'ACTIVE'"
			  " FOR UPDATE",
			  3, key_params)))
		goto out;
	for (size_t i = 0; i < r->count; i++) {
		struct sa_row *row = &r->rows[i];
		int found = -1;

		if (strcmp(state, "ACTIVE") == 0)
			for (int k = 0; k < PQntuples(res) && found < 0; k++)
				if (strcmp(PQgetvalue(res, k, 1), row->policy_id) == 0)
					found = k;
		if (found >= 0) {
			snprintf(row->id, sizeof(row->id), "%s", PQgetvalue(res, found, 0));
			row->first_ms = strtoll(PQgetvalue(res, found, 2), NULL, 10);
			if ((rc = db_exec(NULL, conn,
					  "UPDATE alerts SET policy_name = $2, severity = $3, severity_rank = $4::smallint,"
					  " categories = " SA_TEXT_ARRAY("$5") ", images = " SA_TEXT_ARRAY("$6") ","
					  " deployment = $7, namespace = $8, cluster = $9,"
					  " time = " STORE_SEARCH_TS("$10") ","
					  " enforcement_action = $11, summary = $12, document = $13, deployment_id = $14"
					  " WHERE id = $1",
					  14,
					  (const char *[]){row->id, row->policy_name, row->severity, row->rank,
							   row->categories, row->images, row->deployment, row->namespace,
							   row->cluster, r->now, row->enforcement, row->summary,
							   row->document, row->deployment_id})))
				goto out;
			continue;
		}
		if ((rc = auth_uuid_v4(row->id)))
			goto out;
		row->first_ms = r->now_ms;
		if ((rc = db_exec(NULL, conn,
				  "INSERT INTO alerts (id, policy_id, policy_name, severity, severity_rank, categories,"
				  " images, deployment, namespace, cluster, time, first_occurred, enforcement_action,"
				  " summary, document, lifecycle_stage, entity_kind, entity_key, state, deployment_id)"
				  " VALUES ($1, $2, $3, $4, $5::smallint, " SA_TEXT_ARRAY("$6") ", " SA_TEXT_ARRAY("$7") ","
				  " $8, $9, $10, " STORE_SEARCH_TS("$11") ", " STORE_SEARCH_TS("$11") ","
				  " $12, $13, $14, $15, $16, $17, $18, $19)",
				  19,
				  (const char *[]){row->id, row->policy_id, row->policy_name, row->severity, row->rank,
						   row->categories, row->images, row->deployment, row->namespace,
						   row->cluster, r->now, row->enforcement, row->summary, row->document,
						   d->lifecycle_stage, r->kind, d->entity_key, state, row->deployment_id})))
			goto out;
	}
	PQclear(res);
	res = NULL;
	if ((rc = db_exec(&res, conn,
			  "UPDATE alerts SET state = 'RESOLVED', resolved_at = " STORE_SEARCH_TS("$5")
			  " WHERE entity_kind = $1 AND entity_key = $2 AND lifecycle_stage = $3 AND state = 'ACTIVE'"
			  " AND policy_id IN (SELECT json_array_elements_text($4::json))",
			  5, (const char *[]){r->kind, d->entity_key, d->lifecycle_stage, r->passed, r->now})))
		goto out;
	r->resolved = strtoll(PQcmdTuples(res), NULL, 10);
out:
	PQclear(res);
	return rc;
}

int store_alerts_record(int64_t *resolved, struct db_pool *pool, struct store_alerts_detection *d)
{
	struct sa_record r;
	const char *state = d && d->state ? d->state : "ACTIVE";
	int rc;

	memset(&r, 0, sizeof(r));
	if (resolved)
		*resolved = 0;
	if (!d) {
		error_set("no detection to record");
		return ASEC_EINVALID;
	}
	r.d = d;
	if ((rc = sa_record_prepare(&r)))
		goto out;
	if ((rc = db_transaction(pool, DB_READ_COMMITTED, sa_record_txn, &r)))
		goto out;
	for (size_t i = 0; i < r.count; i++) {
		json_t *a = r.rows[i].alert;
		if (json_object_set_new(a, "id", json_string(r.rows[i].id)) ||
		    json_object_set_new(a, "state", json_string(state)) || store_search_set_time(a, "time", r.now_ms) ||
		    store_search_set_time(a, "firstOccurred", r.rows[i].first_ms)) {
			error_set("out of memory storing alerts");
			rc = ASEC_ENOMEM;
			goto out;
		}
	}
	if (resolved)
		*resolved = r.resolved;
out:
	sa_rows_free(&r);
	return rc;
}

/* ---- reading ------------------------------------------------------------ */

/* Sets the lifecycle members of o from columns id, state, time, first,
 * resolved of row r. */
static int sa_merge_lifecycle(json_t *o, const PGresult *res, int r)
{
	int col;

	if (json_object_set_new(o, "id", json_string(PQgetvalue(res, r, PQfnumber(res, "id")))) ||
	    json_object_set_new(o, "state", json_string(PQgetvalue(res, r, PQfnumber(res, "state")))) ||
	    store_search_set_time_column(o, "time", res, r, PQfnumber(res, "time")))
		return ASEC_ENOMEM;
	if ((col = PQfnumber(res, "first")) >= 0 && store_search_set_time_column(o, "firstOccurred", res, r, col))
		return ASEC_ENOMEM;
	if ((col = PQfnumber(res, "resolved")) >= 0 && store_search_set_time_column(o, "resolvedAt", res, r, col))
		return ASEC_ENOMEM;
	return ASEC_OK;
}

int store_alerts_get(json_t **out, struct db_pool *pool, const char *id)
{
	PGresult *res = NULL;
	json_t *alert = NULL;
	json_error_t jerr;
	int rc;

	*out = NULL;
	if (!id || strlen(id) > SA_MAX_ID) {
		error_set("no alert has id %.128s", id ? id : "");
		return ASEC_ENOTFOUND;
	}
	if ((rc = db_query(&res, pool,
			   "SELECT id, state, document, " STORE_SEARCH_MS("time") " AS time,"
			   " " STORE_SEARCH_MS("first_occurred") " AS first,"
			   " " STORE_SEARCH_MS("resolved_at") " AS resolved FROM alerts WHERE id = $1",
			   1, (const char *[]){id})))
		goto out;
	if (PQntuples(res) == 0) {
		error_set("no alert has id %.128s", id);
		rc = ASEC_ENOTFOUND;
		goto out;
	}
	alert = json_loads(PQgetvalue(res, 0, 2), JSON_ALLOW_NUL, &jerr);
	if (!json_is_object(alert)) {
		error_set("stored alert %.128s cannot be read back as JSON", id);
		rc = ASEC_ERROR;
		goto out;
	}
	if ((rc = sa_merge_lifecycle(alert, res, 0))) {
		error_set("out of memory reading an alert");
		goto out;
	}
	*out = alert;
	alert = NULL;
out:
	json_decref(alert);
	PQclear(res);
	return rc;
}

/* ---- searching ---------------------------------------------------------- */

/* The WHERE fragment of q; with active_default, limited to ACTIVE alerts
 * unless q has a Violation State term (StackRox's default). */
static int sa_where_make(struct store_search_where *w, const struct query *q, int active_default)
{
	char *both;
	int rc;

	/* room for three more: LIMIT and OFFSET, or the time of a resolve */
	if ((rc = store_search_where_make(w, q, &sa_map, 3, "an alert search")))
		return rc;
	if (active_default && !strstr(w->sql, SA_STATE_EXPR)) {
		if (asprintf(&both, "(%s AND " SA_STATE_EXPR " = 'ACTIVE')", w->sql) < 0) {
			error_set("out of memory building an alert search");
			return ASEC_ENOMEM;
		}
		free(w->sql);
		w->sql = both;
	}
	return ASEC_OK;
}

/* One ListAlert of a page: the stored summary with the lifecycle merged. */
static int sa_list_row(json_t *list, const PGresult *res, int r)
{
	json_error_t jerr;
	json_t *item = json_loads(PQgetvalue(res, r, 2), 0, &jerr);

	if (!json_is_object(item)) {
		json_decref(item);
		error_set("stored alert %.128s cannot be read back as JSON", PQgetvalue(res, r, 0));
		return ASEC_ERROR;
	}
	if (json_array_append_new(list, item) || sa_merge_lifecycle(item, res, r))
		return ASEC_ENOMEM;
	return ASEC_OK;
}

int store_alerts_list(json_t **out, struct db_pool *pool, const struct query *q, const struct store_search_page *page)
{
	struct store_search_where w;
	char order[160], *sql = NULL;
	int rc;

	*out = NULL;
	memset(&w, 0, sizeof(w));
	if ((rc = store_search_page_check(page)))
		return rc;
	if ((rc = sa_order_by(order, sizeof(order), page)) || (rc = sa_where_make(&w, q, 1)))
		goto out;
	store_search_where_page(&w, page);
	if (asprintf(&sql,
		     "SELECT a.id, a.state, a.summary, " STORE_SEARCH_MS("a.time") " AS time FROM alerts a WHERE %s"
		     " ORDER BY %s LIMIT $%d OFFSET $%d",
		     w.sql, order, w.count + 1, w.count + 2) < 0) {
		sql = NULL;
		rc = ASEC_ENOMEM;
		goto out;
	}
	rc = store_search_rows(out, pool, sql, &w, w.count + 2, sa_list_row);
out:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory listing alerts");
	free(sql);
	store_search_where_free(&w);
	return rc;
}

int store_alerts_count(int64_t *out, struct db_pool *pool, const struct query *q)
{
	struct store_search_where w;
	int rc;

	*out = 0;
	if ((rc = sa_where_make(&w, q, 1)) == ASEC_OK)
		rc = store_search_count(out, pool, "alerts a", &w, "alerts");
	store_search_where_free(&w);
	return rc;
}

int store_alerts_group_counts(json_t **out, struct db_pool *pool, const struct query *q, enum store_alerts_group group)
{
	struct store_search_where w;
	PGresult *res = NULL;
	char *sql = NULL;
	const char *key, *from;
	json_t *groups = NULL, *current = NULL;
	int rc;

	*out = NULL;
	memset(&w, 0, sizeof(w));
	switch (group) {
	case STORE_ALERTS_GROUP_NONE:
		key = "''::text";
		from = "alerts a";
		break;
	case STORE_ALERTS_GROUP_CATEGORY:
		key = "gc.category";
		from = "alerts a CROSS JOIN LATERAL unnest(a.categories) AS gc(category)";
		break;
	case STORE_ALERTS_GROUP_CLUSTER:
		key = "coalesce(a.cluster, '')";
		from = "alerts a";
		break;
	default:
		error_set("unknown alert grouping");
		return ASEC_EINVALID;
	}
	if ((rc = sa_where_make(&w, q, 1)))
		goto out;
	if (asprintf(&sql,
		     "SELECT %s COLLATE \"C\" AS g, a.severity, a.severity_rank, count(*) AS n FROM %s WHERE %s"
		     " GROUP BY 1, 2, 3 ORDER BY 1, 3",
		     key, from, w.sql) < 0) {
		sql = NULL;
		rc = ASEC_ENOMEM;
		goto out;
	}
	if ((rc = db_query(&res, pool, sql, w.count, w.params)))
		goto out;
	if (!(groups = json_array())) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	for (int r = 0; r < PQntuples(res); r++) {
		const char *g = PQgetvalue(res, r, 0);
		if (!current || strcmp(json_string_value(json_object_get(current, "group")), g) != 0) {
			current = json_pack("{s:s, s:[]}", "group", g, "counts");
			if (!current || json_array_append_new(groups, current)) {
				rc = ASEC_ENOMEM;
				goto out;
			}
		}
		if (json_array_append_new(json_object_get(current, "counts"),
					  json_pack("{s:s, s:s}", "severity", PQgetvalue(res, r, 1), "count",
						    PQgetvalue(res, r, 3)))) {
			rc = ASEC_ENOMEM;
			goto out;
		}
	}
	if (!(*out = json_pack("{s:o}", "groups", groups))) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	groups = NULL;
out:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory counting alerts");
	json_decref(groups);
	free(sql);
	store_search_where_free(&w);
	PQclear(res);
	return rc;
}

/* ---- resolving ---------------------------------------------------------- */

int store_alerts_resolve(struct db_pool *pool, const char *id)
{
	PGresult *res = NULL;
	char now[24];
	bool found;
	int rc;

	if (!id || strlen(id) > SA_MAX_ID) {
		error_set("no alert has id %.128s", id ? id : "");
		return ASEC_ENOTFOUND;
	}
	snprintf(now, sizeof(now), "%" PRId64, store_search_now_ms());
	if ((rc = db_query(&res, pool,
			   "WITH u AS (UPDATE alerts SET state = 'RESOLVED', resolved_at = " STORE_SEARCH_TS("$2")
			   " WHERE id = $1 AND state IN ('ACTIVE', 'ATTEMPTED') RETURNING 1)"
			   " SELECT EXISTS (SELECT 1 FROM u) OR EXISTS (SELECT 1 FROM alerts WHERE id = $1) AS found",
			   2, (const char *[]){id, now})) ||
	    (rc = db_get_bool(&found, res, 0, "found")))
		goto out;
	if (!found) {
		error_set("no alert has id %.128s", id);
		rc = ASEC_ENOTFOUND;
	}
out:
	PQclear(res);
	return rc;
}

int store_alerts_resolve_query(int64_t *out, struct db_pool *pool, const struct query *q)
{
	struct store_search_where w;
	PGresult *res = NULL;
	char *sql = NULL, now[24];
	int rc;

	*out = 0;
	if ((rc = sa_where_make(&w, q, 0)))
		goto out;
	snprintf(now, sizeof(now), "%" PRId64, store_search_now_ms());
	w.params[w.count] = now;
	if (asprintf(&sql,
		     "UPDATE alerts a SET state = 'RESOLVED', resolved_at = " STORE_SEARCH_TS("$%d")
		     " WHERE a.state = 'ACTIVE' AND %s",
		     w.count + 1, w.sql) < 0) {
		sql = NULL;
		error_set("out of memory resolving alerts");
		rc = ASEC_ENOMEM;
		goto out;
	}
	if ((rc = db_query(&res, pool, sql, w.count + 1, w.params)))
		goto out;
	*out = strtoll(PQcmdTuples(res), NULL, 10);
out:
	free(sql);
	store_search_where_free(&w);
	PQclear(res);
	return rc;
}
