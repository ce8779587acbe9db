/*
 * indexer.c - indexing one image (see indexer.h).
 *
 * A layer that is not cached is downloaded and scanned at the same time:
 * a download thread writes the blob into a pipe as it arrives and the
 * worker's layer_scan() reads the other end. The pipe's small kernel buffer
 * gives back-pressure for free, so a multi-gigabyte layer costs a few
 * hundred kilobytes of memory, and decompression overlaps the network. If
 * the scan stops early (a gzip bomb, a corrupt tar), closing the read end
 * makes the download fail with EPIPE and stop. If the download fails - in
 * particular when the blob does not match its digest - whatever the scan
 * found is discarded, never cached.
 *
 * Several layers of one image are indexed at once by a small pool of
 * worker threads that take layer numbers from a shared counter.
 */
#include "indexer.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error/error.h"
#include "httpclient/httpclient.h"
#include "log/log.h"
#include "registry/registry.h"
#include "report.h"
#include "store_index.h"

#define MAX_INFLIGHT 256

struct indexer {
	struct indexer_options opts;
	char *ca_file;
	char fingerprint[1024];
	pthread_mutex_t lock;
	pthread_cond_t changed;
	char *inflight[MAX_INFLIGHT]; /* hash ids being indexed now */
};

int indexer_new(struct indexer **out, const struct indexer_options *opts)
{
	struct indexer *ix = calloc(1, sizeof(*ix));
	size_t i, used = 0;

	*out = NULL;
	if (!ix)
		return ASEC_ENOMEM;
	ix->opts = *opts;
	if (!ix->opts.parallel_layers)
		ix->opts.parallel_layers = 2;
	if (!ix->opts.registry_timeout_ms)
		ix->opts.registry_timeout_ms = 30000;
	if (!ix->opts.registry_stall_s)
		ix->opts.registry_stall_s = 60;
	if (opts->ca_file && !(ix->ca_file = strdup(opts->ca_file))) {
		free(ix);
		return ASEC_ENOMEM;
	}
	ix->opts.ca_file = ix->ca_file;
	for (i = 0; i < detectors_all_count; i++) {
		int n = snprintf(ix->fingerprint + used, sizeof(ix->fingerprint) - used, "%s%s:%u", i ? "," : "",
				 detectors_all[i]->name, detectors_all[i]->version);
		if (n > 0 && (size_t)n < sizeof(ix->fingerprint) - used)
			used += (size_t)n;
	}
	pthread_mutex_init(&ix->lock, NULL);
	pthread_cond_init(&ix->changed, NULL);
	*out = ix;
	return ASEC_OK;
}

void indexer_free(struct indexer *ix)
{
	size_t i;

	if (!ix)
		return;
	for (i = 0; i < MAX_INFLIGHT; i++)
		free(ix->inflight[i]);
	pthread_mutex_destroy(&ix->lock);
	pthread_cond_destroy(&ix->changed);
	free(ix->ca_file);
	free(ix);
}

const char *indexer_fingerprint(const struct indexer *ix)
{
	return ix->fingerprint;
}

/* ---- coalescing concurrent requests ----------------------------------------------------- */

static int inflight_slot(struct indexer *ix, const char *key)
{
	int i;

	for (i = 0; i < MAX_INFLIGHT; i++)
		if (ix->inflight[i] && strcmp(ix->inflight[i], key) == 0)
			return i;
	return -1;
}

/* Waits while another request indexes the same report, then claims it.
 * Returns 1 when the caller waited (and should look in the store first). */
static int inflight_claim(struct indexer *ix, const char *key, int *claimed)
{
	int waited = 0, i;

	*claimed = 0;
	pthread_mutex_lock(&ix->lock);
	while (inflight_slot(ix, key) >= 0) {
		waited = 1;
		pthread_cond_wait(&ix->changed, &ix->lock);
	}
	for (i = 0; i < MAX_INFLIGHT; i++)
		if (!ix->inflight[i]) {
			ix->inflight[i] = strdup(key);
			*claimed = ix->inflight[i] != NULL;
			break;
		}
	pthread_mutex_unlock(&ix->lock);
	return waited;
}

