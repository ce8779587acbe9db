/*
 * eval.c - deciding whether a policy fires, and the violations it reports.
 *
 * A policy fires when any section matches. A section is matched object by
 * object, because StackRox links the fields of one section: all groups that
 * read a container (and its image) must hold for the same container; all
 * groups that read a vulnerability must hold for the same vulnerability of
 * the same component; likewise one volume, one port, one environment
 * variable, one Dockerfile line. Siblings are independent: a section with a
 * volume group and a port group needs, in one container, some volume
 * matching the first and some port matching the second.
 *
 * So a section is evaluated as: deployment-level groups once; then for each
 * container (at BUILD, the one image as a container without a deployment),
 * the container-level groups, and for each kind of sub-object the section
 * reads, the elements that satisfy all of its groups. Each matched element
 * becomes a violation message; a container with no sub-object groups gives
 * one message per container-level group, and the deployment-level groups
 * one message each. Messages are de-duplicated across sections.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error/error.h"
#include "policy/policy_internal.h"

#define MSG_MAX 1024
/* Bound on the violations one evaluation reports: an image with thousands of
 * matching CVEs must not make an unbounded alert. */
#define EVAL_MAX_VIOLATIONS 1000

/* Enum values compare case-insensitively and ignoring '_' so that
 * HOSTTOCONTAINER (StackRox's value) matches HOST_TO_CONTAINER (ours). */
static int enum_equal(const char *a, const char *b)
{
	for (;;) {
		while (*a == '_')
			a++;
		while (*b == '_')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if ((*a | 0x20) != (*b | 0x20))
			return 0;
		a++;
		b++;
	}
}

static int value_matches_string(const struct pol_group *g, const struct pol_value *v, const char *s)
{
	if (g->field->kind == PK_ENUM)
		return enum_equal(v->enum_value, s);
	return pol_regex_match(v->re[0], s);
}

int pol_match_strings(const struct pol_group *g, const char *const *vals, size_t n)
{
	int any = 0, all = 1;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < g->nvalues; i++) {
		int m = 0;

		for (size_t k = 0; k < n && !m; k++)
			m = value_matches_string(g, &g->values[i], vals[k]);
		any |= m;
		all &= m;
	}
	return g->and_op ? all : any;
}

int pol_match_string(const struct pol_group *g, const char *s)
{
	return pol_match_strings(g, &s, 1);
}

int pol_match_number(const struct pol_group *g, double x)
{
	int any = 0, all = 1;

	for (size_t i = 0; i < g->nvalues; i++) {
		int m = pol_cmp(g->values[i].cmp, x, g->values[i].num);

		any |= m;
		all &= m;
	}
	return g->and_op ? all : any;
}

int pol_match_bool(const struct pol_group *g, int b)
{
	int any = 0, all = 1;

	for (size_t i = 0; i < g->nvalues; i++) {
		int m = g->values[i].boolean == !!b;

		any |= m;
		all &= m;
	}
	return g->and_op ? all : any;
}

static int group_matches(const struct pol_group *g, const struct pol_ctx *c)
{
	int r;

	if (!g->field->eval)
		return 0; /* known, not evaluated: never matches */
	r = g->field->eval(g, c);
	if (r < 0)
		return 0;
	return g->negate ? !r : r;
}

/* ---- violations ------------------------------------------------------- */

struct eval_out {
	json_t *violations;
	json_t *seen; /* message -> true */
	int error;
};

static void add_message(struct eval_out *o, const char *msg)
{
	json_t *v;

	if (o->error || !msg[0] || json_object_get(o->seen, msg))
		return;
	if (json_array_size(o->violations) >= EVAL_MAX_VIOLATIONS)
		return;
	v = json_pack("{s:s, s:s}", "message", msg, "type", "GENERIC");
	if (!v || json_object_set_new(o->seen, msg, json_true()) != 0 || json_array_append_new(o->violations, v) != 0) {
		json_decref(v);
		o->error = ASEC_ENOMEM;
	}
}

static void group_message(struct eval_out *o, const struct pol_group *g, const struct pol_ctx *c)
{
	char msg[MSG_MAX];

	if (!g->field->msg)
		return;
	msg[0] = '\0';
	g->field->msg(msg, sizeof(msg), g, c);
	add_message(o, msg);
}

