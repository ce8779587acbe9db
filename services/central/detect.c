/*
 * detect.c - DetectionService: check an image against the build-time
 * policies (roxctl image check, the Jenkins plugin) and Kubernetes objects
 * or a deployment against the deploy-time policies (roxctl deployment
 * check).
 *
 * Every check has the same shape: the enabled policies of one stage from
 * the policy snapshot (policy_set.h: parsed once, not per request), narrowed
 * by the caller's categories (a category no such policy has is a 400, as
 * StackRox answers "allowed categories ... did not match any policy
 * categories") and, for deploy checks with enforcementOnly, to those that
 * enforce at deploy time; then policy_applies() (scope, exclusions) and
 * policy_evaluate() per policy. A policy that fires is one StackRox Alert
 * with the policy embedded and one violation per matched object.
 *
 * WHAT IS KEPT. Build-time alerts are stored (store_alerts.h) against the
 * image's full name: a policy that fires again continues its ACTIVE alert,
 * a policy that was evaluated and passed resolves it, so re-checking a
 * fixed image in CI clears its violations. Deploy-time checks of YAML or a
 * deployment store nothing, as StackRox's DetectDeployTime* do (their
 * alerts are about objects that may never be deployed); their alerts are
 * still complete Alert objects, with a fresh id and the time of the check.
 *
 * IMAGES OF A DEPLOY CHECK come from Central DB by name (the image last
 * stored under the container's image name), and are scanned when central
 * does not know them (always with force), through the same scanner and
 * rules as POST /v1/images/scan. A name that cannot be scanned leaves its
 * container unscanned for the policies (Unscanned Image may fire) and a
 * note says why; only an unreachable Central DB fails the whole check.
 * One check looks each name up once.
 */
#include "central.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "error/error.h"
#include "image_scan.h"
#include "policy/policy.h"
#include "policy_set.h"
#include "store_alerts.h"
#include "store_images.h"
#include "workload/workload.h"

#define DETECT_RETRY_AFTER_S "10"
/* The spec's bound on policyCategories. */
#define DETECT_MAX_CATEGORIES 64
/* The spec's bound on yaml (characters; bytes are bounded by workload). */
#define DETECT_MAX_YAML_CHARS 1000000u
/* Images one deploy check may scan (those central knows cost no scan). */
#define DETECT_MAX_SCANS 50

/* A check in progress: what every policy evaluation of it shares. */
struct detect {
	struct central *c;
	struct http_exchange *ex;
	struct policy_set *set;
	enum policy_stage stage;
	const char *categories[DETECT_MAX_CATEGORIES + 1]; /* NULL-terminated; [0] NULL: all */
	int enforcement_only;
	const char *cluster; /* for scopes and the alerts; NULL = unknown */
	int64_t now;
	json_t *notes; /* deploy checks: strings */
	json_t *images; /* deploy checks: image name -> Image, or null when it could not be scanned */
	int scans;      /* deploy checks: images scanned so far */
};

/* s, or "" for a missing string member. */
static const char *str_or_empty(const char *s)
{
	return s ? s : "";
}

static int respond_unavailable(struct http_exchange *ex, const char *what)
{
	http_respond_header(ex, "Retry-After", DETECT_RETRY_AFTER_S);
	return http_respond_problem(ex, 503, "Service Unavailable", "%s is unreachable: %s", what, error_last());
}

/* Answers a failure of Central DB or of memory (anything else is a bug). */
static int respond_store_error(struct http_exchange *ex, int rc)
{
	if (rc == ASEC_EIO || rc == ASEC_ETIMEOUT)
		return respond_unavailable(ex, "Central DB");
	return http_respond_error(ex, rc);
}

static void detect_free(struct detect *d)
{
	policy_set_release(d->set);
	json_decref(d->notes);
	json_decref(d->images);
}

/* Whether policy p takes part in check d. */
static int detect_selects(const struct detect *d, const struct policy *p)
{
	if (policy_disabled(p) || !(policy_stages(p) & d->stage))
		return 0;
	if (d->enforcement_only && !policy_enforces(p, d->stage))
		return 0;
	return policy_in_categories(p, d->categories[0] ? d->categories : NULL);
}

