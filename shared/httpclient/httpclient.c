/*
 * httpclient.c - one logical HTTP request on top of libcurl's easy interface.
 *
 * Two ideas carry the file.
 *
 * First, libcurl never follows a redirect for us (CURLOPT_FOLLOWLOCATION is
 * off). Each hop is its own transfer; between hops we resolve Location
 * against the hop's URL with libcurl's URL parser (not CURLINFO_REDIRECT_URL,
 * which is unset when we stop reading a large redirect body early), refuse
 * https->http and non-HTTP targets, and drop the caller's Authorization and
 * Cookie lines for good
 * once the target leaves the original scheme://host:port. libcurl's own
 * safeguard (CURLOPT_UNRESTRICTED_AUTH) covers credentials it generated,
 * not a bearer token a registry client put in a custom header, and registries
 * do redirect blob downloads to storage hosts.
 *
 * Second, what happens to a response body is decided once, when its header
 * block ends (hc_on_headers_end): a redirect or a to-be-retried 429/5xx is
 * read and thrown away (up to a bound), a 2xx body streams to the caller's
 * callback or into memory under the size cap (Content-Length is checked
 * then, before any byte), and any other body is kept, cut short, as a
 * diagnostic. Deciding before the first body byte is what lets us promise
 * that a streaming caller never sees bytes of a response that is later
 * retried, and that a retry never happens once the caller has seen bytes.
 *
 * Easy handles come from a small per-client pool guarded by a mutex; each
 * handle serves one request at a time, and curl_easy_reset() between uses
 * keeps its connection, TLS session and DNS caches for the next request.
 */
#include "httpclient/httpclient.h"
#include "httpclient/httpclient_int.h"

#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "error/error.h"

#define HC_POOL_MAX 8               /* idle easy handles kept per client */
#define HC_URL_MAX 8192             /* longest URL accepted from a caller */
#define HC_METHOD_MAX 32
#define HC_REQ_HEADER_MAX 8192      /* longest request header line */
#define HC_REQ_HEADERS_MAX 64       /* request header lines */
#define HC_RECV_BUFFER (128L * 1024) /* libcurl's receive buffer: fewer callbacks on big blobs */
#define HC_PREALLOC_MAX ((size_t)64 << 20) /* trust Content-Length this far when reserving */
#define HC_DETAIL_MAX 512
#define HC_MAX_ATTEMPTS_LIMIT 20
#define HC_MAX_REDIRECTS_LIMIT 50

static pthread_once_t hc_global_once = PTHREAD_ONCE_INIT;
static CURLcode hc_global_result = CURLE_FAILED_INIT;

/* libcurl's global state is set up once per process and never torn down:
 * curl_global_cleanup() is not safe while any other thread might still use
 * libcurl, and a service lives as long as its process anyway. */
