/*
 * matcher_e2e_test.c - scanner-matcher end to end, with the real indexer,
 * a real registry and PostgreSQL: vulnerability data goes in the way an
 * operator puts it in, images go through the indexer, and the findings that
 * come out must be exactly those the advisories imply.
 *
 * Both service binaries of this build run as children, each on a free
 * loopback port, with a throw-away PKI (asec-pki dev) and mutual TLS
 * everywhere: this test calls them with the operator certificate, and the
 * matcher fetches index reports from the indexer with its own certificate.
 * Both keep their tables in a PostgreSQL schema of this run only
 * (ROX_SCANNER_DB_URL with options=-csearch_path=<schema>), so that runs
 * beside this one never share a table; the schema is dropped at the end.
 *
 * What is checked, in order:
 *
 *   1. Import. Every file of the shared feed set (../shared/feeds, read
 *      through testing_shared_path) is posted to /v4/vulnerability-bundles
 *      as an operator would post it, and three small hand-written files in
 *      the vendors' NATIVE formats fill the cases the shared set lacks (a
 *      Debian tracker JSON excerpt, two GHSA-style OSV records for npm, one
 *      for Maven). /v4/metadata must then count what each import accepted.
 *
 *   2. Findings. Images are built in memory (tar, gzip, a zip writer for
 *      jars, a synthetic Go binary, an rpm sqlite database made with
 *      libsqlite3 from hand-built rpm headers), pushed to the registry,
 *      indexed with POST /v4/index-reports and matched with POST
 *      /v4/vulnerability-reports {hashId} WITHOUT contents, so that the
 *      matcher fetches the report from the indexer itself. For every chosen
 *      package the findings are asserted exactly - the id (a record's name
 *      or one of its aliases), fixedInVersion, status, normalizedSeverity
 *      where the vendor sets one, the advisory, the source - and packages
 *      at a fixed version must have none. The expectations were worked out
 *      from the raw feed lines by hand (and re-checked with small scripts
 *      independent of this code base); each case quotes the lines that
 *      imply it. One request carries contents instead and must answer the
 *      same.
 *
 *   3. Bad input. A truncated gzip, a file of no known format, bundles with
 *      a wrong checksum or a missing member are refused with 422 and change
 *      nothing (/v4/metadata byte for byte); an OSV JSON Lines file with
 *      malformed lines, an unknown ecosystem, an invalid version, a line
 *      nested 10,000 deep and a line over the 64 MiB document limit is
 *      answered 200 with each of those counted and explained as a skip, and
 *      its good records serve.
 *
 *   4. Crash safety. While the NVD 1.1 feed (5.8 MB gzip, about 12,500
 *      records, seconds of work) is being imported, the matcher is killed
 *      with SIGKILL: once for certain inside its database transaction (the
 *      test holds the source's row locked, waits until PostgreSQL shows the
 *      matcher's write blocked on it, and kills then), and at several
 *      delays spread over the import's measured duration, some after the
 *      upload and before any answer (while parsing), one after the answer.
 *      After each restart /v4/metadata must show the source either exactly
 *      as it was or exactly as a complete import leaves it - never a partial
 *      count - every other source untouched, an answered import kept, and
 *      matching must give the same findings as before the crashes.
 *
 * Needs ASEC_TEST_DATABASE_URL and ASEC_TEST_REGISTRY (scripts/test.sh)
 * and the shared feeds and fixtures; skips (77) without them, fails under
 * CI=true. The binaries come from MATCHER_E2E_MATCHER_BIN,
 * MATCHER_E2E_INDEXER_BIN and MATCHER_E2E_PKI_BIN (matcher_e2e.cmake puts
 * this build's paths there), else from $ASEC_BUILD_DIR.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <zlib.h>

#include "error/error.h"
#include "registry/registry.h"
#include "registry/testpush.h"
#include "testing/testing.h"

#include "e2e_support.h"
#include "service_testing.h"

/* The slowest legitimate request (a big import under ASan), in seconds. */
#define REQUEST_TIMEOUT_S 600L
/* One JSON Lines line bigger than the parsers' 64 MiB document limit. */
#define HUGE_LINE_BYTES ((size_t)65 << 20)
/* Nesting of the deep JSON line (jansson stops at 2,048). */
#define DEEP_NESTING 10000

/* ---- the run ------------------------------------------------------------------------------ */

static struct testsvc indexer = {.name = "scanner-indexer", .identity = "scanner-v4-indexer"};
static struct testsvc matcher = {.name = "scanner-matcher", .identity = "scanner-v4-matcher"};

static struct {
	struct testsvc_pki pki;       /* and the services' logs */
	struct testsvc_schema schema; /* its url: ASEC_TEST_DATABASE_URL with the run's search_path */
	const char *base_db_url;
	struct timespec started;
} run;

static struct testpush *pusher;
static const char *registry;
static char run_id[40];

/* What the tests hand one another: the Debian image's hash id and the
 * findings of its report, compared again after the crashes. */
static char *debian_hash_id;
static json_t *debian_findings;

/* ---- small things ------------------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec t = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};

	while (nanosleep(&t, &t) != 0 && errno == EINTR)
		;
}

static const char *text_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* A shared file read whole (the test is skipped when the folder is not there). */
static unsigned char *read_shared(const char *relative, size_t *len)
{
	char path[1024];
	unsigned char *data;

	testing_shared_path(path, sizeof(path), relative);
	data = testing_read_file(path, len);
	if (!data)
		fail_msg("cannot read %s", path);
	return data;
}

/* ---- HTTPS -------------------------------------------------------------------------------- */

/* One request to a service with the operator's certificate. body may be
 * NULL (GET); content_type and extra_header may be NULL. */
static void https(struct testsvc_reply *r, const struct testsvc *s, const char *path, const char *content_type,
		  const char *extra_header, const void *body, size_t len, long timeout_s,
		  struct testsvc_upload_watch *watch)
{
	const char *headers[] = {extra_header, NULL};
	struct testsvc_request req = {.path = path, .content_type = content_type, .headers = headers, .body = body,
				      .len = len, .timeout_s = timeout_s, .max_body = (size_t)64 << 20, .watch = watch};

	testsvc_call(r, s, &req);
}

static int matcher_start(void)
{
	char indexer_url[128], db_setting[1200];

	const char *settings[] = {indexer_url, db_setting, NULL};

	snprintf(indexer_url, sizeof(indexer_url), "ROX_MATCHER_INDEXER_URL=https://127.0.0.1:%d", indexer.port);
	snprintf(db_setting, sizeof(db_setting), "ROX_SCANNER_DB_URL=%s", run.schema.url);
	return testsvc_start(&matcher, settings);
}

/* ---- the services' answers ---------------------------------------------------------------- */

static json_t *get_json(struct testsvc *s, const char *path)
{
	struct testsvc_reply r;
	json_t *out;

	testsvc_expect_alive(s);
	https(&r, s, path, NULL, NULL, NULL, 0, 60, NULL);
	if (r.status != 200 || !r.json)
		fail_msg("GET %s on %s: HTTP %ld (%s): %.600s", path, s->name, r.status, r.error, testsvc_body(&r));
	out = json_incref(r.json);
	testsvc_reply_free(&r);
	return out;
}

static json_t *metadata(void)
{
	return get_json(&matcher, "/v4/metadata");
}

static const json_t *source_meta(const json_t *md, const char *name)
{
	const json_t *s;
	size_t i;

	json_array_foreach(json_object_get(md, "sources"), i, s)
		if (strcmp(text_of(s, "name"), name) == 0)
			return s;
	return NULL;
}

/* Posts one file to /v4/vulnerability-bundles; filename goes into
 * Content-Disposition (some formats say things through their file name)
 * and source into ?source= when not NULL. Answers the reply. */
static void post_bundle(struct testsvc_reply *r, const void *data, size_t len, const char *filename, const char *source,
			struct testsvc_upload_watch *watch)
{
	char path[256], disposition[256];

	if (source)
		snprintf(path, sizeof(path), "/v4/vulnerability-bundles?source=%s", source);
	else
		snprintf(path, sizeof(path), "/v4/vulnerability-bundles");
	snprintf(disposition, sizeof(disposition), "Content-Disposition: attachment; filename=\"%s\"",
		 filename ? filename : "upload");
	https(r, &matcher, path, "application/octet-stream", disposition, data, len, REQUEST_TIMEOUT_S, watch);
}

/* An import that must succeed: the ImportResult of its one source, checked
 * against what /v4/metadata says of it afterwards. */
static json_t *import_ok(const void *data, size_t len, const char *filename, const char *source)
{
	struct testsvc_reply r;
	json_t *md, *result;
	const json_t *src, *meta;
	double t0 = now_s();

	testsvc_expect_alive(&matcher);
	post_bundle(&r, data, len, filename, source, NULL);
	if (r.status != 200 || !r.json)
		fail_msg("importing %s as %s: HTTP %ld (%s): %.800s", filename, source, r.status, r.error, testsvc_body(&r));
	result = json_incref(r.json);
	testsvc_reply_free(&r);
	assert_int_equal(json_array_size(json_object_get(result, "sources")), 1);
	src = json_array_get(json_object_get(result, "sources"), 0);
	assert_string_equal(text_of(src, "name"), source);
	printf("  imported %-44s as %-18s %7lld accepted, %5lld skipped (%s) in %.2f s\n", filename, source,
	       (long long)json_integer_value(json_object_get(src, "accepted")),
	       (long long)json_integer_value(json_object_get(src, "skipped")), text_of(src, "format"), now_s() - t0);
	fflush(stdout);
	md = metadata();
	meta = source_meta(md, source);
	if (!meta)
		fail_msg("/v4/metadata does not list source %s after its import", source);
	assert_int_equal(json_integer_value(json_object_get(meta, "records")),
			 json_integer_value(json_object_get(src, "accepted")));
	assert_int_equal(json_integer_value(json_object_get(meta, "skipped")),
			 json_integer_value(json_object_get(src, "skipped")));
	assert_string_equal(text_of(meta, "format"), text_of(src, "format"));
	json_decref(md);
	return result;
}

static const json_t *first_source(const json_t *result)
{
	return json_array_get(json_object_get(result, "sources"), 0);
}

static long long accepted_of(const json_t *result)
{
	return json_integer_value(json_object_get(first_source(result), "accepted"));
}

static long long skipped_of(const json_t *result)
{
	return json_integer_value(json_object_get(first_source(result), "skipped"));
}

/* An import that must be refused with 422 and leave the data as it was. */
static void import_refused(const void *data, size_t len, const char *filename, const char *source,
			   const char *detail_needle)
{
	json_t *before = metadata(), *after;
	struct testsvc_reply r;
	const char *detail;

	post_bundle(&r, data, len, filename, source, NULL);
	detail = text_of(r.json, "detail");
	printf("  %s -> %ld: %s\n", filename, r.status, detail);
	if (r.status != 422)
		fail_msg("%s: want 422, got %ld (%s): %.600s", filename, r.status, r.error, testsvc_body(&r));
	if (!strcasestr(detail, detail_needle))
		fail_msg("%s: the problem's detail \"%s\" does not mention \"%s\"", filename, detail, detail_needle);
	testsvc_reply_free(&r);
	after = metadata();
	if (!json_equal(before, after)) {
		char *a = json_dumps(before, JSON_COMPACT), *b = json_dumps(after, JSON_COMPACT);
		printf("before: %s\nafter:  %s\n", a, b);
		free(a);
		free(b);
		fail_msg("a refused import (%s) changed /v4/metadata", filename);
	}
	json_decref(before);
	json_decref(after);
}

/* Indexes an image; answers its hash id (malloc'd). */
static char *index_image(const char *image)
{
	json_t *req = json_pack("{s:{s:s}}", "containerImage", "url", image);
	char *body = json_dumps(req, JSON_COMPACT), *hash;
	const json_t *notes;
	struct testsvc_reply r;
	size_t i;

	assert_non_null(body);
	testsvc_expect_alive(&indexer);
	https(&r, &indexer, "/v4/index-reports", "application/json", NULL, body, strlen(body), REQUEST_TIMEOUT_S, NULL);
	free(body);
	json_decref(req);
	printf("  indexed %s -> %ld in %.2f s\n", image, r.status, r.seconds);
	if ((r.status != 201 && r.status != 200) || !r.json)
		fail_msg("indexing %s: HTTP %ld (%s): %.800s", image, r.status, r.error, testsvc_body(&r));
	assert_string_equal(text_of(r.json, "state"), "IndexFinished");
	notes = json_object_get(r.json, "notes");
	for (i = 0; i < json_array_size(notes) && i < 8; i++)
		printf("    indexer note: %.200s\n", json_string_value(json_array_get(notes, i)));
	hash = strdup(text_of(r.json, "hashId"));
	assert_non_null(hash);
	assert_true(hash[0] != '\0');
	testsvc_reply_free(&r);
	return hash;
}

/* POST /v4/vulnerability-reports: without contents (the matcher asks the
 * indexer) when contents is NULL. Answers the report, status 200 required. */
