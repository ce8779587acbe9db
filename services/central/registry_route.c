/*
 * registry_route.c - the rule of registry_route.h.
 */
#include "registry_route.h"

#include <stdlib.h>
#include <string.h>

#include "error/error.h"
#include "httpclient/httpclient.h"

static int domain_is_loopback(const char *domain)
{
	return !strncmp(domain, "127.", 4) || !strcmp(domain, "localhost") || !strncmp(domain, "localhost:", 10) ||
	       !strcmp(domain, "[::1]") || !strncmp(domain, "[::1]:", 6);
}

void registry_route_decide(struct registry_route *out, const char *domain, enum registry_scheme written,
			   int insecure)
{
	out->skip_verify = insecure;
	out->fallback_http = 0;
	if (written != REGISTRY_SCHEME_DEFAULT) {
		out->scheme = written;
	} else if (domain_is_loopback(domain) && !insecure) {
		out->scheme = REGISTRY_SCHEME_HTTP;
	} else {
		out->scheme = REGISTRY_SCHEME_HTTPS;
		out->fallback_http = insecure;
	}
}

int registry_route_client(struct registry_client **out, const struct registry_route *route, const char *domain,
			  const char *username, const char *password, long timeout_ms)
{
	struct httpclient_options http;
	struct registry_options opts = {.registry = domain};

	httpclient_options_init(&http);
	http.total_timeout_ms = timeout_ms;
	http.connect_timeout_ms = timeout_ms < 5000 ? timeout_ms : 5000;
	http.max_attempts = 1; /* someone waits for the answer; a retry is theirs to make */
	opts.http = &http;
	opts.insecure = route->scheme == REGISTRY_SCHEME_HTTP || route->fallback_http;
	opts.skip_tls_verify = route->skip_verify;
	if (username && username[0]) {
		opts.username = username;
		opts.password = password ? password : "";
	}
	return registry_client_new(out, &opts);
}

int registry_route_try(enum registry_scheme *used, const struct registry_route *route,
		       int (*step)(enum registry_scheme scheme, void *ctx), void *ctx)
{
	char *first;
	int rc;

	*used = route->scheme;
	rc = step(route->scheme, ctx);
	if (!route->fallback_http || (rc != ASEC_EIO && rc != ASEC_ETIMEOUT))
		return rc;
	first = strdup(error_last());
	*used = REGISTRY_SCHEME_HTTP;
	rc = step(REGISTRY_SCHEME_HTTP, ctx);
	if (rc != ASEC_OK && first)
		error_prefix("over HTTPS: %s; over plain HTTP", first);
	free(first);
	return rc;
}
