/*
 * main.c - central's wiring: its settings, Central DB, the admin password,
 * the token and secrets keys, the image scanner, the authenticator and the
 * generated routes.
 *
 * The admin password is never stored or logged in clear: ROX_ADMIN_PASSWORD,
 * when set, is hashed into Central DB at every start (so changing it and
 * restarting changes it). When it is unset and no hash is stored yet, a
 * random one is generated, its hash stored, and the password itself written
 * once, 0600, to ROX_ADMIN_PASSWORD_FILE, where the operator (or
 * scripts/dev.sh) reads it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "central.h"
#include "error/error.h"
#include "http/site.h"
#include "log/log.h"
#include "service/service.h"
#include "default_policies.h"
#include "policy_set.h"
#include "store_alerts.h"
#include "store_auth.h"
#include "store_images.h"
#include "store_integrations.h"
#include "store_policies.h"

static const struct config_setting central_settings[] = {
	{"ROX_CENTRAL_DB_URL", CONFIG_URL, NULL, "Central DB (PostgreSQL) connection URL.", 0, 0, NULL, 1},
	{"ROX_CENTRAL_DB_POOL_SIZE", CONFIG_INT, "8", "Connections to Central DB.", 1, 64, NULL, 0},
	{"ROX_CENTRAL_DATA_DIR", CONFIG_STRING, "/var/lib/asec/central",
	 "Central's own files: the token signing key and the generated admin password, unless set apart.", 0, 0, NULL,
	 0},
	{"ROX_ADMIN_PASSWORD", CONFIG_STRING, "",
	 "The admin user's password for HTTP basic. Unset: the stored one, or a generated one at first start.", 0, 0,
	 NULL, 1},
	{"ROX_ADMIN_PASSWORD_FILE", CONFIG_PATH, "",
	 "Where a generated admin password is written once (mode 0600). Unset: <ROX_CENTRAL_DATA_DIR>/admin-password.",
	 0, 0, NULL, 0},
	{"ROX_JWT_KEY_FILE", CONFIG_PATH, "",
	 "The 32-byte key API tokens are signed with, created (0600) when missing. Unset: "
	 "<ROX_CENTRAL_DATA_DIR>/jwt-key.",
	 0, 0, NULL, 0},
	{"ROX_CENTRAL_SECRETS_KEY_FILE", CONFIG_PATH, "",
	 "The 32-byte key registry passwords are encrypted with in Central DB, created (0600) when missing. Keep it "
	 "with the installation's secrets, apart from database backups. Unset: <ROX_CENTRAL_DATA_DIR>/secrets-key.",
	 0, 0, NULL, 0},
	{"ROX_CENTRAL_INDEXER_URL", CONFIG_STRING, "https://scanner-v4-indexer:8443",
	 "The scanner indexer (mutual TLS with central's certificate, ROX_TLS_CERT and ROX_TLS_KEY).", 0, 0, NULL, 0},
	{"ROX_CENTRAL_MATCHER_URL", CONFIG_STRING, "https://scanner-v4-matcher:8443",
	 "The scanner matcher (mutual TLS, as for the indexer).", 0, 0, NULL, 0},
	{"ROX_CENTRAL_SCAN_TIMEOUT", CONFIG_DURATION_MS, "10m",
	 "Longest wait for the indexer to pull and index one image.", 1000, 3600000, NULL, 0},
	{"ROX_CENTRAL_MATCH_TIMEOUT", CONFIG_DURATION_MS, "2m", "Longest wait for one call to the matcher.", 1000,
	 3600000, NULL, 0},
	{"ROX_CENTRAL_PORTAL_DIR", CONFIG_STRING, "/usr/share/asec/portal",
	 "The built portal (index.html, assets/) served at /; reloaded when index.html changes. Empty: the API only.",
	 0, 0, NULL, 0},
	{"ROX_CENTRAL_SESSION_TIMEOUT", CONFIG_DURATION_MS, "12h",
	 "Longest life of a portal login session (1m to 168h); one opened with an API token also ends with the token.",
	 60000, 7LL * 24 * 3600 * 1000, NULL, 0},
};

static struct central central_state;
/* The portal's files, loaded by central_init and handed to the server by
 * central_register (which then owns them). */
static struct http_site *central_portal;

static int readiness(json_t *checks, void *ctx)
{
	struct central *c = ctx;
	int rc = db_ping(c->pool);

	json_object_set_new(checks, "centralDb", json_string(rc ? "unreachable" : "ok"));
	if (rc)
		error_set("Central DB is unreachable");
	return rc;
}

