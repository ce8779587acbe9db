/*
 * registry.c - the registry client: manifests, configs and blobs over the OCI
 * Distribution API, with anonymous, basic and bearer-token auth.
 *
 * Every request goes through reg_request(): it sends what the client already
 * knows about the registry's auth (nothing, Basic, or a cached bearer token),
 * and on a 401 learns from the WWW-Authenticate challenge - Basic, or Bearer
 * with a realm to get a token from - and tries exactly once more. What it
 * learnt is kept per API host, and tokens per (host, scope) until they
 * expire, so an image's manifest, config and dozens of layers cost one token
 * request, not one each. Both tables are small arrays under one mutex: a
 * client talks to a handful of registries, and a linear scan of a few dozen
 * entries is cheaper than any hash.
 *
 * Two httpclients do the transfers: one with a total timeout for the small
 * JSON documents and tokens, and one for blobs, which may be gigabytes and
 * are bounded by the stall abort (and an optional total) instead. Both follow
 * redirects through httpclient, which drops Authorization when a redirect
 * leaves the registry's host - blob storage never sees registry credentials.
 *
 * Credentials are the secret here: they are sent only to the registry they
 * were configured for and to the token realm that registry names, over HTTPS
 * unless the client was made insecure, and they never reach an error message
 * or a log line (messages carry redacted URLs and the registry's error codes,
 * themselves redacted).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "error/error.h"
#include "log/log.h"
#include "registry/registry.h"
#include "registry/registry_int.h"

#define REG_ACCEPT                                                                                         \
	"Accept: " REGISTRY_MT_OCI_INDEX ", " REGISTRY_MT_OCI_MANIFEST ", " REGISTRY_MT_DOCKER_LIST ", "   \
	REGISTRY_MT_DOCKER_MANIFEST

#define REG_DEFAULT_TIMEOUT_MS 60000L
#define REG_TOKEN_CACHE_MAX 64
#define REG_HOSTS_MAX 32
#define REG_CREDENTIAL_MAX 4096
#define REG_TOKEN_MAX 7900         /* the header line must stay under httpclient's 8 KiB */
#define REG_TOKEN_BODY_MAX (1 << 20)
#define REG_TOKEN_DEFAULT_TTL_S 60 /* the token spec's default for a missing expires_in */
#define REG_TOKEN_MAX_TTL_S 86400
#define REG_REALM_MAX 2048
#define REG_PARAM_MAX 1024 /* a challenge's service or scope */

enum reg_auth_scheme { REG_AUTH_UNKNOWN, REG_AUTH_BASIC, REG_AUTH_BEARER };

struct reg_host {
	char *host;
	enum reg_auth_scheme scheme;
	char *realm;   /* bearer */
	char *service; /* bearer, may be NULL */
};

struct reg_token {
	char *host;
	char *scope;
	char *token;
	long long expires_ms; /* monotonic */
};

struct registry_client {
	struct httpclient *api;
	struct httpclient *blobs;
	char *cred_domain;
	char *username;
	char *password;
	int insecure;
	uint64_t max_blob;
	pthread_mutex_t lock;
	struct reg_host hosts[REG_HOSTS_MAX];
	size_t host_count;
	struct reg_token tokens[REG_TOKEN_CACHE_MAX];
	size_t token_count;
};

static long long reg_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void reg_free_secret(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* ---- small encoders ---- */

static char *reg_base64(const char *in, size_t len)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc((len + 2) / 3 * 4 + 1);
	size_t o = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned char)in[i] << 16;

		if (i + 1 < len)
			v |= (unsigned char)in[i + 1] << 8;
		if (i + 2 < len)
			v |= (unsigned char)in[i + 2];
		out[o++] = tbl[(v >> 18) & 63];
		out[o++] = tbl[(v >> 12) & 63];
		out[o++] = i + 1 < len ? tbl[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? tbl[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

/* Appends s percent-encoded (everything but RFC 3986 unreserved) to buf. */
static int reg_append_escaped(char **buf, size_t *len, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t need = strlen(s) * 3 + 1;
	char *grown = realloc(*buf, *len + need);

	if (!grown)
		return ASEC_ENOMEM;
	*buf = grown;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
		    c == '.' || c == '_' || c == '~') {
			(*buf)[(*len)++] = (char)c;
		} else {
			(*buf)[(*len)++] = '%';
			(*buf)[(*len)++] = hex[c >> 4];
			(*buf)[(*len)++] = hex[c & 15];
		}
	}
	(*buf)[*len] = '\0';
	return ASEC_OK;
}

