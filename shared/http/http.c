/*
 * http.c - request pipeline of the shared HTTPS server (see http.h).
 *
 * ulfius owns the sockets, TLS and routing; every generated operation is
 * registered with the same callback, http_dispatch(), whose user data is the
 * operation. ulfius runs one thread per connection, so everything here is
 * per-request state on the stack plus a few shared, mutex-protected counters.
 *
 * Unmatched requests reach the default endpoint, which tells 405 from 404 by
 * matching the path against the registered templates itself: ulfius only
 * knows "no endpoint for this method and path". When the server has a site
 * (the portal, site.c), GET and HEAD outside the API's prefixes go there
 * first.
 */
#include "http/http.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <ulfius.h>

#include "error/error.h"
#include "http/http_internal.h"
#include "log/log.h"

#define DEFAULT_MAX_BODY (1024 * 1024)
#define DEFAULT_MAX_HEADERS (16 * 1024)
#define DEFAULT_IDLE_TIMEOUT 60
#define MAX_PEM_BYTES (256 * 1024)
#define REQUEST_ID_MAX 64

struct http_exchange {
	struct http_server *server;
	const struct http_operation *op;
	const struct _u_request *req;
	struct _u_response *resp;
	char request_id[REQUEST_ID_MAX + 1];
	char identity[256];
	char client_cn[256];
	int has_client_cn;
	long status;
	int responded;
	size_t bytes_out;
	char *greedy_decoded;  /* the percent-decoded allowReserved parameter */
};

