/*
 * nvd_test.c - tests of the NVD parser: the shared real feeds (JSON 1.1
 * items as JSON Lines, one CVE API 2.0 page) with counts found
 * independently, and small inline documents for what they do not show
 * (rejections in 2.0, v4.0 metrics, missing scores, hostile JSON).
 *
 * How the real-data counts were found, without this parser (python3 over
 * the raw files, gzip + json):
 *   1.1: lines; rejected = English description starting "** REJECT **" or
 *        "Rejected reason:" -> 12516 lines, 11 rejected (the ids are in
 *        test_shared_v11), 12505 records; CVSS entries = items with
 *        impact.baseMetricV3 + items with impact.baseMetricV2 = 17440 (47
 *        records with none); CWE ids = distinct values matching CWE-\d+ per
 *        item of problemtype_data[].description[] = 9524.
 *        zcat nvd-json-1.1-items-referenced-by-shared.jsonl.gz | jq -r
 *        '.cve.description.description_data[0].value' | grep -c
 *        '^\*\* REJECT\|^Rejected reason'  -> 11
 *   2.0: len(vulnerabilities) = 101, none with vulnStatus Rejected; the
 *        lengths of every metrics.cvssMetric* list add up to 247 (V31 188,
 *        V2 56, V30 3); distinct CWE-\d+ per item of weaknesses = 110.
 * Spot checks were read from the raw files with jq.
 */
#include "feeds/feed_testing.h"

#include <math.h>

#include "cvss/cvss.h"

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int parse_text(struct feed_collector *c, const char *text)
{
	struct feed_sink sink = feed_collector_init(c);

	return feed_parse_nvd("test.json", text, strlen(text), &sink);
}

static void parse_shared(struct feed_collector *c, const char *file)
{
	assert_int_equal(feed_testing_parse_shared(c, feed_parse_nvd, file, file), ASEC_OK);
	assert_int_equal(c->bad, 0);
}

/* Asserts cvss[i] of a record. */
static void assert_cvss(const json_t *rec, size_t i, const char *version, const char *vector, double score,
			const char *source, const char *type)
{
	const json_t *m = json_array_get(json_object_get(rec, "cvss"), i);

	assert_non_null(m);
	assert_string_equal(str(m, "version"), version);
	assert_string_equal(str(m, "vector"), vector);
	assert_true(fabs(json_number_value(json_object_get(m, "score")) - score) < 1e-9);
	if (source)
		assert_string_equal(str(m, "source"), source);
	else
		assert_null(json_object_get(m, "source"));
	if (type)
		assert_string_equal(str(m, "type"), type);
	else
		assert_null(json_object_get(m, "type"));
}

static size_t total(const struct feed_collector *c, const char *key)
{
	size_t i, n = 0;
	const json_t *r;

	json_array_foreach(c->records, i, r)
		n += json_array_size(json_object_get(r, key));
	return n;
}

