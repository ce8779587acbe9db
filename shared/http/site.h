/*
 * site.h - the static single-page app (the portal) served beside the API.
 *
 * A site is a built folder (index.html, assets/app-<hash>.js, ... with .gz
 * and .br siblings) read into memory once: requests are answered from a
 * sorted table of files, so a request path never reaches the filesystem and
 * cannot traverse out of the folder. The server consults the site only for
 * GET and HEAD requests that no OpenAPI operation took and that are not
 * under an API prefix (/v1/, /v2/, /v4/, /api/, /healthz, /readyz,
 * /metrics); those keep their problem answers.
 *
 * Answering is split from sending: http_site_resolve() decides status,
 * headers and bytes without a server, so that every rule (fallback to
 * index.html for app routes, encoding negotiation, caching, ETags) is tested
 * and fuzzed directly; http.c only copies the answer into the response.
 */
#ifndef ASEC_HTTP_SITE_H
#define ASEC_HTTP_SITE_H

#include <stddef.h>

struct http_site;
struct http_site_snapshot;

/* Bounds on what a load reads; 0 in a field means the default. */
struct http_site_options {
	size_t max_files;   /* default 2,000 regular files, variants included */
	size_t max_bytes;   /* default 64 MiB, all files together */
	unsigned max_depth; /* default 8 folder levels below dir */
	int no_reload;      /* do not reload when index.html changes */
};

/* Reads dir into memory. Fails with ASEC_ENOTFOUND when dir or its
 * index.html is missing, ASEC_ETOOBIG past a bound, ASEC_EIO otherwise.
 * Symbolic links are never followed; files whose names hold characters
 * outside [A-Za-z0-9._-] or start with "." are left out. */
int http_site_load(struct http_site **out, const char *dir);
int http_site_load_with(struct http_site **out, const char *dir, const struct http_site_options *opts);
void http_site_free(struct http_site *site);
/* How many files the site serves (variants not counted). */
size_t http_site_file_count(struct http_site *site);

#define HTTP_SITE_MAX_HEADERS 16

struct http_site_header {
	const char *name;
	const char *value;
};

/* What to send. Status 0 means "not the portal's": answer as the API does.
 * For 200 the body is the selected representation (also for HEAD, so that
 * Content-Length is right; the HTTP layer drops it). 404 carries only the
 * headers; the caller writes its problem body. Pointers stay valid until
 * http_site_answer_release(), which every resolved answer needs. */
struct http_site_answer {
	long status;
	const char *content_type;
	const unsigned char *body;
	size_t len;
	struct http_site_header headers[HTTP_SITE_MAX_HEADERS];
	size_t header_count;
	struct http_site_snapshot *snapshot; /* private: keeps body and headers alive */
};

/* path is the request's URL path as received (percent-encoded or not);
 * accept_encoding and if_none_match may be NULL. */
void http_site_resolve(struct http_site_answer *out, struct http_site *site, const char *method, const char *path,
		       const char *accept_encoding, const char *if_none_match);
void http_site_answer_release(struct http_site_answer *answer);

/* Exposed for tests. */
enum http_site_encoding { HTTP_SITE_IDENTITY = 0, HTTP_SITE_GZIP = 1, HTTP_SITE_BR = 2 };
/* Which of the available encodings (bits 1 << HTTP_SITE_GZIP ...) to send. */
enum http_site_encoding http_site_negotiate(const char *accept_encoding, unsigned available);
/* Whether a file name (relative to the site) carries a content hash. */
int http_site_name_is_hashed(const char *name);
/* Whether the path belongs to the API and never to the portal. */
int http_site_path_is_api(const char *path);

#endif
