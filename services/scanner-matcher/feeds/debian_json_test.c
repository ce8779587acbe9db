/*
 * debian_json_test.c - feed_parse_debian_json() over a sample of the
 * tracker's JSON export and over hand-written hostile inputs.
 *
 * No real export is in ../shared/feeds (see its SOURCES.md: the export is
 * larger than the snapshots allowed), so testdata/debian-tracker-sample.json
 * is written by hand in exactly the export's shape (bin/tracker_service.py
 * of the tracker: package -> issue -> {description, scope, debianbug,
 * releases -> code name -> {status, repositories, fixed_version, urgency,
 * nodsa, nodsa_reason, next_point_update}}, null members left out). Its
 * statuses are illustrative, picked to cover every case the parser
 * distinguishes; they are not a copy of the tracker's current data.
 */
#include "feeds/feed_testing.h"

#include <jansson.h>

#include "version/version.h"

/* ---- helpers ---- */

static char *read_sample(size_t *len)
{
	const char *src = getenv("ASEC_SOURCE_DIR");
	char path[2048];

	if (src && *src)
		snprintf(path, sizeof(path), "%s/services/scanner-matcher/feeds/testdata/debian-tracker-sample.json",
			 src);
	else
		snprintf(path, sizeof(path), "%.*s/testdata/debian-tracker-sample.json",
			 (int)(strrchr(__FILE__, '/') ? strrchr(__FILE__, '/') - __FILE__ : 1),
			 strrchr(__FILE__, '/') ? __FILE__ : ".");
	return feed_testing_read(path, len);
}

static int parse(struct feed_collector *c, const char *text)
{
	struct feed_sink sink = feed_collector_init(c);

	return feed_parse_debian_json("json", text, strlen(text), &sink);
}

/* The affected entry of a record for one distribution key, or NULL. */
static json_t *entry_for(const json_t *record, const char *dist)
{
	size_t i;
	json_t *a;

	json_array_foreach(json_object_get(record, "affected"), i, a)
		if (strcmp(json_string_value(json_object_get(a, "distribution")), dist) == 0)
			return a;
	return NULL;
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static const char *range_str(const json_t *entry, const char *key)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(entry, "ranges"), 0), key));
}

/* ---- the sample ---- */

/*
 * Counts, worked out from the sample independently of the parser with
 *
 *   python3 - <<'PY'
 *   import json
 *   d = json.load(open("testdata/debian-tracker-sample.json"))
 *   k = {"bookworm", "bullseye", "trixie"}            # its numbered releases
 *   issues = [v for p in d.values() for v in p.values()]
 *   print(sum(1 for v in issues if set(v["releases"]) & k),       # records
 *         sum(len(set(v["releases"]) & k) for v in issues),       # entries
 *         sum(len(set(v["releases"]) - k) for v in issues),       # sid entries
 *         sum(1 for v in issues if not set(v["releases"]) & k))   # sid-only issues
 *   PY
 *
 * -> 9 22 9 1: 9 records of 22 affected entries; 9 sid entries left out
 * and node-ip, whose only release is sid, left out: 10 skips.
 */
static void test_sample_counts(void **state)
{
	struct feed_collector c;
	struct feed_sink sink = feed_collector_init(&c);
	size_t len, i, entries = 0;
	char *data = read_sample(&len);
	json_t *r;

	(void)state;
	assert_non_null(data);
	assert_int_equal(feed_parse_debian_json("json", data, len, &sink), ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 9);
	json_array_foreach(c.records, i, r)
		entries += json_array_size(json_object_get(r, "affected"));
	assert_int_equal(entries, 22);
	assert_int_equal(json_array_size(c.skips), 10);
	assert_int_equal(feed_collector_skips(&c, NULL, "in \"sid\": not a Debian release with a number"), 9);
	assert_int_equal(
		feed_collector_skips(&c, "CVE-2023-42282", "node-ip: no release with a Debian release number"), 1);
	assert_null(feed_collector_find(&c, "advisory", "CVE-2023-42282"));
	free(data);
	feed_collector_free(&c);
}

