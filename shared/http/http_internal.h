/*
 * http_internal.h - the server's state and helpers, shared by http.c,
 * metrics.c and site.c only.
 */
#ifndef ASEC_HTTP_INTERNAL_H
#define ASEC_HTTP_INTERNAL_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include <gnutls/x509.h>
#include <ulfius.h>

#include "http/http.h"
#include "http/site.h"

#define HTTP_MAX_ROUTES 512

/* What ulfius hands back to http_dispatch() as user data. Routes live in a
 * fixed array inside the server so that their addresses never move. */
struct http_route {
	const struct http_operation *op;
	struct http_server *server;
};

struct http_metric_series;

struct http_server {
	char *service;
	unsigned port;
	int insecure_http;
	size_t max_body_bytes;
	size_t max_upload_bytes; /* 0: operations' own limits */
	size_t max_header_bytes;
	http_readiness readiness;
	void *readiness_ctx;
	http_authenticator authenticate;
	void *auth_ctx;
	void *context;
	struct http_site *site; /* the portal, owned; NULL: API only */

	char *cert_pem, *key_pem, *ca_pem;
	gnutls_x509_crt_t *client_cas;
	unsigned client_ca_count;

	struct sockaddr_in bind4;
	struct _u_instance instance;
	int instance_ready;
	int running;

	struct http_route routes[HTTP_MAX_ROUTES];
	size_t route_count;

	atomic_long in_flight;
	time_t started_at;
	pthread_mutex_t metrics_lock;
	struct http_metric_series *series;
	size_t series_count, series_capacity;
};

void http_metrics_observe(struct http_server *server, const char *route, const char *method, long status, double seconds);
int http_metrics_render(char **out, size_t *len, struct http_server *server);
void http_metrics_free(struct http_server *server);

/* The value of one hexadecimal digit (either case), -1 for anything else:
 * percent-decoding in http.c and site.c. */
int http_hex_value(char c);

#endif
