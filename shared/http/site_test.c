/*
 * site_test.c - the portal's loading and answering rules, then the same
 * through a real server on loopback.
 *
 * Most rules are checked on http_site_resolve() directly, over a throw-away
 * folder built per test group; the live tests prove that http.c copies the
 * answer into the wire response (headers, status, HEAD, 304), leaves the API
 * paths to their problem answers, and counts the requests as "portal".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "error/error.h"
#include "http/http.h"
#include "http/http_internal.h"
#include "http/http_testing.h"
#include "http/site.h"
#include "log/log.h"
#include "pki/pki.h"

#define JS_NAME "assets/app-1a2b3c4d.js"
#define CSS_NAME "assets/app-9f8e7d6c.css"
#define INDEX_HTML "<!doctype html><title>portal</title><script src=\"/" JS_NAME "\"></script>"
#define JS_BODY "console.log('identity');"
#define JS_GZ "GZIP-BYTES"
#define JS_BR "BR-BYTES"

/* ---- folder helpers ------------------------------------------------------------------- */

static void make_temp(char *out, size_t size, const char *tag)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(out, size, "%s/site_test_%s_XXXXXX", tmp && tmp[0] ? tmp : "/tmp", tag);
	assert_non_null(mkdtemp(out));
}

static void remove_tree(const char *dir)
{
	assert_int_equal(http_testing_remove_tree(dir), 0);
}

/* Writes dir/rel, creating its folders. */
static void put(const char *dir, const char *rel, const void *data, size_t len)
{
	char path[1024];
	char *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (slash = strchr(path + strlen(dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(path, 0755) != 0)
			assert_int_equal(errno, EEXIST);
		*slash = '/';
	}
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void put_text(const char *dir, const char *rel, const char *text)
{
	put(dir, rel, text, strlen(text));
}

static void build_portal(const char *dir)
{
	put_text(dir, "index.html", INDEX_HTML);
	put_text(dir, JS_NAME, JS_BODY);
	put_text(dir, JS_NAME ".gz", JS_GZ);
	put_text(dir, JS_NAME ".br", JS_BR);
	put_text(dir, CSS_NAME, "body{}");
	put_text(dir, CSS_NAME ".gz", "css-gz");
	put_text(dir, "assets/app-1a2b3c4d.js.map", "{}");
	put_text(dir, "assets/logo.svg", "<svg/>");
	put_text(dir, "assets/font-3c4d5e6f.woff2", "w2");
	put_text(dir, "favicon.ico", "ico");
	put_text(dir, "icon.png", "png");
	put_text(dir, "manifest.json", "{}");
	put_text(dir, "robots.txt", "User-agent: *");
	put_text(dir, "worker.mjs", "export{}");
	put_text(dir, "blob.bin", "raw");
	put_text(dir, "orphan.js.gz", "no original");
	put_text(dir, ".hidden", "secret");
	put_text(dir, "bad name.js", "space");
	put_text(dir, "assets/caf\xc3\xa9.js", "utf-8 name");
}

/* ---- answers -------------------------------------------------------------------------- */

static const char *header(const struct http_site_answer *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->header_count; i++)
		if (strcasecmp(a->headers[i].name, name) == 0)
			return a->headers[i].value;
	return NULL;
}

static void assert_security_headers(const struct http_site_answer *a)
{
	assert_non_null(header(a, "Content-Security-Policy"));
	assert_non_null(strstr(header(a, "Content-Security-Policy"), "default-src 'none'"));
	assert_non_null(strstr(header(a, "Content-Security-Policy"), "frame-ancestors 'none'"));
	assert_string_equal(header(a, "X-Content-Type-Options"), "nosniff");
	assert_string_equal(header(a, "Referrer-Policy"), "no-referrer");
	assert_string_equal(header(a, "X-Frame-Options"), "DENY");
	assert_string_equal(header(a, "Cross-Origin-Opener-Policy"), "same-origin");
	assert_string_equal(header(a, "Cross-Origin-Resource-Policy"), "same-origin");
	assert_string_equal(header(a, "Permissions-Policy"), "camera=(), microphone=(), geolocation=()");
}

struct site_fixture {
	char dir[256];
	struct http_site *site;
};

static struct site_fixture fx;

static int site_setup(void **state)
{
	char link[600];

	make_temp(fx.dir, sizeof(fx.dir), "site");
	build_portal(fx.dir);
	snprintf(link, sizeof(link), "%s/passwd.txt", fx.dir);
	if (symlink("/etc/passwd", link) != 0)
		return -1;
	snprintf(link, sizeof(link), "%s/etc", fx.dir);
	if (symlink("/etc", link) != 0)
		return -1;
	snprintf(link, sizeof(link), "%s/again.js", fx.dir);
	if (symlink(JS_NAME, link) != 0)
		return -1;
	if (http_site_load(&fx.site, fx.dir) != ASEC_OK) {
		fprintf(stderr, "load: %s\n", error_last());
		return -1;
	}
	*state = &fx;
	return 0;
}

static int site_teardown(void **state)
{
	http_site_free(fx.site);
	remove_tree(fx.dir);
	return 0;
}

static void get(struct http_site_answer *a, const char *path, const char *ae, const char *inm)
{
	http_site_resolve(a, fx.site, "GET", path, ae, inm);
}

static void test_content_types_and_left_out_files(void **state)
{
	static const struct {
		const char *path, *type;
	} cases[] = {
		{"/index.html", "text/html; charset=utf-8"},
		{"/" JS_NAME, "text/javascript; charset=utf-8"},
		{"/worker.mjs", "text/javascript; charset=utf-8"},
		{"/" CSS_NAME, "text/css; charset=utf-8"},
		{"/assets/logo.svg", "image/svg+xml"},
		{"/icon.png", "image/png"},
		{"/favicon.ico", "image/x-icon"},
		{"/manifest.json", "application/json"},
		{"/assets/font-3c4d5e6f.woff2", "font/woff2"},
		{"/robots.txt", "text/plain; charset=utf-8"},
		{"/assets/app-1a2b3c4d.js.map", "application/json"},
		{"/blob.bin", "application/octet-stream"},
	};
	static const char *const absent[] = {"/.hidden", "/bad%20name.js", "/orphan.js.gz", "/passwd.txt", "/etc/group.txt",
					     "/again.js", "/" JS_NAME ".gz", "/assets/caf%C3%A9.js"};
	struct http_site_answer a;
	size_t i;

	(void)state;
	/* the 12 originals; variants fold into them, the rest is left out */
	assert_int_equal(http_site_file_count(fx.site), 12);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		get(&a, cases[i].path, NULL, NULL);
		assert_int_equal(a.status, 200);
		assert_string_equal(a.content_type, cases[i].type);
		http_site_answer_release(&a);
	}
	for (i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		get(&a, absent[i], NULL, NULL);
		if (a.status != 404)
			fail_msg("%s answered %ld", absent[i], a.status);
		assert_security_headers(&a);
		http_site_answer_release(&a);
	}
}