static json_t *vulnerability_report(const char *hash_id, const json_t *contents)
{
	json_t *req = json_pack("{s:s}", "hashId", hash_id), *out;
	char *body;
	struct testsvc_reply r;

	if (contents)
		json_object_set(req, "contents", (json_t *)contents);
	body = json_dumps(req, JSON_COMPACT);
	assert_non_null(body);
	testsvc_expect_alive(&matcher);
	https(&r, &matcher, "/v4/vulnerability-reports", "application/json", NULL, body, strlen(body), 120, NULL);
	free(body);
	json_decref(req);
	if (r.status != 200 || !r.json)
		fail_msg("matching %s: HTTP %ld (%s): %.800s", hash_id, r.status, r.error, testsvc_body(&r));
	out = json_incref(r.json);
	testsvc_reply_free(&r);
	/* A caller that sent contents is not sent them back (the spec); the
	 * checks below read package ids from the report, so put them there. */
	if (contents) {
		if (json_object_get(out, "contents"))
			fail_msg("matching %s: the answer repeats the contents the caller sent", hash_id);
		json_object_set(out, "contents", (json_t *)contents);
	} else if (!json_is_object(json_object_get(out, "contents"))) {
		fail_msg("matching %s by hash id: the answer lacks the indexer's contents", hash_id);
	}
	return out;
}

/* ---- expectations ------------------------------------------------------------------------- */

/* One expected finding. id is the finding's name or one of its aliases;
 * every other field NULL means "not checked". */
struct want {
	const char *id;
	const char *fixed;     /* fixedInVersion; "" = no fix named */
	const char *status;
	const char *severity;  /* normalizedSeverity, where the vendor sets it */
	const char *advisory;  /* advisory.name */
	const char *updater;   /* the source that produced it */
};

static int finding_has_id(const json_t *f, const char *id)
{
	const json_t *a;
	size_t i;

	if (strcmp(text_of(f, "name"), id) == 0)
		return 1;
	json_array_foreach(json_object_get(f, "aliases"), i, a)
		if (strcmp(json_string_value(a), id) == 0)
			return 1;
	return 0;
}

static void print_findings(const char *pkg, const char *version, const json_t *list, const json_t *vulns)
{
	const json_t *vid;
	size_t i;

	printf("    findings of %s %s (%zu):\n", pkg, version, json_array_size(list));
	json_array_foreach(list, i, vid) {
		const json_t *f = json_object_get(vulns, json_string_value(vid));
		char *aliases = json_dumps(json_object_get(f, "aliases"), JSON_COMPACT);
		printf("      %-16s fixed=%-22s status=%-12s sev=%-9s adv=%-18s updater=%s aliases=%s\n",
		       text_of(f, "name"), text_of(f, "fixedInVersion"), text_of(f, "status"),
		       text_of(f, "normalizedSeverity"), text_of(json_object_get(f, "advisory"), "name"),
		       text_of(f, "updater"), aliases ? aliases : "");
		free(aliases);
	}
}

static void check_field(const char *pkg, const char *id, const char *field, const char *want, const char *got)
{
	if (want && strcmp(want, got) != 0)
		fail_msg("%s, finding %s: %s is \"%s\", want \"%s\"", pkg, id, field, got, want);
}

/* Every package called pkg at version in the report has exactly the
 * findings w[0..n) - and at least one such package exists, so that "no
 * findings" means the matcher looked at it. Answers how many there were. */
static size_t expect_findings(const json_t *report, const char *pkg, const char *version, const struct want *w,
			      size_t n)
{
	const json_t *packages = json_object_get(json_object_get(report, "contents"), "packages");
	const json_t *vulns = json_object_get(report, "vulnerabilities");
	const json_t *pvulns = json_object_get(report, "packageVulnerabilities");
	const char *id;
	json_t *p;
	size_t seen = 0;

	json_object_foreach((json_t *)packages, id, p) {
		const json_t *list = json_object_get(pvulns, id), *vid;
		char used[64] = {0};
		size_t i, j;

		if (strcmp(text_of(p, "name"), pkg) != 0 || strcmp(text_of(p, "version"), version) != 0)
			continue;
		seen++;
		print_findings(pkg, version, list, vulns);
		if (json_array_size(list) != n)
			fail_msg("%s %s (package %s) has %zu findings, want %zu", pkg, version, id, json_array_size(list), n);
		assert_true(n <= sizeof(used));
		for (i = 0; i < n; i++) {
			const json_t *f = NULL;
			json_array_foreach(list, j, vid) {
				const json_t *c = json_object_get(vulns, json_string_value(vid));
				if (!used[j] && finding_has_id(c, w[i].id)) {
					f = c;
					used[j] = 1;
					break;
				}
			}
			if (!f)
				fail_msg("%s %s: no finding %s", pkg, version, w[i].id);
			assert_string_equal(text_of(f, "packageId"), id);
			check_field(pkg, w[i].id, "fixedInVersion", w[i].fixed, text_of(f, "fixedInVersion"));
			check_field(pkg, w[i].id, "status", w[i].status, text_of(f, "status"));
			check_field(pkg, w[i].id, "normalizedSeverity", w[i].severity, text_of(f, "normalizedSeverity"));
			check_field(pkg, w[i].id, "advisory", w[i].advisory,
				    text_of(json_object_get(f, "advisory"), "name"));
			check_field(pkg, w[i].id, "updater", w[i].updater, text_of(f, "updater"));
			if (!text_of(f, "explanation")[0])
				fail_msg("%s: finding %s carries no explanation", pkg, w[i].id);
		}
	}
	if (!seen)
		fail_msg("package %s %s is not in the report: nothing was matched for it", pkg, version);
	return seen;
}

/* The finding of pkg (the first package of that name and version) that
 * has id, or NULL. */
static const json_t *finding_of(const json_t *report, const char *pkg, const char *version, const char *fid)
{
	const json_t *packages = json_object_get(json_object_get(report, "contents"), "packages");
	const json_t *vulns = json_object_get(report, "vulnerabilities");
	const char *id;
	json_t *p;

	json_object_foreach((json_t *)packages, id, p) {
		const json_t *vid;
		size_t i;
		if (strcmp(text_of(p, "name"), pkg) != 0 || strcmp(text_of(p, "version"), version) != 0)
			continue;
		json_array_foreach(json_object_get(json_object_get(report, "packageVulnerabilities"), id), i, vid) {
			const json_t *f = json_object_get(vulns, json_string_value(vid));
			if (finding_has_id(f, fid))
				return f;
		}
	}
	return NULL;
}

/* The set of (package name, version, finding name, fixed, status) of a
 * report, sorted: what must survive the crashes unchanged. */
static json_t *finding_summary(const json_t *report)
{
	const json_t *packages = json_object_get(json_object_get(report, "contents"), "packages");
	const json_t *vulns = json_object_get(report, "vulnerabilities");
	json_t *out = json_array(), *p;
	const char *id;

	json_object_foreach((json_t *)packages, id, p) {
		const json_t *vid;
		size_t i;
		json_array_foreach(json_object_get(json_object_get(report, "packageVulnerabilities"), id), i, vid) {
			const json_t *f = json_object_get(vulns, json_string_value(vid));
			char line[512];
			snprintf(line, sizeof(line), "%s %s %s fixed=%s %s", text_of(p, "name"), text_of(p, "version"),
				 text_of(f, "name"), text_of(f, "fixedInVersion"), text_of(f, "status"));
			json_array_append_new(out, json_string(line));
		}
	}
	/* a plain sort of the lines */
	{
		size_t n = json_array_size(out), i, j;
		for (i = 1; i < n; i++)
			for (j = i; j > 0 && strcmp(json_string_value(json_array_get(out, j - 1)),
						    json_string_value(json_array_get(out, j))) > 0;
			     j--) {
				json_t *a = json_incref(json_array_get(out, j - 1));
				json_array_set(out, j - 1, json_array_get(out, j));
				json_array_set_new(out, j, a);
			}
	}
	return out;
}

/* ---- image building ----------------------------------------------------------------------- */

/* Every layer carries the run id, so that no layer is answered from the
 * indexer's layer cache of an earlier run. */
static void tar_run_marker(struct e2e_buf *tar, const char *what)
{
	char text[128];

	snprintf(text, sizeof(text), "%s %s\n", run_id, what);
	e2e_tar_add_text(tar, "etc/matcher-e2e-run", text);
}

static void tar_add_shared(struct e2e_buf *tar, const char *name, const char *relative)
{
	size_t len;
	unsigned char *data = read_shared(relative, &len);

	e2e_tar_add(tar, name, data, len);
	free(data);
}

/* Gzips a finished tar into a layer and frees the tar. */
static struct e2e_buf layer_of(struct e2e_buf *tar)
{
	struct e2e_buf gz;

	e2e_tar_end(tar);
	e2e_gzip(&gz, tar->data, tar->len, run_id);
	e2e_buf_free(tar);
	return gz;
}

static char *push_image(const char *name, const struct e2e_buf *layers, size_t n)
{
	struct testpush_layer tl[4];
	char repo[160], config[512], digest[REGISTRY_DIGEST_BUF];
	size_t size = 0, i;

	assert_true(n <= 4);
	memset(tl, 0, sizeof(tl));
	for (i = 0; i < n; i++) {
		tl[i].data = layers[i].data;
		tl[i].len = layers[i].len;
	}
	snprintf(repo, sizeof(repo), "matcher-e2e/%s-%s", name, run_id);
	snprintf(config, sizeof(config),
		 "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Labels\":{\"run\":\"%s\",\"case\":\"%s\"}},"
		 "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}",
		 run_id, name);
	return e2e_push_image(pusher, registry, repo, "v1", config, tl, n, digest, &size);
}

/* -- a zip writer: stored entries only, which is all a jar of metadata needs -- */

