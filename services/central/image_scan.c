/*
 * image_scan.c - one image scan from name to stored Image (see image_scan.h
 * for the rules), and the coalescing of concurrent scans of one name.
 *
 * Every dependency failure is reported by the name users know it by, with
 * the status that tells a client what to do: 503 (retry later) when the
 * indexer, the matcher or Central DB cannot be reached or fail, 4xx passed on
 * when the indexer says the image itself is the problem (no such image,
 * refused credentials, not an image it can read).
 */
#include "image_scan.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "error/error.h"
#include "httpclient/httpclient.h"
#include "image_convert.h"
#include "log/log.h"
#include "registry/registry.h"
#include "registry_route.h"
#include "store_images.h"
#include "store_integrations.h"

#define INDEXER_NAME "scanner-indexer"
#define MATCHER_NAME "scanner-matcher"
#define CENTRAL_DB_NAME "Central DB"
/* One manifest request to the registry, token included. */
#define REGISTRY_TIMEOUT_MS 30000L

/* A scan in progress, which later scans of the same name wait for. */
struct scan_flight {
	char *key;
	int finished;
	int waiters;
	struct image_scan_outcome outcome;
	pthread_cond_t done;
	struct scan_flight *next;
};

struct image_scanner {
	struct httpclient *indexer;
	struct httpclient *matcher;
	struct httpclient *probe; /* health checks: short, never retried */
	char *indexer_url;
	char *matcher_url;
	struct db_pool *pool;
	const struct secretbox_key *secrets;
	pthread_mutex_t lock; /* guards flights */
	struct scan_flight *flights;
};

/* What one scan knows about its image as it goes. */
struct scan_job {
	struct image_scanner *scanner;
	const char *full_name;
	struct registry_ref ref;
	char *registry, *remote, *tag;
	struct store_integration integration;
	int have_integration;
	json_t *index_report;
	json_t *vuln_report;
	char *digest; /* the manifest the name points at now */
	struct registry_route route;
	enum registry_scheme scheme; /* the one that reached the registry */
	char vuln_version[80];
};