static void test_identity_body_and_headers(void **state)
{
	struct http_site_answer a;

	(void)state;
	get(&a, "/" JS_NAME, NULL, NULL);
	assert_int_equal(a.status, 200);
	assert_int_equal(a.len, strlen(JS_BODY));
	assert_memory_equal(a.body, JS_BODY, a.len);
	assert_security_headers(&a);
	assert_string_equal(header(&a, "Cache-Control"), "public, max-age=31536000, immutable");
	assert_string_equal(header(&a, "Vary"), "Accept-Encoding");
	assert_null(header(&a, "Content-Encoding"));
	assert_int_equal(strlen(header(&a, "ETag")), 34);
	http_site_answer_release(&a);

	get(&a, "/", NULL, NULL);
	assert_int_equal(a.status, 200);
	assert_memory_equal(a.body, INDEX_HTML, strlen(INDEX_HTML));
	assert_string_equal(header(&a, "Cache-Control"), "no-cache");
	assert_null(header(&a, "Vary")); /* index.html has no variants here */
	http_site_answer_release(&a);

	/* a file outside assets/ is never immutable, whatever its name */
	get(&a, "/manifest.json", NULL, NULL);
	assert_string_equal(header(&a, "Cache-Control"), "no-cache");
	http_site_answer_release(&a);
	get(&a, "/assets/logo.svg", NULL, NULL);
	assert_string_equal(header(&a, "Cache-Control"), "no-cache");
	http_site_answer_release(&a);
}