static void put_le(struct e2e_buf *b, uint32_t v, int bytes)
{
	unsigned char p[4];
	int i;

	for (i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
	e2e_buf_put(b, p, (size_t)bytes);
}

static void put_le64(struct e2e_buf *b, uint64_t v)
{
	put_le(b, (uint32_t)v, 4);
	put_le(b, (uint32_t)(v >> 32), 4);
}

struct zip {
	struct e2e_buf out, cd;
	uint16_t count;
};

static void zip_add(struct zip *z, const char *name, const char *text)
{
	size_t len = strlen(text), nlen = strlen(name);
	uint32_t crc = (uint32_t)crc32(0, (const Bytef *)text, (uInt)len), offset = (uint32_t)z->out.len;
	const uint32_t dos_time = 0, dos_date = ((2024 - 1980) << 9) | (3 << 5) | 14;

	put_le(&z->out, 0x04034b50, 4);
	put_le(&z->out, 10, 2);
	put_le(&z->out, 0, 2);
	put_le(&z->out, 0, 2); /* stored */
	put_le(&z->out, dos_time, 2);
	put_le(&z->out, dos_date, 2);
	put_le(&z->out, crc, 4);
	put_le(&z->out, (uint32_t)len, 4);
	put_le(&z->out, (uint32_t)len, 4);
	put_le(&z->out, (uint32_t)nlen, 2);
	put_le(&z->out, 0, 2);
	e2e_buf_put(&z->out, name, nlen);
	e2e_buf_put(&z->out, text, len);

	put_le(&z->cd, 0x02014b50, 4);
	put_le(&z->cd, 0x031e, 2);
	put_le(&z->cd, 10, 2);
	put_le(&z->cd, 0, 2);
	put_le(&z->cd, 0, 2);
	put_le(&z->cd, dos_time, 2);
	put_le(&z->cd, dos_date, 2);
	put_le(&z->cd, crc, 4);
	put_le(&z->cd, (uint32_t)len, 4);
	put_le(&z->cd, (uint32_t)len, 4);
	put_le(&z->cd, (uint32_t)nlen, 2);
	put_le(&z->cd, 0, 2);
	put_le(&z->cd, 0, 2);
	put_le(&z->cd, 0, 2);
	put_le(&z->cd, 0, 2);
	put_le(&z->cd, 0100644u << 16, 4);
	put_le(&z->cd, offset, 4);
	e2e_buf_put(&z->cd, name, nlen);
	z->count++;
}

static struct e2e_buf zip_finish(struct zip *z)
{
	uint32_t cd_offset = (uint32_t)z->out.len, cd_len = (uint32_t)z->cd.len;
	struct e2e_buf out;

	e2e_buf_put(&z->out, z->cd.data, z->cd.len);
	put_le(&z->out, 0x06054b50, 4);
	put_le(&z->out, 0, 2);
	put_le(&z->out, 0, 2);
	put_le(&z->out, z->count, 2);
	put_le(&z->out, z->count, 2);
	put_le(&z->out, cd_len, 4);
	put_le(&z->out, cd_offset, 4);
	put_le(&z->out, 0, 2);
	e2e_buf_free(&z->cd);
	out = z->out;
	memset(z, 0, sizeof(*z));
	return out;
}

/* A jar as Maven builds it: a manifest and the artifact's pom.properties. */
static void tar_add_jar(struct e2e_buf *tar, const char *path, const char *group, const char *artifact,
			const char *version)
{
	struct zip z = {0};
	struct e2e_buf jar;
	char name[256], text[512];

	snprintf(text, sizeof(text),
		 "Manifest-Version: 1.0\r\nCreated-By: Maven JAR Plugin 3.2.0\r\nBuild-Jdk-Spec: 1.8\r\n"
		 "Implementation-Title: %s\r\nImplementation-Version: %s\r\n\r\n",
		 artifact, version);
	zip_add(&z, "META-INF/MANIFEST.MF", text);
	snprintf(name, sizeof(name), "META-INF/maven/%s/%s/pom.properties", group, artifact);
	snprintf(text, sizeof(text), "#Created by Apache Maven 3.6.3\nversion=%s\ngroupId=%s\nartifactId=%s\n", version,
		 group, artifact);
	zip_add(&z, name, text);
	jar = zip_finish(&z);
	e2e_tar_add(tar, path, jar.data, jar.len);
	e2e_buf_free(&jar);
}

/* -- a Go executable that carries build information, and nothing else --
 *
 * The shared fixtures hold real Go binaries (hello-go1.19: go1.19.8, no
 * dependencies), but none that links a module with a Go vulndb record. This
 * one is what `go build` of a program importing golang.org/x/text v0.3.5
 * and github.com/aquasecurity/trivy v0.51.2 leaves for `go version -m` to
 * read: an ELF header, the Go build ID note, and the Go 1.18+ build info
 * (the 32-byte "\xff Go buildinf:" header with flags 2 = inline strings,
 * then the Go version and the module info as uvarint-prefixed strings, the
 * module info framed by cmd/go's 16-byte sentinels). The h1: sums are
 * placeholders: nothing reads them. */
static void put_uvarint(struct e2e_buf *b, uint64_t v)
{
	unsigned char byte;

	do {
		byte = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			byte |= 0x80;
		e2e_buf_put(b, &byte, 1);
	} while (v);
}

static struct e2e_buf synthetic_go_binary(const char *go_version, const char *modinfo)
{
	static const unsigned char info_start[16] = {0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02,
						     0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6};
	static const unsigned char info_end[16] = {0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72,
						   0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2};
	static const char build_id[] = "e2eSynthetic00000000/matcherE2eBuildId0000000000000000000000000000";
	unsigned char zeros[512] = {0};
	struct e2e_buf b = {0};
	size_t id_len = sizeof(build_id) - 1, note_len = 16 + ((id_len + 3) & ~(size_t)3);

	/* ELF64 little-endian executable for amd64, one PT_NOTE header. */
	e2e_buf_put(&b, "\177ELF\2\1\1\0", 8);
	e2e_buf_put(&b, zeros, 8);
	put_le(&b, 2, 2);                /* ET_EXEC */
	put_le(&b, 62, 2);               /* EM_X86_64 */
	put_le(&b, 1, 4);                /* EV_CURRENT */
	put_le64(&b, 0x401000);          /* entry */
	put_le64(&b, 64);                /* program headers right after this header */
	put_le64(&b, 0);                 /* no section headers, as after strip */
	put_le(&b, 0, 4);                /* flags */
	put_le(&b, 64, 2);               /* ehsize */
	put_le(&b, 56, 2);               /* phentsize */
	put_le(&b, 1, 2);                /* phnum */
	put_le(&b, 0, 2);
	put_le(&b, 0, 2);
	put_le(&b, 0, 2);
	put_le(&b, 4, 4);                /* PT_NOTE */
	put_le(&b, 4, 4);                /* PF_R */
	put_le64(&b, 120);               /* offset */
	put_le64(&b, 0x400000 + 120);    /* vaddr */
	put_le64(&b, 0x400000 + 120);    /* paddr */
	put_le64(&b, note_len);          /* filesz */
	put_le64(&b, note_len);          /* memsz */
	put_le64(&b, 4);                 /* align */
	assert_int_equal(b.len, 120);
	put_le(&b, 4, 4);
	put_le(&b, (uint32_t)id_len, 4);
	put_le(&b, 4, 4);                          /* NT_GOBUILDID */
	e2e_buf_put(&b, "Go\0\0", 4);
	e2e_buf_put(&b, build_id, id_len);
	e2e_buf_put(&b, zeros, note_len - 16 - id_len);
	/* The build info, 16-byte aligned as the linker places .go.buildinfo. */
	e2e_buf_put(&b, zeros, 0x200 - b.len);
	e2e_buf_put(&b, "\377 Go buildinf:", 14);
	e2e_buf_put(&b, "\10\2", 2);
	e2e_buf_put(&b, zeros, 16);
	put_uvarint(&b, strlen(go_version));
	e2e_buf_put(&b, go_version, strlen(go_version));
	put_uvarint(&b, 32 + strlen(modinfo));
	e2e_buf_put(&b, info_start, 16);
	e2e_buf_put(&b, modinfo, strlen(modinfo));
	e2e_buf_put(&b, info_end, 16);
	e2e_buf_put(&b, zeros, 256);
	return b;
}

/* -- an rpm database (rpmdb.sqlite) of hand-built headers --
 *
 * The shared rpm databases hold no EL8 package with an epoch (the one EL8
 * database, go-rpmdb-libuuid, is used as it is below), so this one is made
 * the way rpm 4.16+ keeps it: a Packages(hnum, blob) table whose blobs are
 * header images - a region tag (63) whose trailer covers every entry, then
 * the tags. The NEVRAs are AlmaLinux 8.6's own. */
struct rpm_tag {
	int32_t tag;
	const char *str; /* a STRING; NULL for the INT32 num */
	uint32_t num;
};

static void put_be(struct e2e_buf *b, uint32_t v)
{
	unsigned char p[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
			      (unsigned char)v};

	e2e_buf_put(b, p, 4);
}

static struct e2e_buf rpm_header(const struct rpm_tag *tags, size_t n)
{
	struct e2e_buf index = {0}, data = {0}, blob = {0};
	static const unsigned char pad[4] = {0};
	uint32_t il = (uint32_t)n + 1, region_offset;
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t offset;
		if (!tags[i].str && data.len % 4)
			e2e_buf_put(&data, pad, 4 - data.len % 4);
		offset = (uint32_t)data.len;
		put_be(&index, (uint32_t)tags[i].tag);
		put_be(&index, tags[i].str ? 6 : 4);
		put_be(&index, offset);
		put_be(&index, 1);
		if (tags[i].str)
			e2e_buf_put(&data, tags[i].str, strlen(tags[i].str) + 1);
		else
			put_be(&data, tags[i].num);
	}
	if (data.len % 4)
		e2e_buf_put(&data, pad, 4 - data.len % 4);
	region_offset = (uint32_t)data.len;
	/* the trailer: the region tag again, its offset minus the index size */
	put_be(&data, 63);
	put_be(&data, 7);
	put_be(&data, (uint32_t)-(int32_t)(il * 16));
	put_be(&data, 16);
	put_be(&blob, il);
	put_be(&blob, (uint32_t)data.len);
	put_be(&blob, 63);
	put_be(&blob, 7);
	put_be(&blob, region_offset);
	put_be(&blob, 16);
	e2e_buf_put(&blob, index.data, index.len);
	e2e_buf_put(&blob, data.data, data.len);
	e2e_buf_free(&index);
	e2e_buf_free(&data);
	return blob;
}

static struct e2e_buf rpm_sqlite(const struct e2e_buf *headers, size_t n)
{
	char path[400];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	struct e2e_buf out = {0};
	unsigned char *bytes;
	size_t len, i;

