/*
 * registry.h - the indexer's OCI registry client: image references, manifests,
 * image configs and blobs, over the OCI Distribution API (Docker registry v2).
 *
 * Three layers, each usable alone:
 *
 *   - references (reference.c): "nginx", "quay.io/ns/app:1.4",
 *     "host:5000/app@sha256:...", "https://host/ns/app:tag", parsed and
 *     checked against the distribution grammar, with Docker Hub's defaults
 *     (docker.io, library/, :latest) applied;
 *   - documents (manifest.c): manifests, indexes and image configs parsed
 *     from bytes into plain structs, every size, count and string bounded,
 *     without any network - so the same code reads an OCI layout on disk;
 *   - the client (registry.c): fetches those documents and streams blobs,
 *     with anonymous, basic and bearer-token auth.
 *
 * Two ideas carry the trust model. Content is addressed: whatever a registry
 * sends is hashed, and a manifest, config or blob whose bytes do not match
 * the digest that named it is an error - a tag is the only thing taken on the
 * registry's word, and even then the Docker-Content-Digest it announces must
 * match the bytes. And credentials are scoped: they go only to the registry
 * they were given for (and the token service it names), only over HTTPS
 * unless the registry was explicitly marked insecure, never to a redirect
 * target on another host (httpclient drops Authorization), and never into a
 * log line or an error message.
 */
#ifndef ASEC_INDEXER_REGISTRY_H
#define ASEC_INDEXER_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "httpclient/httpclient.h"

/* Docker Hub: the domain a reference without one means, and the host its API
 * actually lives at. A public default of the reference format itself. */
#define REGISTRY_DOCKER_HUB "docker.io"
#define REGISTRY_DOCKER_HUB_API "registry-1.docker.io"

/* Bounds on what a reference may be. The name limit is distribution's
 * (domain, '/' and path together); the tag limit is the grammar's. */
#define REGISTRY_REF_MAX 1024
#define REGISTRY_NAME_MAX 255
#define REGISTRY_TAG_MAX 128

/* Bounds on what a registry may send. */
#define REGISTRY_MANIFEST_MAX ((size_t)4 << 20)  /* a manifest or index */
#define REGISTRY_CONFIG_MAX ((size_t)8 << 20)    /* an image config blob */
#define REGISTRY_MAX_LAYERS 1000                 /* layers of one manifest */
#define REGISTRY_MAX_INDEX_ENTRIES 1000          /* manifests of one index */
#define REGISTRY_MEDIA_TYPE_MAX 255
#define REGISTRY_TEXT_MAX 65536                  /* any free-text config string (env entry, created_by, label value) */
#define REGISTRY_CONFIG_LIST_MAX 4096            /* env entries, labels, cmd and entrypoint args, ports, volumes */
#define REGISTRY_HISTORY_MAX 10000
#define REGISTRY_DEFAULT_MAX_BLOB ((uint64_t)16 << 30)

/* "sha256:" + 64 hex or "sha512:" + 128 hex, and the NUL. */
#define REGISTRY_DIGEST_BUF 136

/* Media types this client knows. */
#define REGISTRY_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define REGISTRY_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define REGISTRY_MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define REGISTRY_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define REGISTRY_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define REGISTRY_MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define REGISTRY_MT_DOCKER_V1 "application/vnd.docker.distribution.manifest.v1+json"
#define REGISTRY_MT_DOCKER_V1_SIGNED "application/vnd.docker.distribution.manifest.v1+prettyjws"

/* ---- references ---- */

enum registry_scheme {
	REGISTRY_SCHEME_DEFAULT, /* no scheme written: HTTPS, or HTTP for an insecure client */
	REGISTRY_SCHEME_HTTPS,   /* written https://... */
	REGISTRY_SCHEME_HTTP,    /* written http://...: needs an insecure client */
};

