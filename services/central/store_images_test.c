/*
 * store_images_test.c - central's image store against a real PostgreSQL.
 *
 * Needs ASEC_TEST_DATABASE_URL (skipped with exit 77 when unset, a failure
 * under CI=true) and works in a schema of its own, so parallel runs do not
 * meet. Image documents are written here by hand after the spec's Image
 * schema (and one realistic one in testdata/store-images/), not made by
 * image_convert(), so that this test pins the store alone.
 *
 * Expected answers are computed independently of the SQL: the query test
 * lists which fixture images each query must return, and the sort test
 * orders the fixtures in C with the documented rules (NULLs last, ties by
 * id) and compares.
 */
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "error/error.h"
#include "store_images.h"
#include "store_testing.h"
#include "testing/testing.h"

static struct db_pool *pool;
static char schema[STORE_TESTING_SCHEMA_MAX];

/* ---- setup ---------------------------------------------------------------- */

static int setup(void **state)
{
	(void)state;
	return store_testing_open(&pool, schema, "store_images_test", 8, store_images_migrate);
}

static int teardown(void **state)
{
	(void)state;
	store_testing_close(pool, schema, "store_images_test");
	return 0;
}

static int64_t sql_int(const char *sql, const char *param)
{
	const char *params[1] = {param};
	PGresult *res = NULL;
	int64_t n = -1;

	if (db_query(&res, pool, sql, param ? 1 : 0, params) || PQntuples(res) != 1)
		fail_msg("%s: %s", sql, error_last());
	n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return n;
}

static void wipe(void)
{
	static const char *const tables[] = {"images", "cve_first_seen", NULL};

	if (store_testing_wipe(pool, tables))
		fail_msg("wipe: %s", error_last());
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* RFC 3339 "YYYY-MM-DDTHH:MM:SS[.mmm]Z" to Unix ms, for checking. */
static int64_t rfc3339_ms(const char *s)
{
	struct tm tm;
	int ms = 0;
	const char *p;

	assert_non_null(s);
	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	assert_non_null(p);
	if (*p == '.') {
		assert_int_equal(strlen(p), 5);
		ms = atoi(p + 1);
		p += 4;
	}
	assert_string_equal(p, "Z");
	return (int64_t)timegm(&tm) * 1000 + ms;
}

/* ---- documents ------------------------------------------------------------ */

struct vuln_spec {
	const char *cve;
	const char *severity; /* short: LOW, MODERATE, ... */
	double cvss;
	const char *fixed_by;
};

struct comp_spec {
	const char *name;
	const char *version;
	struct vuln_spec vulns[4];
};

struct image_spec {
	const char *id;
	const char *registry, *remote, *tag; /* tag NULL: a name by digest */
	const char *os;                      /* NULL: none */
	const char *created, *scan_time;     /* NULL: none */
	double top_cvss, risk;
	struct comp_spec comps[4];
};

static void full_name(char *out, size_t size, const struct image_spec *s, const char *tag)
{
	if (tag)
		snprintf(out, size, "%s/%s:%s", s->registry, s->remote, tag);
	else
		snprintf(out, size, "%s/%s@%s", s->registry, s->remote, s->id);
}

static json_t *name_json(const struct image_spec *s, const char *tag)
{
	char full[512];

	full_name(full, sizeof(full), s, tag);
	json_t *n = json_pack("{s:s, s:s}", "registry", s->registry, "remote", s->remote);
	if (tag)
		json_object_set_new(n, "tag", json_string(tag));
	json_object_set_new(n, "fullName", json_string(full));
	return n;
}

/* An Image after openapi/central.yaml, as the converter would make it. */
static json_t *make_image_tagged(const struct image_spec *s, const char *tag)
{
	json_t *components = json_array(), *image, *scan, *v1, *cves = json_object();
	int fixable = 0, ncomp = 0;

	for (int c = 0; c < 4 && s->comps[c].name; c++) {
		const struct comp_spec *cs = &s->comps[c];
		json_t *vulns = json_array();
		for (int v = 0; v < 4 && cs->vulns[v].cve; v++) {
			const struct vuln_spec *vs = &cs->vulns[v];
			char severity[64];
			snprintf(severity, sizeof(severity), "%s_VULNERABILITY_SEVERITY", vs->severity);
			json_t *vj = json_pack("{s:s, s:s, s:s, s:f, s:s, s:s, s:s, s:[s]}", "cve", vs->cve, "summary",
					       "A summary that strip_description removes.", "link",
					       "https://nvd.nist.gov/vuln/detail/x", "cvss", vs->cvss, "severity", severity,
					       "state", "OBSERVED", "vulnerabilityType", "IMAGE_VULNERABILITY",
					       "vulnerabilityTypes", "IMAGE_VULNERABILITY");
			assert_non_null(vj);
			if (vs->fixed_by)
				json_object_set_new(vj, "fixedBy", json_string(vs->fixed_by));
			if (vs->fixed_by && !json_object_get(cves, vs->cve))
				fixable++;
			json_object_set_new(cves, vs->cve, json_true());
			json_array_append_new(vulns, vj);
		}
		json_array_append_new(components, json_pack("{s:s, s:s, s:s, s:s, s:o}", "name", cs->name, "version",
							    cs->version, "source", "OS", "location",
							    "var/lib/dpkg/status", "vulns", vulns));
		ncomp++;
	}
	scan = json_pack("{s:s, s:{s:s, s:s}, s:[], s:o}", "scannerVersion", "test", "dataSource", "id", "t", "name",
			 "t", "notes", "components", components);
	if (s->scan_time)
		json_object_set_new(scan, "scanTime", json_string(s->scan_time));
	if (s->os)
		json_object_set_new(scan, "operatingSystem", json_string(s->os));
	v1 = json_pack("{s:[]}", "layers");
	if (s->created)
		json_object_set_new(v1, "created", json_string(s->created));
	image = json_pack("{s:s, s:o, s:[o], s:{s:o, s:{s:s}, s:[]}, s:o, s:i, s:i, s:i, s:f, s:f, s:i, s:b, s:b, s:s}",
			  "id", s->id, "name", name_json(s, tag), "names", name_json(s, tag), "metadata", "v1", v1, "v2",
			  "digest", s->id, "layerShas", "scan", scan, "components", ncomp, "cves",
			  (int)json_object_size(cves), "fixableCves", fixable, "topCvss", s->top_cvss, "riskScore",
			  s->risk, "priority", 0, "notPullable", 0, "isClusterLocal", 0, "lastUpdated",
			  s->scan_time ? s->scan_time : "2024-01-01T00:00:00Z");
	assert_non_null(image);
	json_decref(cves);
	return image;
}

static json_t *make_image(const struct image_spec *s)
{
	return make_image_tagged(s, s->tag);
}

static void put(const struct image_spec *s)
{
	json_t *image = make_image(s);
	if (store_images_put(pool, image, "v1"))
		fail_msg("put %s: %s", s->id, error_last());
	json_decref(image);
}

static json_t *get(const char *id, int strip)
{
	json_t *image = NULL;
	if (store_images_get(&image, pool, id, strip))
		fail_msg("get %s: %s", id, error_last());
	return image;
}

/* The vuln cve of component comp of an Image. */
static json_t *vuln_of(json_t *image, size_t comp, const char *cve)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(json_array_get(json_object_get(json_object_get(image, "scan"), "components"),
							  comp),
					   "vulns"),
			   i, v) {
		if (strcmp(json_string_value(json_object_get(v, "cve")), cve) == 0)
			return v;
	}
	fail_msg("no %s in component %zu", cve, comp);
	return NULL;
}