/* Printable ASCII only, at most max bytes: for text from a server. */
static void reg_sanitize(char *dst, size_t size, const char *src, size_t max)
{
	size_t i;

	if (size == 0)
		return;
	for (i = 0; i + 1 < size && i < max && src[i]; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
	dst[i] = '\0';
}

/* ---- client ---- */

void registry_client_free(struct registry_client *c)
{
	if (!c)
		return;
	httpclient_free(c->api);
	httpclient_free(c->blobs);
	free(c->cred_domain);
	reg_free_secret(c->username);
	reg_free_secret(c->password);
	for (size_t i = 0; i < c->host_count; i++) {
		free(c->hosts[i].host);
		free(c->hosts[i].realm);
		free(c->hosts[i].service);
	}
	for (size_t i = 0; i < c->token_count; i++) {
		free(c->tokens[i].host);
		free(c->tokens[i].scope);
		reg_free_secret(c->tokens[i].token);
	}
	pthread_mutex_destroy(&c->lock);
	free(c);
}

int registry_client_new(struct registry_client **out, const struct registry_options *opts)
{
	struct registry_client *c;
	struct httpclient_options o;
	int rc;

	*out = NULL;
	if ((opts->username || opts->password) && !(opts->username && opts->password)) {
		error_set("registry credentials need both a username and a password");
		return ASEC_EINVALID;
	}
	if (opts->username) {
		if (!opts->registry || !opts->registry[0]) {
			error_set("registry credentials need the registry they belong to");
			return ASEC_EINVALID;
		}
		if (strchr(opts->username, ':') || strlen(opts->username) > REG_CREDENTIAL_MAX ||
		    strlen(opts->password) > REG_CREDENTIAL_MAX) {
			error_set("registry username must not contain ':' and credentials must be under %d bytes",
				  REG_CREDENTIAL_MAX);
			return ASEC_EINVALID;
		}
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		error_set("cannot create a mutex");
		return ASEC_ERROR;
	}
	c->insecure = opts->insecure;
	c->max_blob = opts->max_blob_bytes ? opts->max_blob_bytes : REGISTRY_DEFAULT_MAX_BLOB;
	if (opts->username) {
		rc = registry_domain_normalize(&c->cred_domain, opts->registry);
		if (rc != ASEC_OK) {
			error_prefix("registry credentials");
			goto fail;
		}
		c->username = strdup(opts->username);
		c->password = strdup(opts->password);
		if (!c->username || !c->password) {
			error_set("out of memory");
			rc = ASEC_ENOMEM;
			goto fail;
		}
	}

	if (opts->http) {
		o = *opts->http;
	} else {
		httpclient_options_init(&o);
		o.total_timeout_ms = REG_DEFAULT_TIMEOUT_MS;
	}
	if (opts->ca_file)
		o.ca_file = opts->ca_file;
	if (opts->skip_tls_verify)
		o.insecure_skip_verify = 1;
	o.max_body_bytes = REGISTRY_CONFIG_MAX;
	rc = httpclient_new(&c->api, &o);
	if (rc != ASEC_OK)
		goto fail;
	o.total_timeout_ms = opts->blob_timeout_ms;
	o.max_body_bytes = (size_t)c->max_blob;
	rc = httpclient_new(&c->blobs, &o);
	if (rc != ASEC_OK)
		goto fail;
	*out = c;
	return ASEC_OK;
fail:
	registry_client_free(c);
	return rc;
}

/* ---- auth state (all under c->lock) ---- */

static struct reg_host *reg_host_find(struct registry_client *c, const char *host)
{
	for (size_t i = 0; i < c->host_count; i++)
		if (strcmp(c->hosts[i].host, host) == 0)
			return &c->hosts[i];
	return NULL;
}

/* Records what a challenge taught about host. */
static int reg_host_learn(struct registry_client *c, const char *host, enum reg_auth_scheme scheme,
			  const char *realm, const char *service)
{
	struct reg_host *h;
	char *hcopy = NULL, *rcopy = NULL, *scopy = NULL;
	int rc = ASEC_OK;

	pthread_mutex_lock(&c->lock);
	h = reg_host_find(c, host);
	if (!h) {
		if (c->host_count == REG_HOSTS_MAX) {
			/* Forgetting is harmless: the next request learns again. */
			struct reg_host *old = &c->hosts[0];

			free(old->host);
			free(old->realm);
			free(old->service);
			memmove(&c->hosts[0], &c->hosts[1], (REG_HOSTS_MAX - 1) * sizeof(c->hosts[0]));
			c->host_count--;
		}
		hcopy = strdup(host);
		if (!hcopy)
			goto nomem;
		h = &c->hosts[c->host_count++];
		memset(h, 0, sizeof(*h));
		h->host = hcopy;
	}
	if (realm && !(rcopy = strdup(realm)))
		goto nomem;
	if (service && !(scopy = strdup(service)))
		goto nomem;
	free(h->realm);
	free(h->service);
	h->scheme = scheme;
	h->realm = rcopy;
	h->service = scopy;
	goto out;
nomem:
	free(rcopy);
	free(scopy);
	error_set("out of memory");
	rc = ASEC_ENOMEM;
out:
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* Copies out what is known about host: the scheme, and a bearer realm. */
static int reg_host_get(struct registry_client *c, const char *host, enum reg_auth_scheme *scheme, char **realm,
			char **service)
{
	struct reg_host *h;
	int rc = ASEC_OK;

	*scheme = REG_AUTH_UNKNOWN;
	*realm = *service = NULL;
	pthread_mutex_lock(&c->lock);
	h = reg_host_find(c, host);
	if (h) {
		*scheme = h->scheme;
		if (h->realm && !(*realm = strdup(h->realm)))
			rc = ASEC_ENOMEM;
		if (h->service && !(*service = strdup(h->service)))
			rc = ASEC_ENOMEM;
	}
	pthread_mutex_unlock(&c->lock);
	if (rc != ASEC_OK) {
		free(*realm);
		free(*service);
		*realm = *service = NULL;
		error_set("out of memory");
	}
	return rc;
}

static struct reg_token *reg_token_find(struct registry_client *c, const char *host, const char *scope)
{
	for (size_t i = 0; i < c->token_count; i++)
		if (strcmp(c->tokens[i].host, host) == 0 && strcmp(c->tokens[i].scope, scope) == 0)
			return &c->tokens[i];
	return NULL;
}

static void reg_token_drop(struct registry_client *c, struct reg_token *t)
{
	size_t i = (size_t)(t - c->tokens);

	free(t->host);
	free(t->scope);
	reg_free_secret(t->token);
	memmove(&c->tokens[i], &c->tokens[i + 1], (c->token_count - i - 1) * sizeof(*t));
	c->token_count--;
}

/* A copy of the unexpired token for (host, scope), or NULL. */
static char *reg_token_get(struct registry_client *c, const char *host, const char *scope)
{
	struct reg_token *t;
	char *copy = NULL;

	pthread_mutex_lock(&c->lock);
	t = reg_token_find(c, host, scope);
	if (t) {
		if (t->expires_ms > reg_now_ms())
			copy = strdup(t->token);
		else
			reg_token_drop(c, t);
	}
	pthread_mutex_unlock(&c->lock);
	return copy;
}

static void reg_token_forget(struct registry_client *c, const char *host, const char *scope)
{
	struct reg_token *t;

	pthread_mutex_lock(&c->lock);
	t = reg_token_find(c, host, scope);
	if (t)
		reg_token_drop(c, t);
	pthread_mutex_unlock(&c->lock);
}

static void reg_token_put(struct registry_client *c, const char *host, const char *scope, const char *token,
			  long long expires_ms)
{
	struct reg_token *t;
	char *h = strdup(host), *s = strdup(scope), *tok = strdup(token);

	if (!h || !s || !tok) {
		/* Not caching only costs another token request later. */
		free(h);
		free(s);
		reg_free_secret(tok);
		return;
	}
	pthread_mutex_lock(&c->lock);
	t = reg_token_find(c, host, scope);
	if (t) {
		reg_token_drop(c, t);
	} else if (c->token_count == REG_TOKEN_CACHE_MAX) {
		struct reg_token *soonest = &c->tokens[0];

		for (size_t i = 1; i < c->token_count; i++)
			if (c->tokens[i].expires_ms < soonest->expires_ms)
				soonest = &c->tokens[i];
		reg_token_drop(c, soonest);
	}
	t = &c->tokens[c->token_count++];
	t->host = h;
	t->scope = s;
	t->token = tok;
	t->expires_ms = expires_ms;
	pthread_mutex_unlock(&c->lock);
}

/* ---- requests ---- */

/* Whether ref's registry may see the client's credentials. */
static int reg_creds_for(const struct registry_client *c, const struct registry_ref *ref, int plain_http)
{
	if (!c->username || strcmp(ref->domain, c->cred_domain) != 0)
		return 0;
	return !plain_http || c->insecure;
}

static int reg_plain_http(const struct registry_client *c, const struct registry_ref *ref)
{
	return ref->scheme == REGISTRY_SCHEME_HTTP || (ref->scheme == REGISTRY_SCHEME_DEFAULT && c->insecure);
}

/* "<scheme>://<api host>/v2/<repository>/<kind>/<reference>" */
static int reg_url(char **out, const struct registry_client *c, const struct registry_ref *ref, const char *kind,
		   const char *reference)
{
	*out = NULL;
	if (ref->scheme == REGISTRY_SCHEME_HTTP && !c->insecure) {
		error_set("the reference asks for plain http://, which is refused unless the registry is marked "
			  "insecure");
		return ASEC_EINVALID;
	}
	if (asprintf(out, "%s://%s/v2/%s/%s/%s", reg_plain_http(c, ref) ? "http" : "https",
		     registry_ref_api_host(ref), ref->repository, kind, reference) < 0) {
		*out = NULL;
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	return ASEC_OK;
}

static char *reg_basic_header(const struct registry_client *c)
{
	char *pair = NULL, *b64 = NULL, *line = NULL;

	if (asprintf(&pair, "%s:%s", c->username, c->password) < 0)
		return NULL;
	b64 = reg_base64(pair, strlen(pair));
	if (b64 && asprintf(&line, "Authorization: Basic %s", b64) < 0)
		line = NULL;
	reg_free_secret(pair);
	reg_free_secret(b64);
	return line;
}

/* " (CODE: message)" from a registry error body, sanitised and redacted. */
static void reg_error_detail(char *out, size_t size, const struct httpclient_response *resp)
{
	json_t *root, *first;
	const char *code = NULL, *message = NULL;
	char scode[65], smsg[201], raw[300];
	char *redacted;

	out[0] = '\0';
	if (!resp->body || resp->body_len == 0)
		return;
	root = json_loadb(resp->body, resp->body_len, 0, NULL);
	first = json_array_get(json_object_get(root, "errors"), 0);
	code = json_string_value(json_object_get(first, "code"));
	message = json_string_value(json_object_get(first, "message"));
	if (code || message) {
		reg_sanitize(scode, sizeof(scode), code ? code : "", 64);
		reg_sanitize(smsg, sizeof(smsg), message ? message : "", 200);
		snprintf(raw, sizeof(raw), " (%s%s%s)", scode, code && message ? ": " : "", smsg);
		redacted = log_redact_text(raw);
		snprintf(out, size, "%s", redacted ? redacted : "");
		free(redacted);
	}
	json_decref(root);
}

/* The one error message for a registry answer that is not the expected 200. */
static int reg_status_error(const struct httpclient_response *resp, const char *what, const char *url)
{
	char detail[320];
	char *safe = NULL;
	int rc;

	reg_error_detail(detail, sizeof(detail), resp);
	httpclient_url_redact(&safe, url);
	switch (resp->status) {
	case 401:
	case 403:
		rc = ASEC_EAUTH;
		error_set("GET %s: the registry refused access to the %s (%ld%s)%s", safe ? safe : "?", what,
			  resp->status, resp->status == 401 ? " Unauthorized" : " Forbidden", detail);
		break;
	case 404:
		rc = ASEC_ENOTFOUND;
		error_set("GET %s: %s not found (404)%s", safe ? safe : "?", what, detail);
		break;
	case 429:
		rc = ASEC_EIO;
		error_set("GET %s: rate limited by the registry (429) after %d attempts%s", safe ? safe : "?",
			  resp->attempts, detail);
		break;
	default:
		rc = ASEC_EIO;
		error_set("GET %s: the registry answered %ld for the %s%s%s", safe ? safe : "?", resp->status, what,
			  resp->attempts > 1 ? " (after retries)" : "", detail);
		break;
	}
	free(safe);
	return rc;
}

/* Checks a realm before anything is sent to it. */
static int reg_realm_check(const struct registry_client *c, const char *realm)
{
	size_t len = strlen(realm);

	if (len == 0 || len > REG_REALM_MAX) {
		error_set("the registry's token realm is empty or longer than %d bytes", REG_REALM_MAX);
		return ASEC_EINVALID;
	}
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)realm[i] <= ' ' || (unsigned char)realm[i] >= 0x7f) {
			error_set("the registry's token realm holds a space or control character");
			return ASEC_EINVALID;
		}
	}
	if (strncasecmp(realm, "https://", 8) == 0)
		return ASEC_OK;
	if (strncasecmp(realm, "http://", 7) == 0) {
		if (c->insecure)
			return ASEC_OK;
		error_set("the registry's token realm is plain http://; refused unless the registry is marked insecure");
		return ASEC_EINVALID;
	}
	error_set("the registry's token realm is not an http(s) URL");
	return ASEC_EINVALID;
}