/* ---- sections ----------------------------------------------------------- */

static int level_all_match(const struct pol_section *s, enum pol_level level, const struct pol_ctx *c)
{
	for (size_t i = 0; i < s->ngroups; i++)
		if (s->groups[i].field->level == level && !group_matches(&s->groups[i], c))
			return 0;
	return 1;
}

static const struct pol_group *first_group(const struct pol_section *s, enum pol_level level)
{
	for (size_t i = 0; i < s->ngroups; i++)
		if (s->groups[i].field->level == level)
			return &s->groups[i];
	return NULL;
}

static int uses(const struct pol_section *s, enum pol_level level)
{
	return first_group(s, level) != NULL;
}

/* Elements of one sub-object kind of the container that satisfy all the
 * section's groups of that level. When out is set, each gets a message. */
static size_t match_elements(const struct pol_section *s, enum pol_level level, const json_t *list,
			     struct pol_ctx *c, struct eval_out *out)
{
	const json_t *e;
	size_t i, n = 0;
	const json_t **slot = level == PL_ENV ? &c->env : level == PL_VOLUME ? &c->volume : level == PL_PORT ? &c->port
											    : &c->layer;

	json_array_foreach(list, i, e)
	{
		*slot = e;
		if (level_all_match(s, level, c)) {
			n++;
			if (out)
				group_message(out, first_group(s, level), c);
		}
		if (!out && n)
			break;
	}
	*slot = NULL;
	return n;
}

/* Components (and their vulnerabilities) of the container's image. */
static size_t match_components(const struct pol_section *s, struct pol_ctx *c, struct eval_out *out)
{
	const json_t *comps = c->image ? json_object_get(json_object_get(c->image, "scan"), "components") : NULL;
	const json_t *comp;
	size_t i, n = 0;
	int want_vuln = uses(s, PL_VULN);

	json_array_foreach(comps, i, comp)
	{
		c->component = comp;
		if (!level_all_match(s, PL_COMPONENT, c))
			continue;
		if (!want_vuln) {
			n++;
			if (out)
				group_message(out, first_group(s, PL_COMPONENT), c);
		} else {
			const json_t *vulns = json_object_get(comp, "vulns"), *v;
			size_t k;

			json_array_foreach(vulns, k, v)
			{
				c->vuln = v;
				if (level_all_match(s, PL_VULN, c)) {
					n++;
					if (out)
						group_message(out, first_group(s, PL_VULN), c);
				}
				if (!out && n)
					break;
			}
			c->vuln = NULL;
		}
		if (!out && n)
			break;
	}
	c->component = NULL;
	return n;
}

static const enum pol_level branch_levels[] = {PL_ENV, PL_VOLUME, PL_PORT, PL_LAYER};

static const json_t *branch_list(enum pol_level level, const struct pol_ctx *c)
{
	switch (level) {
	case PL_ENV: return json_object_get(json_object_get(c->container, "config"), "env");
	case PL_VOLUME: return json_object_get(c->container, "volumes");
	case PL_PORT: return json_object_get(c->container, "ports");
	case PL_LAYER:
		return c->image ? json_object_get(json_object_get(json_object_get(c->image, "metadata"), "v1"), "layers")
				: NULL;
	default: return NULL;
	}
}

/* Whether the container at c satisfies the section's container-and-below
 * groups; with out, also reports its violations. */
static int container_matches(const struct pol_section *s, struct pol_ctx *c, struct eval_out *out)
{
	int any_branch = 0;

	if (!level_all_match(s, PL_CONTAINER, c))
		return 0;
	for (size_t b = 0; b < sizeof(branch_levels) / sizeof(branch_levels[0]); b++) {
		if (!uses(s, branch_levels[b]))
			continue;
		any_branch = 1;
		if (match_elements(s, branch_levels[b], branch_list(branch_levels[b], c), c, NULL) == 0)
			return 0;
	}
	if (uses(s, PL_COMPONENT) || uses(s, PL_VULN)) {
		any_branch = 1;
		if (match_components(s, c, NULL) == 0)
			return 0;
	}
	if (!out)
		return 1;
	for (size_t b = 0; b < sizeof(branch_levels) / sizeof(branch_levels[0]); b++)
		if (uses(s, branch_levels[b]))
			match_elements(s, branch_levels[b], branch_list(branch_levels[b], c), c, out);
	if (uses(s, PL_COMPONENT) || uses(s, PL_VULN))
		match_components(s, c, out);
	if (!any_branch)
		for (size_t i = 0; i < s->ngroups; i++)
			if (s->groups[i].field->level == PL_CONTAINER)
				group_message(out, &s->groups[i], c);
	return 1;
}

