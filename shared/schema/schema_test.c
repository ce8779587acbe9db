/*
 * schema_test.c - the validator's keyword semantics on hand-built schemas.
 * (Schemas generated from a spec are exercised end to end by http_test.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "error/error.h"
#include "schema/schema.h"

static int check(const struct schema *s, const char *text)
{
	struct schema_result r;
	json_t *v = NULL;
	int rc;

	assert_int_equal(schema_parse_json(&v, text, strlen(text)), ASEC_OK);
	rc = schema_validate(&r, s, v);
	schema_result_clear(&r);
	json_decref(v);
	return rc;
}

static void test_types_and_integers(void **state)
{
	const struct schema integer = {.types = SCHEMA_INTEGER};
	const struct schema nullable = {.types = SCHEMA_STRING | SCHEMA_NULL};

	assert_int_equal(check(&integer, "3"), ASEC_OK);
	assert_int_equal(check(&integer, "3.0"), ASEC_OK); /* JSON Schema: 3.0 is an integer */
	assert_int_equal(check(&integer, "3.5"), ASEC_EINVALID);
	assert_int_equal(check(&integer, "\"3\""), ASEC_EINVALID);
	assert_int_equal(check(&nullable, "null"), ASEC_OK);
	assert_int_equal(check(&nullable, "1"), ASEC_EINVALID);
}

static void test_lengths_count_characters(void **state)
{
	const struct schema s = {.types = SCHEMA_STRING, .has_max_length = 1, .max_length = 3};

	assert_int_equal(check(&s, "\"\xc3\xa9\xc3\xa9\xc3\xa9\""), ASEC_OK); /* 3 characters, 6 bytes */
	assert_int_equal(check(&s, "\"abcd\""), ASEC_EINVALID);
}

static void test_formats(void **state)
{
	const struct schema dt = {.types = SCHEMA_STRING, .format = SCHEMA_FORMAT_DATE_TIME};
	const struct schema uuid = {.types = SCHEMA_STRING, .format = SCHEMA_FORMAT_UUID};
	const struct schema ipv4 = {.types = SCHEMA_STRING, .format = SCHEMA_FORMAT_IPV4};

	assert_int_equal(check(&dt, "\"2026-11-27T13:40:09Z\""), ASEC_OK);
	assert_int_equal(check(&dt, "\"2026-11-27T13:40:09.123456+05:30\""), ASEC_OK);
	assert_int_equal(check(&dt, "\"2026-13-27T13:40:09Z\""), ASEC_EINVALID);
	assert_int_equal(check(&dt, "\"2026-11-27 13:40:09Z\""), ASEC_EINVALID);
	assert_int_equal(check(&dt, "\"2026-11-27T13:40:09\""), ASEC_EINVALID);
	assert_int_equal(check(&uuid, "\"123e4567-e89b-12d3-a456-426614174000\""), ASEC_OK);
	assert_int_equal(check(&uuid, "\"123e4567e89b12d3a456426614174000\""), ASEC_EINVALID);
	assert_int_equal(check(&ipv4, "\"10.1.2.3\""), ASEC_OK);
	assert_int_equal(check(&ipv4, "\"10.1.2.300\""), ASEC_EINVALID);
}

static void test_violations_are_capped_and_pointed(void **state)
{
	const struct schema item = {.types = SCHEMA_INTEGER};
	const struct schema list = {.types = SCHEMA_ARRAY, .items = &item};
	struct schema_result r;
	json_t *v = json_array();
	char *summary;
	int i;

	for (i = 0; i < 100; i++)
		json_array_append_new(v, json_string("x"));
	assert_int_equal(schema_validate(&r, &list, v), ASEC_EINVALID);
	assert_int_equal(r.count, SCHEMA_MAX_VIOLATIONS);
	assert_true(r.truncated);
	assert_string_equal(r.violations[3].pointer, "/3");
	summary = schema_result_summary(&r);
	assert_non_null(strstr(summary, "(more not shown)"));
	free(summary);
	schema_result_clear(&r);
	json_decref(v);
}

static void test_pointer_escaping(void **state)
{
	const struct schema obj = {.types = SCHEMA_OBJECT, .additional = SCHEMA_ADDITIONAL_FORBID};
	struct schema_result r;
	json_t *v = json_pack("{s:i}", "a/b~c", 1);

	assert_int_equal(schema_validate(&r, &obj, v), ASEC_EINVALID);
	assert_string_equal(r.violations[0].pointer, "/a~1b~0c");
	schema_result_clear(&r);
	json_decref(v);
}

static void test_recursion_is_bounded(void **state)
{
	/* A schema that refers to itself, fed a value nested deeper than the cap. */
	static struct schema node;
	static const struct schema_property props[] = {{"child", &node}};
	char text[2000];
	size_t n = 0;
	int i;

	node.types = SCHEMA_OBJECT;
	node.properties = props;
	node.property_count = 1;
	for (i = 0; i < 100; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "{\"child\":");
	n += (size_t)snprintf(text + n, sizeof(text) - n, "{}");
	for (i = 0; i < 100; i++)
		text[n++] = '}';
	text[n] = '\0';
	assert_int_equal(check(&node, text), ASEC_EINVALID);
}

static void test_enum_and_composites(void **state)
{
	static const char *const values[] = {"\"a\"", "1", "true"};
	const struct schema e = {.enum_values = values, .enum_count = 3};
	const struct schema str = {.types = SCHEMA_STRING};
	const struct schema num = {.types = SCHEMA_NUMBER};
	const struct schema *const both[] = {&str, &num};
	const struct schema any = {.any_of = both, .any_of_count = 2};
	const struct schema *const overlapping[] = {&num, &num};
	const struct schema one = {.one_of = overlapping, .one_of_count = 2};

	assert_int_equal(check(&e, "\"a\""), ASEC_OK);
	assert_int_equal(check(&e, "1"), ASEC_OK);
	assert_int_equal(check(&e, "true"), ASEC_OK);
	assert_int_equal(check(&e, "\"b\""), ASEC_EINVALID);
	assert_int_equal(check(&any, "\"x\""), ASEC_OK);
	assert_int_equal(check(&any, "[]"), ASEC_EINVALID);
	assert_int_equal(check(&one, "1"), ASEC_EINVALID); /* matches both: not exactly one */
}

static void test_parse_rejects_bad_json(void **state)
{
	json_t *v = NULL;

	assert_int_equal(schema_parse_json(&v, "{\"a\":1,\"a\":2}", 13), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "duplicate"));
	assert_int_equal(schema_parse_json(&v, "{\"a\":\"\\u0000\"}", 14), ASEC_EINVALID);
	assert_int_equal(schema_parse_json(&v, "\"\xff\"", 3), ASEC_EINVALID);
	assert_null(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types_and_integers),
		cmocka_unit_test(test_lengths_count_characters),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_violations_are_capped_and_pointed),
		cmocka_unit_test(test_pointer_escaping),
		cmocka_unit_test(test_recursion_is_bounded),
		cmocka_unit_test(test_enum_and_composites),
		cmocka_unit_test(test_parse_rejects_bad_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