/* Asks the realm for a token for scope; caches it under (host, cache_scope). */
static int reg_fetch_token(char **token_out, struct registry_client *c, const struct registry_ref *ref,
			   const char *host, const char *realm, const char *service, const char *scope,
			   const char *cache_scope)
{
	struct httpclient_response resp = { 0 };
	struct httpclient_request req = { 0 };
	const char *headers[3] = { 0 };
	char *url = NULL, *auth = NULL, *safe = NULL;
	size_t url_len;
	json_t *root = NULL, *tok, *ttl_v;
	const char *token;
	long long ttl_s = REG_TOKEN_DEFAULT_TTL_S, margin_ms;
	int plain = strncasecmp(realm, "http://", 7) == 0;
	int with_creds;
	int rc;

	*token_out = NULL;
	rc = reg_realm_check(c, realm);
	if (rc != ASEC_OK)
		return rc;
	if ((service && strlen(service) > REG_PARAM_MAX) || strlen(scope) > REG_PARAM_MAX) {
		error_set("the registry's challenge names a service or scope longer than %d bytes", REG_PARAM_MAX);
		return ASEC_EINVALID;
	}
	url_len = strlen(realm);
	url = strdup(realm);
	if (!url)
		goto nomem;
	if (service) {
		char *grown = realloc(url, url_len + 10);

		if (!grown)
			goto nomem;
		url = grown;
		url_len += (size_t)sprintf(url + url_len, "%sservice=", strchr(realm, '?') ? "&" : "?");
		if (reg_append_escaped(&url, &url_len, service) != ASEC_OK)
			goto nomem;
	}
	/* No scope at all for the /v2/ check (registry_ping): a token that
	 * only proves who we are, as docker login asks for. */
	if (scope[0]) {
		char *grown = realloc(url, url_len + 8);

		if (!grown)
			goto nomem;
		url = grown;
		url_len += (size_t)sprintf(url + url_len, "%sscope=", strchr(url, '?') ? "&" : "?");
		if (reg_append_escaped(&url, &url_len, scope) != ASEC_OK)
			goto nomem;
	}

	/* The credentials of ref's registry, to the realm that registry named. */
	with_creds = reg_creds_for(c, ref, plain);
	if (with_creds) {
		auth = reg_basic_header(c);
		if (!auth)
			goto nomem;
		headers[0] = auth;
	}
	req.method = "GET";
	req.url = url;
	req.headers = headers;
	req.idempotent = 1;
	req.max_body_bytes = REG_TOKEN_BODY_MAX;
	rc = httpclient_do(c->api, &req, &resp);
	if (rc != ASEC_OK) {
		error_prefix("token request");
		goto out;
	}
	httpclient_url_redact(&safe, url);
	if (resp.status != 200) {
		char detail[320];

		reg_error_detail(detail, sizeof(detail), &resp);
		rc = resp.status == 401 || resp.status == 403 ? ASEC_EAUTH : ASEC_EIO;
		error_set("GET %s: the token service refused %s (%ld)%s", safe ? safe : "?",
			  with_creds ? "the credentials" : "anonymous access", resp.status, detail);
		goto out;
	}
	root = resp.body ? json_loadb(resp.body, resp.body_len, 0, NULL) : NULL;
	if (!json_is_object(root)) {
		rc = ASEC_EINVALID;
		error_set("GET %s: the token service's answer is not a JSON object", safe ? safe : "?");
		goto out;
	}
	/* The token spec prefers "token"; "access_token" is its OAuth2 name. */
	tok = json_object_get(root, "token");
	if (!json_is_string(tok) || json_string_length(tok) == 0)
		tok = json_object_get(root, "access_token");
	token = json_string_value(tok);
	if (!token || !token[0] || json_string_length(tok) > REG_TOKEN_MAX) {
		rc = ASEC_EINVALID;
		error_set("GET %s: the token service's answer has no token of at most %d bytes", safe ? safe : "?",
			  REG_TOKEN_MAX);
		goto out;
	}
	for (const char *p = token; *p; p++) {
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f) {
			rc = ASEC_EINVALID;
			error_set("GET %s: the token holds a character a header cannot carry", safe ? safe : "?");
			goto out;
		}
	}
	ttl_v = json_object_get(root, "expires_in");
	if (json_is_integer(ttl_v) && json_integer_value(ttl_v) > 0)
		ttl_s = json_integer_value(ttl_v) < REG_TOKEN_MAX_TTL_S ? json_integer_value(ttl_v) : REG_TOKEN_MAX_TTL_S;
	/* Renew a little early so that a token does not expire in flight. */
	margin_ms = ttl_s * 1000 / 10 < 10000 ? ttl_s * 1000 / 10 : 10000;
	reg_token_put(c, host, cache_scope, token, reg_now_ms() + ttl_s * 1000 - margin_ms);
	*token_out = strdup(token);
	if (!*token_out)
		goto nomem;
	log_debug("registry token obtained for %s (scope %s), valid %lld s", host, cache_scope, ttl_s);
	rc = ASEC_OK;
	goto out;
