/*
 * image_scan.h - central's image scan: registry credentials, the indexer, the
 * matcher, the store, in that order, with the rules that keep a CI pipeline's
 * repeated scans cheap.
 *
 *  - A known image is answered from Central DB unless the caller forces a
 *    scan, the name now points at another manifest, or the matcher's data
 *    changed since the image was matched. Only the registry knows what a
 *    tag names now, so central asks it for the manifest (one small GET)
 *    every time; the indexer is asked only for a manifest central has not
 *    matched against the current data, and it answers a manifest it
 *    indexed before from its own store without touching the layers.
 *  - Re-matching never re-indexes: an image's packages are a function of its
 *    manifest digest.
 *  - Concurrent scans of one name do the work once; the others wait for it
 *    and get a copy of its outcome, failure included.
 *
 * Order of a scan: integration credentials, the manifest digest from the
 * registry, the matcher's data version, the store; then, when needed, the
 * indexer (pinned to that digest), the matcher, the store again.
 *
 * A failure is an outcome too, with the HTTP status and the words the caller
 * should see, because it may be handed to other threads (coalescing), where
 * error_last() would say nothing.
 */
#ifndef ASEC_CENTRAL_IMAGE_SCAN_H
#define ASEC_CENTRAL_IMAGE_SCAN_H

#include <jansson.h>

#include "db/db.h"
#include "httpclient/httpclient.h"
#include "secretbox/secretbox.h"

struct image_scanner;

struct image_scanner_options {
	const char *indexer_url; /* "https://scanner-v4-indexer:8443" */
	const char *matcher_url;
	/* Mutual TLS: central's own certificate and key, and the CA that issued
	 * the scanners' certificates (NULL: the system store). */
	const char *cert_file;
	const char *key_file;
	const char *ca_file;
	long timeout_ms;          /* one whole scan's calls to the indexer */
	long matcher_timeout_ms;  /* one call to the matcher */
	struct db_pool *pool;
	const struct secretbox_key *secrets;
};

int image_scanner_new(struct image_scanner **out, const struct image_scanner_options *opts);

/* No scan may be running. NULL is allowed. */
void image_scanner_free(struct image_scanner *scanner);

struct image_scan_outcome {
	json_t *image;      /* the Image on success (status 200), else NULL */
	long status;        /* HTTP status to answer */
	char title[64];     /* problem title on failure */
	char detail[1024];  /* problem detail on failure: never a secret */
};

/* Scans image_name (force: match again even when nothing changed) and fills
 * out; free its image with json_decref(). Always returns ASEC_OK unless
 * out of memory: the outcome carries failures. */
int image_scanner_scan(struct image_scan_outcome *out, struct image_scanner *scanner, const char *image_name,
		       int force);

/* A health probe's whole budget (connect included); never retried. */
#define IMAGE_SCANNER_PROBE_TIMEOUT_MS 2000L

enum image_scanner_service {
	IMAGE_SCANNER_INDEXER,
	IMAGE_SCANNER_MATCHER,
};

/*
 * GETs path ("/readyz", "/v4/metadata") of the indexer or the matcher with
 * the scans' TLS identity, within IMAGE_SCANNER_PROBE_TIMEOUT_MS, for
 * system_health.c. Fills resp as httpclient_do() does (free it with
 * httpclient_response_free()); codes as httpclient_do()'s.
 */
int image_scanner_probe(struct httpclient_response *resp, struct image_scanner *scanner,
			enum image_scanner_service which, const char *path);

#endif