static int64_t first_seen(json_t *image, size_t comp, const char *cve, const char *which)
{
	return rfc3339_ms(json_string_value(json_object_get(vuln_of(image, comp, cve), which)));
}

/* ---- the fixtures --------------------------------------------------------- */

#define ID1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define ID2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define ID3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"
#define ID4 "sha256:4444444444444444444444444444444444444444444444444444444444444444"

static const struct image_spec fixtures[] = {
	{ID1, "docker.io", "library/nginx", "1.25", "debian:12", "2023-01-10T00:00:00Z", "2024-03-01T10:00:00Z", 9.8,
	 50,
	 {{"openssl", "3.0.11", {{"CVE-2023-0001", "CRITICAL", 9.8, "3.0.12"}}},
	  {"zlib", "1.2.13", {{"CVE-2022-0002", "LOW", 3.1, NULL}}}}},
	{ID2, "quay.io", "prometheus/node-exporter", "v1.7.0", "alpine:3.19", "2024-02-01T00:00:00Z",
	 "2024-03-02T12:00:00Z", 7.5, 20,
	 {{"busybox", "1.36.1", {{"CVE-2022-0002", "MODERATE", 5.0, "1.36.2"}, {"CVE-2023-0003", "IMPORTANT", 7.5, NULL}}},
	  {"musl", "1.2.4", {{NULL, NULL, 0, NULL}}}}},
	{ID3, "registry.example.com:5000", "team/app", NULL, NULL, NULL, "2024-03-03T08:00:00.500Z", 0, 0, {{NULL, NULL, {{NULL, NULL, 0, NULL}}}}},
	/* ties ID1 on risk and top CVSS: ties are broken by id */
	{ID4, "docker.io", "library/redis", "7", "debian:12", "2022-05-05T00:00:00Z", "2024-02-15T00:00:00Z", 9.8, 50,
	 {{"libc6", "2.36-9+deb12u4", {{"CVE-2023-4911", "IMPORTANT", 7.8, "2.36-9+deb12u3"}}}}},
};
#define NFIXTURES (sizeof(fixtures) / sizeof(fixtures[0]))

static void put_fixtures(void)
{
	wipe();
	for (size_t i = 0; i < NFIXTURES; i++)
		put(&fixtures[i]);
}

static const struct query_field *fields(size_t *n)
{
	return store_images_query_fields(n);
}

static struct query *parse(const char *text)
{
	struct query *q = NULL;
	size_t n;
	const struct query_field *f = fields(&n);

	if (query_parse(&q, text, f, n))
		fail_msg("parse \"%s\": %s", text, error_last());
	return q;
}

/* The ids (by their first distinguishing digit) a listing returns, in order:
 * "12" for ID1 then ID2. */
static void list_digits(char *out, size_t size, const char *query_text, const char *sort, int reversed,
			size_t limit, size_t offset)
{
	struct query *q = query_text ? parse(query_text) : NULL;
	struct store_search_page page = {.limit = limit, .offset = offset, .sort_field = sort, .reversed = reversed};
	json_t *list = NULL, *item;
	size_t i, used = 0;

	if (store_images_list(&list, pool, q, &page))
		fail_msg("list \"%s\" by %s: %s", query_text ? query_text : "", sort ? sort : "-", error_last());
	out[0] = '\0';
	json_array_foreach(list, i, item) {
		const char *id = json_string_value(json_object_get(item, "id"));
		assert_non_null(id);
		if (used + 2 < size) {
			out[used++] = id[7];
			out[used] = '\0';
		}
	}
	json_decref(list);
	query_free(q);
}

/* ---- tests ---------------------------------------------------------------- */

