/*
 * central_e2e_test.c - central's image scans end to end: the real central,
 * scanner-indexer and scanner-matcher binaries of this build, a real
 * PostgreSQL and two real docker-registries (one anonymous, one with basic
 * auth), and images built in memory whose packages have known CVEs.
 *
 * The three services run as children on free loopback ports with a
 * throw-away PKI (tests/support/service_testing.h): central calls the
 * scanners with its own certificate (CN CENTRAL_SERVICE), this test calls
 * central with the admin password or API tokens and the scanners with the
 * operator certificate. Scanner DB and Central DB are two PostgreSQL
 * schemas of this run only, dropped at the end.
 *
 * The findings are deterministic because the matcher holds only what this
 * test gives it: the records of the shared OSV PyPI feed
 * (../shared/feeds/pypa-osv-published-upto-2021.jsonl.gz) for jinja2 and
 * pyyaml, taken out of the file line by line, and later one hand-written
 * record. From those records, worked out by hand:
 *
 *   Jinja2 2.10   PYSEC-2019-217 CVE-2019-10906 fixed 2.10.1
 *                 PYSEC-2021-66  CVE-2020-28493 fixed 2.11.3
 *                 (PYSEC-2014-8 < 2.7.2, PYSEC-2014-82 < 2.7.3 and
 *                 PYSEC-2019-220 < 2.8.1 do not hold 2.10)
 *   PyYAML 5.1    PYSEC-2020-176 CVE-2019-20477 [5.1, 5.2b1)
 *                 PYSEC-2020-96  CVE-2020-1747  [5.1, 5.3.1)
 *                 PYSEC-2021-142 CVE-2020-14343 fixed 5.4
 *                 (PYSEC-2018-49 CVE-2017-18342 is fixed in 5.1 itself)
 *   PyYAML 5.3    CVE-2020-1747, CVE-2020-14343 (5.3 >= 5.2b1)
 *   Jinja2 2.11.3 none
 *
 * The cases, in order: a scan and the Image it answers, checked against
 * the spec's members; the rescan rules (stored answer, force, a re-tag, new
 * vulnerability data re-matching without re-indexing - counted on the
 * scanners' /metrics); 8 concurrent scans of one image coalesced into one
 * indexing; 50 scans of 50 images in parallel; search, paging, reading,
 * counting and deleting; image integrations against the registry with
 * basic auth, and that its password shows in no answer, log or Central DB
 * row; the indexer, the matcher and central's database connections failing
 * under it; bad input; roles of API tokens; a clean stop of all three.
 *
 * Needs ASEC_TEST_DATABASE_URL, ASEC_TEST_REGISTRY, ASEC_TEST_REGISTRY_AUTH
 * (+ _USER, _PASSWORD) and the shared feeds (scripts/test.sh sets them up);
 * skips (77) without them, fails under CI=true. The binaries come from
 * CENTRAL_E2E_*_BIN (central_e2e.cmake), else from $ASEC_BUILD_DIR.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>
#include <zlib.h>

#include "error/error.h"
#include "registry/registry.h"
#include "registry/testpush.h"
#include "testing/testing.h"

#include "e2e_support.h"
#include "service_testing.h"

/* The slowest legitimate scan, in seconds (50 at once under ASan). */
#define SCAN_TIMEOUT_S 600L
#define PARALLEL_IMAGES 50
#define COALESCED_SCANS 8

static struct testsvc indexer = {.name = "scanner-indexer", .identity = "scanner-v4-indexer"};
static struct testsvc matcher = {.name = "scanner-matcher", .identity = "scanner-v4-matcher"};
static struct testsvc central = {.name = "central", .identity = "central"};

static struct {
	struct testsvc_pki pki;
	struct testsvc_schema scanner_db, central_db;
	const char *base_db_url;
	const char *registry, *registry_auth, *registry_user, *registry_password;
	char admin_password[40];
	char wrong_password[40];
	char data_dir[400];
	struct timespec started;
} run;

static struct testpush *pusher, *pusher_auth;
static char run_id[40];

/* What the cases hand on: the first image's id and scan. */
static char app_digest[REGISTRY_DIGEST_BUF];
static json_t *app_image;

