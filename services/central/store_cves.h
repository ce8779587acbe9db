/*
 * store_cves.h - Central DB's CVE-centric view: the findings that
 * store_images.c keeps (image_cves, with their components and images)
 * grouped by CVE, and the description of each CVE as the latest stored
 * scan gave it (table cve_details, written by store_images_put()).
 *
 * Searches take the images' query language (store_images_query_fields()):
 * fields of the image select the findings of matching images, and the
 * finding and component fields (CVE, CVSS, Severity, Fixable, Fixed By,
 * Component, Component Version) select findings themselves, so that
 * "Image Registry:quay.io+Severity:critical" lists the CVEs with a
 * critical finding in an image from quay.io. A CVE's severity and CVSS are
 * the highest of its selected findings; it is fixable when one of them has
 * a fixed version.
 *
 * Errors, for every function: ASEC_ENOTFOUND for a CVE no stored image has,
 * ASEC_EINVALID for a bad page or sort field (the message names it), and the
 * database's failures as shared/db reports them (ASEC_EIO: a handler
 * answers 503).
 */
#ifndef ASEC_CENTRAL_STORE_CVES_H
#define ASEC_CENTRAL_STORE_CVES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "db/db.h"
#include "query/query.h"
#include "store_search.h"

/* ListCVE.summary: at most this many characters of the description. */
#define STORE_CVES_LIST_SUMMARY_CHARS 300

/*
 * One page of ListCVE objects (openapi/central.yaml) for the findings q
 * selects (NULL or empty: all), as a JSON array. Sort fields (any case):
 * CVE, CVSS, Severity, Image Count, First Seen; ascending unless reversed;
 * ties by CVE id in the same direction. Without a sort field: CVSS highest
 * first, ties by CVE id ascending.
 */
int store_cves_list(json_t **out, struct db_pool *pool, const struct query *q, const struct store_search_page *page);

/* The number of distinct CVEs store_cves_list() pages through for q. */
int store_cves_count(int64_t *out, struct db_pool *pool, const struct query *q);

/* A CVESummary object (openapi/central.yaml) of the findings q selects. */
int store_cves_summary(json_t **out, struct db_pool *pool, const struct query *q);

/*
 * A CVEDetail object for cve (exact id), with the page (limit 1..1000,
 * offset as store_search_page bounds it; its sort fields are ignored) of
 * its findings ordered by image name, image id, component and position.
 * ASEC_ENOTFOUND when no stored image has it.
 */
int store_cves_get(json_t **out, struct db_pool *pool, const char *cve, const struct store_search_page *page);

/*
 * Inside store_images_put()'s transaction: records the description of each
 * CVE of image (summary, link, scores, EPSS, KEV, advisory; the first
 * finding of a CVE in document order gives it) in cve_details, writing only
 * the rows that change, in CVE order so that racing puts cannot deadlock.
 */
int store_cves_put_details(PGconn *conn, const json_t *image);

#endif