nomem:
	error_set("out of memory");
	rc = ASEC_ENOMEM;
out:
	json_decref(root);
	httpclient_response_free(&resp);
	reg_free_secret(auth);
	free(url);
	free(safe);
	return rc;
}

/* The Authorization line for a request to host, from what is known about
 * it; NULL when none is to be sent. challenge_scope, when given, is the scope
 * the registry's last challenge asked for. */
static int reg_auth_line(char **out, struct registry_client *c, const struct registry_ref *ref, const char *host,
			 const char *scope, const char *challenge_scope)
{
	enum reg_auth_scheme scheme;
	char *realm = NULL, *service = NULL, *token = NULL;
	int rc;

	*out = NULL;
	rc = reg_host_get(c, host, &scheme, &realm, &service);
	if (rc != ASEC_OK)
		return rc;
	if (scheme == REG_AUTH_BASIC) {
		if (reg_creds_for(c, ref, reg_plain_http(c, ref))) {
			*out = reg_basic_header(c);
			if (!*out)
				rc = ASEC_ENOMEM;
		}
	} else if (scheme == REG_AUTH_BEARER) {
		token = reg_token_get(c, host, scope);
		if (!token)
			rc = reg_fetch_token(&token, c, ref, host, realm, service,
					     challenge_scope ? challenge_scope : scope, scope);
		if (rc == ASEC_OK && asprintf(out, "Authorization: Bearer %s", token) < 0) {
			*out = NULL;
			rc = ASEC_ENOMEM;
		}
	}
	if (rc == ASEC_ENOMEM)
		error_set("out of memory");
	free(realm);
	free(service);
	reg_free_secret(token);
	return rc;
}

