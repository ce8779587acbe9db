/*
 * updater_test.c - online updates against a feed server of our own on
 * 127.0.0.1, and reloads through a real Scanner DB.
 *
 * The server is a thread with a listening socket that answers one request
 * at a time from a table of routes: files from ../shared/feeds/ (or bytes a
 * test puts there) with an ETag and a Last-Modified, answered 304 when the
 * request's validators match; an NVD CVE API 2.0 imitation that pages a
 * sample by startIndex/resultsPerPage and serves another data set when asked
 * for a lastModStartDate window; a fixed error status; and a download that
 * never ends. It records every request (target, validators, absolute form),
 * so a second instance doubles as an HTTP proxy that shows what went
 * through it.
 *
 * Tests that need PostgreSQL take it from ASEC_TEST_DATABASE_URL (skipped
 * without it), use source names of their own and delete them at the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "db/db.h"
#include "error/error.h"
#include "importer.h"
#include "log/log.h"
#include "store_vulns.h"
#include "testing/testing.h"
#include "updater.h"
#include "vulndata.h"

#define assert_ok(call)                                                      \
	do {                                                                 \
		int rc_ = (call);                                            \
		if (rc_ != ASEC_OK)                                          \
			print_error("%s: %d %s\n", #call, rc_, error_last()); \
		assert_int_equal(rc_, ASEC_OK);                              \
	} while (0)

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the feed server ---- */

enum { ROUTE_FILE, ROUTE_NVD, ROUTE_SLOW };

struct route {
	char path[64];
	int kind;
	unsigned char *body;
	size_t len;
	char etag[64], last_modified[64], content_type[64];
	int status; /* nonzero: answer this and nothing else */
};

struct reqrec {
	char target[2048];
	char inm[128], ims[128];
	int absolute;
	long long at;
};

#define MAX_ROUTES 16
#define MAX_LOG 1024

struct srv {
	int fd, port;
	pthread_t thread;
	atomic_int stop;
	atomic_int slow_started;
	pthread_mutex_t mu;
	struct reqrec log[MAX_LOG];
	size_t nlog;
};

static pthread_mutex_t routes_mu = PTHREAD_MUTEX_INITIALIZER;
static struct route routes[MAX_ROUTES];
static size_t nroutes;
static json_t *nvd_full, *nvd_window; /* arrays of API 2.0 items */
static struct srv origin, proxy;

static void send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static void send_head(int fd, int status, const char *reason, const char *extra, size_t len)
{
	char head[1024];
	int n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\n%sContent-Length: %zu\r\nConnection: close\r\n\r\n",
			 status, reason, extra, len);

	send_all(fd, head, (size_t)n);
}

/* A header's value in a raw request, "" when absent. */
static void header_value(char *out, size_t size, const char *req, const char *name)
{
	const char *p = req;
	size_t n = strlen(name), i = 0;

	out[0] = '\0';
	while ((p = strstr(p, "\r\n"))) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			while (*p && *p != '\r' && i + 1 < size)
				out[i++] = *p++;
			out[i] = '\0';
			return;
		}
	}
}

/* A query parameter's raw value, "" when absent. */
static void query_param(char *out, size_t size, const char *target, const char *name)
{
	const char *q = strchr(target, '?');
	size_t n = strlen(name), i = 0;

	out[0] = '\0';
	while (q) {
		q++;
		if (strncmp(q, name, n) == 0 && q[n] == '=') {
			q += n + 1;
			while (*q && *q != '&' && i + 1 < size)
				out[i++] = *q++;
			out[i] = '\0';
			return;
		}
		q = strchr(q, '&');
	}
}

static void serve_nvd(int fd, const char *target)
{
	char v[64];
	json_t *items, *page, *list;
	long start, per;
	size_t i;
	char *text;

	query_param(v, sizeof(v), target, "startIndex");
	start = atol(v);
	query_param(v, sizeof(v), target, "resultsPerPage");
	per = atol(v);
	query_param(v, sizeof(v), target, "lastModStartDate");
	items = v[0] ? nvd_window : nvd_full;
	list = json_array();
	for (i = (size_t)start; i < json_array_size(items) && i < (size_t)(start + per); i++)
		json_array_append(list, json_array_get(items, i));
	page = json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:o}", "resultsPerPage", (json_int_t)json_array_size(list),
			 "startIndex", (json_int_t)start, "totalResults", (json_int_t)json_array_size(items), "format",
			 "NVD_CVE", "version", "2.0", "timestamp", "2024-01-17T19:33:28.677", "vulnerabilities", list);
	text = json_dumps(page, JSON_COMPACT);
	send_head(fd, 200, "OK", "Content-Type: application/json\r\n", strlen(text));
	send_all(fd, text, strlen(text));
	free(text);
	json_decref(page);
}

