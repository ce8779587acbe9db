/*
 * central_auth_test.c - central's decision of who may call what, and its
 * credential store.
 *
 * The decision table runs central_roles_check() over requirements written
 * like the spec's x-asec-roles and over every operation of the real,
 * generated route table, for each built-in role. The store tests (admin
 * hash, API tokens, portal sessions: lookup by cookie hash, logout, the
 * parent token's revocation folded in, expiry, purge) need
 * PostgreSQL from ASEC_TEST_DATABASE_URL (skipped otherwise, exit 77; a
 * failure under CI=true) and work in a schema of their own so parallel runs
 * do not meet (store_testing.h).
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

#include "central.h"
#include "error/error.h"
#include "store_auth.h"
#include "store_testing.h"

static const enum auth_role ADMIN[] = {AUTH_ROLE_ADMIN};
static const enum auth_role ANALYST[] = {AUTH_ROLE_ANALYST};
static const enum auth_role CI[] = {AUTH_ROLE_CONTINUOUS_INTEGRATION};
static const enum auth_role NONE[] = {AUTH_ROLE_NONE};
static const enum auth_role CI_ANALYST[] = {AUTH_ROLE_CONTINUOUS_INTEGRATION, AUTH_ROLE_ANALYST};

static int check(const char *const *items, size_t n, const enum auth_role *roles, size_t count)
{
	struct http_operation op = {.operation_id = "testOp", .roles = items, .role_count = n};

	return central_roles_check(&op, roles, count);
}

static void decision_table(void **state)
{
	static const char *const integration_rw[] = {"Integration:READ_WRITE_ACCESS"};
	static const char *const integration_r[] = {"Integration:READ_ACCESS"};
	static const char *const image_rw[] = {"Image:READ_WRITE_ACCESS"};
	static const char *const image_and_admin[] = {"Image:READ_ACCESS", "Administration:READ_ACCESS"};
	static const char *const detection_rw[] = {"Detection:READ_WRITE_ACCESS"};
	struct {
		const char *const *items;
		size_t n;
		const enum auth_role *roles;
		size_t count;
		int allowed;
	} rows[] = {
		{integration_rw, 1, ADMIN, 1, 1},      {integration_rw, 1, ANALYST, 1, 0},
		{integration_rw, 1, CI, 1, 0},         {integration_rw, 1, NONE, 1, 0},
		{integration_r, 1, ADMIN, 1, 1},       {integration_r, 1, ANALYST, 1, 1},
		{integration_r, 1, CI, 1, 0},          {integration_r, 1, NONE, 1, 0},
		{image_rw, 1, CI, 1, 1},               {image_rw, 1, ANALYST, 1, 0},
		{image_rw, 1, CI_ANALYST, 2, 1},       {image_and_admin, 2, ANALYST, 1, 0},
		{image_and_admin, 2, ADMIN, 1, 1},     {detection_rw, 1, CI, 1, 0},
		{NULL, 0, NONE, 1, 1},                 {NULL, 0, NONE, 0, 1},
		{integration_r, 1, NONE, 0, 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc = check(rows[i].items, rows[i].n, rows[i].roles, rows[i].count);
		if ((rc == ASEC_OK) != rows[i].allowed)
			fail_msg("row %zu: expected %s, got %d (%s)", i, rows[i].allowed ? "allowed" : "denied", rc,
				 error_last());
		/* a refusal must not look like missing credentials (401) */
		assert_true(rc == ASEC_OK || rc != ASEC_EAUTH);
	}
}

static void bad_requirements_refuse_everyone(void **state)
{
	static const char *const bad[][1] = {{"Integration"}, {"Nope:READ_ACCESS"}, {"Image:WRITE"},
					     {"Image:NO_ACCESS"}, {":READ_ACCESS"}};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct http_operation op = {.operation_id = "bad", .roles = bad[i], .role_count = 1};
		const struct http_operation *ops[1] = {&op};
		assert_int_equal(central_roles_check(&op, ADMIN, 1), ASEC_EINVALID);
		assert_int_equal(central_roles_validate(ops, 1), ASEC_EINVALID);
	}
}

/* Every secured operation of the real spec: valid requirements, Admin may
 * call it, None may call only those without requirements, and the token
 * operations follow StackRox (Integration). */