static void test_sample_statuses(void **state)
{
	struct feed_collector c;
	struct feed_sink sink = feed_collector_init(&c);
	size_t len;
	char *data = read_sample(&len);
	json_t *r, *a;

	(void)state;
	assert_non_null(data);
	assert_int_equal(feed_parse_debian_json("json", data, len, &sink), ASEC_OK);

	/* resolved with a fix: affected below it; fixed_version "0": not affected */
	r = feed_collector_find(&c, "advisory", "CVE-2022-3602");
	assert_non_null(r);
	assert_string_equal(str(json_object_get(r, "advisory"), "name"), "CVE-2022-3602");
	assert_string_equal(str(json_object_get(r, "advisory"), "link"),
			    "https://security-tracker.debian.org/tracker/CVE-2022-3602");
	assert_null(json_object_get(r, "aliases"));
	assert_string_equal(str(r, "severity"), "high");
	assert_string_equal(str(r, "normalizedSeverity"), "IMPORTANT");
	assert_true(strncmp(str(r, "description"), "A buffer overrun can be triggered", 32) == 0);
	a = entry_for(r, "debian:12");
	assert_non_null(a);
	assert_string_equal(str(a, "ecosystem"), "deb");
	assert_string_equal(str(a, "package"), "openssl");
	assert_string_equal(str(a, "packageKind"), "source");
	assert_string_equal(str(a, "status"), "affected");
	assert_string_equal(range_str(a, "introduced"), "0");
	assert_string_equal(range_str(a, "fixed"), "3.0.7-1");
	assert_null(json_object_get(a, "severity")); /* every release says high */
	a = entry_for(r, "debian:11");
	assert_string_equal(str(a, "status"), "not_affected");
	assert_null(json_object_get(a, "ranges"));
	assert_string_equal(range_str(entry_for(r, "debian:13"), "fixed"), "3.0.7-1"); /* trixie is 13 */
	assert_int_equal(json_array_size(json_object_get(r, "affected")), 3);

	/* open + unimportant: will not be fixed, LOW; TEMP- ids are kept as ids */
	r = feed_collector_find(&c, "advisory", "CVE-2011-3374");
	assert_string_equal(str(r, "severity"), "unimportant");
	assert_string_equal(str(r, "normalizedSeverity"), "LOW");
	a = entry_for(r, "debian:11");
	assert_string_equal(str(a, "status"), "will_not_fix");
	assert_string_equal(range_str(a, "introduced"), "0");
	assert_null(range_str(a, "fixed"));
	assert_string_equal(range_str(a, "events"), "open in bullseye: unimportant");
	r = feed_collector_find(&c, "advisory", "TEMP-0841856-B18BAF");
	assert_non_null(r);
	assert_string_equal(str(json_object_get(r, "advisory"), "link"),
			    "https://security-tracker.debian.org/tracker/TEMP-0841856-B18BAF");
	assert_string_equal(str(entry_for(r, "debian:12"), "package"), "bash");

	/* plain no-dsa stays affected; postponed is deferred; epochs kept */
	r = feed_collector_find(&c, "advisory", "CVE-2023-34151");
	a = entry_for(r, "debian:12");
	assert_string_equal(str(a, "status"), "affected");
	assert_null(range_str(a, "fixed"));
	assert_string_equal(range_str(a, "events"), "open in bookworm: <no-dsa> (Minor issue)");
	a = entry_for(r, "debian:11");
	assert_string_equal(str(a, "status"), "fix_deferred");
	assert_string_equal(range_str(a, "events"),
			    "open in bullseye: <postponed> (Minor issue; can be fixed via point release)");
	assert_string_equal(range_str(entry_for(r, "debian:13"), "fixed"), "8:6.9.12.98+dfsg1-2");
	assert_string_equal(str(r, "normalizedSeverity"), "UNKNOWN"); /* not yet assigned */
	assert_string_equal(str(r, "severity"), "not yet assigned");

	/* ignored: will not fix */
	r = feed_collector_find(&c, "advisory", "CVE-2023-45853");
	a = entry_for(r, "debian:12");
	assert_string_equal(str(a, "status"), "will_not_fix");
	assert_non_null(strstr(range_str(a, "events"), "<ignored> (contrib/minizip not built"));
	assert_string_equal(range_str(entry_for(r, "debian:13"), "fixed"), "1:1.3.dfsg-3.1");

	/* end-of-life: will not fix; the releases' urgencies differ, so each
	 * entry keeps its own */
	r = feed_collector_find(&c, "advisory", "CVE-2023-4863");
	a = entry_for(r, "debian:11");
	assert_string_equal(str(a, "status"), "will_not_fix");
	assert_string_equal(str(a, "severity"), "end-of-life");
	assert_string_equal(str(a, "normalizedSeverity"), "UNKNOWN");
	assert_string_equal(range_str(a, "events"), "open in bullseye: <end-of-life>");
	a = entry_for(r, "debian:12");
	assert_string_equal(str(a, "status"), "affected");
	assert_string_equal(str(a, "severity"), "not yet assigned");
	assert_string_equal(range_str(a, "fixed"), "116.0.5845.187-1~deb12u1");

	/* undetermined: under investigation, every version */
	r = feed_collector_find(&c, "advisory", "CVE-2023-27102");
	a = entry_for(r, "debian:12");
	assert_string_equal(str(a, "status"), "under_investigation");
	assert_null(json_object_get(a, "ranges"));
	assert_int_equal(json_array_size(json_object_get(r, "affected")), 1);

	free(data);
	feed_collector_free(&c);
}

