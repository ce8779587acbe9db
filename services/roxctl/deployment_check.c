/*
 * deployment_check.c - `roxctl deployment check`: central evaluates the
 * deploy-time policies on the workloads of each YAML file (POST
 * /v1/detect/deploy/yaml, one request per file, as StackRox's roxctl
 * sends them), and all answers are printed as one report.
 *
 * One request per file keeps central's answer tied to a file, so that the
 * SARIF results point at the file that holds the workload, and a file that
 * central refuses is named in the error. Nothing is printed until every
 * file has been checked: a pipeline never parses half a JSON document.
 * Objects central ignored (not workloads: Services, ConfigMaps, ...) are
 * counted on standard error, not hidden. Making the client, printing and
 * the verdict are check_common.c's, shared with image check.
 */
#include "check_common.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "error/error.h"

/* Text from central for standard error: control bytes become '?', and it
 * is cut at 512 bytes. */
static const char *safe_text(const char *s)
{
	static char buf[516];
	size_t i;

	for (i = 0; s[i] && i < 512; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	if (s[i])
		strcpy(buf + i, "...");
	return buf;
}

/* Reads a YAML file of at most ROXCTL_YAML_FILE_MAX bytes. */
static int yaml_read(char **out, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t len;
	int rc = ASEC_OK;

	*out = NULL;
	if (!f) {
		error_set("cannot read %s: %s", path, strerror(errno));
		return ASEC_EINVALID;
	}
	if (!(data = malloc(ROXCTL_YAML_FILE_MAX + 1))) {
		error_set("out of memory");
		rc = ASEC_ENOMEM;
		goto out;
	}
	len = fread(data, 1, ROXCTL_YAML_FILE_MAX + 1, f);
	if (ferror(f)) {
		error_set("reading %s: %s", path, strerror(errno));
		rc = ASEC_EINVALID;
		goto out;
	}
	if (len > ROXCTL_YAML_FILE_MAX) {
		error_set("%s is larger than %zu bytes", path, ROXCTL_YAML_FILE_MAX);
		rc = ASEC_ETOOBIG;
		goto out;
	}
	if (memchr(data, '\0', len)) {
		error_set("%s is not a text file", path);
		rc = ASEC_EINVALID;
		goto out;
	}
	data[len] = '\0';
	*out = data;
	data = NULL;
out:
	free(data);
	fclose(f);
	return rc;
}

/* One file: read, sent, and its answer added to the report; central's notes
 * and what it ignored are told on err. */
static int deploy_file(struct check_report *report, struct roxctl_client *client,
		       const struct roxctl_retry_policy *retry, const struct roxctl_check_args *c, const char *file,
		       FILE *err)
{
	json_t *request = NULL, *answer = NULL;
	const json_t *note;
	char *yaml = NULL;
	size_t ignored, j;
	int rc;

	if ((rc = yaml_read(&yaml, file))) {
		fprintf(err, "ERROR: %s\n", error_last());
		rc = ROXCTL_EXIT_USAGE; /* nothing was sent for it: the input is wrong */
		goto out;
	}
	request = json_pack("{s:s, s:o, s:b}", "yaml", yaml, "policyCategories",
			    roxctl_check_categories_json(c->categories), "force", c->force);
	if (request && c->namespace && json_object_set_new(request, "namespace", json_string(c->namespace))) {
		json_decref(request);
		request = NULL;
	}
	if (!request) {
		error_set("out of memory (or %s is not UTF-8)", file);
		rc = ASEC_ENOMEM;
		goto out;
	}
	if ((rc = roxctl_client_call(&answer, client, "POST", "/v1/detect/deploy/yaml", request, retry)))
		goto out;
	if ((rc = check_report_add_deploy(report, answer, file, c->namespace))) {
		error_prefix("reading central's answer");
		goto out;
	}
	json_array_foreach(json_object_get(answer, "notes"), j, note) {
		if (json_is_string(note))
			fprintf(err, "INFO: %s: %s\n", file, safe_text(json_string_value(note)));
	}
	ignored = json_array_size(json_object_get(answer, "ignoredObjectRefs"));
	if (ignored)
		fprintf(err, "WARN: %s: central ignored %zu object%s that %s no workload%s\n", file, ignored,
			ignored == 1 ? "" : "s", ignored == 1 ? "is" : "are", ignored == 1 ? "" : "s");
out:
	if (rc < 0)
		error_prefix("checking %s", file);
	free(yaml);
	json_decref(request);
	json_decref(answer);
	return rc;
}

static int deploy_fill(struct check_report *report, struct roxctl_client *client,
		       const struct roxctl_retry_policy *retry, const struct roxctl_check_args *c, FILE *err)
{
	size_t i;
	int rc = ASEC_OK;

	for (i = 0; !rc && i < c->file_count; i++)
		rc = deploy_file(report, client, retry, c, c->files[i], err);
	return rc;
}

int roxctl_deployment_check(const struct roxctl_cli *cli, FILE *out, FILE *err)
{
	return roxctl_check_run(cli, CHECK_KIND_DEPLOYMENT, deploy_fill, out, err);
}