struct registry_ref {
	char *domain;     /* "docker.io", "quay.io", "127.0.0.1:5000", "[::1]:5000"; lower case */
	char *repository; /* "library/nginx", "ns/app" */
	char *tag;        /* "latest" when neither tag nor digest was written; NULL with a digest alone */
	char *digest;     /* "sha256:<hex>"; NULL when not written. Wins over the tag when fetching. */
	enum registry_scheme scheme;
};

/* Parses a reference: [scheme://][domain/]path[:tag][@digest]. The first
 * path component is a domain when it holds a '.' or ':', is "localhost" or
 * is bracketed IPv6; otherwise the domain is docker.io, where a one-component
 * path gets "library/". "index.docker.io" is folded into docker.io. Path
 * components follow [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*, tags
 * [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}, digests are sha256 (64) or sha512 (128)
 * lower-case hex. Returns ASEC_EINVALID with a message naming what is wrong. */
int registry_ref_parse(struct registry_ref *out, const char *text);

void registry_ref_free(struct registry_ref *ref);

/* The canonical form: "docker.io/library/nginx:latest",
 * "quay.io/ns/app@sha256:...", "host:5000/app:1.0@sha256:...". No scheme,
 * except for a host that only a scheme marks as one ("https://registry/app"),
 * so that the canonical form always parses back to the same reference. */
int registry_ref_format(char **out, const struct registry_ref *ref);

/* Where the API of ref's registry lives: registry-1.docker.io for docker.io,
 * the domain itself otherwise. */
const char *registry_ref_api_host(const struct registry_ref *ref);

/* Folds a registry domain as references do ("Index.Docker.IO" ->
 * "docker.io"); for comparing a configured registry with a reference. */
int registry_domain_normalize(char **out, const char *domain);

/* ---- digests ---- */

/* ASEC_OK when digest is a well-formed sha256 or sha512 digest; otherwise
 * ASEC_EINVALID with a message. */
int registry_digest_check(const char *digest);

/* Computes "<algorithm>:<hex>" of data, algorithm "sha256" or "sha512". */
int registry_digest_compute(char out[REGISTRY_DIGEST_BUF], const char *algorithm, const void *data, size_t len);

/* ASEC_OK when data hashes to digest; ASEC_EINVALID ("<what> sha256:... does
 * not match its digest") otherwise. */
int registry_digest_verify(const char *digest, const void *data, size_t len, const char *what);

/* ---- platforms ---- */

#define REGISTRY_PLATFORM_FIELD 64

struct registry_platform {
	char os[REGISTRY_PLATFORM_FIELD];           /* "linux" */
	char architecture[REGISTRY_PLATFORM_FIELD]; /* "amd64", "arm64", "arm", "ppc64le", "s390x", ... */
	char variant[REGISTRY_PLATFORM_FIELD];      /* "v8", "v7", or "" */
};

/* Parses "os/arch[/variant]" ("linux/arm64/v8"), normalising the common
 * aliases (x86_64 -> amd64, aarch64 -> arm64, armhf -> arm/v7, ...). */
int registry_platform_parse(struct registry_platform *out, const char *text);

/* "os/arch" or "os/arch/variant" into buf (always NUL-terminated). */
void registry_platform_format(char *buf, size_t size, const struct registry_platform *p);

/* ---- documents ---- */

enum registry_layer_kind {
	REGISTRY_LAYER_TAR,
	REGISTRY_LAYER_GZIP,
	REGISTRY_LAYER_ZSTD,
	/* Not to be fetched: foreign and non-distributable layers (their bytes
	 * live elsewhere, under someone else's licence) and descriptors that are
	 * no image layer at all; manifest notes say which and why. */
	REGISTRY_LAYER_SKIPPED,
};

struct registry_layer {
	char *digest;
	char *media_type;
	int64_t size;
	enum registry_layer_kind kind; /* from the media type; the walker still sniffs the bytes */
};

