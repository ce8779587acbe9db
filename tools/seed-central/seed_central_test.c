/*
 * seed_central_test.c - the seeding tool's generator and what it stores.
 *
 * The generator's promises are checked without a database: the findings of
 * a plan add up to what was asked, the same seed gives the same documents
 * byte for byte and another seed others, every document's counts, top CVSS
 * and orderings agree with its own components (as image_convert's would),
 * names never repeat, and CVEs and packages are shared across images.
 *
 * Then, with ASEC_TEST_DATABASE_URL (else exit 77 after the above; a failure
 * under CI=true), seed_run stores a small plan in a schema of its own and
 * the counts are read back through the stores' API and the tables, before
 * and after a second run, which must replace rather than add.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error/error.h"
#include "seed.h"
#include "store_alerts.h"
#include "store_images.h"
#include "store_testing.h"
#include "testing/testing.h"

#define NOW_MS 1748779200000ll /* 2025-06-01T12:00:00Z */

static struct seed_plan *plan_of(uint64_t seed, size_t images, size_t findings)
{
	struct seed_plan *p = NULL;

	if (seed_plan_make(&p, seed, images, findings, NOW_MS))
		fail_msg("plan: %s", error_last());
	return p;
}

static json_t *image_of(const struct seed_plan *p, size_t i)
{
	json_t *image = NULL;

	if (seed_image(&image, p, i))
		fail_msg("image %zu: %s", i, error_last());
	return image;
}

static void plan_adds_up(void **state)
{
	struct seed_plan *p = plan_of(7, 1000, 10000), *q = NULL;
	size_t sum = 0, zero = 0, most = 0;

	(void)state;
	for (size_t i = 0; i < 1000; i++) {
		size_t n = seed_plan_findings_of(p, i);
		sum += n;
		zero += n == 0;
		if (n > most)
			most = n;
	}
	assert_int_equal(sum, 10000);
	/* skewed: some images clean, some far above the mean of 10 */
	assert_true(zero >= 20 && zero <= 150);
	assert_true(most >= 50);
	seed_plan_free(p);

	assert_int_equal(seed_plan_make(&q, 1, 0, 5, NOW_MS), ASEC_EINVALID);
	assert_int_equal(seed_plan_make(&q, 1, 2, 4000, NOW_MS), ASEC_EINVALID);
	assert_int_equal(seed_plan_make(&q, 1, 2, 10, NOW_MS), ASEC_OK);
	assert_int_equal(seed_plan_findings_of(q, 0) + seed_plan_findings_of(q, 1), 10);
	seed_plan_free(q);
}

static void deterministic(void **state)
{
	struct seed_plan *a = plan_of(42, 200, 2000), *b = plan_of(42, 200, 2000), *c = plan_of(43, 200, 2000);

	(void)state;
	for (size_t i = 0; i < 200; i += 7) {
		json_t *x = image_of(a, i), *y = image_of(b, i), *z = image_of(c, i);
		char *sx = json_dumps(x, JSON_SORT_KEYS | JSON_COMPACT), *sy = json_dumps(y, JSON_SORT_KEYS | JSON_COMPACT);
		assert_string_equal(sx, sy);
		assert_string_not_equal(json_string_value(json_object_get(x, "id")),
					json_string_value(json_object_get(z, "id")));
		free(sx);
		free(sy);
		json_decref(x);
		json_decref(y);
		json_decref(z);
	}
	seed_plan_free(a);
	seed_plan_free(b);
	seed_plan_free(c);
}

static int sev_rank(const char *s)
{
	static const char *const order[] = {"UNKNOWN", "LOW", "MODERATE", "IMPORTANT", "CRITICAL"};
	for (int i = 0; i < 5; i++)
		if (strncmp(s, order[i], strlen(order[i])) == 0)
			return i;
	fail_msg("severity %s", s);
	return -1;
}

/* Counts of cve ids over images (a tiny open table: the test's own). */
struct tally {
	char key[128];
	size_t n;
};