	snprintf(path, sizeof(path), "%s/rpmdb.sqlite", run.pki.dir);
	unlink(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO Packages (blob) VALUES (?)", -1, &st, NULL), SQLITE_OK);
	for (i = 0; i < n; i++) {
		assert_int_equal(sqlite3_bind_blob(st, 1, headers[i].data, (int)headers[i].len, SQLITE_STATIC), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	bytes = testing_read_file(path, &len);
	assert_non_null(bytes);
	e2e_buf_put(&out, bytes, len);
	free(bytes);
	unlink(path);
	return out;
}

/* ---- native vulnerability data written for the cases the shared set lacks ----------------- */

/*
 * A Debian security tracker JSON export excerpt, as
 * https://security-tracker.debian.org/tracker/data/json serves it (package
 * -> issue -> release), trimmed to two issues. The shared set has no tracker
 * JSON (see feeds/SOURCES.md), and the DSA list names no "unimportant" or
 * <not-affected> buster case.
 */
static const char debian_tracker_json[] =
	"{\"tar\": {\"CVE-2005-2541\": {\"description\": \"Tar 1.15.1 does not properly warn the user when "
	"extracting setuid or setgid files, which may allow local users or remote attackers to gain privileges.\", "
	"\"scope\": \"remote\", \"releases\": {"
	"\"buster\": {\"status\": \"open\", \"repositories\": {\"buster\": \"1.30+dfsg-6\"}, \"urgency\": \"unimportant\"}, "
	"\"bullseye\": {\"status\": \"open\", \"repositories\": {\"bullseye\": \"1.34+dfsg-1\"}, \"urgency\": "
	"\"unimportant\"}}}},\n"
	" \"openssl\": {\"CVE-2022-3602\": {\"description\": \"A buffer overrun can be triggered in X.509 certificate "
	"verification, specifically in name constraint checking.\", \"scope\": \"remote\", \"releases\": {"
	"\"buster\": {\"status\": \"resolved\", \"repositories\": {\"buster\": \"1.1.1n-0+deb10u3\"}, "
	"\"fixed_version\": \"0\", \"urgency\": \"not yet assigned\"}, "
	"\"bullseye\": {\"status\": \"resolved\", \"repositories\": {\"bullseye\": \"1.1.1n-0+deb11u3\"}, "
	"\"fixed_version\": \"0\", \"urgency\": \"not yet assigned\"}, "
	"\"bookworm\": {\"status\": \"resolved\", \"repositories\": {\"bookworm\": \"3.0.7-1\"}, "
	"\"fixed_version\": \"3.0.7-1\", \"urgency\": \"not yet assigned\"}}}}}\n";

/*
 * Two npm advisories in OSV, as the GitHub Advisory Database publishes them
 * (the shared set has no GHSA npm data): GHSA-2p57-rm9w-gvfp, for which no
 * fix exists and whose range therefore ends with last_affected, and
 * GHSA-78xj-cgh5-2h22, fixed in two branches.
 */
static const char ghsa_npm_jsonl[] =
	"{\"schema_version\":\"1.4.0\",\"id\":\"GHSA-2p57-rm9w-gvfp\",\"modified\":\"2024-05-21T20:43:27Z\","
	"\"published\":\"2024-05-27T18:30:52Z\",\"aliases\":[\"CVE-2024-29415\"],"
	"\"summary\":\"ip SSRF improper categorization in isPublic\","
	"\"details\":\"The ip package through 2.0.1 for Node.js might allow SSRF because some IP addresses (such as "
	"127.1, 01200034567, 012.1.2.3, 000:0:0000::01, and ::fFFf:127.0.0.1) are improperly categorized as globally "
	"routable via isPublic.\","
	"\"severity\":[{\"type\":\"CVSS_V3\",\"score\":\"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H\"}],"
	"\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"ip\"},\"ranges\":[{\"type\":\"ECOSYSTEM\","
	"\"events\":[{\"introduced\":\"0\"},{\"last_affected\":\"2.0.1\"}]}]}],"
	"\"references\":[{\"type\":\"ADVISORY\",\"url\":\"https://nvd.nist.gov/vuln/detail/CVE-2024-29415\"}],"
	"\"database_specific\":{\"cwe_ids\":[\"CWE-918\"],\"severity\":\"HIGH\",\"github_reviewed\":true}}\n"
	"{\"schema_version\":\"1.4.0\",\"id\":\"GHSA-78xj-cgh5-2h22\",\"modified\":\"2024-02-20T15:26:56Z\","
	"\"published\":\"2024-02-08T18:30:39Z\",\"aliases\":[\"CVE-2023-42282\"],"
	"\"summary\":\"NPM IP package incorrectly identifies some private IP addresses as public\","
	"\"details\":\"The isPublic() function in the NPM package ip doesn't correctly identify certain private IP "
	"addresses in a non-standard format.\","
	"\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"ip\"},\"ranges\":[{\"type\":\"ECOSYSTEM\","
	"\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"1.1.9\"}]}]},"
	"{\"package\":{\"ecosystem\":\"npm\",\"name\":\"ip\"},\"ranges\":[{\"type\":\"ECOSYSTEM\","
	"\"events\":[{\"introduced\":\"2.0.0\"},{\"fixed\":\"2.0.1\"}]}]}],"
	"\"references\":[{\"type\":\"ADVISORY\",\"url\":\"https://nvd.nist.gov/vuln/detail/CVE-2023-42282\"}],"
	"\"database_specific\":{\"cwe_ids\":[\"CWE-918\"],\"severity\":\"LOW\",\"github_reviewed\":true}}\n";

/*
 * A Maven advisory in OSV as GHSA publishes it (Spring4Shell), whose first
 * fix carries Spring's ".RELEASE" qualifier: the shared Maven sample
 * (GHSA-838r-hvwh-24h8) has plain versions only.
 */
static const char ghsa_maven_json[] =
	"{\"schema_version\":\"1.4.0\",\"id\":\"GHSA-36p3-wjmg-h94x\",\"modified\":\"2024-03-15T12:00:00Z\","
	"\"published\":\"2022-03-31T18:30:50Z\",\"aliases\":[\"CVE-2022-22965\"],"
	"\"summary\":\"Remote Code Execution in Spring Framework\","
	"\"details\":\"A Spring MVC or Spring WebFlux application running on JDK 9+ may be vulnerable to remote code "
	"execution (RCE) via data binding.\","
	"\"severity\":[{\"type\":\"CVSS_V3\",\"score\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"}],"
	"\"affected\":["
	"{\"package\":{\"ecosystem\":\"Maven\",\"name\":\"org.springframework:spring-beans\"},\"ranges\":["
	"{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"5.2.20.RELEASE\"}]}]},"
	"{\"package\":{\"ecosystem\":\"Maven\",\"name\":\"org.springframework:spring-beans\"},\"ranges\":["
	"{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"5.3.0\"},{\"fixed\":\"5.3.18\"}]}]},"
	"{\"package\":{\"ecosystem\":\"Maven\",\"name\":\"org.springframework:spring-webmvc\"},\"ranges\":["
	"{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"5.2.20.RELEASE\"}]}]},"
	"{\"package\":{\"ecosystem\":\"Maven\",\"name\":\"org.springframework:spring-webmvc\"},\"ranges\":["
	"{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"5.3.0\"},{\"fixed\":\"5.3.18\"}]}]}],"
	"\"references\":[{\"type\":\"ADVISORY\",\"url\":\"https://nvd.nist.gov/vuln/detail/CVE-2022-22965\"}],"
	"\"database_specific\":{\"cwe_ids\":[\"CWE-74\",\"CWE-94\"],\"severity\":\"CRITICAL\",\"github_reviewed\":true}}\n";

/* ---- setup -------------------------------------------------------------------------------- */

/* Everything setup made, undone: the services, the schema, the folder
 * (kept, with the logs, when a service did not stop cleanly). */
static void stop_everything(void)
{
	int clean = testsvc_stop(&matcher);

	clean = testsvc_stop(&indexer) && clean;
	testpush_close(pusher);
	pusher = NULL;
	testsvc_schema_drop(&run.schema);
	if (run.pki.dir[0] && clean)
		testsvc_remove_dir(run.pki.dir);
	else if (run.pki.dir[0])
		printf("kept %s (the services' logs and PKI)\n", run.pki.dir);
	run.pki.dir[0] = '\0';
}

static int setup_run(void)
{
	char pki[1024], db_setting[1200];
	const char *indexer_settings[] = {db_setting, NULL};

	testsvc_binary(matcher.bin, sizeof(matcher.bin), getenv("MATCHER_E2E_MATCHER_BIN"),
		       "services/scanner-matcher/scanner-matcher");
	testsvc_binary(indexer.bin, sizeof(indexer.bin), getenv("MATCHER_E2E_INDEXER_BIN"),
		       "services/scanner-indexer/scanner-indexer");
	testsvc_binary(pki, sizeof(pki), getenv("MATCHER_E2E_PKI_BIN"), "tools/pki/asec-pki");
	indexer.pki = matcher.pki = &run.pki;
	if (testsvc_pki_make(&run.pki, pki, "matcher-e2e") != 0)
		return -1;
	/* A schema of this run's own: both services' tables, nobody else's. */
	if (testsvc_schema_create(&run.schema, run.base_db_url, "matcher_e2e") != 0)
		return -1;
	if (testpush_open(&pusher, registry, NULL, NULL) != ASEC_OK) {
		fprintf(stderr, "testpush: %s\n", error_last());
		return -1;
	}
	printf("run %s: schema %s, PKI and logs in %s\n", run_id, run.schema.name, run.pki.dir);
	snprintf(db_setting, sizeof(db_setting), "ROX_SCANNER_DB_URL=%s", run.schema.url);
	if (testsvc_start(&indexer, indexer_settings) != 0 || matcher_start() != 0)
		return -1;
	return 0;
}

static int setup(void **state)
{
	char p[1024];

	(void)state;
	e2e_require_env(&run.base_db_url, &registry, NULL, NULL);
	/* the shared folder is needed all along: find out now, not half-way */
	testing_shared_path(p, sizeof(p), "feeds/SOURCES.md");
	testing_shared_path(p, sizeof(p), "fixtures/SOURCES.md");
	clock_gettime(CLOCK_MONOTONIC, &run.started);
	signal(SIGPIPE, SIG_IGN);
	e2e_run_id(run_id, sizeof(run_id));
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
	free(debian_hash_id);
	json_decref(debian_findings);
	curl_global_cleanup();
	clock_gettime(CLOCK_MONOTONIC, &end);
	printf("matcher end-to-end run: %.1f s\n",
	       (double)(end.tv_sec - run.started.tv_sec) + (double)(end.tv_nsec - run.started.tv_nsec) / 1e9);
	return 0;
}

/* ---- 1. import ---------------------------------------------------------------------------- */

/* The shared feed files, each imported as one source under a name of its
 * own. The NVD 1.1 feed is kept for the crash test; until then the "nvd"
 * source holds the NVD API 2.0 sample. */
static const struct {
	const char *file, *source;
} shared_feeds[] = {
	{"almalinux8-osv.jsonl.gz", "almalinux8"},
	{"alpine-secdb-v3.3-v3.9.tar.gz", "alpine-secdb"},
	{"cisa-kev.json.gz", "cisa-kev"},
	{"debian-DLA-list-upto-2020.txt.gz", "debian-dla"},
	{"debian-DSA-list-upto-2020.txt.gz", "debian-dsa"},
	{"epss-scores.csv.gz", "epss"},
	{"go-vulndb-osv-GO-2020-2025.jsonl.gz", "osv-go"},
	{"nodejs-security-wg-npm.jsonl.gz", "nodejs-wg"},
	{"nvd-api-2.0-sample-100.json.gz", "nvd"},
	{"osv-format-samples-debian-ubuntu-ghsa.jsonl.gz", "osv-samples"},
	{"psf-cpython-osv.jsonl.gz", "psf-cpython"},
	{"pypa-osv-published-upto-2021.jsonl.gz", "osv-pypi"},
	{"redhat-csaf-vex-samples.jsonl.gz", "redhat-csaf"},
	{"rubysec-advisories.tar.gz", "rubysec"},
	{"rustsec-advisories-2016-2022.tar.gz", "rustsec"},
};

static void import_shared(const char *file, const char *source, json_t **result)
{
	char relative[256];
	unsigned char *data;
	size_t len;
	json_t *r;

	snprintf(relative, sizeof(relative), "feeds/%s", file);
	data = read_shared(relative, &len);
	r = import_ok(data, len, file, source);
	free(data);
	if (result)
		*result = r;
	else
		json_decref(r);
}

static void test_01_import(void **state)
{
	json_t *r, *md;
	size_t i;

	(void)state;
	printf("[import]\n");
	for (i = 0; i < sizeof(shared_feeds) / sizeof(shared_feeds[0]); i++) {
		import_shared(shared_feeds[i].file, shared_feeds[i].source, &r);
		/* psf-cpython's records have only GIT ranges: all skipped, with reasons */
		if (strcmp(shared_feeds[i].source, "psf-cpython") == 0) {
			assert_int_equal(accepted_of(r), 0);
			assert_true(skipped_of(r) > 0);
			assert_non_null(strstr(text_of(json_array_get(json_object_get(first_source(r), "skips"), 0), "reason"),
					       "GIT"));
		} else if (accepted_of(r) <= 0) {
			fail_msg("%s: nothing accepted", shared_feeds[i].file);
		}
		json_decref(r);
	}

	r = import_ok(debian_tracker_json, strlen(debian_tracker_json), "debian-security-tracker.json",
		      "debian-tracker-e2e");
	assert_string_equal(text_of(first_source(r), "format"), "debian-json");
	assert_int_equal(accepted_of(r), 2); /* one record per (issue, source package) */
	assert_int_equal(skipped_of(r), 0);
	json_decref(r);
	r = import_ok(ghsa_npm_jsonl, strlen(ghsa_npm_jsonl), "ghsa-npm-ip.jsonl", "ghsa-npm-e2e");
	assert_string_equal(text_of(first_source(r), "format"), "osv");
	assert_int_equal(accepted_of(r), 2);
	assert_int_equal(skipped_of(r), 0);
	json_decref(r);
	r = import_ok(ghsa_maven_json, strlen(ghsa_maven_json), "GHSA-36p3-wjmg-h94x.json", "ghsa-maven-e2e");
	assert_string_equal(text_of(first_source(r), "format"), "osv");
	assert_int_equal(accepted_of(r), 1);
	assert_int_equal(skipped_of(r), 0);
	json_decref(r);

	md = metadata();
	assert_int_equal(json_array_size(json_object_get(md, "sources")), sizeof(shared_feeds) / sizeof(shared_feeds[0]) + 3);
	assert_true(text_of(md, "lastVulnerabilityUpdate")[0] != '\0');
	json_decref(md);
}

/* ---- 2. findings -------------------------------------------------------------------------- */

static void dpkg_stanza(struct e2e_buf *b, const char *name, const char *source, const char *version,
			const char *section, const char *description)
{
	char text[1024];
	int n = snprintf(text, sizeof(text),
			 "Package: %s\nStatus: install ok installed\nPriority: optional\nSection: %s\n"
			 "Installed-Size: 1024\nMaintainer: Debian maintainers <debian-devel@lists.debian.org>\n"
			 "Architecture: amd64\n%s%s%sVersion: %s\nDescription: %s\n\n",
			 name, section, source ? "Source: " : "", source ? source : "", source ? "\n" : "", version,
			 description);

	e2e_buf_put(b, text, (size_t)n);
}

/* Debian 10 (the os-release of a real buster image) with a dpkg status of
 * real buster package versions. */
static struct e2e_buf debian_layer(void)
{
	struct e2e_buf tar = {0}, status = {0};