static void serve(struct srv *s, int fd, const char *req)
{
	char method[16], target[2048], path[2048], extra[512];
	struct reqrec rec;
	struct route r;
	const char *p;
	size_t i;
	int found = 0;

	if (sscanf(req, "%15s %2047s", method, target) != 2)
		return;
	memset(&rec, 0, sizeof(rec));
	snprintf(rec.target, sizeof(rec.target), "%s", target);
	header_value(rec.inm, sizeof(rec.inm), req, "If-None-Match");
	header_value(rec.ims, sizeof(rec.ims), req, "If-Modified-Since");
	rec.absolute = strncmp(target, "http://", 7) == 0;
	rec.at = now_ms();
	pthread_mutex_lock(&s->mu);
	if (s->nlog < MAX_LOG)
		s->log[s->nlog++] = rec;
	pthread_mutex_unlock(&s->mu);

	p = rec.absolute ? strchr(target + 7, '/') : target;
	snprintf(path, sizeof(path), "%s", p ? p : "/");
	path[strcspn(path, "?")] = '\0';
	pthread_mutex_lock(&routes_mu);
	for (i = 0; i < nroutes; i++)
		if (strcmp(routes[i].path, path) == 0) {
			r = routes[i];
			found = 1;
			break;
		}
	if (found && r.kind == ROUTE_NVD) {
		serve_nvd(fd, target);
		pthread_mutex_unlock(&routes_mu);
		return;
	}
	pthread_mutex_unlock(&routes_mu);
	if (!found) {
		send_head(fd, 404, "Not Found", "", 0);
		return;
	}
	if (r.status) {
		send_head(fd, r.status, "Test Status", "", 5);
		send_all(fd, "oops\n", 5);
		return;
	}
	if (r.kind == ROUTE_SLOW) {
		static const char chunk[1024];
		send_head(fd, 200, "OK", "Content-Type: application/octet-stream\r\n", 100u << 20);
		atomic_store(&s->slow_started, 1);
		while (!atomic_load(&s->stop)) {
			if (send(fd, chunk, sizeof(chunk), MSG_NOSIGNAL) <= 0)
				break;
			usleep(20000);
		}
		return;
	}
	/* a matching If-None-Match wins; If-Modified-Since counts only without one */
	if ((rec.inm[0] && strcmp(rec.inm, r.etag) == 0) ||
	    (!rec.inm[0] && rec.ims[0] && strcmp(rec.ims, r.last_modified) == 0)) {
		snprintf(extra, sizeof(extra), "ETag: %s\r\n", r.etag);
		send_head(fd, 304, "Not Modified", extra, 0);
		return;
	}
	snprintf(extra, sizeof(extra), "ETag: %s\r\nLast-Modified: %s\r\nContent-Type: %s\r\n", r.etag, r.last_modified,
		 r.content_type);
	send_head(fd, 200, "OK", extra, r.len);
	send_all(fd, r.body, r.len);
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;

	while (!atomic_load(&s->stop)) {
		struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
		char req[16384];
		size_t have = 0;
		long long give_up;
		int c;

		if (poll(&pfd, 1, 20) <= 0 || (c = accept(s->fd, NULL, NULL)) < 0)
			continue;
		give_up = now_ms() + 3000;
		while (have < sizeof(req) - 1 && now_ms() < give_up) {
			struct pollfd q = {.fd = c, .events = POLLIN};
			ssize_t n;
			if (poll(&q, 1, 20) <= 0)
				continue;
			if ((n = recv(c, req + have, sizeof(req) - 1 - have, 0)) <= 0)
				break;
			have += (size_t)n;
			req[have] = '\0';
			if (strstr(req, "\r\n\r\n"))
				break;
		}
		req[have] = '\0';
		serve(s, c, req);
		shutdown(c, SHUT_WR);
		close(c);
	}
	return NULL;
}

static int srv_start(struct srv *s)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	int one = 1;

	pthread_mutex_init(&s->mu, NULL);
	if ((s->fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s->fd, (struct sockaddr *)&a, sizeof(a)) || listen(s->fd, 16) ||
	    getsockname(s->fd, (struct sockaddr *)&a, &alen))
		return -1;
	s->port = ntohs(a.sin_port);
	return pthread_create(&s->thread, NULL, srv_main, s) ? -1 : 0;
}

static void srv_stop(struct srv *s)
{
	atomic_store(&s->stop, 1);
	pthread_join(s->thread, NULL);
	close(s->fd);
}

static size_t srv_count(struct srv *s)
{
	size_t n;

	pthread_mutex_lock(&s->mu);
	n = s->nlog;
	pthread_mutex_unlock(&s->mu);
	return n;
}

static struct reqrec srv_request(struct srv *s, size_t i)
{
	struct reqrec r;

	pthread_mutex_lock(&s->mu);
	r = s->log[i];
	pthread_mutex_unlock(&s->mu);
	return r;
}

/* Requests whose target contains what, counted from index from. */
static size_t srv_hits(struct srv *s, size_t from, const char *what)
{
	size_t i, n = 0;

	pthread_mutex_lock(&s->mu);
	for (i = from; i < s->nlog; i++)
		n += strstr(s->log[i].target, what) != NULL;
	pthread_mutex_unlock(&s->mu);
	return n;
}

/* Adds or replaces a route; body is copied. */
static void route_set(const char *path, int kind, const void *body, size_t len, const char *etag,
		      const char *last_modified, const char *content_type, int status)
{
	struct route *r = NULL;
	size_t i;

	pthread_mutex_lock(&routes_mu);
	for (i = 0; i < nroutes; i++)
		if (strcmp(routes[i].path, path) == 0)
			r = &routes[i];
	if (!r) {
		assert_true(nroutes < MAX_ROUTES);
		r = &routes[nroutes++];
	} else {
		free(r->body);
	}
	memset(r, 0, sizeof(*r));
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->kind = kind;
	if (len) {
		r->body = malloc(len);
		memcpy(r->body, body, len);
		r->len = len;
	}
	snprintf(r->etag, sizeof(r->etag), "%s", etag ? etag : "");
	snprintf(r->last_modified, sizeof(r->last_modified), "%s", last_modified ? last_modified : "");
	snprintf(r->content_type, sizeof(r->content_type), "%s", content_type ? content_type : "application/octet-stream");
	r->status = status;
	pthread_mutex_unlock(&routes_mu);
}

static void route_file(const char *path, const char *feed, const char *etag, const char *last_modified,
		       const char *content_type)
{
	char where[1024];
	unsigned char *data;
	size_t len;

	testing_shared_path(where, sizeof(where), feed);
	data = testing_read_file(where, &len);
	assert_non_null(data);
	route_set(path, ROUTE_FILE, data, len, etag, last_modified, content_type, 0);
	free(data);
}

