/*
 * auth_test.c - tests for shared/auth: password hashing and its cost, the
 * cache, roles, signing keys on disk, tokens (including hostile ones with a
 * valid MAC, made by hand below), and Authorization headers.
 *
 * The token test vector was computed independently with Python's hmac,
 * hashlib and base64 modules, so sign and verify are checked against an
 * outside implementation, not only against each other.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <crypt.h>
#include <gnutls/crypto.h>

#include "auth/auth.h"
#include "auth/auth_internal.h"
#include "error/error.h"

#define NOW 1700000000 /* 2023-11-14T22:13:20Z */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void key_fixed(struct auth_key *key, unsigned char first)
{
	unsigned char bytes[AUTH_KEY_SIZE];

	for (int i = 0; i < AUTH_KEY_SIZE; i++)
		bytes[i] = (unsigned char)(first + i);
	assert_int_equal(auth_key_from_bytes(key, bytes, sizeof(bytes)), ASEC_OK);
}

static void claims_fixed(struct auth_token_claims *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->jti, "0f8fad5b-d9cb-469f-a165-70867728950e");
	strcpy(c->sub, "admin");
	strcpy(c->name, "ci-bot");
	c->iat = NOW;
	c->exp = NOW + 86400;
	c->roles[0] = AUTH_ROLE_CONTINUOUS_INTEGRATION;
	c->roles[1] = AUTH_ROLE_ANALYST;
	c->role_count = 2;
}

/* A compact token from raw header and payload JSON, with a correct MAC under
 * key: for testing what verify does after the signature has passed. */
static char *craft(const char *header, const char *payload, const struct auth_key *key)
{
	size_t hl = strlen(header), pl = strlen(payload);
	size_t at = 0, n = auth_b64_encoded_len(hl, AUTH_B64_URL_NOPAD) +
		auth_b64_encoded_len(pl, AUTH_B64_URL_NOPAD) + 64;
	unsigned char mac[32];
	char *t = malloc(n);

	assert_non_null(t);
	auth_b64_encode(t, (const unsigned char *)header, hl, AUTH_B64_URL_NOPAD);
	at = strlen(t);
	t[at++] = '.';
	auth_b64_encode(t + at, (const unsigned char *)payload, pl, AUTH_B64_URL_NOPAD);
	at += strlen(t + at);
	assert_int_equal(gnutls_hmac_fast(GNUTLS_MAC_SHA256, key->secret, sizeof(key->secret), t, at, mac), 0);
	t[at++] = '.';
	auth_b64_encode(t + at, mac, sizeof(mac), AUTH_B64_URL_NOPAD);
	return t;
}

static int verify1(const char *token, const struct auth_key *key, time_t now)
{
	struct auth_token_claims out;

	return auth_token_verify(&out, token, key, 1, now);
}

/* ---- base64 ------------------------------------------------------------- */

static void test_base64_vectors(void **state)
{
	/* RFC 4648 section 10. */
	static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const std[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	static const char *const url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
	unsigned char buf[16];
	char enc[16];
	size_t n;

	(void)state;
	for (int i = 0; i < 7; i++) {
		size_t len = strlen(plain[i]);
		auth_b64_encode(enc, (const unsigned char *)plain[i], len, AUTH_B64_STD_PAD);
		assert_string_equal(enc, std[i]);
		auth_b64_encode(enc, (const unsigned char *)plain[i], len, AUTH_B64_URL_NOPAD);
		assert_string_equal(enc, url[i]);
		assert_int_equal(auth_b64_decode(buf, sizeof(buf), &n, std[i], strlen(std[i]), AUTH_B64_STD_PAD), 0);
		assert_memory_equal(buf, plain[i], len);
		assert_int_equal(n, len);
		assert_int_equal(auth_b64_decode(buf, sizeof(buf), &n, url[i], strlen(url[i]), AUTH_B64_URL_NOPAD), 0);
		assert_int_equal(n, len);
	}
	/* The two alphabets differ in exactly two characters. */
	auth_b64_encode(enc, (const unsigned char *)"\xfb\xff", 2, AUTH_B64_URL_NOPAD);
	assert_string_equal(enc, "-_8");
	auth_b64_encode(enc, (const unsigned char *)"\xfb\xff", 2, AUTH_B64_STD_PAD);
	assert_string_equal(enc, "+/8=");
}

static void test_base64_strict(void **state)
{
	static const char *const bad_url[] = {
		"Zg=", "Zg==", "Z", "Zh", "Zm9", "Zm+v", "Zm/v", "Zm9 v", "Zm9v\n", "Zm=v",
	};
	static const char *const bad_std[] = {
		"Zg", "Zg=", "Zh==", "Zm9=", "Z===", "Zm-v", "Zm_v", "Zg==Zg==", "=Zg=", " Zg=",
	};
	unsigned char buf[16];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_url) / sizeof(bad_url[0]); i++)
		assert_int_equal(auth_b64_decode(buf, sizeof(buf), &n, bad_url[i], strlen(bad_url[i]),
						 AUTH_B64_URL_NOPAD), -1);
	for (size_t i = 0; i < sizeof(bad_std) / sizeof(bad_std[0]); i++)
		assert_int_equal(auth_b64_decode(buf, sizeof(buf), &n, bad_std[i], strlen(bad_std[i]),
						 AUTH_B64_STD_PAD), -1);
	/* Room is checked before writing. */
	assert_int_equal(auth_b64_decode(buf, 2, &n, "Zm9v", 4, AUTH_B64_URL_NOPAD), -1);
}

/* ---- passwords ---------------------------------------------------------- */

static void test_password_round_trip_and_cost(void **state)
{
	struct rusage before, after;
	char *hash = NULL, *hash2 = NULL;
	double t0, verify_ms, hash_ms;
	const int rounds = 3;

	(void)state;
	getrusage(RUSAGE_SELF, &before);
	t0 = now_ms();
	assert_int_equal(auth_password_hash(&hash, "correct horse battery staple"), ASEC_OK);
	hash_ms = now_ms() - t0;
	assert_non_null(hash);
	assert_memory_equal(hash, "$y$", 3);
	/* The whole string is what crypt reproduces, and it is current. */
	assert_int_equal(crypt_checksalt(hash), CRYPT_SALT_OK);

	t0 = now_ms();
	for (int i = 0; i < rounds; i++)
		assert_int_equal(auth_password_verify("correct horse battery staple", hash), ASEC_OK);
	verify_ms = (now_ms() - t0) / rounds;
	getrusage(RUSAGE_SELF, &after);
	printf("# yescrypt (libxcrypt default cost, %.12s...): hash %.1f ms, verify %.1f ms, "
	       "peak RSS %ld KiB -> %ld KiB\n", hash, hash_ms, verify_ms, before.ru_maxrss, after.ru_maxrss);

	assert_int_equal(auth_password_verify("correct horse battery stapl", hash), ASEC_EAUTH);
	assert_string_equal(error_last(), "wrong password");
	assert_int_equal(auth_password_verify("Correct horse battery staple", hash), ASEC_EAUTH);

	/* A fresh salt each time: same password, different hash. */
	assert_int_equal(auth_password_hash(&hash2, "correct horse battery staple"), ASEC_OK);
	assert_string_not_equal(hash, hash2);
	assert_int_equal(auth_password_verify("correct horse battery staple", hash2), ASEC_OK);
	free(hash);
	free(hash2);
}