/* Reads the 401's challenges and records what they teach. */
static int reg_learn(struct registry_client *c, const struct registry_ref *ref, const char *host,
		     const struct httpclient_response *resp, const char *sent_auth, const char *scope,
		     char **challenge_scope)
{
	struct reg_challenges all = { 0 };
	const struct reg_challenge *bearer, *basic;
	const char *realm;
	int rc = ASEC_OK;
	int parsed = 0;

	*challenge_scope = NULL;
	for (size_t i = 0; i < resp->header_count; i++) {
		const char *v = resp->headers[i].value;

		if (strcasecmp(resp->headers[i].name, "WWW-Authenticate") != 0)
			continue;
		rc = reg_challenges_parse(&all, v, strlen(v));
		if (rc != ASEC_OK)
			goto out;
		parsed = 1;
	}
	if (!parsed) {
		error_set("%s answered 401 without a WWW-Authenticate challenge", host);
		rc = ASEC_EAUTH;
		goto out;
	}
	bearer = reg_challenges_find(&all, "bearer");
	basic = reg_challenges_find(&all, "basic");
	realm = bearer ? reg_challenge_param(bearer, "realm") : NULL;
	if (bearer && realm) {
		const char *cs = reg_challenge_param(bearer, "scope");

		if (sent_auth && strncmp(sent_auth, "Authorization: Bearer ", 22) == 0)
			reg_token_forget(c, host, scope); /* revoked or expired early: get a fresh one */
		rc = reg_host_learn(c, host, REG_AUTH_BEARER, realm, reg_challenge_param(bearer, "service"));
		if (rc == ASEC_OK && cs && cs[0] && !(*challenge_scope = strdup(cs))) {
			error_set("out of memory");
			rc = ASEC_ENOMEM;
		}
	} else if (basic) {
		if (!reg_creds_for(c, ref, reg_plain_http(c, ref))) {
			error_set("%s asks for credentials (HTTP basic) and none were given for it", host);
			rc = ASEC_EAUTH;
		} else if (sent_auth && strncmp(sent_auth, "Authorization: Basic ", 21) == 0) {
			error_set("%s refused the credentials (401 Unauthorized)", host);
			rc = ASEC_EAUTH;
		} else {
			rc = reg_host_learn(c, host, REG_AUTH_BASIC, NULL, NULL);
		}
	} else {
		error_set("%s answered 401 with no usable challenge (neither Bearer with a realm nor Basic)", host);
		rc = ASEC_EAUTH;
	}
out:
	if (rc == ASEC_EINVALID) {
		error_prefix("%s answered 401 with an unreadable challenge", host);
		rc = ASEC_EAUTH;
	}
	reg_challenges_free(&all);
	return rc;
}

