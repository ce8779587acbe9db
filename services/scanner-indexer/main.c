/*
 * main.c - scanner-indexer's wiring: settings, Scanner DB, the indexer and
 * the generated routes.
 */
#include <stdlib.h>

#include "error/error.h"
#include "scanner_indexer.h"
#include "service/service.h"

static const struct config_setting indexer_settings[] = {
	{"ROX_SCANNER_DB_URL", CONFIG_URL, NULL, "Scanner DB (PostgreSQL) connection URL.", 0, 0, NULL, 1},
	{"ROX_SCANNER_DB_POOL_SIZE", CONFIG_INT, "8", "Connections to Scanner DB.", 1, 64, NULL, 0},
	{"ROX_INDEXER_PARALLEL_LAYERS", CONFIG_INT, "2", "Layers downloaded and scanned at once per image.", 1, 16, NULL, 0},
	{"ROX_INDEXER_REGISTRY_TIMEOUT", CONFIG_DURATION_MS, "30s", "Timeout of one registry request (manifest, token).", 1000, 600000, NULL, 0},
	{"ROX_INDEXER_REGISTRY_STALL", CONFIG_DURATION_MS, "60s", "A layer download that delivers nothing for this long fails.", 1000, 3600000, NULL, 0},
	{"ROX_INDEXER_REGISTRY_CA", CONFIG_PATH, "", "Extra PEM CA bundle for registries with a private CA.", 0, 0, NULL, 0},
	{"ROX_INDEXER_MAX_LAYER_BYTES", CONFIG_INT, "17179869184", "Largest uncompressed layer indexed.", 1048576, 1099511627776LL, NULL, 0},
};

static struct indexer_service service_state;

static int readiness(json_t *checks, void *ctx)
{
	struct indexer_service *svc = ctx;
	int rc = db_ping(svc->pool);

	json_object_set_new(checks, "scannerDb", json_string(rc ? "unreachable" : "ok"));
	if (rc)
		error_set("Scanner DB is unreachable");
	return rc;
}

static int indexer_init(struct service_context *ctx)
{
	struct indexer_service *svc = &service_state;
	struct db_pool_options db = {
		.conninfo = config_get_string(ctx->config, "ROX_SCANNER_DB_URL"),
		.application_name = "scanner-indexer",
		.max_connections = (int)config_get_int(ctx->config, "ROX_SCANNER_DB_POOL_SIZE"),
		.acquire_timeout_ms = 10000,
		.connect_timeout_s = 5,
	};
	struct indexer_options ix = {
		.parallel_layers = (unsigned)config_get_int(ctx->config, "ROX_INDEXER_PARALLEL_LAYERS"),
		.registry_timeout_ms = config_get_int(ctx->config, "ROX_INDEXER_REGISTRY_TIMEOUT"),
		.registry_stall_s = (long)(config_get_int(ctx->config, "ROX_INDEXER_REGISTRY_STALL") / 1000),
		.ca_file = config_get_string(ctx->config, "ROX_INDEXER_REGISTRY_CA"),
		.limits = {.max_uncompressed_bytes = (uint64_t)config_get_int(ctx->config, "ROX_INDEXER_MAX_LAYER_BYTES")},
	};
	int rc;

	if ((rc = db_pool_open(&svc->pool, &db)) || (rc = store_index_migrate(svc->pool)))
		return rc;
	ix.pool = svc->pool;
	if (ix.ca_file && !ix.ca_file[0])
		ix.ca_file = NULL;
	if ((rc = indexer_new(&svc->indexer, &ix)))
		return rc;
	ctx->http.readiness = readiness;
	ctx->http.readiness_ctx = svc;
	ctx->state = svc;
	return ASEC_OK;
}

static int indexer_register(struct http_server *server)
{
	http_server_set_context(server, &service_state);
	return scanner_indexer_api_register(server);
}

static void indexer_shutdown(struct service_context *ctx)
{
	indexer_free(service_state.indexer);
	db_pool_close(service_state.pool);
}

static const struct service_definition scanner_indexer_service = {
	.name = "scanner-indexer",
	.summary = "Alauda Security Service scanner-indexer: lists the packages in container images.",
	.default_listen = "0.0.0.0:8444",
	.settings = indexer_settings,
	.setting_count = sizeof(indexer_settings) / sizeof(indexer_settings[0]),
	.init = indexer_init,
	.register_routes = indexer_register,
	.shutdown = indexer_shutdown,
};

int main(int argc, char **argv)
{
	return service_main(&scanner_indexer_service, argc, argv);
}