static void test_shared_v11(void **state)
{
	static const char *const rejected[] = {
		"CVE-2009-3297", "CVE-2013-1752", "CVE-2014-1850", "CVE-2014-125064", "CVE-2016-5320", "CVE-2016-5875",
		"CVE-2016-7971", "CVE-2017-9410", "CVE-2017-9411", "CVE-2017-17456", "CVE-2017-17457",
	};
	struct feed_collector c;
	const json_t *r, *rec;
	size_t i, without = 0;

	(void)state;
	parse_shared(&c, "nvd-json-1.1-items-referenced-by-shared.jsonl.gz");
	assert_int_equal(json_array_size(c.records), 12505);
	assert_int_equal(json_array_size(c.skips), 11);
	for (i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++)
		assert_true(feed_collector_skips(&c, rejected[i], "rejected"));
	assert_int_equal(total(&c, "cvss"), 17440);
	assert_int_equal(total(&c, "cwes"), 9524);
	json_array_foreach(c.records, i, r)
		without += json_array_size(json_object_get(r, "cvss")) == 0;
	assert_int_equal(without, 47);

	/* Heartbleed: v3.1 7.5 then v2 5.0, both NVD's; CWE-125 */
	rec = feed_collector_find(&c, "nvd", "CVE-2014-0160");
	assert_non_null(rec);
	assert_string_equal(str(rec, "published"), "2014-04-07T22:55Z");
	assert_string_equal(str(rec, "modified"), "2025-02-07T14:15Z");
	assert_string_equal(str(rec, "link"), "https://nvd.nist.gov/vuln/detail/CVE-2014-0160");
	assert_true(strncmp(str(rec, "description"), "The (1) TLS and (2) DTLS implementations in OpenSSL 1.0.1 before 1.0.1g",
			    71) == 0);
	assert_int_equal(json_array_size(json_object_get(rec, "cvss")), 2);
	assert_cvss(rec, 0, "3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5, "nvd@nist.gov", NULL);
	assert_cvss(rec, 1, "2.0", "AV:N/AC:L/Au:N/C:P/I:N/A:N", 5.0, "nvd@nist.gov", NULL);
	assert_int_equal(json_array_size(json_object_get(rec, "cwes")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(rec, "cwes"), 0)), "CWE-125");

	/* NVD-CWE-Other is no CWE; v2 only */
	rec = feed_collector_find(&c, "nvd", "CVE-1999-0017");
	assert_non_null(rec);
	assert_int_equal(json_array_size(json_object_get(rec, "cwes")), 0);
	assert_int_equal(json_array_size(json_object_get(rec, "cvss")), 1);
	assert_cvss(rec, 0, "2.0", "AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5, "nvd@nist.gov", NULL);

	/* not yet analysed: no metrics at all, still a record */
	rec = feed_collector_find(&c, "nvd", "CVE-2024-45337");
	assert_non_null(rec);
	assert_int_equal(json_array_size(json_object_get(rec, "cvss")), 0);
	assert_string_equal(str(rec, "published"), "2024-12-12T02:02Z");
	assert_true(strncmp(str(rec, "description"), "Applications and libraries which misuse", 39) == 0);
	assert_null(feed_collector_find(&c, NULL, "CVE-2013-1752"));
	feed_collector_free(&c);
}

static void test_shared_v20(void **state)
{
	struct feed_collector c;
	const json_t *rec;

	(void)state;
	parse_shared(&c, "nvd-api-2.0-sample-100.json.gz");
	assert_int_equal(json_array_size(c.records), 101);
	assert_int_equal(json_array_size(c.skips), 0);
	assert_int_equal(total(&c, "cvss"), 247);
	assert_int_equal(total(&c, "cwes"), 110);

	rec = feed_collector_find(&c, "nvd", "CVE-2023-50612");
	assert_non_null(rec);
	assert_string_equal(str(rec, "published"), "2024-01-06T03:15:43.990");
	assert_string_equal(str(rec, "modified"), "2024-01-11T15:02:43.727");
	assert_true(strncmp(str(rec, "description"), "Insecure Permissions vulnerability in fit2cloud", 47) == 0);
	assert_cvss(rec, 0, "3.1", "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8, "nvd@nist.gov", "Primary");

	/* NVD's and VulDB's v3.1, then VulDB's v2 */
	rec = feed_collector_find(&c, "nvd", "CVE-2024-0260");
	assert_non_null(rec);
	assert_int_equal(json_array_size(json_object_get(rec, "cvss")), 3);
	assert_cvss(rec, 0, "3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N", 7.5, "nvd@nist.gov", "Primary");
	assert_cvss(rec, 1, "3.1", "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:N/I:L/A:N", 4.3, "cna@vuldb.com", "Secondary");
	assert_cvss(rec, 2, "2.0", "AV:N/AC:L/Au:S/C:N/I:P/A:N", 4.0, "cna@vuldb.com", "Secondary");
	assert_string_equal(json_string_value(json_array_get(json_object_get(rec, "cwes"), 0)), "CWE-613");

	/* v3.0 from huntr.dev after NVD's v3.1; two CWEs in order */
	rec = feed_collector_find(&c, "nvd", "CVE-2024-0321");
	assert_non_null(rec);
	assert_int_equal(json_array_size(json_object_get(rec, "cvss")), 2);
	assert_cvss(rec, 0, "3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "nvd@nist.gov", "Primary");
	assert_cvss(rec, 1, "3.0", "CVSS:3.0/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", 4.0, "security@huntr.dev",
		    "Secondary");
	assert_int_equal(json_array_size(json_object_get(rec, "cwes")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(rec, "cwes"), 0)), "CWE-787");
	assert_string_equal(json_string_value(json_array_get(json_object_get(rec, "cwes"), 1)), "CWE-121");
	feed_collector_free(&c);
}

/* JSON Lines mixing both schemas, rejections in both, a bad line, and the
 * line numbers of the reasons (blank lines count). */
static void test_lines_mixed(void **state)
{
	static const char text[] =
		"{\"cve\":{\"id\":\"CVE-2024-0001\",\"vulnStatus\":\"Analyzed\",\"descriptions\":[{\"lang\":\"es\","
		"\"value\":\"hola\"},{\"lang\":\"en\",\"value\":\"hello\"}],\"published\":\"2024-01-01T00:00:00.000\","
		"\"weaknesses\":[{\"description\":[{\"lang\":\"en\",\"value\":\"CWE-79\"},{\"lang\":\"en\","
		"\"value\":\"NVD-CWE-noinfo\"}]},{\"description\":[{\"lang\":\"en\",\"value\":\"CWE-79\"}]}]}}\n"
		"\n"
		"{\"cve\":{\"id\":\"CVE-2024-0002\",\"vulnStatus\":\"Rejected\",\"descriptions\":[{\"lang\":\"en\","
		"\"value\":\"Rejected reason: duplicate\"}]}}\n"
		"{\"cve\":{\"CVE_data_meta\":{\"ID\":\"CVE-2005-0001\"},\"description\":{\"description_data\":[{\"lang\":"
		"\"en\",\"value\":\"** REJECT **  DO NOT USE THIS CANDIDATE NUMBER.\"}]}}}\n"
		"{\"cve\":{\"CVE_data_meta\":{\"ID\":\"CVE-2005-0002\"},\"problemtype\":{\"problemtype_data\":[{"
		"\"description\":[{\"lang\":\"en\",\"value\":\"CWE-20\"}]}]},\"description\":{\"description_data\":[{"
		"\"lang\":\"en\",\"value\":\"old\"}]}},\"impact\":{\"baseMetricV2\":{\"cvssV2\":{\"vectorString\":"
		"\"AV:N/AC:L/Au:N/C:P/I:P/A:P\"}}},\"publishedDate\":\"2005-01-01T05:00Z\"}\n"
		"{\"cve\": truncated\n"
		"[1,2,3]\n"
		"{\"cve\":{\"id\":42}}\n";
	struct feed_collector c;
	const json_t *rec;

	(void)state;
	assert_int_equal(parse_text(&c, text), ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 2);
	rec = feed_collector_find(&c, "nvd", "CVE-2024-0001");
	assert_non_null(rec);
	assert_string_equal(str(rec, "description"), "hello");
	assert_string_equal(str(rec, "published"), "2024-01-01T00:00:00.000");
	assert_null(json_object_get(rec, "modified"));
	assert_int_equal(json_array_size(json_object_get(rec, "cwes")), 1);
	rec = feed_collector_find(&c, "nvd", "CVE-2005-0002");
	assert_non_null(rec);
	/* no baseScore: scored from the vector */
	assert_cvss(rec, 0, "2.0", "AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5, "nvd@nist.gov", NULL);
	assert_string_equal(json_string_value(json_array_get(json_object_get(rec, "cwes"), 0)), "CWE-20");

	assert_int_equal(json_array_size(c.skips), 5);
	assert_true(feed_collector_skips(&c, "CVE-2024-0002", "line 3: rejected CVE (vulnStatus Rejected)"));
	assert_true(feed_collector_skips(&c, "CVE-2005-0001", "line 4: rejected"));
	assert_true(feed_collector_skips(&c, "", "line 6: not JSON"));
	assert_true(feed_collector_skips(&c, "", "line 7: neither an NVD API 2.0 nor a JSON 1.1"));
	assert_true(feed_collector_skips(&c, "", "line 8: an item whose cve.id is not a CVE id"));
	feed_collector_free(&c);
}

/* A 2.0 page with every metric version, scores missing or wrong, a metric
 * that cannot be used, and wrong types. */
static void test_metrics(void **state)
{
	static const char text[] =
		"{\"format\":\"NVD_CVE\",\"version\":\"2.0\",\"vulnerabilities\":[\n"
		" {\"cve\":{\"id\":\"CVE-2024-1000\",\"metrics\":{\n"
		"  \"cvssMetricV2\":[{\"source\":\"nvd@nist.gov\",\"type\":\"Primary\",\"cvssData\":{\"version\":\"2.0\","
		"\"vectorString\":\"AV:N/AC:L/Au:N/C:P/I:P/A:P\",\"baseScore\":7.5}}],\n"
		"  \"cvssMetricV31\":[{\"source\":\"nvd@nist.gov\",\"type\":\"Primary\",\"cvssData\":{\"version\":\"3.1\","
		"\"vectorString\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"}},\n"
		"   {\"source\":\"x@example.com\",\"type\":\"Odd\",\"cvssData\":{\"vectorString\":"
		"\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\",\"baseScore\":11}},\n"
		"   {\"source\":\"y@example.com\",\"type\":\"Secondary\",\"cvssData\":{\"version\":\"3.1\","
		"\"vectorString\":\"CVSS:3.1/AV:X\"}},\n"
		"   {\"source\":\"z@example.com\",\"type\":\"Secondary\",\"cvssData\":\"not an object\"}],\n"
		"  \"cvssMetricV40\":[{\"source\":\"cna@example.com\",\"type\":\"Secondary\",\"cvssData\":{\"version\":"
		"\"4.0\",\"vectorString\":\"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N\"}}]}}},\n"
		" {\"cve\":{\"id\":\"CVE-2024-1001\",\"descriptions\":{\"lang\":\"en\"},\"metrics\":[1],"
		"\"weaknesses\":\"CWE-1\",\"published\":7}},\n"
		" {\"cve\":{\"id\":\"CVE-2024-1002\",\"descriptions\":[{\"lang\":\"fr\",\"value\":\"bonjour\"}],"
		"\"metrics\":{\"cvssMetricV31\":{\"a\":1}}}},\n"
		" \"a string\", {\"nocve\":1}\n"
		"]}";
	struct feed_collector c;
	const json_t *rec;

	(void)state;
	assert_int_equal(parse_text(&c, text), ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 3);
	rec = feed_collector_find(&c, "nvd", "CVE-2024-1000");
	assert_non_null(rec);
	assert_int_equal(json_array_size(json_object_get(rec, "cvss")), 4);
	/* newest version first; 4.0 and the first 3.1 scored from their
	 * vectors (no score), the out-of-range 11 replaced by the computed 9.8
	 * and its unknown type dropped */
	assert_cvss(rec, 0, "4.0", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3,
		    "cna@example.com", "Secondary");
	assert_cvss(rec, 1, "3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "nvd@nist.gov", "Primary");
	assert_cvss(rec, 2, "3.1", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "x@example.com", NULL);
	assert_cvss(rec, 3, "2.0", "AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5, "nvd@nist.gov", "Primary");
	assert_true(feed_collector_skips(&c, "CVE-2024-1000", "has no score and its vector does not score"));
	assert_true(feed_collector_skips(&c, "CVE-2024-1000", "without its CVSS data object"));

	rec = feed_collector_find(&c, "nvd", "CVE-2024-1001");
	assert_non_null(rec);
	assert_null(json_object_get(rec, "description"));
	assert_null(json_object_get(rec, "published"));
	assert_int_equal(json_array_size(json_object_get(rec, "cvss")), 0);
	assert_true(feed_collector_skips(&c, "CVE-2024-1001", "metrics is not an object"));
	rec = feed_collector_find(&c, "nvd", "CVE-2024-1002");
	assert_non_null(rec);
	assert_null(json_object_get(rec, "description")); /* no English one */
	assert_true(feed_collector_skips(&c, "CVE-2024-1002", "metrics.cvssMetricV31 is not an array"));
	assert_true(feed_collector_skips(&c, "", "element 3 of the item list is not an object"));
	assert_true(feed_collector_skips(&c, "", "an item without a \"cve\" object"));
	assert_int_equal(json_array_size(c.skips), 6);
	feed_collector_free(&c);
}

/* 1.1 feed document: baseMetricV3 says its version by "version" or the
 * vector's prefix; one that says neither is left out. */
static void test_v11_document(void **state)
{
	static const char text[] =
		"{\"CVE_data_type\":\"CVE\",\"CVE_Items\":[{\"cve\":{\"CVE_data_meta\":{\"ID\":\"CVE-2017-0001\"}},"
		"\"impact\":{\"baseMetricV3\":{\"cvssV3\":{\"vectorString\":\"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/"
		"A:H\",\"baseScore\":9.8}}}},{\"cve\":{\"CVE_data_meta\":{\"ID\":\"CVE-2017-0002\"}},\"impact\":{"
		"\"baseMetricV3\":{\"cvssV3\":{\"vectorString\":\"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"}}}},"
		"{\"cve\":{\"CVE_data_meta\":{\"ID\":\"cve-2017-3\"}}}]}";
	struct feed_collector c;
	const json_t *rec;

	(void)state;
	assert_int_equal(parse_text(&c, text), ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 2);
	rec = feed_collector_find(&c, "nvd", "CVE-2017-0001");
	assert_cvss(rec, 0, "3.0", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "nvd@nist.gov", NULL);
	rec = feed_collector_find(&c, "nvd", "CVE-2017-0002");
	assert_int_equal(json_array_size(json_object_get(rec, "cvss")), 0);
	assert_true(feed_collector_skips(&c, "CVE-2017-0002", "whose CVSS version cannot be told"));
	assert_true(feed_collector_skips(&c, "", "not a CVE id (\"cve-2017-3\")"));
	feed_collector_free(&c);
}

