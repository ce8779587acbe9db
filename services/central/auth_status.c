/*
 * auth_status.c - AuthService: who the caller is (GET /v1/auth/status) and
 * what the caller's roles allow (GET /v1/mypermissions), in StackRox's
 * shapes, which roxctl's "central whoami" and CI plugins read.
 *
 * Both are open to every authenticated caller (no x-asec-roles), role None
 * included, so anyone can find out why they are refused elsewhere.
 */
#include "central.h"

#include "error/error.h"

static int caller_required(const struct central_caller **out, struct http_exchange *ex)
{
	*out = central_caller_of(ex);
	if (!*out) {
		/* only reachable if the spec made the operation public */
		error_set("the caller is not authenticated");
		return ASEC_EAUTH;
	}
	return ASEC_OK;
}

static json_t *role_json(enum auth_role role)
{
	json_t *perms = NULL, *out;

	if (auth_permissions_json(&perms, &role, 1))
		return NULL;
	out = json_pack("{s:s, s:O}", "name", auth_role_name(role), "resourceToAccess",
			json_object_get(perms, "resourceToAccess"));
	json_decref(perms);
	return out;
}

int central_handle_getAuthStatus(struct http_exchange *ex, const struct central_getAuthStatus_params *params,
				 json_t *body)
{
	const struct central_caller *caller;
	json_t *roles = NULL, *user_info = NULL, *provider = NULL, *out = NULL;
	char user_id[AUTH_UUID_LEN + 16], expires[32];
	size_t i;
	int rc;

	(void)params;
	(void)body;
	if ((rc = caller_required(&caller, ex)))
		return http_respond_error(ex, rc);
	if (!(roles = json_array()))
		goto oom;
	for (i = 0; i < caller->role_count; i++) {
		if (json_array_append_new(roles, role_json(caller->roles[i])))
			goto oom;
	}
	if (caller->is_admin) {
		snprintf(user_id, sizeof(user_id), "%s", CENTRAL_ADMIN_USER);
		provider = json_pack("{s:s, s:s}", "name", "Login with username/password", "type", "basic");
	} else {
		snprintf(user_id, sizeof(user_id), "apitoken:%s", caller->id);
		provider = json_pack("{s:s, s:s}", "name", "API Token", "type", "api-token");
	}
	user_info = json_pack("{s:s, s:s, s:O}", "username", caller->is_admin ? CENTRAL_ADMIN_USER : user_id,
			      "friendlyName", caller->name, "roles", roles);
	if (!provider || !user_info)
		goto oom;
	{
		const struct central_AuthStatus status = {
			.userId = user_id,
			.userInfo = user_info,
			.expires = caller->expires ? expires : NULL,
			.authProvider = provider,
		};
		if (caller->expires)
			central_time_format(expires, sizeof(expires), caller->expires);
		out = central_AuthStatus_to_json(&status);
	}
	json_decref(roles);
	json_decref(user_info);
	json_decref(provider);
	if (!out)
		return http_respond_error(ex, ASEC_ENOMEM);
	return http_respond_json(ex, 200, out);
oom:
	json_decref(roles);
	json_decref(user_info);
	json_decref(provider);
	error_set("out of memory");
	return http_respond_error(ex, ASEC_ENOMEM);
}

int central_handle_getMyPermissions(struct http_exchange *ex, const struct central_getMyPermissions_params *params,
				    json_t *body)
{
	const struct central_caller *caller;
	json_t *out = NULL;
	int rc;

	(void)params;
	(void)body;
	if ((rc = caller_required(&caller, ex)) || (rc = auth_permissions_json(&out, caller->roles, caller->role_count)))
		return http_respond_error(ex, rc);
	return http_respond_json(ex, 200, out);
}