/* The walk over the top level must not depend on the layout: the sample
 * re-serialised compact (as the tracker serves it) gives the same records. */
static void test_sample_compact_equals_pretty(void **state)
{
	struct feed_collector pretty, compact;
	struct feed_sink sink = feed_collector_init(&pretty);
	size_t len;
	char *data = read_sample(&len), *dump;
	json_t *doc;

	(void)state;
	assert_non_null(data);
	assert_int_equal(feed_parse_debian_json("json", data, len, &sink), ASEC_OK);
	doc = json_loadb(data, len, 0, NULL);
	assert_non_null(doc);
	dump = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_int_equal(parse(&compact, dump), ASEC_OK);
	assert_true(json_equal(pretty.records, compact.records));
	assert_true(json_equal(pretty.skips, compact.skips));
	free(dump);
	json_decref(doc);
	free(data);
	feed_collector_free(&pretty);
	feed_collector_free(&compact);
}

/* ---- whole-file failures ---- */

static void test_not_the_format(void **state)
{
	static const char *const inputs[] = {
		"",
		"   ",
		"[1, 2]",
		"null",
		"\"openssl\"",
		"{\"openssl\": {\"CVE-2022-3602\": {\"releases\": {}}}",   /* truncated */
		"{\"openssl\": {\"CVE-2022-3602\": {\"rel",		    /* truncated in a value */
		"{\"openssl\" {}}",					    /* no colon */
		"{\"openssl\": {} \"zlib\": {}}",			    /* no comma */
		"{openssl: {}}",					    /* name not a string */
		"{\"a\": {}} trailing",					    /* data after the end */
		"{\"id\": \"GHSA-xxxx\", \"affected\": [], \"modified\": 3}", /* some other JSON object */
		"{\"bad\\escape\": {}}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct feed_collector c;

		if (parse(&c, inputs[i]) != ASEC_EINVALID)
			fail_msg("input %zu (%s) was not refused", i, inputs[i]);
		assert_true(strlen(error_last()) > 0);
		feed_collector_free(&c);
	}
}

static void test_empty_export(void **state)
{
	struct feed_collector c;

	(void)state;
	assert_int_equal(parse(&c, " {\n} \n"), ASEC_OK);
	assert_int_equal(json_array_size(c.records), 0);
	assert_int_equal(json_array_size(c.skips), 0);
	feed_collector_free(&c);
}