	tar_run_marker(&tar, "debian");
	tar_add_shared(&tar, "etc/os-release", "fixtures/os-pkgdb/os-release/claircore-debian-10/etc/os-release");
	e2e_tar_add_text(&tar, "etc/debian_version", "10.4\n");
	dpkg_stanza(&status, "apt", NULL, "1.8.2.2", "admin", "commandline package manager");
	dpkg_stanza(&status, "libssl1.1", "openssl", "1.1.1d-0+deb10u3", "libs",
		    "Secure Sockets Layer toolkit - shared libraries");
	dpkg_stanza(&status, "openssl", NULL, "1.1.1d-0+deb10u3", "utils",
		    "Secure Sockets Layer toolkit - cryptographic utility");
	dpkg_stanza(&status, "tar", NULL, "1.30+dfsg-6", "utils", "GNU version of the tar archiving utility");
	e2e_tar_add(&tar, "var/lib/dpkg/status", status.data, status.len);
	e2e_buf_free(&status);
	return layer_of(&tar);
}

/*
 * Debian 10, sources debian-dsa (the shared DSA list) and debian-tracker-e2e
 * (the tracker JSON above). The DSA list's lines for buster's openssl and apt:
 *
 *   [08 Dec 2020] DSA-4807-1 openssl - security update
 *   	{CVE-2020-1971}
 *   	[buster] - openssl 1.1.1d-0+deb10u4          -> u3 < u4: CVE-2020-1971, fixed in u4
 *   [21 Apr 2020] DSA-4661-1 openssl - security update
 *   	{CVE-2020-1967}
 *   	[buster] - openssl 1.1.1d-0+deb10u3          -> u3 is the fix: nothing
 *   [13 Oct 2019] DSA-4539-3 openssl - regression update
 *   	[buster] - openssl 1.1.1d-0+deb10u2          -> nothing
 *   [01 Oct 2019] DSA-4539-1 openssl - security update
 *   	{CVE-2019-1547 CVE-2019-1563}
 *   	[buster] - openssl 1.1.1d-0+deb10u1          -> nothing
 *   [09 Dec 2020] DSA-4808-1 apt - security update
 *   	{CVE-2020-27350}
 *   	[buster] - apt 1.8.2.2                       -> apt 1.8.2.2 is the fix: nothing
 *   [14 May 2020] DSA-4685-1 apt - security update
 *   	{CVE-2020-3810}
 *   	[buster] - apt 1.8.2.1                       -> nothing
 *
 * (the DLA list up to 2020 has no buster line). Debian keys by source
 * package, so the binary libssl1.1 (Source: openssl) has openssl's findings.
 * The tracker JSON: openssl CVE-2022-3602 "resolved" with fixed_version "0"
 * in buster - the vendor's not-affected statement, which the matcher
 * reports as status not_affected without a fix rather than dropping it
 * (matcher.h, matcher_test.c); tar CVE-2005-2541 "open" with urgency
 * "unimportant" - will_not_fix, the vendor's word "unimportant", LOW.
 * EPSS (the shared epss-scores.csv.gz) scores CVE-2020-1971 0.06968.
 */
static const struct want debian_openssl[] = {
	{"CVE-2020-1971", "1.1.1d-0+deb10u4", "affected", NULL, "DSA-4807-1", "debian-dsa"},
	{"CVE-2022-3602", "", "not_affected", NULL, NULL, "debian-tracker-e2e"},
};
static const struct want debian_tar[] = {
	{"CVE-2005-2541", "", "will_not_fix", "LOW", NULL, "debian-tracker-e2e"},
};

static void check_debian_report(const json_t *report)
{
	const json_t *f;

	expect_findings(report, "openssl", "1.1.1d-0+deb10u3", debian_openssl, 2);
	expect_findings(report, "libssl1.1", "1.1.1d-0+deb10u3", debian_openssl, 2);
	expect_findings(report, "apt", "1.8.2.2", NULL, 0);
	expect_findings(report, "tar", "1.30+dfsg-6", debian_tar, 1);
	f = finding_of(report, "tar", "1.30+dfsg-6", "CVE-2005-2541");
	assert_string_equal(text_of(f, "severity"), "unimportant");
	f = finding_of(report, "openssl", "1.1.1d-0+deb10u3", "CVE-2020-1971");
	assert_non_null(json_object_get(f, "epssMetrics"));
	assert_true(json_number_value(json_object_get(json_object_get(f, "epssMetrics"), "probability")) > 0.0696 &&
		    json_number_value(json_object_get(json_object_get(f, "epssMetrics"), "probability")) < 0.0697);
	assert_non_null(strstr(text_of(f, "explanation"), "1.1.1d-0+deb10u4"));
}

static void test_02_debian_image(void **state)
{
	struct e2e_buf layer = debian_layer();
	json_t *report, *again;
	char *image;
	struct testsvc_reply r;
	char body[512];

	(void)state;
	printf("[debian 10]\n");
	image = push_image("debian10", &layer, 1);
	debian_hash_id = index_image(image);
	report = vulnerability_report(debian_hash_id, NULL);
	assert_string_equal(text_of(report, "hashId"), debian_hash_id);
	check_debian_report(report);
	debian_findings = finding_summary(report);
	/* and it was the matcher, with its own certificate, that asked the
	 * indexer for the report */
	if (testsvc_log_lines(&indexer, "\"GET\"", "/v4/index-reports/", "SCANNER_V4_MATCHER_SERVICE") < 1) {
		testsvc_print_log_tail(&indexer, 6000);
		fail_msg("the indexer's log shows no GET of an index report by the matcher's identity");
	}

	/* The same contents sent by the caller: the same answer, without the
	 * indexer's help. */
	again = vulnerability_report(debian_hash_id, json_object_get(report, "contents"));
	assert_true(json_equal(json_object_get(again, "vulnerabilities"), json_object_get(report, "vulnerabilities")));
	assert_true(json_equal(json_object_get(again, "packageVulnerabilities"),
			       json_object_get(report, "packageVulnerabilities")));
	json_decref(again);

	/* A hash id the indexer never saw, without contents: 404 as the spec says. */
	snprintf(body, sizeof(body), "{\"hashId\":\"/v4/containerimage/sha256:%064d\"}", 0);
	https(&r, &matcher, "/v4/vulnerability-reports", "application/json", NULL, body, strlen(body), 60, NULL);
	if (r.status != 404)
		fail_msg("unknown hash id: want 404, got %ld: %.400s", r.status, testsvc_body(&r));
	testsvc_reply_free(&r);

	json_decref(report);
	free(image);
	e2e_buf_free(&layer);
}

/*
 * Alpine 3.9 (claircore's os-release of 3.9.6), source alpine-secdb, the
 * v3.9/main.yaml lines:
 *
 *       name: expat
 *       secfixes:
 *         2.2.7-r1:
 *           - CVE-2019-15903       -> expat 2.2.7-r0 < 2.2.7-r1: CVE-2019-15903
 *         2.2.7-r0:
 *           - CVE-2018-20843       -> r0 is the fix: nothing
 *         2.2.0-r1:
 *           - CVE-2017-9233        -> nothing
 *       name: musl
 *       secfixes:
 *         1.1.20-r5:
 *           - CVE-2019-14697       -> musl 1.1.20-r4: CVE-2019-14697
 *         1.1.15-r4:
 *           - CVE-2016-8859        -> nothing
 *       name: sqlite
 *       secfixes:
 *         3.28.0-r1:
 *           - CVE-2019-16168       -> sqlite-libs (origin sqlite) 3.28.0-r1: nothing
 *         3.28.0-r0:
 *         - CVE-2019-5018
 *         - CVE-2019-8457
 *
 * (community.yaml names none of them; secdb keys by origin package.)
 */
/* The installed database as apk writes it, for versions Alpine 3.9 shipped;
 * the C: checksums and c: commits are placeholders (nothing reads them). */
static struct e2e_buf alpine_layer(void)
{
	static const char installed[] =
		"C:Q1ynY4fBDcDUFhpHNnaMtjUnASsRw=\nP:musl\nV:1.1.20-r4\nA:x86_64\nS:377101\nI:614400\n"
		"T:the musl c library (libc) implementation\nU:http://www.musl-libc.org/\nL:MIT\no:musl\n"
		"m:Timo Teräs <timo.teras@iki.fi>\nt:1554375958\nc:3ab2a6e6fcd3b6ae2d5d2af1c3ee0e0bd6d55b91\n\n"
		"C:Q1m8dX7EQtn4zY/uV9zB1xmvXhHm8=\nP:expat\nV:2.2.7-r0\nA:x86_64\nS:54382\nI:126976\n"
		"T:An XML Parser library written in C\nU:http://www.libexpat.org/\nL:MIT\no:expat\n"
		"m:Carlo Landmeter <clandmeter@gmail.com>\nt:1561470110\nc:9e7b1c8c0f2c2a2e14c1fb6e8c4ab4d6bd1a1f92\n\n"
		"C:Q1xAfHwwfPXNVRFo8AhxKGjTwVa0s=\nP:sqlite-libs\nV:3.28.0-r1\nA:x86_64\nS:411745\nI:815104\n"
		"T:Sqlite3 library\nU:https://www.sqlite.org/\nL:Public-Domain\no:sqlite\n"
		"m:Carlo Landmeter <clandmeter@gmail.com>\nt:1569932735\nc:2a2e0a3fbff3c0ee4c0f39d8fc0cd7d8b2e91e5a\n\n";
	struct e2e_buf tar = {0};

	tar_run_marker(&tar, "alpine");
	tar_add_shared(&tar, "etc/os-release", "fixtures/os-pkgdb/os-release/claircore-alpine-3.9/etc/os-release");
	e2e_tar_add_text(&tar, "lib/apk/db/installed", installed);
	return layer_of(&tar);
}

static void test_03_alpine_image(void **state)
{
	static const struct want expat[] = {{"CVE-2019-15903", "2.2.7-r1", "affected", NULL, NULL, "alpine-secdb"}};
	static const struct want musl[] = {{"CVE-2019-14697", "1.1.20-r5", "affected", NULL, NULL, "alpine-secdb"}};
	struct e2e_buf layer = alpine_layer();
	json_t *report;
	char *image, *hash;

	(void)state;
	printf("[alpine 3.9]\n");
	image = push_image("alpine39", &layer, 1);
	hash = index_image(image);
	report = vulnerability_report(hash, NULL);
	expect_findings(report, "expat", "2.2.7-r0", expat, 1);
	expect_findings(report, "musl", "1.1.20-r4", musl, 1);
	expect_findings(report, "sqlite-libs", "3.28.0-r1", NULL, 0);
	json_decref(report);
	free(hash);
	free(image);
	e2e_buf_free(&layer);
}

static const char almalinux_86_os_release[] =
	"NAME=\"AlmaLinux\"\nVERSION=\"8.6 (Sky Tiger)\"\nID=\"almalinux\"\nID_LIKE=\"rhel centos fedora\"\n"
	"VERSION_ID=\"8.6\"\nPLATFORM_ID=\"platform:el8\"\nPRETTY_NAME=\"AlmaLinux 8.6 (Sky Tiger)\"\n"
	"ANSI_COLOR=\"0;34\"\nCPE_NAME=\"cpe:/o:almalinux:almalinux:8::baseos\"\nHOME_URL=\"https://almalinux.org/\"\n"
	"DOCUMENTATION_URL=\"https://wiki.almalinux.org/\"\nBUG_REPORT_URL=\"https://bugs.almalinux.org/\"\n\n"
	"ALMALINUX_MANTISBT_PROJECT=\"AlmaLinux-8\"\nALMALINUX_MANTISBT_PROJECT_VERSION=\"8.6\"\n";

static const char almalinux_88_os_release[] =
	"NAME=\"AlmaLinux\"\nVERSION=\"8.8 (Sapphire Caracal)\"\nID=\"almalinux\"\nID_LIKE=\"rhel centos fedora\"\n"
	"VERSION_ID=\"8.8\"\nPLATFORM_ID=\"platform:el8\"\nPRETTY_NAME=\"AlmaLinux 8.8 (Sapphire Caracal)\"\n"
	"ANSI_COLOR=\"0;34\"\nLOGO=\"fedora-logo-icon\"\nCPE_NAME=\"cpe:/o:almalinux:almalinux:8::baseos\"\n"
	"HOME_URL=\"https://almalinux.org/\"\nDOCUMENTATION_URL=\"https://wiki.almalinux.org/\"\n"
	"BUG_REPORT_URL=\"https://bugs.almalinux.org/\"\n\n"
	"ALMALINUX_MANTISBT_PROJECT=\"AlmaLinux-8\"\nALMALINUX_MANTISBT_PROJECT_VERSION=\"8.8\"\n";

/*
 * AlmaLinux 8 with an rpmdb.sqlite of two packages with epochs, source
 * almalinux8 (AlmaLinux's OSV, ecosystem AlmaLinux:8, binary package names,
 * every range "introduced 0, fixed EVR"). Every affected entry that names
 * the two packages:
 *
 *   openssl-libs 1:1.1.1k-7.el8_6
 *     ALSA-2022:1065  fixed 1:1.1.1k-6.el8_5    -> nothing
 *     ALSA-2022:5818  fixed 1:1.1.1k-7.el8_6    -> the installed EVR: nothing
 *     ALSA-2023:1405  fixed 1:1.1.1k-9.el8_7    "Important: openssl security update"
 *     ALSA-2023:7877  fixed 1:1.1.1k-12.el8_9   "Low: ..."
 *     ALSA-2024:7848  fixed 1:1.1.1k-14.el8_6   "Low: ..."
 *     ALSA-2026:0337  fixed 1:1.1.1k-14.el8_10  "Moderate: ..."
 *     ALSA-2026:3042  fixed 1:1.1.1k-15.el8_6   "Moderate: ..."
 *     ALSA-2026:26275 fixed 1:1.1.1k-16.el8_6   "Important: ..."
 *     ALSA-2026:38503 fixed 1:1.1.1k-17.el8_6   "Moderate: ..."
 *   tar 2:1.30-5.el8
 *     ALBA-2020:4582  fixed 2:1.30-5.el8        -> the installed EVR: nothing
 *     ALSA-2023:0842  fixed 2:1.30-6.el8_7.1    "Moderate: tar security update"
 *
 * The errata's summaries carry the vendor's severity. The epochs matter:
 * had the indexer dropped them (reporting 1.1.1k-7.el8_6, epoch 0), every
 * openssl-libs erratum would match, ALSA-2022:1065 and :5818 included; had
 * the matcher compared text, "1:1.1.1k-12" would sort before "1:1.1.1k-7".
 * AlmaLinux's "related" CVEs are not aliases: the findings keep ALSA ids.
 */
static void test_04_rpm_epoch_image(void **state)
{
	static const struct want openssl_libs[] = {
		{"ALSA-2023:1405", "1:1.1.1k-9.el8_7", "affected", "IMPORTANT", "ALSA-2023:1405", "almalinux8"},
		{"ALSA-2023:7877", "1:1.1.1k-12.el8_9", "affected", "LOW", NULL, "almalinux8"},
		{"ALSA-2024:7848", "1:1.1.1k-14.el8_6", "affected", "LOW", NULL, "almalinux8"},
		{"ALSA-2026:0337", "1:1.1.1k-14.el8_10", "affected", "MODERATE", NULL, "almalinux8"},
		{"ALSA-2026:3042", "1:1.1.1k-15.el8_6", "affected", "MODERATE", NULL, "almalinux8"},
		{"ALSA-2026:26275", "1:1.1.1k-16.el8_6", "affected", "IMPORTANT", NULL, "almalinux8"},
		{"ALSA-2026:38503", "1:1.1.1k-17.el8_6", "affected", "MODERATE", NULL, "almalinux8"},
	};
	static const struct want tar_want[] = {
		{"ALSA-2023:0842", "2:1.30-6.el8_7.1", "affected", "MODERATE", "ALSA-2023:0842", "almalinux8"},
	};
	const struct rpm_tag openssl_tags[] = {
		{1000, "openssl-libs", 0}, {1001, "1.1.1k", 0}, {1002, "7.el8_6", 0}, {1003, NULL, 1},
		{1011, "AlmaLinux", 0}, {1022, "x86_64", 0}, {1044, "openssl-1.1.1k-7.el8_6.src.rpm", 0},
	};
	const struct rpm_tag tar_tags[] = {
		{1000, "tar", 0}, {1001, "1.30", 0}, {1002, "5.el8", 0}, {1003, NULL, 2},
		{1011, "AlmaLinux", 0}, {1022, "x86_64", 0}, {1044, "tar-1.30-5.el8.src.rpm", 0},
	};
	struct e2e_buf headers[2], db, tar = {0}, layer;
	json_t *report;
	char *image, *hash;

	(void)state;
	printf("[almalinux 8, rpm epochs]\n");
	headers[0] = rpm_header(openssl_tags, sizeof(openssl_tags) / sizeof(openssl_tags[0]));
	headers[1] = rpm_header(tar_tags, sizeof(tar_tags) / sizeof(tar_tags[0]));
	db = rpm_sqlite(headers, 2);
	tar_run_marker(&tar, "almalinux-epoch");
	e2e_tar_add_text(&tar, "etc/os-release", almalinux_86_os_release);
	e2e_tar_add_text(&tar, "etc/redhat-release", "AlmaLinux release 8.6 (Sky Tiger)\n");
	e2e_tar_add(&tar, "var/lib/rpm/rpmdb.sqlite", db.data, db.len);
	layer = layer_of(&tar);
	image = push_image("almalinux8-epoch", &layer, 1);
	hash = index_image(image);
	report = vulnerability_report(hash, NULL);
	expect_findings(report, "openssl-libs", "1:1.1.1k-7.el8_6", openssl_libs, 7);
	expect_findings(report, "tar", "2:1.30-5.el8", tar_want, 1);
	json_decref(report);
	free(hash);
	free(image);
	e2e_buf_free(&layer);
	e2e_buf_free(&db);
	e2e_buf_free(&headers[0]);
	e2e_buf_free(&headers[1]);
}

/*
 * The one EL8 rpm database of the shared fixtures (go-rpmdb's libuuid
 * Berkeley DB: libuuid 2.32.1-42.el8_8, source util-linux) in an AlmaLinux
 * 8.8 image, source almalinux8:
 *
 *   ALBA-2022:2100  libuuid fixed 2.32.1-35.el8     -> nothing
 *   ALSA-2026:1852  libuuid fixed 2.32.1-48.el8_10  "Moderate: util-linux security update"
 *
 * (the same errata also list util-linux, libuuid's source package, as a
 * binary package of its own: AlmaLinux keys by binary name.)
 */
static void test_05_rpm_bdb_image(void **state)
{
	static const struct want libuuid[] = {
		{"ALSA-2026:1852", "2.32.1-48.el8_10", "affected", "MODERATE", "ALSA-2026:1852", "almalinux8"},
	};
	struct e2e_buf tar = {0}, layer;
	json_t *report;
	char *image, *hash;

	(void)state;
	printf("[almalinux 8, the shared Berkeley DB]\n");
	tar_run_marker(&tar, "almalinux-bdb");
	e2e_tar_add_text(&tar, "etc/os-release", almalinux_88_os_release);
	tar_add_shared(&tar, "var/lib/rpm/Packages", "fixtures/os-pkgdb/rpm/go-rpmdb-libuuid/var/lib/rpm/Packages");
	layer = layer_of(&tar);
	image = push_image("almalinux8-bdb", &layer, 1);
	hash = index_image(image);
	report = vulnerability_report(hash, NULL);
	expect_findings(report, "libuuid", "2.32.1-42.el8_8", libuuid, 1);
	json_decref(report);
	free(hash);
	free(image);
	e2e_buf_free(&layer);
}

static void tar_add_package_json(struct e2e_buf *tar, const char *path, const char *name, const char *version)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "{\n  \"name\": \"%s\",\n  \"version\": \"%s\",\n  \"license\": \"MIT\",\n  \"main\": \"index.js\"\n}\n",
		 name, version);
	e2e_tar_add_text(tar, path, text);
}

