/*
 * detector_test.c - the helpers every detector shares (detector.c): which
 * names and versions are plausible (length, control characters, every way
 * UTF-8 can be malformed), purl percent-encoding with each flag and when
 * the buffer is too small, the bounded JSON load (nesting and value count,
 * brackets inside strings), and line splitting of text databases.
 */
#include "detectors/detector_testing.h"

static void test_field_ok(void **state)
{
	static const struct {
		const char *s;
		int ok;
	} cases[] = {
		{ "", 0 },
		{ "a", 1 },
		{ "left-pad 1.0", 1 },               /* blanks are the ecosystem's business */
		{ "tab\there", 0 },
		{ "del\x7f", 0 },
		{ "caf\xc3\xa9", 1 },                /* U+00E9 */
		{ "\xc2\xa0", 1 },                   /* U+00A0, just past C1 */
		{ "\xc2\x80", 0 },                   /* U+0080, C1 control */
		{ "\xc2\x9f", 0 },                   /* U+009F, C1 control */
		{ "\xc0\xaf", 0 },                   /* overlong "/" */
		{ "\xe0\x80\xaf", 0 },               /* overlong "/" */
		{ "\xed\xa0\x80", 0 },               /* a surrogate */
		{ "\xf0\x9f\x98\x80", 1 },           /* U+1F600 */
		{ "\xf4\x90\x80\x80", 0 },           /* past U+10FFFF */
		{ "\xf5\x80\x80\x80", 0 },
		{ "\xe2\x82", 0 },                   /* cut short */
		{ "\x80", 0 },                       /* a lone continuation byte */
	};
	char big[DETECTOR_MAX_FIELD + 2];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (detector_field_ok(cases[i].s, strlen(cases[i].s)) != cases[i].ok)
			fail_msg("detector_field_ok(case %zu) should be %d", i, cases[i].ok);
	assert_false(detector_field_ok("a\0b", 3));
	memset(big, 'a', sizeof(big));
	assert_true(detector_field_ok(big, DETECTOR_MAX_FIELD));
	assert_false(detector_field_ok(big, DETECTOR_MAX_FIELD + 1));
}

static void escaped(const char *s, unsigned flags, const char *want)
{
	char buf[128];
	size_t len = 0;

	buf[0] = '\0';
	detector_purl_escape(buf, sizeof(buf), &len, s, strlen(s), flags);
	assert_string_equal(buf, want);
	assert_int_equal(len, strlen(want));
}

static void test_purl_escape(void **state)
{
	char buf[16];
	size_t len = 0;

	(void)state;
	escaped("Foo Bar:1/2~x_y.z-w", 0, "Foo%20Bar:1%2F2~x_y.z-w");
	escaped("Foo Bar:1/2", DETECTOR_PURL_LOWER, "foo%20bar:1%2F2");
	escaped("Foo Bar:1/2", DETECTOR_PURL_KEEP_SLASH | DETECTOR_PURL_ENCODE_COLON, "Foo%20Bar%3A1/2");
	escaped("@scope+1?#&=%", 0, "%40scope%2B1%3F%23%26%3D%25");
	escaped("caf\xc3\xa9", DETECTOR_PURL_LOWER, "caf%C3%A9");

	/* Too small: cut before the first byte that does not fit whole, never
	 * past the buffer, always terminated. */
	memset(buf, 'X', sizeof(buf));
	buf[0] = '\0';
	detector_purl_escape(buf, 5, &len, "ab c", 4, 0);
	assert_string_equal(buf, "ab");
	assert_int_equal(len, 2);
	detector_purl_append(buf, 5, &len, "@");
	assert_string_equal(buf, "ab@");
	detector_purl_append(buf, 5, &len, "?arch=");
	assert_string_equal(buf, "ab@");
	detector_purl_escape(buf, 5, &len, "zz", 2, 0);
	assert_string_equal(buf, "ab@z");
	assert_int_equal(buf[5], 'X');
}

static void test_purl_os(void **state)
{
	char *p;

	(void)state;
	p = detector_purl_os("pkg:deb/debian/", "libc6", "2.36-9+deb12u4", "amd64");
	assert_string_equal(p, "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64");
	free(p);
	p = detector_purl_os("pkg:apk/alpine/", "musl", "", NULL);
	assert_string_equal(p, "pkg:apk/alpine/musl");
	free(p);
	p = detector_purl_os("pkg:deb/debian/", "x", NULL, "arm64");
	assert_string_equal(p, "pkg:deb/debian/x?arch=arm64");
	free(p);
}

static void load(struct scan_out *out, json_t **root, const char *text)
{
	memset(out, 0, sizeof(*out));
	detector_json_load_bounded(root, out, "app/x.json", (const unsigned char *)text, strlen(text));
}

static char *nested(size_t depth)
{
	char *s = malloc(2 * depth + 1);

	assert_non_null(s);
	memset(s, '[', depth);
	memset(s + depth, ']', depth);
	s[2 * depth] = '\0';
	return s;
}

static void test_json_load_bounded(void **state)
{
	struct scan_out out;
	json_t *root;
	char *doc;
	size_t i, n;

	(void)state;
	load(&out, &root, "{\"name\": \"a[[[{{{\\\"]]]\", \"v\": [1, 2]}");
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "name")), "a[[[{{{\"]]]");
	assert_int_equal(out.note_count, 0);
	json_decref(root);

	doc = nested(64);
	load(&out, &root, doc);
	assert_non_null(root);
	assert_int_equal(out.note_count, 0);
	json_decref(root);
	free(doc);

	doc = nested(65);
	load(&out, &root, doc);
	assert_null(root);
	assert_int_equal(out.note_count, 1);
	assert_true(detector_testing_has_note(&out, "app/x.json: JSON nested deeper than 64 levels; skipped"));
	scan_out_free(&out);
	free(doc);

	/* A million and one values: "[" then "0," a million times. */
	n = 1000001;
	doc = malloc(2 * n + 3);
	assert_non_null(doc);
	doc[0] = '[';
	for (i = 0; i < n; i++)
		memcpy(doc + 1 + 2 * i, "0,", 2);
	memcpy(doc + 1 + 2 * n - 1, "0]", 3);
	load(&out, &root, doc);
	assert_null(root);
	assert_true(detector_testing_has_note(&out, "more than a million values"));
	scan_out_free(&out);
	free(doc);

	load(&out, &root, "{\"a\": ");
	assert_null(root);
	assert_true(detector_testing_has_note(&out, "app/x.json: invalid JSON at line 1"));
	scan_out_free(&out);
}

static void test_lines(void **state)
{
	static const char text[] = "a\r\nb\rc\n\n  d \t";
	static const char *const want[] = { "a", "b", "c", "", "  d \t" };
	const char *line;
	size_t pos = 0, len, i = 0;

	(void)state;
	while (detector_next_line((const unsigned char *)text, strlen(text), &pos, &line, &len)) {
		assert_true(i < sizeof(want) / sizeof(want[0]));
		assert_int_equal(len, strlen(want[i]));
		assert_memory_equal(line, want[i], len);
		i++;
	}
	assert_int_equal(i, sizeof(want) / sizeof(want[0]));
	detector_trim_blanks(&line, &len);
	assert_int_equal(len, 1);
	assert_int_equal(line[0], 'd');
	line = " \t ";
	len = 3;
	detector_trim_blanks(&line, &len);
	assert_int_equal(len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_ok),
		cmocka_unit_test(test_purl_escape),
		cmocka_unit_test(test_purl_os),
		cmocka_unit_test(test_json_load_bounded),
		cmocka_unit_test(test_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
