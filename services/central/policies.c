/*
 * policies.c - PolicyService: list, read, add, change, enable/disable and
 * delete policies; dry runs; export and import.
 *
 * Validation is shared/policy's (policy_validate, StackRox's rules); what is
 * decided here is what the caller sees. An invalid policy is one 400 whose
 * detail is the first mistake and whose `errors` lists every one, each with
 * a JSON pointer into the policy, so an editor can mark all of them at once.
 * What is stored is the engine's normalised form of the policy (defaults
 * filled in), so that reads answer what detection evaluates.
 *
 * Default policies ship with criteriaLocked: like StackRox, central then
 * lets a PUT change only how the policy is applied (disabled, notifiers,
 * scope, exclusions, enforcement), never what it looks for, so that a
 * release can refresh the criteria of defaults nobody touched.
 *
 * Every committed change calls policy_set_invalidate() so that this
 * replica's detector rebuilds its snapshot without waiting for the counter.
 */
#include "central.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_common.h"
#include "error/error.h"
#include "policy/policy.h"
#include "policy_set.h"
#include "query/query.h"
#include "store_images.h"
#include "store_policies.h"

/* Stored images a dry run evaluates at most (the newest scans first). */
#define POLICIES_DRYRUN_IMAGES_MAX 5000
/* Problem members are bounded by common.yaml's Problem schema. */
#define PROBLEM_ERRORS_MAX 100
#define PROBLEM_DETAIL_MAX 1024

/* Members a client may send but central fills or derives. */
static const char *const policies_readonly[] = {"lastUpdated",     "SORTName",  "SORTLifecycleStage",
						"SORTEnforcement", "SORT_name", "SORT_lifecycleStage",
						"SORT_enforcement", NULL};

/* Members a PUT may change on a policy whose criteria are locked. */
static const char *const policies_unlocked[] = {"disabled", "notifiers", "scope", "exclusions", "enforcementActions",
						NULL};

/* "policySections[0].policyGroups[1].fieldName" -> "/policySections/0/policyGroups/1/fieldName" */
static void path_to_pointer(char *out, size_t size, const char *path)
{
	size_t used = 0;

	out[0] = '\0';
	if (!path || !path[0] || size < 2)
		return;
	out[used++] = '/';
	for (const char *p = path; *p && used + 3 < size; p++) {
		if (*p == '.' || *p == '[') {
			if (used > 1 && out[used - 1] != '/')
				out[used++] = '/';
		} else if (*p == ']') {
			continue;
		} else if (*p == '~') {
			out[used++] = '~';
			out[used++] = '0';
		} else if (*p == '/') {
			out[used++] = '~';
			out[used++] = '1';
		} else {
			out[used++] = *p;
		}
	}
	out[used] = '\0';
}

/* The first error as "<path>: <message>" into out. */
static void first_error(char *out, size_t size, const json_t *errors)
{
	const json_t *e = json_array_get(errors, 0);
	const char *path = json_string_value(json_object_get(e, "path"));
	const char *msg = json_string_value(json_object_get(e, "message"));

	snprintf(out, size, "%s%s%s", path && path[0] ? path : "", path && path[0] ? ": " : "", msg ? msg : "invalid");
}

/* The 400 of an invalid policy: the shape of every problem answer
 * (shared/http) with `errors` by JSON pointer. */
