/*
 * store_integrations_test.c - image integrations in a real PostgreSQL:
 * round trips, the password column never holding the clear text, sealed
 * values bound to their row and key, names unique, replace keeping the
 * password, and the scan path's lookup by registry. Endpoint parsing runs
 * without a database.
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
#include "store_integrations.h"
#include "store_testing.h"
#include "testing/testing.h"

static struct db_pool *pool;
static char schema[STORE_TESTING_SCHEMA_MAX];
static struct secretbox_key key, other_key;

#define assert_ok(call)                                                       \
	do {                                                                  \
		int rc_ = (call);                                             \
		if (rc_ != ASEC_OK)                                           \
			print_error("%s: %d %s\n", #call, rc_, error_last()); \
		assert_int_equal(rc_, ASEC_OK);                               \
	} while (0)

static void test_endpoint_parse(void **state)
{
	static const struct {
		const char *endpoint, *domain;
		enum registry_scheme scheme;
	} good[] = {
		{"quay.io", "quay.io", REGISTRY_SCHEME_DEFAULT},
		{"Quay.IO/", "quay.io", REGISTRY_SCHEME_DEFAULT},
		{"127.0.0.1:5000", "127.0.0.1:5000", REGISTRY_SCHEME_DEFAULT},
		{"http://127.0.0.1:5000", "127.0.0.1:5000", REGISTRY_SCHEME_HTTP},
		{"HTTPS://registry.example.com:8443/v2/", "registry.example.com:8443", REGISTRY_SCHEME_HTTPS},
		{"https://index.docker.io", "docker.io", REGISTRY_SCHEME_HTTPS},
		{"https://registry-1.docker.io/", "docker.io", REGISTRY_SCHEME_HTTPS},
		{"docker.io", "docker.io", REGISTRY_SCHEME_DEFAULT},
		{"localhost:5000", "localhost:5000", REGISTRY_SCHEME_DEFAULT},
		{"[::1]:5000", "[::1]:5000", REGISTRY_SCHEME_DEFAULT},
	};
	static const char *bad[] = {"", "ftp://host", "https://", "host/ns/app", "http://host:5000/v2/x", "a b",
				    "host:port", "https:///v2"};
	char *domain = NULL;
	enum registry_scheme scheme;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_ok(store_integration_endpoint_parse(&domain, &scheme, good[i].endpoint));
		assert_string_equal(domain, good[i].domain);
		assert_int_equal(scheme, good[i].scheme);
		free(domain);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(store_integration_endpoint_parse(&domain, &scheme, bad[i]), ASEC_EINVALID);
		assert_null(domain);
		assert_non_null(strstr(error_last(), "endpoint"));
	}
	assert_int_equal(store_integration_endpoint_parse(&domain, &scheme, NULL), ASEC_EINVALID);
}

/* ---- with PostgreSQL ---- */