/* ---- small things ------------------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const char *text_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* %-encodes a query parameter's value. */
static void url_encode(char *out, size_t size, const char *in)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *in && o + 4 < size; in++) {
		unsigned char c = (unsigned char)*in;
		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

static void random_hex(char *out, size_t bytes)
{
	FILE *f = fopen("/dev/urandom", "rb");
	unsigned char b[32];
	size_t i;

	assert_non_null(f);
	assert_true(bytes <= sizeof(b));
	assert_int_equal(fread(b, 1, bytes, f), bytes);
	fclose(f);
	for (i = 0; i < bytes; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

/* ---- talking to central ------------------------------------------------------------------- */

/* method path [json body] as admin (HTTP basic), or with a bearer token. */
static void central_call(struct testsvc_reply *r, const char *method, const char *path, const char *body,
			 const char *bearer, long timeout_s)
{
	struct testsvc_request req = {.method = method, .path = path, .content_type = body ? "application/json" : NULL,
				      .body = body, .len = body ? strlen(body) : 0, .timeout_s = timeout_s,
				      .no_client_cert = 1};

	if (bearer) {
		req.bearer = bearer;
	} else {
		req.user = "admin";
		req.password = run.admin_password;
	}
	testsvc_call(r, &central, &req);
}

static void scan_as(struct testsvc_reply *r, const char *image, int force, const char *bearer)
{
	json_t *req = json_pack("{s:s, s:b}", "imageName", image, "force", force);
	char *body = json_dumps(req, JSON_COMPACT);

	assert_non_null(body);
	central_call(r, "POST", "/v1/images/scan", body, bearer, SCAN_TIMEOUT_S);
	free(body);
	json_decref(req);
}

/* A scan that must answer 200 with the image whose id is want_id. */
static json_t *scan_ok(const char *image, int force, const char *want_id)
{
	struct testsvc_reply r;
	json_t *out;

	scan_as(&r, image, force, NULL);
	printf("  scan %s%s -> %ld in %.2f s\n", image, force ? " (force)" : "", r.status, r.seconds);
	fflush(stdout);
	if (r.status != 200 || !json_is_object(r.json)) {
		testsvc_expect_alive(&central);
		fail_msg("scan %s: HTTP %ld (%s): %.800s", image, r.status, r.error, testsvc_body(&r));
	}
	if (want_id && strcmp(text_of(r.json, "id"), want_id) != 0)
		fail_msg("scan %s: id %s, want the manifest digest %s", image, text_of(r.json, "id"), want_id);
	out = json_incref(r.json);
	testsvc_reply_free(&r);
	return out;
}

/* A request that must fail with status and a problem whose detail holds
 * needle (NULL: any non-empty detail). */
static void expect_problem(const struct testsvc_reply *r, long status, const char *needle, const char *what)
{
	const char *detail = testsvc_detail(r);

	printf("  %s -> %ld: %.300s\n", what, r->status, detail);
	if (r->status != status)
		fail_msg("%s: want HTTP %ld, got %ld (%s): %.600s", what, status, r->status, r->error, testsvc_body(r));
	if (!detail[0])
		fail_msg("%s: the answer carries no problem detail: %.300s", what, testsvc_body(r));
	if (needle && !strcasestr(detail, needle))
		fail_msg("%s: the detail \"%s\" does not mention \"%s\"", what, detail, needle);
}

static long long count_images(const char *query)
{
	char path[2400], enc[2048];
	struct testsvc_reply r;
	long long n;

	url_encode(enc, sizeof(enc), query);
	snprintf(path, sizeof(path), "/v1/imagescount?query=%s", enc);
	central_call(&r, NULL, path, NULL, NULL, 60);
	if (r.status != 200 || !json_is_integer(json_object_get(r.json, "count")))
		fail_msg("count %s: HTTP %ld: %.600s", query, r.status, testsvc_body(&r));
	n = json_integer_value(json_object_get(r.json, "count"));
	printf("  count %-70s -> %lld\n", query, n);
	testsvc_reply_free(&r);
	return n;
}

/* GET /v1/images?query=...&extra: the images array. */
static json_t *list_images(const char *query, const char *extra)
{
	char path[2600], enc[2048];
	struct testsvc_reply r;
	json_t *out;

	url_encode(enc, sizeof(enc), query);
	snprintf(path, sizeof(path), "/v1/images?query=%s%s%s", enc, extra ? "&" : "", extra ? extra : "");
	central_call(&r, NULL, path, NULL, NULL, 60);
	if (r.status != 200 || !json_is_array(json_object_get(r.json, "images")))
		fail_msg("list %s: HTTP %ld: %.600s", path, r.status, testsvc_body(&r));
	out = json_incref(json_object_get(r.json, "images"));
	testsvc_reply_free(&r);
	return out;
}

/* ---- the scanners ------------------------------------------------------------------------- */

static long long served(struct testsvc *s, const char *route, const char *method, long status)
{
	long long n = testsvc_requests_served(s, route, method, status);

	if (n < 0)
		fail_msg("%s's /metrics does not answer", s->name);
	return n;
}

/* New indexings (201) and answers from the indexer's store (200). */
static long long indexed(void)
{
	return served(&indexer, "/v4/index-reports", "POST", 201);
}

static long long index_known(void)
{
	return served(&indexer, "/v4/index-reports", "POST", 200);
}

static long long matched(void)
{
	return served(&matcher, "/v4/vulnerability-reports", "POST", 200);
}

/* Imports a file into the matcher as source; answers what it accepted. */
static long long matcher_import(const void *data, size_t len, const char *filename, const char *source)
{
	char path[256], disposition[256];
	const char *headers[] = {disposition, NULL};
	struct testsvc_request req = {.path = path, .content_type = "application/octet-stream", .headers = headers,
				      .body = data, .len = len, .timeout_s = 300};
	struct testsvc_reply r;
	long long accepted;

	snprintf(path, sizeof(path), "/v4/vulnerability-bundles?source=%s", source);
	snprintf(disposition, sizeof(disposition), "Content-Disposition: attachment; filename=\"%s\"", filename);
	testsvc_call(&r, &matcher, &req);
	if (r.status != 200 || !r.json)
		fail_msg("importing %s: HTTP %ld (%s): %.600s", filename, r.status, r.error, testsvc_body(&r));
	accepted = json_integer_value(
		json_object_get(json_array_get(json_object_get(r.json, "sources"), 0), "accepted"));
	printf("  imported %s as %s: %lld records\n", filename, source, accepted);
	testsvc_reply_free(&r);
	return accepted;
}

/* The lines of the shared OSV PyPI feed for jinja2 and pyyaml. */
static void import_pypi_subset(void)
{
	char path[1024];
	struct e2e_buf all = {0}, subset = {0};
	unsigned char chunk[65536];
	gzFile gz;
	int n;
	char *line, *next;

	testing_shared_path(path, sizeof(path), "feeds/pypa-osv-published-upto-2021.jsonl.gz");
	gz = gzopen(path, "rb");
	assert_non_null(gz);
	while ((n = gzread(gz, chunk, sizeof(chunk))) > 0)
		e2e_buf_put(&all, chunk, (size_t)n);
	gzclose(gz);
	e2e_buf_put(&all, "", 1);
	for (line = (char *)all.data; line && *line; line = next) {
		json_t *doc, *a;
		size_t i;
		int keep = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		doc = json_loads(line, 0, NULL);
		json_array_foreach(json_object_get(doc, "affected"), i, a) {
			const char *name = text_of(json_object_get(a, "package"), "name");
			if (!strcasecmp(name, "jinja2") || !strcasecmp(name, "pyyaml"))
				keep = 1;
		}
		json_decref(doc);
		if (keep) {
			e2e_buf_put(&subset, line, strlen(line));
			e2e_buf_put(&subset, "\n", 1);
		}
	}
	if (matcher_import(subset.data, subset.len, "pypa-osv-jinja2-pyyaml.jsonl", "osv-pypi") != 9)
		fail_msg("the shared feed's jinja2 and pyyaml records are not the 9 this test was worked out from");
	e2e_buf_free(&all);
	e2e_buf_free(&subset);
}

/* ---- images ------------------------------------------------------------------------------- */

static void tar_dist_info(struct e2e_buf *tar, const char *name, const char *version)
{
	char path[200], text[400];

	snprintf(path, sizeof(path), "usr/lib/python3/dist-packages/%s-%s.dist-info/METADATA", name, version);
	snprintf(text, sizeof(text), "Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: e2e\n\n", name, version);
	e2e_tar_add_text(tar, path, text);
}

/* A gzip layer of the given Python packages ("Name version" pairs, NULL
 * ended), with a marker that makes it this run's own. */
static struct e2e_buf python_layer(const char *what, const char *const *packages)
{
	struct e2e_buf tar = {0}, gz;
	char marker[160];
	size_t i;

	snprintf(marker, sizeof(marker), "%s %s\n", run_id, what);
	e2e_tar_add_text(&tar, "etc/central-e2e-run", marker);
	for (i = 0; packages[i]; i += 2)
		tar_dist_info(&tar, packages[i], packages[i + 1]);
	e2e_tar_end(&tar);
	e2e_gzip(&gz, tar.data, tar.len, run_id);
	e2e_buf_free(&tar);
	return gz;
}

/*
 * Pushes repo:tag of the given layers (one or two) to the anonymous registry
 * (or the one with auth) and answers its name as central reads it, the
 * digest into digest. The config's history has an empty ENV instruction
 * between the two layers, so that layerIndex must skip it.
 */
static char *push(struct testpush *p, const char *reg, const char *repo, const char *tag, struct e2e_buf *layers,
		  size_t n, char digest[REGISTRY_DIGEST_BUF])
{
	struct testpush_layer tl[2];
	char config[1024], full_repo[200], *name;
	size_t size = 0, i;

	assert_true(n >= 1 && n <= 2);
	memset(tl, 0, sizeof(tl));
	for (i = 0; i < n; i++) {
		tl[i].data = layers[i].data;
		tl[i].len = layers[i].len;
	}
	snprintf(config, sizeof(config),
		 "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-05-06T07:08:09Z\","
		 "\"config\":{\"Labels\":{\"run\":\"%s\",\"case\":\"%s\"}},"
		 "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"history\":["
		 "{\"created\":\"2024-05-06T07:08:00Z\",\"created_by\":\"/bin/sh -c #(nop) ADD file:e2e in / \"}%s]}",
		 run_id, repo,
		 n == 2 ? ",{\"created\":\"2024-05-06T07:08:01Z\",\"created_by\":\"/bin/sh -c #(nop)  ENV LANG=C.UTF-8\","
			  "\"empty_layer\":true},"
			  "{\"created\":\"2024-05-06T07:08:02Z\",\"created_by\":\"/bin/sh -c pip install six\"}"
			: "");
	snprintf(full_repo, sizeof(full_repo), "central-e2e-%s/%s", run_id, repo);
	if (testpush_image(p, full_repo, tag, 0, config, tl, n, digest, &size) != ASEC_OK)
		fail_msg("push %s:%s: %s", full_repo, tag, error_last());
	assert_true(asprintf(&name, "%s/%s:%s", reg, full_repo, tag) > 0);
	return name;
}

/* ---- the Image against the spec ----------------------------------------------------------- */

/* Every required member present, and no member the spec does not list
 * (its schemas are additionalProperties: false). */
static void check_members(const json_t *o, const char *where, const char *const *required, const char *const *optional)
{
	const char *key;
	json_t *v;
	size_t i;

	if (!json_is_object(o))
		fail_msg("%s is not an object", where);
	for (i = 0; required[i]; i++)
		if (!json_object_get(o, required[i]))
			fail_msg("%s lacks the required member %s", where, required[i]);
	json_object_foreach((json_t *)o, key, v) {
		int known = 0;
		for (i = 0; required[i] && !known; i++)
			known = !strcmp(key, required[i]);
		for (i = 0; optional[i] && !known; i++)
			known = !strcmp(key, optional[i]);
		if (!known)
			fail_msg("%s has the member %s, which the spec does not list", where, key);
	}
}

/* RFC 3339 date-time: 2006-01-02T15:04:05[.frac](Z|+hh:mm). */
static void check_time(const json_t *o, const char *key, const char *where)
{
	const char *t = json_string_value(json_object_get(o, key));
	size_t i;

	if (!t)
		fail_msg("%s.%s is not a string", where, key);
	for (i = 0; i < 19; i++)
		if (i == 4 || i == 7 ? t[i] != '-' : i == 10 ? t[i] != 'T' : i == 13 || i == 16 ? t[i] != ':' : !isdigit((unsigned char)t[i]))
			fail_msg("%s.%s is not an RFC 3339 time: %s", where, key, t);
	if (!strchr(t + 19, 'Z') && !strchr(t + 19, '+') && !strchr(t + 19, '-'))
		fail_msg("%s.%s has no time zone: %s", where, key, t);
}

static int in_list(const char *s, const char *const *list)
{
	size_t i;

	for (i = 0; list[i]; i++)
		if (!strcmp(s, list[i]))
			return 1;
	return 0;
}

static void check_image_schema(const json_t *img)
{
	static const char *const image_req[] = {"id", "name", "names", "metadata", "scan", "components", "cves",
						"fixableCves", "topCvss", "riskScore", "priority", "notPullable",
						"isClusterLocal", "lastUpdated", NULL};
	static const char *const image_opt[] = {"notes", NULL};
	static const char *const name_req[] = {"registry", "remote", "fullName", NULL};
	static const char *const name_opt[] = {"tag", NULL};
	static const char *const meta_req[] = {"v1", "v2", "layerShas", NULL};
	static const char *const meta_opt[] = {"dataSource", NULL};
	static const char *const scan_req[] = {"scannerVersion", "scanTime", "dataSource", "notes", "components", NULL};
	static const char *const scan_opt[] = {"operatingSystem", "remarks", "vulnerabilityDataUpdated", NULL};
	static const char *const comp_req[] = {"name", "version", "source", "location", "vulns", NULL};
	static const char *const comp_opt[] = {"layerIndex", "fixedBy", "topCvss", "riskScore", "architecture",
					       "executables", NULL};
	static const char *const vuln_req[] = {"cve", "link", "cvss", "severity", "vulnerabilityType",
					       "vulnerabilityTypes", "state", NULL};
	static const char *const vuln_opt[] = {"summary", "cvssV2", "cvssV3", "scoreVersion", "nvdCvss", "cvssMetrics",
					       "fixedBy", "status", "publishedOn", "lastModified",
					       "firstSystemOccurrence", "firstImageOccurrence", "suppressed", "advisory",
					       "epss", "knownExploited", "cwes", "aliases", "dataSource", "explanation",
					       NULL};
	static const char *const severities[] = {"UNKNOWN_VULNERABILITY_SEVERITY", "LOW_VULNERABILITY_SEVERITY",
						 "MODERATE_VULNERABILITY_SEVERITY", "IMPORTANT_VULNERABILITY_SEVERITY",
						 "CRITICAL_VULNERABILITY_SEVERITY", NULL};
	static const char *const sources[] = {"OS", "PYTHON", "JAVA", "RUBY", "NODEJS", "GO", "DOTNETCORERUNTIME",
					      "INFRASTRUCTURE", "RUST", "PHP", NULL};
	static const char *const states[] = {"OBSERVED", "DEFERRED", "FALSE_POSITIVE", NULL};
	const json_t *scan = json_object_get(img, "scan"), *c, *v, *n;
	size_t i, j;

	check_members(img, "Image", image_req, image_opt);
	check_members(json_object_get(img, "name"), "Image.name", name_req, name_opt);
	json_array_foreach(json_object_get(img, "names"), i, n)
		check_members(n, "Image.names[]", name_req, name_opt);
	check_members(json_object_get(img, "metadata"), "Image.metadata", meta_req, meta_opt);
	check_members(scan, "Image.scan", scan_req, scan_opt);
	check_time(img, "lastUpdated", "Image");
	check_time(scan, "scanTime", "Image.scan");
	{
		static const char *const ints[] = {"components", "cves", "fixableCves", "priority", NULL};
		for (i = 0; ints[i]; i++)
			if (!json_is_integer(json_object_get(img, ints[i])) || json_integer_value(json_object_get(img, ints[i])) < 0)
				fail_msg("Image.%s is not an integer >= 0", ints[i]);
	}
	if (!json_is_number(json_object_get(img, "topCvss")) || !json_is_number(json_object_get(img, "riskScore")))
		fail_msg("Image.topCvss or riskScore is not a number");
	json_array_foreach(json_object_get(scan, "components"), i, c) {
		check_members(c, "ImageComponent", comp_req, comp_opt);
		if (!in_list(text_of(c, "source"), sources))
			fail_msg("component %s: source %s is not in the spec's enum", text_of(c, "name"), text_of(c, "source"));
		json_array_foreach(json_object_get(c, "vulns"), j, v) {
			check_members(v, "EmbeddedVulnerability", vuln_req, vuln_opt);
			if (!in_list(text_of(v, "severity"), severities))
				fail_msg("%s: severity %s is not in the spec's enum", text_of(v, "cve"), text_of(v, "severity"));
			if (!in_list(text_of(v, "state"), states))
				fail_msg("%s: state %s is not in the spec's enum", text_of(v, "cve"), text_of(v, "state"));
			if (json_number_value(json_object_get(v, "cvss")) < 0 || json_number_value(json_object_get(v, "cvss")) > 10)
				fail_msg("%s: cvss out of [0, 10]", text_of(v, "cve"));
		}
	}
}

static const json_t *component_of(const json_t *img, const char *name)
{
	const json_t *c;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(img, "scan"), "components"), i, c)
		if (!strcasecmp(text_of(c, "name"), name))
			return c;
	return NULL;
}

static const json_t *vuln_of(const json_t *component, const char *cve)
{
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(component, "vulns"), i, v)
		if (!strcmp(text_of(v, "cve"), cve))
			return v;
	return NULL;
}

/* The component's findings are exactly the CVEs of want ("CVE fixedBy"
 * pairs, NULL ended), each with both first-seen times. */
static void expect_vulns(const json_t *img, const char *name, const char *version, const char *const *want)
{
	const json_t *c = component_of(img, name), *v;
	size_t n = 0, i;

	if (!c)
		fail_msg("%s has no component %s", text_of(img, "id"), name);
	assert_string_equal(text_of(c, "version"), version);
	assert_string_equal(text_of(c, "source"), "PYTHON");
	for (i = 0; want[i]; i += 2, n++) {
		v = vuln_of(c, want[i]);
		if (!v) {
			char *all = json_dumps(json_object_get(c, "vulns"), JSON_COMPACT);
			fail_msg("%s %s lacks %s; it has %s", name, version, want[i], all);
		}
		if (strcmp(text_of(v, "fixedBy"), want[i + 1]) != 0)
			fail_msg("%s %s, %s: fixedBy \"%s\", want \"%s\"", name, version, want[i], text_of(v, "fixedBy"),
				 want[i + 1]);
		check_time(v, "firstSystemOccurrence", want[i]);
		check_time(v, "firstImageOccurrence", want[i]);
	}
	if (json_array_size(json_object_get(c, "vulns")) != n)
		fail_msg("%s %s has %zu findings, want %zu", name, version, json_array_size(json_object_get(c, "vulns")), n);
}

/* ---- setup -------------------------------------------------------------------------------- */

static int start_matcher(void)
{
	char db[1200], idx[128];
	const char *settings[] = {db, idx, NULL};

	snprintf(db, sizeof(db), "ROX_SCANNER_DB_URL=%s", run.scanner_db.url);
	snprintf(idx, sizeof(idx), "ROX_MATCHER_INDEXER_URL=https://127.0.0.1:%d", indexer.port);
	return testsvc_start(&matcher, settings);
}

static int start_indexer(void)
{
	char db[1200];
	const char *settings[] = {db, NULL};

	snprintf(db, sizeof(db), "ROX_SCANNER_DB_URL=%s", run.scanner_db.url);
	return testsvc_start(&indexer, settings);
}

