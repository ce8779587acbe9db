/*
 * http_test.c - the whole request pipeline, end to end over real sockets.
 *
 * The server runs the bindings generated from tools/openapi-gen/tests/
 * testapi.yaml, so these tests check the generator's output (parameter
 * tables, schemas, encoders, route registration) and the shared server
 * together. Requests go through libcurl, over plain HTTP for the pipeline and
 * over HTTPS with client certificates from a throw-away PKI for mutual TLS.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "error/error.h"
#include "http/http.h"
#include "http/http_testing.h"
#include "log/log.h"
#include "pki/pki.h"
#include "testapi_api.h"

/* ---- handlers of the test API --------------------------------------------------------- */

/* String parameters point into the request, which is gone after it is
 * answered: the handler keeps copies for the test to look at. */
static struct testapi_listWidgets_params last_list;
static char last_color[16], last_trace[16];
static int64_t last_widget_id;
static int readiness_ok = 1;

int testapi_handle_listWidgets(struct http_exchange *ex, const struct testapi_listWidgets_params *params, json_t *body)
{
	struct testapi_Widget widgets[2] = {
		{.name = "alpha", .size = 1.5},
		{.name = "beta", .size = 2, .has_id = 1, .id = 7},
	};
	struct testapi_WidgetList list = {.widgets = widgets, .widgets_count = 2, .has_total = 1, .total = 2};

	last_list = *params;
	snprintf(last_color, sizeof(last_color), "%s", params->color ? params->color : "");
	snprintf(last_trace, sizeof(last_trace), "%s", params->X_Trace ? params->X_Trace : "");
	return http_respond_json(ex, 200, testapi_WidgetList_to_json(&list));
}

int testapi_handle_createWidget(struct http_exchange *ex, const struct testapi_createWidget_params *params, json_t *body)
{
	/* Echo through the generated encoder: proves nested structs and arrays. */
	static const char *const tags[] = {"a", "b"};
	struct testapi_Part child = {.label = "inner"};
	struct testapi_Part parts[1] = {{.label = "outer", .has_count = 1, .count = 3, .child = &child}};
	struct testapi_Widget w = {
		.has_id = 1,
		.id = 99,
		.name = json_string_value(json_object_get(body, "name")),
		.size = json_number_value(json_object_get(body, "size")),
		.tags = tags,
		.tags_count = 2,
		.parts = parts,
		.parts_count = 1,
	};

	return http_respond_json(ex, 201, testapi_Widget_to_json(&w));
}

int testapi_handle_getWidget(struct http_exchange *ex, const struct testapi_getWidget_params *params, json_t *body)
{
	struct testapi_Widget w = {.name = "found", .size = 1, .has_id = 1, .id = params->id};

	last_widget_id = params->id;
	if (params->id == 404) {
		error_set("widget %lld does not exist", (long long)params->id);
		return ASEC_ENOTFOUND;
	}
	return http_respond_json(ex, 200, testapi_Widget_to_json(&w));
}

int testapi_handle_getSpecialWidget(struct http_exchange *ex, const struct testapi_getSpecialWidget_params *params,
				    json_t *body)
{
	/* A required member left unset: the encoder must refuse, the server answer 500. */
	struct testapi_Widget w = {.size = 1};

	return http_respond_json(ex, 200, testapi_Widget_to_json(&w));
}

int testapi_handle_syncInternal(struct http_exchange *ex, const struct testapi_syncInternal_params *params, json_t *body)
{
	return http_respond_json(ex, 200, json_pack("{s:s, s:{s:s}}", "status", "ok", "checks", "caller",
						   http_exchange_identity(ex)));
}

int testapi_handle_getFile(struct http_exchange *ex, const struct testapi_getFile_params *params, json_t *body)
{
	return http_respond_json(ex, 200, json_pack("{s:s, s:{s:s}}", "status", "ok", "checks", "path", params->path));
}

static int test_readiness(json_t *checks, void *ctx)
{
	json_object_set_new(checks, "database", json_string(readiness_ok ? "ok" : "connection refused"));
	if (!readiness_ok) {
		error_set("database unreachable");
		return ASEC_EIO;
	}
	return ASEC_OK;
}

