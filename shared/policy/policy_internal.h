/*
 * policy_internal.h - what the files of shared/policy share and nobody else
 * sees: the parsed policy, the criteria table and the evaluation context.
 *
 * The criteria table (fields.c) is the one place that knows a field: its
 * name, which object it reads (its "level"), the form of its values, the
 * stages and event sources it belongs to, and how to evaluate and word it.
 * Validation (policy.c) and evaluation (eval.c) are driven by that table, so
 * a new criterion is one row plus its evaluator.
 */
#ifndef ASEC_POLICY_INTERNAL_H
#define ASEC_POLICY_INTERNAL_H

#include <regex.h>
#include <stddef.h>

#include <jansson.h>

#include "policy/policy.h"

/* The object a field reads. Groups of one section whose fields share a
 * level below the container are matched against the same element (linked
 * fields): the same vulnerability, the same volume, the same port... */
enum pol_level {
	PL_DEPLOYMENT, /* the deployment itself */
	PL_CONTAINER,  /* one container, and that container's image */
	PL_COMPONENT,  /* one component of the container's image */
	PL_VULN,       /* one vulnerability of that component */
	PL_LAYER,      /* one Dockerfile line of the image */
	PL_ENV,        /* one environment variable of the container */
	PL_VOLUME,     /* one volume mount of the container */
	PL_PORT,       /* one port of the container */
	PL_PROCESS,    /* the process indicator */
	PL_NONE,       /* known but not evaluated here: never matches */
};

enum pol_kind {
	PK_REGEX,          /* whole-value regular expression */
	PK_CONTAINS_REGEX, /* regular expression found anywhere (Process Arguments) */
	PK_BOOL,
	PK_NUMBER,   /* [<|>|<=|>=] decimal */
	PK_DAYS,     /* integer number of days: matches when older */
	PK_KEYVALUE, /* key=value, both regexes, key required */
	PK_MAPREGEX, /* key=value or key alone (Disallowed Annotation) */
	PK_ENVVAR,   /* SOURCE=NAME=VALUE */
	PK_DOCKERFILE, /* INSTRUCTION=regex */
	PK_SEVERITY,   /* [cmp] LOW|MODERATE|IMPORTANT|CRITICAL|UNKNOWN */
	PK_ENUM,       /* one of enum_values, case-insensitive */
	PK_KUBE_NAME,  /* Kubernetes user/group name */
	PK_IP,         /* IPv4 or IPv6 address */
	PK_UINT,       /* [cmp] integer (Process UID) */
	PK_SIGNATURE,  /* signature integration id */
};

/* Field flags. */
#define PF_NO_NEGATE 0x01    /* StackRox refuses negate for this field */
#define PF_ONE_VALUE 0x02    /* StackRox refuses more than one value */
#define PF_RUNTIME 0x04      /* a runtime field: needs an event source */
#define PF_IMAGE 0x08        /* an image field: allowed at BUILD */
#define PF_AUDIT 0x10        /* allowed with AUDIT_LOG_EVENT */
#define PF_DEPLOY_EVENT 0x20 /* allowed with DEPLOYMENT_EVENT (runtime fields) */
#define PF_NODE_EVENT 0x40   /* allowed with NODE_EVENT (runtime fields) */

#define POL_CMP_EQ 0
#define POL_CMP_LT 1
#define POL_CMP_GT 2
#define POL_CMP_LE 3
#define POL_CMP_GE 4

/* One compiled value of a group. Regex parts absent (NULL) match anything. */
struct pol_value {
	char *text;
	int cmp;      /* POL_CMP_* for numbers, days, severity, uint */
	double num;   /* number, days, severity rank */
	int boolean;
	const char *enum_value; /* canonical spelling from the table */
	regex_t *re[3];         /* regex / key,value / source,name,value / instr,regex */
};

struct pol_field;

struct pol_group {
	const struct pol_field *field;
	int and_op;
	int negate;
	size_t nvalues;
	struct pol_value *values;
};

struct pol_section {
	char *name;
	size_t ngroups;
	struct pol_group *groups;
};

struct pol_exclusion {
	int has_deployment, has_image;
	regex_t *deploy_name;
	regex_t *scope_ns, *scope_label_key, *scope_label_value;
	char *scope_cluster;
	regex_t *image_name;
	int64_t expiration; /* 0: never */
};

struct pol_scope {
	char *cluster;
	regex_t *ns, *label_key, *label_value;
};

struct policy {
	json_t *json;
	const char *id, *name;
	unsigned stages;
	int disabled;
	unsigned enforce_stages;
	size_t nsections;
	struct pol_section *sections;
	size_t nscopes;
	struct pol_scope *scopes;
	size_t nexclusions;
	struct pol_exclusion *exclusions;
};

/* The object being looked at while a section is matched. */
struct pol_ctx {
	const struct policy_input *in;
	enum policy_stage stage;
	const json_t *deployment;
	const json_t *container; /* NULL at BUILD */
	const char *container_name;
	const json_t *image;     /* central's Image; NULL when not scanned/known */
	const json_t *image_name; /* {registry, remote, tag, fullName} */
	const json_t *component, *vuln, *layer, *env, *volume, *port;
	const json_t *process;
};

/* Evaluates the group's values against the context: 1 match, 0 no match,
 * -1 nothing to evaluate (absent data; never matches, even negated). */
typedef int (*pol_eval_fn)(const struct pol_group *g, const struct pol_ctx *c);
/* Appends a violation message for a match at c. */
typedef void (*pol_msg_fn)(char *buf, size_t size, const struct pol_group *g, const struct pol_ctx *c);

struct pol_field {
	const char *name;
	enum pol_level level;
	enum pol_kind kind;
	unsigned flags;
	const char *const *enum_values; /* PK_ENUM: NULL-terminated */
	pol_eval_fn eval;
	pol_msg_fn msg;
	const char *reads;   /* documentation: what it reads */
	const char *example; /* a valid value */
};

/* fields.c */
const struct pol_field *pol_field_find(const char *name);
const struct pol_field *pol_fields(size_t *count);

/* value.c */
/* Translates a Go RE2 pattern into POSIX ERE and compiles it
 * case-insensitively, anchored to the whole value unless contains. Returns
 * ASEC_OK, ASEC_EINVALID with why filled, ASEC_ENOMEM. */
int pol_regex_compile(regex_t **out, char *why, size_t why_size, const char *pattern, int contains);
void pol_regex_free(regex_t *re);
int pol_regex_match(const regex_t *re, const char *s);
/* Parses and compiles text as a value of kind (field f). ASEC_EINVALID with
 * why filled when it is not of that form. */
int pol_value_parse(struct pol_value *v, char *why, size_t why_size, const struct pol_field *f, const char *text);
void pol_value_clear(struct pol_value *v);
int pol_cmp(int cmp, double have, double want);
/* "LOW_VULNERABILITY_SEVERITY" or "LOW" -> 1..4, UNKNOWN 0, -1 when not one */
int pol_severity_rank(const char *s);
/* RFC 3339 to Unix seconds; -1 when not one. */
int64_t pol_time_parse(const char *s);

/* eval.c helpers used by fields.c */
int pol_match_strings(const struct pol_group *g, const char *const *vals, size_t n);
int pol_match_string(const struct pol_group *g, const char *s);
int pol_match_number(const struct pol_group *g, double x);
int pol_match_bool(const struct pol_group *g, int b);

#endif