static int start_central(void)
{
	char db[1200], dir[500], pw[80], idx[128], mat[128];
	const char *settings[] = {db, dir, pw, idx, mat, NULL};

	snprintf(db, sizeof(db), "ROX_CENTRAL_DB_URL=%s", run.central_db.url);
	snprintf(dir, sizeof(dir), "ROX_CENTRAL_DATA_DIR=%s", run.data_dir);
	snprintf(pw, sizeof(pw), "ROX_ADMIN_PASSWORD=%s", run.admin_password);
	snprintf(idx, sizeof(idx), "ROX_CENTRAL_INDEXER_URL=https://127.0.0.1:%d", indexer.port);
	snprintf(mat, sizeof(mat), "ROX_CENTRAL_MATCHER_URL=https://127.0.0.1:%d/", matcher.port);
	return testsvc_start(&central, settings);
}

static int setup_run(void)
{
	char pki[1024];

	testsvc_binary(central.bin, sizeof(central.bin), getenv("CENTRAL_E2E_CENTRAL_BIN"), "services/central/central");
	testsvc_binary(indexer.bin, sizeof(indexer.bin), getenv("CENTRAL_E2E_INDEXER_BIN"),
		       "services/scanner-indexer/scanner-indexer");
	testsvc_binary(matcher.bin, sizeof(matcher.bin), getenv("CENTRAL_E2E_MATCHER_BIN"),
		       "services/scanner-matcher/scanner-matcher");
	testsvc_binary(pki, sizeof(pki), getenv("CENTRAL_E2E_PKI_BIN"), "tools/pki/asec-pki");
	indexer.pki = matcher.pki = central.pki = &run.pki;
	if (testsvc_pki_make(&run.pki, pki, "central-e2e") != 0)
		return -1;
	snprintf(run.data_dir, sizeof(run.data_dir), "%s/central-data", run.pki.dir);
	if (mkdir(run.data_dir, 0700) != 0)
		return -1;
	if (testsvc_schema_create(&run.scanner_db, run.base_db_url, "central_e2e_scanner") != 0 ||
	    testsvc_schema_create(&run.central_db, run.base_db_url, "central_e2e_central") != 0)
		return -1;
	if (testpush_open(&pusher, run.registry, NULL, NULL) != ASEC_OK ||
	    testpush_open(&pusher_auth, run.registry_auth, run.registry_user, run.registry_password) != ASEC_OK) {
		fprintf(stderr, "testpush: %s\n", error_last());
		return -1;
	}
	printf("run %s: schemas %s and %s, PKI and logs in %s\n", run_id, run.scanner_db.name, run.central_db.name,
	       run.pki.dir);
	if (start_indexer() != 0 || start_matcher() != 0)
		return -1;
	if (start_central() != 0)
		return -1;
	return 0;
}

static void stop_everything(void)
{
	int clean = testsvc_stop(&central);

	clean = testsvc_stop(&matcher) && clean;
	clean = testsvc_stop(&indexer) && clean;
	testpush_close(pusher);
	testpush_close(pusher_auth);
	pusher = pusher_auth = NULL;
	testsvc_schema_drop(&run.scanner_db);
	testsvc_schema_drop(&run.central_db);
	if (run.pki.dir[0] && clean)
		testsvc_remove_dir(run.pki.dir);
	else if (run.pki.dir[0])
		printf("kept %s (the services' logs and PKI)\n", run.pki.dir);
	run.pki.dir[0] = '\0';
}

static int setup(void **state)
{
	const char *extra;

	(void)state;
	e2e_require_env(&run.base_db_url, &run.registry, "ASEC_TEST_REGISTRY_AUTH", "a registry with basic auth");
	run.registry_auth = getenv("ASEC_TEST_REGISTRY_AUTH");
	run.registry_user = getenv("ASEC_TEST_REGISTRY_USER");
	run.registry_password = getenv("ASEC_TEST_REGISTRY_PASSWORD");
	extra = run.registry_password;
	if (!run.registry_user || !run.registry_user[0] || !extra || strlen(extra) < 8) {
		fprintf(stderr, "%s: needs ASEC_TEST_REGISTRY_USER and ASEC_TEST_REGISTRY_PASSWORD (8+ characters)\n",
			testing_in_ci() ? "FAIL" : "SKIP");
		exit(testing_in_ci() ? 1 : TESTING_SKIP);
	}
	{
		char p[1024];
		testing_shared_path(p, sizeof(p), "feeds/pypa-osv-published-upto-2021.jsonl.gz");
	}
	clock_gettime(CLOCK_MONOTONIC, &run.started);
	signal(SIGPIPE, SIG_IGN);
	e2e_run_id(run_id, sizeof(run_id));
	random_hex(run.admin_password, 16);
	random_hex(run.wrong_password, 12);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	if (setup_run() != 0) {
		stop_everything();
		curl_global_cleanup();
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	struct timespec end;

	(void)state;
	stop_everything();
	json_decref(app_image);
	curl_global_cleanup();
	clock_gettime(CLOCK_MONOTONIC, &end);
	printf("central end-to-end run: %.1f s\n",
	       (double)(end.tv_sec - run.started.tv_sec) + (double)(end.tv_nsec - run.started.tv_nsec) / 1e9);
	return 0;
}

/* ---- 1. a scan ---------------------------------------------------------------------------- */

static const char *const jinja_210[] = {"CVE-2019-10906", "2.10.1", "CVE-2020-28493", "2.11.3", NULL};
static const char *const pyyaml_51[] = {"CVE-2019-20477", "5.2b1", "CVE-2020-1747", "5.3.1", "CVE-2020-14343", "5.4",
					NULL};
static const char *const pyyaml_53[] = {"CVE-2020-1747", "5.3.1", "CVE-2020-14343", "5.4", NULL};
static const char *const none[] = {NULL};

static char *app_name;

static void test_01_scan(void **state)
{
	static const char *const base[] = {"Jinja2", "2.10", "PyYAML", "5.1", NULL};
	static const char *const top[] = {"six", "1.16.0", NULL};
	struct e2e_buf layers[2];
	char want_name[300];
	const json_t *name, *c;
	json_t *img;

	(void)state;
	printf("[scan]\n");
	import_pypi_subset();
	layers[0] = python_layer("app base", base);
	layers[1] = python_layer("app top", top);
	app_name = push(pusher, run.registry, "app", "v1", layers, 2, app_digest);
	e2e_buf_free(&layers[0]);
	e2e_buf_free(&layers[1]);

	img = scan_ok(app_name, 0, app_digest);
	check_image_schema(img);
	name = json_object_get(img, "name");
	snprintf(want_name, sizeof(want_name), "central-e2e-%s/app", run_id);
	assert_string_equal(text_of(name, "registry"), run.registry);
	assert_string_equal(text_of(name, "remote"), want_name);
	assert_string_equal(text_of(name, "tag"), "v1");
	assert_string_equal(text_of(name, "fullName"), app_name);
	assert_string_equal(text_of(json_object_get(json_object_get(img, "metadata"), "v2"), "digest"), app_digest);
	assert_int_equal(json_array_size(json_object_get(json_object_get(img, "metadata"), "layerShas")), 2);

	expect_vulns(img, "Jinja2", "2.10", jinja_210);
	expect_vulns(img, "PyYAML", "5.1", pyyaml_51);
	expect_vulns(img, "six", "1.16.0", none);
	/* the base layer's instruction is the first; six's comes after the
	 * empty ENV, the third in metadata.v1.layers */
	assert_int_equal(json_integer_value(json_object_get(component_of(img, "Jinja2"), "layerIndex")), 0);
	assert_int_equal(json_integer_value(json_object_get(component_of(img, "PyYAML"), "layerIndex")), 0);
	c = component_of(img, "six");
	if (json_integer_value(json_object_get(c, "layerIndex")) != 2)
		fail_msg("six's layerIndex is %lld, want 2 (the RUN after the empty ENV)",
			 (long long)json_integer_value(json_object_get(c, "layerIndex")));
	assert_int_equal(json_array_size(json_object_get(json_object_get(json_object_get(img, "metadata"), "v1"), "layers")),
			 3);
	assert_string_equal(text_of(component_of(img, "Jinja2"), "fixedBy"), "2.11.3");
	assert_string_equal(text_of(component_of(img, "PyYAML"), "fixedBy"), "5.4");
	assert_int_equal(json_integer_value(json_object_get(img, "components")), 3);
	assert_int_equal(json_integer_value(json_object_get(img, "cves")), 5);
	assert_int_equal(json_integer_value(json_object_get(img, "fixableCves")), 5);
	if (json_integer_value(json_object_get(img, "priority")) < 1)
		fail_msg("the only stored image has priority %lld, want 1",
			 (long long)json_integer_value(json_object_get(img, "priority")));
	app_image = img;
}

/* ---- 2. the rescan rules ------------------------------------------------------------------ */

static const char *scan_time(const json_t *img)
{
	return text_of(json_object_get(img, "scan"), "scanTime");
}

static void test_02_rescan_rules(void **state)
{
	static const char *const retag[] = {"Jinja2", "2.11.3", "asec-e2e-widget", "1.0.0", NULL};
	static const char widget_record[] =
		"{\"schema_version\":\"1.4.0\",\"id\":\"E2E-CENTRAL-0001\",\"modified\":\"2025-01-02T00:00:00Z\","
		"\"published\":\"2025-01-02T00:00:00Z\",\"aliases\":[\"CVE-2099-0101\"],"
		"\"summary\":\"asec-e2e-widget runs what it is sent\",\"details\":\"Written for central_e2e_test.\","
		"\"severity\":[{\"type\":\"CVSS_V3\",\"score\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"}],"
		"\"affected\":[{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"asec-e2e-widget\"},\"ranges\":[{\"type\":"
		"\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"last_affected\":\"1.0.0\"}]}]}],"
		"\"database_specific\":{\"severity\":\"CRITICAL\"}}\n";
	long long m0, i201, i200;
	json_t *again, *forced, *moved, *rematched;
	struct e2e_buf layer;
	char digest2[REGISTRY_DIGEST_BUF];
	const json_t *v0, *v1, *w;

	(void)state;
	printf("[rescan rules]\n");
	assert_non_null(app_image);
	/* known, nothing changed: the stored image, no new match */
	m0 = matched();
	again = scan_ok(app_name, 0, app_digest);
	assert_string_equal(scan_time(again), scan_time(app_image));
	assert_string_equal(text_of(again, "lastUpdated"), text_of(app_image, "lastUpdated"));
	if (matched() != m0)
		fail_msg("a second scan of an unchanged image asked the matcher again");
	json_decref(again);

	/* force: matched again, first-seen times kept */
	sleep(1);
	forced = scan_ok(app_name, 1, app_digest);
	if (matched() != m0 + 1)
		fail_msg("a forced scan made %lld matches, want 1", matched() - m0);
	if (!strcmp(scan_time(forced), scan_time(app_image)))
		fail_msg("a forced scan kept scanTime %s", scan_time(forced));
	v0 = vuln_of(component_of(app_image, "Jinja2"), "CVE-2019-10906");
	v1 = vuln_of(component_of(forced, "Jinja2"), "CVE-2019-10906");
	assert_non_null(v1);
	assert_string_equal(text_of(v1, "firstSystemOccurrence"), text_of(v0, "firstSystemOccurrence"));
	assert_string_equal(text_of(v1, "firstImageOccurrence"), text_of(v0, "firstImageOccurrence"));
	json_decref(forced);

	/* the tag moved to another manifest: that manifest's image */
	layer = python_layer("app retagged", retag);
	free(push(pusher, run.registry, "app", "v1", &layer, 1, digest2));
	e2e_buf_free(&layer);
	assert_string_not_equal(digest2, app_digest);
	i201 = indexed();
	moved = scan_ok(app_name, 0, digest2);
	assert_int_equal(indexed(), i201 + 1);
	expect_vulns(moved, "Jinja2", "2.11.3", none);
	expect_vulns(moved, "asec-e2e-widget", "1.0.0", none);
	assert_int_equal(json_integer_value(json_object_get(moved, "cves")), 0);

	/* new vulnerability data: matched again, not indexed again */
	sleep(1);
	if (matcher_import(widget_record, strlen(widget_record), "e2e-widget.json", "central-e2e") != 1)
		fail_msg("the matcher did not take the hand-written record");
	i201 = indexed();
	i200 = index_known();
	m0 = matched();
	rematched = scan_ok(app_name, 0, digest2);
	if (indexed() != i201)
		fail_msg("new vulnerability data made the indexer index a known manifest again");
	if (index_known() != i200 + 1)
		fail_msg("the indexer answered %lld known reports, want 1", index_known() - i200);
	if (matched() != m0 + 1)
		fail_msg("new vulnerability data did not make central match again");
	if (!strcmp(scan_time(rematched), scan_time(moved)))
		fail_msg("scanTime did not change with new vulnerability data");
	w = vuln_of(component_of(rematched, "asec-e2e-widget"), "CVE-2099-0101");
	if (!w)
		fail_msg("the re-match does not show the new record's CVE-2099-0101");
	printf("  CVE-2099-0101: severity %s, cvss %.1f, fixedBy \"%s\"\n", text_of(w, "severity"),
	       json_number_value(json_object_get(w, "cvss")), text_of(w, "fixedBy"));
	assert_string_equal(text_of(w, "severity"), "CRITICAL_VULNERABILITY_SEVERITY");
	assert_true(json_number_value(json_object_get(w, "cvss")) > 9.7);
	assert_string_equal(text_of(w, "fixedBy"), "");
	assert_int_equal(json_integer_value(json_object_get(rematched, "cves")), 1);
	assert_int_equal(json_integer_value(json_object_get(rematched, "fixableCves")), 0);
	check_image_schema(rematched);
	json_decref(moved);
	json_decref(rematched);
}