/*
 * Reads policyCategories and takes the policy snapshot. Answers the 400 or
 * 503 itself and returns non-zero when the check cannot go on.
 */
static int detect_begin(struct detect *d, struct http_exchange *ex, enum policy_stage stage, const json_t *body)
{
	const json_t *cats = json_object_get(body, "policyCategories");
	const json_t *v;
	size_t i, n = 0;
	int rc;

	memset(d, 0, sizeof(*d));
	d->c = http_exchange_server_context(ex);
	d->ex = ex;
	d->stage = stage;
	d->now = (int64_t)time(NULL);
	if (json_array_size(cats) > DETECT_MAX_CATEGORIES) {
		http_respond_problem(ex, 400, "Bad Request", "policyCategories: at most %d categories",
				     DETECT_MAX_CATEGORIES);
		return ASEC_EINVALID;
	}
	json_array_foreach(cats, i, v) {
		const char *s = json_string_value(v);
		if (!s || !s[0]) {
			http_respond_problem(ex, 400, "Bad Request", "policyCategories[%zu]: a category name is required",
					     i);
			return ASEC_EINVALID;
		}
		d->categories[n++] = s;
	}
	d->categories[n] = NULL;
	if (!(d->notes = json_array()) || !(d->images = json_object())) {
		http_respond_error(ex, ASEC_ENOMEM);
		return ASEC_ENOMEM;
	}
	if ((rc = policy_set_get(&d->set, d->c))) {
		respond_store_error(ex, rc);
		return rc;
	}
	/* A category that names no policy of the stage is a typo more often
	 * than a wish for no checks: StackRox refuses it too. */
	for (size_t k = 0; k < n; k++) {
		const char *one[2] = {d->categories[k], NULL};
		int used = 0;
		for (size_t p = 0; p < policy_set_count(d->set) && !used; p++) {
			const struct policy *pol = policy_set_at(d->set, p);
			used = !policy_disabled(pol) && (policy_stages(pol) & stage) && policy_in_categories(pol, one);
		}
		if (!used) {
			http_respond_problem(ex, 400, "Bad Request",
					     "policyCategories[%zu]: \"%s\" is not a category of any enabled %s policy", k,
					     d->categories[k], stage == POLICY_STAGE_BUILD ? "build-time" : "deploy-time");
			return ASEC_EINVALID;
		}
	}
	return ASEC_OK;
}

/* The enforcement action of p at stage d->stage, by StackRox's names. */
static const char *detect_enforcement_action(const struct detect *d, const struct policy *p)
{
	static const char *const deploy[] = {"SCALE_TO_ZERO_ENFORCEMENT", "UNSATISFIABLE_NODE_CONSTRAINT_ENFORCEMENT",
					     "FAIL_DEPLOYMENT_CREATE_ENFORCEMENT", "FAIL_DEPLOYMENT_UPDATE_ENFORCEMENT"};
	const json_t *actions = json_object_get(policy_json(p), "enforcementActions"), *v;
	size_t i;

	if (!policy_enforces(p, d->stage))
		return NULL;
	if (d->stage == POLICY_STAGE_BUILD)
		return "FAIL_BUILD_ENFORCEMENT";
	json_array_foreach(actions, i, v) {
		for (size_t k = 0; k < sizeof(deploy) / sizeof(deploy[0]); k++)
			if (json_is_string(v) && strcmp(json_string_value(v), deploy[k]) == 0)
				return deploy[k];
	}
	return NULL;
}

/* A StackRox Alert of policy p with violations (stolen), about entity (the
 * "image" or "deployment" member, stolen). */