static void test_password_limits(void **state)
{
	char *long_pw = malloc(AUTH_PASSWORD_MAX + 2);
	char *hash = NULL;

	(void)state;
	assert_non_null(long_pw);
	memset(long_pw, 'p', AUTH_PASSWORD_MAX + 1);
	long_pw[AUTH_PASSWORD_MAX + 1] = '\0';
	assert_int_equal(auth_password_hash(&hash, ""), ASEC_EINVALID);
	assert_null(hash);
	assert_int_equal(auth_password_hash(&hash, NULL), ASEC_EINVALID);
	assert_int_equal(auth_password_hash(&hash, long_pw), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "longer than 511"));

	/* Exactly the maximum is fine, and one byte more is not a prefix match. */
	long_pw[AUTH_PASSWORD_MAX] = '\0';
	assert_int_equal(auth_password_hash(&hash, long_pw), ASEC_OK);
	assert_int_equal(auth_password_verify(long_pw, hash), ASEC_OK);
	long_pw[AUTH_PASSWORD_MAX] = 'p';
	assert_int_equal(auth_password_verify(long_pw, hash), ASEC_EINVALID);
	assert_int_equal(auth_password_verify("", hash), ASEC_EINVALID);
	free(hash);
	free(long_pw);
}

static void test_password_hash_formats(void **state)
{
	struct crypt_data data;
	char *setting;
	const char *bcrypt;

	(void)state;
	/* Legacy methods and garbage are refused before any work. */
	assert_int_equal(auth_password_verify("password", "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/"), ASEC_EINVALID);
	assert_int_equal(auth_password_verify("password", "abJnggxhB/yWI"), ASEC_EINVALID);
	assert_int_equal(auth_password_verify("password", "plaintext"), ASEC_EINVALID);
	assert_int_equal(auth_password_verify("password", ""), ASEC_EINVALID);
	assert_int_equal(auth_password_verify("password", NULL), ASEC_EINVALID);
	assert_int_equal(auth_password_verify("password", "$y$"), ASEC_EINVALID);

	/* Another current method (bcrypt, as in htpasswd files) verifies. */
	setting = crypt_gensalt_ra("$2b$", 4, NULL, 0);
	assert_non_null(setting);
	memset(&data, 0, sizeof(data));
	bcrypt = crypt_r("hunter2", setting, &data);
	assert_non_null(bcrypt);
	assert_int_equal(auth_password_verify("hunter2", bcrypt), ASEC_OK);
	assert_int_equal(auth_password_verify("hunter3", bcrypt), ASEC_EAUTH);
	free(setting);
}

static void test_password_generate(void **state)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	int seen[256] = {0};
	char pw[AUTH_PASSWORD_GENERATED_LEN + 1], prev[AUTH_PASSWORD_GENERATED_LEN + 1] = "";
	char small[AUTH_PASSWORD_GENERATED_LEN];

	(void)state;
	assert_int_equal(auth_password_generate(small, sizeof(small)), ASEC_EINVALID);
	/* 2000 * 24 characters: each of the 62 is expected ~774 times, so a
	 * character never drawn would mean a broken mapping. */
	for (int i = 0; i < 2000; i++) {
		assert_int_equal(auth_password_generate(pw, sizeof(pw)), ASEC_OK);
		assert_int_equal(strlen(pw), AUTH_PASSWORD_GENERATED_LEN);
		assert_string_not_equal(pw, prev);
		for (int j = 0; pw[j]; j++) {
			assert_non_null(strchr(alphabet, pw[j]));
			seen[(unsigned char)pw[j]]++;
		}
		strcpy(prev, pw);
	}
	for (int j = 0; alphabet[j]; j++)
		assert_true(seen[(unsigned char)alphabet[j]] > 500);
}

/* ---- cache -------------------------------------------------------------- */

static void test_cache_basics_and_ttl(void **state)
{
	struct auth_cache *cache = NULL;

	(void)state;
	assert_int_equal(auth_cache_new(&cache, 0, 10), ASEC_EINVALID);
	assert_int_equal(auth_cache_new(&cache, AUTH_CACHE_CAPACITY_MAX + 1, 10), ASEC_EINVALID);
	assert_int_equal(auth_cache_new(&cache, 8, 0), ASEC_EINVALID);
	assert_null(cache);
	assert_int_equal(auth_cache_new(&cache, 8, 10), ASEC_OK);

	assert_int_equal(auth_cache_lookup(cache, "admin", "pw", NOW), 0);
	assert_int_equal(auth_cache_add(cache, "admin", "pw", NOW), ASEC_OK);
	assert_int_equal(auth_cache_lookup(cache, "admin", "pw", NOW), 1);
	assert_int_equal(auth_cache_lookup(cache, "admin", "pw", NOW + 9), 1);
	assert_int_equal(auth_cache_lookup(cache, "admin", "pw", NOW + 10), 0);
	/* A clock that stepped back does not keep an entry alive. */
	assert_int_equal(auth_cache_lookup(cache, "admin", "pw", NOW - 1), 0);
	assert_int_equal(auth_cache_lookup(cache, "admin", "pW", NOW), 0);
	assert_int_equal(auth_cache_lookup(cache, "Admin", "pw", NOW), 0);

	/* User and secret are kept apart: no ("ab","c") == ("a","bc"). */
	assert_int_equal(auth_cache_add(cache, "ab", "c", NOW), ASEC_OK);
	assert_int_equal(auth_cache_lookup(cache, "a", "bc", NOW), 0);
	assert_int_equal(auth_cache_lookup(cache, "ab", "c", NOW), 1);

	/* Adding again restarts the TTL, and takes no second slot. */
	assert_int_equal(auth_cache_count(cache), 2);
	assert_int_equal(auth_cache_add(cache, "admin", "pw", NOW + 5), ASEC_OK);
	assert_int_equal(auth_cache_count(cache), 2);
	assert_int_equal(auth_cache_lookup(cache, "admin", "pw", NOW + 14), 1);

	auth_cache_clear(cache);
	assert_int_equal(auth_cache_count(cache), 0);
	assert_int_equal(auth_cache_lookup(cache, "admin", "pw", NOW + 6), 0);
	auth_cache_free(cache);
}

