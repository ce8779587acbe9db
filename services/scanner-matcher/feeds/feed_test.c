/*
 * feed_test.c - tests of the helpers every feed parser shares (feed.c):
 * CVE ids, dates and timestamps, CWE ids, UTF-8-safe cuts and skip
 * reasons. The parsers' own tests reach these through real data; here each
 * one's edges are pinned down where a change to it would show first.
 */
#include "feeds/feed_testing.h"

static void test_cve_and_timestamp(void **state)
{
	char ts[64];

	(void)state;
	assert_true(feed_is_cve_id("CVE-2014-7205"));
	assert_true(feed_is_cve_id("CVE-2021-1234567"));
	assert_false(feed_is_cve_id("CVE-2014-4671A")); /* as written in NSWG-ECO-12 */
	assert_false(feed_is_cve_id("CVE-2014-123"));
	assert_false(feed_is_cve_id("cve-2014-1234"));
	assert_false(feed_is_cve_id("CVE-14-1234"));
	assert_false(feed_is_cve_id(""));
	assert_false(feed_is_cve_id(NULL));

	assert_int_equal(feed_timestamp(ts, sizeof(ts), "2021-01-07"), 1);
	assert_string_equal(ts, "2021-01-07T00:00:00Z");
	assert_int_equal(feed_timestamp(ts, sizeof(ts), "2021-01-07T10:11:12.5+02:00"), 1);
	assert_string_equal(ts, "2021-01-07T10:11:12.5+02:00");
	assert_int_equal(feed_timestamp(ts, sizeof(ts), "2021-13-07"), 0);
	assert_string_equal(ts, "");
	assert_int_equal(feed_timestamp(ts, sizeof(ts), "2021-01-07 junk"), 0);
	assert_int_equal(feed_timestamp(ts, sizeof(ts), "yesterday"), 0);
	assert_int_equal(feed_timestamp(ts, sizeof(ts), NULL), 0);
	assert_int_equal(feed_timestamp(ts, 12, "2021-01-07"), 0); /* no room */
}

static void test_cve_id_bounds(void **state)
{
	(void)state;
	/* 4 to 19 digits after the year, and nothing after them */
	assert_true(feed_is_cve_id("CVE-2024-1234567890123456789"));
	assert_false(feed_is_cve_id("CVE-2024-12345678901234567890"));
	assert_false(feed_is_cve_id("CVE-2024-1234 "));
	assert_false(feed_is_cve_id("CVE-2024_1234"));
	assert_false(feed_is_cve_id("CVE-20a4-1234"));
	/* a token inside a longer line: only its n bytes are looked at */
	assert_true(feed_is_cve_idn("CVE-2020-1971 CVE-2020-1972", 13));
	assert_false(feed_is_cve_idn("CVE-2020-1971", 12));
	assert_false(feed_is_cve_idn(NULL, 0));
}

static void test_date(void **state)
{
	(void)state;
	assert_true(feed_is_date("2021-11-03", 10));
	assert_true(feed_is_date("2023-05-13T00:00:00+0000", 24)); /* a prefix is enough */
	assert_false(feed_is_date("2021-11-0", 9));
	assert_false(feed_is_date("2021-11-03", 9)); /* only n bytes are read */
	assert_false(feed_is_date("2021-00-03", 10));
	assert_false(feed_is_date("2021-12-32", 10));
	assert_false(feed_is_date("2021-12-00", 10));
	assert_false(feed_is_date("2021/12/01", 10));
	assert_false(feed_is_date("21-12-01xx", 10));
	assert_false(feed_is_date(NULL, 10));
}

static void test_utf8_cut(void **state)
{
	static const char text[] = "ab\xc3\xa9" "cd"; /* "abécd": é is 2 bytes at 2..3 */

	(void)state;
	assert_int_equal(feed_utf8_cut(text, 6, 10), 6);
	assert_int_equal(feed_utf8_cut(text, 6, 4), 4);
	assert_int_equal(feed_utf8_cut(text, 6, 3), 2); /* would end inside é */
	assert_int_equal(feed_utf8_cut(text, 6, 2), 2);
	assert_int_equal(feed_utf8_cut(text, 6, 0), 0);
}

static void test_add_cwe(void **state)
{
	json_t *cwes = json_array();
	char id[16];
	int i;

	(void)state;
	assert_non_null(cwes);
	assert_int_equal(feed_add_cwe(cwes, "CWE-79"), ASEC_OK);
	assert_int_equal(feed_add_cwe(cwes, "CWE-79"), ASEC_OK); /* once */
	assert_int_equal(feed_add_cwe(cwes, "NVD-CWE-noinfo"), ASEC_OK);
	assert_int_equal(feed_add_cwe(cwes, "CWE-"), ASEC_OK);
	assert_int_equal(feed_add_cwe(cwes, "CWE-79a"), ASEC_OK);
	assert_int_equal(feed_add_cwe(cwes, "CWE-123456789012345678901234567890"), ASEC_OK); /* 33 bytes */
	assert_int_equal(feed_add_cwe(cwes, NULL), ASEC_OK);
	assert_int_equal(json_array_size(cwes), 1);
	assert_string_equal(json_string_value(json_array_get(cwes, 0)), "CWE-79");
	for (i = 0; i < 100; i++) {
		snprintf(id, sizeof(id), "CWE-%d", 1000 + i);
		assert_int_equal(feed_add_cwe(cwes, id), ASEC_OK);
	}
	assert_int_equal(json_array_size(cwes), FEED_MAX_CWES);
	json_decref(cwes);
}