static void hc_global_init(void)
{
	hc_global_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct httpclient {
	struct httpclient_options opts; /* string members point at the copies below */
	char *ca_file;
	char *cert_file;
	char *key_file;
	char *user_agent;
	char *proxy;
	pthread_mutex_t pool_lock;
	CURL *pool[HC_POOL_MAX];
	size_t pool_count;
};

/* ---- server input: header lines, status lines, Retry-After ---- */

static int hc_is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int hc_is_ows(char c)
{
	return c == ' ' || c == '\t';
}

void hc_headers_clear(struct hc_headers *h)
{
	for (size_t i = 0; i < h->count; i++) {
		free(h->items[i].name);
		free(h->items[i].value);
	}
	free(h->items);
	memset(h, 0, sizeof(*h));
}

static int hc_headers_fold(struct hc_headers *h, const char *line, size_t len)
{
	struct httpclient_header *last;
	size_t old_len;
	char *value;

	while (len > 0 && hc_is_ows(*line)) {
		line++;
		len--;
	}
	while (len > 0 && hc_is_ows(line[len - 1]))
		len--;
	if (h->count == 0 || len == 0)
		return ASEC_OK;
	last = &h->items[h->count - 1];
	old_len = strlen(last->value);
	/* Sizes are bounded by HTTPCLIENT_MAX_HEADER_BYTES, checked by the caller. */
	value = realloc(last->value, old_len + 1 + len + 1);
	if (!value)
		return ASEC_ENOMEM;
	value[old_len] = ' ';
	memcpy(value + old_len + 1, line, len);
	value[old_len + 1 + len] = '\0';
	last->value = value;
	return ASEC_OK;
}

int hc_headers_add_line(struct hc_headers *h, const char *line, size_t len)
{
	const char *colon, *v, *end;
	size_t name_len;
	struct httpclient_header *item;

	if (len > HTTPCLIENT_MAX_HEADER_BYTES - h->bytes)
		return ASEC_ETOOBIG;
	h->bytes += len;
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	/* A NUL would silently cut the field short for every later reader. */
	if (len == 0 || memchr(line, '\0', len))
		return ASEC_OK;
	if (hc_is_ows(line[0]))
		return hc_headers_fold(h, line, len);

	colon = memchr(line, ':', len);
	if (!colon || colon == line)
		return ASEC_OK;
	name_len = (size_t)(colon - line);
	for (size_t i = 0; i < name_len; i++)
		if (!hc_is_tchar((unsigned char)line[i]))
			return ASEC_OK;
	if (h->count >= HTTPCLIENT_MAX_HEADERS)
		return ASEC_ETOOBIG;

	v = colon + 1;
	end = line + len;
	while (v < end && hc_is_ows(*v))
		v++;
	while (end > v && hc_is_ows(end[-1]))
		end--;

	if (h->count == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 16;
		struct httpclient_header *items = reallocarray(h->items, cap, sizeof(*items));

		if (!items)
			return ASEC_ENOMEM;
		h->items = items;
		h->cap = cap;
	}
	item = &h->items[h->count];
	item->name = strndup(line, name_len);
	item->value = strndup(v, (size_t)(end - v));
	if (!item->name || !item->value) {
		free(item->name);
		free(item->value);
		return ASEC_ENOMEM;
	}
	h->count++;
	return ASEC_OK;
}

const char *hc_headers_find(const struct httpclient_header *items, size_t count, const char *name)
{
	if (!items || !name)
		return NULL;
	for (size_t i = 0; i < count; i++)
		if (strcasecmp(items[i].name, name) == 0)
			return items[i].value;
	return NULL;
}

long hc_status_line_parse(const char *line, size_t len)
{
	size_t i = 5;
	long status = 0;

	if (len < 5 || memcmp(line, "HTTP/", 5) != 0)
		return -1;
	while (i < len && line[i] != ' ')
		i++;
	while (i < len && line[i] == ' ')
		i++;
	if (len - i < 3)
		return -1;
	for (size_t k = 0; k < 3; k++) {
		if (line[i + k] < '0' || line[i + k] > '9')
			return -1;
		status = status * 10 + (line[i + k] - '0');
	}
	i += 3;
	if (i < len && line[i] != ' ' && line[i] != '\r' && line[i] != '\n')
		return -1;
	return status;
}

long hc_retry_after_ms(const char *value, time_t now, long max_ms)
{
	const char *p;
	long long secs = 0;
	time_t when;

	if (!value || max_ms < 0)
		return -1;
	for (p = value; hc_is_ows(*p); p++)
		;
	if (*p >= '0' && *p <= '9') {
		for (; *p >= '0' && *p <= '9'; p++)
			if (secs <= max_ms / 1000 + 1)
				secs = secs * 10 + (*p - '0');
		while (hc_is_ows(*p))
			p++;
		if (*p != '\0')
			return -1;
		return secs > max_ms / 1000 ? max_ms : (long)(secs * 1000);
	}
	when = curl_getdate(p, NULL);
	if (when == -1)
		return -1;
	if (when <= now)
		return 0;
	secs = (long long)(when - now);
	return secs > max_ms / 1000 ? max_ms : (long)(secs * 1000);
}

static int hc_parse_length(const char *s, unsigned long long *out)
{
	unsigned long long n = 0;

	if (!s || *s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (n > (ULLONG_MAX - 9) / 10)
			return -1;
		n = n * 10 + (unsigned long long)(*s - '0');
	}
	if (*s != '\0')
		return -1;
	*out = n;
	return 0;
}

/* ---- time and randomness ---- */

static long long hc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void hc_sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (ms > 0 && nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Jitter needs no cryptographic quality, only threads that do not march in
 * step; a per-thread xorshift seeded from the kernel gives that lock-free. */
static _Thread_local uint64_t hc_rng_state;

static uint64_t hc_rand(void)
{
	uint64_t x;

	if (hc_rng_state == 0) {
		uint64_t seed = 0;

		if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
			seed = (uint64_t)hc_now_ms() ^ (uint64_t)(uintptr_t)&seed;
		hc_rng_state = seed | 1;
	}
	x = hc_rng_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	hc_rng_state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* Full jitter: uniform in [0, min(max, base * 2^(attempt-1))]. Spreading
 * the whole range, rather than adding a little noise to a fixed wait, is what
 * keeps many clients that failed together from retrying together. */
static long hc_backoff_ms(const struct httpclient_options *o, int attempt)
{
	long cap = o->backoff_base_ms;

	for (int i = 1; i < attempt && cap < o->backoff_max_ms; i++)
		cap = cap > LONG_MAX / 2 ? LONG_MAX : cap * 2;
	if (cap > o->backoff_max_ms)
		cap = o->backoff_max_ms;
	if (cap <= 0)
		return 0;
	return (long)(hc_rand() % ((uint64_t)cap + 1));
}

/* ---- URLs ---- */

int httpclient_url_redact(char **out, const char *url)
{
	CURLU *u = NULL;
	char *s = NULL;
	int rc = ASEC_OK;

	*out = NULL;
	pthread_once(&hc_global_once, hc_global_init);
	if (!url) {
		error_set("invalid URL");
		return ASEC_EINVALID;
	}
	u = curl_url();
	if (!u) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_USER, NULL, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_OPTIONS, NULL, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_QUERY, NULL, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK) {
		error_set("invalid URL");
		rc = ASEC_EINVALID;
		goto out;
	}
	*out = strdup(s);
	if (!*out) {
		error_set("out of memory");
		rc = ASEC_ENOMEM;
	}
out:
	curl_free(s);
	curl_url_cleanup(u);
	return rc;
}

/* The absolute URL a Location value points to, relative to base. */
static int hc_resolve_location(char **out, const char *base, const char *location)
{
	CURLU *u = curl_url();
	char *s = NULL;
	int rc = ASEC_EINVALID;

	*out = NULL;
	if (!u)
		return ASEC_ENOMEM;
	/* With a URL already in the handle, a second one is taken as relative. */
	if (location && curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, location, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK) {
		*out = strdup(s);
		rc = *out ? ASEC_OK : ASEC_ENOMEM;
	}
	curl_free(s);
	curl_url_cleanup(u);
	return rc;
}

/* Where a URL points: what decides whether credentials may go along. */
struct hc_origin {
	char *scheme;
	char *host;
	char *port;
};

static void hc_origin_free(struct hc_origin *o)
{
	curl_free(o->scheme);
	curl_free(o->host);
	curl_free(o->port);
	memset(o, 0, sizeof(*o));
}

static int hc_origin_parse(struct hc_origin *o, const char *url)
{
	CURLU *u = curl_url();
	int rc = ASEC_EINVALID;

	memset(o, 0, sizeof(*o));
	if (!u)
		return ASEC_ENOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &o->scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &o->host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &o->port, CURLU_DEFAULT_PORT) == CURLUE_OK)
		rc = ASEC_OK;
	curl_url_cleanup(u);
	if (rc != ASEC_OK)
		hc_origin_free(o);
	return rc;
}

static int hc_origin_is_http(const struct hc_origin *o)
{
	return strcasecmp(o->scheme, "http") == 0 || strcasecmp(o->scheme, "https") == 0;
}

