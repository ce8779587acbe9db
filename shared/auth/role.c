/*
 * role.c - StackRox's four default roles and what each may do, as a table.
 *
 * The roles are fixed (central has no custom roles yet), so a constant
 * role x resource array is the whole permission model: a check is one array
 * read, and the table in auth.h can be compared line by line with the one
 * below. Where the table came from is written in auth.h.
 */
#include "auth/auth.h"

#include <string.h>

#include "error/error.h"

static const char *const role_names[AUTH_ROLE_COUNT] = {
	[AUTH_ROLE_NONE] = "None",
	[AUTH_ROLE_CONTINUOUS_INTEGRATION] = "Continuous Integration",
	[AUTH_ROLE_ANALYST] = "Analyst",
	[AUTH_ROLE_ADMIN] = "Admin",
};

static const char *const resource_names[AUTH_RES_COUNT] = {
	[AUTH_RES_ACCESS] = "Access",
	[AUTH_RES_ADMINISTRATION] = "Administration",
	[AUTH_RES_ALERT] = "Alert",
	[AUTH_RES_CVE] = "CVE",
	[AUTH_RES_CLUSTER] = "Cluster",
	[AUTH_RES_COMPLIANCE] = "Compliance",
	[AUTH_RES_DEPLOYMENT] = "Deployment",
	[AUTH_RES_DEPLOYMENT_EXTENSION] = "DeploymentExtension",
	[AUTH_RES_DETECTION] = "Detection",
	[AUTH_RES_IMAGE] = "Image",
	[AUTH_RES_INTEGRATION] = "Integration",
	[AUTH_RES_K8S_ROLE] = "K8sRole",
	[AUTH_RES_K8S_ROLE_BINDING] = "K8sRoleBinding",
	[AUTH_RES_K8S_SUBJECT] = "K8sSubject",
	[AUTH_RES_NAMESPACE] = "Namespace",
	[AUTH_RES_NETWORK_GRAPH] = "NetworkGraph",
	[AUTH_RES_NETWORK_POLICY] = "NetworkPolicy",
	[AUTH_RES_NODE] = "Node",
	[AUTH_RES_SECRET] = "Secret",
	[AUTH_RES_SERVICE_ACCOUNT] = "ServiceAccount",
	[AUTH_RES_VULN_MGMT_APPROVALS] = "VulnerabilityManagementApprovals",
	[AUTH_RES_VULN_MGMT_REQUESTS] = "VulnerabilityManagementRequests",
	[AUTH_RES_WATCHED_IMAGE] = "WatchedImage",
	[AUTH_RES_WORKFLOW_ADMINISTRATION] = "WorkflowAdministration",
};

#define N AUTH_ACCESS_NONE
#define R AUTH_ACCESS_READ
#define W AUTH_ACCESS_READ_WRITE

/* Columns in enum auth_resource order (Access, Administration, Alert, CVE,
 * Cluster, Compliance, Deployment, DeploymentExtension, Detection, Image,
 * Integration, K8sRole, K8sRoleBinding, K8sSubject, Namespace, NetworkGraph,
 * NetworkPolicy, Node, Secret, ServiceAccount, VM Approvals, VM Requests,
 * WatchedImage, WorkflowAdministration). */
static const unsigned char role_access[AUTH_ROLE_COUNT][AUTH_RES_COUNT] = {
	[AUTH_ROLE_NONE] = {
		N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N},
	[AUTH_ROLE_CONTINUOUS_INTEGRATION] = {
		N, N, N, N, N, N, N, N, R, W, N, N, N, N, N, N, N, N, N, N, N, N, N, N},
	[AUTH_ROLE_ANALYST] = {
		R, N, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R, R},
	[AUTH_ROLE_ADMIN] = {
		W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W},
};

#undef N
#undef R
#undef W

_Static_assert(AUTH_RES_COUNT == 24, "role_access has 24 columns");

const char *auth_role_name(enum auth_role role)
{
	if ((unsigned)role >= AUTH_ROLE_COUNT)
		return NULL;
	return role_names[role];
}

int auth_role_parse(enum auth_role *out, const char *name)
{
	for (unsigned i = 0; name && i < AUTH_ROLE_COUNT; i++) {
		if (strcmp(name, role_names[i]) == 0) {
			*out = (enum auth_role)i;
			return ASEC_OK;
		}
	}
	error_set("unknown role '%.64s' (roles: None, Continuous Integration, Analyst, Admin)",
		  name ? name : "");
	return ASEC_EINVALID;
}

const char *auth_resource_name(enum auth_resource resource)
{
	if ((unsigned)resource >= AUTH_RES_COUNT)
		return NULL;
	return resource_names[resource];
}

int auth_resource_parse(enum auth_resource *out, const char *name)
{
	for (unsigned i = 0; name && i < AUTH_RES_COUNT; i++) {
		if (strcmp(name, resource_names[i]) == 0) {
			*out = (enum auth_resource)i;
			return ASEC_OK;
		}
	}
	error_set("unknown resource '%.64s'", name ? name : "");
	return ASEC_EINVALID;
}

const char *auth_access_name(enum auth_access access)
{
	switch (access) {
	case AUTH_ACCESS_READ: return "READ_ACCESS";
	case AUTH_ACCESS_READ_WRITE: return "READ_WRITE_ACCESS";
	default: return "NO_ACCESS";
	}
}

enum auth_access auth_role_access(enum auth_role role, enum auth_resource resource)
{
	if ((unsigned)role >= AUTH_ROLE_COUNT || (unsigned)resource >= AUTH_RES_COUNT)
		return AUTH_ACCESS_NONE;
	return (enum auth_access)role_access[role][resource];
}

/* The union of several roles: per resource, the most any of them grants. */
static enum auth_access roles_access(const enum auth_role *roles, size_t count,
				     enum auth_resource resource)
{
	enum auth_access best = AUTH_ACCESS_NONE;

	for (size_t i = 0; roles && i < count; i++) {
		enum auth_access a = auth_role_access(roles[i], resource);
		if (a > best)
			best = a;
	}
	return best;
}

int auth_role_allows(enum auth_role role, enum auth_resource resource, enum auth_access access)
{
	return auth_roles_allow(&role, 1, resource, access);
}

int auth_roles_allow(const enum auth_role *roles, size_t count, enum auth_resource resource,
		     enum auth_access access)
{
	/* Asking for "no access" or for an unknown resource is a programming
	 * error; answering no keeps such a mistake from opening anything. */
	if (access == AUTH_ACCESS_NONE || (unsigned)access > AUTH_ACCESS_READ_WRITE ||
	    (unsigned)resource >= AUTH_RES_COUNT)
		return 0;
	return roles_access(roles, count, resource) >= access;
}

int auth_permissions_json(json_t **out, const enum auth_role *roles, size_t count)
{
	json_t *doc = NULL, *map = NULL;

	*out = NULL;
	doc = json_object();
	map = json_object();
	if (doc == NULL || map == NULL || json_object_set(doc, "resourceToAccess", map) != 0)
		goto nomem;
	for (unsigned r = 0; r < AUTH_RES_COUNT; r++) {
		enum auth_access a = roles_access(roles, count, (enum auth_resource)r);
		if (a == AUTH_ACCESS_NONE)
			continue;
		if (json_object_set_new(map, resource_names[r], json_string(auth_access_name(a))) != 0)
			goto nomem;
	}
	json_decref(map);
	*out = doc;
	return ASEC_OK;
nomem:
	json_decref(map);
	json_decref(doc);
	error_set("out of memory");
	return ASEC_ENOMEM;
}
