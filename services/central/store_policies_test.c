/*
 * store_policies_test.c - policies and categories in a real PostgreSQL:
 * round trips, uniqueness of ids and of names ignoring case, replace and
 * overwrite, searches, sorts and pages, the change counter, categories
 * created by policies, renamed through them and kept while used, and the
 * default policies' load, refresh and respect of user changes.
 *
 * PostgreSQL comes from ASEC_TEST_DATABASE_URL (skipped without it, exit
 * 77; a failure under CI=true); the test works in a schema of its own so
 * parallel runs do not meet.
 */
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
#include "store_policies.h"
#include "store_testing.h"
#include "testing/testing.h"

static struct db_pool *pool;
static char schema[STORE_TESTING_SCHEMA_MAX];

#define assert_ok(call)                                                       \
	do {                                                                  \
		int rc_ = (call);                                             \
		if (rc_ != ASEC_OK)                                           \
			print_error("%s: %d %s\n", #call, rc_, error_last()); \
		assert_int_equal(rc_, ASEC_OK);                               \
	} while (0)

static int store_setup(void **state)
{
	(void)state;
	return store_testing_open(&pool, schema, "store_policies_test", 2, store_policies_migrate);
}

static int store_teardown(void **state)
{
	(void)state;
	store_testing_close(pool, schema, "store_policies_test");
	return 0;
}

static int wipe(void **state)
{
	static const char *const tables[] = {"policies", "policy_categories", "policy_defaults",
					     "policy_defaults_version", NULL};

	(void)state;
	return store_testing_wipe(pool, tables);
}

/* A policy from literals. */
static json_t *make(const char *id, const char *name, const char *severity, const char *stages_json,
		    const char *categories_json)
{
	json_t *p = json_pack("{s:s, s:s, s:s, s:o, s:o, s:[{s:[{s:s, s:[{s:s}]}]}]}", "id", id, "name", name,
			      "severity", severity, "lifecycleStages", json_loads(stages_json, 0, NULL), "categories",
			      json_loads(categories_json, 0, NULL), "policySections", "policyGroups", "fieldName",
			      "Image Tag", "values", "value", "latest");

	assert_non_null(p);
	return p;
}

static void put(const json_t *p, enum store_policy_write how)
{
	assert_ok(store_policies_put(NULL, pool, p, how));
}

static int64_t generation(void)
{
	int64_t n = 0;

	assert_ok(store_policies_generation(&n, pool));
	return n;
}

/* The ids of a list page, joined with ','. */
static void ids_of(char *out, size_t size, const json_t *list)
{
	size_t i, used = 0;
	json_t *v;

	out[0] = '\0';
	json_array_foreach(list, i, v) {
		used += (size_t)snprintf(out + used, size - used, "%s%s", i ? "," : "",
					 json_string_value(json_object_get(v, "id")));
		assert_true(used < size);
	}
}

static void list_ids(char *out, size_t size, const char *query, const char *sort, int reversed, size_t limit,
		     size_t offset)
{
	size_t count;
	const struct query_field *fields = store_policies_query_fields(&count);
	struct query *q = NULL;
	struct store_search_page page = {limit, offset, sort, reversed};
	json_t *list = NULL;

	assert_ok(query_parse(&q, query, fields, count));
	assert_ok(store_policies_list(&list, pool, q, &page));
	ids_of(out, size, list);
	json_decref(list);
	query_free(q);
}

static void test_round_trip_and_uniqueness(void **state)
{
	json_t *a = make("a1", "Latest Tag", "LOW_SEVERITY", "[\"BUILD\",\"DEPLOY\"]", "[\"DevOps Best Practices\"]");
	json_t *b = make("b1", "latest tag", "HIGH_SEVERITY", "[\"DEPLOY\"]", "[\"Security Best Practices\"]");
	json_t *got = NULL;
	enum store_policy_conflict conflict;
	int64_t g0 = generation();

	(void)state;
	json_object_set_new(a, "SORTName", json_string("Latest Tag"));
	json_object_set_new(a, "lastUpdated", json_string("2001-01-01T00:00:00Z"));
	put(a, STORE_POLICY_CREATE);
	assert_true(generation() > g0);
	assert_ok(store_policies_get(&got, pool, "a1"));
	assert_string_equal(json_string_value(json_object_get(got, "name")), "Latest Tag");
	assert_null(json_object_get(got, "SORTName"));
	/* lastUpdated is the row's, not what was sent */
	assert_non_null(json_object_get(got, "lastUpdated"));
	assert_string_not_equal(json_string_value(json_object_get(got, "lastUpdated")), "2001-01-01T00:00:00Z");
	json_object_del(got, "lastUpdated");
	json_object_del(a, "lastUpdated");
	json_object_del(a, "SORTName");
	assert_true(json_equal(got, a));
	json_decref(got);

	/* the same id, and the same name in another case, are taken */
	assert_int_equal(store_policies_put(&conflict, pool, a, STORE_POLICY_CREATE), ASEC_EEXISTS);
	assert_int_equal(conflict, STORE_POLICY_CONFLICT_ID);
	assert_int_equal(store_policies_put(&conflict, pool, b, STORE_POLICY_CREATE), ASEC_EEXISTS);
	assert_int_equal(conflict, STORE_POLICY_CONFLICT_NAME);
	assert_non_null(strstr(error_last(), "latest tag"));
	assert_int_equal(store_policies_get(&got, pool, "b1"), ASEC_ENOTFOUND);

	/* replace: unknown id, another's name, then a real change */
	assert_int_equal(store_policies_put(&conflict, pool, b, STORE_POLICY_REPLACE), ASEC_ENOTFOUND);
	json_object_set_new(b, "name", json_string("Other"));
	put(b, STORE_POLICY_CREATE);
	json_object_set_new(b, "name", json_string("LATEST TAG"));
	assert_int_equal(store_policies_put(&conflict, pool, b, STORE_POLICY_REPLACE), ASEC_EEXISTS);
	assert_int_equal(conflict, STORE_POLICY_CONFLICT_NAME);
	json_object_set_new(b, "name", json_string("Other renamed"));
	put(b, STORE_POLICY_REPLACE);
	assert_ok(store_policies_get(&got, pool, "b1"));
	assert_string_equal(json_string_value(json_object_get(got, "name")), "Other renamed");
	json_decref(got);

	/* overwrite: takes a1's name, so a1 goes; the id c1 is new */
	json_t *c = make("c1", "latest TAG", "MEDIUM_SEVERITY", "[\"BUILD\"]", "[\"X\"]");
	put(c, STORE_POLICY_OVERWRITE);
	assert_int_equal(store_policies_get(&got, pool, "a1"), ASEC_ENOTFOUND);
	/* overwrite of an existing id replaces it */
	json_object_set_new(c, "severity", json_string("CRITICAL_SEVERITY"));
	put(c, STORE_POLICY_OVERWRITE);
	assert_ok(store_policies_get(&got, pool, "c1"));
	assert_string_equal(json_string_value(json_object_get(got, "severity")), "CRITICAL_SEVERITY");
	json_decref(got);

	/* no id, and NUL inside a name, are refused before SQL */
	json_object_del(c, "id");
	assert_int_equal(store_policies_put(NULL, pool, c, STORE_POLICY_CREATE), ASEC_EINVALID);
	json_object_set_new(c, "id", json_string("d1"));
	json_object_set_new(c, "name", json_stringn("a\0b", 3));
	assert_int_equal(store_policies_put(NULL, pool, c, STORE_POLICY_CREATE), ASEC_EINVALID);
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

static void test_list_query_sort_page(void **state)
{
	char ids[256];
	json_t *p;
	size_t count;
	const struct query_field *fields = store_policies_query_fields(&count);
	struct query *q = NULL;
	struct store_search_page page = {10, 0, "CVE", 0};
	json_t *list = NULL;

	(void)state;
	p = make("p1", "Alpha", "HIGH_SEVERITY", "[\"BUILD\"]", "[\"Vulnerability Management\"]");
	json_object_set_new(p, "enforcementActions", json_pack("[s]", "FAIL_BUILD_ENFORCEMENT"));
	put(p, STORE_POLICY_CREATE);
	json_decref(p);
	p = make("p2", "bravo", "LOW_SEVERITY", "[\"DEPLOY\",\"BUILD\"]", "[\"DevOps \\\"Best\\\" Practices\", \"a,b\"]");
	json_object_set_new(p, "disabled", json_true());
	put(p, STORE_POLICY_CREATE);
	json_decref(p);
	p = make("p3", "Charlie", "CRITICAL_SEVERITY", "[\"RUNTIME\"]", "[\"Vulnerability Management\"]");
	json_object_set_new(p, "eventSource", json_string("DEPLOYMENT_EVENT"));
	json_object_set_new(p, "description", json_string("shell spawned"));
	put(p, STORE_POLICY_CREATE);
	json_decref(p);

	list_ids(ids, sizeof(ids), "", NULL, 0, 10, 0);
	assert_string_equal(ids, "p1,p2,p3"); /* by name ignoring case */
	list_ids(ids, sizeof(ids), "", "Severity", 0, 10, 0);
	assert_string_equal(ids, "p2,p1,p3");
	list_ids(ids, sizeof(ids), "", "severity", 1, 2, 1);
	assert_string_equal(ids, "p1,p2");
	list_ids(ids, sizeof(ids), "Lifecycle Stage:BUILD", NULL, 0, 10, 0);
	assert_string_equal(ids, "p1,p2");
	list_ids(ids, sizeof(ids), "Category:\"vulnerability management\"", NULL, 0, 10, 0);
	assert_string_equal(ids, "p1,p3");
	/* the quote and the comma inside a category survive the array literal */
	list_ids(ids, sizeof(ids), "Category:r/Best", NULL, 0, 10, 0);
	assert_string_equal(ids, "p2");
	list_ids(ids, sizeof(ids), "Category:\"a,b\"", NULL, 0, 10, 0);
	assert_string_equal(ids, "p2");
	list_ids(ids, sizeof(ids), "Disabled:true", NULL, 0, 10, 0);
	assert_string_equal(ids, "p2");
	list_ids(ids, sizeof(ids), "Enforcement:true", NULL, 0, 10, 0);
	assert_string_equal(ids, "p1");
	list_ids(ids, sizeof(ids), "Severity:>=high+Event Source:DEPLOYMENT_EVENT", NULL, 0, 10, 0);
	assert_string_equal(ids, "p3");
	list_ids(ids, sizeof(ids), "Description:shell", NULL, 0, 10, 0);
	assert_string_equal(ids, "p3");

	/* the ListPolicy shape, with defaults for members the document lacks */
	assert_ok(query_parse(&q, "Policy ID:\"p3\"", fields, count));
	page.sort_field = NULL;
	assert_ok(store_policies_list(&list, pool, q, &page));
	assert_int_equal(json_array_size(list), 1);
	p = json_array_get(list, 0);
	assert_string_equal(json_string_value(json_object_get(p, "eventSource")), "DEPLOYMENT_EVENT");
	assert_true(json_is_array(json_object_get(p, "notifiers")));
	assert_true(json_is_false(json_object_get(p, "disabled")));
	assert_true(json_is_false(json_object_get(p, "isDefault")));
	assert_non_null(json_object_get(p, "lastUpdated"));
	assert_null(json_object_get(p, "policySections"));
	json_decref(list);
	page.sort_field = "CVE";
	assert_int_equal(store_policies_list(&list, pool, q, &page), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "Severity"));
	page.sort_field = NULL;
	page.limit = 0;
	assert_int_equal(store_policies_list(&list, pool, q, &page), ASEC_EINVALID);
	query_free(q);

	assert_ok(store_policies_all(&list, pool));
	assert_int_equal(json_array_size(list), 3);
	assert_non_null(json_object_get(json_array_get(list, 0), "policySections"));
	json_decref(list);
}

static void test_disable_delete_generation(void **state)
{
	json_t *p = make("x1", "X", "LOW_SEVERITY", "[\"BUILD\"]", "[\"C\"]"), *got = NULL;
	int64_t g;
	char ids[64];

	(void)state;
	put(p, STORE_POLICY_CREATE);
	g = generation();
	assert_ok(store_policies_set_disabled(pool, "x1", 1));
	assert_true(generation() > g);
	assert_ok(store_policies_get(&got, pool, "x1"));
	assert_true(json_is_true(json_object_get(got, "disabled")));
	json_decref(got);
	list_ids(ids, sizeof(ids), "Disabled:true", NULL, 0, 10, 0);
	assert_string_equal(ids, "x1");
	assert_int_equal(store_policies_set_disabled(pool, "nope", 1), ASEC_ENOTFOUND);

	g = generation();
	assert_ok(store_policies_delete(pool, "x1"));
	assert_true(generation() > g);
	assert_int_equal(store_policies_delete(pool, "x1"), ASEC_ENOTFOUND);

	json_object_set_new(p, "isDefault", json_true());
	put(p, STORE_POLICY_CREATE);
	assert_int_equal(store_policies_delete(pool, "x1"), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "default"));

	/* an import with overwrite neither replaces nor deletes a default */
	json_t *q = make("x1", "Y", "LOW_SEVERITY", "[\"BUILD\"]", "[\"C\"]");
	enum store_policy_conflict conflict;
	assert_int_equal(store_policies_put(&conflict, pool, q, STORE_POLICY_OVERWRITE), ASEC_EEXISTS);
	assert_int_equal(conflict, STORE_POLICY_CONFLICT_ID);
	json_object_set_new(q, "id", json_string("x2"));
	json_object_set_new(q, "name", json_string("x"));
	assert_int_equal(store_policies_put(&conflict, pool, q, STORE_POLICY_OVERWRITE), ASEC_EEXISTS);
	assert_int_equal(conflict, STORE_POLICY_CONFLICT_NAME);
	json_decref(q);
	json_decref(p);
}