/* ---- record-level hostility: skipped, the rest goes on ---- */

#define GOOD_PKG                                                                                            \
	"\"zlib\": {\"CVE-2023-45853\": {\"releases\": {\"bookworm\": {\"status\": \"resolved\", \"fixed_version\": " \
	"\"1:1.3.dfsg-3.1\"}}}}"

static void test_broken_package_is_skipped(void **state)
{
	struct feed_collector c;

	(void)state;
	/* balanced but invalid JSON (trailing comma), then a good package */
	assert_int_equal(parse(&c, "{\"tiff\": {\"CVE-2023-1\": {\"releases\": {\"bookworm\": {\"status\": \"open\",}}}}, " GOOD_PKG "}"),
			 ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 1);
	assert_non_null(feed_collector_find(&c, "advisory", "CVE-2023-45853"));
	assert_int_equal(feed_collector_skips(&c, "", "tiff: not valid JSON"), 1);
	feed_collector_free(&c);

	/* a package whose value is not an object of issues */
	assert_int_equal(parse(&c, "{\"tiff\": [1, 2], \"x\": 5, \"y\": \"s\", " GOOD_PKG "}"), ASEC_OK);
	assert_int_equal(json_array_size(c.records), 1);
	assert_int_equal(feed_collector_skips(&c, "", "its value is not an object of issues"), 3);
	feed_collector_free(&c);
}

static void test_wrong_types(void **state)
{
	struct feed_collector c;
	json_t *r;

	(void)state;
	assert_int_equal(
		parse(&c, "{\"p\": {"
			  "\"CVE-2020-0001\": [],"
			  "\"CVE-2020-0002\": {\"releases\": [\"bookworm\"]},"
			  "\"CVE-2020-0003\": {\"description\": 7, \"releases\": {\"bookworm\": \"resolved\","
			  "   \"bullseye\": {\"status\": 1}, \"buster\": {\"status\": \"resolved\", \"fixed_version\": 2},"
			  "   \"trixie\": {\"status\": \"open\", \"urgency\": [\"high\"]}}},"
			  "\"CVE-2020-0004\": {\"releases\": {\"bookworm\": {\"status\": \"fixed\", \"fixed_version\": \"1.0\"}}},"
			  "\"DSA-1234-1\": {\"releases\": {\"bookworm\": {\"status\": \"open\"}}},"
			  "\"CVE-2020-0005\": {\"releases\": {\"bookworm\": {\"status\": \"resolved\"},"
			  "   \"bullseye\": {\"status\": \"resolved\", \"fixed_version\": \"not a version\"},"
			  "   \"buster\": {\"status\": \"resolved\", \"fixed_version\": \"\"}}}"
			  "}}"),
		ASEC_OK);
	assert_int_equal(c.bad, 0);
	/* only CVE-2020-0003's trixie entry survives: open, urgency ignored */
	assert_int_equal(json_array_size(c.records), 1);
	r = feed_collector_find(&c, "advisory", "CVE-2020-0003");
	assert_non_null(r);
	assert_null(json_object_get(r, "description"));
	assert_int_equal(json_array_size(json_object_get(r, "affected")), 1);
	assert_string_equal(str(entry_for(r, "debian:13"), "status"), "affected");
	assert_string_equal(str(r, "normalizedSeverity"), "UNKNOWN");
	assert_null(json_object_get(r, "severity"));

	assert_int_equal(feed_collector_skips(&c, "CVE-2020-0001", "the issue is not an object"), 1);
	assert_int_equal(feed_collector_skips(&c, "CVE-2020-0002", "releases is missing or not an object"), 1);
	assert_int_equal(
		feed_collector_skips(&c, "CVE-2020-0003", "bookworm: the release's status is not an object"), 1);
	assert_int_equal(feed_collector_skips(&c, "CVE-2020-0003", "bullseye: no status"), 1);
	assert_int_equal(feed_collector_skips(&c, "CVE-2020-0003", "buster: resolved without a fixed_version"), 1);
	assert_int_equal(feed_collector_skips(&c, "CVE-2020-0004", "unknown status \"fixed\""), 1);
	assert_int_equal(feed_collector_skips(&c, "CVE-2020-0004", "no release with a Debian release number"), 1);
	assert_int_equal(feed_collector_skips(&c, "DSA-1234-1", "is not a CVE or TEMP- id"), 1);
	assert_int_equal(feed_collector_skips(&c, "CVE-2020-0005", "bookworm: resolved without a fixed_version"), 1);
	assert_int_equal(feed_collector_skips(&c, "CVE-2020-0005", "\"not a version\" is not a dpkg version"), 1);
	assert_int_equal(feed_collector_skips(&c, "CVE-2020-0005", "buster: resolved without a fixed_version"), 1);
	feed_collector_free(&c);
}