static void test_cache_capacity(void **state)
{
	struct auth_cache *cache = NULL;
	char secret[16];

	(void)state;
	assert_int_equal(auth_cache_new(&cache, 4, 100), ASEC_OK);
	for (int i = 0; i < 6; i++) {
		snprintf(secret, sizeof(secret), "s%d", i);
		assert_int_equal(auth_cache_add(cache, "u", secret, NOW + i), ASEC_OK);
	}
	assert_int_equal(auth_cache_count(cache), 4);
	/* The two oldest made room. */
	assert_int_equal(auth_cache_lookup(cache, "u", "s0", NOW + 6), 0);
	assert_int_equal(auth_cache_lookup(cache, "u", "s1", NOW + 6), 0);
	for (int i = 2; i < 6; i++) {
		snprintf(secret, sizeof(secret), "s%d", i);
		assert_int_equal(auth_cache_lookup(cache, "u", secret, NOW + 6), 1);
	}
	/* An expired entry gives way before a live one, even a live older one
	 * would not exist here; check that expired ones are reused. */
	assert_int_equal(auth_cache_add(cache, "u", "late", NOW + 102), ASEC_OK);
	assert_int_equal(auth_cache_lookup(cache, "u", "s2", NOW + 102), 0);
	assert_int_equal(auth_cache_lookup(cache, "u", "s5", NOW + 102), 1);
	assert_int_equal(auth_cache_lookup(cache, "u", "late", NOW + 102), 1);
	auth_cache_free(cache);
}

static int contains(const unsigned char *hay, size_t hay_len, const void *needle, size_t len)
{
	for (size_t i = 0; i + len <= hay_len; i++)
		if (memcmp(hay + i, needle, len) == 0)
			return 1;
	return 0;
}

static void test_cache_stores_no_secret(void **state)
{
	const char *secret = "Unique-Secret-Marker-7f3a9c";
	const char *user = "admin";
	struct auth_cache *cache = NULL;
	unsigned char sha[32], sha_pair[32];
	char pair[64];
	size_t size;

	(void)state;
	assert_int_equal(auth_cache_new(&cache, 16, 60), ASEC_OK);
	assert_int_equal(auth_cache_add(cache, user, secret, NOW), ASEC_OK);
	assert_int_equal(auth_cache_lookup(cache, user, secret, NOW), 1);
	size = sizeof(*cache) + cache->capacity * sizeof(cache->entries[0]);
	snprintf(pair, sizeof(pair), "%s:%s", user, secret);
	assert_int_equal(gnutls_hash_fast(GNUTLS_DIG_SHA256, secret, strlen(secret), sha), 0);
	assert_int_equal(gnutls_hash_fast(GNUTLS_DIG_SHA256, pair, strlen(pair), sha_pair), 0);
	/* Neither the secret, nor a part of it, nor a plain hash of it. */
	assert_false(contains((const unsigned char *)cache, size, secret, strlen(secret)));
	assert_false(contains((const unsigned char *)cache, size, "Marker", 6));
	assert_false(contains((const unsigned char *)cache, size, sha, 8));
	assert_false(contains((const unsigned char *)cache, size, sha_pair, 8));
	/* Something was stored, though: one used slot. */
	assert_int_equal(cache->count, 1);
	auth_cache_free(cache);
}

struct cache_thread {
	struct auth_cache *cache;
	int id;
	int misses;
};

static void *cache_worker(void *arg)
{
	struct cache_thread *t = arg;
	char secret[32];

	for (int i = 0; i < 2000; i++) {
		snprintf(secret, sizeof(secret), "t%d-%d", t->id, i % 8);
		if (auth_cache_add(t->cache, "u", secret, NOW) != ASEC_OK ||
		    !auth_cache_lookup(t->cache, "u", secret, NOW))
			t->misses++;
	}
	return NULL;
}