static int test_authenticate(struct http_exchange *ex, const struct http_operation *op, void *ctx)
{
	const char *auth = http_exchange_header(ex, "Authorization");

	if (!auth) {
		error_set("credentials are required");
		return ASEC_EAUTH;
	}
	if (strcmp(auth, "Bearer good") == 0) {
		http_exchange_set_identity(ex, "token:good");
		return ASEC_OK;
	}
	if (strcmp(auth, "Bearer weak") == 0) {
		error_set("the token's role may not call %s", op->operation_id);
		return ASEC_ERROR;
	}
	if (strcmp(auth, "Bearer unverifiable") == 0) {
		error_set("Central DB is unreachable: the token could not be checked");
		return ASEC_EIO;
	}
	error_set("the token is not valid");
	return ASEC_EAUTH;
}

/* ---- a small libcurl client ----------------------------------------------------------- */

/* The shared client (http_testing.h), with the body parsed as JSON (NULL when
 * it is not one): most checks here read a problem or a resource document. */
static void request(struct http_testing_reply *r, const char *method, const char *url, const char *const *headers,
		    const char *body, size_t body_len, const struct http_testing_tls *tls)
{
	http_testing_request(r, method, url, headers, body, body_len, tls);
	r->json = json_loadb(r->body, r->len, JSON_DECODE_ANY, NULL);
}

static void reply_clear(struct http_testing_reply *r)
{
	json_decref(r->json);
	r->json = NULL;
}

/* A problem body in the documented shape whose status repeats the HTTP one. */
static void assert_problem(const struct http_testing_reply *r, long status)
{
	assert_int_equal(r->status, status);
	assert_true(http_testing_has_header(r, "Content-Type: application/problem+json"));
	assert_non_null(r->json);
	assert_int_equal(json_integer_value(json_object_get(r->json, "status")), status);
	assert_non_null(json_string_value(json_object_get(r->json, "type")));
	assert_non_null(json_string_value(json_object_get(r->json, "title")));
	assert_non_null(json_string_value(json_object_get(r->json, "detail")));
	assert_non_null(json_string_value(json_object_get(r->json, "requestId")));
	assert_true(json_is_integer(json_object_get(r->json, "code")));
}

static const char *first_error_pointer(const struct http_testing_reply *r)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(r->json, "errors"), 0), "pointer"));
}

/* ---- fixtures --------------------------------------------------------------------------- */

struct fixture {
	struct http_server *server;
	char base[64];
	struct http_testing_pki pki; /* the HTTPS fixture's only */
};

static struct fixture plain;

static int plain_setup(void **state)
{
	struct http_server_options o = {
		.service = "testapi",
		.listen_host = "127.0.0.1",
		.insecure_http = 1,
		.max_body_bytes = 4096,
		.readiness = test_readiness,
		.authenticate = test_authenticate,
	};

	o.port = http_testing_free_port();
	if (http_server_new(&plain.server, &o) || testapi_api_register(plain.server) || http_server_start(plain.server)) {
		fprintf(stderr, "server: %s\n", error_last());
		return -1;
	}
	snprintf(plain.base, sizeof(plain.base), "http://127.0.0.1:%u", o.port);
	*state = &plain;
	return 0;
}

static int plain_teardown(void **state)
{
	http_server_free(plain.server);
	return 0;
}

static void url(char *buf, size_t size, const struct fixture *f, const char *path)
{
	snprintf(buf, size, "%s%s", f->base, path);
}

/* ---- tests: routing, parameters, bodies ------------------------------------------------- */

