/*
 * policy.h - StackRox's policies: the JSON model, its validation, and the
 * engine that decides whether an image, a deployment or a process violates
 * a policy. Central evaluates build and deploy policies now; sensor and
 * admission control will evaluate the same policies with the same code.
 *
 * THE MODEL is StackRox's policy JSON, field for field (proto storage.Policy):
 * id, name, description, rationale, remediation, disabled, categories[],
 * lifecycleStages[BUILD|DEPLOY|RUNTIME], eventSource (NOT_APPLICABLE|
 * DEPLOYMENT_EVENT|AUDIT_LOG_EVENT|NODE_EVENT), severity (LOW_SEVERITY ..
 * CRITICAL_SEVERITY), enforcementActions[], notifiers[], scope[{cluster,
 * namespace, label{key,value}}], exclusions[{name, deployment{name, scope},
 * image{name}, expiration}], policySections[{sectionName, policyGroups[
 * {fieldName, booleanOperator (OR|AND), negate, values[{value}]}]}],
 * mitreAttackVectors[{tactic, techniques[]}], criteriaLocked,
 * mitreVectorsLocked, isDefault, policyVersion ("1.1"), source.
 *
 * SEMANTICS: a policy fires when any section matches; inside a section every
 * group must match; a group's values combine with OR (AND with
 * booleanOperator AND); negate inverts the group. Groups of one section are
 * evaluated against the same object where StackRox links them: the same
 * container for deployment fields and that container's image, the same
 * component for component fields, the same vulnerability of that component
 * for CVE fields - so "CVE: CVE-2021-44228" with "Fixable: true" means that
 * CVE is fixable, not that some other CVE is.
 *
 * VALUES: strings are regular expressions (Go RE2 syntax, translated to
 * POSIX ERE; constructs that would mean something else are refused) matched
 * against the whole value (StackRox anchors them), case-insensitively;
 * Process Arguments is found anywhere; numbers take comparators (">= 7.0",
 * "<5" or a bare number for equality; "=" is refused as by StackRox);
 * booleans "true"/"false";
 * key/value fields "key=value" (either side a regex, an empty side matches
 * anything); Environment Variable "SOURCE=NAME=VALUE" (SOURCE one of RAW,
 * SECRET_KEY, CONFIG_MAP_KEY, FIELD, RESOURCE_FIELD, UNKNOWN, or empty);
 * Dockerfile Line "INSTRUCTION=regex"; Severity ">= IMPORTANT" style over
 * LOW < MODERATE < IMPORTANT < CRITICAL; days and ages plain numbers of days
 * (matching when older). Absent data never matches, even negated. Every
 * field, what it reads and its value form: docs/policy-criteria.md.
 *
 * Thread safety: a parsed policy is immutable; any number of threads may
 * evaluate it at once.
 */
#ifndef ASEC_POLICY_H
#define ASEC_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum policy_stage {
	POLICY_STAGE_BUILD = 1,
	POLICY_STAGE_DEPLOY = 2,
	POLICY_STAGE_RUNTIME = 4,
};

/* Bounds on one policy. */
#define POLICY_MAX_SECTIONS 64
#define POLICY_MAX_GROUPS 64
#define POLICY_MAX_VALUES 256
#define POLICY_MAX_TOTAL_VALUES 1024 /* over all sections and groups */
#define POLICY_MAX_VALUE_BYTES 1024
#define POLICY_MAX_TEXT_BYTES 16384 /* description, rationale, remediation */

struct policy;

/*
 * Validates json as StackRox does (central/policy/service/validator.go and
 * pkg/booleanpolicy): name, at least one lifecycle stage and one category,
 * a severity; BUILD policies use image fields only; DEPLOY policies no
 * process fields; RUNTIME policies need an eventSource and at least one
 * runtime field; every fieldName known and allowed for the stages; every
 * value of the form its field takes; enforcement actions fitting the stages;
 * exclusions fitting the stages (image exclusions for BUILD, deployment
 * exclusions for DEPLOY/RUNTIME); unknown members refused. *errors gets a
 * JSON array of {path, message} (empty when valid), path a JSON-path-like
 * "policySections[0].policyGroups[1].values[0].value". Returns ASEC_OK
 * whether or not the policy is valid; errors only for ASEC_ENOMEM.
 */
