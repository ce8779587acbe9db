/*
 * policy.c - StackRox's policy JSON: validation, parsing, accessors.
 *
 * Validation and parsing are one walk (pol_build): it checks every member
 * as StackRox's validator does, records each problem as {path, message}
 * and, when asked for a policy, keeps what it compiled (regular expressions,
 * comparators) so that evaluation never parses text again. policy_validate
 * runs the walk and throws the result away; policy_parse keeps it when
 * there was no error.
 *
 * Unknown members are refused at every level, so that a typo in a field
 * name cannot silently weaken a policy.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error/error.h"
#include "policy/policy_internal.h"

#define MAX_ERRORS 100
#define PATH_MAX_LEN 256

struct build {
	json_t *errors;
	int oom;
	size_t value_count; /* over all groups, against POLICY_MAX_TOTAL_VALUES */
	struct policy *p;
	unsigned stages;
	const char *event_source;
};

static void verr(struct build *b, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void verr(struct build *b, const char *path, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	json_t *e;

	if (json_array_size(b->errors) >= MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e = json_pack("{s:s, s:s}", "path", path, "message", msg);
	if (!e || json_array_append_new(b->errors, e) != 0) {
		json_decref(e);
		b->oom = 1;
	}
}

/* buf = base + tail, cut at PATH_MAX_LEN - 1 (paths only name things in
 * messages). buf may be base itself, so base moves first; tail never
 * points into buf. */
static const char *path_append(char *buf, const char *base, const char *tail)
{
	size_t b = strnlen(base, PATH_MAX_LEN - 1), t = strlen(tail);

	if (t > PATH_MAX_LEN - 1 - b)
		t = PATH_MAX_LEN - 1 - b;
	memmove(buf, base, b);
	memcpy(buf + b, tail, t);
	buf[b + t] = '\0';
	return buf;
}

static const char *sub(char *buf, const char *base, const char *member)
{
	char tail[PATH_MAX_LEN];
	size_t m = strnlen(member, PATH_MAX_LEN - 2);

	tail[0] = '.';
	memcpy(tail + 1, member, m);
	tail[m + 1] = '\0';
	return path_append(buf, base, base[0] ? tail : tail + 1);
}

static const char *idx(char *buf, const char *base, size_t i)
{
	char tail[32];

	snprintf(tail, sizeof(tail), "[%zu]", i);
	return path_append(buf, base, tail);
}

/* Refuses members of o not in allowed (NULL-terminated). */
static void check_members(struct build *b, const json_t *o, const char *path, const char *const *allowed)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)o, key, v)
	{
		size_t i;
		char p[PATH_MAX_LEN];

		for (i = 0; allowed[i]; i++)
			if (strcmp(allowed[i], key) == 0)
				break;
		if (!allowed[i])
			verr(b, sub(p, path, key), "unknown member '%.64s'", key);
	}
}

/* A member, NULL when absent or JSON null. */
static const json_t *member(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_null(v) ? NULL : v;
}

static const char *opt_string(struct build *b, const json_t *o, const char *path, const char *key, size_t max)
{
	const json_t *v = member(o, key);
	char p[PATH_MAX_LEN];

	if (!v)
		return NULL;
	if (!json_is_string(v)) {
		verr(b, sub(p, path, key), "must be a string");
		return NULL;
	}
	if (json_string_length(v) > max) {
		verr(b, sub(p, path, key), "longer than %zu bytes", max);
		return NULL;
	}
	return json_string_value(v);
}

static void opt_bool(struct build *b, const json_t *o, const char *path, const char *key)
{
	const json_t *v = member(o, key);
	char p[PATH_MAX_LEN];

	if (v && !json_is_boolean(v))
		verr(b, sub(p, path, key), "must be true or false");
}