static void central_route_table(void **state)
{
	size_t count, i, secured = 0;
	const struct http_operation *const *ops = central_api_operations(&count);

	(void)state;
	assert_int_equal(central_roles_validate(ops, count), ASEC_OK);
	for (i = 0; i < count; i++) {
		const struct http_operation *op = ops[i];
		if (!(op->auth & (HTTP_AUTH_BASIC | HTTP_AUTH_BEARER)))
			continue;
		secured++;
		assert_int_equal(central_roles_check(op, ADMIN, 1), ASEC_OK);
		assert_int_equal(central_roles_check(op, NONE, 1) == ASEC_OK, op->role_count == 0);
		if (strcmp(op->operation_id, "generateToken") == 0 || strcmp(op->operation_id, "revokeToken") == 0) {
			assert_int_not_equal(central_roles_check(op, ANALYST, 1), ASEC_OK);
			assert_int_not_equal(central_roles_check(op, CI, 1), ASEC_OK);
		}
		if (strcmp(op->operation_id, "getAPITokens") == 0) {
			assert_int_equal(central_roles_check(op, ANALYST, 1), ASEC_OK);
			assert_int_not_equal(central_roles_check(op, CI, 1), ASEC_OK);
		}
	}
	assert_true(secured >= 6);
}

/* ---- the store ---------------------------------------------------------- */

static struct db_pool *pool;
static char schema[STORE_TESTING_SCHEMA_MAX];

static int store_setup(void **state)
{
	(void)state;
	return store_testing_open(&pool, schema, "central_auth_test", 2, store_auth_migrate);
}

static int store_teardown(void **state)
{
	(void)state;
	store_testing_close(pool, schema, "central_auth_test");
	return 0;
}

static void admin_hash(void **state)
{
	char *hash = NULL;
	int created = -1;

	(void)state;
	assert_int_equal(store_auth_admin_hash_get(&hash, pool), ASEC_ENOTFOUND);
	assert_int_equal(store_auth_admin_hash_create(&created, pool, "$y$first"), ASEC_OK);
	assert_int_equal(created, 1);
	assert_int_equal(store_auth_admin_hash_create(&created, pool, "$y$second"), ASEC_OK);
	assert_int_equal(created, 0);
	assert_int_equal(store_auth_admin_hash_get(&hash, pool), ASEC_OK);
	assert_string_equal(hash, "$y$first");
	free(hash);
	assert_int_equal(store_auth_admin_hash_set(pool, "$y$third"), ASEC_OK);
	assert_int_equal(store_auth_admin_hash_get(&hash, pool), ASEC_OK);
	assert_string_equal(hash, "$y$third");
	free(hash);
}

static void make_token(struct store_token *t, const char *name, int64_t issued, int64_t exp)
{
	memset(t, 0, sizeof(*t));
	assert_int_equal(auth_uuid_v4(t->id), ASEC_OK);
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->roles[0] = AUTH_ROLE_CONTINUOUS_INTEGRATION;
	t->roles[1] = AUTH_ROLE_ANALYST;
	t->role_count = 2;
	t->issued_at = issued;
	t->expiration = exp;
}