static json_t *detect_alert(const struct detect *d, const struct policy *p, json_t *violations, const char *entity_key,
			    json_t *entity, const char *namespace)
{
	const char *action = detect_enforcement_action(d, p);
	int is_build = d->stage == POLICY_STAGE_BUILD;
	json_t *alert, *info;

	info = json_pack("{s:s}", "resourceType", is_build ? "IMAGE" : "DEPLOYMENT");
	alert = json_pack("{s:O, s:s, s:o, s:o, s:o}", "policy", policy_json(p), "lifecycleStage",
			  is_build ? "BUILD" : "DEPLOY", entity_key, entity, "violations", violations, "commonEntityInfo",
			  info);
	if (!alert)
		return NULL;
	if ((d->cluster && (json_object_set_new(alert, "clusterName", json_string(d->cluster)) ||
			    json_object_set_new(info, "clusterName", json_string(d->cluster)))) ||
	    (namespace && (json_object_set_new(alert, "namespace", json_string(namespace)) ||
			   json_object_set_new(info, "namespace", json_string(namespace))))) {
		json_decref(alert);
		return NULL;
	}
	if (action) {
		json_t *e = json_pack("{s:s, s:s++}", "action", action, "message",
				      is_build ? "Policy \"" : "Deployment blocked by policy \"", policy_name(p), "\"");
		if (!e || json_object_set_new(alert, "enforcement", e)) {
			json_decref(alert);
			return NULL;
		}
	}
	return alert;
}

/*
 * Evaluates every selected policy against in. *alerts gets an array of
 * Alerts; *passed (may be NULL) the policies evaluated that did not fire.
 * make_entity gives a fresh copy of the alert's entity member.
 */
static int detect_evaluate(json_t **alerts, const char **passed, size_t *passed_count, const struct detect *d,
			   const struct policy_input *in, const char *entity_key,
			   json_t *(*make_entity)(const void *ctx), const void *ctx, const char *namespace)
{
	json_t *list = json_array(), *violations = NULL, *alert;
	int rc = ASEC_OK;

	*alerts = NULL;
	if (passed_count)
		*passed_count = 0;
	if (!list)
		return ASEC_ENOMEM;
	for (size_t i = 0; i < policy_set_count(d->set); i++) {
		const struct policy *p = policy_set_at(d->set, i);
		if (!detect_selects(d, p))
			continue;
		/* Out of scope or excluded: the policy passes for this entity,
		 * so that an exclusion added later resolves its alert. */
		if (!policy_applies(p, in)) {
			if (passed)
				passed[(*passed_count)++] = policy_id(p);
			continue;
		}
		if ((rc = policy_evaluate(&violations, p, d->stage, in)))
			goto out;
		if (json_array_size(violations) == 0) {
			json_decref(violations);
			violations = NULL;
			if (passed)
				passed[(*passed_count)++] = policy_id(p);
			continue;
		}
		alert = detect_alert(d, p, violations, entity_key, make_entity(ctx), namespace);
		violations = NULL;
		if (!alert || json_array_append_new(list, alert)) {
			rc = ASEC_ENOMEM;
			goto out;
		}
	}
	*alerts = list;
	list = NULL;
out:
	json_decref(violations);
	json_decref(list);
	return rc;
}

/* ---- build time --------------------------------------------------------- */

/* ContainerImage{id, name, notPullable} of an Image. */
static json_t *detect_container_image(const void *ctx)
{
	const json_t *image = ctx;
	json_t *out = json_pack("{s:O?, s:b}", "name", json_object_get(image, "name"), "notPullable", 0);

	if (out && json_is_string(json_object_get(image, "id")) &&
	    json_object_set(out, "id", json_object_get(image, "id"))) {
		json_decref(out);
		return NULL;
	}
	return out;
}

