/*
 * main.c - scanner-matcher's wiring: settings, Scanner DB, the data set,
 * the generated routes, and the "import" command.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"
#include "log/log.h"
#include "scanner_matcher.h"
#include "service/service.h"

static const struct config_setting matcher_settings[] = {
	{"ROX_SCANNER_DB_URL", CONFIG_URL, NULL, "Scanner DB (PostgreSQL) connection URL.", 0, 0, NULL, 1},
	{"ROX_SCANNER_DB_POOL_SIZE", CONFIG_INT, "8", "Connections to Scanner DB.", 1, 64, NULL, 0},
	{"ROX_MATCHER_INDEXER_URL", CONFIG_STRING, "https://scanner-v4-indexer:8443",
	 "The indexer, for reports asked for by hash id alone (mutual TLS with this service's certificate).", 0, 0, NULL, 0},
	{"ROX_MATCHER_INDEXER_TIMEOUT", CONFIG_DURATION_MS, "60s", "Timeout of one call to the indexer.", 1000, 600000,
	 NULL, 0},
	{"ROX_MATCHER_INITIAL_DATA", CONFIG_PATH, "",
	 "A bundle, feed file or directory imported at start when Scanner DB holds no vulnerability data yet.", 0, 0, NULL, 0},
	{"ROX_MATCHER_UPDATERS_FILE", CONFIG_PATH, "",
	 "A JSON file of vulnerability sources to keep current online: {\"sources\": [{\"name\", \"url\", \"format\", "
	 "\"interval\", \"incremental\": \"nvd-api\"}]} (see updater.h). Unset: no online updates.", 0, 0, NULL, 0},
	{"ROX_MATCHER_UPDATE_INTERVAL", CONFIG_DURATION_MS, "6h",
	 "How often a source of ROX_MATCHER_UPDATERS_FILE is checked when it names no interval of its own.", 60000,
	 2592000000LL, NULL, 0},
	{"ROX_MATCHER_UPDATE_PROXY", CONFIG_STRING, "",
	 "Proxy URL for online updates (http://, https://, socks5h://). Unset: the environment's http_proxy, "
	 "https_proxy and no_proxy.", 0, 0, NULL, 0},
	{"ROX_MATCHER_UPDATE_CA", CONFIG_PATH, "",
	 "A PEM file of CA certificates trusted for online updates besides the system's.", 0, 0, NULL, 0},
	{"ROX_MATCHER_NVD_API_KEY", CONFIG_STRING, "",
	 "An NVD API key, sent to nvd-api sources (NVD then allows shorter pauses between pages).", 0, 0, NULL, 1},
	{"ROX_MATCHER_RELOAD_INTERVAL", CONFIG_DURATION_MS, "60s",
	 "How often Scanner DB is checked for sources another process changed (the import command, another "
	 "replica); those are reloaded. 0 turns it off.", 0, 86400000, NULL, 0},
};

static struct matcher_service service_state;

static int readiness(json_t *checks, void *ctx)
{
	struct matcher_service *svc = ctx;
	int rc = db_ping(svc->pool);

	json_object_set_new(checks, "scannerDb", json_string(rc ? "unreachable" : "ok"));
	if (rc)
		error_set("Scanner DB is unreachable");
	return rc;
}

static int open_store(struct matcher_service *svc, const struct config *cfg)
{
	struct db_pool_options db = {
		.conninfo = config_get_string(cfg, "ROX_SCANNER_DB_URL"),
		.application_name = "scanner-matcher",
		.max_connections = (int)config_get_int(cfg, "ROX_SCANNER_DB_POOL_SIZE"),
		.acquire_timeout_ms = 10000,
		.connect_timeout_s = 5,
	};
	int rc;

	if ((rc = db_pool_open(&svc->pool, &db)) || (rc = store_vulns_migrate(svc->pool)) ||
	    (rc = vulndata_holder_new(&svc->data)))
		return rc;
	pthread_mutex_init(&svc->import_lock, NULL);
	return ASEC_OK;
}

static void close_store(struct matcher_service *svc)
{
	vulndata_holder_free(svc->data);
	db_pool_close(svc->pool);
	svc->data = NULL;
	svc->pool = NULL;
}

static int import_paths(json_t **result, struct matcher_service *svc, char **paths, int count, const char *source)
{
	struct import_batch *batch = NULL;
	int i, rc;

	if ((rc = import_batch_new(&batch)))
		return rc;
	for (i = 0; i < count && !rc; i++)
		rc = import_add_path(batch, paths[i], source);
	if (!rc)
		rc = import_commit(result, batch, svc->pool, svc->data);
	import_batch_free(batch);
	return rc;
}

static int matcher_init(struct service_context *ctx)
{
	struct matcher_service *svc = &service_state;
	const char *initial = config_get_string(ctx->config, "ROX_MATCHER_INITIAL_DATA");
	struct updater_options updates = {
		.sources_file = config_get_string(ctx->config, "ROX_MATCHER_UPDATERS_FILE"),
		.interval_ms = config_get_int(ctx->config, "ROX_MATCHER_UPDATE_INTERVAL"),
		.reload_interval_ms = config_get_int(ctx->config, "ROX_MATCHER_RELOAD_INTERVAL"),
		.proxy = config_get_string(ctx->config, "ROX_MATCHER_UPDATE_PROXY"),
		.ca_file = config_get_string(ctx->config, "ROX_MATCHER_UPDATE_CA"),
		.nvd_api_key = config_get_string(ctx->config, "ROX_MATCHER_NVD_API_KEY"),
	};
	struct httpclient_options http;
	struct vulndata *data;
	size_t records = 0;
	int rc;

	/* the updater notes the stored versions before the store is loaded (updater.h) */
	if ((rc = open_store(svc, ctx->config)) ||
	    (rc = updater_new(&svc->updater, &updates, svc->pool, svc->data, &svc->import_lock)) ||
	    (rc = import_load_store(&records, svc->pool, svc->data)))
		return rc;
	data = vulndata_holder_get(svc->data);
	log_info("loaded %zu vulnerability records of %zu sources", records, vulndata_source_count(data));
	if (vulndata_source_count(data) == 0 && initial && initial[0]) {
		char *paths[1] = {(char *)initial};
		json_t *result = NULL;
		if ((rc = import_paths(&result, svc, paths, 1, NULL))) {
			vulndata_unref(data);
			error_prefix("importing ROX_MATCHER_INITIAL_DATA %s", initial);
			return rc;
		}
		log_info("imported the initial data %s: %lld records", initial,
			 (long long)json_integer_value(json_object_get(result, "accepted")));
		updater_note_import(svc->updater, result);
		json_decref(result);
	}
	vulndata_unref(data);

	httpclient_options_init(&http);
	http.ca_file = config_get_string(ctx->config, "ROX_TLS_CA");
	http.cert_file = config_get_string(ctx->config, "ROX_TLS_CERT");
	http.key_file = config_get_string(ctx->config, "ROX_TLS_KEY");
	if (http.ca_file && !http.ca_file[0])
		http.ca_file = NULL;
	if (!http.cert_file || !http.cert_file[0] || !http.key_file || !http.key_file[0])
		http.cert_file = http.key_file = NULL;
	http.total_timeout_ms = config_get_int(ctx->config, "ROX_MATCHER_INDEXER_TIMEOUT");
	if ((rc = httpclient_new(&svc->indexer, &http)))
		return rc;
	svc->indexer_url = config_get_string(ctx->config, "ROX_MATCHER_INDEXER_URL");
	ctx->http.readiness = readiness;
	ctx->http.readiness_ctx = svc;
	ctx->state = svc;
	if ((rc = updater_start(svc->updater)))
		return rc;
	log_info("online updates: %zu sources", updater_source_count(svc->updater));
	return ASEC_OK;
}