static int hc_origin_is_https(const struct hc_origin *o)
{
	return strcasecmp(o->scheme, "https") == 0;
}

static int hc_origin_same(const struct hc_origin *a, const struct hc_origin *b)
{
	return strcasecmp(a->scheme, b->scheme) == 0 && strcasecmp(a->host, b->host) == 0 &&
	       strcmp(a->port, b->port) == 0;
}

/* ---- the client ---- */

void httpclient_options_init(struct httpclient_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->connect_timeout_ms = HTTPCLIENT_DEFAULT_CONNECT_TIMEOUT_MS;
	opts->total_timeout_ms = HTTPCLIENT_DEFAULT_TOTAL_TIMEOUT_MS;
	opts->low_speed_bytes = HTTPCLIENT_DEFAULT_LOW_SPEED_BYTES;
	opts->low_speed_time_s = HTTPCLIENT_DEFAULT_LOW_SPEED_TIME_S;
	opts->max_attempts = HTTPCLIENT_DEFAULT_MAX_ATTEMPTS;
	opts->backoff_base_ms = HTTPCLIENT_DEFAULT_BACKOFF_BASE_MS;
	opts->backoff_max_ms = HTTPCLIENT_DEFAULT_BACKOFF_MAX_MS;
	opts->max_body_bytes = HTTPCLIENT_DEFAULT_MAX_BODY_BYTES;
	opts->max_redirects = HTTPCLIENT_DEFAULT_MAX_REDIRECTS;
}