static void test_path_parameter_is_typed(void **state)
{
	struct fixture *f = *state;
	struct http_testing_reply r;
	char u[256];

	url(u, sizeof(u), f, "/v1/widgets/42");
	request(&r, "GET", u, NULL, NULL, 0, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(last_widget_id, 42);
	assert_int_equal(json_integer_value(json_object_get(r.json, "id")), 42);
	assert_true(http_testing_has_header(&r, "Content-Type: application/json"));
	reply_clear(&r);

	url(u, sizeof(u), f, "/v1/widgets/abc");
	request(&r, "GET", u, NULL, NULL, 0, NULL);
	assert_problem(&r, 400);
	assert_string_equal(first_error_pointer(&r), "path/id");
	reply_clear(&r);

	url(u, sizeof(u), f, "/v1/widgets/0");
	request(&r, "GET", u, NULL, NULL, 0, NULL);
	assert_problem(&r, 400);
	assert_non_null(strstr(r.body, "at least 1"));
	reply_clear(&r);
}

static void test_handler_error_maps_to_problem(void **state)
{
	struct fixture *f = *state;
	struct http_testing_reply r;
	char u[256];

	url(u, sizeof(u), f, "/v1/widgets/404");
	request(&r, "GET", u, NULL, NULL, 0, NULL);
	assert_problem(&r, 404);
	assert_string_equal(json_string_value(json_object_get(r.json, "detail")), "widget 404 does not exist");
	reply_clear(&r);
}

static void test_literal_route_beats_template_and_bad_encoding_is_500(void **state)
{
	struct fixture *f = *state;
	struct http_testing_reply r;
	char u[256];

	/* /v1/widgets/special must reach getSpecialWidget, not getWidget with id "special". */
	url(u, sizeof(u), f, "/v1/widgets/special");
	request(&r, "GET", u, NULL, NULL, 0, NULL);
	assert_problem(&r, 500);
	assert_null(strstr(r.body, "Widget.name"));  /* internals stay in the log */
	reply_clear(&r);
}

static void test_query_and_header_parameters(void **state)
{
	struct fixture *f = *state;
	const char *trace[] = {"X-Trace: abc", NULL};
	const char *long_trace[] = {"X-Trace: abcdefghijk", NULL};
	struct http_testing_reply r;
	char u[256];

	url(u, sizeof(u), f, "/v1/widgets?limit=5&verbose=true&color=green");
	request(&r, "GET", u, trace, NULL, 0, NULL);
	assert_int_equal(r.status, 200);
	assert_true(last_list.has_limit && last_list.limit == 5);
	assert_true(last_list.has_verbose && last_list.verbose == 1);
	assert_true(last_list.has_color && last_list.has_X_Trace);
	assert_string_equal(last_color, "green");
	assert_string_equal(last_trace, "abc");
	assert_int_equal(json_array_size(json_object_get(r.json, "widgets")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "widgets"), 1), "id")), 7);
	assert_null(json_object_get(json_array_get(json_object_get(r.json, "widgets"), 0), "id"));
	reply_clear(&r);

	url(u, sizeof(u), f, "/v1/widgets");
	request(&r, "GET", u, NULL, NULL, 0, NULL);
	assert_int_equal(r.status, 200);
	assert_false(last_list.has_limit);
	assert_false(last_list.has_color);
	assert_string_equal(last_color, "");
	reply_clear(&r);

	url(u, sizeof(u), f, "/v1/widgets?limit=500&color=blue&verbose=yes");
	request(&r, "GET", u, long_trace, NULL, 0, NULL);
	assert_problem(&r, 400);
	assert_int_equal(json_array_size(json_object_get(r.json, "errors")), 4);
	reply_clear(&r);
}

static void test_parameter_holding_slashes(void **state)
{
	struct fixture *f = *state;
	struct http_testing_reply r;
	char u[256];

	/* %2F arrives decoded: the rest of the path is the value, slashes and all. */
	url(u, sizeof(u), f, "/v1/files/%2Fv4%2Fcontainerimage%2Fsha256:abc");
	request(&r, "GET", u, NULL, NULL, 0, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "checks"), "path")),
			    "/v4/containerimage/sha256:abc");
	reply_clear(&r);

	url(u, sizeof(u), f, "/v1/files/a/b");
	request(&r, "GET", u, NULL, NULL, 0, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "checks"), "path")), "a/b");
	reply_clear(&r);

	url(u, sizeof(u), f, "/v1/files/a%2");
	request(&r, "GET", u, NULL, NULL, 0, NULL);
	assert_problem(&r, 400);
	reply_clear(&r);

	url(u, sizeof(u), f, "/v1/widgets/4%32");  /* ulfius decodes ordinary path parameters itself */
	request(&r, "GET", u, NULL, NULL, 0, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(last_widget_id, 42);
	reply_clear(&r);

	url(u, sizeof(u), f, "/v1//files/a");
	request(&r, "GET", u, NULL, NULL, 0, NULL);
	assert_problem(&r, 404);
	reply_clear(&r);

	url(u, sizeof(u), f, "/v1/files/a");
	request(&r, "POST", u, NULL, "", 0, NULL);
	assert_problem(&r, 405);
	reply_clear(&r);

	url(u, sizeof(u), f, "/v1/files/0123456789012345678901234567890123456789012345678901234567890123456789");
	request(&r, "GET", u, NULL, NULL, 0, NULL);
	assert_problem(&r, 400);
	reply_clear(&r);
}

