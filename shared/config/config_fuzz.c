/*
 * config_fuzz.c - libFuzzer target for the settings file parser.
 *
 * The input is parsed as a file, then validated, then read back through
 * every getter, over a table with one setting of each type that does not
 * touch the filesystem. The same bytes are also split into lines and applied
 * as an environment, which reaches the same validators by the other road.
 * What must hold: no crash, no leak, no read past the buffer, and either
 * success or ASEC_EINVALID with a message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "error/error.h"

static const char *const fuzz_levels[] = { "debug", "info", "warn", "error", NULL };

static const struct config_setting fuzz_settings[] = {
	{ "ROX_LISTEN_ADDRESS", CONFIG_LISTEN_ADDRESS, "0.0.0.0:8443", "Listen address.", 0, 0, NULL, 0 },
	{ "ROX_DB_POOL_SIZE", CONFIG_INT, "10", "Pool size.", 1, 64, NULL, 0 },
	{ "ROX_RETRIES", CONFIG_INT, "3", "Retries.", 0, 0, NULL, 0 },
	{ "ROX_LOG_LEVEL", CONFIG_ENUM, "info", "Log level.", 0, 0, fuzz_levels, 0 },
	{ "ROX_TIMEOUT", CONFIG_DURATION_MS, "30s", "Timeout.", 1, 3600000, NULL, 0 },
	{ "ROX_OFFLINE", CONFIG_BOOL, "false", "Offline.", 0, 0, NULL, 0 },
	{ "ROX_CENTRAL_URL", CONFIG_URL, "", "Central.", 0, 0, NULL, 0 },
	{ "ROX_DB_URL", CONFIG_URL, "", "Database.", 0, 0, NULL, 1 },
	{ "ROX_NAME", CONFIG_STRING, NULL, "Name.", 0, 0, NULL, 0 },
	{ "ROX_PASSWORD", CONFIG_STRING, "", "Password.", 0, 0, NULL, 1 },
};
#define FUZZ_COUNT (sizeof(fuzz_settings) / sizeof(fuzz_settings[0]))
#define FUZZ_ENV_MAX 32

static void read_back(struct config *cfg)
{
	char *host = NULL;
	unsigned port = 0;
	size_t i;
	json_t *d;

	for (i = 0; i < FUZZ_COUNT; i++) {
		const char *s = config_get_string(cfg, fuzz_settings[i].name);

		if (s)
			(void)strlen(s);
		(void)config_get_int(cfg, fuzz_settings[i].name);
		(void)config_get_bool(cfg, fuzz_settings[i].name);
		(void)config_source(cfg, fuzz_settings[i].name);
	}
	if (config_get_listen_address(cfg, "ROX_LISTEN_ADDRESS", &host, &port) == ASEC_OK)
		free(host);
	d = config_describe(cfg);
	json_decref(d);
}

static void check_result(int rc)
{
	if (rc != ASEC_OK && rc != ASEC_EINVALID)
		abort();
	if (rc == ASEC_EINVALID && error_last()[0] == '\0')
		abort();
}

static void as_environment(const uint8_t *data, size_t size)
{
	char *copy, *env[FUZZ_ENV_MAX + 1];
	size_t n = 0, i, start = 0;
	struct config *cfg = NULL;

	copy = malloc(size + 1);
	if (!copy)
		return;
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (i = 0; i <= size && n < FUZZ_ENV_MAX; i++) {
		if (i == size || copy[i] == '\n') {
			copy[i] = '\0';
			env[n++] = copy + start;
			start = i + 1;
		}
	}
	env[n] = NULL;
	if (config_new(&cfg, fuzz_settings, FUZZ_COUNT) == ASEC_OK) {
		int rc = config_apply_env(cfg, env);

		if (rc == ASEC_OK)
			rc = config_validate(cfg);
		check_result(rc);
		if (rc == ASEC_OK)
			read_back(cfg);
	}
	config_free(cfg);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg = NULL;
	int rc;

	error_clear();
	if (config_new(&cfg, fuzz_settings, FUZZ_COUNT) != ASEC_OK)
		abort();
	rc = config_parse_file_buffer(cfg, (const char *)data, size, "fuzz.conf");
	check_result(rc);
	if (rc == ASEC_OK) {
		rc = config_validate(cfg);
		check_result(rc);
		if (rc == ASEC_OK)
			read_back(cfg);
	}
	config_free(cfg);
	as_environment(data, size);
	return 0;
}