/* ---- small helpers ------------------------------------------------------------------- */

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int read_file(char **out, const char *path, size_t limit)
{
	FILE *f = NULL;
	char *buf = NULL;
	size_t n;
	int rc = ASEC_EIO;

	*out = NULL;
	f = fopen(path, "rb");
	if (!f) {
		error_set("cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	buf = malloc(limit + 1);
	if (!buf) {
		rc = ASEC_ENOMEM;
		error_set("out of memory reading %s", path);
		goto out;
	}
	n = fread(buf, 1, limit + 1, f);
	if (ferror(f)) {
		error_set("cannot read %s: %s", path, strerror(errno));
		goto out;
	}
	if (n > limit) {
		rc = ASEC_ETOOBIG;
		error_set("%s is larger than %zu bytes", path, limit);
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	buf = NULL;
	rc = ASEC_OK;
out:
	free(buf);
	if (f)
		fclose(f);
	return rc;
}

/* A client-supplied request id is reused only when it is short and made of
 * safe characters, so that it can go into logs and headers verbatim. */
static int request_id_acceptable(const char *id)
{
	size_t n = 0;

	if (!id)
		return 0;
	for (; id[n]; n++) {
		char c = id[n];
		if (n >= REQUEST_ID_MAX)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			return 0;
	}
	return n > 0;
}

static void new_request_id(char *buf, size_t size)
{
	unsigned char raw[16];
	size_t i;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		/* Uniqueness, not secrecy, is what a request id needs. */
		static atomic_ulong fallback;
		unsigned long v = atomic_fetch_add(&fallback, 1) ^ (unsigned long)time(NULL);
		memcpy(raw, &v, sizeof(v));
		memset(raw + sizeof(v), 0x5a, sizeof(raw) - sizeof(v));
	}
	for (i = 0; i < sizeof(raw) && 2 * i + 2 < size; i++)
		snprintf(buf + 2 * i, 3, "%02x", raw[i]);
}

/* ---- responses ----------------------------------------------------------------------- */

static int grpc_code_for_status(long status)
{
	switch (status) {
	case 400: case 413: case 415: case 422: return 3;  /* INVALID_ARGUMENT */
	case 401: return 16;                          /* UNAUTHENTICATED */
	case 403: return 7;                           /* PERMISSION_DENIED */
	case 404: return 5;                           /* NOT_FOUND */
	case 405: case 501: return 12;                /* UNIMPLEMENTED */
	case 409: return 6;                           /* ALREADY_EXISTS */
	case 412: return 9;                           /* FAILED_PRECONDITION */
	case 429: return 8;                           /* RESOURCE_EXHAUSTED */
	case 503: return 14;                          /* UNAVAILABLE */
	case 504: return 4;                           /* DEADLINE_EXCEEDED */
	default: return 13;                           /* INTERNAL */
	}
}

static const char *problem_type_for_status(long status)
{
	switch (status) {
	case 400: return "urn:alauda-security:problem:invalid-request";
	case 401: return "urn:alauda-security:problem:unauthenticated";
	case 403: return "urn:alauda-security:problem:forbidden";
	case 404: return "urn:alauda-security:problem:not-found";
	case 405: return "urn:alauda-security:problem:method-not-allowed";
	case 409: return "urn:alauda-security:problem:conflict";
	case 413: return "urn:alauda-security:problem:body-too-large";
	case 415: return "urn:alauda-security:problem:unsupported-media-type";
	case 431: return "urn:alauda-security:problem:headers-too-large";
	case 503: return "urn:alauda-security:problem:unavailable";
	default: return status >= 500 ? "urn:alauda-security:problem:internal" : "about:blank";
	}
}

static void set_body(struct http_exchange *ex, long status, const char *content_type, const char *data, size_t len)
{
	ex->resp->status = status;
	ex->status = status;
	ulfius_set_binary_body_response(ex->resp, (unsigned int)status, data, len);
	u_map_put(ex->resp->map_header, "Content-Type", content_type);
	ex->bytes_out = len;
	ex->responded = 1;
}

int http_respond_text(struct http_exchange *ex, long status, const char *content_type, const char *text, size_t len)
{
	set_body(ex, status, content_type, text, len);
	return ASEC_OK;
}

static int respond_json_as(struct http_exchange *ex, long status, const char *content_type, json_t *body)
{
	char *text;

	if (!body) {
		error_set("the response could not be encoded");
		return ASEC_ERROR;
	}
	text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
	json_decref(body);
	if (!text) {
		error_set("out of memory encoding the response");
		return ASEC_ENOMEM;
	}
	set_body(ex, status, content_type, text, strlen(text));
	free(text);
	return ASEC_OK;
}

int http_respond_json(struct http_exchange *ex, long status, json_t *body)
{
	return respond_json_as(ex, status, "application/json", body);
}

static void respond_problem_full(struct http_exchange *ex, long status, const char *title, const char *detail,
				 json_t *errors)
{
	json_t *p = json_object();

	if (!p) {
		json_decref(errors);
		set_body(ex, 500, "text/plain", "out of memory\n", 14);
		return;
	}
	json_object_set_new(p, "type", json_string(problem_type_for_status(status)));
	json_object_set_new(p, "title", json_string(title));
	json_object_set_new(p, "status", json_integer(status));
	json_object_set_new(p, "detail", json_string(detail));
	if (ex->req && ex->req->url_path)
		json_object_set_new(p, "instance", json_stringn(ex->req->url_path, strnlen(ex->req->url_path, 2048)));
	json_object_set_new(p, "requestId", json_string(ex->request_id));
	json_object_set_new(p, "code", json_integer(grpc_code_for_status(status)));
	json_object_set_new(p, "message", json_string(detail));
	json_object_set_new(p, "error", json_string(detail));
	if (errors)
		json_object_set_new(p, "errors", errors);
	respond_json_as(ex, status, "application/problem+json", p);
}

int http_respond_problem(struct http_exchange *ex, long status, const char *title, const char *fmt, ...)
{
	char detail[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	respond_problem_full(ex, status, title, detail, NULL);
	return ASEC_OK;
}

int http_respond_error(struct http_exchange *ex, int code)
{
	const char *detail = error_last()[0] ? error_last() : error_code_name(code);

	switch (code) {
	case ASEC_EINVALID: return http_respond_problem(ex, 400, "Invalid request", "%s", detail);
	case ASEC_ENOTFOUND: return http_respond_problem(ex, 404, "Not found", "%s", detail);
	case ASEC_EEXISTS: return http_respond_problem(ex, 409, "Already exists", "%s", detail);
	case ASEC_ECONFLICT: return http_respond_problem(ex, 409, "Conflict", "%s", detail);
	case ASEC_EAUTH: return http_respond_problem(ex, 401, "Unauthenticated", "%s", detail);
	case ASEC_ETOOBIG: return http_respond_problem(ex, 413, "Request too large", "%s", detail);
	case ASEC_ETIMEOUT: return http_respond_problem(ex, 504, "Timed out", "%s", detail);
	default:
		/* The detail of an internal failure stays in the log; the client gets the
		 * request id to quote, not our internals. */
		log_error("request failed: %s", detail);
		return http_respond_problem(ex, 500, "Internal error",
					    "the service failed to answer; quote request id %s to the operator", ex->request_id);
	}
}

void http_respond_header(struct http_exchange *ex, const char *name, const char *value)
{
	u_map_put(ex->resp->map_header, name, value);
}

/* ---- exchange accessors -------------------------------------------------------------- */

const char *http_exchange_header(const struct http_exchange *ex, const char *name)
{
	return u_map_get_case(ex->req->map_header, name);
}

const void *http_exchange_body(const struct http_exchange *ex, size_t *len)
{
	*len = ex->req->binary_body_length;
	return ex->req->binary_body;
}

const char *http_exchange_query(const struct http_exchange *ex, const char *name)
{
	return u_map_get(ex->req->map_url, name);
}

const char *http_exchange_request_id(const struct http_exchange *ex)
{
	return ex->request_id;
}

const char *http_exchange_identity(const struct http_exchange *ex)
{
	return ex->identity[0] ? ex->identity : NULL;
}

void http_exchange_set_identity(struct http_exchange *ex, const char *identity)
{
	snprintf(ex->identity, sizeof(ex->identity), "%s", identity ? identity : "");
}

const char *http_exchange_client_cn(const struct http_exchange *ex)
{
	return ex->has_client_cn ? ex->client_cn : NULL;
}

void *http_exchange_server_context(const struct http_exchange *ex)
{
	return ex->server->context;
}

void http_server_set_context(struct http_server *server, void *ctx)
{
	server->context = ctx;
}

void http_server_set_site(struct http_server *server, struct http_site *site)
{
	if (server->site != site)
		http_site_free(server->site);
	server->site = site;
}

/* ---- pipeline stages ----------------------------------------------------------------- */

static void begin_exchange(struct http_exchange *ex, struct http_server *server, const struct _u_request *req,
			   struct _u_response *resp, const struct http_operation *op)
{
	const char *given;

	memset(ex, 0, sizeof(*ex));
	ex->server = server;
	ex->req = req;
	ex->resp = resp;
	ex->op = op;
	given = u_map_get_case(req->map_header, "X-Request-Id");
	if (request_id_acceptable(given))
		snprintf(ex->request_id, sizeof(ex->request_id), "%s", given);
	else
		new_request_id(ex->request_id, sizeof(ex->request_id));
	log_set_request_id(ex->request_id);
	u_map_put(resp->map_header, "X-Request-Id", ex->request_id);
}

static int headers_within_limits(struct http_exchange *ex)
{
	const struct _u_map *h = ex->req->map_header;
	size_t total = 0;
	int i;

	for (i = 0; h && i < h->nb_values; i++)
		total += strlen(h->keys[i]) + h->lengths[i] + 4;
	if (total > ex->server->max_header_bytes) {
		http_respond_problem(ex, 431, "Request headers too large", "the request headers total %zu bytes; the limit is %zu",
				     total, ex->server->max_header_bytes);
		return 0;
	}
	return 1;
}

/* The verified client certificate's common name. ulfius has already asked
 * GnuTLS to verify the peer; checking against our own CA again here keeps the
 * identity decision in code we test, whatever ulfius does with a failure. */
static void read_client_identity(struct http_exchange *ex)
{
	gnutls_x509_crt_t cert = ex->req->client_cert;
	unsigned int status = 0;
	size_t size = sizeof(ex->client_cn) - 1;

	if (!cert || !ex->server->client_ca_count)
		return;
	if (gnutls_x509_crt_verify(cert, ex->server->client_cas, ex->server->client_ca_count, 0, &status) < 0 || status)
		return;
	if (gnutls_x509_crt_get_dn_by_oid(cert, GNUTLS_OID_X520_COMMON_NAME, 0, 0, ex->client_cn, &size) < 0)
		return;
	ex->client_cn[size] = '\0';
	ex->has_client_cn = 1;
}

static int authorized(struct http_exchange *ex)
{
	const struct http_operation *op = ex->op;
	size_t i;
	int rc;

	if (op->auth == 0)
		return 1;
	if ((op->auth & HTTP_AUTH_MTLS) && ex->has_client_cn) {
		if (op->service_count == 0) {
			http_exchange_set_identity(ex, ex->client_cn);
			return 1;
		}
		for (i = 0; i < op->service_count; i++) {
			if (strcmp(op->services[i], ex->client_cn) == 0) {
				http_exchange_set_identity(ex, ex->client_cn);
				return 1;
			}
		}
		if (!(op->auth & (HTTP_AUTH_BASIC | HTTP_AUTH_BEARER))) {
			http_respond_problem(ex, 403, "Forbidden", "the client certificate %s may not call %s", ex->client_cn,
					     op->operation_id);
			return 0;
		}
	}
	if ((op->auth & (HTTP_AUTH_BASIC | HTTP_AUTH_BEARER | HTTP_AUTH_COOKIE)) && ex->server->authenticate) {
		error_clear();
		rc = ex->server->authenticate(ex, op, ex->server->auth_ctx);
		if (rc == ASEC_OK)
			return 1;
		if (rc == ASEC_EAUTH) {
			u_map_put(ex->resp->map_header, "WWW-Authenticate",
				  (op->auth & HTTP_AUTH_BEARER) ? "Bearer realm=\"alauda-security\"" : "Basic realm=\"alauda-security\"");
			http_respond_problem(ex, 401, "Unauthenticated", "%s",
					     error_last()[0] ? error_last() : "valid credentials are required");
		} else if (rc == ASEC_EIO || rc == ASEC_ETIMEOUT) {
			/* the credentials could not be checked (a store is down):
			 * neither the caller's fault nor a refusal */
			u_map_put(ex->resp->map_header, "Retry-After", "5");
			http_respond_problem(ex, 503, "Service unavailable", "%s",
					     error_last()[0] ? error_last() : "credentials cannot be checked now");
		} else {
			http_respond_problem(ex, 403, "Forbidden", "%s", error_last()[0] ? error_last() : "not allowed");
		}
		return 0;
	}
	if (op->auth & (HTTP_AUTH_BASIC | HTTP_AUTH_BEARER))
		u_map_put(ex->resp->map_header, "WWW-Authenticate",
			  (op->auth & HTTP_AUTH_BEARER) ? "Bearer realm=\"alauda-security\"" : "Basic realm=\"alauda-security\"");
	http_respond_problem(ex, 401, "Unauthenticated", "%s",
			     (op->auth & HTTP_AUTH_MTLS) && !(op->auth & (HTTP_AUTH_BASIC | HTTP_AUTH_BEARER))
				     ? "a client certificate issued by the installation's CA is required"
				     : "valid credentials are required");
	return 0;
}

/* The value of an allowReserved last path parameter: everything after the
 * template's literal prefix, "/" included ("" when there is nothing). */
static const char *greedy_value(const struct http_operation *op, const char *url_path)
{
	size_t prefix = strcspn(op->path, "{");

	if (!url_path || strlen(url_path) <= prefix || strncmp(url_path, op->path, prefix) != 0)
		return NULL;
	return url_path + prefix;
}

int http_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* RFC 3986 percent-decoding; NULL for a malformed escape or an encoded NUL. */
static char *percent_decode(const char *text)
{
	size_t n = strlen(text), i, o = 0;
	char *out = malloc(n + 1);

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		if (text[i] != '%') {
			out[o++] = text[i];
			continue;
		}
		int hi = i + 1 < n ? http_hex_value(text[i + 1]) : -1;
		int lo = i + 2 < n ? http_hex_value(text[i + 2]) : -1;
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			free(out);
			return NULL;
		}
		out[o++] = (char)(hi * 16 + lo);
		i += 2;
	}
	out[o] = '\0';
	return out;
}

static int parse_int64(int64_t *out, const char *text)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno || end == text || *end || text[0] == ' ' || text[0] == '+')
		return 0;
	*out = v;
	return 1;
}