static int hc_check_file(const char *what, const char *path)
{
	if (path && access(path, R_OK) != 0) {
		error_set("httpclient: cannot read %s %s: %s", what, path, strerror(errno));
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

static int hc_strdup_opt(char **out, const char *s)
{
	*out = NULL;
	if (!s)
		return ASEC_OK;
	*out = strdup(s);
	return *out ? ASEC_OK : ASEC_ENOMEM;
}

int httpclient_new(struct httpclient **out, const struct httpclient_options *opts)
{
	struct httpclient *c = NULL;
	struct httpclient_options defaults;
	int rc;

	*out = NULL;
	if (!opts) {
		httpclient_options_init(&defaults);
		opts = &defaults;
	}
	if (opts->max_attempts < 1 || opts->max_attempts > HC_MAX_ATTEMPTS_LIMIT ||
	    opts->max_redirects < 0 || opts->max_redirects > HC_MAX_REDIRECTS_LIMIT ||
	    opts->connect_timeout_ms < 0 || opts->total_timeout_ms < 0 ||
	    opts->backoff_base_ms < 0 || opts->backoff_max_ms < opts->backoff_base_ms ||
	    opts->low_speed_bytes < 0 || opts->low_speed_time_s < 0 || opts->max_body_bytes == 0) {
		error_set("httpclient: options out of range (attempts 1..%d, redirects 0..%d, "
			  "non-negative times, backoff max >= base, body cap > 0)",
			  HC_MAX_ATTEMPTS_LIMIT, HC_MAX_REDIRECTS_LIMIT);
		return ASEC_EINVALID;
	}
	if (!opts->cert_file != !opts->key_file) {
		error_set("httpclient: a client certificate needs both cert_file and key_file");
		return ASEC_EINVALID;
	}
	rc = hc_check_file("CA file", opts->ca_file);
	if (rc == ASEC_OK)
		rc = hc_check_file("client certificate", opts->cert_file);
	if (rc == ASEC_OK)
		rc = hc_check_file("client key", opts->key_file);
	if (rc != ASEC_OK)
		return rc;

	pthread_once(&hc_global_once, hc_global_init);
	if (hc_global_result != CURLE_OK) {
		error_set("httpclient: libcurl initialisation failed: %s",
			  curl_easy_strerror(hc_global_result));
		return ASEC_ERROR;
	}

	c = calloc(1, sizeof(*c));
	if (!c) {
		error_set("httpclient: out of memory");
		return ASEC_ENOMEM;
	}
	c->opts = *opts;
	if (hc_strdup_opt(&c->ca_file, opts->ca_file) || hc_strdup_opt(&c->cert_file, opts->cert_file) ||
	    hc_strdup_opt(&c->key_file, opts->key_file) || hc_strdup_opt(&c->proxy, opts->proxy) ||
	    hc_strdup_opt(&c->user_agent, opts->user_agent ? opts->user_agent
							    : "asec-httpclient/" ASEC_VERSION)) {
		error_set("httpclient: out of memory");
		rc = ASEC_ENOMEM;
		goto out;
	}
	c->opts.ca_file = c->ca_file;
	c->opts.cert_file = c->cert_file;
	c->opts.key_file = c->key_file;
	c->opts.user_agent = c->user_agent;
	c->opts.proxy = c->proxy;
	if (pthread_mutex_init(&c->pool_lock, NULL) != 0) {
		error_set("httpclient: cannot create a mutex");
		rc = ASEC_ERROR;
		goto out;
	}
	*out = c;
	c = NULL;
out:
	if (c) {
		free(c->ca_file);
		free(c->cert_file);
		free(c->key_file);
		free(c->user_agent);
		free(c->proxy);
		free(c);
	}
	return rc;
}

void httpclient_free(struct httpclient *client)
{
	if (!client)
		return;
	for (size_t i = 0; i < client->pool_count; i++)
		curl_easy_cleanup(client->pool[i]);
	pthread_mutex_destroy(&client->pool_lock);
	free(client->ca_file);
	free(client->cert_file);
	free(client->key_file);
	free(client->user_agent);
	free(client->proxy);
	free(client);
}

static CURL *hc_pool_get(struct httpclient *c)
{
	CURL *h = NULL;

	pthread_mutex_lock(&c->pool_lock);
	if (c->pool_count > 0)
		h = c->pool[--c->pool_count];
	pthread_mutex_unlock(&c->pool_lock);
	return h ? h : curl_easy_init();
}

static void hc_pool_put(struct httpclient *c, CURL *h)
{
	if (!h)
		return;
	/* Drops every pointer into the finished request (error buffer, header
	 * list, callbacks' data) while keeping the caches worth keeping. */
	curl_easy_reset(h);
	pthread_mutex_lock(&c->pool_lock);
	if (c->pool_count < HC_POOL_MAX) {
		c->pool[c->pool_count++] = h;
		h = NULL;
	}
	pthread_mutex_unlock(&c->pool_lock);
	if (h)
		curl_easy_cleanup(h);
}

/* ---- one request ---- */

enum hc_sink {
	HC_SINK_NONE,       /* no header block finished yet */
	HC_SINK_STREAM,     /* 2xx body to the caller's callback */
	HC_SINK_BUFFER,     /* 2xx body into memory */
	HC_SINK_ERROR_BODY, /* other final body into memory, cut short */
	HC_SINK_DISCARD,    /* a redirect or a response to be retried */
};

/* What the caller asked for, checked and prepared once per request. */
struct hc_plan {
	const char *method;
	int idempotent;
	int send_body;
	struct hc_origin origin;
	struct curl_slist *headers;          /* everything the caller gave */
	struct curl_slist *headers_stripped; /* less Authorization and Cookie */
	char *safe_url;                      /* for messages */
};

struct hc_xfer {
	/* fixed for the request */
	struct httpclient *client;
	const struct httpclient_request *req;
	const struct hc_plan *plan;
	size_t max_body;
	int is_head;
	long long deadline; /* monotonic ms; 0 = none */
	int attempt;

	/* the response being received; reset at each status line */
	long status;
	int headers_done;
	struct hc_headers headers;
	enum hc_sink sink;
	int redirect;        /* a 3xx with Location, to be followed */
	long retry_delay_ms; /* >= 0: to be retried after this wait */
	size_t body_seen;
	char *buf;
	size_t buf_len;
	size_t buf_cap;
	int truncated;
	int stopped_reading; /* we ended the transfer on purpose; the response stands */

	/* the attempt's outcome */
	char *hop_url;       /* URL of the last hop tried */
	int redirects;
	CURLcode cc;         /* transport failure, or CURLE_OK */
	long os_errno;
	int fresh_connect;   /* the failed hop opened a new connection */
	long connect_us;     /* how long that connect took, 0 = not done */
	int abort_code;      /* why a callback stopped the transfer, or ASEC_OK */
	int callback_failed; /* abort_code came from the caller's on_body */
	char detail[HC_DETAIL_MAX];
	char errbuf[CURL_ERROR_SIZE];

	/* across attempts */
	int delivered;       /* on_body has been given bytes: never retry */
	size_t delivered_bytes;
};

static void hc_response_reset(struct hc_xfer *x)
{
	hc_headers_clear(&x->headers);
	x->status = 0;
	x->headers_done = 0;
	x->sink = HC_SINK_NONE;
	x->redirect = 0;
	x->retry_delay_ms = -1;
	x->body_seen = 0;
	x->buf_len = 0;
	x->truncated = 0;
	x->stopped_reading = 0;
}

static int hc_buf_reserve(struct hc_xfer *x, size_t need)
{
	size_t cap;
	char *buf;

	if (need <= x->buf_cap)
		return ASEC_OK;
	cap = x->buf_cap ? x->buf_cap : 4096;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	buf = realloc(x->buf, cap);
	if (!buf)
		return ASEC_ENOMEM;
	x->buf = buf;
	x->buf_cap = cap;
	return ASEC_OK;
}

static int hc_buf_append(struct hc_xfer *x, const char *data, size_t len)
{
	/* len and buf_len are each below a size cap far from SIZE_MAX. */
	if (hc_buf_reserve(x, x->buf_len + len + 1) != ASEC_OK)
		return ASEC_ENOMEM;
	memcpy(x->buf + x->buf_len, data, len);
	x->buf_len += len;
	x->buf[x->buf_len] = '\0';
	return ASEC_OK;
}

static int hc_abort(struct hc_xfer *x, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int hc_abort(struct hc_xfer *x, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->detail, sizeof(x->detail), fmt, ap);
	va_end(ap);
	x->abort_code = code;
	return code;
}

static int hc_is_redirect_status(long s)
{
	return s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
}

static int hc_is_retryable_status(long s)
{
	return s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
}

/* Decides where the body of the response whose headers just ended goes. */
static int hc_on_headers_end(struct hc_xfer *x)
{
	const struct httpclient_options *o = &x->client->opts;
	const struct httpclient_header *items = x->headers.items;
	size_t n = x->headers.count;
	long s = x->status;

	if (s < 200)
		return ASEC_OK; /* interim (100 Continue): the real status line follows */

	if (hc_is_redirect_status(s) && o->max_redirects > 0 && hc_headers_find(items, n, "Location")) {
		x->redirect = 1;
		x->sink = HC_SINK_DISCARD;
		return ASEC_OK;
	}

	if (hc_is_retryable_status(s) && x->plan->idempotent && !x->delivered &&
	    x->attempt < o->max_attempts) {
		long wait = hc_retry_after_ms(hc_headers_find(items, n, "Retry-After"), time(NULL),
					      o->backoff_max_ms);

		if (wait < 0)
			wait = hc_backoff_ms(o, x->attempt);
		/* A wait that would outlast the deadline cannot lead anywhere:
		 * this response becomes the answer instead. */
		if (!x->deadline || hc_now_ms() + wait < x->deadline) {
			x->retry_delay_ms = wait;
			x->sink = HC_SINK_DISCARD;
			return ASEC_OK;
		}
	}

	if (s >= 300) {
		x->sink = HC_SINK_ERROR_BODY;
		return ASEC_OK;
	}

	if (!x->is_head && s != 204) {
		unsigned long long len;

		if (hc_parse_length(hc_headers_find(items, n, "Content-Length"), &len) == 0) {
			if (len > x->max_body)
				return hc_abort(x, ASEC_ETOOBIG,
						"response body of %llu bytes exceeds the limit of %zu bytes",
						len, x->max_body);
			if (!x->req->on_body &&
			    hc_buf_reserve(x, (len < HC_PREALLOC_MAX ? (size_t)len : HC_PREALLOC_MAX) + 1))
				return hc_abort(x, ASEC_ENOMEM, "out of memory");
		}
	}
	x->sink = x->req->on_body ? HC_SINK_STREAM : HC_SINK_BUFFER;
	return ASEC_OK;
}

static int hc_is_blank_line(const char *data, size_t len)
{
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	return len == 0;
}

static size_t hc_on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct hc_xfer *x = userdata;
	size_t len = size * nmemb;
	long status = hc_status_line_parse(data, len);
	int rc;

	if (status >= 0) {
		/* Each status line (1xx, then the final one) starts a new header block. */
		hc_response_reset(x);
		x->status = status;
		return len;
	}
	if (x->headers_done)
		return len; /* trailers after a chunked body: not needed */
	if (hc_is_blank_line(data, len)) {
		x->headers_done = 1;
		return hc_on_headers_end(x) == ASEC_OK ? len : 0;
	}
	rc = hc_headers_add_line(&x->headers, data, len);
	if (rc == ASEC_ETOOBIG) {
		hc_abort(x, rc, "response headers exceed %d bytes or %d fields",
			 HTTPCLIENT_MAX_HEADER_BYTES, HTTPCLIENT_MAX_HEADERS);
		return 0;
	}
	if (rc != ASEC_OK) {
		hc_abort(x, rc, "out of memory");
		return 0;
	}
	return len;
}

static size_t hc_on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct hc_xfer *x = userdata;
	size_t len = size * nmemb;
	size_t room;
	int rc;

	switch (x->sink) {
	case HC_SINK_STREAM:
	case HC_SINK_BUFFER:
		if (len > x->max_body - x->body_seen) {
			hc_abort(x, ASEC_ETOOBIG, "response body exceeds the limit of %zu bytes",
				 x->max_body);
			return 0;
		}
		x->body_seen += len;
		if (x->sink == HC_SINK_BUFFER) {
			if (hc_buf_append(x, data, len) != ASEC_OK) {
				hc_abort(x, ASEC_ENOMEM, "out of memory");
				return 0;
			}
			return len;
		}
		if (len == 0)
			return 0;
		x->delivered = 1;
		x->delivered_bytes += len;
		rc = x->req->on_body(data, len, x->req->ctx);
		if (rc != ASEC_OK) {
			x->abort_code = rc < 0 ? rc : ASEC_ERROR;
			x->callback_failed = 1;
			return 0;
		}
		return len;
	case HC_SINK_ERROR_BODY:
		room = HTTPCLIENT_ERROR_BODY_MAX - x->buf_len;
		if (len > room) {
			if (hc_buf_append(x, data, room) != ASEC_OK) {
				hc_abort(x, ASEC_ENOMEM, "out of memory");
				return 0;
			}
			x->truncated = 1;
			x->stopped_reading = 1;
			return 0;
		}
		if (hc_buf_append(x, data, len) != ASEC_OK) {
			hc_abort(x, ASEC_ENOMEM, "out of memory");
			return 0;
		}
		return len;
	case HC_SINK_NONE:
	case HC_SINK_DISCARD:
		break;
	}
	/* Reading a small throw-away body keeps the connection reusable; a big
	 * one costs more than a new connection. */
	if (len > HTTPCLIENT_ERROR_BODY_MAX - x->body_seen) {
		x->stopped_reading = 1;
		return 0;
	}
	x->body_seen += len;
	return len;
}

