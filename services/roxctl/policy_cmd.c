/*
 * policy_cmd.c - `roxctl policy export` and `roxctl policy import`: moving
 * policies between centrals (or between StackRox and this central) as the
 * JSON document {"policies": [...]} both products read and write.
 *
 * Export writes central's answer unchanged apart from layout, so an export
 * imports anywhere StackRox's does. With -o the document goes to a
 * temporary file beside the target that is renamed over it once complete:
 * an interrupted export never leaves half a file behind. Import sends the
 * file's policies as they are (central validates them) and reports central's
 * verdict per policy; a single policy object or a bare list is accepted too,
 * as a convenience. Import is not retried: a second attempt after a lost
 * answer could report the first attempt's policies as duplicates.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client.h"
#include "error/error.h"

/* Text from central shown on a terminal: control bytes become '?'. */
static void put_safe(FILE *f, const char *s)
{
	for (; s && *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

static int export_write_file(const char *path, const json_t *doc)
{
	char *tmp = NULL;
	int rc = ASEC_OK;

	if (asprintf(&tmp, "%s.tmp-%ld", path, (long)getpid()) < 0) {
		error_set("out of memory");
		return ASEC_ENOMEM;
	}
	if (json_dump_file(doc, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 || rename(tmp, path) != 0) {
		error_set("writing %s: %s", path, strerror(errno));
		unlink(tmp);
		rc = ASEC_EIO;
	}
	free(tmp);
	return rc;
}

int roxctl_policy_export(const struct roxctl_cli *cli, FILE *out, FILE *err)
{
	const struct roxctl_policy_args *p = &cli->policy;
	struct roxctl_client *client = NULL;
	json_t *request = NULL, *answer = NULL, *ids = json_array(), *doc = NULL;
	const json_t *policies;
	size_t i;
	int rc;

	for (i = 0; ids && p->ids && p->ids[i]; i++) {
		if (json_array_append_new(ids, json_string(p->ids[i])) != 0) {
			json_decref(ids);
			ids = NULL;
		}
	}
	if (!ids || !(request = json_pack("{s:O}", "policyIds", ids))) {
		error_set("out of memory");
		rc = ASEC_ENOMEM;
		goto fail;
	}
	if ((rc = roxctl_cli_client(&client, cli)) ||
	    (rc = roxctl_client_call(&answer, client, "POST", "/v1/policies/export", request, NULL)))
		goto fail;
	policies = json_object_get(answer, "policies");
	if (!json_is_array(policies)) {
		error_set("central's answer holds no list of policies");
		rc = ASEC_EIO;
		goto fail;
	}
	if (!(doc = json_pack("{s:O}", "policies", policies))) {
		error_set("out of memory");
		rc = ASEC_ENOMEM;
		goto fail;
	}
	if (p->output) {
		if ((rc = export_write_file(p->output, doc)))
			goto fail;
		fprintf(err, "Exported %zu %s to ", json_array_size(policies),
			json_array_size(policies) == 1 ? "policy" : "policies");
		put_safe(err, p->output);
		fputc('\n', err);
	} else if (json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 || fputc('\n', out) == EOF ||
		   fflush(out) != 0) {
		error_set("writing the export: %s", strerror(errno));
		rc = ASEC_EIO;
		goto fail;
	}
	rc = ROXCTL_EXIT_OK;
	goto out;
fail:
	error_prefix("exporting policies");
	fprintf(err, "ERROR: %s\n", error_last());
	rc = roxctl_exit_code(rc);
out:
	json_decref(ids);
	json_decref(request);
	json_decref(answer);
	json_decref(doc);
	roxctl_client_free(client);
	return rc;
}

/* The policies of an import file: {"policies": [...]}, a list, or one
 * policy object. NULL with error_set() for anything else. */
static json_t *import_policies(const json_t *doc)
{
	const json_t *list = json_object_get(doc, "policies");

	if (json_is_array(list))
		return json_incref((json_t *)list);
	if (json_is_array(doc))
		return json_incref((json_t *)doc);
	if (json_is_object(doc) && json_is_string(json_object_get(doc, "name")))
		return json_pack("[O]", doc);
	error_set("it is not a policy export: no \"policies\" list, and not a policy");
	return NULL;
}

int roxctl_policy_import(const struct roxctl_cli *cli, FILE *out, FILE *err)
{
	const struct roxctl_policy_args *p = &cli->policy;
	struct roxctl_client *client = NULL;
	json_t *doc = NULL, *policies = NULL, *request = NULL, *answer = NULL;
	const json_t *responses, *r;
	json_error_t jerr;
	struct stat st;
	size_t i, failed = 0;
	int rc;

	if (stat(p->input, &st) == 0 && st.st_size > (off_t)ROXCTL_POLICY_FILE_MAX) {
		fprintf(err, "ERROR: %s is larger than %zu bytes\n", p->input, ROXCTL_POLICY_FILE_MAX);
		return ROXCTL_EXIT_USAGE;
	}
	doc = json_load_file(p->input, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		fprintf(err, "ERROR: %s:%d: %s\n", p->input, jerr.line, jerr.text);
		return ROXCTL_EXIT_USAGE;
	}
	if (!(policies = import_policies(doc)) || json_array_size(policies) == 0) {
		fprintf(err, "ERROR: %s: %s\n", p->input, policies ? "it holds no policy" : error_last());
		rc = ROXCTL_EXIT_USAGE;
		goto out;
	}
	request = json_pack("{s:{s:b}, s:O}", "metadata", "overwrite", p->overwrite, "policies", policies);
	if (!request) {
		error_set("out of memory");
		rc = ASEC_ENOMEM;
		goto fail;
	}
	if ((rc = roxctl_cli_client(&client, cli)) ||
	    (rc = roxctl_client_call(&answer, client, "POST", "/v1/policies/import", request, NULL)))
		goto fail;
	responses = json_object_get(answer, "responses");
	json_array_foreach(responses, i, r) {
		const json_t *policy = json_object_get(r, "policy"), *e;
		const char *name = json_string_value(json_object_get(policy, "name"));
		const char *id = json_string_value(json_object_get(policy, "id"));
		size_t j;

		if (json_is_true(json_object_get(r, "succeeded"))) {
			fprintf(out, "imported  ");
			put_safe(out, name ? name : "(no name)");
			if (id) {
				fprintf(out, " (");
				put_safe(out, id);
				fputc(')', out);
			}
			fputc('\n', out);
			continue;
		}
		failed++;
		fprintf(out, "FAILED    ");
		put_safe(out, name ? name : "(no name)");
		json_array_foreach(json_object_get(r, "errors"), j, e) {
			const char *type = json_string_value(json_object_get(e, "type"));
			const char *msg = json_string_value(json_object_get(e, "message"));
			fprintf(out, "%s", j ? "; " : ": ");
			if (type) {
				put_safe(out, type);
				fprintf(out, ": ");
			}
			put_safe(out, msg ? msg : "refused");
		}
		fputc('\n', out);
	}
	if (fflush(out) != 0) {
		error_set("writing the results: %s", strerror(errno));
		rc = ASEC_EIO;
		goto fail;
	}
	/* allSucceeded is central's verdict; a failed line without it (or the
	 * other way round) still fails, whichever central forgot. */
	if (!json_is_true(json_object_get(answer, "allSucceeded")) || failed) {
		fprintf(err, "ERROR: %zu of %zu policies were not imported%s\n",
			failed ? failed : json_array_size(policies), json_array_size(policies),
			p->overwrite ? "" : " (--overwrite replaces policies of the same id or name)");
		rc = ROXCTL_EXIT_GATE;
		goto out;
	}
	rc = ROXCTL_EXIT_OK;
	goto out;
fail:
	error_prefix("importing policies from %s", p->input);
	fprintf(err, "ERROR: %s\n", error_last());
	rc = roxctl_exit_code(rc);
out:
	json_decref(doc);
	json_decref(policies);
	json_decref(request);
	json_decref(answer);
	roxctl_client_free(client);
	return rc;
}
