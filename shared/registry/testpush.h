/*
 * testpush.h - pushes images to a test registry (tests only; never linked
 * into a service).
 *
 * Just enough of the push side of the Distribution API to fill a loopback
 * docker-registry with known content: monolithic blob uploads (POST, then
 * PUT with the whole body and ?digest=), manifest PUTs, and helpers that
 * build OCI/Docker manifests and indexes from what was pushed. Plain HTTP,
 * optional basic auth. The registry client's tests use it, and so can
 * end-to-end tests that need an image in a registry.
 */
#ifndef ASEC_INDEXER_TESTPUSH_H
#define ASEC_INDEXER_TESTPUSH_H

#include <stddef.h>

#include "registry/registry.h"

struct testpush;

/* hostport is "127.0.0.1:5000"; username/password NULL for none. */
int testpush_open(struct testpush **out, const char *hostport, const char *username, const char *password);

void testpush_close(struct testpush *p);

/* Uploads a blob (skipped when the registry already has it); digest gets its sha256. */
int testpush_blob(struct testpush *p, const char *repo, const void *data, size_t len,
		  char digest[REGISTRY_DIGEST_BUF]);

/* PUTs a manifest under reference (a tag, or its digest); digest gets its sha256. */
int testpush_manifest(struct testpush *p, const char *repo, const char *reference, const char *media_type,
		      const void *data, size_t len, char digest[REGISTRY_DIGEST_BUF]);

struct testpush_layer {
	const void *data;
	size_t len;
	const char *media_type; /* NULL: OCI tar+gzip, or Docker's rootfs.diff.tar.gzip for a Docker manifest */
};

/* Pushes config_json (NULL: a minimal linux/amd64 config) and the layers,
 * then a manifest naming them - OCI, or Docker schema 2 when docker is set -
 * under tag (NULL: by digest only). digest and size describe the manifest. */
int testpush_image(struct testpush *p, const char *repo, const char *tag, int docker, const char *config_json,
		   const struct testpush_layer *layers, size_t layer_count, char digest[REGISTRY_DIGEST_BUF],
		   size_t *size);

struct testpush_entry {
	const char *digest;
	size_t size;
	const char *os;
	const char *architecture;
	const char *variant; /* may be NULL */
};

/* Pushes an OCI index (a Docker manifest list when docker is set) of already
 * pushed manifests under tag. */
int testpush_index(struct testpush *p, const char *repo, const char *tag, int docker,
		   const struct testpush_entry *entries, size_t count, char digest[REGISTRY_DIGEST_BUF]);

/* Builds a manifest's JSON without pushing it (for hand-made hostile cases):
 * n layer descriptors all naming layer_digest/layer_size. Returns a malloc'd
 * string or NULL. */
char *testpush_manifest_json(int docker, const char *config_digest, size_t config_size, const char *layer_digest,
			     size_t layer_size, size_t n);

#endif