static const json_t *opt_array(struct build *b, const json_t *o, const char *path, const char *key, size_t max)
{
	const json_t *v = member(o, key);
	char p[PATH_MAX_LEN];

	if (!v)
		return NULL;
	if (!json_is_array(v)) {
		verr(b, sub(p, path, key), "must be an array");
		return NULL;
	}
	if (json_array_size(v) > max) {
		verr(b, sub(p, path, key), "more than %zu entries", max);
		return NULL;
	}
	return v;
}

static int one_of(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* Compiles a regex member (scope namespace, exclusion names); NULL when absent or empty. */
static regex_t *regex_member(struct build *b, const json_t *o, const char *path, const char *key)
{
	const char *s = opt_string(b, o, path, key, POLICY_MAX_VALUE_BYTES);
	char why[256], p[PATH_MAX_LEN];
	regex_t *re = NULL;
	int rc;

	if (!s || !s[0])
		return NULL;
	rc = pol_regex_compile(&re, why, sizeof(why), s, 0);
	if (rc == ASEC_ENOMEM)
		b->oom = 1;
	else if (rc)
		verr(b, sub(p, path, key), "%s", why);
	return re;
}

/* {cluster, namespace, label{key, value}, clusterLabel, namespaceLabel} */
static void build_scope(struct build *b, const json_t *o, const char *path, char **cluster, regex_t **ns,
			regex_t **lk, regex_t **lv)
{
	static const char *const scope_members[] = {"cluster", "namespace", "label", "clusterLabel", "namespaceLabel",
						    NULL};
	static const char *const label_members[] = {"key", "value", NULL};
	const json_t *label;
	const char *c;
	char p[PATH_MAX_LEN];

	if (!json_is_object(o)) {
		verr(b, path, "must be an object");
		return;
	}
	check_members(b, o, path, scope_members);
	c = opt_string(b, o, path, "cluster", 256);
	if (c && c[0] && cluster) {
		*cluster = strdup(c);
		if (!*cluster)
			b->oom = 1;
	}
	*ns = regex_member(b, o, path, "namespace");
	label = member(o, "label");
	if (label) {
		sub(p, path, "label");
		if (!json_is_object(label)) {
			verr(b, p, "must be an object");
		} else {
			check_members(b, label, p, label_members);
			*lk = regex_member(b, label, p, "key");
			*lv = regex_member(b, label, p, "value");
		}
	}
	for (int i = 0; i < 2; i++) {
		const char *k = i ? "namespaceLabel" : "clusterLabel";
		const json_t *l = member(o, k);

		if (l) {
			sub(p, path, k);
			if (!json_is_object(l))
				verr(b, p, "must be an object");
			else
				check_members(b, l, p, label_members);
		}
	}
}

static void build_group(struct build *b, struct pol_group *g, const json_t *o, const char *path)
{
	static const char *const members[] = {"fieldName", "booleanOperator", "negate", "values", NULL};
	const char *name, *op;
	const json_t *values, *v;
	char p[PATH_MAX_LEN], q[PATH_MAX_LEN];
	size_t i;

	if (!json_is_object(o)) {
		verr(b, path, "must be an object");
		return;
	}
	check_members(b, o, path, members);
	name = opt_string(b, o, path, "fieldName", 128);
	if (!name) {
		if (!member(o, "fieldName"))
			verr(b, sub(p, path, "fieldName"), "is required");
		return;
	}
	g->field = pol_field_find(name);
	if (!g->field) {
		verr(b, sub(p, path, "fieldName"), "unknown field '%s'", name);
		return;
	}
	op = opt_string(b, o, path, "booleanOperator", 16);
	if (op && strcmp(op, "OR") != 0 && strcmp(op, "AND") != 0)
		verr(b, sub(p, path, "booleanOperator"), "must be OR or AND");
	g->and_op = op && strcmp(op, "AND") == 0;
	opt_bool(b, o, path, "negate");
	g->negate = json_is_true(member(o, "negate"));
	if (g->negate && (g->field->flags & PF_NO_NEGATE))
		verr(b, sub(p, path, "negate"), "field '%s' cannot be negated", name);
	values = opt_array(b, o, path, "values", POLICY_MAX_VALUES);
	sub(p, path, "values");
	if (!values || json_array_size(values) == 0) {
		if (!member(o, "values") || json_is_array(member(o, "values")))
			verr(b, p, "at least one value is required");
		return;
	}
	/* every value is tried against every matching object: bound the work */
	b->value_count += json_array_size(values);
	if (b->value_count > POLICY_MAX_TOTAL_VALUES) {
		verr(b, p, "the policy has more than %d values in all", POLICY_MAX_TOTAL_VALUES);
		return;
	}
	if ((g->field->flags & PF_ONE_VALUE) && json_array_size(values) > 1)
		verr(b, p, "field '%s' takes exactly one value", name);
	g->values = calloc(json_array_size(values), sizeof(*g->values));
	if (!g->values) {
		b->oom = 1;
		return;
	}
	json_array_foreach(values, i, v)
	{
		static const char *const vmembers[] = {"value", NULL};
		const char *text;
		char why[384];
		int rc;

		idx(q, p, i);
		if (!json_is_object(v)) {
			verr(b, q, "must be an object {\"value\": ...}");
			continue;
		}
		check_members(b, v, q, vmembers);
		text = opt_string(b, v, q, "value", POLICY_MAX_VALUE_BYTES);
		if (!text) {
			if (!member(v, "value"))
				verr(b, sub(why, q, "value"), "is required");
			continue;
		}
		rc = pol_value_parse(&g->values[g->nvalues], why, sizeof(why), g->field, text);
		if (rc == ASEC_ENOMEM) {
			b->oom = 1;
		} else if (rc) {
			char vp[PATH_MAX_LEN];

			verr(b, sub(vp, q, "value"), "%s: %s", name, why);
		} else {
			g->nvalues++;
		}
	}
}

static void check_group_stage(struct build *b, const struct pol_group *g, const char *path)
{
	const struct pol_field *f = g->field;
	char p[PATH_MAX_LEN];
	const char *es = b->event_source;

	sub(p, path, "fieldName");
	if ((b->stages & POLICY_STAGE_BUILD) && !(f->flags & PF_IMAGE))
		verr(b, p, "field '%s' is not an image field; BUILD policies use image fields only", f->name);
	if ((b->stages & POLICY_STAGE_DEPLOY) && (f->flags & PF_RUNTIME))
		verr(b, p, "field '%s' is a runtime field; not allowed in DEPLOY policies", f->name);
	if (!(b->stages & POLICY_STAGE_RUNTIME) || !es)
		return;
	if (strcmp(es, "AUDIT_LOG_EVENT") == 0 && !(f->flags & PF_AUDIT))
		verr(b, p, "field '%s' cannot be used with event source AUDIT_LOG_EVENT", f->name);
	else if (strcmp(es, "DEPLOYMENT_EVENT") == 0 && (f->flags & PF_RUNTIME) && !(f->flags & PF_DEPLOY_EVENT))
		verr(b, p, "field '%s' cannot be used with event source DEPLOYMENT_EVENT", f->name);
	else if (strcmp(es, "NODE_EVENT") == 0 && !(f->flags & PF_NODE_EVENT))
		verr(b, p, "field '%s' cannot be used with event source NODE_EVENT", f->name);
}

static void build_sections(struct build *b, const json_t *sections)
{
	static const char *const members[] = {"sectionName", "policyGroups", NULL};
	const json_t *s;
	size_t i;

	b->p->sections = calloc(json_array_size(sections) ? json_array_size(sections) : 1, sizeof(*b->p->sections));
	if (!b->p->sections) {
		b->oom = 1;
		return;
	}
	json_array_foreach(sections, i, s)
	{
		struct pol_section *sec = &b->p->sections[b->p->nsections++];
		char path[PATH_MAX_LEN], p[PATH_MAX_LEN], q[PATH_MAX_LEN];
		const json_t *groups, *g;
		const char *name;
		size_t k;
		int runtime = 0;

		idx(path, "policySections", i);
		if (!json_is_object(s)) {
			verr(b, path, "must be an object");
			continue;
		}
		check_members(b, s, path, members);
		name = opt_string(b, s, path, "sectionName", 256);
		if (name) {
			sec->name = strdup(name);
			if (!sec->name)
				b->oom = 1;
		}
		groups = opt_array(b, s, path, "policyGroups", POLICY_MAX_GROUPS);
		sub(p, path, "policyGroups");
		if (!groups || json_array_size(groups) == 0) {
			if (!member(s, "policyGroups") || json_is_array(member(s, "policyGroups")))
				verr(b, p, "at least one policy group is required");
			continue;
		}
		sec->groups = calloc(json_array_size(groups), sizeof(*sec->groups));
		if (!sec->groups) {
			b->oom = 1;
			continue;
		}
		json_array_foreach(groups, k, g)
		{
			struct pol_group *grp = &sec->groups[sec->ngroups];

			idx(q, p, k);
			build_group(b, grp, g, q);
			if (!grp->field) {
				for (size_t j = 0; j < grp->nvalues; j++)
					pol_value_clear(&grp->values[j]);
				free(grp->values);
				memset(grp, 0, sizeof(*grp));
				continue;
			}
			for (size_t j = 0; j < sec->ngroups; j++)
				if (sec->groups[j].field == grp->field)
					verr(b, q, "field '%s' appears more than once in the section", grp->field->name);
			check_group_stage(b, grp, q);
			runtime |= (grp->field->flags & PF_RUNTIME) != 0;
			sec->ngroups++;
		}
		if ((b->stages & POLICY_STAGE_RUNTIME) && !runtime)
			verr(b, path, "a RUNTIME policy needs at least one runtime field in every section");
	}
}

static void build_exclusions(struct build *b, const json_t *excl)
{
	static const char *const members[] = {"name", "deployment", "image", "expiration", NULL};
	static const char *const dmembers[] = {"name", "scope", NULL};
	static const char *const imembers[] = {"name", NULL};
	const json_t *e;
	size_t i;

	b->p->exclusions = calloc(json_array_size(excl) ? json_array_size(excl) : 1, sizeof(*b->p->exclusions));
	if (!b->p->exclusions) {
		b->oom = 1;
		return;
	}
	json_array_foreach(excl, i, e)
	{
		struct pol_exclusion *x = &b->p->exclusions[b->p->nexclusions++];
		char path[PATH_MAX_LEN], p[PATH_MAX_LEN], q[PATH_MAX_LEN];
		const json_t *d, *img;
		const char *exp;

		idx(path, "exclusions", i);
		if (!json_is_object(e)) {
			verr(b, path, "must be an object");
			continue;
		}
		check_members(b, e, path, members);
		opt_string(b, e, path, "name", 256);
		d = member(e, "deployment");
		img = member(e, "image");
		if (d) {
			sub(p, path, "deployment");
			if (!json_is_object(d)) {
				verr(b, p, "must be an object");
			} else {
				check_members(b, d, p, dmembers);
				x->has_deployment = 1;
				x->deploy_name = regex_member(b, d, p, "name");
				if (member(d, "scope"))
					build_scope(b, member(d, "scope"), sub(q, p, "scope"), &x->scope_cluster,
						    &x->scope_ns, &x->scope_label_key, &x->scope_label_value);
				if (!(b->stages & (POLICY_STAGE_DEPLOY | POLICY_STAGE_RUNTIME)))
					verr(b, p, "deployment exclusions apply only to DEPLOY or RUNTIME policies");
			}
		}
		if (img) {
			sub(p, path, "image");
			if (!json_is_object(img)) {
				verr(b, p, "must be an object");
			} else {
				check_members(b, img, p, imembers);
				x->has_image = 1;
				x->image_name = regex_member(b, img, p, "name");
				if (!x->image_name)
					verr(b, sub(q, p, "name"), "an image exclusion needs an image name");
				if (!(b->stages & POLICY_STAGE_BUILD))
					verr(b, p, "image exclusions apply only to BUILD policies");
			}
		}
		if (!d && !img)
			verr(b, path, "an exclusion needs a deployment or an image");
		exp = opt_string(b, e, path, "expiration", 64);
		if (exp) {
			x->expiration = pol_time_parse(exp);
			if (x->expiration < 0) {
				verr(b, sub(p, path, "expiration"), "must be an RFC 3339 timestamp");
				x->expiration = 0;
			}
		}
	}
}

static void build_enforcement(struct build *b, const json_t *actions)
{
	static const struct {
		const char *name;
		unsigned stage;
	} known[] = {
		{"FAIL_BUILD_ENFORCEMENT", POLICY_STAGE_BUILD},
		{"SCALE_TO_ZERO_ENFORCEMENT", POLICY_STAGE_DEPLOY},
		{"UNSATISFIABLE_NODE_CONSTRAINT_ENFORCEMENT", POLICY_STAGE_DEPLOY},
		{"FAIL_DEPLOYMENT_CREATE_ENFORCEMENT", POLICY_STAGE_DEPLOY},
		{"FAIL_DEPLOYMENT_UPDATE_ENFORCEMENT", POLICY_STAGE_DEPLOY},
		{"KILL_POD_ENFORCEMENT", POLICY_STAGE_RUNTIME},
		{"FAIL_KUBE_REQUEST_ENFORCEMENT", POLICY_STAGE_RUNTIME},
		{"UNSET_ENFORCEMENT", 0},
	};
	const json_t *a;
	size_t i;

	json_array_foreach(actions, i, a)
	{
		char p[PATH_MAX_LEN];
		size_t k;

		idx(p, "enforcementActions", i);
		if (!json_is_string(a)) {
			verr(b, p, "must be a string");
			continue;
		}
		for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			if (strcmp(known[k].name, json_string_value(a)) == 0)
				break;
		if (k == sizeof(known) / sizeof(known[0])) {
			verr(b, p, "unknown enforcement action '%.64s'", json_string_value(a));
			continue;
		}
		if (known[k].stage && !(b->stages & known[k].stage)) {
			verr(b, p, "%s needs the %s lifecycle stage", known[k].name,
			     known[k].stage == POLICY_STAGE_BUILD    ? "BUILD"
			     : known[k].stage == POLICY_STAGE_DEPLOY ? "DEPLOY"
								     : "RUNTIME");
			continue;
		}
		if (b->event_source && strcmp(b->event_source, "AUDIT_LOG_EVENT") == 0 && known[k].stage) {
			verr(b, p, "audit log policies cannot enforce");
			continue;
		}
		b->p->enforce_stages |= known[k].stage;
	}
}

static void build_policy(struct build *b, const json_t *json)
{
	static const char *const members[] = {
		"id", "name", "description", "rationale", "remediation", "disabled", "categories", "lifecycleStages",
		"eventSource", "exclusions", "scope", "severity", "enforcementActions", "notifiers", "lastUpdated",
		"SORT_name", "SORT_lifecycleStage", "SORT_enforcement", "policyVersion", "policySections",
		"mitreAttackVectors", "criteriaLocked", "mitreVectorsLocked", "isDefault", "source", NULL};
	static const char *const severities[] = {"LOW_SEVERITY", "MEDIUM_SEVERITY", "HIGH_SEVERITY",
						 "CRITICAL_SEVERITY", NULL};
	static const char *const sources[] = {"NOT_APPLICABLE", "DEPLOYMENT_EVENT", "AUDIT_LOG_EVENT", "NODE_EVENT",
					      NULL};
	const json_t *stages, *cats, *a, *sections, *arr;
	const char *s;
	size_t i;
	char p[PATH_MAX_LEN], q[PATH_MAX_LEN];

	if (!json_is_object(json)) {
		verr(b, "", "a policy must be a JSON object");
		return;
	}
	check_members(b, json, "", members);
	opt_string(b, json, "", "id", 256);
	s = opt_string(b, json, "", "name", 1024);
	if (!s) {
		if (!member(json, "name"))
			verr(b, "name", "is required");
	} else if (strlen(s) < 5 || strlen(s) > 128 || strpbrk(s, "\n\r$")) {
		verr(b, "name", "must be 5 to 128 characters without line breaks or '$'");
	}
	opt_string(b, json, "", "description", POLICY_MAX_TEXT_BYTES);
	opt_string(b, json, "", "rationale", POLICY_MAX_TEXT_BYTES);
	opt_string(b, json, "", "remediation", POLICY_MAX_TEXT_BYTES);
	opt_string(b, json, "", "lastUpdated", 64);
	opt_string(b, json, "", "SORT_name", 1024);
	opt_string(b, json, "", "SORT_lifecycleStage", 256);
	opt_bool(b, json, "", "SORT_enforcement");
	opt_bool(b, json, "", "disabled");
	opt_bool(b, json, "", "criteriaLocked");
	opt_bool(b, json, "", "mitreVectorsLocked");
	opt_bool(b, json, "", "isDefault");
	b->p->disabled = json_is_true(member(json, "disabled"));

	cats = opt_array(b, json, "", "categories", 64);
	if (!cats || json_array_size(cats) == 0) {
		if (!member(json, "categories") || json_is_array(member(json, "categories")))
			verr(b, "categories", "at least one category is required");
	} else {
		json_array_foreach(cats, i, a)
		{
			if (!json_is_string(a) || json_string_length(a) == 0 || json_string_length(a) > 256)
				verr(b, idx(p, "categories", i), "must be a non-empty string");
		}
	}

	stages = opt_array(b, json, "", "lifecycleStages", 3);
	if (!stages || json_array_size(stages) == 0) {
		if (!member(json, "lifecycleStages") || json_is_array(member(json, "lifecycleStages")))
			verr(b, "lifecycleStages", "at least one lifecycle stage is required");
	} else {
		json_array_foreach(stages, i, a)
		{
			const char *st = json_string_value(a);
			unsigned bit = !st			    ? 0
				       : strcmp(st, "BUILD") == 0   ? POLICY_STAGE_BUILD
				       : strcmp(st, "DEPLOY") == 0  ? POLICY_STAGE_DEPLOY
				       : strcmp(st, "RUNTIME") == 0 ? POLICY_STAGE_RUNTIME
								    : 0;

			if (!bit)
				verr(b, idx(p, "lifecycleStages", i), "must be BUILD, DEPLOY or RUNTIME");
			else if (b->stages & bit)
				verr(b, idx(p, "lifecycleStages", i), "duplicate stage %s", st);
			b->stages |= bit;
		}
	}
	b->p->stages = b->stages;

	s = opt_string(b, json, "", "severity", 64);
	if (!s) {
		if (!member(json, "severity"))
			verr(b, "severity", "is required");
	} else if (!one_of(s, severities)) {
		verr(b, "severity", "must be LOW_SEVERITY, MEDIUM_SEVERITY, HIGH_SEVERITY or CRITICAL_SEVERITY");
	}

	s = opt_string(b, json, "", "eventSource", 64);
	if (s && !one_of(s, sources)) {
		verr(b, "eventSource", "must be NOT_APPLICABLE, DEPLOYMENT_EVENT, AUDIT_LOG_EVENT or NODE_EVENT");
		s = NULL;
	}
	if (s && strcmp(s, "NOT_APPLICABLE") == 0)
		s = NULL;
	b->event_source = s;
	if ((b->stages & POLICY_STAGE_RUNTIME) && !s)
		verr(b, "eventSource", "a RUNTIME policy needs an event source (DEPLOYMENT_EVENT or AUDIT_LOG_EVENT)");
	if (!(b->stages & POLICY_STAGE_RUNTIME) && s)
		verr(b, "eventSource", "only RUNTIME policies have an event source (NOT_APPLICABLE otherwise)");

	s = opt_string(b, json, "", "policyVersion", 16);
	if (s && strcmp(s, "1.1") != 0)
		verr(b, "policyVersion", "only policy version 1.1 is supported (upgrade older policies in StackRox first)");
	s = opt_string(b, json, "", "source", 32);
	if (s && strcmp(s, "IMPERATIVE") != 0 && strcmp(s, "DECLARATIVE") != 0)
		verr(b, "source", "must be IMPERATIVE or DECLARATIVE");

	arr = opt_array(b, json, "", "notifiers", 64);
	json_array_foreach(arr, i, a)
	{
		if (!json_is_string(a))
			verr(b, idx(p, "notifiers", i), "must be a string");
	}
	arr = opt_array(b, json, "", "mitreAttackVectors", 64);
	json_array_foreach(arr, i, a)
	{
		static const char *const mm[] = {"tactic", "techniques", NULL};
		const json_t *t, *tt;
		size_t k;

		idx(p, "mitreAttackVectors", i);
		if (!json_is_object(a)) {
			verr(b, p, "must be an object");
			continue;
		}
		check_members(b, a, p, mm);
		opt_string(b, a, p, "tactic", 64);
		t = opt_array(b, a, p, "techniques", 64);
		json_array_foreach(t, k, tt)
		{
			if (!json_is_string(tt))
				verr(b, idx(q, sub(q, p, "techniques"), k), "must be a string");
		}
	}

	arr = opt_array(b, json, "", "enforcementActions", 16);
	if (arr)
		build_enforcement(b, arr);

	arr = opt_array(b, json, "", "scope", 64);
	if (arr && json_array_size(arr)) {
		b->p->scopes = calloc(json_array_size(arr), sizeof(*b->p->scopes));
		if (!b->p->scopes) {
			b->oom = 1;
		} else {
			json_array_foreach(arr, i, a)
			{
				struct pol_scope *sc = &b->p->scopes[b->p->nscopes++];

				build_scope(b, a, idx(p, "scope", i), &sc->cluster, &sc->ns, &sc->label_key,
					    &sc->label_value);
			}
		}
	}
	arr = opt_array(b, json, "", "exclusions", 256);
	if (arr && json_array_size(arr))
		build_exclusions(b, arr);

	sections = opt_array(b, json, "", "policySections", POLICY_MAX_SECTIONS);
	if (!sections || json_array_size(sections) == 0) {
		if (!member(json, "policySections") || json_is_array(member(json, "policySections")))
			verr(b, "policySections", "at least one policy section is required");
		return;
	}
	build_sections(b, sections);
}

static void free_parts(struct policy *p)
{
	for (size_t i = 0; i < p->nsections; i++) {
		struct pol_section *s = &p->sections[i];

		for (size_t k = 0; k < s->ngroups; k++) {
			for (size_t j = 0; j < s->groups[k].nvalues; j++)
				pol_value_clear(&s->groups[k].values[j]);
			free(s->groups[k].values);
		}
		free(s->groups);
		free(s->name);
	}
	free(p->sections);
	for (size_t i = 0; i < p->nscopes; i++) {
		free(p->scopes[i].cluster);
		pol_regex_free(p->scopes[i].ns);
		pol_regex_free(p->scopes[i].label_key);
		pol_regex_free(p->scopes[i].label_value);
	}
	free(p->scopes);
	for (size_t i = 0; i < p->nexclusions; i++) {
		struct pol_exclusion *e = &p->exclusions[i];

		pol_regex_free(e->deploy_name);
		pol_regex_free(e->scope_ns);
		pol_regex_free(e->scope_label_key);
		pol_regex_free(e->scope_label_value);
		pol_regex_free(e->image_name);
		free(e->scope_cluster);
	}
	free(p->exclusions);
}

void policy_free(struct policy *p)
{
	if (!p)
		return;
	free_parts(p);
	json_decref(p->json);
	free(p);
}

static int build_run(struct policy **out, json_t **errors, const json_t *json)
{
	struct build b = {0};
	int error = ASEC_OK;

	b.errors = json_array();
	b.p = calloc(1, sizeof(*b.p));
	if (!b.errors || !b.p) {
		error = ASEC_ENOMEM;
		goto out;
	}
	build_policy(&b, json);
	if (b.oom) {
		error = ASEC_ENOMEM;
		goto out;
	}
	if (out && json_array_size(b.errors) == 0) {
		*out = b.p;
		b.p = NULL;
	}
	*errors = b.errors;
	b.errors = NULL;
out:
	if (error == ASEC_ENOMEM)
		error_set("out of memory validating policy");
	json_decref(b.errors);
	if (b.p)
		policy_free(b.p);
	return error;
}

int policy_validate(json_t **errors, const json_t *json)
{
	*errors = NULL;
	return build_run(NULL, errors, json);
}

/* The caller's JSON with StackRox's defaults written in. */
static json_t *normalise(const json_t *json)
{
	json_t *copy = json_deep_copy(json);
	json_t *sections, *s, *groups, *g;
	size_t i, k;

	if (!copy)
		return NULL;
	if (!json_object_get(copy, "policyVersion"))
		json_object_set_new(copy, "policyVersion", json_string("1.1"));
	if (!json_is_boolean(json_object_get(copy, "disabled")))
		json_object_set_new(copy, "disabled", json_false());
	if (!json_is_string(json_object_get(copy, "eventSource")))
		json_object_set_new(copy, "eventSource", json_string("NOT_APPLICABLE"));
	sections = json_object_get(copy, "policySections");
	json_array_foreach(sections, i, s)
	{
		groups = json_object_get(s, "policyGroups");
		json_array_foreach(groups, k, g)
		{
			if (!json_is_string(json_object_get(g, "booleanOperator")))
				json_object_set_new(g, "booleanOperator", json_string("OR"));
			if (!json_is_boolean(json_object_get(g, "negate")))
				json_object_set_new(g, "negate", json_false());
		}
	}
	return copy;
}

int policy_parse(struct policy **out, const json_t *json)
{
	json_t *errors = NULL;
	struct policy *p = NULL;
	int error;

	*out = NULL;
	error = build_run(&p, &errors, json);
	if (error)
		goto out;
	if (!p) {
		const json_t *e = json_array_get(errors, 0);

		error_set("%s: %s", json_string_value(json_object_get(e, "path")),
			  json_string_value(json_object_get(e, "message")));
		error = ASEC_EINVALID;
		goto out;
	}
	p->json = normalise(json);
	if (!p->json) {
		error_set("out of memory parsing policy");
		error = ASEC_ENOMEM;
		goto out;
	}
	p->id = json_string_value(json_object_get(p->json, "id"));
	p->name = json_string_value(json_object_get(p->json, "name"));
	if (!p->id)
		p->id = "";
	*out = p;
	p = NULL;
out:
	policy_free(p);
	json_decref(errors);
	return error;
}

const json_t *policy_json(const struct policy *p)
{
	return p->json;
}

const char *policy_id(const struct policy *p)
{
	return p->id;
}

const char *policy_name(const struct policy *p)
{
	return p->name;
}

unsigned policy_stages(const struct policy *p)
{
	return p->stages;
}

int policy_disabled(const struct policy *p)
{
	return p->disabled;
}

int policy_enforces(const struct policy *p, enum policy_stage stage)
{
	return (p->enforce_stages & (unsigned)stage) != 0;
}

int policy_in_categories(const struct policy *p, const char *const *categories)
{
	const json_t *cats = json_object_get(p->json, "categories"), *c;
	size_t i;

	if (!categories || !categories[0])
		return 1;
	json_array_foreach(cats, i, c)
	{
		for (size_t k = 0; categories[k]; k++)
			if (json_is_string(c) && strcasecmp(json_string_value(c), categories[k]) == 0)
				return 1;
	}
	return 0;
}