static int matcher_register(struct http_server *server)
{
	http_server_set_context(server, &service_state);
	return scanner_matcher_api_register(server);
}

static void matcher_shutdown(struct service_context *ctx)
{
	/* first: its threads use the store and the index */
	updater_free(service_state.updater);
	service_state.updater = NULL;
	httpclient_free(service_state.indexer);
	close_store(&service_state);
}

/* scanner-matcher import [--source NAME] FILE|DIR...: the same import as
 * POST /v4/vulnerability-bundles, straight into Scanner DB. Running
 * matchers pick the changed sources up within ROX_MATCHER_RELOAD_INTERVAL. */
static int import_command(const struct config *cfg, int argc, char **argv)
{
	struct matcher_service svc = {0};
	const char *source = NULL;
	json_t *result = NULL;
	char *text;
	int first = 0, rc;

	if (argc >= 2 && strcmp(argv[0], "--source") == 0) {
		source = argv[1];
		first = 2;
	}
	if (first >= argc) {
		fprintf(stderr, "usage: scanner-matcher import [--source NAME] FILE|DIR...\n");
		return 2;
	}
	if ((rc = open_store(&svc, cfg)) == ASEC_OK)
		rc = import_paths(&result, &svc, argv + first, argc - first, source);
	if (rc) {
		fprintf(stderr, "scanner-matcher import: %s\n", error_last());
		close_store(&svc);
		return 1;
	}
	text = json_dumps(result, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	printf("%s\n", text ? text : "{}");
	free(text);
	json_decref(result);
	close_store(&svc);
	return 0;
}

static const struct service_command matcher_commands[] = {
	{"import", "[--source NAME] FILE|DIR...",
	 "import vulnerability data (bundle, archive, feed file or directory) into Scanner DB and print the outcome",
	 import_command},
};

static const struct service_definition scanner_matcher_service = {
	.name = "scanner-matcher",
	.summary = "Alauda Security Service scanner-matcher: matches packages against vulnerability data.",
	.default_listen = "0.0.0.0:8445",
	.settings = matcher_settings,
	.setting_count = sizeof(matcher_settings) / sizeof(matcher_settings[0]),
	.init = matcher_init,
	.register_routes = matcher_register,
	.shutdown = matcher_shutdown,
	.commands = matcher_commands,
	.command_count = sizeof(matcher_commands) / sizeof(matcher_commands[0]),
};

int main(int argc, char **argv)
{
	return service_main(&scanner_matcher_service, argc, argv);
}