static int respond_invalid(struct http_exchange *ex, const json_t *errors)
{
	char detail[PROBLEM_DETAIL_MAX], pointer[512];
	json_t *p = NULL, *list = NULL, *e;
	const char *path, *msg;
	char *text = NULL;
	size_t i;

	first_error(detail, sizeof(detail), errors);
	if (!(list = json_array()))
		goto nomem;
	json_array_foreach(errors, i, e) {
		if (i >= PROBLEM_ERRORS_MAX)
			break;
		path = json_string_value(json_object_get(e, "path"));
		path_to_pointer(pointer, sizeof(pointer), path);
		msg = json_string_value(json_object_get(e, "message"));
		if (json_array_append_new(list, json_pack("{s:s, s:s}", "pointer", pointer, "detail", msg ? msg : "")))
			goto nomem;
	}
	p = json_pack("{s:s, s:s, s:i, s:s, s:s, s:i, s:s, s:s, s:O}", "type",
		      "urn:alauda-security:problem:invalid-request", "title", "Invalid policy", "status", 400, "detail",
		      detail, "requestId", http_exchange_request_id(ex), "code", 3, "message", detail, "error", detail,
		      "errors", list);
	if (!p || !(text = json_dumps(p, JSON_COMPACT)))
		goto nomem;
	http_respond_text(ex, 400, "application/problem+json", text, strlen(text));
	free(text);
	json_decref(p);
	json_decref(list);
	return ASEC_OK;
nomem:
	json_decref(p);
	json_decref(list);
	error_set("out of memory answering an invalid policy");
	return http_respond_error(ex, ASEC_ENOMEM);
}

/* A copy of a client's policy without the members central fills. */
static json_t *policy_from_client(const json_t *body)
{
	json_t *doc = json_deep_copy(body);

	for (size_t i = 0; doc && policies_readonly[i]; i++)
		json_object_del(doc, policies_readonly[i]);
	return doc;
}

/*
 * Validates doc and, when valid, replaces it with the engine's normalised
 * form. Returns ASEC_OK (valid), ASEC_EINVALID with *errors set (invalid),
 * or ASEC_ENOMEM.
 */
static int policy_normalise(json_t **doc, json_t **errors)
{
	struct policy *p = NULL;
	json_t *norm;
	int rc;

	*errors = NULL;
	if ((rc = policy_validate(errors, *doc)))
		return rc;
	if (json_array_size(*errors) > 0)
		return ASEC_EINVALID;
	json_decref(*errors);
	*errors = NULL;
	if ((rc = policy_parse(&p, *doc))) {
		/* validate and parse disagree: answer as invalid, with parse's word */
		if (rc == ASEC_ENOMEM)
			return rc;
		*errors = json_pack("[{s:s, s:s}]", "path", "", "message", error_last());
		return *errors ? ASEC_EINVALID : ASEC_ENOMEM;
	}
	norm = json_deep_copy(policy_json(p));
	policy_free(p);
	if (!norm)
		return ASEC_ENOMEM;
	json_decref(*doc);
	*doc = norm;
	return ASEC_OK;
}

/* Sets doc's id to the given one, or a new UUID when id is NULL or empty. */
static int policy_set_id(json_t *doc, const char *id)
{
	char uuid[AUTH_UUID_LEN + 1];
	int rc;

	if (!id || !id[0]) {
		if ((rc = auth_uuid_v4(uuid)))
			return rc;
		id = uuid;
	}
	if (json_object_set_new(doc, "id", json_string(id))) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	return ASEC_OK;
}

/* A policy that is no default (added or imported by a user). */
static int policy_mark_user(json_t *doc)
{
	if (json_object_set_new(doc, "isDefault", json_false()) ||
	    json_object_set_new(doc, "criteriaLocked", json_false()) ||
	    json_object_set_new(doc, "mitreVectorsLocked", json_false())) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	return ASEC_OK;
}

/*
 * A policy a user adds (POST, dry run, import) from what the client sent:
 * without the members central fills, with its id (or a new one), marked as
 * no default, validated and normalised. ASEC_EINVALID with *errors set,
 * ASEC_ENOMEM, or what making an id returns.
 */
static int policy_from_user(json_t **out, json_t **errors, const json_t *given)
{
	json_t *doc = policy_from_client(given);
	int rc;

	*out = NULL;
	*errors = NULL;
	if (!doc)
		return ASEC_ENOMEM;
	if ((rc = policy_set_id(doc, json_string_value(json_object_get(doc, "id")))) || (rc = policy_mark_user(doc)) ||
	    (rc = policy_normalise(&doc, errors))) {
		json_decref(doc);
		return rc;
	}
	*out = doc;
	return ASEC_OK;
}

