/*
 * challenge_test.c - the WWW-Authenticate parser: what registries send
 * (Docker Hub, distribution's htpasswd, GitLab, Harbor styles), the corners of
 * the RFC 9110 grammar, and malformed or oversized headers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"
#include "registry/registry_int.h"

static int parse(struct reg_challenges *c, const char *s)
{
	return reg_challenges_parse(c, s, strlen(s));
}

static void test_docker_hub(void **state)
{
	struct reg_challenges c = { 0 };
	const struct reg_challenge *b;

	(void)state;
	assert_int_equal(parse(&c, "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
				   "scope=\"repository:library/nginx:pull\""),
			 ASEC_OK);
	assert_int_equal(c.count, 1);
	b = reg_challenges_find(&c, "Bearer");
	assert_non_null(b);
	assert_string_equal(b->scheme, "bearer");
	assert_int_equal(b->param_count, 3);
	assert_string_equal(reg_challenge_param(b, "realm"), "https://auth.docker.io/token");
	assert_string_equal(reg_challenge_param(b, "SERVICE"), "registry.docker.io");
	assert_string_equal(reg_challenge_param(b, "scope"), "repository:library/nginx:pull");
	assert_null(reg_challenge_param(b, "error"));
	reg_challenges_free(&c);
}

static void test_several(void **state)
{
	struct reg_challenges c = { 0 };
	const struct reg_challenge *b;

	(void)state;
	/* Two challenges in one field, then a third from a second field. */
	assert_int_equal(parse(&c, "Basic realm=\"x\", Bearer realm=\"https://a/t\",service=\"s\""), ASEC_OK);
	assert_int_equal(parse(&c, "Negotiate"), ASEC_OK);
	assert_int_equal(c.count, 3);
	assert_string_equal(c.items[0].scheme, "basic");
	assert_string_equal(reg_challenge_param(&c.items[0], "realm"), "x");
	assert_string_equal(c.items[1].scheme, "bearer");
	assert_int_equal(c.items[1].param_count, 2);
	assert_string_equal(c.items[2].scheme, "negotiate");
	assert_int_equal(c.items[2].param_count, 0);
	b = reg_challenges_find(&c, "bearer");
	assert_ptr_equal(b, &c.items[1]);
	reg_challenges_free(&c);
	assert_int_equal(c.count, 0);
}

static void test_grammar_corners(void **state)
{
	struct reg_challenges c = { 0 };

	(void)state;
	/* Escapes, and commas and '=' inside quotes. */
	assert_int_equal(parse(&c, "Bearer realm=\"https://a/t?x=\\\"y\\\"\",service=\"s\\\\z\","
				   "scope=\"repository:a:pull,push\""),
			 ASEC_OK);
	assert_string_equal(reg_challenge_param(&c.items[0], "realm"), "https://a/t?x=\"y\"");
	assert_string_equal(reg_challenge_param(&c.items[0], "service"), "s\\z");
	assert_string_equal(reg_challenge_param(&c.items[0], "scope"), "repository:a:pull,push");
	reg_challenges_free(&c);

	/* Scheme and names in any case, whitespace around '=', token values,
	 * empty list elements anywhere. */
	assert_int_equal(parse(&c, " , ,BEARER Realm = \"x\" ,, service=y ,  , Basic realm=z,"), ASEC_OK);
	assert_int_equal(c.count, 2);
	assert_string_equal(c.items[0].scheme, "bearer");
	assert_string_equal(reg_challenge_param(&c.items[0], "realm"), "x");
	assert_string_equal(reg_challenge_param(&c.items[0], "service"), "y");
	assert_string_equal(reg_challenge_param(&c.items[1], "realm"), "z");
	reg_challenges_free(&c);

	/* token68, alone and followed by another challenge. */
	assert_int_equal(parse(&c, "Negotiate YWJjZGVm==, Basic realm=\"r\""), ASEC_OK);
	assert_int_equal(c.count, 2);
	assert_string_equal(c.items[0].token68, "YWJjZGVm==");
	assert_int_equal(c.items[0].param_count, 0);
	assert_string_equal(reg_challenge_param(&c.items[1], "realm"), "r");
	reg_challenges_free(&c);

	/* A quoted empty value, and obs-text kept as bytes. */
	assert_int_equal(parse(&c, "Bearer realm=\"\",service=\"caf\xc3\xa9\""), ASEC_OK);
	assert_string_equal(reg_challenge_param(&c.items[0], "realm"), "");
	assert_string_equal(reg_challenge_param(&c.items[0], "service"), "caf\xc3\xa9");
	reg_challenges_free(&c);

	/* Schemes alone. */
	assert_int_equal(parse(&c, "Basic, Bearer"), ASEC_OK);
	assert_int_equal(c.count, 2);
	reg_challenges_free(&c);
}