static void test_unknown_path_and_method(void **state)
{
	struct fixture *f = *state;
	struct http_testing_reply r;
	char u[256];

	url(u, sizeof(u), f, "/v1/nothing");
	request(&r, "GET", u, NULL, NULL, 0, NULL);
	assert_problem(&r, 404);
	reply_clear(&r);

	url(u, sizeof(u), f, "/v1/widgets");
	request(&r, "DELETE", u, NULL, NULL, 0, NULL);
	assert_problem(&r, 405);
	assert_true(http_testing_has_header(&r, "Allow: GET, POST"));
	reply_clear(&r);

	/* Only the spec's spelling of a path is served. */
	url(u, sizeof(u), f, "/v1//widgets");
	request(&r, "GET", u, NULL, NULL, 0, NULL);
	assert_problem(&r, 404);
	reply_clear(&r);
	url(u, sizeof(u), f, "/v1/widgets/");
	request(&r, "GET", u, NULL, NULL, 0, NULL);
	assert_problem(&r, 404);
	reply_clear(&r);

	url(u, sizeof(u), f, "/v1/widgets/12");
	request(&r, "PUT", u, NULL, NULL, 0, NULL);
	assert_problem(&r, 405);
	assert_true(http_testing_has_header(&r, "Allow: GET"));
	reply_clear(&r);
}

static void test_authentication(void **state)
{
	struct fixture *f = *state;
	const char *json[] = {"Content-Type: application/json", NULL};
	const char *bad[] = {"Content-Type: application/json", "Authorization: Bearer nope", NULL};
	const char *weak[] = {"Content-Type: application/json", "Authorization: Bearer weak", NULL};
	const char *unverifiable[] = {"Content-Type: application/json", "Authorization: Bearer unverifiable", NULL};
	const char *body = "{\"name\":\"ok\",\"size\":1}";
	struct http_testing_reply r;
	char u[256];

	url(u, sizeof(u), f, "/v1/widgets");
	request(&r, "POST", u, json, body, strlen(body), NULL);
	assert_problem(&r, 401);
	assert_true(http_testing_has_header(&r, "WWW-Authenticate: Bearer"));
	reply_clear(&r);

	request(&r, "POST", u, bad, body, strlen(body), NULL);
	assert_problem(&r, 401);
	assert_string_equal(json_string_value(json_object_get(r.json, "detail")), "the token is not valid");
	reply_clear(&r);

	request(&r, "POST", u, weak, body, strlen(body), NULL);
	assert_problem(&r, 403);
	reply_clear(&r);

	/* credentials that cannot be checked now are neither wrong nor too weak */
	request(&r, "POST", u, unverifiable, body, strlen(body), NULL);
	assert_problem(&r, 503);
	assert_string_equal(json_string_value(json_object_get(r.json, "detail")),
			    "Central DB is unreachable: the token could not be checked");
	reply_clear(&r);
}

