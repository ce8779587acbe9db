/*
 * defaults_test.c - the project's default policies (policies/defaults, one JSON file each)
 * are policies this engine accepts: each validates and parses, at least 60 of
 * them, ids and names unique. Central refuses to start on a default that
 * does not parse, so a bad file must fail here first, where it is named.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"
#include "policy/policy.h"

#define DEFAULTS_MIN 60

static void test_every_default_parses(void **state)
{
	const char *src = getenv("ASEC_SOURCE_DIR");
	char dir[1024], path[2048];
	json_t *ids = json_object(), *names = json_object();
	struct dirent *e;
	size_t count = 0;
	DIR *d;

	(void)state;
	assert_non_null(src);
	snprintf(dir, sizeof(dir), "%s/policies/defaults", src);
	assert_non_null(d = opendir(dir));
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		struct policy *p = NULL;
		json_error_t jerr;
		json_t *doc, *errors = NULL;
		char lower[256];

		if (len < 6 || strcmp(e->d_name + len - 5, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (!(doc = json_load_file(path, 0, &jerr)))
			fail_msg("%s: not JSON: %s (line %d)", e->d_name, jerr.text, jerr.line);
		assert_int_equal(policy_validate(&errors, doc), ASEC_OK);
		if (json_array_size(errors) > 0) {
			char *text = json_dumps(errors, JSON_COMPACT);
			fail_msg("%s: %s", e->d_name, text);
		}
		if (policy_parse(&p, doc) != ASEC_OK)
			fail_msg("%s: %s", e->d_name, error_last());
		if (!json_is_true(json_object_get(doc, "isDefault")) ||
		    !json_is_true(json_object_get(doc, "criteriaLocked")))
			fail_msg("%s: a default policy is isDefault and criteriaLocked", e->d_name);
		if (json_object_get(ids, policy_id(p)))
			fail_msg("%s: id %s is also %s's", e->d_name, policy_id(p),
				 json_string_value(json_object_get(ids, policy_id(p))));
		json_object_set_new(ids, policy_id(p), json_string(e->d_name));
		snprintf(lower, sizeof(lower), "%s", policy_name(p));
		for (char *c = lower; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
		if (json_object_get(names, lower))
			fail_msg("%s: the name \"%s\" is taken", e->d_name, policy_name(p));
		json_object_set_new(names, lower, json_true());
		policy_free(p);
		json_decref(errors);
		json_decref(doc);
		count++;
	}
	closedir(d);
	printf("%zu default policies validate and parse\n", count);
	if (count < DEFAULTS_MIN)
		fail_msg("%zu default policies; the set has at least %d", count, DEFAULTS_MIN);
	json_decref(ids);
	json_decref(names);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_default_parses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