#define HC_SETOPT(h, opt, val)                                  \
	do {                                                    \
		if ((cc = curl_easy_setopt(h, opt, val)) != CURLE_OK) \
			goto out;                               \
	} while (0)

/* Runs one transfer (one hop) on h. */
static int hc_hop(struct hc_xfer *x, CURL *h, const char *url, const char *method, int send_body,
		  const struct curl_slist *headers)
{
	const struct httpclient_options *o = &x->client->opts;
	long timeout_ms = 0, connect_ms = o->connect_timeout_ms;
	long num_connects = 0;
	curl_off_t connect_time = 0;
	CURLcode cc = CURLE_OK;

	x->errbuf[0] = '\0';
	if (x->deadline) {
		long long left = x->deadline - hc_now_ms();

		if (left <= 0) {
			x->cc = CURLE_OPERATION_TIMEDOUT;
			x->fresh_connect = 0;
			return ASEC_ETIMEOUT;
		}
		timeout_ms = left > LONG_MAX ? LONG_MAX : (long)left;
		if (connect_ms == 0 || connect_ms > timeout_ms)
			connect_ms = timeout_ms;
	}

	curl_easy_reset(h);
	HC_SETOPT(h, CURLOPT_URL, url);
	HC_SETOPT(h, CURLOPT_PROTOCOLS_STR, "http,https");
	HC_SETOPT(h, CURLOPT_NOSIGNAL, 1L);
	HC_SETOPT(h, CURLOPT_FOLLOWLOCATION, 0L);
	HC_SETOPT(h, CURLOPT_HTTPHEADER, headers);
	HC_SETOPT(h, CURLOPT_USERAGENT, o->user_agent);
	HC_SETOPT(h, CURLOPT_ERRORBUFFER, x->errbuf);
	HC_SETOPT(h, CURLOPT_HEADERFUNCTION, hc_on_header);
	HC_SETOPT(h, CURLOPT_HEADERDATA, x);
	HC_SETOPT(h, CURLOPT_WRITEFUNCTION, hc_on_body);
	HC_SETOPT(h, CURLOPT_WRITEDATA, x);
	HC_SETOPT(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	HC_SETOPT(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	HC_SETOPT(h, CURLOPT_LOW_SPEED_LIMIT, o->low_speed_bytes);
	HC_SETOPT(h, CURLOPT_LOW_SPEED_TIME, o->low_speed_bytes ? o->low_speed_time_s : 0L);
	HC_SETOPT(h, CURLOPT_TCP_KEEPALIVE, 1L);
	/* A proxy's "200 Connection established" is not the server's answer. */
	HC_SETOPT(h, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
	HC_SETOPT(h, CURLOPT_BUFFERSIZE, HC_RECV_BUFFER);
	/* Set only when configured: an unset CURLOPT_PROXY is what lets libcurl
	 * read the environment, and "" is libcurl's own "no proxy at all". */
	if (o->proxy)
		HC_SETOPT(h, CURLOPT_PROXY, o->proxy);
	/* CURLOPT_ACCEPT_ENCODING stays unset on purpose: blob digests are
	 * computed over the bytes as served, so nothing may decode them. */

	HC_SETOPT(h, CURLOPT_SSL_VERIFYPEER, o->insecure_skip_verify ? 0L : 1L);
	HC_SETOPT(h, CURLOPT_SSL_VERIFYHOST, o->insecure_skip_verify ? 0L : 2L);
	if (o->ca_file) {
		HC_SETOPT(h, CURLOPT_CAINFO, o->ca_file);
		/* Only the given bundle is trusted, not the system directory too. */
		HC_SETOPT(h, CURLOPT_CAPATH, (char *)NULL);
	}
	if (o->cert_file) {
		HC_SETOPT(h, CURLOPT_SSLCERT, o->cert_file);
		HC_SETOPT(h, CURLOPT_SSLCERTTYPE, "PEM");
		HC_SETOPT(h, CURLOPT_SSLKEY, o->key_file);
		HC_SETOPT(h, CURLOPT_SSLKEYTYPE, "PEM");
	}

	if (strcmp(method, "HEAD") == 0) {
		HC_SETOPT(h, CURLOPT_NOBODY, 1L);
	} else if (strcmp(method, "GET") == 0 && !send_body) {
		HC_SETOPT(h, CURLOPT_HTTPGET, 1L);
	} else {
		if (send_body) {
			HC_SETOPT(h, CURLOPT_POSTFIELDS, x->req->body ? x->req->body : "");
			HC_SETOPT(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->req->body_len);
		}
		if (strcmp(method, "POST") != 0)
			HC_SETOPT(h, CURLOPT_CUSTOMREQUEST, method);
	}

	cc = curl_easy_perform(h);
	if (cc == CURLE_WRITE_ERROR && x->stopped_reading && x->abort_code == ASEC_OK)
		cc = CURLE_OK;
out:
	if (cc == CURLE_OK)
		return ASEC_OK;
	if (x->abort_code != ASEC_OK)
		return x->abort_code;
	x->cc = cc;
	curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &x->os_errno);
	curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &num_connects);
	curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_time);
	x->fresh_connect = num_connects > 0;
	x->connect_us = (long)connect_time;
	return cc == CURLE_OPERATION_TIMEDOUT ? ASEC_ETIMEOUT : ASEC_EIO;
}