/* dir/name, or the setting's value when given. */
static int setting_path(char **out, const struct config *cfg, const char *name, const char *file)
{
	const char *value = config_get_string(cfg, name);

	if (value && value[0])
		*out = strdup(value);
	else if (asprintf(out, "%s/%s", config_get_string(cfg, "ROX_CENTRAL_DATA_DIR"), file) < 0)
		*out = NULL;
	if (!*out) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	return ASEC_OK;
}

/* Replaces path with text atomically, readable by the owner only. */
static int secret_file_write(const char *path, const char *text)
{
	char *tmp = NULL;
	size_t len = strlen(text);
	int fd = -1, rc = ASEC_OK;

	if (asprintf(&tmp, "%s.XXXXXX", path) < 0) {
		tmp = NULL;
		rc = ASEC_ENOMEM;
		goto out;
	}
	if ((fd = mkstemp(tmp)) < 0 || fchmod(fd, 0600) || write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1 ||
	    fsync(fd)) {
		error_set("writing %s: %s", tmp, strerror(errno));
		rc = ASEC_EIO;
		goto out;
	}
	if (close(fd)) {
		fd = -1;
		error_set("writing %s: %s", tmp, strerror(errno));
		rc = ASEC_EIO;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path)) {
		error_set("renaming %s to %s: %s", tmp, path, strerror(errno));
		rc = ASEC_EIO;
	}
out:
	if (fd >= 0)
		close(fd);
	if (rc && tmp)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* Makes Central DB hold the admin password's hash (see the top comment). */
static int admin_password_setup(struct central *c, const struct config *cfg)
{
	const char *given = config_get_string(cfg, "ROX_ADMIN_PASSWORD");
	char generated[AUTH_PASSWORD_GENERATED_LEN + 1];
	char *hash = NULL, *path = NULL;
	int rc, created = 0;

	rc = store_auth_admin_hash_get(&c->admin_hash, c->pool);
	if (rc && rc != ASEC_ENOTFOUND)
		goto out;
	if (given && given[0]) {
		if (c->admin_hash && auth_password_verify(given, c->admin_hash) == ASEC_OK)
			goto out;
		if ((rc = auth_password_hash(&hash, given)) || (rc = store_auth_admin_hash_set(c->pool, hash)))
			goto out;
		log_info("admin password set from ROX_ADMIN_PASSWORD");
	} else if (!c->admin_hash) {
		if ((rc = auth_password_generate(generated, sizeof(generated))) ||
		    (rc = auth_password_hash(&hash, generated)) ||
		    (rc = store_auth_admin_hash_create(&created, c->pool, hash)))
			goto out;
		if (created) {
			if ((rc = setting_path(&path, cfg, "ROX_ADMIN_PASSWORD_FILE", "admin-password")) ||
			    (rc = secret_file_write(path, generated))) {
				error_prefix("storing the generated admin password");
				goto out;
			}
			log_info("generated an admin password; it is in %s", path);
		}
		/* another replica may have won the race: read what is stored */
		free(hash);
		hash = NULL;
		rc = store_auth_admin_hash_get(&hash, c->pool);
		goto out;
	} else {
		goto out;
	}
out:
	explicit_bzero(generated, sizeof(generated));
	if (rc == ASEC_OK && hash) {
		free(c->admin_hash);
		c->admin_hash = hash;
		hash = NULL;
	}
	free(hash);
	free(path);
	return rc;
}

