/*
 * registry_route.h - how central reaches an image registry: one rule for
 * scans and for testing image integrations, so that an integration that
 * tests fine is also how its images are pulled.
 *
 * The rule, Docker's own: the scheme written (in the image name, else in
 * the integration's endpoint) wins; without one, HTTPS, except for this
 * machine (127.0.0.0/8, localhost, ::1: Docker's default insecure
 * registries), which is plain HTTP; an integration marked insecure skips
 * certificate checks and, without a written scheme, falls back to plain
 * HTTP when HTTPS cannot connect.
 */
#ifndef ASEC_CENTRAL_REGISTRY_ROUTE_H
#define ASEC_CENTRAL_REGISTRY_ROUTE_H

#include "registry/registry.h"

struct registry_route {
	enum registry_scheme scheme; /* HTTPS or HTTP: the first to try */
	int fallback_http;           /* then plain HTTP, when HTTPS cannot connect */
	int skip_verify;
};

void registry_route_decide(struct registry_route *out, const char *domain, enum registry_scheme written,
			   int insecure);

/* A client for domain along route, with credentials (username NULL or "":
 * anonymous) and one attempt of at most timeout_ms per request. */
int registry_route_client(struct registry_client **out, const struct registry_route *route, const char *domain,
			  const char *username, const char *password, long timeout_ms);

/* Calls step with the route's scheme, and again with plain HTTP when the
 * route falls back and the first try could not connect (ASEC_EIO,
 * ASEC_ETIMEOUT); the message then tells both. *used gets the scheme of the
 * last try. */
int registry_route_try(enum registry_scheme *used, const struct registry_route *route,
		       int (*step)(enum registry_scheme scheme, void *ctx), void *ctx);

#endif