static void test_encoding_served(void **state)
{
	struct http_site_answer a;
	char identity_etag[64], br_etag[64];

	(void)state;
	get(&a, "/" JS_NAME, NULL, NULL);
	snprintf(identity_etag, sizeof(identity_etag), "%s", header(&a, "ETag"));
	http_site_answer_release(&a);

	get(&a, "/" JS_NAME, "gzip, deflate, br", NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(header(&a, "Content-Encoding"), "br");
	assert_memory_equal(a.body, JS_BR, strlen(JS_BR));
	assert_string_equal(a.content_type, "text/javascript; charset=utf-8");
	snprintf(br_etag, sizeof(br_etag), "%s", header(&a, "ETag"));
	assert_string_not_equal(br_etag, identity_etag);
	http_site_answer_release(&a);

	get(&a, "/" JS_NAME, "gzip", NULL);
	assert_string_equal(header(&a, "Content-Encoding"), "gzip");
	assert_memory_equal(a.body, JS_GZ, strlen(JS_GZ));
	http_site_answer_release(&a);

	/* the css has only a gzip sibling */
	get(&a, "/" CSS_NAME, "br, gzip", NULL);
	assert_string_equal(header(&a, "Content-Encoding"), "gzip");
	http_site_answer_release(&a);
	get(&a, "/" CSS_NAME, "br", NULL);
	assert_null(header(&a, "Content-Encoding"));
	assert_string_equal(header(&a, "Vary"), "Accept-Encoding");
	http_site_answer_release(&a);
}

static void test_negotiation_rules(void **state)
{
	const unsigned both = (1u << HTTP_SITE_GZIP) | (1u << HTTP_SITE_BR);
	const unsigned gz = 1u << HTTP_SITE_GZIP;
	char big[2048];

	(void)state;
	assert_int_equal(http_site_negotiate(NULL, both), HTTP_SITE_IDENTITY);
	assert_int_equal(http_site_negotiate("", both), HTTP_SITE_IDENTITY);
	assert_int_equal(http_site_negotiate("br", both), HTTP_SITE_BR);
	assert_int_equal(http_site_negotiate("BR", both), HTTP_SITE_BR);
	assert_int_equal(http_site_negotiate("gzip, br", both), HTTP_SITE_BR);
	assert_int_equal(http_site_negotiate("gzip;q=1.0, br;q=0.1", both), HTTP_SITE_BR);
	assert_int_equal(http_site_negotiate("gzip, br;q=0", both), HTTP_SITE_GZIP);
	assert_int_equal(http_site_negotiate("gzip, br ; Q = 0.000", both), HTTP_SITE_GZIP);
	assert_int_equal(http_site_negotiate("gzip;q=0, br;q=0", both), HTTP_SITE_IDENTITY);
	assert_int_equal(http_site_negotiate("x-gzip", both), HTTP_SITE_GZIP);
	assert_int_equal(http_site_negotiate("*", both), HTTP_SITE_BR);
	assert_int_equal(http_site_negotiate("*;q=0.5, br;q=0", both), HTTP_SITE_GZIP);
	assert_int_equal(http_site_negotiate("*;q=0", both), HTTP_SITE_IDENTITY);
	assert_int_equal(http_site_negotiate("identity;q=0, *", both), HTTP_SITE_BR);
	/* nothing acceptable: identity anyway (RFC 9110 12.5.3), not a 406 */
	assert_int_equal(http_site_negotiate("identity;q=0", both), HTTP_SITE_IDENTITY);
	assert_int_equal(http_site_negotiate("br", gz), HTTP_SITE_IDENTITY);
	assert_int_equal(http_site_negotiate("br, gzip", 0), HTTP_SITE_IDENTITY);
	assert_int_equal(http_site_negotiate("deflate, identity", both), HTTP_SITE_IDENTITY);
	/* malformed q-values drop their entry, not the header */
	assert_int_equal(http_site_negotiate("br;q=2, gzip", both), HTTP_SITE_GZIP);
	assert_int_equal(http_site_negotiate("br;q=0.5x, gzip", both), HTTP_SITE_GZIP);
	assert_int_equal(http_site_negotiate("br;level=9, gzip", both), HTTP_SITE_GZIP);
	assert_int_equal(http_site_negotiate(",,, ,br", both), HTTP_SITE_BR);
	/* bounded: an oversized header is ignored, and only 32 entries are read */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big + sizeof(big) - 5, ", br", 4);
	assert_int_equal(http_site_negotiate(big, both), HTTP_SITE_IDENTITY);
	snprintf(big, sizeof(big), "%s", "a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,br");
	assert_int_equal(http_site_negotiate(big, both), HTTP_SITE_IDENTITY);
}

static void test_hashed_names(void **state)
{
	(void)state;
	assert_true(http_site_name_is_hashed("assets/app-1a2b3c4d.js"));
	assert_true(http_site_name_is_hashed("assets/app-1A2B3C4D5E6F.css"));
	assert_true(http_site_name_is_hashed("assets/index.9f8e7d6c.js"));
	assert_true(http_site_name_is_hashed("assets/chunk-BjM2Wd5Q.js")); /* rollup's base64url alphabet */
	assert_true(http_site_name_is_hashed("assets/fonts/inter-abcd2345.woff2"));
	assert_true(http_site_name_is_hashed("assets/app-1a2b3c4d.js.map") == 0); /* ".js.map": the token is "js" */
	assert_false(http_site_name_is_hashed("app-1a2b3c4d.js"));         /* not under assets/ */
	assert_false(http_site_name_is_hashed("assets/app.js"));
	assert_false(http_site_name_is_hashed("assets/app-1a2b3c.js"));    /* 6 characters */
	assert_false(http_site_name_is_hashed("assets/app-business.js"));  /* a word, no digit */
	assert_false(http_site_name_is_hashed("assets/1a2b3c4d.js"));      /* no name before the hash */
	assert_false(http_site_name_is_hashed("assets/app_1a2b3c4d.js"));  /* "_" is part of the token */
	assert_false(http_site_name_is_hashed("assets/-1a2b3c4d"));
	assert_false(http_site_name_is_hashed("assetsx/app-1a2b3c4d.js"));
}

