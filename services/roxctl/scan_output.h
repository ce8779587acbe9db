/*
 * scan_output.h - what `roxctl image scan` prints: table, json, csv, SARIF.
 *
 * The input is the StackRox `Image` object that central's
 * POST /v1/images/scan returns (jansson tree, owned by the caller). Every
 * format is made from the same list of rows, one per (component,
 * vulnerability) pair that passes the severity filter, in StackRox's order,
 * so that the four formats and the --fail gate always agree. The shapes are
 * those of StackRox's own roxctl (JSON keys, CSV header, SARIF rule ids and
 * levels), so CI scripts written for it keep working; docs/roxctl-output.md
 * is the reference for users.
 *
 * The functions are pure: no global state, no environment, no locale; the
 * only side effect is writing to the FILE given.
 */
#ifndef ASEC_ROXCTL_SCAN_OUTPUT_H
#define ASEC_ROXCTL_SCAN_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

enum scan_format {
	SCAN_FORMAT_TABLE,
	SCAN_FORMAT_JSON,
	SCAN_FORMAT_CSV,
	SCAN_FORMAT_SARIF,
};

/* StackRox's four severities, lowest first. UNKNOWN (and anything
 * unrecognised) is reported as LOW, as StackRox's roxctl does. */
enum scan_severity {
	SCAN_SEVERITY_LOW,
	SCAN_SEVERITY_MODERATE,
	SCAN_SEVERITY_IMPORTANT,
	SCAN_SEVERITY_CRITICAL,
	SCAN_SEVERITY_COUNT,
};

/* Rows (component, vulnerability pairs) above which the input is refused
 * with ASEC_ETOOBIG; a real image has a few thousand. */
#define SCAN_OUTPUT_MAX_ROWS 500000


struct scan_output_options {
	/* NULL-terminated list of severity names to include ("LOW",
	 * "MODERATE", "IMPORTANT", "CRITICAL", any case); NULL means all. */
	const char *const *severities;
	/* ANSI colours on the table's SEVERITY cells (never in other formats). */
	bool colour;
	/* The image as the user named it; shown in the table's first line and
	 * used as the SARIF artifact URI. NULL: the image's name.fullName. */
	const char *image_ref;
	/* SARIF tool.driver.version. NULL: this build's version. */
	const char *tool_version;
	/* 0: SCAN_OUTPUT_MAX_ROWS. Tests lower it. */
	size_t max_rows;
};

struct scan_summary {
	/* Distinct CVE ids per severity (a CVE found in three components
	 * counts once, with the severity of its first finding). */
	unsigned by_severity[SCAN_SEVERITY_COUNT];
	unsigned total_vulnerabilities; /* distinct CVE ids */
	unsigned total_components;      /* components with at least one row */
	unsigned rows;                  /* (component, vulnerability) pairs */
};

/*
 * Writes image's scan results to out in the given format, keeping only the
 * severities opts->severities names (opts may be NULL: all severities, no
 * colour). Fields of the wrong type inside the image are treated as absent;
 * an image that is not an object is refused.
 * Returns ASEC_OK; ASEC_EINVALID (bad arguments, unknown severity name,
 * image not an object); ASEC_ETOOBIG (more rows than max_rows);
 * ASEC_ENOMEM; ASEC_EIO (writing to out failed). error_last() says which.
 */
int scan_output_write(FILE *out, const json_t *image, enum scan_format fmt,
		      const struct scan_output_options *opts);

/*
 * Counts what scan_output_write() would show for these severities
 * (NULL: all): the numbers of StackRox's summary, and what --fail tests
 * (total_vulnerabilities > 0 fails the gate).
 * Returns ASEC_OK, ASEC_EINVALID, ASEC_ETOOBIG or ASEC_ENOMEM.
 */
int scan_output_summary(struct scan_summary *out, const json_t *image, const char *const *severities);

/* "table", "json", "csv", "sarif" (any case) to the enum; ASEC_EINVALID
 * with error_set() for anything else. */
int scan_output_parse_format(enum scan_format *out, const char *name);

/* "LOW", "MODERATE", "IMPORTANT", "CRITICAL" (any case), or the API's
 * "<NAME>_VULNERABILITY_SEVERITY", to the enum; ASEC_EINVALID otherwise. */
int scan_output_parse_severity(enum scan_severity *out, const char *name);

/* The upper-case name StackRox prints ("CRITICAL"). */
const char *scan_output_severity_name(enum scan_severity severity);

#endif