static void tokens(void **state)
{
	struct store_token a, b, got, *list = NULL;
	size_t count = 0;

	(void)state;
	make_token(&a, "ci, with a comma-free name", 1700000000, 1800000000);
	make_token(&b, "never expires", 1700000100, 0);
	assert_int_equal(store_auth_token_insert(pool, &a), ASEC_OK);
	assert_int_equal(store_auth_token_insert(pool, &b), ASEC_OK);
	assert_int_equal(store_auth_token_insert(pool, &a), ASEC_EEXISTS);

	assert_int_equal(store_auth_token_get(&got, pool, a.id), ASEC_OK);
	assert_string_equal(got.id, a.id);
	assert_string_equal(got.name, a.name);
	assert_int_equal(got.role_count, 2);
	assert_int_equal(got.roles[0], AUTH_ROLE_CONTINUOUS_INTEGRATION);
	assert_int_equal(got.roles[1], AUTH_ROLE_ANALYST);
	assert_int_equal(got.issued_at, 1700000000);
	assert_int_equal(got.expiration, 1800000000);
	assert_false(got.revoked);
	assert_int_equal(store_auth_token_get(&got, pool, b.id), ASEC_OK);
	assert_int_equal(got.expiration, 0);
	assert_int_equal(store_auth_token_get(&got, pool, "00000000-0000-4000-8000-000000000000"), ASEC_ENOTFOUND);

	assert_int_equal(store_auth_token_revoke(pool, a.id), ASEC_OK);
	assert_int_equal(store_auth_token_revoke(pool, a.id), ASEC_OK);
	assert_int_equal(store_auth_token_revoke(pool, "00000000-0000-4000-8000-000000000000"), ASEC_ENOTFOUND);
	assert_int_equal(store_auth_token_get(&got, pool, a.id), ASEC_OK);
	assert_true(got.revoked);

	assert_int_equal(store_auth_token_list(&list, &count, pool, -1), ASEC_OK);
	assert_int_equal(count, 2);
	assert_string_equal(list[0].id, b.id); /* newest first */
	assert_string_equal(list[1].id, a.id);
	free(list);
	assert_int_equal(store_auth_token_list(&list, &count, pool, 1), ASEC_OK);
	assert_int_equal(count, 1);
	assert_string_equal(list[0].id, a.id);
	free(list);
	assert_int_equal(store_auth_token_list(&list, &count, pool, 0), ASEC_OK);
	assert_int_equal(count, 1);
	assert_string_equal(list[0].id, b.id);
	free(list);
}

/* ---- portal sessions ---------------------------------------------------- */

static void make_session(struct store_session *s, const char *user, const char *token_id, int64_t expires)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	assert_int_equal(auth_uuid_v4(s->id), ASEC_OK);
	/* distinct hashes from the id's random bytes */
	for (i = 0; i < sizeof(s->token_hash); i++)
		s->token_hash[i] = (unsigned char)(s->id[i % AUTH_UUID_LEN] * 31 + i);
	snprintf(s->user, sizeof(s->user), "%s", user);
	if (token_id) {
		snprintf(s->auth_provider, sizeof(s->auth_provider), "%s", STORE_SESSION_TOKEN);
		snprintf(s->api_token_id, sizeof(s->api_token_id), "%s", token_id);
		s->roles[0] = AUTH_ROLE_NONE;
		s->role_count = 1;
	} else {
		snprintf(s->auth_provider, sizeof(s->auth_provider), "%s", STORE_SESSION_BASIC);
		s->roles[0] = AUTH_ROLE_ADMIN;
		s->role_count = 1;
	}
	s->created = (int64_t)time(NULL);
	s->expires = expires;
}

static void sessions(void **state)
{
	int64_t now = (int64_t)time(NULL);
	struct store_token parent;
	struct store_session admin, from_token, got;
	unsigned char unknown[STORE_SESSION_HASH_BYTES] = {0};

	(void)state;
	make_token(&parent, "portal user", now - 10, now + 3600);
	assert_int_equal(store_auth_token_insert(pool, &parent), ASEC_OK);
	make_session(&admin, CENTRAL_ADMIN_USER, NULL, now + 600);
	make_session(&from_token, parent.name, parent.id, now + 3600);
	from_token.roles[1] = AUTH_ROLE_CONTINUOUS_INTEGRATION;
	from_token.role_count = 2;
	assert_int_equal(store_auth_session_create(pool, &admin), ASEC_OK);
	assert_int_equal(store_auth_session_create(pool, &from_token), ASEC_OK);
	/* the same cookie hash twice is refused (a UUID clash too) */
	make_session(&got, "other", NULL, now + 600);
	memcpy(got.token_hash, admin.token_hash, sizeof(got.token_hash));
	assert_int_equal(store_auth_session_create(pool, &got), ASEC_EEXISTS);

	assert_int_equal(store_auth_session_get_by_hash(&got, pool, admin.token_hash), ASEC_OK);
	assert_string_equal(got.id, admin.id);
	assert_string_equal(got.user, CENTRAL_ADMIN_USER);
	assert_string_equal(got.auth_provider, "basic");
	assert_string_equal(got.api_token_id, "");
	assert_int_equal(got.role_count, 1);
	assert_int_equal(got.roles[0], AUTH_ROLE_ADMIN);
	assert_int_equal(got.expires, now + 600);
	assert_false(got.revoked);
	assert_int_equal(store_auth_session_get_by_hash(&got, pool, from_token.token_hash), ASEC_OK);
	assert_string_equal(got.id, from_token.id);
	assert_string_equal(got.user, "portal user");
	assert_string_equal(got.auth_provider, "token");
	assert_string_equal(got.api_token_id, parent.id);
	assert_int_equal(got.role_count, 2);
	assert_int_equal(got.roles[1], AUTH_ROLE_CONTINUOUS_INTEGRATION);
	assert_false(got.revoked);
	assert_int_equal(store_auth_session_get_by_hash(&got, pool, unknown), ASEC_ENOTFOUND);

	/* logout: this session only */
	assert_int_equal(store_auth_session_revoke(pool, admin.id), ASEC_OK);
	assert_int_equal(store_auth_session_revoke(pool, admin.id), ASEC_OK);
	assert_int_equal(store_auth_session_revoke(pool, "00000000-0000-4000-8000-000000000000"), ASEC_ENOTFOUND);
	assert_int_equal(store_auth_session_get_by_hash(&got, pool, admin.token_hash), ASEC_OK);
	assert_true(got.revoked);
	assert_int_equal(store_auth_session_get_by_hash(&got, pool, from_token.token_hash), ASEC_OK);
	assert_false(got.revoked);

	/* the parent API token revoked: its session reads as revoked */
	assert_int_equal(store_auth_token_revoke(pool, parent.id), ASEC_OK);
	assert_int_equal(store_auth_session_get_by_hash(&got, pool, from_token.token_hash), ASEC_OK);
	assert_true(got.revoked);
}

