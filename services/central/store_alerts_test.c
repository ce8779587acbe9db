/*
 * store_alerts_test.c - central's alert store against a real PostgreSQL.
 *
 * Needs ASEC_TEST_DATABASE_URL (skipped with exit 77 when unset, a failure
 * under CI=true) and works in a schema of its own, so parallel runs do not
 * meet. Alerts are written here by hand after the spec's Alert schema, so
 * that this test pins the store alone; expected answers are the fixture
 * names each query must return, worked out by reading the fixtures.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "error/error.h"
#include "store_alerts.h"
#include "store_testing.h"
#include "testing/testing.h"

static struct db_pool *pool;
static char schema[STORE_TESTING_SCHEMA_MAX];

static int setup(void **state)
{
	(void)state;
	return store_testing_open(&pool, schema, "store_alerts_test", 8, store_alerts_migrate);
}

static int teardown(void **state)
{
	(void)state;
	store_testing_close(pool, schema, "store_alerts_test");
	return 0;
}

static void wipe(void)
{
	static const char *const tables[] = {"alerts", NULL};

	if (store_testing_wipe(pool, tables))
		fail_msg("wipe: %s", error_last());
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* ---- fixtures ------------------------------------------------------------- */

static json_t *policy(const char *id, const char *severity, const char *cat1, const char *cat2)
{
	json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:[s], s:[], s:s}", "id", id, "name", id, "severity", severity,
			      "description", "a test policy", "lifecycleStages", "BUILD", "categories",
			      "policyVersion", "1.1");

	json_array_append_new(json_object_get(p, "categories"), json_string(cat1));
	if (cat2)
		json_array_append_new(json_object_get(p, "categories"), json_string(cat2));
	return p;
}

static json_t *image_alert(const char *policy_id, const char *severity, const char *cat, const char *image_name,
			   const char *message, const char *enforcement)
{
	json_t *a = json_pack("{s:o, s:s, s:{s:s, s:{s:s, s:s, s:s}}, s:[{s:s, s:s}], s:{s:s}}", "policy",
			      policy(policy_id, severity, cat, NULL), "lifecycleStage", "BUILD", "image", "id",
			      "sha256:0123", "name", "registry", "docker.io", "remote", "library/x", "fullName",
			      image_name, "violations", "message", message, "type", "GENERIC", "commonEntityInfo",
			      "resourceType", "IMAGE");

	if (enforcement)
		json_object_set_new(a, "enforcement",
				    json_pack("{s:s, s:s}", "action", enforcement, "message", "fails the build"));
	return a;
}

static json_t *deployment(const char *cluster, const char *ns, const char *name, const char *image_name)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:[{s:s, s:{s:{s:s}}}]}", "id", name, "name", name, "namespace",
			 ns, "clusterName", cluster, "type", "Deployment", "containers", "name", "c", "image", "name",
			 "fullName", image_name);
}

static json_t *deploy_alert(const char *policy_id, const char *severity, const char *cat1, const char *cat2,
			    const json_t *dep)
{
	return json_pack("{s:o, s:s, s:O, s:[{s:s, s:s}]}", "policy", policy(policy_id, severity, cat1, cat2),
			 "lifecycleStage", "DEPLOY", "deployment", dep, "violations", "message", "bad", "type",
			 "GENERIC");
}

/* Records one detection of an image with the alerts given (stolen) and the
 * passed policy ids. */
static json_t *record_image(const char *image_name, json_t *alerts, const char *const *passed, size_t passed_count,
			    int64_t *resolved)
{
	char key[STORE_ALERTS_KEY_MAX + 1];
	json_t *img = json_pack("{s:{s:s}}", "name", "fullName", image_name);
	struct store_alerts_detection d = {.lifecycle_stage = "BUILD", .entity = STORE_ALERT_IMAGE, .entity_key = key,
					   .alerts = alerts, .passed_policy_ids = passed, .passed_count = passed_count};

	assert_int_equal(store_alerts_image_key(key, img), ASEC_OK);
	json_decref(img);
	if (store_alerts_record(resolved, pool, &d))
		fail_msg("record: %s", error_last());
	return alerts;
}