/* An image manifest (OCI or Docker schema 2), and where it came from. */
struct registry_manifest {
	char *digest;       /* of the manifest's bytes: "sha256:..." */
	char *media_type;   /* REGISTRY_MT_OCI_MANIFEST or REGISTRY_MT_DOCKER_MANIFEST */
	size_t size;        /* bytes */
	/* Set when the reference named an index (or Docker manifest list) and
	 * this manifest was picked from it; NULL/empty otherwise. */
	char *index_digest;
	char *index_media_type;
	struct registry_platform platform;
	char *config_digest;
	char *config_media_type;
	int64_t config_size;
	struct registry_layer *layers; /* in order, base layer first */
	size_t layer_count;
	char **notes;       /* "layer 2 (sha256:...) is a foreign layer ...; skipped" */
	size_t note_count;
};

struct registry_index_entry {
	char *digest;
	char *media_type;
	int64_t size;
	int has_platform;
	struct registry_platform platform;
};

/* An OCI index or Docker manifest list. */
struct registry_index {
	char *media_type;
	struct registry_index_entry *entries;
	size_t entry_count;
};

struct registry_kv {
	char *key;
	char *value;
};

struct registry_history {
	char *created;
	char *created_by; /* the Dockerfile line, as the builder recorded it */
	char *author;
	char *comment;
	int empty_layer;  /* this step added no layer (ENV, CMD, ...) */
};

/* The image config blob: what the indexer puts into the image metadata.
 * Strings that were absent are NULL; lists that were absent are empty.
 *
 * env holds "NAME=value" entries exactly as the image has them. Values may be
 * secrets (passwords baked into images are what the env policies look for):
 * never log them, and never put them into an error message. */
struct registry_config {
	char *created;
	char *author;
	char *os;
	char *architecture;
	char *variant;
	char *user;
	char *working_dir;
	char *stop_signal;
	char **env;
	size_t env_count;
	char **entrypoint;
	size_t entrypoint_count;
	char **cmd;
	size_t cmd_count;
	struct registry_kv *labels;   /* sorted by key */
	size_t label_count;
	char **exposed_ports;         /* "80/tcp", sorted */
	size_t exposed_port_count;
	char **volumes;               /* sorted */
	size_t volume_count;
	char **diff_ids;              /* uncompressed layer digests, base first */
	size_t diff_id_count;
	struct registry_history *history;
	size_t history_count;
};

/* Parses a manifest or an index. content_type is the Content-Type the
 * registry sent (or NULL); the document's own mediaType wins when present,
 * and a document whose mediaType contradicts a specific Content-Type, or that
 * has both "manifests" and "layers", is refused as ambiguous. Docker schema 1
 * is refused with an error saying so. On success *is_index says which of
 * *manifest (digest, size and index fields left empty) or *index was filled;
 * the other is zeroed. */
int registry_document_parse(int *is_index, struct registry_manifest *manifest, struct registry_index *index,
			    const char *content_type, const void *data, size_t len);

/* Picks the entry for want (NULL: linux/amd64) from an index: os and
 * architecture must be equal; the variant must be equal when want has one,
 * with arm64's "" meaning "v8" and arm's "" meaning "v7". Entries that are not
 * image manifests (attestations, nested indexes) are never picked. Returns
 * ASEC_ENOTFOUND with the available platforms listed in the message. */
int registry_index_select(size_t *pos, const struct registry_index *index, const struct registry_platform *want);

int registry_config_parse(struct registry_config *out, const void *data, size_t len);

void registry_manifest_free(struct registry_manifest *m);
void registry_index_free(struct registry_index *idx);
void registry_config_free(struct registry_config *c);

/* ---- the client ---- */

struct registry_client;