static void round_trip(void **state)
{
	char path[1024];
	const char *source = getenv("ASEC_SOURCE_DIR");
	size_t len, i;
	unsigned char *text;
	json_t *doc, *original, *got, *stripped, *comps, *c, *v, *names;
	json_error_t jerr;
	int64_t before, after;

	(void)state;
	wipe();
	if (source && source[0])
		snprintf(path, sizeof(path), "%s/services/central/testdata/store-images/debian-image.json", source);
	else
		snprintf(path, sizeof(path), "%.*s/testdata/store-images/debian-image.json",
			 (int)(strrchr(__FILE__, '/') - __FILE__), __FILE__);
	text = testing_read_file(path, &len);
	assert_non_null(text);
	doc = json_loads((const char *)text, 0, &jerr);
	free(text);
	assert_non_null(doc);
	original = json_deep_copy(doc);

	before = now_ms();
	assert_int_equal(store_images_put(pool, doc, "2024-03-01T06:00:00Z"), ASEC_OK);
	after = now_ms();
	assert_int_equal(json_integer_value(json_object_get(doc, "priority")), 1);

	got = get(json_string_value(json_object_get(original, "id")), 0);
	/* put answers what get answers */
	assert_true(json_equal(got, doc));
	/* and that is the original with the store's parts filled */
	comps = json_object_get(json_object_get(got, "scan"), "components");
	json_array_foreach(comps, i, c) {
		size_t k;
		json_array_foreach(json_object_get(c, "vulns"), k, v) {
			int64_t sys = rfc3339_ms(json_string_value(json_object_get(v, "firstSystemOccurrence")));
			int64_t img = rfc3339_ms(json_string_value(json_object_get(v, "firstImageOccurrence")));
			/* the server's clock may differ a little from ours */
			assert_true(sys >= before - 5000 && sys <= after + 5000);
			assert_int_equal(sys, img);
			assert_non_null(json_object_get(v, "summary"));
			json_object_del(v, "firstSystemOccurrence");
			json_object_del(v, "firstImageOccurrence");
		}
	}
	assert_int_equal(json_integer_value(json_object_get(got, "priority")), 1);
	json_object_set_new(got, "priority", json_integer(0));
	names = json_object_get(got, "names");
	assert_int_equal(json_array_size(names), 1);
	assert_true(json_equal(json_array_get(names, 0), json_object_get(original, "name")));
	if (!json_equal(got, original)) {
		char *a = json_dumps(got, JSON_SORT_KEYS), *b = json_dumps(original, JSON_SORT_KEYS);
		fail_msg("round trip differs:\n%s\n%s", a, b);
	}
	/* the numbers as written: 15 digits survive */
	assert_true(json_real_value(json_object_get(got, "riskScore")) == 12.345678901234);

	/* the rows for searching agree with the document */
	assert_int_equal(sql_int("SELECT count(*) FROM image_components WHERE image_id = $1",
				 json_string_value(json_object_get(original, "id"))),
			 4);
	assert_int_equal(sql_int("SELECT count(*) FROM image_cves WHERE image_id = $1",
				 json_string_value(json_object_get(original, "id"))),
			 4);
	assert_int_equal(sql_int("SELECT count(*) FROM image_cves WHERE fixable AND fixed_by = '3.0.13-1~deb12u1'"
				 " AND cvss = 7.5 AND severity = 'IMPORTANT_VULNERABILITY_SEVERITY'",
				 NULL),
			 2);

	stripped = NULL;
	assert_int_equal(store_images_get(&stripped, pool, json_string_value(json_object_get(original, "id")), 1),
			 ASEC_OK);
	json_array_foreach(json_object_get(json_object_get(stripped, "scan"), "components"), i, c) {
		size_t k;
		json_array_foreach(json_object_get(c, "vulns"), k, v) {
			assert_null(json_object_get(v, "summary"));
			assert_non_null(json_object_get(v, "link"));
		}
	}
	json_decref(stripped);

	assert_int_equal(store_images_get(&stripped, pool, "sha256:0000", 0), ASEC_ENOTFOUND);
	assert_null(stripped);
	json_decref(got);
	json_decref(doc);
	json_decref(original);
}

static void bad_documents(void **state)
{
	json_t *image;

	(void)state;
	wipe();
	/* no id */
	image = make_image(&fixtures[0]);
	json_object_del(image, "id");
	assert_int_equal(store_images_put(pool, image, "v1"), ASEC_EINVALID);
	json_decref(image);
	/* a date PostgreSQL would read but RFC 3339 does not */
	image = make_image(&fixtures[0]);
	json_object_set_new(image, "lastUpdated", json_string("now"));
	assert_int_equal(store_images_put(pool, image, "v1"), ASEC_EINVALID);
	json_decref(image);
	/* an unknown severity */
	image = make_image(&fixtures[0]);
	json_object_set_new(vuln_of(image, 0, "CVE-2023-0001"), "severity", json_string("SEVERE"));
	assert_int_equal(store_images_put(pool, image, "v1"), ASEC_EINVALID);
	json_decref(image);
	/* a NUL inside a string that becomes a column */
	image = make_image(&fixtures[0]);
	json_object_set_new(json_array_get(json_object_get(json_object_get(image, "scan"), "components"), 0), "name",
			    json_stringn("open\0ssl", 8));
	assert_int_equal(store_images_put(pool, image, "v1"), ASEC_EINVALID);
	json_decref(image);
	/* nothing was stored by any of them */
	assert_int_equal(sql_int("SELECT count(*) FROM images", NULL), 0);

	/* a NUL where no column reads it (a feed's summary) is kept as is */
	image = make_image(&fixtures[0]);
	json_object_set_new(vuln_of(image, 1, "CVE-2022-0002"), "summary", json_stringn("a\0b", 3));
	assert_int_equal(store_images_put(pool, image, "v1"), ASEC_OK);
	json_decref(image);
	image = get(ID1, 0);
	assert_int_equal(json_string_length(json_object_get(vuln_of(image, 1, "CVE-2022-0002"), "summary")), 3);
	assert_int_equal(sql_int("SELECT count(*) FROM image_cves WHERE image_id = '" ID1 "'", NULL), 2);
	json_decref(image);
}