/* The id of the category named name in the list, or NULL. */
static const char *category_id(const json_t *list, const char *name, int *is_default)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v) {
		if (strcmp(json_string_value(json_object_get(v, "name")), name) == 0) {
			*is_default = json_is_true(json_object_get(v, "isDefault"));
			return json_string_value(json_object_get(v, "id"));
		}
	}
	return NULL;
}

static void test_categories(void **state)
{
	json_t *p = make("k1", "K", "LOW_SEVERITY", "[\"BUILD\"]", "[\"Team A\", \"Shared\"]");
	json_t *list = NULL, *cat = NULL, *got = NULL;
	const char *id;
	char team[40], empty[40];
	int def = -1;

	(void)state;
	put(p, STORE_POLICY_CREATE);
	assert_ok(store_policy_categories_list(&list, pool));
	assert_int_equal(json_array_size(list), 2);
	assert_non_null(id = category_id(list, "Team A", &def));
	assert_int_equal(def, 0);
	snprintf(team, sizeof(team), "%s", id);
	json_decref(list);

	assert_int_equal(store_policy_categories_create(&cat, pool, "  team a "), ASEC_EEXISTS);
	assert_int_equal(store_policy_categories_create(&cat, pool, "   "), ASEC_EINVALID);
	assert_ok(store_policy_categories_create(&cat, pool, " Empty "));
	assert_string_equal(json_string_value(json_object_get(cat, "name")), "Empty");
	snprintf(empty, sizeof(empty), "%s", json_string_value(json_object_get(cat, "id")));
	json_decref(cat);
	assert_ok(store_policy_categories_get(&cat, pool, empty));
	json_decref(cat);

	/* a rename reaches the policies that name it, in their own case */
	assert_int_equal(store_policy_categories_rename(&cat, pool, team, "shared"), ASEC_EEXISTS);
	assert_ok(store_policy_categories_rename(&cat, pool, team, "Team B"));
	assert_string_equal(json_string_value(json_object_get(cat, "name")), "Team B");
	json_decref(cat);
	assert_ok(store_policies_get(&got, pool, "k1"));
	assert_string_equal(json_string_value(json_array_get(json_object_get(got, "categories"), 0)), "Team B");
	json_decref(got);
	char ids[32];
	list_ids(ids, sizeof(ids), "Category:\"Team B\"", NULL, 0, 10, 0);
	assert_string_equal(ids, "k1");

	/* in use: kept; unused: deleted */
	assert_int_equal(store_policy_categories_delete(pool, team), ASEC_ECONFLICT);
	assert_non_null(strstr(error_last(), "1 policy"));
	assert_ok(store_policy_categories_delete(pool, empty));
	assert_int_equal(store_policy_categories_get(&cat, pool, empty), ASEC_ENOTFOUND);
	assert_int_equal(store_policy_categories_delete(pool, empty), ASEC_ENOTFOUND);
	json_decref(p);
}