static void test_cache_threads(void **state)
{
	struct cache_thread t[4];
	pthread_t th[4];
	struct auth_cache *cache = NULL;

	(void)state;
	/* 4 threads x 8 secrets fit in 64 slots: nothing may ever be lost. */
	assert_int_equal(auth_cache_new(&cache, 64, 60), ASEC_OK);
	for (int i = 0; i < 4; i++) {
		t[i] = (struct cache_thread){cache, i, 0};
		assert_int_equal(pthread_create(&th[i], NULL, cache_worker, &t[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(t[i].misses, 0);
	}
	assert_int_equal(auth_cache_count(cache), 32);
	auth_cache_free(cache);
}

/* ---- roles -------------------------------------------------------------- */

static void test_role_names(void **state)
{
	enum auth_role role;
	enum auth_resource res;

	(void)state;
	assert_string_equal(auth_role_name(AUTH_ROLE_NONE), "None");
	assert_string_equal(auth_role_name(AUTH_ROLE_CONTINUOUS_INTEGRATION), "Continuous Integration");
	assert_string_equal(auth_role_name(AUTH_ROLE_ANALYST), "Analyst");
	assert_string_equal(auth_role_name(AUTH_ROLE_ADMIN), "Admin");
	assert_null(auth_role_name(AUTH_ROLE_COUNT));
	for (int r = 0; r < AUTH_ROLE_COUNT; r++) {
		assert_int_equal(auth_role_parse(&role, auth_role_name((enum auth_role)r)), ASEC_OK);
		assert_int_equal(role, r);
	}
	assert_int_equal(auth_role_parse(&role, "admin"), ASEC_EINVALID);
	assert_int_equal(auth_role_parse(&role, "Admin "), ASEC_EINVALID);
	assert_int_equal(auth_role_parse(&role, ""), ASEC_EINVALID);
	assert_int_equal(auth_role_parse(&role, NULL), ASEC_EINVALID);
	assert_int_equal(auth_role_parse(&role, "ContinuousIntegration"), ASEC_EINVALID);

	for (int r = 0; r < AUTH_RES_COUNT; r++) {
		assert_int_equal(auth_resource_parse(&res, auth_resource_name((enum auth_resource)r)), ASEC_OK);
		assert_int_equal(res, r);
	}
	assert_int_equal(auth_resource_parse(&res, "Policy"), ASEC_EINVALID);
	assert_string_equal(auth_access_name(AUTH_ACCESS_READ_WRITE), "READ_WRITE_ACCESS");
}

static void test_role_allows(void **state)
{
	enum auth_role ci_analyst[] = {AUTH_ROLE_CONTINUOUS_INTEGRATION, AUTH_ROLE_ANALYST};

	(void)state;
	for (int r = 0; r < AUTH_RES_COUNT; r++) {
		enum auth_resource res = (enum auth_resource)r;
		assert_true(auth_role_allows(AUTH_ROLE_ADMIN, res, AUTH_ACCESS_READ_WRITE));
		assert_false(auth_role_allows(AUTH_ROLE_NONE, res, AUTH_ACCESS_READ));
		assert_false(auth_role_allows(AUTH_ROLE_ANALYST, res, AUTH_ACCESS_READ_WRITE));
		assert_int_equal(auth_role_allows(AUTH_ROLE_ANALYST, res, AUTH_ACCESS_READ),
				 res != AUTH_RES_ADMINISTRATION);
	}
	assert_true(auth_role_allows(AUTH_ROLE_CONTINUOUS_INTEGRATION, AUTH_RES_IMAGE, AUTH_ACCESS_READ_WRITE));
	assert_true(auth_role_allows(AUTH_ROLE_CONTINUOUS_INTEGRATION, AUTH_RES_IMAGE, AUTH_ACCESS_READ));
	assert_true(auth_role_allows(AUTH_ROLE_CONTINUOUS_INTEGRATION, AUTH_RES_DETECTION, AUTH_ACCESS_READ));
	assert_false(auth_role_allows(AUTH_ROLE_CONTINUOUS_INTEGRATION, AUTH_RES_DETECTION, AUTH_ACCESS_READ_WRITE));
	assert_false(auth_role_allows(AUTH_ROLE_CONTINUOUS_INTEGRATION, AUTH_RES_ALERT, AUTH_ACCESS_READ));
	assert_false(auth_role_allows(AUTH_ROLE_CONTINUOUS_INTEGRATION, AUTH_RES_DEPLOYMENT, AUTH_ACCESS_READ));
	/* Out-of-range and "no access" questions answer no, even for Admin. */
	assert_false(auth_role_allows(AUTH_ROLE_ADMIN, AUTH_RES_COUNT, AUTH_ACCESS_READ));
	assert_false(auth_role_allows(AUTH_ROLE_COUNT, AUTH_RES_IMAGE, AUTH_ACCESS_READ));
	assert_false(auth_role_allows(AUTH_ROLE_ADMIN, AUTH_RES_IMAGE, AUTH_ACCESS_NONE));
	/* Union: CI brings Image write, Analyst brings reading the rest. */
	assert_true(auth_roles_allow(ci_analyst, 2, AUTH_RES_IMAGE, AUTH_ACCESS_READ_WRITE));
	assert_true(auth_roles_allow(ci_analyst, 2, AUTH_RES_ALERT, AUTH_ACCESS_READ));
	assert_false(auth_roles_allow(ci_analyst, 2, AUTH_RES_ALERT, AUTH_ACCESS_READ_WRITE));
	assert_false(auth_roles_allow(ci_analyst, 2, AUTH_RES_ADMINISTRATION, AUTH_ACCESS_READ));
	assert_false(auth_roles_allow(NULL, 0, AUTH_RES_IMAGE, AUTH_ACCESS_READ));
}

static char *permissions_text(const enum auth_role *roles, size_t count)
{
	json_t *doc = NULL;
	char *text;

	assert_int_equal(auth_permissions_json(&doc, roles, count), ASEC_OK);
	text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(doc);
	assert_non_null(text);
	return text;
}

static void test_permissions_json(void **state)
{
	enum auth_role ci = AUTH_ROLE_CONTINUOUS_INTEGRATION, none = AUTH_ROLE_NONE;
	enum auth_role admin = AUTH_ROLE_ADMIN, analyst = AUTH_ROLE_ANALYST;
	enum auth_role both[] = {AUTH_ROLE_ANALYST, AUTH_ROLE_CONTINUOUS_INTEGRATION};
	json_t *doc = NULL, *map;
	char *text;

	(void)state;
	text = permissions_text(&ci, 1);
	assert_string_equal(text, "{\"resourceToAccess\":{\"Detection\":\"READ_ACCESS\","
				  "\"Image\":\"READ_WRITE_ACCESS\"}}");
	free(text);
	text = permissions_text(&none, 1);
	assert_string_equal(text, "{\"resourceToAccess\":{}}");
	free(text);

	assert_int_equal(auth_permissions_json(&doc, &admin, 1), ASEC_OK);
	map = json_object_get(doc, "resourceToAccess");
	assert_int_equal(json_object_size(map), 24);
	assert_string_equal(json_string_value(json_object_get(map, "WorkflowAdministration")),
			    "READ_WRITE_ACCESS");
	json_decref(doc);

	assert_int_equal(auth_permissions_json(&doc, &analyst, 1), ASEC_OK);
	map = json_object_get(doc, "resourceToAccess");
	assert_int_equal(json_object_size(map), 23);
	assert_null(json_object_get(map, "Administration"));
	assert_string_equal(json_string_value(json_object_get(map, "Access")), "READ_ACCESS");
	json_decref(doc);

	assert_int_equal(auth_permissions_json(&doc, both, 2), ASEC_OK);
	map = json_object_get(doc, "resourceToAccess");
	assert_int_equal(json_object_size(map), 23);
	assert_string_equal(json_string_value(json_object_get(map, "Image")), "READ_WRITE_ACCESS");
	assert_string_equal(json_string_value(json_object_get(map, "Detection")), "READ_ACCESS");
	json_decref(doc);
}

/* ---- keys --------------------------------------------------------------- */

static int dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void test_key_from_bytes(void **state)
{
	struct auth_key key;
	unsigned char bytes[33] = {0};

	(void)state;
	key_fixed(&key, 0);
	/* SHA-256 of bytes 0..31 starts 630dcd29 (computed with Python). */
	assert_string_equal(key.kid, "630dcd29");
	assert_int_equal(auth_key_from_bytes(&key, bytes, 31), ASEC_EINVALID);
	assert_int_equal(auth_key_from_bytes(&key, bytes, 33), ASEC_EINVALID);
	key_fixed(&key, 1);
	auth_key_wipe(&key);
	for (size_t i = 0; i < sizeof(key.secret); i++)
		assert_int_equal(key.secret[i], 0);
}

static void test_key_file(void **state)
{
	char dir[] = "/tmp/auth_test_XXXXXX", path[256], sub[256];
	struct auth_key a, b, c;
	struct stat st;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/token.key", dir);
	assert_int_equal(auth_key_load_or_create(&a, path), ASEC_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, AUTH_KEY_SIZE);
	assert_int_equal(strlen(a.kid), AUTH_KID_LEN);
	assert_int_equal(dir_entries(dir), 1); /* no temporary file left */

	/* Reuse: same bytes, same kid. */
	assert_int_equal(auth_key_load_or_create(&b, path), ASEC_OK);
	assert_memory_equal(a.secret, b.secret, AUTH_KEY_SIZE);
	assert_string_equal(a.kid, b.kid);

	/* Group read is the fsGroup pattern; anything wider is refused. */
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(auth_key_load_or_create(&c, path), ASEC_OK);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(auth_key_load_or_create(&c, path), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "chmod 600"));
	assert_int_equal(chmod(path, 0620), 0);
	assert_int_equal(auth_key_load_or_create(&c, path), ASEC_EINVALID);
	assert_int_equal(chmod(path, 0600), 0);

	/* A truncated or grown file is not a key, and is never replaced. */
	assert_int_equal(truncate(path, 31), 0);
	assert_int_equal(auth_key_load_or_create(&c, path), ASEC_EINVALID);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 31);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(a.secret, 1, AUTH_KEY_SIZE, f), AUTH_KEY_SIZE);
	assert_int_equal(fputc('\n', f), '\n');
	fclose(f);
	assert_int_equal(auth_key_load_or_create(&c, path), ASEC_EINVALID);

	/* Not a regular file; a missing directory is an I/O error. */
	snprintf(sub, sizeof(sub), "%s/adir", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(auth_key_load_or_create(&c, sub), ASEC_EINVALID);
	rmdir(sub);
	snprintf(sub, sizeof(sub), "%s/missing/token.key", dir);
	assert_int_equal(auth_key_load_or_create(&c, sub), ASEC_EIO);
	assert_int_equal(auth_key_load_or_create(&c, ""), ASEC_EINVALID);

	unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

static void test_key_file_race(void **state)
{
	char dir[] = "/tmp/auth_race_XXXXXX", path[256];
	char kids[8][AUTH_KID_LEN + 1];
	int fds[8][2];
	pid_t pids[8];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/token.key", dir);
	/* Eight processes start at once on an empty volume: one key wins and
	 * all of them end up with it. */
	for (int i = 0; i < 8; i++) {
		assert_int_equal(pipe(fds[i]), 0);
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct auth_key k;
			int ok = auth_key_load_or_create(&k, path) == ASEC_OK;
			ssize_t w = write(fds[i][1], ok ? k.kid : "failed!!", AUTH_KID_LEN);
			_exit(w == AUTH_KID_LEN ? 0 : 1);
		}
		close(fds[i][1]);
	}
	for (int i = 0; i < 8; i++) {
		int status;
		assert_int_equal(read(fds[i][0], kids[i], AUTH_KID_LEN), AUTH_KID_LEN);
		kids[i][AUTH_KID_LEN] = '\0';
		close(fds[i][0]);
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		assert_string_not_equal(kids[i], "failed!!");
		assert_string_equal(kids[i], kids[0]);
	}
	assert_int_equal(dir_entries(dir), 1);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

/* ---- tokens ------------------------------------------------------------- */

/* Made with Python (hmac, hashlib, base64, json.dumps(separators=(',',':')))
 * from key bytes 0..31 and the claims of claims_fixed(). */
static const char python_token[] =
	"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IjYzMGRjZDI5In0."
	"eyJpc3MiOiJhc2VjLWNlbnRyYWwiLCJzdWIiOiJhZG1pbiIsImp0aSI6IjBmOGZhZDViLWQ5Y2ItNDY5Zi1hMTY1LTcw"
	"ODY3NzI4OTUwZSIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDg2NDAwLCJuYW1lIjoiY2ktYm90Iiwicm9sZXMi"
	"OlsiQ29udGludW91cyBJbnRlZ3JhdGlvbiIsIkFuYWx5c3QiXX0."
	"6Y0Y20s2YDSJyg8hmxPLIhB5NtiCdhnz3zD8_VEe1pc";

static void test_token_interop_vector(void **state)
{
	struct auth_token_claims c, out;
	struct auth_key key;
	char *token = NULL;

	(void)state;
	key_fixed(&key, 0);
	claims_fixed(&c);
	assert_int_equal(auth_token_sign(&token, &c, &key), ASEC_OK);
	assert_string_equal(token, python_token);
	free(token);

	assert_int_equal(auth_token_verify(&out, python_token, &key, 1, NOW + 10), ASEC_OK);
	assert_string_equal(out.sub, "admin");
	assert_string_equal(out.name, "ci-bot");
	assert_string_equal(out.jti, "0f8fad5b-d9cb-469f-a165-70867728950e");
	assert_int_equal(out.iat, NOW);
	assert_int_equal(out.exp, NOW + 86400);
	assert_int_equal(out.nbf, 0);
	assert_int_equal(out.role_count, 2);
	assert_int_equal(out.roles[0], AUTH_ROLE_CONTINUOUS_INTEGRATION);
	assert_int_equal(out.roles[1], AUTH_ROLE_ANALYST);
}

static void test_token_round_trip(void **state)
{
	struct auth_token_claims c, out;
	struct auth_key key;
	char *token = NULL, *token2 = NULL;

	(void)state;
	key_fixed(&key, 7);
	memset(&c, 0, sizeof(c));
	assert_int_equal(auth_uuid_v4(c.jti), ASEC_OK);
	assert_int_equal(c.jti[14], '4');
	assert_non_null(strchr("89ab", c.jti[19]));
	strcpy(c.sub, "ci@example");
	strcpy(c.name, "na\xc3\xafve \"quoted\" \\ name\n"); /* UTF-8 and escapes */
	c.iat = NOW;
	c.nbf = NOW;
	c.exp = 0; /* never */
	c.roles[0] = AUTH_ROLE_ADMIN;
	c.role_count = 1;
	assert_int_equal(auth_token_sign(&token, &c, &key), ASEC_OK);
	assert_true(strlen(token) < AUTH_TOKEN_MAX);
	assert_null(strchr(token, '='));
	assert_int_equal(auth_token_verify(&out, token, &key, 1, NOW + 10 * 365 * 86400LL), ASEC_OK);
	assert_memory_equal(&out, &c, sizeof(c));
	/* Deterministic: the same claims give the same string. */
	assert_int_equal(auth_token_sign(&token2, &out, &key), ASEC_OK);
	assert_string_equal(token, token2);
	free(token);
	free(token2);

	/* No roles is a valid, powerless token. */
	c.role_count = 0;
	assert_int_equal(auth_token_sign(&token, &c, &key), ASEC_OK);
	assert_int_equal(auth_token_verify(&out, token, &key, 1, NOW), ASEC_OK);
	assert_int_equal(out.role_count, 0);
	free(token);
}

static void test_token_sign_refuses_bad_claims(void **state)
{
	struct auth_token_claims c;
	struct auth_key key, nokid;
	char *token = NULL;

	(void)state;
	key_fixed(&key, 0);
	claims_fixed(&c);
	c.sub[0] = '\0';
	assert_int_equal(auth_token_sign(&token, &c, &key), ASEC_EINVALID);
	claims_fixed(&c);
	strcpy(c.jti, "0F8FAD5B-D9CB-469F-A165-70867728950E");
	assert_int_equal(auth_token_sign(&token, &c, &key), ASEC_EINVALID);
	claims_fixed(&c);
	c.exp = c.iat;
	assert_int_equal(auth_token_sign(&token, &c, &key), ASEC_EINVALID);
	claims_fixed(&c);
	c.role_count = AUTH_TOKEN_ROLES_MAX + 1;
	assert_int_equal(auth_token_sign(&token, &c, &key), ASEC_EINVALID);
	claims_fixed(&c);
	c.roles[1] = AUTH_ROLE_COUNT;
	assert_int_equal(auth_token_sign(&token, &c, &key), ASEC_EINVALID);
	claims_fixed(&c);
	memset(c.name, 'n', sizeof(c.name)); /* no NUL inside */
	assert_int_equal(auth_token_sign(&token, &c, &key), ASEC_EINVALID);
	claims_fixed(&c);
	strcpy(c.name, "bad \xff utf-8");
	assert_int_equal(auth_token_sign(&token, &c, &key), ASEC_EINVALID);
	claims_fixed(&c);
	c.iat = -1;
	assert_int_equal(auth_token_sign(&token, &c, &key), ASEC_EINVALID);
	claims_fixed(&c);
	memset(&nokid, 0, sizeof(nokid));
	assert_int_equal(auth_token_sign(&token, &c, &nokid), ASEC_EINVALID);
	assert_null(token);

	/* The largest claims still fit well under the size limit. */
	claims_fixed(&c);
	memset(c.sub, '\x01', sizeof(c.sub) - 1); /* escapes to \u0001: 6x */
	c.sub[sizeof(c.sub) - 1] = '\0';
	memset(c.name, '\x02', sizeof(c.name) - 1);
	c.name[sizeof(c.name) - 1] = '\0';
	c.role_count = AUTH_TOKEN_ROLES_MAX;
	for (int i = 0; i < AUTH_TOKEN_ROLES_MAX; i++)
		c.roles[i] = AUTH_ROLE_CONTINUOUS_INTEGRATION;
	assert_int_equal(auth_token_sign(&token, &c, &key), ASEC_OK);
	assert_true(strlen(token) <= AUTH_TOKEN_MAX);
	assert_int_equal(verify1(token, &key, NOW), ASEC_OK);
	free(token);
}

/* Replaces one character of a copy of token at pos. */
static char *tamper(const char *token, size_t pos, char with)
{
	char *t = strdup(token);

	assert_non_null(t);
	assert_true(pos < strlen(t));
	t[pos] = with;
	return t;
}

static void test_token_tampering(void **state)
{
	const char *dot1 = strchr(python_token, '.'), *dot2 = strrchr(python_token, '.');
	size_t h = (size_t)(dot1 - python_token), p = (size_t)(dot2 - python_token);
	struct auth_key key;
	char *t;

	(void)state;
	key_fixed(&key, 0);
	assert_int_equal(verify1(python_token, &key, NOW), ASEC_OK);

	/* A changed payload character ("admin" -> other bytes) */
	t = tamper(python_token, h + 20, python_token[h + 20] == 'A' ? 'B' : 'A');
	assert_int_equal(verify1(t, &key, NOW), ASEC_EAUTH);
	assert_string_equal(error_last(), "token signature does not match");
	free(t);
	/* Any changed signature character, first to last, each replacement
	 * keeping the encoding canonical (the last character's two spare bits
	 * stay zero: 'A' and 'E' differ in a data bit only). */
	for (size_t i = p + 1; i < strlen(python_token); i++) {
		t = tamper(python_token, i, python_token[i] == 'A' ? 'E' : 'A');
		assert_int_equal(verify1(t, &key, NOW), ASEC_EAUTH);
		assert_string_equal(error_last(), "token signature does not match");
		free(t);
	}
	/* A changed header character: still JSON, still our kid? No longer
	 * parses, or no longer matches - either way refused. */
	t = tamper(python_token, h - 3, python_token[h - 3] == 'A' ? 'B' : 'A');
	assert_int_equal(verify1(t, &key, NOW), ASEC_EAUTH);
	free(t);
	/* The last signature character carries 2 spare bits: setting one
	 * gives the same bytes spelled differently - refused. */
	t = tamper(python_token, strlen(python_token) - 1, 'd'); /* 'c' + 1 */
	assert_int_equal(verify1(t, &key, NOW), ASEC_EAUTH);
	assert_non_null(strstr(error_last(), "malformed token"));
	free(t);
}

static void test_token_algorithms(void **state)
{
	static const char payload[] =
		"{\"iss\":\"asec-central\",\"sub\":\"admin\",\"jti\":\"0f8fad5b-d9cb-469f-a165-70867728950e\","
		"\"iat\":1700000000,\"name\":\"x\",\"roles\":[\"Admin\"]}";
	static const char *const refused[] = {
		"{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"630dcd29\"}",
		"{\"alg\":\"None\",\"typ\":\"JWT\",\"kid\":\"630dcd29\"}",
		"{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"630dcd29\"}",
		"{\"alg\":\"HS512\",\"typ\":\"JWT\",\"kid\":\"630dcd29\"}",
		"{\"alg\":\"hs256\",\"typ\":\"JWT\",\"kid\":\"630dcd29\"}",
		"{\"alg\":\"HS256 \",\"typ\":\"JWT\",\"kid\":\"630dcd29\"}",
		"{\"alg\":[\"HS256\"],\"typ\":\"JWT\",\"kid\":\"630dcd29\"}",
		"{\"typ\":\"JWT\",\"kid\":\"630dcd29\"}",
		"{\"alg\":\"HS256\",\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"630dcd29\"}",
		"{\"alg\":\"HS256\",\"typ\":\"JOSE+JSON\",\"kid\":\"630dcd29\"}",
		"{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"630dcd29\",\"crit\":[\"exp\"]}",
		"{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
		"{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":7}",
		"[\"HS256\"]",
	};
	struct auth_key key;
	char *t, *unsigned_token;

	(void)state;
	key_fixed(&key, 0);
	/* The same payload under an acceptable header passes: the refusals
	 * below are about the header alone. Without typ is fine too. */
	t = craft("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"630dcd29\"}", payload, &key);
	assert_int_equal(verify1(t, &key, NOW), ASEC_OK);
	free(t);
	t = craft("{\"kid\":\"630dcd29\",\"alg\":\"HS256\"}", payload, &key);
	assert_int_equal(verify1(t, &key, NOW), ASEC_OK);
	free(t);

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		t = craft(refused[i], payload, &key);
		assert_int_equal(verify1(t, &key, NOW), ASEC_EAUTH);
		free(t);
	}
	t = craft(refused[0], payload, &key);
	assert_int_equal(verify1(t, &key, NOW), ASEC_EAUTH);
	assert_string_equal(error_last(), "token algorithm 'none' is not accepted (only HS256)");
	/* The classic alg=none form, with an empty signature. */
	unsigned_token = strdup(t);
	*(strrchr(unsigned_token, '.') + 1) = '\0';
	assert_int_equal(verify1(unsigned_token, &key, NOW), ASEC_EAUTH);
	free(unsigned_token);
	free(t);
}