/* One attempt: the original URL and the redirects it leads to. */
static int hc_attempt(struct hc_xfer *x, CURL *h)
{
	const struct hc_plan *p = x->plan;
	const char *method = p->method;
	int send_body = p->send_body;
	int strip = 0;
	int seen_https = hc_origin_is_https(&p->origin);
	struct hc_origin next_origin = { 0 };
	char *next = NULL;
	char *safe = NULL;
	int rc;

	x->redirects = 0;
	x->cc = CURLE_OK;
	x->abort_code = ASEC_OK;
	x->detail[0] = '\0';
	free(x->hop_url);
	x->hop_url = strdup(x->req->url);
	if (!x->hop_url)
		return hc_abort(x, ASEC_ENOMEM, "out of memory");

	for (int hop = 0;; hop++) {
		hc_response_reset(x);
		rc = hc_hop(x, h, x->hop_url, method, send_body,
			    strip ? p->headers_stripped : p->headers);
		if (rc != ASEC_OK || !x->redirect)
			goto out;
		if (hop >= x->client->opts.max_redirects) {
			rc = hc_abort(x, ASEC_EIO, "stopped after %d redirects",
				      x->client->opts.max_redirects);
			goto out;
		}
		rc = hc_resolve_location(&next, x->hop_url,
					 hc_headers_find(x->headers.items, x->headers.count, "Location"));
		if (rc == ASEC_OK)
			rc = hc_origin_parse(&next_origin, next);
		if (rc != ASEC_OK) {
			rc = hc_abort(x, rc, rc == ASEC_ENOMEM ? "out of memory"
					     : "redirect (%ld) to an unusable Location", x->status);
			goto out;
		}
		if (!hc_origin_is_http(&next_origin)) {
			rc = hc_abort(x, ASEC_EINVALID, "redirect to a non-HTTP URL (%s) refused", next_origin.scheme);
			goto out;
		}
		if (seen_https && !hc_origin_is_https(&next_origin)) {
			httpclient_url_redact(&safe, next);
			rc = hc_abort(x, ASEC_EINVALID, "redirect from https to %s refused",
				      safe ? safe : "an http URL");
			goto out;
		}
		if (!hc_origin_same(&p->origin, &next_origin))
			strip = 1;
		if (hc_origin_is_https(&next_origin))
			seen_https = 1;
		/* What browsers and libcurl do: 303 always, and 301/302 after a
		 * POST, turn into a GET without a body; 307/308 repeat as is. */
		if ((x->status == 303 && strcmp(method, "HEAD") != 0) ||
		    ((x->status == 301 || x->status == 302) && strcmp(method, "POST") == 0)) {
			method = "GET";
			send_body = 0;
		}
		free(x->hop_url);
		x->hop_url = next;
		next = NULL;
		hc_origin_free(&next_origin);
		x->redirects++;
	}
out:
	hc_origin_free(&next_origin);
	free(next);
	free(safe);
	return rc;
}

static int hc_is_retryable_transport(const struct hc_xfer *x)
{
	switch (x->cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	case CURLE_OPERATION_TIMEDOUT:
		/* A connect timeout or a stalled stream, not the total deadline. */
		return !x->deadline || hc_now_ms() + 5 < x->deadline;
	default:
		return 0;
	}
}

