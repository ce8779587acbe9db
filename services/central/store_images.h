/*
 * store_images.h - Central DB's images: each scanned image (keyed by its
 * manifest digest) with the names it was scanned under, its components and
 * CVE findings, and when each CVE was first seen in the system and in each
 * image. Searching, sorting and paging use shared/query.
 *
 * All SQL of images lives in store_images.c, whose opening comment gives the
 * tables, the indexes and the measured speed.
 *
 * Errors, for every function: ASEC_ENOTFOUND for an unknown id or name,
 * ASEC_EINVALID for a bad argument or document (the message says which),
 * and the database's failures as shared/db reports them (ASEC_EIO: the
 * database is unreachable, a handler answers 503).
 */
#ifndef ASEC_CENTRAL_STORE_IMAGES_H
#define ASEC_CENTRAL_STORE_IMAGES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "db/db.h"
#include "query/query.h"
#include "store_search.h"

/* Creates or updates the image tables (db_migrate component
 * "central-images"). */
int store_images_migrate(struct db_pool *pool);

/* The search fields of images (Image, Image Tag, Image Registry, CVE,
 * Fixable, Severity, CVSS, Component, ... as openapi/central.yaml lists them
 * for GET /v1/images), for query_parse(). */
const struct query_field *store_images_query_fields(size_t *count);

/*
 * Stores image (an Image as image_convert() makes it) in one transaction,
 * replacing its earlier scan, adding its name to its names, and recording
 * vuln_data_version (the matcher's data version it was matched against).
 * Fills image's vulns' firstSystemOccurrence and firstImageOccurrence from
 * the store (the earliest ever seen; now for new ones), and its names and
 * priority, so that image is what a later store_images_get() answers.
 * Concurrent puts, of one image or of many, are safe. The document is
 * checked first (id at most 79 bytes, names, RFC 3339 dates, severities,
 * no NUL in strings that become columns, at most 50,000 components and
 * 500,000 findings): ASEC_EINVALID or ASEC_ETOOBIG, nothing stored.
 */
int store_images_put(struct db_pool *pool, json_t *image, const char *vuln_data_version);

/* What the scan path needs to know about a name scanned before. */
struct store_image_ref {
	char id[80];                  /* manifest digest */
	char vuln_data_version[80];
	int64_t scan_time_ms;
};

/* The image last stored under full_name; ASEC_ENOTFOUND when none. */
int store_images_find_by_name(struct store_image_ref *out, struct db_pool *pool, const char *full_name);

/* The stored Image id (names, priority and first-seen times filled);
 * ASEC_ENOTFOUND when none. strip_description leaves vulns' summary out. */
int store_images_get(json_t **out, struct db_pool *pool, const char *id, int strip_description);

/* Adds full_name to the names of the stored image id and makes it the
 * image's name (a tag newly pointing at a known manifest). */
int store_images_add_name(struct db_pool *pool, const char *id, const char *full_name, const char *registry,
			  const char *remote, const char *tag);

/* One page of ListImage objects (openapi/central.yaml) matching q (NULL or
 * empty: all), as a JSON array. Sort fields are matched case-insensitively;
 * ties are broken by id; NULLs sort last both ways; Image Risk Priority
 * ascending (the default order) is riskiest first. Only fields of the image
 * row sort. An unknown or unsortable sort field, a limit
 * outside 1..1000 or an offset above 100,000,000 is ASEC_EINVALID with a
 * message naming it (and the sortable fields). */
int store_images_list(json_t **out, struct db_pool *pool, const struct query *q, const struct store_search_page *page);

int store_images_count(int64_t *out, struct db_pool *pool, const struct query *q);

/* Deletes (confirm) or counts (not confirm) the images matching q, with
 * their names, components and findings; CVEs keep their first sighting.
 * A NULL or empty query is ASEC_EINVALID: it would match every image. */
int store_images_delete(int64_t *out, struct db_pool *pool, const struct query *q, int confirm);

#endif