static void first_seen_kept(void **state)
{
	struct image_spec b = fixtures[0], a = fixtures[0];
	json_t *a1, *a2, *b1, *c1;
	int64_t sys0, img0;

	(void)state;
	wipe();
	a1 = make_image(&a);
	assert_int_equal(store_images_put(pool, a1, "v1"), ASEC_OK);
	sys0 = first_seen(a1, 0, "CVE-2023-0001", "firstSystemOccurrence");
	img0 = first_seen(a1, 0, "CVE-2023-0001", "firstImageOccurrence");
	store_testing_sleep_ms(30);

	/* a re-scan keeps both */
	a2 = make_image(&a);
	assert_int_equal(store_images_put(pool, a2, "v2"), ASEC_OK);
	assert_int_equal(first_seen(a2, 0, "CVE-2023-0001", "firstSystemOccurrence"), sys0);
	assert_int_equal(first_seen(a2, 0, "CVE-2023-0001", "firstImageOccurrence"), img0);
	store_testing_sleep_ms(30);

	/* another image: the system's time, its own image time */
	b.id = ID2;
	b1 = make_image(&b);
	assert_int_equal(store_images_put(pool, b1, "v1"), ASEC_OK);
	assert_int_equal(first_seen(b1, 0, "CVE-2023-0001", "firstSystemOccurrence"), sys0);
	assert_true(first_seen(b1, 0, "CVE-2023-0001", "firstImageOccurrence") >= img0 + 30);
	store_testing_sleep_ms(30);

	/* every image deleted: the CVE's first sighting stays, the image's goes */
	store_testing_sql(pool, "DELETE FROM images");
	c1 = make_image(&a);
	assert_int_equal(store_images_put(pool, c1, "v1"), ASEC_OK);
	assert_int_equal(first_seen(c1, 0, "CVE-2023-0001", "firstSystemOccurrence"), sys0);
	assert_true(first_seen(c1, 0, "CVE-2023-0001", "firstImageOccurrence") >= img0 + 60);
	json_decref(c1);
	/* and get reads the same */
	c1 = get(ID1, 0);
	assert_int_equal(first_seen(c1, 0, "CVE-2023-0001", "firstSystemOccurrence"), sys0);

	json_decref(a1);
	json_decref(a2);
	json_decref(b1);
	json_decref(c1);
}

static void names_accumulate(void **state)
{
	struct image_spec a = fixtures[0], b = fixtures[1];
	struct store_image_ref ref;
	json_t *image, *names;
	const char *n1 = "docker.io/library/nginx:1.25", *n2 = "docker.io/library/nginx:stable",
		   *n3 = "docker.io/library/nginx:latest";

	(void)state;
	wipe();
	assert_int_equal(store_images_find_by_name(&ref, pool, n1), ASEC_ENOTFOUND);
	put(&a);
	store_testing_sleep_ms(5);
	image = make_image_tagged(&a, "stable");
	assert_int_equal(store_images_put(pool, image, "v7"), ASEC_OK);
	names = json_object_get(image, "names");
	assert_int_equal(json_array_size(names), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(names, 0), "fullName")), n2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(names, 1), "fullName")), n1);
	json_decref(image);

	assert_int_equal(store_images_find_by_name(&ref, pool, n1), ASEC_OK);
	assert_string_equal(ref.id, ID1);
	assert_string_equal(ref.vuln_data_version, "v7");
	assert_int_equal(ref.scan_time_ms, rfc3339_ms(a.scan_time));

	store_testing_sleep_ms(5);
	assert_int_equal(store_images_add_name(pool, ID1, n3, "docker.io", "library/nginx", "latest"), ASEC_OK);
	assert_int_equal(store_images_add_name(pool, ID2, n3, "docker.io", "library/nginx", "latest"), ASEC_ENOTFOUND);
	image = get(ID1, 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(image, "name"), "fullName")), n3);
	assert_string_equal(json_string_value(json_object_get(json_object_get(image, "name"), "tag")), "latest");
	names = json_object_get(image, "names");
	assert_int_equal(json_array_size(names), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(names, 0), "fullName")), n3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(names, 1), "fullName")), n2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(names, 2), "fullName")), n1);
	json_decref(image);

	/* the tag moves to another manifest: the name now finds that one */
	store_testing_sleep_ms(5);
	b.registry = "docker.io";
	b.remote = "library/nginx";
	b.tag = "1.25";
	put(&b);
	assert_int_equal(store_images_find_by_name(&ref, pool, n1), ASEC_OK);
	assert_string_equal(ref.id, ID2);
	/* the old manifest keeps the name among its names */
	image = get(ID1, 0);
	assert_int_equal(json_array_size(json_object_get(image, "names")), 3);
	json_decref(image);
	/* and when the new one is deleted, the name finds the old one again */
	store_testing_sql(pool, "DELETE FROM images WHERE id = '" ID2 "'");
	assert_int_equal(store_images_find_by_name(&ref, pool, n1), ASEC_OK);
	assert_string_equal(ref.id, ID1);
}