static void hc_describe_transport(const struct hc_xfer *x, char *out, size_t outlen)
{
	const struct httpclient_options *o = &x->client->opts;
	const char *why = x->errbuf[0] ? x->errbuf : curl_easy_strerror(x->cc);
	char errno_buf[128];

	switch (x->cc) {
	case CURLE_COULDNT_CONNECT:
		if (x->os_errno) {
			const char *s = strerror_r((int)x->os_errno, errno_buf, sizeof(errno_buf));

			snprintf(out, outlen, "%c%s", s[0] >= 'A' && s[0] <= 'Z' ? s[0] - 'A' + 'a' : s[0],
				 s[0] ? s + 1 : "");
		} else {
			snprintf(out, outlen, "could not connect");
		}
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		snprintf(out, outlen, "could not resolve host");
		break;
	case CURLE_COULDNT_RESOLVE_PROXY:
		snprintf(out, outlen, "could not resolve proxy");
		break;
	case CURLE_OPERATION_TIMEDOUT:
		if (x->deadline && hc_now_ms() + 5 >= x->deadline)
			snprintf(out, outlen, "total timeout of %ld ms exceeded", o->total_timeout_ms);
		else if (x->fresh_connect && x->connect_us == 0)
			snprintf(out, outlen, "connect timed out");
		else
			snprintf(out, outlen, "transfer stalled (under %ld bytes/s for %ld s)",
				 o->low_speed_bytes, o->low_speed_time_s);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
		snprintf(out, outlen, "TLS verification of the server failed: %s", why);
		break;
	case CURLE_SSL_CONNECT_ERROR:
		snprintf(out, outlen, "TLS handshake failed: %s", why);
		break;
	case CURLE_SSL_CERTPROBLEM:
		snprintf(out, outlen, "client certificate or key unusable: %s", why);
		break;
	case CURLE_SSL_CACERT_BADFILE:
		snprintf(out, outlen, "CA file unusable: %s", why);
		break;
	case CURLE_GOT_NOTHING:
		snprintf(out, outlen, "server closed the connection without a response");
		break;
	case CURLE_PARTIAL_FILE:
		snprintf(out, outlen, "connection closed before the whole body arrived");
		break;
	default:
		snprintf(out, outlen, "%s", why);
		break;
	}
}

/* Sets the one error message for a failed request. */
static void hc_report(const struct hc_xfer *x, int rc, int attempts)
{
	const struct hc_plan *p = x->plan;
	char detail[HC_DETAIL_MAX + 128];
	char where[HC_DETAIL_MAX] = "";
	char tries[64] = "";
	char *safe_hop = NULL;

	if (x->callback_failed) {
		if (error_last()[0])
			error_prefix("%s %s", p->method, p->safe_url);
		else
			error_set("%s %s: body callback failed: %s", p->method, p->safe_url,
				  error_code_name(rc));
		return;
	}
	if (x->cc != CURLE_OK)
		hc_describe_transport(x, detail, sizeof(detail));
	else
		snprintf(detail, sizeof(detail), "%s", x->detail[0] ? x->detail : error_code_name(rc));
	if (x->cc != CURLE_OK && x->delivered)
		snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail),
			 "; %zu body bytes had already been delivered, so not retried", x->delivered_bytes);
	if (x->redirects > 0 && x->hop_url && httpclient_url_redact(&safe_hop, x->hop_url) == ASEC_OK)
		snprintf(where, sizeof(where), " (redirected to %s)", safe_hop);
	if (attempts > 1)
		snprintf(tries, sizeof(tries), " after %d attempts", attempts);
	error_set("%s %s: %s%s%s", p->method, p->safe_url, detail, where, tries);
	free(safe_hop);
}

static int hc_method_valid(const char *m)
{
	size_t n = strlen(m);

	if (n == 0 || n > HC_METHOD_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!hc_is_tchar((unsigned char)m[i]))
			return 0;
	return 1;
}

static int hc_header_is(const char *line, const char *name)
{
	size_t n = strlen(name);

	return strncasecmp(line, name, n) == 0 && line[n] == ':';
}

static void hc_plan_free(struct hc_plan *p)
{
	hc_origin_free(&p->origin);
	curl_slist_free_all(p->headers);
	curl_slist_free_all(p->headers_stripped);
	free(p->safe_url);
}

static int hc_slist_add(struct curl_slist **list, const char *line)
{
	struct curl_slist *l = curl_slist_append(*list, line);

	if (!l)
		return ASEC_ENOMEM;
	*list = l;
	return ASEC_OK;
}

/* Checks the request and prepares what every attempt reuses. Messages here
 * never quote a header line: it may be a credential. */