int central_handle_listPolicies(struct http_exchange *ex, const struct central_listPolicies_params *params,
				json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	struct query *q = NULL;
	json_t *list = NULL;
	struct store_search_page page;
	int rc;

	(void)body;
	central_page_from_params(&page, CENTRAL_PAGINATION_OF(params));
	if (central_query_parse(&q, ex, "query", params->query, store_policies_query_fields))
		return ASEC_OK;
	rc = store_policies_list(&list, c->pool, q, &page);
	query_free(q);
	if (rc == ASEC_EINVALID)
		return http_respond_problem(ex, 400, "Bad Request", "pagination.sortOption.field: %s", error_last());
	if (rc)
		return central_respond_store_error(ex, rc);
	return http_respond_json(ex, 200, json_pack("{s:o}", "policies", list));
}

int central_handle_getPolicy(struct http_exchange *ex, const struct central_getPolicy_params *params, json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	json_t *doc = NULL;
	int rc;

	(void)body;
	if ((rc = store_policies_get(&doc, c->pool, params->id)))
		return central_respond_store_error(ex, rc);
	return http_respond_json(ex, 200, doc);
}

int central_handle_postPolicy(struct http_exchange *ex, const struct central_postPolicy_params *params, json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	json_t *doc = NULL, *errors = NULL, *stored = NULL;
	int rc;

	(void)params;
	if ((rc = policy_from_user(&doc, &errors, body)) == ASEC_EINVALID) {
		rc = respond_invalid(ex, errors);
		goto done;
	}
	if (rc || (rc = store_policies_put(NULL, c->pool, doc, STORE_POLICY_CREATE)))
		goto out;
	policy_set_invalidate(c);
	rc = store_policies_get(&stored, c->pool, json_string_value(json_object_get(doc, "id")));
out:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory adding a policy");
	rc = rc ? central_respond_store_error(ex, rc) : http_respond_json(ex, 200, stored);
done:
	json_decref(doc);
	json_decref(errors);
	return rc;
}

/* Whether a member is absent or holds its zero value ("", [], {}, false). */
static int member_empty(const json_t *v)
{
	return !v || json_is_null(v) || json_is_false(v) || (json_is_string(v) && json_string_length(v) == 0) ||
	       (json_is_array(v) && json_array_size(v) == 0) || (json_is_object(v) && json_object_size(v) == 0);
}

/* The first member whose change the stored policy's lock forbids, or NULL. */
static const char *locked_change(const json_t *stored, const json_t *doc)
{
	static const char *const ignored[] = {"id", "lastUpdated", "isDefault", "criteriaLocked", "mitreVectorsLocked",
					      NULL};
	int mitre_locked = json_is_true(json_object_get(stored, "mitreVectorsLocked"));
	const json_t *objs[2] = {stored, doc};
	const char *key;
	json_t *v;

	for (int k = 0; k < 2; k++) {
		json_object_foreach((json_t *)objs[k], key, v) {
			const json_t *a = json_object_get(stored, key), *b = json_object_get(doc, key);
			int skip = 0;

			for (size_t i = 0; ignored[i]; i++)
				skip |= strcmp(key, ignored[i]) == 0;
			for (size_t i = 0; policies_unlocked[i]; i++)
				skip |= strcmp(key, policies_unlocked[i]) == 0;
			if (!mitre_locked && strcmp(key, "mitreAttackVectors") == 0)
				skip = 1;
			if (skip || (member_empty(a) && member_empty(b)) || (a && b && json_equal(a, b)))
				continue;
			return key;
		}
	}
	return NULL;
}

