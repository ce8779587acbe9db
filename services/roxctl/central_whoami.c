/*
 * central_whoami.c - `roxctl central whoami`: who central takes the
 * credentials for (GET /v1/auth/status), in StackRox's layout, so that
 * people who know StackRox's output read ours without thinking:
 *
 *   UserID:
 *   	admin
 *   User name:
 *   	admin
 *   Roles:
 *   	- Admin
 *   Access:
 *   	rw Access
 *   	r  Administration
 *
 * The Access lines are the union of the roles' resourceToAccess (a
 * resource is as open as the most open role makes it), sorted by resource
 * name, with no line for NO_ACCESS. API tokens also get an "Expires:"
 * block after the user name. Every string comes from the server, so
 * control characters are printed as '?'.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "error/error.h"

static int access_rank(const char *access)
{
	if (!access)
		return 0;
	if (strcmp(access, "READ_WRITE_ACCESS") == 0)
		return 2;
	if (strcmp(access, "READ_ACCESS") == 0)
		return 1;
	return 0;
}

static void put_clean(FILE *out, const char *s)
{
	for (; s && *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
}

static int key_compare(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int roxctl_whoami_write(FILE *out, const json_t *status)
{
	const json_t *info = json_object_get(status, "userInfo"), *roles = json_object_get(info, "roles"), *role;
	const char *name, *expires, *key, **keys = NULL;
	json_t *access = NULL, *value;
	size_t i, count = 0;
	int rc = ASEC_OK;

	if (!json_is_object(status)) {
		error_set("central's auth status is not a JSON object");
		return ASEC_EINVALID;
	}
	if (!(access = json_object())) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	json_array_foreach(roles, i, role) {
		json_object_foreach(json_object_get(role, "resourceToAccess"), key, value) {
			int rank = access_rank(json_string_value(value));
			json_t *had = json_object_get(access, key);
			if (rank > 0 && (!had || json_integer_value(had) < rank) &&
			    json_object_set_new(access, key, json_integer(rank))) {
				rc = ASEC_ENOMEM;
				goto out;
			}
		}
	}
	if (json_object_size(access) && !(keys = calloc(json_object_size(access), sizeof(*keys)))) {
		rc = ASEC_ENOMEM;
		goto out;
	}
	json_object_foreach(access, key, value)
		keys[count++] = key;
	if (count)
		qsort(keys, count, sizeof(*keys), key_compare);

	fputs("UserID:\n\t", out);
	put_clean(out, json_string_value(json_object_get(status, "userId")));
	fputs("\nUser name:\n\t", out);
	name = json_string_value(json_object_get(info, "friendlyName"));
	if (!name || !name[0])
		name = json_string_value(json_object_get(info, "username"));
	put_clean(out, name);
	fputc('\n', out);
	if ((expires = json_string_value(json_object_get(status, "expires"))) && expires[0]) {
		fputs("Expires:\n\t", out);
		put_clean(out, expires);
		fputc('\n', out);
	}
	fputs("Roles:\n", out);
	json_array_foreach(roles, i, role) {
		fputs("\t- ", out);
		put_clean(out, json_string_value(json_object_get(role, "name")));
		fputc('\n', out);
	}
	fputs("Access:\n", out);
	for (i = 0; i < count; i++) {
		fputs(json_integer_value(json_object_get(access, keys[i])) == 2 ? "\trw " : "\tr  ", out);
		put_clean(out, keys[i]);
		fputc('\n', out);
	}
	if (ferror(out)) {
		error_set("writing the output failed");
		rc = ASEC_EIO;
	}
out:
	if (rc == ASEC_ENOMEM)
		error_set("out of memory");
	free(keys);
	json_decref(access);
	return rc;
}

int roxctl_central_whoami(const struct roxctl_cli *cli, FILE *out, FILE *err)
{
	struct roxctl_client *client = NULL;
	json_t *status = NULL;
	int rc;

	if ((rc = roxctl_cli_client(&client, cli)) ||
	    (rc = roxctl_client_call(&status, client, "GET", "/v1/auth/status", NULL, NULL)) ||
	    (rc = roxctl_whoami_write(out, status))) {
		fprintf(err, "ERROR: central whoami: %s\n", error_last());
	}
	json_decref(status);
	roxctl_client_free(client);
	return roxctl_exit_code(rc);
}