static void tar_add_metadata(struct e2e_buf *tar, const char *path, const char *name, const char *version)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: An asynchronous networking framework written "
		 "in Python\nHome-page: https://twistedmatrix.com/\nLicense: MIT\nRequires-Python: >=3.5\n\n"
		 "An extensible framework for Python programming.\n",
		 name, version);
	e2e_tar_add_text(tar, path, text);
}

/* The Go stdlib findings of go1.19.8: every record of the shared Go vulndb
 * (go-vulndb-osv-GO-2020-2025.jsonl.gz) with a "stdlib" SEMVER range that
 * holds 1.19.8, by the OSV evaluation of its events, not withdrawn. They
 * are the 46 below; e.g.
 *   GO-2023-1751 (CVE-2023-24539) introduced 0, fixed 1.19.9, introduced 1.20.0-0, fixed 1.20.4
 *   GO-2023-2375 (CVE-2023-45287) introduced 0, fixed 1.20.0
 *   GO-2025-4175 (CVE-2025-61727) introduced 0, fixed 1.24.11, introduced 1.25.0, fixed 1.25.5
 * and the first record fixed at or below 1.19.8 is not among them:
 *   GO-2023-1705 (CVE-2023-24534) introduced 0, fixed 1.19.8 ...  */
static const char *const stdlib_1_19_8[] = {
	"GO-2023-1751", "GO-2023-1752", "GO-2023-1753", "GO-2023-1840", "GO-2023-1878", "GO-2023-1987", "GO-2023-2041",
	"GO-2023-2043", "GO-2023-2102", "GO-2023-2185", "GO-2023-2186", "GO-2023-2375", "GO-2023-2382", "GO-2024-2598",
	"GO-2024-2599", "GO-2024-2600", "GO-2024-2609", "GO-2024-2610", "GO-2024-2687", "GO-2024-2887", "GO-2024-2888",
	"GO-2024-2963", "GO-2024-3105", "GO-2024-3106", "GO-2024-3107", "GO-2025-3373", "GO-2025-3420", "GO-2025-3447",
	"GO-2025-3503", "GO-2025-3563", "GO-2025-3750", "GO-2025-3751", "GO-2025-3849", "GO-2025-3956", "GO-2025-4006",
	"GO-2025-4007", "GO-2025-4008", "GO-2025-4009", "GO-2025-4010", "GO-2025-4011", "GO-2025-4012", "GO-2025-4013",
	"GO-2025-4014", "GO-2025-4015", "GO-2025-4155", "GO-2025-4175",
};

/*
 * An application layer on top of the Debian base layer (shared with the
 * Debian image: the indexer answers it from its layer cache).
 *
 * npm (sources ghsa-npm-e2e, hand-written above, and nodejs-wg, the shared
 * Node.js security-wg set):
 *   ip 2.0.1  GHSA-2p57-rm9w-gvfp introduced 0, last_affected 2.0.1 -> CVE-2024-29415,
 *             affected, no fix, HIGH -> IMPORTANT; GHSA-78xj-cgh5-2h22 [2.0.0, 2.0.1): nothing
 *   ip 2.0.0  both: CVE-2024-29415 (no fix) and CVE-2023-42282 fixed 2.0.1 (LOW)
 *   lodash 4.17.4   nodejs-wg 368 "<4.17.5" (CVE-2018-3721) and 493 "<4.17.11"
 *                   (CVE-2018-16487); 516 ">=4.17.15 <4.17.19": nothing
 *   lodash 4.17.19  nothing (368 and 493 patched; 516 "patched_versions": ">=4.17.19")
 * PyPI (source osv-pypi, the shared PyPA set):
 *   Twisted 19.10.0    PYSEC-2020-259 (CVE-2020-10108) introduced 0, fixed 20.3.0rc1
 *                      PYSEC-2020-260 (CVE-2020-10109) introduced 0, fixed 20.3.0rc1
 *                      PYSEC-2019-128 fixed 19.2.1, PYSEC-2019-129 fixed 19.7.0rc1: nothing
 *                      (by PEP 440, 19.7.0rc1 < 19.10.0; by text it would not be)
 *   Twisted 20.3.0rc1  the pre-release that is the fix: nothing
 * Maven (ghsa-maven-e2e above; osv-samples, the shared GHSA-838r-hvwh-24h8):
 *   spring-beans 5.2.19.RELEASE  [0, 5.2.20.RELEASE): CVE-2022-22965 fixed 5.2.20.RELEASE,
 *                                CRITICAL, and CISA KEV lists it (dateAdded 2022-04-04)
 *   spring-beans 5.2.20.RELEASE  the fix: nothing
 *   spring-webmvc 5.3.0-RC1      above 5.2.20.RELEASE, below 5.3.0 (a release candidate
 *                                precedes its release): nothing
 *   spring-webmvc 5.3.17         [5.3.0, 5.3.18): CVE-2022-22965 fixed 5.3.18
 *   apache-any23 2.4             GHSA-838r-hvwh-24h8 introduced 0, fixed 2.5: CVE-2021-38555,
 *                                database_specific.severity CRITICAL
 * Go (source osv-go): the real hello-go1.19 (go1.19.8) and a synthetic
 * binary of go1.19.8 whose modules are golang.org/x/text v0.3.5 and
 * github.com/aquasecurity/trivy v0.51.2:
 *   stdlib v1.19.8 (both)  the 46 records above; GO-2023-1751 fixed 1.19.9
 *   golang.org/x/text v0.3.5  GO-2021-0113 (CVE-2021-38561) fixed 0.3.7,
 *                             GO-2022-1059 (CVE-2022-32149) fixed 0.3.8;
 *                             GO-2020-0015 fixed 0.3.3: nothing
 *   github.com/aquasecurity/trivy v0.51.2  GO-2024-2870 fixed 0.51.2: nothing
 * Go module versions keep their "v" in reports (the indexer's form), and so
 * do the fixes the matcher names.
 */
static void test_06_language_image(void **state)
{
	static const struct want ip_201[] = {
		{"CVE-2024-29415", "", "affected", "IMPORTANT", "GHSA-2p57-rm9w-gvfp", "ghsa-npm-e2e"},
	};
	static const struct want ip_200[] = {
		{"CVE-2024-29415", "", "affected", "IMPORTANT", "GHSA-2p57-rm9w-gvfp", "ghsa-npm-e2e"},
		{"CVE-2023-42282", "2.0.1", "affected", "LOW", "GHSA-78xj-cgh5-2h22", "ghsa-npm-e2e"},
	};
	static const struct want lodash[] = {
		{"CVE-2018-3721", "4.17.5", "affected", NULL, NULL, "nodejs-wg"},
		{"CVE-2018-16487", "4.17.11", "affected", NULL, NULL, "nodejs-wg"},
	};
	static const struct want twisted[] = {
		{"CVE-2020-10108", "20.3.0rc1", "affected", NULL, "PYSEC-2020-259", "osv-pypi"},
		{"CVE-2020-10109", "20.3.0rc1", "affected", NULL, "PYSEC-2020-260", "osv-pypi"},
	};
	static const struct want beans[] = {
		{"CVE-2022-22965", "5.2.20.RELEASE", "affected", "CRITICAL", "GHSA-36p3-wjmg-h94x", "ghsa-maven-e2e"},
	};
	static const struct want webmvc[] = {
		{"CVE-2022-22965", "5.3.18", "affected", "CRITICAL", "GHSA-36p3-wjmg-h94x", "ghsa-maven-e2e"},
	};
	static const struct want any23[] = {
		{"CVE-2021-38555", "2.5", "affected", "CRITICAL", "GHSA-838r-hvwh-24h8", "osv-samples"},
	};
	static const struct want x_text[] = {
		{"GO-2021-0113", "v0.3.7", "affected", NULL, NULL, "osv-go"},
		{"GO-2022-1059", "v0.3.8", "affected", NULL, NULL, "osv-go"},
	};
	static const char modinfo[] =
		"path\texample.com/e2e/fetcher\n"
		"mod\texample.com/e2e/fetcher\t(devel)\t\n"
		"dep\tgithub.com/aquasecurity/trivy\tv0.51.2\th1:0000000000000000000000000000000000000000000=\n"
		"dep\tgolang.org/x/text\tv0.3.5\th1:i6eZZ+zk0SOf0xgBpEpPD18qWcJda6q1sxt3S0kzyUQ=\n"
		"build\t-compiler=gc\nbuild\tCGO_ENABLED=0\nbuild\tGOARCH=amd64\nbuild\tGOOS=linux\n";
	struct want stdlib[sizeof(stdlib_1_19_8) / sizeof(stdlib_1_19_8[0])];
	struct e2e_buf layers[2], tar = {0}, gobin;
	const json_t *f;
	json_t *report;
	char *image, *hash;
	size_t i;

	(void)state;
	printf("[application layer: npm, PyPI, Maven, Go]\n");
	memset(stdlib, 0, sizeof(stdlib));
	for (i = 0; i < sizeof(stdlib) / sizeof(stdlib[0]); i++) {
		stdlib[i].id = stdlib_1_19_8[i];
		stdlib[i].status = "affected";
		stdlib[i].updater = "osv-go";
	}
	stdlib[0].fixed = "v1.19.9";
	stdlib[11].fixed = "v1.20.0";
	stdlib[45].fixed = "v1.24.11";

	layers[0] = debian_layer();
	tar_run_marker(&tar, "app");
	tar_add_package_json(&tar, "srv/app/node_modules/ip/package.json", "ip", "2.0.1");
	tar_add_package_json(&tar, "srv/app/node_modules/legacy-client/package.json", "legacy-client", "1.0.3");
	tar_add_package_json(&tar, "srv/app/node_modules/legacy-client/node_modules/ip/package.json", "ip", "2.0.0");
	tar_add_package_json(&tar, "srv/app/node_modules/lodash/package.json", "lodash", "4.17.4");
	tar_add_package_json(&tar, "srv/admin/node_modules/lodash/package.json", "lodash", "4.17.19");
	tar_add_metadata(&tar, "opt/venv/lib/python3.7/site-packages/Twisted-19.10.0.dist-info/METADATA", "Twisted",
			 "19.10.0");
	tar_add_metadata(&tar, "usr/lib/python3/dist-packages/Twisted-20.3.0rc1.dist-info/METADATA", "Twisted",
			 "20.3.0rc1");
	tar_add_jar(&tar, "srv/app/lib/spring-beans-5.2.19.RELEASE.jar", "org.springframework", "spring-beans",
		    "5.2.19.RELEASE");
	tar_add_jar(&tar, "srv/admin/lib/spring-beans-5.2.20.RELEASE.jar", "org.springframework", "spring-beans",
		    "5.2.20.RELEASE");
	tar_add_jar(&tar, "srv/app/lib/spring-webmvc-5.3.0-RC1.jar", "org.springframework", "spring-webmvc", "5.3.0-RC1");
	tar_add_jar(&tar, "srv/admin/lib/spring-webmvc-5.3.17.jar", "org.springframework", "spring-webmvc", "5.3.17");
	tar_add_jar(&tar, "srv/app/lib/apache-any23-2.4.jar", "org.apache.any23", "apache-any23", "2.4");
	tar_add_shared(&tar, "usr/local/bin/hello", "fixtures/lang/go/local-build/hello-go1.19");
	gobin = synthetic_go_binary("go1.19.8", modinfo);
	e2e_tar_add(&tar, "usr/local/bin/fetcher", gobin.data, gobin.len);
	e2e_buf_free(&gobin);
	layers[1] = layer_of(&tar);

	image = push_image("application", layers, 2);
	hash = index_image(image);
	report = vulnerability_report(hash, NULL);

	expect_findings(report, "ip", "2.0.1", ip_201, 1);
	expect_findings(report, "ip", "2.0.0", ip_200, 2);
	expect_findings(report, "lodash", "4.17.4", lodash, 2);
	expect_findings(report, "lodash", "4.17.19", NULL, 0);
	expect_findings(report, "legacy-client", "1.0.3", NULL, 0);
	expect_findings(report, "Twisted", "19.10.0", twisted, 2);
	expect_findings(report, "Twisted", "20.3.0rc1", NULL, 0);
	expect_findings(report, "org.springframework:spring-beans", "5.2.19.RELEASE", beans, 1);
	expect_findings(report, "org.springframework:spring-beans", "5.2.20.RELEASE", NULL, 0);
	expect_findings(report, "org.springframework:spring-webmvc", "5.3.0-RC1", NULL, 0);
	expect_findings(report, "org.springframework:spring-webmvc", "5.3.17", webmvc, 1);
	expect_findings(report, "org.apache.any23:apache-any23", "2.4", any23, 1);
	if (expect_findings(report, "stdlib", "v1.19.8", stdlib, sizeof(stdlib) / sizeof(stdlib[0])) != 2)
		fail_msg("want stdlib v1.19.8 of both Go binaries");
	expect_findings(report, "golang.org/x/text", "v0.3.5", x_text, 2);
	expect_findings(report, "github.com/aquasecurity/trivy", "v0.51.2", NULL, 0);
	/* the OS packages of the base layer are still matched */
	expect_findings(report, "openssl", "1.1.1d-0+deb10u3", debian_openssl, 2);

	/* Spring4Shell is in the shared CISA KEV catalog */
	f = finding_of(report, "org.springframework:spring-beans", "5.2.19.RELEASE", "CVE-2022-22965");
	assert_string_equal(text_of(json_object_get(f, "exploit"), "dateAdded"), "2022-04-04");
	assert_string_equal(text_of(json_object_get(f, "exploit"), "dueDate"), "2022-04-25");
	/* and the npm last_affected bound is explained as inclusive */
	f = finding_of(report, "ip", "2.0.1", "CVE-2024-29415");
	assert_non_null(strstr(text_of(f, "explanation"), "<= 2.0.1"));

	json_decref(report);
	free(hash);
	free(image);
	e2e_buf_free(&layers[0]);
	e2e_buf_free(&layers[1]);
}