static void inflight_release(struct indexer *ix, const char *key)
{
	int i;

	pthread_mutex_lock(&ix->lock);
	i = inflight_slot(ix, key);
	if (i >= 0) {
		free(ix->inflight[i]);
		ix->inflight[i] = NULL;
	}
	pthread_cond_broadcast(&ix->changed);
	pthread_mutex_unlock(&ix->lock);
}

/* ---- one layer -------------------------------------------------------------------------- */

struct download {
	struct registry_client *client;
	const struct registry_ref *ref;
	const struct registry_layer *layer;
	int fd;
	int rc;
	int reader_gone;  /* the download failed only because the scan stopped reading */
	char error[512];
};

static int write_to_pipe(const void *data, size_t len, void *ctx)
{
	struct download *d = ctx;
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(d->fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			d->reader_gone = 1;
			error_set("the layer scan stopped reading");
			return ASEC_EIO;
		}
		p += n;
		len -= (size_t)n;
	}
	return ASEC_OK;
}

static void *download_thread(void *arg)
{
	struct download *d = arg;

	d->rc = registry_fetch_blob(d->client, d->ref, d->layer->digest, d->layer->size, write_to_pipe, d);
	if (d->rc)
		snprintf(d->error, sizeof(d->error), "%s", error_last());
	close(d->fd);
	return NULL;
}

static ssize_t read_pipe(void *ctx, void *buf, size_t len)
{
	int fd = *(int *)ctx;

	for (;;) {
		ssize_t n = read(fd, buf, len);
		if (n >= 0)
			return n;
		if (errno != EINTR) {
			error_set("reading the layer: %s", strerror(errno));
			return -1;
		}
	}
}

/* Downloads and scans a layer with the given detectors. */
static int scan_layer(struct layer_result *out, struct indexer *ix, struct registry_client *client,
		      const struct registry_ref *ref, const struct registry_layer *layer,
		      const struct detector *const *detectors, size_t count)
{
	struct download d = {.client = client, .ref = ref, .layer = layer};
	struct layer_reader reader;
	pthread_t thread;
	int fds[2], rc;

	if (pipe2(fds, O_CLOEXEC) != 0) {
		error_set("cannot create a pipe: %s", strerror(errno));
		return ASEC_EIO;
	}
	d.fd = fds[1];
	if (pthread_create(&thread, NULL, download_thread, &d) != 0) {
		close(fds[0]);
		close(fds[1]);
		error_set("cannot start a download thread");
		return ASEC_ERROR;
	}
	reader.read = read_pipe;
	reader.ctx = &fds[0];
	rc = layer_scan(out, &reader, detectors, count, &ix->opts.limits);
	close(fds[0]); /* a download still running now fails with EPIPE and ends */
	pthread_join(thread, NULL);
	if (d.rc != ASEC_OK && !d.reader_gone) {
		/* The download failed on its own (stall, lost connection, bytes that
		 * are not what the digest promised). That is the cause to report -
		 * the scan only saw the stream end early - and nothing from those
		 * bytes stays. */
		if (rc == ASEC_OK)
			layer_result_free(out);
		error_set("%s", d.error);
		return d.rc;
	}
	if (rc != ASEC_OK)
		error_prefix("layer %s", layer->digest);
	return rc;
}

struct layer_job {
	struct layer_result result; /* one slot per detector of detectors_all */
	int rc;
	char error[512];
};

struct image_job {
	struct indexer *ix;
	struct registry_client *client;
	const struct registry_ref *ref;
	const struct registry_manifest *manifest;
	struct layer_job *layers;
	atomic_size_t next;
	atomic_int failed;
};

