/*
 * updater.c - online updates and reloads of vulnerability sources (see
 * updater.h).
 *
 * Two threads share one mutex and one condition variable: every wait (the
 * time until the next source is due, the pause between NVD pages, the
 * backoff after a failure, the reload interval) is a timed wait on that
 * condition, and updater_stop() sets the stop flag under the mutex and
 * broadcasts, so no thread ever sleeps through a stop. A download in flight
 * sees the flag in its body callback and gives up.
 *
 * Nothing here parses a feed: a download is handed to the importer whole,
 * as an upload would be. What the updater adds is the HTTP conversation
 * (validators, NVD paging and windows), the merge of an NVD window into the
 * stored records, and the bookkeeping of which version of each stored source
 * this process serves. That bookkeeping is a small array searched linearly:
 * a matcher has a few dozen sources, and it is read once per reload.
 */
#include "updater.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <zlib.h>
#include <zstd.h>

#include "error/error.h"
#include "feeds/feed.h"
#include "httpclient/httpclient.h"
#include "importer.h"
#include "log/log.h"
#include "store_vulns.h"
#include "vulndata.h"

#define UPD_DEFAULT_INTERVAL_MS (6LL * 3600 * 1000)
#define UPD_DEFAULT_RETRY_MIN_MS (60LL * 1000)
#define UPD_DEFAULT_STALL_S 60L
#define UPD_DEFAULT_ATTEMPTS 3
#define UPD_NVD_DELAY_MS 6000LL        /* NVD: 5 requests per 30 s without a key */
#define UPD_NVD_DELAY_KEY_MS 600LL     /* 50 per 30 s with one */
#define UPD_NVD_MAX_PAGE_SIZE 2000     /* the API's own maximum */
#define UPD_NVD_PAGE_BYTES ((size_t)512 << 20)
#define UPD_NVD_MAX_PAGES 10000        /* 20 million CVEs: a loop guard, not a limit in practice */
#define UPD_NVD_MAX_TOTAL 10000000LL
#define UPD_NVD_PAGE_TRIES 4           /* per page, with growing pauses: one 503 must not waste a full walk */
#define UPD_MAX_VALIDATOR 1024         /* longest ETag or Last-Modified sent back */
#define UPD_PEEK_BYTES 65536           /* what format detection looks at */

enum { UPD_INCR_NONE = 0, UPD_INCR_NVD_API = 1 };

struct upd_source {
	char *name;
	char *url;        /* as configured: may carry credentials, never logged or stored */
	char *shown_url;  /* without credentials and query: logs and the store */
	char *file_name;  /* the URL's last path segment: the importer's hint */
	char *format;     /* NULL = whatever the download is */
	int incremental;
	long long interval_ms;
	/* the update thread's schedule */
	long long due_ms; /* monotonic */
	int failures;
	/* the validators, when there is no store to keep them */
	char *etag, *last_modified;
};

struct upd_version {
	char *name, *version;
};

struct updater {
	struct upd_source *sources;
	size_t count;
	struct db_pool *pool;
	struct vulndata_holder *holder;
	pthread_mutex_t *import_lock;
	struct httpclient *http;
	char *ca_bundle;      /* our temporary file: the system's roots plus the extra CA */
	char *nvd_key_header; /* "apiKey: ..." or NULL */
	long long reload_interval_ms, nvd_delay_ms, retry_min_ms;
	int nvd_page_size;

	pthread_mutex_t lock; /* stop, the threads' state, versions */
	pthread_cond_t wake;
	atomic_int stop;
	int update_running, reload_running, stopped;
	pthread_t update_thread, reload_thread;

	struct upd_version *versions; /* the stored version of each source this process serves */
	size_t version_count, version_cap;
};

/* ---- time ---- */

static long long upd_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until deadline (monotonic ms) or a stop; returns nonzero when
 * stopping. */
static int upd_wait_until(struct updater *u, long long deadline)
{
	int stopping;

	pthread_mutex_lock(&u->lock);
	while (!(stopping = atomic_load(&u->stop)) && upd_mono_ms() < deadline) {
		struct timespec ts = {.tv_sec = deadline / 1000, .tv_nsec = (deadline % 1000) * 1000000L};
		pthread_cond_timedwait(&u->wake, &u->lock, &ts);
	}
	pthread_mutex_unlock(&u->lock);
	return stopping;
}

/* "2026-08-21T10:15:02Z": the form the end of an NVD window is kept in. */
static void upd_format_time(char *out, size_t size, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int upd_parse_time(time_t *out, const char *text)
{
	struct tm tm;
	char again[32];
	int n = 0;

	memset(&tm, 0, sizeof(tm));
	if (!text || sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
			    &tm.tm_min, &tm.tm_sec, &n) != 6 || text[n] != '\0')
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = timegm(&tm);
	/* a round trip refuses "2026-02-31" and friends */
	upd_format_time(again, sizeof(again), *out);
	return strcmp(again, text) == 0 ? 0 : -1;
}

/* The NVD API's extended ISO-8601 form with an explicit offset, '+'
 * already escaped for the query string. */
static void upd_nvd_time(char *out, size_t size, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, size, "%Y-%m-%dT%H:%M:%S.000%%2B00:00", &tm);
}

/* ---- the sources file ---- */

/* "250ms", "30s", "5m", "6h", as the settings write durations. */
static int upd_parse_duration(long long *out, const char *text)
{
	static const struct {
		const char *suffix;
		long long ms;
	} units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
	long long n = 0;
	size_t i;

	if (!isdigit((unsigned char)*text))
		return -1;
	for (; isdigit((unsigned char)*text); text++) {
		if (n > 1000000000LL)
			return -1;
		n = n * 10 + (*text - '0');
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(text, units[i].suffix) == 0) {
			*out = n * units[i].ms;
			return 0;
		}
	return -1;
}

/* The importer's rule for source names (letters, digits, . _ : -). */
static int upd_valid_name(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > 100 || !isalnum((unsigned char)name[0]))
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("._:-", name[i]))
			return 0;
	return 1;
}

static void upd_source_clear(struct upd_source *s)
{
	free(s->name);
	free(s->url);
	free(s->shown_url);
	free(s->file_name);
	free(s->format);
	free(s->etag);
	free(s->last_modified);
	memset(s, 0, sizeof(*s));
}

/* The last segment of a redacted URL's path: "all.zip". */
static char *upd_file_name(const char *shown_url)
{
	const char *path = strstr(shown_url, "://"), *slash;
	char name[201];

	path = path ? strchr(path + 3, '/') : NULL;
	slash = path ? strrchr(path, '/') : NULL;
	snprintf(name, sizeof(name), "%s", slash && slash[1] ? slash + 1 : "download");
	return strdup(name);
}