static void test_token_keys(void **state)
{
	struct auth_key old_key, new_key, both[2], stranger;
	struct auth_token_claims c, out;
	char *token = NULL;

	(void)state;
	key_fixed(&old_key, 0);
	key_fixed(&new_key, 100);
	key_fixed(&stranger, 200);
	both[0] = new_key;
	both[1] = old_key;
	claims_fixed(&c);
	assert_int_equal(auth_token_sign(&token, &c, &old_key), ASEC_OK);
	/* Rotation: the old key still verifies while it is listed. */
	assert_int_equal(auth_token_verify(&out, token, both, 2, NOW), ASEC_OK);
	assert_int_equal(auth_token_verify(&out, token, &new_key, 1, NOW), ASEC_EAUTH);
	assert_string_equal(error_last(), "token signed with unknown key '630dcd29'");
	assert_int_equal(auth_token_verify(&out, token, NULL, 0, NOW), ASEC_EAUTH);
	free(token);

	/* A key that claims another's kid still fails on the MAC. */
	memcpy(stranger.kid, old_key.kid, sizeof(stranger.kid));
	assert_int_equal(auth_token_sign(&token, &c, &stranger), ASEC_OK);
	assert_int_equal(auth_token_verify(&out, token, &old_key, 1, NOW), ASEC_EAUTH);
	assert_string_equal(error_last(), "token signature does not match");
	free(token);
}