struct reg_call {
	struct httpclient *http;
	const char *url;
	const char *accept;  /* a whole "Accept: ..." line, or NULL */
	httpclient_body_cb on_body;
	void *ctx;
	size_t max_body;
};

/* Runs call against ref's registry with whatever auth it needs: one try with
 * what is known, and after a 401 one more with what the challenge taught.
 * resp holds the final response (any status) on ASEC_OK. */
static int reg_request(struct httpclient_response *resp, struct registry_client *c, const struct registry_ref *ref,
		       const struct reg_call *call)
{
	const char *host = registry_ref_api_host(ref);
	char *scope = NULL, *challenge_scope = NULL, *auth = NULL;
	int rc;

	memset(resp, 0, sizeof(*resp));
	if (!ref->repository || !ref->repository[0])
		scope = strdup("");
	else if (asprintf(&scope, "repository:%s:pull", ref->repository) < 0)
		scope = NULL;
	if (!scope) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	for (int attempt = 0;; attempt++) {
		struct httpclient_request req = { 0 };
		const char *headers[3] = { 0 };
		size_t h = 0;

		rc = reg_auth_line(&auth, c, ref, host, scope, challenge_scope);
		if (rc != ASEC_OK)
			goto out;
		if (call->accept)
			headers[h++] = call->accept;
		if (auth)
			headers[h++] = auth;
		req.method = "GET";
		req.url = call->url;
		req.headers = headers;
		req.idempotent = 1;
		req.on_body = call->on_body;
		req.ctx = call->ctx;
		req.max_body_bytes = call->max_body;
		error_clear();
		rc = httpclient_do(call->http, &req, resp);
		if (rc != ASEC_OK || resp->status != 401)
			goto out;
		if (attempt == 1) {
			/* Authenticated as the challenge asked, and still refused. */
			char *safe = NULL;

			httpclient_url_redact(&safe, call->url);
			error_set("GET %s: %s refused the %s (401 Unauthorized)", safe ? safe : "?", host,
				  !auth ? "request without credentials"
				  : strncmp(auth, "Authorization: Basic ", 21) == 0 ? "credentials"
										    : "token its token service issued");
			free(safe);
			rc = ASEC_EAUTH;
			goto out;
		}
		free(challenge_scope);
		rc = reg_learn(c, ref, host, resp, auth, scope, &challenge_scope);
		if (rc != ASEC_OK)
			goto out;
		reg_free_secret(auth);
		auth = NULL;
		httpclient_response_free(resp);
		memset(resp, 0, sizeof(*resp));
	}
out:
	reg_free_secret(auth);
	free(scope);
	free(challenge_scope);
	return rc;
}

/* ---- the API check ---- */

int registry_ping(struct registry_client *client, const char *domain, enum registry_scheme scheme)
{
	struct httpclient_response resp = {0};
	struct registry_ref ref = {0};
	struct reg_call call = {0};
	char *url = NULL;
	int rc;

	if (!domain || !domain[0]) {
		error_set("no registry to check");
		return ASEC_EINVALID;
	}
	rc = registry_domain_normalize(&ref.domain, domain);
	if (rc != ASEC_OK)
		return rc;
	ref.repository = "";
	ref.scheme = scheme;
	if (scheme == REGISTRY_SCHEME_HTTP && !client->insecure) {
		error_set("plain http:// to %s is refused unless the registry is marked insecure", ref.domain);
		rc = ASEC_EINVALID;
		goto out;
	}
	if (asprintf(&url, "%s://%s/v2/", reg_plain_http(client, &ref) ? "http" : "https",
		     registry_ref_api_host(&ref)) < 0) {
		url = NULL;
		error_set("out of memory");
		rc = ASEC_ENOMEM;
		goto out;
	}
	call.http = client->api;
	call.url = url;
	call.max_body = REG_TOKEN_BODY_MAX; /* the body is ignored; a registry sends "{}" */
	rc = reg_request(&resp, client, &ref, &call);
	if (rc == ASEC_OK && resp.status != 200) {
		if (resp.status == 404)
			error_set("GET %s: 404, so this is no OCI registry (or its API lives elsewhere)", url);
		rc = resp.status == 404 ? ASEC_EINVALID : reg_status_error(&resp, "registry API check", url);
	}
	if (rc != ASEC_OK)
		error_prefix("registry %s", ref.domain);
out:
	httpclient_response_free(&resp);
	free(url);
	free(ref.domain);
	return rc;
}

/* ---- manifests ---- */

struct reg_doc {
	char *body;
	size_t len;
	char *content_type;
	char digest[REGISTRY_DIGEST_BUF];
};

static void reg_doc_free(struct reg_doc *d)
{
	free(d->body);
	free(d->content_type);
	memset(d, 0, sizeof(*d));
}

/* GETs a manifest by tag or digest and establishes its digest: the one it
 * was asked by, or for a tag the hash of the bytes, which must agree with a
 * well-formed Docker-Content-Digest when the registry sends one. */
