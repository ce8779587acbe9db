/*
 * kev_test.c - tests of the CISA KEV catalog parser: the shared catalog
 * with counts found independently, and small inline catalogs for bad
 * entries, duplicates and files that are not a catalog.
 *
 * How the real-data counts were found, without this parser:
 *   zcat cisa-kev.json.gz | jq '.vulnerabilities | length'                 -> 1404
 *   zcat cisa-kev.json.gz | jq -r '.vulnerabilities[].cveID' | sort | uniq -d  -> none
 *   zcat cisa-kev.json.gz | jq -r '.vulnerabilities[].knownRansomwareCampaignUse'
 *     | sort | uniq -c                                        -> 293 Known, 1111 Unknown
 *   every cveID matches ^CVE-[0-9]{4}-[0-9]{4,}$ and every dateAdded
 *   ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ (jq test(), 0 exceptions), and python3:
 *   sum(len(set(cwes matching CWE-\d+))) over the entries       -> 1338
 * The spot checks were read with jq from the same file.
 */
#include "feeds/feed_testing.h"

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int parse_text(struct feed_collector *c, const char *text)
{
	struct feed_sink sink = feed_collector_init(c);

	return feed_parse_kev("known_exploited_vulnerabilities.json", text, strlen(text), &sink);
}

static void test_shared_catalog(void **state)
{
	size_t i, known = 0, cwes = 0;
	struct feed_collector c;
	const json_t *rec, *r;

	(void)state;
	assert_int_equal(feed_testing_parse_shared(&c, feed_parse_kev, "cisa-kev.json.gz", "cisa-kev.json"), ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 1404);
	assert_int_equal(json_array_size(c.skips), 0);
	json_array_foreach(c.records, i, r) {
		known += strcmp(str(r, "knownRansomwareCampaignUse"), "Known") == 0;
		cwes += json_array_size(json_object_get(r, "cwes"));
	}
	assert_int_equal(known, 293);
	assert_int_equal(cwes, 1338);

	rec = feed_collector_find(&c, "kev", "CVE-2021-44228");
	assert_non_null(rec);
	assert_string_equal(str(rec, "vendorProject"), "Apache");
	assert_string_equal(str(rec, "product"), "Log4j2");
	assert_string_equal(str(rec, "name"), "Apache Log4j2 Remote Code Execution Vulnerability");
	assert_string_equal(str(rec, "dateAdded"), "2021-12-10");
	assert_string_equal(str(rec, "dueDate"), "2021-12-24");
	assert_string_equal(str(rec, "knownRansomwareCampaignUse"), "Known");
	assert_string_equal(str(rec, "notes"), "https://nvd.nist.gov/vuln/detail/CVE-2021-44228");
	assert_true(strncmp(str(rec, "description"), "Apache Log4j2 contains a vulnerability where JNDI", 49) == 0);
	assert_true(strncmp(str(rec, "requiredAction"), "For all affected software assets", 32) == 0);
	assert_int_equal(json_array_size(json_object_get(rec, "cwes")), 3);
	assert_string_equal(json_string_value(json_array_get(json_object_get(rec, "cwes"), 2)), "CWE-502");

	/* the first and the last entries of the file */
	rec = json_array_get(c.records, 0);
	assert_string_equal(str(rec, "id"), "CVE-2025-48384");
	assert_string_equal(str(rec, "dateAdded"), "2025-08-25");
	assert_string_equal(str(rec, "dueDate"), "2025-09-15");
	assert_string_equal(str(rec, "vendorProject"), "Git");
	rec = json_array_get(c.records, 1403);
	assert_string_equal(str(rec, "id"), "CVE-2020-29583");
	assert_string_equal(str(rec, "dateAdded"), "2021-11-03");
	assert_string_equal(str(rec, "knownRansomwareCampaignUse"), "Unknown");
	assert_string_equal(json_string_value(json_array_get(json_object_get(rec, "cwes"), 0)), "CWE-522");
	feed_collector_free(&c);
}