/* Whole-file refusals: not NVD at all. */
static void test_not_nvd(void **state)
{
	static const char *const bad[] = {
		"",
		"  \n\n ",
		"[]",
		"not json at all",
		"{\"title\":\"CISA Catalog\",\"vulnerabilities\":[{\"cveID\":\"CVE-2021-1\"}]}",
		"{\"format\":\"OTHER\",\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-2021-0001\"}}]}",
		"{\"CVE_Items\":{}}",
		"{\"format\":\"NVD_CVE\",\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-2024-0001\"}}",
		"{\n \"format\": \"NVD_CVE\",\n \"vulnerabilities\": [\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct feed_collector c;

		assert_int_equal(parse_text(&c, bad[i]), ASEC_EINVALID);
		assert_int_equal(json_array_size(c.records), 0);
		assert_true(strstr(error_last(), "nvd:") != NULL);
		feed_collector_free(&c);
	}
}

static int stop_sink(void *ctx, json_t *record)
{
	(*(int *)ctx)++;
	json_decref(record);
	return 7;
}

static void skip_none(void *ctx, const char *id, const char *reason)
{
	(void)ctx;
	(void)id;
	(void)reason;
}

/* Deep nesting, a huge description, an empty page, and a sink that stops. */
static void test_hostile_and_limits(void **state)
{
	size_t depth = 200000, n, i;
	char *deep = malloc(2 * depth + 1), *big;
	struct feed_collector c;
	const json_t *rec;
	int count = 0;
	struct feed_sink stop = {stop_sink, skip_none, &count};
	static const char two[] = "{\"cve\":{\"id\":\"CVE-2024-0001\"}}\n{\"cve\":{\"id\":\"CVE-2024-0002\"}}\n";

	(void)state;
	assert_non_null(deep);
	memset(deep, '[', depth);
	memset(deep + depth, ']', depth);
	deep[2 * depth] = '\0';
	assert_int_equal(parse_text(&c, deep), ASEC_EINVALID);
	feed_collector_free(&c);
	deep[0] = '{';
	memcpy(deep + 1, "\"cve\":", 6);
	assert_int_equal(parse_text(&c, deep), ASEC_EINVALID);
	feed_collector_free(&c);
	free(deep);

	n = 100000;
	big = malloc(n + 200);
	assert_non_null(big);
	i = (size_t)sprintf(big, "{\"cve\":{\"id\":\"CVE-2024-0003\",\"descriptions\":[{\"lang\":\"en\",\"value\":\"");
	memset(big + i, 'x', n);
	strcpy(big + i + n, "\"}]}}");
	assert_int_equal(parse_text(&c, big), ASEC_OK);
	assert_int_equal(c.bad, 0);
	rec = feed_collector_find(&c, "nvd", "CVE-2024-0003");
	assert_non_null(rec);
	assert_int_equal(strlen(str(rec, "description")), FEED_MAX_TEXT_BYTES);
	feed_collector_free(&c);
	free(big);

	assert_int_equal(parse_text(&c, "{\"format\":\"NVD_CVE\",\"vulnerabilities\":[]}"), ASEC_OK);
	assert_int_equal(json_array_size(c.records), 0);
	feed_collector_free(&c);

	assert_int_equal(feed_parse_nvd("two.jsonl", two, strlen(two), &stop), 7);
	assert_int_equal(count, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_mixed),  cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_v11_document), cmocka_unit_test(test_not_nvd),
		cmocka_unit_test(test_hostile_and_limits), cmocka_unit_test(test_shared_v20),
		cmocka_unit_test(test_shared_v11),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