/* ---- 3. coalescing, 4. parallel scans ----------------------------------------------------- */

struct scan_thread {
	pthread_t thread;
	const char *image;
	pthread_barrier_t *start;
	struct testsvc_reply reply;
};

static void *scan_thread_run(void *arg)
{
	struct scan_thread *t = arg;

	pthread_barrier_wait(t->start);
	scan_as(&t->reply, t->image, 0, NULL);
	return NULL;
}

/* Scans images[0..n) at once; answers the wall time. */
static double scan_all(struct scan_thread *threads, char **images, size_t n)
{
	pthread_barrier_t start;
	double t0;
	size_t i;

	assert_int_equal(pthread_barrier_init(&start, NULL, (unsigned)n + 1), 0);
	for (i = 0; i < n; i++) {
		threads[i].image = images[i];
		threads[i].start = &start;
		assert_int_equal(pthread_create(&threads[i].thread, NULL, scan_thread_run, &threads[i]), 0);
	}
	pthread_barrier_wait(&start);
	t0 = now_s();
	for (i = 0; i < n; i++)
		pthread_join(threads[i].thread, NULL);
	pthread_barrier_destroy(&start);
	return now_s() - t0;
}

static void test_03_coalescing(void **state)
{
	static const char *const pkgs[] = {"PyYAML", "5.3", NULL};
	struct scan_thread threads[COALESCED_SCANS];
	char *images[COALESCED_SCANS], *name, digest[REGISTRY_DIGEST_BUF];
	struct e2e_buf layer;
	long long i201;
	double wall;
	size_t i;

	(void)state;
	printf("[%d concurrent scans of one new image]\n", COALESCED_SCANS);
	layer = python_layer("coalesce", pkgs);
	name = push(pusher, run.registry, "coalesce", "v1", &layer, 1, digest);
	e2e_buf_free(&layer);
	for (i = 0; i < COALESCED_SCANS; i++)
		images[i] = name;
	memset(threads, 0, sizeof(threads));
	i201 = indexed();
	wall = scan_all(threads, images, COALESCED_SCANS);
	printf("  %d scans in %.2f s; the indexer indexed %lld time(s)\n", COALESCED_SCANS, wall, indexed() - i201);
	for (i = 0; i < COALESCED_SCANS; i++) {
		struct testsvc_reply *r = &threads[i].reply;
		if (r->status != 200)
			fail_msg("concurrent scan %zu: HTTP %ld (%s): %.600s", i, r->status, r->error, testsvc_body(r));
		assert_string_equal(text_of(r->json, "id"), digest);
		if (i == 0)
			expect_vulns(r->json, "PyYAML", "5.3", pyyaml_53);
		testsvc_reply_free(r);
	}
	if (indexed() != i201 + 1)
		fail_msg("%d concurrent scans of one image indexed it %lld times", COALESCED_SCANS, indexed() - i201);
	free(name);
}

static void test_04_parallel(void **state)
{
	static const char *const pkgs[] = {"Jinja2", "2.10", NULL};
	struct scan_thread *threads = calloc(PARALLEL_IMAGES, sizeof(*threads));
	char *images[PARALLEL_IMAGES], digests[PARALLEL_IMAGES][REGISTRY_DIGEST_BUF], repo[32];
	long long i201;
	double t0, wall;
	size_t i, failed = 0;

	(void)state;
	printf("[%d scans of %d images in parallel]\n", PARALLEL_IMAGES, PARALLEL_IMAGES);
	assert_non_null(threads);
	t0 = now_s();
	for (i = 0; i < PARALLEL_IMAGES; i++) {
		struct e2e_buf layer;
		snprintf(repo, sizeof(repo), "par-%02zu", i);
		layer = python_layer(repo, pkgs);
		images[i] = push(pusher, run.registry, repo, "v1", &layer, 1, digests[i]);
		e2e_buf_free(&layer);
	}
	printf("  pushed %d images in %.2f s\n", PARALLEL_IMAGES, now_s() - t0);
	i201 = indexed();
	wall = scan_all(threads, images, PARALLEL_IMAGES);
	printf("  %d parallel scans: %.2f s wall time\n", PARALLEL_IMAGES, wall);
	for (i = 0; i < PARALLEL_IMAGES; i++) {
		struct testsvc_reply *r = &threads[i].reply;
		if (r->status != 200 || strcmp(text_of(r->json, "id"), digests[i]) != 0) {
			printf("  scan %s: HTTP %ld (%s): %.300s\n", images[i], r->status, r->error, testsvc_body(r));
			failed++;
		}
		testsvc_reply_free(r);
		free(images[i]);
	}
	free(threads);
	if (failed)
		fail_msg("%zu of %d parallel scans failed", failed, PARALLEL_IMAGES);
	assert_int_equal(indexed(), i201 + PARALLEL_IMAGES);
}

/* ---- 5. search, read, count, delete ------------------------------------------------------- */

static void test_05_search(void **state)
{
	char q[600], prefix[300], extra[200], path[400];
	json_t *page;
	struct testsvc_reply r;
	size_t i;

	(void)state;
	printf("[search]\n");
	snprintf(prefix, sizeof(prefix), "%s/central-e2e-%s/", run.registry, run_id);
	/* app (two manifests), coalesce, 50 par-NN */
	snprintf(q, sizeof(q), "Image Registry:\"%s\"", run.registry);
	assert_int_equal(count_images(q), 3 + PARALLEL_IMAGES);
	snprintf(q, sizeof(q), "Image:%s", prefix);
	assert_int_equal(count_images(q), 3 + PARALLEL_IMAGES);
	assert_int_equal(count_images("CVE:CVE-2099-0101"), 1);
	assert_int_equal(count_images("CVE:CVE-2019-10906"), 1 + PARALLEL_IMAGES);
	assert_int_equal(count_images("CVE:CVE-2020-1747,CVE-2020-14343"), 2);
	assert_int_equal(count_images("Fixable:true"), 2 + PARALLEL_IMAGES);
	assert_int_equal(count_images("Severity:CRITICAL_VULNERABILITY_SEVERITY"), 1);
	assert_int_equal(count_images("Severity:crit"), 1);
	assert_int_equal(count_images("CVSS:>=9"), 1);
	assert_int_equal(count_images("Component:pyyaml"), 2);
	assert_int_equal(count_images("Component:\"PyYAML\"+CVE:CVE-2019-20477"), 1);
	snprintf(q, sizeof(q), "Image:!%spar-", prefix);
	assert_int_equal(count_images(q), 3);
	assert_int_equal(count_images("Image:r/par-0[0-4]:v1$"), 5);

	/* sorted by name, paged */
	snprintf(q, sizeof(q), "Image:%spar-", prefix);
	page = list_images(q, "pagination.sortOption.field=Image&pagination.limit=10&pagination.offset=5");
	assert_int_equal(json_array_size(page), 10);
	for (i = 0; i < 10; i++) {
		char want[400];
		snprintf(want, sizeof(want), "%spar-%02zu:v1", prefix, 5 + i);
		assert_string_equal(text_of(json_array_get(page, i), "name"), want);
	}
	json_decref(page);
	page = list_images(q, "pagination.sortOption.field=Image&pagination.sortOption.reversed=true&pagination.limit=3");
	assert_int_equal(json_array_size(page), 3);
	{
		char want[400];
		snprintf(want, sizeof(want), "%spar-%02d:v1", prefix, PARALLEL_IMAGES - 1);
		assert_string_equal(text_of(json_array_get(page, 0), "name"), want);
	}
	json_decref(page);
	/* by default the riskiest first: priority 1, 2, ... and an image with
	 * findings before the ones without */
	snprintf(q, sizeof(q), "Image:%s", prefix);
	page = list_images(q, NULL);
	assert_int_equal(json_array_size(page), 3 + PARALLEL_IMAGES);
	if (json_integer_value(json_object_get(json_array_get(page, 0), "cves")) == 0)
		fail_msg("the riskiest image by default order has no CVE");
	for (i = 1; i < json_array_size(page); i++) {
		long long a = json_integer_value(json_object_get(json_array_get(page, i - 1), "priority"));
		long long b = json_integer_value(json_object_get(json_array_get(page, i), "priority"));
		if (a < 1 || b < a)
			fail_msg("default order: priority %lld before %lld", a, b);
	}
	json_decref(page);
	central_call(&r, NULL, "/v1/images?query=CVE%3ACVE-2019-10906&pagination.sortOption.field=Nonsense", NULL, NULL,
		     60);
	expect_problem(&r, 400, "Nonsense", "an unknown sort field");
	testsvc_reply_free(&r);

	/* one image */
	snprintf(path, sizeof(path), "/v1/images/%s", app_digest);
	central_call(&r, NULL, path, NULL, NULL, 60);
	if (r.status != 200)
		fail_msg("GET %s: HTTP %ld: %.400s", path, r.status, testsvc_body(&r));
	assert_string_equal(text_of(r.json, "id"), app_digest);
	check_image_schema(r.json);
	expect_vulns(r.json, "PyYAML", "5.1", pyyaml_51);
	testsvc_reply_free(&r);
	snprintf(path, sizeof(path), "/v1/images/%s?stripDescription=true", app_digest);
	central_call(&r, NULL, path, NULL, NULL, 60);
	assert_int_equal(r.status, 200);
	testsvc_reply_free(&r);
	central_call(&r, NULL, "/v1/images/sha256:0000000000000000000000000000000000000000000000000000000000000000",
		     NULL, NULL, 60);
	expect_problem(&r, 404, NULL, "an image never scanned");
	testsvc_reply_free(&r);

	/* delete: a dry run, then for real */
	snprintf(q, sizeof(q), "Image:%spar-4", prefix);
	url_encode(extra, sizeof(extra), q);
	snprintf(path, sizeof(path), "/v1/images?query=%s", extra);
	central_call(&r, "DELETE", path, NULL, NULL, 60);
	if (r.status != 200)
		fail_msg("DELETE dry run: HTTP %ld: %.400s", r.status, testsvc_body(&r));
	assert_int_equal(json_integer_value(json_object_get(r.json, "numDeleted")), 10);
	assert_true(json_is_true(json_object_get(r.json, "dryRun")));
	testsvc_reply_free(&r);
	assert_int_equal(count_images(q), 10);
	snprintf(path, sizeof(path), "/v1/images?query=%s&confirm=true", extra);
	central_call(&r, "DELETE", path, NULL, NULL, 60);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "numDeleted")), 10);
	assert_true(json_is_false(json_object_get(r.json, "dryRun")));
	testsvc_reply_free(&r);
	assert_int_equal(count_images(q), 0);
	snprintf(q, sizeof(q), "Image:%s", prefix);
	assert_int_equal(count_images(q), 3 + PARALLEL_IMAGES - 10);
	central_call(&r, "DELETE", "/v1/images?confirm=true", NULL, NULL, 60);
	expect_problem(&r, 400, "query", "DELETE without a query");
	testsvc_reply_free(&r);
	central_call(&r, "DELETE", "/v1/images?query=&confirm=true", NULL, NULL, 60);
	expect_problem(&r, 400, "query", "DELETE with an empty query");
	testsvc_reply_free(&r);
	assert_int_equal(count_images(q), 3 + PARALLEL_IMAGES - 10);

	/* queries that do not parse name where */
	central_call(&r, NULL, "/v1/images?query=CVE%3ACVE-1%2BNo%20Such%20Field%3A1", NULL, NULL, 60);
	expect_problem(&r, 400, "position", "a query with an unknown field");
	testsvc_reply_free(&r);
	central_call(&r, NULL, "/v1/imagescount?query=CVSS%3A%3E%3Dlots", NULL, NULL, 60);
	expect_problem(&r, 400, "position", "a CVSS that is not a number");
	testsvc_reply_free(&r);
}