static int parse_number(double *out, const char *text)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (errno || end == text || *end || !isfinite(v))
		return 0;
	*out = v;
	return 1;
}

static const char *param_location(enum http_param_in in)
{
	return in == HTTP_PARAM_PATH ? "path" : in == HTTP_PARAM_QUERY ? "query" : "header";
}

/* Converts each parameter into the typed params struct and validates it
 * against its schema; all bad parameters are reported together. */
static int parse_params(struct http_exchange *ex, unsigned char *params)
{
	const struct http_operation *op = ex->op;
	json_t *errors = json_array();
	size_t i;
	int ok = 1;

	for (i = 0; i < op->param_count; i++) {
		const struct http_param *p = &op->params[i];
		const char *raw = p->in == HTTP_PARAM_HEADER ? u_map_get_case(ex->req->map_header, p->name)
							     : u_map_get(ex->req->map_url, p->name);
		char pointer[300];
		json_t *as_json = NULL;
		const char *problem = NULL;
		struct schema_result result;

		snprintf(pointer, sizeof(pointer), "%s/%s", param_location(p->in), p->name);
		if (p->in == HTTP_PARAM_PATH && op->greedy_param && strcmp(op->greedy_param, p->name) == 0) {
			raw = greedy_value(op, ex->req->url_path);
			if (raw && !(raw = ex->greedy_decoded = percent_decode(raw))) {
				problem = "is not validly percent-encoded";
				goto next;
			}
		}
		if (!raw) {
			if (p->required)
				problem = "is required";
			goto next;
		}
		switch (p->type) {
		case HTTP_PARAM_STRING:
			*(const char **)(params + p->value_offset) = raw;
			as_json = json_string(raw);
			if (!as_json)
				problem = "must be valid UTF-8 text";
			break;
		case HTTP_PARAM_INTEGER: {
			int64_t v;
			if (!parse_int64(&v, raw)) {
				problem = "must be an integer";
				break;
			}
			memcpy(params + p->value_offset, &v, sizeof(v));
			as_json = json_integer(v);
			break;
		}
		case HTTP_PARAM_NUMBER: {
			double v;
			if (!parse_number(&v, raw)) {
				problem = "must be a number";
				break;
			}
			memcpy(params + p->value_offset, &v, sizeof(v));
			as_json = json_real(v);
			break;
		}
		case HTTP_PARAM_BOOLEAN: {
			int v;
			if (strcmp(raw, "true") == 0)
				v = 1;
			else if (strcmp(raw, "false") == 0)
				v = 0;
			else {
				problem = "must be true or false";
				break;
			}
			memcpy(params + p->value_offset, &v, sizeof(v));
			as_json = json_boolean(v);
			break;
		}
		}
		if (as_json && p->schema && schema_validate(&result, p->schema, as_json) != ASEC_OK) {
			json_t *e = json_object();
			json_object_set_new(e, "pointer", json_string(pointer));
			json_object_set_new(e, "detail", json_string(result.violations[0].detail));
			json_array_append_new(errors, e);
			ok = 0;
			schema_result_clear(&result);
		}
		if (as_json)
			*(int *)(params + p->present_offset) = 1;
	next:
		json_decref(as_json);
		if (problem) {
			json_t *e = json_object();
			json_object_set_new(e, "pointer", json_string(pointer));
			json_object_set_new(e, "detail", json_string(problem));
			json_array_append_new(errors, e);
			ok = 0;
		}
	}
	if (!ok) {
		char detail[1024];
		size_t used = 0, n = json_array_size(errors);
		detail[0] = '\0';
		for (i = 0; i < n && used < sizeof(detail); i++) {
			json_t *e = json_array_get(errors, i);
			int w = snprintf(detail + used, sizeof(detail) - used, "%sparameter %s %s", i ? "; " : "",
					 json_string_value(json_object_get(e, "pointer")), json_string_value(json_object_get(e, "detail")));
			if (w < 0)
				break;
			used += (size_t)w;
		}
		respond_problem_full(ex, 400, "Invalid request parameters", detail, errors);
		return 0;
	}
	json_decref(errors);
	return 1;
}

