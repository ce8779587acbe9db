#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "error/error.h"

static void test_set_and_prefix(void **state)
{
	(void)state;
	error_clear();
	assert_string_equal(error_last(), "");
	error_set("bad %s", "thing");
	assert_string_equal(error_last(), "bad thing");
	error_prefix("loading %d", 7);
	assert_string_equal(error_last(), "loading 7: bad thing");
}

static void test_long_message_is_cut(void **state)
{
	char big[4000];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	error_set("%s", big);
	assert_int_equal(strlen(error_last()), 1023);
}

static void test_code_names(void **state)
{
	(void)state;
	assert_string_equal(error_code_name(ASEC_ENOTFOUND), "not found");
	assert_string_equal(error_code_name(12345), "error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_and_prefix),
		cmocka_unit_test(test_long_message_is_cut),
		cmocka_unit_test(test_code_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
