/*
 * testpush.c - a minimal image pusher for test registries (see testpush.h).
 *
 * Monolithic uploads keep it to two requests per blob: the registry hands
 * out an upload URL on POST, and one PUT carries the bytes and the digest the
 * registry checks them against. Manifests are built with jansson, so what a
 * test pushes is byte for byte what it later expects to fetch and hash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "error/error.h"
#include "httpclient/httpclient.h"
#include "registry/testpush.h"

struct testpush {
	struct httpclient *http;
	char *base; /* "http://host:port" */
	char *auth; /* "Authorization: Basic ..." or NULL */
};

static char *tp_base64(const char *in, size_t len)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc((len + 2) / 3 * 4 + 1);
	size_t o = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned char)in[i] << 16;

		v |= i + 1 < len ? (unsigned char)in[i + 1] << 8 : 0;
		v |= i + 2 < len ? (unsigned char)in[i + 2] : 0;
		out[o++] = tbl[(v >> 18) & 63];
		out[o++] = tbl[(v >> 12) & 63];
		out[o++] = i + 1 < len ? tbl[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? tbl[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

int testpush_open(struct testpush **out, const char *hostport, const char *username, const char *password)
{
	struct httpclient_options o;
	struct testpush *p = calloc(1, sizeof(*p));
	int rc = ASEC_ENOMEM;

	*out = NULL;
	if (!p)
		goto fail;
	httpclient_options_init(&o);
	o.total_timeout_ms = 60000;
	o.max_redirects = 0;
	rc = httpclient_new(&p->http, &o);
	if (rc != ASEC_OK)
		goto fail;
	rc = ASEC_ENOMEM;
	if (asprintf(&p->base, "http://%s", hostport) < 0) {
		p->base = NULL;
		goto fail;
	}
	if (username) {
		char *pair = NULL, *b64;

		if (asprintf(&pair, "%s:%s", username, password ? password : "") < 0)
			goto fail;
		b64 = tp_base64(pair, strlen(pair));
		free(pair);
		if (!b64 || asprintf(&p->auth, "Authorization: Basic %s", b64) < 0) {
			free(b64);
			p->auth = NULL;
			goto fail;
		}
		free(b64);
	}
	*out = p;
	return ASEC_OK;
fail:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory");
	testpush_close(p);
	return rc;
}

void testpush_close(struct testpush *p)
{
	if (!p)
		return;
	httpclient_free(p->http);
	free(p->base);
	free(p->auth);
	free(p);
}

static int tp_do(struct testpush *p, const char *method, const char *url, const char *content_type,
		 const void *body, size_t len, struct httpclient_response *resp)
{
	char ct[256];
	const char *headers[3] = { 0 };
	struct httpclient_request req = { 0 };
	size_t h = 0;

	if (content_type) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", content_type);
		headers[h++] = ct;
	}
	if (p->auth)
		headers[h++] = p->auth;
	req.method = method;
	req.url = url;
	req.headers = headers;
	req.body = body;
	req.body_len = len;
	req.idempotent = strcmp(method, "POST") != 0;
	return httpclient_do(p->http, &req, resp);
}

static int tp_expect(const struct httpclient_response *resp, long status, const char *what)
{
	if (resp->status == status)
		return ASEC_OK;
	error_set("testpush: %s answered %ld, expected %ld: %.300s", what, resp->status, status,
		  resp->body ? resp->body : "");
	return ASEC_ERROR;
}

int testpush_blob(struct testpush *p, const char *repo, const void *data, size_t len,
		  char digest[REGISTRY_DIGEST_BUF])
{
	struct httpclient_response resp = { 0 };
	char *url = NULL, *put = NULL;
	const char *location, *colon;
	int rc;

	rc = registry_digest_compute(digest, "sha256", data, len);
	if (rc != ASEC_OK)
		return rc;
	if (asprintf(&url, "%s/v2/%s/blobs/%s", p->base, repo, digest) < 0)
		return ASEC_ENOMEM;
	rc = tp_do(p, "HEAD", url, NULL, NULL, 0, &resp);
	free(url);
	url = NULL;
	if (rc == ASEC_OK && resp.status == 200)
		goto out;
	httpclient_response_free(&resp);

	if (asprintf(&url, "%s/v2/%s/blobs/uploads/", p->base, repo) < 0) {
		url = NULL;
		rc = ASEC_ENOMEM;
		goto out;
	}
	rc = tp_do(p, "POST", url, NULL, NULL, 0, &resp);
	if (rc != ASEC_OK || (rc = tp_expect(&resp, 202, "blob upload POST")) != ASEC_OK)
		goto out;
	location = httpclient_response_header(&resp, "Location");
	if (!location) {
		error_set("testpush: blob upload POST gave no Location");
		rc = ASEC_ERROR;
		goto out;
	}
	/* "sha256:hex" with the ':' escaped, as a query value should be. */
	colon = strchr(digest, ':');
	if (asprintf(&put, "%s%s%sdigest=%.*s%%3A%s", location[0] == '/' ? p->base : "", location,
		     strchr(location, '?') ? "&" : "?", (int)(colon - digest), digest, colon + 1) < 0) {
		put = NULL;
		rc = ASEC_ENOMEM;
		goto out;
	}
	httpclient_response_free(&resp);
	rc = tp_do(p, "PUT", put, "application/octet-stream", data, len, &resp);
	if (rc == ASEC_OK)
		rc = tp_expect(&resp, 201, "blob upload PUT");
out:
	httpclient_response_free(&resp);
	free(url);
	free(put);
	return rc;
}

int testpush_manifest(struct testpush *p, const char *repo, const char *reference, const char *media_type,
		      const void *data, size_t len, char digest[REGISTRY_DIGEST_BUF])
{
	struct httpclient_response resp = { 0 };
	char *url = NULL;
	int rc;

	rc = registry_digest_compute(digest, "sha256", data, len);
	if (rc != ASEC_OK)
		return rc;
	if (asprintf(&url, "%s/v2/%s/manifests/%s", p->base, repo, reference ? reference : digest) < 0)
		return ASEC_ENOMEM;
	rc = tp_do(p, "PUT", url, media_type, data, len, &resp);
	if (rc == ASEC_OK)
		rc = tp_expect(&resp, 201, "manifest PUT");
	httpclient_response_free(&resp);
	free(url);
	return rc;
}

static json_t *tp_descriptor(const char *media_type, const char *digest, size_t size)
{
	return json_pack("{s:s, s:s, s:I}", "mediaType", media_type, "digest", digest, "size", (json_int_t)size);
}

char *testpush_manifest_json(int docker, const char *config_digest, size_t config_size, const char *layer_digest,
			     size_t layer_size, size_t n)
{
	json_t *layers = json_array(), *m;
	char *out;

	for (size_t i = 0; i < n; i++)
		json_array_append_new(layers, tp_descriptor(docker ? "application/vnd.docker.image.rootfs.diff.tar.gzip"
								   : "application/vnd.oci.image.layer.v1.tar+gzip",
							    layer_digest, layer_size));
	m = json_pack("{s:i, s:s, s:o, s:o}", "schemaVersion", 2, "mediaType",
		      docker ? REGISTRY_MT_DOCKER_MANIFEST : REGISTRY_MT_OCI_MANIFEST, "config",
		      tp_descriptor(docker ? REGISTRY_MT_DOCKER_CONFIG : REGISTRY_MT_OCI_CONFIG, config_digest,
				    config_size),
		      "layers", layers);
	out = m ? json_dumps(m, JSON_COMPACT) : NULL;
	json_decref(m);
	return out;
}

int testpush_image(struct testpush *p, const char *repo, const char *tag, int docker, const char *config_json,
		   const struct testpush_layer *layers, size_t layer_count, char digest[REGISTRY_DIGEST_BUF],
		   size_t *size)
{
	static const char minimal[] = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
				      "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
	const char *config = config_json ? config_json : minimal;
	char config_digest[REGISTRY_DIGEST_BUF], layer_digest[REGISTRY_DIGEST_BUF];
	json_t *arr = json_array(), *m = NULL;
	char *body = NULL;
	int rc;

	rc = testpush_blob(p, repo, config, strlen(config), config_digest);
	if (rc != ASEC_OK)
		goto out;
	for (size_t i = 0; i < layer_count; i++) {
		const char *mt = layers[i].media_type;

		if (!mt)
			mt = docker ? "application/vnd.docker.image.rootfs.diff.tar.gzip"
				    : "application/vnd.oci.image.layer.v1.tar+gzip";
		rc = testpush_blob(p, repo, layers[i].data, layers[i].len, layer_digest);
		if (rc != ASEC_OK)
			goto out;
		json_array_append_new(arr, tp_descriptor(mt, layer_digest, layers[i].len));
	}
	m = json_pack("{s:i, s:s, s:o, s:O}", "schemaVersion", 2, "mediaType",
		      docker ? REGISTRY_MT_DOCKER_MANIFEST : REGISTRY_MT_OCI_MANIFEST, "config",
		      tp_descriptor(docker ? REGISTRY_MT_DOCKER_CONFIG : REGISTRY_MT_OCI_CONFIG, config_digest,
				    strlen(config)),
		      "layers", arr);
	body = m ? json_dumps(m, JSON_COMPACT) : NULL;
	if (!body) {
		error_set("out of memory");
		rc = ASEC_ENOMEM;
		goto out;
	}
	rc = testpush_manifest(p, repo, tag, docker ? REGISTRY_MT_DOCKER_MANIFEST : REGISTRY_MT_OCI_MANIFEST, body,
			       strlen(body), digest);
	if (size)
		*size = strlen(body);
out:
	json_decref(arr);
	json_decref(m);
	free(body);
	return rc;
}

int testpush_index(struct testpush *p, const char *repo, const char *tag, int docker,
		   const struct testpush_entry *entries, size_t count, char digest[REGISTRY_DIGEST_BUF])
{
	json_t *list = json_array(), *idx;
	char *body;
	int rc;

	for (size_t i = 0; i < count; i++) {
		json_t *d = tp_descriptor(docker ? REGISTRY_MT_DOCKER_MANIFEST : REGISTRY_MT_OCI_MANIFEST,
					  entries[i].digest, entries[i].size);
		json_t *plat = json_pack("{s:s, s:s}", "architecture", entries[i].architecture, "os", entries[i].os);

		if (entries[i].variant)
			json_object_set_new(plat, "variant", json_string(entries[i].variant));
		json_object_set_new(d, "platform", plat);
		json_array_append_new(list, d);
	}
	idx = json_pack("{s:i, s:s, s:o}", "schemaVersion", 2, "mediaType",
			docker ? REGISTRY_MT_DOCKER_LIST : REGISTRY_MT_OCI_INDEX, "manifests", list);
	body = idx ? json_dumps(idx, JSON_COMPACT) : NULL;
	json_decref(idx);
	if (!body) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	rc = testpush_manifest(p, repo, tag, docker ? REGISTRY_MT_DOCKER_LIST : REGISTRY_MT_OCI_INDEX, body,
			       strlen(body), digest);
	free(body);
	return rc;
}