static void test_skip_reasons(void **state)
{
	struct feed_collector c;
	struct feed_sink sink = feed_collector_init(&c);
	const struct feed_sink quiet = {feed_collect_record, NULL, &c};
	char long_text[2000];
	const char *reason;

	(void)state;
	/* a quoted value cut inside a UTF-8 sequence, and a control byte */
	feed_skipf(&sink, NULL, "bad \"%.3s\"\t(%d)", "ab\xc3\xa9", 7);
	assert_string_equal(json_string_value(json_object_get(json_array_get(c.skips, 0), "id")), "");
	assert_string_equal(json_string_value(json_object_get(json_array_get(c.skips, 0), "reason")),
			    "bad \"ab?\"?(7)");
	feed_skipf(&sink, "CVE-2024-0001", "%s", "plain");
	assert_int_equal(feed_collector_skips(&c, "CVE-2024-0001", "plain"), 1);
	/* cut to FEED_MAX_REASON_BYTES */
	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	feed_skipf(&sink, "", "%s", long_text);
	reason = json_string_value(json_object_get(json_array_get(c.skips, 2), "reason"));
	assert_int_equal(strlen(reason), FEED_MAX_REASON_BYTES - 1);
	/* a sink without a skip callback is told nothing */
	feed_skipf(&quiet, "", "unheard");
	assert_int_equal(json_array_size(c.skips), 3);
	feed_collector_free(&c);
}

static void vskip(const struct feed_sink *sink, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void vskip(const struct feed_sink *sink, size_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	feed_vskipf(sink, "X", line, fmt, ap);
	va_end(ap);
}

static void test_skip_line_numbers(void **state)
{
	struct feed_collector c;
	struct feed_sink sink = feed_collector_init(&c);

	(void)state;
	vskip(&sink, 12, "not JSON (%s)", "eof");
	vskip(&sink, 0, "a whole document");
	assert_string_equal(json_string_value(json_object_get(json_array_get(c.skips, 0), "reason")),
			    "line 12: not JSON (eof)");
	assert_string_equal(json_string_value(json_object_get(json_array_get(c.skips, 1), "reason")),
			    "a whole document");
	feed_collector_free(&c);
}

/* feed_record_check() on "fixedBy": "" or a version above the range. */
static void test_range_fixed_by(void **state)
{
	static const struct {
		const char *eco, *range;
		int ok;
	} cases[] = {
		{"npm", "{\"introduced\":\"0\",\"lastAffected\":\"0.3.3\",\"fixedBy\":\"0.3.4\"}", 1},
		{"npm", "{\"introduced\":\"0\",\"fixed\":\"0.4.0-0\",\"fixedBy\":\"0.4.0\"}", 1},
		{"npm", "{\"introduced\":\"0\",\"fixed\":\"2.0.0\",\"fixedBy\":\"2.0.0\"}", 1},
		{"npm", "{\"introduced\":\"0\",\"fixed\":\"2.0.0\",\"fixedBy\":\"\"}", 1},
		{"npm", "{\"introduced\":\"0\",\"lastAffected\":\"0.3.3\",\"fixedBy\":\"0.3.3\"}", 0}, /* affected */
		{"npm", "{\"introduced\":\"0\",\"fixed\":\"2.0.0\",\"fixedBy\":\"1.9.0\"}", 0},
		{"npm", "{\"introduced\":\"1.0.0\",\"fixedBy\":\"2.0.0\"}", 0}, /* every later version is affected */
		{"npm", "{\"introduced\":\"0\",\"fixed\":\"2.0.0\",\"fixedBy\":2}", 0},
		{"gem", "{\"introduced\":\"0\",\"fixed\":\"2.0\",\"fixedBy\":\"not a version!\"}", 0},
	};
	char text[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *rec;

		snprintf(text, sizeof(text),
			 "{\"kind\":\"advisory\",\"id\":\"CVE-2015-8854\",\"normalizedSeverity\":\"LOW\",\"affected\":[{"
			 "\"ecosystem\":\"%s\",\"distribution\":\"\",\"package\":\"m\",\"status\":\"affected\",\"ranges\":[%s]}]}",
			 cases[i].eco, cases[i].range);
		assert_non_null(rec = json_loads(text, 0, NULL));
		if ((feed_record_check(rec) == ASEC_OK) != cases[i].ok)
			fail_msg("%s: %s, not %s (%s)", cases[i].range, cases[i].ok ? "refused" : "accepted",
				 cases[i].ok ? "accepted" : "refused", error_last());
		json_decref(rec);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cve_and_timestamp), cmocka_unit_test(test_cve_id_bounds),
		cmocka_unit_test(test_date),		  cmocka_unit_test(test_utf8_cut),
		cmocka_unit_test(test_add_cwe),		  cmocka_unit_test(test_skip_reasons),
		cmocka_unit_test(test_skip_line_numbers),
		cmocka_unit_test(test_range_fixed_by),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
