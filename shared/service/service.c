/*
 * service.c - settings, logging, server and signals for every daemon.
 *
 * Signals: SIGTERM and SIGINT are blocked before any thread starts, so every
 * server thread inherits the mask and the main thread alone receives them
 * through sigwait(); no handler runs at an arbitrary point. SIGPIPE is
 * ignored because a client hanging up must never kill a service.
 */
#include "service/service.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"
#include "log/log.h"

static const char *const log_levels[] = {"debug", "info", "warn", "error", NULL};

static const struct config_setting common_settings[] = {
	{"ROX_LISTEN_ADDRESS", CONFIG_LISTEN_ADDRESS, NULL, "Address and port the HTTPS server listens on.", 0, 0, NULL, 0},
	{"ROX_TLS_CERT", CONFIG_PATH, "", "PEM certificate the server presents (required unless ROX_INSECURE_HTTP).", 0, 0, NULL, 0},
	{"ROX_TLS_KEY", CONFIG_PATH, "", "PEM private key of that certificate.", 0, 0, NULL, 1},
	{"ROX_TLS_CA", CONFIG_PATH, "", "PEM CA that issues client certificates; enables mutual TLS identities.", 0, 0, NULL, 0},
	{"ROX_INSECURE_HTTP", CONFIG_BOOL, "false", "Serve plain HTTP instead of HTTPS (only behind a TLS-terminating proxy).", 0, 0, NULL, 0},
	{"ROX_LOG_LEVEL", CONFIG_ENUM, "info", "Minimum level of log lines.", 0, 0, log_levels, 0},
	{"ROX_HTTP_MAX_BODY_BYTES", CONFIG_INT, "1048576", "Largest request body accepted; larger ones get 413.", 1024, 1073741824, NULL, 0},
	{"ROX_HTTP_MAX_UPLOAD_BYTES", CONFIG_INT, "536870912", "Largest file upload (operations that take a file); the spec's own limit applies when lower.", 1024, 4294967296LL, NULL, 0},
	{"ROX_HTTP_MAX_HEADER_BYTES", CONFIG_INT, "16384", "Largest total size of request headers; larger ones get 431.", 1024, 1048576, NULL, 0},
	{"ROX_HTTP_IDLE_TIMEOUT", CONFIG_DURATION_MS, "60s", "Idle keep-alive connections are closed after this long.", 1000, 3600000, NULL, 0},
};
#define COMMON_COUNT (sizeof(common_settings) / sizeof(common_settings[0]))

static void usage(FILE *out, const struct service_definition *def)
{
	fprintf(out,
		"usage: %s [--config FILE] [--settings] [--help]\n"
		"%s\n\n"
		"  --config FILE  read settings from FILE (KEY=value lines); the environment overrides it\n"
		"  --settings     print every setting as a Markdown table and exit\n"
		"  --help         print this text and exit\n",
		def->name, def->summary);
	for (size_t i = 0; i < def->command_count; i++)
		fprintf(out, "\n  %s [--config FILE] %s %s\n    %s\n", def->name, def->commands[i].name, def->commands[i].args,
			def->commands[i].summary);
}

/* "<service> <command> [--config FILE] args...": settings and logging as
 * for the server, then the command instead of the server. */
static int run_command(const struct service_definition *def, const struct service_command *cmd,
		       struct config_setting *settings, size_t count, int argc, char **argv)
{
	struct config *cfg = NULL;
	const char *config_file = getenv("ROX_CONFIG_FILE");
	enum log_level level = LOG_LEVEL_INFO;
	int rest = 0, rc;

	if (argc >= 2 && strcmp(argv[0], "--config") == 0) {
		config_file = argv[1];
		rest = 2;
	}
	if (config_file && !config_file[0])
		config_file = NULL;
	if (config_load(&cfg, settings, count, config_file, NULL) != ASEC_OK) {
		fprintf(stderr, "%s: invalid settings: %s\n", def->name, error_last());
		return 1;
	}
	log_level_parse(&level, config_get_string(cfg, "ROX_LOG_LEVEL"));
	log_init(def->name, level, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = cmd->run(cfg, argc - rest, argv + rest);
	config_free(cfg);
	return rc;
}

static struct config_setting *all_settings(const struct service_definition *def, size_t *count)
{
	struct config_setting *all = calloc(COMMON_COUNT + def->setting_count, sizeof(*all));