/* A whole gzip file from ../shared/feeds/, inflated. */
static char *read_gzip(const char *feed, size_t *len)
{
	char where[1024], buf[65536];
	gzFile f;
	char *out = NULL;
	size_t used = 0;
	int n;

	testing_shared_path(where, sizeof(where), feed);
	f = gzopen(where, "rb");
	assert_non_null(f);
	while ((n = gzread(f, buf, sizeof(buf))) > 0) {
		out = realloc(out, used + (size_t)n + 1);
		memcpy(out + used, buf, (size_t)n);
		used += (size_t)n;
	}
	gzclose(f);
	assert_non_null(out);
	out[used] = '\0';
	*len = used;
	return out;
}

/* ---- the updater under test ---- */

static struct vulndata_holder *holder;
static pthread_mutex_t import_lock = PTHREAD_MUTEX_INITIALIZER;

static void fast_options(struct updater_options *o)
{
	memset(o, 0, sizeof(*o));
	o->retry_min_ms = 100;
	o->nvd_page_delay_ms = 5;
	o->nvd_page_size = 10;
	o->stall_timeout_s = 5;
	o->http_attempts = 1;
}

static char *sources_json(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *sources_json(const char *fmt, ...)
{
	static char buf[8][2048];
	static int next;
	char *out = buf[next++ % 8];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, sizeof(buf[0]), fmt, ap);
	va_end(ap);
	return out;
}

/* The partition of that name in h's current snapshot (a borrowed pointer,
 * good for identity checks), NULL when absent; *records its size. */
static const struct vulndata_source *partition(struct vulndata_holder *h, const char *name, size_t *records)
{
	struct vulndata *d = vulndata_holder_get(h);
	const struct vulndata_source *found = NULL;
	size_t i;

	for (i = 0; i < vulndata_source_count(d); i++)
		if (strcmp(vulndata_source_name(vulndata_source_at(d, i)), name) == 0)
			found = vulndata_source_at(d, i);
	if (records)
		*records = found ? vulndata_source_records(found) : 0;
	vulndata_unref(d);
	return found;
}

static int group_setup(void **state)
{
	static const char *const proxies[] = {"http_proxy", "https_proxy", "all_proxy", "HTTPS_PROXY", "ALL_PROXY",
					      NULL};
	const char *const *p;
	size_t len;
	char *text;
	json_t *doc;

	/* the updater's default is the environment's proxy; this test's servers are on loopback */
	for (p = proxies; *p; p++)
		unsetenv(*p);
	log_init("updater_test", LOG_LEVEL_WARN, NULL);
	if (vulndata_holder_new(&holder) || srv_start(&origin) || srv_start(&proxy))
		return -1;
	text = read_gzip("feeds/nvd-api-2.0-sample-100.json.gz", &len);
	doc = json_loadb(text, len, 0, NULL);
	free(text);
	if (!doc)
		return -1;
	nvd_full = json_incref(json_object_get(doc, "vulnerabilities"));
	nvd_window = json_array();
	json_decref(doc);
	return 0;
}

static int group_teardown(void **state)
{
	size_t i;

	srv_stop(&origin);
	srv_stop(&proxy);
	for (i = 0; i < nroutes; i++)
		free(routes[i].body);
	json_decref(nvd_full);
	json_decref(nvd_window);
	vulndata_holder_free(holder);
	return 0;
}

/* ---- the sources file ---- */

static void expect_refused(const char *json, const char *says)
{
	struct updater_options o;
	struct updater *u = (struct updater *)1;

	fast_options(&o);
	o.sources_json = json;
	assert_int_equal(updater_new(&u, &o, NULL, holder, &import_lock), ASEC_EINVALID);
	assert_null(u);
	if (!strstr(error_last(), says))
		fail_msg("for %s: expected \"%s\" in \"%s\"", json, says, error_last());
}

static void test_sources_are_checked(void **state)
{
	struct updater_options o;
	struct updater *u = NULL;
	char path[] = "/tmp/updater-test-XXXXXX";
	int fd;

	expect_refused("{\"sources\": [", "not JSON");
	expect_refused("[]", "must hold an object");
	expect_refused("{\"sources\": [], \"proxy\": \"x\"}", "unknown key \"proxy\"");
	expect_refused("{\"sources\": {}}", "must be an array");
	expect_refused("{\"sources\": [{\"name\": \"a\", \"url\": \"https://x/a\", \"urls\": \"y\"}]}",
		       "sources[0]: unknown key \"urls\"");
	expect_refused("{\"sources\": [{\"name\": \"-a\", \"url\": \"https://x/a\"}]}", "not a valid source name");
	expect_refused("{\"sources\": [{\"name\": \"a b\", \"url\": \"https://x/a\"}]}", "not a valid source name");
	expect_refused("{\"sources\": [{\"url\": \"https://x/a\"}]}", "sources[0].name is missing");
	expect_refused("{\"sources\": [{\"name\": \"a\"}]}", "source a has no url");
	expect_refused("{\"sources\": [{\"name\": \"a\", \"url\": \"ftp://x/a\"}]}", "http:// or https://");
	expect_refused("{\"sources\": [{\"name\": \"a\", \"url\": \"file:///etc/passwd\"}]}", "http:// or https://");
	expect_refused("{\"sources\": [{\"name\": \"a\", \"url\": \"https://x/a b\"}]}", "space or a control");
	expect_refused("{\"sources\": [{\"name\": \"a\", \"url\": 5}]}", "sources[0].url must be a string");
	expect_refused("{\"sources\": [{\"name\": \"a\", \"url\": \"https://x/a\"}, {\"name\": \"a\", \"url\": "
		       "\"https://x/b\"}]}",
		       "source name a is used twice");
	expect_refused("{\"sources\": [{\"name\": \"a\", \"url\": \"https://x/a\", \"interval\": \"6x\"}]}",
		       "interval \"6x\"");
	expect_refused("{\"sources\": [{\"name\": \"a\", \"url\": \"https://x/a\", \"interval\": \"10s\"}]}",
		       "interval \"10s\"");
	expect_refused("{\"sources\": [{\"name\": \"a\", \"url\": \"https://x/a\", \"format\": \"docx\"}]}",
		       "unknown format \"docx\"");
	expect_refused("{\"sources\": [{\"name\": \"a\", \"url\": \"https://x/a\", \"incremental\": \"rsync\"}]}",
		       "incremental must be \"nvd-api\"");
	expect_refused("{\"sources\": [{\"name\": \"a\", \"url\": \"https://x/a\", \"incremental\": \"nvd-api\", "
		       "\"format\": \"osv\"}]}",
		       "of format \"nvd\"");
	expect_refused("{\"sources\": [{\"name\": \"a\", \"name\": \"b\", \"url\": \"https://x/a\"}]}", "not JSON");

	/* a good file, read from disk */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	dprintf(fd, "{\"sources\": [{\"name\": \"osv-pypi\", \"url\": \"https://user:pw@example.com/PyPI/all.zip\", "
		    "\"format\": \"osv\", \"interval\": \"30m\"}, {\"name\": \"nvd\", \"url\": "
		    "\"https://services.nvd.nist.gov/rest/json/cves/2.0\", \"incremental\": \"nvd-api\"}]}");
	close(fd);
	fast_options(&o);
	o.sources_file = path;
	assert_ok(updater_new(&u, &o, NULL, holder, &import_lock));
	assert_int_equal(updater_source_count(u), 2);
	updater_free(u);
	unlink(path);

	o.sources_file = "/nonexistent/updaters.json";
	assert_int_equal(updater_new(&u, &o, NULL, holder, &import_lock), ASEC_EIO);
	assert_non_null(strstr(error_last(), "/nonexistent/updaters.json"));

	o.sources_file = NULL;
	o.proxy = "proxy.corp:3128";
	assert_int_equal(updater_new(&u, &o, NULL, holder, &import_lock), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "ROX_MATCHER_UPDATE_PROXY"));
	o.proxy = "socks5h://proxy.corp:1080";
	assert_ok(updater_new(&u, &o, NULL, holder, &import_lock));
	updater_free(u);
	o.proxy = NULL;

	/* no file at all: no sources, nothing to refuse */
	o.sources_file = NULL;
	assert_ok(updater_new(&u, &o, NULL, holder, &import_lock));
	assert_int_equal(updater_source_count(u), 0);
	assert_ok(updater_start(u));
	updater_free(u);
}