static int central_init(struct service_context *ctx)
{
	struct central *c = &central_state;
	struct db_pool_options db = {
		.conninfo = config_get_string(ctx->config, "ROX_CENTRAL_DB_URL"),
		.application_name = "central",
		.max_connections = (int)config_get_int(ctx->config, "ROX_CENTRAL_DB_POOL_SIZE"),
		.acquire_timeout_ms = 10000,
		.connect_timeout_s = 5,
	};
	struct image_scanner_options scan = {
		.indexer_url = config_get_string(ctx->config, "ROX_CENTRAL_INDEXER_URL"),
		.matcher_url = config_get_string(ctx->config, "ROX_CENTRAL_MATCHER_URL"),
		.cert_file = config_get_string(ctx->config, "ROX_TLS_CERT"),
		.key_file = config_get_string(ctx->config, "ROX_TLS_KEY"),
		.ca_file = config_get_string(ctx->config, "ROX_TLS_CA"),
		.timeout_ms = config_get_int(ctx->config, "ROX_CENTRAL_SCAN_TIMEOUT"),
		.matcher_timeout_ms = config_get_int(ctx->config, "ROX_CENTRAL_MATCH_TIMEOUT"),
		.secrets = &c->secrets,
	};
	char *key_path = NULL, *secrets_path = NULL;
	const char *portal;
	int rc;

	c->session_timeout_s = config_get_int(ctx->config, "ROX_CENTRAL_SESSION_TIMEOUT") / 1000;
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->check_lock, NULL);
	pthread_cond_init(&c->check_cond, NULL);
	if ((rc = db_pool_open(&c->pool, &db)) || (rc = store_auth_migrate(c->pool)) ||
	    (rc = store_images_migrate(c->pool)) || (rc = store_integrations_migrate(c->pool)) ||
	    (rc = store_alerts_migrate(c->pool)) || (rc = store_policies_migrate(c->pool)) ||
	    (rc = default_policies_load(NULL, c->pool)) || (rc = policy_set_init(c)) ||
	    (rc = auth_cache_new(&c->cache, 256, 300)) || (rc = admin_password_setup(c, ctx->config)) ||
	    (rc = setting_path(&key_path, ctx->config, "ROX_JWT_KEY_FILE", "jwt-key")) ||
	    (rc = setting_path(&secrets_path, ctx->config, "ROX_CENTRAL_SECRETS_KEY_FILE", "secrets-key")))
		goto out;
	if ((rc = auth_key_load_or_create(&c->key, key_path))) {
		error_prefix("ROX_JWT_KEY_FILE %s", key_path);
		goto out;
	}
	if ((rc = secretbox_key_load_or_create(&c->secrets, secrets_path))) {
		error_prefix("ROX_CENTRAL_SECRETS_KEY_FILE %s", secrets_path);
		goto out;
	}
	/* central's server certificate is also its client identity */
	if (scan.ca_file && !scan.ca_file[0])
		scan.ca_file = NULL;
	if (!scan.cert_file || !scan.cert_file[0] || !scan.key_file || !scan.key_file[0])
		scan.cert_file = scan.key_file = NULL;
	scan.pool = c->pool;
	if ((rc = image_scanner_new(&c->scanner, &scan)))
		goto out;
	portal = config_get_string(ctx->config, "ROX_CENTRAL_PORTAL_DIR");
	if (portal && portal[0] && http_site_load(&central_portal, portal) != ASEC_OK)
		log_warn("serving the API without the portal: ROX_CENTRAL_PORTAL_DIR %s: %s", portal, error_last());
	ctx->http.readiness = readiness;
	ctx->http.readiness_ctx = c;
	ctx->http.authenticate = central_authenticate;
	ctx->http.auth_ctx = c;
	ctx->state = c;
out:
	free(key_path);
	free(secrets_path);
	return rc;
}

static int central_register(struct http_server *server)
{
	size_t count;
	const struct http_operation *const *ops = central_api_operations(&count);
	int rc;

	if ((rc = central_roles_validate(ops, count)))
		return rc;
	http_server_set_context(server, &central_state);
	http_server_set_site(server, central_portal);
	central_portal = NULL;
	return central_api_register(server);
}

static void central_shutdown(struct service_context *ctx)
{
	struct central *c = &central_state;

	(void)ctx;
	http_site_free(central_portal); /* a start that failed before central_register */
	central_portal = NULL;
	image_scanner_free(c->scanner);
	c->scanner = NULL;
	policy_set_shutdown(c);
	auth_cache_free(c->cache);
	auth_key_wipe(&c->key);
	secretbox_key_wipe(&c->secrets);
	db_pool_close(c->pool);
	free(c->admin_hash);
	c->cache = NULL;
	c->pool = NULL;
	c->admin_hash = NULL;
}

static const struct service_definition central_service = {
	.name = "central",
	.summary = "Alauda Security Service central: the REST API and portal of an installation.",
	.default_listen = "0.0.0.0:8443",
	.settings = central_settings,
	.setting_count = sizeof(central_settings) / sizeof(central_settings[0]),
	.init = central_init,
	.register_routes = central_register,
	.shutdown = central_shutdown,
};

int main(int argc, char **argv)
{
	return service_main(&central_service, argc, argv);
}