/* ---- 5b. CVEs: the same findings seen by CVE ------------------------------------------------ */

static const char *const sev_rank_names[] = {"UNKNOWN_VULNERABILITY_SEVERITY", "LOW_VULNERABILITY_SEVERITY",
					     "MODERATE_VULNERABILITY_SEVERITY", "IMPORTANT_VULNERABILITY_SEVERITY",
					     "CRITICAL_VULNERABILITY_SEVERITY"};

static int sev_rank(const char *name)
{
	for (int k = 0; k < 5; k++)
		if (name && !strcmp(name, sev_rank_names[k]))
			return k;
	return 0;
}

static void print_json(const char *label, const json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT);

	printf("  %s: %.900s\n", label, text ? text : "");
	free(text);
}

static json_t *central_get_json(const char *path)
{
	struct testsvc_reply r;
	json_t *out;

	central_call(&r, NULL, path, NULL, NULL, 60);
	if (r.status != 200 || !json_is_object(r.json))
		fail_msg("GET %s: HTTP %ld: %.600s", path, r.status, testsvc_body(&r));
	out = json_incref(r.json);
	testsvc_reply_free(&r);
	return out;
}

/*
 * Every stored Image (GET /v1/images, then each by id) folded by CVE, the
 * way GET /v1/cves must answer: {cve: {sev, cvss, images{}, components{},
 * fixable, findings, fixableFindings}}, computed here from the documents.
 */
static json_t *cves_from_images(size_t *images_with_findings, int *total_findings, int *fixable_findings)
{
	json_t *list = list_images("", "pagination.limit=1000"), *by = json_object(), *item;
	size_t i;

	*images_with_findings = 0;
	*total_findings = *fixable_findings = 0;
	json_array_foreach(list, i, item) {
		char path[300];
		json_t *img, *c, *v;
		size_t ci, vi;
		int any = 0;
		snprintf(path, sizeof(path), "/v1/images/%s", text_of(item, "id"));
		img = central_get_json(path);
		json_array_foreach(json_object_get(json_object_get(img, "scan"), "components"), ci, c) {
			char comp[300];
			snprintf(comp, sizeof(comp), "%s %s", text_of(c, "name"), text_of(c, "version"));
			json_array_foreach(json_object_get(c, "vulns"), vi, v) {
				const char *cve = text_of(v, "cve");
				json_t *e = json_object_get(by, cve);
				int fixed = text_of(v, "fixedBy")[0] != 0;
				if (!e) {
					e = json_pack("{s:i, s:f, s:{}, s:{}, s:b, s:i}", "sev", 0, "cvss", 0.0, "images",
						      "components", "fixable", 0, "findings", 0);
					json_object_set_new(by, cve, e);
				}
				if (sev_rank(text_of(v, "severity")) > json_integer_value(json_object_get(e, "sev")))
					json_object_set_new(e, "sev", json_integer(sev_rank(text_of(v, "severity"))));
				if (json_number_value(json_object_get(v, "cvss")) > json_number_value(json_object_get(e, "cvss")))
					json_object_set(e, "cvss", json_object_get(v, "cvss"));
				json_object_set_new(json_object_get(e, "images"), text_of(img, "id"), json_true());
				json_object_set_new(json_object_get(e, "components"), comp, json_true());
				if (fixed)
					json_object_set_new(e, "fixable", json_true());
				json_object_set_new(e, "findings",
						    json_integer(json_integer_value(json_object_get(e, "findings")) + 1));
				*total_findings += 1;
				*fixable_findings += fixed;
				any = 1;
			}
		}
		*images_with_findings += any;
		json_decref(img);
	}
	json_decref(list);
	return by;
}

static void test_05b_cves(void **state)
{
	size_t images, n, i;
	int findings, fixable_findings, fixable_cves = 0, by_sev[5] = {0};
	json_t *want, *got, *list, *row, *sum, *detail, *f;
	const char *cve;
	struct testsvc_reply r;
	int seen = 0;

	(void)state;
	printf("[CVEs]\n");
	want = cves_from_images(&images, &findings, &fixable_findings);
	n = json_object_size(want);
	assert_true(n >= 5);
	got = central_get_json("/v1/cves?pagination.limit=1000");
	list = json_object_get(got, "cves");
	printf("  %zu CVEs in %zu images with findings (%d findings)\n", json_array_size(list), images, findings);
	assert_int_equal(json_array_size(list), n);
	json_array_foreach(list, i, row) {
		json_t *e = json_object_get(want, text_of(row, "cve"));
		if (!e)
			fail_msg("GET /v1/cves lists %s, which no stored image has", text_of(row, "cve"));
		assert_string_equal(text_of(row, "severity"),
				    sev_rank_names[json_integer_value(json_object_get(e, "sev"))]);
		assert_true(json_number_value(json_object_get(row, "cvss")) == json_number_value(json_object_get(e, "cvss")));
		assert_int_equal(json_integer_value(json_object_get(row, "imageCount")),
				 json_object_size(json_object_get(e, "images")));
		assert_int_equal(json_integer_value(json_object_get(row, "componentCount")),
				 json_object_size(json_object_get(e, "components")));
		assert_int_equal(json_is_true(json_object_get(row, "fixable")), json_is_true(json_object_get(e, "fixable")));
		check_time(row, "firstSystemOccurrence", "ListCVE");
		/* default order: CVSS highest first */
		if (i > 0)
			assert_true(json_number_value(json_object_get(json_array_get(list, i - 1), "cvss")) >=
				    json_number_value(json_object_get(row, "cvss")));
		fixable_cves += json_is_true(json_object_get(e, "fixable"));
		by_sev[json_integer_value(json_object_get(e, "sev"))]++;
	}
	json_decref(got);

	/* the count and the summary agree */
	got = central_get_json("/v1/cvescount");
	assert_int_equal(json_integer_value(json_object_get(got, "count")), n);
	json_decref(got);
	sum = central_get_json("/v1/cves/summary");
	print_json("summary", sum);
	assert_int_equal(json_integer_value(json_object_get(sum, "cves")), n);
	assert_int_equal(json_integer_value(json_object_get(sum, "fixableCves")), fixable_cves);
	assert_int_equal(json_integer_value(json_object_get(sum, "findings")), findings);
	assert_int_equal(json_integer_value(json_object_get(sum, "fixableFindings")), fixable_findings);
	assert_int_equal(json_integer_value(json_object_get(sum, "images")), images);
	for (int k = 0; k < 5; k++) {
		static const char *const keys[] = {"UNKNOWN", "LOW", "MODERATE", "IMPORTANT", "CRITICAL"};
		assert_int_equal(json_integer_value(json_object_get(json_object_get(sum, "bySeverity"), keys[k])), by_sev[k]);
	}
	json_decref(sum);

	/* a query of the images' language */
	got = central_get_json("/v1/cvescount?query=Component%3A%22PyYAML%22%2BFixable%3Atrue");
	assert_true(json_integer_value(json_object_get(got, "count")) >= 2);
	json_decref(got);

	/* one CVE: the app image's Jinja2 finding, with its fixed version */
	cve = "CVE-2019-10906";
	assert_non_null(json_object_get(want, cve));
	detail = central_get_json("/v1/cves/CVE-2019-10906");
	assert_string_equal(text_of(detail, "cve"), cve);
	assert_int_equal(json_integer_value(json_object_get(detail, "imageCount")),
			 json_object_size(json_object_get(json_object_get(want, cve), "images")));
	assert_int_equal(json_integer_value(json_object_get(detail, "findingCount")),
			 json_integer_value(json_object_get(json_object_get(want, cve), "findings")));
	assert_true(text_of(detail, "summary")[0] != 0);
	assert_true(text_of(detail, "link")[0] != 0);
	json_array_foreach(json_object_get(detail, "findings"), i, f) {
		assert_non_null(json_object_get(json_object_get(json_object_get(want, cve), "images"), text_of(f, "imageId")));
		if (!strcmp(text_of(f, "imageId"), app_digest)) {
			assert_string_equal(text_of(f, "component"), "Jinja2");
			assert_string_equal(text_of(f, "version"), "2.10");
			assert_string_equal(text_of(f, "fixedBy"), "2.10.1");
			assert_true(json_is_integer(json_object_get(f, "layerIndex")));
			seen = 1;
		}
	}
	if (!seen)
		fail_msg("GET /v1/cves/%s does not list the app image %s", cve, app_digest);
	json_decref(detail);
	json_decref(want);

	central_call(&r, NULL, "/v1/cves/CVE-1999-99999", NULL, NULL, 60);
	expect_problem(&r, 404, "CVE-1999-99999", "an unknown CVE");
	testsvc_reply_free(&r);
	central_call(&r, NULL, "/v1/cves?pagination.sortOption.field=Popularity", NULL, NULL, 60);
	expect_problem(&r, 400, "sortable", "a CVE list sorted by a field that is not one");
	testsvc_reply_free(&r);
	central_call(&r, NULL, "/v1/cves?query=No%20Such%20Field%3A1", NULL, NULL, 60);
	expect_problem(&r, 400, "position", "a CVE query with an unknown field");
	testsvc_reply_free(&r);
}

/* ---- 5c. system health -------------------------------------------------------------------- */

/* GET /v1/system/health: its status, and the named component's in *component. */
static void expect_health(const char *want_status, const char *component, const char *want_component)
{
	json_t *h = central_get_json("/v1/system/health"), *c;
	const char *names[] = {"central", "centralDb", "scannerIndexer", "scannerMatcher", "scannerDb",
			       "vulnerabilityData"};
	size_t i;
	int found = 0;

	print_json("health", h);
	assert_string_equal(text_of(h, "status"), want_status);
	check_time(h, "checkedAt", "SystemHealth");
	assert_int_equal(json_array_size(json_object_get(h, "components")), 6);
	json_array_foreach(json_object_get(h, "components"), i, c) {
		assert_string_equal(text_of(c, "name"), names[i]);
		if (!strcmp(want_status, "HEALTHY"))
			assert_string_equal(text_of(c, "status"), "HEALTHY");
		if (!strcmp(text_of(c, "name"), component)) {
			assert_string_equal(text_of(c, "status"), want_component);
			found = 1;
		}
	}
	assert_true(found);
	json_decref(h);
}

static void test_05c_health(void **state)
{
	json_t *h;

	(void)state;
	printf("[system health]\n");
	expect_health("HEALTHY", "scannerDb", "HEALTHY");
	h = central_get_json("/v1/system/health");
	/* central's version and uptime, the data's age */
	assert_true(text_of(json_array_get(json_object_get(h, "components"), 0), "version")[0] != 0);
	assert_true(json_is_integer(json_object_get(json_array_get(json_object_get(h, "components"), 0), "uptimeSeconds")));
	assert_true(json_integer_value(json_object_get(json_array_get(json_object_get(h, "components"), 5), "ageSeconds")) <
		    7 * 24 * 3600);
	json_decref(h);
}