static int media_type_is_json(const char *content_type)
{
	size_t n;

	if (!content_type)
		return 0;
	n = strcspn(content_type, ";");
	while (n > 0 && content_type[n - 1] == ' ')
		n--;
	if (n == strlen("application/json") && strncasecmp(content_type, "application/json", n) == 0)
		return 1;
	/* application/merge-patch+json and friends are JSON too. */
	return n > 5 && strncasecmp(content_type + n - 5, "+json", 5) == 0 &&
	       strncasecmp(content_type, "application/", 12) == 0;
}

/* The largest upload an operation takes: its spec's limit, lowered by the
 * installation's ROX_HTTP_MAX_UPLOAD_BYTES. */
static size_t upload_limit(const struct http_server *server, const struct http_operation *op)
{
	size_t limit = op->max_body_bytes ? op->max_body_bytes : server->max_body_bytes;

	return server->max_upload_bytes && server->max_upload_bytes < limit ? server->max_upload_bytes : limit;
}

/* An upload: only its media type, size and presence are checked here; the
 * handler knows what the bytes must be. */
static int read_raw_body(struct http_exchange *ex)
{
	const struct http_operation *op = ex->op;
	size_t limit = upload_limit(ex->server, op);
	const char *declared = u_map_get_case(ex->req->map_header, "Content-Length");
	const char *type = u_map_get_case(ex->req->map_header, "Content-Type");
	const char *const *t;
	size_t n = type ? strcspn(type, ";") : 0;

	while (n && type[n - 1] == ' ')
		n--;
	for (t = op->media_types; t && *t; t++)
		if (strlen(*t) == n && strncasecmp(*t, type, n) == 0)
			break;
	if (op->media_types && !(t && *t)) {
		http_respond_problem(ex, 415, "Unsupported media type", "send the file as %s (Content-Type header)",
				     op->media_types[0]);
		return 0;
	}

	if ((declared && strtoull(declared, NULL, 10) > limit) || ex->req->binary_body_length > limit) {
		http_respond_problem(ex, 413, "Request body too large", "the body exceeds the limit of %zu bytes", limit);
		return 0;
	}
	if (ex->req->binary_body_length == 0 && op->body_required) {
		http_respond_problem(ex, 400, "Invalid request", "%s needs a request body (the file to upload)",
				     op->operation_id);
		return 0;
	}
	return 1;
}