static void test_malformed(void **state)
{
	static const struct {
		const char *in;
		const char *why;
	} bad[] = {
		{ "", "no challenge" },
		{ " , ", "no challenge" },
		{ "Bearer realm=\"abc", "quoted" },
		{ "Bearer realm=\"abc\\", "quoted" },
		{ "Bearer realm=\"a\",realm=\"b\"", "twice" },
		{ "Bearer REALM=a, realm=b", "twice" },
		{ "=\"x\"", "scheme" },
		{ "Bearer realm=\"x\" junk", "expected ','" },
		{ "Bearer realm=\"x\"junk", "expected ','" },
		{ "Bearer\"x\"", "space" },
		{ "Bearer realm=\"a\rb\"", "control" },
		{ "Bearer realm=\"a\nb\"", "control" },
		{ "Bearer @@@", "malformed" },
		{ "Bearer abc== junk", "malformed" },
	};
	struct reg_challenges c = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse(&c, bad[i].in);

		if (rc != ASEC_EINVALID || !strstr(error_last(), bad[i].why))
			print_error("'%s': rc %d '%s' (expected '%s')\n", bad[i].in, rc, error_last(), bad[i].why);
		assert_int_equal(rc, ASEC_EINVALID);
		assert_non_null(strstr(error_last(), bad[i].why));
		assert_int_equal(c.count, 0);
	}
	/* A NUL inside the given length is a control character, not an end. */
	assert_int_equal(reg_challenges_parse(&c, "Basic realm=\"a\0b\"", 17), ASEC_EINVALID);
	assert_int_equal(reg_challenges_parse(&c, NULL, 0), ASEC_EINVALID);
}

static void test_bounds(void **state)
{
	struct reg_challenges c = { 0 };
	char *s = malloc(REG_CHALLENGE_HEADER_MAX + 64);
	size_t n = 0;

	(void)state;
	assert_non_null(s);
	/* 32 parameters are fine, 33 are not. */
	n = (size_t)sprintf(s, "Bearer p0=a");
	for (int i = 1; i < REG_CHALLENGE_PARAMS_MAX; i++)
		n += (size_t)sprintf(s + n, ",p%d=a", i);
	assert_int_equal(reg_challenges_parse(&c, s, n), ASEC_OK);
	assert_int_equal(c.items[0].param_count, REG_CHALLENGE_PARAMS_MAX);
	reg_challenges_free(&c);
	n += (size_t)sprintf(s + n, ",extra=a");
	assert_int_equal(reg_challenges_parse(&c, s, n), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "parameters"));

	/* 16 challenges in all, across fields; the 17th is refused and the
	 * earlier ones stay. */
	for (int i = 0; i < REG_CHALLENGES_MAX - 1; i++)
		assert_int_equal(parse(&c, "Basic realm=x"), ASEC_OK);
	assert_int_equal(parse(&c, "Basic realm=x, Bearer realm=y"), ASEC_EINVALID);
	assert_int_equal(c.count, REG_CHALLENGES_MAX - 1);
	assert_int_equal(parse(&c, "Bearer realm=y"), ASEC_OK);
	assert_int_equal(c.count, REG_CHALLENGES_MAX);
	reg_challenges_free(&c);

	/* Length. */
	memset(s, 'a', REG_CHALLENGE_HEADER_MAX + 1);
	memcpy(s, "Basic realm=", 12);
	assert_int_equal(reg_challenges_parse(&c, s, REG_CHALLENGE_HEADER_MAX + 1), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "longer than"));
	assert_int_equal(reg_challenges_parse(&c, s, REG_CHALLENGE_HEADER_MAX), ASEC_OK);
	assert_int_equal(strlen(reg_challenge_param(&c.items[0], "realm")), REG_CHALLENGE_HEADER_MAX - 12);
	reg_challenges_free(&c);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_hub),
		cmocka_unit_test(test_several),
		cmocka_unit_test(test_grammar_corners),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