static int upd_check_url(const char *origin, size_t index, const char *url, int incremental)
{
	size_t i;

	if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0) {
		error_set("%s: sources[%zu].url must be an http:// or https:// URL", origin, index);
		return ASEC_EINVALID;
	}
	if (strlen(url) > UPDATER_MAX_URL) {
		error_set("%s: sources[%zu].url is longer than %d bytes", origin, index, UPDATER_MAX_URL);
		return ASEC_EINVALID;
	}
	for (i = 0; url[i]; i++)
		if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f) {
			error_set("%s: sources[%zu].url holds a space or a control character", origin, index);
			return ASEC_EINVALID;
		}
	if (incremental && strchr(url, '#')) {
		error_set("%s: sources[%zu].url of an NVD API source cannot have a fragment", origin, index);
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

static int upd_parse_source(struct upd_source *s, const json_t *src, size_t index, const char *origin,
			    long long default_interval_ms)
{
	static const char *const known[] = {"name", "url", "format", "interval", "incremental", NULL};
	const char *key, *name, *url, *format, *interval, *incremental;
	const char *const *k;
	json_t *value;
	int rc;

	if (!json_is_object(src)) {
		error_set("%s: sources[%zu] must be an object", origin, index);
		return ASEC_EINVALID;
	}
	json_object_foreach((json_t *)src, key, value) {
		for (k = known; *k && strcmp(*k, key) != 0; k++)
			;
		if (!*k) {
			error_set("%s: sources[%zu]: unknown key \"%.64s\" (known: name, url, format, interval, "
				  "incremental)", origin, index, key);
			return ASEC_EINVALID;
		}
		if (!json_is_string(value)) {
			error_set("%s: sources[%zu].%s must be a string", origin, index, key);
			return ASEC_EINVALID;
		}
	}
	name = json_string_value(json_object_get(src, "name"));
	url = json_string_value(json_object_get(src, "url"));
	format = json_string_value(json_object_get(src, "format"));
	interval = json_string_value(json_object_get(src, "interval"));
	incremental = json_string_value(json_object_get(src, "incremental"));
	if (!name || !upd_valid_name(name)) {
		error_set("%s: sources[%zu].name %s (letters, digits and . _ : -, up to 100, starting with a letter "
			  "or digit)", origin, index, name ? "is not a valid source name" : "is missing");
		return ASEC_EINVALID;
	}
	if (!url) {
		error_set("%s: source %s has no url", origin, name);
		return ASEC_EINVALID;
	}
	if (incremental && strcmp(incremental, "nvd-api") != 0) {
		error_set("%s: source %s: incremental must be \"nvd-api\" (the only incremental protocol known)",
			  origin, name);
		return ASEC_EINVALID;
	}
	s->incremental = incremental ? UPD_INCR_NVD_API : UPD_INCR_NONE;
	if ((rc = upd_check_url(origin, index, url, s->incremental)))
		return rc;
	if (format && !import_parser(format)) {
		error_set("%s: source %s: unknown format \"%.64s\"", origin, name, format);
		return ASEC_EINVALID;
	}
	if (format && s->incremental && strcmp(format, "nvd") != 0) {
		error_set("%s: source %s: an nvd-api source is of format \"nvd\"", origin, name);
		return ASEC_EINVALID;
	}
	s->interval_ms = default_interval_ms;
	if (interval && (upd_parse_duration(&s->interval_ms, interval) || s->interval_ms < UPDATER_MIN_INTERVAL_MS ||
			 s->interval_ms > UPDATER_MAX_INTERVAL_MS)) {
		error_set("%s: source %s: interval \"%.32s\" is not a duration from 1m to 720h (e.g. 30m, 6h)", origin,
			  name, interval);
		return ASEC_EINVALID;
	}
	if (!(s->name = strdup(name)) || !(s->url = strdup(url)) || (format && !(s->format = strdup(format)))) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	if ((rc = httpclient_url_redact(&s->shown_url, url))) {
		error_set("%s: source %s: the url does not parse", origin, name);
		return rc;
	}
	if (!(s->file_name = upd_file_name(s->shown_url))) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	if (s->incremental && !s->format && !(s->format = strdup("nvd"))) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	return ASEC_OK;
}

static int upd_parse_sources(struct updater *u, const char *text, size_t len, const char *origin,
			     long long default_interval_ms)
{
	json_error_t jerr;
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr), *list;
	const char *key;
	json_t *value;
	size_t i, j;
	int rc = ASEC_OK;

	if (!doc) {
		error_set("%s is not JSON: %s (line %d, column %d)", origin, jerr.text, jerr.line, jerr.column);
		return ASEC_EINVALID;
	}
	if (!json_is_object(doc)) {
		error_set("%s must hold an object {\"sources\": [...]}", origin);
		rc = ASEC_EINVALID;
		goto out;
	}
	json_object_foreach(doc, key, value) {
		if (strcmp(key, "sources") != 0) {
			error_set("%s: unknown key \"%.64s\" (the only key is \"sources\")", origin, key);
			rc = ASEC_EINVALID;
			goto out;
		}
	}
	list = json_object_get(doc, "sources");
	if (!json_is_array(list)) {
		error_set("%s: \"sources\" must be an array", origin);
		rc = ASEC_EINVALID;
		goto out;
	}
	if (json_array_size(list) > UPDATER_MAX_SOURCES) {
		error_set("%s: more than %d sources", origin, UPDATER_MAX_SOURCES);
		rc = ASEC_EINVALID;
		goto out;
	}
	if (json_array_size(list) && !(u->sources = calloc(json_array_size(list), sizeof(*u->sources)))) {
		error_set("out of memory");
		rc = ASEC_ENOMEM;
		goto out;
	}
	for (i = 0; i < json_array_size(list); i++) {
		if ((rc = upd_parse_source(&u->sources[i], json_array_get(list, i), i, origin, default_interval_ms))) {
			upd_source_clear(&u->sources[i]);
			goto out;
		}
		u->count++;
		for (j = 0; j < i; j++)
			if (strcmp(u->sources[j].name, u->sources[i].name) == 0) {
				error_set("%s: source name %s is used twice (sources[%zu] and sources[%zu])", origin,
					  u->sources[i].name, j, i);
				rc = ASEC_EINVALID;
				goto out;
			}
	}
out:
	json_decref(doc);
	return rc;
}