static void test_etag_and_304(void **state)
{
	struct http_site_answer a;
	char etag[64], br_etag[64], list[256];

	(void)state;
	get(&a, "/" JS_NAME, NULL, NULL);
	snprintf(etag, sizeof(etag), "%s", header(&a, "ETag"));
	assert_int_equal(etag[0], '"');
	http_site_answer_release(&a);
	get(&a, "/" JS_NAME, "br", NULL);
	snprintf(br_etag, sizeof(br_etag), "%s", header(&a, "ETag"));
	http_site_answer_release(&a);

	get(&a, "/" JS_NAME, NULL, etag);
	assert_int_equal(a.status, 304);
	assert_null(a.body);
	assert_string_equal(header(&a, "ETag"), etag);
	assert_string_equal(header(&a, "Cache-Control"), "public, max-age=31536000, immutable");
	assert_security_headers(&a);
	http_site_answer_release(&a);

	/* the identity tag does not validate the br representation */
	get(&a, "/" JS_NAME, "br", etag);
	assert_int_equal(a.status, 200);
	http_site_answer_release(&a);
	snprintf(list, sizeof(list), "\"nope\", W/%s", br_etag);
	get(&a, "/" JS_NAME, "br", list);
	assert_int_equal(a.status, 304);
	assert_string_equal(header(&a, "Content-Encoding"), "br");
	http_site_answer_release(&a);

	get(&a, "/" JS_NAME, NULL, "*");
	assert_int_equal(a.status, 304);
	http_site_answer_release(&a);
	get(&a, "/" JS_NAME, NULL, "\"0123\"");
	assert_int_equal(a.status, 200);
	http_site_answer_release(&a);
	get(&a, "/" JS_NAME, NULL, "garbage");
	assert_int_equal(a.status, 200);
	http_site_answer_release(&a);
	/* another file's tag does not validate this one */
	get(&a, "/index.html", NULL, etag);
	assert_int_equal(a.status, 200);
	http_site_answer_release(&a);
}

/* Each of the n paths is answered 404 with no body: neither a file nor the
 * index.html fallback; the first that is not names itself. */
static void assert_all_not_found(const char *const *paths, size_t n)
{
	struct http_site_answer a;
	size_t i;

	for (i = 0; i < n; i++) {
		get(&a, paths[i], NULL, NULL);
		if (a.status != 404)
			fail_msg("%s answered %ld", paths[i], a.status);
		assert_null(a.body);
		http_site_answer_release(&a);
	}
}

static void test_spa_fallback(void **state)
{
	static const char *const app_routes[] = {
		"/images/sha256:0123456789abcdef", "/policies/x/edit", "/login", "/assets", "/policies/",
		"/images/docker.io%2Flibrary%2Fnginx:1.25", "/etc/passwd",
	};
	static const char *const missing[] = {"/assets/app-00000000.js", "/missing.css", "/x/y/z.png", "/favicon.ICO2"};
	struct http_site_answer a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(app_routes) / sizeof(app_routes[0]); i++) {
		get(&a, app_routes[i], NULL, NULL);
		if (a.status != 200)
			fail_msg("%s answered %ld", app_routes[i], a.status);
		assert_string_equal(a.content_type, "text/html; charset=utf-8");
		assert_memory_equal(a.body, INDEX_HTML, strlen(INDEX_HTML));
		assert_string_equal(header(&a, "Cache-Control"), "no-cache");
		http_site_answer_release(&a);
	}
	assert_all_not_found(missing, sizeof(missing) / sizeof(missing[0]));
}

static void test_api_paths_and_methods_not_served(void **state)
{
	static const char *const api[] = {"/v1/images", "/v1", "/v2/x", "/v4/indexer", "/api/graphql", "/healthz",
					  "/readyz", "/metrics", "/%761/images", "/v%31/x", "/api"};
	static const char *const not_api[] = {"/v10", "/v1x", "/apis", "/healthz/x", "/metricsx", "/v3/x"};
	struct http_site_answer a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(api) / sizeof(api[0]); i++) {
		get(&a, api[i], NULL, NULL);
		if (a.status != 0 || a.header_count != 0)
			fail_msg("%s was taken by the portal (%ld)", api[i], a.status);
		http_site_answer_release(&a);
	}
	for (i = 0; i < sizeof(not_api) / sizeof(not_api[0]); i++)
		assert_false(http_site_path_is_api(not_api[i]));
	http_site_resolve(&a, fx.site, "POST", "/", NULL, NULL);
	assert_int_equal(a.status, 0);
	http_site_answer_release(&a);
	http_site_resolve(&a, fx.site, "DELETE", "/index.html", NULL, NULL);
	assert_int_equal(a.status, 0);
	http_site_answer_release(&a);
	http_site_resolve(&a, NULL, "GET", "/", NULL, NULL);
	assert_int_equal(a.status, 0);
	http_site_answer_release(&a);
}