static void test_body_validation(void **state)
{
	struct fixture *f = *state;
	const char *h[] = {"Content-Type: application/json", "Authorization: Bearer good", NULL};
	const char *text[] = {"Content-Type: text/plain", "Authorization: Bearer good", NULL};
	static const struct {
		const char *body;
		const char *pointer;
	} bad[] = {
		{"{\"size\":1}", "/name"},
		{"{\"name\":\"ok\",\"size\":\"big\"}", "/size"},
		{"{\"name\":\"ok\",\"size\":100}", "/size"},
		{"{\"name\":\"ok\",\"size\":1,\"colour\":\"red\"}", "/colour"},
		{"{\"name\":\"Bad Name\",\"size\":1}", "/name"},
		{"{\"name\":\"waytoolongname\",\"size\":1}", "/name"},
		{"{\"name\":\"ok\",\"size\":1,\"kind\":\"oval\"}", "/kind"},
		{"{\"name\":\"ok\",\"size\":1,\"tags\":[\"a\",\"a\"]}", "/tags"},
		{"{\"name\":\"ok\",\"size\":1,\"tags\":[\"a\",\"b\",\"c\",\"d\"]}", "/tags"},
		{"{\"name\":\"ok\",\"size\":1,\"parts\":[{\"label\":\"x\",\"child\":{\"count\":-1}}]}", "/parts/0/child/label"},
		{"{\"name\":\"ok\",\"size\":1,\"created\":\"yesterday\"}", "/created"},
		{"{\"name\":\"ok\",\"size\":1,\"shape\":{\"radius\":1,\"side\":2}}", "/shape"},
		{"[1,2]", ""},
	};
	struct http_testing_reply r;
	char u[256];
	size_t i;

	url(u, sizeof(u), f, "/v1/widgets");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		request(&r, "POST", u, h, bad[i].body, strlen(bad[i].body), NULL);
		assert_problem(&r, 400);
		if (!first_error_pointer(&r) || strcmp(first_error_pointer(&r), bad[i].pointer) != 0)
			fail_msg("body %s: expected pointer %s, got %s", bad[i].body, bad[i].pointer, r.body);
		reply_clear(&r);
	}

	request(&r, "POST", u, h, "{\"name\":", 8, NULL);
	assert_problem(&r, 400);
	assert_non_null(strstr(r.body, "not valid JSON"));
	reply_clear(&r);

	request(&r, "POST", u, h, "{\"name\":\"a\",\"name\":\"b\",\"size\":1}", 32, NULL);
	assert_problem(&r, 400);
	reply_clear(&r);

	request(&r, "POST", u, text, "{\"name\":\"ok\",\"size\":1}", 22, NULL);
	assert_problem(&r, 415);
	reply_clear(&r);

	request(&r, "POST", u, h, "", 0, NULL);
	assert_problem(&r, 400);
	reply_clear(&r);

	{
		const char *ok = "{\"name\":\"ok-1\",\"size\":99.5,\"kind\":\"round\",\"created\":\"2026-11-27T13:40:09Z\","
				 "\"shape\":{\"side\":2},\"note\":null,\"extra\":{\"any\":[1]}}";
		request(&r, "POST", u, h, ok, strlen(ok), NULL);
		assert_int_equal(r.status, 201);
		assert_string_equal(json_string_value(json_object_get(r.json, "name")), "ok-1");
		assert_string_equal(json_string_value(json_array_get(json_object_get(r.json, "tags"), 1)), "b");
		assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(json_object_get(r.json, "parts"), 0),
										   "child"),
							    "label")),
				    "inner");
		reply_clear(&r);
	}
}

static void test_body_size_limit(void **state)
{
	struct fixture *f = *state;
	const char *h[] = {"Content-Type: application/json", "Authorization: Bearer good", NULL};
	size_t n = 5000;
	char *big = malloc(n + 1);
	struct http_testing_reply r;
	char u[256];

	assert_non_null(big);
	memset(big, ' ', n);
	memcpy(big, "{\"name\":\"ok\",\"size\":1}", 22);
	big[n] = '\0';
	url(u, sizeof(u), f, "/v1/widgets");
	request(&r, "POST", u, h, big, n, NULL);
	assert_problem(&r, 413);
	reply_clear(&r);
	free(big);
}

static void test_request_id(void **state)
{
	struct fixture *f = *state;
	const char *given[] = {"X-Request-Id: abc-123", NULL};
	const char *hostile[] = {"X-Request-Id: a b\"c", NULL};
	struct http_testing_reply r;
	char u[256];

	url(u, sizeof(u), f, "/v1/nothing");
	request(&r, "GET", u, given, NULL, 0, NULL);
	assert_true(http_testing_has_header(&r, "X-Request-Id: abc-123"));
	assert_string_equal(json_string_value(json_object_get(r.json, "requestId")), "abc-123");
	reply_clear(&r);

	request(&r, "GET", u, hostile, NULL, 0, NULL);
	assert_false(http_testing_has_header(&r, "a b\"c"));
	assert_int_equal(strlen(json_string_value(json_object_get(r.json, "requestId"))), 32);
	reply_clear(&r);
}