static void record_deployment(json_t *dep, json_t *alerts)
{
	char key[STORE_ALERTS_KEY_MAX + 1];
	struct store_alerts_detection d = {.lifecycle_stage = "DEPLOY", .entity = STORE_ALERT_DEPLOYMENT,
					   .entity_key = key, .alerts = alerts};

	assert_int_equal(store_alerts_deployment_key(key, dep), ASEC_OK);
	if (store_alerts_record(NULL, pool, &d))
		fail_msg("record: %s", error_last());
	json_decref(alerts);
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static json_t *get_alert(const char *id)
{
	json_t *a = NULL;

	if (store_alerts_get(&a, pool, id))
		fail_msg("get %s: %s", id, error_last());
	return a;
}

/* ---- tests ---------------------------------------------------------------- */

/* A detection continues, opens and resolves per (policy, entity). */
static void lifecycle(void **state)
{
	const char *passed_b[] = {"pol-b"};
	json_t *first, *second, *third, *a, *list = NULL;
	char id_a[64], id_b[64], first_time[64];
	int64_t resolved = -1, n;

	(void)state;
	wipe();
	first = record_image("docker.io/library/x:1",
			     json_pack("[o, o]", image_alert("pol-a", "HIGH_SEVERITY", "Vulnerability Management",
							     "docker.io/library/x:1", "CVE-1 found", NULL),
				       image_alert("pol-b", "LOW_SEVERITY", "DevOps Best Practices",
						   "docker.io/library/x:1", "latest tag", NULL)),
			     NULL, 0, &resolved);
	assert_int_equal(resolved, 0);
	snprintf(id_a, sizeof(id_a), "%s", str(json_array_get(first, 0), "id"));
	snprintf(id_b, sizeof(id_b), "%s", str(json_array_get(first, 1), "id"));
	snprintf(first_time, sizeof(first_time), "%s", str(json_array_get(first, 0), "firstOccurred"));
	assert_int_equal(strlen(id_a), 36);
	assert_string_not_equal(id_a, id_b);
	assert_string_equal(str(json_array_get(first, 0), "state"), "ACTIVE");
	assert_string_equal(str(json_array_get(first, 0), "time"), first_time);
	/* another image with the same policy is another alert */
	json_decref(record_image("docker.io/library/y:1",
				 json_pack("[o]", image_alert("pol-a", "HIGH_SEVERITY", "Vulnerability Management",
							      "docker.io/library/y:1", "CVE-1 found", NULL)),
				 NULL, 0, NULL));

	sleep_ms(20);
	second = record_image("docker.io/library/x:1",
			      json_pack("[o]", image_alert("pol-a", "HIGH_SEVERITY", "Vulnerability Management",
							   "docker.io/library/x:1", "CVE-2 found", NULL)),
			      passed_b, 1, &resolved);
	assert_int_equal(resolved, 1);
	assert_string_equal(str(json_array_get(second, 0), "id"), id_a);
	assert_string_equal(str(json_array_get(second, 0), "firstOccurred"), first_time);
	assert_string_not_equal(str(json_array_get(second, 0), "time"), first_time);

	a = get_alert(id_a);
	assert_string_equal(str(a, "state"), "ACTIVE");
	assert_string_equal(str(a, "firstOccurred"), first_time);
	assert_string_equal(str(json_array_get(json_object_get(a, "violations"), 0), "message"), "CVE-2 found");
	assert_null(json_object_get(a, "resolvedAt"));
	assert_string_equal(str(json_object_get(a, "policy"), "description"), "a test policy");
	json_decref(a);
	a = get_alert(id_b);
	assert_string_equal(str(a, "state"), "RESOLVED");
	assert_true(str(a, "resolvedAt")[0] != '\0');
	json_decref(a);

	/* pol-b fires again: a new alert, the resolved one stays resolved */
	third = record_image("docker.io/library/x:1",
			     json_pack("[o, o]", image_alert("pol-a", "HIGH_SEVERITY", "Vulnerability Management",
							     "docker.io/library/x:1", "CVE-2 found", NULL),
				       image_alert("pol-b", "LOW_SEVERITY", "DevOps Best Practices",
						   "docker.io/library/x:1", "latest tag", NULL)),
			     NULL, 0, &resolved);
	assert_string_equal(str(json_array_get(third, 0), "id"), id_a);
	assert_string_not_equal(str(json_array_get(third, 1), "id"), id_b);
	a = get_alert(id_b);
	assert_string_equal(str(a, "state"), "RESOLVED");
	json_decref(a);

	assert_int_equal(store_alerts_count(&n, pool, NULL), ASEC_OK);
	assert_int_equal(n, 3); /* x: a, new b; y: a */
	{
		struct query *q = NULL;
		size_t count;
		const struct query_field *f = store_alerts_query_fields(&count);
		assert_int_equal(query_parse(&q, "Violation State:RESOLVED", f, count), ASEC_OK);
		assert_int_equal(store_alerts_count(&n, pool, q), ASEC_OK);
		assert_int_equal(n, 1);
		query_free(q);
		assert_int_equal(query_parse(&q, "Violation State:*", f, count), ASEC_OK);
		assert_int_equal(store_alerts_count(&n, pool, q), ASEC_OK);
		assert_int_equal(n, 4);
		query_free(q);
	}
	/* the list summary */
	{
		struct store_search_page page = {.limit = 10};
		json_t *item;
		assert_int_equal(store_alerts_list(&list, pool, NULL, &page), ASEC_OK);
		assert_int_equal(json_array_size(list), 3);
		item = json_array_get(list, 0);
		assert_string_equal(str(json_object_get(item, "commonEntityInfo"), "resourceType"), "IMAGE");
		assert_string_equal(str(item, "enforcementAction"), "UNSET_ENFORCEMENT");
		assert_string_equal(str(item, "state"), "ACTIVE");
		assert_non_null(json_object_get(json_object_get(item, "image"), "name"));
		assert_true(json_is_string(json_object_get(json_object_get(item, "image"), "name")));
		assert_null(json_object_get(item, "violations"));
		json_decref(list);
	}
	json_decref(first);
	json_decref(second);
	json_decref(third);
}

static void get_unknown_and_nul(void **state)
{
	json_t *a = NULL, *alerts;
	char id[64];

	(void)state;
	wipe();
	assert_int_equal(store_alerts_get(&a, pool, "3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a"), ASEC_ENOTFOUND);
	assert_null(a);
	/* a violation message holding a NUL survives (text column, not json) */
	alerts = json_array();
	a = image_alert("pol-nul", "LOW_SEVERITY", "Misc", "r/x:1", "x", NULL);
	json_object_set_new(json_array_get(json_object_get(a, "violations"), 0), "message", json_stringn("a\0b", 3));
	json_array_append_new(alerts, a);
	record_image("r/x:1", alerts, NULL, 0, NULL);
	snprintf(id, sizeof(id), "%s", str(json_array_get(alerts, 0), "id"));
	json_decref(alerts);
	a = get_alert(id);
	assert_int_equal(json_string_length(json_object_get(json_array_get(json_object_get(a, "violations"), 0),
							  "message")),
			 3);
	json_decref(a);
}

static void bad_detections(void **state)
{
	const char *passed[] = {"pol-a"};
	struct store_alerts_detection d = {.lifecycle_stage = "BUILD", .entity = STORE_ALERT_IMAGE,
					   .entity_key = "r/x:1"};
	json_t *alerts;
	int64_t n;

	(void)state;
	wipe();
	/* the same policy twice */
	d.alerts = json_pack("[o, o]", image_alert("pol-a", "LOW_SEVERITY", "M", "r/x:1", "m", NULL),
			     image_alert("pol-a", "LOW_SEVERITY", "M", "r/x:1", "m", NULL));
	assert_int_equal(store_alerts_record(NULL, pool, &d), ASEC_EINVALID);
	json_decref(d.alerts);
	/* fired and passed at once */
	d.alerts = json_pack("[o]", image_alert("pol-a", "LOW_SEVERITY", "M", "r/x:1", "m", NULL));
	d.passed_policy_ids = passed;
	d.passed_count = 1;
	assert_int_equal(store_alerts_record(NULL, pool, &d), ASEC_EINVALID);
	d.passed_policy_ids = NULL;
	d.passed_count = 0;
	/* a stage that is not the detection's */
	d.lifecycle_stage = "DEPLOY";
	assert_int_equal(store_alerts_record(NULL, pool, &d), ASEC_EINVALID);
	d.lifecycle_stage = "BUILD";
	json_decref(d.alerts);
	/* an unknown severity, a missing image, a bad state */
	alerts = json_pack("[o]", image_alert("pol-a", "SEVERE", "M", "r/x:1", "m", NULL));
	d.alerts = alerts;
	assert_int_equal(store_alerts_record(NULL, pool, &d), ASEC_EINVALID);
	json_decref(alerts);
	alerts = json_pack("[o]", image_alert("pol-a", "LOW_SEVERITY", "M", "r/x:1", "m", NULL));
	json_object_del(json_array_get(alerts, 0), "image");
	d.alerts = alerts;
	assert_int_equal(store_alerts_record(NULL, pool, &d), ASEC_EINVALID);
	json_decref(alerts);
	d.alerts = NULL;
	d.state = "RESOLVED";
	assert_int_equal(store_alerts_record(NULL, pool, &d), ASEC_EINVALID);
	d.state = NULL;
	d.entity_key = "";
	assert_int_equal(store_alerts_record(NULL, pool, &d), ASEC_EINVALID);
	/* nothing was stored by any of them */
	assert_int_equal(store_alerts_count(&n, pool, NULL), ASEC_OK);
	assert_int_equal(n, 0);
}

/* The fixture of the search tests: three deployment alerts, two image alerts
 * and one resolved. */
static void seed(void)
{
	json_t *web = deployment("prod", "shop", "web", "docker.io/library/nginx:1.25");
	json_t *db = deployment("prod", "data", "db", "docker.io/library/postgres:15");
	json_t *job = deployment("staging", "shop", "batch", "quay.io/acme/batch:2");
	const char *passed[] = {"pol-old"};

	wipe();
	record_deployment(web, json_pack("[o, o]", deploy_alert("priv", "HIGH_SEVERITY", "Privileges", "Security Best Practices", web),
					 deploy_alert("latest", "LOW_SEVERITY", "DevOps Best Practices", NULL, web)));
	sleep_ms(5);
	record_deployment(db, json_pack("[o]", deploy_alert("priv", "HIGH_SEVERITY", "Privileges", "Security Best Practices", db)));
	sleep_ms(5);
	record_deployment(job, json_pack("[o]", deploy_alert("crit", "CRITICAL_SEVERITY", "Vulnerability Management", NULL, job)));
	sleep_ms(5);
	json_decref(record_image("quay.io/acme/app:3",
				 json_pack("[o]", image_alert("pol-old", "MEDIUM_SEVERITY", "Vulnerability Management",
							      "quay.io/acme/app:3", "m", NULL)),
				 NULL, 0, NULL));
	sleep_ms(5);
	json_decref(record_image("quay.io/acme/app:3",
				 json_pack("[o]", image_alert("fail", "CRITICAL_SEVERITY", "Vulnerability Management",
							      "quay.io/acme/app:3", "m", "FAIL_BUILD_ENFORCEMENT")),
				 passed, 1, NULL));
	json_decref(web);
	json_decref(db);
	json_decref(job);
}

/* Names of the listed alerts as "policy@entity" joined by spaces. */
static void list_names(char *out, size_t size, const char *query, const char *sort, int reversed)
{
	struct store_search_page page = {.limit = 100, .sort_field = sort, .reversed = reversed};
	struct query *q = NULL;
	size_t count, used = 0;
	const struct query_field *f = store_alerts_query_fields(&count);
	json_t *list = NULL, *item;
	size_t i;

	if (query_parse(&q, query, f, count))
		fail_msg("parse %s: %s", query, error_last());
	if (store_alerts_list(&list, pool, q, &page))
		fail_msg("list %s: %s", query, error_last());
	query_free(q);
	out[0] = '\0';
	json_array_foreach(list, i, item) {
		json_t *entity = json_object_get(item, "deployment");
		const char *name = entity ? str(entity, "name") : str(json_object_get(item, "image"), "name");
		used += (size_t)snprintf(out + used, size - used, "%s%s@%s", i ? " " : "",
					 str(json_object_get(item, "policy"), "id"), name);
	}
	json_decref(list);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The words of s sorted, in place: alerts of one detection share their time
 * and tie by id, which is random. */
static void sort_words(char *s)
{
	char *words[64], *save = NULL, copy[1024];
	size_t n = 0, used = 0;

	snprintf(copy, sizeof(copy), "%s", s);
	for (char *w = strtok_r(copy, " ", &save); w && n < 64; w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	qsort(words, n, sizeof(*words), cmp_str);
	s[0] = '\0';
	for (size_t i = 0; i < n; i++)
		used += (size_t)sprintf(s + used, "%s%s", i ? " " : "", words[i]);
}

static void search(void **state)
{
	static const struct {
		const char *query, *expect;
	} cases[] = {
		/* newest first by default, ACTIVE only */
		{"", "fail@quay.io/acme/app:3 crit@batch priv@db priv@web latest@web"},
		{"Severity:HIGH_SEVERITY", "priv@db priv@web"},
		{"Severity:>=high", "fail@quay.io/acme/app:3 crit@batch priv@db priv@web"},
		{"Severity:low", "latest@web"},
		{"Category:security best", "priv@db priv@web"},
		{"Category:\"Vulnerability Management\"", "fail@quay.io/acme/app:3 crit@batch"},
		{"Lifecycle Stage:BUILD", "fail@quay.io/acme/app:3"},
		{"Image:docker.io/library/n", "priv@web latest@web"},
		{"Image:quay.io", "fail@quay.io/acme/app:3 crit@batch"},
		{"Namespace:shop", "crit@batch priv@web latest@web"},
		{"Namespace:shop+Cluster:prod", "priv@web latest@web"},
		{"Deployment:db", "priv@db"},
		{"Deployment ID:web", "priv@web latest@web"},
		{"Resource Type:IMAGE", "fail@quay.io/acme/app:3"},
		{"Resource Type:DEPLOYMENT+Policy:priv", "priv@db priv@web"},
		{"Policy ID:latest", "latest@web"},
		{"Enforcement:FAIL_BUILD_ENFORCEMENT", "fail@quay.io/acme/app:3"},
		{"Violation State:RESOLVED", "pol-old@quay.io/acme/app:3"},
		{"Violation Time:>1d", ""},
		{"Violation Time:<1d+Severity:critical", "fail@quay.io/acme/app:3 crit@batch"},
		{"Cluster:-", "fail@quay.io/acme/app:3"},
	};
	char got[1024], want[1024];

	(void)state;
	seed();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		list_names(got, sizeof(got), cases[i].query, NULL, 0);
		/* the order is checked where it is decided: newest first, and the
		 * two alerts of web tie */
		if (strstr(got, "latest@web") && strstr(got, "priv@web") &&
		    strstr(got, "latest@web") < strstr(got, "priv@web")) {
			char *l = strstr(got, "latest@web"), *p = strstr(got, "priv@web");
			if (p - l == (ptrdiff_t)strlen("latest@web ")) {
				memcpy(l, "priv@web", 8);
				l[8] = ' ';
				memcpy(l + 9, "latest@web", 10);
			}
		}
		snprintf(want, sizeof(want), "%s", cases[i].expect);
		if (strcmp(got, want) != 0)
			fail_msg("query \"%s\": got \"%s\", want \"%s\"", cases[i].query, got, cases[i].expect);
	}
}

static void sorting_and_paging(void **state)
{
	struct store_search_page page = {.limit = 2, .offset = 1};
	json_t *list = NULL;
	char got[1024];

	(void)state;
	seed();
	list_names(got, sizeof(got), "", "Severity", 0);
	/* ties (the two HIGH ones) by id, which is random: check the ends */
	assert_true(strncmp(got, "latest@web ", 11) == 0);
	assert_non_null(strstr(got, "priv@db"));
	list_names(got, sizeof(got), "Severity:critical", "Severity", 1);
	assert_true(strstr(got, "crit@batch") && strstr(got, "fail@"));
	list_names(got, sizeof(got), "", "violation time", 0);
	assert_string_equal(got + strlen("latest@web priv@web "), "priv@db crit@batch fail@quay.io/acme/app:3");
	got[strlen("latest@web priv@web")] = '\0';
	sort_words(got);
	assert_string_equal(got, "latest@web priv@web");
	list_names(got, sizeof(got), "", "Namespace", 0);
	assert_true(strncmp(got, "priv@db", 7) == 0);
	list_names(got, sizeof(got), "", "Cluster", 1);
	/* NULLs (the image alert) last both ways */
	assert_true(strncmp(got, "crit@batch", 10) == 0);
	assert_true(strcmp(got + strlen(got) - strlen("fail@quay.io/acme/app:3"), "fail@quay.io/acme/app:3") == 0);

	assert_int_equal(store_alerts_list(&list, pool, NULL, &page), ASEC_OK);
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(str(json_object_get(json_array_get(list, 0), "policy"), "id"), "crit");
	json_decref(list);
	page.sort_field = "Category";
	assert_int_equal(store_alerts_list(&list, pool, NULL, &page), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "Category"));
	page.sort_field = "Nope";
	assert_int_equal(store_alerts_list(&list, pool, NULL, &page), ASEC_EINVALID);
	page.sort_field = NULL;
	page.limit = 0;
	assert_int_equal(store_alerts_list(&list, pool, NULL, &page), ASEC_EINVALID);
	page.limit = 1001;
	assert_int_equal(store_alerts_list(&list, pool, NULL, &page), ASEC_EINVALID);
}

static void group_counts(void **state)
{
	json_t *out = NULL, *expect;
	char *a, *b;

	(void)state;
	seed();
	assert_int_equal(store_alerts_group_counts(&out, pool, NULL, STORE_ALERTS_GROUP_NONE), ASEC_OK);
	expect = json_pack("{s:[{s:s, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]}]}", "groups", "group", "", "counts",
			   "severity", "LOW_SEVERITY", "count", "1", "severity", "HIGH_SEVERITY", "count", "2",
			   "severity", "CRITICAL_SEVERITY", "count", "2");
	a = json_dumps(out, JSON_SORT_KEYS);
	b = json_dumps(expect, JSON_SORT_KEYS);
	assert_string_equal(a, b);
	free(a), free(b), json_decref(out), json_decref(expect);

	assert_int_equal(store_alerts_group_counts(&out, pool, NULL, STORE_ALERTS_GROUP_CATEGORY), ASEC_OK);
	expect = json_pack("{s:[{s:s, s:[{s:s, s:s}]}, {s:s, s:[{s:s, s:s}]}, {s:s, s:[{s:s, s:s}]},"
			   " {s:s, s:[{s:s, s:s}]}]}",
			   "groups", "group", "DevOps Best Practices", "counts", "severity", "LOW_SEVERITY", "count", "1",
			   "group", "Privileges", "counts", "severity", "HIGH_SEVERITY", "count", "2", "group",
			   "Security Best Practices", "counts", "severity", "HIGH_SEVERITY", "count", "2", "group",
			   "Vulnerability Management", "counts", "severity", "CRITICAL_SEVERITY", "count", "2");
	a = json_dumps(out, JSON_SORT_KEYS);
	b = json_dumps(expect, JSON_SORT_KEYS);
	assert_string_equal(a, b);
	free(a), free(b), json_decref(out), json_decref(expect);

	assert_int_equal(store_alerts_group_counts(&out, pool, NULL, STORE_ALERTS_GROUP_CLUSTER), ASEC_OK);
	expect = json_pack("{s:[{s:s, s:[{s:s, s:s}]}, {s:s, s:[{s:s, s:s}, {s:s, s:s}]}, {s:s, s:[{s:s, s:s}]}]}",
			   "groups", "group", "", "counts", "severity", "CRITICAL_SEVERITY", "count", "1", "group",
			   "prod", "counts", "severity", "LOW_SEVERITY", "count", "1", "severity", "HIGH_SEVERITY",
			   "count", "2", "group", "staging", "counts", "severity", "CRITICAL_SEVERITY", "count", "1");
	a = json_dumps(out, JSON_SORT_KEYS);
	b = json_dumps(expect, JSON_SORT_KEYS);
	assert_string_equal(a, b);
	free(a), free(b), json_decref(out), json_decref(expect);
}

static void resolving(void **state)
{
	struct store_search_page page = {.limit = 100};
	struct query *q = NULL;
	size_t count;
	const struct query_field *f = store_alerts_query_fields(&count);
	json_t *list = NULL, *a;
	char id[64];
	int64_t n;

	(void)state;
	seed();
	assert_int_equal(store_alerts_list(&list, pool, NULL, &page), ASEC_OK);
	snprintf(id, sizeof(id), "%s", str(json_array_get(list, 0), "id"));
	json_decref(list);
	assert_int_equal(store_alerts_resolve(pool, id), ASEC_OK);
	a = get_alert(id);
	assert_string_equal(str(a, "state"), "RESOLVED");
	assert_true(str(a, "resolvedAt")[0]);
	json_decref(a);
	assert_int_equal(store_alerts_resolve(pool, id), ASEC_OK); /* again: fine */
	assert_int_equal(store_alerts_resolve(pool, "3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a"), ASEC_ENOTFOUND);
	assert_int_equal(store_alerts_count(&n, pool, NULL), ASEC_OK);
	assert_int_equal(n, 4);

	assert_int_equal(query_parse(&q, "Namespace:shop", f, count), ASEC_OK);
	assert_int_equal(store_alerts_resolve_query(&n, pool, q), ASEC_OK);
	assert_int_equal(n, 3);
	assert_int_equal(store_alerts_resolve_query(&n, pool, q), ASEC_OK);
	assert_int_equal(n, 0);
	query_free(q);
	assert_int_equal(store_alerts_count(&n, pool, NULL), ASEC_OK);
	assert_int_equal(n, 1); /* priv@db */
}

/* Detections of one entity racing: never two ACTIVE alerts for one pair. */
struct racer {
	int index;
	int rc;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct store_alerts_detection d = {.lifecycle_stage = "BUILD", .entity = STORE_ALERT_IMAGE,
					   .entity_key = "r/race:1"};
	char msg[32];

	snprintf(msg, sizeof(msg), "run %d", r->index);
	d.alerts = json_pack("[o]", image_alert("pol-race", "LOW_SEVERITY", "M", "r/race:1", msg, NULL));
	r->rc = store_alerts_record(NULL, pool, &d);
	json_decref(d.alerts);
	return NULL;
}

static void concurrent_detections(void **state)
{
	pthread_t t[8];
	struct racer r[8];
	struct query *q = NULL;
	size_t count;
	const struct query_field *f = store_alerts_query_fields(&count);
	int64_t n;

	(void)state;
	wipe();
	for (int i = 0; i < 8; i++) {
		r[i].index = i;
		assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(r[i].rc, ASEC_OK);
	}
	assert_int_equal(query_parse(&q, "Violation State:*", f, count), ASEC_OK);
	assert_int_equal(store_alerts_count(&n, pool, q), ASEC_OK);
	assert_int_equal(n, 1);
	query_free(q);
}

static void keys(void **state)
{
	char key[STORE_ALERTS_KEY_MAX + 1];
	json_t *dep = deployment("c1", "ns", "web", "x:1"), *img = json_pack("{s:s}", "id", "sha256:ab");
	char *long_name = malloc(STORE_ALERTS_KEY_MAX + 10);

	(void)state;
	assert_int_equal(store_alerts_deployment_key(key, dep), ASEC_OK);
	assert_string_equal(key, "c1/ns/Deployment/web");
	json_object_del(dep, "clusterName");
	assert_int_equal(store_alerts_deployment_key(key, dep), ASEC_OK);
	assert_string_equal(key, "/ns/Deployment/web");
	assert_int_equal(store_alerts_image_key(key, img), ASEC_OK);
	assert_string_equal(key, "sha256:ab");
	memset(long_name, 'a', STORE_ALERTS_KEY_MAX + 5);
	long_name[STORE_ALERTS_KEY_MAX + 5] = '\0';
	json_object_set_new(dep, "name", json_string(long_name));
	assert_int_equal(store_alerts_deployment_key(key, dep), ASEC_EINVALID);
	json_object_del(dep, "name");
	assert_int_equal(store_alerts_deployment_key(key, dep), ASEC_EINVALID);
	free(long_name);
	json_decref(dep);
	json_decref(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keys),
		cmocka_unit_test(lifecycle),
		cmocka_unit_test(get_unknown_and_nul),
		cmocka_unit_test(bad_detections),
		cmocka_unit_test(search),
		cmocka_unit_test(sorting_and_paging),
		cmocka_unit_test(group_counts),
		cmocka_unit_test(resolving),
		cmocka_unit_test(concurrent_detections),
	};
	int skip;

	if ((skip = store_testing_unavailable(0)) >= 0)
		return skip;
	return cmocka_run_group_tests(tests, setup, teardown);
}