static int64_t now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void outcome_fail(struct image_scan_outcome *out, long status, const char *title, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void outcome_fail(struct image_scan_outcome *out, long status, const char *title, const char *fmt, ...)
{
	va_list ap;

	out->image = NULL;
	out->status = status;
	snprintf(out->title, sizeof(out->title), "%s", title);
	va_start(ap, fmt);
	vsnprintf(out->detail, sizeof(out->detail), fmt, ap);
	va_end(ap);
}

/* A store failure: the database unreachable is the caller's 503, anything
 * else is ours. */
static void outcome_store_failed(struct image_scan_outcome *out, int rc, const char *doing)
{
	if (rc == ASEC_EIO || rc == ASEC_ETIMEOUT)
		outcome_fail(out, 503, "Service Unavailable", CENTRAL_DB_NAME " is unreachable: %s: %s", doing,
			     error_last());
	else if (rc == ASEC_ENOMEM)
		outcome_fail(out, 500, "Internal Server Error", "out of memory %s", doing);
	else
		outcome_fail(out, 500, "Internal Server Error", "%s: %s", doing, error_last());
}

int image_scanner_new(struct image_scanner **out, const struct image_scanner_options *opts)
{
	struct image_scanner *s = calloc(1, sizeof(*s));
	struct httpclient_options http;
	int rc;

	*out = NULL;
	if (!s) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	pthread_mutex_init(&s->lock, NULL);
	s->pool = opts->pool;
	s->secrets = opts->secrets;
	s->indexer_url = strdup(opts->indexer_url);
	s->matcher_url = strdup(opts->matcher_url);
	if (!s->indexer_url || !s->matcher_url) {
		error_set("out of memory");
		rc = ASEC_ENOMEM;
		goto fail;
	}
	/* trailing slashes would double in the paths appended below */
	for (char *u = s->indexer_url; u; u = u == s->indexer_url ? s->matcher_url : NULL) {
		size_t len = strlen(u);
		while (len > 0 && u[len - 1] == '/')
			u[--len] = '\0';
	}

	if (strncmp(s->indexer_url, "https://", 8) || strncmp(s->matcher_url, "https://", 8)) {
		/* registry credentials travel in the indexer's request body */
		error_set("ROX_CENTRAL_INDEXER_URL and ROX_CENTRAL_MATCHER_URL must be https:// URLs (mutual TLS)");
		rc = ASEC_EINVALID;
		goto fail;
	}
	httpclient_options_init(&http);
	/* a redirect would repeat the body, credentials included, elsewhere */
	http.max_redirects = 0;
	http.ca_file = opts->ca_file;
	http.cert_file = opts->cert_file;
	http.key_file = opts->key_file;
	/* A scan is one POST (never repeated by the client: it is not
	 * idempotent in HTTP terms) that may pull gigabytes of layers. */
	http.total_timeout_ms = opts->timeout_ms;
	http.connect_timeout_ms = 5000;
	if ((rc = httpclient_new(&s->indexer, &http)))
		goto fail;
	http.total_timeout_ms = opts->matcher_timeout_ms;
	if ((rc = httpclient_new(&s->matcher, &http)))
		goto fail;
	/* A probe that waits and retries would report a dead service late. */
	http.total_timeout_ms = http.connect_timeout_ms = IMAGE_SCANNER_PROBE_TIMEOUT_MS;
	http.max_attempts = 1;
	http.max_body_bytes = 1 << 20;
	if ((rc = httpclient_new(&s->probe, &http)))
		goto fail;
	*out = s;
	return ASEC_OK;
fail:
	image_scanner_free(s);
	return rc;
}

void image_scanner_free(struct image_scanner *s)
{
	if (!s)
		return;
	httpclient_free(s->indexer);
	httpclient_free(s->matcher);
	httpclient_free(s->probe);
	free(s->indexer_url);
	free(s->matcher_url);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* The problem detail of a scanner's error answer, or its status line. */
static void response_detail(char *buf, size_t size, const struct httpclient_response *resp)
{
	json_t *body = resp->body ? json_loadb(resp->body, resp->body_len, 0, NULL) : NULL;
	const char *detail = json_string_value(json_object_get(body, "detail"));

	if (detail && detail[0])
		snprintf(buf, size, "%s", detail);
	else
		snprintf(buf, size, "HTTP %ld", resp->status);
	json_decref(body);
}

/*
 * POSTs body as JSON to url and parses a 2xx answer into *answer. A
 * transport failure or a 5xx is the dependency being unavailable (503); a
 * 401/403 means the installation's certificates do not let central in,
 * which no retry by the client mends (502). Other statuses are left to the
 * caller through *status with the problem detail in detail.
 */
static int call_json(json_t **answer, long *status, char *detail, size_t detail_size,
		     struct image_scan_outcome *out, struct httpclient *client, const char *method, const char *url,
		     const json_t *body, const char *dependency)
{
	static const char *const headers[] = {"Content-Type: application/json", "Accept: application/json", NULL};
	struct httpclient_request req = {
		.method = method,
		.url = url,
		.headers = headers,
		.idempotent = body ? 0 : 1,
	};
	struct httpclient_response resp = {0};
	char *text = NULL;
	int rc;

	*answer = NULL;
	*status = 0;
	if (body) {
		if (!(text = json_dumps(body, JSON_COMPACT))) {
			outcome_fail(out, 500, "Internal Server Error", "out of memory");
			return ASEC_ENOMEM;
		}
		req.body = text;
		req.body_len = strlen(text);
	}
	rc = httpclient_do(client, &req, &resp);
	if (text) {
		/* it may hold registry credentials */
		explicit_bzero(text, req.body_len);
		free(text);
	}
	if (rc) {
		outcome_fail(out, 503, "Service Unavailable", "%s is unreachable: %s", dependency, error_last());
		goto out;
	}
	*status = resp.status;
	if (resp.status >= 200 && resp.status < 300) {
		json_error_t jerr;
		if (!(*answer = json_loadb(resp.body ? resp.body : "", resp.body_len, 0, &jerr)) ||
		    !json_is_object(*answer)) {
			outcome_fail(out, 503, "Service Unavailable", "%s answered something that is not JSON: %s",
				     dependency, jerr.text);
			json_decref(*answer);
			*answer = NULL;
			rc = ASEC_EIO;
		}
		goto out;
	}
	response_detail(detail, detail_size, &resp);
	if (resp.status == 401 || resp.status == 403) {
		outcome_fail(out, 502, "Bad Gateway", "%s refused central's identity (%ld): %s", dependency,
			     resp.status, detail);
		rc = ASEC_EAUTH;
	} else if (resp.status >= 500 || resp.status == 429) {
		outcome_fail(out, 503, "Service Unavailable", "%s failed (%ld): %s", dependency, resp.status, detail);
		rc = ASEC_EIO;
	}
out:
	httpclient_response_free(&resp);
	return rc;
}

/* The route to the image's registry: the scheme the name was written with,
 * else its integration's endpoint's (registry_route.h). */
static int decide_route(struct scan_job *job, struct image_scan_outcome *out)
{
	enum registry_scheme written = job->ref.scheme;
	char *domain = NULL;
	int rc;

	if (written == REGISTRY_SCHEME_DEFAULT && job->have_integration) {
		if ((rc = store_integration_endpoint_parse(&domain, &written, job->integration.endpoint))) {
			outcome_fail(out, 500, "Internal Server Error", "image integration %s: %s",
				     job->integration.name, error_last());
			return rc;
		}
		free(domain);
	}
	registry_route_decide(&job->route, job->ref.domain, written,
			      job->have_integration && job->integration.insecure);
	if (job->have_integration && job->ref.scheme == REGISTRY_SCHEME_HTTP) {
		/* The name may not take the integration's credentials where its
		 * endpoint does not let them go: plain HTTP is for the endpoints
		 * that say so (or are marked insecure). */
		struct registry_route allowed;
		enum registry_scheme endpoint_scheme = REGISTRY_SCHEME_DEFAULT;

		if (store_integration_endpoint_parse(&domain, &endpoint_scheme, job->integration.endpoint) == ASEC_OK)
			free(domain);
		registry_route_decide(&allowed, job->ref.domain, endpoint_scheme, job->integration.insecure);
		if (allowed.scheme != REGISTRY_SCHEME_HTTP && !allowed.fallback_http) {
			outcome_fail(out, 400, "Bad Request",
				     "imageName: plain http:// to %s would send the credentials of image integration %s "
				     "in clear; its endpoint speaks HTTPS (write the endpoint with http://, or mark it "
				     "insecure, to allow it)",
				     job->ref.domain, job->integration.name);
			return ASEC_EINVALID;
		}
	}
	return ASEC_OK;
}

struct manifest_step {
	struct registry_client *client;
	struct registry_ref *ref;
	struct registry_manifest *manifest;
};

static int manifest_step(enum registry_scheme scheme, void *ctx)
{
	struct manifest_step *m = ctx;

	m->ref->scheme = scheme;
	registry_manifest_free(m->manifest);
	memset(m->manifest, 0, sizeof(*m->manifest));
	return registry_fetch_manifest(m->manifest, m->client, m->ref, NULL);
}

/*
 * What the name points at now: the manifest digest, as the registry says
 * (for an index, the linux/amd64 manifest, as the indexer picks it). This
 * is the one question a warm scan must ask the registry; the rest is known.
 */
static int resolve_digest(struct scan_job *job, struct image_scan_outcome *out)
{
	struct registry_manifest manifest = {0};
	struct manifest_step step = {.ref = &job->ref, .manifest = &manifest};
	const char *user = job->have_integration ? job->integration.username : NULL;
	const char *password = job->have_integration ? job->integration.password : NULL;
	int rc;

	if ((rc = decide_route(job, out)))
		return rc;
	if ((rc = registry_route_client(&step.client, &job->route, job->ref.domain, user, password,
					REGISTRY_TIMEOUT_MS))) {
		outcome_fail(out, 500, "Internal Server Error", "%s", error_last());
		return rc;
	}
	rc = registry_route_try(&job->scheme, &job->route, manifest_step, &step);
	switch (rc) {
	case ASEC_OK:
		if (!(job->digest = strdup(manifest.digest))) {
			outcome_fail(out, 500, "Internal Server Error", "out of memory");
			rc = ASEC_ENOMEM;
		}
		break;
	case ASEC_ENOTFOUND:
		outcome_fail(out, 404, "Not Found", "%s", error_last());
		break;
	case ASEC_EAUTH:
		outcome_fail(out, 422, "Unprocessable Content", "registry %s refused %s: %s", job->ref.domain,
			     job->have_integration ? "the credentials of image integration" : "anonymous access",
			     error_last());
		break;
	case ASEC_EINVALID:
	case ASEC_ETOOBIG:
		outcome_fail(out, 422, "Unprocessable Content", "%s", error_last());
		break;
	default:
		outcome_fail(out, 503, "Service Unavailable", "registry %s is unreachable: %s", job->ref.domain,
			     error_last());
	}
	registry_manifest_free(&manifest);
	registry_client_free(step.client);
	return rc;
}

/* Asks the indexer for the index report of the resolved manifest. */
static int index_image(struct scan_job *job, struct image_scan_outcome *out)
{
	struct image_scanner *s = job->scanner;
	json_t *request = NULL, *locator, *password;
	char *url = NULL, detail[768];
	int plain = job->scheme == REGISTRY_SCHEME_HTTP, rc;
	long status;

	/* pinned to the digest just resolved, so that a tag moving meanwhile
	 * cannot give a report of another image than the one decided on */
	if (asprintf(&url, "%s%s/%s@%s", plain ? "http://" : "", job->ref.domain, job->ref.repository,
		     job->digest) < 0) {
		url = NULL;
		outcome_fail(out, 500, "Internal Server Error", "out of memory");
		return ASEC_ENOMEM;
	}
	locator = json_pack("{s:s, s:b}", "url", url, "insecureSkipTlsVerify", job->route.skip_verify);
	if (locator && job->have_integration && job->integration.username && job->integration.username[0]) {
		json_object_set_new(locator, "username", json_string(job->integration.username));
		json_object_set_new(locator, "password",
				    json_string(job->integration.password ? job->integration.password : ""));
	}
	request = locator ? json_pack("{s:o}", "containerImage", locator) : NULL;
	free(url);
	if (!request) {
		outcome_fail(out, 500, "Internal Server Error", "out of memory");
		return ASEC_ENOMEM;
	}
	password = json_object_get(locator, "password");
	{
		char endpoint[600];
		snprintf(endpoint, sizeof(endpoint), "%s/v4/index-reports", s->indexer_url);
		rc = call_json(&job->index_report, &status, detail, sizeof(detail), out, s->indexer, "POST", endpoint,
			       request, INDEXER_NAME);
	}
	/* jansson frees without wiping; the copy of the password must not
	 * linger in freed memory */
	if (password)
		explicit_bzero((char *)json_string_value(password), json_string_length(password));
	json_decref(request);
	if (rc)
		return rc;
	if (job->index_report)
		return ASEC_OK;
	switch (status) {
	case 404:
		outcome_fail(out, 404, "Not Found", "%s", detail);
		break;
	case 400:
		outcome_fail(out, 400, "Bad Request", "imageName: %s", detail);
		break;
	case 413:
	case 422:
		outcome_fail(out, 422, "Unprocessable Content", "%s", detail);
		break;
	default:
		outcome_fail(out, 503, "Service Unavailable", INDEXER_NAME " answered %ld: %s", status, detail);
	}
	return ASEC_ERROR;
}

/* The matcher's data version: a scan matched against an older one is stale. */
static int matcher_version(struct scan_job *job, struct image_scan_outcome *out)
{
	struct image_scanner *s = job->scanner;
	json_t *meta = NULL;
	char url[600], detail[768];
	long status;
	int rc;

	snprintf(url, sizeof(url), "%s/v4/metadata", s->matcher_url);
	if ((rc = call_json(&meta, &status, detail, sizeof(detail), out, s->matcher, "GET", url, NULL, MATCHER_NAME)))
		return rc;
	if (!meta) {
		outcome_fail(out, 503, "Service Unavailable", MATCHER_NAME " answered %ld: %s", status, detail);
		return ASEC_ERROR;
	}
	snprintf(job->vuln_version, sizeof(job->vuln_version), "%s",
		 json_string_value(json_object_get(meta, "lastVulnerabilityUpdate")) ?: "");
	json_decref(meta);
	return ASEC_OK;
}

static int match_image(struct scan_job *job, struct image_scan_outcome *out)
{
	struct image_scanner *s = job->scanner;
	json_t *request;
	char url[600], detail[768];
	long status;
	int rc;

	request = json_pack("{s:O, s:O}", "hashId", json_object_get(job->index_report, "hashId"), "contents",
			    json_object_get(job->index_report, "contents"));
	if (!request) {
		outcome_fail(out, 503, "Service Unavailable", INDEXER_NAME " answered an index report without %s",
			     json_object_get(job->index_report, "hashId") ? "contents" : "hashId");
		return ASEC_EINVALID;
	}
	snprintf(url, sizeof(url), "%s/v4/vulnerability-reports", s->matcher_url);
	rc = call_json(&job->vuln_report, &status, detail, sizeof(detail), out, s->matcher, "POST", url, request,
		       MATCHER_NAME);
	json_decref(request);
	if (rc)
		return rc;
	if (!job->vuln_report) {
		/* a refusal of this image's report will not change on retry */
		if (status == 413 || status == 422)
			outcome_fail(out, 422, "Unprocessable Content", MATCHER_NAME " cannot match this image: %s",
				     detail);
		else if (status >= 400 && status < 500)
			outcome_fail(out, 500, "Internal Server Error", MATCHER_NAME " refused the index report (%ld): %s",
				     status, detail);
		else
			outcome_fail(out, 503, "Service Unavailable", MATCHER_NAME " answered %ld: %s", status, detail);
		return ASEC_ERROR;
	}
	return ASEC_OK;
}

/* The stored image when it is still current (see the top comment), else
 * NULL; *have says whether id is stored at all. */
static int stored_if_current(json_t **image, struct scan_job *job, const char *id, int force,
			     struct image_scan_outcome *out)
{
	struct store_image_ref known;
	json_t *doc = NULL;
	const char *version;
	int rc;

	*image = NULL;
	if (force || !job->vuln_version[0])
		return ASEC_OK;
	rc = store_images_find_by_name(&known, job->scanner->pool, job->full_name);
	if (rc == ASEC_OK && !strcmp(known.id, id)) {
		if (strcmp(known.vuln_data_version, job->vuln_version))
			return ASEC_OK;
		rc = store_images_get(image, job->scanner->pool, id, 0);
		if (rc == ASEC_ENOTFOUND) /* deleted meanwhile */
			return ASEC_OK;
		if (rc)
			outcome_store_failed(out, rc, "reading the stored image");
		return rc;
	}
	if (rc && rc != ASEC_ENOTFOUND) {
		outcome_store_failed(out, rc, "looking the image up");
		return rc;
	}
	/* A new name for a manifest matched against today's data: the name
	 * is added, nothing else changes. */
	rc = store_images_get(&doc, job->scanner->pool, id, 0);
	if (rc == ASEC_ENOTFOUND)
		return ASEC_OK;
	if (rc) {
		outcome_store_failed(out, rc, "reading the stored image");
		return rc;
	}
	version = json_string_value(json_object_get(json_object_get(doc, "scan"), "vulnerabilityDataUpdated"));
	if (!version || strcmp(version, job->vuln_version)) {
		json_decref(doc);
		return ASEC_OK;
	}
	json_decref(doc);
	if ((rc = store_images_add_name(job->scanner->pool, id, job->full_name, job->registry, job->remote,
					job->tag)) ||
	    (rc = store_images_get(image, job->scanner->pool, id, 0))) {
		outcome_store_failed(out, rc, "adding the image's name");
		return rc;
	}
	return ASEC_OK;
}

/* The scan itself, once per coalesced group. */
static void scan_run(struct image_scan_outcome *out, struct image_scanner *s, const char *full_name,
		     const struct registry_ref *ref, int force)
{
	struct scan_job job = {.scanner = s, .full_name = full_name, .ref = *ref};
	struct image_convert_input input = {0};
	json_t *image = NULL;
	const char *id;
	int rc;

	job.registry = ref->domain;
	job.remote = ref->repository;
	job.tag = ref->tag;

	rc = store_integrations_for_registry(&job.integration, s->pool, s->secrets, ref->domain);
	if (rc == ASEC_OK) {
		job.have_integration = 1;
	} else if (rc != ASEC_ENOTFOUND) {
		if (rc == ASEC_EAUTH)
			outcome_fail(out, 500, "Internal Server Error",
				     "the stored credentials for %s do not open with this installation's secrets key: %s",
				     ref->domain, error_last());
		else
			outcome_store_failed(out, rc, "reading image integrations");
		goto out;
	}
	if (resolve_digest(&job, out) || matcher_version(&job, out))
		goto out;
	id = job.digest;
	if (stored_if_current(&image, &job, id, force, out))
		goto out;
	if (!image) {
		if (index_image(&job, out))
			goto out;
		if (strcmp(json_string_value(json_object_get(json_object_get(job.index_report, "image"),
								 "manifestDigest")) ?: "",
			   id)) {
			outcome_fail(out, 503, "Service Unavailable",
				     INDEXER_NAME " answered the report of another manifest than %s", id);
			goto out;
		}
		if (match_image(&job, out))
			goto out;
		input.full_name = full_name;
		input.registry = job.registry;
		input.remote = job.remote;
		input.tag = job.tag;
		input.index_report = job.index_report;
		input.vuln_report = job.vuln_report;
		input.scanner_version = ASEC_VERSION;
		input.vuln_data_updated = job.vuln_version;
		input.scan_time_ms = now_ms();
		if (job.have_integration) {
			input.registry_source_id = job.integration.id;
			input.registry_source_name = job.integration.name;
		}
		if ((rc = image_convert(&image, &input))) {
			outcome_fail(out, 503, "Service Unavailable", "the scanners' reports for %s could not be read: %s",
				     full_name, error_last());
			goto out;
		}
		if ((rc = store_images_put(s->pool, image, job.vuln_version))) {
			outcome_store_failed(out, rc, "storing the image");
			json_decref(image);
			image = NULL;
			goto out;
		}
		log_info("scanned %s (%s): %lld components, %lld CVEs", full_name, id,
			 (long long)json_integer_value(json_object_get(image, "components")),
			 (long long)json_integer_value(json_object_get(image, "cves")));
	}
	out->image = image;
	out->status = 200;
out:
	if (job.have_integration)
		store_integration_clear(&job.integration);
	json_decref(job.index_report);
	json_decref(job.vuln_report);
	free(job.digest);
}

/* A copy of a finished flight's outcome for one of its waiters. */
static void outcome_copy(struct image_scan_outcome *out, const struct image_scan_outcome *from)
{
	*out = *from;
	if (from->image && !(out->image = json_deep_copy(from->image)))
		outcome_fail(out, 500, "Internal Server Error", "out of memory");
}

int image_scanner_scan(struct image_scan_outcome *out, struct image_scanner *s, const char *image_name, int force)
{
	struct registry_ref ref = {0};
	struct scan_flight *flight, **link;
	char *full_name = NULL, *key = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = registry_ref_parse(&ref, image_name))) {
		outcome_fail(out, 400, "Bad Request", "imageName: %s", error_last());
		return ASEC_OK;
	}
	if ((rc = registry_ref_format(&full_name, &ref))) {
		registry_ref_free(&ref);
		outcome_fail(out, 500, "Internal Server Error", "out of memory");
		return rc;
	}
	/* a forced scan does not settle for an unforced one's answer, nor a
	 * name written https:// for one written http:// */
	if (asprintf(&key, "%d %d %s", force, (int)ref.scheme, full_name) < 0) {
		key = NULL;
		registry_ref_free(&ref);
		free(full_name);
		outcome_fail(out, 500, "Internal Server Error", "out of memory");
		return ASEC_ENOMEM;
	}

	pthread_mutex_lock(&s->lock);
	for (flight = s->flights; flight; flight = flight->next)
		if (!strcmp(flight->key, key))
			break;
	if (flight) {
		flight->waiters++;
		while (!flight->finished)
			pthread_cond_wait(&flight->done, &s->lock);
		outcome_copy(out, &flight->outcome);
		if (--flight->waiters == 0) {
			json_decref(flight->outcome.image);
			pthread_cond_destroy(&flight->done);
			free(flight->key);
			free(flight);
		}
		pthread_mutex_unlock(&s->lock);
		goto out;
	}
	if (!(flight = calloc(1, sizeof(*flight))) || !(flight->key = strdup(key))) {
		pthread_mutex_unlock(&s->lock);
		free(flight);
		outcome_fail(out, 500, "Internal Server Error", "out of memory");
		rc = ASEC_ENOMEM;
		goto out;
	}
	pthread_cond_init(&flight->done, NULL);
	flight->next = s->flights;
	s->flights = flight;
	pthread_mutex_unlock(&s->lock);

	scan_run(out, s, full_name, &ref, force);

	pthread_mutex_lock(&s->lock);
	for (link = &s->flights; *link != flight; link = &(*link)->next)
		;
	*link = flight->next;
	flight->finished = 1;
	if (flight->waiters > 0) {
		/* the last waiter frees the flight and its copy of the image */
		flight->outcome = *out;
		if (out->image && !(flight->outcome.image = json_deep_copy(out->image)))
			outcome_fail(&flight->outcome, 500, "Internal Server Error", "out of memory");
		pthread_cond_broadcast(&flight->done);
	} else {
		pthread_cond_destroy(&flight->done);
		free(flight->key);
		free(flight);
	}
	pthread_mutex_unlock(&s->lock);
	rc = ASEC_OK;
out:
	if (out->status != 200)
		log_info("scan of %s: %ld %s", full_name ? full_name : "(unparsed name)", out->status, out->detail);
	registry_ref_free(&ref);
	free(full_name);
	free(key);
	return rc;
}

int image_scanner_probe(struct httpclient_response *resp, struct image_scanner *s, enum image_scanner_service which,
			const char *path)
{
	static const char *const headers[] = {"Accept: application/json", NULL};
	struct httpclient_request req = {.method = "GET", .headers = headers, .idempotent = 1};
	char url[600];

	snprintf(url, sizeof(url), "%s%s", which == IMAGE_SCANNER_INDEXER ? s->indexer_url : s->matcher_url, path);
	req.url = url;
	return httpclient_do(s->probe, &req, resp);
}