static int store_setup(void **state)
{
	unsigned char bytes[SECRETBOX_KEY_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = (unsigned char)(0xa0 + i);
	if (secretbox_key_from_bytes(&key, bytes, sizeof(bytes)))
		return -1;
	bytes[0] ^= 1;
	if (secretbox_key_from_bytes(&other_key, bytes, sizeof(bytes)))
		return -1;
	return store_testing_open(&pool, schema, "store_integrations_test", 2, store_integrations_migrate);
}

static int store_teardown(void **state)
{
	(void)state;
	store_testing_close(pool, schema, "store_integrations_test");
	return 0;
}

static int wipe(void **state)
{
	static const char *const tables[] = {"image_integrations", NULL};

	(void)state;
	return store_testing_wipe(pool, tables);
}

/* An integration built from literals; the strings are the caller's. */
static struct store_integration make(const char *name, const char *endpoint, const char *user, const char *pass)
{
	struct store_integration it = {0};

	it.name = strdup(name);
	it.type = strdup("docker");
	it.endpoint = strdup(endpoint);
	it.username = user ? strdup(user) : NULL;
	it.password = pass ? strdup(pass) : NULL;
	return it;
}

/* The raw password column of id; NULL for SQL NULL (free() it). */
static char *raw_password(const char *id)
{
	const char *params[1] = {id};
	PGresult *res = NULL;
	const char *v = NULL;
	char *copy;

	assert_ok(db_query(&res, pool, "SELECT password_sealed FROM image_integrations WHERE id = $1", 1, params));
	assert_int_equal(PQntuples(res), 1);
	assert_ok(db_get_text(&v, res, 0, "password_sealed"));
	copy = v ? strdup(v) : NULL;
	PQclear(res);
	return copy;
}

static void test_round_trip(void **state)
{
	struct store_integration it = make("local registry", "http://127.0.0.1:5000", "ci", "s3cret-pw"), got;
	char *raw;

	(void)state;
	it.insecure = 1;
	it.cluster_id = strdup("cluster-1");
	it.skip_test = 1;
	assert_ok(store_integrations_put(pool, &key, &it, 0));
	assert_int_equal(strlen(it.id), 36);
	assert_string_equal(it.registry, "127.0.0.1:5000");

	/* without the password */
	assert_ok(store_integrations_get(&got, pool, &key, it.id, 0));
	assert_string_equal(got.id, it.id);
	assert_string_equal(got.name, "local registry");
	assert_string_equal(got.type, "docker");
	assert_string_equal(got.endpoint, "http://127.0.0.1:5000");
	assert_string_equal(got.registry, "127.0.0.1:5000");
	assert_string_equal(got.username, "ci");
	assert_null(got.password);
	assert_true(got.has_password);
	assert_true(got.insecure);
	assert_false(got.autogenerated);
	assert_string_equal(got.cluster_id, "cluster-1");
	assert_true(got.skip_test);
	store_integration_clear(&got);

	/* with it */
	assert_ok(store_integrations_get(&got, pool, &key, it.id, 1));
	assert_string_equal(got.password, "s3cret-pw");
	store_integration_clear(&got);

	/* the column holds a sealed value, never the clear text */
	raw = raw_password(it.id);
	assert_non_null(raw);
	assert_null(strstr(raw, "s3cret"));
	assert_int_equal(strncmp(raw, "v1:", 3), 0);
	assert_memory_equal(raw + 3, key.id, SECRETBOX_KEY_ID_LEN);
	free(raw);

	/* unknown and malformed ids */
	assert_int_equal(store_integrations_get(&got, pool, &key, "00000000-0000-4000-8000-000000000000", 0),
			 ASEC_ENOTFOUND);
	assert_int_equal(store_integrations_get(&got, pool, &key, "nope", 0), ASEC_ENOTFOUND);

	/* no password at all: NULL column, "" when asked */
	store_integration_clear(&it);
	it = make("anonymous", "quay.io", NULL, NULL);
	assert_ok(store_integrations_put(pool, &key, &it, 0));
	raw = raw_password(it.id);
	assert_null(raw);
	assert_ok(store_integrations_get(&got, pool, &key, it.id, 1));
	assert_false(got.has_password);
	assert_string_equal(got.password, "");
	assert_string_equal(got.username, "");
	store_integration_clear(&got);
	store_integration_clear(&it);
}

static void test_sealed_value_bound_to_row_and_key(void **state)
{
	struct store_integration a = make("a", "quay.io", "u", "password-of-a"), b = make("b", "ghcr.io", "u", "pw-b");
	struct store_integration got;
	const char *params[2];
	PGresult *res = NULL;
	char *raw;

	(void)state;
	assert_ok(store_integrations_put(pool, &key, &a, 0));
	assert_ok(store_integrations_put(pool, &key, &b, 0));

	/* a wrong key: ASEC_EAUTH, naming the keys */
	assert_int_equal(store_integrations_get(&got, pool, &other_key, a.id, 1), ASEC_EAUTH);
	assert_non_null(strstr(error_last(), key.id));
	assert_null(got.password);
	/* without the password, no key is needed */
	assert_ok(store_integrations_get(&got, pool, &other_key, a.id, 0));
	store_integration_clear(&got);

	/* a's sealed password copied into b's row does not open there */
	raw = raw_password(a.id);
	params[0] = raw;
	params[1] = b.id;
	assert_ok(db_query(&res, pool, "UPDATE image_integrations SET password_sealed = $1 WHERE id = $2", 2, params));
	PQclear(res);
	assert_int_equal(store_integrations_get(&got, pool, &key, b.id, 1), ASEC_EAUTH);
	assert_null(strstr(error_last(), "password-of-a"));
	assert_int_equal(store_integrations_for_registry(&got, pool, &key, "ghcr.io"), ASEC_EAUTH);
	/* nor does clear text someone wrote into the column */
	params[0] = "password-of-a";
	assert_ok(db_query(&res, pool, "UPDATE image_integrations SET password_sealed = $1 WHERE id = $2", 2, params));
	PQclear(res);
	assert_int_equal(store_integrations_get(&got, pool, &key, b.id, 1), ASEC_EAUTH);
	free(raw);
	store_integration_clear(&a);
	store_integration_clear(&b);
}

static void test_names_unique_and_replace(void **state)
{
	struct store_integration a = make("prod", "quay.io", "u1", "first-pw"), b = make("prod", "ghcr.io", NULL, NULL);
	struct store_integration got, ghost;
	char *raw_before, *raw_after;

	(void)state;
	assert_ok(store_integrations_put(pool, &key, &a, 0));
	assert_int_equal(store_integrations_put(pool, &key, &b, 0), ASEC_EEXISTS);
	assert_non_null(strstr(error_last(), "prod"));
	assert_string_equal(b.id, ""); /* no id was kept for what was not stored */

	/* Replace with no password given: everything else changes, the
	 * password stays exactly as sealed. */
	raw_before = raw_password(a.id);
	free(a.endpoint);
	a.endpoint = strdup("https://Quay.io:443");
	free(a.username);
	a.username = strdup("u2");
	a.insecure = 1;
	free(a.password);
	a.password = NULL;
	assert_ok(store_integrations_put(pool, &key, &a, 1));
	raw_after = raw_password(a.id);
	assert_string_equal(raw_before, raw_after);
	free(raw_after);
	assert_ok(store_integrations_get(&got, pool, &key, a.id, 1));
	assert_string_equal(got.password, "first-pw");
	assert_string_equal(got.username, "u2");
	assert_string_equal(got.registry, "quay.io:443");
	assert_true(got.insecure);
	store_integration_clear(&got);

	/* Replace with a new password: resealed, fresh nonce. */
	a.password = strdup("second-pw");
	assert_ok(store_integrations_put(pool, &key, &a, 1));
	raw_after = raw_password(a.id);
	assert_string_not_equal(raw_before, raw_after);
	free(raw_after);
	assert_ok(store_integrations_get(&got, pool, &key, a.id, 1));
	assert_string_equal(got.password, "second-pw");
	store_integration_clear(&got);
	free(raw_before);

	/* Renaming onto another's name, replacing an unknown id. */
	free(b.name);
	b.name = strdup("other");
	assert_ok(store_integrations_put(pool, &key, &b, 0));
	free(b.name);
	b.name = strdup("prod");
	assert_int_equal(store_integrations_put(pool, &key, &b, 1), ASEC_EEXISTS);
	ghost = make("ghost", "quay.io", NULL, NULL);
	memcpy(ghost.id, "00000000-0000-4000-8000-000000000000", 37);
	assert_int_equal(store_integrations_put(pool, &key, &ghost, 1), ASEC_ENOTFOUND);
	ghost.id[0] = '\0';
	assert_int_equal(store_integrations_put(pool, &key, &ghost, 1), ASEC_EINVALID);
	free(ghost.endpoint);
	ghost.endpoint = strdup("quay.io/ns/app");
	assert_int_equal(store_integrations_put(pool, &key, &ghost, 0), ASEC_EINVALID);

	/* Delete, then it is gone. */
	assert_ok(store_integrations_delete(pool, b.id));
	assert_int_equal(store_integrations_delete(pool, b.id), ASEC_ENOTFOUND);
	assert_int_equal(store_integrations_get(&got, pool, &key, b.id, 0), ASEC_ENOTFOUND);
	assert_int_equal(store_integrations_delete(pool, "not-an-id"), ASEC_ENOTFOUND);
	store_integration_clear(&a);
	store_integration_clear(&b);
	store_integration_clear(&ghost);
}

static void test_list(void **state)
{
	const char *names[] = {"zeta", "alpha", "mid"};
	struct store_integration *list = NULL;
	size_t count = 0;

	(void)state;
	assert_ok(store_integrations_list(&list, &count, pool));
	assert_int_equal(count, 0);
	for (size_t i = 0; i < 3; i++) {
		struct store_integration it = make(names[i], "quay.io", "u", i == 1 ? "pw" : NULL);

		assert_ok(store_integrations_put(pool, &key, &it, 0));
		store_integration_clear(&it);
	}
	assert_ok(store_integrations_list(&list, &count, pool));
	assert_int_equal(count, 3);
	assert_string_equal(list[0].name, "alpha");
	assert_string_equal(list[1].name, "mid");
	assert_string_equal(list[2].name, "zeta");
	assert_true(list[0].has_password);
	assert_false(list[1].has_password);
	for (size_t i = 0; i < count; i++)
		assert_null(list[i].password);
	store_integrations_list_free(list, count);
}

static void test_for_registry(void **state)
{
	struct store_integration hub = make("hub", "https://registry-1.docker.io", "hubuser", "hub-pw");
	struct store_integration older = make("older", "http://127.0.0.1:5000", "first", "pw-1");
	struct store_integration newer = make("newer", "127.0.0.1:5000/", "second", "pw-2");
	struct store_integration port = make("port", "127.0.0.1:5001", "third", "pw-3");
	struct store_integration got;

	(void)state;
	assert_ok(store_integrations_put(pool, &key, &hub, 0));
	assert_ok(store_integrations_put(pool, &key, &older, 0));
	assert_ok(store_integrations_put(pool, &key, &newer, 0));
	assert_ok(store_integrations_put(pool, &key, &port, 0));

	/* docker.io: the Hub's API host and index.docker.io fold into it */
	assert_ok(store_integrations_for_registry(&got, pool, &key, "docker.io"));
	assert_string_equal(got.id, hub.id);
	assert_string_equal(got.password, "hub-pw");
	store_integration_clear(&got);
	assert_ok(store_integrations_for_registry(&got, pool, &key, "Index.Docker.IO"));
	assert_string_equal(got.id, hub.id);
	store_integration_clear(&got);

	/* the scheme is ignored, the port is not; the oldest of equals wins */
	assert_ok(store_integrations_for_registry(&got, pool, &key, "127.0.0.1:5000"));
	assert_string_equal(got.id, older.id);
	assert_string_equal(got.username, "first");
	assert_string_equal(got.password, "pw-1");
	store_integration_clear(&got);
	assert_ok(store_integrations_for_registry(&got, pool, &key, "127.0.0.1:5001"));
	assert_string_equal(got.password, "pw-3");
	store_integration_clear(&got);
	assert_int_equal(store_integrations_for_registry(&got, pool, &key, "127.0.0.1"), ASEC_ENOTFOUND);
	assert_int_equal(store_integrations_for_registry(&got, pool, &key, "quay.io"), ASEC_ENOTFOUND);

	/* after the oldest is deleted, the next one answers */
	assert_ok(store_integrations_delete(pool, older.id));
	assert_ok(store_integrations_for_registry(&got, pool, &key, "127.0.0.1:5000"));
	assert_string_equal(got.id, newer.id);
	store_integration_clear(&got);
	store_integration_clear(&hub);
	store_integration_clear(&older);
	store_integration_clear(&newer);
	store_integration_clear(&port);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_endpoint_parse),
	};
	const struct CMUnitTest db[] = {
		cmocka_unit_test_setup(test_round_trip, wipe),
		cmocka_unit_test_setup(test_sealed_value_bound_to_row_and_key, wipe),
		cmocka_unit_test_setup(test_names_unique_and_replace, wipe),
		cmocka_unit_test_setup(test_list, wipe),
		cmocka_unit_test_setup(test_for_registry, wipe),
	};
	int failed = cmocka_run_group_tests(pure, NULL, NULL), skip;

	if ((skip = store_testing_unavailable(failed)) >= 0)
		return skip;
	return failed | cmocka_run_group_tests(db, store_setup, store_teardown);
}