static void test_token_times(void **state)
{
	struct auth_token_claims c, out;
	struct auth_key key;
	char *token = NULL;

	(void)state;
	key_fixed(&key, 0);
	claims_fixed(&c);
	c.exp = NOW + 3600;
	assert_int_equal(auth_token_sign(&token, &c, &key), ASEC_OK);
	assert_int_equal(auth_token_verify(&out, token, &key, 1, NOW + 3599), ASEC_OK);
	/* Inside the leeway after exp: still accepted; past it: expired. */
	assert_int_equal(auth_token_verify(&out, token, &key, 1, NOW + 3600 + AUTH_TOKEN_LEEWAY - 1), ASEC_OK);
	assert_int_equal(auth_token_verify(&out, token, &key, 1, NOW + 3600 + AUTH_TOKEN_LEEWAY), ASEC_EAUTH);
	assert_string_equal(error_last(), "token expired at 2023-11-14T23:13:20Z");
	/* Out must stay untouched on failure. */
	memset(&out, 0x5a, sizeof(out));
	assert_int_equal(auth_token_verify(&out, token, &key, 1, NOW + 7200), ASEC_EAUTH);
	assert_int_equal(out.iat, (int64_t)0x5a5a5a5a5a5a5a5aLL);
	/* Issued in the future beyond the leeway (the verifier's clock is behind). */
	assert_int_equal(auth_token_verify(&out, token, &key, 1, NOW - AUTH_TOKEN_LEEWAY), ASEC_OK);
	assert_int_equal(auth_token_verify(&out, token, &key, 1, NOW - AUTH_TOKEN_LEEWAY - 1), ASEC_EAUTH);
	assert_non_null(strstr(error_last(), "issued in the future"));
	free(token);

	/* Not before. */
	claims_fixed(&c);
	c.nbf = NOW + 600;
	assert_int_equal(auth_token_sign(&token, &c, &key), ASEC_OK);
	assert_int_equal(auth_token_verify(&out, token, &key, 1, NOW), ASEC_EAUTH);
	assert_string_equal(error_last(), "token not valid before 2023-11-14T22:23:20Z");
	assert_int_equal(auth_token_verify(&out, token, &key, 1, NOW + 600 - AUTH_TOKEN_LEEWAY), ASEC_OK);
	free(token);

	assert_int_equal(auth_token_verify(&out, python_token, &key, 1, -1), ASEC_EINVALID);
}