/* ---- 6. image integrations ---------------------------------------------------------------- */

static char integration_id[40];

static char *integration_body(const char *name, const char *password, int skip_test)
{
	json_t *o = json_pack("{s:s, s:s, s:[s], s:{s:s, s:s, s:s, s:b}, s:b}", "name", name, "type", "docker",
			      "categories", "REGISTRY", "docker", "endpoint", run.registry_auth, "username",
			      run.registry_user, "password", password, "insecure", 1, "skipTestIntegration", skip_test);
	char *s = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	assert_non_null(s);
	return s;
}

static void expect_masked(const json_t *integration, const char *what)
{
	const char *pw = text_of(json_object_get(integration, "docker"), "password");

	if (strcmp(pw, "******") != 0)
		fail_msg("%s shows the password as \"%s\", want ******", what, pw);
}

static void test_06_integrations(void **state)
{
	static const char *const pkgs[] = {"PyYAML", "5.1", NULL};
	char digest[REGISTRY_DIGEST_BUF], *name, *body, path[200];
	struct e2e_buf layer;
	struct testsvc_reply r;
	const json_t *it;
	json_t *img;
	size_t i;

	(void)state;
	printf("[image integrations: %s with basic auth]\n", run.registry_auth);
	layer = python_layer("private", pkgs);
	name = push(pusher_auth, run.registry_auth, "private", "v1", &layer, 1, digest);
	e2e_buf_free(&layer);

	/* no credentials: a client error that says why, not a 5xx */
	scan_as(&r, name, 0, NULL);
	printf("  without an integration -> %ld: %s\n", r.status, testsvc_detail(&r));
	if (r.status < 400 || r.status >= 500 || !testsvc_detail(&r)[0])
		fail_msg("a scan the registry refuses: want a 4xx with a detail, got %ld: %.600s", r.status,
			 testsvc_body(&r));
	if (!strcasestr(testsvc_detail(&r), "credential") && !strcasestr(testsvc_detail(&r), "auth") &&
	    !strcasestr(testsvc_detail(&r), "401") && !strcasestr(testsvc_detail(&r), "denied"))
		fail_msg("the detail \"%s\" does not say that the registry wants credentials", testsvc_detail(&r));
	testsvc_reply_free(&r);

	/* the wrong password fails the test, and the creation that tests */
	body = integration_body("e2e wrong", run.wrong_password, 0);
	central_call(&r, "POST", "/v1/imageintegrations/test", body, NULL, 60);
	expect_problem(&r, 422, "refused", "testing a wrong password");
	testsvc_reply_free(&r);
	central_call(&r, "POST", "/v1/imageintegrations", body, NULL, 60);
	expect_problem(&r, 422, "refused", "adding an integration with a wrong password");
	testsvc_reply_free(&r);
	free(body);

	/* the right one */
	body = integration_body("e2e registry", run.registry_password, 0);
	central_call(&r, "POST", "/v1/imageintegrations/test", body, NULL, 60);
	if (r.status != 200)
		fail_msg("testing the right password: HTTP %ld: %.400s", r.status, testsvc_body(&r));
	testsvc_reply_free(&r);
	central_call(&r, "POST", "/v1/imageintegrations", body, NULL, 60);
	free(body);
	if (r.status != 200)
		fail_msg("adding the integration: HTTP %ld: %.400s", r.status, testsvc_body(&r));
	expect_masked(r.json, "POST's answer");
	snprintf(integration_id, sizeof(integration_id), "%s", text_of(r.json, "id"));
	assert_int_equal(strlen(integration_id), 36);
	testsvc_reply_free(&r);
	central_call(&r, NULL, "/v1/imageintegrations", NULL, NULL, 60);
	assert_int_equal(r.status, 200);
	json_array_foreach(json_object_get(r.json, "integrations"), i, it)
		expect_masked(it, "GET /v1/imageintegrations");
	assert_int_equal(json_array_size(json_object_get(r.json, "integrations")), 1);
	testsvc_reply_free(&r);
	snprintf(path, sizeof(path), "/v1/imageintegrations/%s", integration_id);
	central_call(&r, NULL, path, NULL, NULL, 60);
	assert_int_equal(r.status, 200);
	expect_masked(r.json, "GET /v1/imageintegrations/{id}");
	testsvc_reply_free(&r);

	/* the mask keeps the stored password only where it was given: not to
	 * another endpoint, in a change or in a test */
	{
		json_t *o = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:b}, s:b}", "id", integration_id, "name",
				      "e2e registry", "type", "docker", "docker", "endpoint", "127.0.0.1:9", "username",
				      run.registry_user, "password", "******", "insecure", 1, "skipTestIntegration", 1);
		char *moved = json_dumps(o, JSON_COMPACT);

		json_decref(o);
		central_call(&r, "PUT", path, moved, NULL, 60);
		expect_problem(&r, 400, "password again", "a change of endpoint keeping the masked password");
		testsvc_reply_free(&r);
		central_call(&r, "POST", "/v1/imageintegrations/test", moved, NULL, 60);
		expect_problem(&r, 400, "password again", "a test of another endpoint with the masked password");
		testsvc_reply_free(&r);
		free(moved);
	}

	img = scan_ok(name, 0, digest);
	expect_vulns(img, "PyYAML", "5.1", pyyaml_51);
	{
		const json_t *ds = json_object_get(json_object_get(img, "metadata"), "dataSource");
		if (strcmp(text_of(ds, "id"), integration_id) != 0 || strcmp(text_of(ds, "name"), "e2e registry") != 0)
			fail_msg("metadata.dataSource does not name the integration: %s",
				 json_dumps(ds, JSON_COMPACT));
	}
	json_decref(img);
	free(name);
}

/* ---- 7. dependencies failing -------------------------------------------------------------- */

/* A forced scan (which needs both scanners) that must answer 503 naming
 * who is down, with Retry-After. */
static void expect_unavailable(const char *image, const char *who)
{
	struct testsvc_reply r;
	char retry[32];

	scan_as(&r, image, 1, NULL);
	expect_problem(&r, 503, who, who);
	if (!testsvc_header(retry, sizeof(retry), &r, "Retry-After") || atoi(retry) <= 0)
		fail_msg("a 503 naming %s has no Retry-After (\"%s\")", who, retry);
	testsvc_reply_free(&r);
}

/* The local ports of the process's TCP connections to PostgreSQL's port,
 * from /proc: which backends are central's, and no other test's. */
static size_t pg_client_ports(int *ports, size_t max, pid_t pid, int pg_port)
{
	char path[64], link[128], line[512];
	unsigned long inodes[512];
	size_t n_inodes = 0, n = 0, i;
	struct dirent *e;
	DIR *d;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL && n_inodes < 512) {
		char fd_path[400];
		ssize_t len;
		snprintf(fd_path, sizeof(fd_path), "%s/%s", path, e->d_name);
		len = readlink(fd_path, link, sizeof(link) - 1);
		if (len > 0) {
			link[len] = '\0';
			if (sscanf(link, "socket:[%lu]", &inodes[n_inodes]) == 1)
				n_inodes++;
		}
	}
	closedir(d);
	f = fopen("/proc/net/tcp", "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) && n < max) {
		unsigned local_port, remote_port;
		unsigned long inode;
		if (sscanf(line, " %*d: %*x:%x %*x:%x %*x %*x:%*x %*x:%*x %*x %*u %*u %lu", &local_port, &remote_port,
			   &inode) != 3)
			continue;
		if ((int)remote_port != pg_port)
			continue;
		for (i = 0; i < n_inodes; i++)
			if (inodes[i] == inode)
				ports[n++] = (int)local_port;
	}
	fclose(f);
	return n;
}

static void test_07_dependencies_failing(void **state)
{
	struct testsvc_reply r;
	int ports[64];
	size_t n, i, terminated = 0;
	PGconn *conn;
	json_t *img;

	(void)state;
	printf("[dependencies failing]\n");
	testsvc_kill(&indexer, SIGKILL);
	/* a known image matched against today's data needs no indexer
	 * (image_scan.h): only the registry is asked what the tag names */
	json_decref(scan_ok(app_name, 0, NULL));
	expect_unavailable(app_name, "scanner-indexer");
	/* the health page names it, and answers in time, without a 5xx */
	{
		double t0 = now_s();
		expect_health("DEGRADED", "scannerIndexer", "UNHEALTHY");
		assert_true(now_s() - t0 < 10);
	}
	assert_int_equal(start_indexer(), 0);
	expect_health("HEALTHY", "scannerIndexer", "HEALTHY");
	json_decref(scan_ok(app_name, 1, NULL));

	testsvc_kill(&matcher, SIGKILL);
	expect_unavailable(app_name, "scanner-matcher");
	assert_int_equal(start_matcher(), 0);
	img = scan_ok(app_name, 1, NULL);
	json_decref(img);
	testsvc_expect_alive(&central);

	/* Central DB drops central's connections (a failover, a restart) */
	conn = PQconnectdb(run.base_db_url);
	assert_int_equal(PQstatus(conn), CONNECTION_OK);
	n = pg_client_ports(ports, 64, central.pid, atoi(PQport(conn)));
	for (i = 0; i < n; i++) {
		char sql[200];
		PGresult *res;
		snprintf(sql, sizeof(sql),
			 "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE client_port = %d AND "
			 "client_addr = '127.0.0.1' AND application_name = 'central'",
			 ports[i]);
		res = PQexec(conn, sql);
		if (PQresultStatus(res) == PGRES_TUPLES_OK)
			terminated += (size_t)PQntuples(res);
		PQclear(res);
	}
	PQfinish(conn);
	printf("  terminated %zu of central's %zu connections to PostgreSQL\n", terminated, n);
	if (terminated == 0)
		fail_msg("found no TCP connection of central's to PostgreSQL to terminate (ASEC_TEST_DATABASE_URL must "
			 "name a TCP host)");
	central_call(&r, NULL, "/v1/imagescount?query=CVE%3ACVE-2019-10906", NULL, NULL, 60);
	if (r.status != 200)
		fail_msg("the first request after Central DB dropped central's connections: HTTP %ld: %.400s", r.status,
			 testsvc_body(&r));
	testsvc_reply_free(&r);
	json_decref(scan_ok(app_name, 1, NULL));
}

/* ---- 8. bad input ------------------------------------------------------------------------- */

static void post_raw(struct testsvc_reply *r, const char *body, size_t len, const char *content_type)
{
	struct testsvc_request req = {.method = "POST", .path = "/v1/images/scan", .content_type = content_type,
				      .body = body, .len = len, .timeout_s = 120, .no_client_cert = 1,
				      .user = "admin", .password = run.admin_password};

	testsvc_call(r, &central, &req);
}

static void test_08_bad_input(void **state)
{
	static const struct {
		const char *body, *needle, *what;
	} cases[] = {
		{"{\"imageName\":", NULL, "malformed JSON"},
		{"{\"imageName\":\"x\",\"bogus\":1}", "bogus", "an unknown field"},
		{"{}", "imageName", "no imageName"},
		{"{\"imageName\":\"\"}", "imageName", "an empty imageName"},
		{"{\"imageName\":42}", "imageName", "a number for imageName"},
		{"{\"imageName\":\"UPPER/Case::\"}", "imageName", "a bad image name"},
		{"[]", NULL, "an array"},
	};
	size_t big_len = (size_t)10 << 20, i;
	struct testsvc_reply r;
	char *big;

	(void)state;
	printf("[bad input]\n");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		post_raw(&r, cases[i].body, strlen(cases[i].body), "application/json");
		expect_problem(&r, 400, cases[i].needle, cases[i].what);
		testsvc_reply_free(&r);
	}
	big = malloc(big_len);
	assert_non_null(big);
	memset(big, 'a', big_len);
	memcpy(big, "{\"imageName\":\"", 14);
	memcpy(big + big_len - 2, "\"}", 2);
	post_raw(&r, big, big_len, "application/json");
	printf("  a 10 MiB body -> %ld: %.200s\n", r.status, testsvc_detail(&r));
	if (r.status != 413 && r.status != 400)
		fail_msg("a 10 MiB body: want 413 or 400, got %ld (%s)", r.status, r.error);
	testsvc_reply_free(&r);
	free(big);
	post_raw(&r, "imageName=x", 11, "application/x-www-form-urlencoded");
	expect_problem(&r, 415, NULL, "a form instead of JSON");
	testsvc_reply_free(&r);
	testsvc_expect_alive(&central);
}