static void test_traversal_refused(void **state)
{
	static const char *const attempts[] = {
		"/../etc/passwd", "/assets/../index.html", "/%2e%2e/etc/passwd", "/%2E%2E%2Fetc%2Fpasswd",
		"/assets/%2e%2e/index.html", "/..%2findex.html", "/assets//app-1a2b3c4d.js", "/%2fetc/passwd",
		"/assets%2f%2fx", "/assets\\..\\index.html", "/assets%5capp.js", "/index.html%00.js", "/a%00",
		"/%", "/%zz", "/%2", "/%252e%252e/index.html", "..", "index.html", "", "//", "/....",
		"/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
	};
	struct http_site_answer a;

	(void)state;
	assert_all_not_found(attempts, sizeof(attempts) / sizeof(attempts[0]));
	/* percent-encoding an ordinary name is still that name */
	get(&a, "/%61ssets/app-1a2b3c4d%2Ejs", NULL, NULL);
	assert_int_equal(a.status, 200);
	assert_memory_equal(a.body, JS_BODY, strlen(JS_BODY));
	http_site_answer_release(&a);
}

static void test_head(void **state)
{
	struct http_site_answer a;

	(void)state;
	http_site_resolve(&a, fx.site, "HEAD", "/" JS_NAME, "gzip", NULL);
	assert_int_equal(a.status, 200);
	assert_int_equal(a.len, strlen(JS_GZ)); /* the length the GET would send */
	assert_string_equal(header(&a, "Content-Encoding"), "gzip");
	http_site_answer_release(&a);
}

/* ---- loading limits ------------------------------------------------------------------- */

static void test_load_refusals(void **state)
{
	struct http_site_options small = {.max_files = 3};
	struct http_site *site = NULL;
	char dir[256], path[600];
	int i;

	(void)state;
	assert_int_equal(http_site_load(&site, "/nonexistent/portal/dir"), ASEC_ENOTFOUND);
	assert_null(site);

	make_temp(dir, sizeof(dir), "limits");
	put_text(dir, "app.js", "x");
	assert_int_equal(http_site_load(&site, dir), ASEC_ENOTFOUND); /* no index.html */
	assert_non_null(strstr(error_last(), "index.html"));

	/* a file given as the folder */
	snprintf(path, sizeof(path), "%s/app.js", dir);
	assert_int_not_equal(http_site_load(&site, path), ASEC_OK);

	put_text(dir, "index.html", "<html>");
	put_text(dir, "b.js", "y");
	assert_int_equal(http_site_load_with(&site, dir, &small), ASEC_OK);
	assert_int_equal(http_site_file_count(site), 3);
	http_site_free(site);
	put_text(dir, "c.js", "z");
	assert_int_equal(http_site_load_with(&site, dir, &small), ASEC_ETOOBIG);
	assert_null(site);

	/* the default count: 2,000 files */
	for (i = 0; i < 1996; i++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "many/f%04d.txt", i);
		put_text(dir, rel, "");
	}
	assert_int_equal(http_site_load(&site, dir), ASEC_OK); /* 4 + 1996 */
	assert_int_equal(http_site_file_count(site), 2000);
	http_site_free(site);
	put_text(dir, "many/one-more.txt", "");
	assert_int_equal(http_site_load(&site, dir), ASEC_ETOOBIG);
	remove_tree(dir);

	/* bytes */
	make_temp(dir, sizeof(dir), "bytes");
	put_text(dir, "index.html", "0123456789");
	put_text(dir, "a.txt", "0123456789");
	small = (struct http_site_options){.max_bytes = 20};
	assert_int_equal(http_site_load_with(&site, dir, &small), ASEC_OK);
	http_site_free(site);
	put_text(dir, "b.txt", "0");
	assert_int_equal(http_site_load_with(&site, dir, &small), ASEC_ETOOBIG);
	remove_tree(dir);

	/* depth: eight folders deep is served, nine is refused */
	make_temp(dir, sizeof(dir), "depth");
	put_text(dir, "index.html", "<html>");
	put_text(dir, "1/2/3/4/5/6/7/8/deep.txt", "ok");
	assert_int_equal(http_site_load(&site, dir), ASEC_OK);
	http_site_free(site);
	put_text(dir, "1/2/3/4/5/6/7/8/9/deeper.txt", "no");
	assert_int_equal(http_site_load(&site, dir), ASEC_ETOOBIG);
	remove_tree(dir);
}

static void test_default_byte_limit(void **state)
{
	struct http_site *site = NULL;
	char dir[256], path[600];
	int fd;

	(void)state;
	make_temp(dir, sizeof(dir), "big");
	put_text(dir, "index.html", "<html>");
	/* a sparse 64 MiB + 1 file: the bound is checked before reading */
	snprintf(path, sizeof(path), "%s/huge.bin", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 64LL * 1024 * 1024 - 6), 0);
	close(fd);
	assert_int_equal(http_site_load(&site, dir), ASEC_OK); /* exactly 64 MiB */
	http_site_free(site);
	put_text(dir, "x.txt", "1");
	assert_int_equal(http_site_load(&site, dir), ASEC_ETOOBIG);
	remove_tree(dir);
}