static void test_token_shape(void **state)
{
	const char *dot2 = strrchr(python_token, '.');
	size_t p = (size_t)(dot2 - python_token);
	struct auth_key key;
	char *big, buf[1024];

	(void)state;
	key_fixed(&key, 0);
	static const char *const shapes[] = {
		"", ".", "..", "...", "a.b", "a.b.c.d", ".b.c", "a..c", "a.b.",
		"eyJhbGciOiJIUzI1NiJ9", "not a token at all",
	};
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		assert_int_equal(verify1(shapes[i], &key, NOW), ASEC_EAUTH);
		assert_non_null(strstr(error_last(), "malformed token"));
	}
	/* Padding, standard-alphabet characters, whitespace, an extra part. */
	snprintf(buf, sizeof(buf), "%s=", python_token);
	assert_int_equal(verify1(buf, &key, NOW), ASEC_EAUTH);
	snprintf(buf, sizeof(buf), "%.*s=.%s", (int)p, python_token, dot2 + 1);
	assert_int_equal(verify1(buf, &key, NOW), ASEC_EAUTH);
	snprintf(buf, sizeof(buf), "%s ", python_token);
	assert_int_equal(verify1(buf, &key, NOW), ASEC_EAUTH);
	snprintf(buf, sizeof(buf), " %s", python_token);
	assert_int_equal(verify1(buf, &key, NOW), ASEC_EAUTH);
	snprintf(buf, sizeof(buf), "%s.", python_token);
	assert_int_equal(verify1(buf, &key, NOW), ASEC_EAUTH);
	strcpy(buf, python_token);
	*strchr(buf, '_') = '/';
	assert_int_equal(verify1(buf, &key, NOW), ASEC_EAUTH);
	/* Signature too short (31 bytes) or too long (33). */
	snprintf(buf, sizeof(buf), "%.*s", (int)(strlen(python_token) - 2), python_token);
	assert_int_equal(verify1(buf, &key, NOW), ASEC_EAUTH);
	snprintf(buf, sizeof(buf), "%sAA", python_token);
	assert_int_equal(verify1(buf, &key, NOW), ASEC_EAUTH);

	/* Size bound, checked first. */
	big = malloc(AUTH_TOKEN_MAX + 2);
	assert_non_null(big);
	memset(big, 'A', AUTH_TOKEN_MAX + 1);
	big[AUTH_TOKEN_MAX + 1] = '\0';
	big[10] = '.';
	big[20] = '.';
	assert_int_equal(verify1(big, &key, NOW), ASEC_EAUTH);
	assert_string_equal(error_last(), "token longer than 8192 bytes");
	free(big);
}

static void test_token_hostile_claims(void **state)
{
	static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"630dcd29\"}";
#define J "\"jti\":\"0f8fad5b-d9cb-469f-a165-70867728950e\""
	static const char *const refused[] = {
		"{\"iss\":\"someone-else\",\"sub\":\"a\"," J ",\"iat\":1700000000,\"roles\":[]}",
		"{\"sub\":\"a\"," J ",\"iat\":1700000000,\"roles\":[]}",
		"{\"iss\":\"asec-central\"," J ",\"iat\":1700000000,\"roles\":[]}",
		"{\"iss\":\"asec-central\",\"sub\":\"\"," J ",\"iat\":1700000000,\"roles\":[]}",
		"{\"iss\":\"asec-central\",\"sub\":\"a\",\"iat\":1700000000,\"roles\":[]}",
		"{\"iss\":\"asec-central\",\"sub\":\"a\",\"jti\":\"x\",\"iat\":1700000000,\"roles\":[]}",
		"{\"iss\":\"asec-central\",\"sub\":\"a\"," J ",\"roles\":[]}",
		"{\"iss\":\"asec-central\",\"sub\":\"a\"," J ",\"iat\":1700000000}",
		"{\"iss\":\"asec-central\",\"sub\":\"a\"," J ",\"iat\":1700000000,\"roles\":\"Admin\"}",
		"{\"iss\":\"asec-central\",\"sub\":\"a\"," J ",\"iat\":1700000000,\"roles\":[\"admin\"]}",
		"{\"iss\":\"asec-central\",\"sub\":\"a\"," J ",\"iat\":1700000000,\"roles\":[1]}",
		"{\"iss\":\"asec-central\",\"sub\":\"a\"," J ",\"iat\":1700000000,\"roles\":[\"None\",\"None\","
		"\"None\",\"None\",\"None\",\"None\",\"None\",\"None\",\"None\",\"None\",\"None\",\"None\","
		"\"None\",\"None\",\"None\",\"None\",\"None\"]}",
		"{\"iss\":\"asec-central\",\"sub\":\"a\"," J ",\"iat\":\"1700000000\",\"roles\":[]}",
		"{\"iss\":\"asec-central\",\"sub\":\"a\"," J ",\"iat\":1700000000.5,\"roles\":[]}",
		"{\"iss\":\"asec-central\",\"sub\":\"a\"," J ",\"iat\":-5,\"roles\":[]}",
		"{\"iss\":\"asec-central\",\"sub\":\"a\"," J ",\"iat\":1700000000,\"exp\":0,\"roles\":[]}",
		"{\"iss\":\"asec-central\",\"sub\":\"a\"," J ",\"iat\":1700000000,\"exp\":1600000000,\"roles\":[]}",
		"{\"iss\":\"asec-central\",\"sub\":\"a\"," J ",\"iat\":1700000000,\"exp\":99999999999999,\"roles\":[]}",
		"{\"iss\":\"asec-central\",\"sub\":\"a\"," J ",\"iat\":1700000000,\"exp\":1800000000,"
		"\"exp\":1600000000,\"roles\":[]}",
		"{\"iss\":\"asec-central\",\"sub\":\"a\\u0000b\"," J ",\"iat\":1700000000,\"roles\":[]}",
		"{\"iss\":\"asec-central\",\"sub\":\"a\"," J ",\"iat\":1700000000,\"name\":5,\"roles\":[]}",
		"[\"asec-central\"]",
		"{\"iss\":\"asec-central\",\"sub\":\"a\"," J ",\"iat\":1700000000,\"roles\":[]} trailing",
	};
	struct auth_key key;
	char *t;

	(void)state;
	key_fixed(&key, 0);
	/* The control: minimal claims and unknown extra claims are fine. */
	t = craft(header, "{\"iss\":\"asec-central\",\"sub\":\"a\"," J ",\"iat\":1700000000,\"roles\":[],"
		  "\"future\":{\"x\":[1,2]}}", &key);
	assert_int_equal(verify1(t, &key, NOW), ASEC_OK);
	free(t);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		t = craft(header, refused[i], &key);
		if (verify1(t, &key, NOW) != ASEC_EAUTH)
			fail_msg("accepted claims #%zu: %s", i, refused[i]);
		free(t);
	}