/* ---- the extra CA ---- */

static size_t count_certificates(const char *text)
{
	size_t n = 0;

	for (; (text = strstr(text, "-----BEGIN CERTIFICATE-----")); text++)
		n++;
	return n;
}

/* libcurl trusts only the file it is given, so the extra CA and the
 * system's roots must be in one file, which goes when the updater does. */
static void test_extra_ca_joins_the_system_roots(void **state)
{
	const char *source = getenv("ASEC_SOURCE_DIR");
	char dir[] = "/tmp/updater-ca-XXXXXX", ca[1024], bad[1100], bundle[1100];
	unsigned char *pem, *joined, *system;
	struct updater_options o;
	struct updater *u = NULL;
	size_t pem_len, joined_len, system_len = 0, files = 0;
	struct dirent *e;
	DIR *d;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(ca, sizeof(ca), "%s/shared/httpclient/testdata/ca.pem", source && source[0] ? source : ".");
	pem = testing_read_file(ca, &pem_len);
	assert_non_null(pem);
	setenv("TMPDIR", dir, 1);
	fast_options(&o);
	o.ca_file = ca;
	assert_ok(updater_new(&u, &o, NULL, holder, &import_lock));
	d = opendir(dir);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(bundle, sizeof(bundle), "%s/%s", dir, e->d_name);
			files++;
		}
	closedir(d);
	assert_int_equal(files, 1);
	joined = testing_read_file(bundle, &joined_len);
	assert_non_null(joined);
	assert_non_null(strstr((char *)joined, (char *)pem));
	system = testing_read_file("/etc/ssl/certs/ca-certificates.crt", &system_len);
	if (system)
		assert_true(count_certificates((char *)joined) >= count_certificates((char *)system) + 1);
	updater_free(u);
	assert_int_equal(access(bundle, F_OK), -1); /* removed with the updater */

	snprintf(bad, sizeof(bad), "%s/not-a-cert.pem", dir);
	f = fopen(bad, "w");
	fputs("hello\n", f);
	fclose(f);
	o.ca_file = bad;
	assert_int_equal(updater_new(&u, &o, NULL, holder, &import_lock), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "holds no PEM certificate"));
	unlink(bad);
	o.ca_file = "/nonexistent/ca.pem";
	assert_int_equal(updater_new(&u, &o, NULL, holder, &import_lock), ASEC_EIO);
	assert_non_null(strstr(error_last(), "ROX_MATCHER_UPDATE_CA /nonexistent/ca.pem"));
	unsetenv("TMPDIR");
	assert_int_equal(rmdir(dir), 0); /* nothing left behind */
	free(pem);
	free(joined);
	free(system);
}

/* ---- conditional GET ---- */