/* ---- 3. bad input ------------------------------------------------------------------------- */

static char *sha256_hex(const void *data, size_t len)
{
	char digest[REGISTRY_DIGEST_BUF];

	assert_int_equal(registry_digest_compute(digest, "sha256", data, len), ASEC_OK);
	assert_true(strncmp(digest, "sha256:", 7) == 0);
	return strdup(digest + 7);
}

/* A bundle (tar.gz) of one OSV file under manifest.json; sum is the
 * SHA-256 the manifest states, extra a second listed file that the
 * bundle does not hold (NULL for none). */
static struct e2e_buf bundle(const char *records, const char *sum, const char *extra)
{
	struct e2e_buf tar = {0}, gz;
	char manifest[1024];

	snprintf(manifest, sizeof(manifest),
		 "{\"schemaVersion\":1,\"created\":\"2026-11-27T12:00:00Z\",\"sources\":[{\"name\":\"e2e-bundle\","
		 "\"format\":\"osv\",\"date\":\"2026-11-20\",\"origin\":\"matcher_e2e_test\",\"files\":["
		 "{\"path\":\"e2e-bundle/records.jsonl\",\"sha256\":\"%s\",\"size\":%zu}%s%s%s]}]}",
		 sum, strlen(records), extra ? ",{\"path\":\"" : "", extra ? extra : "",
		 extra ? "\",\"sha256\":\"0000000000000000000000000000000000000000000000000000000000000000\"}" : "");
	e2e_tar_add_text(&tar, "manifest.json", manifest);
	e2e_tar_add_text(&tar, "e2e-bundle/records.jsonl", records);
	e2e_tar_end(&tar);
	e2e_gzip(&gz, tar.data, tar.len, NULL);
	e2e_buf_free(&tar);
	return gz;
}

static const char *skip_reason_with(const json_t *result, const char *needle)
{
	const json_t *s;
	size_t i;

	json_array_foreach(json_object_get(first_source(result), "skips"), i, s)
		if (strcasestr(text_of(s, "reason"), needle))
			return text_of(s, "reason");
	return NULL;
}

static void test_07_bad_input(void **state)
{
	static const char bundle_records[] =
		"{\"id\":\"E2E-BUNDLE-1\",\"modified\":\"2026-11-20T00:00:00Z\",\"affected\":[{\"package\":{\"ecosystem\":"
		"\"npm\",\"name\":\"e2e-bundle-pkg\"},\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"},"
		"{\"fixed\":\"1.0.1\"}]}]}]}\n";
	static const char good_a[] =
		"{\"id\":\"E2E-GOOD-A\",\"modified\":\"2026-11-20T00:00:00Z\",\"aliases\":[\"CVE-2099-0001\"],"
		"\"summary\":\"a good record before the bad ones\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\","
		"\"name\":\"e2e-bad-input-a\"},\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"},"
		"{\"fixed\":\"2.0.0\"}]}]}]}\n";
	static const char good_b[] =
		"{\"id\":\"E2E-GOOD-B\",\"modified\":\"2026-11-20T00:00:00Z\",\"summary\":\"a good record after the bad "
		"ones\",\"affected\":[{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"e2e-bad-input-b\"},\"ranges\":[{"
		"\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"1.0\"},{\"fixed\":\"1.5rc1\"}]}]}]}\n";
	static const char bad_lines[] =
		"{\"id\": \"E2E-TRUNCATED\", \"modified\": \"2026-11-20T00:00:00Z\", \"affected\": [{\"package\": {\n"
		"this line is not JSON at all\n"
		"{\"id\":\"E2E-UNKNOWN-ECOSYSTEM\",\"modified\":\"2026-11-20T00:00:00Z\",\"affected\":[{\"package\":{"
		"\"ecosystem\":\"Frobnicator\",\"name\":\"x\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced"
		"\":\"0\"},{\"fixed\":\"1.0\"}]}]}]}\n"
		"{\"id\":\"E2E-INVALID-VERSION\",\"modified\":\"2026-11-20T00:00:00Z\",\"affected\":[{\"package\":{"
		"\"ecosystem\":\"PyPI\",\"name\":\"e2e-bad-version\"},\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{"
		"\"introduced\":\"0\"},{\"fixed\":\"not/a*version!\"}]}]}]}\n";
	static const char deep_head[] = "{\"id\":\"E2E-DEEP\",\"modified\":\"2026-11-20T00:00:00Z\",\"affected\":";
	static const char huge_head[] = "{\"id\":\"E2E-HUGE\",\"modified\":\"2026-11-20T00:00:00Z\",\"details\":\"";
	static const char huge_tail[] = "\",\"affected\":[]}\n";
	struct e2e_buf file = {0}, gz, b;
	json_t *before, *result, *md, *contents, *report;
	unsigned char *feed;
	char *sum, *filler;
	const json_t *f;
	size_t len, i;

	(void)state;
	printf("[bad input]\n");
	before = metadata();

	/* A truncated gzip of a real feed. */
	feed = read_shared("feeds/go-vulndb-osv-GO-2020-2025.jsonl.gz", &len);
	import_refused(feed, len * 6 / 10, "go-vulndb-truncated.jsonl.gz", "osv-go", "truncated");
	free(feed);
	/* A file of no known format. */
	import_refused("# release notes\n\nNothing in here is vulnerability data.\n", 56, "NOTES.txt", NULL,
		       "no known");
	/* Bundles: a member whose SHA-256 is not the manifest's, and a manifest
	 * that lists a member the bundle does not hold. */
	b = bundle(bundle_records, "1111111111111111111111111111111111111111111111111111111111111111", NULL);
	import_refused(b.data, b.len, "bad-checksum-bundle.tar.gz", NULL, "SHA-256");
	e2e_buf_free(&b);
	sum = sha256_hex(bundle_records, strlen(bundle_records));
	b = bundle(bundle_records, sum, "e2e-bundle/missing.jsonl");
	import_refused(b.data, b.len, "missing-member-bundle.tar.gz", NULL, "lists 2 files");
	e2e_buf_free(&b);
	md = metadata();
	assert_true(json_equal(before, md));
	json_decref(md);
	/* The same bundle, whole and with the right sum, is fine: the refusals
	 * above were for the checksum and the missing member alone. */
	b = bundle(bundle_records, sum, NULL);
	result = import_ok(b.data, b.len, "good-bundle.tar.gz", "e2e-bundle");
	assert_int_equal(accepted_of(result), 1);
	json_decref(result);
	md = metadata();
	assert_string_equal(text_of(source_meta(md, "e2e-bundle"), "dataDate"), "2026-11-20");
	json_decref(md);
	e2e_buf_free(&b);
	free(sum);

	/* OSV JSON Lines with bad lines among good ones: a truncated line, a
	 * line that is not JSON, an unknown ecosystem, a bound that is not a
	 * PyPI version, 10,000 nested arrays, and one line of 65 MiB (over the
	 * 64 MiB document limit), gzip'd as a user would ship it. */
	e2e_buf_put(&file, good_a, strlen(good_a));
	e2e_buf_put(&file, bad_lines, strlen(bad_lines));
	e2e_buf_put(&file, deep_head, strlen(deep_head));
	for (i = 0; i < DEEP_NESTING; i++)
		e2e_buf_put(&file, "[", 1);
	for (i = 0; i < DEEP_NESTING; i++)
		e2e_buf_put(&file, "]", 1);
	e2e_buf_put(&file, "}\n", 2);
	e2e_buf_put(&file, huge_head, strlen(huge_head));
	filler = malloc(1 << 20);
	assert_non_null(filler);
	memset(filler, 'x', 1 << 20);
	for (len = 0; len < HUGE_LINE_BYTES; len += 1 << 20)
		e2e_buf_put(&file, filler, 1 << 20);
	free(filler);
	e2e_buf_put(&file, huge_tail, strlen(huge_tail));
	e2e_buf_put(&file, good_b, strlen(good_b));
	e2e_gzip(&gz, file.data, file.len, NULL);
	printf("  mixed OSV file: %zu bytes, %zu gzip'd\n", file.len, gz.len);
	e2e_buf_free(&file);
	result = import_ok(gz.data, gz.len, "mixed-osv.jsonl.gz", "bad-lines");
	e2e_buf_free(&gz);
	{
		char *text = json_dumps(json_object_get(first_source(result), "skips"), JSON_INDENT(2));
		printf("  skips: %s\n", text);
		free(text);
	}
	assert_int_equal(accepted_of(result), 2);
	assert_int_equal(skipped_of(result), 6);
	assert_int_equal(json_array_size(json_object_get(first_source(result), "skips")), 6);
	assert_non_null(skip_reason_with(result, "unknown ecosystem Frobnicator"));
	assert_non_null(skip_reason_with(result, "not a valid"));
	assert_non_null(skip_reason_with(result, "depth"));
	assert_non_null(skip_reason_with(result, "64 MiB"));
	/* the truncated line, the prose and the deep one do not parse, each
	 * reported with its line number */
	len = 0;
	json_array_foreach(json_object_get(first_source(result), "skips"), i, f)
		if (strstr(text_of(f, "reason"), "does not parse"))
			len++;
	assert_int_equal(len, 3);
	json_decref(result);

	/* The good records serve: arbitrary packages sent as contents. */
	contents = json_pack(
		"{s:{s:{s:s, s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s, s:s}}, s:{}, s:{s:{s:s, s:s}, s:{s:s, s:s}},"
		" s:{s:[{s:s, s:s, s:[s]}], s:[{s:s, s:s, s:[s]}]}}",
		"packages", "1", "id", "1", "name", "e2e-bad-input-a", "version", "1.9.9", "kind", "binary", "purl",
		"pkg:npm/e2e-bad-input-a@1.9.9", "2", "id", "2", "name", "e2e-bad-input-b", "version", "1.5b2", "kind",
		"binary", "purl", "pkg:pypi/e2e-bad-input-b@1.5b2", "distributions", "repositories", "1", "id", "1", "name",
		"npm", "2", "id", "2", "name", "pypi", "environments", "1", "packageDb", "srv/node_modules/e2e-bad-input-a",
		"introducedIn", "sha256:00", "repositoryIds", "1", "2", "packageDb", "usr/lib/python3/dist-packages",
		"introducedIn", "sha256:00", "repositoryIds", "2");
	assert_non_null(contents);
	report = vulnerability_report("matcher-e2e-arbitrary-contents", contents);
	{
		static const struct want a[] = {{"CVE-2099-0001", "2.0.0", "affected", NULL, "E2E-GOOD-A", "bad-lines"}};
		static const struct want bw[] = {{"E2E-GOOD-B", "1.5rc1", "affected", NULL, NULL, "bad-lines"}};
		expect_findings(report, "e2e-bad-input-a", "1.9.9", a, 1);
		/* PEP 440: 1.5b2 is before 1.5rc1 */
		expect_findings(report, "e2e-bad-input-b", "1.5b2", bw, 1);
	}
	json_decref(report);
	json_decref(contents);
	json_decref(before);
}