static int read_body(struct http_exchange *ex, json_t **body)
{
	const struct http_operation *op = ex->op;
	size_t len = ex->req->binary_body_length;
	const char *declared = u_map_get_case(ex->req->map_header, "Content-Length");
	struct schema_result result;
	json_t *value = NULL;

	*body = NULL;
	if (op->raw_body)
		return read_raw_body(ex);
	if (!op->body_schema)
		return 1;
	if ((declared && strtoull(declared, NULL, 10) > ex->server->max_body_bytes) || len > ex->server->max_body_bytes) {
		http_respond_problem(ex, 413, "Request body too large", "the body exceeds the limit of %zu bytes",
				     ex->server->max_body_bytes);
		return 0;
	}
	if (len == 0) {
		if (op->body_required) {
			http_respond_problem(ex, 400, "Invalid request", "%s needs a JSON request body", op->operation_id);
			return 0;
		}
		return 1;
	}
	if (!media_type_is_json(u_map_get_case(ex->req->map_header, "Content-Type"))) {
		http_respond_problem(ex, 415, "Unsupported media type", "the request body must be application/json");
		return 0;
	}
	if (schema_parse_json(&value, ex->req->binary_body, len) != ASEC_OK) {
		http_respond_problem(ex, 400, "Invalid request", "%s", error_last());
		return 0;
	}
	if (schema_validate(&result, op->body_schema, value) != ASEC_OK) {
		json_t *errors = json_array();
		char *summary = schema_result_summary(&result);
		size_t i;
		for (i = 0; i < result.count; i++) {
			json_t *e = json_object();
			json_object_set_new(e, "pointer", json_string(result.violations[i].pointer));
			json_object_set_new(e, "detail", json_string(result.violations[i].detail));
			json_array_append_new(errors, e);
		}
		respond_problem_full(ex, 400, "Invalid request body", summary ? summary : "the body does not match its schema",
				     errors);
		free(summary);
		schema_result_clear(&result);
		json_decref(value);
		return 0;
	}
	*body = value;
	return 1;
}

static void finish_exchange(struct http_exchange *ex, double started, const char *route, const char *method)
{
	double elapsed = now_seconds() - started;
	const char *remote = "";
	char addr[INET6_ADDRSTRLEN] = "";
	const struct sockaddr *sa = ex->req->client_address;
	json_t *fields;

	if (!ex->responded)
		http_respond_problem(ex, 500, "Internal error", "the handler produced no answer");
	http_metrics_observe(ex->server, route, method, ex->status, elapsed);
	if (!log_enabled(ex->status >= 500 ? LOG_LEVEL_ERROR : LOG_LEVEL_INFO))
		goto out;
	if (sa && sa->sa_family == AF_INET)
		remote = inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, addr, sizeof(addr));
	else if (sa && sa->sa_family == AF_INET6)
		remote = inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, addr, sizeof(addr));
	fields = json_pack("{s:s, s:s, s:s, s:I, s:f, s:I, s:s}", "method", method, "path",
			   ex->req->url_path ? ex->req->url_path : "", "route", route, "status", (json_int_t)ex->status,
			   "durationMs", round(elapsed * 1e6) / 1e3, "bytes", (json_int_t)ex->bytes_out, "remote", remote ? remote : "");
	if (fields && ex->identity[0])
		json_object_set_new(fields, "identity", json_string(ex->identity));
	log_event(ex->status >= 500 ? LOG_LEVEL_ERROR : LOG_LEVEL_INFO, "request", fields);
out:
	log_set_request_id(NULL);
}