static void test_conditional_get(void **state)
{
	struct updater_options o;
	struct updater *u = NULL;
	struct updater_outcome out;
	const struct vulndata_source *before;
	size_t first, records, from, len;
	struct reqrec r;
	char *kev, *smaller;
	json_t *doc;

	route_file("/kev.json.gz", "feeds/cisa-kev.json.gz", "\"v1\"", "Wed, 21 Oct 2015 07:28:00 GMT",
		   "application/gzip");
	fast_options(&o);
	o.sources_json = sources_json("{\"sources\": [{\"name\": \"t-kev\", \"url\": \"http://127.0.0.1:%d/kev.json.gz\", "
				      "\"format\": \"kev\"}]}", origin.port);
	assert_ok(updater_new(&u, &o, NULL, holder, &import_lock));

	/* first fetch: nothing to send back, everything imported */
	from = srv_count(&origin);
	assert_ok(updater_update(&out, u, "t-kev"));
	assert_int_equal(out.result, UPDATER_IMPORTED);
	assert_int_equal(out.http_status, 200);
	assert_true(out.records > 1000);
	r = srv_request(&origin, from);
	assert_string_equal(r.inm, "");
	assert_string_equal(r.ims, "");
	before = partition(holder, "t-kev", &first);
	assert_non_null(before);
	assert_int_equal(first, out.records);

	/* second: the validators go back, the answer is 304, nothing changes */
	from = srv_count(&origin);
	assert_ok(updater_update(&out, u, "t-kev"));
	assert_int_equal(out.result, UPDATER_NOT_MODIFIED);
	assert_int_equal(out.http_status, 304);
	r = srv_request(&origin, from);
	assert_string_equal(r.inm, "\"v1\"");
	assert_string_equal(r.ims, "Wed, 21 Oct 2015 07:28:00 GMT");
	assert_ptr_equal(partition(holder, "t-kev", NULL), before);

	/* the feed changes (a new ETag, five entries, plain JSON): imported again */
	kev = read_gzip("feeds/cisa-kev.json.gz", &len);
	doc = json_loads(kev, 0, NULL);
	assert_non_null(doc);
	while (json_array_size(json_object_get(doc, "vulnerabilities")) > 5)
		json_array_remove(json_object_get(doc, "vulnerabilities"), 5);
	smaller = json_dumps(doc, 0);
	route_set("/kev.json.gz", ROUTE_FILE, smaller, strlen(smaller), "\"v2\"", "Thu, 22 Oct 2015 07:28:00 GMT",
		  "application/json", 0);
	from = srv_count(&origin);
	assert_ok(updater_update(&out, u, "t-kev"));
	assert_int_equal(out.result, UPDATER_IMPORTED);
	assert_int_equal(out.records, 5);
	r = srv_request(&origin, from);
	assert_string_equal(r.inm, "\"v1\"");
	assert_non_null(partition(holder, "t-kev", &records));
	assert_int_equal(records, 5);

	/* and the new validators are the ones sent next */
	from = srv_count(&origin);
	assert_ok(updater_update(&out, u, "t-kev"));
	assert_int_equal(out.result, UPDATER_NOT_MODIFIED);
	assert_string_equal(srv_request(&origin, from).inm, "\"v2\"");

	/* a feed that starts serving something else is refused, data kept */
	route_file("/kev.json.gz", "feeds/go-vulndb-osv-GO-2020-2025.jsonl.gz", "\"v3\"", "x", "application/gzip");
	assert_int_equal(updater_update(&out, u, "t-kev"), ASEC_EINVALID);
	assert_non_null(strstr(error_last(), "not the configured format kev"));
	assert_non_null(partition(holder, "t-kev", &records));
	assert_int_equal(records, 5);

	assert_int_equal(updater_update(&out, u, "nope"), ASEC_ENOTFOUND);
	updater_free(u);
	free(kev);
	free(smaller);
	json_decref(doc);
}

/* ---- failures stay with their source ---- */

static void test_failing_source_does_not_stop_others(void **state)
{
	struct updater_options o;
	struct updater *u = NULL;
	size_t records = 0, i, n;
	long long deadline, at[8];
	int k = 0;

	route_set("/broken", ROUTE_FILE, NULL, 0, NULL, NULL, NULL, 500);
	route_file("/go.jsonl.gz", "feeds/go-vulndb-osv-GO-2020-2025.jsonl.gz", "\"g1\"", "", "application/gzip");
	fast_options(&o);
	o.sources_json = sources_json("{\"sources\": ["
				      "{\"name\": \"t-broken\", \"url\": \"http://127.0.0.1:%d/broken\"},"
				      "{\"name\": \"t-go\", \"url\": \"http://127.0.0.1:%d/go.jsonl.gz\"}]}",
				      origin.port, origin.port);
	assert_ok(updater_new(&u, &o, NULL, holder, &import_lock));
	n = srv_count(&origin);
	assert_ok(updater_start(u));
	/* the broken source is retried after 100, 200, 400 ms while the other imports */
	deadline = now_ms() + 20000;
	while (now_ms() < deadline && (srv_hits(&origin, n, "/broken") < 4 || !partition(holder, "t-go", &records)))
		usleep(20000);
	updater_stop(u);
	assert_non_null(partition(holder, "t-go", &records));
	assert_true(records > 2000);
	assert_int_equal(srv_hits(&origin, n, "/go.jsonl.gz"), 1);
	for (i = n; i < srv_count(&origin) && k < 8; i++)
		if (strstr(srv_request(&origin, i).target, "/broken"))
			at[k++] = srv_request(&origin, i).at;
	assert_true(k >= 4);
	/* the pauses grow: roughly 100, 200, 400 ms */
	assert_true(at[1] - at[0] >= 90);
	assert_true(at[2] - at[1] >= 190);
	assert_true(at[3] - at[2] >= 390);
	assert_null(partition(holder, "t-broken", NULL));
	updater_free(u);
}

/* ---- the proxy setting ---- */

static void test_proxy_is_used(void **state)
{
	struct updater_options o;
	struct updater *u = NULL;
	struct updater_outcome out;
	char proxy_url[64], want[128];
	size_t from_origin, from_proxy;
	struct reqrec r;

	route_file("/proxied.json.gz", "feeds/cisa-kev.json.gz", "\"p1\"", "", "application/gzip");
	fast_options(&o);
	snprintf(proxy_url, sizeof(proxy_url), "http://127.0.0.1:%d", proxy.port);
	o.proxy = proxy_url;
	o.sources_json = sources_json("{\"sources\": [{\"name\": \"t-proxied\", \"url\": "
				      "\"http://127.0.0.1:%d/proxied.json.gz\"}]}", origin.port);
	assert_ok(updater_new(&u, &o, NULL, holder, &import_lock));
	from_origin = srv_count(&origin);
	from_proxy = srv_count(&proxy);
	assert_ok(updater_update(&out, u, "t-proxied"));
	assert_int_equal(out.result, UPDATER_IMPORTED);
	assert_int_equal(srv_count(&origin), from_origin); /* nothing went straight there */
	assert_int_equal(srv_count(&proxy), from_proxy + 1);
	r = srv_request(&proxy, from_proxy);
	assert_true(r.absolute);
	snprintf(want, sizeof(want), "http://127.0.0.1:%d/proxied.json.gz", origin.port);
	assert_string_equal(r.target, want);
	updater_free(u);
}

