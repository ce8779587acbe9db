/*
 * epss_test.c - tests of the EPSS CSV parser: the shared ';'-separated
 * mirror (counts, sums and spot checks found independently, and its speed),
 * FIRST's own comma-separated format with its model line and header, and
 * bad rows and files.
 *
 * How the real-data numbers were found, without this parser (python3):
 *   for l in gzip.open('epss-scores.csv.gz','rt'): a,b,c = l.strip().split(';')
 *   -> 360142 rows, all with a CVE-\d{4}-\d{4,} id and both numbers in
 *   [0, 1], no id twice; sum(float(b)) = 10177.482159996485 and
 *   sum(float(c)) = 180072.80070000197. Spot rows found with zcat | grep:
 *   CVE-1999-0001;0.033510000;0.876500000, CVE-2021-44228;0.999990000;
 *   1.000000000, CVE-2024-9999;0.004130000;0.343950000.
 */
#include "feeds/feed_testing.h"

#include <math.h>
#include <time.h>

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static double num(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static int parse_text(struct feed_collector *c, const char *name, const char *text)
{
	struct feed_sink sink = feed_collector_init(c);

	return feed_parse_epss(name, text, strlen(text), &sink);
}

/* A sink for the 360,000-row file that keeps only what the test looks at,
 * so that the timing is the parser's and not the collector's. */
struct counting_sink {
	size_t records, skips, bad, dated;
	double sum_epss, sum_percentile;
	json_t *spot; /* id -> record, for a few ids */
};

static int count_record(void *ctx, json_t *record)
{
	struct counting_sink *s = ctx;
	const char *id = str(record, "id");

	s->records++;
	s->bad += feed_record_check(record) != ASEC_OK;
	s->dated += json_object_get(record, "date") != NULL;
	s->sum_epss += num(record, "epss");
	s->sum_percentile += num(record, "percentile");
	if (strcmp(id, "CVE-1999-0001") == 0 || strcmp(id, "CVE-2021-44228") == 0 || strcmp(id, "CVE-2024-9999") == 0)
		json_object_set(s->spot, id, record);
	json_decref(record);
	return 0;
}

static void count_skip(void *ctx, const char *id, const char *reason)
{
	(void)id;
	(void)reason;
	((struct counting_sink *)ctx)->skips++;
}

static int sanitized_or_valgrind(void)
{
	const char *preload = getenv("LD_PRELOAD");

#if defined(__SANITIZE_ADDRESS__)
	return 1;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	return 1;
#endif
#endif
	return preload && strstr(preload, "vgpreload") != NULL;
}

/* Only counts: the sink of the timed run, so that the time measured is the
 * parser's (building each record and freeing it) and not the checks'. */
static int count_only(void *ctx, json_t *record)
{
	struct counting_sink *s = ctx;

	s->records++;
	s->dated += json_object_get(record, "date") != NULL;
	json_decref(record);
	return 0;
}

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void test_shared_mirror(void **state)
{
	size_t len;
	char *data = feed_testing_read_shared("epss-scores.csv.gz", &len);
	struct counting_sink s = {0, 0, 0, 0, 0, 0, NULL};
	struct feed_sink timed = {count_only, count_skip, &s}, sink = {count_record, count_skip, &s};
	struct timespec w0, w1, c0, c1;
	double wall, cpu;
	const json_t *r;

	(void)state;

	/* timed, under a FIRST-style name: every record gets its date */
	clock_gettime(CLOCK_MONOTONIC, &w0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	assert_int_equal(feed_parse_epss("feeds/epss_scores-2026-08-16.csv", data, len, &timed), ASEC_OK);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	clock_gettime(CLOCK_MONOTONIC, &w1);
	wall = seconds_between(&w0, &w1);
	cpu = seconds_between(&c0, &c1);
	printf("epss: %zu rows in %.3f s (%.3f s of CPU), %.0f rows/s\n", s.records, wall, cpu,
	       (double)s.records / (cpu > 0 ? cpu : wall));
	assert_int_equal(s.records, 360142);
	assert_int_equal(s.dated, 360142);
	assert_int_equal(s.skips, 0);
	/* CPU time, not wall time: a loaded machine must not fail the test */
	if (!sanitized_or_valgrind())
		assert_true(cpu < 1.0);

	/* every record checked, summed and spot-checked; the mirror's own
	 * name holds no date */
	memset(&s, 0, sizeof(s));
	s.spot = json_object();
	assert_int_equal(feed_parse_epss("epss-scores.csv", data, len, &sink), ASEC_OK);
	free(data);
	assert_int_equal(s.records, 360142);
	assert_int_equal(s.skips, 0);
	assert_int_equal(s.bad, 0);
	assert_int_equal(s.dated, 0);
	assert_true(fabs(s.sum_epss - 10177.482159996485) < 1e-6);
	assert_true(fabs(s.sum_percentile - 180072.80070000197) < 1e-6);
	r = json_object_get(s.spot, "CVE-1999-0001");
	assert_non_null(r);
	assert_string_equal(str(r, "kind"), "epss");
	assert_true(num(r, "epss") == 0.03351 && num(r, "percentile") == 0.8765);
	r = json_object_get(s.spot, "CVE-2021-44228");
	assert_non_null(r);
	assert_true(num(r, "epss") == 0.99999 && num(r, "percentile") == 1.0);
	r = json_object_get(s.spot, "CVE-2024-9999");
	assert_non_null(r);
	assert_true(num(r, "epss") == 0.00413 && num(r, "percentile") == 0.34395);
	json_decref(s.spot);
}

static void test_first_format(void **state)
{
	static const char text[] = "#model_version:v2023.03.01,score_date:2023-05-13T00:00:00+0000\r\n"
				   "cve,epss,percentile\r\n"
				   "CVE-2020-5902,0.97576,0.99998\r\n"
				   "CVE-2023-0001,4.3e-4,0.1\r\n"
				   "\r\n"
				   "CVE-2023-0002,0,1\r\n";
	struct feed_collector c;
	const json_t *r;

	(void)state;
	/* the score_date line wins over the name */
	assert_int_equal(parse_text(&c, "epss_scores-2020-01-01.csv", text), ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.skips), 0);
	assert_int_equal(json_array_size(c.records), 3);
	r = feed_collector_find(&c, "epss", "CVE-2020-5902");
	assert_non_null(r);
	assert_true(num(r, "epss") == 0.97576 && num(r, "percentile") == 0.99998);
	assert_string_equal(str(r, "date"), "2023-05-13");
	r = feed_collector_find(&c, "epss", "CVE-2023-0001");
	assert_true(num(r, "epss") == 0.00043);
	r = feed_collector_find(&c, "epss", "CVE-2023-0002");
	assert_true(num(r, "epss") == 0.0 && num(r, "percentile") == 1.0);
	feed_collector_free(&c);

	/* header and model line only: an EPSS file with no scores */
	assert_int_equal(parse_text(&c, "x.csv", "#model_version:v2023.03.01\ncve,epss,percentile\n"), ASEC_OK);
	assert_int_equal(json_array_size(c.records), 0);
	feed_collector_free(&c);
}

static void test_bad_rows(void **state)
{
	static const char text[] = "CVE-2024-0001;0.5;0.5\n"
				   "CVE-2024-0002;1.5;0.5\n"
				   "CVE-2024-0003;0.5;-0.1\n"
				   "CVE-2024-0004;nan;0.5\n"
				   "CVE-2024-0005;0x0.1p0;0.5\n"
				   "CVE-2024-0006;;0.5\n"
				   "CVE-2024-0007;0.5\n"
				   "CVE-2024-0008;0.5;0.5;0.5\n"
				   "CVE-24-9;0.5;0.5\n"
				   "no separator here\n"
				   "CVE-2024-0010;0.5 ;0.5\n"
				   "CVE-2024-0011;1e400;0.5\n"
				   "CVE-2024-0012;0.500000000000000000000000000000001;0.5\n"
				   "\xff\xfe;0.1;0.1\n"
				   "CVE-2024-0013,0.25,0.75\n";
	struct feed_collector c;

	(void)state;
	assert_int_equal(parse_text(&c, "epss_scores-2024-13-01.csv", text), ASEC_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(json_array_size(c.records), 2);
	assert_non_null(feed_collector_find(&c, "epss", "CVE-2024-0001"));
	assert_non_null(feed_collector_find(&c, "epss", "CVE-2024-0013"));
	/* an impossible date in the name is no date */
	assert_null(json_object_get(feed_collector_find(&c, "epss", "CVE-2024-0001"), "date"));
	assert_int_equal(json_array_size(c.skips), 13);
	assert_true(feed_collector_skips(&c, "CVE-2024-0002", "line 2: epss \"1.5\" is not a number from 0 to 1"));
	assert_true(feed_collector_skips(&c, "CVE-2024-0003",
					 "line 3: percentile \"-0.1\" is not a number from 0 to 1"));
	assert_true(feed_collector_skips(&c, "CVE-2024-0004", "line 4: epss"));
	assert_true(feed_collector_skips(&c, "CVE-2024-0005", "line 5: epss"));
	assert_true(feed_collector_skips(&c, "CVE-2024-0006", "line 6: epss \"\""));
	assert_true(feed_collector_skips(&c, "CVE-2024-0007", "line 7: 2 fields"));
	assert_true(feed_collector_skips(&c, "CVE-2024-0008", "line 8: more than three fields"));
	assert_true(feed_collector_skips(&c, "", "line 9: \"CVE-24-9\" is not a CVE id"));
	assert_true(feed_collector_skips(&c, "", "line 10: not a cve,epss,percentile row"));
	assert_true(feed_collector_skips(&c, "CVE-2024-0010", "line 11: epss"));
	assert_true(feed_collector_skips(&c, "CVE-2024-0011", "line 12: epss"));
	assert_true(feed_collector_skips(&c, "CVE-2024-0012", "line 13: epss"));
	assert_true(feed_collector_skips(&c, "", "line 14: \"??\" is not a CVE id")); /* bytes made printable */
	feed_collector_free(&c);
}

static void test_not_epss(void **state)
{
	struct feed_collector c;
	size_t i, n = 3000 * 4;
	char *junk = malloc(n + 1);

	(void)state;
	assert_int_equal(parse_text(&c, "x.csv", ""), ASEC_EINVALID);
	feed_collector_free(&c);
	assert_int_equal(parse_text(&c, "x.csv", "{\"vulnerabilities\":[]}\n"), ASEC_EINVALID);
	assert_int_equal(json_array_size(c.records), 0);
	feed_collector_free(&c);
	assert_int_equal(parse_text(&c, "x.csv", "a,b,c\nd,e,f\n"), ASEC_EINVALID);
	assert_true(strncmp(error_last(), "epss: x.csv is not an EPSS CSV", 30) == 0);
	feed_collector_free(&c);

	/* a large non-EPSS file is given up on after 1000 lines, not read to
	 * the end with a skip per line */
	assert_non_null(junk);
	for (i = 0; i < n; i += 4)
		memcpy(junk + i, "x;y\n", 4);
	junk[n] = '\0';
	assert_int_equal(parse_text(&c, "x.csv", junk), ASEC_EINVALID);
	assert_int_equal(json_array_size(c.skips), 1000);
	feed_collector_free(&c);
	free(junk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_format),
		cmocka_unit_test(test_bad_rows),
		cmocka_unit_test(test_not_epss),
		cmocka_unit_test(test_shared_mirror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
