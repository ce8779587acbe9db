/*
 * service.h - the life of a service process, shared by every daemon.
 *
 * A service's main() fills one struct service_definition and calls
 * service_main(). That reads settings (environment, optional file), starts
 * logging, lets the service open its stores (init), builds the HTTPS server
 * from the common settings, registers the generated routes, serves until
 * SIGTERM or SIGINT, and shuts down in reverse order. Keeping this in one
 * place means every service has the same flags, settings names, log lines and
 * exit codes, and main.c only wires.
 *
 * Common settings (documented by `<service> --settings`):
 *   ROX_LISTEN_ADDRESS, ROX_TLS_CERT, ROX_TLS_KEY, ROX_TLS_CA, ROX_INSECURE_HTTP,
 *   ROX_LOG_LEVEL, ROX_HTTP_MAX_BODY_BYTES, ROX_HTTP_MAX_HEADER_BYTES,
 *   ROX_HTTP_IDLE_TIMEOUT, ROX_CONFIG_FILE (or --config FILE).
 */
#ifndef ASEC_SERVICE_H
#define ASEC_SERVICE_H

#include "config/config.h"
#include "http/http.h"

struct service_context {
	const struct config *config;
	struct http_server_options http;  /* init may set readiness and authenticate */
	struct http_server *server;
	void *state;                      /* the service's own */
};

/* A one-shot command of the service's binary ("scanner-matcher import
 * FILE"): it runs with the service's settings loaded and logging set up,
 * instead of the server, and its return value is the exit code. */
struct service_command {
	const char *name;   /* "import" */
	const char *args;   /* "FILE|DIR..." for the usage text */
	const char *summary;
	int (*run)(const struct config *config, int argc, char **argv); /* argv after the name */
};

struct service_definition {
	const char *name;                 /* "central" */
	const char *summary;              /* one line for --help */
	const char *default_listen;       /* "0.0.0.0:8443" */
	const struct config_setting *settings; /* the service's own settings */
	size_t setting_count;
	int (*init)(struct service_context *ctx);          /* may be NULL */
	int (*register_routes)(struct http_server *server); /* the generated <prefix>_api_register */
	void (*shutdown)(struct service_context *ctx);      /* may be NULL */
	const struct service_command *commands;             /* may be NULL */
	size_t command_count;
};

/* Runs the service; returns the process exit code (0 after a clean stop,
 * 1 on a failure at start, 2 on a usage error). */
int service_main(const struct service_definition *def, int argc, char **argv);

#endif