/* ---- NVD paging (no store: every run is a full walk) ---- */

static size_t count_nvd_pages(struct srv *s, size_t from, int per, const char **why)
{
	size_t i, pages = 0;
	char v[64], want[64];

	*why = NULL;
	for (i = from; i < srv_count(s); i++) {
		struct reqrec r = srv_request(s, i);
		if (!strstr(r.target, "/cves/2.0"))
			continue;
		query_param(v, sizeof(v), r.target, "startIndex");
		snprintf(want, sizeof(want), "%zu", pages * (size_t)per);
		if (strcmp(v, want) != 0)
			*why = "startIndex out of sequence";
		query_param(v, sizeof(v), r.target, "resultsPerPage");
		if (atoi(v) != per)
			*why = "resultsPerPage is not the configured size";
		pages++;
	}
	return pages;
}

static void test_nvd_paging(void **state)
{
	struct updater_options o;
	struct updater *u = NULL;
	struct updater_outcome out;
	struct vulndata_holder *direct = NULL;
	struct import_batch *b = NULL;
	json_t *result = NULL;
	char *text;
	size_t len, from, records, whole;
	const char *why;

	route_set("/rest/json/cves/2.0", ROUTE_NVD, NULL, 0, NULL, NULL, NULL, 0);
	fast_options(&o);
	o.sources_json = sources_json("{\"sources\": [{\"name\": \"t-nvd-paged\", \"url\": "
				      "\"http://127.0.0.1:%d/rest/json/cves/2.0\", \"incremental\": \"nvd-api\"}]}",
				      origin.port);
	assert_ok(updater_new(&u, &o, NULL, holder, &import_lock));
	from = srv_count(&origin);
	assert_ok(updater_update(&out, u, "t-nvd-paged"));
	assert_int_equal(out.result, UPDATER_IMPORTED);
	assert_false(out.incremental);
	assert_int_equal(out.requests, 11); /* 101 CVEs, 10 a page */
	assert_int_equal(count_nvd_pages(&origin, from, 10, &why), 11);
	if (why)
		fail_msg("%s", why);
	assert_int_equal(srv_hits(&origin, from, "lastModStartDate"), 0);

	/* the pages give what the whole file gives */
	text = read_gzip("feeds/nvd-api-2.0-sample-100.json.gz", &len);
	assert_ok(vulndata_holder_new(&direct));
	assert_ok(import_batch_new(&b));
	assert_ok(import_add_buffer(b, text, len, "nvd.json", "t-nvd-paged"));
	assert_ok(import_commit(&result, b, NULL, direct));
	partition(direct, "t-nvd-paged", &whole);
	assert_non_null(partition(holder, "t-nvd-paged", &records));
	assert_true(whole > 90);
	assert_int_equal(records, whole);
	import_batch_free(b);
	json_decref(result);
	vulndata_holder_free(direct);
	free(text);
	updater_free(u);
}

/* ---- stopping ---- */

static void test_stop_is_prompt(void **state)
{
	struct updater_options o;
	struct updater *u = NULL;
	long long deadline, t0;
	size_t from;

	/* a download that never ends */
	route_set("/endless", ROUTE_SLOW, NULL, 0, NULL, NULL, NULL, 0);
	fast_options(&o);
	o.stall_timeout_s = 60;
	o.sources_json = sources_json("{\"sources\": [{\"name\": \"t-endless\", \"url\": "
				      "\"http://127.0.0.1:%d/endless\"}]}", origin.port);
	assert_ok(updater_new(&u, &o, NULL, holder, &import_lock));
	atomic_store(&origin.slow_started, 0);
	assert_ok(updater_start(u));
	deadline = now_ms() + 10000;
	while (!atomic_load(&origin.slow_started) && now_ms() < deadline)
		usleep(10000);
	assert_true(atomic_load(&origin.slow_started));
	usleep(200000);
	t0 = now_ms();
	updater_stop(u);
	assert_true(now_ms() - t0 < 1500);
	assert_null(partition(holder, "t-endless", NULL));
	updater_free(u);

	/* a pause between NVD pages */
	route_set("/nvd-slow/cves/2.0", ROUTE_NVD, NULL, 0, NULL, NULL, NULL, 0);
	fast_options(&o);
	o.nvd_page_delay_ms = 60000;
	o.sources_json = sources_json("{\"sources\": [{\"name\": \"t-nvd-pause\", \"url\": "
				      "\"http://127.0.0.1:%d/nvd-slow/cves/2.0\", \"incremental\": \"nvd-api\"}]}",
				      origin.port);
	assert_ok(updater_new(&u, &o, NULL, holder, &import_lock));
	from = srv_count(&origin);
	assert_ok(updater_start(u));
	deadline = now_ms() + 10000;
	while (srv_hits(&origin, from, "/nvd-slow/") < 1 && now_ms() < deadline)
		usleep(10000);
	usleep(200000);
	t0 = now_ms();
	updater_stop(u);
	assert_true(now_ms() - t0 < 1500);
	assert_int_equal(srv_hits(&origin, from, "/nvd-slow/"), 1);
	assert_null(partition(holder, "t-nvd-pause", NULL));
	updater_free(u);
}

/* ---- with Scanner DB ---- */

static struct db_pool *test_pool(void)
{
	const char *url = getenv("ASEC_TEST_DATABASE_URL");
	struct db_pool_options opts = {.conninfo = url, .application_name = "updater_test", .max_connections = 4};
	struct db_pool *pool = NULL;