static int reg_get_manifest(struct reg_doc *doc, struct registry_client *c, const struct registry_ref *ref,
			    const char *reference, const char *expected_digest, int64_t expected_size)
{
	struct httpclient_response resp = { 0 };
	struct reg_call call = { 0 };
	const char *header, *ct;
	char *url = NULL;
	int rc;

	memset(doc, 0, sizeof(*doc));
	rc = reg_url(&url, c, ref, "manifests", reference);
	if (rc != ASEC_OK)
		return rc;
	call.http = c->api;
	call.url = url;
	call.accept = REG_ACCEPT;
	call.max_body = expected_size > 0 && (uint64_t)expected_size < REGISTRY_MANIFEST_MAX ? (size_t)expected_size
											      : REGISTRY_MANIFEST_MAX;
	rc = reg_request(&resp, c, ref, &call);
	if (rc == ASEC_ETOOBIG) {
		error_prefix("manifest over %zu bytes", call.max_body);
		goto out;
	}
	if (rc != ASEC_OK)
		goto out;
	if (resp.status != 200) {
		rc = reg_status_error(&resp, "manifest", url);
		goto out;
	}
	if (expected_size >= 0 && resp.body_len != (size_t)expected_size) {
		error_set("manifest %s is %zu bytes, but the index says %lld", expected_digest, resp.body_len,
			  (long long)expected_size);
		rc = ASEC_EINVALID;
		goto out;
	}
	if (expected_digest) {
		rc = registry_digest_verify(expected_digest, resp.body, resp.body_len, "manifest");
		if (rc != ASEC_OK)
			goto out;
		snprintf(doc->digest, sizeof(doc->digest), "%s", expected_digest);
	} else {
		header = httpclient_response_header(&resp, "Docker-Content-Digest");
		if (header && registry_digest_check(header) == ASEC_OK) {
			rc = registry_digest_verify(header, resp.body, resp.body_len, "manifest");
			if (rc != ASEC_OK) {
				error_prefix("the registry's Docker-Content-Digest is wrong");
				goto out;
			}
		}
		rc = registry_digest_compute(doc->digest, "sha256", resp.body, resp.body_len);
		if (rc != ASEC_OK)
			goto out;
	}
	ct = httpclient_response_header(&resp, "Content-Type");
	if (ct && !(doc->content_type = strdup(ct))) {
		error_set("out of memory");
		rc = ASEC_ENOMEM;
		goto out;
	}
	doc->body = resp.body;
	doc->len = resp.body_len;
	resp.body = NULL;
out:
	if (rc != ASEC_OK)
		reg_doc_free(doc);
	httpclient_response_free(&resp);
	free(url);
	return rc;
}

int registry_fetch_manifest(struct registry_manifest *out, struct registry_client *client,
			    const struct registry_ref *ref, const struct registry_platform *platform)
{
	struct reg_doc doc = { 0 }, child = { 0 };
	struct registry_index idx = { 0 }, unused = { 0 };
	struct registry_manifest m = { 0 };
	const struct registry_index_entry *entry;
	const char *reference = ref->digest ? ref->digest : ref->tag;
	int is_index = 0;
	size_t pos;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!reference) {
		error_set("the image reference has neither tag nor digest");
		return ASEC_EINVALID;
	}
	rc = reg_get_manifest(&doc, client, ref, reference, ref->digest, -1);
	if (rc != ASEC_OK)
		goto out;
	rc = registry_document_parse(&is_index, &m, &idx, doc.content_type, doc.body, doc.len);
	if (rc != ASEC_OK)
		goto out;
	if (!is_index) {
		m.digest = strdup(doc.digest);
		m.size = doc.len;
		if (!m.digest)
			goto nomem;
		goto done;
	}

	rc = registry_index_select(&pos, &idx, platform);
	if (rc != ASEC_OK)
		goto out;
	entry = &idx.entries[pos];
	if ((uint64_t)entry->size > REGISTRY_MANIFEST_MAX) {
		error_set("the index's manifest %s is %lld bytes, over the limit of %zu", entry->digest,
			  (long long)entry->size, REGISTRY_MANIFEST_MAX);
		rc = ASEC_ETOOBIG;
		goto out;
	}
	rc = reg_get_manifest(&child, client, ref, entry->digest, entry->digest, entry->size);
	if (rc != ASEC_OK)
		goto out;
	rc = registry_document_parse(&is_index, &m, &unused, child.content_type, child.body, child.len);
	if (rc != ASEC_OK)
		goto out;
	if (is_index) {
		registry_index_free(&unused);
		error_set("the index's entry %s is itself an index; nested indexes are not followed", entry->digest);
		rc = ASEC_EINVALID;
		goto out;
	}
	if (strcmp(m.media_type, entry->media_type) != 0) {
		char **grown = realloc(m.notes, (m.note_count + 1) * sizeof(char *));

		if (!grown)
			goto nomem;
		m.notes = grown;
		if (asprintf(&m.notes[m.note_count], "the index calls manifest %s %.128s, but it is %s", entry->digest,
			     entry->media_type, m.media_type) < 0)
			goto nomem;
		m.note_count++;
	}
	m.digest = strdup(child.digest);
	m.size = child.len;
	m.index_digest = strdup(doc.digest);
	m.index_media_type = strdup(idx.media_type);
	m.platform = entry->platform;
	if (!m.digest || !m.index_digest || !m.index_media_type)
		goto nomem;
done:
	*out = m;
	memset(&m, 0, sizeof(m));
	rc = ASEC_OK;
	goto out;
nomem:
	error_set("out of memory");
	rc = ASEC_ENOMEM;
out:
	if (rc != ASEC_OK)
		error_prefix("%s/%s%s%s", ref->domain, ref->repository, ref->digest ? "@" : ":", reference);
	registry_manifest_free(&m);
	registry_index_free(&idx);
	reg_doc_free(&doc);
	reg_doc_free(&child);
	return rc;
}

