/*
 * default_policies_test.c - every policy central ships validates, with
 * unique ids and names; the set's version follows its content; a broken
 * file is refused by name. With ASEC_TEST_DATABASE_URL, loading into a
 * fresh schema stores every default once and a second start changes
 * nothing.
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

#include "default_policies.h"
#include "error/error.h"
#include "testing/testing.h"

#define assert_ok(call)                                                       \
	do {                                                                  \
		int rc_ = (call);                                             \
		if (rc_ != ASEC_OK)                                           \
			print_error("%s: %d %s\n", #call, rc_, error_last()); \
		assert_int_equal(rc_, ASEC_OK);                               \
	} while (0)

static void test_embedded_defaults_validate(void **state)
{
	char version[DEFAULT_POLICIES_VERSION_LEN];
	json_t *list = NULL, *p;
	size_t i;

	(void)state;
	assert_true(central_default_policy_files_count > 0);
	assert_ok(default_policies_prepare(&list, version, central_default_policy_files,
					   central_default_policy_files_count));
	assert_int_equal(json_array_size(list), central_default_policy_files_count);
	json_array_foreach(list, i, p) {
		assert_true(json_is_true(json_object_get(p, "isDefault")));
		assert_non_null(json_string_value(json_object_get(p, "id")));
		assert_true(json_array_size(json_object_get(p, "categories")) > 0);
	}
	assert_int_equal(strncmp(version, "fnv1a64:", 8), 0);
	json_decref(list);
}

static const char good[] =
	"{\"id\":\"t-1\",\"name\":\"Test latest tag\",\"severity\":\"LOW_SEVERITY\",\"categories\":[\"T\"],"
	"\"lifecycleStages\":[\"BUILD\"],\"policySections\":[{\"policyGroups\":[{\"fieldName\":\"Image Tag\","
	"\"values\":[{\"value\":\"latest\"}]}]}]}";

static void test_version_and_refusals(void **state)
{
	char v1[DEFAULT_POLICIES_VERSION_LEN], v2[DEFAULT_POLICIES_VERSION_LEN];
	char other[sizeof(good) + 8];
	json_t *list = NULL;
	struct asec_embedded_file files[2] = {{"a.json", good, sizeof(good) - 1}, {"b.json", good, sizeof(good) - 1}};

	(void)state;
	assert_ok(default_policies_prepare(&list, v1, files, 1));
	json_decref(list);
	assert_ok(default_policies_prepare(&list, v2, files, 1));
	json_decref(list);
	assert_string_equal(v1, v2);

	/* the same id twice */
	assert_int_equal(default_policies_prepare(&list, v2, files, 2), ASEC_EINVALID);
	assert_null(list);
	assert_non_null(strstr(error_last(), "b.json"));

	/* another id, the same name in another case */
	snprintf(other, sizeof(other), "%s", good);
	memcpy(strstr(other, "t-1"), "t-2", 3);
	memcpy(strstr(other, "Test latest"), "TEST LATEST", 11);
	files[1].data = other;
	files[1].len = strlen(other);
	assert_int_equal(default_policies_prepare(&list, v2, files, 2), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "name"));

	/* one byte changed: a new version */
	memcpy(strstr(other, "TEST LATEST"), "Test Latest", 11);
	files[0] = files[1];
	assert_ok(default_policies_prepare(&list, v2, files, 1));
	json_decref(list);
	assert_string_not_equal(v1, v2);

	/* not JSON, and not a valid policy: refused naming the file */
	files[0].name = "broken.json";
	files[0].data = "{\"id\":";
	files[0].len = 6;
	assert_int_equal(default_policies_prepare(&list, v2, files, 1), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "broken.json"));
	files[0].name = "invalid.json";
	files[0].data = "{\"id\":\"x\",\"name\":\"No stages here\",\"severity\":\"LOW_SEVERITY\",\"categories\":[\"T\"]}";
	files[0].len = strlen(files[0].data);
	assert_int_equal(default_policies_prepare(&list, v2, files, 1), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "invalid.json"));
}

static void test_load_into_db(void **state)
{
	const char *base = getenv("ASEC_TEST_DATABASE_URL");
	struct db_pool_options o = {.application_name = "default_policies_test", .max_connections = 2};
	struct store_policies_defaults_result r;
	struct db_pool *admin = NULL, *pool = NULL;
	char schema[80], sql[160], *url = NULL;
	PGresult *res = NULL;
	json_t *all = NULL;

	(void)state;
	if (!base || !base[0]) {
		if (testing_in_ci())
			fail_msg("ASEC_TEST_DATABASE_URL is not set");
		skip();
	}
	snprintf(schema, sizeof(schema), "default_policies_test_%ld_%ld", (long)getpid(), (long)time(NULL));
	o.conninfo = base;
	assert_ok(db_pool_open(&admin, &o));
	snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", schema);
	assert_ok(db_query(&res, admin, sql, 0, NULL));
	PQclear(res);
	assert_true(asprintf(&url, "%s%soptions=-csearch_path%%3D%s", base, strchr(base, '?') ? "&" : "?", schema) > 0);
	o.conninfo = url;
	assert_ok(db_pool_open(&pool, &o));
	assert_ok(store_policies_migrate(pool));
	assert_ok(default_policies_load(&r, pool));
	assert_int_equal(r.added, central_default_policy_files_count);
	assert_ok(default_policies_load(&r, pool));
	assert_int_equal(r.added + r.refreshed + r.kept, 0);
	assert_ok(store_policies_all(&all, pool));
	assert_int_equal(json_array_size(all), central_default_policy_files_count);
	json_decref(all);
	db_pool_close(pool);
	snprintf(sql, sizeof(sql), "DROP SCHEMA %s CASCADE", schema);
	assert_ok(db_query(&res, admin, sql, 0, NULL));
	PQclear(res);
	db_pool_close(admin);
	free(url);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_embedded_defaults_validate),
		cmocka_unit_test(test_version_and_refusals),
		cmocka_unit_test(test_load_into_db),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