int central_handle_detectBuildTime(struct http_exchange *ex, const struct central_detectBuildTime_params *params,
				   json_t *body)
{
	const char *name = json_string_value(json_object_get(body, "imageName"));
	json_t *given = json_object_get(body, "image"), *image = NULL, *alerts = NULL;
	const char **passed = NULL;
	char key[STORE_ALERTS_KEY_MAX + 1];
	struct image_scan_outcome outcome;
	struct detect d;
	struct policy_input in;
	struct store_alerts_detection rec;
	size_t passed_count = 0;
	int rc;

	(void)params;
	memset(&d, 0, sizeof(d));
	if ((name && name[0]) == (given != NULL && !json_is_null(given)))
		return http_respond_problem(ex, 400, "Bad Request",
					    "imageName: exactly one of imageName and image is required");
	if (given && !json_is_null(given) && !json_is_object(given))
		return http_respond_problem(ex, 400, "Bad Request", "image: an Image object is required");
	if (detect_begin(&d, ex, POLICY_STAGE_BUILD, body))
		goto out;
	d.cluster = json_string_value(json_object_get(body, "cluster"));
	if (d.cluster && !d.cluster[0])
		d.cluster = NULL;
	if (name) {
		if (image_scanner_scan(&outcome, d.c->scanner, name, json_is_true(json_object_get(body, "force")))) {
			http_respond_error(ex, ASEC_ENOMEM);
			goto out;
		}
		if (outcome.status != 200) {
			if (outcome.status == 503)
				http_respond_header(ex, "Retry-After", DETECT_RETRY_AFTER_S);
			http_respond_problem(ex, outcome.status, outcome.title, "%s", outcome.detail);
			goto out;
		}
		image = outcome.image;
	} else {
		image = json_incref(given);
	}
	if (store_alerts_image_key(key, image)) {
		http_respond_problem(ex, 400, "Bad Request", "image: %s", error_last());
		goto out;
	}
	if (!(passed = calloc(policy_set_count(d.set) + 1, sizeof(*passed)))) {
		http_respond_error(ex, ASEC_ENOMEM);
		goto out;
	}
	memset(&in, 0, sizeof(in));
	in.image = image;
	in.cluster = d.cluster;
	in.now = d.now;
	if ((rc = detect_evaluate(&alerts, passed, &passed_count, &d, &in, "image", detect_container_image, image,
				  json_string_value(json_object_get(body, "namespace"))))) {
		http_respond_error(ex, rc);
		goto out;
	}
	/* Only what central scanned itself is kept: an image given inline says
	 * whatever its sender wants, and must not resolve (or forge) the alerts
	 * of the image its name claims. */
	memset(&rec, 0, sizeof(rec));
	rec.lifecycle_stage = "BUILD";
	rec.entity = STORE_ALERT_IMAGE;
	rec.entity_key = key;
	rec.alerts = alerts;
	rec.passed_policy_ids = passed;
	rec.passed_count = passed_count;
	if ((!given || json_is_null(given)) && (rc = store_alerts_record(NULL, d.c->pool, &rec))) {
		respond_store_error(ex, rc);
		goto out;
	}
	http_respond_json(ex, 200, json_pack("{s:O}", "alerts", alerts));
out:
	free(passed);
	json_decref(alerts);
	json_decref(image);
	detect_free(&d);
	return ASEC_OK;
}

/* ---- deploy time -------------------------------------------------------- */

/* The Image of name for a deploy check: stored, else scanned (force:
 * always scanned). *out is a new reference, NULL when the name cannot be
 * scanned (a note says why). Fails only for Central DB or memory. */
static int detect_image(json_t **out, struct detect *d, const char *name, int force, const char *container,
			const char *deployment)
{
	struct store_image_ref ref;
	struct image_scan_outcome outcome;
	json_t *known = json_object_get(d->images, name), *image = NULL;
	int rc;

	*out = NULL;
	if (known) {
		*out = json_is_null(known) ? NULL : json_incref(known);
		return ASEC_OK;
	}
	if (!force) {
		rc = store_images_find_by_name(&ref, d->c->pool, name);
		if (rc == ASEC_OK)
			rc = store_images_get(&image, d->c->pool, ref.id, 1);
		if (rc && rc != ASEC_ENOTFOUND)
			return rc;
	}
	if (!image && d->scans >= DETECT_MAX_SCANS) {
		/* one request may not send central to any number of registries */
		if (json_array_append_new(d->notes,
					  json_sprintf("container '%s' of %s: image %s is unscanned: this check already "
						       "scanned %d images, the most one check scans",
						       container, deployment, name, DETECT_MAX_SCANS)))
			return ASEC_ENOMEM;
	} else if (!image) {
		d->scans++;
		if (image_scanner_scan(&outcome, d->c->scanner, name, force))
			return ASEC_ENOMEM;
		if (outcome.status == 200) {
			image = outcome.image;
		} else if (json_array_append_new(d->notes,
						 json_sprintf("container '%s' of %s: image %s is unscanned: %s (%s)",
							      container, deployment, name, outcome.title,
							      outcome.detail))) {
			return ASEC_ENOMEM;
		}
	}
	if (json_object_set_new(d->images, name, image ? json_incref(image) : json_null())) {
		json_decref(image);
		return ASEC_ENOMEM;
	}
	*out = image;
	return ASEC_OK;
}