static int http_unmatched(const struct _u_request *req, struct _u_response *resp, void *user_data);
static unsigned most_specific_priority(const struct http_server *server, const char *path);
static int path_is_canonical_for(const struct http_operation *op, const char *path);

static int http_dispatch(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
	const struct http_route *route = user_data;
	const struct http_operation *op = route->op;
	struct http_exchange ex;
	unsigned char *params = NULL;
	json_t *body = NULL;
	double started = now_seconds();
	int rc;

	if (!path_is_canonical_for(op, req->url_path ? req->url_path : "") ||
	    (op->priority > 0 && most_specific_priority(route->server, req->url_path ? req->url_path : "") < op->priority))
		return http_unmatched(req, resp, route->server);
	atomic_fetch_add(&route->server->in_flight, 1);
	begin_exchange(&ex, route->server, req, resp, op);
	read_client_identity(&ex);
	if (!headers_within_limits(&ex) || !authorized(&ex))
		goto out;
	params = calloc(1, op->params_size ? op->params_size : 1);
	if (!params) {
		http_respond_problem(&ex, 503, "Service unavailable", "out of memory");
		goto out;
	}
	if (!parse_params(&ex, params) || !read_body(&ex, &body))
		goto out;
	error_clear();
	rc = op->invoke(&ex, params, body);
	if (rc != ASEC_OK && !ex.responded)
		http_respond_error(&ex, rc);
out:
	json_decref(body);
	free(params);
	finish_exchange(&ex, started, op->path, op->method);
	free(ex.greedy_decoded);
	atomic_fetch_sub(&route->server->in_flight, 1);
	return U_CALLBACK_COMPLETE;
}

/* ---- unmatched requests: 404 or 405 -------------------------------------------------- */

static int template_matches(const char *template, const char *path)
{
	const char *t = template, *p = path;

	while (*t && *p) {
		if (*t == '{') {
			const char *close = strchr(t, '}');
			size_t seg = strcspn(p, "/");
			if (!close || seg == 0)
				return 0;
			t = close + 1;
			p += seg;
			continue;
		}
		if (*t != *p)
			return 0;
		t++;
		p++;
	}
	return *t == '\0' && *p == '\0';
}

/* ulfius skips empty path segments, so "/v1//ping" and "/v1/ping/" would
 * reach /v1/ping. A path is either spelled as the spec spells it or it is
 * not served: anything else could slip past path-based rules upstream. */
static int path_is_canonical(const char *path)
{
	size_t n = strlen(path);

	return path[0] == '/' && !strstr(path, "//") && (n == 1 || path[n - 1] != '/');
}

/* For an operation whose last parameter may hold "/", only the literal
 * prefix must be canonical; the rest is the parameter's value. */
static int path_is_canonical_for(const struct http_operation *op, const char *path)
{
	size_t prefix;
	char head[512];

	if (!op || !op->greedy_param)
		return path_is_canonical(path);
	prefix = strcspn(op->path, "{");
	if (strlen(path) <= prefix || prefix >= sizeof(head))
		return 0;
	memcpy(head, path, prefix - 1);  /* the prefix without its final "/" */
	head[prefix - 1] = '\0';
	return path_is_canonical(head) && path[prefix - 1] == '/';
}

/* Whether op is the route OpenAPI picks for path: "concrete paths are matched
 * before their templated counterparts", so among the templates that match,
 * only those with the fewest parameters count (GET /v1/apitokens/generate
 * is POST-only /v1/apitokens/generate, not GET /v1/apitokens/{id}). */
static int route_matches(const struct http_operation *op, const char *path)
{
	return path_is_canonical_for(op, path) &&
	       (op->greedy_param ? greedy_value(op, path) != NULL && greedy_value(op, path)[0] != '\0'
				 : template_matches(op->path, path));
}

static unsigned most_specific_priority(const struct http_server *server, const char *path)
{
	unsigned best = UINT_MAX;
	size_t i;

	for (i = 0; i < server->route_count; i++) {
		const struct http_operation *op = server->routes[i].op;
		if (op->priority < best && route_matches(op, path))
			best = op->priority;
	}
	return best;
}

/* The portal's answer, when the path is the portal's: site.c decides, this
 * copies it into the response. HEAD gets the body too, so that
 * Content-Length is right; libmicrohttpd does not send it. */
static int serve_site(struct http_exchange *ex, const struct _u_request *req)
{
	struct http_site_answer a;
	size_t i;

	http_site_resolve(&a, ex->server->site, req->http_verb, req->url_path ? req->url_path : "",
			  u_map_get_case(req->map_header, "Accept-Encoding"), u_map_get_case(req->map_header, "If-None-Match"));
	if (!a.status)
		return 0;
	if (!headers_within_limits(ex)) {
		http_site_answer_release(&a);
		return 1;
	}
	for (i = 0; i < a.header_count; i++)
		u_map_put(ex->resp->map_header, a.headers[i].name, a.headers[i].value);
	if (a.status == 200) {
		set_body(ex, 200, a.content_type, (const char *)a.body, a.len);
		if (strcmp(req->http_verb, "HEAD") == 0)
			ex->bytes_out = 0;
	} else if (a.status == 304) {
		ex->resp->status = 304;
		ex->status = 304;
		ex->responded = 1;
	} else {
		http_respond_problem(ex, a.status, "Not found", "no portal file is served at this path");
	}
	http_site_answer_release(&a);
	return 1;
}