/* Moves the freshly scanned results into the slots that were not cached. */
static void merge_fresh(struct layer_result *into, struct layer_result *fresh, const int *cached)
{
	size_t i, j = 0;

	for (i = 0; i < into->result_count; i++) {
		if (cached[i])
			continue;
		into->results[i] = fresh->results[j];
		memset(&fresh->results[j], 0, sizeof(fresh->results[j]));
		j++;
	}
	/* Whiteouts and notes come from the walk itself, replacing any cached ones. */
	for (i = 0; i < into->whiteout_count; i++)
		free(into->whiteouts[i]);
	free(into->whiteouts);
	for (i = 0; i < into->opaque_count; i++)
		free(into->opaque_dirs[i]);
	free(into->opaque_dirs);
	scan_out_free(&into->notes);
	into->whiteouts = fresh->whiteouts;
	into->whiteout_count = fresh->whiteout_count;
	into->opaque_dirs = fresh->opaque_dirs;
	into->opaque_count = fresh->opaque_count;
	into->notes = fresh->notes;
	into->compression = fresh->compression;
	into->compressed_bytes = fresh->compressed_bytes;
	into->uncompressed_bytes = fresh->uncompressed_bytes;
	into->entries = fresh->entries;
	fresh->whiteouts = fresh->opaque_dirs = NULL;
	fresh->whiteout_count = fresh->opaque_count = 0;
	memset(&fresh->notes, 0, sizeof(fresh->notes));
}

static int index_one_layer(struct image_job *job, size_t n)
{
	struct indexer *ix = job->ix;
	const struct registry_layer *layer = &job->manifest->layers[n];
	struct layer_result *result = &job->layers[n].result;
	struct layer_result fresh;
	const struct detector *missing[64];
	int cached[64], have_facts = 0, rc;
	size_t i, missing_count = 0;

	if (layer->kind == REGISTRY_LAYER_SKIPPED)
		return ASEC_OK;
	rc = store_index_layer_load(result, cached, &have_facts, ix->opts.pool, layer->digest, detectors_all,
				    detectors_all_count);
	if (rc)
		return rc;
	for (i = 0; i < detectors_all_count; i++)
		if (!cached[i] || !have_facts) {
			cached[i] = 0;
			missing[missing_count++] = detectors_all[i];
		}
	if (missing_count == 0)
		return ASEC_OK;
	/* Slots about to be refilled from a fresh scan start empty. */
	for (i = 0; i < detectors_all_count; i++)
		if (!cached[i]) {
			const struct detector *d = result->results[i].detector;
			size_t f;
			scan_out_free(&result->results[i].out);
			for (f = 0; f < result->results[i].file_count; f++)
				free(result->results[i].files[f]);
			free(result->results[i].files);
			memset(&result->results[i], 0, sizeof(result->results[i]));
			result->results[i].detector = d;
		}
	memset(&fresh, 0, sizeof(fresh));
	rc = scan_layer(&fresh, ix, job->client, job->ref, layer, missing, missing_count);
	if (rc)
		return rc;
	rc = store_index_layer_save(ix->opts.pool, layer->digest, &fresh);
	if (rc)
		log_warn("could not cache layer %s: %s", layer->digest, error_last());
	merge_fresh(result, &fresh, cached);
	layer_result_free(&fresh);
	return ASEC_OK;
}

static void *layer_worker(void *arg)
{
	struct image_job *job = arg;
	size_t n;

	while (!atomic_load(&job->failed) && (n = atomic_fetch_add(&job->next, 1)) < job->manifest->layer_count) {
		struct layer_job *lj = &job->layers[n];
		error_clear();
		lj->rc = index_one_layer(job, n);
		if (lj->rc) {
			snprintf(lj->error, sizeof(lj->error), "%s", error_last());
			atomic_store(&job->failed, 1);
		}
	}
	return NULL;
}

/* ---- the report ------------------------------------------------------------------------- */

static json_t *string_list(char *const *items, size_t count)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < count; i++)
		json_array_append_new(a, json_string(items[i]));
	return a;
}