/* AlertDeployment of a deployment (the spec's members only). */
static json_t *detect_alert_deployment(const void *ctx)
{
	static const char *const members[] = {"id",          "name",        "type",      "namespace", "namespaceId",
					      "labels",      "annotations", "clusterId", "clusterName", NULL};
	const json_t *dep = ctx, *c;
	json_t *out = json_object(), *containers = json_array();
	size_t i;

	if (!out || !containers)
		goto fail;
	for (const char *const *m = members; *m; m++)
		if (json_object_get(dep, *m) && json_object_set(out, *m, json_object_get(dep, *m)))
			goto fail;
	json_array_foreach(json_object_get(dep, "containers"), i, c) {
		const json_t *img = json_object_get(c, "image");
		json_t *ci = json_pack("{s:O?}", "name", json_object_get(c, "name"));
		if (!ci || json_array_append_new(containers, ci))
			goto fail;
		if (img && json_object_set_new(ci, "image", detect_container_image(img)))
			goto fail;
	}
	if (json_object_set_new(out, "inactive", json_false()) || json_object_set_new(out, "containers", containers))
		goto fail_out;
	return out;
fail:
	json_decref(containers);
fail_out:
	json_decref(out);
	return NULL;
}

/* Whether NetworkPolicy np selects the pods of dep: same namespace and a
 * podSelector whose matchLabels all hold (matchExpressions are not read:
 * such a policy is not counted). */
static int detect_np_selects(const json_t *np, const json_t *dep, const char *default_ns)
{
	const char *ns = json_string_value(json_object_get(json_object_get(np, "metadata"), "namespace"));
	const json_t *sel = json_object_get(json_object_get(np, "spec"), "podSelector");
	const json_t *labels = json_object_get(dep, "podLabels"), *v;
	const char *key;

	if (!ns)
		ns = default_ns && default_ns[0] ? default_ns : "default";
	if (strcmp(ns, str_or_empty(json_string_value(json_object_get(dep, "namespace")))) != 0)
		return 0;
	if (json_array_size(json_object_get(sel, "matchExpressions")) > 0)
		return 0;
	json_object_foreach((json_t *)json_object_get(sel, "matchLabels"), key, v) {
		const json_t *have = json_object_get(labels, key);
		if (!json_is_string(have) || !json_is_string(v) || strcmp(json_string_value(have), json_string_value(v)))
			return 0;
	}
	return 1;
}

/*
 * Checks one deployment: images, network policies, policies. Appends a run
 * to runs and a remark to remarks (may be NULL). Answers the HTTP error
 * itself and returns non-zero when the check cannot go on.
 */