/* ---- 9. roles ----------------------------------------------------------------------------- */

static char *token_with_role(const char *role)
{
	json_t *req = json_pack("{s:s, s:[s]}", "name", role, "roles", role);
	char *body = json_dumps(req, JSON_COMPACT), *token;
	struct testsvc_reply r;

	central_call(&r, "POST", "/v1/apitokens/generate", body, NULL, 60);
	free(body);
	json_decref(req);
	if (r.status != 200 || !json_string_value(json_object_get(r.json, "token")))
		fail_msg("a token for %s: HTTP %ld: %.400s", role, r.status, testsvc_body(&r));
	token = strdup(text_of(r.json, "token"));
	testsvc_reply_free(&r);
	return token;
}

static void test_09_roles(void **state)
{
	char *ci = token_with_role("Continuous Integration"), *nobody = token_with_role("None");
	struct testsvc_reply r;
	struct testsvc_request anonymous = {.method = "POST", .path = "/v1/images/scan",
					    .content_type = "application/json", .body = "{\"imageName\":\"x\"}",
					    .len = 17, .no_client_cert = 1};

	(void)state;
	printf("[roles]\n");
	scan_as(&r, app_name, 0, ci);
	if (r.status != 200)
		fail_msg("a Continuous Integration token cannot scan: HTTP %ld: %.400s", r.status, testsvc_body(&r));
	testsvc_reply_free(&r);
	scan_as(&r, app_name, 0, nobody);
	expect_problem(&r, 403, NULL, "a scan with a None token");
	testsvc_reply_free(&r);
	testsvc_call(&r, &central, &anonymous);
	printf("  a scan without credentials -> %ld\n", r.status);
	assert_int_equal(r.status, 401);
	testsvc_reply_free(&r);
	free(ci);
	free(nobody);
}

/* ---- 9b. roxctl, as a CI job runs it ------------------------------------------------------- */

/* Runs roxctl with a CI token in ROX_API_TOKEN and the words given; its
 * stdout into *out (free() it); returns its exit status. */
static int roxctl_run(char **out, const char *token, const char *const *words)
{
	char cmd[4096], bin[512], endpoint[64];
	size_t len = 0, cap = 1 << 16, n;
	FILE *p;
	int status, i;

	testsvc_binary(bin, sizeof(bin), getenv("CENTRAL_E2E_ROXCTL_BIN"), "services/roxctl/roxctl");
	snprintf(endpoint, sizeof(endpoint), "127.0.0.1:%d", central.port);
	n = (size_t)snprintf(cmd, sizeof(cmd), "env -u ROX_ADMIN_PASSWORD ROX_API_TOKEN='%s' '%s' -e %s --ca '%s'",
			     token, bin, endpoint, run.pki.ca);
	for (i = 0; words[i]; i++)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, " '%s'", words[i]);
	assert_true(n < sizeof(cmd) - 16);
	snprintf(cmd + n, sizeof(cmd) - n, " 2>&1");
	assert_non_null(p = popen(cmd, "r"));
	assert_non_null(*out = malloc(cap));
	while (len + 1 < cap && (n = fread(*out + len, 1, cap - 1 - len, p)) > 0)
		len += n;
	(*out)[len] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_09b_roxctl(void **state)
{
	static const char *const packages[] = {"Jinja2", "2.10", "PyYAML", "5.1", NULL};
	char *ci = token_with_role("Continuous Integration"), *output = NULL, *name, digest[REGISTRY_DIGEST_BUF];
	struct e2e_buf layer;
	json_t *doc;
	int rc;

	(void)state;
	printf("[roxctl]\n");
	layer = python_layer("cli", packages);
	name = push(pusher, run.registry, "cli", "v1", &layer, 1, digest);
	e2e_buf_free(&layer);

	const char *const table[] = {"image", "scan", "-i", name, NULL};
	const char *const gate[] = {"image", "scan", "-i", name, "--fail", "--severity", "LOW", NULL};
	const char *const sarif[] = {"image", "scan", "-i", name, "-o", "sarif", NULL};
	const char *const whoami[] = {"central", "whoami", NULL};

	rc = roxctl_run(&output, ci, table);
	if (rc != 0 || !strstr(output, "CVE-2020-14343") || !strstr(output, "5.4"))
		fail_msg("roxctl image scan exited %d:\n%.2000s", rc, output);
	printf("  image scan -> 0, the table names CVE-2020-14343 fixed in 5.4\n");
	free(output);
	rc = roxctl_run(&output, ci, gate);
	if (rc != 1)
		fail_msg("roxctl image scan --fail exited %d, not 1:\n%.2000s", rc, output);
	printf("  image scan --fail -> 1\n");
	free(output);
	rc = roxctl_run(&output, ci, sarif);
	assert_int_equal(rc, 0);
	doc = json_loads(output, 0, NULL);
	if (!doc || json_array_size(json_object_get(doc, "runs")) != 1)
		fail_msg("roxctl -o sarif did not print one SARIF run:\n%.2000s", output);
	json_decref(doc);
	printf("  image scan -o sarif -> a SARIF log\n");
	free(output);
	rc = roxctl_run(&output, ci, whoami);
	if (rc != 0 || !strstr(output, "Continuous Integration"))
		fail_msg("roxctl central whoami exited %d:\n%.2000s", rc, output);
	printf("  central whoami -> the token's role\n");
	free(output);
	free(name);
	free(ci);
}

/* Concurrent build checks right after a policy change: the policy cache is
 * rebuilt once while the others wait for it, and every check sees the new
 * policy. */
struct check_thread {
	pthread_t thread;
	const char *body;
	pthread_barrier_t *start;
	struct testsvc_reply reply;
};

static void *check_thread_run(void *arg)
{
	struct check_thread *t = arg;

	pthread_barrier_wait(t->start);
	central_call(&t->reply, "POST", "/v1/detect/build", t->body, NULL, 120);
	return NULL;
}

static void concurrent_checks_see(const char *body, const char *policy)
{
	struct check_thread threads[8];
	pthread_barrier_t start;
	size_t i;

	memset(threads, 0, sizeof(threads));
	pthread_barrier_init(&start, NULL, 8);
	for (i = 0; i < 8; i++) {
		threads[i].body = body;
		threads[i].start = &start;
		assert_int_equal(pthread_create(&threads[i].thread, NULL, check_thread_run, &threads[i]), 0);
	}
	for (i = 0; i < 8; i++)
		pthread_join(threads[i].thread, NULL);
	pthread_barrier_destroy(&start);
	for (i = 0; i < 8; i++) {
		struct testsvc_reply *r = &threads[i].reply;
		if (r->status != 200 || !strstr(testsvc_body(r), policy))
			fail_msg("concurrent check %zu after a policy change: HTTP %ld: %.600s", i, r->status,
				 testsvc_body(r));
		testsvc_reply_free(r);
	}
	printf("  8 concurrent checks right after a policy change all see \"%s\"\n", policy);
}

/* ---- 9c. build and deploy detection, alerts ----------------------------------------------- */

static void test_09c_detection(void **state)
{
	static const char *const packages[] = {"PyYAML", "5.1", NULL};
	static const char policy[] =
		"{\"name\":\"e2e: PyYAML load RCE\",\"description\":\"CVE-2020-14343 with a fix\","
		"\"categories\":[\"Vulnerability Management\"],\"lifecycleStages\":[\"BUILD\"],"
		"\"severity\":\"HIGH_SEVERITY\",\"enforcementActions\":[\"FAIL_BUILD_ENFORCEMENT\"],"
		"\"policySections\":[{\"policyGroups\":[{\"fieldName\":\"CVE\",\"values\":[{\"value\":\"CVE-2020-14343\"}]},"
		"{\"fieldName\":\"Fixable\",\"values\":[{\"value\":\"true\"}]}]}]}";
	char *ci = token_with_role("Continuous Integration"), *name, *body, *output = NULL, *yaml_path, path[300];
	char digest[REGISTRY_DIGEST_BUF];
	struct testsvc_reply r;
	struct e2e_buf layer;
	const json_t *alert, *a;
	char alert_id[64] = "";
	size_t i;
	FILE *f;
	int rc;

	(void)state;
	printf("[build and deploy detection]\n");
	layer = python_layer("detect", packages);
	name = push(pusher, run.registry, "detect", "v1", &layer, 1, digest);
	e2e_buf_free(&layer);
	central_call(&r, "POST", "/v1/policies", policy, NULL, 60);
	if (r.status != 200)
		fail_msg("creating a policy: HTTP %ld: %.600s", r.status, testsvc_body(&r));
	testsvc_reply_free(&r);

	/* the build check fires the policy, with its enforcement, and keeps the alert */
	assert_true(asprintf(&body, "{\"imageName\":\"%s\",\"policyCategories\":[\"Vulnerability Management\"]}",
			     name) > 0);
	central_call(&r, "POST", "/v1/detect/build", body, ci, 120);
	free(body);
	if (r.status != 200)
		fail_msg("POST /v1/detect/build: HTTP %ld: %.600s", r.status, testsvc_body(&r));
	alert = NULL;
	json_array_foreach(json_object_get(r.json, "alerts"), i, a)
		if (!strcmp(text_of(json_object_get(a, "policy"), "name"), "e2e: PyYAML load RCE"))
			alert = a;
	if (!alert)
		fail_msg("the policy did not fire: %.1500s", testsvc_body(&r));
	{
		char *violations = json_dumps(json_object_get(alert, "violations"), JSON_COMPACT);
		int named = violations && strstr(violations, "CVE-2020-14343");
		free(violations);
		if (!named)
			fail_msg("the violation does not name the CVE: %.800s", testsvc_body(&r));
	}
	assert_string_equal(text_of(alert, "lifecycleStage"), "BUILD");
	printf("  detect/build -> the policy fires on CVE-2020-14343, %zu alerts in all\n",
	       json_array_size(json_object_get(r.json, "alerts")));
	testsvc_reply_free(&r);

	central_call(&r, NULL, "/v1/alerts?query=Policy:%22e2e:%20PyYAML%20load%20RCE%22", NULL, NULL, 60);
	if (r.status != 200 || json_array_size(json_object_get(r.json, "alerts")) != 1)
		fail_msg("GET /v1/alerts for the policy: HTTP %ld: %.800s", r.status, testsvc_body(&r));
	snprintf(alert_id, sizeof(alert_id), "%s", text_of(json_array_get(json_object_get(r.json, "alerts"), 0), "id"));
	testsvc_reply_free(&r);
	snprintf(path, sizeof(path), "/v1/alerts/%s/resolve", alert_id);
	central_call(&r, "PATCH", path, "{}", NULL, 60);
	assert_int_equal(r.status, 200);
	testsvc_reply_free(&r);
	snprintf(path, sizeof(path), "/v1/alerts/%s", alert_id);
	central_call(&r, NULL, path, NULL, NULL, 60);
	assert_int_equal(r.status, 200);
	assert_string_equal(text_of(r.json, "state"), "RESOLVED");
	testsvc_reply_free(&r);
	printf("  the alert is listed, resolved and reads RESOLVED\n");

	/* a new policy, then eight checks at once: all see it */
	{
		static const char second[] =
			"{\"name\":\"e2e: PyYAML full_load\",\"categories\":[\"Vulnerability Management\"],"
			"\"lifecycleStages\":[\"BUILD\"],\"severity\":\"MEDIUM_SEVERITY\",\"policySections\":[{\"policyGroups\":["
			"{\"fieldName\":\"CVE\",\"values\":[{\"value\":\"CVE-2020-14343\"}]}]}]}";
		central_call(&r, "POST", "/v1/policies", second, NULL, 60);
		if (r.status != 200)
			fail_msg("creating a second policy: HTTP %ld: %.600s", r.status, testsvc_body(&r));
		testsvc_reply_free(&r);
		assert_true(asprintf(&body, "{\"imageName\":\"%s\"}", name) > 0);
		concurrent_checks_see(body, "e2e: PyYAML full_load");
		free(body);
	}

	/* roxctl image check fails the build on the enforced policy */
	{
		const char *const check[] = {"image", "check", "-i", name, "-c", "Vulnerability Management", NULL};
		rc = roxctl_run(&output, ci, check);
		if (rc != 1 || !strstr(output, "e2e: PyYAML load RCE"))
			fail_msg("roxctl image check exited %d, not 1:\n%.2000s", rc, output);
		free(output);
		printf("  roxctl image check -> 1, naming the policy\n");
	}

	/* roxctl deployment check: a privileged pod of that image fires the
	 * default privileged-container policy, which does not block (0) */
	assert_true(asprintf(&yaml_path, "%s/privileged.yaml", run.pki.dir) > 0);
	assert_non_null(f = fopen(yaml_path, "w"));
	fprintf(f, "apiVersion: v1\nkind: Pod\nmetadata: {name: e2e-priv, namespace: shop}\n"
		   "spec:\n  containers:\n  - name: app\n    image: %s\n    securityContext: {privileged: true}\n",
		name);
	fclose(f);
	{
		const char *const check[] = {"deployment", "check", "-f", yaml_path, "-o", "json", NULL};
		rc = roxctl_run(&output, ci, check);
		if (rc != 0 || !strstr(output, "rivileged"))
			fail_msg("roxctl deployment check exited %d:\n%.3000s", rc, output);
		free(output);
		printf("  roxctl deployment check of a privileged pod -> 0, the privileged policy named\n");
	}
	free(yaml_path);
	free(name);
	free(ci);
}