static int section_uses_container(const struct pol_section *s)
{
	for (size_t i = 0; i < s->ngroups; i++) {
		enum pol_level l = s->groups[i].field->level;

		if (l != PL_DEPLOYMENT && l != PL_PROCESS && l != PL_NONE)
			return 1;
	}
	return 0;
}

/* The image of container i: the scanned Image, and its name (from the Image,
 * else from the deployment's container). */
static void set_container(struct pol_ctx *c, const json_t *container, size_t i)
{
	const struct policy_input *in = c->in;
	const json_t *img = NULL;

	c->container = container;
	c->container_name = container ? json_string_value(json_object_get(container, "name")) : NULL;
	if (container && in->container_images && i < in->container_image_count)
		img = in->container_images[i];
	c->image = img;
	c->image_name = img ? json_object_get(img, "name") : NULL;
	if (!json_is_object(c->image_name) && container)
		c->image_name = json_object_get(json_object_get(container, "image"), "name");
}

static int section_evaluate(const struct pol_section *s, struct pol_ctx *base, struct eval_out *out)
{
	struct pol_ctx c = *base;
	int matched = 0;

	for (size_t i = 0; i < s->ngroups; i++)
		if (s->groups[i].field->level == PL_NONE)
			return 0; /* a criterion we cannot evaluate never matches */
	if (!level_all_match(s, PL_DEPLOYMENT, &c) || !level_all_match(s, PL_PROCESS, &c))
		return 0;
	if (section_uses_container(s)) {
		if (c.stage == POLICY_STAGE_BUILD) {
			c.container = NULL;
			c.container_name = NULL;
			c.image = base->in->image;
			c.image_name = c.image ? json_object_get(c.image, "name") : NULL;
			if (c.image && container_matches(s, &c, NULL)) {
				container_matches(s, &c, out);
				matched = 1;
			}
		} else {
			const json_t *containers = json_object_get(c.deployment, "containers"), *ct;
			const char *only = c.process ? json_string_value(json_object_get(c.process, "containerName")) : NULL;
			size_t i;

			json_array_foreach(containers, i, ct)
			{
				const char *name = json_string_value(json_object_get(ct, "name"));

				/* a process belongs to one container: without its
				 * name it is matched against none, never all */
				if (c.process && (!only || !name || strcmp(name, only) != 0))
					continue;
				set_container(&c, ct, i);
				if (container_matches(s, &c, NULL)) {
					container_matches(s, &c, out);
					matched = 1;
				}
			}
		}
		if (!matched)
			return 0;
	} else {
		matched = 1;
	}
	c.container = NULL;
	c.container_name = NULL;
	c.image = NULL;
	c.image_name = NULL;
	for (size_t i = 0; i < s->ngroups; i++)
		if (s->groups[i].field->level == PL_DEPLOYMENT)
			group_message(out, &s->groups[i], &c);
	if (uses(s, PL_PROCESS))
		group_message(out, first_group(s, PL_PROCESS), &c);
	return matched;
}