static int detect_deployment(struct detect *d, json_t *dep, const json_t *network_policies, const char *default_ns,
			     int force, json_t *runs, json_t *remarks)
{
	const char *name = str_or_empty(json_string_value(json_object_get(dep, "name")));
	const char *type = str_or_empty(json_string_value(json_object_get(dep, "type")));
	const char *ns = json_string_value(json_object_get(dep, "namespace"));
	json_t *containers = json_object_get(dep, "containers"), *c, *nps = NULL, *applied = NULL, *np;
	json_t **images = NULL, *alerts = NULL;
	char where[600];
	struct policy_input in;
	size_t i, n = json_array_size(containers);
	int rc = ASEC_OK;

	snprintf(where, sizeof(where), "%s %s/%s", type, ns ? ns : "", name);
	if (n > WORKLOAD_MAX_CONTAINERS) {
		http_respond_problem(d->ex, 400, "Bad Request", "%s: more than %d containers", where,
				     WORKLOAD_MAX_CONTAINERS);
		return ASEC_EINVALID;
	}
	if (d->cluster && json_object_set_new(dep, "clusterName", json_string(d->cluster)))
		goto nomem;
	if (!(images = calloc(n ? n : 1, sizeof(*images))))
		goto nomem;
	json_array_foreach(containers, i, c) {
		const char *image = json_string_value(
			json_object_get(json_object_get(json_object_get(c, "image"), "name"), "fullName"));
		if (!image || !image[0]) {
			if (json_array_append_new(d->notes,
						  json_sprintf("container '%s' of %s: no image name; it is unscanned",
							       str_or_empty(json_string_value(json_object_get(c, "name"))),
							       where)))
				goto nomem;
			continue;
		}
		if ((rc = detect_image(&images[i], d, image, force,
				       str_or_empty(json_string_value(json_object_get(c, "name"))), where))) {
			respond_store_error(d->ex, rc);
			goto out;
		}
	}
	/* NetworkPolicies: known only when the input brought some. */
	if (network_policies && json_array_size(network_policies) > 0) {
		if (!(nps = json_array()) || !(applied = json_array()))
			goto nomem;
		json_array_foreach(network_policies, i, np) {
			const char *np_ns = json_string_value(json_object_get(json_object_get(np, "metadata"), "namespace"));
			if (!np_ns)
				np_ns = default_ns && default_ns[0] ? default_ns : "default";
			if (strcmp(np_ns, ns ? ns : "") == 0 && json_array_append(nps, np))
				goto nomem;
			if (detect_np_selects(np, dep, default_ns) &&
			    json_array_append(applied, json_object_get(json_object_get(np, "metadata"), "name")))
				goto nomem;
		}
	}
	memset(&in, 0, sizeof(in));
	in.deployment = dep;
	in.container_images = (const json_t *const *)images;
	in.container_image_count = n;
	in.network_policies = nps;
	in.cluster = d->cluster;
	in.now = d->now;
	if ((rc = detect_evaluate(&alerts, NULL, NULL, d, &in, "deployment", detect_alert_deployment, dep, ns))) {
		http_respond_error(d->ex, rc);
		goto out;
	}
	/* Not stored (see the top of the file), yet complete Alerts. */
	json_array_foreach(alerts, i, c) {
		char id[AUTH_UUID_LEN + 1], when[32];
		central_time_format(when, sizeof(when), d->now);
		if (auth_uuid_v4(id) || json_object_set_new(c, "id", json_string(id)) ||
		    json_object_set_new(c, "time", json_string(when)) ||
		    json_object_set_new(c, "firstOccurred", json_string(when)) ||
		    json_object_set_new(c, "state", json_string("ACTIVE")))
			goto nomem;
	}
	if (json_array_append_new(runs, json_pack("{s:s, s:s, s:O}", "name", name, "type", type, "alerts", alerts)))
		goto nomem;
	if (remarks && json_array_append_new(remarks, applied ? json_pack("{s:s, s:O}", "name", name,
									   "appliedNetworkPolicies", applied)
							      : json_pack("{s:s}", "name", name)))
		goto nomem;
	rc = ASEC_OK;
	goto out;
nomem:
	rc = ASEC_ENOMEM;
	http_respond_error(d->ex, rc);
out:
	for (i = 0; images && i < n; i++)
		json_decref(images[i]);
	free(images);
	json_decref(alerts);
	json_decref(nps);
	json_decref(applied);
	return rc;
}

/* "<kind>/<namespace>/<name>: <reason>" of an ignored object. */
static json_t *detect_ignored_ref(const json_t *o)
{
	const char *reason = json_string_value(json_object_get(o, "reason"));

	return json_sprintf("%s/%s/%s%s%s", str_or_empty(json_string_value(json_object_get(o, "kind"))),
			    str_or_empty(json_string_value(json_object_get(o, "namespace"))),
			    str_or_empty(json_string_value(json_object_get(o, "name"))), reason ? ": " : "", reason ? reason : "");
}