static void test_bad_entries(void **state)
{
	static const char text[] =
		"{\"catalogVersion\":\"2025.01.01\",\"count\":9,\"vulnerabilities\":["
		"{\"cveID\":\"CVE-2024-0001\",\"dateAdded\":\"2024-01-02\",\"cwes\":[\"CWE-79\",\"CWE-79\",\"NVD-CWE-Other\",7],"
		"\"dueDate\":\"2024-01-23\",\"knownRansomwareCampaignUse\":\"Unknown\",\"notes\":\"\"},"
		"{\"cveID\":\"CVE-2024-0001\",\"dateAdded\":\"2024-02-02\"},"
		"{\"cveID\":\"CVE-24-1\",\"dateAdded\":\"2024-01-02\"},"
		"{\"cveID\":42,\"dateAdded\":\"2024-01-02\"},"
		"{\"cveID\":\"CVE-2024-0003\",\"dateAdded\":\"02/01/2024\"},"
		"{\"cveID\":\"CVE-2024-0004\",\"dateAdded\":\"2024-13-01\"},"
		"{\"cveID\":\"CVE-2024-0005\"},"
		"\"CVE-2024-0006\","
		"{\"cveID\":\"CVE-2024-0007\",\"dateAdded\":\"2024-03-04\",\"cwes\":\"CWE-1\",\"dueDate\":17,"
		"\"vendorProject\":{\"x\":1},\"product\":\"\"}]}";
	struct feed_collector c;
	const json_t *rec;

	(void)state;
	assert_int_equal(parse_text(&c, text), ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 2);
	rec = feed_collector_find(&c, "kev", "CVE-2024-0001");
	assert_non_null(rec);
	assert_string_equal(str(rec, "dateAdded"), "2024-01-02"); /* the first listing wins */
	assert_int_equal(json_array_size(json_object_get(rec, "cwes")), 1);
	assert_null(json_object_get(rec, "notes"));
	rec = feed_collector_find(&c, "kev", "CVE-2024-0007");
	assert_non_null(rec);
	assert_null(json_object_get(rec, "cwes"));
	assert_null(json_object_get(rec, "dueDate"));
	assert_null(json_object_get(rec, "vendorProject"));
	assert_null(json_object_get(rec, "product"));

	assert_int_equal(json_array_size(c.skips), 7);
	assert_true(feed_collector_skips(&c, "CVE-2024-0001", "listed again at vulnerabilities[1]"));
	assert_true(feed_collector_skips(&c, "", "vulnerabilities[2]: cveID is not a CVE id (\"CVE-24-1\")"));
	assert_true(feed_collector_skips(&c, "", "vulnerabilities[3]: cveID is not a CVE id"));
	assert_true(feed_collector_skips(&c, "CVE-2024-0003", "dateAdded is not a YYYY-MM-DD date (\"02/01/2024\")"));
	assert_true(feed_collector_skips(&c, "CVE-2024-0004", "dateAdded is not a YYYY-MM-DD date"));
	assert_true(feed_collector_skips(&c, "CVE-2024-0005", "dateAdded is not a YYYY-MM-DD date (\"\")"));
	assert_true(feed_collector_skips(&c, "", "vulnerabilities[7] is not an object"));
	feed_collector_free(&c);
}

static void test_not_a_catalog(void **state)
{
	static const char *const bad[] = {
		"",
		"{\"catalogVersion\":\"1\",\"vulnerabilities\":[",
		"[]",
		"{\"title\":\"x\"}",
		"{\"catalogVersion\":\"1\",\"vulnerabilities\":{}}",
		"{\"format\":\"NVD_CVE\",\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-2024-0001\"}}]}",
		"{\"cveID\":\"CVE-2024-0001\",\"dateAdded\":\"2024-01-02\"}\n{\"cveID\":\"CVE-2024-0002\"}",
	};
	size_t i;
	char *deep;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct feed_collector c;

		assert_int_equal(parse_text(&c, bad[i]), ASEC_EINVALID);
		assert_int_equal(json_array_size(c.records), 0);
		assert_true(strncmp(error_last(), "kev: ", 5) == 0);
		feed_collector_free(&c);
	}

	deep = malloc(300001);
	assert_non_null(deep);
	memset(deep, '[', 300000);
	deep[300000] = '\0';
	{
		struct feed_collector c;

		assert_int_equal(parse_text(&c, deep), ASEC_EINVALID);
		feed_collector_free(&c);
	}
	free(deep);
}

static void test_empty_catalog_and_long_text(void **state)
{
	struct feed_collector c;
	size_t n = 40000, k;
	char *text = malloc(n + 256);
	const json_t *rec;

	(void)state;
	assert_int_equal(parse_text(&c, "{\"catalogVersion\":\"2025.01.01\",\"vulnerabilities\":[]}"), ASEC_OK);
	assert_int_equal(json_array_size(c.records), 0);
	feed_collector_free(&c);

	assert_non_null(text);
	k = (size_t)sprintf(text, "{\"vulnerabilities\":[{\"cveID\":\"CVE-2024-12345\",\"dateAdded\":\"2024-01-02\","
				  "\"shortDescription\":\"");
	memset(text + k, 'y', n);
	strcpy(text + k + n, "\"}]}");
	assert_int_equal(parse_text(&c, text), ASEC_OK);
	assert_int_equal(c.bad, 0);
	rec = feed_collector_find(&c, "kev", "CVE-2024-12345");
	assert_non_null(rec);
	assert_int_equal(strlen(str(rec, "description")), FEED_MAX_TEXT_BYTES);
	feed_collector_free(&c);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_entries),
		cmocka_unit_test(test_not_a_catalog),
		cmocka_unit_test(test_empty_catalog_and_long_text),
		cmocka_unit_test(test_shared_catalog),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