static int http_unmatched(const struct _u_request *req, struct _u_response *resp, void *user_data)
{
	struct http_server *server = user_data;
	struct http_exchange ex;
	char allow[128] = "";
	size_t used = 0, i;
	double started = now_seconds();
	const char *path = req->url_path ? req->url_path : "";

	atomic_fetch_add(&server->in_flight, 1);
	begin_exchange(&ex, server, req, resp, NULL);
	if (server->site && req->http_verb) {
		if (serve_site(&ex, req)) {
			finish_exchange(&ex, started, "portal", req->http_verb);
			atomic_fetch_sub(&server->in_flight, 1);
			return U_CALLBACK_COMPLETE;
		}
	}

	unsigned best = most_specific_priority(server, path);
	for (i = 0; i < server->route_count; i++) {
		const struct http_operation *op = server->routes[i].op;
		if (op->priority == best && route_matches(op, path) && !strstr(allow, op->method)) {
			int n = snprintf(allow + used, sizeof(allow) - used, "%s%s", used ? ", " : "", op->method);
			if (n > 0 && (size_t)n < sizeof(allow) - used)
				used += (size_t)n;
		}
	}
	if (used) {
		u_map_put(resp->map_header, "Allow", allow);
		http_respond_problem(&ex, 405, "Method not allowed", "%s is not allowed here; allowed: %s",
				     req->http_verb ? req->http_verb : "this method", allow);
	} else {
		http_respond_problem(&ex, 404, "Not found", "no operation is served at this path");
	}
	finish_exchange(&ex, started, "unmatched", req->http_verb ? req->http_verb : "");
	atomic_fetch_sub(&server->in_flight, 1);
	return U_CALLBACK_COMPLETE;
}

/* ---- builtin operations -------------------------------------------------------------- */

int http_builtin_getHealthz(struct http_exchange *ex, const void *params, json_t *body)
{
	return http_respond_json(ex, 200, json_pack("{s:s}", "status", "ok"));
}

int http_builtin_getReadyz(struct http_exchange *ex, const void *params, json_t *body)
{
	struct http_server *server = ex->server;
	json_t *checks = json_object();
	int rc = ASEC_OK;

	if (server->readiness) {
		error_clear();
		rc = server->readiness(checks, server->readiness_ctx);
	}
	if (rc != ASEC_OK) {
		char *text = json_dumps(checks, JSON_COMPACT | JSON_SORT_KEYS);
		http_respond_problem(ex, 503, "Not ready", "%s%s%s", error_last()[0] ? error_last() : "a dependency is unavailable",
				     text ? ": " : "", text ? text : "");
		free(text);
		json_decref(checks);
		return ASEC_OK;
	}
	return http_respond_json(ex, 200, json_pack("{s:s, s:o}", "status", "ok", "checks", checks));
}