/* ---- blobs ---- */

int registry_fetch_config(struct registry_config *out, struct registry_client *client,
			  const struct registry_ref *ref, const struct registry_manifest *manifest)
{
	struct httpclient_response resp = { 0 };
	struct reg_call call = { 0 };
	char *url = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!manifest->config_digest || registry_digest_check(manifest->config_digest) != ASEC_OK) {
		error_set("the manifest names no valid config digest");
		return ASEC_EINVALID;
	}
	if (manifest->config_size <= 0 || (uint64_t)manifest->config_size > REGISTRY_CONFIG_MAX) {
		error_set("the image config size %lld is not within 1..%zu bytes", (long long)manifest->config_size,
			  REGISTRY_CONFIG_MAX);
		return manifest->config_size > 0 ? ASEC_ETOOBIG : ASEC_EINVALID;
	}
	rc = reg_url(&url, client, ref, "blobs", manifest->config_digest);
	if (rc != ASEC_OK)
		return rc;
	call.http = client->api;
	call.url = url;
	call.max_body = (size_t)manifest->config_size;
	rc = reg_request(&resp, client, ref, &call);
	if (rc != ASEC_OK)
		goto out;
	if (resp.status != 200) {
		rc = reg_status_error(&resp, "image config", url);
		goto out;
	}
	if (resp.body_len != (size_t)manifest->config_size) {
		error_set("image config %s is %zu bytes, but the manifest says %lld", manifest->config_digest,
			  resp.body_len, (long long)manifest->config_size);
		rc = ASEC_EINVALID;
		goto out;
	}
	rc = registry_digest_verify(manifest->config_digest, resp.body, resp.body_len, "image config");
	if (rc != ASEC_OK)
		goto out;
	rc = registry_config_parse(out, resp.body, resp.body_len);
out:
	if (rc != ASEC_OK)
		error_prefix("%s/%s", ref->domain, ref->repository);
	httpclient_response_free(&resp);
	free(url);
	return rc;
}

struct reg_blob_ctx {
	struct reg_hasher hasher;
	const char *digest;
	uint64_t seen;
	int64_t expected;
	registry_blob_cb cb;
	void *ctx;
};

static int reg_blob_body(const void *data, size_t len, void *vctx)
{
	struct reg_blob_ctx *b = vctx;
	int rc;

	if (b->expected >= 0 && len > (uint64_t)b->expected - b->seen) {
		error_set("more bytes arrived than expected"); /* registry_fetch_blob() says which blob */
		return ASEC_ETOOBIG;
	}
	b->seen += len;
	rc = reg_hasher_update(&b->hasher, data, len);
	if (rc != ASEC_OK)
		return rc;
	return b->cb(data, len, b->ctx);
}

int registry_fetch_blob(struct registry_client *client, const struct registry_ref *ref, const char *digest,
			int64_t expected_size, registry_blob_cb cb, void *ctx)
{
	struct httpclient_response resp = { 0 };
	struct reg_blob_ctx b = { 0 };
	struct reg_call call = { 0 };
	char got[REGISTRY_DIGEST_BUF];
	char *url = NULL;
	int rc;

	if (!cb) {
		error_set("registry_fetch_blob needs a callback");
		return ASEC_EINVALID;
	}
	rc = reg_hasher_init(&b.hasher, digest);
	if (rc != ASEC_OK) {
		error_prefix("blob digest");
		return rc;
	}
	if (expected_size >= 0 && (uint64_t)expected_size > client->max_blob) {
		error_set("blob %s is %lld bytes, over the limit of %llu", digest, (long long)expected_size,
			  (unsigned long long)client->max_blob);
		rc = ASEC_ETOOBIG;
		goto out;
	}
	rc = reg_url(&url, client, ref, "blobs", digest);
	if (rc != ASEC_OK) {
		error_prefix("%s/%s", ref->domain, ref->repository);
		goto out;
	}
	b.digest = digest;
	b.expected = expected_size;
	b.cb = cb;
	b.ctx = ctx;
	call.http = client->blobs;
	call.url = url;
	call.on_body = reg_blob_body;
	call.ctx = &b;
	/* One byte of room past an expected size of 0 lets reg_blob_body say
	 * what is wrong; 0 itself would mean "the client's default". */
	call.max_body = expected_size > 0 ? (size_t)expected_size : expected_size == 0 ? 1 : (size_t)client->max_blob;
	rc = reg_request(&resp, client, ref, &call);
	if (rc == ASEC_ETOOBIG && expected_size >= 0) {
		error_prefix("blob %s is longer than the %lld bytes its descriptor gives", digest,
			     (long long)expected_size);
		goto out;
	}
	if (rc != ASEC_OK)
		goto out;
	if (resp.status != 200) {
		rc = reg_status_error(&resp, "blob", url);
		goto out;
	}
	if (expected_size >= 0 && b.seen != (uint64_t)expected_size) {
		error_set("blob %s is %llu bytes, but its descriptor says %lld", digest, (unsigned long long)b.seen,
			  (long long)expected_size);
		rc = ASEC_EINVALID;
		goto out;
	}
	reg_hasher_finish(&b.hasher, got);
	if (strcmp(got, digest) != 0) {
		error_set("blob %s does not match its digest (the content hashes to %s); the data delivered is "
			  "untrusted",
			  digest, got);
		rc = ASEC_EINVALID;
		goto out;
	}
out:
	reg_hasher_abort(&b.hasher);
	httpclient_response_free(&resp);
	free(url);
	return rc;
}