static void sessions_expire_and_purge(void **state)
{
	int64_t now = (int64_t)time(NULL);
	struct store_session live, recent, old, got;
	size_t deleted = 99;

	(void)state;
	make_session(&live, CENTRAL_ADMIN_USER, NULL, now + 600);
	make_session(&recent, CENTRAL_ADMIN_USER, NULL, now - 3600);
	make_session(&old, CENTRAL_ADMIN_USER, NULL, now - STORE_SESSION_PURGE_AFTER_S - 60);
	assert_int_equal(store_auth_session_create(pool, &live), ASEC_OK);
	assert_int_equal(store_auth_session_create(pool, &recent), ASEC_OK);
	assert_int_equal(store_auth_session_create(pool, &old), ASEC_OK);
	/* an expired session is still found, with its end, for the caller to refuse */
	assert_int_equal(store_auth_session_get_by_hash(&got, pool, recent.token_hash), ASEC_OK);
	assert_int_equal(got.expires, now - 3600);
	assert_false(got.revoked);

	assert_int_equal(store_auth_session_purge_expired(&deleted, pool, now), ASEC_OK);
	assert_true(deleted >= 1); /* old, and any the previous test left that old (none) */
	assert_int_equal(store_auth_session_get_by_hash(&got, pool, old.token_hash), ASEC_ENOTFOUND);
	assert_int_equal(store_auth_session_get_by_hash(&got, pool, recent.token_hash), ASEC_OK);
	assert_int_equal(store_auth_session_get_by_hash(&got, pool, live.token_hash), ASEC_OK);
	/* a day later the recent one goes too, the live one stays */
	assert_int_equal(store_auth_session_purge_expired(&deleted, pool, now + STORE_SESSION_PURGE_AFTER_S), ASEC_OK);
	assert_int_equal(deleted, 1);
	assert_int_equal(store_auth_session_get_by_hash(&got, pool, recent.token_hash), ASEC_ENOTFOUND);
	assert_int_equal(store_auth_session_get_by_hash(&got, pool, live.token_hash), ASEC_OK);
	assert_int_equal(store_auth_session_purge_expired(NULL, pool, now), ASEC_OK);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(decision_table),
		cmocka_unit_test(bad_requirements_refuse_everyone),
		cmocka_unit_test(central_route_table),
	};
	const struct CMUnitTest store[] = {
		cmocka_unit_test(admin_hash),
		cmocka_unit_test(tokens),
		cmocka_unit_test(sessions),
		cmocka_unit_test(sessions_expire_and_purge),
	};
	int failed = cmocka_run_group_tests_name("central authorization", pure, NULL, NULL), skip;

	if ((skip = store_testing_unavailable(failed)) >= 0)
		return skip;
	failed += cmocka_run_group_tests_name("central credential store", store, store_setup, store_teardown);
	return failed ? 1 : 0;
}