static json_t *image_metadata(const struct registry_manifest *m, const struct registry_config *c)
{
	json_t *layers = json_array(), *config = json_object(), *labels = json_object(), *history = json_array();
	char platform[3 * REGISTRY_PLATFORM_FIELD + 3];
	size_t i;

	for (i = 0; i < m->layer_count; i++)
		json_array_append_new(layers, json_pack("{s:s, s:s, s:I}", "digest", m->layers[i].digest, "mediaType",
						       m->layers[i].media_type ? m->layers[i].media_type : "", "size",
						       (json_int_t)m->layers[i].size));
	if (c->created)
		json_object_set_new(config, "created", json_string(c->created));
	if (c->user)
		json_object_set_new(config, "user", json_string(c->user));
	json_object_set_new(config, "entrypoint", string_list(c->entrypoint, c->entrypoint_count));
	json_object_set_new(config, "cmd", string_list(c->cmd, c->cmd_count));
	for (i = 0; i < c->label_count; i++)
		json_object_set_new(labels, c->labels[i].key, json_string(c->labels[i].value ? c->labels[i].value : ""));
	json_object_set_new(config, "labels", labels);
	/* Environment variable names only: their values may be secrets. */
	{
		json_t *names = json_array();
		for (i = 0; i < c->env_count; i++)
			json_array_append_new(names, json_stringn(c->env[i], strcspn(c->env[i], "=")));
		json_object_set_new(config, "envNames", names);
	}
	for (i = 0; i < c->history_count; i++) {
		json_t *h = json_object();
		if (c->history[i].created)
			json_object_set_new(h, "created", json_string(c->history[i].created));
		if (c->history[i].created_by)
			json_object_set_new(h, "createdBy", json_string(c->history[i].created_by));
		json_object_set_new(h, "emptyLayer", json_boolean(c->history[i].empty_layer));
		json_array_append_new(history, h);
	}
	json_object_set_new(config, "history", history);
	json_object_set_new(config, "exposedPorts", string_list(c->exposed_ports, c->exposed_port_count));
	registry_platform_format(platform, sizeof(platform), &m->platform);
	return json_pack("{s:s, s:s, s:s, s:o, s:o}", "manifestDigest", m->digest, "mediaType",
			 m->media_type ? m->media_type : "", "platform", platform, "layers", layers, "config", config);
}

static int build_report(json_t **report, const char *hash_id, const struct registry_manifest *m,
			const struct registry_config *config, struct layer_job *layers)
{
	const char **digests = calloc(m->layer_count ? m->layer_count : 1, sizeof(*digests));
	struct layer_result *results = calloc(m->layer_count ? m->layer_count : 1, sizeof(*results));
	json_t *contents = NULL, *notes = json_array();
	size_t i, n = 0;
	int rc = ASEC_ENOMEM;

	*report = NULL;
	if (!digests || !results || !notes)
		goto out;
	for (i = 0; i < m->note_count; i++)
		json_array_append_new(notes, json_string(m->notes[i]));
	for (i = 0; i < m->layer_count; i++) {
		if (m->layers[i].kind == REGISTRY_LAYER_SKIPPED)
			continue;
		digests[n] = m->layers[i].digest;
		results[n++] = layers[i].result; /* shallow: the jobs keep ownership */
	}
	rc = report_assemble(&contents, notes, digests, results, n);
	if (rc)
		goto out;
	*report = json_pack("{s:s, s:s, s:b, s:s, s:o, s:o, s:O}", "hashId", hash_id, "state", "IndexFinished", "success", 1,
			    "err", "", "contents", contents, "image", image_metadata(m, config), "notes", notes);
	contents = NULL;
	if (!*report)
		rc = ASEC_ENOMEM;
out:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory building the index report");
	json_decref(contents);
	json_decref(notes);
	free(digests);
	free(results);
	return rc;
}

/* ---- indexer_index ---------------------------------------------------------------------- */

static int registry_for(struct registry_client **out, struct indexer *ix, const struct registry_ref *ref,
			const struct index_request *req, struct httpclient_options *http)
{
	struct registry_options o = {
		.registry = ref->domain,
		.username = req->username && req->username[0] ? req->username : NULL,
		.password = req->password && req->password[0] ? req->password : NULL,
		.insecure = ref->scheme == REGISTRY_SCHEME_HTTP,
		.skip_tls_verify = req->insecure_skip_tls_verify,
		.ca_file = ix->opts.ca_file,
		.http = http,
	};

	httpclient_options_init(http);
	http->total_timeout_ms = ix->opts.registry_timeout_ms;
	http->low_speed_time_s = ix->opts.registry_stall_s;
	return registry_client_new(out, &o);
}