static void test_unknown_releases_and_urgencies(void **state)
{
	struct feed_collector c;
	json_t *r;

	(void)state;
	assert_int_equal(
		parse(&c, "{\"p\": {\"CVE-2020-0001\": {\"releases\": {"
			  "\"experimental\": {\"status\": \"open\"}, \"sid\": {\"status\": \"open\"},"
			  "\"bookworm-security\": {\"status\": \"open\"}, \"Bookworm\": {\"status\": \"open\", \"urgency\": \"medium**\"},"
			  "\"bullseye\": {\"status\": \"open\", \"urgency\": \"low*\"}, \"buster\": {\"status\": \"open\", \"urgency\": \"high\"}}}}}"),
		ASEC_OK);
	assert_int_equal(c.bad, 0);
	r = feed_collector_find(&c, "advisory", "CVE-2020-0001");
	assert_non_null(r);
	/* code names are matched without regard to case, as feed_debian_release() does */
	assert_int_equal(json_array_size(json_object_get(r, "affected")), 3);
	assert_int_equal(feed_collector_skips(&c, "CVE-2020-0001", "not a Debian release with a number"), 3);
	/* NVD-derived urgencies lose their stars; the record takes the worst */
	assert_string_equal(str(entry_for(r, "debian:12"), "normalizedSeverity"), "MODERATE");
	assert_string_equal(str(entry_for(r, "debian:12"), "severity"), "medium**");
	assert_string_equal(str(entry_for(r, "debian:11"), "normalizedSeverity"), "LOW");
	assert_string_equal(str(r, "severity"), "high");
	assert_string_equal(str(r, "normalizedSeverity"), "IMPORTANT");
	feed_collector_free(&c);
}

static void test_strings_and_escapes(void **state)
{
	struct feed_collector c;
	json_t *r;

	(void)state;
	/* braces, brackets and escaped quotes inside strings must not confuse
	 * the walk; an escaped package name is decoded */
	assert_int_equal(parse(&c, "{\"op\\u0065nssl\": {\"CVE-2020-0001\": {\"description\": \"a } \\\" { ] [ \\\\\","
				   " \"releases\": {\"bookworm\": {\"status\": \"resolved\", \"fixed_version\": \"1.0-1\"}}}},"
				   "\"x}\": {\"CVE-2020-0002\": {\"releases\": {\"bookworm\": {\"status\": \"open\"}}}}}"),
			 ASEC_OK);
	assert_int_equal(c.bad, 0);
	r = feed_collector_find(&c, "advisory", "CVE-2020-0001");
	assert_non_null(r);
	assert_string_equal(str(entry_for(r, "debian:12"), "package"), "openssl");
	assert_string_equal(str(r, "description"), "a } \" { ] [ \\");
	assert_non_null(feed_collector_find(&c, "advisory", "CVE-2020-0002"));
	feed_collector_free(&c);

	/* package names with blanks or control bytes are not names */
	assert_int_equal(parse(&c, "{\"open ssl\": {}, \"a\\tb\": {}, \"\": {}, " GOOD_PKG "}"), ASEC_OK);
	assert_int_equal(json_array_size(c.records), 1);
	assert_int_equal(feed_collector_skips(&c, "", "is not a source package name"), 3);
	feed_collector_free(&c);
}