/* ---- reloading ------------------------------------------------------------------------ */

static void set_mtime(const char *dir, const char *rel, time_t when)
{
	char path[600];
	struct timespec times[2] = {{when, 0}, {when, 0}};

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
}

/* Waits out the site's once-a-second look at index.html (RELOAD_CHECK_NS in
 * site.c, and a margin), so that the next request looks, then checks that
 * "/" answers body: the version that look left being served. */
static void assert_index_after_check(struct http_site *site, const char *body)
{
	struct http_site_answer a;

	sleep(1);
	usleep(100000);
	http_site_resolve(&a, site, "GET", "/", NULL, NULL);
	assert_memory_equal(a.body, body, strlen(body));
	http_site_answer_release(&a);
}

static void test_reload_when_index_changes(void **state)
{
	struct http_site *site = NULL;
	struct http_site_answer held, a;
	char dir[256];

	(void)state;
	make_temp(dir, sizeof(dir), "reload");
	put_text(dir, "index.html", "version one");
	set_mtime(dir, "index.html", 1000000);
	assert_int_equal(http_site_load(&site, dir), ASEC_OK);
	http_site_resolve(&held, site, "GET", "/", NULL, NULL);
	assert_memory_equal(held.body, "version one", 11);

	/* a rebuild: new files, new index.html */
	put_text(dir, "index.html", "version two!");
	put_text(dir, "new.js", "n");
	set_mtime(dir, "index.html", 2000000);
	assert_index_after_check(site, "version two!");
	http_site_resolve(&a, site, "GET", "/new.js", NULL, NULL);
	assert_int_equal(a.status, 200);
	http_site_answer_release(&a);
	/* an answer taken before the swap still reads the old bytes */
	assert_memory_equal(held.body, "version one", 11);
	http_site_answer_release(&held);

	/* a rebuild that cannot load keeps the previous version */
	put_text(dir, "index.html", "version three");
	set_mtime(dir, "index.html", 3000000);
	put_text(dir, "1/2/3/4/5/6/7/8/9/too-deep.txt", "x");
	assert_index_after_check(site, "version two!");
	http_site_free(site);

	/* no_reload: never looks again */
	{
		struct http_site_options still = {.no_reload = 1};
		char sub[300];
		snprintf(sub, sizeof(sub), "%s/1", dir);
		remove_tree(sub);
		assert_int_equal(http_site_load_with(&site, dir, &still), ASEC_OK);
		put_text(dir, "index.html", "version four");
		set_mtime(dir, "index.html", 4000000);
		assert_index_after_check(site, "version three");
		http_site_free(site);
	}
	remove_tree(dir);
}

/* ---- live: through a real server ------------------------------------------------------ */

/* The shared client (http_testing.h) as the live tests use it: no body sent,
 * HTTPS trusting ca when one is given. */
static void request(struct http_testing_reply *r, const char *method, const char *url, const char *const *headers,
		    const char *ca)
{
	struct http_testing_tls tls = {.ca = ca};

	http_testing_request(r, method, url, headers, NULL, 0, ca ? &tls : NULL);
}

/* The value of a response header, copied into buf. */
static const char *value_of(const struct http_testing_reply *r, const char *name, char *buf, size_t size)
{
	char pattern[128];
	const char *at;
	size_t n;

	snprintf(pattern, sizeof(pattern), "\n%s:", name);
	at = strcasestr(r->headers, pattern);
	if (!at)
		return NULL;
	at += strlen(pattern);
	while (*at == ' ')
		at++;
	n = strcspn(at, "\r\n");
	snprintf(buf, size, "%.*s", (int)n, at);
	return buf;
}

/* ulfius will not start without one endpoint; the builtin health check
 * also shows that a registered path is the API's, not the portal's. */
static const struct http_operation healthz_op = {
	.operation_id = "getHealthz",
	.method = "GET",
	.path = "/healthz",
	.ulfius_path = "/healthz",
	.invoke = http_builtin_getHealthz,
};

struct live {
	char dir[256];
	struct http_testing_pki pki; /* HTTPS only: dir[0] is 0 on plain HTTP */
	struct http_server *server;
	char base[64];
};

static struct live plain, tls;