static const struct {
	const char *query;
	const char *ids; /* digits of the expected images, in priority order */
} query_cases[] = {
	{"Image:docker.io/library/nginx", "1"},
	{"Image:quay.io", "2"},
	{"Image:nope", ""},
	{"Image:\"docker.io/library/redis:7\"", "4"},
	{"Image Tag:1.25", "1"},
	{"Image Tag:-", "3"},
	{"Image Tag:1.2", "1"},
	{"Image Tag:latest", ""},
	{"Image Registry:quay.io", "2"},
	{"Image Registry:gcr.io", ""},
	{"Image Remote:team/app", "3"},
	{"Image Remote:library/postgres", ""},
	{"Image Remote:r/^library/(nginx|redis)$", "14"},
	{"Image Sha:sha256:2222", "2"},
	{"Image Sha:sha256:9", ""},
	{"Image OS:debian", "14"},
	{"Image OS:-", "3"},
	{"Image OS:alpine", "2"},
	{"Image OS:ubuntu", ""},
	{"Image Scan Time:2024-03-02", "2"},
	{"Image Scan Time:>2024-03-02", "23"},
	{"Image Scan Time:>=2024-03-03", "3"},
	{"Image Scan Time:2023-03-02", ""},
	{"Image Created Time:<2023-06-01", "14"},
	{"Image Created Time:-", "3"},
	{"Image Created Time:>2024-06-01", ""},
	{"Image Top CVSS:>=7.5", "142"},
	{"Image Top CVSS:9.8", "14"},
	{"Image Top CVSS:>9.8", ""},
	{"Image Risk Priority:1", "1"},
	{"Image Risk Priority:>=3", "23"},
	{"Image Risk Priority:>4", ""},
	{"CVE:CVE-2023-0001", "1"},
	{"CVE:CVE-2022-0002", "12"},
	{"CVE:cve-2023", "142"},
	{"CVE:CVE-1999", ""},
	{"CVSS:>=9", "1"},
	{"CVSS:<4", "1"},
	{"CVSS:7.8", "4"},
	{"CVSS:>9.8", ""},
	{"Severity:CRITICAL_VULNERABILITY_SEVERITY", "1"},
	{"Severity:Moderate", "2"},
	{"Severity:>=important", "142"},
	{"Severity:\"Unknown\"", ""},
	{"Fixable:true", "142"},
	{"Fixable:false", "12"},
	{"Fixed By:3.0.12", "1"},
	{"Fixed By:1.36", "2"},
	{"Fixed By:9", ""},
	{"Component:openssl", "1"},
	{"Component:musl", "2"},
	{"Component:python", ""},
	{"Component Version:1.2", "12"},
	{"Component Version:\"1.2.4\"", "2"},
	{"Component Version:2.36-9+deb12u4", "4"},
	{"Component Version:0.", ""},
	/* terms on one finding hold for the same finding */
	{"CVE:CVE-2022-0002+Fixable:true", "2"},
	{"CVE:CVE-2022-0002+Fixable:false", "1"},
	{"CVE:CVE-2022-0002+Severity:low", "1"},
	{"CVE:CVE-2023-0001+CVSS:<5", ""},
	/* and a finding of that component */
	{"Component:openssl+CVE:CVE-2022-0002", ""},
	{"Component:zlib+CVE:CVE-2022-0002", "1"},
	{"Component:busybox+Fixable:false", "2"},
	/* fields of the row and of findings together */
	{"Image Registry:docker.io+Fixable:true", "14"},
	{"Image Registry:docker.io+Severity:Moderate", ""},
};

static void query_fields(void **state)
{
	char got[16];
	size_t nf, i;
	const struct query_field *f = fields(&nf);
	int seen[32] = {0};

	(void)state;
	put_fixtures();
	for (i = 0; i < sizeof(query_cases) / sizeof(query_cases[0]); i++) {
		struct query *q = parse(query_cases[i].query);
		int64_t n = -1;
		list_digits(got, sizeof(got), query_cases[i].query, NULL, 0, 100, 0);
		if (strcmp(got, query_cases[i].ids) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s\"", query_cases[i].query, got, query_cases[i].ids);
		assert_int_equal(store_images_count(&n, pool, q), ASEC_OK);
		assert_int_equal(n, (int64_t)strlen(query_cases[i].ids));
		query_free(q);
		/* a case shows its field matching some image and missing another */
		for (size_t k = 0; k < nf; k++) {
			size_t len = strlen(f[k].label), want = strlen(query_cases[i].ids);
			if (strncasecmp(query_cases[i].query, f[k].label, len) != 0 || query_cases[i].query[len] != ':')
				continue;
			seen[k] |= (want > 0 ? 1 : 0) | (want < NFIXTURES ? 2 : 0);
		}
	}
	/* every field was tried with a match and a miss */
	for (size_t k = 0; k < nf; k++)
		if (seen[k] != 3)
			fail_msg("field %s lacks a case with a %s image", f[k].label,
				 seen[k] & 1 ? "non-matching" : "matching");
	/* an empty query (and none) matches everything */
	list_digits(got, sizeof(got), "", NULL, 0, 100, 0);
	assert_string_equal(got, "1423");
	list_digits(got, sizeof(got), NULL, NULL, 0, 100, 0);
	assert_string_equal(got, "1423");
}

/* ---- sorting: the fixtures ordered in C ----------------------------------- */

static const char *sort_labels[] = {"Image",     "Image Tag",       "Image Registry",     "Image Remote",
				    "Image Sha", "Image OS",        "Image Scan Time",    "Image Created Time",
				    "Image Top CVSS", "Image Risk Priority"};
static int sort_field, sort_reversed;

static const char *spec_text(const struct image_spec *s, int field, char *buf, size_t size)
{
	switch (field) {
	case 0: full_name(buf, size, s, s->tag); return buf;
	case 1: return s->tag;
	case 2: return s->registry;
	case 3: return s->remote;
	case 4: return s->id;
	case 5: return s->os;
	case 6: return s->scan_time;
	case 7: return s->created;
	default: return NULL;
	}
}