int policy_evaluate(json_t **violations, const struct policy *p, enum policy_stage stage,
		    const struct policy_input *in)
{
	struct eval_out out = {0};
	struct pol_ctx c;
	int error = ASEC_OK;

	*violations = NULL;
	if (!(p->stages & stage)) {
		error_set("policy '%s' has no %s stage", p->name,
			  stage == POLICY_STAGE_BUILD ? "BUILD" : stage == POLICY_STAGE_DEPLOY ? "DEPLOY" : "RUNTIME");
		return ASEC_EINVALID;
	}
	if ((stage == POLICY_STAGE_BUILD && !json_is_object(in->image)) ||
	    (stage != POLICY_STAGE_BUILD && !json_is_object(in->deployment))) {
		error_set("policy evaluation at %s needs %s", stage == POLICY_STAGE_BUILD ? "BUILD" : "DEPLOY/RUNTIME",
			  stage == POLICY_STAGE_BUILD ? "an image" : "a deployment");
		return ASEC_EINVALID;
	}
	out.violations = json_array();
	out.seen = json_object();
	if (!out.violations || !out.seen) {
		error = ASEC_ENOMEM;
		goto out;
	}
	memset(&c, 0, sizeof(c));
	c.in = in;
	c.stage = stage;
	c.deployment = stage == POLICY_STAGE_BUILD ? NULL : in->deployment;
	/* Process criteria only ever match at RUNTIME, on a process event. */
	c.process = stage == POLICY_STAGE_RUNTIME && json_is_object(in->process) ? in->process : NULL;
	for (size_t i = 0; i < p->nsections; i++) {
		const struct pol_section *s = &p->sections[i];

		if (uses(s, PL_PROCESS) && !c.process)
			continue;
		if (stage == POLICY_STAGE_RUNTIME && !uses(s, PL_PROCESS))
			continue; /* a runtime section fires on its runtime event */
		section_evaluate(s, &c, &out);
		if (out.error) {
			error = out.error;
			goto out;
		}
	}
	*violations = out.violations;
	out.violations = NULL;
out:
	if (error == ASEC_ENOMEM)
		error_set("out of memory evaluating policy");
	json_decref(out.violations);
	json_decref(out.seen);
	return error;
}

/* ---- scope and exclusions ------------------------------------------------ */

static int labels_match(const regex_t *key, const regex_t *value, const json_t *labels)
{
	const char *k;
	const json_t *v;

	if (!key && !value)
		return 1;
	json_object_foreach((json_t *)labels, k, v)
	{
		if (pol_regex_match(key, k) && pol_regex_match(value, json_is_string(v) ? json_string_value(v) : ""))
			return 1;
	}
	return 0;
}

static int scope_matches(const char *cluster, const regex_t *ns, const regex_t *lk, const regex_t *lv,
			 const struct policy_input *in)
{
	const json_t *d = in->deployment;

	if (cluster && cluster[0] && (!in->cluster || strcmp(cluster, in->cluster) != 0))
		return 0;
	if (ns && (!d || !pol_regex_match(ns, json_string_value(json_object_get(d, "namespace")))))
		return 0;
	if ((lk || lv) && (!d || !labels_match(lk, lv, json_object_get(d, "labels"))))
		return 0;
	return 1;
}

static const char *image_full_name(const json_t *image)
{
	const json_t *name = json_object_get(image, "name");

	return json_string_value(json_object_get(name, "fullName"));
}

static int image_excluded(const regex_t *re, const struct policy_input *in)
{
	const char *full;

	if (in->image && (full = image_full_name(in->image)) && pol_regex_match(re, full))
		return 1;
	for (size_t i = 0; in->container_images && i < in->container_image_count; i++)
		if (in->container_images[i] && (full = image_full_name(in->container_images[i])) &&
		    pol_regex_match(re, full))
			return 1;
	return 0;
}

int policy_applies(const struct policy *p, const struct policy_input *in)
{
	const json_t *d = in->deployment;

	if (p->nscopes > 0 && d) {
		int any = 0;

		for (size_t i = 0; i < p->nscopes && !any; i++)
			any = scope_matches(p->scopes[i].cluster, p->scopes[i].ns, p->scopes[i].label_key,
					    p->scopes[i].label_value, in);
		if (!any)
			return 0;
	}
	for (size_t i = 0; i < p->nexclusions; i++) {
		const struct pol_exclusion *e = &p->exclusions[i];

		if (e->expiration > 0 && e->expiration <= in->now)
			continue;
		if (e->has_deployment && d) {
			const char *name = json_string_value(json_object_get(d, "name"));

			if ((!e->deploy_name || pol_regex_match(e->deploy_name, name ? name : "")) &&
			    scope_matches(e->scope_cluster, e->scope_ns, e->scope_label_key, e->scope_label_value, in))
				return 0;
		}
		if (e->has_image && e->image_name && image_excluded(e->image_name, in))
			return 0;
	}
	return 1;
}