/* A small file whole; what names the setting for messages. */
static int upd_read_file(char **out, size_t *len, const char *path, const char *what)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;

	*out = NULL;
	if (fd < 0) {
		error_set("%s %s: %s", what, path, strerror(errno));
		return ASEC_EIO;
	}
	if (!(buf = malloc(UPDATER_MAX_FILE_BYTES + 1))) {
		close(fd);
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	while (got <= UPDATER_MAX_FILE_BYTES && (n = read(fd, buf + got, UPDATER_MAX_FILE_BYTES + 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	if (got > UPDATER_MAX_FILE_BYTES) {
		free(buf);
		error_set("%s %s is larger than %d bytes", what, path, UPDATER_MAX_FILE_BYTES);
		return ASEC_ETOOBIG;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return ASEC_OK;
}

/* A proxy libcurl would reject only at the first request is refused at
 * start instead. */
static int upd_check_proxy(const char *proxy)
{
	static const char *const schemes[] = {"http://", "https://", "socks4://", "socks4a://", "socks5://",
					      "socks5h://", NULL};
	const char *const *s;
	size_t i;

	for (s = schemes; *s && strncasecmp(proxy, *s, strlen(*s)) != 0; s++)
		;
	for (i = 0; *s && proxy[i]; i++)
		if ((unsigned char)proxy[i] <= 0x20 || proxy[i] == 0x7f)
			break;
	if (!*s || proxy[i] || !proxy[strlen(*s)]) {
		error_set("ROX_MATCHER_UPDATE_PROXY must be a proxy URL (http://, https://, socks5h://... host:port)");
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

/* ---- the CA bundle ---- */

/* libcurl's CAINFO replaces the system's roots rather than adding to them,
 * and an internal mirror's CA must not cost the public feeds their trust:
 * the two are written into one file of ours. */
static int upd_append_file(int fd, const char *path, int required)
{
	char buf[65536];
	int in = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (in < 0) {
		if (!required)
			return ASEC_OK;
		error_set("ROX_MATCHER_UPDATE_CA %s: %s", path, strerror(errno));
		return ASEC_EIO;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n) {
			close(in);
			error_set("writing the CA bundle: %s", strerror(errno));
			return ASEC_EIO;
		}
	close(in);
	if (write(fd, "\n", 1) != 1) {
		error_set("writing the CA bundle: %s", strerror(errno));
		return ASEC_EIO;
	}
	return ASEC_OK;
}

static int upd_ca_bundle(char **out, const char *extra)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	const char *system = v && v->cainfo ? v->cainfo : "/etc/ssl/certs/ca-certificates.crt";
	const char *tmp = getenv("TMPDIR");
	size_t len;
	char *pem = NULL, *path = NULL;
	int fd = -1, rc;

	*out = NULL;
	if ((rc = upd_read_file(&pem, &len, extra, "ROX_MATCHER_UPDATE_CA")))
		return rc;
	if (!strstr(pem, "-----BEGIN CERTIFICATE-----")) {
		error_set("ROX_MATCHER_UPDATE_CA %s holds no PEM certificate", extra);
		rc = ASEC_EINVALID;
		goto out;
	}
	if (asprintf(&path, "%s/asec-matcher-ca-XXXXXX", tmp && tmp[0] ? tmp : "/tmp") < 0) {
		path = NULL;
		rc = ASEC_ENOMEM;
		goto out;
	}
	if ((fd = mkstemp(path)) < 0) {
		error_set("cannot create the CA bundle %s: %s", path, strerror(errno));
		rc = ASEC_EIO;
		goto out;
	}
	if ((rc = upd_append_file(fd, system, 0)) || (rc = upd_append_file(fd, extra, 1)))
		goto out;
	*out = path;
	path = NULL;
out:
	if (fd >= 0)
		close(fd);
	if (path && fd >= 0)
		unlink(path);
	free(path);
	free(pem);
	if (rc == ASEC_ENOMEM)
		error_set("out of memory");
	return rc;
}

/* ---- versions: which stored state of each source this process serves ---- */

/* Under u->lock. */
static int upd_version_set(struct updater *u, const char *name, const char *version)
{
	size_t i;
	char *copy = strdup(version);

	if (!copy)
		return ASEC_ENOMEM;
	for (i = 0; i < u->version_count; i++)
		if (strcmp(u->versions[i].name, name) == 0) {
			free(u->versions[i].version);
			u->versions[i].version = copy;
			return ASEC_OK;
		}
	if (u->version_count == u->version_cap) {
		size_t cap = u->version_cap ? u->version_cap * 2 : 32;
		struct upd_version *bigger = realloc(u->versions, cap * sizeof(*bigger));
		if (!bigger) {
			free(copy);
			return ASEC_ENOMEM;
		}
		u->versions = bigger;
		u->version_cap = cap;
	}
	if (!(u->versions[u->version_count].name = strdup(name))) {
		free(copy);
		return ASEC_ENOMEM;
	}
	u->versions[u->version_count++].version = copy;
	return ASEC_OK;
}

/* 1 when this process serves that version of the source. Under u->lock. */
static int upd_version_is(const struct updater *u, const char *name, const char *version)
{
	size_t i;

	for (i = 0; i < u->version_count; i++)
		if (strcmp(u->versions[i].name, name) == 0)
			return strcmp(u->versions[i].version, version) == 0;
	return 0;
}

struct upd_note {
	struct updater *u;
	const char *const *names; /* NULL = every source */
	size_t count;
};

static int upd_note_one(void *ctx, const char *name, const char *version)
{
	struct upd_note *n = ctx;
	size_t i;
	int rc;

	for (i = 0; n->names && i < n->count && strcmp(n->names[i], name) != 0; i++)
		;
	if (n->names && i == n->count)
		return ASEC_OK;
	pthread_mutex_lock(&n->u->lock);
	rc = upd_version_set(n->u, name, version);
	pthread_mutex_unlock(&n->u->lock);
	if (rc)
		error_set("out of memory");
	return rc;
}

/* Records the stored versions of these sources (all when names is NULL)
 * as the ones this process serves. */
static int upd_note_versions(struct updater *u, const char *const *names, size_t count)
{
	struct upd_note n = {u, names, count};

	if (!u->pool)
		return ASEC_OK;
	return store_vulns_versions(u->pool, upd_note_one, &n);
}

int updater_note_import(struct updater *u, const json_t *result)
{
	const json_t *list = json_object_get(result, "sources"), *s;
	const char *names[256];
	size_t i, n = 0;

	if (!u)
		return ASEC_OK;
	json_array_foreach(list, i, s)
		if (n < sizeof(names) / sizeof(names[0]) && json_is_string(json_object_get(s, "name")))
			names[n++] = json_string_value(json_object_get(s, "name"));
	return n ? upd_note_versions(u, names, n) : ASEC_OK;
}

/* ---- downloads ---- */

struct upd_body {
	struct updater *u;
	char *data;
	size_t len, cap, max;
};

static int upd_on_body(const void *data, size_t len, void *ctx)
{
	struct upd_body *b = ctx;

	if (atomic_load(&b->u->stop)) {
		error_set("the matcher is stopping");
		return ASEC_ERROR;
	}
	if (len > b->max - b->len) {
		error_set("the download is larger than %zu bytes", b->max);
		return ASEC_ETOOBIG;
	}
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1 << 20;
		char *bigger;
		while (cap < b->len + len + 1)
			cap = cap > b->max / 2 ? b->max + 1 : cap * 2;
		if (!(bigger = realloc(b->data, cap))) {
			error_set("out of memory for a %zu byte download", b->len + len);
			return ASEC_ENOMEM;
		}
		b->data = bigger;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return ASEC_OK;
}

static void upd_body_reset(struct upd_body *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* One GET whose 2xx body lands in body (at most max bytes). */
static int upd_get(struct httpclient_response *resp, struct upd_body *body, struct updater *u, const char *url,
		   const char *const *headers, size_t max)
{
	struct httpclient_request rq = {.method = "GET", .url = url, .headers = headers, .idempotent = 1,
					.on_body = upd_on_body, .ctx = body, .max_body_bytes = max};

	body->u = u;
	body->max = max;
	upd_body_reset(body);
	return httpclient_do(u->http, &rq, resp);
}

/* A validator from the store or a server, fit to go back in a header. */
static int upd_sendable(const char *v)
{
	size_t i;

	if (!v || !v[0] || strlen(v) > UPD_MAX_VALIDATOR)
		return 0;
	for (i = 0; v[i]; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return 0;
	return 1;
}

/* The start of data with one gzip or zstd layer taken off (formats are
 * told by their first bytes; the importer inflates the rest). */
static size_t upd_peek(char *out, size_t size, const char *data, size_t len)
{
	const unsigned char *d = (const unsigned char *)data;

	if (len >= 2 && d[0] == 0x1f && d[1] == 0x8b) {
		z_stream z;
		size_t got;
		memset(&z, 0, sizeof(z));
		if (inflateInit2(&z, 15 + 32) != Z_OK)
			return 0;
		z.next_in = (unsigned char *)data;
		z.avail_in = (uInt)(len > UINT32_MAX ? UINT32_MAX : len);
		z.next_out = (unsigned char *)out;
		z.avail_out = (uInt)size;
		while (z.avail_out && inflate(&z, Z_NO_FLUSH) == Z_OK)
			;
		got = size - z.avail_out;
		inflateEnd(&z);
		return got;
	}
	if (len >= 4 && d[0] == 0x28 && d[1] == 0xb5 && d[2] == 0x2f && d[3] == 0xfd) {
		ZSTD_DStream *z = ZSTD_createDStream();
		ZSTD_inBuffer in = {data, len, 0};
		ZSTD_outBuffer o = {out, size, 0};
		size_t r = 1;
		if (!z)
			return 0;
		while (o.pos < o.size && in.pos < in.size && !ZSTD_isError(r))
			r = ZSTD_decompressStream(z, &o, &in);
		ZSTD_freeDStream(z);
		return o.pos;
	}
	len = len < size ? len : size;
	memcpy(out, data, len);
	return len;
}

/* A download that is not what the source is configured to be is refused
 * before it can replace good data. Archives are looked into by the
 * importer, member by member, so only single files are checked here. */
static int upd_check_format(const struct upd_source *s, const char *data, size_t len)
{
	char *head;
	size_t n;
	const char *found;
	int archive;

	if (!s->format)
		return ASEC_OK;
	if (!(head = malloc(UPD_PEEK_BYTES))) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	n = upd_peek(head, UPD_PEEK_BYTES, data, len);
	archive = (n >= 4 && memcmp(head, "PK\x03\x04", 4) == 0) || (n >= 262 && memcmp(head + 257, "ustar", 5) == 0);
	found = archive ? s->format : import_detect_format(s->file_name, head, n);
	free(head);
	if (!found || strcmp(found, s->format) != 0) {
		error_set("%s served %s, not the configured format %s; not imported", s->shown_url,
			  found ? found : "data of no known format", s->format);
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

/* ---- partitions from the store ---- */

struct upd_part {
	struct vulndata_source *part;
	char *version;
};

static int upd_part_line(void *ctx, const char *line, size_t len)
{
	json_t *record = json_loadb(line, len, 0, NULL);

	/* as at start: a stored line that no longer reads is left out */
	if (!record)
		return 0;
	return vulndata_builder_add(ctx, record) == ASEC_ENOMEM ? ASEC_ENOMEM : 0;
}

static int upd_part_build(void *ctx, const struct store_source *row)
{
	struct upd_part *p = ctx;
	struct vulndata_builder *b = NULL;
	int rc;

	if ((rc = vulndata_builder_new(&b, row->name, row->format)))
		return rc;
	if ((rc = feed_each_line(row->lines, row->lines_len, NULL, upd_part_line, b))) {
		vulndata_builder_free(b);
		error_set("out of memory rebuilding source %s", row->name);
		return rc;
	}
	if ((rc = vulndata_builder_finish(&p->part, b)))
		return rc;
	if (!(p->version = strdup(row->updated_at))) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	return ASEC_OK;
}

/* ---- importing a download (under the import lock) ---- */

static int upd_commit(struct updater_outcome *out, struct updater *u, struct upd_source *s, struct import_batch *b,
		      const char *etag, const char *last_modified)
{
	struct import_source_info info = {etag, last_modified, s->shown_url};
	json_t *result = NULL;
	int rc;

	import_set_source_info(b, &info);
	if ((rc = import_commit(&result, b, u->pool, u->holder)))
		return rc;
	out->result = UPDATER_IMPORTED;
	out->records = (size_t)json_integer_value(json_object_get(result, "accepted"));
	/* after our own commit, so that the reload thread does not rebuild what
	 * we just built (another writer in the same microsecond-wide gap would
	 * be missed until its next change; the lock keeps this process's own
	 * writers out of it) */
	rc = updater_note_import(u, result);
	json_decref(result);
	if (!u->pool) {
		free(s->etag);
		free(s->last_modified);
		s->etag = strdup(etag ? etag : "");
		s->last_modified = strdup(last_modified ? last_modified : "");
	}
	return rc;
}

/* ---- plain sources: one conditional GET ---- */

struct upd_state {
	char *etag, *last_modified, *url;
	long long updated_at;
	int same_url; /* the stored state is of this very URL */
};

static void upd_state_free(struct upd_state *st)
{
	free(st->etag);
	free(st->last_modified);
	free(st->url);
	memset(st, 0, sizeof(*st));
}

/* What is known of the source's last import: from the store when there is
 * one (another replica may have fetched it since), else from memory. */
static int upd_state_get(struct upd_state *st, struct updater *u, const struct upd_source *s)
{
	int rc;

	memset(st, 0, sizeof(*st));
	if (u->pool) {
		if ((rc = store_vulns_fetch_state(&st->etag, &st->last_modified, &st->updated_at, u->pool, s->name)) ||
		    (rc = store_vulns_source_url(&st->url, u->pool, s->name))) {
			upd_state_free(st);
			return rc;
		}
	} else {
		st->etag = strdup(s->etag ? s->etag : "");
		st->last_modified = strdup(s->last_modified ? s->last_modified : "");
		st->url = strdup(s->etag || s->last_modified ? s->shown_url : "");
		if (!st->etag || !st->last_modified || !st->url) {
			upd_state_free(st);
			error_set("out of memory");
			return ASEC_ENOMEM;
		}
	}
	/* validators of another URL say nothing about this one: an older file
	 * elsewhere would otherwise answer If-Modified-Since with 304 forever */
	st->same_url = strcmp(st->url, s->shown_url) == 0;
	if (!st->same_url) {
		st->etag[0] = '\0';
		st->last_modified[0] = '\0';
	}
	return ASEC_OK;
}

static int upd_update_plain(struct updater_outcome *out, struct updater *u, struct upd_source *s)
{
	struct upd_state st;
	struct httpclient_response resp;
	struct upd_body body = {0};
	struct import_batch *b = NULL;
	const char *headers[3] = {NULL, NULL, NULL};
	char *inm = NULL, *ims = NULL;
	size_t h = 0;
	int rc;

	memset(&resp, 0, sizeof(resp));
	if ((rc = upd_state_get(&st, u, s)))
		return rc;
	if (upd_sendable(st.etag) && asprintf(&inm, "If-None-Match: %s", st.etag) >= 0)
		headers[h++] = inm;
	if (upd_sendable(st.last_modified) && asprintf(&ims, "If-Modified-Since: %s", st.last_modified) >= 0)
		headers[h++] = ims;
	rc = upd_get(&resp, &body, u, s->url, headers, IMPORT_MAX_FILE_BYTES);
	out->requests = 1;
	out->http_status = resp.status;
	if (rc)
		goto out;
	if (resp.status == 304) {
		out->result = UPDATER_NOT_MODIFIED;
		goto out;
	}
	if (resp.status != 200) {
		error_set("GET %s answered HTTP %ld", s->shown_url, resp.status);
		rc = ASEC_EIO;
		goto out;
	}
	if (!body.len) {
		error_set("GET %s answered with an empty body", s->shown_url);
		rc = ASEC_EINVALID;
		goto out;
	}
	if ((rc = upd_check_format(s, body.data, body.len)))
		goto out;
	pthread_mutex_lock(u->import_lock);
	if (!(rc = import_batch_new(&b)) && !(rc = import_add_buffer(b, body.data, body.len, s->file_name, s->name)))
		rc = upd_commit(out, u, s, b, httpclient_response_header(&resp, "ETag"),
				httpclient_response_header(&resp, "Last-Modified"));
	pthread_mutex_unlock(u->import_lock);
	if (rc)
		error_prefix("source %s", s->name);
out:
	import_batch_free(b);
	upd_body_reset(&body);
	httpclient_response_free(&resp);
	upd_state_free(&st);
	free(inm);
	free(ims);
	return rc;
}

/* ---- NVD: pages, windows and the merge ---- */

/* A table from "kind\tid" to a slot: open addressing with linear probing,
 * sized to twice the entries, because a full NVD walk brings some 300 000
 * records whose keys are looked up once each against the stored ones. */
struct upd_rec {
	char *key;
	char *line;  /* compact JSON; NULL for a CVE NVD now rejects */
	size_t len;
	int emitted;
};

struct upd_recs {
	struct upd_rec *items;
	size_t count, cap;
	size_t *slots; /* index + 1; 0 = empty */
	size_t nslots;
	size_t skipped;
};

static uint64_t upd_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct upd_rec *upd_recs_find(const struct upd_recs *r, const char *key)
{
	size_t i;

	if (!r->nslots)
		return NULL;
	for (i = upd_hash(key) & (r->nslots - 1); r->slots[i]; i = (i + 1) & (r->nslots - 1))
		if (strcmp(r->items[r->slots[i] - 1].key, key) == 0)
			return &r->items[r->slots[i] - 1];
	return NULL;
}

static int upd_recs_grow(struct upd_recs *r)
{
	size_t n = r->nslots ? r->nslots * 2 : 1024, i, j;
	size_t *slots = calloc(n, sizeof(*slots));

	if (!slots)
		return ASEC_ENOMEM;
	for (i = 0; i < r->count; i++) {
		for (j = upd_hash(r->items[i].key) & (n - 1); slots[j]; j = (j + 1) & (n - 1))
			;
		slots[j] = i + 1;
	}
	free(r->slots);
	r->slots = slots;
	r->nslots = n;
	return ASEC_OK;
}

/* Adds or replaces key's line (ownership of key and line taken): a CVE
 * seen twice in one walk (pages shift while NVD changes) keeps the later. */
static int upd_recs_put(struct upd_recs *r, char *key, char *line, size_t len)
{
	struct upd_rec *e = upd_recs_find(r, key);
	size_t i;

	if (e) {
		free(key);
		free(e->line);
		e->line = line;
		e->len = len;
		return ASEC_OK;
	}
	if ((r->count + 1) * 2 > r->nslots && upd_recs_grow(r))
		goto oom;
	if (r->count == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;
		struct upd_rec *bigger = realloc(r->items, cap * sizeof(*bigger));
		if (!bigger)
			goto oom;
		r->items = bigger;
		r->cap = cap;
	}
	r->items[r->count] = (struct upd_rec){key, line, len, 0};
	for (i = upd_hash(key) & (r->nslots - 1); r->slots[i]; i = (i + 1) & (r->nslots - 1))
		;
	r->slots[i] = ++r->count;
	return ASEC_OK;
oom:
	free(key);
	free(line);
	error_set("out of memory gathering NVD records");
	return ASEC_ENOMEM;
}

static void upd_recs_free(struct upd_recs *r)
{
	size_t i;

	for (i = 0; i < r->count; i++) {
		free(r->items[i].key);
		free(r->items[i].line);
	}
	free(r->items);
	free(r->slots);
	memset(r, 0, sizeof(*r));
}

static char *upd_key(const json_t *record)
{
	const char *kind = json_string_value(json_object_get(record, "kind"));
	const char *id = json_string_value(json_object_get(record, "id"));
	char *key;

	if (!kind || !id || asprintf(&key, "%s\t%s", kind, id) < 0)
		return NULL;
	return key;
}

static int upd_recs_record(void *ctx, json_t *record)
{
	struct upd_recs *r = ctx;
	char *key = upd_key(record), *line;

	if (!key) {
		r->skipped++;
		json_decref(record);
		return 0;
	}
	line = json_dumps(record, JSON_COMPACT);
	json_decref(record);
	if (!line) {
		free(key);
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	return upd_recs_put(r, key, line, strlen(line));
}

static void upd_recs_skip(void *ctx, const char *id, const char *reason)
{
	struct upd_recs *r = ctx;

	r->skipped++;
}

/* CVEs NVD now marks Rejected: the parser leaves them out, and the merge
 * must also drop what the store holds of them. */
static int upd_recs_rejected(struct upd_recs *r, const json_t *page)
{
	const json_t *item;
	size_t i;
	int rc;

	json_array_foreach(json_object_get(page, "vulnerabilities"), i, item) {
		const json_t *cve = json_object_get(item, "cve");
		const char *id = json_string_value(json_object_get(cve, "id"));
		const char *status = json_string_value(json_object_get(cve, "vulnStatus"));
		char *key;
		if (!id || !status || strcasecmp(status, "Rejected") != 0)
			continue;
		if (asprintf(&key, "nvd\t%s", id) < 0) {
			error_set("out of memory");
			return ASEC_ENOMEM;
		}
		if ((rc = upd_recs_put(r, key, NULL, 0)))
			return rc;
	}
	return ASEC_OK;
}

/* One page, tried again after a growing pause when NVD fails it (it
 * answers 503 and 403 when busy or throttling). */
static int upd_nvd_page(json_t **page, struct upd_body *body, long *status, struct updater *u,
			const struct upd_source *s, const char *url)
{
	const char *headers[2] = {u->nvd_key_header, NULL};
	struct httpclient_response resp;
	json_error_t jerr;
	int attempt, rc = ASEC_OK;

	*page = NULL;
	for (attempt = 1; attempt <= UPD_NVD_PAGE_TRIES; attempt++) {
		if (attempt > 1 && upd_wait_until(u, upd_mono_ms() + u->nvd_delay_ms * (1LL << (attempt - 1))))
			break;
		memset(&resp, 0, sizeof(resp));
		rc = upd_get(&resp, body, u, url, headers, UPD_NVD_PAGE_BYTES);
		*status = resp.status;
		if (!rc && resp.status != 200) {
			/* NVD explains a refusal in a "message" header */
			const char *why = httpclient_response_header(&resp, "message");
			error_set("GET %s answered HTTP %ld%s%.200s", s->shown_url, resp.status, why ? ": " : "",
				  why ? why : "");
			rc = ASEC_EIO;
		}
		httpclient_response_free(&resp);
		if (!rc || atomic_load(&u->stop))
			break;
	}
	if (rc)
		return rc;
	if (!(*page = json_loadb(body->data, body->len, 0, &jerr)) || !json_is_object(*page) ||
	    !json_is_array(json_object_get(*page, "vulnerabilities")) ||
	    !json_is_integer(json_object_get(*page, "totalResults"))) {
		error_set("GET %s: the answer is not an NVD API 2.0 page%s%s", s->shown_url, *page ? "" : ": ",
			  *page ? "" : jerr.text);
		json_decref(*page);
		*page = NULL;
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

struct upd_merge {
	struct import_batch *b;
	const char *name;
	struct upd_recs *news;
	size_t kept, replaced, dropped, added;
};

static int upd_emit(struct import_batch *b, const char *name, const char *line, size_t len)
{
	return import_add_canonical(b, name, "nvd", line, len);
}

static int upd_merge_line(void *ctx, const char *line, size_t len)
{
	struct upd_merge *m = ctx;
	json_t *record = json_loadb(line, len, 0, NULL);
	char *key = record ? upd_key(record) : NULL;
	struct upd_rec *e = key ? upd_recs_find(m->news, key) : NULL;

	json_decref(record);
	free(key);
	if (!e) {
		m->kept++;
		return upd_emit(m->b, m->name, line, len);
	}
	e->emitted = 1;
	if (!e->line) {
		m->dropped++;
		return ASEC_OK;
	}
	m->replaced++;
	return upd_emit(m->b, m->name, e->line, e->len);
}

static int upd_merge_stored(void *ctx, const struct store_source *row)
{
	return feed_each_line(row->lines, row->lines_len, NULL, upd_merge_line, ctx);
}

static int upd_update_nvd(struct updater_outcome *out, struct updater *u, struct upd_source *s)
{
	import_parse_fn parse = import_parser("nvd");
	struct upd_recs news = {0};
	struct feed_sink sink = {upd_recs_record, upd_recs_skip, &news};
	struct upd_merge m = {0};
	struct upd_state st = {0};
	struct upd_body body = {0};
	struct import_batch *b = NULL;
	time_t now = time(NULL), since = 0;
	char end[40], window[160] = "", *url = NULL;
	long long total = -1, index = 0, pages = 0;
	size_t i;
	int rc;

	if (!parse) {
		error_set("the importer has no NVD parser");
		return ASEC_ERROR;
	}
	if ((rc = upd_state_get(&st, u, s)))
		return rc;
	/* a window only on top of stored records of this very URL, and within
	 * what NVD accepts (a minute's margin for the time the walk takes) */
	out->incremental = u->pool && st.same_url && upd_parse_time(&since, st.last_modified) == 0 && since <= now &&
			   now - since <= UPDATER_NVD_MAX_WINDOW_S - 60;
	upd_format_time(end, sizeof(end), now);
	if (out->incremental) {
		char a[48], z[48];
		upd_nvd_time(a, sizeof(a), since);
		upd_nvd_time(z, sizeof(z), now);
		snprintf(window, sizeof(window), "&lastModStartDate=%s&lastModEndDate=%s", a, z);
	}
	while (total < 0 || index < total) {
		json_t *page = NULL;
		size_t got;
		if (pages > 0 && upd_wait_until(u, upd_mono_ms() + u->nvd_delay_ms)) {
			error_set("the matcher is stopping");
			rc = ASEC_ERROR;
			goto out;
		}
		if (++pages > UPD_NVD_MAX_PAGES) {
			error_set("GET %s: more than %d pages; given up", s->shown_url, UPD_NVD_MAX_PAGES);
			rc = ASEC_ETOOBIG;
			goto out;
		}
		free(url);
		if (asprintf(&url, "%s%sresultsPerPage=%d&startIndex=%lld%s", s->url, strchr(s->url, '?') ? "&" : "?",
			     u->nvd_page_size, index, window) < 0) {
			url = NULL;
			rc = ASEC_ENOMEM;
			goto out;
		}
		out->requests++;
		if ((rc = upd_nvd_page(&page, &body, &out->http_status, u, s, url)))
			goto out;
		total = json_integer_value(json_object_get(page, "totalResults"));
		got = json_array_size(json_object_get(page, "vulnerabilities"));
		if (total < 0 || total > UPD_NVD_MAX_TOTAL) {
			error_set("GET %s: totalResults %lld is out of range", s->shown_url, total);
			rc = ASEC_EINVALID;
		} else if (got == 0 && index < total) {
			/* without this a server that keeps promising more would be asked forever */
			error_set("GET %s: the page at startIndex %lld is empty though totalResults is %lld", s->shown_url,
				  index, total);
			rc = ASEC_EINVALID;
		} else if (!(rc = upd_recs_rejected(&news, page))) {
			rc = got ? parse(s->file_name, body.data, body.len, &sink) : ASEC_OK;
		}
		json_decref(page);
		upd_body_reset(&body);
		if (rc)
			goto out;
		index += (long long)got;
		log_debug("source %s: NVD page %lld read (%lld of %lld)", s->name, pages, index, total);
	}
	if (out->incremental && news.count == 0) {
		/* the window is left open: the next run asks from the same start */
		out->result = UPDATER_NOT_MODIFIED;
		goto out;
	}
	pthread_mutex_lock(u->import_lock);
	m = (struct upd_merge){NULL, s->name, &news, 0, 0, 0, 0};
	if (!(rc = import_batch_new(&b)) && !(rc = import_add_canonical(b, s->name, "nvd", "", 0))) {
		m.b = b;
		if (out->incremental && (rc = store_vulns_load_one(u->pool, s->name, upd_merge_stored, &m)) ==
					       ASEC_ENOTFOUND)
			rc = ASEC_OK; /* gone since: the window alone is what there is */
		for (i = 0; !rc && i < news.count; i++)
			if (!news.items[i].emitted && news.items[i].line) {
				m.added++;
				rc = upd_emit(b, s->name, news.items[i].line, news.items[i].len);
			}
		if (!rc)
			rc = upd_commit(out, u, s, b, "", end);
	}
	pthread_mutex_unlock(u->import_lock);
	if (!rc && out->incremental)
		log_info("vulnerability source %s: NVD window merged: %zu stored records replaced, %zu dropped as "
			 "rejected, %zu kept, %zu added", s->name, m.replaced, m.dropped, m.kept, m.added);
	if (rc)
		error_prefix("source %s", s->name);
out:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory updating source %s", s->name);
	import_batch_free(b);
	upd_body_reset(&body);
	upd_recs_free(&news);
	upd_state_free(&st);
	free(url);
	return rc;
}

/* ---- one source ---- */

static struct upd_source *upd_find(struct updater *u, const char *name)
{
	size_t i;

	for (i = 0; i < u->count; i++)
		if (strcmp(u->sources[i].name, name) == 0)
			return &u->sources[i];
	return NULL;
}

static int upd_run(struct updater_outcome *out, struct updater *u, struct upd_source *s)
{
	memset(out, 0, sizeof(*out));
	return s->incremental == UPD_INCR_NVD_API ? upd_update_nvd(out, u, s) : upd_update_plain(out, u, s);
}

int updater_update(struct updater_outcome *out, struct updater *u, const char *name)
{
	struct upd_source *s = upd_find(u, name);

	memset(out, 0, sizeof(*out));
	if (!s) {
		error_set("no online source is called %s", name);
		return ASEC_ENOTFOUND;
	}
	return upd_run(out, u, s);
}

/* ---- reloads ---- */

struct upd_changed {
	struct updater *u;
	char **names;
	size_t count, cap;
};

static int upd_collect_changed(void *ctx, const char *name, const char *version)
{
	struct upd_changed *c = ctx;
	int same;

	pthread_mutex_lock(&c->u->lock);
	same = upd_version_is(c->u, name, version);
	pthread_mutex_unlock(&c->u->lock);
	if (same)
		return ASEC_OK;
	if (c->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		char **bigger = realloc(c->names, cap * sizeof(*bigger));
		if (!bigger)
			goto oom;
		c->names = bigger;
		c->cap = cap;
	}
	if (!(c->names[c->count] = strdup(name)))
		goto oom;
	c->count++;
	return ASEC_OK;
oom:
	error_set("out of memory");
	return ASEC_ENOMEM;
}

int updater_reload(size_t *reloaded, struct updater *u)
{
	struct upd_changed c = {u, NULL, 0, 0};
	struct upd_part *parts = NULL;
	struct vulndata_source **built = NULL;
	struct vulndata *old = NULL, *next = NULL;
	size_t i, n = 0, failed = 0;
	char why[512] = "";
	int rc, first = ASEC_OK;

	*reloaded = 0;
	if (!u->pool) {
		error_set("reloading needs a store");
		return ASEC_EINVALID;
	}
	/* under the import lock throughout: a reload that read version 2 must
	 * not swap it in over the version 3 this process imported meanwhile */
	pthread_mutex_lock(u->import_lock);
	if ((rc = store_vulns_versions(u->pool, upd_collect_changed, &c)) || !c.count)
		goto out;
	parts = calloc(c.count, sizeof(*parts));
	built = calloc(c.count, sizeof(*built));
	if (!parts || !built) {
		error_set("out of memory");
		rc = ASEC_ENOMEM;
		goto out;
	}
	for (i = 0; i < c.count; i++) {
		/* one damaged source must not keep the others stale */
		if ((rc = store_vulns_load_one(u->pool, c.names[i], upd_part_build, &parts[i])) && rc != ASEC_ENOTFOUND &&
		    !failed++) {
			snprintf(why, sizeof(why), "reloading source %s: %s", c.names[i], error_last());
			first = rc;
		}
		if (parts[i].part)
			built[n++] = parts[i].part;
	}
	rc = ASEC_OK;
	if (!n)
		goto out;
	old = vulndata_holder_get(u->holder);
	if ((rc = vulndata_new(&next, old, built, n)))
		goto out;
	vulndata_holder_set(u->holder, next);
	for (i = 0; i < c.count; i++)
		if (parts[i].part) {
			pthread_mutex_lock(&u->lock);
			rc = upd_version_set(u, c.names[i], parts[i].version);
			pthread_mutex_unlock(&u->lock);
			if (rc) {
				error_set("out of memory");
				goto out;
			}
			log_info("reloaded vulnerability source %s (%zu records): another process changed it",
				 c.names[i], vulndata_source_records(parts[i].part));
		}
	*reloaded = n;
out:
	pthread_mutex_unlock(u->import_lock);
	vulndata_unref(old);
	vulndata_unref(next);
	for (i = 0; parts && i < c.count; i++) {
		vulndata_source_unref(parts[i].part);
		free(parts[i].version);
	}
	for (i = 0; i < c.count; i++)
		free(c.names[i]);
	free(c.names);
	free(parts);
	free(built);
	if (!rc && first)
		error_set("%s%s", why, failed > 1 ? " (and other sources)" : "");
	return rc ? rc : first;
}

/* ---- the threads ---- */

static long long upd_retry_ms(const struct updater *u, const struct upd_source *s)
{
	long long wait = u->retry_min_ms;
	int i;

	for (i = 1; i < s->failures && wait < s->interval_ms; i++)
		wait *= 2;
	return wait < s->interval_ms ? wait : s->interval_ms;
}

/* When each source is first due: an interval after its last import, which
 * may be now (a restart does not refetch what another replica just got). */
static void upd_schedule_first(struct updater *u)
{
	long long now = upd_mono_ms();
	time_t wall = time(NULL);
	size_t i;

	for (i = 0; i < u->count; i++) {
		struct upd_source *s = &u->sources[i];
		struct upd_state st;
		long long age;
		s->due_ms = now;
		if (!u->pool || upd_state_get(&st, u, s))
			continue;
		age = st.updated_at && st.same_url ? ((long long)wall - st.updated_at) * 1000 : s->interval_ms;
		if (age >= 0 && age < s->interval_ms)
			s->due_ms = now + (s->interval_ms - age);
		upd_state_free(&st);
	}
}

static void upd_log_outcome(const struct upd_source *s, const struct updater_outcome *o)
{
	if (o->result == UPDATER_NOT_MODIFIED)
		log_info("vulnerability source %s: not modified (%s)", s->name,
			 s->incremental ? "no CVE changed in the window" : "HTTP 304");
	else
		log_info("vulnerability source %s updated from %s: %zu records%s (%zu requests)", s->name, s->shown_url,
			 o->records, o->incremental ? " after merging the changes" : "", o->requests);
}

static void *upd_update_main(void *arg)
{
	struct updater *u = arg;

	upd_schedule_first(u);
	while (!atomic_load(&u->stop)) {
		long long now = upd_mono_ms(), next = now + 3600 * 1000;
		struct upd_source *due = NULL;
		struct updater_outcome o;
		size_t i;
		for (i = 0; i < u->count; i++) {
			if (u->sources[i].due_ms <= now && (!due || u->sources[i].due_ms < due->due_ms))
				due = &u->sources[i];
			if (u->sources[i].due_ms < next)
				next = u->sources[i].due_ms;
		}
		if (!due) {
			upd_wait_until(u, next);
			continue;
		}
		if (upd_run(&o, u, due) == ASEC_OK) {
			due->failures = 0;
			due->due_ms = upd_mono_ms() + due->interval_ms;
			upd_log_outcome(due, &o);
		} else if (atomic_load(&u->stop)) {
			log_info("vulnerability source %s: update cut short by the stop", due->name);
		} else {
			due->failures++;
			due->due_ms = upd_mono_ms() + upd_retry_ms(u, due);
			long long wait = upd_retry_ms(u, due);
			log_warn("vulnerability source %s: update failed (%d in a row; next try in %lld%s): %s", due->name,
				 due->failures, wait >= 1000 ? wait / 1000 : wait, wait >= 1000 ? "s" : "ms", error_last());
		}
	}
	return NULL;
}

static void *upd_reload_main(void *arg)
{
	struct updater *u = arg;
	size_t n;

	while (!upd_wait_until(u, upd_mono_ms() + u->reload_interval_ms))
		if (updater_reload(&n, u))
			log_warn("checking Scanner DB for changed vulnerability sources: %s", error_last());
	return NULL;
}

/* ---- life ---- */

int updater_new(struct updater **out, const struct updater_options *opts, struct db_pool *pool,
		struct vulndata_holder *holder, pthread_mutex_t *import_lock)
{
	struct updater *u = calloc(1, sizeof(*u));
	struct httpclient_options http;
	pthread_condattr_t attr;
	long long interval = opts->interval_ms ? opts->interval_ms : UPD_DEFAULT_INTERVAL_MS;
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (!u) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	pthread_mutex_init(&u->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&u->wake, &attr);
	pthread_condattr_destroy(&attr);
	u->pool = pool;
	u->holder = holder;
	u->import_lock = import_lock;
	u->reload_interval_ms = opts->reload_interval_ms;
	u->retry_min_ms = opts->retry_min_ms > 0 ? opts->retry_min_ms : UPD_DEFAULT_RETRY_MIN_MS;
	u->nvd_page_size = opts->nvd_page_size > 0 && opts->nvd_page_size <= UPD_NVD_MAX_PAGE_SIZE
				   ? opts->nvd_page_size : UPD_NVD_MAX_PAGE_SIZE;
	u->nvd_delay_ms = opts->nvd_page_delay_ms > 0 ? opts->nvd_page_delay_ms
			  : opts->nvd_api_key && opts->nvd_api_key[0] ? UPD_NVD_DELAY_KEY_MS : UPD_NVD_DELAY_MS;

	if (opts->sources_file && opts->sources_file[0]) {
		if ((rc = upd_read_file(&text, &len, opts->sources_file, "ROX_MATCHER_UPDATERS_FILE")) ||
		    (rc = upd_parse_sources(u, text, len, opts->sources_file, interval)))
			goto out;
	} else if (opts->sources_json && opts->sources_json[0]) {
		if ((rc = upd_parse_sources(u, opts->sources_json, strlen(opts->sources_json), "the updater sources",
					    interval)))
			goto out;
	}
	if (opts->nvd_api_key && opts->nvd_api_key[0]) {
		if (!upd_sendable(opts->nvd_api_key)) {
			error_set("the NVD API key holds a control character");
			rc = ASEC_EINVALID;
			goto out;
		}
		if (asprintf(&u->nvd_key_header, "apiKey: %s", opts->nvd_api_key) < 0) {
			u->nvd_key_header = NULL;
			rc = ASEC_ENOMEM;
			goto out;
		}
	}
	if (opts->proxy && opts->proxy[0] && (rc = upd_check_proxy(opts->proxy)))
		goto out;
	if (opts->ca_file && opts->ca_file[0] && (rc = upd_ca_bundle(&u->ca_bundle, opts->ca_file)))
		goto out;

	httpclient_options_init(&http);
	http.ca_file = u->ca_bundle;
	http.proxy = opts->proxy && opts->proxy[0] ? opts->proxy : NULL;
	/* feeds run to hundreds of MB on slow links: no total limit, but a
	 * transfer that stalls is given up */
	http.total_timeout_ms = 0;
	http.low_speed_bytes = 1;
	http.low_speed_time_s = opts->stall_timeout_s > 0 ? opts->stall_timeout_s : UPD_DEFAULT_STALL_S;
	http.max_attempts = opts->http_attempts > 0 ? opts->http_attempts : UPD_DEFAULT_ATTEMPTS;
	/* retry pauses are not interruptible by a stop: keep them short, the
	 * updater's own backoff covers longer outages */
	http.backoff_base_ms = 500;
	http.backoff_max_ms = 4000;
	http.max_body_bytes = IMPORT_MAX_FILE_BYTES;
	http.user_agent = "alauda-security-scanner-matcher/" ASEC_VERSION;
	if ((rc = httpclient_new(&u->http, &http)))
		goto out;
	/* before the service loads the store: see updater.h */
	if ((rc = upd_note_versions(u, NULL, 0)))
		goto out;
	*out = u;
	u = NULL;
out:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory");
	free(text);
	updater_free(u);
	return rc;
}

int updater_start(struct updater *u)
{
	int rc = ASEC_OK;

	pthread_mutex_lock(&u->lock);
	if (u->stopped || u->update_running || u->reload_running) {
		error_set("the updater was started before");
		rc = ASEC_EINVALID;
		goto out;
	}
	if (u->count) {
		if (pthread_create(&u->update_thread, NULL, upd_update_main, u)) {
			error_set("cannot start the update thread");
			rc = ASEC_ERROR;
			goto out;
		}
		u->update_running = 1;
	}
	if (u->pool && u->reload_interval_ms > 0) {
		if (pthread_create(&u->reload_thread, NULL, upd_reload_main, u)) {
			error_set("cannot start the reload thread");
			rc = ASEC_ERROR;
			goto out;
		}
		u->reload_running = 1;
	}
out:
	pthread_mutex_unlock(&u->lock);
	if (rc)
		updater_stop(u);
	return rc;
}

void updater_stop(struct updater *u)
{
	int update, reload;

	if (!u)
		return;
	pthread_mutex_lock(&u->lock);
	atomic_store(&u->stop, 1);
	u->stopped = 1;
	update = u->update_running;
	reload = u->reload_running;
	u->update_running = u->reload_running = 0;
	pthread_cond_broadcast(&u->wake);
	pthread_mutex_unlock(&u->lock);
	if (update)
		pthread_join(u->update_thread, NULL);
	if (reload)
		pthread_join(u->reload_thread, NULL);
}

void updater_free(struct updater *u)
{
	size_t i;

	if (!u)
		return;
	updater_stop(u);
	for (i = 0; i < u->count; i++)
		upd_source_clear(&u->sources[i]);
	free(u->sources);
	for (i = 0; i < u->version_count; i++) {
		free(u->versions[i].name);
		free(u->versions[i].version);
	}
	free(u->versions);
	httpclient_free(u->http);
	if (u->ca_bundle)
		unlink(u->ca_bundle);
	free(u->ca_bundle);
	free(u->nvd_key_header);
	pthread_cond_destroy(&u->wake);
	pthread_mutex_destroy(&u->lock);
	free(u);
}

size_t updater_source_count(const struct updater *u)
{
	return u ? u->count : 0;
}