static int spec_cmp(const void *pa, const void *pb)
{
	const struct image_spec *a = pa, *b = pb;
	char ba[512], bb[512];
	int c = 0, idc = strcmp(a->id, b->id);

	if (sort_field == 9) { /* priority: riskiest first, ties by id */
		c = a->risk > b->risk ? -1 : a->risk < b->risk ? 1 : idc;
		return sort_reversed ? -c : c;
	}
	if (sort_field == 8) {
		c = a->top_cvss < b->top_cvss ? -1 : a->top_cvss > b->top_cvss ? 1 : 0;
	} else {
		const char *x = spec_text(a, sort_field, ba, sizeof(ba)), *y = spec_text(b, sort_field, bb, sizeof(bb));
		if (!x || !y) /* NULLs last, both ways */
			return x ? -1 : y ? 1 : (sort_reversed ? -idc : idc);
		/* times all in one format, UTC: text order is time order,
		 * except the fraction, which the fixtures use only once */
		c = strcmp(x, y);
	}
	if (c == 0)
		c = idc;
	return sort_reversed ? -c : c;
}

static void sorting(void **state)
{
	struct image_spec sorted[NFIXTURES];
	char got[16], want[16];
	struct store_search_page page = {.limit = 10, .sort_field = "Nope"};
	json_t *list = (json_t *)1;

	(void)state;
	put_fixtures();
	for (size_t f = 0; f < sizeof(sort_labels) / sizeof(sort_labels[0]); f++) {
		for (int rev = 0; rev <= 1; rev++) {
			char lower[64];
			size_t k;
			memcpy(sorted, fixtures, sizeof(sorted));
			sort_field = (int)f;
			sort_reversed = rev;
			qsort(sorted, NFIXTURES, sizeof(sorted[0]), spec_cmp);
			for (k = 0; k < NFIXTURES; k++)
				want[k] = sorted[k].id[7];
			want[k] = '\0';
			list_digits(got, sizeof(got), NULL, sort_labels[f], rev, 100, 0);
			if (strcmp(got, want) != 0)
				fail_msg("sort by %s%s: got %s, want %s", sort_labels[f], rev ? " reversed" : "", got,
					 want);
			/* labels in any case, as in queries */
			for (k = 0; sort_labels[f][k] && k < sizeof(lower) - 1; k++)
				lower[k] = (char)(sort_labels[f][k] | 0x20);
			lower[k] = '\0';
			list_digits(got, sizeof(got), NULL, lower, rev, 100, 0);
			assert_string_equal(got, want);
		}
	}
	/* the default is risk priority, riskiest first */
	list_digits(got, sizeof(got), NULL, NULL, 0, 100, 0);
	assert_string_equal(got, "1423");
	list_digits(got, sizeof(got), NULL, "", 1, 100, 0);
	assert_string_equal(got, "3241");

	assert_int_equal(store_images_list(&list, pool, NULL, &page), ASEC_EINVALID);
	assert_null(list);
	assert_non_null(strstr(error_last(), "\"Nope\""));
	assert_non_null(strstr(error_last(), "Image Scan Time"));
	page.sort_field = "CVE";
	assert_int_equal(store_images_list(&list, pool, NULL, &page), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "not a field of the image"));
	page.sort_field = NULL;
	page.limit = 0;
	assert_int_equal(store_images_list(&list, pool, NULL, &page), ASEC_EINVALID);
	page.limit = 1001;
	assert_int_equal(store_images_list(&list, pool, NULL, &page), ASEC_EINVALID);
}

static void list_objects(void **state)
{
	struct store_search_page page = {.limit = 10};
	json_t *list = NULL, *o;

	(void)state;
	put_fixtures();
	assert_int_equal(store_images_list(&list, pool, NULL, &page), ASEC_OK);
	assert_int_equal(json_array_size(list), 4);
	o = json_array_get(list, 0);
	assert_string_equal(json_string_value(json_object_get(o, "id")), ID1);
	assert_string_equal(json_string_value(json_object_get(o, "name")), "docker.io/library/nginx:1.25");
	assert_int_equal(json_integer_value(json_object_get(o, "components")), 2);
	assert_int_equal(json_integer_value(json_object_get(o, "cves")), 2);
	assert_int_equal(json_integer_value(json_object_get(o, "fixableCves")), 1);
	assert_true(json_number_value(json_object_get(o, "topCvss")) == 9.8);
	assert_true(json_number_value(json_object_get(o, "riskScore")) == 50);
	assert_int_equal(json_integer_value(json_object_get(o, "priority")), 1);
	assert_string_equal(json_string_value(json_object_get(o, "created")), "2023-01-10T00:00:00Z");
	assert_string_equal(json_string_value(json_object_get(o, "lastUpdated")), "2024-03-01T10:00:00Z");
	assert_string_equal(json_string_value(json_object_get(o, "operatingSystem")), "debian:12");
	o = json_array_get(list, 3);
	assert_string_equal(json_string_value(json_object_get(o, "id")), ID3);
	assert_string_equal(json_string_value(json_object_get(o, "name")), "registry.example.com:5000/team/app@" ID3);
	assert_int_equal(json_integer_value(json_object_get(o, "priority")), 4);
	assert_null(json_object_get(o, "created"));
	assert_null(json_object_get(o, "operatingSystem"));
	assert_string_equal(json_string_value(json_object_get(o, "lastUpdated")), "2024-03-03T08:00:00.500Z");
	/* priority follows the others: a riskier newcomer pushes ID1 down */
	json_decref(list);
	{
		struct image_spec riskier = fixtures[2];
		json_t *image;
		riskier.id = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
		riskier.risk = 99.5;
		put(&riskier);
		image = get(ID1, 0);
		assert_int_equal(json_integer_value(json_object_get(image, "priority")), 2);
		json_decref(image);
		image = get(ID3, 0);
		assert_int_equal(json_integer_value(json_object_get(image, "priority")), 5);
		json_decref(image);
	}
}

