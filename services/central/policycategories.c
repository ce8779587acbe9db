/*
 * policycategories.c - PolicyCategoryService: list, read, add, rename and
 * delete the categories policies are grouped by.
 *
 * The rows and their rules are store_policies.c's: names unique ignoring
 * case, default categories (those of the shipped policies) neither renamed
 * nor deleted, a category some policy names kept. A rename rewrites the
 * policies that name it, so the detector's snapshot is invalidated.
 */
#include "central.h"

#include "api_common.h"
#include "error/error.h"
#include "policy_set.h"
#include "store_policies.h"

int central_handle_getPolicyCategories(struct http_exchange *ex,
				       const struct central_getPolicyCategories_params *params, json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	json_t *list = NULL;
	int rc;

	(void)params;
	(void)body;
	if ((rc = store_policy_categories_list(&list, c->pool)))
		return central_respond_store_error(ex, rc);
	return http_respond_json(ex, 200, json_pack("{s:o}", "categories", list));
}

int central_handle_getPolicyCategory(struct http_exchange *ex, const struct central_getPolicyCategory_params *params,
				     json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	json_t *cat = NULL;
	int rc;

	(void)body;
	if ((rc = store_policy_categories_get(&cat, c->pool, params->id)))
		return central_respond_store_error(ex, rc);
	return http_respond_json(ex, 200, cat);
}

int central_handle_postPolicyCategory(struct http_exchange *ex,
				      const struct central_postPolicyCategory_params *params, json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	const char *name = json_string_value(json_object_get(json_object_get(body, "policyCategory"), "name"));
	json_t *cat = NULL;
	int rc;

	(void)params;
	if ((rc = store_policy_categories_create(&cat, c->pool, name)))
		return central_respond_store_error(ex, rc);
	return http_respond_json(ex, 200, cat);
}

static int rename_category(struct http_exchange *ex, const char *id, const char *name)
{
	struct central *c = http_exchange_server_context(ex);
	json_t *cat = NULL;
	int rc;

	if ((rc = store_policy_categories_rename(&cat, c->pool, id, name)))
		return central_respond_store_error(ex, rc);
	policy_set_invalidate(c);
	return http_respond_json(ex, 200, cat);
}

int central_handle_putPolicyCategory(struct http_exchange *ex, const struct central_putPolicyCategory_params *params,
				     json_t *body)
{
	return rename_category(ex, params->id, json_string_value(json_object_get(body, "name")));
}

int central_handle_renamePolicyCategory(struct http_exchange *ex,
					const struct central_renamePolicyCategory_params *params, json_t *body)
{
	(void)params;
	return rename_category(ex, json_string_value(json_object_get(body, "id")),
			       json_string_value(json_object_get(body, "newCategoryName")));
}

int central_handle_deletePolicyCategory(struct http_exchange *ex,
					const struct central_deletePolicyCategory_params *params, json_t *body)
{
	struct central *c = http_exchange_server_context(ex);
	int rc;

	(void)body;
	if ((rc = store_policy_categories_delete(c->pool, params->id)))
		return central_respond_store_error(ex, rc);
	return http_respond_json(ex, 200, json_object());
}