/* ---- 4. kill -9 during an import ---------------------------------------------------------- */

struct background_import {
	pthread_t thread;
	const unsigned char *data;
	size_t len;
	struct testsvc_upload_watch watch;
	struct testsvc_reply reply;
	atomic_int done;
};

static void *background_import_run(void *arg)
{
	struct background_import *b = arg;

	post_bundle(&b->reply, b->data, b->len, "nvd-json-1.1-items-referenced-by-shared.jsonl.gz", "nvd", &b->watch);
	atomic_store(&b->done, 1);
	return NULL;
}

/* Everything of a metadata document but one source, for comparison. */
static json_t *others(const json_t *md, const char *except)
{
	json_t *out = json_array();
	const json_t *s;
	size_t i;

	json_array_foreach(json_object_get(md, "sources"), i, s)
		if (strcmp(text_of(s, "name"), except) != 0)
			json_array_append(out, (json_t *)s);
	return out;
}

/* What a crash iteration needs: the NVD files and the complete new state. */
struct crash_run {
	unsigned char *sample, *nvd;
	size_t sample_len, nvd_len;
	long long full_records, full_skipped;
	size_t in_flight, old_kept, new_seen;
};

/* Puts the nvd source back to its old state (the 101-record NVD API
 * sample) and answers the metadata then. */
static json_t *crash_reset(struct crash_run *c)
{
	json_t *result = import_ok(c->sample, c->sample_len, "nvd-api-2.0-sample-100.json.gz", "nvd"), *md;

	json_decref(result);
	md = metadata();
	assert_int_equal(json_integer_value(json_object_get(source_meta(md, "nvd"), "records")), 101);
	return md;
}

/* After a kill: restart, and the data must be md_old's, or md_old's with
 * the nvd source exactly as a whole import leaves it; a 200 the client saw
 * must have been kept. */
static void crash_check(struct crash_run *c, const json_t *md_old, int answered_200, const char *what)
{
	const json_t *old_nvd = source_meta(md_old, "nvd"), *new_nvd;
	json_t *md_new, *old_rest, *new_rest;

	if (matcher_start() != 0)
		fail_msg("the matcher does not start after %s", what);
	md_new = metadata();
	new_nvd = source_meta(md_new, "nvd");
	assert_non_null(new_nvd);
	old_rest = others(md_old, "nvd");
	new_rest = others(md_new, "nvd");
	if (!json_equal(old_rest, new_rest))
		fail_msg("%s changed sources that were not being imported", what);
	json_decref(old_rest);
	json_decref(new_rest);
	if (json_equal(old_nvd, new_nvd)) {
		c->old_kept++;
		if (answered_200)
			fail_msg("%s: the import was answered 200, but the old data serves after the restart", what);
		printf("    -> the previous data serves (%lld records)\n",
		       (long long)json_integer_value(json_object_get(new_nvd, "records")));
	} else {
		c->new_seen++;
		if (json_integer_value(json_object_get(new_nvd, "records")) != c->full_records ||
		    json_integer_value(json_object_get(new_nvd, "skipped")) != c->full_skipped ||
		    strcmp(text_of(new_nvd, "format"), "nvd") != 0) {
			char *text = json_dumps(new_nvd, JSON_COMPACT);
			fail_msg("after %s the nvd source is neither the old one nor a whole import: %s", what, text);
		}
		printf("    -> the complete new data serves (%lld records)\n", c->full_records);
	}
	json_decref(md_new);
}

static void crash_start_import(struct background_import *bg, struct crash_run *c)
{
	memset(bg, 0, sizeof(*bg));
	bg->data = c->nvd;
	bg->len = c->nvd_len;
	assert_int_equal(pthread_create(&bg->thread, NULL, background_import_run, bg), 0);
}

/* Kills the matcher; answers whether the import had been answered 200. */
static int crash_kill(struct crash_run *c, struct background_import *bg, const char *what)
{
	int sent_all = atomic_load(&bg->watch.sent_all), answered = atomic_load(&bg->watch.answered), done;

	testsvc_kill(&matcher, SIGKILL);
	pthread_join(bg->thread, NULL);
	done = bg->reply.status == 200;
	if (sent_all && !answered)
		c->in_flight++;
	printf("  kill -9 %s: body %s, %s; the request %s\n", what, sent_all ? "sent" : "not all sent",
	       answered ? "answered" : "no answer yet", done ? "completed (200)" : bg->reply.error);
	testsvc_reply_free(&bg->reply);
	return done;
}

static PGconn *db_connect_run(void)
{
	PGconn *conn = PQconnectdb(run.schema.url);

	if (PQstatus(conn) != CONNECTION_OK)
		fail_msg("PostgreSQL: %s", PQerrorMessage(conn));
	return conn;
}

static void db_must(PGconn *conn, const char *sql, ExecStatusType want)
{
	PGresult *res = PQexec(conn, sql);

	if (PQresultStatus(res) != want)
		fail_msg("PostgreSQL: %s: %s", sql, PQerrorMessage(conn));
	PQclear(res);
}

/* The backend that waits for conn's locks, or 0. */
static int db_blocked_by(PGconn *probe, PGconn *holder)
{
	char sql[160];
	PGresult *res;
	int pid = 0;

	snprintf(sql, sizeof(sql), "SELECT pid FROM pg_stat_activity WHERE %d = ANY (pg_blocking_pids(pid))",
		 PQbackendPID(holder));
	res = PQexec(probe, sql);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0)
		pid = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return pid;
}

static int db_backend_alive(PGconn *probe, int pid)
{
	char sql[96];
	PGresult *res;
	int alive;

	snprintf(sql, sizeof(sql), "SELECT 1 FROM pg_stat_activity WHERE pid = %d", pid);
	res = PQexec(probe, sql);
	alive = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0;
	PQclear(res);
	return alive;
}

/*
 * The kill that lands inside the transaction for certain. This test holds
 * the nvd row locked (SELECT ... FOR UPDATE in a transaction of its own),
 * so the matcher's import, once parsed, blocks inside its transaction on
 * the INSERT ... ON CONFLICT DO UPDATE of that row. The moment PostgreSQL
 * shows a backend waiting for our lock, the matcher is killed; then our
 * lock goes, the orphaned backend finishes its statement, finds its client
 * gone and rolls back - no COMMIT can ever come.
 */
static void crash_inside_transaction(struct crash_run *c)
{
	struct background_import bg;
	PGconn *holder, *probe;
	json_t *md_old = crash_reset(c);
	PGresult *res;
	int blocked = 0, done, i;
	double t0 = now_s();

	holder = db_connect_run();
	probe = db_connect_run();
	db_must(holder, "BEGIN", PGRES_COMMAND_OK);
	res = PQexec(holder, "SELECT name FROM vuln_sources WHERE name = 'nvd' FOR UPDATE");
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		fail_msg("locking the nvd row: %s", PQerrorMessage(holder));
	PQclear(res);
	crash_start_import(&bg, c);
	for (i = 0; i < 120 * 50 && !blocked && !atomic_load(&bg.done); i++) {
		blocked = db_blocked_by(probe, holder);
		if (!blocked)
			usleep(20 * 1000);
	}
	if (!blocked) {
		db_must(holder, "ROLLBACK", PGRES_COMMAND_OK);
		fail_msg("the import never reached its transaction (request: %ld %s)", bg.reply.status, bg.reply.error);
	}
	printf("  after %.2f s the matcher's transaction (backend %d) waits for the test's row lock\n", now_s() - t0,
	       blocked);
	done = crash_kill(c, &bg, "inside the transaction");
	db_must(holder, "ROLLBACK", PGRES_COMMAND_OK);
	for (i = 0; i < 100 && db_backend_alive(probe, blocked); i++)
		usleep(100 * 1000);
	if (db_backend_alive(probe, blocked))
		fail_msg("the killed matcher's backend %d is still there 10 s later", blocked);
	PQfinish(holder);
	PQfinish(probe);
	if (done)
		fail_msg("the import was answered although its transaction was blocked");
	crash_check(c, md_old, done, "the kill inside the transaction");
	if (c->new_seen)
		fail_msg("a transaction killed before its COMMIT left its data behind");
	json_decref(md_old);
}

static void test_08_kill_during_import(void **state)
{
	/* Delays as fractions of a whole import's time: during the upload and
	 * the parse, near the end, and after it (a 200 that was answered must
	 * survive the kill). */
	static const double fractions[] = {0.03, 0.2, 0.4, 0.6, 0.8, 0.95, 1.1, 1.8};
	struct crash_run c = {0};
	json_t *result, *report, *summary;
	double t0, full_s;
	size_t i;

	(void)state;
	printf("[kill -9 during an import]\n");
	c.sample = read_shared("feeds/nvd-api-2.0-sample-100.json.gz", &c.sample_len);
	c.nvd = read_shared("feeds/nvd-json-1.1-items-referenced-by-shared.jsonl.gz", &c.nvd_len);

	/* The complete new state, and how long an import takes here. */
	t0 = now_s();
	import_shared("nvd-json-1.1-items-referenced-by-shared.jsonl.gz", "nvd", &result);
	full_s = now_s() - t0;
	c.full_records = accepted_of(result);
	c.full_skipped = skipped_of(result);
	assert_true(c.full_records > 10000);
	json_decref(result);
	printf("  a whole import of the NVD 1.1 feed: %.2f s, %lld records\n", full_s, c.full_records);

	crash_inside_transaction(&c);

	for (i = 0; i < sizeof(fractions) / sizeof(fractions[0]); i++) {
		struct background_import bg;
		json_t *md_old = crash_reset(&c);
		char what[64];
		int done;

		snprintf(what, sizeof(what), "after %.2f s", fractions[i] * full_s);
		crash_start_import(&bg, &c);
		sleep_s(fractions[i] * full_s);
		done = crash_kill(&c, &bg, what);
		crash_check(&c, md_old, done, what);
		json_decref(md_old);
	}
	printf("  %zu kills landed after the upload and before an answer; %zu kept the old data, %zu found the new\n",
	       c.in_flight, c.old_kept, c.new_seen);
	if (c.in_flight < 2)
		fail_msg("only %zu kills landed while the import was being processed (an import takes %.2f s)", c.in_flight,
			 full_s);

	/* Matching still works, with the same answers. */
	assert_non_null(debian_hash_id); /* test_02 ran */
	report = vulnerability_report(debian_hash_id, NULL);
	check_debian_report(report);
	summary = finding_summary(report);
	if (!json_equal(summary, debian_findings)) {
		char *a = json_dumps(debian_findings, JSON_INDENT(1)), *b = json_dumps(summary, JSON_INDENT(1));
		printf("before: %s\nafter: %s\n", a, b);
		free(a);
		free(b);
		fail_msg("the Debian image's findings changed across the crashes");
	}
	json_decref(summary);
	json_decref(report);
	/* and a whole import still goes through */
	result = import_ok(c.nvd, c.nvd_len, "nvd-json-1.1-items-referenced-by-shared.jsonl.gz", "nvd");
	assert_int_equal(accepted_of(result), c.full_records);
	json_decref(result);
	free(c.sample);
	free(c.nvd);
	printf("  the matcher was started %d times\n", matcher.starts);
}

/* ---- the end ------------------------------------------------------------------------------ */

/* Both services stop on SIGTERM with status 0 (under the sanitizers: with
 * no leak and no error report). */
static void test_09_clean_stop(void **state)
{
	(void)state;
	testsvc_expect_alive(&matcher);
	testsvc_expect_alive(&indexer);
	if (!testsvc_stop(&matcher))
		fail_msg("scanner-matcher did not stop cleanly on SIGTERM");
	if (!testsvc_stop(&indexer))
		fail_msg("scanner-indexer did not stop cleanly on SIGTERM");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_01_import),
		cmocka_unit_test(test_02_debian_image),
		cmocka_unit_test(test_03_alpine_image),
		cmocka_unit_test(test_04_rpm_epoch_image),
		cmocka_unit_test(test_05_rpm_bdb_image),
		cmocka_unit_test(test_06_language_image),
		cmocka_unit_test(test_07_bad_input),
		cmocka_unit_test(test_08_kill_during_import),
		cmocka_unit_test(test_09_clean_stop),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