int indexer_index(json_t **report, int *created, struct indexer *ix, const struct index_request *req)
{
	struct registry_ref ref;
	struct registry_platform platform;
	struct registry_manifest manifest;
	struct registry_config config;
	struct registry_client *client = NULL;
	struct httpclient_options http;
	struct image_job job;
	pthread_t workers[16];
	char *hash_id = NULL, *stored_fingerprint = NULL;
	size_t i, started = 0;
	int rc, claimed = 0;

	*report = NULL;
	*created = 0;
	memset(&ref, 0, sizeof(ref));
	memset(&manifest, 0, sizeof(manifest));
	memset(&config, 0, sizeof(config));
	memset(&job, 0, sizeof(job));
	if ((rc = registry_ref_parse(&ref, req->image)))
		goto out;
	if ((rc = registry_platform_parse(&platform, req->platform ? req->platform : "linux/amd64")))
		goto out;
	if ((rc = registry_for(&client, ix, &ref, req, &http)))
		goto out;
	if ((rc = registry_fetch_manifest(&manifest, client, &ref, &platform)))
		goto out;
	if (req->hash_id && req->hash_id[0])
		hash_id = strdup(req->hash_id);
	else if (asprintf(&hash_id, "/v4/containerimage/%s", manifest.digest) < 0)
		hash_id = NULL;
	if (!hash_id) {
		rc = ASEC_ENOMEM;
		goto out;
	}

	inflight_claim(ix, hash_id, &claimed);
	if (!claimed) {
		error_set("too many images are being indexed at once");
		rc = ASEC_ETIMEOUT;
		goto out;
	}
	/* Answer from the store when this manifest was indexed by these detectors. */
	if (store_index_report_get(report, &stored_fingerprint, ix->opts.pool, hash_id) == ASEC_OK) {
		const char *digest = json_string_value(json_object_get(json_object_get(*report, "image"), "manifestDigest"));
		if (digest && strcmp(digest, manifest.digest) == 0 && stored_fingerprint &&
		    strcmp(stored_fingerprint, ix->fingerprint) == 0)
			goto out;
		json_decref(*report);
		*report = NULL;
	}

	if ((rc = registry_fetch_config(&config, client, &ref, &manifest)))
		goto out;
	job.ix = ix;
	job.client = client;
	job.ref = &ref;
	job.manifest = &manifest;
	job.layers = calloc(manifest.layer_count ? manifest.layer_count : 1, sizeof(*job.layers));
	if (!job.layers) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	for (i = 0; i < ix->opts.parallel_layers && i < manifest.layer_count && i < 16; i++)
		if (pthread_create(&workers[i], NULL, layer_worker, &job) == 0)
			started++;
	if (!started && manifest.layer_count)
		layer_worker(&job);
	for (i = 0; i < started; i++)
		pthread_join(workers[i], NULL);
	for (i = 0; i < manifest.layer_count; i++)
		if (job.layers[i].rc) {
			rc = job.layers[i].rc;
			error_set("%s", job.layers[i].error);
			goto out;
		}
	if ((rc = build_report(report, hash_id, &manifest, &config, job.layers)))
		goto out;
	if ((rc = store_index_report_put(ix->opts.pool, hash_id, manifest.digest, ix->fingerprint, *report))) {
		json_decref(*report);
		*report = NULL;
		goto out;
	}
	*created = 1;
	log_event(LOG_LEVEL_INFO, "image indexed",
		  json_pack("{s:s, s:s, s:I, s:I}", "hashId", hash_id, "manifest", manifest.digest, "layers",
			    (json_int_t)manifest.layer_count, "packages",
			    (json_int_t)json_object_size(json_object_get(json_object_get(*report, "contents"), "packages"))));
out:
	if (claimed)
		inflight_release(ix, hash_id);
	if (job.layers) {
		for (i = 0; i < manifest.layer_count; i++)
			layer_result_free(&job.layers[i].result);
		free(job.layers);
	}
	free(stored_fingerprint);
	free(hash_id);
	registry_config_free(&config);
	registry_manifest_free(&manifest);
	registry_client_free(client);
	registry_ref_free(&ref);
	if (rc && *report) {
		json_decref(*report);
		*report = NULL;
	}
	return rc;
}