	if (!url || !url[0]) {
		if (testing_in_ci())
			fail_msg("ASEC_TEST_DATABASE_URL is required under CI");
		skip();
	}
	assert_ok(db_pool_open(&pool, &opts));
	assert_ok(store_vulns_migrate(pool));
	return pool;
}

static void drop_source(struct db_pool *pool, const char *name)
{
	const char *params[1] = {name};

	assert_ok(db_query(NULL, pool, "DELETE FROM vuln_sources WHERE name = $1", 1, params));
}

/* Every source a test stores starts "t-upd-<pid>-", so that the teardown
 * finds them even when an assertion cut the test short. */
static void unique_name(char *out, size_t size, const char *what)
{
	snprintf(out, size, "t-upd-%d-%s-%lld", (int)getpid(), what, now_ms());
}

static int drop_test_sources(void **state)
{
	const char *url = getenv("ASEC_TEST_DATABASE_URL");
	struct db_pool_options opts = {.conninfo = url, .application_name = "updater_test", .max_connections = 1};
	struct db_pool *pool = NULL;
	char pattern[64];
	const char *params[1] = {pattern};
	int rc;

	if (!url || !url[0])
		return 0;
	snprintf(pattern, sizeof(pattern), "t-upd-%d-%%", (int)getpid());
	if ((rc = db_pool_open(&pool, &opts)) == ASEC_OK)
		rc = db_query(NULL, pool, "DELETE FROM vuln_sources WHERE name LIKE $1", 1, params);
	db_pool_close(pool);
	return rc ? -1 : 0;
}

/* Item i of the sample with a new description (and id, when given). */
static json_t *nvd_item(size_t i, const char *id, const char *description, const char *status)
{
	json_t *item = json_deep_copy(json_array_get(nvd_full, i));
	json_t *cve = json_object_get(item, "cve");

	if (id)
		json_object_set_new(cve, "id", json_string(id));
	if (description)
		json_object_set_new(cve, "descriptions", json_pack("[{s:s, s:s}]", "lang", "en", "value", description));
	if (status)
		json_object_set_new(cve, "vulnStatus", json_string(status));
	json_object_set_new(cve, "lastModified", json_string("2026-08-20T10:00:00.000"));
	return item;
}

static const char *description_of(struct vulndata_holder *h, const char *cve)
{
	static char buf[256];
	struct vulndata *d = vulndata_holder_get(h);
	const json_t *rec = vulndata_nvd(d, cve);

	snprintf(buf, sizeof(buf), "%s", rec ? json_string_value(json_object_get(rec, "description")) ?: "" : "(none)");
	vulndata_unref(d);
	return buf;
}

static const char *cve_at(size_t i)
{
	return json_string_value(json_object_get(json_object_get(json_array_get(nvd_full, i), "cve"), "id"));
}

static int count_lines(void *ctx, const struct store_source *s)
{
	size_t *n = ctx, i;

	for (i = 0; i < s->lines_len; i++)
		*n += s->lines[i] == '\n';
	return 0;
}

static void test_nvd_incremental_merge(void **state)
{
	struct db_pool *pool = test_pool();
	struct vulndata_holder *h = NULL; /* its own: other tests' NVD partitions would answer too */
	struct updater_options o;
	struct updater *u = NULL;
	struct updater_outcome out;
	char name[64], *etag = NULL, *lm = NULL, a[64], z[64], want[64], new_id[32], kept[32];
	long long updated_at;
	size_t from, full, records, stored = 0;
	const char *why;
	struct reqrec r;

	unique_name(name, sizeof(name), "nvd");
	route_set("/merge/cves/2.0", ROUTE_NVD, NULL, 0, NULL, NULL, NULL, 0);
	json_array_clear(nvd_window);
	fast_options(&o);
	o.sources_json = sources_json("{\"sources\": [{\"name\": \"%s\", \"url\": "
				      "\"http://127.0.0.1:%d/merge/cves/2.0\", \"incremental\": \"nvd-api\"}]}",
				      name, origin.port);
	assert_ok(vulndata_holder_new(&h));
	assert_ok(updater_new(&u, &o, pool, h, &import_lock));

	/* first run: everything, page by page */
	from = srv_count(&origin);
	assert_ok(updater_update(&out, u, name));
	assert_int_equal(out.result, UPDATER_IMPORTED);
	assert_false(out.incremental);
	assert_int_equal(count_nvd_pages(&origin, from, 10, &why), 11);
	assert_null(why);
	assert_non_null(partition(h, name, &full));
	assert_true(full > 90);
	assert_ok(store_vulns_fetch_state(&etag, &lm, &updated_at, pool, name));
	assert_int_equal(strlen(lm), 20); /* 2026-08-21T10:15:02Z: the end of the walk */

	/* second run: a window from there to now, merged into what is stored */
	snprintf(new_id, sizeof(new_id), "CVE-2099-%d", (int)getpid() % 100000 + 10000);
	snprintf(kept, sizeof(kept), "%s", cve_at(3));
	json_array_append_new(nvd_window, nvd_item(0, NULL, "changed in the window", NULL));
	json_array_append_new(nvd_window, nvd_item(1, new_id, "a new CVE", NULL));
	json_array_append_new(nvd_window, nvd_item(2, NULL, NULL, "Rejected"));
	assert_string_not_equal(description_of(h, cve_at(0)), "changed in the window");
	assert_string_not_equal(description_of(h, cve_at(2)), "(none)");
	sleep(1); /* a window of at least a second */
	from = srv_count(&origin);
	assert_ok(updater_update(&out, u, name));
	assert_int_equal(out.result, UPDATER_IMPORTED);
	assert_true(out.incremental);
	assert_int_equal(srv_hits(&origin, from, "/merge/"), 1);
	r = srv_request(&origin, from);
	query_param(a, sizeof(a), r.target, "lastModStartDate");
	query_param(z, sizeof(z), r.target, "lastModEndDate");
	snprintf(want, sizeof(want), "%.19s.000%%2B00:00", lm);
	assert_string_equal(a, want);
	assert_true(strcmp(z, a) > 0);
	assert_non_null(partition(h, name, &records));
	assert_int_equal(records, full); /* one added, one rejected */
	assert_string_equal(description_of(h, cve_at(0)), "changed in the window");
	assert_string_equal(description_of(h, new_id), "a new CVE");
	assert_string_equal(description_of(h, cve_at(2)), "(none)");
	assert_string_not_equal(description_of(h, kept), "(none)");
	assert_ok(store_vulns_load_one(pool, name, count_lines, &stored));
	assert_int_equal(stored, full);

	/* third run: nothing changed, so the window stays open from the same start */
	free(lm);
	free(etag);
	assert_ok(store_vulns_fetch_state(&etag, &lm, &updated_at, pool, name));
	json_array_clear(nvd_window);
	from = srv_count(&origin);
	assert_ok(updater_update(&out, u, name));
	assert_int_equal(out.result, UPDATER_NOT_MODIFIED);
	query_param(a, sizeof(a), srv_request(&origin, from).target, "lastModStartDate");
	snprintf(want, sizeof(want), "%.19s.000%%2B00:00", lm);
	assert_string_equal(a, want);

	/* a last success older than NVD's 120 days: everything again, not merged */
	{
		const char *params[2] = {"2020-01-01T00:00:00Z", name};
		assert_ok(db_query(NULL, pool, "UPDATE vuln_sources SET last_modified = $1 WHERE name = $2", 2, params));
	}
	from = srv_count(&origin);
	assert_ok(updater_update(&out, u, name));
	assert_int_equal(out.result, UPDATER_IMPORTED);
	assert_false(out.incremental);
	assert_int_equal(srv_hits(&origin, from, "lastModStartDate"), 0);
	assert_int_equal(count_nvd_pages(&origin, from, 10, &why), 11);
	assert_string_equal(description_of(h, new_id), "(none)");
	assert_string_not_equal(description_of(h, cve_at(2)), "(none)");

	updater_free(u);
	vulndata_holder_free(h);
	drop_source(pool, name);
	free(etag);
	free(lm);
	db_pool_close(pool);
}