static void test_huge_strings(void **state)
{
	struct feed_collector c;
	size_t n = 200000, i;
	char *doc = malloc(n * 3 + 4096), *p;
	json_t *r;

	(void)state;
	assert_non_null(doc);
	/* a 200 kB description is cut to FEED_MAX_TEXT_BYTES; a 200 kB
	 * package name and a 200 kB issue id are refused */
	p = doc + sprintf(doc, "{\"p\": {\"CVE-2020-0001\": {\"description\": \"");
	for (i = 0; i < n; i++)
		*p++ = "\xc3\xa9x"[i % 3]; /* é x é x ...: cutting must respect UTF-8 */
	p += sprintf(p, "\", \"releases\": {\"bookworm\": {\"status\": \"open\", \"urgency\": \"");
	for (i = 0; i < 1000; i++)
		*p++ = 'h';
	p += sprintf(p, "\"}}}, \"CVE-");
	for (i = 0; i < n / 2; i++)
		*p++ = '1';
	p += sprintf(p, "\": {}}, \"");
	for (i = 0; i < n / 2; i++)
		*p++ = 'q';
	sprintf(p, "\": {}, " GOOD_PKG "}");
	assert_int_equal(parse(&c, doc), ASEC_OK);
	assert_int_equal(c.bad, 0);
	r = feed_collector_find(&c, "advisory", "CVE-2020-0001");
	assert_non_null(r);
	assert_true(json_string_length(json_object_get(r, "description")) <= FEED_MAX_TEXT_BYTES);
	assert_true(json_string_length(json_object_get(r, "description")) > FEED_MAX_TEXT_BYTES - 4);
	assert_true(json_string_length(json_object_get(r, "severity")) <= 64);
	assert_int_equal(feed_collector_skips(&c, "", "is not a CVE or TEMP- id"), 1);
	assert_int_equal(feed_collector_skips(&c, "", "is not a source package name"), 1);
	assert_int_equal(json_array_size(c.records), 2);
	free(doc);
	feed_collector_free(&c);
}

static void test_deep_nesting(void **state)
{
	struct feed_collector c;
	size_t depth = 100000, i;
	char *doc = malloc(depth * 2 + 512), *p = doc;

	(void)state;
	assert_non_null(doc);
	p += sprintf(p, "{\"deep\": {\"CVE-2020-0001\": {\"releases\": {\"bookworm\": ");
	for (i = 0; i < depth; i++)
		*p++ = '[';
	for (i = 0; i < depth; i++)
		*p++ = ']';
	sprintf(p, "}}}, " GOOD_PKG "}");
	assert_int_equal(parse(&c, doc), ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 1);
	assert_int_equal(feed_collector_skips(&c, "", "deep: not valid JSON"), 1); /* jansson's depth limit */
	free(doc);
	feed_collector_free(&c);
}

static int stop_after_first(void *ctx, json_t *record)
{
	(*(int *)ctx)++;
	json_decref(record);
	return 42;
}

static void test_sink_stops_the_parser(void **state)
{
	int seen = 0;
	struct feed_sink sink = {stop_after_first, NULL, &seen};
	size_t len;
	char *data = read_sample(&len);

	(void)state;
	assert_non_null(data);
	assert_int_equal(feed_parse_debian_json("json", data, len, &sink), 42);
	assert_int_equal(seen, 1);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_counts),
		cmocka_unit_test(test_sample_statuses),
		cmocka_unit_test(test_sample_compact_equals_pretty),
		cmocka_unit_test(test_not_the_format),
		cmocka_unit_test(test_empty_export),
		cmocka_unit_test(test_broken_package_is_skipped),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_unknown_releases_and_urgencies),
		cmocka_unit_test(test_strings_and_escapes),
		cmocka_unit_test(test_huge_strings),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_sink_stops_the_parser),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