static size_t tally_add(struct tally *t, size_t size, const char *key)
{
	size_t h = 5381;
	for (const char *c = key; *c; c++)
		h = h * 33 + (unsigned char)*c;
	for (size_t i = h % size;; i = (i + 1) % size) {
		if (!t[i].key[0]) {
			/* ids are short; a longer one would make two keys alike */
			assert_true(strlen(key) < sizeof(t[i].key));
			memcpy(t[i].key, key, strlen(key) + 1);
		}
		if (strcmp(t[i].key, key) == 0)
			return ++t[i].n;
	}
}

static void documents_agree(void **state)
{
	enum { N = 500 };
	struct seed_plan *p = plan_of(5, N, 5000);
	struct tally *cves = calloc(16384, sizeof(*cves)), *names = calloc(4096, sizeof(*names)),
		     *full = calloc(2048, sizeof(*full));
	size_t most_cve = 0, most_pkg = 0, oses = 0;

	(void)state;
	assert_non_null(cves);
	assert_non_null(names);
	assert_non_null(full);
	for (size_t i = 0; i < N; i++) {
		json_t *img = image_of(p, i), *comps = json_object_get(json_object_get(img, "scan"), "components"), *c;
		size_t k, findings = 0, fixable = 0, prev_layer = 0;
		double top = 0;
		char name[400];

		assert_int_equal(seed_image_name(name, sizeof(name), p, i), ASEC_OK);
		assert_string_equal(name, json_string_value(json_object_get(json_object_get(img, "name"), "fullName")));
		assert_int_equal(tally_add(full, 2048, name), 1); /* names never repeat */
		assert_int_equal(json_integer_value(json_object_get(img, "components")), json_array_size(comps));
		assert_int_equal(strlen(json_string_value(json_object_get(img, "id"))), 71);
		oses += strcmp(json_string_value(json_object_get(json_object_get(img, "scan"), "operatingSystem")),
			       "unknown") != 0;
		json_array_foreach(comps, k, c) {
			json_t *vulns = json_object_get(c, "vulns"), *v;
			size_t m;
			int comp_fixable = 0;
			int layer = (int)json_integer_value(json_object_get(c, "layerIndex"));
			size_t n = tally_add(names, 4096, json_string_value(json_object_get(c, "name")));
			if (n > most_pkg)
				most_pkg = n;
			assert_true((size_t)layer >= prev_layer);
			assert_true(layer < (int)json_array_size(
						    json_object_get(json_object_get(json_object_get(img, "metadata"), "v1"),
								    "layers")));
			prev_layer = (size_t)layer;
			json_array_foreach(vulns, m, v) {
				double cvss = json_number_value(json_object_get(v, "cvss"));
				findings++;
				fixable += json_object_get(v, "fixedBy") != NULL;
				comp_fixable |= json_object_get(v, "fixedBy") != NULL;
				if (cvss > top)
					top = cvss;
				n = tally_add(cves, 16384, json_string_value(json_object_get(v, "cve")));
				if (n > most_cve)
					most_cve = n;
				if (m) {
					json_t *pv = json_array_get(vulns, m - 1);
					int r0 = sev_rank(json_string_value(json_object_get(pv, "severity"))),
					    r1 = sev_rank(json_string_value(json_object_get(v, "severity")));
					assert_true(r0 > r1 || (r0 == r1 && json_number_value(json_object_get(pv, "cvss")) >= cvss));
				}
			}
			/* a component's fixedBy exactly when one of its vulns has one */
			assert_int_equal(json_object_get(c, "fixedBy") != NULL, comp_fixable);
		}
		assert_int_equal(findings, seed_plan_findings_of(p, i));
		/* every finding is a distinct CVE within an image */
		assert_int_equal(json_integer_value(json_object_get(img, "cves")), findings);
		assert_int_equal(json_integer_value(json_object_get(img, "fixableCves")), fixable);
		assert_true(json_number_value(json_object_get(img, "topCvss")) == top);
		assert_true(json_number_value(json_object_get(img, "riskScore")) >= 1.0 &&
			    json_number_value(json_object_get(img, "riskScore")) <= 6.0);
		if (findings == 0)
			assert_true(json_number_value(json_object_get(img, "riskScore")) <= 1.5);
		json_decref(img);
	}
	printf("    500 images: the most shared CVE is in %zu, the most shared package name in %zu\n", most_cve,
	       most_pkg);
	assert_true(most_cve >= 20);  /* popular CVEs are shared widely */
	assert_true(most_pkg >= 100); /* base packages too */
	assert_true(oses > N / 2 && oses < N);
	free(cves);
	free(names);
	free(full);
	seed_plan_free(p);
}

