/*
 * image_convert.h - the StackRox Image that central answers and stores, made
 * from what the indexer (IndexReport) and the matcher (VulnerabilityReport)
 * said about one image.
 *
 * Pure: no I/O, no clock, no globals. First-seen times and the risk
 * priority depend on every image central knows, so the store fills them
 * (store_images.h); everything else about an image is decided here and
 * documented for users in docs/images.md.
 */
#ifndef ASEC_CENTRAL_IMAGE_CONVERT_H
#define ASEC_CENTRAL_IMAGE_CONVERT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct image_convert_input {
	/* The name scanned, canonical (registry_ref_format): fullName, and
	 * its parts; tag NULL for a reference by digest alone. */
	const char *full_name;
	const char *registry;
	const char *remote;
	const char *tag;
	const json_t *index_report; /* IndexReport, openapi/scanner-indexer.yaml */
	const json_t *vuln_report;  /* VulnerabilityReport, openapi/scanner-matcher.yaml */
	const char *scanner_version;     /* scan.scannerVersion */
	const char *vuln_data_updated;   /* the matcher's lastVulnerabilityUpdate ("" unknown) */
	int64_t scan_time_ms;            /* Unix milliseconds: scan.scanTime and lastUpdated */
	/* The image integration whose credentials pulled it (metadata.dataSource);
	 * both NULL when pulled anonymously. */
	const char *registry_source_id;
	const char *registry_source_name;
};

/*
 * Builds the Image (openapi/central.yaml#/components/schemas/Image) into
 * *out: id = manifest digest, name and names = [name], metadata from the
 * image config, scan.components with their vulns, the counts, topCvss and
 * riskScore; priority 0 and no first-seen times (the store's part).
 * Fields of the wrong type in the reports are treated as absent, and every
 * string and array taken from them is bounded; what a bound leaves out is
 * said in scan.remarks and marks the scan PARTIAL_SCAN_DATA rather than
 * failing it. The same input always gives the same Image (no key-order or
 * clock dependence); image age is measured against scan_time_ms.
 * Errors: ASEC_EINVALID (a report that is not an object, an index report
 * without image.manifestDigest, a scan_time_ms outside years 1000-9999),
 * ASEC_ENOMEM.
 */
int image_convert(json_t **out, const struct image_convert_input *in);

/* ---- internal, exposed for image_convert_test.c only ---- */

/* The weight of one distinct CVE in riskScore: severity 0-4 (UNKNOWN ..
 * CRITICAL), cvss 0-10 (0 unscored), fixable and exploited 0/1. */
double image_convert__vuln_weight(int severity, double cvss, int fixable, int exploited);
/* riskScore from the weights of the distinct CVEs and the image's creation
 * time (INT64_MIN unknown) against now_ms. See docs/images.md. */
double image_convert__risk(const double *weights, size_t n, int64_t created_ms, int64_t now_ms);

#endif