static int live_start(struct live *l, int secure)
{
	struct http_server_options o = {.service = "portal-test", .listen_host = "127.0.0.1", .insecure_http = !secure};
	struct http_site *site = NULL;

	make_temp(l->dir, sizeof(l->dir), "live");
	build_portal(l->dir);
	if (secure) {
		if (http_testing_pki_make(&l->pki, "site_test"))
			return -1;
		o.cert_file = l->pki.cert;
		o.key_file = l->pki.key;
	}
	o.port = http_testing_free_port();
	if (http_site_load(&site, l->dir) || http_server_new(&l->server, &o) ||
	    http_server_add_operation(l->server, &healthz_op)) {
		fprintf(stderr, "live: %s\n", error_last());
		http_site_free(site);
		return -1;
	}
	http_server_set_site(l->server, site);
	if (http_server_start(l->server)) {
		fprintf(stderr, "live: %s\n", error_last());
		return -1;
	}
	snprintf(l->base, sizeof(l->base), "%s://127.0.0.1:%u", secure ? "https" : "http", o.port);
	return 0;
}

static int plain_setup(void **state)
{
	*state = &plain;
	return live_start(&plain, 0);
}

static int tls_setup(void **state)
{
	*state = &tls;
	return live_start(&tls, 1);
}

static int live_teardown(void **state)
{
	struct live *l = *state;

	http_server_free(l->server);
	remove_tree(l->dir);
	if (l->pki.dir[0])
		remove_tree(l->pki.dir);
	return 0;
}

static void assert_wire_security_headers(const struct http_testing_reply *r)
{
	assert_true(http_testing_has_header(r, "\nContent-Security-Policy: default-src 'none'; script-src 'self'; "
					       "style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src "
					       "'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; "
					       "frame-ancestors 'none'\r\n"));
	assert_true(http_testing_has_header(r, "\nX-Content-Type-Options: nosniff\r\n"));
	assert_true(http_testing_has_header(r, "\nReferrer-Policy: no-referrer\r\n"));
	assert_true(http_testing_has_header(r, "\nX-Frame-Options: DENY\r\n"));
	assert_true(http_testing_has_header(r, "\nCross-Origin-Opener-Policy: same-origin\r\n"));
	assert_true(http_testing_has_header(r, "\nCross-Origin-Resource-Policy: same-origin\r\n"));
	assert_true(http_testing_has_header(r, "\nPermissions-Policy: camera=(), microphone=(), geolocation=()\r\n"));
}

static void test_live_portal(void **state)
{
	struct live *l = *state;
	const char *br[] = {"Accept-Encoding: gzip, br", NULL};
	char u[512], etag[64], inm[128], buf[64];
	const char *cond[] = {inm, "Accept-Encoding: gzip, br", NULL};
	struct http_testing_reply r;

	snprintf(u, sizeof(u), "%s/", l->base);
	request(&r, "GET", u, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, INDEX_HTML);
	assert_wire_security_headers(&r);
	assert_true(http_testing_has_header(&r, "\nContent-Type: text/html; charset=utf-8\r\n"));
	assert_true(http_testing_has_header(&r, "\nCache-Control: no-cache\r\n"));
	assert_false(http_testing_has_header(&r, "no-store"));
	assert_false(http_testing_has_header(&r, "Strict-Transport-Security")); /* plain HTTP */
	assert_true(http_testing_has_header(&r, "\nX-Request-Id: "));

	snprintf(u, sizeof(u), "%s/images/sha256:abc", l->base);
	request(&r, "GET", u, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, INDEX_HTML);

	snprintf(u, sizeof(u), "%s/" JS_NAME, l->base);
	request(&r, "GET", u, br, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, JS_BR);
	assert_true(http_testing_has_header(&r, "\nContent-Encoding: br\r\n"));
	assert_true(http_testing_has_header(&r, "\nVary: Accept-Encoding\r\n"));
	assert_true(http_testing_has_header(&r, "\nContent-Type: text/javascript; charset=utf-8\r\n"));
	assert_true(http_testing_has_header(&r, "\nCache-Control: public, max-age=31536000, immutable\r\n"));
	assert_non_null(value_of(&r, "ETag", etag, sizeof(etag)));
	assert_wire_security_headers(&r);

	snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
	request(&r, "GET", u, cond, NULL);
	assert_int_equal(r.status, 304);
	assert_int_equal(r.len, 0);
	assert_true(http_testing_has_header(&r, etag));

	request(&r, "HEAD", u, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, 0);
	assert_string_equal(value_of(&r, "Content-Length", buf, sizeof(buf)), "24");
	assert_int_equal(strlen(JS_BODY), 24);
	assert_true(http_testing_has_header(&r, "\nETag: \""));

	/* missing files and traversal: problems, still with the portal's headers */
	snprintf(u, sizeof(u), "%s/assets/missing-00000000.js", l->base);
	request(&r, "GET", u, NULL, NULL);
	assert_int_equal(r.status, 404);
	assert_true(http_testing_has_header(&r, "Content-Type: application/problem+json"));
	assert_wire_security_headers(&r);
	snprintf(u, sizeof(u), "%s/../../etc/passwd", l->base);
	request(&r, "GET", u, NULL, NULL);
	assert_int_equal(r.status, 404);
	assert_null(strstr(r.body, "root:"));
	snprintf(u, sizeof(u), "%s/%%2e%%2e/%%2e%%2e/etc/passwd", l->base);
	request(&r, "GET", u, NULL, NULL);
	assert_int_equal(r.status, 404);
	assert_null(strstr(r.body, "root:"));
	snprintf(u, sizeof(u), "%s/passwd.txt", l->base);
	request(&r, "GET", u, NULL, NULL);
	assert_int_equal(r.status, 404);
}