	if (!all)
		return NULL;
	memcpy(all, common_settings, sizeof(common_settings));
	all[0].default_value = def->default_listen;
	if (def->setting_count)
		memcpy(all + COMMON_COUNT, def->settings, def->setting_count * sizeof(*all));
	*count = COMMON_COUNT + def->setting_count;
	return all;
}

static int build_http_options(struct service_context *ctx, const struct service_definition *def, char **host)
{
	const struct config *cfg = ctx->config;
	struct http_server_options *o = &ctx->http;
	unsigned port = 0;
	int rc;

	rc = config_get_listen_address(cfg, "ROX_LISTEN_ADDRESS", host, &port);
	if (rc)
		return rc;
	o->service = def->name;
	o->listen_host = *host;
	o->port = port;
	o->insecure_http = config_get_bool(cfg, "ROX_INSECURE_HTTP");
	o->cert_file = config_get_string(cfg, "ROX_TLS_CERT");
	o->key_file = config_get_string(cfg, "ROX_TLS_KEY");
	o->client_ca_file = config_get_string(cfg, "ROX_TLS_CA");
	o->max_body_bytes = (size_t)config_get_int(cfg, "ROX_HTTP_MAX_BODY_BYTES");
	o->max_upload_bytes = (size_t)config_get_int(cfg, "ROX_HTTP_MAX_UPLOAD_BYTES");
	o->max_header_bytes = (size_t)config_get_int(cfg, "ROX_HTTP_MAX_HEADER_BYTES");
	o->idle_timeout_s = (unsigned)(config_get_int(cfg, "ROX_HTTP_IDLE_TIMEOUT") / 1000);
	if (!o->insecure_http && (!o->cert_file || !o->cert_file[0] || !o->key_file || !o->key_file[0])) {
		error_set("ROX_TLS_CERT and ROX_TLS_KEY are required (or set ROX_INSECURE_HTTP=true behind a TLS proxy)");
		return ASEC_EINVALID;
	}
	return ASEC_OK;
}

int service_main(const struct service_definition *def, int argc, char **argv)
{
	struct service_context ctx;
	struct config *cfg = NULL;
	struct config_setting *settings = NULL;
	const char *config_file = getenv("ROX_CONFIG_FILE");
	enum log_level level = LOG_LEVEL_INFO;
	char *host = NULL;
	size_t count = 0;
	sigset_t stop_signals;
	int signal_number = 0, exit_code = 1, i, initialised = 0;

	memset(&ctx, 0, sizeof(ctx));
	settings = all_settings(def, &count);
	if (!settings) {
		fprintf(stderr, "%s: out of memory\n", def->name);
		return 1;
	}
	for (i = 0; argc > 1 && (size_t)i < def->command_count; i++)
		if (strcmp(argv[1], def->commands[i].name) == 0) {
			exit_code = run_command(def, &def->commands[i], settings, count, argc - 2, argv + 2);
			goto out;
		}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout, def);
			exit_code = 0;
			goto out;
		} else if (strcmp(argv[i], "--settings") == 0) {
			exit_code = config_write_docs(stdout, def->name, settings, count) ? 1 : 0;
			goto out;
		} else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			config_file = argv[++i];
		} else {
			fprintf(stderr, "%s: unknown argument %s\n", def->name, argv[i]);
			usage(stderr, def);
			exit_code = 2;
			goto out;
		}
	}
	if (config_file && !config_file[0])
		config_file = NULL;
	if (config_load(&cfg, settings, count, config_file, NULL) != ASEC_OK) {
		fprintf(stderr, "%s: invalid settings: %s\n", def->name, error_last());
		goto out;
	}
	ctx.config = cfg;
	log_level_parse(&level, config_get_string(cfg, "ROX_LOG_LEVEL"));
	log_init(def->name, level, NULL);

	if (build_http_options(&ctx, def, &host) != ASEC_OK) {
		log_error("invalid settings: %s", error_last());
		goto out;
	}

	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (def->init && def->init(&ctx) != ASEC_OK) {
		log_error("cannot start: %s", error_last());
		goto out;
	}
	initialised = 1;
	if (http_server_new(&ctx.server, &ctx.http) != ASEC_OK || def->register_routes(ctx.server) != ASEC_OK ||
	    http_server_start(ctx.server) != ASEC_OK) {
		log_error("cannot start the HTTP server: %s", error_last());
		goto out;
	}
	log_event(LOG_LEVEL_INFO, "serving",
		  json_pack("{s:s, s:I, s:s, s:b, s:s}", "address", host && host[0] ? host : "0.0.0.0", "port", (json_int_t)ctx.http.port,
			    "scheme", ctx.http.insecure_http ? "http" : "https", "mutualTLS",
			    ctx.http.client_ca_file && ctx.http.client_ca_file[0], "version", ASEC_VERSION));

	while (sigwait(&stop_signals, &signal_number) != 0)
		;
	log_info("stopping on signal %d", signal_number);
	exit_code = 0;
out:
	if (ctx.server)
		http_server_stop(ctx.server);
	if (initialised && def->shutdown)
		def->shutdown(&ctx);
	http_server_free(ctx.server);
	if (exit_code == 0 && ctx.config)
		log_info("stopped");
	config_free(cfg);
	free(host);
	free(settings);
	return exit_code;
}