static void test_validators_in_store_and_reload(void **state)
{
	struct db_pool *pool = test_pool();
	struct vulndata_holder *other = NULL;
	struct updater_options o;
	struct updater *a = NULL, *b = NULL;
	struct updater_outcome out;
	const struct vulndata_source *part;
	char name[64], *kev, *smaller;
	size_t n, records, from, len;
	long long deadline;
	json_t *doc;

	unique_name(name, sizeof(name), "kev");
	route_file("/stored-kev.json.gz", "feeds/cisa-kev.json.gz", "\"s1\"", "Wed, 21 Oct 2015 07:28:00 GMT",
		   "application/gzip");
	fast_options(&o);
	o.sources_json = sources_json("{\"sources\": [{\"name\": \"%s\", \"url\": "
				      "\"http://127.0.0.1:%d/stored-kev.json.gz\"}]}", name, origin.port);
	o.reload_interval_ms = 100;
	/* two matchers on one Scanner DB, each with its own index */
	assert_ok(vulndata_holder_new(&other));
	assert_ok(updater_new(&a, &o, pool, holder, &import_lock));
	assert_ok(updater_new(&b, &o, pool, other, &import_lock));

	assert_ok(updater_update(&out, a, name));
	assert_int_equal(out.result, UPDATER_IMPORTED);
	/* a's own import is not "changed by another process" for a */
	part = partition(holder, name, NULL);
	assert_ok(updater_reload(&n, a));
	assert_ptr_equal(partition(holder, name, NULL), part);

	/* b never fetched it, yet sends the stored validators and gets 304 */
	from = srv_count(&origin);
	assert_ok(updater_update(&out, b, name));
	assert_int_equal(out.result, UPDATER_NOT_MODIFIED);
	assert_string_equal(srv_request(&origin, from).inm, "\"s1\"");
	assert_null(partition(other, name, NULL));

	/* b's reload brings the source in, once */
	assert_ok(updater_reload(&n, b));
	assert_true(n >= 1);
	part = partition(other, name, &records);
	assert_non_null(part);
	partition(holder, name, &n);
	assert_int_equal(records, n);
	assert_ok(updater_reload(&n, b));
	assert_ptr_equal(partition(other, name, NULL), part);

	/* with b's reload thread running, a's next import reaches b by itself */
	assert_ok(updater_start(b));
	kev = read_gzip("feeds/cisa-kev.json.gz", &len);
	doc = json_loads(kev, 0, NULL);
	while (json_array_size(json_object_get(doc, "vulnerabilities")) > 7)
		json_array_remove(json_object_get(doc, "vulnerabilities"), 7);
	smaller = json_dumps(doc, 0);
	route_set("/stored-kev.json.gz", ROUTE_FILE, smaller, strlen(smaller), "\"s2\"", "", "application/json", 0);
	assert_ok(updater_update(&out, a, name));
	assert_int_equal(out.records, 7);
	deadline = now_ms() + 10000;
	while (now_ms() < deadline && (partition(other, name, &records), records != 7))
		usleep(20000);
	assert_int_equal(records, 7);
	updater_stop(b);

	updater_free(a);
	updater_free(b);
	vulndata_holder_free(other);
	drop_source(pool, name);
	free(kev);
	free(smaller);
	json_decref(doc);
	db_pool_close(pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sources_are_checked),
		cmocka_unit_test(test_extra_ca_joins_the_system_roots),
		cmocka_unit_test(test_conditional_get),
		cmocka_unit_test(test_failing_source_does_not_stop_others),
		cmocka_unit_test(test_proxy_is_used),
		cmocka_unit_test(test_nvd_paging),
		cmocka_unit_test(test_stop_is_prompt),
		cmocka_unit_test_teardown(test_nvd_incremental_merge, drop_test_sources),
		cmocka_unit_test_teardown(test_validators_in_store_and_reload, drop_test_sources),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