int http_builtin_getMetrics(struct http_exchange *ex, const void *params, json_t *body)
{
	char *text = NULL;
	size_t len = 0;
	int rc = http_metrics_render(&text, &len, ex->server);

	if (rc)
		return rc;
	http_respond_text(ex, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
	free(text);
	return ASEC_OK;
}

/* ---- server lifecycle ---------------------------------------------------------------- */

static int load_client_cas(struct http_server *server, const char *pem)
{
	gnutls_datum_t data = {(unsigned char *)(uintptr_t)pem, (unsigned int)strlen(pem)};
	unsigned int max = 16;
	int rc;

	server->client_cas = calloc(max, sizeof(*server->client_cas));
	if (!server->client_cas)
		return ASEC_ENOMEM;
	rc = gnutls_x509_crt_list_import(server->client_cas, &max, &data, GNUTLS_X509_FMT_PEM,
					 GNUTLS_X509_CRT_LIST_FAIL_IF_UNSORTED);
	if (rc < 0) {
		error_set("client CA file: %s", gnutls_strerror(rc));
		return ASEC_EINVALID;
	}
	server->client_ca_count = (unsigned)rc;
	return ASEC_OK;
}

int http_server_new(struct http_server **out, const struct http_server_options *opts)
{
	struct http_server *server;
	int rc = ASEC_ERROR;

	*out = NULL;
	server = calloc(1, sizeof(*server));
	if (!server)
		return ASEC_ENOMEM;
	server->service = strdup(opts->service ? opts->service : "service");
	server->port = opts->port;
	server->insecure_http = opts->insecure_http;
	server->max_body_bytes = opts->max_body_bytes ? opts->max_body_bytes : DEFAULT_MAX_BODY;
	server->max_upload_bytes = opts->max_upload_bytes;
	server->max_header_bytes = opts->max_header_bytes ? opts->max_header_bytes : DEFAULT_MAX_HEADERS;
	server->readiness = opts->readiness;
	server->readiness_ctx = opts->readiness_ctx;
	server->authenticate = opts->authenticate;
	server->auth_ctx = opts->auth_ctx;
	pthread_mutex_init(&server->metrics_lock, NULL);
	server->started_at = time(NULL);
	if (!server->service)
		goto fail;

	if (!opts->insecure_http) {
		if (!opts->cert_file || !opts->key_file) {
			error_set("HTTPS needs a certificate and a key");
			rc = ASEC_EINVALID;
			goto fail;
		}
		if ((rc = read_file(&server->cert_pem, opts->cert_file, MAX_PEM_BYTES)) ||
		    (rc = read_file(&server->key_pem, opts->key_file, MAX_PEM_BYTES)))
			goto fail;
		if (opts->client_ca_file && opts->client_ca_file[0]) {
			if ((rc = read_file(&server->ca_pem, opts->client_ca_file, MAX_PEM_BYTES)) ||
			    (rc = load_client_cas(server, server->ca_pem)))
				goto fail;
		}
	}

	memset(&server->bind4, 0, sizeof(server->bind4));
	server->bind4.sin_family = AF_INET;
	server->bind4.sin_port = htons((uint16_t)opts->port);
	server->bind4.sin_addr.s_addr = htonl(INADDR_ANY);
	if (opts->listen_host && opts->listen_host[0] && strcmp(opts->listen_host, "0.0.0.0") != 0) {
		const char *host = strcmp(opts->listen_host, "localhost") == 0 ? "127.0.0.1" : opts->listen_host;
		if (inet_pton(AF_INET, host, &server->bind4.sin_addr) != 1) {
			error_set("listen address %s is not an IPv4 address", opts->listen_host);
			rc = ASEC_EINVALID;
			goto fail;
		}
	}
	if (ulfius_init_instance(&server->instance, opts->port, &server->bind4, NULL) != U_OK) {
		error_set("cannot initialise the HTTP server on port %u", opts->port);
		goto fail;
	}
	server->instance_ready = 1;
	server->instance.timeout = opts->idle_timeout_s ? opts->idle_timeout_s : DEFAULT_IDLE_TIMEOUT;
	/* One byte over the limit lets read_body() tell "at the limit" from "cut
	 * short by ulfius", which silently truncates longer bodies. */
	server->instance.max_post_body_size = server->max_body_bytes + 1;
	server->instance.max_post_param_size = server->max_body_bytes + 1;
	server->instance.allowed_post_processor = U_POST_PROCESS_NONE;
	server->instance.check_utf8 = 1;
	u_map_put(server->instance.default_headers, "X-Content-Type-Options", "nosniff");
	u_map_put(server->instance.default_headers, "Cache-Control", "no-store");
	if (!opts->insecure_http)
		u_map_put(server->instance.default_headers, "Strict-Transport-Security", "max-age=31536000");
	if (ulfius_set_default_endpoint(&server->instance, http_unmatched, server) != U_OK) {
		error_set("cannot set the default endpoint");
		goto fail;
	}
	*out = server;
	return ASEC_OK;
fail:
	http_server_free(server);
	return rc ? rc : ASEC_ERROR;
}

int http_server_add_operation(struct http_server *server, const struct http_operation *op)
{
	struct http_route *routes;

	if (server->route_count == HTTP_MAX_ROUTES) {
		error_set("more than %d operations", HTTP_MAX_ROUTES);
		return ASEC_ETOOBIG;
	}
	/* ulfius cuts bodies at one limit for the whole server: raise it to the
	 * largest upload an operation accepts; read_body() still holds every
	 * other operation to the server's own limit. */
	if (op->raw_body && upload_limit(server, op) + 1 > server->instance.max_post_body_size)
		server->instance.max_post_body_size = upload_limit(server, op) + 1;
	routes = server->routes;
	routes[server->route_count].op = op;
	routes[server->route_count].server = server;
	if (ulfius_add_endpoint_by_val(&server->instance, op->method, NULL, op->ulfius_path, op->priority, http_dispatch,
				       &routes[server->route_count]) != U_OK) {
		error_set("cannot register %s %s", op->method, op->path);
		return ASEC_ERROR;
	}
	server->route_count++;
	return ASEC_OK;
}

int http_server_start(struct http_server *server)
{
	int rc;

	if (server->insecure_http)
		rc = ulfius_start_framework(&server->instance);
	else if (server->ca_pem)
		rc = ulfius_start_secure_ca_trust_framework(&server->instance, server->key_pem, server->cert_pem, server->ca_pem);
	else
		rc = ulfius_start_secure_framework(&server->instance, server->key_pem, server->cert_pem);
	if (rc != U_OK) {
		error_set("cannot listen on port %u (in use, or the certificate and key do not match)", server->port);
		return ASEC_EIO;
	}
	server->running = 1;
	return ASEC_OK;
}

unsigned http_server_port(const struct http_server *server)
{
	return server->port;
}

void http_server_stop(struct http_server *server)
{
	if (server && server->running) {
		ulfius_stop_framework(&server->instance);
		server->running = 0;
	}
}

void http_server_free(struct http_server *server)
{
	unsigned i;

	if (!server)
		return;
	http_server_stop(server);
	if (server->instance_ready)
		ulfius_clean_instance(&server->instance);
	for (i = 0; i < server->client_ca_count; i++)
		gnutls_x509_crt_deinit(server->client_cas[i]);
	free(server->client_cas);
	http_metrics_free(server);
	http_site_free(server->site);
	pthread_mutex_destroy(&server->metrics_lock);
	if (server->key_pem) {
		/* Private key material does not linger in freed memory. */
		explicit_bzero(server->key_pem, strlen(server->key_pem));
		free(server->key_pem);
	}
	free(server->cert_pem);
	free(server->ca_pem);
	free(server->service);
	free(server);
}