/* ---- 9d. StackRox's own policies import and evaluate ------------------------------------- */

static void test_09d_stackrox_policies_import(void **state)
{
	char dir[1024], path[2048];
	json_t *policies = json_array(), *req;
	struct testsvc_reply r;
	struct dirent *e;
	const json_t *resp;
	char *body;
	size_t i, ok = 0;
	DIR *d;

	(void)state;
	printf("[StackRox's shipped policies, imported]\n");
	testing_shared_path(dir, sizeof(dir), "fixtures/policies/stackrox-default-policies");
	assert_non_null(d = opendir(dir));
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		json_t *p;
		if (len < 6 || strcmp(e->d_name + len - 5, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		assert_non_null(p = json_load_file(path, 0, NULL));
		json_array_append_new(policies, p);
	}
	closedir(d);
	assert_true(json_array_size(policies) > 50);
	req = json_pack("{s:{s:b}, s:o}", "metadata", "overwrite", 0, "policies", policies);
	body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	central_call(&r, "POST", "/v1/policies/import", body, NULL, 120);
	free(body);
	if (r.status != 200)
		fail_msg("POST /v1/policies/import: HTTP %ld: %.600s", r.status, testsvc_body(&r));
	json_array_foreach(json_object_get(r.json, "responses"), i, resp)
	{
		if (json_is_true(json_object_get(resp, "succeeded"))) {
			ok++;
			continue;
		}
		char *why = json_dumps(json_object_get(resp, "errors"), JSON_COMPACT);
		fail_msg("%s was not imported: %s", text_of(json_object_get(resp, "policy"), "name"), why);
	}
	assert_true(json_is_true(json_object_get(r.json, "allSucceeded")));
	printf("  %zu of StackRox's policies imported\n", ok);
	testsvc_reply_free(&r);
	/* and they evaluate: a build check runs every enabled BUILD policy, theirs included */
	{
		static const char *const packages[] = {"Jinja2", "2.10", NULL};
		struct e2e_buf layer = python_layer("srx", packages);
		char digest[REGISTRY_DIGEST_BUF], *name = push(pusher, run.registry, "srx", "latest", &layer, 1, digest);

		e2e_buf_free(&layer);
		assert_true(asprintf(&body, "{\"imageName\":\"%s\"}", name) > 0);
		central_call(&r, "POST", "/v1/detect/build", body, NULL, 120);
		free(body);
		if (r.status != 200)
			fail_msg("POST /v1/detect/build after the import: HTTP %ld: %.600s", r.status, testsvc_body(&r));
		body = json_dumps(r.json, JSON_COMPACT);
		/* StackRox's "Latest tag" policy fires on :latest */
		if (!strstr(body, "Latest tag"))
			fail_msg("StackRox's Latest tag policy did not fire on a :latest image: %.1500s", body);
		free(body);
		testsvc_reply_free(&r);
		free(name);
		printf("  a build check of a :latest image fires StackRox's \"Latest tag\" policy\n");
	}
}

/* ---- 9e. policy validation, locked defaults, disable, dry run ------------------------------ */

static void test_09e_policy_management(void **state)
{
	static const char bad[] =
		"{\"name\":\"e2e: bad\",\"categories\":[\"Privileges\"],\"lifecycleStages\":[\"BUILD\"],"
		"\"severity\":\"LOW_SEVERITY\",\"policySections\":[{\"policyGroups\":["
		"{\"fieldName\":\"Privileged Container\",\"values\":[{\"value\":\"true\"}]}]}]}";
	static const char dry[] =
		"{\"name\":\"e2e: dry run\",\"categories\":[\"Vulnerability Management\"],\"lifecycleStages\":[\"BUILD\"],"
		"\"severity\":\"LOW_SEVERITY\",\"policySections\":[{\"policyGroups\":["
		"{\"fieldName\":\"Image Component\",\"values\":[{\"value\":\"pyyaml=\"}]}]}]}";
	struct testsvc_reply r;
	const json_t *p, *found = NULL;
	char path[200], *body;
	size_t i;

	(void)state;
	printf("[policy management]\n");
	/* a BUILD policy with a deployment field: 400 naming the path */
	central_call(&r, "POST", "/v1/policies", bad, NULL, 60);
	expect_problem(&r, 400, "policySections[0].policyGroups[0]", "a BUILD policy with a deployment field");
	testsvc_reply_free(&r);

	/* a locked default: severity cannot change, disabled can */
	central_call(&r, NULL, "/v1/policies?query=Policy:%22Container%20runs%20privileged%22", NULL, NULL, 60);
	assert_int_equal(r.status, 200);
	json_array_foreach(json_object_get(r.json, "policies"), i, p)
		if (!strcmp(text_of(p, "name"), "Container runs privileged"))
			found = p;
	if (!found)
		fail_msg("the default policy \"Container runs privileged\" is not listed: %.600s", testsvc_body(&r));
	snprintf(path, sizeof(path), "/v1/policies/%s", text_of(found, "id"));
	testsvc_reply_free(&r);
	central_call(&r, NULL, path, NULL, NULL, 60);
	assert_int_equal(r.status, 200);
	assert_true(json_is_true(json_object_get(r.json, "isDefault")));
	json_object_set_new(r.json, "severity", json_string("LOW_SEVERITY"));
	body = json_dumps(r.json, JSON_COMPACT);
	testsvc_reply_free(&r);
	central_call(&r, "PUT", path, body, NULL, 60);
	free(body);
	expect_problem(&r, 400, "severity", "changing a locked default's severity");
	testsvc_reply_free(&r);
	central_call(&r, "PATCH", path, "{\"disabled\":true}", NULL, 60);
	assert_int_equal(r.status, 200);
	testsvc_reply_free(&r);
	central_call(&r, NULL, path, NULL, NULL, 60);
	assert_true(json_is_true(json_object_get(r.json, "disabled")));
	testsvc_reply_free(&r);
	central_call(&r, "PATCH", path, "{\"disabled\":false}", NULL, 60);
	assert_int_equal(r.status, 200);
	testsvc_reply_free(&r);
	printf("  a locked default keeps its severity, and is disabled and enabled again\n");

	/* dry run over the stored images: the images with PyYAML */
	central_call(&r, "POST", "/v1/policies/dryrun", dry, NULL, 120);
	if (r.status != 200 || json_array_size(json_object_get(r.json, "alerts")) == 0)
		fail_msg("a dry run of an Image Component policy found nothing: HTTP %ld: %.800s", r.status,
			 testsvc_body(&r));
	printf("  dry run -> %zu stored images violate it\n", json_array_size(json_object_get(r.json, "alerts")));
	testsvc_reply_free(&r);
}

/* ---- 10. secrets, and the end ------------------------------------------------------------- */

/* Every row of every table of Central DB, as text, must not hold needle. */
static void expect_not_in_central_db(const char *needle, const char *what)
{
	PGconn *conn = PQconnectdb(run.central_db.url);
	PGresult *tables;
	int i, rows = 0;

	assert_int_equal(PQstatus(conn), CONNECTION_OK);
	tables = PQexec(conn, "SELECT quote_ident(table_name) FROM information_schema.tables WHERE table_schema = "
			      "current_schema()");
	assert_int_equal(PQresultStatus(tables), PGRES_TUPLES_OK);
	assert_true(PQntuples(tables) > 0);
	for (i = 0; i < PQntuples(tables); i++) {
		char sql[300];
		const char *params[] = {needle};
		PGresult *res;
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s t WHERE strpos(t::text, $1) > 0", PQgetvalue(tables, i, 0));
		res = PQexecParams(conn, sql, 1, NULL, params, NULL, NULL, 0);
		assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
		if (atoi(PQgetvalue(res, 0, 0)) != 0)
			fail_msg("%s is in clear in Central DB's table %s", what, PQgetvalue(tables, i, 0));
		PQclear(res);
		rows++;
	}
	printf("  %s: in none of Central DB's %d tables\n", what, rows);
	PQclear(tables);
	PQfinish(conn);
}

static void expect_not_logged(const char *needle, const char *what)
{
	struct testsvc *all[] = {&central, &indexer, &matcher};
	size_t i;

	for (i = 0; i < 3; i++)
		if (testsvc_log_lines(all[i], needle, NULL, NULL) > 0)
			fail_msg("%s is in %s's log", what, all[i]->name);
	printf("  %s: in no service's log\n", what);
}

static void test_10_secrets_and_stop(void **state)
{
	(void)state;
	printf("[secrets and the end]\n");
	expect_not_in_central_db(run.registry_password, "the registry password");
	expect_not_in_central_db(run.admin_password, "the admin password");
	expect_not_logged(run.registry_password, "the registry password");
	expect_not_logged(run.wrong_password, "the wrong registry password");
	expect_not_logged(run.admin_password, "the admin password");
	if (!testsvc_stop(&central))
		fail_msg("central did not stop cleanly on SIGTERM");
	if (!testsvc_stop(&matcher))
		fail_msg("scanner-matcher did not stop cleanly on SIGTERM");
	if (!testsvc_stop(&indexer))
		fail_msg("scanner-indexer did not stop cleanly on SIGTERM");
	/* the logs are read once more: a shutdown must not print them either */
	expect_not_logged(run.registry_password, "the registry password (after the stop)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_01_scan),
		cmocka_unit_test(test_02_rescan_rules),
		cmocka_unit_test(test_03_coalescing),
		cmocka_unit_test(test_04_parallel),
		cmocka_unit_test(test_05_search),
		cmocka_unit_test(test_05b_cves),
		cmocka_unit_test(test_05c_health),
		cmocka_unit_test(test_06_integrations),
		cmocka_unit_test(test_07_dependencies_failing),
		cmocka_unit_test(test_08_bad_input),
		cmocka_unit_test(test_09_roles),
		cmocka_unit_test(test_09b_roxctl),
		cmocka_unit_test(test_09c_detection),
		cmocka_unit_test(test_09d_stackrox_policies_import),
		cmocka_unit_test(test_09e_policy_management),
		cmocka_unit_test(test_10_secrets_and_stop),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