struct registry_options {
	/* Credentials (NULL = anonymous), and the registry domain they belong
	 * to ("quay.io", "docker.io", "127.0.0.1:5000"), which is required with
	 * them: they are sent to that registry and to the token service its
	 * challenge names, and to nothing else. */
	const char *registry;
	const char *username;
	const char *password;
	/* Plain HTTP to the registry (and its token service); without it, every
	 * request is HTTPS and a reference written http:// is refused. */
	int insecure;
	/* HTTPS without checking the certificate (insecureSkipTlsVerify). */
	int skip_tls_verify;
	const char *ca_file; /* PEM bundle replacing the system trust store */
	/* Connection, retry, stall and proxy settings (NULL = httpclient's
	 * defaults with a 60 s total timeout). total_timeout_ms bounds each
	 * manifest, config and token request; blobs have blob_timeout_ms. */
	const struct httpclient_options *http;
	long blob_timeout_ms;    /* total time for one blob; 0 = none (the stall abort still applies) */
	uint64_t max_blob_bytes; /* 0 = REGISTRY_DEFAULT_MAX_BLOB */
};

/* Creates a client. It may be used by several threads at once; bearer tokens
 * are cached in it per (registry, scope) until they expire. */
int registry_client_new(struct registry_client **out, const struct registry_options *opts);

/* Frees the client and wipes the credentials and tokens it held. No request
 * may be running on it. NULL is allowed. */
void registry_client_free(struct registry_client *client);

/* The OCI distribution API check (GET /v2/), as docker login does it: does
 * the registry at domain ("quay.io", "127.0.0.1:5000", "docker.io") answer,
 * and does it accept the client's credentials? A 401 is answered as any
 * request's is - Basic with the credentials, or Bearer with a token from the
 * realm the challenge names (asked without a scope) - and the check retried.
 * scheme is how the registry was written: REGISTRY_SCHEME_HTTP needs an
 * insecure client. ASEC_OK when the registry answered 200 (with or without
 * credentials: a registry that needs none accepts any); ASEC_EAUTH when the
 * registry or its token service refused, the message saying what it
 * answered; ASEC_EINVALID for a 404 (no registry there) or plain HTTP
 * refused; ASEC_EIO or ASEC_ETIMEOUT, with the reason, when it could not be
 * reached. The message never holds the credentials. */
int registry_ping(struct registry_client *client, const char *domain, enum registry_scheme scheme);

/* Resolves ref to one image manifest: fetches what the digest (or else the
 * tag) names, verifies its digest, and when it is an index picks the manifest
 * for platform (NULL: linux/amd64) and fetches that by digest. Errors:
 * ASEC_ENOTFOUND (no such manifest, no such platform), ASEC_EAUTH (401/403),
 * ASEC_EINVALID (digest mismatch, schema 1, malformed document, plain HTTP
 * refused), ASEC_ETOOBIG (over a bound, including more than
 * REGISTRY_MAX_LAYERS layers), ASEC_ETIMEOUT, ASEC_EIO. */
int registry_fetch_manifest(struct registry_manifest *out, struct registry_client *client,
			    const struct registry_ref *ref, const struct registry_platform *platform);

/* Fetches the config blob manifest names, verifies digest and size, parses it. */
int registry_fetch_config(struct registry_config *out, struct registry_client *client,
			  const struct registry_ref *ref, const struct registry_manifest *manifest);

/* Called with each piece of a blob as it arrives; anything but ASEC_OK stops
 * the download and is returned (keep error_set() for the message). */
typedef int (*registry_blob_cb)(const void *data, size_t len, void *ctx);

/* Streams the blob digest of ref's repository to cb while hashing it; at the
 * end the hash must equal digest and, when expected_size >= 0, the length
 * must equal expected_size. A digest mismatch is ASEC_EINVALID ("blob
 * sha256:... does not match its digest"), so is a short blob; a longer one
 * is cut off as soon as it passes expected_size, with ASEC_ETOOBIG.
 *
 * The bytes are delivered before they can be verified: on any error, and in
 * particular on a digest mismatch, everything cb was given must be treated as
 * untrusted and thrown away (results derived from it included). A failed
 * download is not resumed: call again to start over. Redirects to blob
 * storage are followed without the registry's Authorization. */
int registry_fetch_blob(struct registry_client *client, const struct registry_ref *ref, const char *digest,
			int64_t expected_size, registry_blob_cb cb, void *ctx);

#endif