static void pagination(void **state)
{
	char seen[64][80];
	size_t nseen = 0;
	const char *sorts[] = {NULL, "Image Created Time", "Image Tag", "Image Top CVSS"};

	(void)state;
	wipe();
	for (int i = 0; i < 25; i++) {
		struct image_spec s = fixtures[i % 3];
		char id[80], tag[16], created[32];
		snprintf(id, sizeof(id), "sha256:%064x", i + 100);
		snprintf(tag, sizeof(tag), "t%d", i % 4);
		snprintf(created, sizeof(created), "2023-0%d-01T00:00:00Z", 1 + i % 5);
		s.id = id;
		s.tag = i % 6 ? tag : NULL;
		s.created = i % 7 ? created : NULL;
		s.risk = (double)(i % 5); /* many ties */
		s.top_cvss = (double)(i % 3);
		put(&s);
	}
	for (size_t si = 0; si < sizeof(sorts) / sizeof(sorts[0]); si++) {
		for (int rev = 0; rev <= 1; rev++) {
			struct store_search_page page = {.limit = 7, .sort_field = sorts[si], .reversed = rev};
			nseen = 0;
			for (page.offset = 0; page.offset < 35; page.offset += 7) {
				json_t *list = NULL, *o;
				size_t i;
				assert_int_equal(store_images_list(&list, pool, NULL, &page), ASEC_OK);
				assert_true(json_array_size(list) <= 7);
				json_array_foreach(list, i, o) {
					const char *id = json_string_value(json_object_get(o, "id"));
					for (size_t k = 0; k < nseen; k++)
						if (strcmp(seen[k], id) == 0)
							fail_msg("%s twice sorting by %s", id, sorts[si] ? sorts[si] : "-");
					snprintf(seen[nseen++], sizeof(seen[0]), "%s", id);
					/* the default order is the priority order */
					if (!sorts[si])
						assert_int_equal(json_integer_value(json_object_get(o, "priority")),
								 rev ? 25 - (int64_t)(page.offset + i) : (int64_t)(page.offset + i) + 1);
				}
				json_decref(list);
			}
			assert_int_equal(nseen, 25);
		}
	}
}

static void count_and_delete(void **state)
{
	struct query *q;
	int64_t n = -1;
	PGresult *res = NULL;

	(void)state;
	put_fixtures();
	q = parse("Image Registry:docker.io");
	assert_int_equal(store_images_count(&n, pool, q), ASEC_OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_images_delete(&n, pool, q, 0), ASEC_OK);
	assert_int_equal(n, 2);
	assert_int_equal(sql_int("SELECT count(*) FROM images", NULL), 4);
	assert_int_equal(store_images_delete(&n, pool, q, 1), ASEC_OK);
	assert_int_equal(n, 2);
	assert_int_equal(sql_int("SELECT count(*) FROM images", NULL), 2);
	/* findings, components and names went with them; first sightings stay */
	assert_int_equal(sql_int("SELECT count(*) FROM image_cves WHERE image_id IN ('" ID1 "', '" ID4 "')", NULL), 0);
	assert_int_equal(
		sql_int("SELECT count(*) FROM image_components WHERE image_id IN ('" ID1 "', '" ID4 "')", NULL), 0);
	assert_int_equal(sql_int("SELECT count(*) FROM image_names WHERE image_id IN ('" ID1 "', '" ID4 "')", NULL), 0);
	assert_int_equal(sql_int("SELECT count(*) FROM cve_first_seen WHERE cve IN ('CVE-2023-0001', 'CVE-2023-4911')",
				 NULL),
			 2);
	assert_int_equal(store_images_delete(&n, pool, q, 1), ASEC_OK);
	assert_int_equal(n, 0);
	query_free(q);

	/* by a finding, and by the rank */
	q = parse("CVE:CVE-2023-0003+Fixable:false");
	assert_int_equal(store_images_delete(&n, pool, q, 1), ASEC_OK);
	assert_int_equal(n, 1);
	query_free(q);
	q = parse("Image Risk Priority:1");
	assert_int_equal(store_images_count(&n, pool, q), ASEC_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_images_delete(&n, pool, q, 1), ASEC_OK);
	assert_int_equal(n, 1);
	query_free(q);
	assert_int_equal(sql_int("SELECT count(*) FROM images", NULL), 0);

	/* an empty query never deletes */
	put_fixtures();
	q = parse("");
	assert_int_equal(store_images_delete(&n, pool, q, 1), ASEC_EINVALID);
	assert_int_equal(store_images_delete(&n, pool, NULL, 0), ASEC_EINVALID);
	assert_int_equal(store_images_count(&n, pool, q), ASEC_OK);
	assert_int_equal(n, 4);
	query_free(q);
	(void)res;
}

/* ---- concurrency ---------------------------------------------------------- */

struct worker {
	int index;
	int failures;
	char message[256];
};

#define WORKERS 6
#define ROUNDS 15

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	for (int r = 0; r < ROUNDS; r++) {
		/* even workers fight over one image under several names; odd ones
		 * store images of their own that share every CVE */
		struct image_spec s = fixtures[1];
		char id[80], tag[16];
		json_t *image;
		snprintf(id, sizeof(id), "sha256:%064x", w->index % 2 ? 1000 + w->index * 100 + r : 7);
		snprintf(tag, sizeof(tag), "w%d", w->index);
		s.id = id;
		s.tag = tag;
		s.risk = r;
		image = make_image(&s);
		if (store_images_put(pool, image, "v1") != ASEC_OK && !w->failures++)
			snprintf(w->message, sizeof(w->message), "%s", error_last());
		json_decref(image);
	}
	return NULL;
}