#undef J
}

/* ---- Authorization headers ---------------------------------------------- */

static void test_basic_parse(void **state)
{
	char *user = NULL, *pw = NULL, hdr[4200], enc[4096];
	char *long_user;

	(void)state;
	assert_int_equal(auth_basic_parse(&user, &pw, "Basic YWRtaW46c2VjcmV0"), ASEC_OK);
	assert_string_equal(user, "admin");
	assert_string_equal(pw, "secret");
	free(user);
	free(pw);
	/* Case-insensitive scheme, several blanks, a ':' inside the password. */
	assert_int_equal(auth_basic_parse(&user, &pw, "bAsIc   YWRtaW46czpl"), ASEC_OK);
	assert_string_equal(user, "admin");
	assert_string_equal(pw, "s:e");
	free(user);
	free(pw);

	static const char *const refused[] = {
		NULL, "", "Basic", "Basic ", "Bearer YWRtaW46c2VjcmV0", "BasicYWRtaW46c2VjcmV0",
		"Basic YWRtaW4=",        /* "admin": no colon */
		"Basic OnNlY3JldA==",    /* ":secret": no user */
		"Basic YWRtaW46",        /* "admin:": no password */
		"Basic YWRtaW46c2VjcmV0=", "Basic YWRtaW46c2VjcmV0!", "Basic YWRt aW46c2VjcmV0",
		"Basic YQBiOmM=",        /* "a\0b:c" */
		"Basic YQpiOmM=",        /* "a\nb:c" */
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		assert_int_equal(auth_basic_parse(&user, &pw, refused[i]), ASEC_EAUTH);
		assert_null(user);
		assert_null(pw);
	}

	/* The bounds: a 256-byte user and a 511-byte password pass; one more
	 * byte of password does not. */
	long_user = malloc(AUTH_USER_MAX + AUTH_PASSWORD_MAX + 3);
	assert_non_null(long_user);
	memset(long_user, 'u', AUTH_USER_MAX);
	long_user[AUTH_USER_MAX] = ':';
	memset(long_user + AUTH_USER_MAX + 1, 'p', AUTH_PASSWORD_MAX + 1);
	auth_b64_encode(enc, (unsigned char *)long_user, AUTH_USER_MAX + 1 + AUTH_PASSWORD_MAX, AUTH_B64_STD_PAD);
	snprintf(hdr, sizeof(hdr), "Basic %s", enc);
	assert_int_equal(auth_basic_parse(&user, &pw, hdr), ASEC_OK);
	assert_int_equal(strlen(user), AUTH_USER_MAX);
	assert_int_equal(strlen(pw), AUTH_PASSWORD_MAX);
	free(user);
	free(pw);
	auth_b64_encode(enc, (unsigned char *)long_user, AUTH_USER_MAX + 2 + AUTH_PASSWORD_MAX, AUTH_B64_STD_PAD);
	snprintf(hdr, sizeof(hdr), "Basic %s", enc);
	assert_int_equal(auth_basic_parse(&user, &pw, hdr), ASEC_EAUTH);
	free(long_user);
}

static void test_bearer_parse(void **state)
{
	const char *token;

	(void)state;
	assert_int_equal(auth_bearer_parse(&token, "Bearer abc.def.ghi"), ASEC_OK);
	assert_string_equal(token, "abc.def.ghi");
	assert_int_equal(auth_bearer_parse(&token, "bearer\tabc"), ASEC_OK);
	assert_string_equal(token, "abc");
	assert_int_equal(auth_bearer_parse(&token, "Bearer "), ASEC_EAUTH);
	assert_null(token);
	assert_int_equal(auth_bearer_parse(&token, "Bearerabc"), ASEC_EAUTH);
	assert_int_equal(auth_bearer_parse(&token, "Basic abc"), ASEC_EAUTH);
	assert_int_equal(auth_bearer_parse(&token, NULL), ASEC_EAUTH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64_vectors),
		cmocka_unit_test(test_base64_strict),
		cmocka_unit_test(test_password_round_trip_and_cost),
		cmocka_unit_test(test_password_limits),
		cmocka_unit_test(test_password_hash_formats),
		cmocka_unit_test(test_password_generate),
		cmocka_unit_test(test_cache_basics_and_ttl),
		cmocka_unit_test(test_cache_capacity),
		cmocka_unit_test(test_cache_stores_no_secret),
		cmocka_unit_test(test_cache_threads),
		cmocka_unit_test(test_role_names),
		cmocka_unit_test(test_role_allows),
		cmocka_unit_test(test_permissions_json),
		cmocka_unit_test(test_key_from_bytes),
		cmocka_unit_test(test_key_file),
		cmocka_unit_test(test_key_file_race),
		cmocka_unit_test(test_token_interop_vector),
		cmocka_unit_test(test_token_round_trip),
		cmocka_unit_test(test_token_sign_refuses_bad_claims),
		cmocka_unit_test(test_token_tampering),
		cmocka_unit_test(test_token_algorithms),
		cmocka_unit_test(test_token_keys),
		cmocka_unit_test(test_token_times),
		cmocka_unit_test(test_token_shape),
		cmocka_unit_test(test_token_hostile_claims),
		cmocka_unit_test(test_basic_parse),
		cmocka_unit_test(test_bearer_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
