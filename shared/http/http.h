/*
 * http.h - the HTTPS server every service runs, on ulfius + GnuTLS.
 *
 * Services never register routes by hand: the OpenAPI generator emits one
 * struct http_operation per operation of the service's spec, and the
 * generated <service>_api_register() hands them to http_server_add_operation().
 * The server then does, for every request and in this order: request id,
 * header limits, authentication (mutual TLS identity, or the service's
 * authenticator for basic/bearer credentials), parameter parsing and
 * validation, body size/media type/JSON/schema validation, the typed handler,
 * and finally metrics and one access-log line. A handler therefore sees only
 * requests that already conform to the contract.
 *
 * Every error leaves as application/problem+json (RFC 9457) with the members
 * StackRox clients read (code, message, error) alongside.
 */
#ifndef ASEC_HTTP_H
#define ASEC_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "schema/schema.h"

struct http_server;
struct http_exchange;
struct http_site;

/* Which credentials an operation accepts; 0 means the operation is public. */
enum http_auth {
	HTTP_AUTH_BASIC = 1 << 0,
	HTTP_AUTH_BEARER = 1 << 1,
	HTTP_AUTH_MTLS = 1 << 2,
	HTTP_AUTH_COOKIE = 1 << 3, /* a session cookie, read by the service's authenticator */
};

enum http_param_in { HTTP_PARAM_PATH, HTTP_PARAM_QUERY, HTTP_PARAM_HEADER };
enum http_param_type { HTTP_PARAM_STRING, HTTP_PARAM_INTEGER, HTTP_PARAM_NUMBER, HTTP_PARAM_BOOLEAN };

/* One parameter, and where its parsed value goes in the operation's generated
 * params struct: const char * for strings, int64_t for integers, double for
 * numbers, int for booleans, plus an int that says whether it was given. */
struct http_param {
	const char *name;
	enum http_param_in in;
	enum http_param_type type;
	int required;
	const struct schema *schema;
	size_t value_offset;
	size_t present_offset;
};

struct http_operation {
	const char *operation_id;
	const char *method;
	const char *path;         /* OpenAPI template: /v1/images/{id} */
	const char *ulfius_path;  /* the same in ulfius form: /v1/images/:id */
	unsigned priority;        /* literal paths before templated ones */
	unsigned auth;            /* enum http_auth bits; 0 = public */
	const char *const *services; /* x-asec-services: client certificate CNs allowed */
	size_t service_count;
	const char *const *roles;    /* x-asec-roles: passed to the authenticator */
	size_t role_count;
	const struct http_param *params;
	size_t param_count;
	size_t params_size;
	const char *greedy_param;  /* a last path parameter that may contain "/" (allowReserved) */
	const struct schema *body_schema; /* NULL: the operation takes no JSON body */
	int body_required;
	/* A body that is not JSON (a file upload): handed to the handler as
	 * bytes through http_exchange_body(), up to max_body_bytes (the spec's
	 * x-asec-max-body-bytes; 0 = the server's limit). */
	int raw_body;
	size_t max_body_bytes;
	const char *const *media_types; /* raw_body: the accepted Content-Types, NULL-terminated */
	int (*invoke)(struct http_exchange *ex, const void *params, json_t *body);
};

/* The service's check of basic/bearer credentials. It returns ASEC_OK and
 * sets the identity (http_exchange_set_identity), ASEC_EAUTH for missing or
 * bad credentials (401), ASEC_EIO or ASEC_ETIMEOUT when they cannot be
 * checked now because a dependency is down (503, with error_set() naming
 * it), or any other code, with error_set() saying why, for a caller who may
 * not call this operation (403). */
typedef int (*http_authenticator)(struct http_exchange *ex, const struct http_operation *op, void *ctx);

/* Readiness: fills checks with name -> "ok" | "<reason>" and returns ASEC_OK
 * when the service can serve. */
typedef int (*http_readiness)(json_t *checks, void *ctx);

struct http_server_options {
	const char *service;          /* name used in logs and metrics */
	const char *listen_host;      /* NULL or "" = all addresses */
	unsigned port;
	int insecure_http;            /* plain HTTP; only when explicitly asked */
	const char *cert_file;        /* PEM server certificate */
	const char *key_file;         /* PEM private key */
	const char *client_ca_file;   /* PEM CA for client certificates (mutual TLS); NULL disables it */
	size_t max_body_bytes;        /* 0 = 1 MiB */
	size_t max_upload_bytes;      /* raw_body operations: 0 = their spec limit */
	size_t max_header_bytes;      /* 0 = 16 KiB, all headers together */
	unsigned idle_timeout_s;      /* 0 = 60 */
	http_readiness readiness;
	void *readiness_ctx;
	http_authenticator authenticate;
	void *auth_ctx;
};

int http_server_new(struct http_server **out, const struct http_server_options *opts);
int http_server_add_operation(struct http_server *server, const struct http_operation *op);
int http_server_start(struct http_server *server);
/* The port the server was asked to listen on. */
unsigned http_server_port(const struct http_server *server);
void http_server_stop(struct http_server *server);
void http_server_free(struct http_server *server);

/* Responses. Each takes ownership of what it is given and returns ASEC_OK. */
int http_respond_json(struct http_exchange *ex, long status, json_t *body);
int http_respond_text(struct http_exchange *ex, long status, const char *content_type, const char *text, size_t len);
int http_respond_problem(struct http_exchange *ex, long status, const char *title, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Maps an ASEC_E* code and the thread's error_last() to a problem answer. */
int http_respond_error(struct http_exchange *ex, int code);
void http_respond_header(struct http_exchange *ex, const char *name, const char *value);

/* The request as the handler sees it. */
const char *http_exchange_header(const struct http_exchange *ex, const char *name);
/* The request body as received (raw_body operations); *len gets its size. */
const void *http_exchange_body(const struct http_exchange *ex, size_t *len);
/* A query parameter's raw value, NULL when absent. */
const char *http_exchange_query(const struct http_exchange *ex, const char *name);
const char *http_exchange_request_id(const struct http_exchange *ex);
const char *http_exchange_identity(const struct http_exchange *ex);
void http_exchange_set_identity(struct http_exchange *ex, const char *identity);
const char *http_exchange_client_cn(const struct http_exchange *ex); /* NULL without a verified client certificate */
void *http_exchange_server_context(const struct http_exchange *ex);  /* http_server_set_context() */
void http_server_set_context(struct http_server *server, void *ctx);
/* Serves the portal (http/site.h) for GET and HEAD requests that no
 * operation takes. The server owns the site from here on and frees it; call
 * before http_server_start(). NULL removes it. */
void http_server_set_site(struct http_server *server, struct http_site *site);

/* Handlers for the operations every spec takes from openapi/common.yaml. */
int http_builtin_getHealthz(struct http_exchange *ex, const void *params, json_t *body);
int http_builtin_getReadyz(struct http_exchange *ex, const void *params, json_t *body);
int http_builtin_getMetrics(struct http_exchange *ex, const void *params, json_t *body);

#endif