int policy_validate(json_t **errors, const json_t *json);

/* Parses a valid policy into *out. ASEC_EINVALID with error_last() giving
 * the first "<path>: <message>" of policy_validate() when it is not. */
int policy_parse(struct policy **out, const json_t *json);

void policy_free(struct policy *p);

/* The policy as parsed (the caller's JSON, normalised: defaults filled in,
 * e.g. booleanOperator OR, policyVersion 1.1). Owned by p. */
const json_t *policy_json(const struct policy *p);
const char *policy_id(const struct policy *p);
const char *policy_name(const struct policy *p);
unsigned policy_stages(const struct policy *p); /* enum policy_stage bits */
int policy_disabled(const struct policy *p);

/* Whether the policy enforces at stage: FAIL_BUILD_ENFORCEMENT (BUILD);
 * SCALE_TO_ZERO, UNSATISFIABLE_NODE_CONSTRAINT, FAIL_DEPLOYMENT_CREATE,
 * FAIL_DEPLOYMENT_UPDATE (DEPLOY); KILL_POD, FAIL_KUBE_REQUEST (RUNTIME). */
int policy_enforces(const struct policy *p, enum policy_stage stage);

/* Whether one of the policy's categories is in categories (NULL-terminated,
 * case-insensitive); NULL or empty categories: always. */
int policy_in_categories(const struct policy *p, const char *const *categories);

/* What a policy is evaluated against. Unused members are NULL. */
struct policy_input {
	/* BUILD: the image (central's Image, openapi/central.yaml). */
	const json_t *image;
	/* DEPLOY/RUNTIME: the deployment (shared/workload/workload.h model), and
	 * for each of its containers, in order, the Image of its image or NULL
	 * when it was not scanned ("Unscanned Image"). */
	const json_t *deployment;
	const json_t *const *container_images;
	size_t container_image_count;
	/* DEPLOY: the NetworkPolicy objects of the deployment's namespace; NULL
	 * when unknown (then Has Ingress/Egress Network Policy never match). */
	const json_t *network_policies;
	/* RUNTIME: a process indicator {containerName, signal{name, args,
	 * execFilePath, uid, gid, lineageInfo[{parentExecFilePath, parentUid}]}}. */
	const json_t *process;
	const char *cluster; /* for scopes; NULL = unknown */
	int64_t now;         /* Unix seconds: ages and days are counted to it */
};

/* Whether scope and exclusions (expired exclusions ignored) let p apply to
 * in: 1 or 0. Disabled is not checked here. Scopes apply to deployments
 * only (an image alone is in every scope); deployment exclusions match name
 * (regex) and scope; image exclusions match the image's name.fullName
 * (regex) of in->image or any container image. */
int policy_applies(const struct policy *p, const struct policy_input *in);

/*
 * Evaluates p at stage against in. *violations gets a JSON array of
 * StackRox violations {message, type: "GENERIC", keyValueAttrs?{attrs[{key,
 * value}]}}: one per matched object (container, component, CVE...), with
 * messages as StackRox words them, e.g. "Fixable CVE-2021-44228 (CVSS 10)
 * (severity Critical) found in component 'log4j' (version 2.14.1) in
 * container 'app', resolved by version 2.15.0", "Container 'app' is
 * privileged"; empty when p does not fire. keyValueAttrs are not produced
 * yet. At most 1000 violations, de-duplicated by message. At RUNTIME only
 * sections with a process criterion are evaluated, on in->process and its
 * container. Scope, exclusions and disabled are the caller's (policy_applies).
 * At DEPLOY the image fields read container_images[i] (its name, when the
 * Image is NULL, from the deployment's container image name).
 * Returns ASEC_OK, ASEC_EINVALID (stage not among p's), ASEC_ENOMEM.
 */
int policy_evaluate(json_t **violations, const struct policy *p, enum policy_stage stage,
		    const struct policy_input *in);

/* The criteria this engine knows, for editors and documentation: an array
 * of {name, stages[], eventSources[]?, valueType (string|number|boolean|
 * keyValue|envVar|dockerfileLine|severity|enum), enumValues?[], negatable,
 * description, example, multipleValues, evaluated, note?}; fields that are
 * known but not evaluated here have evaluated false and a note. New
 * reference each call. */
json_t *policy_fields_json(void);

#endif