static void test_health_readiness_metrics(void **state)
{
	struct fixture *f = *state;
	struct http_testing_reply r;
	char u[256];

	url(u, sizeof(u), f, "/healthz");
	request(&r, "GET", u, NULL, NULL, 0, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")), "ok");
	reply_clear(&r);

	url(u, sizeof(u), f, "/readyz");
	readiness_ok = 0;
	request(&r, "GET", u, NULL, NULL, 0, NULL);
	assert_problem(&r, 503);
	assert_non_null(strstr(r.body, "database unreachable"));
	reply_clear(&r);
	readiness_ok = 1;
	request(&r, "GET", u, NULL, NULL, 0, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "checks"), "database")), "ok");
	reply_clear(&r);

	url(u, sizeof(u), f, "/metrics");
	request(&r, "GET", u, NULL, NULL, 0, NULL);
	assert_int_equal(r.status, 200);
	assert_true(http_testing_has_header(&r, "Content-Type: text/plain; version=0.0.4"));
	assert_non_null(strstr(r.body, "http_requests_total{service=\"testapi\",route=\"/v1/widgets/{id}\",method=\"GET\",status=\"200\"}"));
	assert_non_null(strstr(r.body, "route=\"unmatched\""));
	assert_non_null(strstr(r.body, "http_request_duration_seconds_bucket{"));
	assert_non_null(strstr(r.body, "http_requests_in_flight{service=\"testapi\"} 1"));
	assert_non_null(strstr(r.body, "process_resident_memory_bytes "));
	reply_clear(&r);
}

/* ---- tests: HTTPS and mutual TLS -------------------------------------------------------- */

static struct fixture tls;

static int tls_setup(void **state)
{
	struct http_server_options o = {.service = "testapi", .listen_host = "127.0.0.1"};

	if (http_testing_pki_make(&tls.pki, "http_test"))
		return -1;
	o.cert_file = tls.pki.cert;
	o.key_file = tls.pki.key;
	o.client_ca_file = tls.pki.ca;
	o.port = http_testing_free_port();
	if (http_server_new(&tls.server, &o) || testapi_api_register(tls.server) || http_server_start(tls.server)) {
		fprintf(stderr, "server: %s\n", error_last());
		return -1;
	}
	snprintf(tls.base, sizeof(tls.base), "https://127.0.0.1:%u", o.port);
	*state = &tls;
	return 0;
}

static int tls_teardown(void **state)
{
	http_server_free(tls.server);
	return http_testing_remove_tree(tls.pki.dir);
}

static void client_files(struct http_testing_tls *c, char *cert, char *key, size_t size, const char *name)
{
	snprintf(cert, size, "%s/%s.crt", tls.pki.dir, name);
	snprintf(key, size, "%s/%s.key", tls.pki.dir, name);
	c->ca = tls.pki.ca;
	c->cert = cert;
	c->key = key;
}

static void test_https_serves_and_sets_hsts(void **state)
{
	struct fixture *f = *state;
	struct http_testing_tls anonymous = {.ca = f->pki.ca};
	struct http_testing_reply r;
	char u[256];

	url(u, sizeof(u), f, "/healthz");
	request(&r, "GET", u, NULL, NULL, 0, &anonymous);
	assert_int_equal(r.status, 200);
	assert_true(http_testing_has_header(&r, "Strict-Transport-Security:"));
	assert_true(http_testing_has_header(&r, "X-Content-Type-Options: nosniff"));
	reply_clear(&r);
}