static int hc_plan_make(struct hc_plan *p, const struct httpclient_request *req)
{
	const char *m;
	int has_type = 0, has_expect = 0;
	size_t i;
	int rc;

	memset(p, 0, sizeof(*p));
	p->method = req->method ? req->method : "GET";
	m = p->method;
	if (!hc_method_valid(m)) {
		p->method = "request";
		error_set("httpclient: invalid HTTP method");
		return ASEC_EINVALID;
	}
	if (!req->url || strnlen(req->url, HC_URL_MAX + 1) > HC_URL_MAX) {
		error_set("%s: missing URL or URL longer than %d bytes", m, HC_URL_MAX);
		return ASEC_EINVALID;
	}
	rc = httpclient_url_redact(&p->safe_url, req->url);
	if (rc != ASEC_OK) {
		error_set("%s: %s", m, rc == ASEC_ENOMEM ? "out of memory" : "invalid URL");
		return rc;
	}
	rc = hc_origin_parse(&p->origin, req->url);
	if (rc != ASEC_OK || !hc_origin_is_http(&p->origin)) {
		error_set("%s %s: only http and https URLs are supported", m, p->safe_url);
		return rc == ASEC_ENOMEM ? rc : ASEC_EINVALID;
	}
	if (req->body_len > 0 && !req->body) {
		error_set("%s %s: body_len without a body", m, p->safe_url);
		return ASEC_EINVALID;
	}

	for (i = 0; req->headers && req->headers[i]; i++) {
		const char *line = req->headers[i];
		size_t len = strnlen(line, HC_REQ_HEADER_MAX + 1);
		const char *colon = memchr(line, ':', len);

		if (i >= HC_REQ_HEADERS_MAX || len > HC_REQ_HEADER_MAX || strpbrk(line, "\r\n") ||
		    !colon || colon == line) {
			error_set("%s %s: request header %zu is malformed or too long", m, p->safe_url, i);
			return ASEC_EINVALID;
		}
		for (const char *c = line; c < colon; c++) {
			if (!hc_is_tchar((unsigned char)*c)) {
				error_set("%s %s: request header %zu has an invalid name", m,
					  p->safe_url, i);
				return ASEC_EINVALID;
			}
		}
		has_type |= hc_header_is(line, "Content-Type");
		has_expect |= hc_header_is(line, "Expect");
		if (hc_slist_add(&p->headers, line) != ASEC_OK)
			goto nomem;
		if (hc_header_is(line, "Authorization") || hc_header_is(line, "Cookie"))
			continue;
		if (hc_slist_add(&p->headers_stripped, line) != ASEC_OK)
			goto nomem;
	}
	/* "Name:" with no value tells libcurl not to send its own: no
	 * form-urlencoded type the caller did not ask for, and no one-second
	 * "Expect: 100-continue" pause before large bodies. */
	if (!has_type && (hc_slist_add(&p->headers, "Content-Type:") != ASEC_OK ||
			  hc_slist_add(&p->headers_stripped, "Content-Type:") != ASEC_OK))
		goto nomem;
	if (!has_expect && (hc_slist_add(&p->headers, "Expect:") != ASEC_OK ||
			    hc_slist_add(&p->headers_stripped, "Expect:") != ASEC_OK))
		goto nomem;

	if (req->idempotent >= 0)
		p->idempotent = req->idempotent != 0;
	else
		p->idempotent = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 ||
				strcmp(m, "PUT") == 0 || strcmp(m, "DELETE") == 0 ||
				strcmp(m, "OPTIONS") == 0;
	p->send_body = req->body_len > 0 || strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 ||
		       strcmp(m, "PATCH") == 0;
	return ASEC_OK;
nomem:
	error_set("%s %s: out of memory", m, p->safe_url);
	return ASEC_ENOMEM;
}

int httpclient_do(struct httpclient *client, const struct httpclient_request *req,
		  struct httpclient_response *resp)
{
	struct hc_plan plan;
	struct hc_xfer x;
	CURL *h = NULL;
	int rc;

	if (!resp) {
		error_set("httpclient_do: no response to fill");
		return ASEC_EINVALID;
	}
	memset(resp, 0, sizeof(*resp));
	memset(&x, 0, sizeof(x));
	memset(&plan, 0, sizeof(plan));
	if (!client || !req) {
		error_set("httpclient_do: no client or no request");
		return ASEC_EINVALID;
	}
	rc = hc_plan_make(&plan, req);
	if (rc != ASEC_OK)
		goto out;

	x.client = client;
	x.req = req;
	x.plan = &plan;
	x.max_body = req->max_body_bytes ? req->max_body_bytes : client->opts.max_body_bytes;
	x.is_head = strcmp(plan.method, "HEAD") == 0;
	x.deadline = client->opts.total_timeout_ms ? hc_now_ms() + client->opts.total_timeout_ms : 0;
	x.retry_delay_ms = -1;

	h = hc_pool_get(client);
	if (!h) {
		error_set("%s %s: out of memory", plan.method, plan.safe_url);
		rc = ASEC_ENOMEM;
		goto out;
	}

	error_clear(); /* so that a silent on_body failure is told apart */
	for (x.attempt = 1;; x.attempt++) {
		long wait;

		resp->attempts = x.attempt;
		rc = hc_attempt(&x, h);
		if (rc == ASEC_OK && x.retry_delay_ms < 0)
			break;
		if (rc == ASEC_OK) {
			wait = x.retry_delay_ms;
		} else if (x.cc != CURLE_OK && plan.idempotent && !x.delivered &&
			   x.attempt < client->opts.max_attempts && hc_is_retryable_transport(&x)) {
			wait = hc_backoff_ms(&client->opts, x.attempt);
			if (x.deadline && hc_now_ms() + wait >= x.deadline)
				break;
		} else {
			break;
		}
		hc_sleep_ms(wait);
	}
	if (rc != ASEC_OK) {
		hc_report(&x, rc, resp->attempts);
		goto out;
	}

	resp->status = x.status;
	resp->headers = x.headers.items;
	resp->header_count = x.headers.count;
	memset(&x.headers, 0, sizeof(x.headers));
	if (x.buf_len > 0) {
		resp->body = x.buf;
		resp->body_len = x.buf_len;
		x.buf = NULL;
	}
	resp->body_truncated = x.truncated;
	resp->final_url = x.hop_url;
	x.hop_url = NULL;
	resp->redirects = x.redirects;
out:
	hc_pool_put(client, h);
	hc_headers_clear(&x.headers);
	free(x.buf);
	free(x.hop_url);
	hc_plan_free(&plan);
	if (rc != ASEC_OK) {
		int attempts = resp->attempts;

		httpclient_response_free(resp);
		resp->attempts = attempts;
	}
	return rc;
}

const char *httpclient_response_header(const struct httpclient_response *resp, const char *name)
{
	if (!resp)
		return NULL;
	return hc_headers_find(resp->headers, resp->header_count, name);
}

void httpclient_response_free(struct httpclient_response *resp)
{
	if (!resp)
		return;
	for (size_t i = 0; i < resp->header_count; i++) {
		free(resp->headers[i].name);
		free(resp->headers[i].value);
	}
	free(resp->headers);
	free(resp->body);
	free(resp->final_url);
	memset(resp, 0, sizeof(*resp));
}
