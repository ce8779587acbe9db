/*
 * check_output.h - what `roxctl image check` and `roxctl deployment check`
 * print (table, json, junit, SARIF), and whether they fail the pipeline.
 *
 * Input is central's alerts (StackRox `Alert` JSON objects, jansson trees
 * owned by the caller): the `alerts` of POST /v1/detect/build, or the
 * `alerts` of each run of POST /v1/detect/deploy/yaml. The caller names the
 * entity (image or deployment) each batch of alerts belongs to; alerts of
 * one policy on one entity are merged into one "violated policy" whose
 * violations are the alerts' violation messages, as StackRox's roxctl does.
 * Every format is made from that one report, sorted once (entities by type
 * then name, policies by severity, worst first, then by name), so the four
 * formats, the summary line and the exit status always agree.
 *
 * Whether a violated policy fails the check is decided here and only here
 * (check_output_policy_fails): FAIL_BUILD_ENFORCEMENT for an image check,
 * any deploy-time enforcement for a deployment check. Everything else is a
 * warning.
 *
 * The functions are pure: no environment, no locale, no global state; the
 * only side effect is writing to the FILE given. Strings from central (and
 * so from whoever wrote the policies or the YAML) are made safe for each
 * format: no control characters reach a terminal, XML and JSON are escaped,
 * SARIF URIs are percent-encoded.
 */
#ifndef ASEC_ROXCTL_CHECK_OUTPUT_H
#define ASEC_ROXCTL_CHECK_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

enum check_kind {
	CHECK_KIND_IMAGE,      /* build time: FAIL_BUILD_ENFORCEMENT breaks the build */
	CHECK_KIND_DEPLOYMENT, /* deploy time: a deploy-time enforcement breaks the deploy */
};

enum check_format {
	CHECK_FORMAT_TABLE,
	CHECK_FORMAT_JSON,
	CHECK_FORMAT_JUNIT,
	CHECK_FORMAT_SARIF,
};

/* StackRox's policy severities, lowest first; anything unknown is LOW. */
enum check_severity {
	CHECK_SEVERITY_LOW,
	CHECK_SEVERITY_MEDIUM,
	CHECK_SEVERITY_HIGH,
	CHECK_SEVERITY_CRITICAL,
	CHECK_SEVERITY_COUNT,
};

/* Limits on what one report holds; beyond them ASEC_ETOOBIG. */
#define CHECK_OUTPUT_MAX_ENTITIES 10000
#define CHECK_OUTPUT_MAX_POLICIES 100000   /* violated policies over all entities */
#define CHECK_OUTPUT_MAX_VIOLATIONS 500000 /* violation messages over all policies */

/* The entity a batch of alerts is about. Strings are copied. */
struct check_entity {
	const char *name;      /* image as the user named it, or deployment name */
	const char *type;      /* "image", or the workload kind ("Deployment", "DaemonSet", ...) */
	const char *namespace; /* deployments only; may be NULL */
	const char *id;        /* metadata.id of the JSON output; NULL: "" */
	const char *source;    /* SARIF artifact: the image reference or the YAML file; NULL: name */
};

struct check_report;

struct check_output_options {
	bool colour;              /* ANSI colours on the table's SEVERITY cells */
	const char *tool_version; /* SARIF tool.driver.version; NULL: this build's */
};

struct check_summary {
	unsigned by_severity[CHECK_SEVERITY_COUNT]; /* violated policies, summed over entities */
	unsigned total;                             /* violated policies, summed over entities */
	unsigned failing;                           /* of those, the ones that fail the check */
	unsigned entities;
};

/* A new, empty report for one kind of check. ASEC_ENOMEM. */
int check_report_new(struct check_report **out, enum check_kind kind);

void check_report_free(struct check_report *report);

/*
 * Adds an entity and the alerts found on it (a JSON array of Alert
 * objects; NULL or an empty array: a clean entity, which still appears in
 * every format). An entity with the same type and name as an earlier one
 * is the same entity. Alerts that are not objects, or have no policy, are
 * skipped; fields of the wrong type count as absent.
 * Returns ASEC_OK, ASEC_EINVALID (no entity name, alerts not an array),
 * ASEC_ETOOBIG, ASEC_ENOMEM.
 */
int check_report_add(struct check_report *report, const struct check_entity *entity, const json_t *alerts);

/*
 * The answer of POST /v1/detect/build ({"alerts": [...]}) for the image
 * the user named (image_ref: the entity's name, id and SARIF artifact).
 * ASEC_EINVALID when response is not an object; else as check_report_add.
 */
int check_report_add_build(struct check_report *report, const json_t *response, const char *image_ref);

/*
 * The answer of POST /v1/detect/deploy/yaml ({"runs": [{name, type,
 * alerts}], ...}) for one YAML file (source: the SARIF artifact); each run
 * is one entity, in namespace (NULL: the namespace of its alerts'
 * deployment, else ""). ASEC_EINVALID when response is not an object or
 * "runs" is not a list; else as check_report_add.
 */
int check_report_add_deploy(struct check_report *report, const json_t *response, const char *source,
			    const char *namespace);

/* The counts of the report (what the table's summary line says and what
 * decides the exit status: failing > 0 fails the check). */
void check_report_summary(struct check_summary *out, const struct check_report *report);

/*
 * Writes the report in the given format. Table: a heading, the summary
 * line "(TOTAL: n, LOW: n, MEDIUM: n, HIGH: n, CRITICAL: n)", the table,
 * and a last line naming the policies that fail the check. JSON:
 * StackRox's {"results":[{metadata, summary, violatedPolicies}], summary}.
 * JUnit: one <testsuite> per entity, one <testcase> per violated policy,
 * <failure> for those that fail the check, <skipped> for warnings. SARIF
 * 2.1.0: one rule per policy, one result per violation, level "error" for
 * policies that fail the check and "warning" otherwise.
 * Returns ASEC_OK, ASEC_EINVALID, ASEC_ENOMEM, ASEC_EIO.
 */
int check_report_write(FILE *out, const struct check_report *report, enum check_format fmt,
		       const struct check_output_options *opts);

/*
 * What StackRox's roxctl writes to standard error after a table: "WARN: A
 * total of n policies have been violated", and for each policy that fails
 * the check "ERROR: Policy "name" - Possible remediation: "...""; nothing
 * when nothing was violated. Returns ASEC_OK or ASEC_EIO.
 */
int check_report_write_notes(FILE *err, const struct check_report *report);

/* Whether a policy (a StackRox Policy object) fails a check of this kind:
 * its enforcementActions hold FAIL_BUILD_ENFORCEMENT (image), or
 * SCALE_TO_ZERO_, UNSATISFIABLE_NODE_CONSTRAINT_, FAIL_DEPLOYMENT_CREATE_ or
 * FAIL_DEPLOYMENT_UPDATE_ENFORCEMENT (deployment). */
bool check_output_policy_fails(enum check_kind kind, const json_t *policy);

/* "LOW", "MEDIUM", "HIGH", "CRITICAL", or the API's "<NAME>_SEVERITY"
 * (any case); anything else is LOW, as in StackRox's roxctl. */
enum check_severity check_output_parse_severity(const char *name);

/* "table", "json", "junit", "sarif" (any case); ASEC_EINVALID otherwise,
 * with error_set(). */
int check_output_parse_format(enum check_format *out, const char *name);

#endif