static void test_mutual_tls_identities(void **state)
{
	struct fixture *f = *state;
	const char *h[] = {"Content-Type: application/json", NULL};
	struct http_testing_tls sensor, central, anonymous = {.ca = f->pki.ca};
	char scert[300], skey[300], ccert[300], ckey[300];
	struct http_testing_reply r;
	char u[256];

	client_files(&sensor, scert, skey, sizeof(scert), "sensor");
	client_files(&central, ccert, ckey, sizeof(ccert), "central");
	url(u, sizeof(u), f, "/v1/internal/sync");

	request(&r, "POST", u, h, "{\"a\":1}", 7, &sensor);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "checks"), "caller")), "SENSOR_SERVICE");
	reply_clear(&r);

	request(&r, "POST", u, h, "{\"a\":1}", 7, &central);
	assert_problem(&r, 403);
	assert_non_null(strstr(r.body, "CENTRAL_SERVICE"));
	reply_clear(&r);

	request(&r, "POST", u, h, "{\"a\":1}", 7, &anonymous);
	assert_problem(&r, 401);
	reply_clear(&r);

	request(&r, "POST", u, h, "{\"a\":1,\"b\":2,\"c\":3,\"d\":4}", 25, &sensor);
	assert_problem(&r, 400);
	reply_clear(&r);

	request(&r, "POST", u, h, "{\"a\":\"x\"}", 9, &sensor);
	assert_problem(&r, 400);
	assert_string_equal(first_error_pointer(&r), "/a");
	reply_clear(&r);
}

static void test_certificate_from_another_ca_is_anonymous(void **state)
{
	struct fixture *f = *state;
	const char *h[] = {"Content-Type: application/json", NULL};
	char other[300], cert[400], key[400];
	struct http_testing_tls stranger;
	struct http_testing_reply r;
	char u[256];

	snprintf(other, sizeof(other), "%s/other", f->pki.dir);
	assert_int_equal(pki_dir_dev(other, NULL, NULL), ASEC_OK);
	snprintf(cert, sizeof(cert), "%s/sensor.crt", other);
	snprintf(key, sizeof(key), "%s/sensor.key", other);
	stranger.ca = f->pki.ca;
	stranger.cert = cert;
	stranger.key = key;
	url(u, sizeof(u), f, "/v1/internal/sync");
	memset(&r, 0, sizeof(r));
	{
		/* The handshake may be refused outright, or the request answered 401:
		 * either way the foreign certificate must never grant SENSOR_SERVICE. */
		CURL *curl = curl_easy_init();
		struct curl_slist *list = curl_slist_append(NULL, h[0]);
		curl_easy_setopt(curl, CURLOPT_URL, u);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "{}");
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
		curl_easy_setopt(curl, CURLOPT_CAINFO, stranger.ca);
		curl_easy_setopt(curl, CURLOPT_SSLCERT, stranger.cert);
		curl_easy_setopt(curl, CURLOPT_SSLKEY, stranger.key);
		curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, http_testing_collect_body);
		curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r);
		curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
		if (curl_easy_perform(curl) == CURLE_OK) {
			curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
			assert_int_equal(r.status, 401);
		}
		curl_slist_free_all(list);
		curl_easy_cleanup(curl);
	}
	assert_int_equal(http_testing_remove_tree(other), 0);
}

int main(void)
{
	const struct CMUnitTest plain_tests[] = {
		cmocka_unit_test(test_path_parameter_is_typed),
		cmocka_unit_test(test_handler_error_maps_to_problem),
		cmocka_unit_test(test_literal_route_beats_template_and_bad_encoding_is_500),
		cmocka_unit_test(test_query_and_header_parameters),
		cmocka_unit_test(test_unknown_path_and_method),
		cmocka_unit_test(test_parameter_holding_slashes),
		cmocka_unit_test(test_authentication),
		cmocka_unit_test(test_body_validation),
		cmocka_unit_test(test_body_size_limit),
		cmocka_unit_test(test_request_id),
		cmocka_unit_test(test_health_readiness_metrics),
	};
	const struct CMUnitTest tls_tests[] = {
		cmocka_unit_test(test_https_serves_and_sets_hsts),
		cmocka_unit_test(test_mutual_tls_identities),
		cmocka_unit_test(test_certificate_from_another_ca_is_anonymous),
	};
	int failed;
	FILE *devnull = fopen("/dev/null", "w");

	log_init("http_test", LOG_LEVEL_ERROR, devnull);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	failed = cmocka_run_group_tests_name("http_plain", plain_tests, plain_setup, plain_teardown);
	failed += cmocka_run_group_tests_name("http_tls", tls_tests, tls_setup, tls_teardown);
	curl_global_cleanup();
	log_init("http_test", LOG_LEVEL_ERROR, NULL);
	fclose(devnull);
	return failed;
}