int central_handle_putPolicy(struct http_exchange *ex, const struct central_putPolicy_params *params, json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	json_t *doc = policy_from_client(body), *errors = NULL, *stored = NULL;
	const char *given = json_string_value(json_object_get(body, "id")), *locked;
	static const char *const kept[] = {"isDefault", "criteriaLocked", "mitreVectorsLocked", NULL};
	int rc;

	if (given && given[0] && strcmp(given, params->id) != 0) {
		rc = http_respond_problem(ex, 400, "Bad Request", "id: %.128s is not the id of the path, %s", given,
					  params->id);
		goto done;
	}
	if (!doc) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	if ((rc = store_policies_get(&stored, c->pool, params->id)) || (rc = policy_set_id(doc, params->id)))
		goto out;
	/* a default stays a default, and its locks stay */
	for (size_t i = 0; kept[i]; i++) {
		if (json_object_set_new(doc, kept[i], json_boolean(json_is_true(json_object_get(stored, kept[i]))))) {
			rc = ASEC_ENOMEM;
			goto out;
		}
	}
	if ((rc = policy_normalise(&doc, &errors)) == ASEC_EINVALID) {
		rc = respond_invalid(ex, errors);
		goto done;
	}
	if (rc)
		goto out;
	if (json_is_true(json_object_get(stored, "criteriaLocked")) && (locked = locked_change(stored, doc))) {
		rc = http_respond_problem(ex, 400, "Bad Request",
					  "%s: the criteria of policy \"%s\" are locked; only disabled, notifiers, scope, "
					  "exclusions and enforcementActions may change",
					  locked, json_string_value(json_object_get(stored, "name")));
		goto done;
	}
	if ((rc = store_policies_put(NULL, c->pool, doc, STORE_POLICY_REPLACE)))
		goto out;
	policy_set_invalidate(c);
out:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory changing a policy");
	rc = rc ? central_respond_store_error(ex, rc) : http_respond_json(ex, 200, json_object());
done:
	json_decref(doc);
	json_decref(errors);
	json_decref(stored);
	return rc;
}

int central_handle_patchPolicy(struct http_exchange *ex, const struct central_patchPolicy_params *params,
			       json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	json_t *disabled = json_object_get(body, "disabled"), *doc = NULL;
	int rc;

	if (disabled) {
		if ((rc = store_policies_set_disabled(c->pool, params->id, json_is_true(disabled))))
			return central_respond_store_error(ex, rc);
		policy_set_invalidate(c);
	} else if ((rc = store_policies_get(&doc, c->pool, params->id))) {
		return central_respond_store_error(ex, rc);
	}
	json_decref(doc);
	return http_respond_json(ex, 200, json_object());
}

int central_handle_deletePolicy(struct http_exchange *ex, const struct central_deletePolicy_params *params,
				json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	int rc;

	(void)body;
	if ((rc = store_policies_delete(c->pool, params->id)))
		return central_respond_store_error(ex, rc);
	policy_set_invalidate(c);
	return http_respond_json(ex, 200, json_object());
}

/* ---- dry run ---- */

/* The policy the dry run evaluates at BUILD: p itself when it has that
 * stage; a DEPLOY-only policy whose criteria are all image criteria as a
 * BUILD copy; otherwise NULL (nothing central stores can match it). */