static void test_live_api_paths_keep_problems(void **state)
{
	struct live *l = *state;
	char u[512], *metrics = NULL;
	size_t len = 0;
	struct http_testing_reply r;

	snprintf(u, sizeof(u), "%s/v1/images", l->base);
	request(&r, "GET", u, NULL, NULL);
	assert_int_equal(r.status, 404);
	assert_true(http_testing_has_header(&r, "Content-Type: application/problem+json"));
	assert_true(http_testing_has_header(&r, "\nX-Content-Type-Options: nosniff\r\n"));
	assert_true(http_testing_has_header(&r, "\nCache-Control: no-store\r\n"));
	assert_false(http_testing_has_header(&r, "Content-Security-Policy"));
	snprintf(u, sizeof(u), "%s/healthz", l->base);
	request(&r, "GET", u, NULL, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "{\"status\":\"ok\"}");
	assert_true(http_testing_has_header(&r, "\nCache-Control: no-store\r\n"));
	assert_false(http_testing_has_header(&r, "Content-Security-Policy"));
	snprintf(u, sizeof(u), "%s/readyz", l->base);
	request(&r, "GET", u, NULL, NULL);
	assert_int_equal(r.status, 404); /* not registered here: the API's problem, not index.html */
	assert_true(http_testing_has_header(&r, "application/problem+json"));
	snprintf(u, sizeof(u), "%s/index.html", l->base);
	request(&r, "POST", u, NULL, NULL);
	assert_int_equal(r.status, 404);
	assert_true(http_testing_has_header(&r, "application/problem+json"));

	assert_int_equal(http_metrics_render(&metrics, &len, l->server), ASEC_OK);
	assert_non_null(strstr(metrics, "route=\"portal\",method=\"GET\",status=\"200\""));
	assert_non_null(strstr(metrics, "route=\"unmatched\",method=\"GET\",status=\"404\""));
	free(metrics);
}

static void test_live_tls_adds_hsts(void **state)
{
	struct live *l = *state;
	char u[512];
	struct http_testing_reply r;

	snprintf(u, sizeof(u), "%s/", l->base);
	request(&r, "GET", u, NULL, l->pki.ca);
	assert_int_equal(r.status, 200);
	assert_true(http_testing_has_header(&r, "\nStrict-Transport-Security: max-age=31536000\r\n"));
	assert_wire_security_headers(&r);
	snprintf(u, sizeof(u), "%s/v2/x", l->base);
	request(&r, "GET", u, NULL, l->pki.ca);
	assert_int_equal(r.status, 404);
	assert_true(http_testing_has_header(&r, "\nStrict-Transport-Security: max-age=31536000\r\n"));
}

int main(void)
{
	const struct CMUnitTest resolve_tests[] = {
		cmocka_unit_test(test_content_types_and_left_out_files),
		cmocka_unit_test(test_identity_body_and_headers),
		cmocka_unit_test(test_encoding_served),
		cmocka_unit_test(test_etag_and_304),
		cmocka_unit_test(test_spa_fallback),
		cmocka_unit_test(test_api_paths_and_methods_not_served),
		cmocka_unit_test(test_traversal_refused),
		cmocka_unit_test(test_head),
	};
	const struct CMUnitTest unit_tests[] = {
		cmocka_unit_test(test_negotiation_rules),
		cmocka_unit_test(test_hashed_names),
		cmocka_unit_test(test_load_refusals),
		cmocka_unit_test(test_default_byte_limit),
		cmocka_unit_test(test_reload_when_index_changes),
	};
	const struct CMUnitTest plain_tests[] = {
		cmocka_unit_test(test_live_portal),
		cmocka_unit_test(test_live_api_paths_keep_problems),
	};
	const struct CMUnitTest tls_tests[] = {
		cmocka_unit_test(test_live_tls_adds_hsts),
	};
	FILE *devnull = fopen("/dev/null", "w");
	int failed;

	log_init("site_test", LOG_LEVEL_ERROR, devnull);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	failed = cmocka_run_group_tests_name("site_resolve", resolve_tests, site_setup, site_teardown);
	failed += cmocka_run_group_tests_name("site_unit", unit_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("site_live_http", plain_tests, plain_setup, live_teardown);
	failed += cmocka_run_group_tests_name("site_live_https", tls_tests, tls_setup, live_teardown);
	curl_global_cleanup();
	log_init("site_test", LOG_LEVEL_ERROR, NULL);
	fclose(devnull);
	return failed;
}