/* ---- against PostgreSQL ------------------------------------------------------- */

static struct db_pool *pool;
static char schema[STORE_TESTING_SCHEMA_MAX];

static int setup(void **state)
{
	(void)state;
	return store_testing_open(&pool, schema, "seed_central", 4, seed_migrate);
}

static int teardown(void **state)
{
	(void)state;
	store_testing_close(pool, schema, "seed_central");
	return 0;
}

static int64_t sql_count(const char *sql)
{
	PGresult *res = NULL;
	int64_t n;

	if (db_query(&res, pool, sql, 0, NULL))
		fail_msg("%s: %s", sql, error_last());
	n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return n;
}

static int64_t count_images(const char *text)
{
	struct query *q = NULL;
	size_t n;
	const struct query_field *f = store_images_query_fields(&n);
	int64_t out = -1;

	if (text && query_parse(&q, text, f, n))
		fail_msg("parse %s: %s", text, error_last());
	if (store_images_count(&out, pool, q))
		fail_msg("count: %s", error_last());
	query_free(q);
	return out;
}

static void stored(void **state)
{
	struct seed_plan *p = plan_of(9, 40, 400);
	struct seed_options o = {.alerts = 30, .jobs = 3, .progress = 0, .version = "seed-9"};
	struct seed_result r;
	int64_t alerts = -1;
	json_t *img = NULL, *made = image_of(p, 3);

	(void)state;
	for (int round = 0; round < 2; round++) {
		assert_int_equal(seed_run(&r, pool, p, &o), ASEC_OK);
		assert_int_equal(r.images, 40);
		assert_int_equal(r.findings, 400);
		assert_int_equal(r.alerts, 30);
		/* a second run replaces: the same totals */
		assert_int_equal(count_images(NULL), 40);
		assert_int_equal(sql_count("SELECT count(*) FROM image_cves"), 400);
		assert_int_equal(store_alerts_count(&alerts, pool, NULL), ASEC_OK);
		assert_int_equal(alerts, 30);
	}
	assert_true(sql_count("SELECT count(DISTINCT cve) FROM image_cves") < 400);
	assert_true(sql_count("SELECT count(*) FROM image_components") > 400);
	{
		int64_t crit = count_images("Severity:CRITICAL_VULNERABILITY_SEVERITY");
		assert_true(crit > 0 && crit < 40);
	}
	/* what get answers is the document made, with the store's fields filled */
	assert_int_equal(store_images_get(&img, pool, json_string_value(json_object_get(made, "id")), 0), ASEC_OK);
	assert_int_equal(json_integer_value(json_object_get(img, "cves")), seed_plan_findings_of(p, 3));
	assert_string_equal(json_string_value(json_object_get(json_object_get(img, "name"), "fullName")),
			    json_string_value(json_object_get(json_object_get(made, "name"), "fullName")));
	assert_true(json_integer_value(json_object_get(img, "priority")) >= 1);
	json_decref(img);
	json_decref(made);
	seed_plan_free(p);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(plan_adds_up),
		cmocka_unit_test(deterministic),
		cmocka_unit_test(documents_agree),
	};
	const struct CMUnitTest db[] = {
		cmocka_unit_test(stored),
	};
	int failed = cmocka_run_group_tests_name("generator", pure, NULL, NULL), skip;

	if ((skip = store_testing_unavailable(failed)) >= 0)
		return skip;
	return cmocka_run_group_tests_name("stored", db, setup, teardown) || failed;
}