static int dryrun_build_policy(struct policy **out, const json_t *doc)
{
	struct policy *p = NULL;
	json_t *copy = NULL;
	int rc;

	*out = NULL;
	if ((rc = policy_parse(&p, doc)))
		return rc;
	if (policy_stages(p) & POLICY_STAGE_BUILD) {
		*out = p;
		return ASEC_OK;
	}
	if (!(policy_stages(p) & POLICY_STAGE_DEPLOY)) {
		policy_free(p);
		return ASEC_OK;
	}
	policy_free(p);
	p = NULL;
	if (!(copy = json_deep_copy(doc)) || json_object_set_new(copy, "lifecycleStages", json_pack("[s]", "BUILD")) ||
	    json_object_set_new(copy, "enforcementActions", json_array())) {
		json_decref(copy);
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	/* deployment exclusions do not fit BUILD; images are what is evaluated */
	json_object_del(copy, "exclusions");
	rc = policy_parse(&p, copy);
	json_decref(copy);
	if (rc == ASEC_ENOMEM)
		return rc;
	*out = rc ? NULL : p;
	return ASEC_OK;
}

/* Evaluates p against one stored image; appends a DryRunAlert when it fires. */
static int dryrun_image(json_t *alerts, struct central *c, const struct policy *p, const char *id, int64_t now)
{
	json_t *image = NULL, *violations = NULL, *messages = NULL, *v;
	struct policy_input in = {0};
	const char *name;
	size_t i;
	int rc;

	if ((rc = store_images_get(&image, c->pool, id, 1)))
		return rc == ASEC_ENOTFOUND ? ASEC_OK : rc; /* deleted meanwhile */
	in.image = image;
	in.now = now;
	if (policy_applies(p, &in) != 1)
		goto out;
	if ((rc = policy_evaluate(&violations, p, POLICY_STAGE_BUILD, &in)))
		goto out;
	if (json_array_size(violations) == 0)
		goto out;
	if (!(messages = json_array())) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	json_array_foreach(violations, i, v) {
		if (json_array_append(messages, json_object_get(v, "message"))) {
			rc = ASEC_ENOMEM;
			goto out;
		}
	}
	name = json_string_value(json_object_get(json_object_get(image, "name"), "fullName"));
	if (json_array_append_new(alerts, json_pack("{s:s, s:O}", "deployment", name ? name : id, "violations",
						    messages)))
		rc = ASEC_ENOMEM;
out:
	json_decref(image);
	json_decref(violations);
	json_decref(messages);
	return rc;
}

int central_handle_dryRunPolicy(struct http_exchange *ex, const struct central_dryRunPolicy_params *params,
				json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	struct store_search_page page = {
		.limit = STORE_SEARCH_PAGE_MAX, .offset = 0, .sort_field = "Image Scan Time", .reversed = 1};
	json_t *doc = NULL, *errors = NULL, *alerts = json_array(), *images = NULL, *img;
	struct policy *p = NULL;
	int64_t now = (int64_t)time(NULL);
	size_t i;
	int rc;

	(void)params;
	if (!alerts) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	if ((rc = policy_from_user(&doc, &errors, body)) == ASEC_EINVALID) {
		rc = respond_invalid(ex, errors);
		goto done;
	}
	if (rc || (rc = dryrun_build_policy(&p, doc)) || !p)
		goto out;
	while (page.offset < POLICIES_DRYRUN_IMAGES_MAX) {
		if ((rc = store_images_list(&images, c->pool, NULL, &page)))
			goto out;
		json_array_foreach(images, i, img) {
			if ((rc = dryrun_image(alerts, c, p, json_string_value(json_object_get(img, "id")), now)))
				goto out;
		}
		if (json_array_size(images) < page.limit)
			break;
		page.offset += page.limit;
		json_decref(images);
		images = NULL;
	}
out:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory in a policy dry run");
	if (rc)
		rc = central_respond_store_error(ex, rc);
	else
		rc = http_respond_json(ex, 200, json_pack("{s:O}", "alerts", alerts));
done:
	policy_free(p);
	json_decref(images);
	json_decref(alerts);
	json_decref(doc);
	json_decref(errors);
	return rc;
}

/* ---- export and import ---- */

int central_handle_exportPolicies(struct http_exchange *ex, const struct central_exportPolicies_params *params,
				  json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	json_t *ids = json_object_get(body, "policyIds"), *list = json_array(), *doc = NULL, *id;
	size_t i;
	int rc = ASEC_OK;

	(void)params;
	if (!list) {
		error_set("out of memory");
		rc = ASEC_ENOMEM;
	}
	json_array_foreach(ids, i, id) {
		if (rc || (rc = store_policies_get(&doc, c->pool, json_string_value(id))))
			break;
		if (json_array_append_new(list, doc)) {
			error_set("out of memory");
			rc = ASEC_ENOMEM;
		}
	}
	if (rc) {
		json_decref(list);
		return central_respond_store_error(ex, rc);
	}
	return http_respond_json(ex, 200, json_pack("{s:o}", "policies", list));
}

/* One import response: {succeeded, policy, errors[{message, type}]}. */
static json_t *import_response(int succeeded, const json_t *policy, const char *type, const char *message,
			       const char *name)
{
	json_t *r = json_pack("{s:b, s:O, s:[]}", "succeeded", succeeded, "policy", policy, "errors");
	json_t *e;

	if (r && type) {
		e = json_pack("{s:s, s:s}", "message", message, "type", type);
		if (e && name)
			json_object_set_new(e, "duplicateName", json_string(name));
		if (!e || json_array_append_new(json_object_get(r, "errors"), e)) {
			json_decref(r);
			return NULL;
		}
	}
	return r;
}

/* Imports one policy; *response gets its answer. Only failures of the
 * store other than a duplicate are returned as errors. */
static int import_one(json_t **response, struct central *c, const json_t *given, int overwrite, int *stored)
{
	enum store_policy_conflict conflict = STORE_POLICY_CONFLICT_NONE;
	json_t *doc = NULL, *errors = NULL, *saved = NULL;
	char message[PROBLEM_DETAIL_MAX];
	int rc;

	*response = NULL;
	*stored = 0;
	if (!json_is_object(given)) {
		*response = import_response(0, given, "invalid_policy", "a policy must be a JSON object", NULL);
		return *response ? ASEC_OK : ASEC_ENOMEM;
	}
	if ((rc = policy_from_user(&doc, &errors, given)) == ASEC_EINVALID) {
		first_error(message, sizeof(message), errors);
		*response = import_response(0, given, "invalid_policy", message, NULL);
		rc = *response ? ASEC_OK : ASEC_ENOMEM;
		goto out;
	}
	if (rc)
		goto out;
	rc = store_policies_put(&conflict, c->pool, doc, overwrite ? STORE_POLICY_OVERWRITE : STORE_POLICY_CREATE);
	if (rc == ASEC_EEXISTS) {
		int by_id = conflict == STORE_POLICY_CONFLICT_ID;

		snprintf(message, sizeof(message), "%s", error_last());
		*response = import_response(0, given, by_id ? "duplicate_id" : "duplicate_name", message,
					    by_id ? NULL : json_string_value(json_object_get(doc, "name")));
		rc = *response ? ASEC_OK : ASEC_ENOMEM;
		goto out;
	}
	if (rc || (rc = store_policies_get(&saved, c->pool, json_string_value(json_object_get(doc, "id")))))
		goto out;
	*stored = 1;
	if (!(*response = import_response(1, saved, NULL, NULL, NULL)))
		rc = ASEC_ENOMEM;
out:
	json_decref(doc);
	json_decref(errors);
	json_decref(saved);
	return rc;
}

int central_handle_importPolicies(struct http_exchange *ex, const struct central_importPolicies_params *params,
				  json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	int overwrite = json_is_true(json_object_get(json_object_get(body, "metadata"), "overwrite"));
	json_t *policies = json_object_get(body, "policies"), *responses = json_array(), *given, *r = NULL;
	int all = 1, any = 0, stored, rc = responses ? ASEC_OK : ASEC_ENOMEM;
	size_t i;

	(void)params;
	json_array_foreach(policies, i, given) {
		if (rc || (rc = import_one(&r, c, given, overwrite, &stored)))
			break;
		all &= stored;
		any |= stored;
		if (json_array_append_new(responses, r)) {
			rc = ASEC_ENOMEM;
			break;
		}
	}
	if (any)
		policy_set_invalidate(c);
	if (rc) {
		if (rc == ASEC_ENOMEM)
			error_set("out of memory importing policies");
		json_decref(responses);
		return central_respond_store_error(ex, rc);
	}
	return http_respond_json(ex, 200, json_pack("{s:o, s:b}", "responses", responses, "allSucceeded", all));
}