static void concurrent_puts(void **state)
{
	pthread_t threads[WORKERS];
	struct worker workers[WORKERS];
	json_t *image;

	(void)state;
	wipe();
	for (int i = 0; i < WORKERS; i++) {
		memset(&workers[i], 0, sizeof(workers[i]));
		workers[i].index = i;
		assert_int_equal(pthread_create(&threads[i], NULL, worker_main, &workers[i]), 0);
	}
	for (int i = 0; i < WORKERS; i++)
		pthread_join(threads[i], NULL);
	for (int i = 0; i < WORKERS; i++)
		if (workers[i].failures)
			fail_msg("worker %d: %d failures, first: %s", i, workers[i].failures, workers[i].message);
	/* one shared image, ROUNDS of each odd worker */
	assert_int_equal(sql_int("SELECT count(*) FROM images", NULL), 1 + (WORKERS / 2) * ROUNDS);
	/* the shared one holds exactly one scan's rows, and every name */
	assert_int_equal(sql_int("SELECT count(*) FROM image_cves WHERE image_id = 'sha256:" 
				 "0000000000000000000000000000000000000000000000000000000000000007'", NULL), 2);
	assert_int_equal(sql_int("SELECT count(*) FROM image_components WHERE image_id = 'sha256:"
				 "0000000000000000000000000000000000000000000000000000000000000007'", NULL), 2);
	image = get("sha256:0000000000000000000000000000000000000000000000000000000000000007", 0);
	assert_int_equal(json_array_size(json_object_get(image, "names")), (WORKERS + 1) / 2);
	json_decref(image);
	/* one first sighting per CVE, the same in every image */
	assert_int_equal(sql_int("SELECT count(*) FROM cve_first_seen", NULL), 2);
	assert_int_equal(sql_int("SELECT count(DISTINCT first_seen) FROM cve_first_seen", NULL), 1);
}

/* ---- scale: 10,000 images, 100,000 findings -------------------------------- */

static double timed_list(const char *query_text, const char *sort, int reversed, size_t offset, size_t *rows)
{
	struct query *q = query_text ? parse(query_text) : NULL;
	struct store_search_page page = {.limit = 50, .offset = offset, .sort_field = sort, .reversed = reversed};
	json_t *list = NULL;
	double t0 = store_testing_mono_s(), t;

	if (store_images_list(&list, pool, q, &page))
		fail_msg("%s: %s", query_text ? query_text : "-", error_last());
	t = store_testing_mono_s() - t0;
	*rows = json_array_size(list);
	json_decref(list);
	query_free(q);
	return t;
}

static void scale(void **state)
{
	static const struct {
		const char *query, *sort;
		int reversed;
		size_t offset;
	} cases[] = {
		{NULL, NULL, 0, 0},
		{NULL, NULL, 0, 9950},
		{NULL, "Image Created Time", 1, 5000},
		{NULL, "Image", 0, 0},
		{"CVE:CVE-2021-00042", NULL, 0, 0},
		{"Severity:critical+Fixable:true", NULL, 0, 0},
		{"Component:pkg12+Image OS:debian", "Image Scan Time", 0, 0},
		{"CVSS:>=9.5+Image Top CVSS:>=9", NULL, 1, 0},
		{"Image Risk Priority:<=100", "Image Tag", 0, 0},
		{"Image:docker.io/bench/app7", NULL, 0, 0},
	};
	double worst = 0;
	int64_t n = 0;
	struct query *q;
	json_t *image;

	(void)state;
	wipe();
	store_testing_seed_scale(pool);
	assert_int_equal(sql_int("SELECT count(*) FROM image_cves", NULL), 100000);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t rows;
		double t;
		timed_list(cases[i].query, cases[i].sort, cases[i].reversed, cases[i].offset, &rows); /* warm */
		t = timed_list(cases[i].query, cases[i].sort, cases[i].reversed, cases[i].offset, &rows);
		printf("    list %-36s sort %-20s%s offset %5zu: %3zu rows in %7.1f ms\n",
		       cases[i].query ? cases[i].query : "(all)", cases[i].sort ? cases[i].sort : "(priority)",
		       cases[i].reversed ? " rev" : "    ", cases[i].offset, rows, t * 1000);
		assert_true(rows > 0);
		if (t > worst)
			worst = t;
		assert_true(t < 2.0);
	}
	{
		double t0 = store_testing_mono_s();
		q = parse("Severity:critical+Fixable:true");
		assert_int_equal(store_images_count(&n, pool, q), ASEC_OK);
		printf("    count Severity:critical+Fixable:true = %" PRId64 " in %.1f ms\n", n,
		       (store_testing_mono_s() - t0) * 1000);
		assert_true(n > 0 && n < 10000);
		assert_true(store_testing_mono_s() - t0 < 2.0);
		query_free(q);
	}
	{
		/* a realistic put among them, and a get */
		struct image_spec s = fixtures[0];
		double t0 = store_testing_mono_s();
		put(&s);
		printf("    put of one image among 10,000: %.1f ms\n", (store_testing_mono_s() - t0) * 1000);
		t0 = store_testing_mono_s();
		image = get(ID1, 0);
		printf("    get with its priority (%" JSON_INTEGER_FORMAT "): %.1f ms\n",
		       json_integer_value(json_object_get(image, "priority")), (store_testing_mono_s() - t0) * 1000);
		assert_true(store_testing_mono_s() - t0 < 2.0);
		json_decref(image);
	}
	printf("    slowest list page: %.1f ms\n", worst * 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),       cmocka_unit_test(bad_documents),
		cmocka_unit_test(first_seen_kept),  cmocka_unit_test(names_accumulate),
		cmocka_unit_test(query_fields),     cmocka_unit_test(sorting),
		cmocka_unit_test(list_objects),     cmocka_unit_test(pagination),
		cmocka_unit_test(count_and_delete), cmocka_unit_test(concurrent_puts),
		cmocka_unit_test(scale),
	};
	int skip;

	if ((skip = store_testing_unavailable(0)) >= 0)
		return skip;
	return cmocka_run_group_tests(tests, setup, teardown);
}
