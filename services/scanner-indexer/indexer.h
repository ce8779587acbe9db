/*
 * indexer.h - indexing one image: manifest, layers, detectors, report.
 *
 * indexer_index() resolves the image's manifest, answers a stored report
 * when the same manifest was indexed by the same detector set, and otherwise
 * indexes it: every layer whose results are not cached is downloaded once
 * and scanned as it streams in, several layers at a time; the per-layer
 * results are stored; the layers are stacked into the report, which is
 * stored under its hash id. Concurrent calls for the same manifest wait for
 * the first one and then read its report, so the work is done once.
 */
#ifndef ASEC_INDEXER_INDEXER_H
#define ASEC_INDEXER_INDEXER_H

#include <jansson.h>

#include "db/db.h"
#include "layer.h"

struct indexer;

struct indexer_options {
	struct db_pool *pool;
	unsigned parallel_layers;       /* layers downloaded and scanned at once; 0 = 2 */
	struct layer_limits limits;
	long registry_timeout_ms;       /* per registry request (manifests, tokens); 0 = 30 s */
	long registry_stall_s;          /* a blob download that delivers nothing for this long fails; 0 = 60 */
	const char *ca_file;            /* extra CA for registries (NULL: the system's) */
};

struct index_request {
	const char *hash_id;            /* NULL: /v4/containerimage/<manifest digest> */
	const char *image;              /* reference or URL form */
	const char *username;
	const char *password;
	int insecure_skip_tls_verify;
	const char *platform;           /* NULL: linux/amd64 */
};

int indexer_new(struct indexer **out, const struct indexer_options *opts);
void indexer_free(struct indexer *ix);

/* *report is the IndexReport; *created is 1 when the image was indexed now,
 * 0 when the stored report was answered. Errors: ASEC_EINVALID (a bad
 * reference or platform, or content the registry sent that is not a valid
 * image: callers that checked the reference first know it is the latter),
 * ASEC_ENOTFOUND (no such image or platform), ASEC_EAUTH (the registry
 * refused the credentials), ASEC_ETOOBIG (the image exceeds a bound),
 * ASEC_EIO (the registry is unreachable or not a registry), ASEC_ETIMEOUT. */
int indexer_index(json_t **report, int *created, struct indexer *ix, const struct index_request *req);

/* The detector set's fingerprint ("dpkg:1,rpm:2,..."), stored with reports. */
const char *indexer_fingerprint(const struct indexer *ix);

#endif