static void test_defaults(void **state)
{
	json_t *d1 = make("def-1", "Default One", "LOW_SEVERITY", "[\"BUILD\"]", "[\"Shipped\"]");
	json_t *d2 = make("def-2", "Default Two", "HIGH_SEVERITY", "[\"DEPLOY\"]", "[\"Shipped\"]");
	json_t *d3 = make("def-3", "Default Three", "HIGH_SEVERITY", "[\"DEPLOY\"]", "[\"Shipped\"]");
	json_t *mine = make("mine", "default three", "LOW_SEVERITY", "[\"BUILD\"]", "[\"Mine\"]");
	json_t *list = NULL, *got = NULL;
	const json_t *set[3];
	struct store_policies_defaults_result r;
	int def = 0;

	(void)state;
	json_object_set_new(d1, "isDefault", json_true());
	json_object_set_new(d2, "isDefault", json_true());
	json_object_set_new(d3, "isDefault", json_true());
	set[0] = d1;
	set[1] = d2;
	assert_ok(store_policies_defaults_apply(&r, pool, "v1", set, 2));
	assert_int_equal(r.added, 2);
	assert_ok(store_policy_categories_list(&list, pool));
	assert_non_null(category_id(list, "Shipped", &def));
	assert_int_equal(def, 1);
	json_decref(list);

	/* the same version again: nothing read or written, even though one is gone */
	assert_ok(store_policies_set_disabled(pool, "def-2", 1)); /* a user's change */
	assert_ok(store_policies_defaults_apply(&r, pool, "v1", set, 2));
	assert_int_equal(r.added + r.refreshed + r.kept, 0);

	/* v2: both texts changed, a third added; the user's name clash wins */
	put(mine, STORE_POLICY_CREATE);
	json_object_set_new(d1, "description", json_string("v2 text"));
	json_object_set_new(d2, "description", json_string("v2 text"));
	set[2] = d3;
	assert_ok(store_policies_defaults_apply(&r, pool, "v2", set, 3));
	assert_int_equal(r.added, 0);
	assert_int_equal(r.refreshed, 1); /* def-1 */
	assert_int_equal(r.kept, 2);      /* def-2 changed by the user; def-3's name taken */
	assert_ok(store_policies_get(&got, pool, "def-1"));
	assert_string_equal(json_string_value(json_object_get(got, "description")), "v2 text");
	json_decref(got);
	assert_ok(store_policies_get(&got, pool, "def-2"));
	assert_null(json_object_get(got, "description"));
	assert_true(json_is_true(json_object_get(got, "disabled")));
	json_decref(got);
	assert_int_equal(store_policies_get(&got, pool, "def-3"), ASEC_ENOTFOUND);

	/* v3: the user's clash is gone, but def-3 was recorded: not brought back */
	assert_ok(store_policies_delete(pool, "mine"));
	json_object_set_new(d1, "description", json_string("v3 text"));
	assert_ok(store_policies_defaults_apply(&r, pool, "v3", set, 3));
	assert_int_equal(r.added, 0);
	assert_int_equal(r.refreshed, 1);
	assert_int_equal(store_policies_get(&got, pool, "def-3"), ASEC_ENOTFOUND);
	json_decref(d1);
	json_decref(d2);
	json_decref(d3);
	json_decref(mine);
}

int main(void)
{
	const struct CMUnitTest db[] = {
		cmocka_unit_test_setup(test_round_trip_and_uniqueness, wipe),
		cmocka_unit_test_setup(test_list_query_sort_page, wipe),
		cmocka_unit_test_setup(test_disable_delete_generation, wipe),
		cmocka_unit_test_setup(test_categories, wipe),
		cmocka_unit_test_setup(test_defaults, wipe),
	};
	int skip;

	if ((skip = store_testing_unavailable(0)) >= 0)
		return skip;
	return cmocka_run_group_tests(db, store_setup, store_teardown);
}