int central_handle_detectDeployTimeFromYAML(struct http_exchange *ex,
					    const struct central_detectDeployTimeFromYAML_params *params, json_t *body)
{
	const json_t *yaml = json_object_get(body, "yaml"), *o;
	const char *ns = json_string_value(json_object_get(body, "namespace"));
	struct workload_result wr;
	json_t *runs = NULL, *ignored = NULL, *remarks = NULL;
	struct detect d;
	size_t i;
	int force = json_is_true(json_object_get(body, "force")), rc;

	(void)params;
	memset(&wr, 0, sizeof(wr));
	memset(&d, 0, sizeof(d));
	if (!json_is_string(yaml) || json_string_length(yaml) == 0)
		return http_respond_problem(ex, 400, "Bad Request", "yaml: Kubernetes objects are required");
	/* The schema bounds characters; a byte bound keeps the parser's input
	 * finite whatever the encoding (workload refuses past its own too). */
	if (json_string_length(yaml) > 4 * (size_t)DETECT_MAX_YAML_CHARS)
		return http_respond_problem(ex, 413, "Payload Too Large", "yaml: more than %u characters",
					    DETECT_MAX_YAML_CHARS);
	if (ns && !ns[0])
		ns = NULL;
	if (detect_begin(&d, ex, POLICY_STAGE_DEPLOY, body))
		goto out;
	d.enforcement_only = json_is_true(json_object_get(body, "enforcementOnly"));
	d.cluster = json_string_value(json_object_get(body, "cluster"));
	if (d.cluster && !d.cluster[0])
		d.cluster = NULL;
	rc = workload_from_text(&wr, json_string_value(yaml), json_string_length(yaml), ns);
	if (rc == ASEC_EINVALID || rc == ASEC_ETOOBIG) {
		http_respond_problem(ex, rc == ASEC_ETOOBIG ? 413 : 400,
				     rc == ASEC_ETOOBIG ? "Payload Too Large" : "Bad Request", "yaml: %s", error_last());
		goto out;
	}
	if (rc) {
		http_respond_error(ex, rc);
		goto out;
	}
	if (!(runs = json_array()) || !(ignored = json_array()) || !(remarks = json_array())) {
		http_respond_error(ex, ASEC_ENOMEM);
		goto out;
	}
	json_array_foreach(wr.ignored, i, o) {
		if (json_array_append_new(ignored, detect_ignored_ref(o))) {
			http_respond_error(ex, ASEC_ENOMEM);
			goto out;
		}
	}
	json_array_foreach(wr.deployments, i, o) {
		if (detect_deployment(&d, (json_t *)o, wr.network_policies, ns, force, runs, remarks))
			goto out;
	}
	if (wr.remarks && json_array_extend(d.notes, wr.remarks) == -1) {
		http_respond_error(ex, ASEC_ENOMEM);
		goto out;
	}
	http_respond_json(ex, 200, json_pack("{s:O, s:O, s:O, s:O}", "runs", runs, "ignoredObjectRefs", ignored,
					     "remarks", remarks, "notes", d.notes));
out:
	json_decref(runs);
	json_decref(ignored);
	json_decref(remarks);
	workload_result_free(&wr);
	detect_free(&d);
	return ASEC_OK;
}

int central_handle_detectDeployTime(struct http_exchange *ex, const struct central_detectDeployTime_params *params,
				    json_t *body)
{
	json_t *given = json_object_get(body, "deployment"), *dep = NULL, *runs = NULL;
	const char *cluster_id = json_string_value(json_object_get(body, "clusterId"));
	struct detect d;

	(void)params;
	memset(&d, 0, sizeof(d));
	if (!json_is_object(given))
		return http_respond_problem(ex, 400, "Bad Request", "deployment: a Deployment object is required");
	if (!json_is_string(json_object_get(given, "name")) || !json_string_length(json_object_get(given, "name")))
		return http_respond_problem(ex, 400, "Bad Request", "deployment.name: a name is required");
	if (detect_begin(&d, ex, POLICY_STAGE_DEPLOY, body))
		goto out;
	d.enforcement_only = json_is_true(json_object_get(body, "enforcementOnly"));
	d.cluster = json_string_value(json_object_get(given, "clusterName"));
	if (d.cluster && !d.cluster[0])
		d.cluster = NULL;
	/* Ours to annotate (clusterId, clusterName): the body stays the caller's. */
	if (!(dep = json_deep_copy(given)) || !(runs = json_array()) ||
	    (cluster_id && cluster_id[0] && json_object_set_new(dep, "clusterId", json_string(cluster_id))) ||
	    (!json_object_get(dep, "namespace") && json_object_set_new(dep, "namespace", json_string("default")))) {
		http_respond_error(ex, ASEC_ENOMEM);
		goto out;
	}
	if (detect_deployment(&d, dep, NULL, NULL, 0, runs, NULL))
		goto out;
	http_respond_json(ex, 200, json_pack("{s:O, s:[], s:[], s:O}", "runs", runs, "ignoredObjectRefs", "remarks",
					     "notes", d.notes));
out:
	json_decref(runs);
	json_decref(dep);
	detect_free(&d);
	return ASEC_OK;
}
